//! YUV matrices and ranges (cf. `sws_setColorspaceDetails`, `sws_getCoefficients`).
//!
//! Luma is `Y = Kr R + Kg G + Kb B` with the constants of each standard; the
//! colour differences are scaled to +-0.5. Limited ("MPEG", "tv") range puts
//! 8-bit Y in 16..235 and chroma in 16..240; full ("JPEG", "pc") range uses
//! 0..255 for both (chroma centred on 128). Higher depths scale these by
//! `2^(depth-8)`, as FFmpeg does.

use avutil::{ColorRange, ColorSpace, PixelFormat};

/// A YUV<->RGB matrix (cf. `SWS_CS_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Matrix {
    /// ITU-R BT.601 (also BT.470BG, SMPTE 170M): FFmpeg's default.
    #[default]
    Bt601,
    /// ITU-R BT.709.
    Bt709,
    /// ITU-R BT.2020 non-constant luminance.
    Bt2020,
    /// SMPTE 240M.
    Smpte240m,
    /// FCC Title 47.
    Fcc,
}

impl Matrix {
    /// `(Kr, Kb)` of the standard.
    pub fn kr_kb(self) -> (f64, f64) {
        match self {
            Matrix::Bt601 => (0.299, 0.114),
            Matrix::Bt709 => (0.2126, 0.0722),
            Matrix::Bt2020 => (0.2627, 0.0593),
            Matrix::Smpte240m => (0.212, 0.087),
            Matrix::Fcc => (0.30, 0.11),
        }
    }

    /// The matrix a frame's `colorspace` names; `None` for unspecified or matrices without one here.
    pub fn from_color_space(cs: ColorSpace) -> Option<Matrix> {
        Some(match cs {
            ColorSpace::Bt709 => Matrix::Bt709,
            ColorSpace::Bt470bg | ColorSpace::Smpte170m => Matrix::Bt601,
            ColorSpace::Bt2020Ncl | ColorSpace::Bt2020Cl => Matrix::Bt2020,
            ColorSpace::Smpte240m => Matrix::Smpte240m,
            ColorSpace::Fcc => Matrix::Fcc,
            _ => return None,
        })
    }

    /// The `ColorSpace` value to tag output frames with.
    pub fn color_space(self) -> ColorSpace {
        match self {
            Matrix::Bt601 => ColorSpace::Smpte170m,
            Matrix::Bt709 => ColorSpace::Bt709,
            Matrix::Bt2020 => ColorSpace::Bt2020Ncl,
            Matrix::Smpte240m => ColorSpace::Smpte240m,
            Matrix::Fcc => ColorSpace::Fcc,
        }
    }

    /// Parses FFmpeg's names (`bt601`, `bt470`, `smpte170m`, `bt709`, `bt2020`, `smpte240m`, `fcc`).
    pub fn from_name(s: &str) -> Option<Matrix> {
        Some(match s {
            "bt601" | "bt470" | "bt470bg" | "smpte170m" | "default" => Matrix::Bt601,
            "bt709" => Matrix::Bt709,
            "bt2020" | "bt2020nc" | "bt2020ncl" => Matrix::Bt2020,
            "smpte240m" => Matrix::Smpte240m,
            "fcc" => Matrix::Fcc,
            _ => return None,
        })
    }
}

/// Colour details of both sides (cf. `sws_setColorspaceDetails`).
///
/// `None` means "from the frame when [`crate::Scaler::scale`] is given one that says,
/// else the default": BT.601, limited range for YUV, full range for `yuvj*`, gray and RGB.
/// As in libswscale, YUV to YUV conversions change the range but not the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub struct ColorDetails {
    /// Matrix of the source, if YUV.
    pub src_matrix: Option<Matrix>,
    /// Matrix of the destination, if YUV.
    pub dst_matrix: Option<Matrix>,
    /// Source is full range.
    pub src_full_range: Option<bool>,
    /// Destination is full range.
    pub dst_full_range: Option<bool>,
}

