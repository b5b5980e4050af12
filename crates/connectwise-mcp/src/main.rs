//! `connectwise-mcp`: the command line. Everything else is in the library.

use clap::Parser;

fn main() -> std::process::ExitCode {
    let args = connectwise_mcp::cli::Cli::parse();
    connectwise_mcp::cli::init_logging();
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
    match rt.block_on(connectwise_mcp::cli::run(args)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("connectwise-mcp: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
