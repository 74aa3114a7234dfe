//! The generic FreeRTOS queue (cf. `xQueueGenericCreate`, `xQueueGenericSend`,
//! `xQueueReceive`).

use std::sync::Arc;

use crate::error::{Error, Result, SendError};
use crate::kernel::{ObjKind, ObjMeta, Pos, Storage, in_isr, poll};
use crate::object::Obj;
use crate::port::Port;
use crate::queue_set::{MemberId, SetMember};
use crate::ring::{Ring, RingCtl};
use crate::types::{BlockTime, PortKind};

struct Inner<T> {
    obj: Obj,
    /// The fixed length.
    len: usize,
    /// The items: a ring of `len` slots (see [`crate::ring`]). Only the kernel-lock holder
    /// touches it in kernel mode (always on SimPort); in ring mode (HostPort, nobody waiting,
    /// in no set) sends to the back and receives work on it without the kernel.
    ring: std::sync::Arc<Ring<T>>,
    /// Whether the ring path may be tried (HostPort).
    host: bool,
}

/// A fixed-length FIFO of `T` shared by tasks and interrupts (cf. `QueueHandle_t`).
///
/// Blocked receivers and senders wait in priority order, FIFO among equals. A send wakes the
/// most urgent waiting receiver, which takes the item itself when it runs: if another task
/// empties the queue first, the woken receiver blocks again for what remains of its block
/// time. Clones are handles to the same queue.
///
/// On HostPort, while no task waits on the queue and it is in no [`QueueSet`](crate::QueueSet),
/// sends to the back and receives that need not block skip the kernel: the items live in a
/// ring whose slots carry sequence stamps, and such an operation claims its position with one
/// CAS on the tail (head) word and publishes through the slot's stamp, touching neither the
/// kernel lock nor the other end's word. Any other operation, and any that would block, takes
/// the kernel lock and switches the ring to kernel mode first (see the crate docs, "Queue
/// hand-over"). A send that finds the queue full (a receive that finds it empty) with a
/// non-zero block time first polls for a few microseconds (spinning, then yielding) before it
/// blocks in the kernel; nothing about the FreeRTOS rules changes, since a task that has not
/// blocked yet is simply running.
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
    r: &'a Ring<T>,
}

impl<T> Storage for Put<'_, T> {
    fn put(&mut self, pos: Pos) {
        if let Some(item) = self.item.take() {
            match pos {
                Pos::Back => self.r.k_push_back(item),
                Pos::Front => self.r.k_rebuild(|v| v.insert(0, item)),
                Pos::Overwrite => self.r.k_rebuild(|v| {
                    v.clear();
                    v.push(item);
                }),
            }
        }
    }
    fn get(&mut self, _: bool, _: &ObjMeta) {}
}

struct Take<'a, T> {
    out: Option<T>,
    r: &'a Ring<T>,
}

impl<T> Storage for Take<'_, T> {
    fn put(&mut self, _: Pos) {}
    fn get(&mut self, _: bool, _: &ObjMeta) {
        self.out = self.r.k_pop_front();
    }
}

struct Peek<'a, T> {
    out: Option<T>,
    r: &'a Ring<T>,
}

impl<T: Clone> Storage for Peek<'_, T> {
    fn put(&mut self, _: Pos) {}
    fn get(&mut self, _: bool, _: &ObjMeta) {
        self.out = self.r.k_peek();
    }
}

impl<T: Send + 'static> Queue<T> {
    /// A queue of `length` items (cf. `xQueueCreate`). `length` 0 is an
    /// [`Error::InvalidArgument`].
    pub fn new(port: &(impl Port + ?Sized), length: usize) -> Result<Self> {
        if length == 0 {
            return Err(Error::InvalidArgument {
                reason: "queue length 0",
            });
        }
        let host = port.kind() == PortKind::Host;
        let ring = std::sync::Arc::new(Ring::new(length, !host));
        let ctl: Option<std::sync::Arc<dyn RingCtl>> = if host { Some(ring.clone()) } else { None };
        Ok(Queue {
            inner: Arc::new(Inner {
                obj: Obj::with_ring(port, ObjKind::Queue, length, 0, ctl),
                len: length,
                ring,
                host,
            }),
        })
    }

    fn send_pos(&self, mut item: T, pos: Pos, block: BlockTime) -> Result<(), SendError<T>> {
        let ring = &*self.inner.ring;
        if self.inner.host && pos == Pos::Back && !in_isr() {
            item = match ring.try_push(item) {
                Ok(()) => return Ok(()),
                Err(item) => item,
            };
            if !block.is_zero() {
                poll(|| ring.push_ready());
                item = match ring.try_push(item) {
                    Ok(()) => return Ok(()),
                    Err(item) => item,
                };
            }
        }
        let mut st = Put {
            item: Some(item),
            r: ring,
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
            r: &self.inner.ring,
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
        let ring = &*self.inner.ring;
        if self.inner.host && !in_isr() {
            if let Some(item) = ring.try_pop() {
                return Ok(item);
            }
            if !block.is_zero()
                && poll(|| ring.pop_ready())
                && let Some(item) = ring.try_pop()
            {
                return Ok(item);
            }
        }
        let mut st = Take {
            out: None,
            r: &self.inner.ring,
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
            r: &self.inner.ring,
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
            r: &self.inner.ring,
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
            r: &self.inner.ring,
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
        let ring = &self.inner.ring;
        let mut dropped = Vec::new();
        self.inner.obj.k.reset(self.inner.obj.id, &mut || {
            ring.k_rebuild(|v| std::mem::swap(v, &mut dropped));
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