impl ColorDetails {
    /// Sets both matrices.
    pub fn with_matrices(mut self, src: Matrix, dst: Matrix) -> Self {
        self.src_matrix = Some(src);
        self.dst_matrix = Some(dst);
        self
    }

    /// Sets both ranges (`true` = full/JPEG).
    pub fn with_ranges(mut self, src_full: bool, dst_full: bool) -> Self {
        self.src_full_range = Some(src_full);
        self.dst_full_range = Some(dst_full);
        self
    }
}

/// The default range of a format: full for RGB, gray, paletted, mono and `yuvj*`.
pub(crate) fn default_full_range(fmt: PixelFormat) -> bool {
    let d = fmt.descriptor();
    fmt.is_jpeg_range() || d.is_rgb() || d.is_paletted() || d.is_bitstream() || d.is_gray()
}

pub(crate) fn range_of(r: ColorRange) -> Option<bool> {
    match r {
        ColorRange::Jpeg => Some(true),
        ColorRange::Mpeg => Some(false),
        _ => None,
    }
}

/// Resolved conversion constants in the 16-bit working domain.
///
/// Working values: RGB, alpha and full-range luma are scaled so that the
/// format's maximum is 65535; limited-range luma and all chroma are the code
/// value shifted left to 16 bits (8-bit 16 -> 4096, chroma centre 32768).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Coeffs {
    /// The matrix these constants were built for.
    pub matrix: Matrix,
    /// YUV->RGB, Q16: r = cy*(y-yoff) + crv*(v-32768); g = cy*(y-yoff) - cgu*(u-32768) - cgv*(v-32768); b = cy*(y-yoff) + cbu*(u-32768).
    pub cy: i64,
    pub yoff: i64,
    pub crv: i64,
    pub cgu: i64,
    pub cgv: i64,
    pub cbu: i64,
    /// RGB->YUV, Q16: y = yoff2 + (ry r + gy g + by b); u = 32768 + (ru r + gu g + bu b); v likewise.
    pub yoff2: i64,
    pub ry: i64,
    pub gy: i64,
    pub by: i64,
    pub ru: i64,
    pub gu: i64,
    pub bu: i64,
    pub rv: i64,
    pub gv: i64,
    pub bv: i64,
}

fn q16(x: f64) -> i64 {
    (x * 65536.0).round() as i64
}

impl Coeffs {
    /// Constants for a YUV side with matrix `m` and range `full`.
    pub(crate) fn new(m: Matrix, full: bool) -> Coeffs {
        let (kr, kb) = m.kr_kb();
        let kg = 1.0 - kr - kb;
        // Working units per unit of normalised luma / chroma.
        let (yscale, yoff, cscale) = if full {
            (65535.0, 0.0, 255.0 * 256.0)
        } else {
            (219.0 * 256.0, 4096.0, 224.0 * 256.0)
        };
        let cy = 65535.0 / yscale;
        let cc = 65535.0 / cscale;
        Coeffs {
            matrix: m,
            cy: q16(cy),
            yoff: yoff as i64,
            crv: q16(2.0 * (1.0 - kr) * cc),
            cbu: q16(2.0 * (1.0 - kb) * cc),
            cgu: q16(2.0 * kb * (1.0 - kb) / kg * cc),
            cgv: q16(2.0 * kr * (1.0 - kr) / kg * cc),
            yoff2: yoff as i64,
            ry: q16(kr * yscale / 65535.0),
            gy: q16(kg * yscale / 65535.0),
            by: q16(kb * yscale / 65535.0),
            ru: q16(-kr / (2.0 * (1.0 - kb)) * cscale / 65535.0),
            gu: q16(-kg / (2.0 * (1.0 - kb)) * cscale / 65535.0),
            bu: q16(0.5 * cscale / 65535.0),
            rv: q16(0.5 * cscale / 65535.0),
            gv: q16(-kg / (2.0 * (1.0 - kr)) * cscale / 65535.0),
            bv: q16(-kb / (2.0 * (1.0 - kr)) * cscale / 65535.0),
        }
    }

