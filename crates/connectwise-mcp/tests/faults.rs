//! Never wrong under faults: a call has a deadline that retries do not outlast; a write cut
//! off by it goes on and a re-send gets its answer, with exactly one record made; a site that
//! keeps failing opens the circuit, so calls answer at once and send nothing, and it closes by
//! itself when the site is back. Checked in the simulator's request log and data.

mod common;

use std::time::{Duration, Instant};

use common::*;
use connectwise_mcp::auth::Role;
use connectwise_mcp::pipeline::Limits;
use cw_client::CircuitPolicy;
use cw_sim::hooks::{Fault, FaultAction};
use serde_json::json;

fn fault(method: &str, path: &str, action: FaultAction) -> Fault {
    Fault {
        method: Some(method.into()),
        path: Some(path.into()),
        action,
        times: None,
    }
}

fn deadline(secs: u64) -> Limits {
    Limits {
        deadline: Duration::from_secs(secs),
        ..Limits::all()
    }
}

#[tokio::test]
async fn a_slow_read_stops_at_the_deadline_and_says_so() {
    let sim = tenant(71).await;
    let c = client(pipeline(&sim, "jchen", deadline(1)), caller(Role::Viewer)).await;
    let tid = my_open_ticket(&sim, "jchen");
    sim.sim.hooks().add_fault(fault(
        "GET",
        "/service/tickets/*",
        FaultAction::Latency { ms: 8_000 },
    ));
    let started = Instant::now();
    let r = call(&c, "cw_get_ticket", json!({"ticket_id": tid}))
        .await
        .unwrap();
    // It answered long before ConnectWise would have.
    assert!(started.elapsed() < Duration::from_secs(6));
    assert_eq!(r.is_error, Some(true));
    let t = text(&r);
    assert!(t.contains("did not answer within 1 s"), "{t}");
    assert!(t.contains("Nothing was changed"), "{t}");
    assert!(!t.contains("may or may not"), "{t}");
}

#[tokio::test]
async fn a_write_cut_off_by_the_deadline_goes_on_and_a_resend_gets_its_answer() {
    let sim = tenant(72).await;
    let c = client(pipeline(&sim, "jchen", deadline(1)), caller(Role::Editor)).await;
    let tid = my_open_ticket(&sim, "jchen");
    let before = notes_on(&sim, tid);
    sim.sim.hooks().add_fault(Fault {
        times: Some(1),
        ..fault(
            "POST",
            "/service/tickets/*/notes",
            FaultAction::Latency { ms: 2_000 },
        )
    });
    let args = json!({"ticket_id": tid, "text": "Replaced the fuser unit."});
    let first = call(&c, "cw_add_ticket_note", args.clone()).await.unwrap();
    assert_eq!(first.is_error, Some(true));
    assert!(text(&first).contains("not known yet"), "{}", text(&first));
    assert!(text(&first).contains("again with the same arguments"));
    // A moment later the re-send gets the first write's answer instead of making a second.
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let again = call(&c, "cw_add_ticket_note", args).await.unwrap();
    assert_ne!(again.is_error, Some(true), "{}", text(&again));
    assert!(text(&again).starts_with("Already done"), "{}", text(&again));
    assert_eq!(notes_on(&sim, tid), before + 1, "exactly one note");
    let posts = writes(&sim).len();
    assert_eq!(posts, 1, "one POST reached ConnectWise");
}

#[tokio::test]
async fn a_site_that_keeps_failing_opens_the_circuit_and_recovers_by_itself() {
    let sim = tenant(73).await;
    let p = pipeline_with(&sim, "jchen", Limits::all(), |cfg| {
        cfg.circuit = CircuitPolicy {
            failures: 3,
            open_for: Duration::from_millis(1_500),
        };
        cfg.retry.max_retries = 0;
    });
    let c = client(p, caller(Role::Editor)).await;
    let tid = my_open_ticket(&sim, "jchen");
    sim.sim.hooks().add_fault(fault(
        "GET",
        "/**",
        FaultAction::Status {
            status: 503,
            retry_after: None,
        },
    ));
    for _ in 0..3 {
        let r = call(&c, "cw_search_companies", json!({"text": "a"}))
            .await
            .unwrap();
        assert_eq!(r.is_error, Some(true));
    }
    // Open: answers at once, sends nothing, and says why; a write is not sent either.
    sim.sim.hooks().clear_requests();
    let r = call(&c, "cw_search_companies", json!({"text": "a"}))
        .await
        .unwrap();
    let t = text(&r);
    assert!(t.contains("ConnectWise is unreachable"), "{t}");
    assert!(t.contains("503"), "the last error is named: {t}");
    let w = call(
        &c,
        "cw_add_ticket_note",
        json!({"ticket_id": tid, "text": "x"}),
    )
    .await
    .unwrap();
    assert!(text(&w).contains("nothing was sent"), "{}", text(&w));
    assert!(
        sim.sim.hooks().requests().is_empty(),
        "nothing reached ConnectWise"
    );

    // The site comes back; after the pause one probe goes out and the circuit closes.
    sim.sim.hooks().clear_faults();
    tokio::time::sleep(Duration::from_millis(1_700)).await;
    let r = call(&c, "cw_search_companies", json!({"text": "a"}))
        .await
        .unwrap();
    assert_ne!(r.is_error, Some(true), "{}", text(&r));
    let r = call(&c, "cw_get_ticket", json!({"ticket_id": tid}))
        .await
        .unwrap();
    assert_ne!(r.is_error, Some(true), "{}", text(&r));
}
