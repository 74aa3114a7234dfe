//! Loom models of the HostPort state machine (the kernel's lock, event lists and per-task
//! condition variables, with loom's primitives swapped in), including the lock-free mutex and
//! queue paths (state words, the queue ring and its hand-over to the kernel) and inheritance on the
//! mutex fast path. Time-outs are not modelled (loom does not model the passage of real time,
//! which HostPort deadlines are checked against); they are covered by the SimPort tests (exact
//! ticks) and by the HostPort tests.
//!
//! Run with:
//!
//! ```text
//! RUSTFLAGS="--cfg loom" cargo test -p rtos-sync --release --test tests loom
//! ```

use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::thread;
use rtos_sync::*;

/// A give racing a blocking take is never lost.
#[test]
fn loom_binary_semaphore_no_lost_wakeup() {
    loom::model(|| {
        let port = HostPort::new();
        let s = BinarySemaphore::new(&port);
        let s2 = s.clone();
        let t = thread::spawn(move || s2.give().unwrap());
        s.take(BlockTime::Forever).unwrap();
        t.join().unwrap();
        assert_eq!(s.count(), 0);
    });
}

/// Two items through a queue of length 1: blocking on both sides, order kept. Each item
/// crosses between ring and kernel mode several times, so the full space is too large to
/// explore in minutes: this model is bounded to 4 preemptions (about 5 s; 5 takes 25 s, 3
/// takes 1 s; `LOOM_MAX_PREEMPTIONS` does not override it).
#[test]
fn loom_queue_handover_both_sides_block() {
    let mut b = loom::model::Builder::new();
    b.preemption_bound = Some(4);
    b.check(|| {
        let port = HostPort::new();
        let q = Queue::new(&port, 1).unwrap();
        let q2 = q.clone();
        let t = thread::spawn(move || {
            q2.send(1u8, BlockTime::Forever).unwrap();
            q2.send(2u8, BlockTime::Forever).unwrap();
        });
        assert_eq!(q.receive(BlockTime::Forever), Ok(1));
        assert_eq!(q.receive(BlockTime::Forever), Ok(2));
        t.join().unwrap();
    });
}

/// Mutual exclusion and ownership under every interleaving of two takers.
#[test]
fn loom_mutex_exclusion() {
    loom::model(|| {
        let port = HostPort::new();
        let m = Mutex::new(&port);
        let n = loom::sync::Arc::new(AtomicUsize::new(0));
        let (m2, n2) = (m.clone(), n.clone());
        let t = thread::spawn(move || {
            let _g = m2.lock().unwrap();
            let v = n2.load(Ordering::Relaxed);
            n2.store(v + 1, Ordering::Relaxed);
        });
        {
            let _g = m.lock().unwrap();
            let v = n.load(Ordering::Relaxed);
            n.store(v + 1, Ordering::Relaxed);
        }
        t.join().unwrap();
        assert_eq!(n.load(Ordering::Relaxed), 2);
        assert_eq!(m.holder(), None);
    });
}

/// The lock-free mutex path: an uncontended take by one thread racing a blocking take by a
/// more urgent one. Whatever the interleaving (the waiter materialising the state word before
/// or after the holder's lock-free give, the holder inheriting or not), exclusion holds, the
/// waiter gets the mutex, and the holder ends at its base priority holding nothing.
#[test]
fn loom_mutex_fast_path_against_blocking_take() {
    loom::model(|| {
        let port = HostPort::new();
        let m = Mutex::new(&port);
        let n = Mutex::new(&port);
        let inside = loom::sync::Arc::new(AtomicUsize::new(0));
        // The main thread learns its task id from an uncontended take.
        n.take(BlockTime::NoWait).unwrap();
        let main_id = n.holder().unwrap();
        n.give().unwrap();
        let (m2, port2, inside2) = (m.clone(), port.handle().clone(), inside.clone());
        let t = thread::spawn(move || {
            let n2 = Mutex::new(&port2);
            n2.take(BlockTime::NoWait).unwrap();
            let me = n2.holder().unwrap();
            n2.give().unwrap();
            port2.set_priority(me, 5).unwrap();
            m2.take(BlockTime::Forever).unwrap();
            assert_eq!(inside2.fetch_add(1, Ordering::Relaxed), 0);
            inside2.fetch_sub(1, Ordering::Relaxed);
            m2.give().unwrap();
        });
        m.take(BlockTime::Forever).unwrap();
        assert_eq!(inside.fetch_add(1, Ordering::Relaxed), 0);
        inside.fetch_sub(1, Ordering::Relaxed);
        m.give().unwrap();
        assert_eq!(port.priority(main_id), Ok(0));
        t.join().unwrap();
        assert_eq!(m.holder(), None);
        assert_eq!(port.priority(main_id), Ok(0));
    });
}

/// The queue's ring hand-over: a ring-mode send to the back racing a send to the front, which
/// switches the ring to kernel mode (waiting for any claim in flight) and rebuilds it one lap
/// further. Whatever the interleaving (the ring send claiming before, during or after the
/// kernel's hand-over, or falling back to the kernel), both items arrive once, the front one
/// first, and the counts agree.
#[test]
fn loom_queue_ring_against_send_to_front() {
    loom::model(|| {
        let port = HostPort::new();
        let q = Queue::new(&port, 2).unwrap();
        let q2 = q.clone();
        let t = thread::spawn(move || q2.send(1u8, BlockTime::NoWait).unwrap());
        q.send_to_front(0u8, BlockTime::NoWait).unwrap();
        t.join().unwrap();
        assert_eq!(q.messages_waiting(), 2);
        assert_eq!(q.receive(BlockTime::NoWait), Ok(0));
        assert_eq!(q.receive(BlockTime::NoWait), Ok(1));
        assert_eq!(q.messages_waiting(), 0);
    });
}

/// A ring-mode receive racing a sender that blocks on the full queue (kernel mode while it
/// waits): the receive takes the one item, either on the ring before the hand-over or through
/// the kernel, and the blocked sender is always woken; FIFO holds.
#[test]
fn loom_queue_ring_receive_wakes_blocked_sender() {
    loom::model(|| {
        let port = HostPort::new();
        let q = Queue::new(&port, 1).unwrap();
        q.send(1u8, BlockTime::NoWait).unwrap();
        let q2 = q.clone();
        let t = thread::spawn(move || q2.receive(BlockTime::Forever).unwrap());
        q.send(2u8, BlockTime::Forever).unwrap();
        assert_eq!(t.join().unwrap(), 1);
        assert_eq!(q.receive(BlockTime::NoWait), Ok(2));
    });
}
