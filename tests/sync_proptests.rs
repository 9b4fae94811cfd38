//! `mpsc` (bounded and unbounded) and `JoinSet` checked against a
//! `VecDeque` model, with proptest (issue 11, "Property tests"): random
//! sends, receives, reserves and joins, with waiting futures dropped at
//! random points.
//!
//! ```text
//!   ops ──► the channel / JoinSet (the code) ──► what each op returns ┐
//!      └──► VecDeque + FIFO line of waiters  ──► what it must return  ┴─ equal?
//! ```
//!
//! Checked at every step: nothing lost, nothing duplicated (every value is
//! unique), FIFO kept, the capacity respected (free slots, queued messages,
//! held permits and slots handed to waiters add up to the capacity), a
//! waiter given a slot was woken, and a dropped waiter gives its slot to
//! the next one in line. The futures are polled by hand with counting
//! wakers, so each step is exact.
//!
//! `PROPTEST_CASES` overrides the case count (256 each).

mod support;

use std::collections::{HashSet, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use coop::sync::mpsc::{self, error::TryRecvError, error::TrySendError, Permit};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(256)
}

/// A waker that records that it was woken.
#[derive(Default)]
struct Flag(AtomicBool);

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::SeqCst);
    }
}

impl Flag {
    /// A fresh flag and its waker.
    fn new() -> (Arc<Flag>, Waker) {
        let flag = Arc::new(Flag::default());
        (flag.clone(), Waker::from(flag))
    }

    fn take(&self) -> bool {
        self.0.swap(false, Ordering::SeqCst)
    }
}

/// Polls `fut` once with `waker`.
fn poll_once<F: Future + ?Sized>(fut: Pin<&mut F>, waker: &Waker) -> Poll<F::Output> {
    fut.poll(&mut Context::from_waker(waker))
}

// ---- bounded mpsc ----------------------------------------------------------

#[derive(Debug, Clone)]
enum ChanOp {
    TrySend,
    /// A `send` future, polled once; pending ones wait in line.
    Send,
    /// A `reserve` future, polled once; pending ones wait in line.
    Reserve,
    /// Polls the waiting send/reserve future chosen by index.
    PollWaiter(usize),
    /// Drops the waiting send/reserve future chosen by index.
    DropWaiter(usize),
    /// Sends through a held permit.
    UsePermit(usize),
    /// Drops a held permit unused.
    DropPermit(usize),
    TryRecv,
    /// `poll_recv`, leaving its waker registered if nothing is there.
    PollRecv,
    /// A `recv` future polled once, then dropped.
    RecvOnceThenDrop,
}

fn chan_op() -> impl Strategy<Value = ChanOp> {
    prop_oneof![
        2 => Just(ChanOp::TrySend),
        3 => Just(ChanOp::Send),
        2 => Just(ChanOp::Reserve),
        3 => any::<usize>().prop_map(ChanOp::PollWaiter),
        1 => any::<usize>().prop_map(ChanOp::DropWaiter),
        1 => any::<usize>().prop_map(ChanOp::UsePermit),
        1 => any::<usize>().prop_map(ChanOp::DropPermit),
        2 => Just(ChanOp::TryRecv),
        2 => Just(ChanOp::PollRecv),
        1 => Just(ChanOp::RecvOnceThenDrop),
    ]
}

/// The bounded channel's model: the queue, the free slots, and the FIFO
/// line of waiters (a slot freed while someone waits goes to the first in
/// line at once, before it polls again).
#[derive(Debug)]
struct ChanModel {
    cap: usize,
    queue: VecDeque<u32>,
    free: usize,
    permits: usize,
    /// Waiter ids still waiting, in line order.
    line: VecDeque<usize>,
    /// Waiter ids handed a slot, not yet polled.
    served: HashSet<usize>,
}

impl ChanModel {
    fn release(&mut self) {
        match self.line.pop_front() {
            Some(id) => {
                self.served.insert(id);
            }
            None => self.free += 1,
        }
    }

