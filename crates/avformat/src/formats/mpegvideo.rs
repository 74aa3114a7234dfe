//! MPEG-1 video elementary streams: the `mpegvideo` demuxer and the
//! `mpeg1video` muxer (cf. FFmpeg's `mpegvideodec.c` with the `mpegvideo`
//! parser, and the `mpeg1video` muxer of `rawenc.c`). Names as in FFmpeg.
//!
//! The demuxer cuts the stream into one packet per picture with the
//! codec's parser ([`Mpeg1VideoParser`] in a [`ParserContext`]; packet
//! positions are the units' stream offsets, as FFmpeg's full raw parsing
//! gives them) and times packets as FFmpeg does for raw MPEG video:
//! time base 1/1200000, packet `n` has `dts = n * frame duration`; `pts` is
//! known only for the first packet and for B pictures (the others are
//! reordered by the decoder). Intra pictures are key frames. The stream's
//! bit rate is the sequence header's field as coded (FFmpeg reports the
//! "variable" marker as 104857200 bit/s too, and estimates durations from it).
//!
//! ```
//! use avformat::{FormatRegistry, InputContext, InputOptions, IoReader};
//! let mut es = vec![0, 0, 1, 0xb3, 0x01, 0x00, 0x10, 0x13, 0xff, 0xff, 0xe0, 0x18];
//! es.extend_from_slice(&[0, 0, 1, 0x00, 0, 0x0f, 0xff, 0xf8, 0, 0, 1, 0x01, 0x12]);
//! let io = IoReader::from_bytes(es, "mem.m1v");
//! let mut input = InputContext::open_reader(io, &FormatRegistry::builtin(), &InputOptions::default()).unwrap();
//! assert_eq!(input.format().name, "mpegvideo");
//! assert_eq!((input.streams()[0].params.width, input.streams()[0].params.height), (16, 16));
//! let p = input.read_packet().unwrap().unwrap();
//! assert!(p.flags.key);
//! ```

use std::collections::VecDeque;

use avcodec::codecs::mpeg1video::parser::Mpeg1VideoParser;
use avcodec::parser::{ParsedFrame, ParserContext};
use avcodec::{CodecId, CodecParameters, Packet};
use avutil::{PictureType, Rational};

use crate::demux::{DemuxState, Demuxer, SeekTarget};
use crate::error::{Error, Result};
use crate::io::IoReader;
use crate::probe::{ProbeData, SCORE_EXTENSION};
use crate::registry::{DemuxFlags, DemuxerInfo, MuxFlags, MuxerInfo};

/// Short name of the demuxer.
pub const DEMUXER_NAME: &str = "mpegvideo";
/// Short name of the muxer.
pub const MUXER_NAME: &str = "mpeg1video";
/// Time base of the demuxed stream (FFmpeg's for raw video elementary streams).
pub const TIME_BASE: Rational = Rational {
    num: 1,
    den: 1_200_000,
};

/// Bytes read from the input at a time.
const CHUNK: usize = 64 * 1024;
/// Largest amount of data searched for the first sequence header.
const MAX_HEADER_SEARCH: usize = 4 << 20;

/// Scores content the way FFmpeg's `mpegvideo_probe` does: plausible sequence
/// headers, pictures and ascending slices, no system-layer start codes.
pub fn probe(pd: &ProbeData<'_>) -> u32 {
    let b = pd.buf;
    let at = |i: isize| -> u8 {
        usize::try_from(i)
            .ok()
            .and_then(|i| b.get(i))
            .copied()
            .unwrap_or(0)
    };
    let (mut pic, mut seq, mut slice, mut pspack, mut vpes, mut apes, mut res, mut sicle) =
        (0u32, 0u32, 0u32, 0u32, 0u32, 0u32, 0u32, 0u32);
    let mut last: u32 = 0;
    let mut i = 0usize;
    while i + 3 < b.len() {
        if !(b[i] == 0 && b[i + 1] == 0 && b[i + 2] == 1) {
            i += 1;
            continue;
        }
        let code = 0x100 | u32::from(b[i + 3]);
        let p = (i + 4) as isize; // just after the start code
        i += 4;
        match code {
            0x1b3 => 'seq: {
                if at(p + 6) & 0x20 == 0 {
                    break 'seq;
                }
                let end = b.len() as isize - p;
                let mut j: isize = -1;
                if at(p + j + 8) & 2 != 0 {
                    j += 64;
                }
                if j >= end {
                    break 'seq;
                }
                if at(p + j + 8) & 1 != 0 {
                    j += 64;
                }
                if j >= end {
                    break 'seq;
                }
                let next = (u32::from(at(p + j + 9)) << 16)
                    | (u32::from(at(p + j + 10)) << 8)
                    | u32::from(at(p + j + 11));
                if next & 0xff_fffe != 0 {
                    break 'seq;
                }
                seq += 1;
            }
            0x100 => pic += 1,
            0x1ba => pspack += 1,
            0x1b6 => res += 1,
            _ => {}
        }
        if (0x101..=0x1af).contains(&code) {
            if (0x101..=0x1af).contains(&last) {
                if code >= last {
                    slice += 1;
                } else {
                    sicle += 1;
                }
            } else if code == 0x101 {
                slice += 1;
            } else {
                sicle += 1;
            }
        }
        if code & 0x1f0 == 0x1e0 {
            vpes += 1;
        } else if code & 0x1e0 == 0x1c0 {
            apes += 1;
        }
        last = code;
    }
    if seq > 0
        && seq * 9 <= pic * 10
        && pic * 9 <= slice * 10
        && pspack == 0
        && apes == 0
        && res == 0
        && slice > sicle
    {
        if vpes > 0 {
            SCORE_EXTENSION / 4
        } else if pic > 1 {
            SCORE_EXTENSION + 1
        } else {
            SCORE_EXTENSION / 2
        }
    } else {
        0
    }
}

