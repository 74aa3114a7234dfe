//! The handle shared by every kernel object.

use crate::kernel::sync::{Arc, AtomicUsize};

use crate::kernel::{Kernel, ObjKind};
use crate::port::Port;

/// One kernel object (queue, semaphore, mutex, set); deleted when the last handle goes
/// (cf. `vQueueDelete`).
pub(crate) struct Obj {
    pub(crate) k: Arc<Kernel>,
    pub(crate) id: usize,
    /// HostPort mutexes: the lock-free state word (see `Kernel::fast_take`).
    pub(crate) fast: Option<Arc<AtomicUsize>>,
}

impl Obj {
    pub(crate) fn new(port: &(impl Port + ?Sized), kind: ObjKind, len: usize, count: usize) -> Obj {
        Self::with_ring(port, kind, len, count, None)
    }

    /// An object whose kernel-side storage is `ring` (HostPort queues).
    pub(crate) fn with_ring(
        port: &(impl Port + ?Sized),
        kind: ObjKind,
        len: usize,
        count: usize,
        ring: Option<std::sync::Arc<dyn crate::ring::RingCtl>>,
    ) -> Obj {
        let k = Arc::clone(&port.handle().k);
        let (id, fast) = k.create(kind, len, count, ring);
        Obj { k, id, fast }
    }

    pub(crate) fn count(&self) -> usize {
        self.k.count(self.id).unwrap_or(0)
    }

    pub(crate) fn len(&self) -> usize {
        self.k.with_obj(self.id, |m| m.len).unwrap_or(0)
    }

    pub(crate) fn member_id(&self) -> crate::queue_set::MemberId {
        crate::queue_set::MemberId {
            kernel: self.k.id,
            obj: self.id,
        }
    }
}

impl Drop for Obj {
    fn drop(&mut self) {
        self.k.destroy(self.id);
    }
}
