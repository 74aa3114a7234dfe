//! Buffered byte I/O over files, memory and pipes (cf. `AVIOContext`).
//!
//! [`IoReader`] keeps a window of the input in memory. Peeking never
//! discards data, so the bytes a prober looked at are replayed to the
//! demuxer even when the input cannot seek (a pipe); seeking backwards
//! within the window works on any input, seeking forward on a pipe reads and
//! discards.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::sync::{Arc, Mutex};

use avutil::Buffer;

use crate::error::{Error, Result};

/// A source of bytes (cf. the read callbacks of `avio_alloc_context`).
pub trait ReadSource: Read + Send {
    /// Moves to absolute position `pos`; unsupported on pipes.
    fn seek_to(&mut self, _pos: u64) -> io::Result<()> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "input is not seekable",
        ))
    }
    /// True when [`ReadSource::seek_to`] works.
    fn is_seekable(&self) -> bool {
        false
    }
    /// Total size in bytes, if known.
    fn size(&mut self) -> Option<u64> {
        None
    }
}

impl ReadSource for File {
    fn seek_to(&mut self, pos: u64) -> io::Result<()> {
        self.seek(SeekFrom::Start(pos)).map(|_| ())
    }
    fn is_seekable(&self) -> bool {
        true
    }
    fn size(&mut self) -> Option<u64> {
        self.metadata()
            .ok()
            .filter(|m| m.is_file())
            .map(|m| m.len())
    }
}

impl<T: AsRef<[u8]> + Send> ReadSource for io::Cursor<T> {
    fn seek_to(&mut self, pos: u64) -> io::Result<()> {
        self.set_position(pos);
        Ok(())
    }
    fn is_seekable(&self) -> bool {
        true
    }
    fn size(&mut self) -> Option<u64> {
        Some(self.get_ref().as_ref().len() as u64)
    }
}

/// A non-seekable source wrapping any reader (stdin, sockets, test pipes).
pub struct Pipe<R>(pub R);

impl<R: Read> Read for Pipe<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl<R: Read + Send> ReadSource for Pipe<R> {}

const CHUNK: usize = 1 << 16;
/// Consumed bytes kept in the window for seeking back (on pipes too).
const KEEP_BEHIND: usize = 1 << 20;

/// A buffered reader with little- and big-endian helpers (cf. `avio_r8`, `avio_rl32`...).
pub struct IoReader {
    src: Box<dyn ReadSource>,
    url: String,
    buf: Vec<u8>,
    /// Absolute position of `buf[0]`.
    buf_pos: u64,
    /// Read cursor within `buf`.
    cur: usize,
    eof: bool,
    size: Option<u64>,
}

impl std::fmt::Debug for IoReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IoReader({}, pos {})", self.url, self.tell())
    }
}

impl IoReader {
    /// Reads from `src`, naming it `url` in errors.
    pub fn new(mut src: Box<dyn ReadSource>, url: &str) -> Self {
        let size = src.size();
        IoReader {
            src,
            url: url.to_owned(),
            buf: Vec::new(),
            buf_pos: 0,
            cur: 0,
            eof: false,
            size,
        }
    }

    /// Opens a file, or stdin for `-` and `pipe:`/`pipe:0`.
    pub fn open(url: &str) -> Result<Self> {
        if url == "-" || url == "pipe:" || url == "pipe:0" {
            return Ok(Self::new(Box::new(Pipe(io::stdin())), url));
        }
        let path = url.strip_prefix("file:").unwrap_or(url);
        let f = File::open(path).map_err(|e| Error::Io {
            url: url.to_owned(),
            source: e,
        })?;
        Ok(Self::new(Box::new(f), url))
    }

    /// Reads from memory.
    pub fn from_bytes(data: impl AsRef<[u8]> + Send + 'static, url: &str) -> Self {
        Self::new(Box::new(io::Cursor::new(data)), url)
    }

    /// The name given at opening.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Current absolute position (cf. `avio_tell`).
    pub fn tell(&self) -> u64 {
        self.buf_pos + self.cur as u64
    }

    /// Total size, if known (cf. `avio_size`).
    pub fn size(&self) -> Option<u64> {
        self.size
    }

    /// True when the input can seek.
    pub fn is_seekable(&self) -> bool {
        self.src.is_seekable()
    }

    fn io_err(&self, e: io::Error) -> Error {
        Error::Io {
            url: self.url.clone(),
            source: e,
        }
    }

