//! The PCM family: uncompressed samples in every integer and float width and
//! byte order, G.711 A-law and mu-law, packed and planar (cf. FFmpeg's `pcm.c`).
//!
//! Decoded formats are FFmpeg's: 8-bit codecs decode to `u8`, 16-bit ones and
//! G.711 to `s16`, 24- and 32-bit ones to `s32` (24-bit samples in the top
//! bits), 64-bit to `s64`, floats to `flt`/`dbl`; the `_planar` codecs to
//! the planar twins. Encoders take exactly those formats. On little-endian
//! hosts, native-order codecs decode and encode without copying: the frame
//! plane *is* the packet buffer.

use std::sync::OnceLock;

use avutil::{Buffer, Frame, Rational, SampleFormat};

use crate::codec::{
    Decoder, DecoderOptions, Encoder, EncoderOptions, OneToOne, Transform,
    frame_timing_from_packet, packet_timing_from_frame, reject_private_options,
};
use crate::codec_id::CodecId;
use crate::error::{Error, Result};
use crate::packet::Packet;
use crate::params::CodecParameters;
use crate::registry::{DecoderInfo, EncoderInfo};

/// How one coded sample is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Coding {
    /// Integer of `bytes` bytes, `signed` or offset binary, `be` byte order.
    Int { bytes: u8, signed: bool, be: bool },
    /// IEEE float of `bytes` (4 or 8) bytes.
    Float { bytes: u8, be: bool },
    /// G.711 A-law.
    Alaw,
    /// G.711 mu-law.
    Mulaw,
}

impl Coding {
    const fn bytes(self) -> usize {
        match self {
            Coding::Int { bytes, .. } | Coding::Float { bytes, .. } => bytes as usize,
            Coding::Alaw | Coding::Mulaw => 1,
        }
    }
}

/// One PCM codec: id, coding, decoded sample format, planar.
#[derive(Debug, Clone, Copy)]
struct PcmCodec {
    id: CodecId,
    coding: Coding,
    fmt: SampleFormat,
    planar: bool,
}

const fn int(
    id: CodecId,
    bytes: u8,
    signed: bool,
    be: bool,
    fmt: SampleFormat,
    planar: bool,
) -> PcmCodec {
    PcmCodec {
        id,
        coding: Coding::Int { bytes, signed, be },
        fmt,
        planar,
    }
}

const fn float(id: CodecId, bytes: u8, be: bool, fmt: SampleFormat) -> PcmCodec {
    PcmCodec {
        id,
        coding: Coding::Float { bytes, be },
        fmt,
        planar: false,
    }
}

use SampleFormat as F;

static CODECS: &[PcmCodec] = &[
    int(CodecId::PcmU8, 1, false, false, F::U8, false),
    int(CodecId::PcmS8, 1, true, false, F::U8, false),
    int(CodecId::PcmS16le, 2, true, false, F::S16, false),
    int(CodecId::PcmS16be, 2, true, true, F::S16, false),
    int(CodecId::PcmU16le, 2, false, false, F::S16, false),
    int(CodecId::PcmU16be, 2, false, true, F::S16, false),
    int(CodecId::PcmS24le, 3, true, false, F::S32, false),
    int(CodecId::PcmS24be, 3, true, true, F::S32, false),
    int(CodecId::PcmU24le, 3, false, false, F::S32, false),
    int(CodecId::PcmU24be, 3, false, true, F::S32, false),
    int(CodecId::PcmS32le, 4, true, false, F::S32, false),
    int(CodecId::PcmS32be, 4, true, true, F::S32, false),
    int(CodecId::PcmU32le, 4, false, false, F::S32, false),
    int(CodecId::PcmU32be, 4, false, true, F::S32, false),
    int(CodecId::PcmS64le, 8, true, false, F::S64, false),
    int(CodecId::PcmS64be, 8, true, true, F::S64, false),
    float(CodecId::PcmF32le, 4, false, F::Flt),
    float(CodecId::PcmF32be, 4, true, F::Flt),
    float(CodecId::PcmF64le, 8, false, F::Dbl),
    float(CodecId::PcmF64be, 8, true, F::Dbl),
    PcmCodec {
        id: CodecId::PcmAlaw,
        coding: Coding::Alaw,
        fmt: F::S16,
        planar: false,
    },
    PcmCodec {
        id: CodecId::PcmMulaw,
        coding: Coding::Mulaw,
        fmt: F::S16,
        planar: false,
    },
    int(CodecId::PcmS8Planar, 1, true, false, F::U8p, true),
    int(CodecId::PcmS16lePlanar, 2, true, false, F::S16p, true),
    int(CodecId::PcmS16bePlanar, 2, true, true, F::S16p, true),
    int(CodecId::PcmS24lePlanar, 3, true, false, F::S32p, true),
    int(CodecId::PcmS32lePlanar, 4, true, false, F::S32p, true),
];

