//! The names of blocking-pool threads, as `ps -L`, `top -H`, gdb and perf
//! show them.
//!
//! Linux keeps at most 15 bytes of a thread's name, so a long prefix hides
//! the number: `coop-blocking-1` and `coop-blocking-10` would both show as
//! `coop-blocking-1`. The default name is `coop-blk-{n}`: 9 bytes of
//! prefix leave 6 for the number, and `n` is the smallest number no live
//! worker has (a number is reused once its worker has exited), so live
//! workers show distinct names up to a million of them.
//!
//! [`Builder::thread_name`](crate::Builder::thread_name) sets another
//! prefix; [`Builder::thread_name_fn`](crate::Builder::thread_name_fn) a
//! function called for every new worker, as in tokio.

use std::fmt;

use crate::loom::sync::WakeArc;

/// The default prefix: `coop-blk-0`, `coop-blk-1`, ...
pub(crate) const DEFAULT_PREFIX: &str = "coop-blk-";

/// How a new worker gets its name.
#[derive(Clone)]
pub(crate) enum ThreadName {
    /// The prefix followed by the worker's number.
    Prefix(String),
    /// A user function, called once per new worker. Behind std's `Arc`
    /// (`WakeArc`): it is immutable, so a loom model has nothing to see.
    Fn(WakeArc<dyn Fn() -> String + Send + Sync + 'static>),
}

impl ThreadName {
    /// The name of the worker numbered `number`.
    ///
    /// A `thread_name_fn` is user code, called with the pool's lock held: a
    /// panic in it is caught (the panic hook reports it) and, like a name
    /// that `std::thread` would refuse (one with a NUL byte), replaced by
    /// the default name, so the job that needed the worker still runs.
    pub(crate) fn name(&self, number: usize) -> String {
        match self {
            ThreadName::Prefix(prefix) => format!("{prefix}{number}"),
            ThreadName::Fn(f) => match crate::catch::catch(|| f()) {
                Some(name) if !name.contains('\0') => name,
                _ => format!("{DEFAULT_PREFIX}{number}"),
            },
        }
    }
}

impl Default for ThreadName {
    fn default() -> ThreadName {
        ThreadName::Prefix(DEFAULT_PREFIX.to_owned())
    }
}

impl fmt::Debug for ThreadName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ThreadName::Prefix(prefix) => write!(f, "{prefix:?}{{n}}"),
            ThreadName::Fn(_) => f.write_str("<thread_name_fn>"),
        }
    }
}
