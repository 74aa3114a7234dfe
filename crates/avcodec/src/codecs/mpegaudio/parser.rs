//! The MPEG audio (Layers I-III, ISO/IEC 11172-3 and 13818-3) elementary
//! stream parser: cuts the stream into frames (cf. FFmpeg's
//! `mpegaudio_parser.c`). It implements [`Parser`]: drive it with a
//! [`crate::parser::ParserContext`].
//!
//! A frame ends `frame_size` bytes after its header; bytes skipped to find a
//! header stay with the frame they precede, so that concatenating the frames
//! gives back the input, as FFmpeg's parser does ([`FrameInfo::header_offset`]
//! says where the header is). Stream parameters and the frame duration are
//! only trusted once enough consistent headers were seen. At the end of the
//! stream, the bytes left over form a last frame claimed by the first header
//! in them, or are dropped if they hold none and are an ID3v1 tag.
//!
//! Free-format frames (bit rate index 0): FFmpeg's parser treats their
//! headers as junk, and so does [`MpaParser::new`]; with
//! [`MpaParser::free_format`] such a frame is delimited by the next header
//! with the same fixed fields within [`MAX_FREE_FORMAT`] bytes (a header
//! without one is junk), as the `mp3` demuxer does.
//!
//! ```
//! use avcodec::codecs::mpegaudio::parser::MpaParser;
//! use avcodec::parser::ParserContext;
//! use avcodec::{CodecId, CodecParameters};
//! // Junk, then three 48 kHz 192 kbit/s Layer II frames of 576 bytes.
//! let mut s = vec![1, 2, 3];
//! for _ in 0..3 {
//!     let mut f = 0xfffd_a404u32.to_be_bytes().to_vec();
//!     f.resize(576, 0x55);
//!     s.extend(f);
//! }
//! let mut ctx = ParserContext::new(Box::new(MpaParser::new(CodecId::Mp2)));
//! let mut params = CodecParameters::new(CodecId::Mp2);
//! let mut frames = ctx.parse(&s, None, None, Some(0), &mut params);
//! frames.extend(ctx.flush(&mut params));
//! let got: Vec<_> = frames.iter().map(|f| (f.data.len(), f.offset, f.info.header_offset)).collect();
//! assert_eq!(got, [(579, 0, Some(3)), (576, 579, Some(0)), (576, 1155, Some(0))]);
//! // Parameters are trusted from the third consistent header after junk on.
//! assert_eq!((params.sample_rate, params.bit_rate), (48000, Some(192_000)));
//! ```

use avutil::ChannelLayout;

use super::header::{HEADER_SIZE, Header, SAME_HEADER_MASK};
use crate::codec_id::CodecId;
use crate::params::CodecParameters;
use crate::parser::{FrameInfo, Parser, Scan};

/// Largest free-format frame searched for (a 640 kbit/s Layer II frame at 32 kHz is 2880 bytes).
pub const MAX_FREE_FORMAT: usize = 4096;
/// Size of an ID3v1 tag.
pub const ID3V1_SIZE: usize = 128;

/// The codec of a header's layer.
fn layer_codec(h: &Header) -> CodecId {
    match h.layer {
        1 => CodecId::Mp1,
        2 => CodecId::Mp2,
        _ => CodecId::Mp3,
    }
}

/// The parser (cf. FFmpeg's `mpegaudio` parser).
#[derive(Debug, Clone)]
pub struct MpaParser {
    /// Delimit free-format frames (see the module documentation).
    free_format: bool,
    /// The codec the stream is believed to be (a different layer needs two
    /// headers to switch, cf. `header_threshold`).
    codec: CodecId,
    /// The last four bytes scanned while searching a header.
    state: u32,
    /// Bytes of the current fixed-size frame still to come.
    remaining: usize,
    /// Bytes of the current frame scanned so far.
    frame_pos: usize,
    /// Offset of the current frame's header in the frame.
    header_at: Option<usize>,
    /// A free-format frame whose end is searched: its bytes from its header on.
    free: Option<Vec<u8>>,
    /// Bytes just before the next data to scan again first (the start of a
    /// frame ending before the data, or bytes after a false free-format sync).
    replay: Vec<u8>,
    /// Header offset of the frame whose end was just reported.
    ended: Option<Option<usize>>,
    /// Last valid header (cf. `MpegAudioParseContext.header`).
    header: u32,
    header_count: i32,
    /// Duration of frames in samples, latched from the last trusted header.
    duration: u32,
    /// Parameters to publish with the next frame.
    publish: Option<Header>,
    publish_count: i32,
    bit_rate_from_headers: bool,
}

impl MpaParser {
    /// A parser with FFmpeg's behaviour for a stream the container calls `codec`.
    pub fn new(codec: CodecId) -> Self {
        MpaParser {
            free_format: false,
            codec,
            state: 0,
            remaining: 0,
            frame_pos: 0,
            header_at: None,
            free: None,
            replay: Vec::new(),
            ended: None,
            header: 0,
            header_count: 0,
            duration: 0,
            publish: None,
            publish_count: 0,
            bit_rate_from_headers: false,
        }
    }

