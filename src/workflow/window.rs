//! The window a checkpoint may be rescheduled within — even with `--force`, which allows a
//! past date or a non-working day but never one years away from the plan (0001-01-01,
//! 9999-12-30). A fact computed by the caller (from the store and the definitions) and
//! judged here, so [`super::decide`] stays pure.

use super::Refusal;
use crate::calendar::DateRange;
use chrono::{Months, NaiveDate};

/// Years a plan's period is widened by on each side.
pub const PLAN_MARGIN_YEARS: u32 = 1;
/// Years around the due date when there is no plan period to go by.
pub const DUE_MARGIN_YEARS: u32 = 2;

/// The dates a reschedule may move a checkpoint to, and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub range: DateRange,
    pub basis: WindowBasis,
}

/// What a [`Window`] is derived from (named in the refusal).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WindowBasis {
    /// The checkpoint's plan period, widened by a year on each side.
    Plan(DateRange),
    /// The checkpoint belongs to no plan (the wheel, a group): its due date ± 2 years.
    NoPlan(NaiveDate),
    /// Its plan's period is unknown (the definitions could not be read, or no longer have
    /// the plan): its due date ± 2 years.
    PlanUnknown(NaiveDate),
}

fn widen(r: DateRange, years: u32) -> DateRange {
    let m = Months::new(years.saturating_mul(12));
    DateRange { start: r.start.checked_sub_months(m).unwrap_or(NaiveDate::MIN), end: r.end.checked_add_months(m).unwrap_or(NaiveDate::MAX) }
}

impl Window {
    /// A plan's period, a year on each side.
    pub fn plan(period: DateRange) -> Self {
        Self { range: widen(period, PLAN_MARGIN_YEARS), basis: WindowBasis::Plan(period) }
    }

    /// A checkpoint without a plan: its due date ± 2 years.
    pub fn no_plan(due: NaiveDate) -> Self {
        Self { range: widen(DateRange { start: due, end: due }, DUE_MARGIN_YEARS), basis: WindowBasis::NoPlan(due) }
    }

    /// A checkpoint whose plan period could not be found: its due date ± 2 years.
    pub fn plan_unknown(due: NaiveDate) -> Self {
        Self { range: widen(DateRange { start: due, end: due }, DUE_MARGIN_YEARS), basis: WindowBasis::PlanUnknown(due) }
    }

    /// `None` when `to` is inside; else the refusal naming the window and why.
    pub fn judge(&self, to: NaiveDate) -> Option<Refusal> {
        if self.range.contains(to) {
            return None;
        }
        let r = self.range;
        let (why_sv, why_en) = match self.basis {
            WindowBasis::Plan(p) => (
                format!("planens period {p} med ett år åt vardera hållet"),
                format!("the plan's period {p} widened by a year on each side"),
            ),
            WindowBasis::NoPlan(d) => (
                format!("förfallodagen {d} ± 2 år, eftersom kontrollpunkten inte hör till någon plan"),
                format!("the due date {d} ± 2 years, as the checkpoint belongs to no plan"),
            ),
            WindowBasis::PlanUnknown(d) => (
                format!("förfallodagen {d} ± 2 år, eftersom planens period inte kunde läsas ur definitionerna"),
                format!("the due date {d} ± 2 years, as the plan's period could not be read from the definitions"),
            ),
        };
        Some(Refusal {
            sv: format!(
                "{to} ligger utanför det tillåtna fönstret {r} ({why_sv}). Välj ett datum inom fönstret; inte heller `--force` tillåter ett datum utanför."
            ),
            en: format!(
                "{to} lies outside the allowed window {r} ({why_en}). Choose a date inside it; not even `--force` allows one outside."
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn windows_and_their_edges() {
        let w = Window::plan(DateRange { start: d(2021, 1, 1), end: d(2025, 12, 31) });
        assert_eq!(w.range, DateRange { start: d(2020, 1, 1), end: d(2026, 12, 31) });
        assert!(w.judge(d(2020, 1, 1)).is_none() && w.judge(d(2026, 12, 31)).is_none());
        let r = w.judge(d(2019, 12, 31)).unwrap_or_else(|| panic!("outside"));
        assert!(r.sv.contains("2020-01-01 – 2026-12-31") && r.sv.contains("planens period 2021-01-01 – 2025-12-31"), "{}", r.sv);
        assert!(r.en.contains("the plan's period"), "{}", r.en);
        // 29 February ± 2 years lands on the 28th; no overflow at the ends of the calendar.
        let n = Window::no_plan(d(2024, 2, 29));
        assert_eq!(n.range, DateRange { start: d(2022, 2, 28), end: d(2026, 2, 28) });
        assert!(n.judge(d(9999, 12, 30)).is_some_and(|r| r.sv.contains("inte hör till någon plan")));
        let edge = Window::plan_unknown(NaiveDate::MAX);
        assert_eq!(edge.range.end, NaiveDate::MAX);
        assert!(edge.judge(d(1, 1, 1)).is_some_and(|r| r.en.contains("could not be read")));
    }
}
