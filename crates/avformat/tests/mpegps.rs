//! MPEG program stream: packets against ffmpeg-made framemd5 references (`-c copy`, parsed into
//! frames), stream properties against ffprobe, muxer round trips, seeking, damaged inputs.

// Helpers of tests panic on failure like the tests themselves.
#![allow(clippy::unwrap_used)]

use avformat::io::MemorySink;
use avformat::{
    FormatRegistry, InputContext, InputOptions, IoReader, IoWriter, OutputContext, SeekFlags,
};
use avutil::mathematics::rescale_q;
use avutil::{Rational, TIME_BASE_Q};

use crate::y4m::{fixture, reference};

const FIXTURES: &[&str] = &[
    "m1v-mp2-mono",
    "m1v-bf2-mp2-stereo",
    "m1v-ntsc-mp2-32k",
    "seek-bf2",
    "garbage",
];

/// Private stream 1 audio (AC-3 and DTS, split by their parsers), with or without video.
const PRIVATE_AUDIO: &[&str] = &["ac3-m1v-stereo", "ac3-5.1-44k", "dts-stereo-48k", "dts-5.1"];

/// The fixtures whose streams ffprobe described (all but the damaged one).
fn probed() -> impl Iterator<Item = &'static &'static str> {
    FIXTURES[..4].iter().chain(PRIVATE_AUDIO)
}

fn open(path: &str) -> InputContext {
    InputContext::open(path, &FormatRegistry::builtin(), &InputOptions::default()).unwrap()
}

/// The packet lines of `ffmpeg -i IN -c copy -f framemd5 -` (timestamps shifted by the start
/// time as ffmpeg does), in file order; and the stream lines of the framemd5 header.
fn framemd5_lines(input: &mut InputContext) -> Vec<String> {
    let start = input.start_time().unwrap_or(0);
    let mut lines = Vec::new();
    while let Some(p) = input.read_packet().unwrap() {
        let off = rescale_q(-start, TIME_BASE_Q, p.time_base).unwrap();
        let ts = |t: Option<i64>| t.map_or(i64::MIN, |t| t + off);
        let digest = avutil::hash::md5_hex(&p.data);
        lines.push(format!(
            "{}, {:>10}, {:>10}, {:>8}, {:>8}, {}",
            p.stream_index,
            ts(p.dts),
            ts(p.pts),
            p.duration.unwrap_or(0),
            p.size(),
            digest
        ));
    }
    lines
}

fn per_stream(lines: &[String], s: usize) -> Vec<String> {
    let prefix = format!("{s},");
    lines
        .iter()
        .filter(|l| l.starts_with(&prefix))
        .cloned()
        .collect()
}

#[test]
fn packets_match_ffmpeg_stream_copy() {
    for name in FIXTURES.iter().chain(PRIVATE_AUDIO) {
        let mut input = open(&fixture(&format!("mpegps/{name}.mpg")));
        assert_eq!(input.format().name, "mpeg");
        let ours = framemd5_lines(&mut input);
        let refs: Vec<String> = reference(&format!("mpegps-{name}.framemd5"))
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(str::to_owned)
            .collect();
        for s in 0..2 {
            assert_eq!(
                per_stream(&ours, s),
                per_stream(&refs, s),
                "{name} stream {s}"
            );
        }
    }
}

#[test]
fn streams_match_ffprobe() {
    for name in probed() {
        let input = open(&fixture(&format!("mpegps/{name}.mpg")));
        let mut got = String::new();
        for st in input.streams() {
            let p = &st.params;
            let line = if p.media_type == avcodec::MediaType::Video {
                format!("{},{},{}", p.codec_id.name(), p.width, p.height)
            } else {
                format!("{},{},{}", p.codec_id.name(), p.sample_rate, p.channels())
            };
            got.push_str(&format!(
                "{line},0x{:x},{},{}\n",
                st.id,
                st.start_time.unwrap(),
                st.duration.unwrap()
            ));
        }
        assert_eq!(got, reference(&format!("mpegps-{name}.probe")), "{name}");
    }
}

#[test]
fn private_stream_audio_parameters_match_ffprobe() {
    // codec, sample rate, channels, layout and bit rate, as the AC-3 and DTS parsers set them.
    for name in PRIVATE_AUDIO {
        let input = open(&fixture(&format!("mpegps/{name}.mpg")));
        let st = input
            .streams()
            .iter()
            .find(|s| s.params.media_type == avcodec::MediaType::Audio)
            .unwrap();
        let p = &st.params;
        let got = format!(
            "{},{},{},{},{}\n",
            p.codec_id.name(),
            p.sample_rate,
            p.channels(),
            p.ch_layout.map(|l| l.to_string()).unwrap_or_default(),
            p.bit_rate.unwrap_or(0)
        );
        assert_eq!(got, reference(&format!("mpegps-{name}.audio")), "{name}");
    }
}

