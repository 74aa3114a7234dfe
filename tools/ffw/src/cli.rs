//! ffmpeg's command-line syntax: global options, then per-file options that
//! apply to the next `-i INPUT` or the next output file name.

use fastforward::avcodec::MediaType;
use fastforward::avutil::{
    ChannelLayout, LogLevel, PixelFormat, Rational, SampleFormat,
    parse::{parse_video_rate, parse_video_size},
    time::parse_duration,
};

/// Information actions (`-version`, `-pix_fmts`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    Version,
    Help,
    PixFmts,
    SampleFmts,
    Layouts,
    Codecs,
    Formats,
}

/// Which streams a per-stream option applies to (`-c:v`, `-b:a:0`, `-c:1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StreamSpec {
    All,
    Type(MediaType),
    TypeIndex(MediaType, usize),
    Index(usize),
}

impl StreamSpec {
    fn parse(s: &str) -> Option<StreamSpec> {
        let ty = |c: &str| match c {
            "v" | "V" => Some(MediaType::Video),
            "a" => Some(MediaType::Audio),
            "s" => Some(MediaType::Subtitle),
            "d" => Some(MediaType::Data),
            "t" => Some(MediaType::Attachment),
            _ => None,
        };
        let mut parts = s.split(':');
        let first = parts.next()?;
        let second = parts.next();
        if parts.next().is_some() {
            return None;
        }
        match (ty(first), second) {
            (Some(t), None) => Some(StreamSpec::Type(t)),
            (Some(t), Some(n)) => n.parse().ok().map(|n| StreamSpec::TypeIndex(t, n)),
            (None, None) => first.parse().ok().map(StreamSpec::Index),
            _ => None,
        }
    }

    /// Whether this spec selects the output stream number `index`, the `type_index`-th of `kind`.
    pub(crate) fn matches(self, index: usize, kind: MediaType, type_index: usize) -> bool {
        match self {
            StreamSpec::All => true,
            StreamSpec::Type(t) => t == kind,
            StreamSpec::TypeIndex(t, n) => t == kind && n == type_index,
            StreamSpec::Index(n) => n == index,
        }
    }
}

/// A per-stream option value list; the last matching entry wins.
#[derive(Debug, Clone)]
pub(crate) struct PerStream<T>(pub(crate) Vec<(StreamSpec, T)>);

impl<T> Default for PerStream<T> {
    fn default() -> Self {
        PerStream(Vec::new())
    }
}

impl<T: Clone> PerStream<T> {
    pub(crate) fn get(&self, index: usize, kind: MediaType, type_index: usize) -> Option<T> {
        self.0
            .iter()
            .rev()
            .find(|(s, _)| s.matches(index, kind, type_index))
            .map(|(_, v)| v.clone())
    }
}

/// `-map` argument: `[-]INPUT[:v|a|s|d][:N]` or `[-]INPUT:N`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MapSpec {
    pub(crate) negative: bool,
    pub(crate) input: usize,
    pub(crate) stream: StreamSpec,
    pub(crate) optional: bool,
}

fn parse_map(arg: &str) -> Result<MapSpec, String> {
    let bad = || format!("Invalid -map argument '{arg}'");
    let (negative, rest) = match arg.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, arg),
    };
    let (rest, optional) = match rest.strip_suffix('?') {
        Some(r) => (r, true),
        None => (rest, false),
    };
    let (input, spec) = match rest.split_once(':') {
        Some((i, s)) => (i, Some(s)),
        None => (rest, None),
    };
    let input: usize = input.parse().map_err(|_| bad())?;
    let stream = match spec {
        None => StreamSpec::All,
        Some(s) => StreamSpec::parse(s).ok_or_else(bad)?,
    };
    Ok(MapSpec {
        negative,
        input,
        stream,
        optional,
    })
}