fn lookup(id: CodecId) -> Option<&'static PcmCodec> {
    CODECS.iter().find(|c| c.id == id)
}

/// The decoded sample format of a PCM codec (`None` if `id` is not PCM).
pub fn decoded_format(id: CodecId) -> Option<SampleFormat> {
    lookup(id).map(|c| c.fmt)
}

/// Bits per coded sample of a PCM codec (cf. `av_get_bits_per_sample`), 0 if not PCM.
pub fn bits_per_sample(id: CodecId) -> u32 {
    lookup(id).map_or(0, |c| c.coding.bytes() as u32 * 8)
}

/// The PCM codec storing samples like `fmt` in little- or big-endian order, if any
/// (cf. `av_get_pcm_codec`).
pub fn codec_for(fmt: SampleFormat, big_endian: bool) -> Option<CodecId> {
    use CodecId::*;
    Some(match (fmt.packed(), big_endian) {
        (F::U8, _) => PcmU8,
        (F::S16, false) => PcmS16le,
        (F::S16, true) => PcmS16be,
        (F::S32, false) => PcmS32le,
        (F::S32, true) => PcmS32be,
        (F::S64, false) => PcmS64le,
        (F::S64, true) => PcmS64be,
        (F::Flt, false) => PcmF32le,
        (F::Flt, true) => PcmF32be,
        (F::Dbl, false) => PcmF64le,
        (F::Dbl, true) => PcmF64be,
        _ => return None,
    })
}

// ---- G.711 -------------------------------------------------------------------------------

/// Decodes an A-law byte to a 16-bit linear sample (ITU-T G.711).
pub fn alaw_to_linear(code: u8) -> i16 {
    let v = code ^ 0x55;
    let mantissa = i32::from(v & 0x0f);
    let segment = (v & 0x70) >> 4;
    let mag = if segment == 0 {
        (2 * mantissa + 1) << 3
    } else {
        (2 * mantissa + 33) << (segment + 2)
    };
    (if v & 0x80 != 0 { mag } else { -mag }) as i16
}

/// Decodes a mu-law byte to a 16-bit linear sample (ITU-T G.711).
pub fn mulaw_to_linear(code: u8) -> i16 {
    let v = !code;
    let t = ((i32::from(v & 0x0f) << 3) + 0x84) << ((v & 0x70) >> 4);
    (if v & 0x80 != 0 { 0x84 - t } else { t - 0x84 }) as i16
}

/// Encoding table over 14-bit linear values: each magnitude maps to the code
/// whose level is nearest, the boundary between codes `i` and `i+1` being the
/// midpoint of their levels rounded on the 14-bit grid. `xor` is the code
/// alphabet's inversion mask (0xd5 for A-law, 0xff for mu-law).
fn build_encode_table(decode: fn(u8) -> i16, xor: u8) -> Vec<u8> {
    let mut table = vec![0u8; 16384];
    let level = |i: u8| i32::from(decode(i ^ xor));
    let mut mag = 1usize;
    table[8192] = xor;
    for i in 0..127u8 {
        let boundary = ((level(i) + level(i + 1) + 4) >> 3).clamp(0, 8192) as usize;
        while mag < boundary {
            table[8192 - mag] = i ^ (xor ^ 0x80);
            table[8192 + mag] = i ^ xor;
            mag += 1;
        }
    }
    while mag < 8192 {
        table[8192 - mag] = 127 ^ (xor ^ 0x80);
        table[8192 + mag] = 127 ^ xor;
        mag += 1;
    }
    table[0] = table[1];
    table
}

