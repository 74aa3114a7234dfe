//! The MPEG-1 video encoder (cf. FFmpeg's `mpeg1video` encoder).
//!
//! Pictures arrive in display order and leave in coding order: every
//! `gop`-th picture is an I picture (opening a GOP, with a sequence header),
//! up to `bframes` pictures between two references become B pictures coded
//! after the later reference, the others are P pictures. One slice per
//! macroblock row; one quantizer scale per picture (fixed with `-q:v`, chosen
//! by [`super::ratecontrol`] with `-b:v`).
//!
//! Per macroblock: motion estimation ([`super::motion`]) against the
//! reconstructed references, a choice between intra and the best prediction
//! (forward, backward or both in B pictures) by SAD cost, forward DCT
//! ([`super::fdct`]), quantization with the default (or given) matrices,
//! skipped macroblocks where nothing is left to code, and reconstruction with
//! the decoder's own dequantization, IDCT and prediction so that the
//! references match what every decoder sees.

use std::collections::VecDeque;

use avutil::{Buffer, Frame, PixelFormat, Rational};

use super::fdct::{fdct, fdct_quantize};
use super::headers::{GopHeader, PictureCoding, PictureHeader, SequenceHeader, write_start_code};
use super::mc::{RefPlane, predict};
use super::motion::{Search, deviation16, sad_bi};
use super::ratecontrol::{self, RateControl};
use super::slice::{dequant_inter, dequant_intra};
use super::tables::{
    CBP, DC_SIZE_CHROMA, DC_SIZE_LUMA, DCT_EOB, DCT_ESCAPE, DEFAULT_INTRA_MATRIX,
    DEFAULT_NON_INTRA_MATRIX, FRAME_RATES, MB_TYPE_B, MB_TYPE_P, MBA_ESCAPE, MBA_INCREMENT,
    MOTION_CODE, ZIGZAG, mb,
};
use super::vlcs::{DctEncTable, dct_enc_table};
use crate::bitstream::{BitBatch, BitWriter};
use crate::codec::{Encoder, EncoderOptions, Received, SendStatus};
use crate::codec_id::CodecId;
use crate::dct;
use crate::error::{Error, Result};
use crate::packet::Packet;
use crate::params::CodecParameters;

/// Largest vector component searched, in half-pels (`f_code` 4 at most).
const SEARCH_RANGE: i32 = 64;

/// Bias added to the intra activity before comparing it with an inter cost.
const INTRA_BIAS: u32 = 512;

fn invalid_params(what: impl Into<String>) -> Error {
    Error::InvalidParameters {
        codec: CodecId::Mpeg1video,
        what: what.into(),
    }
}

fn invalid_option(option: &str, value: &str) -> Error {
    Error::InvalidOption {
        codec: "mpeg1video".into(),
        option: option.into(),
        value: value.into(),
    }
}

/// Parses a quantizer matrix option: 64 comma-separated values 1..=255, raster order.
fn parse_matrix(option: &str, value: &str) -> Result<[u8; 64]> {
    // The message names the offending part rather than repeating 64 values.
    let bad = |why: String| invalid_option(option, &why);
    let mut m = [0u8; 64];
    let mut n = 0;
    for (i, item) in value.split(',').enumerate() {
        let v: u8 = item.trim().parse().ok().filter(|&v| v > 0).ok_or_else(|| {
            bad(format!(
                "coefficient {i} ({:?}) is not in 1..=255",
                item.trim()
            ))
        })?;
        let slot = m
            .get_mut(i)
            .ok_or_else(|| bad("more than 64 coefficients".into()))?;
        *slot = v;
        n = i + 1;
    }
    if n != 64 {
        return Err(bad(format!("{n} coefficients, 64 needed")));
    }
    Ok(m)
}

/// Parses a bit rate such as `2M`, `1500k` or `800000`.
fn parse_rate(v: &str) -> Option<f64> {
    let v = v.trim();
    let (num, mul) = match v.char_indices().last() {
        Some((i, 'k' | 'K')) => (&v[..i], 1e3),
        Some((i, 'M')) => (&v[..i], 1e6),
        Some((i, 'G')) => (&v[..i], 1e9),
        _ => (v, 1.0),
    };
    num.parse::<f64>()
        .ok()
        .map(|x| x * mul)
        .filter(|x| x.is_finite() && *x > 0.0)
}

/// A picture in the macroblock-aligned layout the encoder works on.
#[derive(Debug, Clone)]
struct Picture {
    planes: [Vec<u8>; 3],
}

/// Picture dimensions.
#[derive(Debug, Clone, Copy)]
struct Geometry {
    width: usize,
    height: usize,
    mb_w: usize,
    mb_h: usize,
}

impl Geometry {
    fn stride(&self, p: usize) -> usize {
        if p == 0 {
            self.mb_w * 16
        } else {
            self.mb_w * 8
        }
    }

    fn rows(&self, p: usize) -> usize {
        if p == 0 {
            self.mb_h * 16
        } else {
            self.mb_h * 8
        }
    }

    fn blank(&self) -> Picture {
        Picture {
            planes: std::array::from_fn(|p| vec![0u8; self.stride(p) * self.rows(p)]),
        }
    }

    fn refs<'a>(&self, pic: &'a Picture) -> [RefPlane<'a>; 3] {
        std::array::from_fn(|p| RefPlane {
            data: &pic.planes[p],
            stride: self.stride(p),
            width: self.stride(p),
            height: self.rows(p),
        })
    }

    /// True when `frame` already has the macroblock-aligned layout (whole
    /// macroblocks, the strides of [`Geometry::stride`]), so that its planes
    /// can be read in place.
    fn fits(&self, frame: &Frame) -> bool {
        self.width == self.mb_w * 16
            && self.height == self.mb_h * 16
            && (0..3).all(|p| {
                frame.stride(p) == self.stride(p)
                    && frame.plane(p).len() >= self.stride(p) * self.rows(p)
            })
    }

    /// Copies a yuv420p frame into `pic` (a picture of this geometry, whose
    /// samples are all overwritten), repeating the edge samples up to the
    /// macroblock size.
    fn import(&self, frame: &Frame, mut pic: Picture) -> Result<Picture> {
        for p in 0..3 {
            let (w, h) = if p == 0 {
                (self.width, self.height)
            } else {
                (self.width.div_ceil(2), self.height.div_ceil(2))
            };
            let s = self.stride(p);
            let rows = self.rows(p);
            let src_stride = frame.stride(p);
            let src = frame.plane(p);
            let dst = &mut pic.planes[p];
            for y in 0..rows {
                let sy = y.min(h - 1);
                let line = src
                    .get(sy * src_stride..sy * src_stride + w)
                    .ok_or_else(|| invalid_params("frame plane smaller than its size"))?;
                let d = &mut dst[y * s..y * s + s];
                d[..w].copy_from_slice(line);
                let last = line[w - 1];
                d[w..].fill(last);
            }
        }
        Ok(pic)
    }
}

/// The samples of a received picture in the macroblock-aligned layout.
#[derive(Debug)]
enum SourcePic {
    /// A copy (with the edges repeated up to the macroblock size).
    Copy(Picture),
    /// The frame itself, which already has that layout (no copy).
    Frame(Frame),
}

impl SourcePic {
    /// Plane `p` (stride [`Geometry::stride`]).
    fn plane(&self, p: usize) -> &[u8] {
        match self {
            SourcePic::Copy(pic) => &pic.planes[p],
            SourcePic::Frame(f) => f.plane(p),
        }
    }
}

/// A received picture waiting to be coded.
#[derive(Debug)]
struct Source {
    pic: SourcePic,
    /// Display index.
    index: u64,
    pts: i64,
}

/// Motion analysis of one macroblock.
#[derive(Debug, Clone, Copy, Default)]
struct MbAnalysis {
    fwd: [i32; 2],
    fwd_cost: u32,
    bwd: [i32; 2],
    bwd_cost: u32,
    bi_cost: u32,
    intra_cost: u32,
}

/// How a macroblock was coded, for the skip rules and vector prediction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MbMode {
    Intra,
    Inter {
        fwd: Option<[i32; 2]>,
        bwd: Option<[i32; 2]>,
    },
}

/// Quantization of one picture: reciprocal steps per coefficient, in the
/// transposed order the transform gives (see [`tr`]).
struct Quant {
    qscale: u8,
    intra: [f32; 64],
    inter: [f32; 64],
}

impl Quant {
    fn new(q: u8, intra_m: &[u8; 64], inter_m: &[u8; 64]) -> Quant {
        let qf = f32::from(q);
        Quant {
            qscale: q,
            intra: std::array::from_fn(|k| 8.0 / (qf * f32::from(intra_m[tr(k)]))),
            inter: std::array::from_fn(|k| 8.0 / (qf * f32::from(inter_m[tr(k)]))),
        }
    }
}

/// The MPEG-1 video encoder (cf. FFmpeg's `mpeg1video` encoder).
pub struct Mpeg1VideoEncoder {
    params: CodecParameters,
    time_base: Rational,
    geo: Geometry,
    seq: SequenceHeader,
    /// Pictures per second, rounded (time codes).
    fps_round: u32,
    gop: u64,
    bframes: usize,
    fixed_q: Option<u8>,
    rc: Option<RateControl>,
    /// Pictures received, waiting to be coded (display order).
    pending: VecDeque<Source>,
    received: u64,
    /// Timestamps of received pictures not yet used as a DTS.
    pts_queue: VecDeque<i64>,
    coded: u64,
    /// Display index of the first picture of the current GOP.
    gop_first: u64,
    /// Older and newer reference pictures (reconstructed).
    refs: [Option<Picture>; 2],
    /// Pictures no longer used, recycled as sources and reconstructions
    /// (every sample of a recycled picture is overwritten before it is read).
    spare: Vec<Picture>,
    /// Forward vectors of the last P picture (candidates for the next searches).
    last_field: Vec<[i32; 2]>,
    /// Display index of the last P/I picture and the one before.
    ref_index: [u64; 2],
    last_q: u8,
    out: VecDeque<Packet>,
    eof: bool,
    default_duration: i64,
}

