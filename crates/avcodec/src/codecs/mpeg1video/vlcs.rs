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
    /// DCT coefficients: one flat lookup giving run, level and length.
    pub(super) dct: DctTable,
}

/// Run field of a [`DctTable`] entry for the end-of-block code.
pub(super) const DCT_RUN_EOB: u32 = 0;
/// Run field of a [`DctTable`] entry for the escape code.
pub(super) const DCT_RUN_ESCAPE: u32 = 0xff;
/// Flag of a first-level [`DctTable`] entry that points to a subtable.
const DCT_SUB: u32 = 0x40;
/// Bits of the first-level index.
const DCT_L1_BITS: u32 = 10;
/// Bits of a subtable index (the longest code has `DCT_L1_BITS + DCT_L2_BITS` bits).
const DCT_L2_BITS: u32 = 6;

/// The DCT coefficient codes as a two-level table of packed entries
/// (cf. FFmpeg's `RL_VLC_ELEM`): bits 0..6 the code length without the sign
/// bit (0 for an invalid code), bits 8..16 the run plus one
/// ([`DCT_RUN_EOB`], [`DCT_RUN_ESCAPE`]), bits 16..32 the level magnitude.
/// First-level entries with [`DCT_SUB`] hold a subtable offset in bits 16..32.
#[derive(Debug)]
pub(super) struct DctTable {
    l1: Box<[u32; 1 << DCT_L1_BITS]>,
    l2: Vec<u32>,
}

impl DctTable {
    fn new(codes: &[Code]) -> DctTable {
        let mut l1 = Box::new([0u32; 1 << DCT_L1_BITS]);
        let mut l2: Vec<u32> = Vec::new();
        let pack = |c: &Code| -> u32 {
            let (run, level) = match c.symbol {
                SYM_EOB => (DCT_RUN_EOB, 0),
                SYM_ESCAPE => (DCT_RUN_ESCAPE, 0),
                s => ((s >> 8) as u32 + 1, (s & 0xff) as u32),
            };
            (level << 16) | (run << 8) | u32::from(c.len)
        };
        let total = DCT_L1_BITS + DCT_L2_BITS;
        for c in codes {
            let len = u32::from(c.len);
            if len <= DCT_L1_BITS {
                let shift = DCT_L1_BITS - len;
                let start = (c.bits << shift) as usize;
                l1[start..start + (1 << shift)].fill(pack(c));
            } else {
                let prefix = (c.bits >> (len - DCT_L1_BITS)) as usize;
                if l1[prefix] & DCT_SUB == 0 {
                    l1[prefix] = ((l2.len() as u32) << 16) | DCT_SUB;
                    l2.resize(l2.len() + (1 << DCT_L2_BITS), 0);
                }
                let base = (l1[prefix] >> 16) as usize;
                let rest = c.bits & ((1 << (len - DCT_L1_BITS)) - 1);
                let shift = total - len;
                let start = base + ((rest << shift) as usize);
                l2[start..start + (1 << shift)].fill(pack(c));
            }
        }
        DctTable { l1, l2 }
    }

    /// The entry for the code at the top of `w` (the next 32 bits of the stream).
    #[inline(always)]
    pub(super) fn entry(&self, w: u32) -> u32 {
        let e = self.l1[(w >> (32 - DCT_L1_BITS)) as usize];
        if e & DCT_SUB == 0 {
            e
        } else {
            let i = (e >> 16) as usize + ((w >> (32 - DCT_L1_BITS - DCT_L2_BITS)) & 0x3f) as usize;
            self.l2.get(i).copied().unwrap_or(0)
        }
    }
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
            dct: DctTable::new(&dct_codes()),
        }
    })
}

/// Encoding table of the DCT coefficients by run (0..=31) and signed level
/// (-40..=40, at index `level + 40`): `(code << 1 | sign) << 8 | (length + 1)`,
/// the code followed by its sign bit; 0 where the pair has no code and must
/// be escaped (and for level 0).
pub(super) type DctEncTable = [[u32; 81]; 32];

/// The shared encoding table of the DCT coefficients.
pub(super) fn dct_enc_table() -> &'static DctEncTable {
    static T: OnceLock<DctEncTable> = OnceLock::new();
    T.get_or_init(|| {
        let mut t = [[0u32; 81]; 32];
        for &(code, len, run, level) in &DCT_COEFF {
            let (run, level, len) = (usize::from(run), usize::from(level), u32::from(len) + 1);
            t[run][40 + level] = (u32::from(code) << 9) | len;
            t[run][40 - level] = (((u32::from(code) << 1) | 1) << 8) | len;
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

    #[test]
    fn encoding_table_holds_every_code_with_its_sign() {
        let t = dct_enc_table();
        let mut n = 0;
        for &(code, len, run, level) in &DCT_COEFF {
            let (r, l) = (usize::from(run), usize::from(level));
            let want = |sign: u32| (((u32::from(code) << 1) | sign) << 8) | (u32::from(len) + 1);
            assert_eq!(t[r][40 + l], want(0));
            assert_eq!(t[r][40 - l], want(1));
            n += 2;
        }
        assert_eq!(t.iter().flatten().filter(|&&e| e != 0).count(), n);
        assert!(t.iter().all(|row| row[40] == 0));
    }

    #[test]
    fn flat_dct_table_matches_the_generic_one() {
        let codes = dct_codes();
        let vlc = Vlc::new(&codes, 10).unwrap();
        let flat = DctTable::new(&codes);
        // Every 17-bit pattern (longest code plus its sign bit).
        for p in 0u32..1 << 17 {
            let w = p << 15;
            let bytes = w.to_be_bytes();
            let mut r = crate::bitstream::BitReader::new(&bytes);
            let e = flat.entry(w);
            let len = e & 0x3f;
            match vlc.decode(&mut r) {
                None => assert_eq!(len, 0, "{p:017b}"),
                Some(sym) => {
                    assert_eq!(len as usize, r.position(), "{p:017b}");
                    let run = (e >> 8) & 0xff;
                    match sym {
                        SYM_EOB => assert_eq!(run, DCT_RUN_EOB),
                        SYM_ESCAPE => assert_eq!(run, DCT_RUN_ESCAPE),
                        s => {
                            assert_eq!(run as i32, (s >> 8) + 1);
                            assert_eq!((e >> 16) as i32, s & 0xff);
                        }
                    }
                }
            }
        }
    }
}
