//! Probes arbitrary bytes with every registered demuxer, then reads every
//! packet and decodes it: must return, never panic, hang or allocate without bound.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let formats = fastforward::default::formats();
    let codecs = fastforward::default::codecs();
    let io = fastforward::avformat::IoReader::from_bytes(data.to_vec(), "fuzz");
    let Ok(mut ctx) = fastforward::avformat::InputContext::open_reader(io, &formats, &Default::default()) else { return };
    let mut decoders: Vec<_> = ctx.streams().iter().map(|s| codecs.open_decoder(&s.params, &Default::default()).ok()).collect();
    for _ in 0..10_000 {
        match ctx.read_packet() {
            Ok(Some(p)) => {
                if let Some(Some(d)) = decoders.get_mut(p.stream_index) {
                    let _ = d.send_packet(&p);
                    while let Ok(fastforward::avcodec::Received::Item(_)) = d.receive_frame() {}
                }
            }
            _ => break,
        }
    }
});
