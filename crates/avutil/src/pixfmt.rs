//! Pixel formats and their descriptors (cf. `enum AVPixelFormat`, `AVPixFmtDescriptor`).
//!
//! Names are exactly FFmpeg's (`ffmpeg -pix_fmts`). Each format has a
//! [`PixFmtDescriptor`] telling where every component lives.
//!
//! # Component layout
//!
//! A [`Component`] is read as follows: in plane `plane`, pixel `x` starts
//! at byte `x * step + offset` (for [`PixFmtFlags::BITSTREAM`] formats,
//! `step` and `offset` are in bits). There, an element of
//! [`PixFmtDescriptor::elem_bytes`] bytes is read in the format's
//! endianness, shifted right by `shift` and masked to `depth` bits. This
//! differs from FFmpeg's descriptor, which encodes big-endian packed RGB with
//! a byte offset of -1; ours names the 16-bit word instead, which is the same
//! information without the trick.

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};

/// Property flags of a pixel format (cf. `AV_PIX_FMT_FLAG_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PixFmtFlags(u16);

impl PixFmtFlags {
    /// Multi-byte elements are big-endian.
    pub const BE: PixFmtFlags = PixFmtFlags(1);
    /// Plane 1 is a 256-entry palette.
    pub const PAL: PixFmtFlags = PixFmtFlags(2);
    /// Pixels are packed bits (monow/monob).
    pub const BITSTREAM: PixFmtFlags = PixFmtFlags(4);
    /// At least one component has its own plane.
    pub const PLANAR: PixFmtFlags = PixFmtFlags(16);
    /// The components are R, G, B (not Y, U, V).
    pub const RGB: PixFmtFlags = PixFmtFlags(32);
    /// There is an alpha component (or palette alpha).
    pub const ALPHA: PixFmtFlags = PixFmtFlags(128);
    /// Components are IEEE floats.
    pub const FLOAT: PixFmtFlags = PixFmtFlags(512);

    /// True when every flag of `other` is set.
    pub const fn contains(self, other: PixFmtFlags) -> bool {
        self.0 & other.0 == other.0
    }

    const fn or(self, other: PixFmtFlags) -> PixFmtFlags {
        PixFmtFlags(self.0 | other.0)
    }
}

impl std::ops::BitOr for PixFmtFlags {
    type Output = PixFmtFlags;
    fn bitor(self, rhs: PixFmtFlags) -> PixFmtFlags {
        self.or(rhs)
    }
}

/// Where one component (Y, U, V, R, G, B, A) of a pixel lives (cf. `AVComponentDescriptor`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Component {
    /// Plane holding the component.
    pub plane: u8,
    /// Distance between two horizontally adjacent pixels, in bytes (bits for bitstream formats).
    pub step: u8,
    /// Offset of the element holding the component from the pixel start, in bytes (bits for bitstream).
    pub offset: u8,
    /// Right shift applied to the element to reach the component's least significant bit.
    pub shift: u8,
    /// Number of bits of the component.
    pub depth: u8,
}

/// Everything about a pixel format's memory layout (cf. `AVPixFmtDescriptor`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PixFmtDescriptor {
    /// FFmpeg's name, e.g. `yuv420p`.
    pub name: &'static str,
    /// Number of components (1 to 4).
    pub nb_components: u8,
    /// Horizontal chroma subsampling: chroma width is `ceil(w / 2^log2_chroma_w)`.
    pub log2_chroma_w: u8,
    /// Vertical chroma subsampling.
    pub log2_chroma_h: u8,
    /// Property flags.
    pub flags: PixFmtFlags,
    /// Size in bytes of the element a component is read from (1 or 2).
    pub elem_bytes: u8,
    /// The components, in order Y U V A, R G B A, or Y A for gray with alpha.
    pub comp: [Component; 4],
}

impl PixFmtDescriptor {
    /// The used components.
    pub fn components(&self) -> &[Component] {
        &self.comp[..usize::from(self.nb_components)]
    }

    /// Number of data planes (the palette of pal8 not counted, cf. `av_pix_fmt_count_planes`).
    pub fn plane_count(&self) -> usize {
        self.components()
            .iter()
            .map(|c| usize::from(c.plane) + 1)
            .max()
            .unwrap_or(0)
    }

    /// Bits per pixel without padding (cf. `av_get_bits_per_pixel`), as `ffmpeg -pix_fmts` prints.
    pub fn bits_per_pixel(&self) -> u32 {
        let log2_pixels = u32::from(self.log2_chroma_w + self.log2_chroma_h);
        let mut bits = 0u32;
        for (i, c) in self.components().iter().enumerate() {
            let s = if i == 1 || i == 2 { 0 } else { log2_pixels };
            bits += u32::from(c.depth) << s;
        }
        bits >> log2_pixels
    }

