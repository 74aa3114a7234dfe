//! MPEG-1 system stream muxer (`mpeg`, `.mpg`; cf. FFmpeg's `mpeg` muxer).
//!
//! Layout: every PES packet is preceded by an MPEG-1 pack header; the first
//! pack also carries a system header (rate bound, audio/video bounds, and
//! each stream's buffer size bound: 46 KiB for MPEG-1 video, 230 KiB for
//! MPEG-2 video, 4 KiB for audio, as FFmpeg declares them). Packets are at
//! most 2048 bytes, as FFmpeg's default packet size.
//!
//! Stream ids: MPEG video `0xe0 + n`, MPEG audio `0xc0 + n`; in private
//! stream 1, AC-3 `0x80 + n`, DTS `0x88 + n`, DVD subtitles `0x20 + n`
//! (with the four-byte sub-stream header DVD players expect for audio).
//!
//! Timing: timestamps are made non-negative by shifting all streams by the
//! first packet's negative DTS (FFmpeg's `avoid_negative_ts`), then delayed
//! by a 0.5 s preload (FFmpeg's `-muxpreload` default). A PES packet carries
//! the PTS (and the DTS when it differs) of the first access unit that
//! starts in it. Each stream's data waits in a queue until a full packet is
//! available, or until it lags 0.2 s behind the newest data of the file, so
//! that streams stay interleaved within a fraction of a second and decoder
//! buffers stay small; the system clock reference of a pack follows the
//! mux rate and never lags more than the preload behind the data it carries.

use std::collections::VecDeque;

use avcodec::{CodecId, MediaType, Packet};

use super::TIME_BASE;
use crate::error::{Error, Result};
use crate::io::IoWriter;
use crate::mux::{MuxState, Muxer};
use crate::registry::{MuxFlags, MuxerInfo};

/// Packet size (pack header included).
pub const PACKET_SIZE: usize = 2048;
/// Delay added to every timestamp, in 1/90000 (0.5 s).
pub const PRELOAD: i64 = 45000;
/// A stream's queued data is written once it lags this much behind the newest packet.
const MAX_LAG: i64 = 18000;
/// MPEG-1 pack header size.
const PACK_HEADER: usize = 12;

/// Encodes a 33-bit timestamp with a 4-bit prefix in 5 bytes.
pub fn encode_timestamp(prefix: u8, ts: i64) -> [u8; 5] {
    let t = ts as u64 & ((1 << 33) - 1);
    let hi = (((t >> 15) & 0x7fff) << 1 | 1) as u16;
    let lo = ((t & 0x7fff) << 1 | 1) as u16;
    [
        (prefix << 4) | ((((t >> 30) & 7) as u8) << 1) | 1,
        (hi >> 8) as u8,
        hi as u8,
        (lo >> 8) as u8,
        lo as u8,
    ]
}

#[derive(Debug, Default)]
struct Queue {
    /// Stream id byte (0xe0.., 0xc0.., or the private stream 1 sub-stream id).
    id: u8,
    private: bool,
    /// Queued elementary stream bytes.
    data: VecDeque<u8>,
    /// Access units in the queue: (offset from the queue's start, pts, dts).
    units: VecDeque<(usize, Option<i64>, Option<i64>)>,
    /// DTS of the oldest queued data.
    head_dts: Option<i64>,
    /// A packet of this stream was written.
    started: bool,
}

/// The muxer.
#[derive(Debug, Default)]
pub struct MpegPsMuxer {
    queues: Vec<Queue>,
    /// Added to every timestamp (negative-shift plus preload), fixed at the first packet.
    offset: Option<i64>,
    mux_rate: u32,
    scr: i64,
    bytes_since_scr: usize,
    system_header: Vec<u8>,
    first_pack: bool,
    newest_dts: i64,
}

fn stream_id(codec: CodecId, n: &mut [u8; 5]) -> Option<(u8, bool)> {
    let (slot, base, private) = match codec.media_type() {
        MediaType::Video if matches!(codec, CodecId::Mpeg1video | CodecId::Mpeg2video) => {
            (0, 0xe0, false)
        }
        MediaType::Audio if matches!(codec, CodecId::Mp1 | CodecId::Mp2 | CodecId::Mp3) => {
            (1, 0xc0, false)
        }
        _ => match codec {
            CodecId::Ac3 => (2, 0x80, true),
            CodecId::Dts => (3, 0x88, true),
            CodecId::DvdSubtitle => (4, 0x20, true),
            _ => return None,
        },
    };
    let limit = [16, 32, 8, 8, 32][slot];
    if n[slot] >= limit {
        return None;
    }
    let id = base + n[slot];
    n[slot] += 1;
    Some((id, private))
}

/// Codecs the muxer stores.
pub fn supports(codec: CodecId) -> bool {
    stream_id(codec, &mut [0; 5]).is_some()
}

impl MpegPsMuxer {
    fn pes_header_len(q: &Queue, pts: Option<i64>, dts: Option<i64>) -> usize {
        let ts = match (pts, dts) {
            (Some(p), Some(d)) if p != d => 10,
            (Some(_), _) => 5,
            _ => 1,
        };
        6 + ts + if q.private { sub_header_len(q.id) } else { 0 }
    }

