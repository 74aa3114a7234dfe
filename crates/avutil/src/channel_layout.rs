//! Channel layouts (cf. `AVChannelLayout` with native order, `av_channel_layout_describe`).
//!
//! A [`ChannelLayout`] is either a native layout (a mask of
//! [`Channel`]s, in mask bit order) or just a channel count with
//! unspecified order. Names follow FFmpeg 5.1 (`mono`, `stereo`, `2.1`,
//! `5.1(side)`, ...), and [`ChannelLayout::default_for`] picks the same
//! default layout per channel count as `av_channel_layout_default`.

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};

/// A speaker position; the discriminant is its bit in a native layout mask (cf. `enum AVChannel`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Channel {
    /// Front left.
    FrontLeft = 0,
    /// Front right.
    FrontRight,
    /// Front center.
    FrontCenter,
    /// Low frequency effects.
    LowFrequency,
    /// Back left.
    BackLeft,
    /// Back right.
    BackRight,
    /// Front left of center.
    FrontLeftOfCenter,
    /// Front right of center.
    FrontRightOfCenter,
    /// Back center.
    BackCenter,
    /// Side left.
    SideLeft,
    /// Side right.
    SideRight,
    /// Top center.
    TopCenter,
    /// Top front left.
    TopFrontLeft,
    /// Top front center.
    TopFrontCenter,
    /// Top front right.
    TopFrontRight,
    /// Top back left.
    TopBackLeft,
    /// Top back center.
    TopBackCenter,
    /// Top back right.
    TopBackRight,
    /// Stereo downmix left.
    StereoLeft = 29,
    /// Stereo downmix right.
    StereoRight,
    /// Wide left.
    WideLeft,
    /// Wide right.
    WideRight,
    /// Surround direct left.
    SurroundDirectLeft,
    /// Surround direct right.
    SurroundDirectRight,
    /// Second low frequency channel.
    LowFrequency2,
    /// Top side left.
    TopSideLeft,
    /// Top side right.
    TopSideRight,
    /// Bottom front center.
    BottomFrontCenter,
    /// Bottom front left.
    BottomFrontLeft,
    /// Bottom front right.
    BottomFrontRight,
}

const CHANNELS: [Channel; 30] = {
    use Channel::*;
    [
        FrontLeft,
        FrontRight,
        FrontCenter,
        LowFrequency,
        BackLeft,
        BackRight,
        FrontLeftOfCenter,
        FrontRightOfCenter,
        BackCenter,
        SideLeft,
        SideRight,
        TopCenter,
        TopFrontLeft,
        TopFrontCenter,
        TopFrontRight,
        TopBackLeft,
        TopBackCenter,
        TopBackRight,
        StereoLeft,
        StereoRight,
        WideLeft,
        WideRight,
        SurroundDirectLeft,
        SurroundDirectRight,
        LowFrequency2,
        TopSideLeft,
        TopSideRight,
        BottomFrontCenter,
        BottomFrontLeft,
        BottomFrontRight,
    ]
};

