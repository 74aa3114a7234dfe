//! The MPEG-1 video decoder on arbitrary packets: a fixed sequence header (size from the
//! first input bytes, small) then the input cut into packets at picture start codes and at
//! arbitrary points. Must conceal or return errors, never panic, hang or allocate unboundedly.
#![no_main]

use libfuzzer_sys::fuzz_target;

use avcodec::{CodecId, CodecParameters, CodecRegistry, DecoderOptions, Packet, Received};

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    let w = 16 + u32::from(data[0] % 64) * 4;
    let h = 16 + u32::from(data[1] % 64) * 4;
    let mut seq = vec![0, 0, 1, 0xb3];
    seq.extend_from_slice(&[(w >> 4) as u8, ((w & 15) << 4 | h >> 8) as u8, h as u8, 0x13]);
    seq.extend_from_slice(&[0xff, 0xff, 0xe0, 0x18]);
    let params = CodecParameters::new(CodecId::Mpeg1video);
    let Ok(mut dec) = CodecRegistry::builtin().open_decoder(&params, &DecoderOptions::default()) else {
        return;
    };
    let cut = usize::from(data[2]) + 1;
    let body = &data[3..];
    let mut packets: Vec<Vec<u8>> = vec![seq];
    for chunk in body.chunks(cut.max(64)) {
        packets.push(chunk.to_vec());
    }
    // Also whole pictures as the parser would cut them.
    let mut p = avcodec::parser::ParserContext::new(Box::new(
        avcodec::codecs::mpeg1video::parser::Mpeg1VideoParser::new(),
    ));
    let mut scratch = params.clone();
    let mut units = p.parse(body, None, None, Some(0), &mut scratch);
    units.extend(p.flush(&mut scratch));
    packets.extend(units.into_iter().map(|u| u.data.into_vec()));
    for (i, d) in packets.into_iter().enumerate() {
        let mut pkt = Packet::from_slice(&d);
        pkt.dts = Some(i as i64);
        let _ = dec.send_packet(&pkt);
        while let Ok(Received::Item(_)) = dec.receive_frame() {}
        if i == 3 {
            dec.flush();
        }
    }
    let _ = dec.send_eof();
    while let Ok(Received::Item(_)) = dec.receive_frame() {}
});
