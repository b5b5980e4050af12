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
    /// The member those keys belong to (as ConnectWise said, when it was asked).
    pub member: Option<&'a str>,
    /// The tool's input schema, which decides what of the arguments is recorded; `None` for
    /// a tool this caller cannot see.
    pub schema: Option<&'a JsonObject>,
    /// Refused before it ran (unknown tool, bad arguments, policy): only argument names are
    /// recorded.
    pub rejected: bool,
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
            "arguments": redact(c.args, c.schema, c.rejected),
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

/// Declared arguments that name a record, a time or a choice (never prose), whose values are
/// kept when short. Every other string argument, declared or not, is recorded as its length;
/// a test walks every tool's schema so a new argument is placed in one list or the other.
const NAMES: &[&str] = &[
    "company",
    "contact",
    "board",
    "status",
    "priority",
    "type",
    "owner",
    "resource",
    "member",
    "manager",
    "sales_rep",
    "assigned_to",
    "agreement",
    "city",
    "configuration",
    "work_type",
    "work_role",
    "timezone",
    "start",
    "end",
    "date",
    "day",
    "since",
    "from",
    "to",
    "ending_before",
    "entered_after",
    "entered_before",
    "updated_after",
    "updated_before",
    "closed_after",
    "closed_before",
    "range",
    "week",
    "state",
    "kind",
    "visibility",
    "notes_to",
    "billable",
    "order_by",
    "fields",
    "path",
    "view",
    "operation",
    "query",
    "category",
    "name",
    "method",
    "case_number",
    "work_hours",
    "promote_as",
];

/// Longest name kept as it is (names and ids are short; anything longer may be prose).
const KEEP_CHARS: usize = 64;

/// How a value is recorded when it is not kept.
fn withheld(v: &Value) -> Value {
    Value::String(match v {
        Value::String(s) => format!("[redacted: {} chars]", s.chars().count()),
        Value::Array(a) => format!("[list: {} items]", a.len()),
        Value::Object(o) => format!("[object: {} fields]", o.len()),
        _ => "[redacted]".to_string(),
    })
}

/// Whether `v` is what the property schema `p` declares, as a non-prose value: a boolean, a
/// number, one of its `enum` strings, or a short string of an argument in [`NAMES`].
fn keeps(name: &str, p: &Value, v: &Value) -> bool {
    if [
        "secret",
        "token",
        "password",
        "credential",
        "private",
        "api_key",
    ]
    .iter()
    .any(|s| name.contains(s))
    {
        return false;
    }
    let declared = p.get("type").and_then(Value::as_str);
    if let Some(options) = p.get("enum").and_then(Value::as_array) {
        return options.contains(v);
    }
    match (declared, v) {
        (Some("boolean"), Value::Bool(_)) => true,
        (Some("integer" | "number"), Value::Number(_)) => true,
        (Some("string"), Value::String(s)) => {
            NAMES.contains(&name) && s.chars().count() <= KEEP_CHARS
        }
        _ => false,
    }
}

