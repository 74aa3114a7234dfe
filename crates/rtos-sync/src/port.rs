//! Ports (cf. FreeRTOS's portable layer): the deterministic [`SimPort`] and the real-thread
//! [`HostPort`], both behind the [`Port`] trait, plus the [`TaskContext`] a task receives.

use crate::kernel::sync::Arc;
use std::time::Duration;

use crate::error::Result;
use crate::kernel::Kernel;
use crate::trace::Trace;
use crate::types::{InheritanceMode, PortKind, Priority, TaskId, Tick};

/// An opaque reference to a port's kernel; objects are created against it.
#[derive(Clone)]
pub struct PortHandle {
    pub(crate) k: Arc<Kernel>,
}

impl std::fmt::Debug for PortHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PortHandle")
            .field("kind", &self.k.kind)
            .field("mode", &self.k.mode)
            .finish()
    }
}

/// Settings shared by both ports.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PortConfig {
    /// Inheritance rules for every mutex of the port (default: exactly FreeRTOS's).
    pub mode: InheritanceMode,
    /// Number of priorities; valid priorities are `0..max_priorities`
    /// (cf. `configMAX_PRIORITIES`, default 32).
    pub max_priorities: Priority,
    /// HostPort only: real length of one tick (default 1 ms, cf. `configTICK_RATE_HZ` 1000).
    pub tick: Duration,
}

impl Default for PortConfig {
    fn default() -> Self {
        PortConfig {
            mode: InheritanceMode::FreeRtos,
            max_priorities: 32,
            tick: Duration::from_millis(1),
        }
    }
}

impl PortConfig {
    /// Sets the inheritance mode.
    pub fn with_mode(mut self, mode: InheritanceMode) -> Self {
        self.mode = mode;
        self
    }

    /// Sets the number of priorities.
    pub fn with_max_priorities(mut self, n: Priority) -> Self {
        self.max_priorities = n;
        self
    }

    /// Sets the HostPort tick length.
    pub fn with_tick(mut self, tick: Duration) -> Self {
        self.tick = tick;
        self
    }
}

/// The portable layer: what the queue, semaphore and mutex logic needs from a platform.
///
/// All logic lives in the shared kernel; a port decides how a blocked task waits and what
/// time is. Scenario code written against `P: Port` runs unchanged on both ports.
pub trait Port: Send + Sync {
    /// The kernel objects are created against.
    fn handle(&self) -> &PortHandle;

    /// Creates a task (cf. `xTaskCreate`). On SimPort it runs once [`Port::run`] schedules it;
    /// on HostPort its thread starts at once. Fails for a priority `>= max_priorities`.
    fn spawn<F>(&self, name: &str, priority: Priority, f: F) -> Result<TaskId>
    where
        F: FnOnce(&TaskContext) + Send + 'static,
    {
        Kernel::spawn(&self.handle().k, name, priority, Box::new(f))
    }

    /// SimPort: runs the simulation until every task has returned, and returns the final
    /// tick, or `Err(AllBlocked)` when the remaining tasks can never run again.
    /// HostPort: waits for every spawned task to return. A panic in a task is re-raised here.
    fn run(&self) -> Result<Tick> {
        self.handle().k.run()
    }

    /// Current tick (cf. `xTaskGetTickCount`).
    fn now(&self) -> Tick {
        self.handle().k.now()
    }

    /// Effective (possibly inherited) priority (cf. `uxTaskPriorityGet`).
    fn priority(&self, task: TaskId) -> Result<Priority> {
        self.handle().k.priority(task)
    }

    /// Base priority, the one set at creation or by [`Port::set_priority`].
    fn base_priority(&self, task: TaskId) -> Result<Priority> {
        self.handle().k.base_priority(task)
    }

    /// Sets a task's base priority (cf. `vTaskPrioritySet`). While the task holds an inherited
    /// priority the effective priority changes only if the new one is higher; the rest takes
    /// effect when the inheritance ends.
    fn set_priority(&self, task: TaskId, priority: Priority) -> Result<()> {
        self.handle().k.set_priority(task, priority)
    }

