//! `connectwise-mcp [serve]`: the server, configured like seed 000 (`CW_*`, `TRANSPORT`, `PORT`).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use chrono_tz::Tz;
use clap::{Args, ValueEnum};
use cw_client::{Config, Upstream};

use crate::app::App;
use crate::tools::Tier;
use crate::transport;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Transport {
    Stdio,
    Http,
}

#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    /// stdio (for a local MCP client) or http (streamable HTTP on --port).
    #[arg(
        long,
        env = "TRANSPORT",
        value_enum,
        default_value = "stdio",
        ignore_case = true
    )]
    pub transport: Transport,
    /// Port for --transport http.
    #[arg(long, env = "PORT", default_value_t = 3000)]
    pub port: u16,
    /// Address to bind for --transport http.
    #[arg(long, env = "BIND", default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Offer only the read tools.
    #[arg(long, env = "CW_READ_ONLY")]
    pub read_only: bool,
}

/// The default time zone for times typed without one (`CW_TIMEZONE`, else UTC).
pub fn timezone() -> Result<Tz, String> {
    match std::env::var("CW_TIMEZONE")
        .ok()
        .filter(|s| !s.trim().is_empty())
    {
        None => Ok(Tz::UTC),
        Some(s) => s.trim().parse().map_err(|_| {
            format!("CW_TIMEZONE `{s}` is not an IANA time zone such as America/Chicago")
        }),
    }
}

pub async fn run(a: ServeArgs) -> Result<(), String> {
    let (cfg, creds) = Config::from_env().map_err(|e| e.to_string())?;
    if creds.is_none() {
        tracing::warn!("CW_PUBLIC_KEY/CW_PRIVATE_KEY are not set: tool calls will fail until keys are configured");
    }
    let upstream = Upstream::new(cfg).map_err(|e| e.to_string())?;
    let tier = if a.read_only { Tier::Read } else { Tier::Write };
    let app = App::new(upstream, creds, tier, timezone()?);
    serve_app(app, &a).await
}

/// Serves an app on the chosen transport.
pub async fn serve_app(app: Arc<App>, a: &ServeArgs) -> Result<(), String> {
    match a.transport {
        Transport::Stdio => transport::stdio::serve(app).await,
        Transport::Http => {
            transport::http::serve(app, SocketAddr::new(a.bind, a.port), |addr| {
                tracing::info!("MCP endpoint: http://{addr}/mcp")
            })
            .await
        }
    }
}
