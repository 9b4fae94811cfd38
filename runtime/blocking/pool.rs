//! The pool itself: a queue of blocking tasks and the threads that run
//! them, behind one mutex (see the module docs of `blocking/` for the
//! rules: lazy start, cap, keep-alive, shutdown).
//!
//! ```text
//!  spawn(task)                          worker thread
//!   lock                                 lock
//!   shut down? ─► cancel task here       loop:
//!   queue.push(task), queued += 1          pop a task? unlock, run it,
//!                                            linger (watch `queued`), lock
//!   idle > notified? unlock, notify one    shut down? exit
//!   searching > claimed? claim one         idle: wait (keep-alive) for a notify
//!   else threads < max? start one          timed out, not notified? exit
//!   (else a busy thread pops it later)
//! ```
//!
//! Every job pushed is run or cancelled: it is pushed under the lock, and
//! either an idle thread was notified, a searching thread was claimed, a
//! new thread was started, or every allowed thread is busy and pops the
//! queue before it may go idle.
//!
//! ## Searching workers: one thread for sequential jobs
//!
//! A job's result wakes its `JoinHandle` *inside* the job run, before the
//! worker takes the lock again. The next job of a sequential caller
//! (`spawn_blocking(..).await` in a loop) arrives in that window, when the
//! worker is neither idle nor visibly free. Counting it busy would start a
//! thread per such job (and the spare threads, woken in turn, would never
//! reach their keep-alive). So as soon as the closure returns, the worker
//! counts itself *searching* (`Inner::searching`, an atomic: the job does
//! not take the lock for it), and a spawn that finds a searching worker not
//! yet claimed by another job claims it instead of starting a thread. A
//! searching worker always locks and looks at the queue before it may go
//! idle, so the claimed job is taken (by it, or by any worker that looks
//! first). Under the lock a worker leaves the count and drops one claim,
//! which keeps `claimed <= searching`.
//!
//! Before it takes the lock, a searching worker *lingers* a few
//! microseconds, watching the `queued` hint (`linger.rs`): the next job of
//! a sequential caller then reaches a worker that is still awake, with no
//! futex wake on either side.
//!
//! ## Panics on a worker
//!
//! A panic in the closure is the task's (its `JoinHandle` reports it). What
//! else runs user code on a worker, the handle's waker and a dropped
//! output's `Drop` when the job completes, is caught and dropped
//! (`catch.rs`): the worker goes on with the next job. Should the worker
//! unwind anyway, a drop guard counts it out (thread count, claims, exit
//! notification) so later jobs still find a thread and shutdown does not
//! wait for a thread that is gone.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use super::linger::linger;
use super::name::ThreadName;
use crate::executor::Shared;
use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use crate::loom::sync::{Arc, Condvar, Mutex, MutexGuard};
use crate::loom::thread;
use crate::task::{Ran, TaskRef};

/// The pool's settings, from [`Builder`](crate::Builder).
#[derive(Clone, Debug)]
pub(crate) struct PoolConfig {
    pub(crate) max_threads: usize,
    pub(crate) keep_alive: Duration,
    pub(crate) thread_name: ThreadName,
}

/// The blocking pool of one runtime. Lives in the runtime's [`Shared`].
pub(crate) struct BlockingPool {
    inner: Arc<Inner>,
}

struct Inner {
    state: Mutex<State>,
    /// Idle workers wait here for a job.
    work: Condvar,
    /// Shutdown waits here for the last worker to leave.
    all_exited: Condvar,
    /// Workers whose job has returned and that have not looked at the
    /// queue since (see the module docs). Raised without the lock, lowered
    /// under it.
    searching: AtomicUsize,
    /// Jobs in `queue`, mirrored outside the lock for a lingering worker
    /// to watch (`linger.rs`). Changed under the lock; only a hint.
    queued: AtomicUsize,
    config: PoolConfig,
}

