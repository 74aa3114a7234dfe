//! Decoding tables built once from [`super::tables`].

use std::sync::OnceLock;

use super::tables::{
    CBP, DC_SIZE_CHROMA, DC_SIZE_LUMA, DCT_COEFF, DCT_EOB, DCT_ESCAPE, MB_TYPE_B, MB_TYPE_P,
    MBA_INCREMENT, MOTION_CODE,
};
use crate::vlc::{Code, Vlc};

/// Symbol of the end-of-block code in [`Tables::dct`].
pub(super) const SYM_EOB: i32 = -1;
/// Symbol of the escape code in [`Tables::dct`].
pub(super) const SYM_ESCAPE: i32 = -2;

/// All VLC tables of the decoder.
#[derive(Debug)]
pub(super) struct Tables {
    /// Macroblock address increment (symbol = table index).
    pub(super) mba: Vlc,
    /// P macroblock types (symbol = flags).
    pub(super) mb_p: Vlc,
    /// B macroblock types (symbol = flags).
    pub(super) mb_b: Vlc,
    /// Coded block pattern (symbol = pattern).
    pub(super) cbp: Vlc,
    /// Motion code magnitude.
    pub(super) motion: Vlc,
    /// DC size, luminance.
    pub(super) dc_luma: Vlc,
    /// DC size, chrominance.
    pub(super) dc_chroma: Vlc,
    /// DCT coefficients: `run << 8 | level`, or [`SYM_EOB`] / [`SYM_ESCAPE`].
    pub(super) dct: Vlc,
}

fn build(codes: &[Code], bits: u8) -> Vlc {
    // The tables are constants known to be prefix-free (checked by a test).
    Vlc::new(codes, bits).unwrap_or_else(|_| {
        Vlc::new(&[], bits).unwrap_or_else(|_| unreachable!("an empty table is always valid"))
    })
}

fn indexed(t: &[(u16, u8)]) -> Vec<Code> {
    t.iter()
        .enumerate()
        .map(|(i, &(b, l))| Code::new(u32::from(b), l, i as i32))
        .collect()
}

fn flagged(t: &[((u16, u8), u8)]) -> Vec<Code> {
    t.iter()
        .map(|&((b, l), f)| Code::new(u32::from(b), l, i32::from(f)))
        .collect()
}

fn dct_codes() -> Vec<Code> {
    let mut v: Vec<Code> = DCT_COEFF
        .iter()
        .map(|&(b, l, run, level)| {
            Code::new(u32::from(b), l, (i32::from(run) << 8) | i32::from(level))
        })
        .collect();
    v.push(Code::new(u32::from(DCT_ESCAPE.0), DCT_ESCAPE.1, SYM_ESCAPE));
    v.push(Code::new(u32::from(DCT_EOB.0), DCT_EOB.1, SYM_EOB));
    v
}

/// The shared tables.
pub(super) fn tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| {
        // The CBP table keeps code 0 (MPEG-2 only); it is rejected after decoding.
        Tables {
            mba: build(&indexed(&MBA_INCREMENT), 8),
            mb_p: build(&flagged(&MB_TYPE_P), 6),
            mb_b: build(&flagged(&MB_TYPE_B), 6),
            cbp: build(&indexed(&CBP), 9),
            motion: build(&indexed(&MOTION_CODE), 10),
            dc_luma: build(&indexed(&DC_SIZE_LUMA), 9),
            dc_chroma: build(&indexed(&DC_SIZE_CHROMA), 10),
            dct: build(&dct_codes(), 10),
        }
    })
}

/// Encoding table of the DCT coefficients: `code << 8 | length` (sign bit not
/// included) by run (0..=31) and level magnitude (1..=40); 0 where the pair
/// has no code and must be escaped.
pub(super) type DctEncTable = [[u32; 41]; 32];

/// The shared encoding table of the DCT coefficients.
pub(super) fn dct_enc_table() -> &'static DctEncTable {
    static T: OnceLock<DctEncTable> = OnceLock::new();
    T.get_or_init(|| {
        let mut t = [[0u32; 41]; 32];
        for &(code, len, run, level) in &DCT_COEFF {
            t[usize::from(run)][usize::from(level)] = (u32::from(code) << 8) | u32::from(len);
        }
        t
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_prefix_free() {
        for (name, codes) in [
            ("mba", indexed(&MBA_INCREMENT)),
            ("mb_p", flagged(&MB_TYPE_P)),
            ("mb_b", flagged(&MB_TYPE_B)),
            ("cbp", indexed(&CBP)),
            ("motion", indexed(&MOTION_CODE)),
            ("dc_luma", indexed(&DC_SIZE_LUMA)),
            ("dc_chroma", indexed(&DC_SIZE_CHROMA)),
            ("dct", dct_codes()),
        ] {
            assert!(Vlc::new(&codes, 8).is_ok(), "{name}");
        }
    }
}
