//! Integration tests of `avformat` (one test binary; one module per format).

mod fuzz_bodies;
mod lavfi;
mod mp2;
mod mpeg1video_enc;
mod mpegps;
mod mpegvideo;
mod pcm;
mod rawvideo;
mod wav;
mod y4m;
mod y4m_interop;
