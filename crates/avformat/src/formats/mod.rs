//! The formats implemented in this crate, one module each.

pub mod hash;
pub mod lavfi;
pub mod mp2;
pub mod mpegps;
pub mod mpegvideo;
pub mod pcm;
pub mod rawvideo;
pub mod wav;
pub mod y4m;

use crate::registry::{DemuxerInfo, MuxerInfo};

/// Every demuxer of this crate.
pub fn demuxers() -> Vec<DemuxerInfo> {
    let mut v = vec![y4m::demuxer(), rawvideo::demuxer(), lavfi::demuxer()];
    v.push(mp2::demuxer());
    v.push(mpegps::demuxer());
    v.extend(wav::demuxers());
    v.extend(pcm::demuxers());
    v.push(mpegvideo::demuxer());
    v
}

/// Every muxer of this crate.
pub fn muxers() -> Vec<MuxerInfo> {
    let mut v = hash::muxers();
    v.push(y4m::muxer());
    v.push(mpegps::muxer());
    v.push(rawvideo::muxer());
    v.push(mp2::muxer());
    v.extend(wav::muxers());
    v.extend(pcm::muxers());
    v.push(mpegvideo::muxer());
    v
}
