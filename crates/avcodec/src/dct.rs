//! 8x8 inverse DCT, bit-exact with FFmpeg's `simple` IDCT for 8-bit video
//! (cf. `ff_simple_idct_put_int16_8bit`, `-idct simple`), the default IDCT of
//! FFmpeg's MPEG-1/2 decoders when no SIMD version is chosen.
//!
//! # Arithmetic
//!
//! The transform is separable: eight one-dimensional IDCTs on the rows, then
//! eight on the columns, all in 32-bit integers (wrapping on overflow, which
//! only malformed input can cause).
//!
//! The constants are `Wk = round(cos(k*pi/16) * sqrt(2) * 2^14)` for k = 1..7,
//! except that `W4` is 16383 rather than 16384:
//! `W1 = 22725, W2 = 21407, W3 = 19266, W4 = 16383, W5 = 12873, W6 = 8867, W7 = 4520`.
//!
//! Each one-dimensional pass splits the eight inputs `x0..x7` into an even part
//! and an odd part:
//!
//! * even: `e0 = W4*x0 + W4*x4 + W2*x2 + W6*x6`, `e1 = W4*x0 - W4*x4 + W6*x2 - W2*x6`,
//!   `e2 = W4*x0 - W4*x4 - W6*x2 + W2*x6`, `e3 = W4*x0 + W4*x4 - W2*x2 - W6*x6`;
//! * odd: `o0 = W1*x1 + W3*x3 + W5*x5 + W7*x7`, `o1 = W3*x1 - W7*x3 - W1*x5 - W5*x7`,
//!   `o2 = W5*x1 - W1*x3 + W7*x5 + W3*x7`, `o3 = W7*x1 - W5*x3 + W3*x5 - W1*x7`;
//! * outputs: `y[k] = (e_k + o_k) >> s` and `y[7-k] = (e_k - o_k) >> s` for k = 0..3
//!   (arithmetic shifts, i.e. rounding toward minus infinity after the bias below).
//!
//! Row pass: a bias of `2^10` is added to the even terms and `s = 11`; the
//! results are stored back as 16-bit integers (truncating the upper bits).
//! A row whose coefficients 1..7 are all zero is instead filled with `x0 * 8`
//! (also truncated to 16 bits): this shortcut is *not* the same as the general
//! formula (which would give `(16383*x0 + 1024) >> 11`) and must be kept for
//! bit-exactness.
//!
//! Column pass: the bias is folded into the first input, `e` uses `W4*(x0 + 32)`
//! (32 = `2^19 / W4` rounded down), and `s = 20`. For "put" the results are
//! clamped to 0..=255; for "add" they are added to the prediction and then
//! clamped.
//!
//! The IEEE 1180-1990 accuracy test is in this module's tests.

pub(crate) const W1: i32 = 22725;
pub(crate) const W2: i32 = 21407;
pub(crate) const W3: i32 = 19266;
pub(crate) const W4: i32 = 16383;
pub(crate) const W5: i32 = 12873;
pub(crate) const W6: i32 = 8867;
pub(crate) const W7: i32 = 4520;

/// One row of the row pass, in place.
#[inline(always)]
fn idct_row(r: &mut [i16]) {
    let x: [i32; 8] = [
        i32::from(r[0]),
        i32::from(r[1]),
        i32::from(r[2]),
        i32::from(r[3]),
        i32::from(r[4]),
        i32::from(r[5]),
        i32::from(r[6]),
        i32::from(r[7]),
    ];
    if x[1] | x[2] | x[3] | x[4] | x[5] | x[6] | x[7] == 0 {
        let v = (x[0] << 3) as i16;
        r[..8].fill(v);
        return;
    }
    if x[4] | x[5] | x[6] | x[7] == 0 {
        // Their terms vanish (exact): the same formula without them.
        idct_row_full(r, &[x[0], x[1], x[2], x[3], 0, 0, 0, 0]);
    } else {
        idct_row_full(r, &x);
    }
}

