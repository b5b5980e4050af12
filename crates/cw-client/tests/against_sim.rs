//! The client against the simulated tenant over real HTTP: discovery, auth, paging, errors,
//! retries (GET only), and codebase re-discovery.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice
)]

use std::net::SocketAddr;
use std::time::Duration;

use cw_client::endpoints;
use cw_client::models::{NewNote, Note, Ticket};
use cw_client::{CallStats, Config, Credentials, Error, ListQuery, Site, Upstream};
use cw_conditions::Field;
use cw_sim::{Fault, FaultAction, RunningSim, Sim, TenantSpec};

async fn sim() -> RunningSim {
    let spec = TenantSpec {
        seed: 5,
        tickets: 300,
        anchor: chrono::DateTime::from_timestamp(1_795_100_400, 0).unwrap(),
    };
    Sim::generate(&spec)
        .start(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap()
}

fn client_for(sim: &RunningSim, member: &str) -> cw_client::CwClient {
    client_with(sim, member, |_| {})
}

fn client_with(
    sim: &RunningSim,
    member: &str,
    tune: impl FnOnce(&mut Config),
) -> cw_client::CwClient {
    let creds = sim.credentials();
    let mut cfg = Config::new(
        Site::parse(creds["site"].as_str().unwrap()).unwrap(),
        "harborview",
        creds["clientId"].as_str().unwrap(),
    );
    cfg.retry.base = Duration::from_millis(20);
    cfg.retry.cap = Duration::from_millis(80);
    tune(&mut cfg);
    Upstream::new(cfg)
        .unwrap()
        .client(sim_credentials(sim, member))
}

#[tokio::test]
async fn discovers_the_codebase_and_pages_with_exact_has_more() {
    let sim = sim().await;
    let c = client_for(&sim, "jchen");
    assert_eq!(c.upstream().codebase().await, "v2025_1/");
    let q = ListQuery::new()
        .conditions(Field::new("closedFlag").unwrap().eq(true))
        .fields(Ticket::FIELDS)
        .page(1, 10);
    let page = c.list::<Ticket>(endpoints::TICKETS, &[], &q).await.unwrap();
    assert_eq!(page.items.len(), 10);
    assert!(page.has_more);
    let total = c
        .count(endpoints::TICKETS_COUNT, &[], q.conditions.as_ref())
        .await
        .unwrap();
    let last = (total as u32).div_ceil(10);
    let end = c
        .list::<Ticket>(endpoints::TICKETS, &[], &q.clone().page(last, 10))
        .await
        .unwrap();
    assert!(!end.has_more);
    assert!(!end.items.is_empty());
    let log = sim.sim.hooks().requests();
    let list = log.iter().find(|r| r.path == "/service/tickets").unwrap();
    assert_eq!(
        list.param("fields"),
        Some(Ticket::FIELDS),
        "only the fields shown are fetched"
    );
    assert_eq!(list.member.as_deref(), Some("jchen"));
}

#[tokio::test]
async fn long_ticket_filters_go_by_post_search() {
    let sim = sim().await;
    let c = client_for(&sim, "jchen");
    let ids: Vec<i64> = (1..=400).collect();
    let q = ListQuery::new()
        .conditions(Field::new("id").unwrap().is_in(ids).unwrap())
        .fields("id")
        .page(1, 1000);
    let page = c.list::<Ticket>(endpoints::TICKETS, &[], &q).await.unwrap();
    assert_eq!(page.items.len(), 300);
    assert!(sim
        .sim
        .hooks()
        .requests()
        .iter()
        .any(|r| r.method == "POST" && r.path == "/service/tickets/search"));
}

#[tokio::test]
async fn errors_keep_connectwise_code_message_and_fields() {
    let sim = sim().await;
    let c = client_for(&sim, "jchen");
    let tid = c
        .list::<Ticket>(
            endpoints::TICKETS,
            &[],
            &ListQuery::new().fields("id").page(1, 1),
        )
        .await
        .unwrap()
        .items[0]
        .id
        .unwrap();
    let e = c
        .create::<Note>(
            endpoints::TICKET_NOTE_CREATE,
            &[tid],
            &NewNote {
                text: "x".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    let Error::Api(a) = &e else { panic!("{e:?}") };
    assert_eq!((a.status, a.code.as_str()), (400, "InvalidObject"));
    assert_eq!(a.errors[0].field.as_deref(), Some("detailDescriptionFlag"));
    assert!(e
        .to_string()
        .contains("Please choose where to display the notes"));
    assert!(e.hint().contains("fix the field"));
    let bad = Upstream::new(c.upstream().cfg.clone())
        .unwrap()
        .client(Credentials::new("nope", "nope", None));
    let e = bad.system_info().await.unwrap_err();
    assert_eq!(e.status(), Some(401));
    assert!(e.hint().contains("public and private keys"));
    assert!(!e.to_string().contains("nope"), "no key in the error: {e}");
}

#[tokio::test]
async fn gets_are_retried_honouring_retry_after_and_writes_are_not() {
    let sim = sim().await;
    let c = client_for(&sim, "jchen");
    c.system_info().await.unwrap();
    sim.sim.hooks().clear_requests();
    sim.sim.hooks().add_fault(Fault {
        method: Some("GET".into()),
        path: Some("/system/info".into()),
        action: FaultAction::Status {
            status: 429,
            retry_after: Some(1),
        },
        times: Some(1),
    });
    sim.sim.hooks().add_fault(Fault {
        method: Some("GET".into()),
        path: Some("/system/info".into()),
        action: FaultAction::Status {
            status: 503,
            retry_after: None,
        },
        times: Some(1),
    });
    let started = std::time::Instant::now();
    c.system_info().await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After was honoured"
    );
    assert_eq!(sim.sim.hooks().requests().len(), 3);
    // A dropped connection on a GET is retried.
    sim.sim.hooks().add_fault(Fault {
        method: Some("GET".into()),
        path: Some("/system/info".into()),
        action: FaultAction::DropBefore,
        times: Some(1),
    });
    c.system_info().await.unwrap();
    // A failing POST is sent once and reported.
    sim.sim.hooks().clear_requests();
    sim.sim.hooks().add_fault(Fault {
        method: Some("POST".into()),
        path: None,
        action: FaultAction::Status {
            status: 503,
            retry_after: None,
        },
        times: Some(5),
    });
    let tid = 1;
    let e = c
        .create::<Note>(
            endpoints::TICKET_NOTE_CREATE,
            &[tid],
            &NewNote {
                text: "x".into(),
                internal_analysis_flag: true,
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(503));
    assert_eq!(
        sim.sim
            .hooks()
            .requests()
            .iter()
            .filter(|r| r.method == "POST")
            .count(),
        1
    );
    sim.sim.hooks().clear_faults();
    // A write whose connection drops after the commit is reported as possibly sent.
    sim.sim.hooks().add_fault(Fault {
        method: Some("POST".into()),
        path: None,
        action: FaultAction::DropAfter,
        times: Some(1),
    });
    let e = c
        .create::<Note>(
            endpoints::TICKET_NOTE_CREATE,
            &[tid],
            &NewNote {
                text: "y".into(),
                internal_analysis_flag: true,
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::Transport {
                maybe_sent: true,
                ..
            }
        ),
        "{e:?} {:?}",
        sim.sim
            .hooks()
            .requests()
            .iter()
            .map(|r| (r.method.clone(), r.status, r.dropped))
            .collect::<Vec<_>>()
    );
    // A Retry-After beyond the cap is not waited out.
    sim.sim.hooks().add_fault(Fault {
        method: Some("GET".into()),
        path: None,
        action: FaultAction::Status {
            status: 429,
            retry_after: Some(600),
        },
        times: Some(1),
    });
    let started = std::time::Instant::now();
    let e = c.system_info().await.unwrap_err();
    assert_eq!(e.status(), Some(429));
    assert!(started.elapsed() < Duration::from_secs(30));
    assert!(e.hint().contains("600 seconds"));
}

#[tokio::test]
async fn a_moved_codebase_is_rediscovered_once() {
    let sim = sim().await;
    let c = client_for(&sim, "jchen");
    assert_eq!(c.upstream().codebase().await, "v2025_1/");
    // The tenant upgrades: company info now names another codebase, and the old one 404s.
    sim.sim.tenant_mut().codebase = "v2026_2/".into();
    sim.sim.hooks().add_fault(Fault {
        method: None,
        path: Some("/system/info".into()),
        action: FaultAction::Status {
            status: 404,
            retry_after: None,
        },
        times: Some(1),
    });
    c.system_info().await.unwrap();
    assert_eq!(c.upstream().codebase().await, "v2026_2/");
}

#[tokio::test]
async fn my_account_is_optional() {
    let sim = sim().await;
    let c = client_for(&sim, "psharma");
    assert_eq!(
        c.my_account().await.unwrap().unwrap().identifier.as_deref(),
        Some("psharma")
    );
    sim.sim.tenant_mut().my_account_enabled = false;
    assert!(c.my_account().await.unwrap().is_none());
}

#[tokio::test]
async fn forward_only_paging_walks_every_record_by_id() {
    let sim = sim().await;
    let c = client_for(&sim, "amorgan");
    let q = ListQuery::new()
        .conditions(Field::new("closedFlag").unwrap().eq(true))
        .fields("id")
        .page(1, 50);
    let all = c
        .list_forward::<Ticket>(endpoints::TICKETS, &[], &q, usize::MAX)
        .await
        .unwrap();
    let total = c
        .count(endpoints::TICKETS_COUNT, &[], q.conditions.as_ref())
        .await
        .unwrap();
    assert_eq!(all.len() as u64, total);
    let ids: Vec<i64> = all.iter().map(|t| t.id.unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "by id, no repeats");
    let log = sim.sim.hooks().requests();
    let pages: Vec<_> = log
        .iter()
        .filter(|r| r.path == "/service/tickets")
        .collect();
    assert_eq!(pages.len() as u64, total.div_ceil(50).max(1));
    assert!(pages[1..]
        .iter()
        .all(|r| r.param("pageId").is_some() && r.param("page").is_none()));
    let capped = c
        .list_forward::<Ticket>(endpoints::TICKETS, &[], &q, 60)
        .await
        .unwrap();
    assert_eq!(capped.len(), 60);
}

#[tokio::test]
async fn a_call_counts_what_it_sent_retries_included_and_learns_the_server_clock() {
    let sim = sim().await;
    let stats = std::sync::Arc::new(CallStats::default());
    let c = client_for(&sim, "jchen").observed(stats.clone());
    c.system_info().await.unwrap();
    assert_eq!((stats.requests(), stats.last_status()), (1, Some(200)));
    sim.sim.hooks().add_fault(Fault {
        method: Some("GET".into()),
        path: Some("/system/info".into()),
        action: FaultAction::Status {
            status: 503,
            retry_after: None,
        },
        times: Some(1),
    });
    c.system_info().await.unwrap();
    assert_eq!(stats.requests(), 3, "the retry is counted");
    let skew = (c.upstream().server_now() - chrono::Utc::now())
        .num_seconds()
        .abs();
    assert!(skew <= 1, "the simulator shares our clock: {skew}");
}

#[tokio::test]
async fn one_key_has_at_most_its_cap_in_flight_and_other_keys_are_not_held_up() {
    let sim = sim().await;
    let a = client_with(&sim, "jchen", |c| c.max_in_flight = 3);
    // Another key through the same site (same pool, same caps).
    let b = a.upstream().client(sim_credentials(&sim, "psharma"));
    a.system_info().await.unwrap();
    sim.sim.hooks().clear_requests();
    sim.sim.hooks().add_fault(Fault {
        method: Some("GET".into()),
        path: Some("/system/info".into()),
        action: FaultAction::Latency { ms: 60 },
        times: Some(40),
    });
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..24 {
        let a = a.clone();
        set.spawn(async move { a.system_info().await.map(|_| ()) });
    }
    tokio::time::sleep(Duration::from_millis(20)).await;
    b.system_info().await.unwrap();
    while let Some(r) = set.join_next().await {
        r.unwrap().unwrap();
    }
    let peak = sim.sim.hooks().peak_in_flight();
    assert!(
        peak <= 4,
        "at most 3 for one key plus 1 for the other, saw {peak}"
    );
    assert!(peak >= 3, "the cap is used, saw {peak}");
    // The other key's request was answered while the first key's were still queued: it did
    // not wait behind them (the log lists requests as they are answered).
    let order: Vec<String> = sim
        .sim
        .hooks()
        .requests()
        .iter()
        .filter_map(|r| r.member.clone())
        .collect();
    let at = order.iter().position(|m| m == "psharma").unwrap();
    assert!(at < 12, "answered as #{at} of {}", order.len());
}

fn sim_credentials(sim: &RunningSim, member: &str) -> Credentials {
    let creds = sim.credentials();
    let m = creds["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["identifier"] == member)
        .unwrap()
        .clone();
    Credentials::new(
        m["publicKey"].as_str().unwrap(),
        m["privateKey"].as_str().unwrap(),
        Some(member),
    )
}
