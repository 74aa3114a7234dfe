//! 8x8 forward DCT for the encoder, in `f32`.
//!
//! The transform is the one ISO/IEC 11172-2 Annex A defines the inverse of:
//! `F(v, u) = 1/4 C(u) C(v) sum_{y,x} f(y, x) cos((2x+1) u pi/16) cos((2y+1) v pi/16)`
//! with `C(0) = 1/sqrt(2)` and `C(k) = 1` otherwise, so a flat block of value
//! `a` gives `F(0, 0) = 8a`, the scale [`crate::dct`]'s inverse expects.
//!
//! It is computed separably as two matrix products (rows, then columns), each
//! written as eight-lane multiply-adds so that the compiler vectorises them.
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

/// Forward DCT of the 8x8 block `src` (raster order) into `out` (raster order,
/// `out[v * 8 + u]` with `v` the vertical frequency).
#[inline]
pub(super) fn fdct(src: &[i16; 64], out: &mut [f32; 64]) {
    let b = basis();
    // Rows: tmp[y][u] = sum_x f[y][x] * B[x][u].
    let mut tmp = [[0f32; 8]; 8];
    for (y, t) in tmp.iter_mut().enumerate() {
        let mut acc = [0f32; 8];
        for (x, bx) in b.iter().enumerate() {
            let f = f32::from(src[y * 8 + x]);
            for u in 0..8 {
                acc[u] += f * bx[u];
            }
        }
        *t = acc;
    }
    // Columns: F[v][u] = sum_y B[y][v] * tmp[y][u].
    for v in 0..8 {
        let mut acc = [0f32; 8];
        for (y, t) in tmp.iter().enumerate() {
            let c = b[y][v];
            for u in 0..8 {
                acc[u] += c * t[u];
            }
        }
        out[v * 8..v * 8 + 8].copy_from_slice(&acc);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
