//! The rules real tenants enforce on writes, and that a refused write changes nothing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice
)]

mod common;
use common::*;
use serde_json::{json, Value};

async fn open_ticket_of(api: &Api, member: &str) -> Value {
    let cond = format!(
        "owner/identifier = '{member}' and closedFlag = false and board/name = 'Help Desk'"
    );
    let r = api
        .get("/service/tickets", &[("conditions", cond.as_str())])
        .await;
    r.body[0].clone()
}

#[tokio::test]
async fn creating_a_ticket_fills_defaults_and_records_the_initial_description_as_a_note() {
    let sim = start().await;
    let api = Api::new(&sim, "jchen");
    let missing = api
        .post("/service/tickets", json!({"summary": "no company"}))
        .await;
    assert_eq!(missing.status, 400);
    assert_eq!(missing.body["code"], "InvalidObject");
    assert_eq!(missing.body["errors"][0]["field"], "company");
    let long = api
        .post(
            "/service/tickets",
            json!({"summary": "x".repeat(101), "company": {"id": 3}}),
        )
        .await;
    assert_eq!(long.status, 400);
    assert_eq!(long.body["errors"][0]["code"], "MaxLength");
    let bad_enum = api
        .post(
            "/service/tickets",
            json!({"summary": "x", "company": {"id": 3}, "severity": "Extreme"}),
        )
        .await;
    assert_eq!(bad_enum.status, 400);

    let r = api
        .post("/service/tickets", json!({
            "summary": "Laptop will not boot",
            "company": {"identifier": sim.sim.tenant().store.get(cw_sim::kind::Kind::Company, 3).unwrap()["identifier"]},
            "initialDescription": "It beeps three times.",
            "processNotifications": false,
            "unknownField": 1,
        }))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let t = &r.body;
    assert_eq!(t["board"]["name"], "Help Desk");
    assert_eq!(t["status"]["name"], "New");
    assert_eq!(t["priority"]["name"], "Priority 3 - Normal Response");
    assert_eq!(t["company"]["id"], 3);
    assert_eq!(t["closedFlag"], false);
    assert_eq!(t["_info"]["enteredBy"], "jchen");
    assert!(t.get("unknownField").is_none() && t.get("initialDescription").is_none());
    let notes = api
        .get(&format!("/service/tickets/{}/notes", t["id"]), &[])
        .await;
    assert_eq!(notes.body.as_array().unwrap().len(), 1);
    assert_eq!(notes.body[0]["text"], "It beeps three times.");
    assert_eq!(notes.body[0]["detailDescriptionFlag"], true);
    assert!(
        sim.sim.tenant().outbox.is_empty(),
        "processNotifications=false sends nothing"
    );
}