impl std::fmt::Debug for Mpeg1VideoEncoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Mpeg1VideoEncoder({}x{})",
            self.geo.width, self.geo.height
        )
    }
}

impl Mpeg1VideoEncoder {
    /// Opens an encoder. Private options: `maxrate` and `bufsize` (bits, with
    /// an optional k/M suffix) for the VBV of the rate control;
    /// `intra_matrix` and `inter_matrix` (64 comma-separated values 1..=255 in
    /// raster order, as FFmpeg's options of these names) replace the default
    /// quantizer matrices and are loaded in the sequence header (the intra DC
    /// entry is always written as 8, the fixed DC step).
    pub fn new(opts: &EncoderOptions) -> Result<Self> {
        let mut maxrate = None;
        let mut bufsize = None;
        let mut intra_matrix = DEFAULT_INTRA_MATRIX;
        let mut non_intra_matrix = DEFAULT_NON_INTRA_MATRIX;
        for (k, v) in opts.private.iter() {
            match k {
                "maxrate" => maxrate = Some(parse_rate(v).ok_or_else(|| invalid_option(k, v))?),
                "bufsize" => bufsize = Some(parse_rate(v).ok_or_else(|| invalid_option(k, v))?),
                "intra_matrix" => {
                    intra_matrix = parse_matrix(k, v)?;
                    // The intra DC step is fixed (8) whatever the matrix says;
                    // the header carries 8 there, as decoders expect.
                    intra_matrix[0] = 8;
                }
                "inter_matrix" => non_intra_matrix = parse_matrix(k, v)?,
                _ => {
                    return Err(Error::UnknownOption {
                        codec: "mpeg1video".into(),
                        option: k.to_owned(),
                    });
                }
            }
        }
        let p = &opts.params;
        if p.pix_fmt != Some(PixelFormat::Yuv420p) {
            return Err(invalid_params("mpeg1video encodes yuv420p only"));
        }
        let (width, height) = (p.width, p.height);
        // 175 slice start codes limit the height.
        if width == 0 || height == 0 || width > 4095 || height > 2800 {
            return Err(invalid_params(format!(
                "picture size {width}x{height} outside 1..4095 x 1..2800"
            )));
        }
        let rate = opts
            .frame_rate
            .filter(|r| r.num > 0 && r.den > 0)
            .or_else(|| {
                let tb = opts.time_base;
                (tb.num > 0 && tb.den > 0).then(|| tb.invert())
            })
            .ok_or_else(|| invalid_params("frame rate unknown"))?;
        let frame_rate_code = FRAME_RATES
            .iter()
            .take(9)
            .position(|&(n, d)| n > 0 && i64::from(n) * i64::from(rate.den) == i64::from(d) * i64::from(rate.num))
            .ok_or_else(|| {
                invalid_params(format!(
                    "frame rate {}/{} is not one of MPEG-1's (23.976, 24, 25, 29.97, 30, 50, 59.94, 60)",
                    rate.num, rate.den
                ))
            })? as u8;
        let fps = rate.to_f64();
        let gop = u64::from(opts.gop_size.unwrap_or(12).max(1));
        let bframes = opts.max_b_frames.unwrap_or(0).min(16) as usize;
        let fixed_q = match opts.global_quality {
            Some(q) if q.is_finite() && q > 0.0 => Some(q.round().clamp(1.0, 31.0) as u8),
            _ => None,
        };
        let bit_rate = opts.bit_rate.filter(|&b| b > 0);
        let nominal = bit_rate.unwrap_or(200_000);
        if bufsize.is_some() != maxrate.is_some() {
            return Err(invalid_params("maxrate and bufsize go together"));
        }
        let vbv = maxrate.zip(bufsize);
        let rc = match (fixed_q, bit_rate) {
            (None, Some(b)) => Some(RateControl::new(
                b as f64,
                fps,
                gop as u32,
                bframes as u32,
                vbv,
            )),
            _ => None,
        };
        // As FFmpeg: "variable" rate and a buffer size proportional to the rate,
        // unless a VBV is given.
        let (bit_rate_400, vbv_buffer_size) = match vbv {
            Some((max, size)) => (
                ((max / 400.0).ceil() as u32).min(0x3fffe),
                ((size / 16384.0).ceil() as u32).clamp(1, 1023) as u16,
            ),
            None => (
                0x3ffff,
                ((nominal * 20 / 1_152_000) as u32).clamp(1, 1023) as u16,
            ),
        };
        let sar = p.sample_aspect_ratio;
        let aspect_code = if sar.num > 0 && sar.den > 0 && sar.num != sar.den {
            // The pel aspect code closest to height/width of a pel (= 1 / SAR).
            let want = f64::from(sar.den) / f64::from(sar.num);
            (1..15u8)
                .min_by(|&a, &b| {
                    let da = (super::tables::PEL_ASPECT[usize::from(a)] - want).abs();
                    let db = (super::tables::PEL_ASPECT[usize::from(b)] - want).abs();
                    da.total_cmp(&db)
                })
                .unwrap_or(1)
        } else {
            1
        };
        let seq = SequenceHeader {
            width: width as u16,
            height: height as u16,
            aspect_code,
            frame_rate_code,
            bit_rate_400,
            vbv_buffer_size,
            constrained: false,
            intra_matrix,
            non_intra_matrix,
            custom_matrices: intra_matrix != DEFAULT_INTRA_MATRIX
                || non_intra_matrix != DEFAULT_NON_INTRA_MATRIX,
        };
        let mut params = p.clone();
        params.codec_id = CodecId::Mpeg1video;
        params.bit_rate = bit_rate;
        params.video_delay = 1;
        params.sample_aspect_ratio = super::tables::sample_aspect_ratio(aspect_code);
        if aspect_code == 1 && (sar.num == 0 || sar.den == 0) {
            params.sample_aspect_ratio = Rational::new(1, 1);
        }
        let geo = Geometry {
            width,
            height,
            mb_w: width.div_ceil(16),
            mb_h: height.div_ceil(16),
        };
        let tb = opts.time_base;
        let default_duration = if tb.num > 0 && tb.den > 0 {
            // One picture in the time base.
            ((i64::from(tb.den) * i64::from(rate.den)) as f64
                / (i64::from(tb.num) * i64::from(rate.num)) as f64)
                .round()
                .max(1.0) as i64
        } else {
            1
        };
        Ok(Mpeg1VideoEncoder {
            params,
            time_base: opts.time_base,
            geo,
            seq,
            fps_round: fps.round().max(1.0) as u32,
            gop,
            bframes,
            fixed_q,
            rc,
            pending: VecDeque::new(),
            received: 0,
            pts_queue: VecDeque::new(),
            coded: 0,
            gop_first: 0,
            refs: [None, None],
            spare: Vec::new(),
            last_field: Vec::new(),
            ref_index: [0, 0],
            last_q: fixed_q.unwrap_or(4),
            out: VecDeque::new(),
            eof: false,
            default_duration,
        })
    }

    /// A picture of the coded geometry with unspecified samples.
    fn fresh_picture(&mut self) -> Picture {
        self.spare.pop().unwrap_or_else(|| self.geo.blank())
    }

    /// A buffer for the reconstruction of a reference picture (`None` for a B picture).
    fn recon_buffer(&mut self, coding: PictureCoding) -> Option<Picture> {
        (coding != PictureCoding::B).then(|| self.fresh_picture())
    }

    /// Keeps `p` for reuse (when it is a whole picture).
    fn recycle(&mut self, p: Picture) {
        if p.planes[0].len() == self.geo.stride(0) * self.geo.rows(0) && self.spare.len() < 8 {
            self.spare.push(p);
        }
    }

    /// Codes the pending group: the newest picture as a reference (I or P),
    /// then the others as B pictures.
    fn code_group(&mut self, intra: bool) -> Result<()> {
        let Some(r) = self.pending.pop_back() else {
            return Ok(());
        };
        let bs: Vec<Source> = self.pending.drain(..).collect();
        if intra {
            self.gop_first = bs.first().map_or(r.index, |b| b.index);
        }
        let closed = bs.is_empty();
        let coding = if intra {
            PictureCoding::I
        } else {
            PictureCoding::P
        };
        let recon = self.code_picture(&r, coding, closed)?;
        // The newer reference becomes the older.
        let older = self.refs[1].take();
        if let [Some(p), _] = std::mem::replace(&mut self.refs, [older, Some(recon)]) {
            self.recycle(p);
        }
        self.ref_index = [self.ref_index[1], r.index];
        if let SourcePic::Copy(p) = r.pic {
            self.recycle(p);
        }
        for b in bs {
            let recon = self.code_picture(&b, PictureCoding::B, false)?;
            self.recycle(recon);
            if let SourcePic::Copy(p) = b.pic {
                self.recycle(p);
            }
        }
        Ok(())
    }

