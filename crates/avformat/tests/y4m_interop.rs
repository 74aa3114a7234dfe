//! Live comparisons with the installed ffmpeg for Y4M, rawvideo and lavfi (skipped unless
//! `FASTFORWARD_INTEROP=1`). Run them with
//! `FASTFORWARD_INTEROP=1 cargo test -p avformat --test tests y4m_interop -- --nocapture --test-threads 1`
//! (scripts/interop.sh does); each check prints `ok`/`FAIL` and a failure fails the test.
//!
//! * Y4M made by ffmpeg in every pixel format it writes, at odd and even sizes: our packets give
//!   the `-c copy -f framemd5` lines ffmpeg gives, and we fail where it fails;
//! * Y4M we write from those packets: `ffmpeg -v error -i OUT -f null -` prints nothing, and the
//!   decoded `framemd5` equals ffmpeg's for its own file (the first picture where ffmpeg's own
//!   file is malformed);
//! * rawvideo in several formats and rates: `-c copy -f framemd5` equal;
//! * lavfi: stream headers, timestamps and sizes equal (and hashes for `color`/`anullsrc`).

// Helpers of tests panic on failure like the tests themselves.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use avformat::io::MemorySink;
use avformat::{FormatRegistry, InputOptions, IoWriter, OutputContext};
use avutil::{PixelFormat, Rational};

use crate::y4m::{Y4M_FORMATS, broken_when_odd, copy_to, open};

fn enabled() -> bool {
    std::env::var("FASTFORWARD_INTEROP").is_ok_and(|v| v == "1")
}

