//! List parameters: conditions and their errors, child and custom-field conditions, orderBy,
//! fields, paging with Link headers, forward-only paging, counts and POST search.
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

fn ids(r: &Resp) -> Vec<i64> {
    r.body
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn conditions_filter_case_insensitively_with_nested_references() {
    let sim = start().await;
    let api = Api::new(&sim, "jchen");
    let r = api
        .get(
            "/service/tickets",
            &[
                (
                    "conditions",
                    "Owner/Identifier = 'JCHEN' AND ClosedFlag = False",
                ),
                ("pageSize", "1000"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let tickets = r.body.as_array().unwrap();
    assert!(!tickets.is_empty());
    assert!(tickets
        .iter()
        .all(|t| t["owner"]["identifier"] == "jchen" && t["closedFlag"] == false));
    let count = api
        .get(
            "/service/tickets/count",
            &[(
                "conditions",
                "owner/identifier='jchen' and closedFlag=false",
            )],
        )
        .await;
    assert_eq!(
        count.body["count"].as_u64().unwrap() as usize,
        tickets.len()
    );
    // Dates, `in`, `like`, `not contains`, and the documented `lastUpdated` alias of `_info`.
    let r = api
        .get("/service/tickets", &[("conditions", "lastUpdated > [2026-11-01T00:00:00Z] and priority/id in (1, 2) and summary not contains \"ALERT\" and board/name like 'Help%'"), ("pageSize", "1000")])
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    for t in r.body.as_array().unwrap() {
        assert!(t["_info"]["lastUpdated"].as_str().unwrap() > "2026-11-01T00:00:00Z");
        assert!([1, 2].contains(&t["priority"]["id"].as_i64().unwrap()));
        assert!(!t["summary"].as_str().unwrap().contains("ALERT"));
        assert_eq!(t["board"]["name"], "Help Desk");
    }
}

#[tokio::test]
async fn bad_conditions_get_the_connectwise_errors() {
    let sim = start().await;
    let api = Api::new(&sim, "jchen");
    let r = api
        .get(
            "/service/tickets",
            &[("conditions", "invoiceDate > [2024-01-01]")],
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body,
        json!({"code": "ApiFindCondition", "message": "invoiceDate is not a recognized name.", "errors": null})
    );
    // The real serializer escapes `/`; clients must decode it.
    let r = api
        .get("/service/boards", &[("conditions", "board/name = 'x'")])
        .await;
    assert!(
        r.text.contains(r#"board\/name is not a recognized name."#),
        "{}",
        r.text
    );
    let r = api
        .get(
            "/company/contacts",
            &[("conditions", "communicationItems/value = 'a@b.c'")],
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body["message"]
        .as_str()
        .unwrap()
        .contains("childConditions"));
    let r = api
        .get(
            "/service/tickets",
            &[("conditions", "summary = 'unterminated")],
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["code"], "ApiFindCondition");
    assert!(r.body["message"].as_str().unwrap().contains("position"));
    let r = api
        .get(
            "/service/tickets",
            &[("conditions", "severity = 'Catastrophic'")],
        )
        .await;
    assert_eq!(r.body["message"], "Enum value supplied was invalid");
    let r = api
        .get(
            "/service/tickets/1/notes",
            &[("conditions", "noteType = 'TicketNote'")],
        )
        .await;
    assert_eq!(r.status, 400);
    // A second `conditions` is refused, so smuggled parameters cannot widen a query.
    let r = api
        .get(
            "/service/tickets",
            &[("conditions", "id = 1"), ("conditions", "id > 0")],
        )
        .await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn child_conditions_find_contacts_by_email_on_one_item() {
    let sim = start().await;
    let api = Api::new(&sim, "jchen");
    let c = api.get("/company/contacts/1", &[]).await;
    let email = c.body["communicationItems"][0]["value"]
        .as_str()
        .unwrap()
        .to_string();
    let cond = format!(
        "communicationItems/value = \"{}\" AND communicationItems/communicationType = \"Email\"",
        email.to_uppercase()
    );
    let r = api
        .get("/company/contacts", &[("childConditions", cond.as_str())])
        .await;
    assert_eq!(ids(&r), vec![1], "{}", r.text);
    // The email and a phone type on *different* items do not match together.
    let cond = format!("communicationItems/value = \"{email}\" AND communicationItems/communicationType = \"Phone\"");
    assert!(ids(&api
        .get("/company/contacts", &[("childConditions", cond.as_str())])
        .await)
    .is_empty());
    // childConditions on a plain field is refused.
    let r = api
        .get(
            "/company/contacts",
            &[("childConditions", "firstName = 'x'")],
        )
        .await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn order_by_and_fields_shape_the_result() {
    let sim = start().await;
    let api = Api::new(&sim, "jchen");
    let r = api
        .get(
            "/company/companies",
            &[
                ("orderBy", "name desc"),
                ("fields", "id,name,status/name"),
                ("pageSize", "1000"),
            ],
        )
        .await;
    let names: Vec<String> = r
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_lowercase())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    sorted.reverse();
    assert_eq!(names, sorted);
    let first = r.body[0].as_object().unwrap();
    let keys: Vec<&String> = first.keys().collect();
    assert_eq!(keys, vec!["id", "name", "status"]);
    assert_eq!(
        first["status"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        vec!["name"]
    );
    let bad = api
        .get("/company/companies", &[("orderBy", "nme asc")])
        .await;
    assert_eq!(bad.status, 400);
}

#[tokio::test]
async fn navigable_paging_defaults_to_25_clamps_to_1000_and_links_like_connectwise() {
    let sim = start().await;
    let api = Api::new(&sim, "amorgan");
    let r = api
        .get("/service/tickets", &[("conditions", "closedFlag = true")])
        .await;
    assert_eq!(r.body.as_array().unwrap().len(), 25);
    let link = r
        .header("link")
        .expect("a Link header on a multi-page list")
        .to_string();
    // The shape a widely used client parses: page last, then `>; rel="…"`.
    let re: Vec<(u32, String)> = link
        .split(", ")
        .map(|part| {
            let (url, rel) = part.split_once(">; rel=\"").unwrap();
            let page = url.rsplit_once("page=").unwrap().1.parse().unwrap();
            (page, rel.trim_end_matches('"').to_string())
        })
        .collect();
    assert_eq!(re[0], (2, "next".to_string()));
    assert_eq!(re[1].1, "last");
    assert!(
        link.contains("conditions=closedFlag%20%3D%20true"),
        "{link}"
    );
    let last_page = re[1].0.to_string();
    let last = api
        .get(
            "/service/tickets",
            &[("conditions", "closedFlag = true"), ("page", &last_page)],
        )
        .await;
    let lh = last.header("link").unwrap();
    assert!(
        lh.contains("rel=\"first\"") && lh.contains("rel=\"prev\"") && !lh.contains("rel=\"next\"")
    );
    let past = api.get("/service/tickets", &[("page", "9999")]).await;
    assert_eq!(past.status, 200);
    assert_eq!(past.body, json!([]));
    let big = api.get("/service/tickets/notes", &[]).await;
    assert_eq!(big.status, 400, "`notes` is not a ticket id");
    let all = api.get("/service/tickets", &[("pageSize", "5000")]).await;
    assert_eq!(all.body.as_array().unwrap().len(), 600);
    assert!(
        api.get("/time/entries", &[("pageSize", "5000")])
            .await
            .body
            .as_array()
            .unwrap()
            .len()
            <= 1000
    );
    assert_eq!(
        api.get("/service/tickets", &[("pageSize", "abc")])
            .await
            .status,
        400
    );
    let one = api.get("/service/priorities", &[("pageSize", "100")]).await;
    assert!(one.header("link").is_none());
}

#[tokio::test]
async fn forward_only_paging_walks_ids_and_ends_with_an_empty_link() {
    let sim = start().await;
    let api = Api::new(&sim, "amorgan").with_header("pagination-type", "forward-only");
    let mut seen = Vec::new();
    let mut page_id: Option<String> = None;
    for _ in 0..100 {
        let mut q = vec![("pageSize", "200")];
        if let Some(p) = page_id.as_deref() {
            q.push(("pageId", p));
        }
        let r = api.get("/service/tickets", &q).await;
        assert_eq!(r.status, 200, "{}", r.text);
        seen.extend(ids(&r));
        let link = r
            .header("link")
            .expect("forward-only always sends Link")
            .to_string();
        if link.is_empty() {
            break;
        }
        let next = link
            .split(';')
            .next()
            .unwrap()
            .trim_matches(|c| c == '<' || c == '>')
            .to_string();
        page_id = Some(next.rsplit_once("pageId=").unwrap().1.to_string());
    }
    let expected: Vec<i64> = (1..=600).collect();
    assert_eq!(seen, expected);
    let r = api.get("/service/tickets", &[("orderBy", "id desc")]).await;
    assert_eq!(
        r.status, 400,
        "orderBy cannot be combined with forward-only"
    );
}

#[tokio::test]
async fn post_search_takes_conditions_in_the_body() {
    let sim = start().await;
    let api = Api::new(&sim, "jchen");
    let long: String = (1..=400)
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let r = api
        .send(
            "POST",
            "/service/tickets/search",
            &[("pageSize", "1000"), ("fields", "id")],
            Some(json!({"conditions": format!("id in ({long})"), "orderBy": "id desc"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let got = ids(&r);
    assert_eq!(got.len(), 400);
    assert_eq!(got[0], 400);
    assert_eq!(r.body[0], json!({"id": 400}));
}

#[tokio::test]
async fn all_notes_mixes_ticket_and_time_entry_notes() {
    let sim = start().await;
    let api = Api::new(&sim, "jchen");
    let entries = api
        .get(
            "/time/entries",
            &[("conditions", "chargeToType = 'ServiceTicket'")],
        )
        .await;
    let tid = entries.body[0]["chargeToId"].as_i64().unwrap();
    let r = api
        .get(&format!("/service/tickets/{tid}/allNotes"), &[])
        .await;
    let types: Vec<&str> = r
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["noteType"].as_str().unwrap())
        .collect();
    assert!(
        types.contains(&"TicketNote") && types.contains(&"TimeEntryNote"),
        "{types:?}"
    );
    let configs = api
        .get(&format!("/service/tickets/{tid}/configurations"), &[])
        .await;
    assert_eq!(configs.status, 200);
    let v: &Value = &configs.body;
    assert!(v.as_array().is_some());
}

#[tokio::test]
async fn indexed_reads_see_every_write() {
    // A ticket's notes and time are found by index; the index must follow the writes.
    let sim = start().await;
    let api = Api::new(&sim, "jchen");
    let mine = api
        .get(
            "/service/tickets",
            &[(
                "conditions",
                "owner/identifier = 'jchen' and closedFlag = false",
            )],
        )
        .await;
    let tid = mine.body[0]["id"].as_i64().unwrap();
    let by_ticket = format!("chargeToType = 'ServiceTicket' and chargeToId = {tid}");
    let counts = || async {
        let all = api
            .get(&format!("/service/tickets/{tid}/allNotes"), &[])
            .await;
        let notes = api
            .get(&format!("/service/tickets/{tid}/notes/count"), &[])
            .await;
        let time = api
            .get("/time/entries/count", &[("conditions", by_ticket.as_str())])
            .await;
        (
            all.body.as_array().unwrap().len(),
            notes.body["count"].as_i64().unwrap(),
            time.body["count"].as_i64().unwrap(),
        )
    };
    let before = counts().await;
    let note = api
        .post(
            &format!("/service/tickets/{tid}/notes"),
            json!({"text": "Indexed?", "internalAnalysisFlag": true, "processNotifications": false}),
        )
        .await;
    assert_eq!(note.status, 201, "{}", note.text);
    let entry = api
        .post(
            "/time/entries",
            json!({"chargeToId": tid, "chargeToType": "ServiceTicket", "timeStart": "2026-11-18T09:00:00Z",
                   "actualHours": 0.5, "notes": "Worked on it", "billableOption": "Billable"}),
        )
        .await;
    assert_eq!(entry.status, 201, "{}", entry.text);
    let after = counts().await;
    assert_eq!(after, (before.0 + 2, before.1 + 1, before.2 + 1));
    // The same filter in another spelling and order finds the same records.
    let other = api
        .get(
            "/time/entries",
            &[(
                "conditions",
                &format!("ChargeToID = {tid} and chargetotype = 'ServiceTicket'"),
            )],
        )
        .await;
    assert_eq!(other.body.as_array().unwrap().len() as i64, after.2);
}
