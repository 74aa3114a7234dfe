//! Synthetic sources addressed like FFmpeg's `lavfi` input device: `-f lavfi -i
//! testsrc2=size=352x288:rate=25:duration=5` (cf. `libavdevice/lavfi.c` and the source filters
//! `testsrc`, `testsrc2`, `color`, `sine`, `anullsrc` of libavfilter).
//!
//! The url is one source description `name[=options]`; options are `key=value` pairs or
//! positional values (in the order of FFmpeg's option list) separated by `:`, with `\` escapes
//! and `'...'` quoting. Option names, aliases and defaults are FFmpeg 5.1's; an unknown option,
//! an unparsable value or an unknown source is an error naming it. Filter graphs (several
//! filters) are not supported.
//!
//! | source    | output                         | defaults                                 |
//! |-----------|--------------------------------|------------------------------------------|
//! | `testsrc` | rawvideo rgb24, sar 1:1        | 320x240, 25 fps, endless                 |
//! | `testsrc2`| rawvideo yuv420p, sar 1:1      | 320x240, 25 fps, endless                 |
//! | `color`   | rawvideo yuv420p, sar 1:1      | black, 320x240, 25 fps, endless          |
//! | `sine`    | pcm_s16le mono                 | 440 Hz, 44100 Hz, 1024 samples, endless  |
//! | `anullsrc`| pcm_u8 (silence)               | stereo, 44100 Hz, 1024 samples, endless  |
//!
//! Video packets have `pts` = frame number in time base `1/rate`; audio packets `pts` = sample
//! number in `1/sample_rate`. With a duration, video stops at the first frame whose time is at
//! or after it, audio after `duration * sample_rate` samples (a short last packet). Endless
//! sources must be bounded by the caller (`-t`, `-frames`); each packet is one picture or one
//! block of samples, so reading never allocates more than that.
//!
//! `color` pixels equal FFmpeg's (BT.601 limited range, as its drawing code converts); `sine`
//! has FFmpeg's amplitude (4095); `testsrc`/`testsrc2` draw their own patterns, not FFmpeg's:
//! `testsrc` scrolling colour bars over a grey ramp with the time in seconds, `testsrc2` colour
//! bars, a moving white square and the frame number.
//!
//! ```
//! use avformat::{FormatRegistry, InputContext, InputOptions};
//! let opts = InputOptions::with_format("lavfi");
//! let mut input = InputContext::open("sine=f=1000:d=0.05", &FormatRegistry::builtin(), &opts).unwrap();
//! let mut samples = 0;
//! while let Some(p) = input.read_packet().unwrap() {
//!     samples += p.duration.unwrap();
//! }
//! assert_eq!(samples, 2205);
//! ```

use avcodec::{CodecId, CodecParameters, Packet};
use avutil::mathematics::{Rounding, rescale_q, rescale_rnd};
use avutil::parse::{parse_video_rate, parse_video_size};
use avutil::rational::parse_ratio;
use avutil::time::parse_duration;
use avutil::{Buffer, ChannelLayout, PixelFormat, Rational, SampleFormat, TIME_BASE_Q, imgutils};

use crate::demux::{DemuxState, Demuxer, reject_private_options};
use crate::error::{Error, Result};
use crate::formats::rawvideo::reject_typed_options;
use crate::io::IoReader;
use crate::registry::{DemuxFlags, DemuxerInfo};

/// Short name of the format.
pub const NAME: &str = "lavfi";

/// Largest number of samples per audio packet we accept (FFmpeg's `sine` takes any).
pub const MAX_SAMPLES_PER_FRAME: u32 = 1 << 20;

fn opt_err(what: String) -> Error {
    Error::InvalidOption { format: NAME, what }
}

/// Which source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// `testsrc`: rgb24 test pattern.
    TestSrc,
    /// `testsrc2`: yuv420p test pattern.
    TestSrc2,
    /// `color`: a uniform colour.
    Color,
    /// `sine`: a sine tone.
    Sine,
    /// `anullsrc`: silence.
    ANullSrc,
}

impl SourceKind {
    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "testsrc" => Self::TestSrc,
            "testsrc2" => Self::TestSrc2,
            "color" => Self::Color,
            "sine" => Self::Sine,
            "anullsrc" => Self::ANullSrc,
            _ => return None,
        })
    }

    /// The options in FFmpeg's order (positional values follow it): canonical name and alias.
    fn options(self) -> &'static [(&'static str, Option<&'static str>)] {
        const SIZE: (&str, Option<&str>) = ("size", Some("s"));
        const RATE: (&str, Option<&str>) = ("rate", Some("r"));
        const DUR: (&str, Option<&str>) = ("duration", Some("d"));
        const SAR: (&str, Option<&str>) = ("sar", None);
        match self {
            Self::TestSrc => &[SIZE, RATE, DUR, SAR, ("decimals", Some("n"))],
            Self::TestSrc2 => &[SIZE, RATE, DUR, SAR, ("alpha", None)],
            Self::Color => &[("color", Some("c")), SIZE, RATE, DUR, SAR],
            Self::Sine => &[
                ("frequency", Some("f")),
                ("beep_factor", Some("b")),
                ("sample_rate", Some("r")),
                DUR,
                ("samples_per_frame", None),
            ],
            Self::ANullSrc => &[
                ("channel_layout", Some("cl")),
                ("sample_rate", Some("r")),
                ("nb_samples", Some("n")),
                DUR,
            ],
        }
    }
}

