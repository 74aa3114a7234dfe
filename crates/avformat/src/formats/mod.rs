//! The formats implemented in this crate, one module each.

pub mod hash;
pub mod pcm;
pub mod wav;

use crate::registry::{DemuxerInfo, MuxerInfo};

/// Every demuxer of this crate.
pub fn demuxers() -> Vec<DemuxerInfo> {
    let mut v = Vec::new();
    v.extend(wav::demuxers());
    v.extend(pcm::demuxers());
    v
}

/// Every muxer of this crate.
pub fn muxers() -> Vec<MuxerInfo> {
    let mut v = hash::muxers();
    v.extend(wav::muxers());
    v.extend(pcm::muxers());
    v
}
