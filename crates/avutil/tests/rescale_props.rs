//! `rescale_rnd`, `compare_ts`, `Rational` arithmetic against a big-integer
//! reference, over well over 100 000 random cases each, mixing uniformly
//! random 64-bit values with boundary values (`i64::MIN`, `i64::MAX`, 0, ±1,
//! powers of two and their neighbours) and every rounding mode.

use std::cmp::Ordering;

use avutil::Rational;
use avutil::mathematics::{Rnd, Rounding, compare_ts, rescale_rnd};
use num_bigint::BigInt;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const CASES: usize = 120_000;
const MODES: [Rounding; 5] = [
    Rounding::Zero,
    Rounding::Inf,
    Rounding::Down,
    Rounding::Up,
    Rounding::NearInf,
];

fn interesting_i64(rng: &mut ChaCha8Rng) -> i64 {
    match rng.random_range(0..10) {
        0 => *[i64::MIN, i64::MAX, 0, 1, -1, i64::MIN + 1, i64::MAX - 1]
            .get(rng.random_range(0..7))
            .unwrap_or(&0),
        1 => {
            let p = 1i64 << rng.random_range(0..63);
            p + rng.random_range(-1..=1)
        }
        2 => rng.random_range(-1000..1000),
        3 => rng.random_range(i32::MIN as i64..=i32::MAX as i64),
        4 => -(1i64 << rng.random_range(0..63)),
        _ => rng.random(),
    }
}

fn positive_i64(rng: &mut ChaCha8Rng) -> i64 {
    match rng.random_range(0..6) {
        0 => i64::MAX,
        1 => rng.random_range(1..=1000),
        2 => rng.random_range(1..=i32::MAX as i64),
        3 => 1i64 << rng.random_range(0..63),
        _ => rng.random_range(1..=i64::MAX),
    }
}

/// Floor division of big integers with positive divisor.
fn floor_div(n: &BigInt, d: &BigInt) -> BigInt {
    let q = n / d;
    if (n % d) != BigInt::from(0) && *n < BigInt::from(0) {
        q - 1
    } else {
        q
    }
}

/// The reference: exact rational rounding, FFmpeg's rules for arguments.
fn reference(a: i64, b: i64, c: i64, rnd: Rnd) -> Option<i64> {
    if c <= 0 || b < 0 {
        return None;
    }
    if rnd.pass_min_max && (a == i64::MIN || a == i64::MAX) {
        return Some(a);
    }
    // FFmpeg treats i64::MIN as -i64::MAX.
    let a = if a == i64::MIN { -i64::MAX } else { a };
    let n = BigInt::from(a) * BigInt::from(b);
    let d = BigInt::from(c);
    let floor = floor_div(&n, &d);
    let exact = &floor * &d == n;
    let ceil = if exact { floor.clone() } else { &floor + 1 };
    let zero = BigInt::from(0);
    let r = match rnd.mode {
        Rounding::Down => floor,
        Rounding::Up => ceil,
        Rounding::Zero => {
            if n >= zero {
                floor
            } else {
                ceil
            }
        }
        Rounding::Inf => {
            if n >= zero {
                ceil
            } else {
                floor
            }
        }
        Rounding::NearInf => {
            // Compare 2 * |remainder| with the divisor: halves go away from zero.
            let twice = BigInt::from(2) * (&n - &floor * &d);
            match twice.cmp(&d) {
                Ordering::Less => floor,
                Ordering::Greater => ceil,
                Ordering::Equal => {
                    if n >= zero {
                        ceil
                    } else {
                        floor
                    }
                }
            }
        }
    };
    let v: i64 = r.try_into().ok()?;
    (v != i64::MIN).then_some(v)
}

#[test]
fn rescale_rnd_matches_big_integer_reference() {
    let mut rng = ChaCha8Rng::seed_from_u64(0x5eed_0001);
    let mut compared = 0usize;
    let mut some = 0usize;
    for i in 0..CASES {
        let a = interesting_i64(&mut rng);
        // Mostly valid b, c; sometimes invalid ones.
        let b = if i % 97 == 0 {
            interesting_i64(&mut rng)
        } else {
            positive_i64(&mut rng) - (i % 13 == 0) as i64
        };
        let c = if i % 89 == 0 {
            interesting_i64(&mut rng)
        } else {
            positive_i64(&mut rng)
        };
        for mode in MODES {
            for pass in [false, true] {
                let rnd = Rnd {
                    mode,
                    pass_min_max: pass,
                };
                let got = rescale_rnd(a, b, c, rnd);
                assert_eq!(
                    got,
                    reference(a, b, c, rnd),
                    "rescale_rnd({a}, {b}, {c}, {rnd:?})"
                );
                compared += 1;
                some += got.is_some() as usize;
            }
        }
    }
    assert!(compared >= 10 * CASES);
    // The generator must exercise both outcomes substantially.
    assert!(
        some > compared / 4 && some < compared - compared / 20,
        "{some} of {compared}"
    );
}

