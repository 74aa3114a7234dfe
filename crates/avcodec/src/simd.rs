//! The SIMD kernels of the codecs, each the fast twin of a portable function that
//! stays the reference and is tested against it bit for bit.
//!
//! Only SSE2 is used here: it is part of the x86-64 baseline, so there is no
//! run-time detection to do and no code path that some x86-64 machine lacks.
//! This is the one module of the crate where `unsafe` is allowed (intrinsics and
//! unaligned loads/stores); every `unsafe` block states the bounds it relies on.
#![allow(unsafe_code)]

use std::arch::x86_64::{
    __m128i, _mm_add_epi16, _mm_avg_epu8, _mm_loadl_epi64, _mm_loadu_si128, _mm_packus_epi16,
    _mm_set1_epi16, _mm_setzero_si128, _mm_srli_epi16, _mm_storel_epi64, _mm_storeu_si128,
    _mm_unpackhi_epi8, _mm_unpacklo_epi8,
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
    let need_d = (N - 1).checked_mul(dstride).and_then(|v| v.checked_add(N));
    let need_s = (N - 1 + hy)
        .checked_mul(sstride)
        .and_then(|v| v.checked_add(N + hx));
    let (Some(nd), Some(ns)) = (need_d, need_s) else {
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
