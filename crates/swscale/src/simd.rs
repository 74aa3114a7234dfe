//! Inner loops of the fast paths: a scalar kernel (the source of truth) and,
//! on x86-64, AVX2/SSE4.1 (and AVX-512) versions chosen at run time that
//! compute exactly the same integers (tested bit for bit in `tests`).

use crate::fast::RgbLayout;
use crate::filter::FilterBank;
use crate::generic::Colors;

/// True when the SIMD kernels can run on this CPU.
pub(crate) fn available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("sse4.1")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// The smallest byte of `row` (255 if empty).
pub(crate) fn min_byte(simd: bool, row: &[u8]) -> u8 {
    #[cfg(target_arch = "x86_64")]
    if simd {
        return x86::min_byte(row);
    }
    let _ = simd;
    min_byte_scalar(row)
}

/// Written as a fold so that it vectorises.
fn min_byte_scalar(row: &[u8]) -> u8 {
    row.iter().fold(255, |m, &v| m.min(v))
}

// ---------------------------------------------------------------- scaling

/// Horizontal filter of an 8-bit line with `ch` interleaved channels into
/// 15-bit intermediates: `clamp((sum c*v) >> 7, i16)`.
pub(crate) fn hscale8(
    simd: bool,
    src: &[u8],
    ch: usize,
    f: &FilterBank,
    src_w: usize,
    out: &mut [i16],
) {
    #[cfg(target_arch = "x86_64")]
    if simd && ch == 1 && f.size <= 8 {
        return x86::hscale8_1(src, f, src_w, out);
    }
    let _ = (simd, src_w);
    #[cfg(target_arch = "x86_64")]
    if simd && (ch == 3 || ch == 4) && !f.coefq.is_empty() {
        let done = x86::hscale_packed(src, ch, f, out);
        return hscale8_scalar(src, ch, f, done, out);
    }
    if ch > 1 {
        return hscale8_packed(src, ch, f, out);
    }
    hscale8_scalar(src, ch, f, 0, out);
}

/// [`hscale8_scalar`] for packed 3- and 4-channel lines, with the tap and channel counts
/// fixed at compile time (unrolled, no per-tap bounds checks); same integers.
pub(crate) fn hscale8_packed(src: &[u8], ch: usize, f: &FilterBank, out: &mut [i16]) {
    macro_rules! by_size {
        ($c:literal) => {
            match f.size {
                1 => hscale_fixed::<$c, 1>(src, f, out),
                2 => hscale_fixed::<$c, 2>(src, f, out),
                3 => hscale_fixed::<$c, 3>(src, f, out),
                4 => hscale_fixed::<$c, 4>(src, f, out),
                5 => hscale_fixed::<$c, 5>(src, f, out),
                6 => hscale_fixed::<$c, 6>(src, f, out),
                7 => hscale_fixed::<$c, 7>(src, f, out),
                8 => hscale_fixed::<$c, 8>(src, f, out),
                9 => hscale_fixed::<$c, 9>(src, f, out),
                10 => hscale_fixed::<$c, 10>(src, f, out),
                11 => hscale_fixed::<$c, 11>(src, f, out),
                12 => hscale_fixed::<$c, 12>(src, f, out),
                _ => hscale8_scalar(src, $c, f, 0, out),
            }
        };
    }
    match ch {
        3 => by_size!(3),
        4 => by_size!(4),
        _ => hscale8_scalar(src, ch, f, 0, out),
    }
}

fn hscale_fixed<const CH: usize, const N: usize>(src: &[u8], f: &FilterBank, out: &mut [i16]) {
    for ((o, &p), taps) in out
        .chunks_exact_mut(CH)
        .zip(&f.pos)
        .zip(f.coef.chunks_exact(N))
    {
        let p = p as usize * CH;
        let win = &src[p..p + N * CH];
        let mut acc = [0i32; CH];
        for (k, &t) in taps.iter().enumerate() {
            let t = i32::from(t);
            for (c, a) in acc.iter_mut().enumerate() {
                *a += t * i32::from(win[k * CH + c]);
            }
        }
        for (o, a) in o.iter_mut().zip(acc) {
            *o = (a >> 7).clamp(-32768, 32767) as i16;
        }
    }
}

pub(crate) fn hscale8_scalar(src: &[u8], ch: usize, f: &FilterBank, from: usize, out: &mut [i16]) {
    let size = f.size;
    let n = out.len() / ch;
    for j in from..n {
        let p = f.pos[j] as usize * ch;
        let taps = &f.coef[j * size..(j + 1) * size];
        for c in 0..ch {
            let mut acc = 0i32;
            for (k, &t) in taps.iter().enumerate() {
                acc += i32::from(t) * i32::from(src[p + k * ch + c]);
            }
            out[j * ch + c] = (acc >> 7).clamp(-32768, 32767) as i16;
        }
    }
}

/// Vertical filter of intermediate lines (`rows[k]` = offset of tap k's line in `ring`)
/// into 8-bit: `clamp((sum c*v + 2^20) >> 21, 0, 255)`.
pub(crate) fn vscale8(
    simd: bool,
    ring: &[i16],
    rows: &[usize],
    line: usize,
    coef: &[i16],
    out: &mut [u8],
) {
    #[cfg(target_arch = "x86_64")]
    if simd {
        return x86::vscale8(ring, rows, line, coef, out);
    }
    let _ = simd;
    vscale8_scalar(ring, rows, line, coef, 0, out);
}

pub(crate) fn vscale8_scalar(
    ring: &[i16],
    rows: &[usize],
    line: usize,
    coef: &[i16],
    from: usize,
    out: &mut [u8],
) {
    for (x, o) in out[..line].iter_mut().enumerate().skip(from) {
        let mut acc = 1i32 << 20;
        for (&r, &c) in rows.iter().zip(coef) {
            acc += i32::from(c) * i32::from(ring[r + x]);
        }
        *o = (acc >> 21).clamp(0, 255) as u8;
    }
}

// ---------------------------------------------------------------- YUV -> RGB

/// Q13 coefficients for 8-bit YUV -> RGB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct YuvCoeffs {
    pub yoff: i32,
    pub cy: i32,
    pub crv: i32,
    pub cgu: i32,
    pub cgv: i32,
    pub cbu: i32,
}

impl YuvCoeffs {
    pub(crate) fn from_colors(c: &Colors) -> YuvCoeffs {
        // Working-domain Q16 coefficients to 8-bit Q13: chroma and limited luma are `v << 8`,
        // full luma is `v * 257`; RGB is `v * 257`.
        let k = c.src;
        let q = |x: i64, luma: bool| -> i32 {
            let f = x as f64 / 65536.0
                * if luma && c.src_full {
                    1.0
                } else {
                    256.0 / 257.0
                };
            (f * 8192.0).round() as i32
        };
        YuvCoeffs {
            yoff: if c.src_full { 0 } else { 16 },
            cy: q(k.cy, true),
            crv: q(k.crv, false),
            cgu: q(k.cgu, false),
            cgv: q(k.cgv, false),
            cbu: q(k.cbu, false),
        }
    }
}

/// One line of 8-bit YUV (chroma subsampled horizontally by `2^cw`, nearest) to packed RGB.
#[allow(clippy::too_many_arguments)]
pub(crate) fn yuv_to_rgb_row(
    simd: bool,
    k: &YuvCoeffs,
    y: &[u8],
    u: &[u8],
    v: &[u8],
    cw: u8,
    lay: RgbLayout,
    out: &mut [u8],
) {
    #[cfg(target_arch = "x86_64")]
    if simd && cw <= 1 {
        return x86::yuv_to_rgb_row(k, y, u, v, cw, lay, out);
    }
    let _ = simd;
    yuv_to_rgb_row_scalar(k, y, u, v, cw, lay, 0, out);
}

/// `(a * c) >> 16` on 16-bit lanes (what `pmulhw` computes).
#[inline]
fn mulhi(a: i32, c: i32) -> i32 {
    (a * c) >> 16
}

/// One pixel, in the 16-bit arithmetic the SIMD kernel uses: inputs scaled by 64,
/// products keep their high 16 bits (Q3), then rounded to 8 bits.
#[inline]
pub(crate) fn yuv_px(k: &YuvCoeffs, y: u8, u: u8, v: u8) -> (u8, u8, u8) {
    let yy = mulhi((i32::from(y) - k.yoff) << 6, k.cy);
    let u = (i32::from(u) - 128) << 6;
    let v = (i32::from(v) - 128) << 6;
    let r = (yy + mulhi(v, k.crv) + 4) >> 3;
    let g = (yy - mulhi(u, k.cgu) - mulhi(v, k.cgv) + 4) >> 3;
    let b = (yy + mulhi(u, k.cbu) + 4) >> 3;
    (
        r.clamp(0, 255) as u8,
        g.clamp(0, 255) as u8,
        b.clamp(0, 255) as u8,
    )
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn yuv_to_rgb_row_scalar(
    k: &YuvCoeffs,
    y: &[u8],
    u: &[u8],
    v: &[u8],
    cw: u8,
    lay: RgbLayout,
    from: usize,
    out: &mut [u8],
) {
    let w = out.len() / lay.step;
    for x in from..w {
        let cx = x >> cw;
        let (r, g, b) = yuv_px(k, y[x], u[cx], v[cx]);
        let o = &mut out[x * lay.step..(x + 1) * lay.step];
        o[lay.r] = r;
        o[lay.g] = g;
        o[lay.b] = b;
        if let Some(a) = lay.a {
            o[a] = 255;
        }
    }
}

// ---------------------------------------------------------------- YUV -> RGB, Q13 rounding

/// The arithmetic of the `yuv` crate's 8-bit YUV -> RGB kernels (that crate's x86 SIMD
/// rows, which write every pixel of a 4:2:0 line pair on AVX2 machines), so that our
/// AVX-512 kernel writes the same bytes: luma `y -| bias` (saturating), inputs scaled by
/// 4 and each product rounded to Q13 on its own (`pmulhrsw`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Q13Coeffs {
    pub bias_y: u8,
    pub cy: i16,
    pub cr: i16,
    pub cb: i16,
    pub g1: i16,
    pub g2: i16,
}

