//! The client loop: a second coop runtime, on its own thread, driving every
//! connection of the soak. Each connection has one behaviour, chosen by its
//! index:
//!
//! ```text
//!   echo        write a chunk, read it back, check every byte; repeat; at the
//!               end close the write side and expect EOF with nothing extra
//!   reset       connect, write, drop with SO_LINGER 0 (RST mid-stream); repeat
//!   half-close  write, shutdown(Write), read to EOF, check; repeat
//!   slow-loris  one byte a second, read back and checked; held to the end
//!   never-read  small buffers, write until the server's back-pressure stops
//!               the writes for a second, then hold without ever reading
//! ```
//!
//! Every loop checks the stop flag between steps, so the thread ends by
//! itself once the soak's time is up.

use std::net::SocketAddr;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::Arc;
use std::time::Duration;

use coop::net::{TcpSocket, TcpStream};
use coop::sync::Semaphore;
use coop::time::{sleep, timeout};
use futures_util::{AsyncReadExt, AsyncWriteExt};

use crate::stats::{pattern, Rng, Stats};

/// The five behaviours, in the proportions of the mix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Echo,
    Reset,
    HalfClose,
    SlowLoris,
    NeverRead,
}

/// The behaviour of connection `i`: out of every 20, 8 echo, 3 reset,
/// 3 half-close, 5 slow-loris, 1 never-read (each never-read connection
/// pins a few MiB of kernel socket buffers, not of the server's memory).
pub fn kind_of(i: u64) -> Kind {
    match i % 20 {
        0..=7 => Kind::Echo,
        8..=10 => Kind::Reset,
        11..=13 => Kind::HalfClose,
        14..=18 => Kind::SlowLoris,
        _ => Kind::NeverRead,
    }
}

struct Ctx {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    stats: Arc<Stats>,
    /// Connects in flight at once: a ramp, so the listener's backlog is
    /// not flooded with thousands of SYNs in one go.
    connecting: Semaphore,
}

impl Ctx {
    fn stopping(&self) -> bool {
        self.stop.load(Relaxed)
    }

    async fn connect(&self, small_buffers: bool) -> std::io::Result<TcpStream> {
        let _permit = self.connecting.acquire().await.expect("never closed");
        let socket = TcpSocket::new_v4()?;
        if small_buffers {
            socket.set_send_buffer_size(4096)?;
            socket.set_recv_buffer_size(4096)?;
        }
        let stream = timeout(Duration::from_secs(30), socket.connect(self.addr))
            .await
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "connect"))??;
        self.stats.held.inc();
        Ok(stream)
    }

    fn release(&self) {
        self.stats.released.inc();
    }
}

/// Runs `conns` clients against `addr` on a fresh runtime until `stop`;
/// returns how many were echo clients (each must report success).
pub fn run(addr: SocketAddr, conns: u64, stop: Arc<AtomicBool>, stats: Arc<Stats>) -> u64 {
    let rt = coop::Runtime::new().expect("client runtime");
    let echo_clients = (0..conns).filter(|&i| kind_of(i) == Kind::Echo).count() as u64;
    rt.block_on(async {
        let ctx = Rc::new(Ctx {
            addr,
            stop,
            stats,
            connecting: Semaphore::new(128),
        });
        let mut set = coop::task::JoinSet::new();
        for i in 0..conns {
            let ctx = ctx.clone();
            set.spawn(async move {
                let kind = kind_of(i);
                let result = match kind {
                    Kind::Echo => echo(&ctx, i).await,
                    Kind::Reset => reset(&ctx, i).await,
                    Kind::HalfClose => half_close(&ctx, i).await,
                    Kind::SlowLoris => slow_loris(&ctx, i).await,
                    Kind::NeverRead => never_read(&ctx, i).await,
                };
                if let Err(e) = result {
                    ctx.stats.error(&format!("client {kind:?}"), &e);
                    if kind != Kind::Reset {
                        // Only the resetting clients may see errors: every
                        // other one talks to a server that must behave.
                        ctx.stats.fail(format!("client {i} ({kind:?}): {e}"));
                    }
                }
            });
        }
        while let Some(joined) = set.join_next().await {
            if let Err(e) = joined {
                ctx.stats.fail(format!("client task: {e}"));
            }
        }
    });
    echo_clients
}

