//! The MPEG-1/2 video elementary stream parser (in arbitrary chunkings: the units must cover
//! the input exactly) and the `mpegvideo` demuxer with seeking, on arbitrary input.
#![no_main]

use libfuzzer_sys::fuzz_target;

use avcodec::codecs::mpeg1video::parser::Mpeg1VideoParser;
use avcodec::parser::{ParsedFrame, ParserContext};
use avcodec::{CodecId, CodecParameters};
use avformat::{FormatRegistry, InputContext, InputOptions, IoReader, SeekFlags};

/// The units of `data` fed in chunks of `step` bytes.
fn units(data: &[u8], step: usize) -> Vec<ParsedFrame> {
    let mut ctx = ParserContext::new(Box::new(Mpeg1VideoParser::new()));
    let mut params = CodecParameters::new(CodecId::Mpeg1video);
    let out = ctx.parse_all(data, step, &mut params);
    let _ = ctx.parser().parameters();
    out
}

fuzz_target!(|data: &[u8]| {
    // Like FFmpeg's parser, ours may cut degenerate streams (a slice start code directly
    // followed by another start code) differently in different chunkings; the units must
    // still be contiguous and cover the input.
    let step = 1 + data.first().map_or(0, |&b| usize::from(b) % 13);
    for u in [units(data, data.len().max(1)), units(data, step)] {
        let mut at = 0u64;
        for f in &u {
            assert_eq!(f.offset, at);
            at += f.data.len() as u64;
        }
        assert_eq!(at, data.len() as u64);
    }

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
