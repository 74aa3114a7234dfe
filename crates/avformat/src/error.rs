//! The error type of `avformat`.

/// Errors of the format layer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An error of `avutil`.
    #[error(transparent)]
    Util(#[from] avutil::Error),
    /// An error of `avcodec`.
    #[error(transparent)]
    Codec(#[from] avcodec::Error),
    /// An I/O error on `url`.
    #[error("{url}: {source}")]
    Io {
        /// The file, pipe or memory buffer.
        url: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// No demuxer recognised the input.
    #[error("{url}: Invalid data found when processing input (no format recognised it)")]
    UnknownInputFormat {
        /// The input.
        url: String,
    },
    /// A format name is not known.
    #[error("Unknown input or output format: {name}")]
    UnknownFormat {
        /// The name.
        name: String,
    },
    /// No muxer could be chosen for an output.
    #[error(
        "Unable to choose an output format for '{url}'; use a standard extension for the filename or specify the format manually."
    )]
    NoOutputFormat {
        /// The output.
        url: String,
    },
    /// The input is malformed.
    #[error("{format}: invalid data at offset {offset}: {reason}")]
    InvalidData {
        /// The format.
        format: &'static str,
        /// Byte offset where the problem was found.
        offset: u64,
        /// What was wrong.
        reason: String,
    },
    /// The input ended in the middle of a structure.
    #[error("{format}: unexpected end of input at offset {offset} while reading {what}")]
    Truncated {
        /// The format.
        format: &'static str,
        /// Byte offset.
        offset: u64,
        /// What was being read.
        what: &'static str,
    },
    /// A header field exceeds a limit (guards allocations sized by untrusted data).
    #[error("{format}: {what} of {value} exceeds the limit of {limit}")]
    LimitExceeded {
        /// The format.
        format: &'static str,
        /// The field.
        what: &'static str,
        /// Its value.
        value: u64,
        /// The limit.
        limit: u64,
    },
    /// A required option or parameter is missing or invalid.
    #[error("{format}: {what}")]
    InvalidOption {
        /// The format.
        format: &'static str,
        /// What is wrong.
        what: String,
    },
    /// The format cannot store a stream or packet.
    #[error("{format}: stream #{stream}: {what}")]
    Unsupported {
        /// The format.
        format: &'static str,
        /// The stream index.
        stream: usize,
        /// What is not supported.
        what: String,
    },
    /// Writing a packet failed; names the stream and packet.
    #[error("error writing packet {packet} of stream #{stream} (dts {dts}): {source}")]
    WritePacket {
        /// The stream index.
        stream: usize,
        /// Index of the packet within its stream.
        packet: u64,
        /// Its dts, or `N/A`.
        dts: String,
        /// The underlying error.
        source: Box<Error>,
    },
    /// The input cannot seek there (or at all).
    #[error("{url}: cannot seek: {reason}")]
    Seek {
        /// The input.
        url: String,
        /// Why.
        reason: String,
    },
    /// The API was used out of order (e.g. a packet before the header).
    #[error("invalid call: {what}")]
    InvalidState {
        /// What was done wrong.
        what: &'static str,
    },
}

/// `Result` with [`Error`] of `avformat`.
pub type Result<T, E = Error> = std::result::Result<T, E>;
