//! Bodies of the cargo-fuzz targets in `fuzz/fuzz_targets/`, public so that the tests can run
//! them over random and mutated inputs without libFuzzer. Each must return for any input,
//! never panic, hang, or allocate beyond what the input justifies.
//!
//! ```
//! avformat::fuzzing::demux_y4m(b"YUV4MPEG2 W2 H2 C444\nFRAME\n\0\0\0\0\0\0\0\0\0\0\0\0");
//! avformat::fuzzing::decode_rawvideo(&[0, 0, 3, 0, 2, 1, 2, 3, 4, 5, 6]);
//! ```

use avcodec::{CodecId, CodecParameters, CodecRegistry, DecoderOptions, Packet};
use avutil::{Buffer, PixelFormat, Rational};

use crate::demux::SeekFlags;
use crate::formats::y4m;
use crate::input::{InputContext, InputOptions};
use crate::io::IoReader;
use crate::registry::FormatRegistry;

/// Packets read at most per input.
const MAX_PACKETS: usize = 64;

/// Demuxes `data` as Y4M (forced, and probed), reading, seeking and reading again.
pub fn demux_y4m(data: &[u8]) {
    if let Some(line) = data.split(|&b| b == b'\n').next() {
        let _ = y4m::parse_header(line);
    }
    let formats = FormatRegistry::builtin();
    for opts in [
        InputOptions::with_format(y4m::NAME),
        InputOptions::default(),
    ] {
        let io = IoReader::from_bytes(data.to_vec(), "fuzz.y4m");
        let Ok(mut input) = InputContext::open_reader(io, &formats, &opts) else {
            continue;
        };
        for _ in 0..MAX_PACKETS {
            match input.read_packet() {
                Ok(Some(_)) => {}
                _ => break,
            }
        }
        for (ts, backward) in [(1, true), (0, false), (i64::MAX, false), (-5, true)] {
            let flags = SeekFlags {
                backward,
                ..Default::default()
            };
            if input.seek(0, ts, flags).is_ok() {
                let _ = input.read_packet();
            }
        }
    }
}

/// Decodes `data` as rawvideo: bytes 0-1 pick the pixel format, 2-3 the width and 4 the height
/// (kept small), the rest is the packet; the same bytes also go through the rawvideo demuxer.
pub fn decode_rawvideo(data: &[u8]) {
    let [f0, f1, w0, w1, h0, rest @ ..] = data else {
        return;
    };
    let all = PixelFormat::all();
    let fmt = all[usize::from(u16::from_le_bytes([*f0, *f1])) % all.len()];
    let width = usize::from(u16::from_le_bytes([*w0, *w1]) % 1024) + 1;
    let height = usize::from(*h0) + 1;
    let params = CodecParameters::video(CodecId::Rawvideo, width, height, fmt);
    let codecs = CodecRegistry::builtin();
    let mut opts = DecoderOptions::default();
    opts.packet_time_base = Rational::new(1, 25);
    if let Ok(mut dec) = codecs.open_decoder(&params, &opts) {
        let mut pkt = Packet::new(Buffer::from_slice(rest));
        pkt.pts = Some(0);
        pkt.flags.key = true;
        if dec.send_packet(&pkt).is_ok() {
            while let Ok(avcodec::Received::Item(frame)) = dec.receive_frame() {
                for i in 0..frame.planes() {
                    let _ = frame.plane(i).len();
                }
            }
        }
        let _ = dec.send_eof();
        while let Ok(avcodec::Received::Item(_)) = dec.receive_frame() {}
    }
    let mut o = InputOptions::with_format(crate::formats::rawvideo::NAME);
    o.format_options.video_size = Some((width, height));
    o.format_options.pix_fmt = Some(fmt);
    let io = IoReader::from_bytes(rest.to_vec(), "fuzz.raw");
    if let Ok(mut input) = InputContext::open_reader(io, &FormatRegistry::builtin(), &o) {
        for _ in 0..MAX_PACKETS {
            match input.read_packet() {
                Ok(Some(_)) => {}
                _ => break,
            }
        }
    }
}

