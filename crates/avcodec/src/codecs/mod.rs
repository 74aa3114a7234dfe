//! The codecs implemented in this crate, one module each.

pub mod ac3;
pub mod dca;
pub mod mpeg1video;
pub mod mpegaudio;
pub mod pcm;
pub mod rawvideo;
pub(crate) mod syncframe;
pub mod wrapped;

use crate::registry::{DecoderInfo, EncoderInfo};

/// Every decoder of this crate.
pub fn decoders() -> Vec<DecoderInfo> {
    let mut v = vec![rawvideo::decoder()];
    v.extend(pcm::decoders());
    v.push(mpeg1video::decoder());
    v.extend(mpegaudio::decoders());
    v
}

/// Every encoder of this crate.
pub fn encoders() -> Vec<EncoderInfo> {
    let mut v = vec![rawvideo::encoder(), wrapped::encoder()];
    v.extend(pcm::encoders());
    v.push(mpegaudio::encoder());
    v.push(mpeg1video::encoder());
    v
}
