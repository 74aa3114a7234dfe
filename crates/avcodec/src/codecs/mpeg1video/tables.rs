//! Constant tables of ISO/IEC 11172-2 (values as in the standard's annexes;
//! the VLC tables were checked against FFmpeg's `mpeg12data.c`).

use avutil::Rational;

/// Start code values (the byte after `00 00 01`).
pub mod start_code {
    /// Picture start code.
    pub const PICTURE: u8 = 0x00;
    /// First slice start code (slice vertical position 1).
    pub const SLICE_MIN: u8 = 0x01;
    /// Last slice start code.
    pub const SLICE_MAX: u8 = 0xaf;
    /// User data.
    pub const USER_DATA: u8 = 0xb2;
    /// Sequence header.
    pub const SEQUENCE_HEADER: u8 = 0xb3;
    /// Sequence error.
    pub const SEQUENCE_ERROR: u8 = 0xb4;
    /// Extension (MPEG-2 only).
    pub const EXTENSION: u8 = 0xb5;
    /// Sequence end.
    pub const SEQUENCE_END: u8 = 0xb7;
    /// Group of pictures.
    pub const GOP: u8 = 0xb8;
}

/// Zig-zag scan: coefficient `i` in transmission order lands at raster position `ZIGZAG[i]`.
pub const ZIGZAG: [u8; 64] = [
    0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20,
    13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59,
    52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
];

/// Default intra quantizer matrix, raster order.
pub const DEFAULT_INTRA_MATRIX: [u8; 64] = [
    8, 16, 19, 22, 26, 27, 29, 34, //
    16, 16, 22, 24, 27, 29, 34, 37, //
    19, 22, 26, 27, 29, 34, 34, 38, //
    22, 22, 26, 27, 29, 34, 37, 40, //
    22, 26, 27, 29, 32, 35, 40, 48, //
    26, 27, 29, 32, 35, 40, 48, 58, //
    26, 27, 29, 34, 38, 46, 56, 69, //
    27, 29, 35, 38, 46, 56, 69, 83,
];

/// Default non-intra quantizer matrix (flat 16).
pub const DEFAULT_NON_INTRA_MATRIX: [u8; 64] = [16; 64];

/// Frame rates by `frame_rate_code` (0 and 14..15 are forbidden; 9..13 are the
/// non-standard rates FFmpeg accepts: Xing's 15 fps and libmpeg3's economy rates).
pub const FRAME_RATES: [(i32, i32); 16] = [
    (0, 0),
    (24000, 1001),
    (24, 1),
    (25, 1),
    (30000, 1001),
    (30, 1),
    (50, 1),
    (60000, 1001),
    (60, 1),
    (15, 1),
    (5, 1),
    (10, 1),
    (12, 1),
    (15, 1),
    (0, 0),
    (0, 0),
];

/// The frame rate of `frame_rate_code`, `None` for forbidden codes.
pub fn frame_rate(code: u8) -> Option<Rational> {
    match FRAME_RATES.get(usize::from(code)) {
        Some(&(n, d)) if n > 0 => Some(Rational::new(n, d)),
        _ => None,
    }
}

/// Pel aspect ratio (height/width of a pel) by `pel_aspect_ratio` code.
pub const PEL_ASPECT: [f64; 16] = [
    0.0, 1.0, 0.6735, 0.7031, 0.7615, 0.8055, 0.8437, 0.8935, 0.9157, 0.9815, 1.0255, 1.0695,
    1.0950, 1.1575, 1.2015, 0.0,
];

/// The sample aspect ratio (width/height) for a pel aspect code, as FFmpeg
/// derives it: the inverse of the closest fraction with terms up to 255.
pub fn sample_aspect_ratio(code: u8) -> Rational {
    let a = PEL_ASPECT[usize::from(code & 15)];
    let q = Rational::from_f64(a, 255);
    if q.num <= 0 || q.den <= 0 {
        return Rational::new(0, 1);
    }
    Rational::new(q.den, q.num)
}

/// A variable-length code: (code bits, length).
pub type VlcCode = (u16, u8);

