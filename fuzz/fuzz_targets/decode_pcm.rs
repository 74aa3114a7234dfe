//! Every PCM decoder on arbitrary packets with parameters taken from the input's first bytes:
//! must return errors, never panic. Packets are also run through the raw PCM demuxers.
#![no_main]

use libfuzzer_sys::fuzz_target;

use avcodec::codecs::pcm;
use avcodec::{CodecId, CodecParameters, CodecRegistry, DecoderOptions, Packet, Received};
use avformat::{FormatRegistry, InputContext, InputOptions, IoReader};
use avutil::ChannelLayout;

const CODECS: &[CodecId] = &[
    CodecId::PcmU8,
    CodecId::PcmS8,
    CodecId::PcmS16le,
    CodecId::PcmS16be,
    CodecId::PcmU16le,
    CodecId::PcmU16be,
    CodecId::PcmS24le,
    CodecId::PcmS24be,
    CodecId::PcmU24le,
    CodecId::PcmU24be,
    CodecId::PcmS32le,
    CodecId::PcmS32be,
    CodecId::PcmU32le,
    CodecId::PcmU32be,
    CodecId::PcmS64le,
    CodecId::PcmS64be,
    CodecId::PcmF32le,
    CodecId::PcmF32be,
    CodecId::PcmF64le,
    CodecId::PcmF64be,
    CodecId::PcmAlaw,
    CodecId::PcmMulaw,
    CodecId::PcmS8Planar,
    CodecId::PcmS16lePlanar,
    CodecId::PcmS16bePlanar,
    CodecId::PcmS24lePlanar,
    CodecId::PcmS32lePlanar,
];

fuzz_target!(|data: &[u8]| {
    if data.len() < 4 {
        return;
    }
    let id = CODECS[data[0] as usize % CODECS.len()];
    let channels = u32::from(data[1] % 12);
    let rate = u32::from(u16::from_le_bytes([data[2], data[3]]));
    let payload = &data[4..];
    let layout = ChannelLayout::default_for(channels);
    let Some(fmt) = pcm::decoded_format(id) else { return };
    let params = CodecParameters::audio(id, fmt, rate, layout);
    let codecs = CodecRegistry::builtin();
    if let Ok(mut dec) = codecs.open_decoder(&params, &DecoderOptions::default()) {
        // Split the payload into a few packets of varying size.
        let mut rest = payload;
        let mut i = 0usize;
        while !rest.is_empty() {
            let n = (1 + (i * 37 + rest[0] as usize) % 97).min(rest.len());
            let mut p = Packet::from_slice(&rest[..n]);
            p.pts = Some(i as i64);
            rest = &rest[n..];
            i += 1;
            if dec.send_packet(&p).is_ok() {
                while let Ok(Received::Item(_)) = dec.receive_frame() {}
            }
        }
        let _ = dec.send_eof();
        while let Ok(Received::Item(_)) = dec.receive_frame() {}
    }
    // The raw demuxer of the same codec with those options.
    let reg = FormatRegistry::builtin();
    let Some(name) = avformat::formats::pcm::FORMATS.iter().find(|f| f.codec == id).map(|f| f.name)
    else {
        return;
    };
    let mut opts = InputOptions::with_format(name);
    opts.format_options.sample_rate = Some(rate);
    opts.format_options.channels = Some(channels);
    let io = IoReader::from_bytes(payload.to_vec(), "fuzz");
    if let Ok(mut ic) = InputContext::open_reader(io, &reg, &opts) {
        while let Ok(Some(_)) = ic.read_packet() {}
    }
});
