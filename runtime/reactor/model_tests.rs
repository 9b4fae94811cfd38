//! The readiness rule (`reactor/mod.rs`) checked against a model of the
//! kernel, with proptest: random sequences of arrivals (plain, urgent,
//! with file descriptors), peer reads, errors and hang-ups, reactor turns,
//! polls of several waiting tasks (the stream's reader and writer slots
//! and `async fn`s in the waiter list), reads that hit `WouldBlock` or come
//! back short, and dropped operations.
//!
//! ```text
//!   Kernel (the model)        epoll (edge-triggered)     ScheduledIo (the code)
//!   data, mark, space, err ──► edge pending ──turn──► set_readiness(tick, bits)
//!        ▲                                                  │ wakes
//!        └──── read / write / WouldBlock ◄── task poll ◄─────┘
//! ```
//!
//! After every quiescent point (all edges collected, every woken task run)
//! the property is: **no task is parked while its operation could make
//! progress** (a read waiter with data, an error or EOF waiting for it; a
//! write waiter with buffer space or an error). And quiescence must come:
//! a task woken again and again without progress (the spin of a stale
//! error bit) fails too.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use proptest::prelude::*;

use super::scheduled_io::{bits_of, Direction, MioEvent, ScheduledIo};
use super::waiters::WaiterKey;

/// The kernel's side of one connected stream socket.
#[derive(Debug, Default)]
struct Kernel {
    /// Bytes a read can return before it stops.
    data: usize,
    /// A point where a read stops early (an urgent mark, or a message that
    /// carried file descriptors), and the bytes queued behind it.
    stop: Option<(bool, usize)>,
    /// Free space in the send buffer.
    space: usize,
    error: bool,
    hup: bool,
    edge: bool,
}

impl Kernel {
    fn readable(&self) -> bool {
        self.data > 0 || self.stop.is_some_and(|(_, after)| after > 0) || self.error || self.hup
    }

    fn writable(&self) -> bool {
        self.space > 0 || self.error || self.hup
    }

    /// The event epoll reports when it collects an edge: the current
    /// state, mapped to flags the way mio does it (`EPOLLERR` with
    /// `EPOLLOUT` is also "write closed").
    fn event(&self) -> Option<MioEvent> {
        let (readable, writable) = (self.data > 0 || self.stop.is_some(), self.space > 0);
        let priority = self.stop.is_some_and(|(urgent, _)| urgent);
        let event = MioEvent {
            readable: readable || priority,
            writable,
            read_closed: self.hup,
            write_closed: self.hup || (writable && self.error),
            error: self.error,
            priority,
        };
        (readable || writable || priority || self.error || self.hup).then_some(event)
    }

    /// One `read(2)` into a buffer of `len` bytes: `Ok(n)`, or `Err(())`
    /// for `WouldBlock`; an error or EOF ends the operation (`Ok(0)`).
    fn read(&mut self, len: usize) -> Result<usize, ()> {
        if self.error {
            self.error = false;
            return Ok(0);
        }
        if self.data == 0 {
            if let Some((_, after)) = self.stop.take() {
                // At the mark: the read goes on past it.
                self.data = after;
            }
        }
        if self.data > 0 {
            let n = self.data.min(len);
            self.data -= n;
            return Ok(n);
        }
        if self.hup {
            return Ok(0);
        }
        Err(())
    }

    fn write(&mut self, len: usize) -> Result<usize, ()> {
        if self.error {
            self.error = false;
            return Ok(0);
        }
        if self.hup {
            return Ok(0);
        }
        if self.space == 0 {
            return Err(());
        }
        let n = self.space.min(len);
        self.space -= n;
        Ok(n)
    }
}

#[derive(Default)]
struct Flag(AtomicBool);

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// One task doing one operation after another on the socket.
struct Task {
    direction: Direction,
    /// `None`: the stream's slot (`poll_read`/`poll_write`); else a list
    /// entry of an `async fn`, alive while the operation is.
    listed: bool,
    key: WaiterKey,
    parked: bool,
    flag: Arc<Flag>,
    waker: Waker,
}

impl Task {
    fn new(direction: Direction, listed: bool) -> Task {
        let flag = Arc::new(Flag::default());
        Task {
            direction,
            listed,
            key: WaiterKey::default(),
            parked: false,
            waker: Waker::from(flag.clone()),
            flag,
        }
    }
}

#[derive(Clone, Debug)]
enum Step {
    Arrive(usize),
    ArriveUrgent(usize),
    ArriveWithFds(usize),
    PeerReads(usize),
    Error,
    Hangup,
    Turn,
    Poll(usize),
    Drop(usize),
    Quiesce,
}

