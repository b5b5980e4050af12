//! What a tool call runs with: a ConnectWise client acting with the caller's keys (counting
//! what it sends), and what every call shares (lookup caches, the default time zone).
//! [`Ctx`] and all its methods live here; name resolution builds on it in [`crate::names`].

use std::sync::Arc;

use chrono_tz::Tz;
use cw_client::CwClient;

use crate::cache::Lookups;
use crate::errors::ToolError;
use crate::identity::{Identities, Verdict};
use crate::progress::Progress;

/// What every call shares.
pub struct Shared {
    pub lookups: Lookups,
    /// Default time zone for times people type without one (`CW_TIMEZONE`, else UTC).
    pub timezone: Tz,
    /// ConnectWise Home, when the `home` toolset is offered.
    pub home: Option<Arc<cw_home::Home>>,
    /// What each caller's queue looked like when they last asked what changed
    /// (`cw_changes_since`); kept a week, in this process or shared by replicas.
    pub seen: Arc<dyn SeenStore>,
    /// Whose keys are whose, as ConnectWise says ([`crate::identity`]).
    pub identities: Arc<Identities>,
}

/// Where a [`Seen`] is kept: `id` names it (a hash), `seal` is a key derived from the
/// caller's own API keys, for a store that others can read (Redis) to encrypt it with.
pub struct SeenKey {
    pub id: String,
    pub seal: [u8; 32],
}

/// Keeps what each caller last saw of a queue.
pub trait SeenStore: Send + Sync {
    fn get<'a>(&'a self, key: &'a SeenKey) -> crate::cache::BoxFuture<'a, Option<Arc<Seen>>>;
    fn put<'a>(&'a self, key: &'a SeenKey, seen: Seen) -> crate::cache::BoxFuture<'a, ()>;
}

/// How long a caller's last look at a queue is kept.
pub const SEEN_FOR: std::time::Duration = std::time::Duration::from_secs(7 * 86_400);

/// [`SeenStore`] in this process: a week, at most 10,000 queues.
pub struct LocalSeen(moka::future::Cache<String, Arc<Seen>>);

impl Default for LocalSeen {
    fn default() -> Self {
        LocalSeen(
            moka::future::Cache::builder()
                .max_capacity(10_000)
                .time_to_live(SEEN_FOR)
                .build(),
        )
    }
}

impl SeenStore for LocalSeen {
    fn get<'a>(&'a self, key: &'a SeenKey) -> crate::cache::BoxFuture<'a, Option<Arc<Seen>>> {
        Box::pin(self.0.get(&key.id))
    }

    fn put<'a>(&'a self, key: &'a SeenKey, seen: Seen) -> crate::cache::BoxFuture<'a, ()> {
        Box::pin(self.0.insert(key.id.clone(), Arc::new(seen)))
    }
}

/// A queue as last seen: when, each open ticket's status and owner, and the newest note
/// already reported on each ticket.
#[derive(Debug, Default)]
pub struct Seen {
    pub at: chrono::DateTime<chrono::Utc>,
    pub tickets: std::collections::HashMap<i64, (String, String)>,
    pub notes: std::collections::HashMap<i64, i64>,
}

impl Shared {
    pub fn new(timezone: Tz) -> Arc<Shared> {
        Shared::with_home(timezone, None)
    }

    pub fn with_home(timezone: Tz, home: Option<Arc<cw_home::Home>>) -> Arc<Shared> {
        Shared::with_stores(
            timezone,
            home,
            Arc::new(LocalSeen::default()),
            Arc::default(),
        )
    }

    /// Shared parts that keep what callers last saw in `seen` and whose keys are whose in
    /// `identities` (both shared by replicas, when there are).
    pub fn with_stores(
        timezone: Tz,
        home: Option<Arc<cw_home::Home>>,
        seen: Arc<dyn SeenStore>,
        identities: Arc<Identities>,
    ) -> Arc<Shared> {
        Arc::new(Shared {
            lookups: Lookups::local(),
            timezone,
            home,
            seen,
            identities,
        })
    }
}

/// Runs another tool as the same caller, through the whole call pipeline (authorisation,
/// validation, write replay, audit): its structured result and text.
pub type Delegate = Arc<
    dyn Fn(
            String,
            rmcp::model::JsonObject,
        )
            -> crate::cache::BoxFuture<'static, Result<(serde_json::Value, String), ToolError>>
        + Send
        + Sync,
>;

