//! Reads for the missed transition (issue 10): the overdue checkpoints with what their
//! follow-up window depends on, the later occurrences of their series, and the missed
//! checkpoints whose superior has not had the one notice yet. Reads only: the transition
//! itself goes through [`Store::act_system`] like the other system transitions, and the
//! notice through the outbox and its `reminders` ledger (step `missed`, once).

use super::outbox::{CANDIDATE_COLUMNS, Candidate, candidates};
use super::{Op, Store, StoreError, parse_date};
use crate::definition::model::ReminderPolicy;
use chrono::NaiveDate;
use sqlx::Row;

/// An overdue checkpoint, as the window computation needs it.
#[derive(Clone, Debug)]
pub struct OverdueRow {
    pub id: String,
    pub organisation: String,
    pub plan: Option<String>,
    pub label: Option<String>,
    pub due: NaiveDate,
    pub policy: ReminderPolicy,
}

/// One stored occurrence of a series: its id, label and current due date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Occurrence {
    pub id: String,
    pub label: Option<String>,
    pub due: NaiveDate,
}

/// Series read one range query each; more are read in one pass over the dated rows.
const RANGES_AT_MOST: usize = 20;

impl Store {
    /// Overdue checkpoints in the plan that were due before `day` (the (state, due) index).
    pub async fn overdue_rows(&self, day: NaiveDate) -> Result<Vec<OverdueRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, organisation, plan, label, due, policy FROM checkpoints WHERE state = 'overdue' AND due < $1 AND in_plan = 1 ORDER BY id",
        )
        .bind(day.format("%Y-%m-%d").to_string())
        .fetch_all(self.pool())
        .await
        .map_err(|e| StoreError::db(Op::ReadDue, e))?;
        Ok(rows
            .iter()
            .filter_map(|r| {
                let g = |i: &str| r.try_get::<Option<String>, _>(i).ok().flatten();
                Some(OverdueRow {
                    id: g("id")?,
                    organisation: g("organisation")?,
                    plan: g("plan"),
                    label: g("label"),
                    due: parse_date(g("due"))?,
                    policy: g("policy").and_then(|p| serde_json::from_str(&p).ok()).unwrap_or_else(ReminderPolicy::default_sparse),
                })
            })
            .collect())
    }

    /// The dated rows (in the plan, not cancelled, with a label) due after `after` whose id
    /// lies under one of `series` (`{series}/…`); the caller keeps the direct children. A
    /// few series are read by primary-key ranges; many by one pass over the dated rows
    /// (cheaper than many range queries: the planners scan the table for a long `OR`).
    pub async fn series_rows(&self, series: &[&str], after: NaiveDate) -> Result<Vec<Occurrence>, StoreError> {
        let err = |e| StoreError::db(Op::ReadDue, e);
        let after = after.format("%Y-%m-%d").to_string();
        let read = |rows: Vec<sqlx::any::AnyRow>, out: &mut Vec<Occurrence>| {
            for r in rows {
                let g = |i: &str| r.try_get::<Option<String>, _>(i).ok().flatten();
                if let (Some(id), Some(due)) = (g("id"), parse_date(g("due"))) {
                    out.push(Occurrence { id, label: g("label"), due });
                }
            }
        };
        let mut out = Vec::new();
        const FILTER: &str = "due > $1 AND label IS NOT NULL AND in_plan = 1 AND state <> 'cancelled'";
        if series.len() > RANGES_AT_MOST {
            let sql = format!("SELECT id, label, due FROM checkpoints WHERE {FILTER}");
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(after).fetch_all(self.pool()).await.map_err(err)?;
            read(rows, &mut out);
            let wanted: std::collections::HashSet<&str> = series.iter().copied().collect();
            out.retain(|o| o.id.rsplit_once('/').is_some_and(|(s, _)| wanted.contains(s)));
            return Ok(out);
        }
        // Bytewise comparison on both engines: SQLite's BINARY primary key; on PostgreSQL
        // the `COLLATE "C"` index of migration 0009.
        let id = if self.engine() == super::Engine::Postgres { "id COLLATE \"C\"" } else { "id" };
        for s in series {
            let sql = format!("SELECT id, label, due FROM checkpoints WHERE {id} > $2 AND {id} < $3 AND {FILTER}");
            // '0' follows '/' in ASCII.
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(after.clone())
                .bind(format!("{s}/"))
                .bind(format!("{s}0"))
                .fetch_all(self.pool())
                .await
                .map_err(err)?;
            read(rows, &mut out);
        }
        Ok(out)
    }

    /// Missed checkpoints in the plan whose superior has had no notice yet (no `missed` row
    /// in the `reminders` ledger), except those a sync created already past due (never
    /// mailed). Read on working days when the day's reminders are planned.
    pub async fn missed_unnotified(&self) -> Result<Vec<Candidate>, StoreError> {
        let sql = format!(
            "SELECT {CANDIDATE_COLUMNS} FROM checkpoints c WHERE state = 'missed' AND in_plan = 1 AND added_past_due = 0 \
             AND NOT EXISTS (SELECT 1 FROM reminders r WHERE r.checkpoint = c.id AND r.step = 'missed') ORDER BY due, id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(self.pool()).await.map_err(|e| StoreError::db(Op::ReadReminders, e))?;
        Ok(candidates(&rows))
    }
}
