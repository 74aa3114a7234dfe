//! File-descriptor watching on the loop, Linux only (cf. `ALooper_addFd`,
//! `MessageQueue.addOnFileDescriptorEventListener`).
//!
//! Built on `epoll` through `rustix` (safe bindings). The epoll set is created
//! the first time a descriptor is added; until then the looper blocks on a
//! condition variable. While descriptors are registered the looper blocks in
//! `epoll_wait`, and other threads wake it by writing an `eventfd`: one
//! system call, and only when the looper is actually blocked.

use std::collections::HashMap;
use std::fmt;
use std::ops::{BitAnd, BitOr, BitOrAssign};
use std::os::fd::{AsFd, AsRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use rustix::event::{EventfdFlags, Timespec, epoll, eventfd};

use crate::error::Result;
use crate::queue::MessageQueue;
use crate::time::Uptime;

/// Readiness events of a watched descriptor (cf. `ALOOPER_EVENT_*`,
/// `MessageQueue.OnFileDescriptorEventListener.EVENT_*`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct FdEvents(u32);

impl FdEvents {
    /// No event; returned by a listener to unregister itself.
    pub const NONE: FdEvents = FdEvents(0);
    /// The descriptor is readable (cf. `EVENT_INPUT`).
    pub const INPUT: FdEvents = FdEvents(1);
    /// The descriptor is writable (cf. `EVENT_OUTPUT`).
    pub const OUTPUT: FdEvents = FdEvents(2);
    /// An error condition (cf. `EVENT_ERROR`); always reported.
    pub const ERROR: FdEvents = FdEvents(4);
    /// The peer hung up (cf. `ALOOPER_EVENT_HANGUP`); always reported.
    pub const HANGUP: FdEvents = FdEvents(8);

    /// The raw bits.
    pub const fn bits(self) -> u32 {
        self.0
    }

    /// Whether every event of `other` is in `self`.
    pub const fn contains(self, other: FdEvents) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether no event is set.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    fn to_epoll(self) -> epoll::EventFlags {
        let mut f = epoll::EventFlags::empty();
        if self.contains(FdEvents::INPUT) {
            f |= epoll::EventFlags::IN;
        }
        if self.contains(FdEvents::OUTPUT) {
            f |= epoll::EventFlags::OUT;
        }
        f
    }

    fn from_epoll(f: epoll::EventFlags) -> FdEvents {
        let mut e = FdEvents::NONE;
        if f.contains(epoll::EventFlags::IN) {
            e |= FdEvents::INPUT;
        }
        if f.contains(epoll::EventFlags::OUT) {
            e |= FdEvents::OUTPUT;
        }
        if f.contains(epoll::EventFlags::ERR) {
            e |= FdEvents::ERROR;
        }
        if f.contains(epoll::EventFlags::HUP) {
            e |= FdEvents::HANGUP;
        }
        e
    }
}

impl BitOr for FdEvents {
    type Output = FdEvents;
    fn bitor(self, rhs: FdEvents) -> FdEvents {
        FdEvents(self.0 | rhs.0)
    }
}

impl BitOrAssign for FdEvents {
    fn bitor_assign(&mut self, rhs: FdEvents) {
        self.0 |= rhs.0;
    }
}

impl BitAnd for FdEvents {
    type Output = FdEvents;
    fn bitand(self, rhs: FdEvents) -> FdEvents {
        FdEvents(self.0 & rhs.0)
    }
}

impl fmt::Debug for FdEvents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = [
            (FdEvents::INPUT, "INPUT"),
            (FdEvents::OUTPUT, "OUTPUT"),
            (FdEvents::ERROR, "ERROR"),
            (FdEvents::HANGUP, "HANGUP"),
        ];
        let set: Vec<&str> = names
            .iter()
            .filter(|(e, _)| self.contains(*e))
            .map(|(_, n)| *n)
            .collect();
        if set.is_empty() {
            f.write_str("NONE")
        } else {
            f.write_str(&set.join("|"))
        }
    }
}

type Listener = Arc<dyn Fn(RawFd, FdEvents) -> FdEvents + Send + Sync>;

struct Registration {
    /// Our own duplicate of the caller's descriptor: epoll is driven through
    /// it, so the registration stays valid whatever the caller does.
    dup: OwnedFd,
    events: FdEvents,
    listener: Listener,
}

struct Watcher {
    epoll: OwnedFd,
    wake: OwnedFd,
    /// A `CLOCK_MONOTONIC` timer for the looper's next due time: `epoll_wait`
    /// counts its timeout in whole milliseconds (rounded up, so up to 1 ms
    /// late); the timer fires at the nanosecond. `None` if it could not be
    /// created (then the rounded timeout is all there is).
    timer: Option<OwnedFd>,
    regs: Mutex<HashMap<RawFd, Registration>>,
}

