//! The human-readable description FFmpeg prints for inputs and outputs
//! (cf. `av_dump_format`, `avcodec_string`).

use std::fmt::Write;

use avcodec::{CodecParameters, FieldOrder, MediaType};
use avutil::{ColorPrimaries, ColorRange, ColorSpace, ColorTransfer, Dictionary, Rational};

use crate::stream::Stream;

/// A FourCC as FFmpeg prints it: printable characters as is, others as `[n]` (cf. `av_fourcc_make_string`).
pub fn fourcc_string(tag: u32) -> String {
    let mut s = String::new();
    for i in 0..4 {
        let c = ((tag >> (8 * i)) & 0xff) as u8;
        if c.is_ascii_alphanumeric() || matches!(c, b'.' | b' ' | b'-' | b'_') {
            s.push(c as char);
        } else {
            let _ = write!(s, "[{c}]");
        }
    }
    s
}

/// Frame rates as `print_fps` prints them: `25`, `29.97`, `23.98`, `1k`...
pub fn fps_string(d: f64) -> String {
    let v = (d * 100.0).round_ties_even() as u64;
    if v == 0 {
        format!("{d:1.4}")
    } else if !v.is_multiple_of(100) {
        format!("{d:3.2}")
    } else if !v.is_multiple_of(100 * 1000) {
        format!("{d:1.0}")
    } else {
        format!("{:1.0}k", d / 1000.0)
    }
}

/// Bit rate in bit/s FFmpeg shows for a stream (cf. `get_bit_rate`): for PCM, rate x channels x bits.
pub fn stream_bit_rate(p: &CodecParameters) -> u64 {
    match p.media_type {
        MediaType::Audio => {
            let bits = avcodec::codecs::pcm::bits_per_sample(p.codec_id);
            if bits > 0 {
                u64::from(p.sample_rate) * u64::from(p.channels()) * u64::from(bits)
            } else {
                p.bit_rate.unwrap_or(0)
            }
        }
        _ => p.bit_rate.unwrap_or(0),
    }
}

/// The codec description (cf. `avcodec_string`): `Audio: pcm_s16le ([1][0][0][0] / 0x0001), 44100 Hz, stereo, s16, 1411 kb/s`.
pub fn codec_string(p: &CodecParameters) -> String {
    let kind = match p.media_type {
        MediaType::Video => "Video",
        MediaType::Audio => "Audio",
        MediaType::Subtitle => "Subtitle",
        MediaType::Data => "Data",
        MediaType::Attachment => "Attachment",
    };
    let mut s = format!("{kind}: {}", p.codec_id.name());
    if p.codec_tag != 0 {
        let _ = write!(
            s,
            " ({} / 0x{:04X})",
            fourcc_string(p.codec_tag),
            p.codec_tag
        );
    }
    match p.media_type {
        MediaType::Video => {
            let mut new_line = false;
            if let Some(f) = p.pix_fmt {
                let _ = write!(s, ", {}", f.name());
                let mut detail = Vec::new();
                if p.bits_per_raw_sample > 0
                    && p.bits_per_raw_sample < u32::from(f.descriptor().comp[0].depth)
                {
                    detail.push(format!("{} bpc", p.bits_per_raw_sample));
                }
                if p.color_range != ColorRange::Unspecified
                    && let Some(n) = p.color_range.name()
                {
                    detail.push(n.to_owned());
                }
                if p.colorspace != ColorSpace::Unspecified
                    || p.color_primaries != ColorPrimaries::Unspecified
                    || p.color_trc != ColorTransfer::Unspecified
                {
                    let col = p.colorspace.name().unwrap_or("unknown");
                    let pri = p.color_primaries.name().unwrap_or("unknown");
                    let trc = p.color_trc.name().unwrap_or("unknown");
                    if col != pri || col != trc {
                        new_line = true;
                        detail.push(format!("{col}/{pri}/{trc}"));
                    } else {
                        detail.push(col.to_owned());
                    }
                }
                if p.field_order != FieldOrder::Unknown {
                    detail.push(
                        match p.field_order {
                            FieldOrder::Tt => "top first",
                            FieldOrder::Bb => "bottom first",
                            FieldOrder::Tb => "top coded first (swapped)",
                            FieldOrder::Bt => "bottom coded first (swapped)",
                            _ => "progressive",
                        }
                        .to_owned(),
                    );
                }
                if !detail.is_empty() {
                    let _ = write!(s, "({})", detail.join(", "));
                }
            }
            if p.width > 0 {
                let _ = write!(
                    s,
                    "{}{}x{}",
                    if new_line { ",\n      " } else { ", " },
                    p.width,
                    p.height
                );
                if p.sample_aspect_ratio.num != 0 {
                    let _ = write!(
                        s,
                        " [{}]",
                        sar_dar(p.width, p.height, p.sample_aspect_ratio)
                    );
                }
            }
        }
        MediaType::Audio => {
            s.push_str(", ");
            if p.sample_rate > 0 {
                let _ = write!(s, "{} Hz, ", p.sample_rate);
            }
            match p.ch_layout {
                Some(l) => {
                    let _ = write!(s, "{l}");
                }
                None => s.push_str("0 channels"),
            }
            if let Some(f) = p.sample_fmt {
                let _ = write!(s, ", {}", f.name());
                if p.bits_per_raw_sample > 0
                    && p.bits_per_raw_sample as usize != f.bytes_per_sample() * 8
                {
                    let _ = write!(s, " ({} bit)", p.bits_per_raw_sample);
                }
            }
        }
        _ => {}
    }
    let rate = stream_bit_rate(p);
    if rate != 0 {
        let _ = write!(s, ", {} kb/s", rate / 1000);
    }
    s
}

