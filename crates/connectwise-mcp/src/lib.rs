//! `connectwise-mcp`: lets AI assistants (any MCP client, OpenWebUI, plain HTTP callers) do
//! what MSP technicians do all day in ConnectWise PSA, safely and fast.
//!
//! How a call flows, and where each step lives:
//!
//! * [`transport`] serves the protocol (stdio, or streamable HTTP with `/health`), and
//!   [`surface`] speaks it: the MCP handler turns each request into a call on the pipeline and
//!   its outcome back into an MCP result.
//! * [`pipeline`] is the one path every call takes, from any surface: authorise (what the
//!   caller's role and the configuration allow) → validate the arguments → single-flight
//!   replay for writes ([`replay`]) → run → record ([`audit`]). It returns an [`Outcome`]:
//!   the result or error kind, what it cost upstream, how long it took.
//! * [`tools`] declares the tools (rmcp's `ToolBase`/`AsyncTool` plus toolsets, tiers, text
//!   renderings); [`tools::psa`] holds the PSA toolset. Tools run with a [`context::Ctx`]:
//!   a ConnectWise client as the caller's keys, and the shared [`cache`]s. [`names`] resolves
//!   names to records; [`filters`] builds and checks ConnectWise conditions; [`untrusted`]
//!   cleans and fences customer-written text; [`reconcile`] settles writes whose answer was
//!   lost.
//! * [`cluster`] is what replicas behind a load balancer share through Redis (the replay store,
//!   the rate limit), when there are replicas.
//! * [`auth`] says who is calling; [`config`] is the one configuration, read once; [`errors`]
//!   names every way a call can fail; [`cli`] is the command line.
//!
//! [`Outcome`]: outcome::Outcome

pub mod audit;
pub mod auth;
pub mod cache;
pub mod cli;
pub mod cluster;
pub mod config;
pub mod contact;
pub mod context;
pub mod errors;
pub mod filters;
pub mod identity;
pub mod journal;
pub mod names;
pub mod outcome;
pub mod pipeline;
pub mod progress;
pub mod reconcile;
pub mod replay;
pub mod shutdown;
pub mod surface;
pub mod tokens;
pub mod tools;
pub mod transport;
pub mod untrusted;
