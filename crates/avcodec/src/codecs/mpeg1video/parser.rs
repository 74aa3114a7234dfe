//! The MPEG-1/2 video (ISO/IEC 11172-2, 13818-2) elementary stream parser:
//! cuts the stream into access units of one picture each (cf. FFmpeg's
//! `mpegvideo` parser) and reads the stream parameters from the headers.
//!
//! A unit is everything from the end of the previous one up to the first
//! start code other than a slice that follows its picture's slices: the
//! sequence and GOP headers before a picture stay with it, a sequence end
//! code stays with the unit it ends, and the two fields of an MPEG-2 field
//! picture pair form one unit. Its timestamps are those of the chunk holding
//! its picture start code. It implements [`Parser`]: drive it with a
//! [`crate::parser::ParserContext`].
//!
//! ```
//! use avcodec::codecs::mpeg1video::parser::Mpeg1VideoParser;
//! use avcodec::parser::ParserContext;
//! use avcodec::{CodecId, CodecParameters};
//! // A sequence header, then a picture: the parser finds where each picture ends.
//! let es = [0, 0, 1, 0xb3, 0x16, 0x01, 0x20, 0x13, 0xff, 0xff, 0xe0, 0x18,
//!           0, 0, 1, 0x00, 0, 0x0f, 0xff, 0xf8, 0, 0, 1, 0x01, 0x12];
//! let mut ctx = ParserContext::new(Box::new(Mpeg1VideoParser::new()));
//! let mut params = CodecParameters::new(CodecId::Mpeg1video);
//! let mut units = ctx.parse(&es, None, None, Some(0), &mut params);
//! units.extend(ctx.flush(&mut params));
//! assert_eq!(units.len(), 1);
//! let seq = ctx.parser().sequence().unwrap();
//! assert_eq!((seq.width, seq.height), (352, 288));
//! ```

use avutil::{ChromaLocation, ColorRange, PictureType, PixelFormat, Rational};

use super::headers::SequenceHeader;
use super::tables::FRAME_RATES;
use crate::codec_id::CodecId;
use crate::params::CodecParameters;
use crate::parser::{FrameInfo, Parser, Scan};

const PICTURE: u32 = 0x100;
const SLICE_MIN: u32 = 0x101;
const SLICE_MAX: u32 = 0x1af;
const SEQUENCE_HEADER: u32 = 0x1b3;
const EXTENSION: u32 = 0x1b5;
const SEQUENCE_END: u32 = 0x1b7;

/// The parser (cf. FFmpeg's `mpegvideo` parser).
#[derive(Debug, Clone)]
pub struct Mpeg1VideoParser {
    /// The last four bytes scanned.
    state: u32,
    /// 0: looking for the frame start; 1-3: inside field pair detection; 4: looking for the end.
    found: u8,
    /// The stream declared a progressive sequence (MPEG-2).
    progressive_sequence: bool,
    /// Frame rate from the sequence header, before the MPEG-2 extension.
    base_rate: Option<(i32, i32)>,
    frame_rate: Option<Rational>,
    /// A sequence extension was seen (MPEG-2).
    mpeg2: bool,
    /// The first valid sequence header of the stream.
    seq: Option<SequenceHeader>,
    /// An extension start code was seen before the slices of a unit.
    extension_seen: bool,
}

impl Default for Mpeg1VideoParser {
    fn default() -> Self {
        Self::new()
    }
}

impl Mpeg1VideoParser {
    /// A parser at the start of a stream.
    pub fn new() -> Self {
        Mpeg1VideoParser {
            state: u32::MAX,
            found: 0,
            progressive_sequence: false,
            base_rate: None,
            frame_rate: None,
            mpeg2: false,
            seq: None,
            extension_seen: false,
        }
    }

    /// The first valid sequence header of the units parsed so far.
    pub fn sequence(&self) -> Option<&SequenceHeader> {
        self.seq.as_ref()
    }

    /// True once a unit carried an extension start code (MPEG-2).
    pub fn is_mpeg2(&self) -> bool {
        self.extension_seen
    }

