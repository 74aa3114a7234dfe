//! Raw video: pictures stored as their planes packed one after another with
//! no padding (cf. FFmpeg's `rawdec.c`/`rawenc.c` for the plain case).
//!
//! Works for every avutil pixel format, any size (odd sizes included; chroma
//! dimensions round up). Decoding does not copy: the frame's planes are
//! slices of the packet buffer. For pal8, the palette follows the indices
//! in the packet (as FFmpeg's rawvideo encoder writes it), or comes from
//! [`SideDataKind::Palette`] side data.

use avutil::{Frame, PixelFormat, Rational, imgutils};

use crate::codec::{
    Decoder, DecoderOptions, Encoder, EncoderOptions, OneToOne, Transform,
    frame_timing_from_packet, packet_timing_from_frame, reject_private_options,
};
use crate::codec_id::CodecId;
use crate::error::{Error, Result};
use crate::packet::{Packet, SideDataKind};
use crate::params::CodecParameters;
use crate::registry::{DecoderInfo, EncoderInfo};

/// The FourCC FFmpeg's raw video decoder reports for a pixel format
/// (cf. `avcodec_pix_fmt_to_codec_tag`); values observed from ffprobe 5.1.
pub fn pix_fmt_tag(fmt: PixelFormat) -> Option<u32> {
    use PixelFormat as P;
    Some(match fmt {
        P::Yuv420p => 0x30323449,
        P::Yuyv422 => 0x32595559,
        P::Yvyu422 => 0x55595659,
        P::Uyvy422 => 0x59565955,
        P::Rgb24 => 0x18424752,
        P::Bgr24 => 0x18524742,
        P::Yuv422p => 0x42323459,
        P::Yuv444p => 0x50343434,
        P::Yuv410p => 0x39565559,
        P::Yuv411p => 0x42313459,
        P::Yuv440p => 0x50303434,
        P::Yuva420p => 0x080b3459,
        P::Yuva422p => 0x080a3459,
        P::Yuva444p => 0x08003459,
        P::Nv12 => 0x3231564e,
        P::Nv21 => 0x3132564e,
        P::Gray => 0x30303859,
        P::Gray9le => 0x09003159,
        P::Gray9be => 0x59310009,
        P::Gray10le => 0x0a003159,
        P::Gray10be => 0x5931000a,
        P::Gray12le => 0x0c003159,
        P::Gray12be => 0x5931000c,
        P::Gray14le => 0x0e003159,
        P::Gray14be => 0x5931000e,
        P::Gray16le => 0x10003159,
        P::Gray16be => 0x59310010,
        P::Ya8 => 0x08003259,
        P::Monowhite => 0x30573142,
        P::Monoblack => 0x31573042,
        P::Pal8 => 0x084c4150,
        P::Argb => 0x42475241,
        P::Rgba => 0x41424752,
        P::Abgr => 0x52474241,
        P::Bgra => 0x41524742,
        P::Zrgb => 0x42475200,
        P::Rgb0 => 0x00424752,
        P::Zbgr => 0x52474200,
        P::Bgr0 => 0x00524742,
        P::Rgb565le => 0x10424752,
        P::Rgb565be => 0x52474210,
        P::Bgr565le => 0x10524742,
        P::Bgr565be => 0x42475210,
        P::Rgb555le => 0x0f424752,
        P::Rgb555be => 0x5247420f,
        P::Bgr555le => 0x0f524742,
        P::Bgr555be => 0x4247520f,
        P::Rgb48le => 0x30424752,
        P::Rgb48be => 0x42475230,
        P::Bgr48le => 0x30524742,
        P::Bgr48be => 0x52474230,
        P::Rgba64le => 0x40414252,
        P::Rgba64be => 0x41425240,
        P::Bgra64le => 0x40415242,
        P::Bgra64be => 0x41524240,
        P::Gbrp => 0x08003347,
        P::Gbrp9le => 0x09003347,
        P::Gbrp9be => 0x47330009,
        P::Gbrp10le => 0x0a003347,
        P::Gbrp10be => 0x4733000a,
        P::Gbrp12le => 0x0c003347,
        P::Gbrp12be => 0x4733000c,
        P::Gbrp14le => 0x0e003347,
        P::Gbrp14be => 0x4733000e,
        P::Gbrp16le => 0x10003347,
        P::Gbrp16be => 0x47330010,
        P::Gbrap => 0x08003447,
        P::Gbrap10le => 0x0a003447,
        P::Gbrap10be => 0x4734000a,
        P::Gbrap12le => 0x0c003447,
        P::Gbrap12be => 0x4734000c,
        P::Gbrap16le => 0x10003447,
        P::Gbrap16be => 0x47340010,
        P::Yuv420p9le => 0x090b3359,
        P::Yuv420p9be => 0x59330b09,
        P::Yuv422p9le => 0x090a3359,
        P::Yuv422p9be => 0x59330a09,
        P::Yuv444p9le => 0x09003359,
        P::Yuv444p9be => 0x59330009,
        P::Yuv420p10le => 0x0a0b3359,
        P::Yuv420p10be => 0x59330b0a,
        P::Yuv422p10le => 0x0a0a3359,
        P::Yuv422p10be => 0x59330a0a,
        P::Yuv444p10le => 0x0a003359,
        P::Yuv444p10be => 0x5933000a,
        P::Yuv420p12le => 0x0c0b3359,
        P::Yuv420p12be => 0x59330b0c,
        P::Yuv422p12le => 0x0c0a3359,
        P::Yuv422p12be => 0x59330a0c,
        P::Yuv444p12le => 0x0c003359,
        P::Yuv444p12be => 0x5933000c,
        P::Yuv420p14le => 0x0e0b3359,
        P::Yuv420p14be => 0x59330b0e,
        P::Yuv422p14le => 0x0e0a3359,
        P::Yuv422p14be => 0x59330a0e,
        P::Yuv444p14le => 0x0e003359,
        P::Yuv444p14be => 0x5933000e,
        P::Yuv420p16le => 0x100b3359,
        P::Yuv420p16be => 0x59330b10,
        P::Yuv422p16le => 0x100a3359,
        P::Yuv422p16be => 0x59330a10,
        P::Yuv444p16le => 0x10003359,
        P::Yuv444p16be => 0x59330010,
        P::Yuva420p10le => 0x0a0b3459,
        P::Yuva444p10le => 0x0a003459,
        P::Yuva420p16le => 0x100b3459,
        _ => return None,
    })
}

