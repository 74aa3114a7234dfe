//! MessageQueue: ordering, barriers, asynchronous messages, idle handlers
//! (cf. CTS `MessageQueueTest`).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use looper::{BarrierToken, Error, Handler, IdleHandler, Looper, Message, TestLooper, Uptime};

use crate::common::{
    HANG_GUARD, Record, recording_handler, recording_handler_quitting, run_looper_thread,
    spawn_looper, wait_until,
};

#[test]
fn equal_times_are_fifo() {
    let rec = Record::new();
    let r = rec.clone();
    run_looper_thread(move |l| {
        let h = recording_handler_quitting(l, &r, 99);
        let when = l.now();
        for i in 0..10 {
            assert!(h.send_message_at_time(Message::obtain_what(i), when));
        }
        h.send_message_at_time(Message::obtain_what(99), when);
    })
    .join()
    .unwrap();
    let mut expected: Vec<i32> = (0..10).collect();
    expected.push(99);
    assert_eq!(rec.get(), expected);
}

#[test]
fn front_of_queue_is_lifo_and_first() {
    let rec = Record::new();
    let r = rec.clone();
    run_looper_thread(move |l| {
        let h = recording_handler_quitting(l, &r, 99);
        h.send_empty_message(10);
        h.send_empty_message(11);
        for i in 0..5 {
            assert!(h.send_message_at_front_of_queue(Message::obtain_what(i)));
        }
        h.send_empty_message(99);
    })
    .join()
    .unwrap();
    assert_eq!(rec.get(), [4, 3, 2, 1, 0, 10, 11, 99]);
}

#[test]
fn when_zero_goes_first() {
    let rec = Record::new();
    let r = rec.clone();
    run_looper_thread(move |l| {
        let h = recording_handler_quitting(l, &r, 99);
        h.send_empty_message(1);
        h.send_empty_message(2);
        h.send_empty_message_at_time(0, Uptime::ZERO);
        // Negative delays clamp to "now": after 1 and 2, not at the front.
        h.send_empty_message_delayed(3, -500);
        h.send_empty_message(99);
    })
    .join()
    .unwrap();
    assert_eq!(rec.get(), [0, 1, 2, 3, 99]);
}

#[test]
fn out_of_order_times_are_sorted() {
    let tl = TestLooper::new();
    let rec = Record::new();
    let h = recording_handler(tl.looper(), &rec);
    let t0 = tl.now();
    for (what, ms) in [(5, 50), (1, 10), (3, 30), (2, 20), (4, 40), (0, 0)] {
        h.send_message_at_time(
            Message::obtain_what(what),
            t0.saturating_add(Duration::from_millis(ms)),
        );
    }
    assert_eq!(tl.run_for(Duration::from_millis(60)), 6);
    assert_eq!(rec.get(), [0, 1, 2, 3, 4, 5]);
}

#[test]
fn huge_delays_never_wrap_to_now() {
    let tl = TestLooper::new();
    let rec = Record::new();
    let h = recording_handler(tl.looper(), &rec);
    assert!(h.send_empty_message_delayed(1, i64::MAX));
    assert!(h.send_empty_message_delayed(2, Duration::MAX));
    assert!(h.send_message_at_time(Message::obtain_what(3), Uptime::MAX));
    h.send_empty_message(0);
    assert_eq!(tl.dispatch_all(), 1);
    tl.advance_time(Duration::from_secs(1_000_000_000));
    assert_eq!(tl.dispatch_all(), 0);
    assert_eq!(rec.get(), [0]);
    assert!(h.has_messages(1) && h.has_messages(2) && h.has_messages(3));
    assert_eq!(tl.next_message_time(), Some(Uptime::MAX));
}

