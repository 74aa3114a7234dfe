//! The transcoding loop: inputs -> (decode -> convert -> encode | copy) -> outputs,
//! with ffmpeg's stream selection, timing options and progress report.

use std::collections::HashMap;
use std::io::Write as _;
use std::time::{Duration, Instant};

use fastforward::avcodec::{
    CodecId, CodecParameters, CodecRegistry, Decoder, DecoderOptions, Encoder, EncoderOptions,
    MediaType, Packet, Received, SendStatus,
};
use fastforward::avformat::{
    FormatOptions, FormatRegistry, InputContext, InputOptions, MuxerInfo, OutputContext,
};
use fastforward::avutil::mathematics::{Rounding, rescale_q, rescale_q_rnd};
use fastforward::avutil::samplefmt::convert_samples;
use fastforward::avutil::{Frame, LogLevel, Rational, SampleFormat, TIME_BASE_Q};

use crate::cli::{Cli, InputSpec, OutputSpec, StreamSpec, Vsync};
use fastforward::swscale::{ScaleFlags, Scaler};

/// An error message for the user, already worded like ffmpeg's.
pub(crate) type Fail = String;

struct Input {
    ctx: InputContext,
    spec: InputSpec,
    /// Added to every timestamp (in microseconds): minus the start time and `-ss`.
    ts_offset: i64,
    /// The input's start time (microseconds), when known.
    start: Option<i64>,
    /// Frames decoded before this time (microseconds, after the offset) are dropped (accurate seek).
    drop_before: i64,
    /// Last timestamp read (microseconds, after the offset), to pick which input to read next.
    last_us: i64,
    eof: bool,
}

enum Work {
    Copy,
    Encode {
        enc: Box<dyn Encoder>,
        /// Audio: convert decoded samples to this format first.
        target_fmt: Option<SampleFormat>,
        /// Video: convert/scale decoded pictures first (ffmpeg's auto-inserted scale).
        scaler: Option<Box<Scaler>>,
    },
}

/// Counters of one output stream.
struct StreamStats {
    index: usize,
    kind: MediaType,
    frames: u64,
    bytes: u64,
    /// The last dts written (in the output stream's time base).
    last_mux_dts: Option<i64>,
}

/// ffmpeg's video sync of one encoded video stream (cf. `do_video_out`): which frames
/// go to the encoder, how often, and with which timestamp.
#[derive(Default)]
struct VideoSync {
    /// The method, once resolved from the options and the muxer.
    method: Option<SyncMethod>,
    /// The next output slot (encoder time base).
    next: i64,
    /// The last frame received (for duplicates of it).
    last: Option<Frame>,
    /// How many copies of the previous frame the last three frames asked for.
    last_nb0: [i64; 3],
    /// A frame's length in output slots when the frame does not say (the input's
    /// frame period, at most one slot; cf. ffmpeg's use of the filter's rate).
    frame_slots: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SyncMethod {
    Passthrough,
    Cfr,
    /// CFR without duplicates to fill a late start (a one-stream input).
    Vscfr,
    Vfr,
    Drop,
}

/// The sync method of an encoded video stream, as ffmpeg resolves `-vsync`/`-fps_mode`:
/// `auto` is `vfr` for muxers that take variable frame rates (`passthrough` when
/// they store no timestamps, `vfr` for avi) and `cfr` otherwise, where a one-stream
/// input gets the variant that does not fill a late start with duplicates.
fn sync_method(option: Option<Vsync>, muxer: &MuxerInfo, input_streams: usize) -> SyncMethod {
    match option.unwrap_or(Vsync::Auto) {
        Vsync::Passthrough => SyncMethod::Passthrough,
        Vsync::Cfr => SyncMethod::Cfr,
        Vsync::Vfr => SyncMethod::Vfr,
        Vsync::Drop => SyncMethod::Drop,
        Vsync::Auto if muxer.name == "avi" => SyncMethod::Vfr,
        Vsync::Auto if muxer.flags.variable_fps && muxer.flags.no_timestamps => {
            SyncMethod::Passthrough
        }
        Vsync::Auto if muxer.flags.variable_fps => SyncMethod::Vfr,
        Vsync::Auto if input_streams == 1 => SyncMethod::Vscfr,
        Vsync::Auto => SyncMethod::Cfr,
    }
}

impl VideoSync {
    /// The copies to encode for a frame at `pts` (encoder time base, with fraction)
    /// lasting `duration`: (copies of the previous frame first, total copies); moves the
    /// output slot as ffmpeg does. `sent` frames were encoded so far, `max` the limit.
    fn plan(&mut self, pts: f64, mut duration: f64, sent: u64, max: Option<u64>) -> (i64, i64) {
        let method = self.method.unwrap_or(SyncMethod::Passthrough);
        let mut ipts = pts;
        let mut delta0 = ipts - self.next as f64;
        let mut delta = delta0 + duration;
        let (mut nb0, mut nb) = (0i64, 1i64);
        let keeps = matches!(method, SyncMethod::Passthrough | SyncMethod::Drop);
        if delta0 < 0.0 && delta > 0.0 && !keeps {
            // A frame that starts before its slot: clipped to the slot.
            ipts = self.next as f64;
            duration += delta0;
            delta0 = 0.0;
        }
        match method {
            SyncMethod::Cfr | SyncMethod::Vscfr => {
                if method == SyncMethod::Vscfr && sent == 0 && delta0 >= 0.5 {
                    // Not duplicating the initial frames.
                    delta = duration;
                    delta0 = 0.0;
                    self.next = ipts.round_ties_even() as i64;
                }
                if delta < -1.1 {
                    nb = 0;
                } else if delta > 1.1 {
                    nb = delta.round_ties_even() as i64;
                    if delta0 > 1.1 {
                        nb0 = (delta0 - 0.6).round_ties_even() as i64;
                    }
                }
            }
            SyncMethod::Vfr => {
                if delta <= -0.6 {
                    nb = 0;
                } else if delta > 0.6 {
                    self.next = ipts.round_ties_even() as i64;
                }
            }
            SyncMethod::Passthrough | SyncMethod::Drop => {
                self.next = ipts.round_ties_even() as i64;
            }
        }
        if let Some(m) = max {
            nb = nb.min(i64::try_from(m.saturating_sub(sent)).unwrap_or(i64::MAX));
        }
        nb0 = nb0.min(nb);
        self.last_nb0 = [nb0, self.last_nb0[0], self.last_nb0[1]];
        (nb0, nb)
    }

    /// Copies of the last frame to encode at the end (the median of the last three
    /// frames' copies of their previous frame, as ffmpeg).
    fn plan_end(&self) -> i64 {
        let [a, b, c] = self.last_nb0;
        a.max(b).min(a.min(b).max(c))
    }
}

struct OutStream {
    input: usize,
    ist: usize,
    work: Work,
    stats: StreamStats,
    /// Video being encoded: its frame sync.
    sync: VideoSync,
    max_frames: Option<u64>,
    /// Stop at this output time (microseconds), from `-t`/`-to`.
    end_us: Option<i64>,
    finished: bool,
    last_pts_us: Option<i64>,
}

struct Output {
    ctx: OutputContext,
    spec: OutputSpec,
    streams: Vec<OutStream>,
    written_anything: bool,
}

/// Everything ffw runs: opened inputs and outputs and the statistics.
pub(crate) struct Transcoder<'a> {
    cli: &'a Cli,
    codecs: CodecRegistry,
    inputs: Vec<Input>,
    outputs: Vec<Output>,
    decoders: HashMap<(usize, usize), Box<dyn Decoder>>,
    /// Per decoded stream: the dts predicted for the next packet and the last packet duration,
    /// given to frames drained at end of input that have no timestamp (as ffmpeg's `dts_buffer`).
    next_dts: HashMap<(usize, usize), (i64, i64)>,
    /// Per used input stream: ffmpeg's timestamp bookkeeping (`InputStream` dts/pts).
    clocks: HashMap<(usize, usize), StreamClock>,
    /// The decoders of an input are being drained at its end.
    draining: bool,
    started: Instant,
    last_report: Instant,
}

