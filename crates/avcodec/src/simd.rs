//! The SIMD kernels of the codecs, each the fast twin of a portable function that
//! stays the reference and is tested against it bit for bit.
//!
//! Only SSE2 is used here: it is part of the x86-64 baseline, so there is no
//! run-time detection to do and no code path that some x86-64 machine lacks.
//! This is the one module of the crate where `unsafe` is allowed (intrinsics and
//! unaligned loads/stores); every `unsafe` block states the bounds it relies on.
#![allow(unsafe_code)]

use std::arch::x86_64::{
    __m128i, _mm_add_epi16, _mm_add_epi32, _mm_and_si128, _mm_andnot_si128, _mm_avg_epu8,
    _mm_cmpeq_epi16, _mm_loadl_epi64, _mm_loadu_si128, _mm_madd_epi16, _mm_or_si128,
    _mm_packs_epi32, _mm_packus_epi16, _mm_set_epi16, _mm_set1_epi16, _mm_set1_epi32,
    _mm_setzero_si128, _mm_slli_epi16, _mm_slli_epi32, _mm_srai_epi32, _mm_srli_epi16,
    _mm_storel_epi64, _mm_storeu_si128, _mm_sub_epi32, _mm_unpackhi_epi8, _mm_unpackhi_epi16,
    _mm_unpackhi_epi32, _mm_unpackhi_epi64, _mm_unpacklo_epi8, _mm_unpacklo_epi16,
    _mm_unpacklo_epi32, _mm_unpacklo_epi64,
};

// ---- Half-pel motion compensation for 8- and 16-sample rows: `pavgb` is exactly
// `(a + b + 1) >> 1`; the two-direction half-pel sums are formed in 16 bits, each
// source row's horizontal pair sums computed once and shared by the two output
// rows that use them.

/// Loads `N` (8 or 16) samples at `p`.
///
/// # Safety
/// `p..p + N` must be readable.
#[inline]
#[target_feature(enable = "sse2")]
unsafe fn load<const N: usize>(p: *const u8) -> __m128i {
    // SAFETY: the caller guarantees N readable bytes; both loads are unaligned.
    unsafe {
        if N == 16 {
            _mm_loadu_si128(p.cast())
        } else {
            _mm_loadl_epi64(p.cast())
        }
    }
}

/// Stores the low `N` (8 or 16) samples of `v` at `p`.
///
/// # Safety
/// `p..p + N` must be writable.
#[inline]
#[target_feature(enable = "sse2")]
unsafe fn store<const N: usize>(p: *mut u8, v: __m128i) {
    // SAFETY: the caller guarantees N writable bytes; both stores are unaligned.
    unsafe {
        if N == 16 {
            _mm_storeu_si128(p.cast(), v)
        } else {
            _mm_storel_epi64(p.cast(), v)
        }
    }
}

/// Horizontal pair sums `s[i] + s[i + 1]` of one row in 16 bits (low, high halves).
///
/// # Safety
/// `p..p + N + 1` must be readable.
#[inline]
#[target_feature(enable = "sse2")]
unsafe fn hsum<const N: usize>(p: *const u8) -> (__m128i, __m128i) {
    // SAFETY: N + 1 bytes from p are readable (caller), so are both N-byte loads.
    let (a, b) = unsafe { (load::<N>(p), load::<N>(p.add(1))) };
    let z = _mm_setzero_si128();
    (
        _mm_add_epi16(_mm_unpacklo_epi8(a, z), _mm_unpacklo_epi8(b, z)),
        _mm_add_epi16(_mm_unpackhi_epi8(a, z), _mm_unpackhi_epi8(b, z)),
    )
}

/// The kernel of `codecs::mpeg1video::mc::rows_sliced` (MPEG-1 half-pel prediction) for `N` = 8 or 16: the same contract, the same output.
#[inline(always)]
pub(crate) fn hpel_rows<const N: usize, const MODE: u8, const AVG: bool>(
    dst: &mut [u8],
    dstride: usize,
    src: &[u8],
    sstride: usize,
) {
    let hx = usize::from(MODE & 1);
    let hy = usize::from(MODE >> 1);
    // The bounds every access below stays within, checked once.
    use crate::codecs::mpeg1video::mc::extent;
    let (Some(nd), Some(ns)) = (extent(N, dstride, N), extent(N + hy, sstride, N + hx)) else {
        return;
    };
    if !(N == 8 || N == 16) || dst.len() < nd || src.len() < ns {
        return;
    }
    // SAFETY: row j of the destination is dst[j * dstride..][..N], row j of the source
    // src[j * sstride..][..N + hx], for j < N (source rows up to N - 1 + hy); the largest
    // end offsets are nd and ns, checked above against the slice lengths; SSE2 is part
    // of the x86-64 baseline.
    unsafe { hpel_rows_sse2::<N, MODE, AVG>(dst.as_mut_ptr(), dstride, src.as_ptr(), sstride) }
}

