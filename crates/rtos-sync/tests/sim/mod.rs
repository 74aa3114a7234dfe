//! SimPort scenarios with exact ticks and traces.

use rtos_sync::*;

use crate::common::Log;

/// Basic inheritance: L=0 holds, H=3 blocks: L runs at 3, M=2 does not run; after the give
/// the order is H, M, L.
#[test]
fn priority_inheritance_basic() {
    let sim = SimPort::new();
    let m = Mutex::new(&sim);
    let log = Log::new();
    let (m1, l1) = (m.clone(), log.clone());
    let l = sim
        .spawn("L", 0, move |cx| {
            m1.take(BlockTime::Forever).unwrap();
            cx.busy(10);
            l1.push(cx.now(), "L gives");
            m1.give().unwrap();
            l1.push(cx.now(), "L done");
        })
        .unwrap();
    let (m2, l2) = (m.clone(), log.clone());
    sim.spawn("H", 3, move |cx| {
        cx.delay(2);
        m2.take(BlockTime::Forever).unwrap();
        l2.push(cx.now(), "H got");
        m2.give().unwrap();
    })
    .unwrap();
    let l3 = log.clone();
    sim.spawn("M", 2, move |cx| {
        cx.delay(3);
        l3.push(cx.now(), "M runs");
        cx.busy(1);
    })
    .unwrap();
    assert_eq!(sim.run().unwrap(), 11);
    assert_eq!(
        log.get(),
        vec![
            (10, "L gives".into()),
            (10, "H got".into()),
            (10, "M runs".into()),
            (11, "L done".into())
        ]
    );
    let tr = sim.trace();
    assert_eq!(tr.priority_changes(l), vec![(2, 0, 3), (10, 3, 0)]);
    assert_eq!(tr.run_order(), ["H", "M", "L", "H", "L", "H", "M", "L"]);
    println!("{tr}");
}

/// GenQTest: send to back and front give the expected order; a full queue refuses with the
/// item handed back, and a timed send fails after exactly its block time.
#[test]
fn genqtest_send_front_back_order_and_full() {
    let sim = SimPort::new();
    let q = Queue::new(&sim, 5).unwrap();
    sim.spawn("T", 1, move |cx| {
        q.send(1u32, BlockTime::NoWait).unwrap();
        q.send(2, BlockTime::NoWait).unwrap();
        q.send_to_front(0, BlockTime::NoWait).unwrap();
        q.send(3, BlockTime::NoWait).unwrap();
        q.send_to_front(9, BlockTime::NoWait).unwrap();
        assert_eq!((q.messages_waiting(), q.spaces_available()), (5, 0));
        let e = q.send(4, BlockTime::NoWait).unwrap_err();
        assert_eq!((e.error, e.item), (Error::QueueFull, 4));
        let e = q.send_to_front(4, BlockTime::Ticks(7)).unwrap_err();
        assert_eq!(e.error, Error::Timeout { waited: 7 });
        assert_eq!(cx.now(), 7);
        let got: Vec<u32> = (0..5)
            .map(|_| q.receive(BlockTime::NoWait).unwrap())
            .collect();
        assert_eq!(got, [9, 0, 1, 2, 3]);
        assert_eq!(q.receive(BlockTime::NoWait), Err(Error::QueueEmpty));
        assert!(q.is_empty());
    })
    .unwrap();
    assert_eq!(sim.run().unwrap(), 7);
}

/// GenQTest/QueueOverwrite: overwrite replaces the single item of a length-1 queue.
#[test]
fn queueoverwrite_length_one() {
    let sim = SimPort::new();
    let q = Queue::new(&sim, 1).unwrap();
    let long = Queue::new(&sim, 2).unwrap();
    q.overwrite(1u8).unwrap();
    q.overwrite(2).unwrap();
    assert_eq!(q.messages_waiting(), 1);
    assert_eq!(q.peek_from_isr().unwrap(), 2);
    assert!(!q.overwrite_from_isr(3).unwrap());
    assert_eq!(q.receive(BlockTime::NoWait).unwrap(), 3);
    assert_eq!(q.receive(BlockTime::NoWait), Err(Error::QueueEmpty));
    let e = long.overwrite(5u8).unwrap_err();
    assert!(matches!(e.error, Error::InvalidArgument { .. }));
    assert_eq!(e.item, 5);
    // An overwrite wakes a blocked receiver like a send.
    let (q2, log) = (q.clone(), Log::new());
    let l2 = log.clone();
    sim.spawn("rx", 2, move |cx| {
        let v = q2.receive(BlockTime::Forever).unwrap();
        l2.push(cx.now(), format!("got {v}"));
    })
    .unwrap();
    sim.spawn("tx", 1, move |cx| {
        cx.delay(4);
        q.overwrite(7).unwrap();
    })
    .unwrap();
    sim.run().unwrap();
    assert_eq!(log.get(), [(4, "got 7".to_string())]);
}

/// QPeek: tasks of priority 3, 2 and 1 peek an empty queue; the priority-0 task sends one
/// item: each peek wakes the next peeker, all see the item, and it stays in the queue.
#[test]
fn qpeek_cascade() {
    let sim = SimPort::new();
    let q = Queue::new(&sim, 1).unwrap();
    let log = Log::new();
    for p in [3u32, 2, 1] {
        let (q, log) = (q.clone(), log.clone());
        sim.spawn(&format!("P{p}"), p, move |cx| {
            let v: u32 = q.peek(BlockTime::Forever).unwrap();
            log.push(cx.now(), format!("P{p} peeked {v}"));
        })
        .unwrap();
    }
    let l0 = log.clone();
    sim.spawn("S", 0, move |cx| {
        cx.delay(5);
        q.send(42, BlockTime::NoWait).unwrap();
        l0.push(cx.now(), format!("S sees {} waiting", q.messages_waiting()));
        assert_eq!(q.receive(BlockTime::NoWait).unwrap(), 42);
    })
    .unwrap();
    assert_eq!(sim.run().unwrap(), 5);
    assert_eq!(
        log.get(),
        [
            (5, "P3 peeked 42".to_string()),
            (5, "P2 peeked 42".to_string()),
            (5, "P1 peeked 42".to_string()),
            (5, "S sees 1 waiting".to_string()),
        ]
    );
    // S runs, delays (the CPU idles until tick 5), runs again and is preempted by the cascade.
    assert_eq!(
        sim.trace().run_order(),
        ["P3", "P2", "P1", "S", "S", "P3", "P2", "P1", "S"]
    );
}

