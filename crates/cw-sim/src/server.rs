//! The HTTP front: routing of the raw request, faults, the request log, the `/__sim/` control
//! API, and an accept loop that can drop a connection mid-request the way a network does.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{to_bytes, Body};
use axum::http::{Method, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::Notify;

use crate::error::CwError;
use crate::handlers::{company_info, credentials, handle, json_response, ApiRequest, Inner};
use crate::hooks::{Fault, FaultAction, LoggedRequest};

/// Largest request body accepted (ConnectWise documents no limit; 10 MiB is generous).
const MAX_BODY: usize = 10 * 1024 * 1024;

/// Lets a handler close its own connection without answering.
#[derive(Clone)]
struct Killer(Arc<Notify>);

/// Serves until the listener fails. Each connection gets a [`Killer`] its requests can pull.
pub async fn serve(listener: TcpListener, inner: Arc<Inner>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let inner = inner.clone();
        tokio::spawn(async move {
            let kill = Arc::new(Notify::new());
            let k = kill.clone();
            let svc = hyper::service::service_fn(move |req: Request<Incoming>| {
                let inner = inner.clone();
                let killer = Killer(k.clone());
                async move { Ok::<_, Infallible>(entry(inner, killer, req.map(Body::new)).await) }
            });
            let conn = hyper::server::conn::http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), svc);
            tokio::select! {
                _ = conn => {}
                _ = kill.notified() => {}
            }
        });
    }
}

fn parse_query(q: Option<&str>) -> Vec<(String, String)> {
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(&s.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned()
    };
    q.unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(p), String::new()),
        })
        .collect()
}

fn is_codebase(s: &str) -> bool {
    s == "v4_6_release"
        || s.strip_prefix('v').is_some_and(|r| {
            r.split_once('_').is_some_and(|(y, n)| {
                y.len() == 4
                    && y.chars().all(|c| c.is_ascii_digit())
                    && !n.is_empty()
                    && n.chars().all(|c| c.is_ascii_digit())
            })
        })
}

