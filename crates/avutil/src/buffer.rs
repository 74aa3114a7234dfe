//! Reference-counted byte buffers with padding, and pools of them
//! (cf. `AVBufferRef`, `av_buffer_pool_init`).
//!
//! A [`Buffer`] is a view (`start..start+len`) into shared storage. Cloning
//! and slicing are O(1) and share the storage; [`Buffer::make_mut`] gives
//! write access, copying the viewed bytes first if the storage is shared
//! (copy-on-write). Every storage has [`PADDING`] zero bytes after its end,
//! so [`Buffer::padded`] always has `len() + PADDING` readable bytes: bit
//! readers may read whole machine words past the end without bounds checks.

use std::ops::{Bound, Deref, RangeBounds};
use std::sync::{Arc, Mutex, Weak};

/// Bytes of readable padding after every buffer's data (cf. `AV_INPUT_BUFFER_PADDING_SIZE`).
pub const PADDING: usize = 64;

struct Storage {
    /// The data followed by `PADDING` bytes, zero at allocation.
    bytes: Vec<u8>,
    pool: Option<Weak<PoolShared>>,
}

impl Drop for Storage {
    fn drop(&mut self) {
        if let Some(pool) = self.pool.take().and_then(|w| w.upgrade())
            && self.bytes.len() == pool.size + PADDING
            && let Ok(mut free) = pool.free.lock()
        {
            free.push(std::mem::take(&mut self.bytes));
        }
    }
}

/// A refcounted, sliceable, copy-on-write byte buffer (cf. `AVBufferRef`).
///
/// ```
/// use avutil::Buffer;
/// let a = Buffer::from_slice(b"hello world");
/// let mut b = a.slice(6..).unwrap();    // O(1), shares storage
/// assert_eq!(&b[..], b"world");
/// b.make_mut()[0] = b'W';                // copies: `a` is still shared
/// assert_eq!(&a[..], b"hello world");
/// assert_eq!(&b[..], b"World");
/// assert_eq!(b.padded().len(), 5 + avutil::buffer::PADDING);
/// ```
#[derive(Clone)]
pub struct Buffer {
    storage: Arc<Storage>,
    start: usize,
    len: usize,
}

impl Buffer {
    /// A buffer of `len` zero bytes.
    pub fn zeroed(len: usize) -> Self {
        Self::from_storage(vec![0; len + PADDING], None, len)
    }

    /// Takes ownership of `data` (adding the padding, which may reallocate).
    pub fn from_vec(mut data: Vec<u8>) -> Self {
        let len = data.len();
        data.resize(len + PADDING, 0);
        Self::from_storage(data, None, len)
    }

    /// A buffer holding a copy of `data`.
    pub fn from_slice(data: &[u8]) -> Self {
        let mut v = Vec::with_capacity(data.len() + PADDING);
        v.extend_from_slice(data);
        Self::from_vec(v)
    }

    fn from_storage(bytes: Vec<u8>, pool: Option<Weak<PoolShared>>, len: usize) -> Self {
        Buffer {
            storage: Arc::new(Storage { bytes, pool }),
            start: 0,
            len,
        }
    }

    /// Number of data bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when there are no data bytes.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The data bytes.
    pub fn as_slice(&self) -> &[u8] {
        &self.storage.bytes[self.start..self.start + self.len]
    }

    /// The data followed by at least [`PADDING`] readable bytes. The bytes
    /// after the data are those that follow it in the storage (for a slice,
    /// the parent's next bytes), then zeros; readers must not interpret them.
    pub fn padded(&self) -> &[u8] {
        &self.storage.bytes[self.start..self.start + self.len + PADDING]
    }

    /// An O(1) view of `range` within this buffer, sharing storage; `None` if
    /// the range is out of bounds.
    pub fn slice(&self, range: impl RangeBounds<usize>) -> Option<Buffer> {
        let lo = match range.start_bound() {
            Bound::Included(&s) => s,
            Bound::Excluded(&s) => s.checked_add(1)?,
            Bound::Unbounded => 0,
        };
        let hi = match range.end_bound() {
            Bound::Included(&e) => e.checked_add(1)?,
            Bound::Excluded(&e) => e,
            Bound::Unbounded => self.len,
        };
        if lo > hi || hi > self.len {
            return None;
        }
        Some(Buffer {
            storage: self.storage.clone(),
            start: self.start + lo,
            len: hi - lo,
        })
    }

