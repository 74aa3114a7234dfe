//! Creating and writing outputs (cf. `avformat_alloc_output_context2`,
//! `avformat_write_header`, `av_interleaved_write_frame`, `av_write_trailer`).

use std::cmp::Ordering;
use std::collections::VecDeque;

use avcodec::{CodecParameters, Packet};
use avutil::mathematics::compare_ts;
use avutil::{Dictionary, Rational, TIME_BASE_Q};

use crate::error::{Error, Result};
use crate::io::{IoWriter, PipeSink};
use crate::mux::{MuxState, Muxer};
use crate::registry::{FormatRegistry, MuxerInfo};
use crate::stream::Stream;

/// Buffered packets spanning more than this (in microseconds) are written
/// even if a stream has nothing queued (cf. `max_interleave_delta`).
const MAX_INTERLEAVE_DELTA: i64 = 10_000_000;

/// An output being written (cf. `AVFormatContext` for muxing).
pub struct OutputContext {
    info: MuxerInfo,
    muxer: Box<dyn Muxer>,
    io: IoWriter,
    state: MuxState,
    header_written: bool,
    trailer_written: bool,
    /// The output file is still to be created (by `write_header`).
    create_on_header: bool,
    queues: Vec<VecDeque<Packet>>,
    last_dts: Vec<Option<i64>>,
    counts: Vec<u64>,
}

impl std::fmt::Debug for OutputContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "OutputContext({}, {})", self.info.name, self.state.url)
    }
}

impl OutputContext {
    /// Prepares `url` (created when the header is written) with the muxer named `format`, or the one its name suggests (cf. `av_guess_format`).
    pub fn create(url: &str, registry: &FormatRegistry, format: Option<&str>) -> Result<Self> {
        let info = match format {
            Some(name) => *registry.find_muxer(name)?,
            None => *registry
                .guess_format(None, Some(url), None)
                .ok_or_else(|| Error::NoOutputFormat {
                    url: url.to_owned(),
                })?,
        };
        // The file itself is created by `write_header`, so that an output whose
        // streams could not be set up leaves nothing behind.
        let io = IoWriter::new(Box::new(PipeSink(std::io::sink())), url);
        let mut ctx = Self::with_writer(io, info);
        ctx.create_on_header = !info.flags.no_file;
        Ok(ctx)
    }

    /// Writes with muxer `info` to an already created writer.
    pub fn with_writer(io: IoWriter, info: MuxerInfo) -> Self {
        let url = io.url().to_owned();
        OutputContext {
            muxer: (info.create)(),
            info,
            io,
            state: MuxState {
                url,
                ..Default::default()
            },
            header_written: false,
            trailer_written: false,
            create_on_header: false,
            queues: Vec::new(),
            last_dts: Vec::new(),
            counts: Vec::new(),
        }
    }

    /// The muxer.
    pub fn format(&self) -> &MuxerInfo {
        &self.info
    }

    /// Adds a stream (before the header); returns its index (cf. `avformat_new_stream`).
    pub fn add_stream(&mut self, params: CodecParameters, time_base: Rational) -> Result<usize> {
        if self.header_written {
            return Err(Error::InvalidState {
                what: "stream added after the header was written",
            });
        }
        if !(self.info.supports)(params.codec_id) {
            return Err(Error::Unsupported {
                format: self.info.name,
                stream: self.state.streams.len(),
                what: format!(
                    "codec {} is not supported by the {} muxer",
                    params.codec_id, self.info.name
                ),
            });
        }
        let i = self.state.streams.len();
        self.state.streams.push(Stream::new(i, params, time_base));
        self.queues.push(VecDeque::new());
        self.last_dts.push(None);
        self.counts.push(0);
        Ok(i)
    }

    /// The streams (time bases as the muxer chose them once the header is written).
    pub fn streams(&self) -> &[Stream] {
        &self.state.streams
    }

    /// Mutable access to a stream before the header (metadata, frame rate, SAR...).
    pub fn stream_mut(&mut self, i: usize) -> Option<&mut Stream> {
        self.state.streams.get_mut(i)
    }

    /// Container metadata to write.
    pub fn metadata_mut(&mut self) -> &mut Dictionary {
        &mut self.state.metadata
    }

    /// Write no version strings (`-fflags +bitexact`).
    pub fn set_bitexact(&mut self, on: bool) {
        self.state.bitexact = on;
    }

    /// FFmpeg's description of this output as output number `index` (cf. `av_dump_format`).
    pub fn dump(&self, index: usize) -> String {
        crate::dump::dump(&crate::dump::DumpInfo {
            index,
            format: self.info.name,
            url: &self.state.url,
            is_output: true,
            metadata: &self.state.metadata,
            duration: None,
            start_time: None,
            bit_rate: None,
            streams: &self.state.streams,
        })
    }

    /// Bytes written so far.
    pub fn bytes_written(&self) -> u64 {
        self.io.bytes_written()
    }

