//! Per-principal rate limit for shared HTTP deployments (`MCP_RATE_LIMIT`): one token holder
//! (or one set of client keys) cannot flood the server, and through it the tenant. A request
//! over the limit is answered 429 with `Retry-After` before anything runs.
//!
//! The bucket is GCRA from `governor`: a burst of the whole quota, then one request per
//! replenish interval. Local principals (stdio, dev mode) are not limited. With replicas the
//! same bucket lives in Redis ([`crate::cluster::rate`]), so the limit holds for the
//! deployment, not per replica.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::cluster::{self, Redis};

/// A quota as configured: `N` requests per `per`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub requests: NonZeroU32,
    pub per: Duration,
}

impl Rate {
    /// The default: 300 requests a minute, a burst of 300 (an assistant's busiest turn is
    /// a few dozen calls).
    pub const DEFAULT: Rate = Rate {
        requests: NonZeroU32::new(300).unwrap(),
        per: Duration::from_secs(60),
    };

    /// Reads `N/s`, `N/min` or `N/h`; `off` is `None`. The error says what would work.
    pub fn parse(s: &str) -> Result<Option<Rate>, String> {
        Rate::parse_setting("MCP_RATE_LIMIT", s)
    }

    /// [`Rate::parse`] for the setting `name`, which the error names.
    pub fn parse_setting(name: &str, s: &str) -> Result<Option<Rate>, String> {
        let s = s.trim().to_ascii_lowercase();
        if s == "off" {
            return Ok(None);
        }
        let usage = || {
            format!(
                "{name} is `{s}`; use requests per unit such as 300/min, 10/s or 2000/h, or off"
            )
        };
        let (n, unit) = s.split_once('/').ok_or_else(usage)?;
        let requests = n.trim().parse::<NonZeroU32>().map_err(|_| usage())?;
        let per = match unit.trim() {
            "s" | "sec" | "second" => Duration::from_secs(1),
            "m" | "min" | "minute" => Duration::from_secs(60),
            "h" | "hour" => Duration::from_secs(3600),
            _ => return Err(usage()),
        };
        Ok(Some(Rate { requests, per }))
    }
}

/// Limits keyed by principal label.
pub struct RateLimit {
    rate: Rate,
    /// With replicas: the deployment-wide bucket in Redis, used while Redis answers.
    shared: Option<Arc<Redis>>,
    limiter: DefaultKeyedRateLimiter<String>,
    clock: DefaultClock,
    /// Checks since the last sweep of idle principals.
    checks: AtomicU32,
}

impl RateLimit {
    pub fn new(rate: Rate) -> RateLimit {
        let interval = rate.per / rate.requests.get();
        // The period is at least a nanosecond, so `with_period` always has a quota to give.
        let quota = Quota::with_period(interval.max(Duration::from_nanos(1)))
            .unwrap_or_else(|| Quota::per_second(rate.requests))
            .allow_burst(rate.requests);
        RateLimit {
            rate,
            shared: None,
            limiter: RateLimiter::keyed(quota),
            clock: DefaultClock::default(),
            checks: AtomicU32::new(0),
        }
    }

    /// Holds the limit for all replicas together, in `redis`; while Redis cannot be reached,
    /// each replica holds it on its own.
    pub fn shared(mut self, redis: Arc<Redis>) -> RateLimit {
        self.shared = Some(redis);
        self
    }

    /// `Ok` if `principal` may make a request now, else how long until it may.
    pub async fn check(&self, principal: &str) -> Result<(), Duration> {
        if let Some(redis) = self.shared.as_deref().filter(|r| r.up()) {
            let (n, per) = (self.rate.requests, self.rate.per);
            if let Some(verdict) = cluster::rate::check(redis, n, per, principal).await {
                return verdict;
            }
        }
        self.check_here(principal)
    }

    /// This replica's own bucket.
    fn check_here(&self, principal: &str) -> Result<(), Duration> {
        // Forget principals whose buckets are full again, now and then, so the map stays
        // as small as the set of recently active callers.
        if self.checks.fetch_add(1, Ordering::Relaxed) % 4096 == 4095 {
            self.limiter.retain_recent();
        }
        self.limiter
            .check_key(&principal.to_string())
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_read_and_refuse_clearly() {
        assert_eq!(
            Rate::parse("10/s").unwrap(),
            Some(Rate {
                requests: NonZeroU32::new(10).unwrap(),
                per: Duration::from_secs(1)
            })
        );
        assert_eq!(
            Rate::parse(" 2000/h ").unwrap().unwrap().per,
            Duration::from_secs(3600)
        );
        assert_eq!(Rate::parse("OFF").unwrap(), None);
        for bad in ["", "10", "0/min", "ten/min", "10/day"] {
            let e = Rate::parse(bad).unwrap_err();
            assert!(e.contains("300/min"), "{e}");
        }
    }

    #[test]
    fn a_burst_then_a_wait_per_principal() {
        let r = RateLimit::new(Rate::parse("3/min").unwrap().unwrap());
        for _ in 0..3 {
            assert!(r.check_here("alice").is_ok());
        }
        let wait = r.check_here("alice").unwrap_err();
        assert!(
            wait > Duration::from_secs(15) && wait <= Duration::from_secs(20),
            "{wait:?}"
        );
        // Another principal has its own bucket.
        assert!(r.check_here("bob").is_ok());
    }
}