/// The general formula of the row pass on the coefficients `x` of row `r`.
#[inline(always)]
fn idct_row_full(r: &mut [i16], x: &[i32; 8]) {
    let base = (W4.wrapping_mul(x[0])).wrapping_add(1 << 10);
    let w4x4 = W4.wrapping_mul(x[4]);
    let (w2x2, w6x2) = (W2.wrapping_mul(x[2]), W6.wrapping_mul(x[2]));
    let (w2x6, w6x6) = (W2.wrapping_mul(x[6]), W6.wrapping_mul(x[6]));
    let a0 = base
        .wrapping_add(w4x4)
        .wrapping_add(w2x2)
        .wrapping_add(w6x6);
    let a1 = base
        .wrapping_sub(w4x4)
        .wrapping_add(w6x2)
        .wrapping_sub(w2x6);
    let a2 = base
        .wrapping_sub(w4x4)
        .wrapping_sub(w6x2)
        .wrapping_add(w2x6);
    let a3 = base
        .wrapping_add(w4x4)
        .wrapping_sub(w2x2)
        .wrapping_sub(w6x6);
    let (a0, a1, a2, a3, b0, b1, b2, b3) = odd_and_combine(a0, a1, a2, a3, x);
    r[0] = ((a0.wrapping_add(b0)) >> 11) as i16;
    r[7] = ((a0.wrapping_sub(b0)) >> 11) as i16;
    r[1] = ((a1.wrapping_add(b1)) >> 11) as i16;
    r[6] = ((a1.wrapping_sub(b1)) >> 11) as i16;
    r[2] = ((a2.wrapping_add(b2)) >> 11) as i16;
    r[5] = ((a2.wrapping_sub(b2)) >> 11) as i16;
    r[3] = ((a3.wrapping_add(b3)) >> 11) as i16;
    r[4] = ((a3.wrapping_sub(b3)) >> 11) as i16;
}

#[inline(always)]
#[allow(clippy::type_complexity)]
fn odd_and_combine(
    a0: i32,
    a1: i32,
    a2: i32,
    a3: i32,
    x: &[i32; 8],
) -> (i32, i32, i32, i32, i32, i32, i32, i32) {
    let m = |w: i32, v: i32| w.wrapping_mul(v);
    let b0 = m(W1, x[1])
        .wrapping_add(m(W3, x[3]))
        .wrapping_add(m(W5, x[5]))
        .wrapping_add(m(W7, x[7]));
    let b1 = m(W3, x[1])
        .wrapping_sub(m(W7, x[3]))
        .wrapping_sub(m(W1, x[5]))
        .wrapping_sub(m(W5, x[7]));
    let b2 = m(W5, x[1])
        .wrapping_sub(m(W1, x[3]))
        .wrapping_add(m(W7, x[5]))
        .wrapping_add(m(W3, x[7]));
    let b3 = m(W7, x[1])
        .wrapping_sub(m(W5, x[3]))
        .wrapping_add(m(W3, x[5]))
        .wrapping_sub(m(W1, x[7]));
    (a0, a1, a2, a3, b0, b1, b2, b3)
}

/// Runs the row pass and the column pass, leaving the final (shifted, unclamped) values
/// in `out[row][col]`.
#[inline(always)]
fn idct_core(block: &mut [i16; 64], out: &mut [[i32; 8]; 8]) {
    for r in block.chunks_exact_mut(8) {
        idct_row(r);
    }
    // Rows 4..8 are often all zero (an all-zero row stays zero in the row
    // pass): their terms vanish, so a column pass without them is exact.
    let (_, hi) = block.split_at(32);
    if hi.iter().fold(0i16, |a, &v| a | v) == 0 {
        idct_cols::<true>(block, out);
    } else {
        idct_cols::<false>(block, out);
    }
}

