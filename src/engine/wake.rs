//! When the daemon wakes next: the next send time on a working day, the earliest retry in
//! the outbox, or the periodic look at the definition files — whichever comes first. No
//! busy polling: with nothing due it wakes a few times an hour.

use crate::calendar::Calendar;
use crate::calendar::recurrence::local_to_instant;
use chrono::{DateTime, Duration, NaiveTime, Utc};
use chrono_tz::Europe::Stockholm;

/// How often the daemon looks at the definition files for changes (SIGHUP reloads at once).
pub const FILE_CHECK: Duration = Duration::minutes(5);

/// After a failed tick (database or disk away): try again after 5, 10, 20, 40 seconds,
/// then every minute, so sending resumes within a minute of the fault clearing.
pub fn tick_retry(failures: u32) -> Duration {
    Duration::seconds(5i64 << failures.clamp(1, 5).saturating_sub(1)).min(Duration::minutes(1))
}

/// The next instant reminders go out: `send_time` on the next working day (today if it
/// has not passed yet).
pub fn next_send(now: DateTime<Utc>, send_time: NaiveTime, cal: &Calendar) -> DateTime<Utc> {
    let mut day = now.with_timezone(&Stockholm).date_naive();
    for _ in 0..400 {
        let at = local_to_instant(day.and_time(send_time), Stockholm);
        if at > now && cal.is_working_day(day) {
            return at;
        }
        day = day.succ_opt().unwrap_or(day);
    }
    now + Duration::days(1)
}

/// The next instant the engine has work: the next send time or the earliest retry.
pub fn next_tick(now: DateTime<Utc>, send_time: NaiveTime, next_retry: Option<DateTime<Utc>>, cal: &Calendar) -> DateTime<Utc> {
    let at = next_send(now, send_time, cal);
    match next_retry {
        Some(r) => at.min(r.max(now)),
        None => at,
    }
}

/// The next wake-up: the next tick, or the look at the files, whichever comes first.
pub fn next_wake(now: DateTime<Utc>, send_time: NaiveTime, next_retry: Option<DateTime<Utc>>, cal: &Calendar) -> DateTime<Utc> {
    next_tick(now, send_time, next_retry, cal).min(now + FILE_CHECK)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Stockholm.with_ymd_and_hms(y, m, d, h, min, 0).single().unwrap().with_timezone(&Utc)
    }

    #[test]
    fn next_send_skips_weekends_and_holidays() {
        let cal = Calendar::default();
        let send = NaiveTime::from_hms_opt(7, 30, 0).unwrap();
        assert_eq!(next_send(t(2021, 5, 31, 6, 0), send, &cal), t(2021, 5, 31, 7, 30));
        assert_eq!(next_send(t(2021, 5, 31, 8, 0), send, &cal), t(2021, 6, 1, 7, 30));
        // Friday evening before midsommar: Monday 28 June.
        assert_eq!(next_send(t(2021, 6, 24, 9, 0), send, &cal), t(2021, 6, 28, 7, 30));
        // Across the autumn DST change: 07:30 local both sides.
        assert_eq!(next_send(t(2021, 10, 29, 9, 0), send, &cal), t(2021, 11, 1, 7, 30));
    }

    #[test]
    fn failed_ticks_back_off_in_seconds_capped_at_a_minute() {
        let secs: Vec<i64> = (1..=8).map(|n| tick_retry(n).num_seconds()).collect();
        assert_eq!(secs, [5, 10, 20, 40, 60, 60, 60, 60]);
    }

    #[test]
    fn wakes_for_retries_and_file_checks_only() {
        let cal = Calendar::default();
        let send = NaiveTime::from_hms_opt(7, 30, 0).unwrap();
        let now = t(2021, 6, 24, 9, 0);
        assert_eq!(next_wake(now, send, None, &cal), now + FILE_CHECK);
        assert_eq!(next_wake(now, send, Some(now + Duration::minutes(2)), &cal), now + Duration::minutes(2));
        assert_eq!(next_wake(t(2021, 6, 28, 7, 28), send, None, &cal), t(2021, 6, 28, 7, 30));
    }
}
