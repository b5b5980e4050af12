//! `connectwise-mcp check`: walks the path a tool call takes (configuration, site and company,
//! keys, whose keys they are, read access, write access) and says how to fix each step that
//! fails. A step that depends on a failed one is reported as not checked rather than failed
//! with a misleading cause. Write access is probed with requests that cannot write anything
//! (they name ticket 0, which does not exist), so a read-only API member is caught without a
//! note or time entry being made. It prints no key.

use anyhow::bail;
use cw_client::endpoints::{self, Endpoint};
use cw_client::models::Member;
use cw_client::{CwClient, Error, ListQuery, Upstream};
use serde_json::{json, Value};

use crate::config;
use crate::filters::f;

/// The steps, in order, for "not checked" lines.
const STEPS: [&str; 5] = [
    "site and company",
    "API keys",
    "whose keys they are",
    "read access",
    "write access",
];

/// What can still go wrong after every check passes.
const NOT_VERIFIED: &str = "Not verified (ConnectWise decides these per record, when it happens): access to each service board, to each work type, and time in closed periods.";

#[derive(Default)]
struct Report {
    failed: usize,
}

impl Report {
    fn ok(&self, what: &str) {
        println!("  ok    {what}");
    }

    fn fail(&mut self, what: &str, fix: &str) {
        self.failed += 1;
        println!("  FAIL  {what}\n        fix: {fix}");
    }

    fn note(&self, what: &str) {
        println!("  note  {what}");
    }

    /// Reports every step from `from` on as not checked, and ends the run as failed.
    fn stop(&self, from: &str, because: &str) -> anyhow::Result<()> {
        let start = STEPS.iter().position(|s| *s == from).unwrap_or(STEPS.len());
        for s in STEPS.iter().skip(start) {
            println!("  --    {s}: not checked ({because})");
        }
        bail!(
            "{} check(s) failed; see the fixes above",
            self.failed.max(1)
        )
    }
}

pub async fn run() -> anyhow::Result<()> {
    let mut r = Report::default();
    println!("connectwise-mcp check");
    let cw = match config::connectwise(&config::process_env) {
        Ok(c) => c,
        Err(e) => {
            r.fail("configuration", &e.to_string());
            return r.stop(STEPS[0], "the configuration is incomplete");
        }
    };
    let (cfg, creds) = (cw.cfg, cw.creds);
    r.ok(&format!(
        "configuration: site {}, company {}, clientId set",
        cfg.site.origin, cfg.company_id
    ));
    let pinned = cfg.codebase.is_some();
    let origin = cfg.site.origin.clone();
    let up = Upstream::new(cfg)?;
    match up.company_info().await {
        Ok(Some(info)) => r.ok(&format!(
            "company info: {} on {} ({}, codebase {})",
            info.company_name.as_deref().unwrap_or("?"),
            info.version_code.as_deref().unwrap_or("?"),
            if info.cloud() { "cloud" } else { "on-premises" },
            info.codebase.as_deref().unwrap_or("?")
        )),
        Ok(None) if pinned => r.note(
            "the site does not know this company id; using the codebase pinned by CW_API_VERSION",
        ),
        Ok(None) => {
            r.fail(
                "the site does not know this company id",
                "CW_COMPANY_ID must be the company id typed at the ConnectWise login screen (not the company's name)",
            );
            return r.stop(STEPS[1], "the company is not known to the site");
        }
        Err(e) => {
            r.fail(
                &format!("cannot reach the site {origin}: {e}"),
                "check CW_SITE (e.g. na.myconnectwise.net or your on-prem host), and that this machine can reach it (firewall, proxy, DNS)",
            );
            return r.stop(STEPS[1], "the site cannot be reached");
        }
    }
    let Some(creds) = creds else {
        r.fail(
            "API keys",
            "set CW_PUBLIC_KEY and CW_PRIVATE_KEY to an API member's keys (My Account → API Keys)",
        );
        return r.stop(STEPS[2], "there are no keys");
    };
    let member = creds.member_identifier.clone();
    let cw = up.client(creds);
    match cw.system_info().await {
        Ok(info) => r.ok(&format!(
            "keys accepted (ConnectWise {}, codebase {})",
            info.version.as_deref().unwrap_or("?"),
            cw.upstream().codebase().await
        )),
        Err(e) => {
            r.fail(&format!("keys rejected: {e}"), &e.hint());
            return r.stop(STEPS[2], "ConnectWise did not accept the keys");
        }
    }
    whose_keys(&mut r, &cw, member.as_deref()).await;
    for (what, ep) in [
        ("read tickets", endpoints::TICKETS_COUNT),
        ("read time entries", endpoints::TIME_ENTRIES_COUNT),
        ("read contacts", endpoints::CONTACTS_COUNT),
        ("read configurations", endpoints::CONFIGURATIONS_COUNT),
    ] {
        match cw.count(ep, &[], None).await {
            Ok(n) => r.ok(&format!("can {what} ({n})")),
            Err(e) => r.fail(&format!("cannot {what}: {e}"), &e.hint()),
        }
    }
    for p in write_probes() {
        probe(&mut r, &cw, p).await;
    }
    println!("{NOT_VERIFIED}");
    if r.failed > 0 {
        bail!("{} check(s) failed; see the fixes above", r.failed);
    }
    println!("All checks passed.");
    Ok(())
}