/// An input stream's running timestamps in microseconds (after the input's
/// offset), as ffmpeg's `InputStream` keeps them: `dts`/`pts` of the packet
/// being processed, `next_*` predicted for the next one (`i64::MIN` = unknown,
/// so that `max` works as ffmpeg's `FFMAX` with `AV_NOPTS_VALUE`).
#[derive(Debug, Clone, Copy)]
struct StreamClock {
    saw_first: bool,
    dts: i64,
    pts: i64,
    next_dts: i64,
    next_pts: i64,
}

const NOPTS: i64 = i64::MIN;

impl Default for StreamClock {
    fn default() -> Self {
        StreamClock {
            saw_first: false,
            dts: NOPTS,
            pts: NOPTS,
            next_dts: NOPTS,
            next_pts: NOPTS,
        }
    }
}

/// ffmpeg's `dts_delta_threshold`: larger jumps are discontinuities (seconds).
const DTS_DELTA_THRESHOLD_US: i64 = 10_000_000;

fn log_at(cli: &Cli, level: LogLevel, msg: &str) {
    if cli.loglevel >= level {
        eprintln!("{msg}");
    }
}

impl<'a> Transcoder<'a> {
    /// Opens every input, plans every output, and creates the output files.
    pub(crate) fn open(cli: &'a Cli) -> Result<Self, Fail> {
        let formats: FormatRegistry = fastforward::default::formats();
        let codecs = fastforward::default::codecs();
        let mut inputs = Vec::new();
        for (i, spec) in cli.inputs.iter().enumerate() {
            let mut fo = FormatOptions::default();
            fo.sample_rate = spec.sample_rate;
            fo.channels = spec.channels;
            fo.ch_layout = spec.ch_layout;
            fo.video_size = spec.video_size;
            fo.pix_fmt = spec.pix_fmt;
            fo.framerate = spec.framerate;
            let mut opts = InputOptions::default();
            opts.format = spec.format.clone();
            opts.format_options = fo;
            let mut ctx = InputContext::open(&spec.url, &formats, &opts)
                .map_err(|e| format!("{}: {e}", spec.url))?;
            ctx.decode_stream_info(&codecs)
                .map_err(|e| format!("{}: {e}", spec.url))?;
            for (si, st) in ctx.streams_mut().iter_mut().enumerate() {
                if st.params.media_type == MediaType::Audio && st.params.guess_channel_layout() {
                    let name = st
                        .params
                        .ch_layout
                        .map(|l| l.to_string())
                        .unwrap_or_default();
                    log_at(
                        cli,
                        LogLevel::Warning,
                        &format!("Guessed Channel Layout for Input Stream #{i}.{si} : {name}"),
                    );
                }
            }
            log_at(cli, LogLevel::Info, ctx.dump(i).trim_end());
            let start_time = ctx.start_time();
            let start = start_time.unwrap_or(0);
            let mut ts_offset = -start;
            let mut drop_before = i64::MIN;
            if let Some(ss) = spec.ss {
                let mut target = start.saturating_add(ss);
                // As ffmpeg: our demuxers seek by decoding timestamps, which run up to
                // a few frames behind the presentation times where B-frames reorder,
                // so the seek aims 3/23 s earlier when a stream has such a delay.
                if ctx.streams().iter().any(|st| st.params.video_delay > 0) {
                    target -= 3 * 1_000_000 / 23;
                }
                if let Err(e) = ctx.seek_time(target) {
                    log_at(
                        cli,
                        LogLevel::Warning,
                        &format!(
                            "{}: could not seek to position {:.3}: {e}",
                            spec.url,
                            target as f64 / 1e6
                        ),
                    );
                }
                ts_offset -= ss;
                drop_before = 0;
            }
            inputs.push(Input {
                ctx,
                spec: spec.clone(),
                ts_offset,
                start: start_time,
                drop_before,
                last_us: i64::MIN,
                eof: false,
            });
        }
        let mut t = Transcoder {
            cli,
            codecs,
            inputs,
            outputs: Vec::new(),
            decoders: HashMap::new(),
            next_dts: HashMap::new(),
            clocks: HashMap::new(),
            draining: false,
            started: Instant::now(),
            last_report: Instant::now(),
        };
        let mut mapping = String::from("Stream mapping:");
        for (oi, spec) in cli.outputs.iter().enumerate() {
            t.open_output(oi, spec, &formats, &mut mapping)?;
        }
        if cli.outputs.is_empty() {
            return Err("At least one output file must be specified".into());
        }
        log_at(cli, LogLevel::Info, &mapping);
        for (oi, o) in t.outputs.iter_mut().enumerate() {
            if let Err(e) = o.ctx.write_header() {
                return Err(format!(
                    "Could not write header for output file #{oi} (incorrect codec parameters ?): {e}"
                ));
            }
            log_at(cli, LogLevel::Info, o.ctx.dump(oi).trim_end());
        }
        t.started = Instant::now();
        Ok(t)
    }

    /// Picks the input streams for an output the way ffmpeg does without `-map`:
    /// the video stream with the most pixels, the audio stream with the most channels.
    fn auto_map(&self, spec: &OutputSpec, muxer: &MuxerInfo) -> Vec<(usize, usize)> {
        let mut picked = Vec::new();
        let best = |kind: MediaType, score: &dyn Fn(&CodecParameters) -> u64| {
            let mut b: Option<((usize, usize), u64)> = None;
            for (ii, inp) in self.inputs.iter().enumerate() {
                for (si, st) in inp.ctx.streams().iter().enumerate() {
                    if st.params.media_type == kind && b.is_none_or(|(_, s)| score(&st.params) > s)
                    {
                        b = Some(((ii, si), score(&st.params)));
                    }
                }
            }
            b.map(|x| x.0)
        };
        let has_codec = |kind: MediaType| {
            spec.codecs.0.iter().any(|(s, _)| matches!(s, StreamSpec::Type(t) | StreamSpec::TypeIndex(t, _) if *t == kind))
        };
        if !spec.no_video
            && (muxer.default_video.is_some() || has_codec(MediaType::Video))
            && let Some(v) = best(MediaType::Video, &|p| (p.width * p.height) as u64)
        {
            picked.push(v);
        }
        if !spec.no_audio
            && (muxer.default_audio.is_some() || has_codec(MediaType::Audio))
            && let Some(a) = best(MediaType::Audio, &|p| u64::from(p.channels()))
        {
            picked.push(a);
        }
        picked
    }

