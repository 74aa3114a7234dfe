//! Timestamp arithmetic: rescaling with every rounding mode of FFmpeg
//! (cf. `av_rescale_rnd`, `av_rescale_q`, `av_compare_ts`, `av_rescale_delta`).
//!
//! All functions are exact for every `i64` input: intermediates are 128-bit.
//! Where FFmpeg returns `INT64_MIN` (`AV_NOPTS_VALUE`) for invalid arguments
//! or a result that does not fit, these functions return `None`; where FFmpeg
//! would silently wrap around, they return `None` too.

use std::cmp::Ordering;

use crate::rational::Rational;

/// Rounding mode of [`rescale_rnd`] (cf. `enum AVRounding`).
///
/// The modes are symmetric about zero the way FFmpeg's are: `Down` rounds
/// toward minus infinity and `Up` toward plus infinity for either sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rounding {
    /// Toward zero (`AV_ROUND_ZERO`).
    Zero,
    /// Away from zero (`AV_ROUND_INF`).
    Inf,
    /// Toward minus infinity (`AV_ROUND_DOWN`).
    Down,
    /// Toward plus infinity (`AV_ROUND_UP`).
    Up,
    /// To nearest, halves away from zero (`AV_ROUND_NEAR_INF`); the default.
    NearInf,
}

/// A rounding mode plus FFmpeg's `AV_ROUND_PASS_MINMAX` flag.
///
/// With `pass_min_max`, the inputs `i64::MIN` and `i64::MAX` are passed
/// through unchanged, so that "no timestamp" and "end of file" markers
/// survive rescaling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rnd {
    /// The rounding mode.
    pub mode: Rounding,
    /// Pass `i64::MIN` and `i64::MAX` through unchanged.
    pub pass_min_max: bool,
}

impl Rounding {
    /// This mode with `AV_ROUND_PASS_MINMAX` set.
    pub const fn pass_min_max(self) -> Rnd {
        Rnd {
            mode: self,
            pass_min_max: true,
        }
    }
}

impl From<Rounding> for Rnd {
    fn from(mode: Rounding) -> Rnd {
        Rnd {
            mode,
            pass_min_max: false,
        }
    }
}

/// `a * b / c` rounded with `rnd` (cf. `av_rescale_rnd`).
///
/// `None` when `c <= 0`, `b < 0`, or the result is outside
/// `-i64::MAX..=i64::MAX` (`i64::MIN` is FFmpeg's "no timestamp" value and is
/// never produced).
/// As in FFmpeg, `i64::MIN` is treated as `-i64::MAX` (unless passed through
/// with [`Rounding::pass_min_max`]).
pub fn rescale_rnd(a: i64, b: i64, c: i64, rnd: impl Into<Rnd>) -> Option<i64> {
    let rnd = rnd.into();
    if c <= 0 || b < 0 {
        return None;
    }
    if rnd.pass_min_max && (a == i64::MIN || a == i64::MAX) {
        return Some(a);
    }
    let negative = a < 0;
    let magnitude = u128::from(a.max(-i64::MAX).unsigned_abs());
    // For a negative input, round the magnitude the opposite way.
    let mode = match (rnd.mode, negative) {
        (Rounding::Down, true) => Rounding::Up,
        (Rounding::Up, true) => Rounding::Down,
        (m, _) => m,
    };
    let c = c as u128;
    let add = match mode {
        Rounding::Zero | Rounding::Down => 0,
        Rounding::Inf | Rounding::Up => c - 1,
        Rounding::NearInf => c / 2,
    };
    let q = (magnitude * b as u128 + add) / c;
    let q = i64::try_from(q).ok()?;
    Some(if negative { -q } else { q })
}

/// `a * b / c` rounded to nearest, halves away from zero (cf. `av_rescale`).
pub fn rescale(a: i64, b: i64, c: i64) -> Option<i64> {
    rescale_rnd(a, b, c, Rounding::NearInf)
}

/// Converts `a` from time base `bq` to time base `cq`, rounding to nearest (cf. `av_rescale_q`).
pub fn rescale_q(a: i64, bq: Rational, cq: Rational) -> Option<i64> {
    rescale_q_rnd(a, bq, cq, Rounding::NearInf)
}

/// Converts `a` from time base `bq` to time base `cq` with rounding `rnd` (cf. `av_rescale_q_rnd`).
pub fn rescale_q_rnd(a: i64, bq: Rational, cq: Rational, rnd: impl Into<Rnd>) -> Option<i64> {
    let b = i64::from(bq.num) * i64::from(cq.den);
    let c = i64::from(cq.num) * i64::from(bq.den);
    rescale_rnd(a, b, c, rnd)
}

/// Compares two timestamps in different time bases exactly (cf. `av_compare_ts`).
pub fn compare_ts(ts_a: i64, tb_a: Rational, ts_b: i64, tb_b: Rational) -> Ordering {
    let a = i128::from(ts_a) * i128::from(tb_a.num) * i128::from(tb_b.den);
    let b = i128::from(ts_b) * i128::from(tb_b.num) * i128::from(tb_a.den);
    // Time bases have positive denominators; normalise if one does not.
    let sign = i128::from(tb_a.den).signum() * i128::from(tb_b.den).signum();
    if sign < 0 { b.cmp(&a) } else { a.cmp(&b) }
}

