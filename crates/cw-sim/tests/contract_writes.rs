//! Writes to collections the simulator serves from the contract (ticket tasks, company sites,
//! board teams): created, read back, changed, removed, with the same checks as hand-made ones.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::*;
use serde_json::json;

#[tokio::test]
async fn ticket_tasks_are_created_read_changed_and_removed() {
    let sim = start().await;
    let api = Api::new(&sim, "jchen");
    let before = api.get("/service/tickets/5/tasks", &[]).await;
    assert_eq!(before.status, 200, "{}", before.text);
    let n = before.body.as_array().unwrap().len();
    assert!(n >= 1, "a ticket has tasks to read");
    assert!(before.body[0]["ticketId"] == 5, "{}", before.text);

    let made = api
        .post(
            "/service/tickets/5/tasks",
            json!({"notes": "Swap the UPS battery", "priority": 1, "ticketId": 99}),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.text);
    let id = made.body["id"].as_i64().unwrap();
    assert_eq!(made.body["ticketId"], 5, "the path's ticket wins");
    assert_eq!(made.body["_info"]["enteredBy"], "jchen");
    let after = api.get("/service/tickets/5/tasks", &[]).await;
    assert_eq!(after.body.as_array().unwrap().len(), n + 1);
    let count = api
        .get(
            "/service/tickets/5/tasks/count",
            &[("conditions", "closedFlag=false")],
        )
        .await;
    assert!(count.body["count"].as_i64().unwrap() >= 1, "{}", count.text);

    let done = api
        .patch(
            &format!("/service/tickets/5/tasks/{id}"),
            json!([{"op": "replace", "path": "closedFlag", "value": true}]),
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.text);
    assert_eq!(done.body["closedFlag"], true);
    assert_eq!(done.body["notes"], "Swap the UPS battery");
    let one = api
        .get(
            &format!("/service/tickets/5/tasks/{id}"),
            &[("fields", "id,closedFlag")],
        )
        .await;
    assert_eq!(one.body, json!({"id": id, "closedFlag": true}));

    // A wrong type is refused and changes nothing.
    let bad = api
        .patch(
            &format!("/service/tickets/5/tasks/{id}"),
            json!([{"op": "replace", "path": "priority", "value": "high"}]),
        )
        .await;
    assert_eq!(bad.status, 400, "{}", bad.text);
    assert!(bad.text.contains("priority"), "{}", bad.text);
    let unknown = api
        .patch(
            &format!("/service/tickets/5/tasks/{id}"),
            json!([{"op": "replace", "path": "nope", "value": 1}]),
        )
        .await;
    assert_eq!(unknown.status, 400, "{}", unknown.text);

    // Technicians do not delete; the admin does.
    let refused = api.delete(&format!("/service/tickets/5/tasks/{id}")).await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    let gone = Api::new(&sim, "amorgan")
        .delete(&format!("/service/tickets/5/tasks/{id}"))
        .await;
    assert_eq!(gone.status, 204, "{}", gone.text);
    let missing = api
        .get(&format!("/service/tickets/5/tasks/{id}"), &[])
        .await;
    assert_eq!(missing.status, 404, "{}", missing.text);
    // Under a ticket that does not exist, nothing is there and nothing can be written.
    let orphan = api
        .post("/service/tickets/999999/tasks", json!({"notes": "x"}))
        .await;
    assert_eq!(orphan.status, 404, "{}", orphan.text);
}

#[tokio::test]
async fn generic_records_reference_real_ones_and_respect_roles() {
    let sim = start().await;
    let api = Api::new(&sim, "jchen");
    let sites = api.get("/company/companies/4/sites", &[]).await;
    assert_eq!(sites.status, 200, "{}", sites.text);
    assert_eq!(sites.body[0]["name"], "Main");
    assert_eq!(sites.body[0]["company"]["id"], 4, "{}", sites.text);
    // Invoices are accounting's: a technician is refused them, the admin reads them.
    let refused = api.get("/finance/invoices", &[("pageSize", "5")]).await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    let invoices = Api::new(&sim, "amorgan")
        .get("/finance/invoices", &[("pageSize", "5")])
        .await;
    assert_eq!(invoices.status, 200, "{}", invoices.text);
    for inv in invoices.body.as_array().unwrap() {
        let cid = inv["company"]["id"].as_i64().unwrap();
        let co = api.get(&format!("/company/companies/{cid}"), &[]).await;
        assert_eq!(co.status, 200, "invoice company {cid} exists");
        assert_eq!(co.body["name"], inv["company"]["name"]);
    }
    let sources = api
        .get("/service/sources", &[("conditions", "name='Monitoring'")])
        .await;
    assert_eq!(
        sources.body[0]["id"], 3,
        "the source generated alert tickets carry"
    );
    // A read-only API member reads but cannot write.
    let ro = Api::new(&sim, "apireader");
    assert_eq!(ro.get("/service/teams", &[]).await.status, 200);
    let refused = ro.post("/service/sources", json!({"name": "Fax"})).await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    // The contract gives service teams no POST.
    let no_post = api
        .post("/service/teams", json!({"name": "Night shift"}))
        .await;
    assert_eq!(no_post.status, 405, "{}", no_post.text);
}
