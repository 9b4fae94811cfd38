//! `TaskSnapshot::waiting_on`: a waiting task's timer (with its deadline),
//! socket (with its directions) or awaited task, found when the snapshot
//! is taken; `None` where the loop cannot tell.

use std::cell::RefCell;
use std::future::{pending, poll_fn, Future};
use std::pin::pin;
use std::rc::Rc;
use std::task::{Poll, Waker};
use std::time::Duration;

use futures_util::{AsyncReadExt, AsyncWriteExt};

use coop::net::{TcpListener, TcpStream, UnixStream};
use coop::task::{TaskId, TaskSnapshot, TaskState, WaitingOn};
use coop::{Builder, Runtime};

const READ: WaitingOn = WaitingOn::Io {
    readable: true,
    writable: false,
};
const WRITE: WaitingOn = WaitingOn::Io {
    readable: false,
    writable: true,
};

fn snapshot(rt: &Runtime, id: TaskId) -> TaskSnapshot {
    rt.tasks()
        .into_iter()
        .find(|t| t.id() == id)
        .expect("the task is alive")
}

fn waits(rt: &Runtime, id: TaskId) -> Option<WaitingOn> {
    let snap = snapshot(rt, id);
    assert_eq!(snap.state(), TaskState::Waiting, "{snap:?}");
    snap.waiting_on()
}

fn paused() -> Runtime {
    Builder::new().start_paused(true).build().unwrap()
}

/// A future that keeps its task's waker where the loop cannot see it.
fn hidden_wait(stash: Rc<RefCell<Option<Waker>>>) -> impl Future<Output = ()> {
    poll_fn(move |cx| {
        *stash.borrow_mut() = Some(cx.waker().clone());
        Poll::Pending
    })
}

#[test]
fn a_sleeper_waits_on_its_timer_with_the_exact_deadline() {
    let rt = paused();
    let start = rt.block_on(async { coop::time::now() });
    // Made inside the task, so the deadline is on the runtime's clock.
    let sleeper = rt.spawn(async { coop::time::sleep(Duration::from_secs(90)).await });
    let later = rt.spawn(async { coop::time::sleep(Duration::from_secs(3600)).await });
    rt.run_until_stalled();
    let deadline = start + Duration::from_secs(90);
    assert_eq!(
        waits(&rt, sleeper.id()),
        Some(WaitingOn::Timer { deadline })
    );
    assert_eq!(
        waits(&rt, later.id()),
        Some(WaitingOn::Timer {
            deadline: start + Duration::from_secs(3600)
        })
    );
    // The table shows the time left on the runtime's clock.
    let table = format!("{:#?}", rt.tasks());
    assert!(table.contains("waits on timer +90.000s"), "{table}");
    rt.block_on(sleeper).unwrap();
}

#[test]
fn a_fired_timer_or_a_dropped_sleep_no_longer_shows() {
    let rt = paused();
    let stash = Rc::new(RefCell::new(None));
    // Sleeps, wakes, then waits where the loop cannot see.
    let s = stash.clone();
    let fired = rt.spawn(async move {
        coop::time::sleep(Duration::from_secs(1)).await;
        hidden_wait(s).await
    });
    // Polls a long sleep once, drops it mid-wait, then waits unseen.
    let s2 = Rc::new(RefCell::new(None));
    let s = s2.clone();
    let dropped = rt.spawn(async move {
        {
            let mut sleep = pin!(coop::time::sleep(Duration::from_secs(7200)));
            poll_fn(|cx| {
                assert!(sleep.as_mut().poll(cx).is_pending());
                Poll::Ready(())
            })
            .await;
        }
        hidden_wait(s).await
    });
    rt.run_until_stalled();
    assert!(matches!(
        waits(&rt, fired.id()),
        Some(WaitingOn::Timer { .. })
    ));
    assert_eq!(waits(&rt, dropped.id()), None);
    // Let the one-second timer fire: the loop auto-advances the clock.
    rt.block_on(coop::time::sleep(Duration::from_secs(2)));
    rt.run_until_stalled();
    assert!(stash.borrow().is_some(), "the sleeper woke and moved on");
    assert_eq!(waits(&rt, fired.id()), None);
    assert_eq!(waits(&rt, dropped.id()), None);
}

