//! Variable-length code tables (cf. FFmpeg's `vlc.h`): build a lookup table
//! from `(code, length, symbol)` triples, decode with one or more table
//! lookups of `index_bits` bits each.

use crate::bitstream::BitReader;

/// One entry of a code table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Code {
    /// The code bits, right-aligned.
    pub bits: u32,
    /// Code length in bits (1..=32).
    pub len: u8,
    /// Decoded value.
    pub symbol: i32,
}

impl Code {
    /// A code of `len` bits with value `bits` decoding to `symbol`.
    pub const fn new(bits: u32, len: u8, symbol: i32) -> Code {
        Code { bits, len, symbol }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Entry {
    /// Not a valid code prefix.
    Invalid,
    /// A complete code: symbol and the bits it uses at this level.
    Leaf { symbol: i32, len: u8 },
    /// Continue in the subtable at `offset` with `bits` more bits.
    Sub { offset: u32, bits: u8 },
}

/// Why a code table could not be built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VlcError {
    /// Two codes share a prefix (or are equal).
    Ambiguous {
        /// The later of the two codes.
        code: Code,
    },
    /// A code length is 0 or above 32.
    BadLength {
        /// The code.
        code: Code,
    },
}

/// A decoding table.
#[derive(Debug, Clone)]
pub struct Vlc {
    table: Vec<Entry>,
    index_bits: u8,
}

impl Vlc {
    /// Builds a table whose first level is indexed by `index_bits` bits.
    pub fn new(codes: &[Code], index_bits: u8) -> Result<Vlc, VlcError> {
        for c in codes {
            if c.len == 0 || c.len > 32 {
                return Err(VlcError::BadLength { code: *c });
            }
        }
        let mut vlc = Vlc {
            table: vec![Entry::Invalid; 1 << index_bits],
            index_bits,
        };
        let all: Vec<(u32, u8, i32, Code)> = codes
            .iter()
            .map(|c| (c.bits, c.len, c.symbol, *c))
            .collect();
        vlc.fill(0, index_bits, &all)?;
        Ok(vlc)
    }

    /// Fills the table at `base` (of `bits` index bits) with `codes`, given as
    /// the code bits not yet consumed (right-aligned) and their remaining length.
    fn fill(
        &mut self,
        base: usize,
        bits: u8,
        codes: &[(u32, u8, i32, Code)],
    ) -> Result<(), VlcError> {
        // Short codes fill ranges directly.
        for &(b, len, sym, code) in codes.iter().filter(|c| c.1 <= bits) {
            let shift = bits - len;
            let start = (b as usize) << shift;
            for i in start..start + (1usize << shift) {
                if self.table[base + i] != Entry::Invalid {
                    return Err(VlcError::Ambiguous { code });
                }
                self.table[base + i] = Entry::Leaf { symbol: sym, len };
            }
        }
        // Longer codes grouped by their first `bits` bits go to subtables.
        let mut long: Vec<&(u32, u8, i32, Code)> = codes.iter().filter(|c| c.1 > bits).collect();
        long.sort_by_key(|c| c.0 >> (c.1 - bits));
        let mut i = 0;
        while i < long.len() {
            let prefix = long[i].0 >> (long[i].1 - bits);
            let group: Vec<(u32, u8, i32, Code)> = long[i..]
                .iter()
                .take_while(|c| c.0 >> (c.1 - bits) == prefix)
                .map(|c| {
                    // `bits >= 1`, so fewer than 32 bits remain.
                    let rest = c.1 - bits;
                    (c.0 & ((1u32 << rest) - 1), rest, c.2, c.3)
                })
                .collect();
            i += group.len();
            let slot = base + prefix as usize;
            if self.table[slot] != Entry::Invalid {
                return Err(VlcError::Ambiguous { code: group[0].3 });
            }
            let sub_bits = group
                .iter()
                .map(|c| c.1)
                .max()
                .unwrap_or(1)
                .min(self.index_bits);
            let offset = self.table.len();
            self.table.resize(offset + (1 << sub_bits), Entry::Invalid);
            self.table[slot] = Entry::Sub {
                offset: offset as u32,
                bits: sub_bits,
            };
            self.fill(offset, sub_bits, &group)?;
        }
        Ok(())
    }

    /// Decodes one symbol; `None` for an invalid code (the reader then stands
    /// after the bits examined).
    #[inline]
    pub fn decode(&self, r: &mut BitReader<'_>) -> Option<i32> {
        let mut base = 0usize;
        let mut bits = self.index_bits;
        loop {
            let idx = r.peek(u32::from(bits)) as usize;
            match self
                .table
                .get(base + idx)
                .copied()
                .unwrap_or(Entry::Invalid)
            {
                Entry::Leaf { symbol, len } => {
                    r.skip(usize::from(len));
                    return Some(symbol);
                }
                Entry::Sub { offset, bits: b } => {
                    r.skip(usize::from(bits));
                    base = offset as usize;
                    bits = b;
                }
                Entry::Invalid => {
                    r.skip(usize::from(bits));
                    return None;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bitstream::BitWriter;

    fn prefix_free_codes() -> Vec<Code> {
        // A complete prefix code of 40 symbols with lengths 1..=20: 0, 10, 110, ...
        let mut v = Vec::new();
        for i in 0..19u8 {
            v.push(Code::new((1u32 << (i + 1)) - 2, i + 1, i32::from(i)));
        }
        v.push(Code::new((1u32 << 19) - 1, 19, 19));
        v
    }

    #[test]
    fn decodes_long_codes_through_subtables() {
        let codes = prefix_free_codes();
        for index_bits in [1u8, 4, 9] {
            let vlc = Vlc::new(&codes, index_bits).unwrap();
            let mut w = BitWriter::new();
            let seq = [0usize, 19, 3, 18, 1, 7, 12, 0];
            for &s in &seq {
                w.write(u32::from(codes[s].len), codes[s].bits);
            }
            let data = w.finish();
            let mut r = BitReader::new(&data);
            for &s in &seq {
                assert_eq!(
                    vlc.decode(&mut r),
                    Some(codes[s].symbol),
                    "index_bits {index_bits}"
                );
            }
        }
    }

    #[test]
    fn invalid_and_ambiguous() {
        let vlc = Vlc::new(&[Code::new(0b00, 2, 1), Code::new(0b01, 2, 2)], 2).unwrap();
        let mut r = BitReader::new(&[0b1100_0000]);
        assert_eq!(vlc.decode(&mut r), None);
        assert!(matches!(
            Vlc::new(&[Code::new(0, 1, 1), Code::new(0b01, 2, 2)], 4),
            Err(VlcError::Ambiguous { .. })
        ));
        assert!(matches!(
            Vlc::new(&[Code::new(0, 0, 1)], 4),
            Err(VlcError::BadLength { .. })
        ));
    }
}
