//! The storage of every [`Queue`](crate::Queue): a bounded ring whose slots carry sequence
//! stamps (D. Vyukov's bounded MPMC queue), with a hand-over to the kernel.
//!
//! Positions grow without bound; position `p` lives in slot `p % cap`. The head and tail
//! words hold `position << 1`, bit 0 ([`RK`]) meaning "kernel mode". A slot's stamp is `2p`
//! while it is empty and waits for the enqueue of position `p`, and `2p + 1` while it holds
//! the item of position `p` (the parity keeps the two states apart even for `cap == 1`).
//!
//! **Ring mode** (HostPort only; nobody waits on the queue and it is in no set): a send reads
//! the tail word, checks that the tail slot's stamp is `2t`, claims `t` with a CAS on the tail
//! word, stores the item and publishes stamp `2t + 1`; a receive does the mirror image on the
//! head word, publishing `2(h + cap)` (empty, waiting for the enqueue one lap later). A CAS
//! fails if the word carries [`RK`], so no position is claimed in kernel mode.
//!
//! **Kernel mode**: under the kernel lock, [`Ring::enter`] sets [`RK`] in the tail word, then
//! in the head word, and then waits until every claim made before is published (positions
//! `[h, t)` stamped full, the other slots stamped empty for their next position): from then
//! on only the kernel-lock holder touches the ring, and `t - h` is the exact count. Kernel
//! operations that keep the FIFO shape (back send, front receive) work in place; those that
//! do not (send to front, overwrite, reset) rebuild the ring at a base position beyond every
//! position used so far, so that a ring operation that read a word before the kernel took over
//! can never succeed with its stale CAS (both words only ever grow). [`Ring::exit`] clears
//! [`RK`] in both words (the kernel does so only when nobody waits and the queue is in no
//! set): the slots are then a valid ring-mode state for the words.

use crate::kernel::sync::{AtomicUsize, Mutex, Ordering, spin_loop, yield_now};
use std::sync::PoisonError;

/// Kernel-mode bit of the head and tail words.
pub(crate) const RK: usize = 1;

/// What the kernel needs of a queue's ring without knowing its item type.
pub(crate) trait RingCtl: Send + Sync {
    /// Enters kernel mode; the item count if the ring was in ring mode, `None` if it was in
    /// kernel mode already (the kernel's count is then authoritative).
    fn enter(&self) -> Option<usize>;
    /// Back to ring mode (kernel lock held, ring in kernel mode).
    fn exit(&self);
    /// The count in ring mode (a snapshot of claimed positions), `None` in kernel mode.
    fn count(&self) -> Option<usize>;
}

#[repr(align(128))]
struct Padded<T>(T);

struct Slot<T> {
    stamp: AtomicUsize,
    val: Mutex<Option<T>>,
}

pub(crate) struct Ring<T> {
    cap: usize,
    tail: Padded<AtomicUsize>,
    head: Padded<AtomicUsize>,
    slots: Box<[Padded<Slot<T>>]>,
}

impl<T> Slot<T> {
    fn set(&self, v: Option<T>) -> Option<T> {
        std::mem::replace(
            &mut *self.val.lock().unwrap_or_else(PoisonError::into_inner),
            v,
        )
    }
}

impl<T> Ring<T> {
    /// An empty ring of `cap` slots, in kernel mode if `kernel` (SimPort: for ever).
    pub(crate) fn new(cap: usize, kernel: bool) -> Ring<T> {
        let k = if kernel { RK } else { 0 };
        Ring {
            cap,
            tail: Padded(AtomicUsize::new(k)),
            head: Padded(AtomicUsize::new(k)),
            slots: (0..cap)
                .map(|i| {
                    Padded(Slot {
                        stamp: AtomicUsize::new(2 * i),
                        val: Mutex::new(None),
                    })
                })
                .collect(),
        }
    }

    fn slot(&self, p: usize) -> &Slot<T> {
        &self.slots[p % self.cap].0
    }

    // ----- ring mode (lock-free, HostPort) ----------------------------------------------

    /// Ring-mode send to the back; `Err(item)` when the ring is full or in kernel mode.
    pub(crate) fn try_push(&self, item: T) -> Result<(), T> {
        let mut w = self.tail.0.load(Ordering::Acquire);
        loop {
            if w & RK != 0 {
                return Err(item);
            }
            let p = w >> 1;
            let s = self.slot(p);
            if s.stamp.load(Ordering::Acquire) == 2 * p {
                match self.tail.0.compare_exchange_weak(
                    w,
                    w + 2,
                    Ordering::AcqRel,
                    Ordering::Acquire,
                ) {
                    Ok(_) => {
                        s.set(Some(item));
                        s.stamp.store(2 * p + 1, Ordering::Release);
                        return Ok(());
                    }
                    Err(x) => w = x,
                }
            } else {
                let x = self.tail.0.load(Ordering::Acquire);
                if x == w {
                    return Err(item);
                }
                w = x;
            }
        }
    }

