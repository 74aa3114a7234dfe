//! YUV4MPEG2 (`yuv4mpegpipe`): demuxer and muxer (cf. FFmpeg's `yuv4mpegdec.c`,
//! `yuv4mpegenc.c`).
//!
//! A file is one text header line (`YUV4MPEG2 W352 H288 F25:1 Ip A1:1 C420jpeg ...`) followed by
//! frames, each a `FRAME` line (optionally with parameters) and the planes of one picture packed
//! without padding. Packets are those pictures, as the `rawvideo` codec with the pixel format of
//! the header. Behaviour follows FFmpeg 5.1 as observed:
//!
//! * header tags `W H F I A C X`; colour spaces `420jpeg 420mpeg2 420paldv 420 411 422 444
//!   444alpha mono mono9 mono10 mono12 mono16 420p9..444p16` matched by prefix (so `mono14`
//!   reads as `gray`), the `XYSCSS=` extension when `C` is absent, `XCOLORRANGE=FULL|LIMITED`;
//!   chroma siting into `chroma_location` (`420jpeg`/`420`: center, `420mpeg2`: left,
//!   `420paldv`: top-left), `Ip/It/Ib` into `field_order`;
//! * a missing or non-positive frame rate means 25 fps; the time base is `1/fps` (reduced);
//! * packet `pts` is `(offset of the FRAME line - offset of the first) / frame size`, so it
//!   counts frames; the stream duration is `(file size - header size) / frame size`;
//! * seeking goes to frame `ts` (`ts - 1` with the backward flag, as FFmpeg does);
//! * a truncated last frame ends the stream silently; a frame line that does not start with
//!   `FRAME` or is longer than 80 bytes is an error.
//!
//! The muxer writes FFmpeg's header text for each pixel format FFmpeg accepts (the 9-16 bit
//! ones, `yuva444p` and `gray9..16`, which FFmpeg only writes with `-strict -1`, are accepted
//! without a flag) and takes `rawvideo` packets (FFmpeg's muxer takes `wrapped_avframe`; a
//! tightly packed rawvideo packet is the same bytes).
//!
//! ```
//! use avformat::formats::y4m::parse_header;
//! let h = parse_header(b"YUV4MPEG2 W33 H17 F30000:1001 Ip A1:1 C420mpeg2 XYSCSS=420MPEG2").unwrap();
//! assert_eq!((h.width, h.height, h.pix_fmt.name()), (33, 17, "yuv420p"));
//! assert_eq!(h.time_base, avutil::Rational::new(1001, 30000));
//! ```

use std::fmt::Write as _;

use avcodec::{CodecId, CodecParameters, FieldOrder, MediaType, Packet};
use avutil::{ChromaLocation, ColorRange, PixelFormat, Rational, imgutils};

use crate::demux::{DemuxState, Demuxer, SeekTarget, reject_private_options};
use crate::error::{Error, Result};
use crate::formats::rawvideo::{FrameReader, reject_typed_options};
use crate::io::{IoReader, IoWriter};
use crate::mux::{MuxState, Muxer};
use crate::probe::{ProbeData, SCORE_MAX};
use crate::registry::{DemuxFlags, DemuxerInfo, MuxFlags, MuxerInfo};

/// Short name of the format.
pub const NAME: &str = "yuv4mpegpipe";
/// The file magic.
pub const MAGIC: &[u8] = b"YUV4MPEG2";
/// The frame magic.
pub const FRAME_MAGIC: &[u8] = b"FRAME";
/// Length of a frame line without parameters (`FRAME\n`).
const FRAME_MAGIC_LEN: usize = 6;
/// Longest header line FFmpeg accepts, newline included.
pub const MAX_HEADER: usize = 96;
/// Longest frame line FFmpeg accepts, newline included.
pub const MAX_FRAME_HEADER: usize = 80;

/// A parsed stream header.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Header {
    /// Picture width.
    pub width: usize,
    /// Picture height.
    pub height: usize,
    /// Pixel format.
    pub pix_fmt: PixelFormat,
    /// Time base (`1/fps`, reduced).
    pub time_base: Rational,
    /// Sample aspect ratio as written (`0/1` unknown; not reduced, as FFmpeg keeps it).
    pub sample_aspect_ratio: Rational,
    /// Interlacing.
    pub field_order: FieldOrder,
    /// Chroma siting.
    pub chroma_location: ChromaLocation,
    /// Value range.
    pub color_range: ColorRange,
}