/// The rawvideo decoder core.
#[derive(Debug)]
pub struct RawVideoDecoder {
    params: CodecParameters,
    format: PixelFormat,
    frame_size: usize,
    time_base: Rational,
}

impl RawVideoDecoder {
    /// Opens a decoder; `params` must give the size and pixel format.
    pub fn new(params: &CodecParameters, opts: &DecoderOptions) -> Result<Self> {
        reject_private_options("rawvideo", &opts.private)?;
        let format = params.pix_fmt.ok_or_else(|| Error::InvalidParameters {
            codec: CodecId::Rawvideo,
            what: "pixel format is not set".into(),
        })?;
        let frame_size = imgutils::buffer_size(format, params.width, params.height, 1)?;
        Ok(RawVideoDecoder {
            params: params.clone(),
            format,
            frame_size,
            time_base: opts.packet_time_base,
        })
    }
}

impl Transform for RawVideoDecoder {
    type In = Packet;
    type Out = Frame;
    fn transform(&mut self, pkt: &Packet) -> Result<Option<Frame>> {
        let d = self.format.descriptor();
        // A pal8 packet may carry only the indices, with the palette as side data.
        let indices_only =
            d.is_paletted() && pkt.data.len() == self.frame_size - imgutils::PALETTE_SIZE;
        if pkt.data.len() < self.frame_size && !indices_only {
            return Err(Error::InvalidData {
                codec: CodecId::Rawvideo,
                reason: format!(
                    "invalid buffer size, packet size {} < expected frame_size {}",
                    pkt.data.len(),
                    self.frame_size
                ),
            });
        }
        let mut frame = if indices_only {
            let mut f = Frame::new_video(self.format, self.params.width, self.params.height)?;
            let w = self.params.width;
            for y in 0..self.params.height {
                let s = f.stride(0);
                f.plane_mut(0)[y * s..y * s + w].copy_from_slice(&pkt.data[y * w..(y + 1) * w]);
            }
            if let Some(pal) = pkt.side_data(SideDataKind::Palette) {
                let n = pal.len().min(imgutils::PALETTE_SIZE);
                f.plane_mut(1)[..n].copy_from_slice(&pal[..n]);
            }
            f
        } else {
            Frame::video_from_buffer(
                self.format,
                self.params.width,
                self.params.height,
                &pkt.data,
                1,
            )?
        };
        frame_timing_from_packet(&mut frame, pkt, self.time_base);
        frame.key_frame = true;
        frame.pict_type = avutil::PictureType::I;
        frame.sample_aspect_ratio = self.params.sample_aspect_ratio;
        frame.color_range = if self.format.is_jpeg_range() {
            avutil::ColorRange::Jpeg
        } else {
            self.params.color_range
        };
        frame.colorspace = self.params.colorspace;
        frame.color_primaries = self.params.color_primaries;
        frame.color_trc = self.params.color_trc;
        frame.chroma_location = self.params.chroma_location;
        use crate::params::FieldOrder;
        frame.interlaced = matches!(
            self.params.field_order,
            FieldOrder::Tt | FieldOrder::Bb | FieldOrder::Tb | FieldOrder::Bt
        );
        frame.top_field_first = matches!(self.params.field_order, FieldOrder::Tt | FieldOrder::Tb);
        Ok(Some(frame))
    }
}

