//! How a call ended: what the pipeline hands every surface and the audit trail.

use std::time::Duration;

use crate::errors::{OutcomeKind, ToolError};
use crate::replay::Replayed;
use crate::tools::ToolOutput;

/// How one call ended.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub tool: String,
    pub result: Result<ToolOutput, ToolError>,
    /// Set when an identical write answered this call.
    pub replayed: Option<Replayed>,
    /// Requests sent to ConnectWise for this call (retries included).
    pub upstream_requests: u32,
    /// ConnectWise's status that decided the call: its last error status when the call
    /// failed, else its last answer's.
    pub upstream_status: Option<u16>,
    pub duration: Duration,
}

impl Outcome {
    pub fn kind(&self) -> OutcomeKind {
        match (&self.result, self.replayed) {
            (Ok(_), Some(_)) => OutcomeKind::Replayed,
            (Ok(_), None) => OutcomeKind::Ok,
            (Err(e), _) => e.kind(),
        }
    }
}
