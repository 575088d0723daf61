//! Acting on one checkpoint: load its history, let the state machine judge the command,
//! append the event and update the row — in one transaction, or not at all.

use super::chain::Head;
use super::write::{Change, write};
use super::{Op, Store, StoreError, ts};
use crate::definition::model::ReminderPolicy;
use crate::workflow::{Command, EventKind, Refusal, SYSTEM, Status, Today, decide};
use chrono::{DateTime, Utc};
use sqlx::Row;
use std::collections::HashMap;

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
                let near = self.similar_ids(id).await?;
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
            if write(self.engine(), tx, &ts(now), &[], &[change]).await? != [true] {
                return Ok(Attempt::Changed);
            }
            // The head the event made: the next action on it need not replay the history.
            if let Ok(row) =
                sqlx::query("SELECT chain_count, chain_head FROM checkpoints WHERE id = $1").bind(id.to_owned()).fetch_one(&mut **tx).await
                && let Ok(after) = head_of(&row, 0, 1)
            {
                self.statuses.put(id, after, next.clone());
            }
            Ok(Attempt::Done(Ok(Acted { event, status: next })))
        }
    }

    /// Engine transitions for many checkpoints at once (open, overdue), as the system: per
    /// chunk of ids one transaction that reads their rows and histories, lets the state
    /// machine judge each, and writes the accepted events in one statement. A row changed
    /// meanwhile (version moved) is left for the next tick. Returns how many moved.
    pub async fn act_system(&self, ids: &[String], cmd: &Command, now: DateTime<Utc>, today: Today) -> Result<usize, StoreError> {
        let err = |e| StoreError::db(Op::ActMany, e);
        let at = ts(now);
        let mut moved = 0;
        for chunk in ids.chunks(400) {
            let mut tx = self.begin().await.map_err(err)?;
            let marks = super::marks(self.engine(), chunk.len(), 0);
            let bind_all = |sql: String| {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for id in chunk {
                    q = q.bind(id.clone());
                }
                q
            };
            let rows = bind_all(format!("SELECT id, policy, chain_count, chain_head FROM checkpoints WHERE id IN ({marks})"))
                .fetch_all(&mut *tx)
                .await
                .map_err(err)?;
            let mut history: HashMap<String, Vec<EventKind>> = HashMap::with_capacity(chunk.len());
            for r in bind_all(format!("SELECT checkpoint, data FROM events WHERE checkpoint IN ({marks}) ORDER BY seq"))
                .fetch_all(&mut *tx)
                .await
                .map_err(err)?
            {
                let (Ok(id), Ok(data)) = (r.try_get::<String, _>(0), r.try_get::<String, _>(1)) else { continue };
                if let Ok(k) = serde_json::from_str(&data) {
                    history.entry(id).or_default().push(k);
                }
            }
            let mut changes = Vec::new();
            for r in &rows {
                let (Ok(id), Ok(head)) = (r.try_get::<String, _>(0), head_of(r, 2, 3)) else { continue };
                let policy = policy_of(r);
                let status = history.get(&id).and_then(Status::replay).unwrap_or_else(|| Status::new(None));
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
            // A row changed meanwhile is left for the next tick.
            let applied = write(self.engine(), &mut tx, &at, &[], &changes).await?;
            tx.commit().await.map_err(err)?;
            moved += applied.iter().filter(|a| **a).count();
        }
        Ok(moved)
    }
}

/// The row's reminder policy (its `policy` column), the sparse default when unreadable.
fn policy_of(r: &sqlx::any::AnyRow) -> ReminderPolicy {
    r.try_get::<String, _>("policy").ok().and_then(|p| serde_json::from_str(&p).ok()).unwrap_or_else(ReminderPolicy::default_sparse)
}

/// The row's chain head from its `chain_count` and `chain_head` columns.
fn head_of(r: &sqlx::any::AnyRow, count: usize, hash: usize) -> Result<Head, sqlx::Error> {
    Ok(Head::stored(r.try_get(count)?, r.try_get::<Option<String>, _>(hash)?.as_deref()))
}