/// Demuxes `path`, muxes it with our muxer to memory, and returns the bytes.
fn remux(path: &str) -> Vec<u8> {
    let formats = FormatRegistry::builtin();
    let mut input = open(path);
    let sink = MemorySink::new();
    let info = *formats.find_muxer("mpeg").unwrap();
    let mut out =
        OutputContext::with_writer(IoWriter::new(Box::new(sink.clone()), "mem.mpg"), info);
    for st in input.streams() {
        out.add_stream(st.params.clone(), st.time_base).unwrap();
    }
    out.write_header().unwrap();
    let start = input.start_time().unwrap_or(0);
    while let Some(mut p) = input.read_packet().unwrap() {
        let off = rescale_q(-start, TIME_BASE_Q, p.time_base).unwrap();
        p.pts = p.pts.map(|t| t + off);
        p.dts = p.dts.map(|t| t + off);
        out.write_packet(p).unwrap();
    }
    out.write_trailer().unwrap();
    sink.contents()
}

#[test]
fn remux_keeps_payloads_and_timing() {
    for name in probed() {
        let path = fixture(&format!("mpegps/{name}.mpg"));
        let bytes = remux(&path);
        let mut a = open(&path);
        let io = IoReader::from_bytes(bytes, "remux.mpg");
        let mut b =
            InputContext::open_reader(io, &FormatRegistry::builtin(), &InputOptions::default())
                .unwrap();
        assert_eq!(b.format().name, "mpeg");
        assert_eq!(a.streams().len(), b.streams().len());
        for (x, y) in a.streams().iter().zip(b.streams()) {
            assert_eq!((x.id, x.params.codec_id), (y.id, y.params.codec_id));
            assert_eq!(x.start_time, y.start_time, "{name}: start times survive");
        }
        let la = framemd5_lines(&mut a);
        let lb = framemd5_lines(&mut b);
        let payload = |l: &String| {
            let f: Vec<&str> = l.split(", ").collect();
            format!("{} {} {}", f[0], f[4].trim(), f[5])
        };
        for s in 0..2 {
            let pa: Vec<String> = per_stream(&la, s).iter().map(payload).collect();
            let pb: Vec<String> = per_stream(&lb, s).iter().map(payload).collect();
            assert_eq!(pa, pb, "{name} stream {s}");
        }
    }
}

#[test]
fn seeking_lands_at_or_before_the_target() {
    let mut input = open(&fixture("mpegps/m1v-bf2-mp2-stereo.mpg"));
    let tb = Rational::new(1, 90000);
    let start = input.streams()[0].start_time.unwrap();
    for target in [start, start + 30000, start + 60000, start + 1_000_000] {
        let flags = SeekFlags {
            backward: true,
            ..Default::default()
        };
        let landed = input.seek(0, target, flags).unwrap();
        assert!(landed <= target.max(start), "landed {landed} for {target}");
        // Reading resumes.
        let p = input.read_packet().unwrap();
        assert!(p.is_some());
        assert_eq!(input.time_base(0), tb);
    }
    // Back to the start gives the first packets again.
    input
        .seek(
            0,
            0,
            SeekFlags {
                backward: true,
                ..Default::default()
            },
        )
        .unwrap();
    let mut n = 0;
    while input.read_packet().unwrap().is_some() {
        n += 1;
    }
    assert!(n > 60, "{n} packets after seeking to the start");
}

#[test]
fn damaged_inputs_do_not_fail() {
    // Truncated: packets up to the cut, then the end.
    let mut input = open(&fixture("bad/mpegps-truncated.mpg"));
    let lines = framemd5_lines(&mut input);
    assert!(lines.len() > 30);
    // Garbage only: not recognised.
    let io = IoReader::from_bytes(vec![0x47u8; 5000], "garbage.mpg");
    assert!(
        InputContext::open_reader(io, &FormatRegistry::builtin(), &InputOptions::default())
            .is_err()
    );
    // Forced on garbage: no streams, no packets, no error.
    let io = IoReader::from_bytes(vec![0x47u8; 5000], "garbage.mpg");
    let mut input = InputContext::open_reader(
        io,
        &FormatRegistry::builtin(),
        &InputOptions::with_format("mpeg"),
    )
    .unwrap();
    assert!(input.read_packet().unwrap().is_none());
}

#[test]
fn damaged_private_stream_audio_does_not_fail() {
    // Truncated and byte-flipped AC-3 and DTS streams: the parsers resynchronise, reading ends
    // without an error.
    for name in PRIVATE_AUDIO {
        let bytes = std::fs::read(fixture(&format!("mpegps/{name}.mpg"))).unwrap();
        let mut variants: Vec<Vec<u8>> = [3000, 9001, bytes.len() - 77]
            .iter()
            .map(|&n| bytes[..n].to_vec())
            .collect();
        let mut flipped = bytes.clone();
        for i in (2100..flipped.len()).step_by(331) {
            flipped[i] ^= 0x5a;
        }
        variants.push(flipped);
        for (k, v) in variants.into_iter().enumerate() {
            let io = IoReader::from_bytes(v, "damaged.mpg");
            let mut input =
                InputContext::open_reader(io, &FormatRegistry::builtin(), &InputOptions::default())
                    .unwrap();
            let mut n = 0;
            while let Some(p) = input.read_packet().unwrap() {
                assert!(!p.data.is_empty());
                n += 1;
            }
            assert!(n > 0, "{name} variant {k}: no packets");
        }
    }
}

#[test]
fn probe_scores_match_ffprobe() {
    for line in reference("mpegps-probe-scores.txt").lines() {
        let (name, score) = line.split_once(' ').unwrap();
        let input = open(&fixture(&format!("mpegps/{name}.mpg")));
        assert_eq!(input.probe_score().to_string(), score, "{name}");
    }
}