    /// Bits per pixel including padding bits (cf. `av_get_padded_bits_per_pixel`).
    pub fn padded_bits_per_pixel(&self) -> u32 {
        let log2_pixels = u32::from(self.log2_chroma_w + self.log2_chroma_h);
        let mut steps = [0u32; 4];
        let mut bits = 0u32;
        for (i, c) in self.components().iter().enumerate() {
            let s = if i == 1 || i == 2 { 0 } else { log2_pixels };
            let p = usize::from(c.plane);
            let step = u32::from(c.step) << s;
            if step > steps[p] {
                steps[p] = step;
            }
        }
        let bitstream = self.flags.contains(PixFmtFlags::BITSTREAM);
        for s in steps {
            bits += if bitstream { s } else { s * 8 };
        }
        bits >> log2_pixels
    }

    /// Largest `step` among the components of each plane (cf. `av_image_fill_max_pixsteps`).
    pub fn max_pixel_steps(&self) -> [usize; 4] {
        let mut steps = [0usize; 4];
        for c in self.components() {
            let p = usize::from(c.plane);
            steps[p] = steps[p].max(usize::from(c.step));
        }
        steps
    }

    /// Depth of the deepest component.
    pub fn max_depth(&self) -> u8 {
        self.components().iter().map(|c| c.depth).max().unwrap_or(0)
    }

    /// True for planar formats.
    pub fn is_planar(&self) -> bool {
        self.flags.contains(PixFmtFlags::PLANAR)
    }

    /// True for RGB formats.
    pub fn is_rgb(&self) -> bool {
        self.flags.contains(PixFmtFlags::RGB)
    }

    /// True when the format has alpha.
    pub fn has_alpha(&self) -> bool {
        self.flags.contains(PixFmtFlags::ALPHA)
    }

    /// True for big-endian formats.
    pub fn is_big_endian(&self) -> bool {
        self.flags.contains(PixFmtFlags::BE)
    }

    /// True for paletted formats (pal8).
    pub fn is_paletted(&self) -> bool {
        self.flags.contains(PixFmtFlags::PAL)
    }

    /// True for 1-bit formats (monow, monob).
    pub fn is_bitstream(&self) -> bool {
        self.flags.contains(PixFmtFlags::BITSTREAM)
    }

    /// True for gray formats (one luma component, optionally alpha).
    pub fn is_gray(&self) -> bool {
        !self.is_rgb() && !self.is_paletted() && self.nb_components <= 2 && !self.is_bitstream()
    }
}

const fn c(plane: u8, step: u8, offset: u8, shift: u8, depth: u8) -> Component {
    Component {
        plane,
        step,
        offset,
        shift,
        depth,
    }
}

const Z: Component = c(0, 0, 0, 0, 0);
const NONE: PixFmtFlags = PixFmtFlags(0);
const PL: PixFmtFlags = PixFmtFlags::PLANAR;
const RGB: PixFmtFlags = PixFmtFlags::RGB;
const A: PixFmtFlags = PixFmtFlags::ALPHA;
const BE: PixFmtFlags = PixFmtFlags::BE;

const fn d(
    name: &'static str,
    n: u8,
    cw: u8,
    ch: u8,
    flags: PixFmtFlags,
    elem_bytes: u8,
    comp: [Component; 4],
) -> PixFmtDescriptor {
    PixFmtDescriptor {
        name,
        nb_components: n,
        log2_chroma_w: cw,
        log2_chroma_h: ch,
        flags,
        elem_bytes,
        comp,
    }
}

/// Planar YUV (optionally with alpha) of any depth.
const fn yuv(
    name: &'static str,
    cw: u8,
    ch: u8,
    depth: u8,
    be: bool,
    alpha: bool,
) -> PixFmtDescriptor {
    let b = if depth > 8 { 2 } else { 1 };
    let flags = PL
        .or(if be { BE } else { NONE })
        .or(if alpha { A } else { NONE });
    let a = if alpha { c(3, b, 0, 0, depth) } else { Z };
    d(
        name,
        if alpha { 4 } else { 3 },
        cw,
        ch,
        flags,
        b,
        [
            c(0, b, 0, 0, depth),
            c(1, b, 0, 0, depth),
            c(2, b, 0, 0, depth),
            a,
        ],
    )
}

