//! `connectwise-mcp demo`: the whole product against an embedded simulated tenant, so a
//! newcomer can try it with no ConnectWise account.

use std::net::SocketAddr;

use clap::Args;
use cw_client::{Config, Credentials, Upstream};
use cw_sim::{Sim, TenantSpec};

use crate::app::App;
use crate::tools::Tier;
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

pub async fn run(a: DemoArgs) -> Result<(), String> {
    let mut spec = TenantSpec::demo(a.seed);
    spec.tickets = a.scale;
    let sim = Sim::generate(&spec);
    let running = sim
        .start(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .map_err(|e| format!("cannot start the simulated tenant: {e}"))?;
    let creds_line = running.credentials();
    let member = creds_line["members"]
        .as_array()
        .and_then(|ms| {
            ms.iter()
                .find(|m| m["identifier"].as_str() == Some(a.member.as_str()))
        })
        .cloned()
        .ok_or_else(|| {
            format!(
                "no member `{}` in the simulated tenant; try jchen, psharma, dreyes or amorgan",
                a.member
            )
        })?;
    let site = running.site();
    let client_id = creds_line["clientId"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let env = move |k: &str| -> Option<String> {
        match k {
            "CW_SITE" => Some(site.clone()),
            "CW_COMPANY_ID" => Some("harborview".into()),
            "CW_CLIENT_ID" => Some(client_id.clone()),
            _ => None,
        }
    };
    let (cfg, _) = Config::from_lookup(&env).map_err(|e| e.to_string())?;
    let creds = Credentials::new(
        member["publicKey"].as_str().unwrap_or_default(),
        member["privateKey"].as_str().unwrap_or_default(),
        Some(&a.member),
    );
    let example = {
        let t = sim.tenant();
        t.store
            .table(cw_sim::kind::Kind::Ticket)
            .values()
            .rev()
            .find(|x| {
                x["owner"]["identifier"] == a.member.as_str()
                    && x["closedFlag"] == false
                    && x["board"]["name"] == "Help Desk"
            })
            .and_then(|x| x["id"].as_i64())
            .unwrap_or(1)
    };
    let app = App::new(
        Upstream::new(cfg).map_err(|e| e.to_string())?,
        Some(creds),
        if a.read_only { Tier::Read } else { Tier::Write },
        super::serve::timezone()?,
    );
    let who = format!(
        "{} ({}, {})",
        member["name"].as_str().unwrap_or(""),
        a.member,
        member["role"].as_str().unwrap_or("")
    );
    if a.stdio {
        eprintln!("connectwise-mcp demo: simulated ConnectWise tenant at {}, acting as {who}; MCP on stdio", running.site());
        return transport::stdio::serve(app).await;
    }
    let tickets = spec.tickets;
    transport::http::serve(app, SocketAddr::from(([127, 0, 0, 1], a.port)), move |addr| {
        let url = format!("http://{addr}/mcp");
        println!(
            "\nconnectwise-mcp demo: a simulated ConnectWise PSA tenant (Harborview Technology Partners, {tickets} tickets).\n\
             You act as {who}. Nothing here touches a real ConnectWise.\n\n\
             MCP endpoint (streamable HTTP, no auth, loopback only):  {url}\n\n\
             Claude Code:      claude mcp add --transport http connectwise {url}\n\
             MCP Inspector:    npx @modelcontextprotocol/inspector --cli {url} --method tools/list\n\
             Claude Desktop:   {{\"mcpServers\": {{\"connectwise\": {{\"command\": \"/path/to/connectwise-mcp\", \"args\": [\"demo\", \"--stdio\"]}}}}}}\n\n\
             Things to try:\n\
             1. \"What's in my queue?\"                               (cw_my_tickets)\n\
             2. \"Show me ticket #{example} with its notes\"                (cw_get_ticket)\n\
             3. \"Add an internal note to #{example} that I rebooted the server, set it to In Progress, and log 30 minutes\"\n\n\
             Ctrl-C stops it.\n"
        );
    })
    .await
}
