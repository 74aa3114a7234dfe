//! The MPEG-1 video decoder: picture management, reordering, timestamps,
//! concealment.

use std::collections::VecDeque;

use avutil::frame::{Plane, VideoInfo};
use avutil::{
    Buffer, BufferPool, ChromaLocation, ColorRange, Frame, FrameKind, PictureType, PixelFormat,
    Rational,
};

use super::headers::{GopHeader, PictureCoding, PictureHeader, SequenceHeader, find_start_code};
use super::mc::RefPlane;
use super::slice::{PictureContext, Target, decode_slice};
use super::tables::start_code as sc;
use crate::codec::{Decoder, DecoderOptions, Received, SendStatus};
use crate::codec_id::CodecId;
use crate::error::{Error, Result};
use crate::packet::Packet;
use crate::params::CodecParameters;

/// Largest picture accepted, in macroblocks (4096x4096, the syntax limit).
const MAX_MBS: usize = 256 * 256;

/// Picture size and buffer pools.
#[derive(Debug)]
struct Geometry {
    width: usize,
    height: usize,
    mb_w: usize,
    mb_h: usize,
    strides: [usize; 3],
    rows: [usize; 3],
    pools: [BufferPool; 3],
}

impl Geometry {
    fn new(width: usize, height: usize) -> Geometry {
        let mb_w = width.div_ceil(16);
        let mb_h = height.div_ceil(16);
        let ly = (mb_w * 16).next_multiple_of(Frame::ALIGN);
        let lc = (mb_w * 8).next_multiple_of(Frame::ALIGN);
        let rows = [mb_h * 16, mb_h * 8, mb_h * 8];
        let strides = [ly, lc, lc];
        let pools = [
            BufferPool::new(ly * rows[0]),
            BufferPool::new(lc * rows[1]),
            BufferPool::new(lc * rows[2]),
        ];
        Geometry {
            width,
            height,
            mb_w,
            mb_h,
            strides,
            rows,
            pools,
        }
    }

    fn plane_width(&self, p: usize) -> usize {
        if p == 0 {
            self.mb_w * 16
        } else {
            self.mb_w * 8
        }
    }

    /// A grey picture (0x80 inside the visible area, 0 outside), as FFmpeg's
    /// stand-in for a missing reference.
    fn grey(&self) -> [Buffer; 3] {
        std::array::from_fn(|p| {
            let mut b = Buffer::zeroed(self.strides[p] * self.rows[p]);
            let (w, h) = if p == 0 {
                (self.width, self.height)
            } else {
                (self.width.div_ceil(2), self.height.div_ceil(2))
            };
            let s = self.strides[p];
            let d = b.make_mut();
            for y in 0..h {
                d[y * s..y * s + w].fill(0x80);
            }
            b
        })
    }
}

/// Timing and position of the packet a picture came from.
#[derive(Debug, Clone, Copy, Default)]
struct PacketProps {
    pts: Option<i64>,
    duration: Option<i64>,
    pos: Option<u64>,
}

/// A decoded picture.
#[derive(Debug, Clone)]
struct Picture {
    planes: [Buffer; 3],
    coding: PictureCoding,
    props: PacketProps,
    corrupt: bool,
}

/// FFmpeg's heuristic choosing between reordered pts and dts (cf. `guess_correct_pts`).
#[derive(Debug, Clone, Copy)]
struct PtsCorrection {
    faulty_pts: u64,
    faulty_dts: u64,
    last_pts: i64,
    last_dts: i64,
}

impl Default for PtsCorrection {
    fn default() -> Self {
        PtsCorrection {
            faulty_pts: 0,
            faulty_dts: 0,
            last_pts: i64::MIN,
            last_dts: i64::MIN,
        }
    }
}

