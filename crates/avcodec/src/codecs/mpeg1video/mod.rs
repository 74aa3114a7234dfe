//! MPEG-1 video (ISO/IEC 11172-2): decoder, encoder and elementary stream
//! parser (cf. FFmpeg's `mpeg1video` decoder and encoder and `mpegvideo` parser).
//!
//! The decoder handles the sequence, group-of-pictures, picture, slice and
//! macroblock layers of I, P, B and D pictures with default or loaded
//! quantizer matrices, and produces `yuv420p` frames in display order that are
//! bit-exact with FFmpeg 5.1 (`-idct simple`, see [`crate::dct`]).
//! Packets must hold whole pictures, as [`parser::Mpeg1VideoParser`] cuts them.
//!
//! ```
//! use avcodec::codecs::mpeg1video::parser::Mpeg1VideoParser;
//! use avcodec::{CodecId, CodecParameters, parser::ParserContext};
//! // A sequence header, then a picture: the parser finds where each picture ends.
//! let mut p = ParserContext::new(Box::new(Mpeg1VideoParser::new()));
//! let es = [0, 0, 1, 0xb3, 0x16, 0x01, 0x20, 0x13, 0xff, 0xff, 0xe0, 0x18,
//!           0, 0, 1, 0x00, 0, 0x0f, 0xff, 0xf8, 0, 0, 1, 0x01, 0x12];
//! let mut params = CodecParameters::new(CodecId::Mpeg1video);
//! let mut units = p.parse(&es, None, None, Some(0), &mut params);
//! units.extend(p.flush(&mut params));
//! assert_eq!(units.len(), 1);
//! assert_eq!(p.parser().sequence().map(|s| (s.width, s.height)), Some((352, 288)));
//! ```

mod decoder;
mod encoder;
mod fdct;
pub mod headers;
pub(crate) mod mc;
mod motion;
pub mod parser;
mod ratecontrol;
mod slice;
pub mod tables;
mod vlcs;

pub use decoder::Mpeg1VideoDecoder;
pub use encoder::Mpeg1VideoEncoder;

use crate::codec::{Decoder, DecoderOptions, Encoder, EncoderOptions};
use crate::codec_id::CodecId;
use crate::error::Result;
use crate::params::CodecParameters;
use crate::registry::{DecoderInfo, EncoderInfo};
use avutil::PixelFormat;

fn create_decoder(params: &CodecParameters, opts: &DecoderOptions) -> Result<Box<dyn Decoder>> {
    Ok(Box::new(Mpeg1VideoDecoder::new(params, opts)?))
}

/// Registry entry of the decoder.
pub fn decoder() -> DecoderInfo {
    DecoderInfo {
        name: "mpeg1video",
        long_name: "MPEG-1 video",
        id: CodecId::Mpeg1video,
        create: create_decoder,
    }
}

fn create_encoder(opts: &EncoderOptions) -> Result<Box<dyn Encoder>> {
    Ok(Box::new(Mpeg1VideoEncoder::new(opts)?))
}

/// Registry entry of the encoder.
pub fn encoder() -> EncoderInfo {
    EncoderInfo {
        name: "mpeg1video",
        long_name: "MPEG-1 video",
        id: CodecId::Mpeg1video,
        pix_fmts: Some(&[PixelFormat::Yuv420p]),
        sample_fmts: &[],
        create: create_encoder,
    }
}
