//! [`Handler`]: sends messages into a looper's queue and handles them on the
//! looper's thread.

use std::any::Any;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::looper::Looper;
use crate::message::{Message, MessageFields, Runnable, Token, take_warm};
use crate::queue::SendTime;
use crate::time::{IntoDelay, Uptime};

type CallbackFn = dyn Fn(&mut Message) -> bool + Send + Sync;
type HandleFn = dyn Fn(&mut Message) + Send + Sync;

/// On cache lines of its own, away from the `Arc`'s reference counts: a
/// thread sending through a clone of the handler (a count increment) then
/// does not take the line the looper's thread reads to dispatch.
#[repr(align(128))]
struct Inner {
    looper: Looper,
    callback: Option<Box<CallbackFn>>,
    handle: Option<Box<HandleFn>>,
    asynchronous: bool,
    name: String,
    id: u64,
}

/// Sends messages and tasks to a looper's queue and handles them on the
/// looper's thread (cf. `android.os.Handler`).
///
/// A handler is bound to one [`Looper`]. Any thread may send through it;
/// dispatch ([`Handler::dispatch_message`]) happens on the looper's thread, in
/// this order:
///
/// 1. a posted task ([`Runnable`]) runs, and that is all;
/// 2. otherwise the handler's *callback* runs, and if it returns `true` that
///    is all;
/// 3. otherwise the handler's *handle-message* function runs (Android's
///    overridable `handleMessage`).
///
/// `Handler` is a cheap clonable reference; clones are the same handler
/// (`==`), and the `remove_*`/`has_*` methods only ever see messages whose
/// target is this handler (never another handler's, never a barrier).
#[derive(Clone)]
pub struct Handler {
    inner: Arc<Inner>,
}

impl PartialEq for Handler {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl Eq for Handler {}

impl fmt::Display for Handler {
    /// `Handler (name) {id}`, as Android prints
    /// `Handler (class name) {identity hash}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Handler ({}) {{{:x}}}", self.inner.name, self.inner.id)
    }
}

impl fmt::Debug for Handler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Builds a [`Handler`] with a callback, a handle-message function, a name
/// or asynchronous messages.
#[must_use]
pub struct HandlerBuilder {
    looper: Looper,
    callback: Option<Box<CallbackFn>>,
    handle: Option<Box<HandleFn>>,
    asynchronous: bool,
    name: Option<String>,
}

impl HandlerBuilder {
    /// The callback run before the handle-message function; returning `true`
    /// stops dispatch there (cf. `Handler.Callback`).
    pub fn callback(mut self, f: impl Fn(&mut Message) -> bool + Send + Sync + 'static) -> Self {
        self.callback = Some(Box::new(f));
        self
    }

    /// The function that handles messages the callback did not take (cf.
    /// overriding `Handler.handleMessage`).
    pub fn handle_message(mut self, f: impl Fn(&mut Message) + Send + Sync + 'static) -> Self {
        self.handle = Some(Box::new(f));
        self
    }

    /// Marks every message sent through the handler asynchronous, so they
    /// pass synchronization barriers (cf. `Handler(Looper, Callback, boolean
    /// async)`, `Handler.createAsync`).
    pub fn asynchronous(mut self, asynchronous: bool) -> Self {
        self.asynchronous = asynchronous;
        self
    }

    /// The name shown in logs (Android shows the handler's class name).
    /// Defaults to `looper::Handler`.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The handler.
    pub fn build(self) -> Handler {
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        Handler {
            inner: Arc::new(Inner {
                looper: self.looper,
                callback: self.callback,
                handle: self.handle,
                asynchronous: self.asynchronous,
                name: self.name.unwrap_or_else(|| "looper::Handler".to_owned()),
                id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            }),
        }
    }
}

/// State shared between `run_with_scissors` and its posted task.
struct Scissors {
    state: Mutex<ScissorsState>,
    cv: Condvar,
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum ScissorsState {
    Pending,
    Done,
    Dropped,
}

/// Marks the task dropped (the looper quit, or the message was removed, or
/// the task panicked) unless it completed.
struct ScissorsGuard(Arc<Scissors>);

impl Drop for ScissorsGuard {
    fn drop(&mut self) {
        let mut st = self.0.state.lock().unwrap_or_else(PoisonError::into_inner);
        if *st == ScissorsState::Pending {
            *st = ScissorsState::Dropped;
            self.0.cv.notify_all();
        }
    }
}

impl Handler {
    /// A handler on `looper` with no callback and nothing to handle messages
    /// (posted tasks still run) (cf. `Handler(Looper)`).
    pub fn new(looper: &Looper) -> Handler {
        Handler::builder(looper).build()
    }

