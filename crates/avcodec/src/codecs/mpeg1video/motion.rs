//! Motion estimation for the encoder: sums of absolute differences, a
//! predictive full-pel search (candidate vectors from the neighbours and the
//! previous picture, then a small diamond descent, in the spirit of EPZS)
//! and a half-pel refinement over the eight neighbours.
//!
//! Costs are `SAD + lambda * bits(vector - predictor)`. Vectors are in
//! half-pels and always keep the predicted block inside the reference
//! picture (MPEG-1 has no unrestricted vectors).

use super::mc::{RefPlane, predict};
use super::tables::MOTION_CODE;

/// Sum of absolute differences of two 16x16 blocks.
#[inline]
pub(super) fn sad16(a: &[u8], astride: usize, b: &[u8], bstride: usize) -> u32 {
    let mut s = 0u32;
    for j in 0..16 {
        let (Some(ra), Some(rb)) = (
            a.get(j * astride..j * astride + 16),
            b.get(j * bstride..j * bstride + 16),
        ) else {
            return u32::MAX / 4;
        };
        let mut r = 0u16;
        for i in 0..16 {
            r += u16::from(ra[i].abs_diff(rb[i]));
        }
        s += u32::from(r);
    }
    s
}

/// Sum of absolute deviations from the mean of a 16x16 block (intra activity).
pub(super) fn deviation16(a: &[u8; 256]) -> u32 {
    let sum: u32 = a.iter().map(|&v| u32::from(v)).sum();
    let mean = ((sum + 128) >> 8) as u8;
    a.iter().map(|&v| u32::from(v.abs_diff(mean))).sum()
}

/// Bits of a motion vector component difference `d` (half-pels) with `f_code`.
#[inline]
pub(super) fn mv_bits(d: i32, f_code: u8) -> u32 {
    let r = u32::from(f_code.clamp(1, 7)) - 1;
    let f = 1i32 << r;
    let mut d = d;
    if d < -16 * f {
        d += 32 * f;
    } else if d >= 16 * f {
        d -= 32 * f;
    }
    if d == 0 {
        return 1;
    }
    let code = (((d.unsigned_abs() - 1) >> r) + 1).min(16) as usize;
    u32::from(MOTION_CODE[code].1) + 1 + r
}

/// One block search: the current macroblock's luma, the reference, position
/// and cost parameters.
pub(super) struct Search<'a> {
    /// The current 16x16 luma block.
    pub(super) cur: &'a [u8; 256],
    /// The reference luma plane.
    pub(super) refp: RefPlane<'a>,
    /// Position of the macroblock in pixels.
    pub(super) x: usize,
    /// Position of the macroblock in pixels.
    pub(super) y: usize,
    /// Vector predictor (half-pels) the bits are counted against.
    pub(super) pmv: [i32; 2],
    /// Cost of one bit in SAD units.
    pub(super) lambda: u32,
    /// `f_code` assumed for the bit counts.
    pub(super) f_code: u8,
    /// Largest vector component magnitude allowed, in half-pels.
    pub(super) range: i32,
}

