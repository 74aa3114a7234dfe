//! The DTS core frame header (ETSI TS 102 114, section 5.3.1).
//!
//! A core frame starts with the sync word `0x7FFE8001` in 16-bit big-endian
//! words. The same stream may be stored with little-endian words
//! (`FE 7F 01 80`), or 14 bits to a 16-bit word (the low 14 bits carry the
//! bit stream, the top two repeat bit 13), big- or little-endian
//! (`1F FF E8 00 07 Fx` / `FF 1F 00 E8 Fx 07`): [`CoreHeader::parse`] reads
//! all four. `FSIZE` counts the bytes of the 16-bit form; a 14-bit frame
//! takes `FSIZE * 8 / 14` words of the stream ([`CoreHeader::stream_size`],
//! the size FFmpeg's parser uses).
//!
//! ```
//! use avcodec::codecs::dca::header::CoreHeader;
//! // 48 kHz stereo, 512 samples, 1884 bytes, 1411.2 kbit/s.
//! let b = [0x7f, 0xfe, 0x80, 0x01, 0xfc, 0x3c, 0x75, 0xb0, 0xb6, 0xc0, 0x01, 0x38, 0x00, 0x03, 0xef, 0x7f];
//! let h = CoreHeader::parse(&b).unwrap();
//! assert_eq!((h.frame_size, h.samples(), h.sample_rate), (1884, 512, 48000));
//! assert_eq!((h.channels(), h.bit_rate), (2, Some(1_411_200)));
//! ```

use crate::bitstream::BitReader;
use avutil::{Channel, ChannelLayout};

/// Bytes [`CoreHeader::parse`] needs in the 16-bit forms (the header with
/// its optional CRC); the 14-bit forms need [`HEADER_SIZE_14`].
pub const HEADER_SIZE: usize = 16;
/// Bytes of a 14-bit stream holding [`HEADER_SIZE`] bytes of bit stream.
pub const HEADER_SIZE_14: usize = 20;
/// Bytes [`frame_size`] needs (up to `FSIZE` in the 14-bit forms).
pub const SYNC_SIZE: usize = 10;

/// Sample rates by `SFREQ` (0: invalid).
pub const SAMPLE_RATES: [u32; 16] = [
    0, 8000, 16000, 32000, 0, 0, 11025, 22050, 44100, 0, 0, 12000, 24000, 48000, 0, 0,
];
/// Transmission bit rates in bit/s by `RATE` (29..31: open, variable,
/// lossless, given as 0).
pub const BIT_RATES: [u32; 32] = [
    32_000, 56_000, 64_000, 96_000, 112_000, 128_000, 192_000, 224_000, 256_000, 320_000, 384_000,
    448_000, 512_000, 576_000, 640_000, 768_000, 960_000, 1_024_000, 1_152_000, 1_280_000,
    1_344_000, 1_408_000, 1_411_200, 1_472_000, 1_536_000, 1_920_000, 2_048_000, 3_072_000,
    3_840_000, 0, 0, 0,
];
/// Channels by `AMODE` 0..9 (the higher, user-defined modes are refused).
pub const CHANNELS: [u32; 10] = [1, 2, 2, 2, 2, 3, 3, 4, 4, 5];

/// How the core frame's 16-bit words are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Packing {
    /// Big-endian 16-bit words (the usual form).
    Be16,
    /// Little-endian 16-bit words.
    Le16,
    /// 14 bits per big-endian 16-bit word.
    Be14,
    /// 14 bits per little-endian 16-bit word.
    Le14,
}

impl Packing {
    /// The packing whose sync word starts `b`, checked with the two bytes
    /// after it as FFmpeg does (a normal frame with no deficit samples; for
    /// 14-bit words the sync word's extension).
    pub fn detect(b: &[u8]) -> Option<Packing> {
        let b: &[u8; 6] = b.get(..6)?.try_into().ok()?;
        match *b {
            [0x7f, 0xfe, 0x80, 0x01, x, _] if x & 0xfc == 0xfc => Some(Packing::Be16),
            [0xfe, 0x7f, 0x01, 0x80, _, x] if x & 0xfc == 0xfc => Some(Packing::Le16),
            [0x1f, 0xff, 0xe8, 0x00, 0x07, x] if x & 0xf0 == 0xf0 => Some(Packing::Be14),
            [0xff, 0x1f, 0x00, 0xe8, x, 0x07] if x & 0xf0 == 0xf0 => Some(Packing::Le14),
            _ => None,
        }
    }

