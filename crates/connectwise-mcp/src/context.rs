//! What a tool call runs with: a ConnectWise client acting with the caller's keys (counting
//! what it sends), and what every call shares (lookup caches, the default time zone).
//! [`Ctx`] and all its methods live here; name resolution builds on it in [`crate::names`].

use std::sync::Arc;

use chrono_tz::Tz;
use cw_client::CwClient;

use crate::cache::Lookups;
use crate::errors::ToolError;
use crate::progress::Progress;

/// What every call shares.
pub struct Shared {
    pub lookups: Lookups,
    /// Default time zone for times people type without one (`CW_TIMEZONE`, else UTC).
    pub timezone: Tz,
    /// ConnectWise Home, when the `home` toolset is offered.
    pub home: Option<Arc<cw_home::Home>>,
    /// What each caller's queue looked like when they last asked what changed
    /// (`cw_changes_since`), by key fingerprint and scope; kept a week.
    pub seen: moka::future::Cache<String, Arc<Seen>>,
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
        Arc::new(Shared {
            lookups: Lookups::local(),
            timezone,
            home,
            seen: moka::future::Cache::builder()
                .max_capacity(10_000)
                .time_to_live(std::time::Duration::from_secs(7 * 86_400))
                .build(),
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

/// One tool call's context. Cheap to clone.
#[derive(Clone)]
pub struct Ctx {
    delegate: Option<Delegate>,
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
            resolved: Arc::default(),
            cw,
            progress: Progress::none(),
            shared,
        }
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

    /// What this caller's `scope` looked like when last asked, if it was.
    pub async fn seen(&self, scope: &str) -> Option<Arc<Seen>> {
        self.shared
            .seen
            .get(&format!("{}:{scope}", self.scope()))
            .await
    }

    /// Remembers what this caller's `scope` looks like now.
    pub async fn remember(&self, scope: &str, seen: Seen) {
        self.shared
            .seen
            .insert(format!("{}:{scope}", self.scope()), Arc::new(seen))
            .await;
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

    /// The member these keys act as: the configured member identifier when given, else
    /// `/system/myAccount` (cached per key fingerprint). Some on-prem versions lack
    /// `/system/myAccount`; the error then says how to fix it.
    pub async fn me(&self) -> Result<String, ToolError> {
        if let Some(m) = &self.cw.credentials().member_identifier {
            return Ok(m.clone());
        }
        let cw = self.cw.clone();
        self.lookups()
            .identities
            .get_or_load(
                self.scope(),
                Box::pin(async move {
                    let acct = cw.my_account().await?;
                    acct.and_then(|a| a.identifier).ok_or_else(|| {
                        ToolError::Setup("Cannot tell which ConnectWise member these keys belong to: this ConnectWise server has no /system/myAccount. Set CW_MEMBER_IDENTIFIER to your member identifier, e.g. jsmith".into())
                    })
                }),
            )
            .await
    }
}
