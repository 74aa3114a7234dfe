//! WAV: the RIFF WAVE demuxer (also RF64, BW64 and RIFX) and muxer
//! (cf. FFmpeg's `wavdec.c`, `wavenc.c`, `riffdec.c`, `riffenc.c`).
//!
//! Behaviour follows FFmpeg 5.1 as observed with the `ffmpeg` binary:
//!
//! * `fmt ` as WAVEFORMAT (14 bytes), PCMWAVEFORMAT (16), WAVEFORMATEX (18+) or
//!   WAVE_FORMAT_EXTENSIBLE (channel mask, valid bits, subformat GUID); the format
//!   tag selects the codec, and for tag 1/3 the bit depth picks the PCM variant.
//! * Packets hold up to 4096 bytes (`max_size`) rounded down to whole blocks
//!   (`block_align`), so `-c copy -f framemd5` lines equal FFmpeg's. A read cut
//!   short by the end of the file is flagged corrupt, as FFmpeg does.
//! * A `data` size of 0 or 0xFFFFFFFF, or one larger than the file, reads to the
//!   end of the file. On seekable inputs the chunks after `data` are scanned too
//!   (trailing `LIST`), and the last `data` chunk found is the one played.
//! * `LIST`/`INFO` tags become metadata with FFmpeg's key names (`INAM` ->
//!   `title`, `IART` -> `artist`, ...); unknown tags keep their four characters.
//! * The muxer writes WAVEFORMATEX, or WAVE_FORMAT_EXTENSIBLE when FFmpeg does
//!   (a layout other than mono/stereo, more than 16 bits, more than 48 kHz),
//!   `fact` for non-PCM tags on seekable outputs, `LIST`/`INFO` (with `ISFT`
//!   naming [`crate::SOFTWARE`] unless bitexact), and patches the sizes in the
//!   trailer; on non-seekable outputs the sizes stay 0xFFFFFFFF.

use avcodec::codecs::pcm;
use avcodec::{CodecId, CodecParameters, MediaType, Packet};
use avutil::mathematics::rescale;
use avutil::{Buffer, ChannelLayout, Dictionary, Rational};

use crate::demux::{DemuxState, Demuxer, SeekTarget};
use crate::error::{Error, Result};
use crate::io::{IoReader, IoWriter};
use crate::mux::{MuxState, Muxer};
use crate::probe::{ProbeData, SCORE_MAX};
use crate::registry::{DemuxFlags, DemuxerInfo, MuxFlags, MuxerInfo};

const NAME: &str = "wav";

/// Most channels a stream may have (cf. `FF_SANE_NB_CHANNELS`).
pub const MAX_CHANNELS: u32 = 512;
/// Default largest packet (cf. the wav demuxer's `max_size` option).
pub const DEFAULT_MAX_SIZE: u32 = 4096;
/// Longest `LIST`/`INFO` value kept; longer ones are skipped.
const MAX_INFO_VALUE: u64 = 1 << 20;

/// WAVE format tags and their codecs, in FFmpeg's table order (cf. `ff_codec_wav_tags`).
/// Several codecs share a tag; the first one is the tag's codec when reading.
static TAGS: &[(u16, CodecId)] = &[
    (0x0001, CodecId::PcmS16le),
    (0x0001, CodecId::PcmU8),
    (0x0001, CodecId::PcmS24le),
    (0x0001, CodecId::PcmS32le),
    (0x0001, CodecId::PcmS64le),
    (0x0002, CodecId::AdpcmMs),
    (0x0003, CodecId::PcmF32le),
    (0x0003, CodecId::PcmF64le),
    (0x0006, CodecId::PcmAlaw),
    (0x0007, CodecId::PcmMulaw),
    (0x0011, CodecId::AdpcmImaWav),
    (0x0020, CodecId::AdpcmYamaha),
    (0x0031, CodecId::GsmMs),
    (0x0032, CodecId::GsmMs),
    (0x0038, CodecId::AmrNb),
    (0x0045, CodecId::AdpcmG726),
    (0x0014, CodecId::AdpcmG726),
    (0x0040, CodecId::AdpcmG726),
    (0x0050, CodecId::Mp2),
    (0x0055, CodecId::Mp3),
    (0x0057, CodecId::AmrNb),
    (0x0058, CodecId::AmrWb),
    (0x0064, CodecId::AdpcmG726),
    (0x0069, CodecId::AdpcmImaWav),
    (0x00ff, CodecId::Aac),
    (0x0160, CodecId::Wmav1),
    (0x0161, CodecId::Wmav2),
    (0x0162, CodecId::Wmapro),
    (0x0163, CodecId::Wmalossless),
    (0x0270, CodecId::Atrac3),
    (0x028f, CodecId::AdpcmG722),
    (0x1500, CodecId::GsmMs),
    (0x1600, CodecId::Aac),
    (0x1602, CodecId::AacLatm),
    (0x2000, CodecId::Ac3),
    (0x2000, CodecId::Eac3),
    (0x2001, CodecId::Dts),
    (0x6c75, CodecId::PcmMulaw),
    (0x706d, CodecId::Aac),
    (0x4143, CodecId::Aac),
    (0xa106, CodecId::Aac),
    (0xa109, CodecId::Speex),
    (0xf1ac, CodecId::Flac),
    (0x5346, CodecId::AdpcmSwf),
    (0x566f, CodecId::Vorbis),
];

/// The GUID tail shared by the `KSDATAFORMAT_SUBTYPE_*` GUIDs whose first four bytes are a
/// format tag (cf. `FF_MEDIASUBTYPE_BASE_GUID`), plus the ambisonic and a common broken variant.
const SUBTYPE_TAILS: [[u8; 12]; 3] = [
    [
        0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71,
    ],
    [
        0x21, 0x07, 0xd3, 0x11, 0x86, 0x44, 0xc8, 0xc1, 0xca, 0x00, 0x00, 0x00,
    ],
    [
        0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x70,
    ],
];

/// `LIST`/`INFO` tags FFmpeg writes, in the order it writes them (cf. `ff_riff_tags`).
static INFO_TAGS: &[&str] = &[
    "IARL", "IART", "IAS1", "IAS2", "IAS3", "IAS4", "IAS5", "IAS6", "IAS7", "IAS8", "IAS9", "ICMS",
    "ICMT", "ICOP", "ICRD", "ICRP", "IDIM", "IDPI", "IENG", "IGNR", "IKEY", "ILGT", "ILNG", "IMED",
    "INAM", "IPLT", "IPRD", "IPRT", "ITRK", "ISBJ", "ISFT", "ISHP", "ISMP", "ISRC", "ISRF", "ITCH",
];

