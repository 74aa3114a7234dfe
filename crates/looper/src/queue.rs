//! [`MessageQueue`]: the time-ordered conveyor belt a looper drains.
//!
//! Order key: `(when, sequence)`. Every enqueue takes the next sequence
//! number, so equal times stay FIFO. A message due at time zero (sent to the
//! front of the queue) takes a *decreasing* negative sequence number instead,
//! so it goes before everything else and repeated front-sends come out LIFO,
//! as Android's list insertion at the head does.
//!
//! Storage is two lanes: a `VecDeque` kept sorted, which takes the common
//! cases (a time not earlier than the last one: plain `send`/`post`; a time
//! earlier than the first one: front-of-queue) in O(1), and a binary heap for
//! everything else. The next message is the smaller of the two heads.
//! Synchronization barriers live in a small sorted list beside them.

// Pools hold boxed messages on purpose: the box is the pooled allocation.
#![allow(clippy::vec_box)]

use std::cmp::Ordering as CmpOrdering;
use std::collections::{BinaryHeap, VecDeque};
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crossbeam_queue::ArrayQueue;

use crate::error::{Error, Result};
use crate::handler::Handler;
use crate::message::{
    MAX_POOL_SIZE, Message, MessageFields, Runnable, put_spare, recycle_fields_global, take_global,
    take_spare, take_warm,
};
use crate::time::{Clock, Uptime};

type Key = (u64, i64);

struct Entry {
    key: Key,
    msg: Box<MessageFields>,
}

/// Heap entry ordered so that `BinaryHeap` (a max-heap) pops the smallest key.
struct MinEntry(Entry);

impl PartialEq for MinEntry {
    fn eq(&self, other: &Self) -> bool {
        self.0.key == other.0.key
    }
}
impl Eq for MinEntry {}
impl PartialOrd for MinEntry {
    fn partial_cmp(&self, other: &Self) -> Option<CmpOrdering> {
        Some(self.cmp(other))
    }
}
impl Ord for MinEntry {
    fn cmp(&self, other: &Self) -> CmpOrdering {
        other.0.key.cmp(&self.0.key)
    }
}

#[derive(Default)]
struct Store {
    lane: VecDeque<Entry>,
    heap: BinaryHeap<MinEntry>,
    async_count: usize,
    /// Not less than the latest time in `heap` (0 when it is empty).
    heap_max: u64,
}

impl Store {
    fn len(&self) -> usize {
        self.lane.len() + self.heap.len()
    }

    fn push(&mut self, e: Entry) -> usize {
        if e.msg.asynchronous {
            self.async_count += 1;
        }
        match (self.lane.front(), self.lane.back()) {
            (None, _) => self.lane.push_back(e),
            (_, Some(back)) if e.key >= back.key => self.lane.push_back(e),
            (Some(front), _) if e.key <= front.key => self.lane.push_front(e),
            _ => {
                self.heap_max = self.heap_max.max(e.key.0);
                self.heap.push(MinEntry(e));
            }
        }
        self.lane.len() + self.heap.len()
    }

    /// Not less than the time of any queued message.
    #[inline]
    fn max_when(&self) -> u64 {
        self.lane.back().map_or(0, |e| e.key.0).max(self.heap_max)
    }

    #[inline]
    fn heap_pop(&mut self) -> Option<Entry> {
        let e = self.heap.pop().map(|m| m.0);
        if self.heap.is_empty() {
            self.heap_max = 0;
        }
        e
    }

    fn peek_key(&self) -> Option<Key> {
        match (self.lane.front(), self.heap.peek()) {
            (Some(a), Some(b)) => Some(a.key.min(b.0.key)),
            (Some(a), None) => Some(a.key),
            (None, Some(b)) => Some(b.0.key),
            (None, None) => None,
        }
    }

    fn pop_min(&mut self) -> Option<Entry> {
        let from_lane = match (self.lane.front(), self.heap.peek()) {
            (Some(a), Some(b)) => a.key < b.0.key,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => return None,
        };
        let e = if from_lane {
            self.lane.pop_front()
        } else {
            self.heap_pop()
        }?;
        if e.msg.asynchronous {
            self.async_count -= 1;
        }
        Some(e)
    }

    /// The smallest key of an asynchronous message (O(n); used only while a
    /// barrier blocks the head).
    fn first_async_key(&self) -> Option<Key> {
        if self.async_count == 0 {
            return None;
        }
        let a = self.lane.iter().find(|e| e.msg.asynchronous).map(|e| e.key);
        let b = self
            .heap
            .iter()
            .filter(|e| e.0.msg.asynchronous)
            .map(|e| e.0.key)
            .min();
        match (a, b) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    fn remove_key(&mut self, key: Key) -> Option<Entry> {
        if self.peek_key() == Some(key) {
            return self.pop_min();
        }
        let e = if let Ok(i) = self.lane.binary_search_by(|e| e.key.cmp(&key)) {
            self.lane.remove(i)
        } else {
            let mut found = None;
            let items = std::mem::take(&mut self.heap).into_vec();
            let mut kept = Vec::with_capacity(items.len());
            for m in items {
                if m.0.key == key {
                    found = Some(m.0);
                } else {
                    kept.push(m);
                }
            }
            self.heap_max = kept.iter().map(|m| m.0.key.0).max().unwrap_or(0);
            self.heap = BinaryHeap::from(kept);
            found
        }?;
        if e.msg.asynchronous {
            self.async_count -= 1;
        }
        Some(e)
    }

    /// Moves every message matching `pred` into `out`.
    fn extract(
        &mut self,
        mut pred: impl FnMut(Key, &MessageFields) -> bool,
        out: &mut Vec<Box<MessageFields>>,
    ) {
        if !self.lane.iter().any(|e| pred(e.key, &e.msg))
            && !self.heap.iter().any(|e| pred(e.0.key, &e.0.msg))
        {
            return;
        }
        let lane = std::mem::take(&mut self.lane);
        for e in lane {
            if pred(e.key, &e.msg) {
                out.push(e.msg);
            } else {
                self.lane.push_back(e);
            }
        }
        let items = std::mem::take(&mut self.heap).into_vec();
        let mut kept = Vec::with_capacity(items.len());
        for m in items {
            if pred(m.0.key, &m.0.msg) {
                out.push(m.0.msg);
            } else {
                kept.push(m);
            }
        }
        self.heap_max = kept.iter().map(|m| m.0.key.0).max().unwrap_or(0);
        self.heap = BinaryHeap::from(kept);
        self.async_count = self.lane.iter().filter(|e| e.msg.asynchronous).count()
            + self.heap.iter().filter(|e| e.0.msg.asynchronous).count();
    }

    fn any(&self, mut pred: impl FnMut(&MessageFields) -> bool) -> bool {
        self.lane.iter().any(|e| pred(&e.msg)) || self.heap.iter().any(|e| pred(&e.0.msg))
    }

    fn sorted(&self) -> Vec<(Key, &MessageFields)> {
        let mut v: Vec<(Key, &MessageFields)> = self
            .lane
            .iter()
            .map(|e| (e.key, &*e.msg))
            .chain(self.heap.iter().map(|e| (e.0.key, &*e.0.msg)))
            .collect();
        v.sort_by_key(|(k, _)| *k);
        v
    }
}

/// A token for a posted synchronization barrier (cf. the `int` returned by
/// `MessageQueue.postSyncBarrier`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BarrierToken(u32);

impl BarrierToken {
    /// A token from its raw number, as Android passes them around as `int`s.
    /// Removing a token that was never posted is an
    /// [`Error::InvalidBarrierToken`].
    pub const fn from_raw(raw: u32) -> BarrierToken {
        BarrierToken(raw)
    }

