//! MPEG program stream: packets against ffmpeg-made framemd5 references (`-c copy`, parsed into
//! frames), stream properties against ffprobe, muxer round trips, seeking, damaged inputs.

// Helpers of tests panic on failure like the tests themselves.
#![allow(clippy::unwrap_used)]

use avcodec::Packet;
use avformat::io::MemorySink;
use avformat::{
    FormatRegistry, InputContext, InputOptions, IoReader, IoWriter, OutputContext, SeekFlags,
};
use avutil::mathematics::rescale_q;
use avutil::{Buffer, Rational, TIME_BASE_Q};

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

/// Our `mpeg` muxer writing to memory, and the memory.
fn memory_muxer() -> (OutputContext, MemorySink) {
    let info = *FormatRegistry::builtin().find_muxer("mpeg").unwrap();
    let sink = MemorySink::new();
    let out = OutputContext::with_writer(IoWriter::new(Box::new(sink.clone()), "mem.mpg"), info);
    (out, sink)
}

/// Demuxes `path`, muxes it with our muxer to memory, and returns the bytes.
fn remux(path: &str) -> Vec<u8> {
    let mut input = open(path);
    let (mut out, sink) = memory_muxer();
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
fn seeking_video_lands_on_a_key_picture_unless_any() {
    // 1.6 s at 25 fps, GOP 12, two B-frames: key pictures every 0.48 s.
    let mut input = open(&fixture("mpegps/seek-bf2.mpg"));
    let v = (0..input.streams().len())
        .find(|&i| input.streams()[i].params.codec_id == avcodec::CodecId::Mpeg1video)
        .unwrap();
    let start = input.streams()[v].start_time.unwrap();
    let mut any_landings = Vec::new();
    for step in 0..14 {
        let target = start + step * 9000;
        let key = input
            .seek(
                v,
                target,
                SeekFlags {
                    backward: true,
                    ..Default::default()
                },
            )
            .unwrap();
        assert!(key <= target.max(start), "landed {key} for {target}");
        // The first whole video packet read is a key picture with the landing DTS.
        let first = loop {
            let p = input
                .read_packet()
                .unwrap()
                .expect("packets after the seek");
            if p.stream_index == v && p.flags.key {
                break p;
            }
        };
        assert_eq!(first.dts, Some(key), "target {target}");
        let any = input
            .seek(
                v,
                target,
                SeekFlags {
                    backward: true,
                    any: true,
                    ..Default::default()
                },
            )
            .unwrap();
        assert!(
            key <= any && any <= target.max(start),
            "{key} <= {any} <= {target}"
        );
        any_landings.push(any > key);
    }
    assert!(
        any_landings.iter().any(|&b| b),
        "some targets fall between key pictures"
    );
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

/// Packs and PES packets of a program stream: (SCR of the pack, mux rate, offset of
/// the PES end from the pack start, stream id, payload bytes).
fn pes_deliveries(data: &[u8]) -> Vec<(i64, i64, usize, u8, usize)> {
    let ts = |b: &[u8]| -> i64 {
        (i64::from((b[0] >> 1) & 7) << 30)
            | (i64::from(b[1]) << 22)
            | (i64::from(b[2] >> 1) << 15)
            | (i64::from(b[3]) << 7)
            | i64::from(b[4] >> 1)
    };
    let (mut out, mut i, mut scr, mut rate, mut pack) = (Vec::new(), 0, 0, 1, 0);
    while i + 6 <= data.len() {
        assert_eq!(&data[i..i + 3], &[0, 0, 1], "start code at {i}");
        match data[i + 3] {
            0xba => {
                scr = ts(&data[i + 4..i + 9]);
                rate = (i64::from(data[i + 9] & 0x7f) << 15)
                    | (i64::from(data[i + 10]) << 7)
                    | i64::from(data[i + 11] >> 1);
                pack = i;
                i += 12;
            }
            0xb9 => break,
            id => {
                let n = usize::from(data[i + 4]) << 8 | usize::from(data[i + 5]);
                let body = &data[i + 6..i + 6 + n];
                let mut j = 0;
                if id != 0xbb {
                    while body[j] == 0xff {
                        j += 1;
                    }
                    j += match body[j] >> 4 {
                        2 => 5,
                        3 => 10,
                        _ => 1,
                    };
                    if id == 0xbd {
                        // The private stream 1 sub-stream header.
                        j += if (0x80..=0xcf).contains(&body[j]) {
                            4
                        } else {
                            1
                        };
                    }
                    out.push((scr, rate, i + 6 + n - pack, id, n - j));
                }
                i += 6 + n;
            }
        }
    }
    out
}

#[test]
fn muxer_keeps_decoder_buffers_within_bounds() {
    // 720p-like video at ~6 Mb/s (100 KB I pictures every 12, 18 KB others, 25 fps,
    // IBBP order) and 384 kb/s MP2 (1152-byte frames every 24 ms), 4 s; then the same
    // at CIF rates. Every access unit must be in its buffer by its DTS, and no buffer
    // may hold more than the bound the system header declares (230 KiB, 4 KiB).
    for (i_size, p_size) in [(100_000usize, 18_000usize), (12_000, 2_500)] {
        let (mut out, sink) = memory_muxer();
        let tb = Rational::new(1, 90000);
        let mut vp = avcodec::CodecParameters::new(avcodec::CodecId::Mpeg1video);
        vp.width = 1280;
        vp.height = 720;
        let mut ap = avcodec::CodecParameters::new(avcodec::CodecId::Mp2);
        ap.sample_rate = 48000;
        ap.bit_rate = Some(384_000);
        out.add_stream(vp, tb).unwrap();
        out.add_stream(ap, tb).unwrap();
        out.write_header().unwrap();
        // Access units in the order written: (stream, dts, size).
        let mut units = Vec::new();
        let (mut v, mut a) = (0i64, 0i64);
        let mut fill = 0u8;
        while v < 100 || a < 167 {
            let vdts = v * 3600 - 3600;
            let adts = a * 2160;
            if v < 100 && (a >= 167 || vdts <= adts) {
                let size = if v % 12 == 0 { i_size } else { p_size };
                let mut p = Packet::new(Buffer::from(vec![fill; size]));
                fill = fill.wrapping_add(1);
                // IBBP: I/P pictures shown 3 frames later, B pictures at once.
                let pts = if v % 3 == 0 { vdts + 3 * 3600 } else { vdts };
                (p.pts, p.dts, p.time_base, p.stream_index) = (Some(pts), Some(vdts), tb, 0);
                out.write_packet(p).unwrap();
                units.push((0xe0u8, vdts, size));
                v += 1;
            } else {
                let mut p = Packet::new(Buffer::from(vec![0x55; 1152]));
                (p.pts, p.dts, p.time_base, p.stream_index) = (Some(adts), Some(adts), tb, 1);
                out.write_packet(p).unwrap();
                units.push((0xc0u8, adts, 1152));
                a += 1;
            }
        }
        out.write_trailer().unwrap();
        let data = sink.contents();
        let deliveries = pes_deliveries(&data);
        // The muxer shifts every timestamp by the same offset; the first video PES
        // carries the first video DTS.
        let first_dts = {
            let i = data.windows(4).position(|w| w == [0, 0, 1, 0xe0]).unwrap();
            let b = &data[i + 6..];
            let j = b.iter().position(|&x| x != 0xff).unwrap();
            assert_eq!(b[j] >> 4, 3, "the first video PES carries PTS and DTS");
            let t = &b[j + 5..j + 10];
            (i64::from((t[0] >> 1) & 7) << 30)
                | (i64::from(t[1]) << 22)
                | (i64::from(t[2] >> 1) << 15)
                | (i64::from(t[3]) << 7)
                | i64::from(t[4] >> 1)
        };
        let shift = first_dts - -3600;
        for (sid, bound) in [(0xe0u8, 230 * 1024usize), (0xc0, 4096)] {
            let aus: Vec<(i64, usize)> = units
                .iter()
                .filter(|u| u.0 == sid)
                .map(|u| (u.1 + shift, u.2))
                .collect();
            let (mut delivered, mut removed, mut k, mut peak) = (0usize, 0usize, 0, 0);
            for &(scr, rate, end, id, n) in &deliveries {
                if id != sid {
                    continue;
                }
                // The PES's last byte enters the buffer at this time.
                let t = scr + (end as i64 * 90000 + rate * 50 - 1) / (rate * 50);
                while k < aus.len() && aus[k].0 <= t {
                    removed += aus[k].1;
                    assert!(
                        removed <= delivered,
                        "stream {sid:#x}: unit {k} late at {t}"
                    );
                    k += 1;
                }
                delivered += n;
                peak = peak.max(delivered - removed);
            }
            assert_eq!(
                delivered,
                aus.iter().map(|u| u.1).sum::<usize>(),
                "all data written"
            );
            assert!(
                peak <= bound,
                "stream {sid:#x}: {peak} bytes in a {bound}-byte buffer"
            );
        }
    }
}

#[test]
fn muxer_survives_odd_timestamps_and_sizes() {
    // Pseudo-random packet sizes (empty to 200 KB), missing, repeated and far apart
    // timestamps (never decreasing within a stream, which the output context refuses),
    // streams that stop early, on video, audio and AC-3: the muxer ends (no hang), never
    // panics, and writes every byte it was given.
    let mut x = 12345u32;
    let mut rnd = move |m: u32| {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        (x >> 8) % m.max(1)
    };
    for round in 0..20 {
        let (mut out, sink) = memory_muxer();
        let tb = Rational::new(1, 90000);
        for codec in [
            avcodec::CodecId::Mpeg1video,
            avcodec::CodecId::Mp2,
            avcodec::CodecId::Ac3,
        ] {
            out.add_stream(avcodec::CodecParameters::new(codec), tb)
                .unwrap();
        }
        out.write_header().unwrap();
        let mut total = 0usize;
        let mut t = [0i64; 3];
        let stop = [300, rnd(300) as usize, rnd(300) as usize];
        for n in 0..300 {
            let s = rnd(3) as usize;
            if n >= stop[s] {
                continue;
            }
            let size = match rnd(10) {
                0 => 0,
                1 => rnd(200_000) as usize,
                _ => rnd(3000) as usize,
            };
            t[s] += match rnd(8) {
                0 => 0,
                1 => i64::from(rnd(2_000_000)),
                _ => i64::from(rnd(4000)),
            };
            let mut p = Packet::new(Buffer::from(vec![0x5a; size]));
            let ts = (rnd(5) != 0).then_some(t[s]);
            (p.pts, p.dts, p.time_base, p.stream_index) = (ts, ts, tb, s);
            out.write_packet(p).unwrap();
            total += size;
        }
        out.write_trailer().unwrap();
        let data = sink.contents();
        let written: usize = pes_deliveries(&data).iter().map(|d| d.4).sum();
        assert_eq!(written, total, "round {round}");
    }
}
