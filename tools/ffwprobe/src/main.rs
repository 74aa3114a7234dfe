//! `ffwprobe`: the ffprobe-compatible command line of fastforward.
//!
//! `ffwprobe [-v LEVEL] [-of default|json|csv|compact] [-show_format] [-show_streams]
//! [-show_packets] [-show_frames] [-select_streams SPEC] [-count_frames] [-count_packets] INPUT`
//! prints the same sections, field names and value formats as ffprobe 5.1.

use std::process::ExitCode;

mod probe;
mod writer;

#[derive(Debug, Default)]
pub(crate) struct Options {
    pub(crate) format: Option<String>,
    pub(crate) writer: String,
    pub(crate) show_format: bool,
    pub(crate) show_streams: bool,
    pub(crate) show_packets: bool,
    pub(crate) show_frames: bool,
    pub(crate) count_frames: bool,
    pub(crate) count_packets: bool,
    pub(crate) select: Option<String>,
    pub(crate) input: Option<String>,
    pub(crate) loglevel: fastforward::avutil::LogLevel,
    pub(crate) hide_banner: bool,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        writer: "default".into(),
        ..Default::default()
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut val = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("Missing argument for option '{name}'."))
        };
        match a.as_str() {
            "-show_format" => o.show_format = true,
            "-show_streams" => o.show_streams = true,
            "-show_packets" => o.show_packets = true,
            "-show_frames" => o.show_frames = true,
            "-count_frames" => o.count_frames = true,
            "-count_packets" => o.count_packets = true,
            "-hide_banner" => o.hide_banner = true,
            "-of" | "-print_format" | "-output_format" => {
                let w = val(&a[1..])?;
                let name = w.split([':', '=']).next().unwrap_or("").to_owned();
                if !matches!(name.as_str(), "default" | "json" | "csv" | "compact") {
                    return Err(format!("Unknown output format with name '{name}'"));
                }
                o.writer = name;
            }
            "-select_streams" => o.select = Some(val("select_streams")?),
            "-f" => o.format = Some(val("f")?),
            "-v" | "-loglevel" => {
                let v = val(&a[1..])?;
                o.loglevel = fastforward::avutil::LogLevel::parse(&v).map_err(|e| e.to_string())?;
            }
            "-i" => o.input = Some(val("i")?),
            "-version" => {
                println!(
                    "ffwprobe version {} (fastforward, pure Rust)",
                    env!("CARGO_PKG_VERSION")
                );
                std::process::exit(0);
            }
            s if s.starts_with('-') && s.len() > 1 => {
                return Err(format!(
                    "Unrecognized option '{}'.\nFailed to set value '{}' for option '{}': Option not found",
                    &s[1..],
                    it.next().map_or("", |s| s.as_str()),
                    &s[1..]
                ));
            }
            s => {
                if o.input.is_some() {
                    return Err(format!(
                        "Argument '{s}' provided as input filename, but '{}' was already specified.",
                        o.input.as_deref().unwrap_or("")
                    ));
                }
                o.input = Some(s.to_owned());
            }
        }
    }
    Ok(o)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let opts = match parse(&args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    env_logger::Builder::new()
        .filter_level(opts.loglevel.to_filter())
        .format_target(false)
        .format_timestamp(None)
        .init();
    let Some(input) = opts.input.clone() else {
        eprintln!(
            "Simple multimedia streams analyzer\nusage: ffwprobe [OPTIONS] INPUT_FILE\n\nYou have to specify one input file."
        );
        return ExitCode::FAILURE;
    };
    match probe::run(&opts, &input) {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            if opts.loglevel >= fastforward::avutil::LogLevel::Error {
                eprintln!("{input}: {e}");
            }
            ExitCode::FAILURE
        }
    }
}
