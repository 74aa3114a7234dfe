//! Layer I and Layer II bitstream parsing and requantisation into subband
//! samples with [`FRAC_BITS`] fractional bits
//! (ISO/IEC 11172-3 2.4.1.5, 2.4.1.6, 2.4.3.2, 2.4.3.3).
//!
//! The integer arithmetic (scale factor multipliers rounded to 23
//! fractional bits, rounding shifts) is FFmpeg's, so that the decoded
//! samples are identical to its `mp1`/`mp2` decoders.

use std::sync::OnceLock;

use avutil::hash::{CrcKind, crc_update};

use super::header::{HEADER_SIZE, Header};
use super::synth::FRAC_BITS;
use super::tables::{QUANT_BITS, QUANT_STEPS, SBLIMITS, alloc_table, select_table};
use crate::bitstream::BitReader;

/// Subband samples of one frame: `[channel][time slot][subband]`, 36 slots for Layer II, 12 for Layer I.
pub type SbSamples = [[[i32; 32]; 36]; 2];

const FRAC_ONE: i64 = 1 << FRAC_BITS;

/// Requantisation constants.
struct Tables {
    /// Per scale factor index: `(index % 3) | (index / 3) << 2`.
    modshift: [u8; 64],
    /// Layer I / ungrouped Layer II multipliers: `[bits - 2][index % 3]`.
    mult: [[i32; 3]; 15],
    /// Grouped Layer II multipliers for 3, 5 and 9 steps: `[steps >> 2][index % 3]`.
    mult2: [[i32; 3]; 3],
}

/// 2^(-1/3) and 2^(-2/3) with the precision of FFmpeg's tables.
#[allow(clippy::excessive_precision)]
const CBRT: [f64; 3] = [1.0, 0.7937005259, 0.6299605249];

fn fixr(a: f64) -> i32 {
    (a * FRAC_ONE as f64 + 0.5) as i32
}

fn tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| {
        let mut modshift = [0u8; 64];
        for (i, m) in modshift.iter_mut().enumerate() {
            *m = ((i % 3) | ((i / 3) << 2)) as u8;
        }
        let mut mult = [[0i32; 3]; 15];
        for (i, row) in mult.iter_mut().enumerate() {
            let n = i as u32 + 2;
            let norm = (((1i64 << n) * FRAC_ONE) / ((1i64 << n) - 1)) as i32;
            for (j, m) in row.iter_mut().enumerate() {
                let f = fixr(CBRT[j] * 2.0);
                *m = ((i64::from(norm) * i64::from(f)) >> FRAC_BITS) as i32;
            }
        }
        let mut mult2 = [[0i32; 3]; 3];
        for (row, v) in mult2.iter_mut().zip([4.0 / 3.0, 4.0 / 5.0, 4.0 / 9.0]) {
            for (m, c) in row.iter_mut().zip(CBRT) {
                *m = fixr(c * v);
            }
        }
        Tables {
            modshift,
            mult,
            mult2,
        }
    })
}

/// Requantises an ungrouped sample of `n + 1` bits with scale factor index `sf`.
#[inline]
fn l1_unscale(t: &Tables, n: u32, mant: u32, sf: u8) -> i32 {
    let ms = t.modshift[usize::from(sf & 63)];
    let shift = u32::from(ms >> 2) + n;
    let m = (mant.wrapping_add(u32::MAX << n).wrapping_add(1)) as i32;
    let val = i64::from(m) * i64::from(t.mult[(n as usize - 1).min(14)][usize::from(ms & 3)]);
    ((val + (1i64 << (shift - 1))) >> shift) as i32
}

/// Requantises one sample of a grouped class of `steps` steps.
#[inline]
fn l2_unscale_group(t: &Tables, steps: i32, mant: i32, sf: u8) -> i32 {
    let ms = t.modshift[usize::from(sf & 63)];
    let shift = u32::from(ms >> 2);
    let mut val =
        (mant - (steps >> 1)).wrapping_mul(t.mult2[(steps >> 2) as usize][usize::from(ms & 3)]);
    if shift > 0 {
        val = (val + (1 << (shift - 1))) >> shift;
    }
    val
}

/// Result of the optional CRC check of a protected frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crc {
    /// The frame carries no CRC.
    Absent,
    /// The CRC matches.
    Ok,
    /// The CRC does not match (the value found, the value computed).
    Mismatch(u16, u16),
}

