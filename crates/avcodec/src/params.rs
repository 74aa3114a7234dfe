//! Stream descriptions (cf. `AVCodecParameters`): a plain value, no decoder state.

use avutil::{
    Buffer, ChannelLayout, ChromaLocation, ColorPrimaries, ColorRange, ColorSpace, ColorTransfer,
    PixelFormat, Rational, SampleFormat,
};

use crate::codec_id::{CodecId, MediaType};

/// Field order of interlaced video (cf. `enum AVFieldOrder`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum FieldOrder {
    /// Unknown.
    #[default]
    Unknown,
    /// Progressive.
    Progressive,
    /// Top field coded and displayed first.
    Tt,
    /// Bottom field coded and displayed first.
    Bb,
    /// Top coded first, bottom displayed first.
    Tb,
    /// Bottom coded first, top displayed first.
    Bt,
}

impl FieldOrder {
    /// FFmpeg's name as ffprobe prints it (`progressive`, `tt`, ...), `None` for unknown.
    pub const fn name(self) -> Option<&'static str> {
        match self {
            FieldOrder::Unknown => None,
            FieldOrder::Progressive => Some("progressive"),
            FieldOrder::Tt => Some("tt"),
            FieldOrder::Bb => Some("bb"),
            FieldOrder::Tb => Some("tb"),
            FieldOrder::Bt => Some("bt"),
        }
    }
}

/// What a stream carries and how it is coded (cf. `AVCodecParameters`).
///
/// Fields that do not apply to the media type stay at their defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct CodecParameters {
    /// Media type (follows from `codec_id`).
    pub media_type: MediaType,
    /// Codec.
    pub codec_id: CodecId,
    /// Container-specific codec tag (a FourCC or a WAV format tag), 0 if none.
    pub codec_tag: u32,
    /// Out-of-band codec data.
    pub extradata: Buffer,
    /// Average bit rate in bit/s, if known.
    pub bit_rate: Option<u64>,
    /// Bits per coded sample (cf. `bits_per_coded_sample`), 0 if unknown.
    pub bits_per_coded_sample: u32,
    /// Bits per raw sample (cf. `bits_per_raw_sample`), 0 if unknown.
    pub bits_per_raw_sample: u32,
    /// Codec profile, if known.
    pub profile: Option<i32>,
    /// Codec level, if known.
    pub level: Option<i32>,

    /// Picture width (video).
    pub width: usize,
    /// Picture height (video).
    pub height: usize,
    /// Pixel format of decoded pictures (video), if known.
    pub pix_fmt: Option<PixelFormat>,
    /// Sample aspect ratio (`0/1` unknown).
    pub sample_aspect_ratio: Rational,
    /// Field order.
    pub field_order: FieldOrder,
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
    /// Number of frames the decoder delays output by (B-frame reordering).
    pub video_delay: u32,

    /// Sample format of decoded audio, if known.
    pub sample_fmt: Option<SampleFormat>,
    /// Sample rate in Hz (audio), 0 if unknown.
    pub sample_rate: u32,
    /// Channel layout (audio), if known.
    pub ch_layout: Option<ChannelLayout>,
    /// Bytes per coded audio block (cf. `block_align`), 0 if not applicable.
    pub block_align: u32,
    /// Samples per coded audio frame, 0 if variable or unknown.
    pub frame_size: u32,
    /// Encoder delay in samples at the start.
    pub initial_padding: u32,
}

impl CodecParameters {
    /// Parameters for `codec_id` with everything else unknown.
    pub fn new(codec_id: CodecId) -> Self {
        CodecParameters {
            media_type: codec_id.media_type(),
            codec_id,
            codec_tag: 0,
            extradata: Buffer::default(),
            bit_rate: None,
            bits_per_coded_sample: 0,
            bits_per_raw_sample: 0,
            profile: None,
            level: None,
            width: 0,
            height: 0,
            pix_fmt: None,
            sample_aspect_ratio: Rational::new(0, 1),
            field_order: FieldOrder::Unknown,
            color_range: ColorRange::Unspecified,
            color_primaries: ColorPrimaries::Unspecified,
            color_trc: ColorTransfer::Unspecified,
            colorspace: ColorSpace::Unspecified,
            chroma_location: ChromaLocation::Unspecified,
            video_delay: 0,
            sample_fmt: None,
            sample_rate: 0,
            ch_layout: None,
            block_align: 0,
            frame_size: 0,
            initial_padding: 0,
        }
    }

    /// Video parameters.
    pub fn video(codec_id: CodecId, width: usize, height: usize, pix_fmt: PixelFormat) -> Self {
        let mut p = Self::new(codec_id);
        p.width = width;
        p.height = height;
        p.pix_fmt = Some(pix_fmt);
        if pix_fmt.is_jpeg_range() {
            p.color_range = ColorRange::Jpeg;
        }
        p
    }

    /// Audio parameters.
    pub fn audio(
        codec_id: CodecId,
        sample_fmt: SampleFormat,
        sample_rate: u32,
        layout: ChannelLayout,
    ) -> Self {
        let mut p = Self::new(codec_id);
        p.sample_fmt = Some(sample_fmt);
        p.sample_rate = sample_rate;
        p.ch_layout = Some(layout);
        p
    }

    /// Replaces an unknown channel order by the default layout for the channel
    /// count, as the `ffmpeg` tool does ("Guessed Channel Layout"); returns
    /// true when it guessed. Demuxers report what the file says (ffprobe
    /// shows `unknown`); applications decide whether to guess.
    pub fn guess_channel_layout(&mut self) -> bool {
        match self.ch_layout {
            Some(ChannelLayout::Unspecified(n))
                if matches!(ChannelLayout::default_for(n), ChannelLayout::Native(_)) =>
            {
                self.ch_layout = Some(ChannelLayout::default_for(n));
                true
            }
            _ => false,
        }
    }

    /// Number of audio channels (0 if unknown).
    pub fn channels(&self) -> u32 {
        self.ch_layout.map_or(0, |l| l.channels())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constructors() {
        let v = CodecParameters::video(CodecId::Rawvideo, 4, 2, PixelFormat::Yuvj420p);
        assert_eq!(
            (v.media_type, v.color_range),
            (MediaType::Video, ColorRange::Jpeg)
        );
        let a = CodecParameters::audio(
            CodecId::PcmS16le,
            SampleFormat::S16,
            44100,
            ChannelLayout::STEREO,
        );
        assert_eq!(a.channels(), 2);
        assert_eq!(CodecParameters::new(CodecId::Mp2).channels(), 0);
        assert_eq!(FieldOrder::Tt.name(), Some("tt"));
    }
}
