//! `avutil`: the foundation layer of fastforward (cf. libavutil).
//!
//! Everything the other layers share: exact [`Rational`] arithmetic and
//! timestamp rescaling ([`mathematics`]), time parsing and printing
//! ([`time`]), refcounted [`Buffer`]s with padding and pools, ordered
//! [`Dictionary`] metadata, pixel formats with descriptors ([`PixelFormat`])
//! and image layout helpers ([`imgutils`]).
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
pub mod dict;
pub mod error;
pub mod mathematics;
pub mod pixfmt;
pub mod rational;
pub mod time;

pub use buffer::{Buffer, BufferPool};
pub use dict::{DictFlags, Dictionary};
pub use error::{Error, Result};
pub use mathematics::{Rnd, Rounding};
pub use pixfmt::{PixFmtDescriptor, PixelFormat};
pub use rational::Rational;
