//! `ffw`: the ffmpeg-compatible command line of fastforward.
//!
//! The option syntax is ffmpeg's (`ffw [global options] {[input options] -i
//! INPUT}... {[output options] OUTPUT}...`). Options that fastforward does
//! not support are rejected with a message naming them; nothing is silently
//! ignored. Exit status 0 on success, 1 on any error.

use std::process::ExitCode;
use std::time::Instant;

mod cli;
mod listing;
mod pipeline;

use cli::Action;
use fastforward::avutil::LogLevel;

fn banner() -> String {
    format!(
        "ffw version {} (fastforward, pure Rust) Copyright (c) the fastforward developers\n  licence MIT OR Apache-2.0",
        env!("CARGO_PKG_VERSION")
    )
}

const HELP: &str = "usage: ffw [options] [[infile options] -i infile]... {[outfile options] outfile}...

Information options:
-h                  show help
-version            show version
-formats            show available formats
-codecs             show available codecs
-pix_fmts           show available pixel formats
-sample_fmts        show available audio sample formats
-layouts            show standard channel layouts

Global options:
-loglevel loglevel  set logging level (-v)
-y / -n             overwrite / never overwrite output files
-hide_banner        do not show program banner
-benchmark          show benchmarking information at the end
-stats / -nostats   print / do not print the progress report
-nostdin            never read from standard input
-threads N          worker threads

Per-file options (before -i for inputs, before the file name for outputs):
-f fmt              force format
-ss / -t / -to      start position, duration, end position
-c[:spec] codec     codec name or 'copy' (-vcodec, -acodec)
-map [-]i[:spec]    choose streams; -an / -vn drop audio / video
-frames[:spec] n    stop after n frames (-vframes)
-b[:spec] rate      bit rate; -q[:spec] q quantizer; -g gop; -bf b-frames
-maxrate / -bufsize / -intra_matrix / -inter_matrix   video encoder options
-pix_fmt / -sample_fmt / -ar / -ac / -s / -framerate / -r
-metadata k=v       set metadata; -fflags +bitexact write no version strings

Inputs: files, '-' or 'pipe:' for stdin, and -f lavfi sources (testsrc, testsrc2, color, sine, anullsrc).";

/// CPU times of this process (user, system) and peak memory, via getrusage.
fn rusage() -> (f64, f64, i64) {
    match nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_SELF) {
        Ok(u) => {
            let t = |tv: nix::sys::time::TimeVal| tv.tv_sec() as f64 + tv.tv_usec() as f64 / 1e6;
            (t(u.user_time()), t(u.system_time()), u.max_rss())
        }
        Err(_) => (0.0, 0.0, 0),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cli = match cli::parse(&args) {
        Ok(c) => c,
        Err(msg) => {
            eprintln!("{msg}");
            return ExitCode::FAILURE;
        }
    };
    env_logger::Builder::new()
        .filter_level(cli.loglevel.to_filter())
        .format_target(false)
        .format_timestamp(None)
        .init();
    if !cli.hide_banner && cli.loglevel >= LogLevel::Info && !cli.actions.contains(&Action::Version)
    {
        eprintln!("{}", banner());
    }
    if !cli.actions.is_empty() {
        for a in &cli.actions {
            let text = match a {
                Action::Version => banner(),
                Action::Help => HELP.to_owned(),
                Action::PixFmts => listing::pix_fmts(),
                Action::SampleFmts => listing::sample_fmts(),
                Action::Layouts => listing::layouts(),
                Action::Codecs => fastforward::default::codecs().list_codecs(),
                Action::Formats => fastforward::default::formats().list_formats(),
            };
            println!("{text}");
        }
        return ExitCode::SUCCESS;
    }
    if cli.inputs.is_empty() && cli.outputs.is_empty() {
        eprintln!(
            "Hyper fast Audio and Video encoder\nusage: ffw [options] [[infile options] -i infile]... {{[outfile options] outfile}}...\n"
        );
        eprintln!("Use -h to get full help");
        return ExitCode::FAILURE;
    }
    let mut t = match pipeline::Transcoder::open(&cli) {
        Ok(t) => t,
        Err(msg) => {
            eprintln!("{msg}");
            return ExitCode::FAILURE;
        }
    };
    let (u0, s0, _) = rusage();
    let wall = Instant::now();
    let result = t.run();
    let (u1, s1, maxrss) = rusage();
    if let Err(msg) = result {
        t.remove_empty_outputs();
        eprintln!("{msg}");
        return ExitCode::FAILURE;
    }
    if cli.benchmark {
        eprintln!(
            "bench: utime={:.3}s stime={:.3}s rtime={:.3}s",
            u1 - u0,
            s1 - s0,
            wall.elapsed().as_secs_f64()
        );
        eprintln!("bench: maxrss={maxrss}kB");
    }
    ExitCode::SUCCESS
}
