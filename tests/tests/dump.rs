//! `av_dump_format`-style descriptions of committed fixtures, snapshot-tested.
//! The expected text is what ffmpeg 5.1 prints for the same files (checked when
//! the snapshots were recorded), except for our own `encoder` tag values.

use std::path::PathBuf;

use fastforward::avformat::{InputContext, InputOptions};

fn fixture(rel: &str) -> String {
    let p: PathBuf = [env!("CARGO_MANIFEST_DIR"), "..", "fixtures", rel]
        .iter()
        .collect();
    p.to_string_lossy().into_owned()
}

fn dump(rel: &str) -> String {
    let formats = fastforward::default::formats();
    let ctx = InputContext::open(&fixture(rel), &formats, &InputOptions::default())
        .expect("open fixture");
    // The path differs between machines: show the name relative to the repository.
    ctx.dump(0).replace(&fixture(""), "fixtures/")
}

#[test]
fn wav_dumps() {
    insta::assert_snapshot!("wav_s16le_7_1", dump("wav/s16le-7.1.wav"));
    insta::assert_snapshot!("wav_metadata", dump("wav/metadata.wav"));
    insta::assert_snapshot!("wav_f32le_mono", dump("wav/f32le-mono.wav"));
}

#[test]
fn y4m_dumps() {
    insta::assert_snapshot!("y4m_yuv420p", dump("y4m/yuv420p-33x17.y4m"));
    insta::assert_snapshot!("y4m_gray16", dump("y4m/gray16-33x17.y4m"));
}
