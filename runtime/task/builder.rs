//! `coop::task::Builder` (spawn a task with a name) and `coop::task::id()`
//! (which task is running).
//!
//! A name does not live in the task's allocation: the loop keeps it in a
//! side table keyed by [`TaskId`] (`observe/records.rs`) until
//! the task finishes, so an unnamed task costs the same memory as before.

use std::future::Future;

use super::{JoinHandle, TaskId};

/// Settings for one task before it is spawned, as tokio's `task::Builder`.
///
/// ```
/// coop::block_on(async {
///     let handle = coop::task::Builder::new()
///         .name("worker")
///         .spawn(async { 1 });
///     assert_eq!(handle.await.unwrap(), 1);
/// });
/// ```
#[derive(Debug, Default, Clone)]
#[must_use = "a task::Builder does nothing until `spawn` is called"]
pub struct Builder {
    name: Option<Box<str>>,
}

impl Builder {
    /// A builder with no name.
    ///
    /// ```
    /// coop::block_on(async {
    ///     let handle = coop::task::Builder::new().spawn(async {});
    ///     handle.await.unwrap();
    /// });
    /// ```
    pub fn new() -> Builder {
        Builder::default()
    }

    /// The task's name. The loop keeps it beside the task until the task
    /// finishes; [`Runtime::tasks`](crate::Runtime::tasks) and the
    /// slow-poll warning show it.
    ///
    /// ```
    /// coop::block_on(async {
    ///     coop::task::Builder::new().name("reader").spawn(async {}).await.unwrap();
    /// });
    /// ```
    pub fn name(mut self, name: &str) -> Builder {
        self.name = Some(name.into());
        self
    }

    /// Spawns `future` on the current runtime, as [`coop::spawn`](crate::spawn)
    /// does (the future need not be `Send`).
    ///
    /// # Panics
    /// Outside a runtime, as `coop::spawn`.
    ///
    /// ```
    /// use std::rc::Rc;
    ///
    /// coop::block_on(async {
    ///     let rc = Rc::new(3);
    ///     let handle = coop::task::Builder::new()
    ///         .name("rc")
    ///         .spawn(async move { *rc });
    ///     assert_eq!(handle.await.unwrap(), 3);
    /// });
    /// ```
    #[track_caller]
    pub fn spawn<F>(self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let location = std::panic::Location::caller();
        let name = self.name;
        crate::context::core("coop::task::Builder::spawn").spawn_named(future, location, name)
    }
}

/// The id of the task that is running.
///
/// # Panics
/// Outside a task (in the future given to `block_on`, or off the loop):
/// use [`try_id`] there.
///
/// ```
/// coop::block_on(async {
///     let handle = coop::spawn(async { coop::task::id() });
///     let id = handle.id();
///     assert_eq!(handle.await.unwrap(), id);
/// });
/// ```
#[track_caller]
pub fn id() -> TaskId {
    match try_id() {
        Some(id) => id,
        None => panic!(
            "`coop::task::id()` was called outside a task (the future given to `block_on` \
             is not a task). Call it from a future spawned with `coop::spawn`, or use \
             `coop::task::try_id()`, which returns `None` there."
        ),
    }
}

/// The id of the task that is running, or `None` outside a task.
///
/// ```
/// coop::block_on(async {
///     assert_eq!(coop::task::try_id(), None); // block_on's future is no task
///     let id = coop::spawn(async { coop::task::try_id() }).await.unwrap();
///     assert!(id.is_some());
/// });
/// ```
pub fn try_id() -> Option<TaskId> {
    crate::context::try_with_core(|core| core.current_task()).flatten()
}
