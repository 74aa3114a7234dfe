//! The demuxer trait (cf. `AVInputFormat`'s callbacks).

use avcodec::Packet;
use avutil::{ChannelLayout, Dictionary, PixelFormat, Rational};

use crate::error::{Error, Result};
use crate::io::IoReader;
use crate::stream::Stream;

/// Options for opening an input (cf. the options dictionary of `avformat_open_input`).
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct FormatOptions {
    /// Sample rate for headerless audio (`-ar`).
    pub sample_rate: Option<u32>,
    /// Channel count for headerless audio (`-ac`).
    pub channels: Option<u32>,
    /// Channel layout for headerless audio (`-ch_layout`).
    pub ch_layout: Option<ChannelLayout>,
    /// Picture size for headerless video (`-video_size`, `-s`).
    pub video_size: Option<(usize, usize)>,
    /// Pixel format for headerless video (`-pix_fmt`).
    pub pix_fmt: Option<PixelFormat>,
    /// Frame rate for headerless video (`-framerate`, `-r`).
    pub framerate: Option<Rational>,
    /// Format-private options by name; a demuxer rejects those it does not know.
    pub private: Dictionary,
}

/// What a demuxer fills in: the streams and container-level information.
#[derive(Debug, Clone, Default)]
pub struct DemuxState {
    /// The input's name (for `lavfi`, the source description).
    pub url: String,
    /// The streams found so far.
    pub streams: Vec<Stream>,
    /// Container metadata.
    pub metadata: Dictionary,
    /// Duration in microseconds if the container states it.
    pub duration: Option<i64>,
    /// Start time in microseconds if the container states it.
    pub start_time: Option<i64>,
    /// Total bit rate if the container states it.
    pub bit_rate: Option<u64>,
    /// Options given at opening.
    pub options: FormatOptions,
}

impl DemuxState {
    /// Adds a stream and returns its index.
    pub fn add_stream(&mut self, params: avcodec::CodecParameters, time_base: Rational) -> usize {
        let i = self.streams.len();
        self.streams.push(Stream::new(i, params, time_base));
        i
    }
}

/// How [`Demuxer::seek`] may land (cf. `AVSEEK_FLAG_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct SeekFlags {
    /// Land at or before the target (else at or after).
    pub backward: bool,
    /// Land on any frame, not only key frames.
    pub any: bool,
    /// The target is a byte position.
    pub byte: bool,
    /// The target is a frame number.
    pub frame: bool,
}

/// A seek request in a stream's time base (or bytes/frames per [`SeekFlags`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeekTarget {
    /// The stream whose time base `ts` is in.
    pub stream: usize,
    /// The target.
    pub ts: i64,
    /// Flags.
    pub flags: SeekFlags,
}

/// A demuxer (cf. `AVInputFormat`).
pub trait Demuxer: Send {
    /// Reads the header: creates the streams and fills `state`.
    fn read_header(&mut self, io: &mut IoReader, state: &mut DemuxState) -> Result<()>;
    /// The next packet, `Ok(None)` at end of input.
    fn read_packet(&mut self, io: &mut IoReader, state: &mut DemuxState) -> Result<Option<Packet>>;
    /// Moves so that the next packet is at `target`; returns where it landed, in the target stream's time base.
    fn seek(
        &mut self,
        io: &mut IoReader,
        state: &mut DemuxState,
        target: SeekTarget,
    ) -> Result<i64> {
        let _ = (state, target);
        Err(Error::Seek {
            url: io.url().to_owned(),
            reason: "the format does not support seeking".into(),
        })
    }
}

/// Rejects format-private options a demuxer or muxer does not know.
pub fn reject_private_options(format: &'static str, private: &Dictionary) -> Result<()> {
    match private.iter().next() {
        Some((k, _)) => Err(Error::InvalidOption {
            format,
            what: format!("unknown option '{k}'"),
        }),
        None => Ok(()),
    }
}