impl Q13Coeffs {
    /// Coefficients for `Kr`, `Kb` (as `f32`, as the crate's) and the range, derived in
    /// `f32` as the crate derives them; `None` if one does not fit in 16 bits.
    pub(crate) fn new(full: bool, kr: f32, kb: f32) -> Option<Q13Coeffs> {
        let (range_y, range_uv) = if full { (255.0, 255.0) } else { (219.0, 224.0) };
        let uv = 255.0f32 / range_uv;
        let kg = 1.0f32 - kr - kb;
        if kg == 0.0 {
            return None;
        }
        let q = |x: f32| i16::try_from((x * 8192.0).round() as i32).ok();
        Some(Q13Coeffs {
            bias_y: if full { 0 } else { 16 },
            cy: q(255.0f32 / range_y)?,
            cr: q((2.0 * (1.0 - kr)) * uv)?,
            cb: q((2.0 * (1.0 - kb)) * uv)?,
            g1: q((2.0 * ((1.0 - kr) * kr / kg)) * uv)?,
            g2: q((2.0 * ((1.0 - kb) * kb / kg)) * uv)?,
        })
    }
}

/// `(a * b + 2^14) >> 15` (what `pmulhrsw` computes).
#[inline]
fn mulhrs(a: i32, b: i16) -> i32 {
    (a * i32::from(b) + 0x4000) >> 15
}

/// One pixel in the Q13 arithmetic.
#[inline]
pub(crate) fn q13_px(k: &Q13Coeffs, y: u8, u: u8, v: u8) -> (u8, u8, u8) {
    let yy = mulhrs(i32::from(y.saturating_sub(k.bias_y)) << 2, k.cy);
    let u = (i32::from(u) << 2) - 512;
    let v = (i32::from(v) << 2) - 512;
    let r = yy + mulhrs(v, k.cr);
    let g = yy - (mulhrs(v, k.g1) + mulhrs(u, k.g2));
    let b = yy + mulhrs(u, k.cb);
    (
        r.clamp(0, 255) as u8,
        g.clamp(0, 255) as u8,
        b.clamp(0, 255) as u8,
    )
}

/// True when [`yuv420_q13_rows`] has a SIMD kernel on this CPU (AVX-512 F/BW/VL/VBMI).
pub(crate) fn q13_simd_available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::is_x86_feature_detected!("avx512f")
            && std::is_x86_feature_detected!("avx512bw")
            && std::is_x86_feature_detected!("avx512vl")
            && std::is_x86_feature_detected!("avx512vbmi")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Byte shuffles that turn 64 pixels of R, G and B (each a vector in the order
/// `pos` gives) into `lay.step` 64-byte blocks of packed pixels.
#[derive(Debug, Clone)]
pub(crate) struct PackTables {
    lay: RgbLayout,
    /// Per output block: source byte of each output byte (+64: from G).
    idx: [[u8; 64]; 4],
    /// Per output block: bytes taken from B / set to 255.
    from_b: [u64; 4],
    alpha: [u64; 4],
}

impl PackTables {
    /// Where the SIMD kernel keeps pixel `p` of a 64-pixel block: even and odd pixels of
    /// each 16 are packed into the low and high halves of a 128-bit lane.
    fn pos(p: usize) -> u8 {
        (16 * (p / 16) + 8 * (p % 2) + (p % 16) / 2) as u8
    }

    pub(crate) fn new(lay: RgbLayout) -> PackTables {
        let mut t = PackTables {
            lay,
            idx: [[0; 64]; 4],
            from_b: [0; 4],
            alpha: [0; 4],
        };
        for k in 0..lay.step {
            for j in 0..64 {
                let byte = 64 * k + j;
                let (p, c) = (byte / lay.step, byte % lay.step);
                let pos = Self::pos(p);
                t.idx[k][j] = if c == lay.g { pos | 64 } else { pos };
                if c == lay.b {
                    t.from_b[k] |= 1 << j;
                }
                if Some(c) == lay.a {
                    t.alpha[k] |= 1 << j;
                }
            }
        }
        t
    }
}

/// Lines of 4:2:0 YUV (`y1` is the second line of the chroma pair, if any) to packed RGB
/// in the Q13 arithmetic: `out0`/`out1` hold `w * step` bytes, `u`/`v` at least
/// `w.div_ceil(2)`. Returns whether a luma sample of these lines is below `k.bias_y`
/// (where the crate's clamp differs from FFmpeg).
#[allow(clippy::too_many_arguments)]
pub(crate) fn yuv420_q13_rows(
    simd: bool,
    k: &Q13Coeffs,
    t: &PackTables,
    w: usize,
    y0: &[u8],
    y1: Option<&[u8]>,
    u: &[u8],
    v: &[u8],
    out0: &mut [u8],
    out1: Option<&mut [u8]>,
) -> bool {
    #[cfg(target_arch = "x86_64")]
    if simd && q13_simd_available() {
        return x86::yuv420_q13_rows(k, t, w, y0, y1, u, v, out0, out1);
    }
    let _ = simd;
    let mut below = yuv420_q13_row_scalar(k, t.lay, w, y0, u, v, out0);
    if let (Some(y1), Some(out1)) = (y1, out1) {
        below |= yuv420_q13_row_scalar(k, t.lay, w, y1, u, v, out1);
    }
    below
}

pub(crate) fn yuv420_q13_row_scalar(
    k: &Q13Coeffs,
    lay: RgbLayout,
    w: usize,
    y: &[u8],
    u: &[u8],
    v: &[u8],
    out: &mut [u8],
) -> bool {
    for x in 0..w {
        let (r, g, b) = q13_px(k, y[x], u[x / 2], v[x / 2]);
        let o = &mut out[x * lay.step..(x + 1) * lay.step];
        o[lay.r] = r;
        o[lay.g] = g;
        o[lay.b] = b;
        if let Some(a) = lay.a {
            o[a] = 255;
        }
    }
    y[..w].iter().any(|&v| v < k.bias_y)
}

// ---------------------------------------------------------------- RGB -> YUV

/// Q15 coefficients for 8-bit RGB -> YUV.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RgbCoeffs {
    pub yoff: i32,
    pub ry: i32,
    pub gy: i32,
    pub by: i32,
    pub ru: i32,
    pub gu: i32,
    pub bu: i32,
    pub rv: i32,
    pub gv: i32,
    pub bv: i32,
}

impl RgbCoeffs {
    pub(crate) fn from_colors(c: &Colors) -> RgbCoeffs {
        let k = c.dst;
        let q = |x: i64, luma: bool| -> i32 {
            let f = x as f64 / 65536.0
                * if luma && c.dst_full {
                    1.0
                } else {
                    257.0 / 256.0
                };
            (f * 32768.0).round() as i32
        };
        RgbCoeffs {
            yoff: if c.dst_full { 0 } else { 16 },
            ry: q(k.ry, true),
            gy: q(k.gy, true),
            by: q(k.by, true),
            ru: q(k.ru, false),
            gu: q(k.gu, false),
            bu: q(k.bu, false),
            rv: q(k.rv, false),
            gv: q(k.gv, false),
            bv: q(k.bv, false),
        }
    }
}

/// Luma of one line of packed RGB.
pub(crate) fn rgb_to_y_row(simd: bool, k: &RgbCoeffs, src: &[u8], lay: RgbLayout, out: &mut [u8]) {
    #[cfg(target_arch = "x86_64")]
    if simd {
        return x86::rgb_to_y_row(k, src, lay, out);
    }
    let _ = simd;
    rgb_to_y_row_scalar(k, src, lay, 0, out);
}

pub(crate) fn rgb_to_y_row_scalar(
    k: &RgbCoeffs,
    src: &[u8],
    lay: RgbLayout,
    from: usize,
    out: &mut [u8],
) {
    for (x, o) in out.iter_mut().enumerate().skip(from) {
        let p = &src[x * lay.step..];
        let (r, g, b) = (
            i32::from(p[lay.r]),
            i32::from(p[lay.g]),
            i32::from(p[lay.b]),
        );
        let y = ((k.ry * r + k.gy * g + k.by * b + (1 << 14)) >> 15) + k.yoff;
        *o = y.clamp(0, 255) as u8;
    }
}

