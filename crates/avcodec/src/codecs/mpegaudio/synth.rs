//! The 32-band polyphase synthesis filterbank (ISO/IEC 11172-3 annex A.2,
//! figure A.2): a 32-point DCT into a 512-sample ring buffer, then the
//! 512-tap window.
//!
//! Two arithmetics, as FFmpeg's two decoders (`mp2` and `mp2float`):
//! * fixed point: subband samples with 23 fractional bits, window with 16,
//!   64-bit accumulators and error feedback of the discarded low bits into
//!   the next output sample; the operation order is FFmpeg's so that the
//!   output is sample-identical;
//! * single-precision float producing samples in [-1, 1].

use super::tables::synth_window;

/// Fractional bits of subband samples.
pub const FRAC_BITS: u32 = 23;
/// Shift from the accumulator to 16-bit output (window 16 + samples 23 - 15).
const OUT_SHIFT: u32 = 16 + FRAC_BITS - 15;

/// `round(a * 2^32)` as FFmpeg's `FIXHR`.
const fn fixhr(a: f64) -> i32 {
    (a * 4_294_967_296.0 + 0.5) as i32
}

/// Arithmetic of one synthesis flavour.
trait Arith: Copy {
    fn add(self, o: Self) -> Self;
    fn sub(self, o: Self) -> Self;
    /// `x * 2^s * c`, with `c` a FIXHR constant (high half of the 64-bit product in fixed point).
    fn mulh3(self, c: Coef, s: u32) -> Self;
}

/// A DCT constant in both representations.
#[derive(Clone, Copy)]
struct Coef {
    fixed: i32,
    float: f32,
}

const fn coef(a: f64) -> Coef {
    Coef {
        fixed: fixhr(a),
        float: a as f32,
    }
}

const fn neg(c: Coef) -> Coef {
    Coef {
        fixed: -c.fixed,
        float: -c.float,
    }
}

impl Arith for i32 {
    #[inline(always)]
    fn add(self, o: i32) -> i32 {
        self.wrapping_add(o)
    }
    #[inline(always)]
    fn sub(self, o: i32) -> i32 {
        self.wrapping_sub(o)
    }
    #[inline(always)]
    fn mulh3(self, c: Coef, s: u32) -> i32 {
        let x = self.wrapping_mul(1 << s);
        ((i64::from(x) * i64::from(c.fixed)) >> 32) as i32
    }
}

impl Arith for f32 {
    #[inline(always)]
    fn add(self, o: f32) -> f32 {
        self + o
    }
    #[inline(always)]
    fn sub(self, o: f32) -> f32 {
        self - o
    }
    #[inline(always)]
    fn mulh3(self, c: Coef, s: u32) -> f32 {
        (((1u32 << s) as f32) * c.float) * self
    }
}

// 1 / (2 cos((2k+1) pi / 2^(6-j))), prescaled by a power of two so that |c| < 1/2.
// The literals carry the digits of FFmpeg's tables so that the rounded constants agree.
#[allow(clippy::excessive_precision)]
const COS0: [Coef; 16] = [
    coef(0.50060299823519630134 / 2.0),
    coef(0.50547095989754365998 / 2.0),
    coef(0.51544730992262454697 / 2.0),
    coef(0.53104259108978417447 / 2.0),
    coef(0.55310389603444452782 / 2.0),
    coef(0.58293496820613387367 / 2.0),
    coef(0.62250412303566481615 / 2.0),
    coef(0.67480834145500574602 / 2.0),
    coef(0.74453627100229844977 / 2.0),
    coef(0.83934964541552703873 / 2.0),
    coef(0.97256823786196069369 / 2.0),
    coef(1.16943993343288495515 / 4.0),
    coef(1.48416461631416627724 / 4.0),
    coef(2.05778100995341155085 / 8.0),
    coef(3.40760841846871878570 / 8.0),
    coef(10.19000812354805681150 / 32.0),
];
#[allow(clippy::excessive_precision)]
const COS1: [Coef; 8] = [
    coef(0.50241928618815570551 / 2.0),
    coef(0.52249861493968888062 / 2.0),
    coef(0.56694403481635770368 / 2.0),
    coef(0.64682178335999012954 / 2.0),
    coef(0.78815462345125022473 / 2.0),
    coef(1.06067768599034747134 / 4.0),
    coef(1.72244709823833392782 / 4.0),
    coef(5.10114861868916385802 / 16.0),
];
#[allow(clippy::excessive_precision)]
const COS2: [Coef; 4] = [
    coef(0.50979557910415916894 / 2.0),
    coef(0.60134488693504528054 / 2.0),
    coef(0.89997622313641570463 / 2.0),
    coef(2.56291544774150617881 / 8.0),
];
#[allow(clippy::excessive_precision)]
const COS3: [Coef; 2] = [
    coef(0.54119610014619698439 / 2.0),
    coef(1.30656296487637652785 / 4.0),
];
const COS4: Coef = coef(std::f64::consts::FRAC_1_SQRT_2 / 2.0);

