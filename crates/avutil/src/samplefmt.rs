//! Audio sample formats and conversion between them (cf. `enum AVSampleFormat`,
//! libswresample's `audioconvert`).
//!
//! Conversions follow FFmpeg exactly: integer widening shifts left
//! (`s16 -> s32` is `x << 16`), narrowing shifts right (truncating), `u8` is
//! offset by 128, integer to float divides by the full scale (`s16 -> flt`
//! is `x / 32768`), and float to integer multiplies by the full scale,
//! rounds to nearest-even (C's `lrintf`) and saturates.

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};

/// An audio sample format (cf. `enum AVSampleFormat`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SampleFormat {
    /// Unsigned 8-bit, packed.
    U8,
    /// Signed 16-bit, packed.
    S16,
    /// Signed 32-bit, packed.
    S32,
    /// 32-bit float, packed.
    Flt,
    /// 64-bit float, packed.
    Dbl,
    /// Unsigned 8-bit, planar.
    U8p,
    /// Signed 16-bit, planar.
    S16p,
    /// Signed 32-bit, planar.
    S32p,
    /// 32-bit float, planar.
    Fltp,
    /// 64-bit float, planar.
    Dblp,
    /// Signed 64-bit, packed.
    S64,
    /// Signed 64-bit, planar.
    S64p,
}

impl SampleFormat {
    /// Every sample format, in FFmpeg's order.
    pub const ALL: [SampleFormat; 12] = [
        Self::U8,
        Self::S16,
        Self::S32,
        Self::Flt,
        Self::Dbl,
        Self::U8p,
        Self::S16p,
        Self::S32p,
        Self::Fltp,
        Self::Dblp,
        Self::S64,
        Self::S64p,
    ];

    /// FFmpeg's name (cf. `av_get_sample_fmt_name`).
    pub const fn name(self) -> &'static str {
        match self {
            Self::U8 => "u8",
            Self::S16 => "s16",
            Self::S32 => "s32",
            Self::Flt => "flt",
            Self::Dbl => "dbl",
            Self::U8p => "u8p",
            Self::S16p => "s16p",
            Self::S32p => "s32p",
            Self::Fltp => "fltp",
            Self::Dblp => "dblp",
            Self::S64 => "s64",
            Self::S64p => "s64p",
        }
    }

    /// Looks a format up by name (cf. `av_get_sample_fmt`).
    pub fn from_name(name: &str) -> Result<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|f| f.name() == name)
            .ok_or_else(|| Error::UnknownSampleFormat {
                name: name.to_owned(),
            })
    }

    /// Bytes per sample (cf. `av_get_bytes_per_sample`).
    pub const fn bytes_per_sample(self) -> usize {
        match self.packed() {
            Self::U8 => 1,
            Self::S16 => 2,
            Self::S32 | Self::Flt => 4,
            _ => 8,
        }
    }

    /// True for planar formats (cf. `av_sample_fmt_is_planar`).
    pub const fn is_planar(self) -> bool {
        matches!(
            self,
            Self::U8p | Self::S16p | Self::S32p | Self::Fltp | Self::Dblp | Self::S64p
        )
    }

    /// True for float formats.
    pub const fn is_float(self) -> bool {
        matches!(self.packed(), Self::Flt | Self::Dbl)
    }

    /// The packed twin (cf. `av_get_packed_sample_fmt`).
    pub const fn packed(self) -> Self {
        match self {
            Self::U8p => Self::U8,
            Self::S16p => Self::S16,
            Self::S32p => Self::S32,
            Self::Fltp => Self::Flt,
            Self::Dblp => Self::Dbl,
            Self::S64p => Self::S64,
            f => f,
        }
    }

    /// The planar twin (cf. `av_get_planar_sample_fmt`).
    pub const fn planar(self) -> Self {
        match self {
            Self::U8 => Self::U8p,
            Self::S16 => Self::S16p,
            Self::S32 => Self::S32p,
            Self::Flt => Self::Fltp,
            Self::Dbl => Self::Dblp,
            Self::S64 => Self::S64p,
            f => f,
        }
    }

    /// Bytes of one plane of `nb_samples` samples of `channels` channels, with
    /// lines aligned to `align` bytes (cf. `av_samples_get_buffer_size`,
    /// whose result is per plane times planes; this returns the per-plane size).
    pub fn plane_size(self, channels: usize, nb_samples: usize, align: usize) -> Result<usize> {
        let per = if self.is_planar() { 1 } else { channels };
        let raw = nb_samples
            .checked_mul(per)
            .and_then(|x| x.checked_mul(self.bytes_per_sample()))
            .ok_or(Error::Overflow {
                what: "audio plane",
            })?;
        crate::imgutils::align_up(raw, align.max(1)).ok_or(Error::Overflow {
            what: "audio plane",
        })
    }
}