impl PtsCorrection {
    fn guess(&mut self, pts: Option<i64>, dts: Option<i64>) -> Option<i64> {
        if let Some(d) = dts {
            self.faulty_dts += u64::from(d <= self.last_dts);
            self.last_dts = d;
        } else if let Some(p) = pts {
            self.last_dts = p;
        }
        if let Some(p) = pts {
            self.faulty_pts += u64::from(p <= self.last_pts);
            self.last_pts = p;
        } else if let Some(d) = dts {
            self.last_pts = d;
        }
        if pts.is_some() && (self.faulty_pts <= self.faulty_dts || dts.is_none()) {
            pts
        } else {
            dts
        }
    }
}

/// The MPEG-1 video decoder (cf. FFmpeg's `mpeg1video` decoder).
pub struct Mpeg1VideoDecoder {
    params: CodecParameters,
    time_base: Rational,
    seq: Option<SequenceHeader>,
    geom: Option<Geometry>,
    /// The older reference (forward reference of B pictures).
    last: Option<Picture>,
    /// The newest reference (held back one picture for reordering).
    next: Option<Picture>,
    closed_gop: bool,
    sync: bool,
    ready: VecDeque<Frame>,
    eof: bool,
    pts_fix: PtsCorrection,
    /// DTS of the packet being decoded (copied to frames output meanwhile).
    cur_dts: Option<i64>,
    threads: usize,
}

impl std::fmt::Debug for Mpeg1VideoDecoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Mpeg1VideoDecoder({}x{})",
            self.params.width, self.params.height
        )
    }
}

fn invalid(reason: impl Into<String>) -> Error {
    Error::InvalidData {
        codec: CodecId::Mpeg1video,
        reason: reason.into(),
    }
}

impl Mpeg1VideoDecoder {
    /// Opens a decoder. `params` may give the picture size (used until the
    /// first sequence header) and extradata holding a sequence header.
    pub fn new(params: &CodecParameters, opts: &DecoderOptions) -> Result<Self> {
        crate::codec::reject_private_options("mpeg1video", &opts.private)?;
        let mut p = params.clone();
        p.pix_fmt = Some(PixelFormat::Yuv420p);
        p.color_range = ColorRange::Mpeg;
        p.chroma_location = ChromaLocation::Center;
        p.video_delay = 1;
        let mut d = Mpeg1VideoDecoder {
            params: p,
            time_base: opts.packet_time_base,
            seq: None,
            geom: None,
            last: None,
            next: None,
            closed_gop: false,
            sync: false,
            ready: VecDeque::new(),
            eof: false,
            pts_fix: PtsCorrection::default(),
            cur_dts: None,
            threads: opts.threads,
        };
        if !params.extradata.is_empty() {
            let ex = params.extradata.clone();
            let mut i = 0;
            while let Some(c) = find_start_code(&ex, i) {
                if ex.get(c) == Some(&sc::SEQUENCE_HEADER)
                    && let Ok(s) = SequenceHeader::parse(&ex[c + 1..])
                {
                    d.apply_sequence(s);
                }
                i = c;
            }
            // Headers from extradata do not count as a sync point.
            d.sync = false;
        }
        Ok(d)
    }

    /// Worker threads requested (decoding is currently single-threaded; the
    /// output does not depend on it).
    pub fn threads(&self) -> usize {
        self.threads
    }

    fn apply_sequence(&mut self, s: SequenceHeader) {
        let (w, h) = (usize::from(s.width), usize::from(s.height));
        let same = self
            .geom
            .as_ref()
            .is_some_and(|g| g.width == w && g.height == h);
        if !same {
            // New picture size: what is pending is output, references are dropped.
            if let Some(p) = self.next.take() {
                self.output(p, None);
            }
            self.last = None;
            self.geom = Some(Geometry::new(w, h));
        }
        self.params.width = w;
        self.params.height = h;
        let sar = s.sample_aspect_ratio();
        self.params.sample_aspect_ratio = sar;
        if let Some(b) = s.bit_rate() {
            self.params.bit_rate = Some(b);
        }
        self.seq = Some(s);
    }