/// A parsed source description with every option resolved.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Source {
    /// Which source.
    pub kind: SourceKind,
    /// Picture size (video).
    pub size: (usize, usize),
    /// Frame rate (video).
    pub rate: Rational,
    /// Duration in microseconds; `None` is endless.
    pub duration: Option<i64>,
    /// Sample aspect ratio (video).
    pub sar: Rational,
    /// `testsrc` decimals of the time display.
    pub decimals: u32,
    /// `testsrc2` alpha (no effect on yuv420p output).
    pub alpha: u8,
    /// `color` colour as R, G, B, A.
    pub color: [u8; 4],
    /// Tone frequency in Hz (`sine`).
    pub frequency: f64,
    /// Beep frequency factor (`sine`, 0 = no beep).
    pub beep_factor: f64,
    /// Sample rate (audio).
    pub sample_rate: u32,
    /// Samples per packet (audio).
    pub samples_per_frame: u32,
    /// Channel layout (audio).
    pub ch_layout: ChannelLayout,
}

/// Splits `text` at unescaped, unquoted `sep` characters, resolving `\` escapes and `'...'`
/// quotes (cf. `av_get_token`); each piece is trimmed of unquoted surrounding whitespace.
fn split_escaped(text: &str, seps: &[char]) -> Vec<(String, Option<char>)> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = text.chars();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        if quoted {
            if c == '\'' {
                quoted = false;
            } else {
                cur.push(c);
            }
        } else if c == '\\' {
            if let Some(n) = chars.next() {
                cur.push(n);
            }
        } else if c == '\'' {
            quoted = true;
        } else if seps.contains(&c) {
            out.push((std::mem::take(&mut cur), Some(c)));
        } else {
            cur.push(c);
        }
    }
    out.push((cur, None));
    out
}

/// Parses a colour like `av_parse_color`: a name (case-insensitive), `#RRGGBB`, `0xRRGGBB`,
/// `RRGGBB` (optionally with `AA`), or `random`, each optionally followed by `@alpha`
/// (`0xAA` or a number from 0 to 1).
pub fn parse_color(text: &str) -> Result<[u8; 4]> {
    let bad = || opt_err(format!("Cannot find color '{text}'"));
    let (body, alpha) = match text.rsplit_once('@') {
        Some((b, a)) => (b, Some(a)),
        None => (text, None),
    };
    let mut rgba = if body.eq_ignore_ascii_case("random") {
        // FFmpeg picks a random colour; ours is fixed so that outputs stay reproducible.
        [0x4c, 0x9a, 0xd2, 0xff]
    } else {
        let hex = body
            .strip_prefix('#')
            .or_else(|| body.strip_prefix("0x"))
            .or_else(|| body.strip_prefix("0X"));
        let named = COLOR_NAMES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(body))
            .map(|&(_, v)| v);
        match (named, hex.unwrap_or(body)) {
            (Some(v), _) if hex.is_none() => {
                let [_, r, g, b] = v.to_be_bytes();
                [r, g, b, 0xff]
            }
            (_, h)
                if (h.len() == 6 || h.len() == 8) && h.chars().all(|c| c.is_ascii_hexdigit()) =>
            {
                let v = u32::from_str_radix(h, 16).map_err(|_| bad())?;
                if h.len() == 6 {
                    let [_, r, g, b] = v.to_be_bytes();
                    [r, g, b, 0xff]
                } else {
                    v.to_be_bytes()
                }
            }
            _ => return Err(bad()),
        }
    };
    if let Some(a) = alpha {
        rgba[3] = if let Some(h) = a.strip_prefix("0x").or_else(|| a.strip_prefix("0X")) {
            u8::from_str_radix(h, 16).map_err(|_| bad())?
        } else {
            let f: f64 = a.parse().map_err(|_| bad())?;
            if !(0.0..=1.0).contains(&f) {
                return Err(bad());
            }
            (f * 255.0).round() as u8
        };
    }
    Ok(rgba)
}

fn parse_int(name: &str, v: &str, min: i64, max: i64) -> Result<i64> {
    let n: i64 = v.trim().parse().map_err(|_| {
        opt_err(format!(
            "Unable to parse option value \"{v}\" as integer for {name}"
        ))
    })?;
    if n < min || n > max {
        return Err(opt_err(format!(
            "Value {n} for parameter '{name}' out of range [{min} - {max}]"
        )));
    }
    Ok(n)
}

fn parse_double(name: &str, v: &str) -> Result<f64> {
    let f: f64 = v.trim().parse().map_err(|_| {
        opt_err(format!(
            "Unable to parse option value \"{v}\" as double for {name}"
        ))
    })?;
    if !f.is_finite() || f < 0.0 {
        return Err(opt_err(format!(
            "Value {v} for parameter '{name}' out of range [0 - DBL_MAX]"
        )));
    }
    Ok(f)
}

