//! An update that changes nothing is not an update: nothing is sent, and the answer says the
//! ticket already has it; a partly redundant update sends only what changes.

mod common;

use common::*;
use connectwise_mcp::auth::Role;
use connectwise_mcp::surface::mcp::Results;
use serde_json::json;

#[tokio::test]
async fn setting_what_the_ticket_already_has_sends_nothing() {
    let sim = tenant(61).await;
    // What a model reads: the default text results.
    let c = client_with(
        pipeline(&sim, "jchen", open()),
        caller(Role::Editor),
        Results::Text,
    )
    .await;
    let tid = my_open_ticket(&sim, "jchen");
    let first = call(
        &c,
        "cw_update_ticket",
        json!({"ticket_id": tid, "status": "In Progress"}),
    )
    .await
    .unwrap();
    assert_ne!(first.is_error, Some(true), "{}", text(&first));
    let current_priority = sim
        .sim
        .tenant()
        .store
        .get(cw_sim::kind::Kind::Ticket, tid)
        .unwrap()["priority"]["name"]
        .as_str()
        .unwrap()
        .to_string();
    sim.sim.hooks().clear_requests();
    let again = call(
        &c,
        "cw_update_ticket",
        json!({"ticket_id": tid, "status": "in progress", "priority": "3"}),
    )
    .await
    .unwrap();
    let patches: Vec<_> = writes(&sim);
    if current_priority.starts_with("Priority 3") {
        assert!(patches.is_empty(), "nothing sent: {patches:?}");
        assert!(
            text(&again).starts_with("Nothing changed"),
            "{}",
            text(&again)
        );
    } else {
        assert_eq!(patches.len(), 1);
        let ops = patches[0]
            .body
            .as_ref()
            .unwrap()
            .as_array()
            .unwrap()
            .clone();
        assert_eq!(ops.len(), 1, "only the priority is sent: {ops:?}");
        assert_eq!(ops[0]["path"], "priority");
        assert!(
            text(&again).contains("already had status In Progress"),
            "{}",
            text(&again)
        );
    }
    assert!(
        text(&again).contains("status In Progress"),
        "{}",
        text(&again)
    );

    sim.sim.hooks().clear_requests();
    let same = call(
        &c,
        "cw_update_ticket",
        json!({"ticket_id": tid, "status": "In Progress"}),
    )
    .await
    .unwrap();
    assert!(
        writes(&sim).is_empty(),
        "no PATCH for a status the ticket has"
    );
    assert_eq!(
        text(&same).lines().next().unwrap(),
        format!("Nothing changed: ticket #{tid} already has status In Progress.")
    );
}
