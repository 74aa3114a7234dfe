//! Pixel format conversion and scaling (cf. libswscale).
//!
//! A [`Scaler`] is built once for a source and destination `(width, height,
//! format)` and [`ScaleFlags`] (parsed from FFmpeg's `-sws_flags` syntax), then
//! converts frame after frame without allocating (cf. `sws_getContext` +
//! `sws_scale`). Every avutil pixel format is accepted as input and every
//! non-paletted one as output; colour matrices (BT.601/709/2020, SMPTE 240M,
//! FCC) and ranges are set with [`ColorDetails`] (cf.
//! `sws_setColorspaceDetails`) or taken from the frames.
//!
//! ```
//! use avutil::{Frame, PixelFormat};
//! use swscale::{ScaleFlags, Scaler};
//!
//! let mut src = Frame::new_video(PixelFormat::Yuv420p, 64, 48).unwrap();
//! src.plane_mut(0).iter_mut().for_each(|y| *y = 235); // white
//! src.plane_mut(1).iter_mut().for_each(|u| *u = 128);
//! src.plane_mut(2).iter_mut().for_each(|v| *v = 128);
//! let flags: ScaleFlags = "bilinear+accurate_rnd".parse().unwrap();
//! let mut scaler = Scaler::new((64, 48, PixelFormat::Yuv420p), (32, 24, PixelFormat::Rgb24), flags).unwrap();
//! let mut dst = Frame::new_video(PixelFormat::Rgb24, 32, 24).unwrap();
//! scaler.scale(&src, &mut dst).unwrap();
//! assert_eq!(&dst.plane(0)[..3], &[255, 255, 255]);
//! ```
//!
//! # Architecture
//! The general path ([`generic`](crate)) unpacks any format into 16-bit
//! working values per component, filters horizontally into a ring of lines
//! with Q14 coefficients, filters vertically, converts colour and packs with
//! rounding or dithering. Hot conversions and 8-bit scaling take fast paths
//! (`fast`), which can split the picture into horizontal bands processed in
//! parallel on a caller-provided rayon pool; their inner loops have AVX2 (and,
//! for 4:2:0 -> packed RGB, AVX-512 VBMI) versions chosen at run time, each
//! with a scalar twin that is the source of truth (see `simd`).
#![deny(unsafe_code)]

mod colorspace;
pub mod deinterlace;
mod error;
mod fast;
mod filter;
mod flags;
mod generic;
mod pixel;
mod simd;

use std::sync::Arc;

use avutil::{ChromaLocation, ColorRange, Frame, PixelFormat, imgutils};

pub use colorspace::{ColorDetails, Matrix};
pub use error::{Error, Result};
pub use flags::{Dither, Filter, ScaleFlags};

use colorspace::{Coeffs, default_full_range, range_of};
use generic::{Colors, Generic};

/// One side (source or destination) of a scaler.
#[derive(Debug, Clone)]
pub(crate) struct Side {
    pub fmt: PixelFormat,
    pub w: usize,
    pub h: usize,
    pub nplanes: usize,
    pub line_bytes: [usize; 4],
    pub rows: [usize; 4],
}

impl Side {
    fn new(what: &'static str, (w, h, fmt): (usize, usize, PixelFormat)) -> Result<Side> {
        if imgutils::check_size(w, h).is_err() {
            return Err(Error::InvalidDimensions {
                what,
                width: w,
                height: h,
            });
        }
        let d = fmt.descriptor();
        let nplanes = d.plane_count();
        let line_bytes = imgutils::line_bytes(fmt, w)?;
        let mut rows = [0; 4];
        for (p, r) in rows.iter_mut().enumerate().take(nplanes) {
            *r = imgutils::plane_height(fmt, p, h);
        }
        let mut side = Side {
            fmt,
            w,
            h,
            nplanes,
            line_bytes,
            rows,
        };
        if d.is_paletted() {
            side.nplanes = 2;
            side.line_bytes[1] = imgutils::PALETTE_SIZE;
            side.rows[1] = 1;
        }
        Ok(side)
    }

