//! Compressed data units (cf. `AVPacket`).

use avutil::{Buffer, Rational};

/// Packet flags (cf. `AV_PKT_FLAG_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct PacketFlags {
    /// The packet starts a key frame.
    pub key: bool,
    /// The packet is known to be damaged.
    pub corrupt: bool,
    /// The packet must be decoded but its output discarded (pre-roll).
    pub discard: bool,
}

/// Kinds of side data a packet can carry (cf. `enum AVPacketSideDataType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SideDataKind {
    /// A new 256-entry ARGB palette for pal8 video.
    Palette,
    /// New codec extradata.
    NewExtradata,
    /// Samples to skip at the start/end of this packet (u32 LE start, u32 LE end, ...).
    SkipSamples,
    /// Anything else, by FFmpeg's numeric type.
    Other(u32),
}

/// One piece of side data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SideData {
    /// What it is.
    pub kind: SideDataKind,
    /// The bytes.
    pub data: Buffer,
}

/// A packet of compressed data for one stream (cf. `AVPacket`).
///
/// Timestamps are in [`Packet::time_base`] units (the stream's time base
/// when read from a demuxer, the encoder's when produced by an encoder).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Packet {
    /// The data (refcounted; cloning a packet does not copy it).
    pub data: Buffer,
    /// Presentation timestamp.
    pub pts: Option<i64>,
    /// Decoding timestamp.
    pub dts: Option<i64>,
    /// Duration.
    pub duration: Option<i64>,
    /// Time base of the timestamps (`0/0` when unset).
    pub time_base: Rational,
    /// Index of the stream in its container.
    pub stream_index: usize,
    /// Flags.
    pub flags: PacketFlags,
    /// Byte position in the input, if known.
    pub pos: Option<u64>,
    /// Side data.
    pub side_data: Vec<SideData>,
}

impl Packet {
    /// A packet holding `data`, without timestamps.
    pub fn new(data: Buffer) -> Self {
        Packet {
            data,
            time_base: Rational::UNDEFINED,
            ..Default::default()
        }
    }

    /// A packet holding a copy of `bytes`.
    pub fn from_slice(bytes: &[u8]) -> Self {
        Self::new(Buffer::from_slice(bytes))
    }

    /// Size of the data in bytes.
    pub fn size(&self) -> usize {
        self.data.len()
    }

    /// The first side data of `kind`.
    pub fn side_data(&self, kind: SideDataKind) -> Option<&Buffer> {
        self.side_data
            .iter()
            .find(|s| s.kind == kind)
            .map(|s| &s.data)
    }

    /// Converts the timestamps and duration to time base `to` (cf. `av_packet_rescale_ts`).
    pub fn rescale_ts(&mut self, to: Rational) {
        let from = self.time_base;
        if from.is_undefined() || from == to {
            self.time_base = to;
            return;
        }
        let r = |t: Option<i64>| t.and_then(|t| avutil::mathematics::rescale_q(t, from, to));
        self.pts = r(self.pts);
        self.dts = r(self.dts);
        self.duration = r(self.duration);
        self.time_base = to;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rescale_and_side_data() {
        let mut p = Packet::from_slice(b"abc");
        p.time_base = Rational::new(1, 25);
        p.pts = Some(2);
        p.dts = Some(1);
        p.duration = Some(1);
        p.rescale_ts(Rational::new(1, 90000));
        assert_eq!(
            (p.pts, p.dts, p.duration),
            (Some(7200), Some(3600), Some(3600))
        );
        assert_eq!(p.time_base, Rational::new(1, 90000));
        assert!(p.side_data(SideDataKind::Palette).is_none());
        p.side_data.push(SideData {
            kind: SideDataKind::Palette,
            data: Buffer::zeroed(1024),
        });
        assert_eq!(
            p.side_data(SideDataKind::Palette).map(|b| b.len()),
            Some(1024)
        );
        assert_eq!(p.size(), 3);
    }
}
