//! Parsers for FFmpeg's option values: video sizes and frame rates with
//! their abbreviations (cf. `av_parse_video_size`, `av_parse_video_rate`).

use crate::error::{Error, Result};
use crate::rational::{Rational, parse_ratio};

const SIZE_ABBRS: &[(&str, usize, usize)] = &[
    ("ntsc", 720, 480),
    ("pal", 720, 576),
    ("qntsc", 352, 240),
    ("qpal", 352, 288),
    ("sntsc", 640, 480),
    ("spal", 768, 576),
    ("film", 352, 240),
    ("ntsc-film", 352, 240),
    ("sqcif", 128, 96),
    ("qcif", 176, 144),
    ("cif", 352, 288),
    ("4cif", 704, 576),
    ("16cif", 1408, 1152),
    ("qqvga", 160, 120),
    ("qvga", 320, 240),
    ("vga", 640, 480),
    ("svga", 800, 600),
    ("xga", 1024, 768),
    ("uxga", 1600, 1200),
    ("qxga", 2048, 1536),
    ("sxga", 1280, 1024),
    ("qsxga", 2560, 2048),
    ("hsxga", 5120, 4096),
    ("wvga", 852, 480),
    ("wxga", 1366, 768),
    ("wsxga", 1600, 1024),
    ("wuxga", 1920, 1200),
    ("woxga", 2560, 1600),
    ("wqsxga", 3200, 2048),
    ("wquxga", 3840, 2400),
    ("whsxga", 6400, 4096),
    ("whuxga", 7680, 4800),
    ("cga", 320, 200),
    ("ega", 640, 350),
    ("hd480", 852, 480),
    ("hd720", 1280, 720),
    ("hd1080", 1920, 1080),
    ("2k", 2048, 1080),
    ("2kdci", 2048, 1080),
    ("2kflat", 1998, 1080),
    ("2kscope", 2048, 858),
    ("4k", 4096, 2160),
    ("4kdci", 4096, 2160),
    ("4kflat", 3996, 2160),
    ("4kscope", 4096, 1716),
    ("nhd", 640, 360),
    ("hqvga", 240, 160),
    ("wqvga", 400, 240),
    ("fwqvga", 432, 240),
    ("hvga", 480, 320),
    ("qhd", 960, 540),
    ("uhd2160", 3840, 2160),
    ("uhd4320", 7680, 4320),
];

const RATE_ABBRS: &[(&str, i32, i32)] = &[
    ("ntsc", 30000, 1001),
    ("pal", 25, 1),
    ("qntsc", 30000, 1001),
    ("qpal", 25, 1),
    ("sntsc", 30000, 1001),
    ("spal", 25, 1),
    ("film", 24, 1),
    ("ntsc-film", 24000, 1001),
];

/// Parses `WxH` or an abbreviation (`cif`, `hd720`, ...) into `(width, height)`.
///
/// ```
/// use avutil::parse::parse_video_size;
/// assert_eq!(parse_video_size("352x288").unwrap(), (352, 288));
/// assert_eq!(parse_video_size("hd720").unwrap(), (1280, 720));
/// assert!(parse_video_size("0x10").is_err());
/// ```
pub fn parse_video_size(text: &str) -> Result<(usize, usize)> {
    let bad = |reason| Error::InvalidVideoSize {
        text: text.to_owned(),
        reason,
    };
    if let Some(&(_, w, h)) = SIZE_ABBRS.iter().find(|a| a.0 == text) {
        return Ok((w, h));
    }
    let (w, h) = text
        .split_once('x')
        .ok_or_else(|| bad("expected WIDTHxHEIGHT or a size name"))?;
    let w: usize = w.parse().map_err(|_| bad("width is not a number"))?;
    let h: usize = h.parse().map_err(|_| bad("height is not a number"))?;
    if w == 0 || h == 0 {
        return Err(bad("width and height must be positive"));
    }
    if w > i32::MAX as usize || h > i32::MAX as usize {
        return Err(bad("too large"));
    }
    Ok((w, h))
}

/// Parses a frame rate: an abbreviation (`pal`, `ntsc`, `film`...), `num/den`,
/// `num:den` or a decimal (approximated with terms up to 1001000, as FFmpeg).
///
/// ```
/// use avutil::{parse::parse_video_rate, Rational};
/// assert_eq!(parse_video_rate("ntsc").unwrap(), Rational::new(30000, 1001));
/// assert_eq!(parse_video_rate("29.97").unwrap(), Rational::new(2997, 100));
/// assert!(parse_video_rate("-25").is_err());
/// ```
pub fn parse_video_rate(text: &str) -> Result<Rational> {
    if let Some(&(_, n, d)) = RATE_ABBRS.iter().find(|a| a.0 == text) {
        return Ok(Rational::new(n, d));
    }
    let r = parse_ratio(text, 1_001_000)?;
    if r.num <= 0 || r.den <= 0 {
        return Err(Error::InvalidRational {
            text: text.to_owned(),
            reason: "frame rate must be positive",
        });
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_video_size("cif").unwrap(), (352, 288));
        assert_eq!(parse_video_size("1x1").unwrap(), (1, 1));
        for bad in ["", "x", "10x", "x10", "10*10", "-1x5", "99999999999x1"] {
            let e = parse_video_size(bad).unwrap_err();
            assert!(e.to_string().contains(&format!("'{bad}'")), "{e}");
        }
    }

    #[test]
    fn rates() {
        assert_eq!(parse_video_rate("25").unwrap(), Rational::new(25, 1));
        assert_eq!(
            parse_video_rate("30000/1001").unwrap(),
            Rational::new(30000, 1001)
        );
        assert_eq!(parse_video_rate("50:2").unwrap(), Rational::new(25, 1));
        assert_eq!(
            parse_video_rate("ntsc-film").unwrap(),
            Rational::new(24000, 1001)
        );
        assert!(parse_video_rate("0").is_err());
        assert!(parse_video_rate("abc").is_err());
    }
}