struct State {
    queue: VecDeque<TaskRef>,
    /// Worker threads alive (running a job, idle, or about to exit).
    threads: usize,
    /// Workers waiting on `work`.
    idle: usize,
    /// Notifications sent to idle workers and not yet taken by one: a spawn
    /// starts a new thread unless an idle one is left un-notified.
    notified: usize,
    /// Queued jobs promised to searching workers: a spawn claims one
    /// unless every searching worker is claimed already.
    claimed: usize,
    shutdown: bool,
    /// Join handles of live workers, by worker number, so shutdown can join
    /// them. A worker that retires on its own removes (detaches) its own.
    workers: HashMap<usize, thread::JoinHandle<()>>,
}

impl BlockingPool {
    pub(crate) fn new(config: PoolConfig) -> BlockingPool {
        BlockingPool {
            inner: Arc::new(Inner {
                state: Mutex::new(State {
                    queue: VecDeque::new(),
                    threads: 0,
                    idle: 0,
                    notified: 0,
                    claimed: 0,
                    shutdown: false,
                    workers: HashMap::new(),
                }),
                work: Condvar::new(),
                all_exited: Condvar::new(),
                searching: AtomicUsize::new(0),
                queued: AtomicUsize::new(0),
                config,
            }),
        }
    }

    /// Queues a blocking task (its queue reference); `shared` is the
    /// runtime the workers report as current. After shutdown the task is
    /// cancelled here, on the caller's thread (its future is `Send`).
    pub(crate) fn spawn(&self, task: TaskRef, shared: &Arc<Shared>) {
        let mut state = self.inner.state.lock();
        if state.shutdown {
            drop(state);
            task.shutdown();
            return;
        }
        state.queue.push_back(task);
        self.inner.queued.fetch_add(1, Ordering::Release);
        if state.idle > state.notified {
            state.notified += 1;
            // Notified after unlocking: a worker woken while the lock is
            // still held would only block again on the mutex (two more
            // futex calls per job).
            drop(state);
            self.inner.work.notify_one();
        } else if self.inner.searching.load(Ordering::SeqCst) > state.claimed {
            // A worker just finished a job and will look at the queue
            // before it may idle: it takes this one, no new thread.
            state.claimed += 1;
        } else if state.threads < self.inner.config.max_threads {
            self.start_worker(&mut state, shared);
        }
    }

    /// Starts a worker while the lock is held, so it cannot look at the
    /// state (or remove its join handle) before it is recorded.
    fn start_worker(&self, state: &mut State, shared: &Arc<Shared>) {
        // The smallest number no live worker has: names stay short enough
        // to be told apart (see `name.rs`).
        let number = (0..)
            .find(|n| !state.workers.contains_key(n))
            .expect("fewer than usize::MAX workers");
        let inner = self.inner.clone();
        let shared = shared.clone();
        let spawned = thread::Builder::new()
            .name(self.inner.config.thread_name.name(number))
            .spawn(move || Inner::run_worker(inner, number, shared));
        match spawned {
            Ok(handle) => {
                state.threads += 1;
                state.workers.insert(number, handle);
            }
            // With other workers alive the job waits for one of them.
            Err(_) if state.threads > 0 => {}
            Err(e) => panic!(
                "coop: could not start a blocking-pool thread ({e}) and none is running; \
                 lower `Builder::max_blocking_threads` or raise the process's thread limit"
            ),
        }
    }

