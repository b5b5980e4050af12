//! MCP over stdio: stdout carries only protocol messages; logs go to stderr.

use std::sync::Arc;

use rmcp::ServiceExt;

use crate::app::App;
use crate::server::CwServer;

pub async fn serve(app: Arc<App>) -> Result<(), String> {
    let running = CwServer::new(app)
        .serve(rmcp::transport::stdio())
        .await
        .map_err(|e| format!("stdio transport failed to start: {e}"))?;
    running
        .waiting()
        .await
        .map_err(|e| format!("stdio transport stopped: {e}"))?;
    Ok(())
}