/// Waiters are woken by priority, FIFO among equal priorities (cf. the event lists of
/// `xQueueGenericReceive`).
#[test]
fn wake_order_priority_then_fifo() {
    let sim = SimPort::new();
    let q = Queue::new(&sim, 4).unwrap();
    let log = Log::new();
    for (i, (name, prio)) in [("A1", 1u32), ("B2", 2), ("C1", 1), ("D2", 2)]
        .into_iter()
        .enumerate()
    {
        let (q, log) = (q.clone(), log.clone());
        sim.spawn(name, prio, move |cx| {
            cx.delay(i as u64 + 1);
            let v: u32 = q.receive(BlockTime::Forever).unwrap();
            log.push(cx.now(), format!("{name}:{v}"));
        })
        .unwrap();
    }
    sim.spawn("S", 0, move |cx| {
        cx.delay(10);
        for v in 0..4 {
            q.send(v, BlockTime::NoWait).unwrap();
        }
    })
    .unwrap();
    sim.run().unwrap();
    assert_eq!(log.texts(), ["B2:0", "D2:1", "A1:2", "C1:3"]);
}

/// Event-list order is fixed when a task blocks (cf. `vListInsert`): raising a waiter's
/// priority while it waits does not move it ahead in FreeRTOS mode (A=2 blocked first, B=1
/// raised to 3 later: A is woken first); chained mode re-queues it like rt_mutex (B first).
#[test]
fn wait_list_position_fixed_at_block_time() {
    for (mode, expect) in [
        (InheritanceMode::FreeRtos, ["A:0", "B:1"]),
        (InheritanceMode::Chained, ["B:0", "A:1"]),
    ] {
        let sim = SimPort::with_config(PortConfig::default().with_mode(mode));
        let q = Queue::new(&sim, 2).unwrap();
        let log = Log::new();
        let mut ids = Vec::new();
        for (i, (name, prio)) in [("A", 2u32), ("B", 1)].into_iter().enumerate() {
            let (q, log) = (q.clone(), log.clone());
            ids.push(
                sim.spawn(name, prio, move |cx| {
                    cx.delay(i as u64 + 1);
                    let v: u32 = q.receive(BlockTime::Forever).unwrap();
                    log.push(cx.now(), format!("{name}:{v}"));
                })
                .unwrap(),
            );
        }
        let b = ids[1];
        let h = sim.handle().clone();
        sim.spawn("S", 0, move |cx| {
            cx.delay(5);
            h.set_priority(b, 3).unwrap();
            q.send(0, BlockTime::NoWait).unwrap();
            q.send(1, BlockTime::NoWait).unwrap();
        })
        .unwrap();
        sim.run().unwrap();
        assert_eq!(log.texts(), expect, "{mode:?}");
    }
}

/// A send/give preempts the sender only when the woken task is strictly more urgent.
#[test]
fn preemption_only_for_strictly_higher_priority() {
    for (waiter, expect) in [
        (2u32, ["give done", "waiter got"]),
        (3, ["waiter got", "give done"]),
    ] {
        let sim = SimPort::new();
        let s = BinarySemaphore::new(&sim);
        let log = Log::new();
        let (s1, l1) = (s.clone(), log.clone());
        sim.spawn("waiter", waiter, move |cx| {
            s1.take(BlockTime::Forever).unwrap();
            l1.push(cx.now(), "waiter got");
        })
        .unwrap();
        let l2 = log.clone();
        sim.spawn("giver", 2, move |cx| {
            cx.delay(1);
            s.give().unwrap();
            l2.push(cx.now(), "give done");
        })
        .unwrap();
        sim.run().unwrap();
        assert_eq!(log.texts(), expect, "waiter priority {waiter}");
    }
}