/// `macroblock_address_increment` 1..=33, then escape (+33), stuffing, and
/// eight zero bits (the start of a start code, i.e. end of slice).
pub const MBA_INCREMENT: [VlcCode; 36] = [
    (0x1, 1),
    (0x3, 3),
    (0x2, 3),
    (0x3, 4),
    (0x2, 4),
    (0x3, 5),
    (0x2, 5),
    (0x7, 7),
    (0x6, 7),
    (0xb, 8),
    (0xa, 8),
    (0x9, 8),
    (0x8, 8),
    (0x7, 8),
    (0x6, 8),
    (0x17, 10),
    (0x16, 10),
    (0x15, 10),
    (0x14, 10),
    (0x13, 10),
    (0x12, 10),
    (0x23, 11),
    (0x22, 11),
    (0x21, 11),
    (0x20, 11),
    (0x1f, 11),
    (0x1e, 11),
    (0x1d, 11),
    (0x1c, 11),
    (0x1b, 11),
    (0x1a, 11),
    (0x19, 11),
    (0x18, 11),
    (0x8, 11),
    (0xf, 11),
    (0x0, 8),
];

/// Symbol of the escape code in [`MBA_INCREMENT`].
pub const MBA_ESCAPE: i32 = 33;
/// Symbol of the stuffing code in [`MBA_INCREMENT`].
pub const MBA_STUFFING: i32 = 34;
/// Symbol of the end-of-slice pattern in [`MBA_INCREMENT`].
pub const MBA_END: i32 = 35;

/// Macroblock type flags.
pub mod mb {
    /// Quantizer scale follows.
    pub const QUANT: u8 = 1;
    /// Forward motion vector follows.
    pub const FORWARD: u8 = 2;
    /// Backward motion vector follows.
    pub const BACKWARD: u8 = 4;
    /// Coded block pattern follows.
    pub const PATTERN: u8 = 8;
    /// Intra macroblock.
    pub const INTRA: u8 = 16;
}

/// P-picture macroblock types: (code, flags).
pub const MB_TYPE_P: [(VlcCode, u8); 7] = [
    ((0x1, 1), mb::FORWARD | mb::PATTERN),
    ((0x1, 2), mb::PATTERN),
    ((0x1, 3), mb::FORWARD),
    ((0x3, 5), mb::INTRA),
    ((0x2, 5), mb::QUANT | mb::FORWARD | mb::PATTERN),
    ((0x1, 5), mb::QUANT | mb::PATTERN),
    ((0x1, 6), mb::QUANT | mb::INTRA),
];

/// B-picture macroblock types: (code, flags).
pub const MB_TYPE_B: [(VlcCode, u8); 11] = [
    ((0x2, 2), mb::FORWARD | mb::BACKWARD),
    ((0x3, 2), mb::FORWARD | mb::BACKWARD | mb::PATTERN),
    ((0x2, 3), mb::BACKWARD),
    ((0x3, 3), mb::BACKWARD | mb::PATTERN),
    ((0x2, 4), mb::FORWARD),
    ((0x3, 4), mb::FORWARD | mb::PATTERN),
    ((0x3, 5), mb::INTRA),
    (
        (0x2, 5),
        mb::QUANT | mb::FORWARD | mb::BACKWARD | mb::PATTERN,
    ),
    ((0x3, 6), mb::QUANT | mb::FORWARD | mb::PATTERN),
    ((0x2, 6), mb::QUANT | mb::BACKWARD | mb::PATTERN),
    ((0x1, 6), mb::QUANT | mb::INTRA),
];

