//! Application state shared by every request: the ConnectWise upstream, the server-wide keys,
//! the tool registry, and per-credential caches.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

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
}

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
        })
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
