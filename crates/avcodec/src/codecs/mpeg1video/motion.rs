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

/// Sum of absolute differences of two 16x16 blocks (`u32::MAX / 4` when a
/// block is not wholly inside its slice).
#[inline]
pub(super) fn sad16(a: &[u8], astride: usize, b: &[u8], bstride: usize) -> u32 {
    #[cfg(target_arch = "x86_64")]
    {
        x86::sad16(a, astride, b, bstride)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        sad16_scalar(a, astride, b, bstride)
    }
}

/// The portable [`sad16`], the reference of the SIMD one.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
pub(super) fn sad16_scalar(a: &[u8], astride: usize, b: &[u8], bstride: usize) -> u32 {
    // One bounds check for the whole block, then fixed-size rows.
    let (Some(a), Some(b)) = (a.get(..15 * astride + 16), b.get(..15 * bstride + 16)) else {
        return u32::MAX / 4;
    };
    let mut s = 0u32;
    for j in 0..16 {
        let ra = &a[j * astride..j * astride + 16];
        let rb = &b[j * bstride..j * bstride + 16];
        let mut r = 0u16;
        for i in 0..16 {
            r += u16::from(ra[i].abs_diff(rb[i]));
        }
        s += u32::from(r);
    }
    s
}

/// Sum of absolute deviations from the mean of a 16x16 block (intra activity).
#[inline]
pub(super) fn deviation16(a: &[u8; 256]) -> u32 {
    #[cfg(target_arch = "x86_64")]
    {
        x86::deviation16(a)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        deviation16_scalar(a)
    }
}