    #[inline]
    pub(crate) fn yuv_to_rgb(&self, y: i32, u: i32, v: i32) -> (i32, i32, i32) {
        let yy = self.cy * (i64::from(y) - self.yoff);
        let u = i64::from(u) - 32768;
        let v = i64::from(v) - 32768;
        let r = (yy + self.crv * v + 32768) >> 16;
        let g = (yy - self.cgu * u - self.cgv * v + 32768) >> 16;
        let b = (yy + self.cbu * u + 32768) >> 16;
        (r as i32, g as i32, b as i32)
    }

    #[inline]
    pub(crate) fn rgb_to_yuv(&self, r: i32, g: i32, b: i32) -> (i32, i32, i32) {
        let (r, g, b) = (i64::from(r), i64::from(g), i64::from(b));
        let y = self.yoff2 + ((self.ry * r + self.gy * g + self.by * b + 32768) >> 16);
        let u = 32768 + ((self.ru * r + self.gu * g + self.bu * b + 32768) >> 16);
        let v = 32768 + ((self.rv * r + self.gv * g + self.bv * b + 32768) >> 16);
        (y as i32, u as i32, v as i32)
    }
}

/// Converts a luma working value from one range to the other.
#[inline]
pub(crate) fn luma_range(y: i32, from_full: bool, to_full: bool) -> i32 {
    match (from_full, to_full) {
        (false, true) => ((i64::from(y) - 4096) * 65535 / (219 * 256)) as i32,
        (true, false) => (4096 + (i64::from(y) * 219 * 256 + 32767) / 65535) as i32,
        _ => y,
    }
}

/// Converts a chroma working value from one range to the other.
#[inline]
pub(crate) fn chroma_range(c: i32, from_full: bool, to_full: bool) -> i32 {
    match (from_full, to_full) {
        (false, true) => 32768 + ((i64::from(c) - 32768) * 255 / 224) as i32,
        (true, false) => 32768 + ((i64::from(c) - 32768) * 224 / 255) as i32,
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primaries_of_bt601_limited() {
        let c = Coeffs::new(Matrix::Bt601, false);
        // 8-bit (235,128,128) is white, (16,128,128) black.
        assert_eq!(c.yuv_to_rgb(235 << 8, 32768, 32768), (65535, 65535, 65535));
        assert_eq!(c.yuv_to_rgb(16 << 8, 32768, 32768), (0, 0, 0));
        let (y, u, v) = c.rgb_to_yuv(65535, 0, 0);
        // Red: Y 81.5, Cb 90, Cr 240 in 8-bit.
        assert!(((y >> 8) - 81).abs() <= 1, "{y}");
        assert!(((u >> 8) - 90).abs() <= 1, "{u}");
        assert!(((v >> 8) - 240).abs() <= 1, "{v}");
        for m in [
            Matrix::Bt709,
            Matrix::Bt2020,
            Matrix::Smpte240m,
            Matrix::Fcc,
        ] {
            for full in [false, true] {
                let c = Coeffs::new(m, full);
                for rgb in [(65535, 0, 0), (0, 65535, 0), (1000, 30000, 60000)] {
                    let (y, u, v) = c.rgb_to_yuv(rgb.0, rgb.1, rgb.2);
                    let back = c.yuv_to_rgb(y, u, v);
                    assert!((back.0 - rgb.0).abs() < 64, "{m:?} {rgb:?} {back:?}");
                    assert!((back.1 - rgb.1).abs() < 64, "{m:?} {rgb:?} {back:?}");
                    assert!((back.2 - rgb.2).abs() < 64, "{m:?} {rgb:?} {back:?}");
                }
            }
        }
        assert_eq!(luma_range(4096, false, true), 0);
        assert_eq!(luma_range(235 << 8, false, true), 65535);
        assert_eq!(luma_range(65535, true, false), 235 << 8);
        assert_eq!(chroma_range(16 << 8, false, true), 32768 - 128 * 255);
    }
}