/// Options of one input file.
#[derive(Debug, Clone, Default)]
pub(crate) struct InputSpec {
    pub(crate) url: String,
    pub(crate) format: Option<String>,
    pub(crate) sample_rate: Option<u32>,
    pub(crate) channels: Option<u32>,
    pub(crate) ch_layout: Option<ChannelLayout>,
    pub(crate) video_size: Option<(usize, usize)>,
    pub(crate) pix_fmt: Option<PixelFormat>,
    pub(crate) framerate: Option<Rational>,
    pub(crate) ss: Option<i64>,
    pub(crate) t: Option<i64>,
    pub(crate) to: Option<i64>,
    pub(crate) decoders: PerStream<String>,
}

/// Options of one output file.
#[derive(Debug, Clone, Default)]
pub(crate) struct OutputSpec {
    pub(crate) url: String,
    pub(crate) format: Option<String>,
    pub(crate) codecs: PerStream<String>,
    pub(crate) bitrates: PerStream<u64>,
    pub(crate) qscale: PerStream<f32>,
    pub(crate) frames: PerStream<u64>,
    pub(crate) gop: Option<u32>,
    pub(crate) bframes: Option<u32>,
    /// Video codec options passed as the encoder's private options (`-maxrate`, `-bufsize`,
    /// `-intra_matrix`, `-inter_matrix`).
    pub(crate) video_codec_opts: Vec<(String, String)>,
    pub(crate) size: Option<(usize, usize)>,
    pub(crate) pix_fmt: Option<PixelFormat>,
    pub(crate) rate: Option<Rational>,
    pub(crate) sample_rate: Option<u32>,
    pub(crate) channels: Option<u32>,
    pub(crate) sample_fmt: Option<SampleFormat>,
    pub(crate) ss: Option<i64>,
    pub(crate) t: Option<i64>,
    pub(crate) to: Option<i64>,
    pub(crate) maps: Vec<MapSpec>,
    pub(crate) no_video: bool,
    pub(crate) no_audio: bool,
    pub(crate) no_subtitle: bool,
    pub(crate) metadata: Vec<(String, String)>,
    pub(crate) bitexact: bool,
    pub(crate) sws_flags: Option<String>,
    /// `-fps_mode`: the video sync method of this output.
    pub(crate) fps_mode: Option<Vsync>,
}

/// How encoded video frames are timed (cf. ffmpeg's `-vsync` / `-fps_mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Vsync {
    /// As the muxer suits: `cfr`, `vfr`, or `passthrough`.
    Auto,
    /// Timestamps kept as they are.
    Passthrough,
    /// Constant rate: frames duplicated and dropped to fill every slot.
    Cfr,
    /// Frames with the same timestamp dropped; timestamps kept.
    Vfr,
    /// Timestamps dropped; the muxer makes them.
    Drop,
}

impl Vsync {
    fn parse(v: &str) -> Result<Self, String> {
        Ok(match v {
            "auto" | "-1" => Vsync::Auto,
            "passthrough" | "0" => Vsync::Passthrough,
            "cfr" | "1" => Vsync::Cfr,
            "vfr" | "2" => Vsync::Vfr,
            "drop" => Vsync::Drop,
            _ => {
                return Err(format!(
                    "invalid value '{v}' (auto, passthrough, cfr, vfr or drop)"
                ));
            }
        })
    }
}

/// The whole command line.
#[derive(Debug, Clone, Default)]
pub(crate) struct Cli {
    pub(crate) hide_banner: bool,
    pub(crate) loglevel: LogLevel,
    pub(crate) overwrite: Option<bool>,
    pub(crate) benchmark: bool,
    pub(crate) stats: bool,
    pub(crate) nostdin: bool,
    pub(crate) threads: usize,
    /// `-vsync`: the default video sync method of every output.
    pub(crate) vsync: Option<Vsync>,
    pub(crate) actions: Vec<Action>,
    pub(crate) inputs: Vec<InputSpec>,
    pub(crate) outputs: Vec<OutputSpec>,
}

/// Options collected since the last file.
#[derive(Debug, Default)]
struct Pending {
    input: InputSpec,
    output: OutputSpec,
    /// Names of options that only inputs take, seen since the last file.
    input_only: Vec<String>,
    /// Names of options that only outputs take.
    output_only: Vec<String>,
    /// The last per-file option seen since the last file name.
    last: Option<String>,
}