    /// The name a task was created with (cf. `pcTaskGetName`).
    fn task_name(&self, task: TaskId) -> Result<String> {
        self.handle().k.name_of(task)
    }

    /// Which port this is.
    fn kind(&self) -> PortKind {
        self.handle().k.kind
    }

    /// The inheritance mode of this port's mutexes.
    fn mode(&self) -> InheritanceMode {
        self.handle().k.mode
    }
}

/// The deterministic single-core simulator.
///
/// Each task is a closure on its own thread, but exactly one runs at a time: the
/// highest-priority ready task, FIFO among equals (a preempted task resumes first, a task
/// that yields or uses up a tick slice goes last). Time is virtual: ticks pass only in
/// [`TaskContext::busy`] or, when every task is blocked, by jumping straight to the next
/// time-out or interrupt. The schedule depends only on the program, so the [`Trace`] of a
/// given scenario is always the same.
///
/// ```
/// use rtos_sync::{BlockTime, Port, Queue, SimPort};
///
/// let sim = SimPort::new();
/// let q = Queue::new(&sim, 2).unwrap();
/// let tx = q.clone();
/// sim.spawn("producer", 1, move |cx| {
///     cx.delay(10);
///     tx.send(7u32, BlockTime::Forever).unwrap();
/// })
/// .unwrap();
/// sim.spawn("consumer", 2, move |cx| {
///     assert_eq!(q.receive(BlockTime::Forever).unwrap(), 7);
///     assert_eq!(cx.now(), 10);
/// })
/// .unwrap();
/// assert_eq!(sim.run().unwrap(), 10);
/// ```
pub struct SimPort {
    h: PortHandle,
}

impl std::fmt::Debug for SimPort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimPort")
            .field("mode", &self.h.k.mode)
            .finish()
    }
}

impl Default for SimPort {
    fn default() -> Self {
        Self::new()
    }
}

impl SimPort {
    /// A simulator with FreeRTOS inheritance rules and 32 priorities.
    pub fn new() -> Self {
        Self::with_config(PortConfig::default())
    }

    /// A simulator with the given settings (`tick` is ignored).
    pub fn with_config(c: PortConfig) -> Self {
        SimPort {
            h: PortHandle {
                k: Kernel::new(PortKind::Sim, c.mode, c.tick, c.max_priorities),
            },
        }
    }

    /// Runs `isr` in simulated interrupt context when virtual time reaches `tick`, after the
    /// time-outs of that tick. It may call only `*_from_isr` functions; task-level calls fail
    /// with [`Error::InIsr`](crate::Error::InIsr). Tasks it wakes run after it returns (cf. `portYIELD_FROM_ISR`).
    pub fn isr_at<F>(&self, tick: Tick, isr: F)
    where
        F: FnOnce() + Send + 'static,
    {
        self.h.k.add_isr(tick, Box::new(isr));
    }

    /// Who ran when and every priority change so far.
    pub fn trace(&self) -> Trace {
        self.h.k.trace()
    }

    /// Number of times the CPU was handed to a task so far (context switches, including
    /// the first dispatch and round-robin hand-overs).
    pub fn context_switches(&self) -> u64 {
        self.h.k.switches()
    }
}

impl Port for SimPort {
    fn handle(&self) -> &PortHandle {
        &self.h
    }
}

impl Drop for SimPort {
    fn drop(&mut self) {
        self.h.k.shutdown();
    }
}

/// Free-running std threads on real time.
///
/// Priorities are logical: they order wait lists (highest first, FIFO among equals) and
/// drive the inheritance bookkeeping exactly as on SimPort, but are not mapped onto OS
/// scheduling priorities (that needs privileges the typical host lacks). Threads that are not
/// tasks of the port may use its objects too; they are adopted as tasks of priority 0 when
/// they first need a task identity (an uncontended mutex take or queue operation on the
/// lock-free path does not adopt). A task about to block first polls for up to about 50 us
/// (a short spin, then `yield_now`) before it parks its thread, so short waits cost no system
/// call; block times are unaffected (ticks are 1 ms by default).
pub struct HostPort {
    h: PortHandle,
}

