//! MPEG-1 system stream muxer (`mpeg`, `.mpg`; cf. FFmpeg's `mpeg` muxer).
//!
//! Layout: every PES packet is preceded by an MPEG-1 pack header; the first
//! pack also carries a system header (rate bound, audio/video bounds, and
//! each stream's buffer size bound, as FFmpeg declares them: 230 KiB for MPEG
//! video, 4 KiB for audio, 16 KiB for subtitles). Packets are at most 2048
//! bytes, as FFmpeg's default packet size.
//!
//! Decoder buffers: the muxer runs the system target decoder's model. Each
//! stream's buffer receives a PES payload when its pack is delivered (at the
//! pack's SCR) and gives back each access unit's bytes at that unit's DTS. A
//! packet is written only when its payload fits in its stream's buffer at that
//! time; when no stream that is due has room, the SCR moves on to the next time
//! a unit leaves a buffer. `scripts/mpegps_std.py` checks files against the
//! same model.
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
//! available, until it lags 0.2 s behind the newest data of the file, or until
//! the clock comes within 0.2 s of its DTS, so that streams stay interleaved
//! and every unit is in its buffer before it is decoded; the system clock
//! reference of a pack follows the mux rate, moved on by the buffer model when
//! every buffer with due data is full (while a stream that is still receiving
//! data has less than a packet queued, the muxer waits for it instead).

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

/// The next step of the muxer's scheduling.
enum Step {
    /// Write a packet of this stream, of at most so many payload bytes.
    Write(usize, usize),
    /// Wait for more data.
    Wait,
    /// Move the clock to this time (a decoder buffer empties then).
    Advance(i64),
}

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
    /// Removal time (DTS) of every queued unit, in the order of `units`.
    removals: VecDeque<i64>,
    /// Removal time of the unit the oldest queued byte belongs to.
    front_removal: Option<i64>,
    /// Decoder buffer size (bytes) of the model and the system header.
    bound: usize,
    /// The decoder buffer: (removal time, bytes) of the data delivered and not yet decoded.
    buffer: VecDeque<(i64, usize)>,
    /// Bytes in `buffer`.
    fill: usize,
    /// DTS of the newest packet received.
    last_in_dts: Option<i64>,
}

/// The smallest packet payload written early for a unit about to be decoded.
const MIN_PARTIAL: usize = 512;

impl Queue {
    /// Removal time of the oldest queued byte's unit.
    fn front_removal(&self) -> Option<i64> {
        match self.units.front() {
            Some(u) if u.0 == 0 => self.removals.front().copied(),
            _ => self.front_removal,
        }
    }

    /// Empties the decoder buffer of every unit decoded by time `t`.
    fn decode_until(&mut self, t: i64) {
        while let Some(&(at, n)) = self.buffer.front() {
            if at > t {
                break;
            }
            self.fill -= n;
            self.buffer.pop_front();
        }
    }

    /// Puts `n` delivered bytes due for removal at `at` into the decoder buffer.
    fn deliver(&mut self, at: i64, n: usize) {
        if n == 0 {
            return;
        }
        self.fill += n;
        match self.buffer.back_mut() {
            Some(last) if last.0 == at => last.1 += n,
            _ => self.buffer.push_back((at, n)),
        }
    }
}