    /// Ring-mode receive from the front; `None` when empty or in kernel mode.
    pub(crate) fn try_pop(&self) -> Option<T> {
        let mut w = self.head.0.load(Ordering::Acquire);
        loop {
            if w & RK != 0 {
                return None;
            }
            let p = w >> 1;
            let s = self.slot(p);
            if s.stamp.load(Ordering::Acquire) == 2 * p + 1 {
                match self.head.0.compare_exchange_weak(
                    w,
                    w + 2,
                    Ordering::AcqRel,
                    Ordering::Acquire,
                ) {
                    Ok(_) => {
                        let v = s.set(None);
                        s.stamp.store(2 * (p + self.cap), Ordering::Release);
                        return v;
                    }
                    Err(x) => w = x,
                }
            } else {
                let x = self.head.0.load(Ordering::Acquire);
                if x == w {
                    return None;
                }
                w = x;
            }
        }
    }

    /// Whether a send may now succeed or must go to the kernel (for polling: reads only the
    /// tail word and one stamp).
    pub(crate) fn push_ready(&self) -> bool {
        let w = self.tail.0.load(Ordering::Relaxed);
        w & RK != 0 || self.slot(w >> 1).stamp.load(Ordering::Relaxed) == w
    }

    /// Whether a receive may now succeed or must go to the kernel.
    pub(crate) fn pop_ready(&self) -> bool {
        let w = self.head.0.load(Ordering::Relaxed);
        w & RK != 0 || self.slot(w >> 1).stamp.load(Ordering::Relaxed) == w + 1
    }

    // ----- kernel mode (kernel lock held, exclusive) ------------------------------------

    fn pos(w: &AtomicUsize) -> usize {
        w.load(Ordering::Relaxed) >> 1
    }

    /// Kernel mode: appends an item (the caller checked there is room).
    pub(crate) fn k_push_back(&self, item: T) {
        let t = Self::pos(&self.tail.0);
        let s = self.slot(t);
        s.set(Some(item));
        s.stamp.store(2 * t + 1, Ordering::Release);
        self.tail.0.store(((t + 1) << 1) | RK, Ordering::Release);
    }

    /// Kernel mode: removes the front item.
    pub(crate) fn k_pop_front(&self) -> Option<T> {
        let (h, t) = (Self::pos(&self.head.0), Self::pos(&self.tail.0));
        if h == t {
            return None;
        }
        let s = self.slot(h);
        let v = s.set(None);
        s.stamp.store(2 * (h + self.cap), Ordering::Release);
        self.head.0.store(((h + 1) << 1) | RK, Ordering::Release);
        v
    }

    /// Kernel mode: a copy of the front item.
    pub(crate) fn k_peek(&self) -> Option<T>
    where
        T: Clone,
    {
        let (h, t) = (Self::pos(&self.head.0), Self::pos(&self.tail.0));
        if h == t {
            return None;
        }
        self.slot(h)
            .val
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Kernel mode: changes the sequence of items with `f` and rebuilds the ring at a base
    /// position one lap beyond the tail (see the module docs). Returns what `f` returns.
    pub(crate) fn k_rebuild<R>(&self, f: impl FnOnce(&mut Vec<T>) -> R) -> R {
        let (h, t) = (Self::pos(&self.head.0), Self::pos(&self.tail.0));
        let mut items: Vec<T> = (h..t).filter_map(|p| self.slot(p).set(None)).collect();
        let r = f(&mut items);
        debug_assert!(items.len() <= self.cap);
        let base = t + self.cap;
        let n = items.len();
        for (i, item) in items.into_iter().enumerate() {
            let s = self.slot(base + i);
            s.set(Some(item));
            s.stamp.store(2 * (base + i) + 1, Ordering::Release);
        }
        for p in base + n..base + self.cap {
            self.slot(p).stamp.store(2 * p, Ordering::Release);
        }
        self.head.0.store((base << 1) | RK, Ordering::Release);
        self.tail.0.store(((base + n) << 1) | RK, Ordering::Release);
        r
    }
}

impl<T: Send> RingCtl for Ring<T> {
    fn enter(&self) -> Option<usize> {
        let t = self.tail.0.fetch_or(RK, Ordering::AcqRel);
        if t & RK != 0 {
            return None;
        }
        let h = self.head.0.fetch_or(RK, Ordering::AcqRel);
        let (h, t) = (h >> 1, t >> 1);
        // Wait for the claims made before the bits were set to be published.
        for p in h..h + self.cap {
            let want = if p < t { 2 * p + 1 } else { 2 * p };
            let s = &self.slot(p).stamp;
            let mut n = 0u32;
            while s.load(Ordering::Acquire) != want {
                if n < 6 {
                    spin_loop();
                    n += 1;
                } else {
                    yield_now();
                }
            }
        }
        Some(t - h)
    }

    fn exit(&self) {
        self.head.0.fetch_and(!RK, Ordering::Release);
        self.tail.0.fetch_and(!RK, Ordering::Release);
    }

    fn count(&self) -> Option<usize> {
        let mut t = self.tail.0.load(Ordering::Acquire);
        loop {
            if t & RK != 0 {
                return None;
            }
            let h = self.head.0.load(Ordering::Acquire);
            let t2 = self.tail.0.load(Ordering::Acquire);
            if t2 == t {
                if h & RK != 0 {
                    return None;
                }
                return Some((t >> 1).saturating_sub(h >> 1));
            }
            t = t2;
        }
    }
}
