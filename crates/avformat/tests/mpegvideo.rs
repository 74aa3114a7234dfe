//! MPEG-1 video elementary streams: packets and decoded pictures against ffmpeg-made
//! references (fixtures/generate.sh, MPEG-1 video section), probing, seeking, the muxer,
//! and damaged input (truncation, bit flips, cuts) decoding without panics.

// Helpers of tests panic on failure like the tests themselves.
#![allow(clippy::unwrap_used)]

use avcodec::{CodecRegistry, Decoder, DecoderOptions, Packet, Received, SendStatus};
use avformat::io::MemorySink;
use avformat::{
    FormatRegistry, InputContext, InputOptions, IoReader, IoWriter, OutputContext, SeekFlags,
};
use avutil::hash::md5_hex;
use avutil::{Frame, PictureType, Rational};

use crate::y4m::{copy_to, fixture, open, reference};

const FIXTURES: &[&str] = &[
    "ibbp-352x288",
    "ip-98x66",
    "ibp-gop15-176x144",
    "ionly-q1-64x48",
    "ionly-q31-128x96",
    "cgop-176x144",
    "matrices-176x144",
    "pal-720x576",
];

fn open_m1v(name: &str) -> InputContext {
    open(
        &fixture(&format!("mpeg1video/{name}.m1v")),
        &InputOptions::default(),
    )
    .unwrap()
}

fn decoder(input: &InputContext) -> Box<dyn Decoder> {
    let st = &input.streams()[0];
    let mut o = DecoderOptions::default();
    o.packet_time_base = st.time_base;
    CodecRegistry::builtin()
        .open_decoder(&st.params, &o)
        .unwrap()
}

fn drain(dec: &mut dyn Decoder, out: &mut Vec<Frame>) {
    while let Ok(Received::Item(f)) = dec.receive_frame() {
        out.push(f);
    }
}

/// Decodes packets (errors are tolerated: damaged input), then drains.
fn decode_packets(dec: &mut dyn Decoder, packets: impl IntoIterator<Item = Packet>) -> Vec<Frame> {
    let mut out = Vec::new();
    for p in packets {
        while let Ok(SendStatus::Full) = dec.send_packet(&p) {
            drain(dec, &mut out);
        }
        drain(dec, &mut out);
    }
    dec.send_eof().unwrap();
    drain(dec, &mut out);
    out
}

/// Opens fixture `mpeg1video/NAME.m1v` (for other modules).
pub(crate) fn open_fixture(name: &str) -> InputContext {
    open_m1v(name)
}

/// Decodes every packet of `input` (for other modules).
pub(crate) fn decode_all(mut input: InputContext) -> Vec<Frame> {
    let mut dec = decoder(&input);
    let packets = all_packets(&mut input);
    decode_packets(dec.as_mut(), packets)
}

fn all_packets(input: &mut InputContext) -> Vec<Packet> {
    let mut v = Vec::new();
    while let Some(p) = input.read_packet().unwrap() {
        v.push(p);
    }
    v
}

/// (size, md5) of every frame of a framemd5 reference.
fn reference_hashes(name: &str) -> Vec<(usize, String)> {
    reference(name)
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let f: Vec<&str> = l.split(',').map(str::trim).collect();
            (f[4].parse().unwrap(), f[5].to_owned())
        })
        .collect()
}

fn hashes(frames: &[Frame]) -> Vec<(usize, String)> {
    frames
        .iter()
        .map(|f| {
            let b = f.to_packed_bytes();
            (b.len(), md5_hex(&b))
        })
        .collect()
}

#[test]
fn decoded_pictures_are_bit_exact_with_ffmpeg() {
    for name in FIXTURES {
        let mut input = open_m1v(name);
        let mut dec = decoder(&input);
        let frames = decode_packets(dec.as_mut(), all_packets(&mut input));
        assert_eq!(
            hashes(&frames),
            reference_hashes(&format!("mpeg1video-{name}.framemd5")),
            "{name}"
        );
        assert!(frames.iter().all(|f| !f.flags.corrupt), "{name}");
    }
}

#[test]
fn packets_match_ffmpeg() {
    for name in FIXTURES {
        let mut input = open_m1v(name);
        let (text, err) = copy_to(&mut input, "framemd5");
        assert!(err.is_none(), "{name}");
        assert_eq!(
            text,
            reference(&format!("mpeg1video-{name}.copy.framemd5")),
            "{name}"
        );
    }
}

