//! [`Semaphore`]: a counting semaphore, FIFO-fair and cancel-safe, with
//! borrowed ([`SemaphorePermit`]) and owned ([`OwnedSemaphorePermit`])
//! permits that give themselves back on drop.
//!
//! The counting and the waiting are in `batch_semaphore.rs`; this file is
//! the public face: tokio's names, errors and permit guards.

use std::fmt;
use std::sync::Arc;

use super::batch_semaphore::{BatchSemaphore, TryAcquire, MAX_PERMITS};

/// A counting semaphore: at most `permits` holders at once.
///
/// Waiting is fair: [`acquire`](Semaphore::acquire) calls are served in the
/// order they started waiting, and one that needs many permits is not
/// overtaken by later ones that need few. It is cancel-safe: an `acquire`
/// future dropped while waiting loses no permit; whatever it had been given
/// passes to the next waiter in line.
///
/// `Send + Sync`: share it in an [`Arc`] between tasks, loops and threads.
///
/// ```
/// use std::sync::Arc;
/// use coop::sync::Semaphore;
///
/// coop::block_on(async {
///     let limit = Arc::new(Semaphore::new(2));
///     let mut tasks = Vec::new();
///     for i in 0..5 {
///         let limit = limit.clone();
///         tasks.push(coop::spawn(async move {
///             let _permit = limit.acquire().await.unwrap(); // at most 2 here at once
///             coop::yield_now().await;
///             i
///         }));
///     }
///     for task in tasks {
///         task.await.unwrap();
///     }
///     assert_eq!(limit.available_permits(), 2);
/// });
/// ```
pub struct Semaphore {
    inner: BatchSemaphore,
}

/// The error of [`Semaphore::acquire`]: the semaphore was closed.
///
/// ```
/// let sem = coop::sync::Semaphore::new(0);
/// sem.close();
/// let err = coop::block_on(sem.acquire()).unwrap_err();
/// assert_eq!(err.to_string(), "semaphore closed");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcquireError(());

/// The error of [`Semaphore::try_acquire`].
///
/// ```
/// use coop::sync::{Semaphore, TryAcquireError};
///
/// let sem = Semaphore::new(0);
/// assert_eq!(sem.try_acquire().unwrap_err(), TryAcquireError::NoPermits);
/// sem.close();
/// assert_eq!(sem.try_acquire().unwrap_err(), TryAcquireError::Closed);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TryAcquireError {
    /// The semaphore was closed.
    Closed,
    /// Not enough permits were available right now.
    NoPermits,
}

impl fmt::Display for AcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("semaphore closed")
    }
}

impl std::error::Error for AcquireError {}

impl fmt::Display for TryAcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryAcquireError::Closed => f.write_str("semaphore closed"),
            TryAcquireError::NoPermits => f.write_str("no permits available"),
        }
    }
}

impl std::error::Error for TryAcquireError {}

impl From<TryAcquire> for TryAcquireError {
    fn from(e: TryAcquire) -> Self {
        match e {
            TryAcquire::Closed => TryAcquireError::Closed,
            TryAcquire::NoPermits => TryAcquireError::NoPermits,
        }
    }
}

impl Semaphore {
    /// The most permits a semaphore can hold: `usize::MAX >> 3`.
    ///
    /// ```
    /// assert_eq!(coop::sync::Semaphore::MAX_PERMITS, usize::MAX >> 3);
    /// ```
    pub const MAX_PERMITS: usize = MAX_PERMITS;

    /// A semaphore with `permits` permits.
    ///
    /// # Panics
    /// If `permits` exceeds [`Semaphore::MAX_PERMITS`].
    ///
    /// ```
    /// let sem = coop::sync::Semaphore::new(3);
    /// assert_eq!(sem.available_permits(), 3);
    /// ```
    #[track_caller]
    pub fn new(permits: usize) -> Semaphore {
        Semaphore {
            inner: BatchSemaphore::new(permits),
        }
    }

    /// Permits available right now (0 while anyone waits).
    ///
    /// ```
    /// let sem = coop::sync::Semaphore::new(2);
    /// let _p = sem.try_acquire().unwrap();
    /// assert_eq!(sem.available_permits(), 1);
    /// ```
    pub fn available_permits(&self) -> usize {
        self.inner.available_permits()
    }

