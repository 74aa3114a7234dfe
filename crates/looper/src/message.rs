//! [`Message`], its pool, and the identities used to find messages again
//! ([`Runnable`], [`Token`]).

// Pools hold boxed messages on purpose: the box is the pooled allocation.
#![allow(clippy::vec_box)]

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use crate::handler::Handler;
use crate::time::Uptime;

/// How many recycled messages a pool keeps (cf. `Message.MAX_POOL_SIZE`).
///
/// There is one process-wide pool behind [`Message::obtain`] and, in addition,
/// one per message queue that the looper recycles into and that
/// [`Handler::obtain_message`] and the `post*`/`send_empty_message*` methods
/// draw from (so the steady-state path needs no allocation and no second
/// lock). The process-wide pool keeps at most `MAX_POOL_SIZE`; a queue's pool
/// keeps at most `MAX_POOL_SIZE` or the queue's peak length, whichever is
/// larger (so a stream with a backlog reuses storage instead of allocating).
pub const MAX_POOL_SIZE: usize = 50;

/// A task posted to a handler (cf. `java.lang.Runnable`).
///
/// Identity is the identity of the shared closure: clones of one `Runnable`
/// are equal (`==` compares the `Arc` pointers), two `Runnable`s made from
/// identical closures are not. [`Handler::remove_callbacks`] and
/// [`Handler::has_callbacks`] use this identity, so keep a clone of what you
/// post if you want to remove it later.
#[derive(Clone)]
pub struct Runnable(Arc<dyn Task>);

/// A closure on cache lines of its own, away from its `Arc`'s reference
/// counts: a thread posting it (a count increment) then does not take the
/// line the looper's thread reads to run it.
#[repr(align(128))]
struct Apart<F>(F);

trait Task: Send + Sync {
    fn run(&self);
}

impl<F: Fn() + Send + Sync> Task for Apart<F> {
    #[inline]
    fn run(&self) {
        (self.0)()
    }
}

impl Runnable {
    /// Wraps a closure.
    pub fn new(f: impl Fn() + Send + Sync + 'static) -> Runnable {
        Runnable(Arc::new(Apart(f)))
    }

    /// Runs it (cf. `Runnable.run`).
    #[inline]
    pub fn run(&self) {
        self.0.run();
    }

    /// Whether `self` and `other` are clones of one `Runnable`.
    #[inline]
    pub fn ptr_eq(&self, other: &Runnable) -> bool {
        self.addr() == other.addr()
    }

    #[inline]
    fn addr(&self) -> usize {
        Arc::as_ptr(&self.0).cast::<()>() as usize
    }
}

impl PartialEq for Runnable {
    fn eq(&self, other: &Self) -> bool {
        self.ptr_eq(other)
    }
}

impl Eq for Runnable {}

impl fmt::Display for Runnable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Runnable@{:x}", self.addr())
    }
}

impl fmt::Debug for Runnable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl<F: Fn() + Send + Sync + 'static> From<F> for Runnable {
    fn from(f: F) -> Self {
        Runnable::new(f)
    }
}

/// An identity to tag messages with, so that they can be found and removed
/// later (cf. the `Object token` / `Object obj` arguments of
/// `Handler.postAtTime`, `removeMessages(int, Object)`,
/// `removeCallbacksAndMessages(Object)`).
///
/// Android compares `msg.obj` by reference; in Rust the payload
/// ([`MessageFields::obj`]) is owned by the message, so the identity lives in
/// a separate field, [`MessageFields::token`]. Tokens are cheap `Copy` handles:
/// every [`Token::new`] is distinct from every other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Token(u64);

impl Token {
    /// A new token, different from every token made before.
    pub fn new() -> Token {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        Token(NEXT.fetch_add(1, Ordering::Relaxed))
    }

    /// Its number (unique in this process).
    pub fn id(self) -> u64 {
        self.0
    }
}

impl Default for Token {
    fn default() -> Self {
        Token::new()
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Token@{}", self.0)
    }
}

