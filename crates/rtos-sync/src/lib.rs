//! FreeRTOS-style queues, semaphores and priority-inheritance mutexes, on a deterministic
//! simulator and on host threads.
//!
//! As in FreeRTOS, every object is a *generic queue* underneath (cf. `xQueueGenericCreate`):
//! a [`Queue`] stores items; a [`BinarySemaphore`] is a queue of length 1 whose items carry
//! no data, created empty; a [`CountingSemaphore`] a queue of length `max`; a [`Mutex`] a
//! binary semaphore created full that records its holder and lends priority to it; a
//! [`RecursiveMutex`] adds an owner count. A [`QueueSet`] lets a task wait on several of them.
//! They all share one send path (cf. `xQueueGenericSend`) and one receive path
//! (cf. `xQueueReceive` / `xQueueSemaphoreTake`).
//!
//! Two ports (cf. FreeRTOS's portable layer) run the same kernel, behind the [`Port`] trait:
//!
//! - [`SimPort`], a deterministic single-core scheduler: tasks are closures on their own
//!   threads, exactly one runs at a time (the highest-priority ready task), time is a
//!   virtual tick count that jumps ahead when every task is blocked, interrupts are
//!   simulated with [`SimPort::isr_at`], and a [`Trace`] records who ran when and every
//!   priority change. When every task is blocked forever, [`Port::run`] returns
//!   [`Error::AllBlocked`] with a [`DeadlockReport`] instead of hanging.
//! - [`HostPort`], free-running std threads on real time (1 ms ticks by default). Priorities
//!   are logical there: they order wait lists and drive inheritance, not the OS scheduler.
//!
//! ```
//! use rtos_sync::{BlockTime, Mutex, Port, SimPort};
//!
//! // The seed's story in miniature: L holds the mutex, H blocks on it, L inherits H's priority.
//! let sim = SimPort::new();
//! let m = Mutex::new(&sim);
//! let m1 = m.clone();
//! let low = sim.spawn("L", 1, move |cx| {
//!     let _guard = m1.lock().unwrap();
//!     cx.busy(10); // ten ticks of work while holding the mutex
//! })?;
//! sim.spawn("H", 3, move |cx| {
//!     cx.delay(2);
//!     m.take(BlockTime::Forever).unwrap(); // blocks: L now runs at priority 3
//!     assert_eq!(cx.now(), 10);
//!     m.give().unwrap();
//! })?;
//! assert_eq!(sim.run()?, 10);
//! assert_eq!(sim.trace().priority_changes(low), [(2, 1, 3), (10, 3, 1)]);
//! # Ok::<(), rtos_sync::Error>(())
//! ```
//!
//! # Blocking and waking
//!
//! Block times are [`BlockTime::NoWait`], [`BlockTime::Ticks`] or [`BlockTime::Forever`]
//! (cf. `portMAX_DELAY`). A failed non-blocking call returns [`Error::QueueFull`] /
//! [`Error::QueueEmpty`]; a wait that runs out returns [`Error::Timeout`]. A send or give
//! wakes the most urgent waiter (FIFO among equal priorities) but does not hand anything
//! over: the woken task completes its own operation when it runs, and if another task got
//! there first it blocks again for the rest of its block time. Preemption happens only when
//! the woken task is strictly more urgent than the running one. `*_from_isr` functions never
//! block and return whether a task more urgent than the interrupted one was woken
//! (cf. `pxHigherPriorityTaskWoken`); every other call returns [`Error::InIsr`] when made
//! from a simulated interrupt.
//!
//! # Priority inheritance
//!
//! [`InheritanceMode::FreeRtos`] (the default) reproduces FreeRTOS exactly:
//!
//! - inheritance happens only when a take is about to block with a non-zero block time: the
//!   direct holder, if less urgent, is raised to the taker's priority
//!   (cf. `xTaskPriorityInherit`); a `NoWait` take never boosts;
//! - there is no chaining: if the holder is itself blocked on another mutex, that mutex's
//!   holder is not raised;
//! - the holder returns to its base priority only when it has given back every mutex it
//!   holds (cf. `xTaskPriorityDisinherit` and `uxMutexesHeld`);
//! - when a waiter times out, a holder of exactly one mutex drops to the priority of the
//!   most urgent remaining waiter, or its base (cf. `vTaskPriorityDisinheritAfterTimeout`);
//! - a give never hands the mutex over (see above), and changing the base priority of an
//!   inheriting task only raises its effective priority (cf. `vTaskPrioritySet`).
//!
//! [`InheritanceMode::Chained`] goes further, like Linux's rt_mutex: a task's effective
//! priority is always the maximum of its base and the priorities of the waiters of every
//! mutex it holds, propagated transitively along chains of blocked holders, recomputed
//! exactly at every give, time-out and priority change; and a take that would close a cycle
//! of holders returns [`Error::Deadlock`] instead of blocking.
//!
//! # Memory ordering
//!
//! Every kernel operation runs under one lock (the equivalent of FreeRTOS's critical
//! section), so kernel operations on all objects of a port are totally ordered and each acts
//! as a full acquire/release barrier: whatever a task wrote before a send, give or mutex give
//! is visible to the task whose receive, take or mutex take completes because of it.
//!
//! On HostPort two operations skip that lock while nobody waits: a [`Mutex`] take/give is a
//! compare-and-swap on the mutex's state word (acquire on take, release on give), and a
//! [`Queue`] send to the back or receive that need not block is a compare-and-swap on the
//! queue's tail (head) word plus a store to one slot and its stamp (release on publishing,
//! acquire on reading the stamp; see "Queue hand-over"). Any operation that must block, wake,
//! inherit or touch a queue set first moves the object back under the kernel lock, so the
//! FreeRTOS rules apply unchanged; the per-task count of held mutexes (cf. `uxMutexesHeld`)
//! includes lock-free takes. The visibility guarantee above holds per object; operations on
//! *different* objects taken on the lock-free paths are ordered only by the usual
//! happens-before of the threads involved.
//! SimPort never uses these paths. Queue
//! items move by value (FreeRTOS copies them); no reference is shared. On SimPort only one
//! task thread runs at a time and each hand-over of the virtual CPU goes through that lock,
//! so the simulation is sequentially consistent.
//!
//! # Queue hand-over
//!
//! A queue's items always live in a ring of `length` slots; position `p` (positions only
//! grow) uses slot `p % length`, whose stamp is `2p` while it waits for the item of position
//! `p` and `2p + 1` while it holds it. The head and tail words hold `position << 1`, bit 0
//! meaning *kernel mode*. On HostPort, while nobody waits on the queue and it is in no set,
//! the ring is in *ring mode*: a send reads the tail word `t`, checks that slot `t`'s stamp is
//! `2t` (else the queue is full), claims `t` with a CAS on the tail word, stores the item and
//! publishes stamp `2t + 1`; a receive mirrors this on the head word and leaves stamp
//! `2(h + length)`. Every other operation (any that would block, send to front, overwrite,
//! peek, reset, the `*_from_isr` calls, counts in kernel mode, set membership) runs under the
//! kernel lock and first *enters kernel mode*: it sets bit 0 in the tail word, then in the
//! head word (so no ring operation can claim a position any more: its CAS expects a word
//! without the bit), then waits until each claim made before is published (the slots of
//! `[h, t)` stamped full, the others stamped empty for their next position); then `t - h` is
//! the exact count and only the kernel-lock holder touches the ring. Sends to the back and
//! receives work in place; send to front, overwrite and reset rebuild the ring one lap beyond
//! the old tail, so both words only ever grow and a ring operation that read a word before
//! the hand-over fails its CAS instead of claiming a stale position. The kernel clears the
//! bits again (ring mode) only at the end of an operation that leaves nobody waiting and the
//! queue in no set. A task that blocks does so under the kernel lock while the ring is in
//! kernel mode, and the ring stays there while it waits, so every send or receive that could
//! wake it goes through the kernel and wakes it. SimPort queues are in kernel mode for ever.
//!
//! # Fairness
//!
//! Wait lists are ordered as in FreeRTOS (cf. `vListInsert` on the event list): a task that
//! blocks goes after every waiter whose priority is at least its own, so waiters leave in
//! priority order, FIFO among equals. As in FreeRTOS, a waiter whose priority changes while it
//! waits keeps its place (the change only affects where later waiters are inserted). In
//! [`InheritanceMode::Chained`] a wake-up instead picks the waiter of highest *current*
//! priority (FIFO among equals), like Linux's rt_mutex re-queueing waiters on a change.
//! Nothing is handed over, so a running task that gives and immediately takes again keeps
//! the object (as in FreeRTOS); a woken waiter of lower priority may starve if the giver
//! always re-takes before yielding. On SimPort, ready tasks of equal priority take turns at
//! every tick of [`TaskContext::busy`] and at [`TaskContext::yield_now`]; a preempted task
//! resumes before others of its priority. On HostPort the OS scheduler decides who runs.
//!
//! # Differences from FreeRTOS
//!
//! Misuse that FreeRTOS catches with `configASSERT` returns an [`Error`] here (giving a mutex
//! one does not hold, a mutex call from an interrupt, invalid lengths, ...). Failed sends
//! hand the item back in a [`SendError`]. A mutex joins a queue set only while held (as
//! FreeRTOS's "empty" rule implies); while in a set it stays off the HostPort fast path.
#![deny(unsafe_code)]

mod error;
mod kernel;
mod mutex;
mod object;
mod port;
mod queue;
mod queue_set;
mod ring;
mod semaphore;
mod trace;
mod types;

pub use error::{Error, Result, SendError};
pub use mutex::{Mutex, MutexGuard, RecursiveMutex, RecursiveMutexGuard};
pub use port::{HostPort, Port, PortConfig, PortHandle, SimPort, TaskContext};
pub use queue::Queue;
pub use queue_set::{MemberId, QueueSet, SetMember};
pub use semaphore::{BinarySemaphore, CountingSemaphore};
pub use trace::{BlockedTask, DeadlockReport, Trace, TraceEvent, TraceKind};
pub use types::{BlockTime, InheritanceMode, PortKind, Priority, TaskId, Tick};