/// `INFO` tags with a generic metadata key (cf. `ff_riff_info_conv`).
static INFO_KEYS: &[(&str, &str)] = &[
    ("IART", "artist"),
    ("ICMT", "comment"),
    ("ICOP", "copyright"),
    ("ICRD", "date"),
    ("IGNR", "genre"),
    ("ILNG", "language"),
    ("INAM", "title"),
    ("IPRD", "album"),
    ("IPRT", "track"),
    ("ITRK", "track"),
    ("ISFT", "encoder"),
    ("ISMP", "timecode"),
    ("ITCH", "encoded_by"),
];

/// The codec a WAVE format tag names for `bits` bits per sample (cf. `ff_wav_codec_get_id`);
/// `None` for unknown tags and for PCM tags with an unusable bit depth.
pub fn codec_from_tag(tag: u16, bits: u32) -> Option<CodecId> {
    let (_, id) = TAGS.iter().find(|(t, _)| *t == tag)?;
    match id {
        CodecId::PcmS16le => match bits.div_ceil(8) {
            1 => Some(CodecId::PcmU8),
            2 => Some(CodecId::PcmS16le),
            3 => Some(CodecId::PcmS24le),
            4 => Some(CodecId::PcmS32le),
            8 if bits <= 64 => Some(CodecId::PcmS64le),
            _ => None,
        },
        CodecId::PcmF32le => match bits {
            32 => Some(CodecId::PcmF32le),
            64 => Some(CodecId::PcmF64le),
            _ => None,
        },
        &id => Some(id),
    }
}

/// The WAVE format tag of a codec, if WAV can store it (cf. `ff_codec_get_tag`).
pub fn tag_for_codec(id: CodecId) -> Option<u16> {
    TAGS.iter().find(|(_, c)| *c == id).map(|(t, _)| *t)
}

/// True when the WAV muxer can store `id`.
pub fn supports_codec(id: CodecId) -> bool {
    tag_for_codec(id).is_some()
}

/// Bits per coded sample as FFmpeg's `av_get_bits_per_sample` reports them for the codecs
/// WAV carries (0 when variable).
fn codec_bits(id: CodecId) -> u32 {
    match id {
        CodecId::PcmF24le => 32,
        CodecId::PcmF16le => 16,
        CodecId::AdpcmImaWav
        | CodecId::AdpcmMs
        | CodecId::AdpcmYamaha
        | CodecId::AdpcmG722
        | CodecId::AdpcmSwf => 4,
        _ => pcm::bits_per_sample(id),
    }
}

/// True for codecs whose every sample takes exactly [`codec_bits`] bits (cf. `av_get_exact_bits_per_sample`).
fn exact_bits(id: CodecId) -> bool {
    pcm::bits_per_sample(id) > 0 || matches!(id, CodecId::AdpcmYamaha | CodecId::AdpcmG722)
}

fn fourcc(t: [u8; 4]) -> String {
    t.iter()
        .map(|&b| {
            if b.is_ascii_graphic() || b == b' ' {
                (b as char).to_string()
            } else {
                format!("[{b}]")
            }
        })
        .collect()
}

fn invalid(offset: u64, reason: impl Into<String>) -> Error {
    Error::InvalidData {
        format: NAME,
        offset,
        reason: reason.into(),
    }
}

/// Scores RIFF/RIFX `....WAVE` 99 (leaving room for formats embedding a WAV header), and
/// RF64/BW64 with a `ds64` chunk 100 (cf. `wav_probe`).
pub fn probe(pd: &ProbeData<'_>) -> u32 {
    let b = pd.buf;
    if b.len() <= 32 || &b[8..12] != b"WAVE" {
        return 0;
    }
    match &b[0..4] {
        b"RIFF" | b"RIFX" => SCORE_MAX - 1,
        b"RF64" | b"BW64" if &b[12..16] == b"ds64" => SCORE_MAX,
        _ => 0,
    }
}

// ---- fmt chunk -----------------------------------------------------------------------------

