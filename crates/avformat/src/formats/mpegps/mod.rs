//! MPEG program stream (`mpeg`: ISO/IEC 11172-1 system streams and 13818-1
//! program streams; `.mpg`, `.mpeg`, `.vob`): demuxer and muxer (cf.
//! FFmpeg's `mpeg.c` and `mpegenc.c`).
//!
//! A program stream is a sequence of packs (a pack header with the system
//! clock reference, sometimes a system header) holding PES packets: a stream
//! id, a length, a header with optional PTS/DTS and a piece of an elementary
//! stream. The demuxer behaves like FFmpeg 5.1 as observed:
//!
//! * it resynchronises on the next `00 00 01 xx` start code after anything
//!   it does not understand, so garbage between packs is skipped; pack and
//!   system headers are only used to resynchronise; padding streams and
//!   (outside DVDs) private stream 2 are skipped;
//! * streams appear as their first PES packet does, with id `0x1e0..0x1ef`
//!   (MPEG video, or H.264 by content), `0x1c0..0x1df` (MPEG audio), and for
//!   private stream 1 the sub-stream id: `0x80..0x87`, `0xc0..0xcf` AC-3,
//!   `0x88..0x8f`, `0x98..0x9f` DTS, `0xa0..0xaf` LPCM (`pcm_dvd`) or MLP,
//!   `0xb0..0xbf` TrueHD, `0x20..0x3f` DVD subtitles; a program stream map
//!   (`0x1bc`) sets the codec of later streams;
//! * packets are PES payloads (without the private stream 1 sub-stream
//!   header) with the PES PTS and DTS (DTS = PTS when only PTS is present)
//!   in 1/90000; the input context cuts MPEG audio and video, AC-3 and DTS
//!   into frames with their parsers ([`crate::Stream::need_parsing`]; the
//!   AC-3 parser turns the codec into E-AC-3 when the headers say so) and
//!   interpolates the timestamps, as FFmpeg does;
//! * durations come from the timestamps near the end of the file; seeking
//!   bisects on the PES DTS of the stream (cf. `mpegps_read_dts`).
//!
//! The muxer is described in [`mux`].

pub mod mux;

use avcodec::{CodecId, CodecParameters, Packet};
use avutil::Rational;

use crate::demux::{DemuxState, Demuxer, SeekTarget, reject_private_options};
use crate::error::{Error, Result};
use crate::io::IoReader;
use crate::probe::{ProbeData, SCORE_EXTENSION};
use crate::registry::{DemuxFlags, DemuxerInfo};

/// Short name of the format.
pub const NAME: &str = "mpeg";
/// Long name of the format.
pub const LONG_NAME: &str = "MPEG-PS (MPEG-2 Program Stream)";

/// Pack header start code.
pub const PACK_START: u32 = 0x1ba;
/// System header start code.
pub const SYSTEM_HEADER: u32 = 0x1bb;
/// Program stream map.
pub const PROGRAM_STREAM_MAP: u32 = 0x1bc;
/// Private stream 1 (AC-3, DTS, LPCM, subtitles).
pub const PRIVATE_STREAM_1: u32 = 0x1bd;
/// Padding stream.
pub const PADDING_STREAM: u32 = 0x1be;
/// Private stream 2 (DVD navigation).
pub const PRIVATE_STREAM_2: u32 = 0x1bf;
/// End of the program stream.
pub const END_CODE: u32 = 0x1b9;

/// The MPEG-PS time base.
pub const TIME_BASE: Rational = Rational::new(1, 90000);