    fn explicit_map(&self, spec: &OutputSpec) -> Result<Vec<(usize, usize)>, Fail> {
        let mut picked: Vec<(usize, usize)> = Vec::new();
        for m in &spec.maps {
            let Some(inp) = self.inputs.get(m.input) else {
                return Err(format!("Invalid input file index: {}.", m.input));
            };
            let mut counts: HashMap<MediaType, usize> = HashMap::new();
            let mut matched = Vec::new();
            for (si, st) in inp.ctx.streams().iter().enumerate() {
                let k = st.params.media_type;
                let ti = *counts.entry(k).and_modify(|c| *c += 1).or_insert(0);
                if m.stream.matches(si, k, ti) {
                    matched.push((m.input, si));
                }
            }
            if m.negative {
                picked.retain(|p| !matched.contains(p));
            } else if matched.is_empty() && !m.optional {
                return Err(format!(
                    "Stream map '{}' matches no streams.\nTo ignore this, add a trailing '?' to the map.",
                    map_text(m)
                ));
            } else {
                picked.extend(matched);
            }
        }
        Ok(picked)
    }

    fn open_output(
        &mut self,
        oi: usize,
        spec: &OutputSpec,
        formats: &FormatRegistry,
        mapping: &mut String,
    ) -> Result<(), Fail> {
        let muxer = match spec.format.as_deref() {
            Some(f) => *formats.find_muxer(f).map_err(|_| {
                format!("Requested output format '{f}' is not a suitable output format")
            })?,
            None => *formats
                .guess_format(None, Some(&spec.url), None)
                .ok_or_else(|| {
                    format!(
                        "Unable to find a suitable output format for '{}'\n{}: Invalid argument",
                        spec.url, spec.url
                    )
                })?,
        };
        // ffmpeg's scale filter defaults to bicubic.
        let sws_flags: ScaleFlags = match &spec.sws_flags {
            Some(f) => f
                .parse()
                .map_err(|e| format!("Invalid value '{f}' for option 'sws_flags': {e}"))?,
            None => ScaleFlags::default(),
        };
        let mut selected = if spec.maps.is_empty() {
            self.auto_map(spec, &muxer)
        } else {
            self.explicit_map(spec)?
        };
        selected.retain(|&(ii, si)| {
            let k = self.inputs[ii].ctx.streams()[si].params.media_type;
            !(spec.no_video && k == MediaType::Video
                || spec.no_audio && k == MediaType::Audio
                || spec.no_subtitle && k == MediaType::Subtitle)
        });
        if selected.is_empty() {
            return Err(format!("Output file #{oi} does not contain any stream"));
        }
        // Plan every stream before creating the file, so that errors leave nothing behind.
        let mut plans = Vec::new();
        let mut type_counts: HashMap<MediaType, usize> = HashMap::new();
        for (index, &(ii, si)) in selected.iter().enumerate() {
            let st = &self.inputs[ii].ctx.streams()[si];
            let kind = st.params.media_type;
            let ti = *type_counts.entry(kind).and_modify(|c| *c += 1).or_insert(0);
            let codec_name = spec.codecs.get(index, kind, ti).or_else(|| {
                match kind {
                    MediaType::Video => muxer.default_video,
                    MediaType::Audio => muxer.default_audio,
                    _ => None,
                }
                .map(|id| id.name().to_owned())
            });
            let Some(codec_name) = codec_name else {
                return Err(format!(
                    "The {} muxer cannot store {} stream #{ii}:{si}: choose a codec with -c",
                    muxer.name, kind
                ));
            };
            plans.push((index, ii, si, kind, ti, codec_name));
        }
        let mut streams = Vec::new();
        let mut stream_params = Vec::new();
        for (index, ii, si, kind, ti, codec_name) in plans {
            let st = self.inputs[ii].ctx.streams()[si].clone();
            let end_us = match (spec.t, spec.to) {
                (Some(t), _) => Some(t.saturating_add(spec.ss.unwrap_or(0))),
                (None, Some(to)) => Some(to),
                _ => None,
            };
            let end_us = match (end_us, self.inputs[ii].spec.t, self.inputs[ii].spec.to) {
                (e, Some(t), _) => Some(e.map_or(t, |e| e.min(t))),
                (e, None, Some(to)) => {
                    Some(e.map_or(to, |e| e.min(to - self.inputs[ii].spec.ss.unwrap_or(0))))
                }
                (e, None, None) => e,
            };
            if codec_name == "copy" {
                let _ = std::fmt::Write::write_fmt(
                    mapping,
                    format_args!("\n  Stream #{ii}:{si} -> #{oi}:{index} (copy)"),
                );
                let mut tb = st.time_base;
                if tb.is_undefined() {
                    tb = TIME_BASE_Q;
                }
                stream_params.push((st.params.clone(), tb, st.clone()));
                streams.push(OutStream {
                    input: ii,
                    ist: si,
                    work: Work::Copy,
                    stats: StreamStats {
                        last_mux_dts: None,
                        index,
                        kind,
                        frames: 0,
                        bytes: 0,
                    },
                    max_frames: spec.frames.get(index, kind, ti),
                    end_us,
                    finished: false,
                    last_pts_us: None,
                    sync: VideoSync::default(),
                });
                continue;
            }
            let enc_info = *self
                .codecs
                .find_encoder_by_name(&codec_name)
                .or_else(|| {
                    CodecId::from_name(&codec_name)
                        .ok()
                        .and_then(|id| self.codecs.find_encoder(id))
                })
                .ok_or_else(|| format!("Unknown encoder '{codec_name}'"))?;
            if enc_info.id.media_type() != kind {
                return Err(format!(
                    "Encoder '{codec_name}' is for {} but stream #{ii}:{si} is {kind}",
                    enc_info.id.media_type()
                ));
            }
            // The decoder, shared by every output of this input stream.
            if let std::collections::hash_map::Entry::Vacant(v) = self.decoders.entry((ii, si)) {
                let forced = self.inputs[ii].spec.decoders.get(si, kind, ti);
                let dec_info = match forced {
                    Some(n) => self
                        .codecs
                        .find_decoder_by_name(&n)
                        .ok_or_else(|| format!("Unknown decoder '{n}'"))?,
                    None => self
                        .codecs
                        .find_decoder(st.params.codec_id)
                        .ok_or_else(|| {
                            format!(
                                "Decoder ({}) not found for input stream #{ii}:{si}",
                                st.params.codec_id
                            )
                        })?,
                };
                let mut dopts = DecoderOptions::default();
                dopts.threads = self.cli.threads;
                dopts.packet_time_base = st.time_base;
                let dec = (dec_info.create)(&st.params, &dopts).map_err(|e| {
                    format!("Error while opening decoder for input stream #{ii}:{si} : {e}")
                })?;
                v.insert(dec);
            }
            let dec_params = self.decoders[&(ii, si)].parameters().clone();
            let mut p = CodecParameters::new(enc_info.id);
            let mut target_fmt = None;
            let mut scaler = None;
            let time_base;
            let mut eopts;
            let mut in_rate = None;
            match kind {
                MediaType::Video => {
                    let (sw, sh) = (dec_params.width, dec_params.height);
                    let (dw, dh) = spec.size.unwrap_or((sw, sh));
                    p.width = dw;
                    p.height = dh;
                    let src_fmt = dec_params
                        .pix_fmt
                        .ok_or_else(|| format!("Input stream #{ii}:{si} has no pixel format"))?;
                    let want = match spec.pix_fmt {
                        Some(f) if !enc_info.supports_pix_fmt(f) => {
                            return Err(format!(
                                "Incompatible pixel format '{f}' for codec '{codec_name}'"
                            ));
                        }
                        Some(f) => f,
                        None if enc_info.supports_pix_fmt(src_fmt) => src_fmt,
                        None => enc_info
                            .pix_fmts
                            .and_then(|l| l.first().copied())
                            .unwrap_or(src_fmt),
                    };
                    if want != src_fmt || (dw, dh) != (sw, sh) {
                        let mut sc = Scaler::new((sw, sh, src_fmt), (dw, dh, want), sws_flags)
                            .map_err(|e| {
                                format!(
                                    "Cannot convert {sw}x{sh} {src_fmt} to {dw}x{dh} {want}: {e}"
                                )
                            })?;
                        if self.cli.threads > 1
                            && let Ok(pool) = rayon_pool(self.cli.threads)
                        {
                            sc.set_thread_pool(Some(pool));
                        }
                        scaler = Some(Box::new(sc));
                    }
                    p.pix_fmt = Some(want);
                    p.sample_aspect_ratio = if st.sample_aspect_ratio.num != 0 {
                        st.sample_aspect_ratio
                    } else {
                        dec_params.sample_aspect_ratio
                    };
                    p.color_range = dec_params.color_range;
                    p.colorspace = dec_params.colorspace;
                    p.color_primaries = dec_params.color_primaries;
                    p.color_trc = dec_params.color_trc;
                    p.chroma_location = dec_params.chroma_location;
                    p.field_order = dec_params.field_order;
                    // `-r` on the output: the encoder's rate; the video sync then
                    // duplicates or drops frames to it.
                    in_rate = [st.avg_frame_rate, st.r_frame_rate]
                        .into_iter()
                        .find(|r| r.num > 0 && r.den > 0);
                    let rate = spec
                        .rate
                        .filter(|r| r.num > 0 && r.den > 0)
                        .or(in_rate)
                        .unwrap_or_else(|| st.time_base.invert());
                    time_base = rate.invert();
                    eopts = EncoderOptions::new(p, time_base);
                    eopts.frame_rate = Some(rate);
                    for (k, v) in &spec.video_codec_opts {
                        eopts.private.set(k.clone(), v.clone());
                    }
                }
                MediaType::Audio => {
                    let src_fmt = dec_params
                        .sample_fmt
                        .ok_or_else(|| format!("Input stream #{ii}:{si} has no sample format"))?;
                    if let Some(ar) = spec.sample_rate.filter(|&r| r != dec_params.sample_rate) {
                        return Err(format!(
                            "Resampling {} Hz -> {ar} Hz (-ar) is not supported yet",
                            dec_params.sample_rate
                        ));
                    }
                    if let Some(ac) = spec.channels.filter(|&c| c != dec_params.channels()) {
                        return Err(format!(
                            "Channel remixing {} -> {ac} (-ac) is not supported yet",
                            dec_params.channels()
                        ));
                    }
                    let want = spec.sample_fmt.unwrap_or(src_fmt);
                    let fmt = if enc_info.sample_fmts.is_empty()
                        || enc_info.sample_fmts.contains(&want)
                    {
                        want
                    } else if spec.sample_fmt.is_some() {
                        return Err(format!(
                            "Specified sample format {want} is invalid or not supported by encoder {codec_name}"
                        ));
                    } else {
                        enc_info.sample_fmts[0]
                    };
                    if fmt != src_fmt {
                        target_fmt = Some(fmt);
                    }
                    p.sample_fmt = Some(fmt);
                    p.sample_rate = dec_params.sample_rate;
                    p.ch_layout = dec_params.ch_layout;
                    time_base = Rational::new(1, dec_params.sample_rate as i32);
                    eopts = EncoderOptions::new(p, time_base);
                }
                _ => return Err(format!("Transcoding {kind} streams is not supported")),
            }
            eopts.bit_rate = spec.bitrates.get(index, kind, ti);
            eopts.global_quality = spec.qscale.get(index, kind, ti);
            eopts.gop_size = spec.gop;
            eopts.max_b_frames = spec.bframes;
            eopts.threads = self.cli.threads;
            eopts.bitexact = spec.bitexact;
            let enc = (enc_info.create)(&eopts).map_err(|e| {
                format!("Error while opening encoder for output stream #{oi}:{index} - maybe incorrect parameters such as bit_rate, rate, width or height: {e}")
            })?;
            // FFmpeg names its own codecs "native" in the mapping.
            let _ = std::fmt::Write::write_fmt(
                mapping,
                format_args!(
                    "\n  Stream #{ii}:{si} -> #{oi}:{index} ({} (native) -> {} (native))",
                    st.params.codec_id, enc_info.id
                ),
            );
            let mut out_st = st.clone();
            out_st.sample_aspect_ratio = enc.parameters().sample_aspect_ratio;
            out_st.avg_frame_rate = eopts.frame_rate.unwrap_or(Rational::UNDEFINED);
            stream_params.push((enc.parameters().clone(), enc.time_base(), out_st));
            streams.push(OutStream {
                input: ii,
                ist: si,
                work: Work::Encode {
                    enc,
                    target_fmt,
                    scaler,
                },
                stats: StreamStats {
                    last_mux_dts: None,
                    index,
                    kind,
                    frames: 0,
                    bytes: 0,
                },
                max_frames: spec.frames.get(index, kind, ti),
                end_us,
                finished: false,
                last_pts_us: None,
                sync: VideoSync {
                    method: (kind == MediaType::Video).then(|| {
                        sync_method(
                            spec.fps_mode.or(self.cli.vsync),
                            &muxer,
                            self.inputs[ii].ctx.streams().len(),
                        )
                    }),
                    frame_slots: in_rate.map_or(1.0, |r| {
                        (f64::from(r.den) * f64::from(time_base.den)
                            / (f64::from(r.num) * f64::from(time_base.num)))
                        .min(1.0)
                    }),
                    ..VideoSync::default()
                },
            });
        }
        // Every check passed: create the file.
        if !muxer.flags.no_file && spec.url != "-" && !spec.url.starts_with("pipe:") {
            check_overwrite(self.cli, &spec.url)?;
        }
        let mut ctx = OutputContext::create(&spec.url, formats, Some(muxer.name))
            .map_err(|e| format!("{}: {e}", spec.url))?;
        ctx.set_bitexact(spec.bitexact);
        if let Some(first) = self.inputs.first() {
            ctx.metadata_mut()
                .merge(first.ctx.metadata(), Default::default());
        }
        ctx.metadata_mut().remove("encoder");
        if !spec.bitexact {
            ctx.metadata_mut()
                .set("encoder", fastforward::avformat::SOFTWARE);
        }
        for (k, v) in &spec.metadata {
            ctx.metadata_mut().set(k.clone(), v.clone());
        }
        for (params, tb, src) in stream_params {
            // As ffmpeg: the container's aspect ratio, else the codec's.
            let sar = if src.sample_aspect_ratio.num != 0 {
                src.sample_aspect_ratio
            } else {
                params.sample_aspect_ratio
            };
            let i = ctx.add_stream(params, tb).map_err(|e| e.to_string())?;
            if let Some(s) = ctx.stream_mut(i) {
                s.sample_aspect_ratio = sar;
                s.avg_frame_rate = src.avg_frame_rate;
                s.r_frame_rate = src.r_frame_rate;
                s.metadata = src.metadata.clone();
                s.metadata.remove("encoder");
            }
        }
        self.outputs.push(Output {
            ctx,
            spec: spec.clone(),
            streams,
            written_anything: false,
        });
        Ok(())
    }