/// A name the call resolved: what kind, as the caller gave it, and the record it named.
#[derive(Debug, Clone, PartialEq, serde::Serialize, schemars::JsonSchema)]
pub struct Resolved {
    pub what: String,
    pub given: String,
    pub id: Option<i64>,
    pub name: String,
}

/// Where a write that adds records is journaled: the request's key, and a count of the
/// records this call has created so far (each is journaled as the request's n-th).
#[derive(Clone)]
pub struct WriteScope {
    pub journal: Arc<dyn crate::journal::Journal>,
    /// The request's replay key and seal (what names it; see [`crate::pipeline`]).
    request_id: String,
    request_seal: [u8; 32],
    parts: Arc<std::sync::atomic::AtomicU32>,
    /// How long ago an earlier attempt of this request made the record this call returns,
    /// when it did (the pipeline says so in the answer).
    pub earlier: Arc<std::sync::Mutex<Option<u64>>>,
}

impl WriteScope {
    pub fn new(
        journal: Arc<dyn crate::journal::Journal>,
        request_id: String,
        request_seal: [u8; 32],
    ) -> WriteScope {
        WriteScope {
            journal,
            request_id,
            request_seal,
            parts: Arc::default(),
            earlier: Arc::default(),
        }
    }
}

/// One tool call's context. Cheap to clone.
#[derive(Clone)]
pub struct Ctx {
    delegate: Option<Delegate>,
    /// The tool being run, and when the call must have answered by.
    tool: Arc<str>,
    deadline: Option<tokio::time::Instant>,
    /// For a write that adds records: where they are journaled.
    write: Option<WriteScope>,
    /// Whether this caller may contact the customer, for a tool that finds out only from the
    /// record that a change would ([`crate::contact`]). Nobody may unless the pipeline says so.
    contact: crate::contact::Permission,
    /// Every name this call resolved, for a dry run's answer.
    resolved: Arc<std::sync::Mutex<Vec<Resolved>>>,
    /// ConnectWise, as the caller's keys.
    pub cw: CwClient,
    /// How far a long call is, for a caller that asked.
    pub progress: Progress,
    shared: Arc<Shared>,
}

impl Ctx {
    pub fn new(cw: CwClient, shared: Arc<Shared>) -> Ctx {
        Ctx {
            delegate: None,
            tool: Arc::from(""),
            deadline: None,
            write: None,
            contact: crate::contact::Permission::nobody(),
            resolved: Arc::default(),
            cw,
            progress: Progress::none(),
            shared,
        }
    }

    /// Names the tool this context runs, and the call's deadline.
    pub fn for_call(mut self, tool: &str, deadline: tokio::time::Instant) -> Ctx {
        self.tool = Arc::from(tool);
        self.deadline = Some(deadline);
        self
    }

    /// Journals this call's records ([`crate::reconcile`]).
    pub fn with_write(mut self, scope: WriteScope) -> Ctx {
        self.write = Some(scope);
        self
    }

    pub fn tool_name(&self) -> &str {
        &self.tool
    }

    /// How long until the call's deadline (ten seconds when it has none).
    pub fn time_left(&self) -> std::time::Duration {
        match self.deadline {
            Some(d) => d.saturating_duration_since(tokio::time::Instant::now()),
            None => std::time::Duration::from_secs(10),
        }
    }

    /// The journal and the key of the next record this call creates, if it journals.
    pub fn journal_slot(
        &self,
    ) -> Option<(Arc<dyn crate::journal::Journal>, crate::journal::JournalKey)> {
        let w = self.write.as_ref()?;
        let n = w.parts.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Some((
            w.journal.clone(),
            crate::journal::JournalKey::of(&w.request_id, &w.request_seal, &format!("record {n}")),
        ))
    }

