//! Helpers shared by the scenarios.

use std::sync::{Arc, Mutex};

/// A shared, ordered log of `(tick, text)`.
#[derive(Clone, Default)]
pub(crate) struct Log(Arc<Mutex<Vec<(u64, String)>>>);

impl Log {
    pub(crate) fn new() -> Self {
        Self::default()
    }
    pub(crate) fn push(&self, tick: u64, s: impl Into<String>) {
        self.0.lock().unwrap().push((tick, s.into()));
    }
    pub(crate) fn get(&self) -> Vec<(u64, String)> {
        self.0.lock().unwrap().clone()
    }
    pub(crate) fn texts(&self) -> Vec<String> {
        self.get().into_iter().map(|x| x.1).collect()
    }
}
