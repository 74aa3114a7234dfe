//! MPEG audio elementary streams: the `mp3` demuxer (FFmpeg's name for
//! it, "MP2/3 (MPEG audio layer 2/3)"; `.mp2`, `.mp3`, `.m2a`, `.mpa`)
//! and the `mp2` muxer (cf. FFmpeg's `mp3dec.c` and the raw `mp2` muxer).
//!
//! The demuxer skips an ID3v2 tag and junk before the first frame (a
//! header followed by a consistent one), then splits the stream with the
//! codec's parser ([`MpaParser`] with free format, in a [`ParserContext`]):
//! one packet per frame, bytes skipped to resynchronise
//! prepended to the next frame, a trailing ID3v1 tag dropped. Free-format
//! frames are delimited by the next header. Timestamps count samples in
//! FFmpeg's time base 1/14112000 (the least common multiple of all MPEG
//! audio rates); the duration is estimated from the file size and the bit
//! rate, as FFmpeg does for streams without a Xing/VBRI header. The stream
//! reports `fltp` samples as ffprobe does (the `ffmpeg` tool then decodes
//! with the fixed-point decoder, `s16p`).

use std::collections::VecDeque;

use avcodec::codecs::mpegaudio::header::Header;
use avcodec::codecs::mpegaudio::parser::MpaParser;
use avcodec::parser::{ParsedFrame, ParserContext};
use avcodec::{CodecId, CodecParameters, Packet};
use avutil::mathematics::rescale;
use avutil::{ChannelLayout, Rational, SampleFormat};

use crate::demux::{DemuxState, Demuxer, SeekTarget, reject_private_options};
use crate::error::{Error, Result};
use crate::io::{IoReader, IoWriter};
use crate::mux::{MuxState, Muxer};
use crate::probe::{ProbeData, SCORE_EXTENSION};
use crate::registry::{DemuxFlags, DemuxerInfo, MuxFlags, MuxerInfo};

/// Demuxer name (as FFmpeg's).
pub const DEMUXER_NAME: &str = "mp3";
/// Muxer name.
pub const MUXER_NAME: &str = "mp2";
/// Time base denominator: the least common multiple of the MPEG audio sampling rates.
pub const TIME_BASE_DEN: i32 = 14_112_000;
/// Bytes read per step.
const READ_SIZE: usize = 1024;
/// Junk searched for the first frame.
const MAX_JUNK: usize = 64 * 1024;
/// Header fields that must agree between consecutive frames (cf. FFmpeg's `MP3_MASK`).
const MP3_MASK: u32 = 0xfffe_0ccf;

fn header_at(buf: &[u8], i: usize) -> Option<Header> {
    Header::parse_bytes(buf.get(i..)?)
}

/// Content score as FFmpeg's `mp3_read_probe`: runs of consecutive frames.
pub fn probe(pd: &ProbeData<'_>) -> u32 {
    let buf = pd.buf;
    if buf.len() < 4 {
        return 0;
    }
    let end = buf.len() - 4;
    let start = buf.iter().take(end).take_while(|&&b| b == 0).count();
    let (mut max_frames, mut max_sizes, mut first_frames) = (0usize, 0usize, 0usize);
    let mut whole_used = false;
    let mut b = start;
    while b < end {
        let mut b2 = b;
        let (mut frames, mut sizes) = (0usize, 0usize);
        while b2 < end {
            let Some(size) = header_at(buf, b2).and_then(|h| h.frame_size()) else {
                break;
            };
            b2 += size;
            sizes += size;
            frames += 1;
        }
        max_frames = max_frames.max(frames);
        max_sizes = max_sizes.max(sizes);
        if b == start {
            first_frames = frames;
            whole_used = b2 == end + 4;
        }
        b = b2 + 1;
    }
    let n = buf.len();
    if first_frames >= 7 {
        SCORE_EXTENSION + 1
    } else if max_frames > 200 && n < 2 * max_sizes {
        SCORE_EXTENSION
    } else if max_frames >= 4 && n < 2 * max_sizes {
        SCORE_EXTENSION / 2
    } else if first_frames > 1 && whole_used {
        5
    } else if max_frames >= 1 && n < 10 * max_sizes {
        1
    } else {
        0
    }
}