fn blockq_items() -> u32 {
    std::env::var("RTOS_SYNC_BLOCKQ_ITEMS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000)
}

/// BlockQ: three producer/consumer pairs (blocking consumer, blocking producer, both
/// blocking at equal priority), 10 000 items each, none lost or duplicated, in order.
#[test]
fn blockq_three_pairs() {
    let n = blockq_items();
    let sim = SimPort::new();
    let results = Log::new();
    // Pair 1: consumer blocks (priority 2), producer never blocks (priority 1).
    // Pair 2: producer blocks (priority 2), consumer polls (priority 1).
    // Pair 3: both block, equal priority 1, longer queue.
    let pairs: [(usize, u32, u32, bool, bool); 3] = [
        (1, 1, 2, false, true),
        (1, 2, 1, true, false),
        (5, 1, 1, true, true),
    ];
    for (i, (len, pp, cp, pblock, cblock)) in pairs.into_iter().enumerate() {
        let q = Queue::new(&sim, len).unwrap();
        let qc = q.clone();
        sim.spawn(&format!("prod{i}"), pp, move |cx| {
            let mut v = 0u32;
            while v < n {
                let bt = if pblock {
                    BlockTime::Ticks(1000)
                } else {
                    BlockTime::NoWait
                };
                match q.send(v, bt) {
                    Ok(()) => v += 1,
                    Err(_) => cx.delay(1),
                }
            }
        })
        .unwrap();
        let r = results.clone();
        sim.spawn(&format!("cons{i}"), cp, move |cx| {
            let mut expect = 0u32;
            let mut errors = 0;
            while expect < n {
                let bt = if cblock {
                    BlockTime::Ticks(1000)
                } else {
                    BlockTime::NoWait
                };
                match qc.receive(bt) {
                    Ok(v) => {
                        if v != expect {
                            errors += 1;
                        }
                        expect = v + 1;
                    }
                    Err(_) => cx.delay(1),
                }
            }
            r.push(
                cx.now(),
                format!("pair{i} errors={errors} last={}", expect - 1),
            );
        })
        .unwrap();
    }
    sim.run().unwrap();
    let mut got = results.texts();
    got.sort();
    let want: Vec<String> = (0..3)
        .map(|i| format!("pair{i} errors=0 last={}", n - 1))
        .collect();
    assert_eq!(got, want);
}

/// blocktim: block times of 10 << k ticks expire exactly, for receive and send.
#[test]
fn blocktim_block_time_accuracy() {
    let sim = SimPort::new();
    let empty = Queue::<u8>::new(&sim, 1).unwrap();
    let full = Queue::new(&sim, 1).unwrap();
    full.send(0u8, BlockTime::NoWait).unwrap();
    sim.spawn("T", 2, move |cx| {
        for k in 0..6 {
            let bt = 10u64 << k;
            let start = cx.now();
            assert_eq!(
                empty.receive(BlockTime::Ticks(bt)),
                Err(Error::Timeout { waited: bt })
            );
            assert_eq!(cx.now() - start, bt);
            let start = cx.now();
            let e = full.send(1, BlockTime::Ticks(bt)).unwrap_err();
            assert_eq!(e.error, Error::Timeout { waited: bt });
            assert_eq!(cx.now() - start, bt);
        }
    })
    .unwrap();
    assert_eq!(sim.run().unwrap(), 2 * 630);
}

/// blocktim: a receiver woken by a send that then finds the queue empty again (a more urgent
/// task took the item first) blocks only for the rest of its block time.
#[test]
fn blocktim_reblock_for_remaining_time() {
    let sim = SimPort::new();
    let q = Queue::new(&sim, 1).unwrap();
    let log = Log::new();
    let (q1, l1) = (q.clone(), log.clone());
    sim.spawn("H", 2, move |cx| {
        let r = q1.receive(BlockTime::Ticks(100));
        l1.push(cx.now(), format!("H {r:?}"));
    })
    .unwrap();
    let (q2, l2) = (q.clone(), log.clone());
    sim.spawn("X", 3, move |cx| {
        cx.delay(30);
        let v: u32 = q2.receive(BlockTime::NoWait).unwrap();
        l2.push(cx.now(), format!("X stole {v}"));
    })
    .unwrap();
    sim.isr_at(30, move || {
        assert!(q.send_from_isr(5).unwrap());
    });
    assert_eq!(sim.run().unwrap(), 100);
    assert_eq!(
        log.get(),
        [
            (30, "X stole 5".to_string()),
            (100, "H Err(Timeout { waited: 100 })".to_string())
        ]
    );
}

/// The time-out edge: an item posted by an interrupt in the very tick a receive times out is
/// still received (time-outs of a tick are processed before its interrupts, and receive looks
/// again after a time-out); one tick later it is not.
#[test]
fn blocktim_timeout_edge() {
    for (at, expect) in [
        (9u64, (9u64, "Ok(1)")),
        (10, (10, "Ok(1)")),
        (11, (10, "Err(Timeout { waited: 10 })")),
    ] {
        let sim = SimPort::new();
        let q = Queue::new(&sim, 1).unwrap();
        let log = Log::new();
        let (q1, l1) = (q.clone(), log.clone());
        sim.spawn("R", 1, move |cx| {
            let r = q1.receive(BlockTime::Ticks(10));
            l1.push(cx.now(), format!("{r:?}"));
        })
        .unwrap();
        sim.isr_at(at, move || {
            q.send_from_isr(1u8).unwrap();
        });
        sim.run().unwrap();
        assert_eq!(
            log.get(),
            [(expect.0, expect.1.to_string())],
            "item at tick {at}"
        );
    }
    // The same edge for a sender on a full queue: space made at the time-out tick is used.
    let sim = SimPort::new();
    let q = Queue::new(&sim, 1).unwrap();
    q.send(0u8, BlockTime::NoWait).unwrap();
    let log = Log::new();
    let (q1, l1) = (q.clone(), log.clone());
    sim.spawn("S", 1, move |cx| {
        let r = q1.send(1, BlockTime::Ticks(10)).map_err(|e| e.error);
        l1.push(cx.now(), format!("{r:?}"));
    })
    .unwrap();
    sim.isr_at(10, move || {
        q.receive_from_isr().unwrap();
    });
    sim.run().unwrap();
    assert_eq!(log.get(), [(10, "Ok(())".to_string())]);
}

/// countsem: max 200, starting empty and starting full, exact counts throughout.
#[test]
fn countsem_both_start_values() {
    let sim = SimPort::new();
    assert!(matches!(
        CountingSemaphore::new(&sim, 0, 0),
        Err(Error::InvalidArgument { .. })
    ));
    assert!(matches!(
        CountingSemaphore::new(&sim, 3, 4),
        Err(Error::InvalidArgument { .. })
    ));
    let up = CountingSemaphore::new(&sim, 200, 0).unwrap();
    let down = CountingSemaphore::new(&sim, 200, 200).unwrap();
    sim.spawn("T", 1, move |_| {
        for i in 0..200 {
            assert_eq!(up.count(), i);
            up.give().unwrap();
        }
        assert_eq!(up.give(), Err(Error::QueueFull));
        assert_eq!(up.count(), 200);
        for i in 0..200 {
            assert_eq!(down.count(), 200 - i);
            down.take(BlockTime::NoWait).unwrap();
            up.take(BlockTime::Ticks(1)).unwrap();
        }
        assert_eq!(down.take(BlockTime::NoWait), Err(Error::QueueEmpty));
        assert_eq!((up.count(), down.count(), down.max()), (0, 0, 200));
    })
    .unwrap();
    assert_eq!(sim.run().unwrap(), 0);
}

/// A binary semaphore is created empty; a second give fails.
#[test]
fn binary_semaphore_double_give() {
    let sim = SimPort::new();
    let s = BinarySemaphore::new(&sim);
    sim.spawn("T", 1, move |cx| {
        assert_eq!(s.take(BlockTime::NoWait), Err(Error::QueueEmpty));
        s.give().unwrap();
        assert_eq!(s.give(), Err(Error::QueueFull));
        assert_eq!(s.count(), 1);
        s.take(BlockTime::NoWait).unwrap();
        assert_eq!(
            s.take(BlockTime::Ticks(5)),
            Err(Error::Timeout { waited: 5 })
        );
        assert_eq!(cx.now(), 5);
    })
    .unwrap();
    sim.run().unwrap();
}

/// A take with a zero block time never boosts the holder.
#[test]
fn zero_tick_take_never_boosts() {
    let sim = SimPort::new();
    let m = Mutex::new(&sim);
    let m1 = m.clone();
    let l = sim
        .spawn("L", 0, move |cx| {
            m1.take(BlockTime::NoWait).unwrap();
            cx.busy(10);
            m1.give().unwrap();
        })
        .unwrap();
    sim.spawn("H", 3, move |cx| {
        cx.delay(2);
        assert_eq!(m.take(BlockTime::NoWait), Err(Error::QueueEmpty));
        assert_eq!(m.take(BlockTime::Ticks(0)), Err(Error::QueueEmpty));
    })
    .unwrap();
    sim.run().unwrap();
    assert!(sim.trace().priority_changes(l).is_empty());
}

/// GenQTest (prvTakeTwoMutexesReturnInDifferentOrder / ...SameOrder): the holder keeps the
/// inherited priority until it has given back every mutex it holds. Given in the reverse
/// order, the waiter runs at the second give; given in the same order, the woken waiter is
/// not strictly more urgent than the still-boosted holder, so it too runs only after the
/// second give.
#[test]
fn genqtest_two_mutexes_same_and_reverse_order() {
    for same_order in [false, true] {
        let sim = SimPort::new();
        let (m1, m2) = (Mutex::new(&sim), Mutex::new(&sim));
        let log = Log::new();
        let (a, b, lg) = (m1.clone(), m2.clone(), log.clone());
        let l = sim
            .spawn("L", 0, move |cx| {
                a.take(BlockTime::Forever).unwrap();
                b.take(BlockTime::Forever).unwrap();
                cx.busy(5);
                if same_order {
                    a.give().unwrap();
                    lg.push(cx.now(), format!("L gave first at {}", cx.priority()));
                    b.give().unwrap();
                } else {
                    b.give().unwrap();
                    lg.push(cx.now(), format!("L gave first at {}", cx.priority()));
                    a.give().unwrap();
                }
                lg.push(cx.now(), format!("L back at {}", cx.priority()));
            })
            .unwrap();
        let lg = log.clone();
        sim.spawn("H", 3, move |cx| {
            cx.delay(1);
            m1.take(BlockTime::Forever).unwrap();
            lg.push(cx.now(), "H got m1");
            m1.give().unwrap();
        })
        .unwrap();
        sim.run().unwrap();
        assert_eq!(
            log.texts(),
            ["L gave first at 3", "H got m1", "L back at 0"],
            "same order: {same_order}"
        );
        assert_eq!(sim.trace().priority_changes(l), [(1, 0, 3), (5, 3, 0)]);
    }
}

/// vTaskPriorityDisinheritAfterTimeout, both orders: when a waiter times out, a holder of
/// exactly one mutex drops to the highest remaining waiter's priority (or its base).
#[test]
fn disinherit_after_waiter_timeout_both_orders() {
    // (timeout of the priority-2 waiter, of the priority-3 waiter, expected changes of L)
    type Changes = &'static [(u64, u32, u32)];
    let cases: [(u64, u64, Changes); 2] = [
        // The more urgent waiter times out first: L drops to 2, then to 0.
        (20, 5, &[(1, 0, 2), (2, 2, 3), (7, 3, 2), (21, 2, 0)]),
        // The less urgent one first: L stays at 3 until the other times out.
        (5, 20, &[(1, 0, 2), (2, 2, 3), (22, 3, 0)]),
    ];
    for (t2, t3, expect) in cases {
        let sim = SimPort::new();
        let m = Mutex::new(&sim);
        let m0 = m.clone();
        let l = sim
            .spawn("L", 0, move |cx| {
                m0.take(BlockTime::Forever).unwrap();
                cx.busy(40);
                m0.give().unwrap();
            })
            .unwrap();
        let m2 = m.clone();
        sim.spawn("W2", 2, move |cx| {
            cx.delay(1);
            // A timed-out waiter may run later than its time-out (here: not before L drops).
            let r = m2.take(BlockTime::Ticks(t2));
            assert!(matches!(r, Err(Error::Timeout { .. })), "{r:?}");
        })
        .unwrap();
        sim.spawn("W3", 3, move |cx| {
            cx.delay(2);
            assert_eq!(
                m.take(BlockTime::Ticks(t3)),
                Err(Error::Timeout { waited: t3 })
            );
        })
        .unwrap();
        sim.run().unwrap();
        assert_eq!(
            sim.trace().priority_changes(l),
            expect,
            "timeouts {t2}/{t3}"
        );
    }
}

/// A holder of two mutexes keeps its inherited priority after the waiter times out
/// (FreeRTOS only disinherits a holder of exactly one mutex).
#[test]
fn no_disinherit_after_timeout_with_two_mutexes_held() {
    let sim = SimPort::new();
    let (a, b) = (Mutex::new(&sim), Mutex::new(&sim));
    let (a1, b1) = (a.clone(), b.clone());
    let l = sim
        .spawn("L", 0, move |cx| {
            a1.take(BlockTime::Forever).unwrap();
            b1.take(BlockTime::Forever).unwrap();
            cx.busy(20);
            b1.give().unwrap();
            a1.give().unwrap();
        })
        .unwrap();
    sim.spawn("H", 3, move |cx| {
        cx.delay(1);
        assert!(matches!(
            a.take(BlockTime::Ticks(5)),
            Err(Error::Timeout { .. })
        ));
    })
    .unwrap();
    sim.run().unwrap();
    assert_eq!(sim.trace().priority_changes(l), [(1, 0, 3), (20, 3, 0)]);
}

fn chain_scenario(mode: InheritanceMode) -> Vec<(u64, u32, u32)> {
    let sim = SimPort::with_config(PortConfig::default().with_mode(mode));
    let (m1, m2) = (Mutex::new(&sim), Mutex::new(&sim));
    let b2 = m2.clone();
    let ll = sim
        .spawn("LL", 1, move |cx| {
            b2.take(BlockTime::Forever).unwrap();
            cx.busy(10);
            b2.give().unwrap();
        })
        .unwrap();
    let (a1, c2) = (m1.clone(), m2.clone());
    sim.spawn("L", 2, move |cx| {
        cx.delay(1);
        a1.take(BlockTime::Forever).unwrap();
        c2.take(BlockTime::Forever).unwrap();
        c2.give().unwrap();
        a1.give().unwrap();
    })
    .unwrap();
    sim.spawn("H", 3, move |cx| {
        cx.delay(2);
        m1.take(BlockTime::Forever).unwrap();
        m1.give().unwrap();
    })
    .unwrap();
    let h = sim.handle().clone();
    let seen = Log::new();
    let s2 = seen.clone();
    sim.isr_at(5, move || {
        s2.push(5, format!("{}", h.priority(ll).unwrap()))
    });
    sim.run().unwrap();
    let changes = sim.trace().priority_changes(ll);
    let at5: u32 = seen.texts()[0].parse().unwrap();
    let max = changes.iter().map(|c| c.2).max().unwrap_or(1);
    assert_eq!(at5, max);
    changes
}

/// Chained inheritance: H=3 waits for L=2, which waits for LL=1. FreeRTOS mode boosts LL to 2
/// only; chained mode to 3.
#[test]
fn chained_inheritance_compat_2_chained_3() {
    assert_eq!(
        chain_scenario(InheritanceMode::FreeRtos),
        [(1, 1, 2), (10, 2, 1)]
    );
    assert_eq!(
        chain_scenario(InheritanceMode::Chained),
        [(1, 1, 2), (2, 2, 3), (10, 3, 1)]
    );
}

/// Chained mode restores exactly with several mutexes held: giving one mutex drops the holder
/// to what the other mutex's waiters still justify.
#[test]
fn chained_mode_exact_restore_with_two_mutexes() {
    let sim = SimPort::with_config(PortConfig::default().with_mode(InheritanceMode::Chained));
    let (a, b) = (Mutex::new(&sim), Mutex::new(&sim));
    let (a1, b1) = (a.clone(), b.clone());
    let l = sim
        .spawn("L", 0, move |cx| {
            a1.take(BlockTime::Forever).unwrap();
            b1.take(BlockTime::Forever).unwrap();
            cx.busy(10);
            a1.give().unwrap();
            cx.busy(1);
            b1.give().unwrap();
        })
        .unwrap();
    sim.spawn("W2", 2, move |cx| {
        cx.delay(1);
        b.take(BlockTime::Forever).unwrap();
        b.give().unwrap();
    })
    .unwrap();
    sim.spawn("W3", 3, move |cx| {
        cx.delay(2);
        a.take(BlockTime::Forever).unwrap();
        a.give().unwrap();
    })
    .unwrap();
    sim.run().unwrap();
    assert_eq!(
        sim.trace().priority_changes(l),
        [(1, 0, 2), (2, 2, 3), (10, 3, 2), (11, 2, 0)]
    );
}

/// Chained mode refuses to close a cycle; FreeRTOS mode blocks and SimPort reports the
/// deadlock instead of hanging.
#[test]
fn deadlock_detected_in_chained_mode_and_reported_by_simport() {
    for mode in [InheritanceMode::Chained, InheritanceMode::FreeRtos] {
        let sim = SimPort::with_config(PortConfig::default().with_mode(mode));
        let (m1, m2) = (Mutex::new(&sim), Mutex::new(&sim));
        let log = Log::new();
        let (a1, a2, la) = (m1.clone(), m2.clone(), log.clone());
        let ta = sim
            .spawn("A", 1, move |cx| {
                a1.take(BlockTime::Forever).unwrap();
                cx.delay(2);
                let r = a2.take(BlockTime::Forever);
                la.push(cx.now(), format!("A {r:?}"));
            })
            .unwrap();
        let lb = log.clone();
        let tb = sim
            .spawn("B", 1, move |cx| {
                m2.take(BlockTime::Forever).unwrap();
                cx.delay(3);
                let r = m1.take(BlockTime::Forever);
                lb.push(cx.now(), format!("B {r:?}"));
                if r.is_err() {
                    m2.give().unwrap();
                }
            })
            .unwrap();
        let r = sim.run();
        match mode {
            InheritanceMode::Chained => {
                assert_eq!(r, Ok(3));
                let want = format!("B Err(Deadlock {{ cycle: [{tb:?}, {ta:?}] }})");
                assert_eq!(log.texts(), [want, "A Ok(())".to_string()]);
            }
            _ => {
                let Err(Error::AllBlocked { report }) = r else {
                    panic!("{r:?}")
                };
                assert_eq!(report.tick, 3);
                assert_eq!(report.blocked.len(), 2);
                assert_eq!(report.blocked[0].holder, Some(tb));
                assert_eq!(report.blocked[1].holder, Some(ta));
                assert_eq!(report.blocked[0].object_kind, "mutex");
                assert!(log.get().is_empty());
            }
        }
    }
}

/// recmutex: 10 nested takes need 10 gives, the 11th give fails; the polling task that holds
/// it inherits the priorities of the blocking and the controlling task.
#[test]
fn recmutex_nesting_and_polling_task_inherits() {
    let sim = SimPort::new();
    let m = RecursiveMutex::new(&sim);
    let log = Log::new();
    let (mp, lp) = (m.clone(), log.clone());
    let poll = sim
        .spawn("poll", 0, move |cx| {
            while mp.take(BlockTime::NoWait).is_err() {
                cx.delay(1);
            }
            cx.busy(10);
            lp.push(cx.now(), format!("poll gives at {}", cx.priority()));
            mp.give().unwrap();
        })
        .unwrap();
    let (mb, lb) = (m.clone(), log.clone());
    sim.spawn("block", 1, move |cx| {
        cx.delay(1);
        mb.take(BlockTime::Forever).unwrap();
        lb.push(cx.now(), "block got");
        mb.give().unwrap();
    })
    .unwrap();
    let lc = log.clone();
    sim.spawn("control", 2, move |cx| {
        cx.delay(2);
        for i in 0..10 {
            m.take(BlockTime::Forever).unwrap();
            assert_eq!(m.depth(), i + 1);
        }
        assert_eq!(m.holder(), Some(cx.id()));
        for _ in 0..10 {
            m.give().unwrap();
        }
        assert_eq!(m.holder(), None);
        let e = m.give().unwrap_err();
        assert_eq!(
            e,
            Error::NotOwner {
                owner: None,
                caller: Some(cx.id())
            }
        );
        lc.push(cx.now(), "control done");
    })
    .unwrap();
    sim.run().unwrap();
    assert_eq!(
        log.texts(),
        ["poll gives at 2", "control done", "block got"]
    );
    assert_eq!(
        sim.trace().priority_changes(poll),
        [(1, 0, 1), (2, 1, 2), (10, 2, 0)]
    );
}

/// Owner checks: only the holder gives; giving an available mutex is QueueFull; mutexes are
/// refused from interrupts and from threads that are not tasks.
#[test]
fn mutex_owner_checks() {
    let sim = SimPort::new();
    let m = Mutex::new(&sim);
    let r = RecursiveMutex::new(&sim);
    assert_eq!(m.take(BlockTime::NoWait), Err(Error::NotInTask));
    let (m1, r1) = (m.clone(), r.clone());
    let a = sim
        .spawn("A", 1, move |cx| {
            assert_eq!(m1.give(), Err(Error::QueueFull));
            m1.take(BlockTime::NoWait).unwrap();
            r1.take(BlockTime::NoWait).unwrap();
            cx.delay(10);
            m1.give().unwrap();
            r1.give().unwrap();
        })
        .unwrap();
    let (m2, r2) = (m.clone(), r.clone());
    sim.spawn("B", 1, move |cx| {
        cx.delay(1);
        let b = Some(cx.id());
        assert_eq!(
            m2.give(),
            Err(Error::NotOwner {
                owner: Some(a),
                caller: b
            })
        );
        assert_eq!(
            r2.give(),
            Err(Error::NotOwner {
                owner: Some(a),
                caller: b
            })
        );
        let g = m2.lock().unwrap();
        assert_eq!(m2.holder(), b);
        drop(g);
        assert_eq!(m2.holder(), None);
    })
    .unwrap();
    let (m3, r3) = (m.clone(), r.clone());
    sim.isr_at(5, move || {
        assert_eq!(m3.take(BlockTime::NoWait), Err(Error::InIsr));
        assert_eq!(m3.give(), Err(Error::InIsr));
        assert_eq!(r3.take(BlockTime::NoWait), Err(Error::InIsr));
    });
    sim.run().unwrap();
}

/// semtest: four tasks (two polling at priority 0, two blocking at priority 1) share a
/// variable guarded by a binary semaphore; no task ever sees another inside.
#[test]
fn semtest_exclusion_with_four_tasks() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};
    let sim = SimPort::new();
    let s = BinarySemaphore::new(&sim);
    s.give().unwrap();
    let inside = Arc::new(AtomicU32::new(0));
    let rounds = Arc::new(AtomicU32::new(0));
    for (i, prio, block) in [(0, 0, false), (1, 0, false), (2, 1, true), (3, 1, true)] {
        let (s, inside, rounds) = (s.clone(), inside.clone(), rounds.clone());
        sim.spawn(&format!("sem{i}"), prio, move |cx| {
            for _ in 0..50 {
                let bt = if block {
                    BlockTime::Ticks(100)
                } else {
                    BlockTime::NoWait
                };
                while s.take(bt).is_err() {
                    cx.delay(1);
                }
                assert_eq!(inside.fetch_add(1, Ordering::SeqCst), 0);
                cx.busy(2);
                assert_eq!(inside.fetch_sub(1, Ordering::SeqCst), 1);
                rounds.fetch_add(1, Ordering::SeqCst);
                s.give().unwrap();
                if block {
                    cx.delay(3);
                }
            }
        })
        .unwrap();
    }
    sim.run().unwrap();
    assert_eq!(rounds.load(Ordering::SeqCst), 200);
}

