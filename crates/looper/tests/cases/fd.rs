//! File-descriptor watching (Linux; cf. `ALooper_addFd`).
#![cfg(target_os = "linux")]

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use looper::{FdEvents, Handler};

use crate::common::{HANG_GUARD, spawn_looper, wait_until};

#[test]
fn readable_fd_calls_listener_on_looper_thread() {
    let (l, j) = spawn_looper();
    let (a, b) = UnixStream::pair().unwrap();
    let (tx, rx) = mpsc::channel();
    let reader = Arc::new(Mutex::new(b));
    let rd = reader.clone();
    let l2 = l.clone();
    l.queue()
        .add_fd_listener(&*reader.lock().unwrap(), FdEvents::INPUT, move |_fd, ev| {
            let mut buf = [0u8; 16];
            let n = rd.lock().unwrap().read(&mut buf).unwrap();
            tx.send((ev, buf[..n].to_vec(), l2.is_current_thread()))
                .unwrap();
            if buf[..n].contains(&b'!') {
                FdEvents::NONE // unregister
            } else {
                FdEvents::INPUT
            }
        })
        .unwrap();
    (&a).write_all(b"hi").unwrap();
    let (ev, data, on_looper) = rx.recv_timeout(HANG_GUARD).unwrap();
    assert!(ev.contains(FdEvents::INPUT));
    assert_eq!(data, b"hi");
    assert!(on_looper);
    // Messages still flow while the looper blocks in epoll.
    let (mtx, mrx) = mpsc::channel();
    let h = Handler::with_handle_message(&l, move |m| mtx.send(m.what).unwrap());
    let q = l.queue().clone();
    wait_until(|| q.is_polling());
    h.send_empty_message(7);
    assert_eq!(mrx.recv_timeout(HANG_GUARD).unwrap(), 7);
    h.send_empty_message_delayed(8, 5);
    assert_eq!(mrx.recv_timeout(HANG_GUARD).unwrap(), 8);
    (&a).write_all(b"bye!").unwrap();
    let (_, data, _) = rx.recv_timeout(HANG_GUARD).unwrap();
    assert_eq!(data, b"bye!");
    // Unregistered by returning NONE.
    wait_until(|| !l.queue().remove_fd_listener(&*reader.lock().unwrap()));
    l.quit().unwrap();
    j.join().unwrap();
}

#[test]
fn remove_fd_listener() {
    let (l, j) = spawn_looper();
    let (a, b) = UnixStream::pair().unwrap();
    assert!(!l.queue().remove_fd_listener(&b));
    l.queue()
        .add_fd_listener(&b, FdEvents::INPUT, |_, _| panic!("never readable"))
        .unwrap();
    assert!(l.queue().remove_fd_listener(&b));
    assert!(!l.queue().remove_fd_listener(&b));
    drop(a);
    l.quit().unwrap();
    j.join().unwrap();
}

#[test]
fn timed_waits_in_epoll_are_never_early_and_all_deliver() {
    // With a descriptor watched the looper waits in epoll_wait, its timed
    // waits ended by a timerfd at sub-millisecond times.
    let (l, j) = spawn_looper();
    let (a, _b) = UnixStream::pair().unwrap();
    l.queue()
        .add_fd_listener(&a, FdEvents::INPUT, |_, e| e)
        .unwrap();
    let got = Arc::new(Mutex::new(Vec::new()));
    let g = got.clone();
    let l2 = l.clone();
    let h = Handler::with_handle_message(&l, move |m| {
        g.lock().unwrap().push((m.what, m.when(), l2.now()));
    });
    for i in 0..40 {
        h.send_empty_message_delayed(i, std::time::Duration::from_micros(150 * (40 - i as u64)));
    }
    wait_until(|| got.lock().unwrap().len() == 40);
    for (what, when, now) in got.lock().unwrap().iter() {
        assert!(now >= when, "message {what} delivered before its time");
    }
    l.quit().unwrap();
    j.join().unwrap();
}
