//! Which overdue checkpoints' follow-up windows have closed by `today` (issue 10): the
//! store's overdue rows and the later occurrences of their series, the definitions' plan
//! periods and calendars, judged by [`crate::workflow::missed::missed_on`]. The engine then
//! moves them with `Command::MarkMissed` through `Store::act_system`, as it does open and
//! overdue.

use crate::calendar::Calendar;
use crate::definition::Model;
use crate::store::{Occurrence, OverdueRow, Store, StoreError, identity};
use crate::workflow::missed::{Facts, missed_on};
use chrono::NaiveDate;
use std::collections::HashMap;

/// The series a stored row belongs to: its id without the trailing label. A row that kept
/// its id when its series moved has a new label but its old id; its series is still the id
/// up to the last `/`. One-off checkpoints (no label) have none.
pub fn series_of<'a>(id: &'a str, label: Option<&str>) -> Option<&'a str> {
    label.filter(|l| !l.is_empty())?;
    identity::series(id, label).or_else(|| id.rsplit_once('/').map(|(s, _)| s).filter(|s| !s.is_empty()))
}

/// For each row, the earliest due date after its own among the occurrences of its series.
pub fn next_due(rows: &[OverdueRow], occurrences: &[Occurrence]) -> Vec<Option<NaiveDate>> {
    let mut by_series: HashMap<&str, Vec<NaiveDate>> = HashMap::new();
    for o in occurrences {
        if let Some(s) = series_of(&o.id, o.label.as_deref()) {
            by_series.entry(s).or_default().push(o.due);
        }
    }
    rows.iter()
        .map(|r| {
            let s = series_of(&r.id, r.label.as_deref())?;
            by_series.get(s)?.iter().copied().filter(|d| *d > r.due).min()
        })
        .collect()
}

/// The ids of the overdue checkpoints whose window has closed by `today`.
pub async fn closed(store: &Store, model: &Model, today: NaiveDate) -> Result<Vec<String>, StoreError> {
    let rows = store.overdue_rows(today).await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let mut series: Vec<&str> = rows.iter().filter_map(|r| series_of(&r.id, r.label.as_deref())).collect();
    series.sort_unstable();
    series.dedup();
    let earliest = rows.iter().map(|r| r.due).min().unwrap_or(today);
    let occurrences = if series.is_empty() { Vec::new() } else { store.series_rows(&series, earliest).await? };
    let next = next_due(&rows, &occurrences);
    let mut calendars: HashMap<&str, Calendar> = HashMap::new();
    let mut out = Vec::new();
    for (r, next_due) in rows.iter().zip(next) {
        let org = model.organisations.iter().find(|o| *o.id == *r.organisation);
        let cal = calendars.entry(&r.organisation).or_insert_with(|| org.map(crate::schedule::calendar_of).unwrap_or_default());
        let period_end = r.plan.as_deref().and_then(|p| org.and_then(|o| o.plans.iter().find(|x| &*x.id == p))).map(|p| p.period.end);
        let facts = Facts { due: r.due, next_due, period_end };
        if missed_on(&r.policy, facts, cal).is_some_and(|d| d <= today) {
            out.push(r.id.clone());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::definition::model::ReminderPolicy;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn row(id: &str, label: Option<&str>, due: NaiveDate) -> OverdueRow {
        OverdueRow {
            id: id.into(),
            organisation: "o".into(),
            plan: Some("p".into()),
            label: label.map(Into::into),
            due,
            policy: ReminderPolicy::default_sparse(),
        }
    }

    fn occ(id: &str, label: &str, due: NaiveDate) -> Occurrence {
        Occurrence { id: id.into(), label: Some(label.into()), due }
    }

    #[test]
    fn the_next_occurrence_is_the_same_series_only() {
        let rows = [
            row("o/p/i/dr1/2021", Some("2021"), d(2021, 5, 14)),
            row("o/p/i/dr1/skola/2021", Some("2021"), d(2021, 5, 14)),
            row("o/p/i/etablerad", None, d(2021, 5, 14)),
            // Kept its id when its series moved: label and id disagree.
            row("o/p/i/traffar/2021w36", Some("2021w37"), d(2021, 9, 14)),
        ];
        let occurrences = [
            occ("o/p/i/dr1/2021", "2021", d(2021, 5, 14)),
            occ("o/p/i/dr1/2022", "2022", d(2022, 5, 13)),
            occ("o/p/i/dr1/2023", "2023", d(2023, 5, 12)),
            // A unit's series lies under the organisation's in id order, but is another series.
            occ("o/p/i/dr1/skola/2021", "2021", d(2021, 5, 14)),
            occ("o/p/i/dr1/skola/2022", "2022", d(2022, 5, 20)),
            occ("o/p/i/traffar/2021w43", "2021w43", d(2021, 10, 26)),
            occ("o/p/i/traffar/2021w37", "2021w37", d(2021, 9, 14)),
        ];
        assert_eq!(next_due(&rows, &occurrences), vec![Some(d(2022, 5, 13)), Some(d(2022, 5, 20)), None, Some(d(2021, 10, 26))]);
        assert_eq!(series_of("o/p/i/etablerad", None), None);
        assert_eq!(series_of("o/p/i/traffar/2021w36", Some("2021w37")), Some("o/p/i/traffar"));
    }
}