fn invalid(offset: u64, reason: impl Into<String>) -> Error {
    Error::InvalidData {
        format: NAME,
        offset,
        reason: reason.into(),
    }
}

/// `isspace` of the C locale.
fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// `strtol(s + pos, &end, 10)` on a 64-bit host: the value (saturated) and the end position
/// (`pos` itself when no digits follow).
fn strtol(s: &[u8], pos: usize) -> (i64, usize) {
    let mut i = pos;
    while i < s.len() && is_c_space(s[i]) {
        i += 1;
    }
    let neg = match s.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let start = i;
    let mut v: i64 = 0;
    while let Some(&d) = s.get(i).filter(|d| d.is_ascii_digit()) {
        let d = i64::from(d - b'0');
        v = if neg {
            v.saturating_mul(10).saturating_sub(d)
        } else {
            v.saturating_mul(10).saturating_add(d)
        };
        i += 1;
    }
    if i == start { (0, pos) } else { (v, i) }
}

/// `sscanf(s + pos, "%d:%d", &a, &b)`: assigns what it converts, as glibc does (values
/// truncated to 32 bits).
fn scan_ratio(s: &[u8], pos: usize, a: &mut i32, b: &mut i32) {
    let (v, end) = strtol(s, pos);
    if end == pos {
        return;
    }
    *a = v as i32;
    if s.get(end) != Some(&b':') {
        return;
    }
    let (v, end2) = strtol(s, end + 1);
    if end2 != end + 1 {
        *b = v as i32;
    }
}

/// Colour spaces of the `C` tag, longest first where one is a prefix of another
/// (FFmpeg compares prefixes): name, pixel format, chroma siting.
const COLOR_SPACES: &[(&str, PixelFormat, ChromaLocation)] = {
    use ChromaLocation::{Center, Left, TopLeft, Unspecified as U};
    use PixelFormat as P;
    &[
        ("420jpeg", P::Yuv420p, Center),
        ("420mpeg2", P::Yuv420p, Left),
        ("420paldv", P::Yuv420p, TopLeft),
        ("420p16", P::Yuv420p16le, U),
        ("422p16", P::Yuv422p16le, U),
        ("444p16", P::Yuv444p16le, U),
        ("420p14", P::Yuv420p14le, U),
        ("422p14", P::Yuv422p14le, U),
        ("444p14", P::Yuv444p14le, U),
        ("420p12", P::Yuv420p12le, U),
        ("422p12", P::Yuv422p12le, U),
        ("444p12", P::Yuv444p12le, U),
        ("420p10", P::Yuv420p10le, U),
        ("422p10", P::Yuv422p10le, U),
        ("444p10", P::Yuv444p10le, U),
        ("420p9", P::Yuv420p9le, U),
        ("422p9", P::Yuv422p9le, U),
        ("444p9", P::Yuv444p9le, U),
        ("420", P::Yuv420p, Center),
        ("411", P::Yuv411p, U),
        ("422", P::Yuv422p, U),
        ("444alpha", P::Yuva444p, U),
        ("444", P::Yuv444p, U),
        ("mono16", P::Gray16le, U),
        ("mono12", P::Gray12le, U),
        ("mono10", P::Gray10le, U),
        ("mono9", P::Gray9le, U),
        ("mono", P::Gray, U),
    ]
};

/// Values of the `XYSCSS=` extension (used when there is no `C` tag), prefix-matched in this
/// order. FFmpeg 5.1 maps `422P10` to `yuv422p`; kept so that hand-written headers read alike.
const YSCSS: &[(&str, PixelFormat)] = {
    use PixelFormat as P;
    &[
        ("420JPEG", P::Yuv420p),
        ("420MPEG2", P::Yuv420p),
        ("420PALDV", P::Yuv420p),
        ("420P9", P::Yuv420p9le),
        ("422P9", P::Yuv422p9le),
        ("444P9", P::Yuv444p9le),
        ("420P10", P::Yuv420p10le),
        ("422P10", P::Yuv422p),
        ("444P10", P::Yuv444p10le),
        ("420P12", P::Yuv420p12le),
        ("422P12", P::Yuv422p12le),
        ("444P12", P::Yuv444p12le),
        ("420P14", P::Yuv420p14le),
        ("422P14", P::Yuv422p14le),
        ("444P14", P::Yuv444p14le),
        ("420P16", P::Yuv420p16le),
        ("422P16", P::Yuv422p16le),
        ("444P16", P::Yuv444p16le),
        ("411", P::Yuv411p),
        ("422", P::Yuv422p),
        ("444", P::Yuv444p),
    ]
};

