//! Fast paths for the hot conversions, with horizontal-band threading.
//!
//! Each path describes a frame as tasks (bands of lines of one or more
//! destination planes, see [`Work`]); with a rayon pool, all of a frame's tasks
//! go to the pool in one hand-off ([`run_work`]). Every path computes exactly
//! what its scalar kernel in [`crate::simd`] defines; SIMD versions are chosen
//! at run time and tested against those kernels.

use std::slice::ChunksMut;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use avutil::PixelFormat;
use rayon::prelude::*;

use crate::colorspace::Matrix;
use crate::filter::{FilterBank, Kernel, build};
use crate::flags::{Dither, ScaleFlags};
use crate::generic::Colors;
use crate::simd;
use crate::{Planes, Side, SrcPlanes};

/// Packed 8-bit RGB layout: bytes per pixel and offsets of R, G, B, alpha/padding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RgbLayout {
    pub step: usize,
    pub r: usize,
    pub g: usize,
    pub b: usize,
    /// Alpha or padding byte, written as 255.
    pub a: Option<usize>,
}

fn rgb_layout(fmt: PixelFormat) -> Option<RgbLayout> {
    use PixelFormat as P;
    let (step, r, g, b, a) = match fmt {
        P::Rgb24 => (3, 0, 1, 2, None),
        P::Bgr24 => (3, 2, 1, 0, None),
        P::Rgba | P::Rgb0 => (4, 0, 1, 2, Some(3)),
        P::Bgra | P::Bgr0 => (4, 2, 1, 0, Some(3)),
        P::Argb | P::Zrgb => (4, 1, 2, 3, Some(0)),
        P::Abgr | P::Zbgr => (4, 3, 2, 1, Some(0)),
        _ => return None,
    };
    Some(RgbLayout { step, r, g, b, a })
}

/// Lines per call of a `yuv` crate kernel (even: whole 4:2:0 chroma pairs).
const CRATE_CHUNK: usize = 16;

/// Packed layouts the `yuv` crate writes (padding bytes as 255, like ours).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CrateOut {
    Rgb,
    Bgr,
    Rgba,
    Bgra,
}

fn crate_out(fmt: PixelFormat) -> Option<CrateOut> {
    use PixelFormat as P;
    Some(match fmt {
        P::Rgb24 => CrateOut::Rgb,
        P::Bgr24 => CrateOut::Bgr,
        P::Rgba | P::Rgb0 => CrateOut::Rgba,
        P::Bgra | P::Bgr0 => CrateOut::Bgra,
        _ => return None,
    })
}

fn crate_matrix(m: Matrix) -> yuv::YuvStandardMatrix {
    use yuv::YuvStandardMatrix as S;
    match m {
        Matrix::Bt601 => S::Bt601,
        Matrix::Bt709 => S::Bt709,
        Matrix::Bt2020 => S::Bt2020,
        // The crate's built-in SMPTE 240M table disagrees with its Kr/Kb (36 codes off on a
        // test picture): computed from the constants instead, as for FCC.
        Matrix::Smpte240m | Matrix::Fcc => {
            let (kr, kb) = m.kr_kb();
            S::Custom(kr as f32, kb as f32)
        }
    }
}

/// One band of 8-bit planar YUV to packed RGB through the `yuv` crate (nearest chroma,
/// as ours and FFmpeg's unscaled converter).
#[derive(Debug, Clone)]
struct CrateJob {
    out: CrateOut,
    cw: u8,
    ch: u8,
    range: yuv::YuvRange,
    matrix: yuv::YuvStandardMatrix,
    /// Our AVX-512 kernel in the crate's arithmetic, for 4:2:0 line pairs (same bytes).
    q13: Option<(simd::Q13Coeffs, simd::PackTables)>,
}

/// Our AVX-512 twin of the `yuv` crate's 4:2:0 kernel, where the CPU has it.
fn q13_job(
    cw: u8,
    ch: u8,
    full: bool,
    m: Matrix,
    lay: RgbLayout,
) -> Option<(simd::Q13Coeffs, simd::PackTables)> {
    if (cw, ch) != (1, 1) || !simd::q13_simd_available() {
        return None;
    }
    let (kr, kb) = m.kr_kb();
    Some((
        simd::Q13Coeffs::new(full, kr as f32, kb as f32)?,
        simd::PackTables::new(lay),
    ))
}

