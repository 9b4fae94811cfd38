//! The launcher: spawn N scoped threads, build one runtime on each, run the
//! factory's future there, and gather what each loop reports.
//!
//! ```text
//!   caller                                   loop thread i
//!   ──────                                   ─────────────
//!   spawn thread i, keep stop_tx[i] ───────► pin, build Runtime, block_on(select(f(i), stop_rx))
//!   blocking_recv on `done` ◄──────────────── (i, Done(v) | Panicked(p) | Failed(e) | Stopped)
//!   on Panicked/Failed: drop every stop_tx ─► the others' stop_rx fires: Stopped
//!   all reported: scope joins the threads; resume the first panic, or return the values
//! ```

use std::any::Any;
use std::future::Future;
use std::io;
use std::panic::{self, AssertUnwindSafe};

use futures_util::future::{self, Either};

use super::current::{self, LoopInfo};
use super::pin;
use crate::sync::{mpsc, oneshot};

/// Configures and starts N loops, one per thread. For one call with the
/// defaults, see [`run`](super::run).
///
/// ```
/// use coop::per_core::Builder;
///
/// let out = Builder::new()
///     .loops(2)
///     .pin(true)
///     .thread_name("worker")
///     .runtime(coop::Builder::new().event_interval(31))
///     .run(|i| async move { format!("loop {i} on {}", std::thread::current().name().unwrap()) })?;
/// assert_eq!(out, ["loop 0 on worker-0", "loop 1 on worker-1"]);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone)]
#[must_use = "a per_core::Builder does nothing until `run` is called"]
pub struct Builder {
    loops: Option<usize>,
    pin: bool,
    thread_name: String,
    runtime: crate::Builder,
}

impl Default for Builder {
    fn default() -> Self {
        Builder::new()
    }
}

/// What one loop thread reports back.
enum Outcome<T> {
    Done(T),
    Panicked(Box<dyn Any + Send>),
    Failed(io::Error),
    /// Told to stop (another loop panicked or failed) before it finished.
    Stopped,
}

