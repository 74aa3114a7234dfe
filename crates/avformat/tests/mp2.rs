//! MPEG audio Layer I/II against FFmpeg's references (fixtures/mp2, tests/ref/mp2-*; see the
//! MP2 section of fixtures/generate.sh), encoder round trips, and bad input.

// Helpers of tests panic on failure like the tests themselves.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::Path;

use avcodec::codecs::mpegaudio::header::Header;
use avcodec::{
    CodecId, CodecParameters, CodecRegistry, DecoderOptions, EncoderOptions, Packet, Received,
};
use avformat::{FormatRegistry, InputContext, InputOptions, IoReader};
use avutil::{ChannelLayout, Frame, Rational, SampleFormat};

use crate::wav::{fixtures, reference, remux, root};

fn open(p: &Path) -> InputContext {
    InputContext::open(
        p.to_str().unwrap(),
        &FormatRegistry::builtin(),
        &InputOptions::default(),
    )
    .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn stem(p: &Path) -> String {
    p.file_stem().unwrap().to_string_lossy().into_owned()
}

#[test]
fn packets_match_ffmpeg_framemd5() {
    let files = fixtures("mp2", "mp2");
    assert!(files.len() >= 12);
    for f in &files {
        let mut ic = open(f);
        assert_eq!(ic.format().name, "mp3", "{}", f.display());
        let ours = String::from_utf8(remux(&mut ic, "framemd5", false)).unwrap();
        assert_eq!(
            ours,
            reference(&format!("mp2-{}.copy.framemd5", stem(f))),
            "{}",
            f.display()
        );
    }
}

/// The samples of a planar s16 frame, interleaved.
fn interleave(f: &Frame) -> Vec<i16> {
    let a = f.audio().unwrap();
    assert_eq!(a.format, SampleFormat::S16p);
    let ch = a.layout.channels() as usize;
    let planes: Vec<&[u8]> = (0..ch).map(|c| f.plane(c)).collect();
    (0..a.nb_samples * ch)
        .map(|k| {
            let p = planes[k % ch];
            let i = 2 * (k / ch);
            i16::from_ne_bytes([p[i], p[i + 1]])
        })
        .collect()
}

/// Decodes every packet with the default decoder (skipping packets that fail, as ffmpeg does)
/// and returns what `ffmpeg -f md5` prints for the s16le samples.
fn decoded_md5(ic: &mut InputContext) -> String {
    let codecs = CodecRegistry::builtin();
    let mut dec = codecs
        .open_decoder(&ic.streams()[0].params, &DecoderOptions::default())
        .unwrap();
    let mut bytes = Vec::new();
    while let Some(p) = ic.read_packet().unwrap() {
        if dec.send_packet(&p).is_err() {
            continue;
        }
        while let Received::Item(f) = dec.receive_frame().unwrap() {
            bytes.extend(interleave(&f).iter().flat_map(|s| s.to_le_bytes()));
        }
    }
    format!("MD5={}\n", avutil::hash::md5_hex(&bytes))
}

#[test]
fn decoded_samples_are_identical_to_ffmpeg() {
    for f in fixtures("mp2", "mp2") {
        let mut ic = open(&f);
        let ours = decoded_md5(&mut ic);
        assert_eq!(
            ours,
            reference(&format!("mp2-{}.decoded.md5", stem(&f))),
            "{}",
            f.display()
        );
    }
}

fn flat(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.trim_matches('"').to_owned()))
        .collect()
}

#[test]
fn stream_info_matches_ffprobe() {
    for f in fixtures("mp2", "mp2") {
        let r = flat(&reference(&format!("mp2-{}.probe", stem(&f))));
        let ic = open(&f);
        let st = &ic.streams()[0];
        let p = &st.params;
        let ctx = f.display().to_string();
        let s = |k: &str| {
            r.get(&format!("streams.stream.0.{k}"))
                .cloned()
                .unwrap_or_default()
        };
        assert_eq!(s("codec_name"), p.codec_id.name(), "{ctx}");
        assert_eq!(s("sample_fmt"), p.sample_fmt.unwrap().name(), "{ctx}");
        assert_eq!(s("sample_rate"), p.sample_rate.to_string(), "{ctx}");
        assert_eq!(s("channels"), p.channels().to_string(), "{ctx}");
        assert_eq!(
            s("time_base"),
            format!("{}/{}", st.time_base.num, st.time_base.den),
            "{ctx}"
        );
        assert_eq!(s("duration_ts"), st.duration.unwrap().to_string(), "{ctx}");
        assert_eq!(s("bit_rate"), p.bit_rate.unwrap().to_string(), "{ctx}");
        assert_eq!(
            r["format.probe_score"],
            ic.probe_score().to_string(),
            "{ctx}"
        );
        let dur = format!("{:.6}", ic.duration().unwrap() as f64 / 1e6);
        assert_eq!(r["format.duration"], dur, "{ctx}");
    }
}

