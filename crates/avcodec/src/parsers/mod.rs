//! Implementations of [`crate::parser::Parser`].

pub mod mpegaudio;
