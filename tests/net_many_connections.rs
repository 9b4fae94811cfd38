//! One loop, 1,000 connections open at once, each completing an echo.

mod net_support;

use std::cell::Cell;
use std::rc::Rc;

use coop::net::{TcpListener, TcpStream};
use futures_util::{AsyncReadExt, AsyncWriteExt};
use net_support::{fd_limits, run, set_soft_fd_limit};

const CONNECTIONS: usize = 1000;

#[test]
#[cfg_attr(miri, ignore)]
fn a_thousand_concurrent_connections_each_complete_an_echo() {
    // Two descriptors per connection (both ends live in this process).
    let needed = (2 * CONNECTIONS + 200) as libc::rlim_t;
    let (soft, hard) = fd_limits();
    assert!(
        hard >= needed,
        "the hard descriptor limit ({hard}) is below the {needed} this test needs"
    );
    if soft < needed {
        set_soft_fd_limit(needed);
    }

    run(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let served = Rc::new(Cell::new(0usize));
        let server_served = served.clone();
        drop(coop::spawn(async move {
            loop {
                let (mut socket, _) = listener.accept().await.unwrap();
                let served = server_served.clone();
                drop(coop::spawn(async move {
                    let mut buf = [0; 64];
                    loop {
                        let n = socket.read(&mut buf).await.unwrap();
                        if n == 0 {
                            break;
                        }
                        socket.write_all(&buf[..n]).await.unwrap();
                    }
                    served.set(served.get() + 1);
                }));
            }
        }));

        // Phase 1: open every connection (all 1,000 are open together).
        let connecting: Vec<_> = (0..CONNECTIONS)
            .map(|_| coop::spawn(async move { TcpStream::connect(addr).await.unwrap() }))
            .collect();
        let mut streams = Vec::with_capacity(CONNECTIONS);
        for handle in connecting {
            streams.push(handle.await.unwrap());
        }

        // Phase 2: every connection echoes a message of its own at once.
        let echoes: Vec<_> = streams
            .into_iter()
            .enumerate()
            .map(|(i, mut stream)| {
                coop::spawn(async move {
                    let message = format!("hello from connection {i}");
                    stream.write_all(message.as_bytes()).await.unwrap();
                    let mut reply = vec![0; message.len()];
                    stream.read_exact(&mut reply).await.unwrap();
                    assert_eq!(reply, message.as_bytes());
                    stream.close().await.unwrap();
                    let mut rest = Vec::new();
                    stream.read_to_end(&mut rest).await.unwrap();
                    assert!(rest.is_empty());
                })
            })
            .collect();
        for handle in echoes {
            handle.await.unwrap();
        }
        assert_eq!(served.get(), CONNECTIONS);
    });
}