/// Content score with FFmpeg's rules (cf. `mpegps_probe`): counts pack
/// headers, system headers and plausible PES headers against implausible ones.
pub fn probe(pd: &ProbeData<'_>) -> u32 {
    let b = pd.buf;
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let (mut sys, mut pack, mut priv1, mut vid, mut audio, mut invalid) = (0u32, 0, 0, 0, 0, 0);
    let mut endpes = 0usize;
    let mut code: u32 = u32::MAX;
    let mut i = 0usize;
    while i < b.len() {
        code = (code << 8) | u32::from(b[i]);
        if code & 0xffff_ff00 == 0x100 {
            let len = (usize::from(at(i + 1)) << 8) | usize::from(at(i + 2));
            let pes = endpes <= i && check_pes(b, i);
            let is_pack = (at(i + 1) & 0xcc) == 0x44 || (at(i + 1) & 0xf1) == 0x21;
            if code == SYSTEM_HEADER {
                sys += 1;
            } else if code == PACK_START && is_pack {
                pack += 1;
            } else if code & 0xfff0 == 0x1e0 && pes {
                endpes = i + len;
                vid += 1;
            } else if code & 0xffe0 == 0x1c0 && pes {
                audio += 1;
                i += len;
            } else if code == PRIVATE_STREAM_1 && pes {
                priv1 += 1;
                i += len;
            } else if code == 0x1fd && pes {
                vid += 1;
            } else if (code & 0xfff0 == 0x1e0 || code & 0xffe0 == 0x1c0 || code == PRIVATE_STREAM_1)
                && !pes
            {
                invalid += 1;
            }
        }
        i += 1;
    }
    let ext = SCORE_EXTENSION;
    let mut score = 0;
    if vid + audio > invalid + 1 {
        score = ext / 2;
    }
    if sys > invalid && sys * 9 <= pack * 10 {
        return if audio > 12 || vid > 3 || pack > 2 {
            ext + 2
        } else {
            // One more than an MPEG audio stream's score when there is more
            // than one pack or PES (FFmpeg's rule).
            ext / 2 + u32::from(audio + vid + pack > 1)
        };
    }
    if pack > invalid && (priv1 + vid + audio) * 10 >= pack * 9 {
        return if pack > 2 { ext + 2 } else { ext / 2 };
    }
    if ((vid > 0) != (audio > 0))
        && (audio > 4 || vid > 1)
        && sys == 0
        && pack == 0
        && b.len() > 2048
        && vid + audio > invalid
    {
        return if audio > 12 || vid > 6 + 2 * invalid {
            ext + 2
        } else {
            ext / 2
        };
    }
    score
}

/// Whether the bytes after the stream id at `i` look like an MPEG-1 or MPEG-2 PES header.
fn check_pes(b: &[u8], i: usize) -> bool {
    let at = |k: usize| b.get(k).copied().unwrap_or(0);
    let pes2 = (at(i + 3) & 0xc0) == 0x80
        && (at(i + 4) & 0xc0) != 0x40
        && ((at(i + 4) & 0xc0) == 0 || (at(i + 4) & 0xc0) >> 2 == (at(i + 6) & 0xf0));
    let mut p = i + 3;
    while p < b.len() && b[p] == 0xff {
        p += 1;
    }
    if at(p) & 0xc0 == 0x40 {
        p += 2;
    }
    let pes1 = match at(p) & 0xf0 {
        0x20 => at(p) & at(p + 2) & at(p + 4) & 1 == 1,
        0x30 => at(p) & at(p + 2) & at(p + 4) & at(p + 5) & at(p + 7) & at(p + 9) & 1 == 1,
        _ => at(p) == 0x0f,
    };
    pes1 || pes2
}

/// Decodes a 33-bit timestamp from 5 bytes (marker bits are not checked, as FFmpeg).
pub fn parse_timestamp(b: [u8; 5]) -> i64 {
    (i64::from((b[0] >> 1) & 7) << 30)
        | (i64::from(u16::from_be_bytes([b[1], b[2]]) >> 1) << 15)
        | i64::from(u16::from_be_bytes([b[3], b[4]]) >> 1)
}

/// The next start code from the reader's position, consuming it; `None` at end of input.
fn next_start_code(io: &mut IoReader) -> Result<Option<u32>> {
    loop {
        let buf = io.peek(8192)?;
        if buf.len() < 4 {
            let n = buf.len() as u64;
            io.skip(n)?;
            return Ok(None);
        }
        let limit = buf.len() - 3;
        let mut k = 0;
        let mut found = None;
        while k < limit {
            // Skip quickly over bytes that cannot end a 00 00 01 prefix.
            match buf[k + 2] {
                1 => {
                    if buf[k] == 0 && buf[k + 1] == 0 {
                        found = Some(k);
                        break;
                    }
                    k += 3;
                }
                0 => k += 1,
                _ => k += 3,
            }
        }
        match found {
            Some(k) => {
                let code = 0x100 | u32::from(buf[k + 3]);
                io.skip(k as u64 + 4)?;
                return Ok(Some(code));
            }
            None => {
                io.skip(limit as u64)?;
            }
        }
    }
}