#[test]
fn a_runnable_task_and_an_unknown_wait_show_none() {
    let rt = Runtime::new().unwrap();
    let stash = Rc::new(RefCell::new(None));
    let hidden = rt.spawn(hidden_wait(stash.clone()));
    let fresh = rt.spawn(pending::<()>());
    // Not polled yet: runnable, and not known.
    assert_eq!(snapshot(&rt, fresh.id()).state(), TaskState::Runnable);
    assert_eq!(snapshot(&rt, fresh.id()).waiting_on(), None);
    rt.run_until_stalled();
    assert_eq!(waits(&rt, hidden.id()), None);
    assert_eq!(waits(&rt, fresh.id()), None);
    // Woken: runnable again, so nothing is claimed even though its last
    // waker still sits in the stash.
    stash.borrow().as_ref().unwrap().wake_by_ref();
    assert_eq!(snapshot(&rt, hidden.id()).state(), TaskState::Runnable);
    assert_eq!(snapshot(&rt, hidden.id()).waiting_on(), None);
}

#[test]
fn a_task_awaiting_a_join_handle_waits_on_that_task() {
    let rt = Runtime::new().unwrap();
    let target = rt.spawn(pending::<()>());
    let target_id = target.id();
    let abort = target.abort_handle();
    let waiter = rt.spawn(async move { target.await.unwrap_err().is_cancelled() });
    let other = rt.spawn(pending::<()>());
    rt.run_until_stalled();
    assert_eq!(waits(&rt, waiter.id()), Some(WaitingOn::Task(target_id)));
    // Nobody awaits `other`, and `target` itself waits on nothing known.
    assert_eq!(waits(&rt, other.id()), None);
    assert_eq!(waits(&rt, target_id), None);
    let table = format!("{:#?}", rt.tasks());
    assert!(
        table.contains(&format!("waits on task {target_id}")),
        "{table}"
    );
    // The peeks left the hand-over intact: the target's end wakes the
    // waiter, which sees it cancelled.
    abort.abort();
    assert!(rt.block_on(waiter).unwrap());
}

#[test]
fn a_join_handle_awaited_on_another_thread_is_not_a_task_wait() {
    let rt = Runtime::new().unwrap();
    let target = rt.spawn(pending::<()>());
    let target_id = target.id();
    let abort = target.abort_handle();
    let awaiter = std::thread::spawn(move || target.join_blocking());
    // Snapshots taken while the other thread registers and re-registers.
    for _ in 0..100 {
        assert_eq!(snapshot(&rt, target_id).waiting_on(), None);
        assert!(rt.tasks().iter().all(|t| t.waiting_on().is_none()));
    }
    abort.abort();
    rt.run_until_stalled();
    assert!(awaiter.join().unwrap().unwrap_err().is_cancelled());
}

#[test]
fn a_reader_with_no_data_waits_to_read_a_tcp_stream() {
    let rt = Runtime::new().unwrap();
    let (reader, client) = rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (mut server, _) = listener.accept().await.unwrap();
        let reader = coop::spawn(async move {
            let mut buf = [0u8; 4];
            server.read_exact(&mut buf).await.map(|()| buf)
        });
        (reader, client)
    });
    rt.run_until_stalled();
    assert_eq!(waits(&rt, reader.id()), Some(READ));
    let table = format!("{:#?}", rt.tasks());
    assert!(table.contains("waits on io read"), "{table}");
    let mut client = client;
    rt.block_on(async { client.write_all(b"ping").await.unwrap() });
    assert_eq!(&rt.block_on(reader).unwrap().unwrap(), b"ping");
}

#[test]
fn tasks_in_accept_wait_to_read_the_listener() {
    let rt = Runtime::new().unwrap();
    let listener = Rc::new(rt.block_on(TcpListener::bind("127.0.0.1:0")).unwrap());
    let accepts: Vec<_> = (0..2)
        .map(|_| {
            let l = listener.clone();
            rt.spawn(async move { l.accept().await.map(|_| ()) })
        })
        .collect();
    rt.run_until_stalled();
    for a in &accepts {
        assert_eq!(waits(&rt, a.id()), Some(READ));
    }
    for a in accepts {
        a.abort();
    }
    rt.run_until_stalled();
}

/// Writes until the socket's buffer is full, then waits to write.
async fn fill(mut half: impl futures_util::AsyncWrite + Unpin) -> std::io::Result<()> {
    let chunk = vec![7u8; 64 * 1024];
    loop {
        half.write_all(&chunk).await?;
    }
}

#[test]
fn a_writer_on_a_full_socket_waits_to_write() {
    let rt = Runtime::new().unwrap();
    let (ours, _peer) = std::os::unix::net::UnixStream::pair().unwrap();
    let writer = rt.spawn(async move { fill(UnixStream::from_std(ours)?).await });
    rt.run_until_stalled();
    assert_eq!(waits(&rt, writer.id()), Some(WRITE));
    let table = format!("{:#?}", rt.tasks());
    assert!(table.contains("waits on io write"), "{table}");
}

