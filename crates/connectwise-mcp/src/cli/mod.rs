//! Command-line interface.

mod sim;

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "connectwise-mcp",
    version,
    about = "MCP server for ConnectWise PSA (Manage)"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the simulated ConnectWise PSA API alone (for curl, scripts and tests).
    Sim(sim::SimArgs),
}

pub async fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Some(Command::Sim(a)) => sim::run(a).await,
        None => {
            Err("the MCP server arrives with the next release; try `connectwise-mcp sim`".into())
        }
    }
}