impl Channel {
    /// FFmpeg's abbreviation (`FL`, `FR`, `LFE`, ...; cf. `av_channel_name`).
    pub const fn name(self) -> &'static str {
        use Channel::*;
        match self {
            FrontLeft => "FL",
            FrontRight => "FR",
            FrontCenter => "FC",
            LowFrequency => "LFE",
            BackLeft => "BL",
            BackRight => "BR",
            FrontLeftOfCenter => "FLC",
            FrontRightOfCenter => "FRC",
            BackCenter => "BC",
            SideLeft => "SL",
            SideRight => "SR",
            TopCenter => "TC",
            TopFrontLeft => "TFL",
            TopFrontCenter => "TFC",
            TopFrontRight => "TFR",
            TopBackLeft => "TBL",
            TopBackCenter => "TBC",
            TopBackRight => "TBR",
            StereoLeft => "DL",
            StereoRight => "DR",
            WideLeft => "WL",
            WideRight => "WR",
            SurroundDirectLeft => "SDL",
            SurroundDirectRight => "SDR",
            LowFrequency2 => "LFE2",
            TopSideLeft => "TSL",
            TopSideRight => "TSR",
            BottomFrontCenter => "BFC",
            BottomFrontLeft => "BFL",
            BottomFrontRight => "BFR",
        }
    }

    /// FFmpeg's description (`front left`, ...; cf. `av_channel_description`).
    pub const fn description(self) -> &'static str {
        use Channel::*;
        match self {
            FrontLeft => "front left",
            FrontRight => "front right",
            FrontCenter => "front center",
            LowFrequency => "low frequency",
            BackLeft => "back left",
            BackRight => "back right",
            FrontLeftOfCenter => "front left-of-center",
            FrontRightOfCenter => "front right-of-center",
            BackCenter => "back center",
            SideLeft => "side left",
            SideRight => "side right",
            TopCenter => "top center",
            TopFrontLeft => "top front left",
            TopFrontCenter => "top front center",
            TopFrontRight => "top front right",
            TopBackLeft => "top back left",
            TopBackCenter => "top back center",
            TopBackRight => "top back right",
            StereoLeft => "downmix left",
            StereoRight => "downmix right",
            WideLeft => "wide left",
            WideRight => "wide right",
            SurroundDirectLeft => "surround direct left",
            SurroundDirectRight => "surround direct right",
            LowFrequency2 => "low frequency 2",
            TopSideLeft => "top side left",
            TopSideRight => "top side right",
            BottomFrontCenter => "bottom front center",
            BottomFrontLeft => "bottom front left",
            BottomFrontRight => "bottom front right",
        }
    }

    /// The channel's bit in a layout mask.
    pub const fn mask(self) -> u64 {
        1u64 << (self as u8)
    }

    /// Every channel, in mask bit order.
    pub fn all() -> &'static [Channel] {
        &CHANNELS
    }

    /// Looks a channel up by abbreviation.
    pub fn from_name(name: &str) -> Option<Channel> {
        CHANNELS.iter().copied().find(|c| c.name() == name)
    }
}

mod masks {
    use super::Channel::*;
    const fn m(chs: &[super::Channel]) -> u64 {
        let mut x = 0;
        let mut i = 0;
        while i < chs.len() {
            x |= chs[i].mask();
            i += 1;
        }
        x
    }
    pub(super) const MONO: u64 = m(&[FrontCenter]);
    pub(super) const STEREO: u64 = m(&[FrontLeft, FrontRight]);
    pub(super) const P2_1: u64 = STEREO | m(&[LowFrequency]);
    pub(super) const SURROUND: u64 = STEREO | m(&[FrontCenter]);
    pub(super) const B2_1: u64 = STEREO | m(&[BackCenter]);
    pub(super) const P4_0: u64 = SURROUND | m(&[BackCenter]);
    pub(super) const QUAD: u64 = STEREO | m(&[BackLeft, BackRight]);
    pub(super) const S2_2: u64 = STEREO | m(&[SideLeft, SideRight]);
    pub(super) const P3_1: u64 = SURROUND | m(&[LowFrequency]);
    pub(super) const P5_0_BACK: u64 = SURROUND | m(&[BackLeft, BackRight]);
    pub(super) const P5_0: u64 = SURROUND | m(&[SideLeft, SideRight]);
    pub(super) const P4_1: u64 = P4_0 | m(&[LowFrequency]);
    pub(super) const P5_1_BACK: u64 = P5_0_BACK | m(&[LowFrequency]);
    pub(super) const P5_1: u64 = P5_0 | m(&[LowFrequency]);
    pub(super) const P6_0: u64 = P5_0 | m(&[BackCenter]);
    pub(super) const P6_0_FRONT: u64 = S2_2 | m(&[FrontLeftOfCenter, FrontRightOfCenter]);
    pub(super) const HEXAGONAL: u64 = P5_0_BACK | m(&[BackCenter]);
    pub(super) const P6_1: u64 = P5_1 | m(&[BackCenter]);
    pub(super) const P6_1_BACK: u64 = P5_1_BACK | m(&[BackCenter]);
    pub(super) const P6_1_FRONT: u64 = P6_0_FRONT | m(&[LowFrequency]);
    pub(super) const P7_0: u64 = P5_0 | m(&[BackLeft, BackRight]);
    pub(super) const P7_0_FRONT: u64 = P5_0 | m(&[FrontLeftOfCenter, FrontRightOfCenter]);
    pub(super) const P7_1: u64 = P5_1 | m(&[BackLeft, BackRight]);
    pub(super) const P7_1_WIDE_BACK: u64 = P5_1_BACK | m(&[FrontLeftOfCenter, FrontRightOfCenter]);
    pub(super) const P7_1_WIDE: u64 = P5_1 | m(&[FrontLeftOfCenter, FrontRightOfCenter]);
    pub(super) const OCTAGONAL: u64 = P5_0 | m(&[BackLeft, BackCenter, BackRight]);
    pub(super) const HEXADECAGONAL: u64 = OCTAGONAL
        | m(&[
            WideLeft,
            WideRight,
            TopBackLeft,
            TopBackRight,
            TopBackCenter,
            TopFrontCenter,
            TopFrontLeft,
            TopFrontRight,
        ]);
    pub(super) const DOWNMIX: u64 = m(&[StereoLeft, StereoRight]);
    pub(super) const P22_2: u64 = P5_1_BACK
        | m(&[
            FrontLeftOfCenter,
            FrontRightOfCenter,
            BackCenter,
            LowFrequency2,
            SideLeft,
            SideRight,
            TopFrontLeft,
            TopFrontRight,
            TopFrontCenter,
            TopCenter,
            TopBackLeft,
            TopBackRight,
            TopSideLeft,
            TopSideRight,
            TopBackCenter,
            BottomFrontCenter,
            BottomFrontLeft,
            BottomFrontRight,
        ]);
}