/// The column pass; `UPPER_ONLY` when rows 4..8 of `block` are zero.
#[inline(always)]
fn idct_cols<const UPPER_ONLY: bool>(block: &[i16; 64], out: &mut [[i32; 8]; 8]) {
    // Column pass on all eight columns at once (vectorisable). Every product is
    // of two 16-bit values (the constants fit), which SSE2 multiplies natively;
    // `W4 * (x0 + 32)` is computed as `W4 * x0 + W4 * 32` (the same in wrapping
    // arithmetic).
    let col = |k: usize| -> [i16; 8] {
        let mut v = [0i16; 8];
        v.copy_from_slice(&block[k * 8..k * 8 + 8]);
        v
    };
    let (x0, x1, x2, x3) = (col(0), col(1), col(2), col(3));
    let (x4, x5, x6, x7) = if UPPER_ONLY {
        ([0i16; 8], [0i16; 8], [0i16; 8], [0i16; 8])
    } else {
        (col(4), col(5), col(6), col(7))
    };
    for c in 0..8 {
        // |w * v| < 2^30: no overflow.
        let m = |w: i32, v: i16| (w as i16 as i32) * i32::from(v);
        let base = m(W4, x0[c]).wrapping_add(W4 * 32);
        let w4x4 = m(W4, x4[c]);
        let a0 = base
            .wrapping_add(m(W2, x2[c]))
            .wrapping_add(w4x4)
            .wrapping_add(m(W6, x6[c]));
        let a1 = base
            .wrapping_add(m(W6, x2[c]))
            .wrapping_sub(w4x4)
            .wrapping_sub(m(W2, x6[c]));
        let a2 = base
            .wrapping_sub(m(W6, x2[c]))
            .wrapping_sub(w4x4)
            .wrapping_add(m(W2, x6[c]));
        let a3 = base
            .wrapping_sub(m(W2, x2[c]))
            .wrapping_add(w4x4)
            .wrapping_sub(m(W6, x6[c]));
        let b0 = m(W1, x1[c])
            .wrapping_add(m(W3, x3[c]))
            .wrapping_add(m(W5, x5[c]))
            .wrapping_add(m(W7, x7[c]));
        let b1 = m(W3, x1[c])
            .wrapping_sub(m(W7, x3[c]))
            .wrapping_sub(m(W1, x5[c]))
            .wrapping_sub(m(W5, x7[c]));
        let b2 = m(W5, x1[c])
            .wrapping_sub(m(W1, x3[c]))
            .wrapping_add(m(W7, x5[c]))
            .wrapping_add(m(W3, x7[c]));
        let b3 = m(W7, x1[c])
            .wrapping_sub(m(W5, x3[c]))
            .wrapping_add(m(W3, x5[c]))
            .wrapping_sub(m(W1, x7[c]));
        out[0][c] = a0.wrapping_add(b0) >> 20;
        out[1][c] = a1.wrapping_add(b1) >> 20;
        out[2][c] = a2.wrapping_add(b2) >> 20;
        out[3][c] = a3.wrapping_add(b3) >> 20;
        out[4][c] = a3.wrapping_sub(b3) >> 20;
        out[5][c] = a2.wrapping_sub(b2) >> 20;
        out[6][c] = a1.wrapping_sub(b1) >> 20;
        out[7][c] = a0.wrapping_sub(b0) >> 20;
    }
}

/// The value every sample of a block takes when only coefficient 0 is nonzero.
#[inline]
pub fn dc_only_value(dc: i16) -> i32 {
    let v = i32::from((i32::from(dc) << 3) as i16);
    W4.wrapping_mul(v.wrapping_add(32)) >> 20
}

#[inline(always)]
fn clip(v: i32) -> u8 {
    v.clamp(0, 255) as u8
}

/// Inverse transform of `block` (raster order; destroyed) written to the
/// 8x8 area of `dst` starting at `off` with line stride `stride`, clamped to 0..=255.
/// Out-of-range destination areas are left untouched.
pub fn idct_put(block: &mut [i16; 64], dst: &mut [u8], off: usize, stride: usize) {
    #[cfg(target_arch = "x86_64")]
    if crate::simd::idct_put(block, dst, off, stride) {
        return;
    }
    idct_put_scalar(block, dst, off, stride);
}

/// The portable [`idct_put`], the reference of the SIMD version.
fn idct_put_scalar(block: &mut [i16; 64], dst: &mut [u8], off: usize, stride: usize) {
    let mut out = [[0i32; 8]; 8];
    idct_core(block, &mut out);
    for (y, row) in out.iter().enumerate() {
        if let Some(d) = dst.get_mut(off + y * stride..off + y * stride + 8) {
            for (p, &v) in d.iter_mut().zip(row) {
                *p = clip(v);
            }
        }
    }
}

/// Inverse transform of `block` (destroyed) added to the 8x8 area of `dst`, clamped to 0..=255.
pub fn idct_add(block: &mut [i16; 64], dst: &mut [u8], off: usize, stride: usize) {
    #[cfg(target_arch = "x86_64")]
    if crate::simd::idct_add(block, dst, off, stride) {
        return;
    }
    idct_add_scalar(block, dst, off, stride);
}

