//! Home's settings: the environment, then `~/.config/connectwise-home/.env` (or
//! `CW_HOME_CONFIG_DIR/.env`), which holds the portal password and TOTP secret and is
//! therefore refused unless only its owner can read it (mode 0600).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::{HomeError, Result};
use crate::origin::Origins;

/// Where the portal is, who logs in, and how the browser runs.
#[derive(Clone)]
pub struct HomeConfig {
    pub email: Option<String>,
    pub password: Option<String>,
    /// Base32, whitespace and hyphens removed.
    pub totp_secret: Option<String>,
    pub headless: bool,
    pub max_pages: u32,
    pub timezone: Option<String>,
    /// The portal (`CW_HOME_BASE_URL`, default `https://home.connectwise.com`).
    pub base_url: String,
    /// The identity provider (`CW_HOME_SSO_URL`).
    pub sso_url: String,
    /// The support site (`CW_HOME_SF_BASE_URL`).
    pub sf_url: String,
    /// Where navigation and fetches may go.
    pub origins: Origins,
    /// Close the browser after this long unused; `None` keeps it.
    pub idle_shutdown: Option<Duration>,
    pub chrome_path: PathBuf,
    /// Browser state (cookies), the discovery catalogue.
    pub data_dir: PathBuf,
}

impl std::fmt::Debug for HomeConfig {
    // The password and TOTP secret never reach a log, even at debug.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HomeConfig")
            .field("base_url", &self.base_url)
            .field("sso_url", &self.sso_url)
            .field("headless", &self.headless)
            .field("data_dir", &self.data_dir)
            .finish_non_exhaustive()
    }
}

