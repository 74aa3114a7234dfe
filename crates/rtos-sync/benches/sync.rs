//! rtos-sync speed, as ratios against std, parking_lot and crossbeam measured in one run.
//!
//! `cargo bench -p rtos-sync --bench sync -- --warm-up-time 1 --measurement-time 3`
#![allow(missing_docs, clippy::unwrap_used)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rtos_sync::{BinarySemaphore, BlockTime, HostPort, Mutex, Port, Queue, SimPort};

fn mutex_uncontended(c: &mut Criterion) {
    let mut g = c.benchmark_group("mutex_uncontended_take_give");
    let port = HostPort::new();
    let m = Mutex::new(&port);
    m.take(BlockTime::NoWait).unwrap();
    m.give().unwrap();
    g.bench_function("rtos_sync_host", |b| {
        b.iter(|| {
            m.take(BlockTime::Forever).unwrap();
            m.give().unwrap();
        })
    });
    let s = std::sync::Mutex::new(0u64);
    g.bench_function("std", |b| b.iter(|| *black_box(&s).lock().unwrap() += 1));
    let p = parking_lot::Mutex::new(0u64);
    g.bench_function("parking_lot", |b| b.iter(|| *black_box(&p).lock() += 1));
    g.finish();
}

const ITEMS: u64 = 20_000;

fn spsc(c: &mut Criterion) {
    let mut g = c.benchmark_group("spsc_len64");
    g.throughput(Throughput::Elements(ITEMS));
    g.bench_function("rtos_sync_host", |b| {
        b.iter_custom(|iters| {
            let port = HostPort::new();
            let q = Queue::new(&port, 64).unwrap();
            let q2 = q.clone();
            let start = Instant::now();
            let t = std::thread::spawn(move || {
                for i in 0..iters * ITEMS {
                    q2.send(i, BlockTime::Forever).unwrap();
                }
            });
            for _ in 0..iters * ITEMS {
                black_box(q.receive(BlockTime::Forever).unwrap());
            }
            t.join().unwrap();
            start.elapsed()
        })
    });
    g.bench_function("crossbeam_bounded", |b| {
        b.iter_custom(|iters| {
            let (tx, rx) = crossbeam_channel::bounded(64);
            let start = Instant::now();
            let t = std::thread::spawn(move || {
                for i in 0..iters * ITEMS {
                    tx.send(i).unwrap();
                }
            });
            for _ in 0..iters * ITEMS {
                black_box(rx.recv().unwrap());
            }
            t.join().unwrap();
            start.elapsed()
        })
    });
    g.bench_function("std_sync_channel", |b| {
        b.iter_custom(|iters| {
            let (tx, rx) = std::sync::mpsc::sync_channel(64);
            let start = Instant::now();
            let t = std::thread::spawn(move || {
                for i in 0..iters * ITEMS {
                    tx.send(i).unwrap();
                }
            });
            for _ in 0..iters * ITEMS {
                black_box(rx.recv().unwrap());
            }
            t.join().unwrap();
            start.elapsed()
        })
    });
    g.finish();
}

const ROUNDS: u64 = 2_000;

fn ping_pong(c: &mut Criterion) {
    let mut g = c.benchmark_group("ping_pong_two_threads");
    g.throughput(Throughput::Elements(ROUNDS));
    g.bench_function("rtos_sync_binary_semaphores", |b| {
        b.iter_custom(|iters| {
            let port = HostPort::new();
            let (ping, pong) = (BinarySemaphore::new(&port), BinarySemaphore::new(&port));
            let (pi, po) = (ping.clone(), pong.clone());
            let n = iters * ROUNDS;
            let start = Instant::now();
            let t = std::thread::spawn(move || {
                for _ in 0..n {
                    pi.take(BlockTime::Forever).unwrap();
                    po.give().unwrap();
                }
            });
            for _ in 0..n {
                ping.give().unwrap();
                pong.take(BlockTime::Forever).unwrap();
            }
            t.join().unwrap();
            start.elapsed()
        })
    });
    g.bench_function("std_mutex_condvar", |b| {
        b.iter_custom(|iters| {
            let state = Arc::new((std::sync::Mutex::new(0u8), std::sync::Condvar::new()));
            let s2 = state.clone();
            let n = iters * ROUNDS;
            let start = Instant::now();
            let t = std::thread::spawn(move || {
                let (m, cv) = &*s2;
                for _ in 0..n {
                    let mut g = cv.wait_while(m.lock().unwrap(), |v| *v != 1).unwrap();
                    *g = 2;
                    cv.notify_all();
                }
            });
            let (m, cv) = &*state;
            for _ in 0..n {
                *m.lock().unwrap() = 1;
                cv.notify_all();
                let mut g = cv.wait_while(m.lock().unwrap(), |v| *v != 2).unwrap();
                *g = 0;
            }
            t.join().unwrap();
            start.elapsed()
        })
    });
    g.finish();
}

const SWITCH_ROUNDS: u64 = 2_000;

fn sim_switches(c: &mut Criterion) {
    let mut g = c.benchmark_group("simport");
    g.throughput(Throughput::Elements(2 * SWITCH_ROUNDS));
    g.bench_function("context_switches_yield", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let sim = SimPort::new();
                for name in ["a", "b"] {
                    sim.spawn(name, 1, |cx| {
                        for _ in 0..SWITCH_ROUNDS {
                            cx.yield_now();
                        }
                    })
                    .unwrap();
                }
                let start = Instant::now();
                sim.run().unwrap();
                total += start.elapsed();
            }
            total
        })
    });
    g.finish();
}

criterion_group!(benches, mutex_uncontended, spsc, ping_pong, sim_switches);
criterion_main!(benches);
