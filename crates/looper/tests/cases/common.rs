//! Shared helpers.

use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use looper::{Handler, Looper, Message};

/// A generous guard against hangs: a broken looper fails the test instead of
/// blocking forever. Never used to assert speed.
pub(crate) const HANG_GUARD: Duration = Duration::from_secs(30);

/// A shared, ordered record of events.
#[derive(Clone, Default)]
pub(crate) struct Record<T>(pub Arc<Mutex<Vec<T>>>);

impl<T: Clone> Record<T> {
    pub(crate) fn new() -> Self {
        Record(Arc::new(Mutex::new(Vec::new())))
    }
    pub(crate) fn push(&self, v: T) {
        self.0.lock().unwrap().push(v);
    }
    pub(crate) fn get(&self) -> Vec<T> {
        self.0.lock().unwrap().clone()
    }
    pub(crate) fn len(&self) -> usize {
        self.0.lock().unwrap().len()
    }
}

/// Prepares a looper on a new thread, runs `setup` on it before looping, then
/// loops until the looper quits. Messages sent by `setup` are all queued
/// before the first dispatch, which makes ordering tests deterministic.
pub(crate) fn run_looper_thread<F>(setup: F) -> JoinHandle<()>
where
    F: FnOnce(&Looper) + Send + 'static,
{
    std::thread::spawn(move || {
        let l = Looper::prepare().unwrap();
        setup(&l);
        Looper::run().unwrap();
    })
}

/// Starts a looper thread and hands its looper back; the thread runs until
/// the looper quits.
pub(crate) fn spawn_looper() -> (Looper, JoinHandle<()>) {
    let (tx, rx) = mpsc::channel();
    let j = std::thread::spawn(move || {
        let l = Looper::prepare().unwrap();
        tx.send(l).unwrap();
        Looper::run().unwrap();
    });
    (rx.recv_timeout(HANG_GUARD).unwrap(), j)
}

/// A handler that records `what` of each message it handles.
pub(crate) fn recording_handler(l: &Looper, rec: &Record<i32>) -> Handler {
    let r = rec.clone();
    Handler::with_handle_message(l, move |m: &mut Message| r.push(m.what))
}

/// A handler that records `what` and quits its looper on `quit_what`.
pub(crate) fn recording_handler_quitting(l: &Looper, rec: &Record<i32>, quit_what: i32) -> Handler {
    let r = rec.clone();
    let looper = l.clone();
    Handler::with_handle_message(l, move |m: &mut Message| {
        r.push(m.what);
        if m.what == quit_what {
            looper.quit().unwrap();
        }
    })
}

/// Waits (politely) until `cond` holds, failing after the hang guard.
pub(crate) fn wait_until(mut cond: impl FnMut() -> bool) {
    let start = std::time::Instant::now();
    while !cond() {
        assert!(start.elapsed() < HANG_GUARD, "condition never became true");
        std::thread::sleep(Duration::from_millis(1));
    }
}