/// The arguments as the trail records them, by the tool's input schema: only declared,
/// non-prose values ([`keeps`]) are copied; everything else (free text, anything the schema
/// does not declare, secrets whatever their name) is replaced by its length. A call refused
/// before it ran (`rejected`) records only the names of its arguments.
pub fn redact(args: &JsonObject, schema: Option<&JsonObject>, rejected: bool) -> Value {
    if rejected {
        return Value::Array(args.keys().map(|k| Value::String(k.clone())).collect());
    }
    let props = schema
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_object);
    let mut out = Map::new();
    for (k, v) in args {
        let kept = props
            .and_then(|p| p.get(k))
            .is_some_and(|p| keeps(&k.to_ascii_lowercase(), p, v));
        out.insert(k.clone(), if kept { v.clone() } else { withheld(v) });
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::Registry;

    fn schema_of(tool: &str) -> JsonObject {
        let mut r = Registry::psa();
        r.add_home();
        (*r.get(tool).unwrap().tool.input_schema).clone()
    }

    #[test]
    fn only_declared_non_prose_values_are_kept() {
        let s = schema_of("cw_add_ticket_note");
        let args = json!({
            "ticket_id": 7, "text": "Customer says the VPN drops", "visibility": "internal",
            "notify": true, "credential": "hunter22", "pwd": "hunter22",
            "note": "card 4111 1111 1111 1111",
        });
        let r = redact(args.as_object().unwrap(), Some(&s), false);
        assert_eq!(r["ticket_id"], 7);
        assert_eq!(r["visibility"], "internal");
        assert_eq!(r["notify"], true);
        assert_eq!(r["text"], "[redacted: 27 chars]");
        // Not in the schema: withheld whatever the name says.
        assert_eq!(r["credential"], "[redacted: 8 chars]");
        assert_eq!(r["pwd"], "[redacted: 8 chars]");
        assert_eq!(r["note"], "[redacted: 24 chars]");
        let line = r.to_string();
        for secret in ["VPN", "hunter22", "4111"] {
            assert!(!line.contains(secret), "{line}");
        }
        // A value of the wrong type is not copied either.
        let odd = redact(
            json!({"ticket_id": "7; drop table"}).as_object().unwrap(),
            Some(&s),
            false,
        );
        assert_eq!(odd["ticket_id"], "[redacted: 13 chars]");
    }

    #[test]
    fn names_are_kept_short_and_home_typing_never() {
        let s = schema_of("cw_search_tickets");
        let r = redact(
            json!({"company": "Acme", "text": "printer", "board": "x".repeat(80)})
                .as_object()
                .unwrap(),
            Some(&s),
            false,
        );
        assert_eq!(r["company"], "Acme");
        assert_eq!(r["text"], "[redacted: 7 chars]");
        assert_eq!(r["board"], "[redacted: 80 chars]");
        let fill = schema_of("cw_home_fill");
        let typed = redact(
            json!({"selector": "#pw", "value": "hunter22"})
                .as_object()
                .unwrap(),
            Some(&fill),
            false,
        );
        assert_eq!(typed["value"], "[redacted: 8 chars]");
    }

    #[test]
    fn a_rejected_call_records_only_argument_names() {
        let r = redact(
            json!({"credential": "hunter22", "ticket_id": 7})
                .as_object()
                .unwrap(),
            None,
            true,
        );
        assert_eq!(r, json!(["credential", "ticket_id"]));
    }

    /// Every string argument of every tool is either a name (kept when short) or withheld:
    /// a new argument has to be placed deliberately. Free text is whatever is not a name.
    #[test]
    fn every_string_argument_is_classified() {
        let mut r = Registry::psa();
        r.add_home();
        let mut names = std::collections::BTreeSet::new();
        for e in r.iter() {
            let props = e
                .tool
                .input_schema
                .get("properties")
                .and_then(Value::as_object);
            for (k, p) in props.into_iter().flatten() {
                if p.get("type").and_then(Value::as_str) == Some("string")
                    && p.get("enum").is_none()
                {
                    names.insert(k.clone());
                }
            }
        }
        let prose: &[&str] = &[
            "auth",
            "key",
            "ip_address",
            "serial_number",
            "text",
            "summary",
            "notes",
            "description",
            "internal_note",
            "resolution",
            "conditions",
            "search",
            "value",
            "expression",
            "selector",
            "url",
            "click",
            "navigate",
            "url_filter",
            "body",
            "question",
            "title",
            "params",
            "keyword",
            "email",
            "phone",
            "serial",
            "ip",
            "first_name",
            "last_name",
            "identifier",
            "ticket_number",
            "done_notes",
            "reason",
            "key_name",
        ];
        let unplaced: Vec<_> = names
            .iter()
            .filter(|n| !NAMES.contains(&n.as_str()) && !prose.contains(&n.as_str()))
            .collect();
        assert!(
            unplaced.is_empty(),
            "place these in NAMES or the prose list: {unplaced:?}"
        );
    }
}
