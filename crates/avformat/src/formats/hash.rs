//! Checksum muxers: `framecrc`, `framemd5`, `md5`, `crc` and `null`
//! (cf. FFmpeg's `framecrcenc.c`, `hashenc.c`, `crcenc.c`, `nullenc.c`).
//! Their text is line for line FFmpeg 5.1's (without `#software` under bitexact).

use std::fmt::Write as _;

use avcodec::{CodecId, MediaType, Packet};
use avutil::hash::{Md5, adler32};

use crate::SOFTWARE;
use crate::error::Result;
use crate::io::IoWriter;
use crate::mux::{MuxState, Muxer};
use crate::registry::{MuxFlags, MuxerInfo, any_codec};

/// The per-stream header of the frame hash formats (cf. `ff_framehash_write_header`).
fn stream_header(state: &MuxState) -> String {
    let mut s = String::new();
    if !state.streams.is_empty() && !state.bitexact {
        let _ = writeln!(s, "#software: {SOFTWARE}");
    }
    for (i, st) in state.streams.iter().enumerate() {
        let p = &st.params;
        let _ = writeln!(s, "#tb {i}: {}/{}", st.time_base.num, st.time_base.den);
        let _ = writeln!(s, "#media_type {i}: {}", p.media_type.name());
        let _ = writeln!(s, "#codec_id {i}: {}", p.codec_id.name());
        match p.media_type {
            MediaType::Audio => {
                let _ = writeln!(s, "#sample_rate {i}: {}", p.sample_rate);
                let layout = p.ch_layout.unwrap_or(avutil::ChannelLayout::Unspecified(0));
                let _ = writeln!(s, "#channel_layout_name {i}: {layout}");
            }
            MediaType::Video => {
                let _ = writeln!(s, "#dimensions {i}: {}x{}", p.width, p.height);
                let _ = writeln!(
                    s,
                    "#sar {i}: {}/{}",
                    st.sample_aspect_ratio.num, st.sample_aspect_ratio.den
                );
            }
            _ => {}
        }
    }
    s
}

/// Timestamps print as FFmpeg's `AV_NOPTS_VALUE` when absent.
fn ts(t: Option<i64>) -> i64 {
    t.unwrap_or(i64::MIN)
}

/// FFmpeg's packet flag bits, for the `F=` field.
fn flag_bits(p: &Packet) -> u32 {
    u32::from(p.flags.key) | (u32::from(p.flags.corrupt) << 1) | (u32::from(p.flags.discard) << 2)
}

#[derive(Debug, Default)]
struct FrameCrc;

impl Muxer for FrameCrc {
    fn write_header(&mut self, io: &mut IoWriter, state: &mut MuxState) -> Result<()> {
        // Streams with extradata are announced first, as FFmpeg's framecrc does.
        let mut s = String::new();
        for (i, st) in state.streams.iter().enumerate() {
            let x = &st.params.extradata;
            if !x.is_empty() {
                let _ = writeln!(s, "#extradata {i}: {:>8}, 0x{:08x}", x.len(), adler32(0, x));
            }
        }
        s.push_str(&stream_header(state));
        io.write_all(s.as_bytes())
    }
    fn write_packet(&mut self, io: &mut IoWriter, _state: &MuxState, p: &Packet) -> Result<()> {
        let mut line = format!(
            "{}, {:>10}, {:>10}, {:>8}, {:>8}, 0x{:08x}",
            p.stream_index,
            ts(p.dts),
            ts(p.pts),
            p.duration.unwrap_or(0),
            p.data.len(),
            adler32(0, &p.data)
        );
        if flag_bits(p) != 1 {
            let _ = write!(line, ", F=0x{:X}", flag_bits(p));
        }
        line.push('\n');
        io.write_all(line.as_bytes())
    }
    fn write_trailer(&mut self, _io: &mut IoWriter, _state: &MuxState) -> Result<()> {
        Ok(())
    }
}

#[derive(Debug, Default)]
struct FrameMd5;

