//! The one writer of state. Every change of a checkpoint — a person's action, the engine's
//! transitions, sync's create, cancel, restore and move — is an event the state machine
//! decided ([`crate::workflow::decide`]); [`write`] appends those events to the history,
//! linked into each checkpoint's hash chain ([`super::chain`]), and brings the rows'
//! standing (the projection) in line, in the caller's transaction. Nothing else writes
//! `events` or the state columns of `checkpoints`.
//!
//! Bulk stays bulk: new rows are one multi-row INSERT per chunk, events one multi-row
//! INSERT per chunk; each changed row is one guarded UPDATE (`chain_count` must still be
//! what the decision was made on, else the change is not applied and the caller judges again).

use super::chain::{Fields, Head};
use super::{Engine, Op, StoreError, value_rows};
use crate::schedule::Checkpoint;
use crate::workflow::{EventKind, SYSTEM, Status};
use std::collections::HashMap;

/// One decided change of an existing checkpoint.
#[derive(Clone, Debug)]
pub(super) struct Change {
    pub id: String,
    pub actor: String,
    pub reason: Option<String>,
    /// How it was entered (`"cli"` for `--as`), kept in the event's data.
    pub via: Option<String>,
    pub event: EventKind,
    /// The standing after the event (the state machine's fold).
    pub next: Status,
    /// The row's chain head the decision was made on (for the first change of this id in
    /// one call; later ones follow from it).
    pub head: Head,
    /// `Some(x)`: set `remind_from` to `x` (the due date moved or the policy is known);
    /// `None`: leave it.
    pub remind_from: Option<Option<String>>,
    /// A checkpoint created past due starts being reminded once it is moved ahead.
    pub clear_past_due: bool,
}

/// A checkpoint new in the definitions: inserted with its `created` event.
pub(super) struct NewRow<'a> {
    pub cp: &'a Checkpoint,
    /// Created already past its due date (`added_past_due`).
    pub past: bool,
}

/// Events per multi-row INSERT (8 markers each: well under both engines' limits).
const EVENT_BATCH: usize = 400;

/// An event ready to insert.
struct Linked {
    checkpoint: String,
    actor: String,
    reason: Option<String>,
    kind: String,
    data: String,
    ordinal: i64,
    /// `None` only in the benchmark's baseline ([`UNCHAINED_FOR_BENCHMARK`]).
    hash: Option<String>,
}

/// The benchmark's baseline: events written without hashing (hash and head left empty), to
/// measure what the chain costs in the same run. Never set outside `benches/chain.rs`.
#[doc(hidden)]
pub static UNCHAINED_FOR_BENCHMARK: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The event's stored JSON and its `type` tag (`via` added when given).
pub(super) fn encode(event: &EventKind, via: Option<&str>) -> (String, String) {
    let mut value = serde_json::to_value(event).unwrap_or_default();
    let tag = value.get("type").and_then(|t| t.as_str()).map(str::to_owned).unwrap_or_default();
    if let (Some(v), Some(o)) = (via, value.as_object_mut()) {
        o.insert("via".into(), serde_json::Value::String(v.to_owned()));
    }
    (value.to_string(), tag)
}

fn link(head: &mut Head, checkpoint: &str, at: &str, actor: &str, reason: Option<&str>, event: &EventKind, via: Option<&str>) -> Linked {
    let (data, kind) = encode(event, via);
    let (ordinal, hash) = if UNCHAINED_FOR_BENCHMARK.load(std::sync::atomic::Ordering::Relaxed) {
        head.count += 1;
        (head.count, None)
    } else {
        let (o, h) = head.link(Fields { checkpoint, ordinal: 0, at, actor, reason, kind: &kind, data: &data });
        (o, Some(super::chain::hex(&h)))
    };
    Linked { checkpoint: checkpoint.to_owned(), actor: actor.to_owned(), reason: reason.map(str::to_owned), kind, data, ordinal, hash }
}