fn invalid(opt: &str, arg: &str, e: impl std::fmt::Display) -> String {
    format!("Invalid value '{arg}' for option '{opt}': {e}")
}

/// Parses the command line (without the program name).
pub(crate) fn parse(args: &[String]) -> Result<Cli, String> {
    let mut cli = Cli {
        stats: true,
        ..Default::default()
    };
    let mut p = Pending::default();
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        i += 1;
        if !arg.starts_with('-') || arg == "-" {
            // An output file.
            if !p.input_only.is_empty() {
                return Err(format!(
                    "Option {} (an input option) cannot be applied to output url {arg} -- you are trying to apply an input option to an output file or vice versa. Move this option before the file it belongs to.",
                    p.input_only[0]
                ));
            }
            let mut out = std::mem::take(&mut p.output);
            out.url = arg.clone();
            cli.outputs.push(out);
            p = Pending::default();
            continue;
        }
        let full = &arg[1..];
        let (name, spec) = match full.split_once(':') {
            Some((n, s)) => (n, Some(s)),
            None => (full, None),
        };
        let stream_spec = || -> Result<StreamSpec, String> {
            match spec {
                None => Ok(StreamSpec::All),
                Some(s) => {
                    StreamSpec::parse(s).ok_or_else(|| format!("Invalid stream specifier: {s}"))
                }
            }
        };
        // Options without an argument.
        match name {
            "y" => {
                cli.overwrite = Some(true);
                continue;
            }
            "n" => {
                cli.overwrite = Some(false);
                continue;
            }
            "hide_banner" => {
                cli.hide_banner = true;
                continue;
            }
            "benchmark" => {
                cli.benchmark = true;
                continue;
            }
            "stats" => {
                cli.stats = true;
                continue;
            }
            "nostats" => {
                cli.stats = false;
                continue;
            }
            "nostdin" => {
                cli.nostdin = true;
                continue;
            }
            "version" => {
                cli.actions.push(Action::Version);
                continue;
            }
            "h" | "help" | "-help" | "?" => {
                cli.actions.push(Action::Help);
                continue;
            }
            "pix_fmts" => {
                cli.actions.push(Action::PixFmts);
                continue;
            }
            "sample_fmts" => {
                cli.actions.push(Action::SampleFmts);
                continue;
            }
            "layouts" => {
                cli.actions.push(Action::Layouts);
                continue;
            }
            "codecs" => {
                cli.actions.push(Action::Codecs);
                continue;
            }
            "formats" => {
                cli.actions.push(Action::Formats);
                continue;
            }
            "an" => {
                p.output.no_audio = true;
                p.output_only.push("-an".into());
                continue;
            }
            "vn" => {
                p.output.no_video = true;
                p.output_only.push("-vn".into());
                continue;
            }
            "sn" => {
                p.output.no_subtitle = true;
                p.output_only.push("-sn".into());
                continue;
            }
            "bitexact" => {
                p.output.bitexact = true;
                continue;
            }
            _ => {}
        }
        let known = matches!(
            name,
            "v" | "loglevel"
                | "threads"
                | "f"
                | "i"
                | "ss"
                | "t"
                | "to"
                | "video_size"
                | "s"
                | "pix_fmt"
                | "framerate"
                | "r"
                | "ar"
                | "ac"
                | "ch_layout"
                | "idct"
                | "c"
                | "codec"
                | "vcodec"
                | "acodec"
                | "b"
                | "q"
                | "qscale"
                | "g"
                | "bf"
                | "maxrate"
                | "bufsize"
                | "intra_matrix"
                | "inter_matrix"
                | "sample_fmt"
                | "frames"
                | "vframes"
                | "aframes"
                | "map"
                | "sws_flags"
                | "vsync"
                | "fps_mode"
                | "metadata"
                | "fflags"
                | "flags"
                | "strict"
        );
        if !known {
            return Err(format!(
                "Unrecognized option '{full}'.\nError splitting the argument list: Option not found"
            ));
        }
        if !matches!(name, "v" | "loglevel" | "threads" | "i") {
            p.last = Some(format!("-{full}"));
        }
        let Some(val) = args.get(i) else {
            return Err(format!(
                "Missing argument for option '{name}'.\nError splitting the argument list: Invalid argument"
            ));
        };
        i += 1;
        let dur = |v: &str| parse_duration(v).map_err(|e| invalid(name, v, e));
        match name {
            "v" | "loglevel" => {
                cli.loglevel = LogLevel::parse(val).map_err(|e| invalid(name, val, e))?
            }
            "threads" => cli.threads = val.parse().map_err(|e| invalid(name, val, e))?,
            "i" => {
                if !p.output_only.is_empty() {
                    return Err(format!(
                        "Option {} (an output option) cannot be applied to input url {val} -- you are trying to apply an input option to an output file or vice versa. Move this option before the file it belongs to.",
                        p.output_only[0]
                    ));
                }
                let mut inp = std::mem::take(&mut p.input);
                inp.url = val.clone();
                inp.format = p.output.format.take().or(inp.format);
                inp.ss = p.output.ss.take().or(inp.ss);
                inp.t = p.output.t.take().or(inp.t);
                inp.to = p.output.to.take().or(inp.to);
                inp.pix_fmt = p.output.pix_fmt.take().or(inp.pix_fmt);
                inp.video_size = p.output.size.take().or(inp.video_size);
                inp.framerate = p.output.rate.take().or(inp.framerate);
                inp.sample_rate = p.output.sample_rate.take().or(inp.sample_rate);
                inp.channels = p.output.channels.take().or(inp.channels);
                inp.decoders = std::mem::take(&mut p.output.codecs);
                cli.inputs.push(inp);
                p = Pending::default();
            }
            // Options valid for both inputs and outputs: stored on the output side and
            // moved to the input if an `-i` follows.
            "f" => p.output.format = Some(val.clone()),
            "ss" => p.output.ss = Some(dur(val)?),
            "t" => p.output.t = Some(dur(val)?),
            "to" => p.output.to = Some(dur(val)?),
            "video_size" | "s" => {
                p.output.size = Some(parse_video_size(val).map_err(|e| invalid(name, val, e))?)
            }
            "pix_fmt" => {
                p.output.pix_fmt =
                    Some(PixelFormat::from_name(val).map_err(|e| invalid(name, val, e))?)
            }
            "framerate" => {
                p.input.framerate = Some(parse_video_rate(val).map_err(|e| invalid(name, val, e))?);
                p.input_only.push("-framerate".into());
            }
            "r" => p.output.rate = Some(parse_video_rate(val).map_err(|e| invalid(name, val, e))?),
            "ar" => {
                p.output.sample_rate = Some(
                    val.parse()
                        .ok()
                        .filter(|&r: &u32| r > 0)
                        .ok_or_else(|| invalid(name, val, "not a positive integer"))?,
                )
            }
            "ac" => {
                p.output.channels = Some(
                    val.parse()
                        .ok()
                        .filter(|&c: &u32| c > 0 && c <= 64)
                        .ok_or_else(|| invalid(name, val, "not a channel count"))?,
                )
            }
            "ch_layout" => {
                p.input.ch_layout =
                    Some(ChannelLayout::parse(val).map_err(|e| invalid(name, val, e))?);
                p.input_only.push("-ch_layout".into());
            }
            "idct" => {
                // The IDCT of our MPEG-1 decoder is always the bit-exact "simple" one.
                if !matches!(val.as_str(), "simple" | "auto" | "simplemmx" | "simpleauto") {
                    return Err(invalid(
                        name,
                        val,
                        "only 'simple' (the default) is supported",
                    ));
                }
            }
            "c" | "codec" => p.output.codecs.0.push((stream_spec()?, val.clone())),
            "vcodec" => p
                .output
                .codecs
                .0
                .push((StreamSpec::Type(MediaType::Video), val.clone())),
            "acodec" => p
                .output
                .codecs
                .0
                .push((StreamSpec::Type(MediaType::Audio), val.clone())),
            "b" => {
                p.output.bitrates.0.push((
                    stream_spec()?,
                    parse_bitrate(val).ok_or_else(|| invalid(name, val, "not a bit rate"))?,
                ));
                p.output_only.push(format!("-{full}"));
            }
            "q" | "qscale" => {
                p.output.qscale.0.push((
                    stream_spec()?,
                    val.parse().map_err(|e| invalid(name, val, e))?,
                ));
                p.output_only.push(format!("-{full}"));
            }
            "g" => {
                p.output.gop = Some(val.parse().map_err(|e| invalid(name, val, e))?);
                p.output_only.push("-g".into());
            }
            "bf" => {
                p.output.bframes = Some(val.parse().map_err(|e| invalid(name, val, e))?);
                p.output_only.push("-bf".into());
            }
            "maxrate" | "bufsize" => {
                parse_bitrate(val).ok_or_else(|| invalid(name, val, "not a bit rate"))?;
                p.output
                    .video_codec_opts
                    .push((name.to_owned(), val.to_owned()));
                p.output_only.push(format!("-{name}"));
            }
            // Checked by the encoder, which names the bad coefficient.
            "intra_matrix" | "inter_matrix" => {
                p.output
                    .video_codec_opts
                    .push((name.to_owned(), val.to_owned()));
                p.output_only.push(format!("-{name}"));
            }
            "sample_fmt" => {
                p.output.sample_fmt =
                    Some(SampleFormat::from_name(val).map_err(|e| invalid(name, val, e))?);
                p.output_only.push("-sample_fmt".into());
            }
            "frames" | "vframes" | "aframes" => {
                let spec = match name {
                    "vframes" => StreamSpec::Type(MediaType::Video),
                    "aframes" => StreamSpec::Type(MediaType::Audio),
                    _ => stream_spec()?,
                };
                p.output
                    .frames
                    .0
                    .push((spec, val.parse().map_err(|e| invalid(name, val, e))?));
                p.output_only.push(format!("-{full}"));
            }
            "map" => {
                p.output.maps.push(parse_map(val)?);
                p.output_only.push("-map".into());
            }
            "sws_flags" => p.output.sws_flags = Some(val.clone()),
            "vsync" => cli.vsync = Some(Vsync::parse(val).map_err(|e| invalid(name, val, e))?),
            "fps_mode" => {
                p.output.fps_mode = Some(Vsync::parse(val).map_err(|e| invalid(name, val, e))?);
                p.output_only.push("-fps_mode".into());
            }
            "metadata" => {
                let (k, v) = val
                    .split_once('=')
                    .ok_or_else(|| invalid(name, val, "expected key=value"))?;
                p.output.metadata.push((k.to_owned(), v.to_owned()));
                p.output_only.push("-metadata".into());
            }
            "fflags" | "flags" => {
                for f in val.split(['+', '-']).filter(|f| !f.is_empty()) {
                    if f != "bitexact" {
                        return Err(invalid(
                            name,
                            val,
                            format!("flag '{f}' is not supported (only bitexact)"),
                        ));
                    }
                }
                p.output.bitexact |= val.contains("+bitexact") || val == "bitexact";
            }
            "strict" => {
                if !matches!(
                    val.as_str(),
                    "-2" | "-1"
                        | "0"
                        | "1"
                        | "2"
                        | "very"
                        | "strict"
                        | "normal"
                        | "unofficial"
                        | "experimental"
                ) {
                    return Err(invalid(name, val, "not a strictness level"));
                }
            }
            _ => unreachable!("option table and handlers disagree on '{name}'"),
        }
    }
    let trailing = p.last.clone().or_else(|| p.output_only.first().cloned());
    if let Some(which) = trailing
        && cli.actions.is_empty()
    {
        return Err(format!(
            "Trailing option(s) found in the command: may be ignored.\nOption {which} is not followed by a file name"
        ));
    }
    Ok(cli)
}