/// QueueSet: members report in posting order; FreeRTOS's membership rules are enforced.
#[test]
fn queueset_select_order_and_rules() {
    let sim = SimPort::new();
    let q1 = Queue::new(&sim, 2).unwrap();
    let q2 = Queue::<u32>::new(&sim, 2).unwrap();
    let sem = BinarySemaphore::new(&sim);
    let one = Queue::<u32>::new(&sim, 1).unwrap();
    let set = QueueSet::new(&sim, 6).unwrap();
    let small = QueueSet::new(&sim, 1).unwrap();
    assert!(matches!(small.add(&q1), Err(Error::InvalidArgument { .. })));
    q1.send(1u32, BlockTime::NoWait).unwrap();
    assert!(matches!(set.add(&q1), Err(Error::InvalidArgument { .. })));
    q1.receive(BlockTime::NoWait).unwrap();
    set.add(&q1).unwrap();
    assert!(matches!(set.add(&q1), Err(Error::InvalidArgument { .. })));
    set.add(&q2).unwrap();
    set.add(&sem).unwrap();
    set.add(&one).unwrap();
    assert!(matches!(
        set.add(&Queue::<u8>::new(&sim, 1).unwrap()),
        Err(Error::InvalidArgument { .. })
    ));
    let log = Log::new();
    let (l, s2) = (log.clone(), set.clone());
    let ids = [
        (q1.member_id(), "q1"),
        (q2.member_id(), "q2"),
        (sem.member_id(), "sem"),
        (one.member_id(), "one"),
    ];
    let (r1, r2, rs, ro) = (q1.clone(), q2.clone(), sem.clone(), one.clone());
    sim.spawn("rx", 2, move |cx| {
        for _ in 0..6 {
            let id = s2.select(BlockTime::Forever).unwrap();
            let name = ids.iter().find(|x| x.0 == id).unwrap().1;
            let what = match name {
                "q1" => r1.receive(BlockTime::NoWait).unwrap().to_string(),
                "q2" => r2.receive(BlockTime::NoWait).unwrap().to_string(),
                "sem" => format!("{:?}", rs.take(BlockTime::NoWait)),
                _ => ro.receive(BlockTime::NoWait).unwrap().to_string(),
            };
            l.push(cx.now(), format!("{name}:{what}"));
        }
        assert_eq!(
            s2.select(BlockTime::Ticks(3)),
            Err(Error::Timeout { waited: 3 })
        );
    })
    .unwrap();
    let q2i = q2.clone();
    sim.isr_at(5, move || {
        assert!(q2i.send_from_isr(20).unwrap());
    });
    sim.spawn("tx", 1, move |cx| {
        cx.delay(10);
        sem.give().unwrap();
        q1.send(10, BlockTime::NoWait).unwrap();
        q1.send(11, BlockTime::NoWait).unwrap();
    })
    .unwrap();
    // Overwriting a full length-1 member posts to the set only once.
    sim.isr_at(11, move || {
        one.overwrite_from_isr(7u32).unwrap();
        one.overwrite_from_isr(8).unwrap();
    });
    sim.isr_at(12, move || {
        q2.send_from_isr(21).unwrap();
    });
    sim.run().unwrap();
    assert_eq!(
        log.get(),
        [
            (5, "q2:20".to_string()),
            (10, "sem:Ok(())".to_string()),
            (10, "q1:10".to_string()),
            (10, "q1:11".to_string()),
            (11, "one:8".to_string()),
            (12, "q2:21".to_string()),
        ]
    );
}

