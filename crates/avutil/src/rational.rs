//! Exact rational numbers (cf. `AVRational`, `av_reduce`, `av_d2q`, `av_cmp_q`).
//!
//! A [`Rational`] is a pair of `i32` like FFmpeg's `AVRational`. Values are
//! not forced into lowest terms (a time base of `2/50` is legal), but every
//! arithmetic result is reduced. `x/0` with `x != 0` is an infinity and `0/0`
//! is "not a number": comparisons involving `0/0` return `None` instead of a
//! sentinel, so `Rational` implements [`PartialOrd`] but not `Ord`.

use std::cmp::Ordering;
use std::fmt;
use std::ops::{Add, Div, Mul, Neg, Sub};
use std::str::FromStr;

use crate::error::{Error, Result};

/// A rational number `num/den` (cf. `AVRational`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Rational {
    /// Numerator.
    pub num: i32,
    /// Denominator.
    pub den: i32,
}

/// Greatest common divisor of two integers, always non-negative (cf. `av_gcd`).
///
/// `gcd(0, 0) == 0`. The result is unsigned so that `gcd(i64::MIN, 0)`
/// (which is 2^63) is representable.
pub fn gcd(a: i64, b: i64) -> u64 {
    gcd_u128(u128::from(a.unsigned_abs()), u128::from(b.unsigned_abs())) as u64
}

fn gcd_u128(mut a: u128, mut b: u128) -> u128 {
    if a == 0 {
        return b;
    }
    if b == 0 {
        return a;
    }
    let shift = (a | b).trailing_zeros();
    a >>= a.trailing_zeros();
    loop {
        b >>= b.trailing_zeros();
        if a > b {
            std::mem::swap(&mut a, &mut b);
        }
        b -= a;
        if b == 0 {
            return a << shift;
        }
    }
}

/// Compares `a * b` with `c * d` for 128-bit unsigned operands, without overflow.
fn cmp_products(a: u128, b: u128, c: u128, d: u128) -> Ordering {
    fn wide(x: u128, y: u128) -> (u128, u128) {
        let (xh, xl) = (x >> 64, x & u128::from(u64::MAX));
        let (yh, yl) = (y >> 64, y & u128::from(u64::MAX));
        let ll = xl * yl;
        let lh = xl * yh;
        let hl = xh * yl;
        let hh = xh * yh;
        let mid = (ll >> 64) + (lh & u128::from(u64::MAX)) + (hl & u128::from(u64::MAX));
        let lo = (ll & u128::from(u64::MAX)) | (mid << 64);
        let hi = hh + (lh >> 64) + (hl >> 64) + (mid >> 64);
        (hi, lo)
    }
    wide(a, b).cmp(&wide(c, d))
}

