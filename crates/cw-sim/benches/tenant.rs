//! Simulator benchmark: time to generate a large tenant, its memory, and the latency of
//! conditions searches over it through real HTTP.
//!
//! `cargo bench -p cw-sim --bench tenant` (100,000 tickets); `CW_BENCH_TICKETS=N` for another
//! size. Prints a Markdown table for BENCHMARKS.md.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice
)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use base64::Engine;
use cw_sim::kind::Kind;
use cw_sim::{Sim, TenantSpec};

fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .map(str::to_string)
        })
        .and_then(|l| {
            l.split_whitespace()
                .nth(1)
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

fn main() {
    let tickets: usize = std::env::var("CW_BENCH_TICKETS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let rss0 = rss_mib();
    let t0 = Instant::now();
    let spec = TenantSpec {
        seed: 1,
        tickets,
        anchor: chrono::DateTime::from_timestamp(1_795_100_400, 0).unwrap(),
    };
    let sim = Sim::generate(&spec);
    let gen = t0.elapsed();
    let rss1 = rss_mib();
    let (notes, entries, companies) = {
        let t = sim.tenant();
        (
            t.store.len(Kind::TicketNote),
            t.store.len(Kind::TimeEntry),
            t.store.len(Kind::Company),
        )
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let rows = rt.block_on(async {
        let running = sim.start(SocketAddr::from(([127, 0, 0, 1], 0))).await.unwrap();
        let creds = running.credentials();
        let m = &creds["members"][2];
        let auth = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("harborview+{}:{}", m["publicKey"].as_str().unwrap(), m["privateKey"].as_str().unwrap()))
        );
        let client = reqwest::Client::new();
        let url = format!("{}/service/tickets", running.api_base());
        let queries = [
            ("my open tickets", "owner/identifier = \"jchen\" and closedFlag = false"),
            ("text in summary", "summary contains \"vpn\" and closedFlag = false"),
            ("company name like + date", "company/name like \"Lake%\" and lastUpdated > [2026-10-01T00:00:00Z]"),
            ("board + status in", "board/name = \"Help Desk\" and status/name in (\"New\", \"Assigned\", \"In Progress\")"),
        ];
        let mut rows = Vec::new();
        for (label, cond) in queries {
            let mut lat = Vec::new();
            let mut hits = 0;
            for i in 0..53 {
                let t = Instant::now();
                let r = client
                    .get(&url)
                    .query(&[("conditions", cond), ("pageSize", "25"), ("fields", "id,summary,status/name")])
                    .header("authorization", &auth)
                    .header("clientId", creds["clientId"].as_str().unwrap())
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 200);
                let body: Vec<serde_json::Value> = r.json().await.unwrap();
                hits = body.len();
                if i >= 3 {
                    lat.push(t.elapsed());
                }
            }
            lat.sort();
            rows.push(format!("| `{cond}` ({label}) | {hits} | {:.1} | {:.1} |", pct(&lat, 0.5), pct(&lat, 0.99)));
        }
        rows
    });
    println!("Tenant: {tickets} tickets, {notes} notes, {entries} time entries, {companies} companies (seed 1).\n");
    println!("| measure | value |\n|---|---|");
    println!("| generate tenant | {:.2} s |", gen.as_secs_f64());
    println!("| resident memory of the tenant | {:.0} MiB |", rss1 - rss0);
    println!("\nConditions search over HTTP on loopback (first page of 25, `fields=id,summary,status/name`, 50 runs after 3 warm-up):\n");
    println!("| conditions | rows | p50 ms | p99 ms |\n|---|---|---|---|");
    for r in rows {
        println!("{r}");
    }
}
