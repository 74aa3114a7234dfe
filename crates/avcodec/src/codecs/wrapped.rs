//! `wrapped_avframe`: the encoder FFmpeg uses to pass decoded pictures to the
//! `null` muxer without coding them. Here the packets carry the timing only
//! (no bytes), so `-f null` measures decoding alone, as with FFmpeg.

use avutil::{Buffer, Frame, Rational};

use crate::codec::{
    Encoder, EncoderOptions, OneToOne, Transform, packet_timing_from_frame, reject_private_options,
};
use crate::codec_id::CodecId;
use crate::error::{Error, Result};
use crate::packet::Packet;
use crate::registry::EncoderInfo;

/// The encoder core.
#[derive(Debug)]
pub struct WrappedFrameEncoder {
    time_base: Rational,
}

impl Transform for WrappedFrameEncoder {
    type In = Frame;
    type Out = Packet;
    fn transform(&mut self, frame: &Frame) -> Result<Option<Packet>> {
        if frame.video().is_none() {
            return Err(Error::FrameMismatch {
                codec: CodecId::WrappedAvframe,
                what: "media type",
                expected: "video".into(),
                found: "audio".into(),
            });
        }
        let mut pkt = Packet::new(Buffer::default());
        packet_timing_from_frame(&mut pkt, frame, self.time_base);
        Ok(Some(pkt))
    }
}

fn create(opts: &EncoderOptions) -> Result<Box<dyn Encoder>> {
    reject_private_options("wrapped_avframe", &opts.private)?;
    let mut p = opts.params.clone();
    p.codec_id = CodecId::WrappedAvframe;
    Ok(Box::new(OneToOne::new(
        WrappedFrameEncoder {
            time_base: opts.time_base,
        },
        p,
        opts.time_base,
    )))
}

/// Registry entry (accepts every pixel format).
pub fn encoder() -> EncoderInfo {
    EncoderInfo {
        name: "wrapped_avframe",
        long_name: "AVFrame to AVPacket passthrough",
        id: CodecId::WrappedAvframe,
        pix_fmts: None,
        sample_fmts: &[],
        create,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::Received;
    use crate::params::CodecParameters;
    use avutil::PixelFormat;

    #[test]
    fn passes_timing_only() {
        let p = CodecParameters::video(CodecId::WrappedAvframe, 4, 4, PixelFormat::Yuv420p);
        let mut e = create(&EncoderOptions::new(p, Rational::new(1, 25))).unwrap();
        let mut f = Frame::new_video(PixelFormat::Yuv420p, 4, 4).unwrap();
        f.pts = Some(3);
        let _ = e.send_frame(&f).unwrap();
        let Received::Item(pkt) = e.receive_packet().unwrap() else {
            panic!()
        };
        assert_eq!((pkt.pts, pkt.size()), (Some(3), 0));
    }
}