/// Named layouts in FFmpeg's table order; the first with a given channel
/// count is the default for that count.
const NAMED: &[(&str, u64)] = &[
    ("mono", masks::MONO),
    ("stereo", masks::STEREO),
    ("2.1", masks::P2_1),
    ("3.0", masks::SURROUND),
    ("3.0(back)", masks::B2_1),
    ("4.0", masks::P4_0),
    ("quad", masks::QUAD),
    ("quad(side)", masks::S2_2),
    ("3.1", masks::P3_1),
    ("5.0", masks::P5_0_BACK),
    ("5.0(side)", masks::P5_0),
    ("4.1", masks::P4_1),
    ("5.1", masks::P5_1_BACK),
    ("5.1(side)", masks::P5_1),
    ("6.0", masks::P6_0),
    ("6.0(front)", masks::P6_0_FRONT),
    ("hexagonal", masks::HEXAGONAL),
    ("6.1", masks::P6_1),
    ("6.1(back)", masks::P6_1_BACK),
    ("6.1(front)", masks::P6_1_FRONT),
    ("7.0", masks::P7_0),
    ("7.0(front)", masks::P7_0_FRONT),
    ("7.1", masks::P7_1),
    ("7.1(wide)", masks::P7_1_WIDE_BACK),
    ("7.1(wide-side)", masks::P7_1_WIDE),
    ("octagonal", masks::OCTAGONAL),
    ("hexadecagonal", masks::HEXADECAGONAL),
    ("downmix", masks::DOWNMIX),
    ("22.2", masks::P22_2),
];

/// A channel layout (cf. `AVChannelLayout`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChannelLayout {
    /// Channels in mask bit order (cf. `AV_CHANNEL_ORDER_NATIVE`).
    Native(u64),
    /// Only the number of channels is known (cf. `AV_CHANNEL_ORDER_UNSPEC`).
    Unspecified(u32),
}

impl ChannelLayout {
    /// Mono.
    pub const MONO: ChannelLayout = ChannelLayout::Native(masks::MONO);
    /// Stereo.
    pub const STEREO: ChannelLayout = ChannelLayout::Native(masks::STEREO);

