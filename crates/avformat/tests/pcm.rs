//! Raw PCM formats against FFmpeg's references (fixtures/pcm, tests/ref/pcm-*).

use avcodec::{CodecId, CodecParameters};
use avformat::io::MemorySink;
use avformat::{FormatRegistry, InputContext, InputOptions, IoWriter, OutputContext, SeekFlags};
use avutil::{ChannelLayout, Rational, SampleFormat};

use super::wav::{decoded_md5, demux_and_decode, framecrc, reference, remux, root};

fn open(name: &str, format: &str, rate: Option<u32>, channels: Option<u32>) -> InputContext {
    let reg = FormatRegistry::builtin();
    let mut o = InputOptions::with_format(format);
    o.format_options.sample_rate = rate;
    o.format_options.channels = channels;
    let p = root().join("fixtures/pcm").join(name);
    InputContext::open(p.to_str().expect("path"), &reg, &o).expect("open")
}

#[test]
fn packets_match_ffmpeg() {
    let mut ic = open("s16le-stereo-22050.sw", "s16le", Some(22050), Some(2));
    assert_eq!(
        framecrc(&mut ic),
        reference("pcm-s16le-stereo-22050.framecrc")
    );
    let mut ic = open("mulaw-8000.ul", "mulaw", Some(8000), None);
    assert_eq!(framecrc(&mut ic), reference("pcm-mulaw-8000.framecrc"));
    let mut ic = open("mulaw-8000.ul", "mulaw", Some(8000), None);
    assert_eq!(
        decoded_md5(&mut ic),
        reference("pcm-mulaw-8000.decoded.md5")
    );
}

#[test]
fn defaults_and_layouts() {
    let ic = open("mulaw-8000.ul", "mulaw", None, None);
    let st = &ic.streams()[0];
    assert_eq!(st.params.sample_rate, 44100);
    assert_eq!(st.params.ch_layout, Some(ChannelLayout::MONO));
    assert_eq!(st.time_base, Rational::new(1, 44100));
    assert_eq!(st.params.bit_rate, Some(44100 * 8));
    assert_eq!(st.duration, Some(1600));
    let reg = FormatRegistry::builtin();
    let mut o = InputOptions::with_format("s24le");
    o.format_options.ch_layout = Some(ChannelLayout::parse("5.1").expect("layout"));
    o.format_options.channels = Some(2);
    let p = root().join("fixtures/pcm/mulaw-8000.ul");
    let ic = InputContext::open(p.to_str().expect("path"), &reg, &o).expect("open");
    assert_eq!(ic.streams()[0].params.channels(), 6);
    assert_eq!(ic.streams()[0].params.block_align, 18);
}

#[test]
fn every_ffmpeg_raw_pcm_format_exists() {
    let reg = FormatRegistry::builtin();
    for name in [
        "alaw", "f32be", "f32le", "f64be", "f64le", "mulaw", "s16be", "s16le", "s24be", "s24le",
        "s32be", "s32le", "s8", "u16be", "u16le", "u24be", "u24le", "u32be", "u32le", "u8", "vidc",
    ] {
        reg.find_demuxer(name).expect(name);
        let m = reg.find_muxer(name).expect(name);
        assert!(m.flags.no_timestamps);
    }
    for (file, fmt) in [
        ("a.sw", "s16le"),
        ("a.ub", "u8"),
        ("a.sb", "s8"),
        ("a.uw", "u16le"),
        ("a.al", "alaw"),
        ("a.ul", "mulaw"),
    ] {
        assert_eq!(
            reg.guess_format(None, Some(file), None).map(|m| m.name),
            Some(fmt)
        );
    }
    // No content probe: only the extension (score 50) finds them.
    let p = root().join("fixtures/pcm/mulaw-8000.ul");
    let ic = InputContext::open(p.to_str().expect("path"), &reg, &InputOptions::default())
        .expect("open");
    assert_eq!((ic.format().name, ic.probe_score()), ("mulaw", 50));
}

#[test]
fn bad_options_are_errors() {
    let reg = FormatRegistry::builtin();
    let p = root().join("fixtures/pcm/mulaw-8000.ul");
    let p = p.to_str().expect("path");
    let try_open = |rate: Option<u32>, ch: Option<u32>, private: Option<(&str, &str)>| {
        let mut o = InputOptions::with_format("s16le");
        o.format_options.sample_rate = rate;
        o.format_options.channels = ch;
        if let Some((k, v)) = private {
            o.format_options.private.set(k, v);
        }
        InputContext::open(p, &reg, &o)
            .expect_err("must fail")
            .to_string()
    };
    assert_eq!(
        try_open(Some(0), None, None),
        "s16le: invalid sample rate 0"
    );
    assert_eq!(
        try_open(None, Some(0), None),
        "s16le: the channel count is 0"
    );
    assert!(try_open(None, Some(100_000), None).contains("channel count of 100000 exceeds"));
    assert_eq!(
        try_open(None, None, Some(("foo", "1"))),
        "s16le: unknown option 'foo'"
    );
}

#[test]
fn seek_and_remux() {
    let bytes = std::fs::read(root().join("fixtures/pcm/s16le-stereo-22050.sw")).expect("fixture");
    let mut ic = open("s16le-stereo-22050.sw", "s16le", Some(22050), Some(2));
    let back = SeekFlags {
        backward: true,
        ..Default::default()
    };
    assert_eq!(ic.seek(0, 1234, back).expect("seek"), 1234);
    let p = ic.read_packet().expect("read").expect("pkt");
    assert_eq!((p.pts, p.size()), (Some(1234), 882 * 4));
    assert_eq!(&p.data[..], &bytes[1234 * 4..1234 * 4 + 882 * 4]);
    // The muxer writes the packets as they are.
    let mut ic = open("s16le-stereo-22050.sw", "s16le", Some(22050), Some(2));
    assert_eq!(remux(&mut ic, "s16le", false), bytes);
    // It takes only its own codec.
    let reg = FormatRegistry::builtin();
    let mut out = OutputContext::with_writer(
        IoWriter::new(Box::new(MemorySink::new()), "m"),
        *reg.find_muxer("s16be").expect("s16be"),
    );
    assert!(
        out.add_stream(
            CodecParameters::audio(
                CodecId::PcmS16le,
                SampleFormat::S16,
                8000,
                ChannelLayout::MONO
            ),
            Rational::new(1, 8000),
        )
        .is_err()
    );
}

#[test]
fn random_inputs_never_panic() {
    let mut x: u64 = 0x1234_5678_9abc_def1;
    for i in 0..2000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let n = (x % 5000) as usize;
        let data: Vec<u8> = (0..n).map(|k| (x >> (k % 57)) as u8).collect();
        let fmt = ["s16le", "u8", "s24be", "f64le", "alaw", "mulaw", "u32be"][i % 7];
        demux_and_decode(&data, Some(fmt));
    }
}
