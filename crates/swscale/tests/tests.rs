//! Integration tests of `swscale`: references made by ffmpeg 5.1 (fixtures/swscale,
//! see generate.sh), round trips, odd sizes, bad input, threads, allocation.
//! The live comparison against the installed ffmpeg runs with `SWSCALE_LIVE=1`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use avutil::{Buffer, Frame, PixelFormat, imgutils};
use swscale::{ColorDetails, Error, Filter, ScaleFlags, Scaler};

// ------------------------------------------------------------ allocation counter

struct Counting;
thread_local! {
    static ALLOCS: Cell<usize> = const { Cell::new(0) };
}
thread_local! {
    /// Whether this thread's allocations count in `POOL_ALLOCS` (a test's thread and its pool).
    static TRACKED: Cell<bool> = const { Cell::new(false) };
}
/// Allocations on the tracked threads.
static POOL_ALLOCS: AtomicUsize = AtomicUsize::new(0);
// SAFETY: forwards to the system allocator; only counts.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
        if TRACKED.try_with(|t| t.get()).unwrap_or(false) {
            POOL_ALLOCS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(p, l) }
    }
}
#[global_allocator]
static GLOBAL: Counting = Counting;

// ------------------------------------------------------------ helpers

fn fixture(name: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/swscale")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// A frame (lines aligned like a decoder's) from tightly packed bytes.
fn frame_from(fmt: PixelFormat, w: usize, h: usize, data: &[u8]) -> Frame {
    let tight =
        Frame::video_from_buffer(fmt, w, h, &Buffer::from_slice(data), 1).expect("tight frame");
    let mut f = Frame::new_video(fmt, w, h).expect("frame");
    let d = fmt.descriptor();
    for p in 0..tight.planes() {
        if d.is_paletted() && p == 1 {
            f.plane_mut(1)[..1024].copy_from_slice(&tight.plane(1)[..1024]);
            continue;
        }
        let rows = imgutils::plane_height(fmt, p, h);
        let line = tight.line(p, 0).len();
        let (ds, ss) = (f.stride(p), tight.stride(p));
        let src = tight.plane(p).to_vec();
        imgutils::copy_plane(f.plane_mut(p), ds, &src, ss, line, rows).expect("copy");
    }
    f
}

fn convert(src: &Frame, dst: (usize, usize, PixelFormat), flags: &str) -> Frame {
    let v = src.video().expect("video");
    let mut s = Scaler::new(
        (v.width, v.height, v.format),
        dst,
        flags.parse().expect("flags"),
    )
    .expect("scaler");
    let mut out = Frame::new_video(dst.2, dst.0, dst.1).expect("dst");
    s.scale(src, &mut out).expect("scale");
    out
}

/// Every component of every pixel, as code values (non-bitstream formats).
fn components(fmt: PixelFormat, w: usize, h: usize, bytes: &[u8]) -> Vec<(u32, Vec<u32>)> {
    let d = fmt.descriptor();
    let l = imgutils::layout(fmt, w, h, 1).expect("layout");
    let mut out = Vec::new();
    for (i, c) in d.components().iter().enumerate() {
        let chroma = i == 1 || i == 2;
        let cw = if chroma && !d.is_rgb() {
            w.div_ceil(1 << d.log2_chroma_w)
        } else {
            w
        };
        let ch = if chroma && !d.is_rgb() {
            h.div_ceil(1 << d.log2_chroma_h)
        } else {
            h
        };
        let p = usize::from(c.plane);
        let mut vals = Vec::with_capacity(cw * ch);
        for y in 0..ch {
            for x in 0..cw {
                let at = l.offset[p]
                    + y * l.linesize[p]
                    + x * usize::from(c.step)
                    + usize::from(c.offset);
                let e = if d.elem_bytes == 1 {
                    u32::from(bytes[at])
                } else if d.is_big_endian() {
                    u32::from(u16::from_be_bytes([bytes[at], bytes[at + 1]]))
                } else {
                    u32::from(u16::from_le_bytes([bytes[at], bytes[at + 1]]))
                };
                vals.push((e >> c.shift) & ((1 << c.depth) - 1));
            }
        }
        out.push(((1u32 << c.depth) - 1, vals));
    }
    out
}

/// (worst PSNR over components, max abs difference).
fn compare(fmt: PixelFormat, w: usize, h: usize, a: &[u8], b: &[u8]) -> (f64, u32) {
    let ca = components(fmt, w, h, a);
    let cb = components(fmt, w, h, b);
    let mut worst = f64::INFINITY;
    let mut maxd = 0;
    for ((peak, x), (_, y)) in ca.iter().zip(&cb) {
        let mut se = 0f64;
        for (&p, &q) in x.iter().zip(y) {
            let d = p.abs_diff(q);
            maxd = maxd.max(d);
            se += f64::from(d) * f64::from(d);
        }
        let mse = se / x.len() as f64;
        let psnr = if mse == 0.0 {
            99.0
        } else {
            10.0 * (f64::from(*peak) * f64::from(*peak) / mse).log10()
        };
        worst = worst.min(psnr);
    }
    (worst, maxd)
}

fn pattern() -> Frame {
    frame_from(PixelFormat::Yuv420p, 64, 36, &fixture("src_64x36.yuv420p"))
}

/// A deterministic RGB picture with gradients and edges.
fn rgb_picture(w: usize, h: usize) -> Frame {
    let mut data = Vec::with_capacity(w * h * 3);
    for y in 0..h {
        for x in 0..w {
            data.push((x * 255 / w.max(1)) as u8);
            data.push((y * 255 / h.max(1)) as u8);
            data.push(if (x / 7 + y / 5) % 2 == 0 { 40 } else { 210 });
        }
    }
    frame_from(PixelFormat::Rgb24, w, h, &data)
}

// ------------------------------------------------------------ against ffmpeg's references

#[test]
fn conversions_match_ffmpeg_references() {
    let src = pattern();
    let flags = "bilinear+accurate_rnd+full_chroma_int";
    for (fmt, min_psnr) in [
        (PixelFormat::Rgb24, 45.0),
        (PixelFormat::Bgra, 45.0),
        (PixelFormat::Yuv444p, 45.0),
        (PixelFormat::Nv12, 60.0),
        (PixelFormat::Gray, 60.0),
        (PixelFormat::Yuv420p10le, 60.0),
        (PixelFormat::Rgb565le, 30.0), // ordered dither differs from ffmpeg's 2x2 one
    ] {
        let ours = convert(&src, (64, 36, fmt), flags).to_packed_bytes();
        let theirs = fixture(&format!("to_{}.{flags}.raw", fmt.name()));
        let (psnr, maxd) = compare(fmt, 64, 36, &ours, &theirs);
        eprintln!("yuv420p -> {fmt}: PSNR {psnr:.2} dB, max diff {maxd}");
        assert!(psnr >= min_psnr, "{fmt}: {psnr}");
    }
    // Default flags take the unscaled fast path (chroma replicated like ffmpeg's).
    let ours = convert(&src, (64, 36, PixelFormat::Rgb24), "bicubic").to_packed_bytes();
    let (psnr, maxd) = compare(
        PixelFormat::Rgb24,
        64,
        36,
        &ours,
        &fixture("to_rgb24.default.raw"),
    );
    eprintln!("yuv420p -> rgb24 default: PSNR {psnr:.2} dB, max diff {maxd}");
    assert!(psnr >= 40.0 && maxd <= 4);
    // And back from ffmpeg's rgb24.
    let rgb = frame_from(PixelFormat::Rgb24, 64, 36, &fixture("src_64x36.rgb24"));
    let ours = convert(&rgb, (64, 36, PixelFormat::Yuv420p), flags).to_packed_bytes();
    let (psnr, _) = compare(
        PixelFormat::Yuv420p,
        64,
        36,
        &ours,
        &fixture(&format!("rgb24_to_yuv420p.{flags}.raw")),
    );
    eprintln!("rgb24 -> yuv420p: PSNR {psnr:.2} dB");
    assert!(psnr >= 40.0);
}

#[test]
fn scaling_matches_ffmpeg_references() {
    let src = pattern();
    for filter in ["bicubic", "bilinear", "lanczos", "neighbor"] {
        for (w, h) in [(32, 18), (128, 72), (33, 19)] {
            let ours = convert(&src, (w, h, PixelFormat::Yuv420p), filter).to_packed_bytes();
            let theirs = fixture(&format!("scale_{w}x{h}.{filter}.raw"));
            let (psnr, maxd) = compare(PixelFormat::Yuv420p, w, h, &ours, &theirs);
            eprintln!("{filter} 64x36 -> {w}x{h}: PSNR {psnr:.2} dB, max diff {maxd}");
            let min = if filter == "neighbor" { 45.0 } else { 35.0 };
            assert!(psnr >= min, "{filter} {w}x{h}: {psnr}");
        }
    }
}

// ------------------------------------------------------------ round trips

#[test]
fn yuv_rgb_yuv_round_trip_within_2() {
    let rgb = rgb_picture(67, 41);
    let flags = "bilinear+accurate_rnd+full_chroma_int";
    let yuv = convert(&rgb, (67, 41, PixelFormat::Yuv444p), flags);
    let back_rgb = convert(&yuv, (67, 41, PixelFormat::Rgb24), flags);
    let back = convert(&back_rgb, (67, 41, PixelFormat::Yuv444p), flags);
    let (_, maxd) = compare(
        PixelFormat::Yuv444p,
        67,
        41,
        &yuv.to_packed_bytes(),
        &back.to_packed_bytes(),
    );
    assert!(maxd <= 2, "max diff {maxd}");
}

#[test]
fn ten_to_sixteen_to_ten_is_exact() {
    let mut data = Vec::new();
    let (w, h): (usize, usize) = (37, 21);
    let n = w * h + 2 * w.div_ceil(2) * h.div_ceil(2);
    for i in 0..n {
        data.extend_from_slice(&(((i * 37) % 1024) as u16).to_le_bytes());
    }
    let f = frame_from(PixelFormat::Yuv420p10le, w, h, &data);
    let g = convert(&f, (w, h, PixelFormat::Yuv420p16le), "bicubic");
    let back = convert(&g, (w, h, PixelFormat::Yuv420p10le), "bicubic");
    assert_eq!(back.to_packed_bytes(), data);
    let gbe = convert(&f, (w, h, PixelFormat::Yuv420p10be), "bicubic");
    assert_eq!(
        convert(&gbe, (w, h, PixelFormat::Yuv420p10le), "bicubic").to_packed_bytes(),
        data
    );
}

#[test]
fn packing_conversions_are_exact() {
    let src = pattern();
    let nv = convert(&src, (64, 36, PixelFormat::Nv12), "bicubic");
    assert_eq!(
        convert(&nv, (64, 36, PixelFormat::Yuv420p), "bicubic").to_packed_bytes(),
        src.to_packed_bytes()
    );
    let nv21 = convert(&src, (64, 36, PixelFormat::Nv21), "bicubic");
    assert_eq!(
        convert(&nv21, (64, 36, PixelFormat::Yuv420p), "bicubic").to_packed_bytes(),
        src.to_packed_bytes()
    );
    let rgb = rgb_picture(31, 7);
    let bgr = convert(&rgb, (31, 7, PixelFormat::Bgr24), "bicubic");
    let rgba = convert(&bgr, (31, 7, PixelFormat::Rgba), "bicubic");
    let gbrp = convert(&rgba, (31, 7, PixelFormat::Gbrp), "bicubic");
    let rgb48 = convert(&gbrp, (31, 7, PixelFormat::Rgb48be), "bicubic");
    let back = convert(&rgb48, (31, 7, PixelFormat::Rgb24), "bicubic");
    assert_eq!(back.to_packed_bytes(), rgb.to_packed_bytes());
    assert!(rgba.to_packed_bytes().chunks(4).all(|p| p[3] == 255));
    let yuyv = convert(
        &convert(&src, (64, 36, PixelFormat::Yuv422p), "neighbor"),
        (64, 36, PixelFormat::Yuyv422),
        "bicubic",
    );
    let uyvy = convert(&yuyv, (64, 36, PixelFormat::Uyvy422), "bicubic");
    let p422 = convert(&uyvy, (64, 36, PixelFormat::Yuv422p), "bicubic");
    assert_eq!(
        convert(&p422, (64, 36, PixelFormat::Yuyv422), "bicubic").to_packed_bytes(),
        yuyv.to_packed_bytes()
    );
}

// ------------------------------------------------------------ every format, odd sizes

#[test]
fn every_format_pair_at_odd_sizes_without_panic() {
    let fmts: Vec<PixelFormat> = PixelFormat::all().to_vec();
    for &(w, h) in &[(1, 1), (3, 5), (17, 3)] {
        for &sf in &fmts {
            let size = imgutils::buffer_size(sf, w, h, 1).expect("size");
            let data: Vec<u8> = (0..size).map(|i| (i * 73 % 251) as u8).collect();
            let src = frame_from(sf, w, h, &data);
            for &df in &fmts {
                if df.descriptor().is_paletted() {
                    assert!(matches!(
                        Scaler::new((w, h, sf), (w, h, df), ScaleFlags::default()),
                        Err(Error::UnsupportedFormat { .. })
                    ));
                    continue;
                }
                for (dw, dh) in [(w, h), (w + 2, h * 2 + 1)] {
                    let mut s = Scaler::new((w, h, sf), (dw, dh, df), ScaleFlags::default())
                        .expect("scaler");
                    let mut out = Frame::new_video(df, dw, dh).expect("dst");
                    s.scale(&src, &mut out)
                        .unwrap_or_else(|e| panic!("{sf}->{df} {w}x{h}: {e}"));
                }
            }
        }
    }
}

#[test]
fn same_format_same_size_is_identity_for_every_format() {
    for &f in PixelFormat::all() {
        if f.descriptor().is_paletted() {
            continue;
        }
        let (w, h) = (9, 5);
        let size = imgutils::buffer_size(f, w, h, 1).expect("size");
        let data: Vec<u8> = (0..size).map(|i| (i * 31 % 256) as u8).collect();
        let src = frame_from(f, w, h, &data);
        let out = convert(&src, (w, h, f), "lanczos");
        assert_eq!(out.to_packed_bytes(), src.to_packed_bytes(), "{f}");
    }
}

#[test]
fn extreme_ratios_and_edges() {
    let line: Vec<u8> = (0..4096).map(|i| (i % 256) as u8).collect();
    let src = frame_from(PixelFormat::Gray, 4096, 1, &line);
    for f in [
        "bicubic", "lanczos", "area", "neighbor", "sinc", "spline", "gauss",
    ] {
        let out = convert(&src, (1, 4096, PixelFormat::Gray), f);
        let v = out.to_packed_bytes();
        assert!(v.iter().all(|&x| x == v[0]), "{f}");
        let back = convert(&out, (4096, 1, PixelFormat::Rgb24), f);
        assert_eq!(back.to_packed_bytes().len(), 4096 * 3);
    }
    // First and last column and row survive identity conversions of a flat picture.
    let src = pattern();
    let out = convert(&src, (64, 36, PixelFormat::Yuv444p), "point");
    let b = out.to_packed_bytes();
    let s = src.to_packed_bytes();
    assert_eq!(b[0], s[0]);
    assert_eq!(b[64 * 36 - 1], s[64 * 36 - 1]);
}

#[test]
fn flat_colours_are_exact_through_every_filter() {
    // A flat grey stays flat whatever the filter and size.
    let data = vec![100u8; 50 * 30 * 3];
    let src = frame_from(PixelFormat::Rgb24, 50, 30, &data);
    for f in [
        Filter::Bilinear,
        Filter::Bicubic,
        Filter::Lanczos,
        Filter::Sinc,
        Filter::Spline,
        Filter::Gauss,
        Filter::Area,
    ] {
        let mut s = Scaler::new(
            (50, 30, PixelFormat::Rgb24),
            (77, 13, PixelFormat::Rgb24),
            ScaleFlags::new(f),
        )
        .expect("scaler");
        let mut out = Frame::new_video(PixelFormat::Rgb24, 77, 13).expect("dst");
        s.scale(&src, &mut out).expect("scale");
        assert!(out.to_packed_bytes().iter().all(|&x| x == 100), "{f:?}");
    }
}

// ------------------------------------------------------------ colour details

#[test]
fn ranges_and_matrices() {
    // yuvj420p is full range: 0 -> 0 in rgb; limited yuv420p 16 -> 0.
    let mut j = Frame::new_video(PixelFormat::Yuvj420p, 4, 2).expect("frame");
    j.plane_mut(1).iter_mut().for_each(|x| *x = 128);
    j.plane_mut(2).iter_mut().for_each(|x| *x = 128);
    let rgb = convert(&j, (4, 2, PixelFormat::Rgb24), "bilinear");
    assert!(rgb.to_packed_bytes().iter().all(|&x| x == 0));
    // yuvj -> yuv: Y 0 becomes 16.
    let y = convert(&j, (4, 2, PixelFormat::Yuv420p), "bilinear");
    assert_eq!(y.plane(0)[0], 16);
    // BT.709 vs BT.601 red differ.
    let mut red = Frame::new_video(PixelFormat::Rgb24, 2, 2).expect("frame");
    let stride = red.stride(0);
    for y in 0..2 {
        red.plane_mut(0)[y * stride..y * stride + 6].copy_from_slice(&[255, 0, 0, 255, 0, 0]);
    }
    let mut s = Scaler::new(
        (2, 2, PixelFormat::Rgb24),
        (2, 2, PixelFormat::Yuv444p),
        ScaleFlags::default(),
    )
    .expect("s");
    let mut out = Frame::new_video(PixelFormat::Yuv444p, 2, 2).expect("f");
    s.scale(&red, &mut out).expect("scale");
    assert_eq!(
        (out.plane(0)[0], out.plane(1)[0], out.plane(2)[0]),
        (81, 90, 240)
    );
    s.set_colorspace_details(
        ColorDetails::default().with_matrices(swscale::Matrix::Bt709, swscale::Matrix::Bt709),
    );
    s.scale(&red, &mut out).expect("scale");
    assert_eq!(
        (out.plane(0)[0], out.plane(1)[0], out.plane(2)[0]),
        (63, 102, 240)
    );
    s.set_colorspace_details(ColorDetails::default().with_ranges(true, true));
    s.scale(&red, &mut out).expect("scale");
    assert_eq!(out.plane(0)[0], 76);
    assert_eq!(out.color_range, avutil::ColorRange::Jpeg);
}

// ------------------------------------------------------------ bad input

#[test]
fn bad_input_is_an_error_not_a_panic() {
    let f = ScaleFlags::default();
    assert!(matches!(
        Scaler::new(
            (0, 10, PixelFormat::Yuv420p),
            (10, 10, PixelFormat::Rgb24),
            f
        ),
        Err(Error::InvalidDimensions { .. })
    ));
    assert!(
        Scaler::new(
            (10, 10, PixelFormat::Yuv420p),
            (10, 0, PixelFormat::Rgb24),
            f
        )
        .is_err()
    );
    assert!(
        Scaler::new(
            (1 << 20, 1 << 20, PixelFormat::Yuv420p),
            (10, 10, PixelFormat::Rgb24),
            f
        )
        .is_err()
    );
    let mut s =
        Scaler::new((16, 8, PixelFormat::Yuv420p), (8, 4, PixelFormat::Rgb24), f).expect("scaler");
    let src = Frame::new_video(PixelFormat::Yuv420p, 16, 8).expect("f");
    let wrong = Frame::new_video(PixelFormat::Yuv420p, 8, 8).expect("f");
    let mut dst = Frame::new_video(PixelFormat::Rgb24, 8, 4).expect("f");
    let e = s.scale(&wrong, &mut dst).unwrap_err();
    assert_eq!(
        e.to_string(),
        "source frame mismatch: expected 16x8 yuv420p, found 8x8 yuv420p"
    );
    let mut wrong_dst = Frame::new_video(PixelFormat::Bgra, 8, 4).expect("f");
    assert!(matches!(
        s.scale(&src, &mut wrong_dst),
        Err(Error::FrameMismatch { .. })
    ));
    // Raw planes: short strides, short buffers, missing planes.
    let y = vec![0u8; 16 * 8];
    let c = vec![0u8; 8 * 4];
    let mut out = vec![0u8; 8 * 3 * 4];
    assert!(
        s.scale_planes(&[&y, &c, &c], &[16, 8, 8], &mut [&mut out], &[24])
            .is_ok()
    );
    assert!(matches!(
        s.scale_planes(&[&y, &c, &c], &[15, 8, 8], &mut [&mut out], &[24]),
        Err(Error::BadPlane { plane: 0, .. })
    ));
    assert!(matches!(
        s.scale_planes(&[&y, &c[..31], &c], &[16, 8, 8], &mut [&mut out], &[24]),
        Err(Error::BadPlane { plane: 1, .. })
    ));
    assert!(
        s.scale_planes(&[&y, &c], &[16, 8], &mut [&mut out], &[24])
            .is_err()
    );
    assert!(
        s.scale_planes(&[&y, &c, &c], &[16, 8, 8], &mut [&mut out[..50]], &[24])
            .is_err()
    );
    assert!(
        s.scale_planes(&[&y, &c, &c], &[16, 8, 8], &mut [], &[])
            .is_err()
    );
}

// ------------------------------------------------------------ threads, allocation, SIMD

#[test]
fn threads_give_identical_output() {
    let rgb = rgb_picture(333, 187);
    let yuv = convert(&rgb, (333, 187, PixelFormat::Yuv420p), "bicubic");
    let pools: Vec<_> = [2, 3]
        .into_iter()
        .map(|n| {
            Arc::new(
                rayon::ThreadPoolBuilder::new()
                    .num_threads(n)
                    .build()
                    .expect("pool"),
            )
        })
        .collect();
    let yuv10 = convert(&yuv, (333, 187, PixelFormat::Yuv420p10le), "bicubic");
    for (src, dst, flags) in [
        (&yuv, (333, 187, PixelFormat::Rgb24), "bicubic"),
        (&yuv, (333, 187, PixelFormat::Bgra), "bicubic"),
        (&yuv, (333, 187, PixelFormat::Rgb24), "bicubic+bitexact"),
        (&rgb, (333, 187, PixelFormat::Yuv420p), "bicubic+bitexact"),
        (&yuv10, (333, 187, PixelFormat::Yuv420p), "bicubic"),
        (&yuv, (200, 101, PixelFormat::Yuv420p), "bilinear"),
        (&yuv, (640, 360, PixelFormat::Yuv420p), "lanczos"),
        (&rgb, (333, 187, PixelFormat::Yuv420p), "bicubic"),
        (&rgb, (120, 77, PixelFormat::Rgb24), "bilinear"),
        (&yuv, (333, 187, PixelFormat::Nv12), "bicubic"),
        (&yuv, (333, 187, PixelFormat::Yuv420p), "bicubic"),
    ] {
        let v = src.video().expect("v");
        let mut one = Scaler::new(
            (v.width, v.height, v.format),
            dst,
            flags.parse().expect("f"),
        )
        .expect("s");
        let mut many = Scaler::new(
            (v.width, v.height, v.format),
            dst,
            flags.parse().expect("f"),
        )
        .expect("s");
        let mut a = Frame::new_video(dst.2, dst.0, dst.1).expect("f");
        let mut b = Frame::new_video(dst.2, dst.0, dst.1).expect("f");
        one.scale(src, &mut a).expect("scale");
        for p in &pools {
            many.set_thread_pool(Some(p.clone()));
            many.scale(src, &mut b).expect("scale");
            assert_eq!(
                a.to_packed_bytes(),
                b.to_packed_bytes(),
                "{} -> {dst:?}, {} threads",
                v.format,
                p.current_num_threads()
            );
            // Called from one of the pool's threads (which then takes tasks itself).
            b = Frame::new_video(dst.2, dst.0, dst.1).expect("f");
            p.install(|| many.scale(src, &mut b)).expect("scale");
            assert_eq!(
                a.to_packed_bytes(),
                b.to_packed_bytes(),
                "{} -> {dst:?}, {} threads, called in the pool",
                v.format,
                p.current_num_threads()
            );
        }
        // bitexact disables SIMD: same result.
        let mut plain = Scaler::new(
            (v.width, v.height, v.format),
            dst,
            format!("{flags}+bitexact").parse().expect("f"),
        )
        .expect("s");
        plain.scale(src, &mut b).expect("scale");
        if matches!(
            (v.format, dst.2),
            (PixelFormat::Yuv420p, PixelFormat::Rgb24 | PixelFormat::Bgra)
                | (PixelFormat::Rgb24, PixelFormat::Yuv420p)
        ) {
            // Unscaled YUV <-> RGB comes from the `yuv` crate unless bitexact: its
            // rounding differs from our scalar reference by at most one code.
            let (_, maxd) = compare(
                dst.2,
                dst.0,
                dst.1,
                &a.to_packed_bytes(),
                &b.to_packed_bytes(),
            );
            assert!(maxd <= 1, "yuv crate vs scalar: max diff {maxd}");
        } else {
            assert_eq!(
                a.to_packed_bytes(),
                b.to_packed_bytes(),
                "simd vs scalar {} -> {dst:?}",
                v.format
            );
        }
    }
}

#[test]
fn scaling_a_frame_does_not_allocate() {
    let rgb = rgb_picture(96, 54);
    let yuv = convert(&rgb, (96, 54, PixelFormat::Yuv420p), "bicubic");
    for (src, dst, flags) in [
        (&yuv, (96, 54, PixelFormat::Rgb24), "bicubic"),
        (&yuv, (50, 31, PixelFormat::Yuv420p), "bicubic"),
        (&yuv, (50, 31, PixelFormat::Bgra), "lanczos"),
        (&rgb, (96, 54, PixelFormat::Yuv420p), "bicubic"),
        (&rgb, (33, 20, PixelFormat::Gbrp10le), "area"),
    ] {
        let v = src.video().expect("v");
        let mut s = Scaler::new(
            (v.width, v.height, v.format),
            dst,
            flags.parse().expect("f"),
        )
        .expect("s");
        let mut out = Frame::new_video(dst.2, dst.0, dst.1).expect("f");
        s.scale(src, &mut out).expect("warm-up");
        let before = ALLOCS.with(|c| c.get());
        s.scale(src, &mut out).expect("scale");
        let after = ALLOCS.with(|c| c.get());
        assert_eq!(
            after - before,
            0,
            "{} -> {dst:?} ({})",
            v.format,
            s.path_name()
        );
    }
}

/// With a pool, a frame is one hand-off (`install`, `par_iter_mut` over the threads' scratch
/// and a mutex-guarded task queue): nothing of ours allocates. rayon's injector queue allocates
/// a block once per 63 hand-offs (crossbeam's `Injector`), so the count on the calling and pool
/// threads is bounded by a few per 100 frames rather than required to be 0. Called from one of
/// the pool's threads (no hand-off), a frame allocates nothing at all.
#[test]
fn threaded_scaling_does_not_allocate_per_frame() {
    let rgb = rgb_picture(320, 180);
    let yuv = convert(&rgb, (320, 180, PixelFormat::Yuv420p), "bicubic");
    let pool = Arc::new(
        rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .start_handler(|_| TRACKED.with(|t| t.set(true)))
            .build()
            .expect("pool"),
    );
    TRACKED.with(|t| t.set(true));
    for (src, dst, flags) in [
        (&yuv, (320, 180, PixelFormat::Rgb24), "bicubic"),
        (&yuv, (200, 120, PixelFormat::Yuv420p), "bilinear"),
        (&rgb, (320, 180, PixelFormat::Yuv420p), "bicubic"),
        (&rgb, (320, 180, PixelFormat::Yuv420p), "bicubic+bitexact"),
        (&yuv, (320, 180, PixelFormat::Nv12), "bicubic"),
        (&rgb, (200, 120, PixelFormat::Rgb24), "lanczos"),
    ] {
        let v = src.video().expect("v");
        let mut s = Scaler::new(
            (v.width, v.height, v.format),
            dst,
            flags.parse().expect("f"),
        )
        .expect("s");
        s.set_thread_pool(Some(pool.clone()));
        let mut out = Frame::new_video(dst.2, dst.0, dst.1).expect("f");
        for _ in 0..4 {
            s.scale(src, &mut out).expect("warm-up");
        }
        let frames = 200;
        let before = POOL_ALLOCS.load(Ordering::Relaxed);
        for _ in 0..frames {
            s.scale(src, &mut out).expect("scale");
        }
        let n = POOL_ALLOCS.load(Ordering::Relaxed) - before;
        assert!(
            n < frames / 4,
            "{} -> {dst:?} ({}): {n} allocations in {frames} frames",
            v.format,
            s.path_name()
        );
        // Frames scaled from one of the pool's threads: no hand-off, nothing allocated (counted
        // inside the one `install`, whose own injection may take an injector block).
        let n = pool.install(|| {
            let before = POOL_ALLOCS.load(Ordering::Relaxed);
            for _ in 0..frames {
                s.scale(src, &mut out).expect("scale");
            }
            POOL_ALLOCS.load(Ordering::Relaxed) - before
        });
        assert_eq!(
            n,
            0,
            "{} -> {dst:?} ({}) in the pool: {n} allocations in {frames} frames",
            v.format,
            s.path_name()
        );
    }
}

// ------------------------------------------------------------ live comparison

/// `SWSCALE_LIVE=1 cargo test -p swscale --release -- --nocapture live`: compares many
/// format pairs and sizes with the installed ffmpeg and prints PSNR / max diff.
#[test]
fn live_against_installed_ffmpeg() {
    if std::env::var_os("SWSCALE_LIVE").is_none() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("swscale-live-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let run = |args: &[&str]| {
        let st = std::process::Command::new("ffmpeg")
            .args(["-nostdin", "-v", "error", "-y"])
            .args(args)
            .status()
            .expect("ffmpeg");
        assert!(st.success(), "{args:?}");
    };
    let (w, h) = (640, 360);
    let base = dir.join("src.yuv");
    run(&[
        "-f",
        "lavfi",
        "-i",
        &format!("testsrc2=s={w}x{h}"),
        "-frames:v",
        "1",
        "-pix_fmt",
        "yuv420p",
        "-f",
        "rawvideo",
        base.to_str().expect("p"),
    ]);
    /// (source format, destination format, destination size, flags, minimum PSNR).
    type Case<'a> = (&'a str, &'a str, (usize, usize), &'a str, f64);
    let cases: &[Case<'_>] = &[
        (
            "yuv420p",
            "rgb24",
            (640, 360),
            "bilinear+accurate_rnd+full_chroma_int",
            40.0,
        ),
        (
            "yuv420p",
            "bgra",
            (640, 360),
            "bilinear+accurate_rnd+full_chroma_int",
            40.0,
        ),
        (
            "yuv420p",
            "yuv444p",
            (640, 360),
            "bilinear+accurate_rnd+full_chroma_int",
            40.0,
        ),
        (
            "yuv420p",
            "nv12",
            (640, 360),
            "bilinear+accurate_rnd+full_chroma_int",
            40.0,
        ),
        (
            "yuv420p",
            "gray",
            (640, 360),
            "bilinear+accurate_rnd+full_chroma_int",
            40.0,
        ),
        (
            "yuv420p",
            "yuv420p10le",
            (640, 360),
            "bilinear+accurate_rnd+full_chroma_int",
            40.0,
        ),
        (
            "yuv420p",
            "rgb565le",
            (640, 360),
            "bilinear+accurate_rnd+full_chroma_int",
            30.0,
        ),
        (
            "rgb24",
            "yuv420p",
            (640, 360),
            "bilinear+accurate_rnd+full_chroma_int",
            40.0,
        ),
        (
            "bgra",
            "yuv420p",
            (640, 360),
            "bilinear+accurate_rnd+full_chroma_int",
            40.0,
        ),
        (
            "yuv444p",
            "yuv420p",
            (640, 360),
            "bilinear+accurate_rnd+full_chroma_int",
            40.0,
        ),
        (
            "nv12",
            "yuv420p",
            (640, 360),
            "bilinear+accurate_rnd+full_chroma_int",
            40.0,
        ),
        (
            "yuv420p10le",
            "yuv420p",
            (640, 360),
            "bilinear+accurate_rnd+full_chroma_int",
            40.0,
        ),
        ("yuv420p", "rgb24", (640, 360), "bicubic", 40.0),
        ("yuv420p", "bgra", (640, 360), "bicubic", 40.0),
        ("rgb24", "yuv420p", (640, 360), "bicubic", 40.0),
        ("yuv420p10le", "yuv420p", (640, 360), "bicubic", 40.0),
        ("yuyv422", "yuv420p", (640, 360), "bicubic", 40.0),
        ("yuv420p", "yuyv422", (640, 360), "bicubic", 40.0),
        (
            "yuv420p",
            "gbrp",
            (640, 360),
            "bilinear+full_chroma_int",
            40.0,
        ),
        (
            "yuv420p",
            "rgb48le",
            (640, 360),
            "bilinear+full_chroma_int",
            25.0,
        ),
        ("yuv420p", "yuv420p", (320, 180), "bicubic", 35.0),
        ("yuv420p", "yuv420p", (1280, 720), "bicubic", 35.0),
        ("yuv420p", "yuv420p", (333, 187), "bicubic", 35.0),
        ("yuv420p", "yuv420p", (320, 180), "bilinear", 35.0),
        ("yuv420p", "yuv420p", (1280, 720), "bilinear", 35.0),
        ("yuv420p", "yuv420p", (333, 187), "bilinear", 35.0),
        ("yuv420p", "yuv420p", (320, 180), "lanczos", 35.0),
        ("yuv420p", "yuv420p", (1280, 720), "lanczos", 35.0),
        ("yuv420p", "yuv420p", (333, 187), "lanczos", 35.0),
        ("yuv420p", "yuv420p", (320, 180), "neighbor", 45.0),
        ("yuv420p", "yuv420p", (1280, 720), "neighbor", 45.0),
        ("yuv420p", "yuv420p", (333, 187), "neighbor", 45.0),
        ("yuv420p", "rgb24", (333, 187), "lanczos", 35.0),
        ("yuv420p", "bgra", (1280, 720), "bicubic", 35.0),
        ("yuv420p", "yuv420p", (320, 180), "area", 35.0),
        ("yuv420p", "yuv420p", (320, 180), "gauss", 35.0),
        ("yuv420p", "yuv420p", (320, 180), "spline", 35.0),
        ("rgb24", "rgb24", (320, 180), "bilinear", 30.0),
    ];
    let mut failures = Vec::new();
    for &(sf, df, (dw, dh), flags, min) in cases {
        let sfmt: PixelFormat = sf.parse().expect("fmt");
        let dfmt: PixelFormat = df.parse().expect("fmt");
        let input = dir.join(format!("in.{sf}"));
        run(&[
            "-f",
            "rawvideo",
            "-pix_fmt",
            "yuv420p",
            "-s",
            &format!("{w}x{h}"),
            "-i",
            base.to_str().expect("p"),
            "-vf",
            &format!("format={sf}"),
            "-f",
            "rawvideo",
            input.to_str().expect("p"),
        ]);
        let reference = dir.join("ref.raw");
        run(&[
            "-f",
            "rawvideo",
            "-pix_fmt",
            sf,
            "-s",
            &format!("{w}x{h}"),
            "-i",
            input.to_str().expect("p"),
            "-sws_flags",
            flags,
            "-vf",
            &format!("scale={dw}:{dh}:flags={flags},format={df}"),
            "-f",
            "rawvideo",
            reference.to_str().expect("p"),
        ]);
        let src = frame_from(sfmt, w, h, &std::fs::read(&input).expect("in"));
        let ours = convert(&src, (dw, dh, dfmt), flags).to_packed_bytes();
        let theirs = std::fs::read(&reference).expect("ref");
        let (psnr, maxd) = compare(dfmt, dw, dh, &ours, &theirs);
        println!(
            "{sf:>12} -> {df:<12} {dw:>4}x{dh:<4} {flags:<40} PSNR {psnr:6.2} dB  max diff {maxd}"
        );
        if psnr < min {
            failures.push(format!("{sf}->{df} {dw}x{dh} {flags}: {psnr:.2} < {min}"));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Unscaled YUV -> packed RGB: the `yuv` crate's kernels (default flags) against our scalar
/// reference (`bitexact`) for every matrix, both ranges, 4:2:0 / 4:2:2 / 4:4:4, every packed
/// layout, odd sizes and threads: within one code value.
#[test]
fn yuv_crate_paths_agree_with_scalar_reference() {
    use swscale::Matrix;
    let pool = Arc::new(
        rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .expect("pool"),
    );
    let (w, h) = (67, 41);
    let rgb = rgb_picture(w, h);
    for sf in [
        PixelFormat::Yuv420p,
        PixelFormat::Yuv422p,
        PixelFormat::Yuv444p,
        PixelFormat::Yuvj420p,
    ] {
        let yuv = convert(&rgb, (w, h, sf), "bicubic");
        for df in [
            PixelFormat::Rgb24,
            PixelFormat::Bgr24,
            PixelFormat::Rgba,
            PixelFormat::Bgra,
            PixelFormat::Rgb0,
            PixelFormat::Bgr0,
            PixelFormat::Argb,
        ] {
            for m in [
                Matrix::Bt601,
                Matrix::Bt709,
                Matrix::Bt2020,
                Matrix::Smpte240m,
                Matrix::Fcc,
            ] {
                for full in [false, true] {
                    let details = ColorDetails::default()
                        .with_matrices(m, m)
                        .with_ranges(full, true);
                    let mut outs = Vec::new();
                    for (flags, threads) in [
                        ("bicubic", false),
                        ("bicubic", true),
                        ("bicubic+bitexact", false),
                    ] {
                        let mut s = Scaler::new((w, h, sf), (w, h, df), flags.parse().expect("f"))
                            .expect("s");
                        s.set_colorspace_details(details);
                        if threads {
                            s.set_thread_pool(Some(pool.clone()));
                        }
                        let mut out = Frame::new_video(df, w, h).expect("f");
                        s.scale(&yuv, &mut out).expect("scale");
                        outs.push(out.to_packed_bytes());
                    }
                    assert_eq!(outs[0], outs[1], "{sf} -> {df} {m:?} full {full}: threads");
                    let (_, maxd) = compare(df, w, h, &outs[0], &outs[2]);
                    assert!(maxd <= 1, "{sf} -> {df} {m:?} full {full}: max diff {maxd}");
                }
            }
        }
    }
}

/// Packed RGB -> yuv420p: the `yuv` crate's kernels (default flags) against our scalar
/// reference (`bitexact`) for every matrix, both ranges, every packed layout, odd sizes and
/// threads: within one code value.
#[test]
fn yuv_crate_rgb_to_yuv420_agrees_with_scalar_reference() {
    use swscale::Matrix;
    let pool = Arc::new(
        rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .expect("pool"),
    );
    for (w, h) in [(67, 41), (1, 1), (3, 5), (64, 36)] {
        let rgb = rgb_picture(w, h);
        for sf in [
            PixelFormat::Rgb24,
            PixelFormat::Bgr24,
            PixelFormat::Rgba,
            PixelFormat::Bgra,
            PixelFormat::Rgb0,
            PixelFormat::Argb,
        ] {
            let src = convert(&rgb, (w, h, sf), "bicubic");
            for m in [
                Matrix::Bt601,
                Matrix::Bt709,
                Matrix::Bt2020,
                Matrix::Smpte240m,
                Matrix::Fcc,
            ] {
                for full in [false, true] {
                    let details = ColorDetails::default()
                        .with_matrices(m, m)
                        .with_ranges(true, full);
                    let mut outs = Vec::new();
                    for (flags, threads) in [
                        ("bicubic", false),
                        ("bicubic", true),
                        ("bicubic+bitexact", false),
                    ] {
                        let df = PixelFormat::Yuv420p;
                        let mut s = Scaler::new((w, h, sf), (w, h, df), flags.parse().expect("f"))
                            .expect("s");
                        s.set_colorspace_details(details);
                        if threads {
                            s.set_thread_pool(Some(pool.clone()));
                        }
                        let mut out = Frame::new_video(df, w, h).expect("f");
                        s.scale(&src, &mut out).expect("scale");
                        outs.push(out.to_packed_bytes());
                    }
                    let what = format!("{w}x{h} {sf} {m:?} full {full}");
                    assert!(outs[0] == outs[1], "{what}: threads");
                    let (_, maxd) = compare(PixelFormat::Yuv420p, w, h, &outs[0], &outs[2]);
                    assert!(maxd <= 1, "{what}: max diff {maxd}");
                }
            }
        }
    }
}
