//! `avutil`: the foundation layer of fastforward (cf. libavutil).
//!
//! Everything the other layers share: exact [`Rational`] arithmetic and
//! timestamp rescaling ([`mathematics`]), time parsing and printing
//! ([`time`]), refcounted [`Buffer`]s with padding and pools, ordered
//! [`Dictionary`] metadata, pixel formats with descriptors ([`PixelFormat`])
//! and image layout helpers ([`imgutils`]), sample formats and conversion
//! ([`SampleFormat`], [`samplefmt::convert_samples`]), channel layouts
//! ([`ChannelLayout`]), colour enums ([`color`]), [`Frame`]s, checksums
//! ([`hash`]), FFmpeg's log levels ([`LogLevel`]) and option-value parsers
//! ([`parse`]).
//!
//! ```
//! use avutil::{Rational, mathematics::{rescale_q, Rounding, rescale_q_rnd}};
//! // 1 frame at 25 fps in the 90 kHz MPEG clock:
//! assert_eq!(rescale_q(1, Rational::new(1, 25), Rational::new(1, 90000)), Some(3600));
//! // Rounding modes are FFmpeg's:
//! assert_eq!(rescale_q_rnd(1001, Rational::new(1, 30000), Rational::new(1, 1000), Rounding::Up), Some(34));
//! // Overflow is reported, not wrapped:
//! assert_eq!(rescale_q(i64::MAX, Rational::new(2, 1), Rational::new(1, 1)), None);
//! ```
#![forbid(unsafe_code)]

pub mod buffer;
pub mod channel_layout;
pub mod color;
pub mod dict;
pub mod error;
pub mod frame;
pub mod hash;
pub mod imgutils;
pub mod log;
pub mod mathematics;
pub mod parse;
pub mod pixfmt;
pub mod rational;
pub mod samplefmt;
pub mod time;

pub use buffer::{Buffer, BufferPool};
pub use channel_layout::{Channel, ChannelLayout};
pub use color::{
    ChromaLocation, ColorPrimaries, ColorRange, ColorSpace, ColorTransfer, PictureType,
};
pub use dict::{DictFlags, Dictionary};
pub use error::{Error, Result};
pub use frame::{Frame, FrameKind, PlanesMut, VideoFramePool};
pub use log::LogLevel;
pub use mathematics::{Rnd, Rounding};
pub use pixfmt::{PixFmtDescriptor, PixelFormat};
pub use rational::Rational;
pub use samplefmt::SampleFormat;
pub use time::{TIME_BASE, TIME_BASE_Q};
