//! `connectwise-mcp [serve]`: the server, configured like seed 000 (`CW_*`, `TRANSPORT`,
//! `PORT`); flags win over the environment.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use anyhow::Context;
use clap::Args;
use cw_client::Upstream;

use crate::audit::JsonLines;
use crate::auth::{Caller, Role};
use crate::cluster::identity::SharedVerdicts;
use crate::cluster::journal::SharedJournal;
use crate::cluster::replay::SharedReplay;
use crate::cluster::seen::SharedSeen;
use crate::cluster::slots::RedisSlots;
use crate::cluster::Redis;
use crate::config::{self, Flags, Serving, Transport};
use crate::identity::Identities;
use crate::pipeline::Pipeline;
use crate::surface::mcp::McpServer;
use crate::tokens::Tokens;
use crate::transport;
use crate::transport::access::{HttpAccess, KeyCheck, LOOPBACK_ORIGINS};
use crate::transport::rate::RateLimit;

#[derive(Args, Debug, Clone, Default)]
pub struct ServeArgs {
    /// stdio (for a local MCP client) or http (streamable HTTP on --port) [env: TRANSPORT; default stdio]
    #[arg(long, value_enum, ignore_case = true)]
    pub transport: Option<Transport>,
    /// Port for --transport http [env: PORT; default 3000]
    #[arg(long)]
    pub port: Option<u16>,
    /// Address to bind for --transport http [env: BIND; default 127.0.0.1]
    #[arg(long)]
    pub bind: Option<IpAddr>,
    /// Offer only the read tools [env: CW_READ_ONLY]
    #[arg(long)]
    pub read_only: bool,
}

impl ServeArgs {
    pub fn flags(&self) -> Flags {
        Flags {
            transport: self.transport,
            port: self.port,
            bind: self.bind,
            read_only: self.read_only,
        }
    }
}

pub async fn run(a: ServeArgs) -> anyhow::Result<()> {
    let env = config::process_env;
    let cw = config::connectwise(&env)?;
    let serving = config::serving(&env, &a.flags())?;
    if cw.creds.is_none() {
        tracing::warn!("CW_PUBLIC_KEY/CW_PRIVATE_KEY are not set: tool calls will fail until keys are configured");
    }
    // Replicas share their replay store and rate limits through Redis; one process keeps them.
    let redis = match config::redis(&env)? {
        Some((url, when_down)) => Some(Redis::open(&url, when_down)?),
        None => None,
    };
    let rate = config::rate_limit(&env)?.map(|r| {
        let limit = RateLimit::new(r);
        match &redis {
            Some(shared) => limit.shared(shared.clone()),
            None => limit,
        }
    });
    // Writes are journaled before they are sent: in a file here, and in Redis for replicas.
    let embedded = config::journal(&env)?;
    let stores = match &redis {
        Some(shared) => super::Stores {
            replay: Arc::new(SharedReplay::new(shared.clone())),
            seen: Arc::new(SharedSeen::new(shared.clone())),
            identities: Arc::new(Identities::new(Arc::new(SharedVerdicts::new(
                shared.clone(),
            )))),
            journal: SharedJournal::new(shared.clone(), embedded),
        },
        None => super::Stores::local(embedded),
    };
    let upstream = Upstream::new(cw.cfg)?;
    if let Some(shared) = &redis {
        upstream.share_slots(Arc::new(RedisSlots::new(shared.clone())));
    }
    let unverified = config::unverified_keys_rate(&env)?.map(|r| {
        let limit = RateLimit::new(r);
        match &redis {
            Some(shared) => limit.shared(shared.clone()),
            None => limit,
        }
    });
    let access = Arc::new(HttpAccess {
        tokens: Tokens::from_env(&env)?,
        client_keys: config::client_keys(&env)?,
        origins: config::list(&env, "MCP_ALLOWED_ORIGINS")
            .unwrap_or_else(|| LOOPBACK_ORIGINS.map(String::from).to_vec()),
        hosts: config::list(&env, "MCP_ALLOWED_HOSTS"),
        rate,
        redis,
        conn: config::conn_limits(&env)?,
        keys: Some(KeyCheck {
            upstream: upstream.clone(),
            identities: stores.identities.clone(),
            unverified,
        }),
    });
    let audit = match config::audit_log(&env) {
        Some(path) => Some(JsonLines::open(&path).with_context(|| {
            format!(
                "cannot open the audit trail MCP_AUDIT_LOG={}: give a writable file path",
                path.display()
            )
        })?),
        None => None,
    };
    let home = config::home(&env, &serving.limits.toolsets)?.map(Arc::new);
    let pipeline = super::pipeline(
        upstream,
        cw.creds,
        serving.timezone,
        serving.limits.clone(),
        audit,
        home.clone(),
        stores,
    );
    let served = serve_pipeline(pipeline.clone(), &serving, access).await;
    pipeline.settle(crate::shutdown::WRITES_BOUND).await;
    // The browser is a child process: close it (saving its session) rather than orphan it.
    if let Some(h) = home {
        h.shutdown().await;
    }
    served
}

/// Serves a pipeline on the configured transport: to the local user over stdio (and over
/// HTTP in dev mode), over HTTP to whoever each request's token and keys say it is.
pub async fn serve_pipeline(
    pipeline: Arc<Pipeline>,
    s: &Serving,
    access: Arc<HttpAccess>,
) -> anyhow::Result<()> {
    match s.transport {
        Transport::Stdio => {
            let server = McpServer::new(pipeline, Caller::local(Role::Admin), s.results);
            transport::stdio::serve(server).await
        }
        Transport::Http => {
            transport::http::serve(
                pipeline,
                s.results,
                SocketAddr::new(s.bind, s.port),
                access,
                |addr| tracing::info!("MCP endpoint: http://{addr}/mcp"),
            )
            .await
        }
    }
}
