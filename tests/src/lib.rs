//! Workspace-wide checks and integration tests for fastforward.
//!
//! The library part holds checks that look at the workspace as a whole; the
//! first is the [`layering`] check that keeps dependencies pointing strictly
//! down the stack (`avutil`, `rtos-sync` < `looper`, `avcodec`, `swscale` <
//! `avformat` < `fastforward` < tools).
//!
//! ```
//! use fastforward_tests::layering::{check, Edge};
//! // avformat may use avcodec ...
//! assert!(check(&[Edge::new("avformat", "avcodec")]).is_ok());
//! // ... but avcodec may not use avformat, nor swscale its sibling avcodec.
//! assert!(check(&[Edge::new("avcodec", "avformat")]).is_err());
//! assert!(check(&[Edge::new("swscale", "avcodec")]).is_err());
//! ```

pub mod layering;