    /// Stream parameters from the first sequence header, as FFmpeg's parser
    /// and decoder leave them after probing an elementary stream: size,
    /// pixel format, sample aspect ratio, bit rate, colour defaults, delay.
    /// (The parameters [`Parser::frame_info`] completes while parsing are
    /// those FFmpeg's parser sets, for demuxers that parse as they go.)
    pub fn parameters(&self) -> CodecParameters {
        let mut p = CodecParameters::new(CodecId::Mpeg1video);
        p.pix_fmt = Some(PixelFormat::Yuv420p);
        p.color_range = ColorRange::Mpeg;
        p.chroma_location = ChromaLocation::Center;
        p.video_delay = 1;
        if let Some(s) = &self.seq {
            p.width = usize::from(s.width);
            p.height = usize::from(s.height);
            p.sample_aspect_ratio = s.sample_aspect_ratio();
            p.bit_rate = s.bit_rate();
        }
        p
    }
}

/// Index just past the next start code in `data[i..]`, updating `state`
/// (cf. `avpriv_find_start_code`); `data.len()` when none completes.
fn next_start_code(data: &[u8], mut i: usize, state: &mut u32) -> usize {
    while i < data.len() {
        let b = data[i];
        *state = (*state << 8) | u32::from(b);
        i += 1;
        if *state & 0xffff_ff00 == 0x100 {
            return i;
        }
        if b > 1 {
            // After a byte above 1, no start code can complete within the
            // next three bytes unless the third of them is 0 or 1.
            let mut j = i;
            while j + 2 < data.len() && data[j + 2] > 1 {
                j += 3;
            }
            if j > i {
                i = j;
                *state = u32::from_be_bytes([data[j - 4], data[j - 3], data[j - 2], data[j - 1]]);
            }
        }
    }
    data.len()
}

