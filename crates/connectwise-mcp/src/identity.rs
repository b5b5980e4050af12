//! Whose keys these are. ConnectWise knows which member a set of API keys belongs to
//! (`/system/myAccount`); a client's `x-cw-member-id` header only claims it. The server asks
//! once per key fingerprint and remembers the answer (an hour; five minutes for keys
//! ConnectWise refused), in this process and, with replicas, in Redis, so a header that names
//! someone else is refused, notes and time are audited under the member who really wrote them,
//! and "my" tools and read-backs look for the right member's records.
//!
//! Keys ConnectWise refused are not sent to it again while that is remembered: a caller
//! inventing keys costs ConnectWise one request per set, and is bounded per address
//! ([`crate::transport::access`]).

use std::sync::Arc;
use std::time::Duration;

use cw_client::{CwClient, Error as CwError, ExposeSecret};
use sha2::{Digest, Sha256};

use crate::cache::BoxFuture;

/// What ConnectWise said about a set of keys.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "v", content = "m", rename_all = "snake_case")]
pub enum Verdict {
    /// They are this member's (its identifier).
    Member(String),
    /// ConnectWise accepted them but cannot say whose they are (an on-prem version without
    /// `/system/myAccount`): the member header, or `CW_MEMBER_IDENTIFIER`, names the member.
    Unnamed,
    /// ConnectWise refused them (401).
    Refused,
}

impl Verdict {
    /// How long the verdict is trusted: who owns keys does not change, but keys can be
    /// revoked (a later 401 replaces it at once) or fixed (a refusal is retried soon).
    pub fn lasts(&self) -> Duration {
        match self {
            Verdict::Member(_) | Verdict::Unnamed => Duration::from_secs(3600),
            Verdict::Refused => Duration::from_secs(300),
        }
    }
}

/// Where verdicts are kept: `id` names the keys (a hash of their fingerprint), `seal` is
/// derived from the keys themselves, for a store others can read (Redis) to encrypt with.
pub struct KeysId {
    pub id: String,
    pub seal: [u8; 32],
}

impl KeysId {
    pub fn of(cw: &CwClient) -> KeysId {
        let digest = |label: &str, parts: &[&str]| {
            let mut h = Sha256::new();
            h.update(label.as_bytes());
            for p in parts {
                h.update([0]);
                h.update(p.as_bytes());
            }
            h.finalize()
        };
        let c = cw.credentials();
        KeysId {
            id: hex::encode(digest("identity-id", &[cw.fingerprint()])),
            seal: digest(
                "identity-seal",
                &[c.public_key.expose_secret(), c.private_key.expose_secret()],
            )
            .into(),
        }
    }
}

/// A store of verdicts, shared by replicas or not.
pub trait VerdictStore: Send + Sync {
    fn get<'a>(&'a self, k: &'a KeysId) -> BoxFuture<'a, Option<Verdict>>;
    fn put<'a>(&'a self, k: &'a KeysId, v: Verdict) -> BoxFuture<'a, ()>;
}

/// Verdicts in this process, each kept as long as it [lasts](Verdict::lasts).
pub struct LocalVerdicts(moka::future::Cache<String, Verdict>);

struct Lasts;

impl moka::Expiry<String, Verdict> for Lasts {
    fn expire_after_create(
        &self,
        _: &String,
        v: &Verdict,
        _: std::time::Instant,
    ) -> Option<Duration> {
        Some(v.lasts())
    }

    fn expire_after_update(
        &self,
        _: &String,
        v: &Verdict,
        _: std::time::Instant,
        _: Option<Duration>,
    ) -> Option<Duration> {
        Some(v.lasts())
    }
}

impl Default for LocalVerdicts {
    fn default() -> Self {
        LocalVerdicts(
            moka::future::Cache::builder()
                .max_capacity(100_000)
                .expire_after(Lasts)
                .build(),
        )
    }
}

impl VerdictStore for LocalVerdicts {
    fn get<'a>(&'a self, k: &'a KeysId) -> BoxFuture<'a, Option<Verdict>> {
        Box::pin(self.0.get(&k.id))
    }

    fn put<'a>(&'a self, k: &'a KeysId, v: Verdict) -> BoxFuture<'a, ()> {
        Box::pin(self.0.insert(k.id.clone(), v))
    }
}

/// ConnectWise could not be asked (down, slow, or an answer that made no sense): nothing is
/// known about the keys, and nothing is remembered.
#[derive(Debug, Clone)]
pub struct Unknown(pub CwError);

/// Learns and remembers whose keys are whose.
pub struct Identities {
    store: Arc<dyn VerdictStore>,
    /// Asks in flight, so a burst of requests with new keys asks ConnectWise once.
    asking: moka::future::Cache<String, Verdict>,
}

impl Default for Identities {
    fn default() -> Self {
        Identities::new(Arc::new(LocalVerdicts::default()))
    }
}

impl Identities {
    pub fn new(store: Arc<dyn VerdictStore>) -> Identities {
        Identities {
            store,
            asking: moka::future::Cache::builder()
                .max_capacity(10_000)
                .time_to_live(Duration::from_secs(5))
                .build(),
        }
    }

    /// What is remembered about `cw`'s keys, without asking ConnectWise.
    pub async fn remembered(&self, cw: &CwClient) -> Option<Verdict> {
        self.store.get(&KeysId::of(cw)).await
    }

    /// Whose `cw`'s keys are: remembered, or asked of ConnectWise once and remembered.
    pub async fn verdict(&self, cw: &CwClient) -> Result<Verdict, Unknown> {
        let k = KeysId::of(cw);
        if let Some(v) = self.store.get(&k).await {
            return Ok(v);
        }
        let asked = self
            .asking
            .try_get_with(k.id.clone(), ask(cw))
            .await
            .map_err(|e: Arc<Unknown>| (*e).clone())?;
        self.store.put(&k, asked.clone()).await;
        Ok(asked)
    }

    /// ConnectWise refused `cw`'s keys on a call: remember it, so they are not sent again.
    pub async fn refused(&self, cw: &CwClient) {
        self.store.put(&KeysId::of(cw), Verdict::Refused).await;
    }
}

/// One `/system/myAccount` request with the keys.
async fn ask(cw: &CwClient) -> Result<Verdict, Unknown> {
    match cw.my_account().await {
        Ok(Some(acct)) => match acct.identifier.filter(|i| !i.trim().is_empty()) {
            Some(id) => Ok(Verdict::Member(id.trim().to_string())),
            None => Ok(Verdict::Unnamed),
        },
        Ok(None) => Ok(Verdict::Unnamed),
        Err(CwError::Api(a)) if a.status == 401 => Ok(Verdict::Refused),
        // Authenticated, but not allowed to read its own account: ConnectWise cannot say.
        Err(CwError::Api(a)) if a.status == 403 => Ok(Verdict::Unnamed),
        Err(e) => Err(Unknown(e)),
    }
}
