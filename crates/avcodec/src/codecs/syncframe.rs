//! The scanning engine shared by the parsers of audio formats made of sync
//! frames whose header gives the frame size (AC-3, DTS), behaving like
//! FFmpeg's parsers of such formats:
//!
//! * a header is recognised in a window of the last [`Windows::detect`]
//!   bytes; the header at the start of the frame being assembled is that
//!   frame's own: once [`Windows::size`] bytes of it are in, the frame's
//!   size is read and the frame's bytes up to that size are passed over
//!   without looking;
//! * after that the next header recognised ends the frame just before it
//!   (as soon as its first `detect` bytes are in, which decides in which
//!   input chunk the end is seen, and so the timestamps of the next frame),
//!   so bytes between two frames stay with the frame before them;
//! * the rule deciding what a header is may also make a header continue the
//!   current frame (an E-AC-3 dependent substream, or DTS's first header
//!   after junk that FFmpeg keeps with the first frame).
//!
//! When a frame ends before the data being scanned (a header straddling two
//! chunks), the header's bytes are scanned again at the next call, as in the
//! MPEG audio parser.

use crate::parser::Scan;

/// Largest window.
const MAX_WINDOW: usize = 16;

/// What the sync rule makes of a header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Starts a frame: the current frame's own header if nothing precedes it
    /// in the frame, else the end of the current frame.
    Frame,
    /// Belongs to the current frame, which goes on for the header's frame
    /// size from here.
    Continue,
}

/// A header recognised by a sync rule.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Found<H> {
    /// What the rule parsed.
    pub(crate) header: H,
    /// How the header relates to the current frame.
    pub(crate) kind: Kind,
}

/// The window sizes of a format (at most 16 bytes each).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Windows {
    /// Bytes from a header's start that recognise it.
    pub(crate) detect: usize,
    /// Bytes from a header's start that give the frame size (>= `detect`).
    pub(crate) size: usize,
}

/// The scanning state.
#[derive(Debug, Clone, Default)]
pub(crate) struct Splitter {
    /// The last bytes searched (since the last reset of the window).
    win: [u8; MAX_WINDOW],
    have: usize,
    /// A header starts the window: its frame size is awaited.
    sizing: bool,
    /// Bytes of the current frame still to pass over.
    skip: usize,
    /// Bytes of the current frame scanned so far.
    frame_pos: usize,
    /// Bytes just before the next data to scan first (a header straddling
    /// the end of the frame reported last).
    replay: Vec<u8>,
}

impl Splitter {
    fn push(&mut self, b: u8, w: usize) {
        if self.have < w {
            self.win[self.have] = b;
            self.have += 1;
        } else {
            self.win.copy_within(1..w, 0);
            self.win[w - 1] = b;
        }
    }

    /// Scans `data` (the bytes after those of the previous call). `sync` is
    /// given the last `windows.detect` bytes and the offset of the first of
    /// them in the current frame; `size` the first `windows.size` bytes of a
    /// header that starts or continues the current frame, to give its frame
    /// size. Returns the scan and, when a frame ended, the header that ended
    /// it.
    pub(crate) fn scan<H>(
        &mut self,
        data: &[u8],
        windows: Windows,
        mut sync: impl FnMut(&[u8], usize) -> Option<Found<H>>,
        size: impl Fn(&[u8]) -> usize,
    ) -> (Scan, Option<H>) {
        let wd = windows.detect.clamp(1, MAX_WINDOW);
        let ws = windows.size.clamp(wd, MAX_WINDOW);
        let neg = std::mem::take(&mut self.replay);
        let len = data.len() as isize;
        let mut j = -(neg.len() as isize);
        while j < len {
            if self.skip > 0 {
                let avail = if j < 0 { -j } else { len - j } as usize;
                let inc = avail.min(self.skip);
                j += inc as isize;
                self.frame_pos += inc;
                self.skip -= inc;
                continue;
            }
            let b = crate::parser::replayed_byte(&neg, data, j);
            j += 1;
            self.frame_pos += 1;
            if self.sizing {
                self.push(b, ws);
                if self.have == ws {
                    self.skip = size(&self.win[..ws]).saturating_sub(ws);
                    self.sizing = false;
                    self.have = 0;
                }
                continue;
            }
            self.push(b, wd);
            if self.have < wd {
                continue;
            }
            let start = self.frame_pos - wd;
            let Some(found) = sync(&self.win[..wd], start) else {
                continue;
            };
            if start == 0 || found.kind == Kind::Continue {
                // Read on to the frame size (the window keeps the header's first bytes).
                self.sizing = true;
                if ws == wd {
                    self.skip = size(&self.win[..ws]).saturating_sub(ws);
                    self.sizing = false;
                    self.have = 0;
                }
                continue;
            }
            // The frame ends where this header starts; the header is scanned
            // again as the next frame's own.
            let end = j - wd as isize;
            self.replay = (end.min(0)..0)
                .map(|p| {
                    if p < j {
                        self.win[(p - end) as usize]
                    } else {
                        neg[(neg.len() as isize + p) as usize]
                    }
                })
                .collect();
            self.have = 0;
            self.skip = 0;
            self.frame_pos = 0;
            return (
                Scan {
                    end: Some(end),
                    anchor: None,
                },
                Some(found.header),
            );
        }
        (Scan::default(), None)
    }
}
