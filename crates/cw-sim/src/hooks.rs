//! Test hooks: a log of every API request, and injected faults.
//!
//! Both are reachable in-process ([`crate::Sim`]) and over HTTP under the reserved prefix
//! `/__sim/` (never logged, never faulted, no auth: the simulator is a loopback test double).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One request as it reached the simulator.
#[derive(Debug, Clone, Serialize)]
pub struct LoggedRequest {
    pub seq: u64,
    pub method: String,
    /// Path after `/{codebase}apis/3.0` (or the full path for `/login/...`).
    pub path: String,
    /// Decoded query parameters in order, repeats kept.
    pub query: Vec<(String, String)>,
    /// The authenticated member's identifier, if authentication succeeded.
    pub member: Option<String>,
    pub status: u16,
    /// The request body, for writes.
    pub body: Option<Value>,
    /// Bytes of response body sent.
    pub response_bytes: usize,
    /// Whether a fault dropped the connection.
    pub dropped: bool,
}

impl LoggedRequest {
    /// The single value of a query parameter (case-insensitive), if given once.
    pub fn param(&self, name: &str) -> Option<&str> {
        let mut it = self
            .query
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name));
        let first = it.next()?;
        it.next().is_none().then_some(first.1.as_str())
    }
}

/// What a fault does to a matching request.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultAction {
    /// Waits this long, then answers normally.
    Latency { ms: u64 },
    /// Answers with this status and a ConnectWise error body instead of doing the work.
    /// 429 carries `Retry-After` (seconds).
    Status {
        status: u16,
        #[serde(default)]
        retry_after: Option<u64>,
    },
    /// Closes the connection without answering and without doing the work.
    DropBefore,
    /// Does the work (a write is committed), then closes the connection without answering.
    DropAfter,
    /// ConnectWise slower than its caller: answers nothing for `ms`, then does the work (a
    /// write is committed) and answers, whether or not the caller is still waiting.
    LateCommit { ms: u64 },
}

/// A fault: which requests it hits and how many times.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Fault {
    /// HTTP method to match; any when absent.
    #[serde(default)]
    pub method: Option<String>,
    /// Path pattern after `apis/3.0`; `*` matches one segment, a trailing `**` the rest.
    /// Any path when absent.
    #[serde(default)]
    pub path: Option<String>,
    #[serde(flatten)]
    pub action: FaultAction,
    /// How many requests it hits before it is spent; forever when absent.
    #[serde(default)]
    pub times: Option<u32>,
}

impl Fault {
    fn hits(&self, method: &str, path: &str) -> bool {
        self.method
            .as_ref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self.path.as_ref().is_none_or(|p| glob(p, path))
    }
}

fn glob(pattern: &str, path: &str) -> bool {
    let p: Vec<&str> = pattern.trim_matches('/').split('/').collect();
    let s: Vec<&str> = path.trim_matches('/').split('/').collect();
    for (i, seg) in p.iter().enumerate() {
        if *seg == "**" {
            return true;
        }
        match s.get(i) {
            Some(x) if *seg == "*" || seg.eq_ignore_ascii_case(x) => {}
            _ => return false,
        }
    }
    p.len() == s.len()
}

/// Most requests the log keeps: the newest, so a long load run cannot grow it without bound.
pub const LOG_CAP: usize = 20_000;

#[derive(Default)]
pub struct Hooks {
    log: Mutex<VecDeque<LoggedRequest>>,
    faults: Mutex<Vec<Fault>>,
    seq: Mutex<u64>,
    in_flight: AtomicUsize,
    /// The most API requests being answered at once since the log was last cleared.
    peak_in_flight: AtomicUsize,
}

/// An API request being answered; counted until dropped.
pub struct Answering<'a>(&'a Hooks);

impl Drop for Answering<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Hooks {
    /// Counts an API request as in flight until the guard drops.
    pub fn answering(&self) -> Answering<'_> {
        let now = self.in_flight.fetch_add(1, Ordering::AcqRel) + 1;
        self.peak_in_flight.fetch_max(now, Ordering::AcqRel);
        Answering(self)
    }

    /// The most API requests answered at once since the log was last cleared.
    pub fn peak_in_flight(&self) -> usize {
        self.peak_in_flight.load(Ordering::Acquire)
    }

    pub fn record(&self, mut r: LoggedRequest) {
        let mut seq = self.seq.lock().unwrap_or_else(|e| e.into_inner());
        *seq += 1;
        r.seq = *seq;
        let mut log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        if log.len() >= LOG_CAP {
            log.pop_front();
        }
        log.push_back(r);
    }

    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .cloned()
            .collect()
    }

    pub fn clear_requests(&self) {
        self.peak_in_flight
            .store(self.in_flight.load(Ordering::Acquire), Ordering::Release);
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    pub fn add_fault(&self, f: Fault) {
        self.faults
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(f);
    }

    pub fn faults(&self) -> Vec<Fault> {
        self.faults
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn clear_faults(&self) {
        self.faults
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// The faults hitting this request, spending one use of each taken: every matching latency
    /// (they add up), and the first matching status or drop, so queued faults hit successive
    /// requests in the order they were added.
    pub fn take(&self, method: &str, path: &str) -> Vec<FaultAction> {
        let mut faults = self.faults.lock().unwrap_or_else(|e| e.into_inner());
        let mut out = Vec::new();
        let mut terminal = false;
        for f in faults.iter_mut() {
            if !f.hits(method, path) || f.times == Some(0) {
                continue;
            }
            let is_latency = matches!(f.action, FaultAction::Latency { .. });
            if !is_latency && terminal {
                continue;
            }
            terminal |= !is_latency;
            out.push(f.action.clone());
            if let Some(t) = f.times.as_mut() {
                *t -= 1;
            }
        }
        faults.retain(|f| f.times != Some(0));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn globs() {
        assert!(glob(
            "/service/tickets/*/notes",
            "/service/tickets/12/notes"
        ));
        assert!(!glob("/service/tickets/*/notes", "/service/tickets/12"));
        assert!(glob("/service/**", "/service/tickets/12/notes"));
        assert!(glob("/time/entries", "/time/entries"));
    }
}
