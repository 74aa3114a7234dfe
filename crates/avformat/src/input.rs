//! Opening and reading inputs (cf. `avformat_open_input`,
//! `avformat_find_stream_info`, `av_read_frame`, `av_seek_frame`).

use std::collections::VecDeque;

use avcodec::{MediaType, Packet};
use avutil::mathematics::{Rounding, rescale_q};
use avutil::{Dictionary, Rational, TIME_BASE_Q};

use crate::demux::{DemuxState, Demuxer, FormatOptions, SeekFlags, SeekTarget};
use crate::error::{Error, Result};
use crate::io::IoReader;
use crate::parse::StreamParse;
use crate::probe::{self, PROBE_MAX, PROBE_MIN, ProbeData, SCORE_RETRY};
use crate::registry::{DemuxerInfo, FormatRegistry};
use crate::stream::Stream;

/// How to open an input.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct InputOptions {
    /// Force a demuxer by name (`-f`), skipping probing.
    pub format: Option<String>,
    /// Options for the demuxer.
    pub format_options: FormatOptions,
}

impl InputOptions {
    /// Options forcing demuxer `name`.
    pub fn with_format(name: &str) -> Self {
        InputOptions {
            format: Some(name.to_owned()),
            ..Default::default()
        }
    }
}

/// An open input (cf. `AVFormatContext` for demuxing).
pub struct InputContext {
    info: DemuxerInfo,
    demuxer: Box<dyn Demuxer>,
    io: IoReader,
    state: DemuxState,
    probe_score: u32,
    /// Packets read ahead by `find_stream_info`, replayed first.
    queued: VecDeque<Packet>,
    /// Per stream: where the next packet without timestamps continues from.
    next_dts: Vec<Option<i64>>,
    /// Per stream: parser and timestamp state (created at the stream's first packet).
    parsing: Vec<Option<StreamParse>>,
    /// Frames parsers completed, not yet returned.
    parsed: VecDeque<Packet>,
    /// The demuxer reached the end and the parsers were flushed.
    flushed: bool,
}

impl std::fmt::Debug for InputContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "InputContext({}, {})", self.info.name, self.state.url)
    }
}

/// Packets `find_stream_info` reads at most before giving up on filling gaps.
const MAX_ANALYZE_PACKETS: usize = 50;

impl InputContext {
    /// Opens `url` (a path, `-`/`pipe:` for stdin, or for `lavfi` a source
    /// description), probing the format unless `opts.format` names one.
    pub fn open(url: &str, registry: &FormatRegistry, opts: &InputOptions) -> Result<Self> {
        let forced = opts
            .format
            .as_deref()
            .map(|n| registry.find_demuxer(n))
            .transpose()?;
        let mut io = match forced {
            Some(d) if d.flags.no_file => IoReader::from_bytes(Vec::new(), url),
            _ => IoReader::open(url)?,
        };
        let (info, score) = match forced {
            Some(d) => (*d, 100),
            None => probe_input(&mut io, url, registry)?,
        };
        Self::open_with(io, info, score, url, &opts.format_options)
    }

    /// Opens an already created reader with demuxer `info`.
    pub fn open_reader(
        io: IoReader,
        registry: &FormatRegistry,
        opts: &InputOptions,
    ) -> Result<Self> {
        let url = io.url().to_owned();
        let mut io = io;
        let (info, score) = match opts.format.as_deref() {
            Some(n) => (*registry.find_demuxer(n)?, 100),
            None => probe_input(&mut io, &url, registry)?,
        };
        Self::open_with(io, info, score, &url, &opts.format_options)
    }

    fn open_with(
        mut io: IoReader,
        info: DemuxerInfo,
        score: u32,
        url: &str,
        opts: &FormatOptions,
    ) -> Result<Self> {
        let mut demuxer = (info.create)();
        let mut state = DemuxState {
            url: url.to_owned(),
            options: opts.clone(),
            ..Default::default()
        };
        demuxer.read_header(&mut io, &mut state)?;
        // As FFmpeg's raw video decoder reports a FourCC for its pixel format.
        for st in &mut state.streams {
            if st.params.codec_id == avcodec::CodecId::Rawvideo
                && st.params.codec_tag == 0
                && let Some(f) = st.params.pix_fmt
            {
                st.params.codec_tag = avcodec::codecs::rawvideo::pix_fmt_tag(f).unwrap_or(0);
            }
        }
        let n = state.streams.len();
        let mut ctx = InputContext {
            info,
            demuxer,
            io,
            state,
            probe_score: score,
            queued: VecDeque::new(),
            next_dts: vec![None; n],
            parsing: Vec::new(),
            parsed: VecDeque::new(),
            flushed: false,
        };
        ctx.find_stream_info()?;
        if ctx.info.flags.duration_from_pts {
            ctx.estimate_durations_from_pts()?;
        }
        ctx.update_timings();
        Ok(ctx)
    }

