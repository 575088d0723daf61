//! Acting on one checkpoint: load its history, let the state machine judge the command,
//! append the event and update the row — in one transaction, or not at all.

use super::chain::Head;
use super::write::{Change, write};
use super::{Op, Store, StoreError, ts};
use crate::definition::model::ReminderPolicy;
use crate::workflow::{Command, EventKind, Refusal, SYSTEM, State, Status, Today, decide};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row;
use std::collections::{HashMap, HashSet};

/// One try of an action in a transaction (returned once, straight to the caller: its size
/// does not matter).
#[allow(clippy::large_enum_variant)]
pub(super) enum Attempt {
    /// Judged: accepted (written, to be committed) or refused (nothing written).
    Done(Result<Acted, Refusal>),
    /// The row's version moved between reading and writing: roll back and try again.
    Changed,
}

/// The outcome of an accepted command.
#[derive(Clone, Debug, PartialEq)]
pub struct Acted {
    pub event: EventKind,
    pub status: Status,
}

impl Store {
    /// Applies `cmd` to checkpoint `id` as `actor`. A refusal (illegal transition, missing
    /// reason, unknown checkpoint) changes nothing.
    pub async fn act(
        &self,
        id: &str,
        cmd: &Command,
        actor: &str,
        now: DateTime<Utc>,
        today: Today,
    ) -> Result<Result<Acted, Refusal>, StoreError> {
        self.act_via(id, cmd, actor, None, now, today).await
    }

    /// As [`Store::act`], recording how it was entered (`via`, e.g.
    /// [`crate::workflow::VIA_CLI`] for `--as` on the command line) in the event's data.
    pub async fn act_via(
        &self,
        id: &str,
        cmd: &Command,
        actor: &str,
        via: Option<&str>,
        now: DateTime<Utc>,
        today: Today,
    ) -> Result<Result<Acted, Refusal>, StoreError> {
        if self.engine() == super::Engine::Sqlite {
            // SQLite: queued for this process's one writer, which commits what is queued
            // together (`store::group_commit`).
            return self.act_grouped(id, cmd, actor, via, now, today).await;
        }
        self.act_alone(id, cmd, actor, via, now, today).await
    }

    /// [`Store::act_via`] in a transaction of its own, retried when the row changed meanwhile.
    pub(super) async fn act_alone(
        &self,
        id: &str,
        cmd: &Command,
        actor: &str,
        via: Option<&str>,
        now: DateTime<Utc>,
        today: Today,
    ) -> Result<Result<Acted, Refusal>, StoreError> {
        let err = |e| StoreError::db(Op::Act, e);
        for _attempt in 0..5 {
            let mut tx = self.begin().await.map_err(err)?;
            match self.act_in(&mut tx, id, cmd, actor, via, now, today).await? {
                Attempt::Done(r) => {
                    tx.commit().await.map_err(err)?;
                    return Ok(r);
                }
                // Someone else changed it meanwhile: judge again on the new state.
                Attempt::Changed => tx.rollback().await.map_err(err)?,
            }
        }
        Err(StoreError::of(
            super::ErrorKind::Contended,
            format!("kontrollpunkten `{id}` ändrades samtidigt av någon annan flera gånger; försök igen."),
            format!("the checkpoint `{id}` was changed concurrently several times; try again."),
        ))
    }