    fn output(&mut self, p: Picture, pkt_dts: Option<i64>) {
        let Some(g) = self.geom.as_ref() else { return };
        let planes = p
            .planes
            .iter()
            .zip(g.strides)
            .map(|(b, stride)| Plane {
                buf: b.clone(),
                stride,
            })
            .collect();
        let info = VideoInfo {
            format: PixelFormat::Yuv420p,
            width: g.width,
            height: g.height,
        };
        let Ok(mut f) = Frame::from_planes(FrameKind::Video(info), planes) else {
            return;
        };
        f.pts = p.props.pts;
        f.pkt_dts = pkt_dts;
        f.best_effort_timestamp = self.pts_fix.guess(p.props.pts, pkt_dts);
        f.duration = p.props.duration;
        f.pkt_pos = p.props.pos;
        f.time_base = self.time_base;
        f.key_frame = p.coding == PictureCoding::I;
        f.pict_type = match p.coding {
            PictureCoding::I => PictureType::I,
            PictureCoding::P => PictureType::P,
            PictureCoding::B => PictureType::B,
            PictureCoding::D => PictureType::None,
        };
        f.sample_aspect_ratio = self.params.sample_aspect_ratio;
        f.color_range = ColorRange::Mpeg;
        f.chroma_location = ChromaLocation::Center;
        f.flags.corrupt = p.corrupt;
        self.ready.push_back(f);
    }

    /// Decodes one packet (normally one picture with the headers before it).
    fn decode_packet(&mut self, pkt: &Packet) -> Result<()> {
        let data: &[u8] = &pkt.data;
        if !pkt.time_base.is_undefined() {
            self.time_base = pkt.time_base;
        }
        self.cur_dts = pkt.dts;
        if data.len() == 4 && data == [0, 0, 1, sc::SEQUENCE_END] {
            // FFmpeg outputs the last reference on a lone sequence end code.
            if let Some(p) = self.next.take() {
                self.output(p, None);
            }
            return Ok(());
        }
        let props = PacketProps {
            pts: pkt.pts,
            duration: pkt.duration,
            pos: pkt.pos,
        };
        let mut header: Option<PictureHeader> = None;
        let mut current: Option<Current> = None;
        let mut skip_picture = false;
        let mut first_error: Option<Error> = None;
        let mut pos = 0;
        while let Some(c) = find_start_code(data, pos) {
            let Some(&code) = data.get(c) else { break };
            let end = find_start_code(data, c + 1).map_or(data.len(), |n| n - 3);
            let payload = &data[c + 1..end.max(c + 1)];
            pos = end;
            match code {
                sc::SEQUENCE_HEADER if header.is_none() => match SequenceHeader::parse(payload) {
                    Ok(s) => {
                        self.apply_sequence(s);
                        self.sync = true;
                    }
                    Err(e) => {
                        log::error!("mpeg1video: sequence header: {e}");
                        first_error.get_or_insert(invalid(format!("sequence header: {e}")));
                    }
                },
                sc::GOP if header.is_none() => {
                    if let Ok(g) = GopHeader::parse(payload) {
                        self.closed_gop = g.closed;
                        self.sync = true;
                    }
                }
                sc::PICTURE => {
                    if header.is_some() {
                        log::warn!("mpeg1video: ignoring extra picture in a packet");
                        break;
                    }
                    match PictureHeader::parse(payload) {
                        Ok(h) => header = Some(h),
                        Err(e) => {
                            log::error!("mpeg1video: picture header: {e}");
                            return Err(invalid(format!("picture header: {e}")));
                        }
                    }
                }
                sc::EXTENSION => {
                    return Err(invalid(
                        "extension start code: MPEG-2 video is not supported by this decoder",
                    ));
                }
                sc::SLICE_MIN..=sc::SLICE_MAX => {
                    let Some(h) = header else { continue };
                    if skip_picture {
                        continue;
                    }
                    if current.is_none() {
                        match self.start_picture(h, props, data.len())? {
                            Some(cur) => current = Some(cur),
                            None => {
                                skip_picture = true;
                                continue;
                            }
                        }
                    }
                    if let Some(cur) = current.as_mut() {
                        self.decode_one_slice(cur, usize::from(code - 1), payload);
                    }
                }
                _ => {}
            }
        }
        if let Some(cur) = current {
            self.finish_picture(cur);
        }
        match first_error {
            Some(e) if header.is_none() => Err(e),
            _ => Ok(()),
        }
    }