    /// The raw number.
    pub const fn raw(self) -> u32 {
        self.0
    }
}

impl fmt::Display for BarrierToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A callback run when the queue runs out of due messages (cf.
/// `MessageQueue.IdleHandler`). It returns `true` to stay registered and
/// `false` to be removed. One that panics is removed (the panic is logged)
/// and the loop goes on.
///
/// Identity, for [`MessageQueue::remove_idle_handler`], is that of the shared
/// closure: clones are equal.
#[derive(Clone)]
pub struct IdleHandler(Arc<dyn Fn() -> bool + Send + Sync>);

impl IdleHandler {
    /// Wraps `queue_idle` (cf. `IdleHandler.queueIdle`).
    pub fn new(queue_idle: impl Fn() -> bool + Send + Sync + 'static) -> IdleHandler {
        IdleHandler(Arc::new(queue_idle))
    }

    fn addr(&self) -> usize {
        Arc::as_ptr(&self.0).cast::<()>() as usize
    }
}

impl PartialEq for IdleHandler {
    fn eq(&self, other: &Self) -> bool {
        self.addr() == other.addr()
    }
}

impl Eq for IdleHandler {}

impl fmt::Debug for IdleHandler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdleHandler@{:x}", self.addr())
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Blocked {
    No,
    /// Polling [`Shared::arrived`] for a short while before blocking (see
    /// [`MessageQueue::spin`]): a sender sets the flag instead of making a
    /// system call.
    Spinning,
    Condvar,
    #[cfg(target_os = "linux")]
    Epoll,
}

struct State {
    store: Store,
    barriers: Vec<(Key, u32)>,
    next_seq: i64,
    next_front_seq: i64,
    next_barrier_token: u32,
    quitting: bool,
    blocked: Blocked,
    /// While blocked: the time the looper will wake by itself.
    wake_at: u64,
    /// The CPU of the sender that woke the blocked looper ([`NO_CPU`]: none
    /// did).
    waker_cpu: u32,
    idle_handlers: Vec<IdleHandler>,
    /// Pooled message storage, cleared except that the entries from
    /// `dirty_from` up may still hold the target handler and task of the
    /// message they last carried (see [`MessageQueue::release_pool_refs`]).
    free: Vec<Box<MessageFields>>,
    dirty_from: usize,
    /// The latest clock reading anyone gave the queue (senders read the clock
    /// to compute `when`). A message due by then is due now, so the looper
    /// need not read the clock itself on the busy path.
    latest_now: u64,
    /// The most messages the queue has held at once.
    peak_len: usize,
    /// With `quitting`: whether it was `quit_safely` (due messages stay).
    quit_safe: bool,
    /// The looper's `next` returned `None` after the queue quit: nothing
    /// more will be delivered.
    exited: bool,
    /// Messages lock-free senders pushed after the queue quit that will not
    /// be delivered; each sender takes its own back (see
    /// [`MessageQueue::send_fast`]).
    late: Vec<Box<MessageFields>>,
    /// The latest send time of a message moved in from the inbox, or a time
    /// after which the looper found it empty: a message pushed since was
    /// sent later, or concurrently with the move, which no one can tell
    /// apart (see `next`).
    drained_at: u64,
}

thread_local! {
    static MARK: u8 = const { 0 };
}

/// A number that tells the live threads apart (the address of a
/// thread-local), cheaper than `thread::current().id()`.
#[inline]
fn thread_mark() -> usize {
    MARK.with(|m| std::ptr::from_ref(m) as usize)
}

/// What became of a lock-free send ([`MessageQueue::send_fast`]).
enum Fast {
    Sent,
    /// Pushed, but the queue quit first: fail the send.
    Refused(Box<MessageFields>),
    /// Not pushed: use the locked path.
    Locked(Box<MessageFields>),
}

/// When a sent message is due, as the sender gives it.
#[derive(Clone, Copy, Debug)]
pub(crate) enum SendTime {
    /// No delay: the current time, read by the queue (see
    /// [`MessageQueue::enqueue`] for how).
    Now,
    /// `when`, computed by the sender from its clock reading `now`.
    Delayed { now: Uptime, when: Uptime },
    /// An explicit time; [`Uptime::ZERO`] is the front of the queue.
    At(Uptime),
}

enum Pick {
    Due(Box<MessageFields>),
    Wait(u64),
}

impl State {
    fn key_for(&mut self, when: Uptime) -> Key {
        let w = when.as_nanos();
        if w == 0 {
            let s = self.next_front_seq;
            self.next_front_seq -= 1;
            (0, s)
        } else {
            let s = self.next_seq;
            self.next_seq += 1;
            (w, s)
        }
    }

    /// The key of the first entry, message or barrier.
    fn first_entry_when(&self) -> Option<u64> {
        let m = self.store.peek_key();
        let b = self.barriers.first().map(|b| b.0);
        match (m, b) {
            (Some(m), Some(b)) => Some(m.min(b).0),
            (m, b) => m.or(b).map(|k| k.0),
        }
    }

    fn is_idle_at(&self, now: Uptime) -> bool {
        self.first_entry_when().is_none_or(|w| now.as_nanos() < w)
    }

    /// The key of the message the looper would deliver next, honouring
    /// barriers.
    fn candidate(&self) -> Option<Key> {
        let head = self.store.peek_key();
        match (self.barriers.first(), head) {
            (Some(b), Some(h)) if b.0 < h => self.store.first_async_key(),
            (Some(_), None) => None,
            _ => head,
        }
    }

    #[inline]
    fn pick(&mut self, now: Uptime) -> Pick {
        // Common case: no barrier, every message in the sorted lane.
        if self.barriers.is_empty() && self.store.heap.is_empty() {
            return match self.store.lane.front() {
                Some(e) if e.key.0 <= now.as_nanos() => match self.store.pop_min() {
                    Some(e) => Pick::Due(e.msg),
                    None => Pick::Wait(u64::MAX),
                },
                Some(e) => Pick::Wait(e.key.0),
                None => Pick::Wait(u64::MAX),
            };
        }
        match self.candidate() {
            Some(k) if k.0 <= now.as_nanos() => match self.store.remove_key(k) {
                Some(e) => Pick::Due(e.msg),
                None => Pick::Wait(u64::MAX),
            },
            Some(k) => Pick::Wait(k.0),
            None => Pick::Wait(u64::MAX),
        }
    }

    /// Not less than the time of any queued message or barrier.
    #[inline]
    fn max_entry_when(&self) -> u64 {
        let b = self.barriers.last().map_or(0, |b| b.0.0);
        self.store.max_when().max(b)
    }

    /// Whether a new message with `key` must wake the blocked looper.
    fn should_wake(&self, key: Key, asynchronous: bool) -> bool {
        if self.blocked == Blocked::No || key.0 >= self.wake_at {
            return false;
        }
        match self.barriers.first() {
            Some(b) if b.0 < key => asynchronous,
            _ => true,
        }
    }

    /// Storage from the pool; it may still hold a target and a task (replace
    /// or clear them, and drop the old ones outside the lock).
    #[inline]
    fn take_free(&mut self) -> Box<MessageFields> {
        match self.free.pop() {
            Some(f) => {
                self.dirty_from = self.dirty_from.min(self.free.len());
                f
            }
            None => take_global().unwrap_or_default(),
        }
    }

    /// Keeps storage in the queue's pool; gives it back if full. `dirty`:
    /// cleared except for its target and task, which are kept so that the
    /// next message for the same handler or task need not touch their
    /// reference counts (shared between threads: an atomic operation on a
    /// contended cache line each) until the looper goes idle.
    /// The pool keeps up to [`MAX_POOL_SIZE`] or the queue's peak length,
    /// whichever is larger: memory the queue already needed at its peak, so
    /// that a steady stream with a backlog allocates nothing.
    #[inline]
    fn keep_free(&mut self, f: Box<MessageFields>, dirty: bool) -> Option<Box<MessageFields>> {
        if self.free.len() < MAX_POOL_SIZE.max(self.peak_len) {
            if !dirty && self.dirty_from == self.free.len() {
                self.dirty_from += 1;
            }
            self.free.push(f);
            None
        } else {
            Some(f)
        }
    }
}

/// A value on a cache line of its own.
#[repr(align(128))]
struct Padded<T>(T);

pub(crate) struct Shared {
    state: Mutex<State>,
    cv: Condvar,
    /// Messages sent without delay by threads that do not take the lock (see
    /// [`MessageQueue::send_fast`]): stamped with a coarse clock reading,
    /// given their place in the queue when moved into `state` by whoever
    /// takes the lock next ([`MessageQueue::lock`]).
    inbox: ArrayQueue<Box<MessageFields>>,
    /// [`SLEEPING`] and [`CLOSED`], readable without the lock: a lock-free
    /// sender that finds either set after pushing takes the lock (see
    /// [`MessageQueue::send_fast`]).
    flags: Padded<AtomicU8>,
    /// [`thread_mark`] of the thread that made the queue (its looper's):
    /// sends from it take the lock, which it mostly holds alone, rather than
    /// the inbox.
    owner: usize,
    /// Set (under the lock) by a sender whose message ends the looper's spin
    /// ([`Blocked::Spinning`]); polled by the looper without the lock. On a
    /// line of its own, so that the polling does not take the lock's line
    /// from senders.
    arrived: Padded<AtomicBool>,
    /// Whether the looper spins before blocking (see
    /// [`MessageQueue::learn_from_wake`]). Only its own thread uses it.
    spin_on: AtomicBool,
    pub(crate) clock: Clock,
    /// Stamp every message with a precise clock reading (set while the
    /// looper has logging, an observer or slow-log thresholds, which read
    /// `when`).
    pub(crate) precise_stamps: AtomicBool,
    quit_allowed: bool,
    #[cfg(target_os = "linux")]
    pub(crate) fds: crate::fd::FdSlot,
}

/// The queue of messages a [`crate::Looper`] dispatches (cf.
/// `android.os.MessageQueue`). Get it from [`crate::Looper::queue`] or
/// [`crate::Looper::my_queue`]; messages go in through a [`crate::Handler`].
///
/// Cloning gives another reference to the same queue.
#[derive(Clone)]
pub struct MessageQueue {
    pub(crate) shared: Arc<Shared>,
}

impl fmt::Debug for MessageQueue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = self.lock();
        f.debug_struct("MessageQueue")
            .field("messages", &st.store.len())
            .field("barriers", &st.barriers.len())
            .field("quitting", &st.quitting)
            .finish()
    }
}

