//! The FFmpeg seed's "simple test program" on fastforward's API, step for step:
//! open an input, find stream information, optionally seek, read every packet,
//! decode the chosen stream, and write the packets and the decoded data.
//!
//! ```text
//! cargo run -p fastforward --example decode_test -- INPUT [-sSTREAM [-fFRAMES] [-kSKIP] [-oNAME] [-ndec] [-tTHREADS]]
//! ```
//!
//! Without `-s` it prints the input's description (av_dump_format) and stops.
//! `-o NAME` writes the selected stream's packets to `NAME.mpg` and the decoded
//! pictures (yuv420p planes, cropped to the picture) or audio samples to `NAME.raw`.
//! `-k N` seeks to timestamp N of the stream (any frame) before reading. `-p`
//! (playback on OSS audio and the framebuffer) is refused: fastforward has no output devices.

use std::fs::File;
use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

use fastforward::avcodec::{DecoderOptions, MediaType, Received};
use fastforward::avformat::{InputContext, InputOptions, SeekFlags};
use fastforward::avutil::mathematics::rescale_q;
use fastforward::avutil::{PixelFormat, TIME_BASE_Q};

#[derive(Debug)]
struct Options {
    input: String,
    stream: Option<usize>,
    frames: Option<u64>,
    skip: Option<i64>,
    output: Option<String>,
    nodec: bool,
    threads: usize,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let input = args.first().cloned().ok_or("missing input file")?;
    let mut o = Options {
        input,
        stream: None,
        frames: None,
        skip: None,
        output: None,
        nodec: false,
        threads: 0,
    };
    for a in &args[1..] {
        let bad = || format!("bad option '{a}'");
        let rest = a.strip_prefix('-').ok_or_else(bad)?;
        let (flag, val) = rest.split_at(rest.chars().next().map_or(0, char::len_utf8));
        match flag {
            "s" => o.stream = Some(val.parse().map_err(|_| bad())?),
            "f" => o.frames = Some(val.parse().map_err(|_| bad())?),
            "k" => o.skip = Some(val.parse().map_err(|_| bad())?),
            "o" => o.output = Some(val.to_owned()),
            "n" => o.nodec = val == "dec",
            "t" => o.threads = val.parse().map_err(|_| bad())?,
            "p" => return Err("-p (playback on /dev/dsp0 and /dev/fb0) is not supported: fastforward has no output devices".into()),
            _ => return Err(bad()),
        }
    }
    Ok(o)
}

/// The number the seed prints for a picture type (FFmpeg's `enum AVPictureType`).
fn picture_type_number(t: fastforward::avutil::PictureType) -> u8 {
    use fastforward::avutil::PictureType as T;
    match t {
        T::None => 0,
        T::I => 1,
        T::P => 2,
        T::B => 3,
        T::S => 4,
        T::Si => 5,
        T::Sp => 6,
        T::Bi => 7,
    }
}

fn show_help(program: &str) {
    println!("Simple fastforward test program");
    println!(
        "Usage: {program} inputfile [-sstreamid [-fframes] [-kskipped] [-ooutput_filename(without extension)] [-ndec] [-tthread_count]]"
    );
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let opt = match parse(&args[1..]) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            show_help(&args[0]);
            return ExitCode::FAILURE;
        }
    };
    match run(&opt) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            println!("\n->{e}");
            ExitCode::FAILURE
        }
    }
}

