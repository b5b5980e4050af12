//! Which connections the server keeps when there are too many. A connection is *waiting* from
//! when it opens, and again after each response, until its next request's headers are in; it
//! is *busy* while a request is served (a streamed answer included). Busy connections are never
//! dropped. When a new connection would pass a bound, a waiting one is shed instead: first one
//! that has sent nothing at all (its socket is peeked), then one that has; among those, one
//! that never got past the door (no request of it was admitted) before an authenticated
//! caller's idle one, and the one that has waited longest first. So a flood of slow,
//! header-less connections costs the flooder its own connections, not everyone else their
//! service: a client's fresh connection has its request waiting in the socket already.
//!
//! The bounds: connections open at once (`MCP_MAX_CONNECTIONS`), connections from one address
//! (`MCP_MAX_CONNECTIONS_PER_ADDRESS`), and connections from one address that have not had a
//! request admitted yet (`MCP_MAX_PENDING_PER_ADDRESS`). Addresses on `MCP_TRUSTED_PROXIES`
//! (a load balancer, which carries many clients) are bound only by the first.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use tokio::sync::Notify;

/// An address or a network (`10.0.0.0/8`, `::1`), for `MCP_TRUSTED_PROXIES`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Net {
    addr: IpAddr,
    prefix: u8,
}

impl Net {
    pub fn parse(s: &str) -> Option<Net> {
        let (a, p) = match s.trim().split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s.trim(), None),
        };
        let addr: IpAddr = a.trim_matches(['[', ']']).parse().ok()?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match p {
            Some(p) => p.parse::<u8>().ok().filter(|p| *p <= max)?,
            None => max,
        };
        Some(Net { addr, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        match (self.addr, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(n) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(n) & mask == u128::from(a) & mask
            }
            _ => false,
        }
    }
}

/// An IPv4 client that reached an IPv6 socket as `::ffff:a.b.c.d` is that IPv4 address.
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The bounds a [`Tracker`] keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bounds {
    pub max_connections: usize,
    pub per_address: usize,
    pub pending_per_address: usize,
    pub trusted_proxies: Vec<Net>,
}

struct Conn {
    addr: IpAddr,
    exempt: bool,
    /// Requests being served on it now.
    busy: u32,
    /// When it last started waiting (opened, or finished a response).
    since: Instant,
    /// A request of it was admitted (its caller authenticated).
    admitted: bool,
    shed: Arc<Notify>,
    /// Its socket, to peek at; it leaves the tracker before the socket is closed.
    fd: Option<i32>,
}

impl Conn {
    fn waiting(&self) -> bool {
        self.busy == 0
    }

    /// Whether the client has sent bytes the server has not read yet (a request arriving).
    fn sending(&self) -> bool {
        self.fd.is_some_and(has_unread)
    }
}

/// Whether socket `fd` holds bytes not yet read.
#[cfg(unix)]
fn has_unread(fd: i32) -> bool {
    let mut byte = [0u8; 1];
    // SAFETY: a non-blocking peek of one byte into a buffer of one byte, on a socket the
    // tracker knows is open (its connection leaves the tracker before closing it).
    let n = unsafe {
        libc::recv(
            fd,
            byte.as_mut_ptr().cast(),
            1,
            libc::MSG_PEEK | libc::MSG_DONTWAIT,
        )
    };
    n > 0
}

#[cfg(not(unix))]
fn has_unread(_fd: i32) -> bool {
    false
}

#[derive(Default)]
struct State {
    conns: HashMap<u64, Conn>,
    next: u64,
    /// How many connections were shed to make room, since start (for `/health` and tests).
    shed: u64,
}

/// The open connections and the bounds they are kept within.
pub struct Tracker {
    bounds: Bounds,
    state: Mutex<State>,
}

/// One admitted connection; it leaves the tracker when dropped.
pub struct Ticket {
    tracker: Arc<Tracker>,
    id: u64,
    /// Notified when the connection is shed to make room for another.
    pub shed: Arc<Notify>,
    /// Keeps a connection whose request had arrived when it was admitted busy until that
    /// request is being served (it is not waiting, whatever its socket shows meanwhile).
    arriving: std::sync::Mutex<Option<Busy>>,
}

impl Drop for Ticket {
    fn drop(&mut self) {
        self.leave();
    }
}

