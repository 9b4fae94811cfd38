//! Loom models of one socket's readiness state (`scheduled_io.rs`,
//! `waiters.rs`) and of the slab of sources (`sources.rs`) touched by two
//! threads: the reactor reporting readiness while a task on another thread
//! registers its waker, clears what it saw, or drops the socket (sockets
//! are `Send`), and a slot freed there and reused.
//!
//! ```text
//!   reactor thread                         task thread
//!   set_readiness(tick, bits) ──┐    ┌── poll_ready: look, store waker, look again
//!     CAS the readiness word    ├─◄──┤   clear_readiness(event seen)  (WouldBlock)
//!     take wakers (lock), wake  │    └── remove_waiter, release the slot, drop
//! ```
//!
//! The property in every model is the reactor's rule (`reactor/mod.rs`):
//! **no readiness is lost**. A task that got `Pending` is woken (loom
//! explores every interleaving, so a wake that can slip between the look
//! and the store is found); readiness a stale clear could erase survives;
//! a socket dropped mid-dispatch frees its waiters' wakers, once; and a
//! reused slot hears nothing meant for the socket that had it before.
//!
//! Each model names the mutations of the code it was checked against: the
//! mutation was applied, the model failed, and the mutation was reverted
//! (run: `RUSTFLAGS="--cfg loom -C debug-assertions" LOOM_MAX_PREEMPTIONS=2
//! cargo test --release --lib --target-dir target/loom reactor`).
//!
//! The mio half (`driver.rs`: `turn`, `register`, `deregister`) is not
//! built under loom; the models use the slab it keeps behind its lock
//! (`sources.rs`) as it does: `turn` looks a token up and clones the record
//! under the lock and reports readiness outside it (`dispatch` here);
//! `release` frees a slot under the lock.

use std::task::{Context, Poll, Wake, Waker};

use loom::thread;

use super::scheduled_io::{bits_of, Direction, MioEvent, ReadyEvent, ScheduledIo};
use super::sources::{Sources, KEY_MASK};
use super::waiters::WaiterKey;
use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use crate::loom::sync::{Arc, Mutex, WakeArc};

/// A task as its waker sees it: how often it was woken, and (model 4) the
/// socket its future owns, which a waker run inline may look at.
#[derive(Default)]
struct Task {
    woken: AtomicUsize,
    owns: Mutex<Option<Arc<ScheduledIo>>>,
    /// Counts the task's free (its last waker dropped).
    freed: Option<Arc<AtomicUsize>>,
}

impl Wake for Task {
    fn wake(self: WakeArc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &WakeArc<Self>) {
        self.woken.fetch_add(1, Ordering::SeqCst);
        // "A waker may do anything, including poll" (`set_readiness`): one
        // that runs its task inline looks at the socket, which locks its
        // waiters. A wake under that lock would deadlock here.
        if let Some(io) = self.owns.lock().as_ref() {
            io.for_each_waiter(|_, _| {});
        }
    }
}

impl Drop for Task {
    fn drop(&mut self) {
        if let Some(freed) = &self.freed {
            freed.fetch_add(1, Ordering::SeqCst);
        }
    }
}

impl Task {
    fn woken(&self) -> usize {
        self.woken.load(Ordering::SeqCst)
    }
}

/// `task` polls `io` for `direction` once, in the direction's slot
/// (`key` is `None`) or in its list entry.
fn poll(
    io: &ScheduledIo,
    task: &WakeArc<Task>,
    direction: Direction,
    key: Option<&mut WaiterKey>,
) -> Poll<ReadyEvent> {
    let waker = Waker::from(task.clone());
    io.poll_ready(&mut Context::from_waker(&waker), direction, key)
}

/// Runs `f` on a new model thread with its own handle on the socket (the
/// reactor's thread, or another task's).
fn on_another_thread<R: 'static>(
    io: &Arc<ScheduledIo>,
    f: impl FnOnce(&ScheduledIo) -> R + 'static,
) -> thread::JoinHandle<R> {
    let io = io.clone();
    thread::spawn(move || f(&io))
}