    /// Codes one picture, queues its packet and returns its reconstruction.
    fn code_picture(
        &mut self,
        src: &Source,
        coding: PictureCoding,
        closed: bool,
    ) -> Result<Picture> {
        let t = match coding {
            PictureCoding::I | PictureCoding::D => ratecontrol::I,
            PictureCoding::P => ratecontrol::P,
            PictureCoding::B => ratecontrol::B,
        };
        // Motion analysis (with the lambda of the last quantizer).
        let analysis = self.analyse(src, coding);
        let activity: f64 = analysis
            .iter()
            .map(|a| f64::from(best_cost(a, coding)))
            .sum();
        let q = match (&self.rc, self.fixed_q) {
            (_, Some(q)) => f64::from(q),
            (Some(rc), None) => rc.quantizer(t, activity),
            (None, None) => 4.0,
        };
        let mut q = q;
        // The first picture calibrates the model with a trial coding.
        if self.rc.as_ref().is_some_and(|rc| !rc.knows(t)) && t == ratecontrol::I {
            let buf = self.recon_buffer(coding);
            let (bits, trial) = self.code_with(src, coding, closed, &analysis, 6.0, buf)?;
            self.recycle(trial);
            if let Some(rc) = &mut self.rc {
                rc.calibrate(t, activity, 6.0, bits.len() as f64 * 8.0);
                q = rc.quantizer(t, activity);
            }
        }
        let mut q = q.round().clamp(1.0, 31.0);
        let buf = self.recon_buffer(coding);
        let (mut data, mut recon) = self.code_with(src, coding, closed, &analysis, q, buf)?;
        if let Some(limit) = self.rc.as_ref().and_then(|rc| rc.vbv_limit()) {
            while (data.len() * 8) as f64 > limit && q < 31.0 {
                q = (q + 2.0).min(31.0);
                let buf = self.recon_buffer(coding);
                let (d, r) = self.code_with(src, coding, closed, &analysis, q, buf)?;
                data = d;
                let old = std::mem::replace(&mut recon, r);
                self.recycle(old);
            }
        }
        if let Some(rc) = &mut self.rc {
            rc.update(t, activity, q, data.len() as f64 * 8.0);
        }
        self.last_q = q.round().clamp(1.0, 31.0) as u8;
        log::trace!(
            "mpeg1video: {coding:?} q {q} {} bits, activity {activity}",
            data.len() * 8
        );
        if coding == PictureCoding::P {
            self.last_field = analysis.iter().map(|a| a.fwd).collect();
        }
        // Timestamps: decoding order lags display order by one picture.
        let dts = if self.coded == 0 {
            src.pts - self.default_duration
        } else {
            self.pts_queue.pop_front().unwrap_or(src.pts)
        };
        self.coded += 1;
        let mut pkt = Packet::new(Buffer::from_vec(data));
        pkt.pts = Some(src.pts);
        pkt.dts = Some(dts);
        pkt.duration = Some(self.default_duration);
        pkt.time_base = self.time_base;
        pkt.flags.key = coding == PictureCoding::I;
        self.out.push_back(pkt);
        Ok(recon)
    }

    /// Motion analysis of every macroblock.
    fn analyse<'r>(&'r self, src: &Source, coding: PictureCoding) -> Vec<MbAnalysis> {
        let g = self.geo;
        let n = g.mb_w * g.mb_h;
        let mut out = vec![MbAnalysis::default(); n];
        let lambda = u32::from(self.last_q.max(1));
        let stride = g.stride(0);
        let (fwd_ref, bwd_ref) = match coding {
            PictureCoding::P => (self.refs[1].as_ref(), None),
            PictureCoding::B => (self.refs[0].as_ref(), self.refs[1].as_ref()),
            _ => (None, None),
        };
        // Temporal position of a B picture between its references (for scaled candidates).
        let (tb, td) = (
            src.index.saturating_sub(self.ref_index[0]) as i32,
            self.ref_index[1].saturating_sub(self.ref_index[0]).max(1) as i32,
        );
        let luma = src.pic.plane(0);
        let mut cur = [0u8; 256];
        for mb_y in 0..g.mb_h {
            for mb_x in 0..g.mb_w {
                let i = mb_y * g.mb_w + mb_x;
                let (x, y) = (mb_x * 16, mb_y * 16);
                for j in 0..16 {
                    let o = (y + j) * stride + x;
                    cur[j * 16..j * 16 + 16].copy_from_slice(&luma[o..o + 16]);
                }
                let mut a = MbAnalysis {
                    intra_cost: deviation16(&cur) + INTRA_BIAS,
                    fwd_cost: u32::MAX,
                    bwd_cost: u32::MAX,
                    bi_cost: u32::MAX,
                    ..MbAnalysis::default()
                };
                let neighbours = |get: &dyn Fn(&MbAnalysis) -> [i32; 2]| -> [[i32; 2]; 3] {
                    let left = if mb_x > 0 { get(&out[i - 1]) } else { [0, 0] };
                    let top = if mb_y > 0 {
                        get(&out[i - g.mb_w])
                    } else {
                        [0, 0]
                    };
                    let tr = if mb_y > 0 && mb_x + 1 < g.mb_w {
                        get(&out[i - g.mb_w + 1])
                    } else {
                        [0, 0]
                    };
                    [left, top, tr]
                };
                let colocated = self.last_field.get(i).copied().unwrap_or([0, 0]);
                let search = |r: &'r Picture, pmv| Search {
                    cur: &cur,
                    refp: g.refs(r)[0],
                    x,
                    y,
                    pmv,
                    lambda,
                    f_code: 2,
                    range: SEARCH_RANGE,
                };
                let mut fwd_search = None;
                if let Some(fr) = fwd_ref {
                    let [l, t, tr] = neighbours(&|m: &MbAnalysis| m.fwd);
                    let scaled = if coding == PictureCoding::B {
                        [colocated[0] * tb / td, colocated[1] * tb / td]
                    } else {
                        colocated
                    };
                    let s = search(fr, l);
                    let (mv, c) = s.full_pel(&[l, t, tr, scaled, median(l, t, tr)]);
                    let (mv, c, sad) = s.half_pel(mv, c);
                    a.fwd = mv;
                    a.fwd_cost = c;
                    fwd_search = Some((s, c - sad));
                }
                // A perfect forward prediction cannot be beaten.
                if let (Some((fs, fwd_pen)), Some(br), false) =
                    (fwd_search, bwd_ref, a.fwd_cost == 0)
                {
                    let [l, t, tr] = neighbours(&|m: &MbAnalysis| m.bwd);
                    let scaled = [colocated[0] * (tb - td) / td, colocated[1] * (tb - td) / td];
                    let s = search(br, l);
                    let (mv, c) = s.full_pel(&[l, t, tr, scaled, median(l, t, tr)]);
                    let (mv, c, sad) = s.half_pel(mv, c);
                    a.bwd = mv;
                    a.bwd_cost = c;
                    a.bi_cost = sad_bi(&fs, a.fwd, &s, a.bwd) + fwd_pen + (c - sad);
                }
                out[i] = a;
            }
        }
        out
    }

    /// Codes the picture at quantizer `q`; returns the bytes and the
    /// reconstruction (into `buf`, given for reference pictures only; an
    /// empty picture without it).
    fn code_with(
        &self,
        src: &Source,
        coding: PictureCoding,
        closed: bool,
        analysis: &[MbAnalysis],
        q: f64,
        buf: Option<Picture>,
    ) -> Result<(Vec<u8>, Picture)> {
        let g = self.geo;
        let mut w = BitWriter::with_capacity(g.mb_w * g.mb_h * 64);
        if coding == PictureCoding::I {
            self.seq.write(&mut w);
            GopHeader {
                time_code: GopHeader::time_code_of(self.gop_first, self.fps_round),
                closed,
                broken_link: false,
            }
            .write(&mut w);
        }
        // f_code: the smallest covering every vector used.
        let fcode_for = |sel: &dyn Fn(&MbAnalysis) -> [i32; 2]| -> u8 {
            let m = analysis
                .iter()
                .map(|a| {
                    let v = sel(a);
                    v[0].abs().max(v[1].abs())
                })
                .max()
                .unwrap_or(0);
            (1..=7u8).find(|&f| m < 16 << (f - 1)).unwrap_or(7)
        };
        let header = PictureHeader {
            temporal_reference: (src.index.saturating_sub(self.gop_first) & 0x3ff) as u16,
            coding,
            vbv_delay: 0xffff,
            full_pel_forward: false,
            forward_f_code: if coding == PictureCoding::I {
                1
            } else {
                fcode_for(&|a| a.fwd)
            },
            full_pel_backward: false,
            backward_f_code: if coding == PictureCoding::B {
                fcode_for(&|a| a.bwd)
            } else {
                1
            },
        };
        header.write(&mut w);
        let quant = Quant::new(
            q.round().clamp(1.0, 31.0) as u8,
            &self.seq.intra_matrix,
            &self.seq.non_intra_matrix,
        );
        let refs = [
            match coding {
                PictureCoding::P => self.refs[1].as_ref(),
                PictureCoding::B => self.refs[0].as_ref(),
                _ => None,
            },
            match coding {
                PictureCoding::B => self.refs[1].as_ref(),
                _ => None,
            },
        ];
        let mut coder = PictureCoder {
            geo: g,
            src: std::array::from_fn(|p| src.pic.plane(p)),
            header,
            fwd: refs[0].map(|p| g.refs(p)),
            bwd: refs[1].map(|p| g.refs(p)),
            quant,
            intra_m: &self.seq.intra_matrix,
            inter_m: &self.seq.non_intra_matrix,
            min_inter_m: u32::from(self.seq.non_intra_matrix.iter().copied().min().unwrap_or(1)),
            recon: buf,
            w,
            dct_tab: dct_enc_table(),
        };
        for mb_y in 0..g.mb_h {
            coder.code_slice(mb_y, analysis)?;
        }
        let recon = coder.recon.take().unwrap_or_else(|| Picture {
            planes: [Vec::new(), Vec::new(), Vec::new()],
        });
        Ok((coder.w.finish(), recon))
    }
}

fn median(a: [i32; 2], b: [i32; 2], c: [i32; 2]) -> [i32; 2] {
    let m = |x: i32, y: i32, z: i32| x.max(y).min(x.min(y).max(z));
    [m(a[0], b[0], c[0]), m(a[1], b[1], c[1])]
}

