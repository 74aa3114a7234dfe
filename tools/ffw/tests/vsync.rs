//! Video sync (`-vsync`/`-fps_mode`, output `-r`) against references made by ffmpeg 5.1
//! (fixtures/generate.sh): frames duplicated and dropped into the output rate's slots
//! exactly where ffmpeg puts them.

mod common;

use common::{ffw, frame_lines, reference};
use fastforward::avutil::hash::Md5;

#[test]
fn constant_rate_output_duplicates_as_ffmpeg() {
    // rawvideo takes a constant rate: the elementary stream's timestamp gap after the
    // first picture is filled with a duplicate, as ffmpeg does.
    let raw = ffw(&[
        "-i",
        "fixtures/mpeg1video/ibbp-352x288.m1v",
        "-f",
        "rawvideo",
        "-",
    ]);
    let mut m = Md5::new();
    m.update(&raw);
    assert_eq!(
        m.finish_hex(),
        reference("vsync-ibbp-352x288.rawvideo.md5").trim()
    );
}

#[test]
fn output_rate_converts_as_ffmpeg() {
    for r in ["10", "50"] {
        let got = ffw(&[
            "-i",
            "fixtures/y4m/yuv420p-tff-mpeg2.y4m",
            "-r",
            r,
            "-f",
            "framemd5",
            "-",
        ]);
        let got = String::from_utf8(got).expect("text");
        let want = reference(&format!("vsync-tff-r{r}.framemd5"));
        assert_eq!(frame_lines(&got), frame_lines(&want), "-r {r}");
    }
}
