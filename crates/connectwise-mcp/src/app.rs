//! Application state shared by every request: the ConnectWise upstream, the server-wide keys,
//! the tool registry, and per-credential caches.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rmcp::model::CallToolResult;

use chrono_tz::Tz;
use cw_client::{Credentials, Upstream};

use crate::resolve::Lookups;
use crate::tools::{registry, Ctx, Entry, Tier, ToolError};

pub struct App {
    pub upstream: Arc<Upstream>,
    /// Server-wide keys (`CW_PUBLIC_KEY`/`CW_PRIVATE_KEY`), used when a caller brings none.
    pub server_creds: Option<Credentials>,
    /// The highest tier local callers get (`--read-only` makes it `Read`).
    pub local_tier: Tier,
    /// Default time zone for times people type without one (`CW_TIMEZONE`, else UTC).
    pub timezone: Tz,
    pub tools: Vec<Entry>,
    pub lookups: Lookups,
    /// Key fingerprint → the member identifier those keys belong to (from `/system/myAccount`).
    identities: Mutex<HashMap<String, String>>,
    /// Recent successful writes by (key fingerprint, tool, arguments), for [`App::replay`].
    recent_writes: Mutex<HashMap<String, (Instant, CallToolResult)>>,
}

/// How long an identical write is answered from the first result instead of written again.
pub const REPLAY_WINDOW: Duration = Duration::from_secs(30);

impl App {
    pub fn new(
        upstream: Arc<Upstream>,
        server_creds: Option<Credentials>,
        local_tier: Tier,
        timezone: Tz,
    ) -> Arc<App> {
        Arc::new(App {
            upstream,
            server_creds,
            local_tier,
            timezone,
            tools: registry(),
            lookups: Lookups::default(),
            identities: Mutex::new(HashMap::new()),
            recent_writes: Mutex::new(HashMap::new()),
        })
    }

    /// The first result of an identical write made moments ago with the same keys, if any.
    /// MCP clients re-send requests (timeouts, reconnects); a note or time entry must not be
    /// written twice because of that.
    pub fn replay(&self, key: &str) -> Option<CallToolResult> {
        let mut m = self.recent_writes.lock().unwrap_or_else(|e| e.into_inner());
        m.retain(|_, (at, _)| at.elapsed() < REPLAY_WINDOW);
        m.get(key).map(|(_, r)| r.clone())
    }

    /// Remembers a successful write for [`App::replay`].
    pub fn remember(&self, key: String, result: &CallToolResult) {
        self.recent_writes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, (Instant::now(), result.clone()));
    }

    /// The tools a caller of `tier` may see and call.
    pub fn tools_for(&self, tier: Tier) -> impl Iterator<Item = &Entry> {
        self.tools.iter().filter(move |e| e.tier <= tier)
    }

    /// A context acting with `creds`, or the server-wide keys.
    pub fn ctx(self: &Arc<Self>, creds: Option<Credentials>) -> Result<Ctx, ToolError> {
        let creds = creds.or_else(|| self.server_creds.clone()).ok_or_else(|| {
            ToolError::Setup("No ConnectWise API keys are configured: set CW_PUBLIC_KEY and CW_PRIVATE_KEY (an API member's keys from ConnectWise → My Account → API Keys)".into())
        })?;
        Ok(Ctx {
            app: self.clone(),
            cw: self.upstream.client(creds),
        })
    }
}

impl Ctx {
    /// The member these keys act as: `CW_MEMBER_IDENTIFIER` when given, else
    /// `/system/myAccount` (cached per key fingerprint). Some on-prem versions lack
    /// `/system/myAccount`; the error then says how to fix it.
    pub async fn me(&self) -> Result<String, ToolError> {
        if let Some(m) = &self.cw.credentials().member_identifier {
            return Ok(m.clone());
        }
        let fp = self.cw.credentials().fingerprint();
        if let Some(m) = self
            .app
            .identities
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&fp)
        {
            return Ok(m.clone());
        }
        let acct = self.cw.my_account().await?;
        let ident = acct.and_then(|a| a.identifier).ok_or_else(|| {
            ToolError::Setup("Cannot tell which ConnectWise member these keys belong to: this ConnectWise server has no /system/myAccount. Set CW_MEMBER_IDENTIFIER (or send the x-cw-member-id header) to your member identifier, e.g. jsmith".into())
        })?;
        self.app
            .identities
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(fp, ident.clone());
        Ok(ident)
    }

    /// The key fingerprint scoping this caller's caches.
    pub fn scope(&self) -> String {
        self.cw.credentials().fingerprint()
    }
}
