//! Raw PCM: one headerless demuxer and muxer per PCM codec, `-f s16le`, `-f u8`, `-f alaw`...
//! (cf. FFmpeg's `pcmdec.c`, `pcmenc.c`, `pcm.c`).
//!
//! The demuxer takes the sample rate (default 44100), the channel count (default 1) or a
//! channel layout from [`FormatOptions`](crate::FormatOptions); a layout wins over a count,
//! and a count alone gets the default layout for it. Packets hold
//! `min(max(sample_rate / 25, 1), 1024)` sample frames, as FFmpeg's, so
//! `-c copy -f framemd5` lines match. Seeking lands on a sample frame boundary. These
//! formats are never probed; the extensions FFmpeg lists (`.sw`, `.ub`, `.al`, `.ul`...)
//! pick the muxer.

use avcodec::codecs::pcm as pcm_codec;
use avcodec::{CodecId, CodecParameters, Packet};
use avutil::mathematics::rescale;
use avutil::{ChannelLayout, Rational};

use crate::demux::{DemuxState, Demuxer, SeekTarget, reject_private_options};
use crate::error::{Error, Result};
use crate::io::{IoReader, IoWriter};
use crate::mux::{MuxState, Muxer};
use crate::registry::{DemuxFlags, DemuxerInfo, MuxFlags, MuxerInfo};

/// Most sample frames in one packet (cf. `RAW_SAMPLES`).
const RAW_SAMPLES: u64 = 1024;
/// Most channels (cf. `FF_SANE_NB_CHANNELS`).
const MAX_CHANNELS: u32 = 512;
/// Default sample rate of the demuxers.
pub const DEFAULT_SAMPLE_RATE: u32 = 44100;

/// One raw PCM format: name, long name, codec, bits per sample, extensions.
#[derive(Debug, Clone, Copy)]
pub struct RawPcm {
    /// Format name (`s16le`).
    pub name: &'static str,
    /// FFmpeg's long name.
    pub long_name: &'static str,
    /// The codec of its only stream.
    pub codec: CodecId,
    /// Bits per sample.
    pub bits: u32,
    /// Comma-separated file name extensions.
    pub extensions: &'static str,
}

const fn f(
    name: &'static str,
    long_name: &'static str,
    codec: CodecId,
    bits: u32,
    extensions: &'static str,
) -> RawPcm {
    RawPcm {
        name,
        long_name,
        codec,
        bits,
        extensions,
    }
}

/// Every raw PCM format FFmpeg 5.1 has, in its `-formats` order.
pub static FORMATS: &[RawPcm] = &[
    f("alaw", "PCM A-law", CodecId::PcmAlaw, 8, "al"),
    f(
        "f32be",
        "PCM 32-bit floating-point big-endian",
        CodecId::PcmF32be,
        32,
        "",
    ),
    f(
        "f32le",
        "PCM 32-bit floating-point little-endian",
        CodecId::PcmF32le,
        32,
        "",
    ),
    f(
        "f64be",
        "PCM 64-bit floating-point big-endian",
        CodecId::PcmF64be,
        64,
        "",
    ),
    f(
        "f64le",
        "PCM 64-bit floating-point little-endian",
        CodecId::PcmF64le,
        64,
        "",
    ),
    f("mulaw", "PCM mu-law", CodecId::PcmMulaw, 8, "ul"),
    f(
        "s16be",
        "PCM signed 16-bit big-endian",
        CodecId::PcmS16be,
        16,
        "",
    ),
    f(
        "s16le",
        "PCM signed 16-bit little-endian",
        CodecId::PcmS16le,
        16,
        "sw",
    ),
    f(
        "s24be",
        "PCM signed 24-bit big-endian",
        CodecId::PcmS24be,
        24,
        "",
    ),
    f(
        "s24le",
        "PCM signed 24-bit little-endian",
        CodecId::PcmS24le,
        24,
        "",
    ),
    f(
        "s32be",
        "PCM signed 32-bit big-endian",
        CodecId::PcmS32be,
        32,
        "",
    ),
    f(
        "s32le",
        "PCM signed 32-bit little-endian",
        CodecId::PcmS32le,
        32,
        "",
    ),
    f("s8", "PCM signed 8-bit", CodecId::PcmS8, 8, "sb"),
    f(
        "u16be",
        "PCM unsigned 16-bit big-endian",
        CodecId::PcmU16be,
        16,
        "",
    ),
    f(
        "u16le",
        "PCM unsigned 16-bit little-endian",
        CodecId::PcmU16le,
        16,
        "uw",
    ),
    f(
        "u24be",
        "PCM unsigned 24-bit big-endian",
        CodecId::PcmU24be,
        24,
        "",
    ),
    f(
        "u24le",
        "PCM unsigned 24-bit little-endian",
        CodecId::PcmU24le,
        24,
        "",
    ),
    f(
        "u32be",
        "PCM unsigned 32-bit big-endian",
        CodecId::PcmU32be,
        32,
        "",
    ),
    f(
        "u32le",
        "PCM unsigned 32-bit little-endian",
        CodecId::PcmU32le,
        32,
        "",
    ),
    f("u8", "PCM unsigned 8-bit", CodecId::PcmU8, 8, "ub"),
    f("vidc", "PCM Archimedes VIDC", CodecId::PcmVidc, 8, ""),
];

