//! The thread-local "current runtime".
//!
//! `block_on` puts its loop's [`Core`] here for as long as it runs; free
//! functions such as [`spawn`](crate::spawn) and [`sleep`](crate::time::sleep)
//! find it here. There is no global runtime: outside `block_on` there is
//! nothing to find, and those functions panic with a message that says what
//! to do instead.
//!
//! It also keeps, process-wide, the ids of the runtimes whose loop is
//! running right now (inside a `block_on`, on whichever thread). A socket
//! that is about to wait asks it whether anything will ever wake it: see
//! [`SocketWatch`].

use std::cell::{Cell, RefCell};
use std::panic::Location;
use std::rc::Rc;

use crate::executor::{Core, Shared};
use crate::loom::sync::Arc;
use crate::Handle;

crate::loom::thread_local! {
    static CURRENT: RefCell<Option<Rc<Core>>> = const { RefCell::new(None) };
}

crate::loom::thread_local! {
    /// The address of the current runtime's shared half (null with none),
    /// kept in step with `CURRENT` by every function here that changes it.
    /// "Is this thread the loop of that task's runtime?" is then one
    /// thread-local load and a compare ([`is_loop_of`]): no borrow of
    /// `CURRENT`, and no destructor-registration check (a `Cell` of a
    /// pointer needs no destructor). A waker's clone and drop ask it.
    static LOOP: Cell<*const Shared> = const { Cell::new(std::ptr::null()) };
}

/// Points `LOOP` at `core`'s shared half, or at nothing.
fn set_loop(core: Option<&Rc<Core>>) {
    let shared = core.map_or(std::ptr::null(), |core| &**core.shared() as *const Shared);
    // A `Cell` with no destructor is never torn down: this cannot fail.
    let _ = LOOP.try_with(|l| l.set(shared));
}

/// Whether this thread is running the loop of the runtime whose shared half
/// is `shared`: its `Core` is current here. (The caller's `Arc` keeps
/// `shared` alive, and `LOOP` points at a live one or is null, so equal
/// addresses mean the same runtime.)
#[inline(always)]
pub(crate) fn is_loop_of(shared: &Arc<Shared>) -> bool {
    LOOP.try_with(|l| std::ptr::eq(l.get(), &**shared))
        .unwrap_or(false)
}