/// The CRC-16 of the header's last two bytes and `bits` bits after the CRC field.
fn frame_crc(frame: &[u8], bits: usize) -> u16 {
    let byte = |i: usize| frame.get(i).copied().unwrap_or(0);
    let mut crc = crc_update(CrcKind::Crc16Ansi, 0xffff, &[byte(2), byte(3)]);
    let full = bits / 8;
    let start = HEADER_SIZE + 2;
    let avail = frame.get(start..).unwrap_or(&[]);
    let n = full.min(avail.len());
    crc = crc_update(CrcKind::Crc16Ansi, crc, &avail[..n]);
    if n < full {
        crc = crc_update(CrcKind::Crc16Ansi, crc, &vec![0u8; full - n]);
    }
    let last = byte(start + full);
    for i in 0..bits % 8 {
        let bit = u32::from(last >> (7 - i)) & 1;
        let top = ((crc >> 15) & 1) ^ bit;
        crc = (crc << 1) & 0xffff;
        if top != 0 {
            crc ^= 0x8005;
        }
    }
    crc as u16
}

fn check_crc(frame: &[u8], h: &Header, stored: u16, bits: usize) -> Crc {
    if !h.protected {
        return Crc::Absent;
    }
    let c = frame_crc(frame, bits);
    if c == stored {
        Crc::Ok
    } else {
        Crc::Mismatch(stored, c)
    }
}

/// Decodes the audio data of a Layer I frame (`frame` starts at the header) into 12 slots of `sb`.
pub fn decode_layer1(frame: &[u8], h: &Header, sb: &mut SbSamples) -> Crc {
    let t = tables();
    let mut br = BitReader::new(frame.get(HEADER_SIZE..).unwrap_or(&[]));
    let stored = if h.protected { br.read(16) as u16 } else { 0 };
    let nch = h.channels() as usize;
    let bound = h.bound(32);
    let mut alloc = [[0u8; 32]; 2];
    let mut scf = [[0u8; 32]; 2];
    for i in 0..bound {
        for a in alloc.iter_mut().take(nch) {
            a[i] = br.read(4) as u8;
        }
    }
    for i in bound..32 {
        let v = br.read(4) as u8;
        alloc[0][i] = v;
        alloc[1][i] = v;
    }
    // FFmpeg covers 128 bits (mono) or 256 bits whatever the stereo bound.
    let crc = check_crc(frame, h, stored, if nch == 1 { 128 } else { 256 });
    for i in 0..32 {
        for ch in 0..nch {
            if alloc[ch][i] != 0 {
                scf[ch][i] = br.read(6) as u8;
            }
        }
    }
    for j in 0..12 {
        for i in 0..bound {
            for ch in 0..nch {
                let n = u32::from(alloc[ch][i]);
                sb[ch][j][i] = if n != 0 {
                    let mant = br.read(n + 1);
                    l1_unscale(t, n, mant, scf[ch][i])
                } else {
                    0
                };
            }
        }
        for i in bound..32 {
            let n = u32::from(alloc[0][i]);
            if n != 0 {
                let mant = br.read(n + 1);
                sb[0][j][i] = l1_unscale(t, n, mant, scf[0][i]);
                sb[1][j][i] = l1_unscale(t, n, mant, scf[1][i]);
            } else {
                sb[0][j][i] = 0;
                sb[1][j][i] = 0;
            }
        }
    }
    crc
}

/// The allocation table index of a Layer II frame.
pub fn layer2_table(h: &Header) -> usize {
    select_table(h.bitrate_kbps(), h.channels(), h.sample_rate, h.lsf)
}