    /// Cancels the queued jobs, then waits up to `timeout` (`None`: no
    /// bound) for the running ones. Runs once; later calls return at once.
    pub(crate) fn shutdown(&self, timeout: Option<Duration>) {
        let mut state = self.inner.state.lock();
        if state.shutdown {
            return;
        }
        state.shutdown = true;
        let queued = std::mem::take(&mut state.queue);
        self.inner.queued.store(0, Ordering::Relaxed);
        self.inner.work.notify_all();
        drop(state);
        // Cancelled outside the lock: dropping a closure runs user code.
        for task in queued {
            task.shutdown();
        }

        // Loom has no clock: a model waits for every running job.
        #[cfg(loom)]
        let timeout: Option<Duration> = {
            let _ = timeout;
            None
        };
        let deadline = timeout.and_then(|t| Instant::now().checked_add(t));
        let mut state = self.inner.state.lock();
        while state.threads > 0 {
            state = match deadline {
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        break;
                    }
                    let waited = self.inner.all_exited.wait_timeout(state, left);
                    waited.unwrap_or_else(|poisoned| poisoned.into_inner()).0
                }
                None => self
                    .inner
                    .all_exited
                    .wait(state)
                    .unwrap_or_else(|poisoned| poisoned.into_inner()),
            };
        }
        let finished = state.threads == 0;
        let workers = std::mem::take(&mut state.workers);
        drop(state);
        for (_, handle) in workers {
            if finished {
                // Each has left its loop; joining waits for its last steps.
                let _ = handle.join();
            }
            // Else dropping the handle detaches a thread still running a job.
        }
    }

    /// Number of worker threads alive (for tests).
    #[cfg(all(test, not(loom)))]
    pub(crate) fn threads(&self) -> usize {
        self.inner.state.lock().threads
    }

    /// Number of workers asleep on the condvar (for tests).
    #[cfg(all(test, not(loom)))]
    pub(crate) fn idle(&self) -> usize {
        self.inner.state.lock().idle
    }
}

impl Inner {
    /// A worker's life. An associated function, not a method on
    /// `Arc<Self>`: loom's `Arc` cannot be a `self` type.
    fn run_worker(this: Arc<Inner>, number: usize, shared: Arc<Shared>) {
        // `Handle::current()` (and so `spawn_blocking`) works inside a job.
        let _current = crate::context::enter_handle(shared);
        let _worker = WorkerGuard::enter(&this);
        let exit = ExitGuard {
            inner: &this,
            number,
        };
        let me: &Inner = &this;
        let mut state = me.state.lock();
        loop {
            // Looking at the queue now: no longer searching.
            me.stop_searching(&mut state);
            if let Some(task) = state.queue.pop_front() {
                me.queued.fetch_sub(1, Ordering::Relaxed);
                drop(state);
                run(task);
                if JOB_RETURNED.with(Cell::get) {
                    // Still searching: a sequential caller's next job comes
                    // in a few µs; watch for it before sleeping.
                    linger(&me.queued);
                }
                state = me.state.lock();
                continue;
            }
            if state.shutdown {
                break;
            }
            match me.wait_for_work(state) {
                (s, true) => state = s,
                (mut s, false) => {
                    // Retiring: nobody will join this thread.
                    drop(s.workers.remove(&number));
                    state = s;
                    break;
                }
            }
        }
        // Not unwinding: leave under the lock held, and keep the handle for
        // shutdown to join.
        exit.leave(&mut state);
        std::mem::forget(exit);
    }

    /// If this worker counted itself searching, it no longer does, and one
    /// claim goes with it (so `claimed <= searching` holds).
    fn stop_searching(&self, state: &mut State) {
        if JOB_RETURNED.with(|returned| returned.replace(false)) {
            self.searching.fetch_sub(1, Ordering::SeqCst);
            state.claimed = state.claimed.saturating_sub(1);
        }
    }

