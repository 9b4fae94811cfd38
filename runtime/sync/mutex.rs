//! [`Mutex`]: an async mutex whose guard may be held across `.await`.
//!
//! It is a [`BatchSemaphore`] with one permit plus the data in a cell:
//! `lock` acquires the permit, the guard gives it back on drop. The
//! semaphore's FIFO line makes the mutex fair: a task that unlocks and locks
//! again at once goes to the back of the line, behind the tasks already
//! waiting. The uncontended `lock` and unlock are one CAS and one short
//! critical section.
//!
//! ```text
//!   lock() ── permit ──► MutexGuard ── Deref ──► &mut T
//!                            │ drop
//!                            ▼
//!                      permit back: the next waiter's turn
//! ```
//!
//! This file holds the one `unsafe` of `coop::sync`: handing out `&T` and
//! `&mut T` from the cell while the permit is held. Holding the single
//! permit is what makes that access exclusive.

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use super::batch_semaphore::BatchSemaphore;
use crate::loom::cell::UnsafeCell;

/// An async mutual-exclusion lock, FIFO-fair and cancel-safe.
///
/// A `lock` future dropped while it waits leaves the line; if it had
/// already been handed the lock, the lock passes to the next waiter, so
/// nobody is left waiting on a lock no one holds.
///
/// `Send + Sync` when `T: Send`, so it can be shared between loops and
/// threads; from a plain thread, [`blocking_lock`](Mutex::blocking_lock).
///
/// ```
/// use std::sync::Arc;
/// use coop::sync::Mutex;
///
/// coop::block_on(async {
///     let count = Arc::new(Mutex::new(0));
///     let mut tasks = Vec::new();
///     for _ in 0..10 {
///         let count = count.clone();
///         tasks.push(coop::spawn(async move {
///             let mut n = count.lock().await;
///             coop::yield_now().await; // the guard is held across an await
///             *n += 1;
///         }));
///     }
///     for task in tasks {
///         task.await.unwrap();
///     }
///     assert_eq!(*count.lock().await, 10);
/// });
/// ```
pub struct Mutex<T> {
    semaphore: BatchSemaphore,
    /// # Invariant
    /// Read or written only by the holder of `semaphore`'s one permit (a
    /// guard), or through `&mut self`.
    data: UnsafeCell<T>,
}

// SAFETY: the mutex hands out access to `T` to one thread at a time (the
// permit holder), so it may be sent and shared when `T` may be sent.
unsafe impl<T: Send> Send for Mutex<T> {}
// SAFETY: as above: `&Mutex<T>` only ever gives exclusive access to `T`.
unsafe impl<T: Send> Sync for Mutex<T> {}

/// The error of [`Mutex::try_lock`]: the lock is held (or someone waits
/// for it).
///
/// ```
/// let m = coop::sync::Mutex::new(1);
/// let _g = m.try_lock().unwrap();
/// assert_eq!(m.try_lock().unwrap_err().to_string(), "operation would block");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TryLockError(());

impl fmt::Display for TryLockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("operation would block")
    }
}

impl std::error::Error for TryLockError {}

impl<T> Mutex<T> {
    /// A new, unlocked mutex holding `value`.
    ///
    /// ```
    /// let m = coop::sync::Mutex::new(5);
    /// assert_eq!(m.into_inner(), 5);
    /// ```
    pub fn new(value: T) -> Mutex<T> {
        Mutex {
            semaphore: BatchSemaphore::new(1),
            data: UnsafeCell::new(value),
        }
    }

    /// Consumes the mutex and returns the value.
    ///
    /// ```
    /// let m = coop::sync::Mutex::new(String::from("hi"));
    /// assert_eq!(m.into_inner(), "hi");
    /// ```
    pub fn into_inner(self) -> T {
        self.data.into_inner()
    }
}

