//! The generated tenant: deterministic, scalable, believable, and carrying hostile text.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice
)]

use cw_sim::kind::Kind;
use cw_sim::{generate, TenantSpec};
use serde_json::Value;

fn spec(seed: u64, tickets: usize) -> TenantSpec {
    TenantSpec {
        seed,
        tickets,
        anchor: chrono::DateTime::from_timestamp(1_795_100_400, 0).unwrap(),
    }
}

fn dump(t: &cw_sim::Tenant) -> String {
    let mut s = String::new();
    for k in Kind::ALL {
        s.push_str(&serde_json::to_string(&t.store.table(k).values().collect::<Vec<_>>()).unwrap());
    }
    s.push_str(&serde_json::to_string(&t.keys).unwrap());
    s
}

#[test]
fn same_seed_same_tenant_other_seed_other_tenant() {
    let a = generate(&spec(42, 300));
    let b = generate(&spec(42, 300));
    let c = generate(&spec(43, 300));
    assert_eq!(dump(&a), dump(&b));
    assert_ne!(dump(&a), dump(&c));
    assert_eq!(a.client_ids, b.client_ids);
}

#[test]
fn the_size_knob_scales_everything() {
    let small = generate(&spec(1, 600));
    let big = generate(&spec(1, 20_000));
    assert_eq!(small.store.len(Kind::Ticket), 600);
    assert_eq!(big.store.len(Kind::Ticket), 20_000);
    for k in [
        Kind::Company,
        Kind::Contact,
        Kind::Configuration,
        Kind::TicketNote,
        Kind::TimeEntry,
        Kind::Member,
    ] {
        assert!(big.store.len(k) > small.store.len(k), "{k:?}");
    }
    assert_eq!(TenantSpec::parse_scale("large"), Ok(100_000));
    assert_eq!(TenantSpec::parse_scale("1_000"), Ok(1000));
    assert!(TenantSpec::parse_scale("huge").is_err());
}

#[test]
fn a_believable_msp() {
    let t = generate(&spec(1, 600));
    let roles: Vec<&str> = t
        .store
        .table(Kind::Member)
        .values()
        .map(|m| m["securityRole"]["name"].as_str().unwrap())
        .collect();
    for r in [
        "Admin",
        "Dispatcher",
        "Technician",
        "API Read Only",
        "API Integration",
    ] {
        assert!(roles.contains(&r), "{r}");
    }
    assert_eq!(
        t.keys.len(),
        t.store.len(Kind::Member),
        "every member has API keys"
    );
    let statuses: Vec<(&str, bool)> = t
        .store
        .table(Kind::BoardStatus)
        .values()
        .map(|s| {
            (
                s["name"].as_str().unwrap(),
                s["closedStatus"].as_bool().unwrap(),
            )
        })
        .collect();
    assert!(
        statuses.contains(&(">Closed", true))
            && statuses.contains(&("Completed", true))
            && statuses.contains(&("New", false))
    );
    let open = t
        .store
        .table(Kind::Ticket)
        .values()
        .filter(|x| x["closedFlag"] == false)
        .count();
    assert!(open > 60 && open < 400, "{open} open tickets");
    let months: std::collections::BTreeSet<&str> = t
        .store
        .table(Kind::Ticket)
        .values()
        .map(|x| &x["_info"]["dateEntered"].as_str().unwrap()[..7])
        .collect();
    assert!(months.len() >= 6, "tickets spread over months: {months:?}");
    let sheets: Vec<&Value> = t.store.table(Kind::TimeSheet).values().collect();
    assert!(sheets.iter().any(|s| s["status"] == "Open"));
    assert!(
        sheets
            .iter()
            .filter(|s| s["status"] == "ApprovedByTierTwo")
            .count()
            > sheets.len() / 2
    );
    let by_contact = t
        .store
        .table(Kind::TicketNote)
        .values()
        .filter(|n| n["contact"].is_object())
        .count();
    let by_member = t
        .store
        .table(Kind::TicketNote)
        .values()
        .filter(|n| n["member"].is_object())
        .count();
    assert!(by_contact > 100 && by_member > 100);
    for k in [
        Kind::Opportunity,
        Kind::Agreement,
        Kind::Project,
        Kind::ProjectTicket,
        Kind::Activity,
        Kind::ScheduleEntry,
        Kind::Configuration,
    ] {
        assert!(t.store.len(k) > 0, "{k:?}");
    }
}

#[test]
fn customer_text_contains_the_hostile_cases_real_tickets_do() {
    let t = generate(&spec(1, 600));
    let texts: Vec<&str> = t
        .store
        .table(Kind::TicketNote)
        .values()
        .filter(|n| n["contact"].is_object())
        .map(|n| n["text"].as_str().unwrap())
        .collect();
    assert!(texts
        .iter()
        .any(|x| x.contains("Ignore all previous instructions")));
    assert!(texts.iter().any(|x| x.contains('\u{200b}')));
    assert!(texts.iter().any(|x| x.contains('\u{202e}')));
    assert!(texts.iter().any(|x| x.contains("<img src=x onerror")));
    assert!(texts.iter().any(|x| x.contains('\0')));
}

#[test]
fn some_tickets_have_a_second_resource() {
    let t = generate(&spec(1, 600));
    let shared = t
        .store
        .table(Kind::Ticket)
        .values()
        .filter(|x| x["resources"].as_str().is_some_and(|r| r.contains(", ")))
        .count();
    assert!(shared > 10, "{shared}");
}