/// Inserts `created` rows and applies `changes`, with their events, at `at`. Returns, per
/// change, whether it was applied (`false`: the row moved on since it was read).
pub(super) async fn write(
    engine: Engine,
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    at: &str,
    created: &[NewRow<'_>],
    changes: &[Change],
) -> Result<Vec<bool>, StoreError> {
    let mut events: Vec<Linked> = Vec::with_capacity(created.len() + changes.len());
    if !created.is_empty() {
        let mut heads = Vec::with_capacity(created.len());
        for n in created {
            let mut head = Head::EMPTY;
            let event = EventKind::Created { due: n.cp.date };
            events.push(link(&mut head, &n.cp.id, at, SYSTEM, Some("ny i definitionerna"), &event, None));
            heads.push(head);
        }
        for (rows, heads) in created.chunks(super::sync::BATCH).zip(heads.chunks(super::sync::BATCH)) {
            super::sync::insert_checkpoints(engine, tx, rows, Some(heads), at).await?;
        }
    }
    let mut applied = Vec::with_capacity(changes.len());
    // Heads moved in this call (several changes of one checkpoint follow each other);
    // `None`: an earlier change of it was not applied, so neither are the later ones.
    let mut moved: HashMap<&str, Option<Head>> = HashMap::new();
    for c in changes {
        let mut head = match moved.get(c.id.as_str()) {
            Some(Some(h)) => *h,
            Some(None) => {
                applied.push(false);
                continue;
            }
            None => c.head,
        };
        let before = head.count;
        let linked = link(&mut head, &c.id, at, &c.actor, c.reason.as_deref(), &c.event, c.via.as_deref());
        let report = c.next.report.as_ref().map(|r| serde_json::to_string(r).unwrap_or_default());
        let updated = sqlx::query(
            "UPDATE checkpoints SET state = $1, due = $2, report = $3, rescheduled = $4, in_plan = $5, \
             remind_from = CASE WHEN $6 = 1 THEN $7 ELSE remind_from END, added_past_due = added_past_due * $8, \
             version = version + 1, updated_at = $9, chain_count = $10, chain_head = $11 WHERE id = $12 AND chain_count = $13",
        )
        .bind(c.next.state.en())
        .bind(c.next.due.map(|d| d.format("%Y-%m-%d").to_string()))
        .bind(report)
        .bind(i64::from(c.next.rescheduled))
        .bind(i64::from(c.next.in_plan))
        .bind(i64::from(c.remind_from.is_some()))
        .bind(c.remind_from.clone().flatten())
        .bind(i64::from(!c.clear_past_due))
        .bind(at.to_owned())
        .bind(head.count)
        .bind(linked.hash.clone())
        .bind(c.id.clone())
        .bind(before)
        .execute(&mut **tx)
        .await
        .map_err(|e| StoreError::db(Op::Act, e))?;
        let ok = updated.rows_affected() == 1;
        moved.insert(&c.id, ok.then_some(head));
        applied.push(ok);
        if ok {
            events.push(linked);
        }
    }
    for chunk in events.chunks(EVENT_BATCH) {
        insert_events(engine, tx, chunk, at).await?;
    }
    Ok(applied)
}

async fn insert_events(engine: Engine, tx: &mut sqlx::Transaction<'_, sqlx::Any>, events: &[Linked], at: &str) -> Result<(), StoreError> {
    const COLS: usize = 8;
    let mut sql = String::from("INSERT INTO events (checkpoint, at, actor, reason, kind, data, ordinal, hash) VALUES ");
    sql.push_str(&value_rows(engine, events.len(), COLS, 0));
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for e in events {
        q = q
            .bind(e.checkpoint.clone())
            .bind(at.to_owned())
            .bind(e.actor.clone())
            .bind(e.reason.clone())
            .bind(e.kind.clone())
            .bind(e.data.clone())
            .bind(e.ordinal)
            .bind(e.hash.clone());
    }
    q.execute(&mut **tx).await.map_err(|e| StoreError::db(Op::InsertEvents, e))?;
    Ok(())
}