/// Reads a `fmt ` chunk of `size` bytes into codec parameters (cf. `ff_get_wav_header`).
/// The layout is the extensible mask's when it matches the channel count, otherwise the
/// default layout for the count.
pub fn parse_fmt(io: &mut IoReader, size: u64, big_endian: bool) -> Result<CodecParameters> {
    let start = io.tell();
    if size < 14 {
        return Err(invalid(
            start,
            format!("'fmt ' chunk of {size} bytes is shorter than the 14 of a WAVEFORMAT"),
        ));
    }
    let r16 = |io: &mut IoReader, what| {
        if big_endian {
            io.rb16(NAME, what)
        } else {
            io.rl16(NAME, what)
        }
    };
    let r32 = |io: &mut IoReader, what| {
        if big_endian {
            io.rb32(NAME, what)
        } else {
            io.rl32(NAME, what)
        }
    };
    let tag = r16(io, "format tag")?;
    let channels = u32::from(r16(io, "channel count")?);
    let sample_rate = r32(io, "sample rate")?;
    let byte_rate = r32(io, "byte rate")?;
    let block_align = u32::from(r16(io, "block align")?);
    let mut bits = if size == 14 {
        8
    } else {
        u32::from(r16(io, "bits per sample")?)
    };
    let mut codec_tag = u32::from(tag);
    let mut codec = if tag == 0xfffe {
        None
    } else {
        codec_from_tag(tag, bits)
    };
    let mut mask: Option<u64> = None;
    let mut extradata = Buffer::default();
    if size >= 18 {
        let cb = u64::from(r16(io, "cbSize")?);
        if big_endian {
            return Err(invalid(
                start,
                "WAVEFORMATEX in RIFX files is not supported",
            ));
        }
        let mut left = size - 18;
        let mut cb = cb.min(left);
        if cb >= 22 && tag == 0xfffe {
            let valid = u32::from(io.rl16(NAME, "valid bits per sample")?);
            if valid != 0 {
                bits = valid;
            }
            let m = io.rl32(NAME, "channel mask")?;
            mask = (m != 0).then_some(u64::from(m));
            let mut guid = [0u8; 16];
            io.read_exact(&mut guid, NAME, "subformat GUID")?;
            if SUBTYPE_TAILS.iter().any(|t| guid[4..] == t[..]) {
                codec_tag = u32::from_le_bytes([guid[0], guid[1], guid[2], guid[3]]);
                codec = u16::try_from(codec_tag)
                    .ok()
                    .and_then(|t| codec_from_tag(t, bits));
            } else {
                let hex: String = guid.iter().map(|b| format!("{b:02x}")).collect();
                return Err(invalid(start, format!("unknown subformat GUID {hex}")));
            }
            cb -= 22;
            left -= 22;
        }
        if cb > 0 {
            let mut v = vec![0u8; cb as usize];
            io.read_exact(&mut v, NAME, "fmt extradata")?;
            extradata = Buffer::from_vec(v);
            left -= cb;
        }
        // Garbage after the declared structures is skipped by the chunk walker.
        let _ = left;
    } else if tag == 0xfffe {
        return Err(invalid(
            start,
            "WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk is too short for its extension",
        ));
    }
    if sample_rate == 0 || sample_rate > i32::MAX as u32 {
        return Err(invalid(
            start,
            format!("Invalid sample rate: {sample_rate}"),
        ));
    }
    if channels == 0 {
        return Err(invalid(start, "the channel count is 0"));
    }
    if channels > MAX_CHANNELS {
        return Err(Error::LimitExceeded {
            format: NAME,
            what: "channel count",
            value: u64::from(channels),
            limit: u64::from(MAX_CHANNELS),
        });
    }
    let Some(codec) = codec else {
        return Err(invalid(
            start,
            format!(
                "format tag 0x{codec_tag:04x} with {bits} bits per sample names no supported codec"
            ),
        ));
    };
    let layout = match mask {
        Some(m) if m.count_ones() == channels => ChannelLayout::Native(m),
        _ => ChannelLayout::Unspecified(channels),
    };
    let mut p = CodecParameters::new(codec);
    p.media_type = MediaType::Audio;
    p.codec_tag = codec_tag;
    p.sample_rate = sample_rate;
    p.ch_layout = Some(layout);
    p.block_align = block_align;
    p.bits_per_coded_sample = bits;
    p.bit_rate = (byte_rate > 0).then_some(u64::from(byte_rate) * 8);
    p.sample_fmt = pcm::decoded_format(codec);
    p.extradata = extradata;
    Ok(p)
}

/// Builds a `fmt ` chunk body for `p` as FFmpeg's muxer does (cf. `ff_put_wav_header`).
pub fn build_fmt(p: &CodecParameters, stream: usize) -> Result<Vec<u8>> {
    let unsupported = |what: String| Error::Unsupported {
        format: NAME,
        stream,
        what,
    };
    let tag = tag_for_codec(p.codec_id).ok_or_else(|| {
        unsupported(format!(
            "Codec {} not supported in WAVE format",
            p.codec_id.name()
        ))
    })?;
    let ch = p.channels();
    let sr = p.sample_rate;
    if ch == 0 || ch > u32::from(u16::MAX) {
        return Err(unsupported(format!("cannot store {ch} channels")));
    }
    if sr == 0 {
        return Err(unsupported("sample rate 0".into()));
    }
    let id = p.codec_id;
    let layout = p.ch_layout.unwrap_or(ChannelLayout::Unspecified(ch));
    let extensible = matches!(layout, ChannelLayout::Native(m)
        if m != ChannelLayout::MONO.mask().unwrap_or(0) && m != ChannelLayout::STEREO.mask().unwrap_or(0))
        || sr > 48000
        || id == CodecId::Eac3
        || codec_bits(id) > 16;
    let bps = match id {
        CodecId::Atrac3 | CodecId::Mp2 | CodecId::Mp3 | CodecId::GsmMs => 0,
        _ => match codec_bits(id) {
            0 if p.bits_per_coded_sample != 0 => p.bits_per_coded_sample,
            0 => 16,
            b => b,
        },
    };
    let bit_rate = p.bit_rate.unwrap_or(0);
    let block_align: u64 = match id {
        CodecId::Mp2 => (144 * bit_rate).saturating_sub(1) / u64::from(sr) + 1,
        CodecId::Mp3 => 576 * if sr <= 28000 { 1 } else { 2 },
        CodecId::Ac3 => 3840,
        CodecId::Aac => 768 * u64::from(ch),
        _ if p.block_align != 0 => u64::from(p.block_align),
        _ => {
            let g = avutil::rational::gcd(8, i64::from(bps)).max(1);
            u64::from(bps) * u64::from(ch) / g
        }
    };
    let block_align = u16::try_from(block_align)
        .map_err(|_| unsupported(format!("block align {block_align} does not fit WAV")))?;
    let byte_rate: u64 = match id {
        CodecId::PcmU8
        | CodecId::PcmS16le
        | CodecId::PcmS24le
        | CodecId::PcmS32le
        | CodecId::PcmF32le
        | CodecId::PcmF64le => u64::from(sr) * u64::from(block_align),
        _ if bit_rate == 0 && pcm::bits_per_sample(id) > 0 => {
            u64::from(sr) * u64::from(block_align)
        }
        _ => bit_rate / 8,
    };
    let mut extra: Vec<u8> = Vec::new();
    match id {
        CodecId::Mp3 => {
            for v in [1u16, 2, 0, 1152, 1, 1393] {
                extra.extend_from_slice(&v.to_le_bytes());
            }
        }
        CodecId::Mp2 => {
            extra.extend_from_slice(&2u16.to_le_bytes()); // fwHeadLayer
            extra.extend_from_slice(&(bit_rate as u32).to_le_bytes()); // dwHeadBitrate
            extra.extend_from_slice(&(if ch == 2 { 1u16 } else { 8 }).to_le_bytes()); // fwHeadMode
            extra.extend_from_slice(&0u16.to_le_bytes()); // fwHeadModeExt
            extra.extend_from_slice(&1u16.to_le_bytes()); // wHeadEmphasis
            extra.extend_from_slice(&16u16.to_le_bytes()); // fwHeadFlags
            extra.extend_from_slice(&0u32.to_le_bytes()); // dwPTSLow
            extra.extend_from_slice(&0u32.to_le_bytes()); // dwPTSHigh
        }
        CodecId::GsmMs | CodecId::AdpcmImaWav => {
            let spb =
                frame_duration(id, ch, u32::from(block_align), u32::from(block_align)).unwrap_or(0);
            extra.extend_from_slice(&(spb as u16).to_le_bytes());
        }
        _ => extra.extend_from_slice(&p.extradata),
    }
    let mut f = Vec::with_capacity(40 + extra.len());
    f.extend_from_slice(&(if extensible { 0xfffe } else { tag }).to_le_bytes());
    f.extend_from_slice(&(ch as u16).to_le_bytes());
    f.extend_from_slice(&sr.to_le_bytes());
    f.extend_from_slice(&(byte_rate as u32).to_le_bytes());
    f.extend_from_slice(&block_align.to_le_bytes());
    f.extend_from_slice(&(bps as u16).to_le_bytes());
    if extensible {
        let cb = u16::try_from(extra.len() + 22)
            .map_err(|_| unsupported("extradata too large for WAV".into()))?;
        f.extend_from_slice(&cb.to_le_bytes());
        f.extend_from_slice(&(bps as u16).to_le_bytes());
        let mask = layout.mask().filter(|&m| m < 0x40000).unwrap_or(0) as u32;
        f.extend_from_slice(&mask.to_le_bytes());
        f.extend_from_slice(&u32::from(tag).to_le_bytes());
        f.extend_from_slice(&SUBTYPE_TAILS[0]);
    } else if tag != 1 || !extra.is_empty() {
        let cb = u16::try_from(extra.len())
            .map_err(|_| unsupported("extradata too large for WAV".into()))?;
        f.extend_from_slice(&cb.to_le_bytes());
    }
    f.extend_from_slice(&extra);
    Ok(f)
}