/// Chroma of two lines of packed RGB, 2x2 box average (centred siting).
#[allow(clippy::too_many_arguments)]
pub(crate) fn rgb_to_uv420_row(
    simd: bool,
    k: &RgbCoeffs,
    r0: &[u8],
    r1: &[u8],
    w: usize,
    lay: RgbLayout,
    u: &mut [u8],
    v: &mut [u8],
) {
    #[cfg(target_arch = "x86_64")]
    if simd {
        return x86::rgb_to_uv420_row(k, r0, r1, w, lay, u, v);
    }
    let _ = simd;
    rgb_to_uv420_row_scalar(k, r0, r1, w, lay, 0, u, v);
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn rgb_to_uv420_row_scalar(
    k: &RgbCoeffs,
    r0: &[u8],
    r1: &[u8],
    w: usize,
    lay: RgbLayout,
    from: usize,
    u: &mut [u8],
    v: &mut [u8],
) {
    let cw = w.div_ceil(2);
    for cx in from..cw {
        let x0 = 2 * cx;
        let x1 = (x0 + 1).min(w - 1);
        let mut s = [0i32; 3];
        for row in [r0, r1] {
            for x in [x0, x1] {
                let p = &row[x * lay.step..];
                s[0] += i32::from(p[lay.r]);
                s[1] += i32::from(p[lay.g]);
                s[2] += i32::from(p[lay.b]);
            }
        }
        let uu = ((k.ru * s[0] + k.gu * s[1] + k.bu * s[2] + (1 << 16)) >> 17) + 128;
        let vv = ((k.rv * s[0] + k.gv * s[1] + k.bv * s[2] + (1 << 16)) >> 17) + 128;
        u[cx] = uu.clamp(0, 255) as u8;
        v[cx] = vv.clamp(0, 255) as u8;
    }
}

// ---------------------------------------------------------------- misc

/// Interleaves two chroma lines (nv12 from yuv420p).
pub(crate) fn interleave_row(simd: bool, a: &[u8], b: &[u8], out: &mut [u8]) {
    let _ = simd;
    for ((o, &x), &y) in out.chunks_exact_mut(2).zip(a).zip(b) {
        o[0] = x;
        o[1] = y;
    }
}

/// One line of LE high-depth samples to 8 bits with ordered dithering (as the general path).
pub(crate) fn depth_to_8_row(simd: bool, src: &[u8], depth: u32, y: usize, out: &mut [u8]) {
    #[cfg(target_arch = "x86_64")]
    if simd && (9..=16).contains(&depth) {
        return x86::depth_to_8_row(src, depth, y, out);
    }
    let _ = simd;
    depth_to_8_row_scalar(src, depth, y, 0, out);
}

pub(crate) fn depth_to_8_row_scalar(src: &[u8], depth: u32, y: usize, from: usize, out: &mut [u8]) {
    let s = 16 - depth;
    let mask = (1u32 << depth) - 1;
    for (x, o) in out.iter_mut().enumerate().skip(from) {
        let v = u32::from(u16::from_le_bytes([src[2 * x], src[2 * x + 1]])) & mask;
        let b = crate::pixel::bayer_bias(x, y) >> 8;
        *o = (((v << s) + b) >> 8).min(255) as u8;
    }
}

#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod x86 {
    use std::arch::x86_64::*;

    use super::*;

    pub(super) fn hscale8_1(src: &[u8], f: &FilterBank, src_w: usize, out: &mut [i16]) {
        // Filters of up to 4 taps use 4-wide windows (no multiplies by padding zeros), others
        // 8-wide. Outputs whose window would pass the line end are left to the scalar kernel.
        let (win, coef) = if f.size <= 4 {
            (4, &f.coef4)
        } else {
            (8, &f.coef8)
        };
        let n = out.len().min(f.pos.len());
        let lim = src_w.min(src.len());
        let mut end = 0;
        if lim >= f.n_s {
            // Precomputed for full lines.
            end = f.fit[usize::from(win == 8)].min(n - n % 8);
        } else {
            while end + 8 <= n && (end..end + 8).all(|j| f.pos[j] as usize + win <= lim) {
                end += 8;
            }
        }
        assert!(coef.len() >= win * end && f.shuf4.len() >= 8 * f.fit_shuf);
        // SAFETY: AVX2 checked by `available`; for j < end, src[pos[j]..pos[j] + win] is in
        // bounds (checked above), `coef` holds `win` coefficients per output for j < end
        // (asserted), and out[j..j + 8] exists (end <= out.len()). For blocks below
        // `fit_shuf` on a full line, src[pos[j]..pos[j] + 16] is in bounds (by construction
        // of `shuf4`, whose 64 bytes per block exist: asserted).
        unsafe {
            if win == 4 {
                let shuf = if lim >= f.n_s { f.fit_shuf.min(end) } else { 0 };
                hscale4_avx2(src, &f.pos, coef, &f.shuf4, shuf, end, out);
            } else {
                // Shuffled blocks first (windows within two 16-byte loads), the rest gathered.
                let shuf = if lim >= f.n_s {
                    f.fit_shuf8.min(end)
                } else {
                    0
                };
                assert!(f.shuf8.len() >= 16 * shuf && f.coef8p.len() >= 8 * shuf);
                if f.size <= 6 {
                    hscale8_shuf_avx2::<3>(src, &f.pos, &f.coef8p, &f.shuf8, shuf, out);
                } else {
                    hscale8_shuf_avx2::<4>(src, &f.pos, &f.coef8p, &f.shuf8, shuf, out);
                }
                hscale8_avx2(src, &f.pos, coef, shuf, end, out);
            }
        }
        // The last outputs, whose windows pass the line end: blocks of 8 from a zero-padded
        // copy of the line's end (the padding meets zero coefficients).
        if lim >= f.n_s {
            while end < n {
                let base = f.pos[end] as usize;
                let m = (n - end).min(8);
                let span = lim - base;
                if f.pos[end + m - 1] as usize - base + win > 64 || span > 64 {
                    break;
                }
                let mut buf = [0u8; 72];
                buf[..span].copy_from_slice(&src[base..lim]);
                let mut pos8 = [0u32; 8];
                for (i, p) in pos8[..m].iter_mut().enumerate() {
                    *p = f.pos[end + i] - base as u32;
                }
                let mut o8 = [0i16; 8];
                // SAFETY (both): AVX2 checked; windows pos8[i]..pos8[i] + win <= 72 inside
                // `buf`, the block's coefficients inside the slices passed (asserted or
                // local), 8 outputs into `o8`.
                if win == 4 {
                    assert!(coef.len() >= 4 * (end + 8));
                    unsafe { hscale4_avx2(&buf, &pos8, &coef[4 * end..], &[], 0, 8, &mut o8) };
                } else {
                    let mut c8 = [0i16; 64];
                    c8[..8 * m].copy_from_slice(&coef[8 * end..8 * (end + m)]);
                    unsafe { hscale8_avx2(&buf, &pos8, &c8, 0, 8, &mut o8) };
                }
                out[end..end + m].copy_from_slice(&o8[..m]);
                end += m;
            }
        }
        hscale8_scalar(src, 1, f, end, out);
    }

    /// Up to 4 taps, 8 outputs per step: taps 0-1 and taps 2-3 of the 8 outputs as words
    /// in two registers, taken from one 16-byte load by two shuffles for the first `shuf`
    /// outputs, else from 8 gathered 4-byte windows; two `pmaddwd` and one add give the
    /// 8 sums in order.
    #[target_feature(enable = "avx2")]
    unsafe fn hscale4_avx2(
        src: &[u8],
        pos: &[u32],
        coef4: &[i16],
        shuf4: &[u8],
        shuf: usize,
        end: usize,
        out: &mut [i16],
    ) {
        const Z: i8 = -128;
        let glo = _mm256_setr_epi8(
            0, Z, 1, Z, 4, Z, 5, Z, 8, Z, 9, Z, 12, Z, 13, Z, //
            0, Z, 1, Z, 4, Z, 5, Z, 8, Z, 9, Z, 12, Z, 13, Z,
        );
        let ghi = _mm256_setr_epi8(
            2, Z, 3, Z, 6, Z, 7, Z, 10, Z, 11, Z, 14, Z, 15, Z, //
            2, Z, 3, Z, 6, Z, 7, Z, 10, Z, 11, Z, 14, Z, 15, Z,
        );
        let s = src.as_ptr();
        let c = coef4.as_ptr();
        let mut j = 0;
        while j < end {
            // SAFETY: see the caller.
            unsafe {
                let (lo, hi) = if j < shuf {
                    let b = _mm256_broadcastsi128_si256(_mm_loadu_si128(
                        s.add(pos[j] as usize) as *const __m128i
                    ));
                    let m = shuf4.as_ptr().add(8 * j);
                    (
                        _mm256_shuffle_epi8(b, _mm256_loadu_si256(m as *const __m256i)),
                        _mm256_shuffle_epi8(b, _mm256_loadu_si256(m.add(32) as *const __m256i)),
                    )
                } else {
                    let w = |i: usize| {
                        std::ptr::read_unaligned(s.add(pos[j + i] as usize) as *const i32)
                    };
                    let v = _mm256_setr_epi32(w(0), w(1), w(2), w(3), w(4), w(5), w(6), w(7));
                    (_mm256_shuffle_epi8(v, glo), _mm256_shuffle_epi8(v, ghi))
                };
                let k0 = _mm256_loadu_si256(c.add(4 * j) as *const __m256i);
                let k1 = _mm256_loadu_si256(c.add(4 * j + 16) as *const __m256i);
                let r = _mm256_add_epi32(_mm256_madd_epi16(lo, k0), _mm256_madd_epi16(hi, k1));
                let r = _mm256_srai_epi32::<7>(r);
                let p =
                    _mm_packs_epi32(_mm256_castsi256_si128(r), _mm256_extracti128_si256::<1>(r));
                _mm_storeu_si128(out.as_mut_ptr().add(j) as *mut __m128i, p);
            }
            j += 8;
        }
    }

    /// 5 to 8 taps, 8 outputs per step from two 16-byte loads (outputs 0-3 and 4-7): `NP`
    /// shuffles into (tap pair, output) words, `NP` `pmaddwd` and adds give the 8 sums in
    /// order (`NP` = 3 for up to 6 taps, the zero pair (6, 7) skipped).
    #[target_feature(enable = "avx2")]
    unsafe fn hscale8_shuf_avx2<const NP: usize>(
        src: &[u8],
        pos: &[u32],
        coef8p: &[i16],
        shuf8: &[u8],
        end: usize,
        out: &mut [i16],
    ) {
        let s = src.as_ptr();
        let mut j = 0;
        while j < end {
            // SAFETY: see the caller (src[pos[j]..+16] and src[pos[j+4]..+16] inside the
            // line by construction of `shuf8`, 128 mask bytes and 64 coefficients per block).
            unsafe {
                let b = _mm256_loadu2_m128i(
                    s.add(pos[j + 4] as usize) as *const __m128i,
                    s.add(pos[j] as usize) as *const __m128i,
                );
                let m = shuf8.as_ptr().add(16 * j);
                let c = coef8p.as_ptr().add(8 * j);
                let mut acc = _mm256_setzero_si256();
                for q in 0..NP {
                    let w =
                        _mm256_shuffle_epi8(b, _mm256_loadu_si256(m.add(32 * q) as *const __m256i));
                    let k = _mm256_loadu_si256(c.add(16 * q) as *const __m256i);
                    acc = _mm256_add_epi32(acc, _mm256_madd_epi16(w, k));
                }
                let r = _mm256_srai_epi32::<7>(acc);
                let p =
                    _mm_packs_epi32(_mm256_castsi256_si128(r), _mm256_extracti128_si256::<1>(r));
                _mm_storeu_si128(out.as_mut_ptr().add(j) as *mut __m128i, p);
            }
            j += 8;
        }
    }

    /// 5 to 8 taps, 8 outputs per step, two outputs per 256-bit multiply.
    #[target_feature(enable = "avx2")]
    unsafe fn hscale8_avx2(
        src: &[u8],
        pos: &[u32],
        coef8: &[i16],
        start: usize,
        end: usize,
        out: &mut [i16],
    ) {
        let s = src.as_ptr();
        let c = coef8.as_ptr();
        let mut j = start;
        while j < end {
            // SAFETY: see the caller.
            unsafe {
                let mut m = [_mm256_setzero_si256(); 4];
                for (i, mi) in m.iter_mut().enumerate() {
                    let a = _mm_loadl_epi64(s.add(pos[j + 2 * i] as usize) as *const __m128i);
                    let b = _mm_loadl_epi64(s.add(pos[j + 2 * i + 1] as usize) as *const __m128i);
                    let v = _mm256_cvtepu8_epi16(_mm_unpacklo_epi64(a, b));
                    let k = _mm256_loadu_si256(c.add(8 * (j + 2 * i)) as *const __m256i);
                    // [4 partials of o(2i) | 4 partials of o(2i+1)]
                    *mi = _mm256_madd_epi16(v, k);
                }
                let h01 = _mm256_hadd_epi32(m[0], m[1]);
                let h23 = _mm256_hadd_epi32(m[2], m[3]);
                // [o0 o2 o4 o6 | o1 o3 o5 o7]
                let h = _mm256_srai_epi32::<7>(_mm256_hadd_epi32(h01, h23));
                let even = _mm256_castsi256_si128(h);
                let odd = _mm256_extracti128_si256::<1>(h);
                let p =
                    _mm_packs_epi32(_mm_unpacklo_epi32(even, odd), _mm_unpackhi_epi32(even, odd));
                _mm_storeu_si128(out.as_mut_ptr().add(j) as *mut __m128i, p);
            }
            j += 8;
        }
    }

    /// Packed 3- or 4-channel lines, any filter with `coefq`: returns how many outputs it
    /// wrote (from the start; the rest is for the scalar kernel).
    pub(super) fn hscale_packed(src: &[u8], ch: usize, f: &FilterBank, out: &mut [i16]) -> usize {
        let g = f.size.div_ceil(4);
        let n = (out.len() / ch).min(f.pos.len());
        assert!(f.coefq.len() >= 16 * g * n && (ch == 3 || ch == 4));
        // Output j reads src[pos*ch .. pos*ch + 4*ch*(g-1) + 16] and writes out[ch*j .. ch*j + 4];
        // `pos` never decreases, so the outputs that fit are a prefix.
        let reach = 4 * ch * (g - 1) + 16;
        let mut end = n;
        while end > 0
            && (f.pos[end - 1] as usize * ch + reach > src.len() || ch * (end - 1) + 4 > out.len())
        {
            end -= 1;
        }
        // SAFETY: AVX2 checked by `available`; reads and writes within the bounds above for
        // j < end, coefficients within `coefq` (asserted).
        unsafe { packed_avx2(src, ch, &f.pos, &f.coefq, g, end, out) };
        end
    }

    /// One output pixel per step: each group of 4 taps is one 16-byte load, shuffled into
    /// (tap pair, channel) words, and one `pmaddwd` against the expanded coefficients.
    #[target_feature(enable = "avx2")]
    unsafe fn packed_avx2(
        src: &[u8],
        ch: usize,
        pos: &[u32],
        coefq: &[i16],
        g: usize,
        end: usize,
        out: &mut [i16],
    ) {
        const Z: i8 = -128;
        let mask = if ch == 3 {
            _mm256_setr_epi8(
                0, Z, 3, Z, 1, Z, 4, Z, 2, Z, 5, Z, Z, Z, Z, Z, //
                6, Z, 9, Z, 7, Z, 10, Z, 8, Z, 11, Z, Z, Z, Z, Z,
            )
        } else {
            _mm256_setr_epi8(
                0, Z, 4, Z, 1, Z, 5, Z, 2, Z, 6, Z, 3, Z, 7, Z, //
                8, Z, 12, Z, 9, Z, 13, Z, 10, Z, 14, Z, 11, Z, 15, Z,
            )
        };
        let s = src.as_ptr();
        let c = coefq.as_ptr();
        let o = out.as_mut_ptr();
        for (j, &p) in pos[..end].iter().enumerate() {
            // SAFETY: see the caller.
            unsafe {
                let base = s.add(p as usize * ch);
                let mut acc = _mm256_setzero_si256();
                for q in 0..g {
                    let v = _mm256_broadcastsi128_si256(_mm_loadu_si128(
                        base.add(4 * ch * q) as *const __m128i
                    ));
                    let w = _mm256_shuffle_epi8(v, mask);
                    let k = _mm256_loadu_si256(c.add(16 * (j * g + q)) as *const __m256i);
                    acc = _mm256_add_epi32(acc, _mm256_madd_epi16(w, k));
                }
                let sum = _mm_add_epi32(
                    _mm256_castsi256_si128(acc),
                    _mm256_extracti128_si256::<1>(acc),
                );
                let r = _mm_srai_epi32::<7>(sum);
                _mm_storel_epi64(o.add(ch * j) as *mut __m128i, _mm_packs_epi32(r, r));
            }
        }
    }

    /// Checks the slices, then runs the AVX-512 kernel on whole rows.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn yuv420_q13_rows(
        k: &Q13Coeffs,
        t: &PackTables,
        w: usize,
        y0: &[u8],
        y1: Option<&[u8]>,
        u: &[u8],
        v: &[u8],
        out0: &mut [u8],
        out1: Option<&mut [u8]>,
    ) -> bool {
        let step = t.lay.step;
        let ok = |y: &[u8], o: &[u8]| y.len() >= w && o.len() >= w * step;
        let cw = w.div_ceil(2);
        let pair = match (y1, out1) {
            (Some(y1), Some(o1)) if ok(y1, o1) => Some((y1, o1)),
            _ => None,
        };
        if !ok(y0, out0) || u.len() < cw || v.len() < cw || !matches!(step, 3 | 4) {
            // Only with a second line that does not fit, or a layout without a kernel.
            let mut below = yuv420_q13_row_scalar(k, t.lay, w, y0, u, v, out0);
            if let Some((y1, o1)) = pair {
                below |= yuv420_q13_row_scalar(k, t.lay, w, y1, u, v, o1);
            }
            return below;
        }
        let (ys, outs, lines) = match pair {
            Some((y1, o1)) => (
                [y0.as_ptr(), y1.as_ptr()],
                [out0.as_mut_ptr(), o1.as_mut_ptr()],
                2,
            ),
            // The second pointers are not used with one line.
            None => ([y0.as_ptr(); 2], [out0.as_mut_ptr(); 2], 1),
        };
        let (u, v) = (u.as_ptr(), v.as_ptr());
        // SAFETY: AVX-512 F/BW/VL/VBMI checked by the caller; the first `lines` of y hold w
        // bytes, of out w * step; u and v w.div_ceil(2) (checked above).
        unsafe {
            match (step, lines) {
                (3, 2) => q13_avx512::<3, 2>(k, t, w, ys, u, v, outs),
                (3, _) => q13_avx512::<3, 1>(k, t, w, ys, u, v, outs),
                (_, 2) => q13_avx512::<4, 2>(k, t, w, ys, u, v, outs),
                _ => q13_avx512::<4, 1>(k, t, w, ys, u, v, outs),
            }
        }
    }

    /// Mask of the low `n` bits (`n <= 64`).
    fn low_bits(n: usize) -> u64 {
        if n >= 64 { u64::MAX } else { (1u64 << n) - 1 }
    }

    /// How far ahead of its stores the Q13 kernel prefetches the destination, in bytes
    /// (384-1536 measured alike).
    const PREFETCH: usize = 768;

    /// Constants of the Q13 kernel.
    struct Q13Regs {
        bias: __m512i,
        low: __m512i,
        c512: __m512i,
        cy: __m512i,
        cr: __m512i,
        cb: __m512i,
        g1: __m512i,
        g2: __m512i,
    }

    /// # Safety
    /// AVX-512 F/BW/VL/VBMI available; for the first `LINES` entries, `y[i]` readable for
    /// `w` bytes and `out[i]` writable for `w * STEP` (`STEP` 3, or 4 with alpha); `u`, `v`
    /// readable for `w.div_ceil(2)` bytes.
    #[allow(clippy::too_many_arguments)]
    #[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512vbmi")]
    unsafe fn q13_avx512<const STEP: usize, const LINES: usize>(
        k: &Q13Coeffs,
        t: &PackTables,
        w: usize,
        y: [*const u8; 2],
        u: *const u8,
        v: *const u8,
        out: [*mut u8; 2],
    ) -> bool {
        let c = Q13Regs {
            bias: _mm512_set1_epi8(k.bias_y as i8),
            low: _mm512_set1_epi16(0xff),
            c512: _mm512_set1_epi16(512),
            cy: _mm512_set1_epi16(k.cy),
            cr: _mm512_set1_epi16(k.cr),
            cb: _mm512_set1_epi16(k.cb),
            g1: _mm512_set1_epi16(k.g1),
            g2: _mm512_set1_epi16(k.g2),
        };
        // SAFETY: each table row is 64 bytes.
        let idx: [__m512i; STEP] =
            std::array::from_fn(|i| unsafe { _mm512_loadu_si512(t.idx[i].as_ptr() as *const _) });
        let fb: [u64; STEP] = std::array::from_fn(|i| t.from_b[i]);
        // The smallest luma byte of each column (255 outside the lines).
        let mut min = _mm512_set1_epi8(-1);
        let mut x = 0;
        while x + 64 <= w {
            // SAFETY: a whole block: y[x..x + 64], u/v[x/2..x/2 + 32], out[x * STEP..][..64 * STEP].
            min = unsafe {
                q13_block::<STEP, LINES, false>(&c, &idx, &fb, t.alpha[0], y, u, v, out, x, 64, min)
            };
            x += 64;
        }
        if x < w {
            // SAFETY: the last w - x < 64 pixels, with masked loads and stores.
            min = unsafe {
                q13_block::<STEP, LINES, true>(
                    &c,
                    &idx,
                    &fb,
                    t.alpha[0],
                    y,
                    u,
                    v,
                    out,
                    x,
                    w - x,
                    min,
                )
            };
        }
        _mm512_cmplt_epu8_mask(min, c.bias) != 0
    }

    /// Pixels `x..x + n` (`n <= 64`; all 64 unless `TAIL`) of `LINES` lines.
    ///
    /// # Safety
    /// See [`q13_avx512`]; `x + n <= w`.
    #[inline]
    #[allow(clippy::too_many_arguments)]
    #[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512vbmi")]
    unsafe fn q13_block<const STEP: usize, const LINES: usize, const TAIL: bool>(
        c: &Q13Regs,
        idx: &[__m512i; STEP],
        fb: &[u64; STEP],
        alpha: u64,
        y: [*const u8; 2],
        u: *const u8,
        v: *const u8,
        out: [*mut u8; 2],
        x: usize,
        n: usize,
        mut min: __m512i,
    ) -> __m512i {
        // Chroma of 64 pixels: 32 samples as words, one per even/odd pixel pair.
        // SAFETY: reads u/v[x/2..x/2 + n.div_ceil(2)] (masked in the tail), in bounds.
        let (uw, vw) = unsafe {
            let (pu, pv) = (u.add(x / 2), v.add(x / 2));
            if TAIL {
                let m = low_bits(n.div_ceil(2)) as u32;
                (
                    _mm256_maskz_loadu_epi8(m, pu as *const i8),
                    _mm256_maskz_loadu_epi8(m, pv as *const i8),
                )
            } else {
                (
                    _mm256_loadu_si256(pu as *const __m256i),
                    _mm256_loadu_si256(pv as *const __m256i),
                )
            }
        };
        let uw = _mm512_sub_epi16(_mm512_slli_epi16::<2>(_mm512_cvtepu8_epi16(uw)), c.c512);
        let vw = _mm512_sub_epi16(_mm512_slli_epi16::<2>(_mm512_cvtepu8_epi16(vw)), c.c512);
        let crt = _mm512_mulhrs_epi16(vw, c.cr);
        let cbt = _mm512_mulhrs_epi16(uw, c.cb);
        let gt = _mm512_add_epi16(_mm512_mulhrs_epi16(vw, c.g1), _mm512_mulhrs_epi16(uw, c.g2));
        let ff = _mm512_set1_epi8(-1);
        for l in 0..LINES {
            // SAFETY: y[l][x..x + n] (masked in the tail), in bounds.
            let yv = unsafe {
                if TAIL {
                    _mm512_mask_loadu_epi8(ff, low_bits(n), y[l].add(x) as *const i8)
                } else {
                    _mm512_loadu_si512(y[l].add(x) as *const _)
                }
            };
            if !TAIL {
                // The luma line 8 blocks ahead (-2..3 % rgb24 in A/B runs). A prefetch never
                // faults, so the address may lie past the line.
                _mm_prefetch::<_MM_HINT_T0>(y[l].wrapping_add(x + 512) as *const i8);
            }
            min = _mm512_min_epu8(min, yv);
            let yv = _mm512_subs_epu8(yv, c.bias);
            let ye = _mm512_slli_epi16::<2>(_mm512_and_si512(yv, c.low));
            let yo = _mm512_slli_epi16::<2>(_mm512_srli_epi16::<8>(yv));
            let (le, lo) = (_mm512_mulhrs_epi16(ye, c.cy), _mm512_mulhrs_epi16(yo, c.cy));
            // Bytes: even pixels of 16 in the low half of each lane, odd in the high.
            let r = _mm512_packus_epi16(_mm512_add_epi16(le, crt), _mm512_add_epi16(lo, crt));
            let g = _mm512_packus_epi16(_mm512_sub_epi16(le, gt), _mm512_sub_epi16(lo, gt));
            let b = _mm512_packus_epi16(_mm512_add_epi16(le, cbt), _mm512_add_epi16(lo, cbt));
            for i in 0..STEP {
                let mut o = _mm512_permutex2var_epi8(r, idx[i], g);
                o = _mm512_mask_permutexvar_epi8(o, fb[i], idx[i], b);
                if STEP == 4 {
                    // The alpha byte of every pixel (all 4-byte layouts here have one; the
                    // mask is the same in every block).
                    o = _mm512_mask_mov_epi8(o, alpha, ff);
                }
                // SAFETY: out[l][x * STEP + 64i..][..64] (masked to n * STEP - 64i bytes
                // in the tail), within out[l][..w * STEP].
                unsafe {
                    let p = out[l].add(x * STEP + 64 * i);
                    if TAIL {
                        let m = low_bits((n * STEP).saturating_sub(64 * i));
                        _mm512_mask_storeu_epi8(p as *mut i8, m, o);
                    } else {
                        // Ask for the destination line a few blocks ahead in the exclusive
                        // state (`prefetchw`): the fetch the store would wait for starts
                        // early (measured -8 % rgb24, -14 % bgra at 1080p). A prefetch never
                        // faults, so the address may lie past the line.
                        _mm_prefetch::<_MM_HINT_ET0>(p.wrapping_add(PREFETCH) as *const i8);
                        _mm512_storeu_si512(p as *mut _, o);
                    }
                }
            }
        }
        min
    }

    pub(super) fn min_byte(row: &[u8]) -> u8 {
        // SAFETY: AVX2 checked by `available`; safe slice code compiled for AVX2.
        unsafe { min_byte_avx2(row) }
    }

    #[target_feature(enable = "avx2")]
    unsafe fn min_byte_avx2(row: &[u8]) -> u8 {
        // Four independent 32-byte accumulators (vpminub).
        let mut acc = [255u8; 128];
        let mut blocks = row.chunks_exact(128);
        for b in &mut blocks {
            for (a, &v) in acc.iter_mut().zip(b) {
                *a = (*a).min(v);
            }
        }
        super::min_byte_scalar(&acc).min(super::min_byte_scalar(blocks.remainder()))
    }

    pub(super) fn depth_to_8_row(src: &[u8], depth: u32, y: usize, out: &mut [u8]) {
        let n = out.len().min(src.len() / 2);
        let end = n - n % 16;
        // SAFETY: AVX2 checked by `available`; blocks read src[2x..2x + 32] and write
        // out[x..x + 16] with x + 16 <= end <= min(out.len(), src.len() / 2).
        unsafe { depth8_avx2(src, depth, y, end, out) };
        depth_to_8_row_scalar(src, depth, y, end, out);
    }

    #[target_feature(enable = "avx2")]
    unsafe fn depth8_avx2(src: &[u8], depth: u32, y: usize, end: usize, out: &mut [u8]) {
        let mut bias = [0i16; 16];
        for (x, b) in bias.iter_mut().enumerate() {
            *b = (crate::pixel::bayer_bias(x, y) >> 8) as i16;
        }
        // SAFETY: `bias` is 16 words.
        let bias = unsafe { _mm256_loadu_si256(bias.as_ptr() as *const __m256i) };
        let mask = _mm256_set1_epi16(((1u32 << depth) - 1) as u16 as i16);
        let shift = _mm_cvtsi32_si128((16 - depth) as i32);
        let mut x = 0;
        while x < end {
            // SAFETY: see the caller.
            let v = unsafe { _mm256_loadu_si256(src.as_ptr().add(2 * x) as *const __m256i) };
            let v = _mm256_sll_epi16(_mm256_and_si256(v, mask), shift);
            // A saturated sum (>= 65536) maps to 255 either way.
            let v = _mm256_srli_epi16::<8>(_mm256_adds_epu16(v, bias));
            let b = _mm256_permute4x64_epi64::<0b1000>(_mm256_packus_epi16(v, v));
            // SAFETY: see the caller.
            unsafe {
                _mm_storeu_si128(
                    out.as_mut_ptr().add(x) as *mut __m128i,
                    _mm256_castsi256_si128(b),
                )
            };
            x += 16;
        }
    }

    /// The `pshufb` mask gathering, from 4 pixels of `lay`, R bytes into 0..4, G into 4..8,
    /// B into 8..12.
    fn rgb_shuffle(lay: RgbLayout) -> __m128i {
        let mut m = [-1i8; 16];
        for i in 0..4 {
            m[i] = (i * lay.step + lay.r) as i8;
            m[4 + i] = (i * lay.step + lay.g) as i8;
            m[8 + i] = (i * lay.step + lay.b) as i8;
        }
        // SAFETY: `m` is 16 bytes; SSE2 is part of x86-64.
        unsafe { _mm_loadu_si128(m.as_ptr() as *const __m128i) }
    }

    /// Bytes one 16-pixel block reads from `x * step`: four 16-byte loads, 4 pixels apart.
    fn rgb_block_bytes(step: usize) -> usize {
        12 * step + 16
    }

    /// R, G, B of 16 pixels at `p` as 16 bytes each.
    ///
    /// # Safety
    /// AVX2 available; `p[..rgb_block_bytes(step)]` readable.
    #[target_feature(enable = "avx2")]
    unsafe fn load_rgb16(p: *const u8, step: usize, shuf: __m128i) -> [__m128i; 3] {
        // SAFETY: see the function's contract.
        let v = unsafe {
            [
                _mm_loadu_si128(p as *const __m128i),
                _mm_loadu_si128(p.add(4 * step) as *const __m128i),
                _mm_loadu_si128(p.add(8 * step) as *const __m128i),
                _mm_loadu_si128(p.add(12 * step) as *const __m128i),
            ]
        };
        let v = v.map(|c| _mm_shuffle_epi8(c, shuf));
        // v[i] = [r x4, g x4, b x4, -] of pixels 4i..4i+4.
        let t0 = _mm_unpacklo_epi32(v[0], v[1]);
        let t1 = _mm_unpackhi_epi32(v[0], v[1]);
        let t2 = _mm_unpacklo_epi32(v[2], v[3]);
        let t3 = _mm_unpackhi_epi32(v[2], v[3]);
        [
            _mm_unpacklo_epi64(t0, t2),
            _mm_unpackhi_epi64(t0, t2),
            _mm_unpacklo_epi64(t1, t3),
        ]
    }

    /// Pairs two i16 coefficients into one 32-bit lane for `madd`.
    #[target_feature(enable = "avx2")]
    fn pair(a: i32, b: i32) -> __m256i {
        _mm256_set1_epi32((a & 0xffff) | (b << 16))
    }

    pub(super) fn rgb_to_y_row(k: &RgbCoeffs, src: &[u8], lay: RgbLayout, out: &mut [u8]) {
        let fits = |c: i32| i16::try_from(c).is_ok();
        let mut end = 0;
        if [k.ry, k.gy, k.by].into_iter().all(fits) {
            while end + 16 <= out.len() && end * lay.step + rgb_block_bytes(lay.step) <= src.len() {
                end += 16;
            }
        }
        // SAFETY: AVX2 checked by `available`; every block at x < end reads
        // src[x * step..x * step + rgb_block_bytes(step)] and writes out[x..x + 16], in bounds
        // by the loop above.
        unsafe { rgb_y_avx2(k, src, lay, end, out) };
        rgb_to_y_row_scalar(k, src, lay, end, out);
    }

    #[target_feature(enable = "avx2")]
    unsafe fn rgb_y_avx2(k: &RgbCoeffs, src: &[u8], lay: RgbLayout, end: usize, out: &mut [u8]) {
        let shuf = rgb_shuffle(lay);
        let crg = pair(k.ry, k.gy);
        let cb1 = pair(k.by, 1 << 14);
        let one = _mm256_set1_epi16(1);
        let yoff = _mm256_set1_epi16(k.yoff as i16);
        let mut x = 0;
        while x < end {
            // SAFETY: see the caller.
            let [r, g, b] = unsafe { load_rgb16(src.as_ptr().add(x * lay.step), lay.step, shuf) };
            let (r, g, b) = (
                _mm256_cvtepu8_epi16(r),
                _mm256_cvtepu8_epi16(g),
                _mm256_cvtepu8_epi16(b),
            );
            // In-lane halves: lo = pixels 0-3 | 8-11, hi = 4-7 | 12-15.
            let lo = _mm256_add_epi32(
                _mm256_madd_epi16(_mm256_unpacklo_epi16(r, g), crg),
                _mm256_madd_epi16(_mm256_unpacklo_epi16(b, one), cb1),
            );
            let hi = _mm256_add_epi32(
                _mm256_madd_epi16(_mm256_unpackhi_epi16(r, g), crg),
                _mm256_madd_epi16(_mm256_unpackhi_epi16(b, one), cb1),
            );
            let y16 = _mm256_packs_epi32(_mm256_srai_epi32::<15>(lo), _mm256_srai_epi32::<15>(hi));
            let y16 = _mm256_adds_epi16(y16, yoff);
            let y8 = _mm256_permute4x64_epi64::<0b1000>(_mm256_packus_epi16(y16, y16));
            // SAFETY: see the caller.
            unsafe {
                _mm_storeu_si128(
                    out.as_mut_ptr().add(x) as *mut __m128i,
                    _mm256_castsi256_si128(y8),
                )
            };
            x += 16;
        }
    }

    pub(super) fn rgb_to_uv420_row(
        k: &RgbCoeffs,
        r0: &[u8],
        r1: &[u8],
        w: usize,
        lay: RgbLayout,
        u: &mut [u8],
        v: &mut [u8],
    ) {
        // Blocks of 16 full pixel pairs (8 chroma samples) inside the line.
        let mut end = 0;
        let cw = w.div_ceil(2).min(u.len()).min(v.len());
        let bytes = |c: usize| 2 * c * lay.step + rgb_block_bytes(lay.step);
        while end + 8 <= cw && 2 * (end + 8) <= w && bytes(end) <= r0.len().min(r1.len()) {
            end += 8;
        }
        // SAFETY: AVX2 checked by `available`; each block at chroma cx < end reads
        // r0/r1[2cx * step..2cx * step + rgb_block_bytes(step)] and writes u/v[cx..cx + 8],
        // in bounds by the loop above.
        unsafe { rgb_uv_avx2(k, r0, r1, lay, end, u, v) };
        rgb_to_uv420_row_scalar(k, r0, r1, w, lay, end, u, v);
    }

    #[target_feature(enable = "avx2")]
    unsafe fn rgb_uv_avx2(
        k: &RgbCoeffs,
        r0: &[u8],
        r1: &[u8],
        lay: RgbLayout,
        end: usize,
        u: &mut [u8],
        v: &mut [u8],
    ) {
        let shuf = rgb_shuffle(lay);
        let one = _mm256_set1_epi16(1);
        let c = |x: i32| _mm256_set1_epi32(x);
        let (ru, gu, bu) = (c(k.ru), c(k.gu), c(k.bu));
        let (rv, gv, bv) = (c(k.rv), c(k.gv), c(k.bv));
        let round = c(1 << 16);
        let c128 = c(128);
        let mut cx = 0;
        while cx < end {
            let o = 2 * cx * lay.step;
            // SAFETY: see the caller.
            let (a, b) = unsafe {
                (
                    load_rgb16(r0.as_ptr().add(o), lay.step, shuf),
                    load_rgb16(r1.as_ptr().add(o), lay.step, shuf),
                )
            };
            // 2x2 sums per channel, 8 x i32 in order.
            let sum = |i: usize| {
                let s = _mm256_add_epi16(_mm256_cvtepu8_epi16(a[i]), _mm256_cvtepu8_epi16(b[i]));
                _mm256_madd_epi16(s, one)
            };
            let (sr, sg, sb) = (sum(0), sum(1), sum(2));
            let dot = |cr, cg, cb| {
                let t = _mm256_add_epi32(
                    _mm256_add_epi32(_mm256_mullo_epi32(sr, cr), _mm256_mullo_epi32(sg, cg)),
                    _mm256_add_epi32(_mm256_mullo_epi32(sb, cb), round),
                );
                _mm256_add_epi32(_mm256_srai_epi32::<17>(t), c128)
            };
            let uu = dot(ru, gu, bu);
            let vv = dot(rv, gv, bv);
            // [u0-3 v0-3 | u4-7 v4-7] -> [u0-7 | v0-7] -> bytes.
            let w16 = _mm256_permute4x64_epi64::<0b11_01_10_00>(_mm256_packs_epi32(uu, vv));
            let b8 = _mm256_packus_epi16(w16, w16);
            // SAFETY: see the caller.
            unsafe {
                _mm_storel_epi64(
                    u.as_mut_ptr().add(cx) as *mut __m128i,
                    _mm256_castsi256_si128(b8),
                );
                _mm_storel_epi64(
                    v.as_mut_ptr().add(cx) as *mut __m128i,
                    _mm256_extracti128_si256::<1>(b8),
                );
            }
            cx += 8;
        }
    }

    pub(super) fn vscale8(ring: &[i16], rows: &[usize], line: usize, coef: &[i16], out: &mut [u8]) {
        let n = line.min(out.len());
        for &r in rows {
            assert!(r + line <= ring.len());
        }
        let mut x = 0;
        // SAFETY: AVX2 checked by `available`; loads read ring[r + x .. r + x + 16] with
        // x + 16 <= line and r + line <= ring.len() (asserted above); stores write out[x..x + 16].
        unsafe {
            if rows.len() <= 16 && coef.len() >= rows.len() {
                x = n - n % 16;
                vscale8_few(ring, rows, coef, x, out);
            } else {
                while x + 16 <= n {
                    vscale8_16(ring, rows, coef, x, out);
                    x += 16;
                }
            }
        }
        vscale8_scalar(ring, rows, line, coef, x, out);
    }

    /// Up to 16 taps: row pointers and coefficient pairs set up once per line; an odd last
    /// tap is paired with itself under a zero coefficient.
    #[target_feature(enable = "avx2")]
    unsafe fn vscale8_few(ring: &[i16], rows: &[usize], coef: &[i16], end: usize, out: &mut [u8]) {
        let np = rows.len().div_ceil(2);
        let p = ring.as_ptr();
        let mut ptr = [(p, p); 8];
        let mut cpair = [_mm256_setzero_si256(); 8];
        for i in 0..np {
            let (k0, k1) = (2 * i, (2 * i + 1).min(rows.len() - 1));
            let c1 = if 2 * i + 1 < rows.len() { coef[k1] } else { 0 };
            // SAFETY: offsets of rows inside `ring` (see the caller); nothing is read here.
            ptr[i] = unsafe { (p.add(rows[k0]), p.add(rows[k1])) };
            cpair[i] = _mm256_set1_epi32((i32::from(coef[k0]) & 0xffff) | (i32::from(c1) << 16));
        }
        let bias = _mm256_set1_epi32(1 << 20);
        let mut x = 0;
        while x < end {
            let mut lo = bias;
            let mut hi = bias;
            for (&(ra, rb), &c) in ptr[..np].iter().zip(&cpair[..np]) {
                // SAFETY: see the caller (x + 16 <= line, r + line <= ring.len()).
                let (a, b) = unsafe {
                    (
                        _mm256_loadu_si256(ra.add(x) as *const __m256i),
                        _mm256_loadu_si256(rb.add(x) as *const __m256i),
                    )
                };
                lo = _mm256_add_epi32(lo, _mm256_madd_epi16(_mm256_unpacklo_epi16(a, b), c));
                hi = _mm256_add_epi32(hi, _mm256_madd_epi16(_mm256_unpackhi_epi16(a, b), c));
            }
            let w = _mm256_packs_epi32(_mm256_srai_epi32::<21>(lo), _mm256_srai_epi32::<21>(hi));
            let b = _mm256_permute4x64_epi64::<0b1000>(_mm256_packus_epi16(w, w));
            // SAFETY: x + 16 <= end <= out.len() (see the caller).
            unsafe {
                _mm_storeu_si128(
                    out.as_mut_ptr().add(x) as *mut __m128i,
                    _mm256_castsi256_si128(b),
                )
            };
            x += 16;
        }
    }

    #[target_feature(enable = "avx2")]
    unsafe fn vscale8_16(ring: &[i16], rows: &[usize], coef: &[i16], x: usize, out: &mut [u8]) {
        let mut lo = _mm256_set1_epi32(1 << 20);
        let mut hi = lo;
        let p = ring.as_ptr();
        let mut k = 0;
        while k < rows.len() {
            // SAFETY: see the caller.
            let a = unsafe { _mm256_loadu_si256(p.add(rows[k] + x) as *const __m256i) };
            let (b, cb) = if k + 1 < rows.len() {
                // SAFETY: see the caller.
                (
                    unsafe { _mm256_loadu_si256(p.add(rows[k + 1] + x) as *const __m256i) },
                    coef[k + 1],
                )
            } else {
                (_mm256_setzero_si256(), 0)
            };
            let c = _mm256_set1_epi32((i32::from(coef[k]) & 0xffff) | (i32::from(cb) << 16));
            lo = _mm256_add_epi32(lo, _mm256_madd_epi16(_mm256_unpacklo_epi16(a, b), c));
            hi = _mm256_add_epi32(hi, _mm256_madd_epi16(_mm256_unpackhi_epi16(a, b), c));
            k += 2;
        }
        let lo = _mm256_srai_epi32::<21>(lo);
        let hi = _mm256_srai_epi32::<21>(hi);
        let w = _mm256_packs_epi32(lo, hi);
        let b = _mm256_packus_epi16(w, w);
        let b = _mm256_permute4x64_epi64::<0b1000>(b);
        // SAFETY: x + 16 <= out.len() (see the caller).
        unsafe {
            _mm_storeu_si128(
                out.as_mut_ptr().add(x) as *mut __m128i,
                _mm256_castsi256_si128(b),
            )
        };
    }

    pub(super) fn yuv_to_rgb_row(
        k: &YuvCoeffs,
        y: &[u8],
        u: &[u8],
        v: &[u8],
        cw: u8,
        lay: RgbLayout,
        out: &mut [u8],
    ) {
        let w = out.len() / lay.step;
        // 3-byte pixels are stored with overlapping 16-byte writes reaching 4 bytes past
        // the block: keep 2 pixels of slack.
        let slack = if lay.step == 3 { 2 } else { 0 };
        let mut end = 0;
        while end + 16 + slack <= w
            && end + 16 <= y.len()
            && (end >> cw) + (16 >> cw) <= u.len().min(v.len())
            && (end + 16 + slack) * lay.step <= out.len()
        {
            end += 16;
        }
        // SAFETY: AVX2 checked by `available`; `end` keeps every block's reads
        // (y[x..x + 16], u/v[(x >> cw)..+16 >> cw]) and writes (out[x * step..+16 * step + 4]) in bounds.
        unsafe { yuv_row_avx2(k, y, u, v, end, cw, lay, out) };
        yuv_to_rgb_row_scalar(k, y, u, v, cw, lay, end, out);
    }

    #[allow(clippy::too_many_arguments)]
    #[target_feature(enable = "avx2")]
    unsafe fn yuv_row_avx2(
        k: &YuvCoeffs,
        y: &[u8],
        u: &[u8],
        v: &[u8],
        end: usize,
        cw: u8,
        lay: RgbLayout,
        out: &mut [u8],
    ) {
        let yoff = _mm256_set1_epi16(k.yoff as i16);
        let c128 = _mm256_set1_epi16(128);
        let cy = _mm256_set1_epi16(k.cy as i16);
        let crv = _mm256_set1_epi16(k.crv as i16);
        let cgu = _mm256_set1_epi16(k.cgu as i16);
        let cgv = _mm256_set1_epi16(k.cgv as i16);
        let cbu = _mm256_set1_epi16(k.cbu as i16);
        let four = _mm256_set1_epi16(4);
        let alpha = _mm_set1_epi8(-1);
        let shuf3 = _mm_setr_epi8(0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, -1, -1, -1, -1);
        let mut x = 0;
        while x < end {
            let cx = x >> cw;
            // SAFETY: in bounds by the caller's `end`.
            let (yv, uv, vv) = unsafe {
                let yv = _mm_loadu_si128(y.as_ptr().add(x) as *const __m128i);
                let (uv, vv) = if cw == 1 {
                    let a = _mm_loadl_epi64(u.as_ptr().add(cx) as *const __m128i);
                    let b = _mm_loadl_epi64(v.as_ptr().add(cx) as *const __m128i);
                    (_mm_unpacklo_epi8(a, a), _mm_unpacklo_epi8(b, b))
                } else {
                    (
                        _mm_loadu_si128(u.as_ptr().add(cx) as *const __m128i),
                        _mm_loadu_si128(v.as_ptr().add(cx) as *const __m128i),
                    )
                };
                (yv, uv, vv)
            };
            let yw = _mm256_slli_epi16::<6>(_mm256_sub_epi16(_mm256_cvtepu8_epi16(yv), yoff));
            let uw = _mm256_slli_epi16::<6>(_mm256_sub_epi16(_mm256_cvtepu8_epi16(uv), c128));
            let vw = _mm256_slli_epi16::<6>(_mm256_sub_epi16(_mm256_cvtepu8_epi16(vv), c128));
            let yy = _mm256_add_epi16(_mm256_mulhi_epi16(yw, cy), four);
            let r = _mm256_srai_epi16::<3>(_mm256_add_epi16(yy, _mm256_mulhi_epi16(vw, crv)));
            let g = _mm256_srai_epi16::<3>(_mm256_sub_epi16(
                _mm256_sub_epi16(yy, _mm256_mulhi_epi16(uw, cgu)),
                _mm256_mulhi_epi16(vw, cgv),
            ));
            let b = _mm256_srai_epi16::<3>(_mm256_add_epi16(yy, _mm256_mulhi_epi16(uw, cbu)));
            // Saturate to bytes, in pixel order.
            macro_rules! pack {
                ($t:expr) => {
                    _mm256_castsi256_si128(_mm256_permute4x64_epi64::<0b1000>(_mm256_packus_epi16(
                        $t, $t,
                    )))
                };
            }
            let mut ch = [alpha; 4];
            ch[lay.r] = pack!(r);
            ch[lay.g] = pack!(g);
            ch[lay.b] = pack!(b);
            let lo01 = _mm_unpacklo_epi8(ch[0], ch[1]);
            let hi01 = _mm_unpackhi_epi8(ch[0], ch[1]);
            let lo23 = _mm_unpacklo_epi8(ch[2], ch[3]);
            let hi23 = _mm_unpackhi_epi8(ch[2], ch[3]);
            let px = [
                _mm_unpacklo_epi16(lo01, lo23),
                _mm_unpackhi_epi16(lo01, lo23),
                _mm_unpacklo_epi16(hi01, hi23),
                _mm_unpackhi_epi16(hi01, hi23),
            ];
            // SAFETY: writes stay within out[x * step..x * step + 16 * step + 4] (see the caller).
            unsafe {
                let o = out.as_mut_ptr().add(x * lay.step);
                if lay.step == 4 {
                    for (i, p) in px.iter().enumerate() {
                        _mm_storeu_si128(o.add(16 * i) as *mut __m128i, *p);
                    }
                } else {
                    for (i, p) in px.iter().enumerate() {
                        _mm_storeu_si128(
                            o.add(12 * i) as *mut __m128i,
                            _mm_shuffle_epi8(*p, shuf3),
                        );
                    }
                }
            }
            x += 16;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::colorspace::{Coeffs, Matrix};
    use crate::filter::{Kernel, build};

    fn rng(seed: &mut u64) -> u8 {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (*seed >> 56) as u8
    }

    const RGB24: RgbLayout = RgbLayout {
        step: 3,
        r: 0,
        g: 1,
        b: 2,
        a: None,
    };
    const BGRA: RgbLayout = RgbLayout {
        step: 4,
        r: 2,
        g: 1,
        b: 0,
        a: Some(3),
    };
    const ARGB: RgbLayout = RgbLayout {
        step: 4,
        r: 1,
        g: 2,
        b: 3,
        a: Some(0),
    };

    #[test]
    fn min_byte_agrees() {
        let mut seed = 7;
        for n in [0, 1, 31, 127, 128, 129, 1920, 4099] {
            for floor in [0u8, 16, 200] {
                let row: Vec<u8> = (0..n).map(|_| rng(&mut seed).max(floor)).collect();
                let expect = row.iter().copied().min().unwrap_or(255);
                assert_eq!(min_byte_scalar(&row), expect);
                assert_eq!(min_byte(available(), &row), expect, "n {n}");
            }
        }
    }

    #[test]
    fn q13_simd_matches_scalar_twin() {
        if !q13_simd_available() {
            return;
        }
        let mut s = 3u64;
        let rgba = RgbLayout {
            step: 4,
            r: 0,
            g: 1,
            b: 2,
            a: Some(3),
        };
        for (kr, kb) in [(0.299f32, 0.114f32), (0.2126, 0.0722), (0.212, 0.087)] {
            for full in [false, true] {
                let Some(k) = Q13Coeffs::new(full, kr, kb) else {
                    panic!("coefficients");
                };
                for lay in [RGB24, BGRA, rgba] {
                    let t = PackTables::new(lay);
                    for w in [1usize, 2, 31, 63, 64, 65, 127, 128, 129, 200, 1920, 1923] {
                        let cw = w.div_ceil(2);
                        // Lines with and without luma below 16.
                        let floor = if w % 2 == 0 { 16 } else { 0 };
                        let y0: Vec<u8> = (0..w).map(|_| rng(&mut s).max(floor)).collect();
                        let y1: Vec<u8> = (0..w).map(|_| rng(&mut s).max(16)).collect();
                        let u: Vec<u8> = (0..cw).map(|_| rng(&mut s)).collect();
                        let v: Vec<u8> = (0..cw).map(|_| rng(&mut s)).collect();
                        let n = w * lay.step;
                        // One byte of slack: nothing may be written past the line.
                        let (mut a0, mut a1) = (vec![7u8; n + 1], vec![7u8; n + 1]);
                        let (mut b0, mut b1) = (vec![7u8; n + 1], vec![7u8; n + 1]);
                        let fa = yuv420_q13_rows(
                            true,
                            &k,
                            &t,
                            w,
                            &y0,
                            Some(&y1),
                            &u,
                            &v,
                            &mut a0,
                            Some(&mut a1),
                        );
                        let f0 = yuv420_q13_row_scalar(&k, lay, w, &y0, &u, &v, &mut b0);
                        let f1 = yuv420_q13_row_scalar(&k, lay, w, &y1, &u, &v, &mut b1);
                        assert_eq!((&a0, &a1), (&b0, &b1), "{lay:?} {w} full {full}");
                        assert_eq!(fa, f0 || f1, "{lay:?} {w} full {full}: luma below bias");
                        let mut c0 = vec![7u8; n + 1];
                        let fc = yuv420_q13_rows(true, &k, &t, w, &y1, None, &u, &v, &mut c0, None);
                        assert_eq!((c0, fc), (b1, f1), "one line: {lay:?} {w} full {full}");
                    }
                }
            }
        }
    }

    #[test]
    fn simd_kernels_match_scalar_twins() {
        if !available() {
            return;
        }
        let mut s = 1u64;
        for (sw, dw) in [
            (1920, 1280),
            (960, 640),
            (1280, 1920),
            (37, 100),
            (100, 37),
            (64, 64),
            (9, 3),
            (300, 200),
        ] {
            for k in [
                Kernel::Bilinear,
                Kernel::Bicubic { b: 0.0, c: 0.6 },
                Kernel::Lanczos { a: 3.0 },
                Kernel::Lanczos { a: 2.0 },
                Kernel::Gauss { p: 3.0 },
                Kernel::Area,
                Kernel::Point,
            ] {
                let f = build(k, sw, dw, 128, 128);
                if (sw, dw, k) == (1920, 1280, Kernel::Bilinear) {
                    // The shuffled 4-tap path is exercised.
                    assert!(f.size <= 4 && f.fit_shuf >= 1200, "{}", f.fit_shuf);
                }
                if (sw, dw) == (1920, 1280) && matches!(k, Kernel::Bicubic { .. }) {
                    // The shuffled 5-8 tap path is exercised.
                    assert!(f.size > 4 && f.fit_shuf8 >= 1200, "{}", f.fit_shuf8);
                }
                let src: Vec<u8> = (0..sw).map(|_| rng(&mut s)).collect();
                let mut a = vec![0i16; dw];
                let mut b = vec![0i16; dw];
                hscale8(true, &src, 1, &f, sw, &mut a);
                hscale8_scalar(&src, 1, &f, 0, &mut b);
                assert_eq!(a, b, "hscale {sw}->{dw} {k:?}");
                for ch in [3, 4] {
                    let src: Vec<u8> = (0..sw * ch).map(|_| rng(&mut s)).collect();
                    let mut pa = vec![0i16; dw * ch];
                    let mut pb = vec![0i16; dw * ch];
                    hscale8(true, &src, ch, &f, sw, &mut pa);
                    hscale8_scalar(&src, ch, &f, 0, &mut pb);
                    assert_eq!(pa, pb, "hscale ch {ch} {sw}->{dw} {k:?}");
                }
                // Vertical over lines of these intermediates.
                let line = dw;
                let taps = f.size.clamp(1, 7);
                let ring: Vec<i16> = (0..taps * line)
                    .map(|i| b[i % dw].wrapping_add((i / dw) as i16 * 97))
                    .collect();
                let rows: Vec<usize> = (0..taps).map(|t| t * line).collect();
                let coef: Vec<i16> = (0..taps)
                    .map(|t| [16384i16, -3000, 9000, 200, -77, 5000, 1][t])
                    .collect();
                let mut oa = vec![0u8; line];
                let mut ob = vec![0u8; line];
                vscale8(true, &ring, &rows, line, &coef, &mut oa);
                vscale8_scalar(&ring, &rows, line, &coef, 0, &mut ob);
                assert_eq!(oa, ob, "vscale {taps} taps");
            }
        }
        for m in [Matrix::Bt601, Matrix::Bt709, Matrix::Bt2020] {
            for full in [false, true] {
                let c = Colors {
                    src_full: true,
                    dst_full: full,
                    src: Coeffs::new(m, true),
                    dst: Coeffs::new(m, full),
                };
                let k = RgbCoeffs::from_colors(&c);
                for lay in [RGB24, BGRA, ARGB] {
                    for w in [1usize, 15, 16, 17, 31, 32, 33, 77, 1920] {
                        let r0: Vec<u8> = (0..w * lay.step).map(|_| rng(&mut s)).collect();
                        let r1: Vec<u8> = (0..w * lay.step).map(|_| rng(&mut s)).collect();
                        let mut a = vec![0u8; w];
                        let mut b = vec![0u8; w];
                        rgb_to_y_row(true, &k, &r0, lay, &mut a);
                        rgb_to_y_row_scalar(&k, &r0, lay, 0, &mut b);
                        assert_eq!(a, b, "y {m:?} {full} {lay:?} {w}");
                        let cw = w.div_ceil(2);
                        let (mut ua, mut va, mut ub, mut vb) =
                            (vec![0; cw], vec![0; cw], vec![0; cw], vec![0; cw]);
                        rgb_to_uv420_row(true, &k, &r0, &r1, w, lay, &mut ua, &mut va);
                        rgb_to_uv420_row_scalar(&k, &r0, &r1, w, lay, 0, &mut ub, &mut vb);
                        assert_eq!((ua, va), (ub, vb), "uv {m:?} {full} {lay:?} {w}");
                    }
                }
            }
        }
        for depth in 9..=16 {
            for w in [1usize, 15, 16, 17, 77, 960] {
                let src: Vec<u8> = (0..2 * w).map(|_| rng(&mut s)).collect();
                for y in 0..9 {
                    let mut a = vec![0u8; w];
                    let mut b = vec![0u8; w];
                    depth_to_8_row(true, &src, depth, y, &mut a);
                    depth_to_8_row_scalar(&src, depth, y, 0, &mut b);
                    assert_eq!(a, b, "depth {depth} w {w} y {y}");
                }
            }
        }
        for m in [Matrix::Bt601, Matrix::Bt709, Matrix::Bt2020] {
            for full in [false, true] {
                let c = Colors {
                    src_full: full,
                    dst_full: true,
                    src: Coeffs::new(m, full),
                    dst: Coeffs::new(m, true),
                };
                let k = YuvCoeffs::from_colors(&c);
                let w = 77;
                let y: Vec<u8> = (0..w).map(|_| rng(&mut s)).collect();
                let u: Vec<u8> = (0..w).map(|_| rng(&mut s)).collect();
                let v: Vec<u8> = (0..w).map(|_| rng(&mut s)).collect();
                for lay in [
                    RgbLayout {
                        step: 3,
                        r: 0,
                        g: 1,
                        b: 2,
                        a: None,
                    },
                    RgbLayout {
                        step: 4,
                        r: 2,
                        g: 1,
                        b: 0,
                        a: Some(3),
                    },
                    RgbLayout {
                        step: 4,
                        r: 1,
                        g: 2,
                        b: 3,
                        a: Some(0),
                    },
                ] {
                    for cw in [0u8, 1] {
                        let mut a = vec![0u8; w * lay.step];
                        let mut b = vec![0u8; w * lay.step];
                        yuv_to_rgb_row(true, &k, &y, &u, &v, cw, lay, &mut a);
                        yuv_to_rgb_row_scalar(&k, &y, &u, &v, cw, lay, 0, &mut b);
                        assert_eq!(a, b, "{m:?} {full} {lay:?} {cw}");
                    }
                }
            }
        }
    }
}