    /// Delimits free-format frames by the next matching header (off by
    /// default, as in FFmpeg).
    pub fn free_format(mut self, on: bool) -> Self {
        self.free_format = on;
        self
    }

    /// Offset of the first header in `rest`, the bytes left at the end of the
    /// stream: the header that claims them (a free-format header found false
    /// before is taken, as nothing follows to contradict it).
    fn first_header(&self, rest: &[u8]) -> Option<usize> {
        (0..rest.len().saturating_sub(HEADER_SIZE - 1)).find(|&i| {
            Header::parse_bytes(&rest[i..])
                .is_some_and(|h| self.free_format || h.frame_size().is_some())
        })
    }

    /// A header was found in the 4 bytes just scanned (FFmpeg's bookkeeping).
    fn found_header(&mut self, h: &Header, size: usize) {
        let codec = layer_codec(h);
        let threshold = i32::from(self.codec != codec);
        if self.header != 0 && h.raw & SAME_HEADER_MASK != self.header & SAME_HEADER_MASK {
            self.header_count = -3;
        }
        self.header = h.raw;
        self.header_count += 1;
        self.remaining = size.saturating_sub(HEADER_SIZE);
        if self.header_count > threshold {
            self.duration = h.samples_per_frame();
            self.codec = codec;
            self.publish = Some(*h);
            self.publish_count = self.header_count - threshold;
        }
    }

    /// Reports the end of the current frame at `end` (relative to `data`),
    /// the next frame starting there; `j` is the scan position, `neg` the
    /// bytes before `data` that this call scanned.
    fn end_at(&mut self, end: isize, j: isize, neg: &[u8]) -> Scan {
        // Bytes before the data that belong to the next frame are scanned again.
        let mut replay = Vec::new();
        for off in end.min(0)..0 {
            replay.push(if off >= j {
                neg[(neg.len() as isize + off) as usize]
            } else {
                // Only a free-format frame ends before the scan position:
                // its buffer holds those bytes.
                let buf = self.free.as_deref().unwrap_or_default();
                buf[(buf.len() as isize - (j - off)) as usize]
            });
        }
        self.replay = replay;
        self.ended = Some(self.header_at);
        self.state = 0;
        self.remaining = 0;
        self.frame_pos = 0;
        self.header_at = None;
        self.free = None;
        Scan {
            end: Some(end),
            anchor: None,
        }
    }
}

impl Parser for MpaParser {
    fn find_frame_end(&mut self, data: &[u8]) -> Scan {
        let mut neg = std::mem::take(&mut self.replay);
        let len = data.len() as isize;
        let mut j = -(neg.len() as isize);
        // Bytes scanned in this call (FFmpeg's `i`).
        let mut scanned = 0usize;
        while j < len {
            if self.remaining > 0 {
                let avail = if j < 0 { -j } else { len - j } as usize;
                let inc = avail.min(self.remaining);
                j += inc as isize;
                scanned += inc;
                self.frame_pos += inc;
                self.remaining -= inc;
                self.state = 0;
                if self.remaining == 0 {
                    return self.end_at(j, j, &neg);
                }
                continue;
            }
            let b = crate::parser::replayed_byte(&neg, data, j);
            j += 1;
            scanned += 1;
            self.frame_pos += 1;
            if let Some(buf) = &mut self.free {
                buf.push(b);
                let l = buf.len();
                let raw = u32::from_be_bytes([buf[0], buf[1], buf[2], buf[3]]);
                let next = if l >= 2 * HEADER_SIZE {
                    Header::parse_bytes(&buf[l - HEADER_SIZE..])
                } else {
                    None
                };
                if next.is_some_and(|n| {
                    n.raw & SAME_HEADER_MASK == raw & SAME_HEADER_MASK && n.bitrate_index == 0
                }) {
                    return self.end_at(j - HEADER_SIZE as isize, j, &neg);
                }
                if l >= MAX_FREE_FORMAT {
                    // No next header: a false sync. Scan again from the byte after it.
                    let start = j - (l as isize - 1);
                    let again = (start.min(0)..0)
                        .map(|off| {
                            if off >= j {
                                neg[(neg.len() as isize + off) as usize]
                            } else {
                                buf[(l as isize - (j - off)) as usize]
                            }
                        })
                        .collect();
                    neg = again;
                    self.frame_pos -= l - 1;
                    self.header_at = None;
                    self.free = None;
                    self.state = 0;
                    j = start;
                }
                continue;
            }
            self.state = (self.state << 8) | u32::from(b);
            let header = Header::parse(self.state);
            if let Some((h, size)) = header.and_then(|h| Some((h, h.frame_size()?))) {
                self.header_at = Some(self.frame_pos - HEADER_SIZE);
                self.found_header(&h, size);
                continue;
            }
            // FFmpeg's parser counts free-format headers as junk too.
            if scanned > HEADER_SIZE {
                self.header_count = -2;
            }
            if self.free_format
                && let Some(h) = header
            {
                self.header_at = Some(self.frame_pos - HEADER_SIZE);
                self.free = Some(h.raw.to_be_bytes().to_vec());
            }
        }
        Scan {
            end: None,
            anchor: None,
        }
    }

