//! Role tokens for shared HTTP deployments: `MCP_TOKENS_VIEWER`, `MCP_TOKENS_EDITOR` and
//! `MCP_TOKENS_ADMIN`, each `label:token,label:token`. A token may also be given as its digest,
//! `label:sha256:<64 hex>`, so plaintext tokens need not sit in env files.
//!
//! Only SHA-256 digests are kept in memory. A presented bearer token is hashed and compared
//! with every configured digest in constant time, so neither the comparison nor the order of
//! the list says how close a guess was. Errors name the label, never the token.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::auth::{Principal, Role};
use crate::errors::ConfigError;

/// Shortest plaintext token accepted: 32 characters of the token alphabet carry at least
/// 190 bits, beyond guessing.
pub const MIN_TOKEN_CHARS: usize = 32;

/// The variables, by role.
pub const VARIABLES: [(&str, Role); 3] = [
    ("MCP_TOKENS_VIEWER", Role::Viewer),
    ("MCP_TOKENS_EDITOR", Role::Editor),
    ("MCP_TOKENS_ADMIN", Role::Admin),
];

struct Entry {
    label: String,
    role: Role,
    digest: [u8; 32],
}

/// Every configured token, as digests. Empty means dev mode (no authentication).
#[derive(Default)]
pub struct Tokens(Vec<Entry>);

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|e| (&e.label, e.role)))
            .finish()
    }
}

impl Tokens {
    /// Reads the three variables from `env`.
    pub fn from_env(env: &impl Fn(&str) -> Option<String>) -> Result<Tokens, ConfigError> {
        let mut out = Tokens::default();
        for (var, role) in VARIABLES {
            if let Some(list) = env(var) {
                out.add(var, role, &list)?;
            }
        }
        Ok(out)
    }

