//! Command-line interface: `connectwise-mcp [serve]`, `demo`, `sim`.

mod check;
mod demo;
mod serve;
mod sim;

use clap::{Parser, Subcommand};

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
    Demo(demo::DemoArgs),
    /// Serve the simulated ConnectWise PSA API alone (for curl, scripts and tests).
    Sim(sim::SimArgs),
    /// Check the configuration and credentials against ConnectWise, with a fix for each failure.
    Check,
}

pub async fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Some(Command::Serve(a)) => serve::run(a).await,
        Some(Command::Demo(a)) => demo::run(a).await,
        Some(Command::Sim(a)) => sim::run(a).await,
        Some(Command::Check) => check::run().await,
        None => serve::run(cli.serve).await,
    }
}