/// The cost of the best way to code a macroblock, as analysed.
fn best_cost(a: &MbAnalysis, coding: PictureCoding) -> u32 {
    match coding {
        PictureCoding::P => a.fwd_cost.min(a.intra_cost),
        PictureCoding::B => a.fwd_cost.min(a.bwd_cost).min(a.bi_cost).min(a.intra_cost),
        _ => a.intra_cost,
    }
}

/// Per-slice state shared with the macroblock coder.
struct SliceState {
    dc_pred: [i32; 3],
    /// Vector predictors (half-pels) per direction.
    pmv: [[i32; 2]; 2],
    /// The previous macroblock's mode (None at the slice start).
    prev: Option<MbMode>,
    /// Column of the last coded macroblock (-1 at the slice start).
    last_x: isize,
}

/// Everything needed to code one picture.
struct PictureCoder<'a> {
    geo: Geometry,
    /// The source planes.
    src: [&'a [u8]; 3],
    header: PictureHeader,
    fwd: Option<[RefPlane<'a>; 3]>,
    bwd: Option<[RefPlane<'a>; 3]>,
    quant: Quant,
    intra_m: &'a [u8; 64],
    inter_m: &'a [u8; 64],
    /// Smallest entry of `inter_m`.
    min_inter_m: u32,
    recon: Option<Picture>,
    w: BitWriter,
    dct_tab: &'static DctEncTable,
}

/// Most bytes one block can take: a DC (at most 20 bits) and 63 escaped
/// coefficients (at most 28 bits each), then the end of block.
const BLOCK_BYTES: usize = 256;

/// Where block `b` lies in a macroblock held as luma 16x16 then Cb and Cr
/// 8x8: (offset, stride).
const MB_LAYOUT: [(usize, usize); 6] = [(0, 16), (8, 16), (128, 16), (136, 16), (256, 8), (320, 8)];

/// Block `b` of a macroblock held as [`MB_LAYOUT`], minus `pred` when given, as 16-bit values.
#[inline]
fn block_of(m: &[u8; 384], pred: Option<&[u8; 384]>, b: usize) -> [i16; 64] {
    let (off, stride) = MB_LAYOUT[b];
    let mut out = [0i16; 64];
    for (j, o) in out.chunks_exact_mut(8).enumerate() {
        let r = off + j * stride;
        let src = &m[r..r + 8];
        match pred {
            Some(p) => {
                let pr = &p[r..r + 8];
                for i in 0..8 {
                    o[i] = i16::from(src[i]) - i16::from(pr[i]);
                }
            }
            None => {
                for i in 0..8 {
                    o[i] = i16::from(src[i]);
                }
            }
        }
    }
    out
}

/// The transposed index of `k` and back: coefficients are held in the
/// transposed order `u * 8 + v` (`u` the horizontal frequency), the order
/// the transform leaves them in; raster order is `v * 8 + u`.
const fn tr(k: usize) -> usize {
    (k % 8) * 8 + k / 8
}

/// Zig-zag position -> transposed index.
const ZIGZAG_T: [u8; 64] = {
    let mut t = [0u8; 64];
    let mut i = 0;
    while i < 64 {
        t[i] = tr(ZIGZAG[i] as usize) as u8;
        i += 1;
    }
    t
};

/// Transposed index -> zig-zag position (the inverse of [`ZIGZAG_T`]).
const INV_ZIGZAG_T: [u8; 64] = {
    let mut t = [0u8; 64];
    let mut i = 0;
    while i < 64 {
        t[ZIGZAG_T[i] as usize] = i as u8;
        i += 1;
    }
    t
};

/// Quantizes the coefficients `f` (any order) with reciprocal steps `inv`
/// and rounding offset `bias` into `levels` (same order as `f`, clipped to
/// 255 in magnitude). Returns the mask of the nonzero levels (bit `j` for
/// index `j`).
#[inline]
fn quantize(f: &[f32; 64], inv: &[f32; 64], bias: f32, levels: &mut [i16; 64]) -> u64 {
    #[cfg(target_arch = "x86_64")]
    {
        x86::quantize(f, inv, bias, levels)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        quantize_scalar(f, inv, bias, levels)
    }
}

/// The portable [`quantize`], the reference of the SIMD one.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn quantize_scalar(f: &[f32; 64], inv: &[f32; 64], bias: f32, levels: &mut [i16; 64]) -> u64 {
    let mut mask = 0u64;
    for i in 0..64 {
        let a = (f[i].abs() * inv[i] + bias).min(255.0) as i16;
        levels[i] = if f[i] < 0.0 { -a } else { a };
        mask |= u64::from(a != 0) << i;
    }
    mask
}

/// Forward DCT of `src` and [`quantize`] (the fused AVX2 kernel when the CPU
/// has it), in transposed order (`inv`, `levels` and the mask); returns the
/// nonzero mask and the DC coefficient.
#[inline]
fn transform_quantize(
    src: &[i16; 64],
    inv: &[f32; 64],
    bias: f32,
    levels: &mut [i16; 64],
) -> (u64, f32) {
    if let Some(r) = fdct_quantize(src, inv, bias, levels) {
        return r;
    }
    transform_quantize_portable(src, inv, bias, levels)
}

/// [`transform_quantize`] without the fused kernel.
fn transform_quantize_portable(
    src: &[i16; 64],
    inv: &[f32; 64],
    bias: f32,
    levels: &mut [i16; 64],
) -> (u64, f32) {
    let mut f = [0f32; 64];
    fdct(src, &mut f);
    let ft: [f32; 64] = std::array::from_fn(|k| f[tr(k)]);
    (quantize(&ft, inv, bias, levels), f[0])
}

/// The zig-zag mask (bit `i` for zig-zag position `i`) of a mask in transposed order.
#[inline]
fn zigzag_mask(transposed: u64) -> u64 {
    let mut m = transposed;
    let mut z = 0u64;
    while m != 0 {
        z |= 1u64 << INV_ZIGZAG_T[m.trailing_zeros() as usize];
        m &= m - 1;
    }
    z
}

/// Sum of `|m - pred|` over each of the six blocks of a macroblock held as
/// [`MB_LAYOUT`] (a bound on the residual's DCT coefficients).
#[inline]
fn block_energies(m: &[u8; 384], pred: &[u8; 384]) -> [u32; 6] {
    #[cfg(target_arch = "x86_64")]
    {
        x86::block_energies(m, pred)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        block_energies_scalar(m, pred)
    }
}

/// The portable [`block_energies`], the reference of the SIMD one.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn block_energies_scalar(m: &[u8; 384], pred: &[u8; 384]) -> [u32; 6] {
    std::array::from_fn(|b| {
        let (off, stride) = MB_LAYOUT[b];
        (0..8)
            .map(|j| {
                let r = off + j * stride;
                m[r..r + 8]
                    .iter()
                    .zip(&pred[r..r + 8])
                    .map(|(&a, &p)| u32::from(a.abs_diff(p)))
                    .sum::<u32>()
            })
            .sum()
    })
}

