//! Placeholder main, replaced in the next commit.
fn main() {}
