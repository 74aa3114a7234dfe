//! Building ffprobe's sections from an opened input.

use fastforward::avcodec::{CodecParameters, MediaType, Packet, Received};
use fastforward::avformat::{InputContext, InputOptions, Stream};
use fastforward::avutil::{ChannelLayout, Frame, Rational};

use crate::Options;
use crate::writer::{Document, Section};

fn time(ts: Option<i64>, tb: Rational) -> Option<String> {
    ts.map(|t| format!("{:.6}", t as f64 * tb.to_f64()))
}

fn layout_name(l: Option<ChannelLayout>) -> Option<String> {
    match l {
        Some(l @ ChannelLayout::Native(_)) => Some(l.to_string()),
        _ => None,
    }
}

fn stream_selected(spec: Option<&str>, st: &Stream, type_index: usize) -> bool {
    let Some(spec) = spec else { return true };
    let kind = |c: &str| match c {
        "v" | "V" => Some(MediaType::Video),
        "a" => Some(MediaType::Audio),
        "s" => Some(MediaType::Subtitle),
        "d" => Some(MediaType::Data),
        _ => None,
    };
    let mut parts = spec.split(':');
    let first = parts.next().unwrap_or("");
    match (kind(first), parts.next()) {
        (Some(k), None) => st.params.media_type == k,
        (Some(k), Some(n)) => st.params.media_type == k && n.parse() == Ok(type_index),
        (None, _) => first.parse() == Ok(st.index),
    }
}

fn disposition(st: &Stream) -> Section {
    let d = st.disposition;
    let mut s = Section::new("disposition");
    for (k, v) in [
        ("default", d.default),
        ("dub", d.dub),
        ("original", d.original),
        ("comment", d.comment),
        ("lyrics", false),
        ("karaoke", false),
        ("forced", false),
        ("hearing_impaired", false),
        ("visual_impaired", false),
        ("clean_effects", false),
        ("attached_pic", d.attached_pic),
        ("timed_thumbnails", false),
        ("captions", false),
        ("descriptions", false),
        ("metadata", false),
        ("dependent", false),
        ("still_image", false),
    ] {
        s.int(k, i64::from(v));
    }
    s
}

fn tags(m: &fastforward::avutil::Dictionary) -> Option<Section> {
    if m.is_empty() {
        return None;
    }
    let mut s = Section::new("tags");
    for (k, v) in m.iter() {
        s.str(k, v);
    }
    Some(s)
}

fn stream_section(st: &Stream, counts: Option<(u64, u64)>) -> Section {
    let p: &CodecParameters = &st.params;
    let mut s = Section::new("stream");
    s.int("index", st.index as i64)
        .str("codec_name", p.codec_id.name())
        .str("codec_long_name", p.codec_id.descriptor().long_name)
        .opt("profile", p.profile.map(|x| x.to_string()))
        .str("codec_type", p.media_type.name())
        .str(
            "codec_tag_string",
            fastforward::avformat::dump::fourcc_string(p.codec_tag),
        )
        .str("codec_tag", format!("0x{:04x}", p.codec_tag));
    match p.media_type {
        MediaType::Video => {
            s.int("width", p.width as i64)
                .int("height", p.height as i64)
                .int("coded_width", p.width as i64)
                .int("coded_height", p.height as i64)
                .int("closed_captions", 0)
                .int("film_grain", 0)
                .int("has_b_frames", i64::from(p.video_delay));
            let sar = if st.sample_aspect_ratio.num != 0 {
                st.sample_aspect_ratio
            } else {
                p.sample_aspect_ratio
            };
            if sar.num != 0 {
                let (dar, _) = Rational::reduce(
                    p.width as i64 * i64::from(sar.num),
                    p.height as i64 * i64::from(sar.den),
                    1024 * 1024,
                );
                s.str("sample_aspect_ratio", format!("{}:{}", sar.num, sar.den))
                    .str("display_aspect_ratio", format!("{}:{}", dar.num, dar.den));
            } else {
                s.opt("sample_aspect_ratio", None)
                    .opt("display_aspect_ratio", None);
            }
            s.opt("pix_fmt", p.pix_fmt.map(|f| f.name().to_owned()))
                .int("level", i64::from(p.level.unwrap_or(-99)))
                .opt(
                    "color_range",
                    p.color_range
                        .name()
                        .filter(|n| *n != "unknown")
                        .map(str::to_owned),
                )
                .opt(
                    "color_space",
                    p.colorspace
                        .name()
                        .filter(|n| *n != "unknown")
                        .map(str::to_owned),
                )
                .opt(
                    "color_transfer",
                    p.color_trc
                        .name()
                        .filter(|n| *n != "unknown")
                        .map(str::to_owned),
                )
                .opt(
                    "color_primaries",
                    p.color_primaries
                        .name()
                        .filter(|n| *n != "unknown")
                        .map(str::to_owned),
                )
                .opt(
                    "chroma_location",
                    p.chroma_location
                        .name()
                        .filter(|n| *n != "unspecified")
                        .map(str::to_owned),
                )
                .opt("field_order", p.field_order.name().map(str::to_owned))
                .int("refs", 1);
        }
        MediaType::Audio => {
            s.opt("sample_fmt", p.sample_fmt.map(|f| f.name().to_owned()))
                .str("sample_rate", p.sample_rate.to_string())
                .int("channels", i64::from(p.channels()))
                .opt("channel_layout", layout_name(p.ch_layout))
                .int(
                    "bits_per_sample",
                    i64::from(fastforward::avcodec::codecs::pcm::bits_per_sample(
                        p.codec_id,
                    )),
                );
        }
        _ => {}
    }
    let q = |r: Rational| format!("{}/{}", r.num, r.den);
    s.opt("id", (st.id != 0).then(|| format!("0x{:x}", st.id)))
        .str("r_frame_rate", q(st.r_frame_rate))
        .str("avg_frame_rate", q(st.avg_frame_rate))
        .str("time_base", q(st.time_base))
        .opt_int("start_pts", st.start_time)
        .opt("start_time", time(st.start_time, st.time_base))
        .opt_int("duration_ts", st.duration)
        .opt("duration", time(st.duration, st.time_base))
        .opt(
            "bit_rate",
            p.bit_rate.filter(|&b| b > 0).map(|b| b.to_string()),
        )
        .opt("max_bit_rate", None)
        .opt(
            "bits_per_raw_sample",
            (p.bits_per_raw_sample > 0).then(|| p.bits_per_raw_sample.to_string()),
        )
        .opt(
            "nb_frames",
            st.nb_frames.filter(|&n| n > 0).map(|n| n.to_string()),
        )
        .opt("nb_read_frames", counts.map(|c| c.0.to_string()))
        .opt("nb_read_packets", counts.map(|c| c.1.to_string()));
    if !p.extradata.is_empty() {
        s.int("extradata_size", p.extradata.len() as i64);
    }
    s.children.push(disposition(st));
    if let Some(t) = tags(&st.metadata) {
        s.children.push(t);
    }
    s
}