    /// Runs until every output is finished or every input is exhausted.
    pub(crate) fn run(&mut self) -> Result<(), Fail> {
        loop {
            if self
                .outputs
                .iter()
                .all(|o| o.streams.iter().all(|s| s.finished))
            {
                break;
            }
            // The input furthest behind goes next (ffmpeg reads the one with the smallest timestamp).
            let Some(ii) = (0..self.inputs.len())
                .filter(|&i| !self.inputs[i].eof && self.input_needed(i))
                .min_by_key(|&i| self.inputs[i].last_us)
            else {
                break;
            };
            let pkt = self.inputs[ii]
                .ctx
                .read_packet()
                .map_err(|e| format!("{}: {e}", self.inputs[ii].spec.url))?;
            match pkt {
                None => {
                    self.inputs[ii].eof = true;
                    self.flush_input(ii)?;
                }
                Some(pkt) => {
                    let inp = &mut self.inputs[ii];
                    if let Some(us) = pkt
                        .dts
                        .or(pkt.pts)
                        .and_then(|t| rescale_q(t, pkt.time_base, TIME_BASE_Q))
                    {
                        inp.last_us = us.saturating_add(inp.ts_offset);
                    }
                    self.process_packet(ii, pkt)?;
                }
            }
            self.report(false);
        }
        for ii in 0..self.inputs.len() {
            if !self.inputs[ii].eof {
                self.flush_input(ii)?;
            }
        }
        self.flush_encoders()?;
        for (oi, o) in self.outputs.iter_mut().enumerate() {
            o.ctx.write_trailer().map_err(|e| {
                format!(
                    "Error writing trailer of {}: {e} (output #{oi})",
                    o.spec.url
                )
            })?;
        }
        self.report(true);
        Ok(())
    }

