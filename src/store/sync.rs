//! Syncing the expanded schedule into the store: idempotent and by stable id. New →
//! created; moved in the definitions → rescheduled; gone from the definitions → cancelled;
//! back again → restored. Every change is an event; nothing is deleted.

use super::{Store, StoreError, parse_date, ts};
use crate::calendar::DateRange;
use crate::definition::model::ReminderPolicy;
use crate::schedule::Checkpoint;
use crate::workflow::{EventKind, SYSTEM, State, Status};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row;
use std::collections::{HashMap, HashSet};

/// What a sync changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub created: usize,
    pub rescheduled: usize,
    pub cancelled: usize,
    pub restored: usize,
    pub updated: usize,
    pub unchanged: usize,
}

struct Existing {
    defined_due: Option<NaiveDate>,
    due: Option<NaiveDate>,
    state: String,
    descr: String,
}

fn date_text(d: Option<NaiveDate>) -> Option<String> {
    d.map(|d| d.format("%Y-%m-%d").to_string())
}

/// The first day a reminder step can fall on: the due date less the longest lead time.
pub(super) fn remind_from(due: Option<NaiveDate>, policy: &ReminderPolicy) -> Option<String> {
    let lead = policy.before.iter().copied().max().unwrap_or(0);
    date_text(due.map(|d| d - chrono::Duration::days(i64::from(lead))))
}

/// The descriptive fields, compared to decide whether a row needs an update.
fn descr(c: &Checkpoint) -> String {
    let policy = serde_json::to_string(&*c.policy).unwrap_or_default();
    format!(
        "{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}",
        c.title,
        c.owner_role,
        c.kind,
        c.school_break.as_deref().unwrap_or(""),
        c.label.as_deref().unwrap_or(""),
        policy
    )
}

fn row_descr(r: &sqlx::any::AnyRow) -> String {
    let g = |i: &str| r.try_get::<Option<String>, _>(i).ok().flatten().unwrap_or_default();
    format!(
        "{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}",
        g("title"),
        g("owner_role"),
        g("kind"),
        g("school_break"),
        g("label"),
        g("policy")
    )
}

/// Rows per multi-row INSERT (kept well under both engines' bind limits).
const BATCH: usize = 400;

