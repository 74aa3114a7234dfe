//! The MPEG-1 video elementary stream parser (in arbitrary chunkings: the units must not
//! depend on them) and the `mpegvideo` demuxer with seeking, on arbitrary input.
#![no_main]

use libfuzzer_sys::fuzz_target;

use avcodec::codecs::mpeg1video::parser::Mpeg1VideoParser;
use avformat::{FormatRegistry, InputContext, InputOptions, IoReader, SeekFlags};

fuzz_target!(|data: &[u8]| {
    let mut whole = Mpeg1VideoParser::new();
    let units = whole.split(data, true);
    let total: usize = units.iter().map(|u| u.data.len()).sum();
    assert_eq!(total, data.len());
    let step = 1 + data.first().map_or(0, |&b| usize::from(b) % 13);
    let mut p = Mpeg1VideoParser::new();
    let mut again = Vec::new();
    for c in data.chunks(step) {
        again.extend(p.split(c, false));
    }
    again.extend(p.split(&[], true));
    assert_eq!(units, again);
    let _ = p.parameters();

    let io = IoReader::from_bytes(data.to_vec(), "fuzz.m1v");
    let opts = InputOptions::with_format("mpegvideo");
    if let Ok(mut ic) = InputContext::open_reader(io, &FormatRegistry::builtin(), &opts) {
        let mut n = 0;
        while let Ok(Some(_)) = ic.read_packet() {
            n += 1;
            if n == 5 {
                let _ = ic.seek(0, 48000 * 3, SeekFlags { backward: true, ..Default::default() });
            }
            if n > 10_000 {
                break;
            }
        }
    }
});
