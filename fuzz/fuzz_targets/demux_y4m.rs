//! The Y4M demuxer on arbitrary input (header parser, packets, seeks): must return, never panic
//! (body in `avformat::fuzzing::demux_y4m`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| avformat::fuzzing::demux_y4m(data));