impl fmt::Display for SampleFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for SampleFormat {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::from_name(s)
    }
}

#[cfg(test)] // The per-sample reference the fast loops are tested against.
/// One decoded sample, widened to the type a conversion goes through.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Sample {
    Int(i64, u32),
    F32(f32),
    F64(f64),
}

#[cfg(test)] // The per-sample reference the fast loops are tested against.
fn read(fmt: SampleFormat, b: &[u8]) -> Sample {
    match fmt.packed() {
        SampleFormat::U8 => Sample::Int(i64::from(b[0]) - 0x80, 8),
        SampleFormat::S16 => Sample::Int(i64::from(i16::from_ne_bytes([b[0], b[1]])), 16),
        SampleFormat::S32 => {
            Sample::Int(i64::from(i32::from_ne_bytes([b[0], b[1], b[2], b[3]])), 32)
        }
        SampleFormat::S64 => Sample::Int(
            i64::from_ne_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]),
            64,
        ),
        SampleFormat::Flt => Sample::F32(f32::from_ne_bytes([b[0], b[1], b[2], b[3]])),
        _ => Sample::F64(f64::from_ne_bytes([
            b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
        ])),
    }
}

#[cfg(test)] // The per-sample reference the fast loops are tested against.
/// Converts one sample, as libswresample does.
fn convert(s: Sample, to: SampleFormat, out: &mut [u8]) {
    let to = to.packed();
    match (s, to) {
        (
            Sample::Int(v, bits),
            SampleFormat::U8 | SampleFormat::S16 | SampleFormat::S32 | SampleFormat::S64,
        ) => {
            let target = (to.bytes_per_sample() * 8) as u32;
            let w = if target >= bits {
                v << (target - bits)
            } else {
                v >> (bits - target)
            };
            write_int(w, to, out);
        }
        (Sample::Int(v, bits), SampleFormat::Flt) => {
            // Scaled by the float constant 1/2^(bits-1), multiplied in single precision.
            let x = v as f32 * (1.0f32 / (1u64 << (bits - 1)) as f32);
            out.copy_from_slice(&x.to_ne_bytes());
        }
        (Sample::Int(v, bits), _) => {
            let x = v as f64 * (1.0f64 / (1u64 << (bits - 1)) as f64);
            out.copy_from_slice(&x.to_ne_bytes());
        }
        (Sample::F32(x), SampleFormat::Flt) => out.copy_from_slice(&x.to_ne_bytes()),
        (Sample::F32(x), SampleFormat::Dbl) => out.copy_from_slice(&f64::from(x).to_ne_bytes()),
        (Sample::F64(x), SampleFormat::Flt) => out.copy_from_slice(&(x as f32).to_ne_bytes()),
        (Sample::F64(x), SampleFormat::Dbl) => out.copy_from_slice(&x.to_ne_bytes()),
        (Sample::F32(x), _) => {
            let bits = (to.bytes_per_sample() * 8) as i32;
            let scaled = x * 2f32.powi(bits - 1);
            write_int(
                saturate_round(f64::from(scaled.round_ties_even()), bits),
                to,
                out,
            );
        }
        (Sample::F64(x), _) => {
            let bits = (to.bytes_per_sample() * 8) as i32;
            let scaled = x * 2f64.powi(bits - 1);
            write_int(saturate_round(scaled.round_ties_even(), bits), to, out);
        }
    }
}

