//! Android-style `Looper`, `Handler`, `MessageQueue` and `Message`.
//!
//! This crate is being built in issue #5; for now it only reserves its place
//! in the layered workspace (level 1, may use `rtos-sync`).
#![forbid(unsafe_code)]
