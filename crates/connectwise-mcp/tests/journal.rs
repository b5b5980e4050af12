//! Nothing is written twice when ConnectWise is slow rather than down, or when the server
//! stops between sending a write and hearing its answer: a write is journaled before it is
//! sent, a lost answer is looked for until it can be known, and a re-send looks for the first
//! attempt's record before writing. Evidence: the simulator's data and request log.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use connectwise_mcp::auth::Role;
use connectwise_mcp::journal::{Embedded, Journal};
use connectwise_mcp::pipeline::Limits;
use cw_sim::hooks::{Fault, FaultAction};
use serde_json::json;

fn late_note(ms: u64) -> Fault {
    Fault {
        method: Some("POST".into()),
        path: Some("/service/tickets/*/notes".into()),
        action: FaultAction::LateCommit { ms },
        times: Some(1),
    }
}

fn limits(deadline_ms: u64) -> Limits {
    Limits {
        deadline: Duration::from_millis(deadline_ms),
        ..Limits::all()
    }
}

/// ConnectWise's answers time out after `timeout_ms` (so a lost answer may still land for
/// twice that).
fn timeout(timeout_ms: u64) -> impl FnOnce(&mut cw_client::Config) {
    move |c| c.request_timeout = Duration::from_millis(timeout_ms)
}

fn posts(sim: &cw_sim::RunningSim) -> usize {
    writes(sim).iter().filter(|r| r.method == "POST").count()
}

#[tokio::test]
async fn a_write_saved_after_our_timeout_is_found_by_looking_again() {
    let sim = tenant(81).await;
    let p = pipeline_with(&sim, "jchen", limits(6_000), timeout(1_000));
    let c = client(p, caller(Role::Editor)).await;
    let tid = my_open_ticket(&sim, "jchen");
    let before = notes_on(&sim, tid);
    sim.sim.hooks().add_fault(late_note(1_800));
    let r = call(
        &c,
        "cw_add_ticket_note",
        json!({"ticket_id": tid, "text": "Saved late."}),
    )
    .await
    .unwrap();
    // One look right after the timeout finds nothing; a later one finds the saved note.
    assert_ne!(r.is_error, Some(true), "{}", text(&r));
    assert!(text(&r).contains("Added an internal note"), "{}", text(&r));
    assert_eq!(notes_on(&sim, tid), before + 1);
    assert_eq!(posts(&sim), 1, "sent once");
}

#[tokio::test]
async fn a_resend_while_a_slow_write_may_still_land_writes_nothing_and_finds_it_later() {
    let sim = tenant(82).await;
    // The call gives up before ConnectWise saves: "not known yet", never "not made".
    let p = pipeline_with(&sim, "jchen", limits(3_000), timeout(1_000));
    let c = client(p, caller(Role::Editor)).await;
    let tid = my_open_ticket(&sim, "jchen");
    let before = notes_on(&sim, tid);
    // Saved 1.8 s after it was sent: after the call looked (and gave up leaving time to
    // answer), within twice the timeout.
    sim.sim.hooks().add_fault(late_note(1_800));
    let args = json!({"ticket_id": tid, "text": "The fan was replaced."});
    let first = call(&c, "cw_add_ticket_note", args.clone()).await.unwrap();
    assert_eq!(first.is_error, Some(true));
    let t = text(&first);
    assert!(t.contains("not known yet"), "{t}");
    assert!(
        !t.contains("safe to try again") && !t.contains("was not made"),
        "{t}"
    );
    // At once: the first attempt may still land, so nothing is sent.
    let soon = call(&c, "cw_add_ticket_note", args.clone()).await.unwrap();
    assert_eq!(soon.is_error, Some(true), "{}", text(&soon));
    assert!(text(&soon).contains("not known yet"), "{}", text(&soon));
    assert_eq!(notes_on(&sim, tid), before, "the re-send wrote nothing");
    // Once it has landed, the re-send answers with that note.
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    assert_eq!(
        notes_on(&sim, tid),
        before + 1,
        "ConnectWise saved the first one"
    );
    let later = call(&c, "cw_add_ticket_note", args).await.unwrap();
    assert_ne!(later.is_error, Some(true), "{}", text(&later));
    assert!(text(&later).starts_with("Already done"), "{}", text(&later));
    assert_eq!(notes_on(&sim, tid), before + 1, "exactly one note");
    assert_eq!(posts(&sim), 1, "neither re-send sent anything");
}

