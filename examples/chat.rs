//! A TCP chat server: every line a client sends goes to every other client.
//!
//! ```text
//! cargo run --example chat -- 127.0.0.1:7879      # then, in two other terminals:
//! nc 127.0.0.1 7879                              # type lines; the others see them
//! ```
//!
//! How the tasks work together, all on one loop:
//!
//! ```text
//!                  ┌─ client task A ───────────────┐
//!   socket A ─────►│ reader: lines in ─────────────┼──┐  Event (unbounded mpsc)
//!            ◄─────│ writer: lines out ◄── mpsc(64)│◄─┼──────┐
//!                  │ kick  (oneshot)   ◄───────────┼──┼───┐  │
//!                  └───────────────────────────────┘  ▼   │  │
//!                                               broadcaster: one
//!                  ┌─ client task B ──── … ──┐ ◄── Sender + kick per client
//! ```
//!
//! * Each connection is one **client task** that races three futures with
//!   `coop::select!`: a **reader** (lines in, through `futures-util`'s
//!   line reader), a **writer** (lines out, from the client's own bounded
//!   channel) and a **kick**. Whichever ends first ends the client, and
//!   dropping both socket halves closes the connection.
//! * The **broadcaster** owns every client's sender. It hands a line to
//!   each other client with `try_send`: a client whose channel is full has
//!   stopped reading, so it is kicked instead of slowing everyone down
//!   (back-pressure by disconnection: nothing is buffered without bound).
//! * **Ctrl-C** (`coop::signal::ctrl_c`) stops accepting; the broadcaster
//!   says goodbye to everyone and drops the senders, the writers flush and
//!   end, and the server says how many clients were connected.

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::Duration;

use coop::net::{TcpListener, TcpStream};
use coop::sync::mpsc::error::TrySendError;
use coop::sync::{mpsc, oneshot};
use coop::task::JoinSet;
use futures_util::io::BufReader;
use futures_util::{AsyncBufReadExt, AsyncWriteExt, FutureExt, StreamExt};

/// Lines a client may fall behind by before it is dropped.
const CLIENT_BACKLOG: usize = 64;

/// What the readers and the accept loop tell the broadcaster.
enum Event {
    /// A client connected: lines for it go into `lines`.
    Join {
        addr: SocketAddr,
        lines: mpsc::Sender<Rc<str>>,
        kick: oneshot::Sender<()>,
    },
    /// A client sent a line.
    Line { from: SocketAddr, text: String },
    /// A client's connection ended (it hung up, or sent something unreadable).
    Leave { addr: SocketAddr },
    /// Ctrl-C: say goodbye to everyone, then report how many were there.
    Shutdown { connected: oneshot::Sender<usize> },
}

#[coop::main]
async fn main() -> io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:7879".to_owned());
    let listener = TcpListener::bind(addr.as_str()).await?;
    println!("chat: listening on {}", listener.local_addr()?);

    let (events, inbox) = mpsc::unbounded_channel();
    let broadcaster = coop::spawn(broadcast(inbox));
    let mut clients = JoinSet::new();

    // Registered once, before the loop: a Ctrl-C that arrives while a
    // client is being accepted is not lost.
    let ctrl_c = coop::signal::ctrl_c().fuse();
    coop::pin_mut!(ctrl_c);
    loop {
        coop::select! {
            accepted = listener.accept().fuse() => {
                match accepted {
                    Ok((stream, addr)) => {
                        clients.spawn(client(stream, addr, events.clone()));
                    }
                    // Out of file descriptors, a reset in the backlog...:
                    // this connection is lost, the server goes on.
                    Err(e) => eprintln!("chat: accept failed: {e}"),
                }
            }
            signal = ctrl_c => {
                signal?;
                break;
            }
        }
        // Reap the clients that have gone, so the set stays small.
        while clients.try_join_next().is_some() {}
    }

    // The broadcaster says goodbye and drops every client's sender, so each
    // writer flushes what it has and ends; give them two seconds.
    let (connected, count) = oneshot::channel();
    let _ = events.send(Event::Shutdown { connected });
    let count = count.await.unwrap_or(0);
    let _ = broadcaster.await;
    let flushed = coop::time::timeout(Duration::from_secs(2), async {
        while clients.join_next().await.is_some() {}
    })
    .await;
    println!(
        "chat: shut down on Ctrl-C with {count} client{} connected{}",
        if count == 1 { "" } else { "s" },
        if flushed.is_err() {
            " (some goodbyes not flushed)"
        } else {
            ""
        },
    );
    Ok(())
}

