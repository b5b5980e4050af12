//! Proof of fidelity against ConnectWise's own contract data in `crates/cw-schema/data/contract/`:
//! every route served exists in the 2025.1 endpoint list, the embedded schemas match the
//! derived schema data, and every entity the simulator returns validates against its schema
//! (field names, types, nullability, date format, and the 2026.4 spec's enums).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice
)]

mod common;
use std::collections::{BTreeSet, HashMap};

use common::*;
use cw_sim::kind::Kind;
use cw_sim::routes::{routes, Action, OFF_CONTRACT};
use serde_json::{json, Value};

fn shared(file: &str) -> String {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../cw-schema/data/contract")
        .join(file);
    std::fs::read_to_string(&p).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (the contract data lives in crates/cw-schema/data/contract)",
            p.display()
        )
    })
}

fn endpoints() -> BTreeSet<(String, String)> {
    shared("endpoints-2025.1.tsv")
        .lines()
        .skip(1)
        .filter_map(|l| {
            let mut f = l.split('\t');
            Some((f.next()?.to_string(), f.next()?.to_string()))
        })
        .collect()
}

struct Contract {
    derived: Value,
    spec: Value,
}

impl Contract {
    fn load() -> Contract {
        Contract {
            derived: serde_json::from_str::<Value>(&shared("schemas-derived-2025.1.json")).unwrap()
                ["schemas"]
                .clone(),
            spec: serde_json::from_str::<Value>(&shared(
                "connectwise-manage-openapi-2026.4-GET-subset.json",
            ))
            .unwrap()["components"]["schemas"]
                .clone(),
        }
    }

