//! The record step of the call pipeline: every call, from every surface, ends here with its
//! [`Outcome`]. The log line written today carries no arguments and no results (they hold
//! customer text); an append-only audit trail attaches here as another [`Audit`].

use crate::auth::Caller;
use crate::outcome::Outcome;

/// Somewhere a call's outcome is recorded.
pub trait Audit: Send + Sync {
    fn record(&self, caller: &Caller, outcome: &Outcome);
}

/// One log line per call: who, which tool, how it ended, what it cost upstream, how long.
pub struct LogLine;

impl Audit for LogLine {
    fn record(&self, caller: &Caller, o: &Outcome) {
        tracing::info!(
            principal = %caller.principal.label,
            role = caller.principal.role.name(),
            tool = %o.tool,
            outcome = ?o.kind(),
            upstream_requests = o.upstream_requests,
            upstream_status = o.upstream_status,
            ms = o.duration.as_millis() as u64,
            "tool call"
        );
    }
}
