//! The crate's single error type.

use crate::types::{TaskId, Tick};

/// Everything that can go wrong in rtos-sync.
///
/// FreeRTOS reports most of these as `errQUEUE_FULL` / `errQUEUE_EMPTY` / `pdFAIL` or as a
/// `configASSERT`; here every misuse a caller can trigger is a value, never a panic.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No space in the queue and no waiting allowed (cf. `errQUEUE_FULL`). Also returned when
    /// giving a semaphore or mutex that is already available.
    #[error("queue full")]
    QueueFull,
    /// Nothing in the queue and no waiting allowed (cf. `errQUEUE_EMPTY`).
    #[error("queue empty")]
    QueueEmpty,
    /// The block time ran out before the operation could complete.
    #[error("timed out after waiting {waited} ticks")]
    Timeout {
        /// Ticks between the call and the time-out.
        waited: Tick,
    },
    /// A mutex was given (or a recursive mutex given/taken recursively) by a task that does not
    /// hold it.
    #[error("task {caller:?} does not own the mutex (owner {owner:?})")]
    NotOwner {
        /// The current holder, if any.
        owner: Option<TaskId>,
        /// The calling task, if the caller is a task.
        caller: Option<TaskId>,
    },
    /// A task-level call (anything that may block, or any mutex call) was made from
    /// simulated interrupt context; use the `*_from_isr` variant (none exists for mutexes).
    #[error("called from interrupt context")]
    InIsr,
    /// The call needs a calling task (it may block, or it records an owner) but the current
    /// thread is not a task of this port.
    #[error("not called from a task of this port")]
    NotInTask,
    /// An argument is out of range or a rule of the object was broken.
    #[error("invalid argument: {reason}")]
    InvalidArgument {
        /// What was wrong.
        reason: &'static str,
    },
    /// Chained inheritance mode only: blocking on this mutex would close a cycle of tasks each
    /// waiting for a mutex the next one holds.
    #[error("taking the mutex would deadlock (cycle {cycle:?})")]
    Deadlock {
        /// The tasks in the cycle, starting with the caller.
        cycle: Vec<TaskId>,
    },
    /// SimPort only: every remaining task is blocked forever (no time-out or interrupt can
    /// ever wake one of them).
    #[error("all tasks blocked forever at tick {}", report.tick)]
    AllBlocked {
        /// Who waits for what.
        report: Box<crate::trace::DeadlockReport>,
    },
}

/// A failed send, giving the item back to the caller.
///
/// Converts into [`Error`] with `?`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendError<T> {
    /// Why the send failed.
    pub error: Error,
    /// The item that was not sent.
    pub item: T,
}

impl<T> std::fmt::Display for SendError<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "send failed: {}", self.error)
    }
}

impl<T: std::fmt::Debug> std::error::Error for SendError<T> {}

impl<T> From<SendError<T>> for Error {
    fn from(e: SendError<T>) -> Self {
        e.error
    }
}

/// Shorthand for `Result<T, Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;
