//! `dry_run: true`, which every PSA write tool takes: the tool runs as usual (names resolved,
//! rules read and checked) with a ConnectWise client that holds its first write back
//! ([`cw_client::CwClient::dry_run`]), and the answer is that write, exactly as it would have
//! been sent, with the names the call resolved. Nothing is written, so nothing is kept for
//! replay either. Tools that already preview (a `confirm` argument) keep their own preview.

use cw_client::HeldWrite;
use rmcp::model::JsonObject;
use serde_json::{json, Value};

use super::ToolOutput;
use crate::context::Resolved;
use crate::errors::ToolError;

/// The argument's name.
pub const ARG: &str = "dry_run";

/// Whether a tool with this input schema and annotations takes `dry_run`: it writes to the
/// PSA and has no preview of its own.
pub fn applies(schema: &JsonObject, writes: bool, psa: bool) -> bool {
    let has = |p: &str| {
        schema
            .get("properties")
            .and_then(Value::as_object)
            .is_some_and(|o| o.contains_key(p))
    };
    writes && psa && !has("confirm")
}

/// Adds `dry_run` to a write tool's input schema.
pub fn declare(schema: &mut JsonObject) {
    if let Some(Value::Object(p)) = schema.get_mut("properties") {
        p.insert(ARG.into(), json!({"type": "boolean"}));
    }
}

/// A write tool's output schema: its own result, or a dry run's.
pub fn output_schema(own: JsonObject) -> JsonObject {
    let preview = json!({
        "type": "object",
        "properties": {
            "dry_run": {"type": "boolean"},
            "method": {"type": "string"},
            "path": {"type": "string"},
            "body": {},
            "resolved": {"type": "array", "items": {"type": "object"}},
        },
        "required": ["dry_run", "method", "path"],
    });
    let mut o = JsonObject::new();
    o.insert("type".into(), json!("object"));
    o.insert("anyOf".into(), json!([Value::Object(own), preview]));
    o
}

/// Takes `dry_run` out of the arguments: whether the call is a dry run.
pub fn take(args: &mut JsonObject) -> Result<bool, ToolError> {
    match args.remove(ARG) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(b),
        Some(other) => Err(ToolError::invalid(format!(
            "dry_run must be true or false, not {other}"
        ))),
    }
}

/// The answer to a dry run that reached a write.
pub fn preview(tool: &str, held: &HeldWrite, resolved: &[Resolved]) -> ToolOutput {
    let mut text = format!(
        "Dry run of {tool}: nothing was written. The first write it would send:\n{} {}",
        held.method, held.path
    );
    if let Some(b) = &held.body {
        text.push('\n');
        text.push_str(&b.to_string());
    }
    let named: Vec<String> = resolved
        .iter()
        .filter(|r| !r.given.is_empty())
        .map(|r| {
            let id = r.id.map(|i| format!(" (#{i})")).unwrap_or_default();
            format!("{} \"{}\" is {}{id}", r.what, r.given, r.name)
        })
        .collect();
    if !named.is_empty() {
        text.push_str("\nNames: ");
        text.push_str(&named.join("; "));
    }
    ToolOutput {
        structured: json!({
            "dry_run": true,
            "method": held.method,
            "path": held.path,
            "body": held.body,
            "resolved": resolved,
        }),
        text,
        image: None,
    }
}

/// The answer to a dry run that finished without reaching a write (nothing needed changing).
pub fn nothing_to_send(mut out: ToolOutput) -> ToolOutput {
    out.text = format!(
        "Dry run: this call sends no write; its answer would be:\n{}",
        out.text
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dry_run_is_a_boolean_and_leaves_the_other_arguments() {
        let mut a: JsonObject =
            serde_json::from_value(json!({"dry_run": true, "text": "x"})).unwrap();
        assert!(take(&mut a).unwrap());
        assert_eq!(Value::Object(a), json!({"text": "x"}));
        let mut bad: JsonObject = serde_json::from_value(json!({"dry_run": "yes"})).unwrap();
        assert!(take(&mut bad).is_err());
    }

    #[test]
    fn a_preview_shows_the_request_and_the_names() {
        let held = HeldWrite {
            method: "POST",
            path: "/service/tickets/5/notes".into(),
            body: Some(json!({"text": "hello"})),
        };
        let r = Resolved {
            what: "board".into(),
            given: "help".into(),
            id: Some(1),
            name: "Help Desk".into(),
        };
        let out = preview("cw_add_ticket_note", &held, &[r]);
        assert!(out
            .text
            .contains("POST /service/tickets/5/notes\n{\"text\":\"hello\"}"));
        assert!(out.text.contains("board \"help\" is Help Desk (#1)"));
        assert_eq!(out.structured["dry_run"], json!(true));
    }
}
