//! How MCP reaches the server: stdio for a local client, streamable HTTP for shared use.

pub mod bearer;
pub mod http;
pub mod stdio;
