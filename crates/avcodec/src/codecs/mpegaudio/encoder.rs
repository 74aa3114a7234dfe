//! The Layer II encoder (ISO/IEC 11172-3 annex C.1.5): polyphase analysis
//! filterbank, scale factors with their transmission patterns, the
//! psychoacoustic model of [`super::psy`], bit allocation by lowest
//! mask-to-noise ratio first within the frame's bit budget, optional
//! intensity (joint) stereo and CRC protection.
//!
//! Private options: `mode` (`auto`, `stereo`, `joint_stereo`, `dual_channel`;
//! `auto` uses joint stereo below 128 kbit/s for stereo input) and
//! `error_protection` (`0`/`1`, as FFmpeg's `libtwolame` wrapper names it).

use std::collections::VecDeque;

use avutil::hash::{CrcKind, crc_update};
use avutil::{ChannelLayout, Frame, Rational, SampleFormat};

use super::header::Mode;
use super::psy::{FFT_LEN, PsyModel};
use super::tables::{
    AllocTable, BITRATES, QUANT_BITS, QUANT_STEPS, SAMPLE_RATES, SBLIMITS, alloc_table,
    select_table, synth_window,
};
use crate::bitstream::BitWriter;
use crate::codec::{Encoder, EncoderOptions, Received, SendStatus};
use crate::codec_id::CodecId;
use crate::error::{Error, Result};
use crate::packet::Packet;
use crate::params::CodecParameters;

/// Samples per channel in a frame.
pub const FRAME_SIZE: usize = 1152;
/// Samples of look-back the analysis window needs.
const HIST: usize = 512;

/// Signal-to-noise ratio in dB of each quantisation class (table C.5), index 0 = no allocation.
const SNR: [f32; 18] = [
    0.0, 7.00, 11.00, 16.00, 20.84, 25.28, 31.59, 37.75, 43.84, 49.89, 55.93, 61.96, 67.98, 74.01,
    80.03, 86.05, 92.01, 98.01,
];

/// Stereo coding chosen with the `mode` option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StereoChoice {
    Auto,
    Fixed(Mode),
}

/// The Layer II encoder (cf. FFmpeg's `mp2` encoder).
pub struct Mp2Encoder {
    params: CodecParameters,
    time_base: Rational,
    nch: usize,
    lsf: bool,
    sr_index: u32,
    bitrate_index: u32,
    kbps: u32,
    table: &'static AllocTable,
    sblimit: usize,
    stereo: StereoChoice,
    crc: bool,
    /// Slot remainder for padding (cf. 2.4.3.1).
    frac: u64,
    /// The analysis window reversed within each 64-sample block: `wrev[64j + r] = C[64j + 63 - r]`.
    wrev: [f32; 512],
    /// Factors of the fast folded matrixing (see [`Dct3`]).
    dct3: Dct3,
    /// Scale factor values 2^(1 - i/3).
    scf_tab: [f32; 64],
    psy: PsyModel,
    /// Per channel: input samples (full scale 1.0), the first `HIST` being history.
    input: [Vec<f32>; 2],
    /// Pts of the first sample not yet encoded.
    next_pts: Option<i64>,
    out: VecDeque<Packet>,
    eof: bool,
    flushed: bool,
}

impl std::fmt::Debug for Mp2Encoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Mp2Encoder({} kbit/s, {} ch)", self.kbps, self.nch)
    }
}