/// Planar GBR (optionally with alpha): R in plane 2, G in plane 0, B in plane 1.
const fn gbr(name: &'static str, depth: u8, be: bool, alpha: bool) -> PixFmtDescriptor {
    let b = if depth > 8 { 2 } else { 1 };
    let flags = PL
        .or(RGB)
        .or(if be { BE } else { NONE })
        .or(if alpha { A } else { NONE });
    let a = if alpha { c(3, b, 0, 0, depth) } else { Z };
    d(
        name,
        if alpha { 4 } else { 3 },
        0,
        0,
        flags,
        b,
        [
            c(2, b, 0, 0, depth),
            c(0, b, 0, 0, depth),
            c(1, b, 0, 0, depth),
            a,
        ],
    )
}

/// Gray of any depth.
const fn gray(name: &'static str, depth: u8, be: bool) -> PixFmtDescriptor {
    let b = if depth > 8 { 2 } else { 1 };
    d(
        name,
        1,
        0,
        0,
        if be { BE } else { NONE },
        b,
        [c(0, b, 0, 0, depth), Z, Z, Z],
    )
}

/// Semi-planar YUV: Y plane, then interleaved chroma (U first unless `swap`).
const fn semi(
    name: &'static str,
    cw: u8,
    ch: u8,
    depth: u8,
    shift: u8,
    be: bool,
    swap: bool,
) -> PixFmtDescriptor {
    let b = if depth > 8 { 2 } else { 1 };
    let (u, v) = if swap { (b, 0) } else { (0, b) };
    let flags = PL.or(if be { BE } else { NONE });
    d(
        name,
        3,
        cw,
        ch,
        flags,
        b,
        [
            c(0, b, 0, shift, depth),
            c(1, 2 * b, u, shift, depth),
            c(1, 2 * b, v, shift, depth),
            Z,
        ],
    )
}

/// Packed RGB with one element per component: offsets of R, G, B and (if any) A in a pixel of `step` elements.
/// `rgba` are the element offsets of R, G, B and (if any) A.
const fn packed(
    name: &'static str,
    elem: u8,
    step: u8,
    rgba: (u8, u8, u8, Option<u8>),
    be: bool,
) -> PixFmtDescriptor {
    let (r, g, b, a) = rgba;
    let depth = elem * 8;
    let st = step * elem;
    let flags = RGB
        .or(if be { BE } else { NONE })
        .or(if a.is_some() { A } else { NONE });
    let (n, ac) = match a {
        Some(o) => (4, c(0, st, o * elem, 0, depth)),
        None => (3, Z),
    };
    d(
        name,
        n,
        0,
        0,
        flags,
        elem,
        [
            c(0, st, r * elem, 0, depth),
            c(0, st, g * elem, 0, depth),
            c(0, st, b * elem, 0, depth),
            ac,
        ],
    )
}

/// Packed 16-bit RGB words (565, 555): shifts and depths of R, G, B within the word.
const fn word16(
    name: &'static str,
    r: (u8, u8),
    g: (u8, u8),
    b: (u8, u8),
    be: bool,
) -> PixFmtDescriptor {
    let flags = RGB.or(if be { BE } else { NONE });
    d(
        name,
        3,
        0,
        0,
        flags,
        2,
        [
            c(0, 2, 0, r.0, r.1),
            c(0, 2, 0, g.0, g.1),
            c(0, 2, 0, b.0, b.1),
            Z,
        ],
    )
}

