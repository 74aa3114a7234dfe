//! Small shared types: ticks, priorities, block times, task ids, modes.

/// A count of scheduler ticks (cf. `TickType_t`, here always 64 bits so it never wraps).
pub type Tick = u64;

/// A task priority; higher numbers are more urgent (cf. `UBaseType_t uxPriority`).
pub type Priority = u32;

/// Identifies a task of one port (cf. `TaskHandle_t`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaskId(pub(crate) usize);

impl TaskId {
    /// The task's index in its port, in creation order starting at 0.
    pub fn index(self) -> usize {
        self.0
    }
}

/// How long a call may block (cf. the `xTicksToWait` argument).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BlockTime {
    /// Return at once (cf. a block time of 0).
    NoWait,
    /// Wait at most this many ticks; `Ticks(0)` is the same as `NoWait`.
    Ticks(Tick),
    /// Wait without limit (cf. `portMAX_DELAY` with `INCLUDE_vTaskSuspend`).
    Forever,
}

impl BlockTime {
    pub(crate) fn is_zero(self) -> bool {
        matches!(self, BlockTime::NoWait | BlockTime::Ticks(0))
    }

    /// Absolute deadline from `now`; `None` means never.
    pub(crate) fn deadline(self, now: Tick) -> Option<Tick> {
        match self {
            BlockTime::NoWait => Some(now),
            BlockTime::Ticks(n) => Some(now.saturating_add(n)),
            BlockTime::Forever => None,
        }
    }
}

impl From<Tick> for BlockTime {
    fn from(n: Tick) -> Self {
        BlockTime::Ticks(n)
    }
}

/// How mutexes propagate priority.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum InheritanceMode {
    /// Exactly FreeRTOS's rules: the direct holder inherits when a take is about to block,
    /// no chaining, base priority back only when every mutex is given back, disinheritance
    /// after a waiter's time-out only for a holder of exactly one mutex.
    #[default]
    FreeRtos,
    /// Transitive inheritance through chains of blocked holders, exact recomputation with
    /// several mutexes held, and deadlock detection (`Err(Deadlock)` instead of blocking).
    Chained,
}

/// Which port a kernel runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PortKind {
    /// The deterministic single-core simulator.
    Sim,
    /// Free-running host threads.
    Host,
}
