//! Image layout helpers (cf. `av_image_fill_linesizes`, `av_image_get_buffer_size`,
//! `av_image_fill_arrays`, `av_image_copy_plane`, `av_image_copy_to_buffer`).
//!
//! Planes of subsampled chroma have `ceil(w / 2^log2_chroma_w)` columns and
//! `ceil(h / 2^log2_chroma_h)` rows; the alpha plane (plane 3) is full size.
//! For pal8, the palette (256 entries of 4 bytes, `0xAARRGGBB` stored
//! little-endian, i.e. B G R A in memory, as FFmpeg on little-endian hosts)
//! follows the index plane.

use crate::error::{Error, Result};
use crate::pixfmt::PixelFormat;

/// Size in bytes of the pal8 palette.
pub const PALETTE_SIZE: usize = 256 * 4;

/// `ceil(x / 2^shift)` (cf. `AV_CEIL_RSHIFT`).
pub const fn ceil_rshift(x: usize, shift: u8) -> usize {
    x.div_ceil(1 << shift)
}

/// Rounds `x` up to a multiple of `align` (which must be a power of two, or 0/1 for none).
pub fn align_up(x: usize, align: usize) -> Option<usize> {
    if align <= 1 {
        return Some(x);
    }
    Some(x.checked_add(align - 1)? / align * align)
}

/// Checks that a picture size is usable (cf. `av_image_check_size`): both
/// dimensions positive and `(w + 128) * (h + 128) < i32::MAX / 8`.
pub fn check_size(width: usize, height: usize) -> Result<()> {
    let ok = width > 0
        && height > 0
        && (width as u64)
            .saturating_add(128)
            .saturating_mul((height as u64).saturating_add(128))
            < (i32::MAX / 8) as u64;
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidDimensions { width, height })
    }
}

/// Width in columns of plane `plane` for a picture `width` wide.
pub fn plane_width(fmt: PixelFormat, plane: usize, width: usize) -> usize {
    let d = fmt.descriptor();
    if (plane == 1 || plane == 2) && !d.is_paletted() {
        ceil_rshift(width, d.log2_chroma_w)
    } else {
        width
    }
}

/// Height in rows of plane `plane` for a picture `height` high.
pub fn plane_height(fmt: PixelFormat, plane: usize, height: usize) -> usize {
    let d = fmt.descriptor();
    if (plane == 1 || plane == 2) && !d.is_paletted() {
        ceil_rshift(height, d.log2_chroma_h)
    } else {
        height
    }
}

/// Bytes of pixel data in one line of each plane, without alignment (cf. `av_image_fill_linesizes`).
///
/// A plane's line holds `ceil(w / 2^s)` pixels of its widest step, where `s`
/// is the chroma shift if the component with that step is a chroma
/// component (so a yuyv422 line of width 5 holds 3 four-byte pairs).
pub fn line_bytes(fmt: PixelFormat, width: usize) -> Result<[usize; 4]> {
    let d = fmt.descriptor();
    // Widest step of each plane and the first component having it.
    let mut widest = [(0usize, 0usize); 4];
    for (i, c) in d.components().iter().enumerate() {
        let p = usize::from(c.plane);
        if usize::from(c.step) > widest[p].0 {
            widest[p] = (usize::from(c.step), i);
        }
    }
    let mut out = [0usize; 4];
    for (p, out) in out.iter_mut().enumerate().take(d.plane_count()) {
        let (step, comp) = widest[p];
        let w = if comp == 1 || comp == 2 {
            ceil_rshift(width, d.log2_chroma_w)
        } else {
            width
        };
        let bytes = w
            .checked_mul(step)
            .ok_or(Error::Overflow { what: "line size" })?;
        *out = if d.is_bitstream() {
            bytes.div_ceil(8)
        } else {
            bytes
        };
    }
    Ok(out)
}

/// Where each plane of an image lives in one contiguous buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageLayout {
    /// Number of planes, including the pal8 palette.
    pub planes: usize,
    /// Distance between lines of each plane, in bytes (the palette's is 4).
    pub linesize: [usize; 4],
    /// Offset of each plane from the start of the buffer.
    pub offset: [usize; 4],
    /// Size in bytes of each plane.
    pub size: [usize; 4],
    /// Total size in bytes.
    pub total: usize,
}

/// The layout of a `width`x`height` image of `fmt` with each line aligned to
/// `align` bytes (cf. `av_image_fill_arrays`; `align = 1` packs tightly).
pub fn layout(fmt: PixelFormat, width: usize, height: usize, align: usize) -> Result<ImageLayout> {
    check_size(width, height)?;
    if align > 1 && !align.is_power_of_two() {
        return Err(Error::InvalidArgument {
            what: "alignment must be a power of two",
        });
    }
    let d = fmt.descriptor();
    let lines = line_bytes(fmt, width)?;
    let mut l = ImageLayout {
        planes: d.plane_count(),
        linesize: [0; 4],
        offset: [0; 4],
        size: [0; 4],
        total: 0,
    };
    let overflow = Error::Overflow {
        what: "image buffer",
    };
    for (p, &line) in lines.iter().enumerate().take(l.planes) {
        l.linesize[p] = align_up(line, align).ok_or(overflow.clone())?;
        l.size[p] = l.linesize[p]
            .checked_mul(plane_height(fmt, p, height))
            .ok_or(overflow.clone())?;
    }
    if d.is_paletted() {
        l.planes = 2;
        l.linesize[1] = 4;
        l.size[1] = PALETTE_SIZE;
    }
    let mut pos = 0usize;
    for p in 0..l.planes {
        if d.is_paletted() && p == 1 {
            pos = align_up(pos, 4).ok_or(overflow.clone())?;
        }
        l.offset[p] = pos;
        pos = pos.checked_add(l.size[p]).ok_or(overflow.clone())?;
    }
    l.total = pos;
    if l.total > i32::MAX as usize {
        return Err(overflow);
    }
    Ok(l)
}

