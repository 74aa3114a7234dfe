//! Checksums FFmpeg prints and uses: Adler-32 seeded with 0 (what `-f framecrc`
//! prints), CRC-32 (IEEE, as zlib), the CRCs of MPEG streams, and MD5 (what
//! `-f framemd5` and `-f md5` print). Thin wrappers over well-kept crates
//! (`adler2`, `crc32fast`, `crc`, `md-5`).

use md5::Digest;

/// Adler-32 of `data` continuing from `seed` (cf. `av_adler32_update`).
///
/// FFmpeg's `framecrc` starts from 0, not from the usual 1:
/// ```
/// assert_eq!(avutil::hash::adler32(0, b"abc"), 0x024a_0126);
/// assert_eq!(avutil::hash::adler32(1, b"abc"), 0x024d_0127);
/// ```
pub fn adler32(seed: u32, data: &[u8]) -> u32 {
    let mut a = adler2::Adler32::from_checksum(seed);
    a.write_slice(data);
    a.checksum()
}

/// CRC-32 as zlib and PNG compute it (reflected 0xEDB88320, init and final xor `!0`).
pub fn crc32(data: &[u8]) -> u32 {
    crc32fast::hash(data)
}

/// The CRC flavours of MPEG bitstreams (cf. `AVCRCId`): raw table-driven
/// updates with no final xor, as `av_crc(av_crc_get_table(id), crc, ...)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrcKind {
    /// CRC-16 polynomial 0x8005, MSB first (`AV_CRC_16_ANSI`; MPEG audio frame CRC).
    Crc16Ansi,
    /// CRC-16 polynomial 0x1021, MSB first (`AV_CRC_16_CCITT`).
    Crc16Ccitt,
    /// CRC-32 polynomial 0x04C11DB7, MSB first (`AV_CRC_32_IEEE`; MPEG-2 PSI sections).
    Crc32Ieee,
    /// CRC-32 polynomial 0xEDB88320, LSB first (`AV_CRC_32_IEEE_LE`).
    Crc32IeeeLe,
}

/// Continues a CRC of kind `kind` from `crc` over `data`, with no initial or
/// final inversion (cf. `av_crc`): callers seed it as their format requires.
///
/// ```
/// use avutil::hash::{crc_update, CrcKind};
/// // CRC-32/MPEG-2 of "123456789" (init 0xFFFFFFFF) is 0x0376E6E7.
/// assert_eq!(crc_update(CrcKind::Crc32Ieee, 0xFFFF_FFFF, b"123456789"), 0x0376_E6E7);
/// ```
pub fn crc_update(kind: CrcKind, crc: u32, data: &[u8]) -> u32 {
    use crc::{Algorithm, Crc};
    const fn alg16(poly: u16) -> Algorithm<u16> {
        Algorithm {
            width: 16,
            poly,
            init: 0,
            refin: false,
            refout: false,
            xorout: 0,
            check: 0,
            residue: 0,
        }
    }
    const fn alg32(poly: u32, refl: bool) -> Algorithm<u32> {
        Algorithm {
            width: 32,
            poly,
            init: 0,
            refin: refl,
            refout: refl,
            xorout: 0,
            check: 0,
            residue: 0,
        }
    }
    static A16: Algorithm<u16> = alg16(0x8005);
    static C16: Algorithm<u16> = alg16(0x1021);
    static I32: Algorithm<u32> = alg32(0x04C1_1DB7, false);
    static L32: Algorithm<u32> = alg32(0x04C1_1DB7, true);
    static CA16: Crc<u16> = Crc::<u16>::new(&A16);
    static CC16: Crc<u16> = Crc::<u16>::new(&C16);
    static CI32: Crc<u32> = Crc::<u32>::new(&I32);
    static CL32: Crc<u32> = Crc::<u32>::new(&L32);
    match kind {
        CrcKind::Crc16Ansi => {
            let mut d = CA16.digest_with_initial(crc as u16);
            d.update(data);
            u32::from(d.finalize())
        }
        CrcKind::Crc16Ccitt => {
            let mut d = CC16.digest_with_initial(crc as u16);
            d.update(data);
            u32::from(d.finalize())
        }
        CrcKind::Crc32Ieee => {
            let mut d = CI32.digest_with_initial(crc);
            d.update(data);
            d.finalize()
        }
        CrcKind::Crc32IeeeLe => {
            let mut d = CL32.digest_with_initial(crc);
            d.update(data);
            d.finalize()
        }
    }
}

/// An incremental MD5 (cf. `AVMD5`).
#[derive(Clone, Default)]
pub struct Md5(md5::Md5);

impl Md5 {
    /// A fresh hasher.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds bytes.
    pub fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }

    /// The 16-byte digest.
    pub fn finish(self) -> [u8; 16] {
        self.0.finalize().into()
    }

    /// The digest as 32 lowercase hex digits, as `-f md5` prints it.
    pub fn finish_hex(self) -> String {
        hex(&self.finish())
    }
}

impl std::fmt::Debug for Md5 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Md5")
    }
}

/// MD5 of `data` as lowercase hex.
///
/// ```
/// assert_eq!(avutil::hash::md5_hex(b""), "d41d8cd98f00b204e9800998ecf8427e");
/// ```
pub fn md5_hex(data: &[u8]) -> String {
    let mut m = Md5::new();
    m.update(data);
    m.finish_hex()
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        assert_eq!(adler32(0, b""), 0);
        assert_eq!(adler32(1, b"Wikipedia"), 0x11E6_0398);
        // Continuing is the same as hashing at once.
        let whole = adler32(0, b"hello world");
        assert_eq!(adler32(adler32(0, b"hello "), b"world"), whole);
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        // CRC-16/BUYPASS (poly 0x8005, init 0) check value.
        assert_eq!(crc_update(CrcKind::Crc16Ansi, 0, b"123456789"), 0xFEE8);
        // CRC-16/XMODEM check value.
        assert_eq!(crc_update(CrcKind::Crc16Ccitt, 0, b"123456789"), 0x31C3);
        // The reflected table with zlib's inversions gives zlib's CRC.
        assert_eq!(
            !crc_update(CrcKind::Crc32IeeeLe, !0, b"123456789"),
            0xCBF4_3926
        );
        assert_eq!(md5_hex(b"abc"), "900150983cd24fb0d6963f7d28e17f72");
        let mut m = Md5::new();
        m.update(b"a");
        m.update(b"bc");
        assert_eq!(m.finish_hex(), "900150983cd24fb0d6963f7d28e17f72");
    }
}
