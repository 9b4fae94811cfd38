//! `JoinError`: why a task produced no output.

use std::any::Any;
use std::fmt;

use super::id::TaskId;
use crate::loom::sync::Mutex;

/// A task did not run to completion: it was cancelled (aborted, or the
/// runtime shut down first) or it panicked.
///
/// ```
/// coop::block_on(async {
///     let handle = coop::spawn(async { panic!("boom") });
///     let err = handle.await.unwrap_err();
///     assert!(err.is_panic());
///     assert!(err.to_string().contains("boom"));
/// });
/// ```
///
/// ## `.await??` in an `io::Result` function
///
/// `JoinError` converts into [`std::io::Error`] (kind
/// [`Other`](std::io::ErrorKind::Other), with the message above), so a
/// task that returns an `io::Result` can be awaited with two `?`s: the
/// first for the task (cancelled or panicked), the second for its own
/// result. To tell a panic apart, match on the `JoinError` before
/// converting it.
///
/// ```
/// use std::io;
///
/// async fn read_config() -> io::Result<String> {
///     let task = coop::spawn_blocking(|| std::fs::read_to_string("/no/such/file"));
///     let text = task.await??; // JoinError -> io::Error, then the read's own error
///     Ok(text)
/// }
///
/// let err = coop::block_on(read_config()).unwrap_err();
/// assert_eq!(err.kind(), io::ErrorKind::NotFound);
/// ```
pub struct JoinError {
    repr: Repr,
}

/// Two words with a tag that has room to spare: `Result<T, JoinError>`
/// and the task's stage enum around it need no extra tag word, so every
/// task's output cell stays small. Panics are rare; they pay a box.
enum Repr {
    Cancelled(TaskId),
    Panic(Box<Panicked>),
}

struct Panicked {
    id: TaskId,
    /// The payload is `Send` but not `Sync`; the mutex makes `JoinError`
    /// `Sync` so it fits `Box<dyn Error + Send + Sync>`.
    payload: Mutex<Box<dyn Any + Send + 'static>>,
}

impl JoinError {
    pub(crate) fn cancelled(id: TaskId) -> JoinError {
        JoinError {
            repr: Repr::Cancelled(id),
        }
    }

    pub(crate) fn panic(id: TaskId, payload: Box<dyn Any + Send + 'static>) -> JoinError {
        JoinError {
            repr: Repr::Panic(Box::new(Panicked {
                id,
                payload: Mutex::new(payload),
            })),
        }
    }

    /// True if the task was aborted or dropped at runtime shutdown.
    ///
    /// ```
    /// coop::block_on(async {
    ///     let handle = coop::spawn(std::future::pending::<()>());
    ///     handle.abort();
    ///     assert!(handle.await.unwrap_err().is_cancelled());
    /// });
    /// ```
    pub fn is_cancelled(&self) -> bool {
        matches!(self.repr, Repr::Cancelled(_))
    }

    /// True if the task panicked.
    ///
    /// ```
    /// coop::block_on(async {
    ///     let err = coop::spawn(async { panic!("oops") }).await.unwrap_err();
    ///     assert!(err.is_panic());
    /// });
    /// ```
    pub fn is_panic(&self) -> bool {
        matches!(self.repr, Repr::Panic(_))
    }

    /// The id of the task that failed.
    ///
    /// ```
    /// coop::block_on(async {
    ///     let handle = coop::spawn(async { panic!("oops") });
    ///     let id = handle.id();
    ///     assert_eq!(handle.await.unwrap_err().id(), id);
    /// });
    /// ```
    pub fn id(&self) -> TaskId {
        match &self.repr {
            Repr::Cancelled(id) => *id,
            Repr::Panic(panicked) => panicked.id,
        }
    }

    /// The panic payload, to re-raise with [`std::panic::resume_unwind`].
    ///
    /// # Panics
    /// If the task was cancelled rather than panicked; check
    /// [`is_panic`](Self::is_panic) or use [`try_into_panic`](Self::try_into_panic).
    ///
    /// ```
    /// coop::block_on(async {
    ///     let err = coop::spawn(async { panic!("oops") }).await.unwrap_err();
    ///     let payload = err.into_panic();
    ///     assert_eq!(payload.downcast_ref::<&str>(), Some(&"oops"));
    /// });
    /// ```
    #[track_caller]
    pub fn into_panic(self) -> Box<dyn Any + Send + 'static> {
        self.try_into_panic()
            .expect("`JoinError::into_panic` called on a cancelled task; check `is_panic()` first")
    }

    /// The panic payload, or the error back if the task was cancelled.
    ///
    /// ```
    /// coop::block_on(async {
    ///     let handle = coop::spawn(std::future::pending::<()>());
    ///     handle.abort();
    ///     assert!(handle.await.unwrap_err().try_into_panic().is_err());
    /// });
    /// ```
    pub fn try_into_panic(self) -> Result<Box<dyn Any + Send + 'static>, JoinError> {
        match self.repr {
            Repr::Panic(panicked) => Ok(panicked.payload.into_inner()),
            Repr::Cancelled(_) => Err(self),
        }
    }

    fn panic_message(&self) -> Option<String> {
        let Repr::Panic(panicked) = &self.repr else {
            return None;
        };
        let payload = panicked.payload.lock();
        if let Some(s) = payload.downcast_ref::<&'static str>() {
            Some((*s).to_owned())
        } else {
            payload.downcast_ref::<String>().cloned()
        }
    }
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.repr {
            Repr::Cancelled(_) => write!(f, "task {} was cancelled", self.id()),
            Repr::Panic(_) => match self.panic_message() {
                Some(msg) => write!(f, "task {} panicked with message {:?}", self.id(), msg),
                None => write!(f, "task {} panicked", self.id()),
            },
        }
    }
}

impl fmt::Debug for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.repr {
            Repr::Cancelled(_) => write!(f, "JoinError::Cancelled({:?})", self.id()),
            Repr::Panic(_) => match self.panic_message() {
                Some(msg) => write!(f, "JoinError::Panic({:?}, {:?})", self.id(), msg),
                None => write!(f, "JoinError::Panic({:?}, ..)", self.id()),
            },
        }
    }
}

impl std::error::Error for JoinError {}

/// `JoinError` → [`std::io::Error`] of kind `Other`, so `.await??` works
/// in a function returning `io::Result` (see [`JoinError`]).
///
/// ```
/// coop::block_on(async {
///     let handle = coop::spawn(async { panic!("boom") });
///     let err: std::io::Error = handle.await.unwrap_err().into();
///     assert_eq!(err.kind(), std::io::ErrorKind::Other);
///     assert!(err.to_string().contains("boom"));
/// });
/// ```
impl From<JoinError> for std::io::Error {
    fn from(err: JoinError) -> std::io::Error {
        std::io::Error::other(err.to_string())
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn a_join_error_and_a_unit_result_are_two_words() {
        // Every task's output cell holds a `Result<T, JoinError>`; keeping
        // it this small is what keeps an idle task under 100 bytes.
        let words = 2 * std::mem::size_of::<usize>();
        assert_eq!(std::mem::size_of::<JoinError>(), words);
        assert_eq!(std::mem::size_of::<Result<(), JoinError>>(), words);
    }

    #[test]
    fn both_kinds_keep_their_task_id() {
        let id = TaskId::next();
        assert_eq!(JoinError::cancelled(id).id(), id);
        let err = JoinError::panic(id, Box::new("boom"));
        assert_eq!(err.id(), id);
        assert_eq!(
            err.to_string(),
            format!("task {id} panicked with message \"boom\"")
        );
    }
}
