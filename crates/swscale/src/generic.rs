//! The general path: any format to any format, any size, any filter.
//!
//! Per source line: unpack each working component to 16-bit working values
//! (converting RGB to YUV first when the output is YUV), filter horizontally
//! into a ring of lines; per destination line: filter vertically, convert
//! range or YUV->RGB, quantise with rounding or dithering and pack. All
//! buffers are allocated when the scaler is built.

use avutil::PixelFormat;

use crate::colorspace::{Coeffs, chroma_range, luma_range};
use crate::filter::{FilterBank, Kernel, build};
use crate::flags::{Dither, ScaleFlags};
use crate::pixel::{CompIo, Norm, bayer_bias};
use crate::{Planes, Side, SrcPlanes};

/// Working space.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Space {
    Yuv,
    Rgb,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// Component `i` of the source format.
    Direct(usize),
    /// Working component `k` (0 Y, 1 U, 2 V) computed from the source's RGB.
    FromRgb(usize),
    /// A constant working value.
    Const(i32),
}

#[derive(Debug)]
struct WComp {
    source: Source,
    src_w: usize,
    src_h: usize,
    dst_w: usize,
    dst_h: usize,
    h: FilterBank,
    v: FilterBank,
    ring: Vec<i32>,
    tags: Vec<i64>,
    input: Vec<i32>,
    out: Vec<i32>,
    /// Bits of the source behind this component (for dithering decisions).
    src_depth: u32,
    /// For RGB output: chroma is computed at `dst >> rep` and replicated (as FFmpeg without `full_chroma_int`).
    rep: (u8, u8),
    /// Last destination line computed (-1: none this frame).
    last_j: i64,
}

/// Resolved per-frame colour choices.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Colors {
    pub src_full: bool,
    pub dst_full: bool,
    pub src: Coeffs,
    pub dst: Coeffs,
}

#[derive(Debug)]
pub(crate) struct Generic {
    src: Side,
    dst: Side,
    space: Space,
    comps: Vec<Option<WComp>>, // indexed by working component 0..4
    rgb_cache: Vec<i32>,       // 3 lines of R, G, B at source width
    rgb_cache_row: i64,
    rgb_io: Vec<CompIo>,
    /// Output working values after conversion, per destination component.
    conv: Vec<Vec<i32>>,
    dither: Dither,
    ed_err: Vec<Vec<i64>>, // per dst comp: 2 rows of (width + 2)
    codes: Vec<u32>,
    /// Was the working YUV computed from RGB (then luma/chroma are already in the destination range)?
    yuv_from_rgb: bool,
}

pub(crate) fn supported_input(fmt: PixelFormat) -> bool {
    let _ = fmt;
    true
}

pub(crate) fn supported_output(fmt: PixelFormat) -> bool {
    !fmt.descriptor().is_paletted()
}

