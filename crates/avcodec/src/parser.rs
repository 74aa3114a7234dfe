//! Elementary stream parsers: cutting a byte stream given in arbitrary chunks
//! (container payloads) into frames, and giving each frame the timestamps of
//! the chunk it belongs to (cf. `AVCodecParser`, `av_parser_parse2`).
//!
//! Two layers:
//! - [`Parser`], implemented per codec: finds frame boundaries in the bytes
//!   it is shown and describes complete frames ([`FrameInfo`]).
//! - [`ParserContext`], generic: buffers partial frames, keeps the last four
//!   input chunks with their timestamps and hands a chunk's timestamps to the
//!   first frame that starts in it, as FFmpeg's parser framework does (a
//!   parser may name a better anchor than the frame's first byte, e.g. the
//!   picture start code of an MPEG video frame).
//!
//! Parsers are found by codec with [`find_parser`]; the MPEG video, MPEG
//! audio, AC-3/E-AC-3 and DTS parsers live with their codecs
//! ([`crate::codecs::mpeg1video::parser::Mpeg1VideoParser`],
//! [`crate::codecs::mpegaudio::parser::MpaParser`],
//! [`crate::codecs::ac3::parser::Ac3Parser`],
//! [`crate::codecs::dca::parser::DcaParser`]). Demuxers of elementary
//! streams may hold a context of a concrete parser type
//! (`ParserContext<Mpeg1VideoParser>`) to read what the parser learned about
//! the stream through [`ParserContext::parser`].
//!
//! ```
//! use avcodec::{CodecId, CodecParameters, parser::{ParserContext, find_parser}};
//!
//! // Two MPEG-1 Layer II frames (48 kHz, 32 kb/s mono: 96 bytes each).
//! let mut frame = vec![0u8; 96];
//! frame[..4].copy_from_slice(&[0xff, 0xfd, 0x14, 0xc4]);
//! let stream: Vec<u8> = frame.iter().chain(frame.iter()).copied().collect();
//! let mut params = CodecParameters::new(CodecId::Mp2);
//! let mut ctx = ParserContext::new(find_parser(CodecId::Mp2).unwrap());
//! // Chunks that do not follow frame boundaries.
//! let mut out = ctx.parse(&stream[..150], Some(0), Some(0), Some(0), &mut params);
//! out.extend(ctx.parse(&stream[150..], None, None, Some(150), &mut params));
//! out.extend(ctx.flush(&mut params));
//! assert_eq!(out.len(), 2);
//! assert_eq!((out[0].data.len(), out[0].pts), (96, Some(0)));
//! assert_eq!(out[0].info.duration, 1152);
//! assert_eq!(params.sample_rate, 48000);
//! ```

use avutil::{Buffer, PictureType, Rational};

use crate::codec_id::CodecId;
use crate::params::CodecParameters;

/// What a [`Parser`] found while scanning new bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Scan {
    /// The current frame ends this many bytes into the scanned data (negative:
    /// that many bytes before it, when a start code straddles two chunks).
    pub end: Option<isize>,
    /// A timestamp anchor of the current frame (e.g. its picture start code)
    /// at this offset into the scanned data (may be negative likewise).
    pub anchor: Option<isize>,
}

/// What a parser tells about one complete frame (cf. the output fields of
/// `AVCodecParserContext`).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct FrameInfo {
    /// Picture coding type (video), `None` if unknown.
    pub pict_type: PictureType,
    /// Key frame: `Some` when the parser knows; `None` means "I pictures are key".
    pub key: Option<bool>,
    /// Duration in samples at the stream's sample rate (audio), 0 if unknown.
    pub duration: u32,
    /// Extra fields to display (cf. `repeat_pict`).
    pub repeat_pict: u32,
    /// Frame rate the bitstream declares (video).
    pub frame_rate: Option<Rational>,
    /// Decoder delay in frames that decoding this frame establishes
    /// (cf. `has_b_frames` as a decoder sets it), if the frame tells.
    pub video_delay: Option<u32>,
    /// Offset in the frame's bytes of the frame header the parser
    /// synchronised on (bytes before it are junk it skipped, which stay with
    /// the frame as in FFmpeg); `None` when the bytes hold no frame header
    /// (trailing junk at the end of the stream) or the parser does not tell.
    /// Set by the MPEG audio parser.
    pub header_offset: Option<usize>,
}