    /// Reads one more chunk into the window; false at end of input.
    fn fill(&mut self) -> Result<bool> {
        if self.eof {
            return Ok(false);
        }
        if self.cur == self.buf.len() && !self.buf.is_empty() {
            self.buf_pos += self.buf.len() as u64;
            self.buf.clear();
            self.cur = 0;
        } else if self.cur >= KEEP_BEHIND {
            // Readers that always peek ahead never consume the whole window:
            // drop what is far behind so the window does not grow with the input.
            self.buf.drain(..self.cur);
            self.buf_pos += self.cur as u64;
            self.cur = 0;
        }
        let old = self.buf.len();
        self.buf.resize(old + CHUNK, 0);
        let n = loop {
            match self.src.read(&mut self.buf[old..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.buf.truncate(old);
                    return Err(self.io_err(e));
                }
            }
        };
        self.buf.truncate(old + n);
        if n == 0 {
            self.eof = true;
        }
        Ok(n > 0)
    }

    /// Up to `n` bytes from the current position without consuming them
    /// (fewer at end of input). The bytes stay available to later reads.
    pub fn peek(&mut self, n: usize) -> Result<&[u8]> {
        while self.buf.len() - self.cur < n {
            if !self.fill()? {
                break;
            }
        }
        let end = (self.cur + n).min(self.buf.len());
        Ok(&self.buf[self.cur..end])
    }

    /// Reads up to `out.len()` bytes; returns how many (0 at end of input).
    pub fn read_some(&mut self, out: &mut [u8]) -> Result<usize> {
        if self.cur == self.buf.len() && !self.fill()? {
            return Ok(0);
        }
        let n = out.len().min(self.buf.len() - self.cur);
        out[..n].copy_from_slice(&self.buf[self.cur..self.cur + n]);
        self.cur += n;
        Ok(n)
    }

    /// Reads as many bytes as possible up to `out.len()`; returns how many.
    pub fn read_full(&mut self, out: &mut [u8]) -> Result<usize> {
        let mut done = 0;
        while done < out.len() {
            let n = self.read_some(&mut out[done..])?;
            if n == 0 {
                break;
            }
            done += n;
        }
        Ok(done)
    }

    /// Reads up to `n` bytes into a new [`Buffer`] (fewer at end of input).
    pub fn read_buffer(&mut self, n: usize) -> Result<Buffer> {
        // Never reserve more than the input can still hold (or one chunk when its size is
        // unknown): a lying header must not cause a huge allocation.
        let left = self
            .size
            .map_or(CHUNK as u64, |s| s.saturating_sub(self.tell()).max(1));
        let cap = n.min(usize::try_from(left).unwrap_or(usize::MAX));
        let mut v = Vec::with_capacity(cap + avutil::buffer::PADDING);
        self.read_into_vec(&mut v, n)?;
        Ok(Buffer::from_vec(v))
    }

    /// Appends up to `n` bytes to `v` (fewer at end of input); returns how many.
    ///
    /// Large reads bypass the window and go straight from the source into `v`
    /// without zero-filling; `v` grows only as data actually arrives.
    pub fn read_into_vec(&mut self, v: &mut Vec<u8>, n: usize) -> Result<usize> {
        let start = v.len();
        let avail = (self.buf.len() - self.cur).min(n);
        v.extend_from_slice(&self.buf[self.cur..self.cur + avail]);
        self.cur += avail;
        let mut left = n - avail;
        if left >= CHUNK && !self.eof {
            // The window is exhausted: drop it and read directly.
            self.buf_pos += self.buf.len() as u64;
            self.buf.clear();
            self.cur = 0;
            let got = (&mut *self.src)
                .take(left as u64)
                .read_to_end(v)
                .map_err(|e| self.io_err(e))?;
            self.buf_pos += got as u64;
            if got < left {
                self.eof = true;
            }
            left -= got;
            if left > 0 {
                return Ok(v.len() - start);
            }
        }
        while left > 0 {
            if self.cur == self.buf.len() && !self.fill()? {
                break;
            }
            let k = left.min(self.buf.len() - self.cur);
            v.extend_from_slice(&self.buf[self.cur..self.cur + k]);
            self.cur += k;
            left -= k;
        }
        Ok(v.len() - start)
    }

    /// Reads exactly `out.len()` bytes, or fails with [`Error::Truncated`].
    pub fn read_exact(
        &mut self,
        out: &mut [u8],
        format: &'static str,
        what: &'static str,
    ) -> Result<()> {
        let at = self.tell();
        if self.read_full(out)? < out.len() {
            return Err(Error::Truncated {
                format,
                offset: at,
                what,
            });
        }
        Ok(())
    }

