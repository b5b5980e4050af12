//! The accept loop: HTTP/1.1 connections kept within bounds ([`super::conns`]: in all, per
//! client address, and not yet past authentication per address, shedding the one that has
//! waited longest when a bound is reached) and with a deadline for each request's headers, so
//! that slow or idle clients cannot hold the server's sockets and file descriptors, nor shut
//! out everyone else. `axum::serve` gives hyper no timer, so it can do neither.
//!
//! hyper's header-read timeout also runs while a kept-alive connection waits for its next
//! request, which closes idle connections too. When nothing can be shed (every connection is
//! serving a request), a new connection is told `503` with `Retry-After` and closed. Body
//! deadlines are per request ([`super::http`]). Each request carries its [`Peer`] address and
//! its connection's [`Handle`], which marks the connection busy while its answer is sent.

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, HttpBody};
use axum::http::Request;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};

use super::conns::{Bounds, Busy, Handle, Net, Tracker};

/// How many connections, and how long a client may take to send a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnLimits {
    /// Connections open at once (`MCP_MAX_CONNECTIONS`).
    pub max_connections: usize,
    /// Connections open at once from one address (`MCP_MAX_CONNECTIONS_PER_ADDRESS`).
    pub per_address: usize,
    /// Connections from one address with no request admitted yet
    /// (`MCP_MAX_PENDING_PER_ADDRESS`).
    pub pending_per_address: usize,
    /// Addresses bound only by the total, whose `X-Forwarded-For` names the client
    /// (`MCP_TRUSTED_PROXIES`).
    pub trusted_proxies: Vec<Net>,
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
            per_address: 128,
            pending_per_address: 32,
            trusted_proxies: Vec::new(),
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
        }
    }
}

impl ConnLimits {
    fn bounds(&self) -> Bounds {
        Bounds {
            max_connections: self.max_connections,
            per_address: self.per_address,
            pending_per_address: self.pending_per_address,
            trusted_proxies: self.trusted_proxies.clone(),
        }
    }

    /// Whether `ip` is a proxy this server trusts to name its clients.
    pub fn trusts(&self, ip: IpAddr) -> bool {
        self.trusted_proxies.iter().any(|n| n.contains(ip))
    }
}

/// The address a request's connection came from.
#[derive(Debug, Clone, Copy)]
pub struct Peer(pub SocketAddr);

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
    let tracker = Tracker::new(limits.bounds());
    let refusing = Arc::new(Semaphore::new(MAX_REFUSING));
    // Connections still in their first moment, not yet judged (cheap: a socket and a wait).
    let probation = Arc::new(Semaphore::new(limits.max_connections.saturating_mul(2)));
    let (stop, stopped) = watch::channel(false);
    let open = Arc::new(Semaphore::new(OPEN_MAX as usize));
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
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
        let Ok(probe) = probation.clone().try_acquire_owned() else {
            // More connections opening at once than the server keeps: this one is dropped.
            continue;
        };
        let (tracker, refusing, open) = (tracker.clone(), refusing.clone(), open.clone());
        let (router, stopped) = (router.clone(), stopped.clone());
        let header_timeout = limits.header_timeout;
        tokio::spawn(async move {
            // A connection is judged once it has had a moment to send its request: one that
            // has is never the one shed to make room (a client's fresh connection), one that
            // stays silent may be.
            let mut first = [0u8; 1];
            let spoke = matches!(
                tokio::time::timeout(PROBE, stream.peek(&mut first)).await,
                Ok(Ok(n)) if n > 0
            );
            drop(probe);
            #[cfg(unix)]
            let fd = Some(std::os::fd::AsRawFd::as_raw_fd(&stream));
            #[cfg(not(unix))]
            let fd = None;
            match tracker.admit(peer.ip(), fd, spoke) {
                Some(ticket) => {
                    let Ok(running) = open.try_acquire_owned() else {
                        return;
                    };
                    connection(stream, peer, router, header_timeout, stopped, ticket).await;
                    drop(running);
                }
                None => {
                    if let Ok(turn) = refusing.try_acquire_owned() {
                        refuse(stream).await;
                        drop(turn);
                    }
                }
            }
        });
    }
    let _ = stop.send(true);
    // Every connection task holds one permit; all of them back means all have ended.
    let _ = tokio::time::timeout(DRAIN, open.acquire_many(OPEN_MAX)).await;
}

/// How long a new connection gets to send its first bytes before it is judged.
const PROBE: Duration = Duration::from_millis(100);

/// More connections than any server keeps open (permits for the shutdown drain).
const OPEN_MAX: u32 = 1 << 20;

async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    router: Router,
    header_timeout: Duration,
    mut stopped: watch::Receiver<bool>,
    ticket: super::conns::Ticket,
) {
    let handle = ticket.handle();
    let ticket = Arc::new(ticket);
    let first = ticket.clone();
    let router = TowerToHyperService::new(router);
    let service = hyper::service::service_fn(move |mut req: Request<Incoming>| {
        let busy = handle.busy();
        first.arrived();
        req.extensions_mut().insert(Peer(peer));
        req.extensions_mut().insert(handle.clone());
        let answer = hyper::service::Service::call(&router, req);
        async move {
            let resp = answer.await;
            // The connection stays busy until the whole answer (a stream too) is sent.
            resp.map(|r| {
                r.map(|b| {
                    Body::new(Tracked {
                        inner: b,
                        _busy: busy,
                    })
                })
            })
        }
    });
    // Boxed, so it can be dropped (closing the socket) after it leaves the tracker.
    let mut conn = Box::pin(
        hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(header_timeout)
            .keep_alive(true)
            .serve_connection(TokioIo::new(stream), service),
    );
    tokio::select! {
        r = conn.as_mut() => {
            if let Err(e) = r {
                tracing::debug!("connection ended: {e}");
            }
        }
        // Shed to make room for another: it was waiting, so nothing is cut short.
        _ = ticket.shed.notified() => {}
        _ = async { stopped.wait_for(|s| *s).await.map(|_| ()) } => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.as_mut().await;
        }
    }
    // Out of the tracker first, then the socket is closed (with the connection).
    ticket.leave();
    drop(conn);
}

/// A response body that keeps its connection marked busy until it is sent or dropped.
struct Tracked {
    inner: Body,
    _busy: Busy,
}

impl HttpBody for Tracked {
    type Data = <Body as HttpBody>::Data;
    type Error = <Body as HttpBody>::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<hyper::body::Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.inner.size_hint()
    }
}

/// Marks the request's connection as admitted: its caller passed authentication.
pub fn admitted(req: &axum::extract::Request) {
    if let Some(h) = req.extensions().get::<Handle>() {
        h.admitted();
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
