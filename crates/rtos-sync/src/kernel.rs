//! The shared kernel: task control blocks, the generic queue object behind every queue,
//! semaphore, mutex and queue set, priority inheritance, and the two ways of waiting
//! (SimPort: hand the single virtual CPU to the next task; HostPort: park the thread).
//!
//! Everything lives behind one lock, the equivalent of FreeRTOS's critical section. Queue items
//! are stored next to the object (they are generic) in a ring (`crate::ring`) that only the
//! kernel-lock holder touches while it is in kernel mode.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::PoisonError;
use std::sync::atomic::AtomicU64;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::ring::RingCtl;
use crate::trace::{BlockedTask, DeadlockReport, Trace, TraceEvent, TraceKind};
use crate::types::{BlockTime, InheritanceMode, PortKind, Priority, TaskId, Tick};

/// The synchronisation primitives of the kernel: std's, or loom's under `--cfg loom` so that
/// the loom models explore the real state machine.
pub(crate) mod sync {
    #[cfg(loom)]
    pub(crate) use loom::hint::spin_loop;
    #[cfg(loom)]
    pub(crate) use loom::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
    #[cfg(loom)]
    pub(crate) use loom::sync::{Arc, Condvar, Mutex, MutexGuard};
    #[cfg(loom)]
    pub(crate) use loom::thread::yield_now;
    #[cfg(not(loom))]
    pub(crate) use std::hint::spin_loop;
    #[cfg(not(loom))]
    pub(crate) use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
    #[cfg(not(loom))]
    pub(crate) use std::sync::{Arc, Condvar, Mutex, MutexGuard};
    #[cfg(not(loom))]
    pub(crate) use std::thread::yield_now;
}

use sync::{Arc, AtomicBool, AtomicU32, AtomicUsize, Condvar, Mutex, MutexGuard, Ordering};

/// HostPort: before a task parks on its condition variable (or a queue operation blocks in
/// the kernel), it polls the condition it waits for: a few times with a short, doubling
/// spin-loop pause, then with `yield_now` for up to [`POLL_TIME`]. A wake-up that arrives
/// meanwhile costs no system call on either side. Long spinning measured worse than yielding
/// on the shared 2-vCPU VM (it hammers the shared cache line and burns the partner's core),
/// and parking costs ~100 us of wake-up latency under load, hence the short spin and the
/// long yield phase.
#[cfg(not(loom))]
const POLL_SPIN_STEPS: u32 = 3;
#[cfg(not(loom))]
const POLL_TIME: Duration = Duration::from_micros(50);

/// Polls `done` (see [`POLL_TIME`]); whether it became true.
#[cfg(not(loom))]
pub(crate) fn poll(mut done: impl FnMut() -> bool) -> bool {
    for step in 0..POLL_SPIN_STEPS {
        if done() {
            return true;
        }
        for _ in 0..1u32 << step {
            sync::spin_loop();
        }
    }
    let start = Instant::now();
    loop {
        if done() {
            return true;
        }
        if start.elapsed() >= POLL_TIME {
            return false;
        }
        sync::yield_now();
    }
}

/// Under loom: one look, one yield, one more look (loom explores every poll).
#[cfg(loom)]
pub(crate) fn poll(mut done: impl FnMut() -> bool) -> bool {
    if done() {
        return true;
    }
    sync::yield_now();
    done()
}

/// State word of a HostPort [`Mutex`](crate::Mutex) (see [`Kernel::fast_take`]): available,
/// and no task waits.
pub(crate) const M_FREE: usize = 0;
/// State word: the kernel's object (count, holder, wait list) is authoritative; every
/// operation goes through the kernel lock. Always the case on SimPort and for recursive mutexes.
pub(crate) const M_KERNEL: usize = 1;

/// State word: held by task `t`, no task waits.
fn m_held_by(t: usize) -> usize {
    (t + 1) << 1
}

/// The holder encoded in a state word, if it is one.
pub(crate) fn m_holder(s: usize) -> Option<usize> {
    if s & 1 == 0 && s != M_FREE {
        Some((s >> 1) - 1)
    } else {
        None
    }
}

/// Per-task fields that a task's own thread reads or writes without the kernel lock.
pub(crate) struct TaskFast {
    /// Mutexes held (cf. `uxMutexesHeld`), including those taken on the lock-free path.
    /// Written only by the task's own thread (takes and gives are made by the holder).
    held: AtomicU32,
    /// Whether the effective priority differs from the base (an inheritance is in effect).
    /// Maintained under the kernel lock; a set flag sends the holder's gives to the kernel.
    boosted: AtomicBool,
    /// HostPort: set under the kernel lock while the task is blocked, cleared by whoever
    /// wakes it (or times it out); polled without the lock before parking.
    blocked: AtomicBool,
}

impl TaskFast {
    fn new() -> Arc<TaskFast> {
        Arc::new(TaskFast {
            held: AtomicU32::new(0),
            boosted: AtomicBool::new(false),
            blocked: AtomicBool::new(false),
        })
    }
}

pub(crate) type Guard<'a> = MutexGuard<'a, KState>;

/// Unwinding payload used to stop SimPort task threads after a deadlock or when the port is
/// dropped. Caught by the task wrapper; never seen by users.
struct Abort;

/// Name of HostPort tasks adopted from foreign threads.
const ADOPTED: &str = "(adopted thread)";

static NEXT_KERNEL_ID: AtomicU64 = AtomicU64::new(1);

#[cfg(not(loom))]
thread_local! {
    /// `(kernel id, task index, lock-free fields)` for every kernel this thread is a task of.
    static CURRENT: RefCell<Vec<(u64, usize, Arc<TaskFast>)>> = const { RefCell::new(Vec::new()) };
    /// Set while a simulated interrupt handler runs on this thread.
    static IN_ISR: Cell<bool> = const { Cell::new(false) };
}

#[cfg(loom)]
loom::thread_local! {
    static CURRENT: RefCell<Vec<(u64, usize, Arc<TaskFast>)>> = RefCell::new(Vec::new());
    static IN_ISR: Cell<bool> = Cell::new(false);
}

pub(crate) fn in_isr() -> bool {
    IN_ISR.with(Cell::get)
}

/// Kinds of generic queue object (cf. `queueQUEUE_TYPE_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ObjKind {
    Queue,
    Binary,
    Counting,
    Mutex,
    Recursive,
    Set,
}

impl ObjKind {
    fn name(self) -> &'static str {
        match self {
            ObjKind::Queue => "queue",
            ObjKind::Binary => "binary semaphore",
            ObjKind::Counting => "counting semaphore",
            ObjKind::Mutex => "mutex",
            ObjKind::Recursive => "recursive mutex",
            ObjKind::Set => "queue set",
        }
    }

    fn is_mutex(self) -> bool {
        matches!(self, ObjKind::Mutex | ObjKind::Recursive)
    }
}

/// Where a send puts its item (cf. `queueSEND_TO_BACK` / `queueSEND_TO_FRONT` /
/// `queueOVERWRITE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pos {
    Back,
    Front,
    Overwrite,
}

/// Which event list a task waits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    /// Waiting to receive (cf. `xTasksWaitingToReceive`).
    Rx,
    /// Waiting to send (cf. `xTasksWaitingToSend`).
    Tx,
}

/// Moves items between a caller and an object's storage; called under the kernel lock.
pub(crate) trait Storage {
    fn put(&mut self, pos: Pos);
    fn get(&mut self, peek: bool, meta: &ObjMeta);
}

/// Storage of semaphores and mutexes: only the count matters.
pub(crate) struct NoStore;

impl Storage for NoStore {
    fn put(&mut self, _: Pos) {}
    fn get(&mut self, _: bool, _: &ObjMeta) {}
}

