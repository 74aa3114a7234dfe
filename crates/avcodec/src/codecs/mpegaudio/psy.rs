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

/// FFT length.
pub const FFT_LEN: usize = 1024;
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
    re: Vec<f32>,
    im: Vec<f32>,
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
            re: vec![0.0; n],
            im: vec![0.0; n],
            power: vec![0.0; BINS],
        }
    }

    /// In-place radix-2 FFT of the first `n` values of `re`/`im` (twiddle stride `FFT_LEN / n`).
    fn fft(&mut self, n: usize) {
        let stride = FFT_LEN / n;
        let (re, im) = (&mut self.re[..n], &mut self.im[..n]);
        let mut j = 0;
        for i in 1..n {
            let mut bit = n >> 1;
            while j & bit != 0 {
                j ^= bit;
                bit >>= 1;
            }
            j |= bit;
            if i < j {
                re.swap(i, j);
                im.swap(i, j);
            }
        }
        let mut len = 2;
        while len <= n {
            let step = stride * (n / len);
            let half = len / 2;
            for s in (0..n).step_by(len) {
                for k in 0..half {
                    let (c, w) = (self.cos[k * step], self.sin[k * step]);
                    let (a, b) = (s + k, s + k + half);
                    let tr = re[b] * c - im[b] * w;
                    let ti = re[b] * w + im[b] * c;
                    re[b] = re[a] - tr;
                    im[b] = im[a] - ti;
                    re[a] += tr;
                    im[a] += ti;
                }
            }
            len <<= 1;
        }
    }

    /// Power spectrum of `FFT_LEN` windowed real samples into `self.power`, through a complex FFT
    /// of half the length (even samples real, odd imaginary) and the split step.
    fn power_spectrum(&mut self, samples: &[f32]) {
        let h = FFT_LEN / 2;
        for n in 0..h {
            let a = samples.get(2 * n).copied().unwrap_or(0.0) * self.window[2 * n];
            let b = samples.get(2 * n + 1).copied().unwrap_or(0.0) * self.window[2 * n + 1];
            self.re[n] = a;
            self.im[n] = b;
        }
        self.fft(h);
        // A full-scale sine peaks at |X| = N/4: that is 96 dB.
        let norm = 10f32.powf(9.6) / ((FFT_LEN * FFT_LEN) as f32 / 16.0);
        for k in 0..h {
            let (zr, zi) = (self.re[k], self.im[k]);
            let (cr, ci) = (self.re[(h - k) % h], -self.im[(h - k) % h]);
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
        let mut energy = vec![0f32; np];
        let mut tonal = vec![0f32; np];
        for k in 0..BINS {
            energy[self.part[k]] += p[k];
        }
        // Tonal lines: local maxima 7 dB above neighbours up to a distance growing with frequency.
        for k in 3..BINS - 7 {
            if p[k] <= p[k - 1] || p[k] < p[k + 1] {
                continue;
            }
            let reach = if k < 63 {
                2
            } else if k < 127 {
                3
            } else {
                6
            };
            let peak = p[k] * 0.2; // -7 dB
            if (2..=reach).all(|j| p[k - j.min(k)] < peak && p[k + j] < peak) {
                tonal[self.part[k]] += p[k - 1] + p[k] + p[k + 1];
            }
        }
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