/// The steps for a TCP stream (`unix` false: urgent data, no descriptors)
/// or a Unix stream (both).
fn step(unix: bool) -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (1..64usize).prop_map(Step::Arrive),
        1 => (1..64usize).prop_map(Step::ArriveUrgent),
        1 => (1..64usize).prop_map(move |n| if unix { Step::ArriveWithFds(n) } else { Step::Arrive(n) }),
        2 => (1..64usize).prop_map(Step::PeerReads),
        1 => Just(Step::Error),
        1 => Just(Step::Hangup),
        3 => Just(Step::Turn),
        4 => (0..TASKS).prop_map(Step::Poll),
        1 => (0..TASKS).prop_map(Step::Drop),
        1 => Just(Step::Quiesce),
    ]
}

const TASKS: usize = 6;
/// A generous bound on the rounds of one quiescence: past it, tasks are
/// woken again and again without progress.
const SPIN: usize = 64;

struct Model {
    kernel: Kernel,
    io: ScheduledIo,
    tick: usize,
    tasks: Vec<Task>,
    /// Whether a short read may clear readiness (TCP: yes; Unix: no).
    short_read_drains: bool,
    buf: usize,
}

impl Model {
    fn turn(&mut self) {
        if std::mem::take(&mut self.kernel.edge) {
            if let Some(event) = self.kernel.event() {
                self.tick += 1;
                self.io.set_readiness(self.tick, bits_of(event));
            }
        }
    }

    /// One poll of task `i`, as `Registration::poll_io_drain` does it. A
    /// task that completes an operation with progress starts the next one
    /// at once (a read loop, a send loop); one that got EOF or an error
    /// stops until polled again.
    fn poll(&mut self, i: usize) -> Result<(), TestCaseError> {
        let task = &mut self.tasks[i];
        task.flag.0.store(false, Ordering::SeqCst);
        let mut cx = Context::from_waker(&task.waker);
        let mut would_block = 0;
        loop {
            let key = task.listed.then_some(&mut task.key);
            let Poll::Ready(event) = self.io.poll_ready(&mut cx, task.direction, key) else {
                task.parked = true;
                return Ok(());
            };
            let result = match task.direction {
                Direction::Read => self.kernel.read(self.buf),
                Direction::Write => self.kernel.write(self.buf),
            };
            match result {
                Err(()) => {
                    // Twice in one poll: the clear did not take, so the
                    // task would spin until its budget ran out.
                    would_block += 1;
                    prop_assert!(would_block < 2, "task {i} spins on stale readiness");
                    self.io.clear_readiness(event);
                }
                Ok(n) => {
                    let stream_read = !task.listed && task.direction == Direction::Read;
                    if stream_read && self.short_read_drains && 0 < n && n < self.buf {
                        self.io.clear_drained(event);
                    }
                    // Done: the operation's future (and its entry) goes.
                    task.parked = false;
                    self.io.remove_waiter(&mut task.key);
                    if n == 0 {
                        return Ok(());
                    }
                    would_block = 0;
                }
            }
        }
    }

    fn drop_op(&mut self, i: usize) {
        let task = &mut self.tasks[i];
        task.parked = false;
        self.io.remove_waiter(&mut task.key);
    }

    /// Collects every edge and runs every woken task until nothing moves,
    /// then checks that no parked task could make progress.
    fn quiesce(&mut self) -> Result<(), TestCaseError> {
        for _ in 0..SPIN {
            self.turn();
            let woken: Vec<usize> = (0..self.tasks.len())
                .filter(|&i| self.tasks[i].parked && self.tasks[i].flag.0.load(Ordering::SeqCst))
                .collect();
            if woken.is_empty() {
                for (i, task) in self.tasks.iter().enumerate() {
                    let could = match task.direction {
                        Direction::Read => self.kernel.readable(),
                        Direction::Write => self.kernel.writable(),
                    };
                    prop_assert!(
                        !(task.parked && could),
                        "task {i} ({:?}, listed: {}) sleeps though {:?} lets it go on",
                        task.direction,
                        task.listed,
                        self.kernel
                    );
                }
                return Ok(());
            }
            for i in woken {
                self.poll(i)?;
            }
        }
        Err(TestCaseError::fail(
            "no quiescence: tasks keep being woken without progress",
        ))
    }

