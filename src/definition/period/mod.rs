//! Swedish period, date, recurrence and duration expressions as they appear in plans:
//! "vt 2019", "ht 18", "ht-20–vt-22", "aug-20 – juni -22", "Q1 -19", "våren 2019",
//! "läsåret 2020/2021", "i slutet av 2020", "december 2019", "Under 2020", "2020–2024",
//! "vecka 10 2021", "v. 44", "30 april", "2021-05-31"; "var 6:e vecka", "årligen",
//! "fortlöpande"; "14d", "2 veckor".
//!
//! Parsing is symbolic ([`Period`]); turning a period into dates needs the organisation's
//! [`Calendar`] (terms are configurable) and is done by [`Period::resolve`].
//!
//! **Architecture invariant:** pure and panic-free for any input string.

use crate::calendar::{Calendar, DateRange, Term};
use chrono::{Datelike, NaiveDate};

/// A parsed period or date expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Period {
    /// "2021-05-31", "31 maj 2021".
    Date(NaiveDate),
    /// Yearless day and month, "30 april"; needs a year from context.
    DayMonth { day: u32, month: u32 },
    /// Yearless last day of a month, "sista februari", "slutet av februari".
    LastDayOfMonth { month: u32 },
    /// "vecka 10 2021", "v. 44" (year from context when absent).
    Week { year: Option<i32>, week: u32 },
    /// "maj 2021", "december 2019", "aug-20".
    Month { year: i32, month: u32 },
    /// "Q1 -19", "kvartal 1 2019".
    Quarter { year: i32, quarter: u32 },
    /// "vt 2019", "ht 18", "våren 2019", "hösten 2020".
    Term(Term),
    /// "läsåret 2020/2021": the school year starting in the autumn of the given year.
    SchoolYear(i32),
    /// "2020", "Under 2020", "under år 2020".
    Year(i32),
    /// "i slutet av 2020": the last part of the inner period (see `resolve`).
    EndOf(Box<Period>),
    /// "ht-20–vt-22", "2020–2024", "aug-20 – juni -22": from the start of the first to the end
    /// of the second.
    Range(Box<Period>, Box<Period>),
}

/// A parse or resolve error: where in the input (character offset) and what to write instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeriodError {
    /// Character (not byte) offset into the parsed text where the problem starts.
    pub offset: usize,
    /// Swedish message: what is wrong and how to fix it.
    pub sv: String,
    /// English message.
    pub en: String,
}

/// How often a recurring checkpoint repeats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recurrence {
    /// "var 6:e vecka", "var fjärde vecka", "varannan vecka", "varje vecka", "veckovis".
    Weeks(u32),
    /// "varje månad", "månadsvis", "varannan månad", "kvartalsvis" (= 3).
    Months(u32),
    /// "varje termin", "terminsvis": once per term.
    Terms,
    /// "årligen", "varje år", "en gång per år".
    Years(u32),
    /// "fortlöpande", "löpande", "kontinuerligt": no date, but listed.
    Continuous,
}

mod parse;
mod recur;
#[cfg(test)]
mod tests;
mod words;

pub use parse::parse_period;
pub use recur::{parse_days, parse_recurrence};

impl Period {
    /// True when the expression names no year ("30 april", "v. 44", "sista februari").
    pub fn is_yearless(&self) -> bool {
        match self {
            Period::DayMonth { .. } | Period::LastDayOfMonth { .. } | Period::Week { year: None, .. } => true,
            Period::EndOf(p) => p.is_yearless(),
            Period::Range(a, b) => a.is_yearless() || b.is_yearless(),
            _ => false,
        }
    }

