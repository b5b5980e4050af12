//! The saved browser session: every cookie, in `data/browser-state.json`, written to a temporary
//! file created mode 0600 and renamed over the old one, in a directory only its owner can enter
//! (0700). The file is a session: whoever reads it is logged in to the portal.

use std::io::Write;
use std::path::{Path, PathBuf};

use chromiumoxide::cdp::browser_protocol::network::Cookie;

use crate::error::{HomeError, Result};

const FILE: &str = "browser-state.json";

pub fn path(data_dir: &Path) -> PathBuf {
    data_dir.join(FILE)
}

/// Writes the cookies (0600, atomically).
pub fn save(data_dir: &Path, cookies: &[Cookie]) -> Result<()> {
    private_dir(data_dir)?;
    let json = serde_json::to_vec(cookies)
        .map_err(|e| HomeError::Browser(format!("cannot encode the browser state: {e}")))?;
    write_private(&path(data_dir), &json)
}

/// The saved cookies, if any.
pub fn load(data_dir: &Path) -> Result<Option<Vec<Cookie>>> {
    let p = path(data_dir);
    match std::fs::read(&p) {
        Ok(bytes) => Ok(serde_json::from_slice(&bytes).ok()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(HomeError::Config(format!(
            "cannot read {}: {e}",
            p.display()
        ))),
    }
}

/// Forgets the saved session.
pub fn clear(data_dir: &Path) -> Result<()> {
    match std::fs::remove_file(path(data_dir)) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(HomeError::Config(format!(
            "cannot remove the saved session: {e}"
        ))),
    }
}

/// Creates `dir` (0700) if needed.
pub fn private_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)
        .map_err(|e| HomeError::Config(format!("cannot create {}: {e}", dir.display())))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| HomeError::Config(format!("cannot restrict {}: {e}", dir.display())))?;
    }
    Ok(())
}

/// Writes `bytes` to `path` through a 0600 temporary file and a rename.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("tmp");
    let fail =
        |e: std::io::Error| HomeError::Config(format!("cannot write {}: {e}", path.display()));
    let _ = std::fs::remove_file(&tmp);
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    let mut f = o.open(&tmp).map_err(fail)?;
    f.write_all(bytes).map_err(fail)?;
    f.sync_all().map_err(fail)?;
    std::fs::rename(&tmp, path).map_err(fail)
}
