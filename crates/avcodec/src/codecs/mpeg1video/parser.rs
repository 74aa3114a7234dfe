//! Elementary stream parser: cuts an MPEG-1 video byte stream into access
//! units of one picture each (with the sequence and GOP headers before it),
//! as FFmpeg's `mpegvideo` parser does, and reads the stream parameters.
//!
//! A unit ends just before the first start code other than a slice that
//! follows the picture's slices; a sequence end code stays with the unit it
//! ends.

use super::headers::{PictureCoding, PictureHeader, SequenceHeader, find_start_code};
use super::tables::start_code as sc;
use crate::codec_id::CodecId;
use crate::params::CodecParameters;
use avutil::{ChromaLocation, ColorRange, PixelFormat};

/// One access unit found by [`Mpeg1VideoParser::split`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessUnit {
    /// The bytes of the unit.
    pub data: Vec<u8>,
    /// Byte offset of the unit in the whole stream.
    pub offset: u64,
    /// Coding type of the unit's picture (`None` if it has no picture header).
    pub coding: Option<PictureCoding>,
    /// The unit carries a sequence header.
    pub has_sequence_header: bool,
}

impl AccessUnit {
    /// True for units starting an intra picture (FFmpeg's key frames).
    pub fn is_key(&self) -> bool {
        self.coding == Some(PictureCoding::I)
    }
}

/// Splits an elementary stream given in arbitrary chunks (cf. `av_parser_parse2`).
#[derive(Debug, Default)]
pub struct Mpeg1VideoParser {
    buf: Vec<u8>,
    /// Offset in the stream of `buf[0]`.
    buf_offset: u64,
    /// Where scanning resumes in `buf`.
    scan: usize,
    /// Slices of the current unit were seen.
    in_slices: bool,
    seq: Option<SequenceHeader>,
    /// An MPEG-2 extension start code was seen after a sequence header.
    mpeg2: bool,
}

impl Mpeg1VideoParser {
    /// A parser at the start of a stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// The first sequence header seen, if any.
    pub fn sequence(&self) -> Option<&SequenceHeader> {
        self.seq.as_ref()
    }

    /// True once an extension start code (MPEG-2) was seen.
    pub fn is_mpeg2(&self) -> bool {
        self.mpeg2
    }

    /// Bytes held back waiting for the end of their unit.
    pub fn pending(&self) -> usize {
        self.buf.len()
    }

    /// Forgets buffered data (after a seek); the stream offset continues at `offset`.
    pub fn reset(&mut self, offset: u64) {
        self.buf.clear();
        self.buf_offset = offset;
        self.scan = 0;
        self.in_slices = false;
    }

    /// Adds `data` and returns the units completed by it; with `eof`, the
    /// remaining bytes form a last unit.
    pub fn split(&mut self, data: &[u8], eof: bool) -> Vec<AccessUnit> {
        self.buf.extend_from_slice(data);
        let mut out = Vec::new();
        let mut start = 0usize;
        let mut i = self.scan;
        while let Some(c) = find_start_code(&self.buf, i) {
            let Some(&code) = self.buf.get(c) else {
                // The code byte has not arrived yet.
                i = c - 3;
                break;
            };
            i = c + 1;
            let cut = match code {
                sc::SLICE_MIN..=sc::SLICE_MAX => {
                    self.in_slices = true;
                    None
                }
                sc::SEQUENCE_END => {
                    self.in_slices = false;
                    Some(c + 1)
                }
                _ if self.in_slices => {
                    self.in_slices = false;
                    Some(c - 3)
                }
                _ => None,
            };
            if let Some(end) = cut
                && end > start
            {
                out.push(self.unit(start, end));
                start = end;
            }
        }
        if find_start_code(&self.buf, i).is_none() {
            // Keep the last bytes: a start code may straddle the next chunk.
            i = self.buf.len().saturating_sub(3).max(start);
        }
        if eof && start < self.buf.len() {
            out.push(self.unit(start, self.buf.len()));
            start = self.buf.len();
            i = start;
            self.in_slices = false;
        }
        self.buf.drain(..start);
        self.buf_offset += start as u64;
        self.scan = i.saturating_sub(start);
        out
    }