/// A reactor's slab (as `IoHandle` keeps it, behind a lock) with one
/// socket registered.
fn slab_with_one_socket() -> (Arc<Mutex<Sources>>, Arc<ScheduledIo>) {
    let mut sources = Sources::new();
    let io = sources.insert().unwrap();
    (Arc::new(Mutex::new(sources)), io)
}

/// The reactor's thread in `turn`, with an event for `token` from
/// `epoll_wait`: looks the source up under the slab's lock (`Sources::get`,
/// which skips a stale token) and reports readiness outside it.
fn dispatch(sources: &Arc<Mutex<Sources>>, token: usize) -> thread::JoinHandle<()> {
    let sources = sources.clone();
    thread::spawn(move || {
        let found = sources.lock().get(token).cloned();
        if let Some(io) = found {
            io.set_readiness(1, readable());
        }
    })
}

fn readable() -> usize {
    bits_of(MioEvent {
        readable: true,
        ..MioEvent::default()
    })
}

/// 1. The reactor reports readiness (a new tick) while a task on another
///    thread stores its waker and looks again: the task sees the readiness
///    or is woken. Both kinds of waiter: the stream's slot and a list entry.
///
/// Mutations caught: `poll_ready` returns `Pending` after storing the
/// waker without the second look; `poll_ready` looks again *before*
/// storing the waker (the report lands in between and finds no waker).
fn no_lost_wake_up(list: bool) {
    loom::model(move || {
        let io = Arc::new(ScheduledIo::new(0));
        let reactor = on_another_thread(&io, |io| io.set_readiness(1, readable()));
        let task = WakeArc::new(Task::default());
        let mut key = WaiterKey::default();
        let polled = poll(&io, &task, Direction::Read, list.then_some(&mut key));
        reactor.join().unwrap();
        if polled.is_pending() {
            assert_eq!(task.woken(), 1, "readiness arrived and the waiter slept");
        }
        if list {
            io.remove_waiter(&mut key);
        }
    });
}

#[test]
fn readiness_reported_while_a_task_stores_its_waker_is_seen_or_wakes_it() {
    no_lost_wake_up(false);
}

#[test]
fn readiness_reported_while_a_list_waiter_registers_is_seen_or_wakes_it() {
    no_lost_wake_up(true);
}

/// 2. A stale clear: the task acted on the report of tick 1, hit
///    `WouldBlock`, and clears with tick 1 while the reactor records a
///    newer report (tick 2). The newer readiness survives, and the task,
///    polling again after its clear, sees it or is woken.
///
/// Mutations caught: `clear` ignores the tick (clears whenever the bits
/// are there); `set_readiness` keeps the old tick instead of stamping the
/// new one.
#[test]
fn a_clear_with_a_stale_tick_leaves_a_newer_report_alone() {
    loom::model(|| {
        let io = Arc::new(ScheduledIo::new(0));
        io.set_readiness(1, readable());
        let task = WakeArc::new(Task::default());
        let Poll::Ready(seen) = poll(&io, &task, Direction::Read, None) else {
            panic!("tick 1's report is there");
        };
        let reactor = on_another_thread(&io, |io| io.set_readiness(2, readable()));
        io.clear_readiness(seen);
        let again = poll(&io, &task, Direction::Read, None);
        reactor.join().unwrap();
        if again.is_pending() {
            assert_eq!(task.woken(), 1, "tick 2's report neither seen nor woken");
        }
        // Nothing read tick 2's data yet: it must still be there.
        let after = poll(&io, &task, Direction::Read, None);
        assert!(after.is_ready(), "the stale clear erased a newer report");
    });
}

/// 3. Two tasks on two threads wait on one socket in one direction (two
///    `accept`s on one listener: list entries); one report wakes both.
///
/// Mutation caught: `take_batch` takes only the first waiter of the
/// direction (the report wakes one, the other sleeps with readiness
/// there).
#[test]
fn one_report_wakes_both_waiters_of_a_direction() {
    loom::model(|| {
        let io = Arc::new(ScheduledIo::new(0));
        let other = on_another_thread(&io, |io| {
            let task = WakeArc::new(Task::default());
            let mut key = WaiterKey::default();
            let polled = poll(io, &task, Direction::Read, Some(&mut key));
            (polled.is_pending(), task, key)
        });
        let task = WakeArc::new(Task::default());
        let mut key = WaiterKey::default();
        let polled = poll(&io, &task, Direction::Read, Some(&mut key));
        io.set_readiness(1, readable());
        let (other_pending, other_task, mut other_key) = other.join().unwrap();
        if polled.is_pending() {
            assert_eq!(task.woken(), 1, "this waiter slept through the report");
        }
        if other_pending {
            assert_eq!(
                other_task.woken(),
                1,
                "the other waiter slept through the report"
            );
        }
        io.remove_waiter(&mut key);
        io.remove_waiter(&mut other_key);
    });
}

