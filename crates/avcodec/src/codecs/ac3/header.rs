//! AC-3 and E-AC-3 sync frame headers (ATSC A/52, section 5.3 for AC-3 and
//! annex E for E-AC-3).
//!
//! A sync frame starts with the sync word `0x0B77`. The bit stream
//! identification `bsid` (bits 40..44 in both syntaxes) tells them apart:
//! up to 8 is AC-3 (9 and 10 are the half and quarter sample rate variants
//! FFmpeg accepts too), 11..16 is E-AC-3. Everything needed to delimit a
//! frame and describe the stream sits in the first [`HEADER_SIZE`] bytes.
//!
//! ```
//! use avcodec::codecs::ac3::header::Ac3Header;
//! // 48 kHz (fscod 0), 192 kbit/s (frmsizecod 20), bsid 8, 3/2 with LFE.
//! let h = Ac3Header::parse(&[0x0b, 0x77, 0, 0, 0x14, 0x40, 0xe7]).unwrap();
//! assert_eq!((h.frame_size, h.sample_rate, h.bit_rate), (768, 48000, 192_000));
//! assert_eq!((h.channels(), h.samples()), (6, 1536));
//! ```

use crate::bitstream::BitReader;
use avutil::{Channel, ChannelLayout};

/// Bytes needed to parse a header (`AC3_HEADER_SIZE` in FFmpeg).
pub const HEADER_SIZE: usize = 7;
/// The sync word.
pub const SYNC_WORD: u16 = 0x0b77;

/// Nominal bit rates in kbit/s by `frmsizecod >> 1` (A/52 table 5.18).
pub const BIT_RATES: [u32; 19] = [
    32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384, 448, 512, 576, 640,
];
/// Sample rates by `fscod`.
pub const SAMPLE_RATES: [u32; 3] = [48000, 44100, 32000];
/// Audio blocks per frame by the E-AC-3 `numblkscod`.
pub const BLOCKS: [u32; 4] = [1, 2, 3, 6];

/// E-AC-3 stream type (`strmtyp`); AC-3 frames are independent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameType {
    /// An independent frame (all AC-3 frames).
    Independent,
    /// A dependent substream frame, completing the independent frame before it.
    Dependent,
    /// An independent frame converted from AC-3 (`strmtyp` 2).
    Ac3Convert,
}

/// A parsed sync frame header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ac3Header {
    /// Bit stream identification (`bsid`): <= 10 AC-3, 11..16 E-AC-3.
    pub bsid: u8,
    /// Stream type (E-AC-3; independent for AC-3).
    pub frame_type: FrameType,
    /// Substream id (E-AC-3 `substreamid`, 0 for AC-3).
    pub substream_id: u8,
    /// Bytes in the sync frame.
    pub frame_size: usize,
    /// Sample rate in Hz.
    pub sample_rate: u32,
    /// Bit rate in bit/s (nominal for AC-3, from the frame size for E-AC-3).
    pub bit_rate: u32,
    /// Audio blocks of 256 samples in the frame (6 for AC-3).
    pub blocks: u32,
    /// Audio coding mode (`acmod`): channel arrangement without the LFE.
    pub acmod: u8,
    /// LFE channel on (`lfeon`).
    pub lfe: bool,
    /// Bit stream mode (`bsmod`, AC-3 only; 0 for E-AC-3).
    pub bsmod: u8,
}

/// Frame size in 16-bit words for `fscod` and `frmsizecod` (A/52 table
/// 5.18): a frame carries 1536 samples, so at 48 and 32 kHz the nominal bit
/// rate fills a whole number of words; at 44.1 kHz the odd codes add the
/// one word the even ones round away.
pub fn frame_words(fscod: u8, frmsizecod: u8) -> Option<u32> {
    let kbps = *BIT_RATES.get(usize::from(frmsizecod >> 1))?;
    match fscod {
        0 => Some(kbps * 2),
        1 => Some(kbps * 96_000 / 44_100 + u32::from(frmsizecod & 1)),
        2 => Some(kbps * 3),
        _ => None,
    }
}