impl CrateJob {
    /// Lines `y0..y0 + rows` (`y0` on a chroma line boundary, `rows` <= 32) into `out`;
    /// `None` if the crate refused (the caller then uses our kernel), else the pairs of
    /// lines `y0 + 2j..y0 + 2j + 2` (bit `j`) holding limited-range luma below 16.
    fn rows(
        &self,
        sp: &SrcPlanes<'_>,
        w: usize,
        y0: usize,
        rows: usize,
        out: &mut [u8],
        stride: usize,
    ) -> Option<u32> {
        use CrateOut as O;
        let limited = self.range == yuv::YuvRange::Limited;
        let cy0 = y0 >> self.ch;
        if let Some((k, t)) = &self.q13 {
            // Line pairs with our kernel; a last single line (odd height) stays the crate's.
            let pairs = rows / 2;
            let mut dirty = 0;
            for i in 0..pairs {
                let (y, o) = (y0 + 2 * i, 2 * i * stride);
                let (a, b) = out[o..].split_at_mut(stride);
                let below = simd::yuv420_q13_rows(
                    true,
                    k,
                    t,
                    w,
                    sp.row(0, y),
                    Some(sp.row(0, y + 1)),
                    sp.row(1, y / 2),
                    sp.row(2, y / 2),
                    a,
                    Some(b),
                );
                dirty |= u32::from(limited && below) << i;
            }
            if rows.is_multiple_of(2) {
                return Some(dirty);
            }
            let job = CrateJob {
                q13: None,
                ..self.clone()
            };
            let o = 2 * pairs * stride;
            let last = job.rows(sp, w, y0 + 2 * pairs, 1, &mut out[o..], stride)?;
            return Some(dirty | last << pairs);
        }
        let conv = |x: usize| u32::try_from(x).ok();
        let (Some(ys), Some(us), Some(vs), Some(w32), Some(h32), Some(os)) = (
            conv(sp.stride(0)),
            conv(sp.stride(1)),
            conv(sp.stride(2)),
            conv(w),
            conv(rows),
            conv(stride),
        ) else {
            return None;
        };
        let img = yuv::YuvPlanarImage {
            y_plane: &sp.plane(0)[y0 * sp.stride(0)..],
            y_stride: ys,
            u_plane: &sp.plane(1)[cy0 * sp.stride(1)..],
            u_stride: us,
            v_plane: &sp.plane(2)[cy0 * sp.stride(2)..],
            v_stride: vs,
            width: w32,
            height: h32,
        };
        let (r, m) = (self.range, self.matrix);
        let res = match (self.cw, self.ch, self.out) {
            (1, 1, O::Rgb) => yuv::yuv420_to_rgb(&img, out, os, r, m),
            (1, 1, O::Bgr) => yuv::yuv420_to_bgr(&img, out, os, r, m),
            (1, 1, O::Rgba) => yuv::yuv420_to_rgba(&img, out, os, r, m),
            (1, 1, O::Bgra) => yuv::yuv420_to_bgra(&img, out, os, r, m),
            (1, 0, O::Rgb) => yuv::yuv422_to_rgb(&img, out, os, r, m),
            (1, 0, O::Bgr) => yuv::yuv422_to_bgr(&img, out, os, r, m),
            (1, 0, O::Rgba) => yuv::yuv422_to_rgba(&img, out, os, r, m),
            (1, 0, O::Bgra) => yuv::yuv422_to_bgra(&img, out, os, r, m),
            (0, 0, O::Rgb) => yuv::yuv444_to_rgb(&img, out, os, r, m),
            (0, 0, O::Bgr) => yuv::yuv444_to_bgr(&img, out, os, r, m),
            (0, 0, O::Rgba) => yuv::yuv444_to_rgba(&img, out, os, r, m),
            (0, 0, O::Bgra) => yuv::yuv444_to_bgra(&img, out, os, r, m),
            _ => return None,
        };
        res.ok()?;
        let mut dirty = 0;
        if limited {
            for j in 0..rows.div_ceil(2) {
                let below = (y0 + 2 * j..(y0 + 2 * j + 2).min(y0 + rows))
                    .any(|y| simd::min_byte(true, &sp.row(0, y)[..w]) < 16);
                dirty |= u32::from(below) << j;
            }
        }
        Some(dirty)
    }
}

#[derive(Debug)]
struct PlaneScale {
    src_w: usize,
    dst_w: usize,
    dst_h: usize,
    ch: usize,
    h: FilterBank,
    v: FilterBank,
}

/// Per-band scratch. Aligned to 128 bytes so that the bands' headers (written per line by
/// different threads) do not share a cache line: false sharing halved the 2-thread speed.
#[derive(Debug, Default)]
#[repr(align(128))]
struct Band {
    ring: Vec<i16>,
    tags: Vec<i64>,
    rows: Vec<usize>,
}

#[derive(Debug)]
enum Kind {
    Copy,
    Scale8(Vec<PlaneScale>),
    YuvToRgb {
        cw: u8,
        ch: u8,
        out: RgbLayout,
        /// The `yuv` crate's kernel for this layout, if it has one.
        krate: Option<CrateOut>,
    },
    RgbToYuv420 {
        inp: RgbLayout,
    },
    Yuv420ToNv {
        swap: bool,
    },
    Depth8 {
        depth: u32,
    },
}

/// A chosen fast path and its scratch.
#[derive(Debug)]
pub(crate) struct Fast {
    kind: Kind,
    src: Side,
    dst: Side,
    bands: Vec<Band>,
    dither: Dither,
    simd: bool,
}

fn planar8(fmt: PixelFormat) -> bool {
    let d = fmt.descriptor();
    d.is_planar()
        && d.elem_bytes == 1
        && d.components()
            .iter()
            .all(|c| c.step == 1 && c.depth == 8 && c.shift == 0)
}