/// The fields of a [`Message`], reached through `Deref`: `msg.what = 3`.
///
/// The public fields are the user's; `callback`, `target`, `when` and the
/// asynchronous flag are set by the handler that sends the message and read
/// through [`Message`]'s methods.
#[derive(Default)]
#[non_exhaustive]
pub struct MessageFields {
    /// User-defined code so the receiver can tell what the message is about
    /// (cf. `Message.what`). Posted callbacks have `what == 0`, as in Android,
    /// so `remove_messages(0)` and `has_messages(0)` also see them.
    pub what: i32,
    /// A cheap integer argument (cf. `Message.arg1`).
    pub arg1: i32,
    /// A second cheap integer argument (cf. `Message.arg2`).
    pub arg2: i32,
    /// An arbitrary payload (cf. `Message.obj`). Use [`Message::obj_ref`] and
    /// [`Message::take_obj`] to read it back.
    pub obj: Option<Box<dyn Any + Send>>,
    /// The identity used by the token-taking `remove_*`/`has_*` methods (the
    /// role `Message.obj` plays as a token in Android; see [`Token`]).
    pub token: Option<Token>,
    pub(crate) callback: Option<Runnable>,
    pub(crate) target: Option<Handler>,
    pub(crate) when: Uptime,
    pub(crate) asynchronous: bool,
    /// The thread that pushed it into a queue's lock-free inbox (see
    /// `MessageQueue::send_fast`), which tells it from other messages in
    /// the same storage.
    pub(crate) sent_by: usize,
}

impl MessageFields {
    /// Drops everything the message holds and resets it for reuse.
    pub(crate) fn clear(&mut self) {
        self.clear_but_refs();
        self.callback = None;
        self.target = None;
    }

    /// Resets everything but the target and the task (see [`put_warm`]).
    #[inline]
    fn clear_but_refs(&mut self) {
        self.what = 0;
        self.arg1 = 0;
        self.arg2 = 0;
        self.obj = None;
        self.token = None;
        self.when = Uptime::ZERO;
        self.asynchronous = false;
    }

    /// Makes `target` and `callback` the message's, cloning each only if it
    /// is not already, and gives back what they displace, to be dropped
    /// outside any lock (dropping them may run user code).
    #[inline]
    pub(crate) fn swap_refs(
        &mut self,
        target: &Handler,
        callback: Option<&Runnable>,
    ) -> (Option<Handler>, Option<Runnable>) {
        let old_target = if self.target.as_ref() == Some(target) {
            None
        } else {
            self.target.replace(target.clone())
        };
        let old_callback = if self.callback.as_ref() == callback {
            None
        } else {
            std::mem::replace(&mut self.callback, callback.cloned())
        };
        (old_target, old_callback)
    }

    /// Makes `target` the message's target, cloning the handle only if it is
    /// not already (the old one is dropped here: call outside locks).
    #[inline]
    pub(crate) fn set_target(&mut self, target: &Handler) {
        if self.target.as_ref() != Some(target) {
            self.target = Some(target.clone());
        }
    }

    /// Makes `r` the message's task, likewise.
    #[inline]
    pub(crate) fn set_callback(&mut self, r: Option<&Runnable>) {
        if self.callback.as_ref() != r {
            self.callback = r.cloned();
        }
    }
}

thread_local! {
    /// The storage of the message this thread's looper dispatched last,
    /// cleared except for its target handler and its task, so that a handler
    /// re-posting from its own looper thread (the common "do the next step
    /// later" pattern) reuses them without touching any reference count or
    /// lock (see [`take_warm`]).
    static WARM: Cell<Option<Box<MessageFields>>> = const { Cell::new(None) };
}

/// Takes this thread's warm storage, if any: cleared, except that its target
/// and task may still be set (from the last message the thread's looper
/// dispatched). Replace or clear both before use (outside locks: dropping
/// them may run user code).
#[inline]
pub(crate) fn take_warm() -> Option<Box<MessageFields>> {
    WARM.try_with(Cell::take).ok().flatten()
}

/// Keeps `fields` (just dispatched) as this thread's warm storage, its target
/// and task kept, everything else cleared. Returns what it displaced (or
/// `fields` itself if the thread is exiting), cleared except for its target
/// and task, for the queue's pool (see `MessageQueue::keep_free`).
///
/// So a looper thread holds on to the handler and task of the message it
/// dispatched last until it reuses them for a message of its own, or until it
/// goes idle or quits (the displaced storage keeps its handler and task in
/// the queue's pool, which lets go of them at the same points).
#[inline]
pub(crate) fn put_warm(mut fields: Box<MessageFields>) -> Option<Box<MessageFields>> {
    fields.clear_but_refs();
    let mut slot = Some(fields);
    // If the thread-local is gone (thread exiting), `slot` keeps `fields`.
    let old = WARM.try_with(|w| w.replace(slot.take())).ok().flatten();
    old.or(slot)
}

