//! The decoder and encoder traits: FFmpeg's send/receive state machine with
//! Rust status types (cf. `avcodec_send_packet`, `avcodec_receive_frame`,
//! `avcodec_send_frame`, `avcodec_receive_packet`, `avcodec_flush_buffers`).
//!
//! The protocol is FFmpeg's:
//! * `send_*` queues input. [`SendStatus::Full`] (FFmpeg's `EAGAIN` from a
//!   send) means output is waiting: receive it, then send again.
//! * `receive_*` returns [`Received::Item`], [`Received::NeedsInput`]
//!   (FFmpeg's `EAGAIN` from a receive) or, once [`Decoder::send_eof`] was
//!   called and everything was drained, [`Received::EndOfStream`].
//! * `flush` drops all buffered state (after a seek) and leaves draining mode.
//!
//! Errors are only errors: "needs more input" and "end of stream" are
//! statuses, never `Err`.

use avutil::{Dictionary, Frame, Rational};
use std::collections::VecDeque;

use crate::error::{Error, Result};
use crate::packet::Packet;
use crate::params::CodecParameters;

/// Outcome of a `send_*` call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub enum SendStatus {
    /// The input was queued.
    Accepted,
    /// Output is waiting; receive it and send this input again (FFmpeg's `EAGAIN`).
    Full,
}

/// Outcome of a `receive_*` call.
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub enum Received<T> {
    /// One output item.
    Item(T),
    /// Send more input first (FFmpeg's `EAGAIN`).
    NeedsInput,
    /// Drained completely after end of stream (FFmpeg's `AVERROR_EOF`).
    EndOfStream,
}

impl<T> Received<T> {
    /// The item, if any.
    pub fn item(self) -> Option<T> {
        match self {
            Received::Item(t) => Some(t),
            _ => None,
        }
    }
}

/// Options common to all decoders (cf. the generic `AVCodecContext` options).
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct DecoderOptions {
    /// Worker threads (0 = automatic, 1 = none).
    pub threads: usize,
    /// Time base of incoming packet timestamps (cf. `pkt_timebase`); copied to frames.
    pub packet_time_base: Rational,
    /// Codec-private options by name; each decoder parses what it knows and
    /// rejects the rest with [`Error::UnknownOption`].
    pub private: Dictionary,
}

/// Everything an encoder is opened with (cf. the `AVCodecContext` fields set before `avcodec_open2`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct EncoderOptions {
    /// The stream to produce: dimensions and pixel format, or sample format,
    /// rate and layout. The codec id is the encoder's.
    pub params: CodecParameters,
    /// Time base of the frames' timestamps (for audio usually `1/sample_rate`).
    pub time_base: Rational,
    /// Frame rate of video (for rate control), if known.
    pub frame_rate: Option<Rational>,
    /// Target bit rate in bit/s.
    pub bit_rate: Option<u64>,
    /// Constant quantizer (`-q:v`).
    pub global_quality: Option<f32>,
    /// GOP size (`-g`).
    pub gop_size: Option<u32>,
    /// Maximum consecutive B-frames (`-bf`).
    pub max_b_frames: Option<u32>,
    /// Worker threads (0 = automatic).
    pub threads: usize,
    /// Produce bit-exact output (no version strings).
    pub bitexact: bool,
    /// Codec-private options by name.
    pub private: Dictionary,
}

impl EncoderOptions {
    /// Options producing `params`, with timestamps in `time_base`.
    pub fn new(params: CodecParameters, time_base: Rational) -> Self {
        EncoderOptions {
            params,
            time_base,
            frame_rate: None,
            bit_rate: None,
            global_quality: None,
            gop_size: None,
            max_b_frames: None,
            threads: 0,
            bitexact: false,
            private: Dictionary::new(),
        }
    }
}

/// Rejects private options a codec does not know (every one, for codecs without options).
pub fn reject_private_options(codec: &str, private: &Dictionary) -> Result<()> {
    match private.iter().next() {
        Some((k, _)) => Err(Error::UnknownOption {
            codec: codec.to_owned(),
            option: k.to_owned(),
        }),
        None => Ok(()),
    }
}