impl Ac3Header {
    /// Parses the header at the start of `b` (at least [`HEADER_SIZE`]
    /// bytes); `None` if it is not a valid AC-3 or E-AC-3 header.
    pub fn parse(b: &[u8]) -> Option<Ac3Header> {
        if b.len() < HEADER_SIZE || u16::from_be_bytes([b[0], b[1]]) != SYNC_WORD {
            return None;
        }
        let bsid = b[5] >> 3;
        if bsid > 16 {
            return None;
        }
        let mut r = BitReader::new(b);
        r.skip(16);
        if bsid <= 10 {
            r.read(16); // crc1
            let fscod = r.read(2) as u8;
            let frmsizecod = r.read(6) as u8;
            let words = frame_words(fscod, frmsizecod)?;
            r.read(5); // bsid
            let bsmod = r.read(3) as u8;
            let acmod = r.read(3) as u8;
            if acmod & 1 != 0 && acmod != 1 {
                r.read(2); // cmixlev
            }
            if acmod & 4 != 0 {
                r.read(2); // surmixlev
            }
            if acmod == 2 {
                r.read(2); // dsurmod
            }
            let lfe = r.read(1) == 1;
            // bsid 9 and 10: half and quarter sample rate.
            let shift = bsid.max(8) - 8;
            Some(Ac3Header {
                bsid,
                frame_type: FrameType::Independent,
                substream_id: 0,
                frame_size: words as usize * 2,
                sample_rate: SAMPLE_RATES[usize::from(fscod)] >> shift,
                bit_rate: (BIT_RATES[usize::from(frmsizecod >> 1)] * 1000) >> shift,
                blocks: 6,
                acmod,
                lfe,
                bsmod,
            })
        } else {
            let frame_type = match r.read(2) {
                0 => FrameType::Independent,
                1 => FrameType::Dependent,
                2 => FrameType::Ac3Convert,
                _ => return None,
            };
            let substream_id = r.read(3) as u8;
            let frame_size = (r.read(11) as usize + 1) * 2;
            if frame_size < HEADER_SIZE {
                return None;
            }
            let fscod = r.read(2) as usize;
            let (sample_rate, blocks) = if fscod == 3 {
                let fscod2 = r.read(2) as usize;
                (*SAMPLE_RATES.get(fscod2)? / 2, 6)
            } else {
                (SAMPLE_RATES[fscod], BLOCKS[r.read(2) as usize])
            };
            let acmod = r.read(3) as u8;
            let lfe = r.read(1) == 1;
            let bits = frame_size as u64 * 8 * u64::from(sample_rate);
            let bit_rate = (bits / (u64::from(blocks) * 256)) as u32;
            Some(Ac3Header {
                bsid,
                frame_type,
                substream_id,
                frame_size,
                sample_rate,
                bit_rate,
                blocks,
                acmod,
                lfe,
                bsmod: 0,
            })
        }
    }

    /// Whether this is an E-AC-3 header.
    pub fn is_eac3(&self) -> bool {
        self.bsid > 10
    }

    /// Samples per channel in the frame.
    pub fn samples(&self) -> u32 {
        self.blocks * 256
    }

    /// Channels including the LFE.
    pub fn channels(&self) -> u32 {
        const FULL: [u32; 8] = [2, 1, 2, 3, 3, 4, 4, 5];
        FULL[usize::from(self.acmod & 7)] + u32::from(self.lfe)
    }

