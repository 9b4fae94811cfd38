//! The one sync shim: every atomic, mutex, condvar, shared cell and thread
//! that two threads can touch comes from here.
//!
//! In a normal build these are `std`'s types. Under `--cfg loom` they are
//! [`loom`](https://docs.rs/loom)'s, which record every access so a loom
//! model can explore each interleaving of the threads that touch them. Code
//! elsewhere in coop writes `crate::loom::sync::Mutex`, never
//! `std::sync::Mutex`, so that swapping happens in this file and nowhere else.
//!
//! Two small wrappers smooth over the differences between the two worlds:
//!
//! * [`sync::Mutex::lock`] returns the guard directly. A poisoned lock means
//!   a panic happened while it was held; coop's critical sections never leave
//!   their data half-updated, so the guard is taken anyway.
//! * [`cell::UnsafeCell`] exposes loom's `with` / `with_mut` API in both
//!   worlds, so every access to a shared cell is visible to the model checker.

#![allow(dead_code)]

#[cfg(not(loom))]
mod imp {
    pub(crate) use std::hint;
    pub(crate) use std::sync::atomic;
    pub(crate) use std::sync::RwLock as RawRwLock;
    pub(crate) use std::sync::{Arc, Condvar, MutexGuard, RwLockReadGuard, RwLockWriteGuard};
    pub(crate) use std::thread;

    pub(crate) use std::cell::UnsafeCell as RawUnsafeCell;
    pub(crate) use std::sync::Mutex as RawMutex;
}

#[cfg(loom)]
mod imp {
    pub(crate) use loom::hint;
    pub(crate) use loom::sync::atomic;
    pub(crate) use loom::sync::RwLock as RawRwLock;
    pub(crate) use loom::sync::{Arc, Condvar, MutexGuard, RwLockReadGuard, RwLockWriteGuard};
    pub(crate) use loom::thread;

    pub(crate) use loom::cell::UnsafeCell as RawUnsafeCell;
    pub(crate) use loom::sync::Mutex as RawMutex;
}

/// Synchronisation primitives shared between threads.
pub(crate) mod sync {
    #[allow(unused_imports)]
    pub(crate) use super::imp::{
        atomic, Arc, Condvar, MutexGuard, RwLockReadGuard, RwLockWriteGuard,
    };

    /// `std::task::Wake` is implemented only for `std`'s `Arc`, so a waker
    /// built that way uses this one even under loom. Its reference count is
    /// the one atomic loom does not see; what the waker *does* goes through
    /// the shim's types.
    pub(crate) use std::sync::Arc as WakeArc;

    /// A process-wide, set-once value (a `static` cache). Loom cannot make
    /// statics, and only code that is not built under loom (`net/`) uses
    /// it, so it stays `std`'s.
    #[cfg(not(loom))]
    pub(crate) use std::sync::OnceLock;

    /// A mutex whose `lock` never reports poisoning (see the module docs).
    #[derive(Debug, Default)]
    pub(crate) struct Mutex<T>(super::imp::RawMutex<T>);

    impl<T> Mutex<T> {
        pub(crate) fn new(value: T) -> Self {
            Mutex(super::imp::RawMutex::new(value))
        }

        pub(crate) fn lock(&self) -> MutexGuard<'_, T> {
            self.0
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
        }

        pub(crate) fn into_inner(self) -> T {
            self.0
                .into_inner()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
        }
    }

    /// A reader-writer lock that never reports poisoning, like [`Mutex`].
    #[derive(Debug, Default)]
    pub(crate) struct RwLock<T>(super::imp::RawRwLock<T>);

    impl<T> RwLock<T> {
        pub(crate) fn new(value: T) -> Self {
            RwLock(super::imp::RawRwLock::new(value))
        }

        pub(crate) fn read(&self) -> RwLockReadGuard<'_, T> {
            self.0
                .read()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
        }

        pub(crate) fn write(&self) -> RwLockWriteGuard<'_, T> {
            self.0
                .write()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
        }
    }
}

/// `spin_loop`: under loom a yield, so a model can spin on a word another
/// model thread is about to change.
#[allow(unused_imports)]
pub(crate) mod hint {
    pub(crate) use super::imp::hint::spin_loop;
}

/// Threads, so that loom can run them as model threads.
#[allow(unused_imports)]
pub(crate) mod thread {
    pub(crate) use super::imp::thread::*;
}

/// An `UnsafeCell` with loom's closure-based access API.
pub(crate) mod cell {
    /// Interior mutability whose every access goes through a closure, so
    /// loom can check that no two threads touch it at once.
    #[derive(Debug)]
    pub(crate) struct UnsafeCell<T>(super::imp::RawUnsafeCell<T>);

    impl<T> UnsafeCell<T> {
        pub(crate) fn new(value: T) -> Self {
            UnsafeCell(super::imp::RawUnsafeCell::new(value))
        }

        pub(crate) fn into_inner(self) -> T {
            self.0.into_inner()
        }

        /// Reads through a raw pointer. The caller's own `unsafe` block
        /// states why no writer exists at the same time.
        #[cfg(not(loom))]
        #[inline(always)]
        pub(crate) fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
            f(self.0.get())
        }

        /// Writes through a raw pointer. The caller's own `unsafe` block
        /// states why it has exclusive access.
        #[cfg(not(loom))]
        #[inline(always)]
        pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
            f(self.0.get())
        }

        #[cfg(loom)]
        pub(crate) fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
            self.0.with(f)
        }

        #[cfg(loom)]
        pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
            self.0.with_mut(f)
        }
    }
}

/// `thread_local!` that gives each loom thread its own value under loom.
///
/// A `const { … }` initialiser is passed on as such to `std` (no lazy
/// initialisation check on each access: the loop reads some of these on
/// every poll and wake) and as a plain expression to loom.
macro_rules! coop_thread_local {
    ($(#[$attr:meta])* $vis:vis static $name:ident: $t:ty = const { $init:expr };) => {
        #[cfg(not(loom))]
        std::thread_local! { $(#[$attr])* $vis static $name: $t = const { $init }; }
        #[cfg(loom)]
        loom::thread_local! { $(#[$attr])* $vis static $name: $t = $init; }
    };
    ($($tt:tt)*) => {
        #[cfg(not(loom))]
        std::thread_local! { $($tt)* }
        #[cfg(loom)]
        loom::thread_local! { $($tt)* }
    };
}
pub(crate) use coop_thread_local as thread_local;

/// A process-wide counter for ids (tasks, runtimes).
///
/// It needs no ordering with anything else (`Relaxed`), so loom has nothing
/// to explore here; it stays a `std` atomic, which loom cannot make `static`.
pub(crate) fn next_unique_id() -> u64 {
    next_unique_ids(1)
}

/// Reserves `n` consecutive ids from the same counter; returns the first.
pub(crate) fn next_unique_ids(n: u64) -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(n, std::sync::atomic::Ordering::Relaxed)
}