/// The float decoder agrees with the fixed-point one to within rounding.
#[test]
fn float_decoder_tracks_fixed_point() {
    let codecs = CodecRegistry::builtin();
    for f in fixtures("mp2", "mp2") {
        let mut ic = open(&f);
        let params = ic.streams()[0].params.clone();
        let fixed_info = codecs.find_decoder_by_name("mp2").unwrap();
        let float_info = codecs.find_decoder_by_name("mp2float").unwrap();
        let mut a = (fixed_info.create)(&params, &DecoderOptions::default()).unwrap();
        let mut b = (float_info.create)(&params, &DecoderOptions::default()).unwrap();
        assert_eq!(b.parameters().sample_fmt, Some(SampleFormat::Fltp));
        let mut worst = 0f32;
        while let Some(p) = ic.read_packet().unwrap() {
            if a.send_packet(&p).is_err() || b.send_packet(&p).is_err() {
                continue;
            }
            while let (Received::Item(x), Received::Item(y)) =
                (a.receive_frame().unwrap(), b.receive_frame().unwrap())
            {
                for ch in 0..x.planes() {
                    for (s, t) in x.plane(ch).chunks_exact(2).zip(y.plane(ch).chunks_exact(4)) {
                        let s = f32::from(i16::from_ne_bytes([s[0], s[1]]));
                        let t = f32::from_ne_bytes([t[0], t[1], t[2], t[3]]) * 32768.0;
                        if t.abs() < 32767.0 {
                            worst = worst.max((s - t).abs());
                        }
                    }
                }
            }
        }
        assert!(worst <= 1.5, "{}: {worst}", f.display());
    }
}

/// A test signal: two tones and a little noise per channel, `n` samples, s16 interleaved.
fn signal(rate: u32, channels: usize, n: usize) -> Vec<i16> {
    let mut seed = 1u32;
    (0..n * channels)
        .map(|k| {
            let (i, ch) = (k / channels, k % channels);
            let t = i as f64 / f64::from(rate);
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let noise = f64::from(seed >> 16) / 65536.0 - 0.5;
            let f0 = 330.0 * (ch + 1) as f64;
            let v = 0.4 * (2.0 * std::f64::consts::PI * f0 * t).sin()
                + 0.2 * (2.0 * std::f64::consts::PI * 3100.0 * t).sin()
                + 0.02 * noise;
            (v * 32767.0) as i16
        })
        .collect()
}

