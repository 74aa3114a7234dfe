//! The fuzz target bodies over a few thousand random and mutated inputs (a libFuzzer-free
//! smoke run; `just fuzz-build` builds the real targets).

// Helpers of tests panic on failure like the tests themselves.
#![allow(clippy::unwrap_used)]

use avformat::fuzzing::{decode_rawvideo, demux_y4m};

use crate::y4m::fixture;

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// A random mutation of `seed`: byte flips, insertions, deletions, truncation, splices of
/// header-like tokens.
fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    const TOKENS: &[&[u8]] = &[
        b" W",
        b" H",
        b" F",
        b" A",
        b" I",
        b" C",
        b" X",
        b"FRAME",
        b"\n",
        b"420p16",
        b"mono",
        b"444alpha",
        b"YSCSS=",
        b"COLORRANGE=FULL",
        b"-1",
        b"99999999999",
        b"0:0",
        b":",
    ];
    let mut v = seed.to_vec();
    for _ in 0..1 + rng.below(8) {
        let at = rng.below(v.len() + 1);
        match rng.below(6) {
            0 if !v.is_empty() => {
                let i = rng.below(v.len());
                v[i] = rng.next() as u8;
            }
            1 => v.insert(at, rng.next() as u8),
            2 if at < v.len() => {
                v.remove(at);
            }
            3 => v.truncate(at),
            _ => {
                let t = TOKENS[rng.below(TOKENS.len())];
                v.splice(at..at, t.iter().copied());
            }
        }
    }
    v
}

#[test]
fn demux_y4m_survives_random_and_mutated_inputs() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let seeds: Vec<Vec<u8>> = [
        "y4m/yuv420p-33x17.y4m",
        "y4m/yuv444p16-33x17.y4m",
        "y4m/gray-33x17.y4m",
        "y4m/yuv420p-tff-mpeg2.y4m",
    ]
    .iter()
    .map(|f| std::fs::read(fixture(f)).unwrap())
    .collect();
    for i in 0..3000 {
        let input = if i % 4 == 0 {
            let n = rng.below(200);
            let mut v: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
            if i % 8 == 0 {
                v.splice(0..0, b"YUV4MPEG2 ".iter().copied());
            }
            v
        } else {
            let k = rng.below(seeds.len());
            mutate(&mut rng, &seeds[k])
        };
        demux_y4m(&input);
    }
}

#[test]
fn decode_rawvideo_survives_random_inputs() {
    let mut rng = Rng(0x1234_5678_9abc_def1);
    for _ in 0..3000 {
        let n = 5 + rng.below(3000);
        let mut v: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
        // Keep most pictures small enough that the packet can hold them.
        v[3] = 0;
        v[2] %= 64;
        v[4] %= 32;
        decode_rawvideo(&v);
    }
}

#[test]
fn demux_mpegps_survives_random_truncated_and_mutated_inputs() {
    use avformat::fuzzing::demux_mpegps;
    let mut rng = Rng(0x005e_ed0f_4d50_4547);
    let seed = std::fs::read(fixture("mpegps/m1v-bf2-mp2-stereo.mpg")).unwrap();
    // Truncations at every 997th byte.
    for cut in (0..seed.len()).step_by(997) {
        demux_mpegps(&seed[..cut]);
    }
    for i in 0..300 {
        let input = if i % 3 == 0 {
            let n = rng.below(4000);
            let mut v: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
            // Sprinkle start codes so that the demuxer gets past resynchronisation.
            for _ in 0..rng.below(20) {
                let at = rng.below(v.len().max(1));
                let id = [0xba, 0xbb, 0xbd, 0xbe, 0xbf, 0xc0, 0xe0, 0xbc][rng.below(8)];
                v.splice(at..at, [0, 0, 1, id]);
            }
            v
        } else {
            let mut v = seed.clone();
            for _ in 0..1 + rng.below(16) {
                let at = rng.below(v.len());
                match rng.below(3) {
                    0 => v[at] = rng.next() as u8,
                    1 => v.truncate(at.max(1)),
                    _ => v.splice(at..at, [0, 0, 1, 0xe0, 0xff, 0xff]).for_each(drop),
                }
            }
            v
        };
        demux_mpegps(&input);
    }
}
