//! `connectwise-mcp sim`: the simulated ConnectWise PSA API on its own.

use std::io::Write;
use std::net::{IpAddr, SocketAddr};

use anyhow::Context;
use clap::Args;
use cw_sim::{Sim, TenantSpec};

#[derive(Args, Debug)]
pub struct SimArgs {
    /// Port to listen on (0 picks a free one; the credentials line says which).
    #[arg(long, default_value_t = 8090)]
    pub port: u16,
    /// Address to bind. Keep it on loopback: the simulator has well-known keys.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Seed of the generated tenant; the same seed gives the same data and keys.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Tenant size: demo (600 tickets), small (2,000), medium (20,000), large (100,000), or a
    /// ticket count.
    #[arg(long, default_value = "demo", value_parser = TenantSpec::parse_scale)]
    pub scale: usize,
}

pub async fn run(a: SimArgs) -> anyhow::Result<()> {
    let mut spec = TenantSpec::demo(a.seed);
    spec.tickets = a.scale;
    let started = std::time::Instant::now();
    let sim = Sim::generate(&spec);
    let running = sim
        .start(SocketAddr::new(a.bind, a.port))
        .await
        .with_context(|| format!("cannot listen on {}:{}", a.bind, a.port))?;
    // The first stdout line is the machine-readable credentials object.
    let line = running.credentials().to_string();
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}").and_then(|_| out.flush())?;
    drop(out);
    tracing::info!(
        site = %running.site(),
        tickets = spec.tickets,
        generated_ms = started.elapsed().as_millis() as u64,
        "simulated ConnectWise PSA is up; Ctrl-C stops it"
    );
    tokio::signal::ctrl_c().await?;
    Ok(())
}