/// Two interrupt sends in one tick while a receiver is blocked: both items arrive, no
/// wake-up is lost, and only the first send reports a woken task.
#[test]
fn two_isr_sends_while_receiver_blocks() {
    let sim = SimPort::new();
    let q = Queue::new(&sim, 4).unwrap();
    let log = Log::new();
    let (q1, l1) = (q.clone(), log.clone());
    sim.spawn("R", 1, move |cx| {
        for _ in 0..2 {
            let v: u32 = q1.receive(BlockTime::Forever).unwrap();
            l1.push(cx.now(), format!("got {v}"));
        }
    })
    .unwrap();
    let l2 = log.clone();
    sim.isr_at(5, move || {
        let a = q.send_from_isr(1).unwrap();
        let b = q.send_from_isr(2).unwrap();
        l2.push(5, format!("woken {a} {b}"));
    });
    assert_eq!(sim.run().unwrap(), 5);
    assert_eq!(log.texts(), ["woken true false", "got 1", "got 2"]);
}

/// A give does not hand the mutex over: the giver takes it straight back and the woken
/// waiter, finding it taken, blocks again.
#[test]
fn no_hand_off_on_give() {
    let sim = SimPort::new();
    let m = Mutex::new(&sim);
    let log = Log::new();
    let (m1, l1) = (m.clone(), log.clone());
    sim.spawn("G", 2, move |cx| {
        m1.take(BlockTime::Forever).unwrap();
        cx.delay(5);
        m1.give().unwrap();
        m1.take(BlockTime::NoWait).unwrap();
        l1.push(cx.now(), "G took it back");
        cx.delay(5);
        m1.give().unwrap();
    })
    .unwrap();
    let l2 = log.clone();
    sim.spawn("W", 1, move |cx| {
        m.take(BlockTime::Forever).unwrap();
        l2.push(cx.now(), "W got it");
        m.give().unwrap();
    })
    .unwrap();
    sim.run().unwrap();
    assert_eq!(
        log.get(),
        [
            (5, "G took it back".to_string()),
            (10, "W got it".to_string())
        ]
    );
}

