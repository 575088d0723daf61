//! Syncing the expanded schedule into the store: idempotent and by stable id. New →
//! created; moved in the definitions → rescheduled; gone from the definitions → cancelled;
//! back again → restored. Every change is an event; nothing is deleted.

use super::chain::Head;
use super::identity;
use super::write::{Change, NewRow, write};
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
    head: Head,
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
pub(super) const BATCH: usize = 400;

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
        // One syncer at a time when several daemons share the database.
        self.engine().exclusive(&mut tx, super::dialect::Exclusive::Sync).await.map_err(err)?;
        let rows = sqlx::query(
            "SELECT id, defined_due, due, state, title, owner_role, kind, school_break, label, policy, in_plan, chain_count, chain_head FROM checkpoints",
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
                    head: Head::stored(
                        r.try_get("chain_count").map_err(err)?,
                        r.try_get::<Option<String>, _>("chain_head").map_err(err)?.as_deref(),
                    ),
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
        let today_facts = Today { date: today, target_is_working_day: true, window: None };
        let mut report = SyncReport { reidentified: new_aliases.len(), ..SyncReport::default() };
        let mut new_rows: Vec<Checkpoint> = Vec::new();
        let mut past: Vec<bool> = Vec::new();
        let mut changes: Vec<Change> = Vec::new();
        let mut seen: HashSet<&str> = HashSet::with_capacity(cps.len());
        let change = |id: &str, reason: &str, event: EventKind, next: &Status, head: Head| Change {
            id: id.to_owned(),
            actor: SYSTEM.to_owned(),
            reason: Some(reason.to_owned()),
            via: None,
            event,
            next: next.clone(),
            head,
            remind_from: None,
            clear_past_due: false,
        };
        for (c, t) in cps.iter().zip(&target) {
            let Some(id) = t.as_deref() else {
                let mut c = c.clone();
                if let Some(p) = c.parent.as_deref().and_then(|p| renamed.get(p)) {
                    c.parent = Some((*p).to_owned());
                }
                let is_past = c.date.is_some_and(|d| d < today);
                if is_past {
                    report.past_on_arrival.push(c.id.clone());
                }
                new_rows.push(c);
                past.push(is_past);
                report.created += 1;
                continue;
            };
            seen.insert(id);
            let old = &existing[id];
            let mut changed = false;
            // The row's standing, replayed once when the state machine has something to judge.
            let mut status: Option<Status> = None;
            if old.state == State::Cancelled.en() || !old.in_plan {
                let st = status.insert(self.replay(&mut tx, id).await?);
                if let Some(event) = judge(st, &Command::Restore, today_facts) {
                    changes.push(change(id, "tillbaka i definitionerna", event, st, old.head));
                    report.restored += 1;
                    changed = true;
                }
            }
            if old.defined_due != c.date {
                // The definitions moved the date: that wins over an earlier manual move
                // (`Command::Move`). A checkpoint created past due starts being reminded
                // once its date is ahead.
                sqlx::query("UPDATE checkpoints SET defined_due = $1 WHERE id = $2")
                    .bind(date_text(c.date))
                    .bind(id.to_owned())
                    .execute(&mut *tx)
                    .await
                    .map_err(err)?;
                let st = match &mut status {
                    Some(st) => st,
                    None => status.insert(self.replay(&mut tx, id).await?),
                };
                if let Some(event) = judge(st, &Command::Move { to: c.date }, today_facts) {
                    let why = if id == c.id { "datumet ändrat i definitionerna" } else { "perioden ändrad i definitionerna" };
                    let mut ch = change(id, why, event, st, old.head);
                    ch.remind_from = Some(remind_from(c.date, &c.policy));
                    ch.clear_past_due = c.date.is_some_and(|d| d >= today);
                    changes.push(ch);
                }
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
                    .bind(remind_from(status.as_ref().map_or(old.due, |s| s.due), &c.policy))
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
            let mut st = self.replay(&mut tx, id).await?;
            let Some(event) = judge(&mut st, &Command::Cancel, today_facts) else { continue };
            if event == EventKind::LeftPlan {
                report.left_plan.push(id.clone());
            } else {
                report.cancelled += 1;
            }
            changes.push(change(id, "borttagen ur definitionerna", event, &st, existing[id].head));
        }
        let created: Vec<NewRow<'_>> = new_rows.iter().zip(&past).map(|(cp, &past)| NewRow { cp, past }).collect();
        // Sync holds the sync lock and read every row in this transaction: all apply.
        write(self.engine(), &mut tx, &at, &created, &changes).await?;
        for (alias, id) in &new_aliases {
            let upsert =
                "INSERT INTO checkpoint_aliases (alias, checkpoint) VALUES ($1, $2) ON CONFLICT (alias) DO UPDATE SET checkpoint = $2";
            sqlx::query(upsert).bind(alias.clone()).bind(id.clone()).execute(&mut *tx).await.map_err(err)?;
        }
        tx.commit().await.map_err(err)?;
        report.left_plan.sort();
        report.past_on_arrival.sort();
        Ok(report)
    }
}

/// Inserts new rows, in their first standing (planned), with their chain heads when their
/// `created` events are written with them ([`super::write`]).
pub(super) async fn insert_checkpoints(
    engine: super::Engine,
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    rows: &[NewRow<'_>],
    heads: Option<&[Head]>,
    at: &str,
) -> Result<(), StoreError> {
    const COLS: usize = 21;
    let mut sql = String::from(
        "INSERT INTO checkpoints (id, organisation, plan, initiative, part, kind, title, owner_role, unit, parent, label, school_break, due, defined_due, remind_from, state, policy, updated_at, added_past_due, chain_count, chain_head) VALUES ",
    );
    sql.push_str(&super::value_rows(engine, rows.len(), COLS, 0));
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for (i, NewRow { cp: c, past }) in rows.iter().enumerate() {
        let due = date_text(c.date);
        let head = heads.and_then(|h| h.get(i)).copied().unwrap_or(Head::EMPTY);
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
            .bind(at.to_owned())
            .bind(i64::from(*past))
            .bind(head.count)
            .bind((head.count > 0).then(|| super::chain::hex(&head.hash)));
    }
    q.execute(&mut **tx).await.map_err(|e| StoreError::db(Op::InsertCheckpoints, e))?;
    Ok(())
}

/// Lets the state machine judge `cmd` on `status`; applies and returns the event, or
/// `None` when it refuses (nothing to do).
fn judge(status: &mut Status, cmd: &Command, today: Today) -> Option<EventKind> {
    let (event, _) = decide(status, cmd, today).ok()?;
    status.apply(&event);
    Some(event)
}

impl Store {
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
        let rows: Vec<NewRow<'_>> = cps.iter().map(|cp| NewRow { cp, past: false }).collect();
        for chunk in rows.chunks(BATCH) {
            insert_checkpoints(self.engine(), &mut tx, chunk, None, &at).await?;
        }
        tx.commit().await.map_err(|e| StoreError::db(Op::Insert, e))
    }
}
