//! Recurrence rules evaluated in local civil time: every N weeks, every N months, yearly,
//! and cron expressions (5-field as users write them, or the `cron` crate's 6/7-field form).
//!
//! Cron is evaluated on a `DateTime<Utc>` whose wall clock *is* the local civil time (UTC has
//! no DST), and each civil result is mapped to an instant with [`local_to_instant`]:
//! a time in the spring gap runs at the first instant after the gap; a time in the autumn
//! fold runs once, at the earlier instant.

use super::DateRange;
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Timelike, Utc, Weekday};
use chrono_tz::Tz;

/// Dates every `n` weeks on `weekday`, starting with the first `weekday` on or after
/// `range.start`, up to `range.end`.
pub fn every_n_weeks(range: DateRange, n: u32, weekday: Weekday) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    let mut d = range.start;
    while d.weekday() != weekday {
        d = d.succ_opt().unwrap_or(d);
    }
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

/// Translates a Unix day-of-week field (0 or 7 = Sunday, 1 = Monday) to the `cron` crate's
/// numbering (1 = Sunday … 7 = Saturday). Names (MON-FRI) pass through unchanged.
fn unix_dow(field: &str) -> Option<String> {
    let mut out: Vec<String> = Vec::new();
    for part in field.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (r, Some(s.parse::<u32>().ok().filter(|s| *s > 0)?)),
            None => (part, None),
        };
        let numeric = |x: &str| x.parse::<u32>().ok().filter(|n| *n <= 7);
        let bounds = match range.split_once('-') {
            _ if range == "*" => None,
            Some((a, b)) => match (numeric(a), numeric(b)) {
                (Some(a), Some(b)) if a <= b => Some((a, b)),
                (Some(_), Some(_)) => return None,
                _ => {
                    out.push(part.to_owned());
                    continue;
                }
            },
            None => match numeric(range) {
                Some(n) => Some((n, if step.is_some() { 7 } else { n })),
                None => {
                    out.push(part.to_owned());
                    continue;
                }
            },
        };
        let Some((a, b)) = bounds else {
            out.push(part.to_owned());
            continue;
        };
        let step = step.unwrap_or(1) as usize;
        out.extend((a..=b).step_by(step).map(|n| (n % 7 + 1).to_string()));
    }
    out.dedup();
    Some(out.join(","))
}

