//! Integration tests for `looper`: ports of Android's CTS cases for Handler,
//! Looper, MessageQueue, Message and HandlerThread, plus the test looper,
//! logging, file-descriptor watching and a cross-thread stress test.

// Test helpers may unwrap, like the tests themselves (see clippy.toml).
#![allow(clippy::unwrap_used)]

#[path = "cases/common.rs"]
mod common;

#[path = "cases/fd.rs"]
mod fd;
#[path = "cases/handler.rs"]
mod handler;
#[path = "cases/handler_thread.rs"]
mod handler_thread;
#[path = "cases/logging.rs"]
mod logging;
#[path = "cases/looper.rs"]
mod looper;
#[path = "cases/message.rs"]
mod message;
#[path = "cases/queue.rs"]
mod queue;
#[path = "cases/stress.rs"]
mod stress;
#[path = "cases/test_looper.rs"]
mod test_looper;
