//! SimPort traces and deadlock reports.

use std::fmt;
use std::sync::Arc;

use crate::types::{Priority, TaskId, Tick};

/// One entry of a [`Trace`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceEvent {
    /// Virtual tick at which it happened.
    pub tick: Tick,
    /// What happened.
    pub kind: TraceKind,
}

/// What a [`TraceEvent`] records.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TraceKind {
    /// This task started (or resumed) running; `None` means the CPU went idle.
    Run {
        /// The task now running.
        task: Option<TaskId>,
    },
    /// A task's effective priority changed (inheritance, disinheritance or
    /// [`Port::set_priority`](crate::Port::set_priority)).
    Priority {
        /// The task.
        task: TaskId,
        /// Old effective priority.
        from: Priority,
        /// New effective priority.
        to: Priority,
    },
    /// A label recorded by [`TaskContext::mark`](crate::TaskContext::mark).
    Mark {
        /// The marking task.
        task: TaskId,
        /// The label.
        label: String,
    },
}

/// The record of a simulation: who ran when and every priority change (SimPort only).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Trace {
    pub(crate) events: Vec<TraceEvent>,
    pub(crate) names: Vec<Arc<str>>,
}

impl Trace {
    /// All events in order.
    pub fn events(&self) -> &[TraceEvent] {
        &self.events
    }

    /// The name a task was spawned with.
    pub fn name(&self, task: TaskId) -> &str {
        self.names.get(task.0).map_or("?", |n| n)
    }

    /// Names of the tasks in the order they were switched to (idle left out).
    pub fn run_order(&self) -> Vec<String> {
        self.events
            .iter()
            .filter_map(|e| match e.kind {
                TraceKind::Run { task: Some(t) } => Some(self.name(t).to_string()),
                _ => None,
            })
            .collect()
    }

    /// `(tick, task name, label)` for every mark.
    pub fn marks(&self) -> Vec<(Tick, String, String)> {
        self.events
            .iter()
            .filter_map(|e| match &e.kind {
                TraceKind::Mark { task, label } => {
                    Some((e.tick, self.name(*task).to_string(), label.clone()))
                }
                _ => None,
            })
            .collect()
    }

    /// `(tick, from, to)` for every priority change of `task`.
    pub fn priority_changes(&self, task: TaskId) -> Vec<(Tick, Priority, Priority)> {
        self.events
            .iter()
            .filter_map(|e| match e.kind {
                TraceKind::Priority { task: t, from, to } if t == task => Some((e.tick, from, to)),
                _ => None,
            })
            .collect()
    }
}

impl fmt::Display for Trace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for e in &self.events {
            write!(f, "{:>6}  ", e.tick)?;
            match &e.kind {
                TraceKind::Run { task: Some(t) } => writeln!(f, "run   {}", self.name(*t))?,
                TraceKind::Run { task: None } => writeln!(f, "idle")?,
                TraceKind::Priority { task, from, to } => {
                    writeln!(f, "prio  {} {} -> {}", self.name(*task), from, to)?
                }
                TraceKind::Mark { task, label } => {
                    writeln!(f, "mark  {}: {}", self.name(*task), label)?
                }
            }
        }
        Ok(())
    }
}

/// A blocked task in a [`DeadlockReport`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockedTask {
    /// The task.
    pub task: TaskId,
    /// Its name.
    pub name: String,
    /// What kind of object it waits on (`"queue"`, `"mutex"`, ...; `"nothing"` when suspended
    /// forever by a delay, which cannot happen with the public API).
    pub object_kind: &'static str,
    /// The holder of the mutex it waits for, if it waits for a held mutex.
    pub holder: Option<TaskId>,
}

/// Who waited for what when SimPort found every task blocked forever.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadlockReport {
    /// Virtual time of the detection.
    pub tick: Tick,
    /// Every task that was still blocked.
    pub blocked: Vec<BlockedTask>,
}

impl fmt::Display for DeadlockReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "deadlock at tick {}:", self.tick)?;
        for b in &self.blocked {
            write!(f, "  {} waits on a {}", b.name, b.object_kind)?;
            if let Some(h) = b.holder {
                write!(f, " held by task #{}", h.0)?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}
