//! WAV against FFmpeg's references (fixtures/wav, tests/ref/wav-*; see fixtures/generate.sh).

use std::collections::BTreeMap;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use avcodec::codecs::pcm;
use avcodec::{CodecId, CodecParameters, CodecRegistry, DecoderOptions, Packet, Received};
use avformat::io::{MemorySink, Pipe, PipeSink};
use avformat::{
    FormatRegistry, InputContext, InputOptions, IoReader, IoWriter, OutputContext, SeekFlags,
};
use avutil::{Buffer, ChannelLayout, Rational, SampleFormat};

/// The repository root.
pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A reference file's text.
pub(crate) fn reference(name: &str) -> String {
    let p = root().join("tests/ref").join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Fixtures in `dir` with extension `ext`, sorted.
pub(crate) fn fixtures(dir: &str, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join("fixtures").join(dir))
        .expect("fixtures directory")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    v.sort();
    v
}

fn stem(p: &Path) -> String {
    p.file_stem()
        .expect("file stem")
        .to_string_lossy()
        .into_owned()
}

/// A `Vec` shared with a non-seekable sink.
#[derive(Clone, Default)]
pub(crate) struct SharedVec(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for SharedVec {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Copies every packet of `ic` into muxer `format` (bitexact), returning the bytes written;
/// the output is seekable unless `pipe`. Metadata is copied as ffmpeg does by default.
pub(crate) fn remux(ic: &mut InputContext, format: &str, pipe: bool) -> Vec<u8> {
    let reg = FormatRegistry::builtin();
    let info = *reg.find_muxer(format).expect("muxer");
    let mem = MemorySink::new();
    let shared = SharedVec::default();
    let w = if pipe {
        IoWriter::new(Box::new(PipeSink(shared.clone())), "pipe")
    } else {
        IoWriter::new(Box::new(mem.clone()), "mem")
    };
    let mut out = OutputContext::with_writer(w, info);
    out.set_bitexact(true);
    for (k, v) in ic.metadata().iter() {
        out.metadata_mut().set(k, v);
    }
    let st = ic.streams()[0].clone();
    out.add_stream(st.params.clone(), st.time_base)
        .expect("add stream");
    out.write_header().expect("header");
    while let Some(p) = ic.read_packet().expect("read packet") {
        out.write_packet(p).expect("write packet");
    }
    out.write_trailer().expect("trailer");
    if pipe {
        shared.0.lock().expect("lock").clone()
    } else {
        mem.contents()
    }
}

/// Decodes every packet and hashes the samples with the `md5` muxer, re-stored in the PCM
/// codec of the decoded format (what `ffmpeg -c:a pcm_<fmt> -f md5` prints).
pub(crate) fn decoded_md5(ic: &mut InputContext) -> String {
    let st = ic.streams()[0].clone();
    let codecs = CodecRegistry::builtin();
    let mut dec = codecs
        .open_decoder(&st.params, &DecoderOptions::default())
        .expect("decoder");
    let fmt = dec.parameters().sample_fmt.expect("sample format");
    let id = pcm::codec_for(fmt, false).expect("pcm codec");
    let layout = st.params.ch_layout.unwrap_or(ChannelLayout::MONO);
    let reg = FormatRegistry::builtin();
    let mem = MemorySink::new();
    let mut out = OutputContext::with_writer(
        IoWriter::new(Box::new(mem.clone()), "mem"),
        *reg.find_muxer("md5").expect("md5"),
    );
    out.add_stream(
        CodecParameters::audio(id, fmt, st.params.sample_rate, layout),
        st.time_base,
    )
    .expect("stream");
    out.write_header().expect("header");
    while let Some(p) = ic.read_packet().expect("read") {
        // Packets shorter than one sample frame fail to decode in FFmpeg too (and are skipped).
        if dec.send_packet(&p).is_err() {
            continue;
        }
        while let Received::Item(f) = dec.receive_frame().expect("receive") {
            let mut q = Packet::new(Buffer::from_vec(f.to_packed_bytes()));
            q.pts = f.pts;
            q.dts = f.pts;
            q.time_base = f.time_base;
            out.write_packet(q).expect("write");
        }
    }
    out.write_trailer().expect("trailer");
    String::from_utf8(mem.contents()).expect("utf8")
}

/// Runs the `framecrc` muxer over `ic` (bitexact).
pub(crate) fn framecrc(ic: &mut InputContext) -> String {
    String::from_utf8(remux(ic, "framecrc", false)).expect("utf8")
}

/// Compressed payloads: ffmpeg splits them into frames with a parser (and fills codec
/// parameters from them) before stream copy; we have no parsers yet, so only the header
/// information of these is compared.
fn needs_parser(p: &Path) -> bool {
    stem(p) == "tag-mp3"
}

/// Opens a file and, like the ffmpeg tool the references come from, guesses
/// unknown channel layouts.
fn open(p: &Path) -> InputContext {
    let reg = FormatRegistry::builtin();
    let mut ic = InputContext::open(
        p.to_str().expect("utf8 path"),
        &reg,
        &InputOptions::default(),
    )
    .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    for st in ic.streams_mut() {
        st.params.guess_channel_layout();
    }
    ic
}

fn md5_hex(b: &[u8]) -> String {
    avutil::hash::md5_hex(b)
}

#[test]
fn packets_match_ffmpeg_framecrc() {
    let files = fixtures("wav", "wav");
    assert!(files.len() >= 20);
    for f in files.iter().filter(|f| !needs_parser(f)) {
        let mut ic = open(f);
        assert_eq!(ic.format().name, "wav");
        let ours = framecrc(&mut ic);
        let theirs = reference(&format!("wav-{}.framecrc", stem(f)));
        assert_eq!(ours, theirs, "{}", f.display());
    }
}

#[test]
fn framemd5_matches_ffmpeg() {
    let mut ic = open(&root().join("fixtures/wav/s16le-stereo.wav"));
    let ours = String::from_utf8(remux(&mut ic, "framemd5", false)).expect("utf8");
    assert_eq!(ours, reference("wav-s16le-stereo.framemd5"));
}

fn flat(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.trim_matches('"').to_owned()))
        .collect()
}

