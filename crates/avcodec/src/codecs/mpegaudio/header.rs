//! The 32-bit MPEG audio frame header (ISO/IEC 11172-3 2.4.2.3, 13818-3 2.4.2.3)
//! and frame sizes (cf. FFmpeg's `avpriv_mpegaudio_decode_header`).

use super::tables::{BITRATES, SAMPLE_RATES};

/// Channel mode (`mode` field).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Two independent channels coded together.
    Stereo,
    /// Stereo with the upper subbands coded as intensity stereo.
    JointStereo,
    /// Two independent programmes.
    DualChannel,
    /// One channel.
    Mono,
}

impl Mode {
    /// The mode of a 2-bit `mode` field.
    pub const fn from_bits(b: u32) -> Mode {
        match b & 3 {
            0 => Mode::Stereo,
            1 => Mode::JointStereo,
            2 => Mode::DualChannel,
            _ => Mode::Mono,
        }
    }

    /// The 2-bit `mode` field.
    pub const fn bits(self) -> u32 {
        match self {
            Mode::Stereo => 0,
            Mode::JointStereo => 1,
            Mode::DualChannel => 2,
            Mode::Mono => 3,
        }
    }
}

/// A decoded frame header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Header {
    /// The raw 32 bits.
    pub raw: u32,
    /// Layer (1, 2 or 3).
    pub layer: u8,
    /// Low sampling frequency (MPEG-2 or MPEG-2.5).
    pub lsf: bool,
    /// MPEG-2.5 (unofficial 8/11.025/12 kHz extension).
    pub mpeg25: bool,
    /// A 16-bit CRC follows the header.
    pub protected: bool,
    /// `bitrate_index` (0 = free format).
    pub bitrate_index: u8,
    /// Sampling frequency in Hz.
    pub sample_rate: u32,
    /// Sampling frequency index into the nine rates 44.1/48/32 kHz, their halves, their quarters.
    pub sample_rate_index: u8,
    /// Padding slot present.
    pub padding: bool,
    /// Channel mode.
    pub mode: Mode,
    /// `mode_extension` (joint stereo bound for layers I and II).
    pub mode_ext: u8,
    /// Copyright bit.
    pub copyright: bool,
    /// Original bit.
    pub original: bool,
    /// Emphasis field.
    pub emphasis: u8,
}

/// Bytes in a frame header.
pub const HEADER_SIZE: usize = 4;

/// True when `h` can start a frame: sync, a valid version, layer, bit rate and
/// sampling frequency (cf. FFmpeg's `ff_mpa_check_header`).
pub const fn check(h: u32) -> bool {
    (h & 0xffe0_0000) == 0xffe0_0000
        && (h & (3 << 19)) != (1 << 19)
        && (h & (3 << 17)) != 0
        && (h & (0xf << 12)) != (0xf << 12)
        && (h & (3 << 10)) != (3 << 10)
}

impl Header {
    /// Decodes `h`; `None` unless [`check`] passes.
    pub fn parse(h: u32) -> Option<Header> {
        if !check(h) {
            return None;
        }
        let (lsf, mpeg25) = if h & (1 << 20) != 0 {
            (h & (1 << 19) == 0, false)
        } else {
            (true, true)
        };
        let shift = u32::from(lsf) + u32::from(mpeg25);
        let sri = ((h >> 10) & 3) as usize;
        Some(Header {
            raw: h,
            layer: 4 - ((h >> 17) & 3) as u8,
            lsf,
            mpeg25,
            protected: (h >> 16) & 1 == 0,
            bitrate_index: ((h >> 12) & 0xf) as u8,
            sample_rate: SAMPLE_RATES[sri] >> shift,
            sample_rate_index: (sri as u32 + 3 * shift) as u8,
            padding: (h >> 9) & 1 != 0,
            mode: Mode::from_bits(h >> 6),
            mode_ext: ((h >> 4) & 3) as u8,
            copyright: (h >> 3) & 1 != 0,
            original: (h >> 2) & 1 != 0,
            emphasis: (h & 3) as u8,
        })
    }

