//! One-pass rate control for `-b:v`: picks one quantizer scale per picture.
//!
//! Model: a picture of type `t` coded with quantizer `q` takes about
//! `k_t * A / q` bits, where `A` is its activity measured before coding (sum
//! over macroblocks of the chosen prediction's SAD, or of the deviation from
//! the mean for intra macroblocks) and `k_t` is learned from the pictures
//! already coded. The quantizers of the three types keep fixed ratios to a
//! common scale `qp` (I: `0.8 qp`, P: `qp`, B: `1.25 qp`, as FFmpeg
//! defaults); `qp` is solved so that the expected bits of a GOP-shaped window,
//! with the current picture's own activity, match the per-picture budget. The
//! budget is the target rate per picture corrected by the bits spent so far
//! beyond the target, spread over about one second. With a VBV (`maxrate` +
//! `bufsize`) the quantizer is also raised until the picture fits the
//! buffer's fullness.

/// Picture type index: I, P, B.
pub(super) const I: usize = 0;
/// Picture type index of P pictures.
pub(super) const P: usize = 1;
/// Picture type index of B pictures.
pub(super) const B: usize = 2;

/// The rate controller state.
#[derive(Debug, Clone)]
pub(super) struct RateControl {
    /// Bits per picture at the target rate.
    per_picture: f64,
    /// Pictures per second.
    fps: f64,
    /// Share of each type among pictures.
    share: [f64; 3],
    /// Learned `bits * q / activity` per type.
    k: [Option<f64>; 3],
    /// Last complexity `k * A` (bits at q = 1) per type.
    complexity: [Option<f64>; 3],
    /// Bits spent so far and pictures coded.
    spent: f64,
    pictures: u64,
    /// Smallest and largest quantizer scale.
    qmin: u8,
    qmax: u8,
    /// VBV: (buffer size in bits, max rate per picture in bits, fullness in bits).
    vbv: Option<(f64, f64, f64)>,
}

/// The quantizer of type `t` for the common scale `qp`.
fn q_of(t: usize, qp: f64) -> f64 {
    match t {
        I => 0.8 * qp,
        P => qp,
        _ => 1.25 * qp,
    }
}

impl RateControl {
    /// A controller for `bit_rate` bit/s at `fps` pictures per second with the
    /// given GOP size and B-frame count; `vbv` is `(maxrate, bufsize)` in bits.
    pub(super) fn new(
        bit_rate: f64,
        fps: f64,
        gop: u32,
        bframes: u32,
        vbv: Option<(f64, f64)>,
    ) -> RateControl {
        let gop = gop.max(1);
        let mut n = [1.0, 0.0, 0.0];
        for i in 1..gop {
            if bframes == 0 || i % (bframes + 1) == 0 && i + bframes < gop + bframes {
                n[P] += 1.0;
            } else {
                n[B] += 1.0;
            }
        }
        let total = f64::from(gop);
        RateControl {
            per_picture: bit_rate / fps.max(1e-3),
            fps: fps.max(1e-3),
            share: [n[I] / total, n[P] / total, n[B] / total],
            k: [None; 3],
            complexity: [None; 3],
            spent: 0.0,
            pictures: 0,
            qmin: 2,
            qmax: 31,
            vbv: vbv.map(|(max, size)| (size, max / fps.max(1e-3), size * 0.9)),
        }
    }

    /// True once a picture of type `t` was coded (its model is known).
    pub(super) fn knows(&self, t: usize) -> bool {
        self.k[t].is_some()
    }

    /// Learns the model of type `t` from a trial coding without counting the bits.
    pub(super) fn calibrate(&mut self, t: usize, activity: f64, q: f64, bits: f64) {
        let k = bits * q / activity.max(1.0);
        self.k[t] = Some(k);
        self.complexity[t] = Some(k * activity.max(1.0));
    }

    /// Bits of a picture of type `t` with activity `a` at quantizer `q`, as modelled.
    fn expected(&self, t: usize, a: f64, q: f64) -> f64 {
        let k = self.k[t].or(self.k[I]).unwrap_or(1.0);
        k * a.max(1.0) / q.max(0.5)
    }

    /// The quantizer scale for a picture of type `t` with activity `a` (the
    /// encoder rounds it; the model learns from the rounded value).
    pub(super) fn quantizer(&self, t: usize, a: f64) -> f64 {
        let excess = self.spent - self.pictures as f64 * self.per_picture;
        let horizon = self.fps.max(8.0);
        let budget = (self.per_picture - excess / horizon).max(0.25 * self.per_picture);
        let own = self.k[t].or(self.k[I]).unwrap_or(1.0) * a.max(1.0);
        let base = self.complexity[I].unwrap_or(own);
        // Complexity (bits at q = 1) of each type in the window; unseen types are guessed.
        let guess = [1.0, 0.4, 0.25];
        let cx: [f64; 3] = std::array::from_fn(|u| {
            if u == t {
                own
            } else {
                self.complexity[u].unwrap_or(base * guess[u])
            }
        });
        let expected = |qp: f64| -> f64 {
            (0..3)
                .map(|u| self.share[u] * cx[u] / q_of(u, qp).max(0.5))
                .sum::<f64>()
        };
        // Bisection on qp (expected bits decrease with qp).
        let (mut lo, mut hi) = (0.25f64, 64.0f64);
        for _ in 0..40 {
            let mid = 0.5 * (lo + hi);
            if expected(mid) > budget {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let mut q = q_of(t, 0.5 * (lo + hi)).clamp(f64::from(self.qmin), f64::from(self.qmax));
        if let Some((_, _, fullness)) = self.vbv {
            // Keep the picture within what the buffer holds (with a margin).
            while q < f64::from(self.qmax) && self.expected(t, a, q) > 0.8 * fullness {
                q = (q + 1.0).min(f64::from(self.qmax));
            }
        }
        q
    }

    /// The largest size a picture may take without underflowing the VBV, if any.
    pub(super) fn vbv_limit(&self) -> Option<f64> {
        self.vbv.map(|(_, _, fullness)| fullness)
    }

    /// Records a coded picture.
    pub(super) fn update(&mut self, t: usize, activity: f64, q: f64, bits: f64) {
        let k = bits * q / activity.max(1.0);
        self.k[t] = Some(match self.k[t] {
            Some(old) => 0.5 * old + 0.5 * k,
            None => k,
        });
        self.complexity[t] = Some(k * activity.max(1.0));
        self.spent += bits;
        self.pictures += 1;
        if let Some((size, rate, fullness)) = &mut self.vbv {
            *fullness = (*fullness - bits + *rate).min(*size);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converges_on_a_steady_source() {
        // A source whose bits follow the model exactly: k = 2 for all types.
        let mut rc = RateControl::new(1_000_000.0, 25.0, 12, 2, None);
        let mut total = 0.0;
        for n in 0..250u32 {
            let t = if n % 12 == 0 {
                I
            } else if n % 3 == 0 {
                P
            } else {
                B
            };
            let a = [320_000.0, 120_000.0, 80_000.0][t];
            let q = rc.quantizer(t, a);
            assert!((2.0..=31.0).contains(&q));
            let bits = 2.0 * a / q;
            total += bits;
            rc.update(t, a, q, bits);
        }
        let rate = total / 10.0;
        assert!((rate - 1_000_000.0).abs() < 60_000.0, "{rate}");
    }
}
