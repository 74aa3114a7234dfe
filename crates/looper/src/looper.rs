//! [`Looper`]: the thread-bound loop that drains a [`MessageQueue`].

use std::any::Any;
use std::cell::RefCell;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, ThreadId};
use std::time::Duration;

use crate::error::{Error, Result};
use crate::message::{Message, MessageFields, put_warm, take_warm_cleared};
use crate::queue::MessageQueue;
use crate::time::{Clock, Uptime};

/// Where the message-logging lines go (cf. `android.util.Printer`).
pub type Printer = Arc<dyn Fn(&str) + Send + Sync>;

/// Hooks around every dispatch of a looper (cf. `Looper.Observer`).
///
/// Android has one process-wide observer; here each looper has its own
/// ([`Looper::set_observer`]), which keeps tests independent.
pub trait Observer: Send + Sync {
    /// Called before `msg` is dispatched. The value returned is passed back to
    /// the matching [`Observer::message_dispatched`] or
    /// [`Observer::dispatching_panicked`] (cf. `messageDispatchStarting`).
    fn message_dispatch_starting(&self, msg: &Message) -> u64 {
        let _ = msg;
        0
    }

    /// Called after `msg` was dispatched (cf. `messageDispatched`).
    fn message_dispatched(&self, token: u64, msg: &Message) {
        let _ = (token, msg);
    }

    /// Called when dispatching `msg` panicked, before the panic goes on
    /// unwinding out of [`Looper::run`] (cf. `dispatchingThrewException`).
    fn dispatching_panicked(&self, token: u64, msg: &Message, panic: &(dyn Any + Send)) {
        let _ = (token, msg, panic);
    }
}

pub(crate) struct Inner {
    queue: MessageQueue,
    thread: ThreadId,
    thread_name: String,
    has_hooks: AtomicBool,
    logging: Mutex<Option<Printer>>,
    observer: Mutex<Option<Arc<dyn Observer>>>,
    slow_dispatch_ms: AtomicU64,
    slow_delivery_ms: AtomicU64,
    slow_delivery_detected: AtomicBool,
    loop_depth: AtomicUsize,
}

/// The message loop of one thread (cf. `android.os.Looper`).
///
/// A thread gets one with [`Looper::prepare`], and then runs it with
/// [`Looper::run`] until [`Looper::quit`]. Handlers made on it
/// ([`crate::Handler::new`]) send messages into its [`MessageQueue`] from any
/// thread; they are dispatched on the looper's thread, in time order.
///
/// `Looper` is a cheap, clonable, `Send + Sync` reference; clones are the
/// same looper (`==`).
#[derive(Clone)]
pub struct Looper {
    pub(crate) inner: Arc<Inner>,
}

impl PartialEq for Looper {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl Eq for Looper {}

impl fmt::Debug for Looper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Looper ({}, tid {:?}) {{{:x}}}",
            self.inner.thread_name,
            self.inner.thread,
            Arc::as_ptr(&self.inner) as usize
        )
    }
}

/// The thread-local binding. Dropped when the thread exits: the queue is then
/// stopped and emptied, since nobody can run it any more (this also breaks
/// the reference cycle queued messages form through their handlers).
struct Binding(Looper);

impl Drop for Binding {
    fn drop(&mut self) {
        self.0.inner.queue.quit_unchecked(false);
    }
}

thread_local! {
    static CURRENT: RefCell<Option<Binding>> = const { RefCell::new(None) };
}

static MAIN: Mutex<Option<Looper>> = Mutex::new(None);

impl Looper {
    pub(crate) fn new_unbound(quit_allowed: bool, clock: Clock) -> Looper {
        let t = thread::current();
        Looper {
            inner: Arc::new(Inner {
                queue: MessageQueue::new(quit_allowed, clock),
                thread: t.id(),
                thread_name: t.name().unwrap_or("<unnamed>").to_owned(),
                has_hooks: AtomicBool::new(false),
                logging: Mutex::new(None),
                observer: Mutex::new(None),
                slow_dispatch_ms: AtomicU64::new(0),
                slow_delivery_ms: AtomicU64::new(0),
                slow_delivery_detected: AtomicBool::new(false),
                loop_depth: AtomicUsize::new(0),
            }),
        }
    }

