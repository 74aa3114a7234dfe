//! Raw video (`rawvideo`): headerless pictures, demuxer and muxer (cf. FFmpeg's
//! `rawvideodec.c` and the `rawvideo` muxer of `rawenc.c`).
//!
//! The demuxer needs the picture size (`-video_size`, required), and takes the pixel format
//! (`-pix_fmt`/`-pixel_format`, default `yuv420p`) and frame rate (`-framerate`, default 25).
//! Each packet is one picture; `pts = byte position / picture size` in time base `1/framerate`.
//! A short last packet is returned with the `corrupt` flag, as FFmpeg does (the decoder then
//! rejects it). The stream duration is estimated from the file size as FFmpeg's bit rate
//! estimate does. The muxer writes packet payloads as they come, for any codec and stream count.
//!
//! ```
//! use avformat::{FormatOptions, FormatRegistry, InputContext, InputOptions, IoReader};
//! let mut opts = InputOptions::with_format("rawvideo");
//! opts.format_options.video_size = Some((4, 2));
//! let io = IoReader::from_bytes(vec![7u8; 12 * 3], "mem.yuv");
//! let mut input = InputContext::open_reader(io, &FormatRegistry::builtin(), &opts).unwrap();
//! assert_eq!(input.streams()[0].duration, Some(3));
//! let p = input.read_packet().unwrap().unwrap();
//! assert_eq!((p.size(), p.pts), (12, Some(0)));
//! ```

use avcodec::{CodecId, CodecParameters, Packet};
use avutil::mathematics::{Rounding, rescale_rnd};
use avutil::parse::{parse_video_rate, parse_video_size};
use avutil::{Buffer, BufferPool, PixelFormat, Rational, imgutils};

use crate::demux::{DemuxState, Demuxer, FormatOptions, SeekTarget};
use crate::error::{Error, Result};
use crate::io::{IoReader, IoWriter};
use crate::mux::{MuxState, Muxer};
use crate::registry::{DemuxFlags, DemuxerInfo, MuxFlags, MuxerInfo, any_codec};

/// Short name of the format.
pub const NAME: &str = "rawvideo";

/// Largest read step: packet buffers grow with the data actually read, never ahead of it by
/// more than this, so a lying size cannot make us allocate memory the input does not fill.
const READ_CHUNK: usize = 1 << 20;

/// Reads up to `size` bytes (fewer at end of input) into a vector that grows with the data
/// read (see [`READ_CHUNK`]).
pub(crate) fn read_frame_data(io: &mut IoReader, size: usize) -> Result<Vec<u8>> {
    let known_left = io
        .size()
        .map(|s| usize::try_from(s.saturating_sub(io.tell())).unwrap_or(usize::MAX));
    let mut v =
        Vec::with_capacity(size.min(known_left.unwrap_or(READ_CHUNK)) + avutil::buffer::PADDING);
    io.read_into_vec(&mut v, size)?;
    Ok(v)
}

/// Reads fixed-size frames into recycled buffers: once a frame's packet (and
/// any decoded frame sharing its memory) is dropped, the next read reuses the
/// memory instead of faulting in fresh pages (which costs more than the copy
/// itself for large pictures).
#[derive(Debug, Default)]
pub(crate) struct FrameReader {
    pool: Option<BufferPool>,
}

impl FrameReader {
    /// Reads up to `size` bytes (fewer at end of input). The pool is used only
    /// when the input is known to hold a whole frame; otherwise the buffer
    /// grows with the data (see [`read_frame_data`]).
    pub(crate) fn read(&mut self, io: &mut IoReader, size: usize) -> Result<Buffer> {
        let left = io.size().map(|s| s.saturating_sub(io.tell()));
        if size == 0 || left.is_none_or(|l| l < size as u64) {
            return Ok(Buffer::from_vec(read_frame_data(io, size)?));
        }
        let pool = match &self.pool {
            Some(p) if p.size() == size => p,
            _ => self.pool.insert(BufferPool::new(size)),
        };
        let mut buf = pool.get();
        let got = io.read_full(buf.make_mut())?;
        buf.truncate(got);
        Ok(buf)
    }
}

/// Rejects the typed options of [`FormatOptions`] that a demuxer without such settings does
/// not take, with FFmpeg's message (`Option video_size not found.`).
pub(crate) fn reject_typed_options(format: &'static str, o: &FormatOptions) -> Result<()> {
    let name = if o.video_size.is_some() {
        "video_size"
    } else if o.pix_fmt.is_some() {
        "pixel_format"
    } else if o.framerate.is_some() {
        "framerate"
    } else if o.sample_rate.is_some() {
        "sample_rate"
    } else if o.channels.is_some() {
        "channels"
    } else if o.ch_layout.is_some() {
        "ch_layout"
    } else {
        return Ok(());
    };
    Err(Error::InvalidOption {
        format,
        what: format!("Option {name} not found."),
    })
}

/// The rawvideo demuxer.
#[derive(Debug, Default)]
pub struct RawVideoDemuxer {
    packet_size: u64,
    reader: FrameReader,
}

/// The settings of the rawvideo demuxer, from the typed options or the private ones
/// (`video_size`, `pixel_format`, `framerate` as strings).
fn settings(o: &FormatOptions) -> Result<((usize, usize), PixelFormat, Rational)> {
    let opt_err = |what: String| Error::InvalidOption { format: NAME, what };
    let mut size = o.video_size;
    let mut fmt = o.pix_fmt.unwrap_or(PixelFormat::Yuv420p);
    let mut rate = o.framerate.unwrap_or(Rational::new(25, 1));
    for (k, v) in o.private.iter() {
        match k {
            "video_size" => size = Some(parse_video_size(v)?),
            "pixel_format" => {
                fmt = PixelFormat::from_name(v)
                    .map_err(|_| opt_err(format!("No such pixel format: {v}.")))?;
            }
            "framerate" => rate = parse_video_rate(v)?,
            _ => return Err(opt_err(format!("unknown option '{k}'"))),
        }
    }
    let size = size.ok_or_else(|| {
        opt_err("the picture size is not set (use -video_size WxH: raw video has no header)".into())
    })?;
    if rate.num <= 0 || rate.den <= 0 {
        return Err(opt_err(format!("invalid frame rate {rate}")));
    }
    Ok((size, fmt, rate))
}

