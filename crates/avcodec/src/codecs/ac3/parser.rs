//! The AC-3 / E-AC-3 elementary stream parser: cuts the stream into sync
//! frames (cf. FFmpeg's `ac3` parser). It implements [`Parser`]: drive it
//! with a [`crate::parser::ParserContext`].
//!
//! Behaviour, as observed of FFmpeg 5.1:
//!
//! * a frame runs from its header to the next header found at or after its
//!   size, so bytes between frames stay with the frame before them; bytes
//!   before the first header are a packet of their own; a header is only
//!   checked for plausible fields (there is no CRC check), so a false sync
//!   in junk delimits a frame;
//! * an E-AC-3 dependent substream frame joins the independent frame before
//!   it in one packet;
//! * a frame's duration and the stream parameters (sample rate, channels
//!   and layout, running average of the bit rate, E-AC-3 when `bsid` > 10)
//!   come from the header that ended it, i.e. the next frame's; the last
//!   frame, ended by the end of the stream, keeps the previous duration.
//!
//! FFmpeg leaves the channels and bit rate of E-AC-3 streams to its decoder,
//! which sets them from the first frame it decodes; as there is no decoder
//! here, the parser takes them from the first E-AC-3 frame's own header (its
//! independent substream only: channels of dependent substreams are not
//! added).
//!
//! ```
//! use avcodec::codecs::ac3::parser::Ac3Parser;
//! use avcodec::parser::ParserContext;
//! use avcodec::{CodecId, CodecParameters};
//! // Three 48 kHz 192 kbit/s stereo frames of 768 bytes.
//! let mut s = Vec::new();
//! for _ in 0..3 {
//!     let mut f = vec![0x0b, 0x77, 0, 0, 0x14, 0x40, 0x40];
//!     f.resize(768, 0x55);
//!     s.extend(f);
//! }
//! let mut ctx = ParserContext::new(Box::new(Ac3Parser::new()));
//! let mut params = CodecParameters::new(CodecId::Ac3);
//! let mut frames = ctx.parse(&s[..1000], Some(0), Some(0), Some(0), &mut params);
//! frames.extend(ctx.parse(&s[1000..], None, None, Some(1000), &mut params));
//! frames.extend(ctx.flush(&mut params));
//! let got: Vec<_> = frames.iter().map(|f| (f.data.len(), f.info.duration)).collect();
//! assert_eq!(got, [(768, 1536), (768, 1536), (768, 1536)]);
//! assert_eq!((params.sample_rate, params.channels(), params.bit_rate), (48000, 2, Some(192_000)));
//! ```

use super::header::{Ac3Header, FrameType, HEADER_SIZE};
use crate::codec_id::CodecId;
use crate::codecs::syncframe::{Found, Kind, Splitter, Windows};
use crate::params::CodecParameters;
use crate::parser::{FrameInfo, Parser, Scan};

/// The parser (cf. FFmpeg's `ac3` parser).
#[derive(Debug, Clone, Default)]
pub struct Ac3Parser {
    split: Splitter,
    /// The header that ended the frame reported last.
    ended: Option<Ac3Header>,
    /// Frame duration in samples, kept for the last frame.
    duration: u32,
    /// Frames whose parameters were published since the start (or a reset).
    published: u32,
    bit_rate_from_headers: bool,
    /// The channels and bit rate of an E-AC-3 stream were set.
    eac3_described: bool,
}

impl Ac3Parser {
    /// A parser for an AC-3 or E-AC-3 stream.
    pub fn new() -> Self {
        Self::default()
    }
}

/// FFmpeg's sync rule: any plausible header; a dependent substream frame
/// continues the current frame.
fn sync(w: &[u8], _start: usize) -> Option<Found<Ac3Header>> {
    let h = Ac3Header::parse(w)?;
    Some(Found {
        header: h,
        kind: if h.frame_type == FrameType::Dependent {
            Kind::Continue
        } else {
            Kind::Frame
        },
    })
}