    /// Adds `n` permits; waiters in line get them first.
    ///
    /// # Panics
    /// If the total would exceed [`Semaphore::MAX_PERMITS`].
    ///
    /// ```
    /// let sem = coop::sync::Semaphore::new(0);
    /// sem.add_permits(2);
    /// assert_eq!(sem.available_permits(), 2);
    /// ```
    #[track_caller]
    pub fn add_permits(&self, n: usize) {
        self.inner.release(n);
    }

    /// Closes the semaphore: waiting and later `acquire`s fail with
    /// [`AcquireError`]; permits already held stay valid and are given back
    /// as usual.
    ///
    /// ```
    /// let sem = coop::sync::Semaphore::new(1);
    /// sem.close();
    /// assert!(sem.is_closed());
    /// assert!(sem.try_acquire().is_err());
    /// ```
    pub fn close(&self) {
        self.inner.close();
    }

    /// True once [`close`](Semaphore::close) was called.
    ///
    /// ```
    /// assert!(!coop::sync::Semaphore::new(1).is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.inner.is_closed()
    }

    /// Waits for one permit. Cancel-safe: dropping the future while it
    /// waits gives its place, and any permit it was handed, to the next
    /// waiter.
    ///
    /// ```
    /// coop::block_on(async {
    ///     let sem = coop::sync::Semaphore::new(1);
    ///     let permit = sem.acquire().await.unwrap();
    ///     assert_eq!(sem.available_permits(), 0);
    ///     drop(permit);
    ///     assert_eq!(sem.available_permits(), 1);
    /// });
    /// ```
    pub async fn acquire(&self) -> Result<SemaphorePermit<'_>, AcquireError> {
        self.acquire_many(1).await
    }

    /// Waits for `n` permits at once, in line like any other waiter.
    /// Cancel-safe, like [`acquire`](Semaphore::acquire). `n = 0` is ready
    /// at once; `n` above what the semaphore will ever hold waits until
    /// [`close`](Semaphore::close) (then `Err`): bound it with a timeout.
    ///
    /// ```
    /// coop::block_on(async {
    ///     let sem = coop::sync::Semaphore::new(5);
    ///     let permits = sem.acquire_many(3).await.unwrap();
    ///     assert_eq!(permits.num_permits(), 3);
    ///     assert_eq!(sem.available_permits(), 2);
    /// });
    /// ```
    pub async fn acquire_many(&self, n: u32) -> Result<SemaphorePermit<'_>, AcquireError> {
        self.inner
            .acquire(n as usize)
            .await
            .map_err(|()| AcquireError(()))?;
        Ok(SemaphorePermit {
            semaphore: self,
            permits: n,
        })
    }

    /// Takes one permit if one is available now, without waiting (and never
    /// ahead of a waiter in line).
    ///
    /// ```
    /// let sem = coop::sync::Semaphore::new(1);
    /// let permit = sem.try_acquire().unwrap();
    /// assert!(sem.try_acquire().is_err());
    /// drop(permit);
    /// assert!(sem.try_acquire().is_ok());
    /// ```
    pub fn try_acquire(&self) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        self.try_acquire_many(1)
    }

    /// Takes `n` permits if they are available now.
    ///
    /// ```
    /// let sem = coop::sync::Semaphore::new(2);
    /// assert!(sem.try_acquire_many(3).is_err());
    /// assert_eq!(sem.try_acquire_many(2).unwrap().num_permits(), 2);
    /// ```
    pub fn try_acquire_many(&self, n: u32) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        self.inner.try_acquire(n as usize)?;
        Ok(SemaphorePermit {
            semaphore: self,
            permits: n,
        })
    }

    /// Waits for one permit that owns its `Arc` to the semaphore, so it can
    /// move into a spawned task. Cancel-safe.
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// coop::block_on(async {
    ///     let sem = Arc::new(coop::sync::Semaphore::new(1));
    ///     let permit = sem.clone().acquire_owned().await.unwrap();
    ///     let task = coop::spawn(async move {
    ///         let _permit = permit; // released when the task ends
    ///     });
    ///     task.await.unwrap();
    ///     assert_eq!(sem.available_permits(), 1);
    /// });
    /// ```
    pub async fn acquire_owned(self: Arc<Self>) -> Result<OwnedSemaphorePermit, AcquireError> {
        self.acquire_many_owned(1).await
    }

    /// Waits for `n` permits owning the `Arc`. Cancel-safe.
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// coop::block_on(async {
    ///     let sem = Arc::new(coop::sync::Semaphore::new(4));
    ///     let permits = sem.clone().acquire_many_owned(4).await.unwrap();
    ///     assert_eq!(permits.num_permits(), 4);
    /// });
    /// ```
    pub async fn acquire_many_owned(
        self: Arc<Self>,
        n: u32,
    ) -> Result<OwnedSemaphorePermit, AcquireError> {
        self.inner
            .acquire(n as usize)
            .await
            .map_err(|()| AcquireError(()))?;
        Ok(OwnedSemaphorePermit {
            semaphore: self,
            permits: n,
        })
    }

    /// Takes one owned permit if one is available now.
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// let sem = Arc::new(coop::sync::Semaphore::new(1));
    /// let permit = sem.clone().try_acquire_owned().unwrap();
    /// assert!(sem.clone().try_acquire_owned().is_err());
    /// drop(permit);
    /// ```
    pub fn try_acquire_owned(self: Arc<Self>) -> Result<OwnedSemaphorePermit, TryAcquireError> {
        self.inner.try_acquire(1)?;
        Ok(OwnedSemaphorePermit {
            semaphore: self,
            permits: 1,
        })
    }
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Semaphore")
            .field("available_permits", &self.available_permits())
            .field("closed", &self.is_closed())
            .finish()
    }
}