#[tokio::test]
async fn statuses_must_belong_to_the_board_and_closing_sets_closed_fields() {
    let sim = start().await;
    let api = Api::new(&sim, "jchen");
    let t = open_ticket_of(&api, "jchen").await;
    let id = t["id"].as_i64().unwrap();
    let path = format!("/service/tickets/{id}");
    let wrong = api
        .patch(
            &path,
            json!([{"op": "replace", "path": "status", "value": {"name": "Completed"}}]),
        )
        .await;
    assert_eq!(wrong.status, 400, "Completed is a Field Services status");
    assert_eq!(wrong.body["errors"][0]["field"], "status");
    assert!(wrong.body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("Help Desk"));
    assert_eq!(
        api.get(&path, &[]).await.body["status"],
        t["status"],
        "nothing changed"
    );

    let closed = api
        .patch(
            &path,
            json!([{"op": "replace", "path": "/status", "value": {"name": ">closed"}}]),
        )
        .await;
    assert_eq!(closed.status, 200, "{}", closed.text);
    assert_eq!(closed.body["status"]["name"], ">Closed");
    assert_eq!(closed.body["closedFlag"], true);
    assert_eq!(closed.body["closedBy"], "jchen");
    assert_eq!(closed.body["_info"]["updatedBy"], "jchen");
    // Moving boards without naming a status lands on the new board's default.
    let moved = api
        .patch(
            &path,
            json!([{"op": "replace", "path": "board", "value": {"name": "Field Services"}}]),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    assert_eq!(moved.body["status"]["name"], "New");
    assert_eq!(moved.body["closedFlag"], false);
}

#[tokio::test]
async fn patch_rules_paths_case_and_nested_paths() {
    let sim = start().await;
    let api = Api::new(&sim, "jchen");
    let t = open_ticket_of(&api, "jchen").await;
    let path = format!("/service/tickets/{}", t["id"]);
    assert_eq!(
        api.patch(&path, json!({"summary": "x"})).await.status,
        400,
        "not an array"
    );
    assert_eq!(
        api.patch(
            &path,
            json!([{"op": "replace", "path": "Summary", "value": "x"}])
        )
        .await
        .status,
        400,
        "paths are case-sensitive"
    );
    assert_eq!(
        api.patch(
            &path,
            json!([{"op": "move", "path": "summary", "value": "x"}])
        )
        .await
        .status,
        400
    );
    // A sub-path answers 200 and changes nothing, as ConnectWise does.
    let r = api
        .patch(
            &path,
            json!([{"op": "replace", "path": "company/identifier", "value": "Other"}]),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["company"], t["company"]);
    let r = api.patch(&path, json!([{"op": "replace", "path": "summary", "value": "Renamed"}, {"op": "replace", "path": "budgetHours", "value": "2.5"}])).await;
    assert_eq!(r.body["summary"], "Renamed");
    assert_eq!(r.body["budgetHours"], 2.5);
}

#[tokio::test]
async fn body_dates_must_be_whole_second_utc() {
    let sim = start().await;
    let api = Api::new(&sim, "jchen");
    let t = open_ticket_of(&api, "jchen").await;
    for bad in [
        "2026-11-18T10:00:00.000Z",
        "2026-11-18T10:00:00+00:00",
        "2026-11-18",
    ] {
        let r = api.post("/time/entries", json!({"chargeToId": t["id"], "chargeToType": "ServiceTicket", "timeStart": bad, "actualHours": 0.5})).await;
        assert_eq!(r.status, 400, "{bad}");
        assert_eq!(
            r.body,
            json!({"code": "UnsupportedFormat", "message": "Unsupported format applied to timeStart", "errors": null})
        );
    }
}

#[tokio::test]
async fn notes_need_a_display_flag_and_are_attributed_to_the_caller() {
    let sim = start().await;
    let api = Api::new(&sim, "psharma");
    let t = open_ticket_of(&api, "psharma").await;
    let notes = format!("/service/tickets/{}/notes", t["id"]);
    let before = api.get(&format!("{notes}/count"), &[]).await.body["count"].clone();
    let r = api.post(&notes, json!({"text": "no flag"})).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["code"], "InvalidObject");
    assert_eq!(r.body["message"], "serviceNote object is invalid");
    assert_eq!(
        r.body["errors"][0]["message"],
        "Please choose where to display the notes in order to save this record."
    );
    assert_eq!(
        api.post(&notes, json!({"internalAnalysisFlag": true}))
            .await
            .status,
        400,
        "text is required"
    );
    assert_eq!(
        api.get(&format!("{notes}/count"), &[]).await.body["count"],
        before
    );

    let r = api.post(&notes, json!({"text": "Checked the logs.", "internalAnalysisFlag": true, "processNotifications": false})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["member"]["identifier"], "psharma");
    assert_eq!(r.body["internalFlag"], true);
    assert_eq!(r.body["externalFlag"], false);
    assert_eq!(r.body["createdBy"], "psharma");
    assert!(sim.sim.tenant().outbox.is_empty());
    // A note that does not opt out of notifications e-mails the contact.
    let r = api
        .post(
            &notes,
            json!({"text": "We are on it.", "detailDescriptionFlag": true}),
        )
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(sim.sim.tenant().outbox.len(), 1);
    // Notes can be patched.
    let r = api
        .patch(
            &format!("{notes}/{}", r.body["id"]),
            json!([{"op": "replace", "path": "text", "value": "Edited"}]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["text"], "Edited");
    // A technician cannot write as someone else; the integration member can.
    let r = api.post(&notes, json!({"text": "as jchen", "internalAnalysisFlag": true, "member": {"identifier": "jchen"}})).await;
    assert_eq!(r.status, 403);
    let integ = Api::new(&sim, "apisync");
    let r = integ.post(&notes, json!({"text": "as jchen", "internalAnalysisFlag": true, "member": {"identifier": "jchen"}})).await;
    assert_eq!(r.body["member"]["identifier"], "jchen");
    let r = integ.post(&notes, json!({"text": "x", "internalAnalysisFlag": true, "member": {"identifier": "john.smith@example.com"}})).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["errors"][0]["field"], "member");
    assert_eq!(
        api.post(
            "/service/tickets/999999/notes",
            json!({"text": "x", "internalAnalysisFlag": true})
        )
        .await
        .status,
        404
    );
}