const WAKE_TOKEN: u64 = u64::MAX;
const TIMER_TOKEN: u64 = u64::MAX - 1;

fn io_err(e: rustix::io::Errno) -> crate::Error {
    crate::Error::Io(e.into())
}

/// The queue's (lazily created) epoll set.
#[derive(Default)]
pub(crate) struct FdSlot {
    watcher: OnceLock<Watcher>,
    active: AtomicBool,
    /// The raw `CLOCK_MONOTONIC` time the timer is armed for (0: disarmed).
    /// Only the looper's thread arms it.
    armed: AtomicU64,
}

impl FdSlot {
    #[inline]
    pub(crate) fn is_active(&self) -> bool {
        self.active.load(Ordering::Acquire)
    }

    fn watcher(&self) -> Result<&Watcher> {
        if let Some(w) = self.watcher.get() {
            return Ok(w);
        }
        let ep = epoll::create(epoll::CreateFlags::CLOEXEC).map_err(io_err)?;
        let wake = eventfd(0, EventfdFlags::CLOEXEC | EventfdFlags::NONBLOCK).map_err(io_err)?;
        epoll::add(
            &ep,
            &wake,
            epoll::EventData::new_u64(WAKE_TOKEN),
            epoll::EventFlags::IN,
        )
        .map_err(io_err)?;
        let timer = rustix::time::timerfd_create(
            rustix::time::TimerfdClockId::Monotonic,
            rustix::time::TimerfdFlags::CLOEXEC | rustix::time::TimerfdFlags::NONBLOCK,
        )
        .ok()
        .filter(|t| {
            epoll::add(
                &ep,
                t,
                epoll::EventData::new_u64(TIMER_TOKEN),
                epoll::EventFlags::IN,
            )
            .is_ok()
        });
        let _ = self.watcher.set(Watcher {
            epoll: ep,
            wake,
            timer,
            regs: Mutex::new(HashMap::new()),
        });
        // Either ours or one another thread set first.
        Ok(self.watcher.get().unwrap_or_else(|| unreachable!()))
    }

    pub(crate) fn wake(&self) {
        if let Some(w) = self.watcher.get() {
            // A full counter (EAGAIN) still leaves the eventfd readable.
            let _ = rustix::io::write(&w.wake, &1u64.to_ne_bytes());
        }
    }

    /// Waits until `deadline` at the latest (`None`: no limit), `timeout`
    /// from now, for events and runs the listeners of the ready descriptors.
    /// Called on the looper's thread.
    pub(crate) fn poll_until(&self, deadline: Option<Uptime>, timeout: Option<Duration>) {
        let Some(w) = self.watcher.get() else {
            return;
        };
        let mut timeout = timeout;
        if let (Some(timer), Some(d), Some(t)) = (&w.timer, deadline, timeout)
            && t.subsec_nanos() % 1_000_000 != 0
        {
            let raw = d.to_raw_monotonic_nanos().max(1);
            let armed = self.armed.load(Ordering::Relaxed) == raw
                || rustix::time::timerfd_settime(
                    timer,
                    rustix::time::TimerfdTimerFlags::ABSTIME,
                    &rustix::time::Itimerspec {
                        it_interval: Timespec {
                            tv_sec: 0,
                            tv_nsec: 0,
                        },
                        it_value: Timespec {
                            tv_sec: i64::try_from(raw / 1_000_000_000).unwrap_or(i64::MAX),
                            tv_nsec: i64::try_from(raw % 1_000_000_000).unwrap_or(0),
                        },
                    },
                )
                .is_ok();
            if armed {
                self.armed.store(raw, Ordering::Relaxed);
                // The timer ends the wait on time; the rounded-up timeout
                // stays as a safety net.
                timeout = Some(t + Duration::from_millis(1));
            }
        }
        self.poll(timeout);
    }