async fn entry(inner: Arc<Inner>, killer: Killer, req: Request<Body>) -> Response {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_string();
    let query = parse_query(parts.uri.query());
    let host = parts
        .headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_string();
    let bytes = match to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => {
            return CwError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "InvalidObject",
                "The request body is too large.",
            )
            .into_response()
        }
    };
    if let Some(rest) = path.strip_prefix("/__sim/") {
        return control(&inner, &parts.method, rest, &bytes, &host);
    }
    if let Some(company) = path.strip_prefix("/login/companyinfo/") {
        let t = inner.tenant.read().unwrap_or_else(|e| e.into_inner());
        let resp = company_info(&t, company.trim_end_matches('/'), &host);
        drop(t);
        inner.hooks.record(LoggedRequest {
            seq: 0,
            method: parts.method.to_string(),
            path: path.clone(),
            query,
            member: None,
            status: 200,
            body: None,
            response_bytes: 0,
            dropped: false,
        });
        return resp;
    }
    // `/{codebase}apis/3.0/...`
    let mut segs = path.trim_start_matches('/').splitn(4, '/');
    let (cb, apis, ver, rest) = (segs.next(), segs.next(), segs.next(), segs.next());
    let api_path = match (cb, apis, ver) {
        (Some(cb), Some("apis"), Some("3.0")) if is_codebase(cb) => {
            format!("/{}", rest.unwrap_or(""))
        }
        _ => {
            return CwError::not_found(format!(
                "No ConnectWise API at {path}; requests go to /{{codebase}}apis/3.0/…"
            ))
            .into_response()
        }
    };
    let _answering = inner.hooks.answering();
    let codebase = cb.unwrap_or("v4_6_release");
    let method = parts.method.to_string();
    let body_json: Result<Option<Value>, String> = if bytes.iter().all(u8::is_ascii_whitespace) {
        Ok(None)
    } else {
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| e.to_string())
    };
    let mut log = LoggedRequest {
        seq: 0,
        method: method.clone(),
        path: api_path.clone(),
        query: query.clone(),
        member: None,
        status: 0,
        body: if parts.method == Method::GET {
            None
        } else {
            body_json.clone().ok().flatten()
        },
        response_bytes: 0,
        dropped: false,
    };
    let mut drop_after = false;
    let mut late = None;
    for action in inner.hooks.take(&method, &api_path) {
        match action {
            FaultAction::Latency { ms } => tokio::time::sleep(Duration::from_millis(ms)).await,
            FaultAction::Status {
                status,
                retry_after,
            } => {
                let code =
                    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                let mut e = if code == StatusCode::TOO_MANY_REQUESTS {
                    let secs = retry_after.unwrap_or(1);
                    let mut e = CwError::new(
                        code,
                        "ConnectWiseAPI",
                        format!("Too many requests. Please try again in {secs} seconds."),
                    );
                    e.retry_after = Some(secs);
                    e
                } else {
                    CwError::new(
                        code,
                        "ConnectWiseApi",
                        "An error has occurred. (simulated fault)",
                    )
                };
                if code != StatusCode::TOO_MANY_REQUESTS {
                    e.retry_after = retry_after;
                }
                log.status = status;
                inner.hooks.record(log.clone());
                return e.into_response();
            }
            FaultAction::DropBefore => {
                log.dropped = true;
                inner.hooks.record(log.clone());
                killer.0.notify_one();
                std::future::pending::<()>().await;
            }
            FaultAction::DropAfter => drop_after = true,
            FaultAction::LateCommit { ms } => late = Some(Duration::from_millis(ms)),
        }
    }
    let api_base = format!("http://{host}/{codebase}/apis/3.0");
    let (mut rparts, rbytes) = match late {
        // The work and its log line happen in their own task: a caller that stopped waiting
        // stops neither.
        Some(wait) => {
            let (inner, headers) = (inner.clone(), parts.headers.clone());
            let (method, api_path, query) = (method.clone(), api_path.clone(), query.clone());
            let task = tokio::spawn(async move {
                tokio::time::sleep(wait).await;
                let req = ApiRequest {
                    method: &method,
                    path: &api_path,
                    query: &query,
                    headers: &headers,
                    body: body_json,
                    api_base,
                };
                let (resp, member) = handle(&inner, &req);
                let (rparts, rbytes) = logged(&inner, log, resp, member).await;
                (rparts, rbytes)
            });
            match task.await {
                Ok(done) => done,
                Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
            }
        }
        None => {
            let req = ApiRequest {
                method: &method,
                path: &api_path,
                query: &query,
                headers: &parts.headers,
                body: body_json,
                api_base,
            };
            let (resp, member) = handle(&inner, &req);
            if drop_after {
                log.member = member;
                log.status = resp.status().as_u16();
                log.dropped = true;
                inner.hooks.record(log);
                killer.0.notify_one();
                std::future::pending::<()>().await;
                unreachable_answer()
            } else {
                logged(&inner, log, resp, member).await
            }
        }
    };
    let h = &mut rparts.headers;
    h.insert(
        "api-current-version",
        axum::http::HeaderValue::from_static("2025.1"),
    );
    h.insert(
        "cache-control",
        axum::http::HeaderValue::from_static("no-cache"),
    );
    h.insert("pragma", axum::http::HeaderValue::from_static("no-cache"));
    Response::from_parts(rparts, Body::from(rbytes))
}

/// The answer's parts and bytes, its log line recorded.
async fn logged(
    inner: &Inner,
    mut log: LoggedRequest,
    resp: Response,
    member: Option<String>,
) -> (axum::http::response::Parts, axum::body::Bytes) {
    log.member = member;
    log.status = resp.status().as_u16();
    let (rparts, rbody) = resp.into_parts();
    let rbytes = to_bytes(rbody, usize::MAX).await.unwrap_or_default();
    log.response_bytes = rbytes.len();
    inner.hooks.record(log);
    (rparts, rbytes)
}

/// What a dropped connection would have answered (never sent: the connection is gone).
fn unreachable_answer() -> (axum::http::response::Parts, axum::body::Bytes) {
    let (parts, _) = Response::new(Body::empty()).into_parts();
    (parts, axum::body::Bytes::new())
}