async fn echo(ctx: &Ctx, id: u64) -> std::io::Result<()> {
    let mut rng = Rng::new(id);
    let mut stream = ctx.connect(false).await?;
    let mut offset = 0u64;
    let mut back = vec![0u8; 8192];
    let result = async {
        while !ctx.stopping() {
            let n = rng.range(1, 8193) as usize;
            let chunk: Vec<u8> = (0..n as u64).map(|i| pattern(id, offset + i)).collect();
            stream.write_all(&chunk).await?;
            stream.read_exact(&mut back[..n]).await?;
            if back[..n] != chunk[..] {
                ctx.stats
                    .fail(format!("echo client {id}: wrong bytes at offset {offset}"));
                return Ok(());
            }
            offset += n as u64;
            ctx.stats.round_trips.inc();
            ctx.stats.echo_bytes.add(n as u64);
            sleep(Duration::from_millis(rng.range(5, 100))).await;
        }
        // Close our side; the server must answer with EOF and not one byte
        // more.
        stream.close().await?;
        let extra = stream.read(&mut back).await?;
        if extra != 0 {
            ctx.stats.fail(format!(
                "echo client {id}: {extra} extra bytes after {offset}"
            ));
        } else {
            ctx.stats.echo_clients_ok.inc();
        }
        Ok(())
    }
    .await;
    ctx.release();
    result
}

async fn reset(ctx: &Ctx, id: u64) -> std::io::Result<()> {
    let mut rng = Rng::new(id);
    while !ctx.stopping() {
        let mut stream = ctx.connect(false).await?;
        let n = rng.range(1, 32 * 1024) as usize;
        let chunk = vec![b'r'; n];
        // Write (the server may already be echoing), maybe read a little,
        // then vanish with an RST instead of a FIN.
        let _ = timeout(Duration::from_millis(200), stream.write_all(&chunk)).await;
        if rng.next() % 2 == 0 {
            let mut some = [0u8; 100];
            let _ = timeout(Duration::from_millis(50), stream.read(&mut some)).await;
        }
        stream.set_linger(Some(Duration::ZERO))?;
        drop(stream);
        ctx.release();
        ctx.stats.resets.inc();
        sleep(Duration::from_millis(rng.range(200, 1000))).await;
    }
    Ok(())
}

async fn half_close(ctx: &Ctx, id: u64) -> std::io::Result<()> {
    let mut rng = Rng::new(id);
    while !ctx.stopping() {
        let mut stream = ctx.connect(false).await?;
        let n = rng.range(1, 32 * 1024);
        let sent: Vec<u8> = (0..n).map(|i| pattern(id, i)).collect();
        let result = async {
            stream.write_all(&sent).await?;
            stream.close().await?; // shutdown(Write): the server reads EOF
            let mut back = Vec::with_capacity(sent.len());
            stream.read_to_end(&mut back).await?;
            if back != sent {
                ctx.stats.fail(format!(
                    "half-close client {id}: sent {} bytes, got {} back (or different ones)",
                    sent.len(),
                    back.len()
                ));
            }
            Ok::<_, std::io::Error>(())
        }
        .await;
        drop(stream);
        ctx.release();
        result?;
        ctx.stats.half_closes.inc();
        sleep(Duration::from_millis(rng.range(200, 1000))).await;
    }
    Ok(())
}

async fn slow_loris(ctx: &Ctx, id: u64) -> std::io::Result<()> {
    let mut stream = ctx.connect(false).await?;
    let result = async {
        let mut offset = 0;
        while !ctx.stopping() {
            let byte = pattern(id, offset);
            stream.write_all(&[byte]).await?;
            let mut back = [0u8; 1];
            stream.read_exact(&mut back).await?;
            if back[0] != byte {
                ctx.stats
                    .fail(format!("slow-loris {id}: wrong byte at {offset}"));
            }
            offset += 1;
            ctx.stats.loris_bytes.inc();
            sleep(Duration::from_secs(1)).await;
        }
        Ok(())
    }
    .await;
    ctx.release();
    result
}

async fn never_read(ctx: &Ctx, _id: u64) -> std::io::Result<()> {
    /// More than this written without the writes stalling means the server
    /// buffers what it cannot send instead of pushing back.
    const NO_BACK_PRESSURE: u64 = 64 << 20;
    let mut stream = ctx.connect(true).await?;
    let chunk = vec![b'n'; 16 * 1024];
    let mut written = 0u64;
    let result = async {
        while !ctx.stopping() {
            match timeout(Duration::from_secs(1), stream.write(&chunk)).await {
                Ok(n) => written += n? as u64,
                Err(_) => {
                    // Back-pressure: nothing accepted for a second.
                    ctx.stats.never_read_stalled.inc();
                    break;
                }
            }
            if written > NO_BACK_PRESSURE {
                ctx.stats.fail(format!(
                    "never-read client: {written} bytes accepted without back-pressure"
                ));
                break;
            }
        }
        ctx.stats.never_read_bytes.add(written);
        while !ctx.stopping() {
            sleep(Duration::from_millis(200)).await;
        }
        Ok(())
    }
    .await;
    ctx.release();
    result
}