#[test]
fn a_reader_and_a_writer_on_one_socket_each_get_their_direction() {
    let rt = Runtime::new().unwrap();
    let (ours, _peer) = std::os::unix::net::UnixStream::pair().unwrap();
    let (reader, writer) = rt.block_on(async move {
        let (mut rx, tx) = UnixStream::from_std(ours).unwrap().into_split();
        let reader = coop::spawn(async move {
            let mut byte = [0u8];
            rx.read_exact(&mut byte).await
        });
        let writer = coop::spawn(fill(tx));
        (reader, writer)
    });
    rt.run_until_stalled();
    assert_eq!(waits(&rt, reader.id()), Some(READ));
    assert_eq!(waits(&rt, writer.id()), Some(WRITE));
}

#[test]
fn a_read_under_a_timeout_names_the_socket_not_the_deadline() {
    let rt = paused();
    let (ours, _peer) = std::os::unix::net::UnixStream::pair().unwrap();
    let reader = rt.spawn(async move {
        let mut s = UnixStream::from_std(ours)?;
        let mut byte = [0u8];
        let _ = coop::time::timeout(Duration::from_secs(60), s.read_exact(&mut byte)).await;
        Ok::<(), std::io::Error>(())
    });
    // Waits to read one socket and to write another at once.
    let (r, _r_peer) = std::os::unix::net::UnixStream::pair().unwrap();
    let (w, _w_peer) = std::os::unix::net::UnixStream::pair().unwrap();
    let both = rt.spawn(async move {
        let mut r = UnixStream::from_std(r)?;
        let w = UnixStream::from_std(w)?;
        let mut buf = [0u8];
        let read = r.read(&mut buf);
        futures_util::future::select(pin!(read), pin!(fill(w))).await;
        Ok::<(), std::io::Error>(())
    });
    rt.run_until_stalled();
    assert_eq!(waits(&rt, reader.id()), Some(READ));
    assert_eq!(
        waits(&rt, both.id()),
        Some(WaitingOn::Io {
            readable: true,
            writable: true
        })
    );
}

#[test]
fn waits_the_loop_does_not_own_show_none_not_a_guess() {
    let rt = paused();
    let notify = Rc::new(coop::sync::Notify::new());
    let n = notify.clone();
    let on_notify = rt.spawn(async move { n.notified().await });
    // A JoinSet polls its tasks' handles with a waker of its own: the task
    // awaiting `join_next` is not named as the waiter of either.
    let on_set = rt.spawn(async {
        let mut set = coop::task::JoinSet::new();
        set.spawn(pending::<()>());
        set.spawn(async { coop::time::sleep(Duration::from_secs(5)).await });
        set.join_next().await.map(|r| r.is_ok())
    });
    rt.run_until_stalled();
    assert_eq!(waits(&rt, on_notify.id()), None);
    assert_eq!(waits(&rt, on_set.id()), None);
    // The set's members are tasks like any other.
    let sleeping = rt
        .tasks()
        .into_iter()
        .filter(|t| matches!(t.waiting_on(), Some(WaitingOn::Timer { .. })))
        .count();
    assert_eq!(sleeping, 1);
    notify.notify_one();
    rt.block_on(on_notify).unwrap();
}

#[test]
fn a_snapshot_taken_inside_a_task_sees_itself_running_and_the_others_waiting() {
    let rt = Rc::new(paused());
    let start = rt.block_on(async { coop::time::now() });
    let sleeper = rt.spawn(async { coop::time::sleep(Duration::from_secs(10)).await });
    let sleeper_id = sleeper.id();
    let inner = rt.clone();
    let looker = rt.spawn(async move {
        coop::yield_now().await; // the sleeper has polled by now
        let me = coop::task::id();
        inner
            .tasks()
            .into_iter()
            .map(|t| (t.id() == me, t.state(), t.waiting_on()))
            .collect::<Vec<_>>()
    });
    let seen = rt.block_on(looker).unwrap();
    assert!(seen.contains(&(true, TaskState::Running, None)), "{seen:?}");
    assert!(
        seen.contains(&(
            false,
            TaskState::Waiting,
            Some(WaitingOn::Timer {
                deadline: start + Duration::from_secs(10)
            })
        )),
        "{seen:?}"
    );
    assert_eq!(
        waits(&rt, sleeper_id),
        Some(WaitingOn::Timer {
            deadline: start + Duration::from_secs(10)
        })
    );
}