    fn input_needed(&self, ii: usize) -> bool {
        self.outputs
            .iter()
            .any(|o| o.streams.iter().any(|s| s.input == ii && !s.finished))
    }

    /// Applies the input's offset to a packet's timestamps and, for inputs
    /// whose timestamps may jump, ffmpeg's discontinuity correction (which
    /// moves the offset); then updates the stream's clock before decoding or
    /// copying, as ffmpeg's `process_input` / `process_input_packet` do.
    fn clock_packet(&mut self, ii: usize, pkt: &mut Packet, decoding: bool) {
        let si = pkt.stream_index;
        let tb = pkt.time_base;
        let first = self
            .clocks
            .get(&(ii, si))
            .is_none_or(|c| c.next_dts == NOPTS);
        let inp = &self.inputs[ii];
        if first
            && inp.ctx.format().flags.ts_discont
            && let Some(start) = inp.start
            && inp.ts_offset == -start
        {
            // As ffmpeg: where timestamps may jump, the start time first taken over
            // every stream is taken again over the streams in use (no -ss given).
            let used_start = inp
                .ctx
                .streams()
                .iter()
                .enumerate()
                .filter(|(i, _)| {
                    self.outputs
                        .iter()
                        .any(|o| o.streams.iter().any(|s| s.input == ii && s.ist == *i))
                })
                .filter_map(|(_, st)| {
                    st.start_time
                        .and_then(|t| rescale_q(t, st.time_base, TIME_BASE_Q))
                })
                .min();
            if let Some(new_start) = used_start.filter(|&t| t > start) {
                log::debug!("Correcting start time by {}", new_start - start);
                self.inputs[ii].ts_offset = -new_start;
            }
        }
        let inp = &mut self.inputs[ii];
        let off = rescale_q(inp.ts_offset, TIME_BASE_Q, tb).unwrap_or(0);
        pkt.pts = pkt.pts.map(|t| t + off);
        pkt.dts = pkt.dts.map(|t| t + off);
        let to_us = |t: i64| rescale_q_rnd(t, tb, TIME_BASE_Q, Rounding::NearInf);
        let params = &inp.ctx.streams()[si].params;
        let av = matches!(params.media_type, MediaType::Video | MediaType::Audio);
        let clock = self.clocks.entry((ii, si)).or_default();
        if inp.ctx.format().flags.ts_discont
            && av
            && clock.next_dts != NOPTS
            && let Some(pkt_dts) = pkt.dts.and_then(to_us)
        {
            let delta = pkt_dts - clock.next_dts;
            if !(-DTS_DELTA_THRESHOLD_US..=DTS_DELTA_THRESHOLD_US).contains(&delta)
                || pkt_dts + 100_000 < clock.pts.max(clock.dts)
            {
                inp.ts_offset -= delta;
                log::debug!(
                    "timestamp discontinuity for stream #{ii}:{si}: {delta}, new offset= {}",
                    inp.ts_offset
                );
                let d = rescale_q(delta, TIME_BASE_Q, tb).unwrap_or(0);
                pkt.dts = pkt.dts.map(|t| t - d);
                pkt.pts = pkt.pts.map(|t| t - d);
            }
        }
        let video = params.media_type == MediaType::Video;
        let rate = inp.ctx.streams()[si].avg_frame_rate;
        if !clock.saw_first {
            clock.dts = if rate.num > 0 && rate.den > 0 {
                -(i64::from(params.video_delay) * 1_000_000 * i64::from(rate.den))
                    / i64::from(rate.num)
            } else {
                0
            };
            clock.pts = 0;
            if let (false, Some(p)) = (decoding, pkt.pts.and_then(to_us)) {
                clock.dts += p;
                clock.pts = clock.dts;
            }
            clock.saw_first = true;
        }
        if clock.next_dts == NOPTS {
            clock.next_dts = clock.dts;
        }
        if clock.next_pts == NOPTS {
            clock.next_pts = clock.pts;
        }
        if let Some(d) = pkt.dts.and_then(to_us) {
            clock.dts = d;
            clock.next_dts = d;
            if !video || !decoding {
                clock.pts = d;
                clock.next_pts = d;
            }
        }
        // The predicted next dts: the packet's duration, else one frame (video)
        // or the codec's frame size (audio).
        let dur = pkt.duration.filter(|&d| d > 0).and_then(to_us).or_else(|| {
            if video && rate.num > 0 && rate.den > 0 {
                Some(1_000_000 * i64::from(rate.den) / i64::from(rate.num))
            } else if !video && params.frame_size > 0 && params.sample_rate > 0 {
                Some(1_000_000 * i64::from(params.frame_size) / i64::from(params.sample_rate))
            } else {
                None
            }
        });
        if decoding {
            clock.pts = clock.next_pts;
            clock.dts = clock.next_dts;
            if video {
                clock.next_dts = match dur {
                    Some(d) if clock.dts != NOPTS => clock.next_dts + d,
                    _ => NOPTS,
                };
            }
        } else {
            clock.dts = clock.next_dts;
            if let Some(d) = dur.filter(|_| clock.next_dts != NOPTS) {
                clock.next_dts += d;
            }
            clock.pts = clock.dts;
            clock.next_pts = clock.next_dts;
        }
    }

    /// Updates the stream's clock from a decoded frame (ffmpeg's `decode_video`
    /// / `decode_audio`): video takes the frame's time, audio advances by its
    /// samples.
    fn clock_frame(&mut self, ii: usize, si: usize, frame: &Frame, tb: Rational) {
        let Some(clock) = self.clocks.get_mut(&(ii, si)) else {
            return;
        };
        if frame.video().is_some() {
            if let Some(us) = frame.pts.and_then(|p| rescale_q(p, tb, TIME_BASE_Q)) {
                clock.pts = us;
                clock.next_pts = us;
            }
        } else if let Some(a) = frame.audio()
            && a.sample_rate > 0
        {
            let d = 1_000_000 * a.nb_samples as i64 / i64::from(a.sample_rate);
            if clock.next_pts != NOPTS {
                clock.next_pts += d;
            }
            if clock.next_dts != NOPTS {
                clock.next_dts += d;
            }
        }
    }