impl Builder {
    /// One loop per available core (`std::thread::available_parallelism`),
    /// unpinned, threads named `coop-loop-<i>`, each runtime with
    /// [`coop::Builder`](crate::Builder)'s defaults.
    ///
    /// ```
    /// let n = coop::per_core::Builder::new().run(|_| async {})?.len();
    /// assert_eq!(n, std::thread::available_parallelism()?.get());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn new() -> Builder {
        Builder {
            loops: None,
            pin: false,
            thread_name: "coop-loop".to_string(),
            runtime: crate::Builder::new(),
        }
    }

    /// How many loops (threads) to start.
    ///
    /// # Panics
    /// If `loops` is 0.
    ///
    /// ```
    /// let out = coop::per_core::Builder::new().loops(3).run(|i| async move { i })?;
    /// assert_eq!(out, [0, 1, 2]);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn loops(mut self, loops: usize) -> Builder {
        assert!(
            loops > 0,
            "per_core::Builder::loops(0): start at least one loop"
        );
        self.loops = Some(loops);
        self
    }

    /// Pins loop `i` to the `i`-th core the process may use (wrapping
    /// around). Best effort: where the OS refuses, the loop runs unpinned
    /// and [`LoopInfo::core`] is `None`. Off by default: pinning pays off
    /// on a machine the server has to itself, and hurts where other
    /// processes want the same cores.
    ///
    /// ```
    /// let pinned = coop::per_core::Builder::new()
    ///     .loops(2)
    ///     .pin(true)
    ///     .run(|_| async { coop::per_core::current().unwrap().core() })?;
    /// assert_eq!(pinned.len(), 2);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn pin(mut self, pin: bool) -> Builder {
        self.pin = pin;
        self
    }

    /// The loop threads' name prefix: thread `i` is `<prefix>-<i>`.
    ///
    /// ```
    /// let names = coop::per_core::Builder::new()
    ///     .loops(1)
    ///     .thread_name("shard")
    ///     .run(|_| async { std::thread::current().name().unwrap().to_string() })?;
    /// assert_eq!(names, ["shard-0"]);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn thread_name(mut self, prefix: impl Into<String>) -> Builder {
        self.thread_name = prefix.into();
        self
    }

    /// The settings of each loop's [`Runtime`](crate::Runtime) (every loop
    /// builds its own from this builder).
    ///
    /// ```
    /// let out = coop::per_core::Builder::new()
    ///     .loops(1)
    ///     .runtime(coop::Builder::new().start_paused(true))
    ///     .run(|_| async {
    ///         let t = coop::time::now();
    ///         coop::time::sleep(std::time::Duration::from_secs(60)).await; // paused: instant
    ///         (coop::time::now() - t).as_secs()
    ///     })?;
    /// assert_eq!(out, [60]);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn runtime(mut self, runtime: crate::Builder) -> Builder {
        self.runtime = runtime;
        self
    }

    /// Starts the loops, runs `f(i)` on loop `i` until it finishes, and
    /// returns the outputs in index order once every loop has ended.
    ///
    /// `f` runs on the loop's own thread, so its future need not be
    /// `Send`. Tasks the future spawns and leaves running are dropped with
    /// that loop's runtime when the future returns.
    ///
    /// # Errors
    /// If a thread cannot be spawned or a runtime cannot be built; the
    /// loops already running are told to stop first (as for a panic).
    ///
    /// # Panics
    /// On a thread that runs a coop loop (it would block that loop), and
    /// with the first panic of a loop's future, after the other loops were
    /// told to stop and every thread has ended (see [the module
    /// docs](super)).
    ///
    /// ```should_panic
    /// coop::per_core::run(2, |i| async move {
    ///     if i == 1 {
    ///         panic!("loop 1 gave up");
    ///     }
    ///     // Loop 0 would wait forever; it is told to stop instead.
    ///     std::future::pending::<()>().await
    /// })
    /// .ok();
    /// ```
    #[track_caller]
    pub fn run<F, Fut>(&self, f: F) -> io::Result<Vec<Fut::Output>>
    where
        F: Fn(usize) -> Fut + Sync,
        Fut: Future,
        Fut::Output: Send,
    {
        if crate::context::is_entered() {
            panic!(
                "coop::per_core::run was called on a thread that is running a coop event loop: \
                 it blocks until every loop ends, which would freeze this one. Call it from \
                 `main` or a plain thread, or inside `coop::spawn_blocking`."
            );
        }
        let loops = match self.loops {
            Some(n) => n,
            None => std::thread::available_parallelism()?.get(),
        };
        let cores = if self.pin { pin::cores() } else { Vec::new() };
        let (done_tx, mut done_rx) = mpsc::unbounded_channel::<(usize, Outcome<Fut::Output>)>();

        let (results, first_panic, first_error) = std::thread::scope(|scope| {
            let mut stops = Vec::with_capacity(loops);
            let mut first_error = None;
            for index in 0..loops {
                let (stop_tx, stop_rx) = oneshot::channel::<()>();
                let done = done_tx.clone();
                let (f, cores, runtime) = (&f, &cores, &self.runtime);
                let pinned = self.pin;
                let spawned = std::thread::Builder::new()
                    .name(format!("{}-{index}", self.thread_name))
                    .spawn_scoped(scope, move || {
                        // The runtime is dropped inside the catch too: a
                        // task's panicking Drop is reported, not lost.
                        let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
                            let core = if pinned {
                                pin::pin_current(cores, index)
                            } else {
                                None
                            };
                            current::set(LoopInfo { index, loops, core });
                            let rt = match runtime.build() {
                                Ok(rt) => rt,
                                Err(e) => return Outcome::Failed(e),
                            };
                            rt.block_on(async move {
                                let work = std::pin::pin!(f(index));
                                match future::select(work, stop_rx).await {
                                    Either::Left((value, _)) => Outcome::Done(value),
                                    Either::Right(_) => Outcome::Stopped,
                                }
                            })
                        }));
                        // The caller holds the receiver until every sender
                        // is gone: this send cannot fail.
                        let _ = done.send((index, outcome.unwrap_or_else(Outcome::Panicked)));
                    });
                match spawned {
                    Ok(_) => stops.push(stop_tx),
                    Err(e) => {
                        first_error = Some(e);
                        break;
                    }
                }
            }
            drop(done_tx);
            if first_error.is_some() {
                stops.clear();
            }

            let mut results: Vec<Option<Fut::Output>> = (0..loops).map(|_| None).collect();
            let mut first_panic = None;
            // Ends when every loop thread has reported and dropped its sender.
            while let Some((index, outcome)) =
                crate::park_thread::block_on_thread("coop::per_core::run", done_rx.recv())
            {
                match outcome {
                    Outcome::Done(value) => results[index] = Some(value),
                    Outcome::Stopped => {}
                    Outcome::Panicked(payload) => {
                        first_panic.get_or_insert(payload);
                        stops.clear(); // tell the others to stop
                    }
                    Outcome::Failed(e) => {
                        first_error.get_or_insert(e);
                        stops.clear();
                    }
                }
            }
            (results, first_panic, first_error)
        });

        if let Some(payload) = first_panic {
            panic::resume_unwind(payload);
        }
        if let Some(e) = first_error {
            return Err(e);
        }
        // No panic and no error: nobody was told to stop, so every loop
        // reported `Done`.
        Ok(results
            .into_iter()
            .map(|r| r.expect("a loop that was not stopped reports its value"))
            .collect())
    }
}
