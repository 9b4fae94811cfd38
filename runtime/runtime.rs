//! `Runtime` and `Builder`: the public face of one event loop.
//!
//! A [`Runtime`] owns the loop's [`Core`]: run queues, task list, timers and
//! the reactor. [`Runtime::block_on`] runs the loop on the calling thread
//! until the given future finishes. Dropping the runtime drops every task
//! that is still pending (their destructors run, on this thread) and closes
//! the reactor.

use std::fmt;
use std::future::Future;
use std::io;
use std::marker::PhantomData;
use std::rc::Rc;
use std::time::Duration;

use crate::blocking::{
    PoolConfig, ThreadName, DEFAULT_MAX_BLOCKING_THREADS, DEFAULT_SHUTDOWN_TIMEOUT,
    DEFAULT_THREAD_KEEP_ALIVE,
};
use crate::budget::DEFAULT_BUDGET;
use crate::executor::{Config, Core};
use crate::observe::{Metrics, TaskSnapshot};
use crate::task::JoinHandle;
use crate::Handle;
use crate::{QueuePolicy, Turn};

/// Tasks polled in a row before the loop checks I/O and timers, while tasks
/// keep being runnable. 61, as in tokio: a prime, so it does not fall into
/// step with workloads that run in round numbers.
pub const DEFAULT_EVENT_INTERVAL: u32 = 61;

/// Picks between two checks of the remote queue while local tasks keep the
/// loop busy. 31, as in tokio.
pub const DEFAULT_REMOTE_INTERVAL: u32 = 31;

/// A single-threaded async runtime: an executor, a reactor and timers
/// driven by one event loop on the thread that calls
/// [`block_on`](Runtime::block_on).
///
/// `Runtime` is not `Send`: its tasks need not be `Send`, so they must stay
/// on the thread that made them.
///
/// ```
/// let rt = coop::Runtime::new()?;
/// let answer = rt.block_on(async {
///     let task = coop::spawn(async { 40 + 2 });
///     task.await.unwrap()
/// });
/// assert_eq!(answer, 42);
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// ```compile_fail
/// // A runtime stays on its thread.
/// let rt = coop::Runtime::new().unwrap();
/// std::thread::spawn(move || drop(rt));
/// ```
pub struct Runtime {
    core: Rc<Core>,
    _not_send: PhantomData<*const ()>,
}

impl Runtime {
    /// A runtime with the default settings.
    ///
    /// # Errors
    /// If the OS refuses to create the poll instance (`epoll_create`) or the
    /// event descriptor that wakes it, for example at the descriptor limit.
    ///
    /// ```
    /// let rt = coop::Runtime::new()?;
    /// rt.block_on(async {});
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn new() -> io::Result<Runtime> {
        Builder::new().build()
    }

    /// A [`Builder`] to set the runtime's tunables.
    ///
    /// ```
    /// let rt = coop::Runtime::builder().event_interval(31).budget(64).build()?;
    /// rt.block_on(async {});
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn builder() -> Builder {
        Builder::new()
    }