    /// Writes the header; the muxer may change stream time bases (cf. `avformat_write_header`).
    pub fn write_header(&mut self) -> Result<()> {
        if self.header_written {
            return Err(Error::InvalidState {
                what: "header written twice",
            });
        }
        let created_here = self.create_on_header;
        if self.create_on_header {
            self.io = IoWriter::create(&self.state.url)?;
            self.create_on_header = false;
        }
        if let Err(e) = self.muxer.write_header(&mut self.io, &mut self.state) {
            // The muxer refused the streams: leave no file behind.
            let is_pipe = self.state.url == "-" || self.state.url.starts_with("pipe:");
            if created_here && !is_pipe {
                self.io = IoWriter::new(Box::new(PipeSink(std::io::sink())), &self.state.url);
                let path = self
                    .state
                    .url
                    .strip_prefix("file:")
                    .unwrap_or(&self.state.url);
                let _ = std::fs::remove_file(path);
                self.create_on_header = true;
            }
            return Err(e);
        }
        self.header_written = true;
        Ok(())
    }

    /// Queues a packet and writes packets in dts order across streams
    /// (cf. `av_interleaved_write_frame`). The packet's timestamps are in
    /// `packet.time_base` (the stream's if undefined) and are rescaled.
    pub fn write_packet(&mut self, mut packet: Packet) -> Result<()> {
        if !self.header_written || self.trailer_written {
            return Err(Error::InvalidState {
                what: "packet written outside header..trailer",
            });
        }
        let si = packet.stream_index;
        let Some(st) = self.state.streams.get(si) else {
            return Err(Error::InvalidState {
                what: "packet for a stream that does not exist",
            });
        };
        packet.rescale_ts(st.time_base);
        if packet.dts.is_none() {
            packet.dts = packet.pts;
        }
        self.queues[si].push_back(packet);
        while let Some(i) = self.next_ready(false) {
            self.write_queued(i)?;
        }
        Ok(())
    }

    /// Index of the stream whose head packet goes next, if one may go now.
    fn next_ready(&self, flush: bool) -> Option<usize> {
        let mut best: Option<(usize, &Packet)> = None;
        let mut all_have = true;
        for (i, q) in self.queues.iter().enumerate() {
            match q.front() {
                None => all_have = false,
                Some(p) => {
                    let better = match best {
                        None => true,
                        Some((bi, bp)) => cmp_dts(p, self.tb(i), bp, self.tb(bi)) == Ordering::Less,
                    };
                    if better {
                        best = Some((i, p));
                    }
                }
            }
        }
        let (i, head) = best?;
        if flush || all_have {
            return Some(i);
        }
        // A stream far behind must not hold everything back forever.
        let head_us = head
            .dts
            .and_then(|d| avutil::mathematics::rescale_q(d, self.tb(i), TIME_BASE_Q))?;
        let newest = self
            .queues
            .iter()
            .enumerate()
            .filter_map(|(j, q)| {
                q.back()
                    .and_then(|p| p.dts)
                    .and_then(|d| avutil::mathematics::rescale_q(d, self.tb(j), TIME_BASE_Q))
            })
            .max()?;
        (newest - head_us > MAX_INTERLEAVE_DELTA).then_some(i)
    }

    fn tb(&self, i: usize) -> Rational {
        self.state.streams[i].time_base
    }

    fn write_queued(&mut self, i: usize) -> Result<()> {
        let Some(pkt) = self.queues[i].pop_front() else {
            return Ok(());
        };
        let n = self.counts[i];
        self.counts[i] += 1;
        let wrap = |e: Error| Error::WritePacket {
            stream: i,
            packet: n,
            dts: pkt.dts.map_or("N/A".into(), |d| d.to_string()),
            source: Box::new(e),
        };
        if !self.info.flags.no_timestamps
            && let (Some(last), Some(d)) = (self.last_dts[i], pkt.dts)
            && d < last
        {
            return Err(wrap(Error::InvalidData {
                format: self.info.name,
                offset: self.io.tell(),
                reason: format!(
                    "non monotonically increasing dts to muxer in stream {i}: {last} >= {d}"
                ),
            }));
        }
        self.last_dts[i] = pkt.dts.or(self.last_dts[i]);
        self.muxer
            .write_packet(&mut self.io, &self.state, &pkt)
            .map_err(wrap)
    }

    /// Writes every queued packet and the trailer, then flushes (cf. `av_write_trailer`).
    pub fn write_trailer(&mut self) -> Result<()> {
        if !self.header_written {
            return Err(Error::InvalidState {
                what: "trailer before header",
            });
        }
        if self.trailer_written {
            return Ok(());
        }
        while let Some(i) = self.next_ready(true) {
            self.write_queued(i)?;
        }
        self.trailer_written = true;
        self.muxer.write_trailer(&mut self.io, &self.state)?;
        self.io.flush()
    }
}

fn cmp_dts(a: &Packet, atb: Rational, b: &Packet, btb: Rational) -> Ordering {
    match (a.dts, b.dts) {
        (Some(x), Some(y)) => compare_ts(x, atb, y, btb),
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use avcodec::CodecId;
    use avutil::PixelFormat;

    #[test]
    fn refused_header_leaves_no_file() {
        let path = std::env::temp_dir().join(format!("ff-refused-{}.y4m", std::process::id()));
        let url = path.to_string_lossy().into_owned();
        let reg = FormatRegistry::builtin();
        let mut out = OutputContext::create(&url, &reg, None).unwrap();
        assert!(
            !path.exists(),
            "the file is created by write_header, not before"
        );
        out.add_stream(
            CodecParameters::video(CodecId::Rawvideo, 4, 4, PixelFormat::Rgb24),
            Rational::new(1, 25),
        )
        .unwrap();
        assert!(out.write_header().is_err(), "yuv4mpegpipe refuses rgb24");
        assert!(!path.exists(), "a refused header leaves nothing behind");
    }
}