    /// Decodes the first four bytes of `buf`.
    pub fn parse_bytes(buf: &[u8]) -> Option<Header> {
        let b = buf.get(..4)?;
        Self::parse(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// Number of channels (1 or 2).
    pub const fn channels(&self) -> u32 {
        if matches!(self.mode, Mode::Mono) {
            1
        } else {
            2
        }
    }

    /// Bit rate in kbit/s, 0 for free format.
    pub fn bitrate_kbps(&self) -> u32 {
        u32::from(
            BITRATES[usize::from(self.lsf)][usize::from(self.layer - 1)]
                [usize::from(self.bitrate_index)],
        )
    }

    /// Bit rate in bit/s, 0 for free format.
    pub fn bit_rate(&self) -> u32 {
        self.bitrate_kbps() * 1000
    }

    /// Samples per channel in a frame: 384 (layer I), 1152 (layer II, MPEG-1 layer III), 576.
    pub const fn samples_per_frame(&self) -> u32 {
        match self.layer {
            1 => 384,
            2 => 1152,
            _ if self.lsf => 576,
            _ => 1152,
        }
    }

    /// Frame size in bytes including the header, `None` for free format.
    pub fn frame_size(&self) -> Option<usize> {
        let kbps = self.bitrate_kbps();
        if kbps == 0 {
            return None;
        }
        let pad = u32::from(self.padding);
        let size = match self.layer {
            1 => (kbps * 12000 / self.sample_rate + pad) * 4,
            2 => kbps * 144_000 / self.sample_rate + pad,
            _ => kbps * 144_000 / (self.sample_rate << u32::from(self.lsf)) + pad,
        };
        Some(size as usize)
    }

    /// Subbands coded independently per channel: up to the joint stereo bound
    /// for joint stereo, all otherwise (before the Layer II `sblimit` cap).
    pub fn bound(&self, sblimit: usize) -> usize {
        if self.mode == Mode::JointStereo {
            ((usize::from(self.mode_ext) + 1) * 4).min(sblimit)
        } else {
            sblimit
        }
    }
}

/// Bits of the header that must stay the same from frame to frame in one stream:
/// sync, version, layer and sampling frequency (cf. FFmpeg's `SAME_HEADER_MASK`).
pub const SAME_HEADER_MASK: u32 = 0xffe0_0000 | (3 << 17) | (3 << 10) | (3 << 19);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_common_headers() {
        // 48 kHz, 192 kbit/s, layer II, stereo, unprotected.
        let h = Header::parse(0xfffd_a404).unwrap();
        assert_eq!((h.layer, h.lsf, h.protected), (2, false, false));
        assert_eq!(
            (h.sample_rate, h.bit_rate(), h.channels()),
            (48000, 192_000, 2)
        );
        assert_eq!(h.frame_size(), Some(576));
        // 22.05 kHz LSF layer II, 64 kbit/s.
        let h = Header::parse(0xfff4_8800).unwrap();
        assert!(h.lsf && h.protected);
        assert_eq!(
            (h.sample_rate, h.bit_rate(), h.frame_size()),
            (16000, 64_000, Some(576))
        );
        assert!(Header::parse(0xfffd_f404).is_none(), "bit rate 15");
        assert!(Header::parse(0xfffd_ac04).is_none(), "rate 3");
        assert!(Header::parse(0xfff9_a404).is_none(), "layer 0");
        assert!(Header::parse(0xffed_a404).is_none(), "version 1");
        let free = Header::parse(0xfffd_0404).unwrap();
        assert_eq!(free.frame_size(), None);
    }

    #[test]
    fn layer1_size() {
        // 44.1 kHz 384 kbit/s layer I: 12*384000/44100 = 104 slots -> 416 bytes (+4 padded).
        let h = Header::parse(0xffff_c000 | (1 << 9)).unwrap();
        assert_eq!(h.layer, 1);
        assert_eq!(h.frame_size(), Some(420));
    }
}
