//! MCP resources: my queue, what needs me next and my time today, and templates for a ticket,
//! a company and a board, each read through the tool that shows the same thing (so the
//! caller's role, keys, toolsets and the audit trail apply exactly as to the tool) and
//! answered with that tool's compact text. A resource is offered only where its tool is.

use rmcp::model::{JsonObject, Resource, ResourceTemplate};
use serde_json::Value;

/// A resource with a fixed URI.
struct Fixed {
    uri: &'static str,
    name: &'static str,
    description: &'static str,
    tool: &'static str,
}

const FIXED: &[Fixed] = &[
    Fixed {
        uri: "connectwise://me/queue",
        name: "My open tickets",
        description: "Tickets I own or am a resource on, newest update first",
        tool: "cw_my_tickets",
    },
    Fixed {
        uri: "connectwise://me/next",
        name: "What needs me next",
        description: "My open tickets and today's bookings, ranked, each with why",
        tool: "cw_whats_next",
    },
    Fixed {
        uri: "connectwise://me/time/today",
        name: "My time today",
        description: "My time entries today with the total",
        tool: "cw_list_my_time",
    },
];

/// A resource template: `connectwise://<collection>/{<arg>}`, read with `tool` given the
/// value as `arg` (an integer when `numeric`).
struct Template {
    collection: &'static str,
    arg: &'static str,
    numeric: bool,
    name: &'static str,
    description: &'static str,
    tool: &'static str,
}

const TEMPLATES: &[Template] = &[
    Template {
        collection: "tickets",
        arg: "ticket_id",
        numeric: true,
        name: "Ticket",
        description: "A ticket with its notes",
        tool: "cw_get_ticket",
    },
    Template {
        collection: "companies",
        arg: "company",
        numeric: false,
        name: "Company",
        description: "A company by name, identifier or id, with its open tickets",
        tool: "cw_get_company",
    },
    Template {
        collection: "boards",
        arg: "board",
        numeric: false,
        name: "Board",
        description: "A service board: statuses, types, teams and defaults",
        tool: "cw_get_board",
    },
];

const PREFIX: &str = "connectwise://";

fn text_resource(uri: &str, name: &str, description: &str) -> Resource {
    Resource::new(uri, name)
        .with_description(description)
        .with_mime_type("text/plain")
}

/// Whether any resource is offered where `may` says which tools are.
pub fn any(may: &dyn Fn(&str) -> bool) -> bool {
    FIXED.iter().any(|f| may(f.tool)) || TEMPLATES.iter().any(|t| may(t.tool))
}

/// The fixed resources offered.
pub fn list(may: &dyn Fn(&str) -> bool) -> Vec<Resource> {
    FIXED
        .iter()
        .filter(|f| may(f.tool))
        .map(|f| text_resource(f.uri, f.name, f.description))
        .collect()
}

/// The resource templates offered.
pub fn templates(may: &dyn Fn(&str) -> bool) -> Vec<ResourceTemplate> {
    TEMPLATES
        .iter()
        .filter(|t| may(t.tool))
        .map(|t| {
            ResourceTemplate::new(format!("{PREFIX}{}/{{{}}}", t.collection, t.arg), t.name)
                .with_description(t.description)
                .with_mime_type("text/plain")
        })
        .collect()
}

/// The template argument a `ref/resource` completion asks about, if it is one of ours.
pub fn template_takes(may: &dyn Fn(&str) -> bool, uri_template: &str, arg: &str) -> bool {
    TEMPLATES.iter().any(|t| {
        may(t.tool)
            && t.arg == arg
            && uri_template == format!("{PREFIX}{}/{{{}}}", t.collection, t.arg)
    })
}

/// The tool call that reads `uri`; `Err` says why the URI names no resource.
pub fn call_for(uri: &str) -> Result<(&'static str, JsonObject), String> {
    let unknown = || {
        format!(
            "no resource {uri}; resources are {} and {}",
            FIXED.iter().map(|f| f.uri).collect::<Vec<_>>().join(", "),
            TEMPLATES
                .iter()
                .map(|t| format!("{PREFIX}{}/{{{}}}", t.collection, t.arg))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    if let Some(f) = FIXED.iter().find(|f| f.uri == uri) {
        return Ok((f.tool, JsonObject::new()));
    }
    let rest = uri.strip_prefix(PREFIX).ok_or_else(unknown)?;
    let (collection, value) = rest.split_once('/').ok_or_else(unknown)?;
    let t = TEMPLATES
        .iter()
        .find(|t| t.collection == collection)
        .ok_or_else(unknown)?;
    // `%20` and friends, as the characters they stand for.
    let value = percent_encoding::percent_decode_str(value)
        .decode_utf8_lossy()
        .into_owned();
    if value.trim().is_empty() || value.contains('/') {
        return Err(unknown());
    }
    let v = if t.numeric {
        Value::from(
            value
                .trim()
                .parse::<i64>()
                .map_err(|_| format!("{uri}: {} must be a number", t.arg))?,
        )
    } else {
        Value::from(value)
    };
    let mut args = JsonObject::new();
    args.insert(t.arg.into(), v);
    Ok((t.tool, args))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_become_tool_calls() {
        let (tool, args) = call_for("connectwise://tickets/42").unwrap();
        assert_eq!(
            (tool, Value::Object(args)),
            ("cw_get_ticket", serde_json::json!({"ticket_id": 42}))
        );
        let (tool, args) = call_for("connectwise://companies/Pinecrest%20Printing").unwrap();
        assert_eq!(
            (tool, args["company"].as_str()),
            ("cw_get_company", Some("Pinecrest Printing"))
        );
        assert_eq!(
            call_for("connectwise://me/queue").unwrap().0,
            "cw_my_tickets"
        );
        assert!(call_for("connectwise://tickets/abc")
            .unwrap_err()
            .contains("must be a number"));
        assert!(call_for("connectwise://nope/1").is_err());
        assert!(call_for("https://tickets/1").is_err());
    }
}