#[tokio::test]
async fn time_entries_land_on_open_periods_only() {
    let sim = start().await;
    let api = Api::new(&sim, "jchen");
    let t = open_ticket_of(&api, "jchen").await;
    let entry = |start: &str| json!({"chargeToId": t["id"], "chargeToType": "ServiceTicket", "timeStart": start, "actualHours": 0.5, "notes": "Worked on it", "billableOption": "Billable"});
    // This week (the anchor is Wed 2026-11-18): open.
    let r = api
        .post("/time/entries", entry("2026-11-18T09:00:00Z"))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["member"]["identifier"], "jchen");
    assert_eq!(r.body["timeEnd"], "2026-11-18T09:30:00Z");
    assert_eq!(r.body["company"], t["company"]);
    assert_eq!(r.body["status"], "Open");
    let sheet = api
        .get(&format!("/time/sheets/{}", r.body["timeSheet"]["id"]), &[])
        .await;
    assert_eq!(sheet.body["status"], "Open");
    // Last week: approved sheet.
    let r = api
        .post("/time/entries", entry("2026-11-10T09:00:00Z"))
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["message"], "timeEntry object is invalid");
    assert!(
        r.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("ApprovedByTierTwo"),
        "{}",
        r.text
    );
    // Far past: closed period. Far future: no period.
    assert_eq!(
        api.post("/time/entries", entry("2025-01-06T09:00:00Z"))
            .await
            .status,
        400
    );
    assert_eq!(
        api.post("/time/entries", entry("2027-06-01T09:00:00Z"))
            .await
            .status,
        400
    );
    // Next week: an open period without a sheet yet gets one.
    let r = api
        .post("/time/entries", entry("2026-11-24T09:00:00Z"))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert!(r.body["timeSheet"]["id"].as_i64().is_some());
    // Submitting this week's sheet closes it to new time.
    let sid = sheet.body["id"].as_i64().unwrap();
    let s = api
        .post(&format!("/time/sheets/{sid}/submit"), json!({}))
        .await;
    assert_eq!(s.body["success"], true, "{}", s.text);
    let r = api
        .post("/time/entries", entry("2026-11-19T09:00:00Z"))
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("PendingApproval"));
    // Unknown member, end before start, another member's time, a missing ticket.
    let r = Api::new(&sim, "amorgan").post("/time/entries", json!({"chargeToId": t["id"], "timeStart": "2026-11-18T09:00:00Z", "actualHours": 1, "member": {"identifier": "nobody"}})).await;
    assert_eq!(r.status, 400);
    let r = api.post("/time/entries", json!({"chargeToId": t["id"], "timeStart": "2026-11-18T09:00:00Z", "timeEnd": "2026-11-18T08:00:00Z"})).await;
    assert_eq!(r.status, 400);
    let r = api.post("/time/entries", json!({"chargeToId": t["id"], "timeStart": "2026-11-18T09:00:00Z", "actualHours": 1, "member": {"identifier": "psharma"}})).await;
    assert_eq!(r.status, 403);
    let r = api
        .post(
            "/time/entries",
            json!({"chargeToId": 999999, "timeStart": "2026-11-18T09:00:00Z", "actualHours": 1}),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["errors"][0]["field"], "chargeToId");
}

#[tokio::test]
async fn put_replaces_and_delete_removes() {
    let sim = start().await;
    let admin = Api::new(&sim, "amorgan");
    let c = admin
        .post(
            "/company/companies",
            json!({"identifier": "NewCo", "name": "New Co", "city": "Bend"}),
        )
        .await;
    assert_eq!(c.status, 201, "{}", c.text);
    let path = format!("/company/companies/{}", c.body["id"]);
    let r = admin
        .put(&path, json!({"identifier": "NewCo", "name": "New Co Inc"}))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["name"], "New Co Inc");
    assert!(
        r.body.get("city").is_none(),
        "PUT resets what it does not name"
    );
    assert_eq!(admin.delete(&path).await.status, 204);
    assert_eq!(admin.get(&path, &[]).await.status, 404);
    let r = admin.get("/service/tickets/99999999", &[]).await;
    assert_eq!(r.status, 404);
    assert_eq!(r.body["code"], "NotFound");
}
