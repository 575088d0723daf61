//! Occurrences: the dates a rule falls on within a period, with their stable labels.

use crate::calendar::recurrence::{CronRule, every_n_weeks};
use crate::calendar::{Calendar, DateRange, RollRule, Term, TermKind};
use crate::definition::model::{Cadence, CadenceRule, Occurrence};
use crate::definition::period::{Period, Recurrence};
use chrono::{Datelike, Duration, NaiveDate};
use std::sync::Arc;

/// One dated occurrence.
#[derive(Clone, Debug)]
pub struct Occ {
    pub nominal: NaiveDate,
    pub date: NaiveDate,
    pub label: Option<Arc<str>>,
    pub school_break: Option<Arc<str>>,
}

fn make(cal: &Calendar, nominal: NaiveDate, roll: RollRule, label: Option<String>) -> Occ {
    let date = cal.roll(nominal, roll);
    Occ { nominal, date, label: label.map(Arc::from), school_break: cal.break_at(date).map(Arc::from) }
}

/// Like [`make`], but rolled without leaving `span` when one is given; `None` when the
/// nominal date is outside `span` or no working day inside it can be reached.
fn make_in(cal: &Calendar, nominal: NaiveDate, roll: RollRule, span: Option<DateRange>, label: Option<String>) -> Option<Occ> {
    let Some(span) = span else { return Some(make(cal, nominal, roll, label)) };
    let date = cal.roll_within(nominal, roll, span)?;
    Some(Occ { nominal, date, label: label.map(Arc::from), school_break: cal.break_at(date).map(Arc::from) })
}

/// A wheel occurrence as a follow-up of something with its own period: kept when its
/// nominal date is inside `bound`, and rolled without leaving it.
pub fn bounded(cal: &Calendar, o: &Occ, roll: RollRule, bound: DateRange) -> Option<Occ> {
    let date = cal.roll_within(o.nominal, roll, bound)?;
    if date == o.date {
        return Some(o.clone());
    }
    Some(Occ { date, school_break: cal.break_at(date).map(Arc::from), ..o.clone() })
}

/// The nominal date of a yearless anchor in `year`: a day, the last day of a month, or the
/// Friday of a week.
pub fn anchor_in_year(cal: &Calendar, anchor: &Period, year: i32) -> Option<NaiveDate> {
    let r = anchor.resolve(cal, Some(year)).ok()?;
    Some(match anchor {
        Period::Week { .. } => r.start + Duration::days(4),
        _ => r.end,
    })
}

/// A yearly wheel checkpoint over the years that touch `window` (label: the year).
pub fn yearly(cal: &Calendar, anchor: &Period, roll: RollRule, window: DateRange) -> Vec<Occ> {
    let mut out = Vec::new();
    for y in window.start.year() - 1..=window.end.year() + 1 {
        if let Some(n) = anchor_in_year(cal, anchor, y) {
            let o = make(cal, n, roll, Some(y.to_string()));
            if window.contains(o.date) {
                out.push(o);
            }
        }
    }
    out
}

/// The dates a cron rule fires on (label: the date).
pub fn cron(cal: &Calendar, rule: &CronRule, roll: RollRule, during: DateRange) -> Vec<Occ> {
    cron_in(cal, rule, roll, during, None)
}

/// One-off occurrences: a single day is kept as written (then rolled); a longer period is due
/// on its last working day. Neither leaves `bound` (the plan's period): see
/// [`Occurrence::due`].
pub fn once(cal: &Calendar, occs: &[Occurrence], roll: RollRule, bound: DateRange) -> Vec<Occ> {
    occs.iter()
        .filter_map(|o| {
            let date = o.due(cal, roll, bound)?;
            Some(Occ {
                nominal: if o.exact_day { o.range.start } else { o.range.end },
                date,
                label: o.label.as_deref().map(Arc::from),
                school_break: cal.break_at(date).map(Arc::from),
            })
        })
        .collect()
}

/// In a term and not in a school break.
fn in_school_time(cal: &Calendar, d: NaiveDate) -> bool {
    cal.term_of(d).is_some() && cal.break_at(d).is_none()
}

