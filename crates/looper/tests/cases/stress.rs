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

/// Senders that stop and start at random moments, so that messages find
/// the looper in every state: dispatching, going idle (running out of due
/// messages, letting go of what it kept), on its way to block, or blocked.
/// Each burst's last message is acknowledged and waited for (with a hang
/// guard, not a timing check): a lost wake-up leaves it in the queue and
/// fails the test. With `with_fd`, the looper blocks in `epoll_wait`.
fn bursts_with_idle_gaps(with_fd: bool) {
    use std::sync::atomic::{AtomicU64, Ordering};
    const SENDERS: usize = 2;
    const ROUNDS: usize = 2_000;
    let (l, j) = spawn_looper();
    let _pair = watch_idle_socket(&l, with_fd);
    let handled = Arc::new(AtomicU64::new(0));
    let acks: Vec<_> = (0..SENDERS)
        .map(|_| std::sync::mpsc::channel::<usize>())
        .collect();
    let ack_tx: Vec<_> = acks.iter().map(|(tx, _)| tx.clone()).collect();
    let hd = handled.clone();
    // arg1: sender, arg2: round + 1 on a burst's last message, else 0.
    let h = Handler::with_handle_message(&l, move |m: &mut Message| {
        hd.fetch_add(1, Ordering::Relaxed);
        if m.arg2 > 0 {
            ack_tx[m.arg1 as usize].send(m.arg2 as usize - 1).unwrap();
        }
    });
    let senders: Vec<_> = acks
        .into_iter()
        .enumerate()
        .map(|(s, (_, ack_rx))| {
            let h = h.clone();
            std::thread::spawn(move || {
                let mut rng = rand::rng();
                let mut sent = 0u64;
                for round in 0..ROUNDS {
                    match rng.random_range(0..5) {
                        0 => {}
                        1 => {
                            for _ in 0..rng.random_range(0..20_000) {
                                std::hint::spin_loop();
                            }
                        }
                        2 => std::thread::yield_now(),
                        _ => std::thread::sleep(Duration::from_micros(rng.random_range(0..200))),
                    }
                    let burst = rng.random_range(1..=4);
                    for k in 0..burst {
                        let last = if k + 1 == burst { round as i32 + 1 } else { 0 };
                        let m = h.obtain_message_args(1, s as i32, last);
                        let ok = match rng.random_range(0..4) {
                            0 => h.send_message_delayed(
                                m,
                                Duration::from_micros(rng.random_range(0..50)),
                            ),
                            1 if last == 0 => h.send_message_at_front_of_queue(m),
                            _ => h.send_message(m),
                        };
                        assert!(ok);
                        sent += 1;
                    }
                    // Every other round, wait for the burst: the looper then
                    // goes idle before the next one.
                    if round % 2 == 0 || round + 1 == ROUNDS {
                        loop {
                            let r = ack_rx.recv_timeout(HANG_GUARD).expect("lost wake-up");
                            if r == round {
                                break;
                            }
                        }
                    }
                }
                sent
            })
        })
        .collect();
    let sent: u64 = senders.into_iter().map(|s| s.join().unwrap()).sum();
    // A burst's delayed messages (up to 50 us) may come after its
    // acknowledged last one: wait for them too (a lost wake-up of a timed
    // wait would hang here).
    let start = std::time::Instant::now();
    while handled.load(Ordering::Relaxed) < sent {
        assert!(start.elapsed() < HANG_GUARD, "lost wake-up");
        std::thread::sleep(Duration::from_micros(100));
    }
    assert_eq!(handled.load(Ordering::Relaxed), sent);
    l.quit().unwrap();
    j.join().unwrap();
}

#[test]
fn bursts_with_idle_gaps_condvar() {
    bursts_with_idle_gaps(false);
}

#[cfg(target_os = "linux")]
#[test]
fn bursts_with_idle_gaps_epoll() {
    bursts_with_idle_gaps(true);
}

/// Quitting a looper that is just going idle stops it.
#[test]
fn quit_while_going_idle() {
    let mut rng = rand::rng();
    for _ in 0..200 {
        let (l, j) = spawn_looper();
        let (tx, rx) = std::sync::mpsc::channel();
        let h = Handler::with_handle_message(&l, move |_| tx.send(()).unwrap());
        h.send_empty_message(1);
        rx.recv_timeout(HANG_GUARD).unwrap();
        for _ in 0..rng.random_range(0..5_000) {
            std::hint::spin_loop();
        }
        l.quit().unwrap();
        let start = std::time::Instant::now();
        while !j.is_finished() {
            assert!(start.elapsed() < HANG_GUARD, "looper did not quit");
            std::thread::sleep(Duration::from_micros(50));
        }
        j.join().unwrap();
    }
}

