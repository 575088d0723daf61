//! Expansion: a pure function from the checked model, each organisation's calendar and a
//! date window to dated checkpoints with stable ids.
//!
//! **Architecture invariant:** no IO, no clock. The same model and window always give the
//! same checkpoints in the same order.
//!
//! A checkpoint's id is derived from what it *is* —
//! `{organisation}/{plan}/{initiative}[/del-{n}]/{checkpoint}[/{unit}][/{label}]` — never from
//! its date or position, so moving a date in a plan keeps the id (a reschedule, not a new
//! checkpoint). Wheel-only checkpoints use `{organisation}/arshjul/{checkpoint}[/{unit}]/{year}`
//! and group meetings `{organisation}/grupp/{group}/{label}`.

mod occur;
mod rules;

use crate::calendar::{Calendar, DateRange};
use crate::definition::Model;
use crate::definition::model::ReminderPolicy;
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use std::sync::Arc;

pub use rules::Compiled;

/// One dated (or continuous) checkpoint.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Checkpoint {
    pub id: String,
    /// Due date after the roll rule; `None` for continuous (fortlöpande) follow-up.
    pub date: Option<NaiveDate>,
    /// The date as the definition gives it, before rolling off weekends and holidays.
    pub nominal_date: Option<NaiveDate>,
    pub organisation: Arc<str>,
    pub plan: Option<Arc<str>>,
    pub initiative: Option<Arc<str>>,
    pub part: Option<u32>,
    /// dialogmöte, delårsrapport, utvärdering, möte, …
    pub kind: Arc<str>,
    /// The wheel checkpoint, own checkpoint or group this comes from.
    pub source: Arc<str>,
    pub title: Arc<str>,
    pub owner_role: Arc<str>,
    /// `None` at organisation level.
    pub unit: Option<Arc<str>>,
    /// For a per-unit checkpoint: the organisation-level checkpoint it rolls up into.
    pub parent: Option<String>,
    /// The occurrence's period label (`vt2021`, `2021`, `2020w36`, …).
    pub label: Option<Arc<str>>,
    /// The school break the due date falls in, if any (so reminders can say so).
    pub school_break: Option<Arc<str>>,
    /// When reminders go out (days before, on the day, while overdue, escalation).
    #[serde(rename = "reminders")]
    pub policy: Arc<ReminderPolicy>,
}

/// Expands every organisation of `model` over `window`, sorted by date (continuous
/// checkpoints last), then definition order.
pub fn expand(model: &Model, window: DateRange) -> Vec<Checkpoint> {
    Compiled::new(model).expand(window)
}

/// The calendar an organisation runs on.
pub fn calendar_of(org: &crate::definition::model::Organisation) -> Calendar {
    Calendar::new(org.calendar.clone())
}

/// Sorts checkpoints by date (continuous last), keeping definition order within a day:
/// organisation, plan, initiative, and each organisation-level checkpoint before its
/// per-unit children. Stable, and cheap (dates only; no string comparisons).
pub fn sort(cps: &mut [Checkpoint]) {
    cps.sort_by_key(|c| c.date.map_or(i32::MAX, |d| d.num_days_from_ce()));
}

/// The window the schedule is synced over: from the earliest plan start (or a year back) to
/// 400 days ahead or the last plan end, whichever is later.
pub fn sync_window(model: &Model, today: NaiveDate) -> DateRange {
    use chrono::Duration;
    let plans = model.organisations.iter().flat_map(|o| &o.plans).map(|p| p.period);
    let start = plans.clone().map(|p| p.start).min().unwrap_or(today - Duration::days(365)).min(today - Duration::days(365));
    let end = plans.map(|p| p.end).max().unwrap_or(today).max(today + Duration::days(400));
    DateRange { start, end }
}