impl Fast {
    pub(crate) fn new(
        s: &Side,
        d: &Side,
        f: &ScaleFlags,
        sit: [(i64, i64); 2],
        threads: usize,
    ) -> Option<Fast> {
        use PixelFormat as P;
        let same_size = s.w == d.w && s.h == d.h;
        let sd = s.fmt.descriptor();
        let kind = if s.fmt == d.fmt && same_size {
            Kind::Copy
        } else if s.fmt == d.fmt
            && (planar8(s.fmt) || rgb_layout(s.fmt).is_some() || s.fmt == P::Gray)
        {
            let mut planes = Vec::new();
            for p in 0..s.nplanes {
                let chroma = (p == 1 || p == 2) && !sd.is_rgb();
                let ch = if rgb_layout(s.fmt).is_some() {
                    sd.comp[0].step as usize
                } else {
                    1
                };
                let sw = if chroma {
                    s.w.div_ceil(1 << sd.log2_chroma_w)
                } else {
                    s.w
                };
                let sh = s.rows[p];
                let dw = if chroma {
                    d.w.div_ceil(1 << sd.log2_chroma_w)
                } else {
                    d.w
                };
                let dh = d.rows[p];
                let k = Kernel::of(f.filter, f.param, chroma);
                let (oh, ov) = if chroma {
                    (
                        if sd.log2_chroma_w > 0 { sit[0].0 } else { 128 },
                        if sd.log2_chroma_h > 0 { sit[0].1 } else { 128 },
                    )
                } else {
                    (128, 128)
                };
                let (dh_o, dv_o) = if chroma {
                    (
                        if sd.log2_chroma_w > 0 { sit[1].0 } else { 128 },
                        if sd.log2_chroma_h > 0 { sit[1].1 } else { 128 },
                    )
                } else {
                    (128, 128)
                };
                planes.push(PlaneScale {
                    src_w: sw,
                    dst_w: dw,
                    dst_h: dh,
                    ch,
                    h: build(k, sw, dw, oh, dh_o),
                    v: build(k, sh, dh, ov, dv_o),
                });
            }
            Kind::Scale8(planes)
        } else if same_size
            && matches!(s.fmt, P::Yuv420p | P::Yuvj420p | P::Yuv422p | P::Yuvj422p | P::Yuv444p | P::Yuvj444p)
            && rgb_layout(d.fmt).is_some()
            // FFmpeg's unscaled YUV->RGB converter (chroma replicated) is used unless
            // accurate_rnd is set, whatever full_chroma_int says (observed with 5.1).
            && !f.accurate_rnd
        {
            Kind::YuvToRgb {
                cw: sd.log2_chroma_w,
                ch: sd.log2_chroma_h,
                out: rgb_layout(d.fmt)?,
                krate: crate_out(d.fmt),
            }
        } else if same_size
            && rgb_layout(s.fmt).is_some()
            && matches!(d.fmt, P::Yuv420p | P::Yuvj420p)
            && !f.full_chroma_inp
            && !f.accurate_rnd
        {
            Kind::RgbToYuv420 {
                inp: rgb_layout(s.fmt)?,
            }
        } else if same_size
            && matches!(s.fmt, P::Yuv420p | P::Yuvj420p)
            && matches!(d.fmt, P::Nv12 | P::Nv21)
        {
            Kind::Yuv420ToNv {
                swap: d.fmt == P::Nv21,
            }
        } else if same_size
            && matches!(
                (s.fmt, d.fmt),
                (
                    P::Yuv420p9le
                        | P::Yuv420p10le
                        | P::Yuv420p12le
                        | P::Yuv420p14le
                        | P::Yuv420p16le,
                    P::Yuv420p
                ) | (
                    P::Yuv422p9le
                        | P::Yuv422p10le
                        | P::Yuv422p12le
                        | P::Yuv422p14le
                        | P::Yuv422p16le,
                    P::Yuv422p
                ) | (
                    P::Yuv444p9le
                        | P::Yuv444p10le
                        | P::Yuv444p12le
                        | P::Yuv444p14le
                        | P::Yuv444p16le,
                    P::Yuv444p
                )
            )
            && matches!(f.dither, Dither::Auto | Dither::Bayer)
        {
            Kind::Depth8 {
                depth: u32::from(sd.comp[0].depth),
            }
        } else {
            return None;
        };
        let nb = threads.max(1);
        let mut bands: Vec<Band> = (0..nb).map(|_| Band::default()).collect();
        if let Kind::Scale8(planes) = &kind {
            let ring = planes
                .iter()
                .map(|p| p.v.size * p.dst_w * p.ch)
                .max()
                .unwrap_or(0);
            let taps = planes.iter().map(|p| p.v.size).max().unwrap_or(0);
            for b in &mut bands {
                b.ring = vec![0; ring];
                b.tags = vec![-1; taps];
                b.rows = Vec::with_capacity(taps);
            }
        }
        Some(Fast {
            kind,
            src: s.clone(),
            dst: d.clone(),
            bands,
            dither: f.dither,
            simd: !f.bitexact && simd::available(),
        })
    }

