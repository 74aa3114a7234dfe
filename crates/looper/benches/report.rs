//! Numbers criterion does not give: delayed-message lateness percentiles and
//! heap allocations per message on the steady-state paths. Prints a small
//! report; see docs/BENCHMARKS.md. Run with
//! `cargo bench -p looper --bench report`.

use std::alloc::System;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};
use std::thread;
use std::time::Duration;

use looper::{Handler, HandlerThread, Looper, Message, Runnable};
use rand::Rng;
use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

fn allocations() -> usize {
    GLOBAL.stats().allocations + GLOBAL.stats().reallocations
}

fn percentile(sorted: &[u64], p: f64) -> u64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

/// Messages with random delays of 1..=20 ms on a HandlerThread; lateness is
/// the looper clock at dispatch minus the message's time. With `with_fd`, a
/// (never ready) descriptor is watched, so the looper waits in `epoll_wait`
/// instead of on its condition variable.
fn lateness(with_fd: bool) {
    const N: usize = 4000;
    let ht = HandlerThread::new("lateness");
    ht.start().expect("start");
    let l = ht.looper().expect("started");
    #[cfg(target_os = "linux")]
    let _pair = with_fd.then(|| {
        let (a, b) = std::os::unix::net::UnixStream::pair().expect("socket pair");
        l.queue()
            .add_fd_listener(&a, looper::FdEvents::INPUT, |_, e| e)
            .expect("watch");
        (a, b)
    });
    let late = Arc::new(Mutex::new(Vec::with_capacity(N)));
    let (done_tx, done_rx) = mpsc::channel();
    let (lt, l2) = (late.clone(), l.clone());
    let h = Handler::with_handle_message(&l, move |m: &mut Message| {
        let ns = l2.now().saturating_duration_since(m.when()).as_nanos() as u64;
        let mut v = lt.lock().expect("lock");
        v.push(ns);
        if v.len() == N {
            done_tx.send(()).expect("main waits");
        }
    });
    let mut rng = rand::rng();
    // Spread the sends over ~200 ms so that the looper sleeps and wakes often.
    for i in 0..N {
        h.send_empty_message_delayed(1, Duration::from_micros(rng.random_range(1_000..=20_000)));
        if i % 20 == 0 {
            thread::sleep(Duration::from_millis(1));
        }
    }
    done_rx.recv().expect("all delivered");
    ht.quit();
    ht.join();
    let mut v = late.lock().expect("lock").clone();
    v.sort_unstable();
    println!(
        "lateness of {N} delayed messages (1..=20 ms), looper waiting on {}: p50 {:.1} us, p99 {:.1} us, max {:.1} us",
        if with_fd { "epoll" } else { "its condvar" },
        percentile(&v, 0.50) as f64 / 1e3,
        percentile(&v, 0.99) as f64 / 1e3,
        *v.last().expect("non-empty") as f64 / 1e3
    );
}

/// Allocations per message once warm: a task re-posting itself on one
/// looper thread.
fn allocs_same_thread() {
    const WARM: u64 = 1_000;
    const N: u64 = 100_000;
    let before = Arc::new(AtomicUsize::new(0));
    let after = Arc::new(AtomicUsize::new(0));
    let (b2, a2) = (before.clone(), after.clone());
    thread::spawn(move || {
        let l = Looper::prepare().expect("fresh thread");
        let count = AtomicU64::new(0);
        let slot: Arc<OnceLock<(Handler, Runnable)>> = Arc::new(OnceLock::new());
        let s = slot.clone();
        let l2 = l.clone();
        let r = Runnable::new(move || {
            let n = count.fetch_add(1, Ordering::Relaxed) + 1;
            if n == WARM {
                b2.store(allocations(), Ordering::SeqCst);
            }
            if n == WARM + N {
                a2.store(allocations(), Ordering::SeqCst);
                let _ = l2.quit();
                return;
            }
            let (h, r) = s.get().expect("set");
            h.post(r);
        });
        let h = Handler::new(&l);
        let _ = slot.set((h.clone(), r.clone()));
        h.post(&r);
        Looper::run().expect("prepared");
    })
    .join()
    .expect("thread");
    let d = after.load(Ordering::SeqCst) - before.load(Ordering::SeqCst);
    println!(
        "same-thread post + dispatch: {d} allocations for {N} messages ({:.4} per message)",
        d as f64 / N as f64
    );
}

/// Allocations per message once warm: a producer thread streaming
/// `send_empty_message` and `send_message(obtain_message)` to a
/// HandlerThread.
fn allocs_stream() {
    const N: usize = 100_000;
    let ht = HandlerThread::new("alloc-consumer");
    ht.start().expect("start");
    let (done_tx, done_rx) = mpsc::sync_channel::<()>(4);
    let h = Handler::with_handle_message(&ht.looper().expect("started"), move |m| {
        if m.what == 2 {
            done_tx.send(()).expect("main waits");
        }
    });
    let round = |n: usize| {
        for i in 0..n {
            if i % 2 == 0 {
                h.send_empty_message(1);
            } else {
                h.send_message(h.obtain_message_what(1));
            }
        }
        h.send_empty_message(2);
        done_rx.recv().expect("consumer");
    };
    // Warm up with the same load: queue capacity and pool reach their peak.
    round(N);
    round(N);
    let before = allocations();
    round(N);
    let d = allocations() - before;
    println!(
        "cross-thread stream, flat out (backlog unbounded): {d} allocations for {N} messages ({:.4} per message)",
        d as f64 / N as f64
    );
    // Bounded backlog: bursts of 1000, each acknowledged.
    for _ in 0..10 {
        round(1000);
    }
    let before = allocations();
    for _ in 0..N / 1000 {
        round(1000);
    }
    let d = allocations() - before;
    ht.quit();
    ht.join();
    println!(
        "cross-thread stream, bursts of 1000 (backlog bounded): {d} allocations for {N} messages ({:.4} per message)",
        d as f64 / N as f64
    );
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing
    // useful either: run the whole report in both cases, it is short.
    lateness(false);
    if cfg!(target_os = "linux") {
        lateness(true);
    }
    allocs_same_thread();
    allocs_stream();
}