    fn start_picture(
        &mut self,
        h: PictureHeader,
        props: PacketProps,
        packet_size: usize,
    ) -> Result<Option<Current>> {
        let Some(g) = self.geom.as_ref() else {
            return Err(invalid("picture before any sequence header"));
        };
        if g.mb_w * g.mb_h > MAX_MBS {
            return Err(invalid("picture too large"));
        }
        // As FFmpeg: a packet much smaller than the picture is rejected
        // (this also bounds allocations by the input size).
        if g.mb_w * g.mb_h * 11 / (33 * 2 * 8) > packet_size {
            return Err(invalid("packet too small for the picture size"));
        }
        match h.coding {
            PictureCoding::B if self.last.is_none() && !self.closed_gop => {
                log::debug!("mpeg1video: skipping B picture of an open GOP without references");
                return Ok(None);
            }
            PictureCoding::P if self.next.is_none() && !self.sync => {
                log::debug!("mpeg1video: skipping P picture before a sync point");
                return Ok(None);
            }
            PictureCoding::I | PictureCoding::D => self.sync = true,
            _ => {}
        }
        let planes: [Buffer; 3] = std::array::from_fn(|p| g.pools[p].get());
        let (forward, backward) = match h.coding {
            PictureCoding::I | PictureCoding::D => (None, None),
            PictureCoding::P => (Some(self.next_or_grey()), None),
            PictureCoding::B => {
                let f = match &self.last {
                    Some(p) => p.planes.clone(),
                    None => g.grey(),
                };
                let b = match &self.next {
                    Some(p) => p.planes.clone(),
                    None => g.grey(),
                };
                (Some(f), Some(b))
            }
        };
        // For concealment of intra pictures: the newest reference, if any.
        let conceal_from = match h.coding {
            PictureCoding::B => forward.clone(),
            PictureCoding::P => forward.clone(),
            _ => self.next.as_ref().map(|p| p.planes.clone()),
        };
        Ok(Some(Current {
            header: h,
            planes,
            forward,
            backward,
            conceal_from,
            done: vec![false; g.mb_w * g.mb_h],
            props,
            corrupt: false,
        }))
    }

    fn next_or_grey(&self) -> [Buffer; 3] {
        match (&self.next, &self.geom) {
            (Some(p), _) => p.planes.clone(),
            (None, Some(g)) => g.grey(),
            (None, None) => std::array::from_fn(|_| Buffer::default()),
        }
    }

