//! A psychoacoustic model for the Layer II encoder, after ISO/IEC 11172-3
//! annex D (model 1) with the spreading and offsets of Johnston's model:
//!
//! 1. a 1024-point Hann-windowed FFT of the samples around the frame,
//!    levels in dB with a full-scale sine at 96 dB;
//! 2. tonal components: local maxima at least 7 dB above their neighbours
//!    (D.1, step 4);
//! 3. energies of third-of-a-Bark partitions spread over the Bark scale with
//!    Schroeder's spreading function, lowered by an offset of
//!    `14.5 + z` dB where the partition is tonal and 5.5 dB where it is
//!    noise-like;
//! 4. the masking threshold is the larger of that and the threshold in
//!    quiet; per subband, the signal-to-mask ratio is the subband's level
//!    (the larger of its strongest line and its scale factor less 10 dB)
//!    over the lowest threshold in the subband (D.1, steps 8-9).

use std::sync::Arc;

use rustfft::num_complex::Complex;
use rustfft::{Fft, FftPlanner};

/// FFT length.
pub const FFT_LEN: usize = 1024;

/// The half-length complex FFT (rustfft's, planned once per model).
#[derive(Clone)]
struct HalfFft(Arc<dyn Fft<f32>>);

impl std::fmt::Debug for HalfFft {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HalfFft({})", self.0.len())
    }
}
const BINS: usize = FFT_LEN / 2;

/// Bark (critical band rate) of a frequency in Hz (Zwicker & Terhardt).
pub fn bark(f: f64) -> f64 {
    13.0 * (0.00076 * f).atan() + 3.5 * (f / 7500.0).powi(2).atan()
}

/// Threshold in quiet in dB SPL (Terhardt), with 96 dB at full scale and a 0 dB floor at 1 kHz.
pub fn threshold_in_quiet(f: f64) -> f64 {
    let k = (f / 1000.0).max(0.02);
    3.64 * k.powf(-0.8) - 6.5 * (-0.6 * (k - 3.3).powi(2)).exp() + 1e-3 * k.powi(4) - 12.0
}

/// Schroeder's spreading function in dB for a distance `dz` Bark from masker to maskee.
fn spreading_db(dz: f64) -> f64 {
    let x = dz + 0.474;
    15.81 + 7.5 * x - 17.5 * (1.0 + x * x).sqrt()
}

/// The model for one sampling frequency.
#[derive(Debug, Clone)]
pub struct PsyModel {
    window: Vec<f32>,
    /// Twiddles `e^{-2 pi i k / N}` for k < N/2 (N = FFT_LEN).
    cos: Vec<f32>,
    sin: Vec<f32>,
    /// Per masker partition: the range of maskee partitions with non-zero spreading.
    spread_range: Vec<(usize, usize)>,
    /// Partition of each bin.
    part: Vec<usize>,
    /// Bins of each partition.
    part_bins: Vec<(usize, usize)>,
    /// Bark of each partition centre.
    part_bark: Vec<f64>,
    /// Spreading weights `[masker][maskee]` (linear power).
    spread: Vec<Vec<f32>>,
    /// Threshold in quiet per bin (linear power, 96 dB reference).
    ath: Vec<f32>,
    fft: HalfFft,
    buf: Vec<Complex<f32>>,
    scratch: Vec<Complex<f32>>,
    power: Vec<f32>,
}

