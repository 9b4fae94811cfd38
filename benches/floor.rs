//! The floor under `ping_pong`: what one baton pass costs when a loop does
//! nothing but the state-word operations every waker-based executor with
//! `Send` wakers does (coop and tokio alike), the same loop with those
//! operations made plain, and the atomic loop plus one coarse clock read per
//! pass (what coop's slow-poll warning adds to each poll).
//!
//! ```text
//!   one pass (task A holds the baton, B waits):
//!     pop A from the run queue
//!     A: idle → running          compare-and-swap on A's state word   (locked)
//!     A passes: wake B by value  compare-and-swap on B's state word   (locked)
//!                                 push B on the run queue
//!     A waits: store a waker      clone = fetch_add on A's count       (locked)
//!     A: running → idle          compare-and-swap on A's state word   (locked)
//! ```
//!
//! Four locked read-modify-writes per pass, none of which a loop can skip
//! while wakers may be sent to, cloned on and dropped by other threads: the
//! state word is shared with them. `cargo bench --bench floor` prints
//! nanoseconds per pass for the atomic loop and for the plain one; their
//! difference is what the four locked operations cost on this machine.

use std::cell::Cell;
use std::collections::VecDeque;
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

const PASSES: usize = 20_000_000;
const SCHEDULED: usize = 1;
const RUNNING: usize = 2;
const REF_ONE: usize = 64;

/// A state word: the executor's operations on it, atomic or plain.
trait Word: Default {
    fn cas(&self, f: impl Fn(usize) -> usize);
    fn add(&self, n: usize);
}

#[derive(Default)]
struct Atomic(AtomicUsize);

impl Word for Atomic {
    #[inline(always)]
    fn cas(&self, f: impl Fn(usize) -> usize) {
        let mut current = self.0.load(Ordering::Acquire);
        while let Err(actual) =
            self.0
                .compare_exchange_weak(current, f(current), Ordering::AcqRel, Ordering::Acquire)
        {
            current = actual;
        }
    }
    #[inline(always)]
    fn add(&self, n: usize) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }
}

#[derive(Default)]
struct Plain(Cell<usize>);

impl Word for Plain {
    #[inline(always)]
    fn cas(&self, f: impl Fn(usize) -> usize) {
        self.0.set(f(self.0.get()));
    }
    #[inline(always)]
    fn add(&self, n: usize) {
        self.0.set(self.0.get() + n);
    }
}

/// Ping-pong between two tasks; returns nanoseconds per pass. With
/// `clock`, each pass also reads `CLOCK_MONOTONIC_COARSE`, as coop's loop
/// does once per poll for the slow-poll warning.
fn run<W: Word>(clock: bool) -> f64 {
    let states = [W::default(), W::default()];
    let mut queue: VecDeque<usize> = VecDeque::with_capacity(16);
    let turn = Cell::new(0usize);
    queue.push_back(0);
    let start = Instant::now();
    for _ in 0..PASSES {
        let me = queue.pop_front().expect("one task is always runnable");
        let state = black_box(&states[me]);
        state.cas(|s| (s & !SCHEDULED) | RUNNING);
        // The baton is ours: pass it and wake the other side by value.
        let other = 1 - me;
        turn.set(other);
        black_box(&states[other]).cas(|s| s | SCHEDULED);
        queue.push_back(other);
        // Wait again: the stored waker is a clone.
        state.add(REF_ONE);
        state.cas(|s| s & !RUNNING);
        if clock {
            black_box(rustix::time::clock_gettime(
                rustix::time::ClockId::MonotonicCoarse,
            ));
        }
    }
    black_box(turn.get());
    start.elapsed().as_nanos() as f64 / PASSES as f64
}

fn main() {
    // Warm up, then three of each, interleaved.
    run::<Atomic>(false);
    run::<Plain>(false);
    for _ in 0..3 {
        let atomic = run::<Atomic>(false);
        let plain = run::<Plain>(false);
        let clocked = run::<Atomic>(true);
        println!(
            "ns per pass: 4 locked operations {atomic:.1}, plain {plain:.1} \
             (difference {:.1}); locked + a coarse clock read {clocked:.1}",
            atomic - plain
        );
    }
}