    fn enums(&self, schema: &str, prop: &str) -> Option<Vec<String>> {
        let spec_name = if schema == "CompanyConfiguration" {
            "Configuration"
        } else {
            schema
        };
        self.spec[spec_name]["properties"][prop]["enum"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
    }

    /// Checks `v` against schema `name`; collects every violation with its path.
    fn check(&self, name: &str, v: &Value, at: &str, errs: &mut Vec<String>) {
        // Real tenants send `"errors": null` on most errors (recorded bodies in cw-api.md §5),
        // although the schema types the field as a non-nullable array.
        if name == "ErrorResponseMessage" && v["errors"].is_null() {
            let mut v = v.clone();
            v.as_object_mut().map(|o| o.remove("errors"));
            return self.check_inner(name, &v, at, errs);
        }
        self.check_inner(name, v, at, errs)
    }

    fn check_inner(&self, name: &str, v: &Value, at: &str, errs: &mut Vec<String>) {
        let Some(props) = self.derived[name]["properties"].as_object() else {
            errs.push(format!("{at}: no schema {name}"));
            return;
        };
        let Some(obj) = v.as_object() else {
            errs.push(format!("{at}: expected a {name} object, got {v}"));
            return;
        };
        for (k, val) in obj {
            let here = format!("{at}.{k}");
            let Some(t) = props.get(k).and_then(Value::as_str) else {
                errs.push(format!("{here}: not a field of {name}"));
                continue;
            };
            self.check_type(t, val, &here, errs);
            if let (Some(allowed), Some(s)) = (self.enums(name, k), val.as_str()) {
                if !allowed.iter().any(|a| a == s) {
                    errs.push(format!("{here}: {s:?} not in enum {allowed:?}"));
                }
            }
        }
    }

    fn check_type(&self, t: &str, val: &Value, at: &str, errs: &mut Vec<String>) {
        let nullable = t.ends_with("|null");
        let base = t.trim_end_matches("|null");
        if val.is_null() {
            if !nullable {
                errs.push(format!("{at}: null for non-nullable {t}"));
            }
            return;
        }
        let ok = match base {
            "integer" => val.is_i64(),
            "number" => val.is_number(),
            "string" => val.is_string(),
            "boolean" => val.is_boolean(),
            "object" => true,
            "date-time" => val.as_str().is_some_and(is_whole_second_utc),
            "object<string>" => val
                .as_object()
                .is_some_and(|o| o.values().all(Value::is_string)),
            b if b.starts_with("array<") => {
                let inner = &b[6..b.len() - 1];
                match val.as_array() {
                    Some(items) => {
                        for (i, item) in items.iter().enumerate() {
                            self.check_type(inner, item, &format!("{at}[{i}]"), errs);
                        }
                        true
                    }
                    None => false,
                }
            }
            b if b.starts_with(|c: char| c.is_ascii_uppercase()) => {
                self.check(b, val, at, errs);
                true
            }
            other => {
                errs.push(format!("{at}: unknown contract type {other}"));
                true
            }
        };
        if !ok {
            errs.push(format!("{at}: {val} is not {t}"));
        }
    }
}

fn is_whole_second_utc(s: &str) -> bool {
    s.len() == 20 && s.ends_with('Z') && chrono::DateTime::parse_from_rfc3339(s).is_ok()
}

#[test]
fn every_served_route_is_in_the_2025_1_contract() {
    let eps = endpoints();
    assert!(eps.len() > 3000, "the endpoint list is complete");
    let off: BTreeSet<(&str, &str)> = OFF_CONTRACT.iter().map(|(m, p, _)| (*m, *p)).collect();
    let mut missing = Vec::new();
    for (m, p, _) in routes() {
        if !eps.contains(&(m.to_string(), p.to_string())) && !off.contains(&(*m, *p)) {
            missing.push(format!("{m} {p}"));
        }
    }
    assert!(
        missing.is_empty(),
        "served but not in the contract: {missing:#?}"
    );
    for (m, p, why) in OFF_CONTRACT {
        assert!(
            routes().iter().any(|r| r.0 == *m && r.1 == *p),
            "{m} {p} listed as off-contract but not served"
        );
        assert!(
            !eps.contains(&(m.to_string(), p.to_string())),
            "{m} {p} is in the contract after all"
        );
        assert!(why.len() > 20);
    }
}

#[test]
fn embedded_schemas_match_the_contract_data() {
    let c = Contract::load();
    let embedded: HashMap<String, Value> =
        serde_json::from_str(include_str!("../../cw-schema/data/schemas.json")).unwrap();
    for (name, e) in &embedded {
        assert_eq!(
            e["properties"], c.derived[name]["properties"],
            "{name}: run scripts/gen-schemas.py"
        );
        assert_eq!(e["required"], c.derived[name]["required"], "{name}");
    }
    for k in Kind::ALL {
        assert!(embedded.contains_key(k.schema()), "{k:?}");
    }
}

/// A parent id that exists for child routes.
fn parent_for(pattern: &str) -> &'static str {
    if pattern.contains("{parentId}") {
        "1"
    } else {
        ""
    }
}

