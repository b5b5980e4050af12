//! Fault injection and the request log, in-process and over the `/__sim/` HTTP control API.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice
)]

mod common;
use common::*;
use cw_sim::{Fault, FaultAction};
use serde_json::json;

#[tokio::test]
async fn status_faults_answer_like_connectwise_and_are_spent() {
    let sim = start().await;
    let api = Api::new(&sim, "jchen");
    sim.sim.hooks().add_fault(Fault {
        method: Some("GET".into()),
        path: Some("/service/tickets".into()),
        action: FaultAction::Status {
            status: 429,
            retry_after: Some(7),
        },
        times: Some(1),
    });
    let r = api.get("/service/tickets", &[]).await;
    assert_eq!(r.status, 429);
    assert_eq!(r.header("retry-after"), Some("7"));
    assert_eq!(
        r.body,
        json!({"error": "ConnectWiseAPI", "message": "Too many requests. Please try again in 7 seconds."})
    );
    assert_eq!(
        api.get("/service/tickets", &[]).await.status,
        200,
        "spent after one use"
    );
    sim.sim.hooks().add_fault(Fault {
        method: None,
        path: Some("/service/**".into()),
        action: FaultAction::Status {
            status: 503,
            retry_after: None,
        },
        times: Some(2),
    });
    assert_eq!(api.get("/service/boards", &[]).await.status, 503);
    assert_eq!(api.get("/service/tickets/1", &[]).await.status, 503);
    assert_eq!(api.get("/service/tickets/1", &[]).await.status, 200);
    // Queued faults hit successive requests in order; latency adds to whichever it meets.
    for status in [500, 502] {
        sim.sim.hooks().add_fault(Fault {
            method: None,
            path: None,
            action: FaultAction::Status {
                status,
                retry_after: None,
            },
            times: Some(1),
        });
    }
    assert_eq!(api.get("/service/boards", &[]).await.status, 500);
    assert_eq!(api.get("/service/boards", &[]).await.status, 502);
    assert_eq!(api.get("/service/boards", &[]).await.status, 200);
}

#[tokio::test]
async fn latency_delays_the_answer() {
    let sim = start().await;
    let api = Api::new(&sim, "jchen");
    sim.sim.hooks().add_fault(Fault {
        method: None,
        path: None,
        action: FaultAction::Latency { ms: 300 },
        times: Some(1),
    });
    let t = std::time::Instant::now();
    assert_eq!(api.get("/service/priorities", &[]).await.status, 200);
    assert!(t.elapsed() >= std::time::Duration::from_millis(300));
}

async fn count_notes(api: &Api, tid: i64) -> i64 {
    api.get(&format!("/service/tickets/{tid}/notes/count"), &[])
        .await
        .body["count"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn dropped_connections_before_and_after_a_write() {
    let sim = start().await;
    let api = Api::new(&sim, "jchen");
    let tid = first_id(
        &api.get("/service/tickets", &[("conditions", "closedFlag = false")])
            .await,
    );
    let before = count_notes(&api, tid).await;
    let http = reqwest::Client::new();
    let creds = sim.credentials();
    let jchen = &creds["members"][2];
    let post = || {
        http.post(format!(
            "{}/v4_6_release/apis/3.0/service/tickets/{tid}/notes",
            sim.site()
        ))
        .basic_auth(
            format!("harborview+{}", jchen["publicKey"].as_str().unwrap()),
            jchen["privateKey"].as_str(),
        )
        .header("clientId", creds["clientId"].as_str().unwrap())
        .json(&json!({"text": "hello", "internalAnalysisFlag": true}))
        .send()
    };
    sim.sim.hooks().add_fault(Fault {
        method: Some("POST".into()),
        path: Some("/service/tickets/*/notes".into()),
        action: FaultAction::DropBefore,
        times: Some(1),
    });
    assert!(
        post().await.is_err(),
        "the connection closes without an answer"
    );
    assert_eq!(count_notes(&api, tid).await, before, "nothing was written");
    sim.sim.hooks().add_fault(Fault {
        method: Some("POST".into()),
        path: Some("/service/tickets/*/notes".into()),
        action: FaultAction::DropAfter,
        times: Some(1),
    });
    assert!(post().await.is_err());
    assert_eq!(
        count_notes(&api, tid).await,
        before + 1,
        "the write was committed before the drop"
    );
    let log = sim.sim.hooks().requests();
    let dropped: Vec<_> = log.iter().filter(|r| r.dropped).collect();
    assert_eq!(dropped.len(), 2);
    assert_eq!(dropped[1].status, 201);
}

#[tokio::test]
async fn request_log_and_faults_over_http() {
    let sim = start().await;
    let api = Api::new(&sim, "psharma");
    let http = reqwest::Client::new();
    let ctl = |p: &str| format!("{}/__sim/{p}", sim.site());
    http.delete(ctl("requests")).send().await.unwrap();
    api.get(
        "/service/tickets",
        &[
            ("conditions", "summary contains \"\\\" OR id>0 OR \\\"\""),
            ("pageSize", "5"),
        ],
    )
    .await;
    let log: serde_json::Value = http
        .get(ctl("requests"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(log.as_array().unwrap().len(), 1);
    assert_eq!(log[0]["member"], "psharma");
    assert_eq!(log[0]["path"], "/service/tickets");
    assert_eq!(
        log[0]["query"][0],
        json!(["conditions", "summary contains \"\\\" OR id>0 OR \\\"\""])
    );
    let r = http.post(ctl("faults")).json(&json!({"method": "GET", "path": "/system/info", "kind": "status", "status": 500, "times": 1})).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(api.get("/system/info", &[]).await.status, 500);
    assert_eq!(api.get("/system/info", &[]).await.status, 200);
    let bad = http
        .post(ctl("faults"))
        .json(&json!({"kind": "explode"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let creds: serde_json::Value = http
        .get(ctl("credentials"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(creds["companyId"], "harborview");
    http.post(ctl("config"))
        .json(&json!({"myAccount": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(api.get("/system/myAccount", &[]).await.status, 404);
}
