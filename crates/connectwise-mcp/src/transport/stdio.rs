//! MCP over stdio: stdout carries only protocol messages; logs go to stderr.

use anyhow::Context;
use rmcp::ServiceExt;

use crate::surface::mcp::McpServer;

pub async fn serve(server: McpServer) -> anyhow::Result<()> {
    // The client closing stdin ends it; so do SIGTERM and Ctrl-C, before the client has even
    // initialised as after.
    tokio::select! {
        served = async {
            let running = server
                .serve(rmcp::transport::stdio())
                .await
                .context("the stdio transport failed to start")?;
            running
                .waiting()
                .await
                .context("the stdio transport stopped")?;
            anyhow::Ok(())
        } => served,
        _ = crate::shutdown::signal() => Ok(()),
    }
}