fn busy_scenario() -> (Trace, Tick) {
    let sim = SimPort::new();
    let q = Queue::new(&sim, 2).unwrap();
    let m = Mutex::new(&sim);
    for i in 0..4u32 {
        let (q, m) = (q.clone(), m.clone());
        sim.spawn(&format!("t{i}"), i % 3, move |cx| {
            for j in 0..20u32 {
                let g = m.lock().unwrap();
                cx.busy(u64::from(j % 3));
                drop(g);
                let _ = q.send(j, BlockTime::Ticks(u64::from(i)));
                let _ = q.receive(BlockTime::Ticks(2));
                cx.yield_now();
            }
        })
        .unwrap();
    }
    let q2 = q.clone();
    for t in [3, 17, 40] {
        let q2 = q2.clone();
        sim.isr_at(t, move || {
            let _ = q2.send_from_isr(99);
        });
    }
    let end = sim.run().unwrap();
    (sim.trace(), end)
}

/// The same program gives the same schedule: identical traces, tick for tick.
#[test]
fn identical_schedule_identical_trace() {
    let (a, ea) = busy_scenario();
    let (b, eb) = busy_scenario();
    assert!(a.events().len() > 50);
    assert_eq!(ea, eb);
    assert_eq!(a, b);
}

/// Round-robin among equal priorities at every tick of `busy`, and `delay_until` keeps a
/// fixed period.
#[test]
fn round_robin_time_slicing_and_delay_until() {
    let sim = SimPort::new();
    let log = Log::new();
    for name in ["a", "b"] {
        let l = log.clone();
        sim.spawn(name, 1, move |cx| {
            for _ in 0..3 {
                l.push(cx.now(), name);
                cx.busy(1);
            }
        })
        .unwrap();
    }
    let l = log.clone();
    sim.spawn("periodic", 2, move |cx| {
        let mut last = cx.now();
        for _ in 0..3 {
            assert!(cx.delay_until(&mut last, 10));
            l.push(cx.now(), "tick");
            cx.busy(3);
        }
        assert!(!cx.delay_until(&mut last, 0));
    })
    .unwrap();
    sim.run().unwrap();
    let got = log.get();
    assert_eq!(
        got,
        [
            (0, "a".to_string()),
            (1, "b".to_string()),
            (2, "a".to_string()),
            (3, "b".to_string()),
            (4, "a".to_string()),
            (5, "b".to_string()),
            (10, "tick".to_string()),
            (20, "tick".to_string()),
            (30, "tick".to_string()),
        ]
    );
}