#[test]
fn probe_and_stream_parameters() {
    let input = open_m1v("pal-720x576");
    assert_eq!(input.format().name, "mpegvideo");
    assert_eq!(input.probe_score(), 51);
    let st = &input.streams()[0];
    assert_eq!(st.time_base, Rational::new(1, 1_200_000));
    assert_eq!(st.avg_frame_rate, Rational::new(25, 1));
    assert_eq!((st.params.width, st.params.height), (720, 576));
    assert_eq!(st.params.sample_aspect_ratio, Rational::new(178, 163));
    assert_eq!(st.params.extradata.len(), 12);
    let ntsc = open_m1v("ibp-gop15-176x144");
    assert_eq!(ntsc.streams()[0].avg_frame_rate, Rational::new(30000, 1001));
}

#[test]
fn frame_properties_as_ffmpeg() {
    let mut input = open_m1v("ibbp-352x288");
    let mut dec = decoder(&input);
    let frames = decode_packets(dec.as_mut(), all_packets(&mut input));
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
    let f = &frames[0];
    assert!(f.key_frame && !frames[1].key_frame);
    assert_eq!(f.sample_aspect_ratio, Rational::new(1, 1));
    assert_eq!(f.color_range, avutil::ColorRange::Mpeg);
    assert_eq!(f.chroma_location, avutil::ChromaLocation::Center);
    // pts of the picture's own packet; dts of the packet being decoded when output;
    // best effort as ffmpeg's guess (ffprobe -show_frames).
    assert_eq!(
        (f.pts, f.pkt_dts, f.best_effort_timestamp),
        (Some(0), Some(48000), Some(0))
    );
    let b = &frames[1];
    assert_eq!((b.pts, b.best_effort_timestamp), (Some(96000), Some(96000)));
    let p = &frames[3];
    assert_eq!((p.pts, p.best_effort_timestamp), (None, Some(192000)));
    let last = frames.last().unwrap();
    assert_eq!(
        (last.pts, last.pkt_dts, last.best_effort_timestamp),
        (None, None, None)
    );
}

#[test]
fn seeking_lands_on_intra_pictures_and_decodes_identically() {
    let mut input = open_m1v("cgop-176x144");
    let mut dec = decoder(&input);
    let full = decode_packets(dec.as_mut(), all_packets(&mut input));
    let full_hashes = hashes(&full);
    // Every 6th picture is an I picture of a closed GOP; seek near 0.5 s (picture 12).
    let landed = input.seek_time(520_000).unwrap();
    assert_eq!(landed, 480_000);
    let mut dec = decoder(&input);
    let tail = decode_packets(dec.as_mut(), all_packets(&mut input));
    assert!(tail[0].key_frame);
    assert_eq!(hashes(&tail), full_hashes[12..].to_vec());

    // After a seek in an open-GOP stream the decoder is flushed: B pictures that need the
    // previous GOP are skipped, the rest decode as in a full decode.
    let mut input = open_m1v("ibp-gop15-176x144");
    let mut dec = decoder(&input);
    let full = hashes(&decode_packets(dec.as_mut(), all_packets(&mut input)));
    input
        .seek(
            0,
            15 * 40040,
            SeekFlags {
                backward: true,
                ..Default::default()
            },
        )
        .unwrap();
    dec.flush();
    let tail = hashes(&decode_packets(dec.as_mut(), all_packets(&mut input)));
    assert!(!tail.is_empty());
    for h in &tail {
        assert!(full.contains(h));
    }
    // Back to the start.
    assert_eq!(input.seek(0, 0, SeekFlags::default()).unwrap(), 0);
    assert_eq!(input.read_packet().unwrap().unwrap().pos, Some(0));
}

#[test]
fn stream_copy_to_the_muxer_is_byte_identical() {
    let path = fixture("mpeg1video/ip-98x66.m1v");
    let original = std::fs::read(&path).unwrap();
    let mut input = open(&path, &InputOptions::default()).unwrap();
    let formats = FormatRegistry::builtin();
    let sink = MemorySink::new();
    let info = *formats.guess_format(None, Some("out.m1v"), None).unwrap();
    assert_eq!(info.name, "mpeg1video");
    let mut out = OutputContext::with_writer(IoWriter::new(Box::new(sink.clone()), "mem"), info);
    out.add_stream(
        input.streams()[0].params.clone(),
        input.streams()[0].time_base,
    )
    .unwrap();
    out.write_header().unwrap();
    while let Some(p) = input.read_packet().unwrap() {
        out.write_packet(p).unwrap();
    }
    out.write_trailer().unwrap();
    assert_eq!(sink.contents(), original);
}

/// A small deterministic generator for the damage tests.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

