//! One headless Chromium per process, started on the first Home call (the PSA tools never pay
//! for it), closed after `CW_HOME_IDLE_SHUTDOWN_MS` unused, and relaunched with its saved
//! cookies on the next call. A call holds the browser for its whole duration, so two calls
//! never interleave their clicks.
//!
//! Every document load of the page, redirects and navigations the page starts itself included,
//! is paused (CDP `Fetch`) and let through only if its origin is on the allow-list; anything
//! else fails as blocked by the client and is remembered for the tool to report.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use chromiumoxide::browser::{Browser, BrowserConfig};
use chromiumoxide::cdp::browser_protocol::fetch::{
    ContinueRequestParams, EnableParams, EventRequestPaused, FailRequestParams, RequestPattern,
    RequestStage,
};
use chromiumoxide::cdp::browser_protocol::network::{
    Cookie, CookieParam, ErrorReason, ResourceType, TimeSinceEpoch,
};
use chromiumoxide::Page;
use futures::StreamExt;
use tokio::sync::{Mutex as AsyncMutex, MutexGuard};
use tokio::task::JoinHandle;

use crate::config::HomeConfig;
use crate::error::{HomeError, Result};
use crate::origin::{origin_of, Origins};
use crate::state;

/// A running browser and its one page.
pub struct Running {
    browser: Browser,
    pub page: Page,
    tasks: Vec<JoinHandle<()>>,
    profile: PathBuf,
    /// Origins the guard refused since the last [`Running::take_blocked`].
    blocked: Arc<Mutex<Vec<String>>>,
    pub pid: Option<u32>,
}