    /// One try of an action inside `tx` (which the caller commits): lock and read the row,
    /// replay its events, let the state machine judge, update the row and append the event.
    /// A refusal writes nothing.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn act_in(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        id: &str,
        cmd: &Command,
        actor: &str,
        via: Option<&str>,
        now: DateTime<Utc>,
        today: Today,
    ) -> Result<Attempt, StoreError> {
        let err = |e| StoreError::db(Op::Act, e);
        {
            // The row is locked for the transaction (SQLite: `BEGIN IMMEDIATE` already holds
            // the write lock), so concurrent actions on one checkpoint queue instead of
            // failing on the version check.
            let lock = self.engine().row_lock();
            let Some(row) =
                sqlx::query(sqlx::AssertSqlSafe(format!("SELECT policy, chain_count, chain_head FROM checkpoints WHERE id = $1{lock}")))
                    .bind(id.to_owned())
                    .fetch_optional(&mut **tx)
                    .await
                    .map_err(err)?
            else {
                let near = self.similar_ids(tx, id).await?;
                let hint_sv = if near.is_empty() { String::new() } else { format!(" Menade du `{}`?", near.join("`, `")) };
                let hint_en = if near.is_empty() { String::new() } else { format!(" Did you mean `{}`?", near.join("`, `")) };
                return Ok(Attempt::Done(Err(Refusal {
                    sv: format!("okänd kontrollpunkt `{id}`.{hint_sv} Se `arshjul status` för id:n."),
                    en: format!("unknown checkpoint `{id}`.{hint_en} See `arshjul status` for the ids."),
                })));
            };
            let policy = policy_of(&row);
            let head = head_of(&row, 1, 2).map_err(err)?;
            let status = match self.statuses.get(id, &head) {
                Some(known) => known,
                None => self.replay(tx, id).await?,
            };
            let (event, reason) = match decide(&status, cmd, today) {
                Ok(x) => x,
                Err(r) => return Ok(Attempt::Done(Err(r))),
            };
            let mut next = status;
            next.apply(&event);
            let change = Change {
                id: id.to_owned(),
                actor: actor.to_owned(),
                reason,
                via: via.map(str::to_owned),
                next: next.clone(),
                head,
                remind_from: Some(super::sync::remind_from(next.due, &policy)),
                // A checkpoint created past due is reminded again once someone moves it ahead.
                clear_past_due: matches!(event, EventKind::Rescheduled { to: Some(to), .. } if to >= today.date),
                event: event.clone(),
            };
            let [Some(after)] = write(self.engine(), tx, &ts(now), &[], &[change]).await?[..] else {
                return Ok(Attempt::Changed);
            };
            // The head the event made: the next action on it need not replay the history.
            self.statuses.put(id, after, next.clone());
            Ok(Attempt::Done(Ok(Acted { event, status: next })))
        }
    }

    /// Engine transitions for many checkpoints at once (open, overdue, missed), as the
    /// system: per chunk of ids one transaction that reads their rows and histories, lets the
    /// state machine judge each, and writes the accepted events and the changed rows in one
    /// statement each ([`write`]). A row changed meanwhile (its chain head moved) is left for
    /// the next tick. Returns how many moved.
    pub async fn act_system(&self, ids: &[String], cmd: &Command, now: DateTime<Utc>, today: Today) -> Result<usize, StoreError> {
        self.act_system_on(ids, cmd, now, today, &HashSet::new()).await
    }

    /// As [`Store::act_system`], but the ids in `stale` are judged as if read before another
    /// writer appended to them (on a chain head one event short), as happens when a person
    /// acts between the tick's read and its write: the write must leave exactly those.
    /// For the tests of that guard only.
    #[doc(hidden)]
    pub async fn act_system_with_stale_reads(
        &self,
        ids: &[String],
        cmd: &Command,
        now: DateTime<Utc>,
        today: Today,
        stale: &HashSet<String>,
    ) -> Result<usize, StoreError> {
        self.act_system_on(ids, cmd, now, today, stale).await
    }

    async fn act_system_on(
        &self,
        ids: &[String],
        cmd: &Command,
        now: DateTime<Utc>,
        today: Today,
        stale: &HashSet<String>,
    ) -> Result<usize, StoreError> {
        let err = |e| StoreError::db(Op::ActMany, e);
        let at = ts(now);
        let mut moved = 0;
        for chunk in ids.chunks(SYSTEM_CHUNK) {
            // The tick queues and sends while it opens checkpoints: on SQLite its writers
            // take turns on the process's lock instead of in SQLite's sleeping busy handler.
            let _turn = self.writer_turn().await;
            // The engine's own transitions need no WAL flush: one lost in a database crash is
            // judged again by the next tick (the row still says what it was).
            let mut tx = self.begin_unflushed().await.map_err(err)?;
            let mut changes = self.judge_system(&mut tx, chunk, cmd, today).await?;
            for c in changes.iter_mut().filter(|c| stale.contains(&c.id)) {
                c.head.count -= 1;
            }
            // A row changed meanwhile is left for the next tick.
            let applied = write(self.engine(), &mut tx, &at, &[], &changes).await?;
            tx.commit().await.map_err(err)?;
            moved += applied.iter().filter(|a| a.is_some()).count();
        }
        Ok(moved)
    }

    /// Reads the rows of `chunk` in `tx` (locked) and judges `cmd` as the system on each:
    /// the accepted changes (a refusal, e.g. already open, is no change). The engine's own
    /// transitions are judged on the row's standing (the projection the one writer keeps in
    /// line with the events; they depend on the state alone), other commands — and a row
    /// whose standing cannot be read — on the replayed history.
    async fn judge_system(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        chunk: &[String],
        cmd: &Command,
        today: Today,
    ) -> Result<Vec<Change>, StoreError> {
        let err = |e| StoreError::db(Op::ActMany, e);
        let by_projection = matches!(cmd, Command::Open | Command::MarkOverdue | Command::MarkMissed { .. });
        // Locked in id order (PostgreSQL), so two daemons ticking at once queue on a chunk
        // instead of deadlocking in the UPDATE, and the judging is on what gets written.
        let lock = self.engine().row_lock();
        let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT id, policy, chain_count, chain_head, state, due, report, rescheduled, in_plan FROM checkpoints \
             WHERE id IN ({}) ORDER BY id{lock}",
            super::marks(self.engine(), chunk.len(), 0)
        )));
        for id in chunk {
            q = q.bind(id.clone());
        }
        let rows = q.fetch_all(&mut **tx).await.map_err(err)?;
        let mut judged: Vec<(String, Head, ReminderPolicy, Option<Status>)> = Vec::with_capacity(rows.len());
        for r in &rows {
            let (Ok(id), Ok(head)) = (r.try_get::<String, _>(0), head_of(r, 2, 3)) else { continue };
            judged.push((id, head, policy_of(r), if by_projection { projection_of(r) } else { None }));
        }
        let replay: Vec<&str> = judged.iter().filter(|j| j.3.is_none()).map(|j| j.0.as_str()).collect();
        let mut history = self.histories(tx, &replay).await?;
        let mut changes = Vec::with_capacity(judged.len());
        for (id, head, policy, status) in judged {
            let status =
                status.unwrap_or_else(|| history.remove(&id).as_deref().and_then(Status::replay).unwrap_or_else(|| Status::new(None)));
            let Ok((event, reason)) = decide(&status, cmd, today) else { continue };
            let mut next = status;
            next.apply(&event);
            changes.push(Change {
                remind_from: Some(super::sync::remind_from(next.due, &policy)),
                id,
                actor: SYSTEM.to_owned(),
                reason,
                via: None,
                event,
                next,
                head,
                clear_past_due: false,
            });
        }
        Ok(changes)
    }

    /// The events of `ids`, each checkpoint's in order (read along the `(checkpoint, seq)`
    /// index: ordering by `seq` alone lets PostgreSQL walk the whole table in `seq` order).
    async fn histories(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        ids: &[&str],
    ) -> Result<HashMap<String, Vec<EventKind>>, StoreError> {
        let mut history: HashMap<String, Vec<EventKind>> = HashMap::with_capacity(ids.len());
        if ids.is_empty() {
            return Ok(history);
        }
        let sql = format!(
            "SELECT checkpoint, data FROM events WHERE checkpoint IN ({}) ORDER BY checkpoint, seq",
            super::marks(self.engine(), ids.len(), 0)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in ids {
            q = q.bind((*id).to_owned());
        }
        for r in q.fetch_all(&mut **tx).await.map_err(|e| StoreError::db(Op::ActMany, e))? {
            let (Ok(id), Ok(data)) = (r.try_get::<String, _>(0), r.try_get::<String, _>(1)) else { continue };
            if let Ok(k) = serde_json::from_str(&data) {
                history.entry(id).or_default().push(k);
            }
        }
        Ok(history)
    }
}

