//! FreeRTOS-style queues, semaphores and priority-inheritance mutexes.
//!
//! This crate is being built in issue #4; for now it only reserves its place
//! in the layered workspace (level 0, beside `avutil`).
#![forbid(unsafe_code)]
