//! `avformat`: byte I/O, probing, the demuxer and muxer traits, input and
//! output contexts, and the formats (cf. libavformat).
//!
//! ```
//! use avformat::{FormatRegistry, OutputContext};
//! let formats = FormatRegistry::builtin();
//! // The muxer is guessed from the name, as av_guess_format does:
//! assert_eq!(formats.guess_format(Some("framemd5"), None, None).map(|m| m.name), Some("framemd5"));
//! let out = OutputContext::create("-", &formats, Some("md5")).unwrap();
//! assert_eq!(out.format().name, "md5");
//! ```
#![forbid(unsafe_code)]

/// How fastforward identifies itself in files it writes (`encoder` tags,
/// `#software` lines) unless bitexact output is requested; FFmpeg writes `Lavf59.27.100` there.
pub const SOFTWARE: &str = concat!("fastforward ", env!("CARGO_PKG_VERSION"));

pub mod demux;
pub mod dump;
pub mod error;
pub mod formats;
pub mod fuzzing;
pub mod input;
pub mod io;
pub mod mux;
pub mod output;
mod parse;
pub mod probe;
pub mod registry;
pub mod seek;
pub mod stream;

pub use demux::{DemuxState, Demuxer, FormatOptions, SeekFlags, SeekTarget};
pub use error::{Error, Result};
pub use input::{InputContext, InputOptions};
pub use io::{IoReader, IoWriter};
pub use mux::{MuxState, Muxer};
pub use output::OutputContext;
pub use registry::{DemuxerInfo, FormatRegistry, MuxerInfo};
pub use stream::{Disposition, Stream};
