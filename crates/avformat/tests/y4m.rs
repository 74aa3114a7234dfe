//! Y4M: packets against ffmpeg-made framemd5 references, write-back, seeking, bad inputs.

// Helpers of tests panic on failure like the tests themselves.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use avformat::io::MemorySink;
use avformat::{
    Error, FormatRegistry, InputContext, InputOptions, IoReader, IoWriter, OutputContext, SeekFlags,
};

/// The repository root.
pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A fixture's path as a string.
pub(crate) fn fixture(rel: &str) -> String {
    root()
        .join("fixtures")
        .join(rel)
        .to_string_lossy()
        .into_owned()
}

/// A committed reference.
pub(crate) fn reference(name: &str) -> String {
    std::fs::read_to_string(root().join("tests/ref").join(name))
        .unwrap_or_else(|e| panic!("tests/ref/{name}: {e}"))
}

/// What `ffmpeg -i IN -c copy -fflags +bitexact -f FORMAT -` prints for `input`'s packets
/// (`framemd5`, `framecrc`...), and the error that ended reading, if any.
pub(crate) fn copy_to(input: &mut InputContext, format: &str) -> (String, Option<Error>) {
    let formats = FormatRegistry::builtin();
    let sink = MemorySink::new();
    let info = *formats.find_muxer(format).unwrap();
    let mut out = OutputContext::with_writer(IoWriter::new(Box::new(sink.clone()), "mem"), info);
    out.set_bitexact(true);
    for st in input.streams() {
        let i = out.add_stream(st.params.clone(), st.time_base).unwrap();
        let o = out.stream_mut(i).unwrap();
        o.sample_aspect_ratio = st.sample_aspect_ratio;
        o.avg_frame_rate = st.avg_frame_rate;
    }
    out.write_header().unwrap();
    let mut err = None;
    loop {
        match input.read_packet() {
            Ok(Some(p)) => out.write_packet(p).unwrap(),
            Ok(None) => break,
            Err(e) => {
                err = Some(e);
                break;
            }
        }
    }
    out.write_trailer().unwrap();
    (String::from_utf8(sink.contents()).unwrap(), err)
}

/// Opens `url` with `opts`.
pub(crate) fn open(url: &str, opts: &InputOptions) -> avformat::Result<InputContext> {
    InputContext::open(url, &FormatRegistry::builtin(), opts)
}

/// Every pixel format ffmpeg's yuv4mpegpipe muxer writes (fixtures/generate.sh).
pub(crate) const Y4M_FORMATS: &[&str] = &[
    "yuv420p",
    "yuv422p",
    "yuv444p",
    "yuv411p",
    "gray",
    "yuvj420p",
    "yuvj422p",
    "yuvj444p",
    "yuva444p",
    "gray9",
    "gray10",
    "gray12",
    "gray16",
    "yuv420p9",
    "yuv422p9",
    "yuv444p9",
    "yuv420p10",
    "yuv422p10",
    "yuv444p10",
    "yuv420p12",
    "yuv422p12",
    "yuv444p12",
    "yuv420p14",
    "yuv422p14",
    "yuv444p14",
    "yuv420p16",
    "yuv422p16",
    "yuv444p16",
];

/// Whether ffmpeg 5.1 writes a broken file for this format at an odd width (chroma lines one
/// byte short), so that reading stops with an error after the first picture.
pub(crate) fn broken_when_odd(fmt: &str) -> bool {
    (fmt.starts_with("yuv420p") || fmt.starts_with("yuv422p")) && fmt.len() > 7
}

