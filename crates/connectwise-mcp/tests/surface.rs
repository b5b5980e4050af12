//! The tool surface as clients see it, one snapshot file per tool (`tests/snapshots/`), made
//! from the registry: a change to a name, description, schema or annotation shows up in review
//! as that tool's diff. Update on purpose with `INSTA_UPDATE=always cargo test --test surface`
//! (or `cargo insta review`).

use connectwise_mcp::surface::mcp::INSTRUCTIONS;
use connectwise_mcp::tools::Registry;
use serde_json::Value;

#[test]
fn every_tool_matches_its_snapshot() {
    for e in Registry::psa().iter() {
        let tool = serde_json::to_value(e.tool_structured()).unwrap();
        insta::assert_json_snapshot!(e.name().to_string(), tool);
    }
}

/// Arguments whose name says it all: a model pays for a description on every turn.
const PLAIN: &[&str] = &[
    "city",
    "email",
    "phone",
    "ip_address",
    "serial_number",
    "summary",
    "text",
    "ticket_id",
    "contact_id",
    "configuration_id",
    "duration_minutes",
    "internal_note",
    "include_inactive",
    "kind",
    "manager",
    "sales_rep",
    "id",
    "billable",
    "timezone",
    "notes",
    "start",
    "end",
    "date",
    "limit",
    "create_anyway",
];

#[test]
fn every_tool_is_fully_described() {
    let r = Registry::psa();
    let names: Vec<&str> = r.iter().map(|e| e.name()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "listed in a stable order");
    for e in r.iter() {
        let t = serde_json::to_value(e.tool_structured()).unwrap();
        let a = &t["annotations"];
        // Only the hints that differ from the spec's defaults are sent.
        let read_only = a["readOnlyHint"] == true;
        assert_eq!(read_only, !e.writes(), "{}", e.name());
        if read_only {
            assert_eq!(a.as_object().unwrap().len(), 1, "{}: {a}", e.name());
        }
        assert_eq!(t["inputSchema"]["type"], "object", "{}", e.name());
        assert_eq!(t["outputSchema"]["type"], "object", "{}", e.name());
        // What the MCP Inspector flags as unportable (`type: ["T", "null"]`), and noise.
        let out = t["outputSchema"].to_string();
        for noise in ["$schema", "$defs", "\"null\"", "\"type\":["] {
            assert!(
                !out.contains(noise),
                "{}: {noise} in its output schema",
                e.name()
            );
        }
        let d = t["description"].as_str().unwrap();
        assert!(d.len() > 20 && d.len() < 200, "{}: {d}", e.name());
        let props = t["inputSchema"]["properties"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        for (p, spec) in props {
            let described = spec
                .get("description")
                .and_then(Value::as_str)
                .is_some_and(|d| !d.is_empty() && !d.contains('\n'));
            let plain = PLAIN.contains(&p.as_str()) || p.ends_with("_after") || p.ends_with("_id");
            let explained = INSTRUCTIONS.contains(&p);
            assert!(
                described || plain || explained,
                "{}.{p} needs a one-line description, or a line in the server instructions",
                e.name()
            );
        }
    }
}

/// Bytes a model pays for on every turn: the whole `tools/list` answer for all the PSA tools,
/// in the default (text results) shape. The budget is the economy goal, per tool so that it
/// holds as the surface grows: seed 000 sends 23,156 bytes for 24 tools (965 a tool); the
/// measured figures are in BENCHMARKS.md.
#[test]
fn the_tool_list_stays_within_its_byte_budget() {
    let tools: Vec<Value> = Registry::psa()
        .iter()
        .map(|e| serde_json::to_value(&e.tool).unwrap())
        .collect();
    let list = serde_json::json!({"jsonrpc": "2.0", "id": 1, "result": {"tools": tools}});
    let bytes = list.to_string().len();
    assert!(tools.len() >= 40);
    assert!(
        bytes <= 500 * tools.len(),
        "tools/list is {bytes} bytes for {} tools",
        tools.len()
    );
    for t in &tools {
        assert!(
            t.get("outputSchema").is_none(),
            "text results list no output schema"
        );
        let s = t["inputSchema"].to_string();
        for noise in ["$schema", "$defs", "\"null\"", "uint", "oneOf"] {
            assert!(!s.contains(noise), "{}: {noise} in {s}", t["name"]);
        }
    }
}
