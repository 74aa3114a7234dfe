//! MSB-first bit reading and writing (cf. FFmpeg's `get_bits.h`, `put_bits.h`).
//!
//! [`BitReader`] never panics and never reads outside its slice: reading past
//! the end yields zero bits and is reported by [`BitReader::overread`], so a
//! decoder can check once per syntax element group instead of per bit (the
//! role of FFmpeg's input padding, without trusting it).

/// Reads bits MSB-first from a byte slice.
#[derive(Debug, Clone)]
pub struct BitReader<'a> {
    data: &'a [u8],
    /// Position in bits from the start of `data`.
    pos: usize,
}

impl<'a> BitReader<'a> {
    /// A reader at the first bit of `data`.
    pub fn new(data: &'a [u8]) -> Self {
        BitReader { data, pos: 0 }
    }

    /// The 64 bits starting at byte `byte`, zero-filled past the end.
    #[inline]
    fn word_at(&self, byte: usize) -> u64 {
        match self.data.get(byte..byte + 8) {
            Some(b) => u64::from_be_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]),
            None => {
                let mut w = [0u8; 8];
                if let Some(rest) = self.data.get(byte..) {
                    w[..rest.len()].copy_from_slice(rest);
                }
                u64::from_be_bytes(w)
            }
        }
    }

    /// The next `n` bits (0..=32) without consuming them.
    #[inline]
    pub fn peek(&self, n: u32) -> u32 {
        debug_assert!(n <= 32);
        if n == 0 {
            return 0;
        }
        let w = self.word_at(self.pos >> 3) << (self.pos & 7);
        (w >> (64 - n)) as u32
    }

    /// The bits from the current position, MSB-aligned in a 64-bit word, and
    /// how many of them are stream bits (57..=64; the rest are zero, as are
    /// bits past the end of the data). For decoders that consume several codes
    /// from one window before calling [`BitReader::skip`].
    #[inline]
    pub fn peek_window(&self) -> (u64, u32) {
        (
            self.word_at(self.pos >> 3) << (self.pos & 7),
            64 - (self.pos & 7) as u32,
        )
    }

    /// Reads `n` bits (0..=32).
    #[inline]
    pub fn read(&mut self, n: u32) -> u32 {
        let v = self.peek(n);
        self.pos += n as usize;
        v
    }

    /// Reads one bit as a bool.
    #[inline]
    pub fn read_bit(&mut self) -> bool {
        self.read(1) != 0
    }

    /// Reads `n` bits (0..=32) as a two's complement signed value.
    #[inline]
    pub fn read_signed(&mut self, n: u32) -> i32 {
        if n == 0 {
            return 0;
        }
        let v = self.read(n);
        ((v << (32 - n)) as i32) >> (32 - n)
    }

    /// Skips `n` bits.
    #[inline]
    pub fn skip(&mut self, n: usize) {
        self.pos = self.pos.saturating_add(n);
    }

    /// Position in bits.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Moves to bit position `pos`.
    pub fn seek(&mut self, pos: usize) {
        self.pos = pos;
    }

    /// Total size in bits.
    pub fn len_bits(&self) -> usize {
        self.data.len() * 8
    }

    /// Bits left before the end (negative after an overread).
    pub fn bits_left(&self) -> isize {
        self.len_bits() as isize - self.pos as isize
    }

    /// True once reads went past the end of the data.
    pub fn overread(&self) -> bool {
        self.pos > self.len_bits()
    }

    /// Skips to the next byte boundary.
    pub fn align(&mut self) {
        self.pos = (self.pos + 7) & !7;
    }

    /// True at a byte boundary.
    pub fn is_aligned(&self) -> bool {
        self.pos & 7 == 0
    }

    /// The underlying bytes.
    pub fn data(&self) -> &'a [u8] {
        self.data
    }
}

/// Writes bits MSB-first into a growing byte vector.
///
/// Fewer than 8 bits stay pending in a 64-bit accumulator. Every write
/// stores the accumulator's pending bits as the next 8 bytes of the vector
/// (which is kept at least 8 bytes longer than the complete bytes) and then
/// commits the whole bytes among them: no data-dependent branch per write.
#[derive(Debug, Clone, Default)]
pub struct BitWriter {
    /// `out[..len]` are the complete bytes; up to 8 more are scratch.
    out: Vec<u8>,
    len: usize,
    /// The pending bits are the low `nbits` bits (higher bits are stale).
    acc: u64,
    /// Pending bits (0..8 between calls).
    nbits: u32,
}