impl CronRule {
    /// Parses a 5-field (`min hour dom month dow`, Unix numbering: 0/7 = Sunday) or
    /// 6/7-field (seconds first, the `cron` crate's numbering) expression. Refuses
    /// expressions that never fire, such as `0 8 30 2 *`.
    pub fn parse(expr: &str) -> Result<Self, CronError> {
        let fields: Vec<&str> = expr.split_whitespace().collect();
        let bad = |why_sv: String, why_en: String| CronError {
            sv: format!(
                "ogiltigt cron-uttryck `{expr}`: {why_sv} Skriv fem fält: minut timme dag månad veckodag, t.ex. `0 8 * * 1` (måndagar kl. 08.00)."
            ),
            en: format!(
                "invalid cron expression `{expr}`: {why_en} Write five fields: minute hour day month weekday, e.g. `0 8 * * 1` (Mondays 08:00)."
            ),
        };
        let full = match fields.len() {
            5 => {
                let dow = unix_dow(fields[4]).ok_or_else(|| {
                    bad(format!("veckodagen `{}` är ogiltig.", fields[4]), format!("the weekday `{}` is invalid.", fields[4]))
                })?;
                format!("0 {} {} {} {} {dow}", fields[0], fields[1], fields[2], fields[3])
            }
            6 | 7 => fields.join(" "),
            n => return Err(bad(format!("{n} fält."), format!("{n} fields."))),
        };
        use std::str::FromStr;
        let schedule = cron::Schedule::from_str(&full).map_err(|e| bad(format!("{e}."), format!("{e}.")))?;
        let probe = chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap_or_default().and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
        if schedule.after(&probe).next().is_none_or(|t| t.year() > 2040) {
            return Err(CronError {
                sv: format!("cron-uttrycket `{expr}` inträffar aldrig (t.ex. 30 februari). Kontrollera dag och månad."),
                en: format!("the cron expression `{expr}` never fires (e.g. 30 February). Check the day and month."),
            });
        }
        Ok(Self { source: expr.to_owned(), schedule })
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
        LocalResult::None => {
            // In the gap: the first whole minute after it that exists.
            let mut x = t.with_second(0).and_then(|x| x.with_nanosecond(0)).unwrap_or(t);
            for _ in 0..24 * 60 {
                x += chrono::Duration::minutes(1);
                if let LocalResult::Single(v) | LocalResult::Ambiguous(v, _) = tz.from_local_datetime(&x) {
                    return v.with_timezone(&Utc);
                }
            }
            t.and_utc()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Timelike;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn five_field_weekdays_use_unix_numbering() {
        let r = CronRule::parse("0 8 * * 1").unwrap();
        let times = r.local_times(DateRange { start: d(2021, 3, 1), end: d(2021, 3, 14) });
        assert_eq!(times.iter().map(|t| t.date()).collect::<Vec<_>>(), vec![d(2021, 3, 1), d(2021, 3, 8)]);
        assert!(times.iter().all(|t| t.hour() == 8 && t.weekday() == Weekday::Mon));
        let r = CronRule::parse("0 7 * * 1-5").unwrap();
        assert_eq!(r.local_times(DateRange { start: d(2021, 3, 1), end: d(2021, 3, 7) }).len(), 5);
        let r = CronRule::parse("0 7 * * 0").unwrap();
        assert_eq!(r.local_times(DateRange { start: d(2021, 3, 1), end: d(2021, 3, 7) })[0].date(), d(2021, 3, 7));
        let r = CronRule::parse("0 7 * * 7").unwrap();
        assert_eq!(r.local_times(DateRange { start: d(2021, 3, 1), end: d(2021, 3, 7) })[0].date(), d(2021, 3, 7));
    }

    #[test]
    fn never_firing_and_malformed_rules_are_refused() {
        assert!(CronRule::parse("0 8 30 2 *").unwrap_err().sv.contains("inträffar aldrig"));
        assert!(CronRule::parse("0 8 * *").unwrap_err().sv.contains("4 fält"));
        assert!(CronRule::parse("0 25 * * *").is_err());
        assert!(CronRule::parse("0 8 * * 5-1").is_err());
        // 29 February fires in leap years only, but it fires.
        assert!(CronRule::parse("0 8 29 2 *").is_ok());
    }

    #[test]
    fn dst_gap_and_fold_map_to_one_instant_each() {
        let tz = chrono_tz::Europe::Stockholm;
        // 28 March 2021: 02:00 → 03:00. 02:30 does not exist: runs at 03:00 (01:00 UTC).
        let gap = d(2021, 3, 28).and_hms_opt(2, 30, 0).unwrap();
        assert_eq!(local_to_instant(gap, tz), d(2021, 3, 28).and_hms_opt(1, 0, 0).unwrap().and_utc());
        // 31 October 2021: 03:00 → 02:00. 02:30 happens twice: runs once, the first time.
        let fold = d(2021, 10, 31).and_hms_opt(2, 30, 0).unwrap();
        assert_eq!(local_to_instant(fold, tz), d(2021, 10, 31).and_hms_opt(0, 30, 0).unwrap().and_utc());
        // The cron rule itself yields the local time once on both days.
        let r = CronRule::parse("30 2 * * *").unwrap();
        for day in [d(2021, 3, 28), d(2021, 10, 31)] {
            assert_eq!(r.local_times(DateRange { start: day, end: day }).len(), 1, "{day}");
        }
    }

    #[test]
    fn every_n_weeks_starts_on_the_first_weekday() {
        let r = DateRange { start: d(2020, 8, 17), end: d(2020, 10, 31) };
        let got = every_n_weeks(r, 6, Weekday::Wed);
        assert_eq!(got, vec![d(2020, 8, 19), d(2020, 9, 30)]);
        assert!(every_n_weeks(r, 0, Weekday::Wed).is_empty());
    }
}