/// A PES packet header as read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Pes {
    /// Position of the packet's start code.
    pos: u64,
    /// Stream id (sub-stream id for private stream 1, extended ids for 0x1fd).
    id: u32,
    pts: Option<i64>,
    dts: Option<i64>,
    /// Payload bytes left after the header.
    len: usize,
    /// AC-3 without a sub-stream header in private stream 1.
    raw_ac3: bool,
}

/// Reading past the end inside a header.
struct Eof;

impl From<Error> for Eof {
    fn from(_: Error) -> Self {
        Eof
    }
}

fn r8(io: &mut IoReader) -> std::result::Result<u8, Eof> {
    let mut b = [0u8; 1];
    if io.read_full(&mut b)? < 1 {
        return Err(Eof);
    }
    Ok(b[0])
}

fn r16(io: &mut IoReader) -> std::result::Result<usize, Eof> {
    Ok((usize::from(r8(io)?) << 8) | usize::from(r8(io)?))
}

fn ts_after(io: &mut IoReader, first: u8) -> std::result::Result<i64, Eof> {
    let mut b = [first, 0, 0, 0, 0];
    for x in &mut b[1..] {
        *x = r8(io)?;
    }
    Ok(parse_timestamp(b))
}

/// The demuxer (cf. FFmpeg's `mpegps` demuxer).
#[derive(Debug)]
pub struct MpegPsDemuxer {
    /// Stream types from a program stream map, by stream id's low byte.
    psm_es_type: [u8; 256],
    /// -1: not a Sofdec stream, 1: Sofdec, 0: not known yet.
    sofdec: i8,
    /// DVD navigation packets were seen: private stream 2 becomes a data stream.
    dvd: bool,
}

impl Default for MpegPsDemuxer {
    fn default() -> Self {
        MpegPsDemuxer {
            psm_es_type: [0; 256],
            sofdec: 0,
            dvd: false,
        }
    }
}

/// Largest private stream 2 packet examined for DVD navigation data.
const PS2_MAX: usize = 1 << 16;

impl MpegPsDemuxer {
    /// Reads the next PES header of a stream the demuxer handles (cf. `mpegps_read_pes_header`).
    fn read_pes_header(&mut self, io: &mut IoReader) -> Result<Option<Pes>> {
        match self.pes_header(io) {
            Ok(p) => Ok(p),
            Err(Eof) => Ok(None),
        }
    }

