//! Handler: send/post/remove/has, dispatch precedence, run_with_scissors
//! (cf. CTS `HandlerTest`).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use looper::{Error, Handler, HandlerThread, Looper, Message, Runnable, TestLooper, Token};

use crate::common::{HANG_GUARD, Record, recording_handler, spawn_looper};

#[test]
fn dispatch_precedence() {
    let tl = TestLooper::new();
    let rec = Record::new();
    let (r1, r2) = (rec.clone(), rec.clone());
    let h = Handler::builder(tl.looper())
        .callback(move |m| {
            r1.push(format!("callback {}", m.what));
            m.what == 1 // takes message 1, passes message 2 on
        })
        .handle_message(move |m| r2.push(format!("handle {}", m.what)))
        .build();
    let r3 = rec.clone();
    let task = Runnable::new(move || r3.push("runnable".to_owned()));
    h.post(&task);
    h.send_empty_message(1);
    h.send_empty_message(2);
    assert_eq!(tl.dispatch_all(), 3);
    assert_eq!(
        rec.get(),
        ["runnable", "callback 1", "callback 2", "handle 2"]
    );
    // dispatch_message can be called directly, and handle_message alone.
    let mut m = h.obtain_message_what(7);
    h.dispatch_message(&mut m);
    h.handle_message(&mut m);
    assert_eq!(rec.get()[4..], ["callback 7", "handle 7", "handle 7"]);
}

#[test]
fn handler_without_functions_runs_posts_only() {
    let tl = TestLooper::new();
    let h = Handler::new(tl.looper());
    let ran = Arc::new(AtomicBool::new(false));
    let r = ran.clone();
    h.send_empty_message(1);
    h.post(&Runnable::new(move || r.store(true, Ordering::SeqCst)));
    assert_eq!(tl.dispatch_all(), 2);
    assert!(ran.load(Ordering::SeqCst));
}

#[test]
fn removal_scope_two_handlers() {
    let tl = TestLooper::new();
    let rec = Record::new();
    let h1 = recording_handler(tl.looper(), &rec);
    let r = rec.clone();
    let h2 = Handler::with_handle_message(tl.looper(), move |m| r.push(100 + m.what));
    let barrier = tl
        .looper()
        .queue()
        .post_sync_barrier_at(tl.now().saturating_add(Duration::from_secs(1)));
    for what in [1, 2, 1] {
        h1.send_empty_message(what);
        h2.send_empty_message(what);
    }
    h1.remove_messages(1);
    assert!(!h1.has_messages(1));
    assert!(h2.has_messages(1));
    h1.remove_callbacks_and_messages(None);
    assert!(!h1.has_messages_or_callbacks());
    assert!(h2.has_messages_or_callbacks());
    assert_eq!(tl.dispatch_all(), 3);
    assert_eq!(rec.get(), [101, 102, 101]);
    // The barrier survived the handler's removal.
    tl.looper().queue().remove_sync_barrier(barrier).unwrap();
}

#[test]
fn token_and_callback_removal() {
    let tl = TestLooper::new();
    let count = Arc::new(AtomicUsize::new(0));
    let c = count.clone();
    let h = Handler::new(tl.looper());
    let task = Runnable::new(move || {
        c.fetch_add(1, Ordering::SeqCst);
    });
    let other_task = Runnable::new(|| {});
    let (right, wrong) = (Token::new(), Token::new());
    let at = tl.now();
    h.post_at_time_with_token(&task, right, at);
    h.post_delayed_with_token(&task, right, 0);
    // Wrong token or wrong runnable: nothing removed.
    h.remove_callbacks_with_token(&task, wrong);
    h.remove_callbacks(&other_task);
    assert!(h.has_callbacks(&task));
    assert!(!h.has_callbacks(&other_task));
    h.remove_callbacks_with_token(&task, right);
    assert!(!h.has_callbacks(&task));

    // Token-tagged messages.
    let mut m = h.obtain_message_what(5);
    m.token = Some(right);
    h.send_message(m);
    h.send_empty_message(5);
    assert!(h.has_messages_with_token(5, right));
    assert!(!h.has_messages_with_token(5, wrong));
    h.remove_messages_with_token(5, wrong);
    assert!(h.has_messages_with_token(5, right));
    h.remove_messages_with_token(5, right);
    assert!(!h.has_messages_with_token(5, right));
    assert!(h.has_messages(5), "the untagged message stays");

    // remove_callbacks_and_messages(token) removes tagged posts and messages only.
    h.post_at_time_with_token(&task, right, at);
    let mut m = h.obtain_message_what(6);
    m.token = Some(right);
    h.send_message(m);
    h.post(&task);
    h.remove_callbacks_and_messages(Some(wrong));
    assert!(h.has_messages(6));
    h.remove_callbacks_and_messages(Some(right));
    assert!(!h.has_messages(6));
    assert!(h.has_callbacks(&task));
    assert_eq!(tl.dispatch_all(), 2); // message 5 and the untagged post
    assert_eq!(count.load(Ordering::SeqCst), 1);
    // Clones of a Runnable are the same runnable.
    h.post(&task.clone());
    assert!(h.has_callbacks(&task));
    h.remove_callbacks(&task);
    assert!(!h.has_messages_or_callbacks());
}