impl Generic {
    pub(crate) fn new(
        src: &Side,
        dst: &Side,
        flags: &ScaleFlags,
        siting: [(i64, i64); 2],
    ) -> Generic {
        let sd = src.fmt.descriptor();
        let dd = dst.fmt.descriptor();
        let dst_rgb = dd.is_rgb();
        let src_rgb = sd.is_rgb() || sd.is_paletted();
        let space = if src_rgb && dst_rgb {
            Space::Rgb
        } else {
            Space::Yuv
        };
        let yuv_from_rgb = src_rgb && space == Space::Yuv;
        let src_has_chroma = !src_rgb && sd.nb_components >= 3;
        let dst_needs_chroma = dst_rgb || (dd.nb_components >= 3 && !dd.is_rgb());
        let src_alpha = sd.has_alpha();
        let dst_alpha = dd.has_alpha() && !dd.is_paletted();
        let src_alpha_comp = if sd.is_gray() { 1 } else { 3 };
        let mut comps: Vec<Option<WComp>> = Vec::with_capacity(4);
        let (w, h) = (src.w, src.h);
        let (dw, dh) = (dst.w, dst.h);
        let sc = (sd.log2_chroma_w, sd.log2_chroma_h);
        let dc = (dd.log2_chroma_w, dd.log2_chroma_h);
        for k in 0..4usize {
            let chroma = space == Space::Yuv && (k == 1 || k == 2);
            let needed = match k {
                0 => true,
                1 | 2 => space == Space::Rgb || dst_needs_chroma,
                _ => dst_alpha,
            };
            if !needed {
                comps.push(None);
                continue;
            }
            let (source, src_depth) = match (space, k) {
                (_, 3) if src_alpha => {
                    let c = if src.fmt.descriptor().is_paletted() {
                        3
                    } else {
                        src_alpha_comp
                    };
                    (Source::Direct(c), u32::from(sd.comp[c].depth.max(8)))
                }
                (_, 3) => (Source::Const(65535), 16),
                (Space::Rgb, k) => (Source::Direct(k), u32::from(sd.comp[k].depth.max(8))),
                (Space::Yuv, k) if yuv_from_rgb => {
                    (Source::FromRgb(k), u32::from(sd.max_depth().max(8)))
                }
                (Space::Yuv, 0) => (Source::Direct(0), u32::from(sd.comp[0].depth)),
                (Space::Yuv, k) if src_has_chroma => {
                    (Source::Direct(k), u32::from(sd.comp[k].depth))
                }
                (Space::Yuv, _) => (Source::Const(32768), 16),
            };
            // RGB input: like FFmpeg without full_chroma_inp, chroma is read from pairs of
            // pixels averaged horizontally when the output subsamples it.
            let half = chroma && yuv_from_rgb && !flags.full_chroma_inp && !dst_rgb && dc.0 > 0;
            let (sw, sh) = if chroma && matches!(source, Source::Direct(_)) {
                (w.div_ceil(1 << sc.0), h.div_ceil(1 << sc.1))
            } else if half {
                (w.div_ceil(2), h)
            } else {
                (w, h)
            };
            let direct_chroma = chroma && matches!(source, Source::Direct(_));
            let rep = if direct_chroma && dst_rgb {
                (
                    // FFmpeg has no full-chroma output for packed RGB under 8 bits per component.
                    if (flags.full_chroma_int || dw % 2 == 1) && dd.comp[0].depth >= 8 {
                        0
                    } else {
                        sc.0
                    },
                    0,
                )
            } else {
                (0, 0)
            };
            let (ow, oh) = if chroma && !dst_rgb {
                (dw.div_ceil(1 << dc.0), dh.div_ceil(1 << dc.1))
            } else {
                (dw.div_ceil(1 << rep.0), dh.div_ceil(1 << rep.1))
            };
            let kernel = Kernel::of(flags.filter, flags.param, chroma);
            let (os_h, os_v, od_h, od_v) = if chroma {
                let ssub = matches!(source, Source::Direct(_));
                let dsub = !dst_rgb;
                let pick = |sub: bool, o: i64| if sub { o } else { 128 };
                // FFmpeg 5.1 interpolates chroma vertically for RGB output; when the
                // height is unchanged, its destination lines sit at offset 0 (observed).
                let od_v = if dst_rgb
                    && !dd.is_planar()
                    && dd.comp[0].depth <= 8
                    && ssub
                    && sc.1 > 0
                    && h == dh
                {
                    0
                } else {
                    pick(dsub && dc.1 > 0, siting[1].1)
                };
                (
                    pick(ssub && sc.0 > 0, siting[0].0),
                    pick(ssub && sc.1 > 0, siting[0].1),
                    pick(dsub && dc.0 > 0, siting[1].0),
                    od_v,
                )
            } else {
                (128, 128, 128, 128)
            };
            let hb = build(kernel, sw, ow, os_h, od_h);
            let vb = build(kernel, sh, oh, os_v, od_v);
            let ring_len = vb.size;
            comps.push(Some(WComp {
                source,
                src_w: sw,
                src_h: sh,
                dst_w: ow,
                dst_h: oh,
                ring: vec![0; ring_len * ow],
                tags: vec![-1; ring_len],
                input: vec![0; sw],
                out: vec![0; ow],
                h: hb,
                v: vb,
                src_depth,
                rep,
                last_j: -1,
            }));
        }
        let rgb_io = if src_rgb && !sd.is_paletted() {
            (0..3).map(|c| CompIo::new(src.fmt, c, Norm::Max)).collect()
        } else {
            Vec::new()
        };
        let nd = usize::from(dd.nb_components);
        let conv = (0..nd.max(1)).map(|_| vec![0i32; dw]).collect();
        let ed_err = (0..nd.max(1)).map(|_| vec![0i64; 2 * (dw + 2)]).collect();
        Generic {
            src: src.clone(),
            dst: dst.clone(),
            space,
            comps,
            rgb_cache: vec![0; 3 * w + 4 * w],
            rgb_cache_row: -1,
            rgb_io,
            conv,
            dither: flags.dither,
            ed_err,
            codes: vec![0; dw],
            yuv_from_rgb,
        }
    }

