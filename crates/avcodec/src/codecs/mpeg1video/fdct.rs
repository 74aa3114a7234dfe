//! 8x8 forward DCT for the encoder, in `f32`.
//!
//! The transform is the one ISO/IEC 11172-2 Annex A defines the inverse of:
//! `F(v, u) = 1/4 C(u) C(v) sum_{y,x} f(y, x) cos((2x+1) u pi/16) cos((2y+1) v pi/16)`
//! with `C(0) = 1/sqrt(2)` and `C(k) = 1` otherwise, so a flat block of value
//! `a` gives `F(0, 0) = 8a`, the scale [`crate::dct`]'s inverse expects.
//!
//! It is computed separably (columns, then rows), each pass as eight-lane
//! multiply-adds on whole rows so that the compiler vectorises them, with the
//! even/odd symmetry of the basis halving the multiplications.
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

/// One-dimensional DCT of eight vectors `x[0..8]` (the transform runs across
/// the vectors, independently in each of the eight lanes). The even and odd
/// outputs only depend on the sums and differences of mirrored inputs, which
/// halves the multiplications.
#[inline(always)]
fn dct8(x: &[[f32; 8]; 8], b: &[[f32; 8]; 8]) -> [[f32; 8]; 8] {
    let mut s = [[0f32; 8]; 4];
    let mut d = [[0f32; 8]; 4];
    for j in 0..4 {
        for l in 0..8 {
            s[j][l] = x[j][l] + x[7 - j][l];
            d[j][l] = x[j][l] - x[7 - j][l];
        }
    }
    let mut y = [[0f32; 8]; 8];
    for (u, yu) in y.iter_mut().enumerate() {
        let src = if u % 2 == 0 { &s } else { &d };
        let mut acc = [0f32; 8];
        for (j, v) in src.iter().enumerate() {
            let c = b[j][u];
            for l in 0..8 {
                acc[l] += c * v[l];
            }
        }
        *yu = acc;
    }
    y
}

#[inline(always)]
fn transpose(m: &[[f32; 8]; 8]) -> [[f32; 8]; 8] {
    std::array::from_fn(|i| std::array::from_fn(|j| m[j][i]))
}

/// Forward DCT of the 8x8 block `src` (raster order) into `out` (raster order,
/// `out[v * 8 + u]` with `v` the vertical frequency).
#[inline]
pub(super) fn fdct(src: &[i16; 64], out: &mut [f32; 64]) {
    let b = basis();
    // Vertical pass on the rows as vectors: t[v][x].
    let rows: [[f32; 8]; 8] =
        std::array::from_fn(|y| std::array::from_fn(|x| f32::from(src[y * 8 + x])));
    let t = dct8(&rows, b);
    // Horizontal pass: z[u][v], then back to raster order.
    let z = dct8(&transpose(&t), b);
    for (v, o) in out.chunks_exact_mut(8).enumerate() {
        for (u, x) in o.iter_mut().enumerate() {
            *x = z[u][v];
        }
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