fn create_decoder(params: &CodecParameters, opts: &DecoderOptions) -> Result<Box<dyn Decoder>> {
    let d = RawVideoDecoder::new(params, opts)?;
    let (p, tb) = (d.params.clone(), d.time_base);
    Ok(Box::new(OneToOne::new(d, p, tb)))
}

/// The rawvideo encoder core.
#[derive(Debug)]
pub struct RawVideoEncoder {
    format: PixelFormat,
    width: usize,
    height: usize,
    time_base: Rational,
}

impl RawVideoEncoder {
    /// Opens an encoder for pictures of `opts.params`' size and pixel format.
    pub fn new(opts: &EncoderOptions) -> Result<(Self, CodecParameters)> {
        reject_private_options("rawvideo", &opts.private)?;
        let p = &opts.params;
        let format = p.pix_fmt.ok_or_else(|| Error::InvalidParameters {
            codec: CodecId::Rawvideo,
            what: "pixel format is not set".into(),
        })?;
        let size = imgutils::buffer_size(format, p.width, p.height, 1)?;
        let mut out = p.clone();
        out.bits_per_coded_sample = format.descriptor().bits_per_pixel();
        if let Some(rate) = opts.frame_rate.filter(|r| r.num > 0 && r.den > 0) {
            out.bit_rate =
                Some((size as u64 * 8).saturating_mul(rate.num as u64) / rate.den as u64);
        }
        Ok((
            RawVideoEncoder {
                format,
                width: p.width,
                height: p.height,
                time_base: opts.time_base,
            },
            out,
        ))
    }
}

impl Transform for RawVideoEncoder {
    type In = Frame;
    type Out = Packet;
    fn transform(&mut self, frame: &Frame) -> Result<Option<Packet>> {
        let v = frame.video().ok_or(Error::FrameMismatch {
            codec: CodecId::Rawvideo,
            what: "media type",
            expected: "video".into(),
            found: "audio".into(),
        })?;
        if (v.format, v.width, v.height) != (self.format, self.width, self.height) {
            return Err(Error::FrameMismatch {
                codec: CodecId::Rawvideo,
                what: "picture",
                expected: format!("{}x{} {}", self.width, self.height, self.format),
                found: format!("{}x{} {}", v.width, v.height, v.format),
            });
        }
        // Planes that are already tightly packed, adjacent views of one buffer (a
        // picture decoded from a rawvideo packet) are passed on without copying.
        let data = contiguous_planes(frame, self.format, self.width, self.height)
            .unwrap_or_else(|| avutil::Buffer::from_vec(frame.to_packed_bytes()));
        let mut pkt = Packet::new(data);
        packet_timing_from_frame(&mut pkt, frame, self.time_base);
        Ok(Some(pkt))
    }
}

/// The frame's planes as one buffer, if they already are the packed image (no copy).
fn contiguous_planes(
    frame: &Frame,
    format: PixelFormat,
    w: usize,
    h: usize,
) -> Option<avutil::Buffer> {
    if format.descriptor().is_paletted() {
        return None;
    }
    let layout = imgutils::layout(format, w, h, 1).ok()?;
    let mut joined: Option<avutil::Buffer> = None;
    for p in 0..layout.planes {
        let b = frame.plane_buffer(p)?;
        if frame.stride(p) != layout.linesize[p] || b.len() != layout.size[p] {
            return None;
        }
        joined = Some(match joined {
            None => b.clone(),
            Some(j) => j.join_adjacent(b)?,
        });
    }
    joined.filter(|j| j.len() == layout.total)
}

