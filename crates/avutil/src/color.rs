//! Colour description enums with FFmpeg's numbering (ITU-T H.273) and names
//! (cf. `enum AVColorRange`, `AVColorPrimaries`, `AVColorTransferCharacteristic`,
//! `AVColorSpace`, `AVChromaLocation`, `AVPictureType`).

macro_rules! named_enum {
    ($(#[$m:meta])* $name:ident, { $($(#[$vm:meta])* $v:ident = $val:expr => $s:expr,)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vm])* $v,)*
            /// Any value this library has no name for, kept as is.
            Other(u8),
        }
        impl $name {
            const TABLE: &'static [($name, u8, &'static str)] = &[$(($name::$v, $val, $s),)*];
            /// The H.273 / FFmpeg numeric value.
            pub fn value(self) -> u8 {
                match self {
                    $name::Other(v) => v,
                    s => Self::TABLE.iter().find(|e| e.0 == s).map_or(0, |e| e.1),
                }
            }
            /// From the numeric value.
            pub fn from_value(v: u8) -> Self {
                Self::TABLE.iter().find(|e| e.1 == v).map_or($name::Other(v), |e| e.0)
            }
            /// FFmpeg's name (as ffprobe prints it); `None` for unnamed values.
            pub fn name(self) -> Option<&'static str> {
                Self::TABLE.iter().find(|e| e.0 == self).map(|e| e.2)
            }
            /// Looks a value up by FFmpeg's name.
            pub fn from_name(name: &str) -> Option<Self> {
                Self::TABLE.iter().find(|e| e.2 == name).map(|e| e.0)
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                match self.name() {
                    Some(n) => f.write_str(n),
                    None => write!(f, "{}", self.value()),
                }
            }
        }
    };
}

named_enum!(
    /// Sample value range (cf. `AVColorRange`).
    ColorRange, {
    /// Not specified.
    #[default]
    Unspecified = 0 => "unknown",
    /// Limited ("MPEG", "tv") range: Y 16..235, C 16..240 at 8 bits.
    Mpeg = 1 => "tv",
    /// Full ("JPEG", "pc") range.
    Jpeg = 2 => "pc",
});

named_enum!(
    /// Colour primaries (cf. `AVColorPrimaries`).
    ColorPrimaries, {
    /// ITU-R BT.709.
    Bt709 = 1 => "bt709",
    /// Not specified.
    #[default]
    Unspecified = 2 => "unknown",
    /// ITU-R BT.470 System M.
    Bt470m = 4 => "bt470m",
    /// ITU-R BT.470 System B, G (PAL, BT.601-625).
    Bt470bg = 5 => "bt470bg",
    /// SMPTE 170M (NTSC, BT.601-525).
    Smpte170m = 6 => "smpte170m",
    /// SMPTE 240M.
    Smpte240m = 7 => "smpte240m",
    /// Generic film.
    Film = 8 => "film",
    /// ITU-R BT.2020.
    Bt2020 = 9 => "bt2020",
    /// SMPTE ST 428-1 (CIE XYZ).
    Smpte428 = 10 => "smpte428",
    /// SMPTE RP 431-2 (DCI-P3).
    Smpte431 = 11 => "smpte431",
    /// SMPTE EG 432-1 (Display P3).
    Smpte432 = 12 => "smpte432",
    /// EBU Tech. 3213-E / JEDEC P22.
    JedecP22 = 22 => "jedec-p22",
});

named_enum!(
    /// Transfer characteristic (cf. `AVColorTransferCharacteristic`).
    ColorTransfer, {
    /// ITU-R BT.709.
    Bt709 = 1 => "bt709",
    /// Not specified.
    #[default]
    Unspecified = 2 => "unknown",
    /// Gamma 2.2 (BT.470 M).
    Gamma22 = 4 => "bt470m",
    /// Gamma 2.8 (BT.470 BG).
    Gamma28 = 5 => "bt470bg",
    /// SMPTE 170M.
    Smpte170m = 6 => "smpte170m",
    /// SMPTE 240M.
    Smpte240m = 7 => "smpte240m",
    /// Linear.
    Linear = 8 => "linear",
    /// Logarithmic, 100:1 range.
    Log = 9 => "log100",
    /// Logarithmic, 316:1 range.
    LogSqrt = 10 => "log316",
    /// IEC 61966-2-4.
    Iec61966_2_4 = 11 => "iec61966-2-4",
    /// ITU-R BT.1361 extended gamut.
    Bt1361Ecg = 12 => "bt1361e",
    /// IEC 61966-2-1 (sRGB).
    Iec61966_2_1 = 13 => "iec61966-2-1",
    /// BT.2020 10-bit.
    Bt2020_10 = 14 => "bt2020-10",
    /// BT.2020 12-bit.
    Bt2020_12 = 15 => "bt2020-12",
    /// SMPTE ST 2084 (PQ).
    Smpte2084 = 16 => "smpte2084",
    /// SMPTE ST 428-1.
    Smpte428 = 17 => "smpte428",
    /// ARIB STD-B67 (HLG).
    AribStdB67 = 18 => "arib-std-b67",
});