#[test]
fn stream_info_matches_ffprobe() {
    for f in fixtures("wav", "wav") {
        let name = stem(&f);
        let r = flat(&reference(&format!("wav-{name}.probe")));
        let ic = open(&f);
        let st = &ic.streams()[0];
        let p = &st.params;
        let s = |k: &str| r.get(&format!("streams.stream.0.{k}")).cloned();
        let ctx = f.display().to_string();
        assert_eq!(s("codec_name").as_deref(), Some(p.codec_id.name()), "{ctx}");
        assert_eq!(
            s("codec_tag"),
            Some(format!("0x{:04x}", p.codec_tag)),
            "{ctx}"
        );
        assert_eq!(s("sample_rate"), Some(p.sample_rate.to_string()), "{ctx}");
        assert_eq!(s("channels"), Some(p.channels().to_string()), "{ctx}");
        assert_eq!(
            s("duration_ts"),
            Some(st.duration.map_or("N/A".into(), |d| d.to_string())),
            "{ctx}"
        );
        assert_eq!(
            s("bit_rate"),
            Some(p.bit_rate.map_or("N/A".into(), |d| d.to_string())),
            "{ctx}"
        );
        let dur = ic
            .duration()
            .map_or("N/A".into(), |d| format!("{:.6}", d as f64 / 1e6));
        assert_eq!(r.get("format.duration"), Some(&dur), "{ctx}");
        let br = ic.bit_rate().map_or("N/A".into(), |b| b.to_string());
        assert_eq!(r.get("format.bit_rate"), Some(&br), "{ctx}");
        let tags: BTreeMap<String, String> = r
            .iter()
            .filter_map(|(k, v)| {
                k.strip_prefix("format.tags.")
                    .map(|k| (k.to_owned(), v.clone()))
            })
            .collect();
        let ours: BTreeMap<String, String> = ic
            .metadata()
            .iter()
            .map(|(k, v)| (k.replace(['-', ' '], "_"), v.to_owned()))
            .collect();
        assert_eq!(ours, tags, "{ctx}");
    }
}

