//! What leaves this module never carries a credential: every response, capture, evaluation
//! result, page text and error passes through [`Redactor`]. Header values of credential
//! headers, JSON values under credential-like keys (at any depth), JWTs and `Bearer` tokens in
//! any string, secret-looking URL query parameters, and the configured password, TOTP secret
//! and current access token wherever they appear are replaced by `[REDACTED]`.

use std::sync::{Arc, RwLock};

use regex::Regex;
use serde_json::{Map, Value};

const MARK: &str = "[REDACTED]";

/// Replaces secrets; cheap to clone, shared by every tool.
#[derive(Clone)]
pub struct Redactor {
    known: Arc<RwLock<Vec<String>>>,
    jwt: Regex,
    bearer: Regex,
}

impl Redactor {
    pub fn new(known: Vec<String>) -> Redactor {
        Redactor {
            known: Arc::new(RwLock::new(known)),
            // A JWT: base64url header and payload that both start as JSON objects.
            jwt: Regex::new(r"eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
                .unwrap_or_else(|_| unreachable_regex()),
            bearer: Regex::new(r"(?i)\b(bearer)\s+[A-Za-z0-9\-._~+/]+=*")
                .unwrap_or_else(|_| unreachable_regex()),
        }
    }

    /// Adds a value seen at run time (the portal's access token) to the known secrets.
    pub fn learn(&self, secret: &str) {
        if secret.len() < 8 {
            return;
        }
        if let Ok(mut k) = self.known.write() {
            if !k.iter().any(|s| s == secret) {
                k.push(secret.to_string());
            }
        }
    }

    /// A string with every known secret, JWT and bearer token replaced.
    pub fn text(&self, s: &str) -> String {
        let mut out = s.to_string();
        if let Ok(k) = self.known.read() {
            for secret in k.iter() {
                if out.contains(secret.as_str()) {
                    out = out.replace(secret.as_str(), MARK);
                }
            }
        }
        let out = self.jwt.replace_all(&out, "[REDACTED_JWT]");
        self.bearer.replace_all(&out, "$1 [REDACTED]").into_owned()
    }

    /// A header's value as it may be shown.
    pub fn header(&self, name: &str, value: &str) -> String {
        if secret_header(name) {
            MARK.to_string()
        } else {
            self.text(value)
        }
    }

    /// A URL with secret-looking query parameters (and fragment parameters) replaced.
    pub fn url(&self, url: &str) -> String {
        let Ok(mut u) = url::Url::parse(url) else {
            return self.text(url);
        };
        if u.query().is_some() {
            let pairs: Vec<(String, String)> = u
                .query_pairs()
                .map(|(k, v)| {
                    let v = if secret_param(&k) {
                        MARK.to_string()
                    } else {
                        self.text(&v)
                    };
                    (k.into_owned(), v)
                })
                .collect();
            u.query_pairs_mut().clear().extend_pairs(pairs);
        }
        if let Some(f) = u.fragment() {
            if f.contains('=') {
                let cleaned: Vec<String> = f
                    .split('&')
                    .map(|p| match p.split_once('=') {
                        Some((k, _)) if secret_param(k) => format!("{k}={MARK}"),
                        _ => p.to_string(),
                    })
                    .collect();
                u.set_fragment(Some(&cleaned.join("&")));
            }
        }
        self.text(u.as_str())
    }

    /// A JSON value with credential-like keys' values and secrets in strings replaced.
    pub fn json(&self, v: &Value) -> Value {
        match v {
            Value::String(s) => Value::String(self.text(s)),
            Value::Array(a) => Value::Array(a.iter().map(|x| self.json(x)).collect()),
            Value::Object(o) => {
                let mut out = Map::new();
                for (k, x) in o {
                    let x = if secret_key(k) && !x.is_null() {
                        Value::String(MARK.into())
                    } else {
                        self.json(x)
                    };
                    out.insert(k.clone(), x);
                }
                Value::Object(out)
            }
            other => other.clone(),
        }
    }
}

#[allow(clippy::panic)] // the two patterns above are literals, checked by the tests
fn unreachable_regex() -> Regex {
    panic!("a built-in redaction pattern does not compile")
}

/// Headers whose whole value is a credential.
pub fn secret_header(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    if n.starts_with("content-") {
        return false;
    }
    matches!(
        n.as_str(),
        "authorization"
            | "proxy-authorization"
            | "cookie"
            | "set-cookie"
            | "x-api-key"
            | "api-key"
            | "x-csrf-token"
            | "x-xsrf-token"
            | "csrf-token"
    ) || [
        "token", "secret", "session", "auth", "csrf", "xsrf", "api-key", "apikey",
    ]
    .iter()
    .any(|w| n.contains(w))
}

/// JSON keys whose value is a credential.
pub fn secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase().replace('-', "_");
    matches!(
        k.as_str(),
        "password"
            | "passwd"
            | "secret"
            | "token"
            | "bearer"
            | "api_key"
            | "apikey"
            | "private_key"
            | "privatekey"
            | "mfa_secret"
            | "mfa_code"
            | "otp"
            | "otp_code"
            | "totp"
            | "authorization"
            | "cookie"
            | "set_cookie"
            | "session_id"
            | "sessionid"
            | "sid"
            | "code_verifier"
            | "client_secret"
    ) || ["token", "secret", "password", "passwd"]
        .iter()
        .any(|w| k.contains(w))
}

/// URL query parameters whose value is a credential.
fn secret_param(name: &str) -> bool {
    matches!(
        name.to_ascii_lowercase().as_str(),
        "code"
            | "state"
            | "id_token"
            | "access_token"
            | "refresh_token"
            | "session_state"
            | "sid"
            | "token"
            | "key"
            | "api_key"
            | "signature"
            | "sig"
    ) || secret_key(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const JWT: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";

    #[test]
    fn headers_keys_strings_and_urls() {
        let r = Redactor::new(vec!["Correct-Horse-9".into()]);
        for h in [
            "Authorization",
            "cookie",
            "Set-Cookie",
            "X-Session-Token",
            "x-csrf-token",
            "X-API-Key",
            "x-portal-auth",
            "Proxy-Authorization",
        ] {
            assert_eq!(r.header(h, "abc"), MARK, "{h}");
        }
        assert_eq!(
            r.header("content-type", "application/json"),
            "application/json"
        );
        let v = r.json(&json!({"name": "n", "refresh_token": "r", "nested": [{"api_key": "k", "Password": "p"}], "accessToken": "a",
                               "note": format!("jwt {JWT} and Bearer abc.def and Correct-Horse-9")}));
        let s = v.to_string();
        for leaked in [
            "\"r\"",
            "\"k\"",
            "\"p\"",
            "\"a\"",
            JWT,
            "abc.def",
            "Correct-Horse-9",
        ] {
            assert!(!s.contains(leaked), "{leaked} in {s}");
        }
        assert!(
            s.contains("\"name\":\"n\"")
                && s.contains("[REDACTED_JWT]")
                && s.contains("Bearer [REDACTED]")
        );
        let u = r
            .url("https://home.localhost/callback?code=abc123&state=s&page=2#access_token=tok&x=1");
        assert!(
            !u.contains("abc123") && !u.contains("tok&") && u.contains("page=2"),
            "{u}"
        );
        r.learn("live-access-token-value");
        assert_eq!(r.text("x live-access-token-value y"), "x [REDACTED] y");
    }
}