    /// Writes one pack holding one PES packet of stream `i` (up to `max` payload bytes).
    fn write_pes(&mut self, io: &mut IoWriter, i: usize) -> Result<()> {
        let q = &self.queues[i];
        let sys = if self.first_pack {
            self.system_header.len()
        } else {
            0
        };
        let room = PACKET_SIZE - PACK_HEADER - sys;
        // The PTS/DTS announced are those of the first unit starting in the payload.
        let (mut pts, mut dts) = q.units.front().map_or((None, None), |u| (u.1, u.2));
        let mut hdr = Self::pes_header_len(q, pts, dts);
        let mut n = q.data.len().min(room - hdr);
        if q.units.front().is_none_or(|u| u.0 >= n) {
            (pts, dts) = (None, None);
            hdr = Self::pes_header_len(q, None, None);
            n = q.data.len().min(room - hdr);
        }
        // System clock reference: the mux rate's pace, but never more than
        // the preload behind the data.
        let rate_bytes = i64::from(self.mux_rate) * 50;
        let elapsed = (self.bytes_since_scr as i64 * 90000) / rate_bytes.max(1);
        let mut scr = self.scr + elapsed;
        if let Some(d) = dts.or(q.head_dts) {
            scr = scr.max(d - PRELOAD);
        }
        if self.first_pack {
            scr = scr.max(0);
        }
        self.scr = scr;
        let mut out = Vec::with_capacity(PACKET_SIZE);
        out.extend_from_slice(&[0, 0, 1, 0xba]);
        out.extend_from_slice(&encode_timestamp(2, scr));
        let mr = self.mux_rate;
        out.extend_from_slice(&[
            0x80 | (mr >> 15) as u8,
            (mr >> 7) as u8,
            ((mr << 1) as u8) | 1,
        ]);
        if self.first_pack {
            out.extend_from_slice(&self.system_header);
            self.first_pack = false;
        }
        let q = &mut self.queues[i];
        let pes_len = hdr - 6 + n;
        let sid = if q.private { 0xbd } else { q.id };
        out.extend_from_slice(&[0, 0, 1, sid, (pes_len >> 8) as u8, pes_len as u8]);
        match (pts, dts) {
            (Some(p), Some(d)) if p != d => {
                out.extend_from_slice(&encode_timestamp(3, p));
                out.extend_from_slice(&encode_timestamp(1, d));
            }
            (Some(p), _) => out.extend_from_slice(&encode_timestamp(2, p)),
            _ => out.push(0x0f),
        }
        if q.private {
            out.push(q.id);
            if sub_header_len(q.id) == 4 {
                // Number of frames starting here, first access unit pointer (1-based).
                let frames = q.units.iter().filter(|u| u.0 < n).count().min(255) as u8;
                let first = q.units.front().filter(|u| u.0 < n).map_or(0, |u| u.0 + 1);
                out.push(frames);
                out.extend_from_slice(&(first as u16).to_be_bytes());
            }
        }
        out.extend(q.data.drain(..n));
        while let Some(u) = q.units.front_mut() {
            if u.0 < n {
                q.head_dts = u.2.or(q.head_dts);
                q.units.pop_front();
            } else {
                break;
            }
        }
        for u in &mut q.units {
            u.0 -= n;
        }
        if let Some(u) = q.units.front()
            && u.0 == 0
        {
            q.head_dts = u.2;
        }
        self.bytes_since_scr = out.len();
        io.write_all(&out)
    }

    /// Writes packets of streams with a full packet queued or lagging behind.
    fn flush(&mut self, io: &mut IoWriter, all: bool) -> Result<()> {
        loop {
            let full = PACKET_SIZE - PACK_HEADER - 30;
            let pick = self
                .queues
                .iter()
                .enumerate()
                .filter(|(_, q)| {
                    !q.data.is_empty()
                        && (all
                            || q.data.len() >= full
                            || q.head_dts.is_some_and(|d| self.newest_dts - d > MAX_LAG))
                })
                .min_by_key(|(_, q)| q.head_dts.unwrap_or(i64::MIN))
                .map(|(i, _)| i);
            let Some(mut i) = pick else { return Ok(()) };
            // Streams make their first appearance in index order, so that readers
            // which create streams as they appear number them as written.
            if !self.queues[i].started
                && let Some(j) = self.queues[..i].iter().position(|q| !q.started)
            {
                if self.queues[j].data.is_empty() && !all && self.queues[i].data.len() < 1 << 16 {
                    return Ok(());
                }
                if !self.queues[j].data.is_empty() {
                    i = j;
                }
            }
            self.queues[i].started = true;
            self.write_pes(io, i)?;
        }
    }
}

/// Size of the private stream 1 sub-stream header for sub-stream `id`.
fn sub_header_len(id: u8) -> usize {
    if (0x80..=0xcf).contains(&id) { 4 } else { 1 }
}