/// `/__sim/…`: the test-control API.
fn control(inner: &Inner, method: &Method, rest: &str, body: &[u8], host: &str) -> Response {
    let ok = || json_response(StatusCode::OK, &json!({"ok": true}));
    let bad = |m: String| json_response(StatusCode::BAD_REQUEST, &json!({"error": m}));
    match (method.as_str(), rest.trim_end_matches('/')) {
        ("GET", "requests") => json_response(StatusCode::OK, &json!(inner.hooks.requests())),
        ("DELETE", "requests") => {
            inner.hooks.clear_requests();
            ok()
        }
        ("GET", "stats") => json_response(
            StatusCode::OK,
            &json!({"peak_in_flight": inner.hooks.peak_in_flight()}),
        ),
        ("GET", "faults") => json_response(StatusCode::OK, &json!(inner.hooks.faults())),
        ("POST", "faults") => {
            let parsed: Result<Vec<Fault>, _> = serde_json::from_slice::<Vec<Fault>>(body)
                .or_else(|_| serde_json::from_slice::<Fault>(body).map(|f| vec![f]));
            match parsed {
                Ok(fs) => {
                    fs.into_iter().for_each(|f| inner.hooks.add_fault(f));
                    ok()
                }
                Err(e) => bad(format!("not a fault: {e}")),
            }
        }
        ("DELETE", "faults") => {
            inner.hooks.clear_faults();
            ok()
        }
        ("GET", "outbox") => {
            let t = inner.tenant.read().unwrap_or_else(|e| e.into_inner());
            json_response(StatusCode::OK, &json!(t.outbox))
        }
        ("GET", "credentials") => {
            let t = inner.tenant.read().unwrap_or_else(|e| e.into_inner());
            json_response(StatusCode::OK, &credentials(&t, &format!("http://{host}")))
        }
        // Sets fields the API does not let anyone write (an SLA state, a customer's update,
        // when a record was entered), to build a tenant state whose right answer is known.
        ("POST", "records") => {
            let Ok(v) = serde_json::from_slice::<Value>(body) else {
                return bad(
                    "records takes {\"kind\": \"Ticket\", \"id\": 5, \"set\": {...}}".into(),
                );
            };
            let kind = v.get("kind").and_then(Value::as_str).unwrap_or("");
            let Some(kind) = crate::kind::Kind::ALL
                .into_iter()
                .find(|k| format!("{k:?}") == kind)
            else {
                return bad(format!("no record kind {kind}"));
            };
            let id = v.get("id").and_then(Value::as_i64).unwrap_or(0);
            let Some(set) = v.get("set").and_then(Value::as_object) else {
                return bad("set must be an object of fields".into());
            };
            let mut t = inner.tenant.write().unwrap_or_else(|e| e.into_inner());
            let Some(rec) = t.store.get_mut(kind, id).and_then(Value::as_object_mut) else {
                return bad(format!("no {kind:?} {id}"));
            };
            for (k, val) in set {
                match (rec.get_mut(k), val) {
                    // `_info` and other objects are merged a level deep.
                    (Some(Value::Object(old)), Value::Object(new)) => {
                        old.extend(new.clone());
                    }
                    _ => {
                        rec.insert(k.clone(), val.clone());
                    }
                }
            }
            ok()
        }
        ("POST", "config") => {
            let Ok(v) = serde_json::from_slice::<Value>(body) else {
                return bad("config must be a JSON object".into());
            };
            let mut t = inner.tenant.write().unwrap_or_else(|e| e.into_inner());
            if let Some(b) = v.get("myAccount").and_then(Value::as_bool) {
                t.my_account_enabled = b;
            }
            if let Some(c) = v.get("codebase").and_then(Value::as_str) {
                t.codebase = c.to_string();
            }
            ok()
        }
        _ => json_response(
            StatusCode::NOT_FOUND,
            &json!({"error": format!("no control endpoint {method} /__sim/{rest}")}),
        ),
    }
}

/// Binds `addr` and serves in the background.
pub async fn spawn(
    inner: Arc<Inner>,
    addr: SocketAddr,
) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    Ok((local, tokio::spawn(serve(listener, inner))))
}