impl Parser for Ac3Parser {
    fn find_frame_end(&mut self, data: &[u8]) -> Scan {
        let windows = Windows {
            detect: HEADER_SIZE,
            size: HEADER_SIZE,
        };
        let size = |w: &[u8]| Ac3Header::parse(w).map_or(0, |h| h.frame_size);
        let (scan, ended) = self.split.scan(data, windows, sync, size);
        if ended.is_some() {
            self.ended = ended;
        }
        scan
    }

    fn frame_info(&mut self, frame: &[u8], params: &mut CodecParameters) -> FrameInfo {
        if let Some(h) = self.ended.take() {
            self.duration = h.samples();
            self.published += 1;
            params.sample_rate = h.sample_rate;
            if h.is_eac3() {
                params.codec_id = CodecId::Eac3;
            }
            if params.frame_size == 0 {
                // Set by FFmpeg's decoder; the end of the stream is estimated with it.
                params.frame_size = h.samples();
            }
            if params.codec_id != CodecId::Eac3 {
                params.ch_layout = Some(h.layout());
                if self.bit_rate_from_headers || params.bit_rate.unwrap_or(0) == 0 {
                    self.bit_rate_from_headers = true;
                    let cur = params.bit_rate.map_or(0, |b| b as i64);
                    let n = i64::from(self.published);
                    let v = cur + (i64::from(h.bit_rate) - cur) / n;
                    params.bit_rate = u64::try_from(v).ok();
                }
            }
        }
        // FFmpeg leaves E-AC-3's channels and bit rate to its decoder, which takes them
        // from the first frame it decodes: so do we, from the first frame's own header.
        if params.codec_id == CodecId::Eac3
            && !self.eac3_described
            && let Some(h) = Ac3Header::parse(frame).filter(|h| h.is_eac3())
        {
            self.eac3_described = true;
            params.ch_layout = Some(h.layout());
            params.bit_rate = Some(u64::from(h.bit_rate));
        }
        FrameInfo {
            duration: self.duration,
            key: Some(true),
            header_offset: Ac3Header::parse(frame).map(|_| 0),
            ..FrameInfo::default()
        }
    }