#[test]
fn posted_callbacks_have_what_zero() {
    let tl = TestLooper::new();
    let ran = Arc::new(AtomicUsize::new(0));
    let r = ran.clone();
    let h = Handler::new(tl.looper());
    let task = Runnable::new(move || {
        r.fetch_add(1, Ordering::SeqCst);
    });
    assert!(!h.has_messages(0));
    h.post(&task);
    assert!(
        h.has_messages(0),
        "a posted task is a message with what == 0"
    );
    h.remove_messages(0);
    assert!(
        !h.has_callbacks(&task),
        "remove_messages(0) removes posted tasks too"
    );
    assert_eq!(tl.dispatch_all(), 0);
    assert_eq!(ran.load(Ordering::SeqCst), 0);
}

#[test]
fn has_messages_lifecycle() {
    let tl = TestLooper::new();
    let h = Handler::new(tl.looper());
    assert!(!h.has_messages(1));
    h.send_empty_message_delayed(1, 10);
    assert!(h.has_messages(1));
    assert!(!h.has_messages(2));
    tl.run_for(Duration::from_millis(10));
    assert!(!h.has_messages(1), "gone once dispatched");
    h.send_empty_message(1);
    h.remove_messages(1);
    assert!(!h.has_messages(1), "gone once removed");
}

#[test]
fn obtain_message_variants_and_send_to_target() {
    let tl = TestLooper::new();
    let rec = Record::new();
    let r = rec.clone();
    let h = Handler::with_handle_message(tl.looper(), move |m| {
        let s = m.take_obj::<String>().unwrap_or_default();
        r.push((m.what, m.arg1, m.arg2, s));
    });
    let m = h.obtain_message();
    assert_eq!(m.target(), Some(&h));
    assert!(m.send_to_target());
    assert!(h.obtain_message_what(1).send_to_target());
    assert!(h.obtain_message_obj(2, "two".to_owned()).send_to_target());
    assert!(h.obtain_message_args(3, 30, 31).send_to_target());
    assert!(
        h.obtain_message_args_obj(4, 40, 41, "four".to_owned())
            .send_to_target()
    );
    assert!(!Message::obtain().send_to_target(), "no target");
    assert_eq!(tl.dispatch_all(), 5);
    assert_eq!(
        rec.get(),
        [
            (0, 0, 0, String::new()),
            (1, 0, 0, String::new()),
            (2, 0, 0, "two".to_owned()),
            (3, 30, 31, String::new()),
            (4, 40, 41, "four".to_owned()),
        ]
    );
}

#[test]
fn sending_through_another_handler_retargets() {
    let tl = TestLooper::new();
    let rec = Record::new();
    let h1 = recording_handler(tl.looper(), &rec);
    let r = rec.clone();
    let h2 = Handler::with_handle_message(tl.looper(), move |m| r.push(m.what + 100));
    let m = h1.obtain_message_what(1);
    h2.send_message(m);
    tl.dispatch_all();
    assert_eq!(rec.get(), [101]);
}

#[test]
fn for_current_thread_needs_a_looper() {
    std::thread::spawn(|| {
        assert!(matches!(
            Handler::for_current_thread(),
            Err(Error::NoLooper { .. })
        ));
        let l = Looper::prepare().unwrap();
        let h = Handler::for_current_thread().unwrap();
        assert_eq!(h.looper(), &l);
    })
    .join()
    .unwrap();
}

#[test]
fn run_with_scissors_inline() {
    std::thread::spawn(|| {
        let l = Looper::prepare().unwrap();
        let h = Handler::new(&l);
        let ran = Arc::new(AtomicBool::new(false));
        let r = ran.clone();
        // On the looper's own thread: runs at once, even though the loop is not running.
        assert!(h.run_with_scissors(move || r.store(true, Ordering::SeqCst), Duration::ZERO));
        assert!(ran.load(Ordering::SeqCst));
    })
    .join()
    .unwrap();
}

#[test]
fn run_with_scissors_cross_thread() {
    let t = HandlerThread::new("scissors");
    t.start().unwrap();
    let h = t.thread_handler().unwrap();
    let on_thread = Arc::new(AtomicBool::new(false));
    let o = on_thread.clone();
    let l = h.looper().clone();
    assert!(h.run_with_scissors(
        move || o.store(l.is_current_thread(), Ordering::SeqCst),
        Duration::ZERO
    ));
    assert!(on_thread.load(Ordering::SeqCst));
    assert!(h.run_with_scissors(|| {}, Duration::from_secs(30)));
    assert!(t.quit());
    assert!(t.join());
}

