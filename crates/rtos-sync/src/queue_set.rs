//! Queue sets: block on several queues and semaphores at once (cf. `xQueueCreateSet`,
//! `xQueueAddToSet`, `xQueueSelectFromSet`).

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::kernel::ObjKind;
use crate::object::Obj;
use crate::port::Port;
use crate::types::BlockTime;

/// Identifies a member of a queue set; compare with [`SetMember::member_id`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MemberId {
    pub(crate) kernel: u64,
    pub(crate) obj: usize,
}

/// Queues, semaphores and mutexes that can join a [`QueueSet`].
pub trait SetMember {
    /// The id [`QueueSet::select`] returns when this member has data.
    fn member_id(&self) -> MemberId;
    #[doc(hidden)]
    fn obj_id(&self) -> (u64, usize);
}

/// A set of queues, semaphores and mutexes a task can wait on together.
///
/// FreeRTOS's rules: a member joins or leaves only while empty (a mutex: while
/// held; its give then posts it to the set, and a task blocked on the set does
/// not lend its priority to the holder), belongs to one set at most,
/// and the set's length must cover the members' lengths (checked when adding). Every item
/// or count posted to a member posts the member's id to the set, in order; tasks blocked on
/// the member itself are then not woken (block on the set instead). After `select` returns
/// a member, read it with a non-blocking receive/take. Overwriting a full length-1 member
/// posts nothing new.
#[derive(Clone)]
pub struct QueueSet {
    obj: Arc<Obj>,
}

impl std::fmt::Debug for QueueSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueueSet")
            .field("ready", &self.obj.count())
            .finish()
    }
}

impl QueueSet {
    /// A set able to hold `length` events (cf. `xQueueCreateSet`).
    pub fn new(port: &(impl Port + ?Sized), length: usize) -> Result<Self> {
        if length == 0 {
            return Err(Error::InvalidArgument {
                reason: "queue set length 0",
            });
        }
        Ok(QueueSet {
            obj: Arc::new(Obj::new(port, ObjKind::Set, length, 0)),
        })
    }

    fn check(&self, m: &impl SetMember) -> Result<usize> {
        let (k, o) = m.obj_id();
        if k != self.obj.k.id {
            return Err(Error::InvalidArgument {
                reason: "member belongs to another port",
            });
        }
        Ok(o)
    }

    /// Adds an empty queue or semaphore, or a held mutex (cf. `xQueueAddToSet`).
    pub fn add(&self, member: &impl SetMember) -> Result<()> {
        let o = self.check(member)?;
        self.obj.k.add_to_set(o, self.obj.id)
    }

    /// Removes an empty member (cf. `xQueueRemoveFromSet`).
    pub fn remove(&self, member: &impl SetMember) -> Result<()> {
        let o = self.check(member)?;
        self.obj.k.remove_from_set(o, self.obj.id)
    }

    /// Waits up to `block` for a member with data and returns it
    /// (cf. `xQueueSelectFromSet`).
    pub fn select(&self, block: BlockTime) -> Result<MemberId> {
        let o = self.obj.k.select(self.obj.id, block)?;
        Ok(MemberId {
            kernel: self.obj.k.id,
            obj: o,
        })
    }

    /// Interrupt-safe select (cf. `xQueueSelectFromSetFromISR`).
    pub fn select_from_isr(&self) -> Result<MemberId> {
        let o = self.obj.k.select_from_isr(self.obj.id)?;
        Ok(MemberId {
            kernel: self.obj.k.id,
            obj: o,
        })
    }
}
