//! Pixel format conversion and scaling (cf. libswscale).
//!
//! This crate is being built in issue #6; for now it only reserves its place
//! in the layered workspace (level 1, uses only `avutil`).
#![forbid(unsafe_code)]
