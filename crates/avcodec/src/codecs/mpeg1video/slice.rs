//! Slice and macroblock layers: variable-length decoding, dequantisation,
//! motion vectors, prediction and reconstruction of one slice.

use super::headers::{PictureCoding, PictureHeader};
use super::mc::{RefPlane, predict};
use super::tables::{MBA_END, MBA_ESCAPE, MBA_STUFFING, ZIGZAG, mb};
use super::vlcs::{DCT_RUN_EOB, DCT_RUN_ESCAPE, Tables, tables};
use crate::bitstream::BitReader;
use crate::dct;

/// Why a slice could not be decoded to its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct SliceError {
    /// What was wrong.
    pub(super) what: &'static str,
    /// Macroblock column where it was noticed.
    pub(super) mb_x: usize,
    /// Macroblock row where it was noticed.
    pub(super) mb_y: usize,
}

/// The three planes of a reference picture.
pub(super) type RefPicture<'a> = [RefPlane<'a>; 3];

/// What every slice of a picture shares.
pub(super) struct PictureContext<'a> {
    /// The picture header.
    pub(super) header: PictureHeader,
    /// Intra quantizer matrix, raster order.
    pub(super) intra_matrix: &'a [u8; 64],
    /// Non-intra quantizer matrix, raster order.
    pub(super) non_intra_matrix: &'a [u8; 64],
    /// Width in macroblocks.
    pub(super) mb_w: usize,
    /// Height in macroblocks.
    pub(super) mb_h: usize,
    /// Line strides of the three planes.
    pub(super) strides: [usize; 3],
    /// Forward reference (P and B pictures).
    pub(super) forward: Option<RefPicture<'a>>,
    /// Backward reference (B pictures).
    pub(super) backward: Option<RefPicture<'a>>,
}

/// The planes being reconstructed: a band of macroblock rows
/// `row0..row0 + rows` of the picture (the whole picture when decoding
/// single-threaded).
pub(super) struct Target<'a> {
    /// Y, Cb, Cr samples of the band, starting at its first row.
    pub(super) planes: [&'a mut [u8]; 3],
    /// First macroblock row of the band.
    pub(super) row0: usize,
    /// Macroblock rows in the band.
    pub(super) rows: usize,
}

/// What [`decode_slice`] reports for a slice that runs out of its band
/// (only possible when a band is narrower than the picture).
pub(super) const OUT_OF_BAND: &str = "slice runs past its band";

/// Per-slice decoding state.
struct State {
    qscale2: i32,
    /// `qscale2 * intra matrix`, in scan (zigzag) order.
    q_intra: [i32; 64],
    /// `qscale2 * non-intra matrix`, in scan (zigzag) order.
    q_inter: [i32; 64],
    dc_pred: [i32; 3],
    /// Motion vector predictors `[direction][component]` (in f-code units as coded).
    pmv: [[i32; 2]; 2],
    /// Motion vectors in half-pels `[direction][component]`.
    mv: [[i32; 2]; 2],
    /// Prediction directions of the last coded macroblock (forward, backward).
    dir: (bool, bool),
    prev_intra: bool,
}

const DC_RESET: [i32; 3] = [128; 3];

impl State {
    /// Sets the quantizer scale (times two) and the scaled matrices.
    fn set_qscale2(&mut self, pc: &PictureContext<'_>, qscale2: i32) {
        self.qscale2 = qscale2;
        for (i, &z) in ZIGZAG.iter().enumerate() {
            let j = usize::from(z);
            self.q_intra[i] = qscale2 * i32::from(pc.intra_matrix[j]);
            self.q_inter[i] = qscale2 * i32::from(pc.non_intra_matrix[j]);
        }
    }
}