    pub(crate) fn name(&self) -> &'static str {
        match self.kind {
            Kind::Copy => "fast:copy",
            Kind::Scale8(_) => "fast:scale8",
            Kind::YuvToRgb { .. } => "fast:yuv2rgb",
            Kind::RgbToYuv420 { .. } => "fast:rgb2yuv420",
            Kind::Yuv420ToNv { .. } => "fast:yuv420-to-nv",
            Kind::Depth8 { .. } => "fast:depth-to-8",
        }
    }

    /// Runs the path; `false` if it cannot do these colours (the caller falls back).
    pub(crate) fn run<P: Planes>(
        &mut self,
        sp: &SrcPlanes<'_>,
        dst: &mut P,
        c: &Colors,
        pool: Option<&rayon::ThreadPool>,
    ) -> bool {
        let yuv_same_range = c.src_full == c.dst_full;
        let simd = self.simd;
        match &self.kind {
            Kind::Copy | Kind::Scale8(_) | Kind::Yuv420ToNv { .. } | Kind::Depth8 { .. }
                if !yuv_same_range =>
            {
                return false;
            }
            _ => {}
        }
        // Packed RGB -> yuv420p through the `yuv` crate where it has the layout (not with
        // `bitexact`, which asks for our scalar reference).
        if let (Kind::RgbToYuv420 { inp }, true) = (&self.kind, simd)
            && let Some(o) = crate_out_of(*inp)
            && self.crate_rgb_to_yuv420(o, sp, dst, c, pool)
        {
            return true;
        }
        let threads = if pool.is_some() { self.bands.len() } else { 1 };
        let dw = self.dst.w;
        let mut work = Work::new();
        match &self.kind {
            Kind::Copy => {
                let mut tl = [0usize; 4];
                let mut strides = [0usize; 4];
                for (p, (out, stride)) in dst.all_mut().into_iter().enumerate() {
                    if p >= self.dst.nplanes {
                        break;
                    }
                    let rows = self.dst.rows[p];
                    tl[p] = task_lines(rows, threads, ROW_TASKS);
                    strides[p] = stride;
                    work.add(rows.div_ceil(tl[p]), [(out, tl[p] * stride)]);
                }
                let (rows, line) = (self.dst.rows, self.dst.line_bytes);
                run_work(pool, &mut self.bands, work, &|p, b, [out, ..], _| {
                    let y0 = b * tl[p];
                    let n = tl[p].min(rows[p] - y0);
                    copy_lines(sp, p, y0, n, line[p], out, strides[p]);
                });
            }
            Kind::Scale8(planes) => {
                let mut tl = [0usize; 4];
                let mut strides = [0usize; 4];
                for (p, (out, stride)) in dst.all_mut().into_iter().enumerate() {
                    let Some(ps) = planes.get(p) else {
                        break;
                    };
                    tl[p] = task_lines(ps.dst_h, threads, SCALE_TASKS);
                    strides[p] = stride;
                    work.add(ps.dst_h.div_ceil(tl[p]), [(out, tl[p] * stride)]);
                }
                run_work(pool, &mut self.bands, work, &|p, b, [out, ..], band| {
                    let ps = &planes[p];
                    let stride = strides[p];
                    let line = ps.dst_w * ps.ch;
                    let y0 = b * tl[p];
                    let rows = tl[p].min(ps.dst_h - y0);
                    band.tags.iter_mut().for_each(|t| *t = -1);
                    let size = ps.v.size;
                    for (i, j) in (y0..y0 + rows).enumerate() {
                        let p0 = ps.v.pos[j] as usize;
                        band.rows.clear();
                        for r in p0..p0 + size {
                            let slot = r % size;
                            let lane = &mut band.ring[slot * line..(slot + 1) * line];
                            if band.tags[slot] != r as i64 {
                                simd::hscale8(simd, sp.row(p, r), ps.ch, &ps.h, ps.src_w, lane);
                                band.tags[slot] = r as i64;
                            }
                            band.rows.push(slot * line);
                        }
                        let coef = &ps.v.coef[j * size..(j + 1) * size];
                        simd::vscale8(
                            simd,
                            &band.ring,
                            &band.rows,
                            line,
                            coef,
                            &mut out[i * stride..i * stride + line],
                        );
                    }
                });
            }
            Kind::YuvToRgb {
                cw,
                ch,
                out: lay,
                krate,
            } => {
                let k = simd::YuvCoeffs::from_colors(c);
                let [(out, stride), ..] = dst.all_mut();
                let (cw, ch, lay) = (*cw, *ch, *lay);
                // The `yuv` crate's SIMD kernels where they apply (not with `bitexact`, which
                // asks for our scalar reference).
                let krate = krate.filter(|_| simd).map(|o| CrateJob {
                    out: o,
                    cw,
                    ch,
                    range: if c.src_full {
                        yuv::YuvRange::Full
                    } else {
                        yuv::YuvRange::Limited
                    },
                    matrix: crate_matrix(c.src.matrix),
                    q13: q13_job(cw, ch, c.src_full, c.src.matrix, lay),
                });
                let (w, h) = (dw, self.dst.h);
                let tl = task_lines(h, threads, ROW_TASKS);
                work.add(h.div_ceil(tl), [(out, tl * stride)]);
                run_work(pool, &mut self.bands, work, &|_, b, [out, ..], _| {
                    let y0 = b * tl;
                    let rows = tl.min(h - y0);
                    let ours = |from: usize, to: usize, out: &mut [u8]| {
                        for i in from..to {
                            let y = y0 + i;
                            let cy = y >> ch;
                            simd::yuv_to_rgb_row(
                                simd,
                                &k,
                                sp.row(0, y),
                                sp.row(1, cy),
                                sp.row(2, cy),
                                cw,
                                lay,
                                &mut out[i * stride..i * stride + w * lay.step],
                            );
                        }
                    };
                    let Some(job) = &krate else {
                        return ours(0, rows, out);
                    };
                    // A task that starts on the second line of a chroma pair: that line is
                    // ours, the rest the crate's, 16 lines per call (tasks start on even
                    // lines, so this is only a safeguard).
                    let skip = usize::from(ch > 0 && y0 & 1 == 1).min(rows);
                    ours(0, skip, out);
                    // The crate clamps limited-range luma below 16 to 16 (FFmpeg and ours
                    // do not: super-black with strong chroma differs by up to 20 codes).
                    // Each call reports the pairs of lines (from an even line, so the
                    // result does not depend on the split) holding such luma; they are
                    // redone with our kernel while still in cache.
                    let mut i = skip;
                    while i < rows {
                        let n = CRATE_CHUNK.min(rows - i);
                        match job.rows(sp, w, y0 + i, n, &mut out[i * stride..], stride) {
                            Some(dirty) => {
                                for j in 0..n.div_ceil(2) {
                                    if dirty >> j & 1 == 1 {
                                        ours(i + 2 * j, (i + 2 * j + 2).min(i + n), out);
                                    }
                                }
                            }
                            None => ours(i, i + n, out),
                        }
                        i += n;
                    }
                });
            }
            Kind::RgbToYuv420 { inp } => {
                let k = simd::RgbCoeffs::from_colors(c);
                let inp = *inp;
                let (w, h) = (dw, self.dst.h);
                let (cwid, chh) = (w.div_ceil(2), h.div_ceil(2));
                let [(yo, ys), (uo, us), (vo, vs), _] = dst.all_mut();
                let tl = task_lines(h, threads, ROW_TASKS);
                let tc = task_lines(chh, threads, ROW_TASKS);
                work.add(h.div_ceil(tl), [(yo, tl * ys)]);
                work.add(chh.div_ceil(tc), [(uo, tc * us), (vo, tc * vs)]);
                run_work(pool, &mut self.bands, work, &|g, b, [o0, o1, _], _| {
                    if g == 0 {
                        let y0 = b * tl;
                        for i in 0..tl.min(h - y0) {
                            let row = &mut o0[i * ys..i * ys + w];
                            simd::rgb_to_y_row(simd, &k, sp.row(0, y0 + i), inp, row);
                        }
                        return;
                    }
                    let c0 = b * tc;
                    for i in 0..tc.min(chh - c0) {
                        let cy = c0 + i;
                        let r0 = sp.row(0, 2 * cy);
                        let r1 = sp.row(0, (2 * cy + 1).min(h - 1));
                        // Group 1's outputs: U, V.
                        let (u, v) = (
                            &mut o0[i * us..i * us + cwid],
                            &mut o1[i * vs..i * vs + cwid],
                        );
                        simd::rgb_to_uv420_row(simd, &k, r0, r1, w, inp, u, v);
                    }
                });
            }
            Kind::Yuv420ToNv { swap } => {
                let swap = *swap;
                let cw = dw.div_ceil(2);
                let [(yo, ys), (co, cs), ..] = dst.all_mut();
                let (h, chh) = (self.dst.h, self.dst.rows[1]);
                let tl = task_lines(h, threads, ROW_TASKS);
                let tc = task_lines(chh, threads, ROW_TASKS);
                work.add(h.div_ceil(tl), [(yo, tl * ys)]);
                work.add(chh.div_ceil(tc), [(co, tc * cs)]);
                run_work(pool, &mut self.bands, work, &|g, b, [out, ..], _| {
                    if g == 0 {
                        let y0 = b * tl;
                        return copy_lines(sp, 0, y0, tl.min(h - y0), dw, out, ys);
                    }
                    let y0 = b * tc;
                    for (i, y) in (y0..y0 + tc.min(chh - y0)).enumerate() {
                        let (a, b) = if swap {
                            (sp.row(2, y), sp.row(1, y))
                        } else {
                            (sp.row(1, y), sp.row(2, y))
                        };
                        simd::interleave_row(simd, a, b, &mut out[i * cs..i * cs + 2 * cw]);
                    }
                });
            }
            Kind::Depth8 { depth } => {
                let depth = *depth;
                let sd = self.src.fmt.descriptor();
                let mut tl = [0usize; 4];
                let mut strides = [0usize; 4];
                let mut n = [0usize; 4];
                for (p, (out, stride)) in dst.all_mut().into_iter().enumerate().take(3) {
                    let rows = self.dst.rows[p];
                    n[p] = if p == 0 {
                        dw
                    } else {
                        dw.div_ceil(1 << sd.log2_chroma_w)
                    };
                    tl[p] = task_lines(rows, threads, ROW_TASKS);
                    strides[p] = stride;
                    work.add(rows.div_ceil(tl[p]), [(out, tl[p] * stride)]);
                }
                let rows = self.dst.rows;
                run_work(pool, &mut self.bands, work, &|p, b, [out, ..], _| {
                    let (y0, s) = (b * tl[p], strides[p]);
                    for (i, y) in (y0..y0 + tl[p].min(rows[p] - y0)).enumerate() {
                        let row = &mut out[i * s..i * s + n[p]];
                        simd::depth_to_8_row(simd, sp.row(p, y), depth, y, row);
                    }
                });
            }
        }
        let _ = self.dither;
        true
    }
}

