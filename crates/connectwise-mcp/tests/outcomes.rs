//! Every call ends in an outcome with its own kind, its upstream cost and its duration; the
//! kind tells apart what the caller got wrong, what ConnectWise refused or failed at, and a
//! write that was confirmed not made.

mod common;

use std::sync::Arc;

use common::*;
use connectwise_mcp::auth::{Caller, Role};
use connectwise_mcp::errors::OutcomeKind;
use connectwise_mcp::pipeline::{Parts, Pipeline};
use cw_client::Credentials;
use cw_sim::{Fault, FaultAction};
use serde_json::json;

#[tokio::test]
async fn each_way_a_call_ends_has_its_kind() {
    let sim = tenant(41).await;
    let p = pipeline(&sim, "jchen", open());
    let editor = caller(Role::Editor);
    let kind = |o: &connectwise_mcp::outcome::Outcome| o.kind();

    let ok = p.call(&editor, "cw_list_priorities", args(json!({}))).await;
    assert_eq!(kind(&ok), OutcomeKind::Ok);
    assert!(ok.upstream_requests >= 1 && ok.upstream_status == Some(200));

    let unknown = p
        .call(&editor, "cw_delete_everything", args(json!({})))
        .await;
    assert_eq!(kind(&unknown), OutcomeKind::UnknownTool);
    assert_eq!(unknown.upstream_requests, 0);

    let bad = p
        .call(&editor, "cw_search_tickets", args(json!({"summry": "x"})))
        .await;
    assert_eq!(kind(&bad), OutcomeKind::InvalidArguments);
    assert_eq!(bad.upstream_requests, 0, "nothing is asked of ConnectWise");

    let missing = p
        .call(
            &editor,
            "cw_get_ticket",
            args(json!({"ticket_id": 99_999_999})),
        )
        .await;
    assert_eq!(kind(&missing), OutcomeKind::NotFound);
    assert_eq!(missing.upstream_status, Some(404));

    // Last week's sheet is approved: ConnectWise refuses the time, with its own message.
    let tid = my_open_ticket(&sim, "jchen");
    let last_week = (chrono::Utc::now() - chrono::Duration::days(8))
        .format("%Y-%m-%dT10:00:00Z")
        .to_string();
    let refused = p
        .call(
            &editor,
            "cw_create_time_entry",
            args(json!({"ticket_id": tid, "start": last_week, "duration_minutes": 30})),
        )
        .await;
    assert_eq!(kind(&refused), OutcomeKind::UpstreamRefused);
    let msg = refused.result.unwrap_err().to_string();
    assert!(msg.contains("What to do") && !msg.contains(". ."), "{msg}");

    // A member whose role may not add notes.
    let reader = Caller {
        creds: Some(keys(&sim, "apireader")),
        ..caller(Role::Editor)
    };
    let forbidden = p
        .call(
            &reader,
            "cw_add_ticket_note",
            args(json!({"ticket_id": tid, "text": "x"})),
        )
        .await;
    assert_eq!(kind(&forbidden), OutcomeKind::UpstreamForbidden);

    let wrong = Caller {
        creds: Some(Credentials::new("nobody", "wrong-key", Some("jchen"))),
        ..caller(Role::Editor)
    };
    let auth = p.call(&wrong, "cw_my_tickets", args(json!({}))).await;
    assert_eq!(kind(&auth), OutcomeKind::UpstreamAuth);
    assert!(!auth.result.unwrap_err().to_string().contains("wrong-key"));

    // ConnectWise asks us to wait longer than a call may: not waited out.
    sim.sim.hooks().add_fault(Fault {
        method: Some("GET".into()),
        path: Some("/service/priorities".into()),
        action: FaultAction::Status {
            status: 429,
            retry_after: Some(600),
        },
        times: Some(1),
    });
    let limited = p
        .call(
            &Caller {
                creds: Some(keys(&sim, "psharma")),
                ..caller(Role::Viewer)
            },
            "cw_list_priorities",
            args(json!({})),
        )
        .await;
    assert_eq!(kind(&limited), OutcomeKind::RateLimited);

    // ConnectWise answers a note with a server error and did not make it: reading back
    // confirms it was not written.
    sim.sim.hooks().add_fault(Fault {
        method: Some("POST".into()),
        path: Some("/service/tickets/*/notes".into()),
        action: FaultAction::Status {
            status: 500,
            retry_after: None,
        },
        times: Some(1),
    });
    let before = notes_on(&sim, tid);
    let lost = p
        .call(
            &editor,
            "cw_add_ticket_note",
            args(json!({"ticket_id": tid, "text": "Lost on the way"})),
        )
        .await;
    assert_eq!(kind(&lost), OutcomeKind::NotWritten);
    assert_eq!(notes_on(&sim, tid), before);

    let again = p
        .call(
            &editor,
            "cw_add_ticket_note",
            args(json!({"ticket_id": tid, "text": "Twice"})),
        )
        .await;
    assert_eq!(kind(&again), OutcomeKind::Ok);
    let replay = p
        .call(
            &editor,
            "cw_add_ticket_note",
            args(json!({"ticket_id": tid, "text": "Twice"})),
        )
        .await;
    assert_eq!(kind(&replay), OutcomeKind::Replayed);
    assert_eq!(replay.upstream_requests, 0);
}

#[tokio::test]
async fn a_server_without_keys_says_how_to_set_them() {
    let sim = tenant(42).await;
    let with_keys = pipeline(&sim, "jchen", open());
    let _ = with_keys; // the helper builds with keys; this one has none
    let line = sim.credentials();
    let cfg = cw_client::Config::new(
        cw_client::Site::parse(&sim.site()).unwrap(),
        "harborview",
        line["clientId"].as_str().unwrap(),
    );
    let p = Pipeline::new(Parts {
        registry: connectwise_mcp::tools::Registry::psa(),
        shared: connectwise_mcp::context::Shared::new(chrono_tz::Tz::UTC),
        upstream: cw_client::Upstream::new(cfg).unwrap(),
        server_creds: None,
        limits: open(),
        replay: Arc::new(connectwise_mcp::replay::Local::new()),
        journal: Arc::new(connectwise_mcp::journal::Memory::default()),
        audit: Arc::new(connectwise_mcp::audit::LogLine),
    });
    let o = p
        .call(&caller(Role::Viewer), "cw_my_tickets", args(json!({})))
        .await;
    assert_eq!(o.kind(), OutcomeKind::Setup);
    assert!(o.result.unwrap_err().to_string().contains("CW_PUBLIC_KEY"));
}

#[tokio::test]
async fn over_mcp_tool_errors_are_results_and_unknown_tools_are_protocol_errors() {
    let sim = tenant(43).await;
    let c = client(pipeline(&sim, "jchen", open()), caller(Role::Editor)).await;
    let r = call(&c, "cw_get_ticket", json!({"ticket_id": 99_999_999}))
        .await
        .unwrap();
    assert_eq!(r.is_error, Some(true));
    assert!(text(&r).contains("does not exist"));
    let e = call(&c, "cw_no_such_tool", json!({})).await.unwrap_err();
    assert!(e.to_string().contains("tool not found"), "{e}");
}
