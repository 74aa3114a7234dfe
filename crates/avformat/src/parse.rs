//! Splitting container payloads into frames and completing their timing, for
//! demuxers whose packets do not follow frame boundaries (cf. the parsing
//! part of `read_frame_internal`: `parse_packet` and `compute_pkt_fields`).
//!
//! A demuxer asks for this by setting [`Stream::need_parsing`]; the input
//! context then feeds each packet of such a stream to the codec's
//! [`avcodec::parser::Parser`] and returns frames. Timestamps a frame does
//! not carry are interpolated as FFmpeg does: frames of streams without
//! reordering get `pts = dts = ` the running clock; reference pictures of a
//! stream with B-frames get the previous reference picture's pts as dts and
//! no pts unless the next chunk tells.

use avcodec::parser::{FrameInfo, ParsedFrame, ParserContext, find_parser};
use avcodec::{MediaType, Packet};
use avutil::mathematics::{Rounding, add_stable, rescale_q_rnd, rescale_rnd};
use avutil::{PictureType, Rational};

use crate::stream::Stream;

/// Per-stream parsing and timestamp state (cf. the parser and timing fields of `FFStream`).
pub(crate) struct StreamParse {
    parser: Option<ParserContext>,
    cur_dts: Option<i64>,
    first_dts: Option<i64>,
    last_ip_pts: Option<i64>,
    last_ip_duration: i64,
    last_dts_for_order_check: Option<i64>,
    dts_ordered: u32,
    dts_misordered: u32,
    /// Reordering delay in frames (cf. `has_b_frames`).
    delay: u32,
    frame_rate: Option<Rational>,
}

impl std::fmt::Debug for StreamParse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "StreamParse(cur_dts {:?})", self.cur_dts)
    }
}

impl StreamParse {
    /// State for `st`; parses when the stream asks for it and a parser exists.
    pub(crate) fn new(st: &Stream) -> Self {
        let parser = if st.need_parsing {
            find_parser(st.params.codec_id).map(ParserContext::new)
        } else {
            None
        };
        StreamParse {
            parser,
            cur_dts: None,
            first_dts: None,
            last_ip_pts: None,
            last_ip_duration: 0,
            last_dts_for_order_check: None,
            dts_ordered: 0,
            dts_misordered: 0,
            delay: 0,
            frame_rate: None,
        }
    }

    /// True when packets of this stream go through a parser.
    pub(crate) fn parses(&self) -> bool {
        self.parser.is_some()
    }

    /// Forgets partial frames and the running clock after a seek; the clock
    /// restarts at `dts` (cf. `ff_read_frame_flush`, `ff_update_cur_dts`).
    pub(crate) fn reset(&mut self, dts: Option<i64>) {
        if let Some(p) = &mut self.parser {
            p.reset();
        }
        self.cur_dts = dts;
        self.last_ip_pts = None;
        self.last_ip_duration = 0;
        self.last_dts_for_order_check = None;
    }

    /// Feeds one demuxed packet (or flushes with `None`); returns the frames completed.
    pub(crate) fn parse(&mut self, st: &mut Stream, pkt: Option<&Packet>) -> Vec<Packet> {
        let Some(parser) = &mut self.parser else {
            return Vec::new();
        };
        let frames = match pkt {
            Some(p) => parser.parse(&p.data, p.pts, p.dts, p.pos, &mut st.params),
            None => parser.flush(&mut st.params),
        };
        let index = pkt.map_or(st.index, |p| p.stream_index);
        frames
            .into_iter()
            .map(|f| self.frame_packet(st, f, index))
            .collect()
    }

    fn frame_packet(&mut self, st: &mut Stream, f: ParsedFrame, index: usize) -> Packet {
        let info = f.info;
        let mut pkt = Packet::new(f.data);
        pkt.stream_index = index;
        pkt.time_base = st.time_base;
        pkt.pts = f.pts;
        pkt.dts = f.dts;
        pkt.pos = f.pos;
        if info.frame_rate.is_some() {
            self.frame_rate = info.frame_rate;
            if st.avg_frame_rate.is_undefined() || st.avg_frame_rate.num == 0 {
                st.avg_frame_rate = info.frame_rate.unwrap_or(Rational::UNDEFINED);
                st.r_frame_rate = st.avg_frame_rate;
            }
        }
        if st.params.media_type == MediaType::Audio
            && st.params.sample_rate > 0
            && info.duration > 0
        {
            pkt.duration = rescale_q_rnd(
                i64::from(info.duration),
                Rational::new(1, st.params.sample_rate as i32),
                st.time_base,
                Rounding::Down,
            );
        }
        pkt.flags.key = match info.key {
            Some(k) => k,
            None => info.pict_type == PictureType::I,
        };
        self.compute_fields(st, &mut pkt, &info, f.next_pts, f.next_dts);
        if let Some(d) = info.video_delay {
            self.delay = d;
            st.params.video_delay = d;
        }
        pkt
    }

