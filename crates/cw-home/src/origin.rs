//! Where the browser may go: the portal, its identity provider and its support site, plus
//! `CW_HOME_EXTRA_ORIGINS`. Checked on every navigation a tool asks for, on every fetch, and
//! (by request interception in [`crate::browser`]) on navigations the page starts itself,
//! redirects included. `CW_HOME_ALLOW_OFFORIGIN` turns the guard off, for debugging only.

use url::Url;

use crate::error::{HomeError, Result};

/// The allow-list, as `scheme://host:port` origins.
#[derive(Debug, Clone)]
pub struct Origins {
    allowed: Vec<String>,
    off: bool,
}

impl Origins {
    pub fn new<'a>(
        urls: impl IntoIterator<Item = &'a str>,
        allow_offorigin: bool,
    ) -> Result<Origins> {
        let mut allowed = Vec::new();
        for u in urls {
            let o = origin_of(u).ok_or_else(|| {
                HomeError::Config(format!("`{u}` is not a URL with a host (check CW_HOME_BASE_URL, CW_HOME_SSO_URL, CW_HOME_SF_BASE_URL and CW_HOME_EXTRA_ORIGINS)"))
            })?;
            if !allowed.contains(&o) {
                allowed.push(o);
            }
        }
        Ok(Origins {
            allowed,
            off: allow_offorigin,
        })
    }

    /// Whether `url` may be loaded or fetched. Non-network schemes (`about:`, `data:`,
    /// `blob:`) stay inside the page and pass.
    pub fn allows(&self, url: &str) -> bool {
        if self.off {
            return true;
        }
        match Url::parse(url) {
            Ok(u) if matches!(u.scheme(), "about" | "data" | "blob") => true,
            Ok(u) if !u.username().is_empty() || u.password().is_some() => false,
            Ok(_) => origin_of(url).is_some_and(|o| self.allowed.contains(&o)),
            Err(_) => false,
        }
    }

    /// `Ok` if allowed, else an error naming the origin and the setting.
    pub fn check(&self, url: &str) -> Result<()> {
        if self.allows(url) {
            return Ok(());
        }
        Err(HomeError::Invalid(format!(
            "{} is not on the allow-list ({}); an administrator can add an origin to CW_HOME_EXTRA_ORIGINS",
            origin_of(url).unwrap_or_else(|| "that address".into()),
            self.allowed.join(", ")
        )))
    }

    pub fn list(&self) -> &[String] {
        &self.allowed
    }
}

/// `scheme://host:port` of a URL, port always spelled.
pub fn origin_of(url: &str) -> Option<String> {
    let u = Url::parse(url).ok()?;
    let host = u.host_str()?;
    let port = u.port_or_known_default()?;
    Some(format!(
        "{}://{}:{}",
        u.scheme(),
        host.to_ascii_lowercase(),
        port
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_listed_origins_pass() {
        let o = Origins::new(
            [
                "https://home.connectwise.com",
                "http://sso.localhost:4100/x",
            ],
            false,
        )
        .unwrap();
        assert!(o.allows("https://home.connectwise.com/api/v1/partners/me"));
        assert!(o.allows("https://HOME.connectwise.com:443/"));
        assert!(o.allows("http://sso.localhost:4100/login"));
        assert!(o.allows("about:blank"));
        for bad in [
            "http://home.connectwise.com/",
            "https://home.connectwise.com.evil.example/",
            "https://user:pw@home.connectwise.com/",
            "http://sso.localhost:4101/",
            "javascript:alert(1)",
            "not a url",
        ] {
            assert!(!o.allows(bad), "{bad}");
        }
        assert!(o
            .check("https://evil.example/")
            .unwrap_err()
            .to_string()
            .contains("CW_HOME_EXTRA_ORIGINS"));
        assert!(Origins::new(["https://home.connectwise.com"], true)
            .unwrap()
            .allows("https://evil.example/"));
    }
}