    /// Whether 14 bits are packed in each word.
    pub fn is_14_bit(self) -> bool {
        matches!(self, Packing::Be14 | Packing::Le14)
    }

    /// The bit stream that `b` (whole 16-bit words) carries, as bytes.
    fn unpack(self, b: &[u8]) -> Vec<u8> {
        let words = b.chunks_exact(2).map(|w| match self {
            Packing::Be16 | Packing::Be14 => u16::from_be_bytes([w[0], w[1]]),
            Packing::Le16 | Packing::Le14 => u16::from_le_bytes([w[0], w[1]]),
        });
        if !self.is_14_bit() {
            return words.flat_map(u16::to_be_bytes).collect();
        }
        let mut out = Vec::with_capacity(b.len());
        let (mut acc, mut n) = (0u32, 0u32);
        for w in words {
            acc = (acc << 14) | u32::from(w & 0x3fff);
            n += 14;
            while n >= 8 {
                n -= 8;
                out.push((acc >> n) as u8);
            }
            acc &= (1 << n) - 1;
        }
        out
    }

    /// Bytes of the stream holding a core frame of `size` bytes (`FSIZE + 1`).
    pub fn stream_size(self, size: usize) -> usize {
        if self.is_14_bit() {
            size * 8 / 14 * 2
        } else {
            size
        }
    }
}

/// `FSIZE + 1` from the bit stream's first 8 bytes.
fn fsize(w: &[u8]) -> usize {
    let v = u32::from_be_bytes([w[4], w[5], w[6], w[7]]);
    ((v >> 4) & 0x3fff) as usize + 1
}

/// The size in the bytes of the stream of the core frame starting with `b`
/// (its first [`SYNC_SIZE`] bytes are enough), as FFmpeg's parser reckons
/// it; `None` unless it starts with a sync word.
pub fn frame_size(b: &[u8]) -> Option<usize> {
    let p = Packing::detect(b)?;
    let n = if p.is_14_bit() { SYNC_SIZE } else { 8 };
    let w = p.unpack(b.get(..n)?);
    Some(p.stream_size(fsize(&w)))
}

/// A parsed core frame header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CoreHeader {
    /// How the frame is stored.
    pub packing: Packing,
    /// PCM sample blocks of 32 samples (`NBLKS + 1`).
    pub blocks: u32,
    /// Bytes in the frame in the 16-bit form (`FSIZE + 1`).
    pub frame_size: usize,
    /// Audio channel arrangement (`AMODE`).
    pub amode: u8,
    /// Sample rate in Hz.
    pub sample_rate: u32,
    /// Transmission bit rate in bit/s, if `RATE` gives one.
    pub bit_rate: Option<u32>,
    /// LFE channel present (`LFF` 1 or 2).
    pub lfe: bool,
}

