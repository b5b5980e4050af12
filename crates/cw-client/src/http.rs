//! The request core: URL building with the discovered codebase, auth and version headers,
//! timeouts, GET retries (backon: capped exponential backoff with jitter, honouring
//! `Retry-After` in seconds or as an HTTP date), and error decoding. Writes are sent exactly
//! once.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};

use backon::{ExponentialBuilder, Retryable};
use chrono::{DateTime, Utc};
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, CONTENT_TYPE, DATE, RETRY_AFTER};
use secrecy::ExposeSecret;
use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio::sync::{RwLock, Semaphore};

use crate::circuit::Circuit;
use crate::config::{Config, Credentials};
use crate::endpoints::Endpoint;
use crate::error::{ApiError, Error, Result};
use crate::in_flight::{InFlight, SharedSlots};
use crate::stats::CallStats;

/// What `/login/companyinfo/{company}` says.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct CompanyInfo {
    #[serde(rename = "CompanyName")]
    pub company_name: Option<String>,
    #[serde(rename = "Codebase")]
    pub codebase: Option<String>,
    #[serde(rename = "VersionCode")]
    pub version_code: Option<String>,
    /// `"True"` in the documentation's example, `true` in recorded responses: either shape.
    #[serde(rename = "IsCloud")]
    pub is_cloud: Option<serde_json::Value>,
}

impl CompanyInfo {
    pub fn cloud(&self) -> bool {
        match &self.is_cloud {
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
            _ => false,
        }
    }
}

/// Most bytes of recent GET answers kept for [`CwClient::cached`] clients.
const READ_CACHE_BYTES: u64 = 16 * 1024 * 1024;

/// The fallback when `/login/companyinfo` does not answer: what on-prem servers use.
const ON_PREM_CODEBASE: &str = "v4_6_release/";

/// What is shared by every caller of one ConnectWise site: the HTTP connection pool, the
/// configuration and the discovered codebase.
pub struct Upstream {
    http: reqwest::Client,
    pub cfg: Config,
    codebase: RwLock<Option<String>>,
    /// ConnectWise's clock minus ours, in seconds, from the `Date` of its last answer.
    clock_offset: AtomicI64,
    /// Fails calls at once while the site is down.
    circuit: Circuit,
    /// Recent GET answers by keys and URL, for clients that read only (see
    /// [`CwClient::cached`]); emptied by every write through this site.
    reads: moka::future::Cache<String, Arc<Raw>>,
    /// Requests in flight per key ([`Config::max_in_flight`]).
    in_flight: InFlight,
    /// The same cap across replicas, when they share one ([`Upstream::share_slots`]).
    shared_slots: OnceLock<Arc<dyn SharedSlots>>,
}

/// A client acting with one member's keys. Cheap to clone.
#[derive(Clone)]
pub struct CwClient {
    up: Arc<Upstream>,
    creds: Arc<Credentials>,
    /// The keys' fingerprint, hashed once: it keys every cached read.
    fingerprint: Arc<str>,
    /// Shared by every client of these keys: caps their requests in flight.
    slots: Arc<Semaphore>,
    stats: Option<Arc<CallStats>>,
    /// Whether GETs may be answered from [`Upstream`]'s recent reads.
    cached: bool,
    /// Writes are held back, not sent ([`CwClient::dry_run`]).
    dry_run: bool,
}

/// A successful raw answer.
#[derive(Clone)]
pub struct Raw {
    pub status: u16,
    pub link: Option<String>,
    pub body: Vec<u8>,
}

impl Upstream {
    pub fn new(cfg: Config) -> Result<Arc<Upstream>> {
        let http = reqwest::Client::builder()
            .connect_timeout(cfg.connect_timeout)
            .timeout(cfg.request_timeout)
            // A redirect from a ConnectWise API host is never expected; following one blindly
            // could send the credentials elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("connectwise-mcp/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Invalid(format!("cannot build the HTTP client: {e}")))?;
        let codebase = RwLock::new(cfg.codebase.clone());
        let circuit = cfg.circuit;
        let in_flight = InFlight::new(cfg.max_in_flight);
        let reads = moka::future::Cache::builder()
            .max_capacity(READ_CACHE_BYTES)
            .weigher(|k: &String, v: &Arc<Raw>| {
                u32::try_from(k.len() + v.body.len()).unwrap_or(u32::MAX)
            })
            .time_to_live(cfg.read_cache.max(Duration::from_millis(1)))
            .build();
        Ok(Arc::new(Upstream {
            http,
            cfg,
            codebase,
            clock_offset: AtomicI64::new(0),
            circuit: Circuit::new(circuit),
            reads,
            in_flight,
            shared_slots: OnceLock::new(),
        }))
    }