#[test]
fn decoded_samples_match_ffmpeg() {
    let mut n = 0;
    for f in fixtures("wav", "wav") {
        let r = root().join(format!("tests/ref/wav-{}.decoded.md5", stem(&f)));
        let Ok(theirs) = std::fs::read_to_string(&r) else {
            continue;
        };
        let mut ic = open(&f);
        assert_eq!(decoded_md5(&mut ic), theirs, "{}", f.display());
        n += 1;
    }
    assert!(n >= 20);
}

#[test]
fn remux_is_byte_identical_to_ffmpeg() {
    let mut n = 0;
    for f in fixtures("wav", "wav") {
        let r = root().join(format!("tests/ref/wav-{}.remux.md5", stem(&f)));
        let Ok(theirs) = std::fs::read_to_string(&r) else {
            continue;
        };
        if needs_parser(&f) {
            continue;
        }
        let mut ic = open(&f);
        let bytes = remux(&mut ic, "wav", false);
        assert_eq!(md5_hex(&bytes), theirs.trim(), "{}", f.display());
        n += 1;
    }
    assert!(n >= 20);
    // Non-seekable output: sizes stay 0xFFFFFFFF, no fact, no padding.
    let mut ic = open(&root().join("fixtures/wav/s16le-stereo.wav"));
    let bytes = remux(&mut ic, "wav", true);
    assert_eq!(
        md5_hex(&bytes),
        reference("wav-s16le-stereo.pipe.md5").trim()
    );
    assert_eq!(&bytes[4..8], &[0xff; 4]);
}

#[test]
fn written_files_read_back_identically() {
    // Every PCM codec WAV stores, from decoded-format frames through our muxer and demuxer.
    for (id, fmt, layout, rate) in [
        (CodecId::PcmU8, SampleFormat::U8, ChannelLayout::MONO, 8000),
        (
            CodecId::PcmS16le,
            SampleFormat::S16,
            ChannelLayout::STEREO,
            44100,
        ),
        (
            CodecId::PcmS24le,
            SampleFormat::S32,
            ChannelLayout::parse("5.1").expect("layout"),
            48000,
        ),
        (
            CodecId::PcmS32le,
            SampleFormat::S32,
            ChannelLayout::STEREO,
            96000,
        ),
        (
            CodecId::PcmF32le,
            SampleFormat::Flt,
            ChannelLayout::MONO,
            22050,
        ),
        (
            CodecId::PcmF64le,
            SampleFormat::Dbl,
            ChannelLayout::STEREO,
            16000,
        ),
        (
            CodecId::PcmAlaw,
            SampleFormat::S16,
            ChannelLayout::MONO,
            8000,
        ),
        (
            CodecId::PcmMulaw,
            SampleFormat::S16,
            ChannelLayout::default_for(3),
            11025,
        ),
        (
            CodecId::PcmS64le,
            SampleFormat::S64,
            ChannelLayout::MONO,
            8000,
        ),
    ] {
        let reg = FormatRegistry::builtin();
        let mem = MemorySink::new();
        let mut out = OutputContext::with_writer(
            IoWriter::new(Box::new(mem.clone()), "mem.wav"),
            *reg.find_muxer("wav").expect("wav"),
        );
        out.metadata_mut().set("title", "round trip");
        let mut p = CodecParameters::audio(id, fmt, rate, layout);
        p.block_align = pcm::bits_per_sample(id) / 8 * layout.channels();
        out.add_stream(p, Rational::new(1, rate as i32))
            .expect("stream");
        out.write_header().expect("header");
        let ba = (pcm::bits_per_sample(id) / 8 * layout.channels()) as usize;
        let mut payload = Vec::new();
        for i in 0..7u64 {
            let n = 333 + i as usize; // odd sizes: the pad byte is exercised
            let data: Vec<u8> = (0..n * ba)
                .map(|j| (j as u64 * 31 + i * 7) as u8 & 0x7f)
                .collect();
            payload.extend_from_slice(&data);
            let mut pkt = Packet::new(Buffer::from_vec(data));
            pkt.pts = Some((0..i).map(|k| 333 + k as i64).sum());
            pkt.dts = pkt.pts;
            pkt.duration = Some(n as i64);
            pkt.time_base = Rational::new(1, rate as i32);
            out.write_packet(pkt).expect("packet");
        }
        out.write_trailer().expect("trailer");
        let bytes = mem.contents();
        assert_eq!(bytes.len() % 2, 0, "{id}: RIFF padding");
        let io = IoReader::from_bytes(bytes, "mem");
        let mut ic = InputContext::open_reader(io, &reg, &InputOptions::default()).expect("open");
        let st = &ic.streams()[0];
        assert_eq!(st.params.codec_id, id);
        assert_eq!(st.params.sample_rate, rate);
        let mut guessed = st.params.clone();
        guessed.guess_channel_layout();
        assert_eq!(guessed.ch_layout, Some(layout), "{id}");
        assert_eq!(st.duration, Some((payload.len() / ba) as i64), "{id}");
        assert_eq!(ic.metadata().get("title"), Some("round trip"));
        assert!(
            ic.metadata()
                .get("encoder")
                .is_some_and(|e| e == avformat::SOFTWARE)
        );
        let mut back = Vec::new();
        while let Some(p) = ic.read_packet().expect("read") {
            back.extend_from_slice(&p.data);
        }
        assert_eq!(back, payload, "{id}");
    }
}

