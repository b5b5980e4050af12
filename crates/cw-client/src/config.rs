//! Where ConnectWise is and who we are to it. This crate reads no environment: the product's
//! configuration (one struct, in `connectwise-mcp`) fills these in.
//!
//! * [`Site::parse`] normalises what people type for a site: `na.myconnectwise.net`,
//!   `api-na.myconnectwise.net`, a full URL, an on-prem host, or `http://127.0.0.1:PORT` for the
//!   simulator (plain http only on loopback).
//! * [`Config::api_version`] takes what seed 001 calls `CW_API_VERSION`: a codebase such as
//!   `v2025_1` or `v4_6_release` pins the codebase (no discovery); a version such as `2025.1` or
//!   `v2023.2` sets the `Accept` version.
//! * [`Credentials`] hold an API member's keys as [`SecretString`]s, which never print.

use crate::circuit::CircuitPolicy;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

/// Cloud login hosts and their API hosts (ConnectWise: cloud requests need the `api-` host).
const CLOUD: &[(&str, &str)] = &[
    ("na.myconnectwise.net", "api-na.myconnectwise.net"),
    ("eu.myconnectwise.net", "api-eu.myconnectwise.net"),
    ("au.myconnectwise.net", "api-au.myconnectwise.net"),
    ("aus.myconnectwise.net", "api-aus.myconnectwise.net"),
    ("za.myconnectwise.net", "api-za.myconnectwise.net"),
    (
        "staging.connectwisedev.com",
        "api-staging.connectwisedev.com",
    ),
];

/// The `Accept` version the client is written and tested against.
pub const DEFAULT_API_VERSION: &str = "2025.1";

/// A configuration problem, with what to set to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

/// A ConnectWise API member's keys, and optionally who they belong to.
#[derive(Clone, Debug)]
pub struct Credentials {
    pub public_key: SecretString,
    pub private_key: SecretString,
    /// The member identifier the keys belong to, when known (enables "my" tools without
    /// `/system/myAccount`).
    pub member_identifier: Option<String>,
}

impl Credentials {
    pub fn new(public: &str, private: &str, member: Option<&str>) -> Credentials {
        Credentials {
            public_key: SecretString::from(public.trim()),
            private_key: SecretString::from(private.trim()),
            member_identifier: member
                .map(str::trim)
                .filter(|m| !m.is_empty())
                .map(str::to_string),
        }
    }

    /// A stable, non-reversible identity for caches and audit: SHA-256 of the key pair, first
    /// 16 hex digits. Two members never share one; the keys cannot be recovered from it.
    pub fn fingerprint(&self) -> String {
        let mut h = Sha256::new();
        h.update(self.public_key.expose_secret().as_bytes());
        h.update([0]);
        h.update(self.private_key.expose_secret().as_bytes());
        hex::encode(h.finalize().get(..8).unwrap_or_default())
    }
}

/// Resolved site: scheme and host to send API requests to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    /// `https://api-na.myconnectwise.net` (no trailing slash, no path).
    pub origin: String,
}

impl Site {
    /// Normalises what people put in `CW_SITE`.
    pub fn parse(raw: &str) -> Result<Site, ConfigError> {
        let raw = raw.trim().trim_end_matches('/');
        if raw.is_empty() {
            return Err(ConfigError(
                "CW_SITE is empty: set it to your ConnectWise site, e.g. na.myconnectwise.net"
                    .into(),
            ));
        }
        let (scheme, rest) = match raw.split_once("://") {
            Some((s, r)) => (s.to_ascii_lowercase(), r),
            None => ("https".to_string(), raw),
        };
        if scheme != "https" && scheme != "http" {
            return Err(ConfigError(format!(
                "CW_SITE scheme `{scheme}` is not http or https"
            )));
        }
        let host = rest.split('/').next().unwrap_or("").to_ascii_lowercase();
        if host.is_empty() || host.contains(['@', ' ', '?', '#']) {
            return Err(ConfigError(format!(
                "CW_SITE `{raw}` has no usable host name"
            )));
        }
        let hostname = host
            .rsplit_once(':')
            .map(|(h, p)| {
                if p.chars().all(|c| c.is_ascii_digit()) {
                    h
                } else {
                    host.as_str()
                }
            })
            .unwrap_or(&host);
        let loopback =
            hostname == "localhost" || hostname == "[::1]" || hostname.starts_with("127.");
        if scheme == "http" && !loopback {
            return Err(ConfigError(format!(
                "CW_SITE `{raw}` uses http; ConnectWise requires HTTPS (plain http is only allowed for a local simulator on 127.0.0.1 or localhost)"
            )));
        }
        let host = CLOUD
            .iter()
            .find(|(login, _)| *login == host)
            .map(|(_, api)| api.to_string())
            .unwrap_or(host);
        Ok(Site {
            origin: format!("{scheme}://{host}"),
        })
    }
}

