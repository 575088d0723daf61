//! Syncing the expanded schedule into the store: idempotent and by stable id. New →
//! created; moved in the definitions → rescheduled; gone from the definitions → cancelled;
//! back again → restored. Every change is an event; nothing is deleted.

use super::identity;
use super::{Op, Store, StoreError, parse_date, ts};
use crate::calendar::DateRange;
use crate::definition::model::ReminderPolicy;
use crate::schedule::Checkpoint;
use crate::workflow::{Command, EventKind, SYSTEM, State, Status, Today, decide};
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
    /// Occurrences of a recurring rule whose generated id changed (the rule's period or
    /// anchor moved) and that kept their stored id (counted in `rescheduled` when the
    /// date moved too).
    pub reidentified: usize,
    /// Gone from the definitions but kept as they stand (a report, approval, waiver or
    /// missed): no longer in the plan.
    pub left_plan: Vec<String>,
    /// Created already past their due date: not mailed as overdue (see `added_past_due`).
    pub past_on_arrival: Vec<String>,
}

struct Existing {
    defined_due: Option<NaiveDate>,
    due: Option<NaiveDate>,
    state: String,
    descr: String,
    label: Option<String>,
    in_plan: bool,
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

/// Which stored row each expanded checkpoint is: its own id, else an alias recorded when
/// its series moved, else a stored occurrence of the same series that the definitions no
/// longer give, paired by date (see [`identity`](super::identity)). Returns the stored id
/// per checkpoint (`None`: new) and the aliases to record.
fn match_rows(
    cps: &[Checkpoint],
    existing: &HashMap<String, Existing>,
    aliases: &HashMap<String, String>,
    window: DateRange,
) -> (Vec<Option<String>>, Vec<(String, String)>) {
    let mut target: Vec<Option<String>> = vec![None; cps.len()];
    let mut claimed: HashSet<&str> = HashSet::with_capacity(cps.len());
    for (i, c) in cps.iter().enumerate() {
        if let Some((id, _)) = existing.get_key_value(&c.id) {
            target[i] = Some(c.id.clone());
            claimed.insert(id);
        }
    }
    for (i, c) in cps.iter().enumerate() {
        if target[i].is_none()
            && let Some(t) = aliases.get(&c.id)
            && let Some((id, _)) = existing.get_key_value(t)
            && claimed.insert(id)
        {
            target[i] = Some(t.clone());
        }
    }
    // Unmatched on both sides, grouped by series.
    let mut groups: HashMap<&str, (Vec<&str>, Vec<usize>)> = HashMap::new();
    for (id, old) in existing {
        let in_window = old.defined_due.is_some_and(|d| window.contains(d));
        if !claimed.contains(id.as_str())
            && in_window
            && let Some(s) = identity::series(id, old.label.as_deref())
        {
            groups.entry(s).or_default().0.push(id);
        }
    }
    for (i, c) in cps.iter().enumerate() {
        if target[i].is_none()
            && c.date.is_some()
            && let Some(s) = identity::series(&c.id, c.label.as_deref())
            && let Some(g) = groups.get_mut(s)
        {
            g.1.push(i);
        }
    }
    let mut new_aliases = Vec::new();
    for (old, new) in groups.values_mut() {
        if old.is_empty() || new.is_empty() {
            continue;
        }
        old.sort_by_key(|id| (existing[*id].defined_due, *id));
        new.sort_by_key(|&i| (cps[i].date, i));
        let od: Vec<NaiveDate> = old.iter().filter_map(|id| existing[*id].defined_due).collect();
        let nd: Vec<NaiveDate> = new.iter().filter_map(|&i| cps[i].date).collect();
        for (a, b) in identity::align(&od, &nd) {
            target[new[b]] = Some(old[a].to_owned());
            new_aliases.push((cps[new[b]].id.clone(), old[a].to_owned()));
        }
    }
    (target, new_aliases)
}

impl Store {
    /// Brings the store in line with `cps`, the schedule expanded over `window`. Rows whose
    /// due date lies outside `window` are left alone (they were synced from another window).
    pub async fn sync(&self, cps: &[Checkpoint], window: DateRange, now: DateTime<Utc>) -> Result<SyncReport, StoreError> {
        let err = |e| StoreError::db(Op::Sync, e);
        let today = now.with_timezone(&chrono_tz::Europe::Stockholm).date_naive();
        let mut tx = self.begin().await.map_err(err)?;
        if self.engine() == super::Engine::Postgres {
            // One syncer at a time when several daemons share the database.
            sqlx::query("SELECT pg_advisory_xact_lock(7262052)").execute(&mut *tx).await.map_err(err)?;
        }
        let rows = sqlx::query(
            "SELECT id, defined_due, due, state, title, owner_role, kind, school_break, label, policy, in_plan FROM checkpoints",
        )
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
                    label: r.try_get("label").map_err(err)?,
                    in_plan: r.try_get::<i64, _>("in_plan").map_err(err)? != 0,
                },
            );
        }
        drop(rows);
        let aliases: HashMap<String, String> = sqlx::query("SELECT alias, checkpoint FROM checkpoint_aliases")
            .fetch_all(&mut *tx)
            .await
            .map_err(err)?
            .iter()
            .filter_map(|r| Some((r.try_get(0).ok()?, r.try_get(1).ok()?)))
            .collect();
        let (target, new_aliases) = match_rows(cps, &existing, &aliases, window);
        // Generated id → stored id, for the parents of per-unit checkpoints.
        let renamed: HashMap<&str, &str> =
            cps.iter().zip(&target).filter_map(|(c, t)| t.as_deref().filter(|t| *t != c.id).map(|t| (c.id.as_str(), t))).collect();
        let at = ts(now);
        let mut report = SyncReport { reidentified: new_aliases.len(), ..SyncReport::default() };
        let mut new_rows: Vec<(Checkpoint, bool)> = Vec::new();
        let mut events: Vec<(String, Option<&'static str>, EventKind)> = Vec::new();
        let mut seen: HashSet<&str> = HashSet::with_capacity(cps.len());
        for (c, t) in cps.iter().zip(&target) {
            let Some(id) = t.as_deref() else {
                let mut c = c.clone();
                if let Some(p) = c.parent.as_deref().and_then(|p| renamed.get(p)) {
                    c.parent = Some((*p).to_owned());
                }
                let past = c.date.is_some_and(|d| d < today);
                if past {
                    report.past_on_arrival.push(c.id.clone());
                }
                events.push((c.id.clone(), Some("ny i definitionerna"), EventKind::Created { due: c.date }));
                new_rows.push((c, past));
                report.created += 1;
                continue;
            };
            seen.insert(id);
            let old = &existing[id];
            let mut changed = false;
            if (old.state == State::Cancelled.en() || !old.in_plan)
                && let Some(event) = self.decide_in_plan(&mut tx, id, Command::Restore, today, &at).await?
            {
                events.push((id.to_owned(), Some("tillbaka i definitionerna"), event));
                report.restored += 1;
                changed = true;
            }
            if old.defined_due != c.date {
                // The definitions moved the date: that wins over an earlier manual move. A
                // checkpoint created past due starts being reminded once its date is ahead.
                let mut state = if old.state == State::Cancelled.en() { None } else { State::parse(&old.state) };
                if matches!(state, Some(State::Overdue | State::Missed)) {
                    state = Some(State::Open);
                }
                let still_past = i64::from(c.date.is_none_or(|d| d < today));
                sqlx::query(
                    "UPDATE checkpoints SET due = $1, defined_due = $1, remind_from = $5, rescheduled = 1, state = COALESCE($2, state), \
                     added_past_due = added_past_due * $6, version = version + 1, updated_at = $3 WHERE id = $4",
                )
                .bind(date_text(c.date))
                .bind(state.map(|s| s.en().to_owned()))
                .bind(at.clone())
                .bind(id.to_owned())
                .bind(remind_from(c.date, &c.policy))
                .bind(still_past)
                .execute(&mut *tx)
                .await
                .map_err(err)?;
                let why = if id == c.id { "datumet ändrat i definitionerna" } else { "perioden ändrad i definitionerna" };
                events.push((id.to_owned(), Some(why), EventKind::Rescheduled { from: old.due, to: c.date }));
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
                    .bind(id.to_owned())
                    .bind(remind_from(if old.defined_due != c.date { c.date } else { old.due }, &c.policy))
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
        let mut gone: Vec<&String> = existing
            .iter()
            .filter(|(id, old)| {
                let in_window = old.defined_due.is_none_or(|d| window.contains(d));
                !seen.contains(id.as_str()) && in_window && old.in_plan && old.state != State::Cancelled.en()
            })
            .map(|(id, _)| id)
            .collect();
        gone.sort();
        for id in gone {
            // The state machine decides: cancelled, or kept as it stands (reported, approved,
            // waived, missed) and marked as no longer in the plan.
            let Some(event) = self.decide_in_plan(&mut tx, id, Command::Cancel, today, &at).await? else { continue };
            if event == EventKind::LeftPlan {
                report.left_plan.push(id.clone());
            } else {
                report.cancelled += 1;
            }
            events.push((id.clone(), Some("borttagen ur definitionerna"), event));
        }
        for chunk in new_rows.chunks(BATCH) {
            let rows: Vec<&Checkpoint> = chunk.iter().map(|(c, _)| c).collect();
            insert_checkpoints(self.engine(), &mut tx, &rows, &at).await?;
            let past: Vec<String> = chunk.iter().filter(|(_, p)| *p).map(|(c, _)| c.id.clone()).collect();
            if !past.is_empty() {
                let sql = format!("UPDATE checkpoints SET added_past_due = 1 WHERE id IN ({})", super::marks(self.engine(), past.len(), 0));
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for id in past {
                    q = q.bind(id);
                }
                q.execute(&mut *tx).await.map_err(err)?;
            }
        }
        for (alias, id) in &new_aliases {
            let upsert =
                "INSERT INTO checkpoint_aliases (alias, checkpoint) VALUES ($1, $2) ON CONFLICT (alias) DO UPDATE SET checkpoint = $2";
            sqlx::query(upsert).bind(alias.clone()).bind(id.clone()).execute(&mut *tx).await.map_err(err)?;
        }
        for chunk in events.chunks(BATCH) {
            insert_events(self.engine(), &mut tx, chunk, &at).await?;
        }
        tx.commit().await.map_err(err)?;
        report.left_plan.sort();
        report.past_on_arrival.sort();
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
    q.execute(&mut **tx).await.map_err(|e| StoreError::db(Op::InsertCheckpoints, e))?;
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
    q.execute(&mut **tx).await.map_err(|e| StoreError::db(Op::InsertEvents, e))?;
    Ok(())
}

impl Store {
    /// Sync's change of a row's place in the plan (`Cancel` or `Restore`), judged by the
    /// state machine on the replayed history; the row's state and `in_plan` follow the
    /// event. `None` when the state machine refuses (nothing to do).
    async fn decide_in_plan(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        id: &str,
        cmd: Command,
        today: NaiveDate,
        at: &str,
    ) -> Result<Option<EventKind>, StoreError> {
        let status = self.replay(tx, id).await?;
        let Ok((event, _)) = decide(&status, &cmd, Today { date: today, target_is_working_day: true, window: None }) else {
            return Ok(None);
        };
        let mut st = status;
        st.apply(&event);
        sqlx::query("UPDATE checkpoints SET state = $1, in_plan = $2, version = version + 1, updated_at = $3 WHERE id = $4")
            .bind(st.state.en())
            .bind(i64::from(st.in_plan))
            .bind(at.to_owned())
            .bind(id.to_owned())
            .execute(&mut **tx)
            .await
            .map_err(|e| StoreError::db(Op::Sync, e))?;
        Ok(Some(event))
    }

    /// The status of one checkpoint, replayed from its events.
    pub(super) async fn replay(&self, tx: &mut sqlx::Transaction<'_, sqlx::Any>, id: &str) -> Result<Status, StoreError> {
        let rows = sqlx::query("SELECT data FROM events WHERE checkpoint = $1 ORDER BY seq")
            .bind(id.to_owned())
            .fetch_all(&mut **tx)
            .await
            .map_err(|e| StoreError::db(Op::ReadHistory, e))?;
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
        let mut tx = self.begin().await.map_err(|e| StoreError::db(Op::Insert, e))?;
        let at = ts(Utc::now());
        let rows: Vec<&Checkpoint> = cps.iter().collect();
        for chunk in rows.chunks(BATCH) {
            insert_checkpoints(self.engine(), &mut tx, chunk, &at).await?;
        }
        tx.commit().await.map_err(|e| StoreError::db(Op::Insert, e))
    }
}