/// Parses a stream header line (without its newline) as FFmpeg 5.1 does, including its
/// tokenizer's quirks (the byte after the magic and after each `W`/`H` number is skipped).
pub fn parse_header(line: &[u8]) -> Result<Header> {
    if !line.starts_with(MAGIC) {
        return Err(invalid(0, "Invalid magic number for yuv4mpeg."));
    }
    // FFmpeg's buffer holds the line with its newline and one space after it.
    let mut h = line.to_vec();
    h.extend_from_slice(b"\n ");
    let end = h.len() - 1;
    let bad_header = || invalid(0, "YUV4MPEG has invalid header.");
    let (mut width, mut height) = (-1i64, -1i64);
    let (mut raten, mut rated, mut aspectn, mut aspectd) = (0i32, 0i32, 0i32, 0i32);
    let mut pix_fmt = None;
    let mut alt_pix_fmt = None;
    let mut chroma = ChromaLocation::Unspecified;
    let mut range = ColorRange::Unspecified;
    let mut field_order = FieldOrder::Unknown;
    let skip_token = |mut p: usize, h: &[u8]| {
        while p < end && h[p] != b' ' {
            p += 1;
        }
        p
    };
    let mut p = MAGIC.len() + 1;
    while p < end {
        if h[p] == b' ' {
            p += 1;
            continue;
        }
        let tag = h[p];
        p += 1;
        match tag {
            b'W' | b'H' => {
                let (v, e) = strtol(&h, p);
                // Stored in a C int.
                let v = i64::from(v as i32);
                if tag == b'W' {
                    width = v;
                } else {
                    height = v;
                }
                p = e;
            }
            b'C' => {
                let rest = &h[p..end];
                let Some(&(_, f, loc)) = COLOR_SPACES
                    .iter()
                    .find(|(n, _, _)| rest.starts_with(n.as_bytes()))
                else {
                    return Err(invalid(
                        0,
                        "YUV4MPEG stream contains an unknown pixel format.",
                    ));
                };
                pix_fmt = Some(f);
                chroma = loc;
                p = skip_token(p, &h);
            }
            b'I' => {
                let c = h[p];
                p += 1;
                field_order = match c {
                    b'?' => FieldOrder::Unknown,
                    b'p' => FieldOrder::Progressive,
                    b't' => FieldOrder::Tt,
                    b'b' => FieldOrder::Bb,
                    b'm' => {
                        return Err(invalid(
                            0,
                            "YUV4MPEG stream contains mixed interlaced and non-interlaced frames.",
                        ));
                    }
                    _ => return Err(bad_header()),
                };
            }
            b'F' => {
                scan_ratio(&h, p, &mut raten, &mut rated);
                p = skip_token(p, &h);
            }
            b'A' => {
                scan_ratio(&h, p, &mut aspectn, &mut aspectd);
                p = skip_token(p, &h);
            }
            b'X' => {
                let rest = &h[p..end];
                if let Some(v) = rest.strip_prefix(b"YSCSS=") {
                    if let Some(&(_, f)) = YSCSS.iter().find(|(n, _)| v.starts_with(n.as_bytes())) {
                        alt_pix_fmt = Some(f);
                    }
                } else if let Some(v) = rest.strip_prefix(b"COLORRANGE=") {
                    if v.starts_with(b"FULL") {
                        range = ColorRange::Jpeg;
                    } else if v.starts_with(b"LIMITED") {
                        range = ColorRange::Mpeg;
                    }
                }
                p = skip_token(p, &h);
            }
            _ => {}
        }
        // The loop's own increment.
        p += 1;
    }
    if width == -1 || height == -1 {
        return Err(bad_header());
    }
    let pix_fmt = pix_fmt.or(alt_pix_fmt).unwrap_or(PixelFormat::Yuv420p);
    if raten <= 0 || rated <= 0 {
        (raten, rated) = (25, 1);
    }
    if aspectn == 0 && aspectd == 0 {
        aspectd = 1;
    }
    if width <= 0 || height <= 0 {
        return Err(invalid(
            0,
            format!(
                "Picture size {}x{} is invalid",
                width as i32 as u32, height as i32 as u32
            ),
        ));
    }
    let (rate, _) = Rational::reduce(i64::from(raten), i64::from(rated), i32::MAX as u64);
    Ok(Header {
        width: width as usize,
        height: height as usize,
        pix_fmt,
        time_base: rate.invert(),
        sample_aspect_ratio: if aspectn == 0 {
            Rational::new(0, 1)
        } else {
            Rational::new(aspectn, aspectd)
        },
        field_order,
        chroma_location: chroma,
        color_range: range,
    })
}