/// `coded_block_pattern` codes indexed by the pattern (0 is not valid in MPEG-1).
pub const CBP: [VlcCode; 64] = [
    (0x1, 9),
    (0xb, 5),
    (0x9, 5),
    (0xd, 6),
    (0xd, 4),
    (0x17, 7),
    (0x13, 7),
    (0x1f, 8),
    (0xc, 4),
    (0x16, 7),
    (0x12, 7),
    (0x1e, 8),
    (0x13, 5),
    (0x1b, 8),
    (0x17, 8),
    (0x13, 8),
    (0xb, 4),
    (0x15, 7),
    (0x11, 7),
    (0x1d, 8),
    (0x11, 5),
    (0x19, 8),
    (0x15, 8),
    (0x11, 8),
    (0xf, 6),
    (0xf, 8),
    (0xd, 8),
    (0x3, 9),
    (0xf, 5),
    (0xb, 8),
    (0x7, 8),
    (0x7, 9),
    (0xa, 4),
    (0x14, 7),
    (0x10, 7),
    (0x1c, 8),
    (0xe, 6),
    (0xe, 8),
    (0xc, 8),
    (0x2, 9),
    (0x10, 5),
    (0x18, 8),
    (0x14, 8),
    (0x10, 8),
    (0xe, 5),
    (0xa, 8),
    (0x6, 8),
    (0x6, 9),
    (0x12, 5),
    (0x1a, 8),
    (0x16, 8),
    (0x12, 8),
    (0xd, 5),
    (0x9, 8),
    (0x5, 8),
    (0x5, 9),
    (0xc, 5),
    (0x8, 8),
    (0x4, 8),
    (0x4, 9),
    (0x7, 3),
    (0xa, 5),
    (0x8, 5),
    (0xc, 6),
];

/// `motion_code` magnitudes 0..=16 (a sign bit follows nonzero ones).
pub const MOTION_CODE: [VlcCode; 17] = [
    (0x1, 1),
    (0x1, 2),
    (0x1, 3),
    (0x1, 4),
    (0x3, 6),
    (0x5, 7),
    (0x4, 7),
    (0x3, 7),
    (0xb, 9),
    (0xa, 9),
    (0x9, 9),
    (0x11, 10),
    (0x10, 10),
    (0xf, 10),
    (0xe, 10),
    (0xd, 10),
    (0xc, 10),
];

/// `dct_dc_size_luminance` codes by size 0..=11.
pub const DC_SIZE_LUMA: [VlcCode; 12] = [
    (0x4, 3),
    (0x0, 2),
    (0x1, 2),
    (0x5, 3),
    (0x6, 3),
    (0xe, 4),
    (0x1e, 5),
    (0x3e, 6),
    (0x7e, 7),
    (0xfe, 8),
    (0x1fe, 9),
    (0x1ff, 9),
];

/// `dct_dc_size_chrominance` codes by size 0..=11.
pub const DC_SIZE_CHROMA: [VlcCode; 12] = [
    (0x0, 2),
    (0x1, 2),
    (0x2, 2),
    (0x6, 3),
    (0xe, 4),
    (0x1e, 5),
    (0x3e, 6),
    (0x7e, 7),
    (0xfe, 8),
    (0x1fe, 9),
    (0x3fe, 10),
    (0x3ff, 10),
];