impl Mp2Encoder {
    /// Opens an encoder: s16 input, 32/44.1/48 kHz or 16/22.05/24 kHz, mono or stereo, a
    /// Layer II bit rate (by default 384 kbit/s, 160 kbit/s at the low rates, as FFmpeg).
    pub fn new(opts: &EncoderOptions) -> Result<Self> {
        let p = &opts.params;
        let bad = |what: String| Error::InvalidParameters {
            codec: CodecId::Mp2,
            what,
        };
        if p.sample_fmt != Some(SampleFormat::S16) {
            return Err(bad(format!(
                "sample format {} is not supported (use s16)",
                p.sample_fmt.map_or("none", |f| f.name())
            )));
        }
        let nch = p.channels() as usize;
        if !(1..=2).contains(&nch) {
            return Err(bad(format!("{nch} channels (1 or 2 supported)")));
        }
        let rate = p.sample_rate;
        let (sr_index, lsf) = SAMPLE_RATES
            .iter()
            .enumerate()
            .find_map(|(i, &r)| {
                if r == rate {
                    Some((i as u32, false))
                } else if r / 2 == rate {
                    Some((i as u32, true))
                } else {
                    None
                }
            })
            .ok_or_else(|| bad(format!("sample rate {rate} Hz is not supported")))?;
        let kbps = opts
            .bit_rate
            .map_or(if lsf { 160 } else { 384 }, |b| (b / 1000) as u32);
        let bitrate_index = BITRATES[usize::from(lsf)][1]
            .iter()
            .position(|&b| u32::from(b) == kbps && b != 0)
            .ok_or_else(|| bad(format!("bit rate {kbps} kbit/s is not a Layer II bit rate")))?
            as u32;
        let mut stereo = StereoChoice::Auto;
        let mut crc = false;
        for (k, v) in opts.private.iter() {
            let inval = || Error::InvalidOption {
                codec: "mp2".into(),
                option: k.to_owned(),
                value: v.to_owned(),
            };
            match k {
                "mode" => {
                    stereo = match v {
                        "auto" => StereoChoice::Auto,
                        "stereo" => StereoChoice::Fixed(Mode::Stereo),
                        "joint_stereo" => StereoChoice::Fixed(Mode::JointStereo),
                        "dual_channel" => StereoChoice::Fixed(Mode::DualChannel),
                        _ => return Err(inval()),
                    }
                }
                "error_protection" => {
                    crc = match v {
                        "0" => false,
                        "1" => true,
                        _ => return Err(inval()),
                    }
                }
                _ => {
                    return Err(Error::UnknownOption {
                        codec: "mp2".into(),
                        option: k.to_owned(),
                    });
                }
            }
        }
        let ti = select_table(kbps, nch as u32, rate, lsf);
        let w = synth_window();
        let mut window = [0f32; 512];
        for (c, &d) in window.iter_mut().zip(w.iter()) {
            // The analysis window C is D / 32 (tables C.1 and B.3).
            *c = (f64::from(d) / 65536.0 / 32.0) as f32;
        }
        let mut params = CodecParameters::audio(
            CodecId::Mp2,
            SampleFormat::S16,
            rate,
            p.ch_layout.unwrap_or(if nch == 1 {
                ChannelLayout::MONO
            } else {
                ChannelLayout::STEREO
            }),
        );
        params.bit_rate = Some(u64::from(kbps) * 1000);
        params.frame_size = FRAME_SIZE as u32;
        Ok(Mp2Encoder {
            params,
            time_base: opts.time_base,
            nch,
            lsf,
            sr_index,
            bitrate_index,
            kbps,
            table: alloc_table(ti),
            sblimit: SBLIMITS[ti],
            stereo,
            crc,
            frac: 0,
            wrev: std::array::from_fn(|n| window[(n & !63) + 63 - (n & 63)]),
            dct3: Dct3::new(),
            scf_tab: std::array::from_fn(|i| scf_value(i as u8)),
            psy: PsyModel::new(rate),
            input: [vec![0.0; HIST], vec![0.0; HIST]],
            next_pts: None,
            out: VecDeque::new(),
            eof: false,
            flushed: false,
        })
    }