/// Runs ffmpeg; returns (stdout, stderr).
fn ffmpeg(args: &[&str]) -> (String, String) {
    let out = Command::new("ffmpeg")
        .args(["-nostdin", "-hide_banner", "-v", "error", "-y"])
        .args(args)
        .output()
        .expect("ffmpeg must be installed for the interop checks");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const BX: [&str; 4] = ["-fflags", "+bitexact", "-flags", "+bitexact"];

struct Report {
    failures: Vec<String>,
    passes: usize,
}

impl Report {
    fn check(&mut self, ok: bool, what: String, detail: impl FnOnce() -> String) {
        if ok {
            self.passes += 1;
            println!("ok   {what}");
        } else {
            println!("FAIL {what}\n{}", detail());
            self.failures.push(what);
        }
    }
    fn finish(self, name: &str) {
        println!("{name}: {} ok, {} failed", self.passes, self.failures.len());
        assert!(self.failures.is_empty(), "{:?}", self.failures);
    }
}

fn tmpdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ff-interop-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn diff(a: &str, b: &str) -> String {
    format!("--- ffmpeg\n{a}--- ours\n{b}")
}

#[test]
fn y4m_against_ffmpeg() {
    if !enabled() {
        return;
    }
    let dir = tmpdir("y4m");
    let mut r = Report {
        failures: vec![],
        passes: 0,
    };
    let formats = FormatRegistry::builtin();
    for fmt in Y4M_FORMATS {
        for (size, rate) in [
            ("33x17", "25"),
            ("34x18", "30000/1001"),
            ("1x1", "24"),
            ("65x3", "50"),
        ] {
            let src = dir.join(format!("{fmt}-{size}.y4m"));
            let (_, e) = ffmpeg(&[
                "-f",
                "lavfi",
                "-i",
                &format!("testsrc=s={size}:r={rate}:d=0.2"),
                "-pix_fmt",
                fmt,
                "-strict",
                "-1",
                "-f",
                "yuv4mpegpipe",
                s(&src),
            ]);
            assert!(e.is_empty(), "{e}");
            // Packets.
            let mut args = vec!["-i", s(&src), "-c", "copy"];
            args.extend(BX);
            args.extend(["-f", "framemd5", "-"]);
            let (theirs, their_err) = ffmpeg(&args);
            let (ours, our_err) = match open(s(&src), &InputOptions::default()) {
                Ok(mut i) => copy_to(&mut i, "framemd5"),
                Err(e) => (String::new(), Some(e)),
            };
            r.check(
                theirs == ours && their_err.is_empty() == our_err.is_none(),
                format!("y4m {fmt} {size} @{rate}: demuxed packets (framemd5) equal"),
                || {
                    format!(
                        "{}ffmpeg error: {their_err}\nour error: {our_err:?}",
                        diff(&theirs, &ours)
                    )
                },
            );
            // Write back with our muxer.
            let out = dir.join(format!("{fmt}-{size}-ours.y4m"));
            let mut input = open(s(&src), &InputOptions::default()).unwrap();
            let info = *formats.find_muxer("yuv4mpegpipe").unwrap();
            let sink = MemorySink::new();
            let mut o =
                OutputContext::with_writer(IoWriter::new(Box::new(sink.clone()), "m"), info);
            let st = &input.streams()[0];
            o.add_stream(st.params.clone(), st.time_base).unwrap();
            o.stream_mut(0).unwrap().sample_aspect_ratio = st.sample_aspect_ratio;
            o.write_header().unwrap();
            let mut n = 0;
            while let Ok(Some(p)) = input.read_packet() {
                o.write_packet(p).unwrap();
                n += 1;
            }
            o.write_trailer().unwrap();
            std::fs::write(&out, sink.contents()).unwrap();
            let (_, e) = ffmpeg(&["-i", s(&out), "-f", "null", "-"]);
            r.check(
                e.is_empty(),
                format!("y4m {fmt} {size}: ours read by ffmpeg without message"),
                || e.clone(),
            );
            let decoded = |p: &Path| {
                let mut a = vec!["-i", s(p)];
                a.extend(BX);
                a.extend(["-frames:v", "100", "-f", "framemd5", "-"]);
                let (t, _) = ffmpeg(&a);
                t.lines()
                    .filter(|l| l.starts_with("0,"))
                    .take(n)
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            };
            let (a, b) = (decoded(&src), decoded(&out));
            r.check(
                a == b && !a.is_empty(),
                format!("y4m {fmt} {size}: ours decodes to ffmpeg's pixels"),
                || format!("{a:?}\n{b:?}"),
            );
            let header = |p: &Path| {
                std::fs::read(p)
                    .unwrap()
                    .split(|&c| c == b'\n')
                    .next()
                    .unwrap()
                    .to_vec()
            };
            r.check(
                header(&src) == header(&out),
                format!("y4m {fmt} {size}: header line identical"),
                || {
                    format!(
                        "{}\n{}",
                        String::from_utf8_lossy(&header(&src)),
                        String::from_utf8_lossy(&header(&out))
                    )
                },
            );
            // ffmpeg's own file is malformed for these (see fixtures/generate.sh); ours is not.
            let odd_width = size.split('x').next().unwrap().parse::<usize>().unwrap() % 2 == 1;
            if !(broken_when_odd(fmt) && odd_width) {
                r.check(
                    std::fs::read(&src).unwrap() == std::fs::read(&out).unwrap(),
                    format!("y4m {fmt} {size}: file identical to ffmpeg's"),
                    String::new,
                );
            }
        }
    }
    // Seek landings: `-ss T -noaccurate_seek -c copy -copyts` starts where the demuxer lands;
    // ffmpeg rescales T to the stream time base rounding to nearest, then seeks backward.
    let src = dir.join("seek.y4m");
    let (_, e) = ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc=s=32x24:r=25:d=2",
        "-pix_fmt",
        "yuv420p",
        s(&src),
    ]);
    assert!(e.is_empty(), "{e}");
    for ss in ["0", "0.04", "0.2", "0.21", "1", "1.5", "1.98"] {
        let (t, _) = ffmpeg(&[
            "-ss",
            ss,
            "-noaccurate_seek",
            "-i",
            s(&src),
            "-c",
            "copy",
            "-copyts",
            "-f",
            "framemd5",
            "-",
        ]);
        let theirs = t.lines().find(|l| l.starts_with("0,")).map(str::to_owned);
        let mut input = open(s(&src), &InputOptions::default()).unwrap();
        let us = avutil::time::parse_duration(ss).unwrap();
        let ts = avutil::mathematics::rescale(us, 25, 1_000_000).unwrap();
        let back = avformat::SeekFlags {
            backward: true,
            ..Default::default()
        };
        input.seek(0, ts, back).unwrap();
        let (ours, _) = copy_to(&mut input, "framemd5");
        let ours = ours
            .lines()
            .find(|l| l.starts_with("0,"))
            .map(str::to_owned);
        r.check(
            theirs == ours,
            format!("y4m seek -ss {ss}: lands where ffmpeg lands"),
            || format!("{theirs:?}\n{ours:?}"),
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
    r.finish("y4m");
}

#[test]
fn rawvideo_against_ffmpeg() {
    if !enabled() {
        return;
    }
    let dir = tmpdir("raw");
    let mut r = Report {
        failures: vec![],
        passes: 0,
    };
    for (fmt, size, rate, cut) in [
        ("yuv420p", "33x17", "25", 0),
        ("rgb24", "33x17", "30000/1001", 100),
        ("nv12", "34x18", "24", 0),
        ("gray16le", "7x5", "25", 1),
        ("yuv444p10le", "33x17", "60", 0),
        ("uyvy422", "34x9", "25", 0),
        ("bgra", "5x5", "10", 3),
        ("yuv410p", "17x9", "25", 0),
    ] {
        let src = dir.join(format!("{fmt}.raw"));
        let (_, e) = ffmpeg(&[
            "-f",
            "lavfi",
            "-i",
            &format!("testsrc=s={size}:d=0.2"),
            "-pix_fmt",
            fmt,
            "-f",
            "rawvideo",
            s(&src),
        ]);
        assert!(e.is_empty(), "{e}");
        let len = std::fs::metadata(&src).unwrap().len();
        std::fs::OpenOptions::new()
            .write(true)
            .open(&src)
            .unwrap()
            .set_len(len - cut)
            .unwrap();
        let mut args = vec![
            "-f",
            "rawvideo",
            "-video_size",
            size,
            "-pixel_format",
            fmt,
            "-framerate",
            rate,
        ];
        args.extend(["-i", s(&src), "-c", "copy"]);
        args.extend(BX);
        args.extend(["-f", "framemd5", "-"]);
        let (theirs, _) = ffmpeg(&args);
        let mut o = InputOptions::with_format("rawvideo");
        let (w, h) = avutil::parse::parse_video_size(size).unwrap();
        o.format_options.video_size = Some((w, h));
        o.format_options.pix_fmt = Some(PixelFormat::from_name(fmt).unwrap());
        o.format_options.framerate = Some(rate.parse::<Rational>().unwrap());
        let (ours, err) = copy_to(&mut open(s(&src), &o).unwrap(), "framemd5");
        r.check(
            theirs == ours && err.is_none(),
            format!("rawvideo {fmt} {size} @{rate} (cut {cut}): framemd5 equal"),
            || diff(&theirs, &ours),
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
    r.finish("rawvideo");
}

#[test]
fn lavfi_against_ffmpeg() {
    if !enabled() {
        return;
    }
    let mut r = Report {
        failures: vec![],
        passes: 0,
    };
    let strip = |t: &str, hashes: bool| {
        t.lines()
            .map(|l| {
                if hashes || l.starts_with('#') {
                    l
                } else {
                    l.rsplit_once(", ").map_or(l, |p| p.0)
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    for (desc, exact) in [
        ("testsrc=d=0.3", false),
        ("testsrc=s=64x48:r=30000/1001:d=1", false),
        ("testsrc=size=33x17:rate=7:duration=0.5:sar=4/3", false),
        ("testsrc2=size=352x288:rate=25:duration=0.2", false),
        ("testsrc2=s=35x21:d=0.2", false),
        ("color=c=red:s=320x240:d=0.2", true),
        ("color=c=DarkOliveGreen@0.3:s=33x18:r=ntsc:d=0.2", true),
        ("color=blue:64x48:10:0.3", true),
        ("sine=frequency=440:sample_rate=44100:duration=0.5", false),
        ("sine=f=1000:d=1", false),
        ("sine=f=1000:r=8000:d=0.3:samples_per_frame=500", false),
        ("anullsrc=r=48000:cl=stereo:d=0.1", true),
        ("anullsrc=cl=5.1:n=100:d=0.01", true),
        ("anullsrc=r=8000:cl=mono:d=0.3", true),
    ] {
        let mut args = vec!["-f", "lavfi", "-i", desc, "-c", "copy"];
        args.extend(BX);
        args.extend(["-f", "framemd5", "-"]);
        let (theirs, e) = ffmpeg(&args);
        assert!(e.is_empty(), "{desc}: {e}");
        let (ours, err) = copy_to(
            &mut open(desc, &InputOptions::with_format("lavfi")).unwrap(),
            "framemd5",
        );
        let (a, b) = (strip(&theirs, exact), strip(&ours, exact));
        r.check(
            a == b && err.is_none(),
            format!(
                "lavfi {desc}: {}",
                if exact {
                    "framemd5 equal"
                } else {
                    "headers, timestamps, sizes equal"
                }
            ),
            || diff(&a, &b),
        );
    }
    r.finish("lavfi");
}