/// A codec-specific frame splitter (cf. `AVCodecParser`).
pub trait Parser: Send {
    /// Scans `data`, the bytes following those of the previous call, for the
    /// end of the current frame. After reporting an end, the next call
    /// scans the bytes of the next frame from the reported end on.
    fn find_frame_end(&mut self, data: &[u8]) -> Scan;
    /// Describes a complete frame and completes `params` from it (size, rate,
    /// codec variant...).
    fn frame_info(&mut self, frame: &[u8], params: &mut CodecParameters) -> FrameInfo;
    /// Forgets the scanning state (after a seek).
    fn reset(&mut self);
    /// At end of stream, before the bytes left over (`rest`, an incomplete
    /// frame) are returned as a last frame: true to drop them instead, when
    /// they are not media (cf. `mpegaudio_parse` dropping a trailing ID3v1
    /// tag at flush). The default keeps them.
    fn discard_at_end(&mut self, rest: &[u8]) -> bool {
        let _ = rest;
        false
    }
    /// Bytes at the start of the frame just completed that are not part of
    /// it, to drop before it is described and returned (cf. the DTS parser
    /// dropping what precedes the first sync word). The default drops none.
    fn leading_junk(&mut self) -> usize {
        0
    }
}

/// Byte `j` of the bytes a scanner sees: the `replay` bytes kept from the
/// previous call come first at negative positions (`-replay.len()..0`), then
/// `data` (`0..data.len()`). `j` must lie in that range.
pub(crate) fn replayed_byte(replay: &[u8], data: &[u8], j: isize) -> u8 {
    if j < 0 {
        replay[(replay.len() as isize + j) as usize]
    } else {
        data[j as usize]
    }
}

/// A parser for `id`, if there is one (cf. `av_parser_init`), with
/// FFmpeg's behaviour. Parsers live in the codec modules.
pub fn find_parser(id: CodecId) -> Option<Box<dyn Parser>> {
    match id {
        CodecId::Mp1 | CodecId::Mp2 | CodecId::Mp3 => Some(Box::new(
            crate::codecs::mpegaudio::parser::MpaParser::new(id),
        )),
        CodecId::Ac3 | CodecId::Eac3 => {
            Some(Box::new(crate::codecs::ac3::parser::Ac3Parser::new()))
        }
        CodecId::Dts => Some(Box::new(crate::codecs::dca::parser::DcaParser::new())),
        CodecId::Mpeg1video | CodecId::Mpeg2video => Some(Box::new(
            crate::codecs::mpeg1video::parser::Mpeg1VideoParser::new(),
        )),
        _ => None,
    }
}

/// A frame out of a [`ParserContext`].
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedFrame {
    /// The frame's bytes.
    pub data: Buffer,
    /// Presentation timestamp of the chunk the frame was anchored to.
    pub pts: Option<i64>,
    /// Decoding timestamp of that chunk.
    pub dts: Option<i64>,
    /// Container position of that chunk.
    pub pos: Option<u64>,
    /// Stream offset of the frame's first byte, counting the bytes fed from
    /// the first chunk's `pos` on (cf. `frame_offset`): the frame's file
    /// position when the chunks are contiguous bytes of a file, as an
    /// elementary stream demuxer feeds them.
    pub offset: u64,
    /// What the parser says about the frame.
    pub info: FrameInfo,
    /// Timestamps of the chunk being parsed when the frame completed, if
    /// that chunk was fed in the call that completed it (FFmpeg uses them
    /// to guess the pts of reference frames).
    pub next_pts: Option<i64>,
    /// See [`ParsedFrame::next_pts`].
    pub next_dts: Option<i64>,
}

#[derive(Debug, Clone, Copy, Default)]
struct Chunk {
    offset: u64,
    end: u64,
    pts: Option<i64>,
    dts: Option<i64>,
    pos: Option<u64>,
}

/// Number of chunks remembered (cf. `AV_PARSER_PTS_NB`).
const CHUNKS: usize = 4;

/// The generic part of parsing: buffering and timestamp bookkeeping
/// (cf. `AVCodecParserContext` and `av_parser_parse2`).
///
/// `P` is the parser: `dyn Parser` as [`find_parser`] gives it, or a
/// concrete type whose own accessors [`ParserContext::parser`] reaches.
pub struct ParserContext<P: Parser + ?Sized = dyn Parser> {
    parser: Box<P>,
    /// Bytes of the frame being assembled.
    pending: Vec<u8>,
    chunks: [Chunk; CHUNKS],
    last_chunk: usize,
    started: bool,
    /// Stream offset of the next byte to scan.
    cur_offset: u64,
    frame_offset: u64,
    next_frame_offset: u64,
    fetch_pending: bool,
    pts: Option<i64>,
    dts: Option<i64>,
    pos: Option<u64>,
}