/// The most cleared storage a thread keeps for its sends (see [`take_spare`]).
const SPARE_MAX: usize = 64;

thread_local! {
    /// Cleared storage this thread took from a queue's pool in one go, for
    /// its next messages to any queue (see `MessageQueue::obtain_fields`):
    /// a thread that sends to a looper on another thread takes the queue's
    /// lock once per batch instead of once per message.
    static SPARE: RefCell<Vec<Box<MessageFields>>> = const { RefCell::new(Vec::new()) };
}

/// Cleared storage from this thread's cache, if any.
#[inline]
pub(crate) fn take_spare() -> Option<Box<MessageFields>> {
    SPARE
        .try_with(|s| s.try_borrow_mut().ok().and_then(|mut s| s.pop()))
        .ok()
        .flatten()
}

/// Keeps cleared storage in this thread's cache (the process-wide pool takes
/// it when the cache is full or the thread is exiting).
pub(crate) fn put_spare(f: Box<MessageFields>) {
    let mut slot = Some(f);
    let _ = SPARE.try_with(|s| {
        if let Ok(mut s) = s.try_borrow_mut()
            && s.len() < SPARE_MAX
        {
            if s.capacity() == 0 {
                s.reserve_exact(SPARE_MAX);
            }
            s.extend(slot.take());
        }
    });
    if let Some(f) = slot {
        recycle_fields_global(f);
    }
}

/// Takes this thread's warm storage, fully cleared (for a looper about to
/// wait, or quitting, so that it keeps no handler or task alive).
pub(crate) fn take_warm_cleared() -> Option<Box<MessageFields>> {
    let mut f = take_warm()?;
    f.clear();
    Some(f)
}

/// A message: a code, two integers, an optional payload, and either a
/// callback or a target handler (cf. `android.os.Message`).
///
/// Messages come from a pool ([`Message::obtain`], [`Handler::obtain_message`])
/// and go back to it once dispatched or removed. Sending takes the message by
/// value, so a message cannot be sent twice, changed while queued, or recycled
/// while in use: Android's "This message is already in use" errors cannot
/// happen.
pub struct Message {
    fields: Box<MessageFields>,
}

static GLOBAL_POOL: Mutex<Vec<Box<MessageFields>>> = Mutex::new(Vec::new());

impl Message {
    /// A message from the process-wide pool, or a new one if the pool is
    /// empty (cf. `Message.obtain()`).
    pub fn obtain() -> Message {
        let pooled = GLOBAL_POOL
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        Message {
            fields: pooled.unwrap_or_default(),
        }
    }

    /// A message with `what` set (cf. `Message.obtain(Handler, int)` without
    /// the handler: the handler is set when the message is sent).
    pub fn obtain_what(what: i32) -> Message {
        let mut m = Message::obtain();
        m.what = what;
        m
    }

    /// A message with `what`, `arg1` and `arg2` set.
    pub fn obtain_args(what: i32, arg1: i32, arg2: i32) -> Message {
        let mut m = Message::obtain_what(what);
        m.arg1 = arg1;
        m.arg2 = arg2;
        m
    }

    /// A message with `what` and a payload set.
    pub fn obtain_obj(what: i32, obj: impl Any + Send) -> Message {
        let mut m = Message::obtain_what(what);
        m.obj = Some(Box::new(obj));
        m
    }

    /// Clears the message and returns it to the process-wide pool (cf.
    /// `Message.recycle`). Dropping a message instead is fine; it only
    /// skips the pool.
    pub fn recycle(self) {
        let mut fields = self.fields;
        fields.clear();
        recycle_fields_global(fields);
    }