/// Bytes needed to store an image with lines aligned to `align` (cf. `av_image_get_buffer_size`).
pub fn buffer_size(fmt: PixelFormat, width: usize, height: usize, align: usize) -> Result<usize> {
    Ok(layout(fmt, width, height, align)?.total)
}

/// Copies `height` lines of `bytewidth` bytes between two planes with their own strides
/// (cf. `av_image_copy_plane`).
pub fn copy_plane(
    dst: &mut [u8],
    dst_stride: usize,
    src: &[u8],
    src_stride: usize,
    bytewidth: usize,
    height: usize,
) -> Result<()> {
    if height == 0 || bytewidth == 0 {
        return Ok(());
    }
    let need = |stride: usize| -> Result<usize> {
        if stride < bytewidth {
            return Err(Error::InvalidArgument {
                what: "stride smaller than the line width",
            });
        }
        stride
            .checked_mul(height - 1)
            .and_then(|x| x.checked_add(bytewidth))
            .ok_or(Error::Overflow { what: "plane size" })
    };
    let (nd, ns) = (need(dst_stride)?, need(src_stride)?);
    if dst.len() < nd {
        return Err(Error::BufferTooSmall {
            what: "destination plane",
            needed: nd,
            available: dst.len(),
        });
    }
    if src.len() < ns {
        return Err(Error::BufferTooSmall {
            what: "source plane",
            needed: ns,
            available: src.len(),
        });
    }
    if dst_stride == src_stride && dst_stride == bytewidth {
        dst[..nd].copy_from_slice(&src[..nd]);
        return Ok(());
    }
    for y in 0..height {
        dst[y * dst_stride..y * dst_stride + bytewidth]
            .copy_from_slice(&src[y * src_stride..y * src_stride + bytewidth]);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use PixelFormat as P;

    #[test]
    fn buffer_sizes_match_ffmpeg() {
        // Values of av_image_get_buffer_size.
        assert_eq!(buffer_size(P::Yuv420p, 352, 288, 1).unwrap(), 152064);
        assert_eq!(buffer_size(P::Yuv420p, 3, 3, 1).unwrap(), 9 + 4 + 4);
        assert_eq!(
            buffer_size(P::Yuv420p, 3, 3, 32).unwrap(),
            32 * 3 + 32 * 2 * 2
        );
        assert_eq!(buffer_size(P::Rgb24, 5, 2, 1).unwrap(), 30);
        assert_eq!(buffer_size(P::Rgb24, 5, 2, 4).unwrap(), 32);
        assert_eq!(buffer_size(P::Nv12, 5, 5, 1).unwrap(), 25 + 6 * 3);
        assert_eq!(buffer_size(P::Yuyv422, 5, 1, 1).unwrap(), 12);
        assert_eq!(buffer_size(P::Pal8, 3, 3, 1).unwrap(), 9 + 3 + 1024);
        assert_eq!(buffer_size(P::Monowhite, 9, 2, 1).unwrap(), 4);
        assert_eq!(buffer_size(P::Yuv420p10le, 4, 4, 1).unwrap(), 32 + 8 + 8);
        assert_eq!(buffer_size(P::Yuva420p, 2, 2, 1).unwrap(), 4 + 1 + 1 + 4);
        assert_eq!(buffer_size(P::Yuv410p, 5, 5, 1).unwrap(), 25 + 4 + 4);
        assert_eq!(buffer_size(P::Gbrap, 2, 1, 1).unwrap(), 8);
    }

    #[test]
    fn layout_of_pal8_aligns_palette() {
        let l = layout(P::Pal8, 3, 3, 1).unwrap();
        assert_eq!(l.planes, 2);
        assert_eq!(l.offset[1], 12);
        assert_eq!(l.total, 12 + 1024);
    }

    #[test]
    fn bad_sizes() {
        assert!(check_size(0, 10).is_err());
        assert!(check_size(100_000, 100_000).is_err());
        assert!(layout(P::Yuv420p, 16, 16, 3).is_err());
        assert!(buffer_size(P::Rgb24, usize::MAX, 1, 1).is_err());
        let e = check_size(0, 5).unwrap_err();
        assert_eq!(e.to_string(), "invalid picture dimensions 0x5");
    }

    #[test]
    fn copy_plane_checks_bounds() {
        let src: Vec<u8> = (0..12).collect();
        let mut dst = vec![0u8; 8];
        copy_plane(&mut dst, 4, &src, 6, 3, 2).unwrap();
        assert_eq!(dst, [0, 1, 2, 0, 6, 7, 8, 0]);
        assert!(copy_plane(&mut dst, 4, &src, 6, 3, 3).is_err());
        assert!(copy_plane(&mut dst, 2, &src, 6, 3, 1).is_err());
        let mut tight = vec![0u8; 12];
        copy_plane(&mut tight, 6, &src, 6, 6, 2).unwrap();
        assert_eq!(tight, src);
    }
}
