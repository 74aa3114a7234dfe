//! The muxer trait (cf. `AVOutputFormat`'s callbacks).

use avcodec::Packet;
use avutil::Dictionary;

use crate::error::Result;
use crate::io::IoWriter;
use crate::stream::Stream;

/// What a muxer sees of the output.
#[derive(Debug, Clone, Default)]
pub struct MuxState {
    /// The output's name.
    pub url: String,
    /// The streams; a muxer may change their time bases in `write_header`.
    pub streams: Vec<Stream>,
    /// Container metadata.
    pub metadata: Dictionary,
    /// Write no version strings or dates (`-fflags +bitexact`).
    pub bitexact: bool,
}

/// A muxer (cf. `AVOutputFormat`).
pub trait Muxer: Send {
    /// Checks the streams, may set their time bases, writes the header.
    fn write_header(&mut self, io: &mut IoWriter, state: &mut MuxState) -> Result<()>;
    /// Writes one packet; timestamps are in its stream's time base.
    fn write_packet(&mut self, io: &mut IoWriter, state: &MuxState, packet: &Packet) -> Result<()>;
    /// Finishes the file (patches sizes in headers where the output can seek).
    fn write_trailer(&mut self, io: &mut IoWriter, state: &MuxState) -> Result<()>;
}