/// The elementary stream demuxer.
#[derive(Debug)]
pub struct MpegVideoDemuxer {
    parser: ParserContext<Mpeg1VideoParser>,
    /// What the parser completes while parsing (the stream's parameters come
    /// from [`Mpeg1VideoParser::parameters`]).
    scratch: CodecParameters,
    queue: VecDeque<ParsedFrame>,
    eof: bool,
    /// Index of the next packet.
    count: i64,
    /// Frame duration in [`TIME_BASE`] units.
    frame_duration: i64,
    /// (packet index, byte offset) of intra pictures seen so far.
    keys: Vec<(i64, u64)>,
}

impl Default for MpegVideoDemuxer {
    fn default() -> Self {
        MpegVideoDemuxer {
            parser: ParserContext::new(Box::new(Mpeg1VideoParser::new())),
            scratch: CodecParameters::new(CodecId::Mpeg1video),
            queue: VecDeque::new(),
            eof: false,
            count: 0,
            frame_duration: 0,
            keys: Vec::new(),
        }
    }
}

/// True for units starting an intra picture (FFmpeg's key frames).
fn is_key(u: &ParsedFrame) -> bool {
    u.info.pict_type == PictureType::I
}

impl MpegVideoDemuxer {
    /// Reads one chunk into the parser (flushing it at the end of the input).
    fn read_chunk(&mut self, io: &mut IoReader, chunk: &mut [u8]) -> Result<usize> {
        let pos = io.tell();
        let n = io.read_some(chunk)?;
        let units = if n == 0 {
            self.eof = true;
            self.parser.flush(&mut self.scratch)
        } else {
            self.parser
                .parse(&chunk[..n], None, None, Some(pos), &mut self.scratch)
        };
        self.queue.extend(units);
        Ok(n)
    }

    /// Reads until a unit is queued or the input ends.
    fn fill(&mut self, io: &mut IoReader) -> Result<()> {
        let mut chunk = vec![0u8; CHUNK];
        while self.queue.is_empty() && !self.eof {
            self.read_chunk(io, &mut chunk)?;
        }
        Ok(())
    }

    /// Restarts parsing at the current position of `io`.
    fn restart(&mut self) {
        self.parser.reset();
        self.queue.clear();
        self.eof = false;
    }
}

impl Demuxer for MpegVideoDemuxer {
    fn read_header(&mut self, io: &mut IoReader, state: &mut DemuxState) -> Result<()> {
        crate::demux::reject_private_options(DEMUXER_NAME, &state.options.private)?;
        let mut chunk = vec![0u8; CHUNK];
        let mut read = 0usize;
        while (self.parser.parser().sequence().is_none() || self.queue.is_empty()) && !self.eof {
            read += self.read_chunk(io, &mut chunk)?;
            if read > MAX_HEADER_SEARCH && self.parser.parser().sequence().is_none() {
                break;
            }
        }
        let Some(seq) = self.parser.parser().sequence().cloned() else {
            return Err(Error::InvalidData {
                format: DEMUXER_NAME,
                offset: io.tell(),
                reason: "no sequence header found".into(),
            });
        };
        let mut params = self.parser.parser().parameters();
        params.bit_rate = (seq.bit_rate_400 != 0).then(|| u64::from(seq.bit_rate_400) * 400);
        if self.parser.parser().is_mpeg2() {
            params.codec_id = CodecId::Mpeg2video;
        }
        // Extradata: the first sequence header with its matrices and extensions,
        // as the parser recorded it.
        params.extradata = self.scratch.extradata.clone();
        let rate = seq.frame_rate();
        self.frame_duration = i64::from(TIME_BASE.den) * i64::from(rate.den) / i64::from(rate.num);
        let i = state.add_stream(params, TIME_BASE);
        let st = &mut state.streams[i];
        st.avg_frame_rate = rate;
        st.r_frame_rate = rate;
        st.sample_aspect_ratio = st.params.sample_aspect_ratio;
        Ok(())
    }