/// SSE2 twins of the kernels above (SSE2 is part of the x86-64 baseline: no
/// run-time detection). Each computes exactly the values of its scalar twin.
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod x86 {
    use std::arch::x86_64::{
        __m128, __m128i, _mm_add_epi64, _mm_add_ps, _mm_and_ps, _mm_castps_si128, _mm_castsi128_ps,
        _mm_cmpeq_epi16, _mm_cmplt_ps, _mm_cvtsi128_si32, _mm_cvttps_epi32, _mm_loadu_ps,
        _mm_loadu_si128, _mm_min_ps, _mm_movemask_epi8, _mm_mul_ps, _mm_packs_epi16,
        _mm_packs_epi32, _mm_sad_epu8, _mm_set1_epi32, _mm_set1_ps, _mm_setzero_ps,
        _mm_setzero_si128, _mm_srli_si128, _mm_storeu_si128, _mm_sub_epi32, _mm_xor_si128,
    };

    use super::MB_LAYOUT;

    /// [`super::quantize_scalar`], eight coefficients at a time: `minps` keeps
    /// the scalar `min` (at most 255), `cvttps2dq` truncates as `as` does on
    /// that range, the sign is applied as `(a ^ s) - s`.
    #[inline]
    pub(super) fn quantize(
        f: &[f32; 64],
        inv: &[f32; 64],
        bias: f32,
        levels: &mut [i16; 64],
    ) -> u64 {
        // SAFETY: SSE2 is part of the x86-64 baseline.
        unsafe { quantize_sse2(f, inv, bias, levels) }
    }

    /// Four levels (32-bit) of `f[o..o + 4]`.
    ///
    /// # Safety
    /// `o + 4 <= 64`.
    #[inline]
    #[target_feature(enable = "sse2")]
    unsafe fn quantize4(f: &[f32; 64], inv: &[f32; 64], o: usize, bias: __m128) -> __m128i {
        debug_assert!(o + 4 <= 64);
        // SAFETY: the caller guarantees o + 4 <= 64 for both arrays; unaligned loads.
        let (x, r) = unsafe {
            (
                _mm_loadu_ps(f.as_ptr().add(o)),
                _mm_loadu_ps(inv.as_ptr().add(o)),
            )
        };
        let abs = _mm_castsi128_ps(_mm_set1_epi32(0x7fff_ffff));
        let m = _mm_min_ps(
            _mm_add_ps(_mm_mul_ps(_mm_and_ps(x, abs), r), bias),
            _mm_set1_ps(255.0),
        );
        let a = _mm_cvttps_epi32(m);
        let s = _mm_castps_si128(_mm_cmplt_ps(x, _mm_setzero_ps()));
        _mm_sub_epi32(_mm_xor_si128(a, s), s)
    }

    #[inline]
    #[target_feature(enable = "sse2")]
    fn quantize_sse2(f: &[f32; 64], inv: &[f32; 64], bias: f32, levels: &mut [i16; 64]) -> u64 {
        let b = _mm_set1_ps(bias);
        let mut mask = 0u64;
        for k in 0..8 {
            // SAFETY: k * 8 + 8 <= 64.
            let v = unsafe {
                _mm_packs_epi32(quantize4(f, inv, k * 8, b), quantize4(f, inv, k * 8 + 4, b))
            };
            // SAFETY: k * 8 + 8 <= 64 levels of two bytes; unaligned store.
            unsafe { _mm_storeu_si128(levels.as_mut_ptr().add(k * 8).cast(), v) };
            let z = _mm_cmpeq_epi16(v, _mm_setzero_si128());
            let nz = !_mm_movemask_epi8(_mm_packs_epi16(z, z)) as u64 & 0xff;
            mask |= nz << (k * 8);
        }
        mask
    }

    /// [`super::block_energies_scalar`] with `psadbw`: a luma row covers two
    /// blocks (one per 64-bit half), a 16-byte chroma load two rows of one.
    #[inline]
    pub(super) fn block_energies(m: &[u8; 384], pred: &[u8; 384]) -> [u32; 6] {
        // SAFETY: SSE2 is part of the x86-64 baseline.
        unsafe { block_energies_sse2(m, pred) }
    }

    /// `psadbw` of `m[o..o + 16]` and `pred[o..o + 16]`.
    ///
    /// # Safety
    /// `o + 16 <= 384`.
    #[inline]
    #[target_feature(enable = "sse2")]
    unsafe fn sad_at(m: &[u8; 384], pred: &[u8; 384], o: usize) -> __m128i {
        debug_assert!(o + 16 <= 384);
        // SAFETY: the caller guarantees o + 16 <= 384 for both arrays; unaligned loads.
        unsafe {
            _mm_sad_epu8(
                _mm_loadu_si128(m.as_ptr().add(o).cast()),
                _mm_loadu_si128(pred.as_ptr().add(o).cast()),
            )
        }
    }

    #[inline]
    #[target_feature(enable = "sse2")]
    fn block_energies_sse2(m: &[u8; 384], pred: &[u8; 384]) -> [u32; 6] {
        let mut e = [0u32; 6];
        for half in 0..2 {
            let mut acc = _mm_setzero_si128();
            for j in 0..8 {
                // SAFETY: half * 128 + j * 16 + 16 <= 256.
                acc = _mm_add_epi64(acc, unsafe { sad_at(m, pred, half * 128 + j * 16) });
            }
            e[half * 2] = _mm_cvtsi128_si32(acc) as u32;
            e[half * 2 + 1] = _mm_cvtsi128_si32(_mm_srli_si128::<8>(acc)) as u32;
        }
        for (b, eb) in e.iter_mut().enumerate().skip(4) {
            let off = MB_LAYOUT[b].0;
            let mut acc = _mm_setzero_si128();
            for j in 0..4 {
                // SAFETY: off + j * 16 + 16 <= 320 + 64 = 384.
                acc = _mm_add_epi64(acc, unsafe { sad_at(m, pred, off + j * 16) });
            }
            acc = _mm_add_epi64(acc, _mm_srli_si128::<8>(acc));
            *eb = _mm_cvtsi128_si32(acc) as u32;
        }
        e
    }
}

/// The six blocks of a macroblock: plane, x, y.
fn block_pos(mb_x: usize, mb_y: usize, b: usize) -> (usize, usize, usize) {
    if b < 4 {
        (0, mb_x * 16 + (b & 1) * 8, mb_y * 16 + (b >> 1) * 8)
    } else {
        (b - 3, mb_x * 8, mb_y * 8)
    }
}

impl PictureCoder<'_> {
    fn code_slice(&mut self, mb_y: usize, analysis: &[MbAnalysis]) -> Result<()> {
        let g = self.geo;
        write_start_code(&mut self.w, (mb_y + 1) as u8);
        self.w.write(5, u32::from(self.quant.qscale));
        self.w.write_bit(false);
        let mut st = SliceState {
            dc_pred: [128; 3],
            pmv: [[0; 2]; 2],
            prev: None,
            last_x: -1,
        };
        for mb_x in 0..g.mb_w {
            let a = &analysis[mb_y * g.mb_w + mb_x];
            let edge = mb_x == 0 || mb_x + 1 == g.mb_w;
            self.code_mb(&mut st, a, mb_x, mb_y, edge);
        }
        Ok(())
    }

    fn write_increment(&mut self, st: &mut SliceState, mb_x: usize) {
        let mut inc = (mb_x as isize - st.last_x) as usize;
        while inc > 33 {
            let (c, l) = MBA_INCREMENT[MBA_ESCAPE as usize];
            self.w.write(u32::from(l), u32::from(c));
            inc -= 33;
        }
        let (c, l) = MBA_INCREMENT[inc - 1];
        self.w.write(u32::from(l), u32::from(c));
        st.last_x = mb_x as isize;
    }

    /// Source samples of the macroblock into `m`: luma 16x16, then Cb and Cr
    /// 8x8 (as [`MB_LAYOUT`]); filled in place, as a returned array was
    /// copied out with a `memcpy` call.
    fn load_mb(&self, mb_x: usize, mb_y: usize, m: &mut [u8; 384]) {
        let s = self.geo.stride(0);
        for j in 0..16 {
            let o = (mb_y * 16 + j) * s + mb_x * 16;
            m[j * 16..j * 16 + 16].copy_from_slice(&self.src[0][o..o + 16]);
        }
        for p in 1..3 {
            let s = self.geo.stride(p);
            let base = 256 + (p - 1) * 64;
            for j in 0..8 {
                let o = (mb_y * 8 + j) * s + mb_x * 8;
                m[base + j * 8..base + j * 8 + 8].copy_from_slice(&self.src[p][o..o + 8]);
            }
        }
    }

    fn code_mb(
        &mut self,
        st: &mut SliceState,
        a: &MbAnalysis,
        mb_x: usize,
        mb_y: usize,
        edge: bool,
    ) {
        let coding = self.header.coding;
        let mode = match coding {
            PictureCoding::I | PictureCoding::D => MbMode::Intra,
            PictureCoding::P => {
                if a.intra_cost < a.fwd_cost {
                    MbMode::Intra
                } else {
                    MbMode::Inter {
                        fwd: Some(a.fwd),
                        bwd: None,
                    }
                }
            }
            PictureCoding::B => {
                let best = a.fwd_cost.min(a.bwd_cost).min(a.bi_cost);
                if a.intra_cost < best {
                    MbMode::Intra
                } else if a.bi_cost == best {
                    MbMode::Inter {
                        fwd: Some(a.fwd),
                        bwd: Some(a.bwd),
                    }
                } else if a.fwd_cost == best {
                    MbMode::Inter {
                        fwd: Some(a.fwd),
                        bwd: None,
                    }
                } else {
                    MbMode::Inter {
                        fwd: None,
                        bwd: Some(a.bwd),
                    }
                }
            }
        };
        match mode {
            MbMode::Intra => self.code_intra(st, mb_x, mb_y),
            MbMode::Inter { fwd, bwd } => self.code_inter(st, fwd, bwd, mb_x, mb_y, edge),
        }
    }

    fn code_intra(&mut self, st: &mut SliceState, mb_x: usize, mb_y: usize) {
        self.write_increment(st, mb_x);
        match self.header.coding {
            PictureCoding::I => self.w.write(1, 1),
            PictureCoding::P => write_mb_type(&mut self.w, &MB_TYPE_P, mb::INTRA),
            _ => write_mb_type(&mut self.w, &MB_TYPE_B, mb::INTRA),
        }
        let qscale2 = i32::from(self.quant.qscale) * 2;
        let mut m = [0u8; 384];
        self.load_mb(mb_x, mb_y, &mut m);
        for b in 0..6 {
            let src = block_of(&m, None, b);
            let mut levels = [0i16; 64];
            let (mask, f0) = transform_quantize(&src, &self.quant.intra, 0.375, &mut levels);
            // The DC is coded apart.
            let mask = mask & !1;
            let dc = ((f0 * 0.125).round() as i32).clamp(0, 255);
            let comp = if b < 4 { 0 } else { b - 3 };
            let diff = dc - st.dc_pred[comp];
            st.dc_pred[comp] = dc;
            let tab = self.dct_tab;
            self.w.batch(BLOCK_BYTES, |bw| {
                write_dc(bw, diff, comp != 0);
                write_ac(bw, tab, &levels, zigzag_mask(mask), 1, false);
                let (c, l) = DCT_EOB;
                bw.write(u32::from(l), u32::from(c));
            });
            if let Some(rec) = &mut self.recon {
                let mut blk = [0i16; 64];
                blk[0] = (dc * 8) as i16;
                let mut m = mask;
                while m != 0 {
                    let k = m.trailing_zeros() as usize;
                    m &= m - 1;
                    let (lv, j) = (levels[k], tr(k));
                    let v = dequant_intra(i32::from(lv.unsigned_abs()), qscale2, self.intra_m[j]);
                    blk[j] = if lv < 0 { -v } else { v } as i16;
                }
                let (p, x, y) = block_pos(mb_x, mb_y, b);
                let s = self.geo.stride(p);
                if mask == 0 {
                    dct::idct_put_dc(blk[0], &mut rec.planes[p], y * s + x, s);
                } else {
                    dct::idct_put(&mut blk, &mut rec.planes[p], y * s + x, s);
                }
            }
        }
        st.pmv = [[0; 2]; 2];
        st.prev = Some(MbMode::Intra);
    }

    /// Prediction of the macroblock into `pred` (luma 256, then 64 + 64 chroma).
    fn predict(
        &self,
        fwd: Option<[i32; 2]>,
        bwd: Option<[i32; 2]>,
        mb_x: usize,
        mb_y: usize,
        pred: &mut [u8; 384],
    ) {
        let mut avg = false;
        for (mv, refs) in [(fwd, self.fwd), (bwd, self.bwd)] {
            let (Some([mx, my]), Some(r)) = (mv, refs) else {
                continue;
            };
            predict::<16>(
                &mut pred[..256],
                0,
                16,
                r[0],
                mb_x * 16,
                mb_y * 16,
                mx,
                my,
                avg,
            );
            let (cx, cy) = (mx / 2, my / 2);
            predict::<8>(
                &mut pred[256..320],
                0,
                8,
                r[1],
                mb_x * 8,
                mb_y * 8,
                cx,
                cy,
                avg,
            );
            predict::<8>(
                &mut pred[320..],
                0,
                8,
                r[2],
                mb_x * 8,
                mb_y * 8,
                cx,
                cy,
                avg,
            );
            avg = true;
        }
    }

    fn code_inter(
        &mut self,
        st: &mut SliceState,
        fwd: Option<[i32; 2]>,
        bwd: Option<[i32; 2]>,
        mb_x: usize,
        mb_y: usize,
        edge: bool,
    ) {
        let coding = self.header.coding;
        let mut pred = [0u8; 384];
        self.predict(fwd, bwd, mb_x, mb_y, &mut pred);
        // Residual, transform and quantization of the six blocks.
        let mut levels = [[0i16; 64]; 6];
        let mut masks = [0u64; 6];
        let mut cbp = 0u32;
        let mut m = [0u8; 384];
        self.load_mb(mb_x, mb_y, &mut m);
        let energies = block_energies(&m, &pred);
        for b in 0..6 {
            // |F| <= sum |res| / 4, and a level is 0 while |F| < q * m / 8.
            if energies[b] * 2 < u32::from(self.quant.qscale) * self.min_inter_m {
                continue;
            }
            let res = block_of(&m, Some(&pred), b);
            let (mask, _) = transform_quantize(&res, &self.quant.inter, 0.0, &mut levels[b]);
            if mask != 0 {
                masks[b] = mask;
                cbp |= 32 >> b;
            }
        }
        // Skipped macroblock?
        let mode = MbMode::Inter { fwd, bwd };
        let skip = cbp == 0
            && !edge
            && match coding {
                PictureCoding::P => fwd == Some([0, 0]),
                _ => st.prev == Some(mode),
            };
        if skip {
            if coding == PictureCoding::P {
                st.pmv[0] = [0, 0];
            }
            st.dc_pred = [128; 3];
            st.prev = Some(mode);
            self.reconstruct_inter(&pred, &levels, &masks, cbp, mb_x, mb_y);
            return;
        }
        self.write_increment(st, mb_x);
        let mut flags = 0u8;
        let use_mv_p = coding == PictureCoding::P && (fwd != Some([0, 0]) || cbp == 0);
        if coding == PictureCoding::P {
            if use_mv_p {
                flags |= mb::FORWARD;
            }
        } else {
            if fwd.is_some() {
                flags |= mb::FORWARD;
            }
            if bwd.is_some() {
                flags |= mb::BACKWARD;
            }
        }
        if cbp != 0 {
            flags |= mb::PATTERN;
        }
        let table: &[((u16, u8), u8)] = if coding == PictureCoding::P {
            &MB_TYPE_P
        } else {
            &MB_TYPE_B
        };
        write_mb_type(&mut self.w, table, flags);
        let f_codes = [self.header.forward_f_code, self.header.backward_f_code];
        for (d, mv) in [fwd, bwd].into_iter().enumerate() {
            if flags & [mb::FORWARD, mb::BACKWARD][d] == 0 {
                continue;
            }
            let Some(mv) = mv else { continue };
            for (&v, p) in mv.iter().zip(st.pmv[d].iter_mut()) {
                write_motion(&mut self.w, v - *p, f_codes[d]);
                *p = v;
            }
        }
        if coding == PictureCoding::P && !use_mv_p {
            st.pmv[0] = [0, 0];
        }
        if cbp != 0 {
            let (c, l) = CBP[cbp as usize];
            self.w.write(u32::from(l), u32::from(c));
            let tab = self.dct_tab;
            self.w.batch(6 * BLOCK_BYTES, |bw| {
                for b in 0..6 {
                    if cbp & (32 >> b) != 0 {
                        write_ac(bw, tab, &levels[b], zigzag_mask(masks[b]), 0, true);
                        let (c, l) = DCT_EOB;
                        bw.write(u32::from(l), u32::from(c));
                    }
                }
            });
        }
        st.dc_pred = [128; 3];
        st.prev = Some(mode);
        self.reconstruct_inter(&pred, &levels, &masks, cbp, mb_x, mb_y);
    }

    fn reconstruct_inter(
        &mut self,
        pred: &[u8; 384],
        levels: &[[i16; 64]; 6],
        masks: &[u64; 6],
        cbp: u32,
        mb_x: usize,
        mb_y: usize,
    ) {
        let qscale2 = i32::from(self.quant.qscale) * 2;
        let inter_m = self.inter_m;
        let g = self.geo;
        let Some(rec) = &mut self.recon else {
            return;
        };
        for b in 0..6 {
            let (p, x, y) = block_pos(mb_x, mb_y, b);
            let s = g.stride(p);
            let (poff, pstride) = MB_LAYOUT[b];
            let plane = &mut rec.planes[p];
            for j in 0..8 {
                let d = (y + j) * s + x;
                plane[d..d + 8].copy_from_slice(&pred[poff + j * pstride..poff + j * pstride + 8]);
            }
            if cbp & (32 >> b) == 0 {
                continue;
            }
            let mut blk = [0i16; 64];
            let mut m = masks[b];
            while m != 0 {
                let k = m.trailing_zeros() as usize;
                m &= m - 1;
                let (lv, j) = (levels[b][k], tr(k));
                let v = dequant_inter(i32::from(lv.unsigned_abs()), qscale2, inter_m[j]);
                blk[j] = if lv < 0 { -v } else { v } as i16;
            }
            // Only the DC?
            if masks[b] == 1 {
                dct::idct_add_dc(blk[0], plane, y * s + x, s);
            } else {
                dct::idct_add(&mut blk, plane, y * s + x, s);
            }
        }
    }
}

