//! Message and its pool (cf. CTS `MessageTest`).

use looper::{MAX_POOL_SIZE, Message, Runnable, Token, Uptime};

#[test]
fn fields_and_payload() {
    let mut m = Message::obtain_args(1, 2, 3);
    assert_eq!((m.what, m.arg1, m.arg2), (1, 2, 3));
    assert!(m.obj.is_none() && m.target().is_none() && m.callback().is_none());
    assert_eq!(m.when(), Uptime::ZERO);
    m.obj = Some(Box::new(42u32));
    assert_eq!(m.obj_ref::<u32>(), Some(&42));
    assert_eq!(
        m.take_obj::<String>(),
        None,
        "wrong type leaves the payload"
    );
    assert_eq!(m.take_obj::<u32>(), Some(42));
    assert!(m.obj.is_none());
    let t = Token::new();
    m.token = Some(t);
    assert_ne!(Token::new(), t);
    let s = format!("{m:?}");
    assert!(s.contains("what: 1"), "{s}");
    m.recycle();
}

#[test]
fn recycled_messages_come_back_cleared() {
    let mut m = Message::obtain_obj(9, "payload");
    m.arg1 = 5;
    m.set_asynchronous(true);
    m.recycle();
    // Whatever comes out of the pool is cleared (other tests share the pool).
    for _ in 0..MAX_POOL_SIZE + 5 {
        let m = Message::obtain();
        assert_eq!((m.what, m.arg1, m.arg2), (0, 0, 0));
        assert!(m.obj.is_none() && m.token.is_none() && !m.is_asynchronous());
        drop(m);
    }
}

#[test]
fn pool_keeps_at_most_max() {
    let msgs: Vec<Message> = (0..2 * MAX_POOL_SIZE).map(|_| Message::obtain()).collect();
    for m in msgs {
        m.recycle();
    }
    assert!(Message::pool_size() <= MAX_POOL_SIZE);
}

#[test]
fn runnable_identity() {
    let a = Runnable::new(|| {});
    let b = Runnable::new(|| {});
    assert_eq!(a, a.clone());
    assert_ne!(a, b);
    assert!(a.to_string().starts_with("Runnable@"));
}