    /// A builder for a handler on `looper`.
    pub fn builder(looper: &Looper) -> HandlerBuilder {
        HandlerBuilder {
            looper: looper.clone(),
            callback: None,
            handle: None,
            asynchronous: false,
            name: None,
        }
    }

    /// A handler on `looper` whose messages are handled by `handle` (cf.
    /// subclassing `Handler` and overriding `handleMessage`).
    pub fn with_handle_message(
        looper: &Looper,
        handle: impl Fn(&mut Message) + Send + Sync + 'static,
    ) -> Handler {
        Handler::builder(looper).handle_message(handle).build()
    }

    /// A handler on `looper` with a callback (cf. `Handler(Looper, Callback)`).
    pub fn with_callback(
        looper: &Looper,
        callback: impl Fn(&mut Message) -> bool + Send + Sync + 'static,
    ) -> Handler {
        Handler::builder(looper).callback(callback).build()
    }

    /// A handler on the current thread's looper (cf. `Handler()`); use
    /// [`Handler::builder`] with [`Looper::my_looper`] for more options.
    ///
    /// # Errors
    /// [`Error::NoLooper`] if the thread has no looper.
    pub fn for_current_thread() -> Result<Handler> {
        match Looper::my_looper() {
            Some(l) => Ok(Handler::new(&l)),
            None => Err(Error::NoLooper {
                thread: std::thread::current().id(),
            }),
        }
    }

    /// A handler whose messages are all asynchronous (cf.
    /// `Handler.createAsync(Looper)`).
    pub fn create_async(looper: &Looper) -> Handler {
        Handler::builder(looper).asynchronous(true).build()
    }

    /// An asynchronous handler with a callback (cf.
    /// `Handler.createAsync(Looper, Callback)`).
    pub fn create_async_with_callback(
        looper: &Looper,
        callback: impl Fn(&mut Message) -> bool + Send + Sync + 'static,
    ) -> Handler {
        Handler::builder(looper)
            .asynchronous(true)
            .callback(callback)
            .build()
    }

    /// Same as [`Handler::create_async`].
    pub fn new_async(looper: &Looper) -> Handler {
        Handler::create_async(looper)
    }

    /// The looper this handler sends to (cf. `Handler.getLooper`).
    pub fn looper(&self) -> &Looper {
        &self.inner.looper
    }

    /// Whether this handler marks its messages asynchronous.
    pub fn is_asynchronous(&self) -> bool {
        self.inner.asynchronous
    }

    /// The handler's name, as shown in logs.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// Dispatches `msg` here and now, on the calling thread, in the order
    /// the type documentation gives (cf. `Handler.dispatchMessage`).
    pub fn dispatch_message(&self, msg: &mut Message) {
        if let Some(cb) = msg.callback() {
            cb.run();
            return;
        }
        if let Some(cb) = &self.inner.callback
            && cb(msg)
        {
            return;
        }
        if let Some(h) = &self.inner.handle {
            h(msg);
        }
    }

    /// Handles `msg` with the handle-message function only (cf.
    /// `Handler.handleMessage`).
    pub fn handle_message(&self, msg: &mut Message) {
        if let Some(h) = &self.inner.handle {
            h(msg);
        }
    }

    /// A name for `msg` (cf. `Handler.getMessageName`): the posted task, or
    /// the `what` code in hex.
    pub fn message_name(&self, msg: &Message) -> String {
        match msg.callback() {
            Some(cb) => cb.to_string(),
            None => format!("0x{:x}", msg.what),
        }
    }

    // ----- obtaining ------------------------------------------------------

    /// A message from the pool, targeted at this handler (cf.
    /// `Handler.obtainMessage()`).
    pub fn obtain_message(&self) -> Message {
        let mut f = match take_warm() {
            Some(mut f) => {
                f.set_callback(None);
                f
            }
            None => {
                let mut f = self.inner.looper.queue().obtain_fields();
                f.set_callback(None);
                f
            }
        };
        f.set_target(self);
        Message::from_fields(f)
    }

    /// A message with `what` (cf. `obtainMessage(int)`).
    pub fn obtain_message_what(&self, what: i32) -> Message {
        let mut m = self.obtain_message();
        m.what = what;
        m
    }