#[test]
fn run_with_scissors_timeout_leaves_task_queued() {
    let (l, j) = spawn_looper();
    let h = Handler::new(&l);
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let (started_tx, started_rx) = mpsc::channel::<()>();
    h.post(&Runnable::new({
        let rx = std::sync::Mutex::new(release_rx);
        move || {
            started_tx.send(()).unwrap();
            rx.lock().unwrap().recv_timeout(HANG_GUARD).unwrap();
        }
    }));
    started_rx.recv_timeout(HANG_GUARD).unwrap();
    let ran = Arc::new(AtomicBool::new(false));
    let r = ran.clone();
    // The looper is busy: this times out.
    assert!(!h.run_with_scissors(
        move || r.store(true, Ordering::SeqCst),
        Duration::from_millis(20)
    ));
    assert!(!ran.load(Ordering::SeqCst));
    assert!(h.has_messages(0), "the task stays queued");
    release_tx.send(()).unwrap();
    // It still runs later.
    assert!(h.run_with_scissors(|| {}, Duration::ZERO));
    assert!(ran.load(Ordering::SeqCst));
    l.quit().unwrap();
    j.join().unwrap();
}

#[test]
fn run_with_scissors_after_quit() {
    let (l, j) = spawn_looper();
    let h = Handler::new(&l);
    l.quit().unwrap();
    j.join().unwrap();
    assert!(!h.run_with_scissors(|| unreachable!(), Duration::ZERO));
}

#[test]
fn run_with_scissors_released_when_looper_quits_while_waiting() {
    let (l, j) = spawn_looper();
    let h = Handler::new(&l);
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let (started_tx, started_rx) = mpsc::channel::<()>();
    let l2 = l.clone();
    h.post(&Runnable::new({
        let rx = std::sync::Mutex::new(release_rx);
        move || {
            started_tx.send(()).unwrap();
            rx.lock().unwrap().recv_timeout(HANG_GUARD).unwrap();
            l2.quit().unwrap(); // drops the scissors task, still queued
        }
    }));
    started_rx.recv_timeout(HANG_GUARD).unwrap();
    let h2 = h.clone();
    let waiter = std::thread::spawn(move || h2.run_with_scissors(|| {}, Duration::ZERO));
    // Let the waiter queue its task before releasing the looper.
    crate::common::wait_until(|| h.has_messages(0));
    release_tx.send(()).unwrap();
    assert!(!waiter.join().unwrap());
    j.join().unwrap();
}

/// Undelayed sends from another thread (the lock-free path) are seen at once
/// by that thread's `has_*`, `remove_*`, barriers and the queue length, and
/// keep their order against its timed sends.
#[test]
fn cross_thread_sends_are_visible_at_once() {
    let ht = HandlerThread::new("visible");
    ht.start().unwrap();
    let looper = ht.looper().unwrap();
    let rec = Record::new();
    let r2 = rec.clone();
    let h = Handler::with_handle_message(&looper, move |m: &mut Message| r2.push(m.what));
    // Hold the looper so that nothing below is delivered before the checks.
    let (go_tx, go_rx) = mpsc::channel::<()>();
    let (held_tx, held_rx) = mpsc::channel::<()>();
    let go_rx = std::sync::Mutex::new(go_rx);
    let held_tx = std::sync::Mutex::new(held_tx);
    let hold = Runnable::new(move || {
        held_tx.lock().unwrap().send(()).unwrap();
        go_rx.lock().unwrap().recv_timeout(HANG_GUARD).unwrap();
    });
    assert!(h.post(&hold));
    held_rx.recv_timeout(HANG_GUARD).unwrap();
    let q = looper.queue();
    for round in 0..50 {
        assert!(h.send_empty_message(7));
        assert!(
            h.has_messages(7),
            "round {round}: has_messages right after the send"
        );
        assert_eq!(q.len(), 1, "round {round}");
        h.remove_messages(7);
        assert!(!h.has_messages(7), "round {round}");
        assert!(q.is_empty(), "round {round}");
    }
    // Order against timed sends of the same thread: an undelayed send, then
    // one at an explicit time already past, then undelayed again.
    assert!(h.send_empty_message(1));
    assert!(h.send_empty_message_at_time(2, looper.now()));
    assert!(h.send_empty_message(3));
    // A barrier posted now goes after all three.
    let b = q.post_sync_barrier();
    assert!(h.send_empty_message(4));
    let wait_for = |n: usize| {
        let start = std::time::Instant::now();
        while rec.len() < n {
            assert!(
                start.elapsed() < HANG_GUARD,
                "looper stalled: {:?}\n{}",
                rec.get(),
                q.dump()
            );
            std::thread::sleep(Duration::from_millis(1));
        }
    };
    go_tx.send(()).unwrap();
    wait_for(3);
    std::thread::sleep(Duration::from_millis(20));
    assert_eq!(rec.get(), vec![1, 2, 3], "4 waits behind the barrier");
    q.remove_sync_barrier(b).unwrap();
    wait_for(4);
    assert_eq!(rec.get(), vec![1, 2, 3, 4]);
    ht.quit();
    ht.join();
}