impl Muxer for FrameMd5 {
    fn write_header(&mut self, io: &mut IoWriter, state: &mut MuxState) -> Result<()> {
        let mut s = String::from("#format: frame checksums\n#version: 2\n#hash: MD5\n");
        // Extradata hashes come first (cf. `framehash_print_extradata`).
        for (i, st) in state.streams.iter().enumerate() {
            let x = &st.params.extradata;
            if !x.is_empty() {
                let mut m = Md5::new();
                m.update(x);
                let _ = writeln!(s, "#extradata {i}, {:>31}, {}", x.len(), m.finish_hex());
            }
        }
        s.push_str(&stream_header(state));
        s.push_str("#stream#, dts,        pts, duration,     size, hash\n");
        io.write_all(s.as_bytes())
    }
    fn write_packet(&mut self, io: &mut IoWriter, _state: &MuxState, p: &Packet) -> Result<()> {
        let mut m = Md5::new();
        m.update(&p.data);
        let line = format!(
            "{}, {:>10}, {:>10}, {:>8}, {:>8}, {}\n",
            p.stream_index,
            ts(p.dts),
            ts(p.pts),
            p.duration.unwrap_or(0),
            p.data.len(),
            m.finish_hex()
        );
        io.write_all(line.as_bytes())
    }
    fn write_trailer(&mut self, _io: &mut IoWriter, _state: &MuxState) -> Result<()> {
        Ok(())
    }
}

#[derive(Debug, Default)]
struct WholeMd5(Md5);

impl Muxer for WholeMd5 {
    fn write_header(&mut self, _io: &mut IoWriter, _state: &mut MuxState) -> Result<()> {
        Ok(())
    }
    fn write_packet(&mut self, _io: &mut IoWriter, _state: &MuxState, p: &Packet) -> Result<()> {
        self.0.update(&p.data);
        Ok(())
    }
    fn write_trailer(&mut self, io: &mut IoWriter, _state: &MuxState) -> Result<()> {
        let hex = std::mem::take(&mut self.0).finish_hex();
        io.write_all(format!("MD5={hex}\n").as_bytes())
    }
}

#[derive(Debug)]
struct WholeCrc(u32);

impl Muxer for WholeCrc {
    fn write_header(&mut self, _io: &mut IoWriter, _state: &mut MuxState) -> Result<()> {
        Ok(())
    }
    fn write_packet(&mut self, _io: &mut IoWriter, _state: &MuxState, p: &Packet) -> Result<()> {
        self.0 = adler32(self.0, &p.data);
        Ok(())
    }
    fn write_trailer(&mut self, io: &mut IoWriter, _state: &MuxState) -> Result<()> {
        io.write_all(format!("CRC=0x{:08x}\n", self.0).as_bytes())
    }
}

#[derive(Debug, Default)]
struct Null;

impl Muxer for Null {
    fn write_header(&mut self, _io: &mut IoWriter, _state: &mut MuxState) -> Result<()> {
        Ok(())
    }
    fn write_packet(&mut self, _io: &mut IoWriter, _state: &MuxState, _p: &Packet) -> Result<()> {
        Ok(())
    }
    fn write_trailer(&mut self, _io: &mut IoWriter, _state: &MuxState) -> Result<()> {
        Ok(())
    }
}

const HASH_FLAGS: MuxFlags = MuxFlags {
    no_file: false,
    no_timestamps: false,
    variable_fps: true,
    ts_nonstrict: true,
};