    /// Skips `n` bytes (cf. `avio_skip`); returns how many were skipped (fewer at end of input).
    pub fn skip(&mut self, n: u64) -> Result<u64> {
        let target = self.tell().saturating_add(n);
        let end = self.size.map_or(target, |s| s.min(target));
        if self.is_seekable() && end > self.buf_pos + self.buf.len() as u64 {
            self.seek(end)?;
            return Ok(end - (target - n));
        }
        let start = self.tell();
        let mut left = n;
        while left > 0 {
            let avail = (self.buf.len() - self.cur) as u64;
            if avail == 0 && !self.fill()? {
                break;
            }
            let step = left.min((self.buf.len() - self.cur) as u64);
            self.cur += step as usize;
            left -= step;
        }
        Ok(self.tell() - start)
    }

    /// Moves to absolute position `pos` (cf. `avio_seek`): within the buffered
    /// window on any input, elsewhere only on seekable inputs (or forward on pipes).
    pub fn seek(&mut self, pos: u64) -> Result<()> {
        let end = self.buf_pos + self.buf.len() as u64;
        if pos >= self.buf_pos && pos <= end {
            self.cur = (pos - self.buf_pos) as usize;
            return Ok(());
        }
        if self.is_seekable() {
            self.src.seek_to(pos).map_err(|e| self.io_err(e))?;
            self.buf.clear();
            self.cur = 0;
            self.buf_pos = pos;
            self.eof = false;
            return Ok(());
        }
        if pos > end {
            let here = self.tell();
            self.skip(pos - here)?;
            if self.tell() == pos {
                return Ok(());
            }
        }
        Err(Error::Seek {
            url: self.url.clone(),
            reason: format!("position {pos} is not reachable on a non-seekable input"),
        })
    }

    /// True when no byte is left.
    pub fn at_eof(&mut self) -> Result<bool> {
        Ok(self.peek(1)?.is_empty())
    }

    fn array<const N: usize>(
        &mut self,
        format: &'static str,
        what: &'static str,
    ) -> Result<[u8; N]> {
        let mut a = [0u8; N];
        self.read_exact(&mut a, format, what)?;
        Ok(a)
    }

    /// One byte (cf. `avio_r8`).
    pub fn r8(&mut self, format: &'static str, what: &'static str) -> Result<u8> {
        Ok(self.array::<1>(format, what)?[0])
    }
    /// Little-endian u16 (cf. `avio_rl16`).
    pub fn rl16(&mut self, format: &'static str, what: &'static str) -> Result<u16> {
        Ok(u16::from_le_bytes(self.array(format, what)?))
    }
    /// Little-endian u32 (cf. `avio_rl32`).
    pub fn rl32(&mut self, format: &'static str, what: &'static str) -> Result<u32> {
        Ok(u32::from_le_bytes(self.array(format, what)?))
    }
    /// Little-endian u64 (cf. `avio_rl64`).
    pub fn rl64(&mut self, format: &'static str, what: &'static str) -> Result<u64> {
        Ok(u64::from_le_bytes(self.array(format, what)?))
    }
    /// Big-endian u16 (cf. `avio_rb16`).
    pub fn rb16(&mut self, format: &'static str, what: &'static str) -> Result<u16> {
        Ok(u16::from_be_bytes(self.array(format, what)?))
    }
    /// Big-endian u32 (cf. `avio_rb32`).
    pub fn rb32(&mut self, format: &'static str, what: &'static str) -> Result<u32> {
        Ok(u32::from_be_bytes(self.array(format, what)?))
    }
    /// A four-character code as 4 bytes.
    pub fn tag(&mut self, format: &'static str, what: &'static str) -> Result<[u8; 4]> {
        self.array(format, what)
    }

    /// Reads one line ending in `\n` (not included), at most `max` bytes; `None` at end of input.
    pub fn read_line(&mut self, max: usize, format: &'static str) -> Result<Option<Vec<u8>>> {
        let mut line = Vec::new();
        loop {
            if self.cur == self.buf.len() && !self.fill()? {
                return Ok(if line.is_empty() { None } else { Some(line) });
            }
            let avail = &self.buf[self.cur..];
            if let Some(i) = avail.iter().position(|&b| b == b'\n') {
                line.extend_from_slice(&avail[..i]);
                self.cur += i + 1;
                return Ok(Some(line));
            }
            line.extend_from_slice(avail);
            self.cur = self.buf.len();
            if line.len() > max {
                return Err(Error::LimitExceeded {
                    format,
                    what: "line length",
                    value: line.len() as u64,
                    limit: max as u64,
                });
            }
        }
    }
}