macro_rules! pixel_formats {
    ($($(#[$m:meta])* $v:ident => $desc:expr,)*) => {
        /// A pixel format (cf. `enum AVPixelFormat`); names as FFmpeg spells them.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum PixelFormat {
            $($(#[$m])* $v,)*
        }

        static DESCRIPTORS: &[PixFmtDescriptor] = &[$($desc,)*];
        static ALL: &[PixelFormat] = &[$(PixelFormat::$v,)*];
    };
}

pixel_formats! {
    /// Planar YUV 4:2:0, 12 bpp.
    Yuv420p => yuv("yuv420p", 1, 1, 8, false, false),
    /// Packed YUV 4:2:2, Y0 Cb Y1 Cr.
    Yuyv422 => d("yuyv422", 3, 1, 0, NONE, 1, [c(0, 2, 0, 0, 8), c(0, 4, 1, 0, 8), c(0, 4, 3, 0, 8), Z]),
    /// Packed YUV 4:2:2, Y0 Cr Y1 Cb.
    Yvyu422 => d("yvyu422", 3, 1, 0, NONE, 1, [c(0, 2, 0, 0, 8), c(0, 4, 3, 0, 8), c(0, 4, 1, 0, 8), Z]),
    /// Packed YUV 4:2:2, Cb Y0 Cr Y1.
    Uyvy422 => d("uyvy422", 3, 1, 0, NONE, 1, [c(0, 2, 1, 0, 8), c(0, 4, 0, 0, 8), c(0, 4, 2, 0, 8), Z]),
    /// Packed RGB 8:8:8.
    Rgb24 => packed("rgb24", 1, 3, (0, 1, 2, None), false),
    /// Packed BGR 8:8:8.
    Bgr24 => packed("bgr24", 1, 3, (2, 1, 0, None), false),
    /// Planar YUV 4:2:2.
    Yuv422p => yuv("yuv422p", 1, 0, 8, false, false),
    /// Planar YUV 4:4:4.
    Yuv444p => yuv("yuv444p", 0, 0, 8, false, false),
    /// Planar YUV 4:1:0.
    Yuv410p => yuv("yuv410p", 2, 2, 8, false, false),
    /// Planar YUV 4:1:1.
    Yuv411p => yuv("yuv411p", 2, 0, 8, false, false),
    /// Planar YUV 4:4:0.
    Yuv440p => yuv("yuv440p", 0, 1, 8, false, false),
    /// Full-range planar YUV 4:2:0 (JPEG).
    Yuvj420p => yuv("yuvj420p", 1, 1, 8, false, false),
    /// Full-range planar YUV 4:2:2 (JPEG).
    Yuvj422p => yuv("yuvj422p", 1, 0, 8, false, false),
    /// Full-range planar YUV 4:4:4 (JPEG).
    Yuvj444p => yuv("yuvj444p", 0, 0, 8, false, false),
    /// Full-range planar YUV 4:4:0 (JPEG).
    Yuvj440p => yuv("yuvj440p", 0, 1, 8, false, false),
    /// Full-range planar YUV 4:1:1 (JPEG).
    Yuvj411p => yuv("yuvj411p", 2, 0, 8, false, false),
    /// Planar YUV 4:2:0 with alpha.
    Yuva420p => yuv("yuva420p", 1, 1, 8, false, true),
    /// Planar YUV 4:2:2 with alpha.
    Yuva422p => yuv("yuva422p", 1, 0, 8, false, true),
    /// Planar YUV 4:4:4 with alpha.
    Yuva444p => yuv("yuva444p", 0, 0, 8, false, true),
    /// Y plane, interleaved U/V plane, 4:2:0.
    Nv12 => semi("nv12", 1, 1, 8, 0, false, false),
    /// Y plane, interleaved V/U plane, 4:2:0.
    Nv21 => semi("nv21", 1, 1, 8, 0, false, true),
    /// Y plane, interleaved U/V plane, 4:2:2.
    Nv16 => semi("nv16", 1, 0, 8, 0, false, false),
    /// Y plane, interleaved U/V plane, 4:4:4.
    Nv24 => semi("nv24", 0, 0, 8, 0, false, false),
    /// Y plane, interleaved V/U plane, 4:4:4.
    Nv42 => semi("nv42", 0, 0, 8, 0, false, true),
    /// Like nv12 with 10 significant high bits in 16-bit LE words.
    P010le => semi("p010le", 1, 1, 10, 6, false, false),
    /// Like nv12 with 10 significant high bits in 16-bit BE words.
    P010be => semi("p010be", 1, 1, 10, 6, true, false),
    /// Like nv12 with 16-bit LE words.
    P016le => semi("p016le", 1, 1, 16, 0, false, false),
    /// Like nv12 with 16-bit BE words.
    P016be => semi("p016be", 1, 1, 16, 0, true, false),
    /// 8-bit gray.
    Gray => gray("gray", 8, false),
    /// 9-bit gray, LE.
    Gray9le => gray("gray9le", 9, false),
    /// 9-bit gray, BE.
    Gray9be => gray("gray9be", 9, true),
    /// 10-bit gray, LE.
    Gray10le => gray("gray10le", 10, false),
    /// 10-bit gray, BE.
    Gray10be => gray("gray10be", 10, true),
    /// 12-bit gray, LE.
    Gray12le => gray("gray12le", 12, false),
    /// 12-bit gray, BE.
    Gray12be => gray("gray12be", 12, true),
    /// 14-bit gray, LE.
    Gray14le => gray("gray14le", 14, false),
    /// 14-bit gray, BE.
    Gray14be => gray("gray14be", 14, true),
    /// 16-bit gray, LE.
    Gray16le => gray("gray16le", 16, false),
    /// 16-bit gray, BE.
    Gray16be => gray("gray16be", 16, true),
    /// 8-bit gray with alpha.
    Ya8 => d("ya8", 2, 0, 0, A, 1, [c(0, 2, 0, 0, 8), c(0, 2, 1, 0, 8), Z, Z]),
    /// 16-bit gray with alpha, LE.
    Ya16le => d("ya16le", 2, 0, 0, A, 2, [c(0, 4, 0, 0, 16), c(0, 4, 2, 0, 16), Z, Z]),
    /// 16-bit gray with alpha, BE.
    Ya16be => d("ya16be", 2, 0, 0, A.or(BE), 2, [c(0, 4, 0, 0, 16), c(0, 4, 2, 0, 16), Z, Z]),
    /// 1 bpp, 0 is white, 1 is black, most significant bit first.
    Monowhite => d("monow", 1, 0, 0, PixFmtFlags::BITSTREAM, 1, [c(0, 1, 0, 0, 1), Z, Z, Z]),
    /// 1 bpp, 0 is black, 1 is white, most significant bit first.
    Monoblack => d("monob", 1, 0, 0, PixFmtFlags::BITSTREAM, 1, [c(0, 1, 0, 0, 1), Z, Z, Z]),
    /// 8-bit indices into a 256-entry palette of 32-bit ARGB.
    Pal8 => d("pal8", 1, 0, 0, PixFmtFlags::PAL.or(A), 1, [c(0, 1, 0, 0, 8), Z, Z, Z]),
    /// Packed ARGB 8:8:8:8.
    Argb => packed("argb", 1, 4, (1, 2, 3, Some(0)), false),
    /// Packed RGBA 8:8:8:8.
    Rgba => packed("rgba", 1, 4, (0, 1, 2, Some(3)), false),
    /// Packed ABGR 8:8:8:8.
    Abgr => packed("abgr", 1, 4, (3, 2, 1, Some(0)), false),
    /// Packed BGRA 8:8:8:8.
    Bgra => packed("bgra", 1, 4, (2, 1, 0, Some(3)), false),
    /// Packed XRGB, the first byte unused (`0rgb`).
    Zrgb => packed("0rgb", 1, 4, (1, 2, 3, None), false),
    /// Packed RGBX, the last byte unused (`rgb0`).
    Rgb0 => packed("rgb0", 1, 4, (0, 1, 2, None), false),
    /// Packed XBGR, the first byte unused (`0bgr`).
    Zbgr => packed("0bgr", 1, 4, (3, 2, 1, None), false),
    /// Packed BGRX, the last byte unused (`bgr0`).
    Bgr0 => packed("bgr0", 1, 4, (2, 1, 0, None), false),
    /// Packed RGB 5:6:5 in LE words.
    Rgb565le => word16("rgb565le", (11, 5), (5, 6), (0, 5), false),
    /// Packed RGB 5:6:5 in BE words.
    Rgb565be => word16("rgb565be", (11, 5), (5, 6), (0, 5), true),
    /// Packed BGR 5:6:5 in LE words.
    Bgr565le => word16("bgr565le", (0, 5), (5, 6), (11, 5), false),
    /// Packed BGR 5:6:5 in BE words.
    Bgr565be => word16("bgr565be", (0, 5), (5, 6), (11, 5), true),
    /// Packed RGB 5:5:5 in LE words, top bit unused.
    Rgb555le => word16("rgb555le", (10, 5), (5, 5), (0, 5), false),
    /// Packed RGB 5:5:5 in BE words, top bit unused.
    Rgb555be => word16("rgb555be", (10, 5), (5, 5), (0, 5), true),
    /// Packed BGR 5:5:5 in LE words, top bit unused.
    Bgr555le => word16("bgr555le", (0, 5), (5, 5), (10, 5), false),
    /// Packed BGR 5:5:5 in BE words, top bit unused.
    Bgr555be => word16("bgr555be", (0, 5), (5, 5), (10, 5), true),
    /// Packed RGB 16:16:16, LE.
    Rgb48le => packed("rgb48le", 2, 3, (0, 1, 2, None), false),
    /// Packed RGB 16:16:16, BE.
    Rgb48be => packed("rgb48be", 2, 3, (0, 1, 2, None), true),
    /// Packed BGR 16:16:16, LE.
    Bgr48le => packed("bgr48le", 2, 3, (2, 1, 0, None), false),
    /// Packed BGR 16:16:16, BE.
    Bgr48be => packed("bgr48be", 2, 3, (2, 1, 0, None), true),
    /// Packed RGBA 16:16:16:16, LE.
    Rgba64le => packed("rgba64le", 2, 4, (0, 1, 2, Some(3)), false),
    /// Packed RGBA 16:16:16:16, BE.
    Rgba64be => packed("rgba64be", 2, 4, (0, 1, 2, Some(3)), true),
    /// Packed BGRA 16:16:16:16, LE.
    Bgra64le => packed("bgra64le", 2, 4, (2, 1, 0, Some(3)), false),
    /// Packed BGRA 16:16:16:16, BE.
    Bgra64be => packed("bgra64be", 2, 4, (2, 1, 0, Some(3)), true),
    /// Planar GBR 8-bit.
    Gbrp => gbr("gbrp", 8, false, false),
    /// Planar GBR 9-bit, LE.
    Gbrp9le => gbr("gbrp9le", 9, false, false),
    /// Planar GBR 9-bit, BE.
    Gbrp9be => gbr("gbrp9be", 9, true, false),
    /// Planar GBR 10-bit, LE.
    Gbrp10le => gbr("gbrp10le", 10, false, false),
    /// Planar GBR 10-bit, BE.
    Gbrp10be => gbr("gbrp10be", 10, true, false),
    /// Planar GBR 12-bit, LE.
    Gbrp12le => gbr("gbrp12le", 12, false, false),
    /// Planar GBR 12-bit, BE.
    Gbrp12be => gbr("gbrp12be", 12, true, false),
    /// Planar GBR 14-bit, LE.
    Gbrp14le => gbr("gbrp14le", 14, false, false),
    /// Planar GBR 14-bit, BE.
    Gbrp14be => gbr("gbrp14be", 14, true, false),
    /// Planar GBR 16-bit, LE.
    Gbrp16le => gbr("gbrp16le", 16, false, false),
    /// Planar GBR 16-bit, BE.
    Gbrp16be => gbr("gbrp16be", 16, true, false),
    /// Planar GBRA 8-bit.
    Gbrap => gbr("gbrap", 8, false, true),
    /// Planar GBRA 10-bit, LE.
    Gbrap10le => gbr("gbrap10le", 10, false, true),
    /// Planar GBRA 10-bit, BE.
    Gbrap10be => gbr("gbrap10be", 10, true, true),
    /// Planar GBRA 12-bit, LE.
    Gbrap12le => gbr("gbrap12le", 12, false, true),
    /// Planar GBRA 12-bit, BE.
    Gbrap12be => gbr("gbrap12be", 12, true, true),
    /// Planar GBRA 16-bit, LE.
    Gbrap16le => gbr("gbrap16le", 16, false, true),
    /// Planar GBRA 16-bit, BE.
    Gbrap16be => gbr("gbrap16be", 16, true, true),
    /// Planar YUV 4:2:0, 9-bit LE.
    Yuv420p9le => yuv("yuv420p9le", 1, 1, 9, false, false),
    /// Planar YUV 4:2:0, 9-bit BE.
    Yuv420p9be => yuv("yuv420p9be", 1, 1, 9, true, false),
    /// Planar YUV 4:2:2, 9-bit LE.
    Yuv422p9le => yuv("yuv422p9le", 1, 0, 9, false, false),
    /// Planar YUV 4:2:2, 9-bit BE.
    Yuv422p9be => yuv("yuv422p9be", 1, 0, 9, true, false),
    /// Planar YUV 4:4:4, 9-bit LE.
    Yuv444p9le => yuv("yuv444p9le", 0, 0, 9, false, false),
    /// Planar YUV 4:4:4, 9-bit BE.
    Yuv444p9be => yuv("yuv444p9be", 0, 0, 9, true, false),
    /// Planar YUV 4:2:0, 10-bit LE.
    Yuv420p10le => yuv("yuv420p10le", 1, 1, 10, false, false),
    /// Planar YUV 4:2:0, 10-bit BE.
    Yuv420p10be => yuv("yuv420p10be", 1, 1, 10, true, false),
    /// Planar YUV 4:2:2, 10-bit LE.
    Yuv422p10le => yuv("yuv422p10le", 1, 0, 10, false, false),
    /// Planar YUV 4:2:2, 10-bit BE.
    Yuv422p10be => yuv("yuv422p10be", 1, 0, 10, true, false),
    /// Planar YUV 4:4:4, 10-bit LE.
    Yuv444p10le => yuv("yuv444p10le", 0, 0, 10, false, false),
    /// Planar YUV 4:4:4, 10-bit BE.
    Yuv444p10be => yuv("yuv444p10be", 0, 0, 10, true, false),
    /// Planar YUV 4:4:0, 10-bit LE.
    Yuv440p10le => yuv("yuv440p10le", 0, 1, 10, false, false),
    /// Planar YUV 4:4:0, 10-bit BE.
    Yuv440p10be => yuv("yuv440p10be", 0, 1, 10, true, false),
    /// Planar YUV 4:2:0, 12-bit LE.
    Yuv420p12le => yuv("yuv420p12le", 1, 1, 12, false, false),
    /// Planar YUV 4:2:0, 12-bit BE.
    Yuv420p12be => yuv("yuv420p12be", 1, 1, 12, true, false),
    /// Planar YUV 4:2:2, 12-bit LE.
    Yuv422p12le => yuv("yuv422p12le", 1, 0, 12, false, false),
    /// Planar YUV 4:2:2, 12-bit BE.
    Yuv422p12be => yuv("yuv422p12be", 1, 0, 12, true, false),
    /// Planar YUV 4:4:4, 12-bit LE.
    Yuv444p12le => yuv("yuv444p12le", 0, 0, 12, false, false),
    /// Planar YUV 4:4:4, 12-bit BE.
    Yuv444p12be => yuv("yuv444p12be", 0, 0, 12, true, false),
    /// Planar YUV 4:2:0, 14-bit LE.
    Yuv420p14le => yuv("yuv420p14le", 1, 1, 14, false, false),
    /// Planar YUV 4:2:0, 14-bit BE.
    Yuv420p14be => yuv("yuv420p14be", 1, 1, 14, true, false),
    /// Planar YUV 4:2:2, 14-bit LE.
    Yuv422p14le => yuv("yuv422p14le", 1, 0, 14, false, false),
    /// Planar YUV 4:2:2, 14-bit BE.
    Yuv422p14be => yuv("yuv422p14be", 1, 0, 14, true, false),
    /// Planar YUV 4:4:4, 14-bit LE.
    Yuv444p14le => yuv("yuv444p14le", 0, 0, 14, false, false),
    /// Planar YUV 4:4:4, 14-bit BE.
    Yuv444p14be => yuv("yuv444p14be", 0, 0, 14, true, false),
    /// Planar YUV 4:2:0, 16-bit LE.
    Yuv420p16le => yuv("yuv420p16le", 1, 1, 16, false, false),
    /// Planar YUV 4:2:0, 16-bit BE.
    Yuv420p16be => yuv("yuv420p16be", 1, 1, 16, true, false),
    /// Planar YUV 4:2:2, 16-bit LE.
    Yuv422p16le => yuv("yuv422p16le", 1, 0, 16, false, false),
    /// Planar YUV 4:2:2, 16-bit BE.
    Yuv422p16be => yuv("yuv422p16be", 1, 0, 16, true, false),
    /// Planar YUV 4:4:4, 16-bit LE.
    Yuv444p16le => yuv("yuv444p16le", 0, 0, 16, false, false),
    /// Planar YUV 4:4:4, 16-bit BE.
    Yuv444p16be => yuv("yuv444p16be", 0, 0, 16, true, false),
    /// Planar YUV 4:2:0 with alpha, 10-bit LE.
    Yuva420p10le => yuv("yuva420p10le", 1, 1, 10, false, true),
    /// Planar YUV 4:4:4 with alpha, 10-bit LE.
    Yuva444p10le => yuv("yuva444p10le", 0, 0, 10, false, true),
    /// Planar YUV 4:2:0 with alpha, 16-bit LE.
    Yuva420p16le => yuv("yuva420p16le", 1, 1, 16, false, true),
}

impl PixelFormat {
    /// Every pixel format, in declaration order.
    pub fn all() -> &'static [PixelFormat] {
        ALL
    }

    /// The descriptor of this format (cf. `av_pix_fmt_desc_get`).
    pub fn descriptor(self) -> &'static PixFmtDescriptor {
        &DESCRIPTORS[self as usize]
    }

    /// FFmpeg's name (cf. `av_get_pix_fmt_name`).
    pub fn name(self) -> &'static str {
        self.descriptor().name
    }

    /// Looks a format up by FFmpeg's name (cf. `av_get_pix_fmt`).
    ///
    /// Like FFmpeg on a little-endian host, a name without endianness suffix
    /// (`yuv420p10`, `gray16`) picks the LE variant, and `rgb32`/`bgr32`
    /// name `bgra`/`rgba`.
    pub fn from_name(name: &str) -> Result<PixelFormat> {
        let name = match name {
            "rgb32" => "bgra",
            "bgr32" => "rgba",
            "rgb32_1" => "rgba",
            "bgr32_1" => "bgra",
            n => n,
        };
        let find = |n: &str| ALL.iter().copied().find(|f| f.name() == n);
        find(name)
            .or_else(|| find(&format!("{name}le")))
            .ok_or_else(|| Error::UnknownPixelFormat {
                name: name.to_owned(),
            })
    }

    /// True for the `yuvj*` formats, which imply full ("JPEG") range.
    pub fn is_jpeg_range(self) -> bool {
        matches!(
            self,
            Self::Yuvj420p | Self::Yuvj422p | Self::Yuvj444p | Self::Yuvj440p | Self::Yuvj411p
        )
    }

    /// The same layout with the other endianness, if FFmpeg has it
    /// (formats with 8-bit elements are their own swap).
    pub fn swap_endianness(self) -> Option<PixelFormat> {
        let desc = self.descriptor();
        if desc.elem_bytes == 1 {
            return Some(self);
        }
        let name = desc.name;
        let other = if let Some(stem) = name.strip_suffix("le") {
            format!("{stem}be")
        } else if let Some(stem) = name.strip_suffix("be") {
            format!("{stem}le")
        } else {
            return None;
        };
        ALL.iter().copied().find(|f| f.name() == other)
    }
}