#[tokio::test]
async fn every_entity_returned_validates_against_its_schema() {
    let c = Contract::load();
    let sim = start().await;
    let api = Api::new(&sim, "amorgan");
    let mut errs = Vec::new();
    let mut checked = 0usize;
    for (m, pattern, action) in routes() {
        if *m != "GET" {
            continue;
        }
        let path = pattern.replace("{parentId}", parent_for(pattern));
        let (schema, list) = match action {
            Action::List(k) => (k.schema(), true),
            Action::Count(_) | Action::TicketConfigurationsCount => ("Count", false),
            Action::AllNotes => ("ServiceTicketNote", true),
            Action::ProjectAllNotes => ("ProjectTicketNote", true),
            Action::TicketConfigurations => ("ConfigurationReference", true),
            Action::SystemInfo => ("Info", false),
            Action::MyAccount => ("MyAccount", false),
            _ => continue,
        };
        let r = api.get(&path, &[("pageSize", "1000")]).await;
        assert_eq!(r.status, 200, "GET {path}: {}", r.text);
        if list {
            // Walk every page, so every stored record is checked.
            let mut all = r
                .body
                .as_array()
                .unwrap_or_else(|| panic!("GET {path} is not a list"))
                .clone();
            let mut page = 1;
            while all.len() == page * 1000 {
                page += 1;
                let next = api
                    .get(&path, &[("pageSize", "1000"), ("page", &page.to_string())])
                    .await;
                all.extend(next.body.as_array().unwrap().iter().cloned());
            }
            let items = &all;
            assert!(
                !items.is_empty() || path.contains("allNotes"),
                "GET {path} returned nothing to check"
            );
            for (i, item) in items.iter().enumerate() {
                c.check(schema, item, &format!("GET {path}[{i}]"), &mut errs);
                checked += 1;
            }
            // The single-record route returns the same shape.
            if let (Action::List(k), Some(first)) = (action, items.first()) {
                let one = api.get(&format!("{path}/{}", first["id"]), &[]).await;
                assert_eq!(one.status, 200, "{k:?} {path}/{}", first["id"]);
                c.check(schema, &one.body, &format!("GET {path}/{{id}}"), &mut errs);
            }
        } else {
            c.check(schema, &r.body, &format!("GET {path}"), &mut errs);
            checked += 1;
        }
    }
    assert!(
        errs.is_empty(),
        "{} contract violations, first ones:\n{}",
        errs.len(),
        errs[..errs.len().min(400)].join("\n")
    );
    let top_level: usize = Kind::ALL
        .iter()
        .filter(|k| k.parent_field().is_none())
        .map(|k| sim.sim.tenant().store.len(*k))
        .sum();
    assert!(
        checked >= top_level,
        "checked {checked} of {top_level} top-level records"
    );
}

#[tokio::test]
async fn written_records_and_error_bodies_validate_too() {
    let c = Contract::load();
    let sim = start().await;
    let api = Api::new(&sim, "jchen");
    let mut errs = Vec::new();
    let t = api.post("/service/tickets", json!({"summary": "Contract check", "company": {"id": 4}, "contact": {"id": sim.sim.tenant().store.table(Kind::Contact).values().find(|c| c["company"]["id"] == 4).unwrap()["id"]}})).await;
    assert_eq!(t.status, 201, "{}", t.text);
    c.check("Ticket", &t.body, "POST ticket", &mut errs);
    let tid = t.body["id"].as_i64().unwrap();
    let n = api
        .post(
            &format!("/service/tickets/{tid}/notes"),
            json!({"text": "n", "internalAnalysisFlag": true}),
        )
        .await;
    c.check("ServiceNote", &n.body, "POST note", &mut errs);
    let e = api.post("/time/entries", json!({"chargeToId": tid, "chargeToType": "ServiceTicket", "timeStart": "2026-11-18T09:00:00Z", "timeEnd": "2026-11-18T09:45:00Z"})).await;
    assert_eq!(e.status, 201, "{}", e.text);
    c.check("TimeEntry", &e.body, "POST time", &mut errs);
    let p = api.patch(&format!("/service/tickets/{tid}"), json!([{"op": "replace", "path": "status", "value": {"name": ">Closed"}}, {"op": "remove", "path": "contact"}])).await;
    assert_eq!(p.status, 200, "{}", p.text);
    c.check("Ticket", &p.body, "PATCH ticket", &mut errs);
    let bad = api
        .post(
            "/time/entries",
            json!({"timeStart": "2026-11-18T09:00:00.5Z"}),
        )
        .await;
    c.check("ErrorResponseMessage", &bad.body, "400", &mut errs);
    let invalid = api
        .post(
            &format!("/service/tickets/{tid}/notes"),
            json!({"text": "n"}),
        )
        .await;
    c.check(
        "ErrorResponseMessage",
        &invalid.body,
        "400 InvalidObject",
        &mut errs,
    );
    let sheet = e.body["timeSheet"]["id"].as_i64().unwrap();
    let s = api
        .post(&format!("/time/sheets/{sheet}/submit"), json!({}))
        .await;
    c.check("SuccessResponse", &s.body, "submit", &mut errs);
    assert!(errs.is_empty(), "{errs:#?}");
}