/// Encodes `pcm` with our encoder and decodes it with our decoder (CRC mismatches are errors);
/// returns the packets' headers and the SNR in dB after the 481-sample filterbank delay.
fn round_trip(rate: u32, channels: usize, kbps: u64, opts: &[(&str, &str)]) -> (Vec<Header>, f64) {
    let n = rate as usize; // one second
    let pcm = signal(rate, channels, n);
    let layout = ChannelLayout::default_for(channels as u32);
    let params = CodecParameters::audio(CodecId::Mp2, SampleFormat::S16, rate, layout);
    let mut eo = EncoderOptions::new(params, Rational::new(1, rate as i32));
    eo.bit_rate = Some(kbps * 1000);
    for (k, v) in opts {
        eo.private.set(*k, *v);
    }
    let codecs = CodecRegistry::builtin();
    let mut enc = (codecs.find_encoder_by_name("mp2").unwrap().create)(&eo).unwrap();
    assert_eq!(enc.frame_size(), Some(1152));
    let mut packets: Vec<Packet> = Vec::new();
    for (k, chunk) in pcm.chunks(1000 * channels).enumerate() {
        let mut f =
            Frame::new_audio(SampleFormat::S16, chunk.len() / channels, layout, rate).unwrap();
        for (d, s) in f.plane_mut(0).chunks_exact_mut(2).zip(chunk) {
            d.copy_from_slice(&s.to_ne_bytes());
        }
        f.pts = Some(k as i64 * 1000);
        assert_eq!(enc.send_frame(&f).unwrap(), avcodec::SendStatus::Accepted);
        while let Received::Item(p) = enc.receive_packet().unwrap() {
            packets.push(p);
        }
    }
    enc.send_eof().unwrap();
    while let Received::Item(p) = enc.receive_packet().unwrap() {
        packets.push(p);
    }
    assert_eq!(packets.len(), n.div_ceil(1152));
    for (i, p) in packets.iter().enumerate() {
        assert_eq!(p.pts, Some(i as i64 * 1152));
    }
    let headers: Vec<Header> = packets
        .iter()
        .map(|p| Header::parse_bytes(&p.data).unwrap())
        .collect();
    for (h, p) in headers.iter().zip(&packets) {
        assert_eq!(h.frame_size(), Some(p.size()));
    }
    let mut dopts = DecoderOptions::default();
    dopts.private.set("err_detect", "crccheck+explode");
    let mut dec = codecs
        .open_decoder(&CodecParameters::new(CodecId::Mp2), &dopts)
        .unwrap();
    let mut out: Vec<i16> = Vec::new();
    for p in &packets {
        let _ = dec.send_packet(p).unwrap();
        while let Received::Item(f) = dec.receive_frame().unwrap() {
            out.extend(interleave(&f));
        }
    }
    let delay = 481 * channels;
    let (mut sig, mut err) = (0f64, 0f64);
    for (i, &x) in pcm.iter().enumerate().take(pcm.len() - delay) {
        let y = out[i + delay];
        sig += f64::from(x).powi(2);
        err += (f64::from(x) - f64::from(y)).powi(2);
    }
    (headers, 10.0 * (sig / err).log10())
}

#[test]
fn encoder_round_trips() {
    use avcodec::codecs::mpegaudio::header::Mode;
    let (h, snr) = round_trip(48000, 2, 192, &[]);
    assert!(
        h.iter()
            .all(|h| h.mode == Mode::Stereo && !h.protected && h.bit_rate() == 192_000)
    );
    assert!(snr > 25.0, "{snr}");
    let (h, snr) = round_trip(44100, 2, 128, &[("error_protection", "1")]);
    assert!(h.iter().all(|h| h.protected));
    assert!(h.iter().any(|h| h.padding) && h.iter().any(|h| !h.padding));
    assert!(snr > 20.0, "{snr}");
    let (h, snr) = round_trip(32000, 1, 64, &[]);
    assert!(h.iter().all(|h| h.mode == Mode::Mono));
    assert!(snr > 20.0, "{snr}");
    let (h, snr) = round_trip(24000, 2, 96, &[]);
    assert!(h.iter().all(|h| h.lsf));
    assert!(snr > 15.0, "{snr}");
    let (h, _) = round_trip(
        48000,
        2,
        96,
        &[("mode", "joint_stereo"), ("error_protection", "1")],
    );
    assert!(h.iter().all(|h| h.mode == Mode::JointStereo && h.protected));
    let (h, _) = round_trip(22050, 2, 32, &[("mode", "dual_channel")]);
    assert!(h.iter().all(|h| h.mode == Mode::DualChannel));
}

#[test]
fn encoder_rejects_bad_parameters() {
    let codecs = CodecRegistry::builtin();
    let create = codecs.find_encoder_by_name("mp2").unwrap().create;
    let p = |rate, fmt| CodecParameters::audio(CodecId::Mp2, fmt, rate, ChannelLayout::STEREO);
    let mut o = EncoderOptions::new(p(48000, SampleFormat::S16), Rational::new(1, 48000));
    o.bit_rate = Some(100_000);
    assert!(
        create(&o)
            .err()
            .unwrap()
            .to_string()
            .contains("not a Layer II bit rate")
    );
    let o = EncoderOptions::new(p(11025, SampleFormat::S16), Rational::new(1, 11025));
    assert!(create(&o).is_err());
    let o = EncoderOptions::new(p(48000, SampleFormat::Flt), Rational::new(1, 48000));
    assert!(create(&o).is_err());
    let mut o = EncoderOptions::new(p(48000, SampleFormat::S16), Rational::new(1, 48000));
    o.private.set("mode", "quadraphonic");
    assert!(create(&o).is_err());
}