impl fmt::Display for PixelFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for PixelFormat {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        PixelFormat::from_name(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        for &f in PixelFormat::all() {
            assert_eq!(PixelFormat::from_name(f.name()).unwrap(), f);
            assert_eq!(f.to_string(), f.name());
        }
        let mut names: Vec<_> = PixelFormat::all().iter().map(|f| f.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), PixelFormat::all().len());
    }

    #[test]
    fn aliases_and_errors() {
        assert_eq!(
            PixelFormat::from_name("yuv420p10").unwrap(),
            PixelFormat::Yuv420p10le
        );
        assert_eq!(
            PixelFormat::from_name("gray16").unwrap(),
            PixelFormat::Gray16le
        );
        assert_eq!(PixelFormat::from_name("rgb32").unwrap(), PixelFormat::Bgra);
        let e = PixelFormat::from_name("yuv421p").unwrap_err();
        assert_eq!(e.to_string(), "unknown pixel format 'yuv421p'");
    }

    #[test]
    fn bits_per_pixel_as_ffmpeg_lists_them() {
        let cases = [
            ("yuv420p", 3, 12, 12),
            ("yuyv422", 3, 16, 16),
            ("rgb24", 3, 24, 24),
            ("rgb0", 3, 24, 32),
            ("rgba", 4, 32, 32),
            ("yuv410p", 3, 9, 9),
            ("yuv411p", 3, 12, 12),
            ("nv12", 3, 12, 12),
            ("p010le", 3, 15, 24),
            ("gray10le", 1, 10, 16),
            ("rgb565le", 3, 16, 16),
            ("rgb555be", 3, 15, 16),
            ("rgb48le", 3, 48, 48),
            ("rgba64be", 4, 64, 64),
            ("yuv420p10le", 3, 15, 24),
            ("yuv444p16le", 3, 48, 48),
            ("gbrp", 3, 24, 24),
            ("gbrap12le", 4, 48, 64),
            ("yuva420p", 4, 20, 20),
            ("pal8", 1, 8, 8),
            ("monow", 1, 1, 1),
            ("ya8", 2, 16, 16),
        ];
        for (name, n, bpp, padded) in cases {
            let d = PixelFormat::from_name(name).unwrap().descriptor();
            assert_eq!(
                (
                    d.nb_components,
                    d.bits_per_pixel(),
                    d.padded_bits_per_pixel()
                ),
                (n, bpp, padded),
                "{name}"
            );
        }
    }

    #[test]
    fn descriptor_properties() {
        let d = PixelFormat::Nv21.descriptor();
        assert_eq!(d.plane_count(), 2);
        assert_eq!((d.comp[1].offset, d.comp[2].offset), (1, 0));
        assert_eq!(PixelFormat::Gbrap.descriptor().plane_count(), 4);
        assert_eq!(PixelFormat::Pal8.descriptor().plane_count(), 1);
        assert!(PixelFormat::Pal8.descriptor().is_paletted());
        assert!(PixelFormat::Gray12le.descriptor().is_gray());
        assert!(PixelFormat::Ya8.descriptor().is_gray());
        assert!(!PixelFormat::Rgb24.descriptor().is_gray());
        assert!(PixelFormat::Yuvj420p.is_jpeg_range());
        assert_eq!(
            PixelFormat::Rgb48le.swap_endianness(),
            Some(PixelFormat::Rgb48be)
        );
        assert_eq!(
            PixelFormat::Yuv420p.swap_endianness(),
            Some(PixelFormat::Yuv420p)
        );
        assert_eq!(PixelFormat::Yuva420p16le.swap_endianness(), None);
        assert_eq!(
            PixelFormat::Uyvy422.descriptor().max_pixel_steps(),
            [4, 0, 0, 0]
        );
        // Every component's element lies within its step.
        for &f in PixelFormat::all() {
            let d = f.descriptor();
            for comp in d.components() {
                assert!(comp.shift + comp.depth <= d.elem_bytes * 8, "{f}");
                if !d.is_bitstream() {
                    assert!(comp.offset + d.elem_bytes <= comp.step, "{f}");
                }
            }
        }
    }
}