pub(crate) struct ObjMeta {
    pub(crate) kind: ObjKind,
    pub(crate) len: usize,
    pub(crate) count: usize,
    rx: Vec<usize>,
    tx: Vec<usize>,
    pub(crate) holder: Option<usize>,
    pub(crate) recursion: u32,
    /// The queue set this object belongs to.
    pub(crate) set: Option<usize>,
    /// For sets: member objects with data, in arrival order.
    pub(crate) set_items: VecDeque<usize>,
    /// For sets: total capacity of the members.
    pub(crate) members_capacity: usize,
    /// HostPort mutexes: the lock-free state word (see [`Kernel::fast_take`]).
    fast: Option<Arc<AtomicUsize>>,
    /// HostPort queues: the ring that also works without the kernel (see [`crate::ring`]).
    ring: Option<std::sync::Arc<dyn RingCtl>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TState {
    Ready,
    Running,
    Blocked,
    Finished,
}

struct Tcb {
    name: std::sync::Arc<str>,
    base: Priority,
    prio: Priority,
    state: TState,
    wake_at: Option<Tick>,
    waiting_on: Option<(usize, Side)>,
    /// Order among ready tasks of equal priority (smaller runs first).
    ready_seq: i64,
    /// Order among waiters of equal priority (FIFO).
    wait_seq: u64,
    /// Order among tasks timing out at the same tick.
    block_seq: u64,
    /// Mutexes held that the kernel tracks, in taking order: all of them on SimPort; on
    /// HostPort those not held on the lock-free path (see [`Kernel::fast_take`]). The count
    /// of all (cf. `uxMutexesHeld`) is `fast.held - held_lost`.
    held: Vec<usize>,
    /// Mutexes deleted while this task held them (subtracted from `fast.held`, which only
    /// the task's own thread writes).
    held_lost: u32,
    /// HostPort: waiting on `cv` (a waker must notify it).
    parked: bool,
    fast: Arc<TaskFast>,
    cv: Arc<Condvar>,
}

type Isr = Box<dyn FnOnce() + Send>;

pub(crate) struct KState {
    tasks: Vec<Tcb>,
    objs: Vec<Option<ObjMeta>>,
    free_objs: Vec<usize>,
    /// SimPort: virtual time.
    tick: Tick,
    running: Option<usize>,
    last_traced: Option<Option<usize>>,
    back_seq: i64,
    front_seq: i64,
    wait_seq: u64,
    isr_seq: u64,
    isrs: Vec<(Tick, u64, Isr)>,
    trace: Vec<TraceEvent>,
    aborted: bool,
    deadlock: Option<DeadlockReport>,
    panics: Vec<Box<dyn Any + Send>>,
    live: usize,
    started: bool,
    switches: u64,
    /// HostPort: condition variables to notify once the lock is released.
    pending: Vec<Arc<Condvar>>,
}

pub(crate) struct Kernel {
    pub(crate) id: u64,
    pub(crate) kind: PortKind,
    pub(crate) mode: InheritanceMode,
    pub(crate) max_priorities: Priority,
    tick_len: Duration,
    epoch: Instant,
    st: Mutex<KState>,
    done: Condvar,
    joins: Mutex<Vec<std::thread::JoinHandle<()>>>,
}

fn expired(deadline: Option<Tick>, now: Tick) -> bool {
    deadline.is_some_and(|d| now >= d)
}

impl KState {
    fn obj(&self, o: usize) -> Result<&ObjMeta> {
        self.objs
            .get(o)
            .and_then(Option::as_ref)
            .ok_or(Error::InvalidArgument {
                reason: "object was deleted",
            })
    }

    fn obj_mut(&mut self, o: usize) -> Result<&mut ObjMeta> {
        self.objs
            .get_mut(o)
            .and_then(Option::as_mut)
            .ok_or(Error::InvalidArgument {
                reason: "object was deleted",
            })
    }

    fn trace(&mut self, kind: TraceKind) {
        let tick = self.tick;
        self.trace.push(TraceEvent { tick, kind });
    }

    /// The waiter of `side` to wake. FreeRTOS mode: the head of the event list, which is
    /// ordered when a task blocks (see `block_prepare`) and not re-sorted when a waiter's
    /// priority changes later, as in FreeRTOS. Chained mode: the waiter of highest current
    /// priority, FIFO among equals (re-queued on priority changes, like Linux's rt_mutex).
    fn best_waiter(&self, o: usize, side: Side, mode: InheritanceMode) -> Option<usize> {
        let m = self.objs.get(o)?.as_ref()?;
        let list = if side == Side::Rx { &m.rx } else { &m.tx };
        if mode == InheritanceMode::FreeRtos {
            return list.first().copied();
        }
        list.iter().copied().max_by(|&a, &b| {
            let (ta, tb) = (&self.tasks[a], &self.tasks[b]);
            ta.prio.cmp(&tb.prio).then(tb.wait_seq.cmp(&ta.wait_seq))
        })
    }

    /// Mutexes task `t` holds (cf. `uxMutexesHeld`).
    fn held_count(&self, t: usize) -> u32 {
        let tcb = &self.tasks[t];
        tcb.fast
            .held
            .load(Ordering::Relaxed)
            .saturating_sub(tcb.held_lost)
    }

    fn highest_waiting_priority(&self, o: usize) -> Option<Priority> {
        let m = self.objs.get(o)?.as_ref()?;
        m.rx.iter().map(|&t| self.tasks[t].prio).max()
    }

    fn remove_waiter(&mut self, t: usize) {
        if let Some((o, side)) = self.tasks[t].waiting_on.take()
            && let Some(Some(m)) = self.objs.get_mut(o)
        {
            let list = if side == Side::Rx {
                &mut m.rx
            } else {
                &mut m.tx
            };
            list.retain(|&x| x != t);
        }
    }

    fn pick_ready(&self) -> Option<usize> {
        self.tasks
            .iter()
            .enumerate()
            .filter(|(_, t)| t.state == TState::Ready)
            .max_by(|(_, a), (_, b)| a.prio.cmp(&b.prio).then(b.ready_seq.cmp(&a.ready_seq)))
            .map(|(i, _)| i)
    }

    fn highest_ready_priority(&self) -> Option<Priority> {
        self.tasks
            .iter()
            .filter(|t| t.state == TState::Ready)
            .map(|t| t.prio)
            .max()
    }

    /// Mirrors `prio != base` into the task's lock-free `boosted` flag.
    fn sync_boosted(&self, t: usize) {
        let tcb = &self.tasks[t];
        tcb.fast
            .boosted
            .store(tcb.prio != tcb.base, Ordering::Relaxed);
    }

    fn make_ready_back(&mut self, t: usize) {
        self.back_seq += 1;
        let seq = self.back_seq;
        let tcb = &mut self.tasks[t];
        tcb.state = TState::Ready;
        tcb.ready_seq = seq;
        tcb.wake_at = None;
    }

    fn make_ready_front(&mut self, t: usize) {
        self.front_seq -= 1;
        let seq = self.front_seq;
        let tcb = &mut self.tasks[t];
        tcb.state = TState::Ready;
        tcb.ready_seq = seq;
    }
}

impl Kernel {
    pub(crate) fn new(
        kind: PortKind,
        mode: InheritanceMode,
        tick_len: Duration,
        max_priorities: Priority,
    ) -> Arc<Kernel> {
        Arc::new(Kernel {
            id: NEXT_KERNEL_ID.fetch_add(1, Ordering::Relaxed),
            kind,
            mode,
            max_priorities,
            tick_len,
            epoch: Instant::now(),
            st: Mutex::new(KState {
                tasks: Vec::new(),
                objs: Vec::new(),
                free_objs: Vec::new(),
                tick: 0,
                running: None,
                last_traced: None,
                back_seq: 0,
                front_seq: 0,
                wait_seq: 0,
                isr_seq: 0,
                isrs: Vec::new(),
                trace: Vec::new(),
                aborted: false,
                deadlock: None,
                panics: Vec::new(),
                live: 0,
                started: false,
                switches: 0,
                pending: Vec::new(),
            }),
            done: Condvar::new(),
            joins: Mutex::new(Vec::new()),
        })
    }

