//! A circuit breaker per ConnectWise site. When the site stops answering (connections refused
//! or timing out, gateways failing), every call would otherwise wait out its own timeouts and
//! retries; after [`CircuitPolicy::failures`] such failures in a row the circuit opens and calls
//! fail at once with the last error. After [`CircuitPolicy::open_for`] one request is let
//! through as a probe (half-open): its success closes the circuit, its failure opens it again.
//!
//! Only failures that say "the site is down" count: transport errors and 502/503/504. A 4xx
//! or a 500 is an answer about one request, and proves the site is up.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::error::Error;

/// When the circuit opens, and for how long.
#[derive(Debug, Clone, Copy)]
pub struct CircuitPolicy {
    /// Consecutive site-down failures that open the circuit.
    pub failures: u32,
    /// How long it stays open before a probe is let through.
    pub open_for: Duration,
}

impl Default for CircuitPolicy {
    fn default() -> Self {
        CircuitPolicy {
            failures: 5,
            open_for: Duration::from_secs(30),
        }
    }
}

#[derive(Debug, Default)]
struct State {
    /// Site-down failures in a row.
    failures: u32,
    /// Open since, with the error that opened it.
    open: Option<(Instant, String)>,
    /// A probe is out (half-open); others still fail fast until it answers.
    probing: bool,
}

/// One site's breaker.
#[derive(Debug, Default)]
pub struct Circuit {
    policy: CircuitPolicy,
    state: Mutex<State>,
}

/// Whether a request may go out, and if it is the half-open probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permit {
    Go,
    Probe,
}

/// A permitted request. Dropped unfinished (the caller gave up), a probe frees its slot so
/// the next request can probe instead.
pub struct Ticket<'a> {
    circuit: &'a Circuit,
    permit: Permit,
    done: bool,
}

impl Ticket<'_> {
    pub fn permit(&self) -> Permit {
        self.permit
    }

    /// Records how the request ended: `None` for any HTTP answer that is not a gateway
    /// failure's, else the error.
    pub fn finish(mut self, failure: Option<&Error>) {
        self.done = true;
        self.circuit.record(self.permit, failure);
    }
}

impl Drop for Ticket<'_> {
    fn drop(&mut self) {
        if !self.done && self.permit == Permit::Probe {
            self.circuit.lock().probing = false;
        }
    }
}

impl Circuit {
    pub fn new(policy: CircuitPolicy) -> Circuit {
        Circuit {
            policy,
            state: Mutex::new(State::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Asks to send a request; an open circuit answers with the error to return instead.
    pub fn permit(&self) -> Result<Ticket<'_>, Error> {
        let ticket = |permit| Ticket {
            circuit: self,
            permit,
            done: false,
        };
        let mut s = self.lock();
        let Some((since, last)) = &s.open else {
            return Ok(ticket(Permit::Go));
        };
        let waited = since.elapsed();
        if waited >= self.policy.open_for && !s.probing {
            s.probing = true;
            return Ok(ticket(Permit::Probe));
        }
        let retry_in = self.policy.open_for.saturating_sub(waited).as_secs().max(1);
        Err(Error::Unavailable {
            last: last.clone(),
            retry_in,
        })
    }

    fn record(&self, permit: Permit, failure: Option<&Error>) {
        let mut s = self.lock();
        if permit == Permit::Probe {
            s.probing = false;
        }
        match failure {
            Some(e) if site_down(e) => {
                s.failures = s.failures.saturating_add(1);
                if permit == Permit::Probe || s.failures >= self.policy.failures {
                    s.open = Some((Instant::now(), e.to_string()));
                }
            }
            _ => {
                s.failures = 0;
                s.open = None;
            }
        }
    }
}

/// Whether a failure says the site is down rather than that one request was wrong.
fn site_down(e: &Error) -> bool {
    match e {
        Error::Transport { .. } => true,
        Error::Api(a) => matches!(a.status, 502..=504),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn down() -> Error {
        Error::Transport {
            message: "connection refused".into(),
            maybe_sent: false,
            timed_out: false,
        }
    }

    #[test]
    fn opens_after_failures_in_a_row_probes_once_and_recovers() {
        let c = Circuit::new(CircuitPolicy {
            failures: 3,
            open_for: Duration::from_millis(50),
        });
        for _ in 0..2 {
            c.permit().unwrap().finish(Some(&down()));
        }
        // A success in between resets the count.
        c.permit().unwrap().finish(None);
        for _ in 0..3 {
            c.permit().unwrap().finish(Some(&down()));
        }
        let e = c.permit().err().unwrap();
        assert!(e.to_string().contains("connection refused"), "{e}");
        std::thread::sleep(Duration::from_millis(60));
        let probe = c.permit().unwrap();
        assert_eq!(probe.permit(), Permit::Probe);
        assert!(c.permit().is_err(), "one probe at a time");
        probe.finish(Some(&down()));
        assert!(c.permit().is_err(), "a failed probe opens it again");
        std::thread::sleep(Duration::from_millis(60));
        // A probe whose caller gave up frees the slot for the next one.
        drop(c.permit().unwrap());
        let probe = c.permit().unwrap();
        assert_eq!(probe.permit(), Permit::Probe);
        probe.finish(None);
        assert_eq!(c.permit().unwrap().permit(), Permit::Go);
    }

    #[test]
    fn answers_about_one_request_do_not_count() {
        let c = Circuit::new(CircuitPolicy {
            failures: 1,
            open_for: Duration::from_secs(60),
        });
        let bad = Error::Api(crate::error::ApiError::from_body(400, "{}", None));
        c.permit().unwrap().finish(Some(&bad));
        assert_eq!(c.permit().unwrap().permit(), Permit::Go);
    }
}
