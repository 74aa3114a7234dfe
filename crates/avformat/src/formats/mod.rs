//! The formats implemented in this crate, one module each.

pub mod hash;

use crate::registry::{DemuxerInfo, MuxerInfo};

/// Every demuxer of this crate.
pub fn demuxers() -> Vec<DemuxerInfo> {
    Vec::new()
}

/// Every muxer of this crate.
pub fn muxers() -> Vec<MuxerInfo> {
    hash::muxers()
}