/// Butterfly: `v[a] = v[a] + v[b]`, `v[b] = (v[a] - v[b]) * c * 2^s`.
#[inline(always)]
fn bf<T: Arith>(v: &mut [T; 32], a: usize, b: usize, c: Coef, s: u32) {
    let t0 = v[a].add(v[b]);
    let t1 = v[a].sub(v[b]);
    v[a] = t0;
    v[b] = t1.mulh3(c, s);
}

#[inline(always)]
fn bf1<T: Arith>(v: &mut [T; 32], a: usize, b: usize, c: usize, d: usize) {
    bf(v, a, b, COS4, 1);
    bf(v, c, d, neg(COS4), 1);
    v[c] = v[c].add(v[d]);
}

#[inline(always)]
fn bf2<T: Arith>(v: &mut [T; 32], a: usize, b: usize, c: usize, d: usize) {
    bf1(v, a, b, c, d);
    v[a] = v[a].add(v[c]);
    v[c] = v[c].add(v[b]);
    v[b] = v[b].add(v[d]);
}

/// The 32-point DCT of the synthesis (Lee's factorisation, in FFmpeg's operation order).
#[inline(always)]
fn dct32<T: Arith>(out: &mut [T], input: &[T; 32]) {
    let mut v = *input;
    let v = &mut v;
    // First half: even-indexed outputs' inputs.
    bf(v, 0, 31, COS0[0], 1);
    bf(v, 15, 16, COS0[15], 5);
    bf(v, 0, 15, COS1[0], 1);
    bf(v, 16, 31, neg(COS1[0]), 1);
    bf(v, 7, 24, COS0[7], 1);
    bf(v, 8, 23, COS0[8], 1);
    bf(v, 7, 8, COS1[7], 4);
    bf(v, 23, 24, neg(COS1[7]), 4);
    bf(v, 0, 7, COS2[0], 1);
    bf(v, 8, 15, neg(COS2[0]), 1);
    bf(v, 16, 23, COS2[0], 1);
    bf(v, 24, 31, neg(COS2[0]), 1);
    bf(v, 3, 28, COS0[3], 1);
    bf(v, 12, 19, COS0[12], 2);
    bf(v, 3, 12, COS1[3], 1);
    bf(v, 19, 28, neg(COS1[3]), 1);
    bf(v, 4, 27, COS0[4], 1);
    bf(v, 11, 20, COS0[11], 2);
    bf(v, 4, 11, COS1[4], 1);
    bf(v, 20, 27, neg(COS1[4]), 1);
    bf(v, 3, 4, COS2[3], 3);
    bf(v, 11, 12, neg(COS2[3]), 3);
    bf(v, 19, 20, COS2[3], 3);
    bf(v, 27, 28, neg(COS2[3]), 3);
    bf(v, 0, 3, COS3[0], 1);
    bf(v, 4, 7, neg(COS3[0]), 1);
    bf(v, 8, 11, COS3[0], 1);
    bf(v, 12, 15, neg(COS3[0]), 1);
    bf(v, 16, 19, COS3[0], 1);
    bf(v, 20, 23, neg(COS3[0]), 1);
    bf(v, 24, 27, COS3[0], 1);
    bf(v, 28, 31, neg(COS3[0]), 1);

    bf(v, 1, 30, COS0[1], 1);
    bf(v, 14, 17, COS0[14], 3);
    bf(v, 1, 14, COS1[1], 1);
    bf(v, 17, 30, neg(COS1[1]), 1);
    bf(v, 6, 25, COS0[6], 1);
    bf(v, 9, 22, COS0[9], 1);
    bf(v, 6, 9, COS1[6], 2);
    bf(v, 22, 25, neg(COS1[6]), 2);
    bf(v, 1, 6, COS2[1], 1);
    bf(v, 9, 14, neg(COS2[1]), 1);
    bf(v, 17, 22, COS2[1], 1);
    bf(v, 25, 30, neg(COS2[1]), 1);
    bf(v, 2, 29, COS0[2], 1);
    bf(v, 13, 18, COS0[13], 3);
    bf(v, 2, 13, COS1[2], 1);
    bf(v, 18, 29, neg(COS1[2]), 1);
    bf(v, 5, 26, COS0[5], 1);
    bf(v, 10, 21, COS0[10], 1);
    bf(v, 5, 10, COS1[5], 2);
    bf(v, 21, 26, neg(COS1[5]), 2);
    bf(v, 2, 5, COS2[2], 1);
    bf(v, 10, 13, neg(COS2[2]), 1);
    bf(v, 18, 21, COS2[2], 1);
    bf(v, 26, 29, neg(COS2[2]), 1);
    bf(v, 1, 2, COS3[1], 2);
    bf(v, 5, 6, neg(COS3[1]), 2);
    bf(v, 9, 10, COS3[1], 2);
    bf(v, 13, 14, neg(COS3[1]), 2);
    bf(v, 17, 18, COS3[1], 2);
    bf(v, 21, 22, neg(COS3[1]), 2);
    bf(v, 25, 26, COS3[1], 2);
    bf(v, 29, 30, neg(COS3[1]), 2);

    bf1(v, 0, 1, 2, 3);
    bf2(v, 4, 5, 6, 7);
    bf1(v, 8, 9, 10, 11);
    bf2(v, 12, 13, 14, 15);
    bf1(v, 16, 17, 18, 19);
    bf2(v, 20, 21, 22, 23);
    bf1(v, 24, 25, 26, 27);
    bf2(v, 28, 29, 30, 31);

    for (a, b) in [
        (8, 12),
        (12, 10),
        (10, 14),
        (14, 9),
        (9, 13),
        (13, 11),
        (11, 15),
    ] {
        v[a] = v[a].add(v[b]);
    }
    const EVEN: [usize; 16] = [0, 16, 8, 24, 4, 20, 12, 28, 2, 18, 10, 26, 6, 22, 14, 30];
    for (i, &o) in EVEN.iter().enumerate() {
        out[o] = v[i];
    }
    for (a, b) in [
        (24, 28),
        (28, 26),
        (26, 30),
        (30, 25),
        (25, 29),
        (29, 27),
        (27, 31),
    ] {
        v[a] = v[a].add(v[b]);
    }
    const ODD: [(usize, usize, usize); 15] = [
        (1, 16, 24),
        (17, 17, 25),
        (9, 18, 26),
        (25, 19, 27),
        (5, 20, 28),
        (21, 21, 29),
        (13, 22, 30),
        (29, 23, 31),
        (3, 24, 20),
        (19, 25, 21),
        (11, 26, 22),
        (27, 27, 23),
        (7, 28, 18),
        (23, 29, 19),
        (15, 30, 17),
    ];
    for &(o, a, b) in &ODD {
        out[o] = v[a].add(v[b]);
    }
    out[31] = v[31];
}