/// vTaskPrioritySet while a priority is inherited: the base changes at once, the effective
/// priority only if raised. Once base and effective priority are equal FreeRTOS no longer
/// sees an inheritance, so a later lowering takes effect even with a more urgent waiter;
/// chained mode recomputes from the waiters instead.
#[test]
fn set_priority_interacts_with_inheritance() {
    for (mode, after_lowering) in [
        (InheritanceMode::FreeRtos, 2),
        (InheritanceMode::Chained, 3),
    ] {
        let sim = SimPort::with_config(PortConfig::default().with_mode(mode));
        let m = Mutex::new(&sim);
        let m1 = m.clone();
        let h = sim.handle().clone();
        let l = sim
            .spawn("L", 1, move |cx| {
                m1.take(BlockTime::Forever).unwrap();
                cx.busy(5);
                // Inherited 3; lowering the base to 0 keeps 3 in effect.
                cx.set_priority(0).unwrap();
                assert_eq!((cx.priority(), h.base_priority(cx.id()).unwrap()), (3, 0));
                // Raising the base above the inherited priority takes effect at once.
                cx.set_priority(4).unwrap();
                assert_eq!(cx.priority(), 4);
                cx.set_priority(2).unwrap();
                assert_eq!(cx.priority(), after_lowering);
                m1.give().unwrap();
                assert_eq!(cx.priority(), 2);
            })
            .unwrap();
        sim.spawn("H", 3, move |cx| {
            cx.delay(1);
            m.take(BlockTime::Forever).unwrap();
            m.give().unwrap();
        })
        .unwrap();
        sim.run().unwrap();
        assert_eq!(sim.priority(l).unwrap(), 2);
        assert!(matches!(
            sim.set_priority(l, 99),
            Err(Error::InvalidArgument { .. })
        ));
    }
}

