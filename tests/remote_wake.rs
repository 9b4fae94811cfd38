//! Wakers are `Send + Sync`: a task woken from another `std::thread` runs,
//! whether the loop was busy or parked at the time, on its condition
//! variable (no socket registered) or in `epoll_wait` (some socket is).

mod support;

use std::sync::{Arc, Mutex};
use std::task::{Poll, Waker};
use std::time::Duration;

use coop::{JoinHandle, Runtime};
use support::Signal;

/// Spawns a task that parks its waker and finishes on the first poll after
/// `go` is notified, runs the loop until the task is waiting, and returns
/// its handle, its waker and `go`.
fn parked_task(rt: &Runtime) -> (JoinHandle<()>, Waker, Signal) {
    let slot: Arc<Mutex<Option<Waker>>> = Arc::default();
    let go = Signal::new();
    let task = rt.spawn({
        let (slot, go) = (slot.clone(), go.clone());
        std::future::poll_fn(move |cx| {
            if go.is_notified() {
                return Poll::Ready(());
            }
            *slot.lock().unwrap() = Some(cx.waker().clone());
            Poll::Pending
        })
    });
    rt.block_on(coop::yield_now());
    let waker = slot.lock().unwrap().take();
    (task, waker.expect("the task parked its waker"), go)
}

/// Parks a task, then wakes it from another thread `after` a while: by then
/// the loop is parked with no timeout (no timers, nothing runnable), and
/// only that wake can move it.
fn wake_a_parked_task_from_a_thread(rt: &Runtime, after: Duration) {
    let (task, waker, go) = parked_task(rt);
    let waker_thread = std::thread::spawn(move || {
        std::thread::sleep(after);
        go.notify();
        waker.wake();
    });
    rt.block_on(task).unwrap();
    waker_thread.join().unwrap();
}

#[test]
fn a_waker_woken_from_another_thread_wakes_the_parked_loop() {
    support::within(support::GENEROUS, || {
        let rt = Runtime::new().unwrap();
        wake_a_parked_task_from_a_thread(&rt, Duration::from_millis(50));
    });
}

#[test]
fn a_remote_wake_reaches_a_loop_parked_in_epoll_while_a_socket_is_registered() {
    support::within(support::GENEROUS, || {
        let rt = Runtime::new().unwrap();
        // A registered socket makes the loop sleep in `epoll_wait`.
        let listener = rt
            .block_on(async { coop::net::TcpListener::bind("127.0.0.1:0").await })
            .unwrap();
        wake_a_parked_task_from_a_thread(&rt, Duration::from_millis(50));
        drop(listener);
    });
}

#[test]
fn a_socket_registered_after_a_condvar_park_gets_its_events() {
    support::within(support::GENEROUS, || {
        let rt = Runtime::new().unwrap();
        // First the loop sleeps on its condvar (no sockets), woken remotely.
        wake_a_parked_task_from_a_thread(&rt, Duration::from_millis(20));
        // Then a listener is registered and the loop must wait in epoll for
        // a connection made from another thread.
        rt.block_on(async {
            let listener = coop::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let client = std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(20));
                std::net::TcpStream::connect(addr).unwrap()
            });
            let (_stream, _) = listener.accept().await.unwrap();
            client.join().unwrap();
        });
    });
}

#[test]
fn wakes_from_many_threads_at_once_all_arrive() {
    const THREADS: usize = 8;
    support::within(support::GENEROUS, || {
        let rt = Runtime::new().unwrap();
        let parked: Vec<_> = (0..THREADS).map(|_| parked_task(&rt)).collect();
        let barrier = Arc::new(std::sync::Barrier::new(THREADS));
        let mut tasks = Vec::new();
        let mut threads = Vec::new();
        for (task, waker, go) in parked {
            tasks.push(task);
            let barrier = barrier.clone();
            threads.push(std::thread::spawn(move || {
                barrier.wait();
                go.notify();
                waker.wake();
            }));
        }
        rt.block_on(async {
            for task in tasks {
                task.await.unwrap();
            }
        });
        for thread in threads {
            thread.join().unwrap();
        }
    });
}

#[test]
fn a_remote_wake_while_the_loop_is_busy_is_not_lost() {
    support::within(support::GENEROUS, || {
        let rt = Runtime::new().unwrap();
        let (task, waker, go) = parked_task(&rt);
        let waker_thread = std::thread::spawn(move || {
            go.notify();
            waker.wake();
        });
        // The loop keeps busy yielding while the wake arrives.
        rt.block_on(async {
            while !task.is_finished() {
                coop::yield_now().await;
            }
            task.await.unwrap();
        });
        waker_thread.join().unwrap();
    });
}

#[test]
fn the_block_on_future_can_be_woken_from_another_thread() {
    support::within(support::GENEROUS, || {
        let go = Signal::new();
        let notifier = std::thread::spawn({
            let go = go.clone();
            move || {
                std::thread::sleep(Duration::from_millis(30));
                go.notify();
            }
        });
        coop::block_on(go.wait());
        notifier.join().unwrap();
    });
}