/// `-b` values: `128k`, `1.5M`, `64000`.
fn parse_bitrate(s: &str) -> Option<u64> {
    let (num, mult) = match s.as_bytes().last()? {
        b'k' | b'K' => (&s[..s.len() - 1], 1e3),
        b'M' => (&s[..s.len() - 1], 1e6),
        b'G' => (&s[..s.len() - 1], 1e9),
        _ => (s, 1.0),
    };
    let v: f64 = num.parse().ok()?;
    (v.is_finite() && v >= 0.0).then(|| (v * mult).round() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn files_and_per_file_options() {
        let cli = parse(&args("-y -f lavfi -i sine=d=1 -ss 1.5 -i in.wav -c:a pcm_s16be -b:v 1M -t 2 -map 0:a -map 1 out.wav -f md5 -"))
            .unwrap();
        assert_eq!(cli.overwrite, Some(true));
        assert_eq!(cli.inputs.len(), 2);
        assert_eq!(cli.inputs[0].format.as_deref(), Some("lavfi"));
        assert_eq!(cli.inputs[1].ss, Some(1_500_000));
        let o = &cli.outputs[0];
        assert_eq!(o.url, "out.wav");
        assert_eq!(o.t, Some(2_000_000));
        assert_eq!(
            o.codecs.get(0, MediaType::Audio, 0).as_deref(),
            Some("pcm_s16be")
        );
        assert_eq!(o.codecs.get(1, MediaType::Video, 0), None);
        assert_eq!(o.bitrates.get(0, MediaType::Video, 0), Some(1_000_000));
        assert_eq!(o.maps.len(), 2);
        assert_eq!(
            o.maps[1],
            MapSpec {
                negative: false,
                input: 1,
                stream: StreamSpec::All,
                optional: false
            }
        );
        assert_eq!(cli.outputs[1].format.as_deref(), Some("md5"));
        assert_eq!(cli.outputs[1].url, "-");
    }

    #[test]
    fn errors_name_the_option() {
        let e = parse(&args("-frobnicate 1 out.wav")).unwrap_err();
        assert!(e.starts_with("Unrecognized option 'frobnicate'."));
        assert!(
            parse(&args("-i"))
                .unwrap_err()
                .contains("Missing argument for option 'i'")
        );
        assert!(
            parse(&args("-i x -ar abc o.wav"))
                .unwrap_err()
                .contains("'ar'")
        );
        assert!(
            parse(&args("-map 0:x o.wav"))
                .unwrap_err()
                .contains("Invalid -map argument '0:x'")
        );
        assert!(
            parse(&args("-b:v 1M -i x o.wav"))
                .unwrap_err()
                .contains("-b:v (an output option) cannot be applied to input url x")
        );
        assert!(
            parse(&args("-i x -framerate 25 o.wav"))
                .unwrap_err()
                .contains("-framerate (an input option)")
        );
        assert!(
            parse(&args("-i x -c:q copy o"))
                .unwrap_err()
                .contains("Invalid stream specifier")
        );
        assert!(
            parse(&args("-i x o -t 1"))
                .unwrap_err()
                .contains("not followed by a file name")
        );
        assert!(
            parse(&args("-i x -fflags +genpts o"))
                .unwrap_err()
                .contains("genpts")
        );
    }

    #[test]
    fn bitrates_and_specs() {
        assert_eq!(parse_bitrate("128k"), Some(128_000));
        assert_eq!(parse_bitrate("1.5M"), Some(1_500_000));
        assert_eq!(parse_bitrate("x"), None);
        assert_eq!(
            StreamSpec::parse("a:1"),
            Some(StreamSpec::TypeIndex(MediaType::Audio, 1))
        );
        assert_eq!(StreamSpec::parse("2"), Some(StreamSpec::Index(2)));
        assert!(StreamSpec::TypeIndex(MediaType::Audio, 1).matches(5, MediaType::Audio, 1));
        assert!(!StreamSpec::Type(MediaType::Video).matches(0, MediaType::Audio, 0));
        assert!(parse_map("-0:a?").unwrap().negative && parse_map("-0:a?").unwrap().optional);
    }
}
