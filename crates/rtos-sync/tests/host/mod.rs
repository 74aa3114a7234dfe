//! Scenarios shared by both ports (nothing here depends on single-core scheduling or on
//! timing) and HostPort stress.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use rtos_sync::*;

/// Generic scenario: a blocking FIFO hand-over of 1000 items, a counting semaphore and a
/// recursive mutex, run to completion.
fn queue_and_semaphores<P: Port>(port: &P) {
    let q = Queue::new(port, 3).unwrap();
    let done = CountingSemaphore::new(port, 2, 0).unwrap();
    let rm = RecursiveMutex::new(port);
    let got = Arc::new(AtomicU64::new(0));
    let (q1, d1, rm1) = (q.clone(), done.clone(), rm.clone());
    port.spawn("producer", 1, move |_| {
        for i in 0..1000u64 {
            q1.send(i, BlockTime::Forever).unwrap();
        }
        rm1.take(BlockTime::Forever).unwrap();
        rm1.take(BlockTime::Forever).unwrap();
        rm1.give().unwrap();
        rm1.give().unwrap();
        d1.give().unwrap();
    })
    .unwrap();
    let (g2, d2) = (got.clone(), done.clone());
    port.spawn("consumer", 2, move |_| {
        let mut sum = 0;
        for i in 0..1000u64 {
            let v = q.receive(BlockTime::Forever).unwrap();
            assert_eq!(v, i);
            sum += v;
        }
        g2.store(sum, Ordering::SeqCst);
        d2.give().unwrap();
    })
    .unwrap();
    let d3 = done.clone();
    port.spawn("waiter", 0, move |_| {
        d3.take(BlockTime::Forever).unwrap();
        d3.take(BlockTime::Forever).unwrap();
        assert_eq!(d3.take(BlockTime::NoWait), Err(Error::QueueEmpty));
    })
    .unwrap();
    port.run().unwrap();
    assert_eq!(got.load(Ordering::SeqCst), 999 * 1000 / 2);
    assert_eq!(rm.holder(), None);
}

#[test]
fn shared_queue_and_semaphores_on_both_ports() {
    queue_and_semaphores(&SimPort::new());
    queue_and_semaphores(&HostPort::new());
}

/// Generic scenario: owner checks and errors that do not depend on scheduling.
fn owner_and_errors<P: Port>(port: &P) {
    let m = Mutex::new(port);
    let q = Queue::<u8>::new(port, 1).unwrap();
    let s = BinarySemaphore::new(port);
    let (m1, q1) = (m.clone(), q.clone());
    port.spawn("A", 1, move |cx| {
        assert_eq!(m1.give(), Err(Error::QueueFull));
        let g = m1.lock().unwrap();
        assert_eq!(m1.holder(), Some(cx.id()));
        drop(g);
        q1.send(1, BlockTime::NoWait).unwrap();
        assert_eq!(
            q1.send(2, BlockTime::NoWait).unwrap_err().error,
            Error::QueueFull
        );
        assert!(matches!(
            q1.send(2, BlockTime::Ticks(2)),
            Err(SendError {
                error: Error::Timeout { .. },
                item: 2
            })
        ));
        assert_eq!(q1.receive(BlockTime::NoWait), Ok(1));
        assert!(matches!(
            q1.receive(BlockTime::Ticks(2)),
            Err(Error::Timeout { .. })
        ));
        s.give().unwrap();
        assert_eq!(s.give(), Err(Error::QueueFull));
        m1.take(BlockTime::Forever).unwrap();
    })
    .unwrap();
    port.run().unwrap();
    let a = m.holder();
    assert!(a.is_some());
    let m2 = m.clone();
    port.spawn("B", 1, move |cx| {
        assert_eq!(
            m2.give(),
            Err(Error::NotOwner {
                owner: a,
                caller: Some(cx.id())
            })
        );
        assert!(matches!(
            CountingSemaphore::new(&cx.handle(), 1, 2),
            Err(Error::InvalidArgument { .. })
        ));
    })
    .unwrap();
    port.run().unwrap();
}