impl Fast {
    /// Packed RGB -> yuv420p through the `yuv` crate (box-filtered chroma, as ours, within one
    /// code of it), in tasks of an even number of lines writing the three planes together.
    /// `false` if the crate refused (the caller then runs our kernels, which rewrite all).
    fn crate_rgb_to_yuv420<P: Planes>(
        &mut self,
        o: CrateOut,
        sp: &SrcPlanes<'_>,
        dst: &mut P,
        c: &Colors,
        pool: Option<&rayon::ThreadPool>,
    ) -> bool {
        use CrateOut as O;
        use yuv::{BufferStoreMut as B, YuvConversionMode, YuvPlanarImageMut};
        let (w, h) = (self.dst.w, self.dst.h);
        if h == 0 || w == 0 {
            return false;
        }
        let range = if c.dst_full {
            yuv::YuvRange::Full
        } else {
            yuv::YuvRange::Limited
        };
        let matrix = crate_matrix(c.dst.matrix);
        let threads = if pool.is_some() { self.bands.len() } else { 1 };
        let tl = task_lines(h, threads, ROW_TASKS);
        let ss = sp.stride(0);
        let [(yo, ys), (uo, us), (vo, vs), _] = dst.all_mut();
        let conv = |x: usize| u32::try_from(x).ok();
        let (Some(w32), Some(ys32), Some(us32), Some(vs32), Some(ss32)) =
            (conv(w), conv(ys), conv(us), conv(vs), conv(ss))
        else {
            return false;
        };
        let mut work = Work::new();
        work.add(
            h.div_ceil(tl),
            [(yo, tl * ys), (uo, tl / 2 * us), (vo, tl / 2 * vs)],
        );
        let failed = AtomicBool::new(false);
        run_work(pool, &mut self.bands, work, &|_, b, [yb, ub, vb], _| {
            let y0 = b * tl;
            let Some(rows) = conv(tl.min(h - y0)) else {
                failed.store(true, Ordering::Relaxed);
                return;
            };
            let mut img = YuvPlanarImageMut {
                y_plane: B::Borrowed(yb),
                y_stride: ys32,
                u_plane: B::Borrowed(ub),
                u_stride: us32,
                v_plane: B::Borrowed(vb),
                v_stride: vs32,
                width: w32,
                height: rows,
            };
            let src = &sp.plane(0)[y0 * ss..];
            let mode = YuvConversionMode::Balanced;
            let (r, m) = (range, matrix);
            let res = match o {
                O::Rgb => yuv::rgb_to_yuv420(&mut img, src, ss32, r, m, mode),
                O::Bgr => yuv::bgr_to_yuv420(&mut img, src, ss32, r, m, mode),
                O::Rgba => yuv::rgba_to_yuv420(&mut img, src, ss32, r, m, mode),
                O::Bgra => yuv::bgra_to_yuv420(&mut img, src, ss32, r, m, mode),
            };
            if res.is_err() {
                failed.store(true, Ordering::Relaxed);
            }
        });
        !failed.load(Ordering::Relaxed)
    }
}

