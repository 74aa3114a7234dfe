//! The AC-3/E-AC-3 and DTS elementary stream parsers on arbitrary input, in two chunkings:
//! the AC-3 frames must cover the input exactly, the DTS frames the input after the bytes
//! dropped before the first sync word, and both chunkings must give the same frames.
#![no_main]

use libfuzzer_sys::fuzz_target;

use avcodec::codecs::ac3::parser::Ac3Parser;
use avcodec::codecs::dca::parser::DcaParser;
use avcodec::parser::{Parser, ParserContext};
use avcodec::{CodecId, CodecParameters};

/// The frames of `data` fed in chunks of `step` bytes.
fn frames(parser: Box<dyn Parser>, id: CodecId, data: &[u8], step: usize) -> Vec<Vec<u8>> {
    let mut ctx = ParserContext::new(parser);
    let mut params = CodecParameters::new(id);
    let mut out = Vec::new();
    for (n, c) in data.chunks(step).enumerate() {
        out.extend(ctx.parse(c, None, None, Some((n * step) as u64), &mut params));
    }
    out.extend(ctx.flush(&mut params));
    out.iter().map(|f| f.data.to_vec()).collect()
}

fuzz_target!(|data: &[u8]| {
    let step = 1 + data.first().map_or(0, |&b| usize::from(b) % 13);
    let whole = data.len().max(1);
    let a = frames(Box::new(Ac3Parser::new()), CodecId::Ac3, data, whole);
    assert_eq!(a.concat(), data);
    assert_eq!(a, frames(Box::new(Ac3Parser::new()), CodecId::Ac3, data, step));
    let d = frames(Box::new(DcaParser::new()), CodecId::Dts, data, whole);
    assert!(data.ends_with(&d.concat()));
    assert_eq!(d, frames(Box::new(DcaParser::new()), CodecId::Dts, data, step));
});
