//! The seed's `LooperThread`: a thread that prepares a looper, makes a
//! handler and loops; a second thread posts to it plain, delayed and
//! front-of-queue messages and a task, and the looper prints the order in
//! which they are dispatched.
//!
//! Run with `cargo run -p looper --example looper_thread`.

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use looper::{Handler, Looper, Message, Runnable, uptime_millis};

const SLOW: i32 = 1;
const QUIT: i32 = 99;

/// cf. the seed's `class LooperThread extends Thread { public Handler mHandler; ... }`.
struct LooperThread {
    handler: Handler,
    thread: thread::JoinHandle<()>,
}

impl LooperThread {
    fn start() -> LooperThread {
        let (tx, rx) = mpsc::channel();
        let thread = thread::Builder::new()
            .name("LooperThread".into())
            .spawn(move || {
                // Looper.prepare(); new Handler() { handleMessage(...) }; Looper.loop();
                let looper = Looper::prepare().expect("a fresh thread has no looper");
                let start = uptime_millis();
                let handler = Handler::builder(&looper)
                    .name("LooperThread.Handler")
                    .handle_message(move |msg: &mut Message| {
                        let label = msg.obj_ref::<&str>().copied().unwrap_or("");
                        println!(
                            "  +{:>3} ms  what={:<2} {label}",
                            uptime_millis() - start,
                            msg.what
                        );
                        match msg.what {
                            // Keep the looper busy so that everything the other
                            // thread sends is queued before the next dispatch.
                            SLOW => thread::sleep(Duration::from_millis(50)),
                            QUIT => Looper::my_looper()
                                .expect("on the looper thread")
                                .quit()
                                .expect("not the main looper"),
                            _ => {}
                        }
                    })
                    .build();
                tx.send(handler).expect("main thread waits");
                Looper::run().expect("prepared above");
            })
            .expect("spawn");
        let handler = rx.recv().expect("the looper thread sends its handler");
        LooperThread { handler, thread }
    }
}

fn main() {
    let lt = LooperThread::start();
    let poster = {
        let h = lt.handler.clone();
        thread::spawn(move || {
            h.send_message(h.obtain_message_obj(SLOW, "slow: keeps the looper busy 50 ms"));
            thread::sleep(Duration::from_millis(10)); // the looper is now inside SLOW
            h.send_message(h.obtain_message_obj(2, "plain send #1"));
            h.send_message(h.obtain_message_obj(3, "plain send #2"));
            h.send_message_delayed(h.obtain_message_obj(4, "delayed 100 ms"), 100);
            h.send_message_delayed(h.obtain_message_obj(5, "delayed 80 ms"), 80);
            h.send_message_at_front_of_queue(h.obtain_message_obj(6, "front of queue #1"));
            h.send_message_at_front_of_queue(h.obtain_message_obj(7, "front of queue #2 (LIFO)"));
            h.post(&Runnable::new(|| {
                println!("  (posted task: runs as what=0, in send order)")
            }));
            h.send_message_delayed(h.obtain_message_obj(QUIT, "quit"), 150);
        })
    };
    println!("dispatch order on LooperThread:");
    poster.join().expect("poster");
    lt.thread.join().expect("looper thread");
    println!("expected: 1, then 7 6 (front, LIFO), 2 3 and the task (FIFO), 5 4 (by time), 99");
}
