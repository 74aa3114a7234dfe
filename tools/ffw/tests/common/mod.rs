//! What the ffw command-line tests share: running the binary from the repository root.

use std::path::PathBuf;
use std::process::Command;

/// The repository root (fixtures and references are named from there).
pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `ffw -nostdin -v quiet ARGS` in the repository root; its standard output.
pub(crate) fn ffw(args: &[&str]) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_ffw"))
        .args(["-nostdin", "-v", "quiet"])
        .args(args)
        .current_dir(root())
        .output()
        .expect("ffw runs");
    assert!(out.status.success(), "ffw {args:?} failed");
    out.stdout
}

/// A reference file of tests/ref.
pub(crate) fn reference(name: &str) -> String {
    std::fs::read_to_string(root().join("tests/ref").join(name)).expect("reference exists")
}

/// The frame lines of a framemd5 text (the header names the writing software).
pub(crate) fn frame_lines(text: &str) -> Vec<&str> {
    text.lines().filter(|l| !l.starts_with('#')).collect()
}
