//! The error type of `avcodec`.

use crate::codec_id::CodecId;

/// Errors of the codec layer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An error of the layer below.
    #[error(transparent)]
    Util(#[from] avutil::Error),
    /// A codec name is not known at all.
    #[error("unknown codec '{name}'")]
    UnknownCodec {
        /// The name looked up.
        name: String,
    },
    /// No decoder is registered for the codec.
    #[error("decoder '{name}' not found")]
    DecoderNotFound {
        /// Codec or decoder name.
        name: String,
    },
    /// No encoder is registered for the codec.
    #[error("encoder '{name}' not found")]
    EncoderNotFound {
        /// Codec or encoder name.
        name: String,
    },
    /// The codec parameters lack something the codec needs.
    #[error("{codec}: missing or invalid parameter: {what}")]
    InvalidParameters {
        /// The codec.
        codec: CodecId,
        /// What is missing or wrong.
        what: String,
    },
    /// The bitstream is invalid.
    #[error("{codec}: invalid data: {reason}")]
    InvalidData {
        /// The codec.
        codec: CodecId,
        /// What was wrong.
        reason: String,
    },
    /// A frame does not match what the encoder was opened with.
    #[error("{codec}: frame mismatch in {what}: encoder expects {expected}, frame has {found}")]
    FrameMismatch {
        /// The codec.
        codec: CodecId,
        /// The property compared.
        what: &'static str,
        /// Expected value.
        expected: String,
        /// Value found.
        found: String,
    },
    /// A codec option is not known to the codec.
    #[error("{codec}: unknown option '{option}'")]
    UnknownOption {
        /// The codec (encoder or decoder name).
        codec: String,
        /// The option.
        option: String,
    },
    /// A codec option has an invalid value.
    #[error("{codec}: invalid value '{value}' for option '{option}'")]
    InvalidOption {
        /// The codec (encoder or decoder name).
        codec: String,
        /// The option.
        option: String,
        /// The value.
        value: String,
    },
    /// The send/receive protocol was violated (e.g. sending after end of stream).
    #[error("invalid call: {what}")]
    InvalidState {
        /// What was done wrong.
        what: &'static str,
    },
}

/// `Result` with [`Error`] of `avcodec`.
pub type Result<T, E = Error> = std::result::Result<T, E>;
