//! Memory bandwidth of one thread, the physical limit of pure pixel conversions.
//!
//! ```text
//! membw [BYTES] [ITERATIONS]
//! ```
//! Times copying, filling and reading a buffer of BYTES (default 3110400, one 1080p yuv420p
//! frame, the working-set size of the conversions in `benches/vs_ffmpeg.sh`), best of 5 runs of
//! ITERATIONS (default 200), and prints GB/s. For copying, bytes read plus bytes written
//! are counted, as the conversion benchmark counts them.
//!
//! With the default size it also prints the floor of two 1080p conversions: the time one
//! thread needs just to move their bytes (yuv420p -> nv12: a copy of the frame; yuv420p -> bgra:
//! the frame read and 4 bytes per pixel written), to set against ffmpeg's time for the
//! conversion itself.
use std::hint::black_box;
use std::time::Instant;

fn best<F: FnMut()>(iters: usize, mut f: F) -> f64 {
    (0..5)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..iters {
                f();
            }
            t.elapsed().as_secs_f64()
        })
        .fold(f64::MAX, f64::min)
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let n: usize = a.get(1).map_or(3_110_400, |s| s.parse().expect("bytes"));
    let iters: usize = a.get(2).map_or(200, |s| s.parse().expect("iterations"));
    let src = vec![1u8; n];
    let mut dst = vec![2u8; n];
    let gb = |bytes: usize, t: f64| (bytes * iters) as f64 / t / 1e9;
    let t = best(iters, || {
        dst.copy_from_slice(black_box(&src));
        black_box(&mut dst);
    });
    println!(
        "membw {n} bytes: copy {:.1} GB/s read+written",
        gb(2 * n, t)
    );
    let mut v = 0u8;
    let t = best(iters, || {
        v = v.wrapping_add(1);
        dst.fill(black_box(v));
        black_box(&mut dst);
    });
    println!("membw {n} bytes: fill {:.1} GB/s written", gb(n, t));
    let t = best(iters, || {
        let s = black_box(&src)
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().unwrap_or([0; 8])))
            .fold(0u64, u64::wrapping_add);
        black_box(s);
    });
    println!("membw {n} bytes: read {:.1} GB/s", gb(n, t));
    if n == 3_110_400 {
        let ms = |t: f64| t * 1e3 / iters as f64;
        let t = best(iters, || {
            dst.copy_from_slice(black_box(&src));
            black_box(&mut dst);
        });
        println!(
            "floor yuv420p->nv12 1080p (copy {n} bytes): {:.3} ms per frame",
            ms(t)
        );
        let mut bgra = vec![3u8; 1920 * 1080 * 4];
        let t = best(iters, || {
            v = v.wrapping_add(1);
            bgra[..n].copy_from_slice(black_box(&src));
            bgra[n..].fill(black_box(v));
            black_box(&mut bgra);
        });
        println!(
            "floor yuv420p->bgra 1080p (read {n}, write {} bytes): {:.3} ms per frame",
            bgra.len(),
            ms(t)
        );
        let t = best(iters, || {
            v = v.wrapping_add(1);
            bgra.fill(black_box(v));
            black_box(&mut bgra);
        });
        println!(
            "floor yuv420p->bgra 1080p, writing alone ({} bytes): {:.3} ms per frame",
            bgra.len(),
            ms(t)
        );
    }
}
