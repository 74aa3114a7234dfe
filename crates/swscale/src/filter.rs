//! Resampling filter banks with fixed-point coefficients (cf. `initFilter`).
//!
//! For each destination sample `j` a bank holds the first source sample it
//! reads (`pos[j]`) and `size` coefficients in Q14 that sum to exactly
//! `1 << 14`. Sample positions follow FFmpeg: destination sample `j` of a
//! plane `n_d` samples long maps to source coordinate
//! `t = (j + o_d) * n_s / n_d - o_s`, computed in 16.16 fixed point with
//! `inc = ((n_s << 16) + n_d / 2) / n_d`, where `o` is the sample's offset
//! inside its cell (0.5 = centred, FFmpeg's default for chroma too). When
//! shrinking, kernels are stretched by `n_s / n_d`. Taps falling outside the
//! picture are folded onto the edge sample, so every `pos[j] + k` is valid.

use crate::flags::Filter;

/// Coefficients are Q14.
pub(crate) const COEF_BITS: u32 = 14;
const ONE: i32 = 1 << COEF_BITS;

/// A filter bank for one direction of one plane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FilterBank {
    /// Taps per output sample.
    pub size: usize,
    /// First source sample of each output sample.
    pub pos: Vec<u32>,
    /// `size` coefficients per output sample, Q14.
    pub coef: Vec<i16>,
    /// When `size <= 8`: the coefficients padded with zeros to 8 per output (for SIMD), else empty.
    pub coef8: Vec<i16>,
    /// When `size <= 4`: per block of 8 outputs (zero-padded), the (tap 0, tap 1) pairs of
    /// the 8 outputs then their (tap 2, tap 3) pairs (for SIMD), else empty.
    pub coef4: Vec<i16>,
    /// Source samples per line.
    pub n_s: usize,
    /// For 4- and 8-sample windows: a multiple of 8 such that every output below it
    /// reads `pos[j]..pos[j] + window` inside `n_s` samples.
    pub fit: [usize; 2],
    /// Outputs (a multiple of 8, at most `fit[0]`) covered by `shuf4`.
    pub fit_shuf: usize,
    /// When `size <= 4`: for each block of 8 outputs from the start, two 32-byte `pshufb`
    /// masks (relative to `pos` of the block's first output) picking taps 0-1 and taps 2-3
    /// of the 8 outputs as zero-extended words from one 16-byte load (broadcast to both
    /// lanes), for blocks whose windows all lie in `pos[8b]..pos[8b] + 16` inside the line.
    pub shuf4: Vec<u8>,
    /// When `size <= 64`: for packed 3/4-channel SIMD, per output and per group of 4 taps,
    /// 16 words `[c0 c1 c0 c1 c0 c1 c0 c1 | c2 c3 c2 c3 ...]` (zero past `size`), else empty.
    pub coefq: Vec<i16>,
    /// When `4 < size <= 8`: outputs (a multiple of 8, at most `fit[1]`) covered by `shuf8`.
    pub fit_shuf8: usize,
    /// When `4 < size <= 8`: for each block of 8 outputs from the start, four 32-byte
    /// `pshufb` masks picking taps (0,1), (2,3), (4,5), (6,7) of the 8 outputs as
    /// zero-extended words from 16 bytes at `pos[8b]` (low lane, outputs 0-3) and 16 bytes
    /// at `pos[8b + 4]` (high lane, outputs 4-7), for blocks whose windows fit there.
    pub shuf8: Vec<u8>,
    /// When `4 < size <= 8`: per block of 8 outputs (zero-padded), 4 x 16 words: the
    /// (tap 2q, tap 2q+1) pairs of the 8 outputs for q = 0..4.
    pub coef8p: Vec<i16>,
}