/// Makes `core` the current runtime until the guard drops.
///
/// # Panics
/// If this thread is already running a loop: `block_on` inside `block_on`
/// would block the outer loop, which could then never wake the inner one.
#[track_caller]
pub(crate) fn enter(core: Rc<Core>) -> EnterGuard {
    let id = core.id();
    let busy = CURRENT.try_with(|current| match current.try_borrow_mut() {
        Ok(mut slot) if slot.is_none() => {
            set_loop(Some(&core));
            *slot = Some(core);
            false
        }
        _ => true,
    });
    // Outside the closure: `#[track_caller]` does not reach into closures,
    // and the panic must name the caller's line, not this file.
    match busy {
        Ok(false) => {}
        Ok(true) => nested_block_on(),
        Err(_) => thread_exiting(),
    }
    driven::insert(id);
    EnterGuard(id)
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

/// `block_on` from a thread-local's destructor, after coop's own
/// thread-local (the current runtime) was destroyed: the loop has nowhere
/// to say "I am running", so `spawn` and `sleep` inside could not find it.
#[track_caller]
#[cold]
fn thread_exiting() -> ! {
    panic!(
        "Cannot call `block_on` while this thread is exiting: coop's thread-local \
         state was already destroyed (this is a thread-local's destructor that runs \
         after coop's). Run the future before the thread ends, for example from \
         an explicit shutdown call or a guard dropped at the end of the thread's \
         main function, or send it to a runtime on another thread with \
         `Handle::spawn`."
    );
}

/// Clears the current runtime when dropped (also on unwind). Holds the
/// runtime's id, which is in the `driven` list as long as the guard lives.
pub(crate) struct EnterGuard(u64);

impl Drop for EnterGuard {
    fn drop(&mut self) {
        driven::remove(self.0);
        let core = CURRENT.with(|current| current.borrow_mut().take());
        set_loop(None);
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
///
/// Inlined, with the panic out of line: `coop::spawn` passes its future
/// through `f`, and every call boundary on the way copies it again (a
/// spawn of a small future spent more in those copies than in its
/// locked operations).
#[track_caller]
#[inline(always)]
pub(crate) fn with_core<R>(api: &str, f: impl FnOnce(&Rc<Core>) -> R) -> R {
    match try_with_core(f) {
        Some(r) => r,
        None => outside_runtime(api),
    }
}

/// The current runtime's core, as a counted `Rc` (a plain increment), for
/// a caller that passes a large value to it: a closure given to
/// [`with_core`] would carry that value, and each hop copies it again
/// (`coop::spawn` and its future).
///
/// # Panics
/// As [`with_core`].
#[track_caller]
#[inline(always)]
pub(crate) fn core(api: &str) -> Rc<Core> {
    match try_with_core(Rc::clone) {
        Some(core) => core,
        None => outside_runtime(api),
    }
}

#[cold]
#[inline(never)]
#[track_caller]
fn outside_runtime(api: &str) -> ! {
    panic!(
        "`{api}` was called outside a coop runtime. Call it from async code running \
         inside `coop::block_on(...)` or `Runtime::block_on(...)`; to start a task from \
         outside, use `Runtime::spawn` or a `coop::Handle`."
    )
}

/// A public function and the line that called it, for a misuse panic that
/// is raised later than the call: an `async fn`'s body (`TcpListener::bind`
/// registering its socket) runs only at the future's first poll, where the
/// caller's line is no longer known.
#[derive(Clone, Copy, Debug)]
#[cfg_attr(loom, allow(dead_code))] // only sockets use it
pub(crate) struct Caller {
    api: &'static str,
    at: &'static Location<'static>,
}

#[cfg_attr(loom, allow(dead_code))]
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
#[cfg_attr(loom, allow(dead_code))]
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

/// Calls `f` with the current runtime's core, if there is one. Inlined:
/// every local wake comes through here, and an out-of-line copy costs a
/// call, a frame and the `Option` plumbing on each.
#[inline(always)]
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
///
/// A runtime kept in a thread-local is dropped by that thread-local's
/// destructor when its thread exits, and `CURRENT` may already be
/// destroyed by then (`with` would panic, and a panic in a TLS destructor
/// aborts the process). Hence `try_with`: with `CURRENT` gone, `f` runs
/// with no current runtime, as if outside one. The shutdown still drops
/// every task; a `Drop` that calls `coop::spawn` then gets the "outside a
/// runtime" panic, which the task's cancellation catches like any panic
/// from a future's `Drop`.
pub(crate) fn scoped<R>(core: Rc<Core>, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Rc<Core>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            let ours = CURRENT.try_with(|current| {
                set_loop(previous.as_ref());
                std::mem::replace(&mut *current.borrow_mut(), previous)
            });
            if ours.is_err() {
                // `CURRENT` is gone (the thread is exiting): nothing is.
                set_loop(None);
            }
            drop(ours);
        }
    }
    let on = core.clone();
    let Ok(previous) = CURRENT.try_with(|current| current.borrow_mut().replace(core)) else {
        return f();
    };
    set_loop(Some(&on));
    drop(on);
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

/// The runtimes whose loop is running, anywhere in the process. Sockets do
/// not exist under loom (and loom cannot make statics), so there the list
/// is not kept.
#[cfg(not(loom))]
mod driven {
    use crate::loom::sync::{Mutex, OnceLock};

    /// Ids of runtimes inside `block_on`; a few entries at most.
    fn list() -> &'static Mutex<Vec<u64>> {
        static DRIVEN: OnceLock<Mutex<Vec<u64>>> = OnceLock::new();
        DRIVEN.get_or_init(|| Mutex::new(Vec::new()))
    }

    pub(super) fn insert(id: u64) {
        list().lock().push(id);
    }

    pub(super) fn remove(id: u64) {
        let mut ids = list().lock();
        if let Some(i) = ids.iter().position(|&d| d == id) {
            ids.swap_remove(i);
        }
    }

    pub(super) fn contains(id: u64) -> bool {
        list().lock().contains(&id)
    }
}

#[cfg(loom)]
mod driven {
    pub(super) fn insert(_: u64) {}
    pub(super) fn remove(_: u64) {}
}

/// Watches one socket for the silent hang: waiting where no loop drives it.
///
/// A socket is registered with one runtime's reactor, and only that
/// runtime's loop (inside its `block_on`) turns readiness into wake-ups.
/// Polled anywhere else while that loop is not running (on another
/// runtime's thread, under `futures::executor::block_on`, on a plain
/// thread), a socket that has to wait would wait forever without a word.
/// So each time it is about to wait, [`check`](Self::check) asks: is this
/// the socket's own loop? Is its loop running on some other thread (which
/// is legitimate: it will wake us from there)? If neither, it emits one
/// `tracing` WARN for this socket (`io.undriven`, see `trace.rs`).
///
/// It warns rather than failing: the loop may yet be started on another
/// thread, and then the wait ends normally.
///
/// ```text
///   Registration::poll_ready ── Pending ──► SocketWatch::check
///       own loop on this thread?            ─► fine
///       its loop in block_on on another one? ─► fine (it wakes us)
///       else                                 ─► WARN once per socket
/// ```
///
/// Sixteen bytes per socket (every connection carries one), hence the
/// socket's name as an index into [`SOCKET_TYPES`].
#[cfg(not(loom))]
#[derive(Debug)]
pub(crate) struct SocketWatch {
    runtime: u64,
    /// Index of the public type's name in `SOCKET_TYPES`.
    socket: u8,
    warned: crate::loom::sync::atomic::AtomicBool,
}

/// The socket types of `coop::net`; each wraps the `mio` type of that name.
#[cfg(not(loom))]
const SOCKET_TYPES: [&str; 7] = [
    "socket",
    "TcpListener",
    "TcpStream",
    "UdpSocket",
    "UnixListener",
    "UnixStream",
    "UnixDatagram",
];

#[cfg(not(loom))]
impl SocketWatch {
    /// A watch for a socket of type `S` (a `mio` socket) registered with
    /// runtime `runtime`.
    pub(crate) fn new<S: ?Sized>(runtime: u64) -> SocketWatch {
        let name = std::any::type_name::<S>().rsplit("::").next();
        let socket = SOCKET_TYPES.iter().position(|t| Some(*t) == name);
        SocketWatch {
            runtime,
            socket: socket.unwrap_or(0) as u8,
            warned: crate::loom::sync::atomic::AtomicBool::new(false),
        }
    }

    /// Called when the socket is about to wait; see the type's docs.
    pub(crate) fn check(&self) {
        use crate::loom::sync::atomic::Ordering::Relaxed;
        if self.warned.load(Relaxed) {
            return;
        }
        let here = try_with_core(|core| core.id());
        if here == Some(self.runtime) || driven::contains(self.runtime) {
            return;
        }
        if !self.warned.swap(true, Relaxed) {
            crate::trace::io_undriven(SOCKET_TYPES[usize::from(self.socket)], self.runtime, here);
        }
    }
}
