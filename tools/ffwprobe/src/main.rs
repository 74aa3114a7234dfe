//! `ffwprobe`: the ffprobe-compatible command line of fastforward.
//!
//! Probing lands with the media core; this build answers `-version` and
//! rejects everything else with a message naming what is not supported yet.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("-version" | "--version") => {
            println!(
                "ffwprobe version {} (fastforward, pure Rust)",
                env!("CARGO_PKG_VERSION")
            );
            ExitCode::SUCCESS
        }
        Some(other) => {
            eprintln!(
                "{other}: probing is not available yet in this build of ffwprobe (only -version)"
            );
            ExitCode::FAILURE
        }
        None => {
            eprintln!("Simple multimedia streams analyzer\nusage: ffwprobe [OPTIONS] INPUT_FILE");
            ExitCode::FAILURE
        }
    }
}