/// Samples in a packet of `size` bytes (cf. `av_get_audio_frame_duration2`), if the codec says.
fn frame_duration(id: CodecId, channels: u32, block_align: u32, size: u32) -> Option<u32> {
    let ch = channels.max(1);
    match id {
        CodecId::PcmF24le | CodecId::PcmF16le if block_align > 0 => Some(size / block_align),
        CodecId::AdpcmImaWav if block_align > 4 * ch => {
            let per_block = (block_align - 4 * ch) * 2 / ch + 1;
            Some(size / block_align * per_block)
        }
        CodecId::AdpcmMs if block_align > 7 * ch => {
            let per_block = (block_align - 7 * ch) * 2 / ch + 2;
            Some(size / block_align * per_block)
        }
        CodecId::GsmMs if block_align > 0 => Some(size / block_align * 320),
        // 4 bits per sample, no block headers.
        CodecId::AdpcmYamaha | CodecId::AdpcmG722 => Some(size * 2 / ch),
        _ => {
            let bits = pcm::bits_per_sample(id);
            (bits > 0).then(|| (u64::from(size) * 8 / (u64::from(bits) * u64::from(ch))) as u32)
        }
    }
}

// ---- demuxer -------------------------------------------------------------------------------

/// The WAV demuxer (cf. `ff_wav_demuxer`). Private options: `ignore_length`, `max_size`.
#[derive(Debug, Default)]
pub struct WavDemuxer {
    rifx: bool,
    max_size: u32,
    ignore_length: bool,
    /// Start and end (exclusive; `u64::MAX` when unknown) of the `data` payload chosen by
    /// the header scan.
    data_ofs: u64,
    data_end_hdr: u64,
    /// End of the payload being read (moves on to later `data` chunks).
    data_end: u64,
    next_pts: i64,
    codec: Option<CodecId>,
    channels: u32,
    block_align: u32,
    sample_rate: u32,
    bit_rate: u64,
}

fn parse_bool(v: &str) -> Option<bool> {
    match v {
        "1" | "true" | "on" | "yes" => Some(true),
        "0" | "false" | "off" | "no" => Some(false),
        _ => None,
    }
}

impl WavDemuxer {
    fn apply_options(&mut self, private: &Dictionary) -> Result<()> {
        self.max_size = DEFAULT_MAX_SIZE;
        for (k, v) in private.iter() {
            match k {
                "ignore_length" => {
                    self.ignore_length = parse_bool(v).ok_or_else(|| Error::InvalidOption {
                        format: NAME,
                        what: format!("invalid boolean '{v}' for option 'ignore_length'"),
                    })?;
                }
                "max_size" => {
                    self.max_size = v
                        .parse::<u32>()
                        .ok()
                        .filter(|n| (1024..=1 << 22).contains(n))
                        .ok_or_else(|| Error::InvalidOption {
                            format: NAME,
                            what: format!(
                                "value '{v}' for option 'max_size' is not an integer from 1024 to 4194304"
                            ),
                        })?;
                }
                _ => {
                    return Err(Error::InvalidOption {
                        format: NAME,
                        what: format!("unknown option '{k}'"),
                    });
                }
            }
        }
        Ok(())
    }

    fn read_u32(&self, io: &mut IoReader, what: &'static str) -> Result<u32> {
        if self.rifx {
            io.rb32(NAME, what)
        } else {
            io.rl32(NAME, what)
        }
    }

    /// Tag and size of the next chunk; `None` when fewer than 8 bytes are left.
    fn next_chunk(&self, io: &mut IoReader) -> Result<Option<([u8; 4], u32)>> {
        let mut h = [0u8; 8];
        if io.read_full(&mut h)? < 8 {
            return Ok(None);
        }
        let tag = [h[0], h[1], h[2], h[3]];
        let size = [h[4], h[5], h[6], h[7]];
        Ok(Some((
            tag,
            if self.rifx {
                u32::from_be_bytes(size)
            } else {
                u32::from_le_bytes(size)
            },
        )))
    }
}

/// Reads up to `n` bytes without allocating more than what actually arrives.
fn read_bounded(io: &mut IoReader, n: u64) -> Result<Vec<u8>> {
    let mut v = Vec::new();
    let mut chunk = [0u8; 8192];
    let mut left = n;
    while left > 0 {
        let want = left.min(chunk.len() as u64) as usize;
        let got = io.read_some(&mut chunk[..want])?;
        if got == 0 {
            break;
        }
        v.extend_from_slice(&chunk[..got]);
        left -= got as u64;
    }
    Ok(v)
}

