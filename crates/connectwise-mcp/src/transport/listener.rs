//! The accept loop: HTTP/1.1 connections with a cap on how many are open and a deadline for
//! each request's headers, so that slow or idle clients cannot hold the server's sockets and
//! file descriptors forever. `axum::serve` gives hyper no timer, so it can do neither.
//!
//! hyper's header-read timeout also runs while a kept-alive connection waits for its next
//! request, which closes idle connections too. Over the cap, a new connection is told
//! `503` with `Retry-After` and closed. Body deadlines are per request ([`super::http`]).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};

/// How many connections, and how long a client may take to send a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnLimits {
    /// Connections open at once (`MCP_MAX_CONNECTIONS`).
    pub max_connections: usize,
    /// From connection (or the end of the last response) to a request's complete headers
    /// (`MCP_HEADER_TIMEOUT_SECS`).
    pub header_timeout: Duration,
    /// From complete headers to a complete body (`MCP_BODY_TIMEOUT_SECS`).
    pub body_timeout: Duration,
}

impl Default for ConnLimits {
    fn default() -> Self {
        ConnLimits {
            max_connections: 512,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
        }
    }
}

/// Connections being turned away at once; beyond this they are just closed.
const MAX_REFUSING: usize = 64;
/// How long open connections get to finish after Ctrl-C.
const DRAIN: Duration = Duration::from_secs(10);

const BUSY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\n\
content-type: application/json\r\n\
retry-after: 1\r\n\
connection: close\r\n\
content-length: 115\r\n\r\n\
{\"error\":\"busy\",\"error_description\":\"The server is at its connection limit (MCP_MAX_CONNECTIONS); retry shortly.\"}\n";

/// Serves `router` on `listener` until `shutdown` resolves, then lets open connections finish
/// their requests (for at most [`DRAIN`]).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnLimits,
    shutdown: impl Future<Output = ()>,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let refusing = Arc::new(Semaphore::new(MAX_REFUSING));
    let (stop, stopped) = watch::channel(false);
    tokio::pin!(shutdown);
    loop {
        let (stream, _) = tokio::select! {
            _ = &mut shutdown => break,
            r = listener.accept() => match r {
                Ok(c) => c,
                Err(e) => {
                    // Out of file descriptors, or a connection reset before it was accepted:
                    // wait a little rather than spin.
                    tracing::warn!("accepting a connection failed: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        match slots.clone().try_acquire_owned() {
            Ok(slot) => {
                let router = router.clone();
                let stopped = stopped.clone();
                tokio::spawn(async move {
                    connection(stream, router, limits.header_timeout, stopped).await;
                    drop(slot);
                });
            }
            Err(_) => {
                if let Ok(turn) = refusing.clone().try_acquire_owned() {
                    tokio::spawn(async move {
                        refuse(stream).await;
                        drop(turn);
                    });
                }
            }
        }
    }
    let _ = stop.send(true);
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout(DRAIN, slots.acquire_many(all)).await;
}

async fn connection(
    stream: TcpStream,
    router: Router,
    header_timeout: Duration,
    mut stopped: watch::Receiver<bool>,
) {
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .keep_alive(true)
        .serve_connection(TokioIo::new(stream), TowerToHyperService::new(router));
    tokio::pin!(conn);
    tokio::select! {
        r = conn.as_mut() => {
            if let Err(e) = r {
                tracing::debug!("connection ended: {e}");
            }
        }
        _ = async { stopped.wait_for(|s| *s).await.map(|_| ()) } => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}

/// Tells a connection over the cap to come back later. The request is read (briefly) before
/// closing so that the client sees the answer rather than a reset.
async fn refuse(mut stream: TcpStream) {
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        stream.write_all(BUSY).await?;
        stream.shutdown().await?;
        let mut sink = [0u8; 4096];
        while stream.read(&mut sink).await? > 0 {}
        Ok::<_, std::io::Error>(())
    })
    .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_busy_answer_is_well_formed() {
        let text = std::str::from_utf8(BUSY).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        let len: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length: "))
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(body.len(), len);
        serde_json::from_str::<serde_json::Value>(body).unwrap();
    }
}
