//! `just layering`: fails when a workspace crate depends on one at its own level or above.

use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let out = match Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .output()
    {
        Ok(o) if o.status.success() => o,
        Ok(o) => {
            eprintln!(
                "layering: cargo metadata failed: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            return ExitCode::FAILURE;
        }
        Err(e) => {
            eprintln!("layering: cannot run cargo metadata: {e}");
            return ExitCode::FAILURE;
        }
    };
    let meta: serde_json::Value = match serde_json::from_slice(&out.stdout) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("layering: cargo metadata printed invalid JSON: {e}");
            return ExitCode::FAILURE;
        }
    };
    let edges = match fastforward_tests::layering::edges_from_metadata(&meta) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("layering: {e}");
            return ExitCode::FAILURE;
        }
    };
    match fastforward_tests::layering::check(&edges) {
        Ok(()) => {
            println!(
                "layering: {} edges between workspace crates, all pointing down",
                edges.len()
            );
            ExitCode::SUCCESS
        }
        Err(violations) => {
            for v in violations {
                eprintln!("layering: {v}");
            }
            ExitCode::FAILURE
        }
    }
}