    /// Polyphase analysis (figure C.4) of the 36 x 32 samples of channel `ch` after the history.
    ///
    /// The 64-point matrixing `S[k] = sum_i cos((2k+1)(i-16) pi/64) Y[i]` is folded first: the
    /// cosine is even around i = 16 and odd around i = 48, so
    /// `S[k] = sum_{m<32} cos((2k+1) m pi/64) T[m]` with `T[0] = Y[16]`,
    /// `T[m] = Y[16+m] + Y[16-m]` (m <= 16) and `T[m] = Y[16+m] - Y[80-m]` (m > 16).
    fn analyse(&self, ch: usize, sb: &mut [[f32; 32]; 36]) {
        let x = &self.input[ch];
        for (t, out) in sb.iter_mut().enumerate() {
            // X[i], the sample i steps back from the newest, is rev[i].
            let newest = HIST + 32 * t + 31;
            let rev = &x[newest + 1 - 512..newest + 1];
            // yr[r] = Y[63 - r]; `wrev` holds the window in the same reversed order.
            let mut yr = [0f32; 64];
            for j in 0..8 {
                let base = 512 - 64 * j;
                let seg = &rev[base - 64..base];
                let win = &self.wrev[64 * j..64 * j + 64];
                for r in 0..64 {
                    yr[r] += win[r] * seg[r];
                }
            }
            let y: [f32; 64] = std::array::from_fn(|i| yr[63 - i]);
            let mut tm = [0f32; 32];
            tm[0] = y[16];
            for m in 1..=16 {
                tm[m] = y[16 + m] + y[16 - m];
            }
            for m in 17..32 {
                tm[m] = y[16 + m] - y[80 - m];
            }
            self.dct3.transform(&mut tm);
            *out = tm;
        }
    }