/// Clamps an already rounded value to the signed range of `bits` bits.
fn saturate_round(v: f64, bits: i32) -> i64 {
    let max = 2f64.powi(bits - 1) - 1.0;
    let min = -(2f64.powi(bits - 1));
    if v.is_nan() {
        0
    } else if v >= max {
        if bits == 64 { i64::MAX } else { max as i64 }
    } else if v <= min {
        if bits == 64 { i64::MIN } else { min as i64 }
    } else {
        v as i64
    }
}

#[cfg(test)] // The per-sample reference the fast loops are tested against.
fn write_int(v: i64, to: SampleFormat, out: &mut [u8]) {
    match to {
        SampleFormat::U8 => out[0] = (v + 0x80) as u8,
        SampleFormat::S16 => out.copy_from_slice(&(v as i16).to_ne_bytes()),
        SampleFormat::S32 => out.copy_from_slice(&(v as i32).to_ne_bytes()),
        _ => out.copy_from_slice(&v.to_ne_bytes()),
    }
}

/// Copies samples of `B` bytes between planar and interleaved layouts of the same type
/// (plane sizes already checked by the caller).
fn relayout<const B: usize>(
    src_fmt: SampleFormat,
    src: &[&[u8]],
    dst_fmt: SampleFormat,
    dst: &mut [&mut [u8]],
    channels: usize,
    nb_samples: usize,
) {
    for ch in 0..channels {
        let (sp, s0, ss) = if src_fmt.is_planar() {
            (ch, 0, B)
        } else {
            (0, ch * B, B * channels)
        };
        let (dp, d0, ds) = if dst_fmt.is_planar() {
            (ch, 0, B)
        } else {
            (0, ch * B, B * channels)
        };
        let s = &src[sp][s0..];
        let d = &mut dst[dp][d0..];
        for i in 0..nb_samples {
            let (a, b) = (i * ss, i * ds);
            if let (Some(from), Some(to)) = (s.get(a..a + B), d.get_mut(b..b + B)) {
                let v: [u8; B] = from.try_into().unwrap_or([0; B]);
                to.copy_from_slice(&v);
            }
        }
    }
}

/// Converts interleaved or planar audio between any two sample formats.
///
/// `src` and `dst` hold one slice per plane (one for packed formats, one per
/// channel for planar ones); samples are in native byte order. Converts
/// `nb_samples` samples of `channels` channels.
///
/// ```
/// use avutil::samplefmt::{convert_samples, SampleFormat};
/// let src: Vec<u8> = [16384i16, -32768].iter().flat_map(|s| s.to_ne_bytes()).collect();
/// let mut left = vec![0u8; 4];
/// let mut right = vec![0u8; 4];
/// convert_samples(SampleFormat::S16, &[&src], SampleFormat::Fltp, &mut [&mut left, &mut right], 2, 1).unwrap();
/// assert_eq!(f32::from_ne_bytes(left[..].try_into().unwrap()), 0.5);
/// assert_eq!(f32::from_ne_bytes(right[..].try_into().unwrap()), -1.0);
/// ```
pub fn convert_samples(
    src_fmt: SampleFormat,
    src: &[&[u8]],
    dst_fmt: SampleFormat,
    dst: &mut [&mut [u8]],
    channels: usize,
    nb_samples: usize,
) -> Result<()> {
    let (sb, db) = (src_fmt.bytes_per_sample(), dst_fmt.bytes_per_sample());
    let planes_needed = |f: SampleFormat| if f.is_planar() { channels } else { 1 };
    if src.len() < planes_needed(src_fmt) || dst.len() < planes_needed(dst_fmt) {
        return Err(Error::InvalidArgument {
            what: "fewer planes than the format and channel count need",
        });
    }
    let per_plane = |f: SampleFormat, bytes: usize| -> Result<usize> {
        let n = if f.is_planar() {
            nb_samples
        } else {
            nb_samples
                .checked_mul(channels)
                .ok_or(Error::Overflow { what: "samples" })?
        };
        n.checked_mul(bytes)
            .ok_or(Error::Overflow { what: "samples" })
    };
    let (sn, dn) = (per_plane(src_fmt, sb)?, per_plane(dst_fmt, db)?);
    for p in &src[..planes_needed(src_fmt)] {
        if p.len() < sn {
            return Err(Error::BufferTooSmall {
                what: "source audio plane",
                needed: sn,
                available: p.len(),
            });
        }
    }
    for p in dst[..planes_needed(dst_fmt)].iter() {
        if p.len() < dn {
            return Err(Error::BufferTooSmall {
                what: "destination audio plane",
                needed: dn,
                available: p.len(),
            });
        }
    }
    // Same sample type, only the layout differs: move bytes, no conversion.
    if src_fmt.packed() == dst_fmt.packed() {
        match sb {
            2 => relayout::<2>(src_fmt, src, dst_fmt, dst, channels, nb_samples),
            4 => relayout::<4>(src_fmt, src, dst_fmt, dst, channels, nb_samples),
            8 => relayout::<8>(src_fmt, src, dst_fmt, dst, channels, nb_samples),
            _ => relayout::<1>(src_fmt, src, dst_fmt, dst, channels, nb_samples),
        }
        return Ok(());
    }
    fast::dispatch(src_fmt, src, dst_fmt, dst, channels, nb_samples);
    Ok(())
}

