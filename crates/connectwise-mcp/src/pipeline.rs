//! The one path every tool call takes, from every surface: authorise → validate → single-flight
//! replay for writes → run → record. Each step is a few lines here; what a step needs lives in
//! its own module ([`crate::tools`], [`crate::replay`], [`crate::audit`]). A write called with
//! `dry_run: true` ([`crate::tools::dry_run`]) runs with a client that holds its first write
//! back, and skips the replay store: nothing was written, so there is nothing to replay.
//!
//! The answer is an [`Outcome`]: the result or the error (with its kind), whether it was
//! answered from an identical write, how many requests went to ConnectWise and what the last
//! one answered, and how long the call took. Surfaces render it; the audit trail records it.

use std::sync::Arc;
use std::time::Instant;

use cw_client::{CallStats, Credentials, Error as CwError, Upstream};
use rmcp::model::JsonObject;
use sha2::{Digest, Sha256};

use crate::audit::{Audit, CallRecord};
use crate::auth::{Caller, Role};
use crate::context::Delegate;
use crate::context::{Ctx, Shared};
use crate::errors::{OutcomeKind, ToolError};
use crate::outcome::Outcome;
use crate::progress::Progress;
use crate::replay::{self, Replay, Replayed};
use crate::tools::{Entry, Registry, ToolOutput, Toolset};
use std::time::Duration;
use tokio::time::timeout;

/// What a deployment allows, whatever the caller's role: an upper bound.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Only tools that change nothing (`--read-only`).
    pub read_only: bool,
    /// The toolsets offered (`CW_TOOLSETS`).
    pub toolsets: Vec<Toolset>,
    /// How long a tool call may take, retries and backoff included (`CW_CALL_TIMEOUT_SECS`):
    /// under the usual MCP client timeout (60 s), so the model hears why rather than nothing.
    pub deadline: Duration,
    /// The least role that may contact the customer (`notify: true`, a discussion or
    /// resolution note) on a shared deployment; `None`: nobody (`MCP_CUSTOMER_CONTACT`).
    pub customer_contact: Option<Role>,
}

impl Limits {
    pub const DEADLINE: Duration = Duration::from_secs(45);

    /// Every toolset this build knows, no read-only bound, the default deadline.
    pub fn all() -> Limits {
        Limits {
            read_only: false,
            toolsets: crate::tools::TOOLSETS.to_vec(),
            deadline: Limits::DEADLINE,
            customer_contact: Some(Role::Editor),
        }
    }
}

/// The call pipeline, shared by every surface and request.
pub struct Pipeline {
    /// Itself, so a tool can run another tool through it ([`Ctx::call_tool`]).
    me: std::sync::Weak<Pipeline>,
    registry: Registry,
    shared: Arc<Shared>,
    upstream: Arc<Upstream>,
    /// Server-wide keys, used when a caller brings none.
    server_creds: Option<Credentials>,
    limits: Limits,
    replay: Arc<dyn Replay>,
    /// Where writes that add records are journaled before they are sent.
    journal: Arc<dyn crate::journal::Journal>,
    audit: Arc<dyn Audit>,
    /// Writes running now, which shutdown waits for ([`crate::shutdown`]).
    writes: Arc<crate::shutdown::InFlight>,
}

/// What a pipeline is built from.
pub struct Parts {
    pub registry: Registry,
    pub shared: Arc<Shared>,
    pub upstream: Arc<Upstream>,
    pub server_creds: Option<Credentials>,
    pub limits: Limits,
    pub replay: Arc<dyn Replay>,
    pub journal: Arc<dyn crate::journal::Journal>,
    pub audit: Arc<dyn Audit>,
}

impl Pipeline {
    pub fn new(p: Parts) -> Arc<Pipeline> {
        Arc::new_cyclic(|me| Pipeline {
            me: me.clone(),
            registry: p.registry,
            shared: p.shared,
            upstream: p.upstream,
            server_creds: p.server_creds,
            limits: p.limits,
            replay: p.replay,
            journal: p.journal,
            audit: p.audit,
            writes: Arc::default(),
        })
    }

    /// Waits (at most `bound`) for writes still running, at shutdown; says how many were left.
    /// A write cut off here was journaled before it was sent, so its re-send settles it.
    pub async fn settle(&self, bound: Duration) -> usize {
        let left = self.writes.settle(bound).await;
        if left > 0 {
            tracing::warn!(left, "stopping with writes still running; each re-send looks for its record before writing again");
        }
        left
    }

    /// Whether this deployment offers a tool at all (to anyone).
    pub fn offers(&self, name: &str) -> bool {
        self.registry
            .get(name)
            .is_some_and(|e| self.limits.toolsets.contains(&e.toolset))
    }