impl FilterBank {
    fn with_padded(mut self, n_s: usize) -> FilterBank {
        self.n_s = n_s;
        for (i, win) in [4, 8].into_iter().enumerate() {
            let ok = self
                .pos
                .iter()
                .take_while(|&&p| p as usize + win <= n_s)
                .count();
            self.fit[i] = ok - ok % 8;
        }
        if self.size <= 4 {
            'blocks: for b in 0..self.fit[0] / 8 {
                let base = self.pos[8 * b] as usize;
                if base + 16 > n_s {
                    break;
                }
                // Two masks: taps 0-1 and taps 2-3 of each output as zero-extended words.
                let mut m = [0x80u8; 64];
                for i in 0..8 {
                    match (self.pos[8 * b + i] as usize).checked_sub(base) {
                        Some(off) if off + 4 <= 16 => {
                            for t in 0..4 {
                                m[32 * (t / 2) + 4 * i + 2 * (t % 2)] = (off + t) as u8;
                            }
                        }
                        _ => break 'blocks,
                    }
                }
                self.shuf4.extend_from_slice(&m);
                self.fit_shuf += 8;
            }
        }
        if self.size > 4 && self.size <= 8 {
            'blocks8: for b in 0..self.fit[1] / 8 {
                let mut m = [0x80u8; 128];
                for lane in 0..2 {
                    let base = self.pos[8 * b + 4 * lane] as usize;
                    if base + 16 > n_s {
                        break 'blocks8;
                    }
                    for s in 0..4 {
                        let i = 4 * lane + s;
                        match (self.pos[8 * b + i] as usize).checked_sub(base) {
                            Some(off) if off + 8 <= 16 => {
                                for t in 0..8 {
                                    m[32 * (t / 2) + 16 * lane + 4 * s + 2 * (t % 2)] =
                                        (off + t) as u8;
                                }
                            }
                            _ => break 'blocks8,
                        }
                    }
                }
                self.shuf8.extend_from_slice(&m);
                self.fit_shuf8 += 8;
            }
            let n = self.pos.len();
            self.coef8p = vec![0; 8 * n.next_multiple_of(8)];
            for j in 0..n {
                for k in 0..self.size {
                    let at = 64 * (j / 8) + 16 * (k / 2) + 2 * (j % 8) + k % 2;
                    self.coef8p[at] = self.coef[j * self.size + k];
                }
            }
        }
        if self.size <= 64 {
            let g = self.size.div_ceil(4);
            let n = self.pos.len();
            self.coefq = vec![0; 16 * g * n];
            for j in 0..n {
                for k in 0..self.size {
                    let (q, r) = (k / 4, k % 4);
                    let base = 16 * (j * g + q) + 8 * (r / 2) + r % 2;
                    for rep in 0..4 {
                        self.coefq[base + 2 * rep] = self.coef[j * self.size + k];
                    }
                }
            }
        }
        if self.size <= 4 {
            // Per block of 8 outputs: (tap 0, tap 1) of outputs 0-7, then (tap 2, tap 3).
            let n = self.pos.len();
            self.coef4 = vec![0; 4 * n.next_multiple_of(8)];
            for j in 0..n {
                for k in 0..self.size {
                    let at = 32 * (j / 8) + 16 * (k / 2) + 2 * (j % 8) + k % 2;
                    self.coef4[at] = self.coef[j * self.size + k];
                }
            }
        }
        for (pad, v) in [(8, &mut self.coef8)] {
            if self.size <= pad {
                let n = self.pos.len();
                *v = vec![0; pad * n];
                for j in 0..n {
                    v[pad * j..pad * j + self.size]
                        .copy_from_slice(&self.coef[j * self.size..(j + 1) * self.size]);
                }
            }
        }
        self
    }
}

/// Which kernel to evaluate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Kernel {
    Point,
    Area,
    Bilinear,
    Bicubic { b: f64, c: f64 },
    Gauss { p: f64 },
    Sinc,
    Lanczos { a: f64 },
    Spline,
}

impl Kernel {
    /// The kernel of `filter` for luma (`chroma == false`) or chroma.
    pub(crate) fn of(filter: Filter, param: [Option<f64>; 2], chroma: bool) -> Kernel {
        match filter {
            Filter::Point => Kernel::Point,
            Filter::Area => Kernel::Area,
            Filter::FastBilinear | Filter::Bilinear => Kernel::Bilinear,
            Filter::Bicublin if chroma => Kernel::Bilinear,
            Filter::Bicubic | Filter::Experimental | Filter::Bicublin => Kernel::Bicubic {
                b: param[0].unwrap_or(0.0),
                c: param[1].unwrap_or(0.6),
            },
            Filter::Gauss => Kernel::Gauss {
                p: param[0].unwrap_or(3.0),
            },
            Filter::Sinc => Kernel::Sinc,
            Filter::Lanczos => Kernel::Lanczos {
                a: param[0].unwrap_or(3.0).clamp(1.0, 10.0),
            },
            Filter::Spline => Kernel::Spline,
        }
    }

    fn radius(self) -> f64 {
        match self {
            Kernel::Point | Kernel::Area => 1.0,
            Kernel::Bilinear => 1.0,
            Kernel::Bicubic { .. } => 2.0,
            Kernel::Gauss { .. } => 4.0,
            Kernel::Sinc => 10.0,
            Kernel::Lanczos { a } => a,
            Kernel::Spline => 3.0,
        }
    }

