//! Constant tables of ISO/IEC 11172-3 and 13818-3 (bit rates, sampling
//! frequencies, the Layer II allocation tables of annex B.2, quantisation
//! classes of table B.4 and the synthesis window D of table B.3).

/// Bit rates in kbit/s by `[lsf][layer - 1][bitrate_index]` (index 0 = free format).
pub const BITRATES: [[[u16; 15]; 3]; 2] = [
    [
        [
            0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448,
        ],
        [
            0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384,
        ],
        [
            0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320,
        ],
    ],
    [
        [
            0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256,
        ],
        [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
        [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
    ],
];

/// MPEG-1 sampling frequencies by `sampling_frequency` index (halved for MPEG-2 LSF,
/// quartered for MPEG-2.5).
pub const SAMPLE_RATES: [u32; 3] = [44100, 48000, 32000];

/// Subbands coded by each Layer II allocation table.
pub const SBLIMITS: [usize; 5] = [27, 30, 8, 12, 30];

/// Quantisation steps of the Layer II quantisation classes (table B.4).
pub const QUANT_STEPS: [i32; 17] = [
    3, 5, 7, 9, 15, 31, 63, 127, 255, 511, 1023, 2047, 4095, 8191, 16383, 32767, 65535,
];

/// Bits per sample of each class; negative: bits per group of three samples.
pub const QUANT_BITS: [i32; 17] = [-5, -7, 3, -10, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];

/// A Layer II allocation table: per subband the width of the allocation
/// field and the quantisation class of each allocation value (0 = none).
#[derive(Debug)]
pub struct AllocTable {
    /// Per subband: allocation field width in bits.
    pub nbal: &'static [u8],
    /// Per subband: quantisation class for allocation values 1.. (index 0 unused).
    pub classes: &'static [&'static [u8]],
}

const C16A: &[u8] = &[0, 0, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
const C16B: &[u8] = &[0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 16];
const C8A: &[u8] = &[0, 0, 1, 2, 3, 4, 5, 16];
const C4A: &[u8] = &[0, 0, 1, 16];
const C16C: &[u8] = &[0, 0, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
const C8C: &[u8] = &[0, 0, 1, 3, 4, 5, 6, 7];
const C16D: &[u8] = &[0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14];
const C4D: &[u8] = &[0, 0, 1, 3];

/// Table B.2a/b (MPEG-1 high rates; 27 or 30 subbands).
static TABLE_AB: AllocTable = AllocTable {
    nbal: &[
        4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2,
    ],
    classes: &[
        C16A, C16A, C16A, C16B, C16B, C16B, C16B, C16B, C16B, C16B, C16B, C8A, C8A, C8A, C8A, C8A,
        C8A, C8A, C8A, C8A, C8A, C8A, C8A, C4A, C4A, C4A, C4A, C4A, C4A, C4A,
    ],
};

/// Table B.2c/d (MPEG-1 low rates; 8 or 12 subbands).
static TABLE_CD: AllocTable = AllocTable {
    nbal: &[4, 4, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3],
    classes: &[C16C, C16C, C8C, C8C, C8C, C8C, C8C, C8C, C8C, C8C, C8C, C8C],
};

/// Table B.1 of ISO/IEC 13818-3 (low sampling frequencies; 30 subbands).
static TABLE_LSF: AllocTable = AllocTable {
    nbal: &[
        4, 4, 4, 4, 3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    ],
    classes: &[
        C16D, C16D, C16D, C16D, C8C, C8C, C8C, C8C, C8C, C8C, C8C, C4D, C4D, C4D, C4D, C4D, C4D,
        C4D, C4D, C4D, C4D, C4D, C4D, C4D, C4D, C4D, C4D, C4D, C4D, C4D,
    ],
};

/// The allocation table by the index [`select_table`] returns.
pub fn alloc_table(index: usize) -> &'static AllocTable {
    match index {
        0 | 1 => &TABLE_AB,
        2 | 3 => &TABLE_CD,
        _ => &TABLE_LSF,
    }
}

/// Picks the Layer II allocation table (0..=4) from the bit rate in kbit/s,
/// the channel count, the sampling frequency and the LSF flag, the way
/// FFmpeg does (cf. `ff_mpa_l2_select_table`); tables 0/1 are B.2a/b,
/// 2/3 are B.2c/d, 4 is the LSF table.
pub fn select_table(bitrate_kbps: u32, channels: u32, sample_rate: u32, lsf: bool) -> usize {
    if lsf {
        return 4;
    }
    let ch = bitrate_kbps / channels.max(1);
    if (sample_rate == 48000 && ch >= 56) || (56..=80).contains(&ch) {
        0
    } else if sample_rate != 48000 && ch >= 96 {
        1
    } else if sample_rate != 32000 && ch <= 48 {
        2
    } else {
        3
    }
}

/// The synthesis window D[0..=256] of table B.3, scaled by 2^16 (the rest follows by symmetry).
pub const SYNTH_WINDOW_HALF: [i32; 257] = [
    0, -1, -1, -1, -1, -1, -1, -2, -2, -2, -2, -3, -3, -4, -4, -5, -5, -6, -7, -7, -8, -9, -10,
    -11, -13, -14, -16, -17, -19, -21, -24, -26, -29, -31, -35, -38, -41, -45, -49, -53, -58, -63,
    -68, -73, -79, -85, -91, -97, -104, -111, -117, -125, -132, -139, -147, -154, -161, -169, -176,
    -183, -190, -196, -202, -208, 213, 218, 222, 225, 227, 228, 228, 227, 224, 221, 215, 208, 200,
    189, 177, 163, 146, 127, 106, 83, 57, 29, -2, -36, -72, -111, -153, -197, -244, -294, -347,
    -401, -459, -519, -581, -645, -711, -779, -848, -919, -991, -1064, -1137, -1210, -1283, -1356,
    -1428, -1498, -1567, -1634, -1698, -1759, -1817, -1870, -1919, -1962, -2001, -2032, -2057,
    -2075, -2085, -2087, -2080, -2063, 2037, 2000, 1952, 1893, 1822, 1739, 1644, 1535, 1414, 1280,
    1131, 970, 794, 605, 402, 185, -45, -288, -545, -814, -1095, -1388, -1692, -2006, -2330, -2663,
    -3004, -3351, -3705, -4063, -4425, -4788, -5153, -5517, -5879, -6237, -6589, -6935, -7271,
    -7597, -7910, -8209, -8491, -8755, -8998, -9219, -9416, -9585, -9727, -9838, -9916, -9959,
    -9966, -9935, -9863, -9750, -9592, -9389, -9139, -8840, -8492, -8092, -7640, -7134, 6574, 5959,
    5288, 4561, 3776, 2935, 2037, 1082, 70, -998, -2122, -3300, -4533, -5818, -7154, -8540, -9975,
    -11455, -12980, -14548, -16155, -17799, -19478, -21189, -22929, -24694, -26482, -28289, -30112,
    -31947, -33791, -35640, -37489, -39336, -41176, -43006, -44821, -46617, -48390, -50137, -51853,
    -53534, -55178, -56778, -58333, -59838, -61289, -62684, -64019, -65290, -66494, -67629, -68692,
    -69679, -70590, -71420, -72169, -72835, -73415, -73908, -74313, -74630, -74856, -74992, 75038,
];

/// The full 512-tap window `D[i]` (scaled by 2^16) as the synthesis uses it:
/// `D[512 - i] = ±D[i]` with the sign of the spec's table.
pub fn synth_window() -> [i32; 512] {
    let mut w = [0i32; 512];
    for (i, &d) in SYNTH_WINDOW_HALF.iter().enumerate() {
        w[i] = d;
        let v = if i & 63 != 0 { -d } else { d };
        if i != 0 {
            w[512 - i] = v;
        }
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alloc_tables_are_consistent() {
        for t in [&TABLE_AB, &TABLE_CD, &TABLE_LSF] {
            assert_eq!(t.nbal.len(), t.classes.len());
            for (n, c) in t.nbal.iter().zip(t.classes) {
                assert_eq!(c.len(), 1 << n);
            }
        }
        for (i, &limit) in SBLIMITS.iter().enumerate() {
            assert!(alloc_table(i).nbal.len() >= limit);
        }
        assert_eq!(select_table(192, 2, 48000, false), 0);
        assert_eq!(select_table(192, 2, 44100, false), 1);
        assert_eq!(select_table(64, 2, 44100, false), 2);
        assert_eq!(select_table(64, 2, 32000, false), 3);
        assert_eq!(select_table(64, 2, 24000, true), 4);
    }

    #[test]
    fn window_symmetry() {
        let w = synth_window();
        assert_eq!(w[256], 75038);
        assert_eq!(w[511], 1);
        assert_eq!(w[448], w[64]);
    }
}
