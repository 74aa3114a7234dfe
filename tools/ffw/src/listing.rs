//! The information listings (`-pix_fmts`, `-sample_fmts`, `-layouts`), printed
//! in ffmpeg's exact layout so that scripts parsing them keep working.

use std::fmt::Write;

use fastforward::avutil::{Channel, ChannelLayout, PixelFormat, SampleFormat};

/// `-pix_fmts`.
pub(crate) fn pix_fmts() -> String {
    let mut s = String::from(
        "Pixel formats:\nI.... = Supported Input  format for conversion\n.O... = Supported Output format for conversion\n..H.. = Hardware accelerated format\n...P. = Paletted format\n....B = Bitstream format\nFLAGS NAME            NB_COMPONENTS BITS_PER_PIXEL BIT_DEPTHS\n-----",
    );
    for &f in PixelFormat::all() {
        let d = f.descriptor();
        let depths: Vec<String> = d.components().iter().map(|c| c.depth.to_string()).collect();
        let _ = write!(
            s,
            // The I and O columns (conversion support) stay empty until swscale lands (issue 6).
            "\n...{}{} {:<16}       {}            {:>3}      {}",
            if d.is_paletted() { 'P' } else { '.' },
            if d.is_bitstream() { 'B' } else { '.' },
            d.name,
            d.nb_components,
            d.bits_per_pixel(),
            depths.join("-")
        );
    }
    s
}

/// `-sample_fmts`.
pub(crate) fn sample_fmts() -> String {
    let mut s = String::from("name   depth");
    for f in SampleFormat::ALL {
        let _ = write!(s, "\n{:<9}{:>2} ", f.name(), f.bytes_per_sample() * 8);
    }
    s
}

/// `-layouts`.
pub(crate) fn layouts() -> String {
    let mut s = String::from("Individual channels:\nNAME           DESCRIPTION");
    for c in Channel::all() {
        let _ = write!(s, "\n{:<14} {}", c.name(), c.description());
    }
    s.push_str("\n\nStandard channel layouts:\nNAME           DECOMPOSITION");
    for (name, l) in ChannelLayout::named() {
        let parts: Vec<&str> = l.iter().map(|c| c.name()).collect();
        let _ = write!(s, "\n{name:<14} {}", parts.join("+"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_have_ffmpeg_layout() {
        let p = pix_fmts();
        assert!(
            p.contains("\n..... yuv420p                3             12      8-8-8"),
            "{p}"
        );
        assert!(p.contains("\n...P. pal8                   1              8      8"));
        assert!(p.contains("\n....B monow                  1              1      1"));
        let s = sample_fmts();
        assert!(
            s.starts_with("name   depth\nu8        8 \ns16      16 "),
            "{s:?}"
        );
        let l = layouts();
        assert!(l.contains("\n7.1(wide-side) FL+FR+FC+LFE+FLC+FRC+SL+SR"));
        assert!(l.contains("\nFLC            front left-of-center"));
    }
}
