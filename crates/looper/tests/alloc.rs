//! No heap allocation per message once the pools are warm, counted by a
//! counting global allocator. One test in its own binary, so that no other
//! test allocates meanwhile.

use std::alloc::System;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use looper::{Handler, HandlerThread, Runnable, TestLooper};
use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

fn allocations() -> usize {
    GLOBAL.stats().allocations + GLOBAL.stats().reallocations
}

/// Through a queue on this thread: obtained, posted and empty messages, each
/// dispatched; their storage goes back to the pools and is used again.
fn same_thread_rounds(tl: &TestLooper, h: &Handler, task: &Runnable, rounds: i32) {
    for i in 0..rounds {
        let m = h.obtain_message_what(i);
        assert!(h.send_message(m));
        assert!(h.post(task));
        assert!(h.send_empty_message(1));
        assert_eq!(tl.dispatch_all(), 3);
    }
}

/// Bursts of messages from this thread to a looper thread, each burst
/// waited for: obtained messages and empty ones.
fn cross_thread_bursts(h: &Handler, done: &AtomicUsize, bursts: usize) {
    for _ in 0..bursts {
        let target = done.load(Ordering::SeqCst) + 100;
        for i in 0..50 {
            assert!(h.send_message(h.obtain_message_what(i)));
            assert!(h.send_empty_message(i));
        }
        let start = Instant::now();
        while done.load(Ordering::SeqCst) < target {
            assert!(start.elapsed() < Duration::from_secs(20), "looper stalled");
            std::thread::yield_now();
        }
    }
}

#[test]
fn steady_state_allocates_nothing() {
    let tl = TestLooper::new();
    let h = Handler::new(tl.looper());
    let task = Runnable::new(|| {});
    same_thread_rounds(&tl, &h, &task, 100);
    let before = allocations();
    same_thread_rounds(&tl, &h, &task, 200);
    assert_eq!(allocations() - before, 0, "same thread, warm");

    let ht = HandlerThread::new("alloc-test");
    ht.start().expect("start");
    let done = Arc::new(AtomicUsize::new(0));
    let d = done.clone();
    let h = Handler::with_handle_message(&ht.looper().expect("started"), move |_| {
        d.fetch_add(1, Ordering::SeqCst);
    });
    // Warm-up, including bursts that pile up while the looper is held
    // (the most storage a burst can need at once).
    let hold = Runnable::new(|| std::thread::sleep(Duration::from_millis(20)));
    for _ in 0..3 {
        assert!(h.post(&hold));
        cross_thread_bursts(&h, &done, 1);
    }
    cross_thread_bursts(&h, &done, 300);
    let before = allocations();
    cross_thread_bursts(&h, &done, 100);
    assert_eq!(allocations() - before, 0, "cross thread, warm");
    ht.quit();
    ht.join();
}
