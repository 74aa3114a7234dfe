//! Criterion benchmarks for `looper`; results and the command line are in
//! docs/BENCHMARKS.md.
//!
//! * `same_thread`: post + dispatch on one real looper, a task re-posting
//!   itself (queue length 1), and the same with `send_empty_message`.
//! * `stream`: one producer thread, one consumer; looper vs crossbeam-channel
//!   unbounded.
//! * `ping_pong`: round trips between two loopers vs two threads handing a
//!   turn over with a Mutex + Condvar.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_main};
use looper::{Handler, HandlerThread, Looper, Message, Runnable};

/// `iters` post + dispatch pairs on a fresh looper thread, timed from the
/// first post to the end of the loop.
fn same_thread_posts(iters: u64) -> Duration {
    thread::spawn(move || {
        let l = Looper::prepare().expect("fresh thread");
        let count = Arc::new(AtomicU64::new(0));
        let slot: Arc<OnceLock<(Handler, Runnable)>> = Arc::new(OnceLock::new());
        let h = Handler::new(&l);
        let (c, s, l2) = (count.clone(), slot.clone(), l.clone());
        let r = Runnable::new(move || {
            let n = c.fetch_add(1, Ordering::Relaxed) + 1;
            let (h, r) = s.get().expect("set before posting");
            if n < iters {
                h.post(r);
            } else {
                let _ = l2.quit();
            }
        });
        let _ = slot.set((h.clone(), r.clone()));
        let start = Instant::now();
        h.post(&r);
        Looper::run().expect("prepared");
        start.elapsed()
    })
    .join()
    .expect("bench thread")
}

fn same_thread_messages(iters: u64) -> Duration {
    thread::spawn(move || {
        let l = Looper::prepare().expect("fresh thread");
        let slot: Arc<OnceLock<Handler>> = Arc::new(OnceLock::new());
        let (s, l2) = (slot.clone(), l.clone());
        let h = Handler::with_handle_message(&l, move |m: &mut Message| {
            let n = m.arg1 as u64 + 1;
            let h = s.get().expect("set before sending");
            if n < iters {
                h.send_message(h.obtain_message_args(1, n as i32, 0));
            } else {
                let _ = l2.quit();
            }
        });
        let _ = slot.set(h.clone());
        let start = Instant::now();
        h.send_message(h.obtain_message_args(1, 0, 0));
        Looper::run().expect("prepared");
        start.elapsed()
    })
    .join()
    .expect("bench thread")
}

fn same_thread(c: &mut Criterion) {
    let mut g = c.benchmark_group("same_thread");
    g.throughput(Throughput::Elements(1));
    g.bench_function("post_dispatch", |b| b.iter_custom(same_thread_posts));
    g.bench_function("send_message_dispatch", |b| {
        b.iter_custom(same_thread_messages)
    });
    g.finish();
}

fn stream(c: &mut Criterion) {
    let mut g = c.benchmark_group("stream");
    g.throughput(Throughput::Elements(1));

    // looper: the bench thread sends, a HandlerThread consumes.
    let ht = HandlerThread::new("bench-consumer");
    ht.start().expect("start");
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let h = Handler::with_handle_message(&ht.looper().expect("started"), move |m| {
        if m.what == 2 {
            done_tx.send(()).expect("bench waits");
        }
    });
    g.bench_function("looper_send_empty_message", |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            for _ in 0..iters {
                h.send_empty_message(1);
            }
            h.send_empty_message(2);
            done_rx.recv().expect("consumer");
            start.elapsed()
        })
    });
    ht.quit();
    ht.join();

    // crossbeam-channel unbounded, same shape.
    let (tx, rx) = crossbeam_channel::unbounded::<u32>();
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let consumer = thread::spawn(move || {
        while let Ok(v) = rx.recv() {
            if v == 2 {
                done_tx.send(()).expect("bench waits");
            }
        }
    });
    g.bench_function("crossbeam_unbounded", |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            for _ in 0..iters {
                tx.send(1).expect("consumer alive");
            }
            tx.send(2).expect("consumer alive");
            done_rx.recv().expect("consumer");
            start.elapsed()
        })
    });
    drop(tx);
    consumer.join().expect("consumer");
    g.finish();
}