/// The portable [`idct_add`], the reference of the SIMD version.
fn idct_add_scalar(block: &mut [i16; 64], dst: &mut [u8], off: usize, stride: usize) {
    let mut out = [[0i32; 8]; 8];
    idct_core(block, &mut out);
    for (y, row) in out.iter().enumerate() {
        if let Some(d) = dst.get_mut(off + y * stride..off + y * stride + 8) {
            for (p, &v) in d.iter_mut().zip(row) {
                *p = clip(i32::from(*p) + v);
            }
        }
    }
}

/// [`idct_put`] for a block whose only nonzero coefficient is `dc` (same result, faster).
pub fn idct_put_dc(dc: i16, dst: &mut [u8], off: usize, stride: usize) {
    let v = clip(dc_only_value(dc));
    for y in 0..8 {
        if let Some(d) = dst.get_mut(off + y * stride..off + y * stride + 8) {
            d.fill(v);
        }
    }
}

/// [`idct_add`] for a block whose only nonzero coefficient is `dc` (same result, faster).
pub fn idct_add_dc(dc: i16, dst: &mut [u8], off: usize, stride: usize) {
    let v = dc_only_value(dc);
    for y in 0..8 {
        if let Some(d) = dst.get_mut(off + y * stride..off + y * stride + 8) {
            for p in d {
                *p = clip(i32::from(*p) + v);
            }
        }
    }
}

