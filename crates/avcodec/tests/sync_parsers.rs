//! The AC-3/E-AC-3 and DTS parsers on elementary streams made by ffmpeg
//! (`fixtures/ac3dts`, see `fixtures/generate.sh`): the frames (size, md5,
//! duration at 90 kHz) equal ffmpeg's `-c copy -f framemd5` of the stream
//! read by its raw demuxer, in any chunking, and the stream parameters equal
//! ffprobe's (codec, sample rate, channels, layout, bit rate).

// Helpers of tests panic on failure like the tests themselves.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use avcodec::parser::{ParsedFrame, ParserContext, find_parser};
use avcodec::{CodecId, CodecParameters};

const FIXTURES: &[&str] = &[
    "eac3-stereo-48k.eac3",
    "eac3-5.1-32k.eac3",
    "eac3-mono-44k.eac3",
    "ac3-stereo-44k.ac3",
    "ac3-junk.ac3",
    "dts-junk.dts",
    "dts-14bit-be.dts",
    "dts-14bit-le.dts",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn frames(id: CodecId, data: &[u8], step: usize) -> (Vec<ParsedFrame>, CodecParameters) {
    let mut ctx = ParserContext::new(find_parser(id).unwrap());
    let mut p = CodecParameters::new(id);
    let out = ctx.parse_all(data, step, &mut p);
    (out, p)
}

#[test]
fn frames_and_parameters_match_ffmpeg() {
    for name in FIXTURES {
        let data = std::fs::read(root().join("fixtures/ac3dts").join(name)).unwrap();
        let id = match name.rsplit_once('.').unwrap().1 {
            "ac3" => CodecId::Ac3,
            "eac3" => CodecId::Eac3,
            _ => CodecId::Dts,
        };
        let refs =
            std::fs::read_to_string(root().join(format!("tests/ref/{name}.framemd5"))).unwrap();
        // duration, size, md5 of each packet line.
        let want: Vec<String> = refs
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(|l| {
                let f: Vec<&str> = l.split(',').map(str::trim).collect();
                format!("{} {} {}", f[3], f[4], f[5])
            })
            .collect();
        for step in [1024, 1, 7, 100_000] {
            let (out, p) = frames(id, &data, step);
            let got: Vec<String> = out
                .iter()
                .map(|f| {
                    let d = u64::from(f.info.duration) * 90000 / u64::from(p.sample_rate);
                    format!("{d} {} {}", f.data.len(), avutil::hash::md5_hex(&f.data))
                })
                .collect();
            assert_eq!(got, want, "{name} in chunks of {step}");
            let params = format!(
                "{},{},{},{},{}\n",
                p.codec_id.name(),
                p.sample_rate,
                p.channels(),
                p.ch_layout.map(|l| l.to_string()).unwrap_or_default(),
                p.bit_rate.unwrap_or(0)
            );
            let want = std::fs::read_to_string(root().join(format!("tests/ref/{name}.audio")));
            assert_eq!(params, want.unwrap(), "{name}");
        }
    }
}
