//! The Swedish school calendar, all in Europe/Stockholm: public holidays (lag 1989:253,
//! with its historic changes), terms, school breaks, ISO weeks, working days, the roll
//! rule and recurrence rules.
//!
//! **Architecture invariant:** pure. No clock, no IO. Everything is a function of the
//! [`CalendarConfig`] and the dates asked about.

use chrono::{Datelike, Duration, NaiveDate, Weekday};

/// Earliest year the calendar answers for.
pub const MIN_YEAR: i32 = 1900;
/// Latest year the calendar answers for.
pub const MAX_YEAR: i32 = 2200;

/// An inclusive range of civil dates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateRange {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl DateRange {
    /// `None` when `end` is before `start` (an empty or reversed range).
    pub fn new(start: NaiveDate, end: NaiveDate) -> Option<Self> {
        (start <= end).then_some(Self { start, end })
    }

    pub fn contains(&self, d: NaiveDate) -> bool {
        self.start <= d && d <= self.end
    }

    pub fn overlaps(&self, other: &DateRange) -> bool {
        self.start <= other.end && other.start <= self.end
    }

    pub fn intersect(&self, other: &DateRange) -> Option<DateRange> {
        DateRange::new(self.start.max(other.start), self.end.min(other.end))
    }

    /// The whole calendar year.
    pub fn year(year: i32) -> Option<Self> {
        Some(Self { start: NaiveDate::from_ymd_opt(year, 1, 1)?, end: NaiveDate::from_ymd_opt(year, 12, 31)? })
    }
}

impl std::fmt::Display for DateRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} – {}", self.start, self.end)
    }
}

/// Spring term (vårtermin) or autumn term (hösttermin).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TermKind {
    Vt,
    Ht,
}

/// One term of one year, e.g. vt 2021.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Term {
    pub year: i32,
    pub kind: TermKind,
}

impl Term {
    pub fn vt(year: i32) -> Self {
        Self { year, kind: TermKind::Vt }
    }
    pub fn ht(year: i32) -> Self {
        Self { year, kind: TermKind::Ht }
    }
    /// Stable label used in checkpoint ids: `vt2021`, `ht2020`.
    pub fn label(&self) -> String {
        match self.kind {
            TermKind::Vt => format!("vt{}", self.year),
            TermKind::Ht => format!("ht{}", self.year),
        }
    }
}

/// Whether a non-working day is a public holiday by law or a de-facto day off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HolidayKind {
    /// Allmän helgdag under lag (1989:253).
    Legal,
    /// Midsommarafton, julafton, nyårsafton: not holidays by law, but non-working in practice.
    DeFacto,
}

/// A non-working day with its Swedish and English names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Holiday {
    pub date: NaiveDate,
    pub name: &'static str,
    pub name_en: &'static str,
    pub kind: HolidayKind,
}

/// What to do with a due date that falls on a weekend or holiday.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum RollRule {
    /// Move to the previous working day (the default).
    #[default]
    PreviousWorkingDay,
    /// Move to the next working day.
    NextWorkingDay,
    /// Keep the date as written.
    None,
}

/// How an organisation's school break is placed in a year.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BreakRule {
    /// The whole ISO week(s), Monday–Sunday, e.g. höstlov in week 44.
    Weeks { name: String, weeks: Vec<u32> },
    /// The ISO week that contains annandag påsk (a common påsklov choice).
    EasterWeek { name: String },
}

/// A concrete school break in a given year.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchoolBreak {
    pub name: String,
    pub range: DateRange,
}

/// Per-organisation calendar settings. `Default` gives the defaults from DOMAIN.md.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CalendarConfig {
    /// vt starts on the Monday of this ISO week (default 2).
    pub vt_start_week: u32,
    /// vt ends on the Friday of this ISO week (default 24).
    pub vt_end_week: u32,
    /// ht starts on the Monday of this ISO week (default 34).
    pub ht_start_week: u32,
    /// ht ends on the last Friday before 24 December (fixed rule).
    /// Exact term dates for particular terms, overriding the week rules.
    pub term_overrides: Vec<(Term, DateRange)>,
    /// School breaks (sportlov, påsklov, höstlov). Jullov and sommarlov follow from the terms.
    pub breaks: Vec<BreakRule>,
    /// Default roll rule for due dates on non-working days.
    pub roll: RollRule,
}

impl Default for CalendarConfig {
    fn default() -> Self {
        Self {
            vt_start_week: 2,
            vt_end_week: 24,
            ht_start_week: 34,
            term_overrides: Vec::new(),
            breaks: vec![
                BreakRule::Weeks { name: "sportlov".into(), weeks: vec![9] },
                BreakRule::EasterWeek { name: "påsklov".into() },
                BreakRule::Weeks { name: "höstlov".into(), weeks: vec![44] },
            ],
            roll: RollRule::PreviousWorkingDay,
        }
    }
}

/// A calendar for one organisation.
#[derive(Clone, Debug)]
pub struct Calendar {
    config: CalendarConfig,
}

impl Default for Calendar {
    fn default() -> Self {
        Self::new(CalendarConfig::default())
    }
}