    fn reset(&mut self) {
        *self = Ac3Parser {
            bit_rate_from_headers: self.bit_rate_from_headers,
            eac3_described: self.eac3_described,
            ..Ac3Parser::new()
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codecs::ac3::header::tests::{ac3, eac3};
    use crate::parser::{ParsedFrame, ParserContext};

    fn frame(h: [u8; 7], fill: u8) -> Vec<u8> {
        let size = Ac3Header::parse(&h).unwrap().frame_size;
        let mut v = h.to_vec();
        v.resize(size, fill);
        v
    }

    /// The frames of `s` fed in chunks of `step` bytes, and the parameters.
    fn split(s: &[u8], step: usize) -> (Vec<ParsedFrame>, CodecParameters) {
        let mut ctx = ParserContext::new(Box::new(Ac3Parser::new()));
        let mut p = CodecParameters::new(CodecId::Ac3);
        let out = ctx.parse_all(s, step, &mut p);
        (out, p)
    }

    fn sizes(f: &[ParsedFrame]) -> Vec<(usize, u32)> {
        f.iter().map(|f| (f.data.len(), f.info.duration)).collect()
    }

    #[test]
    fn junk_prefix_between_and_after_frames() {
        // Like FFmpeg: leading junk is its own packet, junk after a frame stays with it.
        let a = frame(ac3(0, 20, 2, false), 0x11);
        let mut s = b"JUNKJUNKJU".to_vec();
        s.extend(&a);
        s.extend(b"xyz");
        s.extend(&a);
        s.extend(&a);
        s.extend(b"tail12");
        for step in [1, 3, 7, 100, 768, 100_000] {
            let (out, p) = split(&s, step);
            assert_eq!(
                sizes(&out),
                [(10, 1536), (771, 1536), (768, 1536), (774, 1536)],
                "step {step}"
            );
            let joined: Vec<u8> = out.iter().flat_map(|f| f.data.to_vec()).collect();
            assert_eq!(joined, s);
            assert_eq!(
                (p.sample_rate, p.channels(), p.bit_rate),
                (48000, 2, Some(192_000))
            );
        }
    }

    #[test]
    fn parameters_come_from_the_ending_header() {
        // A 44.1 kHz 5.1 frame after two 48 kHz stereo ones: the second
        // packet takes the 44.1 kHz duration, the bit rate is averaged.
        let a = frame(ac3(0, 20, 2, false), 0);
        let b = frame(ac3(1, 34, 7, true), 0);
        let s: Vec<u8> = [a.clone(), a, b].concat();
        let (out, p) = split(&s, 500);
        assert_eq!(sizes(&out), [(768, 1536), (768, 1536), (b_len(), 1536)]);
        assert_eq!((p.sample_rate, p.channels()), (44100, 6));
        // 192000 + (576000 - 192000) / 2
        assert_eq!(p.bit_rate, Some(384_000));
        fn b_len() -> usize {
            Ac3Header::parse(&ac3(1, 34, 7, true)).unwrap().frame_size
        }
    }

    #[test]
    fn eac3_dependent_frames_join_their_independent_frame() {
        let ind = frame(eac3(0, 191, 0, 3, 2), 0x22); // 384 bytes
        let dep = frame(eac3(1, 99, 0, 3, 2), 0x33); // 200 bytes
        let s: Vec<u8> = [ind.clone(), dep.clone(), ind.clone(), dep].concat();
        for step in [1, 5, 384, 5000] {
            let (out, p) = split(&s, step);
            assert_eq!(sizes(&out), [(584, 1536), (584, 1536)], "step {step}");
            assert_eq!(p.codec_id, CodecId::Eac3);
            assert_eq!(p.sample_rate, 48000);
        }
    }

    #[test]
    fn truncated_and_garbage_input_do_not_panic() {
        let a = frame(ac3(2, 37, 7, true), 0x44);
        for cut in [0, 1, 6, 7, 8, 100, a.len() - 1] {
            let (out, _) = split(&a[..cut], 3);
            let total: usize = out.iter().map(|f| f.data.len()).sum();
            assert_eq!(total, cut);
        }
        // Pseudo-random bytes full of sync words.
        let mut x = 12345u32;
        let junk: Vec<u8> = (0..20000)
            .map(|i| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                if i % 97 == 0 {
                    0x0b
                } else if i % 97 == 1 {
                    0x77
                } else {
                    (x >> 16) as u8
                }
            })
            .collect();
        // Real frames of several sizes (E-AC-3 dependent ones too) amid that junk.
        let mut mixed = Vec::new();
        for (k, h) in [
            ac3(0, 20, 2, false),
            ac3(1, 21, 7, true),
            eac3(0, 191, 0, 3, 2),
            eac3(1, 99, 0, 3, 2),
            ac3(2, 0, 1, false),
        ]
        .iter()
        .cycle()
        .take(40)
        .enumerate()
        {
            mixed.extend(frame(*h, k as u8));
            mixed.extend(&junk[k * 37..k * 37 + k % 5 * 3]);
        }
        for s in [&junk, &mixed] {
            let (first, _) = split(s, s.len());
            for step in [1, 13, 4096] {
                let (out, _) = split(s, step);
                let joined: Vec<u8> = out.iter().flat_map(|f| f.data.to_vec()).collect();
                assert_eq!(&joined, s);
                assert_eq!(
                    out.len(),
                    first.len(),
                    "step {step}: same frames in any chunking"
                );
                assert!(out.iter().zip(&first).all(|(a, b)| a.data == b.data));
            }
        }
    }
}
