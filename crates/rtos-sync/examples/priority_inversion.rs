//! The seed's story: tasks A (priority 1), B (5) and C (10); A and C share resource X.
//!
//! A holds X when an interrupt wakes C, which then needs X and blocks. B becomes ready a tick
//! later and has 20 ticks of work. Protected by a binary semaphore (no inheritance) B runs
//! before A can finish, and C waits for both; protected by a mutex, A inherits C's priority,
//! B waits, and C's wait is only what A still had to do.
//!
//! Run with `cargo run -p rtos-sync --example priority_inversion`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use rtos_sync::{BinarySemaphore, BlockTime, Mutex, Port, Result, SimPort, Tick};

/// The two ways of protecting X.
#[derive(Clone)]
enum Guard {
    Mutex(Mutex),
    Semaphore(BinarySemaphore),
}

impl Guard {
    fn take(&self) -> Result<()> {
        match self {
            Guard::Mutex(m) => m.take(BlockTime::Forever),
            Guard::Semaphore(s) => s.take(BlockTime::Forever),
        }
    }
    fn give(&self) -> Result<()> {
        match self {
            Guard::Mutex(m) => m.give(),
            Guard::Semaphore(s) => s.give(),
        }
    }
}

/// Runs the story; returns C's waiting time for X in ticks.
fn story(use_mutex: bool) -> Result<Tick> {
    let sim = SimPort::new();
    let x = if use_mutex {
        Guard::Mutex(Mutex::new(&sim))
    } else {
        let s = BinarySemaphore::new(&sim);
        s.give()?;
        Guard::Semaphore(s)
    };
    let irq = BinarySemaphore::new(&sim);
    let waited = Arc::new(AtomicU64::new(0));

    let xa = x.clone();
    sim.spawn("A", 1, move |cx| {
        if xa.take().is_ok() {
            cx.mark("A takes X");
            cx.busy(10);
            cx.mark("A gives X");
            let _ = xa.give();
        }
    })?;
    let b_ready = BinarySemaphore::new(&sim);
    let br = b_ready.clone();
    sim.spawn("B", 5, move |cx| {
        if br.take(BlockTime::Forever).is_ok() {
            cx.mark("B works");
            cx.busy(20);
            cx.mark("B done");
        }
    })?;
    let (xc, irq_c, w) = (x.clone(), irq.clone(), waited.clone());
    sim.spawn("C", 10, move |cx| {
        if irq_c.take(BlockTime::Forever).is_ok() {
            let asked = cx.now();
            cx.mark("C needs X");
            if xc.take().is_ok() {
                w.store(cx.now() - asked, Ordering::SeqCst);
                cx.mark("C has X");
                cx.busy(1);
                let _ = xc.give();
            }
        }
    })?;
    // The interrupt that wakes C at tick 2, and B's trigger at tick 3.
    sim.isr_at(2, move || {
        let _ = irq.give_from_isr();
    });
    sim.isr_at(3, move || {
        let _ = b_ready.give_from_isr();
    });
    sim.run()?;
    println!("{}", sim.trace());
    Ok(waited.load(Ordering::SeqCst))
}

fn main() -> Result<()> {
    println!("== X protected by a binary semaphore (no inheritance) ==");
    let sem = story(false)?;
    println!("== X protected by a mutex (priority inheritance) ==");
    let mutex = story(true)?;
    println!("task C waited {sem} ticks with the semaphore, {mutex} ticks with the mutex");
    Ok(())
}