    fn eval(self, x: f64) -> f64 {
        let ax = x.abs();
        match self {
            Kernel::Point | Kernel::Area => f64::from(u8::from(ax < 0.5)),
            Kernel::Bilinear => (1.0 - ax).max(0.0),
            Kernel::Bicubic { b, c } => {
                if ax < 1.0 {
                    ((12.0 - 9.0 * b - 6.0 * c) * ax * ax * ax
                        + (-18.0 + 12.0 * b + 6.0 * c) * ax * ax
                        + (6.0 - 2.0 * b))
                        / 6.0
                } else if ax < 2.0 {
                    ((-b - 6.0 * c) * ax * ax * ax
                        + (6.0 * b + 30.0 * c) * ax * ax
                        + (-12.0 * b - 48.0 * c) * ax
                        + (8.0 * b + 24.0 * c))
                        / 6.0
                } else {
                    0.0
                }
            }
            Kernel::Gauss { p } => 2f64.powf(-p * ax * ax),
            Kernel::Sinc => sinc(ax),
            Kernel::Lanczos { a } => {
                if ax < a {
                    sinc(ax) * sinc(ax / a)
                } else {
                    0.0
                }
            }
            Kernel::Spline => {
                if ax < 1.0 {
                    ((13.0 / 11.0 * ax - 453.0 / 209.0) * ax - 3.0 / 209.0) * ax + 1.0
                } else if ax < 2.0 {
                    let t = ax - 1.0;
                    ((-6.0 / 11.0 * t + 270.0 / 209.0) * t - 156.0 / 209.0) * t
                } else if ax < 3.0 {
                    let t = ax - 2.0;
                    ((1.0 / 11.0 * t - 45.0 / 209.0) * t + 26.0 / 209.0) * t
                } else {
                    0.0
                }
            }
        }
    }
}

fn sinc(x: f64) -> f64 {
    if x < 1e-9 {
        1.0
    } else {
        let px = std::f64::consts::PI * x;
        px.sin() / px
    }
}

/// Builds the bank mapping `n_s` source samples to `n_d` destination samples.
/// `o_s`, `o_d`: sample offsets inside their cell in 1/256 (128 = centred).
pub(crate) fn build(kernel: Kernel, n_s: usize, n_d: usize, o_s: i64, o_d: i64) -> FilterBank {
    let n_s = n_s.max(1);
    let n_d = n_d.max(1);
    let inc = ((n_s as i64) << 16).saturating_add(n_d as i64 / 2) / n_d as i64;
    let t16 = |j: usize| ((((j as i64) * 256 + o_d) * inc) >> 8) - o_s * 256;
    if inc == 1 << 16 && o_s == o_d {
        return identity(n_d.min(n_s), n_d);
    }
    if kernel == Kernel::Point {
        let pos = (0..n_d)
            .map(|j| ((t16(j) + 0x8000) >> 16).clamp(0, n_s as i64 - 1) as u32)
            .collect();
        return FilterBank {
            size: 1,
            pos,
            coef: vec![ONE as i16; n_d],
            coef8: Vec::new(),
            coef4: Vec::new(),
            n_s: 0,
            fit: [0; 2],
            fit_shuf: 0,
            shuf4: Vec::new(),
            coefq: Vec::new(),
            fit_shuf8: 0,
            shuf8: Vec::new(),
            coef8p: Vec::new(),
        }
        .with_padded(n_s);
    }
    let f = inc as f64 / 65536.0;
    let scale = f.max(1.0);
    let reach = kernel.radius() * scale;
    // Float taps for every output, then fold edges and quantise.
    let mut taps: Vec<(i64, Vec<f64>)> = Vec::with_capacity(n_d);
    for j in 0..n_d {
        let t = t16(j) as f64 / 65536.0;
        let first = (t - reach).floor() as i64;
        let last = (t + reach).ceil() as i64;
        let mut w: Vec<f64> = (first..=last)
            .map(|i| {
                let x = i as f64 - t;
                if kernel == Kernel::Area {
                    let lo = (x - 0.5).max(-f / 2.0);
                    let hi = (x + 0.5).min(f / 2.0);
                    (hi - lo).max(0.0)
                } else {
                    kernel.eval(x / scale)
                }
            })
            .collect();
        // Trim zero taps at both ends.
        let mut first = first;
        while w.len() > 1 && w[0].abs() < 1e-12 {
            w.remove(0);
            first += 1;
        }
        while w.len() > 1 && w[w.len() - 1].abs() < 1e-12 {
            w.pop();
        }
        let sum: f64 = w.iter().sum();
        if sum.abs() < 1e-9 {
            let nearest = (t.round() as i64).clamp(0, n_s as i64 - 1);
            taps.push((nearest, vec![1.0]));
        } else {
            w.iter_mut().for_each(|x| *x /= sum);
            taps.push((first, w));
        }
    }
    let size = taps
        .iter()
        .map(|(_, w)| w.len())
        .max()
        .unwrap_or(1)
        .min(n_s);
    let mut pos = Vec::with_capacity(n_d);
    let mut coef = vec![0i16; n_d * size];
    let mut folded = vec![0f64; size];
    for (j, (first, w)) in taps.iter().enumerate() {
        let start = (*first).clamp(0, (n_s - size) as i64);
        folded.iter_mut().for_each(|x| *x = 0.0);
        for (k, &wk) in w.iter().enumerate() {
            let i = (first + k as i64).clamp(0, n_s as i64 - 1);
            folded[(i - start) as usize] += wk;
        }
        // Quantise with running error so the sum is exactly ONE.
        let mut acc = 0f64;
        let mut emitted = 0i64;
        for (k, &wk) in folded.iter().enumerate() {
            acc += wk * f64::from(ONE);
            let target = acc.round() as i64;
            let c = (target - emitted).clamp(i64::from(i16::MIN), i64::from(i16::MAX));
            coef[j * size + k] = c as i16;
            emitted += c;
        }
        let fix = i64::from(ONE) - emitted;
        if fix != 0 {
            // Put any remainder on the largest tap.
            let (kmax, _) = folded
                .iter()
                .enumerate()
                .fold((0, f64::MIN), |b, (k, &v)| if v > b.1 { (k, v) } else { b });
            let c = &mut coef[j * size + kmax];
            *c = (i64::from(*c) + fix).clamp(i64::from(i16::MIN), i64::from(i16::MAX)) as i16;
        }
        pos.push(start as u32);
    }
    FilterBank {
        size,
        pos,
        coef,
        coef8: Vec::new(),
        coef4: Vec::new(),
        n_s: 0,
        fit: [0; 2],
        fit_shuf: 0,
        shuf4: Vec::new(),
        coefq: Vec::new(),
        fit_shuf8: 0,
        shuf8: Vec::new(),
        coef8p: Vec::new(),
    }
    .with_padded(n_s)
}

