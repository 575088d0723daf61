//! Acting on one checkpoint: load its history, let the state machine judge the command,
//! append the event and update the row — in one transaction, or not at all.

use super::{Op, Store, StoreError, ts};
use crate::definition::model::ReminderPolicy;
use crate::workflow::{Command, EventKind, Refusal, Status, Today, decide};
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
        Err(StoreError::new(
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
            let lock = if self.engine() == super::Engine::Postgres { " FOR UPDATE" } else { "" };
            let Some(row) = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT version, policy FROM checkpoints WHERE id = $1{lock}")))
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
            let version: i64 = row.try_get(0).map_err(err)?;
            let policy: crate::definition::model::ReminderPolicy = row
                .try_get::<String, _>(1)
                .ok()
                .and_then(|p| serde_json::from_str(&p).ok())
                .unwrap_or_else(crate::definition::model::ReminderPolicy::default_sparse);
            let status = self.replay(tx, id).await?;
            let (event, reason) = match decide(&status, cmd, today) {
                Ok(x) => x,
                Err(r) => return Ok(Attempt::Done(Err(r))),
            };
            let mut next = status.clone();
            next.apply(&event);
            let report = next.report.as_ref().map(|r| serde_json::to_string(r).unwrap_or_default());
            let at = ts(now);
            let updated = sqlx::query(
                "UPDATE checkpoints SET state = $1, due = $2, report = $3, rescheduled = $4, version = version + 1, updated_at = $5, remind_from = $8, \
                 added_past_due = added_past_due * $9 WHERE id = $6 AND version = $7",
            )
            .bind(next.state.en())
            .bind(next.due.map(|d| d.format("%Y-%m-%d").to_string()))
            .bind(report)
            .bind(i64::from(next.rescheduled))
            .bind(at.clone())
            .bind(id.to_owned())
            .bind(version)
            .bind(super::sync::remind_from(next.due, &policy))
            // A checkpoint created past due is reminded again once someone moves it ahead.
            .bind(i64::from(!matches!(event, EventKind::Rescheduled { to: Some(to), .. } if to >= today.date)))
            .execute(&mut **tx)
            .await
            .map_err(err)?;
            if updated.rows_affected() == 0 {
                return Ok(Attempt::Changed);
            }
            let mut value = serde_json::to_value(&event).unwrap_or_default();
            if let (Some(v), Some(o)) = (via, value.as_object_mut()) {
                o.insert("via".into(), serde_json::Value::String(v.to_owned()));
            }
            let data = value.to_string();
            let tag = serde_json::to_value(&event)
                .ok()
                .and_then(|v| v.get("type").and_then(|t| t.as_str()).map(str::to_owned))
                .unwrap_or_default();
            sqlx::query("INSERT INTO events (checkpoint, at, actor, reason, kind, data) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(id.to_owned())
                .bind(at)
                .bind(actor.to_owned())
                .bind(reason)
                .bind(tag)
                .bind(data)
                .execute(&mut **tx)
                .await
                .map_err(err)?;
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
            let rows = bind_all(format!("SELECT id, version, policy FROM checkpoints WHERE id IN ({marks})"))
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
            let mut events = Vec::new();
            for r in &rows {
                let (Ok(id), Ok(version)) = (r.try_get::<String, _>(0), r.try_get::<i64, _>(1)) else { continue };
                let policy: ReminderPolicy = r
                    .try_get::<String, _>(2)
                    .ok()
                    .and_then(|p| serde_json::from_str(&p).ok())
                    .unwrap_or_else(ReminderPolicy::default_sparse);
                let status = history.get(&id).and_then(Status::replay).unwrap_or_else(|| Status::new(None));
                let Ok((event, _)) = decide(&status, cmd, today) else { continue };
                let mut next = status;
                next.apply(&event);
                let updated = sqlx::query(
                    "UPDATE checkpoints SET state = $1, due = $2, version = version + 1, updated_at = $3, remind_from = $4 WHERE id = $5 AND version = $6",
                )
                .bind(next.state.en())
                .bind(next.due.map(|d| d.format("%Y-%m-%d").to_string()))
                .bind(at.clone())
                .bind(super::sync::remind_from(next.due, &policy))
                .bind(id.clone())
                .bind(version)
                .execute(&mut *tx)
                .await
                .map_err(err)?;
                if updated.rows_affected() == 1 {
                    events.push((id, None, event));
                }
            }
            for part in events.chunks(100) {
                super::sync::insert_events(self.engine(), &mut tx, part, &at).await?;
            }
            tx.commit().await.map_err(err)?;
            moved += events.len();
        }
        Ok(moved)
    }
}
