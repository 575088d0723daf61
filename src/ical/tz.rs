//! The VTIMEZONE of Europe/Stockholm (RFC 5545 §3.6.5): CET/CEST under the EU's rule of
//! 1996 — summer time from the last Sunday of March at 02:00 (01:00 UTC) to the last Sunday
//! of October at 03:00 (01:00 UTC). Written from [`RULES`], which the tests check against
//! chrono-tz's copy of the tz database for every day of 1997–2060.

use super::text::push_folded;
use chrono::{Datelike, Duration, NaiveDate, Weekday};

pub const TZID: &str = "Europe/Stockholm";

/// One observance: from `from` to `to` (seconds east of UTC) at `local` (hour) on the
/// last Sunday of `month`, every year.
#[derive(Clone, Copy, Debug)]
pub struct Rule {
    pub daylight: bool,
    pub name: &'static str,
    pub month: u32,
    pub local_hour: u32,
    pub from: i32,
    pub to: i32,
}

pub const RULES: [Rule; 2] = [
    Rule { daylight: true, name: "CEST", month: 3, local_hour: 2, from: 3600, to: 7200 },
    Rule { daylight: false, name: "CET", month: 10, local_hour: 3, from: 7200, to: 3600 },
];

fn offset(secs: i32) -> String {
    let sign = if secs < 0 { '-' } else { '+' };
    let a = secs.abs();
    format!("{sign}{:02}{:02}", a / 3600, (a % 3600) / 60)
}

/// The last Sunday of `month` in `year`.
pub fn last_sunday(year: i32, month: u32) -> NaiveDate {
    let next = if month == 12 { NaiveDate::from_ymd_opt(year + 1, 1, 1) } else { NaiveDate::from_ymd_opt(year, month + 1, 1) };
    let mut d = next.unwrap_or_default() - Duration::days(1);
    while d.weekday() != Weekday::Sun {
        d -= Duration::days(1);
    }
    d
}

/// Appends the VTIMEZONE component.
pub fn push_vtimezone(out: &mut String) {
    push_folded(out, "BEGIN:VTIMEZONE");
    push_folded(out, &format!("TZID:{TZID}"));
    push_folded(out, &format!("X-LIC-LOCATION:{TZID}"));
    for r in RULES {
        let kind = if r.daylight { "DAYLIGHT" } else { "STANDARD" };
        // DTSTART: the onset in 1970, in local time before the change; RRULE every later year.
        let first = last_sunday(1970, r.month).format("%Y%m%d");
        push_folded(out, &format!("BEGIN:{kind}"));
        push_folded(out, &format!("TZOFFSETFROM:{}", offset(r.from)));
        push_folded(out, &format!("TZOFFSETTO:{}", offset(r.to)));
        push_folded(out, &format!("TZNAME:{}", r.name));
        push_folded(out, &format!("DTSTART:{first}T{:02}0000", r.local_hour));
        push_folded(out, &format!("RRULE:FREQ=YEARLY;BYMONTH={};BYDAY=-1SU", r.month));
        push_folded(out, &format!("END:{kind}"));
    }
    push_folded(out, "END:VTIMEZONE");
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Offset, TimeZone, Utc};

    /// The UTC offset [`RULES`] give at `t`.
    fn by_rules(t: chrono::DateTime<Utc>) -> i32 {
        let mut changes: Vec<(chrono::DateTime<Utc>, i32)> = Vec::new();
        for y in t.year() - 1..=t.year() {
            for r in RULES {
                let local = last_sunday(y, r.month).and_hms_opt(r.local_hour, 0, 0).unwrap();
                changes.push((Utc.from_utc_datetime(&(local - Duration::seconds(i64::from(r.from)))), r.to));
            }
        }
        changes.sort();
        changes.iter().rev().find(|(at, _)| *at <= t).map(|c| c.1).unwrap()
    }

    #[test]
    fn the_rules_give_chrono_tz_offsets_every_day_and_around_every_change() {
        let tz = chrono_tz::Europe::Stockholm;
        let tz_offset = |t: chrono::DateTime<Utc>| t.with_timezone(&tz).offset().fix().local_minus_utc();
        let mut t = Utc.with_ymd_and_hms(1997, 1, 1, 11, 0, 0).unwrap();
        while t.year() <= 2060 {
            assert_eq!(by_rules(t), tz_offset(t), "{t}");
            t += Duration::days(1);
        }
        for y in 1997..=2060 {
            for m in [3, 10] {
                let change = Utc.from_utc_datetime(&last_sunday(y, m).and_hms_opt(1, 0, 0).unwrap());
                for probe in [change - Duration::seconds(1), change, change + Duration::seconds(1)] {
                    assert_eq!(by_rules(probe), tz_offset(probe), "{probe}");
                }
            }
        }
    }

    #[test]
    fn the_component_names_both_observances() {
        let mut s = String::new();
        push_vtimezone(&mut s);
        assert!(
            s.contains("BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\nDTSTART:19700329T020000\r\n"),
            "{s}"
        );
        assert!(s.contains("BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\nDTSTART:19701025T030000\r\n"), "{s}");
        assert!(s.contains("RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"));
    }
}