#[test]
fn pipe_input_stops_scanning_at_data() {
    let reg = FormatRegistry::builtin();
    let read = |name: &str| {
        let bytes = std::fs::read(root().join("fixtures/wav").join(name)).expect("fixture");
        let io = IoReader::new(Box::new(Pipe(Cursor::new(bytes))), "pipe:");
        InputContext::open_reader(io, &reg, &InputOptions::default()).expect("open")
    };
    // On a pipe, the first data chunk is played (ffmpeg reads 1001 bytes here, not 500),
    // and nothing after it is looked at.
    let mut ic = read("two-data.wav");
    let sizes: Vec<usize> = std::iter::from_fn(|| ic.read_packet().expect("read"))
        .map(|p| p.size())
        .collect();
    assert_eq!(sizes, [1001]);
    assert!(read("info-after-data.wav").metadata().is_empty());
    assert_eq!(read("info-after-data.wav").duration(), None);
}

#[test]
fn seeking_lands_on_sample_frames() {
    let f = root().join("fixtures/wav/s16le-stereo.wav");
    let bytes = std::fs::read(&f).expect("fixture");
    let mut ic = open(&f);
    for (ts, backward) in [(1000, true), (3000, false), (0, true), (4409, true)] {
        let landed = ic
            .seek(
                0,
                ts,
                SeekFlags {
                    backward,
                    ..Default::default()
                },
            )
            .expect("seek");
        assert_eq!(landed, ts);
        let p = ic.read_packet().expect("read").expect("packet");
        assert_eq!(p.pts, Some(ts));
        let off = 44 + ts as usize * 4;
        assert_eq!(&p.data[..], &bytes[off..off + p.size()]);
    }
    // Past the end: nothing more to read.
    ic.seek(0, 1_000_000, SeekFlags::default()).expect("seek");
    assert!(ic.read_packet().expect("read").is_none());
    let back = SeekFlags {
        backward: true,
        ..Default::default()
    };
    // mp3 in WAV would need a parser-built index.
    let mut ic = open(&root().join("fixtures/wav/tag-mp3.wav"));
    let e = ic.seek(0, 10, back).expect_err("mp3 seek");
    assert!(e.to_string().contains("mp3"), "{e}");
}

