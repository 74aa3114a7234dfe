//! rawvideo: packets against ffmpeg-made references, options, seeking, the muxer.

// Helpers of tests panic on failure like the tests themselves.
#![allow(clippy::unwrap_used)]

use avformat::io::MemorySink;
use avformat::{FormatRegistry, InputOptions, IoWriter, OutputContext, SeekFlags};
use avutil::{PixelFormat, Rational};

use crate::y4m::{copy_to, fixture, open, reference};

fn raw_opts(size: (usize, usize)) -> InputOptions {
    let mut o = InputOptions::with_format("rawvideo");
    o.format_options.video_size = Some(size);
    o
}

#[test]
fn packets_match_ffmpeg() {
    let mut o = raw_opts((33, 17));
    o.format_options.pix_fmt = Some(PixelFormat::Rgb24);
    o.format_options.framerate = Some(Rational::new(30000, 1001));
    let mut input = open(&fixture("rawvideo/rgb24-33x17.rgb"), &o).unwrap();
    let (text, err) = copy_to(&mut input, "framemd5");
    assert!(err.is_none());
    assert_eq!(text, reference("rawvideo-rgb24-33x17.framemd5"));

    // Defaults: yuv420p at 25 fps; the format is found from the extension.
    let mut o = InputOptions::default();
    o.format_options.video_size = Some((32, 24));
    let mut input = open(&fixture("rawvideo/yuv420p-32x24.yuv"), &o).unwrap();
    assert_eq!(input.format().name, "rawvideo");
    let st = &input.streams()[0];
    assert_eq!(
        (st.time_base, st.params.bit_rate),
        (Rational::new(1, 25), Some(1152 * 8 * 25))
    );
    assert_eq!(st.duration, Some(3));
    assert_eq!(input.duration(), Some(120_000));
    let (text, _) = copy_to(&mut input, "framemd5");
    assert_eq!(text, reference("rawvideo-yuv420p-32x24.framemd5"));
}

#[test]
fn short_last_packet_is_flagged_corrupt() {
    let mut o = raw_opts((33, 17));
    o.format_options.pix_fmt = Some(PixelFormat::Rgb24);
    let mut input = open(&fixture("rawvideo/rgb24-33x17.rgb"), &o).unwrap();
    let (text, _) = copy_to(&mut input, "framecrc");
    assert!(text.lines().last().unwrap().ends_with(", F=0x3"), "{text}");
}

#[test]
fn size_is_required_and_options_are_checked() {
    let e = open(
        &fixture("rawvideo/yuv420p-32x24.yuv"),
        &InputOptions::with_format("rawvideo"),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("-video_size"), "{e}");
    let mut o = raw_opts((100_000_000, 100_000_000));
    let e = open(&fixture("rawvideo/yuv420p-32x24.yuv"), &o)
        .unwrap_err()
        .to_string();
    assert!(e.contains("invalid picture dimensions"), "{e}");
    o = raw_opts((32, 24));
    o.format_options.framerate = Some(Rational::new(0, 1));
    assert!(open(&fixture("rawvideo/yuv420p-32x24.yuv"), &o).is_err());
    o = raw_opts((32, 24));
    o.format_options.private.set("foo", "1");
    let e = open(&fixture("rawvideo/yuv420p-32x24.yuv"), &o)
        .unwrap_err()
        .to_string();
    assert!(e.contains("unknown option 'foo'"), "{e}");
    o = raw_opts((32, 24));
    o.format_options.sample_rate = Some(44100);
    let e = open(&fixture("rawvideo/yuv420p-32x24.yuv"), &o)
        .unwrap_err()
        .to_string();
    assert!(e.contains("Option sample_rate not found."), "{e}");
}

#[test]
fn seeking() {
    let mut input = open(&fixture("rawvideo/yuv420p-32x24.yuv"), &raw_opts((32, 24))).unwrap();
    let all: Vec<_> = std::iter::from_fn(|| input.read_packet().unwrap()).collect();
    let back = SeekFlags {
        backward: true,
        ..Default::default()
    };
    assert_eq!(input.seek(0, 2, back).unwrap(), 2);
    let p = input.read_packet().unwrap().unwrap();
    assert_eq!(
        (p.pts, p.pos, &p.data),
        (Some(2), Some(2 * 1152), &all[2].data)
    );
    let bytes = SeekFlags {
        byte: true,
        ..Default::default()
    };
    assert_eq!(input.seek(0, 1200, bytes).unwrap(), 1);
    assert_eq!(input.read_packet().unwrap().unwrap().pts, Some(1));
}

#[test]
fn muxer_writes_payloads() {
    let formats = FormatRegistry::builtin();
    assert_eq!(
        formats
            .guess_format(None, Some("x.yuv"), None)
            .unwrap()
            .name,
        "rawvideo"
    );
    let mut input = open(&fixture("rawvideo/yuv420p-32x24.yuv"), &raw_opts((32, 24))).unwrap();
    let sink = MemorySink::new();
    let info = *formats.find_muxer("rawvideo").unwrap();
    let mut out = OutputContext::with_writer(IoWriter::new(Box::new(sink.clone()), "m"), info);
    let st = &input.streams()[0];
    out.add_stream(st.params.clone(), st.time_base).unwrap();
    out.write_header().unwrap();
    while let Some(p) = input.read_packet().unwrap() {
        out.write_packet(p).unwrap();
    }
    out.write_trailer().unwrap();
    assert_eq!(
        sink.contents(),
        std::fs::read(fixture("rawvideo/yuv420p-32x24.yuv")).unwrap()
    );
}
