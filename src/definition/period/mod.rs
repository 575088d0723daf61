//! Swedish period, date, recurrence and duration expressions as they appear in plans:
//! "vt 2019", "ht 18", "ht-20–vt-22", "aug-20 – juni -22", "Q1 -19", "våren 2019",
//! "läsåret 2020/2021", "i slutet av 2020", "december 2019", "Under 2020", "2020–2024",
//! "vecka 10 2021", "v. 44", "30 april", "2021-05-31"; "första kvartalet 2021", "andra
//! halvåret 2022"; named days ("julafton", "midsommarafton 2022", "nationaldagen") and
//! working days next to them ("första arbetsdagen efter nyårsdagen 2022"); numeric dates
//! ("15/3 2022", "15.3.2022"), ISO months and week dates ("2022-03", "2022-W10-3"); school
//! breaks ("jullovet 2021"); "var 6:e vecka", "årligen", "fortlöpande"; "14d", "2 veckor".
//!
//! A parse may also give warnings ([`parse_period_with_warnings`]): the text was understood,
//! but a reader could take it another way ("jul" is read as July).
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
    /// "Q1 -19", "kvartal 1 2019", "första kvartalet 2019", "1:a kvartalet 2019".
    Quarter { year: i32, quarter: u32 },
    /// "första halvåret 2022", "andra halvåret -21", "H2 2022".
    Half { year: i32, half: u32 },
    /// A named day without a year: "julafton", "midsommarafton" (with a year it is a `Date`).
    Named(NamedDay),
    /// A school break of the organisation's calendar, "jullovet 2021": the break of that name
    /// that starts in the year (year from context when absent).
    Break { name: String, year: Option<i32> },
    /// "första arbetsdagen efter nyårsdagen 2022", "sista arbetsdagen före julafton",
    /// "sista arbetsdagen i maj 2022": a working day of the organisation's calendar next to or
    /// in another period.
    WorkingDay { rule: WorkingDayRule, base: Box<Period> },
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

/// Which working day of [`Period::WorkingDay`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WorkingDayRule {
    /// "första arbetsdagen efter X": the first working day after X ends.
    FirstAfter,
    /// "sista arbetsdagen före X": the last working day before X starts.
    LastBefore,
    /// "första arbetsdagen i X": the first working day within X.
    FirstIn,
    /// "sista arbetsdagen i X": the last working day within X.
    LastIn,
}

/// Something a reader could take another way: where in the input, which reading was taken
/// and how to write the other (Swedish and English).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeriodWarning {
    /// Character (not byte) offset into the parsed text.
    pub offset: usize,
    pub sv: String,
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

mod forms;
mod lex;
mod named;
mod parse;
mod range;
mod recur;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_forms;
mod words;

pub use named::NamedDay;
pub use range::{parse_period, parse_period_with_warnings};
pub use recur::{parse_days, parse_recurrence};

