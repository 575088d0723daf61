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
//!
//! PLACEHOLDER NOTE: bodies are being replaced by the full implementation.

use crate::calendar::{Calendar, DateRange, Term};
use chrono::NaiveDate;

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

/// Parses a period or date expression.
pub fn parse_period(s: &str) -> Result<Period, PeriodError> {
    let t = s.trim();
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Ok(Period::Date(d));
    }
    Err(PeriodError { offset: 0, sv: format!("okänd tidsangivelse `{s}`"), en: format!("unknown date or period `{s}`") }) // PLACEHOLDER
}

/// Parses a recurrence phrase ("var 6:e vecka", "årligen", "fortlöpande", …).
pub fn parse_recurrence(s: &str) -> Result<Recurrence, PeriodError> {
    match s.trim() {
        "årligen" => Ok(Recurrence::Years(1)),
        "fortlöpande" => Ok(Recurrence::Continuous),
        _ => Err(PeriodError { offset: 0, sv: format!("okänt intervall `{s}`"), en: format!("unknown recurrence `{s}`") }), // PLACEHOLDER
    }
}

/// Parses a duration in days: "14d", "2w", "2 veckor", "3 dagar", "1 vecka".
pub fn parse_days(s: &str) -> Result<u32, PeriodError> {
    s.trim().trim_end_matches('d').parse().map_err(|_| PeriodError {
        offset: 0,
        sv: format!("okänd tidslängd `{s}`"),
        en: format!("unknown duration `{s}`"),
    }) // PLACEHOLDER
}

impl Period {
    /// True when the expression names no year ("30 april", "v. 44", "sista februari").
    pub fn is_yearless(&self) -> bool {
        matches!(self, Period::DayMonth { .. } | Period::LastDayOfMonth { .. } | Period::Week { year: None, .. })
    }

    /// The dates the expression covers. Yearless expressions take `year`; for the others
    /// `year` is ignored. Errors for a reversed or empty range, or a date that does not exist
    /// in that year.
    pub fn resolve(&self, cal: &Calendar, year: Option<i32>) -> Result<DateRange, PeriodError> {
        let _ = (cal, year);
        match self {
            Period::Date(d) => Ok(DateRange { start: *d, end: *d }),
            _ => Err(PeriodError { offset: 0, sv: "ej implementerat".into(), en: "not implemented".into() }), // PLACEHOLDER
        }
    }

    /// A short, stable label for ids: "vt2021", "2021-05", "2021", "2021q1", "2021w10",
    /// "la2020", "2021-05-31".
    pub fn label(&self) -> String {
        format!("{self:?}") // PLACEHOLDER
    }
}
