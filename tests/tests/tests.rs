//! Workspace integration tests: FATE-style checks of the tools' text output on
//! committed fixtures (snapshots reviewed with `cargo insta review`), and the
//! probe-anything robustness body on random inputs.

mod dump;
mod robustness;