    /// The view of `self` immediately followed by `next`, when both are adjacent
    /// views of the same storage (O(1), no copy); `None` otherwise.
    pub fn join_adjacent(&self, next: &Buffer) -> Option<Buffer> {
        (Arc::ptr_eq(&self.storage, &next.storage) && self.start + self.len == next.start).then(
            || Buffer {
                storage: self.storage.clone(),
                start: self.start,
                len: self.len + next.len,
            },
        )
    }

    /// Shortens the view to `len` bytes (no effect if already shorter).
    pub fn truncate(&mut self, len: usize) {
        self.len = self.len.min(len);
    }

    /// True when no other `Buffer` shares the storage (cf. `av_buffer_is_writable`).
    pub fn is_unique(&self) -> bool {
        Arc::strong_count(&self.storage) == 1
    }

    /// True when both share the same storage.
    pub fn ptr_eq(&self, other: &Buffer) -> bool {
        Arc::ptr_eq(&self.storage, &other.storage)
    }

    /// Write access to the data, copying it first if the storage is shared
    /// (cf. `av_buffer_make_writable`).
    pub fn make_mut(&mut self) -> &mut [u8] {
        if Arc::get_mut(&mut self.storage).is_none() {
            *self = Buffer::from_slice(self.as_slice());
        }
        let (start, len) = (self.start, self.len);
        match Arc::get_mut(&mut self.storage) {
            Some(s) => &mut s.bytes[start..start + len],
            // Unreachable: a freshly made buffer is unique. Kept total without panicking.
            None => &mut [],
        }
    }

    /// The data as an owned vector (no copy when unique and unsliced).
    pub fn into_vec(self) -> Vec<u8> {
        self.as_slice().to_vec()
    }
}

impl Deref for Buffer {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl AsRef<[u8]> for Buffer {
    fn as_ref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl Default for Buffer {
    fn default() -> Self {
        Buffer::zeroed(0)
    }
}

impl std::fmt::Debug for Buffer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Buffer({} bytes", self.len)?;
        if !self.is_unique() {
            write!(f, ", shared")?;
        }
        write!(f, ")")
    }
}

impl PartialEq for Buffer {
    fn eq(&self, other: &Buffer) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for Buffer {}

impl From<Vec<u8>> for Buffer {
    fn from(v: Vec<u8>) -> Self {
        Buffer::from_vec(v)
    }
}

impl From<&[u8]> for Buffer {
    fn from(v: &[u8]) -> Self {
        Buffer::from_slice(v)
    }
}

struct PoolShared {
    size: usize,
    free: Mutex<Vec<Vec<u8>>>,
}

/// A pool of equally sized buffers, recycled when their last reference drops
/// (cf. `AVBufferPool`). Used for frame planes so that decoding a stream does
/// not allocate per frame.
///
/// Recycled buffers are not cleared: their data holds whatever the previous
/// user wrote (the padding stays zero).
///
/// ```
/// use avutil::BufferPool;
/// let pool = BufferPool::new(4096);
/// let a = pool.get();
/// drop(a);
/// assert_eq!(pool.available(), 1);
/// let _b = pool.get();                   // reuses the storage of `a`
/// assert_eq!(pool.available(), 0);
/// ```
#[derive(Clone)]
pub struct BufferPool {
    shared: Arc<PoolShared>,
}

impl BufferPool {
    /// A pool handing out buffers of `size` bytes.
    pub fn new(size: usize) -> Self {
        BufferPool {
            shared: Arc::new(PoolShared {
                size,
                free: Mutex::new(Vec::new()),
            }),
        }
    }

    /// Size of the buffers of this pool.
    pub fn size(&self) -> usize {
        self.shared.size
    }

    /// A buffer from the pool, allocated (zeroed) if none is free.
    pub fn get(&self) -> Buffer {
        let recycled = self.shared.free.lock().ok().and_then(|mut f| f.pop());
        let bytes = recycled.unwrap_or_else(|| vec![0; self.shared.size + PADDING]);
        Buffer::from_storage(bytes, Some(Arc::downgrade(&self.shared)), self.shared.size)
    }