/// Best approximation of `num/den` with numerator and denominator at most
/// `max` in magnitude, by continued fractions. Returns `(num, den, exact)`.
///
/// The walk goes through the convergents of the continued fraction; when the
/// next convergent would exceed `max`, the largest admissible semiconvergent
/// is taken instead if it is closer to the value than the last convergent.
pub(crate) fn reduce_wide(num: i128, den: i128, max: u64) -> (i64, i64, bool) {
    let negative = (num < 0) != (den < 0);
    let mut n = num.unsigned_abs();
    let mut d = den.unsigned_abs();
    let g = gcd_u128(n, d);
    if let (Some(a), Some(b)) = (n.checked_div(g), d.checked_div(g)) {
        n = a;
        d = b;
    }
    let max = u128::from(max);
    // Two previous convergents p0/q0 and p1/q1, starting from 0/1 and 1/0.
    let (mut p0, mut q0, mut p1, mut q1) = (0u128, 1u128, 1u128, 0u128);
    let exact;
    if n <= max && d <= max {
        p1 = n;
        q1 = d;
        exact = true;
    } else {
        loop {
            if d == 0 {
                exact = true;
                break;
            }
            let a = n / d;
            let r = n - a * d;
            let p2 = a.checked_mul(p1).and_then(|x| x.checked_add(p0));
            let q2 = a.checked_mul(q1).and_then(|x| x.checked_add(q0));
            match (p2, q2) {
                (Some(p2), Some(q2)) if p2 <= max && q2 <= max => {
                    p0 = p1;
                    q0 = q1;
                    p1 = p2;
                    q1 = q2;
                    n = d;
                    d = r;
                }
                _ => {
                    // Largest k with k*p1 + p0 <= max and k*q1 + q0 <= max.
                    let mut k = a;
                    if let Some(kp) = (max - p0).checked_div(p1) {
                        k = k.min(kp);
                    }
                    if let Some(kq) = (max - q0).checked_div(q1) {
                        k = k.min(kq);
                    }
                    // The semiconvergent k is closer than p1/q1 exactly when
                    // 2k + q0/q1 > n/d (the remaining complete quotient).
                    if cmp_products(d, 2 * k * q1 + q0, n, q1) == Ordering::Greater {
                        p1 = k * p1 + p0;
                        q1 = k * q1 + q0;
                    }
                    exact = false;
                    break;
                }
            }
        }
    }
    let p = p1 as i64;
    (if negative { -p } else { p }, q1 as i64, exact)
}

impl Rational {
    /// `0/1`.
    pub const ZERO: Rational = Rational { num: 0, den: 1 };
    /// `1/1`.
    pub const ONE: Rational = Rational { num: 1, den: 1 };
    /// `0/0`, the "unknown" rational FFmpeg uses for unset aspect ratios and rates.
    pub const UNDEFINED: Rational = Rational { num: 0, den: 0 };

    /// `num/den` as given, not reduced (cf. `av_make_q`).
    pub const fn new(num: i32, den: i32) -> Self {
        Rational { num, den }
    }

    /// `num/den` reduced to lowest terms, or approximated when it does not fit
    /// in `i32` (cf. `av_reduce` with `max = INT_MAX`).
    pub fn reduced(num: i64, den: i64) -> Self {
        Self::reduce(num, den, i32::MAX as u64).0
    }

    /// Reduces `num/den` so that numerator and denominator are at most `max`
    /// in magnitude (cf. `av_reduce`). `max` is capped at `i32::MAX`.
    /// Returns the rational and whether it is exact.
    pub fn reduce(num: i64, den: i64, max: u64) -> (Self, bool) {
        let (n, d, exact) = reduce_wide(i128::from(num), i128::from(den), max.min(i32::MAX as u64));
        (
            Rational {
                num: n as i32,
                den: d as i32,
            },
            exact,
        )
    }

    fn from_wide(num: i128, den: i128) -> Self {
        let (n, d, _) = reduce_wide(num, den, i32::MAX as u64);
        Rational {
            num: n as i32,
            den: d as i32,
        }
    }

    /// The closest rational to `d` with terms at most `max` (cf. `av_d2q`).
    ///
    /// NaN gives `0/0`; magnitudes beyond `i32::MAX` give `±1/0`.
    pub fn from_f64(d: f64, max: i32) -> Self {
        if d.is_nan() {
            return Rational::UNDEFINED;
        }
        if d.abs() > i32::MAX as f64 + 3.0 {
            return Rational {
                num: if d < 0.0 { -1 } else { 1 },
                den: 0,
            };
        }
        let exponent = (frexp_exponent(d) - 1).max(0);
        let den: i64 = 1i64 << (61 - exponent);
        let num = (d * den as f64 + 0.5).floor() as i64;
        let max_u = max.max(0) as u64;
        let (mut q, _) = Self::reduce(num, den, max_u);
        if (q.num == 0 || q.den == 0) && d != 0.0 && max > 0 && max < i32::MAX {
            q = Self::reduce(num, den, i32::MAX as u64).0;
        }
        q
    }