/// Size of an ID3v2 tag at the start of `buf`, if there is one.
fn id3v2_size(buf: &[u8]) -> Option<u64> {
    if buf.len() < 10 || &buf[..3] != b"ID3" || buf[3] == 0xff || buf[4] == 0xff {
        return None;
    }
    if buf[6..10].iter().any(|&b| b & 0x80 != 0) {
        return None;
    }
    let size = buf[6..10]
        .iter()
        .fold(0u64, |a, &b| (a << 7) | u64::from(b));
    let footer = if buf[5] & 0x10 != 0 { 10 } else { 0 };
    Some(10 + size + footer)
}

/// The MPEG audio elementary stream demuxer.
#[derive(Debug)]
pub struct MpaDemuxer {
    parser: ParserContext<MpaParser>,
    /// What the parser completes while parsing (the stream's parameters come
    /// from the first header).
    scratch: CodecParameters,
    /// Frames split and not yet returned.
    queue: VecDeque<ParsedFrame>,
    /// Offset of the first frame.
    data_start: u64,
    /// Ticks of 1/14112000 s per sample.
    ticks_per_sample: i64,
    next_pts: i64,
    eof: bool,
    bit_rate: u64,
}

impl Default for MpaDemuxer {
    fn default() -> Self {
        MpaDemuxer {
            parser: new_parser(CodecId::Mp2),
            scratch: CodecParameters::new(CodecId::Mp2),
            queue: VecDeque::new(),
            data_start: 0,
            ticks_per_sample: 0,
            next_pts: 0,
            eof: false,
            bit_rate: 0,
        }
    }
}

/// The parser as this demuxer uses it: FFmpeg's, splitting free-format frames too.
fn new_parser(codec: CodecId) -> ParserContext<MpaParser> {
    ParserContext::new(Box::new(MpaParser::new(codec).free_format(true)))
}

impl MpaDemuxer {
    fn invalid(&self, io: &IoReader, reason: &str) -> Error {
        Error::InvalidData {
            format: DEMUXER_NAME,
            offset: io.tell(),
            reason: reason.to_owned(),
        }
    }
}

impl Demuxer for MpaDemuxer {
    fn read_header(&mut self, io: &mut IoReader, state: &mut DemuxState) -> Result<()> {
        reject_private_options(DEMUXER_NAME, &state.options.private)?;
        let mut start = 0u64;
        if let Some(n) = id3v2_size(io.peek(10)?) {
            io.skip(n)?;
            start = io.tell();
        }
        // The first header followed by a consistent one within the first 64 KiB.
        let want = MAX_JUNK + 4 + 4096;
        let buf = io.peek(want)?.to_vec();
        let at_eof = buf.len() < want;
        let mut first = None;
        for i in 0..buf.len().min(MAX_JUNK) {
            let Some(h) = header_at(&buf, i) else {
                continue;
            };
            let Some(size) = h.frame_size() else {
                continue;
            };
            // As FFmpeg: a frame running past the end of the input fails the open.
            if at_eof && i + size > buf.len() {
                return Err(self.invalid(
                    io,
                    &format!(
                        "Invalid frame size ({size}): Could not seek to {}.",
                        start + (i + size) as u64
                    ),
                ));
            }
            if let Some(h2) = header_at(&buf, i + size)
                && h2.raw & MP3_MASK == h.raw & MP3_MASK
            {
                first = Some((i, h));
                break;
            }
        }
        // Otherwise the first header at all (free format, a single frame).
        let (skip, h) = match first {
            Some(f) => f,
            None => (0..buf.len())
                .find_map(|i| header_at(&buf, i).map(|h| (i, h)))
                .ok_or_else(|| self.invalid(io, "no MPEG audio frame header found"))?,
        };
        if skip > 0 {
            log::info!("Skipping {skip} bytes of junk at {start}.");
            io.skip(skip as u64)?;
        }
        self.data_start = io.tell();
        let codec = match h.layer {
            1 => CodecId::Mp1,
            2 => CodecId::Mp2,
            _ => CodecId::Mp3,
        };
        self.parser = new_parser(codec);
        self.scratch = CodecParameters::new(codec);
        self.queue.clear();
        let mut p = CodecParameters::new(codec);
        p.sample_rate = h.sample_rate;
        p.ch_layout = Some(if h.channels() == 1 {
            ChannelLayout::MONO
        } else {
            ChannelLayout::STEREO
        });
        p.sample_fmt = Some(SampleFormat::Fltp);
        p.frame_size = h.samples_per_frame();
        self.bit_rate = u64::from(h.bit_rate());
        p.bit_rate = Some(self.bit_rate).filter(|&b| b > 0);
        self.ticks_per_sample = i64::from(TIME_BASE_DEN) / i64::from(h.sample_rate);
        let i = state.add_stream(p, Rational::new(1, TIME_BASE_DEN));
        let st = &mut state.streams[i];
        st.start_time = Some(0);
        // As FFmpeg's estimate from the bit rate: the bytes after the header and the junk.
        if let Some(size) = io.size().filter(|_| self.bit_rate > 0) {
            st.duration = rescale(
                8 * size.saturating_sub(self.data_start) as i64,
                i64::from(TIME_BASE_DEN),
                self.bit_rate as i64,
            );
        }
        Ok(())
    }