    /// A message with `what` and a payload (cf. `obtainMessage(int, Object)`).
    pub fn obtain_message_obj(&self, what: i32, obj: impl Any + Send) -> Message {
        let mut m = self.obtain_message_what(what);
        m.obj = Some(Box::new(obj));
        m
    }

    /// A message with `what`, `arg1`, `arg2` (cf. `obtainMessage(int, int, int)`).
    pub fn obtain_message_args(&self, what: i32, arg1: i32, arg2: i32) -> Message {
        let mut m = self.obtain_message_what(what);
        m.arg1 = arg1;
        m.arg2 = arg2;
        m
    }

    /// A message with `what`, `arg1`, `arg2` and a payload (cf.
    /// `obtainMessage(int, int, int, Object)`).
    pub fn obtain_message_args_obj(
        &self,
        what: i32,
        arg1: i32,
        arg2: i32,
        obj: impl Any + Send,
    ) -> Message {
        let mut m = self.obtain_message_args(what, arg1, arg2);
        m.obj = Some(Box::new(obj));
        m
    }

    // ----- sending ---------------------------------------------------------

    /// `now + delay` on the looper's clock; without delay, "now" is left to
    /// the queue, which can often stamp it without reading the precise clock.
    #[inline]
    fn delayed_time(&self, delay: impl IntoDelay) -> SendTime {
        match delay.into_delay_nanos() {
            0 => SendTime::Now,
            d => {
                let now = self.inner.looper.now();
                SendTime::Delayed {
                    now,
                    when: now.saturating_add_nanos(d),
                }
            }
        }
    }

    fn dead_thread(&self, msg: Message) -> bool {
        log::warn!(
            target: "MessageQueue",
            "{self} sending message to a Handler on a dead thread"
        );
        msg.recycle();
        false
    }

    /// Queues `msg` at time `when` (cf. `Handler.sendMessageAtTime`). All
    /// other `send*` methods come here. [`Uptime::ZERO`] puts it at the front
    /// of the queue.
    ///
    /// Returns `false` (and recycles the message) if the looper has quit.
    pub fn send_message_at_time(&self, msg: Message, when: Uptime) -> bool {
        self.send_at(msg, SendTime::At(when))
    }

    fn send_at(&self, mut msg: Message, t: SendTime) -> bool {
        if msg.target.as_ref() != Some(self) {
            msg.target = Some(self.clone());
        }
        if self.inner.asynchronous {
            msg.asynchronous = true;
        }
        match self.inner.looper.queue().enqueue(msg, t) {
            Ok(()) => true,
            Err(msg) => self.dead_thread(msg),
        }
    }

    /// Queues `msg` now, after every message already due (cf.
    /// `Handler.sendMessage`).
    pub fn send_message(&self, msg: Message) -> bool {
        self.send_at(msg, SendTime::Now)
    }

    /// Queues `msg` after `delay` (cf. `Handler.sendMessageDelayed`). Negative
    /// millisecond delays count as zero; huge delays saturate (never due).
    pub fn send_message_delayed(&self, msg: Message, delay: impl IntoDelay) -> bool {
        self.send_at(msg, self.delayed_time(delay))
    }

    /// Queues `msg` before everything else in the queue (cf.
    /// `Handler.sendMessageAtFrontOfQueue`). Repeated front sends come out
    /// last-in first-out.
    pub fn send_message_at_front_of_queue(&self, msg: Message) -> bool {
        self.send_at(msg, SendTime::At(Uptime::ZERO))
    }

    fn send_empty_at(&self, what: i32, t: SendTime) -> bool {
        if let Some(mut f) = take_warm() {
            f.set_target(self);
            f.set_callback(None);
            f.what = what;
            f.asynchronous = self.inner.asynchronous;
            return self.enqueue_warm(f, t);
        }
        let ok = self
            .inner
            .looper
            .queue()
            .enqueue_with(t, self, None, |f: &mut MessageFields| {
                f.what = what;
            });
        if !ok {
            log::warn!(
                target: "MessageQueue",
                "{self} sending message to a Handler on a dead thread"
            );
        }
        ok
    }

    /// Queues a message with only `what` set (cf. `Handler.sendEmptyMessage`).
    pub fn send_empty_message(&self, what: i32) -> bool {
        self.send_empty_at(what, SendTime::Now)
    }

