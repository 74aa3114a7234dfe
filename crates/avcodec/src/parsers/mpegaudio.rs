//! MPEG audio (Layer I/II/III, ISO/IEC 11172-3 and 13818-3) frame splitter,
//! behaving like FFmpeg's `mpegaudio` parser: a frame ends `frame_size`
//! bytes after its header; bytes before a header stay with the frame they
//! precede; stream parameters and the frame duration are only trusted once
//! enough consistent headers were seen.

use avutil::ChannelLayout;

use crate::codec_id::CodecId;
use crate::params::CodecParameters;
use crate::parser::{FrameInfo, Parser, Scan};

/// Header fields that must stay the same between frames (sync, version,
/// layer, sampling rate); cf. `SAME_HEADER_MASK`.
const SAME_HEADER_MASK: u32 = 0xffe0_0000 | (3 << 19) | (3 << 17) | (3 << 10);

const BITRATES: [[[u16; 15]; 3]; 2] = [
    [
        [
            0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448,
        ],
        [
            0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384,
        ],
        [
            0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320,
        ],
    ],
    [
        [
            0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256,
        ],
        [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
        [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
    ],
];

/// A decoded MPEG audio frame header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MpaHeader {
    /// Frame size in bytes, header included.
    pub frame_size: usize,
    /// Sampling rate in Hz.
    pub sample_rate: u32,
    /// 1 or 2.
    pub channels: u32,
    /// Bit rate in bits per second.
    pub bit_rate: u32,
    /// Samples per channel in the frame.
    pub samples: u32,
    /// Layer as a codec.
    pub codec: CodecId,
}

impl MpaHeader {
    /// Decodes a 32-bit header; `None` for invalid and free-format headers
    /// (cf. `ff_mpa_check_header`, `avpriv_mpegaudio_decode_header`).
    pub fn parse(h: u32) -> Option<Self> {
        if h & 0xffe0_0000 != 0xffe0_0000 {
            return None;
        }
        let version = (h >> 19) & 3; // 0: 2.5, 1: reserved, 2: MPEG-2, 3: MPEG-1
        let layer = 4 - ((h >> 17) & 3); // 4: reserved
        let br_index = ((h >> 12) & 15) as usize;
        let sr_index = (h >> 10) & 3;
        if version == 1 || layer == 4 || br_index == 15 || br_index == 0 || sr_index == 3 {
            return None;
        }
        let lsf = version != 3;
        let base = [44100, 48000, 32000][sr_index as usize];
        let sample_rate = match version {
            3 => base,
            2 => base / 2,
            _ => base / 4,
        };
        let padding = ((h >> 9) & 1) as usize;
        let kbps = u32::from(BITRATES[usize::from(lsf)][layer as usize - 1][br_index]);
        let bit_rate = kbps * 1000;
        let frame_size = match layer {
            1 => ((12 * bit_rate / sample_rate) as usize + padding) * 4,
            3 if lsf => (72 * bit_rate / sample_rate) as usize + padding,
            _ => (144 * bit_rate / sample_rate) as usize + padding,
        };
        let samples = match layer {
            1 => 384,
            3 if lsf => 576,
            _ => 1152,
        };
        Some(MpaHeader {
            frame_size,
            sample_rate,
            channels: if (h >> 6) & 3 == 3 { 1 } else { 2 },
            bit_rate,
            samples,
            codec: match layer {
                1 => CodecId::Mp1,
                2 => CodecId::Mp2,
                _ => CodecId::Mp3,
            },
        })
    }
}

/// The splitter (cf. FFmpeg's `mpegaudio` parser).
#[derive(Debug, Clone)]
pub struct MpegAudioParser {
    /// The codec the container announced (a different layer needs two headers to switch).
    codec: CodecId,
    state: u32,
    /// Bytes of the current frame still to come.
    remaining: usize,
    header: u32,
    header_count: i32,
    /// Latched for the frame being completed.
    duration: u32,
    /// Parameters to publish with the next frame.
    publish: Option<MpaHeader>,
    bit_rate: i64,
    bit_rate_from_headers: bool,
    publish_count: i32,
}

impl MpegAudioParser {
    /// A splitter for a stream the container calls `codec`.
    pub fn new(codec: CodecId) -> Self {
        MpegAudioParser {
            codec,
            state: 0,
            remaining: 0,
            header: 0,
            header_count: 0,
            duration: 0,
            publish: None,
            bit_rate: 0,
            bit_rate_from_headers: false,
            publish_count: 0,
        }
    }
}

impl Parser for MpegAudioParser {
    fn find_frame_end(&mut self, data: &[u8]) -> Scan {
        let mut i = 0;
        let mut end = None;
        while i < data.len() {
            if self.remaining > 0 {
                let inc = (data.len() - i).min(self.remaining);
                i += inc;
                self.remaining -= inc;
                self.state = 0;
                if self.remaining == 0 {
                    end = Some(i as isize);
                    break;
                }
                continue;
            }
            while i < data.len() {
                self.state = (self.state << 8) | u32::from(data[i]);
                i += 1;
                match MpaHeader::parse(self.state) {
                    None => {
                        if i > 4 {
                            self.header_count = -2;
                        }
                    }
                    Some(h) => {
                        let threshold = i32::from(self.codec != h.codec);
                        if self.header != 0
                            && self.state & SAME_HEADER_MASK != self.header & SAME_HEADER_MASK
                        {
                            self.header_count = -3;
                        }
                        self.header = self.state;
                        self.header_count += 1;
                        self.remaining = h.frame_size.saturating_sub(4);
                        if self.header_count > threshold {
                            self.duration = h.samples;
                            self.codec = h.codec;
                            self.publish = Some(h);
                            self.publish_count = self.header_count - threshold;
                        }
                        break;
                    }
                }
            }
        }
        Scan { end, anchor: None }
    }

    fn frame_info(&mut self, _frame: &[u8], params: &mut CodecParameters) -> FrameInfo {
        if let Some(h) = self.publish.take() {
            params.sample_rate = h.sample_rate;
            params.ch_layout = Some(if h.channels == 1 {
                ChannelLayout::MONO
            } else {
                ChannelLayout::STEREO
            });
            params.codec_id = h.codec;
            if params.frame_size == 0 {
                params.frame_size = h.samples;
            }
            if self.bit_rate_from_headers || params.bit_rate.unwrap_or(0) == 0 {
                self.bit_rate_from_headers = true;
                let cur = params.bit_rate.map_or(0, |b| b as i64);
                let n = i64::from(self.publish_count.max(1));
                let v = cur + (i64::from(h.bit_rate) - cur) / n;
                params.bit_rate = u64::try_from(v).ok();
                self.bit_rate = v;
            }
        }
        FrameInfo {
            duration: self.duration,
            key: Some(true),
            ..FrameInfo::default()
        }
    }

    fn reset(&mut self) {
        *self = MpegAudioParser {
            codec: self.codec,
            bit_rate_from_headers: self.bit_rate_from_headers,
            ..MpegAudioParser::new(self.codec)
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers() {
        let h = MpaHeader::parse(0xfffd_e0c4).unwrap();
        assert_eq!((h.sample_rate, h.bit_rate, h.channels), (44100, 384_000, 1));
        assert_eq!(
            (h.frame_size, h.samples, h.codec),
            (1253, 1152, CodecId::Mp2)
        );
        assert!(MpaHeader::parse(0xfffd_00c4).is_none(), "free format");
        assert!(MpaHeader::parse(0xfff9_e0c4).is_none(), "layer 4");
        assert!(MpaHeader::parse(0x1234_5678).is_none());
    }
}
