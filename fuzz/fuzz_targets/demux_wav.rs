//! The WAV demuxer (forced, and through probing) on arbitrary input, reading every packet
//! and seeking: must return errors, never panic, hang or allocate from header sizes.
#![no_main]

use libfuzzer_sys::fuzz_target;

use avformat::{FormatRegistry, InputContext, InputOptions, IoReader, SeekFlags};

fuzz_target!(|data: &[u8]| {
    let reg = FormatRegistry::builtin();
    for forced in [Some("wav"), None] {
        let io = IoReader::from_bytes(data.to_vec(), "fuzz.wav");
        let mut opts = InputOptions::default();
        opts.format = forced.map(str::to_owned);
        let Ok(mut ic) = InputContext::open_reader(io, &reg, &opts) else {
            continue;
        };
        let mut n = 0u32;
        while let Ok(Some(_)) = ic.read_packet() {
            n += 1;
            if n > 1_000_000 {
                panic!("runaway demuxer");
            }
        }
        for (ts, backward) in [(0, true), (12345, false), (i64::MAX, true), (-1, false)] {
            let flags = SeekFlags { backward, ..Default::default() };
            if ic.seek(0, ts, flags).is_ok() {
                let _ = ic.read_packet();
            }
        }
    }
});