/// Reads one line of at most `max` bytes (newline included) as FFmpeg's byte loops do:
/// `Ok(Err(n))` when no newline came within `max` bytes or before the end (`n` bytes read).
fn read_limited_line(io: &mut IoReader, max: usize) -> Result<std::result::Result<Vec<u8>, usize>> {
    let buf = io.peek(max)?;
    match buf.iter().position(|&b| b == b'\n') {
        Some(i) => {
            let line = buf[..i].to_vec();
            io.skip(i as u64 + 1)?;
            Ok(Ok(line))
        }
        None => {
            let n = buf.len();
            io.skip(n as u64)?;
            Ok(Err(n))
        }
    }
}

/// The Y4M demuxer.
#[derive(Debug, Default)]
pub struct Y4mDemuxer {
    /// Picture bytes plus the 6 bytes of a bare `FRAME\n` line.
    packet_size: u64,
    frame_size: usize,
    data_offset: u64,
    reader: FrameReader,
}

impl Demuxer for Y4mDemuxer {
    fn read_header(&mut self, io: &mut IoReader, state: &mut DemuxState) -> Result<()> {
        reject_private_options(NAME, &state.options.private)?;
        reject_typed_options(NAME, &state.options)?;
        let line = match read_limited_line(io, MAX_HEADER)? {
            Ok(l) => l,
            Err(_) => return Err(invalid(0, "Header too large.")),
        };
        let h = parse_header(&line)?;
        let frame_size = imgutils::buffer_size(h.pix_fmt, h.width, h.height, 1)?;
        let mut par = CodecParameters::new(CodecId::Rawvideo);
        par.width = h.width;
        par.height = h.height;
        par.pix_fmt = Some(h.pix_fmt);
        par.chroma_location = h.chroma_location;
        par.color_range = h.color_range;
        par.field_order = h.field_order;
        let i = state.add_stream(par, h.time_base);
        let st = &mut state.streams[i];
        st.avg_frame_rate = h.time_base.invert();
        st.r_frame_rate = st.avg_frame_rate;
        st.sample_aspect_ratio = h.sample_aspect_ratio;
        st.start_time = Some(0);
        self.frame_size = frame_size;
        self.packet_size = frame_size as u64 + FRAME_MAGIC_LEN as u64;
        self.data_offset = io.tell();
        if let Some(size) = io.size() {
            st.duration = Some((size.saturating_sub(self.data_offset) / self.packet_size) as i64);
        }
        Ok(())
    }

    fn read_packet(
        &mut self,
        io: &mut IoReader,
        _state: &mut DemuxState,
    ) -> Result<Option<Packet>> {
        let off = io.tell();
        let line = match read_limited_line(io, MAX_FRAME_HEADER)? {
            Ok(l) => l,
            // The end of input while reading the frame line ends the stream.
            Err(n) if n < MAX_FRAME_HEADER => return Ok(None),
            Err(_) => return Err(invalid(off, "frame header too long")),
        };
        if !line.starts_with(FRAME_MAGIC) {
            return Err(invalid(
                off,
                format!(
                    "expected a FRAME line, found {:?}",
                    String::from_utf8_lossy(&line[..line.len().min(16)])
                ),
            ));
        }
        let pos = io.tell();
        let data = self.reader.read(io, self.frame_size)?;
        if data.len() < self.frame_size {
            // FFmpeg drops a truncated last frame silently.
            log::debug!(
                "{NAME}: truncated frame at offset {pos}: {} of {} bytes",
                data.len(),
                self.frame_size
            );
            return Ok(None);
        }
        let n = ((off - self.data_offset) / self.packet_size) as i64;
        let mut pkt = Packet::new(data);
        pkt.pts = Some(n);
        pkt.dts = Some(n);
        pkt.duration = Some(1);
        pkt.pos = Some(pos);
        pkt.flags.key = true;
        Ok(Some(pkt))
    }

