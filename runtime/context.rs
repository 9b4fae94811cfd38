//! The thread-local "current runtime".
//!
//! `block_on` puts its loop's [`Core`] here for as long as it runs; free
//! functions such as [`spawn`](crate::spawn) and [`sleep`](crate::time::sleep)
//! find it here. There is no global runtime: outside `block_on` there is
//! nothing to find, and those functions panic with a message that says what
//! to do instead.

use std::cell::RefCell;
use std::panic::Location;
use std::rc::Rc;

use crate::executor::{Core, Shared};
use crate::loom::sync::Arc;
use crate::Handle;

crate::loom::thread_local! {
    static CURRENT: RefCell<Option<Rc<Core>>> = RefCell::new(None);
}

/// Makes `core` the current runtime until the guard drops.
///
/// # Panics
/// If this thread is already running a loop: `block_on` inside `block_on`
/// would block the outer loop, which could then never wake the inner one.
#[track_caller]
pub(crate) fn enter(core: Rc<Core>) -> EnterGuard {
    CURRENT.with(|current| {
        let busy = match current.try_borrow_mut() {
            Ok(mut slot) if slot.is_none() => {
                *slot = Some(core);
                false
            }
            _ => true,
        };
        if busy {
            nested_block_on();
        }
    });
    EnterGuard(())
}

/// Panics with the nested-`block_on` message if a runtime is current.
#[track_caller]
pub(crate) fn enter_check() {
    if is_entered() {
        nested_block_on();
    }
}

#[track_caller]
fn nested_block_on() -> ! {
    panic!(
        "Cannot call `block_on` from inside a coop runtime: this thread is already \
         running an event loop, and blocking it would stop every task on it. \
         Inside async code, `.await` the future instead, or run it as a task with \
         `coop::spawn(future)`."
    );
}

/// Clears the current runtime when dropped (also on unwind).
pub(crate) struct EnterGuard(());

impl Drop for EnterGuard {
    fn drop(&mut self) {
        let core = CURRENT.with(|current| current.borrow_mut().take());
        // Dropped outside the borrow: dropping the last `Rc<Core>` may run
        // task destructors that look at CURRENT again.
        drop(core);
    }
}

/// True if a runtime is current on this thread.
pub(crate) fn is_entered() -> bool {
    CURRENT
        .try_with(|current| current.try_borrow().map_or(true, |c| c.is_some()))
        .unwrap_or(false)
}

/// Calls `f` with the current runtime's core.
///
/// # Panics
/// Outside a runtime, naming `api` and saying how to get one.
#[track_caller]
pub(crate) fn with_core<R>(api: &str, f: impl FnOnce(&Rc<Core>) -> R) -> R {
    match try_with_core(f) {
        Some(r) => r,
        None => panic!(
            "`{api}` was called outside a coop runtime. Call it from async code running \
             inside `coop::block_on(...)` or `Runtime::block_on(...)`; to start a task from \
             outside, use `Runtime::spawn` or a `coop::Handle`."
        ),
    }
}

/// A public function and the line that called it, for a misuse panic that
/// is raised later than the call: an `async fn`'s body (`TcpListener::bind`
/// registering its socket) runs only at the future's first poll, where the
/// caller's line is no longer known.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Caller {
    api: &'static str,
    at: &'static Location<'static>,
}

impl Caller {
    /// `api`, called from the line that called the `#[track_caller]` chain.
    #[track_caller]
    pub(crate) fn new(api: &'static str) -> Caller {
        Caller {
            api,
            at: Location::caller(),
        }
    }
}

/// [`with_core`] for a socket constructor: the panic names `caller`'s
/// public function and the line it was called from.
#[track_caller]
pub(crate) fn with_core_for<R>(caller: Caller, f: impl FnOnce(&Rc<Core>) -> R) -> R {
    match try_with_core(f) {
        Some(r) => r,
        None => panic!(
            "`{}` was called outside a coop runtime (at {}). A socket belongs to the \
             runtime that creates it, whose loop drives it: call it from async code running \
             inside `coop::block_on(...)` or `Runtime::block_on(...)`, or in a task spawned \
             there.",
            caller.api, caller.at
        ),
    }
}

/// Calls `f` with the current runtime's core, if there is one.
pub(crate) fn try_with_core<R>(f: impl FnOnce(&Rc<Core>) -> R) -> Option<R> {
    CURRENT
        .try_with(|current| {
            let current = current.try_borrow().ok()?;
            current.as_ref().map(f)
        })
        .ok()
        .flatten()
}

/// Runs `f` with `core` as the current runtime, whatever was current
/// before (used to drop a runtime's tasks where their `Drop`s can find it),
/// and restores the previous one afterwards.
pub(crate) fn scoped<R>(core: Rc<Core>, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Rc<Core>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let ours = CURRENT
                .try_with(|current| std::mem::replace(&mut *current.borrow_mut(), self.0.take()));
            drop(ours);
        }
    }
    let previous = CURRENT.with(|current| current.borrow_mut().replace(core));
    let _restore = Restore(previous);
    f()
}

crate::loom::thread_local! {
    /// The runtime a thread that is not its loop works for: set on blocking
    /// pool threads and inside `Handle::block_on`, read by
    /// `Handle::current`.
    static HANDLE: RefCell<Option<Arc<Shared>>> = RefCell::new(None);
}

/// Makes `shared` the current handle's runtime until the guard drops.
pub(crate) fn enter_handle(shared: Arc<Shared>) -> HandleGuard {
    let previous = HANDLE.with(|h| h.borrow_mut().replace(shared));
    HandleGuard(previous)
}

/// Restores the previous current handle when dropped.
pub(crate) struct HandleGuard(Option<Arc<Shared>>);

impl Drop for HandleGuard {
    fn drop(&mut self) {
        let previous = self.0.take();
        let ours = HANDLE.try_with(|h| std::mem::replace(&mut *h.borrow_mut(), previous));
        drop(ours);
    }
}

/// The runtime of the current loop, else of the current handle, if any.
pub(crate) fn current_shared() -> Option<Arc<Shared>> {
    try_with_core(|core| core.shared().clone()).or_else(|| {
        HANDLE
            .try_with(|h| h.try_borrow().ok().and_then(|h| h.clone()))
            .ok()
            .flatten()
    })
}

/// The handle of the current runtime (see [`Handle::current`]), for the
/// public function `api`.
///
/// # Panics
/// Outside a runtime, naming `api` and saying where it works.
#[track_caller]
pub(crate) fn current_handle(api: &str) -> Handle {
    match current_shared() {
        Some(shared) => Handle::new(shared),
        None => panic!(
            "`{api}` was called outside a coop runtime. Call it from async code running \
             inside `coop::block_on(...)` or `Runtime::block_on(...)`, from a blocking job or \
             inside `Handle::block_on`; from any other thread, get a handle with \
             `Runtime::handle()` and call `Handle::spawn_blocking` on it."
        ),
    }
}