/// The registry entries.
pub fn muxers() -> Vec<MuxerInfo> {
    let base = |name, long_name, create| MuxerInfo {
        name,
        long_name,
        extensions: "",
        mime_types: "",
        default_video: Some(CodecId::Rawvideo),
        default_audio: Some(CodecId::PcmS16le),
        flags: HASH_FLAGS,
        supports: any_codec,
        create,
    };
    vec![
        base("framecrc", "framecrc testing", || Box::new(FrameCrc)),
        base("framemd5", "Per-frame MD5 testing", || Box::new(FrameMd5)),
        base("md5", "MD5 testing", || Box::new(WholeMd5::default())),
        base("crc", "CRC testing", || Box::new(WholeCrc(1))),
        MuxerInfo {
            flags: MuxFlags {
                no_file: true,
                no_timestamps: true,
                variable_fps: true,
                ts_nonstrict: false,
            },
            // As FFmpeg: pictures are passed through, not coded.
            default_video: Some(CodecId::WrappedAvframe),
            ..base("null", "raw null video", || Box::new(Null))
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::MemorySink;
    use crate::output::OutputContext;
    use avcodec::CodecParameters;
    use avutil::{Buffer, ChannelLayout, PixelFormat, Rational, SampleFormat};

    fn run(name: &str) -> String {
        let info = muxers().into_iter().find(|m| m.name == name).unwrap();
        let sink = MemorySink::new();
        let mut out =
            OutputContext::with_writer(IoWriter::new(Box::new(sink.clone()), "mem"), info);
        out.set_bitexact(true);
        let v = out
            .add_stream(
                CodecParameters::video(CodecId::Rawvideo, 64, 48, PixelFormat::Rgb24),
                Rational::new(1, 25),
            )
            .unwrap();
        out.stream_mut(v).unwrap().sample_aspect_ratio = Rational::new(1, 1);
        let a = out
            .add_stream(
                CodecParameters::audio(
                    CodecId::PcmS16le,
                    SampleFormat::S16,
                    44100,
                    ChannelLayout::MONO,
                ),
                Rational::new(1, 44100),
            )
            .unwrap();
        out.write_header().unwrap();
        let mk = |s: usize, t: i64, d: i64, tb: Rational, data: &[u8]| {
            let mut p = Packet::new(Buffer::from_slice(data));
            p.stream_index = s;
            p.pts = Some(t);
            p.dts = Some(t);
            p.duration = Some(d);
            p.time_base = tb;
            p.flags.key = true;
            p
        };
        // Audio arrives first; the interleaver still puts video 0 first (tie on dts 0, lower
        // index) and video 1 (40 ms) before audio 2048 (46.4 ms).
        out.write_packet(mk(a, 0, 1024, Rational::new(1, 44100), b"a0"))
            .unwrap();
        out.write_packet(mk(a, 1024, 1024, Rational::new(1, 44100), b"a1"))
            .unwrap();
        out.write_packet(mk(v, 0, 1, Rational::new(1, 25), b"v0"))
            .unwrap();
        out.write_packet(mk(a, 2048, 1024, Rational::new(1, 44100), b"a2"))
            .unwrap();
        out.write_packet(mk(v, 1, 1, Rational::new(1, 25), b"v1"))
            .unwrap();
        out.write_trailer().unwrap();
        String::from_utf8(sink.contents()).unwrap()
    }

    #[test]
    fn framecrc_layout_and_order() {
        let s = run("framecrc");
        let expected = "#tb 0: 1/25\n#media_type 0: video\n#codec_id 0: rawvideo\n#dimensions 0: 64x48\n#sar 0: 1/1\n\
#tb 1: 1/44100\n#media_type 1: audio\n#codec_id 1: pcm_s16le\n#sample_rate 1: 44100\n#channel_layout_name 1: mono\n\
0,          0,          0,        1,        2, 0x011c00a6\n\
1,          0,          0,     1024,        2, 0x00f20091\n\
1,       1024,       1024,     1024,        2, 0x00f30092\n\
0,          1,          1,        1,        2, 0x011d00a7\n\
1,       2048,       2048,     1024,        2, 0x00f40093\n";
        assert_eq!(s, expected);
    }

    #[test]
    fn framemd5_and_md5() {
        let s = run("framemd5");
        assert!(s.starts_with("#format: frame checksums\n#version: 2\n#hash: MD5\n#tb 0: 1/25\n"));
        assert!(s.contains("#stream#, dts,        pts, duration,     size, hash\n0,          0,          0,        1,        2, "));
        let m = run("md5");
        assert_eq!(m, format!("MD5={}\n", avutil::hash::md5_hex(b"v0a0a1v1a2")));
        assert!(run("null").is_empty());
    }
}
