//! The formats implemented in this crate, one module each.

pub mod hash;
pub mod lavfi;
pub mod rawvideo;
pub mod y4m;

use crate::registry::{DemuxerInfo, MuxerInfo};

/// Every demuxer of this crate.
pub fn demuxers() -> Vec<DemuxerInfo> {
    vec![y4m::demuxer(), rawvideo::demuxer(), lavfi::demuxer()]
}

/// Every muxer of this crate.
pub fn muxers() -> Vec<MuxerInfo> {
    let mut m = hash::muxers();
    m.push(y4m::muxer());
    m.push(rawvideo::muxer());
    m
}
