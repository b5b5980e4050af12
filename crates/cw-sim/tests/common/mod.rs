//! Shared test harness: a simulator on a free loopback port with a fixed seed and anchor, and
//! a small HTTP client that authenticates as one of its members.
#![allow(dead_code)]

use std::net::SocketAddr;

use base64::Engine;
use chrono::{DateTime, TimeZone, Utc};
use cw_sim::{RunningSim, Sim, TenantSpec};
use reqwest::header::HeaderMap;
use serde_json::Value;

/// Wednesday 2026-11-18 15:00 UTC: mid-week, so "this week" is open and last week approved.
pub fn anchor() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 18, 15, 0, 0).unwrap()
}

pub async fn start() -> RunningSim {
    start_with(TenantSpec {
        seed: 7,
        tickets: 600,
        anchor: anchor(),
    })
    .await
}

pub async fn start_with(spec: TenantSpec) -> RunningSim {
    let sim = Sim::generate(&spec);
    sim.start(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("bind loopback")
}

pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// A client authenticated as one member.
pub struct Api {
    pub base: String,
    auth: String,
    client_id: String,
    http: reqwest::Client,
    pub extra: Vec<(String, String)>,
}

impl Api {
    pub fn new(sim: &RunningSim, member: &str) -> Api {
        let creds = sim.credentials();
        let m = creds["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["identifier"] == member)
            .unwrap_or_else(|| panic!("no member {member}"));
        let raw = format!(
            "{}+{}:{}",
            creds["companyId"].as_str().unwrap(),
            m["publicKey"].as_str().unwrap(),
            m["privateKey"].as_str().unwrap()
        );
        Api {
            base: format!("{}/v4_6_release/apis/3.0", sim.site()),
            auth: format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(raw)
            ),
            client_id: creds["clientId"].as_str().unwrap().to_string(),
            http: reqwest::Client::new(),
            extra: vec![],
        }
    }

    pub fn with_header(mut self, k: &str, v: &str) -> Api {
        self.extra.push((k.into(), v.into()));
        self
    }

    pub fn without_client_id(mut self) -> Api {
        self.client_id.clear();
        self
    }

    pub async fn send(
        &self,
        method: &str,
        path: &str,
        query: &[(&str, &str)],
        body: Option<Value>,
    ) -> Resp {
        let mut rb = self
            .http
            .request(method.parse().unwrap(), format!("{}{}", self.base, path))
            .header("authorization", &self.auth)
            .query(query);
        if !self.client_id.is_empty() {
            rb = rb.header("clientId", &self.client_id);
        }
        for (k, v) in &self.extra {
            rb = rb.header(k, v);
        }
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        let r = rb.send().await.expect("request reaches the simulator");
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let text = r.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Resp {
            status,
            headers,
            body,
            text,
        }
    }

    pub async fn get(&self, path: &str, query: &[(&str, &str)]) -> Resp {
        self.send("GET", path, query, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Resp {
        self.send("POST", path, &[], Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Resp {
        self.send("PATCH", path, &[], Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Resp {
        self.send("PUT", path, &[], Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Resp {
        self.send("DELETE", path, &[], None).await
    }
}

/// The id of the first record a list returns.
pub fn first_id(r: &Resp) -> i64 {
    r.body[0]["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("no records: {}", r.text))
}
