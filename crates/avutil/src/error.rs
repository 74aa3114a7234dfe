//! The error type of `avutil` (cf. the `AVERROR` codes of libavutil).

/// Errors of the `avutil` layer.
///
/// Parsing errors quote the text that could not be parsed; arithmetic errors
/// name the quantity that would have overflowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A rational number (`"30000/1001"`, `"16:9"`, `"29.97"`) could not be parsed.
    #[error("invalid rational '{text}': {reason}")]
    InvalidRational {
        /// The offending text.
        text: String,
        /// What was wrong with it.
        reason: &'static str,
    },
    /// A time specification (`"01:02.5"`, `"1500ms"`) could not be parsed.
    #[error("invalid time specification '{text}': {reason}")]
    InvalidTime {
        /// The offending text.
        text: String,
        /// What was wrong with it.
        reason: &'static str,
    },
    /// A video size (`"640x480"`, `"hd720"`) could not be parsed.
    #[error("invalid video size '{text}': {reason}")]
    InvalidVideoSize {
        /// The offending text.
        text: String,
        /// What was wrong with it.
        reason: &'static str,
    },
    /// A pixel format name is not known.
    #[error("unknown pixel format '{name}'")]
    UnknownPixelFormat {
        /// The name that was looked up.
        name: String,
    },
    /// A sample format name is not known.
    #[error("unknown sample format '{name}'")]
    UnknownSampleFormat {
        /// The name that was looked up.
        name: String,
    },
    /// A channel layout description could not be parsed.
    #[error("invalid channel layout '{text}': {reason}")]
    InvalidChannelLayout {
        /// The offending text.
        text: String,
        /// What was wrong with it.
        reason: &'static str,
    },
    /// A log level name is not known.
    #[error("invalid log level '{text}'")]
    InvalidLogLevel {
        /// The offending text.
        text: String,
    },
    /// Picture dimensions are zero, negative or too large.
    #[error("invalid picture dimensions {width}x{height}")]
    InvalidDimensions {
        /// Width in pixels.
        width: usize,
        /// Height in pixels.
        height: usize,
    },
    /// A computed size would overflow.
    #[error("size of {what} overflows")]
    Overflow {
        /// What was being computed.
        what: &'static str,
    },
    /// An argument is outside the range the operation accepts.
    #[error("invalid argument: {what}")]
    InvalidArgument {
        /// What was wrong.
        what: &'static str,
    },
    /// Two frames, planes or buffers do not match where they must.
    #[error("mismatch in {what}: expected {expected}, found {found}")]
    Mismatch {
        /// The property compared.
        what: &'static str,
        /// The expected value.
        expected: String,
        /// The value found.
        found: String,
    },
    /// A buffer is smaller than the operation needs.
    #[error("buffer too small for {what}: need {needed} bytes, have {available}")]
    BufferTooSmall {
        /// What the buffer was meant to hold.
        what: &'static str,
        /// Bytes needed.
        needed: usize,
        /// Bytes available.
        available: usize,
    },
}

/// `Result` with [`Error`] of `avutil`.
pub type Result<T, E = Error> = std::result::Result<T, E>;