    /// Every named layout with its name, in FFmpeg's order (as `ffmpeg -layouts` lists them).
    pub fn named() -> impl Iterator<Item = (&'static str, ChannelLayout)> {
        NAMED.iter().map(|&(n, m)| (n, ChannelLayout::Native(m)))
    }

    /// The native-order layout of `channels` (in any order; duplicates count once).
    pub fn from_channels(channels: &[Channel]) -> ChannelLayout {
        ChannelLayout::Native(channels.iter().fold(0, |m, c| m | c.mask()))
    }

    /// The default layout for `channels` channels (cf. `av_channel_layout_default`):
    /// the first named layout with that count, else an unspecified order.
    pub fn default_for(channels: u32) -> ChannelLayout {
        NAMED
            .iter()
            .find(|(_, m)| m.count_ones() == channels)
            .map_or(ChannelLayout::Unspecified(channels), |&(_, m)| {
                ChannelLayout::Native(m)
            })
    }

    /// Number of channels.
    pub fn channels(self) -> u32 {
        match self {
            ChannelLayout::Native(m) => m.count_ones(),
            ChannelLayout::Unspecified(n) => n,
        }
    }

    /// The mask of a native layout.
    pub fn mask(self) -> Option<u64> {
        match self {
            ChannelLayout::Native(m) => Some(m),
            ChannelLayout::Unspecified(_) => None,
        }
    }

    /// The channel at position `index` (cf. `av_channel_layout_channel_from_index`).
    pub fn channel(self, index: usize) -> Option<Channel> {
        match self {
            ChannelLayout::Native(m) => CHANNELS
                .iter()
                .copied()
                .filter(|c| m & c.mask() != 0)
                .nth(index),
            ChannelLayout::Unspecified(_) => None,
        }
    }

    /// The channels of a native layout in order (empty for an unspecified order).
    pub fn iter(self) -> impl Iterator<Item = Channel> {
        let m = self.mask().unwrap_or(0);
        CHANNELS.iter().copied().filter(move |c| m & c.mask() != 0)
    }

    /// The named layout's name, if this is one.
    pub fn name(self) -> Option<&'static str> {
        let m = self.mask()?;
        NAMED.iter().find(|(_, nm)| *nm == m).map(|(n, _)| *n)
    }

    /// Parses a layout description like FFmpeg (cf. `av_channel_layout_from_string`):
    /// a name (`5.1(side)`), channels joined by `+` (`FL+FR+LFE`), a mask in hex
    /// (`0x3`), or a count (`6c`, `6 channels`; a count gives the default layout).
    pub fn parse(text: &str) -> Result<ChannelLayout> {
        let bad = |reason| Error::InvalidChannelLayout {
            text: text.to_owned(),
            reason,
        };
        let t = text.trim();
        if let Some(&(_, m)) = NAMED.iter().find(|(n, _)| *n == t) {
            return Ok(ChannelLayout::Native(m));
        }
        if let Some(hex) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
            let m = u64::from_str_radix(hex, 16).map_err(|_| bad("bad hexadecimal mask"))?;
            return if m == 0 {
                Err(bad("empty mask"))
            } else {
                Ok(ChannelLayout::Native(m))
            };
        }
        if t.contains('+') || Channel::from_name(t).is_some() {
            let mut m = 0u64;
            for part in t.split('+') {
                let c = Channel::from_name(part).ok_or_else(|| bad("unknown channel name"))?;
                if m & c.mask() != 0 {
                    return Err(bad("channel listed twice"));
                }
                m |= c.mask();
            }
            return Ok(ChannelLayout::Native(m));
        }
        let count = t
            .strip_suffix(" channels")
            .or_else(|| t.strip_suffix('c'))
            .or_else(|| t.strip_suffix("C"));
        if let Some(n) = count {
            let n: u32 = n.trim().parse().map_err(|_| bad("bad channel count"))?;
            if n == 0 || n > 64 {
                return Err(bad("channel count out of range"));
            }
            return Ok(ChannelLayout::default_for(n));
        }
        Err(bad(
            "not a layout name, channel list, mask or channel count",
        ))
    }
}

