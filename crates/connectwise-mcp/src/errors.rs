//! Why a tool call did not do what was asked, one variant per meaning, each worded to say what
//! to change. The call pipeline turns a [`ToolError`] into an [`OutcomeKind`]; each surface
//! (MCP, OpenAPI, the bridge, the audit log) renders that kind its own way.
//! A [`ConfigError`] is the start-up counterpart: a setting that is wrong, and how to set it.

use cw_client::Error as CwError;

/// A tool call's failure. Cheap to clone: one failure can answer every caller waiting on the
/// same single-flight write.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ToolError {
    /// No tool of that name is offered to this caller (hidden tools look exactly like absent
    /// ones).
    #[error("tool not found: {0}")]
    UnknownTool(String),
    /// Arguments or names the caller can fix.
    #[error("{0}")]
    Invalid(String),
    /// The record does not exist, or these keys cannot see it.
    #[error("{0}")]
    NotFound(String),
    /// Refused by this server's policy (role, customer-contact rules).
    #[error("{0}")]
    Denied(String),
    /// ConnectWise refused or failed; its own error is kept whole, with what to do about it
    /// (the tool's own advice when it knows better than the status alone).
    #[error("{}", upstream_message(.0, .1.as_deref()))]
    Upstream(CwError, Option<String>),
    /// A write was confirmed not to have been made (its answer was lost, and reading back
    /// found nothing).
    #[error("{0}")]
    NotWritten(String),
    /// A write of several parts stopped part-way: the message names what was written and
    /// what was not.
    #[error("{0}")]
    Partial(String),
    /// A write may or may not have been made, and reading back could not tell.
    #[error("{0}")]
    Unconfirmed(String),
    /// A read did not finish within the call's deadline; nothing was changed.
    #[error("{0}")]
    TimedOut(String),
    /// Not run: the state replicas share (Redis) is unreachable, and a write without it
    /// could be made twice. Nothing was sent.
    #[error("{0}")]
    Paused(String),
    /// This server is not set up for the call (no keys, no member identifier).
    #[error("{0}")]
    Setup(String),
    /// A bug in this server.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<CwError> for ToolError {
    fn from(e: CwError) -> Self {
        ToolError::Upstream(e, None)
    }
}

/// rmcp's `ToolBase` asks for it; the call pipeline never turns a tool's failure into a
/// protocol error (it is a tool result the model can read), except for an unknown tool.
impl From<ToolError> for rmcp::ErrorData {
    fn from(e: ToolError) -> Self {
        match e {
            ToolError::UnknownTool(_) => rmcp::ErrorData::invalid_params(e.to_string(), None),
            e => rmcp::ErrorData::internal_error(e.to_string(), None),
        }
    }
}

/// ConnectWise's own message, then what to do about it, punctuated once.
fn upstream_message(e: &CwError, hint: Option<&str>) -> String {
    let said = e.to_string();
    let said = said.trim_end();
    let stop = if said.ends_with(['.', '!', '?', ']']) {
        ""
    } else {
        "."
    };
    let hint = hint.map(str::to_string).unwrap_or_else(|| e.hint());
    format!("{said}{stop} What to do: {}.", hint.trim_end_matches('.'))
}

impl ToolError {
    pub fn invalid(m: impl Into<String>) -> ToolError {
        ToolError::Invalid(m.into())
    }

    pub fn not_found(m: impl Into<String>) -> ToolError {
        ToolError::NotFound(m.into())
    }

    /// ConnectWise's 404 as "not found" in the tool's words (`missing` says which record
    /// and where to find the right id); any other failure as it came.
    pub fn or_missing(e: CwError, missing: impl FnOnce() -> String) -> ToolError {
        match e {
            CwError::Api(a) if a.status == 404 => ToolError::NotFound(missing()),
            e => e.into(),
        }
    }

    /// ConnectWise's refusal with the tool's own advice.
    pub fn refused(e: CwError, what_to_do: impl Into<String>) -> ToolError {
        ToolError::Upstream(e, Some(what_to_do.into()))
    }