    /// Reads source component `c` of line `row` (in that component's plane) into `out`.
    fn read_src(
        src: &Side,
        planes: &SrcPlanes<'_>,
        c: usize,
        row: usize,
        n: usize,
        full: bool,
        out: &mut [i32],
    ) {
        let d = src.fmt.descriptor();
        if d.is_paletted() {
            let idx = planes.row(0, row);
            let pal = planes.plane(1);
            // Palette entries are B G R A in memory.
            let byte = match c {
                0 => 2,
                1 => 1,
                2 => 0,
                _ => 3,
            };
            for (x, o) in out[..n].iter_mut().enumerate() {
                let i = usize::from(idx[x]);
                *o = i32::from(pal.get(i * 4 + byte).copied().unwrap_or(0)) * 257;
            }
            return;
        }
        let norm = if d.is_rgb() || c == 3 || (c == 0 && full) || (d.is_gray() && c == 1) {
            Norm::Max
        } else {
            Norm::Shift
        };
        let io = CompIo::new(src.fmt, c, norm);
        io.read(planes.row(io.plane, row), n, out);
    }

    fn fill_rgb_cache(&mut self, planes: &SrcPlanes<'_>, row: usize) {
        if self.rgb_cache_row == row as i64 {
            return;
        }
        let w = self.src.w;
        let (rgb, _) = self.rgb_cache.split_at_mut(3 * w);
        for c in 0..3 {
            let out = &mut rgb[c * w..(c + 1) * w];
            if self.rgb_io.is_empty() {
                Self::read_src(&self.src, planes, c, row, w, true, out);
            } else {
                self.rgb_io[c].read(planes.row(self.rgb_io[c].plane, row), w, out);
            }
        }
        self.rgb_cache_row = row as i64;
    }

    /// Produces horizontally filtered line `row` of working component `k` into its ring.
    fn load_line(&mut self, k: usize, row: usize, planes: &SrcPlanes<'_>, colors: &Colors) {
        let source = match &self.comps[k] {
            Some(c) => c.source,
            None => return,
        };
        if let Source::FromRgb(_) = source {
            self.fill_rgb_cache(planes, row);
        }
        let Some(comp) = self.comps[k].as_mut() else {
            return;
        };
        let slot = row % comp.tags.len();
        if comp.tags[slot] == row as i64 {
            return;
        }
        let n = comp.src_w;
        match source {
            Source::Direct(c) => {
                let luma_full = colors.src_full;
                Self::read_src(&self.src, planes, c, row, n, luma_full, &mut comp.input);
            }
            Source::FromRgb(kk) => {
                let w = self.src.w;
                let (r, rest) = self.rgb_cache.split_at(w);
                let (g, b) = rest.split_at(w);
                if n < w {
                    for x in 0..n {
                        let (a, c) = (2 * x, (2 * x + 1).min(w - 1));
                        let avg = |p: &[i32]| (p[a] + p[c] + 1) >> 1;
                        let (y, u, v) = colors.dst.rgb_to_yuv(avg(r), avg(g), avg(b));
                        comp.input[x] = [y, u, v][kk];
                    }
                } else {
                    for x in 0..n {
                        let (y, u, v) = colors.dst.rgb_to_yuv(r[x], g[x], b[x]);
                        comp.input[x] = [y, u, v][kk];
                    }
                }
            }
            Source::Const(v) => comp.input[..n].iter_mut().for_each(|x| *x = v),
        }
        let ow = comp.dst_w;
        let line = &mut comp.ring[slot * ow..(slot + 1) * ow];
        hscale(&comp.h, &comp.input[..n], line);
        comp.tags[slot] = row as i64;
    }