fn create_encoder(opts: &EncoderOptions) -> Result<Box<dyn Encoder>> {
    let (e, p) = RawVideoEncoder::new(opts)?;
    let tb = e.time_base;
    Ok(Box::new(OneToOne::new(e, p, tb)))
}

/// Registry entry of the rawvideo decoder.
pub fn decoder() -> DecoderInfo {
    DecoderInfo {
        name: "rawvideo",
        long_name: "raw video",
        id: CodecId::Rawvideo,
        create: create_decoder,
    }
}

/// Registry entry of the rawvideo encoder (accepts every pixel format).
pub fn encoder() -> EncoderInfo {
    EncoderInfo {
        name: "rawvideo",
        long_name: "raw video",
        id: CodecId::Rawvideo,
        pix_fmts: None,
        sample_fmts: &[],
        create: create_encoder,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::Received;

    #[test]
    fn round_trip_every_pixel_format_odd_size() {
        for &fmt in PixelFormat::all() {
            let (w, h) = (7, 5);
            let p = CodecParameters::video(CodecId::Rawvideo, w, h, fmt);
            let size = imgutils::buffer_size(fmt, w, h, 1).unwrap();
            let layout = imgutils::layout(fmt, w, h, 1).unwrap();
            // Bytes that pad the pal8 palette to 4-byte alignment are not data: keep them zero.
            let pad = if layout.planes > 1 {
                layout.size[0]..layout.offset[1]
            } else {
                0..0
            };
            let bytes: Vec<u8> = (0..size)
                .map(|i| {
                    if pad.contains(&i) {
                        0
                    } else {
                        (i * 31 + 7) as u8
                    }
                })
                .collect();
            let mut d = create_decoder(&p, &DecoderOptions::default()).unwrap();
            let _ = d.send_packet(&Packet::from_slice(&bytes)).unwrap();
            let f = d.receive_frame().unwrap().item().unwrap();
            let mut e = create_encoder(&EncoderOptions::new(p, Rational::new(1, 25))).unwrap();
            let _ = e.send_frame(&f).unwrap();
            let Received::Item(pkt) = e.receive_packet().unwrap() else {
                panic!()
            };
            assert!(pkt.data.to_vec() == bytes, "{fmt}: round trip differs");
            assert!(pkt.flags.key);
        }
    }

    #[test]
    fn fourcc_tags() {
        assert_eq!(
            pix_fmt_tag(PixelFormat::Yuv420p),
            Some(u32::from_le_bytes(*b"I420"))
        );
        assert_eq!(
            pix_fmt_tag(PixelFormat::Gray),
            Some(u32::from_le_bytes(*b"Y800"))
        );
        assert_eq!(pix_fmt_tag(PixelFormat::Rgb24), Some(0x1842_4752));
    }

    #[test]
    fn short_packets_and_mismatched_frames_are_errors() {
        let p = CodecParameters::video(CodecId::Rawvideo, 4, 4, PixelFormat::Yuv420p);
        let mut d = create_decoder(&p, &DecoderOptions::default()).unwrap();
        let e = d.send_packet(&Packet::from_slice(&[0; 10])).unwrap_err();
        assert!(
            e.to_string()
                .contains("packet size 10 < expected frame_size 24"),
            "{e}"
        );
        let mut enc = create_encoder(&EncoderOptions::new(p, Rational::new(1, 25))).unwrap();
        let f = Frame::new_video(PixelFormat::Yuv420p, 2, 2).unwrap();
        assert!(enc.send_frame(&f).is_err());
        let mut none = CodecParameters::new(CodecId::Rawvideo);
        none.width = 4;
        assert!(create_decoder(&none, &DecoderOptions::default()).is_err());
    }

    #[test]
    fn pal8_with_palette_side_data() {
        let p = CodecParameters::video(CodecId::Rawvideo, 2, 2, PixelFormat::Pal8);
        let mut d = create_decoder(&p, &DecoderOptions::default()).unwrap();
        let mut pkt = Packet::from_slice(&[0, 1, 2, 3]);
        let mut pal = vec![0u8; 1024];
        pal[4] = 0xff;
        pkt.side_data.push(crate::packet::SideData {
            kind: SideDataKind::Palette,
            data: avutil::Buffer::from_vec(pal),
        });
        let _ = d.send_packet(&pkt).unwrap();
        let f = d.receive_frame().unwrap().item().unwrap();
        assert_eq!(f.plane(1)[4], 0xff);
        assert_eq!(f.line(0, 1), &[2, 3]);
    }
}