/// Decodes the slice whose data (after its start code) is `data`, starting at
/// macroblock row `mb_y`; sets `done[mb]` for every macroblock reconstructed
/// (`done` covers the target's band, indexed from its first row).
pub(super) fn decode_slice(
    pc: &PictureContext<'_>,
    target: &mut Target<'_>,
    data: &[u8],
    mb_y: usize,
    done: &mut [bool],
) -> Result<(), SliceError> {
    let t = tables();
    let mut r = BitReader::new(data);
    let mut mb_x = 0usize;
    let mut mb_y = mb_y;
    let err = |what, mb_x, mb_y| SliceError { what, mb_x, mb_y };
    let q = r.read(5) as i32;
    if q == 0 {
        return Err(err("quantizer scale 0", mb_x, mb_y));
    }
    // extra_information_slice
    while r.read_bit() {
        r.skip(8);
        if r.overread() {
            return Err(err("truncated slice header", mb_x, mb_y));
        }
    }
    // The first increment positions the first macroblock of the slice.
    loop {
        match t.mba.decode(&mut r) {
            None => return Err(err("first macroblock increment damaged", mb_x, mb_y)),
            Some(MBA_ESCAPE) => mb_x += 33,
            Some(MBA_STUFFING) | Some(MBA_END) => {}
            Some(c) => {
                mb_x += c as usize;
                break;
            }
        }
        if r.overread() {
            return Err(err("truncated slice", mb_x, mb_y));
        }
    }
    if mb_x >= pc.mb_w {
        return Err(err("initial skip overflow", mb_x, mb_y));
    }
    let mut st = State {
        qscale2: 0,
        q_intra: [0; 64],
        q_inter: [0; 64],
        dc_pred: DC_RESET,
        pmv: [[0; 2]; 2],
        mv: [[0; 2]; 2],
        dir: (true, false),
        prev_intra: false,
    };
    st.set_qscale2(pc, q * 2);
    let mut block = [0i16; 64];
    let mut pending_skips = 0usize;
    let coding = pc.header.coding;
    loop {
        if mb_y < target.row0 || mb_y >= target.row0 + target.rows {
            return Err(err(OUT_OF_BAND, mb_x, mb_y));
        }
        let skipped = pending_skips > 0;
        if skipped {
            pending_skips -= 1;
            if coding == PictureCoding::B && st.prev_intra {
                return Err(err("skipped macroblock after an intra one", mb_x, mb_y));
            }
            predict_mb(pc, target, &st, mb_x, mb_y);
            st.dc_pred = DC_RESET;
        } else {
            decode_mb(pc, target, t, &mut r, &mut st, &mut block, mb_x, mb_y)
                .map_err(|what| err(what, mb_x, mb_y))?;
            if r.overread() {
                return Err(err("overread", mb_x, mb_y));
            }
        }
        if let Some(d) = done.get_mut((mb_y - target.row0) * pc.mb_w + mb_x) {
            *d = true;
        }
        mb_x += 1;
        if mb_x >= pc.mb_w {
            mb_x = 0;
            mb_y += 1;
            if mb_y >= pc.mb_h {
                let left = r.bits_left();
                if left < 0 || (left > 0 && r.peek(left.min(23) as u32) != 0) {
                    return Err(err("end mismatch", mb_x, mb_y));
                }
                return Ok(());
            }
        }
        if skipped {
            continue;
        }
        // Next macroblock address increment.
        let mut run = 0usize;
        loop {
            match t.mba.decode(&mut r) {
                None => return Err(err("macroblock increment damaged", mb_x, mb_y)),
                Some(MBA_ESCAPE) => run += 33,
                Some(MBA_STUFFING) => {}
                Some(MBA_END) => {
                    if run != 0 || r.peek(15) != 0 {
                        return Err(err("slice mismatch", mb_x, mb_y));
                    }
                    return Ok(());
                }
                Some(c) => {
                    run += c as usize;
                    break;
                }
            }
            if r.overread() {
                return Err(err("truncated slice", mb_x, mb_y));
            }
        }
        if run > 0 {
            match coding {
                PictureCoding::I | PictureCoding::D => {
                    return Err(err("skipped macroblock in an intra picture", mb_x, mb_y));
                }
                PictureCoding::P => {
                    st.dir = (true, false);
                    st.mv[0] = [0, 0];
                    st.pmv[0] = [0, 0];
                }
                PictureCoding::B => {
                    // Reuse the predictors as vectors (as FFmpeg, without full-pel scaling).
                    st.mv = st.pmv;
                }
            }
            pending_skips = run;
        }
    }
}