/// The same per-sample reference path as [`convert_samples`] without the fast
/// typed loops; kept as the source of truth the fast path is tested against.
#[cfg(test)]
fn convert_samples_reference(
    src_fmt: SampleFormat,
    src: &[&[u8]],
    dst_fmt: SampleFormat,
    dst: &mut [&mut [u8]],
    channels: usize,
    nb_samples: usize,
) {
    let (sb, db) = (src_fmt.bytes_per_sample(), dst_fmt.bytes_per_sample());
    for ch in 0..channels {
        for i in 0..nb_samples {
            let (sp, si) = if src_fmt.is_planar() {
                (ch, i)
            } else {
                (0, i * channels + ch)
            };
            let (dp, di) = if dst_fmt.is_planar() {
                (ch, i)
            } else {
                (0, i * channels + ch)
            };
            let s = read(src_fmt, &src[sp][si * sb..si * sb + sb]);
            convert(s, dst_fmt, &mut dst[dp][di * db..di * db + db]);
        }
    }
}

/// Typed conversion loops, one per (source, destination) sample type, with
/// exactly the arithmetic of `convert` (checked against it in the tests).
mod fast {
    use super::{SampleFormat, saturate_round};

    pub(super) trait Elem: Copy + Default {
        const N: usize;
        fn get(b: &[u8]) -> Self;
        fn put(self, b: &mut [u8]);
    }

    /// Integer samples: value centred on zero, and their width.
    pub(super) trait Int: Elem {
        const BITS: u32;
        fn to_i64(self) -> i64;
        fn from_i64(v: i64) -> Self;
    }

    macro_rules! elem {
        ($t:ty, $n:expr) => {
            impl Elem for $t {
                const N: usize = $n;
                #[inline(always)]
                fn get(b: &[u8]) -> Self {
                    let mut a = [0u8; $n];
                    a.copy_from_slice(&b[..$n]);
                    <$t>::from_ne_bytes(a)
                }
                #[inline(always)]
                fn put(self, b: &mut [u8]) {
                    b[..$n].copy_from_slice(&self.to_ne_bytes());
                }
            }
        };
    }
    elem!(u8, 1);
    elem!(i16, 2);
    elem!(i32, 4);
    elem!(i64, 8);
    elem!(f32, 4);
    elem!(f64, 8);

    impl Int for u8 {
        const BITS: u32 = 8;
        #[inline(always)]
        fn to_i64(self) -> i64 {
            i64::from(self) - 0x80
        }
        #[inline(always)]
        fn from_i64(v: i64) -> Self {
            (v + 0x80) as u8
        }
    }
    macro_rules! int {
        ($t:ty, $bits:expr) => {
            impl Int for $t {
                const BITS: u32 = $bits;
                #[inline(always)]
                fn to_i64(self) -> i64 {
                    self as i64
                }
                #[inline(always)]
                fn from_i64(v: i64) -> Self {
                    v as $t
                }
            }
        };
    }
    int!(i16, 16);
    int!(i32, 32);
    int!(i64, 64);