impl<P: Parser + ?Sized> std::fmt::Debug for ParserContext<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ParserContext(offset {})", self.cur_offset)
    }
}

impl<P: Parser + ?Sized> ParserContext<P> {
    /// Wraps `parser`.
    pub fn new(parser: Box<P>) -> Self {
        ParserContext {
            parser,
            pending: Vec::new(),
            chunks: [Chunk::default(); CHUNKS],
            last_chunk: 0,
            started: false,
            cur_offset: 0,
            frame_offset: 0,
            next_frame_offset: 0,
            fetch_pending: true,
            pts: None,
            dts: None,
            pos: None,
        }
    }

    /// The parser, for what it learned about the stream.
    pub fn parser(&self) -> &P {
        &self.parser
    }

    /// Forgets everything but what the parser keeps across a reset (after a
    /// seek), as a new context would; the next chunk's `pos` sets the
    /// stream offset again.
    pub fn reset(&mut self) {
        self.parser.reset();
        self.pending.clear();
        self.chunks = [Chunk::default(); CHUNKS];
        self.last_chunk = 0;
        self.started = false;
        self.cur_offset = 0;
        self.frame_offset = 0;
        self.next_frame_offset = 0;
        self.fetch_pending = true;
        self.pts = None;
        self.dts = None;
        self.pos = None;
    }

    /// Bytes held back waiting for the end of their frame.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Assigns the timestamps of the chunk holding stream offset `at` to the
    /// current frame (cf. `ff_fetch_timestamp`).
    fn fetch(&mut self, at: u64, remove: bool, fuzzy: bool) {
        if !fuzzy {
            self.pts = None;
            self.dts = None;
            self.pos = None;
        }
        let first = self.frame_offset == 0 && self.next_frame_offset == 0;
        for c in &mut self.chunks {
            if at >= c.offset && (self.frame_offset < c.offset || first) && c.end != 0 {
                if !fuzzy || c.dts.is_some() {
                    self.pts = c.pts;
                    self.dts = c.dts;
                    self.pos = c.pos;
                }
                if remove {
                    c.offset = u64::MAX;
                }
                if at < c.end {
                    break;
                }
            }
        }
    }

    /// Feeds one chunk of the stream with the timestamps the container gave
    /// it; returns the frames completed. `pos` is the chunk's position in
    /// the container.
    pub fn parse(
        &mut self,
        data: &[u8],
        pts: Option<i64>,
        dts: Option<i64>,
        pos: Option<u64>,
        params: &mut CodecParameters,
    ) -> Vec<ParsedFrame> {
        let mut out = Vec::new();
        if !self.started {
            self.started = true;
            self.cur_offset = pos.unwrap_or(0);
            self.next_frame_offset = self.cur_offset;
        }
        if data.is_empty() {
            return out;
        }
        self.last_chunk = (self.last_chunk + 1) % CHUNKS;
        self.chunks[self.last_chunk] = Chunk {
            offset: self.cur_offset,
            end: self.cur_offset + data.len() as u64,
            pts,
            dts,
            pos,
        };
        let mut rest = data;
        let mut first_call = true;
        // A frame ending before the scanned data needs the same data again.
        // Every round either consumes data or returns held bytes; bound the
        // rounds that do neither so that a misbehaving parser cannot spin.
        let mut stalls = 0;
        while !rest.is_empty() && stalls < 4 {
            let (np, nd) = if first_call { (pts, dts) } else { (None, None) };
            first_call = false;
            if self.fetch_pending {
                self.fetch_pending = false;
                self.fetch(self.cur_offset, false, false);
            }
            let scan = self.parser.find_frame_end(rest);
            if let Some(a) = scan.anchor {
                let at = self.cur_offset.saturating_add_signed(a as i64);
                self.fetch(at, true, a > 0);
            }
            let Some(end) = scan.end else {
                self.pending.extend_from_slice(rest);
                self.cur_offset += rest.len() as u64;
                rest = &[];
                break;
            };
            let end = end.clamp(-(self.pending.len() as isize), rest.len() as isize);
            let frame = if end >= 0 {
                let e = end as usize;
                let mut f = std::mem::take(&mut self.pending);
                f.extend_from_slice(&rest[..e]);
                rest = &rest[e..];
                f
            } else {
                let keep = self.pending.len() - end.unsigned_abs();
                let tail = self.pending.split_off(keep);
                std::mem::replace(&mut self.pending, tail)
            };
            stalls = if end > 0 || !frame.is_empty() {
                0
            } else {
                stalls + 1
            };
            let index = end.max(0) as u64;
            if !frame.is_empty() {
                self.frame_offset = self.next_frame_offset;
                self.next_frame_offset = self.cur_offset.saturating_add_signed(end as i64);
                self.fetch_pending = true;
                out.push(self.output(frame, np, nd, params));
            }
            self.cur_offset += index;
        }
        if !rest.is_empty() {
            self.pending.extend_from_slice(rest);
            self.cur_offset += rest.len() as u64;
        }
        out
    }