/// How long a looper that ran out of due messages polls for a new one
/// before it blocks (see [`MessageQueue::spin`]): enough for a partner on
/// another CPU to answer (a cross-thread round trip is ~1-2 µs on the build
/// VM), short against the wake-up it saves.
const SPIN_TIME: Duration = Duration::from_micros(5);
/// Polls of the flag between two clock reads.
const SPIN_CHECK: u32 = 8;
/// A wait that a sender on another CPU ended within this time turns
/// polling on (see [`MessageQueue::learn_from_wake`]): longer than the
/// wake-up latency of an idle virtual CPU (~20-50 µs on the build VM).
const SPIN_WORTH: Duration = Duration::from_micros(100);

/// Capacity of the lock-free inbox; a sender that finds it full takes the
/// lock (which empties it).
const INBOX_CAPACITY: usize = 256;
/// Storage a refill of a sender's cache leaves in the queue's pool.
const POOL_KEEP: usize = 4;
/// The most storage a sender whose thread's cache is empty takes from the
/// queue's pool at once (see [`crate::message::take_spare`]).
const SPARE_REFILL: usize = 32;
/// [`Shared::flags`]: the looper is blocked in a condition-variable or epoll
/// wait (`State::blocked`), so a sender must wake it.
const SLEEPING: u8 = 1;
/// [`Shared::flags`]: the queue is quitting; a message pushed from now on
/// may find no looper to deliver it.
const CLOSED: u8 = 2;

/// `waker_cpu` when no sender woke the looper.
const NO_CPU: u32 = u32::MAX;
/// The CPU number where it is not known.
const UNKNOWN_CPU: u32 = u32::MAX - 1;

/// The CPU the calling thread runs on (vDSO `getcpu` on Linux, no system
/// call), or [`UNKNOWN_CPU`].
#[inline]
fn current_cpu() -> u32 {
    #[cfg(target_os = "linux")]
    {
        u32::try_from(rustix::thread::sched_getcpu()).unwrap_or(UNKNOWN_CPU)
    }
    #[cfg(not(target_os = "linux"))]
    {
        UNKNOWN_CPU
    }
}

/// What to do with a woken looper.
enum Wake {
    None,
    Condvar,
    #[cfg(target_os = "linux")]
    Epoll,
}

impl MessageQueue {
    pub(crate) fn new(quit_allowed: bool, clock: Clock) -> MessageQueue {
        crate::fences::init();
        MessageQueue {
            shared: Arc::new(Shared {
                state: Mutex::new(State {
                    store: Store::default(),
                    barriers: Vec::new(),
                    next_seq: 1,
                    next_front_seq: -1,
                    next_barrier_token: 1,
                    quitting: false,
                    blocked: Blocked::No,
                    wake_at: u64::MAX,
                    waker_cpu: NO_CPU,
                    idle_handlers: Vec::new(),
                    free: Vec::new(),
                    dirty_from: 0,
                    latest_now: 0,
                    peak_len: 0,
                    quit_safe: false,
                    exited: false,
                    late: Vec::new(),
                    drained_at: 0,
                }),
                cv: Condvar::new(),
                inbox: ArrayQueue::new(INBOX_CAPACITY),
                flags: Padded(AtomicU8::new(0)),
                owner: thread_mark(),
                arrived: Padded(AtomicBool::new(false)),
                spin_on: AtomicBool::new(true),
                precise_stamps: AtomicBool::new(!matches!(clock, Clock::Monotonic)),
                clock,
                quit_allowed,
                #[cfg(target_os = "linux")]
                fds: crate::fd::FdSlot::default(),
            }),
        }
    }