    /// Holds [`Config::max_in_flight`] per key across every process that shares `slots`
    /// (set once, at start-up).
    pub fn share_slots(&self, slots: Arc<dyn SharedSlots>) {
        let _ = self.shared_slots.set(slots);
    }

    /// A client acting with `creds`.
    pub fn client(self: &Arc<Self>, creds: Credentials) -> CwClient {
        let fingerprint: Arc<str> = creds.fingerprint().into();
        CwClient {
            up: self.clone(),
            slots: self.in_flight.for_key(&fingerprint),
            fingerprint,
            creds: Arc::new(creds),
            stats: None,
            cached: false,
            dry_run: false,
        }
    }

    /// "Now" by ConnectWise's clock (to the second, from the `Date` of its last answer; ours
    /// until it has answered). Reading back a write compares against ConnectWise's own
    /// timestamps, which a skewed local clock would get wrong.
    pub fn server_now(&self) -> DateTime<Utc> {
        Utc::now() + chrono::Duration::seconds(self.clock_offset.load(Ordering::Relaxed))
    }

    fn note_server_date(&self, h: &HeaderMap) {
        let Some(at) = h
            .get(DATE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| httpdate::parse_http_date(v).ok())
        else {
            return;
        };
        let theirs = DateTime::<Utc>::from(at).timestamp();
        self.clock_offset
            .store(theirs - Utc::now().timestamp(), Ordering::Relaxed);
    }

    /// The codebase (`v2025_1/`), discovered once through `/login/companyinfo/{company}`.
    pub async fn codebase(&self) -> String {
        if let Some(cb) = self.codebase.read().await.clone() {
            return cb;
        }
        let found = self.discover().await;
        *self.codebase.write().await = Some(found.clone());
        found
    }

    /// `GET /login/companyinfo/{company}` (no auth): what the site says about the company, or
    /// `None` when it does not know it (ConnectWise answers an unknown company with `null`).
    pub async fn company_info(&self) -> Result<Option<CompanyInfo>> {
        let url = format!(
            "{}/login/companyinfo/{}",
            self.cfg.site.origin, self.cfg.company_id
        );
        let r = self
            .http
            .get(&url)
            .send()
            .await
            .map_err(|e| transport(&e, false))?;
        let status = r.status().as_u16();
        let body = r.bytes().await.map_err(|e| transport(&e, true))?;
        if !(200..300).contains(&status) {
            return Err(Error::Api(ApiError::from_body(
                status,
                &String::from_utf8_lossy(&body),
                None,
            )));
        }
        match serde_json::from_slice::<Option<CompanyInfo>>(&body) {
            Ok(info) => Ok(info),
            Err(_) => Ok(None),
        }
    }

    async fn discover(&self) -> String {
        let found = match self.company_info().await {
            Ok(Some(info)) => info
                .codebase
                .map(|cb| cb.trim().to_string())
                .filter(|cb| !cb.is_empty())
                .map(|cb| {
                    if cb.ends_with('/') {
                        cb
                    } else {
                        format!("{cb}/")
                    }
                }),
            _ => None,
        };
        match found {
            Some(cb) => cb,
            None => {
                tracing::warn!(company = %self.cfg.company_id, "company info did not name a codebase; using {ON_PREM_CODEBASE}");
                ON_PREM_CODEBASE.to_string()
            }
        }
    }

