//! Streams of a container (cf. `AVStream`).

use avcodec::CodecParameters;
use avutil::{Dictionary, Rational};

/// Stream disposition flags (cf. `AV_DISPOSITION_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
#[non_exhaustive]
pub struct Disposition {
    /// The default stream of its type.
    pub default: bool,
    /// A dub.
    pub dub: bool,
    /// The original language.
    pub original: bool,
    /// A commentary track.
    pub comment: bool,
    /// An attached picture (cover art).
    pub attached_pic: bool,
}

/// One stream of a container (cf. `AVStream`).
#[derive(Debug, Clone, PartialEq)]
pub struct Stream {
    /// Index in the container.
    pub index: usize,
    /// Container-specific id (MPEG-PS stream id, track number...), 0 if none.
    pub id: i32,
    /// What the stream carries.
    pub params: CodecParameters,
    /// Time base of the stream's timestamps.
    pub time_base: Rational,
    /// Presentation time of the first frame, in `time_base`.
    pub start_time: Option<i64>,
    /// Duration, in `time_base`.
    pub duration: Option<i64>,
    /// Number of frames, if known.
    pub nb_frames: Option<u64>,
    /// Average frame rate (`0/0` unknown).
    pub avg_frame_rate: Rational,
    /// Real base frame rate: the lowest rate representing all timestamps exactly (`0/0` unknown).
    pub r_frame_rate: Rational,
    /// Sample aspect ratio as the container states it (`0/1` unknown).
    pub sample_aspect_ratio: Rational,
    /// Metadata.
    pub metadata: Dictionary,
    /// Disposition.
    pub disposition: Disposition,
    /// The demuxer's packets do not follow frame boundaries: the input
    /// context splits them with the codec's parser and completes their
    /// timestamps (cf. `AVSTREAM_PARSE_FULL`).
    pub need_parsing: bool,
}

impl Stream {
    /// A stream carrying `params` with timestamps in `time_base`.
    pub fn new(index: usize, params: CodecParameters, time_base: Rational) -> Self {
        Stream {
            index,
            id: 0,
            params,
            time_base,
            start_time: None,
            duration: None,
            nb_frames: None,
            avg_frame_rate: Rational::UNDEFINED,
            r_frame_rate: Rational::UNDEFINED,
            sample_aspect_ratio: Rational::new(0, 1),
            metadata: Dictionary::new(),
            disposition: Disposition::default(),
            need_parsing: false,
        }
    }
}
