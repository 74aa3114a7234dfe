//! `avcodec`: packets, codec identifiers and parameters, the decoder and
//! encoder traits, codec registries and the codecs (cf. libavcodec).
//!
//! ```
//! use avcodec::{CodecId, CodecParameters, CodecRegistry, DecoderOptions, Packet, Received};
//! use avutil::{ChannelLayout, SampleFormat};
//!
//! let registry = CodecRegistry::builtin();
//! let params = CodecParameters::audio(CodecId::PcmS16be, SampleFormat::S16, 8000, ChannelLayout::MONO);
//! let mut dec = registry.open_decoder(&params, &DecoderOptions::default()).unwrap();
//! let _ = dec.send_packet(&Packet::from_slice(&[0x01, 0x00, 0xff, 0xff])).unwrap();
//! let Received::Item(frame) = dec.receive_frame().unwrap() else { unreachable!() };
//! let samples: Vec<i16> = frame.plane(0).chunks(2).map(|b| i16::from_ne_bytes([b[0], b[1]])).collect();
//! assert_eq!(samples, [256, -1]);
//! ```
#![deny(unsafe_code)]

pub mod bitstream;
pub mod codec;
pub mod codec_id;
pub mod codecs;
pub mod dct;
pub mod error;
pub mod packet;
pub mod params;
pub mod parser;
pub mod registry;
#[cfg(target_arch = "x86_64")]
mod simd;
pub mod vlc;

pub use codec::{Decoder, DecoderOptions, Encoder, EncoderOptions, Received, SendStatus};
pub use codec_id::{CodecDescriptor, CodecId, CodecProps, MediaType};
pub use error::{Error, Result};
pub use packet::{Packet, PacketFlags, SideData, SideDataKind};
pub use params::{CodecParameters, FieldOrder};
pub use registry::{CodecRegistry, DecoderInfo, EncoderInfo};