    /// How many messages the process-wide pool holds now (at most
    /// [`MAX_POOL_SIZE`]).
    pub fn pool_size() -> usize {
        GLOBAL_POOL
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// Sends the message to its target handler (cf. `Message.sendToTarget`).
    /// Returns `false` if it has no target or the target's looper has quit.
    pub fn send_to_target(self) -> bool {
        match self.fields.target.clone() {
            Some(h) => h.send_message(self),
            None => {
                self.recycle();
                false
            }
        }
    }

    /// The time the message is (or was) due (cf. `Message.getWhen`).
    /// [`Uptime::ZERO`] for messages sent to the front of the queue.
    pub fn when(&self) -> Uptime {
        self.fields.when
    }

    /// The handler that will receive (or received) the message (cf.
    /// `Message.getTarget`).
    pub fn target(&self) -> Option<&Handler> {
        self.fields.target.as_ref()
    }

    /// Sets the handler that [`Message::send_to_target`] will use (cf.
    /// `Message.setTarget`). Sending through a handler overrides it.
    pub fn set_target(&mut self, target: Option<Handler>) {
        self.fields.target = target;
    }

    /// The posted task, for messages made by `post*` (cf. `Message.getCallback`).
    pub fn callback(&self) -> Option<&Runnable> {
        self.fields.callback.as_ref()
    }

    /// Whether the message passes synchronization barriers (cf.
    /// `Message.isAsynchronous`).
    pub fn is_asynchronous(&self) -> bool {
        self.fields.asynchronous
    }

    /// Marks the message asynchronous or not (cf. `Message.setAsynchronous`).
    /// A handler made with [`Handler::create_async`] marks every message it
    /// sends.
    pub fn set_asynchronous(&mut self, asynchronous: bool) {
        self.fields.asynchronous = asynchronous;
    }

    /// The payload, if there is one of type `T`.
    pub fn obj_ref<T: Any>(&self) -> Option<&T> {
        self.fields.obj.as_ref()?.downcast_ref::<T>()
    }

    /// Takes the payload out if it is of type `T`; leaves it if not.
    pub fn take_obj<T: Any>(&mut self) -> Option<T> {
        match self.fields.obj.take()?.downcast::<T>() {
            Ok(b) => Some(*b),
            Err(other) => {
                self.fields.obj = Some(other);
                None
            }
        }
    }

    #[inline]
    pub(crate) fn from_fields(fields: Box<MessageFields>) -> Message {
        Message { fields }
    }

    /// Clears the message and gives its storage back, to be pooled.
    #[inline]
    pub(crate) fn into_cleared_fields(self) -> Box<MessageFields> {
        let mut fields = self.fields;
        fields.clear();
        fields
    }

    #[inline]
    pub(crate) fn into_fields(self) -> Box<MessageFields> {
        self.fields
    }
}

/// Puts cleared storage into the process-wide pool, or frees it if full.
pub(crate) fn recycle_fields_global(fields: Box<MessageFields>) {
    let mut pool = GLOBAL_POOL.lock().unwrap_or_else(PoisonError::into_inner);
    if pool.len() < MAX_POOL_SIZE {
        pool.push(fields);
    }
}

/// Takes storage from the process-wide pool, if it has any.
pub(crate) fn take_global() -> Option<Box<MessageFields>> {
    GLOBAL_POOL
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .pop()
}

impl Deref for Message {
    type Target = MessageFields;
    #[inline]
    fn deref(&self) -> &MessageFields {
        &self.fields
    }
}

impl DerefMut for Message {
    #[inline]
    fn deref_mut(&mut self) -> &mut MessageFields {
        &mut self.fields
    }
}

impl Default for Message {
    fn default() -> Self {
        Message::obtain()
    }
}

impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Message");
        d.field("when", &self.fields.when);
        if let Some(cb) = &self.fields.callback {
            d.field("callback", cb);
        } else {
            d.field("what", &self.fields.what);
        }
        if self.fields.arg1 != 0 {
            d.field("arg1", &self.fields.arg1);
        }
        if self.fields.arg2 != 0 {
            d.field("arg2", &self.fields.arg2);
        }
        if self.fields.obj.is_some() {
            d.field("obj", &"..");
        }
        if let Some(t) = &self.fields.token {
            d.field("token", t);
        }
        if let Some(t) = &self.fields.target {
            d.field("target", &format_args!("{t}"));
        }
        if self.fields.asynchronous {
            d.field("asynchronous", &true);
        }
        d.finish()
    }
}
