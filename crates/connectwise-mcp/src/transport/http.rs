//! MCP over streamable HTTP (`POST /mcp`; GET and DELETE answer per the protocol era), plus
//! `GET /health`. Served statelessly: every request stands on its own, so nothing about a
//! caller is kept between requests.
//!
//! With role tokens configured every `/mcp` request needs a bearer token ([`super::access`]).
//! Without any, this is dev mode: full access, no authentication, and therefore loopback
//! addresses only, with a loud warning (also in `/health`). Connections are accepted, capped
//! and timed out by [`super::listener`].

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::CONNECTION;
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};
use serde_json::json;
use tokio::net::TcpListener;

use super::access::{self, HttpAccess};
use super::{cors, listener};
use crate::pipeline::Pipeline;
use crate::surface::bridge;
use crate::surface::mcp::{McpServer, Results};
use crate::surface::openapi::{self, OpenApi};

/// Largest MCP request body accepted (413 beyond): far above any tool call's arguments.
const MAX_BODY: usize = 256 * 1024;

/// Every route: `/mcp`, the OpenAPI tool server, seed 001's bridge (all behind the caller's
/// token and keys), and `/health`; Host and Origin are checked first, on all of them.
pub fn router(pipeline: Arc<Pipeline>, results: Results, access: Arc<HttpAccess>) -> Router {
    let dev = access.dev();
    let body_timeout = access.conn.body_timeout;
    let mut config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(false)
        .with_json_response(true)
        .with_max_request_body_bytes(MAX_BODY)
        .with_allowed_origins(access.origins.clone())
        .enforce_origin_validation();
    config = match (&access.hosts, dev) {
        (Some(hosts), _) => config.with_allowed_hosts(hosts.clone()),
        (None, true) => config,
        (None, false) => config.disable_allowed_hosts(),
    };
    let server = McpServer::per_request(pipeline.clone(), results);
    let pipeline_for_ready = pipeline.clone();
    let mcp = StreamableHttpService::new(
        move || Ok(server.clone()),
        LocalSessionManager::default().into(),
        config,
    );
    let api = OpenApi {
        pipeline,
        bearer: !dev,
    };
    let origins = Arc::new(access.origins.clone());
    let redis = access.redis.clone();
    let ready = (pipeline_for_ready, access.redis.clone());
    Router::new()
        .nest_service("/mcp", mcp)
        .layer(middleware::from_fn(json_rpc_parse_errors))
        .merge(openapi::routes(api.clone()))
        .merge(bridge::routes(api))
        .layer(middleware::from_fn_with_state(body_timeout, buffered))
        // No body is read before the caller is known.
        .layer(middleware::from_fn_with_state(access.clone(), access::admit))
        .route(
            "/health",
            get(move || {
                let redis = redis.clone();
                async move {
                    let auth = if dev {
                        "none (DEV MODE: no authentication, full access, loopback only)"
                    } else {
                        "role tokens"
                    };
                    let mut body = json!({"status": "ok", "service": "connectwise-mcp", "version": env!("CARGO_PKG_VERSION"), "auth": auth});
                    if let (Some(r), Some(o)) = (redis, body.as_object_mut()) {
                        o.insert("redis".into(), json!(if r.up() { "up" } else { "down" }));
                        o.insert("writes".into(), json!(r.writes()));
                    }
                    Json(body)
                }
            }),
        )
        .route("/ready", get(move || readiness(ready.clone())))
        .layer(middleware::from_fn_with_state(origins, cors::cors))
        .layer(middleware::from_fn_with_state(access, access::hosts))
}

/// How long a readiness check waits for ConnectWise.
const READY_TIMEOUT: Duration = Duration::from_secs(3);

/// `GET /ready`, for load balancers and Kubernetes readiness probes: 200 when ConnectWise's
/// site answers (its unauthenticated company lookup) and, with replicas, Redis does; 503 with
/// what is missing otherwise. `/health` is liveness: it answers while the process runs.
async fn readiness(
    (pipeline, redis): (Arc<Pipeline>, Option<Arc<crate::cluster::Redis>>),
) -> Response {
    let cw = tokio::time::timeout(READY_TIMEOUT, pipeline.upstream().company_info()).await;
    let connectwise = match cw {
        Ok(Ok(_)) => "reachable".to_string(),
        Ok(Err(e)) => format!("unreachable: {e}"),
        Err(_) => format!(
            "unreachable: no answer within {} s",
            READY_TIMEOUT.as_secs()
        ),
    };
    let mut ready = connectwise == "reachable";
    let mut body = json!({"connectwise": connectwise});
    if let (Some(r), Some(o)) = (redis, body.as_object_mut()) {
        let up = r.check().await;
        ready &= up;
        o.insert(
            "redis".into(),
            json!(if up { "reachable" } else { "unreachable" }),
        );
    }
    if let Some(o) = body.as_object_mut() {
        o.insert("ready".into(), json!(ready));
    }
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}

/// Most bytes of an oversized body read and thrown away before answering 413: a client that
/// sends a body without waiting for `100 Continue` is still sending when the answer is ready,
/// and closing on unread bytes would reset the connection before it reads the answer.
const DRAIN_MAX: usize = 64 * 1024 * 1024;

