//! Decoded video pictures and audio sample blocks (cf. `AVFrame`).
//!
//! A [`Frame`] owns its planes through refcounted [`Buffer`]s: cloning a
//! frame is cheap and shares the planes; writing through
//! [`Frame::plane_mut`] copies a shared plane first (copy-on-write), so a
//! clone never sees another clone's writes.
//!
//! ```
//! use avutil::{Frame, PixelFormat};
//! let mut f = Frame::new_video(PixelFormat::Yuv420p, 33, 17).unwrap();
//! assert_eq!(f.planes(), 3);
//! assert!(f.stride(0) >= 33 && f.stride(0) % Frame::ALIGN == 0);
//! f.plane_mut(0)[0] = 235;
//! let g = f.clone();                     // shares planes
//! f.plane_mut(0)[0] = 16;                // copies plane 0 first
//! assert_eq!((f.plane(0)[0], g.plane(0)[0]), (16, 235));
//! assert_eq!(f.to_packed_bytes().len(), 33 * 17 + 2 * 17 * 9);
//! ```

use crate::buffer::{Buffer, BufferPool};
use crate::channel_layout::ChannelLayout;
use crate::color::{
    ChromaLocation, ColorPrimaries, ColorRange, ColorSpace, ColorTransfer, PictureType,
};
use crate::dict::Dictionary;
use crate::error::{Error, Result};
use crate::imgutils;
use crate::pixfmt::PixelFormat;
use crate::rational::Rational;
use crate::samplefmt::SampleFormat;

/// One plane of a frame: its bytes and the distance between lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plane {
    /// The plane's bytes (at least `stride * (rows - 1) + line bytes`).
    pub buf: Buffer,
    /// Bytes between the starts of two lines (cf. `linesize`); for audio, the plane's size.
    pub stride: usize,
}

/// What a video frame holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VideoInfo {
    /// Pixel format.
    pub format: PixelFormat,
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
}

/// What an audio frame holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AudioInfo {
    /// Sample format.
    pub format: SampleFormat,
    /// Samples per channel.
    pub nb_samples: usize,
    /// Sample rate in Hz.
    pub sample_rate: u32,
    /// Channel layout.
    pub layout: ChannelLayout,
}

/// Video or audio.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameKind {
    /// A picture.
    Video(VideoInfo),
    /// A block of audio samples.
    Audio(AudioInfo),
}

/// Frame flags (cf. `AV_FRAME_FLAG_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct FrameFlags {
    /// The frame may contain errors (concealed damage).
    pub corrupt: bool,
    /// The frame is decoded only to prime the decoder and must not be output.
    pub discard: bool,
}

/// A decoded video picture or block of audio samples (cf. `AVFrame`).
#[derive(Debug, Clone)]
pub struct Frame {
    kind: FrameKind,
    planes: Vec<Plane>,
    /// Presentation timestamp in [`Frame::time_base`] units.
    pub pts: Option<i64>,
    /// DTS of the packet that produced the frame (cf. `pkt_dts`).
    pub pkt_dts: Option<i64>,
    /// Timestamp guessed by the decoder when `pts` is unreliable (cf. `best_effort_timestamp`).
    pub best_effort_timestamp: Option<i64>,
    /// Duration in [`Frame::time_base`] units.
    pub duration: Option<i64>,
    /// Time base of `pts` and `duration` (`0/0` if not set).
    pub time_base: Rational,
    /// Byte position of the packet in the input (cf. `pkt_pos`).
    pub pkt_pos: Option<u64>,
    /// True for key frames.
    pub key_frame: bool,
    /// Picture type.
    pub pict_type: PictureType,
    /// Sample aspect ratio (`0/1` or `0/0` if unknown).
    pub sample_aspect_ratio: Rational,
    /// Sample value range.
    pub color_range: ColorRange,
    /// Colour primaries.
    pub color_primaries: ColorPrimaries,
    /// Transfer characteristic.
    pub color_trc: ColorTransfer,
    /// YUV matrix.
    pub colorspace: ColorSpace,
    /// Chroma siting.
    pub chroma_location: ChromaLocation,
    /// The picture is interlaced.
    pub interlaced: bool,
    /// For interlaced pictures, the top field comes first.
    pub top_field_first: bool,
    /// Extra field periods to display the picture for (cf. `repeat_pict`).
    pub repeat_pict: u8,
    /// Flags.
    pub flags: FrameFlags,
    /// Metadata.
    pub metadata: Dictionary,
}

impl Frame {
    /// Line alignment of frames this crate allocates, in bytes (enough for AVX-512 loads).
    pub const ALIGN: usize = 64;