#[test]
fn shared_owner_checks_on_both_ports() {
    owner_and_errors(&SimPort::new());
    owner_and_errors(&HostPort::new());
}

/// Generic scenario: a queue set multiplexing two queues fed by two tasks.
fn queue_set_two_producers<P: Port>(port: &P) {
    let a = Queue::new(port, 4).unwrap();
    let b = Queue::new(port, 4).unwrap();
    let set = QueueSet::new(port, 8).unwrap();
    set.add(&a).unwrap();
    set.add(&b).unwrap();
    for (name, q, base) in [("pa", a.clone(), 0u32), ("pb", b.clone(), 1000)] {
        port.spawn(name, 1, move |_| {
            for i in 0..200 {
                q.send(base + i, BlockTime::Forever).unwrap();
            }
        })
        .unwrap();
    }
    let (ida, idb) = (a.member_id(), b.member_id());
    let total = Arc::new(AtomicU64::new(0));
    let t = total.clone();
    port.spawn("rx", 2, move |_| {
        let (mut na, mut nb) = (0, 0);
        for _ in 0..400 {
            let id = set.select(BlockTime::Forever).unwrap();
            if id == ida {
                assert_eq!(a.receive(BlockTime::NoWait).unwrap(), na);
                na += 1;
            } else {
                assert_eq!(id, idb);
                assert_eq!(b.receive(BlockTime::NoWait).unwrap(), 1000 + nb);
                nb += 1;
            }
        }
        t.store(u64::from(na + nb), Ordering::SeqCst);
    })
    .unwrap();
    port.run().unwrap();
    assert_eq!(total.load(Ordering::SeqCst), 400);
}

#[test]
fn shared_queue_set_on_both_ports() {
    queue_set_two_producers(&SimPort::new());
    queue_set_two_producers(&HostPort::new());
}

/// HostPort priority bookkeeping: the holder inherits the blocked taker's priority and
/// returns to its base at the give (observed by polling, no timing assumptions).
#[test]
fn host_inheritance_bookkeeping() {
    let port = HostPort::new();
    let m = Mutex::new(&port);
    let ready = BinarySemaphore::new(&port);
    let (m1, r1) = (m.clone(), ready.clone());
    let h = port.handle().clone();
    let l = port
        .spawn("L", 1, move |cx| {
            m1.take(BlockTime::Forever).unwrap();
            r1.give().unwrap();
            while cx.priority() != 5 {
                std::thread::yield_now();
            }
            m1.give().unwrap();
            assert_eq!(cx.priority(), 1);
            let _ = h;
        })
        .unwrap();
    ready.take(BlockTime::Forever).unwrap();
    let m2 = m.clone();
    port.spawn("H", 5, move |_| {
        m2.take(BlockTime::Forever).unwrap();
        m2.give().unwrap();
    })
    .unwrap();
    port.run().unwrap();
    assert_eq!(port.priority(l).unwrap(), 1);
}

/// A thread that is not a task is adopted at priority 0 and may block.
#[test]
fn host_adopts_foreign_threads() {
    let port = HostPort::new();
    let q = Queue::new(&port, 1).unwrap();
    let q1 = q.clone();
    port.spawn("tx", 3, move |cx| {
        cx.delay(1);
        q1.send(5u8, BlockTime::Forever).unwrap();
    })
    .unwrap();
    assert_eq!(q.receive(BlockTime::Forever), Ok(5));
    port.run().unwrap();
}

