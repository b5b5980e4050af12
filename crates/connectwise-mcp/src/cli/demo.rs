//! `connectwise-mcp demo`: the whole product against an embedded simulated tenant, so a
//! newcomer can try it with no ConnectWise account.

use std::net::SocketAddr;

use anyhow::{anyhow, Context};
use clap::Args;
use cw_client::{Config, Credentials, Site, Upstream};
use cw_sim::{Sim, TenantSpec};

use crate::auth::{Caller, Role};
use crate::config::{self, Flags};
use crate::surface::mcp::McpServer;
use crate::transport;

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Serve MCP over stdio (for Claude Desktop and other desktop clients) instead of HTTP.
    #[arg(long)]
    pub stdio: bool,
    /// Port of the MCP HTTP endpoint (0 picks a free one).
    #[arg(long, default_value_t = 3000)]
    pub port: u16,
    /// Seed of the simulated tenant.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Tenant size: demo, small, medium, large, or a ticket count.
    #[arg(long, default_value = "demo", value_parser = TenantSpec::parse_scale)]
    pub scale: usize,
    /// The simulated member you act as.
    #[arg(long, default_value = "jchen")]
    pub member: String,
    /// Offer only the read tools.
    #[arg(long)]
    pub read_only: bool,
}

pub async fn run(a: DemoArgs) -> anyhow::Result<()> {
    let mut spec = TenantSpec::demo(a.seed);
    spec.tickets = a.scale;
    let sim = Sim::generate(&spec);
    let running = sim
        .start(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .context("cannot start the simulated tenant")?;
    let creds_line = running.credentials();
    let member = creds_line
        .get("members")
        .and_then(|m| m.as_array())
        .and_then(|ms| {
            ms.iter()
                .find(|m| m.get("identifier").and_then(|i| i.as_str()) == Some(a.member.as_str()))
        })
        .cloned()
        .ok_or_else(|| {
            anyhow!(
                "no member `{}` in the simulated tenant; try jchen, psharma, dreyes or amorgan",
                a.member
            )
        })?;
    let site = running.site();
    let client_id = creds_line
        .get("clientId")
        .and_then(|c| c.as_str())
        .unwrap_or_default()
        .to_string();
    let cfg = Config::new(Site::parse(&site)?, "harborview", &client_id);
    let field = |k: &str| {
        member
            .get(k)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string()
    };
    let creds = Credentials::new(&field("publicKey"), &field("privateKey"), Some(&a.member));
    let example = example_ticket(&sim, &a.member);
    let env = config::process_env;
    let serving = config::serving(
        &env,
        &Flags {
            read_only: a.read_only,
            ..Flags::default()
        },
    )?;
    // ConnectWise Home too, if CW_TOOLSETS names it (its settings are the CW_HOME_* ones).
    let home = config::home(&env, &serving.limits.toolsets)?.map(std::sync::Arc::new);
    let pipeline = super::pipeline(
        Upstream::new(cfg)?,
        Some(creds),
        serving.timezone,
        serving.limits.clone(),
        None,
        home.clone(),
        // The demo's tenant is new every start: nothing in flight outlives it.
        super::Stores::local(std::sync::Arc::new(crate::journal::Memory::default())),
    );
    let who = format!("{} ({}, {})", field("name"), a.member, field("role"));
    if a.stdio {
        eprintln!("connectwise-mcp demo: simulated ConnectWise tenant at {site}, acting as {who}; MCP on stdio");
        let server = McpServer::new(
            pipeline.clone(),
            Caller::local(Role::Admin),
            serving.results,
        );
        let served = transport::stdio::serve(server).await;
        pipeline.settle(crate::shutdown::WRITES_BOUND).await;
        if let Some(h) = home {
            h.shutdown().await;
        }
        return served;
    }
    let tickets = spec.tickets;
    // The path of this very binary, so the snippets work as printed.
    let exe = std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "connectwise-mcp".into());
    let dev = std::sync::Arc::new(transport::access::HttpAccess {
        origins: transport::access::LOOPBACK_ORIGINS
            .map(String::from)
            .to_vec(),
        ..Default::default()
    });
    let served = transport::http::serve(pipeline.clone(), serving.results, SocketAddr::from(([127, 0, 0, 1], a.port)), dev, move |addr| {
        let url = format!("http://{addr}/mcp");
        println!(
            "\nconnectwise-mcp demo: a simulated ConnectWise PSA tenant (Harborview Technology Partners, {tickets} tickets).\n\
             You act as {who}. Nothing here touches a real ConnectWise.\n\n\
             MCP endpoint (streamable HTTP, no auth, loopback only):  {url}\n\
             Simulated ConnectWise API:  {site}  (what reached it: {site}/__sim/requests)\n\n\
             Claude Code:      claude mcp add --transport http connectwise {url}\n\
             MCP Inspector:    npx @modelcontextprotocol/inspector --cli {url} --method tools/list\n\
             Claude Desktop:   {{\"mcpServers\": {{\"connectwise\": {{\"command\": \"{exe}\", \"args\": [\"demo\", \"--stdio\"]}}}}}}\n\n\
             Things to try:\n\
             1. \"What's in my queue?\"                               (cw_my_tickets)\n\
             2. \"Show me ticket #{example} with its notes\"                (cw_get_ticket)\n\
             3. \"Add an internal note to #{example} that I rebooted the server, set it to In Progress, and log 30 minutes\"\n\n\
             Ctrl-C (or SIGTERM) stops it.\n"
        );
    })
    .await;
    pipeline.settle(crate::shutdown::WRITES_BOUND).await;
    if let Some(h) = home {
        h.shutdown().await;
    }
    served
}

/// A ticket every suggestion changes: open, on the Help Desk, owned by the member, and not
/// already In Progress (so "set it to In Progress" does something).
fn example_ticket(sim: &Sim, member: &str) -> i64 {
    use cw_sim::json::Json;
    let t = sim.tenant();
    t.store
        .table(cw_sim::kind::Kind::Ticket)
        .values()
        .rev()
        .find(|x| {
            *x.at("owner").at("identifier") == member
                && *x.at("closedFlag") == false
                && *x.at("board").at("name") == "Help Desk"
                && *x.at("status").at("name") != "In Progress"
        })
        .and_then(|x| x.at("id").as_i64())
        .unwrap_or(1)
}