fn alaw_table() -> &'static [u8] {
    static T: OnceLock<Vec<u8>> = OnceLock::new();
    T.get_or_init(|| build_encode_table(alaw_to_linear, 0xd5))
}

fn mulaw_table() -> &'static [u8] {
    static T: OnceLock<Vec<u8>> = OnceLock::new();
    T.get_or_init(|| build_encode_table(mulaw_to_linear, 0xff))
}

/// Encodes a 16-bit sample to A-law as FFmpeg's `pcm_alaw` encoder does.
pub fn linear_to_alaw(s: i16) -> u8 {
    alaw_table()[((i32::from(s) + 32768) >> 2) as usize]
}

/// Encodes a 16-bit sample to mu-law as FFmpeg's `pcm_mulaw` encoder does.
pub fn linear_to_mulaw(s: i16) -> u8 {
    mulaw_table()[((i32::from(s) + 32768) >> 2) as usize]
}

// ---- sample conversion -------------------------------------------------------------------

/// Reads a coded sample and returns it in the decoded format's bytes (native order).
fn decode_sample(c: Coding, src: &[u8], dst: &mut [u8]) {
    match c {
        Coding::Int { bytes, signed, be } => {
            let n = bytes as usize;
            let mut raw: u64 = 0;
            for i in 0..n {
                let b = if be { src[i] } else { src[n - 1 - i] };
                raw = (raw << 8) | u64::from(b);
            }
            let bits = 8 * n as u32;
            // Signed value in `bits` bits.
            let v: i64 = if signed {
                ((raw << (64 - bits)) as i64) >> (64 - bits)
            } else {
                raw as i64 - (1i64 << (bits - 1))
            };
            match n {
                1 => dst[0] = (v + 128) as u8,
                2 => dst.copy_from_slice(&(v as i16).to_ne_bytes()),
                3 => dst.copy_from_slice(&((v << 8) as i32).to_ne_bytes()),
                4 => dst.copy_from_slice(&(v as i32).to_ne_bytes()),
                _ => dst.copy_from_slice(&v.to_ne_bytes()),
            }
        }
        Coding::Float { bytes: 4, be } => {
            let a = [src[0], src[1], src[2], src[3]];
            let v = if be {
                f32::from_be_bytes(a)
            } else {
                f32::from_le_bytes(a)
            };
            dst.copy_from_slice(&v.to_ne_bytes());
        }
        Coding::Float { be, .. } => {
            let a = [
                src[0], src[1], src[2], src[3], src[4], src[5], src[6], src[7],
            ];
            let v = if be {
                f64::from_be_bytes(a)
            } else {
                f64::from_le_bytes(a)
            };
            dst.copy_from_slice(&v.to_ne_bytes());
        }
        Coding::Alaw => dst.copy_from_slice(&alaw_to_linear(src[0]).to_ne_bytes()),
        Coding::Mulaw => dst.copy_from_slice(&mulaw_to_linear(src[0]).to_ne_bytes()),
    }
}

