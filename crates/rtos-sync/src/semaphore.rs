//! Binary and counting semaphores: generic queues of length 1 / `max` whose items have no
//! data (cf. `xSemaphoreCreateBinary`, `xSemaphoreCreateCounting`).

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::kernel::{NoStore, ObjKind, Pos};
use crate::object::Obj;
use crate::port::Port;
use crate::queue_set::{MemberId, SetMember};
use crate::types::BlockTime;

macro_rules! sem_common {
    ($ty:ident) => {
        impl $ty {
            /// Gives (cf. `xSemaphoreGive`): never blocks; `QueueFull` if already at its
            /// maximum. Wakes the most urgent waiting taker, which preempts the caller only if
            /// strictly more urgent.
            pub fn give(&self) -> Result<()> {
                self.obj
                    .k
                    .send(self.obj.id, Pos::Back, BlockTime::NoWait, &mut NoStore)
            }

            /// Takes, waiting up to `block` (cf. `xSemaphoreTake`); `QueueEmpty` (no wait) or
            /// `Timeout`.
            pub fn take(&self, block: BlockTime) -> Result<()> {
                self.obj.k.receive(self.obj.id, false, block, &mut NoStore)
            }

            /// Interrupt-safe give (cf. `xSemaphoreGiveFromISR`): whether a task more urgent
            /// than the interrupted one was woken.
            pub fn give_from_isr(&self) -> Result<bool> {
                self.obj
                    .k
                    .send_from_isr(self.obj.id, Pos::Back, &mut NoStore)
            }

            /// Interrupt-safe take (cf. `xSemaphoreTakeFromISR`).
            pub fn take_from_isr(&self) -> Result<bool> {
                self.obj
                    .k
                    .receive_from_isr(self.obj.id, false, &mut NoStore)
            }

            /// Current count (cf. `uxSemaphoreGetCount`).
            pub fn count(&self) -> usize {
                self.obj.count()
            }
        }

        impl SetMember for $ty {
            fn member_id(&self) -> MemberId {
                self.obj.member_id()
            }
            fn obj_id(&self) -> (u64, usize) {
                (self.obj.k.id, self.obj.id)
            }
        }

        impl std::fmt::Debug for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($ty))
                    .field("count", &self.count())
                    .finish()
            }
        }
    };
}

/// A binary semaphore, created empty (cf. `xSemaphoreCreateBinary`): the first `take` blocks
/// until someone gives. No owner, no inheritance; usable from interrupts. Clones share it.
#[derive(Clone)]
pub struct BinarySemaphore {
    obj: Arc<Obj>,
}

impl BinarySemaphore {
    /// An empty binary semaphore.
    pub fn new(port: &(impl Port + ?Sized)) -> Self {
        BinarySemaphore {
            obj: Arc::new(Obj::new(port, ObjKind::Binary, 1, 0)),
        }
    }
}

sem_common!(BinarySemaphore);

/// A counting semaphore (cf. `xSemaphoreCreateCounting`). Clones share it.
#[derive(Clone)]
pub struct CountingSemaphore {
    obj: Arc<Obj>,
}

impl CountingSemaphore {
    /// A semaphore counting up to `max`, starting at `initial`. `InvalidArgument` for
    /// `max == 0` or `initial > max` (FreeRTOS asserts).
    pub fn new(port: &(impl Port + ?Sized), max: usize, initial: usize) -> Result<Self> {
        if max == 0 {
            return Err(Error::InvalidArgument {
                reason: "counting semaphore max 0",
            });
        }
        if initial > max {
            return Err(Error::InvalidArgument {
                reason: "initial count above max",
            });
        }
        Ok(CountingSemaphore {
            obj: Arc::new(Obj::new(port, ObjKind::Counting, max, initial)),
        })
    }

    /// The maximum count.
    pub fn max(&self) -> usize {
        self.obj.len()
    }
}

sem_common!(CountingSemaphore);
