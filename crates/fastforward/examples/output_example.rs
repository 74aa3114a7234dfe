//! The FFmpeg seed's `output_example` on fastforward's API, step for step:
//! guess the container from the file name (default `output.mpg`: MPEG
//! program stream with MPEG-1 video and MP2 audio), add a 352x288 25 fps video
//! stream at 400 kb/s with a GOP of 12 and an audio stream (64 kb/s, 44.1 kHz
//! stereo), synthesise the moving YUV pattern and the rising sine tone,
//! convert pixels with swscale when the encoder wants another format, rescale
//! timestamps from the codec to the stream time base, and write header,
//! interleaved frames and trailer; then print the format description.
//!
//! ```text
//! cargo run --release -p fastforward --example output_example -- [output.mpg|.m1v|.mp2|.y4m|.wav]
//! ```

use std::f64::consts::PI;
use std::process::ExitCode;

use fastforward::avcodec::{CodecParameters, Encoder, EncoderOptions, Received, SendStatus};
use fastforward::avformat::OutputContext;
use fastforward::avutil::{ChannelLayout, Frame, PixelFormat, Rational, SampleFormat};
use fastforward::swscale::{ScaleFlags, Scaler};

const STREAM_DURATION: f64 = 5.0;
const STREAM_FRAME_RATE: i32 = 25;
const STREAM_PIX_FMT: PixelFormat = PixelFormat::Yuv420p;

type Fail = Box<dyn std::error::Error>;

struct VideoOut {
    stream: usize,
    enc: Box<dyn Encoder>,
    /// The picture in the encoder's format (and a yuv420p one plus a converter if that differs).
    tmp: Option<(Frame, Scaler)>,
    frame_count: i64,
}

struct AudioOut {
    stream: usize,
    enc: Box<dyn Encoder>,
    frame_size: usize,
    t: f64,
    tincr: f64,
    tincr2: f64,
    samples: i64,
}

fn add_video_stream(
    oc: &mut OutputContext,
    codecs: &fastforward::avcodec::CodecRegistry,
) -> Result<Option<VideoOut>, Fail> {
    let Some(id) = oc.format().default_video else {
        return Ok(None);
    };
    let info = codecs
        .find_encoder(id)
        .ok_or_else(|| format!("codec {id} not found"))?;
    // Our generator makes yuv420p; use it if the encoder takes it, else its first format.
    let pix_fmt = match info.pix_fmts {
        Some(list) if !list.contains(&STREAM_PIX_FMT) => list[0],
        _ => STREAM_PIX_FMT,
    };
    let params = CodecParameters::video(id, 352, 288, pix_fmt);
    let mut opts = EncoderOptions::new(params, Rational::new(1, STREAM_FRAME_RATE));
    opts.bit_rate = Some(400_000);
    opts.gop_size = Some(12);
    opts.frame_rate = Some(Rational::new(STREAM_FRAME_RATE, 1));
    let enc = (info.create)(&opts)?;
    let stream = oc.add_stream(enc.parameters().clone(), enc.time_base())?;
    if let Some(st) = oc.stream_mut(stream) {
        st.avg_frame_rate = Rational::new(STREAM_FRAME_RATE, 1);
        st.r_frame_rate = st.avg_frame_rate;
    }
    let tmp = if pix_fmt == STREAM_PIX_FMT {
        None
    } else {
        let sws = Scaler::new(
            (352, 288, STREAM_PIX_FMT),
            (352, 288, pix_fmt),
            ScaleFlags::default(),
        )?;
        Some((Frame::new_video(STREAM_PIX_FMT, 352, 288)?, sws))
    };
    Ok(Some(VideoOut {
        stream,
        enc,
        tmp,
        frame_count: 0,
    }))
}

fn add_audio_stream(
    oc: &mut OutputContext,
    codecs: &fastforward::avcodec::CodecRegistry,
) -> Result<Option<AudioOut>, Fail> {
    let Some(id) = oc.format().default_audio else {
        return Ok(None);
    };
    let info = codecs
        .find_encoder(id)
        .ok_or_else(|| format!("codec {id} not found"))?;
    let fmt = info
        .sample_fmts
        .first()
        .copied()
        .unwrap_or(SampleFormat::S16);
    let params = CodecParameters::audio(id, fmt, 44100, ChannelLayout::STEREO);
    let mut opts = EncoderOptions::new(params, Rational::new(1, 44100));
    opts.bit_rate = Some(64_000);
    let enc = (info.create)(&opts)?;
    let stream = oc.add_stream(enc.parameters().clone(), enc.time_base())?;
    let frame_size = enc.frame_size().unwrap_or(10000);
    // Increment frequency by 110 Hz per second.
    let tincr = 2.0 * PI * 110.0 / 44100.0;
    Ok(Some(AudioOut {
        stream,
        enc,
        frame_size,
        t: 0.0,
        tincr,
        tincr2: tincr / 44100.0,
        samples: 0,
    }))
}

/// The seed's moving pattern.
fn fill_yuv_image(pict: &mut Frame, frame_index: i64) {
    let i = frame_index as usize;
    let (w, h) = (352usize, 288usize);
    let ys = pict.stride(0);
    let y_plane = pict.plane_mut(0);
    for y in 0..h {
        for x in 0..w {
            y_plane[y * ys + x] = (x + y + i * 3) as u8;
        }
    }
    for (p, (base, mul_x, mul_y, mul_i)) in
        [(1, (128usize, 0usize, 1usize, 2usize)), (2, (64, 1, 0, 5))]
    {
        let s = pict.stride(p);
        let plane = pict.plane_mut(p);
        for y in 0..h / 2 {
            for x in 0..w / 2 {
                plane[y * s + x] = (base + x * mul_x + y * mul_y + i * mul_i) as u8;
            }
        }
    }
}

