//! FreeRTOS-style queues, semaphores and priority-inheritance mutexes.
#![deny(unsafe_code)]

mod error;
mod kernel;
mod mutex;
mod object;
mod port;
mod queue;
mod queue_set;
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