impl PsyModel {
    /// A model for `sample_rate` Hz.
    pub fn new(sample_rate: u32) -> Self {
        let n = FFT_LEN;
        let window = (0..n)
            .map(|i| {
                (0.5 - 0.5 * (2.0 * std::f64::consts::PI * (i as f64 + 0.5) / n as f64).cos())
                    as f32
            })
            .collect();
        let cos = (0..n / 2)
            .map(|i| (2.0 * std::f64::consts::PI * i as f64 / n as f64).cos() as f32)
            .collect();
        let sin = (0..n / 2)
            .map(|i| -(2.0 * std::f64::consts::PI * i as f64 / n as f64).sin() as f32)
            .collect();
        let fft = FftPlanner::<f32>::new().plan_fft_forward(n / 2);
        let hz = |k: usize| k as f64 * f64::from(sample_rate) / n as f64;
        let mut part = vec![0usize; BINS];
        let mut part_bins = Vec::new();
        let mut start = 1;
        part_bins.push((0, 1));
        while start < BINS {
            let z0 = bark(hz(start));
            let mut end = start + 1;
            while end < BINS && bark(hz(end)) - z0 < 1.0 / 3.0 {
                end += 1;
            }
            part_bins.push((start, end));
            start = end;
        }
        for (p, &(a, b)) in part_bins.iter().enumerate() {
            part[a..b].fill(p);
        }
        let part_bark: Vec<f64> = part_bins
            .iter()
            .map(|&(a, b)| bark(hz(a) * 0.5 + hz(b - 1) * 0.5))
            .collect();
        let spread: Vec<Vec<f32>> = part_bark
            .iter()
            .map(|&zm| {
                part_bark
                    .iter()
                    .map(|&z| {
                        let db = spreading_db(z - zm);
                        if db < -60.0 {
                            0.0
                        } else {
                            10f64.powf(db / 10.0) as f32
                        }
                    })
                    .collect()
            })
            .collect();
        let spread_range = spread
            .iter()
            .map(|row: &Vec<f32>| {
                let lo = row.iter().position(|&w| w > 0.0).unwrap_or(0);
                let hi = row.iter().rposition(|&w| w > 0.0).map_or(0, |h| h + 1);
                (lo, hi.max(lo))
            })
            .collect();
        let ath = (0..BINS)
            .map(|k| 10f64.powf(threshold_in_quiet(hz(k).max(20.0)) / 10.0) as f32)
            .collect();
        PsyModel {
            window,
            cos,
            sin,
            part,
            part_bins,
            part_bark,
            spread,
            spread_range,
            ath,
            scratch: vec![Complex::default(); fft.get_inplace_scratch_len()],
            fft: HalfFft(fft),
            buf: vec![Complex::default(); n / 2],
            power: vec![0.0; BINS],
        }
    }

    /// Power spectrum of `FFT_LEN` windowed real samples into `self.power`, through a complex FFT
    /// of half the length (even samples real, odd imaginary) and the split step.
    fn power_spectrum(&mut self, samples: &[f32]) {
        let h = FFT_LEN / 2;
        for (n, z) in self.buf.iter_mut().enumerate() {
            let a = samples.get(2 * n).copied().unwrap_or(0.0) * self.window[2 * n];
            let b = samples.get(2 * n + 1).copied().unwrap_or(0.0) * self.window[2 * n + 1];
            *z = Complex::new(a, b);
        }
        self.fft
            .0
            .process_with_scratch(&mut self.buf, &mut self.scratch);
        // A full-scale sine peaks at |X| = N/4: that is 96 dB.
        let norm = 10f32.powf(9.6) / ((FFT_LEN * FFT_LEN) as f32 / 16.0);
        for k in 0..h {
            let (z, c) = (self.buf[k], self.buf[(h - k) % h]);
            let (zr, zi) = (z.re, z.im);
            let (cr, ci) = (c.re, -c.im);
            // Even and odd sample spectra.
            let (er, ei) = (0.5 * (zr + cr), 0.5 * (zi + ci));
            let (or, oi) = (0.5 * (zi - ci), -0.5 * (zr - cr));
            let (c, w) = (self.cos[k], self.sin[k]);
            let xr = er + or * c - oi * w;
            let xi = ei + or * w + oi * c;
            self.power[k] = (xr * xr + xi * xi) * norm + 1e-3;
        }
    }