    fn with(kind: FrameKind, planes: Vec<Plane>) -> Frame {
        Frame {
            kind,
            planes,
            pts: None,
            pkt_dts: None,
            best_effort_timestamp: None,
            duration: None,
            time_base: Rational::UNDEFINED,
            pkt_pos: None,
            key_frame: true,
            pict_type: PictureType::None,
            sample_aspect_ratio: Rational::new(0, 1),
            color_range: ColorRange::Unspecified,
            color_primaries: ColorPrimaries::Unspecified,
            color_trc: ColorTransfer::Unspecified,
            colorspace: ColorSpace::Unspecified,
            chroma_location: ChromaLocation::Unspecified,
            interlaced: false,
            top_field_first: false,
            repeat_pict: 0,
            flags: FrameFlags::default(),
            metadata: Dictionary::new(),
        }
    }

    /// A zeroed picture with lines aligned to [`Frame::ALIGN`] (cf. `av_frame_get_buffer`).
    ///
    /// `yuvj*` formats get [`ColorRange::Jpeg`].
    pub fn new_video(format: PixelFormat, width: usize, height: usize) -> Result<Frame> {
        let layout = imgutils::layout(format, width, height, Self::ALIGN)?;
        let planes = (0..layout.planes)
            .map(|p| Plane {
                buf: Buffer::zeroed(layout.size[p]),
                stride: layout.linesize[p],
            })
            .collect();
        Ok(Self::video_with_planes(
            VideoInfo {
                format,
                width,
                height,
            },
            planes,
        ))
    }

    fn video_with_planes(info: VideoInfo, planes: Vec<Plane>) -> Frame {
        let mut f = Frame::with(FrameKind::Video(info), planes);
        if info.format.is_jpeg_range() {
            f.color_range = ColorRange::Jpeg;
        }
        f
    }

    /// Wraps a contiguous image (as laid out by [`imgutils::layout`] with
    /// `align`) without copying: each plane is an O(1) slice of `data`
    /// (cf. `av_image_fill_arrays`).
    pub fn video_from_buffer(
        format: PixelFormat,
        width: usize,
        height: usize,
        data: &Buffer,
        align: usize,
    ) -> Result<Frame> {
        let layout = imgutils::layout(format, width, height, align)?;
        if data.len() < layout.total {
            return Err(Error::BufferTooSmall {
                what: "picture",
                needed: layout.total,
                available: data.len(),
            });
        }
        let mut planes = Vec::with_capacity(layout.planes);
        for p in 0..layout.planes {
            let buf = data
                .slice(layout.offset[p]..layout.offset[p] + layout.size[p])
                .ok_or(Error::Overflow {
                    what: "plane offset",
                })?;
            planes.push(Plane {
                buf,
                stride: layout.linesize[p],
            });
        }
        Ok(Self::video_with_planes(
            VideoInfo {
                format,
                width,
                height,
            },
            planes,
        ))
    }

    /// A zeroed block of audio: one plane per channel for planar formats,
    /// else one interleaved plane.
    pub fn new_audio(
        format: SampleFormat,
        nb_samples: usize,
        layout: ChannelLayout,
        sample_rate: u32,
    ) -> Result<Frame> {
        let channels = layout.channels() as usize;
        if channels == 0 {
            return Err(Error::InvalidArgument {
                what: "audio frame without channels",
            });
        }
        let size = format.plane_size(channels, nb_samples, 1)?;
        let n = if format.is_planar() { channels } else { 1 };
        let planes = (0..n)
            .map(|_| Plane {
                buf: Buffer::zeroed(size),
                stride: size,
            })
            .collect();
        Ok(Frame::with(
            FrameKind::Audio(AudioInfo {
                format,
                nb_samples,
                sample_rate,
                layout,
            }),
            planes,
        ))
    }

    /// Builds a frame from planes the caller made; checks that every plane is large enough.
    pub fn from_planes(kind: FrameKind, planes: Vec<Plane>) -> Result<Frame> {
        let f = Frame::with(kind, planes);
        f.check_planes()?;
        Ok(match kind {
            FrameKind::Video(v) => Self::video_with_planes(v, f.planes),
            FrameKind::Audio(_) => f,
        })
    }