    /// Encodes the first `FRAME_SIZE` samples after the history into one packet.
    fn encode_frame(&mut self) -> Packet {
        let nch = self.nch;
        let sblimit = self.sblimit;
        let mut sb = [[[0f32; 32]; 36]; 2];
        for ch in 0..nch {
            self.analyse(ch, &mut sb[ch]);
        }
        // Scale factors: the smallest of 2^(1 - i/3) covering each part.
        let mut scf = [[[0u8; 3]; 32]; 2];
        let mut scfsi = [[0u8; 32]; 2];
        let mut scf_max = [[0f32; 32]; 2];
        for ch in 0..nch {
            for i in 0..sblimit {
                for part in 0..3 {
                    let m = (0..12)
                        .map(|t| sb[ch][part * 12 + t][i].abs())
                        .fold(0f32, f32::max);
                    scf[ch][i][part] = scf_index(m);
                }
                scfsi[ch][i] = choose_scfsi(&mut scf[ch][i]);
                scf_max[ch][i] = scf_value(*scf[ch][i].iter().min().unwrap_or(&62));
            }
        }
        // Psychoacoustic model on the samples the frame's subband samples were filtered from:
        // slot t is centred on input sample 32t + 31 - 255.5, on average 335.5 after the frame start.
        let mut smr = [[0f32; 32]; 2];
        for ch in 0..nch {
            let start = HIST + 336 - FFT_LEN / 2;
            let window = &self.input[ch][start..start + FFT_LEN];
            let psy = &mut self.psy;
            psy.smr(window, &scf_max[ch], &mut smr[ch]);
        }
        // Frame budget and padding.
        let sr = (SAMPLE_RATES[self.sr_index as usize] >> u32::from(self.lsf)) as u64;
        let num = u64::from(self.kbps) * 144_000;
        let base = num / sr;
        self.frac += num % sr;
        let padding = self.frac >= sr;
        if padding {
            self.frac -= sr;
        }
        let frame_bytes = base as usize + usize::from(padding);
        let mut mode = match (nch, self.stereo) {
            (1, _) => Mode::Mono,
            (_, StereoChoice::Fixed(m)) => m,
            (_, StereoChoice::Auto) if self.kbps < 128 && !self.lsf => Mode::JointStereo,
            (_, StereoChoice::Auto) if self.kbps < 64 => Mode::JointStereo,
            _ => Mode::Stereo,
        };
        let mut bound = sblimit;
        let mut mode_ext = 0u32;
        let (mut alloc, ok) = self.allocate(&smr, &scfsi, frame_bytes, sblimit);
        if mode == Mode::JointStereo && (!ok || self.stereo != StereoChoice::Auto) {
            // The highest bound (fewest intensity bands) that leaves every band at MNR >= 0,
            // else the lowest.
            for ext in (0..4u32).rev() {
                let b = ((ext as usize + 1) * 4).min(sblimit);
                let (a, ok) = self.allocate(&smr, &scfsi, frame_bytes, b);
                if ok || ext == 0 {
                    (alloc, bound, mode_ext) = (a, b, ext);
                    if ok {
                        break;
                    }
                }
            }
            // Intensity bands carry the mid signal with per-channel scale factors.
            for i in bound..sblimit {
                for t in 0..36 {
                    sb[0][t][i] = 0.5 * (sb[0][t][i] + sb[1][t][i]);
                }
            }
        } else if mode == Mode::JointStereo {
            mode = Mode::Stereo;
        }
        // Bitstream.
        let mut w = BitWriter::with_capacity(frame_bytes);
        let header = 0xfff0_0000u32
            | (u32::from(!self.lsf) << 19)
            | (2 << 17)
            | (u32::from(!self.crc) << 16)
            | (self.bitrate_index << 12)
            | (self.sr_index << 10)
            | (u32::from(padding) << 9)
            | (mode.bits() << 6)
            | (if mode == Mode::JointStereo {
                mode_ext << 4
            } else {
                0
            });
        w.write(32, header);
        if self.crc {
            w.write(16, 0);
        }
        let t = self.table;
        for i in 0..sblimit {
            let n = u32::from(t.nbal[i]);
            if i < bound {
                for a in alloc.iter().take(nch) {
                    w.write(n, u32::from(a[i]));
                }
            } else {
                w.write(n, u32::from(alloc[0][i]));
            }
        }
        // Intensity bands: per-channel scale factors of the channel signals, samples of the mid.
        let mut norm_scf = scf;
        for i in bound..sblimit {
            for part in 0..3 {
                let m = (0..12)
                    .map(|t| sb[0][part * 12 + t][i].abs())
                    .fold(0f32, f32::max);
                norm_scf[0][i][part] = scf_index(m);
            }
        }
        for i in 0..sblimit {
            for ch in 0..nch {
                if alloc_of(&alloc, ch, i, bound) != 0 {
                    w.write(2, u32::from(scfsi[ch][i]));
                }
            }
        }
        let crc_end = w.bit_len();
        for i in 0..sblimit {
            for ch in 0..nch {
                if alloc_of(&alloc, ch, i, bound) == 0 {
                    continue;
                }
                let s = scf[ch][i];
                match scfsi[ch][i] {
                    0 => s.iter().for_each(|&v| w.write(6, u32::from(v))),
                    1 | 3 => {
                        w.write(6, u32::from(s[0]));
                        w.write(6, u32::from(s[2]));
                    }
                    _ => w.write(6, u32::from(s[0])),
                }
            }
        }
        for part in 0..3 {
            for g in 0..4 {
                for i in 0..sblimit {
                    let chans = if i < bound { nch } else { 1 };
                    for ch in 0..chans {
                        let a = alloc[ch][i];
                        if a == 0 {
                            continue;
                        }
                        let q = usize::from(t.classes[i][usize::from(a)]);
                        let steps = QUANT_STEPS[q];
                        // Samples are normalised by the transmitted scale factor; intensity bands
                        // use the mid signal normalised by its own scale factor.
                        let sfi = if i < bound {
                            scf[ch][i][part]
                        } else {
                            norm_scf[0][i][part]
                        };
                        let inv = 1.0 / self.scf_tab[usize::from(sfi & 63)];
                        let codes: [u32; 3] = std::array::from_fn(|m| {
                            let x = sb[ch][part * 12 + g * 3 + m][i] * inv;
                            quantise(x, steps)
                        });
                        let bits = QUANT_BITS[q];
                        if bits < 0 {
                            let st = steps as u32;
                            w.write((-bits) as u32, codes[0] + st * (codes[1] + st * codes[2]));
                        } else {
                            for c in codes {
                                w.write(bits as u32, c);
                            }
                        }
                    }
                }
            }
        }
        let mut data = w.finish();
        data.resize(frame_bytes, 0);
        if self.crc {
            let crc = crc_bits(&data, crc_end - 48);
            data[4] = (crc >> 8) as u8;
            data[5] = crc as u8;
        }
        let mut pkt = Packet::from_slice(&data);
        pkt.pts = self.next_pts;
        pkt.dts = self.next_pts;
        pkt.duration = Some(FRAME_SIZE as i64);
        pkt.time_base = self.time_base;
        pkt.flags.key = true;
        self.next_pts = self.next_pts.map(|p| p + FRAME_SIZE as i64);
        pkt
    }