/// Reads the sub-chunks of a `LIST`/`INFO` chunk of `size` bytes into `meta` under their
/// four-character codes (cf. `ff_read_riff_info`).
fn read_info(io: &mut IoReader, size: u64, meta: &mut Dictionary) -> Result<()> {
    let end = io.tell().saturating_add(size);
    loop {
        let cur = io.tell();
        if cur.saturating_add(8) > end {
            break;
        }
        let mut h = [0u8; 8];
        if io.read_full(&mut h)? < 8 {
            log::warn!("wav: truncated file while reading INFO");
            break;
        }
        let mut code = [h[0], h[1], h[2], h[3]];
        let mut csize = u64::from(u32::from_le_bytes([h[4], h[5], h[6], h[7]]));
        let too_big = |cur: u64, s: u64| s == u64::from(u32::MAX) || cur + 8 + s > end;
        if too_big(cur, csize) {
            // Some writers forget a pad byte: retry one byte earlier, as FFmpeg does.
            if cur == 0 || io.seek(cur - 1).is_err() || io.read_full(&mut h)? < 8 {
                break;
            }
            code = [h[0], h[1], h[2], h[3]];
            csize = u64::from(u32::from_le_bytes([h[4], h[5], h[6], h[7]]));
            if too_big(cur - 1, csize) {
                log::warn!("wav: too big INFO subchunk");
                break;
            }
        }
        csize += csize & 1;
        if code == [0; 4] {
            if csize > 0 {
                io.skip(csize)?;
                continue;
            }
            break;
        }
        if csize > MAX_INFO_VALUE {
            log::warn!("wav: INFO tag {} of {csize} bytes skipped", fourcc(code));
            io.skip(csize)?;
            continue;
        }
        let v = read_bounded(io, csize)?;
        if (v.len() as u64) < csize {
            log::warn!("wav: premature end of file while reading INFO tag");
            break;
        }
        let text = v.split(|&b| b == 0).next().unwrap_or(&[]);
        meta.set(
            String::from_utf8_lossy(&code).into_owned(),
            String::from_utf8_lossy(text).into_owned(),
        );
    }
    Ok(())
}

/// Renames `INFO` codes to FFmpeg's generic keys (cf. `ff_metadata_conv` with `ff_riff_info_conv`).
fn info_to_generic(src: &Dictionary) -> Dictionary {
    let mut d = Dictionary::new();
    for (k, v) in src.iter() {
        let key = INFO_KEYS
            .iter()
            .find(|(code, _)| code.eq_ignore_ascii_case(k))
            .map_or(k, |(_, g)| *g);
        d.set(key, v);
    }
    d
}

