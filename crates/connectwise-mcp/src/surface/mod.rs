//! The surfaces a caller reaches the tools through. Each builds a [`crate::auth::Caller`] for a
//! request, hands the call to the pipeline, and renders its outcome in its own protocol.

pub mod bridge;
pub mod mcp;
pub mod openapi;
pub mod prompts;
pub mod resources;