    fn describe(&self) -> String {
        format!("{}x{} {}", self.w, self.h, self.fmt)
    }

    fn check(&self, what: &'static str, lens: &[usize], strides: &[usize]) -> Result<()> {
        if lens.len() < self.nplanes || strides.len() < self.nplanes {
            return Err(Error::BadPlane {
                what,
                plane: lens.len().min(strides.len()),
                reason: "missing plane",
                needed: 1,
                available: 0,
            });
        }
        for p in 0..self.nplanes {
            let (line, rows) = (self.line_bytes[p], self.rows[p]);
            if rows > 1 && strides[p] < line {
                return Err(Error::BadPlane {
                    what,
                    plane: p,
                    reason: "stride smaller than a line",
                    needed: line,
                    available: strides[p],
                });
            }
            let need = strides[p]
                .checked_mul(rows.saturating_sub(1))
                .and_then(|x| x.checked_add(line))
                .ok_or(Error::InvalidArgument {
                    what: "plane size overflows",
                })?;
            if lens[p] < need {
                return Err(Error::BadPlane {
                    what,
                    plane: p,
                    reason: "buffer too short",
                    needed: need,
                    available: lens[p],
                });
            }
        }
        Ok(())
    }
}

/// Read access to validated source planes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SrcPlanes<'a> {
    planes: [&'a [u8]; 4],
    strides: [usize; 4],
    line: [usize; 4],
}

impl<'a> SrcPlanes<'a> {
    #[inline]
    pub(crate) fn row(&self, p: usize, y: usize) -> &'a [u8] {
        let s = y * self.strides[p];
        &self.planes[p][s..s + self.line[p]]
    }
    pub(crate) fn plane(&self, p: usize) -> &'a [u8] {
        self.planes[p]
    }
    pub(crate) fn stride(&self, p: usize) -> usize {
        self.strides[p]
    }
}

/// Write access to validated destination planes, one line at a time.
pub(crate) trait Planes {
    /// Line `y` of plane `p`, `len` bytes.
    fn row_mut(&mut self, p: usize, y: usize, len: usize) -> &mut [u8];
    /// Every plane and its stride at once (missing planes empty), so that the planes of a
    /// frame can be written together in one hand-off to a thread pool.
    fn all_mut(&mut self) -> [(&mut [u8], usize); 4];
}

/// Up to 4 planes from an iterator, the rest empty.
fn four<'a>(it: impl Iterator<Item = (&'a mut [u8], usize)>) -> [(&'a mut [u8], usize); 4] {
    let mut out: [(&'a mut [u8], usize); 4] =
        [(&mut [], 0), (&mut [], 0), (&mut [], 0), (&mut [], 0)];
    for (o, p) in out.iter_mut().zip(it) {
        *o = p;
    }
    out
}

struct FrameDst<'a>(&'a mut Frame);

impl Planes for FrameDst<'_> {
    fn row_mut(&mut self, p: usize, y: usize, len: usize) -> &mut [u8] {
        let s = self.0.stride(p);
        &mut self.0.plane_mut(p)[y * s..y * s + len]
    }
    fn all_mut(&mut self) -> [(&mut [u8], usize); 4] {
        four(self.0.planes_mut())
    }
}

struct SliceDst<'a, 'b> {
    planes: &'a mut [&'b mut [u8]],
    strides: &'a [usize],
}

impl Planes for SliceDst<'_, '_> {
    fn row_mut(&mut self, p: usize, y: usize, len: usize) -> &mut [u8] {
        let s = self.strides[p];
        &mut self.planes[p][y * s..y * s + len]
    }
    fn all_mut(&mut self) -> [(&mut [u8], usize); 4] {
        four(
            self.planes
                .iter_mut()
                .map(|p| &mut **p)
                .zip(self.strides.iter().copied()),
        )
    }
}

