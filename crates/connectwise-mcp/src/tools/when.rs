//! Times people type: RFC 3339 with an offset, or a local date or time in a time zone, turned
//! into UTC; and time-zone names.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::errors::ToolError;

/// Parses a time a person wrote: RFC 3339 (`2026-11-18T09:00:00+01:00`, `…Z`), or a local
/// `2026-11-18T09:00`, `2026-11-18 09:00` or bare date `2026-11-18` in `tz`.
pub fn parse_when(s: &str, tz: Tz, what: &str) -> Result<DateTime<Utc>, ToolError> {
    let s = s.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Ok(d.with_timezone(&Utc));
    }
    let local = [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
    .or_else(|| {
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
    });
    let Some(naive) = local else {
        return Err(ToolError::invalid(format!("{what} `{s}` is not a date or time; use e.g. 2026-11-18, 2026-11-18T09:00 or 2026-11-18T09:00:00Z")));
    };
    tz.from_local_datetime(&naive)
        .earliest()
        .map(|d| d.with_timezone(&Utc))
        .ok_or_else(|| {
            ToolError::invalid(format!(
                "{what} `{s}` does not exist in {tz} (a daylight-saving gap)"
            ))
        })
}

/// Parses an IANA time zone name.
pub fn parse_tz(name: Option<&str>, default: Tz) -> Result<Tz, ToolError> {
    match name.map(str::trim).filter(|n| !n.is_empty()) {
        None => Ok(default),
        Some(n) => n.parse::<Tz>().map_err(|_| ToolError::invalid(format!("timezone `{n}` is not an IANA time zone name such as Europe/London or America/Chicago"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_people_write() {
        let ny: Tz = "America/New_York".parse().unwrap();
        let f = |s: &str| cw_client::time::cw_datetime(parse_when(s, ny, "start").unwrap());
        assert_eq!(f("2026-11-18T09:00"), "2026-11-18T14:00:00Z");
        assert_eq!(f("2026-07-01 09:00"), "2026-07-01T13:00:00Z");
        assert_eq!(f("2026-11-18T09:00:00Z"), "2026-11-18T09:00:00Z");
        assert_eq!(f("2026-11-18T09:00:00.250+01:00"), "2026-11-18T08:00:00Z");
        assert_eq!(f("2026-11-18"), "2026-11-18T05:00:00Z");
        assert!(parse_when("tomorrow", ny, "start").is_err());
        assert!(parse_tz(Some("Mars/Base"), ny).is_err());
    }
}