/// The raw format called `name`.
pub fn find(name: &str) -> Option<&'static RawPcm> {
    FORMATS.iter().find(|f| f.name == name)
}

/// Seeks a constant-rate stream whose payload starts at `data_ofs` (cf. `ff_pcm_read_seek`):
/// the byte position is the target rounded to a block (down with `backward`, else up);
/// returns the landing timestamp.
pub(crate) fn pcm_seek(
    io: &mut IoReader,
    url: &str,
    data_ofs: u64,
    block_align: u64,
    byte_rate: u64,
    tb: Rational,
    target: SeekTarget,
) -> Result<i64> {
    let err = |reason: String| Error::Seek {
        url: url.to_owned(),
        reason,
    };
    if block_align == 0 || byte_rate == 0 || tb.num <= 0 || tb.den <= 0 {
        return Err(err("unknown block size or byte rate".into()));
    }
    let (ba, br) = (i128::from(block_align), i128::from(byte_rate));
    let (tn, td) = (i128::from(tb.num), i128::from(tb.den));
    let blocks = if target.flags.byte {
        i128::from(target.ts)
            .saturating_sub(i128::from(data_ofs))
            .max(0)
            / ba
    } else {
        let num = i128::from(target.ts.max(0)) * br * tn;
        let den = td * ba;
        if target.flags.backward {
            num / den
        } else {
            (num + den - 1) / den
        }
    };
    let pos = blocks * ba;
    // Back to a timestamp, rounded to nearest (cf. `av_rescale`).
    let d = br * tn;
    let landed = (pos * td + d / 2) / d;
    let (Ok(pos), Ok(landed)) = (u64::try_from(pos), i64::try_from(landed)) else {
        return Err(err(format!("timestamp {} is out of range", target.ts)));
    };
    io.seek(data_ofs.saturating_add(pos))?;
    Ok(landed)
}

/// The raw PCM demuxer.
#[derive(Debug)]
pub struct PcmDemuxer {
    fmt: &'static RawPcm,
    block_align: u64,
    packet_size: usize,
    next_pts: i64,
}

impl PcmDemuxer {
    /// A demuxer for `fmt`.
    pub fn new(fmt: &'static RawPcm) -> Self {
        PcmDemuxer {
            fmt,
            block_align: 0,
            packet_size: 0,
            next_pts: 0,
        }
    }
}

impl Demuxer for PcmDemuxer {
    fn read_header(&mut self, io: &mut IoReader, state: &mut DemuxState) -> Result<()> {
        let name = self.fmt.name;
        let o = &state.options;
        reject_private_options(name, &o.private)?;
        let bad = |what: String| Error::InvalidOption { format: name, what };
        let rate = o.sample_rate.unwrap_or(DEFAULT_SAMPLE_RATE);
        if rate == 0 || rate > i32::MAX as u32 {
            return Err(bad(format!("invalid sample rate {rate}")));
        }
        let layout = match (o.ch_layout, o.channels) {
            (Some(l), _) => l,
            (None, Some(n)) => ChannelLayout::default_for(n),
            (None, None) => ChannelLayout::MONO,
        };
        let ch = layout.channels();
        if ch == 0 {
            return Err(bad("the channel count is 0".into()));
        }
        if ch > MAX_CHANNELS {
            return Err(Error::LimitExceeded {
                format: name,
                what: "channel count",
                value: u64::from(ch),
                limit: u64::from(MAX_CHANNELS),
            });
        }
        let block_align = u64::from(self.fmt.bits / 8 * ch);
        self.block_align = block_align;
        self.packet_size = ((u64::from(rate) / 25).clamp(1, RAW_SAMPLES) * block_align) as usize;
        let mut p = CodecParameters::new(self.fmt.codec);
        p.sample_rate = rate;
        p.ch_layout = Some(layout);
        p.block_align = block_align as u32;
        p.bits_per_coded_sample = self.fmt.bits;
        p.bit_rate = Some(block_align * 8 * u64::from(rate));
        p.sample_fmt = pcm_codec::decoded_format(self.fmt.codec);
        let i = state.add_stream(p, Rational::new(1, rate as i32));
        // FFmpeg estimates the duration from the size and the bit rate.
        if let Some(size) = io.size() {
            state.streams[i].duration = rescale(size as i64, 1, block_align as i64);
        }
        Ok(())
    }

