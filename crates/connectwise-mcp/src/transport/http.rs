//! MCP over streamable HTTP (`POST /mcp`; GET and DELETE answer per the protocol era), plus
//! `GET /health`. Served statelessly: every request stands on its own, so nothing about a
//! caller is kept between requests.
//!
//! Until role tokens arrive this runs in dev mode only: full access, no authentication, and
//! therefore loopback addresses only, with a loud warning.

use std::net::SocketAddr;

use anyhow::{bail, Context};
use axum::routing::get;
use axum::{Json, Router};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};
use serde_json::json;
use tokio::net::TcpListener;

use crate::surface::mcp::McpServer;

/// Largest MCP request body accepted.
const MAX_BODY: usize = 1024 * 1024;

pub fn router(server: McpServer) -> Router {
    let mcp = StreamableHttpService::new(
        move || Ok(server.clone()),
        LocalSessionManager::default().into(),
        StreamableHttpServerConfig::default()
            .with_legacy_session_mode(false)
            .with_json_response(true)
            .with_max_request_body_bytes(MAX_BODY),
    );
    Router::new()
        .route(
            "/health",
            get(|| async {
                Json(json!({"status": "ok", "service": "connectwise-mcp", "version": env!("CARGO_PKG_VERSION")}))
            }),
        )
        .nest_service("/mcp", mcp)
}

/// Binds and serves until Ctrl-C. Refuses non-loopback addresses in dev mode.
pub async fn serve(
    server: McpServer,
    addr: SocketAddr,
    on_ready: impl FnOnce(SocketAddr),
) -> anyhow::Result<()> {
    if !addr.ip().is_loopback() {
        bail!(
            "refusing to serve MCP over HTTP on {addr} without authentication: bind a loopback address (--bind 127.0.0.1) until role tokens are configured"
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
    tracing::warn!("DEV MODE: MCP over HTTP on http://{local}/mcp with NO authentication and full access; loopback only");
    eprintln!(
        "\n*** DEV MODE ***  http://{local}/mcp has NO authentication: anyone on this machine can act\n\
         with the configured ConnectWise keys. It listens on loopback only. Do not expose it.\n"
    );
    on_ready(local);
    axum::serve(listener, router(server))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .context("the HTTP server stopped")
}