/// Fixed-point synthesis state of one channel (cf. FFmpeg's `ff_mpa_synth_filter_fixed`).
#[derive(Clone)]
pub struct FixedSynth {
    /// The 512-sample ring, mirrored into a second half so that reads never wrap.
    buf: Box<[i32; 1024]>,
    offset: usize,
}

impl Default for FixedSynth {
    fn default() -> Self {
        FixedSynth {
            buf: Box::new([0; 1024]),
            offset: 0,
        }
    }
}

impl std::fmt::Debug for FixedSynth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FixedSynth(offset {})", self.offset)
    }
}

/// The window in both arithmetics.
#[derive(Debug, Clone)]
pub struct Window {
    fixed: [i32; 512],
    float: [f32; 512],
    /// The float window rearranged for [`FloatSynth::filter`]: per tap `k` (offset
    /// `o = 64k`), sixteen-wide rows (the last entry 0) of `w[o + 1 + i]`,
    /// `w[o + 31 - i]`, `w[o + 47 - i]` and `w[o + 49 + i]` for `i` = 0..15, so
    /// that every product of the fifteen mirrored outputs reads forwards.
    float_taps: [[[f32; 16]; 4]; 8],
}

impl Default for Window {
    fn default() -> Self {
        let fixed = synth_window();
        let mut float = [0f32; 512];
        for (f, &w) in float.iter_mut().zip(fixed.iter()) {
            *f = (f64::from(w) * (1.0 / (1u64 << (16 + FRAC_BITS)) as f64)) as f32;
        }
        let mut float_taps = [[[0f32; 16]; 4]; 8];
        for (k, rows) in float_taps.iter_mut().enumerate() {
            let o = 64 * k;
            for i in 0..15 {
                rows[0][i] = float[o + 1 + i];
                rows[1][i] = float[o + 31 - i];
                rows[2][i] = float[o + 47 - i];
                rows[3][i] = float[o + 49 + i];
            }
        }
        Window {
            fixed,
            float,
            float_taps,
        }
    }
}

