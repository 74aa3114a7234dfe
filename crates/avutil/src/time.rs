//! Time: the internal time base, parsing of FFmpeg time specifications and
//! formatting of durations the way FFmpeg prints them.
//!
//! Timestamps are `Option<i64>` everywhere in the API: `None` is FFmpeg's
//! `AV_NOPTS_VALUE`, and never leaks out as a magic number. Only printers
//! turn it into `N/A`.

use crate::error::{Error, Result};
use crate::rational::Rational;

/// Internal time base in units per second (cf. `AV_TIME_BASE`).
pub const TIME_BASE: i64 = 1_000_000;

/// The internal time base as a rational, `1/1000000` (cf. `AV_TIME_BASE_Q`).
pub const TIME_BASE_Q: Rational = Rational::new(1, 1_000_000);

/// Parses a duration in FFmpeg's syntax into microseconds (cf. `av_parse_time` with `duration = 1`).
///
/// Accepted forms:
/// * `[-][HH:]MM:SS[.m...]`: hours unbounded, minutes and seconds `0..=59`;
/// * `[-]S+[.m...][s|ms|us]`: a number of seconds, milliseconds or microseconds.
///
/// Fractions are kept to the microsecond (further digits are ignored, as in
/// FFmpeg). Results that do not fit in `i64` are an error, not a wrap-around.
///
/// ```
/// use avutil::time::parse_duration;
/// assert_eq!(parse_duration("01:02.5").unwrap(), 62_500_000);
/// assert_eq!(parse_duration("1:00:00").unwrap(), 3_600_000_000);
/// assert_eq!(parse_duration("-1.5").unwrap(), -1_500_000);
/// assert_eq!(parse_duration("250ms").unwrap(), 250_000);
/// assert!(parse_duration("1:75").is_err());
/// ```
pub fn parse_duration(text: &str) -> Result<i64> {
    let bad = |reason| Error::InvalidTime {
        text: text.to_owned(),
        reason,
    };
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let digits_end = |s: &str| s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let parse_u64 = |s: &str| -> Result<u64> {
        if s.is_empty() {
            return Err(bad("expected digits"));
        }
        s.parse::<u64>().map_err(|_| bad("number too large"))
    };
    // Leading integer part.
    let n1 = digits_end(body);
    let first = parse_u64(&body[..n1])?;
    let mut rest = &body[n1..];
    let mut colon_form = false;
    let whole_seconds: u64;
    if let Some(after) = rest.strip_prefix(':') {
        colon_form = true;
        let n2 = digits_end(after);
        let second = &after[..n2];
        if second.is_empty() || second.len() > 2 {
            return Err(bad("minutes and seconds take one or two digits"));
        }
        let second = parse_u64(second)?;
        rest = &after[n2..];
        if let Some(after) = rest.strip_prefix(':') {
            // HH:MM:SS
            let n3 = digits_end(after);
            let third = &after[..n3];
            if third.is_empty() || third.len() > 2 {
                return Err(bad("minutes and seconds take one or two digits"));
            }
            let third = parse_u64(third)?;
            rest = &after[n3..];
            if second > 59 || third > 59 {
                return Err(bad("minutes and seconds must be below 60"));
            }
            whole_seconds = first
                .checked_mul(3600)
                .and_then(|h| h.checked_add(second * 60 + third))
                .ok_or_else(|| bad("out of range"))?;
        } else {
            // MM:SS
            if body[..n1].len() > 2 || first > 59 || second > 59 {
                return Err(bad("minutes and seconds must be below 60"));
            }
            whole_seconds = first * 60 + second;
        }
    } else {
        whole_seconds = first;
    }
    // Fraction: up to six digits count, the rest are skipped.
    let mut micros: u64 = 0;
    if let Some(after) = rest.strip_prefix('.') {
        let n = digits_end(after);
        for (i, c) in after[..n].bytes().take(6).enumerate() {
            micros += u64::from(c - b'0') * 10u64.pow(5 - i as u32);
        }
        rest = &after[n..];
    }
    let mut unit: u64 = 1_000_000;
    if !colon_form {
        if let Some(r) = rest.strip_prefix("ms") {
            unit = 1000;
            micros /= 1000;
            rest = r;
        } else if let Some(r) = rest.strip_prefix("us") {
            unit = 1;
            micros = 0;
            rest = r;
        } else if let Some(r) = rest.strip_prefix('s') {
            rest = r;
        }
    }
    if !rest.is_empty() {
        return Err(bad("unexpected characters after the time"));
    }
    let total = whole_seconds
        .checked_mul(unit)
        .and_then(|t| t.checked_add(micros))
        .and_then(|t| i64::try_from(t).ok())
        .ok_or_else(|| bad("out of range"))?;
    Ok(if negative { -total } else { total })
}