/// Lines `y0..y0 + rows` of source plane `p` (`w` bytes each) into `out`. With equal
/// strides, one copy of the whole block (the bytes between lines included): one large
/// `memcpy` instead of one per line (nv12 from yuv420p at 1080p: -2 %).
fn copy_lines(
    sp: &SrcPlanes<'_>,
    p: usize,
    y0: usize,
    rows: usize,
    w: usize,
    out: &mut [u8],
    stride: usize,
) {
    if rows == 0 {
        return;
    }
    let n = (rows - 1) * stride + w;
    let s0 = y0 * stride;
    if sp.stride(p) == stride
        && let (Some(src), Some(dst)) = (sp.plane(p).get(s0..s0 + n), out.get_mut(..n))
    {
        dst.copy_from_slice(src);
        return;
    }
    for (i, y) in (y0..y0 + rows).enumerate() {
        out[i * stride..i * stride + w].copy_from_slice(sp.row(p, y));
    }
}

/// The crate's input layout for one of ours (alpha or padding ignored, as ours).
fn crate_out_of(l: RgbLayout) -> Option<CrateOut> {
    Some(match (l.step, l.r, l.g, l.b) {
        (3, 0, 1, 2) => CrateOut::Rgb,
        (3, 2, 1, 0) => CrateOut::Bgr,
        (4, 0, 1, 2) => CrateOut::Rgba,
        (4, 2, 1, 0) => CrateOut::Bgra,
        _ => return None,
    })
}

/// Tasks per thread for row kernels that keep no state between lines: with frames of a
/// fraction of a millisecond, a thread that starts late (woken late, or sharing its core with
/// another process) then holds up the frame by one small task at most.
const ROW_TASKS: (usize, usize) = (8, 32);
/// Tasks per thread (and their minimum lines) for the scalers, whose tasks each refill their
/// ring of filtered lines first.
const SCALE_TASKS: (usize, usize) = (4, 16);

