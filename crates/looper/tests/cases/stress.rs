//! Cross-thread stress: 8 senders, random delays, one looper. None lost, none
//! duplicated, per-sender order kept among equal times, never early.
//!
//! Default size: 8 x 12 500 = 100 000 messages. Set `LOOPER_STRESS_FULL=1`
//! for the full 10^6 (8 x 125 000).

use std::sync::Arc;
use std::sync::Mutex;
use std::time::Duration;

use looper::{Handler, Message, Uptime};
use rand::Rng;

use crate::common::{HANG_GUARD, spawn_looper};

/// (sender, sequence number, due time, delivery time)
type Delivery = (u32, u32, Uptime, Uptime);

#[test]
fn eight_senders_random_delays() {
    const SENDERS: usize = 8;
    let per_sender: usize = if std::env::var_os("LOOPER_STRESS_FULL").is_some() {
        125_000
    } else {
        12_500
    };
    let total = SENDERS * per_sender;
    let (l, j) = spawn_looper();
    let log: Arc<Mutex<Vec<Delivery>>> = Arc::new(Mutex::new(Vec::with_capacity(total)));
    let lg = log.clone();
    let l2 = l.clone();
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    let h = Handler::with_handle_message(&l, move |m: &mut Message| {
        let now = l2.now();
        let mut v = lg.lock().unwrap();
        v.push((m.arg1 as u32, m.arg2 as u32, m.when(), now));
        if v.len() == total {
            done_tx.send(()).unwrap();
        }
    });
    let base = l.now().saturating_add(Duration::from_millis(5));
    let senders: Vec<_> = (0..SENDERS)
        .map(|s| {
            let h = h.clone();
            std::thread::spawn(move || {
                let mut rng = rand::rng();
                for i in 0..per_sender {
                    let m = h.obtain_message_args(1, s as i32, i as i32);
                    let ok = match rng.random_range(0..4) {
                        // Coarse explicit times: many equal times per sender.
                        0 | 1 => h.send_message_at_time(
                            m,
                            base.saturating_add(Duration::from_millis(rng.random_range(0..20))),
                        ),
                        2 => h.send_message_delayed(
                            m,
                            Duration::from_micros(rng.random_range(0..3000)),
                        ),
                        _ => h.send_message(m),
                    };
                    assert!(ok);
                }
            })
        })
        .collect();
    for s in senders {
        s.join().unwrap();
    }
    done_rx.recv_timeout(HANG_GUARD * 4).unwrap();
    l.quit().unwrap();
    j.join().unwrap();

    let v = log.lock().unwrap();
    assert_eq!(v.len(), total);
    let mut seen = vec![vec![false; per_sender]; SENDERS];
    for &(s, i, when, at) in v.iter() {
        assert!(!seen[s as usize][i as usize], "duplicate {s}/{i}");
        seen[s as usize][i as usize] = true;
        assert!(at >= when, "delivered early");
    }
    assert!(seen.iter().flatten().all(|&b| b), "lost messages");
    // Per sender, among equal times, send order is kept.
    let mut last: std::collections::HashMap<(u32, Uptime), u32> = Default::default();
    for &(s, i, when, _) in v.iter() {
        if let Some(prev) = last.insert((s, when), i) {
            assert!(prev < i, "sender {s}: {prev} after {i} at equal time");
        }
    }
}