    /// Number of buffers waiting for reuse.
    pub fn available(&self) -> usize {
        self.shared.free.lock().map(|f| f.len()).unwrap_or(0)
    }
}

impl std::fmt::Debug for BufferPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "BufferPool(size {}, {} free)",
            self.size(),
            self.available()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_is_zero_and_readable() {
        let b = Buffer::from_slice(&[1, 2, 3]);
        assert_eq!(b.padded().len(), 3 + PADDING);
        assert!(b.padded()[3..].iter().all(|&x| x == 0));
        let e = Buffer::default();
        assert!(e.is_empty());
        assert_eq!(e.padded().len(), PADDING);
    }

    #[test]
    fn slices_share_and_check_bounds() {
        let b = Buffer::from_slice(b"0123456789");
        let s = b.slice(2..5).unwrap();
        assert_eq!(&s[..], b"234");
        assert!(s.ptr_eq(&b));
        assert_eq!(&s.slice(1..=1).unwrap()[..], b"3");
        assert_eq!(s.slice(..).unwrap().len(), 3);
        assert!(b.slice(5..11).is_none());
        #[allow(clippy::reversed_empty_ranges)]
        let reversed = b.slice(6..5);
        assert!(reversed.is_none());
        assert!(b.slice(..=usize::MAX).is_none());
        assert_eq!(s.padded().len(), 3 + PADDING);
        assert_eq!(b.slice(10..).unwrap().len(), 0);
    }

    #[test]
    fn join_adjacent_views() {
        let b = Buffer::from_slice(b"abcdef");
        let (x, y, z) = (
            b.slice(..2).unwrap(),
            b.slice(2..4).unwrap(),
            b.slice(5..).unwrap(),
        );
        assert_eq!(&x.join_adjacent(&y).unwrap()[..], b"abcd");
        assert!(x.join_adjacent(&z).is_none());
        assert!(y.join_adjacent(&x).is_none());
        assert!(x.join_adjacent(&Buffer::from_slice(b"cd")).is_none());
    }

    #[test]
    fn copy_on_write() {
        let mut a = Buffer::from_slice(b"abc");
        a.make_mut()[0] = b'x';
        assert_eq!(&a[..], b"xbc");
        let b = a.clone();
        assert!(!a.is_unique());
        a.make_mut()[1] = b'y';
        assert_eq!(&a[..], b"xyc");
        assert_eq!(&b[..], b"xbc");
        assert!(a.is_unique() && b.is_unique());
        // A unique slice writes in place.
        let mut s = b.slice(1..).unwrap();
        drop(b);
        let before = s.as_slice().as_ptr();
        s.make_mut()[0] = b'z';
        assert_eq!(s.as_slice().as_ptr(), before);
        assert_eq!(&s[..], b"zc");
    }

    #[test]
    fn pool_recycles_only_unshared_storage() {
        let pool = BufferPool::new(16);
        let a = pool.get();
        let a2 = a.clone();
        drop(a);
        assert_eq!(pool.available(), 0);
        drop(a2);
        assert_eq!(pool.available(), 1);
        let mut b = pool.get();
        b.make_mut()[15] = 7;
        assert_eq!(b.padded()[16..].iter().filter(|&&x| x != 0).count(), 0);
        let c = b.clone();
        let mut d = c.clone();
        d.make_mut()[0] = 1; // copies out of the pool
        drop((b, c, d));
        assert_eq!(pool.available(), 1);
        let b = pool.get();
        assert_eq!(b[15], 7, "recycled buffers keep their contents");
        // Buffers outliving their pool are freed normally.
        drop(pool);
        drop(b);
    }

    #[test]
    fn equality_and_conversions() {
        assert_eq!(Buffer::from(vec![1, 2]), Buffer::from(&[1u8, 2][..]));
        assert_eq!(Buffer::from_slice(b"ab").into_vec(), b"ab");
        assert_eq!(format!("{:?}", Buffer::zeroed(3)), "Buffer(3 bytes)");
    }
}