/// Parses a source description (`testsrc2=s=64x48:d=2`).
pub fn parse_source(desc: &str) -> Result<Source> {
    if desc.contains([';', ',', '[']) {
        return Err(opt_err(format!(
            "'{desc}': filter graphs are not supported, only a single source filter"
        )));
    }
    let (name, args) = match desc.split_once('=') {
        Some((n, a)) => (n.trim(), a),
        None => (desc.trim(), ""),
    };
    let kind =
        SourceKind::from_name(name).ok_or_else(|| opt_err(format!("No such filter: '{name}'")))?;
    let mut s = Source {
        kind,
        size: (320, 240),
        rate: Rational::new(25, 1),
        duration: None,
        sar: Rational::new(1, 1),
        decimals: 0,
        alpha: 255,
        color: [0, 0, 0, 0xff],
        frequency: 440.0,
        beep_factor: 0.0,
        sample_rate: 44100,
        samples_per_frame: 1024,
        ch_layout: ChannelLayout::STEREO,
    };
    if kind == SourceKind::Sine {
        s.ch_layout = ChannelLayout::MONO;
    }
    if args.trim().is_empty() {
        return Ok(s);
    }
    let ctx = |e: Error| match e {
        Error::InvalidOption { what, .. } => opt_err(format!(
            "{what} (error initializing filter '{name}' with args '{args}')"
        )),
        e => e,
    };
    let opts = kind.options();
    let mut positional = 0;
    let mut named_seen = false;
    for (piece, _) in split_escaped(args, &[':']) {
        // `key=value` or a positional value.
        let kv = split_escaped(&piece, &['=']);
        let (key, value) = if kv.len() >= 2 {
            named_seen = true;
            let value = piece.split_once('=').map_or("", |p| p.1);
            (kv[0].0.trim().to_owned(), value.to_owned())
        } else {
            if named_seen {
                return Err(ctx(opt_err(format!("No option name near '{piece}'"))));
            }
            let Some(&(n, _)) = opts.get(positional) else {
                return Err(ctx(opt_err(format!("No option name near '{piece}'"))));
            };
            positional += 1;
            (n.to_owned(), piece)
        };
        let canonical = opts
            .iter()
            .find(|(n, a)| *n == key || *a == Some(key.as_str()))
            .map(|&(n, _)| n)
            .ok_or_else(|| ctx(opt_err(format!("Option '{key}' not found"))))?;
        s.set(canonical, &value).map_err(ctx)?;
    }
    Ok(s)
}

impl Source {
    fn set(&mut self, name: &str, v: &str) -> Result<()> {
        let unparsable =
            |what: &str| opt_err(format!("Unable to parse option value \"{v}\" as {what}"));
        match name {
            "size" => self.size = parse_video_size(v).map_err(|_| unparsable("image size"))?,
            "rate" => self.rate = parse_video_rate(v).map_err(|_| unparsable("video rate"))?,
            "duration" => {
                let d = parse_duration(v).map_err(|_| unparsable("duration"))?;
                // FFmpeg: negative means endless; `sine` also treats 0 as endless.
                self.duration = match self.kind {
                    SourceKind::Sine if d <= 0 => None,
                    _ if d < 0 => None,
                    _ => Some(d),
                };
            }
            "sar" => {
                let r = parse_ratio(v, i32::MAX).map_err(|_| unparsable("rational"))?;
                if r.num < 0 || r.den <= 0 {
                    return Err(opt_err(format!(
                        "Value {v} for parameter 'sar' out of range [0 - 2.14748e+09]"
                    )));
                }
                self.sar = r;
            }
            "decimals" => self.decimals = parse_int(name, v, 0, 17)? as u32,
            "alpha" => self.alpha = parse_int(name, v, 0, 255)? as u8,
            "color" => self.color = parse_color(v)?,
            "frequency" => self.frequency = parse_double(name, v)?,
            "beep_factor" => self.beep_factor = parse_double(name, v)?,
            "sample_rate" => {
                self.sample_rate = parse_int(name, v, 1, i64::from(i32::MAX))? as u32;
            }
            "samples_per_frame" => {
                self.samples_per_frame =
                    parse_int(name, v, 1, i64::from(MAX_SAMPLES_PER_FRAME))? as u32;
            }
            "nb_samples" => self.samples_per_frame = parse_int(name, v, 1, 65535)? as u32,
            "channel_layout" => {
                self.ch_layout =
                    ChannelLayout::parse(v).map_err(|_| unparsable("channel layout"))?;
            }
            _ => return Err(opt_err(format!("Option '{name}' not found"))),
        }
        Ok(())
    }

    fn is_video(&self) -> bool {
        matches!(
            self.kind,
            SourceKind::TestSrc | SourceKind::TestSrc2 | SourceKind::Color
        )
    }

    /// The pixel format of a video source.
    pub fn pix_fmt(&self) -> PixelFormat {
        match self.kind {
            SourceKind::TestSrc => PixelFormat::Rgb24,
            _ => PixelFormat::Yuv420p,
        }
    }