    pub(crate) fn lock(&self) -> Guard<'_> {
        self.st.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn is_sim(&self) -> bool {
        self.kind == PortKind::Sim
    }

    pub(crate) fn now_locked(&self, g: &KState) -> Tick {
        match self.kind {
            PortKind::Sim => g.tick,
            _ => self.host_now(),
        }
    }

    /// For a call that may block: the current tick (the clock is read only
    /// when a deadline needs it) and the deadline, fixed on the first pass
    /// (`entry` then records the tick the wait started at).
    fn block_clock(
        &self,
        g: &KState,
        block: BlockTime,
        deadline: &mut Option<Option<Tick>>,
        entry: &mut Tick,
    ) -> (Tick, Option<Tick>) {
        let now = match block {
            BlockTime::Forever => 0,
            _ => self.now_locked(g),
        };
        let dl = *deadline.get_or_insert_with(|| {
            *entry = now;
            block.deadline(now)
        });
        (now, dl)
    }

    fn host_now(&self) -> Tick {
        let e = self.epoch.elapsed().as_nanos();
        let t = self.tick_len.as_nanos().max(1);
        Tick::try_from(e / t).unwrap_or(Tick::MAX)
    }

    pub(crate) fn now(&self) -> Tick {
        match self.kind {
            PortKind::Sim => self.lock().tick,
            _ => self.host_now(),
        }
    }

    fn set_priority_raw(&self, g: &mut KState, t: usize, p: Priority) {
        let old = g.tasks[t].prio;
        if old == p {
            return;
        }
        g.tasks[t].prio = p;
        g.sync_boosted(t);
        if self.is_sim() {
            g.trace(TraceKind::Priority {
                task: TaskId(t),
                from: old,
                to: p,
            });
            if g.tasks[t].state == TState::Ready {
                // Moved to the end of its new priority's ready list.
                g.make_ready_back(t);
            }
        }
    }

    // ----- tasks -------------------------------------------------------------------------

    /// The calling task of this kernel; on HostPort a foreign thread is adopted as a task of
    /// priority 0.
    pub(crate) fn current(&self, g: &mut KState) -> Option<usize> {
        let found = self.lookup_current();
        if found.is_some() || self.is_sim() {
            return found;
        }
        let t = self.new_tcb(g, ADOPTED, 0, TState::Running);
        let fast = Arc::clone(&g.tasks[t].fast);
        CURRENT.with(|c| c.borrow_mut().push((self.id, t, fast)));
        Some(t)
    }

    fn lookup_current(&self) -> Option<usize> {
        CURRENT.with(|c| {
            c.borrow()
                .iter()
                .find(|(k, _, _)| *k == self.id)
                .map(|&(_, t, _)| t)
        })
    }

    /// Runs `f` with the calling task and its lock-free fields, if the thread is a task of
    /// this kernel (no adoption: that needs the kernel lock).
    fn with_current_fast<R>(&self, f: impl FnOnce(usize, &TaskFast) -> R) -> Option<R> {
        CURRENT.with(|c| {
            c.borrow()
                .iter()
                .find(|(k, _, _)| *k == self.id)
                .map(|(_, t, fast)| f(*t, fast))
        })
    }

    fn new_tcb(&self, g: &mut KState, name: &str, prio: Priority, state: TState) -> usize {
        g.tasks.push(Tcb {
            name: std::sync::Arc::from(name),
            base: prio,
            prio,
            state,
            wake_at: None,
            waiting_on: None,
            ready_seq: 0,
            wait_seq: 0,
            block_seq: 0,
            held: Vec::new(),
            held_lost: 0,
            parked: false,
            fast: TaskFast::new(),
            cv: Arc::new(Condvar::new()),
        });
        g.tasks.len() - 1
    }

    pub(crate) fn check_priority(&self, p: Priority) -> Result<()> {
        if p >= self.max_priorities {
            return Err(Error::InvalidArgument {
                reason: "priority >= max_priorities",
            });
        }
        Ok(())
    }

    /// Creates a task running `f` on its own thread (cf. `xTaskCreate`).
    pub(crate) fn spawn(
        k: &Arc<Self>,
        name: &str,
        prio: Priority,
        f: Box<dyn FnOnce(&crate::port::TaskContext) + Send>,
    ) -> Result<TaskId> {
        k.check_priority(prio)?;
        if in_isr() {
            return Err(Error::InIsr);
        }
        let mut g = k.lock();
        if g.aborted {
            return Err(Error::InvalidArgument {
                reason: "port was shut down",
            });
        }
        let initial = if k.is_sim() {
            TState::Ready
        } else {
            TState::Running
        };
        let t = k.new_tcb(&mut g, name, prio, initial);
        if k.is_sim() {
            g.make_ready_back(t);
        }
        g.live += 1;
        let k2 = Arc::clone(k);
        let fast = Arc::clone(&g.tasks[t].fast);
        let builder = std::thread::Builder::new().name(name.to_string());
        let spawned = builder.spawn(move || Kernel::task_main(k2, t, fast, f));
        let handle = match spawned {
            Ok(h) => h,
            Err(_) => {
                g.tasks[t].state = TState::Finished;
                g.live -= 1;
                return Err(Error::InvalidArgument {
                    reason: "could not start a thread",
                });
            }
        };
        k.joins
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(handle);
        // A task created by a running task preempts it if more urgent.
        let me = k.lookup_current();
        let _g = k.after_op(g, me);
        Ok(TaskId(t))
    }

    fn task_main(
        k: Arc<Self>,
        t: usize,
        fast: Arc<TaskFast>,
        f: Box<dyn FnOnce(&crate::port::TaskContext) + Send>,
    ) {
        CURRENT.with(|c| c.borrow_mut().push((k.id, t, fast)));
        let cx = crate::port::TaskContext {
            k: Arc::clone(&k),
            me: TaskId(t),
        };
        let r = catch_unwind(AssertUnwindSafe(|| {
            if k.is_sim() {
                let g = k.lock();
                drop(k.wait_for_cpu(g, t));
            }
            f(&cx);
        }));
        let mut g = k.lock();
        if let Err(p) = r
            && !p.is::<Abort>()
        {
            g.panics.push(p);
        }
        g.remove_waiter(t);
        g.tasks[t].state = TState::Finished;
        g.live -= 1;
        if k.is_sim() && g.running == Some(t) {
            g.running = None;
            g = k.dispatch(g);
        }
        if g.live == 0 {
            k.done.notify_all();
        }
        drop(g);
        CURRENT.with(|c| c.borrow_mut().retain(|(id, _, _)| *id != k.id));
    }

    pub(crate) fn name_of(&self, t: TaskId) -> Result<String> {
        let g = self.lock();
        g.tasks
            .get(t.0)
            .map(|t| t.name.to_string())
            .ok_or(Error::InvalidArgument {
                reason: "no such task",
            })
    }

    pub(crate) fn priority(&self, t: TaskId) -> Result<Priority> {
        let g = self.lock();
        g.tasks
            .get(t.0)
            .map(|t| t.prio)
            .ok_or(Error::InvalidArgument {
                reason: "no such task",
            })
    }

    pub(crate) fn base_priority(&self, t: TaskId) -> Result<Priority> {
        let g = self.lock();
        g.tasks
            .get(t.0)
            .map(|t| t.base)
            .ok_or(Error::InvalidArgument {
                reason: "no such task",
            })
    }