impl<T> Mutex<T> {
    /// Waits for the lock, in line (FIFO). Cancel-safe: dropping the future
    /// while it waits loses no place but its own, and a lock it had been
    /// handed passes to the next waiter.
    ///
    /// ```
    /// coop::block_on(async {
    ///     let m = coop::sync::Mutex::new(1);
    ///     *m.lock().await += 1;
    ///     assert_eq!(*m.lock().await, 2);
    /// });
    /// ```
    pub async fn lock(&self) -> MutexGuard<'_, T> {
        self.semaphore
            .acquire(1)
            .await
            .expect("a mutex's semaphore is never closed");
        MutexGuard { mutex: self }
    }

    /// Takes the lock if it is free now (and nobody waits for it).
    ///
    /// ```
    /// let m = coop::sync::Mutex::new(1);
    /// let g = m.try_lock().unwrap();
    /// assert!(m.try_lock().is_err());
    /// drop(g);
    /// assert!(m.try_lock().is_ok());
    /// ```
    pub fn try_lock(&self) -> Result<MutexGuard<'_, T>, TryLockError> {
        match self.semaphore.try_acquire(1) {
            Ok(()) => Ok(MutexGuard { mutex: self }),
            Err(_) => Err(TryLockError(())),
        }
    }

    /// Waits for the lock from a plain thread (not a coop loop), blocking it.
    ///
    /// # Panics
    /// On a thread that runs a coop loop: it would freeze the loop.
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// let m = Arc::new(coop::sync::Mutex::new(0));
    /// let m2 = m.clone();
    /// std::thread::spawn(move || *m2.blocking_lock() += 1).join().unwrap();
    /// assert_eq!(*m.blocking_lock(), 1);
    /// ```
    #[track_caller]
    pub fn blocking_lock(&self) -> MutexGuard<'_, T> {
        crate::park_thread::block_on_thread("Mutex::blocking_lock", self.lock())
    }

    /// Waits for the lock with a guard that owns an `Arc` of the mutex, so
    /// it can move into a spawned task. Cancel-safe, like
    /// [`lock`](Mutex::lock).
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// coop::block_on(async {
    ///     let m = Arc::new(coop::sync::Mutex::new(0));
    ///     let mut guard = m.clone().lock_owned().await;
    ///     coop::spawn(async move { *guard += 1 }).await.unwrap();
    ///     assert_eq!(*m.lock().await, 1);
    /// });
    /// ```
    pub async fn lock_owned(self: Arc<Self>) -> OwnedMutexGuard<T> {
        self.semaphore
            .acquire(1)
            .await
            .expect("a mutex's semaphore is never closed");
        OwnedMutexGuard { mutex: self }
    }

    /// Takes an owned guard if the lock is free now.
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// let m = Arc::new(coop::sync::Mutex::new(0));
    /// let g = m.clone().try_lock_owned().unwrap();
    /// assert!(m.clone().try_lock_owned().is_err());
    /// drop(g);
    /// ```
    pub fn try_lock_owned(self: Arc<Self>) -> Result<OwnedMutexGuard<T>, TryLockError> {
        match self.semaphore.try_acquire(1) {
            Ok(()) => Ok(OwnedMutexGuard { mutex: self }),
            Err(_) => Err(TryLockError(())),
        }
    }

    /// The value, through `&mut self`: no lock is needed, none is taken.
    ///
    /// ```
    /// let mut m = coop::sync::Mutex::new(1);
    /// *m.get_mut() = 2;
    /// assert_eq!(m.into_inner(), 2);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        // SAFETY: `&mut self` proves no guard exists (a guard borrows or
        // owns the mutex), so this is the only access to the cell.
        self.data.with_mut(|ptr| unsafe { &mut *ptr })
    }

    /// Shared access to the data for a guard.
    ///
    /// # Safety
    /// The caller holds the mutex's permit (it is a live guard), for at
    /// least as long as the returned reference lives.
    unsafe fn data_ref(&self) -> &T {
        // SAFETY: the caller holds the permit, so no one writes meanwhile.
        self.data.with(|ptr| unsafe { &*ptr })
    }

    /// Exclusive access to the data for a guard.
    ///
    /// # Safety
    /// As for [`data_ref`](Mutex::data_ref), through the guard's `&mut`.
    #[allow(clippy::mut_from_ref)]
    unsafe fn data_mut(&self) -> &mut T {
        // SAFETY: the caller holds the one permit and borrows its guard
        // mutably, so this is the only reference to the data.
        self.data.with_mut(|ptr| unsafe { &mut *ptr })
    }
}

impl<T: Default> Default for Mutex<T> {
    fn default() -> Self {
        Mutex::new(T::default())
    }
}

