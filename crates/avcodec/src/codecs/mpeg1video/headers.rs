//! Start codes and the sequence, group-of-pictures and picture headers.

use avutil::Rational;

use super::tables::{self, DEFAULT_INTRA_MATRIX, DEFAULT_NON_INTRA_MATRIX, ZIGZAG};
use crate::bitstream::{BitReader, BitWriter};

/// Finds the next start code prefix `00 00 01` at or after `from`; returns the
/// position of the code byte (after the prefix).
pub fn find_start_code(data: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while i + 3 <= data.len() {
        // Skip fast over bytes that cannot end a prefix.
        let b = data[i + 2];
        if b > 1 {
            i += 3;
            continue;
        }
        if b == 1 && data[i] == 0 && data[i + 1] == 0 {
            return Some(i + 3);
        }
        i += 1;
    }
    None
}

/// Writes a start code (`00 00 01 code`) after zero-padding to a byte boundary.
pub fn write_start_code(w: &mut BitWriter, code: u8) {
    w.align_zero();
    w.write(24, 1);
    w.write(8, u32::from(code));
}

/// The sequence header (ISO/IEC 11172-2 2.4.2.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SequenceHeader {
    /// `horizontal_size`.
    pub width: u16,
    /// `vertical_size`.
    pub height: u16,
    /// `pel_aspect_ratio` code.
    pub aspect_code: u8,
    /// `picture_rate` code.
    pub frame_rate_code: u8,
    /// `bit_rate` in units of 400 bit/s (0x3ffff = variable).
    pub bit_rate_400: u32,
    /// `vbv_buffer_size` in units of 16 kbit.
    pub vbv_buffer_size: u16,
    /// `constrained_parameters_flag`.
    pub constrained: bool,
    /// Intra quantizer matrix in raster order.
    pub intra_matrix: [u8; 64],
    /// Non-intra quantizer matrix in raster order.
    pub non_intra_matrix: [u8; 64],
    /// A matrix was loaded (not the default).
    pub custom_matrices: bool,
}

/// Why a header could not be parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderError {
    /// The data ends inside the header.
    Truncated,
    /// A field has a forbidden value.
    Invalid(&'static str),
}

impl std::fmt::Display for HeaderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HeaderError::Truncated => f.write_str("truncated header"),
            HeaderError::Invalid(w) => f.write_str(w),
        }
    }
}

fn load_matrix(r: &mut BitReader<'_>, intra: bool) -> Result<[u8; 64], HeaderError> {
    let mut m = [0u8; 64];
    for (i, &z) in ZIGZAG.iter().enumerate() {
        let mut v = r.read(8) as u8;
        if v == 0 {
            return Err(HeaderError::Invalid("quantizer matrix with a zero entry"));
        }
        // FFmpeg ignores a DC entry other than 8 in the intra matrix.
        if intra && i == 0 {
            v = 8;
        }
        m[usize::from(z)] = v;
    }
    Ok(m)
}

impl SequenceHeader {
    /// Parses the header from the bytes after its start code.
    pub fn parse(data: &[u8]) -> Result<SequenceHeader, HeaderError> {
        let mut r = BitReader::new(data);
        let width = r.read(12) as u16;
        let height = r.read(12) as u16;
        let aspect_code = r.read(4) as u8;
        let frame_rate_code = r.read(4) as u8;
        let bit_rate_400 = r.read(18);
        if !r.read_bit() {
            return Err(if r.overread() {
                HeaderError::Truncated
            } else {
                HeaderError::Invalid("missing marker bit in sequence header")
            });
        }
        let vbv_buffer_size = r.read(10) as u16;
        let constrained = r.read_bit();
        let mut custom = false;
        let intra_matrix = if r.read_bit() {
            custom = true;
            load_matrix(&mut r, true)?
        } else {
            DEFAULT_INTRA_MATRIX
        };
        let non_intra_matrix = if r.read_bit() {
            custom = true;
            load_matrix(&mut r, false)?
        } else {
            DEFAULT_NON_INTRA_MATRIX
        };
        if r.overread() {
            return Err(HeaderError::Truncated);
        }
        if width == 0 || height == 0 {
            return Err(HeaderError::Invalid("zero picture size"));
        }
        Ok(SequenceHeader {
            width,
            height,
            aspect_code,
            frame_rate_code,
            bit_rate_400,
            vbv_buffer_size,
            constrained,
            intra_matrix,
            non_intra_matrix,
            custom_matrices: custom,
        })
    }

