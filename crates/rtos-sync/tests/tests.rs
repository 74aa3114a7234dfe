//! rtos-sync integration tests: deterministic SimPort scenarios named after the FreeRTOS demo
//! they mirror, shared scenarios run on both ports, and HostPort stress.

// Scenario helpers outside `#[test]` functions unwrap too.
#![allow(clippy::unwrap_used)]

#[cfg(not(loom))]
mod common;
#[cfg(not(loom))]
mod host;
#[cfg(loom)]
mod loom;
#[cfg(not(loom))]
mod sim;