impl Period {
    /// True when the expression names no year ("30 april", "v. 44", "sista februari").
    pub fn is_yearless(&self) -> bool {
        match self {
            Period::DayMonth { .. }
            | Period::LastDayOfMonth { .. }
            | Period::Week { year: None, .. }
            | Period::Named(_)
            | Period::Break { year: None, .. } => true,
            Period::EndOf(p) | Period::WorkingDay { base: p, .. } => p.is_yearless(),
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
                    sv: format!("{y} har ingen vecka {week} (bara 52 veckor). Skriv `vecka 52` eller `vecka 1`."),
                    en: format!("{y} has no week {week} (only 52 weeks). Write `vecka 52` or `vecka 1`."),
                })?;
                DateRange { start: monday, end: monday + chrono::Duration::days(6) }
            }
            Period::Month { year: y, month: m } => month(*y, *m),
            Period::Quarter { year: y, quarter: q } => DateRange { start: month(*y, (q - 1) * 3 + 1).start, end: month(*y, q * 3).end },
            Period::Half { year: y, half: h } => DateRange { start: month(*y, (h - 1) * 6 + 1).start, end: month(*y, h * 6).end },
            Period::Named(day) => {
                let y = need()?;
                one(day.date(y).ok_or_else(|| PeriodError {
                    offset: 0,
                    sv: format!("{} {y} ligger utanför kalendern. Skriv ett år mellan 1900 och 2200.", day.name()),
                    en: format!("{} {y} is outside the calendar. Write a year between 1900 and 2200.", day.name()),
                })?)
            }
            Period::Break { name, year: by } => {
                let y = match by {
                    Some(y) => *y,
                    None => need()?,
                };
                school_break(cal, name, y)?
            }
            Period::WorkingDay { rule, base } => one(working_day(cal, *rule, base.resolve(cal, year)?)?),
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

    /// A short, stable label for ids: "vt2021", "2021-05", "2021", "2021q1", "2022h2",
    /// "2021w10", "la2020-21", "2021-05-31", "jullov2021", "arbetsdag-efter-2022-01-01";
    /// yearless ones "04-30", "02-sista", "w44", "midsommarafton".
    pub fn label(&self) -> String {
        match self {
            Period::Date(d) => d.format("%Y-%m-%d").to_string(),
            Period::DayMonth { day, month } => format!("{month:02}-{day:02}"),
            Period::LastDayOfMonth { month } => format!("{month:02}-sista"),
            Period::Week { year: Some(y), week } => format!("{y}w{week:02}"),
            Period::Week { year: None, week } => format!("w{week:02}"),
            Period::Month { year, month } => format!("{year}-{month:02}"),
            Period::Quarter { year, quarter } => format!("{year}q{quarter}"),
            Period::Half { year, half } => format!("{year}h{half}"),
            Period::Named(day) => day.label().to_owned(),
            Period::Break { name, year } => {
                let ascii: String = name
                    .chars()
                    .map(|c| match c {
                        'å' | 'ä' => 'a',
                        'ö' => 'o',
                        c if c.is_ascii_alphanumeric() => c,
                        _ => '-',
                    })
                    .collect();
                match year {
                    Some(y) => format!("{ascii}{y}"),
                    None => ascii,
                }
            }
            Period::WorkingDay { rule, base } => {
                let rule = match rule {
                    WorkingDayRule::FirstAfter => "arbetsdag-efter",
                    WorkingDayRule::LastBefore => "arbetsdag-fore",
                    WorkingDayRule::FirstIn => "forsta-arbetsdag",
                    WorkingDayRule::LastIn => "sista-arbetsdag",
                };
                format!("{rule}-{}", base.label())
            }
            Period::Term(t) => t.label(),
            Period::SchoolYear(y) => format!("la{y}-{:02}", (y + 1).rem_euclid(100)),
            Period::Year(y) => y.to_string(),
            Period::EndOf(p) => format!("slutet-{}", p.label()),
            Period::Range(a, b) => format!("{}-{}", a.label(), b.label()),
        }
    }
}

/// The school break `name` that starts in `year`, from the organisation's calendar.
fn school_break(cal: &Calendar, name: &str, year: i32) -> Result<DateRange, PeriodError> {
    let breaks = cal.breaks(year);
    if let Some(b) = breaks.iter().find(|b| b.name == name) {
        return Ok(b.range);
    }
    let mut names: Vec<&str> = breaks.iter().map(|b| b.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    let list = names.iter().map(|n| format!("`{n}et {year}`")).collect::<Vec<_>>().join(", ");
    Err(PeriodError {
        offset: 0,
        sv: format!("kalendern har inget {name} år {year}. Lov i kalendern: {list}."),
        en: format!("the calendar has no {name} in {year}. Breaks in the calendar: {list}."),
    })
}

/// The working day `rule` picks next to or in `r`.
fn working_day(cal: &Calendar, rule: WorkingDayRule, r: DateRange) -> Result<NaiveDate, PeriodError> {
    // Holidays and weekends never run for more than a few days; a month is a safe bound.
    let search = |from: Option<NaiveDate>, forward: bool| {
        let mut d = from?;
        for _ in 0..31 {
            if cal.is_working_day(d) {
                return Some(d);
            }
            d = if forward { d.succ_opt()? } else { d.pred_opt()? };
        }
        None
    };
    let found = match rule {
        WorkingDayRule::FirstAfter => search(r.end.succ_opt(), true),
        WorkingDayRule::LastBefore => search(r.start.pred_opt(), false),
        WorkingDayRule::FirstIn => search(Some(r.start), true).filter(|d| *d <= r.end),
        WorkingDayRule::LastIn => cal.last_working_day_in(r),
    };
    found.ok_or_else(|| PeriodError {
        offset: 0,
        sv: format!(
            "det finns ingen arbetsdag {} {} – {}. Skriv ett datum, t.ex. `{}`.",
            if matches!(rule, WorkingDayRule::FirstIn | WorkingDayRule::LastIn) { "under" } else { "intill" },
            r.start,
            r.end,
            r.end
        ),
        en: format!(
            "there is no working day {} {} – {}. Write a date, e.g. `{}`.",
            if matches!(rule, WorkingDayRule::FirstIn | WorkingDayRule::LastIn) { "in" } else { "next to" },
            r.start,
            r.end,
            r.end
        ),
    })
}