    fn read_packet(
        &mut self,
        io: &mut IoReader,
        _state: &mut DemuxState,
    ) -> Result<Option<Packet>> {
        self.fill(io)?;
        let Some(u) = self.queue.pop_front() else {
            return Ok(None);
        };
        let n = self.count;
        self.count += 1;
        let dts = n.saturating_mul(self.frame_duration);
        let key = is_key(&u);
        if key && self.keys.last().is_none_or(|&(k, _)| k < n) {
            self.keys.push((n, u.offset));
        }
        let mut pkt = Packet::new(u.data);
        pkt.dts = Some(dts);
        pkt.pts = (n == 0 || u.info.pict_type == PictureType::B).then_some(dts);
        pkt.duration = Some(self.frame_duration);
        pkt.pos = Some(u.offset);
        pkt.flags.key = key;
        Ok(Some(pkt))
    }

    /// Seeks to the last intra picture at or before the target (frame-exact:
    /// packets are counted from the start, so the stream is scanned as far as
    /// needed once).
    fn seek(&mut self, io: &mut IoReader, _state: &mut DemuxState, t: SeekTarget) -> Result<i64> {
        let dur = self.frame_duration.max(1);
        let target = if t.flags.frame {
            t.ts
        } else {
            t.ts.div_euclid(dur)
        }
        .max(0);
        // Scan forward (from where we are, or from the start) until the target is passed.
        if self.keys.last().is_none_or(|&(k, _)| k < target) && !self.eof {
            io.seek(0)?;
            self.restart();
            self.count = 0;
            loop {
                self.fill(io)?;
                let Some(u) = self.queue.pop_front() else {
                    break;
                };
                let n = self.count;
                self.count += 1;
                if is_key(&u) && self.keys.last().is_none_or(|&(k, _)| k < n) {
                    self.keys.push((n, u.offset));
                }
                if n > target {
                    break;
                }
            }
        }
        let &(n, off) = self
            .keys
            .iter()
            .rev()
            .find(|&&(k, _)| k <= target)
            .or(self.keys.first())
            .ok_or_else(|| Error::Seek {
                url: io.url().to_owned(),
                reason: "no intra picture found".into(),
            })?;
        io.seek(off)?;
        self.restart();
        self.count = n;
        Ok(n * dur)
    }
}

/// The elementary stream muxer: packet payloads as they come.
pub fn muxer() -> MuxerInfo {
    MuxerInfo {
        name: MUXER_NAME,
        long_name: "raw MPEG-1 video",
        extensions: "m1v,mpv",
        mime_types: "video/mpeg",
        default_video: Some(CodecId::Mpeg1video),
        default_audio: None,
        flags: MuxFlags {
            no_file: false,
            no_timestamps: true,
            variable_fps: false,
            ts_nonstrict: false,
        },
        supports: |c| matches!(c, CodecId::Mpeg1video | CodecId::Mpeg2video),
        create: || Box::new(super::rawvideo::RawMuxer),
    }
}

/// The demuxer entry.
pub fn demuxer() -> DemuxerInfo {
    DemuxerInfo {
        name: DEMUXER_NAME,
        long_name: "raw MPEG video",
        extensions: "",
        mime_types: "",
        flags: DemuxFlags {
            generated_timestamps: true,
            ..DemuxFlags::default()
        },
        probe: Some(probe),
        create: || Box::new(MpegVideoDemuxer::default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probe_scores() {
        let mut es = vec![
            0, 0, 1, 0xb3, 0x01, 0x00, 0x10, 0x13, 0xff, 0xff, 0xe0, 0x18,
        ];
        for _ in 0..2 {
            es.extend_from_slice(&[0, 0, 1, 0x00, 0, 0x0f, 0xff, 0xf8, 0, 0, 1, 0x01, 0x12]);
        }
        let pd = |b: &[u8]| {
            probe(&ProbeData {
                filename: "x",
                buf: b,
                mime_type: None,
            })
        };
        assert_eq!(pd(&es), 51);
        assert_eq!(pd(&es[..25]), 25);
        assert_eq!(pd(b"RIFF...."), 0);
        let mut ps = es.clone();
        ps.extend_from_slice(&[0, 0, 1, 0xba]);
        assert_eq!(pd(&ps), 0);
    }
}