    /// Computes destination line `y` of every component present at that line.
    pub(crate) fn run<P: Planes>(&mut self, planes: &SrcPlanes<'_>, dst: &mut P, colors: &Colors) {
        // Reset ring tags: a new frame.
        for c in self.comps.iter_mut().flatten() {
            c.tags.iter_mut().for_each(|t| *t = -1);
            c.last_j = -1;
        }
        self.rgb_cache_row = -1;
        for e in &mut self.ed_err {
            e.iter_mut().for_each(|x| *x = 0);
        }
        let dd = self.dst.fmt.descriptor();
        let dst_rgb = dd.is_rgb();
        let ch = dd.log2_chroma_h;
        for y in 0..self.dst.h {
            let chroma_row = dst_rgb || (y & ((1 << ch) - 1)) == 0;
            for k in 0..4 {
                let Some(c) = self.comps[k].as_ref() else {
                    continue;
                };
                let is_chroma = self.space == Space::Yuv && (k == 1 || k == 2) && !dst_rgb;
                if is_chroma && !chroma_row {
                    continue;
                }
                let j = if is_chroma { y >> ch } else { y >> c.rep.1 };
                if j >= c.dst_h || c.last_j == j as i64 {
                    continue;
                }
                let p0 = c.v.pos[j] as usize;
                let size = c.v.size;
                let src_h = c.src_h;
                for r in p0..(p0 + size).min(src_h) {
                    self.load_line(k, r, planes, colors);
                }
                let Some(c) = self.comps[k].as_mut() else {
                    continue;
                };
                vscale(c, j);
                c.last_j = j as i64;
            }
            self.convert_and_pack(y, chroma_row, dst, colors);
        }
    }

    #[allow(clippy::needless_range_loop)] // parallel arrays indexed by component
    fn convert_and_pack<P: Planes>(
        &mut self,
        y: usize,
        chroma_row: bool,
        dst: &mut P,
        colors: &Colors,
    ) {
        let dfmt = self.dst.fmt;
        let dd = dfmt.descriptor();
        let dw = self.dst.w;
        let nd = usize::from(dd.nb_components);
        let dst_rgb = dd.is_rgb();
        let src_full = if self.yuv_from_rgb {
            colors.dst_full
        } else {
            colors.src_full
        };
        let dst_full = colors.dst_full;
        let mut present = [false; 4];
        // Fill self.conv[c] for each destination component c.
        if dst_rgb {
            if self.space == Space::Rgb {
                for c in 0..3 {
                    if let Some(wc) = &self.comps[c] {
                        self.conv[c][..dw].copy_from_slice(&wc.out[..dw]);
                    }
                }
            } else {
                let (yc, uc, vc) = (&self.comps[0], &self.comps[1], &self.comps[2]);
                if let (Some(yc), Some(uc), Some(vc)) = (yc, uc, vc) {
                    let (a, rest) = self.conv.split_at_mut(1);
                    let (b, rest) = rest.split_at_mut(1);
                    let cc = &mut rest[0];
                    let rh = uc.rep.0;
                    for x in 0..dw {
                        let (r, g, bb) =
                            colors
                                .src
                                .yuv_to_rgb(yc.out[x], uc.out[x >> rh], vc.out[x >> rh]);
                        a[0][x] = r;
                        b[0][x] = g;
                        cc[x] = bb;
                    }
                }
            }
            present[..3].iter_mut().for_each(|p| *p = true);
        } else {
            // YUV, gray or mono output.
            if let Some(yc) = &self.comps[0] {
                for x in 0..dw {
                    self.conv[0][x] = luma_range(yc.out[x], src_full, dst_full);
                }
                present[0] = true;
            }
            if nd >= 3 && chroma_row {
                for k in 1..3 {
                    if let Some(c) = &self.comps[k] {
                        let n = c.dst_w;
                        for x in 0..n {
                            self.conv[k][x] = chroma_range(c.out[x], src_full, dst_full);
                        }
                        present[k] = true;
                    }
                }
            }
        }
        let alpha_idx = if dd.is_gray() { 1 } else { 3 };
        if dd.has_alpha()
            && let Some(a) = &self.comps[3]
        {
            self.conv[alpha_idx][..dw].copy_from_slice(&a.out[..dw]);
            present[alpha_idx] = true;
        }
        // Pack, plane by plane.
        let nplanes = dd.plane_count();
        let ch = dd.log2_chroma_h;
        let lines = self.dst.line_bytes;
        for p in 0..nplanes {
            let mut luma_in_plane = false;
            let mut any = false;
            for c in 0..nd {
                if usize::from(dd.comp[c].plane) == p {
                    any = true;
                    let chroma = !dst_rgb && (c == 1 || c == 2);
                    if !chroma {
                        luma_in_plane = true;
                    }
                }
            }
            if !any {
                continue;
            }
            if !luma_in_plane && !chroma_row {
                continue;
            }
            let row = if luma_in_plane { y } else { y >> ch };
            let out = dst.row_mut(p, row, lines[p]);
            // Fresh line: padding bytes (rgb0, 0rgb...) are 0xff as in FFmpeg, other spare bits 0.
            let pad = dd.is_rgb() && !dd.has_alpha() && dd.elem_bytes == 1 && dd.comp[0].step == 4;
            if pad {
                out.iter_mut().for_each(|b| *b = 0xff);
            } else if dd.elem_bytes == 2 || dd.is_bitstream() || dd.comp[0].depth < 8 {
                out.iter_mut().for_each(|b| *b = 0);
            }
            for c in 0..nd {
                if usize::from(dd.comp[c].plane) != p || !present[c] {
                    continue;
                }
                let chroma = !dst_rgb && (c == 1 || c == 2);
                let n = if chroma {
                    dw.div_ceil(1 << dd.log2_chroma_w)
                } else {
                    dw
                };
                let norm = if dst_rgb
                    || (c == alpha_idx && dd.has_alpha())
                    || dd.is_bitstream()
                    || (c == 0 && dst_full)
                {
                    Norm::Max
                } else {
                    Norm::Shift
                };
                let io = CompIo::new(dfmt, c, norm);
                let src_depth = self.src_depth_for(c, alpha_idx);
                let reduce = io.depth < src_depth || dd.is_bitstream();
                let mode = match self.dither {
                    Dither::None => 0,
                    Dither::Auto if !reduce => 0,
                    Dither::Auto | Dither::Bayer => 1,
                    Dither::ErrorDiffusion if reduce || io.depth < 8 => 2,
                    Dither::ErrorDiffusion => 0,
                };
                let vals = &self.conv[c][..n];
                match mode {
                    0 => io.write(out, vals, n, &|_| 32768),
                    1 => {
                        let yy = row;
                        io.write(out, vals, n, &|x| bayer_bias(x, yy))
                    }
                    _ => {
                        let err = &mut self.ed_err[c];
                        let wlen = dw + 2;
                        let (cur, next) = err.split_at_mut(wlen);
                        // cur holds errors for this row (carried from the previous one).
                        next.iter_mut().for_each(|e| *e = 0);
                        let max = i64::from(io.max_code());
                        let mut carry = 0i64;
                        for x in 0..n {
                            let ideal = io.ideal_q8(vals[x]) + cur[x + 1] + carry;
                            let q = ((ideal + 128) >> 8).clamp(0, max);
                            let e = ideal - (q << 8);
                            self.codes[x] = q as u32;
                            carry = e * 7 / 16;
                            next[x] += e * 3 / 16;
                            next[x + 1] += e * 5 / 16;
                            next[x + 2] += e / 16;
                        }
                        cur.copy_from_slice(next);
                        io.write_codes(out, &self.codes, n);
                    }
                }
            }
        }
    }