/// A protected frame with a damaged allocation: decoded anyway (as FFmpeg does), refused when
/// the caller asks for `explode`.
#[test]
fn bad_crc_is_reported_not_fatal() {
    let mut ic = open(&root().join("fixtures/mp2/bad-crc.mp2"));
    let params = ic.streams()[0].params.clone();
    let codecs = CodecRegistry::builtin();
    let mut lenient = codecs
        .open_decoder(&params, &DecoderOptions::default())
        .unwrap();
    let mut o = DecoderOptions::default();
    o.private.set("err_detect", "crccheck+explode");
    let mut strict = codecs.open_decoder(&params, &o).unwrap();
    let (mut ok, mut refused) = (0, 0);
    while let Some(p) = ic.read_packet().unwrap() {
        assert!(lenient.send_packet(&p).is_ok());
        while let Received::Item(_) = lenient.receive_frame().unwrap() {
            ok += 1;
        }
        match strict.send_packet(&p) {
            Ok(_) => while let Received::Item(_) = strict.receive_frame().unwrap() {},
            Err(e) => {
                assert!(e.to_string().contains("CRC"), "{e}");
                refused += 1;
            }
        }
    }
    assert_eq!((ok, refused), (21, 1));
    let mut o = DecoderOptions::default();
    o.private.set("bogus", "1");
    assert!(codecs.open_decoder(&params, &o).is_err());
}

/// Seeking a constant bit rate stream lands on a frame at or before the target.
#[test]
fn seek_lands_on_frames() {
    let mut ic = open(&root().join("fixtures/mp2/stereo-48k-192k.mp2"));
    let tb = ic.streams()[0].time_base;
    let target = 14_112_000 / 4; // 0.25 s
    let landed = ic
        .seek(
            0,
            target,
            avformat::SeekFlags {
                backward: true,
                ..Default::default()
            },
        )
        .unwrap();
    assert!(landed <= target && landed > target - 338_688, "{landed}");
    let p = ic.read_packet().unwrap().unwrap();
    assert_eq!(p.pts, Some(landed));
    assert_eq!(p.data.len(), 576);
    assert_eq!(tb, Rational::new(1, 14_112_000));
}

/// Truncations, garbage and mutations of every fixture: errors, never panics.
#[test]
fn bad_input_never_panics() {
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut rnd = move || {
        seed ^= seed >> 12;
        seed ^= seed << 25;
        seed ^= seed >> 27;
        seed.wrapping_mul(0x2545_f491_4f6c_dd1d)
    };
    for f in fixtures("mp2", "mp2") {
        let data = std::fs::read(&f).unwrap();
        for cut in [0, 1, 3, 4, 5, 100, data.len() / 2, data.len() - 1] {
            avformat::fuzzing::demux_mp2(&data[..cut.min(data.len())]);
            avformat::fuzzing::decode_mp2(&data[..cut.min(data.len())]);
        }
        for _ in 0..20 {
            let mut d = data.clone();
            for _ in 0..1 + rnd() % 16 {
                let i = (rnd() as usize) % d.len();
                d[i] = rnd() as u8;
            }
            let sel = rnd() as u8;
            let mut input = vec![sel];
            input.extend_from_slice(&d);
            avformat::fuzzing::decode_mp2(&input);
            avformat::fuzzing::demux_mp2(&d);
        }
    }
    for _ in 0..200 {
        let len = (rnd() % 3000) as usize;
        let mut d: Vec<u8> = (0..len).map(|_| rnd() as u8).collect();
        // Plant plausible headers.
        for _ in 0..4 {
            if d.len() > 4 {
                let i = (rnd() as usize) % (d.len() - 4);
                d[i] = 0xff;
                d[i + 1] = 0xf0 | (rnd() as u8 & 0x0f);
            }
        }
        avformat::fuzzing::decode_mp2(&d);
        avformat::fuzzing::demux_mp2(&d);
    }
    // Not an MPEG audio stream at all.
    let io = IoReader::from_bytes(b"hello world, this is not audio".to_vec(), "x.mp2");
    assert!(
        InputContext::open_reader(
            io,
            &FormatRegistry::builtin(),
            &InputOptions::with_format("mp3")
        )
        .is_err()
    );
}
