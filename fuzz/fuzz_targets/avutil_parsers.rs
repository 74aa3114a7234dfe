//! Every text parser of avutil on arbitrary input: must return, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let _ = avutil::time::parse_duration(s);
    let _ = avutil::rational::parse_ratio(s, 1_001_000);
    let _ = s.parse::<avutil::Rational>();
    let _ = avutil::parse::parse_video_size(s);
    let _ = avutil::parse::parse_video_rate(s);
    let _ = avutil::ChannelLayout::parse(s);
    let _ = avutil::PixelFormat::from_name(s);
    let _ = avutil::SampleFormat::from_name(s);
    let _ = avutil::LogLevel::parse(s);
});