    /// Bit allocation for stereo bound `bound`: greedy on the lowest mask-to-noise ratio; returns
    /// the allocation and whether every band reached MNR >= 0.
    fn allocate(
        &self,
        smr: &[[f32; 32]; 2],
        scfsi: &[[u8; 32]; 2],
        frame_bytes: usize,
        bound: usize,
    ) -> ([[u8; 32]; 2], bool) {
        let t = self.table;
        let nch = self.nch;
        let mut used = 32 + if self.crc { 16 } else { 0 };
        for i in 0..self.sblimit {
            let n = usize::from(t.nbal[i]);
            used += if i < bound { n * nch } else { n };
        }
        let budget = frame_bytes * 8;
        let mut alloc = [[0u8; 32]; 2];
        let sample_bits = |q: usize| -> usize {
            let b = QUANT_BITS[q];
            12 * if b < 0 { (-b) as usize } else { 3 * b as usize }
        };
        let scf_bits = |ch: usize, i: usize| 2 + 6 * [3, 2, 1, 2][usize::from(scfsi[ch][i])];
        let band_smr = |ch: usize, i: usize| {
            if i >= bound {
                smr[0][i].max(smr[1][i])
            } else {
                smr[ch][i]
            }
        };
        // Lowest mask-to-noise ratio first (ties: lower channel, then lower subband).
        // Packed into one integer: MNR in 1/1024 dB (biased positive), channel, subband.
        let key = |mnr: f32, ch: usize, i: usize| {
            let m = ((mnr.clamp(-1000.0, 1000.0) + 1024.0) * 1024.0) as u64;
            std::cmp::Reverse((m << 16) | ((ch as u64) << 8) | i as u64)
        };
        let mut heap = std::collections::BinaryHeap::with_capacity(64);
        for ch in 0..nch {
            for i in 0..self.sblimit {
                if i < bound || ch == 0 {
                    heap.push(key(-band_smr(ch, i), ch, i));
                }
            }
        }
        while let Some(std::cmp::Reverse(k)) = heap.pop() {
            let (ch, i) = (((k >> 8) & 0xff) as usize, (k & 0xff) as usize);
            let a = usize::from(alloc[ch][i]);
            if a + 1 >= t.classes[i].len() {
                continue;
            }
            let q_new = usize::from(t.classes[i][a + 1]);
            let mut incr = sample_bits(q_new);
            if a == 0 {
                incr += scf_bits(ch, i);
                if i >= bound && nch == 2 {
                    incr += scf_bits(1, i);
                }
            } else {
                incr -= sample_bits(usize::from(t.classes[i][a]));
            }
            if used + incr > budget {
                continue;
            }
            used += incr;
            alloc[ch][i] += 1;
            if i >= bound {
                alloc[1][i] = alloc[0][i];
            }
            heap.push(key(SNR[q_new + 1] - band_smr(ch, i), ch, i));
        }
        let ok = (0..nch).all(|ch| {
            (0..self.sblimit).all(|i| {
                let q = usize::from(alloc[ch][i]);
                let snr = if q == 0 {
                    0.0
                } else {
                    SNR[usize::from(t.classes[i][q]) + 1]
                };
                snr >= smr[ch][i]
            })
        });
        (alloc, ok)
    }