/// Permits borrowed from a [`Semaphore`]; given back when dropped.
///
/// ```
/// let sem = coop::sync::Semaphore::new(1);
/// {
///     let _permit = sem.try_acquire().unwrap();
///     assert_eq!(sem.available_permits(), 0);
/// }
/// assert_eq!(sem.available_permits(), 1);
/// ```
#[must_use = "the permit is given back at once if it is not held"]
#[derive(Debug)]
pub struct SemaphorePermit<'a> {
    semaphore: &'a Semaphore,
    permits: u32,
}

impl SemaphorePermit<'_> {
    /// How many permits this guard holds.
    ///
    /// ```
    /// let sem = coop::sync::Semaphore::new(2);
    /// assert_eq!(sem.try_acquire_many(2).unwrap().num_permits(), 2);
    /// ```
    pub fn num_permits(&self) -> usize {
        self.permits as usize
    }

    /// Keeps the permits out of the semaphore for good (they are not given
    /// back).
    ///
    /// ```
    /// let sem = coop::sync::Semaphore::new(2);
    /// sem.try_acquire().unwrap().forget();
    /// assert_eq!(sem.available_permits(), 1);
    /// ```
    pub fn forget(mut self) {
        self.permits = 0;
    }
}

impl Drop for SemaphorePermit<'_> {
    fn drop(&mut self) {
        self.semaphore.inner.release(self.permits as usize);
    }
}

/// Permits that own an `Arc` of their [`Semaphore`]; given back when
/// dropped.
///
/// ```
/// use std::sync::Arc;
///
/// let sem = Arc::new(coop::sync::Semaphore::new(1));
/// let permit = sem.clone().try_acquire_owned().unwrap();
/// assert_eq!(permit.semaphore().available_permits(), 0);
/// drop(permit);
/// assert_eq!(sem.available_permits(), 1);
/// ```
#[must_use = "the permit is given back at once if it is not held"]
#[derive(Debug)]
pub struct OwnedSemaphorePermit {
    semaphore: Arc<Semaphore>,
    permits: u32,
}

impl OwnedSemaphorePermit {
    /// How many permits this guard holds.
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// let sem = Arc::new(coop::sync::Semaphore::new(1));
    /// assert_eq!(sem.try_acquire_owned().unwrap().num_permits(), 1);
    /// ```
    pub fn num_permits(&self) -> usize {
        self.permits as usize
    }

    /// The semaphore these permits came from.
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// let sem = Arc::new(coop::sync::Semaphore::new(1));
    /// let permit = sem.clone().try_acquire_owned().unwrap();
    /// assert!(Arc::ptr_eq(permit.semaphore(), &sem));
    /// ```
    pub fn semaphore(&self) -> &Arc<Semaphore> {
        &self.semaphore
    }

    /// Keeps the permits out of the semaphore for good.
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// let sem = Arc::new(coop::sync::Semaphore::new(1));
    /// sem.clone().try_acquire_owned().unwrap().forget();
    /// assert_eq!(sem.available_permits(), 0);
    /// ```
    pub fn forget(mut self) {
        self.permits = 0;
    }
}

impl Drop for OwnedSemaphorePermit {
    fn drop(&mut self) {
        self.semaphore.inner.release(self.permits as usize);
    }
}