/// A destination of bytes (cf. the write callbacks of `avio_alloc_context`).
pub trait WriteSink: Write + Send {
    /// Moves to absolute position `pos`; unsupported on pipes.
    fn seek_to(&mut self, _pos: u64) -> io::Result<()> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "output is not seekable",
        ))
    }
    /// True when [`WriteSink::seek_to`] works.
    fn is_seekable(&self) -> bool {
        false
    }
}

impl WriteSink for File {
    fn seek_to(&mut self, pos: u64) -> io::Result<()> {
        self.seek(SeekFrom::Start(pos)).map(|_| ())
    }
    fn is_seekable(&self) -> bool {
        true
    }
}

/// A non-seekable sink (stdout, test pipes).
pub struct PipeSink<W>(pub W);

impl<W: Write> Write for PipeSink<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl<W: Write + Send> WriteSink for PipeSink<W> {}

/// A seekable in-memory sink whose bytes stay readable through a shared handle.
#[derive(Debug, Clone, Default)]
pub struct MemorySink {
    data: Arc<Mutex<Vec<u8>>>,
    pos: usize,
}

impl MemorySink {
    /// An empty sink.
    pub fn new() -> Self {
        Self::default()
    }
    /// A copy of everything written so far.
    pub fn contents(&self) -> Vec<u8> {
        self.data.lock().map(|d| d.clone()).unwrap_or_default()
    }
}

impl Write for MemorySink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut d = self
            .data
            .lock()
            .map_err(|_| io::Error::other("memory sink poisoned"))?;
        let end = self.pos + buf.len();
        if d.len() < end {
            d.resize(end, 0);
        }
        d[self.pos..end].copy_from_slice(buf);
        self.pos = end;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl WriteSink for MemorySink {
    fn seek_to(&mut self, pos: u64) -> io::Result<()> {
        self.pos = usize::try_from(pos).map_err(io::Error::other)?;
        Ok(())
    }
    fn is_seekable(&self) -> bool {
        true
    }
}

/// A buffered writer with little- and big-endian helpers (cf. `avio_w8`, `avio_wl32`...).
pub struct IoWriter {
    sink: io::BufWriter<Box<dyn WriteSink>>,
    url: String,
    pos: u64,
    seekable: bool,
    written: u64,
}

impl std::fmt::Debug for IoWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IoWriter({}, pos {})", self.url, self.pos)
    }
}

impl IoWriter {
    /// Writes to `sink`, naming it `url` in errors.
    pub fn new(sink: Box<dyn WriteSink>, url: &str) -> Self {
        let seekable = sink.is_seekable();
        IoWriter {
            sink: io::BufWriter::with_capacity(CHUNK, sink),
            url: url.to_owned(),
            pos: 0,
            seekable,
            written: 0,
        }
    }

    /// Creates (truncates) a file, or writes to stdout for `-` and `pipe:`/`pipe:1`.
    pub fn create(url: &str) -> Result<Self> {
        if url == "-" || url == "pipe:" || url == "pipe:1" {
            return Ok(Self::new(Box::new(PipeSink(io::stdout())), url));
        }
        let path = url.strip_prefix("file:").unwrap_or(url);
        let f = File::create(path).map_err(|e| Error::Io {
            url: url.to_owned(),
            source: e,
        })?;
        Ok(Self::new(Box::new(f), url))
    }

    /// The name given at creation.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Current position.
    pub fn tell(&self) -> u64 {
        self.pos
    }

    /// Bytes written in total (not counting overwrites after seeking back).
    pub fn bytes_written(&self) -> u64 {
        self.written
    }

    /// True when the output can seek (to patch headers in the trailer).
    pub fn is_seekable(&self) -> bool {
        self.seekable
    }

    fn io_err(&self, e: io::Error) -> Error {
        Error::Io {
            url: self.url.clone(),
            source: e,
        }
    }