/// Occurrences of a cadence over its whole period (so labels and dates do not depend on
/// the window asked for). With a `bound` (the plan's period), occurrences stay inside
/// `during ∩ bound` and are rolled without leaving it; without one (a group's meetings),
/// the roll rule applies as is.
pub fn cadence(cal: &Calendar, c: &Cadence, roll: RollRule, bound: Option<DateRange>) -> Vec<Occ> {
    let during = c.during;
    let span = match bound {
        Some(b) => match during.intersect(&b) {
            Some(s) => Some(s),
            None => return Vec::new(),
        },
        None => None,
    };
    let clip = span.unwrap_or(during);
    match &c.rule {
        CadenceRule::Cron(rule) => cron_in(cal, rule, roll, during, span),
        CadenceRule::Every { recurrence, weekday, anchor } => match *recurrence {
            Recurrence::Weeks(n) => every_n_weeks(during, n, *weekday)
                .into_iter()
                .filter(|d| !c.skip_breaks || in_school_time(cal, *d))
                .filter_map(|d| {
                    let w = d.iso_week();
                    make_in(cal, d, roll, span, Some(format!("{}w{:02}", w.year(), w.week())))
                })
                .collect(),
            Recurrence::Months(n) => months(cal, (during, clip), n, c.skip_breaks),
            Recurrence::Terms => terms(cal, (during, clip), anchor.as_ref(), roll, span),
            Recurrence::Years(n) => {
                let Some(anchor) = anchor else { return Vec::new() };
                (during.start.year()..=during.end.year())
                    .step_by(n.max(1) as usize)
                    .filter_map(|y| anchor_in_year(cal, anchor, y).map(|d| (y, d)))
                    .filter(|(_, d)| during.contains(*d))
                    .filter_map(|(y, d)| make_in(cal, d, roll, span, Some(y.to_string())))
                    .collect()
            }
            Recurrence::Continuous => Vec::new(),
        },
    }
}

/// [`cron`] over `during`, each date rolled without leaving `span` when given.
fn cron_in(cal: &Calendar, rule: &CronRule, roll: RollRule, during: DateRange, span: Option<DateRange>) -> Vec<Occ> {
    let mut dates: Vec<NaiveDate> = rule.local_times(during).iter().map(|t| t.date()).collect();
    dates.dedup();
    dates.into_iter().filter_map(|d| make_in(cal, d, roll, span, Some(d.to_string()))).collect()
}

/// Every `n` months from the start of `during`, due on the last working day of the month
/// inside `clip` (label `2021-05`).
fn months(cal: &Calendar, (during, clip): (DateRange, DateRange), n: u32, skip_breaks: bool) -> Vec<Occ> {
    let mut out = Vec::new();
    let (mut y, mut m) = (during.start.year(), during.start.month());
    while let Some(first) = NaiveDate::from_ymd_opt(y, m, 1) {
        if first > during.end {
            break;
        }
        let last = last_of_month(y, m);
        if let Some(r) = DateRange::new(first.max(clip.start), last.min(clip.end))
            && let Some(d) = cal.last_working_day_in(r)
            && (!skip_breaks || cal.term_of(d).is_some())
        {
            out.push(Occ {
                nominal: r.end,
                date: d,
                label: Some(Arc::from(format!("{y}-{m:02}"))),
                school_break: cal.break_at(d).map(Arc::from),
            });
        }
        m += n.max(1);
        while m > 12 {
            m -= 12;
            y += 1;
        }
    }
    out
}

fn last_of_month(y: i32, m: u32) -> NaiveDate {
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    NaiveDate::from_ymd_opt(ny, nm, 1).and_then(|d| d.pred_opt()).unwrap_or(NaiveDate::MAX)
}

/// Once per term overlapping `during`: at the anchor if given (when it falls in the term),
/// else on the term's last working day (label `vt2021`); kept when due inside `clip`.
fn terms(
    cal: &Calendar,
    (during, clip): (DateRange, DateRange),
    anchor: Option<&Period>,
    roll: RollRule,
    span: Option<DateRange>,
) -> Vec<Occ> {
    let mut out = Vec::new();
    for y in during.start.year()..=during.end.year() {
        for t in [Term { year: y, kind: TermKind::Vt }, Term { year: y, kind: TermKind::Ht }] {
            let range = cal.term(t);
            if !range.overlaps(&during) {
                continue;
            }
            let nominal = anchor.and_then(|a| anchor_in_year(cal, a, y)).filter(|d| range.contains(*d));
            match nominal {
                Some(d) => out.extend(make_in(cal, d, roll, span, Some(t.label()))),
                None => {
                    if let Some(d) = cal.last_working_day_in(range) {
                        out.push(Occ { nominal: range.end, date: d, label: Some(Arc::from(t.label())), school_break: None });
                    }
                }
            }
        }
    }
    out.retain(|o| clip.contains(o.date));
    out
}