#[inline(always)]
fn round_fixed(sum: &mut i64) -> i16 {
    let s = (*sum >> OUT_SHIFT) as i32;
    *sum &= (1 << OUT_SHIFT) - 1;
    s.clamp(-32768, 32767) as i16
}

impl FixedSynth {
    /// Filters one set of 32 subband samples into 32 output samples. `dither` carries the
    /// low bits discarded from the last output sample into the next; FFmpeg keeps one for
    /// all channels of a decoder, filtering the channels one after the other.
    pub fn filter(&mut self, win: &Window, dither: &mut i32, sb: &[i32; 32], out: &mut [i16; 32]) {
        let off = self.offset & 511;
        {
            let (lo, hi) = self.buf.split_at_mut(512);
            dct32::<i32>(&mut lo[off..off + 32], sb);
            hi[off..off + 32].copy_from_slice(&lo[off..off + 32]);
        }
        let Ok(b) = <&[i32; 512]>::try_from(&self.buf[off..off + 512]) else {
            return;
        };
        let w = &win.fixed;
        #[inline(always)]
        fn dot(w: &[i32; 512], b: &[i32; 512], wi: usize, pi: usize) -> i64 {
            let mut s = 0i64;
            for k in 0..8 {
                s += i64::from(w[(wi + 64 * k) & 511]) * i64::from(b[(pi + 64 * k) & 511]);
            }
            s
        }
        let mut sum = i64::from(*dither);
        sum += dot(w, b, 0, 16);
        sum -= dot(w, b, 32, 48);
        out[0] = round_fixed(&mut sum);
        for j in 1..16 {
            let w2 = 32 - j;
            let mut sum2 = 0i64;
            for k in 0..8 {
                let t = i64::from(b[(16 + j + 64 * k) & 511]);
                sum += i64::from(w[(j + 64 * k) & 511]) * t;
                sum2 -= i64::from(w[(w2 + 64 * k) & 511]) * t;
            }
            for k in 0..8 {
                let t = i64::from(b[(48 - j + 64 * k) & 511]);
                sum -= i64::from(w[(32 + j + 64 * k) & 511]) * t;
                sum2 -= i64::from(w[(32 + w2 + 64 * k) & 511]) * t;
            }
            out[j] = round_fixed(&mut sum);
            sum += sum2;
            out[32 - j] = round_fixed(&mut sum);
        }
        sum -= dot(w, b, 48, 32);
        out[16] = round_fixed(&mut sum);
        *dither = sum as i32;
        self.offset = off.wrapping_sub(32) & 511;
    }
}