/// Reads a POST's body within `body_timeout` (408 past it, 413 past [`MAX_BODY`]), so that
/// no handler waits on a slow client.
async fn buffered(State(body_timeout): State<Duration>, req: Request, next: Next) -> Response {
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let declared = parts
        .headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let waits_for_continue = parts
        .headers
        .get(axum::http::header::EXPECT)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"));
    // Declared too large and not yet sent: answer now, and the body never comes.
    if waits_for_continue && declared.is_some_and(|n| n > MAX_BODY as u64) {
        return too_large();
    }
    let read = tokio::time::timeout(body_timeout, read_body(body)).await;
    let bytes = match read {
        Ok(ReadBody::Whole(bytes)) => bytes,
        Ok(ReadBody::TooLarge) => return too_large(),
        Ok(ReadBody::Broken) => {
            return (
                StatusCode::BAD_REQUEST,
                Json(json!({"detail": "The request body could not be read."})),
            )
                .into_response()
        }
        Err(_) => {
            let mut r = (
                StatusCode::REQUEST_TIMEOUT,
                Json(json!({"detail": format!("The request body did not arrive within {} s.", body_timeout.as_secs())})),
            )
                .into_response();
            r.headers_mut()
                .insert(CONNECTION, HeaderValue::from_static("close"));
            return r;
        }
    };
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// A request body as read: whole, over [`MAX_BODY`] (the rest read and dropped, up to
/// [`DRAIN_MAX`]), or broken off by the client.
enum ReadBody {
    Whole(axum::body::Bytes),
    TooLarge,
    Broken,
}

async fn read_body(body: Body) -> ReadBody {
    use futures::StreamExt;
    let mut stream = body.into_data_stream();
    let mut kept: Vec<u8> = Vec::new();
    let mut seen = 0usize;
    while let Some(chunk) = stream.next().await {
        let Ok(chunk) = chunk else {
            return ReadBody::Broken;
        };
        seen = seen.saturating_add(chunk.len());
        if seen > DRAIN_MAX {
            // Past this a client is not making a mistake; stop reading.
            return ReadBody::TooLarge;
        }
        if seen <= MAX_BODY {
            kept.extend_from_slice(&chunk);
        }
    }
    if seen > MAX_BODY {
        ReadBody::TooLarge
    } else {
        ReadBody::Whole(kept.into())
    }
}

fn too_large() -> Response {
    let mut r = (
        StatusCode::PAYLOAD_TOO_LARGE,
        Json(json!({"detail": format!("The request body is larger than {MAX_BODY} bytes.")})),
    )
        .into_response();
    r.headers_mut()
        .insert(CONNECTION, HeaderValue::from_static("close"));
    r
}

/// A POST to `/mcp` whose body is empty or not JSON gets JSON-RPC's parse error (-32700) with
/// 400, as the protocol asks; rmcp would answer 415 as if the content type were wrong. The
/// body is already buffered ([`buffered`]).
async fn json_rpc_parse_errors(req: Request, next: Next) -> Response {
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(&bytes) {
        let message = if bytes.is_empty() {
            "Parse error: the request body is empty; send one JSON-RPC message".to_string()
        } else {
            format!("Parse error: the request body is not JSON ({e})")
        };
        let body =
            json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32700, "message": message}});
        return (StatusCode::BAD_REQUEST, Json(body)).into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// Binds and serves until SIGTERM or Ctrl-C. Refuses non-loopback addresses in dev mode.
pub async fn serve(
    pipeline: Arc<Pipeline>,
    results: Results,
    addr: SocketAddr,
    access: Arc<HttpAccess>,
    on_ready: impl FnOnce(SocketAddr),
) -> anyhow::Result<()> {
    let dev = access.dev();
    if dev && !addr.ip().is_loopback() {
        bail!(
            "refusing to serve MCP over HTTP on {addr} without authentication: configure role tokens (MCP_TOKENS_VIEWER, MCP_TOKENS_EDITOR, MCP_TOKENS_ADMIN; mint one with `connectwise-mcp token --label NAME`), or bind a loopback address (--bind 127.0.0.1)"
        );
    }
    let listener = match TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => bail!(
            "port {} on {} is already in use: pick another with --port (or PORT), or --port 0 for any free one",
            addr.port(),
            addr.ip()
        ),
        Err(e) => return Err(e).with_context(|| format!("cannot listen on {addr}")),
    };
    let local = listener.local_addr()?;
    if dev {
        tracing::warn!("DEV MODE: MCP over HTTP on http://{local}/mcp with NO authentication and full access; loopback only");
        eprintln!(
            "\n*** DEV MODE ***  http://{local}/mcp has NO authentication: anyone on this machine can act\n\
             with the configured ConnectWise keys. It listens on loopback only. Do not expose it.\n"
        );
    } else {
        tracing::info!(
            "MCP over HTTP on http://{local}/mcp with role tokens ({})",
            access.tokens.summary()
        );
    }
    on_ready(local);
    let limits = access.conn.clone();
    listener::serve(
        listener,
        router(pipeline, results, access),
        limits,
        crate::shutdown::signal(),
    )
    .await;
    Ok(())
}