/// The 2025.1 path with every placeholder set to 1, as the walk does.
fn with_ones(path: &str) -> String {
    path.split('/')
        .map(|s| match s.find('{') {
            Some(i) => format!("{}1", &s[..i]),
            None => s.to_string(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test]
async fn every_documented_get_path_answers_as_the_contract_says() {
    let c = Contract::load();
    let sim = start().await;
    let api = Api::new(&sim, "amorgan");
    let mut errs = Vec::new();
    let mut shapes = std::collections::BTreeMap::<String, usize>::new();
    let gets: Vec<_> = cw_schema::endpoints()
        .iter()
        .filter(|e| e.method == "GET")
        .collect();
    assert_eq!(gets.len(), 1710);
    for e in gets {
        let path = with_ones(&e.path);
        let r = api.get(&path, &[]).await;
        let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
        let hand_made = matches!(
            cw_sim::routes::find("GET", &segs),
            cw_sim::routes::RouteMatch::Found { action, .. }
                if !matches!(action, Action::Contract(_) | Action::Linked(_))
        );
        if r.status == 404 && hand_made && e.path.ends_with("{id}") {
            // A hand-made record that id 1 does not name here (ticket 1 has no configuration
            // 1): the answer must still be ConnectWise's error.
            c.check(
                "ErrorResponseMessage",
                &r.body,
                &format!("GET {path}"),
                &mut errs,
            );
            *shapes.entry("absent".into()).or_default() += 1;
            continue;
        }
        if r.status != 200 {
            errs.push(format!("GET {path} ({}): {} {}", e.path, r.status, r.text));
            continue;
        }
        *shapes.entry(format!("{:?}", e.shape)).or_default() += 1;
        let schema = e.schema.as_deref().unwrap_or("");
        match e.shape {
            cw_schema::Shape::List => match r.body.as_array() {
                Some(items) => {
                    for (i, item) in items.iter().enumerate() {
                        c.check(schema, item, &format!("GET {path}[{i}]"), &mut errs);
                    }
                }
                None => errs.push(format!("GET {path}: not a list: {}", r.text)),
            },
            cw_schema::Shape::Count => {
                if !r.body["count"].is_i64() {
                    errs.push(format!("GET {path}: not a count: {}", r.text));
                }
            }
            cw_schema::Shape::Binary => {
                if r.text.is_empty() && r.headers.get("content-type").is_none() {
                    errs.push(format!("GET {path}: empty file"));
                }
            }
            _ => c.check(schema, &r.body, &format!("GET {path}"), &mut errs),
        }
    }
    assert!(
        errs.is_empty(),
        "{} of 1,710 GET paths fail the contract, first ones:\n{}",
        errs.len(),
        errs[..errs.len().min(60)].join("\n")
    );
    // Lists are not vacuous: most hold records to check; few records are absent.
    assert!(shapes.get("List").copied().unwrap_or(0) > 600, "{shapes:?}");
    assert!(
        shapes.get("absent").copied().unwrap_or(0) <= 3,
        "{shapes:?}"
    );
}

#[tokio::test]
async fn named_sub_collections_are_not_taken_for_ids() {
    let sim = start().await;
    let api = Api::new(&sim, "amorgan");
    for path in [
        "/company/companies/types",
        "/company/contacts/types",
        "/service/tickets/info",
        "/sales/opportunities/statuses",
        "/time/workTypes/info",
    ] {
        let r = api.get(path, &[]).await;
        assert_eq!(r.status, 200, "{path}: {}", r.text);
        assert!(
            r.body.as_array().is_some_and(|a| !a.is_empty()),
            "{path}: {}",
            r.text
        );
    }
    // An id that is not a number is still a 400 naming it.
    let r = api.get("/company/companies/abc", &[]).await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert!(r.text.contains("'abc' is not a valid id"), "{}", r.text);
}
