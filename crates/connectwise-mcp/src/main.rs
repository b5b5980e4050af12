//! `connectwise-mcp`: lets AI assistants work inside ConnectWise PSA, over MCP.

mod app;
mod cli;
mod filters;
mod resolve;
mod server;
mod tools;
mod transport;
mod untrusted;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let args = cli::Cli::parse();
    // Logs go to stderr: stdout carries protocol messages or the simulator's credentials line.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("connectwise-mcp: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match rt.block_on(cli::run(args)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("connectwise-mcp: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
