//! Implementations of [`crate::parser::Parser`].

pub mod mpegaudio;
pub mod mpegvideo;