    /// cf. `vTaskPrioritySet`: changes the base priority; the effective priority follows
    /// unless an inherited priority is higher.
    pub(crate) fn set_priority(&self, t: TaskId, p: Priority) -> Result<()> {
        self.check_priority(p)?;
        if in_isr() {
            return Err(Error::InIsr);
        }
        let mut g = self.lock();
        let t = t.0;
        if t >= g.tasks.len() || g.tasks[t].state == TState::Finished {
            return Err(Error::InvalidArgument {
                reason: "no such task",
            });
        }
        match self.mode {
            InheritanceMode::FreeRtos => {
                let tcb = &g.tasks[t];
                let inheriting = tcb.base != tcb.prio;
                let old_prio = tcb.prio;
                g.tasks[t].base = p;
                g.sync_boosted(t);
                if !inheriting || p > old_prio {
                    self.set_priority_raw(&mut g, t, p);
                }
            }
            InheritanceMode::Chained => {
                g.tasks[t].base = p;
                g.sync_boosted(t);
                self.recompute(&mut g, t);
            }
        }
        let me = self.current(&mut g);
        // A running task that lowered itself below a ready task yields.
        let _g = self.after_op(g, me);
        Ok(())
    }

    // ----- scheduling --------------------------------------------------------------------

    /// SimPort: waits until the scheduler hands the CPU to `t`. After an abort it unwinds
    /// (unless the thread is already unwinding, when it just returns).
    fn wait_for_cpu<'a>(&'a self, mut g: Guard<'a>, t: usize) -> Guard<'a> {
        let cv = Arc::clone(&g.tasks[t].cv);
        loop {
            if g.aborted {
                if std::thread::panicking() {
                    return g;
                }
                drop(g);
                resume_unwind(Box::new(Abort));
            }
            if g.running == Some(t) {
                return g;
            }
            g = cv.wait(g).unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// SimPort: the CPU is free (`running` is `None`): hand it to the best ready task,
    /// advancing virtual time while none is ready. Reports a deadlock when nothing can
    /// ever become ready again.
    fn dispatch<'a>(&'a self, mut g: Guard<'a>) -> Guard<'a> {
        loop {
            if g.aborted || !g.started {
                return g;
            }
            if let Some(n) = g.pick_ready() {
                g.tasks[n].state = TState::Running;
                g.running = Some(n);
                g.switches += 1;
                if g.last_traced != Some(Some(n)) {
                    g.last_traced = Some(Some(n));
                    g.trace(TraceKind::Run {
                        task: Some(TaskId(n)),
                    });
                }
                g.tasks[n].cv.notify_one();
                return g;
            }
            if g.last_traced != Some(None) && g.live > 0 {
                g.last_traced = Some(None);
                g.trace(TraceKind::Run { task: None });
            }
            let next_wake = g
                .tasks
                .iter()
                .filter(|t| t.state == TState::Blocked)
                .filter_map(|t| t.wake_at)
                .min();
            let next_isr = g.isrs.iter().map(|i| i.0).min();
            let next = match (next_wake, next_isr) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            match next {
                Some(t) => {
                    g.tick = g.tick.max(t);
                    g = self.process_tick(g);
                }
                None => {
                    if g.live > 0 {
                        let report = self.deadlock_report(&g);
                        log::warn!("rtos-sync SimPort: {report}");
                        g.deadlock = Some(report);
                        g.aborted = true;
                        for t in &g.tasks {
                            t.cv.notify_all();
                        }
                    }
                    self.done.notify_all();
                    return g;
                }
            }
        }
    }

    fn deadlock_report(&self, g: &KState) -> DeadlockReport {
        let blocked = g
            .tasks
            .iter()
            .enumerate()
            .filter(|(_, t)| t.state == TState::Blocked)
            .map(|(i, t)| {
                let (kind, holder) = match t.waiting_on {
                    Some((o, _)) => match g.obj(o) {
                        Ok(m) => (m.kind.name(), m.holder.map(TaskId)),
                        Err(_) => ("deleted object", None),
                    },
                    None => ("nothing", None),
                };
                BlockedTask {
                    task: TaskId(i),
                    name: t.name.to_string(),
                    object_kind: kind,
                    holder,
                }
            })
            .collect();
        DeadlockReport {
            tick: g.tick,
            blocked,
        }
    }

    /// SimPort: wakes the tasks whose time-out is due, then runs the interrupts due.
    fn process_tick<'a>(&'a self, mut g: Guard<'a>) -> Guard<'a> {
        let now = g.tick;
        let mut due: Vec<(Tick, u64, usize)> = g
            .tasks
            .iter()
            .enumerate()
            .filter(|(_, t)| t.state == TState::Blocked && t.wake_at.is_some_and(|w| w <= now))
            .map(|(i, t)| (t.wake_at.unwrap_or(now), t.block_seq, i))
            .collect();
        due.sort_unstable();
        for (_, _, t) in due {
            g.remove_waiter(t);
            g.make_ready_back(t);
        }
        loop {
            let pos = g
                .isrs
                .iter()
                .enumerate()
                .filter(|(_, i)| i.0 <= now)
                .min_by_key(|(_, i)| (i.0, i.1))
                .map(|(p, _)| p);
            let Some(p) = pos else { break };
            let (_, _, isr) = g.isrs.swap_remove(p);
            drop(g);
            IN_ISR.with(|c| c.set(true));
            let r = catch_unwind(AssertUnwindSafe(isr));
            IN_ISR.with(|c| c.set(false));
            g = self.lock();
            if let Err(p) = r {
                g.panics.push(p);
            }
        }
        g
    }

    /// After a task-level operation: on SimPort, yield the CPU if a ready task is now more
    /// urgent than the caller (preemption; the caller stays first in line at its level).
    pub(crate) fn after_op<'a>(&'a self, mut g: Guard<'a>, me: Option<usize>) -> Guard<'a> {
        if !self.is_sim() {
            return g;
        }
        let Some(me) = me else { return g };
        if g.running != Some(me) {
            return g;
        }
        let mine = g.tasks[me].prio;
        if g.highest_ready_priority().is_some_and(|p| p > mine) {
            g.make_ready_front(me);
            g.running = None;
            g = self.dispatch(g);
            g = self.wait_for_cpu(g, me);
        }
        g
    }

    /// Ends a task-level operation: SimPort may preempt the caller; HostPort releases the
    /// lock, then notifies the tasks woken.
    fn finish(&self, g: Guard<'_>, me: Option<usize>) {
        if self.is_sim() {
            drop(self.after_op(g, me));
        } else {
            self.flush(g);
        }
    }

    /// Releases the lock, then notifies the tasks woken under it (only those parked on
    /// their condition variable: a task still polling needs no system call). The common case
    /// of one task keeps the list's allocation.
    fn flush(&self, mut g: Guard<'_>) {
        match g.pending.len() {
            0 => drop(g),
            1 => {
                let cv = g.pending.pop();
                drop(g);
                if let Some(cv) = cv {
                    cv.notify_one();
                }
            }
            _ => {
                let pending = std::mem::take(&mut g.pending);
                drop(g);
                for cv in pending {
                    cv.notify_one();
                }
            }
        }
    }

    /// Blocks `me`, already put on an event list (or on none, for a delay), until an event
    /// or its time-out wakes it.
    fn sleep<'a>(&'a self, mut g: Guard<'a>, me: usize) -> Guard<'a> {
        if self.is_sim() {
            if g.running == Some(me) {
                g.running = None;
            }
            g = self.dispatch(g);
            return self.wait_for_cpu(g, me);
        }
        // HostPort: release the lock, notify whom this operation woke, and poll the wake-up
        // flag for a moment before parking: a partner on another core often wakes us within
        // microseconds, and then neither side makes a system call.
        let fast = Arc::clone(&g.tasks[me].fast);
        // A plain delay has nobody to wake it early: no polling.
        let polls = g.tasks[me].waiting_on.is_some();
        self.flush(g);
        if polls {
            poll(|| !fast.blocked.load(Ordering::Acquire));
        }
        let mut g = self.lock();
        let cv = Arc::clone(&g.tasks[me].cv);
        loop {
            if g.tasks[me].state != TState::Blocked {
                return g;
            }
            g.tasks[me].parked = true;
            match g.tasks[me].wake_at {
                None => g = cv.wait(g).unwrap_or_else(PoisonError::into_inner),
                Some(d) => {
                    let nanos = self.tick_len.as_nanos().saturating_mul(u128::from(d));
                    let at =
                        self.epoch + Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX));
                    let now = Instant::now();
                    if now >= at {
                        g.remove_waiter(me);
                        let tcb = &mut g.tasks[me];
                        tcb.state = TState::Running;
                        tcb.wake_at = None;
                        tcb.parked = false;
                        tcb.fast.blocked.store(false, Ordering::Relaxed);
                        return g;
                    }
                    g = cv
                        .wait_timeout(g, at - now)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0;
                }
            }
            g.tasks[me].parked = false;
        }
    }