impl std::fmt::Debug for HostPort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostPort")
            .field("mode", &self.h.k.mode)
            .finish()
    }
}

impl Default for HostPort {
    fn default() -> Self {
        Self::new()
    }
}

impl HostPort {
    /// A host port with 1 ms ticks and FreeRTOS inheritance rules.
    pub fn new() -> Self {
        Self::with_config(PortConfig::default())
    }

    /// A host port with the given settings.
    pub fn with_config(c: PortConfig) -> Self {
        let tick = if c.tick.is_zero() {
            Duration::from_nanos(1)
        } else {
            c.tick
        };
        HostPort {
            h: PortHandle {
                k: Kernel::new(PortKind::Host, c.mode, tick, c.max_priorities),
            },
        }
    }
}

impl Port for HostPort {
    fn handle(&self) -> &PortHandle {
        &self.h
    }
}

/// What a task receives: its identity and the task-level API of its port.
///
/// Valid only on the task's own thread (it is not `Send`-able out of the closure by
/// reference).
#[derive(Clone)]
pub struct TaskContext {
    pub(crate) k: Arc<Kernel>,
    pub(crate) me: TaskId,
}

impl std::fmt::Debug for TaskContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TaskContext")
            .field("task", &self.me)
            .finish()
    }
}

impl TaskContext {
    /// This task (cf. `xTaskGetCurrentTaskHandle`).
    pub fn id(&self) -> TaskId {
        self.me
    }

    /// Current tick (cf. `xTaskGetTickCount`).
    pub fn now(&self) -> Tick {
        self.k.now()
    }

    /// Blocks for `ticks` ticks (cf. `vTaskDelay`); 0 only yields.
    pub fn delay(&self, ticks: Tick) {
        if ticks == 0 {
            self.yield_now();
            return;
        }
        let wake = self.k.now().saturating_add(ticks);
        let _ = self.k.delay_until_tick(self.me.0, wake);
    }

    /// Blocks until `*previous + increment` and advances `*previous` by `increment`, for
    /// fixed-rate loops (cf. `xTaskDelayUntil`). Returns `false` without blocking when that
    /// time has already passed.
    pub fn delay_until(&self, previous: &mut Tick, increment: Tick) -> bool {
        let wake = previous.saturating_add(increment);
        *previous = wake;
        if wake <= self.k.now() {
            return false;
        }
        let _ = self.k.delay_until_tick(self.me.0, wake);
        true
    }

    /// Lets other ready tasks of the same priority run (cf. `taskYIELD`).
    pub fn yield_now(&self) {
        let _ = self.k.yield_now(self.me.0);
    }

    /// Uses `ticks` ticks of CPU time. On SimPort virtual time advances while this task runs,
    /// with preemption and time slicing at each tick; on HostPort the thread sleeps that long.
    pub fn busy(&self, ticks: Tick) {
        let _ = self.k.busy(self.me.0, ticks);
    }

    /// Effective priority of this task.
    pub fn priority(&self) -> Priority {
        self.k.priority(self.me).unwrap_or(0)
    }

    /// Sets this task's base priority (cf. `vTaskPrioritySet(NULL, ..)`).
    pub fn set_priority(&self, priority: Priority) -> Result<()> {
        self.k.set_priority(self.me, priority)
    }

    /// Records a label in the SimPort trace (no-op on HostPort).
    pub fn mark(&self, label: impl Into<String>) {
        self.k.mark(self.me.0, label.into());
    }

    /// The port's handle, to create objects from inside a task.
    pub fn handle(&self) -> PortHandle {
        PortHandle {
            k: Arc::clone(&self.k),
        }
    }
}

impl Port for PortHandle {
    fn handle(&self) -> &PortHandle {
        self
    }
}