/// Senders racing `quit_safely` and `quit` (most of them through the
/// lock-free path): after `quit_safely`, every send that returned `true` is
/// delivered; after `quit`, no more than those; nothing hangs.
#[test]
fn sends_racing_quit() {
    use std::sync::atomic::{AtomicU64, Ordering};
    for round in 0..120u64 {
        let safe = round % 2 == 0;
        let ht = looper::HandlerThread::new("quit-race");
        ht.start().unwrap();
        let delivered = Arc::new(AtomicU64::new(0));
        let d = delivered.clone();
        let h = Handler::with_handle_message(&ht.looper().unwrap(), move |_| {
            d.fetch_add(1, Ordering::Relaxed);
        });
        let senders: Vec<_> = (0..3)
            .map(|s| {
                let h = h.clone();
                std::thread::spawn(move || {
                    let mut ok = 0u64;
                    loop {
                        let sent = if s == 2 {
                            h.send_message(h.obtain_message_what(1))
                        } else {
                            h.send_empty_message(1)
                        };
                        if !sent {
                            return ok;
                        }
                        ok += 1;
                    }
                })
            })
            .collect();
        std::thread::sleep(Duration::from_micros(rand::rng().random_range(0..3000)));
        if safe {
            ht.quit_safely();
        } else {
            ht.quit();
        }
        let sent: u64 = senders.into_iter().map(|s| s.join().unwrap()).sum();
        ht.join();
        let got = delivered.load(Ordering::Relaxed);
        if safe {
            assert_eq!(got, sent, "round {round}: quit_safely lost messages");
        } else {
            assert!(got <= sent, "round {round}: {got} delivered of {sent}");
        }
    }
}

/// Single messages sent from another thread at random moments around the
/// looper going to sleep (it polls for 5 us, then announces that it blocks
/// and looks at the inbox once more): every one is delivered, none waits
/// for the next. A send that lands between the looper's last look and its
/// sleep must wake it.
fn wake_race_single_messages(with_fd: bool) {
    use std::sync::atomic::{AtomicU64, Ordering};
    const MESSAGES: u64 = 20_000;
    let (l, j) = spawn_looper();
    let _pair = watch_idle_socket(&l, with_fd);
    let handled = Arc::new(AtomicU64::new(0));
    let hd = handled.clone();
    let h = Handler::with_handle_message(&l, move |_| {
        hd.fetch_add(1, Ordering::Release);
    });
    let sender = std::thread::spawn(move || {
        let mut rng = rand::rng();
        for i in 0..MESSAGES {
            // Busy-wait 0-40 us after the previous delivery, so the send
            // falls anywhere in the looper's poll, its announcement or its
            // sleep.
            let pause = Duration::from_nanos(rng.random_range(0..40_000));
            let t = std::time::Instant::now();
            while t.elapsed() < pause {
                std::hint::spin_loop();
            }
            assert!(h.send_empty_message(1));
            let start = std::time::Instant::now();
            while handled.load(Ordering::Acquire) <= i {
                assert!(
                    start.elapsed() < Duration::from_secs(5),
                    "message {i} not delivered: lost wake-up"
                );
                std::thread::yield_now();
            }
        }
    });
    sender.join().unwrap();
    l.quit().unwrap();
    j.join().unwrap();
}

#[test]
fn wake_race_single_messages_condvar() {
    wake_race_single_messages(false);
}

#[test]
#[cfg(target_os = "linux")]
fn wake_race_single_messages_epoll() {
    wake_race_single_messages(true);
}

/// With `with_fd`, makes the looper watch one end of an idle socket pair, so
/// that it blocks in `epoll_wait` instead of on its condition variable; keep
/// the pair alive for the test's length.
#[cfg(target_os = "linux")]
fn watch_idle_socket(
    l: &looper::Looper,
    with_fd: bool,
) -> Option<(
    std::os::unix::net::UnixStream,
    std::os::unix::net::UnixStream,
)> {
    with_fd.then(|| {
        let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
        l.queue()
            .add_fd_listener(&a, looper::FdEvents::INPUT, |_, e| e)
            .unwrap();
        (a, b)
    })
}

#[cfg(not(target_os = "linux"))]
fn watch_idle_socket(_: &looper::Looper, _: bool) {}
