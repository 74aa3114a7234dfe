//! The Layer I/II decoders: `mp1`, `mp2` (fixed point, planar s16, the
//! default, sample-identical to FFmpeg's) and `mp1float`, `mp2float`
//! (planar float).

use std::collections::VecDeque;

use avutil::{ChannelLayout, Frame, Rational, SampleFormat};

use super::header::{HEADER_SIZE, Header};
use super::layer12::{Crc, SbSamples, decode_layer1, decode_layer2};
use super::synth::{FixedSynth, FloatSynth, Window};
use crate::codec::{Decoder, DecoderOptions, Received, SendStatus, frame_timing_from_packet};
use crate::codec_id::CodecId;
use crate::error::{Error, Result};
use crate::packet::Packet;
use crate::params::CodecParameters;

/// Output arithmetic of a decoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// Fixed point, planar signed 16-bit (FFmpeg's `mp1`/`mp2`).
    S16p,
    /// Float, planar 32-bit float in [-1, 1] (FFmpeg's `mp1float`/`mp2float`).
    Fltp,
}

/// An MPEG audio Layer I/II decoder (cf. FFmpeg's `mpegaudiodec_template.c`).
///
/// Each packet holds one or more frames; every frame becomes one audio
/// frame of 384 (Layer I) or 1152 (Layer II) samples per channel. Leading
/// zero bytes and ID3v1 tags are skipped. Protected frames have their CRC
/// checked; a mismatch is logged as a warning and the frame decoded anyway,
/// as FFmpeg does, unless the private option `err_detect` contains `explode`.
pub struct MpaDecoder {
    codec: CodecId,
    out: Output,
    params: CodecParameters,
    time_base: Rational,
    win: Window,
    fixed: [FixedSynth; 2],
    dither: i32,
    float: [FloatSynth; 2],
    sb: Box<SbSamples>,
    ready: VecDeque<Frame>,
    eof: bool,
    explode: bool,
}

impl std::fmt::Debug for MpaDecoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MpaDecoder({}, {:?})", self.codec, self.out)
    }
}

impl MpaDecoder {
    /// Opens a decoder for `params.codec_id` (`mp1` or `mp2`; Layer III frames are refused).
    pub fn new(params: &CodecParameters, opts: &DecoderOptions, out: Output) -> Result<Self> {
        let name = match out {
            Output::S16p => params.codec_id.name().to_owned(),
            Output::Fltp => format!("{}float", params.codec_id.name()),
        };
        let mut explode = false;
        for (k, v) in opts.private.iter() {
            match k {
                "err_detect" => explode = v.split(['+', ',']).any(|f| f == "explode"),
                _ => {
                    return Err(Error::UnknownOption {
                        codec: name,
                        option: k.to_owned(),
                    });
                }
            }
        }
        let mut p = params.clone();
        p.sample_fmt = Some(match out {
            Output::S16p => SampleFormat::S16p,
            Output::Fltp => SampleFormat::Fltp,
        });
        let time_base = if !opts.packet_time_base.is_undefined() {
            opts.packet_time_base
        } else if params.sample_rate > 0 {
            Rational::new(1, params.sample_rate as i32)
        } else {
            Rational::UNDEFINED
        };
        Ok(MpaDecoder {
            codec: params.codec_id,
            out,
            params: p,
            time_base,
            win: Window::default(),
            fixed: Default::default(),
            dither: 0,
            float: Default::default(),
            sb: Box::new([[[0; 32]; 36]; 2]),
            ready: VecDeque::new(),
            eof: false,
            explode,
        })
    }

    fn invalid(&self, reason: impl Into<String>) -> Error {
        Error::InvalidData {
            codec: self.codec,
            reason: reason.into(),
        }
    }

