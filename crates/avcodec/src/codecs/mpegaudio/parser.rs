//! Splits an MPEG audio elementary stream into frames (cf. FFmpeg's
//! `mpegaudio_parser.c`).
//!
//! Each output unit is one frame preceded by whatever bytes were skipped to
//! find it, so that concatenating the units gives back the input (as
//! FFmpeg's parser does). Free-format frames (bit rate index 0) are
//! delimited by the next header with the same fixed fields.

use super::header::{Header, SAME_HEADER_MASK};

/// Largest free-format frame searched for (a 640 kbit/s Layer II frame at 32 kHz is 2880 bytes).
const MAX_FREE_FORMAT: usize = 4096;
/// Size of an ID3v1 tag.
pub const ID3V1_SIZE: usize = 128;

/// One unit of the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedFrame {
    /// The bytes: junk skipped before the frame, then the frame.
    pub data: Vec<u8>,
    /// Bytes of junk before the header.
    pub skipped: usize,
    /// The frame header, `None` for trailing bytes without one.
    pub header: Option<Header>,
    /// Offset of `data` in the stream.
    pub offset: u64,
}

/// An incremental frame splitter.
#[derive(Debug, Default, Clone)]
pub struct MpaParser {
    buf: Vec<u8>,
    /// Stream offset of `buf[0]`.
    offset: u64,
    /// Header fields of the last frame (for free-format delimiting and consistency).
    last: Option<u32>,
}

impl MpaParser {
    /// An empty parser.
    pub fn new() -> Self {
        Self::default()
    }

    /// A parser whose next byte is at stream offset `offset`.
    pub fn at(offset: u64) -> Self {
        MpaParser {
            offset,
            ..Self::default()
        }
    }

    /// Appends input.
    pub fn feed(&mut self, data: &[u8]) {
        self.buf.extend_from_slice(data);
    }

    /// Bytes buffered and not yet returned.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// Frame size of the free-format frame at `at` (header `h`), if the next header is buffered.
    fn free_format_size(&self, at: usize, h: &Header) -> Option<usize> {
        let end = self.buf.len().min(at + MAX_FREE_FORMAT);
        (at + 4..end.saturating_sub(3)).find_map(|i| {
            let n = Header::parse_bytes(&self.buf[i..])?;
            (n.raw & SAME_HEADER_MASK == h.raw & SAME_HEADER_MASK && n.bitrate_index == 0)
                .then_some(i - at)
        })
    }

    /// The next unit; `eof` says no more input will come (the rest is flushed).
    pub fn next_frame(&mut self, eof: bool) -> Option<ParsedFrame> {
        let mut i = 0;
        while i + 4 <= self.buf.len() {
            if let Some(h) = Header::parse_bytes(&self.buf[i..]) {
                let size = match h.frame_size() {
                    Some(s) => Some(s),
                    None => match self.free_format_size(i, &h) {
                        Some(s) => Some(s),
                        None if eof || self.buf.len() >= i + MAX_FREE_FORMAT => {
                            Some(self.buf.len() - i).filter(|_| eof)
                        }
                        None => return None,
                    },
                };
                if let Some(size) = size.filter(|&s| s >= 4) {
                    if i + size <= self.buf.len() {
                        self.last = Some(h.raw);
                        return Some(self.take(i + size, i, Some(h)));
                    }
                    if !eof {
                        return None;
                    }
                    self.last = Some(h.raw);
                    let n = self.buf.len();
                    return Some(self.take(n, i, Some(h)));
                }
            }
            i += 1;
        }
        if !eof || self.buf.is_empty() {
            return None;
        }
        let n = self.buf.len();
        let unit = self.take(n, n, None);
        // A trailing ID3v1 tag is not audio.
        if unit.data.len() >= ID3V1_SIZE && unit.data.starts_with(b"TAG") {
            return None;
        }
        Some(unit)
    }

    fn take(&mut self, n: usize, skipped: usize, header: Option<Header>) -> ParsedFrame {
        let data: Vec<u8> = self.buf.drain(..n).collect();
        let offset = self.offset;
        self.offset += n as u64;
        ParsedFrame {
            data,
            skipped,
            header,
            offset,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(h: u32, size: usize, fill: u8) -> Vec<u8> {
        let mut v = h.to_be_bytes().to_vec();
        v.resize(size, fill);
        v
    }

    #[test]
    fn splits_frames_and_keeps_junk() {
        let mut s = vec![1, 2, 3];
        s.extend(frame(0xfffd_a404, 576, 0x11));
        s.extend(frame(0xfffd_a404, 576, 0x22));
        s.extend(b"xy");
        let mut p = MpaParser::new();
        // Byte by byte, as from a slow pipe.
        let mut out = Vec::new();
        for &b in &s {
            p.feed(&[b]);
            while let Some(f) = p.next_frame(false) {
                out.push(f);
            }
        }
        while let Some(f) = p.next_frame(true) {
            out.push(f);
        }
        assert_eq!(out.len(), 3);
        assert_eq!(
            (out[0].skipped, out[0].data.len(), out[0].offset),
            (3, 579, 0)
        );
        assert_eq!(
            (out[1].skipped, out[1].data.len(), out[1].offset),
            (0, 576, 579)
        );
        assert_eq!(out[2].header, None);
        assert_eq!(out.iter().map(|f| f.data.len()).sum::<usize>(), s.len());
    }

    #[test]
    fn free_format_by_next_sync() {
        let mut s = frame(0xfffd_0404, 700, 0);
        s.extend(frame(0xfffd_0404, 700, 0));
        let mut p = MpaParser::new();
        p.feed(&s);
        assert_eq!(p.next_frame(false).map(|f| f.data.len()), Some(700));
        assert_eq!(p.next_frame(false), None);
        assert_eq!(p.next_frame(true).map(|f| f.data.len()), Some(700));
    }
}
