//! Time on the message loop: [`Uptime`], delays, and the clocks a queue reads.
//!
//! Android orders messages by `SystemClock.uptimeMillis()`. Here the monotonic
//! clock is [`std::time::Instant`], counted in nanoseconds from a process-wide
//! origin, so ordering and timeouts are finer than a millisecond while the
//! millisecond view ([`uptime_millis`]) stays available for logs and parity.

use std::fmt;
use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The value [`Uptime::now`] has at the instant the process first reads the
/// clock: one second, so that a real time is never `0`, which the queue reserves
/// for "front of the queue" (cf. `Handler.sendMessageAtFrontOfQueue`).
pub const CLOCK_ORIGIN: Uptime = Uptime(1_000_000_000);

/// A point on a queue's clock, in nanoseconds (cf. the `uptimeMillis` values
/// Android uses for `Message.when`).
///
/// [`Uptime::ZERO`] means "at the front of the queue": a message sent at time
/// zero goes before every other message, as in Android. Arithmetic saturates:
/// a huge delay yields [`Uptime::MAX`] (never due), never a wrapped "now".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Uptime(u64);

impl Uptime {
    /// Time zero: the front of the queue.
    pub const ZERO: Uptime = Uptime(0);
    /// The far future: a message at this time is never delivered.
    pub const MAX: Uptime = Uptime(u64::MAX);

    /// The current time of the process-wide monotonic clock (cf.
    /// `SystemClock.uptimeMillis`, here with nanosecond resolution).
    pub fn now() -> Uptime {
        let origin = origin().instant;
        let ns = u64::try_from(origin.elapsed().as_nanos()).unwrap_or(u64::MAX);
        CLOCK_ORIGIN.saturating_add_nanos(ns)
    }

    /// A cheap reading of the same clock that is never later than
    /// [`Uptime::now`] and lags it by at most about one kernel tick
    /// (`CLOCK_MONOTONIC_COARSE`: 4 ms with `HZ=250`, no system call, ~6 ns
    /// against ~20 ns for the precise clock on the build VM). Elsewhere it is
    /// the precise clock.
    ///
    /// Used only to stamp messages sent without delay, and only when that
    /// cannot change their order (see `MessageQueue`); never to decide that a
    /// message is due.
    #[inline]
    pub(crate) fn now_coarse() -> Uptime {
        #[cfg(target_os = "linux")]
        {
            let o = origin();
            let ts = rustix::time::clock_gettime(rustix::time::ClockId::MonotonicCoarse);
            let raw = timespec_nanos(ts.tv_sec, ts.tv_nsec);
            // `raw_origin` was read just after `instant`, so this is never
            // ahead of `now()` (CLOCK_MONOTONIC_COARSE is the CLOCK_MONOTONIC
            // value of the last tick).
            CLOCK_ORIGIN.saturating_add_nanos(raw.saturating_sub(o.raw_origin))
        }
        #[cfg(not(target_os = "linux"))]
        {
            Uptime::now()
        }
    }

    /// This time as a raw `CLOCK_MONOTONIC` value in nanoseconds, such that
    /// a timer armed for it never fires before `self` (Linux).
    #[cfg(target_os = "linux")]
    pub(crate) fn to_raw_monotonic_nanos(self) -> u64 {
        // `raw_origin` is not earlier than the raw value of the instant
        // `CLOCK_ORIGIN` stands for, so neither is the result.
        origin()
            .raw_origin
            .saturating_add(self.0.saturating_sub(CLOCK_ORIGIN.0))
    }

    /// A time from nanoseconds.
    pub const fn from_nanos(nanos: u64) -> Uptime {
        Uptime(nanos)
    }

    /// A time from milliseconds, as Android writes them; negative values clamp
    /// to [`Uptime::ZERO`], values too large saturate to [`Uptime::MAX`].
    pub const fn from_millis(millis: i64) -> Uptime {
        if millis <= 0 {
            Uptime(0)
        } else {
            Uptime((millis as u64).saturating_mul(1_000_000))
        }
    }

    /// Nanoseconds since the clock's zero.
    pub const fn as_nanos(self) -> u64 {
        self.0
    }

    /// Whole milliseconds since the clock's zero (rounded down), as Android's
    /// `Message.when`.
    pub const fn as_millis(self) -> i64 {
        (self.0 / 1_000_000) as i64
    }

    /// `self + delay`, saturating at [`Uptime::MAX`].
    pub fn saturating_add(self, delay: Duration) -> Uptime {
        self.saturating_add_nanos(u64::try_from(delay.as_nanos()).unwrap_or(u64::MAX))
    }

    pub(crate) const fn saturating_add_nanos(self, nanos: u64) -> Uptime {
        Uptime(self.0.saturating_add(nanos))
    }

