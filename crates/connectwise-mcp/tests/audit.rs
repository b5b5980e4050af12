//! The audit trail records arguments by each tool's schema: declared, non-prose values as
//! they are, everything else as its length; a call refused before it ran records only the
//! names of its arguments. Nothing a caller typed in prose, or under a name the tool does not
//! declare, reaches the file.

mod common;

use std::sync::Arc;

use common::*;
use connectwise_mcp::audit::{Both, JsonLines, LogLine};
use connectwise_mcp::auth::Role;
use connectwise_mcp::pipeline::{Parts, Pipeline};
use serde_json::{json, Value};

#[tokio::test]
async fn the_trail_keeps_only_what_the_schema_declares_as_non_prose() {
    let sim = tenant(111).await;
    let dir = std::env::temp_dir().join(format!("cwmcp-audit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("audit.jsonl");
    let base = pipeline(&sim, "jchen", open());
    let p = Pipeline::new(Parts {
        registry: connectwise_mcp::tools::Registry::psa(),
        shared: base.shared().clone(),
        upstream: base.upstream().clone(),
        server_creds: Some(keys(&sim, "jchen")),
        limits: open(),
        replay: Arc::new(connectwise_mcp::replay::Local::new()),
        journal: Arc::new(connectwise_mcp::journal::Memory::default()),
        audit: Arc::new(Both(LogLine, JsonLines::open(&path).unwrap())),
    });
    let editor = caller(Role::Editor);
    let tid = my_open_ticket(&sim, "jchen");
    let note = "Card 4111 1111 1111 1111, password hunter22";
    p.call(
        &editor,
        "cw_add_ticket_note",
        args(json!({"ticket_id": tid, "text": note, "visibility": "internal"})),
    )
    .await;
    // Refused: an argument the tool does not take.
    p.call(
        &editor,
        "cw_add_ticket_note",
        args(json!({"ticket_id": tid, "text": note, "credential": "hunter22", "pwd": "hunter22"})),
    )
    .await;
    let lines: Vec<Value> = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["arguments"]["ticket_id"], tid);
    assert_eq!(lines[0]["arguments"]["visibility"], "internal");
    assert_eq!(
        lines[0]["arguments"]["text"],
        format!("[redacted: {} chars]", note.len())
    );
    assert_eq!(lines[0]["member"], "jchen");
    assert_eq!(lines[1]["outcome"], "invalid_arguments");
    assert_eq!(
        lines[1]["arguments"],
        json!(["credential", "pwd", "text", "ticket_id"])
    );
    let all = std::fs::read_to_string(&path).unwrap();
    for secret in ["4111", "hunter22"] {
        assert!(!all.contains(secret), "{secret} reached the trail");
    }
    let _ = std::fs::remove_dir_all(dir);
}
