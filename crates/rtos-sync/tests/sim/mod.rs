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