    /// Runs `f` over every sample, whatever the packed/planar layouts.
    #[inline(always)]
    fn each<S: Elem, D: Elem>(
        sf: SampleFormat,
        src: &[&[u8]],
        df: SampleFormat,
        dst: &mut [&mut [u8]],
        channels: usize,
        n: usize,
        f: impl Fn(S) -> D,
    ) {
        // Same layout: one contiguous run per plane.
        if sf.is_planar() == df.is_planar() {
            let (planes, len) = if sf.is_planar() {
                (channels, n)
            } else {
                (1, n * channels)
            };
            for p in 0..planes {
                let s = &src[p][..len * S::N];
                let d = &mut dst[p][..len * D::N];
                for (a, b) in s.chunks_exact(S::N).zip(d.chunks_exact_mut(D::N)) {
                    f(S::get(a)).put(b);
                }
            }
            return;
        }
        if sf.is_planar() {
            // Planar to packed (decoder output to a muxer): blocks of frames, each
            // channel's block converted in one contiguous run (which vectorises),
            // then stored at its place in every frame.
            const BLOCK: usize = 256;
            let frame = channels * D::N;
            let d = &mut dst[0][..n * frame];
            let mut conv = [D::default(); BLOCK];
            for start in (0..n).step_by(BLOCK) {
                let m = BLOCK.min(n - start);
                for ch in 0..channels {
                    let s = &src[ch][start * S::N..(start + m) * S::N];
                    for (o, a) in conv[..m].iter_mut().zip(s.chunks_exact(S::N)) {
                        *o = f(S::get(a));
                    }
                    let frames = d[start * frame + ch * D::N..].chunks_mut(frame);
                    for (v, b) in conv[..m].iter().zip(frames) {
                        v.put(b);
                    }
                }
            }
            return;
        }
        for ch in 0..channels {
            let (sp, s0, ss) = if sf.is_planar() {
                (ch, 0, S::N)
            } else {
                (0, ch * S::N, S::N * channels)
            };
            let (dp, d0, ds) = if df.is_planar() {
                (ch, 0, D::N)
            } else {
                (0, ch * D::N, D::N * channels)
            };
            for i in 0..n {
                let (a, b) = (s0 + i * ss, d0 + i * ds);
                f(S::get(&src[sp][a..a + S::N])).put(&mut dst[dp][b..b + D::N]);
            }
        }
    }

    fn int_int<S: Int, D: Int>(
        sf: SampleFormat,
        src: &[&[u8]],
        df: SampleFormat,
        dst: &mut [&mut [u8]],
        c: usize,
        n: usize,
    ) {
        each(sf, src, df, dst, c, n, |x: S| {
            let v = x.to_i64();
            D::from_i64(if D::BITS >= S::BITS {
                v << (D::BITS - S::BITS)
            } else {
                v >> (S::BITS - D::BITS)
            })
        });
    }

    fn int_f32<S: Int>(
        sf: SampleFormat,
        src: &[&[u8]],
        df: SampleFormat,
        dst: &mut [&mut [u8]],
        c: usize,
        n: usize,
    ) {
        let k = 1.0f32 / (1u64 << (S::BITS - 1)) as f32;
        each(sf, src, df, dst, c, n, |x: S| x.to_i64() as f32 * k);
    }

    fn int_f64<S: Int>(
        sf: SampleFormat,
        src: &[&[u8]],
        df: SampleFormat,
        dst: &mut [&mut [u8]],
        c: usize,
        n: usize,
    ) {
        let k = 1.0f64 / (1u64 << (S::BITS - 1)) as f64;
        each(sf, src, df, dst, c, n, |x: S| x.to_i64() as f64 * k);
    }