#[test]
fn rescale_boundaries_every_mode() {
    let specials = [
        i64::MIN,
        i64::MIN + 1,
        -2,
        -1,
        0,
        1,
        2,
        i64::MAX - 1,
        i64::MAX,
    ];
    for &a in &specials {
        for &b in &specials {
            for &c in &specials {
                for mode in MODES {
                    for pass in [false, true] {
                        let rnd = Rnd {
                            mode,
                            pass_min_max: pass,
                        };
                        assert_eq!(
                            rescale_rnd(a, b, c, rnd),
                            reference(a, b, c, rnd),
                            "({a}, {b}, {c}, {rnd:?})"
                        );
                    }
                }
            }
        }
    }
}

fn random_q(rng: &mut ChaCha8Rng) -> Rational {
    let pick = |rng: &mut ChaCha8Rng| -> i32 {
        match rng.random_range(0..6) {
            0 => *[i32::MIN, i32::MAX, 0, 1, -1]
                .get(rng.random_range(0..5))
                .unwrap_or(&1),
            1 => rng.random_range(-100..100),
            2 => rng.random_range(1..=100_000),
            _ => rng.random(),
        }
    };
    Rational::new(pick(rng), pick(rng))
}

#[test]
fn compare_ts_matches_big_integer_reference() {
    let mut rng = ChaCha8Rng::seed_from_u64(0x5eed_0002);
    for _ in 0..CASES {
        let (ta, tb) = (interesting_i64(&mut rng), interesting_i64(&mut rng));
        let qa = Rational::new(
            rng.random_range(1..=i32::MAX),
            rng.random_range(1..=i32::MAX),
        );
        let qb = if rng.random_bool(0.3) {
            qa
        } else {
            Rational::new(
                rng.random_range(1..=100_000),
                rng.random_range(1..=i32::MAX),
            )
        };
        let lhs = BigInt::from(ta) * qa.num * qb.den;
        let rhs = BigInt::from(tb) * qb.num * qa.den;
        assert_eq!(
            compare_ts(ta, qa, tb, qb),
            lhs.cmp(&rhs),
            "{ta}@{qa} vs {tb}@{qb}"
        );
    }
}

#[test]
fn rational_arithmetic_is_exact_or_bounded() {
    let mut rng = ChaCha8Rng::seed_from_u64(0x5eed_0003);
    let mut exact_seen = 0;
    for _ in 0..CASES {
        let (x, y) = (random_q(&mut rng), random_q(&mut rng));
        if x.den == 0 || y.den == 0 {
            continue;
        }
        // The exact product and sum as big fractions.
        let (xn, xd, yn, yd) = (
            BigInt::from(x.num),
            BigInt::from(x.den),
            BigInt::from(y.num),
            BigInt::from(y.den),
        );
        for (got, n, d) in [
            (x * y, &xn * &yn, &xd * &yd),
            (x + y, &xn * &yd + &yn * &xd, &xd * &yd),
            (x - y, &xn * &yd - &yn * &xd, &xd * &yd),
        ] {
            assert!(got.den >= 0, "denominator sign {got}");
            let value_equal = BigInt::from(got.num) * &d == &n * BigInt::from(got.den);
            // Exact whenever the reduced exact value fits in i32.
            let g = num_gcd(&n, &d);
            let (mut rn, mut rd) = (&n / &g, &d / &g);
            if rd < BigInt::from(0) {
                rn = -rn;
                rd = -rd;
            }
            let fits = i32::try_from(rn.clone()).is_ok_and(|v| v != i32::MIN)
                && i32::try_from(rd.clone()).is_ok();
            if fits {
                assert!(value_equal, "{x} op {y} = {got}, exact {rn}/{rd}");
                exact_seen += 1;
            } else {
                assert!(got.num != i32::MIN, "{got}");
            }
        }
    }
    assert!(exact_seen > CASES / 4, "{exact_seen}");
}

fn num_gcd(a: &BigInt, b: &BigInt) -> BigInt {
    let (mut a, mut b) = (a.clone(), b.clone());
    if a < BigInt::from(0) {
        a = -a;
    }
    if b < BigInt::from(0) {
        b = -b;
    }
    while b != BigInt::from(0) {
        let t = &a % &b;
        a = b;
        b = t;
    }
    if a == BigInt::from(0) {
        BigInt::from(1)
    } else {
        a
    }
}

#[test]
fn rational_compare_matches_big_integer_reference() {
    let mut rng = ChaCha8Rng::seed_from_u64(0x5eed_0004);
    for _ in 0..CASES {
        let (x, y) = (random_q(&mut rng), random_q(&mut rng));
        let expected = match (x.den, y.den) {
            (0, _) | (_, 0) => continue,
            _ => {
                let s = (x.den.signum() * y.den.signum()) as i64;
                let l = BigInt::from(x.num) * BigInt::from(y.den) * s;
                let r = BigInt::from(y.num) * BigInt::from(x.den) * s;
                l.cmp(&r)
            }
        };
        assert_eq!(x.compare(y), Some(expected), "{x} vs {y}");
    }
}