fn identity(n_s: usize, n_d: usize) -> FilterBank {
    FilterBank {
        size: 1,
        pos: (0..n_d).map(|j| j.min(n_s - 1) as u32).collect(),
        coef: vec![ONE as i16; n_d],
        coef8: Vec::new(),
        coef4: Vec::new(),
        n_s: 0,
        fit: [0; 2],
        fit_shuf: 0,
        shuf4: Vec::new(),
        coefq: Vec::new(),
        fit_shuf8: 0,
        shuf8: Vec::new(),
        coef8p: Vec::new(),
    }
    .with_padded(n_s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(b: &FilterBank, n_s: usize) {
        assert!(b.fit_shuf <= b.fit[0] && b.shuf4.len() == 8 * b.fit_shuf);
        for (i, win) in [4, 8].into_iter().enumerate() {
            assert_eq!(b.fit[i] % 8, 0);
            assert!(b.pos[..b.fit[i]].iter().all(|&p| p as usize + win <= n_s));
        }
        for (j, &p) in b.pos.iter().enumerate() {
            assert!(
                p as usize + b.size <= n_s,
                "pos {p} size {} n_s {n_s}",
                b.size
            );
            let s: i32 = b.coef[j * b.size..(j + 1) * b.size]
                .iter()
                .map(|&c| i32::from(c))
                .sum();
            assert_eq!(s, ONE);
        }
    }

    #[test]
    fn banks_are_valid_for_all_kernels_and_sizes() {
        let kernels = [
            Kernel::Point,
            Kernel::Area,
            Kernel::Bilinear,
            Kernel::Bicubic { b: 0.0, c: 0.6 },
            Kernel::Gauss { p: 3.0 },
            Kernel::Sinc,
            Kernel::Lanczos { a: 3.0 },
            Kernel::Spline,
        ];
        for k in kernels {
            for (ns, nd) in [
                (1, 1),
                (1, 7),
                (7, 1),
                (3, 5),
                (640, 333),
                (333, 1280),
                (4096, 1),
                (2, 4096),
            ] {
                for (os, od) in [(128, 128), (64, 128), (0, 0)] {
                    let b = build(k, ns, nd, os, od);
                    assert_eq!(b.pos.len(), nd);
                    check(&b, ns);
                }
            }
        }
    }

    #[test]
    fn point_picks_ffmpeg_pixels() {
        // Halving picks odd pixels (the centre mapping rounded half up in 16.16), like FFmpeg.
        let b = build(Kernel::Point, 8, 4, 128, 128);
        assert_eq!(b.pos, [1, 3, 5, 7]);
        let b = build(Kernel::Point, 4, 8, 128, 128);
        assert_eq!(b.pos, [0, 0, 1, 1, 2, 2, 3, 3]);
        let b = build(Kernel::Bilinear, 5, 5, 128, 128);
        assert_eq!((b.size, b.pos.as_slice()), (1, &[0, 1, 2, 3, 4][..]));
    }
}
