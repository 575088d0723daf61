//! School breaks: the configured ones (sportlov, påsklov, höstlov, …) and the two that follow
//! from the terms (sommarlov between vt and ht, jullov between ht and the next vt).

use super::{BreakRule, Calendar, DateRange, SchoolBreak, Term, easter_sunday, iso_week_monday};
use chrono::{Datelike, Duration, NaiveDate};

/// The week ranges of a break given as ISO weeks: consecutive weeks form one range.
fn week_ranges(year: i32, weeks: &[u32]) -> Vec<DateRange> {
    let mut sorted = weeks.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut out: Vec<DateRange> = Vec::new();
    for w in sorted {
        let Some(monday) = iso_week_monday(year, w) else { continue };
        let r = DateRange { start: monday, end: monday + Duration::days(6) };
        match out.last_mut() {
            Some(last) if last.end + Duration::days(1) == r.start => last.end = r.end,
            _ => out.push(r),
        }
    }
    out
}

fn easter_week(year: i32) -> DateRange {
    let monday = easter_sunday(year) + Duration::days(1);
    DateRange { start: monday, end: monday + Duration::days(6) }
}

/// The breaks that start in `year`, sorted by start.
pub fn in_year(cal: &Calendar, year: i32) -> Vec<SchoolBreak> {
    let mut out = Vec::new();
    for rule in &cal.config().breaks {
        match rule {
            BreakRule::Weeks { name, weeks } => {
                out.extend(week_ranges(year, weeks).into_iter().map(|range| SchoolBreak { name: name.clone(), range }))
            }
            BreakRule::EasterWeek { name } => out.push(SchoolBreak { name: name.clone(), range: easter_week(year) }),
        }
    }
    let (vt, ht, next_vt) = (cal.term(Term::vt(year)), cal.term(Term::ht(year)), cal.term(Term::vt(year + 1)));
    if let Some(range) = DateRange::new(vt.end + Duration::days(1), ht.start - Duration::days(1)) {
        out.push(SchoolBreak { name: "sommarlov".into(), range });
    }
    if let Some(range) = DateRange::new(ht.end + Duration::days(1), next_vt.start - Duration::days(1)) {
        out.push(SchoolBreak { name: "jullov".into(), range });
    }
    out.sort_by_key(|b| b.range);
    out
}

/// The break `d` falls in. No allocation: cheap enough to call for every checkpoint.
pub fn at(cal: &Calendar, d: NaiveDate) -> Option<&str> {
    for rule in &cal.config().breaks {
        match rule {
            BreakRule::Weeks { name, weeks } => {
                if weeks.contains(&d.iso_week().week()) {
                    return Some(name);
                }
            }
            BreakRule::EasterWeek { name } => {
                if easter_week(d.year()).contains(d) {
                    return Some(name);
                }
            }
        }
    }
    let year = d.year();
    let (vt, ht) = (cal.term(Term::vt(year)), cal.term(Term::ht(year)));
    if d > vt.end && d < ht.start {
        Some("sommarlov")
    } else if d > ht.end || d < vt.start {
        Some("jullov")
    } else {
        None
    }
}
