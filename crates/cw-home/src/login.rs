//! The portal login, as a person does it: open the portal, follow it to the identity
//! provider, then e-mail → password → TOTP code → trust this device, until the portal holds an
//! OIDC user in sessionStorage. With saved cookies the provider answers silently and no step
//! is shown. Three failed logins in a row open a breaker that refuses further attempts until
//! the server restarts, so a wrong password cannot lock the account.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use chromiumoxide::Page;
use serde_json::{json, Value};
use totp_rs::{Builder, Secret};

use crate::browser::Held;
use crate::config::HomeConfig;
use crate::error::{HomeError, Result};
use crate::origin::origin_of;
use crate::redact::Redactor;

/// Consecutive failures that open the breaker.
pub const MAX_FAILURES: u32 = 3;
const OVERALL: Duration = Duration::from_secs(60);

/// Consecutive login failures since the last success.
#[derive(Default)]
pub struct Breaker(AtomicU32);

impl Breaker {
    pub fn failures(&self) -> u32 {
        self.0.load(Ordering::Relaxed)
    }

    pub fn open(&self) -> bool {
        self.failures() >= MAX_FAILURES
    }

    fn fail(&self) -> u32 {
        self.0.fetch_add(1, Ordering::Relaxed) + 1
    }

    fn reset(&self) {
        self.0.store(0, Ordering::Relaxed);
    }
}

/// Which login page is showing.
const STEP_JS: &str = r#"(() => {
  const q = s => document.querySelector(s);
  if (q('input[autocomplete="one-time-code"], input[inputmode="numeric"]')) return 'mfa';
  if (q('input[type="password"]')) return 'password';
  if (q('input[type="email"], input[autocomplete="username"], input[name*="email" i]')) return 'email';
  if (/trust this device|remember this device|don.t ask again/i.test(document.body ? document.body.innerText : '')) return 'trust';
  return 'other';
})()"#;

/// Whether the portal holds a live OIDC user (the token itself is never read out).
pub const TOKEN_JS: &str = r#"(() => {
  const k = Object.keys(sessionStorage).find(k => k.startsWith('oidc.user:'));
  if (!k) return false;
  try { const u = JSON.parse(sessionStorage.getItem(k)); return !!u.access_token && (!u.expires_at || u.expires_at > Date.now() / 1000 + 60); }
  catch (e) { return false; }
})()"#;

const ALERT_JS: &str = r#"(() => { const a = document.querySelector('[role=alert], .error, .alert-danger'); return a ? a.innerText.trim() : ''; })()"#;

/// Logs in (or confirms the saved session still works). `force` starts from a clean session.
pub async fn login(
    cfg: &HomeConfig,
    held: &Held<'_>,
    breaker: &Breaker,
    redactor: &Redactor,
    force: bool,
) -> Result<Value> {
    if breaker.open() {
        return Err(HomeError::Login(format!(
            "Login is refused: the last {MAX_FAILURES} attempts failed in a row, so no more are made (the portal would lock the account). Fix CW_HOME_PASSWORD or CW_HOME_TOTP_SECRET, then restart the server."
        )));
    }
    let page = held.page()?;
    if force {
        held.running()?.clear_cookies().await?;
    }
    match run(cfg, page, redactor).await {
        Ok(steps) => {
            breaker.reset();
            let cookies = held.save_state().await?;
            let silent = steps.is_empty();
            Ok(json!({
                "logged_in": true,
                "steps": if silent { vec!["restored session".to_string()] } else { steps },
                "url": redactor.url(&page.url().await?.unwrap_or_default()),
                "cookies_saved": cookies,
            }))
        }
        Err(e) => {
            let n = breaker.fail();
            let left = MAX_FAILURES.saturating_sub(n);
            let tail = if left == 0 {
                " No more attempts will be made until the server restarts.".to_string()
            } else {
                format!(" {left} more failed attempt(s) will stop further logins until restart.")
            };
            Err(HomeError::Login(format!("{e}{tail}")))
        }
    }
}