    /// The value as a float (cf. `av_q2d`); `x/0` gives an infinity or NaN.
    pub fn to_f64(self) -> f64 {
        f64::from(self.num) / f64::from(self.den)
    }

    /// `den/num` (cf. `av_inv_q`).
    pub const fn invert(self) -> Self {
        Rational {
            num: self.den,
            den: self.num,
        }
    }

    /// True for `0/0`.
    pub const fn is_undefined(self) -> bool {
        self.num == 0 && self.den == 0
    }

    /// True when the denominator is non-zero.
    pub const fn is_finite(self) -> bool {
        self.den != 0
    }

    /// Three-way comparison by value (cf. `av_cmp_q`); `None` when either side is `0/0`.
    ///
    /// Infinities compare as expected: `1/0 > x` for every finite `x`, and
    /// two infinities of the same sign are equal.
    pub fn compare(self, other: Rational) -> Option<Ordering> {
        let (an, ad) = normalize_sign(self);
        let (bn, bd) = normalize_sign(other);
        match (ad == 0, bd == 0) {
            (false, false) => Some((an * bd).cmp(&(bn * ad))),
            (true, true) => {
                if an == 0 || bn == 0 {
                    None
                } else {
                    Some(an.signum().cmp(&bn.signum()))
                }
            }
            (true, false) => (an != 0).then(|| an.signum().cmp(&0)),
            (false, true) => (bn != 0).then(|| 0.cmp(&bn.signum())),
        }
    }

    /// Which of `q1` and `q2` is nearer to `self` (cf. `av_nearer_q`):
    /// `Ordering::Less` if `q1` is nearer, `Greater` if `q2` is, `Equal` on a tie.
    ///
    /// All three must have positive denominators.
    pub fn nearer(self, q1: Rational, q2: Rational) -> Ordering {
        let (q1n, q1d) = (i128::from(q1.num), i128::from(q1.den));
        let (q2n, q2d) = (i128::from(q2.num), i128::from(q2.den));
        let (qn, qd) = (i128::from(self.num), i128::from(self.den));
        // Midpoint m = (q1 + q2) / 2 = mn / md; compare self with it.
        let mn = q1n * q2d + q2n * q1d;
        let md = 2 * q1d * q2d;
        let self_vs_mid = (qn * md).cmp(&(mn * qd));
        let order = q1.compare(q2).unwrap_or(Ordering::Equal);
        match (self_vs_mid, order) {
            (Ordering::Equal, _) | (_, Ordering::Equal) => Ordering::Equal,
            // self above the midpoint: nearer to the larger of the two.
            (Ordering::Greater, Ordering::Greater) => Ordering::Less,
            (Ordering::Greater, Ordering::Less) => Ordering::Greater,
            (Ordering::Less, Ordering::Greater) => Ordering::Greater,
            (Ordering::Less, Ordering::Less) => Ordering::Less,
        }
    }

    /// Index of the element of `list` nearest to `self` (cf. `av_find_nearest_q_idx`).
    pub fn nearest_in(self, list: &[Rational]) -> Option<usize> {
        let mut best: Option<usize> = None;
        for (i, &q) in list.iter().enumerate() {
            best = match best {
                None => Some(i),
                Some(b) if self.nearer(q, list[b]) == Ordering::Less => Some(i),
                keep => keep,
            };
        }
        best
    }
}

fn normalize_sign(q: Rational) -> (i64, i64) {
    let (n, d) = (i64::from(q.num), i64::from(q.den));
    if d < 0 { (-n, -d) } else { (n, d) }
}

/// The binary exponent `e` with `d = m * 2^e`, `0.5 <= |m| < 1` (C's `frexp`); 0 for 0.
fn frexp_exponent(d: f64) -> i32 {
    if d == 0.0 || !d.is_finite() {
        return 0;
    }
    let bits = d.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    if biased == 0 {
        // Subnormal: scale into the normal range first.
        return frexp_exponent(d * 2f64.powi(64)) - 64;
    }
    biased - 1022
}

