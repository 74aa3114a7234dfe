//! The MPEG audio elementary stream demuxer (forced, and through probing) on arbitrary input,
//! reading every packet and seeking: must return errors, never panic, hang or over-allocate.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| avformat::fuzzing::demux_mp2(data));
