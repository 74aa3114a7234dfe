//! Motion compensation: full- and half-pel block prediction ("put") and the
//! rounded average with a second prediction ("avg"), as ISO/IEC 11172-2
//! 2.4.4.2 defines them (cf. FFmpeg's `hpeldsp`).
//!
//! Half-pel samples are `(a + b + 1) >> 1` horizontally or vertically and
//! `(a + b + c + d + 2) >> 2` in both directions; a bidirectional prediction
//! is `(forward + backward + 1) >> 1` of the two rounded predictions.
//! Source areas reaching outside the reference picture are read with the
//! edge samples repeated (cf. `emulated_edge_mc`), which valid streams never need.

/// A reference plane: its samples, line stride and size.
#[derive(Clone, Copy)]
pub(super) struct RefPlane<'a> {
    /// Samples.
    pub(super) data: &'a [u8],
    /// Line stride.
    pub(super) stride: usize,
    /// Width in samples (the macroblock-aligned width).
    pub(super) width: usize,
    /// Height in lines.
    pub(super) height: usize,
}

/// Predicts an `N`x`N` block at (`x`, `y`) + (`mx`, `my`) half-pels from `src` into
/// `dst` at `off` (stride `dstride`); averages with what is there when `avg`.
#[inline]
#[allow(clippy::too_many_arguments)]
pub(super) fn predict<const N: usize>(
    dst: &mut [u8],
    off: usize,
    dstride: usize,
    src: RefPlane<'_>,
    x: usize,
    y: usize,
    mx: i32,
    my: i32,
    avg: bool,
) {
    let hx = (mx & 1) as usize;
    let hy = (my & 1) as usize;
    let sx = x as isize + (mx >> 1) as isize;
    let sy = y as isize + (my >> 1) as isize;
    let inside = sx >= 0
        && sy >= 0
        && (sx as usize) + N + hx <= src.width
        && (sy as usize) + N + hy <= src.height
        && (sy as usize + N + hy - 1) * src.stride + sx as usize + N + hx <= src.data.len();
    if inside {
        let soff = sy as usize * src.stride + sx as usize;
        kernel::<N>(
            dst,
            off,
            dstride,
            &src.data[soff..],
            src.stride,
            hx,
            hy,
            avg,
        );
    } else {
        // Edge emulation: copy an (N+1)x(N+1) area with clamped coordinates.
        let mut tmp = [0u8; 17 * 17];
        let w = src.width.max(1) as isize;
        let h = src.height.max(1) as isize;
        for j in 0..=N {
            let yy = (sy + j as isize).clamp(0, h - 1) as usize;
            for i in 0..=N {
                let xx = (sx + i as isize).clamp(0, w - 1) as usize;
                tmp[j * 17 + i] = src.data.get(yy * src.stride + xx).copied().unwrap_or(128);
            }
        }
        kernel::<N>(dst, off, dstride, &tmp, 17, hx, hy, avg);
    }
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn kernel<const N: usize>(
    dst: &mut [u8],
    off: usize,
    dstride: usize,
    src: &[u8],
    sstride: usize,
    hx: usize,
    hy: usize,
    avg: bool,
) {
    // One monomorphised loop per interpolation mode, so that each vectorises.
    match (hx, hy, avg) {
        (0, 0, false) => rows::<N, 0, false>(dst, off, dstride, src, sstride),
        (1, 0, false) => rows::<N, 1, false>(dst, off, dstride, src, sstride),
        (0, _, false) => rows::<N, 2, false>(dst, off, dstride, src, sstride),
        (_, _, false) => rows::<N, 3, false>(dst, off, dstride, src, sstride),
        (0, 0, true) => rows::<N, 0, true>(dst, off, dstride, src, sstride),
        (1, 0, true) => rows::<N, 1, true>(dst, off, dstride, src, sstride),
        (0, _, true) => rows::<N, 2, true>(dst, off, dstride, src, sstride),
        (_, _, true) => rows::<N, 3, true>(dst, off, dstride, src, sstride),
    }
}

/// Bytes spanned by `rows` rows of `width` samples at line stride `stride`
/// (`(rows - 1) * stride + width`), when that fits in `usize` and `rows` > 0.
pub(crate) fn extent(rows: usize, stride: usize, width: usize) -> Option<usize> {
    rows.checked_sub(1)?.checked_mul(stride)?.checked_add(width)
}

/// `N` rows of prediction in `MODE` (0 full-pel, 1 horizontal half-pel, 2 vertical,
/// 3 both), stored or (`AVG`) averaged into `dst`.
#[inline(always)]
fn rows<const N: usize, const MODE: u8, const AVG: bool>(
    dst: &mut [u8],
    off: usize,
    dstride: usize,
    src: &[u8],
    sstride: usize,
) {
    let hx = usize::from(MODE & 1);
    let hy = usize::from(MODE >> 1);
    // Fast path: both areas sliced once, rows taken without per-row range checks.
    let dst_len = extent(N, dstride, N);
    let src_len = extent(N + hy, sstride, N + hx);
    if dstride >= N
        && sstride >= N + hx
        && let (Some(dl), Some(sl)) = (dst_len, src_len)
        && let (Some(d), Some(s)) = (
            off.checked_add(dl).and_then(|e| dst.get_mut(off..e)),
            src.get(..sl),
        )
    {
        rows_sliced::<N, MODE, AVG>(d, dstride, s, sstride);
        return;
    }
    for j in 0..N {
        let Some(d) = dst.get_mut(off + j * dstride..off + j * dstride + N) else {
            return;
        };
        let Some(s0) = src.get(j * sstride..j * sstride + N + hx) else {
            return;
        };
        let s1 = if hy == 1 {
            match src.get((j + 1) * sstride..(j + 1) * sstride + N + hx) {
                Some(s) => s,
                None => return,
            }
        } else {
            s0
        };
        predict_row::<N, MODE, AVG>(d, s0, s1);
    }
}

/// [`rows`] on a destination of exactly `N` rows and a source of exactly
/// `N + hy` rows (the last ones `N` and `N + hx` samples long).
#[inline(always)]
fn rows_sliced<const N: usize, const MODE: u8, const AVG: bool>(
    dst: &mut [u8],
    dstride: usize,
    src: &[u8],
    sstride: usize,
) {
    #[cfg(target_arch = "x86_64")]
    if N == 8 || N == 16 {
        crate::simd::hpel_rows::<N, MODE, AVG>(dst, dstride, src, sstride);
        return;
    }
    rows_sliced_scalar::<N, MODE, AVG>(dst, dstride, src, sstride);
}

/// The portable twin of the SIMD kernels: the reference they are tested against.
#[inline(always)]
fn rows_sliced_scalar<const N: usize, const MODE: u8, const AVG: bool>(
    dst: &mut [u8],
    dstride: usize,
    src: &[u8],
    sstride: usize,
) {
    let hx = usize::from(MODE & 1);
    let hy = MODE >> 1 == 1;
    let mut srows = src.chunks(sstride);
    let Some(mut s0) = srows.next() else {
        return;
    };
    for d in dst.chunks_mut(dstride) {
        let s1 = if hy {
            match srows.next() {
                Some(s) => s,
                None => return,
            }
        } else {
            s0
        };
        let (Some(d), Some(a), Some(c)) = (d.get_mut(..N), s0.get(..N + hx), s1.get(..N + hx))
        else {
            return;
        };
        predict_row::<N, MODE, AVG>(d, a, c);
        s0 = if hy {
            s1
        } else {
            match srows.next() {
                Some(s) => s,
                None => return,
            }
        };
    }
}

/// One predicted row of `N` samples from source rows `s0` and `s1` (each at least `N + 1`
/// long when interpolating horizontally): half-pel interpolation per `MODE` (bit 0
/// horizontal, bit 1 vertical), stored into `d` or averaged with it (`AVG`).
#[inline(always)]
fn predict_row<const N: usize, const MODE: u8, const AVG: bool>(
    d: &mut [u8],
    s0: &[u8],
    s1: &[u8],
) {
    let mut p = [0u8; N];
    match MODE {
        0 => p.copy_from_slice(&s0[..N]),
        1 => {
            let (a, b) = (&s0[..N], &s0[1..N + 1]);
            for i in 0..N {
                p[i] = ((u16::from(a[i]) + u16::from(b[i]) + 1) >> 1) as u8;
            }
        }
        2 => {
            let (a, b) = (&s0[..N], &s1[..N]);
            for i in 0..N {
                p[i] = ((u16::from(a[i]) + u16::from(b[i]) + 1) >> 1) as u8;
            }
        }
        _ => {
            let (a, b) = (&s0[..N], &s0[1..N + 1]);
            let (c, e) = (&s1[..N], &s1[1..N + 1]);
            for i in 0..N {
                p[i] = ((u16::from(a[i]) + u16::from(b[i]) + u16::from(c[i]) + u16::from(e[i]) + 2)
                    >> 2) as u8;
            }
        }
    }
    if AVG {
        for (x, &q) in d.iter_mut().zip(&p) {
            *x = ((u16::from(*x) + u16::from(q) + 1) >> 1) as u8;
        }
    } else {
        d.copy_from_slice(&p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn simd_equals_scalar_for<const N: usize, const MODE: u8, const AVG: bool>(seed: u32) {
        let mut x = seed;
        let mut rnd = || {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (x >> 16) as u8
        };
        let (sstride, dstride) = (N + 5, N + 3);
        let src: Vec<u8> = (0..(N + 1) * sstride).map(|_| rnd()).collect();
        let dst0: Vec<u8> = (0..N * dstride).map(|_| rnd()).collect();
        let (mut a, mut b) = (dst0.clone(), dst0);
        rows_sliced::<N, MODE, AVG>(&mut a, dstride, &src, sstride);
        rows_sliced_scalar::<N, MODE, AVG>(&mut b, dstride, &src, sstride);
        assert_eq!(a, b, "N {N} mode {MODE} avg {AVG}");
    }

    #[test]
    fn simd_kernels_equal_the_scalar_twin() {
        for seed in 0..20 {
            simd_equals_scalar_for::<16, 0, false>(seed);
            simd_equals_scalar_for::<16, 1, false>(seed);
            simd_equals_scalar_for::<16, 2, false>(seed);
            simd_equals_scalar_for::<16, 3, false>(seed);
            simd_equals_scalar_for::<16, 0, true>(seed);
            simd_equals_scalar_for::<16, 1, true>(seed);
            simd_equals_scalar_for::<16, 2, true>(seed);
            simd_equals_scalar_for::<16, 3, true>(seed);
            simd_equals_scalar_for::<8, 0, false>(seed);
            simd_equals_scalar_for::<8, 1, false>(seed);
            simd_equals_scalar_for::<8, 2, false>(seed);
            simd_equals_scalar_for::<8, 3, false>(seed);
            simd_equals_scalar_for::<8, 0, true>(seed);
            simd_equals_scalar_for::<8, 1, true>(seed);
            simd_equals_scalar_for::<8, 2, true>(seed);
            simd_equals_scalar_for::<8, 3, true>(seed);
        }
    }

    #[test]
    fn half_pel_and_edges() {
        let w = 32;
        let data: Vec<u8> = (0..w * w).map(|i| (i * 7 % 251) as u8).collect();
        let src = RefPlane {
            data: &data,
            stride: w,
            width: w,
            height: w,
        };
        let mut d = vec![0u8; 64];
        predict::<8>(&mut d, 0, 8, src, 8, 8, 3, 0, false);
        let a = u16::from(data[8 * w + 9]);
        let b = u16::from(data[8 * w + 10]);
        assert_eq!(u16::from(d[0]), (a + b + 1) >> 1);
        // Far outside: edge samples, no panic.
        predict::<8>(&mut d, 0, 8, src, 0, 0, -1000, 1000, true);
        predict::<8>(&mut d, 0, 8, src, 24, 24, 1, 1, false);
        // A full-pel block ending at the very end of the plane is written whole.
        let mut d = vec![0u8; 64];
        predict::<8>(&mut d, 0, 8, src, 24, 24, 0, 0, false);
        assert_eq!(d[63], data[31 * w + 31]);
    }
}
