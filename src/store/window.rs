//! Where a checkpoint may be rescheduled to (`Today::window`), from its stored row, its
//! history and the definitions: shared by `arshjul reschedule` and the checkpoint page.

use super::{Filter, Store};
use crate::definition::Model;
use crate::workflow::{EventKind, SYSTEM, Window};
use chrono::NaiveDate;

impl Store {
    /// Where checkpoint `id` may be rescheduled to: its plan's period ± 1 year, looked up in
    /// `model`; without a plan, or when `model` is `None` or no longer has the plan, the due
    /// date the definitions last gave it ± 2 years. `None` when the checkpoint is not stored
    /// (acting on it reports that) or cannot be read.
    pub async fn reschedule_window(&self, id: &str, today: NaiveDate, model: Option<&Model>) -> Option<Window> {
        let org = id.split('/').next().unwrap_or(id);
        let filter = Filter { organisation: Some(org.to_owned()), include_cancelled: true, ..Filter::default() };
        let row = self.status(&filter).await.ok()?.into_iter().find(|r| r.id == id)?;
        // The definitions' own date, not one already moved by a person: repeated forced moves
        // cannot walk the window away.
        let defined = self.history(id).await.ok().and_then(|events| {
            events.iter().rev().find_map(|e| match &e.kind {
                EventKind::Created { due } if e.actor == SYSTEM => *due,
                EventKind::Rescheduled { to, .. } if e.actor == SYSTEM => *to,
                _ => None,
            })
        });
        let due = defined.or(row.due).unwrap_or(today);
        let Some(plan) = &row.plan else { return Some(Window::no_plan(due)) };
        let period = model.and_then(|model| {
            let o = model.organisations.iter().find(|o| *o.id == *row.organisation)?;
            o.plans.iter().find(|p| *p.id == **plan).map(|p| p.period)
        });
        Some(period.map_or_else(|| Window::plan_unknown(due), Window::plan))
    }
}
