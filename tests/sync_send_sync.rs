//! Every `coop::sync` type is `Send + Sync` when its `T` allows, checked
//! at compile time: a missing bound fails the build. (That a guard is not
//! `Sync` for a `T` that is not is a `compile_fail` example on
//! `MutexGuard`.)

use std::cell::Cell;

use coop::sync::{mpsc, oneshot, watch, Mutex, Notify, Semaphore};

fn send_sync<T: Send + Sync>() {}
fn send<T: Send>() {}

#[test]
fn every_primitive_is_send_and_sync_when_its_value_is() {
    send_sync::<Semaphore>();
    send_sync::<coop::sync::SemaphorePermit<'static>>();
    send_sync::<coop::sync::OwnedSemaphorePermit>();
    send_sync::<Notify>();
    send_sync::<coop::sync::futures::Notified<'static>>();
    send_sync::<Mutex<Vec<u8>>>();
    send_sync::<coop::sync::MutexGuard<'static, Vec<u8>>>();
    send_sync::<coop::sync::OwnedMutexGuard<Vec<u8>>>();
    send_sync::<mpsc::Sender<String>>();
    send_sync::<mpsc::Receiver<String>>();
    send_sync::<mpsc::UnboundedSender<String>>();
    send_sync::<mpsc::UnboundedReceiver<String>>();
    send_sync::<oneshot::Sender<String>>();
    send_sync::<oneshot::Receiver<String>>();
    send_sync::<watch::Sender<String>>();
    send_sync::<watch::Receiver<String>>();
    // A `Cell` may move between threads but not be shared: the mutex makes
    // it shareable, as `std::sync::Mutex` does.
    send_sync::<Mutex<Cell<u8>>>();
    send::<mpsc::Sender<Cell<u8>>>();
}

#[test]
fn the_futures_of_the_primitives_can_move_to_another_thread() {
    fn future_is_send<F: std::future::Future + Send>(_: F) {}
    let sem = Semaphore::new(1);
    future_is_send(sem.acquire());
    let m = Mutex::new(0);
    future_is_send(m.lock());
    let (tx, mut rx) = mpsc::channel::<u8>(1);
    future_is_send(tx.send(1));
    future_is_send(rx.recv());
    let (_wtx, mut wrx) = watch::channel(0);
    future_is_send(wrx.changed());
}