impl Ticket {
    /// Leaves the tracker: before its socket is closed, so no peek reaches a reused number.
    pub fn leave(&self) {
        self.tracker.lock().conns.remove(&self.id);
    }

    /// The first request is being served: the arrival mark is no longer needed.
    pub fn arrived(&self) {
        drop(
            self.arriving
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take(),
        );
    }

    /// A handle requests on this connection carry (see [`Handle`]).
    pub fn handle(&self) -> Handle {
        Handle {
            tracker: self.tracker.clone(),
            id: self.id,
        }
    }
}

/// What a request knows of its connection: it marks the connection busy while served, and
/// admitted once a request of it passes authentication.
#[derive(Clone)]
pub struct Handle {
    tracker: Arc<Tracker>,
    id: u64,
}

/// A request being served; the connection is busy until every one is dropped.
pub struct Busy(Handle);

impl Drop for Busy {
    fn drop(&mut self) {
        if let Some(c) = self.0.tracker.lock().conns.get_mut(&self.0.id) {
            c.busy = c.busy.saturating_sub(1);
            if c.busy == 0 {
                c.since = Instant::now();
            }
        }
    }
}

impl Handle {
    pub fn busy(&self) -> Busy {
        if let Some(c) = self.tracker.lock().conns.get_mut(&self.id) {
            c.busy += 1;
        }
        Busy(self.clone())
    }

    /// Its caller was admitted: from now on it is shed only after unadmitted ones.
    pub fn admitted(&self) {
        if let Some(c) = self.tracker.lock().conns.get_mut(&self.id) {
            c.admitted = true;
        }
    }
}