    /// The time from `earlier` to `self`, or zero if `earlier` is later.
    pub fn saturating_duration_since(self, earlier: Uptime) -> Duration {
        Duration::from_nanos(self.0.saturating_sub(earlier.0))
    }
}

impl fmt::Display for Uptime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}ms", self.as_millis())
    }
}

/// The process's clock origin: the `Instant` [`CLOCK_ORIGIN`] stands for and,
/// on Linux, the raw `CLOCK_MONOTONIC` nanoseconds read just after it (the
/// same clock `Instant` reads there), to place coarse readings and timer
/// deadlines on the same scale.
struct Origin {
    instant: Instant,
    #[cfg(target_os = "linux")]
    raw_origin: u64,
}

static ORIGIN: OnceLock<Origin> = OnceLock::new();

#[inline]
fn origin() -> &'static Origin {
    ORIGIN.get_or_init(|| {
        let instant = Instant::now();
        #[cfg(target_os = "linux")]
        let raw_origin = {
            let ts = rustix::time::clock_gettime(rustix::time::ClockId::Monotonic);
            timespec_nanos(ts.tv_sec, ts.tv_nsec)
        };
        Origin {
            instant,
            #[cfg(target_os = "linux")]
            raw_origin,
        }
    })
}

#[cfg(target_os = "linux")]
#[inline]
fn timespec_nanos(sec: i64, nsec: i64) -> u64 {
    u64::try_from(sec)
        .unwrap_or(0)
        .saturating_mul(1_000_000_000)
        .saturating_add(u64::try_from(nsec).unwrap_or(0))
}

/// Milliseconds of the process-wide monotonic clock (cf.
/// `SystemClock.uptimeMillis`). Counts from [`CLOCK_ORIGIN`] (1000 ms) at the
/// first read of the clock in this process.
pub fn uptime_millis() -> i64 {
    Uptime::now().as_millis()
}

/// A delay accepted by the `*_delayed` methods: a [`Duration`], or a number of
/// milliseconds as in Android, where a negative value means "no delay" (cf.
/// `Handler.sendMessageDelayed`, which clamps negative delays to 0).
pub trait IntoDelay {
    /// The delay in nanoseconds, saturating.
    fn into_delay_nanos(self) -> u64;
}

impl IntoDelay for Duration {
    fn into_delay_nanos(self) -> u64 {
        u64::try_from(self.as_nanos()).unwrap_or(u64::MAX)
    }
}

impl IntoDelay for i64 {
    fn into_delay_nanos(self) -> u64 {
        if self <= 0 {
            0
        } else {
            (self as u64).saturating_mul(1_000_000)
        }
    }
}

impl IntoDelay for i32 {
    fn into_delay_nanos(self) -> u64 {
        i64::from(self).into_delay_nanos()
    }
}

impl IntoDelay for u64 {
    fn into_delay_nanos(self) -> u64 {
        self.saturating_mul(1_000_000)
    }
}

impl IntoDelay for u32 {
    fn into_delay_nanos(self) -> u64 {
        u64::from(self).saturating_mul(1_000_000)
    }
}

/// A clock the tests move by hand (used by [`crate::TestLooper`]).
///
/// Cloning shares the clock. It starts at [`CLOCK_ORIGIN`] and only ever moves
/// forward.
#[derive(Debug, Clone)]
pub struct ManualClock {
    nanos: Arc<AtomicU64>,
}

impl Default for ManualClock {
    fn default() -> Self {
        Self::new()
    }
}

impl ManualClock {
    /// A new clock reading [`CLOCK_ORIGIN`].
    pub fn new() -> ManualClock {
        ManualClock {
            nanos: Arc::new(AtomicU64::new(CLOCK_ORIGIN.as_nanos())),
        }
    }

    /// The current reading.
    pub fn now(&self) -> Uptime {
        Uptime(self.nanos.load(Ordering::Acquire))
    }

    /// Moves the clock forward by `d` (saturating).
    pub fn advance(&self, d: Duration) {
        let add = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        // fetch_update never fails with a closure that always returns Some.
        let _ = self
            .nanos
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                Some(n.saturating_add(add))
            });
    }

    /// Moves the clock to `t` if `t` is later than the current reading; a
    /// manual clock never goes backwards.
    pub fn advance_to(&self, t: Uptime) {
        self.nanos.fetch_max(t.as_nanos(), Ordering::AcqRel);
    }
}

/// The clock a queue reads.
#[derive(Debug, Clone)]
pub(crate) enum Clock {
    Monotonic,
    Manual(ManualClock),
}

impl Clock {
    #[inline]
    pub(crate) fn now(&self) -> Uptime {
        match self {
            Clock::Monotonic => Uptime::now(),
            Clock::Manual(c) => c.now(),
        }
    }
}