/// Writes a sample given in the decoded format's bytes (native order) as a coded sample.
fn encode_sample(c: Coding, src: &[u8], dst: &mut [u8]) {
    match c {
        Coding::Int { bytes, signed, be } => {
            let n = bytes as usize;
            let bits = 8 * n as u32;
            let v: i64 = match n {
                1 => i64::from(src[0]) - 128,
                2 => i64::from(i16::from_ne_bytes([src[0], src[1]])),
                3 => i64::from(i32::from_ne_bytes([src[0], src[1], src[2], src[3]]) >> 8),
                4 => i64::from(i32::from_ne_bytes([src[0], src[1], src[2], src[3]])),
                _ => i64::from_ne_bytes([
                    src[0], src[1], src[2], src[3], src[4], src[5], src[6], src[7],
                ]),
            };
            let raw = if signed {
                v as u64
            } else {
                (v + (1i64 << (bits - 1))) as u64
            };
            for i in 0..n {
                let b = (raw >> (8 * i)) as u8;
                if be {
                    dst[n - 1 - i] = b;
                } else {
                    dst[i] = b;
                }
            }
        }
        Coding::Float { bytes: 4, be } => {
            let v = f32::from_ne_bytes([src[0], src[1], src[2], src[3]]);
            dst.copy_from_slice(&if be { v.to_be_bytes() } else { v.to_le_bytes() });
        }
        Coding::Float { be, .. } => {
            let v = f64::from_ne_bytes([
                src[0], src[1], src[2], src[3], src[4], src[5], src[6], src[7],
            ]);
            dst.copy_from_slice(&if be { v.to_be_bytes() } else { v.to_le_bytes() });
        }
        Coding::Alaw => dst[0] = linear_to_alaw(i16::from_ne_bytes([src[0], src[1]])),
        Coding::Mulaw => dst[0] = linear_to_mulaw(i16::from_ne_bytes([src[0], src[1]])),
    }
}

/// True when the coded bytes of a packed codec equal the decoded bytes on this host.
fn is_native(c: PcmCodec) -> bool {
    let host_be = cfg!(target_endian = "big");
    !c.planar
        && match c.coding {
            Coding::Int {
                bytes: 1,
                signed: false,
                ..
            } => true,
            Coding::Int {
                bytes: 2 | 4 | 8,
                signed: true,
                be,
            } => be == host_be,
            Coding::Float { be, .. } => be == host_be,
            _ => false,
        }
}

// ---- decoder -----------------------------------------------------------------------------

/// The PCM decoder core.
#[derive(Debug)]
pub struct PcmDecoder {
    codec: PcmCodec,
    params: CodecParameters,
    channels: usize,
    time_base: Rational,
}

impl PcmDecoder {
    /// Opens a decoder for `params` (a PCM codec with sample rate and channel layout).
    pub fn new(params: &CodecParameters, opts: &DecoderOptions) -> Result<Self> {
        let codec = *lookup(params.codec_id).ok_or_else(|| Error::DecoderNotFound {
            name: params.codec_id.to_string(),
        })?;
        reject_private_options(codec.id.name(), &opts.private)?;
        let channels = params.channels() as usize;
        let bad = |what: &str| Error::InvalidParameters {
            codec: codec.id,
            what: what.to_owned(),
        };
        if channels == 0 {
            return Err(bad("channel count is 0"));
        }
        if params.sample_rate == 0 {
            return Err(bad("sample rate is 0"));
        }
        let mut p = params.clone();
        p.sample_fmt = decoded_format(codec.id);
        p.bits_per_coded_sample = bits_per_sample(codec.id);
        let time_base = if opts.packet_time_base.is_undefined() {
            Rational::new(1, params.sample_rate as i32)
        } else {
            opts.packet_time_base
        };
        Ok(PcmDecoder {
            codec,
            params: p,
            channels,
            time_base,
        })
    }

    fn decode(&self, pkt: &Packet) -> Result<Frame> {
        let ss = self.codec.coding.bytes();
        let block = ss * self.channels;
        let size = pkt.data.len();
        if size < block {
            return Err(Error::InvalidData {
                codec: self.codec.id,
                reason: format!(
                    "invalid PCM packet, data has size {size} but at least a size of {block} was expected"
                ),
            });
        }
        let nb_samples = size / block;
        let used = nb_samples * block;
        let fmt = self.codec.fmt;
        let layout = self
            .params
            .ch_layout
            .unwrap_or(avutil::ChannelLayout::Unspecified(self.channels as u32));
        let mut frame;
        if is_native(self.codec) {
            let buf = pkt.data.slice(..used).unwrap_or_default();
            frame = Frame::from_planes(
                avutil::FrameKind::Audio(avutil::frame::AudioInfo {
                    format: fmt,
                    nb_samples,
                    sample_rate: self.params.sample_rate,
                    layout,
                }),
                vec![avutil::frame::Plane { buf, stride: used }],
            )?;
        } else {
            frame = Frame::new_audio(fmt, nb_samples, layout, self.params.sample_rate)?;
            let ds = fmt.bytes_per_sample();
            let src = &pkt.data[..used];
            if self.codec.planar {
                let per_ch = nb_samples * ss;
                for ch in 0..self.channels {
                    let s = &src[ch * per_ch..(ch + 1) * per_ch];
                    let d = frame.plane_mut(ch);
                    for (si, di) in s.chunks_exact(ss).zip(d.chunks_exact_mut(ds)) {
                        decode_sample(self.codec.coding, si, di);
                    }
                }
            } else {
                let d = frame.plane_mut(0);
                for (si, di) in src.chunks_exact(ss).zip(d.chunks_exact_mut(ds)) {
                    decode_sample(self.codec.coding, si, di);
                }
            }
        }
        frame_timing_from_packet(&mut frame, pkt, self.time_base);
        if frame.duration.is_none() {
            frame.duration = Some(nb_samples as i64)
                .filter(|_| frame.time_base == Rational::new(1, self.params.sample_rate as i32));
        }
        Ok(frame)
    }
}