    fn check_planes(&self) -> Result<()> {
        let expected = self.expected_planes()?;
        if self.planes.len() != expected.len() {
            return Err(Error::Mismatch {
                what: "plane count",
                expected: expected.len().to_string(),
                found: self.planes.len().to_string(),
            });
        }
        for (p, &(line, rows)) in expected.iter().enumerate() {
            let plane = &self.planes[p];
            if rows > 1 && plane.stride < line {
                return Err(Error::InvalidArgument {
                    what: "stride smaller than the line width",
                });
            }
            let need = if rows == 0 {
                0
            } else {
                plane.stride * (rows - 1) + line
            };
            if plane.buf.len() < need {
                return Err(Error::BufferTooSmall {
                    what: "frame plane",
                    needed: need,
                    available: plane.buf.len(),
                });
            }
        }
        Ok(())
    }

    /// For each plane: (bytes per line, number of lines).
    fn expected_planes(&self) -> Result<Vec<(usize, usize)>> {
        match self.kind {
            FrameKind::Video(v) => {
                let d = v.format.descriptor();
                let lines = imgutils::line_bytes(v.format, v.width)?;
                let mut out: Vec<_> = (0..d.plane_count())
                    .map(|p| (lines[p], imgutils::plane_height(v.format, p, v.height)))
                    .collect();
                if d.is_paletted() {
                    out.push((imgutils::PALETTE_SIZE, 1));
                }
                Ok(out)
            }
            FrameKind::Audio(a) => {
                let ch = a.layout.channels() as usize;
                let size = a.format.plane_size(ch, a.nb_samples, 1)?;
                let n = if a.format.is_planar() { ch } else { 1 };
                Ok(vec![(size, 1); n])
            }
        }
    }

    /// Video or audio, with its parameters.
    pub fn kind(&self) -> &FrameKind {
        &self.kind
    }

    /// The video parameters, if this is a picture.
    pub fn video(&self) -> Option<&VideoInfo> {
        match &self.kind {
            FrameKind::Video(v) => Some(v),
            FrameKind::Audio(_) => None,
        }
    }

    /// The audio parameters, if this is audio.
    pub fn audio(&self) -> Option<&AudioInfo> {
        match &self.kind {
            FrameKind::Audio(a) => Some(a),
            FrameKind::Video(_) => None,
        }
    }

    /// Number of planes (including the pal8 palette).
    pub fn planes(&self) -> usize {
        self.planes.len()
    }

    /// Bytes of plane `i` (empty if there is no such plane).
    pub fn plane(&self, i: usize) -> &[u8] {
        self.planes.get(i).map_or(&[], |p| p.buf.as_slice())
    }

    /// Writable bytes of plane `i`, copying it first if shared (empty if there is no such plane).
    pub fn plane_mut(&mut self, i: usize) -> &mut [u8] {
        match self.planes.get_mut(i) {
            Some(p) => p.buf.make_mut(),
            None => &mut [],
        }
    }