/// `SAR a:b DAR c:d`, the display ratio reduced with terms up to 1024*1024.
pub fn sar_dar(w: usize, h: usize, sar: Rational) -> String {
    let (dar, _) = Rational::reduce(
        w as i64 * i64::from(sar.num),
        h as i64 * i64::from(sar.den),
        1024 * 1024,
    );
    format!("SAR {}:{} DAR {}:{}", sar.num, sar.den, dar.num, dar.den)
}

fn metadata(out: &mut String, m: &Dictionary, indent: &str) {
    let tags: Vec<_> = m.iter().filter(|(k, _)| *k != "language").collect();
    if tags.is_empty() {
        return;
    }
    let _ = writeln!(out, "{indent}Metadata:");
    for (k, v) in tags {
        let v = v
            .replace('\r', "")
            .replace('\n', &format!("\n{indent}  {:<16}: ", ""));
        let _ = writeln!(out, "{indent}  {k:<16}: {v}");
    }
}

/// One `Stream #i:j: ...` line and its metadata (cf. `dump_stream_format`).
pub fn stream_lines(out: &mut String, index: usize, st: &Stream) {
    let _ = write!(out, "  Stream #{index}:{}", st.index);
    if let Some(lang) = st.metadata.get("language") {
        let _ = write!(out, "({lang})");
    }
    let _ = write!(out, ": {}", codec_string(&st.params));
    if st.sample_aspect_ratio.num != 0
        && st
            .sample_aspect_ratio
            .compare(st.params.sample_aspect_ratio)
            != Some(std::cmp::Ordering::Equal)
    {
        let _ = write!(
            out,
            ", {}",
            sar_dar(st.params.width, st.params.height, st.sample_aspect_ratio)
        );
    }
    if st.params.media_type == MediaType::Video {
        let ok = |q: Rational| q.num != 0 && q.den != 0;
        let (fps, tbr, tbn) = (ok(st.avg_frame_rate), ok(st.r_frame_rate), ok(st.time_base));
        let mut parts = Vec::new();
        if fps {
            parts.push(format!("{} fps", fps_string(st.avg_frame_rate.to_f64())));
        }
        if tbr {
            parts.push(format!("{} tbr", fps_string(st.r_frame_rate.to_f64())));
        }
        if tbn {
            parts.push(format!("{} tbn", fps_string(1.0 / st.time_base.to_f64())));
        }
        if !parts.is_empty() {
            let _ = write!(out, ", {}", parts.join(", "));
        }
    }
    let d = st.disposition;
    for (on, name) in [
        (d.default, "default"),
        (d.dub, "dub"),
        (d.original, "original"),
        (d.comment, "comment"),
        (d.attached_pic, "attached pic"),
    ] {
        if on {
            let _ = write!(out, " ({name})");
        }
    }
    out.push('\n');
    metadata(out, &st.metadata, "    ");
}

