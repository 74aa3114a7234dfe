//! The MPEG program stream demuxer (forced, and through probing) on arbitrary input: reading,
//! seeking and remuxing must return errors, never panic, hang or allocate from header sizes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    avformat::fuzzing::demux_mpegps(data);
});
