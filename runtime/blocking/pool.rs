//! The pool itself: a queue of blocking tasks and the threads that run
//! them, behind one mutex (see the module docs of `blocking/` for the
//! rules: lazy start, cap, keep-alive, shutdown).
//!
//! ```text
//!  spawn(task)                          worker thread
//!   lock                                 lock
//!   shut down? ─► cancel task here       loop:
//!   queue.push(task)                       pop a task? unlock, run it, lock
//!   idle > notified? unlock, notify one    shut down? exit
//!   else threads < max? start one          idle: wait (keep-alive) for a notify
//!   (else a busy thread pops it later)     timed out, not notified? exit
//! ```
//!
//! Every job pushed is run or cancelled: it is pushed under the lock, and
//! either an idle thread was notified, a new thread was started, or every
//! allowed thread is busy and pops the queue before it may go idle.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use crate::executor::Shared;
use crate::loom::sync::{Arc, Condvar, Mutex, MutexGuard};
use crate::loom::thread;
use crate::task::{Ran, TaskRef};

/// The pool's settings, from [`Builder`](crate::Builder).
#[derive(Clone, Copy, Debug)]
pub(crate) struct PoolConfig {
    pub(crate) max_threads: usize,
    pub(crate) keep_alive: Duration,
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
    shutdown: bool,
    /// Join handles of live workers, by worker number, so shutdown can join
    /// them. A worker that retires on its own removes (detaches) its own.
    workers: HashMap<usize, thread::JoinHandle<()>>,
    next_worker: usize,
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
                    shutdown: false,
                    workers: HashMap::new(),
                    next_worker: 0,
                }),
                work: Condvar::new(),
                all_exited: Condvar::new(),
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
        if state.idle > state.notified {
            state.notified += 1;
            // Notified after unlocking: a worker woken while the lock is
            // still held would only block again on the mutex (two more
            // futex calls per job).
            drop(state);
            self.inner.work.notify_one();
        } else if state.threads < self.inner.config.max_threads {
            self.start_worker(&mut state, shared);
        }
    }

    /// Starts a worker while the lock is held, so it cannot look at the
    /// state (or remove its join handle) before it is recorded.
    fn start_worker(&self, state: &mut State, shared: &Arc<Shared>) {
        let number = state.next_worker;
        let inner = self.inner.clone();
        let shared = shared.clone();
        let spawned = thread::Builder::new()
            .name(format!("coop-blocking-{number}"))
            .spawn(move || inner.run_worker(number, shared));
        match spawned {
            Ok(handle) => {
                state.next_worker += 1;
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
    #[cfg(test)]
    pub(crate) fn threads(&self) -> usize {
        self.inner.state.lock().threads
    }
}

impl Inner {
    fn run_worker(&self, number: usize, shared: Arc<Shared>) {
        // `Handle::current()` (and so `spawn_blocking`) works inside a job.
        let _current = crate::context::enter_handle(shared);
        let mut state = self.state.lock();
        loop {
            if let Some(task) = state.queue.pop_front() {
                drop(state);
                run(task);
                state = self.state.lock();
                continue;
            }
            if state.shutdown {
                break;
            }
            match self.wait_for_work(state) {
                (s, true) => state = s,
                (mut s, false) => {
                    // Retiring: nobody will join this thread.
                    drop(s.workers.remove(&number));
                    state = s;
                    break;
                }
            }
        }
        state.threads -= 1;
        if state.threads == 0 && state.shutdown {
            self.all_exited.notify_all();
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

    /// Under loom there is no clock to time a keep-alive with: an idle
    /// worker exits at once.
    #[cfg(loom)]
    fn wait_for_work<'a>(&self, state: MutexGuard<'a, State>) -> (MutexGuard<'a, State>, bool) {
        (state, false)
    }
}

/// Runs one blocking task to the end on this pool thread.
fn run(task: TaskRef) {
    // The budget only matters to futures that yield; a job never does, and
    // `BlockingTask` runs its closure unconstrained (see `budget.rs`).
    match task.run(crate::DEFAULT_BUDGET) {
        Ran::Idle | Ran::Complete(_) => {}
        Ran::Reschedule(_) => unreachable!("a blocking task is never Pending"),
    }
}
