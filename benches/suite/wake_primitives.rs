//! Which primitive wakes a halted vCPU fastest? No runtime involved: one
//! thread pinned to core 0 blocks, another pinned to core 1 wakes it as
//! soon as it has announced it is about to block, waits for its ack, and
//! repeats; the figure is wall time per wake. The same lock-step as
//! `remote_wake_pinned`, so the rows show the floor under that row:
//!
//! * futex: `thread::park` / `Thread::unpark` (one futex wait, one wake);
//! * mutex + condvar: a flag under a `Mutex`, a `Condvar` (coop's `Parker`);
//! * eventfd + epoll_wait: `mio::Waker` in a `mio::Poll` (tokio's and
//!   coop's park while sockets are registered).
//!
//! Runs only under `--runtime coop` (its rows are runtime-free; the other
//! runtimes print nothing).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::remote::{pin_to, spin_until};
use crate::rt::Rt;
use crate::Row;

pub const ROUNDS: u64 = 50_000;

#[derive(Default)]
struct Steps {
    armed: AtomicU64,
    ack: AtomicU64,
}

/// Runs the lock-step with `wait` on this thread (pinned to core 0) and
/// `wake` on another (core 1); returns the time per wake.
fn lock_step(mut wait: impl FnMut(), wake: impl Fn() + Send + 'static) -> Duration {
    assert!(pin_to(0), "wake_primitives needs two cores to pin to");
    let steps = Arc::new(Steps::default());
    let theirs = steps.clone();
    let waker = std::thread::spawn(move || {
        assert!(pin_to(1), "wake_primitives needs two cores to pin to");
        for round in 1..=ROUNDS {
            spin_until(&theirs.armed, round);
            wake();
            spin_until(&theirs.ack, round);
        }
    });
    let start = Instant::now();
    for round in 1..=ROUNDS {
        steps.armed.store(round, Ordering::SeqCst);
        wait();
        steps.ack.store(round, Ordering::SeqCst);
    }
    let took = start.elapsed();
    waker.join().unwrap();
    took / ROUNDS as u32
}

fn futex() -> Duration {
    let woken = Arc::new(AtomicBool::new(false));
    let me = std::thread::current();
    let theirs = woken.clone();
    lock_step(
        move || {
            while !woken.swap(false, Ordering::SeqCst) {
                std::thread::park();
            }
        },
        move || {
            theirs.store(true, Ordering::SeqCst);
            me.unpark();
        },
    )
}

fn condvar() -> Duration {
    let pair = Arc::new((Mutex::new(false), Condvar::new()));
    let theirs = pair.clone();
    lock_step(
        move || {
            let mut woken = pair.0.lock().unwrap();
            while !*woken {
                woken = pair.1.wait(woken).unwrap();
            }
            *woken = false;
        },
        move || {
            *theirs.0.lock().unwrap() = true;
            theirs.1.notify_one();
        },
    )
}

fn eventfd() -> Duration {
    let mut poll = mio::Poll::new().expect("poll");
    let waker = mio::Waker::new(poll.registry(), mio::Token(0)).expect("waker");
    let mut events = mio::Events::with_capacity(8);
    lock_step(
        move || loop {
            poll.poll(&mut events, None).expect("epoll_wait");
            if !events.is_empty() {
                break;
            }
        },
        move || waker.wake().expect("eventfd write"),
    )
}

pub fn wake_primitives<R: Rt>() -> Vec<Row> {
    if R::NAME != "coop" {
        return Vec::new();
    }
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    vec![
        Row::us(
            "wake primitive, pinned: futex park/unpark (µs per wake)",
            us(futex()),
        ),
        Row::us(
            "wake primitive, pinned: mutex + condvar (µs per wake)",
            us(condvar()),
        ),
        Row::us(
            "wake primitive, pinned: eventfd + epoll_wait (µs per wake)",
            us(eventfd()),
        ),
    ]
}
