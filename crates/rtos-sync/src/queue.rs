//! The generic FreeRTOS queue (cf. `xQueueGenericCreate`, `xQueueGenericSend`,
//! `xQueueReceive`).

use std::collections::VecDeque;
use std::sync::{Arc, PoisonError};

use crate::error::{Error, Result, SendError};
use crate::kernel::sync::{AtomicUsize, Mutex, MutexGuard, Ordering, spin_loop};
use crate::kernel::{M_KERNEL, ObjKind, ObjMeta, Pos, Storage, in_isr, poll};
use crate::object::Obj;
use crate::port::Port;
use crate::queue_set::{MemberId, SetMember};
use crate::types::BlockTime;
use std::sync::TryLockError;

struct Inner<T> {
    obj: Obj,
    /// The fixed length.
    len: usize,
    /// The items. Under the kernel lock on the kernel path; alone on HostPort's lock-free
    /// path (see [`Queue::send`]).
    items: Mutex<VecDeque<T>>,
}

/// A fixed-length FIFO of `T` shared by tasks and interrupts (cf. `QueueHandle_t`).
///
/// Blocked receivers and senders wait in priority order, FIFO among equals. A send wakes the
/// most urgent waiting receiver, which takes the item itself when it runs: if another task
/// empties the queue first, the woken receiver blocks again for what remains of its block
/// time. Clones are handles to the same queue.
///
/// On HostPort, while no task waits on the queue and it is in no [`QueueSet`](crate::QueueSet),
/// sends and receives that need not block skip the kernel: they take only the queue's own
/// lock and update its state word (`count << 1`; bit 0 set means "kernel path"). A send that
/// finds the queue full (a receive that finds it empty) with a non-zero block time first polls
/// for a few microseconds (spinning, then yielding) before it blocks in the kernel; nothing
/// about the FreeRTOS rules changes, since a task that has not blocked yet is simply running.
pub struct Queue<T> {
    inner: Arc<Inner<T>>,
}

impl<T> Clone for Queue<T> {
    fn clone(&self) -> Self {
        Queue {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<T> std::fmt::Debug for Queue<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Queue")
            .field("len", &self.len())
            .field("waiting", &self.messages_waiting())
            .finish()
    }
}

struct Put<'a, T> {
    item: Option<T>,
    q: &'a Mutex<VecDeque<T>>,
}

impl<T> Storage for Put<'_, T> {
    fn put(&mut self, pos: Pos) {
        let mut q = self.q.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(item) = self.item.take() {
            match pos {
                Pos::Back => q.push_back(item),
                Pos::Front => q.push_front(item),
                Pos::Overwrite => {
                    q.clear();
                    q.push_back(item);
                }
            }
        }
    }
    fn get(&mut self, _: bool, _: &ObjMeta) {}
}

struct Take<'a, T> {
    out: Option<T>,
    q: &'a Mutex<VecDeque<T>>,
}

impl<T> Storage for Take<'_, T> {
    fn put(&mut self, _: Pos) {}
    fn get(&mut self, _: bool, _: &ObjMeta) {
        self.out = self
            .q
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop_front();
    }
}

struct Peek<'a, T> {
    out: Option<T>,
    q: &'a Mutex<VecDeque<T>>,
}

impl<T: Clone> Storage for Peek<'_, T> {
    fn put(&mut self, _: Pos) {}
    fn get(&mut self, _: bool, _: &ObjMeta) {
        self.out = self
            .q
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .front()
            .cloned();
    }
}

/// Locks the items for the lock-free path: the two sides of a busy queue hold the lock for a
/// few nanoseconds, so a short spin on `try_lock` beats sleeping in the mutex (which would
/// also make every later unlock a system call).
fn lock_spinning<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    for _ in 0..TRY_LOCKS {
        match m.try_lock() {
            Ok(g) => return g,
            Err(TryLockError::Poisoned(e)) => return e.into_inner(),
            Err(TryLockError::WouldBlock) => spin_loop(),
        }
    }
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(not(loom))]
const TRY_LOCKS: u32 = 100;
#[cfg(loom)]
const TRY_LOCKS: u32 = 1;

impl<T: Send> Queue<T> {
    /// A queue of `length` items (cf. `xQueueCreate`). `length` 0 is an
    /// [`Error::InvalidArgument`].
    pub fn new(port: &(impl Port + ?Sized), length: usize) -> Result<Self> {
        if length == 0 {
            return Err(Error::InvalidArgument {
                reason: "queue length 0",
            });
        }
        Ok(Queue {
            inner: Arc::new(Inner {
                obj: Obj::new(port, ObjKind::Queue, length, 0),
                len: length,
                items: Mutex::new(VecDeque::with_capacity(length)),
            }),
        })
    }

