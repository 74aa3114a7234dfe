//! The rawvideo decoder and demuxer on arbitrary pictures of every pixel format: must return,
//! never panic (body in `avformat::fuzzing::decode_rawvideo`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| avformat::fuzzing::decode_rawvideo(data));