    /// Reads ahead where a stream's start time is still unknown (video
    /// streams, as FFmpeg's analysis does), keeping the packets for replay.
    fn find_stream_info(&mut self) -> Result<()> {
        if self.info.flags.generated_timestamps {
            return Ok(());
        }
        let needs =
            |st: &Stream| st.start_time.is_none() && st.params.media_type == MediaType::Video;
        if self.info.flags.no_header {
            return self.find_streams();
        }
        while self.queued.len() < MAX_ANALYZE_PACKETS && self.state.streams.iter().any(needs) {
            let Some(pkt) = self.read_raw()? else { break };
            if let Some(st) = self.state.streams.get_mut(pkt.stream_index)
                && st.start_time.is_none()
            {
                st.start_time = pkt.pts.or(pkt.dts);
            }
            self.queued.push_back(pkt);
        }
        Ok(())
    }

    /// For formats whose streams appear while reading: reads ahead until
    /// streams were found and each is described (size, rate, start time),
    /// and at least a few dozen packets were seen (so that streams starting
    /// a little later are found too), within a bound.
    fn find_streams(&mut self) -> Result<()> {
        const MAX_PACKETS: usize = 2000;
        const MAX_BYTES: usize = 5_000_000;
        let described = |st: &Stream| {
            st.start_time.is_some()
                && match st.params.media_type {
                    MediaType::Video => st.params.width > 0,
                    MediaType::Audio => st.params.sample_rate > 0,
                    _ => true,
                }
        };
        let mut bytes = 0usize;
        while self.queued.len() < MAX_PACKETS && bytes < MAX_BYTES {
            let done = !self.state.streams.is_empty()
                && self.state.streams.iter().all(described)
                && self.queued.len() >= MAX_ANALYZE_PACKETS;
            if done {
                break;
            }
            let Some(pkt) = self.read_raw()? else { break };
            bytes += pkt.size();
            self.queued.push_back(pkt);
        }
        Ok(())
    }

    /// Decodes the first packets of streams whose parameters the container left
    /// incomplete (video without size or pixel format, audio without sample
    /// format, rate or channels) and fills them in from the first decoded
    /// frame (cf. the decoding part of `avformat_find_stream_info`). The
    /// packets read are kept and returned again by [`InputContext::read_packet`].
    /// Streams without a decoder in `codecs` stay as they are.
    pub fn decode_stream_info(&mut self, codecs: &avcodec::CodecRegistry) -> Result<()> {
        let incomplete = |p: &avcodec::CodecParameters| match p.media_type {
            MediaType::Video => p.width == 0 || p.height == 0 || p.pix_fmt.is_none(),
            MediaType::Audio => p.sample_fmt.is_none() || p.sample_rate == 0 || p.channels() == 0,
            _ => false,
        };
        let mut decoders: Vec<Option<Box<dyn avcodec::Decoder>>> = self
            .state
            .streams
            .iter()
            .map(|st| {
                if !incomplete(&st.params) {
                    return None;
                }
                let mut o = avcodec::DecoderOptions::default();
                o.packet_time_base = st.time_base;
                codecs.open_decoder(&st.params, &o).ok()
            })
            .collect();
        let mut next = 0;
        while decoders.iter().any(Option::is_some) && self.queued.len() < MAX_ANALYZE_PACKETS * 4 {
            // Replay what is queued first, then read more.
            let pkt = if next < self.queued.len() {
                next += 1;
                self.queued[next - 1].clone()
            } else {
                match self.read_raw()? {
                    Some(p) => {
                        self.queued.push_back(p.clone());
                        next += 1;
                        p
                    }
                    None => break,
                }
            };
            let i = pkt.stream_index;
            let Some(Some(dec)) = decoders.get_mut(i) else {
                continue;
            };
            let _ = dec.send_packet(&pkt);
            if let Ok(avcodec::Received::Item(frame)) = dec.receive_frame() {
                let p = &mut self.state.streams[i].params;
                if let Some(v) = frame.video() {
                    p.width = v.width;
                    p.height = v.height;
                    p.pix_fmt = Some(v.format);
                    if p.sample_aspect_ratio.num == 0 {
                        p.sample_aspect_ratio = frame.sample_aspect_ratio;
                    }
                } else if let Some(a) = frame.audio() {
                    p.sample_fmt = Some(a.format);
                    p.sample_rate = a.sample_rate;
                    p.ch_layout = Some(a.layout);
                }
                decoders[i] = None;
            }
        }
        self.update_timings();
        Ok(())
    }