/// [`hpel_rows`] after its bounds checks.
///
/// # Safety
/// The areas described at the call in [`hpel_rows`] must be in bounds.
#[inline]
#[target_feature(enable = "sse2")]
unsafe fn hpel_rows_sse2<const N: usize, const MODE: u8, const AVG: bool>(
    d: *mut u8,
    dstride: usize,
    s: *const u8,
    sstride: usize,
) {
    let two = _mm_set1_epi16(2);
    // SAFETY: every pointer formed below stays within the areas the caller checked
    // (rows j < N of the destination, N + hy rows of the source).
    unsafe {
        let mut prev = if MODE == 3 { hsum::<N>(s) } else { (two, two) };
        for j in 0..N {
            let sp = s.add(j * sstride);
            let p = match MODE {
                0 => load::<N>(sp),
                1 => _mm_avg_epu8(load::<N>(sp), load::<N>(sp.add(1))),
                2 => _mm_avg_epu8(load::<N>(sp), load::<N>(sp.add(sstride))),
                _ => {
                    let next = hsum::<N>(sp.add(sstride));
                    let lo = _mm_srli_epi16(_mm_add_epi16(_mm_add_epi16(prev.0, next.0), two), 2);
                    let hi = _mm_srli_epi16(_mm_add_epi16(_mm_add_epi16(prev.1, next.1), two), 2);
                    prev = next;
                    _mm_packus_epi16(lo, hi)
                }
            };
            let dp = d.add(j * dstride);
            let v = if AVG {
                _mm_avg_epu8(load::<N>(dp), p)
            } else {
                p
            };
            store::<N>(dp, v);
        }
    }
}

// ---- The 8x8 inverse DCT of `crate::dct` (FFmpeg's `simple` IDCT arithmetic), eight
// rows or eight columns at a time. Each one-dimensional pass is a set of `pmaddwd`
// products of coefficient pairs with constant pairs (exact: every product and pair
// sum fits in 32 bits) combined with wrapping 32-bit additions, which equal the
// scalar code's wrapping sums. The block is transposed before the row pass (so that
// lanes are rows) and again before the column pass (lanes are columns).

/// Constant pair `(a, b)` repeated, the second operand of `pmaddwd`.
#[inline]
#[target_feature(enable = "sse2")]
fn pair(a: i32, b: i32) -> __m128i {
    _mm_set1_epi32((a & 0xffff) | (b << 16))
}

/// Transposes an 8x8 matrix of 16-bit values held as eight rows.
#[inline]
#[target_feature(enable = "sse2")]
fn transpose8(r: [__m128i; 8]) -> [__m128i; 8] {
    let t0 = _mm_unpacklo_epi16(r[0], r[1]);
    let t1 = _mm_unpackhi_epi16(r[0], r[1]);
    let t2 = _mm_unpacklo_epi16(r[2], r[3]);
    let t3 = _mm_unpackhi_epi16(r[2], r[3]);
    let t4 = _mm_unpacklo_epi16(r[4], r[5]);
    let t5 = _mm_unpackhi_epi16(r[4], r[5]);
    let t6 = _mm_unpacklo_epi16(r[6], r[7]);
    let t7 = _mm_unpackhi_epi16(r[6], r[7]);
    let u0 = _mm_unpacklo_epi32(t0, t2);
    let u1 = _mm_unpackhi_epi32(t0, t2);
    let u2 = _mm_unpacklo_epi32(t1, t3);
    let u3 = _mm_unpackhi_epi32(t1, t3);
    let u4 = _mm_unpacklo_epi32(t4, t6);
    let u5 = _mm_unpackhi_epi32(t4, t6);
    let u6 = _mm_unpacklo_epi32(t5, t7);
    let u7 = _mm_unpackhi_epi32(t5, t7);
    [
        _mm_unpacklo_epi64(u0, u4),
        _mm_unpackhi_epi64(u0, u4),
        _mm_unpacklo_epi64(u1, u5),
        _mm_unpackhi_epi64(u1, u5),
        _mm_unpacklo_epi64(u2, u6),
        _mm_unpackhi_epi64(u2, u6),
        _mm_unpacklo_epi64(u3, u7),
        _mm_unpackhi_epi64(u3, u7),
    ]
}