impl Store {
    /// Brings the store in line with `cps`, the schedule expanded over `window`. Rows whose
    /// due date lies outside `window` are left alone (they were synced from another window).
    pub async fn sync(&self, cps: &[Checkpoint], window: DateRange, now: DateTime<Utc>) -> Result<SyncReport, StoreError> {
        let err = |e| StoreError::db("synkning", e);
        let mut tx = self.begin().await.map_err(err)?;
        if self.engine() == super::Engine::Postgres {
            // One syncer at a time when several daemons share the database.
            sqlx::query("SELECT pg_advisory_xact_lock(7262052)").execute(&mut *tx).await.map_err(err)?;
        }
        let rows = sqlx::query("SELECT id, defined_due, due, state, title, owner_role, kind, school_break, label, policy FROM checkpoints")
            .fetch_all(&mut *tx)
            .await
            .map_err(err)?;
        let mut existing: HashMap<String, Existing> = HashMap::with_capacity(rows.len());
        for r in &rows {
            let id: String = r.try_get("id").map_err(err)?;
            existing.insert(
                id,
                Existing {
                    defined_due: parse_date(r.try_get("defined_due").map_err(err)?),
                    due: parse_date(r.try_get("due").map_err(err)?),
                    state: r.try_get("state").map_err(err)?,
                    descr: row_descr(r),
                },
            );
        }
        drop(rows);
        let at = ts(now);
        let mut report = SyncReport::default();
        let mut new_rows: Vec<&Checkpoint> = Vec::new();
        let mut events: Vec<(String, Option<&'static str>, EventKind)> = Vec::new();
        let mut seen: HashSet<&str> = HashSet::with_capacity(cps.len());
        for c in cps {
            seen.insert(&c.id);
            let Some(old) = existing.get(&c.id) else {
                new_rows.push(c);
                events.push((c.id.clone(), Some("ny i definitionerna"), EventKind::Created { due: c.date }));
                report.created += 1;
                continue;
            };
            let mut changed = false;
            if old.state == State::Cancelled.en() {
                let mut st = self.replay(&mut tx, &c.id).await?;
                st.apply(&EventKind::Restored);
                sqlx::query("UPDATE checkpoints SET state = $1, version = version + 1, updated_at = $2 WHERE id = $3")
                    .bind(st.state.en())
                    .bind(at.clone())
                    .bind(c.id.clone())
                    .execute(&mut *tx)
                    .await
                    .map_err(err)?;
                events.push((c.id.clone(), Some("tillbaka i definitionerna"), EventKind::Restored));
                report.restored += 1;
                changed = true;
            }
            if old.defined_due != c.date {
                // The definitions moved the date: that wins over an earlier manual move.
                let mut state = if old.state == State::Cancelled.en() { None } else { State::parse(&old.state) };
                if state == Some(State::Overdue) {
                    state = Some(State::Open);
                }
                sqlx::query(
                    "UPDATE checkpoints SET due = $1, defined_due = $1, remind_from = $5, rescheduled = 1, state = COALESCE($2, state), version = version + 1, updated_at = $3 WHERE id = $4",
                )
                .bind(date_text(c.date))
                .bind(state.map(|s| s.en().to_owned()))
                .bind(at.clone())
                .bind(c.id.clone())
                .bind(remind_from(c.date, &c.policy))
                .execute(&mut *tx)
                .await
                .map_err(err)?;
                events.push((c.id.clone(), Some("datumet ändrat i definitionerna"), EventKind::Rescheduled { from: old.due, to: c.date }));
                report.rescheduled += 1;
                changed = true;
            }
            if old.descr != descr(c) {
                sqlx::query("UPDATE checkpoints SET title = $1, owner_role = $2, kind = $3, school_break = $4, label = $5, policy = $6, updated_at = $7, remind_from = $9 WHERE id = $8")
                    .bind(c.title.to_string())
                    .bind(c.owner_role.to_string())
                    .bind(c.kind.to_string())
                    .bind(c.school_break.as_deref().map(str::to_owned))
                    .bind(c.label.as_deref().map(str::to_owned))
                    .bind(serde_json::to_string(&*c.policy).unwrap_or_default())
                    .bind(at.clone())
                    .bind(c.id.clone())
                    .bind(remind_from(old.due, &c.policy))
                    .execute(&mut *tx)
                    .await
                    .map_err(err)?;
                report.updated += 1;
                changed = true;
            }
            if !changed {
                report.unchanged += 1;
            }
        }
        for (id, old) in &existing {
            let in_window = old.defined_due.is_none_or(|d| window.contains(d));
            if !seen.contains(id.as_str()) && in_window && old.state != State::Cancelled.en() {
                sqlx::query("UPDATE checkpoints SET state = $1, version = version + 1, updated_at = $2 WHERE id = $3")
                    .bind(State::Cancelled.en())
                    .bind(at.clone())
                    .bind(id.clone())
                    .execute(&mut *tx)
                    .await
                    .map_err(err)?;
                events.push((id.clone(), Some("borttagen ur definitionerna"), EventKind::Cancelled));
                report.cancelled += 1;
            }
        }
        for chunk in new_rows.chunks(BATCH) {
            insert_checkpoints(self.engine(), &mut tx, chunk, &at).await?;
        }
        for chunk in events.chunks(BATCH) {
            insert_events(self.engine(), &mut tx, chunk, &at).await?;
        }
        tx.commit().await.map_err(err)?;
        Ok(report)
    }
}

async fn insert_checkpoints(
    engine: super::Engine,
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    rows: &[&Checkpoint],
    at: &str,
) -> Result<(), StoreError> {
    const COLS: usize = 18;
    let mut sql = String::from(
        "INSERT INTO checkpoints (id, organisation, plan, initiative, part, kind, title, owner_role, unit, parent, label, school_break, due, defined_due, remind_from, state, policy, updated_at) VALUES ",
    );
    sql.push_str(&super::value_rows(engine, rows.len(), COLS, 0));
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for c in rows {
        let due = date_text(c.date);
        q = q
            .bind(c.id.clone())
            .bind(c.organisation.to_string())
            .bind(c.plan.as_deref().map(str::to_owned))
            .bind(c.initiative.as_deref().map(str::to_owned))
            .bind(c.part.map(i64::from))
            .bind(c.kind.to_string())
            .bind(c.title.to_string())
            .bind(c.owner_role.to_string())
            .bind(c.unit.as_deref().map(str::to_owned))
            .bind(c.parent.clone())
            .bind(c.label.as_deref().map(str::to_owned))
            .bind(c.school_break.as_deref().map(str::to_owned))
            .bind(due.clone())
            .bind(due)
            .bind(remind_from(c.date, &c.policy))
            .bind(State::Planned.en())
            .bind(serde_json::to_string(&*c.policy).unwrap_or_default())
            .bind(at.to_owned());
    }
    q.execute(&mut **tx).await.map_err(|e| StoreError::db("inläggning av kontrollpunkter", e))?;
    Ok(())
}

pub(super) async fn insert_events(
    engine: super::Engine,
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    events: &[(String, Option<&str>, EventKind)],
    at: &str,
) -> Result<(), StoreError> {
    const COLS: usize = 6;
    let mut sql = String::from("INSERT INTO events (checkpoint, at, actor, reason, kind, data) VALUES ");
    sql.push_str(&super::value_rows(engine, events.len(), COLS, 0));
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for (id, reason, kind) in events {
        let data = serde_json::to_string(kind).unwrap_or_default();
        let tag =
            serde_json::to_value(kind).ok().and_then(|v| v.get("type").and_then(|t| t.as_str()).map(str::to_owned)).unwrap_or_default();
        q = q.bind(id.clone()).bind(at.to_owned()).bind(SYSTEM).bind(reason.map(str::to_owned)).bind(tag).bind(data);
    }
    q.execute(&mut **tx).await.map_err(|e| StoreError::db("inläggning av händelser", e))?;
    Ok(())
}

impl Store {
    /// The status of one checkpoint, replayed from its events.
    pub(super) async fn replay(&self, tx: &mut sqlx::Transaction<'_, sqlx::Any>, id: &str) -> Result<Status, StoreError> {
        let rows = sqlx::query("SELECT data FROM events WHERE checkpoint = $1 ORDER BY seq")
            .bind(id.to_owned())
            .fetch_all(&mut **tx)
            .await
            .map_err(|e| StoreError::db("läsning av historik", e))?;
        let kinds: Vec<EventKind> =
            rows.iter().filter_map(|r| r.try_get::<String, _>(0).ok()).filter_map(|d| serde_json::from_str(&d).ok()).collect();
        Ok(Status::replay(&kinds).unwrap_or_else(|| Status::new(None)))
    }
}

impl Store {
    /// The benchmark's baseline: the same rows inserted raw in one transaction, without
    /// reading existing rows and without events.
    #[doc(hidden)]
    pub async fn raw_insert_for_benchmark(&self, cps: &[Checkpoint]) -> Result<(), StoreError> {
        let mut tx = self.begin().await.map_err(|e| StoreError::db("inläggning", e))?;
        let at = ts(Utc::now());
        let rows: Vec<&Checkpoint> = cps.iter().collect();
        for chunk in rows.chunks(BATCH) {
            insert_checkpoints(self.engine(), &mut tx, chunk, &at).await?;
        }
        tx.commit().await.map_err(|e| StoreError::db("inläggning", e))
    }
}
