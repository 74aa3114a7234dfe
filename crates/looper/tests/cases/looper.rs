//! Looper: lifecycle, quit and quit_safely (cf. CTS `LooperTest`).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use looper::{Error, Handler, Looper, Message};

use crate::common::{Record, recording_handler, run_looper_thread, spawn_looper};

#[test]
fn prepare_twice_is_an_error() {
    std::thread::spawn(|| {
        assert!(Looper::my_looper().is_none());
        let l = Looper::prepare().unwrap();
        assert_eq!(Looper::my_looper(), Some(l.clone()));
        assert!(l.is_current_thread());
        assert_eq!(l.thread_id(), std::thread::current().id());
        let e = Looper::prepare().unwrap_err();
        assert!(matches!(e, Error::AlreadyPrepared { .. }));
        assert_eq!(e.to_string(), "Only one Looper may be created per thread");
        assert!(Looper::my_queue().is_ok());
    })
    .join()
    .unwrap();
}

#[test]
fn run_without_prepare_is_an_error() {
    std::thread::spawn(|| {
        assert!(matches!(Looper::run(), Err(Error::NoLooper { .. })));
        assert!(matches!(Looper::my_queue(), Err(Error::NoLooper { .. })));
    })
    .join()
    .unwrap();
}

#[test]
fn is_current_thread_elsewhere() {
    let (l, j) = spawn_looper();
    assert!(!l.is_current_thread());
    l.quit().unwrap();
    j.join().unwrap();
}

#[test]
fn main_looper_lifecycle() {
    // The only test that touches the process-wide main looper.
    std::thread::spawn(|| {
        let l = Looper::prepare_main_looper().unwrap();
        assert_eq!(Looper::main_looper(), Some(l.clone()));
        assert!(!l.quit_allowed());
        assert!(matches!(l.quit(), Err(Error::QuitNotAllowed)));
        assert!(matches!(l.quit_safely(), Err(Error::QuitNotAllowed)));
        assert!(matches!(
            Looper::prepare_main_looper(),
            Err(Error::MainLooperAlreadyPrepared)
        ));
        // The main looper still works.
        let h = Handler::new(&l);
        assert!(h.send_empty_message(1));
    })
    .join()
    .unwrap();
    let other = std::thread::spawn(|| Looper::main_looper().is_some())
        .join()
        .unwrap();
    assert!(other, "the main looper is visible from every thread");
}

#[test]
fn quit_drops_every_pending_message() {
    let rec = Record::new();
    let r = rec.clone();
    run_looper_thread(move |l| {
        let r2 = r.clone();
        let l2 = l.clone();
        let h = Handler::with_handle_message(l, move |m| {
            r2.push(m.what);
            if m.what == 2 {
                l2.quit().unwrap();
            }
        });
        h.send_empty_message(1);
        h.send_empty_message(2);
        h.send_empty_message(3); // due, but quit drops it
        h.send_empty_message_delayed(4, 3_600_000);
    })
    .join()
    .unwrap();
    assert_eq!(rec.get(), [1, 2]);
}

#[test]
fn quit_safely_delivers_due_messages() {
    let rec = Record::new();
    let r = rec.clone();
    run_looper_thread(move |l| {
        let r2 = r.clone();
        let l2 = l.clone();
        let h = Handler::with_handle_message(l, move |m| {
            r2.push(m.what);
            if m.what == 2 {
                l2.quit_safely().unwrap();
            }
        });
        h.send_empty_message(1);
        h.send_empty_message(2);
        h.send_empty_message(3); // already due: delivered
        h.send_empty_message_delayed(4, 3_600_000); // future: dropped
    })
    .join()
    .unwrap();
    assert_eq!(rec.get(), [1, 2, 3]);
}

struct DropFlag(Arc<AtomicBool>);
impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

#[test]
fn sends_after_quit_fail_and_recycle() {
    let (l, j) = spawn_looper();
    let rec = Record::new();
    let h = recording_handler(&l, &rec);
    l.quit().unwrap();
    j.join().unwrap();
    assert!(l.is_quitting());
    let dropped = Arc::new(AtomicBool::new(false));
    let m = Message::obtain_obj(1, DropFlag(dropped.clone()));
    assert!(!h.send_message(m));
    assert!(dropped.load(Ordering::SeqCst), "the message was recycled");
    assert!(!h.send_empty_message(2));
    assert!(!h.post(&looper::Runnable::new(|| {})));
    assert!(!h.send_message_at_front_of_queue(Message::obtain()));
    assert!(rec.get().is_empty());
    // Quitting twice is fine.
    l.quit().unwrap();
    l.quit_safely().unwrap();
}

#[test]
fn run_on_quit_looper_returns_at_once() {
    std::thread::spawn(|| {
        let l = Looper::prepare().unwrap();
        let rec = Record::new();
        let h = recording_handler(&l, &rec);
        h.send_empty_message(1);
        l.quit().unwrap();
        Looper::run().unwrap();
        assert!(rec.get().is_empty());
    })
    .join()
    .unwrap();
}

#[test]
fn thread_exit_stops_its_looper() {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let l = Looper::prepare().unwrap();
        tx.send(l).unwrap();
        // exits without running
    })
    .join()
    .unwrap();
    let l = rx.recv().unwrap();
    assert!(l.is_quitting());
    assert!(!Handler::new(&l).send_empty_message(1));
}

#[test]
fn dump_lists_messages() {
    let tl = looper::TestLooper::new();
    let h = Handler::builder(tl.looper()).name("Dumped").build();
    h.send_empty_message_delayed(7, 5);
    let b = tl.looper().queue().post_sync_barrier();
    let d = tl.looper().dump("  ");
    assert!(d.contains("what=7"), "{d}");
    assert!(d.contains("Barrier #"), "{d}");
    assert!(d.contains("Handler (Dumped)"), "{d}");
    assert!(d.contains("Total messages: 1"), "{d}");
    tl.looper().queue().remove_sync_barrier(b).unwrap();
}