fn packet_section(p: &Packet, st: &Stream) -> Section {
    let tb = st.time_base;
    let mut s = Section::new("packet");
    s.str("codec_type", st.params.media_type.name())
        .int("stream_index", p.stream_index as i64)
        .opt_int("pts", p.pts)
        .opt("pts_time", time(p.pts, tb))
        .opt_int("dts", p.dts)
        .opt("dts_time", time(p.dts, tb))
        .opt_int("duration", p.duration)
        .opt("duration_time", time(p.duration, tb))
        .str("size", p.size().to_string())
        .opt("pos", p.pos.map(|x| x.to_string()))
        .str(
            "flags",
            format!(
                "{}{}",
                if p.flags.key { 'K' } else { '_' },
                if p.flags.discard { 'D' } else { '_' }
            ),
        );
    s
}

fn frame_section(f: &Frame, st: &Stream, pkt_size: usize, number: u64) -> Section {
    let tb = st.time_base;
    let mut s = Section::new("frame");
    s.str("media_type", st.params.media_type.name())
        .int("stream_index", st.index as i64)
        .int("key_frame", i64::from(f.key_frame))
        .opt_int("pts", f.pts)
        .opt("pts_time", time(f.pts, tb))
        .opt_int("pkt_dts", f.pkt_dts)
        .opt("pkt_dts_time", time(f.pkt_dts, tb))
        .opt_int("best_effort_timestamp", f.best_effort_timestamp)
        .opt(
            "best_effort_timestamp_time",
            time(f.best_effort_timestamp, tb),
        )
        .opt_int("pkt_duration", f.duration)
        .opt("pkt_duration_time", time(f.duration, tb))
        .opt("pkt_pos", f.pkt_pos.map(|x| x.to_string()))
        .str("pkt_size", pkt_size.to_string());
    if let Some(v) = f.video() {
        let sar = f.sample_aspect_ratio;
        s.int("width", v.width as i64)
            .int("height", v.height as i64)
            .str("pix_fmt", v.format.name())
            .opt(
                "sample_aspect_ratio",
                (sar.num != 0).then(|| format!("{}:{}", sar.num, sar.den)),
            )
            .str("pict_type", f.pict_type.as_char().to_string())
            .int("coded_picture_number", number as i64)
            .int("display_picture_number", 0)
            .int("interlaced_frame", i64::from(f.interlaced))
            .int("top_field_first", i64::from(f.top_field_first))
            .int("repeat_pict", i64::from(f.repeat_pict))
            .opt(
                "color_range",
                f.color_range
                    .name()
                    .filter(|n| *n != "unknown")
                    .map(str::to_owned),
            )
            .opt(
                "color_space",
                f.colorspace
                    .name()
                    .filter(|n| *n != "unknown")
                    .map(str::to_owned),
            )
            .opt(
                "color_primaries",
                f.color_primaries
                    .name()
                    .filter(|n| *n != "unknown")
                    .map(str::to_owned),
            )
            .opt(
                "color_transfer",
                f.color_trc
                    .name()
                    .filter(|n| *n != "unknown")
                    .map(str::to_owned),
            )
            .opt(
                "chroma_location",
                f.chroma_location
                    .name()
                    .filter(|n| *n != "unspecified")
                    .map(str::to_owned),
            );
    } else if let Some(a) = f.audio() {
        s.str("sample_fmt", a.format.name())
            .int("nb_samples", a.nb_samples as i64)
            .int("channels", i64::from(a.layout.channels()))
            .opt("channel_layout", layout_name(Some(a.layout)));
    }
    s
}