    fn read_packet(
        &mut self,
        io: &mut IoReader,
        _state: &mut DemuxState,
    ) -> Result<Option<Packet>> {
        loop {
            if let Some(unit) = self.queue.pop_front() {
                let header = unit.info.header_offset;
                let Some(h) = header.and_then(|o| Header::parse_bytes(unit.data.get(o..)?)) else {
                    // Trailing bytes without a frame header carry no audio.
                    continue;
                };
                let dur = i64::from(h.samples_per_frame()) * self.ticks_per_sample;
                let mut pkt = Packet::new(unit.data);
                pkt.pts = Some(self.next_pts);
                pkt.dts = Some(self.next_pts);
                pkt.duration = Some(dur);
                pkt.pos = Some(unit.offset);
                pkt.flags.key = true;
                self.next_pts += dur;
                return Ok(Some(pkt));
            }
            if self.eof {
                return Ok(None);
            }
            // Guards memory on input without frames: the parser never holds more than this.
            if self.parser.pending() > MAX_JUNK * 4 {
                return Err(self.invalid(io, "no frame header in 256 KiB"));
            }
            let mut chunk = [0u8; READ_SIZE];
            let pos = io.tell();
            let n = io.read_some(&mut chunk)?;
            let frames = if n == 0 {
                self.eof = true;
                self.parser.flush(&mut self.scratch)
            } else {
                self.parser
                    .parse(&chunk[..n], None, None, Some(pos), &mut self.scratch)
            };
            self.queue.extend(frames);
        }
    }

    fn seek(
        &mut self,
        io: &mut IoReader,
        state: &mut DemuxState,
        target: SeekTarget,
    ) -> Result<i64> {
        let err = |reason: &str| Error::Seek {
            url: state.url.clone(),
            reason: reason.to_owned(),
        };
        if self.bit_rate == 0 || target.flags.byte || target.flags.frame {
            return Err(err(
                "only time seeks in constant bit rate streams are supported",
            ));
        }
        let tb = state
            .streams
            .get(target.stream)
            .map_or(Rational::new(1, TIME_BASE_DEN), |s| s.time_base);
        let ticks =
            avutil::mathematics::rescale_q(target.ts.max(0), tb, Rational::new(1, TIME_BASE_DEN))
                .ok_or_else(|| err("timestamp out of range"))?;
        // Constant bit rate: frames are (nearly) equally long.
        let spf = state
            .streams
            .first()
            .map_or(1152, |s| s.params.frame_size.max(1)) as i64;
        let frame_ticks = spf * self.ticks_per_sample;
        let frame_index = if target.flags.backward {
            ticks / frame_ticks
        } else {
            ticks.saturating_add(frame_ticks - 1) / frame_ticks
        };
        let sr = i64::from(TIME_BASE_DEN) / self.ticks_per_sample;
        let pos = self.data_start as i64
            + frame_index
                .checked_mul(spf)
                .and_then(|n| rescale(n, self.bit_rate as i64 / 8, sr))
                .ok_or_else(|| err("position out of range"))?;
        let pos = match io.size() {
            Some(s) => pos.min(s as i64),
            None => pos,
        };
        io.seek(pos as u64)?;
        self.parser.reset();
        self.queue.clear();
        self.eof = false;
        self.next_pts = frame_index
            .checked_mul(frame_ticks)
            .ok_or_else(|| err("timestamp out of range"))?;
        let landed =
            avutil::mathematics::rescale_q(self.next_pts, Rational::new(1, TIME_BASE_DEN), tb)
                .unwrap_or(target.ts);
        Ok(landed)
    }
}