impl fmt::Display for ChannelLayout {
    /// As `av_channel_layout_describe`: the name of a named layout, else
    /// `N channels (FL+FR+...)` for other native masks, `N channels` for unspecified.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ChannelLayout::Native(m) => {
                if let Some(n) = self.name() {
                    return f.write_str(n);
                }
                let names: Vec<_> = CHANNELS
                    .iter()
                    .filter(|c| m & c.mask() != 0)
                    .map(|c| c.name())
                    .collect();
                let unknown = m & !CHANNELS.iter().fold(0, |a, c| a | c.mask());
                write!(f, "{} channels ({}", m.count_ones(), names.join("+"))?;
                if unknown != 0 {
                    write!(
                        f,
                        "{}0x{unknown:x}",
                        if names.is_empty() { "" } else { "+" }
                    )?;
                }
                write!(f, ")")
            }
            ChannelLayout::Unspecified(n) => write!(f, "{n} channels"),
        }
    }
}

impl FromStr for ChannelLayout {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        ChannelLayout::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_per_count() {
        let expect = [
            (1, "mono"),
            (2, "stereo"),
            (3, "2.1"),
            (4, "4.0"),
            (5, "5.0"),
            (6, "5.1"),
            (7, "6.1"),
            (8, "7.1"),
            (16, "hexadecagonal"),
            (24, "22.2"),
        ];
        for (n, name) in expect {
            assert_eq!(
                ChannelLayout::default_for(n).to_string(),
                name,
                "{n} channels"
            );
            assert_eq!(ChannelLayout::default_for(n).channels(), n);
        }
        assert_eq!(ChannelLayout::default_for(9), ChannelLayout::Unspecified(9));
        assert_eq!(ChannelLayout::default_for(9).to_string(), "9 channels");
    }

    #[test]
    fn masks_match_ffmpeg() {
        assert_eq!(ChannelLayout::parse("5.1").unwrap().mask(), Some(0x3f));
        assert_eq!(
            ChannelLayout::parse("5.1(side)").unwrap().mask(),
            Some(0x60f)
        );
        assert_eq!(ChannelLayout::parse("7.1").unwrap().mask(), Some(0x63f));
        assert_eq!(ChannelLayout::parse("quad").unwrap().mask(), Some(0x33));
        assert_eq!(
            ChannelLayout::parse("downmix").unwrap().mask(),
            Some(0x6000_0000)
        );
        assert_eq!(ChannelLayout::parse("22.2").unwrap().channels(), 24);
    }

    #[test]
    fn parsing_forms() {
        assert_eq!(
            ChannelLayout::parse("FL+FR").unwrap(),
            ChannelLayout::STEREO
        );
        assert_eq!(ChannelLayout::parse("FC").unwrap(), ChannelLayout::MONO);
        assert_eq!(ChannelLayout::parse("0x3").unwrap(), ChannelLayout::STEREO);
        assert_eq!(ChannelLayout::parse("2c").unwrap(), ChannelLayout::STEREO);
        assert_eq!(
            ChannelLayout::parse("6 channels").unwrap().to_string(),
            "5.1"
        );
        let odd = ChannelLayout::parse("FL+FR+LFE+BC").unwrap();
        assert_eq!(odd.to_string(), "4 channels (FL+FR+LFE+BC)");
        assert_eq!(odd.channel(2), Some(Channel::LowFrequency));
        assert_eq!(odd.channel(4), None);
        for bad in ["", "7.3", "FL+XX", "FL+FL", "0x", "0c", "0x0", "99c"] {
            let e = ChannelLayout::parse(bad).unwrap_err();
            assert!(e.to_string().contains(&format!("'{bad}'")), "{e}");
        }
    }

    #[test]
    fn names_are_unique_and_round_trip() {
        for (name, l) in ChannelLayout::named() {
            assert_eq!(ChannelLayout::parse(name).unwrap(), l);
            assert_eq!(l.to_string(), name);
        }
        for c in Channel::all() {
            assert_eq!(Channel::from_name(c.name()), Some(*c));
        }
        assert_eq!(
            ChannelLayout::Native(1 << 20).to_string(),
            "1 channels (0x100000)"
        );
    }
}