impl Running {
    /// Origins blocked since the last call, for the tool's answer.
    pub fn take_blocked(&self) -> Vec<String> {
        std::mem::take(&mut *self.blocked.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Every cookie of the browser (all origins).
    pub async fn cookies(&self) -> Result<Vec<Cookie>> {
        Ok(self.browser.get_cookies().await?)
    }

    pub async fn clear_cookies(&self) -> Result<()> {
        Ok(self.browser.clear_cookies().await?)
    }

    async fn close(mut self) {
        // Chromium exits on Browser.close; if it does not within a few seconds, it is killed.
        let _ = tokio::time::timeout(Duration::from_secs(5), self.browser.close()).await;
        if tokio::time::timeout(Duration::from_secs(5), self.browser.wait())
            .await
            .is_err()
        {
            let _ = self.browser.kill().await;
        }
        for t in self.tasks.drain(..) {
            t.abort();
        }
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// The browser slot: empty until the first call, and again after an idle shutdown.
pub struct Host {
    cfg: Arc<HomeConfig>,
    slot: Arc<AsyncMutex<Option<Running>>>,
    /// Milliseconds since `epoch` of the last use.
    last_used: Arc<AtomicU64>,
    epoch: Instant,
    launches: AtomicU64,
    idle_task: Mutex<Option<JoinHandle<()>>>,
}

impl Host {
    pub fn new(cfg: Arc<HomeConfig>) -> Host {
        Host {
            cfg,
            slot: Arc::new(AsyncMutex::new(None)),
            last_used: Arc::new(AtomicU64::new(0)),
            epoch: Instant::now(),
            launches: AtomicU64::new(0),
            idle_task: Mutex::new(None),
        }
    }

    /// Takes the browser for one call, starting it (with the saved cookies) if needed.
    pub async fn take(&self) -> Result<Held<'_>> {
        let mut guard = self.slot.lock().await;
        if guard.is_none() {
            *guard = Some(self.launch().await?);
            self.launches.fetch_add(1, Ordering::Relaxed);
            self.watch_idle();
        }
        self.touch();
        Ok(Held { guard, host: self })
    }

    /// The browser if it runs, without starting it.
    pub async fn peek(&self) -> MutexGuard<'_, Option<Running>> {
        self.slot.lock().await
    }

    /// How many times a browser was started (the idle shutdown test reads it).
    pub fn launches(&self) -> u64 {
        self.launches.load(Ordering::Relaxed)
    }

    fn touch(&self) {
        let ms = u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_used.store(ms, Ordering::Relaxed);
    }

    /// Starts the task that closes the browser when it has not been used for the idle time.
    fn watch_idle(&self) {
        let Some(idle) = self.cfg.idle_shutdown else {
            return;
        };
        let mut task = self
            .idle_task
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if task.as_ref().is_some_and(|t| !t.is_finished()) {
            return;
        }
        let slot = self.slot.clone();
        let last = self.last_used.clone();
        let epoch = self.epoch;
        let cfg = self.cfg.clone();
        let tick = (idle / 4).clamp(Duration::from_millis(100), Duration::from_secs(10));
        *task = Some(tokio::spawn(async move {
            loop {
                tokio::time::sleep(tick).await;
                let since = epoch
                    .elapsed()
                    .saturating_sub(Duration::from_millis(last.load(Ordering::Relaxed)));
                if since < idle {
                    continue;
                }
                // A call in progress holds the slot: try again later rather than wait.
                let Ok(mut guard) = slot.try_lock() else {
                    continue;
                };
                if let Some(running) = guard.take() {
                    if let Ok(cookies) = running.cookies().await {
                        let _ = state::save(&cfg.data_dir, &cookies);
                    }
                    running.close().await;
                    tracing::info!(
                        "ConnectWise Home: browser closed after {} ms unused",
                        idle.as_millis()
                    );
                }
                return;
            }
        }));
    }

    async fn launch(&self) -> Result<Running> {
        let cfg = &self.cfg;
        if !cfg.chrome_path.exists() {
            return Err(HomeError::Browser(format!(
                "Chromium is not at {}: install it (Debian: apt-get install chromium) or set CW_HOME_CHROME_PATH",
                cfg.chrome_path.display()
            )));
        }
        let n = self.launches.load(Ordering::Relaxed);
        let profile =
            std::env::temp_dir().join(format!("cw-home-profile-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&profile);
        let mut b = BrowserConfig::builder()
            .chrome_executable(&cfg.chrome_path)
            .user_data_dir(&profile)
            .window_size(1280, 900)
            .launch_timeout(Duration::from_secs(30))
            .request_timeout(Duration::from_secs(30))
            // Chromium's own phoning home (updates, sync, field trials) is noise at best.
            .args([
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
                "--disable-gpu",
                "--disable-dev-shm-usage",
            ]);
        b = if cfg.headless {
            b.new_headless_mode()
        } else {
            b.with_head()
        };
        // Chromium's sandbox cannot run as root; anywhere else it stays on.
        if running_as_root() {
            b = b.no_sandbox();
        }
        let config = b.build().map_err(HomeError::Browser)?;
        let (browser, mut handler) = Browser::launch(config).await.map_err(|e| {
            HomeError::Browser(format!(
                "Chromium at {} did not start: {e}",
                cfg.chrome_path.display()
            ))
        })?;
        let mut tasks = vec![tokio::spawn(async move {
            // The handler drives every CDP exchange; it must be polled for as long as the browser lives.
            while handler.next().await.is_some() {}
        })];
        let page = browser.new_page("about:blank").await?;
        let blocked = Arc::new(Mutex::new(Vec::new()));
        tasks.push(guard_navigation(&page, cfg.origins.clone(), blocked.clone()).await?);
        let mut browser = browser;
        let pid = browser.get_mut_child().and_then(|c| c.as_mut_inner().id());
        let running = Running {
            browser,
            page,
            tasks,
            profile,
            blocked,
            pid,
        };
        if let Some(cookies) = state::load(&cfg.data_dir)? {
            let params: Vec<CookieParam> = cookies.into_iter().map(param).collect();
            if !params.is_empty() {
                running.browser.set_cookies(params).await?;
            }
        }
        Ok(running)
    }

    /// Saves the cookies and closes the browser, if it runs.
    pub async fn shutdown(&self) {
        let mut guard = self.slot.lock().await;
        if let Some(running) = guard.take() {
            if let Ok(cookies) = running.cookies().await {
                let _ = state::save(&self.cfg.data_dir, &cookies);
            }
            running.close().await;
        }
    }
}

/// The browser, held for one call.
pub struct Held<'a> {
    guard: MutexGuard<'a, Option<Running>>,
    host: &'a Host,
}

impl Held<'_> {
    pub fn running(&self) -> Result<&Running> {
        self.guard
            .as_ref()
            .ok_or_else(|| HomeError::Browser("the browser is not running".into()))
    }

    pub fn page(&self) -> Result<&Page> {
        Ok(&self.running()?.page)
    }

    /// Saves the cookies to the state file (0600).
    pub async fn save_state(&self) -> Result<usize> {
        let cookies = self.running()?.cookies().await?;
        state::save(&self.host.cfg.data_dir, &cookies)?;
        Ok(cookies.len())
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        self.host.touch();
    }
}

/// Pauses every document request of `page` and lets through only allow-listed origins.
async fn guard_navigation(
    page: &Page,
    origins: Origins,
    blocked: Arc<Mutex<Vec<String>>>,
) -> Result<JoinHandle<()>> {
    let mut paused = page.event_listener::<EventRequestPaused>().await?;
    let pattern = RequestPattern {
        url_pattern: Some("*".into()),
        resource_type: Some(ResourceType::Document),
        request_stage: Some(RequestStage::Request),
    };
    page.execute(EnableParams {
        patterns: Some(vec![pattern]),
        handle_auth_requests: None,
    })
    .await?;
    let page = page.clone();
    Ok(tokio::spawn(async move {
        while let Some(ev) = paused.next().await {
            let id = ev.request_id.clone();
            if origins.allows(&ev.request.url) {
                let _ = page.execute(ContinueRequestParams::new(id)).await;
            } else {
                let o = origin_of(&ev.request.url).unwrap_or_else(|| "an address".into());
                tracing::warn!(
                    "ConnectWise Home: blocked a navigation to {o}, which is not on the allow-list"
                );
                blocked
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(o);
                let _ = page
                    .execute(FailRequestParams::new(id, ErrorReason::BlockedByClient))
                    .await;
            }
        }
    }))
}

/// A saved cookie as the browser takes it back.
fn param(c: Cookie) -> CookieParam {
    let mut p = CookieParam::new(c.name, c.value);
    p.domain = Some(c.domain);
    p.path = Some(c.path);
    p.secure = Some(c.secure);
    p.http_only = Some(c.http_only);
    p.same_site = c.same_site;
    if !c.session && c.expires > 0.0 {
        p.expires = Some(TimeSinceEpoch::new(c.expires));
    }
    p
}

#[cfg(unix)]
fn running_as_root() -> bool {
    crate::config::current_uid() == Some(0)
}

#[cfg(not(unix))]
fn running_as_root() -> bool {
    false
}
