//! Times as people read them: in the user's local time zone (the system's,
//! or `TZ`), with the zone shown, so that nobody mistakes UTC for local.

use jiff::Timestamp;
use jiff::tz::TimeZone;

/// The local zone, falling back to UTC when the system names none.
pub fn zone() -> TimeZone {
    TimeZone::try_system().unwrap_or(TimeZone::UTC)
}

/// `t` (Unix seconds) as `2026-12-01 14:05 CET` in `tz`; the number
/// itself when it is out of range.
pub fn minute(t: i64, tz: &TimeZone) -> String {
    Timestamp::from_second(t)
        .map(|ts| {
            ts.to_zoned_datetime(tz.clone())
                .strftime("%Y-%m-%d %H:%M %Z")
                .to_string()
        })
        .unwrap_or_else(|_| t.to_string())
}

/// `t` as a date (`2026-12-01`) in `tz`.
pub fn day(t: i64, tz: &TimeZone) -> String {
    Timestamp::from_second(t)
        .map(|ts| {
            ts.to_zoned_datetime(tz.clone())
                .strftime("%Y-%m-%d")
                .to_string()
        })
        .unwrap_or_else(|_| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_show_their_zone() {
        let tz = TimeZone::get("Europe/Paris").unwrap_or(TimeZone::fixed(jiff::tz::offset(1)));
        let text = minute(1_764_597_600, &tz);
        assert!(text.starts_with("2025-12-01 15:00"), "{text}");
        assert_eq!(
            minute(1_764_597_600, &TimeZone::UTC),
            "2025-12-01 14:00 UTC"
        );
        assert_eq!(day(1_764_597_600, &TimeZone::UTC), "2025-12-01");
        assert_eq!(minute(i64::MAX, &TimeZone::UTC), i64::MAX.to_string());
    }
}