/// Buffer bounds, in bytes: audio and private streams 4 KiB, subtitles 16 KiB.
const AUDIO_BOUND: usize = 4 * 1024;
const SUBTITLE_BOUND: usize = 16 * 1024;
/// Video: FFmpeg's bound when the encoder does not tell its VBV buffer size (always so
/// for stream copy; FFmpeg's own MPEG-1/2 encoders default to 224 KiB, plus 6 KiB).
const VIDEO_BOUND: usize = 230 * 1024;

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
    /// Audio and video bounds of the system header.
    audio_bound: u8,
    video_bound: u8,
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

    /// The next PES packet of stream `i`: its PTS and DTS (those of the first unit
    /// starting in the payload), header length and payload length.
    #[allow(clippy::type_complexity)]
    fn next_pes(&self, i: usize, limit: usize) -> (Option<i64>, Option<i64>, usize, usize) {
        let q = &self.queues[i];
        let sys = if self.first_pack {
            self.system_header.len()
        } else {
            0
        };
        let room = PACKET_SIZE - PACK_HEADER - sys;
        let (pts, dts) = q.units.front().map_or((None, None), |u| (u.1, u.2));
        let hdr = Self::pes_header_len(q, pts, dts);
        let n = q.data.len().min(room - hdr).min(limit);
        if q.units.front().is_none_or(|u| u.0 >= n) {
            let hdr = Self::pes_header_len(q, None, None);
            return (None, None, hdr, q.data.len().min(room - hdr).min(limit));
        }
        (pts, dts, hdr, n)
    }

    /// Writes one pack holding one PES packet of stream `i` (at most `limit` payload bytes).
    fn write_pes(&mut self, io: &mut IoWriter, i: usize, limit: usize) -> Result<()> {
        let (pts, dts, hdr, n) = self.next_pes(i, limit);
        // System clock reference: the mux rate's pace (moved on by `flush` when the
        // decoder buffers are full).
        let scr = self.paced_scr().max(0);
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
        // Into the decoder buffer: the tail of the unit in progress, then each unit
        // starting in the payload, every piece due at its unit's DTS.
        let mut start = 0;
        let mut removal = q.front_removal;
        while let Some(&(at, _, udts)) = q.units.front() {
            if at >= n {
                break;
            }
            if let Some(r) = removal {
                q.deliver(r, at - start);
            }
            start = at;
            q.head_dts = udts.or(q.head_dts);
            removal = q.removals.pop_front().or(removal);
            q.units.pop_front();
        }
        if let Some(r) = removal {
            q.deliver(r, n - start);
        }
        q.front_removal = removal;
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

    /// The system header: rate bound, audio and video bounds, and each stream's
    /// buffer bound (private streams share one entry, that of the first).
    fn system_header(&self) -> Vec<u8> {
        let mr = self.mux_rate;
        let mut h = vec![0, 0, 1, 0xbb, 0, 0];
        h.extend_from_slice(&[
            0x80 | (mr >> 15) as u8,
            (mr >> 7) as u8,
            ((mr << 1) as u8) | 1,
            (self.audio_bound.min(32) << 2) & 0xfc,
            0x20 | self.video_bound.min(16),
            0xff,
        ]);
        let mut private_done = false;
        for q in &self.queues {
            if q.private {
                if private_done {
                    continue;
                }
                private_done = true;
            }
            // Video in units of 1024 bytes, the others of 128 (as FFmpeg).
            let video = (0xe0..=0xef).contains(&q.id) && !q.private;
            let (scale, unit) = if video { (1u16, 1024) } else { (0, 128) };
            let size = (q.bound / unit).min(0x1fff) as u16;
            h.push(if q.private { 0xbd } else { q.id });
            h.extend_from_slice(&(0xc000 | (scale << 13) | size).to_be_bytes());
        }
        let len = (h.len() - 6) as u16;
        h[4..6].copy_from_slice(&len.to_be_bytes());
        h
    }

    /// The SCR the next pack gets at the mux rate's pace (before the preload rule).
    fn paced_scr(&self) -> i64 {
        let rate_bytes = i64::from(self.mux_rate) * 50;
        self.scr + (self.bytes_since_scr as i64 * 90000) / rate_bytes.max(1)
    }

    /// What the next step of [`MpegPsMuxer::flush`] is at clock `t`.
    fn next_step(&self, t: i64, all: bool) -> Step {
        let full = PACKET_SIZE - PACK_HEADER - 30;
        // Due: a full packet, data lagging behind the newest, or data whose decoding
        // time the clock approaches (it must be in the decoder's buffer by then).
        let due = |q: &Queue| {
            !q.data.is_empty()
                && (all
                    || q.data.len() >= full
                    || q.head_dts
                        .is_some_and(|d| self.newest_dts - d > MAX_LAG || d - t < MAX_LAG))
        };
        let room = |i: usize| {
            let q = &self.queues[i];
            q.bound.saturating_sub(q.fill) >= self.next_pes(i, usize::MAX).3
        };
        let oldest = |keep: &dyn Fn(usize, &Queue) -> bool| {
            self.queues
                .iter()
                .enumerate()
                .filter(|(i, q)| keep(*i, q))
                .min_by_key(|(_, q)| q.head_dts.unwrap_or(i64::MIN))
                .map(|(i, _)| i)
        };
        if let Some(i) = oldest(&|i, q| due(q) && room(i)) {
            return Step::Write(i, usize::MAX);
        }
        let Some(blocked) = oldest(&|_, q| due(q)) else {
            return Step::Wait;
        };
        // A unit about to be decoded whose bytes are not all delivered: a shorter
        // packet that fits in the room left goes now.
        if let Some(i) = oldest(&|_, q| {
            due(q)
                && q.bound.saturating_sub(q.fill) >= MIN_PARTIAL
                && q.front_removal().is_some_and(|r| r - t < MAX_LAG)
        }) {
            let q = &self.queues[i];
            return Step::Write(i, q.bound - q.fill);
        }
        // Every stream that is due has a full buffer: meanwhile another stream's
        // data goes ahead, if it has room.
        if let Some(i) = oldest(&|i, q| !q.data.is_empty() && room(i)) {
            return Step::Write(i, usize::MAX);
        }
        // Nothing can go now. While a stream that is still receiving data has less
        // than a packet queued, wait for its data rather than let the clock run ahead
        // of it; otherwise the clock moves on to the next decoding time (a buffer
        // with nothing left to decode is empty, so some stream then has room).
        let starved = self.queues.iter().any(|q| {
            q.data.len() < full && q.last_in_dts.is_some_and(|d| self.newest_dts - d < MAX_LAG)
        });
        if !all && starved {
            return Step::Wait;
        }
        match self
            .queues
            .iter()
            .filter_map(|q| q.buffer.front().map(|b| b.0))
            .min()
        {
            Some(at) if at > t => Step::Advance(at),
            _ => Step::Write(blocked, usize::MAX),
        }
    }

    /// Writes the packets that are due (a full packet queued, lagging data, data near
    /// its decoding time; everything with `all`), each when its decoder buffer has room.
    fn flush(&mut self, io: &mut IoWriter, all: bool) -> Result<()> {
        loop {
            let t = self.paced_scr();
            for q in &mut self.queues {
                q.decode_until(t);
            }
            let (mut i, mut limit) = match self.next_step(t, all) {
                Step::Wait => return Ok(()),
                Step::Advance(at) => {
                    self.scr = at;
                    self.bytes_since_scr = 0;
                    continue;
                }
                Step::Write(i, limit) => (i, limit),
            };
            // Streams make their first appearance in index order, so that readers
            // which create streams as they appear number them as written.
            if !self.queues[i].started
                && let Some(j) = self.queues[..i].iter().position(|q| !q.started)
            {
                if self.queues[j].data.is_empty() && !all && self.queues[i].data.len() < 1 << 16 {
                    return Ok(());
                }
                if !self.queues[j].data.is_empty() {
                    (i, limit) = (j, usize::MAX);
                }
            }
            self.queues[i].started = true;
            self.write_pes(io, i, limit)?;
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
        let (mut audio_count, mut video_count) = (0u8, 0u8);
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
            if video {
                video_count += 1;
            } else if st.params.media_type == MediaType::Audio {
                audio_count += 1;
            }
            let bound = match codec.media_type() {
                MediaType::Video => VIDEO_BOUND,
                MediaType::Subtitle => SUBTITLE_BOUND,
                _ => AUDIO_BOUND,
            };
            self.queues.push(Queue {
                id,
                private,
                bound,
                ..Queue::default()
            });
        }
        self.audio_bound = audio_count;
        self.video_bound = video_count;
        // 2% for the headers; units of 50 bytes/s.
        let mux_rate = (rate * 102 / 100).div_ceil(400).clamp(1, (1 << 22) - 1) as u32;
        self.mux_rate = mux_rate;
        self.system_header = self.system_header();
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
        q.last_in_dts = dts.or(q.last_in_dts);
        // A unit without timestamps is decoded with the one before it.
        let removal = dts.or(q.removals.back().copied()).or(q.front_removal);
        q.removals.push_back(removal.unwrap_or(0));
        if q.front_removal.is_none() && q.data.is_empty() {
            q.front_removal = removal;
        }
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
