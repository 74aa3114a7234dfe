//! The MPEG-1 video encoder end to end: pictures decoded from a fixture are
//! encoded (I/P/B with a constant quantizer and with rate control), written by
//! the `mpeg1video` muxer, read back by the `mpegvideo` demuxer (its parser)
//! and decoded; the pictures must come back in order, with the right
//! timestamps, close to the originals.

// Helpers of tests panic on failure like the tests themselves.
#![allow(clippy::unwrap_used)]

use avcodec::{CodecId, CodecRegistry, EncoderOptions, Packet, Received, SendStatus};
use avformat::io::MemorySink;
use avformat::{FormatRegistry, InputContext, InputOptions, IoReader, IoWriter, OutputContext};
use avutil::{Frame, PictureType, Rational};

use crate::mpegvideo::{decode_all, open_fixture};

fn psnr(a: &Frame, b: &Frame) -> f64 {
    let (x, y) = (a.to_packed_bytes(), b.to_packed_bytes());
    assert_eq!(x.len(), y.len());
    let se: f64 = x
        .iter()
        .zip(&y)
        .map(|(&p, &q)| (f64::from(p) - f64::from(q)).powi(2))
        .sum();
    10.0 * (255.0f64 * 255.0 / (se / x.len() as f64).max(1e-9)).log10()
}

/// Encodes `frames` with the options set by `set`; returns the packets.
fn encode(
    frames: &[Frame],
    set: impl Fn(&mut EncoderOptions),
) -> (avcodec::CodecParameters, Vec<Packet>) {
    let v = frames[0].video().unwrap();
    let params = avcodec::CodecParameters::video(CodecId::Mpeg1video, v.width, v.height, v.format);
    let mut o = EncoderOptions::new(params, Rational::new(1, 25));
    o.frame_rate = Some(Rational::new(25, 1));
    set(&mut o);
    let reg = CodecRegistry::builtin();
    let info = reg.find_encoder_by_name("mpeg1video").unwrap();
    let mut enc = (info.create)(&o).unwrap();
    let mut out = Vec::new();
    for (i, f) in frames.iter().enumerate() {
        let mut f = f.clone();
        f.pts = Some(i as i64);
        assert_eq!(enc.send_frame(&f).unwrap(), SendStatus::Accepted);
        while let Received::Item(p) = enc.receive_packet().unwrap() {
            out.push(p);
        }
    }
    enc.send_eof().unwrap();
    while let Received::Item(p) = enc.receive_packet().unwrap() {
        out.push(p);
    }
    (enc.parameters().clone(), out)
}

/// Muxes the packets as an elementary stream, demuxes and decodes it.
fn round_trip(params: avcodec::CodecParameters, packets: Vec<Packet>) -> (Vec<u8>, Vec<Frame>) {
    let formats = FormatRegistry::builtin();
    let sink = MemorySink::new();
    let info = *formats.find_muxer("mpeg1video").unwrap();
    let mut out = OutputContext::with_writer(IoWriter::new(Box::new(sink.clone()), "mem"), info);
    out.add_stream(params, Rational::new(1, 25)).unwrap();
    out.write_header().unwrap();
    for p in packets {
        out.write_packet(p).unwrap();
    }
    out.write_trailer().unwrap();
    let bytes = sink.contents();
    let mut o = InputOptions::default();
    o.format = Some("mpegvideo".into());
    let input =
        InputContext::open_reader(IoReader::from_bytes(bytes.clone(), "mem.m1v"), &formats, &o)
            .unwrap();
    (bytes, decode_all(input))
}

#[test]
fn ibbp_constant_quantizer_round_trip() {
    let src = decode_all(open_fixture("ibbp-352x288"));
    assert_eq!(src.len(), 15);
    let (params, pkts) = encode(&src, |o| {
        o.gop_size = Some(12);
        o.max_b_frames = Some(2);
        o.global_quality = Some(4.0);
    });
    // Coding order and timestamps as FFmpeg's encoder gives them.
    let pts: Vec<i64> = pkts.iter().map(|p| p.pts.unwrap()).collect();
    assert_eq!(pts, [0, 3, 1, 2, 6, 4, 5, 9, 7, 8, 12, 10, 11, 14, 13]);
    let dts: Vec<i64> = pkts.iter().map(|p| p.dts.unwrap()).collect();
    assert_eq!(dts, (-1..14).collect::<Vec<_>>());
    let (bytes, frames) = round_trip(params, pkts);
    assert_eq!(&bytes[..4], &[0, 0, 1, 0xb3]);
    assert_eq!(frames.len(), 15);
    let types: String = frames
        .iter()
        .map(|f| match f.pict_type {
            PictureType::I => 'I',
            PictureType::P => 'P',
            PictureType::B => 'B',
            _ => '?',
        })
        .collect();
    assert_eq!(types, "IBBPBBPBBPBBIBP");
    for (i, (a, b)) in frames.iter().zip(&src).enumerate() {
        assert!(!a.flags.corrupt);
        let q = psnr(a, b);
        assert!(q > 33.0, "picture {i}: {q:.2} dB");
    }
}

#[test]
fn rate_control_and_vbv_round_trip() {
    let src = decode_all(open_fixture("ip-98x66"));
    let n = src.len();
    for vbv in [false, true] {
        let (params, pkts) = encode(&src, |o| {
            o.gop_size = Some(6);
            o.max_b_frames = Some(1);
            o.bit_rate = Some(400_000);
            if vbv {
                o.private.set("maxrate", "400k");
                o.private.set("bufsize", "100k");
            }
        });
        let bits: usize = pkts.iter().map(|p| p.size() * 8).sum();
        let target = 400_000.0 * n as f64 / 25.0;
        assert!(
            (bits as f64 / target - 1.0).abs() < 0.15,
            "{bits} bits for {target}"
        );
        let (_, frames) = round_trip(params, pkts);
        assert_eq!(frames.len(), n);
        assert!(frames.iter().all(|f| !f.flags.corrupt));
    }
}