    /// Writable bytes and stride of every plane at once, in plane order, copying shared
    /// planes first (as [`Frame::plane_mut`]). Lets a caller write several planes together
    /// (e.g. from different threads) without allocating.
    ///
    /// ```
    /// use avutil::{Frame, PixelFormat};
    /// let mut f = Frame::new_video(PixelFormat::Nv12, 4, 2).unwrap();
    /// let mut planes = f.planes_mut();
    /// let (Some((y, _)), Some((uv, _))) = (planes.next(), planes.next()) else { panic!() };
    /// y[0] = 16;
    /// uv[0] = 128;
    /// assert_eq!((f.plane(0)[0], f.plane(1)[0]), (16, 128));
    /// ```
    pub fn planes_mut(&mut self) -> PlanesMut<'_> {
        PlanesMut(self.planes.iter_mut())
    }

    /// The buffer of plane `i`.
    pub fn plane_buffer(&self, i: usize) -> Option<&Buffer> {
        self.planes.get(i).map(|p| &p.buf)
    }

    /// Line stride of plane `i` (0 if there is no such plane).
    pub fn stride(&self, i: usize) -> usize {
        self.planes.get(i).map_or(0, |p| p.stride)
    }

    /// The visible bytes of line `y` of plane `p` (empty if out of range).
    pub fn line(&self, p: usize, y: usize) -> &[u8] {
        let Ok(exp) = self.expected_planes() else {
            return &[];
        };
        match (self.planes.get(p), exp.get(p)) {
            (Some(plane), Some(&(len, rows))) if y < rows => plane
                .buf
                .get(y * plane.stride..y * plane.stride + len)
                .unwrap_or(&[]),
            _ => &[],
        }
    }

    /// True when no plane is shared (cf. `av_frame_is_writable`).
    pub fn is_writable(&self) -> bool {
        self.planes.iter().all(|p| p.buf.is_unique())
    }

    /// Makes every plane unshared, copying shared ones (cf. `av_frame_make_writable`).
    pub fn make_writable(&mut self) {
        for p in &mut self.planes {
            p.buf.make_mut();
        }
    }

    /// Copies every property but the data and its parameters (cf. `av_frame_copy_props`).
    pub fn copy_props_from(&mut self, src: &Frame) {
        self.pts = src.pts;
        self.pkt_dts = src.pkt_dts;
        self.best_effort_timestamp = src.best_effort_timestamp;
        self.duration = src.duration;
        self.time_base = src.time_base;
        self.pkt_pos = src.pkt_pos;
        self.key_frame = src.key_frame;
        self.pict_type = src.pict_type;
        self.sample_aspect_ratio = src.sample_aspect_ratio;
        self.color_range = src.color_range;
        self.color_primaries = src.color_primaries;
        self.color_trc = src.color_trc;
        self.colorspace = src.colorspace;
        self.chroma_location = src.chroma_location;
        self.interlaced = src.interlaced;
        self.top_field_first = src.top_field_first;
        self.repeat_pict = src.repeat_pict;
        self.flags = src.flags;
        self.metadata = src.metadata.clone();
    }

    /// The frame's data packed without padding between lines, planes one
    /// after another (the pal8 palette 4-byte aligned) (cf. `av_image_copy_to_buffer` with align 1 and
    /// `av_samples_copy`): what the rawvideo/PCM encoders emit and what
    /// `framecrc`/`framemd5` hash.
    pub fn to_packed_bytes(&self) -> Vec<u8> {
        let Ok(exp) = self.expected_planes() else {
            return Vec::new();
        };
        let total = exp.iter().map(|&(l, r)| l * r).sum();
        let mut out = Vec::with_capacity(total);
        let paletted = self
            .video()
            .is_some_and(|v| v.format.descriptor().is_paletted());
        for (p, &(len, rows)) in exp.iter().enumerate() {
            if paletted && p == 1 {
                // The palette starts 4-byte aligned, as in `imgutils::layout`.
                out.resize(out.len().next_multiple_of(4), 0);
            }
            if let Some(plane) = self.planes.get(p) {
                for y in 0..rows {
                    out.extend_from_slice(
                        plane
                            .buf
                            .get(y * plane.stride..y * plane.stride + len)
                            .unwrap_or(&[]),
                    );
                }
            }
        }
        out
    }
}

/// Writable bytes and stride of each plane of a frame, from [`Frame::planes_mut`].
#[derive(Debug)]
pub struct PlanesMut<'a>(std::slice::IterMut<'a, Plane>);

impl<'a> Iterator for PlanesMut<'a> {
    type Item = (&'a mut [u8], usize);

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|p| (p.buf.make_mut(), p.stride))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl ExactSizeIterator for PlanesMut<'_> {}

/// A pool of equally shaped pictures for a decoder: planes are recycled
/// when the last frame using them drops (cf. `AVBufferPool` in `get_buffer2`).
#[derive(Debug, Clone)]
pub struct VideoFramePool {
    info: VideoInfo,
    strides: Vec<usize>,
    pools: Vec<BufferPool>,
}

impl VideoFramePool {
    /// A pool of `width`x`height` pictures of `format`, lines aligned to [`Frame::ALIGN`].
    pub fn new(format: PixelFormat, width: usize, height: usize) -> Result<Self> {
        let layout = imgutils::layout(format, width, height, Frame::ALIGN)?;
        Ok(VideoFramePool {
            info: VideoInfo {
                format,
                width,
                height,
            },
            strides: layout.linesize[..layout.planes].to_vec(),
            pools: (0..layout.planes)
                .map(|p| BufferPool::new(layout.size[p]))
                .collect(),
        })
    }

    /// The picture parameters of this pool.
    pub fn info(&self) -> VideoInfo {
        self.info
    }