impl Demuxer for WavDemuxer {
    fn read_header(&mut self, io: &mut IoReader, state: &mut DemuxState) -> Result<()> {
        self.apply_options(&state.options.private)?;
        let riff = io.tag(NAME, "RIFF header")?;
        let rf64 = match &riff {
            b"RIFF" => false,
            b"RIFX" => {
                self.rifx = true;
                false
            }
            b"RF64" | b"BW64" => true,
            _ => {
                return Err(invalid(
                    0,
                    format!("invalid start code {} in RIFF header", fourcc(riff)),
                ));
            }
        };
        self.read_u32(io, "RIFF size")?;
        let wave = io.tag(NAME, "RIFF form type")?;
        if &wave != b"WAVE" {
            return Err(invalid(
                8,
                format!(
                    "invalid format in RIFF header: {} instead of WAVE",
                    fourcc(wave)
                ),
            ));
        }
        let mut data_size: u64 = 0;
        let mut sample_count: u64 = 0;
        if rf64 {
            let t = io.tag(NAME, "ds64 chunk")?;
            if &t != b"ds64" {
                return Err(invalid(
                    12,
                    format!("{} chunk instead of ds64 after RF64 header", fourcc(t)),
                ));
            }
            let size = io.rl32(NAME, "ds64 size")?;
            if size < 24 {
                return Err(invalid(
                    16,
                    format!("ds64 chunk of {size} bytes is too short"),
                ));
            }
            io.rl64(NAME, "ds64 RIFF size")?;
            data_size = io.rl64(NAME, "ds64 data size")?;
            sample_count = io.rl64(NAME, "ds64 sample count")?;
            if data_size > i64::MAX as u64 || sample_count > i64::MAX as u64 {
                return Err(invalid(
                    20,
                    format!(
                        "negative data_size and/or sample_count in ds64: data_size = {}, sample_count = {}",
                        data_size as i64, sample_count as i64
                    ),
                ));
            }
            io.skip(u64::from(size) - 24)?;
        }

        let seekable = io.is_seekable();
        let file_size = io.size();
        let mut params: Option<CodecParameters> = None;
        let mut data_ofs: Option<u64> = None;
        let mut data_end = u64::MAX;
        let mut info = Dictionary::new();
        loop {
            let chunk_at = io.tell();
            let Some((tag, size)) = self.next_chunk(io)? else {
                break;
            };
            let body = io.tell();
            let mut next = body + u64::from(size);
            match &tag {
                b"fmt " => {
                    if params.is_none() {
                        params = Some(parse_fmt(io, u64::from(size), self.rifx)?);
                    } else {
                        log::warn!("wav: found more than one 'fmt ' tag");
                    }
                }
                b"data" => {
                    if !seekable && params.is_none() {
                        return Err(invalid(
                            chunk_at,
                            "found no 'fmt ' tag before the 'data' tag",
                        ));
                    }
                    if rf64 {
                        data_end = body.saturating_add(data_size);
                        next = data_end;
                    } else if size != u32::MAX {
                        data_size = u64::from(size);
                        data_end = if size > 0 { next } else { u64::MAX };
                        next = data_end;
                    } else {
                        log::warn!("wav: Ignoring maximum wav data size, file may be invalid");
                        data_size = 0;
                        data_end = u64::MAX;
                        next = u64::MAX;
                    }
                    data_ofs = Some(body);
                    if !seekable || (!rf64 && size == 0) {
                        break;
                    }
                }
                b"fact" if sample_count == 0 && size >= 4 => {
                    sample_count = u64::from(self.read_u32(io, "fact sample count")?);
                }
                b"LIST" | b"list" => {
                    if size < 4 {
                        return Err(invalid(chunk_at, "too short LIST tag"));
                    }
                    if &io.tag(NAME, "LIST type")? == b"INFO" {
                        read_info(io, u64::from(size) - 4, &mut info)?;
                    }
                }
                _ => {}
            }
            if file_size.is_some_and(|s| next >= s) || next == u64::MAX {
                break;
            }
            if io.seek(next + (next & 1)).is_err() {
                break;
            }
        }

        let Some(mut p) = params else {
            return Err(invalid(io.tell(), "no 'fmt ' tag found"));
        };
        let Some(data_ofs) = data_ofs else {
            return Err(invalid(io.tell(), "no 'data' tag found"));
        };
        io.seek(data_ofs)?;
        if data_size > (i64::MAX >> 3) as u64 {
            log::warn!("wav: Data size {data_size} is too large");
            data_size = 0;
        }
        let ch = u64::from(p.channels());
        let sr = u64::from(p.sample_rate);
        let bit_rate = p.bit_rate.unwrap_or(0);
        if bit_rate > 0
            && data_size > 0
            && sample_count > 0
            && ch > 1
            && sample_count.is_multiple_of(ch)
            && (8.0 * data_size as f64 * ch as f64 * sr as f64
                / sample_count as f64
                / bit_rate as f64
                - 1.0)
                .abs()
                < 0.3
        {
            sample_count /= ch;
        }
        if data_size > 0
            && sample_count > 0
            && (data_size << 3) / sample_count / ch > u64::from(p.bits_per_coded_sample) + 1
        {
            log::warn!("wav: ignoring wrong sample_count {sample_count}");
            sample_count = 0;
        }
        let bits = u64::from(codec_bits(p.codec_id));
        if (sample_count == 0 || exact_bits(p.codec_id))
            && data_size > 0
            && bits > 0
            && file_size.is_some_and(|s| data_end <= s)
        {
            sample_count = (data_size << 3) / (ch * bits);
        }
        // Codec fix-ups FFmpeg applies after the scan.
        if p.codec_id == CodecId::PcmS32le
            && u64::from(p.block_align) == ch * 4
            && p.bits_per_coded_sample == 32
            && p.extradata.as_slice() == [1, 0]
        {
            p.codec_id = CodecId::PcmF16le;
            p.bits_per_coded_sample = 16;
        } else if p.codec_id == CodecId::PcmS24le
            && u64::from(p.block_align) == ch * 4
            && p.bits_per_coded_sample == 24
        {
            p.codec_id = CodecId::PcmF24le;
        } else if p.codec_id == CodecId::AdpcmMs && ch > 2 {
            p.block_align = p.block_align.saturating_mul(ch as u32);
        }
        p.sample_fmt = pcm::decoded_format(p.codec_id);
        if matches!(
            p.codec_id,
            CodecId::AdpcmMs | CodecId::AdpcmImaWav | CodecId::GsmMs
        ) && p.block_align == 0
        {
            return Err(invalid(
                data_ofs,
                format!("block_align is 0 for {}", p.codec_id.name()),
            ));
        }

        self.data_ofs = data_ofs;
        self.data_end_hdr = data_end;
        self.data_end = data_end;
        self.codec = Some(p.codec_id);
        self.channels = p.channels();
        self.block_align = p.block_align;
        self.sample_rate = p.sample_rate;
        self.bit_rate = bit_rate;
        let tb = Rational::new(1, p.sample_rate as i32);
        let i = state.add_stream(p, tb);
        let st = &mut state.streams[i];
        if sample_count > 0 {
            st.duration = i64::try_from(sample_count).ok();
        } else if let Some(size) = file_size.filter(|&s| s > data_ofs)
            && bit_rate > 0
        {
            // FFmpeg's estimate from the bit rate (cf. `estimate_timings_from_bit_rate`).
            log::info!("wav: Estimating duration from bitrate, this may be inaccurate");
            st.duration = rescale(
                (size - data_ofs) as i64,
                8 * i64::from(self.sample_rate),
                bit_rate as i64,
            );
        }
        state.metadata = info_to_generic(&info);
        Ok(())
    }

    fn read_packet(
        &mut self,
        io: &mut IoReader,
        _state: &mut DemuxState,
    ) -> Result<Option<Packet>> {
        let mut left: u64 = if self.ignore_length {
            i32::MAX as u64
        } else {
            self.data_end.saturating_sub(io.tell())
        };
        while left == 0 {
            // Look for a further data chunk (cf. `find_tag`).
            let Some((tag, size)) = self.next_chunk(io)? else {
                return Ok(None);
            };
            if &tag == b"data" {
                self.data_end = io.tell() + u64::from(size);
                left = u64::from(size);
            } else {
                let skip = u64::from(size) + u64::from(size & 1);
                if io.skip(skip)? < skip {
                    return Ok(None);
                }
            }
        }
        let mut size = u64::from(self.max_size);
        if self.block_align > 1 {
            let ba = u64::from(self.block_align);
            size = size.max(ba) / ba * ba;
        }
        let size = size.min(left) as usize;
        let pos = io.tell();
        // Never allocate more than the input still holds (block_align comes from the header).
        let avail = io
            .size()
            .map_or(size, |s| s.saturating_sub(pos).min(size as u64) as usize);
        let data = io.read_buffer(avail)?;
        if data.is_empty() {
            return Ok(None);
        }
        let mut pkt = Packet::new(data);
        pkt.flags.key = true;
        pkt.flags.corrupt = pkt.data.len() < size;
        pkt.pos = Some(pos);
        pkt.stream_index = 0;
        let codec = self.codec.unwrap_or(CodecId::PcmS16le);
        // A packet shorter than one sample frame (a truncated file) gets no timestamps, as in FFmpeg.
        if let Some(d) = frame_duration(
            codec,
            self.channels,
            self.block_align,
            pkt.data.len() as u32,
        ) && d > 0
        {
            pkt.pts = Some(self.next_pts);
            pkt.dts = Some(self.next_pts);
            pkt.duration = Some(i64::from(d));
            self.next_pts += i64::from(d);
        } else if pos == self.data_ofs {
            pkt.pts = Some(0);
            pkt.dts = Some(0);
        }
        Ok(Some(pkt))
    }

