//! DTS Coherent Acoustics (ETSI TS 102 114): the core frame header and the
//! elementary stream parser (no decoder yet). Streams of this kind come from
//! MPEG program streams (private stream 1, sub-streams `0x88..0x8f`).

pub mod header;
pub mod parser;
