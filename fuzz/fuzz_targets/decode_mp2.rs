//! The MPEG audio Layer I/II decoders (fixed and float) on arbitrary streams, split into
//! frames by the parser or into arbitrary packets: must return errors, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| avformat::fuzzing::decode_mp2(data));