impl Transform for PcmDecoder {
    type In = Packet;
    type Out = Frame;
    fn transform(&mut self, pkt: &Packet) -> Result<Option<Frame>> {
        if pkt.data.is_empty() {
            return Ok(None);
        }
        self.decode(pkt).map(Some)
    }
}

fn create_decoder(params: &CodecParameters, opts: &DecoderOptions) -> Result<Box<dyn Decoder>> {
    let d = PcmDecoder::new(params, opts)?;
    let p = d.params.clone();
    let tb = d.time_base;
    Ok(Box::new(OneToOne::new(d, p, tb)))
}

// ---- encoder -----------------------------------------------------------------------------

/// The PCM encoder core.
#[derive(Debug)]
pub struct PcmEncoder {
    codec: PcmCodec,
    channels: usize,
    time_base: Rational,
}

impl PcmEncoder {
    /// Opens an encoder; the frames must be in [`decoded_format`] of the codec.
    pub fn new(opts: &EncoderOptions) -> Result<(Self, CodecParameters)> {
        let id = opts.params.codec_id;
        let codec = *lookup(id).ok_or_else(|| Error::EncoderNotFound {
            name: id.to_string(),
        })?;
        reject_private_options(id.name(), &opts.private)?;
        let channels = opts.params.channels() as usize;
        let bad = |what: String| Error::InvalidParameters { codec: id, what };
        if channels == 0 || opts.params.sample_rate == 0 {
            return Err(bad("sample rate and channel layout must be set".into()));
        }
        let want = decoded_format(id);
        if opts.params.sample_fmt != want {
            return Err(bad(format!(
                "sample format {} is not supported (use {})",
                opts.params.sample_fmt.map_or("none", |f| f.name()),
                want.map_or("none", |f| f.name())
            )));
        }
        let mut p = opts.params.clone();
        p.bits_per_coded_sample = bits_per_sample(id);
        p.block_align = (codec.coding.bytes() * channels) as u32;
        p.bit_rate =
            Some(u64::from(p.sample_rate) * channels as u64 * u64::from(p.bits_per_coded_sample));
        p.frame_size = 0;
        Ok((
            PcmEncoder {
                codec,
                channels,
                time_base: opts.time_base,
            },
            p,
        ))
    }
}

