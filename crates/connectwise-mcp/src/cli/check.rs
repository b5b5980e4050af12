//! `connectwise-mcp check`: verifies the configuration and credentials against ConnectWise,
//! step by step, and says how to fix what fails. It prints no key.

use anyhow::bail;
use cw_client::endpoints;
use cw_client::models::Member;
use cw_client::{Error, ListQuery, Upstream};

use crate::filters::f;

struct Report {
    failed: bool,
}

impl Report {
    fn ok(&self, what: &str) {
        println!("  ok    {what}");
    }

    fn fail(&mut self, what: &str, fix: &str) {
        self.failed = true;
        println!("  FAIL  {what}\n        fix: {fix}");
    }

    fn note(&self, what: &str) {
        println!("  note  {what}");
    }
}

pub async fn run() -> anyhow::Result<()> {
    let mut r = Report { failed: false };
    println!("connectwise-mcp check");
    let (cfg, creds) = match crate::config::connectwise(&crate::config::process_env) {
        Ok(c) => (c.cfg, c.creds),
        Err(e) => {
            r.fail("configuration", &e.to_string());
            bail!("configuration is incomplete");
        }
    };
    r.ok(&format!(
        "site {} (company {}, clientId set)",
        cfg.site.origin, cfg.company_id
    ));
    let pinned = cfg.codebase.clone();
    let up = Upstream::new(cfg)?;
    match up.company_info().await {
        Ok(Some(info)) => r.ok(&format!(
            "company info: {} on {} ({}, codebase {})",
            info.company_name.as_deref().unwrap_or("?"),
            info.version_code.as_deref().unwrap_or("?"),
            if info.cloud() { "cloud" } else { "on-premises" },
            info.codebase.as_deref().unwrap_or("?")
        )),
        Ok(None) if pinned.is_some() => r.note("the site does not know this company id; using the codebase pinned by CW_API_VERSION"),
        Ok(None) => r.fail(
            "the site does not know this company id",
            "CW_COMPANY_ID must be the company id typed at the ConnectWise login screen (not the company's name)",
        ),
        Err(e) => r.fail(&format!("cannot reach the site: {e}"), "check CW_SITE (e.g. na.myconnectwise.net or your on-prem host) and the network path"),
    }
    let Some(creds) = creds else {
        r.fail(
            "API keys",
            "set CW_PUBLIC_KEY and CW_PRIVATE_KEY to an API member's keys (My Account → API Keys)",
        );
        bail!("API keys are missing");
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
            bail!("ConnectWise did not accept the keys");
        }
    }
    match member {
        Some(m) => {
            let q = ListQuery::new()
                .conditions(f("identifier").eq(m.as_str()))
                .fields(Member::FIELDS)
                .page(1, 1);
            match cw.list::<Member>(endpoints::MEMBERS, &[], &q).await {
                Ok(p) if !p.items.is_empty() => {
                    r.ok(&format!("CW_MEMBER_IDENTIFIER {m} is a member"))
                }
                Ok(_) => r.fail(
                    &format!("CW_MEMBER_IDENTIFIER {m} is not a member identifier"),
                    "use the identifier shown in System → Members (not an e-mail address)",
                ),
                Err(e) => r.fail(&format!("cannot look up members: {e}"), &e.hint()),
            }
        }
        None => match cw.my_account().await {
            Ok(Some(a)) => r.ok(&format!(
                "keys belong to {} (from /system/myAccount)",
                a.identifier.as_deref().unwrap_or("?")
            )),
            Ok(None) => r.fail(
                "this server has no /system/myAccount, so \"my\" tools cannot tell who you are",
                "set CW_MEMBER_IDENTIFIER to your member identifier",
            ),
            Err(e) => r.fail(&format!("cannot read /system/myAccount: {e}"), &e.hint()),
        },
    }
    for (what, ep) in [
        ("read tickets", endpoints::TICKETS_COUNT),
        ("read time entries", endpoints::TIME_ENTRIES_COUNT),
        ("read contacts", endpoints::CONTACTS_COUNT),
        ("read configurations", endpoints::CONFIGURATIONS_COUNT),
    ] {
        match cw.count(ep, &[], None).await {
            Ok(n) => r.ok(&format!("can {what} ({n})")),
            Err(Error::Api(e)) if e.status == 403 => r.fail(&format!("cannot {what}"), &e.hint()),
            Err(e) => r.fail(&format!("cannot {what}: {e}"), &e.hint()),
        }
    }
    if r.failed {
        bail!("some checks failed; see the fixes above");
    }
    println!("All checks passed.");
    Ok(())
}