/// The portable [`deviation16`], the reference of the SIMD one.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
pub(super) fn deviation16_scalar(a: &[u8; 256]) -> u32 {
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

/// SAD of `cur` against the 16x16 block at the start of `src` (row stride
/// `stride`) interpolated at the half-pel offsets `hx`, `hy` (0 or 1) as
/// [`predict`](super::mc::predict) interpolates (`u32::MAX / 4` when the
/// samples read are not all inside `src`). The interpolation is done on the
/// fly from the full-pel samples, which the full-pel search has just brought
/// into the cache.
#[inline]
pub(super) fn sad16_half(cur: &[u8; 256], src: &[u8], stride: usize, hx: usize, hy: usize) -> u32 {
    #[cfg(target_arch = "x86_64")]
    {
        x86::sad16_half(cur, src, stride, hx, hy)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        sad16_half_scalar(cur, src, stride, hx, hy)
    }
}

/// The portable [`sad16_half`], the reference of the SIMD one.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
pub(super) fn sad16_half_scalar(
    cur: &[u8; 256],
    src: &[u8],
    stride: usize,
    hx: usize,
    hy: usize,
) -> u32 {
    let (hx, hy) = (hx.min(1), hy.min(1));
    let Some(src) = src.get(..(15 + hy) * stride + 16 + hx) else {
        return u32::MAX / 4;
    };
    let mut s = 0u32;
    for j in 0..16 {
        let r0 = &src[j * stride..];
        let r1 = &src[(j + hy) * stride..];
        for i in 0..16 {
            let (a, b) = (u16::from(r0[i]), u16::from(r0[i + hx]));
            let (c, d) = (u16::from(r1[i]), u16::from(r1[i + hx]));
            let p = match (hx, hy) {
                (0, 0) => a,
                (1, 0) => (a + b + 1) >> 1,
                (0, _) => (a + c + 1) >> 1,
                _ => (a + b + c + d + 2) >> 2,
            };
            s += u32::from((p as u8).abs_diff(cur[j * 16 + i]));
        }
    }
    s
}

/// SADs of `cur` against the four 16x16 blocks one sample left, right, up
/// and down (in that order) of the block at `src[o..]` (row stride
/// `stride`); `None` when one of them is not wholly inside `src`. The rows
/// each block shares with another are loaded once.
#[inline]
pub(super) fn sad16_cross(
    cur: &[u8; 256],
    src: &[u8],
    o: usize,
    stride: usize,
) -> Option<[u32; 4]> {
    #[cfg(target_arch = "x86_64")]
    {
        x86::sad16_cross(cur, src, o, stride, false)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        sad16_cross_scalar(cur, src, o, stride)
    }
}

/// As [`sad16_cross`] for the four blocks half a sample left, right, up and
/// down (interpolated as [`sad16_half`] interpolates).
#[inline]
pub(super) fn sad16_cross_half(
    cur: &[u8; 256],
    src: &[u8],
    o: usize,
    stride: usize,
) -> Option<[u32; 4]> {
    #[cfg(target_arch = "x86_64")]
    {
        x86::sad16_cross(cur, src, o, stride, true)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        sad16_cross_half_scalar(cur, src, o, stride)
    }
}

/// True when the four blocks around `src[o..]` are inside `src`.
#[inline]
fn cross_fits(len: usize, o: usize, stride: usize) -> bool {
    o > stride && len >= o + 16 * stride + 17
}

/// The portable [`sad16_cross`], the reference of the SIMD one.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
pub(super) fn sad16_cross_scalar(
    cur: &[u8; 256],
    src: &[u8],
    o: usize,
    stride: usize,
) -> Option<[u32; 4]> {
    if !cross_fits(src.len(), o, stride) {
        return None;
    }
    Some([o - 1, o + 1, o - stride, o + stride].map(|p| sad16_scalar(cur, 16, &src[p..], stride)))
}

/// The portable [`sad16_cross_half`], the reference of the SIMD one.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
pub(super) fn sad16_cross_half_scalar(
    cur: &[u8; 256],
    src: &[u8],
    o: usize,
    stride: usize,
) -> Option<[u32; 4]> {
    if !cross_fits(src.len(), o, stride) {
        return None;
    }
    Some(
        [(o - 1, 1, 0), (o, 1, 0), (o - stride, 0, 1), (o, 0, 1)]
            .map(|(p, hx, hy)| sad16_half_scalar(cur, &src[p..], stride, hx, hy)),
    )
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

impl<'a> Search<'a> {
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

    /// SAD of a valid vector (half-pel interpolation as the decoder predicts).
    pub(super) fn sad_any(&self, mv: [i32; 2]) -> u32 {
        let sx = (self.x as i32 + (mv[0] >> 1)) as usize;
        let sy = (self.y as i32 + (mv[1] >> 1)) as usize;
        match self.refp.data.get(sy * self.refp.stride + sx..) {
            Some(src) => sad16_half(
                self.cur,
                src,
                self.refp.stride,
                (mv[0] & 1) as usize,
                (mv[1] & 1) as usize,
            ),
            None => u32::MAX / 4,
        }
    }

    /// SADs of the four neighbours of the full-pel vector `mv` one sample
    /// (`half` false) or half a sample (`half` true) away, in the order
    /// right, left, down, up; `None` for an invalid one and for `skip`.
    fn cross(&self, mv: [i32; 2], half: bool, skip: Option<usize>) -> [Option<u32>; 4] {
        let st = if half { 1 } else { 2 };
        let ds = [[st, 0], [-st, 0], [0, st], [0, -st]];
        let at = |k: usize| [mv[0] + ds[k][0], mv[1] + ds[k][1]];
        let ok: [bool; 4] = std::array::from_fn(|k| self.valid(at(k)));
        if ok == [true; 4] {
            let sx = (self.x as i32 + (mv[0] >> 1)) as usize;
            let sy = (self.y as i32 + (mv[1] >> 1)) as usize;
            let o = sy * self.refp.stride + sx;
            let sads = if half {
                sad16_cross_half(self.cur, self.refp.data, o, self.refp.stride)
            } else {
                sad16_cross(self.cur, self.refp.data, o, self.refp.stride)
            };
            if let Some([l, r, u, d]) = sads {
                return [Some(r), Some(l), Some(d), Some(u)];
            }
        }
        std::array::from_fn(|k| {
            (ok[k] && skip != Some(k)).then(|| {
                if half {
                    self.sad_any(at(k))
                } else {
                    self.sad_full(at(k))
                }
            })
        })
    }

    /// Full-pel search from the candidates (half-pel vectors, rounded to full
    /// pels); returns the best full-pel vector (in half-pels) and its cost.
    pub(super) fn full_pel(&self, candidates: &[[i32; 2]]) -> ([i32; 2], u32) {
        let mut best = [0, 0];
        let mut best_cost = self.sad_full(best) + self.penalty(best);
        let mut tried = [[0i32; 2]; 8];
        let mut n = 1;
        for &c in candidates {
            if best_cost == 0 {
                return (best, 0);
            }
            let mv = [c[0] & !1, c[1] & !1];
            if tried[..n].contains(&mv) || !self.valid(mv) {
                continue;
            }
            if n < tried.len() {
                tried[n] = mv;
                n += 1;
            }
            let cost = self.sad_full(mv) + self.penalty(mv);
            if cost < best_cost {
                best = mv;
                best_cost = cost;
            }
        }
        // A good enough candidate ends the search.
        if best_cost < 256 {
            return (best, best_cost);
        }
        // Small diamond descent, two half-pels (one pixel) per step; the
        // point just left is not tried again.
        const DIAMOND: [[i32; 2]; 4] = [[2, 0], [-2, 0], [0, 2], [0, -2]];
        let mut came_from = [0, 0];
        for _ in 0..64 {
            let centre = best;
            let mut step = [0, 0];
            let skip = DIAMOND.iter().position(|&d| d == came_from);
            let sads = self.cross(centre, false, skip);
            for (&d, sad) in DIAMOND.iter().zip(sads) {
                if d == came_from {
                    continue;
                }
                let Some(sad) = sad else {
                    continue;
                };
                let mv = [centre[0] + d[0], centre[1] + d[1]];
                let cost = sad + self.penalty(mv);
                if cost < best_cost {
                    best = mv;
                    best_cost = cost;
                    step = d;
                }
            }
            if best == centre {
                break;
            }
            came_from = [-step[0], -step[1]];
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
        // The four axial neighbours, then the diagonal between the better
        // horizontal and the better vertical one.
        let mut eval = |mv: [i32; 2],
                        sad: Option<u32>,
                        best: &mut [i32; 2],
                        best_cost: &mut u32|
         -> Option<u32> {
            let sad = sad?;
            let c = sad + self.penalty(mv);
            if c < *best_cost {
                *best = mv;
                *best_cost = c;
                best_sad = sad;
            }
            Some(c)
        };
        // Right, left, down, up.
        let axial = self.cross(full, true, None);
        let mut side = [0i32; 2];
        for axis in 0..2 {
            let mut side_cost = u32::MAX;
            for step in [-1, 1] {
                let mut mv = full;
                mv[axis] += step;
                let sad = axial[axis * 2 + usize::from(step < 0)];
                if let Some(c) = eval(mv, sad, &mut best, &mut best_cost)
                    && c < side_cost
                {
                    side_cost = c;
                    side[axis] = step;
                }
            }
        }
        if side != [0, 0] {
            let mv = [full[0] + side[0], full[1] + side[1]];
            let sad = self.valid(mv).then(|| self.sad_any(mv));
            eval(mv, sad, &mut best, &mut best_cost);
        }
        (best, best_cost, best_sad)
    }
}

/// SAD of the bidirectional prediction (rounded average of the two, formed
/// as the decoder forms it) against the current block.
pub(super) fn sad_bi(f: &Search<'_>, mf: [i32; 2], b: &Search<'_>, mb: [i32; 2]) -> u32 {
    let mut pf = [0u8; 256];
    let mut pb = [0u8; 256];
    predict::<16>(&mut pf, 0, 16, f.refp, f.x, f.y, mf[0], mf[1], false);
    predict::<16>(&mut pb, 0, 16, b.refp, b.x, b.y, mb[0], mb[1], false);
    #[cfg(target_arch = "x86_64")]
    {
        x86::sad_bi16(f.cur, &pf, 16, &pb, 16)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        sad_bi16_scalar(f.cur, &pf, 16, &pb, 16)
    }
}

/// SAD of the rounded average of the 16x16 blocks `pf` and `pb` against `cur`
/// (`u32::MAX / 4` when a block is not wholly inside its slice).
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
pub(super) fn sad_bi16_scalar(cur: &[u8; 256], pf: &[u8], sf: usize, pb: &[u8], sb: usize) -> u32 {
    let mut s = 0u32;
    for j in 0..16 {
        let (Some(x), Some(y)) = (pf.get(j * sf..j * sf + 16), pb.get(j * sb..j * sb + 16)) else {
            return u32::MAX / 4;
        };
        let c = &cur[j * 16..j * 16 + 16];
        let mut acc = 0u16;
        for i in 0..16 {
            let p = ((u16::from(x[i]) + u16::from(y[i]) + 1) >> 1) as u8;
            acc += u16::from(p.abs_diff(c[i]));
        }
        s += u32::from(acc);
    }
    s
}

/// SSE2 twins of the kernels above (SSE2 is part of the x86-64 baseline: no
/// run-time detection). Each computes exactly the integers of its scalar twin.
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod x86 {
    use std::arch::x86_64::{
        __m128i, _mm_add_epi64, _mm_and_si128, _mm_avg_epu8, _mm_cvtsi128_si32, _mm_loadu_si128,
        _mm_or_si128, _mm_sad_epu8, _mm_set1_epi8, _mm_setzero_si128, _mm_sub_epi8,
        _mm_unpackhi_epi64, _mm_xor_si128,
    };

    /// Loads 16 bytes at `s[o..o + 16]`.
    ///
    /// # Safety
    /// `o + 16 <= s.len()`.
    #[inline]
    #[target_feature(enable = "sse2")]
    unsafe fn load(s: &[u8], o: usize) -> __m128i {
        debug_assert!(o + 16 <= s.len());
        // SAFETY: the caller guarantees that s[o..o + 16] is in bounds; the load is unaligned.
        unsafe { _mm_loadu_si128(s.as_ptr().add(o).cast()) }
    }

    /// Sum of the two 64-bit lanes (each a `psadbw` total, far below 2^32).
    #[inline]
    #[target_feature(enable = "sse2")]
    fn hsum(v: __m128i) -> u32 {
        _mm_cvtsi128_si32(_mm_add_epi64(v, _mm_unpackhi_epi64(v, v))) as u32
    }

    /// [`super::sad16_scalar`] with one `psadbw` per row.
    #[inline]
    pub(super) fn sad16(a: &[u8], astride: usize, b: &[u8], bstride: usize) -> u32 {
        // SAFETY: SSE2 is part of the x86-64 baseline.
        unsafe { sad16_sse2(a, astride, b, bstride) }
    }

    #[inline]
    #[target_feature(enable = "sse2")]
    fn sad16_sse2(a: &[u8], astride: usize, b: &[u8], bstride: usize) -> u32 {
        if a.len() < 15 * astride + 16 || b.len() < 15 * bstride + 16 {
            return u32::MAX / 4;
        }
        let (mut s0, mut s1) = (_mm_setzero_si128(), _mm_setzero_si128());
        for j in (0..16).step_by(2) {
            // SAFETY: rows j and j + 1 <= 15 of both blocks are in bounds (checked above).
            unsafe {
                let d0 = _mm_sad_epu8(load(a, j * astride), load(b, j * bstride));
                let d1 = _mm_sad_epu8(load(a, (j + 1) * astride), load(b, (j + 1) * bstride));
                s0 = _mm_add_epi64(s0, d0);
                s1 = _mm_add_epi64(s1, d1);
            }
        }
        hsum(_mm_add_epi64(s0, s1))
    }

    /// [`super::sad16_half_scalar`]: `pavgb` for the one-direction
    /// interpolations, a corrected average of averages for the two-direction
    /// one (each row's pair average computed once, shared by the two output
    /// rows using it).
    #[inline]
    pub(super) fn sad16_half(
        cur: &[u8; 256],
        src: &[u8],
        stride: usize,
        hx: usize,
        hy: usize,
    ) -> u32 {
        // SAFETY: SSE2 is part of the x86-64 baseline.
        unsafe { sad16_half_sse2(cur, src, stride, hx, hy) }
    }

    /// `pavgb(s[i], s[i + 1])` and `s[i] ^ s[i + 1]` of the row at `src[o..o + 17]`.
    ///
    /// # Safety
    /// `o + 17 <= src.len()`.
    #[inline]
    #[target_feature(enable = "sse2")]
    unsafe fn pair_avg(src: &[u8], o: usize) -> (__m128i, __m128i) {
        // SAFETY: the caller guarantees src[o..o + 17] is in bounds.
        let (a, b) = unsafe { (load(src, o), load(src, o + 1)) };
        (_mm_avg_epu8(a, b), _mm_xor_si128(a, b))
    }

    #[inline]
    #[target_feature(enable = "sse2")]
    fn sad16_half_sse2(cur: &[u8; 256], src: &[u8], stride: usize, hx: usize, hy: usize) -> u32 {
        let (hx, hy) = (hx.min(1), hy.min(1));
        if src.len() < (15 + hy) * stride + 16 + hx {
            return u32::MAX / 4;
        }
        let mut acc = _mm_setzero_si128();
        // Rows 0..=15 + hy and columns 0..16 + hx of `src` are in bounds
        // (checked above), as are the 16 rows of 16 bytes of `cur`.
        match (hx, hy) {
            (0, 0) => return sad16(cur, 16, src, stride),
            (1, 0) => {
                for j in 0..16 {
                    let o = j * stride;
                    // SAFETY: row j <= 15, columns 0..17 (checked above); cur row j.
                    let (p, c) = unsafe {
                        (
                            _mm_avg_epu8(load(src, o), load(src, o + 1)),
                            load(cur, j * 16),
                        )
                    };
                    acc = _mm_add_epi64(acc, _mm_sad_epu8(p, c));
                }
            }
            (0, _) => {
                // SAFETY: row 0 (checked above).
                let mut prev = unsafe { load(src, 0) };
                for j in 0..16 {
                    // SAFETY: row j + 1 <= 16 (checked above); cur row j.
                    let (next, c) = unsafe { (load(src, (j + 1) * stride), load(cur, j * 16)) };
                    acc = _mm_add_epi64(acc, _mm_sad_epu8(_mm_avg_epu8(prev, next), c));
                    prev = next;
                }
            }
            _ => {
                // (a + b + c + d + 2) >> 2 in bytes: with h1 = pavgb(a, b) and
                // h2 = pavgb(c, d), pavgb(h1, h2) is one too many exactly when
                // ((a ^ b) | (c ^ d)) & (h1 ^ h2) has its low bit set (checked
                // exhaustively over all 2^32 inputs).
                let one = _mm_set1_epi8(1);
                // SAFETY: row 0, columns 0..17 (checked above).
                let (mut h0, mut x0) = unsafe { pair_avg(src, 0) };
                for j in 0..16 {
                    // SAFETY: row j + 1 <= 16, columns 0..17 (checked above).
                    let (h1, x1) = unsafe { pair_avg(src, (j + 1) * stride) };
                    let fix = _mm_and_si128(
                        _mm_and_si128(_mm_or_si128(x0, x1), _mm_xor_si128(h0, h1)),
                        one,
                    );
                    let p = _mm_sub_epi8(_mm_avg_epu8(h0, h1), fix);
                    // SAFETY: j * 16 + 16 <= 256.
                    let c = unsafe { load(cur, j * 16) };
                    acc = _mm_add_epi64(acc, _mm_sad_epu8(p, c));
                    (h0, x0) = (h1, x1);
                }
            }
        }
        hsum(acc)
    }

    /// [`super::sad16_cross_scalar`] (`half` false) or
    /// [`super::sad16_cross_half_scalar`] (`half` true): each row is loaded
    /// at offsets -1, 0 and +1 once; the vertical neighbours use the rows
    /// above and below, the horizontal ones the shifted loads (averaged with
    /// the unshifted row for half-pels).
    #[inline]
    pub(super) fn sad16_cross(
        cur: &[u8; 256],
        src: &[u8],
        o: usize,
        stride: usize,
        half: bool,
    ) -> Option<[u32; 4]> {
        if !super::cross_fits(src.len(), o, stride) {
            return None;
        }
        // SAFETY: SSE2 is part of the x86-64 baseline; the bounds were checked.
        Some(unsafe {
            if half {
                sad16_cross_sse2::<true>(cur, src, o, stride)
            } else {
                sad16_cross_sse2::<false>(cur, src, o, stride)
            }
        })
    }

    /// # Safety
    /// `o > stride` and `o + 16 * stride + 17 <= src.len()`.
    #[inline]
    #[target_feature(enable = "sse2")]
    unsafe fn sad16_cross_sse2<const HALF: bool>(
        cur: &[u8; 256],
        src: &[u8],
        o: usize,
        stride: usize,
    ) -> [u32; 4] {
        debug_assert!(super::cross_fits(src.len(), o, stride));
        let z = _mm_setzero_si128();
        let (mut l, mut r, mut u, mut d) = (z, z, z, z);
        // SAFETY (all loads): rows -1..=16 of the block at `o`, columns -1..=16,
        // lie in o - stride - 1 .. o + 16 * stride + 17, inside `src` by the
        // caller's guarantee; j * 16 + 16 <= 256 for `cur`.
        unsafe {
            let mut prev = load(src, o - stride);
            let mut row = load(src, o);
            for j in 0..16 {
                let c = load(cur, j * 16);
                let next = load(src, o + (j + 1) * stride);
                let left = load(src, o + j * stride - 1);
                let right = load(src, o + j * stride + 1);
                if HALF {
                    l = _mm_add_epi64(l, _mm_sad_epu8(_mm_avg_epu8(left, row), c));
                    r = _mm_add_epi64(r, _mm_sad_epu8(_mm_avg_epu8(row, right), c));
                    u = _mm_add_epi64(u, _mm_sad_epu8(_mm_avg_epu8(prev, row), c));
                    d = _mm_add_epi64(d, _mm_sad_epu8(_mm_avg_epu8(row, next), c));
                } else {
                    l = _mm_add_epi64(l, _mm_sad_epu8(left, c));
                    r = _mm_add_epi64(r, _mm_sad_epu8(right, c));
                    u = _mm_add_epi64(u, _mm_sad_epu8(prev, c));
                    d = _mm_add_epi64(d, _mm_sad_epu8(next, c));
                }
                prev = row;
                row = next;
            }
        }
        [hsum(l), hsum(r), hsum(u), hsum(d)]
    }

    /// [`super::deviation16_scalar`]: the sum with `psadbw` against zero, the
    /// deviation with `psadbw` against the rounded mean.
    #[inline]
    pub(super) fn deviation16(a: &[u8; 256]) -> u32 {
        // SAFETY: SSE2 is part of the x86-64 baseline.
        unsafe { deviation16_sse2(a) }
    }

    #[inline]
    #[target_feature(enable = "sse2")]
    fn deviation16_sse2(a: &[u8; 256]) -> u32 {
        let zero = _mm_setzero_si128();
        let mut s = zero;
        for j in 0..16 {
            // SAFETY: j * 16 + 16 <= 256.
            s = _mm_add_epi64(s, _mm_sad_epu8(unsafe { load(a, j * 16) }, zero));
        }
        let mean = ((hsum(s) + 128) >> 8) as u8;
        let m = _mm_set1_epi8(mean as i8);
        let mut d = zero;
        for j in 0..16 {
            // SAFETY: j * 16 + 16 <= 256.
            d = _mm_add_epi64(d, _mm_sad_epu8(unsafe { load(a, j * 16) }, m));
        }
        hsum(d)
    }

    /// [`super::sad_bi16_scalar`]: `pavgb` is exactly `(x + y + 1) >> 1`.
    #[inline]
    pub(super) fn sad_bi16(cur: &[u8; 256], pf: &[u8], sf: usize, pb: &[u8], sb: usize) -> u32 {
        // SAFETY: SSE2 is part of the x86-64 baseline.
        unsafe { sad_bi16_sse2(cur, pf, sf, pb, sb) }
    }

    #[inline]
    #[target_feature(enable = "sse2")]
    fn sad_bi16_sse2(cur: &[u8; 256], pf: &[u8], sf: usize, pb: &[u8], sb: usize) -> u32 {
        if pf.len() < 15 * sf + 16 || pb.len() < 15 * sb + 16 {
            return u32::MAX / 4;
        }
        let mut s = _mm_setzero_si128();
        for j in 0..16 {
            // SAFETY: row j <= 15 of each block is in bounds (checked above), j * 16 + 16 <= 256.
            unsafe {
                let p = _mm_avg_epu8(load(pf, j * sf), load(pb, j * sb));
                s = _mm_add_epi64(s, _mm_sad_epu8(p, load(cur, j * 16)));
            }
        }
        hsum(s)
    }
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
        // Half-pel SADs agree with the decoder's prediction, and so does the bidirectional one.
        for mv in [[11, -6], [10, -5], [9, -7], [-3, 1], [-31, -31]] {
            let mut p = [0u8; 256];
            predict::<16>(&mut p, 0, 16, refp, 16, 16, mv[0], mv[1], false);
            assert_eq!(s.sad_any(mv), sad16(&cur, 16, &p, 16), "{mv:?}");
            predict::<16>(&mut p, 0, 16, refp, 16, 16, 3, 1, true);
            assert_eq!(
                sad_bi(&s, mv, &s, [3, 1]),
                sad16(&cur, 16, &p, 16),
                "{mv:?}"
            );
        }
        assert!(c2 <= c);
        assert_eq!(s.sad_any(mv), 0);
        assert_eq!(mv_bits(0, 1), 1);
        assert_eq!(mv_bits(1, 1), 3);
        assert_eq!(mv_bits(-1, 2), 4);
    }

    /// The SIMD kernels give exactly the scalar results.
    #[test]
    fn simd_equals_scalar() {
        let mut seed = 77u32;
        let mut rnd = |m: u32| {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (seed >> 8) % m
        };
        for round in 0..400 {
            // Extremes too: all 0 against all 255 and flat blocks.
            let spread = [256, 2, 16, 256][round % 4];
            let base = rnd(256 - spread.min(255) + 1);
            let stride = 16 + rnd(40) as usize;
            let a: Vec<u8> = (0..stride * 20)
                .map(|_| (base + rnd(spread)) as u8)
                .collect();
            let b: Vec<u8> = (0..stride * 17).map(|_| rnd(256) as u8).collect();
            let cur: [u8; 256] = std::array::from_fn(|_| {
                if round % 7 == 0 {
                    255
                } else {
                    (base + rnd(spread)) as u8
                }
            });
            let o = rnd(stride as u32 - 15) as usize;
            assert_eq!(
                sad16(&a[o..], stride, &b, stride),
                sad16_scalar(&a[o..], stride, &b, stride)
            );
            assert_eq!(
                sad16(&cur, 16, &b[o..], stride),
                sad16_scalar(&cur, 16, &b[o..], stride)
            );
            assert_eq!(deviation16(&cur), deviation16_scalar(&cur));
            for (hx, hy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                assert_eq!(
                    sad16_half(&cur, &a[o..], stride, hx, hy),
                    sad16_half_scalar(&cur, &a[o..], stride, hx, hy)
                );
                // One sample short of the block.
                let short = &a[..(15 + hy) * stride + 15 + hx];
                assert_eq!(sad16_half(&cur, short, stride, hx, hy), u32::MAX / 4);
                assert_eq!(sad16_half_scalar(&cur, short, stride, hx, hy), u32::MAX / 4);
            }
            let (pa, pb) = (&a[o..], &b[rnd(stride as u32 - 15) as usize..]);
            #[cfg(target_arch = "x86_64")]
            assert_eq!(
                x86::sad_bi16(&cur, pa, stride, pb, stride),
                sad_bi16_scalar(&cur, pa, stride, pb, stride)
            );
            // The four neighbours at once.
            let oc = stride + 1 + rnd(stride as u32) as usize;
            assert_eq!(
                sad16_cross(&cur, &a, oc, stride),
                sad16_cross_scalar(&cur, &a, oc, stride)
            );
            assert_eq!(
                sad16_cross_half(&cur, &a, oc, stride),
                sad16_cross_half_scalar(&cur, &a, oc, stride)
            );
            assert!(sad16_cross_scalar(&cur, &a, oc, stride).is_some());
            for bad in [stride, a.len() - 16 * stride - 16] {
                assert_eq!(sad16_cross(&cur, &a, bad, stride), None);
                assert_eq!(sad16_cross_half(&cur, &a, bad, stride), None);
            }
            // Short slices are refused alike.
            let short = &a[..15 * stride + 15];
            assert_eq!(
                sad16(short, stride, &b, stride),
                sad16_scalar(short, stride, &b, stride)
            );
            let _ = (pa, pb);
        }
        assert_eq!(sad16(&[0; 256], 16, &[255; 256], 16), 255 * 256);
        assert_eq!(deviation16(&[255; 256]), 0);
    }
}
