//! Input format detection with FFmpeg's scores (cf. `av_probe_input_format3`,
//! `av_probe_input_buffer2`).
//!
//! Each demuxer scores a prefix of the input from 0 to [`SCORE_MAX`]. A file
//! name extension the demuxer lists is worth [`SCORE_EXTENSION`] for
//! demuxers that cannot look at content, and 1 for those that can (so that
//! a content match always wins); a matching MIME type is worth
//! [`SCORE_MIME`]. The probe buffer starts at 2 KiB and doubles up to 1 MiB
//! until a score above [`SCORE_RETRY`] is reached.

use crate::registry::DemuxerInfo;

/// Certain detection.
pub const SCORE_MAX: u32 = 100;
/// Score of a MIME type match.
pub const SCORE_MIME: u32 = 75;
/// Score of a file name extension match.
pub const SCORE_EXTENSION: u32 = 50;
/// Scores at or below this make the prober read more data.
pub const SCORE_RETRY: u32 = 25;
/// First probe buffer size.
pub const PROBE_MIN: usize = 2048;
/// Largest probe buffer size.
pub const PROBE_MAX: usize = 1 << 20;

/// What a demuxer's probe function sees (cf. `AVProbeData`).
#[derive(Debug, Clone, Copy)]
pub struct ProbeData<'a> {
    /// The input's name (for extensions).
    pub filename: &'a str,
    /// The first bytes of the input.
    pub buf: &'a [u8],
    /// MIME type, if the protocol gave one.
    pub mime_type: Option<&'a str>,
}

/// True when `filename` ends in one of the comma-separated `extensions` (cf. `av_match_ext`).
pub fn match_extension(filename: &str, extensions: &str) -> bool {
    let Some((_, ext)) = filename.rsplit_once('.') else {
        return false;
    };
    if ext.contains('/') {
        return false;
    }
    extensions
        .split(',')
        .any(|e| !e.is_empty() && e.eq_ignore_ascii_case(ext))
}

/// Scores one demuxer on `pd`.
pub fn score(info: &DemuxerInfo, pd: &ProbeData<'_>) -> u32 {
    let mut score = match info.probe {
        Some(probe) => {
            let s = probe(pd).min(SCORE_MAX);
            if !info.extensions.is_empty() && match_extension(pd.filename, info.extensions) {
                s.max(1)
            } else {
                s
            }
        }
        None if !info.extensions.is_empty() && match_extension(pd.filename, info.extensions) => {
            SCORE_EXTENSION
        }
        None => 0,
    };
    if let Some(m) = pd.mime_type
        && !info.mime_types.is_empty()
        && info.mime_types.split(',').any(|t| t == m)
    {
        score = score.max(SCORE_MIME);
    }
    score
}

/// The best demuxer for `pd` and its score; `None` on a tie or when nothing scores.
pub fn probe<'r>(
    demuxers: &'r [DemuxerInfo],
    pd: &ProbeData<'_>,
) -> Option<(&'r DemuxerInfo, u32)> {
    let mut best: Option<(&DemuxerInfo, u32)> = None;
    let mut tie = false;
    for d in demuxers.iter().filter(|d| !d.flags.no_file) {
        let s = score(d, pd);
        if s == 0 {
            continue;
        }
        match best {
            Some((_, b)) if s < b => {}
            Some((_, b)) if s == b => tie = true,
            _ => {
                best = Some((d, s));
                tie = false;
            }
        }
    }
    if tie { None } else { best }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions() {
        assert!(match_extension("a/b.WAV", "wav"));
        assert!(match_extension("x.yuv", "yuv,cif,qcif"));
        assert!(!match_extension("wav", "wav"));
        assert!(!match_extension("dir.wav/file", "wav"));
        assert!(!match_extension("x.wav", ""));
    }
}
