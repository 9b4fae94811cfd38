//! The routes: one `async fn` from request to response, as hyper's
//! `service_fn` wants.
//!
//! | route | answer |
//! |---|---|
//! | `GET /` | `Hello, world!` |
//! | `GET /sleep?ms=N` | `slept N ms` after a `coop::time::sleep` (N capped at 60,000) |
//! | `POST /echo` | the request body, streamed back frame by frame as it arrives |
//! | `GET /stats` | open and accepted connections, requests served, handlers busy (this one included) |
//! | anything else | 404 (405 for a known path with the wrong method) |
//!
//! The echo hands hyper the request's own body as the response body: hyper
//! writes each chunk as soon as it has read it, so a 1 GiB upload needs no
//! 1 GiB buffer and the first bytes come back before the last are sent.

use std::convert::Infallible;
use std::rc::Rc;
use std::time::Duration;

use http_body_util::{Either, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Method, Request, Response, StatusCode};

use crate::stats::Stats;

/// A response body: a buffer we made, or the request body being echoed.
pub type Body = Either<Full<Bytes>, Incoming>;

/// The longest `/sleep` we accept, so a request cannot park a task for days.
const MAX_SLEEP_MS: u64 = 60_000;

pub async fn handle(
    req: Request<Incoming>,
    stats: Rc<Stats>,
) -> Result<Response<Body>, Infallible> {
    let _busy = stats.request();
    let response = match (req.method(), req.uri().path()) {
        (&Method::GET, "/") => text(StatusCode::OK, "Hello, world!"),
        (&Method::GET, "/sleep") => match sleep_ms(req.uri().query()) {
            Some(ms) => {
                coop::time::sleep(Duration::from_millis(ms)).await;
                text(StatusCode::OK, format!("slept {ms} ms"))
            }
            None => text(
                StatusCode::BAD_REQUEST,
                format!("use /sleep?ms=N with N at most {MAX_SLEEP_MS}"),
            ),
        },
        (&Method::POST, "/echo") => Response::new(Either::Right(req.into_body())),
        (&Method::GET, "/stats") => text(StatusCode::OK, stats.report()),
        (_, "/" | "/sleep" | "/echo" | "/stats") => {
            text(StatusCode::METHOD_NOT_ALLOWED, "method not allowed")
        }
        _ => text(StatusCode::NOT_FOUND, "not found"),
    };
    Ok(response)
}

fn text(status: StatusCode, body: impl Into<Bytes>) -> Response<Body> {
    let mut response = Response::new(Either::Left(Full::new(body.into())));
    *response.status_mut() = status;
    response
}

/// `ms=N` from the query string, if present, a number, and not too large.
fn sleep_ms(query: Option<&str>) -> Option<u64> {
    query?
        .split('&')
        .find_map(|pair| pair.strip_prefix("ms="))
        .and_then(|ms| ms.parse().ok())
        .filter(|&ms| ms <= MAX_SLEEP_MS)
}

#[cfg(test)]
mod tests {
    use super::sleep_ms;

    #[test]
    fn sleep_ms_reads_the_query() {
        assert_eq!(sleep_ms(Some("ms=250")), Some(250));
        assert_eq!(sleep_ms(Some("x=1&ms=7")), Some(7));
        assert_eq!(sleep_ms(Some("ms=abc")), None);
        assert_eq!(sleep_ms(Some("ms=60001")), None);
        assert_eq!(sleep_ms(None), None);
    }
}
