//! Byte I/O, probing, demuxers and muxers (cf. libavformat).
//!
//! The format core lands in issue #3; for now the crate only reserves its
//! place in the layered workspace (level 2, uses `avutil` and `avcodec`).
#![forbid(unsafe_code)]