/// Writes the macroblock type code with `flags` from a P or B table.
fn write_mb_type(w: &mut BitWriter, table: &[((u16, u8), u8)], flags: u8) {
    if let Some(&((c, l), _)) = table.iter().find(|e| e.1 == flags) {
        w.write(u32::from(l), u32::from(c));
    }
}

/// Writes an intra DC difference.
fn write_dc(w: &mut BitBatch<'_>, diff: i32, chroma: bool) {
    let size = 32 - diff.unsigned_abs().leading_zeros();
    let (c, l) = if chroma {
        DC_SIZE_CHROMA[size as usize]
    } else {
        DC_SIZE_LUMA[size as usize]
    };
    w.write(u32::from(l), u32::from(c));
    if size > 0 {
        let v = if diff > 0 {
            diff
        } else {
            diff + (1 << size) - 1
        };
        w.write(size, v as u32);
    }
}

/// Writes a motion vector difference (half-pels) with `f_code`.
fn write_motion(w: &mut BitWriter, d: i32, f_code: u8) {
    let r = u32::from(f_code.clamp(1, 7)) - 1;
    let f = 1i32 << r;
    let mut d = d;
    if d < -16 * f {
        d += 32 * f;
    } else if d >= 16 * f {
        d -= 32 * f;
    }
    if d == 0 {
        let (c, l) = MOTION_CODE[0];
        w.write(u32::from(l), u32::from(c));
        return;
    }
    let a = d.unsigned_abs() - 1;
    let code = ((a >> r) + 1) as usize;
    let (c, l) = MOTION_CODE[code.min(16)];
    w.write(u32::from(l), u32::from(c));
    w.write_bit(d < 0);
    if r > 0 {
        w.write(r, a & ((1 << r) - 1));
    }
}

/// Writes the run/level pairs of the nonzero zig-zag positions in `mask`
/// (none below `start`; no end of block) of `levels` (transposed order, see
/// [`tr`]); `inter`
/// selects the short code of a first coefficient ±1. Only the nonzero
/// positions are visited.
fn write_ac(
    w: &mut BitBatch<'_>,
    tab: &DctEncTable,
    levels: &[i16; 64],
    mask: u64,
    start: usize,
    inter: bool,
) {
    // Position after the previous coded coefficient.
    let mut next = start;
    let mut m = mask;
    // A first coefficient ±1 at position 0 of a non-intra block has a short code.
    if inter && m & 1 != 0 {
        let lv = levels[usize::from(ZIGZAG_T[0])];
        if lv.unsigned_abs() == 1 {
            w.write(2, 0b10 | u32::from(lv < 0));
            m &= m - 1;
            next = 1;
        }
    }
    while m != 0 {
        let i = m.trailing_zeros() as usize;
        m &= m - 1;
        let run = i.saturating_sub(next);
        next = i + 1;
        let lv = levels[usize::from(ZIGZAG_T[i])];
        let k = (i32::from(lv) + 40) as usize;
        let e = if run < 32 && k <= 80 { tab[run][k] } else { 0 };
        if e != 0 {
            // Code and sign bit at once.
            w.write(e & 0xff, e >> 8);
        } else {
            let (c, l) = DCT_ESCAPE;
            w.write(u32::from(l), u32::from(c));
            w.write(6, run as u32);
            let v = i32::from(lv);
            if (-127..=127).contains(&v) {
                w.write(8, (v & 0xff) as u32);
            } else if v > 0 {
                w.write(16, v as u32);
            } else {
                w.write(16, 0x8000 | ((v + 256) as u32 & 0xff));
            }
        }
    }
}

impl Encoder for Mpeg1VideoEncoder {
    fn parameters(&self) -> &CodecParameters {
        &self.params
    }

    fn time_base(&self) -> Rational {
        self.time_base
    }