    fn seek(&mut self, io: &mut IoReader, _state: &mut DemuxState, t: SeekTarget) -> Result<i64> {
        let mut frame = if t.flags.byte {
            (t.ts.max(0) as u64).saturating_sub(self.data_offset) as i64 / self.packet_size as i64
        } else {
            t.ts
        };
        if t.flags.backward && !t.flags.byte {
            frame = (frame - 1).max(0);
        }
        let frame = frame.max(0);
        let pos = (frame as u64)
            .checked_mul(self.packet_size)
            .and_then(|p| p.checked_add(self.data_offset))
            .ok_or_else(|| Error::Seek {
                url: io.url().to_owned(),
                reason: format!("frame {frame} is out of range"),
            })?;
        io.seek(pos)?;
        Ok(frame)
    }
}

/// Content probe: the magic gives [`SCORE_MAX`].
pub fn probe(pd: &ProbeData<'_>) -> u32 {
    if pd.buf.starts_with(MAGIC) {
        SCORE_MAX
    } else {
        0
    }
}

/// The header text FFmpeg writes for `fmt` (the ` C...` part and a forced colour range), or
/// `None` if the format cannot be stored.
fn colorspace(
    fmt: PixelFormat,
    loc: ChromaLocation,
) -> Option<(&'static str, Option<&'static str>)> {
    use PixelFormat as P;
    const FULL: Option<&str> = Some(" XCOLORRANGE=FULL");
    Some(match fmt {
        P::Gray => (" Cmono", None),
        P::Gray9le => (" Cmono9", None),
        P::Gray10le => (" Cmono10", None),
        P::Gray12le => (" Cmono12", None),
        P::Gray16le => (" Cmono16", None),
        P::Yuv411p => (" C411 XYSCSS=411", None),
        P::Yuvj420p => (" C420jpeg XYSCSS=420JPEG", FULL),
        P::Yuvj422p => (" C422 XYSCSS=422", FULL),
        P::Yuvj444p => (" C444 XYSCSS=444", FULL),
        P::Yuv420p => match loc {
            ChromaLocation::TopLeft => (" C420paldv XYSCSS=420PALDV", None),
            ChromaLocation::Left => (" C420mpeg2 XYSCSS=420MPEG2", None),
            _ => (" C420jpeg XYSCSS=420JPEG", None),
        },
        P::Yuv422p => (" C422 XYSCSS=422", None),
        P::Yuv444p => (" C444 XYSCSS=444", None),
        P::Yuva444p => (" C444alpha XYSCSS=444", None),
        P::Yuv420p9le => (" C420p9 XYSCSS=420P9", None),
        P::Yuv422p9le => (" C422p9 XYSCSS=422P9", None),
        P::Yuv444p9le => (" C444p9 XYSCSS=444P9", None),
        P::Yuv420p10le => (" C420p10 XYSCSS=420P10", None),
        P::Yuv422p10le => (" C422p10 XYSCSS=422P10", None),
        P::Yuv444p10le => (" C444p10 XYSCSS=444P10", None),
        P::Yuv420p12le => (" C420p12 XYSCSS=420P12", None),
        P::Yuv422p12le => (" C422p12 XYSCSS=422P12", None),
        P::Yuv444p12le => (" C444p12 XYSCSS=444P12", None),
        P::Yuv420p14le => (" C420p14 XYSCSS=420P14", None),
        P::Yuv422p14le => (" C422p14 XYSCSS=422P14", None),
        P::Yuv444p14le => (" C444p14 XYSCSS=444P14", None),
        P::Yuv420p16le => (" C420p16 XYSCSS=420P16", None),
        P::Yuv422p16le => (" C422p16 XYSCSS=422P16", None),
        P::Yuv444p16le => (" C444p16 XYSCSS=444P16", None),
        _ => return None,
    })
}

/// FFmpeg's message for a pixel format the muxer cannot store.
pub const UNSUPPORTED_PIX_FMT: &str = "ERROR: yuv4mpeg can only handle yuv444p, yuv422p, yuv420p, yuv411p and gray8 pixel formats. And using 'strict -1' also yuv444p9, yuv422p9, yuv420p9, yuv444p10, yuv422p10, yuv420p10, yuv444p12, yuv422p12, yuv420p12, yuv444p14, yuv422p14, yuv420p14, yuv444p16, yuv422p16, yuv420p16, yuva444p, gray9, gray10, gray12 and gray16 pixel formats. Use -pix_fmt to select one.";