    fn add(&mut self, var: &str, role: Role, list: &str) -> Result<(), ConfigError> {
        for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let Some((label, secret)) = item.split_once(':') else {
                return Err(ConfigError(format!(
                    "{var}: an entry has no label; write label:token (or label:sha256:<hex>), comma-separated"
                )));
            };
            let label = label.trim();
            if label.is_empty()
                || label.len() > 64
                || !label
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._@-".contains(c))
            {
                return Err(ConfigError(format!(
                    "{var}: a label must be 1 to 64 letters, digits or . _ @ - (got {:?})",
                    label.chars().take(64).collect::<String>()
                )));
            }
            let digest = parse_secret(secret.trim())
                .map_err(|why| ConfigError(format!("{var}: the token of \"{label}\" {why}")))?;
            if let Some(e) = self.0.iter().find(|e| e.label.eq_ignore_ascii_case(label)) {
                return Err(ConfigError(format!(
                    "{var}: the label \"{label}\" is listed twice (also as {}); each token needs its own label",
                    e.role.name()
                )));
            }
            if let Some(e) = self.0.iter().find(|e| bool::from(e.digest.ct_eq(&digest))) {
                return Err(ConfigError(format!(
                    "{var}: \"{label}\" has the same token as \"{}\"; give each its own (connectwise-mcp token --label {label})",
                    e.label
                )));
            }
            self.0.push(Entry {
                label: label.to_string(),
                role,
                digest,
            });
        }
        Ok(())
    }

    /// Whether any token is configured (otherwise HTTP runs in dev mode).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many tokens each role has, for the start-up line.
    pub fn summary(&self) -> String {
        VARIABLES
            .iter()
            .map(|(_, r)| {
                let n = self.0.iter().filter(|e| e.role == *r).count();
                format!("{n} {}", r.name())
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The principal a bearer token belongs to. Every digest is compared, in constant time.
    pub fn authenticate(&self, bearer: &str) -> Option<Principal> {
        let presented: [u8; 32] = Sha256::digest(bearer.as_bytes()).into();
        let mut found: Option<&Entry> = None;
        for e in &self.0 {
            if bool::from(e.digest.ct_eq(&presented)) {
                found = Some(e);
            }
        }
        found.map(|e| Principal {
            label: e.label.clone(),
            role: e.role,
            local: false,
        })
    }
}

/// A plaintext token or `sha256:<hex>`, as its digest; the error says what is wrong without
/// repeating it.
fn parse_secret(s: &str) -> Result<[u8; 32], String> {
    if let Some(hex_digest) = s.strip_prefix("sha256:") {
        let bytes = hex::decode(hex_digest)
            .ok()
            .filter(|b| b.len() == 32)
            .ok_or("is not a SHA-256 digest: after sha256: come exactly 64 hex digits")?;
        let mut d = [0u8; 32];
        d.copy_from_slice(&bytes);
        return Ok(d);
    }
    if s.chars().count() < MIN_TOKEN_CHARS {
        return Err(format!(
            "is too short: use at least {MIN_TOKEN_CHARS} characters (mint one with connectwise-mcp token)"
        ));
    }
    if !s.chars().all(is_token_char) {
        return Err(
            "has characters a bearer token cannot carry: use letters, digits and - . _ ~ + / ="
                .into(),
        );
    }
    Ok(Sha256::digest(s.as_bytes()).into())
}

/// RFC 6750's token68 alphabet.
fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~+/=".contains(c)
}

/// A new token: 32 random bytes from the OS, base64url without padding (43 characters), and
/// its digest form.
pub fn mint() -> Result<(String, String), getrandom::Error> {
    use base64::Engine;
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let digest = hex::encode(Sha256::digest(token.as_bytes()));
    Ok((token, format!("sha256:{digest}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    fn tokens(pairs: &[(&'static str, String)]) -> Result<Tokens, ConfigError> {
        let pairs = pairs.to_vec();
        Tokens::from_env(&move |k: &str| {
            pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone())
        })
    }

    #[test]
    fn plaintext_and_digest_forms_authenticate_to_their_role() {
        let (minted, digest) = mint().unwrap();
        assert_eq!(minted.len(), 43);
        let t = tokens(&[
            ("MCP_TOKENS_VIEWER", format!("ann:{A}")),
            ("MCP_TOKENS_EDITOR", format!(" bob:{digest} , carl:{B}")),
        ])
        .unwrap();
        assert_eq!(t.authenticate(A).unwrap().role, Role::Viewer);
        let bob = t.authenticate(&minted).unwrap();
        assert_eq!((bob.label.as_str(), bob.role), ("bob", Role::Editor));
        assert_eq!(t.authenticate(B).unwrap().label, "carl");
        assert!(t.authenticate("nope").is_none());
        assert!(
            t.authenticate(&digest).is_none(),
            "the digest is not a token"
        );
        assert_eq!(t.summary(), "1 viewer, 2 editor, 0 admin");
        assert!(!format!("{t:?}").contains(A));
    }

    #[test]
    fn bad_lists_name_the_label_and_never_the_token() {
        let short = "short-secret-123";
        for (value, expect) in [
            (format!("ann:{short}"), "\"ann\" is too short"),
            (format!("ann:{A}!"), "\"ann\" has characters"),
            (
                "ann:sha256:abcd".to_string(),
                "\"ann\" is not a SHA-256 digest",
            ),
            (format!("ann:{A},ann:{B}"), "\"ann\" is listed twice"),
            (
                format!("ann:{A},bob:{A}"),
                "\"bob\" has the same token as \"ann\"",
            ),
            (A.to_string(), "no label"),
            (format!("a b:{A}"), "a label must be"),
        ] {
            let e = tokens(&[("MCP_TOKENS_ADMIN", value.clone())])
                .unwrap_err()
                .0;
            assert!(e.contains(expect), "{value}: {e}");
            assert!(e.starts_with("MCP_TOKENS_ADMIN"), "{e}");
            assert!(!e.contains(A) && !e.contains(short), "{e}");
        }
        let across = tokens(&[
            ("MCP_TOKENS_VIEWER", format!("ann:{A}")),
            ("MCP_TOKENS_ADMIN", format!("root:{A}")),
        ]);
        assert!(across.unwrap_err().0.contains("same token"));
        assert!(tokens(&[]).unwrap().is_empty());
    }
}