impl CoreHeader {
    /// Parses the core header at the start of `b` (at least
    /// [`HEADER_SIZE`] bytes, [`HEADER_SIZE_14`] for the 14-bit forms),
    /// with the checks FFmpeg makes before it trusts one; `None` if invalid.
    pub fn parse(b: &[u8]) -> Option<CoreHeader> {
        let packing = Packing::detect(b)?;
        let n = if packing.is_14_bit() {
            HEADER_SIZE_14
        } else {
            HEADER_SIZE
        };
        let w = packing.unpack(b.get(..n)?);
        let mut r = BitReader::new(&w);
        r.skip(32);
        let _normal = r.read(1);
        if r.read(5) != 31 {
            return None; // deficit samples: only whole blocks
        }
        let crc = r.read(1) == 1;
        let blocks = r.read(7) + 1;
        if blocks < 6 {
            return None;
        }
        let frame_size = r.read(14) as usize + 1;
        if frame_size < 96 {
            return None;
        }
        let amode = r.read(6) as u8;
        if usize::from(amode) >= CHANNELS.len() {
            return None;
        }
        let sample_rate = SAMPLE_RATES[r.read(4) as usize];
        if sample_rate == 0 {
            return None;
        }
        let rate = BIT_RATES[r.read(5) as usize];
        if r.read(1) != 0 {
            return None; // the fixed bit
        }
        r.read(4); // DYNF, TIMEF, AUXF, HDCD
        r.read(3); // EXT_AUDIO_ID
        r.read(2); // EXT_AUDIO, ASPF
        let lff = r.read(2);
        if lff == 3 {
            return None;
        }
        r.read(1); // HFLAG
        if crc {
            r.read(16);
        }
        r.read(1); // FILTS
        r.read(4); // VERNUM
        r.read(2); // CHIST
        let pcmr = r.read(3);
        if matches!(pcmr, 4 | 7) {
            return None; // invalid source resolution
        }
        Some(CoreHeader {
            packing,
            blocks,
            frame_size,
            amode,
            sample_rate,
            bit_rate: (rate > 0).then_some(rate),
            lfe: lff != 0,
        })
    }

    /// Bytes of the stream the frame takes (see [`Packing::stream_size`]).
    pub fn stream_size(&self) -> usize {
        self.packing.stream_size(self.frame_size)
    }

    /// Samples per channel in the frame.
    pub fn samples(&self) -> u32 {
        self.blocks * 32
    }

    /// Channels including the LFE.
    pub fn channels(&self) -> u32 {
        CHANNELS[usize::from(self.amode)] + u32::from(self.lfe)
    }