#[test]
fn barriers_exact_order() {
    let tl = TestLooper::new();
    let q = tl.looper().queue().clone();
    let rec = Record::new();
    let sync = recording_handler(tl.looper(), &rec);
    let r = rec.clone();
    let asyn = Handler::builder(tl.looper())
        .asynchronous(true)
        .handle_message(move |m| r.push(m.what))
        .build();

    sync.send_empty_message(0);
    sync.send_empty_message(1);
    let barrier = q.post_sync_barrier();
    sync.send_empty_message(6);
    sync.send_empty_message(7);
    asyn.send_empty_message(2);
    asyn.send_empty_message(3);
    asyn.send_empty_message_delayed(5, 10);
    sync.send_empty_message(8);

    // 0 and 1 were before the barrier; the async ones pass it; 6, 7, 8 wait.
    assert_eq!(tl.dispatch_all(), 4);
    assert_eq!(rec.get(), [0, 1, 2, 3]);
    // A front-of-queue message goes before the barrier itself.
    sync.send_message_at_front_of_queue(Message::obtain_what(4));
    assert_eq!(tl.dispatch_all(), 1);
    tl.advance_time(Duration::from_millis(10));
    assert_eq!(tl.dispatch_all(), 1);
    assert_eq!(tl.dispatch_all(), 0);
    assert!(sync.has_messages(6));
    q.remove_sync_barrier(barrier).unwrap();
    assert_eq!(tl.dispatch_all(), 3);
    sync.send_empty_message(9);
    sync.send_empty_message(10);
    assert_eq!(tl.dispatch_all(), 2);
    assert_eq!(rec.get(), (0..=10).collect::<Vec<_>>());
}

#[test]
fn late_barriers_let_earlier_messages_through() {
    let tl = TestLooper::new();
    let q = tl.looper().queue().clone();
    let rec = Record::new();
    let h = recording_handler(tl.looper(), &rec);
    let t0 = tl.now();
    let at = |ms| t0.saturating_add(Duration::from_millis(ms));
    h.send_message_at_time(Message::obtain_what(1), at(10));
    h.send_message_at_time(Message::obtain_what(2), at(20));
    // Equal time: the message queued first goes before the barrier.
    let b = q.post_sync_barrier_at(at(20));
    h.send_message_at_time(Message::obtain_what(3), at(20));
    h.send_message_at_time(Message::obtain_what(4), at(30));
    assert_eq!(tl.run_for(Duration::from_millis(100)), 2);
    assert_eq!(rec.get(), [1, 2]);
    q.remove_sync_barrier(b).unwrap();
    assert_eq!(tl.dispatch_all(), 2);
    assert_eq!(rec.get(), [1, 2, 3, 4]);
}

#[test]
fn invalid_barrier_tokens_are_errors() {
    let tl = TestLooper::new();
    let q = tl.looper().queue();
    let e = q
        .remove_sync_barrier(BarrierToken::from_raw(12345))
        .unwrap_err();
    assert!(matches!(e, Error::InvalidBarrierToken { token: 12345 }));
    let b = q.post_sync_barrier();
    q.remove_sync_barrier(b).unwrap();
    assert!(matches!(
        q.remove_sync_barrier(b),
        Err(Error::InvalidBarrierToken { .. })
    ));
    // Barriers are not messages of any handler.
    let b2 = q.post_sync_barrier();
    let h = Handler::new(tl.looper());
    h.remove_callbacks_and_messages(None);
    q.remove_sync_barrier(b2).unwrap();
}

#[test]
fn async_message_wakes_looper_blocked_by_barrier() {
    let (l, j) = spawn_looper();
    let q = l.queue().clone();
    let (tx, rx) = mpsc::channel();
    let tx2 = tx.clone();
    let sync = Handler::with_handle_message(&l, move |m| tx.send(("sync", m.what)).unwrap());
    let asyn = Handler::builder(&l)
        .asynchronous(true)
        .handle_message(move |m| tx2.send(("async", m.what)).unwrap())
        .build();
    let barrier = q.post_sync_barrier();
    wait_until(|| q.is_polling());
    sync.send_empty_message(1);
    asyn.send_empty_message(2);
    assert_eq!(rx.recv_timeout(HANG_GUARD).unwrap(), ("async", 2));
    // The sync message, sent first, is still held by the barrier.
    assert!(sync.has_messages(1));
    q.remove_sync_barrier(barrier).unwrap();
    assert_eq!(rx.recv_timeout(HANG_GUARD).unwrap(), ("sync", 1));
    l.quit().unwrap();
    j.join().unwrap();
}