    /// A picture whose planes come from the pool (contents are whatever the previous user left).
    pub fn get(&self) -> Frame {
        let planes = self
            .pools
            .iter()
            .zip(&self.strides)
            .map(|(pool, &stride)| Plane {
                buf: pool.get(),
                stride,
            })
            .collect();
        Frame::video_with_planes(self.info, planes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn video_allocation_and_lines() {
        let f = Frame::new_video(PixelFormat::Nv12, 5, 3).unwrap();
        assert_eq!(f.planes(), 2);
        assert_eq!(f.stride(1), 64);
        assert_eq!(f.line(1, 1).len(), 6);
        assert!(f.line(1, 2).is_empty());
        assert_eq!(f.to_packed_bytes().len(), 15 + 12);
        let p = Frame::new_video(PixelFormat::Pal8, 2, 2).unwrap();
        assert_eq!(p.planes(), 2);
        assert_eq!(p.plane(1).len(), 1024);
        assert_eq!(p.to_packed_bytes().len(), 4 + 1024);
        assert_eq!(
            Frame::new_video(PixelFormat::Yuvj420p, 2, 2)
                .unwrap()
                .color_range,
            ColorRange::Jpeg
        );
        assert!(Frame::new_video(PixelFormat::Yuv420p, 0, 2).is_err());
    }

    #[test]
    fn all_planes_writable_at_once_copy_on_write() {
        let mut a = Frame::new_video(PixelFormat::Yuv420p, 6, 4).unwrap();
        let b = a.clone();
        let strides: Vec<usize> = (0..3).map(|p| a.stride(p)).collect();
        let mut n = 0;
        for (i, (plane, stride)) in a.planes_mut().enumerate() {
            assert_eq!(stride, strides[i]);
            plane[0] = 10 + i as u8;
            n += 1;
        }
        assert_eq!(n, 3);
        assert_eq!((a.plane(0)[0], a.plane(1)[0], a.plane(2)[0]), (10, 11, 12));
        // The clone kept its own (zeroed) planes.
        assert_eq!((b.plane(0)[0], b.plane(1)[0], b.plane(2)[0]), (0, 0, 0));
        assert!(a.is_writable());
    }

    #[test]
    fn zero_copy_wrap_of_packed_image() {
        let data: Vec<u8> = (0..(4 * 2 + 2 * 2)).map(|x| x as u8).collect();
        let buf = Buffer::from_vec(data.clone());
        let f = Frame::video_from_buffer(PixelFormat::Yuv420p, 4, 2, &buf, 1).unwrap();
        assert!(f.plane_buffer(0).unwrap().ptr_eq(&buf));
        assert_eq!(f.plane(2), &[10, 11]);
        assert_eq!(f.to_packed_bytes(), data);
        assert!(Frame::video_from_buffer(PixelFormat::Yuv420p, 4, 4, &buf, 1).is_err());
    }

    #[test]
    fn audio_frames() {
        let f = Frame::new_audio(SampleFormat::S16p, 100, ChannelLayout::STEREO, 44100).unwrap();
        assert_eq!(f.planes(), 2);
        assert_eq!(f.plane(1).len(), 200);
        assert_eq!(f.to_packed_bytes().len(), 400);
        let g =
            Frame::new_audio(SampleFormat::Flt, 10, ChannelLayout::default_for(6), 48000).unwrap();
        assert_eq!((g.planes(), g.plane(0).len()), (1, 240));
        assert!(
            Frame::new_audio(SampleFormat::Flt, 10, ChannelLayout::Unspecified(0), 48000).is_err()
        );
    }

    #[test]
    fn clones_share_until_written() {
        let mut a = Frame::new_video(PixelFormat::Gray, 4, 4).unwrap();
        a.pts = Some(7);
        let b = a.clone();
        assert!(!a.is_writable());
        a.make_writable();
        assert!(a.is_writable() && b.is_writable());
        let mut c = Frame::new_video(PixelFormat::Gray, 4, 4).unwrap();
        c.copy_props_from(&a);
        assert_eq!(c.pts, Some(7));
    }

    #[test]
    fn from_planes_checks_sizes() {
        let info = VideoInfo {
            format: PixelFormat::Gray,
            width: 4,
            height: 2,
        };
        let ok = Frame::from_planes(
            FrameKind::Video(info),
            vec![Plane {
                buf: Buffer::zeroed(12),
                stride: 8,
            }],
        );
        assert!(ok.is_ok());
        let short = Frame::from_planes(
            FrameKind::Video(info),
            vec![Plane {
                buf: Buffer::zeroed(11),
                stride: 8,
            }],
        );
        assert!(matches!(
            short,
            Err(Error::BufferTooSmall { needed: 12, .. })
        ));
        let narrow = Frame::from_planes(
            FrameKind::Video(info),
            vec![Plane {
                buf: Buffer::zeroed(100),
                stride: 3,
            }],
        );
        assert!(narrow.is_err());
        assert!(Frame::from_planes(FrameKind::Video(info), vec![]).is_err());
    }

    #[test]
    fn pool_recycles_planes() {
        let pool = VideoFramePool::new(PixelFormat::Yuv420p, 16, 16).unwrap();
        let f = pool.get();
        let p0 = f.plane(0).as_ptr();
        drop(f);
        let g = pool.get();
        assert_eq!(g.plane(0).as_ptr(), p0);
        assert_eq!(g.video().unwrap().width, 16);
    }
}