    fn seek(
        &mut self,
        io: &mut IoReader,
        state: &mut DemuxState,
        target: SeekTarget,
    ) -> Result<i64> {
        let codec = self.codec.unwrap_or(CodecId::PcmS16le);
        let seek_err = |reason: String| Error::Seek {
            url: state.url.clone(),
            reason,
        };
        if matches!(
            codec,
            CodecId::Mp2 | CodecId::Mp3 | CodecId::Ac3 | CodecId::Dts
        ) {
            return Err(seek_err(format!(
                "seeking in {} WAV needs a parser-built index, which is not implemented",
                codec.name()
            )));
        }
        let block_align = i64::from(if self.block_align != 0 {
            self.block_align
        } else {
            codec_bits(codec) * self.channels / 8
        });
        let byte_rate = if self.bit_rate > 0 {
            (self.bit_rate / 8) as i64
        } else {
            block_align * i64::from(self.sample_rate)
        };
        if block_align <= 0 || byte_rate <= 0 {
            return Err(seek_err("unknown block size or byte rate".into()));
        }
        let tb = state
            .streams
            .first()
            .map_or(Rational::new(1, 1), |s| s.time_base);
        let landed = super::pcm::pcm_seek(
            io,
            &state.url,
            self.data_ofs,
            block_align as u64,
            byte_rate as u64,
            tb,
            target,
        )?;
        self.data_end = self.data_end_hdr;
        self.next_pts = landed;
        Ok(landed)
    }
}

// ---- muxer ---------------------------------------------------------------------------------

/// The WAV muxer (cf. `ff_wav_muxer`).
#[derive(Debug, Default)]
pub struct WavMuxer {
    data_start: u64,
    fact_pos: Option<u64>,
    min_pts: Option<i64>,
    max_pts: Option<i64>,
    last_duration: i64,
    block_align: u64,
}

/// The `LIST`/`INFO` chunk for `meta` (cf. `ff_riff_write_info`); empty when no key maps to a tag.
fn build_info(meta: &Dictionary) -> Vec<u8> {
    // Generic keys to INFO codes; codes given directly are kept.
    let mut codes = Dictionary::new();
    for (k, v) in meta.iter() {
        let code = INFO_KEYS
            .iter()
            .find(|(_, g)| g.eq_ignore_ascii_case(k))
            .map_or(k, |(c, _)| *c);
        codes.set(code, v);
    }
    let mut body = Vec::new();
    for tag in INFO_TAGS {
        let Some((_, v)) = codes.iter().find(|(k, _)| k == tag) else {
            continue;
        };
        if v.is_empty() {
            continue;
        }
        let len = v.len() + 1;
        body.extend_from_slice(tag.as_bytes());
        body.extend_from_slice(&(len as u32).to_le_bytes());
        body.extend_from_slice(v.as_bytes());
        body.push(0);
        if len & 1 == 1 {
            body.push(0);
        }
    }
    if body.is_empty() {
        return body;
    }
    let mut list = Vec::with_capacity(body.len() + 12);
    list.extend_from_slice(b"LIST");
    list.extend_from_slice(&(body.len() as u32 + 4).to_le_bytes());
    list.extend_from_slice(b"INFO");
    list.extend_from_slice(&body);
    list
}

impl Muxer for WavMuxer {
    fn write_header(&mut self, io: &mut IoWriter, state: &mut MuxState) -> Result<()> {
        if state.streams.len() != 1 {
            return Err(Error::Unsupported {
                format: NAME,
                stream: state.streams.len().min(1),
                what: "WAVE files have exactly one stream".into(),
            });
        }
        let st = &mut state.streams[0];
        let fmt = build_fmt(&st.params, 0)?;
        let p = &st.params;
        let tag = tag_for_codec(p.codec_id).unwrap_or(1);
        self.block_align = u64::from(u16::from_le_bytes([fmt[12], fmt[13]]));
        io.write_all(b"RIFF")?;
        io.wl32(u32::MAX)?;
        io.write_all(b"WAVE")?;
        io.write_all(b"fmt ")?;
        io.wl32(fmt.len() as u32)?;
        io.write_all(&fmt)?;
        if fmt.len() & 1 == 1 {
            io.w8(0)?;
        }
        if tag != 1 && io.is_seekable() {
            io.write_all(b"fact")?;
            io.wl32(4)?;
            self.fact_pos = Some(io.tell());
            io.wl32(0)?;
        }
        // As ffmpeg: our own name in ISFT, or no encoder tag at all when bitexact.
        let mut meta = state.metadata.clone();
        if state.bitexact {
            meta.remove("encoder");
            meta.remove("ISFT");
        } else {
            meta.set("encoder", crate::SOFTWARE);
        }
        io.write_all(&build_info(&meta))?;
        io.write_all(b"data")?;
        io.wl32(u32::MAX)?;
        self.data_start = io.tell();
        st.time_base = Rational::new(1, st.params.sample_rate as i32);
        Ok(())
    }

    fn write_packet(
        &mut self,
        io: &mut IoWriter,
        _state: &MuxState,
        packet: &Packet,
    ) -> Result<()> {
        io.write_all(&packet.data)?;
        if let Some(pts) = packet.pts {
            self.min_pts = Some(self.min_pts.map_or(pts, |m| m.min(pts)));
            self.max_pts = Some(self.max_pts.map_or(pts, |m| m.max(pts)));
            self.last_duration = packet.duration.unwrap_or(0);
        }
        Ok(())
    }

    fn write_trailer(&mut self, io: &mut IoWriter, state: &MuxState) -> Result<()> {
        if !io.is_seekable() {
            return io.flush();
        }
        let end = io.tell();
        let data_size = end - self.data_start;
        if end & 1 == 1 {
            io.w8(0)?;
        }
        let file_size = io.tell();
        if data_size < u64::from(u32::MAX) {
            io.seek(self.data_start - 4)?;
            io.wl32(data_size as u32)?;
        }
        io.seek(4)?;
        io.wl32(file_size.wrapping_sub(8) as u32)?;
        if let Some(fact) = self.fact_pos {
            let samples = match (self.min_pts, self.max_pts) {
                (Some(lo), Some(hi)) => {
                    let st = &state.streams[0];
                    let n = hi - lo + self.last_duration;
                    rescale(
                        n,
                        i64::from(st.params.sample_rate) * i64::from(st.time_base.num),
                        i64::from(st.time_base.den),
                    )
                    .unwrap_or(0)
                }
                _ if self.block_align > 0 => (data_size / self.block_align) as i64,
                _ => 0,
            };
            io.seek(fact)?;
            io.wl32(samples as u32)?;
        }
        io.seek(file_size)?;
        io.flush()
    }
}

