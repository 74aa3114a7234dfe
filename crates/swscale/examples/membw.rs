//! Memory bandwidth of one thread, the physical limit of pure pixel conversions.
//!
//! ```text
//! membw [BYTES] [ITERATIONS]
//! ```
//! Times copying, filling and reading a buffer of BYTES (default 3110400, one 1080p yuv420p
//! frame, the working-set size of the conversions in `benches/vs_ffmpeg.sh`), best of 5 runs of
//! ITERATIONS (default 200), and prints GB/s. For copying, bytes read plus bytes written
//! are counted, as the conversion benchmark counts them.
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
}
