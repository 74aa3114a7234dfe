//! Packets, codec registry, decoders and encoders (cf. libavcodec).
//!
//! The codec core lands in issue #3; for now the crate only reserves its place
//! in the layered workspace (level 1, uses only `avutil`).
#![forbid(unsafe_code)]