    /// Writes all of `data`.
    pub fn write_all(&mut self, data: &[u8]) -> Result<()> {
        self.sink.write_all(data).map_err(|e| self.io_err(e))?;
        self.pos += data.len() as u64;
        self.written = self.written.max(self.pos);
        Ok(())
    }
    /// One byte.
    pub fn w8(&mut self, v: u8) -> Result<()> {
        self.write_all(&[v])
    }
    /// Little-endian u16.
    pub fn wl16(&mut self, v: u16) -> Result<()> {
        self.write_all(&v.to_le_bytes())
    }
    /// Little-endian u32.
    pub fn wl32(&mut self, v: u32) -> Result<()> {
        self.write_all(&v.to_le_bytes())
    }
    /// Little-endian u64.
    pub fn wl64(&mut self, v: u64) -> Result<()> {
        self.write_all(&v.to_le_bytes())
    }
    /// Big-endian u16.
    pub fn wb16(&mut self, v: u16) -> Result<()> {
        self.write_all(&v.to_be_bytes())
    }
    /// Big-endian u32.
    pub fn wb32(&mut self, v: u32) -> Result<()> {
        self.write_all(&v.to_be_bytes())
    }

    /// Moves to `pos` (flushing first); only on seekable outputs.
    pub fn seek(&mut self, pos: u64) -> Result<()> {
        self.sink.flush().map_err(|e| self.io_err(e))?;
        self.sink
            .get_mut()
            .seek_to(pos)
            .map_err(|e| self.io_err(e))?;
        self.pos = pos;
        Ok(())
    }

    /// Flushes buffered bytes to the sink (cf. `avio_flush`).
    pub fn flush(&mut self) -> Result<()> {
        self.sink.flush().map_err(|e| self.io_err(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peek_is_replayed_on_pipes() {
        let data: Vec<u8> = (0..200_000u32).map(|i| i as u8).collect();
        let mut r = IoReader::new(Box::new(Pipe(io::Cursor::new(data.clone()))), "pipe");
        assert!(!r.is_seekable());
        assert_eq!(r.peek(100_000).unwrap().len(), 100_000);
        let mut all = Vec::new();
        let mut chunk = [0u8; 7777];
        loop {
            let n = r.read_some(&mut chunk).unwrap();
            if n == 0 {
                break;
            }
            all.extend_from_slice(&chunk[..n]);
        }
        assert_eq!(all, data);
    }

    #[test]
    fn seeks_and_endianness() {
        let mut r = IoReader::from_bytes(vec![1, 2, 3, 4, 5, 6, 7, 8, 9], "mem");
        assert_eq!(r.rl16("t", "x").unwrap(), 0x0201);
        assert_eq!(r.rb32("t", "x").unwrap(), 0x0304_0506);
        r.seek(1).unwrap();
        assert_eq!(r.r8("t", "x").unwrap(), 2);
        assert_eq!(r.skip(100).unwrap(), 7);
        assert!(r.at_eof().unwrap());
        let e = r.rl32("wav", "chunk size").unwrap_err();
        assert_eq!(
            e.to_string(),
            "wav: unexpected end of input at offset 9 while reading chunk size"
        );
        let mut p = IoReader::new(Box::new(Pipe(io::Cursor::new(vec![0u8; 10]))), "pipe");
        p.skip(5).unwrap();
        p.seek(8).unwrap();
        assert_eq!(p.tell(), 8);
        assert!(p.seek(100).is_err());
    }

    #[test]
    fn lines_and_limits() {
        let mut r = IoReader::from_bytes(b"YUV4MPEG2 W2\nFRAME\nxx".to_vec(), "mem");
        assert_eq!(r.read_line(100, "y4m").unwrap().unwrap(), b"YUV4MPEG2 W2");
        assert_eq!(r.read_line(100, "y4m").unwrap().unwrap(), b"FRAME");
        assert_eq!(r.read_line(100, "y4m").unwrap().unwrap(), b"xx");
        assert!(r.read_line(100, "y4m").unwrap().is_none());
        let mut long = IoReader::from_bytes(vec![b'a'; 200_000], "mem");
        assert!(long.read_line(1000, "y4m").is_err());
    }

    #[test]
    fn writer_patches_on_seekable_sinks() {
        let sink = MemorySink::new();
        let mut w = IoWriter::new(Box::new(sink.clone()), "mem");
        w.write_all(b"RIFF").unwrap();
        w.wl32(0).unwrap();
        w.write_all(b"data").unwrap();
        w.seek(4).unwrap();
        w.wl32(0x1234).unwrap();
        w.flush().unwrap();
        assert_eq!(sink.contents(), b"RIFF\x34\x12\0\0data");
        assert_eq!(w.bytes_written(), 12);
    }
}