/// Compares `a` and `b` modulo `2^bits` (cf. `av_compare_mod`): the sign of
/// the shortest signed distance from `b` to `a`, for wrapping counters such
/// as 33-bit MPEG timestamps. `bits` must be in `1..=64`.
pub fn compare_mod(a: u64, b: u64, bits: u32) -> Ordering {
    let bits = bits.clamp(1, 64);
    let mask = if bits == 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    let diff = a.wrapping_sub(b) & mask;
    // Sign-extend the `bits`-bit difference.
    let shift = 64 - bits;
    (((diff << shift) as i64) >> shift).cmp(&0)
}

/// Rescales a timestamp while keeping audio sample counts consistent
/// (cf. `av_rescale_delta`).
///
/// Audio encoders emit packets whose durations are exact in the sample time
/// base `fs_tb`, but the input timestamps `in_ts` (in `in_tb`) may be
/// coarser. When `in_tb` is coarser than `out_tb`, this continues from
/// `last` (the previous timestamp plus its duration, in `fs_tb`) as long as
/// that stays within the rounding interval of `in_ts`, instead of jumping to
/// the rounded value; otherwise it falls back to plain rescaling. `last` is
/// updated to the end of this packet in `fs_tb`. `None` if the result
/// overflows.
pub fn rescale_delta(
    in_tb: Rational,
    in_ts: i64,
    fs_tb: Rational,
    duration: u32,
    last: &mut Option<i64>,
    out_tb: Rational,
) -> Option<i64> {
    let duration = i64::from(duration);
    let input_finer = i64::from(in_tb.num) * i64::from(out_tb.den)
        <= i64::from(out_tb.num) * i64::from(in_tb.den);
    let simple = |last: &mut Option<i64>| {
        *last = rescale_q(in_ts, in_tb, fs_tb).and_then(|t| t.checked_add(duration));
        rescale_q(in_ts, in_tb, out_tb)
    };
    let prev = match *last {
        Some(prev) if duration != 0 && !input_finer => prev,
        _ => return simple(last),
    };
    // The interval of fs_tb values that round to in_ts.
    let lo = in_ts.checked_mul(2).and_then(|t| t.checked_sub(1));
    let hi = in_ts.checked_mul(2).and_then(|t| t.checked_add(1));
    let (Some(lo), Some(hi)) = (lo, hi) else {
        return simple(last);
    };
    let (Some(a), Some(b)) = (
        rescale_q_rnd(lo, in_tb, fs_tb, Rounding::Down).map(|v| v >> 1),
        rescale_q_rnd(hi, in_tb, fs_tb, Rounding::Up)
            .and_then(|v| v.checked_add(1))
            .map(|v| v >> 1),
    ) else {
        return simple(last);
    };
    let (lower, upper) = (
        2i128 * i128::from(a) - i128::from(b),
        2i128 * i128::from(b) - i128::from(a),
    );
    if i128::from(prev) < lower || i128::from(prev) > upper {
        return simple(last);
    }
    let this = if prev < a {
        a
    } else if prev > b {
        b
    } else {
        prev
    };
    *last = this.checked_add(duration);
    rescale_q(this, fs_tb, out_tb)
}