    /// The dates the expression covers. Yearless expressions take `year`; for the others
    /// `year` is ignored. Errors for a reversed or empty range, or a date that does not exist
    /// in that year.
    ///
    /// `EndOf(x)` ("i slutet av 2020") is the last calendar month of `x` (December for a
    /// year, June for a vt, December for a ht); when `x` is a month or shorter, its last 7 days.
    pub fn resolve(&self, cal: &Calendar, year: Option<i32>) -> Result<DateRange, PeriodError> {
        let one = |d: NaiveDate| DateRange { start: d, end: d };
        let need = || {
            year.ok_or_else(|| PeriodError {
                offset: 0,
                sv: format!("`{}` saknar år. Skriv ut året, t.ex. `30 april 2021`.", self.label()),
                en: format!("`{}` has no year. Write the year, e.g. `30 april 2021`.", self.label()),
            })
        };
        let ymd = |y: i32, m: u32, d: u32| NaiveDate::from_ymd_opt(y, m, d);
        let month = |y: i32, m: u32| -> DateRange {
            let start = ymd(y, m, 1).unwrap_or_default();
            let end = if m == 12 { ymd(y, 12, 31) } else { ymd(y, m + 1, 1).and_then(|d| d.pred_opt()) }.unwrap_or_default();
            DateRange { start, end }
        };
        Ok(match self {
            Period::Date(d) => one(*d),
            Period::DayMonth { day, month: m } => {
                let y = need()?;
                one(ymd(y, *m, *day).ok_or_else(|| PeriodError {
                    offset: 0,
                    sv: format!(
                        "{day} {} finns inte år {y}. Skriv `sista {}` för månadens sista dag.",
                        words::month_name(*m),
                        words::month_name(*m)
                    ),
                    en: format!(
                        "{day} {} does not exist in {y}. Write `sista {}` for the last day of the month.",
                        words::month_name(*m),
                        words::month_name(*m)
                    ),
                })?)
            }
            Period::LastDayOfMonth { month: m } => one(month(need()?, *m).end),
            Period::Week { year: wy, week } => {
                let y = match wy {
                    Some(y) => *y,
                    None => need()?,
                };
                let monday = NaiveDate::from_isoywd_opt(y, *week, chrono::Weekday::Mon).ok_or_else(|| PeriodError {
                    offset: 0,
                    sv: format!("{y} har ingen vecka {week} (bara 52 veckor)."),
                    en: format!("{y} has no week {week} (only 52 weeks)."),
                })?;
                DateRange { start: monday, end: monday + chrono::Duration::days(6) }
            }
            Period::Month { year: y, month: m } => month(*y, *m),
            Period::Quarter { year: y, quarter: q } => DateRange { start: month(*y, (q - 1) * 3 + 1).start, end: month(*y, q * 3).end },
            Period::Term(t) => cal.term(*t),
            Period::SchoolYear(y) => cal.school_year(*y),
            Period::Year(y) => DateRange { start: ymd(*y, 1, 1).unwrap_or_default(), end: ymd(*y, 12, 31).unwrap_or_default() },
            Period::EndOf(inner) => {
                let r = inner.resolve(cal, year)?;
                let last_month_start = r.end.with_day(1).unwrap_or(r.end);
                if last_month_start <= r.start {
                    DateRange { start: (r.end - chrono::Duration::days(6)).max(r.start), end: r.end }
                } else {
                    DateRange { start: last_month_start, end: r.end }
                }
            }
            Period::Range(a, b) => {
                let (ra, rb) = (a.resolve(cal, year)?, b.resolve(cal, year)?);
                DateRange::new(ra.start, rb.end).ok_or_else(|| PeriodError {
                    offset: 0,
                    sv: format!(
                        "perioden slutar ({}) innan den börjar ({}). Byt plats på början och slutet, t.ex. `{} – {}`.",
                        rb.end,
                        ra.start,
                        b.label(),
                        a.label()
                    ),
                    en: format!("the period ends ({}) before it starts ({}). Swap its start and end.", rb.end, ra.start),
                })?
            }
        })
    }

    /// A short, stable label for ids: "vt2021", "2021-05", "2021", "2021q1", "2021w10",
    /// "la2020-21", "2021-05-31"; yearless ones "04-30", "02-sista", "w44".
    pub fn label(&self) -> String {
        match self {
            Period::Date(d) => d.format("%Y-%m-%d").to_string(),
            Period::DayMonth { day, month } => format!("{month:02}-{day:02}"),
            Period::LastDayOfMonth { month } => format!("{month:02}-sista"),
            Period::Week { year: Some(y), week } => format!("{y}w{week:02}"),
            Period::Week { year: None, week } => format!("w{week:02}"),
            Period::Month { year, month } => format!("{year}-{month:02}"),
            Period::Quarter { year, quarter } => format!("{year}q{quarter}"),
            Period::Term(t) => t.label(),
            Period::SchoolYear(y) => format!("la{y}-{:02}", (y + 1).rem_euclid(100)),
            Period::Year(y) => y.to_string(),
            Period::EndOf(p) => format!("slutet-{}", p.label()),
            Period::Range(a, b) => format!("{}-{}", a.label(), b.label()),
        }
    }
}
