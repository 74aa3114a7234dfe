//! Message logging, slow dispatch / delivery rules, the observer
//! (cf. `Looper.setMessageLogging`, `setSlowLogThresholdMs`, `Looper.Observer`).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Once};
use std::time::Duration;

use looper::{Handler, Message, Observer, Printer, Runnable, TestLooper};

use crate::common::Record;

struct Capture;
static LINES: Mutex<Vec<(Option<String>, String)>> = Mutex::new(Vec::new());
static CAPTURE: Capture = Capture;

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        if record.target() == "Looper" {
            LINES.lock().unwrap().push((
                std::thread::current().name().map(str::to_owned),
                record.args().to_string(),
            ));
        }
    }
    fn flush(&self) {}
}

/// Installs the capturing logger and returns the `Looper` log lines emitted
/// so far on this (test) thread.
fn looper_log() -> Vec<String> {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        log::set_logger(&CAPTURE).unwrap();
        log::set_max_level(log::LevelFilter::Trace);
    });
    let me = std::thread::current().name().map(str::to_owned);
    LINES
        .lock()
        .unwrap()
        .iter()
        .filter(|(t, _)| *t == me)
        .map(|(_, l)| l.clone())
        .collect()
}

#[test]
fn message_logging_lines() {
    let tl = TestLooper::new();
    let rec: Record<String> = Record::new();
    let r = rec.clone();
    let printer: Printer = Arc::new(move |s: &str| r.push(s.to_owned()));
    tl.looper().set_message_logging(Some(printer));
    let h = Handler::builder(tl.looper()).name("MyHandler").build();
    let task = Runnable::new(|| {});
    h.send_empty_message(5);
    h.post(&task);
    tl.dispatch_all();
    assert_eq!(
        rec.get(),
        [
            format!(">>>>> Dispatching to {h} null: 5"),
            format!("<<<<< Finished to {h} null"),
            format!(">>>>> Dispatching to {h} {task}: 0"),
            format!("<<<<< Finished to {h} {task}"),
        ]
    );
    assert!(rec.get()[0].starts_with(">>>>> Dispatching to Handler (MyHandler) {"));
    tl.looper().set_message_logging(None);
    h.send_empty_message(6);
    tl.dispatch_all();
    assert_eq!(rec.len(), 4);
}

#[test]
fn slow_dispatch_is_logged() {
    let _ = looper_log();
    let tl = TestLooper::new();
    tl.looper()
        .set_slow_log_thresholds(Some(Duration::from_millis(100)), None);
    let clock = tl.clock().clone();
    let h = Handler::builder(tl.looper())
        .name("Slow")
        .handle_message(move |m: &mut Message| clock.advance(Duration::from_millis(m.arg1 as u64)))
        .build();
    h.send_message(h.obtain_message_args(7, 150, 0));
    h.send_message(h.obtain_message_args(8, 99, 0));
    tl.dispatch_all();
    let thread = std::thread::current().name().unwrap().to_owned();
    assert_eq!(
        looper_log(),
        [format!(
            "Slow dispatch took 150ms {thread} h=Slow c=null m=7"
        )]
    );
}

#[test]
fn slow_delivery_and_drained() {
    let _ = looper_log();
    let tl = TestLooper::new();
    tl.looper()
        .set_slow_log_thresholds(None, Some(Duration::from_millis(100)));
    let h = Handler::builder(tl.looper()).name("Late").build();
    let thread = std::thread::current().name().unwrap().to_owned();

    h.send_empty_message(1);
    tl.advance_time(Duration::from_millis(200));
    h.send_empty_message(2); // on time
    tl.dispatch_all();
    // 1 was 200 ms late: logged; 2 was on time: "Drained".
    h.send_empty_message(3);
    h.send_empty_message(4);
    tl.advance_time(Duration::from_millis(300));
    tl.dispatch_all(); // 3 logged, 4 suppressed until drained
    h.send_empty_message(5);
    tl.advance_time(Duration::from_millis(10));
    tl.dispatch_all(); // 10 ms late: counts as drained
    // Front-of-queue messages (time zero) are never "late".
    h.send_message_at_front_of_queue(h.obtain_message_what(6));
    tl.advance_time(Duration::from_millis(500));
    tl.dispatch_all();
    assert_eq!(
        looper_log(),
        [
            format!("Slow delivery took 200ms {thread} h=Late c=null m=1"),
            "Drained".to_owned(),
            format!("Slow delivery took 300ms {thread} h=Late c=null m=3"),
            "Drained".to_owned(),
        ]
    );
}

#[derive(Default)]
struct Counting {
    starting: AtomicUsize,
    dispatched: AtomicUsize,
    panicked: AtomicUsize,
    last_what: Mutex<Vec<i32>>,
}

impl Observer for Counting {
    fn message_dispatch_starting(&self, msg: &Message) -> u64 {
        self.starting.fetch_add(1, Ordering::SeqCst);
        msg.what as u64 + 1000
    }
    fn message_dispatched(&self, token: u64, msg: &Message) {
        assert_eq!(token, msg.what as u64 + 1000);
        self.dispatched.fetch_add(1, Ordering::SeqCst);
        self.last_what.lock().unwrap().push(msg.what);
    }
    fn dispatching_panicked(&self, token: u64, msg: &Message, panic: &(dyn std::any::Any + Send)) {
        assert_eq!(token, msg.what as u64 + 1000);
        assert_eq!(panic.downcast_ref::<&str>(), Some(&"boom"));
        self.panicked.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn observer_sees_dispatches_and_panics() {
    let tl = TestLooper::new();
    let obs = Arc::new(Counting::default());
    tl.looper().set_observer(Some(obs.clone()));
    let h = Handler::with_handle_message(tl.looper(), |m| {
        if m.what == 3 {
            std::panic::panic_any("boom");
        }
    });
    h.send_empty_message(1);
    h.send_empty_message(2);
    assert_eq!(tl.dispatch_all(), 2);
    h.send_empty_message(3);
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| tl.dispatch_next()));
    assert!(r.is_err(), "the panic goes on unwinding");
    assert_eq!(obs.starting.load(Ordering::SeqCst), 3);
    assert_eq!(obs.dispatched.load(Ordering::SeqCst), 2);
    assert_eq!(obs.panicked.load(Ordering::SeqCst), 1);
    assert_eq!(*obs.last_what.lock().unwrap(), [1, 2]);
}