/// The transform without clamping: `block` (raster order) is replaced by the
/// 8x8 spatial values (cf. `ff_simple_idct_int16_8bit`).
pub fn idct(block: &mut [i16; 64]) {
    let mut out = [[0i32; 8]; 8];
    idct_core(block, &mut out);
    for (y, row) in out.iter().enumerate() {
        for (x, &v) in row.iter().enumerate() {
            block[y * 8 + x] = v as i16;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pseudo-random generator of IEEE 1180-1990 (values in [-l, h]).
    struct IeeeRand(i64);
    impl IeeeRand {
        fn next(&mut self, l: i64, h: i64) -> i64 {
            self.0 = (self.0.wrapping_mul(1103515245).wrapping_add(12345)) & 0xffff_ffff;
            let i = self.0 & 0x7fff_fffe;
            let x = (i as f64) / f64::from(0x7fff_ffff) * (l + h + 1) as f64;
            x as i64 - l
        }
    }

    fn basis() -> [[f64; 8]; 8] {
        let mut c = [[0.0; 8]; 8];
        for (k, row) in c.iter_mut().enumerate() {
            let s = if k == 0 { (0.125f64).sqrt() } else { 0.5 };
            for (n, v) in row.iter_mut().enumerate() {
                *v = s * ((2 * n + 1) as f64 * k as f64 * std::f64::consts::PI / 16.0).cos();
            }
        }
        c
    }

    fn fdct(c: &[[f64; 8]; 8], x: &[f64; 64]) -> [f64; 64] {
        let mut t = [0.0; 64];
        let mut o = [0.0; 64];
        for v in 0..8 {
            for u in 0..8 {
                t[v * 8 + u] = (0..8).map(|n| c[u][n] * x[v * 8 + n]).sum();
            }
        }
        for v in 0..8 {
            for u in 0..8 {
                o[v * 8 + u] = (0..8).map(|n| c[v][n] * t[n * 8 + u]).sum();
            }
        }
        o
    }

    fn ref_idct(c: &[[f64; 8]; 8], x: &[f64; 64]) -> [f64; 64] {
        let mut t = [0.0; 64];
        let mut o = [0.0; 64];
        for v in 0..8 {
            for n in 0..8 {
                t[v * 8 + n] = (0..8).map(|u| c[u][n] * x[v * 8 + u]).sum();
            }
        }
        for m in 0..8 {
            for n in 0..8 {
                o[m * 8 + n] = (0..8).map(|v| c[v][m] * t[v * 8 + n]).sum();
            }
        }
        o
    }

    /// IEEE 1180-1990: 10000 blocks for each range and sign; peak error <= 1,
    /// per-pixel MSE <= 0.06 and mean error <= 0.015, overall MSE <= 0.02 and
    /// mean error <= 0.0015.
    #[test]
    fn ieee_1180_accuracy() {
        let c = basis();
        for &(l, h) in &[(256i64, 255i64), (5, 5), (300, 300)] {
            for &sign in &[1.0f64, -1.0] {
                let mut rng = IeeeRand(1);
                let mut err = [0i64; 64];
                let mut sq = [0i64; 64];
                let mut peak = 0i64;
                let blocks = 10000;
                for _ in 0..blocks {
                    let mut x = [0.0f64; 64];
                    for v in x.iter_mut() {
                        *v = rng.next(l, h) as f64 * sign;
                    }
                    let f = fdct(&c, &x);
                    let mut coef = [0i16; 64];
                    let mut fc = [0.0f64; 64];
                    for i in 0..64 {
                        let q = f[i].round().clamp(-2048.0, 2047.0);
                        coef[i] = q as i16;
                        fc[i] = q;
                    }
                    let r = ref_idct(&c, &fc);
                    let mut test = coef;
                    idct(&mut test);
                    for i in 0..64 {
                        let rv = (r[i].round() as i64).clamp(-256, 255);
                        let tv = i64::from(test[i]).clamp(-256, 255);
                        let e = tv - rv;
                        peak = peak.max(e.abs());
                        err[i] += e;
                        sq[i] += e * e;
                    }
                }
                let n = blocks as f64;
                assert!(peak <= 1, "peak {peak} for ({l},{h},{sign})");
                for i in 0..64 {
                    assert!(sq[i] as f64 / n <= 0.06, "pmse at {i} ({l},{h},{sign})");
                    assert!((err[i] as f64 / n).abs() <= 0.015, "pme at {i}");
                }
                let omse = sq.iter().sum::<i64>() as f64 / (64.0 * n);
                let ome = err.iter().sum::<i64>() as f64 / (64.0 * n);
                assert!(omse <= 0.02, "omse {omse}");
                assert!(ome.abs() <= 0.0015, "ome {ome}");
            }
        }
        // All-zero input gives all-zero output.
        let mut z = [0i16; 64];
        idct(&mut z);
        assert!(z.iter().all(|&v| v == 0));
    }

    #[test]
    fn simd_equals_scalar() {
        let mut rng = IeeeRand(7);
        for n in 0..20_000 {
            // Mix of dense and sparse blocks, of the MPEG range and of the whole i16 range
            // (wrapping and truncation cases), and of rows with only their first coefficient.
            let (l, h) = match n % 4 {
                0 => (2048, 2047),
                1 => (32768, 32767),
                2 => (300, 300),
                _ => (5, 5),
            };
            let density = [64, 16, 4, 1][n / 4 % 4];
            let mut b = [0i16; 64];
            for (i, v) in b.iter_mut().enumerate() {
                let keep = rng.next(0, 63) < density || (n % 7 == 0 && i % 8 == 0);
                if keep {
                    *v = rng.next(l, h) as i16;
                }
            }
            let stride = 8 + (n % 3) * 5;
            let pred: Vec<u8> = (0..stride * 8).map(|_| rng.next(0, 255) as u8).collect();
            let (mut d1, mut d2) = (pred.clone(), pred.clone());
            idct_put(&mut b.clone(), &mut d1, 0, stride);
            idct_put_scalar(&mut b.clone(), &mut d2, 0, stride);
            assert_eq!(d1, d2, "put, block {n}");
            let (mut d1, mut d2) = (pred.clone(), pred);
            idct_add(&mut b.clone(), &mut d1, 0, stride);
            idct_add_scalar(&mut b.clone(), &mut d2, 0, stride);
            assert_eq!(d1, d2, "add, block {n}");
        }
    }

    #[test]
    fn dc_fast_paths_agree() {
        for dc in [
            -2048i16,
            -1000,
            -8,
            -1,
            0,
            1,
            7,
            8,
            100,
            1024,
            2047,
            i16::MAX,
            i16::MIN,
        ] {
            let mut b = [0i16; 64];
            b[0] = dc;
            let mut d1 = [100u8; 64];
            let mut d2 = [100u8; 64];
            idct_put(&mut b.clone(), &mut d1, 0, 8);
            idct_put_dc(dc, &mut d2, 0, 8);
            assert_eq!(d1, d2, "put {dc}");
            let mut d1 = [100u8; 64];
            let mut d2 = [100u8; 64];
            idct_add(&mut b, &mut d1, 0, 8);
            idct_add_dc(dc, &mut d2, 0, 8);
            assert_eq!(d1, d2, "add {dc}");
        }
    }
}