/// Two threads hand a turn back and forth under one Mutex, each waiting on
/// its own Condvar (the bench thread waits on a third one).
struct Turns {
    state: Mutex<TurnState>,
    cv: [Condvar; 3],
}

struct TurnState {
    /// 0 or 1: that player's turn; 2: done, the bench thread's turn.
    turn: usize,
    left: u64,
    exit: bool,
}

fn ping_pong(c: &mut Criterion) {
    let mut g = c.benchmark_group("ping_pong");
    g.throughput(Throughput::Elements(1));

    // Two loopers: A sends to B, B sends back to A; arg1 counts down.
    let (ta, tb) = (HandlerThread::new("ping"), HandlerThread::new("pong"));
    ta.start().expect("start");
    tb.start().expect("start");
    let (la, lb) = (ta.looper().expect("a"), tb.looper().expect("b"));
    let hb_slot: Arc<OnceLock<Handler>> = Arc::new(OnceLock::new());
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let hbs = hb_slot.clone();
    let ha = Handler::with_handle_message(&la, move |m| {
        if m.arg1 == 0 {
            done_tx.send(()).expect("bench waits");
        } else {
            let hb = hbs.get().expect("set");
            hb.send_message(hb.obtain_message_args(1, m.arg1 - 1, 0));
        }
    });
    let ha2 = ha.clone();
    let _ = hb_slot.set(Handler::with_handle_message(&lb, move |m| {
        ha2.send_message(ha2.obtain_message_args(1, m.arg1, 0));
    }));
    g.bench_function("two_loopers", |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            ha.send_message(ha.obtain_message_args(1, iters as i32, 0));
            done_rx.recv().expect("ping-pong");
            start.elapsed()
        })
    });
    ta.quit();
    tb.quit();
    ta.join();
    tb.join();

    // Baseline: Mutex + Condvar.
    let t = Arc::new(Turns {
        state: Mutex::new(TurnState {
            turn: 2,
            left: 0,
            exit: false,
        }),
        cv: [Condvar::new(), Condvar::new(), Condvar::new()],
    });
    let players: Vec<_> = (0..2usize)
        .map(|me| {
            let t = t.clone();
            thread::spawn(move || {
                loop {
                    let mut st = t.state.lock().expect("lock");
                    while st.turn != me && !st.exit {
                        st = t.cv[me].wait(st).expect("wait");
                    }
                    if st.exit {
                        return;
                    }
                    let next = if me == 0 && st.left == 0 {
                        2
                    } else {
                        if me == 0 {
                            st.left -= 1;
                        }
                        1 - me
                    };
                    st.turn = next;
                    // Notify after unlocking, so the woken thread does not
                    // block on the mutex (the looper does the same).
                    drop(st);
                    t.cv[next].notify_one();
                }
            })
        })
        .collect();
    g.bench_function("mutex_condvar", |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            let mut st = t.state.lock().expect("lock");
            st.turn = 0;
            st.left = iters;
            drop(st);
            t.cv[0].notify_one();
            let mut st = t.state.lock().expect("lock");
            while st.turn != 2 {
                st = t.cv[2].wait(st).expect("wait");
            }
            start.elapsed()
        })
    });
    {
        let mut st = t.state.lock().expect("lock");
        st.exit = true;
    }
    for cv in &t.cv {
        cv.notify_all();
    }
    for p in players {
        p.join().expect("player");
    }
    g.finish();
}

mod group {
    #![allow(missing_docs, unreachable_pub)] // generated by criterion_group!
    use super::{ping_pong, same_thread, stream};
    criterion::criterion_group!(benches, same_thread, stream, ping_pong);
}
criterion_main!(group::benches);
