//! What the server counts: connections open and accepted, requests served,
//! and handlers running now (a `/sleep` in progress is one).
//!
//! The open-connection count lives in a `coop::sync::watch` channel so the
//! graceful shutdown can wait for it to reach zero: every connection task
//! holds an [`Open`] guard, and dropping the guard (the task ending by any
//! path: done, error, panic) counts it out.
//!
//! ```text
//!   accept ─► stats.open() ─► Open guard in the connection task ─► drop ─► open -= 1 ─► drain wakes
//! ```
//!
//! `GET /stats` reports the counters; the tests read it to prove that no
//! connection task is left behind after a hostile client.

use std::cell::Cell;
use std::rc::Rc;

use coop::sync::watch;

/// Counters shared by the accept loop and every connection task (one loop,
/// one thread: `Rc` and `Cell` suffice).
#[derive(Debug)]
pub struct Stats {
    open: watch::Sender<usize>,
    accepted: Cell<u64>,
    requests: Cell<u64>,
    busy: Cell<u64>,
}

impl Stats {
    pub fn new() -> Rc<Stats> {
        Rc::new(Stats {
            open: watch::channel(0).0,
            accepted: Cell::new(0),
            requests: Cell::new(0),
            busy: Cell::new(0),
        })
    }

    /// Counts a connection in; it is counted out when the guard drops.
    pub fn open(self: &Rc<Stats>) -> Open {
        self.accepted.set(self.accepted.get() + 1);
        self.open.send_modify(|open| *open += 1);
        Open(self.clone())
    }

    /// Counts a request in; its handler is "busy" until the guard drops
    /// (for `/echo`, when the response starts: the body streams after).
    pub fn request(self: &Rc<Stats>) -> Busy {
        self.requests.set(self.requests.get() + 1);
        self.busy.set(self.busy.get() + 1);
        Busy(self.clone())
    }

    pub fn open_connections(&self) -> usize {
        *self.open.borrow()
    }

    /// Resolves once no connection is open.
    pub async fn all_closed(&self) {
        let mut open = self.open.subscribe();
        while *open.borrow_and_update() > 0 {
            // The sender lives in `self`, so `changed` cannot fail here.
            let _ = open.changed().await;
        }
    }

    /// The `GET /stats` body.
    pub fn report(&self) -> String {
        format!(
            "open {}\naccepted {}\nrequests {}\nbusy {}\n",
            self.open_connections(),
            self.accepted.get(),
            self.requests.get(),
            self.busy.get()
        )
    }
}

/// One open connection; dropping it counts the connection out.
#[derive(Debug)]
pub struct Open(Rc<Stats>);

impl Drop for Open {
    fn drop(&mut self) {
        self.0.open.send_modify(|open| *open -= 1);
    }
}

/// One running handler; dropping it counts the handler out.
#[derive(Debug)]
pub struct Busy(Rc<Stats>);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.busy.set(self.0.busy.get() - 1);
    }
}