/// Float synthesis state of one channel (cf. FFmpeg's `ff_mpa_synth_filter_float`).
#[derive(Clone)]
pub struct FloatSynth {
    buf: Box<[f32; 1024]>,
    offset: usize,
}

impl Default for FloatSynth {
    fn default() -> Self {
        FloatSynth {
            buf: Box::new([0.0; 1024]),
            offset: 0,
        }
    }
}

impl std::fmt::Debug for FloatSynth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FloatSynth(offset {})", self.offset)
    }
}

impl FloatSynth {
    /// Filters one set of 32 subband samples (scaled by 2^23) into 32 samples in [-1, 1].
    pub fn filter(&mut self, win: &Window, sb: &[f32; 32], out: &mut [f32; 32]) {
        let off = self.offset & 511;
        {
            let (lo, hi) = self.buf.split_at_mut(512);
            dct32::<f32>(&mut lo[off..off + 32], sb);
            hi[off..off + 32].copy_from_slice(&lo[off..off + 32]);
        }
        let Ok(b) = <&[f32; 512]>::try_from(&self.buf[off..off + 512]) else {
            return;
        };
        let w = &win.float;
        let mut sum = 0f32;
        for k in 0..8 {
            sum += w[(64 * k) & 511] * b[(16 + 64 * k) & 511];
        }
        for k in 0..8 {
            sum -= w[(32 + 64 * k) & 511] * b[(48 + 64 * k) & 511];
        }
        out[0] = sum;
        // Outputs 1..16 (`s1`) and 31..17 (`s2`), sixteen lanes at once per tap (the
        // last lane unused). Output j = i + 1 sums, over the taps, w[o + j] and
        // -w[o + 32 + j] times b[o + 16 + j] and b[o + 48 - j] (s1), and -w[o + 32 - j]
        // and -w[o + 64 - j] times the same samples (s2). The products with
        // b[o + 48 - j] are gathered by m = 14 - i, which reads b forwards from
        // o + 33, and folded back at the end.
        let mut s1 = [0f32; 16];
        let mut s2 = [0f32; 16];
        let mut r1 = [0f32; 16];
        let mut r2 = [0f32; 16];
        for (k, rows) in win.float_taps.iter().enumerate() {
            let o = 64 * k;
            let (Some(t), Some(u)) = (b.get(o + 17..o + 33), b.get(o + 33..o + 49)) else {
                return;
            };
            for i in 0..16 {
                s1[i] += rows[0][i] * t[i];
                s2[i] -= rows[1][i] * t[i];
                r1[i] -= rows[2][i] * u[i];
                r2[i] -= rows[3][i] * u[i];
            }
        }
        for i in 0..15 {
            out[i + 1] = s1[i] + r1[14 - i];
            out[31 - i] = s2[i] + r2[14 - i];
        }
        let mut sum = 0f32;
        for k in 0..8 {
            sum -= w[(48 + 64 * k) & 511] * b[(32 + 64 * k) & 511];
        }
        out[16] = sum;
        self.offset = off.wrapping_sub(32) & 511;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The DCT against its definition: out[k] = sum_i in[i] cos((2i+1) k pi / 64).
    #[test]
    fn dct_matches_definition() {
        let input: [f32; 32] = std::array::from_fn(|i| ((i * 7 % 11) as f32 - 5.0) / 8.0);
        let mut out = [0f32; 32];
        dct32(&mut out, &input);
        for (k, &o) in out.iter().enumerate() {
            let want: f64 = (0..32)
                .map(|i| {
                    f64::from(input[i])
                        * ((2 * i + 1) as f64 * k as f64 * std::f64::consts::PI / 64.0).cos()
                })
                .sum();
            assert!((f64::from(o) - want).abs() < 1e-4, "{k}: {o} vs {want}");
        }
        let fixed_in: [i32; 32] = std::array::from_fn(|i| (input[i] * (1 << 23) as f32) as i32);
        let mut fixed_out = [0i32; 32];
        dct32(&mut fixed_out, &fixed_in);
        for k in 0..32 {
            let f = fixed_out[k] as f32 / (1 << 23) as f32;
            assert!((f - out[k]).abs() < 1e-4, "{k}");
        }
    }
}