/// The bytes of `unit` from its start to the first start code after the
/// sequence header that is neither another header part nor an extension.
fn sequence_header_bytes(unit: &[u8]) -> &[u8] {
    let mut found = false;
    let mut i = 0;
    while i + 3 < unit.len() {
        if unit[i] == 0 && unit[i + 1] == 0 && unit[i + 2] == 1 {
            let code = unit[i + 3];
            if code == 0xb3 {
                found = true;
            } else if found && code != 0xb5 {
                return &unit[..i];
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    if found { unit } else { &[] }
}

impl Parser for Mpeg1VideoParser {
    fn find_frame_end(&mut self, data: &[u8]) -> Scan {
        let mut anchor = None;
        let mut state = self.state;
        let mut i = 0usize;
        while i < data.len() {
            if self.found & 1 == 1 {
                if state == EXTENSION && data[i] & 0xf0 != 0x80 {
                    self.found -= 1;
                } else if state == EXTENSION + 2 {
                    if data[i] & 3 == 3 {
                        self.found = 0;
                    } else {
                        self.found = (self.found + 1) & 3;
                    }
                }
                state = state.wrapping_add(1);
                i += 1;
                continue;
            }
            let next = next_start_code(data, i, &mut state);
            // Index of the start code's last byte (or the last byte scanned).
            let mut k = next as isize - 1;
            if self.found == 0 && (SLICE_MIN..=SLICE_MAX).contains(&state) {
                k += 1;
                self.found = 4;
            }
            if state == SEQUENCE_END {
                self.found = 0;
                self.state = u32::MAX;
                return Scan {
                    end: Some(k + 1),
                    anchor,
                };
            }
            if self.found == 2 && state == SEQUENCE_HEADER {
                self.found = 0;
            }
            if self.found < 4 && state == EXTENSION {
                self.found += 1;
            }
            if self.found == 4
                && state & 0xffff_ff00 == 0x100
                && !(SLICE_MIN..=SLICE_MAX).contains(&state)
            {
                self.found = 0;
                // Start code bytes that were in earlier data are scanned
                // again as state when the next frame's scan starts.
                self.state = match k - 3 {
                    -1 => 0xffff_ff00,
                    -2 => 0xffff_0000,
                    -3 => 0xff00_0001,
                    _ => u32::MAX,
                };
                return Scan {
                    end: Some(k - 3),
                    anchor,
                };
            }
            if self.found == 0 && state == PICTURE {
                anchor = Some(k - 3);
            }
            i = (k + 1).max(0) as usize;
        }
        self.state = state;
        Scan { end: None, anchor }
    }

    fn frame_info(&mut self, frame: &[u8], params: &mut CodecParameters) -> FrameInfo {
        let mut info = FrameInfo::default();
        let mut state = u32::MAX;
        let mut i = 0;
        while i < frame.len() {
            i = next_start_code(frame, i, &mut state);
            if state & 0xffff_ff00 != 0x100 {
                break;
            }
            let b = &frame[i..];
            if state == EXTENSION {
                self.extension_seen = true;
            }
            match state {
                SEQUENCE_HEADER if b.len() >= 7 => {
                    if self.seq.is_none() {
                        self.seq = SequenceHeader::parse(b).ok();
                    }
                    // Extradata: the first sequence header with its matrices and
                    // extensions (what FFmpeg's stream analysis extracts).
                    if params.extradata.is_empty() {
                        let h = sequence_header_bytes(&frame[i.saturating_sub(4)..]);
                        params.extradata = avutil::Buffer::from_slice(h);
                    }
                    params.width = (usize::from(b[0]) << 4) | usize::from(b[1] >> 4);
                    params.height = (usize::from(b[1] & 15) << 8) | usize::from(b[2]);
                    let code = usize::from(b[3] & 15);
                    if let Some(&(n, d)) = FRAME_RATES.get(code).filter(|r| r.0 != 0) {
                        self.base_rate = Some((n, d));
                        self.frame_rate = Some(Rational::new(n, d));
                    }
                    let br =
                        (u64::from(b[4]) << 10) | (u64::from(b[5]) << 2) | u64::from(b[6] >> 6);
                    params.bit_rate = Some(br * 400);
                    if b[3] >> 4 == 1 && params.sample_aspect_ratio.num == 0 {
                        params.sample_aspect_ratio = Rational::new(1, 1);
                    }
                    if !self.mpeg2 {
                        params.codec_id = CodecId::Mpeg1video;
                        params.pix_fmt = Some(PixelFormat::Yuv420p);
                        info.video_delay = Some(1);
                    }
                    self.progressive_sequence = true;
                }
                EXTENSION if !b.is_empty() => match b[0] >> 4 {
                    1 if b.len() >= 6 => {
                        self.mpeg2 = true;
                        params.codec_id = CodecId::Mpeg2video;
                        let hext = usize::from((b[1] & 1) << 1 | b[2] >> 7);
                        let vext = usize::from((b[2] >> 5) & 3);
                        params.width |= hext << 12;
                        params.height |= vext << 12;
                        self.progressive_sequence = b[1] & 0x08 != 0;
                        params.pix_fmt = Some(match (b[1] >> 1) & 3 {
                            2 => PixelFormat::Yuv422p,
                            3 => PixelFormat::Yuv444p,
                            _ => PixelFormat::Yuv420p,
                        });
                        let low_delay = b[5] & 0x80 != 0;
                        let rn = i32::from((b[5] >> 5) & 3) + 1;
                        let rd = i32::from(b[5] & 31) + 1;
                        if let Some((n, d)) = self.base_rate {
                            self.frame_rate = Some(Rational::new(n * rn, d * rd));
                        }
                        info.video_delay = Some(u32::from(!low_delay));
                    }
                    8 if b.len() >= 5 => {
                        let tff = b[3] & 0x80 != 0;
                        let rff = b[3] & 0x02 != 0;
                        let progressive_frame = b[4] & 0x80 != 0;
                        info.repeat_pict = 1;
                        if rff {
                            if self.progressive_sequence {
                                info.repeat_pict = if tff { 5 } else { 3 };
                            } else if progressive_frame {
                                info.repeat_pict = 2;
                            }
                        }
                    }
                    _ => {}
                },
                PICTURE if b.len() >= 2 => {
                    info.pict_type = match (b[1] >> 3) & 7 {
                        1 => PictureType::I,
                        2 => PictureType::P,
                        3 => PictureType::B,
                        _ => PictureType::None,
                    };
                }
                SLICE_MIN..=SLICE_MAX => break,
                _ => {}
            }
        }
        info.frame_rate = self.frame_rate;
        info
    }

    fn reset(&mut self) {
        self.state = u32::MAX;
        self.found = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser::{ParsedFrame, ParserContext};

    fn stream() -> Vec<u8> {
        let mut v = vec![
            0, 0, 1, 0xb3, 0x04, 0x00, 0x30, 0x13, 0xff, 0xff, 0xe0, 0x18,
        ];
        v.extend_from_slice(&[0, 0, 1, 0xb8, 0, 8, 0, 0]);
        v.extend_from_slice(&[0, 0, 1, 0x00, 0, 0x0f, 0xff, 0xf8]); // I
        v.extend_from_slice(&[0, 0, 1, 0x01, 0x12, 0x34]);
        v.extend_from_slice(&[0, 0, 1, 0x00, 0, 0x50, 0xff, 0xf8, 0x10]); // P
        v.extend_from_slice(&[0, 0, 1, 0x01, 0x12]);
        v.extend_from_slice(&[0, 0, 1, 0xb7]);
        v
    }

    #[test]
    fn splits_pictures_in_any_chunking() {
        let s = stream();
        for step in 1..s.len() {
            let mut ctx = ParserContext::new(Box::new(Mpeg1VideoParser::new()));
            let mut p = CodecParameters::new(CodecId::Mpeg2video);
            let mut out = Vec::new();
            for (n, c) in s.chunks(step).enumerate() {
                let t = Some(n as i64);
                out.extend(ctx.parse(c, t, t, Some((n * step) as u64), &mut p));
            }
            out.extend(ctx.flush(&mut p));
            let sizes: Vec<usize> = out.iter().map(|f| f.data.len()).collect();
            assert_eq!(sizes, [34, 18], "step {step}");
            assert_eq!(out[0].info.pict_type, PictureType::I);
            assert_eq!(out[1].info.pict_type, PictureType::P);
            assert_eq!(
                (p.width, p.height, p.codec_id),
                (64, 48, CodecId::Mpeg1video)
            );
            assert_eq!(out[0].info.frame_rate, Some(Rational::new(25, 1)));
        }
    }

    /// Every unit of `s` fed in chunks of `step` bytes (each with its position).
    fn split(s: &[u8], step: usize) -> (Vec<ParsedFrame>, ParserContext<Mpeg1VideoParser>) {
        let mut ctx = ParserContext::new(Box::new(Mpeg1VideoParser::new()));
        let mut p = CodecParameters::new(CodecId::Mpeg1video);
        let out = ctx.parse_all(s, step, &mut p);
        (out, ctx)
    }

    #[test]
    fn units_offsets_and_stream_parameters() {
        let mut s = vec![
            0, 0, 1, 0xb3, 0x16, 0x01, 0x20, 0x13, 0xff, 0xff, 0xe0, 0x18,
        ];
        s.extend_from_slice(&[0, 0, 1, 0xb8, 0, 8, 0, 0]);
        s.extend_from_slice(&[0, 0, 1, 0x00, 0, 0x0f, 0xff, 0xf8]); // I
        s.extend_from_slice(&[0, 0, 1, 0x01, 0x12, 0x34]);
        s.extend_from_slice(&[0, 0, 1, 0x02, 0x56]);
        s.extend_from_slice(&[0, 0, 1, 0x00, 0, 0x50, 0xff, 0xf8, 0x10]); // P
        s.extend_from_slice(&[0, 0, 1, 0x01, 0x12]);
        s.extend_from_slice(&[0, 0, 1, 0xb7]);
        let (whole, ctx) = split(&s, s.len());
        assert_eq!(whole.len(), 2);
        assert_eq!(whole[0].info.pict_type, PictureType::I);
        assert_eq!(whole[1].info.pict_type, PictureType::P);
        assert_eq!(whole[1].offset, whole[0].data.len() as u64);
        assert!(whole[1].data.ends_with(&[0, 0, 1, 0xb7]));
        let par = ctx.parser().parameters();
        assert_eq!((par.width, par.height), (352, 288));
        assert!(!ctx.parser().is_mpeg2());
        for step in 1..8 {
            let (units, _) = split(&s, step);
            let got: Vec<_> = units.iter().map(|u| (&u.data, u.offset)).collect();
            let want: Vec<_> = whole.iter().map(|u| (&u.data, u.offset)).collect();
            assert_eq!(got, want, "step {step}");
        }
    }

    #[test]
    fn start_code_scan() {
        let d = [5u8, 0, 0, 1, 0xb3, 7, 7, 7, 0, 0, 1, 0];
        let mut st = u32::MAX;
        assert_eq!(next_start_code(&d, 0, &mut st), 5);
        assert_eq!(st, 0x1b3);
        assert_eq!(next_start_code(&d, 5, &mut st), 12);
        assert_eq!(st, 0x100);
    }
}
