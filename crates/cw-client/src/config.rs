//! Where ConnectWise is and who we are to it, from the environment names the seed servers use.
//!
//! * `CW_SITE` (seed 000): `na.myconnectwise.net`, `api-na.myconnectwise.net`, a full URL, an
//!   on-prem host, or `http://127.0.0.1:PORT` for the simulator. `CW_API_URL` (seed 001) is an
//!   alias.
//! * `CW_COMPANY_ID`, `CW_CLIENT_ID`, `CW_PUBLIC_KEY`, `CW_PRIVATE_KEY`, `CW_MEMBER_IDENTIFIER`.
//! * `CW_API_VERSION` (seed 001): a codebase such as `v2025_1` or `v4_6_release` pins the
//!   codebase (no discovery); a version such as `2025.1` or `v2023.2` sets the `Accept` version.

use std::fmt;
use std::time::Duration;

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

/// A secret string: never printed, compared in constant time.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }

    /// The value, for building the one header that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Constant-time comparison.
    pub fn ct_eq(&self, other: &str) -> bool {
        let (a, b) = (self.0.as_bytes(), other.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// A ConnectWise API member's keys, and optionally who they belong to.
#[derive(Clone, Debug)]
pub struct Credentials {
    pub public_key: Secret,
    pub private_key: Secret,
    /// The member identifier the keys belong to, when known (enables "my" tools without
    /// `/system/myAccount`).
    pub member_identifier: Option<String>,
}

impl Credentials {
    pub fn new(public: &str, private: &str, member: Option<&str>) -> Credentials {
        Credentials {
            public_key: Secret::new(public.trim()),
            private_key: Secret::new(private.trim()),
            member_identifier: member
                .map(str::trim)
                .filter(|m| !m.is_empty())
                .map(str::to_string),
        }
    }

    /// A stable, non-reversible identity for caches and audit: SHA-256 of the key pair, first
    /// 16 hex digits.
    pub fn fingerprint(&self) -> String {
        let mut h = Sha256::new();
        h.update(self.public_key.expose().as_bytes());
        h.update([0]);
        h.update(self.private_key.expose().as_bytes());
        hex::encode(&h.finalize()[..8])
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
}

/// How GETs are retried (writes never are).
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub max_retries: u32,
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

/// Reads an environment variable, treating empty as unset.
fn var(get: &dyn Fn(&str) -> Option<String>, names: &[&str]) -> Option<String> {
    names
        .iter()
        .find_map(|n| get(n))
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
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
    /// Builds the configuration from environment-style lookups, returning the server-wide
    /// credentials too when both keys are set.
    pub fn from_lookup(
        get: &dyn Fn(&str) -> Option<String>,
    ) -> Result<(Config, Option<Credentials>), ConfigError> {
        let site = var(get, &["CW_SITE", "CW_API_URL"]).ok_or_else(|| {
            ConfigError("CW_SITE is not set: set it to your ConnectWise site (e.g. na.myconnectwise.net), or run `connectwise-mcp demo` to try the simulated tenant".into())
        })?;
        let company_id = var(get, &["CW_COMPANY_ID"]).ok_or_else(|| ConfigError("CW_COMPANY_ID is not set: it is the company id you type at the ConnectWise login screen".into()))?;
        let client_id = var(get, &["CW_CLIENT_ID"]).ok_or_else(|| {
            ConfigError("CW_CLIENT_ID is not set: ConnectWise requires a clientId for every API call; register a free integration at developer.connectwise.com".into())
        })?;
        let mut codebase = None;
        let mut api_version = DEFAULT_API_VERSION.to_string();
        if let Some(v) = var(get, &["CW_API_VERSION"]) {
            if is_codebase(&v) {
                codebase = Some(format!("{}/", v.trim_end_matches('/')));
            } else {
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
                api_version = ver.to_string();
            }
        }
        let secs = |name: &str, default: u64| -> Result<Duration, ConfigError> {
            match var(get, &[name]) {
                None => Ok(Duration::from_secs(default)),
                Some(v) => v
                    .parse::<u64>()
                    .ok()
                    .filter(|n| (1..=600).contains(n))
                    .map(Duration::from_secs)
                    .ok_or_else(|| {
                        ConfigError(format!("{name} must be a number of seconds from 1 to 600"))
                    }),
            }
        };
        let cfg = Config {
            site: Site::parse(&site)?,
            company_id,
            client_id,
            codebase,
            api_version,
            connect_timeout: secs("CW_CONNECT_TIMEOUT_SECS", 10)?,
            request_timeout: secs("CW_TIMEOUT_SECS", 30)?,
            retry: RetryPolicy::default(),
        };
        let public = var(get, &["CW_PUBLIC_KEY"]);
        let private = var(get, &["CW_PRIVATE_KEY"]);
        let member = var(get, &["CW_MEMBER_IDENTIFIER"]);
        let creds = match (public, private) {
            (Some(p), Some(k)) => Some(Credentials::new(&p, &k, member.as_deref())),
            (None, None) => None,
            _ => {
                return Err(ConfigError(
                    "set both CW_PUBLIC_KEY and CW_PRIVATE_KEY, or neither".into(),
                ))
            }
        };
        Ok((cfg, creds))
    }

    /// [`Config::from_lookup`] over the process environment.
    pub fn from_env() -> Result<(Config, Option<Credentials>), ConfigError> {
        Config::from_lookup(&|k| std::env::var(k).ok())
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
    fn env_names_and_aliases() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        let (c, creds) = Config::from_lookup(&env(&[
            ("CW_API_URL", "https://api-na.myconnectwise.net"),
            ("CW_COMPANY_ID", "acme"),
            ("CW_CLIENT_ID", "abc"),
            ("CW_API_VERSION", "v2023.2"),
            ("CW_PUBLIC_KEY", "pub"),
            ("CW_PRIVATE_KEY", "priv"),
            ("CW_MEMBER_IDENTIFIER", "JSmith"),
        ]))
        .unwrap();
        assert_eq!(c.api_version, "2023.2");
        assert_eq!(c.codebase, None);
        let creds = creds.unwrap();
        assert_eq!(creds.member_identifier.as_deref(), Some("JSmith"));
        assert_eq!(format!("{creds:?}").matches("<redacted>").count(), 2);
        assert!(!format!("{creds:?}").contains("priv\""));
        let (c, _) = Config::from_lookup(&env(&[
            ("CW_SITE", "na.myconnectwise.net"),
            ("CW_COMPANY_ID", "a"),
            ("CW_CLIENT_ID", "b"),
            ("CW_API_VERSION", "v2025_1"),
        ]))
        .unwrap();
        assert_eq!(c.codebase.as_deref(), Some("v2025_1/"));
        let e = Config::from_lookup(&env(&[
            ("CW_SITE", "na.myconnectwise.net"),
            ("CW_COMPANY_ID", "a"),
        ]))
        .unwrap_err();
        assert!(e.0.contains("CW_CLIENT_ID"));
        let e = Config::from_lookup(&env(&[
            ("CW_SITE", "x.example"),
            ("CW_COMPANY_ID", "a"),
            ("CW_CLIENT_ID", "b"),
            ("CW_PUBLIC_KEY", "p"),
        ]))
        .unwrap_err();
        assert!(e.0.contains("both"));
    }

    #[test]
    fn fingerprints_are_stable_and_do_not_reveal_keys() {
        let a = Credentials::new("pub", "priv", None);
        let b = Credentials::new("pub", "priv", Some("x"));
        let c = Credentials::new("pub", "other", None);
        assert_eq!(a.fingerprint(), b.fingerprint());
        assert_ne!(a.fingerprint(), c.fingerprint());
        assert_eq!(a.fingerprint().len(), 16);
        assert!(a.public_key.ct_eq("pub") && !a.public_key.ct_eq("pu"));
    }
}