    /// Container start time and duration from the streams (cf. `update_stream_timings`),
    /// and the bit rate from the file size (cf. `estimate_timings`).
    fn update_timings(&mut self) {
        let mut start = i64::MAX;
        let mut end = i64::MIN;
        let mut dur = i64::MIN;
        for st in &self.state.streams {
            if st.time_base.den == 0 {
                continue;
            }
            let s = st
                .start_time
                .and_then(|t| rescale_q(t, st.time_base, TIME_BASE_Q));
            let d = st
                .duration
                .and_then(|t| rescale_q(t, st.time_base, TIME_BASE_Q));
            if let Some(s) = s {
                start = start.min(s);
                if let Some(d) = d {
                    end = end.max(s.saturating_add(d));
                }
            }
            if let Some(d) = d {
                dur = dur.max(d);
            }
        }
        if start != i64::MAX {
            if self.state.start_time.is_none() {
                self.state.start_time = Some(start);
            }
            if end != i64::MIN {
                dur = dur.max(end - start);
            }
        }
        if self.state.duration.is_none() && dur > 0 {
            self.state.duration = Some(dur);
        }
        // Without stream durations, estimate them from the file size and the streams' bit
        // rates, stream by stream, as FFmpeg's estimate_timings_from_bit_rate does.
        let size = self.io.size().filter(|&s| s > 0);
        if self.state.duration.is_none()
            && let Some(size) = size
        {
            let rates: Option<u64> = self.state.streams.iter().map(|s| s.params.bit_rate).sum();
            if let Some(rate) = rates.filter(|&r| r > 0).and_then(|r| i64::try_from(r).ok()) {
                let mut longest: Option<i64> = None;
                for st in &mut self.state.streams {
                    let (num, den) = (i64::from(st.time_base.num), i64::from(st.time_base.den));
                    if st.duration.is_none() && num > 0 && den > 0 {
                        st.duration = avutil::mathematics::rescale(
                            i64::try_from(size).unwrap_or(i64::MAX),
                            den.saturating_mul(8),
                            rate.saturating_mul(num),
                        );
                    }
                    let d = st
                        .duration
                        .and_then(|d| rescale_q(d, st.time_base, TIME_BASE_Q));
                    longest = longest.max(d);
                }
                self.state.duration = longest;
            }
        }
        if let (Some(size), Some(d)) = (size, self.state.duration.filter(|&d| d > 0)) {
            self.state.bit_rate = Some((size as f64 * 8.0 * 1e6 / d as f64) as u64);
        }
    }

    /// The next packet from the demuxer, through the stream's parser when it has one.
    fn read_raw(&mut self) -> Result<Option<Packet>> {
        loop {
            if let Some(p) = self.parsed.pop_front() {
                return Ok(Some(p));
            }
            if self.flushed {
                return Ok(None);
            }
            let Some(pkt) = self.demuxer.read_packet(&mut self.io, &mut self.state)? else {
                // End of input: the parsers give what they hold, in stream order.
                self.flushed = true;
                for (i, ps) in self.parsing.iter_mut().enumerate() {
                    if let (Some(ps), Some(st)) = (ps, self.state.streams.get_mut(i)) {
                        self.parsed.extend(ps.parse(st, None));
                    }
                }
                continue;
            };
            let si = pkt.stream_index;
            if si >= self.state.streams.len() {
                return Err(Error::InvalidData {
                    format: self.info.name,
                    offset: self.io.tell(),
                    reason: format!("packet for stream {si} which does not exist"),
                });
            }
            if self.parsing.len() < self.state.streams.len() {
                self.parsing.resize_with(self.state.streams.len(), || None);
            }
            let st = &mut self.state.streams[si];
            let ps = self.parsing[si].get_or_insert_with(|| StreamParse::new(st));
            if ps.parses() {
                self.parsed.extend(ps.parse(st, Some(&pkt)));
                continue;
            }
            return Ok(Some(self.fill_timestamps(pkt)));
        }
    }