    /// Re-discovers after a 404 (cloud codebases move with upgrades). Returns whether it changed.
    async fn rediscover(&self) -> bool {
        if self.cfg.codebase.is_some() {
            return false;
        }
        let old = self.codebase.read().await.clone();
        let new = self.discover().await;
        let changed = old.as_deref() != Some(new.as_str());
        *self.codebase.write().await = Some(new);
        changed
    }
}

/// `Retry-After` as seconds or as an HTTP date (RFC 9110 allows both).
fn retry_after(h: &HeaderMap) -> Option<u64> {
    let v = h.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = v.parse() {
        return Some(secs);
    }
    let at = httpdate::parse_http_date(v).ok()?;
    Some(
        at.duration_since(SystemTime::now())
            .unwrap_or_default()
            .as_secs(),
    )
}

/// Whether a failed GET is worth another try: the connection could not be made or broke,
/// ConnectWise asked us to slow down, or a gateway in front of it failed. A timeout is not
/// retried (ConnectWise is slow, and another wait would only spend the caller's time), nor is
/// any other answer, which would be the same the next time.
fn retryable(e: &Error) -> bool {
    match e {
        Error::Transport { timed_out, .. } => !timed_out,
        Error::Api(a) => matches!(a.status, 429 | 502 | 503 | 504),
        _ => false,
    }
}

impl CwClient {
    pub fn upstream(&self) -> &Arc<Upstream> {
        &self.up
    }

    pub fn credentials(&self) -> &Credentials {
        &self.creds
    }

    /// [`Credentials::fingerprint`] of this client's keys.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// This client, answering a GET from an identical one with the same keys in the last
    /// [`Config::read_cache`] (and sending identical GETs in flight at once only once). For
    /// callers that only read: a write's own checks and read-backs must see ConnectWise now.
    pub fn cached(&self) -> CwClient {
        CwClient {
            cached: true,
            ..self.clone()
        }
    }

    /// This client, reading as usual but sending no write: the first write it is asked for
    /// fails with [`Error::Held`], which carries exactly what would have been sent. A tool
    /// run with it resolves every name and checks every rule it reads, then stops there.
    pub fn dry_run(&self) -> CwClient {
        CwClient {
            dry_run: true,
            ..self.clone()
        }
    }

    /// This client, counting its requests (and its clones') into `stats`.
    pub fn observed(&self, stats: Arc<CallStats>) -> CwClient {
        CwClient {
            stats: Some(stats),
            ..self.clone()
        }
    }