impl Tracker {
    pub fn new(bounds: Bounds) -> Arc<Tracker> {
        Arc::new(Tracker {
            bounds,
            state: Mutex::default(),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How many connections were shed to make room since start.
    pub fn shed_count(&self) -> u64 {
        self.lock().shed
    }

    /// How many connections are open.
    pub fn open(&self) -> usize {
        self.lock().conns.len()
    }

    /// Admits a connection from `addr`, shedding the longest-waiting one in its way; `None`
    /// when every connection in the way is busy (the caller answers 503). One whose request
    /// is `arriving` counts as busy from here (see [`Ticket::arriving`]).
    pub fn admit(
        self: &Arc<Self>,
        addr: IpAddr,
        fd: Option<i32>,
        arriving: bool,
    ) -> Option<Ticket> {
        let addr = canonical(addr);
        let exempt = self.bounds.trusted_proxies.iter().any(|n| n.contains(addr));
        let mut s = self.lock();
        if !exempt {
            let pending = s
                .conns
                .values()
                .filter(|c| c.addr == addr && c.waiting() && !c.admitted)
                .count();
            if pending >= self.bounds.pending_per_address
                && !shed_one(&mut s, |c| c.addr == addr && !c.admitted)
            {
                return None;
            }
            let here = s.conns.values().filter(|c| c.addr == addr).count();
            if here >= self.bounds.per_address && !shed_one(&mut s, |c| c.addr == addr) {
                return None;
            }
        }
        if s.conns.len() >= self.bounds.max_connections
            && !shed_one(&mut s, |c| !c.exempt)
            && !shed_one(&mut s, |_| true)
        {
            return None;
        }
        let id = s.next;
        s.next += 1;
        let shed = Arc::new(Notify::new());
        s.conns.insert(
            id,
            Conn {
                addr,
                exempt,
                busy: u32::from(arriving),
                since: Instant::now(),
                admitted: false,
                shed: shed.clone(),
                fd,
            },
        );
        let ticket = Ticket {
            tracker: self.clone(),
            id,
            shed,
            arriving: std::sync::Mutex::new(None),
        };
        if arriving {
            *ticket
                .arriving
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = Some(Busy(ticket.handle()));
        }
        Some(ticket)
    }
}

/// Sheds a waiting connection among those `eligible`: one that has sent nothing before one
/// with a request arriving, an unadmitted one before an admitted one, the longest-waiting
/// first. Whether one was shed.
fn shed_one(s: &mut State, eligible: impl Fn(&Conn) -> bool) -> bool {
    let mut candidates: Vec<(&u64, &Conn)> = s
        .conns
        .iter()
        .filter(|(_, c)| c.waiting() && eligible(c))
        .collect();
    candidates.sort_by_key(|(_, c)| (c.admitted, c.since));
    // Peeks in that order until one has sent nothing (under a flood, the first does).
    let victim = candidates
        .iter()
        .find(|(_, c)| !c.sending())
        .or_else(|| candidates.first())
        .map(|(id, _)| **id);
    match victim.and_then(|id| s.conns.remove(&id)) {
        Some(c) => {
            // `notify_one` keeps the signal for a task not yet waiting on it.
            c.shed.notify_one();
            s.shed += 1;
            true
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bounds(max: usize, per: usize, pending: usize) -> Bounds {
        Bounds {
            max_connections: max,
            per_address: per,
            pending_per_address: pending,
            trusted_proxies: vec![Net::parse("10.9.0.0/16").unwrap()],
        }
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    impl Tracker {
        fn admit_test(self: &Arc<Self>, addr: IpAddr) -> Option<Ticket> {
            self.admit(addr, None, false)
        }
    }

    #[test]
    fn networks_match_by_prefix_and_mapped_v4_is_v4() {
        let n = Net::parse("10.9.0.0/16").unwrap();
        assert!(n.contains(ip("10.9.200.1")) && !n.contains(ip("10.8.0.1")));
        assert!(n.contains(ip("::ffff:10.9.0.7")));
        assert!(Net::parse("::1").unwrap().contains(ip("::1")));
        assert!(Net::parse("10.0.0.0/33").is_none() && Net::parse("nope").is_none());
        assert!(Net::parse("0.0.0.0/0").unwrap().contains(ip("192.0.2.1")));
    }

    #[test]
    fn a_flood_from_one_address_sheds_its_own_oldest_waiting_connections() {
        let t = Tracker::new(bounds(100, 10, 4));
        let flood: Vec<Ticket> = (0..4)
            .map(|_| t.admit_test(ip("192.0.2.1")).unwrap())
            .collect();
        // A fifth pending connection from the same address sheds the oldest of the four.
        let fifth = t.admit_test(ip("192.0.2.1")).unwrap();
        assert_eq!(t.shed_count(), 1);
        assert_eq!(t.open(), 4 + 1 - 1);
        drop((flood, fifth));
        // An admitted, busy connection is never shed; waiting ones are.
        let t = Tracker::new(bounds(100, 10, 100));
        let a = t.admit_test(ip("192.0.2.2")).unwrap();
        a.handle().admitted();
        let _serving = a.handle().busy();
        let others: Vec<Ticket> = (0..9)
            .map(|_| t.admit_test(ip("192.0.2.2")).unwrap())
            .collect();
        assert_eq!(t.open(), 10);
        let more = t.admit_test(ip("192.0.2.2"));
        assert!(more.is_some(), "one of the waiting ones made room");
        assert!(t.lock().conns.contains_key(&a.id), "the busy one stays");
        drop((others, more));
    }

    #[test]
    fn at_the_cap_unadmitted_connections_go_before_an_authenticated_idle_one() {
        let t = Tracker::new(bounds(3, 10, 10));
        let caller = t.admit_test(ip("192.0.2.9")).unwrap();
        caller.handle().admitted();
        drop(caller.handle().busy()); // served once, now idle
        let _a = t.admit_test(ip("192.0.2.1")).unwrap();
        let _b = t.admit_test(ip("192.0.2.1")).unwrap();
        let _c = t.admit_test(ip("192.0.2.3")).unwrap();
        assert!(
            t.lock().conns.contains_key(&caller.id),
            "the authenticated caller kept its connection"
        );
        assert_eq!(t.shed_count(), 1);
        // Nothing can be shed when everything is busy: the new one is refused.
        let t = Tracker::new(bounds(1, 10, 10));
        let only = t.admit_test(ip("192.0.2.1")).unwrap();
        let _busy = only.handle().busy();
        assert!(t.admit_test(ip("192.0.2.2")).is_none());
    }

    #[test]
    fn a_trusted_proxy_is_bound_only_by_the_total() {
        let t = Tracker::new(bounds(50, 2, 1));
        let through_proxy: Vec<Ticket> = (0..20)
            .map(|_| t.admit_test(ip("10.9.1.1")).unwrap())
            .collect();
        assert_eq!(t.open(), 20);
        assert_eq!(t.shed_count(), 0);
        drop(through_proxy);
    }
}