    /// Timestamps for packets of streams without a parser.
    fn fill_timestamps(&mut self, mut pkt: Packet) -> Packet {
        if self.next_dts.len() < self.state.streams.len() {
            self.next_dts.resize(self.state.streams.len(), None);
        }
        pkt.time_base = self.state.streams[pkt.stream_index].time_base;
        // Fill missing timestamps of intra-only streams from the running clock.
        let nd = &mut self.next_dts[pkt.stream_index];
        if pkt.dts.is_none() && pkt.pts.is_none() {
            pkt.dts = *nd;
            pkt.pts = *nd;
        } else if pkt.dts.is_none() {
            pkt.dts = pkt.pts;
        }
        if let (Some(d), Some(dur)) = (pkt.dts, pkt.duration) {
            *nd = Some(d + dur);
        }
        pkt
    }

    /// Stream durations from the last timestamps of the input (cf.
    /// `estimate_timings_from_pts`): reads the demuxer's packets from the
    /// last 250 kB (more if some stream shows none), without parsing.
    fn estimate_durations_from_pts(&mut self) -> Result<()> {
        const READ: u64 = 250_000;
        const RETRIES: u32 = 6;
        let (Some(size), true) = (self.io.size(), self.io.is_seekable()) else {
            return Ok(());
        };
        let back = self.io.tell();
        let mut last_duration: Vec<i64> = vec![0; self.state.streams.len()];
        let mut found = false;
        let mut retry = 0u32;
        loop {
            let is_end_before = found;
            let offset = size.saturating_sub(READ << retry);
            self.io.seek(offset)?;
            let mut read = 0u64;
            while read < READ << retry.saturating_sub(1) {
                let pkt = match self.demuxer.read_packet(&mut self.io, &mut self.state) {
                    Ok(Some(p)) => p,
                    Ok(None) | Err(_) => break,
                };
                read += pkt.size() as u64;
                let Some(st) = self.state.streams.get_mut(pkt.stream_index) else {
                    continue;
                };
                if last_duration.len() <= pkt.stream_index {
                    last_duration.resize(pkt.stream_index + 1, 0);
                }
                let (Some(pts), Some(start)) = (pkt.pts, st.start_time) else {
                    continue;
                };
                let dur = pkt
                    .duration
                    .filter(|&d| d > 0)
                    .or_else(|| raw_packet_duration(st, pkt.size()))
                    .unwrap_or(0);
                found = true;
                let d = pts.saturating_add(dur).saturating_sub(start);
                if d > 0 {
                    let last = last_duration[pkt.stream_index];
                    let limit =
                        60 * i64::from(st.time_base.den) / i64::from(st.time_base.num.max(1));
                    if st.duration.is_none()
                        || last <= 0
                        || (st.duration.is_some_and(|sd| sd < d) && (d - last).abs() < limit)
                    {
                        st.duration = Some(d);
                    }
                    last_duration[pkt.stream_index] = d;
                }
            }
            let mut is_end = is_end_before;
            if !is_end {
                is_end = self.state.streams.iter().all(|st| {
                    !matches!(st.params.media_type, MediaType::Audio | MediaType::Video)
                        || st.duration.is_some()
                });
            }
            retry += 1;
            if is_end || offset == 0 || retry > RETRIES {
                break;
            }
        }
        self.io.seek(back)?;
        Ok(())
    }

    /// The next packet in file order, `Ok(None)` at end of input (cf. `av_read_frame`).
    ///
    /// Packet timestamps are in the stream's time base (also recorded in [`Packet::time_base`]).
    pub fn read_packet(&mut self) -> Result<Option<Packet>> {
        if let Some(p) = self.queued.pop_front() {
            return Ok(Some(p));
        }
        self.read_raw()
    }

