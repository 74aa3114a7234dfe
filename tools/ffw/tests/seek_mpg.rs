//! `ffw -ss T` on an MPEG program stream against references made by ffmpeg 5.1
//! (fixtures/generate.sh): the same frames with the same timestamps, decoding every
//! stream and copying the video.

use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The frame lines of a framemd5 text (the header names the writing software).
fn frame_lines(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

fn ffw(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_ffw"))
        .args(["-nostdin", "-v", "quiet"])
        .args(args)
        .current_dir(root())
        .output()
        .expect("ffw runs");
    assert!(out.status.success(), "ffw {args:?} failed");
    String::from_utf8(out.stdout).expect("framemd5 is text")
}

#[test]
fn seek_gives_ffmpegs_frames_and_timestamps() {
    let input = "fixtures/mpegps/seek-bf2.mpg";
    for t in ["0.5", "0.9", "1.3"] {
        for (mode, extra) in [
            ("decode", &["-map", "0"][..]),
            ("copy", &["-map", "0:v", "-c", "copy"][..]),
        ] {
            let mut args = vec!["-ss", t, "-i", input];
            args.extend_from_slice(extra);
            args.extend_from_slice(&["-f", "framemd5", "-"]);
            let got = frame_lines(&ffw(&args));
            let want = std::fs::read_to_string(
                root().join(format!("tests/ref/mpegps-seek-bf2.ss{t}.{mode}.framemd5")),
            )
            .expect("reference exists");
            assert!(!got.is_empty(), "-ss {t} {mode}: no frames");
            assert_eq!(got, frame_lines(&want), "-ss {t} {mode}");
        }
    }
}