#[test]
fn probing_scores_like_ffmpeg() {
    let reg = FormatRegistry::builtin();
    let score = |name: &str, buf: &[u8]| {
        let pd = avformat::probe::ProbeData {
            filename: name,
            buf,
            mime_type: None,
        };
        avformat::probe::probe(reg.demuxers(), &pd).map(|(d, s)| (d.name, s))
    };
    let wav = std::fs::read(root().join("fixtures/wav/u8-mono.wav")).expect("fixture");
    assert_eq!(score("x", &wav), Some(("wav", 99)));
    let rf64 = std::fs::read(root().join("fixtures/wav/rf64.wav")).expect("fixture");
    assert_eq!(score("x", &rf64), Some(("wav", 100)));
    assert_eq!(score("x.wav", &wav[..32]), None);
    assert_eq!(score("x", &[0u8; 100]), None);
    let ic = open(&root().join("fixtures/wav/rifx.wav"));
    assert_eq!(ic.probe_score(), 99);
}

#[test]
fn bad_files_fail_with_a_clear_error() {
    let reg = FormatRegistry::builtin();
    let expected = [
        ("wav-empty.wav", "no format recognised it"),
        ("wav-garbage.wav", "no format recognised it"),
        ("wav-truncated-header.wav", "no format recognised it"),
        ("wav-not-wave.wav", "no format recognised it"),
        ("wav-zero-channels.wav", "the channel count is 0"),
        ("wav-zero-rate.wav", "Invalid sample rate: 0"),
        ("wav-fmt-too-large.wav", "unexpected end of input"),
        (
            "wav-fmt-too-short.wav",
            "shorter than the 14 of a WAVEFORMAT",
        ),
        ("wav-no-fmt.wav", "no 'fmt ' tag found"),
        ("wav-no-data.wav", "no 'data' tag found"),
        ("wav-unknown-tag.wav", "format tag 0x1234"),
        ("wav-bits0.wav", "with 0 bits per sample"),
        ("wav-bad-guid.wav", "unknown subformat GUID"),
        ("wav-short-list.wav", "too short LIST tag"),
        ("wav-too-many-channels.wav", "channel count of 4000 exceeds"),
        // FFmpeg's mp3 demuxer claims it too (a Layer I header at offset 6) and fails.
        ("wav-rf64-no-ds64.wav", "Could not seek to 170"),
        (
            "wav-adpcm-blockalign0.wav",
            "block_align is 0 for adpcm_ima_wav",
        ),
    ];
    for (name, msg) in expected {
        let p = root().join("fixtures/bad").join(name);
        let e = InputContext::open(p.to_str().expect("path"), &reg, &InputOptions::default())
            .expect_err(name);
        assert!(e.to_string().contains(msg), "{name}: {e}");
        // Forced to wav, content errors are named too (never a panic).
        let forced = InputContext::open(
            p.to_str().expect("path"),
            &reg,
            &InputOptions::with_format("wav"),
        );
        let e = forced.expect_err(name).to_string();
        assert!(e.starts_with("wav: "), "{name}: {e}");
    }
    assert_eq!(
        fixtures("bad", "wav")
            .iter()
            .filter(|p| stem(p).starts_with("wav-"))
            .count(),
        expected.len()
    );
}

#[test]
fn demuxer_options() {
    let reg = FormatRegistry::builtin();
    let path = root().join("fixtures/wav/s16le-stereo.wav");
    let path = path.to_str().expect("path");
    let mut o = InputOptions::default();
    o.format_options.private.set("max_size", "10000");
    let mut ic = InputContext::open(path, &reg, &o).expect("open");
    assert_eq!(ic.read_packet().expect("read").expect("pkt").size(), 10000);
    o.format_options.private.set("max_size", "10");
    assert!(
        InputContext::open(path, &reg, &o)
            .expect_err("range")
            .to_string()
            .contains("max_size")
    );
    let mut o = InputOptions::default();
    o.format_options.private.set("bogus", "1");
    assert!(
        InputContext::open(path, &reg, &o)
            .expect_err("unknown")
            .to_string()
            .contains("unknown option 'bogus'")
    );
    // ignore_length reads past a lying data size.
    let trunc = root().join("fixtures/wav/two-data.wav");
    let mut o = InputOptions::default();
    o.format_options.private.set("ignore_length", "1");
    let mut ic = InputContext::open(trunc.to_str().expect("path"), &reg, &o).expect("open");
    let total: usize = std::iter::from_fn(|| ic.read_packet().expect("read"))
        .map(|p| p.size())
        .sum();
    assert_eq!(total, 500);
}

