//! rtos-sync integration tests: deterministic SimPort scenarios named after the FreeRTOS demo
//! they mirror, shared scenarios run on both ports, and HostPort stress.

// Scenario helpers outside `#[test]` functions unwrap too.
#![allow(clippy::unwrap_used)]

mod common;
mod host;
mod sim;
