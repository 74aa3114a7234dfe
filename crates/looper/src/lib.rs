//! Android's message loop in Rust: [`Looper`], [`Handler`], [`MessageQueue`],
//! [`Message`], [`HandlerThread`] (cf. `android.os`).
//!
//! # The picture
//!
//! Think of a conveyor belt. The belt is the [`MessageQueue`]: items
//! ([`Message`]s) lie on it in the order they are due. The roller that moves
//! the belt is the [`Looper`]; the motor that turns the roller is a thread,
//! and the switch that starts it is [`Looper::run`]. A [`Handler`] is the
//! chute at both ends: any thread drops items in through it
//! (`send_message*`, `post*`), and at the far end the same handler takes them
//! off and deals with them ([`Handler::dispatch_message`]), always on the
//! looper's thread, one at a time.
//!
//! ```
//! use looper::{Handler, Looper, Runnable};
//! use std::sync::mpsc;
//!
//! let (tx, rx) = mpsc::channel();
//! let worker = std::thread::spawn(move || {
//!     Looper::prepare().unwrap();
//!     let looper = Looper::my_looper().unwrap();
//!     let handler = Handler::with_handle_message(&looper, |msg| {
//!         println!("got what={} arg1={}", msg.what, msg.arg1);
//!         if msg.what == 2 {
//!             Looper::my_looper().unwrap().quit().unwrap();
//!         }
//!     });
//!     tx.send(handler).unwrap();
//!     Looper::run().unwrap();
//! });
//! let handler = rx.recv().unwrap();
//! handler.send_message(handler.obtain_message_args(1, 42, 0));
//! handler.post(&Runnable::new(|| println!("a posted task")));
//! handler.send_empty_message_delayed(2, 10); // 10 ms later
//! worker.join().unwrap();
//! ```
//!
//! # Ordering rules
//!
//! * Messages are delivered in order of `(when, sequence)`: by due time, and
//!   first-in first-out among equal times.
//! * A message is never delivered before its time; it may be late if the
//!   looper is busy.
//! * Time [`Uptime::ZERO`] means the front of the queue:
//!   [`Handler::send_message_at_front_of_queue`] and
//!   [`Handler::post_at_front_of_queue`] go before everything, and repeated
//!   front sends come out last-in first-out.
//! * Negative delays (in milliseconds) count as zero; huge delays saturate to
//!   [`Uptime::MAX`], which is never due (they do not wrap around to "now").
//! * A *synchronization barrier* ([`MessageQueue::post_sync_barrier`]) stops
//!   synchronous messages due after it until it is removed; asynchronous
//!   messages ([`Message::set_asynchronous`], [`Handler::create_async`]) pass.
//! * *Idle handlers* ([`MessageQueue::add_idle_handler`]) run when nothing is
//!   due, at most once per wait.
//! * [`Looper::quit`] drops every pending message; [`Looper::quit_safely`]
//!   delivers those already due and drops the rest. Afterwards every send
//!   returns `false` and recycles its message.
//!
//! # Threading
//!
//! One looper per thread, bound with [`Looper::prepare`] (thread-local) and
//! run on that thread only. [`Looper`], [`Handler`] and [`MessageQueue`] are
//! `Send + Sync` handles; handler callbacks therefore must be
//! `Send + Sync` too, even though they only ever run on the looper's thread.
//!
//! The queue is a `std::sync::Mutex` around a sorted lane plus a binary heap
//! (see [`MessageQueue`]). Messages sent without delay from a thread other
//! than the looper's (`send_message`, `send_empty_message`, `post`) skip the
//! lock: they go into a bounded lock-free inbox (256 entries; a sender that
//! finds it full takes the lock) and take their place in the queue when the
//! next holder of the lock moves them in, which every operation under the
//! lock does first, so a thread's later sends, removals and queries see its
//! earlier sends, and a thread's sends keep their order. Such a message
//! carries the precise time of its send, as in Android, whenever it is moved
//! in. The looper works through the messages due by the time it last emptied
//! the inbox without looking at it (and so without touching the cache lines
//! senders write), and moves it in before a message due later, and when
//! nothing is due. Delayed, timed and front-of-queue sends,
//! and everything sent from the looper's own thread, take the lock. An idle
//! looper blocks on a `std::sync::Condvar`, or
//! in `epoll_wait` once file descriptors are watched (Linux,
//! [`MessageQueue::add_fd_listener`]; a `timerfd` then ends timed waits at the
//! nanosecond, as `epoll_wait` counts whole milliseconds). A sender wakes it
//! with one system call
//! (`futex` or an `eventfd` write), and only when the looper is blocked and
//! the new message is due before its wake-up time.
//!
//! Before it blocks, a looper that has run out of due messages may poll for
//! a new one for a moment: up to 5 µs of `spin_loop` hints on a flag (with a
//! clock read every few polls), never past the next message's due time. A
//! sender that finds it polling sets the flag under the queue's lock instead
//! of making a system call, and the looper skips the sleep and its wake-up
//! latency (tens of microseconds on a virtual machine whose other CPU is
//! idle). It polls only while its waits suggest that this pays: after a wait
//! that a sender ended from *another* CPU within 100 µs of its start (a
//! partner answering fast, which polling then catches without a wake-up on
//! either side), and as long as its polls catch messages. A wake-up by a
//! sender on the looper's own CPU turns polling off (the looper had to give
//! up its CPU for the message to come, so polling would only have delayed
//! it), and so does a longer wait or one that no sender ended (a time-out,
//! a descriptor event).
//! Polling never delivers early: what it sees is picked up by the normal
//! path, against the precise clock. Idle handlers run before the poll, when
//! nothing is due (as in Android); the handlers and tasks kept for reuse (see
//! below) are let go after it, just before blocking. While the looper polls,
//! [`MessageQueue::is_polling`] is `true`. Test loopers (manual clock) never
//! poll.
//!
//! This crate uses `std`, `crossbeam-queue` (the inbox), and `rustix` (epoll,
//! timers, `getcpu`, `membarrier`): it does not use
//! `rtos-sync`, which was being built in parallel (its host port polls before
//! parking in the same spirit); the workspace allows that dependency later, if
//! measured to help.
//!
//! A thread's looper is stopped and emptied when the thread exits. For
//! tests, [`TestLooper`] gives a looper with a manual clock, driven step by
//! step without threads or sleeping.
//!
//! # Differences from Android
//!
//! * Errors are values ([`Error`]), not exceptions: preparing twice, running
//!   without a looper, quitting the main looper, a bad barrier token.
//! * Messages are owned: sending moves the message, so "message already in
//!   use" cannot happen. `Message.obj` is split in two: [`MessageFields::obj`]
//!   is an owned payload (`Box<dyn Any + Send>`), and [`MessageFields::token`]
//!   is the identity ([`Token`]) that `remove_messages_with_token`,
//!   `remove_callbacks_with_token` and `remove_callbacks_and_messages` match,
//!   where Android compares `obj` by reference.
//! * Tasks are [`Runnable`]s (a shared closure); their identity is that of the
//!   `Arc`, so keep a clone of what you post to remove it later. Posted tasks
//!   have `what == 0`, as in Android, so `remove_messages(0)` and
//!   `has_messages(0)` see them.
//! * Time is nanoseconds ([`Uptime`]) on `std::time::Instant`, starting at
//!   [`CLOCK_ORIGIN`] (1 s) at the first read in the process; delays accept a
//!   [`std::time::Duration`] or Android-style milliseconds.
//! * Messages sent without delay are stamped cheaply when that cannot change
//!   their order: with the later of the coarse monotonic clock
//!   (`CLOCK_MONOTONIC_COARSE` on Linux: no system call, never ahead of the
//!   precise clock) and the latest precise reading the queue has seen,
//!   provided every message and barrier already queued is due no later than
//!   that stamp (it then goes after all of them, exactly as with the precise
//!   time). Otherwise, and while the looper has logging, an observer or
//!   slow-log thresholds, the precise clock is read. So [`Message::when`] of
//!   an undelayed message may lie up to one kernel tick (4 ms at `HZ=250`)
//!   before the send (Android's millisecond stamps lie up to 1 ms before it),
//!   and a message sent *later* at an explicit time between that stamp and
//!   the true send time goes after it instead of before. Delays are always
//!   counted from a precise reading, and due times are only checked against
//!   precise readings: a message is never delivered early.
//! * An undelayed message from a thread other than the looper's is stamped
//!   with the precise clock (no coarse stamp) and waits in the lock-free
//!   inbox (see "Threading") until the looper or the next holder of the
//!   queue's lock moves it in: sends racing from two threads may come out in
//!   either order, as in Android, where the stamp is also read before the
//!   queue's lock is taken.
//! * After dispatching a message, the looper keeps its handler and task (not
//!   its payload) for reuse by the next message, so that re-posting and
//!   streaming do not touch their reference counts: the looper thread keeps
//!   the last one, the queue's pool keeps those of recycled storage. It lets
//!   go of all of them before it blocks waiting for work (after its short
//!   poll, if any), when it quits and when its thread exits; so a [`Handler`] or [`Runnable`] you dropped is dropped by
//!   the looper at the latest when it next goes idle, not right after its
//!   last dispatch.
//! * Each looper has its own [`Observer`] (Android: one per process).
//! * The pool: [`MAX_POOL_SIZE`] (50) per pool, with one process-wide pool
//!   and one per queue.
//! * A thread's looper is quit when the thread exits.
//! * Beyond Android: file-descriptor watching on every looper (cf. the native
//!   `ALooper_addFd`) and the deterministic [`TestLooper`].
#![forbid(unsafe_code)]

mod error;
#[cfg(target_os = "linux")]
mod fd;
mod fences;
mod handler;
mod handler_thread;
mod looper;
mod message;
mod queue;
mod test_looper;
mod time;

pub use error::{Error, Result};
#[cfg(target_os = "linux")]
pub use fd::FdEvents;
pub use handler::{Handler, HandlerBuilder};
pub use handler_thread::HandlerThread;
pub use looper::{Looper, Observer, Printer};
pub use message::{MAX_POOL_SIZE, Message, MessageFields, Runnable, Token};
pub use queue::{BarrierToken, IdleHandler, MessageQueue};
pub use test_looper::TestLooper;
pub use time::{CLOCK_ORIGIN, IntoDelay, ManualClock, Uptime, uptime_millis};