impl PartialEq for Rational {
    fn eq(&self, other: &Self) -> bool {
        self.compare(*other) == Some(Ordering::Equal)
    }
}

impl PartialOrd for Rational {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        self.compare(*other)
    }
}

impl Add for Rational {
    type Output = Rational;
    /// Sum, reduced (cf. `av_add_q`).
    fn add(self, c: Rational) -> Rational {
        let (bn, bd, cn, cd) = wide4(self, c);
        Rational::from_wide(bn * cd + cn * bd, bd * cd)
    }
}

impl Sub for Rational {
    type Output = Rational;
    /// Difference, reduced (cf. `av_sub_q`).
    fn sub(self, c: Rational) -> Rational {
        let (bn, bd, cn, cd) = wide4(self, c);
        Rational::from_wide(bn * cd - cn * bd, bd * cd)
    }
}

impl Mul for Rational {
    type Output = Rational;
    /// Product, reduced (cf. `av_mul_q`).
    fn mul(self, c: Rational) -> Rational {
        let (bn, bd, cn, cd) = wide4(self, c);
        Rational::from_wide(bn * cn, bd * cd)
    }
}

impl Div for Rational {
    type Output = Rational;
    /// Quotient, reduced (cf. `av_div_q`); dividing by zero gives an infinity or `0/0`.
    fn div(self, c: Rational) -> Rational {
        let (bn, bd, cn, cd) = wide4(self, c);
        Rational::from_wide(bn * cd, bd * cn)
    }
}

impl Neg for Rational {
    type Output = Rational;
    fn neg(self) -> Rational {
        Rational::from_wide(-i128::from(self.num), i128::from(self.den))
    }
}

fn wide4(b: Rational, c: Rational) -> (i128, i128, i128, i128) {
    (
        i128::from(b.num),
        i128::from(b.den),
        i128::from(c.num),
        i128::from(c.den),
    )
}

impl fmt::Display for Rational {
    /// `num/den`, as ffprobe prints time bases and frame rates.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.num, self.den)
    }
}

impl From<i32> for Rational {
    fn from(n: i32) -> Self {
        Rational { num: n, den: 1 }
    }
}

/// Parses a ratio like FFmpeg's `av_parse_ratio`: `"num:den"` or `"num/den"`
/// (reduced with bound `max`), or a decimal number (approximated with
/// [`Rational::from_f64`]). Unlike FFmpeg, arbitrary arithmetic expressions
/// are not evaluated.
pub fn parse_ratio(text: &str, max: i32) -> Result<Rational> {
    let bad = |reason| Error::InvalidRational {
        text: text.to_owned(),
        reason,
    };
    let t = text.trim();
    if t.is_empty() {
        return Err(bad("empty"));
    }
    if let Some((a, b)) = t.split_once([':', '/']) {
        let num: i64 = a
            .trim()
            .parse()
            .map_err(|_| bad("numerator is not an integer"))?;
        let den: i64 = b
            .trim()
            .parse()
            .map_err(|_| bad("denominator is not an integer"))?;
        if i32::try_from(num).is_err() || i32::try_from(den).is_err() {
            return Err(bad("term out of range"));
        }
        return Ok(Rational::reduce(num, den, max.max(0) as u64).0);
    }
    let d: f64 = t.parse().map_err(|_| bad("not a number"))?;
    if !d.is_finite() {
        return Err(bad("not a finite number"));
    }
    Ok(Rational::from_f64(d, max))
}

