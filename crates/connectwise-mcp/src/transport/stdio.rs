//! MCP over stdio: stdout carries only protocol messages; logs go to stderr.

use anyhow::Context;
use rmcp::ServiceExt;

use crate::surface::mcp::McpServer;

pub async fn serve(server: McpServer) -> anyhow::Result<()> {
    let running = server
        .serve(rmcp::transport::stdio())
        .await
        .context("the stdio transport failed to start")?;
    running
        .waiting()
        .await
        .context("the stdio transport stopped")?;
    Ok(())
}