impl HomeConfig {
    /// Reads the settings: `env` first, then the `.env` file in the config directory.
    pub fn load(env: &dyn Fn(&str) -> Option<String>) -> Result<HomeConfig> {
        let config_dir = env("CW_HOME_CONFIG_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| home_dir().join(".config").join("connectwise-home"));
        let file = read_env_file(&config_dir.join(".env"))?;
        let get = |name: &str| -> Option<String> {
            env(name)
                .or_else(|| file.get(name).cloned())
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let flag = |name: &str, default: bool| -> Result<bool> {
            match get(name).map(|v| v.to_ascii_lowercase()).as_deref() {
                None => Ok(default),
                Some("1" | "true" | "yes" | "on") => Ok(true),
                Some("0" | "false" | "no" | "off") => Ok(false),
                Some(v) => Err(HomeError::Config(format!(
                    "{name} is `{v}`; use true or false"
                ))),
            }
        };
        let number = |name: &str, default: u64| -> Result<u64> {
            match get(name) {
                None => Ok(default),
                Some(v) => v
                    .parse()
                    .map_err(|_| HomeError::Config(format!("{name} is `{v}`; use a whole number"))),
            }
        };
        let base_url =
            get("CW_HOME_BASE_URL").unwrap_or_else(|| "https://home.connectwise.com".into());
        let sso_url =
            get("CW_HOME_SSO_URL").unwrap_or_else(|| "https://auth.connectwise.com".into());
        let sf_url = get("CW_HOME_SF_BASE_URL")
            .unwrap_or_else(|| "https://connectwise20.my.site.com/partnersupport".into());
        let extra: Vec<String> = get("CW_HOME_EXTRA_ORIGINS")
            .map(|v| {
                v.split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let origins = Origins::new(
            [base_url.as_str(), sso_url.as_str(), sf_url.as_str()]
                .into_iter()
                .chain(extra.iter().map(String::as_str)),
            flag("CW_HOME_ALLOW_OFFORIGIN", false)?,
        )?;
        let idle_ms = number("CW_HOME_IDLE_SHUTDOWN_MS", 600_000)?;
        let data_dir = get("CW_HOME_DATA_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| config_dir.join("data"));
        Ok(HomeConfig {
            email: get("CW_HOME_EMAIL"),
            password: get("CW_HOME_PASSWORD"),
            totp_secret: get("CW_HOME_TOTP_SECRET").map(|s| {
                s.chars()
                    .filter(|c| !c.is_whitespace() && *c != '-')
                    .collect()
            }),
            headless: flag("CW_HOME_HEADLESS", true)?,
            max_pages: u32::try_from(number("CW_HOME_MAX_PAGES", 10)?.clamp(1, 100)).unwrap_or(10),
            timezone: get("CW_HOME_TIMEZONE"),
            base_url,
            sso_url,
            sf_url,
            origins,
            idle_shutdown: (idle_ms > 0).then(|| Duration::from_millis(idle_ms)),
            chrome_path: get("CW_HOME_CHROME_PATH")
                .or_else(|| get("CHROME"))
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium")),
            data_dir,
        })
    }

    /// The secrets a redaction must never let through, whatever shape they arrive in.
    pub fn secrets(&self) -> Vec<String> {
        [&self.password, &self.totp_secret]
            .into_iter()
            .flatten()
            .filter(|s| s.len() >= 4)
            .cloned()
            .collect()
    }
}

fn home_dir() -> PathBuf {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/root"))
}

/// `KEY=value` lines of the `.env` file, if there is one; one that others may read is refused.
fn read_env_file(path: &Path) -> Result<HashMap<String, String>> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(HashMap::new()),
        Err(e) => {
            return Err(HomeError::Config(format!(
                "cannot read {}: {e}",
                path.display()
            )))
        }
    };
    check_private(path, &meta)?;
    let text = std::fs::read_to_string(path)
        .map_err(|e| HomeError::Config(format!("cannot read {}: {e}", path.display())))?;
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let (k, v) = l.strip_prefix("export ").unwrap_or(l).split_once('=')?;
            let v = v.trim();
            let v = v
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .or_else(|| v.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
                .unwrap_or(v);
            Some((k.trim().to_string(), v.to_string()))
        })
        .collect())
}

#[cfg(unix)]
fn check_private(path: &Path, meta: &std::fs::Metadata) -> Result<()> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    if meta.file_type().is_symlink() {
        return Err(HomeError::Config(format!(
            "{} is a symbolic link; it holds the portal password, so make it a regular file (mode 0600)",
            path.display()
        )));
    }
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(HomeError::Config(format!(
            "{} is readable by others (mode {mode:o}); it holds the portal password: run `chmod 600 {}`",
            path.display(),
            path.display()
        )));
    }
    if meta.uid() != current_uid().unwrap_or(0) {
        return Err(HomeError::Config(format!(
            "{} belongs to another user; it must be yours (chown it, then chmod 600)",
            path.display()
        )));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path, _meta: &std::fs::Metadata) -> Result<()> {
    Ok(())
}

/// The uid of this process, read from `/proc/self` (no libc dependency for one number).
#[cfg(unix)]
pub(crate) fn current_uid() -> Option<u32> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").map(|m| m.uid()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn dir() -> PathBuf {
        let d = std::env::temp_dir().join(format!(
            "cw-home-config-{}-{}",
            std::process::id(),
            rand_suffix()
        ));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn rand_suffix() -> u128 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    }

    #[test]
    fn an_env_file_others_can_read_is_refused_with_the_fix() {
        let d = dir();
        let f = d.join(".env");
        std::fs::write(
            &f,
            "CW_HOME_PASSWORD=hunter22\nCW_HOME_TOTP_SECRET='JBSW Y3DP-EHPK 3PXP'\n",
        )
        .unwrap();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).unwrap();
        let dirs = d.display().to_string();
        let env = move |k: &str| (k == "CW_HOME_CONFIG_DIR").then(|| dirs.clone());
        let e = HomeConfig::load(&env).unwrap_err().to_string();
        assert!(e.contains("chmod 600") && !e.contains("hunter22"), "{e}");
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o600)).unwrap();
        let c = HomeConfig::load(&env).unwrap();
        assert_eq!(c.password.as_deref(), Some("hunter22"));
        assert_eq!(c.totp_secret.as_deref(), Some("JBSWY3DPEHPK3PXP"));
        assert!(!format!("{c:?}").contains("hunter22"));
        std::fs::remove_dir_all(d).unwrap();
    }
}