    /// Signal-to-mask ratios in dB of the 32 subbands for the `FFT_LEN`
    /// samples (full scale = 1.0) centred on a frame; `scf_max[sb]` is the
    /// largest scale factor value of each subband (full scale = 1.0).
    pub fn smr(&mut self, samples: &[f32], scf_max: &[f32; 32], out: &mut [f32; 32]) {
        self.power_spectrum(samples);
        let p = &self.power;
        let np = self.part_bins.len();
        let energy: Vec<f32> = self
            .part_bins
            .iter()
            .map(|&(a, b)| p.get(a..b).map_or(0.0, |v| v.iter().sum()))
            .collect();
        let mut tonal = vec![0f32; np];
        // Tonal lines: local maxima 7 dB above neighbours up to a distance growing with frequency.
        tonal_lines::<2>(p, &self.part, &mut tonal, 3..63);
        tonal_lines::<3>(p, &self.part, &mut tonal, 63..127);
        tonal_lines::<6>(p, &self.part, &mut tonal, 127..BINS - 7);
        let mut spread = vec![0f32; np];
        for (m, &e) in energy.iter().enumerate() {
            let (lo, hi) = self.spread_range[m];
            for (s, w) in spread[lo..hi].iter_mut().zip(&self.spread[m][lo..hi]) {
                *s += e * w;
            }
        }
        let mut thr_bin = [0f32; BINS];
        for (pi, &(a, b)) in self.part_bins.iter().enumerate() {
            let t = (tonal[pi] / energy[pi].max(1e-9)).clamp(0.0, 1.0) as f64;
            let offset = t * (14.5 + self.part_bark[pi]) + (1.0 - t) * 5.5;
            let thr = spread[pi] * (-offset * std::f64::consts::LN_10 / 10.0).exp() as f32
                / (b - a) as f32;
            for k in a..b {
                thr_bin[k] = thr.max(self.ath[k]);
            }
        }
        let full_scale = 10f32.powf(9.6) * 0.1;
        for sb in 0..32 {
            let bins = &p[sb * 16..sb * 16 + 16];
            let peak = bins.iter().copied().fold(0f32, f32::max);
            let scf_level = scf_max[sb] * scf_max[sb] * full_scale;
            let level = peak.max(scf_level);
            let lt = thr_bin[sb * 16..sb * 16 + 16]
                .iter()
                .copied()
                .fold(f32::MAX, f32::min);
            out[sb] = 10.0 * (level / lt).log10();
        }
    }
}

/// Adds to `tonal` (per partition) the power of the tonal lines among bins
/// `range`: local maxima at least 7 dB above the bins 2..=`REACH` away on
/// both sides. Evaluated without branches on the data (noise has maxima
/// everywhere, so a short-circuit test mispredicts).
#[inline]
fn tonal_lines<const REACH: usize>(
    p: &[f32],
    part: &[usize],
    tonal: &mut [f32],
    range: std::ops::Range<usize>,
) {
    for k in range {
        let (Some(w), Some(&pt)) = (p.get(k - REACH..=k + REACH), part.get(k)) else {
            return;
        };
        let pk = w[REACH];
        let peak = pk * 0.2; // -7 dB
        let mut ok = (pk > w[REACH - 1]) & (pk >= w[REACH + 1]);
        for j in 2..=REACH {
            ok &= (w[REACH - j] < peak) & (w[REACH + j] < peak);
        }
        if ok && let Some(t) = tonal.get_mut(pt) {
            *t += w[REACH - 1] + pk + w[REACH + 1];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tone_is_masked_only_near_itself() {
        let mut m = PsyModel::new(48000);
        // A 1 kHz sine at -6 dBFS: subband 1 (750-1500 Hz) has a large SMR.
        let x: Vec<f32> = (0..FFT_LEN)
            .map(|i| 0.5 * (2.0 * std::f32::consts::PI * 1000.0 * i as f32 / 48000.0).sin())
            .collect();
        let mut scf = [0f32; 32];
        scf[1] = 0.5;
        let mut smr = [0f32; 32];
        m.smr(&x, &scf, &mut smr);
        assert!(smr[1] > 15.0, "{smr:?}");
        assert!(smr[20] < 0.0, "{smr:?}");
        assert!(threshold_in_quiet(3500.0) < threshold_in_quiet(100.0));
        assert!((bark(1000.0) - 8.5).abs() < 0.3);
    }
}