    fn unit(&mut self, start: usize, end: usize) -> AccessUnit {
        let data = self.buf[start..end].to_vec();
        let mut coding = None;
        let mut has_seq = false;
        let mut i = 0;
        while let Some(c) = find_start_code(&data, i) {
            i = c;
            let Some(&code) = data.get(c) else { break };
            match code {
                sc::SEQUENCE_HEADER => {
                    has_seq = true;
                    if let Ok(s) = SequenceHeader::parse(&data[c + 1..])
                        && self.seq.is_none()
                    {
                        self.seq = Some(s);
                    }
                }
                sc::EXTENSION => self.mpeg2 = true,
                sc::PICTURE if coding.is_none() => {
                    coding = PictureHeader::parse(&data[c + 1..]).ok().map(|h| h.coding);
                }
                sc::SLICE_MIN..=sc::SLICE_MAX => break,
                _ => {}
            }
        }
        AccessUnit {
            data,
            offset: self.buf_offset + start as u64,
            coding,
            has_sequence_header: has_seq,
        }
    }

    /// Stream parameters from the first sequence header (cf. what FFmpeg's
    /// parser and decoder fill in during probing): size, pixel format, sample
    /// aspect ratio, bit rate, colour defaults.
    pub fn parameters(&self) -> CodecParameters {
        let mut p = CodecParameters::new(CodecId::Mpeg1video);
        p.pix_fmt = Some(PixelFormat::Yuv420p);
        p.color_range = ColorRange::Mpeg;
        p.chroma_location = ChromaLocation::Center;
        p.video_delay = 1;
        if let Some(s) = &self.seq {
            p.width = usize::from(s.width);
            p.height = usize::from(s.height);
            p.sample_aspect_ratio = s.sample_aspect_ratio();
            p.bit_rate = s.bit_rate();
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream() -> Vec<u8> {
        let mut v = vec![
            0, 0, 1, 0xb3, 0x16, 0x01, 0x20, 0x13, 0xff, 0xff, 0xe0, 0x18,
        ];
        v.extend_from_slice(&[0, 0, 1, 0xb8, 0, 8, 0, 0]);
        v.extend_from_slice(&[0, 0, 1, 0x00, 0, 0x0f, 0xff, 0xf8]); // I
        v.extend_from_slice(&[0, 0, 1, 0x01, 0x12, 0x34]);
        v.extend_from_slice(&[0, 0, 1, 0x02, 0x56]);
        v.extend_from_slice(&[0, 0, 1, 0x00, 0, 0x50, 0xff, 0xf8, 0x10]); // P
        v.extend_from_slice(&[0, 0, 1, 0x01, 0x12]);
        v.extend_from_slice(&[0, 0, 1, 0xb7]);
        v
    }

    #[test]
    fn splits_into_pictures_in_any_chunking() {
        let s = stream();
        let mut p = Mpeg1VideoParser::new();
        let whole = p.split(&s, true);
        assert_eq!(whole.len(), 2);
        assert_eq!(whole[0].coding, Some(PictureCoding::I));
        assert!(whole[0].has_sequence_header && whole[0].is_key());
        assert_eq!(whole[1].coding, Some(PictureCoding::P));
        assert_eq!(whole[1].offset, whole[0].data.len() as u64);
        assert!(whole[1].data.ends_with(&[0, 0, 1, 0xb7]));
        for chunk in 1..8 {
            let mut p = Mpeg1VideoParser::new();
            let mut units = Vec::new();
            for c in s.chunks(chunk) {
                units.extend(p.split(c, false));
            }
            units.extend(p.split(&[], true));
            assert_eq!(units, whole, "chunk {chunk}");
        }
        let par = p.parameters();
        assert_eq!((par.width, par.height), (352, 288));
    }
}
