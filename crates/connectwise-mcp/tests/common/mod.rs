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