impl Search<'_> {
    /// True when the block displaced by `mv` (half-pels) lies inside the reference.
    #[inline]
    fn valid(&self, mv: [i32; 2]) -> bool {
        if mv[0] < -self.range || mv[0] >= self.range || mv[1] < -self.range || mv[1] >= self.range
        {
            return false;
        }
        let sx = self.x as i32 + (mv[0] >> 1);
        let sy = self.y as i32 + (mv[1] >> 1);
        sx >= 0
            && sy >= 0
            && sx + 16 + (mv[0] & 1) <= self.refp.width as i32
            && sy + 16 + (mv[1] & 1) <= self.refp.height as i32
    }

    #[inline]
    fn penalty(&self, mv: [i32; 2]) -> u32 {
        self.lambda
            * (mv_bits(mv[0] - self.pmv[0], self.f_code)
                + mv_bits(mv[1] - self.pmv[1], self.f_code))
    }

    /// SAD of a full-pel vector (given in half-pels, both even).
    #[inline]
    fn sad_full(&self, mv: [i32; 2]) -> u32 {
        let sx = (self.x as i32 + (mv[0] >> 1)) as usize;
        let sy = (self.y as i32 + (mv[1] >> 1)) as usize;
        let off = sy * self.refp.stride + sx;
        match self.refp.data.get(off..) {
            Some(r) => sad16(self.cur, 16, r, self.refp.stride),
            None => u32::MAX / 4,
        }
    }

    /// SAD of any vector (half-pel interpolation as the decoder predicts).
    pub(super) fn sad_any(&self, mv: [i32; 2]) -> u32 {
        if mv[0] & 1 == 0 && mv[1] & 1 == 0 {
            return self.sad_full(mv);
        }
        let mut p = [0u8; 256];
        predict::<16>(
            &mut p, 0, 16, self.refp, self.x, self.y, mv[0], mv[1], false,
        );
        sad16(self.cur, 16, &p, 16)
    }

    /// Full-pel search from the candidates (half-pel vectors, rounded to full
    /// pels); returns the best full-pel vector (in half-pels) and its cost.
    pub(super) fn full_pel(&self, candidates: &[[i32; 2]]) -> ([i32; 2], u32) {
        let mut best = [0, 0];
        let mut best_cost = self.sad_full(best) + self.penalty(best);
        for &c in candidates {
            if best_cost == 0 {
                return (best, 0);
            }
            let mv = [c[0] & !1, c[1] & !1];
            if mv == best || !self.valid(mv) {
                continue;
            }
            let cost = self.sad_full(mv) + self.penalty(mv);
            if cost < best_cost {
                best = mv;
                best_cost = cost;
            }
        }
        // Small diamond descent, two half-pels (one pixel) per step.
        for _ in 0..64 {
            let centre = best;
            for d in [[2, 0], [-2, 0], [0, 2], [0, -2]] {
                let mv = [centre[0] + d[0], centre[1] + d[1]];
                if !self.valid(mv) {
                    continue;
                }
                let cost = self.sad_full(mv) + self.penalty(mv);
                if cost < best_cost {
                    best = mv;
                    best_cost = cost;
                }
            }
            if best == centre {
                break;
            }
        }
        (best, best_cost)
    }

    /// Half-pel refinement around a full-pel vector; returns the vector, its
    /// cost and its SAD.
    pub(super) fn half_pel(&self, full: [i32; 2], cost: u32) -> ([i32; 2], u32, u32) {
        let mut best = full;
        let mut best_cost = cost;
        let mut best_sad = cost.saturating_sub(self.penalty(full));
        if best_sad == 0 {
            return (best, best_cost, 0);
        }
        for d in [
            [-1, -1],
            [0, -1],
            [1, -1],
            [-1, 0],
            [1, 0],
            [-1, 1],
            [0, 1],
            [1, 1],
        ] {
            let mv = [full[0] + d[0], full[1] + d[1]];
            if !self.valid(mv) {
                continue;
            }
            let sad = self.sad_any(mv);
            let c = sad + self.penalty(mv);
            if c < best_cost {
                best = mv;
                best_cost = c;
                best_sad = sad;
            }
        }
        (best, best_cost, best_sad)
    }
}

/// SAD of the bidirectional prediction (average of the two) against `cur`.
#[allow(clippy::too_many_arguments)]
pub(super) fn sad_bi(
    cur: &[u8; 256],
    fwd: RefPlane<'_>,
    bwd: RefPlane<'_>,
    x: usize,
    y: usize,
    mf: [i32; 2],
    mb: [i32; 2],
) -> u32 {
    let mut p = [0u8; 256];
    predict::<16>(&mut p, 0, 16, fwd, x, y, mf[0], mf[1], false);
    predict::<16>(&mut p, 0, 16, bwd, x, y, mb[0], mb[1], true);
    sad16(cur, 16, &p, 16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_shifted_block() {
        let (w, h) = (64usize, 64usize);
        let data: Vec<u8> = (0..w * h)
            .map(|i| {
                let (x, y) = ((i % w) as f64, (i / w) as f64);
                (128.0 + 60.0 * (x * 0.3).sin() + 50.0 * (y * 0.23).cos()) as u8
            })
            .collect();
        let refp = RefPlane {
            data: &data,
            stride: w,
            width: w,
            height: h,
        };
        // The block at (16, 16) of the current picture is the reference at (21, 13).
        let mut cur = [0u8; 256];
        for j in 0..16 {
            cur[j * 16..j * 16 + 16].copy_from_slice(&data[(13 + j) * w + 21..(13 + j) * w + 37]);
        }
        let s = Search {
            cur: &cur,
            refp,
            x: 16,
            y: 16,
            pmv: [0, 0],
            lambda: 1,
            f_code: 2,
            range: 64,
        };
        let (mv, c) = s.full_pel(&[[8, -4]]);
        let (mv, c2, sad) = s.half_pel(mv, c);
        assert_eq!(mv, [10, -6]);
        assert_eq!(sad, 0);
        assert!(c2 <= c);
        assert_eq!(s.sad_any(mv), 0);
        assert_eq!(mv_bits(0, 1), 1);
        assert_eq!(mv_bits(1, 1), 3);
        assert_eq!(mv_bits(-1, 2), 4);
    }
}