impl BitWriter {
    /// An empty writer.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty writer with room for `bytes` bytes.
    pub fn with_capacity(bytes: usize) -> Self {
        BitWriter {
            out: Vec::with_capacity(bytes + 8),
            len: 0,
            acc: 0,
            nbits: 0,
        }
    }

    /// Makes room for the 8-byte store after the complete bytes.
    #[cold]
    fn grow(&mut self) {
        self.grow_to(self.len + 8);
    }

    /// Makes the vector at least `n` bytes long (amortised growth).
    #[cold]
    fn grow_to(&mut self, n: usize) {
        let want = (n + 56).max(self.len * 2).max(self.out.capacity());
        self.out.resize(want, 0);
    }

    /// Runs `f` with the writer's state in a [`BitBatch`] (local variables
    /// the compiler can keep in registers) for a run of writes producing at
    /// most `max_bytes` bytes; writing more panics.
    #[inline]
    pub fn batch<R>(&mut self, max_bytes: usize, f: impl FnOnce(&mut BitBatch<'_>) -> R) -> R {
        if self.out.len() < self.len + max_bytes + 8 {
            self.grow_to(self.len + max_bytes + 8);
        }
        let end = self.len + max_bytes + 8;
        let mut b = BitBatch {
            buf: &mut self.out[..end],
            len: self.len,
            acc: self.acc,
            nbits: self.nbits,
        };
        let r = f(&mut b);
        (self.len, self.acc, self.nbits) = (b.len, b.acc, b.nbits);
        r
    }

    /// Writes the low `n` bits (0..=32) of `value`.
    #[inline]
    pub fn write(&mut self, n: u32, value: u32) {
        push_bits(&mut self.acc, &mut self.nbits, n, value);
        if self.out.len() < self.len + 8 {
            self.grow();
        }
        // The pending bits (at most 39) at the top of a word, zeros below.
        let word = (self.acc << (63 - self.nbits)) << 1;
        self.out[self.len..self.len + 8].copy_from_slice(&word.to_be_bytes());
        self.len += (self.nbits >> 3) as usize;
        self.nbits &= 7;
    }

    /// Writes one bit.
    #[inline]
    pub fn write_bit(&mut self, b: bool) {
        self.write(1, u32::from(b));
    }

    /// Writes `value` as an `n`-bit two's complement number.
    pub fn write_signed(&mut self, n: u32, value: i32) {
        self.write(n, value as u32);
    }

    /// Bits written so far.
    pub fn bit_len(&self) -> usize {
        self.len * 8 + self.nbits as usize
    }

    /// Pads with zero bits to a byte boundary.
    pub fn align_zero(&mut self) {
        let pad = (8 - self.nbits % 8) % 8;
        self.write(pad, 0);
    }

    /// Appends whole bytes (the writer must be byte-aligned, else it is aligned first).
    pub fn write_bytes(&mut self, bytes: &[u8]) {
        self.align_zero();
        self.out.truncate(self.len);
        self.out.extend_from_slice(bytes);
        self.len = self.out.len();
    }

    /// The bytes, zero-padding the last partial byte.
    pub fn finish(mut self) -> Vec<u8> {
        self.align_zero();
        self.out.truncate(self.len);
        self.out
    }

    /// The complete bytes written so far (excluding a partial last byte).
    pub fn bytes(&mut self) -> &[u8] {
        &self.out[..self.len]
    }
}

/// A [`BitWriter`]'s state borrowed for a bounded run of writes (see
/// [`BitWriter::batch`]); writes exactly as [`BitWriter::write`] does.
#[derive(Debug)]
pub struct BitBatch<'a> {
    buf: &'a mut [u8],
    len: usize,
    acc: u64,
    nbits: u32,
}

/// Appends the low `n` bits (0..=32) of `value` to the accumulator `acc` holding `nbits` bits.
#[inline(always)]
fn push_bits(acc: &mut u64, nbits: &mut u32, n: u32, value: u32) {
    debug_assert!(n <= 32);
    let v = u64::from(value) & ((1u64 << n) - 1);
    *acc = (*acc << n) | v;
    *nbits += n;
}