    fn process_packet(&mut self, ii: usize, mut pkt: Packet) -> Result<(), Fail> {
        let si = pkt.stream_index;
        let decoding = self.decoders.contains_key(&(ii, si));
        let copying = self.outputs.iter().any(|o| {
            o.streams
                .iter()
                .any(|s| s.input == ii && s.ist == si && matches!(s.work, Work::Copy))
        });
        if !decoding && !copying {
            return Ok(());
        }
        self.clock_packet(ii, &mut pkt, decoding);
        // Stream copy.
        for o in &mut self.outputs {
            for s in o.streams.iter_mut().filter(|s| {
                s.input == ii && s.ist == si && !s.finished && matches!(s.work, Work::Copy)
            }) {
                // As ffmpeg: a copied stream starts at a key packet.
                if s.stats.frames == 0 && !pkt.flags.key {
                    continue;
                }
                let mut p = pkt.clone();
                let us = p
                    .pts
                    .or(p.dts)
                    .and_then(|t| rescale_q(t, p.time_base, TIME_BASE_Q));
                if let (Some(end), Some(us)) = (s.end_us, us)
                    && us >= end
                {
                    s.finished = true;
                    continue;
                }
                p.stream_index = s.stats.index;
                s.stats.frames += 1;
                s.stats.bytes += p.size() as u64;
                s.last_pts_us = end_time(us, p.duration, p.time_base).or(s.last_pts_us);
                write_packet(&mut o.ctx, &mut s.stats, p)?;
                o.written_anything = true;
                if s.max_frames.is_some_and(|m| s.stats.frames >= m) {
                    s.finished = true;
                }
            }
        }
        if self.decoders.contains_key(&(ii, si)) {
            if let (Some(d), Some(dur)) = (pkt.dts, pkt.duration.filter(|&d| d > 0)) {
                self.next_dts.insert((ii, si), (d + dur, dur));
            }
            while let Some(dec) = self.decoders.get_mut(&(ii, si)) {
                match dec.send_packet(&pkt) {
                    Ok(SendStatus::Accepted) => break,
                    Ok(SendStatus::Full) => self.drain_decoder(ii, si)?,
                    Err(e) => {
                        log_at(
                            self.cli,
                            LogLevel::Error,
                            &format!("Error while decoding stream #{ii}:{si}: {e}"),
                        );
                        break;
                    }
                }
            }
            self.drain_decoder(ii, si)?;
        }
        Ok(())
    }

    fn drain_decoder(&mut self, ii: usize, si: usize) -> Result<(), Fail> {
        loop {
            let Some(dec) = self.decoders.get_mut(&(ii, si)) else {
                return Ok(());
            };
            let frame = match dec.receive_frame() {
                Ok(Received::Item(f)) => f,
                Ok(_) => return Ok(()),
                Err(e) => {
                    log_at(
                        self.cli,
                        LogLevel::Error,
                        &format!("Error while decoding stream #{ii}:{si}: {e}"),
                    );
                    return Ok(());
                }
            };
            self.process_frame(ii, si, frame)?;
        }
    }

    fn flush_input(&mut self, ii: usize) -> Result<(), Fail> {
        let keys: Vec<(usize, usize)> = self
            .decoders
            .keys()
            .copied()
            .filter(|k| k.0 == ii)
            .collect();
        for (i, s) in keys {
            if let Some(d) = self.decoders.get_mut(&(i, s)) {
                let _ = d.send_eof();
            }
            self.draining = true;
            let r = self.drain_decoder(i, s);
            self.draining = false;
            r?;
        }
        Ok(())
    }

    fn process_frame(&mut self, ii: usize, si: usize, mut frame: Frame) -> Result<(), Fail> {
        if self.draining
            && frame.video().is_some()
            && frame.pts.is_none()
            && frame.best_effort_timestamp.is_none()
            && let Some((next, dur)) = self.next_dts.get_mut(&(ii, si))
        {
            // A reordering decoder's last frames: ffmpeg times them with the predicted dts.
            frame.best_effort_timestamp = Some(*next);
            *next += *dur;
        }
        let tb = if frame.time_base.is_undefined() {
            self.inputs[ii].ctx.time_base(si)
        } else {
            frame.time_base
        };
        // (Packets carry the input's offset already.)
        frame.pts = frame.pts.or(frame.best_effort_timestamp);
        frame.time_base = tb;
        self.clock_frame(ii, si, &frame, tb);
        let inp = &self.inputs[ii];
        let start_us = frame.pts.and_then(|p| rescale_q(p, tb, TIME_BASE_Q));
        if let Some(us) = start_us
            && us < inp.drop_before
        {
            // Accurate seek: decoded only to reach the position. Audio frames straddling
            // the position are cut at the exact sample.
            match trim_audio_front(&frame, inp.drop_before, tb) {
                Some(f) => frame = f,
                None => return Ok(()),
            }
        }
        for o in &mut self.outputs {
            for s in o
                .streams
                .iter_mut()
                .filter(|s| s.input == ii && s.ist == si && !s.finished)
            {
                let Work::Encode {
                    enc,
                    target_fmt,
                    scaler,
                } = &mut s.work
                else {
                    continue;
                };
                let mut f = frame.clone();
                let us = f.pts.and_then(|p| rescale_q(p, tb, TIME_BASE_Q));
                if let (Some(end), Some(us)) = (s.end_us, us) {
                    if us >= end {
                        s.finished = true;
                        continue;
                    }
                    if let Some(cut) = trim_audio_back(&f, end, tb) {
                        f = cut;
                        s.finished = true;
                    }
                }
                if let Some(fmt) = target_fmt {
                    f = convert_audio(&f, *fmt)?;
                }
                if let Some(sc) = scaler {
                    let (w, h, fmt) = sc.dst();
                    let mut out = Frame::new_video(fmt, w, h).map_err(|e| e.to_string())?;
                    out.copy_props_from(&f);
                    sc.scale(&f, &mut out)
                        .map_err(|e| format!("Error while converting pictures: {e}"))?;
                    f = out;
                }
                let etb = enc.time_base();
                let exact_pts = f.pts.and_then(|p| encoder_pts(p, tb, etb));
                f.pts = f.pts.and_then(|p| rescale_q(p, tb, etb));
                f.duration = f.duration.and_then(|d| rescale_q(d, tb, etb));
                f.time_base = etb;
                s.last_pts_us = end_time(us, f.duration, etb).or(s.last_pts_us);
                let out = (&mut s.stats, &mut o.ctx, &mut o.written_anything);
                if let (Some(x), true) = (exact_pts, s.sync.method.is_some()) {
                    // Video: as many copies as the sync method asks, each in its slot.
                    let dur = f
                        .duration
                        .filter(|&d| d > 0)
                        .map_or(s.sync.frame_slots, |d| d as f64);
                    let (nb0, nb) = s.sync.plan(x, dur, out.0.frames, s.max_frames);
                    for i in 0..nb {
                        let mut pic = match &s.sync.last {
                            Some(last) if i < nb0 => last.clone(),
                            _ => f.clone(),
                        };
                        pic.pts = Some(s.sync.next);
                        // One slot: what ffmpeg's muxer gives packets its encoders leave
                        // without a duration (from the output frame rate).
                        pic.duration = Some(1);
                        encode_frame(enc, out.0, out.1, out.2, &pic)?;
                        s.sync.next += 1;
                        out.0.frames += 1;
                    }
                    s.sync.last = Some(f);
                } else {
                    encode_frame(enc, out.0, out.1, out.2, &f)?;
                    if out.0.kind == MediaType::Video {
                        out.0.frames += 1;
                    }
                }
                if s.max_frames.is_some_and(|m| s.stats.frames >= m) {
                    s.finished = true;
                }
            }
        }
        Ok(())
    }