    /// Duration of a packet the parser gave none (cf. `compute_frame_duration`): a
    /// video frame from the declared frame rate, an audio packet from the codec's
    /// fixed frame size (as `av_get_audio_frame_duration2` falls back to).
    fn frame_duration(&self, st: &Stream, info: &FrameInfo, size: usize) -> Option<Rational> {
        if st.params.media_type == MediaType::Audio {
            let (n, rate) = (st.params.frame_size, st.params.sample_rate);
            return (n > 1 && rate > 0 && size > 0)
                .then(|| Rational::reduced(i64::from(n), i64::from(rate)));
        }
        if st.params.media_type != MediaType::Video {
            return None;
        }
        let fr = self.frame_rate.filter(|r| r.num > 0 && r.den > 0)?;
        let ticks = if st.params.codec_id == avcodec::CodecId::Mpeg2video {
            2
        } else {
            1
        };
        let num = i64::from(fr.den) * (1 + i64::from(info.repeat_pict));
        let den = i64::from(fr.num) * ticks;
        let r = Rational::reduced(num, den);
        (r.num > 0 && r.den > 0).then_some(r)
    }

    fn compute_fields(
        &mut self,
        st: &mut Stream,
        pkt: &mut Packet,
        info: &FrameInfo,
        next_pts: Option<i64>,
        next_dts: Option<i64>,
    ) {
        let video = st.params.media_type == MediaType::Video;
        let tb = st.time_base;
        if video && let Some(d) = pkt.dts {
            if pkt.pts == Some(d)
                && let Some(last) = self.last_dts_for_order_check
            {
                if last <= d {
                    self.dts_ordered += 1;
                } else {
                    self.dts_misordered += 1;
                }
                if self.dts_ordered + self.dts_misordered > 250 {
                    self.dts_ordered >>= 1;
                    self.dts_misordered >>= 1;
                }
            }
            self.last_dts_for_order_check = Some(d);
            if self.dts_ordered < 8 * self.dts_misordered && pkt.pts == Some(d) {
                pkt.dts = None;
            }
        }
        if info.pict_type == PictureType::B && self.delay == 0 {
            self.delay = 1;
        }
        let delay = self.delay;
        let mut presentation_delayed = delay > 0 && info.pict_type != PictureType::B;
        if delay == 1 && pkt.dts.is_some() && pkt.dts == pkt.pts && presentation_delayed {
            pkt.dts = None;
        }
        let mut duration = Rational::new(pkt.duration.unwrap_or(0) as i32, 1) * tb;
        if pkt.duration.unwrap_or(0) <= 0
            && let Some(d) = self.frame_duration(st, info, pkt.size())
        {
            duration = d;
            pkt.duration = rescale_rnd(
                1,
                i64::from(d.num) * i64::from(tb.den),
                i64::from(d.den) * i64::from(tb.num),
                Rounding::Down,
            )
            .filter(|&x| x > 0);
        }
        if let (Some(p), Some(d)) = (pkt.pts, pkt.dts)
            && p > d
        {
            presentation_delayed = true;
        }
        let dur = pkt.duration.unwrap_or(0);
        if delay <= 1 {
            if presentation_delayed {
                if pkt.dts.is_none() {
                    pkt.dts = self.last_ip_pts;
                }
                self.update_initial(st, pkt.dts, pkt.pts);
                if pkt.dts.is_none() {
                    pkt.dts = self.cur_dts;
                }
                if self.last_ip_duration == 0 {
                    self.last_ip_duration = dur;
                }
                if let Some(d) = pkt.dts {
                    self.cur_dts = Some(d.saturating_add(self.last_ip_duration));
                }
                if pkt.dts.is_some()
                    && pkt.pts.is_none()
                    && self.last_ip_duration > 0
                    && let (Some(cur), Some(nd), Some(np)) = (self.cur_dts, next_dts, next_pts)
                    && (cur.wrapping_sub(nd).wrapping_add(1) as u64) <= 2
                    && nd != np
                {
                    pkt.pts = Some(nd);
                }
                self.last_ip_duration = dur;
                self.last_ip_pts = pkt.pts;
            } else if pkt.pts.is_some() || pkt.dts.is_some() || dur > 0 {
                if pkt.pts.is_none() {
                    pkt.pts = pkt.dts;
                }
                self.update_initial(st, pkt.pts, pkt.pts);
                if pkt.pts.is_none() {
                    pkt.pts = self.cur_dts;
                }
                pkt.dts = pkt.pts;
                if let Some(p) = pkt.pts
                    && duration.num >= 0
                {
                    self.cur_dts = add_stable(tb, p, duration, 1);
                }
            }
        }
        if let Some(d) = pkt.dts
            && self.cur_dts.is_none_or(|c| d > c)
        {
            self.cur_dts = Some(d);
        }
        if avcodec_intra_only(st) {
            pkt.flags.key = true;
        }
    }

    /// First timestamps of the stream (cf. `update_initial_timestamps`).
    fn update_initial(&mut self, st: &mut Stream, dts: Option<i64>, pts: Option<i64>) {
        if self.first_dts.is_some() {
            return;
        }
        let Some(d) = dts else { return };
        self.first_dts = Some(d);
        self.cur_dts = Some(d);
        if st.start_time.is_none() {
            st.start_time = pts;
        }
    }
}

fn avcodec_intra_only(st: &Stream) -> bool {
    st.params.media_type == MediaType::Data
        || st
            .params
            .codec_id
            .descriptor()
            .props
            .contains(avcodec::CodecProps::INTRA_ONLY)
}