    fn frame_info(&mut self, frame: &[u8], params: &mut CodecParameters) -> FrameInfo {
        // A frame whose end was found, or the bytes left at the end of the stream.
        let header_offset = match self.ended.take() {
            Some(at) => at,
            None => self.first_header(frame),
        };
        if let Some(h) = self.publish.take() {
            params.sample_rate = h.sample_rate;
            params.ch_layout = Some(if h.channels() == 1 {
                ChannelLayout::MONO
            } else {
                ChannelLayout::STEREO
            });
            params.codec_id = layer_codec(&h);
            if params.frame_size == 0 {
                params.frame_size = h.samples_per_frame();
            }
            if self.bit_rate_from_headers || params.bit_rate.unwrap_or(0) == 0 {
                self.bit_rate_from_headers = true;
                let cur = params.bit_rate.map_or(0, |b| b as i64);
                let n = i64::from(self.publish_count.max(1));
                let v = cur + (i64::from(h.bit_rate()) - cur) / n;
                params.bit_rate = u64::try_from(v).ok();
            }
        }
        FrameInfo {
            duration: self.duration,
            key: Some(true),
            header_offset,
            ..FrameInfo::default()
        }
    }

    fn reset(&mut self) {
        *self = MpaParser {
            bit_rate_from_headers: self.bit_rate_from_headers,
            ..MpaParser::new(self.codec).free_format(self.free_format)
        };
    }

    /// Drops left-over bytes without a frame header that are an ID3v1 tag.
    fn discard_at_end(&mut self, rest: &[u8]) -> bool {
        rest.len() >= ID3V1_SIZE && rest.starts_with(b"TAG") && self.first_header(rest).is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser::{ParsedFrame, ParserContext};

    fn frame(h: u32, size: usize, fill: u8) -> Vec<u8> {
        let mut v = h.to_be_bytes().to_vec();
        v.resize(size, fill);
        v
    }

    /// The frames of `s` fed in chunks of `step` bytes.
    fn split(s: &[u8], step: usize, free: bool) -> Vec<ParsedFrame> {
        let mut ctx = ParserContext::new(Box::new(MpaParser::new(CodecId::Mp2).free_format(free)));
        let mut p = CodecParameters::new(CodecId::Mp2);
        let mut out = Vec::new();
        for (n, c) in s.chunks(step).enumerate() {
            out.extend(ctx.parse(c, None, None, Some((n * step) as u64), &mut p));
        }
        out.extend(ctx.flush(&mut p));
        out
    }

    fn shape(f: &[ParsedFrame]) -> Vec<(usize, u64, Option<usize>)> {
        f.iter()
            .map(|f| (f.data.len(), f.offset, f.info.header_offset))
            .collect()
    }

    #[test]
    fn splits_frames_and_keeps_junk() {
        let mut s = vec![1, 2, 3];
        s.extend(frame(0xfffd_a404, 576, 0x11));
        s.extend(frame(0xfffd_a404, 576, 0x22));
        s.extend(b"xy");
        for step in [1, 5, 1000] {
            let out = split(&s, step, false);
            assert_eq!(
                shape(&out),
                [(579, 0, Some(3)), (576, 579, Some(0)), (2, 1155, None)],
                "step {step}"
            );
        }
    }

    #[test]
    fn trailing_id3v1_is_dropped() {
        let mut s = frame(0xfffd_a404, 576, 0x11);
        let mut tag = b"TAG".to_vec();
        tag.resize(ID3V1_SIZE, b' ');
        s.extend(&tag);
        assert_eq!(shape(&split(&s, 100, false)), [(576, 0, Some(0))]);
    }

    #[test]
    fn free_format_by_next_sync() {
        let mut s = frame(0xfffd_0404, 700, 0);
        s.extend(frame(0xfffd_0404, 700, 0));
        for step in [1, 3, 700, 5000] {
            assert_eq!(
                shape(&split(&s, step, true)),
                [(700, 0, Some(0)), (700, 700, Some(0))],
                "step {step}"
            );
        }
        // FFmpeg's behaviour: free-format headers are junk.
        assert_eq!(shape(&split(&s, 100, false)), [(1400, 0, None)]);
    }

    #[test]
    fn false_free_format_sync_is_junk() {
        // A free-format header with no successor within 4 KiB, then fixed frames
        // starting inside the searched span.
        let mut s = frame(0xfffd_0404, 100, 0);
        for _ in 0..12 {
            s.extend(frame(0xfffd_a404, 576, 0x22));
        }
        for step in [1, 7, 100, 4096, 100_000] {
            let out = split(&s, step, true);
            let mut want = vec![(676, 0, Some(100))];
            want.extend((1..12).map(|k| (576, 100 + 576 * k as u64, Some(0))));
            assert_eq!(shape(&out), want, "step {step}");
        }
    }
}