impl Transform for PcmEncoder {
    type In = Frame;
    type Out = Packet;
    fn transform(&mut self, frame: &Frame) -> Result<Option<Packet>> {
        let a = frame.audio().ok_or(Error::FrameMismatch {
            codec: self.codec.id,
            what: "media type",
            expected: "audio".into(),
            found: "video".into(),
        })?;
        let fmt = self.codec.fmt;
        if a.format != fmt || a.layout.channels() as usize != self.channels {
            return Err(Error::FrameMismatch {
                codec: self.codec.id,
                what: "sample format or channel count",
                expected: format!("{} x{}", fmt, self.channels),
                found: format!("{} x{}", a.format, a.layout.channels()),
            });
        }
        let ss = self.codec.coding.bytes();
        let ds = fmt.bytes_per_sample();
        let n = a.nb_samples;
        let data = if is_native(self.codec) {
            let need = n * self.channels * ss;
            frame
                .plane_buffer(0)
                .and_then(|b| b.slice(..need))
                .ok_or(Error::InvalidState {
                    what: "frame plane too small",
                })?
        } else {
            let mut out = vec![0u8; n * self.channels * ss];
            if self.codec.planar {
                for ch in 0..self.channels {
                    let src = frame.plane(ch);
                    let dst = &mut out[ch * n * ss..(ch + 1) * n * ss];
                    for (si, di) in src.chunks_exact(ds).zip(dst.chunks_exact_mut(ss)) {
                        encode_sample(self.codec.coding, si, di);
                    }
                }
            } else {
                for (si, di) in frame
                    .plane(0)
                    .chunks_exact(ds)
                    .zip(out.chunks_exact_mut(ss))
                {
                    encode_sample(self.codec.coding, si, di);
                }
            }
            Buffer::from_vec(out)
        };
        let mut pkt = Packet::new(data);
        packet_timing_from_frame(&mut pkt, frame, self.time_base);
        if pkt.duration.is_none() {
            pkt.duration = Some(n as i64);
        }
        Ok(Some(pkt))
    }
}

fn create_encoder(opts: &EncoderOptions) -> Result<Box<dyn Encoder>> {
    let (e, p) = PcmEncoder::new(opts)?;
    let tb = e.time_base;
    Ok(Box::new(OneToOne::new(e, p, tb)))
}

/// Registry entries of every PCM decoder.
pub fn decoders() -> Vec<DecoderInfo> {
    CODECS
        .iter()
        .map(|c| DecoderInfo {
            name: c.id.name(),
            long_name: c.id.descriptor().long_name,
            id: c.id,
            create: create_decoder,
        })
        .collect()
}

