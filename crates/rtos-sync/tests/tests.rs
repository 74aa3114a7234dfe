//! rtos-sync integration tests: deterministic SimPort scenarios named after the FreeRTOS demo
//! they mirror, shared scenarios run on both ports, and HostPort stress.

mod common;
mod host;
mod sim;