    /// Frames ready to encode: moves complete frames from the input buffer to the queue.
    fn drain_input(&mut self, flush: bool) {
        // The psychoacoustic window ends before the frame does: no look-ahead.
        let look = 0;
        loop {
            let have = self.input[0].len() - HIST;
            let enough = have >= FRAME_SIZE + look || (flush && have > 0);
            if !enough {
                break;
            }
            if flush && have < FRAME_SIZE + look {
                for ch in 0..self.nch {
                    let l = self.input[ch].len();
                    self.input[ch].resize(l.max(HIST + FRAME_SIZE + look), 0.0);
                }
            }
            let pkt = self.encode_frame();
            self.out.push_back(pkt);
            for ch in 0..self.nch {
                self.input[ch].drain(..FRAME_SIZE);
            }
            if flush && have <= FRAME_SIZE {
                break;
            }
        }
    }
}

fn alloc_of(alloc: &[[u8; 32]; 2], ch: usize, i: usize, bound: usize) -> u8 {
    if i >= bound {
        alloc[0][i]
    } else {
        alloc[ch][i]
    }
}

/// The value of scale factor index `i`: 2^(1 - i/3).
fn scf_value(i: u8) -> f32 {
    static T: std::sync::OnceLock<[f32; 64]> = std::sync::OnceLock::new();
    T.get_or_init(|| std::array::from_fn(|i| 2f32.powf(1.0 - i as f32 / 3.0)))[usize::from(i & 63)]
}

/// The 32-point DCT-III `x[k] = sum_{n<32} X[n] cos((2k+1) n pi / 64)` (the
/// folded analysis matrixing) in O(N log N), by the even/odd split of B. G.
/// Lee's recursive algorithm: with `G[n] = X[2n]` and `H[n] = X[2n+1] +
/// X[2n-1]` (`X[-1] = 0`), both halves are N/2-point DCT-IIIs `g`, `h`, and
/// `x[k] = g[k] + h[k] / (2 cos((2k+1) pi / 2N))`, `x[N-1-k]` the same with a
/// minus. About 80 multiplications instead of 1024.
#[derive(Debug, Clone)]
struct Dct3 {
    /// `1 / (2 cos((2k+1) pi / 2N))` for N = 32, 16, 8, 4, 2 (row `5 - log2 N`).
    factors: [[f32; 16]; 5],
}

impl Dct3 {
    fn new() -> Dct3 {
        Dct3 {
            factors: std::array::from_fn(|level| {
                let n = 32usize >> level;
                std::array::from_fn(|k| {
                    if k < n / 2 {
                        let a = (2 * k + 1) as f64 * std::f64::consts::PI / (2 * n) as f64;
                        (0.5 / a.cos()) as f32
                    } else {
                        0.0
                    }
                })
            }),
        }
    }

    fn transform(&self, x: &mut [f32; 32]) {
        dct3_32(x, &self.factors);
    }
}

/// One level of [`Dct3`] on fixed sizes (fully inlined, no bounds checks):
/// `$name` transforms `[f32; $n]` with factor row `$level`, through `$sub`.
macro_rules! dct3_level {
    ($name:ident, $n:literal, $level:literal, $sub:ident) => {
        #[inline(always)]
        fn $name(x: &mut [f32; $n], f: &[[f32; 16]; 5]) {
            const HALF: usize = $n / 2;
            let mut g = [0f32; HALF];
            let mut h = [0f32; HALF];
            for j in 0..HALF {
                g[j] = x[2 * j];
                h[j] = x[2 * j + 1] + if j > 0 { x[2 * j - 1] } else { 0.0 };
            }
            $sub(&mut g, f);
            $sub(&mut h, f);
            let f = &f[$level];
            for k in 0..HALF {
                let o = h[k] * f[k];
                x[k] = g[k] + o;
                x[$n - 1 - k] = g[k] - o;
            }
        }
    };
}