    /// Writes the header with its start code; a matrix is loaded when it
    /// differs from the default.
    pub fn write(&self, w: &mut BitWriter) {
        write_start_code(w, tables::start_code::SEQUENCE_HEADER);
        w.write(12, u32::from(self.width));
        w.write(12, u32::from(self.height));
        w.write(4, u32::from(self.aspect_code));
        w.write(4, u32::from(self.frame_rate_code));
        w.write(18, self.bit_rate_400);
        w.write_bit(true);
        w.write(10, u32::from(self.vbv_buffer_size));
        w.write_bit(self.constrained);
        for (m, default) in [
            (&self.intra_matrix, &DEFAULT_INTRA_MATRIX),
            (&self.non_intra_matrix, &DEFAULT_NON_INTRA_MATRIX),
        ] {
            let load = m != default;
            w.write_bit(load);
            if load {
                for &z in &ZIGZAG {
                    w.write(8, u32::from(m[usize::from(z)]));
                }
            }
        }
    }

    /// The frame rate; invalid codes give 24000/1001 as in FFmpeg.
    pub fn frame_rate(&self) -> Rational {
        tables::frame_rate(self.frame_rate_code)
            .filter(|_| self.frame_rate_code <= 13)
            .unwrap_or(Rational::new(24000, 1001))
    }

    /// The sample aspect ratio (`0/1` when unknown).
    pub fn sample_aspect_ratio(&self) -> Rational {
        tables::sample_aspect_ratio(self.aspect_code)
    }

    /// The bit rate in bit/s, `None` for the "variable" marker 0x3ffff.
    pub fn bit_rate(&self) -> Option<u64> {
        (self.bit_rate_400 != 0x3ffff && self.bit_rate_400 != 0)
            .then(|| u64::from(self.bit_rate_400) * 400)
    }

    /// VBV buffer size in bits (cf. `rc_buffer_size`).
    pub fn vbv_buffer_bits(&self) -> u64 {
        u64::from(self.vbv_buffer_size) * 16 * 1024
    }
}

/// The group of pictures header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GopHeader {
    /// `time_code` (25 bits).
    pub time_code: u32,
    /// `closed_gop`.
    pub closed: bool,
    /// `broken_link`.
    pub broken_link: bool,
}

impl GopHeader {
    /// Parses the header from the bytes after its start code.
    pub fn parse(data: &[u8]) -> Result<GopHeader, HeaderError> {
        let mut r = BitReader::new(data);
        let time_code = r.read(25);
        let closed = r.read_bit();
        let broken_link = r.read_bit();
        if r.overread() {
            return Err(HeaderError::Truncated);
        }
        Ok(GopHeader {
            time_code,
            closed,
            broken_link,
        })
    }

    /// The time code of picture number `n` at `fps` (rounded) pictures per
    /// second: hours, minutes, a marker bit, seconds and pictures (no drop frame).
    pub fn time_code_of(n: u64, fps: u32) -> u32 {
        let fps = u64::from(fps.max(1));
        let pictures = (n % fps) as u32;
        let secs = n / fps;
        let (h, m, s) = (
            (secs / 3600 % 24) as u32,
            (secs / 60 % 60) as u32,
            (secs % 60) as u32,
        );
        (h << 19) | (m << 13) | (1 << 12) | (s << 6) | pictures
    }

    /// Writes the header with its start code.
    pub fn write(&self, w: &mut BitWriter) {
        write_start_code(w, tables::start_code::GOP);
        w.write(25, self.time_code);
        w.write_bit(self.closed);
        w.write_bit(self.broken_link);
    }
}

/// Picture coding type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PictureCoding {
    /// Intra-coded.
    I,
    /// Predictive-coded.
    P,
    /// Bidirectionally predictive-coded.
    B,
    /// DC intra-coded.
    D,
}

/// The picture header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PictureHeader {
    /// `temporal_reference`.
    pub temporal_reference: u16,
    /// `picture_coding_type`.
    pub coding: PictureCoding,
    /// `vbv_delay`.
    pub vbv_delay: u16,
    /// `full_pel_forward_vector`.
    pub full_pel_forward: bool,
    /// `forward_f_code` (1..=7).
    pub forward_f_code: u8,
    /// `full_pel_backward_vector`.
    pub full_pel_backward: bool,
    /// `backward_f_code` (1..=7).
    pub backward_f_code: u8,
}

