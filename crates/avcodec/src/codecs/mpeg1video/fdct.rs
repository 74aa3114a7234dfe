//! 8x8 forward DCT for the encoder, in `f32`.
//!
//! The transform is the one ISO/IEC 11172-2 Annex A defines the inverse of:
//! `F(v, u) = 1/4 C(u) C(v) sum_{y,x} f(y, x) cos((2x+1) u pi/16) cos((2y+1) v pi/16)`
//! with `C(0) = 1/sqrt(2)` and `C(k) = 1` otherwise, so a flat block of value
//! `a` gives `F(0, 0) = 8a`, the scale [`crate::dct`]'s inverse expects.
//!
//! It is computed separably (columns, then rows) with the Arai-Agui-Nakajima
//! factorisation, each pass on whole rows of eight lanes so that the compiler
//! vectorises it; the factorisation's output scaling is undone at the end.
//! Results are left unrounded: quantisation rounds once.

use std::sync::OnceLock;

/// `BASIS[x][u] = C(u)/2 * cos((2x+1) u pi / 16)`.
fn basis() -> &'static [[f32; 8]; 8] {
    static B: OnceLock<[[f32; 8]; 8]> = OnceLock::new();
    B.get_or_init(|| {
        let mut b = [[0f32; 8]; 8];
        for (x, row) in b.iter_mut().enumerate() {
            for (u, v) in row.iter_mut().enumerate() {
                let c = if u == 0 {
                    std::f64::consts::FRAC_1_SQRT_2
                } else {
                    1.0
                };
                let a = ((2 * x + 1) as f64) * (u as f64) * std::f64::consts::PI / 16.0;
                *v = (c / 2.0 * a.cos()) as f32;
            }
        }
        b
    })
}

/// One-dimensional DCT of eight vectors `x[0..8]` across the vectors,
/// independently in each of the eight lanes, with the factorisation of Arai,
/// Agui and Nakajima (1988): 5 multiplications and 29 additions, every output
/// `k` scaled by a constant that [`scales`] removes.
#[inline(always)]
fn aan8(x: &[[f32; 8]; 8]) -> [[f32; 8]; 8] {
    const A1: f32 = std::f32::consts::FRAC_1_SQRT_2; // cos(4 pi/16)
    const A2: f32 = 0.541_196_1; // cos(2 pi/16) - cos(6 pi/16)
    const A4: f32 = 1.306_563; // cos(2 pi/16) + cos(6 pi/16)
    const A5: f32 = 0.382_683_43; // cos(6 pi/16)
    let mut y = [[0f32; 8]; 8];
    for l in 0..8 {
        let t0 = x[0][l] + x[7][l];
        let t7 = x[0][l] - x[7][l];
        let t1 = x[1][l] + x[6][l];
        let t6 = x[1][l] - x[6][l];
        let t2 = x[2][l] + x[5][l];
        let t5 = x[2][l] - x[5][l];
        let t3 = x[3][l] + x[4][l];
        let t4 = x[3][l] - x[4][l];
        // Even part.
        let e0 = t0 + t3;
        let e3 = t0 - t3;
        let e1 = t1 + t2;
        let e2 = t1 - t2;
        y[0][l] = e0 + e1;
        y[4][l] = e0 - e1;
        let z1 = (e2 + e3) * A1;
        y[2][l] = e3 + z1;
        y[6][l] = e3 - z1;
        // Odd part.
        let o0 = t4 + t5;
        let o1 = t5 + t6;
        let o2 = t6 + t7;
        let z5 = (o0 - o2) * A5;
        let z2 = A2 * o0 + z5;
        let z4 = A4 * o2 + z5;
        let z3 = o1 * A1;
        let z11 = t7 + z3;
        let z13 = t7 - z3;
        y[5][l] = z13 + z2;
        y[3][l] = z13 - z2;
        y[1][l] = z11 + z4;
        y[7][l] = z11 - z4;
    }
    y
}