    fn f32_int<D: Int>(
        sf: SampleFormat,
        src: &[&[u8]],
        df: SampleFormat,
        dst: &mut [&mut [u8]],
        c: usize,
        n: usize,
    ) {
        let k = 2f32.powi(D::BITS as i32 - 1);
        if D::BITS <= 16 {
            // Narrow targets stay in f32: clamp first (NaN -> 0), then round
            // half to even by adding and removing 1.5 * 2^23 (exact for
            // |v| < 2^22); no call to `rintf`, and the loop vectorises. Gives
            // the same results as the general path below.
            const MAGIC: f32 = 12_582_912.0;
            let (lo, hi) = (-k, k - 1.0);
            each(sf, src, df, dst, c, n, |x: f32| {
                let v = x * k;
                // Selects and min/max rather than branches; the rounded
                // value is an exact integer within i32.
                let v = if v.is_nan() { 0.0 } else { v };
                let v = v.max(lo).min(hi);
                // After adding 1.5 * 2^23 the integer sits in the low mantissa bits:
                // read it from the bit pattern (no float-to-int conversion).
                let r = (v + MAGIC).to_bits() as i32 - MAGIC.to_bits() as i32;
                D::from_i64(i64::from(r))
            });
            return;
        }
        each(sf, src, df, dst, c, n, |x: f32| {
            D::from_i64(saturate_round(
                f64::from((x * k).round_ties_even()),
                D::BITS as i32,
            ))
        });
    }

    fn f64_int<D: Int>(
        sf: SampleFormat,
        src: &[&[u8]],
        df: SampleFormat,
        dst: &mut [&mut [u8]],
        c: usize,
        n: usize,
    ) {
        let k = 2f64.powi(D::BITS as i32 - 1);
        each(sf, src, df, dst, c, n, |x: f64| {
            D::from_i64(saturate_round((x * k).round_ties_even(), D::BITS as i32))
        });
    }