    /// Decodes the frame at the start of `buf` (after skipped zero bytes); returns the bytes consumed
    /// and the decoded frame, if any.
    fn decode_one(&mut self, buf: &[u8]) -> Result<(usize, Option<Frame>)> {
        let skipped = buf.iter().take_while(|&&b| b == 0).count();
        let buf = &buf[skipped..];
        if buf.len() < HEADER_SIZE {
            return Err(self.invalid("packet too small"));
        }
        if buf.starts_with(b"TAG") {
            log::debug!("discarding ID3 tag");
            return Ok((skipped + buf.len(), None));
        }
        let Some(h) = Header::parse_bytes(buf) else {
            return Err(self.invalid("Header missing"));
        };
        let Some(size) = h.frame_size() else {
            return Err(self.invalid("free format frames are not supported"));
        };
        if h.layer == 3 {
            return Err(self.invalid("Layer III frames are not supported by this decoder"));
        }
        let size = size.min(buf.len());
        let frame_bytes = &buf[..size];
        let slots = if h.layer == 1 { 12 } else { 36 };
        let crc = if h.layer == 1 {
            decode_layer1(frame_bytes, &h, &mut self.sb)
        } else {
            decode_layer2(frame_bytes, &h, &mut self.sb)
        };
        if let Crc::Mismatch(found, computed) = crc {
            log::warn!("CRC mismatch: frame has {found:04X}, computed {computed:04X}");
            if self.explode {
                return Err(self.invalid("CRC mismatch"));
            }
        }
        let nch = h.channels() as usize;
        let layout = if nch == 1 {
            ChannelLayout::MONO
        } else {
            ChannelLayout::STEREO
        };
        let n = slots * 32;
        let mut frame = match self.out {
            Output::S16p => Frame::new_audio(SampleFormat::S16p, n, layout, h.sample_rate)?,
            Output::Fltp => Frame::new_audio(SampleFormat::Fltp, n, layout, h.sample_rate)?,
        };
        for ch in 0..nch {
            let plane = frame.plane_mut(ch);
            match self.out {
                Output::S16p => {
                    let mut pcm = [[0i16; 32]; 36];
                    for (s, o) in pcm.iter_mut().enumerate().take(slots) {
                        self.fixed[ch].filter(&self.win, &mut self.dither, &self.sb[ch][s], o);
                    }
                    let pcm = pcm.as_flattened();
                    for (d, s) in plane.chunks_exact_mut(2).zip(&pcm[..n]) {
                        d.copy_from_slice(&s.to_ne_bytes());
                    }
                }
                Output::Fltp => {
                    let mut pcm = [[0f32; 32]; 36];
                    for (s, o) in pcm.iter_mut().enumerate().take(slots) {
                        let sbf: [f32; 32] = std::array::from_fn(|i| self.sb[ch][s][i] as f32);
                        self.float[ch].filter(&self.win, &sbf, o);
                    }
                    let pcm = pcm.as_flattened();
                    for (d, s) in plane.chunks_exact_mut(4).zip(&pcm[..n]) {
                        d.copy_from_slice(&s.to_ne_bytes());
                    }
                }
            }
        }
        self.params.sample_rate = h.sample_rate;
        self.params.ch_layout = Some(layout);
        self.params.frame_size = n as u32;
        if self.params.bit_rate.is_none() {
            self.params.bit_rate = Some(u64::from(h.bit_rate()));
        }
        Ok((skipped + size, Some(frame)))
    }
}

impl Decoder for MpaDecoder {
    fn parameters(&self) -> &CodecParameters {
        &self.params
    }

    fn send_packet(&mut self, pkt: &Packet) -> Result<SendStatus> {
        if self.eof {
            return Err(Error::InvalidState {
                what: "packet sent after end of stream",
            });
        }
        if !self.ready.is_empty() {
            return Ok(SendStatus::Full);
        }
        let data = &pkt.data[..];
        let mut pos = 0;
        let mut next_pts = pkt.pts;
        while pos < data.len() {
            match self.decode_one(&data[pos..]) {
                Ok((used, frame)) => {
                    if let Some(mut f) = frame {
                        let n = f.audio().map_or(0, |a| a.nb_samples) as i64;
                        let rate = f.audio().map_or(0, |a| a.sample_rate);
                        frame_timing_from_packet(&mut f, pkt, self.time_base);
                        f.pts = next_pts;
                        f.best_effort_timestamp =
                            next_pts.or(if pos == 0 { pkt.dts } else { None });
                        let sample_tb = rate > 0 && f.time_base == Rational::new(1, rate as i32);
                        if pos > 0 || f.duration.is_none() {
                            f.duration = if sample_tb {
                                Some(n)
                            } else if pos == 0 {
                                f.duration
                            } else {
                                None
                            };
                        }
                        next_pts = if sample_tb {
                            next_pts.map(|p| p + n)
                        } else {
                            None
                        };
                        self.ready.push_back(f);
                    }
                    pos += used.max(1);
                }
                // A bad frame fails the packet only if it is the whole packet (as FFmpeg).
                Err(e) if pos == 0 && self.ready.is_empty() => return Err(e),
                Err(e) => {
                    log::debug!("skipping the rest of a packet: {e}");
                    break;
                }
            }
        }
        Ok(SendStatus::Accepted)
    }

    fn send_eof(&mut self) -> Result<()> {
        self.eof = true;
        Ok(())
    }

    fn receive_frame(&mut self) -> Result<Received<Frame>> {
        Ok(match self.ready.pop_front() {
            Some(f) => Received::Item(f),
            None if self.eof => Received::EndOfStream,
            None => Received::NeedsInput,
        })
    }

    fn flush(&mut self) {
        self.ready.clear();
        self.eof = false;
        self.fixed = Default::default();
        self.dither = 0;
        self.float = Default::default();
    }
}
