//! Who woke whom: every wake records its source, and a task's snapshot
//! shows the source of its last wake (`coop::task::WakeSource`).

mod support;

use std::future::pending;
use std::time::Duration;

use coop::sync::oneshot;
use coop::task::{TaskSnapshot, WakeSource};
use coop::{Runtime, TaskId};

fn snapshot(rt: &Runtime, id: TaskId) -> TaskSnapshot {
    rt.tasks()
        .into_iter()
        .find(|task| task.id() == id)
        .expect("the task is alive")
}

#[test]
fn a_task_never_polled_was_woken_by_its_spawn() {
    let rt = Runtime::new().unwrap();
    let handle = rt.spawn(pending::<()>());
    assert_eq!(
        snapshot(&rt, handle.id()).woken_by(),
        Some(WakeSource::Spawn)
    );
}

#[test]
fn a_task_woken_by_another_tasks_completion_names_that_task() {
    let rt = Runtime::new().unwrap();
    let a = rt.spawn(async { coop::yield_now().await });
    let a_id = a.id();
    let b = rt.spawn(async move {
        a.await.unwrap();
        pending::<()>().await
    });
    rt.run_until_stalled();
    assert_eq!(
        snapshot(&rt, b.id()).woken_by(),
        Some(WakeSource::Task(a_id))
    );
}

#[test]
fn a_task_that_yields_was_woken_by_itself() {
    let rt = Runtime::new().unwrap();
    let handle = rt.spawn(async {
        coop::yield_now().await;
        pending::<()>().await
    });
    rt.turn();
    assert_eq!(
        snapshot(&rt, handle.id()).woken_by(),
        Some(WakeSource::Task(handle.id()))
    );
}

#[test]
fn a_sleeper_is_woken_by_the_timer() {
    let rt = Runtime::new().unwrap();
    let sleeper = rt.spawn(async {
        coop::time::sleep(Duration::from_millis(1)).await;
        pending::<()>().await
    });
    let id = sleeper.id();
    rt.block_on(async {
        coop::time::sleep(Duration::from_millis(20)).await;
    });
    let task = snapshot(&rt, id);
    assert_eq!(task.woken_by(), Some(WakeSource::Timer));
    assert_eq!(task.polls(), 2);
}

#[test]
fn a_task_woken_from_the_block_on_future_names_it() {
    let rt = Runtime::new().unwrap();
    let (tx, rx) = oneshot::channel::<()>();
    let waiter = rt.spawn(async move {
        rx.await.unwrap();
        pending::<()>().await
    });
    let id = waiter.id();
    rt.block_on(async move {
        coop::yield_now().await; // the waiter waits on the channel now
        tx.send(()).unwrap();
        coop::yield_now().await; // and runs
    });
    assert_eq!(snapshot(&rt, id).woken_by(), Some(WakeSource::BlockOn));
}

#[test]
fn a_task_woken_from_another_thread_says_remote() {
    let rt = Runtime::new().unwrap();
    let (tx, rx) = oneshot::channel::<()>();
    let (done_tx, done_rx) = oneshot::channel::<()>();
    let waiter = rt.spawn(async move {
        rx.await.unwrap();
        done_tx.send(()).unwrap();
        pending::<()>().await
    });
    let id = waiter.id();
    rt.block_on(async move {
        coop::yield_now().await;
        let sender = std::thread::spawn(move || tx.send(()).unwrap());
        done_rx.await.unwrap();
        sender.join().unwrap();
    });
    assert_eq!(snapshot(&rt, id).woken_by(), Some(WakeSource::Remote));
    assert_eq!(rt.metrics().wakes_remote, 1);
}

#[test]
fn a_task_woken_by_a_blocking_job_says_blocking() {
    let rt = Runtime::new().unwrap();
    let (done_tx, done_rx) = oneshot::channel::<()>();
    // The job waits until the task is pending on its handle: a job that
    // finished first would leave the handle ready at its first poll, with
    // no wake at all (the task's last wake would still be its spawn).
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    let waiter = rt.spawn(async move {
        coop::spawn_blocking(move || release_rx.recv().unwrap())
            .await
            .unwrap();
        done_tx.send(()).unwrap();
        pending::<()>().await
    });
    let id = waiter.id();
    rt.run_until_stalled();
    assert_eq!(snapshot(&rt, id).woken_by(), Some(WakeSource::Spawn));
    release_tx.send(()).unwrap();
    rt.block_on(async move { done_rx.await.unwrap() });
    assert_eq!(snapshot(&rt, id).woken_by(), Some(WakeSource::Blocking));
}

#[test]
fn a_task_woken_by_a_socket_says_io() {
    let rt = Runtime::new().unwrap();
    let std_socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = std_socket.local_addr().unwrap();
    std_socket.set_nonblocking(true).unwrap();
    let (done_tx, done_rx) = oneshot::channel::<()>();
    // A task that owns the socket (registered on this runtime's reactor).
    let socket = rt.block_on(async move { coop::net::UdpSocket::from_std(std_socket).unwrap() });
    let waiter = {
        rt.spawn(async move {
            let mut buf = [0u8; 8];
            socket.recv(&mut buf).await.unwrap();
            done_tx.send(()).unwrap();
            pending::<()>().await
        })
    };
    let id = waiter.id();
    rt.block_on(async move {
        coop::yield_now().await; // the receiver waits on its socket now
        let sender = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        sender.send_to(b"hi", addr).unwrap();
        done_rx.await.unwrap();
    });
    assert_eq!(snapshot(&rt, id).woken_by(), Some(WakeSource::Io));
}

#[test]
fn a_remote_spawn_is_woken_by_its_spawn_and_counted_once_bound() {
    let rt = Runtime::new().unwrap();
    let handle = rt.handle();
    let task = std::thread::spawn(move || handle.spawn(pending::<()>()))
        .join()
        .unwrap();
    assert!(rt.tasks().is_empty(), "bound when the loop first takes it");
    rt.turn();
    let snap = snapshot(&rt, task.id());
    assert_eq!(snap.woken_by(), Some(WakeSource::Spawn));
    assert_eq!(snap.polls(), 1);
    assert_eq!(snap.spawned_at().file(), file!());
    assert_eq!(rt.metrics().tasks_spawned, 1);
    assert_eq!(rt.metrics().wakes_remote, 0);
}