#[inline(always)]
fn dct3_1(_: &mut [f32; 1], _: &[[f32; 16]; 5]) {}
dct3_level!(dct3_2, 2, 4, dct3_1);
dct3_level!(dct3_4, 4, 3, dct3_2);
dct3_level!(dct3_8, 8, 2, dct3_4);
dct3_level!(dct3_16, 16, 1, dct3_8);
dct3_level!(dct3_32, 32, 0, dct3_16);

/// The largest index whose scale factor still covers `max` (0..=62).
fn scf_index(max: f32) -> u8 {
    if max <= 0.0 {
        return 62;
    }
    let i = ((1.0 - max.log2()) * 3.0).floor();
    let mut i = i.clamp(0.0, 62.0) as u8;
    while i > 0 && scf_value(i) < max {
        i -= 1;
    }
    while i < 62 && scf_value(i + 1) >= max {
        i += 1;
    }
    i
}

/// Picks the scale factor transmission pattern (table C.4) and merges the
/// scale factors it shares, keeping the larger of merged values.
fn choose_scfsi(s: &mut [u8; 3]) -> u8 {
    let class = |d: i32| match d {
        i32::MIN..=-3 => 0,
        -2..=-1 => 1,
        0 => 2,
        1..=2 => 3,
        _ => 4,
    };
    let d1 = class(i32::from(s[0]) - i32::from(s[1]));
    let d2 = class(i32::from(s[1]) - i32::from(s[2]));
    match (d1, d2) {
        (0, 0) | (0, 4) | (3, 4) | (4, 0) | (4, 4) => 0,
        (0, 1) | (0, 2) | (4, 1) | (4, 2) => {
            s[2] = s[1];
            3
        }
        (0, 3) | (4, 3) => {
            s[1] = s[2];
            3
        }
        (1, 0) | (1, 4) | (2, 4) => {
            s[1] = s[0];
            1
        }
        (1, 1) | (1, 2) | (2, 0) | (2, 1) | (2, 2) => {
            s[1] = s[0];
            s[2] = s[0];
            2
        }
        (2, 3) | (3, 3) => {
            s[0] = s[2];
            s[1] = s[2];
            2
        }
        (3, _) => {
            s[0] = s[1];
            s[2] = s[1];
            2
        }
        _ => {
            let m = s[0].min(s[2]);
            *s = [m; 3];
            2
        }
    }
}

/// The code of the nearest level of a `steps`-level quantiser for `x` in [-1, 1]
/// (levels at `(code - (steps - 1) / 2) * 2 / steps`).
fn quantise(x: f32, steps: i32) -> u32 {
    // Non-negative after the clamp, so truncation is the floor.
    let c = ((x + 1.0) * steps as f32 * 0.5).clamp(0.0, (steps - 1) as f32);
    c as u32
}

/// The CRC-16 of header bytes 2-3 and `bits` bits following the CRC field.
fn crc_bits(frame: &[u8], bits: usize) -> u16 {
    let mut crc = crc_update(CrcKind::Crc16Ansi, 0xffff, &frame[2..4]);
    let full = bits / 8;
    crc = crc_update(CrcKind::Crc16Ansi, crc, &frame[6..6 + full]);
    let last = frame.get(6 + full).copied().unwrap_or(0);
    for i in 0..bits % 8 {
        let top = ((crc >> 15) & 1) ^ u32::from((last >> (7 - i)) & 1);
        crc = (crc << 1) & 0xffff;
        if top != 0 {
            crc ^= 0x8005;
        }
    }
    crc as u16
}

impl Encoder for Mp2Encoder {
    fn parameters(&self) -> &CodecParameters {
        &self.params
    }

    fn time_base(&self) -> Rational {
        self.time_base
    }

    fn frame_size(&self) -> Option<usize> {
        Some(FRAME_SIZE)
    }