    fn read_packet(
        &mut self,
        io: &mut IoReader,
        _state: &mut DemuxState,
    ) -> Result<Option<Packet>> {
        let pos = io.tell();
        let data = io.read_buffer(self.packet_size)?;
        if data.is_empty() {
            return Ok(None);
        }
        let n = data.len() as u64 / self.block_align;
        let mut pkt = Packet::new(data);
        pkt.flags.key = true;
        pkt.pos = Some(pos);
        // A packet shorter than one sample frame gets no timestamps, as in FFmpeg.
        if n > 0 {
            pkt.pts = Some(self.next_pts);
            pkt.dts = Some(self.next_pts);
            pkt.duration = Some(n as i64);
            self.next_pts += n as i64;
        }
        Ok(Some(pkt))
    }

    fn seek(
        &mut self,
        io: &mut IoReader,
        state: &mut DemuxState,
        target: SeekTarget,
    ) -> Result<i64> {
        let st = state.streams.first().ok_or_else(|| Error::Seek {
            url: state.url.clone(),
            reason: "no stream".into(),
        })?;
        let byte_rate = self.block_align * u64::from(st.params.sample_rate);
        let landed = pcm_seek(
            io,
            &state.url,
            0,
            self.block_align,
            byte_rate,
            st.time_base,
            target,
        )?;
        self.next_pts = landed;
        Ok(landed)
    }
}

/// The raw PCM muxer: writes the packets' bytes.
#[derive(Debug, Default)]
pub struct PcmMuxer;

impl Muxer for PcmMuxer {
    fn write_header(&mut self, _io: &mut IoWriter, state: &mut MuxState) -> Result<()> {
        if state.streams.len() != 1 {
            return Err(Error::Unsupported {
                format: "pcm",
                stream: state.streams.len().min(1),
                what: "raw PCM files have exactly one stream".into(),
            });
        }
        let st = &mut state.streams[0];
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

macro_rules! entries {
    ($($i:literal),*) => {
        /// Every raw PCM demuxer.
        pub fn demuxers() -> Vec<DemuxerInfo> {
            vec![$(DemuxerInfo {
                name: FORMATS[$i].name,
                long_name: FORMATS[$i].long_name,
                extensions: FORMATS[$i].extensions,
                mime_types: "",
                flags: DemuxFlags::default(),
                probe: None,
                create: || Box::new(PcmDemuxer::new(&FORMATS[$i])),
            },)*]
        }
        /// Every raw PCM muxer.
        pub fn muxers() -> Vec<MuxerInfo> {
            vec![$(MuxerInfo {
                name: FORMATS[$i].name,
                long_name: FORMATS[$i].long_name,
                extensions: FORMATS[$i].extensions,
                mime_types: "",
                default_video: None,
                default_audio: Some(FORMATS[$i].codec),
                flags: MuxFlags { no_file: false, no_timestamps: true, variable_fps: false, ts_nonstrict: false },
                supports: |id| id == FORMATS[$i].codec,
                create: || Box::new(PcmMuxer),
            },)*]
        }
    };
}

entries!(
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demux::SeekFlags;

    #[test]
    fn seek_rounds_to_blocks_like_ffmpeg() {
        let mut io = IoReader::from_bytes(vec![0u8; 1000], "mem");
        let tb = Rational::new(1, 8000);
        let t = |ts, backward| SeekTarget {
            stream: 0,
            ts,
            flags: SeekFlags {
                backward,
                ..Default::default()
            },
        };
        // A byte rate that is not a whole number of blocks per sample: 1000 B/s, 4-byte blocks.
        // 3 samples = 0.375 bytes -> 1 block up (landing on sample 32), 0 blocks down.
        assert_eq!(
            pcm_seek(&mut io, "m", 10, 4, 1000, tb, t(3, false)).unwrap(),
            32
        );
        assert_eq!(io.tell(), 14);
        assert_eq!(
            pcm_seek(&mut io, "m", 10, 4, 1000, tb, t(3, true)).unwrap(),
            0
        );
        assert_eq!(io.tell(), 10);
        assert_eq!(
            pcm_seek(&mut io, "m", 0, 4, 32000, tb, t(-5, true)).unwrap(),
            0
        );
        // Byte seeks land on the block containing the byte.
        let byte = SeekTarget {
            stream: 0,
            ts: 47,
            flags: SeekFlags {
                byte: true,
                ..Default::default()
            },
        };
        assert_eq!(pcm_seek(&mut io, "m", 10, 4, 32000, tb, byte).unwrap(), 9);
        assert_eq!(io.tell(), 46);
        assert!(pcm_seek(&mut io, "m", 0, 0, 32000, tb, t(1, true)).is_err());
        assert!(pcm_seek(&mut io, "m", 0, 4, 32000, tb, t(i64::MAX, true)).is_err());
    }

    #[test]
    fn table_matches_codecs() {
        for f in FORMATS {
            let b = pcm_codec::bits_per_sample(f.codec);
            assert!(b == 0 || b == f.bits, "{}", f.name);
        }
        assert_eq!(find("s16le").map(|f| f.extensions), Some("sw"));
    }
}
