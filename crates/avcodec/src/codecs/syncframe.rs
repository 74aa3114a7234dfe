//! The scanning engine shared by the parsers of audio formats made of sync
//! frames whose header gives the frame size (AC-3, DTS), behaving like
//! FFmpeg's parsers of such formats:
//!
//! * a header is searched with a window of the last `w` bytes; the header
//!   at the start of the frame being assembled is that frame's own, and the
//!   frame's bytes up to its size are passed over without looking;
//! * after that the next header found ends the frame just before it, so
//!   bytes between two frames stay with the frame before them;
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
    /// Belongs to the current frame, which goes on for `size` bytes from here.
    Continue,
}

/// A header found by a sync rule.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Found<H> {
    /// Bytes of the sync frame from the header on.
    pub(crate) size: usize,
    /// What the rule parsed.
    pub(crate) header: H,
    /// How the header relates to the current frame.
    pub(crate) kind: Kind,
}

/// The scanning state.
#[derive(Debug, Clone, Default)]
pub(crate) struct Splitter {
    /// The last bytes searched (since the last reset of the window).
    win: [u8; MAX_WINDOW],
    have: usize,
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

    /// Scans `data` (the bytes after those of the previous call) with a
    /// window of `w` bytes (at most 16); `sync` is given the window and the
    /// offset of its first byte in the current frame. Returns the scan and,
    /// when a frame ended, the header that ended it.
    pub(crate) fn scan<H>(
        &mut self,
        data: &[u8],
        w: usize,
        mut sync: impl FnMut(&[u8], usize) -> Option<Found<H>>,
    ) -> (Scan, Option<H>) {
        let w = w.clamp(1, MAX_WINDOW);
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
            let b = if j < 0 {
                neg[(neg.len() as isize + j) as usize]
            } else {
                data[j as usize]
            };
            j += 1;
            self.frame_pos += 1;
            self.push(b, w);
            if self.have < w {
                continue;
            }
            let start = self.frame_pos - w;
            let Some(found) = sync(&self.win[..w], start) else {
                continue;
            };
            if start == 0 || found.kind == Kind::Continue {
                self.skip = found.size.saturating_sub(w);
                self.have = 0;
                continue;
            }
            // The frame ends where this header starts; the header is scanned
            // again as the next frame's own.
            let end = j - w as isize;
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