    /// Converts with the typed loop for the pair (layouts and all).
    pub(super) fn dispatch(
        sf: SampleFormat,
        src: &[&[u8]],
        df: SampleFormat,
        dst: &mut [&mut [u8]],
        c: usize,
        n: usize,
    ) {
        use SampleFormat as F;
        macro_rules! from_int {
            ($s:ty) => {
                match df.packed() {
                    F::U8 => int_int::<$s, u8>(sf, src, df, dst, c, n),
                    F::S16 => int_int::<$s, i16>(sf, src, df, dst, c, n),
                    F::S32 => int_int::<$s, i32>(sf, src, df, dst, c, n),
                    F::S64 => int_int::<$s, i64>(sf, src, df, dst, c, n),
                    F::Flt => int_f32::<$s>(sf, src, df, dst, c, n),
                    _ => int_f64::<$s>(sf, src, df, dst, c, n),
                }
            };
        }
        match sf.packed() {
            F::U8 => from_int!(u8),
            F::S16 => from_int!(i16),
            F::S32 => from_int!(i32),
            F::S64 => from_int!(i64),
            F::Flt => match df.packed() {
                F::U8 => f32_int::<u8>(sf, src, df, dst, c, n),
                F::S16 => f32_int::<i16>(sf, src, df, dst, c, n),
                F::S32 => f32_int::<i32>(sf, src, df, dst, c, n),
                F::S64 => f32_int::<i64>(sf, src, df, dst, c, n),
                F::Flt => each(sf, src, df, dst, c, n, |x: f32| x),
                _ => each(sf, src, df, dst, c, n, |x: f32| f64::from(x)),
            },
            _ => match df.packed() {
                F::U8 => f64_int::<u8>(sf, src, df, dst, c, n),
                F::S16 => f64_int::<i16>(sf, src, df, dst, c, n),
                F::S32 => f64_int::<i32>(sf, src, df, dst, c, n),
                F::S64 => f64_int::<i64>(sf, src, df, dst, c, n),
                F::Flt => each(sf, src, df, dst, c, n, |x: f64| x as f32),
                _ => each(sf, src, df, dst, c, n, |x: f64| x),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use SampleFormat as F;

    fn one(from: F, bytes: &[u8], to: F) -> Vec<u8> {
        let mut out = vec![0u8; to.bytes_per_sample()];
        convert_samples(from, &[bytes], to, &mut [&mut out], 1, 1).unwrap();
        out
    }
    fn f32_to_s16(x: f32) -> i16 {
        i16::from_ne_bytes(one(F::Flt, &x.to_ne_bytes(), F::S16).try_into().unwrap())
    }

    #[test]
    fn names_and_properties() {
        for f in F::ALL {
            assert_eq!(f.name().parse::<F>().unwrap(), f);
            assert_eq!(f.planar().packed(), f.packed());
        }
        assert_eq!(F::S16p.bytes_per_sample(), 2);
        assert!(F::Fltp.is_planar() && F::Fltp.is_float());
        assert_eq!(
            "s24".parse::<F>().unwrap_err().to_string(),
            "unknown sample format 's24'"
        );
        assert_eq!(F::S16.plane_size(2, 1024, 1).unwrap(), 4096);
        assert_eq!(F::S16p.plane_size(2, 1023, 32).unwrap(), 2048);
    }

    #[test]
    fn integer_conversions() {
        assert_eq!(one(F::U8, &[0x00], F::S16), (-32768i16).to_ne_bytes());
        assert_eq!(one(F::U8, &[0xff], F::S16), (0x7f00i16).to_ne_bytes());
        assert_eq!(one(F::S16, &(-1i16).to_ne_bytes(), F::U8), [0x7f]);
        assert_eq!(
            one(F::S16, &(0x1234i16).to_ne_bytes(), F::S32),
            (0x1234_0000i32).to_ne_bytes()
        );
        assert_eq!(
            one(F::S32, &(0x1234_ffffi32).to_ne_bytes(), F::S16),
            (0x1234i16).to_ne_bytes()
        );
        assert_eq!(
            one(F::S16, &(-2i16).to_ne_bytes(), F::S64),
            (-2i64 << 48).to_ne_bytes()
        );
        assert_eq!(one(F::S64, &(i64::MIN).to_ne_bytes(), F::U8), [0]);
    }

    #[test]
    fn float_conversions_round_and_clip() {
        assert_eq!(
            one(F::S16, &(16384i16).to_ne_bytes(), F::Flt),
            0.5f32.to_ne_bytes()
        );
        assert_eq!(one(F::U8, &[0], F::Dbl), (-1.0f64).to_ne_bytes());
        assert_eq!(f32_to_s16(0.5), 16384);
        assert_eq!(f32_to_s16(1.0), 32767);
        assert_eq!(f32_to_s16(-1.0), -32768);
        assert_eq!(f32_to_s16(2.0), 32767);
        assert_eq!(f32_to_s16(-7.0), -32768);
        assert_eq!(f32_to_s16(f32::NAN), 0);
        // lrintf rounds halves to even.
        assert_eq!(f32_to_s16(0.5 / 32768.0), 0);
        assert_eq!(f32_to_s16(1.5 / 32768.0), 2);
        assert_eq!(f32_to_s16(-2.5 / 32768.0), -2);
        assert_eq!(one(F::Flt, &1.0f32.to_ne_bytes(), F::U8), [255]);
        assert_eq!(one(F::Flt, &(-1.0f32).to_ne_bytes(), F::U8), [0]);
        assert_eq!(
            one(F::Dbl, &1.0f64.to_ne_bytes(), F::S32),
            i32::MAX.to_ne_bytes()
        );
        assert_eq!(
            one(F::Dbl, &1.0f64.to_ne_bytes(), F::S64),
            i64::MAX.to_ne_bytes()
        );
        assert_eq!(
            one(F::Dbl, &0.25f64.to_ne_bytes(), F::Flt),
            0.25f32.to_ne_bytes()
        );
    }

    #[test]
    fn packed_planar_round_trip() {
        let src: Vec<u8> = (0i16..6).flat_map(|s| (s * 1000).to_ne_bytes()).collect();
        let (mut a, mut b, mut c) = (vec![0u8; 8], vec![0u8; 8], vec![0u8; 8]);
        convert_samples(
            F::S16,
            &[&src],
            F::S32p,
            &mut [&mut a, &mut b, &mut c],
            3,
            2,
        )
        .unwrap();
        assert_eq!(i32::from_ne_bytes(b[4..8].try_into().unwrap()), 4000 << 16);
        let mut back = vec![0u8; 12];
        convert_samples(F::S32p, &[&a, &b, &c], F::S16, &mut [&mut back], 3, 2).unwrap();
        assert_eq!(back, src);
    }

    #[test]
    fn float_to_narrow_integers_round_like_the_reference_on_a_dense_sweep() {
        // Every quarter step of the s16 scale over -1.1..1.1 (halves, exact
        // integers, both clipping edges), and the same for u8's scale.
        let xs: Vec<f32> = (-144_180..=144_180)
            .map(|i| i as f32 / (4.0 * 32768.0))
            .chain((-600..=600).map(|i| i as f32 / (4.0 * 128.0)))
            .collect();
        let bytes: Vec<u8> = xs.iter().flat_map(|x| x.to_ne_bytes()).collect();
        for df in [F::S16, F::U8] {
            let len = xs.len() * df.bytes_per_sample();
            let (mut a, mut b) = (vec![0u8; len], vec![0u8; len]);
            convert_samples(F::Flt, &[&bytes], df, &mut [&mut a], 1, xs.len()).unwrap();
            convert_samples_reference(F::Flt, &[&bytes], df, &mut [&mut b], 1, xs.len());
            assert!(a == b, "{df:?}");
        }
    }

    #[test]
    fn fast_loops_equal_the_reference_for_every_pair_and_layout() {
        // Random bytes plus special floats (NaN, infinities, +-1.0, halves).
        let mut seed = 0x1234_5678u32;
        let mut rnd = || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed
        };
        let (ch, n) = (3usize, 37usize);
        for sf in F::ALL {
            for df in F::ALL {
                let sp = if sf.is_planar() { ch } else { 1 };
                let dp = if df.is_planar() { ch } else { 1 };
                let splane = sf.plane_size(ch, n, 1).unwrap();
                let dplane = df.plane_size(ch, n, 1).unwrap();
                let mut src: Vec<Vec<u8>> = (0..sp)
                    .map(|_| (0..splane).map(|_| rnd() as u8).collect())
                    .collect();
                if sf.is_float() {
                    let specials = [
                        f64::NAN,
                        f64::INFINITY,
                        -1.0,
                        1.0,
                        0.5 / 32768.0,
                        1.5 / 32768.0,
                        -2.0,
                    ];
                    for (k, v) in specials.iter().enumerate() {
                        let b = sf.bytes_per_sample();
                        let bytes = if b == 4 {
                            (*v as f32).to_ne_bytes().to_vec()
                        } else {
                            v.to_ne_bytes().to_vec()
                        };
                        src[0][k * b..(k + 1) * b].copy_from_slice(&bytes);
                    }
                    // Keep the random part in a sane float range too: rewrite every third sample.
                    for i in (specials.len()..splane / b_of(sf)).step_by(3) {
                        let v = (i as f64 / 17.0).sin();
                        let b = b_of(sf);
                        let bytes = if b == 4 {
                            (v as f32).to_ne_bytes().to_vec()
                        } else {
                            v.to_ne_bytes().to_vec()
                        };
                        src[0][i * b..(i + 1) * b].copy_from_slice(&bytes);
                    }
                }
                let srcs: Vec<&[u8]> = src.iter().map(|v| v.as_slice()).collect();
                let mut a: Vec<Vec<u8>> = (0..dp).map(|_| vec![0u8; dplane]).collect();
                let mut b = a.clone();
                {
                    let mut da: Vec<&mut [u8]> = a.iter_mut().map(|v| v.as_mut_slice()).collect();
                    convert_samples(sf, &srcs, df, &mut da, ch, n).unwrap();
                    let mut db: Vec<&mut [u8]> = b.iter_mut().map(|v| v.as_mut_slice()).collect();
                    convert_samples_reference(sf, &srcs, df, &mut db, ch, n);
                }
                // Compare as bits, so that NaN outputs compare equal to themselves.
                assert!(a == b, "{sf} -> {df}");
            }
        }
    }

    fn b_of(f: F) -> usize {
        f.bytes_per_sample()
    }

    #[test]
    fn size_errors() {
        let mut out = vec![0u8; 2];
        let e = convert_samples(F::S16, &[&[0u8; 4]], F::S16, &mut [&mut out], 2, 1).unwrap_err();
        assert!(matches!(
            e,
            Error::BufferTooSmall {
                needed: 4,
                available: 2,
                ..
            }
        ));
        assert!(
            convert_samples(F::S16p, &[&[0u8; 2]], F::S16, &mut [&mut [0u8; 4]], 2, 1).is_err()
        );
    }
}
