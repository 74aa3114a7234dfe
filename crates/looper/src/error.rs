//! The crate's one error type.

use std::thread::ThreadId;

/// Everything that can go wrong when a looper is misused. Android throws
/// `RuntimeException`/`IllegalStateException` for these; here they are values.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// `Looper::prepare` was called twice on one thread (cf. `Looper.prepare`).
    #[error("Only one Looper may be created per thread")]
    AlreadyPrepared {
        /// The thread that already has a looper.
        thread: ThreadId,
    },
    /// `Looper::prepare_main_looper` was called twice (cf. `Looper.prepareMainLooper`).
    #[error("The main Looper has already been prepared.")]
    MainLooperAlreadyPrepared,
    /// The calling thread has no looper (cf. `Looper.loop`, `Looper.myQueue`,
    /// the no-argument `Handler()` constructor).
    #[error("No Looper; Looper::prepare() wasn't called on this thread.")]
    NoLooper {
        /// The calling thread.
        thread: ThreadId,
    },
    /// `quit` on a looper that may not quit: the main looper (cf.
    /// `MessageQueue.quit`).
    #[error("Main thread not allowed to quit.")]
    QuitNotAllowed,
    /// `remove_sync_barrier` with a token that was never posted or was already
    /// removed (cf. `MessageQueue.removeSyncBarrier`).
    #[error(
        "The specified message queue synchronization barrier token has not been posted or has already been removed: {token}"
    )]
    InvalidBarrierToken {
        /// The token given.
        token: u32,
    },
    /// `HandlerThread::start` on a thread that was already started
    /// (cf. `Thread.start`'s `IllegalThreadStateException`).
    #[error("HandlerThread {name:?} has already been started")]
    AlreadyStarted {
        /// The thread's name.
        name: String,
    },
    /// The operating system refused something (spawning a thread, creating
    /// or controlling the epoll set used for file-descriptor watching).
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