async fn run(cfg: &HomeConfig, page: &Page, redactor: &Redactor) -> Result<Vec<String>> {
    let portal = origin_of(&cfg.base_url).unwrap_or_default();
    let sso = origin_of(&cfg.sso_url).unwrap_or_default();
    let _ = tokio::time::timeout(Duration::from_secs(20), page.goto(cfg.base_url.as_str())).await;
    let started = Instant::now();
    let mut steps: Vec<String> = Vec::new();
    let mut last_step = String::new();
    let mut repeats = 0;
    while started.elapsed() < OVERALL {
        let url = page.url().await?.unwrap_or_default();
        let here = origin_of(&url).unwrap_or_default();
        if here == portal && eval_bool(page, TOKEN_JS).await {
            return Ok(steps);
        }
        if here != sso {
            tokio::time::sleep(Duration::from_millis(200)).await;
            continue;
        }
        let step = eval_string(page, STEP_JS).await;
        // The same page again after submitting it: the provider said no.
        if step == last_step && step != "other" {
            repeats += 1;
            let alert = redactor.text(&eval_string(page, ALERT_JS).await);
            if !alert.is_empty() || repeats > 10 {
                let said = if alert.is_empty() {
                    "no reason given".to_string()
                } else {
                    alert
                };
                return Err(HomeError::Login(format!(
                    "The portal login stopped at the {step} step: {said}."
                )));
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
            continue;
        }
        repeats = 0;
        match step.as_str() {
            "email" => {
                let email = cfg.email.as_deref().ok_or_else(|| {
                    HomeError::Config(
                        "CW_HOME_EMAIL is not set: the portal asks for the login e-mail".into(),
                    )
                })?;
                fill(page, r#"input[type="email"], input[autocomplete="username"], input[name*="email" i]"#, email).await?;
            }
            "password" => {
                let pw = cfg.password.as_deref().ok_or_else(|| {
                    HomeError::Config(
                        "CW_HOME_PASSWORD is not set: the portal asks for the password".into(),
                    )
                })?;
                fill(page, r#"input[type="password"]"#, pw).await?;
            }
            "mfa" => {
                let code = totp(cfg).await?;
                fill(
                    page,
                    r#"input[autocomplete="one-time-code"], input[inputmode="numeric"]"#,
                    &code,
                )
                .await?;
            }
            "trust" => {
                let _ = page.evaluate(r#"(() => { const c = document.querySelector('input[type=checkbox]'); if (c && !c.checked) c.click(); })()"#).await;
            }
            _ => {
                tokio::time::sleep(Duration::from_millis(200)).await;
                continue;
            }
        }
        steps.push(step.clone());
        last_step = step;
        submit(page).await?;
    }
    Err(HomeError::Login(format!(
        "The portal login did not finish within {} s (last step: {}).",
        OVERALL.as_secs(),
        if last_step.is_empty() {
            "none"
        } else {
            &last_step
        }
    )))
}

/// Types `value` into the first element matching `selector` (never logged, never echoed).
async fn fill(page: &Page, selector: &str, value: &str) -> Result<()> {
    let el = page.find_element(selector).await.map_err(|_| {
        HomeError::Login(format!("the login page has no field matching {selector}"))
    })?;
    el.click().await?;
    el.type_str(value).await?;
    Ok(())
}

/// Presses the page's submit button and waits for what it loads.
async fn submit(page: &Page) -> Result<()> {
    let button = page
        .find_element(r#"button[type="submit"], input[type="submit"]"#)
        .await?;
    button.click().await?;
    let _ = tokio::time::timeout(Duration::from_secs(15), page.wait_for_navigation()).await;
    Ok(())
}

/// The current TOTP code; waits for the next one when this one is about to expire.
async fn totp(cfg: &HomeConfig) -> Result<String> {
    let secret = cfg.totp_secret.as_deref().ok_or_else(|| {
        HomeError::Config(
            "CW_HOME_TOTP_SECRET is not set: the portal asks for a verification code".into(),
        )
    })?;
    let key = Secret::try_from_base32(secret).map_err(|_| HomeError::Config("CW_HOME_TOTP_SECRET is not a base32 secret (the text under the QR code when MFA was set up)".into()))?;
    let t = Builder::new()
        .with_secret(key)
        .build()
        .map_err(|e| HomeError::Config(format!("CW_HOME_TOTP_SECRET cannot make codes: {e}")))?;
    if t.ttl() < 3 {
        tokio::time::sleep(Duration::from_secs(t.ttl() + 1)).await;
    }
    Ok(t.generate_current().to_string())
}

pub async fn eval_bool(page: &Page, js: &str) -> bool {
    match page.evaluate(js).await {
        Ok(r) => r.into_value::<bool>().unwrap_or(false),
        Err(_) => false,
    }
}

pub async fn eval_string(page: &Page, js: &str) -> String {
    match page.evaluate(js).await {
        Ok(r) => r.into_value::<String>().unwrap_or_default(),
        Err(_) => String::new(),
    }
}
