//! A tiny ffmpeg-like driver over `avformat` alone, for interop checks before `ffw` exists.
//!
//! ```text
//! remux [-f FMT] [-ar N] [-ac N] [-ch_layout L] [-opt k=v]... -i INPUT
//!       [-decode] [-bitexact] [-metadata k=v]... -f OUTFMT OUTPUT
//! ```
//!
//! Without `-decode` packets are copied (`ffmpeg -c copy`). With `-decode` PCM packets are
//! decoded and re-stored with the PCM codec of the decoded sample format (e.g. s24le ->
//! s32le), as `ffmpeg -c:a pcm_s32le` would: the md5 of the samples then compares with
//! ffmpeg's exactly. OUTPUT `-` is stdout.

use std::process::ExitCode;

use avcodec::codecs::pcm;
use avcodec::{CodecParameters, CodecRegistry, DecoderOptions, Packet, Received};
use avformat::{FormatRegistry, InputContext, InputOptions, OutputContext};
use avutil::{Buffer, ChannelLayout};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("remux: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut in_opts = InputOptions::default();
    let mut input = None;
    let mut out_fmt = None;
    let mut output = None;
    let mut decode = false;
    let mut bitexact = false;
    let mut metadata = Vec::new();
    let mut i = 0;
    let next = |i: &mut usize| -> Result<String, String> {
        *i += 1;
        args.get(*i)
            .cloned()
            .ok_or_else(|| format!("missing value after {}", args[*i - 1]))
    };
    while i < args.len() {
        match args[i].as_str() {
            "-f" => {
                let v = next(&mut i)?;
                if input.is_none() {
                    in_opts.format = Some(v);
                } else {
                    out_fmt = Some(v);
                }
            }
            "-ar" => in_opts.format_options.sample_rate = Some(next(&mut i)?.parse()?),
            "-ac" => in_opts.format_options.channels = Some(next(&mut i)?.parse()?),
            "-ch_layout" => {
                in_opts.format_options.ch_layout = Some(ChannelLayout::parse(&next(&mut i)?)?)
            }
            "-opt" => {
                let kv = next(&mut i)?;
                let (k, v) = kv.split_once('=').ok_or("-opt takes key=value")?;
                in_opts.format_options.private.set(k, v);
            }
            "-i" => input = Some(next(&mut i)?),
            "-decode" => decode = true,
            "-bitexact" => bitexact = true,
            "-metadata" => {
                let kv = next(&mut i)?;
                let (k, v) = kv.split_once('=').ok_or("-metadata takes key=value")?;
                metadata.push((k.to_owned(), v.to_owned()));
            }
            s if !s.starts_with('-') || s == "-" => output = Some(s.to_owned()),
            s => return Err(format!("unknown option {s}").into()),
        }
        i += 1;
    }
    let input = input.ok_or("no input (-i)")?;
    let output = output.ok_or("no output")?;
    let formats = FormatRegistry::builtin();
    let mut ic = InputContext::open(&input, &formats, &in_opts)?;
    // Like the ffmpeg tool: unknown channel orders get the default layout.
    for st in ic.streams_mut() {
        st.params.guess_channel_layout();
    }
    let mut oc = OutputContext::create(&output, &formats, out_fmt.as_deref())?;
    oc.set_bitexact(bitexact);
    // Like ffmpeg, container metadata is copied from the input.
    for (k, v) in ic.metadata().iter() {
        oc.metadata_mut().set(k, v);
    }
    for (k, v) in &metadata {
        oc.metadata_mut().set(k.as_str(), v.as_str());
    }
    let st = ic.streams().first().ok_or("input has no stream")?.clone();
    let codecs = CodecRegistry::builtin();
    let mut decoder = None;
    let params = if decode {
        let d = codecs.open_decoder(&st.params, &DecoderOptions::default())?;
        let fmt = d
            .parameters()
            .sample_fmt
            .ok_or("decoder has no sample format")?;
        let id = pcm::codec_for(fmt, false).ok_or("no PCM codec for the decoded format")?;
        let mut p = CodecParameters::audio(
            id,
            fmt,
            st.params.sample_rate,
            st.params.ch_layout.unwrap_or(ChannelLayout::MONO),
        );
        p.bit_rate = Some(
            u64::from(pcm::bits_per_sample(id))
                * u64::from(p.channels())
                * u64::from(p.sample_rate),
        );
        decoder = Some(d);
        p
    } else {
        st.params.clone()
    };
    oc.add_stream(params, st.time_base)?;
    oc.write_header()?;
    while let Some(pkt) = ic.read_packet()? {
        if pkt.stream_index != 0 {
            continue;
        }
        match decoder.as_mut() {
            None => oc.write_packet(pkt)?,
            Some(d) => {
                let _ = d.send_packet(&pkt)?;
                while let Received::Item(frame) = d.receive_frame()? {
                    let mut p = Packet::new(Buffer::from_vec(frame.to_packed_bytes()));
                    p.pts = frame.pts;
                    p.dts = frame.pts;
                    p.duration = frame.duration;
                    p.time_base = frame.time_base;
                    p.flags.key = true;
                    oc.write_packet(p)?;
                }
            }
        }
    }
    oc.write_trailer()?;
    Ok(())
}
