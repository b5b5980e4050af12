//! What one tool call cost upstream. A client made with [`crate::CwClient::observed`] counts
//! every request it (and its clones) sends, retries included, and keeps the last status, so
//! the caller can report "3 requests, last answered 404" without threading counters through.

use std::sync::atomic::{AtomicU16, AtomicU32, Ordering};

/// Requests sent, and the last HTTP status and the last error status seen (0 while none).
/// Requests of one call can run in parallel, so "last" is the last to answer; a failed call
/// is best described by its last error status.
#[derive(Debug, Default)]
pub struct CallStats {
    requests: AtomicU32,
    last_status: AtomicU16,
    last_error_status: AtomicU16,
}

impl CallStats {
    pub(crate) fn sent(&self) {
        self.requests.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn answered(&self, status: u16) {
        self.last_status.store(status, Ordering::Relaxed);
        if status >= 400 {
            self.last_error_status.store(status, Ordering::Relaxed);
        }
    }

    /// How many requests reached the network.
    pub fn requests(&self) -> u32 {
        self.requests.load(Ordering::Relaxed)
    }

    /// The status of the last answer, if any answered.
    pub fn last_status(&self) -> Option<u16> {
        nonzero(self.last_status.load(Ordering::Relaxed))
    }

    /// The status of the last answer that was an error (4xx, 5xx), if any.
    pub fn last_error_status(&self) -> Option<u16> {
        nonzero(self.last_error_status.load(Ordering::Relaxed))
    }
}

fn nonzero(s: u16) -> Option<u16> {
    (s != 0).then_some(s)
}