    /// Waits as an idle worker. `false`: the keep-alive passed with no job,
    /// and the worker should exit.
    #[cfg(not(loom))]
    fn wait_for_work<'a>(&self, mut state: MutexGuard<'a, State>) -> (MutexGuard<'a, State>, bool) {
        state.idle += 1;
        let (mut state, result) = self
            .work
            .wait_timeout(state, self.config.keep_alive)
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        state.idle -= 1;
        if state.notified > 0 {
            // Take a notification (ours, or one whose receiver has not run
            // yet: either way a job may be waiting) and look at the queue.
            state.notified -= 1;
            return (state, true);
        }
        let keep = !result.timed_out() || !state.queue.is_empty() || state.shutdown;
        (state, keep)
    }

    /// Under loom there is no clock to time a keep-alive with. A zero
    /// keep-alive exits at once (the timeout has passed before the wait
    /// began); any other waits as if the keep-alive outlasted the model:
    /// until a spawn notifies it or shutdown does. Models pick the path
    /// with `Builder::thread_keep_alive`, so both the retiring worker and
    /// the idle one that a spawn must notify are explored.
    #[cfg(loom)]
    fn wait_for_work<'a>(&self, mut state: MutexGuard<'a, State>) -> (MutexGuard<'a, State>, bool) {
        if self.config.keep_alive.is_zero() {
            return (state, false);
        }
        state.idle += 1;
        let mut state = self.work.wait(state).unwrap();
        state.idle -= 1;
        if state.notified > 0 {
            state.notified -= 1;
        }
        (state, true)
    }
}

/// Runs one blocking task to the end on this pool thread. What can unwind
/// out of it is user code run as the job completes (the `JoinHandle`'s
/// waker, a dropped output's `Drop`): caught, so the worker lives on.
fn run(task: TaskRef) {
    crate::catch::catch(|| {
        // The budget only matters to futures that yield; a job never does,
        // and `BlockingTask` runs its closure unconstrained (see
        // `budget.rs`).
        match task.run(crate::DEFAULT_BUDGET) {
            Ran::Idle | Ran::Complete(_) => {}
            Ran::Reschedule(_) => unreachable!("a blocking task is never Pending"),
        }
    });
}

crate::loom::thread_local! {
    /// On a worker: its pool, so a job can say it has returned.
    static WORKER: RefCell<Option<Arc<Inner>>> = RefCell::new(None);
    /// On a worker: its job returned and it counted itself searching.
    static JOB_RETURNED: Cell<bool> = Cell::new(false);
}

/// True on a blocking-pool worker: a wake from here has the source
/// `WakeSource::Blocking`.
pub(crate) fn on_worker() -> bool {
    WORKER
        .try_with(|worker| worker.try_borrow().map_or(true, |w| w.is_some()))
        .unwrap_or(false)
}

/// Called by a blocking job on its thread as soon as its closure returns,
/// before its `JoinHandle` is woken: the worker counts itself searching
/// (see the module docs).
pub(crate) fn job_returned() {
    let counted = WORKER.with(|worker| match &*worker.borrow() {
        Some(inner) => {
            inner.searching.fetch_add(1, Ordering::SeqCst);
            true
        }
        None => false,
    });
    if counted {
        JOB_RETURNED.with(|returned| returned.set(true));
    }
}

/// Makes this thread a worker of `inner` for [`job_returned`] while alive.
struct WorkerGuard;

impl WorkerGuard {
    fn enter(inner: &Arc<Inner>) -> WorkerGuard {
        WORKER.with(|worker| *worker.borrow_mut() = Some(inner.clone()));
        WorkerGuard
    }
}

impl Drop for WorkerGuard {
    fn drop(&mut self) {
        let _ = WORKER.try_with(|worker| worker.borrow_mut().take());
    }
}

/// Counts a worker out of the pool. Dropped only if the worker unwinds:
/// the normal exit calls [`ExitGuard::leave`] with the lock it holds.
struct ExitGuard<'a> {
    inner: &'a Inner,
    /// The worker's number, to detach its own handle on unwind.
    number: usize,
}

impl ExitGuard<'_> {
    fn leave(&self, state: &mut State) {
        self.inner.stop_searching(state);
        state.threads -= 1;
        if state.threads == 0 && state.shutdown {
            self.inner.all_exited.notify_all();
        }
    }
}

impl Drop for ExitGuard<'_> {
    fn drop(&mut self) {
        let mut state = self.inner.state.lock();
        // Nobody will join a thread that is unwinding.
        drop(state.workers.remove(&self.number));
        self.leave(&mut state);
        // Jobs this worker would have taken go to the idle ones.
        self.inner.work.notify_all();
    }
}
