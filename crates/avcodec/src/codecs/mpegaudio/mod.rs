//! MPEG-1/2 audio Layers I and II (ISO/IEC 11172-3, 13818-3 low sampling
//! frequencies; cf. FFmpeg's `mpegaudiodec_*.c`, `mpegaudioenc*.c`,
//! `mpegaudio_parser.c`).
//!
//! * Decoders `mp1`, `mp2`: fixed point, planar s16, sample-identical to
//!   FFmpeg's default decoders; `mp1float`, `mp2float`: planar float.
//! * Encoder `mp2`: Layer II with a psychoacoustic model, bit allocation
//!   to the requested bit rate, joint stereo and optional CRC.
//! * [`parser::MpaParser`] splits elementary streams into frames (the
//!   [`crate::parser::Parser`] for MPEG audio).
//!
//! ```
//! use avcodec::codecs::mpegaudio::header::Header;
//! let h = Header::parse(0xfffd_a404).unwrap();
//! assert_eq!((h.layer, h.sample_rate, h.bit_rate(), h.frame_size()), (2, 48000, 192_000, Some(576)));
//! ```

// Index loops follow the standard's notation (sb[ch][slot][subband]) across several arrays.
#![allow(clippy::needless_range_loop)]

pub mod decoder;
pub mod encoder;
pub mod header;
pub mod layer12;
pub mod parser;
pub mod psy;
pub mod synth;
pub mod tables;

use avutil::SampleFormat;

use crate::codec::{Decoder, DecoderOptions, Encoder, EncoderOptions};
use crate::codec_id::CodecId;
use crate::error::Result;
use crate::params::CodecParameters;
use crate::registry::{DecoderInfo, EncoderInfo};
use decoder::{MpaDecoder, Output};

fn fixed(p: &CodecParameters, o: &DecoderOptions) -> Result<Box<dyn Decoder>> {
    Ok(Box::new(MpaDecoder::new(p, o, Output::S16p)?))
}

fn float(p: &CodecParameters, o: &DecoderOptions) -> Result<Box<dyn Decoder>> {
    Ok(Box::new(MpaDecoder::new(p, o, Output::Fltp)?))
}

/// Registry entries of the decoders, the fixed-point ones first (the defaults, as in FFmpeg).
pub fn decoders() -> Vec<DecoderInfo> {
    vec![
        DecoderInfo {
            name: "mp1",
            long_name: "MP1 (MPEG audio layer 1)",
            id: CodecId::Mp1,
            create: fixed,
        },
        DecoderInfo {
            name: "mp1float",
            long_name: "MP1 (MPEG audio layer 1)",
            id: CodecId::Mp1,
            create: float,
        },
        DecoderInfo {
            name: "mp2",
            long_name: "MP2 (MPEG audio layer 2)",
            id: CodecId::Mp2,
            create: fixed,
        },
        DecoderInfo {
            name: "mp2float",
            long_name: "MP2 (MPEG audio layer 2)",
            id: CodecId::Mp2,
            create: float,
        },
    ]
}

fn create_encoder(o: &EncoderOptions) -> Result<Box<dyn Encoder>> {
    Ok(Box::new(encoder::Mp2Encoder::new(o)?))
}

/// Registry entry of the Layer II encoder.
pub fn encoder() -> EncoderInfo {
    EncoderInfo {
        name: "mp2",
        long_name: "MP2 (MPEG audio layer 2)",
        id: CodecId::Mp2,
        pix_fmts: None,
        sample_fmts: &[SampleFormat::S16],
        create: create_encoder,
    }
}