    /// Seeks so that the next packet of `stream` is at `ts` (in its time base), landing on a key
    /// frame at or before it with `flags.backward`; returns where it landed (cf. `av_seek_frame`).
    pub fn seek(&mut self, stream: usize, ts: i64, flags: SeekFlags) -> Result<i64> {
        if stream >= self.state.streams.len() {
            return Err(Error::Seek {
                url: self.state.url.clone(),
                reason: format!("no stream {stream}"),
            });
        }
        self.queued.clear();
        self.parsed.clear();
        self.flushed = false;
        let landed = self.demuxer.seek(
            &mut self.io,
            &mut self.state,
            SeekTarget { stream, ts, flags },
        )?;
        let from = self.state.streams[stream].time_base;
        for (i, nd) in self.next_dts.iter_mut().enumerate() {
            *nd = self
                .state
                .streams
                .get(i)
                .and_then(|st| rescale_q(landed, from, st.time_base));
        }
        for (i, ps) in self.parsing.iter_mut().enumerate() {
            if let (Some(ps), Some(st)) = (ps, self.state.streams.get(i)) {
                ps.reset(rescale_q(landed, from, st.time_base));
            }
        }
        Ok(landed)
    }

    /// Seeks to a time in microseconds on the default stream (see
    /// [`InputContext::default_stream`]), as `ffmpeg -ss` does (backward: at or
    /// before); returns the landing time in microseconds.
    pub fn seek_time(&mut self, us: i64) -> Result<i64> {
        let stream = self.default_stream();
        let tb = self
            .state
            .streams
            .get(stream)
            .map_or(TIME_BASE_Q, |s| s.time_base);
        let ts =
            avutil::mathematics::rescale_q_rnd(us, TIME_BASE_Q, tb, Rounding::NearInf).unwrap_or(0);
        // `any`: FFmpeg's demuxers land where their timestamp search lands (for MPEG program
        // streams, any packet with a timestamp); decoders then wait for a key frame and
        // `ffmpeg -ss` drops what comes before the position.
        let landed = self.seek(
            stream,
            ts,
            SeekFlags {
                backward: true,
                any: true,
                ..Default::default()
            },
        )?;
        Ok(rescale_q(landed, tb, TIME_BASE_Q).unwrap_or(us))
    }

    /// The stream a seek by time uses (cf. `av_find_default_stream_index`): the
    /// first video stream of known size, else the first audio stream of known
    /// rate, else the first video stream, else stream 0.
    pub fn default_stream(&self) -> usize {
        let score = |st: &Stream| match st.params.media_type {
            MediaType::Video if st.params.width > 0 && st.params.height > 0 => 3,
            MediaType::Audio if st.params.sample_rate > 0 => 2,
            MediaType::Video => 1,
            _ => 0,
        };
        let mut best = (0, 0);
        for (i, st) in self.state.streams.iter().enumerate() {
            if score(st) > best.1 {
                best = (i, score(st));
            }
        }
        best.0
    }

    /// The demuxer.
    pub fn format(&self) -> &DemuxerInfo {
        &self.info
    }

    /// The probe score that selected the demuxer (100 when forced).
    pub fn probe_score(&self) -> u32 {
        self.probe_score
    }

    /// The input's name.
    pub fn url(&self) -> &str {
        &self.state.url
    }

    /// The streams.
    pub fn streams(&self) -> &[Stream] {
        &self.state.streams
    }

    /// Mutable access to the streams, for callers that complete what the
    /// container left unknown (as `ffmpeg` guesses channel layouts).
    pub fn streams_mut(&mut self) -> &mut [Stream] {
        &mut self.state.streams
    }

    /// Container metadata.
    pub fn metadata(&self) -> &Dictionary {
        &self.state.metadata
    }

    /// Duration in microseconds, if known.
    pub fn duration(&self) -> Option<i64> {
        self.state.duration
    }

    /// Start time in microseconds, if known.
    pub fn start_time(&self) -> Option<i64> {
        self.state.start_time
    }

    /// Total bit rate, if known.
    pub fn bit_rate(&self) -> Option<u64> {
        self.state.bit_rate
    }

    /// Size of the input in bytes, if known.
    pub fn size(&self) -> Option<u64> {
        self.io.size()
    }

    /// FFmpeg's description of this input as input number `index` (cf. `av_dump_format`).
    pub fn dump(&self, index: usize) -> String {
        crate::dump::dump(&crate::dump::DumpInfo {
            index,
            format: self.info.name,
            url: &self.state.url,
            is_output: false,
            metadata: &self.state.metadata,
            duration: self.state.duration,
            start_time: self.state.start_time,
            bit_rate: self.state.bit_rate,
            streams: &self.state.streams,
        })
    }

