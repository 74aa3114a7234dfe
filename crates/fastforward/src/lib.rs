//! fastforward: a pure-Rust multimedia framework laid out like FFmpeg's libraries.
//!
//! This facade re-exports every layer:
//!
//! ```text
//!  tools:   ffw (ffmpeg-like)   ffwprobe (ffprobe-like)
//!  L3       fastforward  (this facade: re-exports, default registries)
//!  L2       avformat     (byte I/O, probing, demuxers, muxers)
//!  L1       avcodec  swscale  looper
//!  L0       avutil   rtos-sync
//! ```
//!
//! Dependencies point strictly down; `just layering` enforces it.
//!
//! ```
//! use fastforward::avutil::{Rational, PixelFormat};
//! let fmt: PixelFormat = "yuv420p".parse().unwrap();
//! assert_eq!(fmt.descriptor().bits_per_pixel(), 12);
//! assert_eq!(Rational::new(1, 25).invert(), Rational::new(25, 1));
//! ```
#![forbid(unsafe_code)]

pub use avcodec;
pub use avformat;
pub use avutil;
pub use looper;
pub use rtos_sync;
pub use swscale;