/// The stream header line (with its newline) FFmpeg 5.1 writes for a stream.
pub fn header_line(st: &crate::stream::Stream) -> Result<String> {
    let p = &st.params;
    let unsupported = |what: String| Error::Unsupported {
        format: NAME,
        stream: st.index,
        what,
    };
    let fmt = p
        .pix_fmt
        .ok_or_else(|| unsupported("the pixel format is not set".into()))?;
    let (cs, forced_range) = colorspace(fmt, p.chroma_location)
        .ok_or_else(|| unsupported(UNSUPPORTED_PIX_FMT.into()))?;
    if st.time_base.num <= 0 || st.time_base.den <= 0 {
        return Err(unsupported(format!("invalid time base {}", st.time_base)));
    }
    let (rate, _) = Rational::reduce(
        i64::from(st.time_base.den),
        i64::from(st.time_base.num),
        i32::MAX as u64,
    );
    let sar = if st.sample_aspect_ratio.num != 0 {
        st.sample_aspect_ratio
    } else {
        p.sample_aspect_ratio
    };
    let (an, ad) = if sar.num == 0 && sar.den == 1 {
        (0, 0)
    } else {
        (sar.num, sar.den)
    };
    let inter = match p.field_order {
        FieldOrder::Tt | FieldOrder::Tb => 't',
        FieldOrder::Bb | FieldOrder::Bt => 'b',
        _ => 'p',
    };
    let range = forced_range.unwrap_or(match p.color_range {
        ColorRange::Mpeg => " XCOLORRANGE=LIMITED",
        ColorRange::Jpeg => " XCOLORRANGE=FULL",
        _ => "",
    });
    let mut s = String::new();
    let _ = writeln!(
        s,
        "YUV4MPEG2 W{} H{} F{}:{} I{inter} A{an}:{ad}{cs}{range}",
        p.width, p.height, rate.num, rate.den
    );
    Ok(s)
}

/// The Y4M muxer.
#[derive(Debug, Default)]
pub struct Y4mMuxer {
    frame_size: usize,
}

impl Muxer for Y4mMuxer {
    fn write_header(&mut self, io: &mut IoWriter, state: &mut MuxState) -> Result<()> {
        let [st] = state.streams.as_slice() else {
            return Err(Error::Unsupported {
                format: NAME,
                stream: state.streams.len().min(1),
                what: format!(
                    "the format stores exactly one video stream, not {}",
                    state.streams.len()
                ),
            });
        };
        if st.params.media_type != MediaType::Video || st.params.codec_id != CodecId::Rawvideo {
            return Err(Error::Unsupported {
                format: NAME,
                stream: 0,
                what: format!("ERROR: Codec not supported ({}).", st.params.codec_id),
            });
        }
        let line = header_line(st)?;
        let fmt = st.params.pix_fmt.unwrap_or(PixelFormat::Yuv420p);
        self.frame_size = imgutils::buffer_size(fmt, st.params.width, st.params.height, 1)?;
        io.write_all(line.as_bytes())
    }

    fn write_packet(&mut self, io: &mut IoWriter, _state: &MuxState, p: &Packet) -> Result<()> {
        if p.data.len() != self.frame_size {
            return Err(Error::Unsupported {
                format: NAME,
                stream: p.stream_index,
                what: format!(
                    "packet of {} bytes is not one picture of {} bytes",
                    p.data.len(),
                    self.frame_size
                ),
            });
        }
        io.write_all(b"FRAME\n")?;
        io.write_all(&p.data)
    }

    fn write_trailer(&mut self, _io: &mut IoWriter, _state: &MuxState) -> Result<()> {
        Ok(())
    }
}

/// The demuxer entry.
pub fn demuxer() -> DemuxerInfo {
    DemuxerInfo {
        name: NAME,
        long_name: "YUV4MPEG pipe",
        extensions: "y4m",
        mime_types: "",
        flags: DemuxFlags::default(),
        probe: Some(probe),
        create: || Box::new(Y4mDemuxer::default()),
    }
}

