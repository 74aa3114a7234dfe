//! Asymmetric fences: the frequent side of a store-then-load handshake (a
//! lock-free send: push, then look at the looper's flags) pays only a
//! compiler fence, and the rare side (a looper about to block, a queue
//! quitting: set a flag, then look at the inbox) pays for both with
//! `membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED)`, which runs a full memory
//! barrier on every CPU that is running a thread of this process (a thread
//! that is not running passes one when it is switched in). Each side then
//! sees the other's store, as with a `SeqCst` fence on both sides. Where the
//! system call is missing (not Linux, kernels before 4.14, filtered by a
//! sandbox), both sides use a `SeqCst` fence.
//!
//! Why: on the send path the fence waits for the message's stores to reach
//! the cache, cache lines the looper's CPU has just read, which took half of
//! a cross-thread send's time (BENCHMARKS.md, looper "inbox").

use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering, compiler_fence, fence};

/// Set once `membarrier` is registered for this process.
static ASYMMETRIC: AtomicBool = AtomicBool::new(false);
static INIT: Once = Once::new();

/// Registers the process for expedited private `membarrier` (once; call
/// before any queue is shared, so that both sides agree on the mode).
pub(crate) fn init() {
    INIT.call_once(|| {
        #[cfg(target_os = "linux")]
        {
            use rustix::thread::{MembarrierCommand, membarrier, membarrier_query};
            if membarrier_query().contains_command(MembarrierCommand::PrivateExpedited)
                && membarrier(MembarrierCommand::RegisterPrivateExpedited).is_ok()
            {
                ASYMMETRIC.store(true, Ordering::Relaxed);
            }
        }
    });
}

/// The frequent side's fence.
#[inline]
pub(crate) fn light() {
    if ASYMMETRIC.load(Ordering::Relaxed) {
        compiler_fence(Ordering::SeqCst);
    } else {
        fence(Ordering::SeqCst);
    }
}

/// The rare side's fence.
pub(crate) fn heavy() {
    fence(Ordering::SeqCst);
    #[cfg(target_os = "linux")]
    if ASYMMETRIC.load(Ordering::Relaxed) {
        // Cannot fail once registered (membarrier(2): errors only for
        // unknown or unregistered commands).
        let _ = rustix::thread::membarrier(rustix::thread::MembarrierCommand::PrivateExpedited);
    }
}