#[test]
fn create_async_messages_are_asynchronous() {
    let tl = TestLooper::new();
    let rec = Record::new();
    let r = rec.clone();
    let h = Handler::create_async_with_callback(tl.looper(), move |m| {
        r.push((m.what, m.is_asynchronous()));
        true
    });
    assert!(h.is_asynchronous());
    let b = tl.looper().queue().post_sync_barrier();
    h.send_empty_message(1);
    h.send_message(Message::obtain_what(2));
    assert_eq!(tl.dispatch_all(), 2);
    assert_eq!(rec.get(), [(1, true), (2, true)]);
    tl.looper().queue().remove_sync_barrier(b).unwrap();
    let plain = Handler::new(tl.looper());
    let mut m = plain.obtain_message_what(3);
    assert!(!m.is_asynchronous());
    m.set_asynchronous(true);
    assert!(m.is_asynchronous());
    assert!(Handler::new_async(tl.looper()).is_asynchronous());
}

#[test]
fn is_idle_follows_the_head() {
    let tl = TestLooper::new();
    let q = tl.looper().queue().clone();
    let h = Handler::new(tl.looper());
    assert!(q.is_idle());
    h.send_empty_message_delayed(1, 100);
    assert!(q.is_idle(), "a future message leaves the queue idle");
    h.send_empty_message(2);
    assert!(!q.is_idle());
    tl.dispatch_all();
    assert!(q.is_idle());
    let b = q.post_sync_barrier();
    assert!(!q.is_idle(), "a due barrier at the head is not idle");
    q.remove_sync_barrier(b).unwrap();
    assert!(q.is_idle());
    tl.advance_time(Duration::from_millis(100));
    assert!(!q.is_idle());
}

#[test]
fn idle_handlers_once_repeating_panicking() {
    let once = Arc::new(AtomicUsize::new(0));
    let repeat = Arc::new(AtomicUsize::new(0));
    let panicky = Arc::new(AtomicUsize::new(0));
    let rec = Record::new();
    let (o, rp, p, r) = (once.clone(), repeat.clone(), panicky.clone(), rec.clone());
    run_looper_thread(move |l| {
        let q = l.queue().clone();
        let h = recording_handler_quitting(l, &r, 99);
        q.add_idle_handler(&IdleHandler::new(move || {
            o.fetch_add(1, Ordering::SeqCst);
            false
        }));
        q.add_idle_handler(&IdleHandler::new(move || {
            p.fetch_add(1, Ordering::SeqCst);
            panic!("idle handler panics (expected by the test)");
        }));
        let h2 = h.clone();
        q.add_idle_handler(&IdleHandler::new(move || {
            // Each idle period sends the next message: two idle periods in all.
            let n = rp.fetch_add(1, Ordering::SeqCst) + 1;
            h2.send_empty_message(if n == 1 { 2 } else { 99 });
            true
        }));
        h.send_empty_message(1);
    })
    .join()
    .unwrap();
    assert_eq!(rec.get(), [1, 2, 99]);
    assert_eq!(once.load(Ordering::SeqCst), 1);
    assert_eq!(repeat.load(Ordering::SeqCst), 2);
    assert_eq!(panicky.load(Ordering::SeqCst), 1);
}

#[test]
fn idle_handler_removal_by_identity() {
    let tl = TestLooper::new();
    let q = tl.looper().queue();
    let n = Arc::new(AtomicUsize::new(0));
    let n2 = n.clone();
    let ih = IdleHandler::new(move || {
        n2.fetch_add(1, Ordering::SeqCst);
        true
    });
    q.add_idle_handler(&ih);
    assert!(tl.run_idle_handlers());
    assert!(tl.run_idle_handlers());
    q.remove_idle_handler(&ih.clone());
    assert!(!tl.run_idle_handlers());
    assert_eq!(n.load(Ordering::SeqCst), 2);
}

#[test]
fn cross_thread_wake_of_far_future_wait() {
    let (l, j) = spawn_looper();
    let (tx, rx) = mpsc::channel();
    let h = Handler::with_handle_message(&l, move |m| tx.send(m.what).unwrap());
    h.send_empty_message_delayed(1, 3_600_000);
    let q = l.queue().clone();
    wait_until(|| q.is_polling());
    let sender = {
        let h = h.clone();
        std::thread::spawn(move || assert!(h.send_empty_message(2)))
    };
    assert_eq!(rx.recv_timeout(HANG_GUARD).unwrap(), 2);
    sender.join().unwrap();
    assert!(h.has_messages(1));
    l.quit().unwrap();
    j.join().unwrap();
    assert!(!h.has_messages(1), "quit drops the pending message");
}