impl BitBatch<'_> {
    /// Writes the low `n` bits (0..=32) of `value`.
    #[inline]
    pub fn write(&mut self, n: u32, value: u32) {
        push_bits(&mut self.acc, &mut self.nbits, n, value);
        let word = (self.acc << (63 - self.nbits)) << 1;
        self.buf[self.len..self.len + 8].copy_from_slice(&word.to_be_bytes());
        self.len += (self.nbits >> 3) as usize;
        self.nbits &= 7;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_write_round_trip() {
        let mut w = BitWriter::new();
        let fields: Vec<(u32, u32)> = (1..=32)
            .map(|n| (n, 0xdead_beefu32 & ((1u64 << n) - 1) as u32))
            .collect();
        for &(n, v) in &fields {
            w.write(n, v);
        }
        w.write_signed(7, -5);
        let bits = w.bit_len();
        let data = w.finish();
        assert_eq!(data.len(), bits.div_ceil(8));
        let mut r = BitReader::new(&data);
        for &(n, v) in &fields {
            assert_eq!(r.read(n), v, "{n} bits");
        }
        assert_eq!(r.read_signed(7), -5);
        assert!(!r.overread());
    }

    #[test]
    fn overread_is_zero_and_reported() {
        let data = [0xffu8, 0x80];
        let mut r = BitReader::new(&data);
        assert_eq!(r.peek(12), 0xff8);
        assert_eq!(r.read(9), 0x1ff);
        assert_eq!(r.read(32), 0);
        assert!(r.overread());
        assert!(r.bits_left() < 0);
        let empty = BitReader::new(&[]);
        assert_eq!(empty.peek(32), 0);
    }

    #[test]
    fn alignment() {
        let mut r = BitReader::new(&[0b1010_0000, 0x5a]);
        assert!(r.read_bit());
        r.align();
        assert!(r.is_aligned());
        assert_eq!(r.read(8), 0x5a);
        let mut w = BitWriter::new();
        w.write(3, 0b101);
        w.write_bytes(&[0xab]);
        w.write(12, 0xcde);
        assert_eq!(w.bytes(), &[0b1010_0000, 0xab, 0xcd]);
        assert_eq!(w.bit_len(), 28);
        assert_eq!(w.finish(), vec![0b1010_0000, 0xab, 0xcd, 0xe0]);
    }

    /// Random writes, byte runs and alignments against a one-bit-at-a-time model.
    #[test]
    fn writer_matches_a_bit_model() {
        let mut seed = 9u32;
        let mut rnd = |m: u32| {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (seed >> 8) % m
        };
        for round in 0..50 {
            let mut w = if round % 2 == 0 {
                BitWriter::new()
            } else {
                BitWriter::with_capacity(rnd(100) as usize)
            };
            let mut bits: Vec<bool> = Vec::new();
            for _ in 0..2000 {
                match rnd(40) {
                    0 => {
                        let bytes: Vec<u8> = (0..rnd(20)).map(|_| rnd(256) as u8).collect();
                        w.write_bytes(&bytes);
                        while !bits.len().is_multiple_of(8) {
                            bits.push(false);
                        }
                        for b in bytes {
                            bits.extend((0..8).rev().map(|k| b >> k & 1 != 0));
                        }
                    }
                    1 => {
                        w.align_zero();
                        while !bits.len().is_multiple_of(8) {
                            bits.push(false);
                        }
                    }
                    2 => {
                        let k = rnd(50);
                        let fields: Vec<(u32, u32)> =
                            (0..k).map(|_| (rnd(33), rnd(u32::MAX))).collect();
                        w.batch(k as usize * 4, |b| {
                            for &(n, v) in &fields {
                                b.write(n, v);
                            }
                        });
                        for (n, v) in fields {
                            bits.extend((0..n).rev().map(|k| v >> k & 1 != 0));
                        }
                    }
                    _ => {
                        let n = rnd(33);
                        let v = rnd(u32::MAX) ^ (rnd(4) << 30);
                        w.write(n, v);
                        bits.extend((0..n).rev().map(|k| v >> k & 1 != 0));
                    }
                }
                assert_eq!(w.bit_len(), bits.len());
            }
            let whole: Vec<u8> = bits
                .chunks_exact(8)
                .map(|c| c.iter().fold(0u8, |a, &b| a << 1 | u8::from(b)))
                .collect();
            assert_eq!(w.bytes(), &whole[..]);
            while !bits.len().is_multiple_of(8) {
                bits.push(false);
            }
            let all: Vec<u8> = bits
                .chunks_exact(8)
                .map(|c| c.iter().fold(0u8, |a, &b| a << 1 | u8::from(b)))
                .collect();
            assert_eq!(w.finish(), all);
        }
    }
}