    fn pes_header(&mut self, io: &mut IoReader) -> std::result::Result<Option<Pes>, Eof> {
        'redo: loop {
            let Some(mut code) = next_start_code(io)? else {
                return Ok(None);
            };
            let last_sync = io.tell();
            match code {
                PACK_START | SYSTEM_HEADER => continue,
                PADDING_STREAM => {
                    let l = r16(io)?;
                    io.skip(l as u64)?;
                    continue;
                }
                PROGRAM_STREAM_MAP => {
                    self.parse_psm(io)?;
                    continue;
                }
                PRIVATE_STREAM_2 if !self.dvd => {
                    let l = r16(io)?;
                    if self.sofdec <= 0 {
                        self.detect_dvd(io, l)?;
                    }
                    if !self.dvd {
                        io.skip(l as u64)?;
                        continue;
                    }
                    io.seek(last_sync)?;
                }
                _ => {}
            }
            if !((0x1c0..=0x1ef).contains(&code)
                || code == PRIVATE_STREAM_1
                || code == PRIVATE_STREAM_2
                || code == 0x1fd)
            {
                continue;
            }
            let pos = last_sync - 4;
            let mut len = r16(io)? as i64;
            let (mut pts, mut dts) = (None, None);
            if code != PRIVATE_STREAM_2 {
                let mut c;
                loop {
                    if len < 1 {
                        io.seek(last_sync)?;
                        continue 'redo;
                    }
                    c = r8(io)?;
                    len -= 1;
                    if c != 0xff {
                        break;
                    }
                }
                if c & 0xc0 == 0x40 {
                    // STD buffer scale and size.
                    r8(io)?;
                    c = r8(io)?;
                    len -= 2;
                }
                if c & 0xe0 == 0x20 {
                    let t = ts_after(io, c)?;
                    pts = Some(t);
                    dts = Some(t);
                    len -= 4;
                    if c & 0x10 != 0 {
                        let f = r8(io)?;
                        dts = Some(ts_after(io, f)?);
                        len -= 5;
                    }
                } else if c & 0xc0 == 0x80 {
                    let mut flags = r8(io)?;
                    let mut hlen = i64::from(r8(io)?);
                    len -= 2;
                    if hlen > len {
                        io.seek(last_sync)?;
                        continue 'redo;
                    }
                    len -= hlen;
                    if flags & 0x80 != 0 {
                        let f = r8(io)?;
                        let t = ts_after(io, f)?;
                        pts = Some(t);
                        dts = Some(t);
                        hlen -= 5;
                        if flags & 0x40 != 0 {
                            let f = r8(io)?;
                            dts = Some(ts_after(io, f)?);
                            hlen -= 5;
                        }
                    }
                    if flags & 0x3f != 0 && hlen == 0 {
                        log::warn!("Further flags set but no bytes left");
                        flags &= 0xc0;
                    }
                    if flags & 0x01 != 0 {
                        let mut ext = r8(io)?;
                        hlen -= 1;
                        let mut skip = i64::from((ext >> 4) & 0xb);
                        skip += skip & 0x9;
                        if ext & 0x40 != 0 || skip > hlen {
                            log::warn!("pes_ext {ext:X} is invalid");
                            ext = 0;
                            skip = 0;
                        }
                        io.skip(skip as u64)?;
                        hlen -= skip;
                        if ext & 0x01 != 0 {
                            let ext2 = r8(io)?;
                            hlen -= 1;
                            if ext2 & 0x7f > 0 {
                                let id_ext = r8(io)?;
                                if id_ext & 0x80 == 0 {
                                    code = ((code & 0xff) << 8) | u32::from(id_ext);
                                }
                                hlen -= 1;
                            }
                        }
                    }
                    if hlen < 0 {
                        io.seek(last_sync)?;
                        continue 'redo;
                    }
                    io.skip(hlen as u64)?;
                } else if c != 0x0f {
                    continue 'redo;
                }
            }
            let mut raw_ac3 = false;
            if code == PRIVATE_STREAM_1 {
                let peek = io.peek(2)?;
                if peek.is_empty() {
                    return Ok(None);
                }
                let sub = peek[0];
                if sub == 0x0b && peek.get(1) == Some(&0x77) {
                    code = 0x80;
                    raw_ac3 = true;
                } else {
                    code = u32::from(sub);
                    io.skip(1)?;
                    len -= 1;
                }
            }
            if len < 0 {
                io.seek(last_sync)?;
                continue 'redo;
            }
            return Ok(Some(Pes {
                pos,
                id: code,
                pts,
                dts,
                len: len as usize,
                raw_ac3,
            }));
        }
    }

    /// Reads a program stream map (cf. `mpegps_psm_parse`), remembering stream types.
    fn parse_psm(&mut self, io: &mut IoReader) -> std::result::Result<(), Eof> {
        let psm_len = r16(io)?;
        let start = io.tell();
        r8(io)?;
        r8(io)?;
        let info_len = r16(io)?;
        io.skip(info_len as u64)?;
        let mut es_map_len = r16(io)?;
        while es_map_len >= 4 {
            let ty = r8(io)?;
            let id = r8(io)?;
            let l = r16(io)?;
            self.psm_es_type[usize::from(id)] = ty;
            io.skip(l as u64)?;
            es_map_len = es_map_len.saturating_sub(4 + l);
        }
        let end = start + psm_len as u64;
        if io.tell() < end {
            io.skip(end - io.tell())?;
        }
        Ok(())
    }

    /// Looks at a private stream 2 packet of `len` bytes for Sofdec or DVD
    /// navigation data (PCI or DSI with a valid time code); leaves the
    /// reader where it was.
    fn detect_dvd(&mut self, io: &mut IoReader, len: usize) -> std::result::Result<(), Eof> {
        if len > PS2_MAX {
            return Ok(());
        }
        let b = io.peek(len)?;
        if b.len() < len {
            return Ok(());
        }
        if len >= 6
            && let Some(p) = b[..len - 5].iter().position(|&c| c == b'S')
        {
            self.sofdec = if &b[p + 1..p + 6] == b"ofdec" { 1 } else { 0 };
        }
        if self.sofdec == 0 {
            self.sofdec = -1;
        }
        if self.sofdec > 0 {
            return Ok(());
        }
        let bcd_ok = |x: &[u8]| {
            let v = |c: u8| (c >> 4) * 10 + (c & 15);
            v(x[0]) <= 23 && v(x[1]) <= 59 && v(x[2]) <= 59 && x.iter().all(|&c| c & 15 < 10)
        };
        if len == 980 && b[0] == 0 {
            let start = u32::from_be_bytes([b[0x0d], b[0x0e], b[0x0f], b[0x10]]);
            let end = u32::from_be_bytes([b[0x11], b[0x12], b[0x13], b[0x14]]);
            self.dvd = bcd_ok(&b[0x19..0x1c]) && end >= start;
        } else if len == 1018 && b[0] == 1 {
            self.dvd = bcd_ok(&b[0x1d..0x20]);
        }
        Ok(())
    }

    /// Codec of a new stream with id `id`, from the program stream map or the id range.
    fn new_stream_codec(&self, id: u32, payload: &[u8]) -> Option<CodecId> {
        let es = self.psm_es_type[(id & 0xff) as usize];
        let by_psm = match es {
            0x01 | 0x02 => Some(CodecId::Mpeg2video),
            0x03 | 0x04 => Some(CodecId::Mp3),
            0x0f => Some(CodecId::Aac),
            0x10 => Some(CodecId::Mpeg4),
            0x1b => Some(CodecId::H264),
            0x24 => Some(CodecId::Hevc),
            0x81 => Some(CodecId::Ac3),
            _ => None,
        };
        if by_psm.is_some() {
            return by_psm;
        }
        Some(match id {
            0x1e0..=0x1ef => video_codec_by_content(payload),
            PRIVATE_STREAM_2 => CodecId::DvdNav,
            0x1c0..=0x1df => CodecId::Mp2,
            0x80..=0x87 | 0xc0..=0xcf => CodecId::Ac3,
            0x88..=0x8f | 0x98..=0x9f => CodecId::Dts,
            0xa0..=0xaf => {
                if payload.get(5) == Some(&0x80) {
                    CodecId::PcmDvd
                } else {
                    CodecId::Mlp
                }
            }
            0xb0..=0xbf => CodecId::Truehd,
            0x20..=0x3f => CodecId::DvdSubtitle,
            0xfd55..=0xfd5f => CodecId::Vc1,
            _ => return None,
        })
    }
}

