//! The server in-process against a simulated tenant: the pipeline built from the library's
//! parts, and an rmcp client talking to it over an in-memory duplex pipe (as rmcp's own tests
//! do), so every test runs the real protocol without a process or a port.
// Helpers, not #[test] functions, so clippy's in-tests allowances do not reach them; the
// tests' own files need none.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::net::SocketAddr;
use std::sync::Arc;

use connectwise_mcp::audit::LogLine;
use connectwise_mcp::auth::{Caller, Principal, Role};
use connectwise_mcp::context::Shared;
use connectwise_mcp::pipeline::{Limits, Parts, Pipeline};
use connectwise_mcp::replay;
use connectwise_mcp::surface::mcp::{McpServer, Results};
use connectwise_mcp::tools::Registry;
use cw_client::{Config, Credentials, Site, Upstream};
use cw_sim::{RunningSim, Sim, TenantSpec};
use rmcp::model::{CallToolRequestParams, CallToolResult, JsonObject};
use rmcp::service::RunningService;
use rmcp::{RoleClient, ServiceExt};
use serde_json::Value;

/// A simulated tenant on loopback (300 tickets, "now" as its anchor so time sheets are open).
pub async fn tenant(seed: u64) -> RunningSim {
    let mut spec = TenantSpec::demo(seed);
    spec.tickets = 300;
    Sim::generate(&spec)
        .start(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap()
}

/// A member's keys, as the simulator issued them.
pub fn keys(sim: &RunningSim, member: &str) -> Credentials {
    let line = sim.credentials();
    let m = line["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["identifier"] == member)
        .unwrap();
    Credentials::new(
        m["publicKey"].as_str().unwrap(),
        m["privateKey"].as_str().unwrap(),
        Some(member),
    )
}

/// A pipeline over the tenant with `member`'s keys as the server-wide keys.
pub fn pipeline(sim: &RunningSim, member: &str, limits: Limits) -> Arc<Pipeline> {
    pipeline_with(sim, member, limits, |_| {})
}

/// [`pipeline`] with the ConnectWise client's configuration adjusted (timeouts, circuit).
pub fn pipeline_with(
    sim: &RunningSim,
    member: &str,
    limits: Limits,
    adjust: impl FnOnce(&mut Config),
) -> Arc<Pipeline> {
    pipeline_journaled(
        sim,
        member,
        limits,
        adjust,
        Arc::new(connectwise_mcp::journal::Memory::default()),
    )
}

/// [`pipeline_with`] journaling its writes in `journal` (a file one "process" leaves for the
/// next, say).
pub fn pipeline_journaled(
    sim: &RunningSim,
    member: &str,
    limits: Limits,
    adjust: impl FnOnce(&mut Config),
    journal: Arc<dyn connectwise_mcp::journal::Journal>,
) -> Arc<Pipeline> {
    let line = sim.credentials();
    let mut cfg = Config::new(
        Site::parse(&sim.site()).unwrap(),
        "harborview",
        line["clientId"].as_str().unwrap(),
    );
    adjust(&mut cfg);
    Pipeline::new(Parts {
        registry: Registry::psa(),
        shared: Shared::new(chrono_tz::Tz::UTC),
        upstream: Upstream::new(cfg).unwrap(),
        server_creds: Some(keys(sim, member)),
        limits,
        replay: Arc::new(replay::Local::new()),
        journal,
        audit: Arc::new(LogLine),
    })
}

/// Everything offered, nothing read-only.
pub fn open() -> Limits {
    Limits::all()
}

pub fn caller(role: Role) -> Caller {
    Caller {
        principal: Principal {
            label: format!("test-{}", role.name()),
            role,
            local: false,
        },
        creds: None,
        toolsets: None,
    }
}

/// An MCP client connected to the server over an in-memory pipe, with structured results
/// (what the tests inspect).
pub async fn client(pipeline: Arc<Pipeline>, who: Caller) -> RunningService<RoleClient, ()> {
    client_with(pipeline, who, Results::Structured).await
}

/// An MCP client with results shaped as given.
pub async fn client_with(
    pipeline: Arc<Pipeline>,
    who: Caller,
    results: Results,
) -> RunningService<RoleClient, ()> {
    let (server_io, client_io) = tokio::io::duplex(1 << 20);
    let server = McpServer::new(pipeline, who, results);
    tokio::spawn(async move {
        if let Ok(running) = server.serve(server_io).await {
            let _ = running.waiting().await;
        }
    });
    ().serve(client_io).await.unwrap()
}

pub fn args(v: Value) -> JsonObject {
    v.as_object().cloned().unwrap_or_default()
}

/// Calls a tool over MCP.
pub async fn call(
    c: &RunningService<RoleClient, ()>,
    name: &str,
    a: Value,
) -> Result<CallToolResult, rmcp::ServiceError> {
    c.call_tool(CallToolRequestParams::new(name.to_string()).with_arguments(args(a)))
        .await
}

/// The text of a result's content blocks.
pub fn text(r: &CallToolResult) -> String {
    r.content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.clone()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// An open Help Desk ticket `member` owns.
pub fn my_open_ticket(sim: &RunningSim, member: &str) -> i64 {
    use cw_sim::json::Json;
    let t = sim.sim.tenant();
    t.store
        .table(cw_sim::kind::Kind::Ticket)
        .values()
        .find(|x| {
            *x.at("owner").at("identifier") == member
                && *x.at("closedFlag") == false
                && *x.at("board").at("name") == "Help Desk"
        })
        .and_then(|x| x.at("id").as_i64())
        .unwrap()
}

/// How many notes a ticket has in the tenant.
pub fn notes_on(sim: &RunningSim, ticket: i64) -> usize {
    use cw_sim::json::Json;
    sim.sim
        .tenant()
        .store
        .table(cw_sim::kind::Kind::TicketNote)
        .values()
        .filter(|n| n.at("ticketId").as_i64() == Some(ticket))
        .count()
}

/// Requests that reached the simulator with a method other than GET.
pub fn writes(sim: &RunningSim) -> Vec<cw_sim::LoggedRequest> {
    sim.sim
        .hooks()
        .requests()
        .into_iter()
        .filter(|r| r.method != "GET")
        .collect()
}

/// An editor's role token the HTTP tests use.
pub const EDITOR_TOKEN: &str = "editor-token-0123456789abcdefghijklmnopqrstuvwxyz";

/// The pipeline served over real HTTP on loopback, admitting callers as `access` says (its
/// keys checked against the simulator unless `access.keys` is set otherwise); the address.
pub async fn http_server(
    pipeline: Arc<Pipeline>,
    mut access: connectwise_mcp::transport::access::HttpAccess,
) -> SocketAddr {
    use connectwise_mcp::transport::access::KeyCheck;
    if access.keys.is_none() {
        access.keys = Some(KeyCheck {
            upstream: pipeline.upstream().clone(),
            identities: pipeline.shared().identities.clone(),
            unverified: None,
        });
    }
    let access = Arc::new(access);
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let limits = access.conn.clone();
    let router = connectwise_mcp::transport::http::router(pipeline, Results::Structured, access);
    tokio::spawn(connectwise_mcp::transport::listener::serve(
        listener,
        router,
        limits,
        std::future::pending(),
    ));
    addr
}

/// Role tokens: [`EDITOR_TOKEN`] for an editor labelled `eddie`.
pub fn editor_tokens() -> connectwise_mcp::tokens::Tokens {
    let env = |k: &str| (k == "MCP_TOKENS_EDITOR").then(|| format!("eddie:{EDITOR_TOKEN}"));
    connectwise_mcp::tokens::Tokens::from_env(&env).unwrap()
}

/// A JSON-RPC `tools/call` over HTTP (2025-06-18 style, JSON answer): status and body.
pub async fn http_call(
    http: &reqwest::Client,
    addr: SocketAddr,
    headers: &[(&str, &str)],
    tool: &str,
    arguments: Value,
) -> (u16, Value) {
    let mut req = http
        .post(format!("http://{addr}/mcp"))
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2025-06-18");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let body = serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": tool, "arguments": arguments}});
    let r = req.json(&body).send().await.unwrap();
    let status = r.status().as_u16();
    let v = r.json::<Value>().await.unwrap_or(Value::Null);
    (status, v)
}

/// A member's keys as `x-cw-*` headers (the member header only when `claim` names one).
pub fn key_headers(sim: &RunningSim, member: &str, claim: Option<&str>) -> Vec<(String, String)> {
    use cw_client::ExposeSecret;
    let k = keys(sim, member);
    let mut h = vec![
        (
            "x-cw-public-key".to_string(),
            k.public_key.expose_secret().to_string(),
        ),
        (
            "x-cw-private-key".to_string(),
            k.private_key.expose_secret().to_string(),
        ),
    ];
    if let Some(c) = claim {
        h.push(("x-cw-member-id".to_string(), c.to_string()));
    }
    h
}

/// The name of the company ticket `tid` is for.
pub fn company_of(sim: &cw_sim::RunningSim, tid: i64) -> String {
    use cw_sim::json::Json;
    let t = sim.sim.tenant();
    let ticket = t.store.get(cw_sim::kind::Kind::Ticket, tid).unwrap();
    ticket
        .at("company")
        .at("name")
        .as_str()
        .unwrap()
        .to_string()
}