    /// Every registered tool, whoever may call it (for descriptions and validation).
    /// The ConnectWise site calls go to (for readiness checks).
    pub fn upstream(&self) -> &Arc<Upstream> {
        &self.upstream
    }

    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// What every call shares (caches, whose keys are whose).
    pub fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// Runs a tool as `caller`, through this pipeline, for a tool that builds on another (a
    /// support case exported as a PSA ticket is created by `cw_create_ticket` itself).
    fn delegate(&self, caller: &Caller) -> Option<Delegate> {
        let me = self.me.upgrade()?;
        let caller = caller.clone();
        Some(Arc::new(move |name: String, args: JsonObject| {
            let p = me.clone();
            let c = caller.clone();
            Box::pin(async move {
                p.call(&c, &name, args)
                    .await
                    .result
                    .map(|o| (o.structured, o.text))
            })
        }))
    }

    /// Whether `caller` may see and call `e`: its toolset is offered (and, when the caller
    /// narrowed the toolsets, one they asked for) and it is permitted.
    fn allows(&self, caller: &Caller, e: &Entry) -> bool {
        self.limits.toolsets.contains(&e.toolset)
            && self.asked_for(caller, e)
            && self.permits(caller, e)
    }

    /// Whether `e` is in the toolsets the caller narrowed to, if they did.
    fn asked_for(&self, caller: &Caller, e: &Entry) -> bool {
        caller
            .toolsets
            .as_ref()
            .is_none_or(|t| t.contains(&e.toolset.name))
    }

    /// Whether `caller` could use `e` whichever toolsets are offered: the caller's role is
    /// high enough, and a read-only deployment offers no writes.
    fn permits(&self, caller: &Caller, e: &Entry) -> bool {
        caller.principal.role >= e.role && !(self.limits.read_only && e.writes())
    }