/// Per-output factors turning [`aan8`]'s outputs into the exact transform,
/// measured once against the definition (`2D factor = s[v] * s[u]`).
fn scales() -> &'static [f32; 64] {
    static S: OnceLock<[f32; 64]> = OnceLock::new();
    S.get_or_init(|| {
        let b = basis();
        let mut s1 = [0f32; 8];
        for (k, sk) in s1.iter_mut().enumerate() {
            // Input: the k-th basis function (only output k is nonzero).
            let x: [[f32; 8]; 8] = std::array::from_fn(|n| [b[n][k]; 8]);
            let exact: f32 = (0..8).map(|n| b[n][k] * b[n][k]).sum();
            *sk = exact / aan8(&x)[k][0];
        }
        std::array::from_fn(|i| s1[i / 8] * s1[i % 8])
    })
}

#[inline(always)]
fn transpose(m: &[[f32; 8]; 8]) -> [[f32; 8]; 8] {
    std::array::from_fn(|i| std::array::from_fn(|j| m[j][i]))
}

/// Forward DCT of the 8x8 block `src` (raster order) into `out` (raster order,
/// `out[v * 8 + u]` with `v` the vertical frequency). Runs the AVX2 kernel
/// when the CPU has it (the same operations in the same order: bit-identical).
#[inline]
pub(super) fn fdct(src: &[i16; 64], out: &mut [f32; 64]) {
    #[cfg(target_arch = "x86_64")]
    if x86::has_avx2() {
        x86::fdct(src, scales(), out);
        return;
    }
    fdct_scalar(src, out);
}

/// Forward DCT then quantisation in one AVX2 pass, when the CPU has AVX2
/// (`None` otherwise), in transposed order (index `u * 8 + v`, `u` the
/// horizontal frequency, which saves the transform's last transposition):
/// the levels of `src` with reciprocal steps `inv` (transposed order) and
/// rounding offset `bias` go to `levels` exactly as the encoder's `quantize`
/// of the transposed output of [`fdct_scalar`] gives them; returns the mask
/// of the nonzero levels (bit `k` for index `k`) and the DC coefficient.
#[inline]
pub(super) fn fdct_quantize(
    src: &[i16; 64],
    inv: &[f32; 64],
    bias: f32,
    levels: &mut [i16; 64],
) -> Option<(u64, f32)> {
    #[cfg(target_arch = "x86_64")]
    if x86::has_avx2() {
        return Some(x86::fdct_quantize(src, scales(), inv, bias, levels));
    }
    let _ = (src, inv, bias, levels);
    None
}

/// The portable [`fdct`], the reference of the SIMD one.
pub(super) fn fdct_scalar(src: &[i16; 64], out: &mut [f32; 64]) {
    let sc = scales();
    // Vertical pass on the rows as vectors: t[v][x].
    let rows: [[f32; 8]; 8] =
        std::array::from_fn(|y| std::array::from_fn(|x| f32::from(src[y * 8 + x])));
    let t = aan8(&rows);
    // Horizontal pass: z[u][v], then back to raster order with the scale factors.
    let z = transpose(&aan8(&transpose(&t)));
    for (i, (o, &k)) in out.iter_mut().zip(sc.iter()).enumerate() {
        *o = z[i / 8][i % 8] * k;
    }
}

