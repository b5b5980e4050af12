//! ConnectWise timestamps: whole seconds, UTC, `Z`. Anything else in a request body is refused
//! with `UnsupportedFormat`, so everything the client sends goes through here.

use chrono::{DateTime, SubsecRound, Utc};

/// `2026-11-18T09:30:00Z`.
pub fn cw_datetime(d: DateTime<Utc>) -> String {
    d.trunc_subsecs(0).format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Reads a ConnectWise timestamp (tolerating offsets and fractions, which some fields carry).
pub fn parse_cw_datetime(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s.trim())
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_to_whole_second_utc() {
        let d = DateTime::parse_from_rfc3339("2026-11-18T10:30:00.750+01:00")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(cw_datetime(d), "2026-11-18T09:30:00Z");
        assert_eq!(
            parse_cw_datetime("2026-11-18T09:30:00Z")
                .map(cw_datetime)
                .as_deref(),
            Some("2026-11-18T09:30:00Z")
        );
    }
}