fn stress_items() -> u64 {
    std::env::var("RTOS_SYNC_STRESS_ITEMS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000)
}

/// Stress: 4 producers x 4 consumers through one queue of 16; every item arrives exactly once.
/// 10^6 items (about 2 s in a debug build); `RTOS_SYNC_STRESS_ITEMS=n` changes it.
#[test]
fn host_stress_producers_consumers() {
    let total = stress_items();
    let (np, nc) = (4u64, 4u64);
    let port = HostPort::new();
    let q = Queue::new(&port, 16).unwrap();
    let m = Mutex::new(&port);
    let counter = Arc::new(AtomicU64::new(0));
    let finished = CountingSemaphore::new(&port, np as usize, 0).unwrap();
    for p in 0..np {
        let (q, finished) = (q.clone(), finished.clone());
        port.spawn(&format!("p{p}"), (p % 3) as u32, move |_| {
            let mut i = p;
            while i < total {
                q.send(i, BlockTime::Forever).unwrap();
                i += np;
            }
            finished.give().unwrap();
        })
        .unwrap();
    }
    let seen: Arc<std::sync::Mutex<Vec<u64>>> = Arc::default();
    for c in 0..nc {
        let (q, seen, m, counter) = (q.clone(), seen.clone(), m.clone(), counter.clone());
        port.spawn(&format!("c{c}"), (c % 2) as u32, move |_| {
            let mut mine = Vec::new();
            loop {
                let v = q.receive(BlockTime::Forever).unwrap();
                if v == u64::MAX {
                    break;
                }
                mine.push(v);
                if v % 64 == 0 {
                    let _g = m.lock().unwrap();
                    let x = counter.load(Ordering::Relaxed);
                    counter.store(x + 1, Ordering::Relaxed);
                }
            }
            seen.lock().unwrap().extend(mine);
        })
        .unwrap();
    }
    // The main thread (adopted as a task) waits for every producer, then ends each consumer.
    for _ in 0..np {
        finished.take(BlockTime::Forever).unwrap();
    }
    for _ in 0..nc {
        q.send(u64::MAX, BlockTime::Forever).unwrap();
    }
    port.run().unwrap();
    let mut all = std::mem::take(&mut *seen.lock().unwrap());
    all.sort_unstable();
    assert_eq!(all.len() as u64, total);
    assert!(all.iter().enumerate().all(|(i, &v)| i as u64 == v));
    assert_eq!(counter.load(Ordering::SeqCst), total.div_ceil(64));
}

/// Waits (yielding) until `cond` holds; no timing assumptions.
fn spin_until(mut cond: impl FnMut() -> bool) {
    while !cond() {
        std::thread::yield_now();
    }
}

/// HostPort lock-free mutex path: a holder of two mutexes taken without contention inherits
/// through either, keeps the inherited priority while it still holds one (cf. `uxMutexesHeld`
/// counting the uncontended takes too), and drops to its base only at the last give.
#[test]
fn host_inheritance_with_two_uncontended_mutexes() {
    let port = HostPort::new();
    let (a, b) = (Mutex::new(&port), Mutex::new(&port));
    let ready = BinarySemaphore::new(&port);
    let (a1, b1, r1) = (a.clone(), b.clone(), ready.clone());
    let l = port
        .spawn("L", 1, move |cx| {
            a1.take(BlockTime::Forever).unwrap();
            b1.take(BlockTime::Forever).unwrap();
            assert_eq!(a1.holder(), Some(cx.id()));
            r1.give().unwrap();
            spin_until(|| cx.priority() == 5);
            // Giving the mutex nobody waits for keeps the inherited priority.
            b1.give().unwrap();
            assert_eq!(cx.priority(), 5);
            assert_eq!(b1.holder(), None);
            a1.give().unwrap();
            assert_eq!(cx.priority(), 1);
            // Uncontended again: take and give without the kernel.
            b1.take(BlockTime::NoWait).unwrap();
            b1.give().unwrap();
            assert_eq!(cx.priority(), 1);
        })
        .unwrap();
    ready.take(BlockTime::Forever).unwrap();
    let a2 = a.clone();
    port.spawn("H", 5, move |_| {
        a2.take(BlockTime::Forever).unwrap();
        a2.give().unwrap();
    })
    .unwrap();
    port.run().unwrap();
    assert_eq!(port.priority(l).unwrap(), 1);
    assert_eq!(a.holder(), None);
}

/// vTaskPriorityDisinheritAfterTimeout on HostPort with uncontended takes: after the waiter
/// times out, a holder of one mutex drops to its base, a holder of two keeps the inherited
/// priority until it has given both.
#[test]
fn host_disinherit_after_timeout_counts_uncontended_takes() {
    for two in [false, true] {
        let port = HostPort::new();
        let (a, b) = (Mutex::new(&port), Mutex::new(&port));
        let (ready, timed_out) = (BinarySemaphore::new(&port), BinarySemaphore::new(&port));
        let (a1, b1, r1, t1) = (a.clone(), b.clone(), ready.clone(), timed_out.clone());
        port.spawn("L", 1, move |cx| {
            a1.take(BlockTime::Forever).unwrap();
            if two {
                b1.take(BlockTime::Forever).unwrap();
            }
            r1.give().unwrap();
            // H blocks (L inherits 5) and later times out; with one mutex held L may already
            // be back at 1 when it looks, so also stop once H has reported its time-out.
            spin_until(|| cx.priority() == 5 || t1.count() == 1);
            t1.take(BlockTime::Forever).unwrap();
            assert_eq!(cx.priority(), if two { 5 } else { 1 });
            if two {
                b1.give().unwrap();
                assert_eq!(cx.priority(), 5);
            }
            a1.give().unwrap();
            assert_eq!(cx.priority(), 1);
        })
        .unwrap();
        ready.take(BlockTime::Forever).unwrap();
        let (a2, t2) = (a.clone(), timed_out.clone());
        port.spawn("H", 5, move |_| {
            assert!(matches!(
                a2.take(BlockTime::Ticks(20)),
                Err(Error::Timeout { .. })
            ));
            t2.give().unwrap();
        })
        .unwrap();
        port.run().unwrap();
    }
}

/// Owner checks against a holder that took the mutex on the lock-free path.
#[test]
fn host_owner_checks_on_uncontended_mutex() {
    let port = HostPort::new();
    let m = Mutex::new(&port);
    let (held, release) = (BinarySemaphore::new(&port), BinarySemaphore::new(&port));
    let (m1, h1, rel1) = (m.clone(), held.clone(), release.clone());
    let a = port
        .spawn("A", 2, move |cx| {
            m1.take(BlockTime::NoWait).unwrap();
            assert_eq!(m1.take(BlockTime::NoWait), Err(Error::QueueEmpty));
            assert_eq!(m1.holder(), Some(cx.id()));
            h1.give().unwrap();
            rel1.take(BlockTime::Forever).unwrap();
            // (B may take the mutex as soon as it is given: the double give
            // is checked by B, once nobody else wants the mutex.)
            m1.give().unwrap();
        })
        .unwrap();
    held.take(BlockTime::Forever).unwrap();
    let m2 = m.clone();
    let r2 = release.clone();
    port.spawn("B", 2, move |cx| {
        assert_eq!(m2.holder(), Some(a));
        assert_eq!(
            m2.give(),
            Err(Error::NotOwner {
                owner: Some(a),
                caller: Some(cx.id())
            })
        );
        assert_eq!(m2.take(BlockTime::NoWait), Err(Error::QueueEmpty));
        r2.give().unwrap();
        // Blocks until A gives; then holds it.
        m2.take(BlockTime::Forever).unwrap();
        assert_eq!(m2.holder(), Some(cx.id()));
        m2.give().unwrap();
        assert_eq!(m2.give(), Err(Error::QueueFull));
    })
    .unwrap();
    port.run().unwrap();
    assert_eq!(m.holder(), None);
    assert_eq!(port.priority(a).unwrap(), 2);
}

/// HostPort queue lock-free path: counts, order (back and front), full/empty errors, and a
/// queue that was used on that path joining a set (it must then notify the set).
#[test]
fn host_queue_fast_path_counts_and_set_membership() {
    let port = HostPort::new();
    let q = Queue::new(&port, 3).unwrap();
    q.send(1u8, BlockTime::NoWait).unwrap();
    q.send(2, BlockTime::NoWait).unwrap();
    q.send_to_front(0, BlockTime::NoWait).unwrap();
    assert_eq!(q.messages_waiting(), 3);
    assert!(q.is_full());
    assert_eq!(
        q.send(9, BlockTime::NoWait).unwrap_err().error,
        Error::QueueFull
    );
    let set = QueueSet::new(&port, 3).unwrap();
    assert!(matches!(set.add(&q), Err(Error::InvalidArgument { .. })));
    assert_eq!(q.peek(BlockTime::NoWait), Ok(0));
    for want in 0..3 {
        assert_eq!(q.receive(BlockTime::NoWait), Ok(want));
    }
    assert_eq!(q.receive(BlockTime::NoWait), Err(Error::QueueEmpty));
    assert_eq!(q.spaces_available(), 3);
    set.add(&q).unwrap();
    q.send(7, BlockTime::NoWait).unwrap();
    assert_eq!(set.select(BlockTime::NoWait), Ok(q.member_id()));
    assert_eq!(q.receive(BlockTime::NoWait), Ok(7));
    set.remove(&q).unwrap();
    q.send(8, BlockTime::NoWait).unwrap();
    assert_eq!(set.select(BlockTime::NoWait), Err(Error::QueueEmpty));
    q.reset().unwrap();
    assert!(q.is_empty());
}

/// HostPort queue ring: one producer and one consumer on the ring path while a third thread
/// keeps switching the ring to kernel mode (peeks and counts take the kernel lock and wait for
/// claims in flight). The consumer sees every item once, in order; peeks and counts stay in
/// range.
#[test]
fn host_queue_ring_fifo_across_kernel_hand_overs() {
    let n = stress_items() / 5;
    let port = HostPort::new();
    let q = Queue::new(&port, 4).unwrap();
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let tx = q.clone();
    let producer = std::thread::spawn(move || {
        for i in 0..n {
            tx.send(i, BlockTime::Forever).unwrap();
        }
    });
    let (pq, pdone) = (q.clone(), done.clone());
    let prober = std::thread::spawn(move || {
        let mut last = 0;
        while !pdone.load(Ordering::Relaxed) {
            if let Ok(v) = pq.peek(BlockTime::NoWait) {
                assert!(v >= last && v < n);
                last = v;
            }
            assert!(pq.messages_waiting() <= 4);
        }
    });
    for i in 0..n {
        assert_eq!(q.receive(BlockTime::Forever), Ok(i));
    }
    done.store(true, Ordering::Relaxed);
    producer.join().unwrap();
    prober.join().unwrap();
    assert!(q.is_empty());
}

/// HostPort: a mutex taken on the lock-free path and then added to a set gives through the
/// kernel (the give posts it to the set); removed again, it is back on the fast path.
#[test]
fn host_mutex_in_a_queue_set() {
    let port = HostPort::new();
    let m = Mutex::new(&port);
    let set = QueueSet::new(&port, 1).unwrap();
    let (held, go) = (BinarySemaphore::new(&port), BinarySemaphore::new(&port));
    let (m1, s1, h1, g1) = (m.clone(), set.clone(), held.clone(), go.clone());
    port.spawn("L", 1, move |_| {
        m1.take(BlockTime::NoWait).unwrap();
        s1.add(&m1).unwrap();
        h1.give().unwrap();
        g1.take(BlockTime::Forever).unwrap();
        m1.give().unwrap();
    })
    .unwrap();
    held.take(BlockTime::Forever).unwrap();
    let (m2, s2) = (m.clone(), set.clone());
    port.spawn("H", 2, move |cx| {
        go.give().unwrap();
        assert_eq!(s2.select(BlockTime::Ticks(5000)), Ok(m2.member_id()));
        m2.take(BlockTime::NoWait).unwrap();
        assert_eq!(m2.holder(), Some(cx.id()));
        // Leaving the set (while held) puts it back on the fast path.
        s2.remove(&m2).unwrap();
        m2.give().unwrap();
        m2.take(BlockTime::NoWait).unwrap();
        m2.give().unwrap();
    })
    .unwrap();
    port.run().unwrap();
    assert_eq!(m.holder(), None);
}