    /// Runs `future` to completion on this thread, running the loop (other
    /// tasks, I/O, timers) while it waits, and returns its output.
    ///
    /// Tasks spawned during the call that have not finished when it returns
    /// stay on the runtime and run again in the next `block_on`; they are
    /// dropped with the runtime.
    ///
    /// # Panics
    /// If called from inside a runtime (nested `block_on`): that would block
    /// the outer loop. `.await` the future or `spawn` it instead. Also from a
    /// thread-local's destructor that runs after coop's own thread-locals
    /// were destroyed, as the thread exits. A panic in `future` itself
    /// propagates to the caller.
    ///
    /// ```
    /// let rt = coop::Runtime::new()?;
    /// assert_eq!(rt.block_on(async { 1 }), 1);
    /// assert_eq!(rt.block_on(async { 2 }), 2); // it can be called again
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.core.block_on(future)
    }

    /// Spawns a task on this runtime from outside it; it runs during the
    /// next `block_on`.
    ///
    /// ```
    /// let rt = coop::Runtime::new()?;
    /// let handle = rt.spawn(async { "done" });
    /// assert_eq!(rt.block_on(handle).unwrap(), "done");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        self.core.spawn(future, std::panic::Location::caller())
    }

    /// Runs one step of the loop and says what it did: polls one runnable
    /// task once, or, when none is runnable, looks at I/O and timers
    /// without sleeping. For stepping the loop by hand, in a test or to
    /// watch it work; it works on tasks given to [`spawn`](Runtime::spawn)
    /// before any `block_on` (spawning never polls on the spot). A paused
    /// clock is not moved forward here.
    ///
    /// # Panics
    /// Inside a runtime (from a task or a `block_on`), like `block_on`.
    ///
    /// ```
    /// use coop::Turn;
    ///
    /// let rt = coop::Runtime::new()?;
    /// let a = rt.spawn(async { coop::yield_now().await });
    /// let b = rt.spawn(async {});
    /// assert_eq!(rt.turn(), Turn::Polled { task: a.id(), ready: false }); // a yields
    /// assert_eq!(rt.turn(), Turn::Polled { task: b.id(), ready: true });
    /// assert_eq!(rt.turn(), Turn::Polled { task: a.id(), ready: true });
    /// assert_eq!(rt.turn(), Turn::Idle);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn turn(&self) -> Turn {
        self.core.step()
    }

    /// Turns the loop until nothing is runnable and a look at I/O and
    /// timers finds nothing: it never sleeps, so it returns while tasks
    /// still wait on timers or sockets. (A task that always wakes itself
    /// keeps it turning.)
    ///
    /// # Panics
    /// Inside a runtime, like [`turn`](Runtime::turn).
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let rt = coop::Runtime::new()?;
    /// let quick = rt.spawn(async { coop::yield_now().await });
    /// let slow = rt.spawn(coop::time::sleep(Duration::from_secs(3600)));
    /// rt.run_until_stalled(); // returns at once: `slow` waits on its timer
    /// assert!(quick.is_finished());
    /// assert!(!slow.is_finished());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn run_until_stalled(&self) {
        while self.core.step() != Turn::Idle {}
    }

    /// One [`TaskSnapshot`] per live task: its id, name, spawn site, state,
    /// polls, what woke it last and, where known, what it waits on
    /// ([`TaskSnapshot::waiting_on`]). `{:#?}` prints them one per line.
    ///
    /// ```
    /// use coop::task::TaskState;
    ///
    /// let rt = coop::Runtime::new()?;
    /// rt.block_on(async {
    ///     coop::task::Builder::new().name("waiter").spawn(std::future::pending::<()>());
    /// });
    /// rt.run_until_stalled(); // block_on returned at once: let the task run
    /// let tasks = rt.tasks();
    /// assert_eq!(tasks.len(), 1);
    /// assert_eq!(tasks[0].name(), Some("waiter"));
    /// assert_eq!(tasks[0].state(), TaskState::Waiting);
    /// println!("{tasks:#?}");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn tasks(&self) -> Vec<TaskSnapshot> {
        self.core.tasks()
    }

    /// The loop's owned-task references, for unit tests of the per-task
    /// records.
    #[cfg(all(test, not(loom)))]
    pub(crate) fn test_task_refs(&self) -> Vec<crate::task::TaskRef> {
        self.core.owned_refs()
    }

    /// The loop's shared half, for unit tests of its reference count.
    #[cfg(all(test, not(loom)))]
    pub(crate) fn test_shared(&self) -> crate::loom::sync::Arc<crate::executor::Shared> {
        self.core.shared().clone()
    }

    /// What the loop has done so far: spawns, polls, wakes, parks, timers,
    /// the longest poll (see [`Metrics`]). Always on.
    ///
    /// ```
    /// let rt = coop::Runtime::new()?;
    /// rt.block_on(async {
    ///     coop::time::sleep(std::time::Duration::from_millis(1)).await;
    /// });
    /// let m = rt.metrics();
    /// assert_eq!(m.timers_fired, 1);
    /// assert!(m.parks >= 1);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn metrics(&self) -> Metrics {
        self.core.metrics()
    }

    /// Number of tasks alive on this runtime (spawned and not yet finished).
    ///
    /// ```
    /// let rt = coop::Runtime::new()?;
    /// let handle = rt.spawn(std::future::pending::<()>());
    /// assert_eq!(rt.task_count(), 1);
    /// handle.abort();
    /// let _ = rt.block_on(handle);
    /// assert_eq!(rt.task_count(), 0);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn task_count(&self) -> usize {
        self.core.task_count()
    }

    /// Timer slots in use (pending, or fired and still held by their
    /// `Sleep`) and timer slots allocated. For coop's own tests of timer
    /// memory; not part of the API.
    #[doc(hidden)]
    pub fn timer_slots(&self) -> (usize, usize) {
        self.core.timers().borrow().slot_usage()
    }

    /// A [`Handle`] to this runtime, to spawn on it from other threads.
    ///
    /// ```
    /// let rt = coop::Runtime::new()?;
    /// let handle = rt.handle();
    /// let task = std::thread::spawn(move || handle.spawn(async { 1 })).join().unwrap();
    /// assert_eq!(rt.block_on(task).unwrap(), 1);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn handle(&self) -> Handle {
        Handle::new(self.core.shared().clone())
    }

    /// Shuts the runtime down, waiting at most `timeout` for blocking jobs
    /// that are running.
    ///
    /// Every task is cancelled (its future dropped on this thread, with the
    /// runtime still current); a task that those destructors spawn is
    /// cancelled as soon as it is spawned, on this thread too. Blocking
    /// jobs that have not started are cancelled and never run, and tasks
    /// spawned later through a [`Handle`] are cancelled at once. Jobs still
    /// running after `timeout` are left to finish on their own threads.
    /// `Duration::ZERO` waits for none of them; `Duration::MAX` waits as
    /// long as they run.
    /// Dropping the runtime does the same with
    /// [`DEFAULT_SHUTDOWN_TIMEOUT`](crate::DEFAULT_SHUTDOWN_TIMEOUT) (10 s).
    /// A runtime kept in a thread-local may be dropped when its thread
    /// exits, after coop's own thread-locals are gone: it shuts down the
    /// same way, but with no runtime current, so a `Drop` that calls
    /// `coop::spawn` then panics, and that task's `JoinHandle` reports the
    /// panic.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let rt = coop::Runtime::new()?;
    /// let job = rt.handle().spawn_blocking(|| std::thread::sleep(Duration::from_secs(5)));
    /// rt.shutdown_timeout(Duration::from_millis(10)); // does not wait 5 s
    /// # drop(job);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn shutdown_timeout(self, timeout: Duration) {
        self.shutdown(timeout);
    }

    fn shutdown(&self, timeout: Duration) {
        // The loop's tasks first: a blocking job that waits for one of them
        // then sees it cancelled instead of waiting out the timeout.
        self.core.shutdown();
        // Queued jobs are cancelled here, their closures dropped on this
        // thread: with the runtime current, as the tasks' futures were, so
        // a `Drop` that calls `Handle::current` or spawns finds it (and its
        // spawns are cancelled on the spot, every door being closed).
        crate::context::scoped(self.core.clone(), || {
            self.core.shared().blocking.shutdown(Some(timeout));
        });
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        // After `shutdown_timeout` this finds nothing left to do.
        self.shutdown(DEFAULT_SHUTDOWN_TIMEOUT);
    }
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("id", &self.core.id())
            .field("tasks", &self.core.task_count())
            .finish()
    }
}