    fn block_prepare(
        &self,
        g: &mut KState,
        me: usize,
        on: Option<(usize, Side)>,
        dl: Option<Tick>,
    ) {
        g.wait_seq += 1;
        let seq = g.wait_seq;
        let tcb = &mut g.tasks[me];
        tcb.state = TState::Blocked;
        tcb.wake_at = dl;
        tcb.wait_seq = seq;
        tcb.block_seq = seq;
        tcb.waiting_on = on;
        if !self.is_sim() {
            tcb.fast.blocked.store(true, Ordering::Relaxed);
        }
        // Ordered insertion (cf. `vListInsert` on the event list): after every waiter whose
        // current priority is at least ours, walking from the head. Positions are not revised
        // when priorities change afterwards (FreeRTOS mode wakes the head).
        let mine = g.tasks[me].prio;
        let at = on.and_then(|(o, side)| {
            let m = g.obj(o).ok()?;
            let list = if side == Side::Rx { &m.rx } else { &m.tx };
            Some(
                list.iter()
                    .position(|&t| g.tasks[t].prio < mine)
                    .unwrap_or(list.len()),
            )
        });
        if let (Some((o, side)), Some(at)) = (on, at)
            && let Ok(m) = g.obj_mut(o)
        {
            if side == Side::Rx {
                m.rx.insert(at, me)
            } else {
                m.tx.insert(at, me)
            }
        }
    }

    /// Removes the best waiter of `side` from the event list and makes it ready
    /// (cf. `xTaskRemoveFromEventList`). Returns it.
    fn wake_one(&self, g: &mut KState, o: usize, side: Side) -> Option<usize> {
        let t = g.best_waiter(o, side, self.mode)?;
        g.remove_waiter(t);
        if self.is_sim() {
            g.make_ready_back(t);
        } else {
            let tcb = &mut g.tasks[t];
            tcb.state = TState::Running;
            tcb.wake_at = None;
            tcb.fast.blocked.store(false, Ordering::Release);
            if tcb.parked {
                // Notified after the kernel lock is released (see `finish`), so the woken
                // thread does not wake up only to wait for the lock.
                let cv = Arc::clone(&tcb.cv);
                g.pending.push(cv);
            }
        }
        Some(t)
    }

    /// Whether waking `woken` should make the interrupted/calling code yield.
    fn higher_woken(&self, g: &KState, woken: Option<usize>) -> bool {
        let Some(w) = woken else { return false };
        let cur = if self.is_sim() {
            g.running
        } else {
            self.lookup_current()
        };
        match cur {
            Some(c) => g.tasks[w].prio > g.tasks[c].prio,
            None => true,
        }
    }

    pub(crate) fn delay_until_tick(&self, me: usize, wake: Tick) -> Result<()> {
        if in_isr() {
            return Err(Error::InIsr);
        }
        let mut g = self.lock();
        let now = self.now_locked(&g);
        if wake <= now {
            return Ok(());
        }
        self.block_prepare(&mut g, me, None, Some(wake));
        let _g = self.sleep(g, me);
        Ok(())
    }

    pub(crate) fn yield_now(&self, me: usize) -> Result<()> {
        if in_isr() {
            return Err(Error::InIsr);
        }
        if !self.is_sim() {
            std::thread::yield_now();
            return Ok(());
        }
        let mut g = self.lock();
        if g.running == Some(me) {
            g.make_ready_back(me);
            g.running = None;
            g = self.dispatch(g);
            drop(self.wait_for_cpu(g, me));
        }
        Ok(())
    }

    /// Consumes `n` ticks of CPU time. SimPort: time advances tick by tick while the task
    /// runs, with preemption and round-robin time slicing at every tick. HostPort: sleeps.
    pub(crate) fn busy(&self, me: usize, n: Tick) -> Result<()> {
        if in_isr() {
            return Err(Error::InIsr);
        }
        if !self.is_sim() {
            let nanos = self.tick_len.as_nanos().saturating_mul(u128::from(n));
            std::thread::sleep(Duration::from_nanos(
                u64::try_from(nanos).unwrap_or(u64::MAX),
            ));
            return Ok(());
        }
        let mut g = self.lock();
        for _ in 0..n {
            if g.running != Some(me) {
                break;
            }
            g.tick += 1;
            g = self.process_tick(g);
            let mine = g.tasks[me].prio;
            match g.highest_ready_priority() {
                Some(p) if p > mine => {
                    g.make_ready_front(me);
                    g.running = None;
                    g = self.dispatch(g);
                    g = self.wait_for_cpu(g, me);
                }
                Some(p) if p == mine => {
                    g.make_ready_back(me);
                    g.running = None;
                    g = self.dispatch(g);
                    g = self.wait_for_cpu(g, me);
                }
                _ => {}
            }
        }
        Ok(())
    }

    pub(crate) fn mark(&self, me: usize, label: String) {
        if self.is_sim() {
            let mut g = self.lock();
            g.trace(TraceKind::Mark {
                task: TaskId(me),
                label,
            });
        }
    }

    // ----- SimPort control ---------------------------------------------------------------

    pub(crate) fn add_isr(&self, at: Tick, f: Isr) {
        let mut g = self.lock();
        g.isr_seq += 1;
        let seq = g.isr_seq;
        g.isrs.push((at, seq, f));
    }

    /// Runs the simulation until every task finished (or joins every host task).
    pub(crate) fn run(&self) -> Result<Tick> {
        let adopted = {
            let g = self.lock();
            self.lookup_current()
                .is_some_and(|t| &*g.tasks[t].name == ADOPTED)
        };
        if (self.lookup_current().is_some() && !adopted) || in_isr() {
            return Err(Error::InvalidArgument {
                reason: "run() called from a task",
            });
        }
        let mut g = self.lock();
        if self.is_sim() {
            g.started = true;
            if g.running.is_none() {
                g = self.dispatch(g);
            }
            while g.live > 0 && !g.aborted {
                g = self.done.wait(g).unwrap_or_else(PoisonError::into_inner);
            }
        }
        drop(g);
        let handles: Vec<_> =
            std::mem::take(&mut *self.joins.lock().unwrap_or_else(PoisonError::into_inner));
        for h in handles {
            let _ = h.join();
        }
        let mut g = self.lock();
        if let Some(p) = g.panics.pop() {
            drop(g);
            resume_unwind(p);
        }
        if let Some(report) = g.deadlock.take() {
            return Err(Error::AllBlocked {
                report: Box::new(report),
            });
        }
        Ok(self.now_locked(&g))
    }

    /// Stops every SimPort task thread (used on drop).
    pub(crate) fn shutdown(&self) {
        let mut g = self.lock();
        if !self.is_sim() {
            return;
        }
        g.aborted = true;
        for t in &g.tasks {
            t.cv.notify_all();
        }
        drop(g);
        let handles: Vec<_> =
            std::mem::take(&mut *self.joins.lock().unwrap_or_else(PoisonError::into_inner));
        for h in handles {
            let _ = h.join();
        }
    }

    pub(crate) fn trace(&self) -> Trace {
        let g = self.lock();
        Trace {
            events: g.trace.clone(),
            names: g
                .tasks
                .iter()
                .map(|t| std::sync::Arc::clone(&t.name))
                .collect(),
        }
    }

