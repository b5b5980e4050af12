//! The command line: `connectwise-mcp [serve]`, `demo`, `sim`, `check`, `token`.

mod check;
#[cfg(feature = "demo")]
mod demo;
mod serve;
#[cfg(feature = "demo")]
mod sim;
mod token;

use std::sync::Arc;

use chrono_tz::Tz;
use clap::{Parser, Subcommand};
use cw_client::{Credentials, Upstream};

use crate::audit::{Audit, Both, JsonLines, LogLine};
use crate::context::Shared;
use crate::pipeline::{Limits, Parts, Pipeline};
use crate::replay;
use crate::tools::Registry;

/// Our own lines at info; rmcp's per-request lines (about four a call, ~10% of throughput
/// under load) only when they warn. `RUST_LOG` overrides.
const DEFAULT_LOG: &str = "info,rmcp=warn";

#[derive(Parser, Debug)]
#[command(
    name = "connectwise-mcp",
    version,
    about = "MCP server for ConnectWise PSA (Manage)",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub serve: serve::ServeArgs,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve MCP against the ConnectWise configured in the environment (the default).
    Serve(serve::ServeArgs),
    /// Serve MCP against an embedded simulated ConnectWise tenant: no account needed.
    #[cfg(feature = "demo")]
    Demo(demo::DemoArgs),
    /// Serve the simulated ConnectWise PSA API alone (for curl, scripts and tests).
    #[cfg(feature = "demo")]
    Sim(sim::SimArgs),
    /// Check the configuration and credentials against ConnectWise, with a fix for each failure.
    Check,
    /// Mint a role token for a shared HTTP deployment and print its server setting.
    Token(token::TokenArgs),
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Some(Command::Serve(a)) => serve::run(a).await,
        #[cfg(feature = "demo")]
        Some(Command::Demo(a)) => demo::run(a).await,
        #[cfg(feature = "demo")]
        Some(Command::Sim(a)) => sim::run(a).await,
        Some(Command::Check) => check::run().await,
        Some(Command::Token(a)) => token::run(a),
        None => serve::run(cli.serve).await,
    }
}

/// Logs go to stderr: stdout carries protocol messages or the simulator's credentials line.
/// `RUST_LOG` picks the level (info by default). rmcp prints whole requests and results (tool
/// arguments, note text, customer data) at debug and trace, and the browser's CDP layers print
/// every message (keystrokes into the portal login included), so their events below info are
/// dropped whatever `RUST_LOG` says.
pub fn init_logging() {
    use tracing_subscriber::filter::filter_fn;
    use tracing_subscriber::prelude::*;
    let env = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(DEFAULT_LOG));
    // rmcp and the browser's protocol layers print whole messages below info: tool arguments,
    // note text, and (as keystrokes sent to the portal's login page) the password.
    let no_payloads = filter_fn(|m| {
        let t = m.target();
        let chatty = ["rmcp", "chromiumoxide", "tungstenite", "async_tungstenite"]
            .iter()
            .any(|p| t.starts_with(p));
        !(chatty && *m.level() > tracing::Level::INFO)
    });
    let fmt = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_filter(env)
        .with_filter(no_payloads);
    tracing_subscriber::registry().with(fmt).init();
}

/// The pipeline every command serves: the PSA tools, in-process caches, the given replay store
/// (this process's own, or the one replicas share), and one log line per call (plus the audit
/// trail when `audit` is given).
/// What calls remember between them: identical writes' answers, and each caller's last look
/// at a queue; in this process, or shared by replicas through Redis.
struct Stores {
    replay: Arc<dyn replay::Replay>,
    seen: Arc<dyn crate::context::SeenStore>,
    identities: Arc<crate::identity::Identities>,
    journal: Arc<dyn crate::journal::Journal>,
}

impl Stores {
    /// Everything in this process, the journal in `journal`.
    fn local(journal: Arc<dyn crate::journal::Journal>) -> Stores {
        Stores {
            replay: Arc::new(replay::Local::new()),
            seen: Arc::new(crate::context::LocalSeen::default()),
            identities: Arc::default(),
            journal,
        }
    }
}

fn pipeline(
    upstream: Arc<Upstream>,
    server_creds: Option<Credentials>,
    timezone: Tz,
    limits: Limits,
    audit: Option<JsonLines>,
    home: Option<Arc<cw_home::Home>>,
    stores: Stores,
) -> Arc<Pipeline> {
    let audit: Arc<dyn Audit> = match audit {
        Some(trail) => Arc::new(Both(LogLine, trail)),
        None => Arc::new(LogLine),
    };
    // The Home tools are registered only where they are offered: building their schemas is
    // start-up time every other server would pay for nothing.
    let mut registry = Registry::psa();
    if home.is_some() {
        registry.add_home();
    }
    Pipeline::new(Parts {
        registry,
        shared: Shared::with_stores(timezone, home, stores.seen, stores.identities),
        upstream,
        server_creds,
        limits,
        replay: stores.replay,
        journal: stores.journal,
        audit,
    })
}