    /// The channel layout as FFmpeg's decoder gives it (the surround pair on
    /// the sides, a single surround at the back; the two-channel modes,
    /// including dual mono, as stereo).
    pub fn layout(&self) -> ChannelLayout {
        use Channel::*;
        let m = |cs: &[Channel]| ChannelLayout::from_channels(cs).mask().unwrap_or(0);
        let mut mask = match self.amode {
            0 => m(&[FrontCenter]),
            1..=4 => m(&[FrontLeft, FrontRight]),
            5 => m(&[FrontLeft, FrontRight, FrontCenter]),
            6 => m(&[FrontLeft, FrontRight, BackCenter]),
            7 => m(&[FrontLeft, FrontRight, FrontCenter, BackCenter]),
            8 => m(&[FrontLeft, FrontRight, SideLeft, SideRight]),
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

    /// A big-endian core header: no CRC, 16-bit source.
    pub(crate) fn core(
        blocks: u32,
        size: u32,
        amode: u32,
        sfreq: u32,
        rate: u32,
        lff: u32,
    ) -> [u8; 16] {
        let fields: &[(u32, u32)] = &[
            (0x7ffe_8001, 32),
            (1, 1),
            (31, 5),
            (0, 1),
            (blocks - 1, 7),
            (size - 1, 14),
            (amode, 6),
            (sfreq, 4),
            (rate, 5),
            (0, 1),
            (0, 4),
            (0, 3),
            (0, 2),
            (lff, 2),
            (0, 1),
            (0, 1),
            (7, 4),
            (0, 2),
            (0, 3),
        ];
        let mut bits: Vec<bool> = Vec::new();
        for &(v, n) in fields {
            bits.extend((0..n).rev().map(|i| (v >> i) & 1 == 1));
        }
        let mut b = [0u8; 16];
        for (i, bit) in bits.iter().enumerate() {
            b[i / 8] |= u8::from(*bit) << (7 - i % 8);
        }
        b
    }

    /// `b` packed 14 bits to a word (the top two bits repeating bit 13), as a
    /// 14-bit DTS stream stores it.
    pub(crate) fn pack14(b: &[u8], le: bool) -> Vec<u8> {
        let mut bits: Vec<u8> = b
            .iter()
            .flat_map(|x| (0..8).rev().map(move |i| (x >> i) & 1))
            .collect();
        while !bits.len().is_multiple_of(14) {
            bits.push(0);
        }
        bits.chunks(14)
            .flat_map(|c| {
                let v = c.iter().fold(0u16, |a, &x| (a << 1) | u16::from(x));
                let v = if v & 0x2000 != 0 { v | 0xc000 } else { v };
                if le { v.to_le_bytes() } else { v.to_be_bytes() }
            })
            .collect()
    }

    #[test]
    fn fields() {
        let h = CoreHeader::parse(&core(16, 1884, 2, 13, 22, 0)).unwrap();
        assert_eq!(
            (h.samples(), h.frame_size, h.sample_rate),
            (512, 1884, 48000)
        );
        assert_eq!(
            (h.channels(), h.bit_rate, h.layout().name()),
            (2, Some(1_411_200), Some("stereo"))
        );
        let h = CoreHeader::parse(&core(16, 1024, 9, 13, 15, 2)).unwrap();
        assert_eq!(
            (h.channels(), h.bit_rate, h.layout().name()),
            (6, Some(768_000), Some("5.1(side)"))
        );
        let h = CoreHeader::parse(&core(8, 2012, 0, 8, 29, 0)).unwrap();
        assert_eq!(
            (h.samples(), h.sample_rate, h.channels(), h.bit_rate),
            (256, 44100, 1, None)
        );
        for (amode, name) in [
            (5, "3.0"),
            (6, "3.0(back)"),
            (7, "4.0"),
            (8, "quad(side)"),
            (9, "5.0(side)"),
        ] {
            let h = CoreHeader::parse(&core(16, 1024, amode, 13, 15, 0)).unwrap();
            assert_eq!(h.layout().name(), Some(name), "amode {amode}");
            assert_eq!(h.layout().channels(), h.channels());
        }
        assert_eq!(frame_size(&core(16, 1884, 2, 13, 22, 0)), Some(1884));
    }

    #[test]
    fn invalid_fields_are_refused() {
        assert!(
            CoreHeader::parse(&core(5, 1024, 2, 13, 15, 0)).is_none(),
            "NBLKS"
        );
        assert!(
            CoreHeader::parse(&core(16, 95, 2, 13, 15, 0)).is_none(),
            "FSIZE"
        );
        assert!(
            CoreHeader::parse(&core(16, 1024, 10, 13, 15, 0)).is_none(),
            "AMODE"
        );
        assert!(
            CoreHeader::parse(&core(16, 1024, 2, 4, 15, 0)).is_none(),
            "SFREQ"
        );
        assert!(
            CoreHeader::parse(&core(16, 1024, 2, 13, 15, 3)).is_none(),
            "LFF"
        );
        assert!(
            CoreHeader::parse(&core(16, 1024, 2, 13, 15, 0)[..10]).is_none(),
            "short"
        );
    }

    #[test]
    fn little_endian_words_and_14_bit_packing() {
        let be = core(16, 1884, 2, 13, 22, 0);
        let le: Vec<u8> = be.chunks(2).flat_map(|w| [w[1], w[0]]).collect();
        let h = CoreHeader::parse(&le).unwrap();
        assert_eq!(
            (h.packing, h.frame_size, h.samples()),
            (Packing::Le16, 1884, 512)
        );
        assert_eq!(frame_size(&le), Some(1884));
        // The 14-bit forms: 1884 bytes of bit stream take 1076 words (and a bit).
        for (le, p) in [(false, Packing::Be14), (true, Packing::Le14)] {
            let b14 = pack14(&be, le);
            assert_eq!(Packing::detect(&b14), Some(p));
            let h = CoreHeader::parse(&b14).unwrap();
            assert_eq!(
                (h.frame_size, h.stream_size(), h.samples()),
                (1884, 2152, 512)
            );
            assert_eq!(frame_size(&b14), Some(2152));
            assert!(CoreHeader::parse(&b14[..HEADER_SIZE_14 - 1]).is_none());
        }
    }
}