    pub(crate) fn switches(&self) -> u64 {
        self.lock().switches
    }

    // ----- objects -----------------------------------------------------------------------

    /// Creates an object; returns its index and, for a HostPort mutex, its lock-free state
    /// word. `ring` is a HostPort queue's ring (it starts in ring mode, empty).
    pub(crate) fn create(
        &self,
        kind: ObjKind,
        len: usize,
        count: usize,
        ring: Option<std::sync::Arc<dyn RingCtl>>,
    ) -> (usize, Option<Arc<AtomicUsize>>) {
        let fast = match kind {
            _ if self.is_sim() => None,
            ObjKind::Mutex => Some(if count > 0 { M_FREE } else { M_KERNEL }),
            _ => None,
        }
        .map(|w| Arc::new(AtomicUsize::new(w)));
        let mut g = self.lock();
        let meta = ObjMeta {
            kind,
            len,
            count,
            rx: Vec::new(),
            tx: Vec::new(),
            holder: None,
            recursion: 0,
            set: None,
            set_items: VecDeque::new(),
            members_capacity: 0,
            fast: fast.clone(),
            ring,
        };
        let id = if let Some(i) = g.free_objs.pop() {
            g.objs[i] = Some(meta);
            i
        } else {
            g.objs.push(Some(meta));
            g.objs.len() - 1
        };
        (id, fast)
    }

    pub(crate) fn destroy(&self, o: usize) {
        let mut g = self.lock();
        self.materialise(&mut g, o);
        let Some(Some(m)) = g.objs.get_mut(o).map(Option::take) else {
            return;
        };
        if let Some(h) = m.holder {
            g.tasks[h].held.retain(|&x| x != o);
            g.tasks[h].held_lost += 1;
        }
        if let Some(s) = m.set
            && let Ok(sm) = g.obj_mut(s)
        {
            sm.set_items.retain(|&x| x != o);
            sm.count = sm.set_items.len();
            sm.members_capacity = sm.members_capacity.saturating_sub(m.len);
        }
        if m.kind == ObjKind::Set {
            for x in g.objs.iter_mut().flatten() {
                if x.set == Some(o) {
                    x.set = None;
                }
            }
        }
        g.free_objs.push(o);
    }

    /// Items in a queue / count of a semaphore (a HostPort queue's ring in ring mode).
    pub(crate) fn count(&self, o: usize) -> Result<usize> {
        let g = self.lock();
        let m = g.obj(o)?;
        Ok(m.ring.as_ref().and_then(|r| r.count()).unwrap_or(m.count))
    }

    pub(crate) fn with_obj<R>(&self, o: usize, f: impl FnOnce(&ObjMeta) -> R) -> Result<R> {
        let g = self.lock();
        g.obj(o).map(f)
    }

    /// Copies an item in and wakes a receiver (cf. `prvCopyDataToQueue` plus the wake-up in
    /// `xQueueGenericSend`). A member of a queue set notifies the set instead of waking
    /// tasks blocked on the member itself, as FreeRTOS does.
    fn deliver(
        &self,
        g: &mut KState,
        o: usize,
        pos: Pos,
        store: &mut dyn Storage,
    ) -> Result<Option<usize>> {
        let m = g.obj_mut(o)?;
        let prev = m.count;
        store.put(pos);
        if pos == Pos::Overwrite {
            m.count = 1;
        } else {
            m.count += 1;
        }
        let set = m.set;
        match set {
            Some(s) if pos != Pos::Overwrite || prev == 0 => {
                let sm = g.obj_mut(s)?;
                sm.set_items.push_back(o);
                sm.count = sm.set_items.len();
                Ok(self.wake_one(g, s, Side::Rx))
            }
            Some(_) => Ok(None),
            None => Ok(self.wake_one(g, o, Side::Rx)),
        }
    }

    /// cf. `xQueueGenericSend` (also the give of binary and counting semaphores).
    pub(crate) fn send(
        &self,
        o: usize,
        pos: Pos,
        block: BlockTime,
        store: &mut dyn Storage,
    ) -> Result<()> {
        if in_isr() {
            return Err(Error::InIsr);
        }
        let mut g = self.lock();
        let me = self.current(&mut g);
        let mut deadline: Option<Option<Tick>> = None;
        let mut entry = 0;
        loop {
            self.materialise(&mut g, o);
            let m = g.obj(o)?;
            if m.count < m.len || pos == Pos::Overwrite {
                self.deliver(&mut g, o, pos, store)?;
                self.dematerialise(&mut g, o);
                self.finish(g, me);
                return Ok(());
            }
            if deadline.is_none() && block.is_zero() {
                self.dematerialise(&mut g, o);
                return Err(Error::QueueFull);
            }
            let (now, dl) = self.block_clock(&g, block, &mut deadline, &mut entry);
            if expired(dl, now) {
                // No re-check: a send that timed out fails (cf. the asymmetry with receive).
                self.dematerialise(&mut g, o);
                return Err(Error::Timeout {
                    waited: now - entry,
                });
            }
            let me = me.ok_or(Error::NotInTask)?;
            self.block_prepare(&mut g, me, Some((o, Side::Tx)), dl);
            g = self.sleep(g, me);
        }
    }

    /// cf. `xQueueGenericSendFromISR` / `xQueueGiveFromISR`: never blocks; reports whether a
    /// task more urgent than the interrupted one was woken.
    pub(crate) fn send_from_isr(
        &self,
        o: usize,
        pos: Pos,
        store: &mut dyn Storage,
    ) -> Result<bool> {
        let mut g = self.lock();
        let m = g.obj(o)?;
        if m.kind.is_mutex() {
            return Err(Error::InIsr);
        }
        self.materialise(&mut g, o);
        let m = g.obj(o)?;
        if m.count < m.len || pos == Pos::Overwrite {
            let w = self.deliver(&mut g, o, pos, store)?;
            self.dematerialise(&mut g, o);
            let woken = self.higher_woken(&g, w);
            self.flush(g);
            return Ok(woken);
        }
        self.dematerialise(&mut g, o);
        Err(Error::QueueFull)
    }