/// The macroblock column where the slice whose data is `data` starts (its
/// header and first address increment only), or `None` when they are damaged.
pub(super) fn slice_start_column(data: &[u8]) -> Option<usize> {
    let t = tables();
    let mut r = BitReader::new(data);
    if r.read(5) == 0 {
        return None;
    }
    while r.read_bit() {
        r.skip(8);
        if r.overread() {
            return None;
        }
    }
    let mut mb_x = 0usize;
    loop {
        match t.mba.decode(&mut r)? {
            MBA_ESCAPE => mb_x += 33,
            MBA_STUFFING | MBA_END => {}
            c => return Some(mb_x + c as usize),
        }
        if r.overread() {
            return None;
        }
    }
}

/// Decodes a motion vector component (cf. ISO/IEC 11172-2 2.4.4.2).
#[inline]
fn decode_motion(
    t: &Tables,
    r: &mut BitReader<'_>,
    f_code: u8,
    pred: i32,
) -> Result<i32, &'static str> {
    let code = t.motion.decode(r).ok_or("motion vector damaged")?;
    if code == 0 {
        return Ok(pred);
    }
    let negative = r.read_bit();
    let shift = u32::from(f_code.clamp(1, 7)) - 1;
    let mut val = code;
    if shift > 0 {
        val = ((val - 1) << shift) | r.read(shift) as i32;
        val += 1;
    }
    if negative {
        val = -val;
    }
    val += pred;
    // Wrap into the range of `5 + shift` bits.
    let bits = 5 + shift;
    Ok((val << (32 - bits)) >> (32 - bits))
}

#[allow(clippy::too_many_arguments)]
fn decode_mb(
    pc: &PictureContext<'_>,
    target: &mut Target<'_>,
    t: &Tables,
    r: &mut BitReader<'_>,
    st: &mut State,
    block: &mut [i16; 64],
    mb_x: usize,
    mb_y: usize,
) -> Result<(), &'static str> {
    let h = &pc.header;
    let flags = match h.coding {
        PictureCoding::I => {
            if r.read_bit() {
                mb::INTRA
            } else if r.read_bit() {
                mb::INTRA | mb::QUANT
            } else {
                return Err("invalid macroblock type in I picture");
            }
        }
        PictureCoding::D => {
            if !r.read_bit() {
                return Err("invalid macroblock type in D picture");
            }
            mb::INTRA
        }
        PictureCoding::P => t
            .mb_p
            .decode(r)
            .ok_or("invalid macroblock type in P picture")? as u8,
        PictureCoding::B => t
            .mb_b
            .decode(r)
            .ok_or("invalid macroblock type in B picture")? as u8,
    };
    if flags & mb::QUANT != 0 {
        let q2 = r.read(5) as i32 * 2;
        if q2 != st.qscale2 {
            st.set_qscale2(pc, q2);
        }
    }
    if flags & mb::INTRA != 0 {
        st.pmv = [[0; 2]; 2];
        st.prev_intra = true;
        let dc_only = h.coding == PictureCoding::D;
        for b in 0..6 {
            let (plane, off, stride) = block_dest(pc, mb_x, mb_y - target.row0, b);
            let comp = if b < 4 { 0 } else { b - 3 };
            let only_dc = decode_intra_block(
                t,
                r,
                block,
                &mut st.dc_pred[comp],
                comp != 0,
                &st.q_intra,
                dc_only,
            )?;
            let dst = &mut *target.planes[plane];
            if only_dc {
                dct::idct_put_dc(block[0], dst, off, stride);
                block[0] = 0;
            } else {
                dct::idct_put(block, dst, off, stride);
                *block = [0; 64];
            }
        }
        if dc_only && !r.read_bit() {
            return Err("missing end of macroblock in D picture");
        }
        return Ok(());
    }
    st.prev_intra = false;
    if h.coding == PictureCoding::P && flags & mb::FORWARD == 0 {
        // No motion compensation: zero vector, predictor reset.
        st.pmv[0] = [0, 0];
        st.mv[0] = [0, 0];
        st.dir = (true, false);
    } else {
        let dirs = [
            (
                flags & mb::FORWARD != 0,
                h.forward_f_code,
                h.full_pel_forward,
            ),
            (
                flags & mb::BACKWARD != 0,
                h.backward_f_code,
                h.full_pel_backward,
            ),
        ];
        for (d, &(used, f, full)) in dirs.iter().enumerate() {
            if used {
                for c in 0..2 {
                    let v = decode_motion(t, r, f, st.pmv[d][c])?;
                    st.pmv[d][c] = v;
                    st.mv[d][c] = if full { v * 2 } else { v };
                }
            }
        }
        st.dir = (dirs[0].0, dirs[1].0);
    }
    let cbp = if flags & mb::PATTERN != 0 {
        let c = t.cbp.decode(r).unwrap_or(0);
        if c <= 0 {
            return Err("invalid coded block pattern");
        }
        c as u32
    } else {
        0
    };
    predict_mb(pc, target, st, mb_x, mb_y);
    st.dc_pred = DC_RESET;
    for b in 0..6 {
        if cbp & (32 >> b) == 0 {
            continue;
        }
        let only_dc = decode_inter_block(t, r, block, &st.q_inter)?;
        let (plane, off, stride) = block_dest(pc, mb_x, mb_y - target.row0, b);
        let dst = &mut *target.planes[plane];
        if only_dc {
            dct::idct_add_dc(block[0], dst, off, stride);
            block[0] = 0;
        } else {
            dct::idct_add(block, dst, off, stride);
            *block = [0; 64];
        }
    }
    Ok(())
}