impl Calendar {
    pub fn new(config: CalendarConfig) -> Self {
        Self { config }
    }

    pub fn config(&self) -> &CalendarConfig {
        &self.config
    }

    /// Every non-working day of `year` that is not a plain weekend, sorted by date:
    /// the legal holidays and the de-facto ones (midsommarafton, julafton, nyårsafton).
    pub fn holidays(&self, year: i32) -> Vec<Holiday> {
        holidays(year)
    }

    /// The holiday on `d`, if any.
    pub fn holiday(&self, d: NaiveDate) -> Option<Holiday> {
        if !holidays::is_holiday(d) {
            return None;
        }
        holidays(d.year()).into_iter().find(|h| h.date == d)
    }

    /// Monday–Friday and not a holiday (legal or de facto). Must be O(1).
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !holidays::is_holiday(d)
    }

    /// The dates of a term.
    pub fn term(&self, t: Term) -> DateRange {
        if let Some((_, r)) = self.config.term_overrides.iter().find(|(x, _)| *x == t) {
            return *r;
        }
        let monday = |week: u32| iso_week_monday(t.year, week).or_else(|| iso_week_monday(t.year, 52)).unwrap_or_default();
        match t.kind {
            TermKind::Vt => {
                DateRange { start: monday(self.config.vt_start_week), end: monday(self.config.vt_end_week) + Duration::days(4) }
            }
            TermKind::Ht => {
                // The last Friday before julafton.
                let eve = NaiveDate::from_ymd_opt(t.year, 12, 24).unwrap_or_default();
                let back = (eve.weekday().num_days_from_monday() + 7 - Weekday::Fri.num_days_from_monday() - 1) % 7 + 1;
                DateRange { start: monday(self.config.ht_start_week), end: eve - Duration::days(back as i64) }
            }
        }
    }

    /// The term `d` falls in, if any (breaks inside a term still count as that term).
    pub fn term_of(&self, d: NaiveDate) -> Option<Term> {
        [Term::vt(d.year()), Term::ht(d.year())].into_iter().find(|t| self.term(*t).contains(d))
    }

    /// Läsåret `start_year`/`start_year + 1`: from the start of ht `start_year` to the end of
    /// vt `start_year + 1`.
    pub fn school_year(&self, start_year: i32) -> DateRange {
        DateRange { start: self.term(Term::ht(start_year)).start, end: self.term(Term::vt(start_year + 1)).end }
    }

    /// The school breaks that start in `year`, including jullov and sommarlov, sorted.
    pub fn breaks(&self, year: i32) -> Vec<SchoolBreak> {
        breaks::in_year(self, year)
    }

    /// The name of the school break `d` falls in, if any. No allocation.
    pub fn break_at(&self, d: NaiveDate) -> Option<&str> {
        breaks::at(self, d)
    }

    /// Applies a roll rule: a weekend or holiday moves to the previous (or next) working day.
    pub fn roll(&self, d: NaiveDate, rule: RollRule) -> NaiveDate {
        let step = match rule {
            RollRule::None => return d,
            RollRule::PreviousWorkingDay => -1,
            RollRule::NextWorkingDay => 1,
        };
        let mut x = d;
        while !self.is_working_day(x) {
            x += Duration::days(step);
        }
        x
    }

    /// Applies a roll rule without leaving `span` (a plan's or initiative's period): when the
    /// rule's direction would leave `span`, rolls the other way instead, to the nearest working
    /// day inside it. `None` when `d` is outside `span`, or when no working day can be reached
    /// inside it. `RollRule::None` keeps `d`.
    pub fn roll_within(&self, d: NaiveDate, rule: RollRule, span: DateRange) -> Option<NaiveDate> {
        if !span.contains(d) {
            return None;
        }
        let (first, second) = match rule {
            RollRule::None => return Some(d),
            RollRule::PreviousWorkingDay => (-1, 1),
            RollRule::NextWorkingDay => (1, -1),
        };
        self.scan(d, first, span).or_else(|| self.scan(d, second, span))
    }

    /// The first working day from `d` in direction `step` (±1) without leaving `span`.
    fn scan(&self, d: NaiveDate, step: i64, span: DateRange) -> Option<NaiveDate> {
        let mut x = d;
        while span.contains(x) {
            if self.is_working_day(x) {
                return Some(x);
            }
            x = x.checked_add_signed(Duration::days(step))?;
        }
        None
    }

    /// The last working day in `r`, if any.
    pub fn last_working_day_in(&self, r: DateRange) -> Option<NaiveDate> {
        let d = self.roll(r.end, RollRule::PreviousWorkingDay);
        (d >= r.start).then_some(d)
    }
}

pub use holidays::{easter_sunday, holidays};

/// The Monday of ISO week `week` of ISO year `year`; `None` if the year has no such week.
pub fn iso_week_monday(year: i32, week: u32) -> Option<NaiveDate> {
    NaiveDate::from_isoywd_opt(year, week, Weekday::Mon)
}

mod breaks;
pub mod holidays;
pub mod recurrence;
pub mod report;
#[cfg(test)]
mod tests;
