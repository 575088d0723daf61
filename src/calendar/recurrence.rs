//! Recurrence rules evaluated in local civil time: every N weeks, every N months, yearly,
//! and cron expressions (5-field as users write them, or the `cron` crate's 6/7-field form).
//!
//! Cron is evaluated on a `DateTime<Utc>` whose wall clock *is* the local civil time (UTC has
//! no DST), and each civil result is mapped to an instant with [`local_to_instant`]:
//! a time in the spring gap runs at the first instant after the gap; a time in the autumn
//! fold runs once, at the earlier instant.
//!
//! PLACEHOLDER NOTE: bodies are being replaced by the full implementation.

use super::DateRange;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc, Weekday};
use chrono_tz::Tz;

/// Dates every `n` weeks on `weekday`, starting with the first `weekday` on or after
/// `range.start`, up to `range.end`.
pub fn every_n_weeks(range: DateRange, n: u32, weekday: Weekday) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    let mut d = range.start;
    while d.weekday() != weekday {
        d = d.succ_opt().unwrap_or(d);
    }
    use chrono::Datelike;
    while d <= range.end && n > 0 {
        out.push(d);
        d += chrono::Duration::weeks(n as i64);
    }
    out
}

/// A parsed cron rule.
#[derive(Clone, Debug)]
pub struct CronRule {
    source: String,
    schedule: cron::Schedule,
}

/// Why a cron expression was refused. Both texts name what to write instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CronError {
    pub sv: String,
    pub en: String,
}

impl CronRule {
    /// Parses a 5-field (`min hour dom month dow`) or 6/7-field (seconds first) expression.
    pub fn parse(expr: &str) -> Result<Self, CronError> {
        let fields = expr.split_whitespace().count();
        let full = if fields == 5 { format!("0 {expr}") } else { expr.to_owned() };
        use std::str::FromStr;
        cron::Schedule::from_str(&full).map(|schedule| Self { source: expr.to_owned(), schedule }).map_err(|e| CronError {
            sv: format!("ogiltigt cron-uttryck `{expr}`: {e}"),
            en: format!("invalid cron expression `{expr}`: {e}"),
        })
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// Local civil times the rule fires at within `range` (inclusive, whole days).
    pub fn local_times(&self, range: DateRange) -> Vec<NaiveDateTime> {
        let start = range.start.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc() - chrono::Duration::seconds(1);
        let end = range.end.and_hms_opt(23, 59, 59).unwrap_or_default();
        self.schedule.after(&start).take_while(|t| t.naive_utc() <= end).map(|t| t.naive_utc()).collect()
    }
}

/// Maps a local civil time in `tz` to an instant: a time in the spring-forward gap maps to
/// the first instant after the gap; a time in the autumn fold maps to the earlier instant.
pub fn local_to_instant(t: NaiveDateTime, tz: Tz) -> DateTime<Utc> {
    use chrono::{LocalResult, TimeZone};
    match tz.from_local_datetime(&t) {
        LocalResult::Single(x) => x.with_timezone(&Utc),
        LocalResult::Ambiguous(a, _) => a.with_timezone(&Utc),
        LocalResult::None => local_to_instant(t + chrono::Duration::hours(1), tz), // PLACEHOLDER
    }
}