    fn apply(&mut self, step: &Step) -> Result<(), TestCaseError> {
        let k = &mut self.kernel;
        match *step {
            Step::Arrive(n) => match &mut k.stop {
                Some((_, after)) => *after += n,
                None => k.data += n,
            },
            Step::ArriveUrgent(n) | Step::ArriveWithFds(n) if k.stop.is_none() => {
                k.stop = Some((matches!(step, Step::ArriveUrgent(_)), n));
            }
            Step::ArriveUrgent(n) | Step::ArriveWithFds(n) => {
                if let Some((_, after)) = &mut k.stop {
                    *after += n;
                }
            }
            Step::PeerReads(n) => k.space += n,
            Step::Error => k.error = true,
            Step::Hangup => k.hup = true,
            Step::Turn => {
                self.turn();
                return Ok(());
            }
            Step::Poll(i) => return self.poll(i),
            Step::Drop(i) => {
                self.drop_op(i);
                return Ok(());
            }
            Step::Quiesce => return self.quiesce(),
        }
        k.edge = true;
        Ok(())
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn no_waiter_sleeps_through_readiness_that_arrived(
        (unix, steps) in any::<bool>().prop_flat_map(|unix| {
            (Just(unix), proptest::collection::vec(step(unix), 1..80))
        }),
        directions in proptest::collection::vec(any::<bool>(), TASKS - 2),
        buf in 1..48usize,
    ) {
        // As in `net/`: only a TCP stream's short read may clear.
        let short_read_drains = !unix;
        // Task 0 and 1: a stream's reader and writer slots; the rest wait
        // in the list (accept, recv, send_to ...), in random directions.
        let mut tasks = vec![Task::new(Direction::Read, false), Task::new(Direction::Write, false)];
        for &read in &directions {
            tasks.push(Task::new(if read { Direction::Read } else { Direction::Write }, true));
        }
        let mut model = Model {
            // A new socket has room to send: epoll reports that at once.
            kernel: Kernel { space: 16, edge: true, ..Kernel::default() },
            io: ScheduledIo::new(1),
            tick: 0,
            tasks,
            short_read_drains,
            buf,
        };
        // Everyone starts waiting.
        for i in 0..TASKS {
            model.poll(i)?;
        }
        for step in &steps {
            model.apply(step)?;
        }
        model.quiesce()?;
    }
}

/// The case the property test found (2026-12-03): a reset (error and
/// hang-up together) while a stream writer waits. A listed writer takes
/// the error, the reader's short read then clears the ERROR bit, and the
/// stream's writer must still see the socket as closed for writing.
#[test]
fn writer_sees_a_reset_after_others_took_the_error() {
    let mut tasks = vec![
        Task::new(Direction::Read, false),
        Task::new(Direction::Write, false),
    ];
    tasks.extend((0..TASKS - 2).map(|_| Task::new(Direction::Write, true)));
    let mut model = Model {
        kernel: Kernel {
            space: 16,
            edge: true,
            ..Kernel::default()
        },
        io: ScheduledIo::new(1),
        tick: 0,
        tasks,
        short_read_drains: true,
        buf: 2,
    };
    for i in 0..TASKS {
        model.poll(i).unwrap();
    }
    let steps = [
        Step::Quiesce,
        Step::Error,
        Step::Hangup,
        Step::Arrive(1),
        Step::Turn,
        Step::Poll(2),
    ];
    for step in &steps {
        model.apply(step).unwrap();
    }
    model.quiesce().unwrap();
    assert!(
        !model.tasks[1].parked,
        "the stream's writer sleeps on a reset socket"
    );
}

/// How epoll's flags become readiness bits: an error alone (a connected
/// UDP socket's ICMP error, which mio also calls "write closed") is
/// clearable; an error with both sides closed (a reset) keeps "write
/// closed", which is final.
#[test]
fn an_error_is_write_closed_only_when_the_connection_is_gone() {
    let udp_error = MioEvent {
        writable: true,
        write_closed: true,
        error: true,
        ..MioEvent::default()
    };
    let reset = MioEvent {
        readable: true,
        writable: true,
        read_closed: true,
        write_closed: true,
        error: true,
        priority: false,
    };
    let hangup = MioEvent {
        read_closed: true,
        write_closed: true,
        ..MioEvent::default()
    };
    // Still ready to write after the write that met the error cleared it?
    let write_closed = |bits| {
        let io = ScheduledIo::new(1);
        io.set_readiness(1, bits);
        let flag = Arc::new(Flag::default());
        let waker = Waker::from(flag);
        let mut cx = Context::from_waker(&waker);
        let Poll::Ready(event) = io.poll_ready(&mut cx, Direction::Write, None) else {
            panic!("the event ends the write wait");
        };
        io.clear_readiness(event);
        io.poll_ready(&mut cx, Direction::Write, None).is_ready()
    };
    assert!(!write_closed(bits_of(udp_error)));
    assert!(write_closed(bits_of(reset)));
    assert!(write_closed(bits_of(hangup)));
}