    /// The record returned was made by an earlier attempt of this request, `age` ago.
    pub fn made_earlier(&self, age: chrono::Duration) {
        if let Some(w) = &self.write {
            *w.earlier
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) =
                Some(u64::try_from(age.num_seconds()).unwrap_or(0));
        }
    }

    pub fn with_contact(mut self, contact: crate::contact::Permission) -> Ctx {
        self.contact = contact;
        self
    }

    /// Refuses `what` unless this caller may contact the customer ([`crate::contact`]).
    pub fn may_contact_customer(&self, what: &str) -> Result<(), ToolError> {
        self.contact.check(what)
    }

    pub fn with_delegate(mut self, delegate: Option<Delegate>) -> Ctx {
        self.delegate = delegate;
        self
    }

    /// Runs another tool as this call's caller, through the pipeline.
    pub async fn call_tool(
        &self,
        name: &str,
        args: rmcp::model::JsonObject,
    ) -> Result<(serde_json::Value, String), ToolError> {
        match &self.delegate {
            Some(d) => d(name.to_string(), args).await,
            None => Err(ToolError::Internal(format!(
                "{name} cannot be run from here"
            ))),
        }
    }

    /// Notes that `given` named the `what` with this id and name.
    pub fn resolved(&self, what: &str, given: &str, id: Option<i64>, name: Option<&str>) {
        let r = Resolved {
            what: what.into(),
            given: given.trim().into(),
            id,
            name: name.unwrap_or_default().into(),
        };
        let mut all = self
            .resolved
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if !all.contains(&r) {
            all.push(r);
        }
    }

    /// The names this call has resolved so far, in order.
    pub fn resolutions(&self) -> Vec<Resolved> {
        self.resolved
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    pub fn with_progress(mut self, progress: Progress) -> Ctx {
        self.progress = progress;
        self
    }

    /// ConnectWise Home, if this server offers it.
    pub fn home(&self) -> Result<&cw_home::Home, ToolError> {
        self.shared.home.as_deref().ok_or_else(|| {
            ToolError::Setup("ConnectWise Home is not set up on this server: its administrator adds `home` to CW_TOOLSETS".into())
        })
    }

    /// Where this caller's last look at `scope` is kept: named by a hash of their key
    /// fingerprint, sealed with a hash of their keys themselves (which no store ever holds).
    fn seen_key(&self, scope: &str) -> SeenKey {
        use cw_client::ExposeSecret;
        use sha2::{Digest, Sha256};
        let c = self.cw.credentials();
        let mut id = Sha256::new();
        for p in ["seen-id", self.scope().as_str(), scope] {
            id.update(p.as_bytes());
            id.update([0]);
        }
        let mut seal = Sha256::new();
        for p in [
            "seen-seal",
            c.public_key.expose_secret(),
            c.private_key.expose_secret(),
            scope,
        ] {
            seal.update(p.as_bytes());
            seal.update([0]);
        }
        SeenKey {
            id: hex::encode(id.finalize()),
            seal: seal.finalize().into(),
        }
    }

    /// What this caller's `scope` looked like when last asked, if it was.
    pub async fn seen(&self, scope: &str) -> Option<Arc<Seen>> {
        self.shared.seen.get(&self.seen_key(scope)).await
    }

    /// Remembers what this caller's `scope` looks like now.
    pub async fn remember(&self, scope: &str, seen: Seen) {
        self.shared.seen.put(&self.seen_key(scope), seen).await;
    }

    pub fn timezone(&self) -> Tz {
        self.shared.timezone
    }

    pub fn lookups(&self) -> &Lookups {
        &self.shared.lookups
    }

    /// The key fingerprint scoping this caller's caches.
    pub fn scope(&self) -> String {
        self.cw.fingerprint().to_string()
    }

    /// The member these keys act as: the configured member identifier when given (on HTTP,
    /// a client's header has been checked against ConnectWise already), else the one
    /// `/system/myAccount` names (asked once per set of keys). Some on-prem versions lack
    /// `/system/myAccount`; the error then says how to fix it.
    pub async fn me(&self) -> Result<String, ToolError> {
        if let Some(m) = &self.cw.credentials().member_identifier {
            return Ok(m.clone());
        }
        match self.shared.identities.verdict(&self.cw).await {
            Ok(Verdict::Member(m)) => Ok(m),
            Ok(Verdict::Unnamed) => Err(ToolError::Setup("Cannot tell which ConnectWise member these keys belong to: this ConnectWise server does not say (no /system/myAccount). Set CW_MEMBER_IDENTIFIER to your member identifier (e.g. jsmith), or send it as x-cw-member-id".into())),
            Ok(Verdict::Refused) => Err(ToolError::Setup("ConnectWise refused these API keys a moment ago: check the public and private key (ConnectWise → My Account → API Keys) and the company id".into())),
            Err(e) => Err(ToolError::Upstream(e.0, Some("ConnectWise could not say which member these keys belong to; try again shortly".into()))),
        }
    }

    /// Whose keys these are, as far as this server knows.
    pub fn identities(&self) -> &Identities {
        &self.shared.identities
    }
}
