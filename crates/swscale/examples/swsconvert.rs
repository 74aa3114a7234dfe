//! Converts raw video frames like `ffmpeg -f rawvideo ... -vf scale=W:H:flags=F,format=FMT`.
//!
//! ```text
//! swsconvert IN SRC_WxH SRC_FMT OUT DST_WxH DST_FMT [FLAGS] [--loop N] [--threads N [--in-pool]]
//! ```
//! Reads tightly packed frames from IN, writes tightly packed frames to OUT
//! (`-` for none), prints `bench: utime=...s rtime=...s` like `ffmpeg -benchmark`.
use std::io::{Read, Write};
use std::sync::Arc;
use std::time::Instant;

use avutil::{Buffer, Frame, PixelFormat, imgutils};
use swscale::{ScaleFlags, Scaler};

fn size(s: &str) -> (usize, usize) {
    let (w, h) = s.split_once('x').expect("WxH");
    (w.parse().expect("width"), h.parse().expect("height"))
}

fn cpu_time() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let f: Vec<&str> = s.rsplit_once(')')?.1.split_whitespace().collect();
            let ut: f64 = f.get(11)?.parse().ok()?;
            let st: f64 = f.get(12)?.parse().ok()?;
            Some((ut + st) / 100.0)
        })
        .unwrap_or(0.0)
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    if a.len() < 7 {
        eprintln!(
            "usage: swsconvert IN SRC_WxH SRC_FMT OUT DST_WxH DST_FMT [FLAGS] [--loop N] [--threads N [--in-pool]]"
        );
        std::process::exit(2);
    }
    let (sw, sh) = size(&a[2]);
    let sf: PixelFormat = a[3].parse().expect("src fmt");
    let (dw, dh) = size(&a[5]);
    let df: PixelFormat = a[6].parse().expect("dst fmt");
    let mut flags = ScaleFlags::default();
    let mut loops = 1usize;
    let mut threads = 0usize;
    let mut in_pool = false;
    let mut i = 7;
    while i < a.len() {
        match a[i].as_str() {
            "--loop" => {
                loops = a[i + 1].parse().expect("loop");
                i += 2;
            }
            "--threads" => {
                threads = a[i + 1].parse().expect("threads");
                i += 2;
            }
            "--in-pool" => {
                in_pool = true;
                i += 1;
            }
            s => {
                flags = s.parse().expect("flags");
                i += 1;
            }
        }
    }
    let mut input = Vec::new();
    std::fs::File::open(&a[1])
        .expect("open input")
        .read_to_end(&mut input)
        .expect("read");
    let fsize = imgutils::buffer_size(sf, sw, sh, 1).expect("size");
    let mut scaler = Scaler::new((sw, sh, sf), (dw, dh, df), flags).expect("scaler");
    let mut pool = None;
    if threads > 0 {
        let p = Arc::new(
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("pool"),
        );
        scaler.set_thread_pool(Some(p.clone()));
        pool = Some(p);
    }
    eprintln!("path: {}", scaler.path_name());
    let frames: Vec<Frame> = input
        .chunks_exact(fsize)
        .map(|c| {
            let b = Buffer::from_slice(c);
            let f = Frame::video_from_buffer(sf, sw, sh, &b, 1).expect("frame");
            // Realign like a decoder's frames.
            let mut g = Frame::new_video(sf, sw, sh).expect("alloc");
            for p in 0..f.planes() {
                let rows = if p < 4 {
                    imgutils::plane_height(sf, p, sh)
                } else {
                    1
                };
                let line = f.line(p, 0).len();
                let (gs, fs) = (g.stride(p), f.stride(p));
                let rows = if sf.descriptor().is_paletted() && p == 1 {
                    1
                } else {
                    rows
                };
                let src = f.plane(p).to_vec();
                imgutils::copy_plane(g.plane_mut(p), gs, &src, fs, line, rows).expect("copy");
            }
            g
        })
        .collect();
    let mut dst = Frame::new_video(df, dw, dh).expect("dst");
    let mut out = Vec::new();
    let keep = a[4] != "-" && loops == 1;
    let mut run = || {
        let (t0, c0) = (Instant::now(), cpu_time());
        for _ in 0..loops {
            for f in &frames {
                scaler.scale(f, &mut dst).expect("scale");
                if keep {
                    out.extend_from_slice(&dst.to_packed_bytes());
                }
            }
        }
        (t0.elapsed().as_secs_f64(), cpu_time() - c0)
    };
    // `--in-pool`: the loop runs on one of the pool's threads (as in a pipeline whose stages
    // run in the pool), which then takes tasks of each frame itself instead of handing the
    // frame off and sleeping.
    let (rt, ct) = match &pool {
        Some(p) if in_pool => p.install(run),
        _ => run(),
    };
    eprintln!(
        "bench: utime={ct:.3}s rtime={rt:.3}s frames={}",
        loops * frames.len()
    );
    if a[4] != "-" {
        std::fs::File::create(&a[4])
            .expect("create")
            .write_all(&out)
            .expect("write");
    }
}