/// Interrupts may only use the `*_from_isr` API; task-level calls report `InIsr`.
#[test]
fn isr_context_rejects_task_calls() {
    let sim = SimPort::new();
    let q = Queue::<u8>::new(&sim, 1).unwrap();
    let s = BinarySemaphore::new(&sim);
    let h = sim.handle().clone();
    sim.isr_at(3, move || {
        assert_eq!(q.receive(BlockTime::NoWait), Err(Error::InIsr));
        assert_eq!(
            q.send(1, BlockTime::NoWait).unwrap_err().error,
            Error::InIsr
        );
        assert_eq!(s.take(BlockTime::Forever), Err(Error::InIsr));
        assert_eq!(s.give_from_isr(), Ok(false));
        assert_eq!(s.take_from_isr(), Ok(false));
        assert_eq!(s.take_from_isr(), Err(Error::QueueEmpty));
        assert!(matches!(h.spawn("x", 1, |_| {}), Err(Error::InIsr)));
    });
    assert_eq!(sim.run().unwrap(), 3);
}

/// A panic in a task is re-raised by `run`.
#[test]
#[should_panic(expected = "boom")]
fn task_panic_propagates() {
    let sim = SimPort::new();
    sim.spawn("p", 1, |_| panic!("boom")).unwrap();
    let _ = sim.run();
}

/// A mutex in a queue set (FreeRTOS allows it): it joins only while held, its give posts it
/// to the set, the selecting task then takes it without blocking, and a task blocked on the
/// set does not lend its priority to the holder.
#[test]
fn queueset_with_a_mutex() {
    let sim = SimPort::new();
    let m = Mutex::new(&sim);
    let q = Queue::<u32>::new(&sim, 1).unwrap();
    let set = QueueSet::new(&sim, 2).unwrap();
    assert!(
        matches!(set.add(&m), Err(Error::InvalidArgument { reason }) if reason.contains("held")),
        "an available mutex cannot join"
    );
    let log = Log::new();
    let (m1, s1, q1, l1) = (m.clone(), set.clone(), q.clone(), log.clone());
    let holder = sim
        .spawn("L", 1, move |cx| {
            m1.take(BlockTime::NoWait).unwrap();
            s1.add(&m1).unwrap();
            s1.add(&q1).unwrap();
            cx.delay(5);
            l1.push(cx.now(), format!("L at {}", cx.priority()));
            m1.give().unwrap();
        })
        .unwrap();
    let (m2, s2, l2) = (m.clone(), set.clone(), log.clone());
    let mid = m.member_id();
    sim.spawn("H", 3, move |cx| {
        cx.delay(1);
        let id = s2.select(BlockTime::Forever).unwrap();
        assert_eq!(id, mid);
        m2.take(BlockTime::NoWait).unwrap();
        assert_eq!(m2.holder(), Some(cx.id()));
        l2.push(cx.now(), "H took".to_string());
        m2.give().unwrap();
    })
    .unwrap();
    sim.run().unwrap();
    assert_eq!(
        log.get(),
        [(5, "L at 1".to_string()), (5, "H took".to_string())]
    );
    assert_eq!(sim.priority(holder).unwrap(), 1);
}
