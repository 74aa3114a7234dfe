//! lavfi sources: stream headers, timestamps and sizes as ffmpeg's; pixels/samples where equal.

// Helpers of tests panic on failure like the tests themselves.
#![allow(clippy::unwrap_used)]

use avformat::InputOptions;

use crate::y4m::{copy_to, open, reference};

fn lavfi(desc: &str) -> avformat::Result<avformat::InputContext> {
    open(desc, &InputOptions::with_format("lavfi"))
}

/// framemd5 text without the hash column.
fn without_hashes(s: &str) -> String {
    s.lines()
        .map(|l| {
            if l.starts_with('#') {
                l
            } else {
                l.rsplit_once(", ").map_or(l, |p| p.0)
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn bit_exact_sources() {
    for (desc, r) in [
        ("color=c=red:s=33x17:d=0.2", "lavfi-color-red.framemd5"),
        (
            "color=c=0x336699@0.5:s=16x8:r=10:d=0.3",
            "lavfi-color-hex.framemd5",
        ),
        (
            "anullsrc=r=48000:cl=stereo:d=0.05",
            "lavfi-anullsrc.framemd5",
        ),
    ] {
        let mut input = lavfi(desc).unwrap();
        let (text, err) = copy_to(&mut input, "framemd5");
        assert!(err.is_none());
        assert_eq!(text, reference(r), "{desc}");
    }
}

#[test]
fn timing_and_headers_match() {
    for (desc, r) in [
        ("sine=f=1000:r=8000:d=0.3", "lavfi-sine.framemd5"),
        (
            "testsrc=s=64x48:r=30000/1001:d=0.2",
            "lavfi-testsrc.framemd5",
        ),
        ("testsrc2=s=35x21:d=0.2", "lavfi-testsrc2.framemd5"),
    ] {
        let mut input = lavfi(desc).unwrap();
        let (text, err) = copy_to(&mut input, "framemd5");
        assert!(err.is_none());
        assert_eq!(
            without_hashes(&text),
            without_hashes(&reference(r)),
            "{desc}"
        );
    }
}

#[test]
fn patterns_move_and_are_deterministic() {
    for desc in ["testsrc=s=64x48:d=0.2", "testsrc2=s=64x48:d=0.2"] {
        let frames = |d| {
            let mut i = lavfi(d).unwrap();
            std::iter::from_fn(move || i.read_packet().unwrap())
                .map(|p| p.data)
                .collect::<Vec<_>>()
        };
        let a = frames(desc);
        assert_eq!(a.len(), 5);
        assert_eq!(a, frames(desc), "{desc} is not deterministic");
        assert!(a.windows(2).all(|w| w[0] != w[1]), "{desc} does not move");
    }
}

#[test]
fn endless_sources_stream_until_stopped() {
    let mut input = lavfi("testsrc2").unwrap();
    assert_eq!(input.duration(), None);
    for n in 0..60 {
        let p = input.read_packet().unwrap().unwrap();
        assert_eq!((p.pts, p.size()), (Some(n), 320 * 240 * 3 / 2));
    }
    let mut input = lavfi("sine").unwrap();
    let st = &input.streams()[0];
    assert_eq!((st.params.sample_rate, st.params.channels()), (44100, 1));
    let p = input.read_packet().unwrap().unwrap();
    assert_eq!((p.size(), p.duration), (2048, Some(1024)));
    // ffmpeg's sine peak.
    let max = p
        .data
        .chunks(2)
        .map(|c| i16::from_le_bytes([c[0], c[1]]))
        .max()
        .unwrap();
    assert_eq!(max, 4095);
}

#[test]
fn errors() {
    for (desc, msg) in [
        ("testsrc=foo=1", "Option 'foo' not found"),
        ("nosuch", "No such filter: 'nosuch'"),
        ("testsrc2=s=1x1", "invalid picture dimensions 0x0"),
        ("testsrc=s=100000x100000", "invalid picture dimensions"),
    ] {
        let e = lavfi(desc).unwrap_err().to_string();
        assert!(e.contains(msg), "{desc}: {e}");
    }
}
