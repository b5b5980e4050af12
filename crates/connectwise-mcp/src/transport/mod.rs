//! How MCP reaches the server: stdio for a local client, streamable HTTP for shared use.

pub mod access;
pub mod conns;
pub mod cors;
pub mod http;
pub mod listener;
pub mod rate;
pub mod stdio;