    fn send_frame(&mut self, frame: &Frame) -> Result<SendStatus> {
        if self.eof {
            return Err(Error::InvalidState {
                what: "frame sent after end of stream",
            });
        }
        let Some(v) = frame.video() else {
            return Err(Error::FrameMismatch {
                codec: CodecId::Mpeg1video,
                what: "media type",
                expected: "video".into(),
                found: "audio".into(),
            });
        };
        if v.format != PixelFormat::Yuv420p
            || v.width != self.geo.width
            || v.height != self.geo.height
        {
            return Err(Error::FrameMismatch {
                codec: CodecId::Mpeg1video,
                what: "picture",
                expected: format!("{}x{} yuv420p", self.geo.width, self.geo.height),
                found: format!("{}x{} {}", v.width, v.height, v.format),
            });
        }
        let index = self.received;
        self.received += 1;
        let pts = frame.pts.unwrap_or(index as i64 * self.default_duration);
        self.pts_queue.push_back(pts);
        let pic = if self.geo.fits(frame) {
            SourcePic::Frame(frame.clone())
        } else {
            let buf = self.fresh_picture();
            SourcePic::Copy(self.geo.import(frame, buf)?)
        };
        self.pending.push_back(Source { pic, index, pts });
        let gop_start = index.is_multiple_of(self.gop);
        if gop_start || self.pending.len() > self.bframes {
            self.code_group(gop_start)?;
        }
        Ok(SendStatus::Accepted)
    }

    fn send_eof(&mut self) -> Result<()> {
        if !self.eof {
            self.eof = true;
            self.code_group(false)?;
        }
        Ok(())
    }

