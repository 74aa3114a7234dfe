//! Priority-inheritance mutexes (cf. `xSemaphoreCreateMutex`,
//! `xSemaphoreCreateRecursiveMutex`).

use std::sync::Arc;

use crate::error::Result;
use crate::kernel::{NoStore, ObjKind};
use crate::object::Obj;
use crate::port::Port;
use crate::types::{BlockTime, TaskId};

/// A mutex with an owner and priority inheritance (cf. `xSemaphoreCreateMutex`). Created
/// available. Only tasks may use it (every call from interrupt context is `Err(InIsr)`).
///
/// See the crate documentation, "Priority inheritance", for the exact rules. A give does not
/// hand the mutex to a waiter: the woken waiter takes it when it runs, and may find it taken
/// again. Clones share the mutex.
#[derive(Clone)]
pub struct Mutex {
    obj: Arc<Obj>,
}

impl std::fmt::Debug for Mutex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mutex")
            .field("holder", &self.holder())
            .finish()
    }
}

impl Mutex {
    /// An available mutex.
    pub fn new(port: &(impl Port + ?Sized)) -> Self {
        Mutex {
            obj: Arc::new(Obj::new(port, ObjKind::Mutex, 1, 1)),
        }
    }

    /// Takes the mutex, waiting up to `block` (cf. `xSemaphoreTake`). Before blocking with a
    /// non-zero block time the holder inherits the caller's priority if lower. `QueueEmpty`
    /// (no wait), `Timeout`, or in chained mode `Deadlock`.
    pub fn take(&self, block: BlockTime) -> Result<()> {
        if let Some(f) = &self.obj.fast
            && self.obj.k.fast_take(f)
        {
            return Ok(());
        }
        self.obj.k.receive(self.obj.id, false, block, &mut NoStore)
    }

    /// Gives the mutex back (cf. `xSemaphoreGive`). `NotOwner` if the caller does not hold
    /// it, `QueueFull` if it is available. The caller's inherited priority drops to its base
    /// once it holds no mutex (chained mode: to what its remaining mutexes still justify).
    pub fn give(&self) -> Result<()> {
        if let Some(f) = &self.obj.fast
            && self.obj.k.fast_give(f)
        {
            return Ok(());
        }
        self.obj.k.give_mutex(self.obj.id, false)
    }

    /// Takes the mutex, waiting forever, and returns a guard that gives it on drop.
    pub fn lock(&self) -> Result<MutexGuard<'_>> {
        self.lock_timeout(BlockTime::Forever)
    }

    /// Takes the mutex, waiting up to `block`, and returns a guard that gives it on drop.
    pub fn lock_timeout(&self, block: BlockTime) -> Result<MutexGuard<'_>> {
        self.take(block)?;
        Ok(MutexGuard { m: self })
    }

    /// The task holding the mutex (cf. `xSemaphoreGetMutexHolder`).
    pub fn holder(&self) -> Option<TaskId> {
        self.obj.k.holder(self.obj.id).ok().flatten()
    }
}

/// Holds a [`Mutex`]; gives it back when dropped.
#[derive(Debug)]
#[must_use = "the mutex is given back as soon as the guard is dropped"]
pub struct MutexGuard<'a> {
    m: &'a Mutex,
}

impl MutexGuard<'_> {
    /// Gives the mutex back now, reporting errors that `drop` would ignore.
    pub fn unlock(self) -> Result<()> {
        let m = self.m;
        std::mem::forget(self);
        m.give()
    }
}

impl Drop for MutexGuard<'_> {
    fn drop(&mut self) {
        let _ = self.m.give();
    }
}

/// A mutex its holder may take again (cf. `xSemaphoreCreateRecursiveMutex`): an owner and a
/// count; it becomes available when the holder has given it as often as it took it. Only
/// the holder may give it. Inheritance as for [`Mutex`]. Clones share it.
#[derive(Clone)]
pub struct RecursiveMutex {
    obj: Arc<Obj>,
}

impl std::fmt::Debug for RecursiveMutex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecursiveMutex")
            .field("holder", &self.holder())
            .field("depth", &self.depth())
            .finish()
    }
}

impl RecursiveMutex {
    /// An available recursive mutex.
    pub fn new(port: &(impl Port + ?Sized)) -> Self {
        RecursiveMutex {
            obj: Arc::new(Obj::new(port, ObjKind::Recursive, 1, 1)),
        }
    }

    /// Takes (cf. `xSemaphoreTakeRecursive`): the holder only counts up; anyone else takes
    /// it like a [`Mutex`].
    pub fn take(&self, block: BlockTime) -> Result<()> {
        self.obj.k.take_recursive(self.obj.id, block)
    }

    /// Gives once (cf. `xSemaphoreGiveRecursive`); `NotOwner` unless the caller holds it.
    pub fn give(&self) -> Result<()> {
        self.obj.k.give_mutex(self.obj.id, true)
    }

    /// Takes, waiting forever, with a guard that gives once on drop.
    pub fn lock(&self) -> Result<RecursiveMutexGuard<'_>> {
        self.lock_timeout(BlockTime::Forever)
    }

    /// Takes, waiting up to `block`, with a guard that gives once on drop.
    pub fn lock_timeout(&self, block: BlockTime) -> Result<RecursiveMutexGuard<'_>> {
        self.take(block)?;
        Ok(RecursiveMutexGuard { m: self })
    }

    /// The holder.
    pub fn holder(&self) -> Option<TaskId> {
        self.obj.k.holder(self.obj.id).ok().flatten()
    }

    /// How many gives the holder still owes (0 when available).
    pub fn depth(&self) -> u32 {
        self.obj
            .k
            .with_obj(self.obj.id, |m| m.recursion)
            .unwrap_or(0)
    }
}

/// Holds one level of a [`RecursiveMutex`]; gives it back when dropped.
#[derive(Debug)]
#[must_use = "the mutex is given back as soon as the guard is dropped"]
pub struct RecursiveMutexGuard<'a> {
    m: &'a RecursiveMutex,
}

impl Drop for RecursiveMutexGuard<'_> {
    fn drop(&mut self) {
        let _ = self.m.give();
    }
}

macro_rules! set_member {
    ($ty:ty) => {
        impl crate::queue_set::SetMember for $ty {
            fn member_id(&self) -> crate::queue_set::MemberId {
                self.obj.member_id()
            }
            fn obj_id(&self) -> (u64, usize) {
                (self.obj.k.id, self.obj.id)
            }
        }
    };
}
set_member!(Mutex);
set_member!(RecursiveMutex);
