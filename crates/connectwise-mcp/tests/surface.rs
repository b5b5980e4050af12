//! The tool surface as clients see it, one snapshot file per tool (`tests/snapshots/`), made
//! from the registry: a change to a name, description, schema or annotation shows up in review
//! as that tool's diff. Update on purpose with `INSTA_UPDATE=always cargo test --test surface`
//! (or `cargo insta review`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice
)]

use connectwise_mcp::tools::Registry;
use serde_json::Value;

#[test]
fn every_tool_matches_its_snapshot() {
    for e in Registry::psa().iter() {
        let tool = serde_json::to_value(&e.tool).unwrap();
        insta::assert_json_snapshot!(e.name().to_string(), tool);
    }
}

#[test]
fn every_tool_is_fully_described() {
    let r = Registry::psa();
    let names: Vec<&str> = r.iter().map(|e| e.name()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "listed in a stable order");
    for e in r.iter() {
        let t = serde_json::to_value(&e.tool).unwrap();
        let a = &t["annotations"];
        for hint in [
            "readOnlyHint",
            "destructiveHint",
            "idempotentHint",
            "openWorldHint",
        ] {
            assert!(a[hint].is_boolean(), "{} declares {hint}", e.name());
        }
        assert_eq!(t["inputSchema"]["type"], "object", "{}", e.name());
        assert_eq!(t["outputSchema"]["type"], "object", "{}", e.name());
        assert!(
            t["description"].as_str().unwrap().len() > 40,
            "{}",
            e.name()
        );
        let props = t["inputSchema"]["properties"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        for (p, spec) in props {
            assert!(
                spec.get("description")
                    .and_then(Value::as_str)
                    .is_some_and(|d| !d.is_empty()),
                "{}.{p} has a description",
                e.name()
            );
        }
    }
}
