//! Scaler flags with FFmpeg's names (cf. `SWS_*` flags and the `sws_flags` / `sws_dither` options).

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};

/// The resampling filter (cf. `SWS_BILINEAR`, `SWS_BICUBIC`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Filter {
    /// `fast_bilinear`: here the same taps as `bilinear`.
    FastBilinear,
    /// `bilinear`: triangle, 2 taps when enlarging.
    Bilinear,
    /// `bicubic`: Mitchell-Netravali cubic with parameters B (default 0) and C (default 0.6), as FFmpeg.
    #[default]
    Bicubic,
    /// `experimental`: accepted; uses the bicubic kernel.
    Experimental,
    /// `neighbor` (point sampling): picks the same source pixels as FFmpeg.
    Point,
    /// `area`: box filter weighting source pixels by their overlap with the destination pixel.
    Area,
    /// `bicublin`: bicubic for luma, bilinear for chroma.
    Bicublin,
    /// `gauss`: `2^(-p x^2)`, p = param0 (default 3).
    Gauss,
    /// `sinc`: unwindowed sinc over +-10 source pixels.
    Sinc,
    /// `lanczos`: windowed sinc, window param0 (default 3).
    Lanczos,
    /// `spline`: cubic spline kernel (Spline36 form, support 3).
    Spline,
}

impl Filter {
    /// FFmpeg's flag name.
    pub fn name(self) -> &'static str {
        match self {
            Filter::FastBilinear => "fast_bilinear",
            Filter::Bilinear => "bilinear",
            Filter::Bicubic => "bicubic",
            Filter::Experimental => "experimental",
            Filter::Point => "neighbor",
            Filter::Area => "area",
            Filter::Bicublin => "bicublin",
            Filter::Gauss => "gauss",
            Filter::Sinc => "sinc",
            Filter::Lanczos => "lanczos",
            Filter::Spline => "spline",
        }
    }

    fn from_flag(name: &str) -> Option<Filter> {
        Some(match name {
            "fast_bilinear" => Filter::FastBilinear,
            "bilinear" => Filter::Bilinear,
            "bicubic" => Filter::Bicubic,
            "experimental" => Filter::Experimental,
            "neighbor" | "point" => Filter::Point,
            "area" => Filter::Area,
            "bicublin" => Filter::Bicublin,
            "gauss" => Filter::Gauss,
            "sinc" => Filter::Sinc,
            "lanczos" => Filter::Lanczos,
            "spline" => Filter::Spline,
            _ => return None,
        })
    }
}

/// How to reduce bit depth (cf. `-sws_dither`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Dither {
    /// `auto`: ordered (Bayer 8x8) dithering where the depth is reduced, plain rounding elsewhere.
    #[default]
    Auto,
    /// `none`: round to nearest.
    None,
    /// `bayer`: ordered 8x8 dithering.
    Bayer,
    /// `ed`: Floyd-Steinberg error diffusion.
    ErrorDiffusion,
}

impl Dither {
    /// Parses an `-sws_dither` value (`auto`, `none`, `bayer`, `ed`; `a_dither`/`x_dither` map to `bayer`).
    pub fn parse(s: &str) -> Result<Dither> {
        Ok(match s {
            "auto" | "" => Dither::Auto,
            "none" => Dither::None,
            "bayer" | "a_dither" | "x_dither" => Dither::Bayer,
            "ed" => Dither::ErrorDiffusion,
            _ => {
                return Err(Error::InvalidFlags {
                    text: s.to_owned(),
                    reason: "unknown dither (auto, none, bayer, ed, a_dither, x_dither)",
                });
            }
        })
    }
}

/// Everything `sws_getContext`'s `flags` and `param` carry, typed (cf. `SWS_*`).
///
/// ```
/// use swscale::{ScaleFlags, Filter};
/// let f: ScaleFlags = "bicubic+accurate_rnd+full_chroma_int".parse().unwrap();
/// assert_eq!(f.filter, Filter::Bicubic);
/// assert!(f.accurate_rnd && f.full_chroma_int);
/// assert_eq!(f.to_string(), "bicubic+accurate_rnd+full_chroma_int");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[non_exhaustive]
pub struct ScaleFlags {
    /// The resampling filter (FFmpeg's default: bicubic).
    pub filter: Filter,
    /// Filter parameters (`param0`, `param1`): bicubic B and C, gauss exponent, lanczos window.
    pub param: [Option<f64>; 2],
    /// `accurate_rnd`: this scaler always rounds accurately; recorded for round trips.
    pub accurate_rnd: bool,
    /// `full_chroma_int`: interpolate chroma to full resolution before RGB output
    /// (this scaler always does for scaled or generic RGB output).
    pub full_chroma_int: bool,
    /// `full_chroma_inp`: read RGB input chroma at full resolution (always done here).
    pub full_chroma_inp: bool,
    /// `bitexact`: disables the SIMD kernels (results are identical anyway).
    pub bitexact: bool,
    /// `print_info`: log the chosen path at `info` level.
    pub print_info: bool,
    /// `error_diffusion` flag, or `-sws_dither`.
    pub dither: Dither,
}