/// A decoder (cf. `AVCodecContext` opened with a decoder).
pub trait Decoder: Send {
    /// The parameters of the stream being decoded, updated once the decoder
    /// knows more (e.g. the pixel format after the first frame).
    fn parameters(&self) -> &CodecParameters;
    /// Queues a packet.
    fn send_packet(&mut self, packet: &Packet) -> Result<SendStatus>;
    /// Signals end of stream: buffered frames will be drained.
    fn send_eof(&mut self) -> Result<()>;
    /// Takes the next decoded frame.
    fn receive_frame(&mut self) -> Result<Received<Frame>>;
    /// Drops all buffered data (after a seek) and leaves draining mode.
    fn flush(&mut self);
}

/// An encoder (cf. `AVCodecContext` opened with an encoder).
pub trait Encoder: Send {
    /// The parameters of the produced stream (including extradata).
    fn parameters(&self) -> &CodecParameters;
    /// Time base of the produced packets' timestamps.
    fn time_base(&self) -> Rational;
    /// For audio encoders that need exactly this many samples per frame
    /// (all but possibly the last), `Some(n)`; `None` when any size is accepted.
    fn frame_size(&self) -> Option<usize> {
        None
    }
    /// Queues a frame.
    fn send_frame(&mut self, frame: &Frame) -> Result<SendStatus>;
    /// Signals end of stream: buffered packets will be drained.
    fn send_eof(&mut self) -> Result<()>;
    /// Takes the next packet.
    fn receive_packet(&mut self) -> Result<Received<Packet>>;
}

/// The core of a codec that maps each input to at most one output with no
/// delay (PCM, rawvideo): [`OneToOne`] turns it into a full [`Decoder`] or
/// [`Encoder`] with the exact send/receive state machine.
pub trait Transform: Send {
    /// Input (packet or frame).
    type In;
    /// Output (frame or packet).
    type Out;
    /// Converts one input; `Ok(None)` when it produces nothing.
    fn transform(&mut self, input: &Self::In) -> Result<Option<Self::Out>>;
}

/// The send/receive state machine around a [`Transform`].
#[derive(Debug)]
pub struct OneToOne<T: Transform> {
    core: T,
    params: CodecParameters,
    time_base: Rational,
    ready: VecDeque<T::Out>,
    eof: bool,
}

impl<T: Transform> OneToOne<T> {
    /// Wraps `core`, whose stream is described by `params`.
    pub fn new(core: T, params: CodecParameters, time_base: Rational) -> Self {
        OneToOne {
            core,
            params,
            time_base,
            ready: VecDeque::new(),
            eof: false,
        }
    }

    /// The wrapped codec.
    pub fn core(&self) -> &T {
        &self.core
    }

    fn send(&mut self, input: &T::In) -> Result<SendStatus> {
        if self.eof {
            return Err(Error::InvalidState {
                what: "input sent after end of stream",
            });
        }
        if !self.ready.is_empty() {
            return Ok(SendStatus::Full);
        }
        if let Some(out) = self.core.transform(input)? {
            self.ready.push_back(out);
        }
        Ok(SendStatus::Accepted)
    }

    fn receive(&mut self) -> Received<T::Out> {
        match self.ready.pop_front() {
            Some(x) => Received::Item(x),
            None if self.eof => Received::EndOfStream,
            None => Received::NeedsInput,
        }
    }
}

impl<T: Transform<In = Packet, Out = Frame>> Decoder for OneToOne<T> {
    fn parameters(&self) -> &CodecParameters {
        &self.params
    }
    fn send_packet(&mut self, packet: &Packet) -> Result<SendStatus> {
        self.send(packet)
    }
    fn send_eof(&mut self) -> Result<()> {
        self.eof = true;
        Ok(())
    }
    fn receive_frame(&mut self) -> Result<Received<Frame>> {
        Ok(self.receive())
    }
    fn flush(&mut self) {
        self.ready.clear();
        self.eof = false;
    }
}