    fn output(
        &mut self,
        mut frame: Vec<u8>,
        next_pts: Option<i64>,
        next_dts: Option<i64>,
        params: &mut CodecParameters,
    ) -> ParsedFrame {
        let junk = self.parser.leading_junk().min(frame.len());
        frame.drain(..junk);
        let info = self.parser.frame_info(&frame, params);
        ParsedFrame {
            data: Buffer::from_vec(frame),
            pts: self.pts,
            dts: self.dts,
            pos: self.pos,
            offset: self.frame_offset,
            info,
            next_pts,
            next_dts,
        }
    }

    /// Parses all of `data` as if it arrived in chunks of `chunk` bytes (each
    /// chunk's position is its offset in `data`), then flushes: every frame of
    /// an in-memory stream. The result does not depend on `chunk` for a
    /// well-formed stream (parsers are tested that way).
    pub fn parse_all(
        &mut self,
        data: &[u8],
        chunk: usize,
        params: &mut CodecParameters,
    ) -> Vec<ParsedFrame> {
        let chunk = chunk.max(1);
        let mut out = Vec::new();
        for (n, c) in data.chunks(chunk).enumerate() {
            out.extend(self.parse(c, None, None, Some((n * chunk) as u64), params));
        }
        out.extend(self.flush(params));
        out
    }

    /// Returns the last, incomplete frame at end of stream (unless the
    /// parser discards it, see [`Parser::discard_at_end`]).
    pub fn flush(&mut self, params: &mut CodecParameters) -> Vec<ParsedFrame> {
        if self.pending.is_empty() {
            return Vec::new();
        }
        if self.parser.discard_at_end(&self.pending) {
            self.pending.clear();
            return Vec::new();
        }
        if self.fetch_pending {
            self.fetch_pending = false;
            self.fetch(self.cur_offset, false, false);
        }
        let frame = std::mem::take(&mut self.pending);
        self.frame_offset = self.next_frame_offset;
        self.next_frame_offset = self.cur_offset;
        self.fetch_pending = true;
        vec![self.output(frame, None, None, params)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Frames are fixed 4-byte units; the anchor is the frame's first byte.
    struct Fixed(usize);

    impl Parser for Fixed {
        fn find_frame_end(&mut self, data: &[u8]) -> Scan {
            let need = 4 - self.0;
            if data.len() >= need {
                self.0 = 0;
                Scan {
                    end: Some(need as isize),
                    anchor: None,
                }
            } else {
                self.0 += data.len();
                Scan::default()
            }
        }
        fn frame_info(&mut self, _f: &[u8], _p: &mut CodecParameters) -> FrameInfo {
            FrameInfo::default()
        }
        fn reset(&mut self) {
            self.0 = 0;
        }
    }

    #[test]
    fn chunk_timestamps_go_to_the_first_frame_starting_in_them() {
        let mut ctx = ParserContext::new(Box::new(Fixed(0)));
        let mut p = CodecParameters::new(CodecId::Mp2);
        let mut out = ctx.parse(&[1; 6], Some(10), Some(10), Some(100), &mut p);
        out.extend(ctx.parse(&[2; 6], Some(20), Some(20), Some(200), &mut p));
        out.extend(ctx.flush(&mut p));
        let got: Vec<_> = out.iter().map(|f| (f.data.len(), f.pts)).collect();
        // Frames start at 0, 4, 8; chunk 2 starts at 6 inside frame 2, so
        // frame 3 (starting at 8) takes its timestamp.
        assert_eq!(got, [(4, Some(10)), (4, None), (4, Some(20))]);
        ctx.reset();
        assert_eq!(ctx.pending(), 0);
    }
}
