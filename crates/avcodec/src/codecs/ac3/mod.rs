//! AC-3 and E-AC-3 (ATSC A/52): sync frame headers and the elementary
//! stream parser (no decoder yet). Streams of this kind come from MPEG
//! program streams (private stream 1, sub-streams `0x80..0x87`).

pub mod header;
pub mod parser;