/// The AVX2 twin of [`fdct_scalar`]: one 8-lane register per row, the
/// factorisation on whole rows, 8x8 transposes with shuffles. No fused
/// multiply-adds, so every value is rounded as in the scalar code.
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod x86 {
    use std::arch::x86_64::{
        __m128i, __m256, _CMP_LT_OQ, _mm_cmpeq_epi16, _mm_loadu_si128, _mm_movemask_epi8,
        _mm_packs_epi16, _mm_packs_epi32, _mm_setzero_si128, _mm_storeu_si128, _mm256_add_ps,
        _mm256_and_ps, _mm256_castps_si256, _mm256_castsi256_ps, _mm256_castsi256_si128,
        _mm256_cmp_ps, _mm256_cvtepi16_epi32, _mm256_cvtepi32_ps, _mm256_cvtss_f32,
        _mm256_cvttps_epi32, _mm256_extracti128_si256, _mm256_loadu_ps, _mm256_min_ps,
        _mm256_mul_ps, _mm256_permute2f128_ps, _mm256_set1_epi32, _mm256_set1_ps,
        _mm256_setzero_ps, _mm256_shuffle_ps, _mm256_storeu_ps, _mm256_sub_epi32, _mm256_sub_ps,
        _mm256_unpackhi_ps, _mm256_unpacklo_ps, _mm256_xor_si256,
    };
    use std::sync::OnceLock;

    /// AVX2 support, detected once.
    #[inline]
    pub(super) fn has_avx2() -> bool {
        static AVX2: OnceLock<bool> = OnceLock::new();
        *AVX2.get_or_init(|| std::is_x86_feature_detected!("avx2"))
    }

    /// [`super::aan8`] on eight row registers.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn aan8(x: [__m256; 8]) -> [__m256; 8] {
        let a1 = _mm256_set1_ps(std::f32::consts::FRAC_1_SQRT_2);
        let a2 = _mm256_set1_ps(0.541_196_1);
        let a4 = _mm256_set1_ps(1.306_563);
        let a5 = _mm256_set1_ps(0.382_683_43);
        let (add, sub, mul) = (_mm256_add_ps, _mm256_sub_ps, _mm256_mul_ps);
        let t0 = add(x[0], x[7]);
        let t7 = sub(x[0], x[7]);
        let t1 = add(x[1], x[6]);
        let t6 = sub(x[1], x[6]);
        let t2 = add(x[2], x[5]);
        let t5 = sub(x[2], x[5]);
        let t3 = add(x[3], x[4]);
        let t4 = sub(x[3], x[4]);
        let e0 = add(t0, t3);
        let e3 = sub(t0, t3);
        let e1 = add(t1, t2);
        let e2 = sub(t1, t2);
        let z1 = mul(add(e2, e3), a1);
        let o0 = add(t4, t5);
        let o1 = add(t5, t6);
        let o2 = add(t6, t7);
        let z5 = mul(sub(o0, o2), a5);
        let z2 = add(mul(a2, o0), z5);
        let z4 = add(mul(a4, o2), z5);
        let z3 = mul(o1, a1);
        let z11 = add(t7, z3);
        let z13 = sub(t7, z3);
        [
            add(e0, e1),
            add(z11, z4),
            add(e3, z1),
            sub(z13, z2),
            sub(e0, e1),
            add(z13, z2),
            sub(e3, z1),
            sub(z11, z4),
        ]
    }

    /// Transposes the 8x8 matrix held as eight row registers.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn transpose(r: [__m256; 8]) -> [__m256; 8] {
        let t0 = _mm256_unpacklo_ps(r[0], r[1]);
        let t1 = _mm256_unpackhi_ps(r[0], r[1]);
        let t2 = _mm256_unpacklo_ps(r[2], r[3]);
        let t3 = _mm256_unpackhi_ps(r[2], r[3]);
        let t4 = _mm256_unpacklo_ps(r[4], r[5]);
        let t5 = _mm256_unpackhi_ps(r[4], r[5]);
        let t6 = _mm256_unpacklo_ps(r[6], r[7]);
        let t7 = _mm256_unpackhi_ps(r[6], r[7]);
        let s0 = _mm256_shuffle_ps::<0x44>(t0, t2);
        let s1 = _mm256_shuffle_ps::<0xee>(t0, t2);
        let s2 = _mm256_shuffle_ps::<0x44>(t1, t3);
        let s3 = _mm256_shuffle_ps::<0xee>(t1, t3);
        let s4 = _mm256_shuffle_ps::<0x44>(t4, t6);
        let s5 = _mm256_shuffle_ps::<0xee>(t4, t6);
        let s6 = _mm256_shuffle_ps::<0x44>(t5, t7);
        let s7 = _mm256_shuffle_ps::<0xee>(t5, t7);
        [
            _mm256_permute2f128_ps::<0x20>(s0, s4),
            _mm256_permute2f128_ps::<0x20>(s1, s5),
            _mm256_permute2f128_ps::<0x20>(s2, s6),
            _mm256_permute2f128_ps::<0x20>(s3, s7),
            _mm256_permute2f128_ps::<0x31>(s0, s4),
            _mm256_permute2f128_ps::<0x31>(s1, s5),
            _mm256_permute2f128_ps::<0x31>(s2, s6),
            _mm256_permute2f128_ps::<0x31>(s3, s7),
        ]
    }

    /// The transform before the scale factors: row `v` holds `z[v][u]`.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn unscaled(src: &[i16; 64]) -> [__m256; 8] {
        let mut rows = [_mm256_setzero_ps(); 8];
        for (y, r) in rows.iter_mut().enumerate() {
            // SAFETY: y * 8 + 8 <= 64 samples of two bytes: 16 bytes in bounds, unaligned load.
            let v: __m128i = unsafe { _mm_loadu_si128(src.as_ptr().add(y * 8).cast()) };
            *r = _mm256_cvtepi32_ps(_mm256_cvtepi16_epi32(v));
        }
        transpose(aan8(transpose(aan8(rows))))
    }

    #[target_feature(enable = "avx2")]
    fn fdct_avx2(src: &[i16; 64], sc: &[f32; 64], out: &mut [f32; 64]) {
        let z = unscaled(src);
        for (v, zv) in z.iter().enumerate() {
            // SAFETY: v * 8 + 8 <= 64 for both arrays; unaligned load and store.
            unsafe {
                let k = _mm256_loadu_ps(sc.as_ptr().add(v * 8));
                _mm256_storeu_ps(out.as_mut_ptr().add(v * 8), _mm256_mul_ps(*zv, k));
            }
        }
    }

    /// [`fdct_avx2`] and then the encoder's quantisation (the SSE2 one on
    /// eight lanes: `min` keeps at most 255, `cvttps2dq` truncates as `as`
    /// does on that range, the sign is applied as `(a ^ s) - s`).
    #[target_feature(enable = "avx2")]
    fn fdct_quantize_avx2(
        src: &[i16; 64],
        sc: &[f32; 64],
        inv: &[f32; 64],
        bias: f32,
        levels: &mut [i16; 64],
    ) -> (u64, f32) {
        let mut rows = [_mm256_setzero_ps(); 8];
        for (y, r) in rows.iter_mut().enumerate() {
            // SAFETY: y * 8 + 8 <= 64 samples of two bytes: 16 bytes in bounds, unaligned load.
            let v: __m128i = unsafe { _mm_loadu_si128(src.as_ptr().add(y * 8).cast()) };
            *r = _mm256_cvtepi32_ps(_mm256_cvtepi16_epi32(v));
        }
        // Row u holds z[.][u] over v: the transposed transform (the scale
        // factors are symmetric, s[v] * s[u]).
        let z = aan8(transpose(aan8(rows)));
        let abs = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fff_ffff));
        let (b, max, zero) = (
            _mm256_set1_ps(bias),
            _mm256_set1_ps(255.0),
            _mm256_setzero_ps(),
        );
        let mut mask = 0u64;
        let mut dc = 0.0;
        for (v, zv) in z.iter().enumerate() {
            // SAFETY: v * 8 + 8 <= 64 for both arrays; unaligned loads.
            let (k, r) = unsafe {
                (
                    _mm256_loadu_ps(sc.as_ptr().add(v * 8)),
                    _mm256_loadu_ps(inv.as_ptr().add(v * 8)),
                )
            };
            let x = _mm256_mul_ps(*zv, k);
            if v == 0 {
                dc = _mm256_cvtss_f32(x);
            }
            let m = _mm256_min_ps(
                _mm256_add_ps(_mm256_mul_ps(_mm256_and_ps(x, abs), r), b),
                max,
            );
            let a = _mm256_cvttps_epi32(m);
            let s = _mm256_castps_si256(_mm256_cmp_ps::<_CMP_LT_OQ>(x, zero));
            let q = _mm256_sub_epi32(_mm256_xor_si256(a, s), s);
            let q16 = _mm_packs_epi32(_mm256_castsi256_si128(q), _mm256_extracti128_si256::<1>(q));
            // SAFETY: v * 8 + 8 <= 64 levels of two bytes; unaligned store.
            unsafe { _mm_storeu_si128(levels.as_mut_ptr().add(v * 8).cast(), q16) };
            let zm = _mm_cmpeq_epi16(q16, _mm_setzero_si128());
            let nz = !_mm_movemask_epi8(_mm_packs_epi16(zm, zm)) as u64 & 0xff;
            mask |= nz << (v * 8);
        }
        (mask, dc)
    }

    /// Runs [`fdct_quantize_avx2`]; only called when [`has_avx2`] is true.
    #[inline]
    pub(super) fn fdct_quantize(
        src: &[i16; 64],
        sc: &[f32; 64],
        inv: &[f32; 64],
        bias: f32,
        levels: &mut [i16; 64],
    ) -> (u64, f32) {
        assert!(has_avx2(), "AVX2 kernel called without AVX2");
        // SAFETY: the CPU has AVX2 (asserted just above).
        unsafe { fdct_quantize_avx2(src, sc, inv, bias, levels) }
    }

    /// Runs [`fdct_avx2`]; only called when [`has_avx2`] is true.
    #[inline]
    pub(super) fn fdct(src: &[i16; 64], sc: &[f32; 64], out: &mut [f32; 64]) {
        assert!(has_avx2(), "AVX2 kernel called without AVX2");
        // SAFETY: the CPU has AVX2 (asserted just above).
        unsafe { fdct_avx2(src, sc, out) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The direct definition, in f64.
    fn reference(src: &[i16; 64]) -> [f64; 64] {
        let c = |k: usize| {
            if k == 0 {
                std::f64::consts::FRAC_1_SQRT_2
            } else {
                1.0
            }
        };
        std::array::from_fn(|i| {
            let (v, u) = (i / 8, i % 8);
            let mut acc = 0.0;
            for y in 0..8 {
                for x in 0..8 {
                    acc += f64::from(src[y * 8 + x])
                        * (((2 * x + 1) * u) as f64 * std::f64::consts::PI / 16.0).cos()
                        * (((2 * y + 1) * v) as f64 * std::f64::consts::PI / 16.0).cos();
                }
            }
            acc * c(u) * c(v) / 4.0
        })
    }

    #[test]
    fn matches_the_definition() {
        let mut seed = 5u32;
        for _ in 0..200 {
            let src: [i16; 64] = std::array::from_fn(|_| {
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                ((seed >> 23) as i16) - 256
            });
            let mut f = [0f32; 64];
            fdct(&src, &mut f);
            let r = reference(&src);
            for (a, b) in f.iter().zip(&r) {
                assert!((f64::from(*a) - b).abs() < 0.01, "{a} vs {b}");
            }
        }
    }

    /// The SIMD kernel gives exactly the scalar results.
    #[test]
    fn simd_equals_scalar() {
        let mut seed = 11u32;
        for round in 0..2000 {
            let range = [511, 255, 32, 4][round % 4];
            let src: [i16; 64] = std::array::from_fn(|_| {
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                ((seed >> 12) % (2 * range + 1)) as i16 - range as i16
            });
            let (mut a, mut b) = ([0f32; 64], [0f32; 64]);
            fdct(&src, &mut a);
            fdct_scalar(&src, &mut b);
            assert_eq!(a.map(f32::to_bits), b.map(f32::to_bits), "{src:?}");
        }
    }

    #[test]
    fn flat_block_and_round_trip() {
        let src = [100i16; 64];
        let mut f = [0f32; 64];
        fdct(&src, &mut f);
        assert!((f[0] - 800.0).abs() < 1e-3);
        assert!(f[1..].iter().all(|v| v.abs() < 1e-3));
        // Forward then the decoder's inverse gives the samples back (within 1).
        let src: [i16; 64] = std::array::from_fn(|i| ((i * 37 + i / 8 * 11) % 255) as i16 - 100);
        fdct(&src, &mut f);
        let mut blk: [i16; 64] = std::array::from_fn(|i| f[i].round() as i16);
        crate::dct::idct(&mut blk);
        for (a, b) in src.iter().zip(&blk) {
            assert!((a - b).abs() <= 1, "{a} vs {b}");
        }
    }
}