/// The muxer entry.
pub fn muxer() -> MuxerInfo {
    MuxerInfo {
        name: NAME,
        long_name: "YUV4MPEG pipe",
        extensions: "y4m",
        mime_types: "",
        default_video: Some(CodecId::Rawvideo),
        default_audio: None,
        flags: MuxFlags::default(),
        supports: |c| c == CodecId::Rawvideo,
        create: || Box::new(Y4mMuxer::default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(s: &str) -> Result<Header> {
        parse_header(s.as_bytes())
    }

    #[test]
    fn colour_spaces_by_prefix() {
        let f = |s: &str| h(&format!("YUV4MPEG2 W4 H2 C{s}")).map(|h| h.pix_fmt.name());
        assert_eq!(f("420jpeg").unwrap(), "yuv420p");
        assert_eq!(f("420p10").unwrap(), "yuv420p10le");
        assert_eq!(f("444alpha").unwrap(), "yuva444p");
        assert_eq!(f("mono14").unwrap(), "gray");
        assert_eq!(f("mono9").unwrap(), "gray9le");
        assert_eq!(f("4201").unwrap(), "yuv420p");
        assert!(
            f("foo")
                .unwrap_err()
                .to_string()
                .contains("unknown pixel format")
        );
    }

    #[test]
    fn tags_and_defaults() {
        let x = h("YUV4MPEG2 W33 H17").unwrap();
        assert_eq!(x.time_base, Rational::new(1, 25));
        assert_eq!(x.chroma_location, ChromaLocation::Unspecified);
        assert_eq!(x.field_order, FieldOrder::Unknown);
        let x = h("YUV4MPEG2 W4 H2 F50:2 A6:4 It C420paldv XCOLORRANGE=FULL").unwrap();
        assert_eq!(x.time_base, Rational::new(1, 25));
        assert_eq!(x.sample_aspect_ratio, Rational::new(6, 4));
        assert_eq!(x.field_order, FieldOrder::Tt);
        assert_eq!(x.chroma_location, ChromaLocation::TopLeft);
        assert_eq!(x.color_range, ColorRange::Jpeg);
        for f in ["F0:0", "F0:1", "F-5:1", "F3000000000:1", "Fx"] {
            let x = h(&format!("YUV4MPEG2 W4 H2 {f}")).unwrap();
            assert_eq!(x.time_base, Rational::new(1, 25), "{f}");
        }
        // XYSCSS only applies without C, with FFmpeg's 422P10 quirk.
        assert_eq!(
            h("YUV4MPEG2 W4 H2 XYSCSS=444").unwrap().pix_fmt,
            PixelFormat::Yuv444p
        );
        assert_eq!(
            h("YUV4MPEG2 W4 H2 XYSCSS=422P10").unwrap().pix_fmt,
            PixelFormat::Yuv422p
        );
        assert_eq!(
            h("YUV4MPEG2 W4 H2 C420mpeg2 XYSCSS=444").unwrap().pix_fmt,
            PixelFormat::Yuv420p
        );
        // Tokenizer quirks: the byte after a number is skipped.
        assert_eq!(h("YUV4MPEG2 W4xH2").unwrap().height, 2);
        assert!(h("YUV4MPEG2 W4H2").is_err());
        assert!(h("YUV4MPEG2W4 H2").is_err());
        assert_eq!(h("YUV4MPEG2  W4   H2  ").unwrap().width, 4);
    }

    #[test]
    fn bad_headers() {
        for (s, msg) in [
            ("YUV4MPEG W4 H2", "magic"),
            ("YUV4MPEG2 H2", "invalid header"),
            ("YUV4MPEG2 W4", "invalid header"),
            ("YUV4MPEG2 W4 H2 Im", "mixed"),
            ("YUV4MPEG2 W4 H2 Ix", "invalid header"),
            ("YUV4MPEG2 W4 H2 I", "invalid header"),
            ("YUV4MPEG2 W0 H2", "Picture size 0x2"),
            ("YUV4MPEG2 W-4 H2", "Picture size 4294967292x2"),
        ] {
            let e = h(s).unwrap_err().to_string();
            assert!(e.contains(msg), "{s}: {e}");
        }
    }

    #[test]
    fn strtol_like_c() {
        assert_eq!(strtol(b" -12x", 0), (-12, 4));
        assert_eq!(strtol(b"x", 0), (0, 0));
        assert_eq!(strtol(b"99999999999999999999999", 0).0, i64::MAX);
    }
}
