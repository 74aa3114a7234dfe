//! HandlerThread (cf. CTS `HandlerThreadTest`).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use looper::{Error, Handler, HandlerThread, Looper};

use crate::common::HANG_GUARD;

#[test]
fn lifecycle() {
    let hooked = Arc::new(AtomicBool::new(false));
    let hk = hooked.clone();
    let t = HandlerThread::new("ht-test").on_looper_prepared(move |l: &Looper| {
        assert!(l.is_current_thread());
        assert_eq!(std::thread::current().name(), Some("ht-test"));
        hk.store(true, Ordering::SeqCst);
    });
    assert_eq!(t.name(), "ht-test");
    assert!(t.looper().is_none(), "no looper before start");
    assert!(t.thread_id().is_none());
    assert!(!t.quit());
    t.start().unwrap();
    assert!(matches!(t.start(), Err(Error::AlreadyStarted { .. })));
    let l = t.looper().unwrap();
    assert!(t.is_alive());
    assert_eq!(t.thread_id(), Some(l.thread_id()));
    assert_eq!(l.thread_name(), "ht-test");
    let (tx, rx) = mpsc::channel();
    let h = Handler::with_handle_message(&l, move |m| {
        tx.send((m.what, std::thread::current().name().map(str::to_owned)))
            .unwrap()
    });
    h.send_empty_message(5);
    assert_eq!(
        rx.recv_timeout(HANG_GUARD).unwrap(),
        (5, Some("ht-test".to_owned()))
    );
    assert!(
        hooked.load(Ordering::SeqCst),
        "hook ran before the first message"
    );
    assert_eq!(t.thread_handler(), t.thread_handler());
    assert!(t.quit_safely());
    assert!(t.join());
    assert!(!t.is_alive());
    assert!(t.thread_id().is_none());
    assert!(!h.send_empty_message(6));
}

#[test]
fn quit_drops_future_messages() {
    let t = HandlerThread::new("ht-quit");
    t.start().unwrap();
    let ran = Arc::new(AtomicBool::new(false));
    let r = ran.clone();
    let h = t.thread_handler().unwrap();
    h.post_delayed(
        &looper::Runnable::new(move || r.store(true, Ordering::SeqCst)),
        Duration::from_secs(3600),
    );
    assert!(t.quit());
    assert!(t.join());
    assert!(!ran.load(Ordering::SeqCst));
}