/// One-dimensional IDCT of four lanes given as the interleaved pairs `(x0, x4)`,
/// `(x2, x6)`, `(x1, x3)`, `(x5, x7)` of each lane; returns the eight 32-bit outputs
/// `(e_k ± o_k) >> SHIFT` in order 0..8, `bias` added to the even part.
#[inline]
#[target_feature(enable = "sse2")]
fn idct_1d4<const SHIFT: i32>(
    p04: __m128i,
    p26: __m128i,
    p13: __m128i,
    p57: __m128i,
    bias: __m128i,
) -> [__m128i; 8] {
    use crate::dct::{W1, W2, W3, W4, W5, W6, W7};
    let e04p = _mm_add_epi32(_mm_madd_epi16(p04, pair(W4, W4)), bias);
    let e04m = _mm_add_epi32(_mm_madd_epi16(p04, pair(W4, -W4)), bias);
    let e26a = _mm_madd_epi16(p26, pair(W2, W6));
    let e26b = _mm_madd_epi16(p26, pair(W6, -W2));
    let a0 = _mm_add_epi32(e04p, e26a);
    let a3 = _mm_sub_epi32(e04p, e26a);
    let a1 = _mm_add_epi32(e04m, e26b);
    let a2 = _mm_sub_epi32(e04m, e26b);
    let odd = |c: (i32, i32), d: (i32, i32)| {
        _mm_add_epi32(
            _mm_madd_epi16(p13, pair(c.0, c.1)),
            _mm_madd_epi16(p57, pair(d.0, d.1)),
        )
    };
    let b0 = odd((W1, W3), (W5, W7));
    let b1 = odd((W3, -W7), (-W1, -W5));
    let b2 = odd((W5, -W1), (W7, W3));
    let b3 = odd((W7, -W5), (W3, -W1));
    [
        _mm_srai_epi32::<SHIFT>(_mm_add_epi32(a0, b0)),
        _mm_srai_epi32::<SHIFT>(_mm_add_epi32(a1, b1)),
        _mm_srai_epi32::<SHIFT>(_mm_add_epi32(a2, b2)),
        _mm_srai_epi32::<SHIFT>(_mm_add_epi32(a3, b3)),
        _mm_srai_epi32::<SHIFT>(_mm_sub_epi32(a3, b3)),
        _mm_srai_epi32::<SHIFT>(_mm_sub_epi32(a2, b2)),
        _mm_srai_epi32::<SHIFT>(_mm_sub_epi32(a1, b1)),
        _mm_srai_epi32::<SHIFT>(_mm_sub_epi32(a0, b0)),
    ]
}

/// One-dimensional IDCT of the eight lanes of `x` (`x[i]` holds input `i` of every
/// lane); the outputs as 32-bit halves (lanes 0..4, lanes 4..8).
#[inline]
#[target_feature(enable = "sse2")]
fn idct_1d8<const SHIFT: i32>(x: &[__m128i; 8], bias: __m128i) -> ([__m128i; 8], [__m128i; 8]) {
    let lo = idct_1d4::<SHIFT>(
        _mm_unpacklo_epi16(x[0], x[4]),
        _mm_unpacklo_epi16(x[2], x[6]),
        _mm_unpacklo_epi16(x[1], x[3]),
        _mm_unpacklo_epi16(x[5], x[7]),
        bias,
    );
    let hi = idct_1d4::<SHIFT>(
        _mm_unpackhi_epi16(x[0], x[4]),
        _mm_unpackhi_epi16(x[2], x[6]),
        _mm_unpackhi_epi16(x[1], x[3]),
        _mm_unpackhi_epi16(x[5], x[7]),
        bias,
    );
    (lo, hi)
}

/// Packs 32-bit lanes into 16 bits keeping the low 16 bits of each (as `as i16`).
#[inline]
#[target_feature(enable = "sse2")]
fn pack_truncate(lo: __m128i, hi: __m128i) -> __m128i {
    let lo = _mm_srai_epi32::<16>(_mm_slli_epi32::<16>(lo));
    let hi = _mm_srai_epi32::<16>(_mm_slli_epi32::<16>(hi));
    _mm_packs_epi32(lo, hi)
}

