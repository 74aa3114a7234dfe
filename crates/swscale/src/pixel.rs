//! Reading and writing one component of one line of any avutil pixel format,
//! to and from the 16-bit working domain (see [`crate::colorspace`]).

use avutil::PixelFormat;
use avutil::pixfmt::PixFmtDescriptor;

/// How a component's code values map to working values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Norm {
    /// `v << (16 - depth)`: limited-range luma and all chroma.
    Shift,
    /// `v * 65535 / max`: RGB, alpha, full-range luma.
    Max,
}

/// Where a component lives and how to convert it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CompIo {
    pub plane: usize,
    pub step: usize,
    pub offset: usize,
    pub shift: u32,
    pub depth: u32,
    pub elem: usize,
    pub be: bool,
    pub bitstream: bool,
    /// monowhite: 0 is white.
    pub invert: bool,
    pub norm: Norm,
}

impl CompIo {
    pub(crate) fn new(fmt: PixelFormat, comp: usize, norm: Norm) -> CompIo {
        let d: &PixFmtDescriptor = fmt.descriptor();
        let c = d.comp[comp];
        CompIo {
            plane: usize::from(c.plane),
            step: usize::from(c.step),
            offset: usize::from(c.offset),
            shift: u32::from(c.shift),
            depth: u32::from(c.depth),
            elem: usize::from(d.elem_bytes),
            be: d.is_big_endian(),
            bitstream: d.is_bitstream(),
            invert: fmt == PixelFormat::Monowhite,
            norm,
        }
    }

    fn max(&self) -> u32 {
        (1u32 << self.depth) - 1
    }

    #[inline]
    fn get_elem(&self, row: &[u8], at: usize) -> u32 {
        if self.elem == 1 {
            u32::from(row[at])
        } else if self.be {
            u32::from(u16::from_be_bytes([row[at], row[at + 1]]))
        } else {
            u32::from(u16::from_le_bytes([row[at], row[at + 1]]))
        }
    }

    #[inline]
    fn put_elem(&self, row: &mut [u8], at: usize, v: u32) {
        if self.elem == 1 {
            row[at] = v as u8;
        } else if self.be {
            row[at..at + 2].copy_from_slice(&(v as u16).to_be_bytes());
        } else {
            row[at..at + 2].copy_from_slice(&(v as u16).to_le_bytes());
        }
    }

    /// Code value -> working value.
    #[inline]
    #[allow(clippy::wrong_self_convention)]
    pub(crate) fn to_work(&self, v: u32) -> i32 {
        match self.norm {
            Norm::Shift => (v << (16 - self.depth)) as i32,
            Norm::Max => {
                let m = self.max();
                ((v * 65535 + m / 2) / m) as i32
            }
        }
    }

    /// Reads `n` samples of this component from a line.
    pub(crate) fn read(&self, row: &[u8], n: usize, out: &mut [i32]) {
        let mask = self.max();
        if self.bitstream {
            for (x, o) in out[..n].iter_mut().enumerate() {
                let bit = x * self.step + self.offset;
                let mut v = u32::from(row[bit >> 3] >> (7 - (bit & 7))) & 1;
                if self.invert {
                    v ^= 1;
                }
                *o = if v == 1 { 65535 } else { 0 };
            }
            return;
        }
        for (x, o) in out[..n].iter_mut().enumerate() {
            let v = (self.get_elem(row, x * self.step + self.offset) >> self.shift) & mask;
            *o = self.to_work(v);
        }
    }

    /// Working value -> code value with a rounding bias in [0, 65536) (32768 rounds to nearest).
    #[inline]
    pub(crate) fn quantise(&self, w: i32, bias: u32) -> u32 {
        let max = self.max();
        let q = match self.norm {
            Norm::Shift => {
                let s = 16 - self.depth;
                let b = (u64::from(bias) << s) >> 16;
                ((i64::from(w) + b as i64) >> s).clamp(0, i64::from(max))
            }
            Norm::Max => {
                let w = i64::from(w).clamp(0, 65535);
                let num = w * i64::from(max) + ((i64::from(bias) * 65535) >> 16);
                (num / 65535).clamp(0, i64::from(max))
            }
        };
        q as u32
    }