    fn prepare_with(quit_allowed: bool) -> Result<Looper> {
        CURRENT.with(|c| {
            let mut c = c.borrow_mut();
            if c.is_some() {
                return Err(Error::AlreadyPrepared {
                    thread: thread::current().id(),
                });
            }
            let l = Looper::new_unbound(quit_allowed, Clock::Monotonic);
            *c = Some(Binding(l.clone()));
            Ok(l)
        })
    }

    /// Gives the current thread a looper (cf. `Looper.prepare`). Then make
    /// handlers on it and call [`Looper::run`].
    ///
    /// # Errors
    /// [`Error::AlreadyPrepared`] ("Only one Looper may be created per
    /// thread") if the thread already has one.
    pub fn prepare() -> Result<Looper> {
        Looper::prepare_with(true)
    }

    /// Gives the current thread the process's main looper, which may not quit
    /// (cf. `Looper.prepareMainLooper`).
    ///
    /// # Errors
    /// [`Error::MainLooperAlreadyPrepared`] if a main looper exists,
    /// [`Error::AlreadyPrepared`] if this thread already has a looper.
    pub fn prepare_main_looper() -> Result<Looper> {
        let mut main = MAIN.lock().unwrap_or_else(PoisonError::into_inner);
        if main.is_some() {
            return Err(Error::MainLooperAlreadyPrepared);
        }
        let l = Looper::prepare_with(false)?;
        *main = Some(l.clone());
        Ok(l)
    }

