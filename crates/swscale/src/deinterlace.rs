//! Deinterlacing of planar 8-bit YUV/gray pictures (cf. `avpicture_deinterlace`).
//!
//! ```
//! use avutil::{Frame, PixelFormat};
//! use swscale::deinterlace::{Field, bob, linear_blend};
//! let src = Frame::new_video(PixelFormat::Yuv420p, 16, 8).unwrap();
//! let mut dst = Frame::new_video(PixelFormat::Yuv420p, 16, 8).unwrap();
//! linear_blend(&src, &mut dst).unwrap();
//! bob(&src, &mut dst, Field::Top).unwrap();
//! ```

use avutil::{Frame, imgutils};

use crate::error::{Error, Result};

/// Which field `bob` keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// Even lines (0, 2, ...).
    Top,
    /// Odd lines.
    Bottom,
}

fn check(src: &Frame, dst: &Frame) -> Result<(avutil::PixelFormat, usize, usize)> {
    let (Some(s), Some(d)) = (src.video(), dst.video()) else {
        return Err(Error::InvalidArgument {
            what: "deinterlacing needs video frames",
        });
    };
    if s != d {
        return Err(Error::FrameMismatch {
            what: "destination",
            expected: format!("{}x{} {}", s.width, s.height, s.format),
            found: format!("{}x{} {}", d.width, d.height, d.format),
        });
    }
    let desc = s.format.descriptor();
    let ok = (desc.is_planar() || desc.is_gray())
        && !desc.is_rgb()
        && desc.elem_bytes == 1
        && !desc.is_bitstream()
        && !desc.is_paletted()
        && desc.components().iter().all(|c| c.step == 1);
    if !ok {
        return Err(Error::UnsupportedFormat {
            format: s.format,
            what: "deinterlacing input",
        });
    }
    Ok((s.format, s.width, s.height))
}

/// A per-plane kernel: (src, src stride, dst, dst stride, line bytes, rows).
type PlaneFn<'a> = dyn Fn(&[u8], usize, &mut [u8], usize, usize, usize) + 'a;

#[allow(clippy::needless_range_loop)] // planes index several arrays
fn for_planes(src: &Frame, dst: &mut Frame, f: &PlaneFn<'_>) -> Result<()> {
    let (fmt, w, h) = check(src, dst)?;
    let lines = imgutils::line_bytes(fmt, w)?;
    for p in 0..fmt.descriptor().plane_count() {
        let rows = imgutils::plane_height(fmt, p, h);
        let (ss, ds) = (src.stride(p), dst.stride(p));
        f(src.plane(p), ss, dst.plane_mut(p), ds, lines[p], rows);
    }
    Ok(())
}

/// Each line becomes `(above + 2 * line + below + 2) / 4` (edges repeat), the classic
/// "linear blend" that hides combing at the cost of some vertical blur.
pub fn linear_blend(src: &Frame, dst: &mut Frame) -> Result<()> {
    for_planes(src, dst, &|s, ss, d, ds, line, rows| {
        for y in 0..rows {
            let a = &s[y.saturating_sub(1) * ss..][..line];
            let b = &s[y * ss..][..line];
            let c = &s[(y + 1).min(rows - 1) * ss..][..line];
            for (x, o) in d[y * ds..][..line].iter_mut().enumerate() {
                *o = ((u16::from(a[x]) + 2 * u16::from(b[x]) + u16::from(c[x]) + 2) >> 2) as u8;
            }
        }
    })
}

/// Keeps one field and rebuilds the other lines as the average of their neighbours.
pub fn bob(src: &Frame, dst: &mut Frame, field: Field) -> Result<()> {
    let keep = usize::from(field == Field::Bottom);
    for_planes(src, dst, &|s, ss, d, ds, line, rows| {
        for y in 0..rows {
            let out = &mut d[y * ds..][..line];
            if y % 2 == keep || rows == 1 {
                out.copy_from_slice(&s[y * ss..][..line]);
                continue;
            }
            let up = if y >= 1 { y - 1 } else { y + 1 };
            let down = if y + 1 < rows { y + 1 } else { up };
            let (a, b) = (&s[up * ss..][..line], &s[down * ss..][..line]);
            for (x, o) in out.iter_mut().enumerate() {
                *o = ((u16::from(a[x]) + u16::from(b[x]) + 1) >> 1) as u8;
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use avutil::PixelFormat;

    #[test]
    fn blend_and_bob() {
        let mut f = Frame::new_video(PixelFormat::Gray, 2, 4).expect("f");
        let s = f.stride(0);
        for y in 0..4 {
            let v = if y % 2 == 0 { 100 } else { 200 };
            f.plane_mut(0)[y * s..y * s + 2].fill(v);
        }
        let mut d = Frame::new_video(PixelFormat::Gray, 2, 4).expect("f");
        linear_blend(&f, &mut d).expect("blend");
        assert_eq!(d.line(0, 0), [125, 125]);
        assert_eq!(d.line(0, 1), [150, 150]);
        bob(&f, &mut d, Field::Top).expect("bob");
        assert_eq!((d.line(0, 1)[0], d.line(0, 3)[0]), (100, 100));
        bob(&f, &mut d, Field::Bottom).expect("bob");
        assert_eq!((d.line(0, 0)[0], d.line(0, 2)[0]), (200, 200));
        let rgb = Frame::new_video(PixelFormat::Rgb24, 2, 2).expect("f");
        let mut r2 = rgb.clone();
        assert!(linear_blend(&rgb, &mut r2).is_err());
        assert!(linear_blend(&f, &mut r2).is_err());
    }
}
