//! A shared deployment under attack, over real HTTP on loopback: a client's member header is
//! checked against the keys (ConnectWise says whose they are), keys ConnectWise refused are not
//! sent to it again, inventing keys is bounded per address, a flood of slow connections does
//! not shut out a normal client, and an oversized body is answered 413, not reset.

// The helpers below (a raw client, a flood) fail the test by panicking on what they cannot do.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::*;
use connectwise_mcp::transport::access::{ClientKeys, HttpAccess, KeyCheck};
use connectwise_mcp::transport::listener::ConnLimits;
use connectwise_mcp::transport::rate::{Rate, RateLimit};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn tokens_access() -> HttpAccess {
    HttpAccess {
        tokens: editor_tokens(),
        ..Default::default()
    }
}

fn auth() -> (&'static str, String) {
    ("authorization", format!("Bearer {EDITOR_TOKEN}"))
}

async fn call_as(
    addr: SocketAddr,
    headers: &[(String, String)],
    tool: &str,
    args: Value,
) -> (u16, Value) {
    let h: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    http_call(&reqwest::Client::new(), addr, &h, tool, args).await
}

fn result_text(v: &Value) -> String {
    v["result"]["content"]
        .as_array()
        .map(|c| {
            c.iter()
                .filter_map(|b| b["text"].as_str())
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_else(|| v.to_string())
}

fn my_account_asks(sim: &cw_sim::RunningSim) -> usize {
    sim.sim
        .hooks()
        .requests()
        .iter()
        .filter(|r| r.path == "/system/myAccount")
        .count()
}

#[tokio::test]
async fn a_member_header_that_disagrees_with_the_keys_is_refused_and_notes_are_the_keys_owners() {
    let sim = tenant(101).await;
    let p = pipeline(&sim, "amorgan", open());
    let addr = http_server(p, tokens_access()).await;
    let tid = my_open_ticket(&sim, "jchen");
    let (a, t) = auth();
    // jchen's keys claiming to be psharma: refused, naming the header, never its value.
    let mut h = key_headers(&sim, "jchen", Some("psharma"));
    h.push((a.into(), t.clone()));
    let (status, body) = call_as(
        addr,
        &h,
        "cw_add_ticket_note",
        json!({"ticket_id": tid, "text": "As someone else"}),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let said = body.to_string();
    assert!(
        said.contains("x-cw-member-id") && !said.contains("psharma"),
        "{said}"
    );
    assert!(writes(&sim).is_empty(), "nothing was written");
    // A dispatcher's keys logging "my" time as jchen: refused too.
    let mut h = key_headers(&sim, "psharma", Some("jchen"));
    h.push((a.into(), t.clone()));
    let (status, _) = call_as(
        addr,
        &h,
        "cw_create_time_entry",
        json!({"ticket_id": tid, "duration_minutes": 15}),
    )
    .await;
    assert_eq!(status, 400);
    // The right member (any case), or none: the note is jchen's, and ConnectWise was asked
    // whose the keys are once for all of these.
    for claim in [Some("JChen"), None] {
        let mut h = key_headers(&sim, "jchen", claim);
        h.push((a.into(), t.clone()));
        let (status, body) = call_as(
            addr,
            &h,
            "cw_add_ticket_note",
            json!({"ticket_id": tid, "text": format!("As myself {claim:?}")}),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            body["result"]["structuredContent"]["note"]["author"], "jchen",
            "{body}"
        );
    }
    assert_eq!(
        my_account_asks(&sim),
        2,
        "once per set of keys (jchen's, psharma's)"
    );
}

#[tokio::test]
async fn the_only_my_own_entries_check_follows_the_keys_not_the_header() {
    let sim = tenant(102).await;
    let p = pipeline(&sim, "amorgan", open());
    let addr = http_server(p, tokens_access()).await;
    let tid = my_open_ticket(&sim, "jchen");
    let (a, t) = auth();
    let mut jchen = key_headers(&sim, "jchen", Some("jchen"));
    jchen.push((a.into(), t.clone()));
    let (_, made) = call_as(
        addr,
        &jchen,
        "cw_create_time_entry",
        json!({"ticket_id": tid, "duration_minutes": 15, "notes": "Mine."}),
    )
    .await;
    let id = made["result"]["structuredContent"]["entry"]["id"]
        .as_i64()
        .unwrap();
    // psharma's keys cannot pass as jchen to correct jchen's entry.
    let mut forged = key_headers(&sim, "psharma", Some("jchen"));
    forged.push((a.into(), t.clone()));
    let (status, _) = call_as(
        addr,
        &forged,
        "cw_update_time_entry",
        json!({"entry_id": id, "notes": "Not mine."}),
    )
    .await;
    assert_eq!(status, 400);
    let mut honest = key_headers(&sim, "psharma", None);
    honest.push((a.into(), t));
    let (status, body) = call_as(
        addr,
        &honest,
        "cw_update_time_entry",
        json!({"entry_id": id, "notes": "Not mine."}),
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        result_text(&body).contains("not by you (psharma)"),
        "{body}"
    );
    assert!(
        !writes(&sim).iter().any(|w| w.method == "PATCH"),
        "nothing was changed"
    );
}

#[tokio::test]
async fn refused_keys_are_not_forwarded_again_and_new_keys_are_bounded_per_address() {
    let sim = tenant(103).await;
    let p = pipeline(&sim, "amorgan", open());
    let access = HttpAccess {
        tokens: editor_tokens(),
        client_keys: ClientKeys::Open,
        keys: Some(KeyCheck {
            upstream: p.upstream().clone(),
            identities: p.shared().identities.clone(),
            unverified: Some(RateLimit::new(Rate::parse("5/min").unwrap().unwrap())),
        }),
        ..Default::default()
    };
    let addr = http_server(p, access).await;
    let invented = |n: usize| {
        vec![
            ("x-cw-public-key".to_string(), format!("PUBLICKEY{n:08}")),
            ("x-cw-private-key".to_string(), format!("PRIVATEKEY{n:08}")),
        ]
    };
    // Requests with keys ConnectWise does not know that reached it.
    let refused = |sim: &cw_sim::RunningSim| {
        let log = sim.sim.hooks().requests();
        log.iter()
            .filter(|r| !r.path.starts_with("/login") && r.member.is_none())
            .count()
    };
    // Real keys, once accepted, are remembered.
    let jchen = key_headers(&sim, "jchen", None);
    let (status, _) = call_as(addr, &jchen, "cw_my_tickets", json!({})).await;
    assert_eq!(status, 200);
    // Invented keys: ConnectWise is asked once, refuses, and is not asked again.
    for _ in 0..3 {
        let (status, body) = call_as(addr, &invented(0), "cw_my_tickets", json!({})).await;
        assert_eq!(status, 401, "{body}");
        assert!(
            body.to_string().contains("does not accept these API keys"),
            "{body}"
        );
    }
    assert_eq!(
        refused(&sim),
        1,
        "one request with them reached ConnectWise"
    );
    // Rotating them: the address's budget for keys not yet accepted (5, two spent) runs out.
    let mut limited = 0;
    for n in 1..=10 {
        let (status, _) = call_as(addr, &invented(n), "cw_my_tickets", json!({})).await;
        limited += usize::from(status == 429);
    }
    assert_eq!(limited, 7, "the rest were refused at the door");
    assert_eq!(refused(&sim), 4, "only the budget reached ConnectWise");
    // Keys already accepted are not held back by that budget.
    let (status, _) = call_as(addr, &jchen, "cw_my_tickets", json!({})).await;
    assert_eq!(status, 200);
}

/// Raw bytes to the server; what it answered (status line and head), or how it failed.
async fn raw(addr: SocketAddr, head: &str, body: &[u8]) -> Result<String, std::io::Error> {
    let mut s = tokio::net::TcpStream::connect(addr).await?;
    s.write_all(head.as_bytes()).await?;
    // Write the body while reading, as a client that does not wait for 100 Continue does.
    let (mut r, mut w) = s.into_split();
    let body = body.to_vec();
    let writer = tokio::spawn(async move {
        let _ = w.write_all(&body).await;
        w
    });
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout(Duration::from_secs(20), r.read(&mut buf)).await {
            Ok(Ok(0)) | Err(_) => break,
            Ok(Ok(n)) => {
                out.extend_from_slice(&buf[..n]);
                if out.windows(4).any(|w| w == b"\r\n\r\n") {
                    break;
                }
            }
            Ok(Err(e)) => return Err(e),
        }
    }
    writer.abort();
    Ok(String::from_utf8_lossy(&out).into_owned())
}

#[tokio::test]
async fn an_oversized_body_is_answered_413_not_reset() {
    let sim = tenant(104).await;
    let p = pipeline(&sim, "jchen", open());
    let addr = http_server(p, tokens_access()).await;
    for mib in [1usize, 4, 8, 16] {
        let body = vec![b'x'; mib * 1024 * 1024];
        let head = format!(
            "POST /mcp HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer {EDITOR_TOKEN}\r\ncontent-type: application/json\r\naccept: application/json, text/event-stream\r\ncontent-length: {}\r\n\r\n",
            body.len()
        );
        let answer = raw(addr, &head, &body).await;
        let answer = answer.unwrap_or_else(|e| panic!("{mib} MiB: {e}"));
        assert!(answer.starts_with("HTTP/1.1 413"), "{mib} MiB: {answer}");
    }
    // A client that waits for 100 Continue is answered at once and never sends the body.
    let head = format!(
        "POST /mcp HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer {EDITOR_TOKEN}\r\ncontent-type: application/json\r\nexpect: 100-continue\r\ncontent-length: {}\r\n\r\n",
        64 * 1024 * 1024
    );
    let answer = raw(addr, &head, b"").await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
}

/// Opens `n` connections from `from` that never send a request, reopening each as it is
/// closed, from a thread and runtime of its own (as another process would), until the
/// returned sender is dropped.
fn slowloris(addr: SocketAddr, from: std::net::IpAddr, n: usize) -> std::sync::mpsc::Sender<()> {
    let (stop, stopped) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let mut tasks = tokio::task::JoinSet::new();
            for _ in 0..n {
                tasks.spawn(async move {
                    loop {
                        let sock = tokio::net::TcpSocket::new_v4().unwrap();
                        let _ = sock.bind(SocketAddr::new(from, 0));
                        if let Ok(mut s) = sock.connect(addr).await {
                            let mut b = [0u8; 256];
                            // Hold it open, sending nothing, until the server closes it.
                            while let Ok(k) = s.read(&mut b).await {
                                if k == 0 {
                                    break;
                                }
                            }
                        }
                        tokio::time::sleep(Duration::from_millis(5)).await;
                    }
                });
            }
            // Until the sender is dropped.
            while matches!(
                stopped.try_recv(),
                Err(std::sync::mpsc::TryRecvError::Empty)
            ) {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            tasks.abort_all();
        });
    });
    stop
}

async fn under_flood(from: &str) -> usize {
    let sim = tenant(105).await;
    let p = pipeline(&sim, "jchen", open());
    let addr = http_server(p, tokens_access()).await;
    let flood = slowloris(addr, from.parse().unwrap(), 530);
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let (a, t) = auth();
    let mut ok = 0;
    for _ in 0..40 {
        let r = http
            .post(format!("http://{addr}/mcp"))
            .header(a, &t)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .header("mcp-protocol-version", "2025-06-18")
            .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}))
            .send()
            .await;
        ok += usize::from(r.is_ok_and(|r| r.status() == 200));
    }
    drop(flood);
    ok
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_slow_connections_from_another_address_does_not_shut_out_a_client() {
    let ok = under_flood("127.0.0.2").await;
    assert!(ok >= 38, "{ok} of 40 answered");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_slow_connections_from_the_same_address_does_not_shut_out_a_client() {
    let ok = under_flood("127.0.0.1").await;
    assert!(ok >= 38, "{ok} of 40 answered");
}

#[test]
fn the_connection_bounds_default_to_a_quarter_per_address() {
    let l = ConnLimits::default();
    assert_eq!((l.max_connections, l.per_address), (512, 128));
}