/// 4. The socket is dropped on its task's thread (the waiting `accept`'s
///    future dropped: `remove_waiter`; the `Registration` dropped: its slot
///    released; the last `Arc`) while the reactor, holding an event for
///    it, looks it up and dispatches a report to it. The waker the reactor
///    takes may still fire (a spurious wake of a task that stopped
///    waiting, which is harmless), at most once; the socket keeps no waker
///    of a future that left; the task and the socket are each freed once
///    (loom reports a leaked `Arc`). The waker looks at the socket when it
///    runs, as a task polled inline would.
///
/// Mutations caught: `remove_waiter` forgets the entry (`key.0.take()`
/// without `Waiters::remove`: the socket keeps a dropped future's waker);
/// `set_readiness` wakes while holding the waiters' lock (the waker's look
/// at the socket deadlocks).
#[test]
fn a_socket_dropped_while_the_reactor_dispatches_to_it_frees_everything_once() {
    loom::model(|| {
        let (sources, io) = slab_with_one_socket();
        let token = io.token;
        // A probe that outlives both threads so the end state can be
        // looked at.
        let probe = io.clone();
        let freed = Arc::new(AtomicUsize::new(0));
        let task = WakeArc::new(Task {
            owns: Mutex::new(Some(io.clone())),
            freed: Some(freed.clone()),
            woken: AtomicUsize::new(0),
        });
        let mut key = WaiterKey::default();
        assert!(poll(&io, &task, Direction::Read, Some(&mut key)).is_pending());
        let reactor = dispatch(&sources, token);
        // The task's thread: the `accept` future, the socket, the task.
        io.remove_waiter(&mut key);
        assert!(sources.lock().release(&io));
        drop(io);
        task.owns.lock().take();
        reactor.join().unwrap();
        assert!(task.woken() <= 1, "one report woke the task twice");
        let mut left = 0;
        probe.for_each_waiter(|_, _| left += 1);
        assert_eq!(left, 0, "the socket kept the waker of a future that left");
        drop(task);
        assert_eq!(freed.load(Ordering::SeqCst), 1, "the task was not freed");
    });
}

/// 5. A reset (error with both sides closed, and no room to write: no
///    `EPOLLOUT`) while a reader takes the error and clears what it saw (the
///    next read hit `WouldBlock`), and a writer waits on the same socket.
///    The writer is woken, and stays woken: a write on a dead socket must
///    never wait for an edge that cannot come. The reader's hang-up stays
///    too.
///
/// Mutations caught: `bits_of` without the reset rule (`write_closed &&
/// !error`: the error alone ends the write wait, and the reader's clear
/// takes it); `clear` clearing every bit it saw, hang-ups included.
#[test]
fn a_writer_on_a_reset_socket_is_woken_and_stays_woken() {
    loom::model(|| {
        let io = Arc::new(ScheduledIo::new(0));
        let reset = bits_of(MioEvent {
            readable: true,
            read_closed: true,
            write_closed: true,
            error: true,
            ..MioEvent::default()
        });
        let reactor = on_another_thread(&io, move |io| io.set_readiness(1, reset));
        let reader = on_another_thread(&io, |io| {
            let task = WakeArc::new(Task::default());
            if let Poll::Ready(event) = poll(io, &task, Direction::Read, None) {
                io.clear_readiness(event);
            }
        });
        let writer = WakeArc::new(Task::default());
        let polled = poll(&io, &writer, Direction::Write, None);
        reactor.join().unwrap();
        reader.join().unwrap();
        if polled.is_pending() {
            assert_eq!(writer.woken(), 1, "the writer slept on a reset socket");
        }
        let Poll::Ready(event) = poll(&io, &writer, Direction::Write, None) else {
            panic!("a write on a reset socket waits again");
        };
        assert!(event.is_write_closed());
        let reader = WakeArc::new(Task::default());
        assert!(
            poll(&io, &reader, Direction::Read, None).is_ready(),
            "the hang-up was cleared"
        );
    });
}