impl<T> From<T> for Mutex<T> {
    fn from(value: T) -> Self {
        Mutex::new(value)
    }
}

impl<T: fmt::Debug> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Mutex");
        match self.try_lock() {
            Ok(guard) => d.field("data", &&*guard),
            Err(_) => d.field("data", &format_args!("<locked>")),
        };
        d.finish()
    }
}

/// The lock of a [`Mutex`], borrowed; unlocks when dropped.
///
/// ```
/// coop::block_on(async {
///     let m = coop::sync::Mutex::new(vec![1]);
///     let mut guard = m.lock().await;
///     guard.push(2);
///     drop(guard); // the next waiter, if any, gets the lock
///     assert_eq!(*m.lock().await, [1, 2]);
/// });
/// ```
///
/// Sharing a guard shares `&T`, so a guard is `Sync` only when `T` is:
///
/// ```compile_fail
/// fn sync<T: Sync>(_: &T) {}
/// let m = coop::sync::Mutex::new(std::cell::Cell::new(0));
/// let guard = m.try_lock().unwrap();
/// sync(&guard); // error: `Cell<i32>` cannot be shared between threads
/// ```
#[must_use = "the lock is released at once if the guard is not held"]
pub struct MutexGuard<'a, T> {
    mutex: &'a Mutex<T>,
}

/// The lock of a [`Mutex`] in an `Arc`; unlocks when dropped.
///
/// ```
/// use std::sync::Arc;
///
/// coop::block_on(async {
///     let m = Arc::new(coop::sync::Mutex::new(1));
///     let guard = m.clone().lock_owned().await;
///     assert_eq!(*guard, 1);
/// });
/// ```
#[must_use = "the lock is released at once if the guard is not held"]
pub struct OwnedMutexGuard<T> {
    mutex: Arc<Mutex<T>>,
}

// SAFETY: a guard gives `&T` to whoever holds it, so sharing the guard
// shares `&T`: that needs `T: Sync`. (Sending it needs `T: Send`, which
// the auto trait already derives from `&Mutex<T>` / `Arc<Mutex<T>>`.)
unsafe impl<T: Sync> Sync for MutexGuard<'_, T> {}
// SAFETY: as for `MutexGuard`.
unsafe impl<T: Send + Sync> Sync for OwnedMutexGuard<T> {}

macro_rules! guard_impls {
    ($($guard:ident $(<$lt:lifetime>)?),*) => {$(
        impl<$($lt,)? T> Deref for $guard<$($lt,)? T> {
            type Target = T;
            fn deref(&self) -> &T {
                // SAFETY: a live guard holds the permit; the reference
                // borrows the guard, so it ends before the unlock.
                unsafe { self.mutex.data_ref() }
            }
        }

        impl<$($lt,)? T> DerefMut for $guard<$($lt,)? T> {
            fn deref_mut(&mut self) -> &mut T {
                // SAFETY: as above, and `&mut self` makes it the only one.
                unsafe { self.mutex.data_mut() }
            }
        }

        impl<$($lt,)? T> Drop for $guard<$($lt,)? T> {
            fn drop(&mut self) {
                self.mutex.semaphore.release(1);
            }
        }

        impl<$($lt,)? T: fmt::Debug> fmt::Debug for $guard<$($lt,)? T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&**self, f)
            }
        }
    )*};
}

guard_impls!(MutexGuard<'a>, OwnedMutexGuard);

/// The one `unsafe` of `coop::sync` under Miri (`cargo miri test --lib
/// mutex`): guards handed from waiter to waiter, borrowed and owned.
#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn guards_hand_the_data_from_waiter_to_waiter() {
        let mutex = Arc::new(Mutex::new(vec![0]));
        crate::block_on(async {
            let guard = mutex.lock().await;
            let waiters: Vec<_> = (1..4)
                .map(|i| {
                    let mutex = mutex.clone();
                    crate::spawn(async move {
                        let mut owned = mutex.lock_owned().await;
                        owned.push(i);
                    })
                })
                .collect();
            crate::yield_now().await;
            drop(guard);
            for w in waiters {
                w.await.unwrap();
            }
        });
        let mut mutex = Arc::into_inner(mutex).unwrap();
        mutex.get_mut().push(4);
        assert_eq!(mutex.into_inner(), [0, 1, 2, 3, 4]);
    }
}