    /// Queues a message with only `what` set, after `delay` (cf.
    /// `sendEmptyMessageDelayed`).
    pub fn send_empty_message_delayed(&self, what: i32, delay: impl IntoDelay) -> bool {
        self.send_empty_at(what, self.delayed_time(delay))
    }

    /// Queues a message with only `what` set, at `when` (cf.
    /// `sendEmptyMessageAtTime`).
    pub fn send_empty_message_at_time(&self, what: i32, when: Uptime) -> bool {
        self.send_empty_at(what, SendTime::At(when))
    }

    // ----- posting ---------------------------------------------------------

    /// Sends storage taken from [`take_warm`] and filled by the caller (on a
    /// looper thread: the locked path, not the inbox of lock-free senders).
    fn enqueue_warm(&self, f: Box<MessageFields>, t: SendTime) -> bool {
        match self.inner.looper.queue().enqueue_locked(f, t) {
            Ok(()) => true,
            Err(f) => self.dead_thread(Message::from_fields(f)),
        }
    }

    fn post_at(&self, r: &Runnable, token: Option<Token>, t: SendTime) -> bool {
        if let Some(mut f) = take_warm() {
            f.set_target(self);
            f.set_callback(Some(r));
            f.token = token;
            f.asynchronous = self.inner.asynchronous;
            return self.enqueue_warm(f, t);
        }
        let ok =
            self.inner
                .looper
                .queue()
                .enqueue_with(t, self, Some(r), |f: &mut MessageFields| {
                    f.token = token;
                });
        if !ok {
            log::warn!(
                target: "MessageQueue",
                "{self} sending message to a Handler on a dead thread"
            );
        }
        ok
    }

    /// Queues task `r` to run on the looper's thread (cf. `Handler.post`). The
    /// message carrying it has `what == 0`.
    pub fn post(&self, r: &Runnable) -> bool {
        self.post_at(r, None, SendTime::Now)
    }

    /// Queues `r` after `delay` (cf. `Handler.postDelayed`).
    pub fn post_delayed(&self, r: &Runnable, delay: impl IntoDelay) -> bool {
        self.post_at(r, None, self.delayed_time(delay))
    }

    /// Queues `r` after `delay`, tagged with `token` (cf.
    /// `Handler.postDelayed(Runnable, Object, long)`).
    pub fn post_delayed_with_token(
        &self,
        r: &Runnable,
        token: Token,
        delay: impl IntoDelay,
    ) -> bool {
        self.post_at(r, Some(token), self.delayed_time(delay))
    }

    /// Queues `r` at `when` (cf. `Handler.postAtTime(Runnable, long)`).
    pub fn post_at_time(&self, r: &Runnable, when: Uptime) -> bool {
        self.post_at(r, None, SendTime::At(when))
    }

    /// Queues `r` at `when`, tagged with `token` for
    /// [`Handler::remove_callbacks_with_token`] and
    /// [`Handler::remove_callbacks_and_messages`] (cf.
    /// `Handler.postAtTime(Runnable, Object, long)`).
    pub fn post_at_time_with_token(&self, r: &Runnable, token: Token, when: Uptime) -> bool {
        self.post_at(r, Some(token), SendTime::At(when))
    }

    /// Queues `r` before everything else (cf. `Handler.postAtFrontOfQueue`).
    pub fn post_at_front_of_queue(&self, r: &Runnable) -> bool {
        self.post_at(r, None, SendTime::At(Uptime::ZERO))
    }

