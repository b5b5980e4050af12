//! Who may contact a customer (`MCP_CUSTOMER_CONTACT`) holds for every way a write can reach
//! one: notes, `notify`, a ticket's description (its first, customer-visible note), time-entry
//! notes added to the discussion or resolution, a close-out, and correcting the notes of a time
//! entry the discussion shows. A refusal says who may, and nothing reaches ConnectWise.

mod common;

use common::*;
use connectwise_mcp::auth::Role;
use connectwise_mcp::pipeline::Limits;
use serde_json::{json, Value};

fn contact(least: Option<Role>) -> Limits {
    Limits {
        customer_contact: least,
        ..Limits::all()
    }
}

/// Calls that would contact the customer, as an editor may send them.
fn contacting(sim: &cw_sim::RunningSim, tid: i64) -> Vec<(&'static str, Value)> {
    let company = company_of(sim, tid);
    vec![
        (
            "cw_add_ticket_note",
            json!({"ticket_id": tid, "text": "Fixed.", "visibility": "discussion"}),
        ),
        (
            "cw_add_ticket_note",
            json!({"ticket_id": tid, "text": "Fixed.", "visibility": "resolution"}),
        ),
        (
            "cw_add_ticket_note",
            json!({"ticket_id": tid, "text": "Fixed.", "notify": true}),
        ),
        (
            "cw_create_time_entry",
            json!({"ticket_id": tid, "duration_minutes": 15, "notes": "Rebooted the router.", "notes_to": "discussion"}),
        ),
        (
            "cw_create_time_entry",
            json!({"ticket_id": tid, "duration_minutes": 15, "notes": "Rebooted the router.", "notes_to": "resolution"}),
        ),
        (
            "cw_create_time_entry",
            json!({"ticket_id": tid, "duration_minutes": 15, "notify": true}),
        ),
        (
            "cw_create_ticket",
            json!({"summary": "Printer offline", "company": company, "description": "Your printer is offline."}),
        ),
        (
            "cw_create_ticket",
            json!({"summary": "Printer offline", "company": company, "notify": true}),
        ),
        (
            "cw_close_ticket",
            json!({"ticket_id": tid, "resolution": "Replaced the toner.", "confirm": true}),
        ),
    ]
}

#[tokio::test]
async fn with_contact_turned_off_no_write_reaches_a_customer_and_nothing_is_sent() {
    let sim = tenant(91).await;
    let tid = my_open_ticket(&sim, "jchen");
    let p = pipeline(&sim, "jchen", contact(None));
    let c = client(p, caller(Role::Admin)).await;
    sim.sim.hooks().clear_requests();
    for (tool, args) in contacting(&sim, tid) {
        let r = call(&c, tool, args.clone()).await.unwrap();
        assert_eq!(r.is_error, Some(true), "{tool} {args}: {}", text(&r));
        let t = text(&r);
        assert!(
            t.contains("MCP_CUSTOMER_CONTACT=never") && t.contains("Nothing was written"),
            "{tool}: {t}"
        );
        // A dry run is refused the same way: the caller could not send it.
        let mut dry = args.as_object().cloned().unwrap();
        if tool != "cw_close_ticket" {
            dry.insert("dry_run".into(), json!(true));
            let r = call(&c, tool, Value::Object(dry)).await.unwrap();
            assert_eq!(r.is_error, Some(true), "{tool} dry run: {}", text(&r));
        }
    }
    assert!(
        sim.sim.hooks().requests().is_empty(),
        "nothing was sent to ConnectWise at all"
    );
    // Internal work goes on.
    let ok = call(
        &c,
        "cw_create_time_entry",
        json!({"ticket_id": tid, "duration_minutes": 15, "notes": "Rebooted the router."}),
    )
    .await
    .unwrap();
    assert_ne!(ok.is_error, Some(true), "{}", text(&ok));
    let company = company_of(&sim, tid);
    let ok = call(&c, "cw_create_ticket", json!({"summary": "Printer offline again", "company": company, "internal_note": "Seen before.", "create_anyway": true}))
        .await
        .unwrap();
    assert_ne!(ok.is_error, Some(true), "{}", text(&ok));
}

#[tokio::test]
async fn admins_only_means_an_editor_is_told_who_may() {
    let sim = tenant(92).await;
    let tid = my_open_ticket(&sim, "jchen");
    let p = pipeline(&sim, "jchen", contact(Some(Role::Admin)));
    let editor = client(p.clone(), caller(Role::Editor)).await;
    for (tool, args) in contacting(&sim, tid) {
        let r = call(&editor, tool, args).await.unwrap();
        let t = text(&r);
        assert_eq!(r.is_error, Some(true), "{tool}: {t}");
        assert!(
            t.contains("only to admins") && t.contains("you are an editor"),
            "{tool}: {t}"
        );
    }
    assert!(writes(&sim).is_empty());
    // An admin may; and correcting the notes of an entry the discussion shows is contact too.
    let admin = client(p, caller(Role::Admin)).await;
    let made = call(&admin, "cw_create_time_entry", json!({"ticket_id": tid, "duration_minutes": 20, "notes": "Replaced the switch.", "notes_to": "discussion"}))
        .await
        .unwrap();
    assert_ne!(made.is_error, Some(true), "{}", text(&made));
    let id = made.structured_content.as_ref().unwrap()["entry"]["id"]
        .as_i64()
        .unwrap();
    let before = writes(&sim).len();
    let r = call(
        &editor,
        "cw_update_time_entry",
        json!({"entry_id": id, "notes": "Replaced the switch and a cable."}),
    )
    .await
    .unwrap();
    assert_eq!(r.is_error, Some(true), "{}", text(&r));
    assert!(
        text(&r).contains("discussion or resolution shows"),
        "{}",
        text(&r)
    );
    assert_eq!(writes(&sim).len(), before, "the correction sent nothing");
    // Changing only its length is not contact.
    let r = call(
        &editor,
        "cw_update_time_entry",
        json!({"entry_id": id, "duration_minutes": 25}),
    )
    .await
    .unwrap();
    assert_ne!(r.is_error, Some(true), "{}", text(&r));
}