/// DCT coefficient codes (without the sign bit) as (code, length, run, level).
/// The first entry, `11`, is run 0 level 1 when not the first coefficient of a
/// non-intra block (there it is `1s`, handled separately).
pub const DCT_COEFF: [(u16, u8, u8, u8); 111] = [
    (0x3, 2, 0, 1),
    (0x4, 4, 0, 2),
    (0x5, 5, 0, 3),
    (0x6, 7, 0, 4),
    (0x26, 8, 0, 5),
    (0x21, 8, 0, 6),
    (0xa, 10, 0, 7),
    (0x1d, 12, 0, 8),
    (0x18, 12, 0, 9),
    (0x13, 12, 0, 10),
    (0x10, 12, 0, 11),
    (0x1a, 13, 0, 12),
    (0x19, 13, 0, 13),
    (0x18, 13, 0, 14),
    (0x17, 13, 0, 15),
    (0x1f, 14, 0, 16),
    (0x1e, 14, 0, 17),
    (0x1d, 14, 0, 18),
    (0x1c, 14, 0, 19),
    (0x1b, 14, 0, 20),
    (0x1a, 14, 0, 21),
    (0x19, 14, 0, 22),
    (0x18, 14, 0, 23),
    (0x17, 14, 0, 24),
    (0x16, 14, 0, 25),
    (0x15, 14, 0, 26),
    (0x14, 14, 0, 27),
    (0x13, 14, 0, 28),
    (0x12, 14, 0, 29),
    (0x11, 14, 0, 30),
    (0x10, 14, 0, 31),
    (0x18, 15, 0, 32),
    (0x17, 15, 0, 33),
    (0x16, 15, 0, 34),
    (0x15, 15, 0, 35),
    (0x14, 15, 0, 36),
    (0x13, 15, 0, 37),
    (0x12, 15, 0, 38),
    (0x11, 15, 0, 39),
    (0x10, 15, 0, 40),
    (0x3, 3, 1, 1),
    (0x6, 6, 1, 2),
    (0x25, 8, 1, 3),
    (0xc, 10, 1, 4),
    (0x1b, 12, 1, 5),
    (0x16, 13, 1, 6),
    (0x15, 13, 1, 7),
    (0x1f, 15, 1, 8),
    (0x1e, 15, 1, 9),
    (0x1d, 15, 1, 10),
    (0x1c, 15, 1, 11),
    (0x1b, 15, 1, 12),
    (0x1a, 15, 1, 13),
    (0x19, 15, 1, 14),
    (0x13, 16, 1, 15),
    (0x12, 16, 1, 16),
    (0x11, 16, 1, 17),
    (0x10, 16, 1, 18),
    (0x5, 4, 2, 1),
    (0x4, 7, 2, 2),
    (0xb, 10, 2, 3),
    (0x14, 12, 2, 4),
    (0x14, 13, 2, 5),
    (0x7, 5, 3, 1),
    (0x24, 8, 3, 2),
    (0x1c, 12, 3, 3),
    (0x13, 13, 3, 4),
    (0x6, 5, 4, 1),
    (0xf, 10, 4, 2),
    (0x12, 12, 4, 3),
    (0x7, 6, 5, 1),
    (0x9, 10, 5, 2),
    (0x12, 13, 5, 3),
    (0x5, 6, 6, 1),
    (0x1e, 12, 6, 2),
    (0x14, 16, 6, 3),
    (0x4, 6, 7, 1),
    (0x15, 12, 7, 2),
    (0x7, 7, 8, 1),
    (0x11, 12, 8, 2),
    (0x5, 7, 9, 1),
    (0x11, 13, 9, 2),
    (0x27, 8, 10, 1),
    (0x10, 13, 10, 2),
    (0x23, 8, 11, 1),
    (0x1a, 16, 11, 2),
    (0x22, 8, 12, 1),
    (0x19, 16, 12, 2),
    (0x20, 8, 13, 1),
    (0x18, 16, 13, 2),
    (0xe, 10, 14, 1),
    (0x17, 16, 14, 2),
    (0xd, 10, 15, 1),
    (0x16, 16, 15, 2),
    (0x8, 10, 16, 1),
    (0x15, 16, 16, 2),
    (0x1f, 12, 17, 1),
    (0x1a, 12, 18, 1),
    (0x19, 12, 19, 1),
    (0x17, 12, 20, 1),
    (0x16, 12, 21, 1),
    (0x1f, 13, 22, 1),
    (0x1e, 13, 23, 1),
    (0x1d, 13, 24, 1),
    (0x1c, 13, 25, 1),
    (0x1b, 13, 26, 1),
    (0x1f, 16, 27, 1),
    (0x1e, 16, 28, 1),
    (0x1d, 16, 29, 1),
    (0x1c, 16, 30, 1),
    (0x1b, 16, 31, 1),
];

/// Escape code of the DCT coefficient table (`000001`).
pub const DCT_ESCAPE: VlcCode = (0x1, 6);
/// End of block (`10`).
pub const DCT_EOB: VlcCode = (0x2, 2);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zigzag_is_a_permutation() {
        let mut seen = [false; 64];
        for &z in &ZIGZAG {
            assert!(!seen[usize::from(z)]);
            seen[usize::from(z)] = true;
        }
    }

    #[test]
    fn aspect_ratios_as_ffmpeg() {
        assert_eq!(sample_aspect_ratio(1), Rational::new(1, 1));
        assert_eq!(sample_aspect_ratio(0), Rational::new(0, 1));
        // 0.9157 (CCIR 601 625 lines) and 1.0950 (525 lines)
        let a = sample_aspect_ratio(8);
        assert!((a.to_f64() - 1.0 / 0.9157).abs() < 1e-3);
        let b = sample_aspect_ratio(12);
        assert!((b.to_f64() - 1.0 / 1.095).abs() < 1e-3);
    }
}