/// Lines per task for a plane of `rows` lines: the whole plane on one thread, else about
/// `per_thread` tasks per thread of at least `min` lines. Always even, so that no task splits
/// a 4:2:0 chroma pair (the `yuv` crate's kernels work on pairs; output must not depend on
/// the thread count).
fn task_lines(rows: usize, threads: usize, (per_thread, min): (usize, usize)) -> usize {
    if threads <= 1 {
        return rows.max(1).next_multiple_of(2);
    }
    rows.div_ceil(per_thread * threads)
        .max(min)
        .next_multiple_of(2)
}

/// One frame's work: up to 4 groups of tasks (usually one per destination plane). Task `b`
/// of group `g` gets the `b`-th run of `chunk` bytes of each of the group's planes (up to 3,
/// e.g. Y, U and V of the same lines). Handed out in order, one task at a time.
struct Work<'a> {
    parts: [[ChunksMut<'a, u8>; 3]; 4],
    nparts: [usize; 4],
    tasks: [usize; 4],
    groups: usize,
    g: usize,
    b: usize,
}

/// The outputs of one task (unused ones empty).
type Outs<'a> = [&'a mut [u8]; 3];

/// A task: (group, task in the group, its outputs, the running thread's scratch).
type TaskFn<'a> = dyn Fn(usize, usize, Outs<'_>, &mut Band) + Sync + 'a;

impl<'a> Work<'a> {
    fn new() -> Self {
        let none = || -> [ChunksMut<'a, u8>; 3] {
            [
                [].as_mut_slice().chunks_mut(1),
                [].as_mut_slice().chunks_mut(1),
                [].as_mut_slice().chunks_mut(1),
            ]
        };
        Work {
            parts: [none(), none(), none(), none()],
            nparts: [0; 4],
            tasks: [0; 4],
            groups: 0,
            g: 0,
            b: 0,
        }
    }