#[test]
fn packets_match_ffmpeg_in_every_pixel_format() {
    let mut names: Vec<String> = Y4M_FORMATS.iter().map(|f| format!("{f}-33x17")).collect();
    names.extend(
        Y4M_FORMATS
            .iter()
            .filter(|f| broken_when_odd(f))
            .map(|f| format!("{f}-34x18")),
    );
    names.push("yuv420p-tff-mpeg2".into());
    names.push("yuv420p-bff-paldv".into());
    for name in names {
        let mut input = open(
            &fixture(&format!("y4m/{name}.y4m")),
            &InputOptions::default(),
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(input.format().name, "yuv4mpegpipe");
        assert_eq!(input.probe_score(), 100);
        let (text, err) = copy_to(&mut input, "framemd5");
        assert_eq!(text, reference(&format!("y4m-{name}.framemd5")), "{name}");
        let fmt = name.split('-').next().unwrap();
        if name.ends_with("33x17") && broken_when_odd(fmt) {
            let e = err.unwrap_or_else(|| panic!("{name}: expected an error"));
            assert!(matches!(e, Error::InvalidData { .. }), "{name}: {e}");
        } else {
            assert!(err.is_none(), "{name}: {err:?}");
        }
    }
}

#[test]
fn header_fields_reach_the_stream() {
    use avcodec::FieldOrder;
    use avutil::{ChromaLocation, ColorRange, Rational};
    let input = open(
        &fixture("y4m/yuv420p-tff-mpeg2.y4m"),
        &InputOptions::default(),
    )
    .unwrap();
    let st = &input.streams()[0];
    assert_eq!(st.time_base, Rational::new(1001, 30000));
    assert_eq!(st.avg_frame_rate, Rational::new(30000, 1001));
    assert_eq!(st.params.field_order, FieldOrder::Tt);
    assert_eq!(st.params.chroma_location, ChromaLocation::Left);
    assert_eq!(st.duration, Some(3));
    assert_eq!(input.duration(), Some(100_100));
    let input = open(
        &fixture("y4m/yuv420p-bff-paldv.y4m"),
        &InputOptions::default(),
    )
    .unwrap();
    let st = &input.streams()[0];
    assert_eq!(st.params.field_order, FieldOrder::Bb);
    assert_eq!(st.params.chroma_location, ChromaLocation::TopLeft);
    assert_eq!(st.params.color_range, ColorRange::Jpeg);
    assert_eq!(st.sample_aspect_ratio, Rational::new(3, 4));
    let input = open(&fixture("y4m/yuvj420p-33x17.y4m"), &InputOptions::default()).unwrap();
    let st = &input.streams()[0];
    assert_eq!(st.params.pix_fmt, Some(avutil::PixelFormat::Yuv420p));
    assert_eq!(st.params.color_range, ColorRange::Jpeg);
    assert_eq!(st.params.chroma_location, ChromaLocation::Center);
    assert_eq!(input.bit_rate(), Some(179_466));
}

/// Our muxer writes back the file ffmpeg wrote, byte for byte (where ffmpeg's is well formed).
#[test]
fn write_back_is_identical() {
    let formats = FormatRegistry::builtin();
    let mut names: Vec<String> = Y4M_FORMATS
        .iter()
        .filter(|f| !broken_when_odd(f))
        .map(|f| format!("{f}-33x17"))
        .collect();
    names.extend(
        Y4M_FORMATS
            .iter()
            .filter(|f| broken_when_odd(f))
            .map(|f| format!("{f}-34x18")),
    );
    names.push("yuv420p-tff-mpeg2".into());
    names.push("yuv420p-bff-paldv".into());
    for name in names {
        let path = fixture(&format!("y4m/{name}.y4m"));
        let original = std::fs::read(&path).unwrap();
        let mut input = open(&path, &InputOptions::default()).unwrap();
        let sink = MemorySink::new();
        let info = *formats.find_muxer("yuv4mpegpipe").unwrap();
        let mut out =
            OutputContext::with_writer(IoWriter::new(Box::new(sink.clone()), "mem.y4m"), info);
        let st = &input.streams()[0];
        let i = out.add_stream(st.params.clone(), st.time_base).unwrap();
        out.stream_mut(i).unwrap().sample_aspect_ratio = st.sample_aspect_ratio;
        out.write_header().unwrap();
        while let Some(p) = input.read_packet().unwrap() {
            out.write_packet(p).unwrap();
        }
        out.write_trailer().unwrap();
        let ours = sink.contents();
        let line = |b: &[u8]| {
            String::from_utf8_lossy(&b[..b.iter().position(|&c| c == b'\n').unwrap()]).into_owned()
        };
        assert_eq!(line(&ours), line(&original), "{name}");
        assert!(ours == original, "{name}: bytes differ");
    }
}

#[test]
fn muxer_refuses_other_pixel_formats_with_ffmpegs_message() {
    use avcodec::{CodecId, CodecParameters};
    use avutil::{PixelFormat, Rational};
    let formats = FormatRegistry::builtin();
    for fmt in [
        PixelFormat::Rgb24,
        PixelFormat::Gray14le,
        PixelFormat::Yuv440p,
        PixelFormat::Yuv420p10be,
    ] {
        let info = *formats.find_muxer("yuv4mpegpipe").unwrap();
        let mut out =
            OutputContext::with_writer(IoWriter::new(Box::new(MemorySink::new()), "m"), info);
        out.add_stream(
            CodecParameters::video(CodecId::Rawvideo, 4, 4, fmt),
            Rational::new(1, 25),
        )
        .unwrap();
        let e = out.write_header().unwrap_err().to_string();
        assert!(
            e.contains(avformat::formats::y4m::UNSUPPORTED_PIX_FMT),
            "{e}"
        );
    }
    // Other codecs are refused when the stream is added.
    let info = *formats.find_muxer("yuv4mpegpipe").unwrap();
    let mut out = OutputContext::with_writer(IoWriter::new(Box::new(MemorySink::new()), "m"), info);
    assert!(
        out.add_stream(CodecParameters::new(CodecId::Mjpeg), Rational::new(1, 25))
            .is_err()
    );
    // A packet that is not one picture is refused.
    let mut out = OutputContext::with_writer(IoWriter::new(Box::new(MemorySink::new()), "m"), info);
    out.add_stream(
        CodecParameters::video(CodecId::Rawvideo, 4, 4, PixelFormat::Yuv420p),
        Rational::new(1, 25),
    )
    .unwrap();
    out.write_header().unwrap();
    let mut p = avcodec::Packet::from_slice(&[0; 23]);
    p.pts = Some(0);
    assert!(out.write_packet(p).is_err());
}

#[test]
fn seeking_by_frame() {
    let path = fixture("y4m/yuv420p-tff-mpeg2.y4m");
    let mut input = open(&path, &InputOptions::default()).unwrap();
    let all: Vec<_> = std::iter::from_fn(|| input.read_packet().unwrap()).collect();
    assert_eq!(all.len(), 3);
    // Forward: exactly the frame; backward: one before, as ffmpeg lands.
    assert_eq!(input.seek(0, 2, SeekFlags::default()).unwrap(), 2);
    let p = input.read_packet().unwrap().unwrap();
    assert_eq!((p.pts, &p.data), (Some(2), &all[2].data));
    let back = SeekFlags {
        backward: true,
        ..Default::default()
    };
    assert_eq!(input.seek(0, 2, back).unwrap(), 1);
    assert_eq!(input.read_packet().unwrap().unwrap().pts, Some(1));
    assert_eq!(input.seek(0, 0, back).unwrap(), 0);
    assert_eq!(input.read_packet().unwrap().unwrap().pts, Some(0));
    // -ss 0.04 (one frame) lands on frame 0, before it, as ffmpeg's -ss does.
    assert_eq!(input.seek_time(40_000).unwrap(), 0);
    // Beyond the end: nothing more to read.
    input.seek(0, 100, SeekFlags::default()).unwrap();
    assert!(input.read_packet().unwrap().is_none());
}

#[test]
fn reads_from_a_pipe() {
    let bytes = std::fs::read(fixture("y4m/yuv422p-33x17.y4m")).unwrap();
    let io = IoReader::new(
        Box::new(avformat::io::Pipe(std::io::Cursor::new(bytes))),
        "pipe:",
    );
    let mut input =
        InputContext::open_reader(io, &FormatRegistry::builtin(), &InputOptions::default())
            .unwrap();
    assert_eq!(input.format().name, "yuv4mpegpipe");
    assert_eq!(input.streams()[0].duration, None);
    let (text, err) = copy_to(&mut input, "framemd5");
    assert!(err.is_none());
    assert_eq!(text, reference("y4m-yuv422p-33x17.framemd5"));
}

/// Each bad input gives its error (never a panic, a hang or a huge allocation).
#[test]
fn bad_inputs() {
    let forced = InputOptions::with_format("yuv4mpegpipe");
    for (file, expected) in [
        ("y4m-empty.y4m", "Header too large."),
        ("y4m-garbage.y4m", "Invalid magic number for yuv4mpeg."),
        ("y4m-header-truncated.y4m", "Header too large."),
        (
            "y4m-huge.y4m",
            "invalid picture dimensions 100000000x100000000",
        ),
        ("y4m-no-width.y4m", "YUV4MPEG has invalid header."),
        ("y4m-no-height.y4m", "YUV4MPEG has invalid header."),
        (
            "y4m-unknown-colorspace.y4m",
            "YUV4MPEG stream contains an unknown pixel format.",
        ),
        (
            "y4m-mixed-interlace.y4m",
            "mixed interlaced and non-interlaced",
        ),
        ("y4m-zero-width.y4m", "Picture size 0x17 is invalid"),
        ("y4m-header-too-long.y4m", "Header too large."),
    ] {
        let e = open(&fixture(&format!("bad/{file}")), &forced)
            .unwrap_err()
            .to_string();
        assert!(e.contains(expected), "{file}: {e}");
    }
    // Not forced, the extension still selects Y4M (as in ffmpeg) and the magic is refused.
    let e = open(&fixture("bad/y4m-garbage.y4m"), &InputOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("Invalid magic number"), "{e}");
    let io = IoReader::from_bytes(b"this is not a yuv4mpeg file".to_vec(), "noext");
    let e = InputContext::open_reader(io, &FormatRegistry::builtin(), &InputOptions::default())
        .unwrap_err();
    assert!(matches!(e, Error::UnknownInputFormat { .. }), "{e}");
    // A bad frame line after a good frame: the good packet, then an error.
    let mut input = open(&fixture("bad/y4m-bad-frame-magic.y4m"), &forced).unwrap();
    let (text, err) = copy_to(&mut input, "framecrc");
    assert_eq!(text.lines().filter(|l| l.starts_with("0,")).count(), 1);
    assert!(err.unwrap().to_string().contains("expected a FRAME line"));
    // Zero frame rate means 25 fps, as in ffmpeg.
    let input = open(&fixture("bad/y4m-zero-rate.y4m"), &forced).unwrap();
    assert_eq!(input.streams()[0].time_base, avutil::Rational::new(1, 25));
    // A truncated frame ends the stream silently.
    let mut input = open(&fixture("bad/y4m-truncated-frame.y4m"), &forced).unwrap();
    assert!(input.read_packet().unwrap().is_none());
}

#[test]
fn typed_options_are_refused() {
    let mut opts = InputOptions::default();
    opts.format_options.video_size = Some((10, 10));
    let e = open(&fixture("y4m/yuv420p-33x17.y4m"), &opts)
        .unwrap_err()
        .to_string();
    assert!(e.contains("Option video_size not found."), "{e}");
}
