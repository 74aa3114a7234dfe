//! The error type of `swscale` (cf. the `AVERROR(EINVAL)` returns of `sws_getContext`/`sws_scale`).

use avutil::PixelFormat;

/// Errors of the `swscale` layer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A size is zero or too large.
    #[error("invalid {what} dimensions {width}x{height}")]
    InvalidDimensions {
        /// `source` or `destination`.
        what: &'static str,
        /// Width in pixels.
        width: usize,
        /// Height in pixels.
        height: usize,
    },
    /// A pixel format cannot be read or written by this scaler.
    #[error("pixel format {format} is not supported as {what}")]
    UnsupportedFormat {
        /// The format.
        format: PixelFormat,
        /// `input` or `output`.
        what: &'static str,
    },
    /// A frame does not have the parameters the scaler was built for.
    #[error("{what} frame mismatch: expected {expected}, found {found}")]
    FrameMismatch {
        /// `source` or `destination`.
        what: &'static str,
        /// What the scaler was built for, e.g. `1920x1080 yuv420p`.
        expected: String,
        /// What the frame has.
        found: String,
    },
    /// A plane is missing, its stride is smaller than a line or its buffer too short.
    #[error("{what} plane {plane}: {reason} (needed {needed} bytes, have {available})")]
    BadPlane {
        /// `source` or `destination`.
        what: &'static str,
        /// Plane index.
        plane: usize,
        /// What is wrong.
        reason: &'static str,
        /// Bytes needed (line bytes for a stride problem, total for a length problem).
        needed: usize,
        /// Bytes present.
        available: usize,
    },
    /// A `-sws_flags` / `-sws_dither` string could not be parsed.
    #[error("invalid scaler flag '{text}': {reason}")]
    InvalidFlags {
        /// The offending token.
        text: String,
        /// What was wrong.
        reason: &'static str,
    },
    /// An argument is outside the accepted range.
    #[error("invalid argument: {what}")]
    InvalidArgument {
        /// What was wrong.
        what: &'static str,
    },
    /// Error of the layer below.
    #[error(transparent)]
    Avutil(#[from] avutil::Error),
}

/// `Result` with [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
