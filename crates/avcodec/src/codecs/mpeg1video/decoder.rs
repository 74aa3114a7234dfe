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
use super::slice::{
    OUT_OF_BAND, PictureContext, SliceError, Target, decode_slice, slice_start_column,
};
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
    workers: Workers,
}

/// Where the slices of a picture are decoded.
#[derive(Debug)]
enum Workers {
    /// On the caller's thread.
    Caller,
    /// On rayon's global pool (automatic thread count).
    Global,
    /// On the caller's thread and a pool of one thread fewer than requested.
    Pool(rayon::ThreadPool),
}

impl Workers {
    fn new(threads: usize) -> Workers {
        match threads {
            1 => Workers::Caller,
            0 if rayon::current_num_threads() > 1 => Workers::Global,
            0 => Workers::Caller,
            // The caller decodes a band itself while the pool does the others, so the
            // pool has one thread fewer and the caller never sleeps waiting for the
            // pool to wake.
            n => match rayon::ThreadPoolBuilder::new()
                .num_threads(n - 1)
                .thread_name(|i| format!("mpeg1video-{i}"))
                .build()
            {
                Ok(p) => Workers::Pool(p),
                Err(e) => {
                    log::warn!("mpeg1video: no worker threads ({e}); decoding on one thread");
                    Workers::Caller
                }
            },
        }
    }

    /// Threads available for slices (1 when decoding on the caller's thread).
    fn count(&self) -> usize {
        match self {
            Workers::Caller => 1,
            Workers::Global => rayon::current_num_threads(),
            Workers::Pool(p) => p.current_num_threads() + 1,
        }
    }