    /// A fresh acquire: takes a free slot, else joins the line.
    fn acquire(&mut self, id: usize) -> bool {
        if self.free > 0 {
            self.free -= 1;
            true
        } else {
            self.line.push_back(id);
            false
        }
    }
}

type SendFut<'a> = Pin<Box<dyn Future<Output = Result<(), mpsc::error::SendError<u32>>> + 'a>>;
type ReserveFut<'a> =
    Pin<Box<dyn Future<Output = Result<Permit<'a, u32>, mpsc::error::SendError<()>>> + 'a>>;

enum Waiting<'a> {
    Send(SendFut<'a>, u32),
    Reserve(ReserveFut<'a>),
}

fn bounded(cap: usize, ops: Vec<ChanOp>) -> Result<(), TestCaseError> {
    let (tx, mut rx) = mpsc::channel::<u32>(cap);
    let mut m = ChanModel {
        cap,
        queue: VecDeque::new(),
        free: cap,
        permits: 0,
        line: VecDeque::new(),
        served: HashSet::new(),
    };
    let mut next_value = 0u32;
    let mut fresh = || {
        next_value += 1;
        next_value
    };
    let mut ids = 0usize;
    // (id, future, its flag, its waker), in creation order.
    let mut waiting: Vec<(usize, Waiting<'_>, Arc<Flag>, Waker)> = Vec::new();
    let mut permits: Vec<Permit<'_, u32>> = Vec::new();
    let (recv_flag, recv_waker) = Flag::new();
    let mut recv_registered = false;

    for op in ops {
        match op {
            ChanOp::TrySend => {
                let v = fresh();
                let got = tx.try_send(v);
                if m.free > 0 {
                    prop_assert!(got.is_ok());
                    m.free -= 1;
                    m.queue.push_back(v);
                } else {
                    prop_assert!(matches!(got, Err(TrySendError::Full(x)) if x == v));
                }
            }
            ChanOp::Send | ChanOp::Reserve => {
                ids += 1;
                let (flag, waker) = Flag::new();
                let mut w = if matches!(op, ChanOp::Send) {
                    let v = fresh();
                    Waiting::Send(Box::pin(tx.send(v)), v)
                } else {
                    Waiting::Reserve(Box::pin(tx.reserve()))
                };
                let ready = match &mut w {
                    Waiting::Send(f, v) => match poll_once(f.as_mut(), &waker) {
                        Poll::Ready(r) => {
                            prop_assert!(r.is_ok());
                            Some(Some(*v))
                        }
                        Poll::Pending => None,
                    },
                    Waiting::Reserve(f) => match poll_once(f.as_mut(), &waker) {
                        Poll::Ready(r) => {
                            permits.push(r.expect("open"));
                            Some(None)
                        }
                        Poll::Pending => None,
                    },
                };
                prop_assert_eq!(ready.is_some(), m.acquire(ids), "{:?}", m);
                match ready {
                    Some(Some(v)) => m.queue.push_back(v),
                    Some(None) => m.permits += 1,
                    None => waiting.push((ids, w, flag, waker)),
                }
            }
            ChanOp::PollWaiter(i) if !waiting.is_empty() => {
                let i = i % waiting.len();
                let (id, w, flag, waker) = &mut waiting[i];
                let id = *id;
                let served = m.served.contains(&id);
                prop_assert_eq!(flag.take(), served, "woken iff handed a slot");
                let ready = match w {
                    Waiting::Send(f, v) => match poll_once(f.as_mut(), waker) {
                        Poll::Ready(r) => {
                            prop_assert!(r.is_ok());
                            Some(Some(*v))
                        }
                        Poll::Pending => None,
                    },
                    Waiting::Reserve(f) => match poll_once(f.as_mut(), waker) {
                        Poll::Ready(r) => {
                            // The permit borrows `tx`, not the future.
                            permits.push(r.expect("open"));
                            Some(None)
                        }
                        Poll::Pending => None,
                    },
                };
                prop_assert_eq!(ready.is_some(), served);
                if let Some(sent) = ready {
                    m.served.remove(&id);
                    match sent {
                        Some(v) => m.queue.push_back(v),
                        None => m.permits += 1,
                    }
                    waiting.remove(i);
                }
            }
            ChanOp::DropWaiter(i) if !waiting.is_empty() => {
                let (id, w, _, _) = waiting.remove(i % waiting.len());
                drop(w); // its value, if a send, is dropped with it
                if m.served.remove(&id) {
                    m.release(); // it held a slot: the next in line gets it
                } else {
                    m.line.retain(|&x| x != id);
                }
            }
            ChanOp::UsePermit(i) if !permits.is_empty() => {
                let v = fresh();
                permits.remove(i % permits.len()).send(v);
                m.permits -= 1;
                m.queue.push_back(v);
            }
            ChanOp::DropPermit(i) if !permits.is_empty() => {
                drop(permits.remove(i % permits.len()));
                m.permits -= 1;
                m.release();
            }
            ChanOp::TryRecv => {
                let got = rx.try_recv();
                match m.queue.pop_front() {
                    Some(v) => {
                        prop_assert_eq!(got, Ok(v));
                        m.release();
                    }
                    None => prop_assert_eq!(got, Err(TryRecvError::Empty)),
                }
            }
            ChanOp::PollRecv => {
                let woken = recv_flag.take();
                if recv_registered && !m.queue.is_empty() {
                    prop_assert!(woken, "a waiting receiver was not woken by a send");
                }
                let got = rx.poll_recv(&mut Context::from_waker(&recv_waker));
                match m.queue.pop_front() {
                    Some(v) => {
                        prop_assert_eq!(got, Poll::Ready(Some(v)));
                        m.release();
                        recv_registered = false;
                    }
                    None => {
                        prop_assert_eq!(got, Poll::Pending);
                        recv_registered = true;
                    }
                }
            }
            ChanOp::RecvOnceThenDrop => {
                let (_flag, waker) = Flag::new();
                let got = poll_once(std::pin::pin!(rx.recv()), &waker);
                match m.queue.pop_front() {
                    Some(v) => {
                        prop_assert_eq!(got, Poll::Ready(Some(v)));
                        m.release();
                    }
                    None => prop_assert_eq!(got, Poll::Pending),
                }
                // A recv future dropped while waiting takes nothing with it;
                // the next PollRecv registers its waker again.
                recv_registered = false;
            }
            _ => continue,
        }
        // Capacity: every slot is free, queued, held as a permit, or handed
        // to a waiter that has not polled yet.
        prop_assert!(m.queue.len() <= m.cap);
        prop_assert_eq!(
            m.free + m.queue.len() + m.permits + m.served.len(),
            m.cap,
            "{:?}",
            m
        );
        prop_assert_eq!(tx.capacity(), m.free);
        prop_assert_eq!(rx.len(), m.queue.len());
        prop_assert!(
            m.free == 0 || m.line.is_empty(),
            "a free slot while someone waits"
        );
    }

    // The end: drop every waiter and permit, drain, and all slots are back.
    drop(waiting);
    drop(permits);
    let mut rest = Vec::new();
    while let Ok(v) = rx.try_recv() {
        rest.push(v);
    }
    prop_assert_eq!(rest, Vec::from(m.queue.clone()));
    prop_assert_eq!(tx.capacity(), cap, "a slot was lost");
    Ok(())
}

// ---- unbounded mpsc --------------------------------------------------------

#[derive(Debug, Clone)]
enum UnboundedOp {
    Send,
    TryRecv,
    PollRecv,
    RecvOnceThenDrop,
    /// A second sender sends, then is dropped.
    SendFromClone,
}

fn unbounded_op() -> impl Strategy<Value = UnboundedOp> {
    prop_oneof![
        3 => Just(UnboundedOp::Send),
        2 => Just(UnboundedOp::TryRecv),
        2 => Just(UnboundedOp::PollRecv),
        1 => Just(UnboundedOp::RecvOnceThenDrop),
        1 => Just(UnboundedOp::SendFromClone),
    ]
}

fn unbounded(ops: Vec<UnboundedOp>) -> Result<(), TestCaseError> {
    let (tx, mut rx) = mpsc::unbounded_channel::<u32>();
    let mut queue = VecDeque::new();
    let mut next = 0u32;
    let (flag, waker) = Flag::new();
    let mut registered = false;
    for op in ops {
        match op {
            UnboundedOp::Send | UnboundedOp::SendFromClone => {
                next += 1;
                if matches!(op, UnboundedOp::Send) {
                    tx.send(next).unwrap();
                } else {
                    let clone = tx.clone();
                    clone.send(next).unwrap();
                }
                queue.push_back(next);
                if registered {
                    prop_assert!(flag.take(), "a waiting receiver was not woken");
                    registered = false;
                }
            }
            UnboundedOp::TryRecv => match queue.pop_front() {
                Some(v) => prop_assert_eq!(rx.try_recv(), Ok(v)),
                None => prop_assert_eq!(rx.try_recv(), Err(TryRecvError::Empty)),
            },
            UnboundedOp::PollRecv => {
                let got = rx.poll_recv(&mut Context::from_waker(&waker));
                match queue.pop_front() {
                    Some(v) => prop_assert_eq!(got, Poll::Ready(Some(v))),
                    None => {
                        prop_assert_eq!(got, Poll::Pending);
                        registered = true;
                    }
                }
            }
            UnboundedOp::RecvOnceThenDrop => {
                let (_f, other) = Flag::new();
                let got = poll_once(std::pin::pin!(rx.recv()), &other);
                match queue.pop_front() {
                    Some(v) => prop_assert_eq!(got, Poll::Ready(Some(v))),
                    None => prop_assert_eq!(got, Poll::Pending),
                }
                registered = false;
            }
        }
        prop_assert_eq!(rx.len(), queue.len());
    }
    drop(tx);
    let mut rest = Vec::new();
    while let Ok(v) = rx.try_recv() {
        rest.push(v);
    }
    prop_assert_eq!(rest, Vec::from(queue));
    prop_assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
    Ok(())
}

// ---- JoinSet ---------------------------------------------------------------

#[derive(Debug, Clone)]
enum SetOp {
    /// Spawns a task that finishes when told to.
    Spawn,
    /// Tells the task chosen by index to finish (it does when the loop
    /// next runs it).
    Finish(usize),
    /// Lets the loop run every woken task.
    RunLoop,
    TryJoinNext,
    /// A `join_next` future polled once, then dropped.
    JoinNextOnceThenDrop,
}

fn set_op() -> impl Strategy<Value = SetOp> {
    prop_oneof![
        3 => Just(SetOp::Spawn),
        3 => any::<usize>().prop_map(SetOp::Finish),
        2 => Just(SetOp::RunLoop),
        2 => Just(SetOp::TryJoinNext),
        2 => Just(SetOp::JoinNextOnceThenDrop),
    ]
}

/// The loop's side of the `JoinSet` model: the run queue (FIFO) holds
/// spawned tasks not yet polled and woken ones; a task finishes when the
/// loop polls it after it was told to.
#[derive(Default)]
struct LoopModel {
    queue: VecDeque<u32>,
    /// Spawned, not yet polled.
    fresh: HashSet<u32>,
    /// Spawned, not yet polled, and already told to finish.
    told_fresh: HashSet<u32>,
    /// Finished, not yet joined, in completion order.
    done: VecDeque<u32>,
}

impl LoopModel {
    fn spawn(&mut self, v: u32) {
        self.queue.push_back(v);
        self.fresh.insert(v);
    }

    fn tell(&mut self, v: u32) {
        if self.fresh.contains(&v) {
            self.told_fresh.insert(v); // finishes at its first poll
        } else {
            self.queue.push_back(v); // woken: queued behind the others
        }
    }

    /// The loop runs everything queued, in order.
    fn run(&mut self) {
        for v in self.queue.drain(..) {
            if !self.fresh.remove(&v) || self.told_fresh.remove(&v) {
                self.done.push_back(v);
            }
        }
    }
}

/// Outputs come back in completion order (the order the loop ran the
/// finishing tasks, its run queue being FIFO), each exactly once; a
/// `join_next` dropped while waiting, or after it saw nothing, loses
/// nothing.
async fn join_set(ops: Vec<SetOp>) -> Result<(), TestCaseError> {
    let mut set = coop::task::JoinSet::new();
    // Tasks not told to finish yet: (value, its signal).
    let mut untold: Vec<(u32, support::Signal)> = Vec::new();
    let mut m = LoopModel::default();
    let (mut next, mut joined) = (0u32, 0usize);
    for op in ops {
        match op {
            SetOp::Spawn => {
                next += 1;
                let (value, signal) = (next, support::Signal::new());
                set.spawn({
                    let signal = signal.clone();
                    async move {
                        signal.wait().await;
                        value
                    }
                });
                untold.push((value, signal));
                m.spawn(value);
            }
            SetOp::Finish(i) if !untold.is_empty() => {
                let (value, signal) = untold.remove(i % untold.len());
                signal.notify();
                m.tell(value);
            }
            SetOp::RunLoop => {
                // Two turns: the tasks run, then their handles are ready.
                coop::yield_now().await;
                coop::yield_now().await;
                m.run();
            }
            SetOp::TryJoinNext => {
                let got = set.try_join_next().map(Result::unwrap);
                prop_assert_eq!(got, m.done.pop_front());
                joined += usize::from(got.is_some());
            }
            SetOp::JoinNextOnceThenDrop => {
                let (_flag, waker) = Flag::new();
                let got = poll_once(std::pin::pin!(set.join_next()), &waker);
                let expected = match m.done.pop_front() {
                    Some(v) => Poll::Ready(Some(v)),
                    None if next as usize == joined => Poll::Ready(None),
                    None => Poll::Pending,
                };
                joined += usize::from(matches!(expected, Poll::Ready(Some(_))));
                prop_assert_eq!(got.map(|o| o.map(Result::unwrap)), expected);
            }
            _ => continue,
        }
        prop_assert_eq!(set.len(), next as usize - joined);
    }
    // The end: tell every task; every output comes back once, in order.
    for (value, signal) in untold.drain(..) {
        signal.notify();
        m.tell(value);
    }
    m.run();
    let mut rest = Vec::new();
    while let Some(out) = set.join_next().await {
        rest.push(out.unwrap());
    }
    prop_assert_eq!(rest, Vec::from(m.done));
    Ok(())
}

/// 256 cases unless `PROPTEST_CASES` says otherwise; shrunk failures are
/// kept in `proptest-regressions/sync_proptests.txt` and re-run first.
fn config() -> ProptestConfig {
    ProptestConfig {
        cases: cases(),
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "proptest-regressions/sync_proptests.txt",
        ))),
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn bounded_mpsc_matches_a_vecdeque_and_a_fifo_line(
        cap in 1usize..4,
        ops in prop::collection::vec(chan_op(), 1..120),
    ) {
        bounded(cap, ops)?;
    }

    #[test]
    fn unbounded_mpsc_matches_a_vecdeque(ops in prop::collection::vec(unbounded_op(), 1..120)) {
        unbounded(ops)?;
    }

    #[test]
    fn join_set_matches_a_completion_order_model(ops in prop::collection::vec(set_op(), 1..80)) {
        // An unlimited budget: the model counts loop turns, and a forced
        // yield would add one.
        let rt = coop::Builder::new().budget(u32::MAX).build().unwrap();
        rt.block_on(join_set(ops))?;
    }
}