    /// HostPort lock-free send: `Err(item)` means "use the kernel path".
    fn fast_send(&self, state: &AtomicUsize, item: T, pos: Pos) -> Result<(), T> {
        let mut q = lock_spinning(&self.inner.items);
        let s = state.load(Ordering::Relaxed);
        if s & M_KERNEL != 0 || (s >> 1) >= self.inner.len {
            return Err(item);
        }
        // Fails only if the kernel took the queue over meanwhile.
        if state
            .compare_exchange(s, s + 2, Ordering::AcqRel, Ordering::Relaxed)
            .is_err()
        {
            return Err(item);
        }
        match pos {
            Pos::Front => q.push_front(item),
            _ => q.push_back(item),
        }
        Ok(())
    }

    /// HostPort lock-free receive: `None` means "use the kernel path".
    fn fast_receive(&self, state: &AtomicUsize) -> Option<T> {
        let mut q = lock_spinning(&self.inner.items);
        let s = state.load(Ordering::Relaxed);
        if s & M_KERNEL != 0 || (s >> 1) == 0 {
            return None;
        }
        state
            .compare_exchange(s, s - 2, Ordering::AcqRel, Ordering::Relaxed)
            .ok()?;
        q.pop_front()
    }

    fn send_pos(&self, mut item: T, pos: Pos, block: BlockTime) -> Result<(), SendError<T>> {
        if let Some(state) = &self.inner.obj.fast
            && pos != Pos::Overwrite
            && !in_isr()
        {
            item = match self.fast_send(state, item, pos) {
                Ok(()) => return Ok(()),
                Err(item) => item,
            };
            let len = self.inner.len;
            if !block.is_zero() {
                poll(|| {
                    let s = state.load(Ordering::Relaxed);
                    s & M_KERNEL != 0 || (s >> 1) < len
                });
                item = match self.fast_send(state, item, pos) {
                    Ok(()) => return Ok(()),
                    Err(item) => item,
                };
            }
        }
        let mut st = Put {
            item: Some(item),
            q: &self.inner.items,
        };
        match self
            .inner
            .obj
            .k
            .send(self.inner.obj.id, pos, block, &mut st)
        {
            Ok(()) => Ok(()),
            Err(error) => match st.item {
                Some(item) => Err(SendError { error, item }),
                None => Ok(()),
            },
        }
    }

    fn send_pos_isr(&self, item: T, pos: Pos) -> Result<bool, SendError<T>> {
        let mut st = Put {
            item: Some(item),
            q: &self.inner.items,
        };
        match self
            .inner
            .obj
            .k
            .send_from_isr(self.inner.obj.id, pos, &mut st)
        {
            Ok(w) => Ok(w),
            Err(error) => match st.item {
                Some(item) => Err(SendError { error, item }),
                None => Ok(false),
            },
        }
    }

    /// Sends to the back (cf. `xQueueSend` / `xQueueSendToBack`). When full, waits up to
    /// `block` for space; fails with `QueueFull` (no wait) or `Timeout`, handing the item back.
    pub fn send(&self, item: T, block: BlockTime) -> Result<(), SendError<T>> {
        self.send_pos(item, Pos::Back, block)
    }

    /// Sends to the front, to be received next (cf. `xQueueSendToFront`).
    pub fn send_to_front(&self, item: T, block: BlockTime) -> Result<(), SendError<T>> {
        self.send_pos(item, Pos::Front, block)
    }

    /// Replaces the item of a length-1 queue, or sends if it is empty; never blocks
    /// (cf. `xQueueOverwrite`). `InvalidArgument` for a longer queue.
    pub fn overwrite(&self, item: T) -> Result<(), SendError<T>> {
        if self.len() != 1 {
            return Err(SendError {
                error: Error::InvalidArgument {
                    reason: "overwrite needs a queue of length 1",
                },
                item,
            });
        }
        self.send_pos(item, Pos::Overwrite, BlockTime::NoWait)
    }