    /// cf. `xQueueReceive` / `xQueuePeek` / `xQueueSemaphoreTake`.
    pub(crate) fn receive(
        &self,
        o: usize,
        peek: bool,
        block: BlockTime,
        store: &mut dyn Storage,
    ) -> Result<()> {
        if in_isr() {
            return Err(Error::InIsr);
        }
        let mut g = self.lock();
        let me = self.current(&mut g);
        let is_mutex = g.obj(o)?.kind.is_mutex();
        if is_mutex && me.is_none() {
            return Err(Error::NotInTask);
        }
        let mut deadline: Option<Option<Tick>> = None;
        let mut entry = 0;
        let mut inherited = false;
        loop {
            self.materialise(&mut g, o);
            let m = g.obj_mut(o)?;
            if m.count > 0 {
                if peek {
                    store.get(true, m);
                    // The item stays: let the next waiting receiver see it too.
                    self.wake_one(&mut g, o, Side::Rx);
                } else {
                    store.get(false, m);
                    m.count -= 1;
                    if m.kind == ObjKind::Set {
                        m.set_items.pop_front();
                    }
                    if is_mutex && let Some(me) = me {
                        m.holder = Some(me);
                        g.tasks[me].held.push(o);
                        let f = &g.tasks[me].fast.held;
                        f.store(f.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
                    }
                    self.wake_one(&mut g, o, Side::Tx);
                }
                self.dematerialise(&mut g, o);
                self.finish(g, me);
                return Ok(());
            }
            if deadline.is_none() && block.is_zero() {
                self.dematerialise(&mut g, o);
                return Err(Error::QueueEmpty);
            }
            let (now, dl) = self.block_clock(&g, block, &mut deadline, &mut entry);
            if expired(dl, now) {
                // Receive re-checks the queue after a time-out: reaching here it is empty.
                if is_mutex {
                    self.after_timeout(&mut g, o, inherited);
                }
                self.dematerialise(&mut g, o);
                return Err(Error::Timeout {
                    waited: now - entry,
                });
            }
            let me = me.ok_or(Error::NotInTask)?;
            if is_mutex {
                match self.mode {
                    InheritanceMode::FreeRtos => inherited |= self.inherit(&mut g, o, me),
                    InheritanceMode::Chained => {
                        if let Some(cycle) = self.find_cycle(&g, o, me) {
                            self.dematerialise(&mut g, o);
                            return Err(Error::Deadlock { cycle });
                        }
                    }
                }
            }
            self.block_prepare(&mut g, me, Some((o, Side::Rx)), dl);
            if is_mutex
                && self.mode == InheritanceMode::Chained
                && let Some(h) = g.obj(o)?.holder
            {
                self.recompute(&mut g, h);
            }
            g = self.sleep(g, me);
        }
    }

    /// cf. `xQueueReceiveFromISR` / `xQueuePeekFromISR` (peek never wakes anyone here).
    pub(crate) fn receive_from_isr(
        &self,
        o: usize,
        peek: bool,
        store: &mut dyn Storage,
    ) -> Result<bool> {
        let mut g = self.lock();
        if g.obj(o)?.kind.is_mutex() {
            return Err(Error::InIsr);
        }
        self.materialise(&mut g, o);
        let m = g.obj_mut(o)?;
        if m.count == 0 {
            self.dematerialise(&mut g, o);
            return Err(Error::QueueEmpty);
        }
        store.get(peek, m);
        if peek {
            self.dematerialise(&mut g, o);
            return Ok(false);
        }
        m.count -= 1;
        if m.kind == ObjKind::Set {
            m.set_items.pop_front();
        }
        let w = self.wake_one(&mut g, o, Side::Tx);
        self.dematerialise(&mut g, o);
        let woken = self.higher_woken(&g, w);
        self.flush(g);
        Ok(woken)
    }

    /// cf. `xQueueReset`: empties the queue and wakes one waiting sender.
    pub(crate) fn reset(&self, o: usize, clear: &mut dyn FnMut()) -> Result<()> {
        let mut g = self.lock();
        let me = self.current(&mut g);
        self.materialise(&mut g, o);
        let m = g.obj_mut(o)?;
        m.count = 0;
        clear();
        self.wake_one(&mut g, o, Side::Tx);
        self.dematerialise(&mut g, o);
        if in_isr() {
            self.flush(g);
        } else {
            self.finish(g, me);
        }
        Ok(())
    }

    // ----- mutexes -----------------------------------------------------------------------
    //
    // HostPort mutexes (not recursive ones) have a lock-free fast path. Their state word is
    // `M_FREE` (available, nobody waits), `m_held_by(t)` (held by `t`, nobody waits) or
    // `M_KERNEL` (the kernel object is authoritative). An uncontended take is one CAS
    // `M_FREE -> m_held_by(me)` and a give the CAS back, plus the caller's own held-mutex
    // count; nothing else of the FreeRTOS bookkeeping is needed while nobody waits. Every
    // kernel operation on the mutex first *materialises* it under the kernel lock (swaps in
    // `M_KERNEL` and loads what the word said into count and holder), and when it ends with
    // nobody waiting, hands it back to the fast path. A task about to block is on the wait
    // list while the word is `M_KERNEL`, so the holder's give goes through the kernel and
    // wakes it; inheritance happens there, and a boosted holder (its `boosted` flag) always
    // gives through the kernel, where its base priority is restored.

    /// Lock-free take of an available HostPort mutex nobody waits for; `false` means "use
    /// the kernel path" (SimPort, contention, a foreign thread not adopted yet, an ISR).
    pub(crate) fn fast_take(&self, state: &AtomicUsize) -> bool {
        if state.load(Ordering::Relaxed) != M_FREE || in_isr() {
            return false;
        }
        self.with_current_fast(|me, f| {
            let ok = state
                .compare_exchange(M_FREE, m_held_by(me), Ordering::Acquire, Ordering::Relaxed)
                .is_ok();
            if ok {
                // Only this thread writes its count.
                f.held
                    .store(f.held.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
            }
            ok
        })
        .unwrap_or(false)
    }

    /// Lock-free give by the holder of a HostPort mutex nobody waits for, when no inherited
    /// priority has to be given back; `false` means "use the kernel path".
    pub(crate) fn fast_give(&self, state: &AtomicUsize) -> bool {
        let s = state.load(Ordering::Relaxed);
        if m_holder(s).is_none() || in_isr() {
            return false;
        }
        self.with_current_fast(|me, f| {
            if s != m_held_by(me) || f.boosted.load(Ordering::Relaxed) {
                return false;
            }
            let ok = state
                .compare_exchange(s, M_FREE, Ordering::Release, Ordering::Relaxed)
                .is_ok();
            if ok {
                f.held
                    .store(f.held.load(Ordering::Relaxed) - 1, Ordering::Relaxed);
            }
            ok
        })
        .unwrap_or(false)
    }

    /// Makes the kernel object of a HostPort mutex or queue authoritative (see above, and
    /// `Queue`'s ring, see [`crate::ring`]: enters kernel mode and loads the count).
    fn materialise(&self, g: &mut KState, o: usize) {
        let Some(Some(m)) = g.objs.get_mut(o) else {
            return;
        };
        if let Some(r) = &m.ring {
            if let Some(c) = r.enter() {
                m.count = c;
            }
            return;
        }
        let Some(fast) = &m.fast else { return };
        let s = fast.swap(M_KERNEL, Ordering::AcqRel);
        if s == M_KERNEL {
            return;
        }
        match m_holder(s) {
            None => {
                m.count = 1;
                m.holder = None;
            }
            Some(h) => {
                m.count = 0;
                m.holder = Some(h);
                g.tasks[h].held.push(o);
            }
        }
    }

    /// Hands a HostPort mutex or queue back to the lock-free path if nobody waits on it (and,
    /// for a queue, it is in no set).
    fn dematerialise(&self, g: &mut KState, o: usize) {
        let Some(Some(m)) = g.objs.get(o) else {
            return;
        };
        if !m.rx.is_empty() || !m.tx.is_empty() {
            return;
        }
        if let Some(r) = &m.ring {
            if m.set.is_none() {
                r.exit();
            }
            return;
        }
        let Some(fast) = &m.fast else { return };
        if m.set.is_some() {
            // A set member's gives must notify the set: kernel path only.
            return;
        }
        let holder = m.holder;
        let word = match holder {
            _ if m.count > 0 => M_FREE,
            Some(h) => m_held_by(h),
            None => return,
        };
        fast.store(word, Ordering::Release);
        if m.count == 0
            && let Some(h) = holder
        {
            g.tasks[h].held.retain(|&x| x != o);
        }
    }

    /// Gives a mutex held by the caller (cf. `xQueueGenericSend` on a mutex and
    /// `xTaskPriorityDisinherit`). The waiter woken must take the mutex itself.
    pub(crate) fn give_mutex(&self, o: usize, recursive: bool) -> Result<()> {
        if in_isr() {
            return Err(Error::InIsr);
        }
        let mut g = self.lock();
        let me = self.current(&mut g);
        self.materialise(&mut g, o);
        let r = self.give_mutex_locked(&mut g, o, me, recursive);
        self.dematerialise(&mut g, o);
        if r == Ok(true) {
            self.finish(g, me);
        }
        r.map(drop)
    }

    fn give_mutex_locked(
        &self,
        g: &mut KState,
        o: usize,
        me: Option<usize>,
        recursive: bool,
    ) -> Result<bool> {
        let m = g.obj_mut(o)?;
        if m.count >= m.len && !recursive {
            return Err(Error::QueueFull);
        }
        if m.holder.is_none() || m.holder != me {
            return Err(Error::NotOwner {
                owner: m.holder.map(TaskId),
                caller: me.map(TaskId),
            });
        }
        let Some(me) = me else {
            return Err(Error::NotInTask);
        };
        if recursive {
            m.recursion -= 1;
            if m.recursion > 0 {
                return Ok(false);
            }
        }
        m.holder = None;
        g.tasks[me].held.retain(|&x| x != o);
        let f = &g.tasks[me].fast.held;
        f.store(f.load(Ordering::Relaxed) - 1, Ordering::Relaxed);
        match self.mode {
            InheritanceMode::FreeRtos => {
                let t = &g.tasks[me];
                if t.prio != t.base && g.held_count(me) == 0 {
                    let base = t.base;
                    self.set_priority_raw(g, me, base);
                }
            }
            InheritanceMode::Chained => self.recompute(g, me),
        }
        self.deliver(g, o, Pos::Back, &mut NoStore)?;
        Ok(true)
    }

    /// Recursive take: a holder only counts up (cf. `xQueueTakeMutexRecursive`).
    pub(crate) fn take_recursive(&self, o: usize, block: BlockTime) -> Result<()> {
        if in_isr() {
            return Err(Error::InIsr);
        }
        {
            let mut g = self.lock();
            let me = self.current(&mut g);
            let m = g.obj_mut(o)?;
            if me.is_some() && m.holder == me {
                m.recursion = m.recursion.checked_add(1).ok_or(Error::InvalidArgument {
                    reason: "recursion count overflow",
                })?;
                return Ok(());
            }
        }
        self.receive(o, false, block, &mut NoStore)?;
        let mut g = self.lock();
        g.obj_mut(o)?.recursion = 1;
        Ok(())
    }

    /// cf. `xTaskPriorityInherit`: raise the direct holder to the caller's priority.
    /// Returns whether inheritance (by anyone) is in effect.
    fn inherit(&self, g: &mut KState, o: usize, me: usize) -> bool {
        let Ok(Some(h)) = g.obj(o).map(|m| m.holder) else {
            return false;
        };
        let mine = g.tasks[me].prio;
        if g.tasks[h].prio < mine {
            self.set_priority_raw(g, h, mine);
            true
        } else {
            g.tasks[h].base < mine
        }
    }

    /// A waiter timed out on mutex `o`.
    fn after_timeout(&self, g: &mut KState, o: usize, inherited: bool) {
        let Ok(Some(h)) = g.obj(o).map(|m| m.holder) else {
            return;
        };
        match self.mode {
            InheritanceMode::FreeRtos => {
                // cf. vTaskPriorityDisinheritAfterTimeout.
                if !inherited {
                    return;
                }
                let highest = g.highest_waiting_priority(o).unwrap_or(0);
                let t = &g.tasks[h];
                let target = highest.max(t.base);
                if t.prio != target && g.held_count(h) == 1 {
                    self.set_priority_raw(g, h, target);
                }
            }
            InheritanceMode::Chained => self.recompute(g, h),
        }
    }

    /// Chained mode: effective priority = max(base, every waiter of every held mutex),
    /// propagated along the chain of blocked holders.
    fn recompute(&self, g: &mut KState, t: usize) {
        let mut cur = Some(t);
        let mut steps = 0;
        while let Some(t) = cur {
            steps += 1;
            if steps > g.tasks.len() + 1 {
                break;
            }
            let tcb = &g.tasks[t];
            let mut p = tcb.base;
            for &m in &tcb.held {
                if let Some(w) = g.highest_waiting_priority(m) {
                    p = p.max(w);
                }
            }
            if p == tcb.prio {
                break;
            }
            self.set_priority_raw(g, t, p);
            cur = match g.tasks[t].waiting_on {
                Some((m, Side::Rx)) => g
                    .obj(m)
                    .ok()
                    .filter(|x| x.kind.is_mutex())
                    .and_then(|x| x.holder),
                _ => None,
            };
        }
    }

    /// Chained mode: the cycle blocking on `o` would close, if any.
    fn find_cycle(&self, g: &KState, o: usize, me: usize) -> Option<Vec<TaskId>> {
        let mut chain = vec![TaskId(me)];
        let mut h = g.obj(o).ok()?.holder;
        while let Some(x) = h {
            if x == me {
                return Some(chain);
            }
            if chain.len() > g.tasks.len() {
                return None;
            }
            chain.push(TaskId(x));
            h = match g.tasks[x].waiting_on {
                Some((m, Side::Rx)) => g
                    .obj(m)
                    .ok()
                    .filter(|y| y.kind.is_mutex())
                    .and_then(|y| y.holder),
                _ => None,
            };
        }
        None
    }

    pub(crate) fn holder(&self, o: usize) -> Result<Option<TaskId>> {
        self.with_obj(o, |m| {
            match m.fast.as_ref().map(|f| f.load(Ordering::Acquire)) {
                Some(s) if s != M_KERNEL => m_holder(s),
                _ => m.holder,
            }
            .map(TaskId)
        })
    }

    // ----- queue sets --------------------------------------------------------------------

    /// cf. `xQueueAddToSet`.
    pub(crate) fn add_to_set(&self, member: usize, set: usize) -> Result<()> {
        let mut g = self.lock();
        // A member stays on the kernel path (its sends must notify the set).
        self.materialise(&mut g, member);
        let r = self.add_to_set_locked(&mut g, member, set);
        self.dematerialise(&mut g, member);
        r
    }

    fn add_to_set_locked(&self, g: &mut KState, member: usize, set: usize) -> Result<()> {
        let m = g.obj(member)?;
        if m.kind == ObjKind::Set {
            return Err(Error::InvalidArgument {
                reason: "sets cannot be set members",
            });
        }
        if m.set.is_some() {
            return Err(Error::InvalidArgument {
                reason: "already in a queue set",
            });
        }
        if m.count != 0 {
            return Err(Error::InvalidArgument {
                reason: if m.kind.is_mutex() {
                    "only a held mutex can join a set"
                } else {
                    "only an empty queue can join a set"
                },
            });
        }
        let cap = m.len;
        let s = g.obj_mut(set)?;
        if s.members_capacity + cap > s.len {
            return Err(Error::InvalidArgument {
                reason: "set too short for its members",
            });
        }
        s.members_capacity += cap;
        g.obj_mut(member)?.set = Some(set);
        Ok(())
    }

    /// cf. `xQueueRemoveFromSet`.
    pub(crate) fn remove_from_set(&self, member: usize, set: usize) -> Result<()> {
        let mut g = self.lock();
        self.materialise(&mut g, member);
        let r = self.remove_from_set_locked(&mut g, member, set);
        self.dematerialise(&mut g, member);
        r
    }

    fn remove_from_set_locked(&self, g: &mut KState, member: usize, set: usize) -> Result<()> {
        let m = g.obj(member)?;
        if m.set != Some(set) {
            return Err(Error::InvalidArgument {
                reason: "not a member of this set",
            });
        }
        if m.count != 0 {
            return Err(Error::InvalidArgument {
                reason: "only an empty queue can leave a set",
            });
        }
        let cap = m.len;
        let s = g.obj_mut(set)?;
        s.members_capacity -= cap;
        g.obj_mut(member)?.set = None;
        Ok(())
    }

    pub(crate) fn select(&self, set: usize, block: BlockTime) -> Result<usize> {
        let mut out = SetStore { out: None };
        self.receive(set, false, block, &mut out)?;
        out.out.ok_or(Error::QueueEmpty)
    }

    pub(crate) fn select_from_isr(&self, set: usize) -> Result<usize> {
        let mut out = SetStore { out: None };
        self.receive_from_isr(set, false, &mut out)?;
        out.out.ok_or(Error::QueueEmpty)
    }
}

/// Reads the front member of a set.
struct SetStore {
    out: Option<usize>,
}

impl Storage for SetStore {
    fn put(&mut self, _: Pos) {}
    fn get(&mut self, _: bool, meta: &ObjMeta) {
        self.out = meta.set_items.front().copied();
    }
}