#[test]
fn never_delivered_early() {
    let rec = Record::new();
    let r = rec.clone();
    run_looper_thread(move |l| {
        let l2 = l.clone();
        let h = Handler::with_handle_message(l, move |m| {
            let now = l2.now();
            r.push((m.what, m.when(), now));
            if m.what == 99 {
                l2.quit().unwrap();
            }
        });
        for i in 0..20 {
            h.send_empty_message_delayed(i, Duration::from_micros(500 * (20 - i as u64)));
        }
        h.send_empty_message_delayed(99, 15);
    })
    .join()
    .unwrap();
    let got = rec.get();
    assert_eq!(got.len(), 21);
    for (what, when, now) in &got {
        assert!(now >= when, "message {what} delivered before its time");
    }
    let whens: Vec<Uptime> = got.iter().map(|g| g.1).collect();
    assert!(whens.windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn looper_mode_switch_between_condvar_and_queue_of_many() {
    // Many interleaved delays on a live looper, sent from another thread.
    let (l, j) = spawn_looper();
    let rec = Record::new();
    let h = recording_handler(&l, &rec);
    for i in 0..200 {
        h.send_empty_message_delayed(i, (i % 7) as i64);
    }
    wait_until(|| rec.len() == 200);
    let mut got = rec.get();
    got.sort();
    assert_eq!(got, (0..200).collect::<Vec<_>>());
    l.quit().unwrap();
    j.join().unwrap();
    let _ = Looper::my_looper();
}

#[test]
fn immediate_send_goes_after_an_overdue_message() {
    // A message sent without delay may be stamped from a cheap clock reading,
    // but never so as to overtake a message that was already due.
    let rec = Record::new();
    let r = rec.clone();
    run_looper_thread(move |l| {
        let h = recording_handler_quitting(l, &r, 99);
        let due = l.now().saturating_add(Duration::from_micros(200));
        assert!(h.send_message_at_time(Message::obtain_what(1), due));
        while l.now() <= due {
            std::thread::yield_now();
        }
        h.send_empty_message(2);
        h.post(&looper::Runnable::new(|| {}));
        h.send_message(Message::obtain_what(99));
    })
    .join()
    .unwrap();
    assert_eq!(rec.get(), [1, 2, 99]);
}

#[test]
fn self_reposting_task_does_not_starve_a_delayed_message() {
    let (tx, rx) = mpsc::channel();
    run_looper_thread(move |l| {
        let h = Handler::new(l);
        let l2 = l.clone();
        let tx2 = tx.clone();
        h.post_delayed(
            &looper::Runnable::new(move || {
                let _ = tx2.send(true);
                l2.quit().unwrap();
            }),
            1,
        );
        let count = Arc::new(AtomicUsize::new(0));
        let slot: Arc<std::sync::OnceLock<(Handler, looper::Runnable)>> = Arc::default();
        let s = slot.clone();
        let r = looper::Runnable::new(move || {
            let (h, r) = s.get().unwrap();
            if count.fetch_add(1, Ordering::Relaxed) < 50_000_000 {
                h.post(r);
            } else {
                let _ = tx.send(false);
                h.looper().quit().unwrap();
            }
        });
        let _ = slot.set((h.clone(), r.clone()));
        h.post(&r);
    })
    .join()
    .unwrap();
    assert!(
        rx.recv_timeout(HANG_GUARD).unwrap(),
        "delayed message starved"
    );
}

#[test]
fn looper_lets_go_of_handler_and_task_when_idle() {
    struct DropFlag(Arc<AtomicUsize>);
    impl Drop for DropFlag {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    let (l, j) = spawn_looper();
    let drops = Arc::new(AtomicUsize::new(0));
    let flag = DropFlag(drops.clone());
    let h = Handler::with_handle_message(&l, move |_| {
        let _ = &flag;
    });
    let task_flag = DropFlag(drops.clone());
    let ran = Arc::new(AtomicUsize::new(0));
    let ran2 = ran.clone();
    h.post(&looper::Runnable::new(move || {
        let _ = &task_flag;
        ran2.fetch_add(1, Ordering::SeqCst);
    }));
    drop(h);
    wait_until(|| ran.load(Ordering::SeqCst) == 1);
    // Once the looper waits for work it holds neither the task nor the
    // handler of the message it dispatched last.
    wait_until(|| drops.load(Ordering::SeqCst) == 2);
    l.quit().unwrap();
    j.join().unwrap();
}