/// Formats a duration in microseconds as `HH:MM:SS.cc`, rounded to the
/// hundredth, or `N/A` (as `av_dump_format` prints `Duration:`).
///
/// ```
/// use avutil::time::format_duration;
/// assert_eq!(format_duration(Some(62_500_000)), "00:01:02.50");
/// assert_eq!(format_duration(Some(1_366_000)), "00:00:01.37");
/// assert_eq!(format_duration(None), "N/A");
/// ```
pub fn format_duration(us: Option<i64>) -> String {
    let Some(us) = us else {
        return "N/A".to_owned();
    };
    let rounded = us.saturating_add(if us <= i64::MAX - 5000 { 5000 } else { 0 });
    format_hms_cs(rounded)
}

/// Formats microseconds as `[-]HH:MM:SS.cc`, truncating to the hundredth (as
/// the `time=` field of FFmpeg's progress line).
pub fn format_time(us: i64) -> String {
    if us < 0 {
        format!(
            "-{}",
            format_hms_cs(us.unsigned_abs().min(i64::MAX as u64) as i64)
        )
    } else {
        format_hms_cs(us)
    }
}

fn format_hms_cs(us: i64) -> String {
    let secs = us / TIME_BASE;
    let frac = us % TIME_BASE;
    let (h, m, s) = (secs / 3600, (secs / 60) % 60, secs % 60);
    format!("{h:02}:{m:02}:{s:02}.{:02}", frac * 100 / TIME_BASE)
}

/// Formats a timestamp in `tb` as seconds with six decimals, or `N/A`
/// (as ffprobe prints `start_time`, `duration`, `pts_time`).
///
/// ```
/// use avutil::{time::format_seconds, Rational};
/// assert_eq!(format_seconds(Some(3600), Rational::new(1, 90000)), "0.040000");
/// assert_eq!(format_seconds(None, Rational::new(1, 25)), "N/A");
/// ```
pub fn format_seconds(ts: Option<i64>, tb: Rational) -> String {
    match ts {
        None => "N/A".to_owned(),
        Some(t) => format!("{:.6}", t as f64 * tb.to_f64()),
    }
}

/// Formats a start time in microseconds as `av_dump_format` does: `0.000000`, `-1.500000`.
pub fn format_start(us: i64) -> String {
    let sign = if us < 0 { "-" } else { "" };
    let a = us.unsigned_abs();
    format!("{sign}{}.{:06}", a / 1_000_000, a % 1_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colon_forms() {
        assert_eq!(parse_duration("00:00:01").unwrap(), 1_000_000);
        assert_eq!(parse_duration("1:02:03.5").unwrap(), 3_723_500_000);
        assert_eq!(parse_duration("100:00:00").unwrap(), 360_000_000_000);
        assert_eq!(parse_duration("02:03").unwrap(), 123_000_000);
        assert_eq!(parse_duration("-00:01.25").unwrap(), -1_250_000);
        assert_eq!(parse_duration("0:0:1.1234567").unwrap(), 1_123_456);
    }

    #[test]
    fn second_forms() {
        assert_eq!(parse_duration("5").unwrap(), 5_000_000);
        assert_eq!(parse_duration("5s").unwrap(), 5_000_000);
        assert_eq!(parse_duration("0.04").unwrap(), 40_000);
        assert_eq!(parse_duration("1500ms").unwrap(), 1_500_000);
        assert_eq!(parse_duration("1.5ms").unwrap(), 1_500);
        assert_eq!(parse_duration("42us").unwrap(), 42);
        assert_eq!(parse_duration("3600").unwrap(), 3_600_000_000);
        assert_eq!(
            parse_duration("9223372036854").unwrap(),
            9_223_372_036_854_000_000
        );
    }

    #[test]
    fn errors_quote_the_text() {
        for bad in [
            "",
            "-",
            "abc",
            "1:60",
            "1:2:60",
            "1:75:00",
            "1.5x",
            "1::2",
            "1:2:3:4",
            "99999999999999999999",
            "9223372036855",
            "1:02ms",
            "123:45",
        ] {
            let err = parse_duration(bad).unwrap_err();
            assert!(
                err.to_string().contains(&format!("'{bad}'")),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn printing() {
        assert_eq!(format_duration(Some(0)), "00:00:00.00");
        assert_eq!(format_duration(Some(1_369_999)), "00:00:01.37");
        assert_eq!(format_duration(Some(1_364_999)), "00:00:01.36");
        assert_eq!(format_duration(Some(3_600_000_000 * 25)), "25:00:00.00");
        assert_eq!(format_duration(Some(i64::MAX)).len(), 19);
        assert_eq!(format_time(1_239_999), "00:00:01.23");
        assert_eq!(format_time(-1_500_000), "-00:00:01.50");
        assert_eq!(format_time(i64::MIN), "-2562047788:00:54.77");
        assert_eq!(format_start(0), "0.000000");
        assert_eq!(format_start(-1_500_000), "-1.500000");
        assert_eq!(format_start(1_000_001), "1.000001");
        assert_eq!(format_seconds(Some(1), Rational::new(1, 3)), "0.333333");
    }
}
