//! Codec registries: explicit values listing decoders and encoders by id and
//! by name (cf. `avcodec_find_decoder`, `avcodec_find_encoder_by_name`,
//! `ffmpeg -codecs`). No global mutable state: the facade builds the default
//! registry; users may build their own.

use std::fmt::Write;

use avutil::{PixelFormat, SampleFormat};

use crate::codec::{Decoder, DecoderOptions, Encoder, EncoderOptions};
use crate::codec_id::{CodecId, CodecProps, MediaType};
use crate::error::{Error, Result};
use crate::params::CodecParameters;

/// Opens a decoder.
pub type DecoderCtor = fn(&CodecParameters, &DecoderOptions) -> Result<Box<dyn Decoder>>;
/// Opens an encoder.
pub type EncoderCtor = fn(&EncoderOptions) -> Result<Box<dyn Encoder>>;

/// A registered decoder (cf. `AVCodec` with a decode callback).
#[derive(Debug, Clone, Copy)]
pub struct DecoderInfo {
    /// Decoder name (usually the codec's).
    pub name: &'static str,
    /// Long name.
    pub long_name: &'static str,
    /// Codec decoded.
    pub id: CodecId,
    /// Constructor.
    pub create: DecoderCtor,
}

/// A registered encoder (cf. `AVCodec` with an encode callback).
#[derive(Debug, Clone, Copy)]
pub struct EncoderInfo {
    /// Encoder name.
    pub name: &'static str,
    /// Long name.
    pub long_name: &'static str,
    /// Codec produced.
    pub id: CodecId,
    /// Accepted pixel formats, best first; `None` = every format.
    pub pix_fmts: Option<&'static [PixelFormat]>,
    /// Accepted sample formats, best first (empty for video).
    pub sample_fmts: &'static [SampleFormat],
    /// Constructor.
    pub create: EncoderCtor,
}

impl EncoderInfo {
    /// True when the encoder accepts pictures in `fmt`.
    pub fn supports_pix_fmt(&self, fmt: PixelFormat) -> bool {
        self.pix_fmts.is_none_or(|l| l.contains(&fmt))
    }
}

/// A set of decoders and encoders.
#[derive(Debug, Clone, Default)]
pub struct CodecRegistry {
    decoders: Vec<DecoderInfo>,
    encoders: Vec<EncoderInfo>,
}

impl CodecRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every codec implemented in this crate.
    pub fn builtin() -> Self {
        let mut r = Self::new();
        for d in crate::codecs::decoders() {
            r.register_decoder(d);
        }
        for e in crate::codecs::encoders() {
            r.register_encoder(e);
        }
        r
    }

    /// Adds a decoder; a later one with the same name replaces the earlier.
    pub fn register_decoder(&mut self, d: DecoderInfo) {
        self.decoders.retain(|x| x.name != d.name);
        self.decoders.push(d);
    }

    /// Adds an encoder; a later one with the same name replaces the earlier.
    pub fn register_encoder(&mut self, e: EncoderInfo) {
        self.encoders.retain(|x| x.name != e.name);
        self.encoders.push(e);
    }

    /// Registered decoders.
    pub fn decoders(&self) -> &[DecoderInfo] {
        &self.decoders
    }

    /// Registered encoders.
    pub fn encoders(&self) -> &[EncoderInfo] {
        &self.encoders
    }

    /// The first decoder for `id` (cf. `avcodec_find_decoder`).
    pub fn find_decoder(&self, id: CodecId) -> Option<&DecoderInfo> {
        self.decoders.iter().find(|d| d.id == id)
    }

    /// The decoder called `name` (cf. `avcodec_find_decoder_by_name`).
    pub fn find_decoder_by_name(&self, name: &str) -> Option<&DecoderInfo> {
        self.decoders.iter().find(|d| d.name == name)
    }

    /// The first encoder for `id` (cf. `avcodec_find_encoder`).
    pub fn find_encoder(&self, id: CodecId) -> Option<&EncoderInfo> {
        self.encoders.iter().find(|e| e.id == id)
    }

    /// The encoder called `name` (cf. `avcodec_find_encoder_by_name`).
    pub fn find_encoder_by_name(&self, name: &str) -> Option<&EncoderInfo> {
        self.encoders.iter().find(|e| e.name == name)
    }

    /// Opens the first decoder for `params.codec_id`.
    pub fn open_decoder(
        &self,
        params: &CodecParameters,
        opts: &DecoderOptions,
    ) -> Result<Box<dyn Decoder>> {
        let d = self
            .find_decoder(params.codec_id)
            .ok_or_else(|| Error::DecoderNotFound {
                name: params.codec_id.to_string(),
            })?;
        (d.create)(params, opts)
    }

    /// The `ffmpeg -codecs` listing for every codec id, flags showing what this registry can do.
    pub fn list_codecs(&self) -> String {
        let mut s = String::from(
            "Codecs:\n D..... = Decoding supported\n .E.... = Encoding supported\n ..V... = Video codec\n ..A... = Audio codec\n ..S... = Subtitle codec\n ..D... = Data codec\n ..T... = Attachment codec\n ...I.. = Intra frame-only codec\n ....L. = Lossy compression\n .....S = Lossless compression\n -------",
        );
        let mut ids: Vec<CodecId> = CodecId::all().collect();
        ids.sort_by_key(|id| id.name());
        for id in ids {
            let d = id.descriptor();
            let t = match d.media_type {
                MediaType::Video => 'V',
                MediaType::Audio => 'A',
                MediaType::Subtitle => 'S',
                MediaType::Data => 'D',
                MediaType::Attachment => 'T',
            };
            let flag = |b: bool, c: char| if b { c } else { '.' };
            let _ = write!(
                s,
                "\n {}{}{}{}{}{} {:<20} {}",
                flag(self.find_decoder(id).is_some(), 'D'),
                flag(self.find_encoder(id).is_some(), 'E'),
                t,
                flag(d.props.contains(CodecProps::INTRA_ONLY), 'I'),
                flag(d.props.contains(CodecProps::LOSSY), 'L'),
                flag(d.props.contains(CodecProps::LOSSLESS), 'S'),
                d.name,
                d.long_name
            );
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_lookup_and_listing() {
        let r = CodecRegistry::builtin();
        assert!(r.find_decoder(CodecId::PcmS16le).is_some());
        assert!(r.find_encoder_by_name("pcm_mulaw").is_some());
        assert!(r.find_decoder(CodecId::H264).is_none());
        assert!(
            r.find_encoder(CodecId::Rawvideo)
                .is_some_and(|e| e.supports_pix_fmt(PixelFormat::Nv12))
        );
        let l = r.list_codecs();
        assert!(
            l.contains("\n DEAI.S pcm_s16le            PCM signed 16-bit little-endian"),
            "{l}"
        );
        assert!(
            l.contains("\n ..V.LS h264 ") || l.contains("\n ..V.L. h264 "),
            "{l}"
        );
        let err = r
            .open_decoder(
                &CodecParameters::new(CodecId::H264),
                &DecoderOptions::default(),
            )
            .err();
        assert_eq!(
            err.map(|e| e.to_string()).as_deref(),
            Some("decoder 'h264' not found")
        );
    }
}