/// 6. The runtime shuts down (`Reactor::drop` calls `wake_all` on every
///    socket) while a task on another thread, which holds a socket of that
///    runtime, waits to write on it and clears what it saw after a
///    `WouldBlock`. The task is woken or sees the report, the report says
///    "shut down" (so `Registration` returns an error instead of waiting
///    again), and the task's clear does not take that away.
///
/// Mutations caught: `wake_all` reports the closed bits without
/// `SHUTDOWN`; `clear` clears every bit it saw.
#[test]
fn a_waiter_on_another_thread_sees_the_runtime_shut_down_for_good() {
    loom::model(|| {
        let io = Arc::new(ScheduledIo::new(0));
        let reactor = on_another_thread(&io, |io| io.wake_all());
        let task = WakeArc::new(Task::default());
        let polled = poll(&io, &task, Direction::Write, None);
        if let Poll::Ready(event) = polled {
            assert!(event.is_shutdown(), "woken, but not told of the shutdown");
            io.clear_readiness(event);
        }
        reactor.join().unwrap();
        if polled.is_pending() {
            assert_eq!(task.woken(), 1, "the shutdown did not wake the waiter");
        }
        let Poll::Ready(event) = poll(&io, &task, Direction::Write, None) else {
            panic!("a socket of a runtime that shut down waits again");
        };
        assert!(event.is_shutdown(), "the shutdown was cleared");
    });
}

/// 7. A socket is dropped on its task's thread and a new one registered
///    there takes its slot, while the reactor dispatches an event for the
///    old one that `epoll_wait` returned before the drop. The new socket
///    is never told of it: its waiter is not woken and no readiness is
///    recorded (it would be a wake-up for data that is not there).
///
/// Mutation caught: `Sources::get` looks at the slab key only (no
/// generation check).
#[test]
fn a_stale_event_never_reaches_the_socket_that_took_its_slot() {
    loom::model(|| {
        let (sources, old) = slab_with_one_socket();
        let stale = old.token;
        let reactor = dispatch(&sources, stale);
        assert!(sources.lock().release(&old));
        drop(old);
        let new = sources.lock().insert().unwrap();
        assert_eq!(new.token & KEY_MASK, stale & KEY_MASK, "the slot is reused");
        let task = WakeArc::new(Task::default());
        let polled = poll(&new, &task, Direction::Read, None);
        reactor.join().unwrap();
        assert!(
            polled.is_pending(),
            "a stale event made the new socket ready"
        );
        assert_eq!(
            task.woken(),
            0,
            "a stale event woke the new socket's waiter"
        );
        assert!(poll(&new, &task, Direction::Read, None).is_pending());
        assert!(sources.lock().release(&new));
    });
}

/// 8. A socket is deregistered and then its `Registration` dropped (two
///    releases) on another thread, while the loop registers a new socket,
///    which may take the freed slot in between. The second release must
///    not free the new socket's slot: it would never hear of readiness
///    again.
///
/// Mutation caught: `Sources::release` frees the key if the slot is
/// occupied, without `Arc::ptr_eq`.
#[test]
fn a_late_release_never_frees_the_slot_of_the_socket_that_took_it() {
    loom::model(|| {
        let (sources, old) = slab_with_one_socket();
        let other = {
            let sources = sources.clone();
            thread::spawn(move || {
                sources.lock().release(&old); // `deregister`
                sources.lock().release(&old); // `Registration`'s drop
            })
        };
        let new = sources.lock().insert().unwrap();
        other.join().unwrap();
        let found = sources.lock().get(new.token).cloned();
        assert!(
            found.is_some_and(|io| Arc::ptr_eq(&io, &new)),
            "a late release freed the new socket's slot"
        );
        assert_eq!(sources.lock().len(), 1);
        assert!(sources.lock().release(&new));
    });
}