impl Muxer for MpegPsMuxer {
    fn write_header(&mut self, _io: &mut IoWriter, state: &mut MuxState) -> Result<()> {
        let mut counts = [0u8; 5];
        let mut rate: u64 = 0;
        let (mut audio_bound, mut video_bound) = (0u8, 0u8);
        let mut bounds = Vec::new();
        for (i, st) in state.streams.iter_mut().enumerate() {
            let codec = st.params.codec_id;
            let Some((id, private)) = stream_id(codec, &mut counts) else {
                return Err(Error::Unsupported {
                    format: super::NAME,
                    stream: i,
                    what: format!("codec {codec} is not supported by the mpeg muxer"),
                });
            };
            st.time_base = TIME_BASE;
            st.id = if private {
                i32::from(id)
            } else {
                0x100 | i32::from(id)
            };
            let video = st.params.media_type == MediaType::Video;
            let br = st.params.bit_rate.filter(|&b| b > 0 && b < 100_000_000);
            rate += br.unwrap_or(if video { 8_000_000 } else { 448_000 });
            // Buffer size bounds as FFmpeg declares them.
            let (scale, size) = match (video, codec) {
                (true, CodecId::Mpeg2video) => (1u16, 230u16),
                (true, _) => (1, 46),
                _ => (0, 32),
            };
            if video {
                video_bound += 1;
            } else if st.params.media_type == MediaType::Audio {
                audio_bound += 1;
            }
            bounds.push((if private { 0xbd } else { id }, scale, size));
            self.queues.push(Queue {
                id,
                private,
                ..Queue::default()
            });
        }
        // 2% for the headers; units of 50 bytes/s.
        let mux_rate = (rate * 102 / 100).div_ceil(400).clamp(1, (1 << 22) - 1) as u32;
        self.mux_rate = mux_rate;
        bounds.dedup_by_key(|b| b.0);
        let mut h = vec![0, 0, 1, 0xbb, 0, 0];
        h.extend_from_slice(&[
            0x80 | (mux_rate >> 15) as u8,
            (mux_rate >> 7) as u8,
            ((mux_rate << 1) as u8) | 1,
            (audio_bound.min(32) << 2) & 0xfc,
            0x20 | video_bound.min(16),
            0xff,
        ]);
        for (id, scale, size) in bounds {
            let v = 0xc000 | (scale << 13) | size;
            h.push(id);
            h.extend_from_slice(&v.to_be_bytes());
        }
        let len = (h.len() - 6) as u16;
        h[4..6].copy_from_slice(&len.to_be_bytes());
        self.system_header = h;
        self.first_pack = true;
        Ok(())
    }

    fn write_packet(
        &mut self,
        io: &mut IoWriter,
        _state: &MuxState,
        packet: &Packet,
    ) -> Result<()> {
        let i = packet.stream_index;
        if i >= self.queues.len() {
            return Err(Error::InvalidState {
                what: "packet for a stream that does not exist",
            });
        }
        let offset = *self
            .offset
            .get_or_insert_with(|| PRELOAD - packet.dts.or(packet.pts).unwrap_or(0).min(0));
        let pts = packet.pts.map(|t| t + offset);
        let dts = packet.dts.map(|t| t + offset).or(pts);
        if let Some(d) = dts {
            self.newest_dts = self.newest_dts.max(d);
        }
        let q = &mut self.queues[i];
        if q.data.is_empty() {
            q.head_dts = dts.or(q.head_dts);
        }
        // A PES header cannot carry a DTS alone: units without a PTS go unannounced.
        q.units
            .push_back((q.data.len(), pts, if pts.is_some() { dts } else { None }));
        q.data.extend(packet.data.iter());
        self.flush(io, false)
    }

    fn write_trailer(&mut self, io: &mut IoWriter, _state: &MuxState) -> Result<()> {
        self.flush(io, true)?;
        io.write_all(&[0, 0, 1, 0xb9])
    }
}

/// The muxer entry.
pub fn muxer() -> MuxerInfo {
    MuxerInfo {
        name: super::NAME,
        long_name: "MPEG-1 Systems / MPEG program stream",
        extensions: "mpg,mpeg",
        mime_types: "video/mpeg",
        default_video: Some(CodecId::Mpeg1video),
        default_audio: Some(CodecId::Mp2),
        flags: MuxFlags::default(),
        supports,
        create: || Box::new(MpegPsMuxer::default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_round_trip() {
        for t in [0i64, 1, 48600, (1 << 32) + 12345, (1 << 33) - 1] {
            assert_eq!(super::super::parse_timestamp(encode_timestamp(2, t)), t);
        }
        assert_eq!(encode_timestamp(2, 0), [0x21, 0, 1, 0, 1]);
    }

    #[test]
    fn ids() {
        let mut n = [0; 5];
        assert_eq!(stream_id(CodecId::Mpeg1video, &mut n), Some((0xe0, false)));
        assert_eq!(stream_id(CodecId::Mp2, &mut n), Some((0xc0, false)));
        assert_eq!(stream_id(CodecId::Mp2, &mut n), Some((0xc1, false)));
        assert_eq!(stream_id(CodecId::Ac3, &mut n), Some((0x80, true)));
        assert!(!supports(CodecId::PcmS16le));
    }
}