/// Adds `inc` units of `inc_tb` to `ts` (in `ts_tb`) without accumulating
/// rounding errors over repeated additions (cf. `av_add_stable`).
pub fn add_stable(ts_tb: Rational, ts: i64, inc_tb: Rational, inc: i64) -> Option<i64> {
    let inc_tb = if inc != 1 {
        inc_tb * Rational::reduced(inc, 1)
    } else {
        inc_tb
    };
    let m = i64::from(inc_tb.num) * i64::from(ts_tb.den);
    let d = i64::from(inc_tb.den) * i64::from(ts_tb.num);
    if d == 0 {
        return None;
    }
    if m % d == 0
        && let Some(sum) = ts.checked_add(m / d)
    {
        return Some(sum);
    }
    if m < d {
        return Some(ts);
    }
    let old = rescale_q(ts, ts_tb, inc_tb)?;
    let old_ts = rescale_q(old, inc_tb, ts_tb)?;
    if old == i64::MAX {
        return Some(ts);
    }
    let next = rescale_q(old + 1, inc_tb, ts_tb)?;
    Some(next.saturating_add(ts - old_ts))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(n: i32, d: i32) -> Rational {
        Rational::new(n, d)
    }

    #[test]
    fn rounding_modes_on_halves() {
        // 5 * 1 / 2 = 2.5 and -2.5
        let cases = [
            (Rounding::Zero, 2, -2),
            (Rounding::Inf, 3, -3),
            (Rounding::Down, 2, -3),
            (Rounding::Up, 3, -2),
            (Rounding::NearInf, 3, -3),
        ];
        for (mode, pos, neg) in cases {
            assert_eq!(rescale_rnd(5, 1, 2, mode), Some(pos), "{mode:?}");
            assert_eq!(rescale_rnd(-5, 1, 2, mode), Some(neg), "{mode:?}");
        }
        assert_eq!(rescale_rnd(7, 1, 3, Rounding::NearInf), Some(2));
        assert_eq!(rescale_rnd(8, 1, 3, Rounding::NearInf), Some(3));
    }

    #[test]
    fn invalid_and_overflow() {
        assert_eq!(rescale_rnd(1, 1, 0, Rounding::Zero), None);
        assert_eq!(rescale_rnd(1, 1, -1, Rounding::Zero), None);
        assert_eq!(rescale_rnd(1, -1, 1, Rounding::Zero), None);
        assert_eq!(rescale_rnd(i64::MAX, 2, 1, Rounding::Zero), None);
        assert_eq!(
            rescale_rnd(i64::MAX, i64::MAX, i64::MAX, Rounding::Zero),
            Some(i64::MAX)
        );
        assert_eq!(rescale_rnd(i64::MIN, 1, 1, Rounding::Zero), Some(-i64::MAX));
        assert_eq!(
            rescale_rnd(i64::MIN, 1, 1, Rounding::Zero.pass_min_max()),
            Some(i64::MIN)
        );
        assert_eq!(
            rescale_rnd(i64::MAX, 1, 2, Rounding::Zero.pass_min_max()),
            Some(i64::MAX)
        );
    }

    #[test]
    fn rescale_q_common() {
        assert_eq!(rescale_q(1, q(1, 25), q(1, 90000)), Some(3600));
        assert_eq!(rescale_q(3600, q(1, 90000), q(1, 25)), Some(1));
        assert_eq!(rescale_q(1001, q(1, 30000), q(1, 1000)), Some(33));
        assert_eq!(
            rescale_q_rnd(1001, q(1, 30000), q(1, 1000), Rounding::Up),
            Some(34)
        );
        assert_eq!(
            rescale_q(1, q(1, 0), q(1, 1)),
            None,
            "a zero denominator in the source is invalid"
        );
        assert_eq!(rescale_q(1, q(1, 1), q(1, 0)), Some(0));
    }

    #[test]
    fn compare_ts_exact() {
        assert_eq!(compare_ts(1, q(1, 25), 3600, q(1, 90000)), Ordering::Equal);
        assert_eq!(compare_ts(1, q(1, 25), 3601, q(1, 90000)), Ordering::Less);
        assert_eq!(
            compare_ts(i64::MAX, q(1, 1), i64::MAX, q(2, 1)),
            Ordering::Less
        );
        assert_eq!(
            compare_ts(i64::MIN, q(1, 1), i64::MAX, q(1, 1)),
            Ordering::Less
        );
        assert_eq!(
            compare_ts(i64::MAX, q(i32::MAX, 1), i64::MAX - 1, q(i32::MAX, 1)),
            Ordering::Greater
        );
    }

    #[test]
    fn compare_mod_wraps() {
        let bits = 33;
        let max = (1u64 << 33) - 1;
        assert_eq!(compare_mod(0, max, bits), Ordering::Greater);
        assert_eq!(compare_mod(max, 0, bits), Ordering::Less);
        assert_eq!(compare_mod(5, 5, bits), Ordering::Equal);
        assert_eq!(compare_mod(1, 0, 64), Ordering::Greater);
        assert_eq!(compare_mod(0, u64::MAX, 64), Ordering::Greater);
    }

    #[test]
    fn rescale_delta_keeps_sample_continuity() {
        // 44.1 kHz audio with 1152-sample frames, timestamps from a 1/1000 input.
        let fs = q(1, 44100);
        let ms = q(1, 1000);
        let mut last = None;
        let mut out = Vec::new();
        let mut samples = 0i64;
        for _ in 0..10 {
            let in_ts = rescale_q(samples, fs, ms).unwrap();
            out.push(rescale_delta(ms, in_ts, fs, 1152, &mut last, fs).unwrap());
            samples += 1152;
        }
        // Millisecond rounding is undone: output advances by exactly 1152.
        assert_eq!(out, (0..10).map(|i| i * 1152).collect::<Vec<_>>());
        // A jump beyond the rounding interval resynchronises.
        let got = rescale_delta(ms, 10_000, fs, 1152, &mut last, fs).unwrap();
        assert_eq!(got, 441_000);
        assert_eq!(last, Some(441_000 + 1152));
        // Zero duration or no history: plain rescaling.
        let mut none = None;
        assert_eq!(rescale_delta(ms, 26, fs, 1152, &mut none, fs), Some(1147));
        assert_eq!(none, Some(1147 + 1152));
    }

    #[test]
    fn add_stable_accumulates_without_drift() {
        // Adding 1/3 s a thousand times in a 1/1000 time base.
        let mut ts = 0;
        for _ in 0..3000 {
            ts = add_stable(q(1, 1000), ts, q(1, 3), 1).unwrap();
        }
        assert_eq!(ts, 1_000_000);
        assert_eq!(add_stable(q(1, 90000), 0, q(1, 25), 1), Some(3600));
        assert_eq!(add_stable(q(1, 25), 7, q(1, 90000), 1), Some(7));
    }
}