/// Plane, offset and stride of block `b` (0..4 luma, 4 Cb, 5 Cr) of a
/// macroblock (`mb_y` counted from the target's first row).
#[inline]
fn block_dest(
    pc: &PictureContext<'_>,
    mb_x: usize,
    mb_y: usize,
    b: usize,
) -> (usize, usize, usize) {
    if b < 4 {
        let s = pc.strides[0];
        let x = mb_x * 16 + (b & 1) * 8;
        let y = mb_y * 16 + (b >> 1) * 8;
        (0, y * s + x, s)
    } else {
        let p = b - 3;
        let s = pc.strides[p];
        (p, mb_y * 8 * s + mb_x * 8, s)
    }
}

/// Forms the prediction of a non-intra macroblock from the current vectors.
fn predict_mb(
    pc: &PictureContext<'_>,
    target: &mut Target<'_>,
    st: &State,
    mb_x: usize,
    mb_y: usize,
) {
    let mut avg = false;
    for (d, used) in [st.dir.0, st.dir.1].into_iter().enumerate() {
        if !used {
            continue;
        }
        let Some(refp) = (if d == 0 { pc.forward } else { pc.backward }) else {
            continue;
        };
        let [mx, my] = st.mv[d];
        let s0 = pc.strides[0];
        let band_y = mb_y - target.row0;
        predict::<16>(
            target.planes[0],
            band_y * 16 * s0 + mb_x * 16,
            s0,
            refp[0],
            mb_x * 16,
            mb_y * 16,
            mx,
            my,
            avg,
        );
        // Chroma vectors: half the luma vector, truncated toward zero.
        let (cx, cy) = (mx / 2, my / 2);
        #[allow(clippy::needless_range_loop)]
        for p in 1..3 {
            let s = pc.strides[p];
            predict::<8>(
                target.planes[p],
                band_y * 8 * s + mb_x * 8,
                s,
                refp[p],
                mb_x * 8,
                mb_y * 8,
                cx,
                cy,
                avg,
            );
        }
        avg = true;
    }
}

/// Decodes an intra block into `blk` (raster order, dequantised with MPEG-1
/// mismatch control); returns true when only the DC coefficient is set.
#[allow(clippy::too_many_arguments)]
#[inline]
fn decode_intra_block(
    t: &Tables,
    r: &mut BitReader<'_>,
    blk: &mut [i16; 64],
    dc_pred: &mut i32,
    chroma: bool,
    q: &[i32; 64],
    dc_only: bool,
) -> Result<bool, &'static str> {
    let vlc = if chroma { &t.dc_chroma } else { &t.dc_luma };
    let size = vlc.decode(r).ok_or("dc size damaged")? as u32;
    let diff = if size == 0 {
        0
    } else {
        let v = r.read(size) as i32;
        if v < 1 << (size - 1) {
            v - (1 << size) + 1
        } else {
            v
        }
    };
    *dc_pred = dc_pred.wrapping_add(diff);
    blk[0] = dc_pred.wrapping_mul(8) as i16;
    if dc_only {
        return Ok(true);
    }
    let i = decode_ac::<true>(t, r, blk, 0, q)?;
    Ok(i == 0)
}