/// One connection: a reader and a writer raced against each other and
/// against a kick from the broadcaster. Whichever ends first ends the
/// client, and dropping both halves closes the connection.
async fn client(stream: TcpStream, addr: SocketAddr, events: mpsc::UnboundedSender<Event>) {
    let (read, write) = stream.into_split();
    let (lines, outbox) = mpsc::channel(CLIENT_BACKLOG);
    let (kick, kicked) = oneshot::channel();
    // From here on the broadcaster holds the writer's only sender.
    if events.send(Event::Join { addr, lines, kick }).is_err() {
        return; // shutting down
    }
    let kicked = async {
        // A dropped kick sender (at shutdown) is no kick: let the writer flush.
        if kicked.await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    coop::select! {
        () = reader(read, addr, events).fuse() => {}
        () = writer(write, outbox).fuse() => {}
        () = kicked.fuse() => {}
    }
}

/// Forwards the client's lines to the broadcaster until it hangs up.
async fn reader(
    read: coop::net::tcp::OwnedReadHalf,
    addr: SocketAddr,
    events: mpsc::UnboundedSender<Event>,
) {
    let mut incoming = BufReader::new(read).lines();
    while let Some(Ok(text)) = incoming.next().await {
        if events.send(Event::Line { from: addr, text }).is_err() {
            return;
        }
    }
    let _ = events.send(Event::Leave { addr });
}

/// Writes every line that arrives for one client, until its channel closes.
async fn writer(mut write: coop::net::tcp::OwnedWriteHalf, mut outbox: mpsc::Receiver<Rc<str>>) {
    while let Some(line) = outbox.recv().await {
        if write.write_all(line.as_bytes()).await.is_err() {
            return;
        }
    }
    let _ = write.close().await;
}

/// Fans lines out, until shutdown.
async fn broadcast(mut inbox: mpsc::UnboundedReceiver<Event>) {
    type Client = (mpsc::Sender<Rc<str>>, oneshot::Sender<()>);
    let mut clients: HashMap<SocketAddr, Client> = HashMap::new();
    while let Some(event) = inbox.recv().await {
        match event {
            Event::Join { addr, lines, kick } => {
                println!("{addr} joined ({} connected)", clients.len() + 1);
                let hello: Rc<str> = format!("welcome, {addr}\n").into();
                let _ = lines.try_send(hello);
                clients.insert(addr, (lines, kick));
            }
            Event::Line { from, text } => {
                let line: Rc<str> = format!("{from}: {text}\n").into();
                let mut too_slow = Vec::new();
                for (addr, (lines, _)) in clients.iter().filter(|(addr, _)| **addr != from) {
                    match lines.try_send(Rc::clone(&line)) {
                        Ok(()) => {}
                        // A full channel: that client stopped reading.
                        Err(TrySendError::Full(_)) => too_slow.push(*addr),
                        // Its task has ended; its `Leave` is on the way.
                        Err(TrySendError::Closed(_)) => {}
                    }
                }
                for addr in too_slow {
                    if let Some((_, kick)) = clients.remove(&addr) {
                        let _ = kick.send(());
                    }
                    println!("{addr} dropped: it fell {CLIENT_BACKLOG} lines behind");
                }
            }
            Event::Leave { addr } => {
                if clients.remove(&addr).is_some() {
                    println!("{addr} left ({} connected)", clients.len());
                }
            }
            Event::Shutdown { connected } => {
                let _ = connected.send(clients.len());
                let bye: Rc<str> = "server shutting down, bye\n".into();
                for (lines, _) in clients.values() {
                    let _ = lines.try_send(Rc::clone(&bye));
                }
                // Dropping `clients` closes every writer's channel (the kick
                // senders drop too, which the clients read as "no kick").
                return;
            }
        }
    }
}