impl ScaleFlags {
    /// Flags with the given filter and defaults otherwise.
    pub fn new(filter: Filter) -> Self {
        ScaleFlags {
            filter,
            ..Default::default()
        }
    }

    /// Sets `param0`/`param1` (cf. the `param0`/`param1` options of the scale filter).
    pub fn with_params(mut self, p0: Option<f64>, p1: Option<f64>) -> Self {
        self.param = [p0, p1];
        self
    }

    /// Sets the dithering mode.
    pub fn with_dither(mut self, d: Dither) -> Self {
        self.dither = d;
        self
    }

    /// Parses an `-sws_flags` string as FFmpeg's option parser does:
    /// names joined by `+` (set) or `-` (clear), e.g. `bicubic+accurate_rnd+full_chroma_int`.
    /// Unknown names are errors. Naming several filters keeps the last.
    pub fn parse(s: &str) -> Result<ScaleFlags> {
        let mut f = ScaleFlags::default();
        let mut filter_named = false;
        let mut rest = s.trim();
        if rest.is_empty() {
            return Err(Error::InvalidFlags {
                text: String::new(),
                reason: "empty flags",
            });
        }
        while !rest.is_empty() {
            let (set, body) = match rest.as_bytes()[0] {
                b'+' => (true, &rest[1..]),
                b'-' => (false, &rest[1..]),
                _ => (true, rest),
            };
            let end = body.find(['+', '-']).unwrap_or(body.len());
            let name = &body[..end];
            rest = &body[end..];
            if name.is_empty() {
                return Err(Error::InvalidFlags {
                    text: s.to_owned(),
                    reason: "empty flag name",
                });
            }
            if let Some(filt) = Filter::from_flag(name) {
                if set {
                    f.filter = filt;
                    filter_named = true;
                } else if f.filter == filt {
                    f.filter = Filter::default();
                }
                continue;
            }
            let slot = match name {
                "accurate_rnd" => &mut f.accurate_rnd,
                "full_chroma_int" => &mut f.full_chroma_int,
                "full_chroma_inp" => &mut f.full_chroma_inp,
                "bitexact" => &mut f.bitexact,
                "print_info" => &mut f.print_info,
                "error_diffusion" => {
                    f.dither = if set {
                        Dither::ErrorDiffusion
                    } else {
                        Dither::Auto
                    };
                    continue;
                }
                _ => {
                    return Err(Error::InvalidFlags {
                        text: name.to_owned(),
                        reason: "unknown flag",
                    });
                }
            };
            *slot = set;
        }
        let _ = filter_named;
        Ok(f)
    }
}

impl FromStr for ScaleFlags {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        ScaleFlags::parse(s)
    }
}

impl fmt::Display for ScaleFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.filter.name())?;
        for (on, name) in [
            (self.print_info, "print_info"),
            (self.accurate_rnd, "accurate_rnd"),
            (self.full_chroma_int, "full_chroma_int"),
            (self.full_chroma_inp, "full_chroma_inp"),
            (self.bitexact, "bitexact"),
            (self.dither == Dither::ErrorDiffusion, "error_diffusion"),
        ] {
            if on {
                write!(f, "+{name}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ffmpeg_flag_strings() {
        let f = ScaleFlags::parse("bicubic+accurate_rnd+full_chroma_int").unwrap();
        assert_eq!(f.filter, Filter::Bicubic);
        assert!(f.accurate_rnd && f.full_chroma_int && !f.bitexact);
        let g = ScaleFlags::parse("neighbor").unwrap();
        assert_eq!(g.filter, Filter::Point);
        let h = ScaleFlags::parse("lanczos+bitexact-bitexact+print_info").unwrap();
        assert_eq!(h.filter, Filter::Lanczos);
        assert!(!h.bitexact && h.print_info);
        assert_eq!(
            ScaleFlags::parse("+area+error_diffusion").unwrap().dither,
            Dither::ErrorDiffusion
        );
        for bad in ["", "bicubik", "bilinear++accurate_rnd", "fast-bilinear"] {
            assert!(ScaleFlags::parse(bad).is_err(), "{bad}");
        }
        for name in [
            "fast_bilinear",
            "bilinear",
            "bicubic",
            "experimental",
            "neighbor",
            "area",
            "bicublin",
            "gauss",
            "sinc",
            "lanczos",
            "spline",
        ] {
            let f = ScaleFlags::parse(name).unwrap();
            assert_eq!(f.filter.name(), name);
            assert_eq!(f.to_string().parse::<ScaleFlags>().unwrap(), f);
        }
        assert_eq!(Dither::parse("ed").unwrap(), Dither::ErrorDiffusion);
        assert!(Dither::parse("floyd").is_err());
    }
}