    /// Runs `task` on the looper's thread and waits for it (cf.
    /// `Handler.runWithScissors`).
    ///
    /// On the looper's own thread the task runs inline. Otherwise it is
    /// posted and the caller blocks until it has run (`true`), or until
    /// `timeout` passes (`false`; the task stays queued and may still run
    /// later), or until the task can no longer run because the looper quit,
    /// it was removed or it panicked (`false`). A zero `timeout` waits without
    /// limit, as Android's `0`.
    ///
    /// As in Android, this can deadlock if the looper's thread is itself
    /// waiting on the caller; prefer plain posts.
    pub fn run_with_scissors(
        &self,
        task: impl FnOnce() + Send + 'static,
        timeout: Duration,
    ) -> bool {
        if self.inner.looper.is_current_thread() {
            task();
            return true;
        }
        let shared = Arc::new(Scissors {
            state: Mutex::new(ScissorsState::Pending),
            cv: Condvar::new(),
        });
        let guard = ScissorsGuard(shared.clone());
        let slot = Mutex::new(Some(task));
        let r = Runnable::new(move || {
            let task = slot.lock().unwrap_or_else(PoisonError::into_inner).take();
            if let Some(task) = task {
                task();
                let g = &guard;
                let mut st = g.0.state.lock().unwrap_or_else(PoisonError::into_inner);
                *st = ScissorsState::Done;
                g.0.cv.notify_all();
            }
        });
        if !self.post(&r) {
            return false;
        }
        drop(r);
        let deadline = (!timeout.is_zero()).then(|| Instant::now() + timeout);
        let mut st = shared.state.lock().unwrap_or_else(PoisonError::into_inner);
        while *st == ScissorsState::Pending {
            st = match deadline {
                None => shared.cv.wait(st).unwrap_or_else(PoisonError::into_inner),
                Some(d) => {
                    let now = Instant::now();
                    if now >= d {
                        return false;
                    }
                    shared
                        .cv
                        .wait_timeout(st, d - now)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0
                }
            };
        }
        *st == ScissorsState::Done
    }

    // ----- removing and querying -----------------------------------------

    #[inline]
    fn mine(&self, m: &MessageFields) -> bool {
        m.target.as_ref().is_some_and(|t| t == self)
    }

    /// Removes this handler's pending messages with `what` (cf.
    /// `Handler.removeMessages(int)`). Posted tasks have `what == 0`, so
    /// `remove_messages(0)` removes them too, as in Android.
    pub fn remove_messages(&self, what: i32) {
        self.inner
            .looper
            .queue()
            .remove_where(|m| self.mine(m) && m.what == what);
    }

    /// Removes this handler's pending messages with `what` and `token` (cf.
    /// `Handler.removeMessages(int, Object)`).
    pub fn remove_messages_with_token(&self, what: i32, token: Token) {
        self.inner
            .looper
            .queue()
            .remove_where(|m| self.mine(m) && m.what == what && m.token == Some(token));
    }

    /// Removes this handler's pending posts of `r` (cf.
    /// `Handler.removeCallbacks(Runnable)`).
    pub fn remove_callbacks(&self, r: &Runnable) {
        self.inner
            .looper
            .queue()
            .remove_where(|m| self.mine(m) && m.callback.as_ref() == Some(r));
    }

    /// Removes this handler's pending posts of `r` tagged with `token` (cf.
    /// `Handler.removeCallbacks(Runnable, Object)`).
    pub fn remove_callbacks_with_token(&self, r: &Runnable, token: Token) {
        self.inner.looper.queue().remove_where(|m| {
            self.mine(m) && m.callback.as_ref() == Some(r) && m.token == Some(token)
        });
    }

    /// Removes this handler's pending messages and posts tagged with `token`,
    /// or all of them with `None` (cf.
    /// `Handler.removeCallbacksAndMessages(Object)`). Other handlers' messages
    /// and barriers are never touched.
    pub fn remove_callbacks_and_messages(&self, token: Option<Token>) {
        self.inner
            .looper
            .queue()
            .remove_where(|m| self.mine(m) && (token.is_none() || m.token == token));
    }

    /// Whether this handler has a pending message with `what` (cf.
    /// `Handler.hasMessages(int)`); posted tasks count as `what == 0`.
    pub fn has_messages(&self, what: i32) -> bool {
        self.inner
            .looper
            .queue()
            .any(|m| self.mine(m) && m.what == what)
    }

    /// Whether this handler has a pending message with `what` and `token`
    /// (cf. `Handler.hasMessages(int, Object)`).
    pub fn has_messages_with_token(&self, what: i32, token: Token) -> bool {
        self.inner
            .looper
            .queue()
            .any(|m| self.mine(m) && m.what == what && m.token == Some(token))
    }

    /// Whether this handler has any pending message or post (cf.
    /// `Handler.hasMessagesOrCallbacks`).
    pub fn has_messages_or_callbacks(&self) -> bool {
        self.inner.looper.queue().any(|m| self.mine(m))
    }

    /// Whether this handler has a pending post of `r` (cf.
    /// `Handler.hasCallbacks`).
    pub fn has_callbacks(&self, r: &Runnable) -> bool {
        self.inner
            .looper
            .queue()
            .any(|m| self.mine(m) && m.callback.as_ref() == Some(r))
    }
}