/// Reconstructs the magnitude of an intra AC coefficient from its level
/// magnitude, twice the quantizer scale and the matrix entry (ISO/IEC 11172-2
/// 2.4.4.1: `level * qscale * m / 8`, made odd toward zero: mismatch control).
#[inline]
pub(super) fn dequant_intra(level: i32, qscale2: i32, m: u8) -> i32 {
    let v = (level * qscale2 * i32::from(m)) >> 4;
    (v - 1) | 1
}

/// Reconstructs the magnitude of a non-intra coefficient (2.4.4.2:
/// `(2 * level + 1) * qscale * m / 16`, made odd toward zero).
#[inline]
pub(super) fn dequant_inter(level: i32, qscale2: i32, m: u8) -> i32 {
    let v = ((level * 2 + 1) * qscale2 * i32::from(m)) >> 5;
    (v - 1) | 1
}

/// Reads the run (plus one) and level after an escape code.
#[inline]
fn read_escape(r: &mut BitReader<'_>) -> (usize, i32) {
    let run = r.read(6) as usize + 1;
    let mut level = r.read_signed(8);
    if level == -128 {
        level = r.read(8) as i32 - 256;
    } else if level == 0 {
        level = r.read(8) as i32;
    }
    (run, level)
}

/// Decodes a non-intra block; returns true when only coefficient 0 is set.
#[inline]
fn decode_inter_block(
    t: &Tables,
    r: &mut BitReader<'_>,
    blk: &mut [i16; 64],
    q: &[i32; 64],
) -> Result<bool, &'static str> {
    let mut i: isize = -1;
    if r.peek(1) == 1 {
        // First coefficient `1s`: run 0, level 1.
        // = dequant_inter(1, qscale2, m[0])
        let v = (((3 * q[0]) >> 5) - 1) | 1;
        let neg = r.peek(2) & 1 == 1;
        r.skip(2);
        blk[0] = if neg { -v } else { v } as i16;
        i = 0;
    }
    let i = decode_ac::<false>(t, r, blk, i, q)?;
    Ok(i <= 0)
}

/// Decodes the AC coefficients (and for non-intra blocks, all but a first
/// `1s` coefficient) up to the end of block, starting after scan position
/// `i`; returns the last scan position. The codes are taken from a 64-bit
/// window of the stream, refilled when fewer bits than the longest code
/// (16 bits and a sign) remain; the reader is advanced on the way out.
#[inline(always)]
fn decode_ac<const INTRA: bool>(
    t: &Tables,
    r: &mut BitReader<'_>,
    blk: &mut [i16; 64],
    mut i: isize,
    q: &[i32; 64],
) -> Result<isize, &'static str> {
    let len_bits = r.len_bits();
    let (mut w, mut avail) = r.peek_window();
    // Bits of the window consumed (not yet skipped in `r`).
    let mut used = 0u32;
    loop {
        if avail < 17 {
            r.skip(used as usize);
            used = 0;
            (w, avail) = r.peek_window();
        }
        let e = t.dct.entry((w >> 32) as u32);
        let len = e & 0x3f;
        if len == 0 {
            r.skip(used as usize);
            return Err("ac coefficient damaged");
        }
        let run = (e >> 8) & 0xff;
        let (run, level, negative) = if run == DCT_RUN_EOB {
            r.skip((used + len) as usize);
            return Ok(i);
        } else if run == DCT_RUN_ESCAPE {
            r.skip((used + len) as usize);
            used = 0;
            let (run, level) = read_escape(r);
            (w, avail) = r.peek_window();
            (run as isize, level.abs(), level < 0)
        } else {
            // The sign bit follows the code.
            let negative = (w >> (63 - len)) & 1 != 0;
            w <<= len + 1;
            avail -= len + 1;
            used += len + 1;
            (run as isize, (e >> 16) as i32, negative)
        };
        i += run;
        if i > 63 {
            r.skip(used as usize);
            return Err("ac coefficients past the block end");
        }
        let k = i as usize;
        let j = usize::from(ZIGZAG[k]);
        // = dequant_intra(level, qscale2, m[j]) or dequant_inter(level, qscale2, m[j])
        let v = if INTRA {
            (((level * q[k]) >> 4) - 1) | 1
        } else {
            ((((level * 2 + 1) * q[k]) >> 5) - 1) | 1
        };
        blk[j] = if negative { -v } else { v } as i16;
        if r.position() + used as usize > len_bits {
            r.skip(used as usize);
            return Err("block overread");
        }
    }
}