    /// The channel layout (A/52 table 5.8; dual mono 1+1 is reported as
    /// stereo, as FFmpeg does).
    pub fn layout(&self) -> ChannelLayout {
        use Channel::*;
        let m = |cs: &[Channel]| ChannelLayout::from_channels(cs).mask().unwrap_or(0);
        let mut mask = match self.acmod & 7 {
            1 => m(&[FrontCenter]),
            0 | 2 => m(&[FrontLeft, FrontRight]),
            3 => m(&[FrontLeft, FrontRight, FrontCenter]),
            4 => m(&[FrontLeft, FrontRight, BackCenter]),
            5 => m(&[FrontLeft, FrontRight, FrontCenter, BackCenter]),
            6 => m(&[FrontLeft, FrontRight, SideLeft, SideRight]),
            _ => m(&[FrontLeft, FrontRight, FrontCenter, SideLeft, SideRight]),
        };
        if self.lfe {
            mask |= LowFrequency.mask();
        }
        ChannelLayout::Native(mask)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Packs `(value, bits)` fields MSB first into 7 bytes.
    fn pack(fields: &[(u32, u32)]) -> [u8; 7] {
        let (mut v, mut n) = (0u64, 0u32);
        for &(x, bits) in fields {
            v = (v << bits) | u64::from(x);
            n += bits;
        }
        v <<= 56 - n;
        let mut b = [0u8; 7];
        b.copy_from_slice(&v.to_be_bytes()[1..]);
        b
    }

    /// An AC-3 header: bsid 8, bsmod 0, mix levels 0.
    pub(crate) fn ac3(fscod: u8, frmsizecod: u8, acmod: u8, lfe: bool) -> [u8; 7] {
        let mut f = vec![(0x0b77, 16), (0x1234, 16), (u32::from(fscod), 2)];
        f.extend([
            (u32::from(frmsizecod), 6),
            (8, 5),
            (0, 3),
            (u32::from(acmod), 3),
        ]);
        if acmod & 1 != 0 && acmod != 1 {
            f.push((0, 2));
        }
        if acmod & 4 != 0 {
            f.push((0, 2));
        }
        if acmod == 2 {
            f.push((0, 2));
        }
        f.push((u32::from(lfe), 1));
        pack(&f)
    }

    /// An E-AC-3 header: substream 0, bsid 16; `code2` is numblkscod or fscod2.
    pub(crate) fn eac3(strmtyp: u32, frmsiz: u32, fscod: u32, code2: u32, acmod: u32) -> [u8; 7] {
        pack(&[
            (0x0b77, 16),
            (strmtyp, 2),
            (0, 3),
            (frmsiz, 11),
            (fscod, 2),
            (code2, 2),
            (acmod, 3),
            (0, 1),
            (16, 5),
        ])
    }

    #[test]
    fn ac3_frame_sizes_follow_the_table() {
        // (fscod, frmsizecod, bytes) from A/52 table 5.18.
        for (fscod, code, bytes) in [
            (0, 0, 128),
            (1, 0, 138),
            (1, 1, 140),
            (2, 0, 192),
            (0, 20, 768),
            (1, 20, 834),
            (1, 21, 836),
            (2, 20, 1152),
            (0, 37, 2560),
            (1, 36, 2786),
            (1, 37, 2788),
            (2, 37, 3840),
            (1, 9, 280),
            (1, 29, 1672),
        ] {
            let h = Ac3Header::parse(&ac3(fscod, code, 2, false)).unwrap();
            assert_eq!(h.frame_size, bytes, "fscod {fscod} frmsizecod {code}");
            assert_eq!(h.bit_rate, BIT_RATES[usize::from(code >> 1)] * 1000);
            assert_eq!(h.sample_rate, SAMPLE_RATES[usize::from(fscod)]);
        }
        assert!(
            Ac3Header::parse(&ac3(3, 0, 2, false)).is_none(),
            "reserved fscod"
        );
        assert!(
            Ac3Header::parse(&ac3(0, 38, 2, false)).is_none(),
            "frmsizecod 38"
        );
    }

    #[test]
    fn ac3_channels() {
        for (acmod, lfe, n, name) in [
            (0, false, 2, "stereo"),
            (1, false, 1, "mono"),
            (1, true, 2, ""), // FC+LFE has no name
            (2, false, 2, "stereo"),
            (3, false, 3, "3.0"),
            (4, false, 3, "3.0(back)"),
            (5, false, 4, "4.0"),
            (6, false, 4, "quad(side)"),
            (7, false, 5, "5.0(side)"),
            (7, true, 6, "5.1(side)"),
        ] {
            let h = Ac3Header::parse(&ac3(0, 20, acmod, lfe)).unwrap();
            assert_eq!(h.channels(), n, "acmod {acmod}");
            assert_eq!(h.layout().channels(), n);
            assert_eq!(
                h.layout().name().unwrap_or(""),
                name,
                "acmod {acmod} lfe {lfe}"
            );
        }
    }

    #[test]
    fn eac3_headers() {
        // Independent, frmsiz 383 (768 bytes), 48 kHz, 6 blocks, stereo.
        let h = Ac3Header::parse(&eac3(0, 383, 0, 3, 2)).unwrap();
        assert!(h.is_eac3());
        assert_eq!(
            (h.frame_size, h.sample_rate, h.samples()),
            (768, 48000, 1536)
        );
        assert_eq!((h.bit_rate, h.channels()), (192_000, 2));
        // One block at 32 kHz: 2 bytes * 8 * 32000 / 256.
        let h = Ac3Header::parse(&eac3(0, 99, 2, 0, 1)).unwrap();
        assert_eq!((h.frame_size, h.samples(), h.bit_rate), (200, 256, 200_000));
        // Dependent frame at a reduced rate (fscod 3, fscod2 1: 22.05 kHz, 6 blocks).
        let h = Ac3Header::parse(&eac3(1, 383, 3, 1, 7)).unwrap();
        assert_eq!(h.frame_type, FrameType::Dependent);
        assert_eq!((h.sample_rate, h.blocks, h.channels()), (22050, 6, 5));
        // Reserved stream type, reserved fscod2, too small a frame.
        assert!(Ac3Header::parse(&eac3(3, 383, 0, 3, 2)).is_none());
        assert!(Ac3Header::parse(&eac3(0, 383, 3, 3, 2)).is_none());
        assert!(Ac3Header::parse(&eac3(0, 2, 0, 3, 2)).is_none());
    }

    #[test]
    fn rejects_short_and_foreign_input() {
        assert!(Ac3Header::parse(&[0x0b, 0x77, 0, 0]).is_none());
        assert!(Ac3Header::parse(&[0x0b, 0x78, 0, 0, 0x14, 0x40, 0]).is_none());
        // bsid 17.
        assert!(Ac3Header::parse(&[0x0b, 0x77, 0, 0, 0x14, 17 << 3, 0]).is_none());
    }
}
