//! Encodes a 16-bit WAV file to MPEG audio Layer II with the encoder's private options, for
//! the live interop checks (`ffw` does not pass codec-private options yet).
//!
//! ```text
//! mp2enc INPUT.wav OUTPUT.mp2 KBIT/S [mode=joint_stereo] [error_protection=1]
//! ```

use std::process::ExitCode;

use avcodec::{CodecId, CodecParameters, CodecRegistry, DecoderOptions, EncoderOptions, Received};
use avformat::{FormatRegistry, InputContext, InputOptions, OutputContext};
use avutil::{Rational, SampleFormat};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mp2enc: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, output, kbps, opts @ ..] = args.as_slice() else {
        return Err("usage: mp2enc INPUT.wav OUTPUT.mp2 KBIT/S [key=value]...".into());
    };
    let formats = FormatRegistry::builtin();
    let codecs = CodecRegistry::builtin();
    let mut ic = InputContext::open(input, &formats, &InputOptions::default())?;
    ic.streams_mut()[0].params.guess_channel_layout();
    let st = ic.streams()[0].clone();
    let mut dec = codecs.open_decoder(&st.params, &DecoderOptions::default())?;
    if dec.parameters().sample_fmt != Some(SampleFormat::S16) {
        return Err("the input must be 16-bit PCM".into());
    }
    let rate = st.params.sample_rate;
    let layout = st.params.ch_layout.ok_or("no channel layout")?;
    let params = CodecParameters::audio(CodecId::Mp2, SampleFormat::S16, rate, layout);
    let mut eo = EncoderOptions::new(params, Rational::new(1, rate as i32));
    eo.bit_rate = Some(kbps.parse::<u64>()? * 1000);
    for o in opts {
        let (k, v) = o.split_once('=').ok_or("options are key=value")?;
        eo.private.set(k, v);
    }
    let mut enc = (codecs
        .find_encoder_by_name("mp2")
        .ok_or("no mp2 encoder")?
        .create)(&eo)?;
    let mut oc = OutputContext::create(output, &formats, Some("mp2"))?;
    oc.add_stream(enc.parameters().clone(), enc.time_base())?;
    oc.write_header()?;
    let drain = |enc: &mut Box<dyn avcodec::Encoder>,
                 oc: &mut OutputContext|
     -> Result<(), Box<dyn std::error::Error>> {
        while let Received::Item(p) = enc.receive_packet()? {
            oc.write_packet(p)?;
        }
        Ok(())
    };
    while let Some(p) = ic.read_packet()? {
        let _ = dec.send_packet(&p)?;
        while let Received::Item(f) = dec.receive_frame()? {
            let _ = enc.send_frame(&f)?;
            drain(&mut enc, &mut oc)?;
        }
    }
    enc.send_eof()?;
    drain(&mut enc, &mut oc)?;
    oc.write_trailer()?;
    Ok(())
}
