//! The DTS elementary stream parser: cuts the stream into core frames (cf.
//! FFmpeg's `dca` parser). It implements [`Parser`]: drive it with a
//! [`crate::parser::ParserContext`].
//!
//! Behaviour, as observed of FFmpeg 5.1:
//!
//! * a frame starts at a core sync word (checked with the two bytes after
//!   it) and runs to the next sync word of the same packing found at or
//!   after the frame size its header gives, so bytes between frames stay
//!   with the frame before them; bytes before the first sync word are
//!   dropped;
//! * a frame's duration (`(NBLKS + 1) * 32` samples) comes from its own
//!   header, 0 if that header does not parse;
//! * the sample rate is set from the first frame only; the channels,
//!   layout and bit rate, which FFmpeg's decoder sets, are taken from each
//!   frame's header.
//!
//! All four packings are read (16-bit and 14-bit words, big- and
//! little-endian); the size of a 14-bit frame is reckoned as FFmpeg's parser
//! does ([`super::header::Packing::stream_size`]). Limit: DTS-HD extension
//! substreams (sync `0x64582025`) are not recognised: they stay inside the
//! core frame they follow.
//!
//! ```
//! use avcodec::codecs::dca::parser::DcaParser;
//! use avcodec::parser::ParserContext;
//! use avcodec::{CodecId, CodecParameters};
//! let head = [0x7f, 0xfe, 0x80, 0x01, 0xfc, 0x3c, 0x75, 0xb0, 0xb6, 0xc0, 0x01, 0x38, 0x00, 0x03, 0xef, 0x7f];
//! let mut s = b"junk".to_vec();
//! for _ in 0..3 {
//!     let mut f = head.to_vec();
//!     f.resize(1884, 0x55);
//!     s.extend(f);
//! }
//! let mut ctx = ParserContext::new(Box::new(DcaParser::new()));
//! let mut params = CodecParameters::new(CodecId::Dts);
//! let mut frames = ctx.parse(&s, Some(0), Some(0), Some(0), &mut params);
//! frames.extend(ctx.flush(&mut params));
//! let got: Vec<_> = frames.iter().map(|f| (f.data.len(), f.info.duration)).collect();
//! assert_eq!(got, [(1884, 512), (1884, 512), (1884, 512)]);
//! assert_eq!((params.sample_rate, params.channels()), (48000, 2));
//! ```

use super::header::{CoreHeader, Packing, SYNC_SIZE, frame_size};
use crate::codecs::syncframe::{Found, Kind, Splitter, Windows};
use crate::params::CodecParameters;
use crate::parser::{FrameInfo, Parser, Scan};

/// Bytes that recognise a frame start (the sync word and the two bytes
/// after it, as FFmpeg's parser checks them), and bytes that give its size.
const WINDOWS: Windows = Windows {
    detect: 6,
    size: SYNC_SIZE,
};

/// The parser (cf. FFmpeg's `dca` parser).
#[derive(Debug, Clone, Default)]
pub struct DcaParser {
    split: Splitter,
    /// The packing of the first sync word; later frames must share it.
    packing: Option<Packing>,
    /// Bytes before the first sync word, to drop from the first frame.
    junk: usize,
}

impl DcaParser {
    /// A parser for a DTS stream.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Parser for DcaParser {
    fn find_frame_end(&mut self, data: &[u8]) -> Scan {
        let DcaParser {
            split,
            packing,
            junk,
        } = self;
        let sync = |w: &[u8], start: usize| {
            let p = Packing::detect(w)?;
            let kind = match *packing {
                None => {
                    *packing = Some(p);
                    *junk = start;
                    Kind::Continue
                }
                Some(q) if q == p => Kind::Frame,
                Some(_) => return None,
            };
            Some(Found { header: (), kind })
        };
        let size = |w: &[u8]| frame_size(w).unwrap_or(0);
        split.scan(data, WINDOWS, sync, size).0
    }

    fn leading_junk(&mut self) -> usize {
        std::mem::take(&mut self.junk)
    }

    fn frame_info(&mut self, frame: &[u8], params: &mut CodecParameters) -> FrameInfo {
        let header = CoreHeader::parse(frame);
        if let Some(h) = header {
            if params.sample_rate == 0 {
                params.sample_rate = h.sample_rate;
            }
            params.ch_layout = Some(h.layout());
            if let Some(b) = h.bit_rate {
                params.bit_rate = Some(u64::from(b));
            }
        }
        // A frame at another rate than the stream's counts in the stream's samples.
        let duration = header.map_or(0, |h| {
            let sr = u64::from(params.sample_rate.max(1));
            (u64::from(h.samples()) * sr / u64::from(h.sample_rate)) as u32
        });
        FrameInfo {
            duration,
            key: Some(true),
            header_offset: header.map(|_| 0),
            ..FrameInfo::default()
        }
    }