    /// What kind of failure this is, for every surface and the audit log.
    pub fn kind(&self) -> OutcomeKind {
        match self {
            ToolError::UnknownTool(_) => OutcomeKind::UnknownTool,
            ToolError::Invalid(_) => OutcomeKind::InvalidArguments,
            ToolError::NotFound(_) => OutcomeKind::NotFound,
            ToolError::Denied(_) => OutcomeKind::Denied,
            ToolError::Upstream(e, _) => match e {
                CwError::Api(a) => match a.status {
                    401 => OutcomeKind::UpstreamAuth,
                    403 => OutcomeKind::UpstreamForbidden,
                    404 => OutcomeKind::NotFound,
                    429 => OutcomeKind::RateLimited,
                    s if s >= 500 => OutcomeKind::UpstreamFailed,
                    _ => OutcomeKind::UpstreamRefused,
                },
                CwError::Transport {
                    timed_out: true, ..
                } => OutcomeKind::UpstreamTimeout,
                CwError::Transport { .. } | CwError::Decode(_) => OutcomeKind::UpstreamFailed,
                CwError::Unavailable { .. } => OutcomeKind::UpstreamUnavailable,
                CwError::Invalid(_) => OutcomeKind::InvalidArguments,
                CwError::Held(_) => OutcomeKind::NotWritten,
            },
            ToolError::NotWritten(_) => OutcomeKind::NotWritten,
            ToolError::Unconfirmed(_) => OutcomeKind::Unconfirmed,
            ToolError::TimedOut(_) => OutcomeKind::UpstreamTimeout,
            ToolError::Paused(_) => OutcomeKind::WritesPaused,
            ToolError::Partial(_) => OutcomeKind::PartlyWritten,
            ToolError::Setup(_) => OutcomeKind::Setup,
            ToolError::Internal(_) => OutcomeKind::Internal,
        }
    }
}

/// How a call ended, as every surface and the audit trail classify it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeKind {
    Ok,
    /// Answered from an identical write's result; nothing was written again.
    Replayed,
    UnknownTool,
    InvalidArguments,
    NotFound,
    Denied,
    /// ConnectWise did not accept the keys (401).
    UpstreamAuth,
    /// The keys' security role does not allow it (403).
    UpstreamForbidden,
    /// ConnectWise refused the request as invalid (a rule, a closed period: 400, 409 …).
    UpstreamRefused,
    RateLimited,
    /// ConnectWise failed (5xx, a broken connection, an unreadable answer).
    UpstreamFailed,
    UpstreamTimeout,
    /// Not sent: ConnectWise failed repeatedly and calls are paused (the circuit is open).
    UpstreamUnavailable,
    NotWritten,
    /// Some parts of a write of several were made, and the others were not.
    PartlyWritten,
    Unconfirmed,
    /// Not run: writes wait for the shared replay store (Redis) to be reachable again.
    WritesPaused,
    Setup,
    Internal,
}

impl OutcomeKind {
    pub fn is_ok(self) -> bool {
        matches!(self, OutcomeKind::Ok | OutcomeKind::Replayed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cw_client::ApiError;

    #[test]
    fn connectwise_messages_are_punctuated_once() {
        let e = ToolError::from(CwError::Api(ApiError::from_body(
            400,
            r#"{"code":"InvalidObject","message":"The time period is closed."}"#,
            None,
        )));
        let s = e.to_string();
        assert!(!s.contains(". ."), "{s}");
        assert!(!s.contains(".."), "{s}");
        assert!(s.contains("What to do: "), "{s}");
        assert_eq!(e.kind(), OutcomeKind::UpstreamRefused);
    }

    #[test]
    fn each_meaning_has_its_kind() {
        let api = |status| ToolError::from(CwError::Api(ApiError::from_body(status, "{}", None)));
        assert_eq!(api(403).kind(), OutcomeKind::UpstreamForbidden);
        assert_eq!(api(429).kind(), OutcomeKind::RateLimited);
        assert_eq!(api(503).kind(), OutcomeKind::UpstreamFailed);
        assert_eq!(
            ToolError::NotWritten("x".into()).kind(),
            OutcomeKind::NotWritten
        );
        assert_ne!(
            ToolError::NotWritten("x".into()).kind(),
            ToolError::Setup("x".into()).kind()
        );
    }
}

/// A configuration problem, with what to set to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

impl From<cw_client::ConfigError> for ConfigError {
    fn from(e: cw_client::ConfigError) -> Self {
        ConfigError(e.0)
    }
}
