//! [`HandlerThread`]: a thread that runs a looper.

use std::fmt;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle, ThreadId};

use crate::error::{Error, Result};
use crate::handler::Handler;
use crate::looper::Looper;

type Prepared = Box<dyn FnOnce(&Looper) + Send>;

#[derive(Default)]
struct State {
    looper: Option<Looper>,
    tid: Option<ThreadId>,
    started: bool,
    exited: bool,
}

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    cv: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Sets `exited` when the thread body ends, even by a panic.
struct ExitGuard(Arc<Shared>);

impl Drop for ExitGuard {
    fn drop(&mut self) {
        let mut st = self.0.lock();
        st.exited = true;
        st.tid = None;
        self.0.cv.notify_all();
    }
}

/// A thread with a looper, ready to receive messages (cf.
/// `android.os.HandlerThread`).
///
/// ```
/// use looper::{Handler, HandlerThread, Runnable};
/// let t = HandlerThread::new("worker");
/// t.start().unwrap();
/// let h = Handler::new(&t.looper().unwrap());
/// let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
/// let d = done.clone();
/// assert!(h.run_with_scissors(move || d.store(true, std::sync::atomic::Ordering::SeqCst),
///                             std::time::Duration::ZERO));
/// assert!(done.load(std::sync::atomic::Ordering::SeqCst));
/// t.quit_safely();
/// t.join();
/// ```
///
/// Dropping a `HandlerThread` does not stop its thread (as a Java `Thread`
/// object going away does not); call [`HandlerThread::quit`] or
/// [`HandlerThread::quit_safely`].
pub struct HandlerThread {
    name: String,
    shared: Arc<Shared>,
    on_prepared: Mutex<Option<Prepared>>,
    join: Mutex<Option<JoinHandle<()>>>,
    handler: Mutex<Option<Handler>>,
}

impl fmt::Debug for HandlerThread {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HandlerThread")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl HandlerThread {
    /// A thread named `name`, not started yet (cf. `HandlerThread(String)`).
    pub fn new(name: impl Into<String>) -> HandlerThread {
        HandlerThread {
            name: name.into(),
            shared: Arc::default(),
            on_prepared: Mutex::new(None),
            join: Mutex::new(None),
            handler: Mutex::new(None),
        }
    }

    /// Sets the hook run on the new thread once its looper is prepared and
    /// before it starts looping (cf. overriding `onLooperPrepared`).
    #[must_use]
    pub fn on_looper_prepared(self, f: impl FnOnce(&Looper) + Send + 'static) -> HandlerThread {
        *self
            .on_prepared
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(Box::new(f));
        self
    }

    /// The thread's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Starts the thread (cf. `Thread.start`).
    ///
    /// # Errors
    /// [`Error::AlreadyStarted`] if it was started before; [`Error::Io`] if
    /// the thread cannot be spawned.
    pub fn start(&self) -> Result<()> {
        {
            let mut st = self.shared.lock();
            if st.started {
                return Err(Error::AlreadyStarted {
                    name: self.name.clone(),
                });
            }
            st.started = true;
        }
        let shared = self.shared.clone();
        let hook = self
            .on_prepared
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        let spawned = thread::Builder::new()
            .name(self.name.clone())
            .spawn(move || {
                let _exit = ExitGuard(shared.clone());
                let Ok(looper) = Looper::prepare() else {
                    return;
                };
                {
                    let mut st = shared.lock();
                    st.looper = Some(looper.clone());
                    st.tid = Some(thread::current().id());
                    shared.cv.notify_all();
                }
                if let Some(hook) = hook {
                    hook(&looper);
                }
                let _ = Looper::run();
            });
        match spawned {
            Ok(j) => {
                *self.join.lock().unwrap_or_else(PoisonError::into_inner) = Some(j);
                Ok(())
            }
            Err(e) => {
                let mut st = self.shared.lock();
                st.exited = true;
                Err(Error::Io(e))
            }
        }
    }

    /// The thread's looper, waiting until it is prepared (cf.
    /// `HandlerThread.getLooper`). `None` if the thread was not started or
    /// ended before preparing one.
    pub fn looper(&self) -> Option<Looper> {
        let mut st = self.shared.lock();
        if !st.started {
            return None;
        }
        while st.looper.is_none() && !st.exited {
            st = self
                .shared
                .cv
                .wait(st)
                .unwrap_or_else(PoisonError::into_inner);
        }
        st.looper.clone()
    }

    /// A shared handler on the thread's looper, made on first use (cf.
    /// `HandlerThread.getThreadHandler`).
    pub fn thread_handler(&self) -> Option<Handler> {
        let mut h = self.handler.lock().unwrap_or_else(PoisonError::into_inner);
        if h.is_none() {
            *h = Some(Handler::new(&self.looper()?));
        }
        h.clone()
    }

    /// Quits the looper (cf. `HandlerThread.quit`): pending messages are
    /// dropped. `false` if there is no looper (not started).
    pub fn quit(&self) -> bool {
        match self.looper() {
            Some(l) => l.quit().is_ok(),
            None => false,
        }
    }

    /// Quits the looper once the messages already due are delivered (cf.
    /// `HandlerThread.quitSafely`). `false` if there is no looper.
    pub fn quit_safely(&self) -> bool {
        match self.looper() {
            Some(l) => l.quit_safely().is_ok(),
            None => false,
        }
    }

    /// The running thread's id (cf. `HandlerThread.getThreadId`, which gives
    /// -1 where this gives `None`: before the looper is prepared and after the
    /// thread ends).
    pub fn thread_id(&self) -> Option<ThreadId> {
        self.shared.lock().tid
    }

    /// Whether the thread was started and has not ended.
    pub fn is_alive(&self) -> bool {
        let st = self.shared.lock();
        st.started && !st.exited
    }

    /// Waits for the thread to end. `false` if it was not started, was
    /// already joined, or panicked.
    pub fn join(&self) -> bool {
        let j = self
            .join
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        match j {
            Some(j) => j.join().is_ok(),
            None => false,
        }
    }
}