#[test]
fn muxer_rejects_what_wav_cannot_store() {
    let reg = FormatRegistry::builtin();
    let info = *reg.find_muxer("wav").expect("wav");
    let mut out = OutputContext::with_writer(IoWriter::new(Box::new(MemorySink::new()), "m"), info);
    let e = out
        .add_stream(
            CodecParameters::audio(
                CodecId::PcmS16be,
                SampleFormat::S16,
                8000,
                ChannelLayout::MONO,
            ),
            Rational::new(1, 8000),
        )
        .expect_err("s16be");
    assert!(e.to_string().contains("pcm_s16be"), "{e}");
    let mut out = OutputContext::with_writer(IoWriter::new(Box::new(MemorySink::new()), "m"), info);
    for _ in 0..2 {
        out.add_stream(
            CodecParameters::audio(
                CodecId::PcmS16le,
                SampleFormat::S16,
                8000,
                ChannelLayout::MONO,
            ),
            Rational::new(1, 8000),
        )
        .expect("stream");
    }
    let e = out.write_header().expect_err("two streams");
    assert!(e.to_string().contains("exactly one stream"), "{e}");
    assert_eq!(
        reg.guess_format(None, Some("out.wav"), None)
            .map(|m| m.name),
        Some("wav")
    );
}

/// A small deterministic generator for the mutation test.
struct XorShift(u64);
impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Runs the demuxer (and the PCM decoder) over one input: errors are fine, panics are not.
pub(crate) fn demux_and_decode(data: &[u8], format: Option<&str>) {
    let reg = FormatRegistry::builtin();
    let codecs = CodecRegistry::builtin();
    let io = IoReader::from_bytes(data.to_vec(), "fuzz");
    let mut opts = InputOptions::default();
    opts.format = format.map(str::to_owned);
    let Ok(mut ic) = InputContext::open_reader(io, &reg, &opts) else {
        return;
    };
    let params = ic.streams()[0].params.clone();
    let mut dec = codecs
        .open_decoder(&params, &DecoderOptions::default())
        .ok();
    let mut n = 0;
    while let Ok(Some(p)) = ic.read_packet() {
        if let Some(d) = dec.as_mut()
            && d.send_packet(&p).is_ok()
        {
            while let Ok(Received::Item(_)) = d.receive_frame() {}
        }
        n += 1;
        assert!(n < 100_000, "runaway demuxer");
    }
    let _ = ic.seek(0, 100, SeekFlags::default());
    let _ = ic.read_packet();
}

#[test]
fn mutated_inputs_never_panic() {
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let seeds: Vec<Vec<u8>> = fixtures("wav", "wav")
        .iter()
        .map(|p| {
            let mut b = std::fs::read(p).expect("fixture");
            b.truncate(600);
            b
        })
        .collect();
    for i in 0..3000 {
        let mut b = seeds[i % seeds.len()].clone();
        let edits = 1 + rng.next() % 8;
        for _ in 0..edits {
            let at = (rng.next() % b.len() as u64) as usize;
            match rng.next() % 4 {
                0 => b[at] = rng.next() as u8,
                1 => b[at] ^= 1 << (rng.next() % 8),
                2 => b.truncate(at),
                _ => {
                    // Overwrite a size field-ish word with an extreme value.
                    let v = [0u32, 1, 0xffff_ffff, 0x7fff_ffff, 0xfffe][rng.next() as usize % 5];
                    for (k, byte) in v.to_le_bytes().iter().enumerate() {
                        if let Some(x) = b.get_mut(at + k) {
                            *x = *byte;
                        }
                    }
                }
            }
            if b.is_empty() {
                break;
            }
        }
        demux_and_decode(&b, if i % 2 == 0 { None } else { Some("wav") });
    }
    for _ in 0..500 {
        let n = (rng.next() % 200) as usize;
        let mut b: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
        if n > 12 {
            b[..4].copy_from_slice(b"RIFF");
            b[8..12].copy_from_slice(b"WAVE");
        }
        demux_and_decode(&b, Some("wav"));
    }
}