    /// Takes the lock, first moving what lock-free senders left in the inbox
    /// into the queue (and waking the looper if one of them should), so that
    /// whoever holds the lock sees every message sent before.
    #[inline]
    fn lock(&self) -> MutexGuard<'_, State> {
        let mut st = self.lock_raw();
        if !self.shared.inbox.is_empty() {
            let w = self.drain_inbox(&mut st);
            self.do_wake(w);
        }
        st
    }

    /// The lock, without looking at the inbox (see [`Self::lock`]).
    #[inline]
    fn lock_raw(&self) -> MutexGuard<'_, State> {
        self.shared
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Moves the inbox into the queue, each message at the time its sender
    /// read (see [`Self::send_fast`]), and says whether the looper must be
    /// woken for one of them.
    ///
    /// Once the queue quit, a message pushed by then goes in only if it
    /// was `quit_safely` and the looper is still delivering (it is due);
    /// the others go to `State::late`, for their senders (see
    /// [`Self::send_fast`]).
    fn drain_inbox(&self, st: &mut State) -> Wake {
        let mut wake = false;
        while let Some(f) = self.shared.inbox.pop() {
            if st.quitting && (!st.quit_safe || st.exited) {
                st.late.push(f);
                continue;
            }
            let when = f.when;
            st.latest_now = st.latest_now.max(when.as_nanos());
            st.drained_at = st.drained_at.max(when.as_nanos());
            let key = st.key_for(when);
            wake |= st.should_wake(key, f.asynchronous);
            let len = st.store.push(Entry { key, msg: f });
            st.peak_len = st.peak_len.max(len);
        }
        if wake { self.take_wake(st) } else { Wake::None }
    }

    /// Sends `fields` without taking the lock if it is sent without delay
    /// from a thread other than the looper's, the queue needs no precise
    /// stamp, is not quitting and its looper not blocked (a sender would
    /// take the lock to wake it anyway), and the inbox has room; otherwise
    /// gives it back for the locked path.
    ///
    /// The message is stamped with the precise clock now and takes its
    /// place when the next holder of the lock moves it in: before anything
    /// that holder does, so a thread's later sends, removals and queries see
    /// it (a thread's own sends keep their order). The looper never misses
    /// it: it moves the inbox in whenever nothing else is due, looks at it
    /// again after announcing that it blocks ([`SLEEPING`]), and a sender
    /// that sees the announcement after pushing takes the lock to wake it
    /// (each side stores, fences, then loads, so one sees the other; see
    /// [`crate::fences`]).
    ///
    /// Quitting works the same way with [`CLOSED`]: `quit` sets it, fences
    /// and moves the inbox in, so a message pushed before that is treated
    /// as sent before the quit; a sender that sees it after pushing takes
    /// the lock, and if its message could no longer be delivered (`quit`, or
    /// `quit_safely` after the looper ended), takes it back from
    /// `State::late` and fails, as a send after quitting does. It knows its
    /// message by the storage's address and its own thread: storage of a
    /// message delivered meanwhile may have been reused by another sender and
    /// set aside, but a message of this thread in `late` can only be this
    /// one (any earlier one was taken back by this thread).
    #[inline]
    fn send_fast(&self, mut fields: Box<MessageFields>, t: SendTime) -> Fast {
        let sh = &*self.shared;
        let me = thread_mark();
        if !matches!(t, SendTime::Now)
            || sh.precise_stamps.load(Ordering::Relaxed)
            || sh.flags.0.load(Ordering::Relaxed) != 0
            || me == sh.owner
        {
            return Fast::Locked(fields);
        }
        // The precise time of the send, as Android stamps it: it orders the
        // message after this thread's earlier sends and before anything this
        // thread does later at a time it reads afterwards (a barrier, a send
        // at an explicit time), whenever the message is moved in.
        fields.when = sh.clock.now();
        fields.sent_by = me;
        #[cfg(test)]
        tests::pause_before_push(fields.what);
        let mine: *const MessageFields = &*fields;
        if let Err(fields) = sh.inbox.push(fields) {
            return Fast::Locked(fields);
        }
        crate::fences::light();
        if sh.flags.0.load(Ordering::Relaxed) == 0 {
            return Fast::Sent;
        }
        // The looper may be blocked, or the queue quitting: move the inbox
        // in (waking the looper if needed) and see whether this message was
        // set aside.
        let mut st = self.lock();
        let back = st
            .late
            .iter()
            .position(|f| std::ptr::eq(&**f, mine) && f.sent_by == me)
            .map(|i| st.late.swap_remove(i));
        drop(st);
        match back {
            Some(f) => Fast::Refused(f),
            None => Fast::Sent,
        }
    }

    /// Marks the queue quitting for lock-free senders ([`CLOSED`]) and moves
    /// in what they sent before (see [`Self::send_fast`]).
    fn close_inbox(&self, st: &mut State) {
        self.shared.flags.0.fetch_or(CLOSED, Ordering::SeqCst);
        crate::fences::heavy();
        let _ = self.drain_inbox(st);
    }

    /// Marks the looper blocked (`b`: a condition-variable or epoll wait),
    /// then looks at the inbox once more: a message that arrived before the
    /// mark was visible unblocks it again (see [`Self::send_fast`]).
    fn announce_block(&self, st: &mut State, b: Blocked) {
        st.blocked = b;
        self.shared.flags.0.fetch_or(SLEEPING, Ordering::SeqCst);
        crate::fences::heavy();
        if !self.shared.inbox.is_empty() {
            // Moved in now; the looper, which checks `blocked` next, does not
            // wait (no one is waiting to be notified). A sender on some other
            // CPU ended the wait (for `learn_from_wake`).
            let _ = self.drain_inbox(st);
            st.waker_cpu = UNKNOWN_CPU;
        }
    }

    /// Marks the looper running.
    #[inline]
    fn unblock(&self, st: &mut State) {
        if matches!(st.blocked, Blocked::No | Blocked::Spinning) {
            st.blocked = Blocked::No;
            return;
        }
        st.blocked = Blocked::No;
        self.shared.flags.0.fetch_and(!SLEEPING, Ordering::Relaxed);
    }

    /// The current time on this queue's clock (the monotonic clock, or the
    /// manual clock of a [`crate::TestLooper`]).
    pub fn now(&self) -> Uptime {
        self.shared.clock.now()
    }

    /// Marks the looper as no longer blocked and says how to wake it. A
    /// spinning looper is told here, under the lock (no system call).
    fn take_wake(&self, st: &mut State) -> Wake {
        let w = match st.blocked {
            Blocked::No => Wake::None,
            Blocked::Spinning => {
                self.shared.arrived.0.store(true, Ordering::Relaxed);
                Wake::None
            }
            Blocked::Condvar => Wake::Condvar,
            #[cfg(target_os = "linux")]
            Blocked::Epoll => Wake::Epoll,
        };
        if !matches!(w, Wake::None) {
            st.waker_cpu = current_cpu();
        }
        self.unblock(st);
        w
    }

    fn do_wake(&self, w: Wake) {
        match w {
            Wake::None => {}
            Wake::Condvar => self.shared.cv.notify_one(),
            #[cfg(target_os = "linux")]
            Wake::Epoll => self.shared.fds.wake(),
        }
    }

    /// Wakes the looper if it is blocked (cf. `MessageQueue.nativeWake`).
    pub(crate) fn wake_if_blocked(&self) {
        let w = self.take_wake(&mut self.lock());
        self.do_wake(w);
    }

    /// The cheap part of stamping a message sent without delay, read before
    /// taking the lock: a coarse clock reading, or [`Uptime::ZERO`] when the
    /// queue must read its clock precisely.
    #[inline]
    fn pre_stamp(&self, t: SendTime) -> Uptime {
        match t {
            SendTime::Now if !self.shared.precise_stamps.load(Ordering::Relaxed) => {
                Uptime::now_coarse()
            }
            _ => Uptime::ZERO,
        }
    }

    /// The time of a message sent at `t`, under the lock.
    ///
    /// A message sent without delay ([`SendTime::Now`]) may be stamped with
    /// any clock reading taken before the send, as long as it is not earlier
    /// than the readings behind the messages already queued: it is due at
    /// once either way (and never early, the stamp not being later than the
    /// true time), and its place in the queue, which is all the stamp
    /// decides, is the same as with the exact time *provided every queued
    /// message and barrier is due no later than the stamp*: it then goes
    /// after all of them, as it would with the exact time. So when that
    /// holds, the stamp is the larger of
    /// the latest precise reading the queue has seen (`latest_now`) and a
    /// coarse reading (`coarse`, never ahead of the precise clock), both
    /// monotonic, so later sends still get later-or-equal stamps (FIFO).
    /// Otherwise, or when `coarse` is zero, the queue reads the precise clock.
    ///
    /// What differs from exact stamps: `Message::when` of such a message may
    /// be up to a kernel tick earlier than the send (Android's
    /// `uptimeMillis` stamps are up to 1 ms early too), and a message later
    /// sent with an explicit time lying between the stamp and the true send
    /// time goes after it rather than before. Delayed messages are always
    /// stamped from a precise reading, and due times are only ever checked
    /// against precise readings.
    #[inline]
    fn stamp(&self, st: &mut State, t: SendTime, coarse: Uptime) -> Uptime {
        match t {
            SendTime::At(when) => when,
            SendTime::Delayed { now, when } => {
                st.latest_now = st.latest_now.max(now.as_nanos());
                when
            }
            SendTime::Now => {
                if coarse != Uptime::ZERO {
                    let s = st.latest_now.max(coarse.as_nanos());
                    if s >= st.max_entry_when() {
                        return Uptime::from_nanos(s);
                    }
                }
                let now = self.shared.clock.now();
                st.latest_now = st.latest_now.max(now.as_nanos());
                now
            }
        }
    }

    /// Inserts `msg` (whose target is set) at `t` (cf.
    /// `MessageQueue.enqueueMessage`). Gives the message back if the queue is
    /// quitting.
    pub(crate) fn enqueue(&self, msg: Message, t: SendTime) -> std::result::Result<(), Message> {
        match self.send_fast(msg.into_fields(), t) {
            Fast::Sent => Ok(()),
            Fast::Refused(fields) => Err(Message::from_fields(fields)),
            Fast::Locked(fields) => self.enqueue_locked(fields, t).map_err(Message::from_fields),
        }
    }

    /// [`Self::enqueue`] under the lock, never through the inbox: for a
    /// looper thread's sends with its warm storage (the lock is then usually
    /// uncontended, and cheaper than the inbox's atomic operations).
    pub(crate) fn enqueue_locked(
        &self,
        mut fields: Box<MessageFields>,
        t: SendTime,
    ) -> std::result::Result<(), Box<MessageFields>> {
        let coarse = self.pre_stamp(t);
        let mut st = self.lock();
        if st.quitting {
            drop(st);
            return Err(fields);
        }
        let when = self.stamp(&mut st, t, coarse);
        fields.when = when;
        let key = st.key_for(when);
        let wake = if st.should_wake(key, fields.asynchronous) {
            self.take_wake(&mut st)
        } else {
            Wake::None
        };
        let len = st.store.push(Entry { key, msg: fields });
        st.peak_len = st.peak_len.max(len);
        drop(st);
        self.do_wake(wake);
        Ok(())
    }

    /// Builds a message from the queue's pool with `fill` and inserts it at
    /// `t`, under one lock. `fill` must not run user code. Returns `false`
    /// if the queue is quitting (then `fill` is not called).
    pub(crate) fn enqueue_with(
        &self,
        t: SendTime,
        target: &Handler,
        callback: Option<&Runnable>,
        fill: impl FnOnce(&mut MessageFields),
    ) -> bool {
        let asynchronous = target.is_asynchronous();
        if matches!(t, SendTime::Now) && !self.shared.precise_stamps.load(Ordering::Relaxed) {
            // Lock-free: storage the looper handed back, filled here.
            let mut fields = self.obtain_fields();
            let old_refs = fields.swap_refs(target, callback);
            fill(&mut fields);
            fields.asynchronous = asynchronous;
            let refused = match self.send_fast(fields, t) {
                Fast::Sent => None,
                Fast::Refused(fields) => Some(fields),
                Fast::Locked(fields) => self.enqueue_locked(fields, t).err(),
            };
            let sent = refused.is_none();
            if let Some(fields) = refused {
                Message::from_fields(fields).recycle();
            }
            drop(old_refs);
            return sent;
        }
        let coarse = self.pre_stamp(t);
        let mut st = self.lock();
        if st.quitting {
            return false;
        }
        let when = self.stamp(&mut st, t, coarse);
        let mut fields = st.take_free();
        // Pooled storage may still hold a target and a task: keep them if
        // they are the ones wanted, else swap, and drop the old ones only
        // after unlocking (dropping them may run user code).
        let old_refs = fields.swap_refs(target, callback);
        fill(&mut fields);
        fields.when = when;
        fields.asynchronous = asynchronous;
        let key = st.key_for(when);
        let wake = if st.should_wake(key, asynchronous) {
            self.take_wake(&mut st)
        } else {
            Wake::None
        };
        let len = st.store.push(Entry { key, msg: fields });
        st.peak_len = st.peak_len.max(len);
        drop(st);
        self.do_wake(wake);
        drop(old_refs);
        true
    }

    /// Storage for a new message from the queue's pool. Like
    /// [`crate::message::take_warm`]'s, it may still hold a target and a
    /// task: set or clear both.
    pub(crate) fn obtain_fields(&self) -> Box<MessageFields> {
        if let Some(f) = take_spare() {
            return f;
        }
        // The thread's cache is empty: refill it from the queue's pool in
        // one go under the lock (the looper gives storage back there without
        // any atomic operation), and let go of the targets and tasks that
        // storage still holds outside the lock, on this thread.
        // A few stay for the looper thread's own sends (which take from the
        // pool under the lock). Only the storage returned is new storage
        // when the pool and the process-wide pool are empty, so the storage
        // in circulation grows by one at a time, to what the traffic needs,
        // and a steady pattern stops allocating.
        let mut batch: [Option<Box<MessageFields>>; SPARE_REFILL] = Default::default();
        let f = {
            let mut st = self.lock();
            let f = st.take_free();
            let n = st.free.len().saturating_sub(POOL_KEEP).min(SPARE_REFILL);
            for slot in &mut batch[..n] {
                *slot = Some(st.take_free());
            }
            f
        };
        for mut g in batch.into_iter().flatten() {
            g.clear();
            put_spare(g);
        }
        f
    }

    /// Gives cleared storage back to the queue's pool.
    pub(crate) fn recycle_fields(&self, f: Box<MessageFields>) {
        let spill = self.lock().keep_free(f, false);
        if let Some(f) = spill {
            recycle_fields_global(f);
        }
    }

    /// Drops the targets and tasks pooled storage still holds (see
    /// `keep_free`), a few at a time, outside the lock. Called when the
    /// looper is about to wait, and when it quits, so that it keeps no
    /// handler or task alive once idle.
    pub(crate) fn release_pool_refs(&self) {
        const CHUNK: usize = 16;
        loop {
            let mut targets: [Option<Handler>; CHUNK] = Default::default();
            let mut callbacks: [Option<Runnable>; CHUNK] = Default::default();
            let more = {
                let mut st = self.lock();
                let len = st.free.len();
                let from = st.dirty_from.min(len);
                let end = (from + CHUNK).min(len);
                for (i, f) in st.free[from..end].iter_mut().enumerate() {
                    targets[i] = f.target.take();
                    callbacks[i] = f.callback.take();
                }
                st.dirty_from = end;
                end < len
            };
            drop((targets, callbacks));
            if !more {
                return;
            }
        }
    }

    /// Lets go of what the looper kept for reuse (call outside the lock):
    /// the warm storage (returned, cleared, for the pool), the dispatch
    /// cache, and the pool's kept references if `dirty`.
    fn release_kept(
        &self,
        warm: Option<Box<MessageFields>>,
        dispatch_cache: &mut Option<Handler>,
        dirty: bool,
    ) -> Option<Box<MessageFields>> {
        *dispatch_cache = None;
        if dirty {
            self.release_pool_refs();
        }
        let mut f = warm?;
        f.clear();
        Some(f)
    }

    /// Whether pooled storage may still hold targets or tasks.
    fn pool_is_dirty(st: &State) -> bool {
        st.dirty_from < st.free.len()
    }

    /// The next message, blocking until one is due (cf. `MessageQueue.next`).
    /// Runs idle handlers (once per call) and file-descriptor listeners.
    /// `recycled` is the storage of the previous message, cleared, to go back
    /// into the pool under the lock this takes anyway. `None` once quitting.
    pub(crate) fn next(
        &self,
        recycled: Option<Box<MessageFields>>,
        dispatch_cache: &mut Option<Handler>,
    ) -> Option<Message> {
        let mut recycled = recycled;
        let mut idle_pending = true;
        // Spin at most once per call (a spin that ends with a message not
        // yet due is followed by a real wait).
        let mut spun = false;
        loop {
            #[cfg(target_os = "linux")]
            if self.shared.fds.is_active() {
                self.shared.fds.poll(Some(Duration::ZERO));
            }
            // Not `lock()`: the looper leaves the inbox alone while it works
            // through messages due no later than the last time it emptied
            // the inbox (`drained_at`): anything pushed since was sent after
            // them, so goes after them anyway, and not looking keeps the
            // looper off the cache lines senders are writing. A due message
            // with a later time might have to go after one in the inbox, so
            // the inbox is looked at first; and once nothing is due.
            let mut st = self.lock_raw();
            if st.blocked == Blocked::Spinning {
                st.blocked = Blocked::No;
            }
            let spill = recycled.take().and_then(|f| {
                let dirty = f.target.is_some() || f.callback.is_some();
                st.keep_free(f, dirty)
            });
            // Busy path: due by a time someone already read, so due now.
            let known = Uptime::from_nanos(st.latest_now);
            if let Some(k) = st.candidate()
                && k.0 <= known.as_nanos()
                && k.0 > st.drained_at
            {
                if self.shared.inbox.is_empty() {
                    // Looked at after `k.0`: what comes now was sent later.
                    st.drained_at = k.0;
                } else {
                    let _ = self.drain_inbox(&mut st);
                }
            }
            if let Pick::Due(f) = st.pick(known) {
                st.blocked = Blocked::No;
                drop(st);
                spill_global(spill);
                return Some(Message::from_fields(f));
            }
            if !self.shared.inbox.is_empty() {
                let _ = self.drain_inbox(&mut st);
                let known = Uptime::from_nanos(st.latest_now);
                if let Pick::Due(f) = st.pick(known) {
                    st.blocked = Blocked::No;
                    drop(st);
                    spill_global(spill);
                    return Some(Message::from_fields(f));
                }
            }
            let now = self.shared.clock.now();
            st.latest_now = st.latest_now.max(now.as_nanos());
            let deadline = match st.pick(now) {
                Pick::Due(f) => {
                    st.blocked = Blocked::No;
                    drop(st);
                    spill_global(spill);
                    return Some(Message::from_fields(f));
                }
                Pick::Wait(d) => d,
            };
            if st.quitting {
                st.exited = true;
                drop(st);
                spill_global(spill);
                return None;
            }
            if spill.is_some() {
                drop(st);
                spill_global(spill);
                continue;
            }
            if idle_pending && st.is_idle_at(now) && !st.idle_handlers.is_empty() {
                idle_pending = false;
                let handlers = st.idle_handlers.clone();
                drop(st);
                self.run_idle_handlers(&handlers);
                continue;
            }
            idle_pending = false;
            if !spun
                && matches!(self.shared.clock, Clock::Monotonic)
                && self.shared.spin_on.load(Ordering::Relaxed)
            {
                // Poll for a new message for a moment before blocking: a
                // sender then sets a flag instead of making a system call,
                // and this thread does not pay the wake-up latency. Up to the
                // due time of the next message at most (it is then picked up
                // on the next pass, checked against the precise clock).
                spun = true;
                st.blocked = Blocked::Spinning;
                st.wake_at = deadline;
                self.shared.arrived.0.store(false, Ordering::Relaxed);
                drop(st);
                let left = deadline.saturating_sub(now.as_nanos());
                self.spin(Duration::from_nanos(left));
                continue;
            }
            // Before waiting, let go of the handlers and tasks kept for reuse
            // (see `put_warm`, `keep_free`), outside the lock, once the looper
            // is marked blocked: a sender meanwhile then wakes it as usual.
            let warm = take_warm();
            let dirty = Self::pool_is_dirty(&st);
            let holding = warm.is_some() || dispatch_cache.is_some() || dirty;
            st.wake_at = deadline;
            st.waker_cpu = NO_CPU;
            let my_cpu = current_cpu();
            let timeout = if deadline == u64::MAX {
                None
            } else {
                Some(Duration::from_nanos(deadline - now.as_nanos()))
            };
            #[cfg(target_os = "linux")]
            let how = if self.shared.fds.is_active() {
                Blocked::Epoll
            } else {
                Blocked::Condvar
            };
            #[cfg(not(target_os = "linux"))]
            let how = Blocked::Condvar;
            self.announce_block(&mut st, how);
            if holding {
                drop(st);
                recycled = self.release_kept(warm, dispatch_cache, dirty);
                st = self.lock();
            }
            // Woken (the flag taken) since the announcement: do not wait.
            if st.blocked != how || st.quitting {
                self.unblock(&mut st);
                let waker = st.waker_cpu;
                drop(st);
                self.learn_from_wake(waker, my_cpu, now);
                continue;
            }
            #[cfg(target_os = "linux")]
            if how == Blocked::Epoll {
                drop(st);
                let until = (deadline != u64::MAX).then(|| Uptime::from_nanos(deadline));
                self.shared.fds.poll_until(until, timeout);
                let mut st = self.lock();
                self.unblock(&mut st);
                let waker = st.waker_cpu;
                drop(st);
                self.learn_from_wake(waker, my_cpu, now);
                continue;
            }
            let mut st = match timeout {
                None => self
                    .shared
                    .cv
                    .wait(st)
                    .unwrap_or_else(PoisonError::into_inner),
                Some(t) => {
                    self.shared
                        .cv
                        .wait_timeout(st, t)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0
                }
            };
            self.unblock(&mut st);
            let waker = st.waker_cpu;
            drop(st);
            self.learn_from_wake(waker, my_cpu, now);
        }
    }

    /// Decides, after a wait that a sender ended, whether the looper spins
    /// before its next waits: yes if the sender ran on another CPU and sent
    /// soon after the wait began (within [`SPIN_WORTH`]): a partner that
    /// answers that fast is worth spinning for, as spinning saves both sides
    /// the wake-up. No if it ran on the looper's CPU: the looper then had to
    /// give up its CPU for the message to come, and spinning would only delay
    /// it. No after a longer wait, and no after a wait that no sender ended
    /// (time-out, descriptor event, spurious): a looper that waits for its
    /// timers or descriptors gains nothing from polling for messages.
    fn learn_from_wake(&self, waker: u32, my_cpu: u32, waited_from: Uptime) {
        if waker == NO_CPU {
            self.shared.spin_on.store(false, Ordering::Relaxed);
            return;
        }
        let waited = self
            .shared
            .clock
            .now()
            .as_nanos()
            .saturating_sub(waited_from.as_nanos());
        let on = (waker != my_cpu || my_cpu == UNKNOWN_CPU)
            && u128::from(waited) <= SPIN_WORTH.as_nanos();
        self.shared.spin_on.store(on, Ordering::Relaxed);
    }

    /// Polls [`Shared::arrived`] (set by a sender) and the inbox with a pause instruction
    /// for up to [`SPIN_TIME`], or until `limit` (the next message's due
    /// time) if that comes first.
    fn spin(&self, limit: Duration) {
        let arrived = &self.shared.arrived.0;
        let inbox = &self.shared.inbox;
        let start = Instant::now();
        let end = limit.min(SPIN_TIME);
        loop {
            for _ in 0..SPIN_CHECK {
                if arrived.load(Ordering::Relaxed) || !inbox.is_empty() {
                    return;
                }
                std::hint::spin_loop();
            }
            if start.elapsed() >= end {
                return;
            }
        }
    }

    /// The next due message without blocking, for the test looper.
    pub(crate) fn poll_due(&self) -> Option<Message> {
        let mut st = self.lock();
        let now = self.shared.clock.now();
        match st.pick(now) {
            Pick::Due(f) => Some(Message::from_fields(f)),
            Pick::Wait(_) => None,
        }
    }

    /// When the next deliverable message is due (honouring barriers), if any.
    pub(crate) fn next_due_time(&self) -> Option<Uptime> {
        self.lock().candidate().map(|k| Uptime::from_nanos(k.0))
    }

    fn run_idle_handlers(&self, handlers: &[IdleHandler]) {
        let mut drop_list = Vec::new();
        for h in handlers {
            let keep = match catch_unwind(AssertUnwindSafe(|| (h.0)())) {
                Ok(keep) => keep,
                Err(_) => {
                    log::error!(target: "MessageQueue", "IdleHandler threw exception; removing it");
                    false
                }
            };
            if !keep {
                drop_list.push(h.clone());
            }
        }
        if !drop_list.is_empty() {
            let mut st = self.lock();
            for d in &drop_list {
                if let Some(i) = st.idle_handlers.iter().position(|h| h == d) {
                    st.idle_handlers.remove(i);
                }
            }
        }
    }

    /// Runs the idle handlers once if the queue is idle (test looper).
    pub(crate) fn run_idle_handlers_if_idle(&self) -> bool {
        let st = self.lock();
        if !st.is_idle_at(self.shared.clock.now()) || st.idle_handlers.is_empty() {
            return false;
        }
        let handlers = st.idle_handlers.clone();
        drop(st);
        self.run_idle_handlers(&handlers);
        true
    }

    /// Whether the queue has nothing due now: it is empty, or its first entry
    /// (message or barrier) is in the future (cf. `MessageQueue.isIdle`).
    pub fn is_idle(&self) -> bool {
        let st = self.lock();
        st.is_idle_at(self.shared.clock.now())
    }

    /// Whether the looper is waiting for work: blocked, or polling just
    /// before it blocks (see the crate docs) (cf. `MessageQueue.isPolling`).
    pub fn is_polling(&self) -> bool {
        let st = self.lock();
        st.blocked != Blocked::No && !st.quitting
    }

    /// How many messages are queued (barriers not counted).
    pub fn len(&self) -> usize {
        self.lock().store.len()
    }

    /// Whether no message is queued (barriers not counted).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Registers an idle handler (cf. `MessageQueue.addIdleHandler`). It runs
    /// on the looper's thread each time the queue goes idle, at most once per
    /// wait, until it returns `false` or is removed. Adding one twice
    /// registers it twice.
    pub fn add_idle_handler(&self, handler: &IdleHandler) {
        self.lock().idle_handlers.push(handler.clone());
    }

    /// Removes one registration of `handler`, by identity (cf.
    /// `MessageQueue.removeIdleHandler`). Removing one that is not
    /// registered does nothing.
    pub fn remove_idle_handler(&self, handler: &IdleHandler) {
        let mut st = self.lock();
        if let Some(i) = st.idle_handlers.iter().position(|h| h == handler) {
            st.idle_handlers.remove(i);
        }
    }

    /// Posts a synchronization barrier at the current time (cf.
    /// `MessageQueue.postSyncBarrier`). Until it is removed, synchronous
    /// messages due after it wait; asynchronous ones pass. Messages already
    /// queued with an earlier or equal time go before it.
    pub fn post_sync_barrier(&self) -> BarrierToken {
        self.post_sync_barrier_at(self.now())
    }

    /// Posts a synchronization barrier at `when`: it starts blocking once the
    /// messages before `when` are delivered.
    pub fn post_sync_barrier_at(&self, when: Uptime) -> BarrierToken {
        let mut st = self.lock();
        let token = st.next_barrier_token;
        st.next_barrier_token = st.next_barrier_token.wrapping_add(1);
        // A barrier takes an ordinary sequence number even at time zero, so
        // it goes after the front-of-queue messages already there.
        let key = (when.as_nanos(), st.next_seq);
        st.next_seq += 1;
        let pos = st.barriers.partition_point(|b| b.0 < key);
        st.barriers.insert(pos, (key, token));
        BarrierToken(token)
    }

    /// Removes a synchronization barrier (cf. `MessageQueue.removeSyncBarrier`).
    ///
    /// # Errors
    /// [`Error::InvalidBarrierToken`] if `token` was never posted or was
    /// already removed.
    pub fn remove_sync_barrier(&self, token: BarrierToken) -> Result<()> {
        let mut st = self.lock();
        let Some(i) = st.barriers.iter().position(|b| b.1 == token.0) else {
            return Err(Error::InvalidBarrierToken { token: token.0 });
        };
        st.barriers.remove(i);
        let w = if st.quitting {
            Wake::None
        } else {
            self.take_wake(&mut st)
        };
        drop(st);
        self.do_wake(w);
        Ok(())
    }

    /// Removes every message matching `pred`, recycling them outside the lock.
    pub(crate) fn remove_where(&self, pred: impl FnMut(&MessageFields) -> bool) {
        let mut pred = pred;
        let mut out = Vec::new();
        self.lock().store.extract(|_, m| pred(m), &mut out);
        recycle_all(out);
    }

    /// Whether a message matches `pred`.
    pub(crate) fn any(&self, pred: impl FnMut(&MessageFields) -> bool) -> bool {
        self.lock().store.any(pred)
    }

    pub(crate) fn quit_allowed(&self) -> bool {
        self.shared.quit_allowed
    }

    /// Stops the queue (cf. `MessageQueue.quit`). With `safe`, messages
    /// already due stay and are delivered; otherwise everything goes.
    pub(crate) fn quit(&self, safe: bool) -> Result<()> {
        if !self.shared.quit_allowed {
            return Err(Error::QuitNotAllowed);
        }
        self.quit_unchecked(safe);
        Ok(())
    }

    pub(crate) fn quit_unchecked(&self, safe: bool) {
        let mut st = self.lock();
        if st.quitting {
            return;
        }
        // Messages sent before this point go into the queue, as before any
        // quit.
        self.close_inbox(&mut st);
        st.quitting = true;
        st.quit_safe = safe;
        let mut out = Vec::new();
        if safe {
            let now = self.shared.clock.now().as_nanos();
            st.store.extract(|k, _| k.0 > now, &mut out);
            st.barriers.retain(|b| b.0.0 <= now);
        } else {
            st.store.extract(|_, _| true, &mut out);
            st.barriers.clear();
        }
        let w = self.take_wake(&mut st);
        drop(st);
        self.do_wake(w);
        recycle_all(out);
        self.release_pool_refs();
    }

    /// Whether `quit` or `quit_safely` was called.
    pub fn is_quitting(&self) -> bool {
        self.lock().quitting
    }

    /// A description of the queue's contents, in delivery order (cf.
    /// `MessageQueue.dump`).
    pub fn dump(&self) -> String {
        use std::fmt::Write as _;
        let st = self.lock();
        let now = self.shared.clock.now().as_millis();
        let mut s = String::new();
        let msgs = st.store.sorted();
        let mut bi = st.barriers.iter().peekable();
        let mut n = 0;
        for (k, m) in msgs {
            while let Some(b) = bi.next_if(|b| b.0 < k) {
                let _ = writeln!(
                    s,
                    "  Barrier #{} {{ when={}ms }}",
                    b.1,
                    Uptime::from_nanos(b.0.0).as_millis() - now
                );
            }
            let when = Uptime::from_nanos(m.when.as_nanos()).as_millis() - now;
            let _ = write!(s, "  Message {n}: {{ when={when}ms");
            match &m.callback {
                Some(cb) => {
                    let _ = write!(s, " callback={cb}");
                }
                None => {
                    let _ = write!(s, " what={}", m.what);
                }
            }
            if let Some(t) = &m.target {
                let _ = write!(s, " target={t}");
            }
            s.push_str(" }\n");
            n += 1;
        }
        for b in bi {
            let _ = writeln!(
                s,
                "  Barrier #{} {{ when={}ms }}",
                b.1,
                Uptime::from_nanos(b.0.0).as_millis() - now
            );
        }
        let _ = writeln!(
            s,
            "(Total messages: {n}, polling={}, quitting={})",
            st.blocked != Blocked::No,
            st.quitting
        );
        s
    }
}