/// Whether the keys are the configured member's own: `/system/myAccount` says whose they are.
async fn whose_keys(r: &mut Report, cw: &CwClient, member: Option<&str>) {
    let account = cw.my_account().await;
    let owner = match &account {
        Ok(Some(a)) => a.identifier.clone(),
        _ => None,
    };
    match (member, owner, account) {
        (Some(m), Some(o), _) if o.eq_ignore_ascii_case(m) => r.ok(&format!(
            "keys belong to {o}, as CW_MEMBER_IDENTIFIER says"
        )),
        (Some(m), Some(o), _) => r.fail(
            &format!("CW_MEMBER_IDENTIFIER is {m}, but these keys belong to {o}: \"my\" tools would show {m}'s work while notes and time were written as {o}"),
            &format!(
                "set CW_MEMBER_IDENTIFIER={o}, or use {m}'s own API keys (My Account → API Keys){}",
                if m.contains('@') { "; the identifier is the one shown in System → Members, not an e-mail address" } else { "" }
            ),
        ),
        (None, Some(o), _) => r.ok(&format!("keys belong to {o} (from /system/myAccount)")),
        (Some(m), None, Ok(_)) => {
            let q = ListQuery::new()
                .conditions(f("identifier").eq(m))
                .fields(Member::FIELDS)
                .page(1, 1);
            match cw.list::<Member>(endpoints::MEMBERS, &[], &q).await {
                Ok(p) if !p.items.is_empty() => {
                    r.ok(&format!("CW_MEMBER_IDENTIFIER {m} is a member"));
                    r.note(&format!("this ConnectWise has no /system/myAccount, so whether the keys are {m}'s own cannot be confirmed"));
                }
                Ok(_) => r.fail(
                    &format!("CW_MEMBER_IDENTIFIER {m} is not a member identifier"),
                    "use the identifier shown in System → Members (not an e-mail address)",
                ),
                Err(e) => r.fail(&format!("cannot look up members: {e}"), &e.hint()),
            }
        }
        (None, None, Ok(_)) => r.fail(
            "this ConnectWise has no /system/myAccount, so \"my\" tools cannot tell whose keys these are",
            "set CW_MEMBER_IDENTIFIER to the member identifier the keys belong to",
        ),
        (_, _, Err(e)) => r.fail(&format!("cannot read /system/myAccount: {e}"), &e.hint()),
    }
}

/// Requests that need write permission but cannot write: ticket 0 does not exist, and the
/// bodies lack what a record needs. ConnectWise checks the security role first, so 403 means
/// no permission; any other refusal means the permission is there.
struct Probe {
    what: &'static str,
    /// The security-role permission it needs, as ConnectWise's role editor names it.
    needs: &'static str,
    ep: Endpoint,
    args: Vec<i64>,
    body: Value,
}

fn write_probes() -> Vec<Probe> {
    vec![
        Probe {
            what: "add ticket notes",
            needs: "Add on Service Desk › Service Tickets",
            ep: endpoints::TICKET_NOTE_CREATE,
            args: vec![0],
            body: json!({}),
        },
        Probe {
            what: "update tickets",
            needs: "Edit on Service Desk › Service Tickets",
            ep: endpoints::TICKET_PATCH,
            args: vec![0],
            body: json!([]),
        },
        Probe {
            what: "create tickets",
            needs: "Add on Service Desk › Service Tickets",
            ep: endpoints::TICKET_CREATE,
            args: vec![],
            body: json!({"summary": "", "company": {"id": 0}}),
        },
        Probe {
            what: "log time",
            needs: "Add on Time & Expense › Time Entry",
            ep: endpoints::TIME_ENTRY_CREATE,
            args: vec![],
            body: json!({"chargeToType": "ServiceTicket", "chargeToId": 0}),
        },
    ]
}

async fn probe(r: &mut Report, cw: &CwClient, p: Probe) {
    let what = p.what;
    match cw.call(p.ep, &p.args, &[], Some(&p.body)).await {
        Err(Error::Api(e)) if e.status == 403 => r.fail(
            &format!("cannot {what}: ConnectWise answered 403: {}", e.message),
            &format!(
                "the API member's security role does not allow it; a ConnectWise admin can grant {} (System › Security Roles), or use keys of a member who has it",
                p.needs
            ),
        ),
        Err(Error::Api(e)) if (400..500).contains(&e.status) => r.ok(&format!(
            "can {what} (probed without writing: ConnectWise refused only the empty request, with {})",
            e.status
        )),
        Err(e) => r.fail(&format!("cannot tell whether the keys can {what}: {e}"), &e.hint()),
        Ok(_) => r.fail(
            &format!("ConnectWise accepted an empty request to {what}, which it should refuse"),
            "report this: look for a record made just now for ticket 0 and remove it",
        ),
    }
}