    fn send_frame(&mut self, frame: &Frame) -> Result<SendStatus> {
        if self.eof {
            return Err(Error::InvalidState {
                what: "frame sent after end of stream",
            });
        }
        if !self.out.is_empty() {
            return Ok(SendStatus::Full);
        }
        let a = frame.audio().ok_or(Error::FrameMismatch {
            codec: CodecId::Mp2,
            what: "media type",
            expected: "audio".into(),
            found: "video".into(),
        })?;
        if a.format != SampleFormat::S16 || a.layout.channels() as usize != self.nch {
            return Err(Error::FrameMismatch {
                codec: CodecId::Mp2,
                what: "sample format or channel count",
                expected: format!("s16 x{}", self.nch),
                found: format!("{} x{}", a.format, a.layout.channels()),
            });
        }
        if self.next_pts.is_none() {
            // The first frame's pts, less what is still buffered.
            let buffered = (self.input[0].len() - HIST) as i64;
            self.next_pts = frame.pts.map(|p| p - buffered).or(Some(0));
        }
        let n = a.nb_samples;
        let data = frame.plane(0);
        let nch = self.nch;
        let sample = |b: &[u8]| f32::from(i16::from_ne_bytes([b[0], b[1]])) * (1.0 / 32768.0);
        for ch in 0..nch {
            let src = data.chunks_exact(2 * nch).take(n);
            self.input[ch].extend(src.map(|b| sample(&b[2 * ch..2 * ch + 2])));
        }
        self.drain_input(false);
        Ok(SendStatus::Accepted)
    }

    fn send_eof(&mut self) -> Result<()> {
        self.eof = true;
        if !self.flushed {
            self.flushed = true;
            self.drain_input(true);
        }
        Ok(())
    }

    fn receive_packet(&mut self) -> Result<Received<Packet>> {
        Ok(match self.out.pop_front() {
            Some(p) => Received::Item(p),
            None if self.eof => Received::EndOfStream,
            None => Received::NeedsInput,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_matrixing_equals_the_definition() {
        let d = Dct3::new();
        let mut seed = 12345u32;
        for round in 0..200 {
            let input: [f32; 32] = std::array::from_fn(|_| {
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (seed >> 8) as f32 / (1u32 << 24) as f32 * 2.0 - 1.0
            });
            let mut x = input;
            d.transform(&mut x);
            for (k, &v) in x.iter().enumerate() {
                let want: f64 = (0..32)
                    .map(|m| {
                        f64::from(input[m])
                            * ((2 * k + 1) as f64 * m as f64 * std::f64::consts::PI / 64.0).cos()
                    })
                    .sum();
                assert!(
                    (f64::from(v) - want).abs() < 2e-5,
                    "round {round} k {k}: {v} vs {want}"
                );
            }
        }
    }

    #[test]
    fn scale_factor_indices() {
        assert_eq!(scf_index(2.0), 0);
        assert_eq!(scf_index(1.0), 3);
        assert_eq!(scf_index(1.01), 2);
        assert_eq!(scf_index(0.0), 62);
        for i in 0..62u8 {
            let v = scf_value(i);
            assert!(scf_value(scf_index(v)) >= v);
        }
    }

    #[test]
    fn scfsi_keeps_the_larger_scale() {
        for a in 0..8u8 {
            for b in 0..8u8 {
                for c in 0..8u8 {
                    let mut s = [a, b, c];
                    let code = choose_scfsi(&mut s);
                    assert!(s[0] <= a && s[1] <= b && s[2] <= c, "{a} {b} {c} -> {s:?}");
                    match code {
                        1 => assert_eq!(s[0], s[1]),
                        2 => assert!(s[0] == s[1] && s[1] == s[2]),
                        3 => assert_eq!(s[1], s[2]),
                        _ => {}
                    }
                }
            }
        }
    }

    #[test]
    fn quantiser_levels() {
        assert_eq!(quantise(-1.0, 3), 0);
        assert_eq!(quantise(0.0, 3), 1);
        assert_eq!(quantise(0.99, 3), 2);
        assert_eq!(quantise(0.0, 65535), 32767);
    }
}
