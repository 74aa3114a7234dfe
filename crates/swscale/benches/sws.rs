//! Criterion benches of the hot conversions at 1080p (short runs:
//! `cargo bench -p swscale -- --warm-up-time 1 --measurement-time 3`).
#![allow(missing_docs)]
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use avutil::{Frame, PixelFormat};
use swscale::{ScaleFlags, Scaler};

fn picture(fmt: PixelFormat, w: usize, h: usize) -> Frame {
    let mut f = Frame::new_video(fmt, w, h).expect("frame");
    for p in 0..f.planes() {
        for (i, b) in f.plane_mut(p).iter_mut().enumerate() {
            *b = (i * 7 + p * 50) as u8;
        }
    }
    f
}

fn bench(c: &mut Criterion) {
    let cases: &[(PixelFormat, PixelFormat, (usize, usize), &str)] = &[
        (
            PixelFormat::Yuv420p,
            PixelFormat::Rgb24,
            (1920, 1080),
            "bicubic",
        ),
        (
            PixelFormat::Yuv420p,
            PixelFormat::Bgra,
            (1920, 1080),
            "bicubic",
        ),
        (
            PixelFormat::Rgb24,
            PixelFormat::Yuv420p,
            (1920, 1080),
            "bicubic",
        ),
        (
            PixelFormat::Yuv420p,
            PixelFormat::Nv12,
            (1920, 1080),
            "bicubic",
        ),
        (
            PixelFormat::Yuv420p10le,
            PixelFormat::Yuv420p,
            (1920, 1080),
            "bicubic",
        ),
        (
            PixelFormat::Yuv420p,
            PixelFormat::Yuv420p,
            (1280, 720),
            "bilinear",
        ),
        (
            PixelFormat::Yuv420p,
            PixelFormat::Yuv420p,
            (1280, 720),
            "bicubic",
        ),
        (
            PixelFormat::Rgb24,
            PixelFormat::Rgb24,
            (1280, 720),
            "bilinear",
        ),
        (
            PixelFormat::Rgb24,
            PixelFormat::Rgb24,
            (1280, 720),
            "lanczos",
        ),
        (
            PixelFormat::Yuv420p,
            PixelFormat::Rgb24,
            (1920, 1080),
            "bilinear+accurate_rnd+full_chroma_int",
        ),
    ];
    let mut g = c.benchmark_group("swscale_1080p");
    for &(sf, df, (dw, dh), flags) in cases {
        let src = picture(sf, 1920, 1080);
        let mut dst = Frame::new_video(df, dw, dh).expect("dst");
        let flags: ScaleFlags = flags.parse().expect("flags");
        let mut s = Scaler::new((1920, 1080, sf), (dw, dh, df), flags).expect("scaler");
        let bytes = src.to_packed_bytes().len() + dst.to_packed_bytes().len();
        g.throughput(Throughput::Bytes(bytes as u64));
        g.bench_function(
            format!("{sf}->{df} {dw}x{dh} {flags} [{}]", s.path_name()),
            |b| b.iter(|| s.scale(&src, &mut dst).expect("scale")),
        );
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
