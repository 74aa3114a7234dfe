//! fastforward: a pure-Rust multimedia framework laid out like FFmpeg's libraries.
//!
//! This facade re-exports every layer and builds the default registries:
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
//! // The default registries know every codec and format of the workspace:
//! let codecs = fastforward::default::codecs();
//! assert!(codecs.find_decoder_by_name("pcm_s16le").is_some());
//! let formats = fastforward::default::formats();
//! assert!(formats.find_muxer("framemd5").is_ok());
//! ```
#![forbid(unsafe_code)]

pub use avcodec;
pub use avformat;
pub use avutil;
pub use looper;
pub use rtos_sync;
pub use swscale;

/// The default registries: every codec and format of the workspace (cf. FFmpeg's
/// `avcodec_register_all`/`av_register_all`, but as explicit values, not global state).
pub mod default {
    use avcodec::CodecRegistry;
    use avformat::FormatRegistry;

    /// Every decoder and encoder.
    pub fn codecs() -> CodecRegistry {
        CodecRegistry::builtin()
    }

    /// Every demuxer and muxer.
    pub fn formats() -> FormatRegistry {
        FormatRegistry::builtin()
    }
}