/// Decodes `data` with every MPEG audio Layer I/II decoder: byte 0 picks the decoder and the
/// packet split (whole frames from the parser, or arbitrary slices), the rest is the stream.
pub fn decode_mp2(data: &[u8]) {
    use avcodec::codecs::mpegaudio::parser::MpaParser;
    use avcodec::parser::ParserContext;
    let [sel, rest @ ..] = data else {
        return;
    };
    let codecs = CodecRegistry::builtin();
    let names = ["mp2", "mp2float", "mp1", "mp1float"];
    let name = names[usize::from(*sel) % names.len()];
    let Some(info) = codecs.find_decoder_by_name(name) else {
        return;
    };
    let mut params = CodecParameters::new(info.id);
    params.sample_rate = 48000;
    let Ok(mut dec) = (info.create)(&params, &DecoderOptions::default()) else {
        return;
    };
    let mut packets: Vec<Vec<u8>> = Vec::new();
    if sel & 4 == 0 {
        // Frames as the `mp3` demuxer splits them.
        let mut p = ParserContext::new(Box::new(MpaParser::new(info.id).free_format(true)));
        let mut scratch = params.clone();
        let mut frames = p.parse(rest, None, None, Some(0), &mut scratch);
        frames.extend(p.flush(&mut scratch));
        packets.extend(
            frames
                .into_iter()
                .take(MAX_PACKETS * 4)
                .map(|f| f.data.into_vec()),
        );
    } else {
        let mut r = rest;
        while !r.is_empty() && packets.len() < MAX_PACKETS * 4 {
            let n = (1 + usize::from(r[0]) * 7).min(r.len());
            packets.push(r[..n].to_vec());
            r = &r[n..];
        }
    }
    for (i, bytes) in packets.into_iter().enumerate() {
        let mut pkt = Packet::new(Buffer::from_vec(bytes));
        pkt.pts = Some(i as i64 * 1152);
        if dec.send_packet(&pkt).is_ok() {
            while let Ok(avcodec::Received::Item(f)) = dec.receive_frame() {
                let _ = f.plane(0).len();
            }
        }
    }
    let _ = dec.send_eof();
    while let Ok(avcodec::Received::Item(_)) = dec.receive_frame() {}
}

/// Demuxes `data` as an MPEG audio elementary stream (forced, and probed), reading every
/// packet, seeking and reading again.
pub fn demux_mp2(data: &[u8]) {
    let formats = FormatRegistry::builtin();
    for opts in [
        InputOptions::with_format(crate::formats::mp2::DEMUXER_NAME),
        InputOptions::default(),
    ] {
        let io = IoReader::from_bytes(data.to_vec(), "fuzz.mp2");
        let Ok(mut input) = InputContext::open_reader(io, &formats, &opts) else {
            continue;
        };
        for _ in 0..MAX_PACKETS * 16 {
            match input.read_packet() {
                Ok(Some(_)) => {}
                _ => break,
            }
        }
        for (ts, backward) in [
            (14_112_000, true),
            (0, false),
            (i64::MAX, false),
            (-5, true),
        ] {
            let flags = SeekFlags {
                backward,
                ..Default::default()
            };
            if input.seek(0, ts, flags).is_ok() {
                let _ = input.read_packet();
            }
        }
    }
}

/// Demuxes `data` as an MPEG program stream (forced, and probed), reading
/// every packet (bounded), seeking by timestamp and reading again, then
/// remuxing what was read.
pub fn demux_mpegps(data: &[u8]) {
    let _ = crate::formats::mpegps::probe(&crate::probe::ProbeData {
        filename: "fuzz.mpg",
        buf: data,
        mime_type: None,
    });
    let formats = FormatRegistry::builtin();
    for opts in [
        InputOptions::with_format(crate::formats::mpegps::NAME),
        InputOptions::default(),
    ] {
        let io = IoReader::from_bytes(data.to_vec(), "fuzz.mpg");
        let Ok(mut input) = InputContext::open_reader(io, &formats, &opts) else {
            continue;
        };
        let mut packets = Vec::new();
        for _ in 0..MAX_PACKETS * 16 {
            match input.read_packet() {
                Ok(Some(p)) => packets.push(p),
                _ => break,
            }
        }
        if !input.streams().is_empty() {
            for (ts, backward) in [(45000, true), (0, false), (i64::MAX, false), (-5, true)] {
                let flags = SeekFlags {
                    backward,
                    ..Default::default()
                };
                if input.seek(0, ts, flags).is_ok() {
                    let _ = input.read_packet();
                }
            }
        }
        // Remux what was read: the muxer must take any packet of a supported stream.
        let Ok(info) = formats.find_muxer(crate::formats::mpegps::NAME).copied() else {
            continue;
        };
        let sink = crate::io::MemorySink::new();
        let mut out = crate::output::OutputContext::with_writer(
            crate::io::IoWriter::new(Box::new(sink), "fuzz-out.mpg"),
            info,
        );
        let mut map = Vec::new();
        for st in input.streams() {
            map.push(out.add_stream(st.params.clone(), st.time_base).ok());
        }
        if out.write_header().is_err() {
            continue;
        }
        for mut p in packets {
            if let Some(Some(i)) = map.get(p.stream_index) {
                p.stream_index = *i;
                if out.write_packet(p).is_err() {
                    break;
                }
            }
        }
        let _ = out.write_trailer();
    }
}