/// MPEG video unless the payload looks like H.264 (cf. the codec probing of new streams).
fn video_codec_by_content(p: &[u8]) -> CodecId {
    let mut i = 0;
    while i + 3 < p.len() {
        if p[i] == 0 && p[i + 1] == 0 && p[i + 2] == 1 {
            let c = p[i + 3];
            match c {
                0xb3 | 0xb8 | 0x00 | 0xb5 => return CodecId::Mpeg1video,
                _ if c & 0x80 == 0 && matches!(c & 0x1f, 7 | 9) => return CodecId::H264,
                _ => {}
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    CodecId::Mpeg1video
}

impl Demuxer for MpegPsDemuxer {
    fn read_header(&mut self, io: &mut IoReader, state: &mut DemuxState) -> Result<()> {
        reject_private_options(NAME, &state.options.private)?;
        // Sofdec streams announce themselves near the start.
        let head = io.peek(256)?;
        if head.windows(6).any(|w| w == b"Sofdec") {
            self.sofdec = 1;
        }
        Ok(())
    }

    fn read_packet(&mut self, io: &mut IoReader, state: &mut DemuxState) -> Result<Option<Packet>> {
        loop {
            let Some(pes) = self.read_pes_header(io)? else {
                return Ok(None);
            };
            let mut len = pes.len;
            if (0x80..=0xcf).contains(&pes.id) && !pes.raw_ac3 {
                if len < 4 {
                    io.skip(len as u64)?;
                    continue;
                }
                io.skip(3)?;
                len -= 3;
                if (0xb0..=0xbf).contains(&pes.id) {
                    io.skip(1)?;
                    len -= 1;
                }
            }
            let index = match state.streams.iter().position(|s| s.id as u32 == pes.id) {
                Some(i) => i,
                None => {
                    let head = io.peek(len.min(4096))?.to_vec();
                    let Some(codec) = self.new_stream_codec(pes.id, &head) else {
                        io.skip(len as u64)?;
                        continue;
                    };
                    let params = CodecParameters::new(codec);
                    let i = state.add_stream(params, TIME_BASE);
                    let st = &mut state.streams[i];
                    st.id = pes.id as i32;
                    st.need_parsing = true;
                    i
                }
            };
            if state.streams[index].params.codec_id == CodecId::Mlp
                && (0xa0..=0xaf).contains(&pes.id)
            {
                if len < 6 {
                    io.skip(len as u64)?;
                    continue;
                }
                io.skip(6)?;
                len -= 6;
            }
            let data = io.read_buffer(len)?;
            let mut pkt = Packet::new(data);
            pkt.pts = pes.pts;
            pkt.dts = pes.dts;
            pkt.pos = Some(pes.pos);
            pkt.stream_index = index;
            pkt.time_base = TIME_BASE;
            return Ok(Some(pkt));
        }
    }

    fn seek(
        &mut self,
        io: &mut IoReader,
        state: &mut DemuxState,
        target: SeekTarget,
    ) -> Result<i64> {
        let Some(st) = state.streams.get(target.stream) else {
            return Err(Error::Seek {
                url: io.url().to_owned(),
                reason: format!("no stream {}", target.stream),
            });
        };
        let id = st.id as u32;
        if target.flags.byte {
            io.seek(u64::try_from(target.ts).unwrap_or(0))?;
            return Ok(target.ts);
        }
        let ts =
            avutil::mathematics::rescale_q(target.ts, st.time_base, TIME_BASE).unwrap_or(target.ts);
        // MPEG video seeks to key frames unless any frame will do: only packets whose first
        // picture is an I picture (or begins with a sequence or GOP header) count.
        let key_only = !target.flags.any
            && matches!(
                st.params.codec_id,
                CodecId::Mpeg1video | CodecId::Mpeg2video
            );
        let mut read_ts = |io: &mut IoReader, pos: u64| -> Result<Option<(i64, u64)>> {
            io.seek(pos)?;
            loop {
                let Some(pes) = self.read_pes_header(io)? else {
                    return Ok(None);
                };
                if pes.id == id
                    && let Some(d) = pes.dts
                    && (!key_only || starts_key_picture(io.peek(pes.len)?))
                {
                    return Ok(Some((d, pes.pos)));
                }
                io.skip(pes.len as u64)?;
            }
        };
        let found = crate::seek::search(io, ts, target.flags.backward, &mut read_ts)?;
        let Some((pos, landed)) = found else {
            return Err(Error::Seek {
                url: io.url().to_owned(),
                reason: "no timestamp found".into(),
            });
        };
        io.seek(pos)?;
        Ok(avutil::mathematics::rescale_q(landed, TIME_BASE, st.time_base).unwrap_or(landed))
    }
}

/// Whether the first picture starting in an MPEG video PES payload is a key picture:
/// a sequence or GOP header comes before the first picture start code, or that
/// picture's coding type is I.
fn starts_key_picture(payload: &[u8]) -> bool {
    let mut i = 0;
    while let Some(at) = payload
        .get(i..)
        .and_then(|p| p.windows(3).position(|w| w == [0, 0, 1]))
    {
        let code = i + at + 3;
        match payload.get(code) {
            Some(0xb3 | 0xb8) => return true,
            // picture_start_code: 10 bits of temporal reference, then 3 of coding type.
            Some(0x00) => return payload.get(code + 2).is_some_and(|b| (b >> 3) & 7 == 1),
            Some(_) => i = code,
            None => return false,
        }
    }
    false
}

/// The demuxer entry.
pub fn demuxer() -> DemuxerInfo {
    DemuxerInfo {
        name: NAME,
        long_name: LONG_NAME,
        extensions: "",
        mime_types: "",
        flags: DemuxFlags {
            no_header: true,
            duration_from_pts: true,
            ts_discont: true,
            ..DemuxFlags::default()
        },
        probe: Some(probe),
        create: || Box::new(MpegPsDemuxer::default()),
    }
}

/// The muxer entry.
pub fn muxer() -> crate::registry::MuxerInfo {
    mux::muxer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        assert_eq!(parse_timestamp([0x21, 0x00, 0x01, 0x00, 0x01]), 0);
        // 48600 = 0b1011110111011000: low 15 bits 0x3dd8, next 15 bits 1.
        assert_eq!(parse_timestamp([0x21, 0x00, 0x03, 0x7b, 0xb1]), 48600);
        assert_eq!(
            parse_timestamp([0x2f, 0xff, 0xff, 0xff, 0xff]),
            (1 << 33) - 1
        );
    }

    #[test]
    fn start_codes() {
        let mut io = IoReader::from_bytes(vec![9, 0, 0, 0, 1, 0xba, 7, 0, 0, 1], "m");
        assert_eq!(next_start_code(&mut io).unwrap(), Some(0x1ba));
        assert_eq!(io.tell(), 6);
        assert_eq!(next_start_code(&mut io).unwrap(), None);
    }
}