/// Settings for a [`Runtime`].
///
/// ```
/// let rt = coop::Builder::new()
///     .event_interval(61)
///     .budget(128)
///     .build()?;
/// rt.block_on(async {});
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone)]
#[must_use = "a Builder does nothing until `build()` is called"]
pub struct Builder {
    config: Config,
}

impl Default for Builder {
    fn default() -> Self {
        Builder::new()
    }
}

impl Builder {
    /// The default settings: [`DEFAULT_EVENT_INTERVAL`],
    /// [`DEFAULT_BUDGET`](crate::DEFAULT_BUDGET).
    ///
    /// ```
    /// let rt = coop::Builder::new().build()?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn new() -> Builder {
        Builder {
            config: Config {
                event_interval: DEFAULT_EVENT_INTERVAL,
                budget: DEFAULT_BUDGET,
                remote_interval: DEFAULT_REMOTE_INTERVAL,
                pool: PoolConfig {
                    max_threads: DEFAULT_MAX_BLOCKING_THREADS,
                    keep_alive: DEFAULT_THREAD_KEEP_ALIVE,
                    thread_name: ThreadName::default(),
                },
                start_paused: false,
                slow_poll: Some(crate::observe::DEFAULT_SLOW_POLL),
                queue_policy: QueuePolicy::Fifo,
            },
        }
    }

    /// How many tasks the loop polls before it checks I/O and timers again
    /// while tasks keep being runnable (default
    /// [`DEFAULT_EVENT_INTERVAL`], 61). Lower: I/O and timers are seen
    /// sooner; higher: fewer `epoll_wait` calls under load.
    ///
    /// # Panics
    /// If `ticks` is zero.
    ///
    /// ```
    /// let rt = coop::Builder::new().event_interval(1).build()?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn event_interval(mut self, ticks: u32) -> Builder {
        assert!(ticks > 0, "`Builder::event_interval` must be at least 1");
        self.config.event_interval = ticks;
        self
    }

    /// Starts the runtime's clock paused (default `false`), as tokio's
    /// `start_paused`: time stands still except when a test calls
    /// [`time::advance`](crate::time::advance), or when the loop is idle
    /// and jumps the clock to the next timer. An hour-long timeout then
    /// takes no wall time, and timers fire in the same order every run. Read
    /// the runtime's time with [`time::now`](crate::time::now).
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    ///
    /// let rt = coop::Builder::new().start_paused(true).build()?;
    /// let wall = Instant::now();
    /// rt.block_on(coop::time::sleep(Duration::from_secs(3600)));
    /// assert!(wall.elapsed() < Duration::from_secs(60));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn start_paused(mut self, paused: bool) -> Builder {
        self.config.start_paused = paused;
        self
    }

    /// Which runnable task the loop polls next: [`QueuePolicy::Fifo`] (the
    /// default), [`QueuePolicy::Lifo`], or [`QueuePolicy::Random`] with a
    /// seed, to shake out code that depends on one order; the same seed
    /// replays the same order.
    ///
    /// ```
    /// use coop::QueuePolicy;
    ///
    /// // Run a test body under many orders; a failure names its seed.
    /// for seed in 0..20 {
    ///     let rt = coop::Builder::new()
    ///         .queue_policy(QueuePolicy::Random { seed })
    ///         .build()?;
    ///     let sum = rt.block_on(async {
    ///         let a = coop::spawn(async { 1 });
    ///         let b = coop::spawn(async { 2 });
    ///         a.await.unwrap() + b.await.unwrap()
    ///     });
    ///     assert_eq!(sum, 3, "seed {seed}");
    /// }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn queue_policy(mut self, policy: QueuePolicy) -> Builder {
        self.config.queue_policy = policy;
        self
    }

    /// Polls that take longer than `threshold` are reported with a `WARN`
    /// `tracing` event (target `coop::executor`, name `task.slow_poll`)
    /// naming the task (name and id), its spawn site and how long the poll
    /// took: such a poll blocked every other task (a `std::thread::sleep`,
    /// blocking I/O, a long computation). Default `Some(100 ms)`; `None`
    /// turns the warning off. Measured on the real clock, paused or not.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let rt = coop::Builder::new()
    ///     .slow_poll_threshold(Some(Duration::from_millis(20)))
    ///     .build()?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn slow_poll_threshold(mut self, threshold: Option<Duration>) -> Builder {
        self.config.slow_poll = threshold;
        self
    }

    /// How many times a task may find a resource (timer, socket, join
    /// handle) ready in one poll before it is made to yield (default
    /// [`DEFAULT_BUDGET`](crate::DEFAULT_BUDGET), 128).
    ///
    /// # Panics
    /// If `units` is zero.
    ///
    /// ```
    /// let rt = coop::Builder::new().budget(32).build()?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn budget(mut self, units: u32) -> Builder {
        assert!(units > 0, "`Builder::budget` must be at least 1");
        self.config.budget = units;
        self
    }

    /// The most threads the blocking pool runs at once (default
    /// [`DEFAULT_MAX_BLOCKING_THREADS`](crate::DEFAULT_MAX_BLOCKING_THREADS),
    /// 512). Threads start only when jobs need them; jobs beyond the cap wait
    /// in a queue.
    ///
    /// # Panics
    /// If `threads` is zero.
    ///
    /// ```
    /// let rt = coop::Builder::new().max_blocking_threads(4).build()?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn max_blocking_threads(mut self, threads: usize) -> Builder {
        assert!(
            threads > 0,
            "`Builder::max_blocking_threads` must be at least 1"
        );
        self.config.pool.max_threads = threads;
        self
    }

    /// How long an idle blocking-pool thread waits for a new job before it
    /// exits (default
    /// [`DEFAULT_THREAD_KEEP_ALIVE`](crate::DEFAULT_THREAD_KEEP_ALIVE), 10 s).
    /// `Duration::ZERO`: a worker exits as soon as the queue is empty (each
    /// job may start a thread); `Duration::MAX`: idle workers stay until
    /// the runtime shuts down, which still ends them.
    ///
    /// ```
    /// let rt = coop::Builder::new()
    ///     .thread_keep_alive(std::time::Duration::from_secs(1))
    ///     .build()?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn thread_keep_alive(mut self, keep_alive: Duration) -> Builder {
        self.config.pool.keep_alive = keep_alive;
        self
    }

    /// The name prefix of blocking-pool threads: each new worker is named
    /// the prefix followed by its number, the smallest that no live worker
    /// has (default `coop-blk-`: `coop-blk-0`, `coop-blk-1`, ...). Linux
    /// shows only the first 15 bytes of a thread name (`ps -L`, `top -H`,
    /// gdb, perf): keep the prefix short enough to leave room for the
    /// number. Unlike tokio's `thread_name`, which names every thread
    /// alike, the number is always added; for full control use
    /// [`thread_name_fn`](Builder::thread_name_fn).
    ///
    /// # Panics
    /// If `prefix` holds a NUL byte (`std::thread` refuses such names; the
    /// builder says so here rather than inside a later `spawn_blocking`).
    ///
    /// ```
    /// let rt = coop::Builder::new().thread_name("db-").build()?;
    /// let name = rt
    ///     .handle()
    ///     .spawn_blocking(|| std::thread::current().name().map(String::from))
    ///     .join_blocking()
    ///     .unwrap();
    /// assert_eq!(name.as_deref(), Some("db-0"));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn thread_name(mut self, prefix: impl Into<String>) -> Builder {
        let prefix = prefix.into();
        assert!(
            !prefix.contains('\0'),
            "`Builder::thread_name` got a prefix with a NUL byte, which no thread name may hold: {prefix:?}"
        );
        self.config.pool.thread_name = ThreadName::Prefix(prefix);
        self
    }

    /// A function that names each new blocking-pool thread, called once per
    /// thread on the thread that starts it, as tokio's `thread_name_fn`.
    /// Replaces [`thread_name`](Builder::thread_name).
    ///
    /// If `f` panics, or returns a name with a NUL byte, the panic is
    /// reported by the panic hook and that worker gets the default name
    /// (`coop-blk-{n}`) instead: the job that needed it still runs.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    ///
    /// static STARTED: AtomicUsize = AtomicUsize::new(0);
    /// let rt = coop::Builder::new()
    ///     .thread_name_fn(|| format!("io-{}", STARTED.fetch_add(1, Ordering::Relaxed)))
    ///     .build()?;
    /// let name = rt
    ///     .handle()
    ///     .spawn_blocking(|| std::thread::current().name().map(String::from))
    ///     .join_blocking()
    ///     .unwrap();
    /// assert_eq!(name.as_deref(), Some("io-0"));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn thread_name_fn<F>(mut self, f: F) -> Builder
    where
        F: Fn() -> String + Send + Sync + 'static,
    {
        self.config.pool.thread_name = ThreadName::Fn(crate::loom::sync::WakeArc::new(f));
        self
    }

    /// Builds the runtime.
    ///
    /// # Errors
    /// If the OS refuses the poll instance or its wake-up descriptor.
    ///
    /// ```
    /// let rt = coop::Runtime::builder().build()?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn build(&self) -> io::Result<Runtime> {
        Ok(Runtime {
            core: Rc::new(Core::new(self.config.clone())?),
            _not_send: PhantomData,
        })
    }
}

/// Runs `future` to completion on a new runtime with default settings, on
/// this thread, and returns its output. The runtime, and any task still
/// pending, is dropped before this returns.
///
/// # Panics
/// If called from inside a runtime (nested `block_on`), from a
/// thread-local destructor after coop's thread-locals are gone, or if the
/// OS refuses to create the runtime's poll instance.
///
/// ```
/// use std::time::Duration;
///
/// coop::block_on(async {
///     println!("start");
///     coop::time::sleep(Duration::from_millis(10)).await;
///     println!("end");
/// });
/// ```
#[track_caller]
pub fn block_on<F: Future>(future: F) -> F::Output {
    // Same panic as a nested Runtime::block_on, before building a runtime.
    crate::context::enter_check();
    let rt = Runtime::new().expect("coop::block_on: could not create the runtime's poll instance");
    rt.block_on(future)
}