// ---- registration --------------------------------------------------------------------------

/// The `wav` demuxer entry.
pub fn demuxers() -> Vec<DemuxerInfo> {
    vec![DemuxerInfo {
        name: NAME,
        long_name: "WAV / WAVE (Waveform Audio)",
        extensions: "",
        mime_types: "",
        flags: DemuxFlags::default(),
        probe: Some(probe),
        create: || Box::new(WavDemuxer::default()),
    }]
}

/// The `wav` muxer entry.
pub fn muxers() -> Vec<MuxerInfo> {
    vec![MuxerInfo {
        name: NAME,
        long_name: "WAV / WAVE (Waveform Audio)",
        extensions: "wav",
        mime_types: "audio/x-wav",
        default_video: None,
        default_audio: Some(CodecId::PcmS16le),
        flags: MuxFlags::default(),
        supports: supports_codec,
        create: || Box::new(WavMuxer::default()),
    }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use avutil::SampleFormat;

    #[test]
    fn tags_and_bit_depths() {
        assert_eq!(codec_from_tag(1, 8), Some(CodecId::PcmU8));
        assert_eq!(codec_from_tag(1, 12), Some(CodecId::PcmS16le));
        assert_eq!(codec_from_tag(1, 20), Some(CodecId::PcmS24le));
        assert_eq!(codec_from_tag(1, 32), Some(CodecId::PcmS32le));
        assert_eq!(codec_from_tag(1, 64), Some(CodecId::PcmS64le));
        assert_eq!(codec_from_tag(1, 0), None);
        assert_eq!(codec_from_tag(1, 48), None);
        assert_eq!(codec_from_tag(3, 32), Some(CodecId::PcmF32le));
        assert_eq!(codec_from_tag(3, 64), Some(CodecId::PcmF64le));
        assert_eq!(codec_from_tag(3, 24), None);
        assert_eq!(codec_from_tag(6, 8), Some(CodecId::PcmAlaw));
        assert_eq!(codec_from_tag(7, 8), Some(CodecId::PcmMulaw));
        assert_eq!(codec_from_tag(0x50, 0), Some(CodecId::Mp2));
        assert_eq!(codec_from_tag(0x55, 0), Some(CodecId::Mp3));
        assert_eq!(codec_from_tag(0x2000, 0), Some(CodecId::Ac3));
        assert_eq!(codec_from_tag(0x11, 4), Some(CodecId::AdpcmImaWav));
        assert_eq!(codec_from_tag(0x02, 4), Some(CodecId::AdpcmMs));
        assert_eq!(codec_from_tag(0x1234, 16), None);
        assert_eq!(tag_for_codec(CodecId::PcmS24le), Some(1));
        assert_eq!(tag_for_codec(CodecId::PcmF64le), Some(3));
        assert_eq!(tag_for_codec(CodecId::PcmS16be), None);
    }

    fn fmt_of(id: CodecId, fmt: SampleFormat, rate: u32, layout: ChannelLayout) -> Vec<u8> {
        build_fmt(&CodecParameters::audio(id, fmt, rate, layout), 0).expect("fmt")
    }

    #[test]
    fn extensible_exactly_when_ffmpeg_uses_it() {
        let s16 = |rate, layout| fmt_of(CodecId::PcmS16le, SampleFormat::S16, rate, layout);
        // PCMWAVEFORMAT (16 bytes) for mono/stereo 16-bit up to 48 kHz.
        assert_eq!(s16(48000, ChannelLayout::STEREO).len(), 16);
        assert_eq!(s16(8000, ChannelLayout::MONO).len(), 16);
        assert_eq!(s16(8000, ChannelLayout::Unspecified(3)).len(), 16);
        // EXTENSIBLE (40 bytes) above 48 kHz, for other layouts, above 16 bits.
        let e = s16(96000, ChannelLayout::STEREO);
        assert_eq!((e.len(), &e[0..2]), (40, &[0xfe, 0xff][..]));
        assert_eq!(&e[20..24], &3u32.to_le_bytes());
        let e = s16(8000, ChannelLayout::default_for(6));
        assert_eq!(&e[20..24], &0x3fu32.to_le_bytes());
        let e = fmt_of(
            CodecId::PcmS24le,
            SampleFormat::S32,
            8000,
            ChannelLayout::MONO,
        );
        assert_eq!(e.len(), 40);
        assert_eq!(&e[20..24], &4u32.to_le_bytes());
        assert_eq!(&e[24..28], &1u32.to_le_bytes());
        // WAVEFORMATEX with cbSize 0 for non-PCM tags.
        let a = fmt_of(
            CodecId::PcmAlaw,
            SampleFormat::S16,
            8000,
            ChannelLayout::MONO,
        );
        assert_eq!(
            (a.len(), &a[0..2], &a[16..18]),
            (18, &[6, 0][..], &[0, 0][..])
        );
        // Masks beyond bit 17 are not written.
        let wide = ChannelLayout::Native(0x3 | (1 << 29) | (1 << 30));
        let e = fmt_of(CodecId::PcmS16le, SampleFormat::S16, 8000, wide);
        assert_eq!(&e[20..24], &[0; 4]);
    }

    #[test]
    fn probe_scores() {
        let mut b = vec![0u8; 64];
        let pd = |b: &[u8]| {
            probe(&ProbeData {
                filename: "",
                buf: b,
                mime_type: None,
            })
        };
        b[..4].copy_from_slice(b"RIFF");
        b[8..12].copy_from_slice(b"WAVE");
        assert_eq!(pd(&b), 99);
        b[..4].copy_from_slice(b"RF64");
        assert_eq!(pd(&b), 0);
        b[12..16].copy_from_slice(b"ds64");
        assert_eq!(pd(&b), 100);
        assert_eq!(pd(&b[..32]), 0);
    }

    #[test]
    fn info_chunk_layout() {
        let mut m = Dictionary::new();
        m.set("title", "T");
        m.set("track", "3");
        m.set("foo", "not written");
        m.set("IENG", "eng");
        let l = build_info(&m);
        assert_eq!(
            l,
            b"LIST\x24\0\0\0INFOIENG\x04\0\0\0eng\0INAM\x02\0\0\0T\0IPRT\x02\0\0\x003\0".to_vec()
        );
        assert!(build_info(&Dictionary::new()).is_empty());
    }
}