    /// Waits up to `timeout` (`None`: forever) for events and runs the
    /// listeners of the ready descriptors. Called on the looper's thread.
    /// `epoll_wait` rounds `timeout` up to whole milliseconds; use
    /// [`FdSlot::poll_until`] to end the wait at the nanosecond.
    pub(crate) fn poll(&self, timeout: Option<Duration>) {
        let Some(w) = self.watcher.get() else {
            return;
        };
        let ts = timeout.map(|t| Timespec {
            tv_sec: i64::try_from(t.as_secs()).unwrap_or(i64::MAX),
            tv_nsec: i64::from(t.subsec_nanos()),
        });
        let mut buf = [epoll::Event {
            flags: epoll::EventFlags::empty(),
            data: epoll::EventData::new_u64(0),
        }; 16];
        let n = match epoll::wait(&w.epoll, &mut buf[..], ts.as_ref()) {
            Ok(n) => n,
            Err(rustix::io::Errno::INTR) => return,
            Err(e) => {
                log::error!(target: "Looper", "epoll_wait failed: {e}");
                return;
            }
        };
        for ev in &buf[..n] {
            let token = ev.data.u64();
            if token == WAKE_TOKEN {
                let mut b = [0u8; 8];
                let _ = rustix::io::read(&w.wake, &mut b);
                continue;
            }
            if token == TIMER_TOKEN {
                if let Some(t) = &w.timer {
                    let mut b = [0u8; 8];
                    let _ = rustix::io::read(t, &mut b);
                }
                self.armed.store(0, Ordering::Relaxed);
                continue;
            }
            let Ok(fd) = RawFd::try_from(token) else {
                continue;
            };
            let events = FdEvents::from_epoll(ev.flags);
            let listener = {
                let regs = w.regs.lock().unwrap_or_else(PoisonError::into_inner);
                match regs.get(&fd) {
                    Some(r) => r.listener.clone(),
                    None => continue,
                }
            };
            let new_events = listener(fd, events);
            let mut regs = w.regs.lock().unwrap_or_else(PoisonError::into_inner);
            // Only touch the registration if it is still the one we called.
            let same = regs
                .get(&fd)
                .is_some_and(|r| Arc::ptr_eq(&r.listener, &listener));
            if !same {
                continue;
            }
            if new_events.is_empty() {
                if let Some(r) = regs.remove(&fd) {
                    let _ = epoll::delete(&w.epoll, &r.dup);
                }
                if regs.is_empty() {
                    self.active.store(false, Ordering::Release);
                }
            } else if let Some(r) = regs.get_mut(&fd)
                && r.events != new_events
            {
                r.events = new_events;
                let _ = epoll::modify(
                    &w.epoll,
                    &r.dup,
                    epoll::EventData::new_u64(fd as u64),
                    new_events.to_epoll(),
                );
            }
        }
    }
}

impl MessageQueue {
    /// Watches `fd` on this queue's looper (cf.
    /// `MessageQueue.addOnFileDescriptorEventListener`, `ALooper_addFd`).
    /// Linux only.
    ///
    /// `listener(fd, events)` runs on the looper's thread whenever the
    /// descriptor is ready for one of `events` (level-triggered; errors and
    /// hang-ups are always reported). It returns the events to watch from then
    /// on: the same, others, or [`FdEvents::NONE`] to unregister. Registering
    /// a descriptor again replaces its listener and events; `events` empty
    /// unregisters.
    ///
    /// The looper keeps its own duplicate of the descriptor while registered,
    /// so remove the listener before relying on the descriptor being closed.
    ///
    /// # Errors
    /// [`crate::Error::Io`] if the epoll set cannot be created or the
    /// descriptor cannot be watched (for example a regular file).
    pub fn add_fd_listener(
        &self,
        fd: &impl AsFd,
        events: FdEvents,
        listener: impl Fn(RawFd, FdEvents) -> FdEvents + Send + Sync + 'static,
    ) -> Result<()> {
        let raw = fd.as_fd().as_raw_fd();
        if events.is_empty() {
            self.remove_fd_listener(&raw);
            return Ok(());
        }
        let slot = &self.shared.fds;
        let w = slot.watcher()?;
        let mut regs = w.regs.lock().unwrap_or_else(PoisonError::into_inner);
        let data = epoll::EventData::new_u64(raw as u64);
        if let Some(r) = regs.get_mut(&raw) {
            epoll::modify(&w.epoll, &r.dup, data, events.to_epoll()).map_err(io_err)?;
            r.events = events;
            r.listener = Arc::new(listener);
        } else {
            let dup = fd.as_fd().try_clone_to_owned()?;
            epoll::add(&w.epoll, &dup, data, events.to_epoll()).map_err(io_err)?;
            regs.insert(
                raw,
                Registration {
                    dup,
                    events,
                    listener: Arc::new(listener),
                },
            );
        }
        slot.active.store(true, Ordering::Release);
        drop(regs);
        // A looper blocked on its condition variable must re-block on epoll.
        self.wake_if_blocked();
        Ok(())
    }

    /// Stops watching `fd` (cf.
    /// `MessageQueue.removeOnFileDescriptorEventListener`, `ALooper_removeFd`).
    /// Returns whether it was registered.
    pub fn remove_fd_listener(&self, fd: &impl AsRawFd) -> bool {
        let raw = fd.as_raw_fd();
        let slot = &self.shared.fds;
        let Some(w) = slot.watcher.get() else {
            return false;
        };
        let mut regs = w.regs.lock().unwrap_or_else(PoisonError::into_inner);
        let removed = regs.remove(&raw);
        if let Some(r) = &removed {
            let _ = epoll::delete(&w.epoll, &r.dup);
        }
        if regs.is_empty() {
            slot.active.store(false, Ordering::Release);
        }
        removed.is_some()
    }
}