    /// Receives the front item, waiting up to `block` (cf. `xQueueReceive`). Fails with
    /// `QueueEmpty` (no wait) or `Timeout`. Unlike a send, a receive whose block time ran
    /// out looks at the queue once more and succeeds if an item arrived meanwhile.
    pub fn receive(&self, block: BlockTime) -> Result<T> {
        if let Some(state) = &self.inner.obj.fast
            && !in_isr()
        {
            if let Some(item) = self.fast_receive(state) {
                return Ok(item);
            }
            if !block.is_zero()
                && poll(|| {
                    let s = state.load(Ordering::Relaxed);
                    s & M_KERNEL != 0 || (s >> 1) > 0
                })
                && let Some(item) = self.fast_receive(state)
            {
                return Ok(item);
            }
        }
        let mut st = Take {
            out: None,
            q: &self.inner.items,
        };
        self.inner
            .obj
            .k
            .receive(self.inner.obj.id, false, block, &mut st)?;
        st.out.ok_or(Error::QueueEmpty)
    }

    /// Copies the front item without removing it (cf. `xQueuePeek`). A successful peek wakes
    /// the next waiting receiver, since the item is still there for it.
    pub fn peek(&self, block: BlockTime) -> Result<T>
    where
        T: Clone,
    {
        let mut st = Peek {
            out: None,
            q: &self.inner.items,
        };
        self.inner
            .obj
            .k
            .receive(self.inner.obj.id, true, block, &mut st)?;
        st.out.ok_or(Error::QueueEmpty)
    }

    /// Interrupt-safe send to the back; never blocks (cf. `xQueueSendFromISR`). `Ok(true)`
    /// when a task more urgent than the interrupted one was woken.
    pub fn send_from_isr(&self, item: T) -> Result<bool, SendError<T>> {
        self.send_pos_isr(item, Pos::Back)
    }

    /// Interrupt-safe send to the front (cf. `xQueueSendToFrontFromISR`).
    pub fn send_to_front_from_isr(&self, item: T) -> Result<bool, SendError<T>> {
        self.send_pos_isr(item, Pos::Front)
    }

    /// Interrupt-safe overwrite of a length-1 queue (cf. `xQueueOverwriteFromISR`).
    pub fn overwrite_from_isr(&self, item: T) -> Result<bool, SendError<T>> {
        if self.len() != 1 {
            return Err(SendError {
                error: Error::InvalidArgument {
                    reason: "overwrite needs a queue of length 1",
                },
                item,
            });
        }
        self.send_pos_isr(item, Pos::Overwrite)
    }

    /// Interrupt-safe receive (cf. `xQueueReceiveFromISR`): the item and whether a more
    /// urgent task (a sender waiting for space) was woken.
    pub fn receive_from_isr(&self) -> Result<(T, bool)> {
        let mut st = Take {
            out: None,
            q: &self.inner.items,
        };
        let w = self
            .inner
            .obj
            .k
            .receive_from_isr(self.inner.obj.id, false, &mut st)?;
        st.out.map(|t| (t, w)).ok_or(Error::QueueEmpty)
    }

    /// Interrupt-safe peek (cf. `xQueuePeekFromISR`).
    pub fn peek_from_isr(&self) -> Result<T>
    where
        T: Clone,
    {
        let mut st = Peek {
            out: None,
            q: &self.inner.items,
        };
        self.inner
            .obj
            .k
            .receive_from_isr(self.inner.obj.id, true, &mut st)?;
        st.out.ok_or(Error::QueueEmpty)
    }

    /// Empties the queue, dropping its items, and wakes one waiting sender
    /// (cf. `xQueueReset`). Blocked receivers stay blocked.
    pub fn reset(&self) -> Result<()> {
        let items = &self.inner.items;
        let mut dropped = VecDeque::new();
        self.inner.obj.k.reset(self.inner.obj.id, &mut || {
            std::mem::swap(
                &mut *items.lock().unwrap_or_else(PoisonError::into_inner),
                &mut dropped,
            );
        })?;
        drop(dropped);
        Ok(())
    }
}

impl<T> Queue<T> {
    /// Items in the queue (cf. `uxQueueMessagesWaiting`).
    pub fn messages_waiting(&self) -> usize {
        self.inner.obj.count()
    }

    /// Free places (cf. `uxQueueSpacesAvailable`).
    pub fn spaces_available(&self) -> usize {
        self.len() - self.messages_waiting()
    }

    /// The fixed length given at creation.
    pub fn len(&self) -> usize {
        self.inner.len
    }

    /// Whether no item is waiting.
    pub fn is_empty(&self) -> bool {
        self.messages_waiting() == 0
    }

    /// Whether the queue is full.
    pub fn is_full(&self) -> bool {
        self.spaces_available() == 0
    }
}

impl<T> SetMember for Queue<T> {
    fn member_id(&self) -> MemberId {
        self.inner.obj.member_id()
    }
    fn obj_id(&self) -> (u64, usize) {
        (self.inner.obj.k.id, self.inner.obj.id)
    }
}