/// The row's standing (`state`, `due`, `report`, `rescheduled`, `in_plan`); `None` when any
/// of it cannot be read (then the history decides).
fn projection_of(r: &sqlx::any::AnyRow) -> Option<Status> {
    let state = State::parse(&r.try_get::<String, _>("state").ok()?)?;
    let due = match r.try_get::<Option<String>, _>("due").ok()? {
        Some(d) => Some(NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()?),
        None => None,
    };
    let report = match r.try_get::<Option<String>, _>("report").ok()? {
        Some(x) => Some(serde_json::from_str(&x).ok()?),
        None => None,
    };
    let flag = |c: &str| r.try_get::<i64, _>(c).ok().map(|v| v != 0);
    Some(Status::projected(state, due, report, flag("rescheduled")?, flag("in_plan")?))
}

/// Checkpoints per transaction of [`Store::act_system`].
const SYSTEM_CHUNK: usize = 400;

/// The row's reminder policy (its `policy` column), the sparse default when unreadable.
fn policy_of(r: &sqlx::any::AnyRow) -> ReminderPolicy {
    r.try_get::<String, _>("policy").ok().and_then(|p| serde_json::from_str(&p).ok()).unwrap_or_else(ReminderPolicy::default_sparse)
}

/// The row's chain head from its `chain_count` and `chain_head` columns.
fn head_of(r: &sqlx::any::AnyRow, count: usize, hash: usize) -> Result<Head, sqlx::Error> {
    Ok(Head::stored(r.try_get(count)?, r.try_get::<Option<String>, _>(hash)?.as_deref()))
}
