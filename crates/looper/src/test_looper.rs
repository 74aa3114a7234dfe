//! [`TestLooper`]: a looper with a manual clock, driven step by step.

use std::fmt;
use std::time::Duration;

use crate::looper::Looper;
use crate::message::Message;
use crate::time::{Clock, ManualClock, Uptime};

/// A looper for unit tests: its clock only moves when told to, and messages
/// are dispatched only when asked (cf. `android.os.TestLooperManager` and the
/// framework's `TestLooper`).
///
/// Make handlers on [`TestLooper::looper`] as usual; the code under test sends
/// and posts with delays on the manual clock. No thread, no sleeping:
///
/// ```
/// use looper::{Handler, TestLooper};
/// use std::sync::{Arc, Mutex};
/// use std::time::Duration;
///
/// let tl = TestLooper::new();
/// let seen = Arc::new(Mutex::new(Vec::new()));
/// let s = seen.clone();
/// let h = Handler::with_handle_message(tl.looper(), move |m| s.lock().unwrap().push(m.what));
/// h.send_empty_message_delayed(2, 100);
/// h.send_empty_message(1);
/// assert_eq!(tl.dispatch_all(), 1); // only `1` is due
/// tl.advance_time(Duration::from_millis(99));
/// assert_eq!(tl.dispatch_all(), 0); // never early
/// tl.advance_time(Duration::from_millis(1));
/// assert_eq!(tl.dispatch_all(), 1);
/// assert_eq!(*seen.lock().unwrap(), [1, 2]);
/// ```
///
/// The looper belongs to the thread that made the `TestLooper` (for
/// [`Looper::is_current_thread`] and [`crate::Handler::run_with_scissors`]),
/// but is not that thread's [`Looper::my_looper`]. Idle handlers run only
/// through [`TestLooper::run_idle_handlers`]. Dropping the `TestLooper` quits
/// its looper.
pub struct TestLooper {
    looper: Looper,
    clock: ManualClock,
}

impl fmt::Debug for TestLooper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestLooper")
            .field("now", &self.clock.now())
            .field("looper", &self.looper)
            .finish()
    }
}

impl Default for TestLooper {
    fn default() -> Self {
        Self::new()
    }
}

impl TestLooper {
    /// A test looper whose clock reads [`crate::CLOCK_ORIGIN`].
    pub fn new() -> TestLooper {
        let clock = ManualClock::new();
        TestLooper {
            looper: Looper::new_unbound(true, Clock::Manual(clock.clone())),
            clock,
        }
    }

    /// The looper, to make handlers on.
    pub fn looper(&self) -> &Looper {
        &self.looper
    }

    /// The manual clock (shared with the looper's queue).
    pub fn clock(&self) -> &ManualClock {
        &self.clock
    }

    /// The current time on the manual clock.
    pub fn now(&self) -> Uptime {
        self.clock.now()
    }

    /// Moves the clock forward by `d` without dispatching anything (cf.
    /// `TestLooper.moveTimeForward`).
    pub fn advance_time(&self, d: Duration) {
        self.clock.advance(d);
    }

    /// Whether a message is due now (cf. `TestLooper.isIdle`, inverted).
    pub fn has_due_messages(&self) -> bool {
        self.next_message_time().is_some_and(|t| t <= self.now())
    }

    /// When the next deliverable message is due (honouring barriers).
    pub fn next_message_time(&self) -> Option<Uptime> {
        self.looper.queue().next_due_time()
    }

    /// Takes the next due message out of the queue without dispatching it
    /// (cf. `TestLooperManager.poll`). Hand it to [`TestLooper::execute`] or
    /// drop it.
    pub fn take_next(&self) -> Option<Message> {
        self.looper.queue().poll_due()
    }

    /// Dispatches a message taken with [`TestLooper::take_next`], with the
    /// looper's logging and observer, and recycles it (cf.
    /// `TestLooperManager.execute` + `recycle`).
    pub fn execute(&self, msg: Message) {
        let f = self.looper.dispatch(msg);
        self.looper.queue().recycle_fields(f);
    }

    /// Dispatches the next due message; `false` if none is due (cf.
    /// `TestLooper.dispatchNext`).
    pub fn dispatch_next(&self) -> bool {
        match self.take_next() {
            Some(m) => {
                self.execute(m);
                true
            }
            None => false,
        }
    }

    /// Dispatches due messages, including ones they send that are due, until
    /// none is due; returns how many (cf. `TestLooper.dispatchAll`). A task
    /// that re-posts itself without delay makes this loop forever.
    pub fn dispatch_all(&self) -> usize {
        let mut n = 0;
        while self.dispatch_next() {
            n += 1;
        }
        n
    }

    /// Moves the clock to the next message's time (if later than now) and
    /// dispatches it; `false` if the queue has no deliverable message (cf.
    /// `TestLooper.moveTimeForward` + `dispatchNext`).
    pub fn advance_to_next(&self) -> bool {
        match self.next_message_time() {
            Some(t) => {
                self.clock.advance_to(t);
                self.dispatch_next()
            }
            None => false,
        }
    }

    /// Runs the clock forward to `until`, dispatching every message due on the
    /// way, each at its own time; returns how many. The clock ends at `until`.
    pub fn run_until(&self, until: Uptime) -> usize {
        let mut n = self.dispatch_all();
        while let Some(t) = self.next_message_time() {
            if t > until {
                break;
            }
            self.clock.advance_to(t);
            n += self.dispatch_all();
        }
        self.clock.advance_to(until);
        n + self.dispatch_all()
    }

    /// Runs the clock forward by `d`, dispatching on the way (see
    /// [`TestLooper::run_until`]).
    pub fn run_for(&self, d: Duration) -> usize {
        self.run_until(self.now().saturating_add(d))
    }

    /// Runs the idle handlers once if the queue is idle; returns whether they
    /// ran.
    pub fn run_idle_handlers(&self) -> bool {
        self.looper.queue().run_idle_handlers_if_idle()
    }
}

impl Drop for TestLooper {
    fn drop(&mut self) {
        self.looper.queue().quit_unchecked(false);
    }
}
