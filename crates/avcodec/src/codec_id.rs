//! Codec identifiers with FFmpeg's names, media types, long names and
//! properties (cf. `enum AVCodecID`, `AVCodecDescriptor`).
//!
//! Every id a container may carry is listed, including codecs fastforward
//! cannot decode, so that probing and stream copy name streams exactly as
//! FFmpeg does. The table was taken from `ffmpeg -codecs` (FFmpeg 5.1).

use std::fmt;
use std::ops::BitOr;
use std::str::FromStr;

use crate::error::{Error, Result};

/// The kind of data a stream carries (cf. `enum AVMediaType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MediaType {
    /// Video.
    Video,
    /// Audio.
    Audio,
    /// Subtitles.
    Subtitle,
    /// Opaque data.
    Data,
    /// Attachments (fonts...).
    Attachment,
}

impl MediaType {
    /// FFmpeg's name (`video`, `audio`, ...; cf. `av_get_media_type_string`).
    pub const fn name(self) -> &'static str {
        match self {
            MediaType::Video => "video",
            MediaType::Audio => "audio",
            MediaType::Subtitle => "subtitle",
            MediaType::Data => "data",
            MediaType::Attachment => "attachment",
        }
    }
}

impl fmt::Display for MediaType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Codec properties (cf. `AV_CODEC_PROP_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct CodecProps(u8);

impl CodecProps {
    /// No property.
    pub const NONE: CodecProps = CodecProps(0);
    /// Every frame is a key frame.
    pub const INTRA_ONLY: CodecProps = CodecProps(1);
    /// Lossy compression.
    pub const LOSSY: CodecProps = CodecProps(2);
    /// Lossless compression.
    pub const LOSSLESS: CodecProps = CodecProps(4);

    /// Both sets of properties.
    pub const fn union(self, other: CodecProps) -> CodecProps {
        CodecProps(self.0 | other.0)
    }

    /// True when every property of `other` is set.
    pub const fn contains(self, other: CodecProps) -> bool {
        self.0 & other.0 == other.0
    }
}

impl BitOr for CodecProps {
    type Output = CodecProps;
    fn bitor(self, rhs: CodecProps) -> CodecProps {
        CodecProps(self.0 | rhs.0)
    }
}

/// What FFmpeg knows about a codec id (cf. `AVCodecDescriptor`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodecDescriptor {
    /// The id.
    pub id: CodecId,
    /// FFmpeg's short name (`pcm_s16le`).
    pub name: &'static str,
    /// Media type.
    pub media_type: MediaType,
    /// Properties.
    pub props: CodecProps,
    /// FFmpeg's long name (`PCM signed 16-bit little-endian`).
    pub long_name: &'static str,
}

macro_rules! codec_ids {
    ($($v:ident => ($name:expr, $mt:ident, $props:expr, $long:expr),)*) => {
        /// A codec identifier (cf. `enum AVCodecID`); names as FFmpeg spells them.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        #[allow(missing_docs)]
        pub enum CodecId {
            $($v,)*
        }

        static DESCRIPTORS: &[CodecDescriptor] = &[
            $(CodecDescriptor { id: CodecId::$v, name: $name, media_type: MediaType::$mt, props: $props, long_name: $long },)*
        ];
    };
}

codec_ids! {
    Rawvideo => ("rawvideo", Video, CodecProps::INTRA_ONLY.union(CodecProps::LOSSLESS), "raw video"),
    Mpeg1video => ("mpeg1video", Video, CodecProps::LOSSY, "MPEG-1 video"),
    Mpeg2video => ("mpeg2video", Video, CodecProps::LOSSY, "MPEG-2 video"),
    Mpeg4 => ("mpeg4", Video, CodecProps::LOSSY, "MPEG-4 part 2"),
    H261 => ("h261", Video, CodecProps::LOSSY, "H.261"),
    H263 => ("h263", Video, CodecProps::LOSSY, "H.263 / H.263-1996, H.263+ / H.263-1998 / H.263 version 2"),
    H263p => ("h263p", Video, CodecProps::LOSSY, "H.263+ / H.263-1998 / H.263 version 2"),
    H264 => ("h264", Video, CodecProps::LOSSY.union(CodecProps::LOSSLESS), "H.264 / AVC / MPEG-4 AVC / MPEG-4 part 10"),
    Hevc => ("hevc", Video, CodecProps::LOSSY, "H.265 / HEVC (High Efficiency Video Coding)"),
    Vvc => ("vvc", Video, CodecProps::LOSSY, "H.266 / VVC (Versatile Video Coding)"),
    Mjpeg => ("mjpeg", Video, CodecProps::INTRA_ONLY.union(CodecProps::LOSSY), "Motion JPEG"),
    Mjpegb => ("mjpegb", Video, CodecProps::INTRA_ONLY.union(CodecProps::LOSSY), "Apple MJPEG-B"),
    Ljpeg => ("ljpeg", Video, CodecProps::INTRA_ONLY.union(CodecProps::LOSSLESS), "Lossless JPEG"),
    Jpeg2000 => ("jpeg2000", Video, CodecProps::INTRA_ONLY.union(CodecProps::LOSSY).union(CodecProps::LOSSLESS), "JPEG 2000"),
    Jpegls => ("jpegls", Video, CodecProps::INTRA_ONLY.union(CodecProps::LOSSY).union(CodecProps::LOSSLESS), "JPEG-LS"),
    Vp8 => ("vp8", Video, CodecProps::LOSSY, "On2 VP8"),
    Vp9 => ("vp9", Video, CodecProps::LOSSY, "Google VP9"),
    Av1 => ("av1", Video, CodecProps::LOSSY, "Alliance for Open Media AV1"),
    Theora => ("theora", Video, CodecProps::LOSSY, "Theora"),
    Dirac => ("dirac", Video, CodecProps::LOSSY.union(CodecProps::LOSSLESS), "Dirac"),
    Prores => ("prores", Video, CodecProps::INTRA_ONLY.union(CodecProps::LOSSY), "Apple ProRes (iCodec Pro)"),
    Dnxhd => ("dnxhd", Video, CodecProps::INTRA_ONLY.union(CodecProps::LOSSY), "VC3/DNxHD"),
    Dvvideo => ("dvvideo", Video, CodecProps::INTRA_ONLY.union(CodecProps::LOSSY), "DV (Digital Video)"),
    Ffv1 => ("ffv1", Video, CodecProps::LOSSLESS, "FFmpeg video codec #1"),
    Huffyuv => ("huffyuv", Video, CodecProps::INTRA_ONLY.union(CodecProps::LOSSLESS), "HuffYUV"),
    Ffvhuff => ("ffvhuff", Video, CodecProps::INTRA_ONLY.union(CodecProps::LOSSLESS), "Huffyuv FFmpeg variant"),
    Utvideo => ("utvideo", Video, CodecProps::INTRA_ONLY.union(CodecProps::LOSSLESS), "Ut Video"),
    Png => ("png", Video, CodecProps::LOSSLESS, "PNG (Portable Network Graphics) image"),
    Apng => ("apng", Video, CodecProps::LOSSLESS, "APNG (Animated Portable Network Graphics) image"),
    Gif => ("gif", Video, CodecProps::LOSSLESS, "CompuServe GIF (Graphics Interchange Format)"),
    WrappedAvframe => ("wrapped_avframe", Video, CodecProps::LOSSLESS, "AVFrame to AVPacket passthrough"),
    Bmp => ("bmp", Video, CodecProps::INTRA_ONLY.union(CodecProps::LOSSLESS), "BMP (Windows and OS/2 bitmap)"),
    Tiff => ("tiff", Video, CodecProps::INTRA_ONLY.union(CodecProps::LOSSLESS), "TIFF image"),
    Webp => ("webp", Video, CodecProps::INTRA_ONLY.union(CodecProps::LOSSY).union(CodecProps::LOSSLESS), "WebP"),
    Qtrle => ("qtrle", Video, CodecProps::LOSSLESS, "QuickTime Animation (RLE) video"),
    Msmpeg4v1 => ("msmpeg4v1", Video, CodecProps::LOSSY, "MPEG-4 part 2 Microsoft variant version 1"),
    Msmpeg4v2 => ("msmpeg4v2", Video, CodecProps::LOSSY, "MPEG-4 part 2 Microsoft variant version 2"),
    Msmpeg4v3 => ("msmpeg4v3", Video, CodecProps::LOSSY, "MPEG-4 part 2 Microsoft variant version 3"),
    Wmv1 => ("wmv1", Video, CodecProps::LOSSY, "Windows Media Video 7"),
    Wmv2 => ("wmv2", Video, CodecProps::LOSSY, "Windows Media Video 8"),
    Wmv3 => ("wmv3", Video, CodecProps::LOSSY, "Windows Media Video 9"),
    Vc1 => ("vc1", Video, CodecProps::LOSSY, "SMPTE VC-1"),
    Flv1 => ("flv1", Video, CodecProps::LOSSY, "FLV / Sorenson Spark / Sorenson H.263 (Flash Video)"),
    Svq1 => ("svq1", Video, CodecProps::LOSSY, "Sorenson Vector Quantizer 1 / Sorenson Video 1 / SVQ1"),
    Svq3 => ("svq3", Video, CodecProps::LOSSY, "Sorenson Vector Quantizer 3 / Sorenson Video 3 / SVQ3"),
    Cinepak => ("cinepak", Video, CodecProps::LOSSY, "Cinepak"),
    Indeo3 => ("indeo3", Video, CodecProps::LOSSY, "Intel Indeo 3"),
    Rv10 => ("rv10", Video, CodecProps::LOSSY, "RealVideo 1.0"),
    Rv20 => ("rv20", Video, CodecProps::LOSSY, "RealVideo 2.0"),
    Rv30 => ("rv30", Video, CodecProps::LOSSY, "RealVideo 3.0"),
    Rv40 => ("rv40", Video, CodecProps::LOSSY, "RealVideo 4.0"),
    V210 => ("v210", Video, CodecProps::INTRA_ONLY.union(CodecProps::LOSSLESS), "Uncompressed 4:2:2 10-bit"),
    R210 => ("r210", Video, CodecProps::INTRA_ONLY.union(CodecProps::LOSSLESS), "Uncompressed RGB 10-bit"),
    Yuv4 => ("yuv4", Video, CodecProps::INTRA_ONLY.union(CodecProps::LOSSLESS), "Uncompressed packed 4:2:0"),
    V308 => ("v308", Video, CodecProps::INTRA_ONLY.union(CodecProps::LOSSLESS), "Uncompressed packed 4:4:4"),
    V408 => ("v408", Video, CodecProps::INTRA_ONLY.union(CodecProps::LOSSLESS), "Uncompressed packed QT 4:4:4:4"),
    Qoi => ("qoi", Video, CodecProps::INTRA_ONLY.union(CodecProps::LOSSLESS), "QOI (Quite OK Image)"),
    Mp1 => ("mp1", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSY), "MP1 (MPEG audio layer 1)"),
    Mp2 => ("mp2", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSY), "MP2 (MPEG audio layer 2)"),
    Mp3 => ("mp3", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSY), "MP3 (MPEG audio layer 3)"),
    Aac => ("aac", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSY), "AAC (Advanced Audio Coding)"),
    AacLatm => ("aac_latm", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSY), "AAC LATM (Advanced Audio Coding LATM syntax)"),
    Ac3 => ("ac3", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSY), "ATSC A/52A (AC-3)"),
    Eac3 => ("eac3", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSY), "ATSC A/52B (AC-3, E-AC-3)"),
    Dts => ("dts", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSY).union(CodecProps::LOSSLESS), "DCA (DTS Coherent Acoustics)"),
    Truehd => ("truehd", Audio, CodecProps::LOSSLESS, "TrueHD"),
    Mlp => ("mlp", Audio, CodecProps::LOSSLESS, "MLP (Meridian Lossless Packing)"),
    Flac => ("flac", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSLESS), "FLAC (Free Lossless Audio Codec)"),
    Alac => ("alac", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSLESS), "ALAC (Apple Lossless Audio Codec)"),
    Ape => ("ape", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSLESS), "Monkey's Audio"),
    Wavpack => ("wavpack", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSY).union(CodecProps::LOSSLESS), "WavPack"),
    Tta => ("tta", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSLESS), "TTA (True Audio)"),
    Vorbis => ("vorbis", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSY), "Vorbis"),
    Opus => ("opus", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSY), "Opus (Opus Interactive Audio Codec)"),
    Speex => ("speex", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSY), "Speex"),
    Gsm => ("gsm", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSY), "GSM"),
    GsmMs => ("gsm_ms", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSY), "GSM Microsoft variant"),
    AmrNb => ("amr_nb", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSY), "AMR-NB (Adaptive Multi-Rate NarrowBand)"),
    AmrWb => ("amr_wb", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSY), "AMR-WB (Adaptive Multi-Rate WideBand)"),
    Wmav1 => ("wmav1", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSY), "Windows Media Audio 1"),
    Wmav2 => ("wmav2", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSY), "Windows Media Audio 2"),
    Wmapro => ("wmapro", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSY), "Windows Media Audio 9 Professional"),
    Wmalossless => ("wmalossless", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSLESS), "Windows Media Audio Lossless"),
    Ra144 => ("ra_144", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSY), "RealAudio 1.0 (14.4K)"),
    Ra288 => ("ra_288", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSY), "RealAudio 2.0 (28.8K)"),
    Cook => ("cook", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSY), "Cook / Cooker / Gecko (RealAudio G2)"),
    Atrac3 => ("atrac3", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSY), "ATRAC3 (Adaptive TRansform Acoustic Coding 3)"),
    Nellymoser => ("nellymoser", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSY), "Nellymoser Asao"),
    AdpcmImaWav => ("adpcm_ima_wav", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSY), "ADPCM IMA WAV"),
    AdpcmMs => ("adpcm_ms", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSY), "ADPCM Microsoft"),
    AdpcmImaQt => ("adpcm_ima_qt", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSY), "ADPCM IMA QuickTime"),
    AdpcmG722 => ("adpcm_g722", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSY), "G.722 ADPCM"),
    AdpcmG726 => ("adpcm_g726", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSY), "G.726 ADPCM"),
    AdpcmYamaha => ("adpcm_yamaha", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSY), "ADPCM Yamaha"),
    AdpcmSwf => ("adpcm_swf", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSY), "ADPCM Shockwave Flash"),
    Qdm2 => ("qdm2", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSY), "QDesign Music Codec 2"),
    DsdLsbf => ("dsd_lsbf", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSY), "DSD (Direct Stream Digital), least significant bit first"),
    DsdMsbf => ("dsd_msbf", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSY), "DSD (Direct Stream Digital), most significant bit first"),
    PcmU8 => ("pcm_u8", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSLESS), "PCM unsigned 8-bit"),
    PcmS8 => ("pcm_s8", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSLESS), "PCM signed 8-bit"),
    PcmS16le => ("pcm_s16le", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSLESS), "PCM signed 16-bit little-endian"),
    PcmS16be => ("pcm_s16be", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSLESS), "PCM signed 16-bit big-endian"),
    PcmU16le => ("pcm_u16le", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSLESS), "PCM unsigned 16-bit little-endian"),
    PcmU16be => ("pcm_u16be", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSLESS), "PCM unsigned 16-bit big-endian"),
    PcmS24le => ("pcm_s24le", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSLESS), "PCM signed 24-bit little-endian"),
    PcmS24be => ("pcm_s24be", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSLESS), "PCM signed 24-bit big-endian"),
    PcmU24le => ("pcm_u24le", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSLESS), "PCM unsigned 24-bit little-endian"),
    PcmU24be => ("pcm_u24be", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSLESS), "PCM unsigned 24-bit big-endian"),
    PcmS32le => ("pcm_s32le", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSLESS), "PCM signed 32-bit little-endian"),
    PcmS32be => ("pcm_s32be", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSLESS), "PCM signed 32-bit big-endian"),
    PcmU32le => ("pcm_u32le", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSLESS), "PCM unsigned 32-bit little-endian"),
    PcmU32be => ("pcm_u32be", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSLESS), "PCM unsigned 32-bit big-endian"),
    PcmS64le => ("pcm_s64le", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSLESS), "PCM signed 64-bit little-endian"),
    PcmS64be => ("pcm_s64be", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSLESS), "PCM signed 64-bit big-endian"),
    PcmF16le => ("pcm_f16le", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSLESS), "PCM 16.8 floating point little-endian"),
    PcmF24le => ("pcm_f24le", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSLESS), "PCM 24.0 floating point little-endian"),
    PcmF32le => ("pcm_f32le", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSLESS), "PCM 32-bit floating point little-endian"),
    PcmF32be => ("pcm_f32be", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSLESS), "PCM 32-bit floating point big-endian"),
    PcmF64le => ("pcm_f64le", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSLESS), "PCM 64-bit floating point little-endian"),
    PcmF64be => ("pcm_f64be", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSLESS), "PCM 64-bit floating point big-endian"),
    PcmAlaw => ("pcm_alaw", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSY), "PCM A-law / G.711 A-law"),
    PcmMulaw => ("pcm_mulaw", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSY), "PCM mu-law / G.711 mu-law"),
    PcmS8Planar => ("pcm_s8_planar", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSLESS), "PCM signed 8-bit planar"),
    PcmS16lePlanar => ("pcm_s16le_planar", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSLESS), "PCM signed 16-bit little-endian planar"),
    PcmS16bePlanar => ("pcm_s16be_planar", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSLESS), "PCM signed 16-bit big-endian planar"),
    PcmS24lePlanar => ("pcm_s24le_planar", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSLESS), "PCM signed 24-bit little-endian planar"),
    PcmS32lePlanar => ("pcm_s32le_planar", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSLESS), "PCM signed 32-bit little-endian planar"),
    PcmDvd => ("pcm_dvd", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSLESS), "PCM signed 20|24-bit big-endian"),
    PcmBluray => ("pcm_bluray", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSLESS), "PCM signed 16|20|24-bit big-endian for Blu-ray media"),
    PcmLxf => ("pcm_lxf", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSLESS), "PCM signed 20-bit little-endian planar"),
    PcmS24daud => ("pcm_s24daud", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSLESS), "PCM D-Cinema audio signed 24-bit"),
    PcmVidc => ("pcm_vidc", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSY), "PCM Archimedes VIDC"),
    PcmSga => ("pcm_sga", Audio, CodecProps::INTRA_ONLY.union(CodecProps::LOSSLESS), "PCM SGA"),
    Subrip => ("subrip", Subtitle, CodecProps::NONE, "SubRip subtitle"),
    Ass => ("ass", Subtitle, CodecProps::NONE, "ASS (Advanced SSA) subtitle"),
    Ssa => ("ssa", Subtitle, CodecProps::NONE, "SSA (SubStation Alpha) subtitle"),
    MovText => ("mov_text", Subtitle, CodecProps::NONE, "MOV text"),
    Webvtt => ("webvtt", Subtitle, CodecProps::NONE, "WebVTT subtitle"),
    DvdSubtitle => ("dvd_subtitle", Subtitle, CodecProps::NONE, "DVD subtitles"),
    DvbSubtitle => ("dvb_subtitle", Subtitle, CodecProps::NONE, "DVB subtitles"),
    HdmvPgsSubtitle => ("hdmv_pgs_subtitle", Subtitle, CodecProps::NONE, "HDMV Presentation Graphic Stream subtitles"),
    DvbTeletext => ("dvb_teletext", Subtitle, CodecProps::NONE, "DVB teletext"),
    Eia608 => ("eia_608", Subtitle, CodecProps::NONE, "EIA-608 closed captions"),
    Text => ("text", Subtitle, CodecProps::NONE, "raw UTF-8 text"),
    Microdvd => ("microdvd", Subtitle, CodecProps::NONE, "MicroDVD subtitle"),
    DvdNav => ("dvd_nav_packet", Data, CodecProps::NONE, "DVD Nav packet"),
    BinData => ("bin_data", Data, CodecProps::NONE, "binary data"),
    TimedId3 => ("timed_id3", Data, CodecProps::NONE, "timed ID3 metadata"),
    Klv => ("klv", Data, CodecProps::NONE, "SMPTE 336M Key-Length-Value (KLV) metadata"),
    Scte35 => ("scte_35", Data, CodecProps::NONE, "SCTE 35 Message Queue"),
    Ttf => ("ttf", Data, CodecProps::NONE, "TrueType font"),
    Otf => ("otf", Data, CodecProps::NONE, "OpenType font"),
}

impl CodecId {
    /// Every codec id, in table order.
    pub fn all() -> impl Iterator<Item = CodecId> {
        DESCRIPTORS.iter().map(|d| d.id)
    }

    /// The descriptor (cf. `avcodec_descriptor_get`).
    pub fn descriptor(self) -> &'static CodecDescriptor {
        &DESCRIPTORS[self as usize]
    }

    /// FFmpeg's short name (cf. `avcodec_get_name`).
    pub fn name(self) -> &'static str {
        self.descriptor().name
    }

    /// The media type.
    pub fn media_type(self) -> MediaType {
        self.descriptor().media_type
    }

    /// Looks an id up by FFmpeg's short name (cf. `avcodec_descriptor_get_by_name`).
    pub fn from_name(name: &str) -> Result<CodecId> {
        DESCRIPTORS
            .iter()
            .find(|d| d.name == name)
            .map(|d| d.id)
            .ok_or_else(|| Error::UnknownCodec {
                name: name.to_owned(),
            })
    }
}

impl fmt::Display for CodecId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for CodecId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        CodecId::from_name(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_consistent() {
        for (i, d) in DESCRIPTORS.iter().enumerate() {
            assert_eq!(d.id as usize, i);
            assert_eq!(CodecId::from_name(d.name).unwrap(), d.id);
        }
        assert_eq!(
            CodecId::PcmS16le.descriptor().long_name,
            "PCM signed 16-bit little-endian"
        );
        assert_eq!(CodecId::Mpeg1video.media_type(), MediaType::Video);
        assert!(
            CodecId::Rawvideo
                .descriptor()
                .props
                .contains(CodecProps::INTRA_ONLY | CodecProps::LOSSLESS)
        );
        assert!(CodecId::Mp2.descriptor().props.contains(CodecProps::LOSSY));
        assert_eq!(
            "nope".parse::<CodecId>().unwrap_err().to_string(),
            "unknown codec 'nope'"
        );
    }
}