/// Demuxes and decodes `bytes` completely; returns the frames (never panics).
fn decode_bytes(bytes: Vec<u8>) -> Option<Vec<Frame>> {
    let io = IoReader::from_bytes(bytes, "mem.m1v");
    let mut o = InputOptions::default();
    o.format = Some("mpegvideo".into());
    let mut input = InputContext::open_reader(io, &FormatRegistry::builtin(), &o).ok()?;
    let mut dec = decoder(&input);
    let mut packets = Vec::new();
    while let Ok(Some(p)) = input.read_packet() {
        packets.push(p);
    }
    Some(decode_packets(dec.as_mut(), packets))
}

#[test]
fn damaged_streams_decode_without_panic() {
    let data = std::fs::read(fixture("mpeg1video/ibbp-352x288.m1v")).unwrap();
    let clean = decode_bytes(data.clone()).unwrap();
    // Truncations anywhere.
    for cut in (0..data.len()).step_by(997) {
        let _ = decode_bytes(data[..cut].to_vec());
    }
    // Random bit flips: the pictures still come out, damaged ones flagged corrupt.
    let mut rng = Lcg(7);
    let mut flagged = 0;
    for round in 0..40 {
        let mut d = data.clone();
        for _ in 0..1 + round % 8 {
            let i = (rng.next() as usize) % d.len();
            d[i] ^= 1 << (rng.next() % 8);
        }
        if let Some(frames) = decode_bytes(d) {
            flagged += frames.iter().filter(|f| f.flags.corrupt).count();
            for f in &frames {
                assert_eq!(f.to_packed_bytes().len(), 352 * 288 * 3 / 2);
            }
        }
    }
    assert!(flagged > 0);
    // Cut in the middle: the second half alone (starting inside a GOP) decodes too.
    let half = decode_bytes(data[data.len() / 2..].to_vec());
    assert!(half.is_none_or(|f| f.len() < clean.len()));
    // Random garbage after a valid sequence header.
    let mut g = data[..12].to_vec();
    g.extend((0..20000).map(|_| rng.next() as u8));
    let _ = decode_bytes(g);
}

#[test]
fn a_damaged_slice_is_concealed_and_flagged() {
    let mut input = open_m1v("ibbp-352x288");
    let mut packets = all_packets(&mut input);
    // Damage the middle of the second packet (a P picture): its slices after the
    // damage are concealed, the picture is flagged corrupt, later ones decode.
    let p = &mut packets[1];
    let mut v = p.data.to_vec();
    let mid = v.len() / 2;
    for b in &mut v[mid..mid + 40] {
        *b = 0xff;
    }
    p.data = avutil::Buffer::from_vec(v);
    let mut dec = decoder(&input);
    let frames = decode_packets(dec.as_mut(), packets);
    assert_eq!(frames.len(), 15);
    assert!(frames[3].flags.corrupt, "the P picture");
    assert!(!frames[0].flags.corrupt);
}

/// Decodes `packets` with `threads` worker threads; (hash, corrupt) per frame.
fn decode_with_threads(
    input: &InputContext,
    packets: &[Packet],
    threads: usize,
) -> Vec<(String, bool)> {
    let st = &input.streams()[0];
    let mut o = DecoderOptions::default();
    o.packet_time_base = st.time_base;
    o.threads = threads;
    let mut dec = CodecRegistry::builtin()
        .open_decoder(&st.params, &o)
        .unwrap();
    decode_packets(dec.as_mut(), packets.iter().cloned())
        .iter()
        .map(|f| (md5_hex(&f.to_packed_bytes()), f.flags.corrupt))
        .collect()
}

#[test]
fn threaded_decoding_is_identical_to_single_threaded() {
    for name in FIXTURES {
        let mut input = open_m1v(name);
        let packets = all_packets(&mut input);
        let one = decode_with_threads(&input, &packets, 1);
        for threads in [2, 3, 7] {
            assert_eq!(
                decode_with_threads(&input, &packets, threads),
                one,
                "{name} x{threads}"
            );
        }
    }
    // Damaged pictures (slices cut short, crossing into other bands, out of
    // order) come out the same too, corrupt flags included.
    let mut input = open_m1v("pal-720x576");
    let clean = all_packets(&mut input);
    let mut rng = Lcg(11);
    for round in 0..30 {
        let mut packets = clean.clone();
        for _ in 0..1 + round % 5 {
            let k = (rng.next() as usize) % packets.len();
            let mut v = packets[k].data.to_vec();
            let i = (rng.next() as usize) % v.len();
            v[i] ^= 1 << (rng.next() % 8);
            packets[k].data = avutil::Buffer::from_vec(v);
        }
        let one = decode_with_threads(&input, &packets, 1);
        assert_eq!(
            decode_with_threads(&input, &packets, 2),
            one,
            "round {round}"
        );
        assert_eq!(
            decode_with_threads(&input, &packets, 4),
            one,
            "round {round}"
        );
    }
}