    fn src_depth_for(&self, c: usize, alpha_idx: usize) -> u32 {
        let k = if c == alpha_idx && self.dst.fmt.descriptor().has_alpha() {
            3
        } else {
            c.min(2)
        };
        self.comps
            .get(k)
            .and_then(|x| x.as_ref())
            .or_else(|| self.comps[0].as_ref())
            .map_or(8, |w| w.src_depth)
    }
}

/// Horizontal filter of working values.
fn hscale(f: &FilterBank, input: &[i32], out: &mut [i32]) {
    let size = f.size;
    for (j, o) in out.iter_mut().enumerate() {
        let p = f.pos[j] as usize;
        let taps = &f.coef[j * size..(j + 1) * size];
        let src = &input[p..p + size];
        let mut acc = 0i64;
        for (c, s) in taps.iter().zip(src) {
            acc += i64::from(*c) * i64::from(*s);
        }
        *o = ((acc + (1 << 13)) >> 14) as i32;
    }
}

/// Vertical filter of the ring into `c.out` for destination line `j`.
fn vscale(c: &mut WComp, j: usize) {
    let size = c.v.size;
    let p0 = c.v.pos[j] as usize;
    let ow = c.dst_w;
    let taps = &c.v.coef[j * size..(j + 1) * size];
    let ring_len = c.tags.len();
    c.out[..ow].iter_mut().for_each(|x| *x = 0);
    if size == 1 {
        let slot = p0 % ring_len;
        c.out[..ow].copy_from_slice(&c.ring[slot * ow..(slot + 1) * ow]);
        return;
    }
    let mut acc = vec![0i64; 0];
    acc.clear();
    for x in 0..ow {
        let mut s = 0i64;
        for (k, &t) in taps.iter().enumerate() {
            let slot = (p0 + k) % ring_len;
            s += i64::from(t) * i64::from(c.ring[slot * ow + x]);
        }
        c.out[x] = ((s + (1 << 13)) >> 14) as i32;
    }
}
