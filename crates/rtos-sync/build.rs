//! Declares the `loom` cfg used by the loom models (see `tests/loom/mod.rs`).

fn main() {
    println!("cargo::rustc-check-cfg=cfg(loom)");
}