    /// The main looper, if one was prepared (cf. `Looper.getMainLooper`).
    pub fn main_looper() -> Option<Looper> {
        MAIN.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// The current thread's looper, if it has one (cf. `Looper.myLooper`).
    pub fn my_looper() -> Option<Looper> {
        CURRENT
            .try_with(|c| c.borrow().as_ref().map(|b| b.0.clone()))
            .ok()
            .flatten()
    }

    /// The current thread's queue (cf. `Looper.myQueue`).
    ///
    /// # Errors
    /// [`Error::NoLooper`] if the thread has no looper.
    pub fn my_queue() -> Result<MessageQueue> {
        Looper::my_looper()
            .map(|l| l.inner.queue.clone())
            .ok_or_else(|| Error::NoLooper {
                thread: thread::current().id(),
            })
    }

    /// Runs the current thread's looper until it quits (cf. `Looper.loop`).
    /// Returns at once if it has already quit.
    ///
    /// A panic in a handler unwinds out of `run` (after the observer, if any,
    /// has been told), as an exception leaves `Looper.loop`. Nested calls (from
    /// inside a handler) are allowed and logged, as in Android.
    ///
    /// # Errors
    /// [`Error::NoLooper`] if [`Looper::prepare`] was not called on this thread.
    pub fn run() -> Result<()> {
        let me = Looper::my_looper().ok_or_else(|| Error::NoLooper {
            thread: thread::current().id(),
        })?;
        me.run_loop();
        Ok(())
    }

    fn run_loop(&self) {
        struct Depth<'a>(&'a AtomicUsize);
        impl Drop for Depth<'_> {
            fn drop(&mut self) {
                self.0.fetch_sub(1, Ordering::Relaxed);
            }
        }
        if self.inner.loop_depth.fetch_add(1, Ordering::Relaxed) > 0 {
            log::warn!(
                target: "Looper",
                "Loop again would have the queued messages be executed before this one completed."
            );
        }
        let _depth = Depth(&self.inner.loop_depth);
        let queue = &self.inner.queue;
        let mut recycled = None;
        let mut cache = None;
        while let Some(msg) = queue.next(recycled.take(), &mut cache) {
            // Keep the storage warm for a re-post from this thread; what it
            // displaces goes back to the pool with the next `next()`.
            recycled = put_warm(self.dispatch_raw(msg, &mut cache).into_fields());
        }
        drop(cache);
        if let Some(mut f) = recycled {
            f.clear();
            queue.recycle_fields(f);
        }
        if let Some(f) = take_warm_cleared() {
            queue.recycle_fields(f);
        }
        queue.release_pool_refs();
    }

    /// Dispatches one message with logging, slow-log rules and the observer;
    /// returns its storage, cleared, for the pool.
    pub(crate) fn dispatch(&self, msg: Message) -> Box<MessageFields> {
        self.dispatch_raw(msg, &mut None).into_cleared_fields()
    }

    /// Dispatches one message with logging, slow-log rules and the observer;
    /// gives it back.
    ///
    /// `cache` keeps the handle of the last target dispatched through, so a
    /// run of messages to one handler does not touch its reference count
    /// (the run loop clears it before waiting).
    fn dispatch_raw(&self, mut msg: Message, cache: &mut Option<crate::Handler>) -> Message {
        if msg.target().is_none() {
            return msg;
        }
        if !self.inner.has_hooks.load(Ordering::Relaxed) {
            // A posted task needs nothing from its handler (the first rule
            // of `Handler::dispatch_message`): run it straight from the
            // message.
            if let Some(cb) = msg.callback() {
                cb.run();
                return msg;
            }
        }
        // The message keeps its target while being handled (handlers read
        // `msg.target()`), so dispatch through a clone (cached).
        if !self.inner.has_hooks.load(Ordering::Relaxed) {
            if cache.as_ref() != msg.target() {
                *cache = msg.target().cloned();
            }
            if let Some(target) = cache.as_ref() {
                target.dispatch_message(&mut msg);
            }
            return msg;
        }
        let Some(target) = msg.target().cloned() else {
            return msg;
        };
        let inner = &*self.inner;
        let printer = inner
            .logging
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let observer = inner
            .observer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let callback = match msg.callback() {
            Some(cb) => cb.to_string(),
            None => "null".to_owned(),
        };
        if let Some(p) = &printer {
            p(&format!(
                ">>>>> Dispatching to {target} {callback}: {}",
                msg.what
            ));
        }
        let slow_dispatch = inner.slow_dispatch_ms.load(Ordering::Relaxed);
        let slow_delivery = inner.slow_delivery_ms.load(Ordering::Relaxed);
        let clock = &inner.queue.shared.clock;
        let when = msg.when();
        let log_slow_delivery = slow_delivery > 0 && when > Uptime::ZERO;
        let start = if slow_dispatch > 0 || log_slow_delivery {
            clock.now()
        } else {
            Uptime::ZERO
        };
        let token = observer
            .as_ref()
            .map_or(0, |o| o.message_dispatch_starting(&msg));
        match &observer {
            Some(o) => {
                if let Err(p) = catch_unwind(AssertUnwindSafe(|| target.dispatch_message(&mut msg)))
                {
                    o.dispatching_panicked(token, &msg, &*p);
                    resume_unwind(p);
                }
            }
            None => target.dispatch_message(&mut msg),
        }
        let end = if slow_dispatch > 0 {
            clock.now()
        } else {
            Uptime::ZERO
        };
        if log_slow_delivery {
            let late_ms = start.as_millis() - when.as_millis();
            if inner.slow_delivery_detected.load(Ordering::Relaxed) {
                if late_ms <= 10 {
                    log::warn!(target: "Looper", "Drained");
                    inner.slow_delivery_detected.store(false, Ordering::Relaxed);
                }
            } else if self.show_slow_log(
                slow_delivery,
                when,
                start,
                "delivery",
                &target,
                &callback,
                msg.what,
            ) {
                // Once a slow delivery is logged, stay quiet until the queue drains.
                inner.slow_delivery_detected.store(true, Ordering::Relaxed);
            }
        }
        if slow_dispatch > 0 {
            self.show_slow_log(
                slow_dispatch,
                start,
                end,
                "dispatch",
                &target,
                &callback,
                msg.what,
            );
        }
        if let Some(p) = &printer {
            p(&format!("<<<<< Finished to {target} {callback}"));
        }
        if let Some(o) = &observer {
            o.message_dispatched(token, &msg);
        }
        msg
    }

    #[allow(clippy::too_many_arguments)]
    fn show_slow_log(
        &self,
        threshold_ms: u64,
        start: Uptime,
        end: Uptime,
        what: &str,
        target: &crate::Handler,
        callback: &str,
        msg_what: i32,
    ) -> bool {
        let took = end.as_millis() - start.as_millis();
        if took < 0 || (took as u64) < threshold_ms {
            return false;
        }
        log::warn!(
            target: "Looper",
            "Slow {what} took {took}ms {} h={} c={callback} m={msg_what}",
            self.inner.thread_name,
            target.name()
        );
        true
    }

    /// Stops the loop without delivering anything more: every pending message
    /// is dropped (recycled), later sends fail (cf. `Looper.quit`).
    ///
    /// # Errors
    /// [`Error::QuitNotAllowed`] for the main looper.
    pub fn quit(&self) -> Result<()> {
        self.inner.queue.quit(false)
    }

    /// Stops the loop once the messages already due are delivered; future ones
    /// are dropped, later sends fail (cf. `Looper.quitSafely`).
    ///
    /// # Errors
    /// [`Error::QuitNotAllowed`] for the main looper.
    pub fn quit_safely(&self) -> Result<()> {
        self.inner.queue.quit(true)
    }

    /// Whether [`Looper::quit`] or [`Looper::quit_safely`] was called.
    pub fn is_quitting(&self) -> bool {
        self.inner.queue.is_quitting()
    }

    /// Whether this looper may quit (`false` for the main looper).
    pub fn quit_allowed(&self) -> bool {
        self.inner.queue.quit_allowed()
    }

    /// Whether the calling thread is this looper's thread (cf.
    /// `Looper.isCurrentThread`).
    pub fn is_current_thread(&self) -> bool {
        thread::current().id() == self.inner.thread
    }

    /// The looper's queue (cf. `Looper.getQueue`).
    pub fn queue(&self) -> &MessageQueue {
        &self.inner.queue
    }

    /// The id of the looper's thread (cf. `Looper.getThread`).
    pub fn thread_id(&self) -> ThreadId {
        self.inner.thread
    }

    /// The name of the looper's thread when it was prepared.
    pub fn thread_name(&self) -> &str {
        &self.inner.thread_name
    }

    /// The current time on the looper's clock.
    pub fn now(&self) -> Uptime {
        self.inner.queue.now()
    }

    fn update_hooks(&self) {
        let i = &*self.inner;
        let any = i
            .logging
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some()
            || i.observer
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .is_some()
            || i.slow_dispatch_ms.load(Ordering::Relaxed) > 0
            || i.slow_delivery_ms.load(Ordering::Relaxed) > 0;
        i.has_hooks.store(any, Ordering::Relaxed);
        // Hooks may read `Message::when`: stamp it precisely meanwhile.
        let shared = &i.queue.shared;
        shared.precise_stamps.store(
            any || !matches!(shared.clock, Clock::Monotonic),
            Ordering::Relaxed,
        );
    }

    /// Sets (or clears) the printer that receives a line before and after
    /// every dispatch (cf. `Looper.setMessageLogging`):
    ///
    /// ```text
    /// >>>>> Dispatching to {target} {callback}: {what}
    /// <<<<< Finished to {target} {callback}
    /// ```
    ///
    /// `{target}` is the handler's `Display` (`Handler (name) {id}`),
    /// `{callback}` the posted [`crate::Runnable`] or `null`.
    pub fn set_message_logging(&self, printer: Option<Printer>) {
        *self
            .inner
            .logging
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = printer;
        self.update_hooks();
    }

    /// Sets the slow-dispatch and slow-delivery thresholds (cf.
    /// `Looper.setSlowLogThresholdMs`); `None` or a value under 1 ms turns a
    /// check off.
    ///
    /// A dispatch that takes at least `dispatch` logs
    /// `Slow dispatch took {n}ms {thread} h={handler} c={callback} m={what}`
    /// through the `log` crate (target `Looper`, level warn). A message
    /// delivered at least `delivery` after its time logs `Slow delivery ...`
    /// likewise; after one such line, further slow-delivery lines are
    /// suppressed until a message is delivered within 10 ms of its time, which
    /// logs `Drained`. Messages sent to the front of the queue (time zero) are
    /// not checked for delivery.
    pub fn set_slow_log_thresholds(&self, dispatch: Option<Duration>, delivery: Option<Duration>) {
        let ms =
            |d: Option<Duration>| d.map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        self.inner
            .slow_dispatch_ms
            .store(ms(dispatch), Ordering::Relaxed);
        self.inner
            .slow_delivery_ms
            .store(ms(delivery), Ordering::Relaxed);
        self.inner
            .slow_delivery_detected
            .store(false, Ordering::Relaxed);
        self.update_hooks();
    }

    /// Sets (or clears) the looper's dispatch observer (cf. `Looper.setObserver`).
    pub fn set_observer(&self, observer: Option<Arc<dyn Observer>>) {
        *self
            .inner
            .observer
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = observer;
        self.update_hooks();
    }

    /// The queue's contents as text, one line per message (cf. `Looper.dump`).
    pub fn dump(&self, prefix: &str) -> String {
        let mut s = format!("{prefix}{self:?}\n");
        for line in self.inner.queue.dump().lines() {
            s.push_str(prefix);
            s.push_str(line);
            s.push('\n');
        }
        s
    }
}
