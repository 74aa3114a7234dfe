//! `ffw -ss T` on an MPEG program stream against references made by ffmpeg 5.1
//! (fixtures/generate.sh): the same frames with the same timestamps, decoding every
//! stream and copying the video.

mod common;

use common::{ffw, frame_lines, reference};

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
            let out = String::from_utf8(ffw(&args)).expect("framemd5 is text");
            let want = reference(&format!("mpegps-seek-bf2.ss{t}.{mode}.framemd5"));
            let got = frame_lines(&out);
            assert!(!got.is_empty(), "-ss {t} {mode}: no frames");
            assert_eq!(got, frame_lines(&want), "-ss {t} {mode}");
        }
    }
}
