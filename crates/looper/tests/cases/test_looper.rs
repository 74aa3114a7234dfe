//! The deterministic test looper (cf. `TestLooperManager`).

use std::time::Duration;

use looper::{CLOCK_ORIGIN, Handler, Looper, Message, Runnable, TestLooper, Uptime};

use crate::common::{Record, recording_handler};

#[test]
fn manual_clock_and_stepping() {
    let tl = TestLooper::new();
    assert_eq!(tl.now(), CLOCK_ORIGIN);
    let rec = Record::new();
    let h = recording_handler(tl.looper(), &rec);
    h.send_empty_message_delayed(3, 30);
    h.send_empty_message_delayed(1, 10);
    h.send_empty_message_delayed(2, 20);
    assert!(!tl.has_due_messages());
    assert_eq!(
        tl.next_message_time(),
        Some(CLOCK_ORIGIN.saturating_add(Duration::from_millis(10)))
    );
    assert!(!tl.dispatch_next());
    assert!(tl.advance_to_next());
    assert_eq!(
        tl.now(),
        CLOCK_ORIGIN.saturating_add(Duration::from_millis(10))
    );
    assert_eq!(rec.get(), [1]);
    tl.advance_time(Duration::from_millis(9));
    assert!(!tl.dispatch_next(), "never early");
    tl.advance_time(Duration::from_millis(1));
    assert!(tl.dispatch_next());
    assert_eq!(tl.run_for(Duration::from_secs(1)), 1);
    assert_eq!(rec.get(), [1, 2, 3]);
    assert!(!tl.advance_to_next());
}

#[test]
fn take_next_and_execute() {
    let tl = TestLooper::new();
    let rec = Record::new();
    let h = recording_handler(tl.looper(), &rec);
    h.send_empty_message(4);
    let m: Message = tl.take_next().unwrap();
    assert_eq!(m.what, 4);
    assert_eq!(m.target(), Some(&h));
    assert!(rec.get().is_empty());
    tl.execute(m);
    assert_eq!(rec.get(), [4]);
    assert!(tl.take_next().is_none());
}

#[test]
fn messages_sent_while_dispatching_at_their_time() {
    // A handler that re-posts itself every 100 ms: run_for walks the clock
    // through each tick and stops at the end time.
    let tl = TestLooper::new();
    let rec = Record::new();
    let r = rec.clone();
    let l = tl.looper().clone();
    let h = Handler::with_handle_message(tl.looper(), move |m| {
        r.push(l.now());
        if m.arg1 > 0 {
            let h = m.target().unwrap().clone();
            h.send_message_delayed(h.obtain_message_args(0, m.arg1 - 1, 0), 100);
        }
    });
    let t0 = tl.now();
    h.send_message(h.obtain_message_args(0, 5, 0));
    assert_eq!(tl.run_for(Duration::from_millis(350)), 4);
    let ticks: Vec<Uptime> = (0..4)
        .map(|i| t0.saturating_add(Duration::from_millis(100 * i)))
        .collect();
    assert_eq!(rec.get(), ticks);
    assert_eq!(tl.now(), t0.saturating_add(Duration::from_millis(350)));
    assert_eq!(tl.run_for(Duration::from_secs(10)), 2);
}

#[test]
fn test_looper_is_not_the_thread_looper() {
    let tl = TestLooper::new();
    assert!(tl.looper().is_current_thread());
    assert!(Looper::my_looper().is_none());
    let h = Handler::new(tl.looper());
    let ran = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let r = ran.clone();
    // On its own thread, run_with_scissors runs inline.
    assert!(h.run_with_scissors(
        move || r.store(true, std::sync::atomic::Ordering::SeqCst),
        Duration::ZERO
    ));
    assert!(ran.load(std::sync::atomic::Ordering::SeqCst));
    h.post(&Runnable::new(|| {}));
    drop(tl);
    assert!(
        !h.send_empty_message(1),
        "dropping the test looper quits it"
    );
}