/// Clears storage the pool had no room for (outside the lock: it may hold a
/// target and a task) and offers it to the process-wide pool.
fn spill_global(f: Option<Box<MessageFields>>) {
    if let Some(mut f) = f {
        f.clear();
        recycle_fields_global(f);
    }
}

fn recycle_all(out: Vec<Box<MessageFields>>) {
    for f in out {
        Message::from_fields(f).recycle();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::mpsc;
    use std::time::{Duration, Instant};

    use crate::{Handler, HandlerThread, Runnable};

    /// The `what` of the messages whose lock-free sender waits 2 ms between
    /// its first look at the looper's flags and its push.
    const PAUSED_WHAT: i32 = 999;

    pub(super) fn pause_before_push(what: i32) {
        if what == PAUSED_WHAT {
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// The interleaving the wake-up handshake exists for: a sender finds the
    /// looper running (so it does not take the lock), the looper then polls,
    /// announces that it blocks, finds the inbox empty and sleeps, and only
    /// then does the sender push. The sender must see the announcement and
    /// wake it; without the handshake every message here waits forever.
    #[test]
    fn push_after_the_looper_fell_asleep_wakes_it() {
        let ht = HandlerThread::new("handshake");
        ht.start().expect("start");
        let (tx, rx) = mpsc::channel::<i32>();
        let tx = std::sync::Mutex::new(tx);
        let h = Handler::with_handle_message(&ht.looper().expect("started"), move |m| {
            let _ = tx.lock().map(|t| t.send(m.what));
        });
        let started = Arc::new(AtomicBool::new(false));
        let s2 = started.clone();
        // Keeps the looper running for 1 ms, so that the sender below finds
        // it running; the sender then pushes 2 ms later, after the looper
        // has polled and gone to sleep.
        let busy = Runnable::new(move || {
            s2.store(true, Ordering::SeqCst);
            let t = Instant::now();
            while t.elapsed() < Duration::from_millis(1) {
                std::hint::spin_loop();
            }
        });
        for i in 0..20 {
            started.store(false, Ordering::SeqCst);
            assert!(h.post(&busy));
            while !started.load(Ordering::SeqCst) {
                std::hint::spin_loop();
            }
            assert!(h.send_empty_message(PAUSED_WHAT));
            assert_eq!(
                rx.recv_timeout(Duration::from_secs(5)),
                Ok(PAUSED_WHAT),
                "round {i}: not delivered, lost wake-up"
            );
        }
        ht.quit();
        ht.join();
    }
}