impl PictureHeader {
    /// Parses the header from the bytes after its start code.
    pub fn parse(data: &[u8]) -> Result<PictureHeader, HeaderError> {
        let mut r = BitReader::new(data);
        let temporal_reference = r.read(10) as u16;
        let coding = match r.read(3) {
            1 => PictureCoding::I,
            2 => PictureCoding::P,
            3 => PictureCoding::B,
            4 => PictureCoding::D,
            _ => return Err(HeaderError::Invalid("invalid picture coding type")),
        };
        let vbv_delay = r.read(16) as u16;
        let mut h = PictureHeader {
            temporal_reference,
            coding,
            vbv_delay,
            full_pel_forward: false,
            forward_f_code: 1,
            full_pel_backward: false,
            backward_f_code: 1,
        };
        if matches!(coding, PictureCoding::P | PictureCoding::B) {
            h.full_pel_forward = r.read_bit();
            // FFmpeg treats the forbidden f_code 0 as 1.
            h.forward_f_code = (r.read(3) as u8).max(1);
        }
        if coding == PictureCoding::B {
            h.full_pel_backward = r.read_bit();
            h.backward_f_code = (r.read(3) as u8).max(1);
        }
        if r.overread() {
            return Err(HeaderError::Truncated);
        }
        Ok(h)
    }

    /// Writes the header with its start code (no extra information).
    pub fn write(&self, w: &mut BitWriter) {
        write_start_code(w, tables::start_code::PICTURE);
        w.write(10, u32::from(self.temporal_reference & 0x3ff));
        let t = match self.coding {
            PictureCoding::I => 1,
            PictureCoding::P => 2,
            PictureCoding::B => 3,
            PictureCoding::D => 4,
        };
        w.write(3, t);
        w.write(16, u32::from(self.vbv_delay));
        if matches!(self.coding, PictureCoding::P | PictureCoding::B) {
            w.write_bit(self.full_pel_forward);
            w.write(3, u32::from(self.forward_f_code));
        }
        if self.coding == PictureCoding::B {
            w.write_bit(self.full_pel_backward);
            w.write(3, u32::from(self.backward_f_code));
        }
        // extra_bit_picture
        w.write_bit(false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_codes() {
        let d = [0u8, 0, 1, 0xb3, 0, 0, 0, 1, 0x00, 1, 0, 0, 1];
        assert_eq!(find_start_code(&d, 0), Some(3));
        assert_eq!(find_start_code(&d, 4), Some(8));
        // A prefix at the very end gives the position just past the data.
        assert_eq!(find_start_code(&d, 9), Some(13));
        assert_eq!(find_start_code(&d[..12], 9), None);
        assert_eq!(find_start_code(&[], 0), None);
    }

    #[test]
    fn sequence_header() {
        // 352x288, aspect 1, 25 fps, bit rate 0x3ffff, vbv 20, default matrices.
        let d = [0x16, 0x01, 0x20, 0x13, 0xff, 0xff, 0xe0, 0xa0];
        let s = SequenceHeader::parse(&d).unwrap();
        assert_eq!((s.width, s.height), (352, 288));
        assert_eq!(s.frame_rate(), Rational::new(25, 1));
        assert_eq!(s.bit_rate(), None);
        assert_eq!(s.vbv_buffer_size, 20);
        assert!(!s.custom_matrices);
        assert_eq!(SequenceHeader::parse(&d[..3]), Err(HeaderError::Truncated));
    }

    #[test]
    fn headers_round_trip() {
        let mut s =
            SequenceHeader::parse(&[0x16, 0x01, 0x20, 0x13, 0xff, 0xff, 0xe0, 0xa0]).unwrap();
        s.intra_matrix[5] = 40;
        let mut w = BitWriter::new();
        s.write(&mut w);
        let b = w.finish();
        assert_eq!(&b[..4], &[0, 0, 1, 0xb3]);
        let t = SequenceHeader::parse(&b[4..]).unwrap();
        assert_eq!(t.intra_matrix, s.intra_matrix);
        assert!(t.custom_matrices);
        assert_eq!((t.width, t.height, t.vbv_buffer_size), (352, 288, 20));
        let g = GopHeader {
            time_code: GopHeader::time_code_of(22, 25),
            closed: false,
            broken_link: false,
        };
        let mut w = BitWriter::new();
        g.write(&mut w);
        // As FFmpeg writes the GOP starting at picture 22 at 25 fps.
        assert_eq!(w.finish(), [0, 0, 1, 0xb8, 0x00, 0x08, 0x0b, 0x00]);
        let p = PictureHeader {
            temporal_reference: 3,
            coding: PictureCoding::P,
            vbv_delay: 0xffff,
            full_pel_forward: false,
            forward_f_code: 3,
            full_pel_backward: false,
            backward_f_code: 1,
        };
        let mut w = BitWriter::new();
        p.write(&mut w);
        let b = w.finish();
        assert_eq!(&b[4..9], &[0x00, 0xd7, 0xff, 0xf9, 0x80]);
        assert_eq!(PictureHeader::parse(&b[4..]).unwrap(), p);
    }
}
