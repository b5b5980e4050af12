//! Who sees and may call what: a tool's tier follows from its annotations and toolset; the
//! caller's role and the deployment's limits (read-only, toolsets) select the tools; a tool
//! outside them is neither listed nor callable, and calling it writes nothing.

mod common;

use common::*;
use connectwise_mcp::auth::Role;
use connectwise_mcp::errors::OutcomeKind;
use connectwise_mcp::pipeline::Limits;
use connectwise_mcp::tools::Registry;
use serde_json::json;

fn names(p: &connectwise_mcp::pipeline::Pipeline, role: Role) -> Vec<String> {
    let who = caller(role);
    p.tools_for(&who).map(|e| e.name().to_string()).collect()
}

#[tokio::test]
async fn tiers_follow_the_annotations() {
    let r = Registry::psa();
    for e in r.iter() {
        let read_only = e.tool.annotations.as_ref().unwrap().read_only_hint == Some(true);
        assert_eq!(e.writes(), !read_only, "{}", e.name());
        let expected = if read_only {
            Role::Viewer
        } else {
            Role::Editor
        };
        assert_eq!(e.role, expected, "{}", e.name());
    }
}

#[tokio::test]
async fn roles_and_limits_select_the_tools() {
    let sim = tenant(51).await;
    let p = pipeline(&sim, "jchen", open());
    let all: Vec<String> = Registry::psa()
        .iter()
        .map(|e| e.name().to_string())
        .collect();
    let reads: Vec<String> = Registry::psa()
        .iter()
        .filter(|e| !e.writes())
        .map(|e| e.name().to_string())
        .collect();
    assert!(reads.len() < all.len() && !reads.is_empty());
    assert_eq!(names(&p, Role::Viewer), reads);
    assert_eq!(names(&p, Role::Editor), all);
    assert_eq!(names(&p, Role::Admin), all);

    let ro = pipeline(
        &sim,
        "jchen",
        Limits {
            read_only: true,
            ..Limits::all()
        },
    );
    assert_eq!(
        names(&ro, Role::Admin),
        reads,
        "read-only is an upper bound"
    );
    let none = pipeline(
        &sim,
        "jchen",
        Limits {
            toolsets: vec![],
            ..Limits::all()
        },
    );
    assert!(names(&none, Role::Admin).is_empty());
}

#[tokio::test]
async fn a_tool_outside_the_callers_reach_is_not_callable_and_writes_nothing() {
    let sim = tenant(52).await;
    let tid = my_open_ticket(&sim, "jchen");
    let p = pipeline(&sim, "jchen", open());
    sim.sim.hooks().clear_requests();
    let o = p
        .call(
            &caller(Role::Viewer),
            "cw_add_ticket_note",
            args(json!({"ticket_id": tid, "text": "should not land"})),
        )
        .await;
    assert_eq!(o.kind(), OutcomeKind::UnknownTool);
    assert!(
        sim.sim.hooks().requests().is_empty(),
        "nothing reached ConnectWise"
    );

    // Over MCP the viewer's list has no writes, and a raw call is refused like an unknown tool.
    let c = client(p, caller(Role::Viewer)).await;
    let listed = c.list_all_tools().await.unwrap();
    assert!(listed
        .iter()
        .all(|t| t.annotations.as_ref().unwrap().read_only_hint == Some(true)));
    let e = call(
        &c,
        "cw_create_ticket",
        json!({"summary": "x", "company": "1"}),
    )
    .await
    .unwrap_err();
    assert!(e.to_string().contains("tool not found"), "{e}");
    assert!(writes(&sim).is_empty());
}