/// Decodes the audio data of a Layer II frame (`frame` starts at the header) into 36 slots of `sb`.
pub fn decode_layer2(frame: &[u8], h: &Header, sb: &mut SbSamples) -> Crc {
    let t = tables();
    let mut br = BitReader::new(frame.get(HEADER_SIZE..).unwrap_or(&[]));
    let stored = if h.protected { br.read(16) as u16 } else { 0 };
    let nch = h.channels() as usize;
    let table_index = layer2_table(h);
    let sblimit = SBLIMITS[table_index];
    let table = alloc_table(table_index);
    let bound = h.bound(sblimit);

    let mut alloc = [[0u8; 32]; 2];
    for i in 0..bound {
        for a in alloc.iter_mut().take(nch) {
            a[i] = br.read(u32::from(table.nbal[i])) as u8;
        }
    }
    for i in bound..sblimit {
        let v = br.read(u32::from(table.nbal[i])) as u8;
        alloc[0][i] = v;
        alloc[1][i] = v;
    }
    let mut scfsi = [[0u8; 32]; 2];
    for i in 0..sblimit {
        for ch in 0..nch {
            if alloc[ch][i] != 0 {
                scfsi[ch][i] = br.read(2) as u8;
            }
        }
    }
    let crc = check_crc(
        frame,
        h,
        stored,
        br.position() - 16 * usize::from(h.protected),
    );
    let mut scf = [[[0u8; 3]; 32]; 2];
    for i in 0..sblimit {
        for ch in 0..nch {
            if alloc[ch][i] == 0 {
                continue;
            }
            let s = &mut scf[ch][i];
            match scfsi[ch][i] {
                0 => {
                    s[0] = br.read(6) as u8;
                    s[1] = br.read(6) as u8;
                    s[2] = br.read(6) as u8;
                }
                1 => {
                    s[0] = br.read(6) as u8;
                    s[1] = s[0];
                    s[2] = br.read(6) as u8;
                }
                2 => {
                    s[0] = br.read(6) as u8;
                    s[1] = s[0];
                    s[2] = s[0];
                }
                _ => {
                    s[0] = br.read(6) as u8;
                    s[2] = br.read(6) as u8;
                    s[1] = s[2];
                }
            }
        }
    }

    for k in 0..3 {
        for l in (0..12).step_by(3) {
            let slot = k * 12 + l;
            for i in 0..bound {
                for ch in 0..nch {
                    let b = alloc[ch][i];
                    if b == 0 {
                        for m in 0..3 {
                            sb[ch][slot + m][i] = 0;
                        }
                        continue;
                    }
                    let sf = scf[ch][i][k];
                    let q = usize::from(table.classes[i][usize::from(b)]);
                    let bits = QUANT_BITS[q];
                    if bits < 0 {
                        let steps = QUANT_STEPS[q];
                        let mut v = br.read((-bits) as u32) as i32;
                        for m in 0..2 {
                            sb[ch][slot + m][i] = l2_unscale_group(t, steps, v % steps, sf);
                            v /= steps;
                        }
                        sb[ch][slot + 2][i] = l2_unscale_group(t, steps, v, sf);
                    } else {
                        for m in 0..3 {
                            let v = br.read(bits as u32);
                            sb[ch][slot + m][i] = l1_unscale(t, bits as u32 - 1, v, sf);
                        }
                    }
                }
            }
            for i in bound..sblimit {
                let b = alloc[0][i];
                if b == 0 {
                    for ch in 0..2 {
                        for m in 0..3 {
                            sb[ch][slot + m][i] = 0;
                        }
                    }
                    continue;
                }
                let (s0, s1) = (scf[0][i][k], scf[1][i][k]);
                let q = usize::from(table.classes[i][usize::from(b)]);
                let bits = QUANT_BITS[q];
                if bits < 0 {
                    let steps = QUANT_STEPS[q];
                    let mut v = br.read((-bits) as u32) as i32;
                    for m in 0..3 {
                        let mant = if m < 2 { v % steps } else { v };
                        sb[0][slot + m][i] = l2_unscale_group(t, steps, mant, s0);
                        sb[1][slot + m][i] = l2_unscale_group(t, steps, mant, s1);
                        v /= steps;
                    }
                } else {
                    for m in 0..3 {
                        let v = br.read(bits as u32);
                        sb[0][slot + m][i] = l1_unscale(t, bits as u32 - 1, v, s0);
                        sb[1][slot + m][i] = l1_unscale(t, bits as u32 - 1, v, s1);
                    }
                }
            }
            for row in sb.iter_mut().take(nch) {
                for m in 0..3 {
                    row[slot + m][sblimit..].fill(0);
                }
            }
        }
    }
    crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requantisation_constants() {
        let t = tables();
        // 3 steps, scale factor 0 (2.0): the three levels are -4/3*2^23*... symmetric around 0.
        let lo = l2_unscale_group(t, 3, 0, 0);
        let mid = l2_unscale_group(t, 3, 1, 0);
        let hi = l2_unscale_group(t, 3, 2, 0);
        assert_eq!((lo + hi, mid), (0, 0));
        // Ungrouped 4-bit class (15 steps): the top code lands at 2.0 * 14/15.
        let v = l1_unscale(t, 3, 14, 0);
        let want = 2.0 * 14.0 / 15.0 * FRAC_ONE as f64;
        assert!((f64::from(v) - want).abs() / want < 1e-3, "{v} vs {want}");
        // Scale factor 3 is half of 0.
        assert!((l1_unscale(t, 3, 14, 3) - v / 2).abs() <= 1);
    }

    #[test]
    fn crc_of_known_bits() {
        // The CRC of the 16 header bits alone, then with partial-byte data.
        let frame = [0xff, 0xfc, 0x84, 0x40, 0, 0, 0xa5, 0x5a];
        let c0 = frame_crc(&frame, 0);
        assert_eq!(
            c0,
            crc_update(CrcKind::Crc16Ansi, 0xffff, &[0x84, 0x40]) as u16
        );
        let c12 = frame_crc(&frame, 12);
        let c16 = frame_crc(&frame, 16);
        assert_ne!(c12, c16);
        assert_eq!(
            c16,
            crc_update(CrcKind::Crc16Ansi, u32::from(c0), &[0xa5, 0x5a]) as u16
        );
    }
}