impl FromStr for Rational {
    type Err = Error;
    /// Parses `"num/den"`, `"num:den"` or a decimal (bound `i32::MAX`), see [`parse_ratio`].
    fn from_str(s: &str) -> Result<Self> {
        parse_ratio(s, i32::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(n: i32, d: i32) -> Rational {
        Rational::new(n, d)
    }

    #[test]
    fn reduce_exact_and_bounded() {
        assert_eq!(
            Rational::reduce(30000, 1001, 1_000_000),
            (q(30000, 1001), true)
        );
        assert_eq!(Rational::reduce(50, 100, 100), (q(1, 2), true));
        assert_eq!(Rational::reduce(-6, 4, 100), (q(-3, 2), true));
        assert_eq!(Rational::reduce(6, -4, 100), (q(-3, 2), true));
        let (nan, exact) = Rational::reduce(0, 0, 100);
        assert!(nan.is_undefined() && exact);
        assert_eq!(Rational::reduce(5, 0, 100), (q(1, 0), true));
        // pi with small bounds: 355/113 is the classic best approximation.
        let (pi, exact) = Rational::reduce(314159265358979, 100000000000000, 1000);
        assert!(!exact);
        assert_eq!((pi.num, pi.den), (355, 113));
        let (pi, _) = Rational::reduce(314159265358979, 100000000000000, 100);
        assert_eq!(
            (pi.num, pi.den),
            (22, 7),
            "311/99 is closer but its numerator exceeds 100"
        );
        // A large value clamps to max/1.
        let (big, _) = Rational::reduce(i64::MAX, 1, 1000);
        assert_eq!((big.num, big.den), (1000, 1));
    }

    #[test]
    fn reduce_bounded_is_best_approximation() {
        // Brute force: for small bounds, no fraction with terms <= max is closer.
        for (n, d) in [
            (1_000_003i64, 999_983i64),
            (22, 7),
            (123_456, 7_890),
            (-987_654, 123),
            (3, 1000),
        ] {
            for max in [3u64, 10, 37, 100] {
                let (r, _) = Rational::reduce(n, d, max);
                let err = |a: i64, b: i64| ((n as f64 / d as f64) - a as f64 / b as f64).abs();
                let got = err(i64::from(r.num), i64::from(r.den));
                for b in 1..=max as i64 {
                    for a in -(max as i64)..=max as i64 {
                        assert!(
                            err(a, b) >= got - 1e-12,
                            "{n}/{d} max {max}: {a}/{b} beats {r}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn d2q_matches_ffmpeg_values() {
        assert_eq!(Rational::from_f64(29.97, 1001000), q(2997, 100));
        assert_eq!(
            Rational::from_f64(30000.0 / 1001.0, 1001000),
            q(30000, 1001)
        );
        assert_eq!(Rational::from_f64(0.5, 255), q(1, 2));
        assert_eq!(Rational::from_f64(25.0, i32::MAX), q(25, 1));
        assert_eq!(Rational::from_f64(-1.5, 100), q(-3, 2));
        assert!(Rational::from_f64(f64::NAN, 100).is_undefined());
        let inf = Rational::from_f64(1e300, 100);
        assert_eq!((inf.num, inf.den), (1, 0));
        assert_eq!(Rational::from_f64(0.0, 100), q(0, 1));
        // A tiny value with a small max falls back to the INT_MAX bound.
        let tiny = Rational::from_f64(1e-5, 10);
        assert_eq!((tiny.num, tiny.den), (1, 100000));
    }

    #[test]
    fn comparisons() {
        assert_eq!(q(1, 2).compare(q(2, 4)), Some(Ordering::Equal));
        assert!(q(1, 2) == q(2, 4));
        assert!(q(1, 3) < q(1, 2));
        assert!(q(-1, 2) < q(1, -3));
        assert_eq!(q(1, -2).compare(q(-1, 2)), Some(Ordering::Equal));
        assert!(q(1, 0) > q(i32::MAX, 1));
        assert!(q(-1, 0) < q(i32::MIN, 1));
        assert_eq!(q(5, 0).compare(q(1, 0)), Some(Ordering::Equal));
        assert_eq!(q(-5, 0).compare(q(1, 0)), Some(Ordering::Less));
        assert_eq!(q(0, 0).compare(q(1, 2)), None);
        assert_eq!(q(0, 0).compare(q(0, 0)), None);
        assert_eq!(q(0, 0).compare(q(1, 0)), None);
        assert!(q(0, 0) != q(0, 0));
        assert_eq!(
            q(i32::MAX, 1).compare(q(i32::MAX - 1, 1)),
            Some(Ordering::Greater)
        );
    }

    #[test]
    fn arithmetic() {
        assert_eq!(q(1, 2) + q(1, 3), q(5, 6));
        assert_eq!(q(1, 2) - q(1, 3), q(1, 6));
        assert_eq!(q(2, 3) * q(3, 4), q(1, 2));
        assert_eq!(q(2, 3) / q(4, 3), q(1, 2));
        assert_eq!(-q(1, 2), q(-1, 2));
        assert_eq!(
            -q(i32::MIN, 1),
            q(i32::MAX, 1),
            "negating i32::MIN saturates by reduction"
        );
        assert_eq!(q(3, 4).invert(), q(4, 3));
        let sum = q(i32::MAX, 1) + q(i32::MAX, 1);
        assert_eq!(
            (sum.num, sum.den),
            (i32::MAX, 1),
            "overflowing sums approximate within bounds"
        );
        let s = q(i32::MIN, 1) + q(i32::MIN, 1);
        assert_eq!((s.num, s.den), (-i32::MAX, 1));
        assert_eq!((q(1, 2) / q(0, 1)).den, 0);
    }

    #[test]
    fn nearer_and_nearest() {
        let q = Rational::new;
        assert_eq!(q(1, 3).nearer(q(1, 4), q(1, 2)), Ordering::Less);
        assert_eq!(q(2, 5).nearer(q(1, 4), q(1, 2)), Ordering::Greater);
        assert_eq!(q(3, 8).nearer(q(1, 4), q(1, 2)), Ordering::Equal);
        assert_eq!(q(3, 8).nearer(q(1, 2), q(1, 4)), Ordering::Equal);
        let rates = [q(24, 1), q(25, 1), q(30000, 1001), q(30, 1)];
        assert_eq!(q(2997, 100).nearest_in(&rates), Some(2));
        assert_eq!(q(26, 1).nearest_in(&rates), Some(1));
        assert_eq!(q(26, 1).nearest_in(&[]), None);
    }

    #[test]
    fn gcd_values() {
        assert_eq!(gcd(12, 18), 6);
        assert_eq!(gcd(-12, 18), 6);
        assert_eq!(gcd(0, 0), 0);
        assert_eq!(gcd(0, -7), 7);
        assert_eq!(gcd(i64::MIN, 0), 1u64 << 63);
        assert_eq!(gcd(i64::MIN, i64::MIN), 1u64 << 63);
        assert_eq!(gcd(i64::MAX, i64::MAX - 1), 1);
    }

    #[test]
    fn parsing_and_display() {
        assert_eq!("30000/1001".parse::<Rational>().unwrap(), q(30000, 1001));
        assert_eq!("16:9".parse::<Rational>().unwrap(), q(16, 9));
        assert_eq!("4/6".parse::<Rational>().unwrap(), q(2, 3));
        assert_eq!("25".parse::<Rational>().unwrap(), q(25, 1));
        assert_eq!(parse_ratio("29.97", 1001000).unwrap(), q(2997, 100));
        assert_eq!(q(1, 25).to_string(), "1/25");
        for bad in ["", "abc", "1/x", "x:2", "1/99999999999", "inf", "NaN"] {
            let e = bad.parse::<Rational>().unwrap_err();
            assert!(e.to_string().contains(&format!("'{bad}'")), "{e}");
        }
    }

    #[test]
    fn frexp() {
        assert_eq!(frexp_exponent(1.0), 1);
        assert_eq!(frexp_exponent(0.5), 0);
        assert_eq!(frexp_exponent(0.75), 0);
        assert_eq!(frexp_exponent(3.0), 2);
        assert_eq!(frexp_exponent(-3.0), 2);
        assert_eq!(frexp_exponent(f64::MIN_POSITIVE / 4.0), -1023);
    }
}