    /// The tools `caller` may see and call, sorted by name.
    pub fn tools_for<'a>(&'a self, caller: &'a Caller) -> impl Iterator<Item = &'a Entry> + 'a {
        self.registry.iter().filter(|e| self.allows(caller, e))
    }

    /// Why `name` cannot be called. A tool the caller could use but whose toolset this
    /// deployment leaves off says how to turn it on (a model may know it from elsewhere);
    /// anything else is answered as a tool that does not exist.
    fn unavailable(&self, caller: &Caller, name: &str) -> ToolError {
        match self.registry.get(name) {
            Some(e) if self.permits(caller, e) && !self.limits.toolsets.contains(&e.toolset) => {
                ToolError::Setup(format!(
                    "{name} is in the `{}` toolset, which this server does not offer. \
                     Its administrator can add it to CW_TOOLSETS (e.g. CW_TOOLSETS=default,{}).",
                    e.toolset.name, e.toolset.name
                ))
            }
            Some(e) if self.permits(caller, e) && !self.asked_for(caller, e) => {
                ToolError::Setup(format!(
                    "{name} is in the `{}` toolset, which this client left out with its x-cw-toolsets header; add `{}` there to use it.",
                    e.toolset.name, e.toolset.name
                ))
            }
            _ => ToolError::UnknownTool(name.to_string()),
        }
    }

    /// Runs one call.
    pub async fn call(&self, caller: &Caller, name: &str, args: JsonObject) -> Outcome {
        self.call_reporting(caller, name, args, Progress::none())
            .await
    }

    /// Runs one call, reporting how far a long one is to `progress`; nothing is reported
    /// after the answer.
    pub async fn call_reporting(
        &self,
        caller: &Caller,
        name: &str,
        args: JsonObject,
        progress: Progress,
    ) -> Outcome {
        let started = Instant::now();
        let stats = Arc::new(CallStats::default());
        let recorded = args.clone();
        let (result, replayed) = self.run(caller, name, args, &stats, progress.clone()).await;
        progress.finish();
        let upstream_status = match &result {
            Err(_) => stats.last_error_status().or(stats.last_status()),
            Ok(_) => stats.last_status(),
        };
        let outcome = Outcome {
            tool: name.to_string(),
            result,
            replayed,
            upstream_requests: stats.requests(),
            upstream_status,
            duration: started.elapsed(),
        };
        let creds = caller.creds.as_ref().or(self.server_creds.as_ref());
        let fingerprint = creds.map(Credentials::fingerprint);
        // The member the keys belong to, as configured, as checked against ConnectWise (a
        // client's header), or as ConnectWise said when asked.
        let mut member = creds.and_then(|c| c.member_identifier.clone());
        if let Some(c) = creds {
            let client = self.upstream.client(c.clone());
            if outcome.kind() == OutcomeKind::UpstreamAuth {
                // Keys ConnectWise refuses are not sent to it again for a while.
                self.shared.identities.refused(&client).await;
            } else if member.is_none() {
                if let Some(crate::identity::Verdict::Member(m)) =
                    self.shared.identities.remembered(&client).await
                {
                    member = Some(m);
                }
            }
        }
        let schema = self
            .registry
            .get(name)
            .filter(|e| self.allows(caller, e))
            .map(|e| e.tool.input_schema.as_ref());
        let rejected = matches!(
            outcome.kind(),
            OutcomeKind::UnknownTool | OutcomeKind::InvalidArguments | OutcomeKind::Denied
        );
        self.audit.record(&CallRecord {
            caller,
            outcome: &outcome,
            args: &recorded,
            fingerprint: fingerprint.as_deref(),
            member: member.as_deref(),
            schema,
            rejected,
        });
        outcome
    }

    /// A ConnectWise client with the caller's keys, or the server's. The Home tools act
    /// through the browser's portal session, so they need none (`psa` false).
    fn client_for(&self, caller: &Caller, psa: bool) -> Result<cw_client::CwClient, ToolError> {
        match caller.creds.clone().or_else(|| self.server_creds.clone()) {
            Some(c) => Ok(self.upstream.client(c)),
            None if !psa => Ok(self.upstream.client(Credentials::new("", "", None))),
            None => Err(ToolError::Setup("No ConnectWise API keys: this server has none configured (CW_PUBLIC_KEY and CW_PRIVATE_KEY), so send your own with the request (x-cw-public-key, x-cw-private-key and x-cw-member-id headers; an API member's keys from ConnectWise → My Account → API Keys)".into())),
        }
    }

    /// A read-only context as `caller`, for what is not a tool call but reads the PSA the way
    /// the caller's tools would (completions): only for a caller who may read it at all.
    pub fn reader(&self, caller: &Caller) -> Result<Ctx, ToolError> {
        if !self
            .tools_for(caller)
            .any(|e| e.toolset.family == "psa" && !e.writes())
        {
            return Err(ToolError::Denied(
                "this caller may not read ConnectWise PSA".into(),
            ));
        }
        let client = self.client_for(caller, true)?.cached();
        Ok(Ctx::new(client, self.shared.clone()))
    }

    async fn run(
        &self,
        caller: &Caller,
        name: &str,
        args: JsonObject,
        stats: &Arc<CallStats>,
        progress: Progress,
    ) -> (Result<ToolOutput, ToolError>, Option<Replayed>) {
        // Authorise: a tool outside the caller's reach is answered like one that does not exist.
        let Some(entry) = self.registry.get(name).filter(|e| self.allows(caller, e)) else {
            return (Err(self.unavailable(caller, name)), None);
        };
        let mut args = args;
        let dry = if entry.dry_run {
            match crate::tools::dry_run::take(&mut args) {
                Ok(d) => d,
                Err(e) => return (Err(e), None),
            }
        } else {
            false
        };
        // Validate.
        let prepared = match entry.prepare(args) {
            Ok(p) => p,
            Err(e) => return (Err(e), None),
        };
        // Customer contact, as the tool itself says this call would (a close-out is refused
        // whole, before any part of it is written).
        let contact =
            crate::contact::Permission::new(self.limits.customer_contact, &caller.principal);
        if let Some(what) = prepared.contacts_customer {
            if let Err(refusal) = contact.check(what) {
                return (Err(refusal), None);
            }
        }
        let client = match self.client_for(caller, entry.toolset.family == "psa") {
            Ok(c) => c.observed(stats.clone()),
            Err(e) => return (Err(e), None),
        };
        let fingerprint = client.fingerprint().to_string();
        // A read may be answered from the same keys' identical read of a moment ago; a write
        // sees ConnectWise as it is now.
        let client = if entry.writes() {
            client
        } else {
            client.cached()
        };
        let deadline = self.limits.deadline;
        let secs = deadline.as_secs();
        if dry {
            // Held back at the first write; no other tool is run on its behalf.
            let ctx = Ctx::new(client.dry_run(), self.shared.clone())
                .for_call(name, tokio::time::Instant::now() + deadline)
                .with_progress(progress)
                .with_contact(contact);
            let work = (prepared.run)(ctx.clone());
            let r = match timeout(deadline, work).await {
                Ok(Ok(out)) => Ok(crate::tools::dry_run::nothing_to_send(out)),
                Ok(Err(ToolError::Upstream(CwError::Held(h), _))) => {
                    Ok(crate::tools::dry_run::preview(name, &h, &ctx.resolutions()))
                }
                Ok(Err(e)) => Err(e),
                Err(_) => Err(ToolError::TimedOut(format!(
                    "ConnectWise did not answer within {secs} s; this was a dry run, so nothing was written."
                ))),
            };
            return (r, None);
        }
        let called = tokio::time::Instant::now() + deadline;
        let key = prepared.canonical.as_deref().map(|canonical| {
            // Who: the tenant (site and company), the principal and the keys.
            let who = format!(
                "{} {} {}",
                self.upstream.cfg.site.origin, self.upstream.cfg.company_id, caller.principal.label
            );
            replay_key(&who, &fingerprint, name, canonical)
        });
        let mut ctx = Ctx::new(client, self.shared.clone())
            .for_call(name, called)
            .with_progress(progress)
            .with_contact(contact)
            .with_delegate(self.delegate(caller));
        let scope = key
            .clone()
            .map(|k| crate::context::WriteScope::new(self.journal.clone(), k.id, k.seal));
        if let Some(s) = &scope {
            ctx = ctx.with_write(s.clone());
        }
        let work = (prepared.run)(ctx);
        let work: crate::cache::BoxFuture<'static, _> = if entry.writes() {
            let running = self.writes.start();
            Box::pin(async move {
                let r = work.await;
                drop(running);
                r
            })
        } else {
            work
        };
        match key {
            // Writes that add run once per identical request: a re-send waits for, or is
            // answered by, the first. Past the deadline the write goes on in its own task, and
            // a re-send gets its answer. A record an earlier attempt had made (found through
            // the journal) is answered as such.
            Some(key) => {
                match timeout(deadline, self.replay.run(key, work)).await {
                    Ok((r, None)) => {
                        let earlier = scope
                            .and_then(|s| *s.earlier.lock().unwrap_or_else(std::sync::PoisonError::into_inner))
                            .filter(|_| r.is_ok())
                            .map(|secs_ago| Replayed::Earlier { secs_ago });
                        (r, earlier)
                    }
                    Ok(done) => done,
                    Err(_) => (Err(ToolError::Unconfirmed(format!(
                        "ConnectWise has not answered within {secs} s, so it is not known yet whether this was written; the request goes on in the background. Call {name} again with the same arguments shortly to get its result: it is looked for before anything is written again, so nothing will be written twice."
                    ))), None),
                }
            }
            // An update is not cut short either; it is idempotent, so checking is enough.
            None if entry.writes() => match timeout(deadline, tokio::spawn(work)).await {
                Ok(Ok(r)) => (r, None),
                Ok(Err(e)) => (Err(ToolError::Internal(format!("the update did not finish: {e}"))), None),
                Err(_) => (Err(ToolError::Unconfirmed(format!(
                    "ConnectWise has not answered within {secs} s, so it is not known yet whether the change was made; it goes on in the background. Look at the record again before repeating it."
                ))), None),
            },
            // A read stops at the deadline, retries and all.
            None => match timeout(deadline, work).await {
                Ok(r) => (r, None),
                Err(_) => (Err(ToolError::TimedOut(format!(
                    "ConnectWise did not answer within {secs} s (the call deadline, CW_CALL_TIMEOUT_SECS). Nothing was changed; try again, or ask for less (filters, a smaller page_size)."
                ))), None),
            },
        }
    }
}