    fn receive_packet(&mut self) -> Result<Received<Packet>> {
        Ok(match self.out.pop_front() {
            Some(p) => Received::Item(p),
            None if self.eof => Received::EndOfStream,
            None => Received::NeedsInput,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::{Decoder, DecoderOptions};
    use crate::codecs::mpeg1video::Mpeg1VideoDecoder;

    /// A moving synthetic picture: gradients, a bright square moving right and down.
    fn picture(w: usize, h: usize, n: usize) -> Frame {
        let mut f = Frame::new_video(PixelFormat::Yuv420p, w, h).unwrap();
        for p in 0..3 {
            let (pw, ph) = if p == 0 {
                (w, h)
            } else {
                (w.div_ceil(2), h.div_ceil(2))
            };
            let s = f.stride(p);
            let d = f.plane_mut(p);
            for y in 0..ph {
                for x in 0..pw {
                    let (sx, sy) = if p == 0 { (x, y) } else { (x * 2, y * 2) };
                    let inside =
                        (sx + 40 - 3 * n % 40) % 40 < 12 && (sy + 30 - 2 * n % 30) % 30 < 10;
                    d[y * s + x] = if inside {
                        [235, 60, 200][p]
                    } else {
                        ((sx * 3 + sy * 2 + n) % 200 + [16, 60, 90][p]) as u8
                    };
                }
            }
        }
        f.pts = Some(n as i64);
        f
    }

    fn encode(w: usize, h: usize, frames: usize, set: impl Fn(&mut EncoderOptions)) -> Vec<Packet> {
        let p = CodecParameters::video(CodecId::Mpeg1video, w, h, PixelFormat::Yuv420p);
        let mut o = EncoderOptions::new(p, Rational::new(1, 25));
        o.frame_rate = Some(Rational::new(25, 1));
        set(&mut o);
        let mut e = Mpeg1VideoEncoder::new(&o).unwrap();
        let mut out = Vec::new();
        for n in 0..frames {
            assert_eq!(
                e.send_frame(&picture(w, h, n)).unwrap(),
                SendStatus::Accepted
            );
            while let Received::Item(p) = e.receive_packet().unwrap() {
                out.push(p);
            }
        }
        e.send_eof().unwrap();
        loop {
            match e.receive_packet().unwrap() {
                Received::Item(p) => out.push(p),
                Received::EndOfStream => break,
                Received::NeedsInput => panic!("needs input after eof"),
            }
        }
        out
    }

    fn psnr(a: &Frame, b: &Frame) -> f64 {
        let v = a.video().unwrap();
        let (w, h) = (v.width, v.height);
        let mut se = 0f64;
        let mut n = 0f64;
        for p in 0..3 {
            let (pw, ph) = if p == 0 {
                (w, h)
            } else {
                (w.div_ceil(2), h.div_ceil(2))
            };
            for y in 0..ph {
                for x in 0..pw {
                    let d = f64::from(a.line(p, y)[x]) - f64::from(b.line(p, y)[x]);
                    se += d * d;
                    n += 1.0;
                }
            }
        }
        10.0 * (255.0 * 255.0 / (se / n).max(1e-9)).log10()
    }

    fn decode(w: usize, h: usize, packets: &[Packet]) -> Vec<Frame> {
        let p = CodecParameters::video(CodecId::Mpeg1video, w, h, PixelFormat::Yuv420p);
        let o = DecoderOptions {
            packet_time_base: Rational::new(1, 25),
            ..Default::default()
        };
        let mut d = Mpeg1VideoDecoder::new(&p, &o).unwrap();
        let mut out = Vec::new();
        for p in packets {
            assert_eq!(d.send_packet(p).unwrap(), SendStatus::Accepted);
            while let Received::Item(f) = d.receive_frame().unwrap() {
                assert!(!f.flags.corrupt);
                out.push(f);
            }
        }
        d.send_eof().unwrap();
        while let Received::Item(f) = d.receive_frame().unwrap() {
            out.push(f);
        }
        out
    }

    #[test]
    fn ibbp_round_trip_order_and_timestamps() {
        let (w, h, n) = (98, 66, 14);
        let pkts = encode(w, h, n, |o| {
            o.gop_size = Some(6);
            o.max_b_frames = Some(2);
            o.global_quality = Some(3.0);
        });
        assert_eq!(pkts.len(), n);
        // Coding order I0 P3 B1 B2 P6 B4 B5 I12? no: GOP 6 -> I0 P3 B1 B2 I6 B4 B5 P9 B7 B8 I12 B10 B11 P13.
        let pts: Vec<i64> = pkts.iter().map(|p| p.pts.unwrap()).collect();
        assert_eq!(pts, [0, 3, 1, 2, 6, 4, 5, 9, 7, 8, 12, 10, 11, 13]);
        let dts: Vec<i64> = pkts.iter().map(|p| p.dts.unwrap()).collect();
        assert_eq!(dts, (-1..13).collect::<Vec<_>>());
        let keys: Vec<bool> = pkts.iter().map(|p| p.flags.key).collect();
        assert_eq!(keys.iter().filter(|&&k| k).count(), 3);
        let frames = decode(w, h, &pkts);
        assert_eq!(frames.len(), n);
        for (i, f) in frames.iter().enumerate() {
            let q = psnr(f, &picture(w, h, i));
            assert!(q > 34.0, "frame {i}: {q:.2} dB");
        }
    }

    #[test]
    fn intra_only_and_p_only() {
        for (g, bf) in [(1, 0), (12, 0)] {
            let pkts = encode(64, 48, 5, |o| {
                o.gop_size = Some(g);
                o.max_b_frames = Some(bf);
                o.global_quality = Some(2.0);
            });
            let pts: Vec<i64> = pkts.iter().map(|p| p.pts.unwrap()).collect();
            assert_eq!(pts, [0, 1, 2, 3, 4]);
            let frames = decode(64, 48, &pkts);
            assert_eq!(frames.len(), 5);
            for (i, f) in frames.iter().enumerate() {
                assert!(psnr(f, &picture(64, 48, i)) > 38.0);
            }
        }
    }

    #[test]
    fn rate_control_hits_the_target() {
        let (w, h, n) = (176, 144, 50);
        for rate in [800_000u64, 2_000_000] {
            let pkts = encode(w, h, n, |o| {
                o.gop_size = Some(12);
                o.max_b_frames = Some(2);
                o.bit_rate = Some(rate);
            });
            let bits: usize = pkts.iter().map(|p| p.size() * 8).sum();
            let target = rate as f64 * n as f64 / 25.0;
            let err = bits as f64 / target - 1.0;
            assert!(err.abs() < 0.1, "{rate}: {err:+.3}");
            assert_eq!(decode(w, h, &pkts).len(), n);
        }
    }

    #[test]
    fn options_are_checked() {
        let p = CodecParameters::video(CodecId::Mpeg1video, 64, 48, PixelFormat::Yuv420p);
        let mut o = EncoderOptions::new(p.clone(), Rational::new(1, 25));
        o.private.set("bogus", "1");
        assert!(matches!(
            Mpeg1VideoEncoder::new(&o),
            Err(Error::UnknownOption { .. })
        ));
        let mut o = EncoderOptions::new(p.clone(), Rational::new(1, 25));
        o.private.set("maxrate", "2M");
        o.private.set("bufsize", "1M");
        o.bit_rate = Some(1_000_000);
        let e = Mpeg1VideoEncoder::new(&o).unwrap();
        // As FFmpeg: the sequence header carries maxrate and bufsize.
        assert_eq!((e.seq.bit_rate_400, e.seq.vbv_buffer_size), (5000, 62));
        let o = EncoderOptions::new(p.clone(), Rational::new(1, 7));
        assert!(Mpeg1VideoEncoder::new(&o).is_err());
        let mut q = p;
        q.pix_fmt = Some(PixelFormat::Rgb24);
        assert!(Mpeg1VideoEncoder::new(&EncoderOptions::new(q, Rational::new(1, 25))).is_err());
        assert_eq!(parse_rate("1500k"), Some(1.5e6));
        assert_eq!(parse_rate("x"), None);
    }

    #[test]
    fn custom_matrices_are_loaded_and_used() {
        // A flat intra matrix and a steep inter one, in raster order.
        let flat = ["16"; 64].join(",");
        let steep: Vec<String> = (0..64)
            .map(|i| (16 + (i % 8 + i / 8) * 6).to_string())
            .collect();
        let (w, h, n) = (64, 48, 7);
        let with = |intra: &str, inter: &str| {
            encode(w, h, n, |o| {
                o.gop_size = Some(6);
                o.max_b_frames = Some(1);
                o.global_quality = Some(4.0);
                o.private.set("intra_matrix", intra);
                o.private.set("inter_matrix", inter);
            })
        };
        let pkts = with(&flat, &steep.join(","));
        // The sequence header loads both matrices (zig-zag order after the flags).
        let seq = SequenceHeader::parse(&pkts[0].data[4..]).unwrap();
        assert!(seq.custom_matrices);
        // (The intra DC entry is always 8.)
        assert_eq!(seq.intra_matrix[0], 8);
        assert_eq!(seq.intra_matrix[1..], [16; 63]);
        assert_eq!(seq.non_intra_matrix[63], 16 + 14 * 6);
        assert_eq!(seq.non_intra_matrix[1], 22);
        // Our decoder reads them back: the pictures are close to the source.
        let frames = decode(w, h, &pkts);
        assert_eq!(frames.len(), n);
        for (k, f) in frames.iter().enumerate() {
            assert!(psnr(f, &picture(w, h, k)) > 28.0, "picture {k}");
        }
        // Default matrices given explicitly are not loaded.
        let dflt = |m: &[u8; 64]| m.iter().map(u8::to_string).collect::<Vec<_>>().join(",");
        let pkts = with(
            &dflt(&DEFAULT_INTRA_MATRIX),
            &dflt(&DEFAULT_NON_INTRA_MATRIX),
        );
        assert!(
            !SequenceHeader::parse(&pkts[0].data[4..])
                .unwrap()
                .custom_matrices
        );
        // Bad matrices are refused with the reason.
        let p = CodecParameters::video(CodecId::Mpeg1video, 64, 48, PixelFormat::Yuv420p);
        for (bad, why) in [
            (["16"; 63].join(","), "63 coefficients, 64 needed"),
            (["16"; 65].join(","), "more than 64 coefficients"),
            (
                format!("0,{}", ["16"; 63].join(",")),
                "coefficient 0 (\"0\") is not in 1..=255",
            ),
            (
                format!("{},x", ["16"; 63].join(",")),
                "coefficient 63 (\"x\") is not in 1..=255",
            ),
        ] {
            let mut o = EncoderOptions::new(p.clone(), Rational::new(1, 25));
            o.private.set("intra_matrix", &bad);
            let e = Mpeg1VideoEncoder::new(&o).unwrap_err().to_string();
            assert!(e.contains(why) && e.contains("intra_matrix"), "{e}");
        }
    }

    #[test]
    fn escapes_and_large_levels_round_trip() {
        // Noise at q 1 makes levels beyond the VLC table (escapes, 16-bit escapes).
        let (w, h) = (32, 32);
        let p = CodecParameters::video(CodecId::Mpeg1video, w, h, PixelFormat::Yuv420p);
        let mut o = EncoderOptions::new(p, Rational::new(1, 25));
        o.global_quality = Some(1.0);
        o.gop_size = Some(3);
        let mut e = Mpeg1VideoEncoder::new(&o).unwrap();
        let mut seed = 1u32;
        let mut src = Vec::new();
        let mut pkts = Vec::new();
        for n in 0..4 {
            let mut f = Frame::new_video(PixelFormat::Yuv420p, w, h).unwrap();
            for p in 0..3 {
                for v in f.plane_mut(p).iter_mut() {
                    seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
                    *v = (seed >> 24) as u8;
                }
            }
            f.pts = Some(n);
            let _ = e.send_frame(&f).unwrap();
            src.push(f);
            while let Received::Item(p) = e.receive_packet().unwrap() {
                pkts.push(p);
            }
        }
        e.send_eof().unwrap();
        while let Received::Item(p) = e.receive_packet().unwrap() {
            pkts.push(p);
        }
        let frames = decode(w, h, &pkts);
        assert_eq!(frames.len(), 4);
        for (a, b) in frames.iter().zip(&src) {
            assert!(psnr(a, b) > 30.0);
        }
    }

    /// The SIMD kernels give exactly the scalar results.
    #[test]
    fn simd_equals_scalar() {
        let mut seed = 3u32;
        let mut rnd = |m: u32| {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (seed >> 8) % m
        };
        let qm = Quant::new(1, &DEFAULT_INTRA_MATRIX, &DEFAULT_NON_INTRA_MATRIX);
        for round in 0..2000 {
            let scale = [4000.0, 300.0, 20.0, 1.0][round % 4];
            let mut f: [f32; 64] =
                std::array::from_fn(|_| (rnd(20001) as f32 / 10000.0 - 1.0) * scale);
            f[rnd(64) as usize] = -0.0;
            f[rnd(64) as usize] = 0.0;
            let q = 1 + rnd(31) as u8;
            let inv = if round % 2 == 0 {
                Quant::new(q, &DEFAULT_INTRA_MATRIX, &DEFAULT_NON_INTRA_MATRIX).intra
            } else {
                qm.inter
            };
            let bias = [0.0, 0.375, 0.5][round % 3];
            let (mut a, mut b) = ([7i16; 64], [9i16; 64]);
            assert_eq!(
                quantize(&f, &inv, bias, &mut a),
                quantize_scalar(&f, &inv, bias, &mut b)
            );
            assert_eq!(a, b);
            let spread = [256, 3, 40][round % 3];
            let m: [u8; 384] = std::array::from_fn(|_| rnd(spread) as u8);
            let p: [u8; 384] = std::array::from_fn(|_| (255 - rnd(spread)) as u8);
            assert_eq!(block_energies(&m, &p), block_energies_scalar(&m, &p));
        }
        // The fused transform and quantisation.
        for round in 0..2000 {
            let range = [255, 64, 8][round % 3];
            let src: [i16; 64] = std::array::from_fn(|_| rnd(2 * range + 1) as i16 - range as i16);
            let q = 1 + rnd(31) as u8;
            let qt = Quant::new(q, &DEFAULT_INTRA_MATRIX, &DEFAULT_NON_INTRA_MATRIX);
            let (inv, bias) = if round % 2 == 0 {
                (qt.intra, 0.375)
            } else {
                (qt.inter, 0.0)
            };
            let mut f = [0f32; 64];
            crate::codecs::mpeg1video::fdct::fdct_scalar(&src, &mut f);
            let (mut a, mut b) = ([7i16; 64], [9i16; 64]);
            let ft: [f32; 64] = std::array::from_fn(|k| f[tr(k)]);
            let want = (quantize_scalar(&ft, &inv, bias, &mut b), f[0].to_bits());
            let (mask, dc) = transform_quantize(&src, &inv, bias, &mut a);
            assert_eq!((mask, dc.to_bits()), want);
            assert_eq!(a, b);
            let (mask, dc) = transform_quantize_portable(&src, &inv, bias, &mut a);
            assert_eq!((mask, dc.to_bits()), want);
            assert_eq!(a, b);
        }
        // The zig-zag mask of a transposed mask.
        for (i, &z) in ZIGZAG.iter().enumerate() {
            assert_eq!(zigzag_mask(1u64 << tr(usize::from(z))), 1u64 << i);
            assert_eq!(tr(tr(i)), i);
        }
        assert_eq!(zigzag_mask(u64::MAX), u64::MAX);
    }

    /// A frame that already has the macroblock layout is read in place; one
    /// with wider lines is copied; both code to the same bytes.
    #[test]
    fn frames_read_in_place_or_copied_code_alike() {
        let (w, h) = (128, 64);
        let geo = Geometry {
            width: w,
            height: h,
            mb_w: w / 16,
            mb_h: h / 16,
        };
        let direct: Vec<Frame> = (0..7).map(|n| picture(w, h, n)).collect();
        assert!(geo.fits(&direct[0]));
        let padded: Vec<Frame> = direct
            .iter()
            .map(|f| {
                let l = avutil::imgutils::layout(PixelFormat::Yuv420p, w, h, 256).unwrap();
                let buf = Buffer::from_vec(vec![0u8; l.total]);
                let mut g =
                    Frame::video_from_buffer(PixelFormat::Yuv420p, w, h, &buf, 256).unwrap();
                for p in 0..3 {
                    let (pw, ph) = if p == 0 { (w, h) } else { (w / 2, h / 2) };
                    let (ss, ds) = (f.stride(p), g.stride(p));
                    for y in 0..ph {
                        let row = f.plane(p)[y * ss..y * ss + pw].to_vec();
                        g.plane_mut(p)[y * ds..y * ds + pw].copy_from_slice(&row);
                    }
                }
                g.pts = f.pts;
                g
            })
            .collect();
        assert!(!geo.fits(&padded[0]));
        let run = |frames: &[Frame]| -> Vec<Vec<u8>> {
            let p = CodecParameters::video(CodecId::Mpeg1video, w, h, PixelFormat::Yuv420p);
            let mut o = EncoderOptions::new(p, Rational::new(1, 25));
            o.frame_rate = Some(Rational::new(25, 1));
            o.max_b_frames = Some(2);
            o.bit_rate = Some(400_000);
            let mut e = Mpeg1VideoEncoder::new(&o).unwrap();
            let mut out = Vec::new();
            for f in frames {
                assert_eq!(e.send_frame(f).unwrap(), SendStatus::Accepted);
                while let Received::Item(p) = e.receive_packet().unwrap() {
                    out.push(p.data.as_slice().to_vec());
                }
            }
            e.send_eof().unwrap();
            while let Received::Item(p) = e.receive_packet().unwrap() {
                out.push(p.data.as_slice().to_vec());
            }
            out
        };
        let a = run(&direct);
        assert_eq!(a.len(), 7);
        assert_eq!(a, run(&padded));
    }
}
