//! The record step of the call pipeline: every call, from every surface, ends here with its
//! [`Outcome`]. Two records exist: a log line per call ([`LogLine`], no arguments at all) and
//! the audit trail (`MCP_AUDIT_LOG`, [`JsonLines`]): one JSON object per line, appended and
//! flushed per call, with arguments whose free text and secrets are replaced by their length.
//! Neither ever holds a key, a token or note text.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;

use rmcp::model::JsonObject;
use serde_json::{json, Map, Value};

use crate::auth::Caller;
use crate::outcome::Outcome;

/// One finished call, as the pipeline saw it.
pub struct CallRecord<'a> {
    pub caller: &'a Caller,
    pub outcome: &'a Outcome,
    pub args: &'a JsonObject,
    /// The fingerprint of the ConnectWise keys the call acted with, if any.
    pub fingerprint: Option<&'a str>,
    /// The member those keys were configured or sent for.
    pub member: Option<&'a str>,
}

/// Somewhere a call's outcome is recorded.
pub trait Audit: Send + Sync {
    fn record(&self, call: &CallRecord<'_>);
}

/// One log line per call: who, which tool, how it ended, what it cost upstream, how long.
pub struct LogLine;

impl Audit for LogLine {
    fn record(&self, c: &CallRecord<'_>) {
        let o = c.outcome;
        tracing::info!(
            principal = %c.caller.principal.label,
            role = c.caller.principal.role.name(),
            tool = %o.tool,
            outcome = ?o.kind(),
            upstream_requests = o.upstream_requests,
            upstream_status = o.upstream_status,
            ms = o.duration.as_millis() as u64,
            "tool call"
        );
    }
}

/// Every record, in order.
pub struct Both<A, B>(pub A, pub B);

impl<A: Audit, B: Audit> Audit for Both<A, B> {
    fn record(&self, call: &CallRecord<'_>) {
        self.0.record(call);
        self.1.record(call);
    }
}

/// The audit trail: an append-only JSON Lines file, created readable by its owner only.
pub struct JsonLines {
    file: Mutex<File>,
}

impl JsonLines {
    pub fn open(path: &Path) -> std::io::Result<JsonLines> {
        let mut o = OpenOptions::new();
        o.create(true).append(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
        Ok(JsonLines {
            file: Mutex::new(o.open(path)?),
        })
    }
}

impl Audit for JsonLines {
    fn record(&self, c: &CallRecord<'_>) {
        let o = c.outcome;
        let line = json!({
            "time": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "principal": c.caller.principal.label,
            "role": c.caller.principal.role.name(),
            "key_fingerprint": c.fingerprint,
            "member": c.member,
            "tool": o.tool,
            "arguments": redact(c.args),
            "outcome": o.kind(),
            "upstream_status": o.upstream_status,
            "upstream_requests": o.upstream_requests,
            "ms": o.duration.as_millis() as u64,
        });
        let mut text = line.to_string();
        text.push('\n');
        let mut f = self
            .file
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // One write per line (O_APPEND keeps lines whole), flushed to the OS at once.
        if let Err(e) = f.write_all(text.as_bytes()).and_then(|()| f.flush()) {
            tracing::error!("cannot write the audit trail (MCP_AUDIT_LOG): {e}");
        }
    }
}

/// Arguments that carry what people wrote, never copied into the trail.
const FREE_TEXT: &[&str] = &[
    "text",
    "summary",
    "notes",
    "description",
    "initial_description",
    "resolution",
    "conditions",
    "internal_note",
    // ConnectWise Home: what was typed into a page (a password, say) and script to read it.
    "value",
    "expression",
];

/// Longest other string kept as it is (names and ids are short; anything longer may be prose).
const KEEP_CHARS: usize = 64;

/// The arguments, with free text, anything secret-looking and long strings replaced by
/// `"[redacted: N chars]"`.
pub fn redact(args: &JsonObject) -> Value {
    let mut out = Map::new();
    for (k, v) in args {
        let key = k.to_ascii_lowercase();
        let secret = ["key", "secret", "token", "password"]
            .iter()
            .any(|s| key.contains(s));
        let v = match v {
            Value::String(s)
                if secret
                    || FREE_TEXT.contains(&key.as_str())
                    || s.chars().count() > KEEP_CHARS =>
            {
                Value::String(format!("[redacted: {} chars]", s.chars().count()))
            }
            _ if secret => Value::String("[redacted]".into()),
            Value::Object(inner) => redact(inner),
            Value::Array(_) => Value::String("[list]".into()),
            other => other.clone(),
        };
        out.insert(k.clone(), v);
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_text_secrets_and_long_strings_are_replaced_by_their_length() {
        let args = json!({
            "ticket_id": 7, "text": "Customer says the VPN drops", "status": "In Progress",
            "api_key": "abc", "notify": true, "company": "x".repeat(80),
        });
        let r = redact(args.as_object().unwrap());
        assert_eq!(r["ticket_id"], 7);
        assert_eq!(r["status"], "In Progress");
        assert_eq!(r["notify"], true);
        assert_eq!(r["text"], "[redacted: 27 chars]");
        assert_eq!(r["api_key"], "[redacted: 3 chars]");
        assert_eq!(r["company"], "[redacted: 80 chars]");
        assert!(!r.to_string().contains("VPN"));
        // What a Home tool typed into a page stays out too.
        let typed = redact(
            json!({"selector": "#pw", "value": "hunter22"})
                .as_object()
                .unwrap(),
        );
        assert_eq!(typed["value"], "[redacted: 8 chars]");
        assert_eq!(typed["selector"], "#pw");
    }
}