/// What identifies "the same write": who (tenant, principal and key fingerprint), which tool, and the
/// normalised arguments, hashed so no argument (note text, customer data) is stored. The seal
/// is a second hash of the same parts under another label: a shared store that keeps the
/// answer encrypts it with the seal, which the store itself never sees.
fn replay_key(principal: &str, fingerprint: &str, tool: &str, canonical: &str) -> replay::Key {
    let digest = |label: &str| {
        let mut h = Sha256::new();
        for part in [label, principal, fingerprint, tool, canonical] {
            h.update(part.as_bytes());
            h.update([0]);
        }
        h.finalize()
    };
    replay::Key {
        id: hex::encode(digest("replay-key")),
        seal: digest("replay-seal").into(),
    }
}

#[cfg(test)]
mod tests {
    use super::replay_key;

    #[test]
    fn a_made_write_is_journaled_as_long_as_its_answer_is_replayed() {
        assert_eq!(crate::journal::MADE_FOR, crate::replay::REPLAY_WINDOW);
    }

    #[test]
    fn replay_keys_separate_callers_and_hide_arguments() {
        let key = |p: &str, f: &str| replay_key(p, f, "cw_add_ticket_note", r#"{"text":"secret"}"#);
        let a = key("alice", "fp1").id;
        assert_eq!(a.len(), 64);
        assert!(!a.contains("secret"));
        // The seal is not the id, nor derivable from it.
        assert_ne!(hex::encode(key("alice", "fp1").seal), a);
        assert_ne!(a, key("bob", "fp1").id);
        assert_ne!(a, key("alice", "fp2").id);
        assert_eq!(a, key("alice", "fp1").id);
    }
}
