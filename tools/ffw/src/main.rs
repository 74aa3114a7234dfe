//! `ffw`: the ffmpeg-compatible command line of fastforward.
//!
//! The option syntax is ffmpeg's. Options that fastforward does not support
//! yet are rejected with a message naming them; nothing is silently ignored.

use std::process::ExitCode;

mod listing;

use fastforward::avutil::LogLevel;

/// What the command line asked for.
#[derive(Debug, PartialEq, Eq)]
enum Action {
    Version,
    Help,
    PixFmts,
    SampleFmts,
    Layouts,
}

#[derive(Debug)]
struct Cli {
    hide_banner: bool,
    loglevel: LogLevel,
    actions: Vec<Action>,
}

/// A command-line error, printed ffmpeg-style and mapped to exit status 1.
#[derive(Debug, PartialEq, Eq)]
struct CliError(String);

fn parse(args: &[String]) -> Result<Cli, CliError> {
    let mut cli = Cli {
        hide_banner: false,
        loglevel: LogLevel::Info,
        actions: Vec::new(),
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "-hide_banner" => cli.hide_banner = true,
            "-v" | "-loglevel" => {
                let v = it.next().ok_or_else(|| {
                    CliError(format!("Missing argument for option '{}'.", &arg[1..]))
                })?;
                cli.loglevel = LogLevel::parse(v)
                    .map_err(|e| CliError(format!("Invalid loglevel \"{v}\": {e}")))?;
            }
            "-version" | "--version" => cli.actions.push(Action::Version),
            "-h" | "-help" | "--help" | "-?" => cli.actions.push(Action::Help),
            "-pix_fmts" => cli.actions.push(Action::PixFmts),
            "-sample_fmts" => cli.actions.push(Action::SampleFmts),
            "-layouts" => cli.actions.push(Action::Layouts),
            a if a.starts_with('-') && a.len() > 1 => {
                return Err(CliError(format!(
                    "Unrecognized option '{}'.\nError splitting the argument list: Option not found",
                    &a[1..]
                )));
            }
            other => {
                return Err(CliError(format!(
                    "{other}: transcoding is not available yet in this build of ffw (only -version, -pix_fmts, -sample_fmts, -layouts)"
                )));
            }
        }
    }
    Ok(cli)
}

fn banner() -> String {
    format!(
        "ffw version {} (fastforward, pure Rust) Copyright (c) the fastforward developers\n  licence MIT OR Apache-2.0",
        env!("CARGO_PKG_VERSION")
    )
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cli = match parse(&args) {
        Ok(c) => c,
        Err(CliError(msg)) => {
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
    if cli.actions.is_empty() {
        println!(
            "Hyper fast Audio and Video encoder\nusage: ffw [options] [[infile options] -i infile]... {{[outfile options] outfile}}...\n"
        );
        println!("Use -h to get full help or, even better, run 'man ffw'");
        return ExitCode::FAILURE;
    }
    for a in &cli.actions {
        let text = match a {
            Action::Version => banner(),
            Action::Help => "usage: ffw [options] [[infile options] -i infile]... {[outfile options] outfile}...\n\nInformation options:\n-h                  show help\n-version            show version\n-pix_fmts           show available pixel formats\n-sample_fmts        show available audio sample formats\n-layouts            show standard channel layouts\n\nGlobal options:\n-loglevel loglevel  set logging level\n-v loglevel         set logging level\n-hide_banner        do not show program banner".to_owned(),
            Action::PixFmts => listing::pix_fmts(),
            Action::SampleFmts => listing::sample_fmts(),
            Action::Layouts => listing::layouts(),
        };
        println!("{text}");
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn parses_information_options() {
        let cli = parse(&args("-hide_banner -v error -pix_fmts -layouts")).unwrap();
        assert!(cli.hide_banner);
        assert_eq!(cli.loglevel, LogLevel::Error);
        assert_eq!(cli.actions, [Action::PixFmts, Action::Layouts]);
    }

    #[test]
    fn unknown_options_are_named() {
        let e = parse(&args("-frobnicate")).unwrap_err();
        assert!(e.0.starts_with("Unrecognized option 'frobnicate'."));
        assert!(parse(&args("-v")).unwrap_err().0.contains("'v'"));
        assert!(parse(&args("-v loud")).unwrap_err().0.contains("loud"));
        assert!(parse(&args("out.wav")).unwrap_err().0.contains("out.wav"));
    }
}