    /// A group of `tasks` tasks over `parts` = (plane bytes, bytes per task).
    fn add<const N: usize>(&mut self, tasks: usize, parts: [(&'a mut [u8], usize); N]) {
        let g = self.groups;
        if g >= 4 || N > 3 {
            return;
        }
        for (slot, (out, chunk)) in self.parts[g].iter_mut().zip(parts) {
            *slot = out.chunks_mut(chunk.max(1));
        }
        self.nparts[g] = N;
        self.tasks[g] = tasks;
        self.groups += 1;
    }

    fn total(&self) -> usize {
        self.tasks.iter().sum()
    }

    /// The next task: (group, index in the group, outputs).
    fn next_task(&mut self) -> Option<(usize, usize, Outs<'a>)> {
        while self.g < self.groups {
            let g = self.g;
            if self.b < self.tasks[g] {
                let b = self.b;
                self.b += 1;
                let mut outs: Outs<'a> = [&mut [], &mut [], &mut []];
                for (o, it) in outs.iter_mut().zip(&mut self.parts[g]).take(self.nparts[g]) {
                    *o = it.next().unwrap_or_default();
                }
                return Some((g, b, outs));
            }
            self.g += 1;
            self.b = 0;
        }
        None
    }
}

/// Runs every task of `work` with `f`: on the calling thread in order without a pool (or with
/// one thread); else in one hand-off to the pool for the whole frame (all planes), where
/// each of its threads takes tasks from a shared queue until none are left. A thread that
/// wakes late finds less to do instead of holding the frame up, and the planes no longer
/// wait for one another. Allocates nothing (a mutex and `par_iter_mut` over the per-thread
/// scratch, which splits with `join`).
fn run_work(
    pool: Option<&rayon::ThreadPool>,
    bands: &mut [Band],
    mut work: Work<'_>,
    f: &TaskFn<'_>,
) {
    match pool {
        Some(pool) if bands.len() > 1 && work.total() > 1 => {
            let queue = Mutex::new(work);
            let take = || match queue.lock() {
                Ok(mut w) => w.next_task(),
                Err(poisoned) => poisoned.into_inner().next_task(),
            };
            pool.install(|| {
                bands.par_iter_mut().with_max_len(1).for_each(|band| {
                    while let Some((g, b, outs)) = take() {
                        f(g, b, outs, band);
                    }
                });
            });
        }
        _ => {
            let mut spare = Band::default();
            let band = match bands.first_mut() {
                Some(b) => b,
                None => &mut spare,
            };
            while let Some((g, b, outs)) = work.next_task() {
                f(g, b, outs, band);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LAYOUTS: [PixelFormat; 4] = [
        PixelFormat::Rgb24,
        PixelFormat::Bgr24,
        PixelFormat::Rgba,
        PixelFormat::Bgra,
    ];
    const MATRICES: [Matrix; 5] = [
        Matrix::Bt601,
        Matrix::Bt709,
        Matrix::Bt2020,
        Matrix::Smpte240m,
        Matrix::Fcc,
    ];

    /// Our Q13 kernel (SIMD where available, and its scalar twin) against the `yuv` crate
    /// on a `w`x`h` 4:2:0 picture: the same bytes for every matrix, range and layout.
    fn q13_agrees_with_crate(w: usize, h: usize, y: &[u8], u: &[u8], v: &[u8]) {
        let cw = w.div_ceil(2);
        let sp = SrcPlanes {
            planes: [y, u, v, &[]],
            strides: [w, cw, cw, 0],
            line: [w, cw, cw, 0],
        };
        for fmt in LAYOUTS {
            let (Some(o), Some(lay)) = (crate_out(fmt), rgb_layout(fmt)) else {
                panic!("{fmt}: no layout");
            };
            let stride = w * lay.step;
            for m in MATRICES {
                for full in [false, true] {
                    let mut job = CrateJob {
                        out: o,
                        cw: 1,
                        ch: 1,
                        range: if full {
                            yuv::YuvRange::Full
                        } else {
                            yuv::YuvRange::Limited
                        },
                        matrix: crate_matrix(m),
                        q13: None,
                    };
                    let mut theirs = vec![0u8; stride * h];
                    let their_dirty = by_chunks(&job, &sp, w, h, &mut theirs, stride);
                    let (kr, kb) = m.kr_kb();
                    let k = simd::Q13Coeffs::new(full, kr as f32, kb as f32);
                    let Some(k) = k else {
                        panic!("coefficients");
                    };
                    let t = simd::PackTables::new(lay);
                    let mut scalar = vec![0u8; stride * h];
                    for (i, out) in scalar.chunks_exact_mut(stride).enumerate() {
                        let (yr, cr) = (&y[i * w..][..w], (i / 2) * cw);
                        simd::yuv420_q13_rows(
                            false,
                            &k,
                            &t,
                            w,
                            yr,
                            None,
                            &u[cr..cr + cw],
                            &v[cr..cr + cw],
                            out,
                            None,
                        );
                    }
                    let what = format!("{w}x{h} {fmt} {m:?} full {full}");
                    assert!(theirs == scalar, "scalar twin: {what}");
                    job.q13 = Some((k, t));
                    let mut ours = vec![0u8; stride * h];
                    let our_dirty = by_chunks(&job, &sp, w, h, &mut ours, stride);
                    assert!(theirs == ours, "kernel: {what}");
                    assert!(their_dirty == our_dirty, "luma below 16: {what}");
                }
            }
        }
    }

    /// `job.rows` over the picture, `CRATE_CHUNK` lines at a time, and the masks it returns.
    fn by_chunks(
        job: &CrateJob,
        sp: &SrcPlanes<'_>,
        w: usize,
        h: usize,
        out: &mut [u8],
        stride: usize,
    ) -> Vec<u32> {
        (0..h)
            .step_by(CRATE_CHUNK)
            .map(|y| {
                let n = CRATE_CHUNK.min(h - y);
                let Some(dirty) = job.rows(sp, w, y, n, &mut out[y * stride..], stride) else {
                    panic!("refused at line {y}");
                };
                dirty
            })
            .collect()
    }

    fn noise(seed: &mut u64, n: usize) -> Vec<u8> {
        (0..n)
            .map(|_| {
                *seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (*seed >> 56) as u8
            })
            .collect()
    }

    #[test]
    fn q13_kernel_matches_yuv_crate() {
        let mut seed = 5;
        for (w, h) in [
            (1usize, 1usize),
            (2, 2),
            (3, 3),
            (63, 4),
            (64, 2),
            (65, 5),
            (130, 6),
            (1921, 3),
            (67, 41),
            (1922, 36),
        ] {
            let cw = w.div_ceil(2);
            let ch = h.div_ceil(2);
            let mut y = noise(&mut seed, w * h);
            // Some lines without luma below 16.
            for (i, l) in y.chunks_mut(w).enumerate() {
                if i % 4 < 2 {
                    l.iter_mut().for_each(|v| *v = (*v).max(16));
                }
            }
            let (u, v) = (noise(&mut seed, cw * ch), noise(&mut seed, cw * ch));
            q13_agrees_with_crate(w, h, &y, &u, &v);
        }
    }

    /// Every (Y, U, V) triple (16.7 Mpixels; run with `--release -- --ignored`).
    #[test]
    #[ignore]
    fn q13_kernel_matches_yuv_crate_exhaustive() {
        // Chroma sample (cx, cy): U = cx, V = cy % 256; its four luma samples take the
        // values 4 * (cy / 256) + 0..4.
        let (w, h) = (512, 2 * 256 * 64);
        let (cw, ch) = (w / 2, h / 2);
        let mut y = vec![0u8; w * h];
        let mut u = vec![0u8; cw * ch];
        let mut v = vec![0u8; cw * ch];
        for cy in 0..ch {
            for cx in 0..cw {
                u[cy * cw + cx] = cx as u8;
                v[cy * cw + cx] = (cy % 256) as u8;
                let base = (4 * (cy / 256)) as u8;
                for (i, (dx, dy)) in [(0, 0), (1, 0), (0, 1), (1, 1)].into_iter().enumerate() {
                    y[(2 * cy + dy) * w + 2 * cx + dx] = base + i as u8;
                }
            }
        }
        q13_agrees_with_crate(w, h, &y, &u, &v);
    }
}