#[tokio::test]
async fn a_write_that_never_landed_is_written_by_a_resend_once_it_cannot_still_land() {
    let sim = tenant(83).await;
    let p = pipeline_with(&sim, "jchen", limits(1_500), timeout(800));
    let c = client(p, caller(Role::Editor)).await;
    let tid = my_open_ticket(&sim, "jchen");
    let before = notes_on(&sim, tid);
    sim.sim.hooks().add_fault(Fault {
        action: FaultAction::DropBefore,
        ..late_note(0)
    });
    let args = json!({"ticket_id": tid, "text": "Cable reseated."});
    let first = call(&c, "cw_add_ticket_note", args.clone()).await.unwrap();
    assert!(text(&first).contains("not known yet"), "{}", text(&first));
    // Twice the timeout after it was sent, the first attempt cannot land any more.
    tokio::time::sleep(Duration::from_millis(1_700)).await;
    let again = call(&c, "cw_add_ticket_note", args).await.unwrap();
    assert_ne!(again.is_error, Some(true), "{}", text(&again));
    assert!(
        !text(&again).starts_with("Already done"),
        "{}",
        text(&again)
    );
    assert_eq!(
        notes_on(&sim, tid),
        before + 1,
        "written once, by the re-send"
    );
    assert_eq!(posts(&sim), 2);
}

#[tokio::test]
async fn a_restarted_server_finds_the_write_its_predecessor_sent_in_its_journal() {
    let sim = tenant(84).await;
    let dir = std::env::temp_dir().join(format!("cwmcp-journal-test-{}", std::process::id()));
    let path = dir.join("journal.sqlite3");
    let journal = || -> Arc<dyn Journal> { Arc::new(Embedded::open(&path).unwrap()) };
    let tid = my_open_ticket(&sim, "jchen");
    let before = notes_on(&sim, tid);
    let args = json!({"ticket_id": tid, "text": "Swapped the toner."});
    sim.sim.hooks().add_fault(late_note(1_200));
    {
        // The first server sends the note, and is gone before ConnectWise answers.
        let first = pipeline_journaled(&sim, "jchen", limits(300), timeout(5_000), journal());
        let c = client(first, caller(Role::Editor)).await;
        let r = call(&c, "cw_add_ticket_note", args.clone()).await.unwrap();
        assert!(text(&r).contains("not known yet"), "{}", text(&r));
    }
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert_eq!(notes_on(&sim, tid), before + 1);
    // A new server with the same journal (and an empty replay store) is asked again.
    let second = pipeline_journaled(&sim, "jchen", limits(5_000), timeout(5_000), journal());
    let c = client(second, caller(Role::Editor)).await;
    let r = call(&c, "cw_add_ticket_note", args).await.unwrap();
    assert_ne!(r.is_error, Some(true), "{}", text(&r));
    assert!(text(&r).starts_with("Already done"), "{}", text(&r));
    assert!(text(&r).contains("found in ConnectWise"), "{}", text(&r));
    assert_eq!(notes_on(&sim, tid), before + 1, "not written a second time");
    assert_eq!(posts(&sim), 1);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn a_time_entry_that_just_ended_is_matched_by_its_length_after_a_restart() {
    // "30 minutes, just ended" starts at another time when sent again: the earlier entry is
    // recognised by member, ticket, length and notes, not by its start.
    let sim = tenant(85).await;
    let dir = std::env::temp_dir().join(format!("cwmcp-journal-time-{}", std::process::id()));
    let path = dir.join("journal.sqlite3");
    let journal = || -> Arc<dyn Journal> { Arc::new(Embedded::open(&path).unwrap()) };
    let tid = my_open_ticket(&sim, "jchen");
    sim.sim.hooks().add_fault(Fault {
        method: Some("POST".into()),
        path: Some("/time/entries".into()),
        action: FaultAction::LateCommit { ms: 1_200 },
        times: Some(1),
    });
    let args = json!({"ticket_id": tid, "duration_minutes": 30, "notes": "Printer fixed."});
    {
        let first = pipeline_journaled(&sim, "jchen", limits(300), timeout(5_000), journal());
        let c = client(first, caller(Role::Editor)).await;
        let r = call(&c, "cw_create_time_entry", args.clone())
            .await
            .unwrap();
        assert!(text(&r).contains("not known yet"), "{}", text(&r));
    }
    tokio::time::sleep(Duration::from_millis(2_200)).await;
    let second = pipeline_journaled(&sim, "jchen", limits(5_000), timeout(5_000), journal());
    let c = client(second, caller(Role::Editor)).await;
    let r = call(&c, "cw_create_time_entry", args).await.unwrap();
    assert!(text(&r).starts_with("Already done"), "{}", text(&r));
    let posted = writes(&sim)
        .iter()
        .filter(|w| w.method == "POST" && w.path == "/time/entries")
        .count();
    assert_eq!(posted, 1);
    let _ = std::fs::remove_dir_all(dir);
}