/// Registry entries of every PCM encoder.
pub fn encoders() -> Vec<EncoderInfo> {
    CODECS
        .iter()
        .map(|c| EncoderInfo {
            name: c.id.name(),
            long_name: c.id.descriptor().long_name,
            id: c.id,
            pix_fmts: None,
            sample_fmts: std::slice::from_ref(&c.fmt),
            create: create_encoder,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::Received;
    use avutil::ChannelLayout;

    fn params(id: CodecId, ch: u32) -> CodecParameters {
        CodecParameters::audio(
            id,
            decoded_format(id).unwrap(),
            8000,
            ChannelLayout::default_for(ch),
        )
    }

    fn decode(id: CodecId, ch: u32, bytes: &[u8]) -> Frame {
        let mut d = create_decoder(&params(id, ch), &DecoderOptions::default()).unwrap();
        let _ = d.send_packet(&Packet::from_slice(bytes)).unwrap();
        d.receive_frame().unwrap().item().unwrap()
    }

    fn encode(id: CodecId, f: &Frame) -> Vec<u8> {
        let p = params(id, f.audio().unwrap().layout.channels());
        let mut e = create_encoder(&EncoderOptions::new(p, Rational::new(1, 8000))).unwrap();
        let _ = e.send_frame(f).unwrap();
        match e.receive_packet().unwrap() {
            Received::Item(p) => p.data.to_vec(),
            _ => panic!("no packet"),
        }
    }

    #[test]
    fn integer_codings() {
        let f = decode(CodecId::PcmS24le, 1, &[0x01, 0x02, 0x83]);
        assert_eq!(
            i32::from_ne_bytes(f.plane(0).try_into().unwrap()),
            0x8302_0100u32 as i32
        );
        let f = decode(CodecId::PcmU16be, 1, &[0x80, 0x01]);
        assert_eq!(i16::from_ne_bytes(f.plane(0).try_into().unwrap()), 1);
        let f = decode(CodecId::PcmS8, 1, &[0xff]);
        assert_eq!(f.plane(0), &[127]);
        let f = decode(CodecId::PcmU24be, 1, &[0x00, 0x00, 0x00]);
        assert_eq!(i32::from_ne_bytes(f.plane(0).try_into().unwrap()), i32::MIN);
        let f = decode(CodecId::PcmU32le, 1, &[0, 0, 0, 0x80]);
        assert_eq!(f.plane(0), &[0, 0, 0, 0]);
    }

    #[test]
    fn round_trip_every_codec() {
        for c in CODECS {
            let ss = c.coding.bytes();
            let bytes: Vec<u8> = (0..ss * 2 * 5).map(|i| (i * 37 + 11) as u8).collect();
            let f = decode(c.id, 2, &bytes);
            assert_eq!(f.audio().unwrap().nb_samples, 5, "{}", c.id);
            let back = encode(c.id, &f);
            match c.coding {
                // G.711 decode then encode is the identity except for the two zero codes.
                Coding::Alaw | Coding::Mulaw => assert_eq!(back.len(), bytes.len()),
                _ => assert_eq!(back, bytes, "{}", c.id),
            }
        }
    }

    #[test]
    fn planar_layout_in_packets() {
        let bytes: Vec<u8> = [1i16, 2, 3, 10, 20, 30]
            .iter()
            .flat_map(|s| s.to_le_bytes())
            .collect();
        let f = decode(CodecId::PcmS16lePlanar, 2, &bytes);
        assert_eq!(f.audio().unwrap().format, SampleFormat::S16p);
        assert_eq!(
            f.plane(1),
            [10i16, 20, 30]
                .iter()
                .flat_map(|s| s.to_ne_bytes())
                .collect::<Vec<_>>()
        );
        assert_eq!(encode(CodecId::PcmS16lePlanar, &f), bytes);
    }

    #[test]
    fn g711_tables() {
        // Known G.711 values.
        assert_eq!(alaw_to_linear(0xd5), 8);
        assert_eq!(alaw_to_linear(0x55), -8);
        assert_eq!(alaw_to_linear(0xaa), 32256);
        assert_eq!(mulaw_to_linear(0xff), 0);
        assert_eq!(mulaw_to_linear(0x80), 32124);
        assert_eq!(mulaw_to_linear(0x00), -32124);
        for code in 0..=255u8 {
            let a = alaw_to_linear(code);
            assert_eq!(alaw_to_linear(linear_to_alaw(a)), a, "alaw {code:#x}");
            let m = mulaw_to_linear(code);
            assert_eq!(mulaw_to_linear(linear_to_mulaw(m)), m, "mulaw {code:#x}");
        }
        assert_eq!(linear_to_alaw(0), 0xd5);
        assert_eq!(linear_to_mulaw(0), 0xff);
    }

    #[test]
    fn zero_copy_on_native_order() {
        if cfg!(target_endian = "little") {
            let pkt = Packet::from_slice(&[1, 0, 2, 0]);
            let mut d =
                create_decoder(&params(CodecId::PcmS16le, 1), &DecoderOptions::default()).unwrap();
            let _ = d.send_packet(&pkt).unwrap();
            let f = d.receive_frame().unwrap().item().unwrap();
            assert!(f.plane_buffer(0).unwrap().ptr_eq(&pkt.data));
        }
    }

    #[test]
    fn bad_packets_and_params() {
        let mut d =
            create_decoder(&params(CodecId::PcmS16le, 2), &DecoderOptions::default()).unwrap();
        let e = d.send_packet(&Packet::from_slice(&[1, 2, 3])).unwrap_err();
        assert!(e.to_string().contains("at least a size of 4"), "{e}");
        // A trailing partial block is dropped, as FFmpeg does.
        let _ = d.send_packet(&Packet::from_slice(&[0; 6])).unwrap();
        assert_eq!(
            d.receive_frame()
                .unwrap()
                .item()
                .unwrap()
                .audio()
                .unwrap()
                .nb_samples,
            1
        );
        let mut p = params(CodecId::PcmS16le, 2);
        p.sample_rate = 0;
        assert!(create_decoder(&p, &DecoderOptions::default()).is_err());
        let mut o = EncoderOptions::new(params(CodecId::PcmS16le, 1), Rational::new(1, 8000));
        o.params.sample_fmt = Some(SampleFormat::Flt);
        assert!(
            create_encoder(&o)
                .err()
                .unwrap()
                .to_string()
                .contains("use s16")
        );
    }
}
