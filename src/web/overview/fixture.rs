//! Test rows from the real definitions under `workflows/` (Timrå, Höör, Halmstad): expanded
//! by `schedule::expand` and given every state in a fixed pattern, as a store would hold them.

use crate::calendar::DateRange;
use crate::definition::{Model, load_dir};
use crate::schedule::expand;
use crate::store::Row;
use crate::workflow::{Outcome, Report, State};
use chrono::NaiveDate;
use std::path::Path;

pub fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
}

/// "Today" in the tests: mid vt 2021, in läsåret 2020/21.
pub fn today() -> NaiveDate {
    date("2021-03-01")
}

/// The three real organisations.
pub fn model() -> Model {
    load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("workflows")).expect("the workflows load")
}

/// The state a store would hold for the `i`-th checkpoint due on `due`: done, reported,
/// overdue, missed or waived in turn when past; open within four weeks; planned after.
fn state_for(i: usize, due: Option<NaiveDate>, today: NaiveDate) -> State {
    match due {
        Some(d) if d < today => [State::Approved, State::Approved, State::Reported, State::Overdue, State::Missed, State::Waived][i % 6],
        Some(d) if (d - today).num_days() <= 28 => State::Open,
        _ => State::Planned,
    }
}

/// Rows for every checkpoint of `model` due from `from` to `to`.
pub fn rows_between(model: &Model, from: &str, to: &str, today: NaiveDate) -> Vec<Row> {
    let window = DateRange::new(date(from), date(to)).expect("window");
    expand(model, window)
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            let state = state_for(i, c.date, today);
            let report = matches!(state, State::Approved | State::Reported).then(|| Report {
                outcome: Outcome::Genomford,
                reason: None,
                uppfoljning: "Genomfört enligt plan".into(),
                analys: "-".into(),
                links: Vec::new(),
            });
            Row {
                id: c.id,
                organisation: c.organisation.to_string(),
                plan: c.plan.map(|p| p.to_string()),
                initiative: c.initiative.map(|p| p.to_string()),
                title: c.title.to_string(),
                kind: c.kind.to_string(),
                owner_role: c.owner_role.to_string(),
                unit: c.unit.map(|u| u.to_string()),
                parent: c.parent,
                due: c.date,
                state,
                rescheduled: i % 17 == 0,
                school_break: c.school_break.map(|b| b.to_string()),
                report,
                in_plan: true,
                added_past_due: i % 41 == 0 && state == State::Overdue,
            }
        })
        .collect()
}

/// Läsåret 2020/21 of all three organisations.
pub fn rows(model: &Model) -> Vec<Row> {
    rows_between(model, "2020-07-01", "2021-06-30", today())
}