impl Demuxer for RawVideoDemuxer {
    fn read_header(&mut self, io: &mut IoReader, state: &mut DemuxState) -> Result<()> {
        let ((w, h), fmt, rate) = settings(&state.options)?;
        if state.options.sample_rate.is_some()
            || state.options.channels.is_some()
            || state.options.ch_layout.is_some()
        {
            let o = FormatOptions {
                sample_rate: state.options.sample_rate,
                channels: state.options.channels,
                ch_layout: state.options.ch_layout,
                ..Default::default()
            };
            reject_typed_options(NAME, &o)?;
        }
        let size = imgutils::buffer_size(fmt, w, h, 1)?;
        let par = CodecParameters::video(CodecId::Rawvideo, w, h, fmt);
        let tb = Rational::reduce(i64::from(rate.den), i64::from(rate.num), i32::MAX as u64).0;
        let bit_rate = (size as u64)
            .saturating_mul(8)
            .saturating_mul(tb.den as u64)
            / tb.num as u64;
        let i = state.add_stream(par, tb);
        let st = &mut state.streams[i];
        st.params.bit_rate = Some(bit_rate);
        st.r_frame_rate = tb.invert();
        st.start_time = Some(0);
        // FFmpeg estimates the duration from the file size and the bit rate.
        if let Some(fs) = io.size().filter(|&s| s > 0)
            && let Ok(bits) = i64::try_from(fs.saturating_mul(8))
            && let Ok(br) = i64::try_from(bit_rate)
        {
            st.duration = rescale_rnd(
                bits,
                i64::from(tb.den),
                br.saturating_mul(i64::from(tb.num)),
                Rounding::NearInf,
            );
        }
        self.packet_size = size as u64;
        Ok(())
    }

    fn read_packet(
        &mut self,
        io: &mut IoReader,
        _state: &mut DemuxState,
    ) -> Result<Option<Packet>> {
        let pos = io.tell();
        let data = self.reader.read(io, self.packet_size as usize)?;
        if data.is_empty() {
            return Ok(None);
        }
        let short = (data.len() as u64) < self.packet_size;
        let n = (pos / self.packet_size) as i64;
        let mut pkt = Packet::new(data);
        pkt.pts = Some(n);
        pkt.dts = Some(n);
        pkt.duration = Some(1);
        pkt.pos = Some(pos);
        pkt.flags.key = true;
        pkt.flags.corrupt = short;
        Ok(Some(pkt))
    }

    fn seek(&mut self, io: &mut IoReader, _state: &mut DemuxState, t: SeekTarget) -> Result<i64> {
        let frame = if t.flags.byte {
            t.ts.max(0) / self.packet_size as i64
        } else {
            t.ts.max(0)
        };
        let pos = (frame as u64)
            .checked_mul(self.packet_size)
            .ok_or_else(|| Error::Seek {
                url: io.url().to_owned(),
                reason: format!("frame {frame} is out of range"),
            })?;
        io.seek(pos)?;
        Ok(frame)
    }
}

/// The rawvideo muxer: payloads as they come.
#[derive(Debug, Default)]
pub struct RawMuxer;

impl Muxer for RawMuxer {
    fn write_header(&mut self, _io: &mut IoWriter, _state: &mut MuxState) -> Result<()> {
        Ok(())
    }
    fn write_packet(&mut self, io: &mut IoWriter, _state: &MuxState, p: &Packet) -> Result<()> {
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
        long_name: "raw video",
        extensions: "yuv,cif,qcif,rgb",
        mime_types: "",
        flags: DemuxFlags::default(),
        probe: None,
        create: || Box::new(RawVideoDemuxer::default()),
    }
}

/// The muxer entry.
pub fn muxer() -> MuxerInfo {
    MuxerInfo {
        name: NAME,
        long_name: "raw video",
        extensions: "yuv,rgb",
        mime_types: "",
        default_video: Some(CodecId::Rawvideo),
        default_audio: None,
        flags: MuxFlags {
            no_file: false,
            no_timestamps: true,
            variable_fps: false,
            ts_nonstrict: false,
        },
        supports: any_codec,
        create: || Box::new(RawMuxer),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_reads() {
        let mut io = IoReader::from_bytes(vec![1u8; 10], "m");
        // A lying size reads what there is, without reserving the claimed size.
        let v = read_frame_data(&mut io, 1 << 30).unwrap();
        assert_eq!(v.len(), 10);
        assert!(v.capacity() < 1 << 21);
    }

    #[test]
    fn settings_from_private_options() {
        let mut o = FormatOptions::default();
        assert!(
            settings(&o)
                .unwrap_err()
                .to_string()
                .contains("-video_size")
        );
        o.private.set("video_size", "cif");
        o.private.set("pixel_format", "rgb24");
        o.private.set("framerate", "ntsc");
        let (s, f, r) = settings(&o).unwrap();
        assert_eq!(
            (s, f, r),
            ((352, 288), PixelFormat::Rgb24, Rational::new(30000, 1001))
        );
        o.private.set("pixel_format", "foo");
        assert!(
            settings(&o)
                .unwrap_err()
                .to_string()
                .contains("No such pixel format: foo.")
        );
    }
}
