//! Writes run once per identical request: concurrent re-sends wait for the first and get its
//! answer, later ones within the window are answered from it, and re-sends that differ only
//! by a default spelled out or whitespace are recognised. Checked in the simulator's data.

mod common;

use common::*;
use connectwise_mcp::auth::Role;
use futures::future::join_all;
use serde_json::json;

#[tokio::test]
async fn five_identical_notes_sent_at_once_make_one_note() {
    let sim = tenant(31).await;
    let c = client(pipeline(&sim, "jchen", open()), caller(Role::Editor)).await;
    let tid = my_open_ticket(&sim, "jchen");
    let before = notes_on(&sim, tid);
    sim.sim.hooks().clear_requests();
    let args = json!({"ticket_id": tid, "text": "Client re-sent this after its own timeout."});
    let answers = join_all((0..5).map(|_| call(&c, "cw_add_ticket_note", args.clone()))).await;
    assert_eq!(
        notes_on(&sim, tid),
        before + 1,
        "exactly one note was written"
    );
    assert_eq!(writes(&sim).len(), 1, "one POST reached ConnectWise");
    let ids: Vec<_> = answers
        .iter()
        .map(|r| r.as_ref().unwrap().structured_content.as_ref().unwrap()["note"]["id"].clone())
        .collect();
    assert!(
        ids.iter().all(|i| *i == ids[0]),
        "every caller got the same note: {ids:?}"
    );
    let replayed = answers
        .iter()
        .filter(|r| text(r.as_ref().unwrap()).starts_with("Already done"))
        .count();
    assert_eq!(
        replayed, 4,
        "the four re-sends say nothing was written again"
    );
}

#[tokio::test]
async fn five_identical_time_entries_sent_at_once_make_one_entry() {
    let sim = tenant(32).await;
    let c = client(pipeline(&sim, "jchen", open()), caller(Role::Editor)).await;
    let tid = my_open_ticket(&sim, "jchen");
    sim.sim.hooks().clear_requests();
    let start = chrono::Utc::now().format("%Y-%m-%dT%H:%M:00Z").to_string();
    let args = json!({"ticket_id": tid, "start": start, "duration_minutes": 20, "notes": "Remote session"});
    let answers = join_all((0..5).map(|_| call(&c, "cw_create_time_entry", args.clone()))).await;
    for r in &answers {
        assert_ne!(
            r.as_ref().unwrap().is_error,
            Some(true),
            "{}",
            text(r.as_ref().unwrap())
        );
    }
    let posts: Vec<_> = writes(&sim)
        .into_iter()
        .filter(|w| w.path == "/time/entries")
        .collect();
    assert_eq!(posts.len(), 1, "one time entry was written");
}

#[tokio::test]
async fn a_resend_with_defaults_spelled_out_or_extra_spaces_is_the_same_write() {
    let sim = tenant(33).await;
    let c = client(pipeline(&sim, "jchen", open()), caller(Role::Editor)).await;
    let tid = my_open_ticket(&sim, "jchen");
    let before = notes_on(&sim, tid);
    let first = call(
        &c,
        "cw_add_ticket_note",
        json!({"ticket_id": tid, "text": "Swapped the toner."}),
    )
    .await
    .unwrap();
    let again = call(
        &c,
        "cw_add_ticket_note",
        json!({"ticket_id": tid, "text": "  Swapped the toner.  ", "visibility": "internal", "notify": false}),
    )
    .await
    .unwrap();
    assert_eq!(notes_on(&sim, tid), before + 1);
    assert!(text(&again).starts_with("Already done"), "{}", text(&again));
    assert_eq!(
        first.structured_content.unwrap()["note"]["id"],
        again.structured_content.unwrap()["note"]["id"]
    );
    // Anything that really differs is a new write.
    let other = call(
        &c,
        "cw_add_ticket_note",
        json!({"ticket_id": tid, "text": "Swapped the toner.", "visibility": "discussion"}),
    )
    .await
    .unwrap();
    assert!(!text(&other).starts_with("Already done"));
    assert_eq!(notes_on(&sim, tid), before + 2);
}

#[tokio::test]
async fn reads_are_never_answered_from_an_earlier_call() {
    let sim = tenant(34).await;
    let p = pipeline(&sim, "jchen", open());
    let who = caller(Role::Viewer);
    let a = p.call(&who, "cw_list_priorities", args(json!({}))).await;
    let b = p.call(&who, "cw_list_priorities", args(json!({}))).await;
    assert!(a.replayed.is_none() && b.replayed.is_none());
}