    fn decode_one_slice(&self, cur: &mut Current, row: usize, payload: &[u8]) {
        let (Some(g), Some(seq)) = (self.geom.as_ref(), self.seq.as_ref()) else {
            return;
        };
        if row >= g.mb_h {
            log::error!("mpeg1video: slice below image ({row} >= {})", g.mb_h);
            cur.corrupt = true;
            return;
        }
        fn refp<'b>(g: &Geometry, planes: &'b Option<[Buffer; 3]>) -> Option<[RefPlane<'b>; 3]> {
            planes.as_ref().map(|pl| {
                std::array::from_fn(|p| RefPlane {
                    data: &pl[p],
                    stride: g.strides[p],
                    width: g.plane_width(p),
                    height: g.rows[p],
                })
            })
        }
        let (fwd_planes, bwd_planes) = (cur.forward.take(), cur.backward.take());
        {
            let pc = PictureContext {
                header: cur.header,
                intra_matrix: &seq.intra_matrix,
                non_intra_matrix: &seq.non_intra_matrix,
                mb_w: g.mb_w,
                mb_h: g.mb_h,
                strides: g.strides,
                forward: refp(g, &fwd_planes),
                backward: refp(g, &bwd_planes),
            };
            let [y, cb, cr] = &mut cur.planes;
            let mut target = Target {
                planes: [y.make_mut(), cb.make_mut(), cr.make_mut()],
            };
            match decode_slice(&pc, &mut target, payload, row, &mut cur.done) {
                Ok(()) => {}
                Err(e) => {
                    // A failed slice is concealed whole: every macroblock it touched is redone.
                    let end = (e.mb_y * g.mb_w + e.mb_x + 1).min(cur.done.len());
                    let start = (row * g.mb_w).min(end);
                    cur.done[start..end].fill(false);
                    log::error!(
                        "mpeg1video: {} at {} {} (slice of row {row} concealed)",
                        e.what,
                        e.mb_x,
                        e.mb_y
                    );
                    cur.corrupt = true;
                }
            }
        }
        cur.forward = fwd_planes;
        cur.backward = bwd_planes;
    }

    fn finish_picture(&mut self, mut cur: Current) {
        let Some(g) = self.geom.as_ref() else { return };
        if cur.done.iter().any(|d| !d) {
            cur.corrupt = true;
            conceal(g, &mut cur);
        }
        let pic = Picture {
            planes: cur.planes,
            coding: cur.header.coding,
            props: cur.props,
            corrupt: cur.corrupt,
        };
        let dts = self.cur_dts;
        if pic.coding == PictureCoding::B {
            self.output(pic, dts);
        } else {
            let prev = self.next.replace(pic);
            self.last = prev.clone();
            if let Some(p) = prev {
                self.output(p, dts);
            }
        }
    }
}

/// A picture being decoded.
struct Current {
    header: PictureHeader,
    planes: [Buffer; 3],
    forward: Option<[Buffer; 3]>,
    backward: Option<[Buffer; 3]>,
    conceal_from: Option<[Buffer; 3]>,
    done: Vec<bool>,
    props: PacketProps,
    corrupt: bool,
}

/// Fills every macroblock not decoded: copied from the reference when there is
/// one, grey otherwise.
fn conceal(g: &Geometry, cur: &mut Current) {
    for (p, plane) in cur.planes.iter_mut().enumerate() {
        let s = g.strides[p];
        let n = if p == 0 { 16 } else { 8 };
        let src = cur.conceal_from.as_ref().map(|r| &r[p]);
        let dst = plane.make_mut();
        for (i, _) in cur.done.iter().enumerate().filter(|(_, d)| !**d) {
            let (mx, my) = (i % g.mb_w, i / g.mb_w);
            for y in 0..n {
                let o = (my * n + y) * s + mx * n;
                let Some(d) = dst.get_mut(o..o + n) else {
                    continue;
                };
                match src.and_then(|r| r.get(o..o + n)) {
                    Some(r) => d.copy_from_slice(r),
                    None => d.fill(128),
                }
            }
        }
    }
}

impl Decoder for Mpeg1VideoDecoder {
    fn parameters(&self) -> &CodecParameters {
        &self.params
    }

    fn send_packet(&mut self, packet: &Packet) -> Result<SendStatus> {
        if self.eof {
            return Err(Error::InvalidState {
                what: "input sent after end of stream",
            });
        }
        if !self.ready.is_empty() {
            return Ok(SendStatus::Full);
        }
        if packet.data.is_empty() {
            return Ok(SendStatus::Accepted);
        }
        self.decode_packet(packet)?;
        Ok(SendStatus::Accepted)
    }

    fn send_eof(&mut self) -> Result<()> {
        if !self.eof {
            self.eof = true;
            if let Some(p) = self.next.take() {
                self.output(p, None);
            }
        }
        Ok(())
    }

    fn receive_frame(&mut self) -> Result<Received<Frame>> {
        Ok(match self.ready.pop_front() {
            Some(f) => Received::Item(f),
            None if self.eof => Received::EndOfStream,
            None => Received::NeedsInput,
        })
    }

    fn flush(&mut self) {
        self.ready.clear();
        self.last = None;
        self.next = None;
        self.sync = false;
        self.closed_gop = false;
        self.eof = false;
        self.pts_fix = PtsCorrection::default();
    }
}