/// Everything the client needs that is not a key.
#[derive(Debug, Clone)]
pub struct Config {
    pub site: Site,
    pub company_id: String,
    pub client_id: String,
    /// A pinned codebase (`v2025_1/`); discovered from `/login/companyinfo` when `None`.
    pub codebase: Option<String>,
    pub api_version: String,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    pub retry: RetryPolicy,
    pub circuit: CircuitPolicy,
    /// How long a GET's answer may be given again to an identical GET with the same keys
    /// from a client that asked for [`crate::CwClient::cached`] (zero: never). Identical GETs
    /// in flight at once are sent once either way.
    pub read_cache: Duration,
    /// Requests in flight at once per key; more wait their turn.
    pub max_in_flight: usize,
}

/// How GETs are retried (writes never are).
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub max_retries: usize,
    pub base: Duration,
    pub cap: Duration,
    /// A `Retry-After` longer than this is not waited out: the error goes back to the caller.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            base: Duration::from_millis(250),
            cap: Duration::from_secs(4),
            max_retry_after: Duration::from_secs(20),
        }
    }
}

fn is_codebase(v: &str) -> bool {
    let v = v.trim_end_matches('/');
    v == "v4_6_release"
        || v.strip_prefix('v')
            .and_then(|r| r.split_once('_'))
            .is_some_and(|(y, n)| {
                y.len() == 4
                    && y.chars().all(|c| c.is_ascii_digit())
                    && !n.is_empty()
                    && n.chars().all(|c| c.is_ascii_digit())
            })
}

impl Config {
    /// A configuration with the defaults: codebase discovered, API version
    /// [`DEFAULT_API_VERSION`], 10 s to connect, 30 s per request, GETs retried three times.
    pub fn new(site: Site, company_id: &str, client_id: &str) -> Config {
        Config {
            site,
            company_id: company_id.trim().to_string(),
            client_id: client_id.trim().to_string(),
            codebase: None,
            api_version: DEFAULT_API_VERSION.to_string(),
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
            circuit: CircuitPolicy::default(),
            read_cache: Duration::from_secs(2),
            max_in_flight: 8,
        }
    }

    /// Applies seed 001's `CW_API_VERSION`: a codebase pins the codebase, a version sets the
    /// `Accept` version.
    pub fn api_version(mut self, v: &str) -> Result<Config, ConfigError> {
        let v = v.trim();
        if is_codebase(v) {
            self.codebase = Some(format!("{}/", v.trim_end_matches('/')));
            return Ok(self);
        }
        let ver = v.trim_start_matches(['v', 'V']);
        let ok = ver.split_once('.').is_some_and(|(y, n)| {
            y.len() == 4
                && y.chars().all(|c| c.is_ascii_digit())
                && !n.is_empty()
                && n.chars().all(|c| c.is_ascii_digit())
        });
        if !ok {
            return Err(ConfigError(format!("CW_API_VERSION `{v}` is neither a codebase (v2025_1, v4_6_release) nor an API version (2025.1)")));
        }
        self.api_version = ver.to_string();
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sites_normalise_like_connectwise_wants() {
        let o = |s: &str| Site::parse(s).map(|s| s.origin);
        assert_eq!(
            o("na.myconnectwise.net").unwrap(),
            "https://api-na.myconnectwise.net"
        );
        assert_eq!(
            o("https://eu.myconnectwise.net/v4_6_release/").unwrap(),
            "https://api-eu.myconnectwise.net"
        );
        assert_eq!(
            o("api-au.myconnectwise.net").unwrap(),
            "https://api-au.myconnectwise.net"
        );
        assert_eq!(
            o("staging.connectwisedev.com").unwrap(),
            "https://api-staging.connectwisedev.com"
        );
        assert_eq!(
            o("connect.example.com").unwrap(),
            "https://connect.example.com"
        );
        assert_eq!(o("http://127.0.0.1:8090").unwrap(), "http://127.0.0.1:8090");
        assert!(o("http://connect.example.com")
            .unwrap_err()
            .0
            .contains("HTTPS"));
        assert!(o("ftp://x").is_err());
        assert!(o("").is_err());
    }

    #[test]
    fn api_version_pins_a_codebase_or_sets_the_accept_version() {
        let base = || Config::new(Site::parse("na.myconnectwise.net").unwrap(), "a", "b");
        let c = base().api_version("v2023.2").unwrap();
        assert_eq!((c.api_version.as_str(), c.codebase), ("2023.2", None));
        let c = base().api_version("v2025_1").unwrap();
        assert_eq!(c.codebase.as_deref(), Some("v2025_1/"));
        assert_eq!(c.api_version, DEFAULT_API_VERSION);
        assert!(base()
            .api_version("latest")
            .unwrap_err()
            .0
            .contains("neither"));
    }

    #[test]
    fn keys_never_print_and_fingerprints_do_not_reveal_them() {
        let a = Credentials::new("pub", "priv-SENTINEL", None);
        let b = Credentials::new("pub", "priv-SENTINEL", Some("x"));
        let c = Credentials::new("pub", "other", None);
        assert_eq!(a.fingerprint(), b.fingerprint());
        assert_ne!(a.fingerprint(), c.fingerprint());
        assert_eq!(a.fingerprint().len(), 16);
        let shown = format!("{a:?}");
        assert!(
            !shown.contains("SENTINEL") && !shown.contains("\"pub\""),
            "{shown}"
        );
    }
}