    /// Total samples of an audio source with a duration.
    fn total_samples(&self) -> Option<i64> {
        self.duration.map(|d| {
            rescale_rnd(d, i64::from(self.sample_rate), 1_000_000, Rounding::NearInf)
                .unwrap_or(i64::MAX)
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Drawing.

/// RGB to BT.601 limited-range YUV with 10-bit fixed-point coefficients, as FFmpeg's drawing
/// code converts colours for YUV outputs.
pub fn rgb_to_yuv(r: u8, g: u8, b: u8) -> [u8; 3] {
    const BITS: i32 = 10;
    let fix = |x: f64| (x * f64::from(1 << BITS) + 0.5) as i32;
    let (r, g, b) = (i32::from(r), i32::from(g), i32::from(b));
    let half = 1 << (BITS - 1);
    let y = (fix(0.299 * 219.0 / 255.0) * r
        + fix(0.587 * 219.0 / 255.0) * g
        + fix(0.114 * 219.0 / 255.0) * b
        + half
        + (16 << BITS))
        >> BITS;
    let u = ((-fix(0.16874 * 224.0 / 255.0) * r - fix(0.33126 * 224.0 / 255.0) * g
        + fix(0.5 * 224.0 / 255.0) * b
        + half
        - 1)
        >> BITS)
        + 128;
    let v = ((fix(0.5 * 224.0 / 255.0) * r
        - fix(0.41869 * 224.0 / 255.0) * g
        - fix(0.08131 * 224.0 / 255.0) * b
        + half
        - 1)
        >> BITS)
        + 128;
    [
        y.clamp(0, 255) as u8,
        u.clamp(0, 255) as u8,
        v.clamp(0, 255) as u8,
    ]
}

/// A picture being drawn, rgb24 or yuv420p, tightly packed.
struct Canvas {
    rgb: bool,
    w: usize,
    h: usize,
    layout: imgutils::ImageLayout,
    data: Vec<u8>,
}

impl Canvas {
    fn new(fmt: PixelFormat, w: usize, h: usize) -> Result<Self> {
        let layout = imgutils::layout(fmt, w, h, 1)?;
        Ok(Canvas {
            rgb: fmt == PixelFormat::Rgb24,
            w,
            h,
            data: vec![0; layout.total],
            layout,
        })
    }

    /// Fills rows `y0..y1` with the colour `f(x)` of each column.
    fn fill_rows(&mut self, y0: usize, y1: usize, f: impl Fn(usize) -> [u8; 3]) {
        let (y0, y1) = (y0.min(self.h), y1.min(self.h));
        if y0 >= y1 {
            return;
        }
        if self.rgb {
            let row: Vec<u8> = (0..self.w).flat_map(f).collect();
            for y in y0..y1 {
                let o = y * self.w * 3;
                self.data[o..o + row.len()].copy_from_slice(&row);
            }
            return;
        }
        let cols: Vec<[u8; 3]> = (0..self.w)
            .map(|x| {
                let [r, g, b] = f(x);
                rgb_to_yuv(r, g, b)
            })
            .collect();
        let l = self.layout;
        for y in y0..y1 {
            let o = l.offset[0] + y * l.linesize[0];
            for (d, c) in self.data[o..o + self.w].iter_mut().zip(&cols) {
                *d = c[0];
            }
        }
        let cw = l.linesize[1];
        for cy in y0 / 2..y1.div_ceil(2) {
            for (p, &off) in l.offset.iter().enumerate().take(3).skip(1) {
                let o = off + cy * cw;
                for (cx, d) in self.data[o..o + cw].iter_mut().enumerate() {
                    *d = cols[(cx * 2).min(self.w - 1)][p];
                }
            }
        }
    }

    /// Fills a rectangle (clipped) with one colour.
    fn fill_rect(&mut self, x: usize, y: usize, w: usize, h: usize, rgb: [u8; 3]) {
        let (x1, y1) = ((x + w).min(self.w), (y + h).min(self.h));
        if x >= x1 || y >= y1 {
            return;
        }
        if self.rgb {
            for yy in y..y1 {
                let o = yy * self.w * 3;
                for px in self.data[o + x * 3..o + x1 * 3].chunks_exact_mut(3) {
                    px.copy_from_slice(&rgb);
                }
            }
            return;
        }
        let c = rgb_to_yuv(rgb[0], rgb[1], rgb[2]);
        let l = self.layout;
        for yy in y..y1 {
            let o = l.offset[0] + yy * l.linesize[0];
            self.data[o + x..o + x1].fill(c[0]);
        }
        for cy in y / 2..y1.div_ceil(2) {
            for (p, &v) in c.iter().enumerate().skip(1) {
                let o = l.offset[p] + cy * l.linesize[p];
                self.data[o + x / 2..o + x1.div_ceil(2)].fill(v);
            }
        }
    }

    /// Draws `text` (digits, `.` and `:`) as seven-segment glyphs with segment width `u`.
    fn draw_text(&mut self, x: usize, y: usize, u: usize, text: &str, rgb: [u8; 3]) {
        // Segments a b c d e f g as (x, y, w, h) in units of a 3x5 cell.
        const SEG: [(usize, usize, usize, usize); 7] = [
            (0, 0, 3, 1),
            (2, 0, 1, 3),
            (2, 2, 1, 3),
            (0, 4, 3, 1),
            (0, 2, 1, 3),
            (0, 0, 1, 3),
            (0, 2, 3, 1),
        ];
        const DIGITS: [u8; 10] = [
            0b0111111, 0b0000110, 0b1011011, 0b1001111, 0b1100110, 0b1101101, 0b1111101, 0b0000111,
            0b1111111, 0b1101111,
        ];
        let mut cx = x;
        for ch in text.chars() {
            match ch {
                '0'..='9' => {
                    let m = DIGITS[ch as usize - '0' as usize];
                    for (i, &(sx, sy, sw, sh)) in SEG.iter().enumerate() {
                        if m & (1 << i) != 0 {
                            self.fill_rect(cx + sx * u, y + sy * u, sw * u, sh * u, rgb);
                        }
                    }
                    cx += 4 * u;
                }
                '.' => {
                    self.fill_rect(cx, y + 4 * u, u, u, rgb);
                    cx += 2 * u;
                }
                ':' => {
                    self.fill_rect(cx, y + u, u, u, rgb);
                    self.fill_rect(cx, y + 3 * u, u, u, rgb);
                    cx += 2 * u;
                }
                _ => cx += 4 * u,
            }
        }
    }
}

/// 75% colour bars: white, yellow, cyan, green, magenta, red, blue, black.
const BARS: [[u8; 3]; 8] = [
    [191, 191, 191],
    [191, 191, 0],
    [0, 191, 191],
    [0, 191, 0],
    [191, 0, 191],
    [191, 0, 0],
    [0, 0, 191],
    [0, 0, 0],
];

/// Width in pixels of `text` drawn with unit `u`.
fn text_width(text: &str, u: usize) -> usize {
    text.chars()
        .map(|c| if matches!(c, '.' | ':') { 2 * u } else { 4 * u })
        .sum()
}

fn draw_label(c: &mut Canvas, text: &str) {
    let u = (c.h / 40).max(1);
    let pad = u;
    let (tw, th) = (text_width(text, u), 5 * u);
    c.fill_rect(0, 0, tw + 2 * pad, th + 2 * pad, [0, 0, 0]);
    c.draw_text(pad, pad, u, text, [255, 255, 255]);
}

/// The `testsrc` picture `n`: colour bars scrolling left, a grey ramp, the time in seconds.
fn draw_testsrc(c: &mut Canvas, n: i64, s: &Source) {
    let (w, h) = (c.w, c.h);
    let step = (w / 64).max(1);
    let off = ((n as u64).wrapping_mul(step as u64) % w as u64) as usize;
    let ramp_y = h * 3 / 4;
    c.fill_rows(0, ramp_y, |x| BARS[((x + off) % w) * 8 / w]);
    c.fill_rows(ramp_y, h, |x| {
        let v = (x * 255 / (w - 1).max(1)) as u8;
        [v, v, v]
    });
    // Time in seconds with `decimals` decimals, truncated as FFmpeg displays it.
    let scale = 10u64.pow(s.decimals);
    let t = (n.max(0) as u128)
        .saturating_mul(s.rate.den.max(1) as u128)
        .saturating_mul(u128::from(scale))
        / s.rate.num.max(1) as u128;
    let t = u64::try_from(t).unwrap_or(u64::MAX);
    let text = if s.decimals == 0 {
        t.to_string()
    } else {
        format!(
            "{}.{:0width$}",
            t / scale,
            t % scale,
            width = s.decimals as usize
        )
    };
    draw_label(c, &text);
}

/// The `testsrc2` picture `n`: colour bars, a grey ramp, a white square moving across, the
/// frame number.
fn draw_testsrc2(c: &mut Canvas, n: i64) {
    let (w, h) = (c.w, c.h);
    let ramp_y = h * 2 / 3;
    c.fill_rows(0, ramp_y, |x| BARS[x * 8 / w]);
    c.fill_rows(ramp_y, h, |x| {
        let v = 255 - (x * 255 / (w - 1).max(1)) as u8;
        [v, v, v]
    });
    let side = (h / 6).max(1);
    let span = w.saturating_sub(side).max(1) as u64;
    let step = (w / 80).max(1) as u64;
    // Back and forth across the picture.
    let p = (n as u64).wrapping_mul(step) % (2 * span);
    let x = if p < span { p } else { 2 * span - p } as usize;
    c.fill_rect(x, h / 2 - side / 2, side, side, [255, 255, 255]);
    draw_label(c, &n.to_string());
}

// ---------------------------------------------------------------------------------------------
// The demuxer.

/// The `lavfi` demuxer: one synthetic stream from the source description in the url.
#[derive(Debug)]
pub struct LavfiDemuxer {
    source: Option<Source>,
    /// Next frame number (video) or sample number (audio).
    next: i64,
    time_base: Rational,
    /// A `color` picture, drawn once.
    still: Option<Buffer>,
}

impl Default for LavfiDemuxer {
    fn default() -> Self {
        LavfiDemuxer {
            source: None,
            next: 0,
            time_base: Rational::new(1, 25),
            still: None,
        }
    }
}

impl Demuxer for LavfiDemuxer {
    fn read_header(&mut self, _io: &mut IoReader, state: &mut DemuxState) -> Result<()> {
        reject_private_options(NAME, &state.options.private)?;
        reject_typed_options(NAME, &state.options)?;
        let mut s = parse_source(&state.url)?;
        if s.is_video() {
            let fmt = s.pix_fmt();
            if fmt == PixelFormat::Yuv420p {
                // FFmpeg's drawing sources round sizes down to the chroma subsampling.
                s.size = (s.size.0 & !1, s.size.1 & !1);
            }
            let (w, h) = s.size;
            // Checks the size before anything is allocated.
            imgutils::buffer_size(fmt, w, h, 1)?;
            let mut par = CodecParameters::video(CodecId::Rawvideo, w, h, fmt);
            par.sample_aspect_ratio = s.sar;
            self.time_base = s.rate.invert();
            let i = state.add_stream(par, self.time_base);
            let st = &mut state.streams[i];
            st.sample_aspect_ratio = s.sar;
            st.r_frame_rate = s.rate;
            st.start_time = Some(0);
        } else {
            let (codec, fmt) = match s.kind {
                SourceKind::Sine => (CodecId::PcmS16le, SampleFormat::S16),
                _ => (CodecId::PcmU8, SampleFormat::U8),
            };
            let ch = s.ch_layout.channels();
            if ch == 0 || ch > 64 {
                return Err(opt_err(format!("invalid channel count {ch}")));
            }
            let mut par = CodecParameters::audio(codec, fmt, s.sample_rate, s.ch_layout);
            let bits = 8 * fmt.bytes_per_sample() as u64;
            par.bit_rate = Some(u64::from(s.sample_rate) * u64::from(ch) * bits);
            par.block_align = ch * fmt.bytes_per_sample() as u32;
            par.bits_per_coded_sample = bits as u32;
            self.time_base = Rational::new(1, s.sample_rate as i32);
            let i = state.add_stream(par, self.time_base);
            state.streams[i].start_time = Some(0);
        }
        self.source = Some(s);
        Ok(())
    }

    fn read_packet(
        &mut self,
        _io: &mut IoReader,
        _state: &mut DemuxState,
    ) -> Result<Option<Packet>> {
        let Some(s) = &self.source else {
            return Err(Error::InvalidState {
                what: "packet read before the header",
            });
        };
        let mut pkt = if s.is_video() {
            if let Some(d) = s.duration {
                let t = rescale_q(self.next, self.time_base, TIME_BASE_Q).unwrap_or(i64::MAX);
                if t >= d {
                    return Ok(None);
                }
            }
            let (w, h) = s.size;
            let data = match s.kind {
                SourceKind::Color => {
                    if self.still.is_none() {
                        let mut c = Canvas::new(s.pix_fmt(), w, h)?;
                        let [r, g, b, _] = s.color;
                        c.fill_rows(0, h, |_| [r, g, b]);
                        self.still = Some(Buffer::from_vec(c.data));
                    }
                    self.still.clone().unwrap_or_default()
                }
                kind => {
                    let mut c = Canvas::new(s.pix_fmt(), w, h)?;
                    if kind == SourceKind::TestSrc {
                        draw_testsrc(&mut c, self.next, s);
                    } else {
                        draw_testsrc2(&mut c, self.next);
                    }
                    Buffer::from_vec(c.data)
                }
            };
            let mut p = Packet::new(data);
            p.pts = Some(self.next);
            p.duration = Some(1);
            self.next += 1;
            p
        } else {
            let mut n = i64::from(s.samples_per_frame);
            if let Some(total) = s.total_samples() {
                n = n.min(total - self.next);
                if n <= 0 {
                    return Ok(None);
                }
            }
            let ch = s.ch_layout.channels() as usize;
            let n = n as usize;
            let data = if s.kind == SourceKind::Sine {
                let mut v = Vec::with_capacity(n * 2 * ch);
                let sr = f64::from(s.sample_rate);
                for i in 0..n {
                    let k = self.next + i as i64;
                    let t_in_second = k.rem_euclid(i64::from(s.sample_rate));
                    // A beep of frequency * beep_factor during the first 40 ms of each second.
                    let beep = s.beep_factor > 0.0 && (t_in_second as f64) < sr / 25.0;
                    let f = if beep {
                        s.frequency * s.beep_factor
                    } else {
                        s.frequency
                    };
                    // Phase from the sample number modulo the period keeps precision forever.
                    let phase = (k as f64 * f / sr).fract();
                    let v16 = (4095.0 * (std::f64::consts::TAU * phase).sin()).round() as i16;
                    for _ in 0..ch {
                        v.extend_from_slice(&v16.to_le_bytes());
                    }
                }
                v
            } else {
                vec![0x80u8; n * ch]
            };
            let mut p = Packet::new(Buffer::from_vec(data));
            p.pts = Some(self.next);
            p.duration = Some(n as i64);
            self.next += n as i64;
            p
        };
        pkt.dts = pkt.pts;
        pkt.flags.key = true;
        Ok(Some(pkt))
    }
}

/// The demuxer entry.
pub fn demuxer() -> DemuxerInfo {
    DemuxerInfo {
        name: NAME,
        long_name: "Libavfilter virtual input device",
        extensions: "",
        mime_types: "",
        flags: DemuxFlags {
            no_file: true,
            ..DemuxFlags::default()
        },
        probe: None,
        create: || Box::new(LavfiDemuxer::default()),
    }
}

/// The colour names `av_parse_color` knows (the X11/CSS set), as `0xRRGGBB`.
pub const COLOR_NAMES: &[(&str, u32)] = &[
    ("AliceBlue", 0xF0F8FF),
    ("AntiqueWhite", 0xFAEBD7),
    ("Aqua", 0x00FFFF),
    ("Aquamarine", 0x7FFFD4),
    ("Azure", 0xF0FFFF),
    ("Beige", 0xF5F5DC),
    ("Bisque", 0xFFE4C4),
    ("Black", 0x000000),
    ("BlanchedAlmond", 0xFFEBCD),
    ("Blue", 0x0000FF),
    ("BlueViolet", 0x8A2BE2),
    ("Brown", 0xA52A2A),
    ("BurlyWood", 0xDEB887),
    ("CadetBlue", 0x5F9EA0),
    ("Chartreuse", 0x7FFF00),
    ("Chocolate", 0xD2691E),
    ("Coral", 0xFF7F50),
    ("CornflowerBlue", 0x6495ED),
    ("Cornsilk", 0xFFF8DC),
    ("Crimson", 0xDC143C),
    ("Cyan", 0x00FFFF),
    ("DarkBlue", 0x00008B),
    ("DarkCyan", 0x008B8B),
    ("DarkGoldenRod", 0xB8860B),
    ("DarkGray", 0xA9A9A9),
    ("DarkGreen", 0x006400),
    ("DarkKhaki", 0xBDB76B),
    ("DarkMagenta", 0x8B008B),
    ("DarkOliveGreen", 0x556B2F),
    ("Darkorange", 0xFF8C00),
    ("DarkOrchid", 0x9932CC),
    ("DarkRed", 0x8B0000),
    ("DarkSalmon", 0xE9967A),
    ("DarkSeaGreen", 0x8FBC8F),
    ("DarkSlateBlue", 0x483D8B),
    ("DarkSlateGray", 0x2F4F4F),
    ("DarkTurquoise", 0x00CED1),
    ("DarkViolet", 0x9400D3),
    ("DeepPink", 0xFF1493),
    ("DeepSkyBlue", 0x00BFFF),
    ("DimGray", 0x696969),
    ("DodgerBlue", 0x1E90FF),
    ("FireBrick", 0xB22222),
    ("FloralWhite", 0xFFFAF0),
    ("ForestGreen", 0x228B22),
    ("Fuchsia", 0xFF00FF),
    ("Gainsboro", 0xDCDCDC),
    ("GhostWhite", 0xF8F8FF),
    ("Gold", 0xFFD700),
    ("GoldenRod", 0xDAA520),
    ("Gray", 0x808080),
    ("Green", 0x008000),
    ("GreenYellow", 0xADFF2F),
    ("HoneyDew", 0xF0FFF0),
    ("HotPink", 0xFF69B4),
    ("IndianRed", 0xCD5C5C),
    ("Indigo", 0x4B0082),
    ("Ivory", 0xFFFFF0),
    ("Khaki", 0xF0E68C),
    ("Lavender", 0xE6E6FA),
    ("LavenderBlush", 0xFFF0F5),
    ("LawnGreen", 0x7CFC00),
    ("LemonChiffon", 0xFFFACD),
    ("LightBlue", 0xADD8E6),
    ("LightCoral", 0xF08080),
    ("LightCyan", 0xE0FFFF),
    ("LightGoldenRodYellow", 0xFAFAD2),
    ("LightGreen", 0x90EE90),
    ("LightGrey", 0xD3D3D3),
    ("LightPink", 0xFFB6C1),
    ("LightSalmon", 0xFFA07A),
    ("LightSeaGreen", 0x20B2AA),
    ("LightSkyBlue", 0x87CEFA),
    ("LightSlateGray", 0x778899),
    ("LightSteelBlue", 0xB0C4DE),
    ("LightYellow", 0xFFFFE0),
    ("Lime", 0x00FF00),
    ("LimeGreen", 0x32CD32),
    ("Linen", 0xFAF0E6),
    ("Magenta", 0xFF00FF),
    ("Maroon", 0x800000),
    ("MediumAquaMarine", 0x66CDAA),
    ("MediumBlue", 0x0000CD),
    ("MediumOrchid", 0xBA55D3),
    ("MediumPurple", 0x9370D8),
    ("MediumSeaGreen", 0x3CB371),
    ("MediumSlateBlue", 0x7B68EE),
    ("MediumSpringGreen", 0x00FA9A),
    ("MediumTurquoise", 0x48D1CC),
    ("MediumVioletRed", 0xC71585),
    ("MidnightBlue", 0x191970),
    ("MintCream", 0xF5FFFA),
    ("MistyRose", 0xFFE4E1),
    ("Moccasin", 0xFFE4B5),
    ("NavajoWhite", 0xFFDEAD),
    ("Navy", 0x000080),
    ("OldLace", 0xFDF5E6),
    ("Olive", 0x808000),
    ("OliveDrab", 0x6B8E23),
    ("Orange", 0xFFA500),
    ("OrangeRed", 0xFF4500),
    ("Orchid", 0xDA70D6),
    ("PaleGoldenRod", 0xEEE8AA),
    ("PaleGreen", 0x98FB98),
    ("PaleTurquoise", 0xAFEEEE),
    ("PaleVioletRed", 0xD87093),
    ("PapayaWhip", 0xFFEFD5),
    ("PeachPuff", 0xFFDAB9),
    ("Peru", 0xCD853F),
    ("Pink", 0xFFC0CB),
    ("Plum", 0xDDA0DD),
    ("PowderBlue", 0xB0E0E6),
    ("Purple", 0x800080),
    ("Red", 0xFF0000),
    ("RosyBrown", 0xBC8F8F),
    ("RoyalBlue", 0x4169E1),
    ("SaddleBrown", 0x8B4513),
    ("Salmon", 0xFA8072),
    ("SandyBrown", 0xF4A460),
    ("SeaGreen", 0x2E8B57),
    ("SeaShell", 0xFFF5EE),
    ("Sienna", 0xA0522D),
    ("Silver", 0xC0C0C0),
    ("SkyBlue", 0x87CEEB),
    ("SlateBlue", 0x6A5ACD),
    ("SlateGray", 0x708090),
    ("Snow", 0xFFFAFA),
    ("SpringGreen", 0x00FF7F),
    ("SteelBlue", 0x4682B4),
    ("Tan", 0xD2B48C),
    ("Teal", 0x008080),
    ("Thistle", 0xD8BFD8),
    ("Tomato", 0xFF6347),
    ("Turquoise", 0x40E0D0),
    ("Violet", 0xEE82EE),
    ("Wheat", 0xF5DEB3),
    ("White", 0xFFFFFF),
    ("WhiteSmoke", 0xF5F5F5),
    ("Yellow", 0xFFFF00),
    ("YellowGreen", 0x9ACD32),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_aliases() {
        let s = parse_source("testsrc").unwrap();
        assert_eq!(
            (s.size, s.rate, s.duration),
            ((320, 240), Rational::new(25, 1), None)
        );
        let s = parse_source("testsrc=s=64x48:d=2").unwrap();
        assert_eq!((s.size, s.duration), ((64, 48), Some(2_000_000)));
        let s = parse_source("testsrc=64x48:10").unwrap();
        assert_eq!((s.size, s.rate), ((64, 48), Rational::new(10, 1)));
        let s = parse_source("sine=1000:8000").unwrap();
        assert_eq!(
            (s.frequency, s.beep_factor, s.sample_rate),
            (1000.0, 8000.0, 44100)
        );
        let s = parse_source("sine").unwrap();
        assert_eq!(
            (s.sample_rate, s.samples_per_frame, s.ch_layout),
            (44100, 1024, ChannelLayout::MONO)
        );
        let s = parse_source("anullsrc=r=48000:cl=mono:n=512").unwrap();
        assert_eq!(
            (s.sample_rate, s.samples_per_frame, s.ch_layout),
            (48000, 512, ChannelLayout::MONO)
        );
        let s = parse_source("color=red").unwrap();
        assert_eq!(s.color, [255, 0, 0, 255]);
        let s = parse_source("testsrc=d=00\\:00\\:01.5").unwrap();
        assert_eq!(s.duration, Some(1_500_000));
        let s = parse_source("testsrc=d='00:00:02'").unwrap();
        assert_eq!(s.duration, Some(2_000_000));
    }

    #[test]
    fn errors_name_the_culprit() {
        for (d, msg) in [
            ("testsrc=foo=1", "Option 'foo' not found"),
            ("testsrc=s=abc", "\"abc\" as image size"),
            ("nosuch", "No such filter: 'nosuch'"),
            ("color=c=notacolor", "Cannot find color 'notacolor'"),
            (
                "testsrc=s=1x1:d=1:sar=1:n=1:extra",
                "No option name near 'extra'",
            ),
            ("testsrc=s=8x8:5", "No option name near '5'"),
            ("testsrc,scale=2:2", "filter graphs"),
            ("anullsrc=n=0", "out of range"),
            ("testsrc=r=0", "\"0\" as video rate"),
        ] {
            let e = parse_source(d).unwrap_err().to_string();
            assert!(e.contains(msg), "{d}: {e}");
        }
    }

    #[test]
    fn colors() {
        assert_eq!(parse_color("0x336699").unwrap(), [0x33, 0x66, 0x99, 0xff]);
        assert_eq!(parse_color("#336699@0.5").unwrap(), [0x33, 0x66, 0x99, 128]);
        assert_eq!(parse_color("DarkBlue@0x10").unwrap(), [0, 0, 0x8b, 0x10]);
        assert_eq!(parse_color("11223344").unwrap(), [0x11, 0x22, 0x33, 0x44]);
        // The values FFmpeg's color source writes in yuv420p.
        assert_eq!(rgb_to_yuv(255, 0, 0), [0x51, 0x5a, 0xf0]);
        assert_eq!(rgb_to_yuv(0x33, 0x66, 0x99), [0x5f, 0x9e, 0x66]);
    }
}