    fn reset(&mut self) {
        *self = DcaParser::new();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec_id::CodecId;
    use crate::codecs::dca::header::tests::core;
    use crate::parser::{ParsedFrame, ParserContext};

    fn frame(h: [u8; 16], fill: u8) -> Vec<u8> {
        let size = CoreHeader::parse(&h).unwrap().frame_size;
        let mut v = h.to_vec();
        v.resize(size, fill);
        v
    }

    fn split(s: &[u8], step: usize) -> (Vec<ParsedFrame>, CodecParameters) {
        let mut ctx = ParserContext::new(Box::new(DcaParser::new()));
        let mut p = CodecParameters::new(CodecId::Dts);
        let out = ctx.parse_all(s, step, &mut p);
        (out, p)
    }

    fn sizes(f: &[ParsedFrame]) -> Vec<(usize, u32)> {
        f.iter().map(|f| (f.data.len(), f.info.duration)).collect()
    }

    #[test]
    fn junk_like_ffmpeg() {
        // Sizes FFmpeg 5.1 gives for the same layout of a 1884-byte-frame
        // stream: leading junk dropped, junk and a false sync word (one not
        // followed by a normal frame's flags) stay with the frame before.
        let a = frame(core(16, 1884, 2, 13, 22, 0), 0x11);
        let mut s = b"JUNKJUNKJU".to_vec();
        s.extend(&a);
        s.extend(b"xyz");
        s.extend(&a);
        s.extend(&a);
        s.extend(b"\x7f\xfe\x80\x01abc");
        s.extend(&a);
        s.extend(b"tail12");
        for step in [1, 5, 8, 1000, 100_000] {
            let (out, p) = split(&s, step);
            assert_eq!(
                sizes(&out),
                [(1887, 512), (1884, 512), (1891, 512), (1890, 512)],
                "step {step}"
            );
            let joined: Vec<u8> = out.iter().flat_map(|f| f.data.to_vec()).collect();
            assert_eq!(joined, s[10..]);
            assert_eq!(
                (p.sample_rate, p.channels(), p.bit_rate),
                (48000, 2, Some(1_411_200))
            );
        }
    }

    #[test]
    fn frame_end_is_seen_six_bytes_into_the_next_sync() {
        // As FFmpeg's parser, which decides in which chunk a frame ends and
        // so which timestamps the next frame takes.
        let a = frame(core(16, 1024, 2, 13, 15, 0), 0x22);
        let mut p = DcaParser::new();
        let s = p.find_frame_end(&[a.as_slice(), &a[..5]].concat());
        assert_eq!(s.end, None);
        assert_eq!(p.find_frame_end(&a[5..6]).end, Some(-5));
        let mut p = DcaParser::new();
        let s = p.find_frame_end(&[a.as_slice(), &a[..6]].concat());
        assert_eq!(s.end, Some(1024));
    }

    #[test]
    fn little_endian_frames() {
        let be = frame(core(16, 1024, 9, 13, 15, 1), 0x22);
        let le: Vec<u8> = be.chunks(2).flat_map(|w| [w[1], w[0]]).collect();
        let s = [le.clone(), le.clone(), le].concat();
        let (out, p) = split(&s, 700);
        assert_eq!(sizes(&out), [(1024, 512); 3]);
        assert_eq!(p.channels(), 6);
    }

    #[test]
    fn truncated_and_garbage_input_do_not_panic() {
        let a = frame(core(16, 1884, 2, 13, 22, 0), 0x33);
        for cut in [0, 1, 5, 8, 15, 16, 17, 1000, a.len() - 1] {
            let (out, _) = split(&a[..cut], 3);
            let total: usize = out.iter().map(|f| f.data.len()).sum();
            assert!(total <= cut);
        }
        let mut x = 777u32;
        let junk: Vec<u8> = (0..20000)
            .map(|i| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                match i % 211 {
                    0 => 0x7f,
                    1 => 0xfe,
                    2 => 0x80,
                    3 => 0x01,
                    4 => 0xfc,
                    _ => (x >> 16) as u8,
                }
            })
            .collect();
        // Real frames (some little-endian, which are junk after big-endian ones) amid that junk.
        let mut mixed = Vec::new();
        for k in 0..30 {
            let be = frame(core(16, 1000 + k * 4, 2, 13, 15, 0), k as u8);
            if k % 7 == 3 {
                mixed.extend(be.chunks(2).flat_map(|w| [w[1], w[0]]));
            } else {
                mixed.extend(be);
            }
            mixed.extend(&junk[k as usize * 37..k as usize * 37 + k as usize % 5 * 3]);
        }
        for s in [&junk, &mixed] {
            let (first, _) = split(s, s.len());
            for step in [1, 13, 4096] {
                let (out, _) = split(s, step);
                let joined: Vec<u8> = out.iter().flat_map(|f| f.data.to_vec()).collect();
                assert!(s.ends_with(&joined));
                assert_eq!(
                    out.len(),
                    first.len(),
                    "step {step}: same frames in any chunking"
                );
                assert!(out.iter().zip(&first).all(|(a, b)| a.data == b.data));
            }
        }
        let (out, _) = split(&mixed, 999);
        assert_eq!(
            out.len(),
            30 - 4,
            "little-endian frames stay with the frame before"
        );
    }
}