/// Chroma sample offsets inside their cell, in 1/256 (128 = centred), per axis.
fn siting(loc: ChromaLocation, fmt: PixelFormat) -> (i64, i64) {
    let d = fmt.descriptor();
    let (sw, sh) = (d.log2_chroma_w, d.log2_chroma_h);
    let cos = |s: u8| 128i64 >> s;
    match loc {
        ChromaLocation::Left => (cos(sw), 128),
        ChromaLocation::TopLeft => (cos(sw), cos(sh)),
        ChromaLocation::Top => (128, cos(sh)),
        ChromaLocation::BottomLeft => (cos(sw), 256 - cos(sh)),
        ChromaLocation::Bottom => (128, 256 - cos(sh)),
        _ => (128, 128),
    }
}

/// Converts and scales pictures between two fixed `(width, height, format)`
/// (cf. `SwsContext`). Build once, call [`Scaler::scale`] per frame.
#[derive(Debug)]
pub struct Scaler {
    src: Side,
    dst: Side,
    flags: ScaleFlags,
    details: ColorDetails,
    chroma_loc: (ChromaLocation, ChromaLocation),
    engine: Engine,
    pool: Option<Arc<rayon::ThreadPool>>,
}

#[derive(Debug)]
enum Engine {
    Fast(Box<fast::Fast>),
    Generic(Box<Generic>),
}

impl Scaler {
    /// A scaler from `src` = `(width, height, format)` to `dst` with `flags`
    /// (cf. `sws_getContext`). Fails on zero or huge sizes and on formats
    /// that cannot be written (pal8 output).
    pub fn new(
        src: (usize, usize, PixelFormat),
        dst: (usize, usize, PixelFormat),
        flags: ScaleFlags,
    ) -> Result<Scaler> {
        let src = Side::new("source", src)?;
        let dst = Side::new("destination", dst)?;
        if !generic::supported_input(src.fmt) {
            return Err(Error::UnsupportedFormat {
                format: src.fmt,
                what: "input",
            });
        }
        if !generic::supported_output(dst.fmt) {
            return Err(Error::UnsupportedFormat {
                format: dst.fmt,
                what: "output",
            });
        }
        let mut s = Scaler {
            src,
            dst,
            flags,
            details: ColorDetails::default(),
            chroma_loc: (ChromaLocation::Unspecified, ChromaLocation::Unspecified),
            engine: Engine::Generic(Box::new(Generic::new(
                &Side::new("source", (1, 1, PixelFormat::Gray))?,
                &Side::new("destination", (1, 1, PixelFormat::Gray))?,
                &ScaleFlags::default(),
                [(128, 128); 2],
            ))),
            pool: None,
        };
        s.rebuild();
        if flags.print_info {
            log::info!(
                "swscale: {} -> {} ({}), {}",
                s.src.describe(),
                s.dst.describe(),
                flags,
                s.path_name()
            );
        }
        Ok(s)
    }

    fn rebuild(&mut self) {
        let sit = [
            siting(self.chroma_loc.0, self.src.fmt),
            siting(self.chroma_loc.1, self.dst.fmt),
        ];
        let threads = self.pool.as_ref().map_or(1, |p| p.current_num_threads());
        self.engine = match fast::Fast::new(&self.src, &self.dst, &self.flags, sit, threads) {
            Some(f) => Engine::Fast(Box::new(f)),
            None => Engine::Generic(Box::new(Generic::new(
                &self.src,
                &self.dst,
                &self.flags,
                sit,
            ))),
        };
    }