/// What [`dump`] describes.
#[derive(Debug, Clone, Copy)]
pub struct DumpInfo<'a> {
    /// Input or output number.
    pub index: usize,
    /// Format name(s), e.g. `wav` or `mov,mp4,m4a,3gp,3g2,mj2`.
    pub format: &'a str,
    /// The file name.
    pub url: &'a str,
    /// True for outputs (`to '...'`, no duration line).
    pub is_output: bool,
    /// Container metadata.
    pub metadata: &'a Dictionary,
    /// Duration in microseconds.
    pub duration: Option<i64>,
    /// Start time in microseconds.
    pub start_time: Option<i64>,
    /// Bit rate.
    pub bit_rate: Option<u64>,
    /// Streams.
    pub streams: &'a [Stream],
}

/// The whole description (cf. `av_dump_format`).
pub fn dump(d: &DumpInfo<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} #{}, {}, {} '{}':",
        if d.is_output { "Output" } else { "Input" },
        d.index,
        d.format,
        if d.is_output { "to" } else { "from" },
        d.url
    );
    metadata(&mut out, d.metadata, "  ");
    if !d.is_output {
        let _ = write!(
            out,
            "  Duration: {}",
            avutil::time::format_duration(d.duration)
        );
        if let Some(s) = d.start_time {
            let _ = write!(out, ", start: {}", avutil::time::format_start(s));
        }
        match d.bit_rate.filter(|&b| b > 0) {
            Some(b) => {
                let _ = writeln!(out, ", bitrate: {} kb/s", b / 1000);
            }
            None => out.push_str(", bitrate: N/A\n"),
        }
    }
    for st in d.streams {
        stream_lines(&mut out, d.index, st);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use avcodec::CodecId;
    use avutil::{ChannelLayout, PixelFormat, SampleFormat};

    #[test]
    fn wav_like_input() {
        let mut p = CodecParameters::audio(
            CodecId::PcmS16le,
            SampleFormat::S16,
            44100,
            ChannelLayout::STEREO,
        );
        p.codec_tag = 1;
        let st = Stream::new(0, p, Rational::new(1, 44100));
        let mut m = Dictionary::new();
        m.set("encoder", "Lavf59.27.100");
        let s = dump(&DumpInfo {
            index: 0,
            format: "wav",
            url: "t1.wav",
            is_output: false,
            metadata: &m,
            duration: Some(1_000_000),
            start_time: None,
            bit_rate: Some(1_411_824),
            streams: &[st],
        });
        assert_eq!(
            s,
            "Input #0, wav, from 't1.wav':\n  Metadata:\n    encoder         : Lavf59.27.100\n  Duration: 00:00:01.00, bitrate: 1411 kb/s\n  Stream #0:0: Audio: pcm_s16le ([1][0][0][0] / 0x0001), 44100 Hz, stereo, s16, 1411 kb/s\n"
        );
    }

    #[test]
    fn y4m_like_input() {
        let mut p = CodecParameters::video(CodecId::Rawvideo, 64, 48, PixelFormat::Yuv420p);
        p.codec_tag = u32::from_le_bytes(*b"I420");
        p.color_range = ColorRange::Mpeg;
        p.field_order = FieldOrder::Progressive;
        let mut st = Stream::new(0, p, Rational::new(1, 25));
        st.sample_aspect_ratio = Rational::new(1, 1);
        st.avg_frame_rate = Rational::new(25, 1);
        st.r_frame_rate = Rational::new(25, 1);
        let s = dump(&DumpInfo {
            index: 0,
            format: "yuv4mpegpipe",
            url: "t.y4m",
            is_output: false,
            metadata: &Dictionary::new(),
            duration: Some(2_000_000),
            start_time: Some(0),
            bit_rate: Some(923_104),
            streams: &[st],
        });
        assert_eq!(
            s,
            "Input #0, yuv4mpegpipe, from 't.y4m':\n  Duration: 00:00:02.00, start: 0.000000, bitrate: 923 kb/s\n  Stream #0:0: Video: rawvideo (I420 / 0x30323449), yuv420p(tv, progressive), 64x48, SAR 1:1 DAR 4:3, 25 fps, 25 tbr, 25 tbn\n"
        );
    }

    #[test]
    fn fps_forms() {
        assert_eq!(fps_string(25.0), "25");
        assert_eq!(fps_string(30000.0 / 1001.0), "29.97");
        assert_eq!(fps_string(90000.0), "90k");
        assert_eq!(fps_string(0.001), "0.0010");
        assert_eq!(fourcc_string(0x1842_4752), "RGB[24]");
    }
}