/// Probes `input` and renders what `opts` asks for.
pub(crate) fn run(opts: &Options, input: &str) -> Result<String, String> {
    let formats = fastforward::default::formats();
    let codecs = fastforward::default::codecs();
    let mut io = InputOptions::default();
    io.format = opts.format.clone();
    let mut ctx = InputContext::open(input, &formats, &io).map_err(|e| e.to_string())?;
    ctx.decode_stream_info(&codecs).map_err(|e| e.to_string())?;
    let streams: Vec<Stream> = ctx.streams().to_vec();
    let mut type_index = std::collections::HashMap::new();
    let selected: Vec<bool> = streams
        .iter()
        .map(|st| {
            let ti = type_index
                .entry(st.params.media_type)
                .and_modify(|c| *c += 1)
                .or_insert(0usize);
            stream_selected(opts.select.as_deref(), st, *ti)
        })
        .collect();
    let mut doc = Document::default();
    let read = opts.show_packets || opts.show_frames || opts.count_frames || opts.count_packets;
    let mut counts = vec![(0u64, 0u64); streams.len()];
    if read {
        let mut decoders: Vec<Option<Box<dyn fastforward::avcodec::Decoder>>> = streams
            .iter()
            .map(|st| {
                if !(opts.show_frames || opts.count_frames) {
                    return None;
                }
                let mut d = fastforward::avcodec::DecoderOptions::default();
                d.packet_time_base = st.time_base;
                codecs.open_decoder(&st.params, &d).ok()
            })
            .collect();
        let mut items = Vec::new();
        let emit_frames = |dec: &mut Box<dyn fastforward::avcodec::Decoder>,
                           st: &Stream,
                           size: usize,
                           counts: &mut (u64, u64),
                           items: &mut Vec<Section>| {
            while let Ok(Received::Item(f)) = dec.receive_frame() {
                if opts.show_frames {
                    items.push(frame_section(&f, st, size, counts.0));
                }
                counts.0 += 1;
            }
        };
        while let Some(pkt) = ctx.read_packet().map_err(|e| e.to_string())? {
            let i = pkt.stream_index;
            if !selected.get(i).copied().unwrap_or(false) {
                continue;
            }
            counts[i].1 += 1;
            if opts.show_packets {
                items.push(packet_section(&pkt, &streams[i]));
            }
            if let Some(dec) = decoders[i].as_mut() {
                let _ = dec.send_packet(&pkt);
                emit_frames(dec, &streams[i], pkt.size(), &mut counts[i], &mut items);
            }
        }
        for (i, d) in decoders.iter_mut().enumerate() {
            if let Some(dec) = d {
                let _ = dec.send_eof();
                emit_frames(dec, &streams[i], 0, &mut counts[i], &mut items);
            }
        }
        let name = match (opts.show_packets, opts.show_frames) {
            (true, true) => "packets_and_frames",
            (true, false) => "packets",
            _ => "frames",
        };
        if opts.show_packets || opts.show_frames {
            doc.lists.push((name, items));
        }
    }
    if opts.show_streams {
        let list = streams
            .iter()
            .zip(&selected)
            .filter(|(_, s)| **s)
            .map(|(st, _)| {
                stream_section(
                    st,
                    (opts.count_frames || opts.count_packets).then_some(counts[st.index]),
                )
            })
            .collect();
        doc.lists.push(("streams", list));
    }
    if opts.show_format {
        let mut f = Section::new("format");
        f.str("filename", input)
            .int("nb_streams", streams.len() as i64)
            .int("nb_programs", 0)
            .str("format_name", ctx.format().name)
            .str("format_long_name", ctx.format().long_name)
            .opt(
                "start_time",
                time(ctx.start_time(), Rational::new(1, 1_000_000)),
            )
            .opt(
                "duration",
                time(ctx.duration(), Rational::new(1, 1_000_000)),
            )
            .opt("size", ctx.size().map(|s| s.to_string()))
            .opt(
                "bit_rate",
                ctx.bit_rate().filter(|&b| b > 0).map(|b| b.to_string()),
            )
            .int("probe_score", i64::from(ctx.probe_score()));
        if let Some(t) = tags(ctx.metadata()) {
            f.children.push(t);
        }
        doc.format = Some(f);
    }
    Ok(match opts.writer.as_str() {
        "json" => crate::writer::json(&doc),
        "csv" => crate::writer::compact(&doc, ',', false),
        "compact" => crate::writer::compact(&doc, '|', true),
        _ => crate::writer::default(&doc),
    })
}