/// The raw MPEG audio muxer: writes the packets' bytes.
#[derive(Debug, Default)]
pub struct MpaMuxer;

impl Muxer for MpaMuxer {
    fn write_header(&mut self, _io: &mut IoWriter, state: &mut MuxState) -> Result<()> {
        if state.streams.len() != 1 {
            return Err(Error::Unsupported {
                format: MUXER_NAME,
                stream: state.streams.len().min(1),
                what: "MPEG audio files have exactly one stream".into(),
            });
        }
        let st = &mut state.streams[0];
        if !supports_codec(st.params.codec_id) {
            return Err(Error::Unsupported {
                format: MUXER_NAME,
                stream: 0,
                what: format!("codec {} is not MPEG audio", st.params.codec_id),
            });
        }
        if st.params.sample_rate > 0 {
            st.time_base = Rational::new(1, st.params.sample_rate as i32);
        }
        Ok(())
    }

    fn write_packet(
        &mut self,
        io: &mut IoWriter,
        _state: &MuxState,
        packet: &Packet,
    ) -> Result<()> {
        io.write_all(&packet.data)
    }

    fn write_trailer(&mut self, io: &mut IoWriter, _state: &MuxState) -> Result<()> {
        io.flush()
    }
}

fn supports_codec(id: CodecId) -> bool {
    matches!(id, CodecId::Mp1 | CodecId::Mp2 | CodecId::Mp3)
}

/// The demuxer entry.
pub fn demuxer() -> DemuxerInfo {
    DemuxerInfo {
        name: DEMUXER_NAME,
        long_name: "MP2/3 (MPEG audio layer 2/3)",
        extensions: "mp2,mp3,m2a,mpa",
        mime_types: "",
        flags: DemuxFlags::default(),
        probe: Some(probe),
        create: || Box::new(MpaDemuxer::default()),
    }
}

/// The muxer entry.
pub fn muxer() -> MuxerInfo {
    MuxerInfo {
        name: MUXER_NAME,
        long_name: "MP2 (MPEG audio layer 2)",
        extensions: "mp2,m2a,mpa",
        mime_types: "audio/mpeg",
        default_video: None,
        default_audio: Some(CodecId::Mp2),
        flags: MuxFlags {
            no_file: false,
            no_timestamps: true,
            variable_fps: false,
            ts_nonstrict: false,
        },
        supports: supports_codec,
        create: || Box::new(MpaMuxer),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream(frames: usize) -> Vec<u8> {
        let mut v = Vec::new();
        for _ in 0..frames {
            let mut f = 0xfffd_a404u32.to_be_bytes().to_vec();
            f.resize(576, 0x55);
            v.extend(f);
        }
        v
    }

    #[test]
    fn probe_scores_like_ffmpeg() {
        let s = stream(8);
        let pd = |b: &[u8]| {
            probe(&ProbeData {
                filename: "x",
                buf: b,
                mime_type: None,
            })
        };
        assert_eq!(pd(&s), 51);
        assert_eq!(pd(&s[..576 * 3]), 5);
        assert_eq!(pd(b"RIFF....WAVEfmt "), 0);
        assert_eq!(id3v2_size(b"ID3\x03\x00\x00\x00\x00\x01\x00"), Some(138));
    }
}