    /// Sends one request. GETs are retried on 429, 5xx and transport failures; other methods
    /// are sent once. A 404 triggers one codebase re-discovery and, if it changed, one retry.
    pub async fn call(
        &self,
        ep: Endpoint,
        args: &[i64],
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Raw> {
        self.call_with(ep, args, query, body, false).await
    }

    /// [`CwClient::call`], optionally asking for forward-only pagination.
    pub async fn call_with(
        &self,
        ep: Endpoint,
        args: &[i64],
        query: &[(&str, String)],
        body: Option<&Value>,
        forward_only: bool,
    ) -> Result<Raw> {
        let mut rediscovered = false;
        loop {
            let r = self
                .call_once_with_retries(ep, args, query, body, forward_only)
                .await;
            match r {
                Err(Error::Api(ref a)) if a.status == 404 && !rediscovered => {
                    rediscovered = true;
                    if self.up.rediscover().await {
                        continue;
                    }
                    return r;
                }
                other => return other,
            }
        }
    }

    async fn call_once_with_retries(
        &self,
        ep: Endpoint,
        args: &[i64],
        query: &[(&str, String)],
        body: Option<&Value>,
        forward_only: bool,
    ) -> Result<Raw> {
        let once = || self.send(ep, args, query, body, forward_only);
        if ep.method != "GET" && self.dry_run {
            return Err(Error::Held(Box::new(crate::error::HeldWrite {
                method: ep.method,
                path: ep.fill(args),
                body: body.cloned(),
            })));
        }
        if ep.method != "GET" {
            // Whatever was read before may be what this changes.
            self.up.reads.invalidate_all();
            let r = once().await;
            self.up.reads.invalidate_all();
            return r;
        }
        if self.cached && !self.up.cfg.read_cache.is_zero() {
            let key = format!(
                "{}\u{0}{}\u{0}{:?}\u{0}{forward_only}",
                self.fingerprint,
                ep.fill(args),
                query
            );
            return self
                .up
                .reads
                .try_get_with(key, async {
                    self.get_with_retries(ep, args, query, forward_only)
                        .await
                        .map(Arc::new)
                })
                .await
                .map(|raw| (*raw).clone())
                .map_err(|e| (*e).clone());
        }
        self.get_with_retries(ep, args, query, forward_only).await
    }

    async fn get_with_retries(
        &self,
        ep: Endpoint,
        args: &[i64],
        query: &[(&str, String)],
        forward_only: bool,
    ) -> Result<Raw> {
        let once = || self.send(ep, args, query, None, forward_only);
        let retry = self.up.cfg.retry;
        let backoff = ExponentialBuilder::default()
            .with_min_delay(retry.base)
            .with_max_delay(retry.cap)
            .with_max_times(retry.max_retries)
            .with_jitter();
        once.retry(backoff)
            .sleep(tokio::time::sleep)
            .when(retryable)
            .adjust(|e, wait| match e {
                Error::Api(a) => match a.retry_after.map(Duration::from_secs) {
                    Some(d) if d > retry.max_retry_after => None,
                    Some(d) => Some(d),
                    None => wait,
                },
                _ => wait,
            })
            .notify(|e, wait| {
                tracing::debug!(path = ep.path, wait_ms = wait.as_millis() as u64, error = %e, "retrying ConnectWise GET")
            })
            .await
    }

    /// Sends one request through the site's circuit breaker.
    async fn send(
        &self,
        ep: Endpoint,
        args: &[i64],
        query: &[(&str, String)],
        body: Option<&Value>,
        forward_only: bool,
    ) -> Result<Raw> {
        // The semaphore is never closed, so acquiring only fails if it were; then go ahead.
        let _slot = self.slots.acquire().await.ok();
        let _shared = match self.up.shared_slots.get() {
            Some(s) => {
                s.acquire(self.fingerprint.clone(), self.up.cfg.max_in_flight)
                    .await
            }
            None => None,
        };
        let ticket = self.up.circuit.permit()?;
        let r = self.send_now(ep, args, query, body, forward_only).await;
        ticket.finish(r.as_ref().err());
        r
    }

    async fn send_now(
        &self,
        ep: Endpoint,
        args: &[i64],
        query: &[(&str, String)],
        body: Option<&Value>,
        forward_only: bool,
    ) -> Result<Raw> {
        let cfg = &self.up.cfg;
        let url = format!(
            "{}/{}apis/3.0{}",
            cfg.site.origin,
            self.up.codebase().await,
            ep.fill(args)
        );
        let method: reqwest::Method = ep
            .method
            .parse()
            .map_err(|_| Error::Invalid(format!("bad method {}", ep.method)))?;
        let accept = format!(
            "application/vnd.connectwise.com+json; version={}",
            cfg.api_version
        );
        let mut rb = self
            .up
            .http
            .request(method, &url)
            .basic_auth(
                format!(
                    "{}+{}",
                    cfg.company_id,
                    self.creds.public_key.expose_secret()
                ),
                Some(self.creds.private_key.expose_secret()),
            )
            .header("clientId", &cfg.client_id)
            .header(
                ACCEPT,
                HeaderValue::from_str(&accept)
                    .unwrap_or(HeaderValue::from_static("application/json")),
            )
            .query(query);
        if forward_only {
            rb = rb.header("pagination-type", "forward-only");
        }
        if let Some(b) = body {
            rb = rb
                .header(CONTENT_TYPE, "application/json; charset=utf-8")
                .json(b);
        }
        let started = std::time::Instant::now();
        if let Some(s) = &self.stats {
            s.sent();
        }
        let resp = rb
            .send()
            .await
            .map_err(|e| transport(&e, !e.is_connect() && !e.is_builder()))?;
        let status = resp.status().as_u16();
        if let Some(s) = &self.stats {
            s.answered(status);
        }
        let headers = resp.headers().clone();
        self.up.note_server_date(&headers);
        let bytes = resp.bytes().await.map_err(|e| transport(&e, true))?;
        tracing::debug!(
            method = ep.method,
            path = ep.path,
            status,
            ms = started.elapsed().as_millis() as u64,
            bytes = bytes.len(),
            "ConnectWise"
        );
        if (200..300).contains(&status) {
            let link = headers
                .get("link")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            return Ok(Raw {
                status,
                link,
                body: bytes.to_vec(),
            });
        }
        Err(Error::Api(ApiError::from_body(
            status,
            &String::from_utf8_lossy(&bytes),
            retry_after(&headers),
        )))
    }

    /// Sends and decodes a JSON answer.
    pub async fn json<T: DeserializeOwned>(
        &self,
        ep: Endpoint,
        args: &[i64],
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<(T, Option<String>)> {
        let raw = self.call(ep, args, query, body).await?;
        let v = serde_json::from_slice(&raw.body)
            .map_err(|e| Error::Decode(format!("{} {}: {e}", ep.method, ep.path)))?;
        Ok((v, raw.link))
    }
}

/// A transport error, described without the URL's query (it can carry customer text) and
/// never with keys (they are only ever in headers): what went wrong (refused, timed out, a
/// name that does not resolve, a broken connection) and where (host and port).
fn transport(e: &reqwest::Error, maybe_sent: bool) -> Error {
    let cause = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        connect_cause(e)
    } else if e.is_body() || e.is_decode() {
        "the connection broke while reading the answer"
    } else {
        "the connection broke before ConnectWise answered"
    };
    let place = e
        .url()
        .and_then(|u| Some(format!("{}:{}", u.host_str()?, u.port_or_known_default()?)));
    Error::Transport {
        message: match place {
            Some(p) => format!("{cause} ({p})"),
            None => cause.to_string(),
        },
        maybe_sent,
        timed_out: e.is_timeout(),
    }
}

/// Why a connection could not be made, from the error's causes.
fn connect_cause(e: &reqwest::Error) -> &'static str {
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            match io.kind() {
                std::io::ErrorKind::ConnectionRefused => return "connection refused",
                std::io::ErrorKind::TimedOut => return "timed out connecting",
                _ => {}
            }
        }
        let text = s.to_string().to_ascii_lowercase();
        if text.contains("dns") || text.contains("lookup") || text.contains("resolve") {
            return "the host name does not resolve";
        }
        source = s.source();
    }
    "connection failed"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&h), Some(7));
        let later = SystemTime::now() + Duration::from_secs(90);
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_str(&httpdate::fmt_http_date(later)).unwrap(),
        );
        let secs = retry_after(&h).unwrap();
        assert!((85..=90).contains(&secs), "{secs}");
        h.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&h), None);
    }

    #[test]
    fn only_what_can_succeed_later_is_retried() {
        let api = |status| Error::Api(ApiError::from_body(status, "{}", None));
        for s in [429, 502, 503, 504] {
            assert!(retryable(&api(s)), "{s}");
        }
        for s in [400, 401, 403, 404, 500] {
            assert!(!retryable(&api(s)), "{s}");
        }
        let t = |timed_out| Error::Transport {
            message: String::new(),
            maybe_sent: true,
            timed_out,
        };
        assert!(retryable(&t(false)) && !retryable(&t(true)));
    }
}

#[cfg(test)]
mod company_info_tests {
    use super::CompanyInfo;

    #[test]
    fn is_cloud_comes_as_a_string_or_a_bool() {
        let a: CompanyInfo = serde_json::from_str(r#"{"CompanyName":"ConnectWise","Codebase":"v2017_3/","VersionCode":"v2017.3","VersionNumber":"v4.6.38842","CompanyID":"CW","IsCloud":"True"}"#).unwrap();
        assert!(a.cloud());
        assert_eq!(a.codebase.as_deref(), Some("v2017_3/"));
        let b: CompanyInfo =
            serde_json::from_str(r#"{"Codebase":"v4_6_release/","IsCloud":false}"#).unwrap();
        assert!(!b.cloud());
        assert!(serde_json::from_str::<Option<CompanyInfo>>("null")
            .unwrap()
            .is_none());
    }
}
