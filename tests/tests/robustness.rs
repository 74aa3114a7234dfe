//! Probing, demuxing and decoding arbitrary bytes with every registered format
//! and codec returns, never panics (the body of the `probe_any` fuzz target).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn probe_any(data: &[u8]) {
    let formats = fastforward::default::formats();
    let codecs = fastforward::default::codecs();
    let io = fastforward::avformat::IoReader::from_bytes(data.to_vec(), "fuzz");
    let Ok(mut ctx) =
        fastforward::avformat::InputContext::open_reader(io, &formats, &Default::default())
    else {
        return;
    };
    let mut decoders: Vec<_> = ctx
        .streams()
        .iter()
        .map(|s| codecs.open_decoder(&s.params, &Default::default()).ok())
        .collect();
    for _ in 0..1000 {
        match ctx.read_packet() {
            Ok(Some(p)) => {
                if let Some(Some(d)) = decoders.get_mut(p.stream_index) {
                    let _ = d.send_packet(&p);
                    while let Ok(fastforward::avcodec::Received::Item(_)) = d.receive_frame() {}
                }
            }
            _ => break,
        }
    }
}

#[test]
fn random_and_mutated_inputs_never_panic() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let seeds: Vec<Vec<u8>> = ["wav/s16le-stereo.wav", "y4m/yuv420p-33x17.y4m"]
        .iter()
        .map(|f| {
            std::fs::read(format!("{}/../fixtures/{f}", env!("CARGO_MANIFEST_DIR")))
                .expect("fixture")
        })
        .collect();
    for i in 0..600 {
        let mut data = if i % 3 == 0 {
            (0..rng.random_range(0..4096))
                .map(|_| rng.random())
                .collect()
        } else {
            seeds[i % seeds.len()].clone()
        };
        if !data.is_empty() {
            for _ in 0..rng.random_range(1..16) {
                let at = rng.random_range(0..data.len());
                data[at] = rng.random();
            }
            if rng.random_bool(0.3) {
                let cut = rng.random_range(0..data.len());
                data.truncate(cut);
            }
        }
        probe_any(&data);
    }
}