fn write_packets(oc: &mut OutputContext, enc: &mut dyn Encoder, stream: usize) -> Result<(), Fail> {
    while let Received::Item(mut pkt) = enc.receive_packet()? {
        pkt.stream_index = stream;
        // Packet timestamps are in the codec time base; the muxer rescales them to the stream's.
        pkt.time_base = enc.time_base();
        oc.write_packet(pkt)?;
    }
    Ok(())
}

fn send(
    oc: &mut OutputContext,
    enc: &mut dyn Encoder,
    stream: usize,
    frame: &Frame,
) -> Result<(), Fail> {
    while enc.send_frame(frame)? == SendStatus::Full {
        write_packets(oc, enc, stream)?;
    }
    write_packets(oc, enc, stream)
}

fn write_video_frame(oc: &mut OutputContext, v: &mut VideoOut) -> Result<(), Fail> {
    let (w, h, fmt) = (
        352,
        288,
        v.enc.parameters().pix_fmt.unwrap_or(STREAM_PIX_FMT),
    );
    let mut picture = Frame::new_video(fmt, w, h)?;
    match v.tmp.as_mut() {
        Some((tmp, sws)) => {
            fill_yuv_image(tmp, v.frame_count);
            sws.scale(tmp, &mut picture)?;
        }
        None => fill_yuv_image(&mut picture, v.frame_count),
    }
    picture.pts = Some(v.frame_count);
    picture.duration = Some(1);
    v.frame_count += 1;
    send(oc, v.enc.as_mut(), v.stream, &picture)
}

fn write_audio_frame(oc: &mut OutputContext, a: &mut AudioOut) -> Result<(), Fail> {
    let fmt = a.enc.parameters().sample_fmt.unwrap_or(SampleFormat::S16);
    let mut frame = Frame::new_audio(fmt, a.frame_size, ChannelLayout::STEREO, 44100)?;
    // Both channels carry the tone (interleaved or planar).
    let mut samples = Vec::with_capacity(a.frame_size);
    for _ in 0..a.frame_size {
        samples.push((a.t.sin() * 10000.0) as i16);
        a.t += a.tincr;
        a.tincr += a.tincr2;
    }
    if fmt.is_planar() {
        for p in 0..2 {
            for (d, s) in frame.plane_mut(p).chunks_exact_mut(2).zip(&samples) {
                d.copy_from_slice(&s.to_ne_bytes());
            }
        }
    } else {
        for (d, s) in frame.plane_mut(0).chunks_exact_mut(4).zip(&samples) {
            d[..2].copy_from_slice(&s.to_ne_bytes());
            d[2..].copy_from_slice(&s.to_ne_bytes());
        }
    }
    frame.pts = Some(a.samples);
    frame.duration = Some(a.frame_size as i64);
    a.samples += a.frame_size as i64;
    send(oc, a.enc.as_mut(), a.stream, &frame)
}

fn run(filename: &str) -> Result<(), Fail> {
    let formats = fastforward::default::formats();
    let codecs = fastforward::default::codecs();
    // Auto-detect the output format from the name, default is MPEG.
    let name = if formats.guess_format(None, Some(filename), None).is_some() {
        None
    } else {
        println!("Could not deduce output format from file extension: using MPEG.");
        Some("mpeg")
    };
    let mut oc = OutputContext::create(filename, &formats, name)?;
    let mut video = add_video_stream(&mut oc, &codecs)?;
    let mut audio = add_audio_stream(&mut oc, &codecs)?;
    oc.write_header()?;
    print!("{}", oc.dump(0));
    loop {
        // Which stream is behind (in seconds)?
        let audio_pts = audio.as_ref().map(|a| a.samples as f64 / 44100.0);
        let video_pts = video
            .as_ref()
            .map(|v| v.frame_count as f64 / f64::from(STREAM_FRAME_RATE));
        let audio_done = audio_pts.is_none_or(|t| t >= STREAM_DURATION);
        let video_done = video_pts.is_none_or(|t| t >= STREAM_DURATION);
        if audio_done && video_done {
            break;
        }
        match (audio.as_mut(), video.as_mut()) {
            (Some(a), Some(_)) if !audio_done && (video_done || audio_pts < video_pts) => {
                write_audio_frame(&mut oc, a)?
            }
            (_, Some(v)) if !video_done => write_video_frame(&mut oc, v)?,
            (Some(a), _) => write_audio_frame(&mut oc, a)?,
            _ => break,
        }
    }
    // Drain the encoders, then the trailer.
    for (enc, stream) in video
        .iter_mut()
        .map(|v| (&mut v.enc, v.stream))
        .chain(audio.iter_mut().map(|a| (&mut a.enc, a.stream)))
    {
        enc.send_eof()?;
        write_packets(&mut oc, enc.as_mut(), stream)?;
    }
    oc.write_trailer()?;
    Ok(())
}

fn main() -> ExitCode {
    let filename = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "output.mpg".to_owned());
    match run(&filename) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{filename}: {e}");
            ExitCode::FAILURE
        }
    }
}
