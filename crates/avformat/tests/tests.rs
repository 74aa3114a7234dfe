//! The integration tests of `avformat`: one binary, one module per format.

mod pcm;
mod wav;