    fn flush_encoders(&mut self) -> Result<(), Fail> {
        for o in &mut self.outputs {
            for s in &mut o.streams {
                if let Work::Encode { enc, .. } = &mut s.work {
                    // Video: the copies of the last frame the sync method still owes
                    // (none once -t / -frames ended the stream).
                    if let Some(last) = s.sync.last.take().filter(|_| !s.finished) {
                        let copies = s.sync.plan_end().min(s.max_frames.map_or(i64::MAX, |m| {
                            i64::try_from(m.saturating_sub(s.stats.frames)).unwrap_or(0)
                        }));
                        for _ in 0..copies.max(0) {
                            let mut pic = last.clone();
                            pic.pts = Some(s.sync.next);
                            encode_frame(
                                enc,
                                &mut s.stats,
                                &mut o.ctx,
                                &mut o.written_anything,
                                &pic,
                            )?;
                            s.sync.next += 1;
                            s.stats.frames += 1;
                        }
                    }
                    let _ = enc.send_eof();
                    drain_encoder(enc, &mut s.stats, &mut o.ctx, &mut o.written_anything)?;
                }
            }
        }
        Ok(())
    }

    /// Deletes output files that received no packet (an error happened first).
    pub(crate) fn remove_empty_outputs(&self) {
        for o in &self.outputs {
            if !o.written_anything
                && !o.ctx.format().flags.no_file
                && o.spec.url != "-"
                && !o.spec.url.starts_with("pipe:")
            {
                let _ = std::fs::remove_file(&o.spec.url);
            }
        }
    }

    /// The `frame= ... speed=` line (cf. ffmpeg's `print_report`).
    pub(crate) fn report(&mut self, last: bool) {
        if !self.cli.stats || self.cli.loglevel < LogLevel::Info {
            return;
        }
        if !last && self.last_report.elapsed() < Duration::from_millis(500) {
            return;
        }
        self.last_report = Instant::now();
        let elapsed = self.started.elapsed().as_secs_f64();
        let Some(o) = self.outputs.first() else {
            return;
        };
        let mut line = String::new();
        if let Some(v) = o.streams.iter().find(|s| s.stats.kind == MediaType::Video) {
            let fps = if elapsed > 1.0 {
                v.stats.frames as f64 / elapsed
            } else {
                0.0
            };
            let prec = usize::from(fps < 9.95);
            let q = if matches!(v.work, Work::Copy) {
                -1.0
            } else {
                -0.0
            };
            line.push_str(&format!(
                "frame={:5} fps={fps:3.prec$} q={q:3.1} ",
                v.stats.frames
            ));
        }
        let size = (!o.ctx.format().flags.no_file).then(|| o.ctx.bytes_written());
        let pts_us = self
            .outputs
            .iter()
            .flat_map(|o| o.streams.iter())
            .filter_map(|s| s.last_pts_us)
            .max();
        // ffmpeg marks the last report with an "L" after the video fields only.
        if last && o.streams.iter().any(|s| s.stats.kind == MediaType::Video) {
            line.push('L');
        }
        match size {
            Some(b) => line.push_str(&format!("size={:8.0}kB time=", b as f64 / 1024.0)),
            None => line.push_str("size=N/A time="),
        }
        match pts_us {
            Some(us) => line.push_str(&format!("{} ", fastforward::avutil::time::format_time(us))),
            None => line.push_str("N/A "),
        }
        let secs = pts_us.map(|u| u as f64 / 1e6).unwrap_or(0.0);
        match size.filter(|_| secs > 0.0) {
            Some(b) => line.push_str(&format!(
                "bitrate={:6.1}kbits/s",
                b as f64 * 8.0 / secs / 1000.0
            )),
            None => line.push_str("bitrate=N/A"),
        }
        if elapsed > 0.0 && secs > 0.0 {
            line.push_str(&format!(" speed={:>4}x", fmt_g3(secs / elapsed)));
        } else {
            line.push_str(" speed=N/A");
        }
        let mut err = std::io::stderr();
        if last {
            let _ = writeln!(err, "{line}    ");
            let (mut v, mut a) = (0u64, 0u64);
            // As ffmpeg: the data and overhead of the first output (whose size the line shows).
            for s in &o.streams {
                match s.stats.kind {
                    MediaType::Video => v += s.stats.bytes,
                    MediaType::Audio => a += s.stats.bytes,
                    _ => {}
                }
            }
            let overhead = match size {
                Some(b) if v + a > 0 => format!(
                    "{:.6}%",
                    100.0 * (b as f64 - (v + a) as f64) / (v + a) as f64
                ),
                _ => "unknown".into(),
            };
            let _ = writeln!(
                err,
                "video:{:.0}kB audio:{:.0}kB subtitle:0kB other streams:0kB global headers:0kB muxing overhead: {overhead}",
                v as f64 / 1024.0,
                a as f64 / 1024.0
            );
        } else {
            let _ = write!(err, "{line}    \r");
        }
    }
}

/// A rayon pool of `n` threads for the scalers (`-threads`).
fn rayon_pool(n: usize) -> Result<std::sync::Arc<rayon::ThreadPool>, rayon::ThreadPoolBuildError> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build()
        .map(std::sync::Arc::new)
}

/// Writes a packet, first raising a dts below the last one written (or equal to it
/// where the format is strict) as ffmpeg does before muxing, with its warning.
fn write_packet(ctx: &mut OutputContext, s: &mut StreamStats, mut p: Packet) -> Result<(), Fail> {
    let format = ctx.format();
    let (nonstrict, stamped) = (format.flags.ts_nonstrict, !format.flags.no_timestamps);
    if stamped && let Some(st) = ctx.streams().get(p.stream_index) {
        p.rescale_ts(st.time_base);
        if let (Some(d), Some(last)) = (p.dts, s.last_mux_dts) {
            let max = last + i64::from(!nonstrict);
            if d < max {
                let level = if max - d > 2 || s.kind == MediaType::Video {
                    log::Level::Warn
                } else {
                    log::Level::Debug
                };
                log::log!(
                    level,
                    "Non-monotonous DTS in output stream #{}; previous: {last}, current: {d}; \
                     changing to {max}. This may result in incorrect timestamps in the output file.",
                    s.index
                );
                if p.pts.is_some_and(|pts| pts >= d) {
                    p.pts = p.pts.map(|pts| pts.max(max));
                }
                p.dts = Some(max);
            }
        }
        s.last_mux_dts = p.dts.or(s.last_mux_dts);
    }
    ctx.write_packet(p).map_err(|e| e.to_string())
}

/// A frame's timestamp in the encoder's time base with the fraction ffmpeg keeps for
/// its frame-rate decisions (16 more bits at most, a nudge of 2^-17 away from exact
/// halves; cf. `adjust_frame_pts_to_encoder_tb`).
fn encoder_pts(pts: i64, tb: Rational, etb: Rational) -> Option<f64> {
    let den_bits = 32 - (etb.den.max(1) as u32).leading_zeros() - 1;
    let extra = 29u32.saturating_sub(den_bits).min(16);
    let fine = Rational::new(etb.num, etb.den.checked_shl(extra)?);
    let v = rescale_q(pts, tb, fine)? as f64 / f64::from(1u32 << extra);
    let sign = if v > 0.0 { 1.0 } else { -1.0 };
    Some(v + sign / f64::from(1u32 << 17))
}