fn run(opt: &Options) -> Result<(), String> {
    let formats = fastforward::default::formats();
    let codecs = fastforward::default::codecs();
    // avformat_open_input + avformat_find_stream_info
    let mut ctx = InputContext::open(&opt.input, &formats, &InputOptions::default())
        .map_err(|e| format!("(avformat_open_input)\tERROR:\t{e}"))?;
    let Some(sid) = opt.stream else {
        print!("{}", ctx.dump(0));
        return Ok(());
    };
    if sid >= ctx.streams().len() {
        return Err("StreamId\tERROR".into());
    }
    let extradata = ctx.streams()[sid].params.extradata.clone();
    print!("\n extra data in Stream {sid} ({}B):", extradata.len());
    for (i, b) in extradata.iter().enumerate() {
        if i % 16 == 0 {
            println!();
        }
        print!("{b:2x}  ");
    }
    let mut outputs = match &opt.output {
        Some(name) => Some((
            File::create(format!("{name}.mpg"))
                .map_err(|e| format!("error opening output files: {e}"))?,
            File::create(format!("{name}.raw"))
                .map_err(|e| format!("error opening output files: {e}"))?,
        )),
        None => None,
    };
    if let Some(k) = opt.skip.filter(|&k| k > 0) {
        ctx.seek(
            sid,
            k,
            SeekFlags {
                any: true,
                ..Default::default()
            },
        )
        .map_err(|e| format!("(av_seek_frame)\tERROR:\t{e}"))?;
    }
    let st = ctx.streams()[sid].clone();
    let mut decoder = if opt.nodec {
        None
    } else {
        let mut d = DecoderOptions::default();
        d.threads = opt.threads.min(16);
        d.packet_time_base = st.time_base;
        Some(
            codecs
                .open_decoder(&st.params, &d)
                .map_err(|e| format!("can not find codec! ({e})"))?,
        )
    };
    let (mut nframe, mut decoded) = (0u64, 0u64);
    let (mut read_us, mut dec_us) = (0f64, 0f64);
    while opt.frames.is_none_or(|f| nframe < f) {
        let t0 = Instant::now();
        let packet = match ctx.read_packet() {
            Ok(Some(p)) => p,
            Ok(None) => {
                print!("\n->(av_read_frame)\tERROR:\tEnd of file");
                break;
            }
            Err(e) => {
                print!("\n->(av_read_frame)\tERROR:\t{e}");
                break;
            }
        };
        read_us += t0.elapsed().as_secs_f64() * 1e6;
        let tb = ctx.time_base(packet.stream_index);
        let timestamp = packet.dts.and_then(|d| rescale_q(d, tb, TIME_BASE_Q));
        let show = |t: Option<i64>| t.unwrap_or(i64::MIN);
        print!(
            "\nFrame No {nframe:5} stream#{}\tsize {:6}B, timestamp:{:6}, dts:{:6}, pts:{:6}, ",
            packet.stream_index,
            packet.size(),
            show(timestamp),
            show(packet.dts),
            show(packet.pts)
        );
        nframe += 1;
        if packet.stream_index != sid {
            continue;
        }
        if let Some((mpg, _)) = outputs.as_mut() {
            mpg.write_all(&packet.data).map_err(|e| e.to_string())?;
        }
        let Some(dec) = decoder.as_mut() else {
            continue;
        };
        let t1 = Instant::now();
        let _ = dec.send_packet(&packet).map_err(|e| e.to_string())?;
        decoded += 1;
        while let Received::Item(frame) = dec.receive_frame().map_err(|e| e.to_string())? {
            let dt = t1.elapsed().as_secs_f64() * 1e6;
            dec_us += dt;
            match st.params.media_type {
                MediaType::Video => {
                    print!(
                        "[Video: type {}, ref 0, pts {}, pkt_pts {}, pkt_dts {}]",
                        picture_type_number(frame.pict_type),
                        show(frame.pts),
                        show(frame.pts),
                        show(frame.pkt_dts)
                    );
                    if let (Some((_, raw)), Some(v)) = (outputs.as_mut(), frame.video())
                        && v.format == PixelFormat::Yuv420p
                    {
                        for p in 0..3 {
                            let rows = if p == 0 { v.height } else { v.height / 2 };
                            for y in 0..rows {
                                let line = frame.line(p, y);
                                let w = if p == 0 { v.width } else { v.width / 2 };
                                raw.write_all(&line[..w.min(line.len())])
                                    .map_err(|e| e.to_string())?;
                            }
                        }
                    }
                }
                MediaType::Audio => {
                    print!(
                        "[Audio: {:5}B raw data, decoding time: {}]",
                        frame.plane(0).len(),
                        dt as i64
                    );
                    if let Some((_, raw)) = outputs.as_mut() {
                        raw.write_all(frame.plane(0)).map_err(|e| e.to_string())?;
                    }
                }
                _ => {}
            }
        }
    }
    println!(
        "\n{nframe} frames parsed, average {:.2} us per frame",
        read_us / nframe.max(1) as f64
    );
    println!(
        "{decoded} frames decoded, average {:.2} us per frame",
        dec_us / decoded.max(1) as f64
    );
    Ok(())
}