    /// Writes `n` samples into a line (other bits of shared elements are kept).
    pub(crate) fn write(
        &self,
        row: &mut [u8],
        vals: &[i32],
        n: usize,
        bias: &dyn Fn(usize) -> u32,
    ) {
        if self.bitstream {
            for (x, &w) in vals[..n].iter().enumerate() {
                let mut v = self.quantise(w, bias(x));
                if self.invert {
                    v ^= 1;
                }
                let bit = x * self.step + self.offset;
                let m = 0x80u8 >> (bit & 7);
                if v == 1 {
                    row[bit >> 3] |= m;
                } else {
                    row[bit >> 3] &= !m;
                }
            }
            return;
        }
        let full = self.shift == 0 && self.depth as usize == self.elem * 8;
        let mask = self.max() << self.shift;
        for (x, &w) in vals[..n].iter().enumerate() {
            let q = self.quantise(w, bias(x));
            let at = x * self.step + self.offset;
            if full {
                self.put_elem(row, at, q);
            } else {
                let old = self.get_elem(row, at);
                self.put_elem(row, at, (old & !mask) | (q << self.shift));
            }
        }
    }

    /// Writes already quantised code values (used by error diffusion).
    pub(crate) fn write_codes(&self, row: &mut [u8], codes: &[u32], n: usize) {
        let full = self.shift == 0 && self.depth as usize == self.elem * 8;
        let mask = self.max() << self.shift;
        for (x, &q) in codes[..n].iter().enumerate() {
            if self.bitstream {
                let v = if self.invert { q ^ 1 } else { q };
                let bit = x * self.step + self.offset;
                let m = 0x80u8 >> (bit & 7);
                if v == 1 {
                    row[bit >> 3] |= m;
                } else {
                    row[bit >> 3] &= !m;
                }
                continue;
            }
            let at = x * self.step + self.offset;
            if full {
                self.put_elem(row, at, q);
            } else {
                let old = self.get_elem(row, at);
                self.put_elem(row, at, (old & !mask) | (q << self.shift));
            }
        }
    }

    /// Ideal code value in 1/256 LSB for error diffusion.
    #[inline]
    pub(crate) fn ideal_q8(&self, w: i32) -> i64 {
        match self.norm {
            Norm::Shift => (i64::from(w) << 8) >> (16 - self.depth),
            Norm::Max => i64::from(w.clamp(0, 65535)) * i64::from(self.max()) * 256 / 65535,
        }
    }

    pub(crate) fn max_code(&self) -> u32 {
        self.max()
    }
}

/// The 8x8 Bayer matrix (values 0..63).
pub(crate) const BAYER8: [[u8; 8]; 8] = {
    let mut m = [[0u8; 8]; 8];
    let mut y = 0;
    while y < 8 {
        let mut x = 0;
        while x < 8 {
            // Bit-reversed interleave of x^y and y.
            let a = x ^ y;
            let b = y;
            let v = ((a & 1) << 5)
                | ((b & 1) << 4)
                | ((a & 2) << 2)
                | ((b & 2) << 1)
                | ((a & 4) >> 1)
                | ((b & 4) >> 2);
            m[y][x] = v as u8;
            x += 1;
        }
        y += 1;
    }
    m
};

/// Bias in [0, 65536) for ordered dithering at (x, y).
#[inline]
pub(crate) fn bayer_bias(x: usize, y: usize) -> u32 {
    (u32::from(BAYER8[y & 7][x & 7]) * 2 + 1) << 9
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bayer_is_a_permutation() {
        let mut seen = [false; 64];
        for row in BAYER8 {
            for v in row {
                assert!(!seen[v as usize]);
                seen[v as usize] = true;
            }
        }
        assert_eq!(bayer_bias(0, 0), 512);
    }

    #[test]
    fn quantise_round_trips_every_depth() {
        for fmt in [
            PixelFormat::Gray,
            PixelFormat::Gray10le,
            PixelFormat::Gray16be,
        ] {
            for norm in [Norm::Shift, Norm::Max] {
                let io = CompIo::new(fmt, 0, norm);
                for v in (0..=io.max_code()).step_by(7) {
                    assert_eq!(io.quantise(io.to_work(v), 32768), v, "{fmt} {norm:?} {v}");
                }
            }
        }
        let io = CompIo::new(PixelFormat::Rgb565le, 0, Norm::Max);
        for v in 0..32 {
            assert_eq!(io.quantise(io.to_work(v), 32768), v);
        }
    }
}