named_enum!(
    /// YUV matrix coefficients (cf. `AVColorSpace`).
    ColorSpace, {
    /// RGB / GBR: no matrix.
    Rgb = 0 => "gbr",
    /// ITU-R BT.709.
    Bt709 = 1 => "bt709",
    /// Not specified.
    #[default]
    Unspecified = 2 => "unknown",
    /// FCC Title 47.
    Fcc = 4 => "fcc",
    /// BT.470 BG / BT.601-625.
    Bt470bg = 5 => "bt470bg",
    /// SMPTE 170M / BT.601-525.
    Smpte170m = 6 => "smpte170m",
    /// SMPTE 240M.
    Smpte240m = 7 => "smpte240m",
    /// YCgCo.
    Ycgco = 8 => "ycgco",
    /// BT.2020 non-constant luminance.
    Bt2020Ncl = 9 => "bt2020nc",
    /// BT.2020 constant luminance.
    Bt2020Cl = 10 => "bt2020c",
    /// SMPTE 2085.
    Smpte2085 = 11 => "smpte2085",
    /// Chromaticity-derived non-constant luminance.
    ChromaDerivedNcl = 12 => "chroma-derived-nc",
    /// Chromaticity-derived constant luminance.
    ChromaDerivedCl = 13 => "chroma-derived-c",
    /// ICtCp.
    Ictcp = 14 => "ictcp",
});

named_enum!(
    /// Position of chroma samples relative to luma (cf. `AVChromaLocation`).
    ChromaLocation, {
    /// Not specified.
    #[default]
    Unspecified = 0 => "unspecified",
    /// Left (MPEG-2/4 4:2:0, H.264 default).
    Left = 1 => "left",
    /// Center (MPEG-1 4:2:0, JPEG).
    Center = 2 => "center",
    /// Top left (BT.2020 4:2:0).
    TopLeft = 3 => "topleft",
    /// Top.
    Top = 4 => "top",
    /// Bottom left.
    BottomLeft = 5 => "bottomleft",
    /// Bottom.
    Bottom = 6 => "bottom",
});

/// Picture type of a video frame (cf. `enum AVPictureType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PictureType {
    /// Undefined.
    #[default]
    None,
    /// Intra.
    I,
    /// Predicted.
    P,
    /// Bi-directionally predicted.
    B,
    /// S(GMC)-VOP MPEG-4.
    S,
    /// Switching intra.
    Si,
    /// Switching predicted.
    Sp,
    /// BI type.
    Bi,
}

impl PictureType {
    /// One character, as `av_get_picture_type_char` (`I`, `P`, `B`, `?`...).
    pub const fn as_char(self) -> char {
        match self {
            PictureType::None => '?',
            PictureType::I => 'I',
            PictureType::P => 'P',
            PictureType::B => 'B',
            PictureType::S => 'S',
            PictureType::Si => 'i',
            PictureType::Sp => 'p',
            PictureType::Bi => 'b',
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_values() {
        assert_eq!(ColorRange::Mpeg.to_string(), "tv");
        assert_eq!(ColorRange::from_name("pc"), Some(ColorRange::Jpeg));
        assert_eq!(ColorSpace::from_value(9), ColorSpace::Bt2020Ncl);
        assert_eq!(ColorSpace::Bt2020Ncl.value(), 9);
        assert_eq!(ColorSpace::from_value(200), ColorSpace::Other(200));
        assert_eq!(ColorSpace::Other(200).to_string(), "200");
        assert_eq!(ColorPrimaries::default(), ColorPrimaries::Unspecified);
        assert_eq!(ColorTransfer::from_value(16).name(), Some("smpte2084"));
        assert_eq!(ChromaLocation::Left.value(), 1);
        assert_eq!(PictureType::B.as_char(), 'B');
        assert_eq!(PictureType::default().as_char(), '?');
    }
}
