//! Times people type: RFC 3339 with an offset, or a local date or time in a time zone, turned
//! into UTC; and time-zone names.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use cw_conditions::Expr;

use crate::errors::ToolError;
use crate::filters::f;

/// Parses a time a person wrote: RFC 3339 (`2026-11-18T09:00:00+01:00`, `…Z`), or a local
/// `2026-11-18T09:00`, `2026-11-18 09:00` or bare date `2026-11-18` in `tz`.
pub fn parse_when(s: &str, tz: Tz, what: &str) -> Result<DateTime<Utc>, ToolError> {
    let s = s.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Ok(d.with_timezone(&Utc));
    }
    // What people write without seconds: `…T09:00Z`, `…T09:00+01:00`.
    for f in ["%Y-%m-%dT%H:%M%:z", "%Y-%m-%d %H:%M%:z"] {
        if let Ok(d) = DateTime::parse_from_str(s, f) {
            return Ok(d.with_timezone(&Utc));
        }
    }
    if let Some(naive) = s.strip_suffix(['Z', 'z']).and_then(|n| {
        ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
            .iter()
            .find_map(|f| NaiveDateTime::parse_from_str(n, f).ok())
    }) {
        return Ok(naive.and_utc());
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

/// An optional time argument, parsed when given.
pub fn parse_opt(s: Option<&str>, tz: Tz, what: &str) -> Result<Option<DateTime<Utc>>, ToolError> {
    s.map(|s| parse_when(s, tz, what)).transpose()
}

/// The exclusive end a caller means by `to`: a bare date includes that whole day.
pub fn parse_until(s: &str, tz: Tz, what: &str) -> Result<DateTime<Utc>, ToolError> {
    let end = parse_when(s, tz, what)?;
    Ok(if s.trim().len() == 10 {
        end + Duration::days(1)
    } else {
        end
    })
}

/// `[from, to)` from what the caller typed: `from` defaults to today, `to` to the end of
/// `from`'s day; at most `max_days` long.
pub fn day_range(
    from: Option<&str>,
    to: Option<&str>,
    tz: Tz,
    max_days: i64,
) -> Result<(DateTime<Utc>, DateTime<Utc>), ToolError> {
    let today = Utc::now().with_timezone(&tz).format("%Y-%m-%d").to_string();
    let from_s = from.map(str::trim).unwrap_or(&today);
    let start = parse_when(from_s, tz, "from")?;
    let end = match to {
        Some(t) => parse_until(t, tz, "to")?,
        None => parse_until(from_s.get(..10).unwrap_or(from_s), tz, "from")?,
    };
    if end <= start {
        return Err(ToolError::invalid("`to` must be after `from`"));
    }
    if end - start > Duration::days(max_days) {
        return Err(ToolError::invalid(format!(
            "the range is longer than {max_days} days; narrow it"
        )));
    }
    Ok((start, end))
}

/// A length in minutes as the caller gave it: 1 to 1440 (a record longer than a day is split).
pub fn minutes(m: Option<u32>) -> Result<Option<Duration>, ToolError> {
    match m {
        Some(m) if m == 0 || m > 24 * 60 => Err(ToolError::invalid(
            "duration_minutes must be from 1 to 1440",
        )),
        m => Ok(m.map(|m| Duration::minutes(m.into()))),
    }
}

/// The conditions of a time window, and the instants its ends became.
pub type Window = (Vec<Expr>, Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// Conditions keeping `field` within what the caller gave as `from` and `to` (either may be
/// missing), and the instants they became.
pub fn window(
    field: &'static str,
    from: Option<&str>,
    to: Option<&str>,
    tz: Tz,
) -> Result<Window, ToolError> {
    let from = parse_opt(from, tz, "from")?;
    let to = to.map(|t| parse_until(t, tz, "to")).transpose()?;
    let mut parts = Vec::new();
    if let Some(d) = from {
        parts.push(f(field).ge(d));
    }
    if let Some(d) = to {
        parts.push(f(field).lt(d));
    }
    Ok((parts, from, to))
}

/// A record's new span from what the caller changed, keeping the rest: a new start alone keeps
/// the length (a move), a new length or end alone keeps the start. `minutes` is 1 to 1440.
pub fn respan(
    old: (DateTime<Utc>, DateTime<Utc>),
    start: Option<DateTime<Utc>>,
    end: Option<DateTime<Utc>>,
    minutes: Option<u32>,
) -> Result<(DateTime<Utc>, DateTime<Utc>), ToolError> {
    let length = self::minutes(minutes)?;
    let s = start.unwrap_or(old.0);
    let e = match (end, length) {
        (Some(_), Some(_)) => {
            return Err(ToolError::invalid("give end or duration_minutes, not both"))
        }
        (Some(e), None) => e,
        (None, Some(d)) => s + d,
        (None, None) => s + (old.1 - old.0),
    };
    if e <= s {
        return Err(ToolError::invalid("end must be after start"));
    }
    if e - s > Duration::hours(24) {
        return Err(ToolError::invalid(
            "longer than 24 hours; split it into days",
        ));
    }
    Ok((s, e))
}

/// A UTC time as the caller's local `YYYY-MM-DD HH:MM`.
pub fn local(d: DateTime<Utc>, tz: Tz) -> String {
    d.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_start_keeps_the_length_and_a_new_length_keeps_the_start() {
        let t = |h: i64| DateTime::<Utc>::from_timestamp(1_800_000_000 + h * 3600, 0).unwrap();
        let old = (t(0), t(2));
        assert_eq!(respan(old, Some(t(5)), None, None).unwrap(), (t(5), t(7)));
        assert_eq!(respan(old, None, None, Some(60)).unwrap(), (t(0), t(1)));
        assert_eq!(respan(old, None, Some(t(3)), None).unwrap(), (t(0), t(3)));
        assert!(respan(old, None, Some(t(-1)), None).is_err());
        assert!(respan(old, None, Some(t(3)), Some(30)).is_err());
        assert!(respan(old, None, None, Some(0)).is_err());
        assert!(respan(old, None, Some(t(30)), None).is_err());
    }

    #[test]
    fn times_people_write() {
        let ny: Tz = "America/New_York".parse().unwrap();
        let f = |s: &str| cw_client::time::cw_datetime(parse_when(s, ny, "start").unwrap());
        assert_eq!(f("2026-11-18T09:00"), "2026-11-18T14:00:00Z");
        assert_eq!(f("2026-07-01 09:00"), "2026-07-01T13:00:00Z");
        assert_eq!(f("2026-11-18T09:00:00Z"), "2026-11-18T09:00:00Z");
        assert_eq!(f("2026-11-18T09:00:00.250+01:00"), "2026-11-18T08:00:00Z");
        assert_eq!(f("2026-11-18"), "2026-11-18T05:00:00Z");
        assert_eq!(f("2026-11-18T09:00Z"), "2026-11-18T09:00:00Z");
        assert_eq!(f("2026-11-18T09:00+01:00"), "2026-11-18T08:00:00Z");
        assert!(parse_when("tomorrow", ny, "start").is_err());
        assert!(parse_tz(Some("Mars/Base"), ny).is_err());
    }
}