    /// Runs `f` on every item: the first on the calling thread, the others on the
    /// pool meanwhile (in order on the caller when there is no pool).
    fn run_each<T: Send, F: Fn(&mut T) + Sync>(&self, items: &mut [T], f: F) {
        fn spread<'s, T: Send, F: Fn(&mut T) + Sync>(
            s: &rayon::Scope<'s>,
            rest: &'s mut [T],
            f: &'s F,
        ) {
            for item in rest {
                s.spawn(move |_| f(item));
            }
        }
        let Some((first, rest)) = items.split_first_mut() else {
            return;
        };
        let f = &f;
        match self {
            Workers::Pool(p) => p.in_place_scope(|s| {
                spread(s, rest, f);
                f(first);
            }),
            Workers::Global => rayon::in_place_scope(|s| {
                spread(s, rest, f);
                f(first);
            }),
            Workers::Caller => {
                f(first);
                rest.iter_mut().for_each(f);
            }
        }
    }
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
            workers: Workers::new(opts.threads),
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

    /// Worker threads requested (0 = automatic). Slices are decoded in
    /// parallel bands when more than one thread is available; the output does
    /// not depend on it.
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
        let mut slices: Vec<(usize, &[u8])> = Vec::new();
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
                    if let (Some(cur), Some(g)) = (current.as_mut(), self.geom.as_ref()) {
                        let row = usize::from(code - 1);
                        if row >= g.mb_h {
                            log::error!("mpeg1video: slice below image ({row} >= {})", g.mb_h);
                            cur.corrupt = true;
                        } else {
                            slices.push((row, payload));
                        }
                    }
                }
                _ => {}
            }
        }
        if let Some(mut cur) = current {
            self.decode_slices(&mut cur, &slices);
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

    /// Decodes the slices of the current picture, in parallel bands of rows
    /// when worker threads are available and the slices allow it.
    fn decode_slices(&self, cur: &mut Current, slices: &[(usize, &[u8])]) {
        let (Some(g), Some(seq)) = (self.geom.as_ref(), self.seq.as_ref()) else {
            return;
        };
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
        let threads = self.workers.count();
        let bands = if threads > 1 {
            plan_bands(slices, g.mb_h, threads * 2)
        } else {
            Vec::new()
        };
        let mut errors = Vec::new();
        let parallel_done = bands.len() > 1 && {
            let [y, cb, cr] = &mut cur.planes;
            let planes = [y.make_mut(), cb.make_mut(), cr.make_mut()];
            let outcomes =
                decode_bands(&self.workers, &pc, g, planes, &mut cur.done, slices, &bands);
            if outcomes.iter().any(|o| o.out_of_band) {
                // A slice crossed into the next band (damaged or unusual
                // stream): the picture is redone on one thread, which gives
                // exactly the single-threaded result.
                log::debug!("mpeg1video: slice crossed a band; picture decoded on one thread");
                cur.done.fill(false);
                false
            } else {
                errors.extend(outcomes.into_iter().flat_map(|o| o.errors));
                true
            }
        };
        if !parallel_done {
            let [y, cb, cr] = &mut cur.planes;
            let mut target = Target {
                planes: [y.make_mut(), cb.make_mut(), cr.make_mut()],
                row0: 0,
                rows: g.mb_h,
            };
            for &(row, payload) in slices {
                if let Err(e) = run_slice(&pc, &mut target, &mut cur.done, row, payload) {
                    errors.push((row, e));
                }
            }
        }
        for (row, e) in &errors {
            log::error!(
                "mpeg1video: {} at {} {} (slice of row {row} concealed)",
                e.what,
                e.mb_x,
                e.mb_y
            );
        }
        cur.corrupt |= !errors.is_empty();
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

/// Decodes one slice into `target`; on an error, every macroblock of the
/// slice up to the damage is marked not done (to be concealed whole).
fn run_slice(
    pc: &PictureContext<'_>,
    target: &mut Target<'_>,
    done: &mut [bool],
    row: usize,
    payload: &[u8],
) -> std::result::Result<(), SliceError> {
    decode_slice(pc, target, payload, row, done).inspect_err(|e| {
        if e.what != OUT_OF_BAND {
            let local = |y: usize, x: usize| (y.saturating_sub(target.row0)) * pc.mb_w + x;
            let end = (local(e.mb_y, e.mb_x) + 1).min(done.len());
            let start = local(row, 0).min(end);
            done[start..end].fill(false);
        }
    })
}

/// A band of macroblock rows decoded by one worker, with its slices.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Band {
    row0: usize,
    rows: usize,
    slices: std::ops::Range<usize>,
}

/// Splits a picture into at most `n` bands of whole macroblock rows so that
/// every slice lies in one band: a band starts only at a slice that begins a
/// row (column 0) below the previous slice. Returns no bands when the slices
/// are not in row order (damaged streams are decoded on one thread).
fn plan_bands(slices: &[(usize, &[u8])], mb_h: usize, n: usize) -> Vec<Band> {
    if n < 2 || slices.windows(2).any(|w| w[1].0 < w[0].0) {
        return Vec::new();
    }
    let mut bands = vec![Band {
        row0: 0,
        rows: mb_h,
        slices: 0..slices.len(),
    }];
    let mut k = 1;
    for (i, &(row, payload)) in slices.iter().enumerate().skip(1) {
        if k >= n {
            break;
        }
        if row * n < k * mb_h || row == slices[i - 1].0 || slice_start_column(payload) != Some(0) {
            continue;
        }
        if let Some(last) = bands.last_mut() {
            last.rows = row - last.row0;
            last.slices.end = i;
        }
        bands.push(Band {
            row0: row,
            rows: mb_h - row,
            slices: i..slices.len(),
        });
        while k < n && row * n >= k * mb_h {
            k += 1;
        }
    }
    bands
}

/// How one band's decoding went.
#[derive(Debug, Default)]
struct BandOutcome {
    errors: Vec<(usize, SliceError)>,
    out_of_band: bool,
}

/// Decodes the bands in parallel on `workers`.
fn decode_bands(
    workers: &Workers,
    pc: &PictureContext<'_>,
    g: &Geometry,
    planes: [&mut [u8]; 3],
    done: &mut [bool],
    slices: &[(usize, &[u8])],
    bands: &[Band],
) -> Vec<BandOutcome> {
    // Cut every plane and the done map at the band boundaries.
    let mut work: Vec<(Target<'_>, &mut [bool], &Band)> = Vec::with_capacity(bands.len());
    let [mut y, mut cb, mut cr] = planes;
    let mut done = done;
    for band in bands {
        let lines = |p: usize| band.rows * if p == 0 { 16 } else { 8 } * g.strides[p];
        let planes = [
            split_front(&mut y, lines(0)),
            split_front(&mut cb, lines(1)),
            split_front(&mut cr, lines(2)),
        ];
        let d = split_front(&mut done, band.rows * g.mb_w);
        work.push((
            Target {
                planes,
                row0: band.row0,
                rows: band.rows,
            },
            d,
            band,
        ));
    }
    // The band with the most slices goes first: the caller decodes it, so that it is
    // rarely left waiting for a pool thread.
    if let Some(big) = (0..work.len()).max_by_key(|&i| work[i].2.slices.len()) {
        work.swap(0, big);
    }
    let mut jobs: Vec<_> = work
        .into_iter()
        .map(|w| (w, BandOutcome::default()))
        .collect();
    workers.run_each(&mut jobs, |((target, done, band), out)| {
        for &(row, payload) in &slices[band.slices.clone()] {
            match run_slice(pc, target, done, row, payload) {
                Ok(()) => {}
                Err(e) if e.what == OUT_OF_BAND => {
                    out.out_of_band = true;
                    break;
                }
                Err(e) => out.errors.push((row, e)),
            }
        }
    });
    jobs.into_iter().map(|(_, out)| out).collect()
}

/// Cuts the first `len` elements (fewer if there are not as many) off `rest`.
fn split_front<'a, T>(rest: &mut &'a mut [T], len: usize) -> &'a mut [T] {
    let len = len.min(rest.len());
    let (head, tail) = std::mem::take(rest).split_at_mut(len);
    *rest = tail;
    head
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Slice data starting at column 0: quantiser 1, no extra information,
    /// address increment 1.
    const AT_COLUMN_0: &[u8] = &[0b0000_1010, 0];
    /// Slice data starting at column 1 (address increment 2: `011`).
    const AT_COLUMN_1: &[u8] = &[0b0000_1001, 0b1000_0000];

    #[test]
    fn slice_start_columns() {
        assert_eq!(slice_start_column(AT_COLUMN_0), Some(0));
        assert_eq!(slice_start_column(AT_COLUMN_1), Some(1));
        assert_eq!(slice_start_column(&[0, 0]), None, "quantiser 0");
    }

    #[test]
    fn bands_start_only_at_row_starting_slices() {
        let s = |rows: &[(usize, &'static [u8])]| rows.to_vec();
        // One slice per row, 8 rows, 4 bands.
        let rows: Vec<(usize, &[u8])> = (0..8).map(|r| (r, AT_COLUMN_0)).collect();
        let b = plan_bands(&rows, 8, 4);
        assert_eq!(
            b.iter()
                .map(|b| (b.row0, b.rows, b.slices.clone()))
                .collect::<Vec<_>>(),
            vec![(0, 2, 0..2), (2, 2, 2..4), (4, 2, 4..6), (6, 2, 6..8)]
        );
        // A slice starting mid-row cannot open a band; the next one can.
        let b = plan_bands(
            &s(&[(0, AT_COLUMN_0), (4, AT_COLUMN_1), (5, AT_COLUMN_0)]),
            8,
            2,
        );
        assert_eq!(
            b.iter()
                .map(|b| (b.row0, b.rows, b.slices.clone()))
                .collect::<Vec<_>>(),
            vec![(0, 5, 0..2), (5, 3, 2..3)]
        );
        // Two slices in one row stay together.
        let b = plan_bands(
            &s(&[(0, AT_COLUMN_0), (4, AT_COLUMN_0), (4, AT_COLUMN_0)]),
            8,
            2,
        );
        assert_eq!(
            b.iter().map(|b| b.slices.clone()).collect::<Vec<_>>(),
            vec![0..1, 1..3]
        );
        // Rows out of order: no bands (one thread).
        assert!(
            plan_bands(
                &s(&[(0, AT_COLUMN_0), (5, AT_COLUMN_0), (3, AT_COLUMN_0)]),
                8,
                2
            )
            .is_empty()
        );
        // A single slice: one band.
        assert_eq!(plan_bands(&s(&[(0, AT_COLUMN_0)]), 8, 2).len(), 1);
    }
}