/// Sends one frame to the encoder and writes the packets it has ready.
fn encode_frame(
    enc: &mut Box<dyn Encoder>,
    s: &mut StreamStats,
    ctx: &mut OutputContext,
    written: &mut bool,
    f: &Frame,
) -> Result<(), Fail> {
    loop {
        let status = enc
            .send_frame(f)
            .map_err(|e| format!("Error while encoding output stream #{}: {e}", s.index))?;
        match status {
            SendStatus::Accepted => break,
            SendStatus::Full => drain_encoder(enc, s, ctx, written)?,
        }
    }
    drain_encoder(enc, s, ctx, written)
}

/// Writes every packet the encoder has ready.
fn drain_encoder(
    enc: &mut Box<dyn Encoder>,
    s: &mut StreamStats,
    ctx: &mut OutputContext,
    written: &mut bool,
) -> Result<(), Fail> {
    while let Received::Item(mut p) = enc
        .receive_packet()
        .map_err(|e| format!("Error while encoding output stream #{}: {e}", s.index))?
    {
        p.stream_index = s.index;
        if p.time_base.is_undefined() {
            p.time_base = enc.time_base();
        }
        s.bytes += p.size() as u64;
        if s.kind == MediaType::Audio {
            s.frames += 1;
        }
        write_packet(ctx, s, p)?;
        *written = true;
    }
    Ok(())
}

fn map_text(m: &crate::cli::MapSpec) -> String {
    format!("{}{}", if m.negative { "-" } else { "" }, m.input)
}

/// Asks (or refuses) to overwrite an existing output, as ffmpeg does.
fn check_overwrite(cli: &Cli, url: &str) -> Result<(), Fail> {
    let path = url.strip_prefix("file:").unwrap_or(url);
    if !std::path::Path::new(path).exists() {
        return Ok(());
    }
    match cli.overwrite {
        Some(true) => Ok(()),
        Some(false) => Err(format!("File '{url}' already exists. Exiting.")),
        None => {
            use std::io::IsTerminal;
            if cli.nostdin || !std::io::stdin().is_terminal() {
                return Err(format!("File '{url}' already exists. Exiting."));
            }
            eprint!("File '{url}' already exists. Overwrite? [y/N] ");
            let mut answer = String::new();
            let _ = std::io::stdin().read_line(&mut answer);
            if answer.trim_start().starts_with(['y', 'Y']) {
                Ok(())
            } else {
                Err("Not overwriting - exiting".into())
            }
        }
    }
}

/// The end of a packet or frame starting at `us` (microseconds) lasting `duration` in `tb`.
fn end_time(us: Option<i64>, duration: Option<i64>, tb: Rational) -> Option<i64> {
    let d = duration
        .and_then(|d| rescale_q(d, tb, TIME_BASE_Q))
        .unwrap_or(0);
    us.map(|u| u.saturating_add(d))
}

/// `%.3g`, as ffmpeg prints the speed.
fn fmt_g3(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let exp = v.abs().log10().floor() as i32;
    if !(-4..3).contains(&exp) {
        let m = v / 10f64.powi(exp);
        let s = format!("{m:.2}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        return format!("{s}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs());
    }
    let decimals = (2 - exp).max(0) as usize;
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    }
}

/// Samples of an audio frame from `start` (a time in `tb` units of the frame's pts).
fn audio_slice(frame: &Frame, skip: usize, keep: usize) -> Option<Frame> {
    let a = *frame.audio()?;
    let mut out = Frame::new_audio(a.format, keep, a.layout, a.sample_rate).ok()?;
    out.copy_props_from(frame);
    let bps = a.format.bytes_per_sample()
        * if a.format.is_planar() {
            1
        } else {
            a.layout.channels() as usize
        };
    for p in 0..frame.planes() {
        let src = frame.plane(p).get(skip * bps..(skip + keep) * bps)?;
        out.plane_mut(p).copy_from_slice(src);
    }
    Some(out)
}

/// Cuts the samples before `from_us`; `None` if the whole frame is before it (or it is video).
fn trim_audio_front(frame: &Frame, from_us: i64, tb: Rational) -> Option<Frame> {
    let a = *frame.audio()?;
    let pts = frame.pts?;
    let start = rescale_q(pts, tb, Rational::new(1, a.sample_rate as i32))?;
    let target = rescale_q_rnd(
        from_us,
        TIME_BASE_Q,
        Rational::new(1, a.sample_rate as i32),
        Rounding::NearInf,
    )?;
    let skip = usize::try_from(target - start).ok()?;
    if skip >= a.nb_samples {
        return None;
    }
    let mut f = audio_slice(frame, skip, a.nb_samples - skip)?;
    f.pts = rescale_q(
        start + skip as i64,
        Rational::new(1, a.sample_rate as i32),
        tb,
    );
    f.duration = rescale_q(
        (a.nb_samples - skip) as i64,
        Rational::new(1, a.sample_rate as i32),
        tb,
    );
    Some(f)
}

/// Cuts the samples at and after `end_us`; `None` if nothing needs cutting.
fn trim_audio_back(frame: &Frame, end_us: i64, tb: Rational) -> Option<Frame> {
    let a = *frame.audio()?;
    let sr = Rational::new(1, a.sample_rate as i32);
    let start = rescale_q(frame.pts?, tb, sr)?;
    let end = rescale_q_rnd(end_us, TIME_BASE_Q, sr, Rounding::NearInf)?;
    let keep = usize::try_from(end - start).ok()?;
    if keep >= a.nb_samples {
        return None;
    }
    let mut f = audio_slice(frame, 0, keep)?;
    f.duration = rescale_q(keep as i64, sr, tb);
    Some(f)
}

/// Converts an audio frame to sample format `fmt` (channels and rate unchanged).
fn convert_audio(frame: &Frame, fmt: SampleFormat) -> Result<Frame, Fail> {
    let a = *frame.audio().ok_or("audio conversion of a video frame")?;
    let mut out =
        Frame::new_audio(fmt, a.nb_samples, a.layout, a.sample_rate).map_err(|e| e.to_string())?;
    out.copy_props_from(frame);
    let src: Vec<&[u8]> = (0..frame.planes()).map(|p| frame.plane(p)).collect();
    let n = out.planes();
    let mut bufs: Vec<Vec<u8>> = (0..n).map(|p| vec![0u8; out.plane(p).len()]).collect();
    {
        let mut dst: Vec<&mut [u8]> = bufs.iter_mut().map(|b| b.as_mut_slice()).collect();
        convert_samples(
            a.format,
            &src,
            fmt,
            &mut dst,
            a.layout.channels() as usize,
            a.nb_samples,
        )
        .map_err(|e| e.to_string())?;
    }
    for (p, b) in bufs.into_iter().enumerate() {
        out.plane_mut(p).copy_from_slice(&b);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn g3_like_printf() {
        assert_eq!(fmt_g3(701.23), "701");
        assert_eq!(fmt_g3(88.64), "88.6");
        assert_eq!(fmt_g3(1.0), "1");
        assert_eq!(fmt_g3(0.5), "0.5");
        assert_eq!(fmt_g3(1234.5), "1.23e+03");
    }
}