impl<T: Transform<In = Frame, Out = Packet>> Encoder for OneToOne<T> {
    fn parameters(&self) -> &CodecParameters {
        &self.params
    }
    fn time_base(&self) -> Rational {
        self.time_base
    }
    fn send_frame(&mut self, frame: &Frame) -> Result<SendStatus> {
        self.send(frame)
    }
    fn send_eof(&mut self) -> Result<()> {
        self.eof = true;
        Ok(())
    }
    fn receive_packet(&mut self) -> Result<Received<Packet>> {
        Ok(self.receive())
    }
}

/// Copies packet timing to a decoded frame the way FFmpeg's simple decoders do.
pub fn frame_timing_from_packet(frame: &mut Frame, pkt: &Packet, time_base: Rational) {
    frame.pts = pkt.pts;
    frame.pkt_dts = pkt.dts;
    frame.best_effort_timestamp = pkt.pts.or(pkt.dts);
    frame.duration = pkt.duration;
    frame.pkt_pos = pkt.pos;
    frame.time_base = if pkt.time_base.is_undefined() {
        time_base
    } else {
        pkt.time_base
    };
    frame.flags.corrupt = pkt.flags.corrupt;
    frame.flags.discard = pkt.flags.discard;
}

/// Copies frame timing to an encoded packet the way FFmpeg's intra-only encoders do.
pub fn packet_timing_from_frame(pkt: &mut Packet, frame: &Frame, time_base: Rational) {
    pkt.pts = frame.pts;
    pkt.dts = frame.pts;
    pkt.duration = frame.duration;
    pkt.time_base = time_base;
    pkt.flags.key = true;
}

#[cfg(test)]
mod tests {
    use super::*;
    use avutil::{Buffer, PixelFormat};

    struct Echo;
    impl Transform for Echo {
        type In = Packet;
        type Out = Frame;
        fn transform(&mut self, p: &Packet) -> Result<Option<Frame>> {
            if p.data.is_empty() {
                return Ok(None);
            }
            let mut f = Frame::new_video(PixelFormat::Gray, 1, 1)?;
            f.pts = p.pts;
            Ok(Some(f))
        }
    }

    #[test]
    fn state_machine() {
        let mut d = OneToOne::new(
            Echo,
            CodecParameters::new(crate::CodecId::Rawvideo),
            Rational::new(1, 25),
        );
        assert!(matches!(d.receive_frame().unwrap(), Received::NeedsInput));
        let mut p = Packet::new(Buffer::from_slice(&[1]));
        p.pts = Some(1);
        assert_eq!(d.send_packet(&p).unwrap(), SendStatus::Accepted);
        assert_eq!(d.send_packet(&p).unwrap(), SendStatus::Full);
        assert_eq!(
            d.receive_frame().unwrap().item().and_then(|f| f.pts),
            Some(1)
        );
        assert_eq!(
            d.send_packet(&Packet::default()).unwrap(),
            SendStatus::Accepted
        );
        assert!(matches!(d.receive_frame().unwrap(), Received::NeedsInput));
        assert_eq!(d.send_packet(&p).unwrap(), SendStatus::Accepted);
        d.send_eof().unwrap();
        assert!(d.send_packet(&p).is_err());
        assert!(matches!(d.receive_frame().unwrap(), Received::Item(_)));
        assert!(matches!(d.receive_frame().unwrap(), Received::EndOfStream));
        d.flush();
        assert!(matches!(d.receive_frame().unwrap(), Received::NeedsInput));
    }

    #[test]
    fn private_options_rejected_by_name() {
        let mut d = Dictionary::new();
        assert!(reject_private_options("pcm_s16le", &d).is_ok());
        d.set("bogus", "1");
        assert_eq!(
            reject_private_options("pcm_s16le", &d)
                .unwrap_err()
                .to_string(),
            "pcm_s16le: unknown option 'bogus'"
        );
    }
}