    /// The time base of stream `i` (`1/1000000` if there is no such stream).
    pub fn time_base(&self, i: usize) -> Rational {
        self.state
            .streams
            .get(i)
            .map_or(TIME_BASE_Q, |s| s.time_base)
    }
}

/// Duration of a demuxed (unparsed) packet from the stream's parameters
/// (cf. `compute_frame_duration` without a parser).
fn raw_packet_duration(st: &Stream, size: usize) -> Option<i64> {
    let tb = st.time_base;
    let (num, den) = match st.params.media_type {
        MediaType::Video => {
            let r = st.r_frame_rate;
            if r.num > 0 && r.den > 0 {
                (i64::from(r.den), i64::from(r.num))
            } else {
                return None;
            }
        }
        MediaType::Audio => {
            let fs = i64::from(st.params.frame_size);
            if fs <= 1 || size == 0 || st.params.sample_rate == 0 {
                return None;
            }
            (fs, i64::from(st.params.sample_rate))
        }
        _ => return None,
    };
    avutil::mathematics::rescale_rnd(
        1,
        num * i64::from(tb.den),
        den * i64::from(tb.num),
        Rounding::Down,
    )
    .filter(|&d| d > 0)
}

/// Probes with growing buffers as `av_probe_input_buffer2` does.
fn probe_input(
    io: &mut IoReader,
    url: &str,
    registry: &FormatRegistry,
) -> Result<(DemuxerInfo, u32)> {
    let mut size = PROBE_MIN;
    loop {
        let buf = io.peek(size)?;
        let eof = buf.len() < size;
        let pd = ProbeData {
            filename: url,
            buf,
            mime_type: None,
        };
        if let Some((d, score)) = probe::probe(registry.demuxers(), &pd)
            && (score > SCORE_RETRY || eof || size >= PROBE_MAX)
        {
            log::debug!(
                "Format {} probed with size={} and score={}",
                d.name,
                size,
                score
            );
            return Ok((*d, score));
        }
        if eof || size >= PROBE_MAX {
            return Err(Error::UnknownInputFormat {
                url: url.to_owned(),
            });
        }
        size = (size * 2).min(PROBE_MAX);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::DemuxFlags;

    /// Two PCM packets on a stream whose sample format the "container" does not state.
    struct Incomplete(u8);

    impl Demuxer for Incomplete {
        fn read_header(&mut self, _io: &mut IoReader, state: &mut DemuxState) -> Result<()> {
            let mut p = avcodec::CodecParameters::new(avcodec::CodecId::PcmS16le);
            p.sample_rate = 8000;
            p.ch_layout = Some(avutil::ChannelLayout::MONO);
            state.add_stream(p, Rational::new(1, 8000));
            Ok(())
        }
        fn read_packet(
            &mut self,
            _io: &mut IoReader,
            _state: &mut DemuxState,
        ) -> Result<Option<Packet>> {
            if self.0 == 2 {
                return Ok(None);
            }
            self.0 += 1;
            let mut p = Packet::from_slice(&[self.0, 0, 0, 0]);
            p.pts = Some(i64::from(self.0 - 1) * 2);
            p.duration = Some(2);
            Ok(Some(p))
        }
    }

    #[test]
    fn decode_stream_info_fills_parameters_and_replays_packets() {
        let mut reg = FormatRegistry::new();
        reg.register_demuxer(DemuxerInfo {
            name: "incomplete",
            long_name: "test",
            extensions: "",
            mime_types: "",
            flags: DemuxFlags::default(),
            probe: None,
            create: || Box::new(Incomplete(0)),
        });
        let io = IoReader::from_bytes(Vec::new(), "mem");
        let mut ctx =
            InputContext::open_reader(io, &reg, &InputOptions::with_format("incomplete")).unwrap();
        assert_eq!(ctx.streams()[0].params.sample_fmt, None);
        ctx.decode_stream_info(&avcodec::CodecRegistry::builtin())
            .unwrap();
        assert_eq!(
            ctx.streams()[0].params.sample_fmt,
            Some(avutil::SampleFormat::S16)
        );
        let first = ctx.read_packet().unwrap().unwrap();
        assert_eq!((first.data[0], first.pts), (1, Some(0)));
        assert_eq!(ctx.read_packet().unwrap().unwrap().data[0], 2);
        assert!(ctx.read_packet().unwrap().is_none());
    }
}