/// Both passes of the IDCT on `block`: the eight output rows as 16-bit values (the
/// column pass's results lie in -2048..=2047, so that packing is exact).
#[inline]
#[target_feature(enable = "sse2")]
fn idct_rows(block: &[i16; 64]) -> [__m128i; 8] {
    let mut r = [_mm_setzero_si128(); 8];
    for (v, row) in r.iter_mut().zip(block.chunks_exact(8)) {
        let mut a = [0i16; 8];
        a.copy_from_slice(row);
        *v = _mm_set_epi16(a[7], a[6], a[5], a[4], a[3], a[2], a[1], a[0]);
    }
    // Row pass, lanes = rows.
    let c = transpose8(r);
    let (lo, hi) = idct_1d8::<11>(&c, _mm_set1_epi32(1 << 10));
    let mut y = [_mm_setzero_si128(); 8];
    for (k, v) in y.iter_mut().enumerate() {
        *v = pack_truncate(lo[k], hi[k]);
    }
    // Rows whose coefficients 1..7 are zero take `x0 << 3` instead (see `crate::dct`).
    let ac = _mm_or_si128(
        _mm_or_si128(_mm_or_si128(c[1], c[2]), _mm_or_si128(c[3], c[4])),
        _mm_or_si128(_mm_or_si128(c[5], c[6]), c[7]),
    );
    let dc_rows = _mm_cmpeq_epi16(ac, _mm_setzero_si128());
    let dc = _mm_and_si128(dc_rows, _mm_slli_epi16::<3>(c[0]));
    for v in &mut y {
        *v = _mm_or_si128(dc, _mm_andnot_si128(dc_rows, *v));
    }
    // Column pass, lanes = columns; the rounding term W4 * 32 joins the even part.
    let z = transpose8(y);
    let (lo, hi) = idct_1d8::<20>(&z, _mm_set1_epi32(crate::dct::W4 * 32));
    let mut out = [_mm_setzero_si128(); 8];
    for (k, v) in out.iter_mut().enumerate() {
        *v = _mm_packs_epi32(lo[k], hi[k]);
    }
    out
}

/// Whether the 8x8 area at `off` with line stride `stride` lies inside a plane of `len` bytes.
#[inline]
fn area_fits(len: usize, off: usize, stride: usize) -> bool {
    stride >= 8
        && crate::codecs::mpeg1video::mc::extent(8, stride, 8)
            .and_then(|v| v.checked_add(off))
            .is_some_and(|end| end <= len)
}

/// SSE2 twin of `crate::dct::idct_put`; false (nothing written) when the area does not fit.
pub(crate) fn idct_put(block: &[i16; 64], dst: &mut [u8], off: usize, stride: usize) -> bool {
    if !area_fits(dst.len(), off, stride) {
        return false;
    }
    // SAFETY: the 8 rows of 8 bytes at off + y * stride are inside dst (area_fits);
    // SSE2 is part of the x86-64 baseline.
    unsafe { idct_put_sse2(block, dst.as_mut_ptr().add(off), stride) };
    true
}

/// SSE2 twin of `crate::dct::idct_add`; false (nothing written) when the area does not fit.
pub(crate) fn idct_add(block: &[i16; 64], dst: &mut [u8], off: usize, stride: usize) -> bool {
    if !area_fits(dst.len(), off, stride) {
        return false;
    }
    // SAFETY: as in idct_put.
    unsafe { idct_add_sse2(block, dst.as_mut_ptr().add(off), stride) };
    true
}

/// # Safety
/// `d + y * stride .. + 8` must be writable for y in 0..8.
#[target_feature(enable = "sse2")]
unsafe fn idct_put_sse2(block: &[i16; 64], d: *mut u8, stride: usize) {
    let rows = idct_rows(block);
    for (y, v) in rows.into_iter().enumerate() {
        // SAFETY: row y of the checked area.
        unsafe { _mm_storel_epi64(d.add(y * stride).cast(), _mm_packus_epi16(v, v)) };
    }
}

/// # Safety
/// `d + y * stride .. + 8` must be readable and writable for y in 0..8.
#[target_feature(enable = "sse2")]
unsafe fn idct_add_sse2(block: &[i16; 64], d: *mut u8, stride: usize) {
    let rows = idct_rows(block);
    let z = _mm_setzero_si128();
    for (y, v) in rows.into_iter().enumerate() {
        // SAFETY: row y of the checked area.
        unsafe {
            let p = d.add(y * stride);
            let pred = _mm_unpacklo_epi8(_mm_loadl_epi64(p.cast()), z);
            // |v| <= 2048 and pred <= 255: the 16-bit sum is exact.
            _mm_storel_epi64(p.cast(), _mm_packus_epi16(_mm_add_epi16(pred, v), z));
        }
    }
}