    /// Name of the path chosen for this conversion (for logs and benchmarks).
    pub fn path_name(&self) -> &'static str {
        match &self.engine {
            Engine::Fast(f) => f.name(),
            Engine::Generic(_) => "generic",
        }
    }

    /// The flags this scaler was built with.
    pub fn flags(&self) -> ScaleFlags {
        self.flags
    }

    /// Source `(width, height, format)`.
    pub fn src(&self) -> (usize, usize, PixelFormat) {
        (self.src.w, self.src.h, self.src.fmt)
    }

    /// Destination `(width, height, format)`.
    pub fn dst(&self) -> (usize, usize, PixelFormat) {
        (self.dst.w, self.dst.h, self.dst.fmt)
    }

    /// Sets matrices and ranges (cf. `sws_setColorspaceDetails`).
    pub fn set_colorspace_details(&mut self, details: ColorDetails) {
        self.details = details;
    }

    /// The colour details set.
    pub fn colorspace_details(&self) -> ColorDetails {
        self.details
    }

    /// Sets the chroma siting of both sides (FFmpeg 5.1's default, `Unspecified`, is centred).
    pub fn set_chroma_location(&mut self, src: ChromaLocation, dst: ChromaLocation) {
        self.chroma_loc = (src, dst);
        self.rebuild();
    }

    /// Runs fast paths in horizontal bands on `pool` (cf. the `threads` option): each frame
    /// is one hand-off to the pool, whose threads share the bands of all planes; the calling
    /// thread waits. `None` runs on the calling thread. Scratch buffers for the pool's threads
    /// are allocated here, not per frame; the output does not depend on the thread count.
    ///
    /// A frame scaled from one of the pool's own threads (e.g. by a pipeline whose loop runs
    /// in [`rayon::ThreadPool::install`]) is not handed off: that thread takes bands itself
    /// and only the others are woken, so back-to-back frames pay no wake-up of the calling
    /// thread (the best case for speed-up; see the `--in-pool` runs in docs/BENCHMARKS.md).
    pub fn set_thread_pool(&mut self, pool: Option<Arc<rayon::ThreadPool>>) {
        self.pool = pool;
        self.rebuild();
    }

    fn colors(&self, src_frame: Option<&Frame>, dst_frame: Option<&Frame>) -> Colors {
        let sf = self.src.fmt;
        let df = self.dst.fmt;
        let src_full = self
            .details
            .src_full_range
            .or_else(|| src_frame.and_then(|f| range_of(f.color_range)))
            .unwrap_or_else(|| default_full_range(sf));
        let dst_full = self
            .details
            .dst_full_range
            .or_else(|| {
                dst_frame
                    .filter(|_| df.is_jpeg_range())
                    .and_then(|f| range_of(f.color_range))
            })
            .unwrap_or_else(|| default_full_range(df));
        let src_m = self
            .details
            .src_matrix
            .or_else(|| src_frame.and_then(|f| Matrix::from_color_space(f.colorspace)))
            .unwrap_or_default();
        let dst_m = self.details.dst_matrix.unwrap_or(src_m);
        // RGB-like sides are always full range.
        let src_full = src_full || !is_yuv(sf);
        let dst_full = dst_full || !is_yuv(df);
        Colors {
            src_full,
            dst_full,
            src: Coeffs::new(src_m, src_full),
            dst: Coeffs::new(dst_m, dst_full),
        }
    }

    /// Converts `src` into `dst` (cf. `sws_scale_frame`). Both must be video
    /// frames with the sizes and formats the scaler was built for. The
    /// source's `color_range` and `colorspace` are used where
    /// [`ColorDetails`] leaves them open; the destination's colour fields are
    /// set to what was produced.
    pub fn scale(&mut self, src: &Frame, dst: &mut Frame) -> Result<()> {
        self.check_frame("source", src, &self.src)?;
        self.check_frame("destination", dst, &self.dst)?;
        let colors = self.colors(Some(src), Some(dst));
        let mut lens = [0usize; 4];
        let mut strides = [0usize; 4];
        let mut planes: [&[u8]; 4] = [&[]; 4];
        for p in 0..src.planes().min(4) {
            planes[p] = src.plane(p);
            lens[p] = planes[p].len();
            strides[p] = src.stride(p);
        }
        self.src.check(
            "source",
            &lens[..src.planes().min(4)],
            &strides[..src.planes().min(4)],
        )?;
        let mut dlens = [0usize; 4];
        let mut dstrides = [0usize; 4];
        for p in 0..dst.planes().min(4) {
            dlens[p] = dst.plane(p).len();
            dstrides[p] = dst.stride(p);
        }
        self.dst.check(
            "destination",
            &dlens[..dst.planes().min(4)],
            &dstrides[..dst.planes().min(4)],
        )?;
        let sp = SrcPlanes {
            planes,
            strides,
            line: self.src.line_bytes,
        };
        let full = colors.dst_full;
        self.run(&sp, &mut FrameDst(dst), &colors);
        if is_yuv(self.dst.fmt) {
            dst.color_range = if full {
                ColorRange::Jpeg
            } else {
                ColorRange::Mpeg
            };
        } else {
            dst.color_range = ColorRange::Jpeg;
        }
        Ok(())
    }

    /// Converts raw planes (cf. `sws_scale`): `src[p]`/`dst[p]` start at line 0 of
    /// plane `p` and have `*_strides[p]` bytes between lines. For pal8 input,
    /// `src[1]` is the 1024-byte palette.
    pub fn scale_planes(
        &mut self,
        src: &[&[u8]],
        src_strides: &[usize],
        dst: &mut [&mut [u8]],
        dst_strides: &[usize],
    ) -> Result<()> {
        let lens: Vec<usize> = Vec::new();
        drop(lens);
        let mut slens = [0usize; 4];
        for (l, s) in slens.iter_mut().zip(src) {
            *l = s.len();
        }
        let ns = src.len().min(4);
        self.src.check(
            "source",
            &slens[..ns],
            &src_strides[..src_strides.len().min(4)],
        )?;
        let mut dlens = [0usize; 4];
        for (l, d) in dlens.iter_mut().zip(dst.iter()) {
            *l = d.len();
        }
        let nd = dst.len().min(4);
        self.dst.check(
            "destination",
            &dlens[..nd],
            &dst_strides[..dst_strides.len().min(4)],
        )?;
        let mut planes: [&[u8]; 4] = [&[]; 4];
        let mut strides = [0usize; 4];
        planes[..ns].copy_from_slice(&src[..ns]);
        strides[..ns].copy_from_slice(&src_strides[..ns]);
        let sp = SrcPlanes {
            planes,
            strides,
            line: self.src.line_bytes,
        };
        let colors = self.colors(None, None);
        self.run(
            &sp,
            &mut SliceDst {
                planes: dst,
                strides: dst_strides,
            },
            &colors,
        );
        Ok(())
    }

    fn run<P: Planes>(&mut self, sp: &SrcPlanes<'_>, dst: &mut P, colors: &Colors) {
        match &mut self.engine {
            Engine::Fast(f) => {
                if !f.run(sp, dst, colors, self.pool.as_deref()) {
                    // The fast path cannot do these colours: fall back (built once, kept).
                    let sit = [
                        siting(self.chroma_loc.0, self.src.fmt),
                        siting(self.chroma_loc.1, self.dst.fmt),
                    ];
                    let mut g = Box::new(Generic::new(&self.src, &self.dst, &self.flags, sit));
                    g.run(sp, dst, colors);
                    self.engine = Engine::Generic(g);
                }
            }
            Engine::Generic(g) => g.run(sp, dst, colors),
        }
    }

    fn check_frame(&self, what: &'static str, f: &Frame, side: &Side) -> Result<()> {
        match f.video() {
            Some(v) if v.format == side.fmt && v.width == side.w && v.height == side.h => Ok(()),
            Some(v) => Err(Error::FrameMismatch {
                what,
                expected: side.describe(),
                found: format!("{}x{} {}", v.width, v.height, v.format),
            }),
            None => Err(Error::FrameMismatch {
                what,
                expected: side.describe(),
                found: "audio".into(),
            }),
        }
    }
}

fn is_yuv(fmt: PixelFormat) -> bool {
    let d = fmt.descriptor();
    !d.is_rgb() && !d.is_paletted() && !d.is_gray() && !d.is_bitstream()
}
