//! Format registries (cf. `av_find_input_format`, `av_guess_format`).
//! Explicit values: the facade builds the default one; users may build their own.

use std::fmt::Write;

use avcodec::CodecId;

use crate::demux::Demuxer;
use crate::error::{Error, Result};
use crate::mux::Muxer;
use crate::probe::{ProbeData, match_extension};

/// Demuxer properties (cf. `AVFMT_NOFILE` and friends).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DemuxFlags {
    /// The "file name" is not a file (e.g. `lavfi` source descriptions): never probed.
    pub no_file: bool,
    /// The container stores no timestamps; the demuxer derives them (raw elementary
    /// streams, cf. `AVFMT_NOTIMESTAMPS`): stream start times stay unknown, as in FFmpeg.
    pub generated_timestamps: bool,
    /// Stream durations are estimated from the timestamps near the end of
    /// the input (cf. the MPEG special case of `estimate_timings`).
    pub duration_from_pts: bool,
    /// Streams appear while packets are read (cf. `AVFMTCTX_NOHEADER`):
    /// opening reads ahead until every stream found is described.
    pub no_header: bool,
    /// Timestamps may jump (cf. `AVFMT_TS_DISCONT`, MPEG program and transport
    /// streams): ffmpeg-style tools correct the jumps on the fly.
    pub ts_discont: bool,
}

/// A registered demuxer.
#[derive(Debug, Clone, Copy)]
pub struct DemuxerInfo {
    /// Short name (`wav`).
    pub name: &'static str,
    /// Long name.
    pub long_name: &'static str,
    /// Comma-separated extensions.
    pub extensions: &'static str,
    /// Comma-separated MIME types.
    pub mime_types: &'static str,
    /// Properties.
    pub flags: DemuxFlags,
    /// Content scorer, if the format can be recognised by content.
    pub probe: Option<fn(&ProbeData<'_>) -> u32>,
    /// Constructor.
    pub create: fn() -> Box<dyn Demuxer>,
}

/// Muxer properties (cf. `AVFMT_NOFILE`, `AVFMT_NOTIMESTAMPS`, `AVFMT_VARIABLE_FPS`,
/// `AVFMT_TS_NONSTRICT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MuxFlags {
    /// Writes no file (the `null` muxer).
    pub no_file: bool,
    /// Stores no timestamps (raw formats): timestamps are not checked.
    pub no_timestamps: bool,
    /// Accepts variable frame rate.
    pub variable_fps: bool,
    /// Equal successive dts are allowed (cf. `AVFMT_TS_NONSTRICT`): a tool that
    /// repairs decreasing dts raises them to the last one, not one past it.
    pub ts_nonstrict: bool,
}

/// A registered muxer.
#[derive(Debug, Clone, Copy)]
pub struct MuxerInfo {
    /// Short name.
    pub name: &'static str,
    /// Long name.
    pub long_name: &'static str,
    /// Comma-separated extensions.
    pub extensions: &'static str,
    /// Comma-separated MIME types.
    pub mime_types: &'static str,
    /// Codec for video streams when the user picks none.
    pub default_video: Option<CodecId>,
    /// Codec for audio streams when the user picks none.
    pub default_audio: Option<CodecId>,
    /// Properties.
    pub flags: MuxFlags,
    /// Whether the format can store the codec (cf. `avformat_query_codec`).
    pub supports: fn(CodecId) -> bool,
    /// Constructor.
    pub create: fn() -> Box<dyn Muxer>,
}

/// For muxers that take any codec.
pub fn any_codec(_: CodecId) -> bool {
    true
}

/// A set of demuxers and muxers.
#[derive(Debug, Clone, Default)]
pub struct FormatRegistry {
    demuxers: Vec<DemuxerInfo>,
    muxers: Vec<MuxerInfo>,
}

impl FormatRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every format implemented in this crate.
    pub fn builtin() -> Self {
        let mut r = Self::new();
        for d in crate::formats::demuxers() {
            r.register_demuxer(d);
        }
        for m in crate::formats::muxers() {
            r.register_muxer(m);
        }
        r
    }

    /// Adds a demuxer (replacing one of the same name).
    pub fn register_demuxer(&mut self, d: DemuxerInfo) {
        self.demuxers.retain(|x| x.name != d.name);
        self.demuxers.push(d);
    }

    /// Adds a muxer (replacing one of the same name).
    pub fn register_muxer(&mut self, m: MuxerInfo) {
        self.muxers.retain(|x| x.name != m.name);
        self.muxers.push(m);
    }

    /// Registered demuxers.
    pub fn demuxers(&self) -> &[DemuxerInfo] {
        &self.demuxers
    }

    /// Registered muxers.
    pub fn muxers(&self) -> &[MuxerInfo] {
        &self.muxers
    }

    /// The demuxer called `name` (cf. `av_find_input_format`).
    pub fn find_demuxer(&self, name: &str) -> Result<&DemuxerInfo> {
        self.demuxers
            .iter()
            .find(|d| d.name == name)
            .ok_or_else(|| Error::UnknownFormat {
                name: name.to_owned(),
            })
    }

    /// The muxer called `name`.
    pub fn find_muxer(&self, name: &str) -> Result<&MuxerInfo> {
        self.muxers
            .iter()
            .find(|m| m.name == name)
            .ok_or_else(|| Error::UnknownFormat {
                name: name.to_owned(),
            })
    }

    /// Picks a muxer by name, file name extension and MIME type as `av_guess_format` does:
    /// a name match scores 100, a MIME match 10, an extension match 5; the first best wins.
    pub fn guess_format(
        &self,
        short_name: Option<&str>,
        filename: Option<&str>,
        mime: Option<&str>,
    ) -> Option<&MuxerInfo> {
        let mut best: Option<(&MuxerInfo, u32)> = None;
        for m in &self.muxers {
            let mut score = 0;
            if short_name == Some(m.name) {
                score += 100;
            }
            if let Some(mt) = mime
                && !m.mime_types.is_empty()
                && m.mime_types.split(',').any(|t| t == mt)
            {
                score += 10;
            }
            if let Some(f) = filename
                && !m.extensions.is_empty()
                && match_extension(f, m.extensions)
            {
                score += 5;
            }
            if score > best.map_or(0, |b| b.1) {
                best = Some((m, score));
            }
        }
        best.map(|b| b.0)
    }

    /// The `ffmpeg -formats` listing.
    pub fn list_formats(&self) -> String {
        let mut names: Vec<(&str, &str, bool, bool)> = Vec::new();
        for d in &self.demuxers {
            names.push((d.name, d.long_name, true, false));
        }
        for m in &self.muxers {
            match names.iter_mut().find(|n| n.0 == m.name) {
                Some(n) => n.3 = true,
                None => names.push((m.name, m.long_name, false, true)),
            }
        }
        names.sort_by_key(|n| n.0);
        let mut s =
            String::from("File formats:\n D. = Demuxing supported\n .E = Muxing supported\n --");
        for (name, long, d, e) in names {
            let _ = write!(
                s,
                "\n {}{} {:<15} {}",
                if d { 'D' } else { ' ' },
                if e { 'E' } else { ' ' },
                name,
                long
            );
        }
        s
    }
}
