//! The one writer of state. Every change of a checkpoint — a person's action, the engine's
//! transitions, sync's create, cancel, restore and move — is an event the state machine
//! decided ([`crate::workflow::decide`]); [`write`] appends those events to the history,
//! linked into each checkpoint's hash chain ([`super::chain`]), and brings the rows'
//! standing (the projection) in line, in the caller's transaction. Nothing else writes
//! `events` or the state columns of `checkpoints`.
//!
//! Bulk stays bulk: new rows are one multi-row INSERT per chunk, events one multi-row
//! INSERT per chunk, and the changed rows one guarded `UPDATE … FROM (VALUES …) RETURNING`
//! per chunk (`chain_count` must still be what the decision was made on, else the change is
//! not applied and the caller judges again) — the same SQL on both engines.

use super::chain::{Fields, Head};
use super::{Engine, Op, StoreError, value_rows};
use crate::schedule::Checkpoint;
use crate::workflow::{EventKind, SYSTEM, Status};
use sqlx::Row;
use std::collections::{HashMap, HashSet};

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
/// change, the chain head it left when it was applied (`None`: the row moved on since it
/// was read).
///
/// The changes of one checkpoint follow each other (each linked to the one before); they
/// become one row of one guarded UPDATE per chunk of checkpoints (the first change's
/// `chain_count` as the guard, the last change's standing as the new row), so they are
/// applied all or none — as one UPDATE each would be, since a later change is guarded by
/// the head the earlier one wrote.
pub(super) async fn write(
    engine: Engine,
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    at: &str,
    created: &[NewRow<'_>],
    changes: &[Change],
) -> Result<Vec<Option<Head>>, StoreError> {
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
    let (rows, linked) = collapse(changes, at);
    let mut applied_ids: HashSet<String> = HashSet::with_capacity(rows.len());
    for chunk in rows.chunks(UPDATE_BATCH) {
        applied_ids.extend(update_rows(engine, tx, chunk, at).await?);
    }
    let heads: Vec<Option<Head>> = changes
        .iter()
        .zip(&linked)
        .map(|(c, l)| applied_ids.contains(c.id.as_str()).then(|| Head::stored(l.ordinal, l.hash.as_deref())))
        .collect();
    // Events in the order of the changes, so each checkpoint's are stored in chain order.
    events.extend(linked.into_iter().zip(&heads).filter(|(_, h)| h.is_some()).map(|(l, _)| l));
    for chunk in events.chunks(EVENT_BATCH) {
        insert_events(engine, tx, chunk, at).await?;
    }
    Ok(heads)
}
/// The changes of one checkpoint in one call, collapsed: one row of the bulk UPDATE.
struct RowUpdate<'a> {
    id: &'a str,
    /// The `chain_count` the first change was decided on: the guard.
    guard: i64,
    /// The standing after the last change.
    next: &'a Status,
    /// The last change's `Some` (set `remind_from`), else `None` (leave it).
    remind_from: Option<Option<String>>,
    /// `false` when a change clears `added_past_due`.
    keep_past_due: bool,
    /// How many changes (`version` moves by one per change).
    steps: i64,
    /// The chain head after the last change, and its stored hash (`None` only in the
    /// benchmark's unchained baseline).
    head: Head,
    hash: Option<String>,
}

/// Links every change's event (per checkpoint, each after the one before) and folds the
/// changes of each checkpoint into one [`RowUpdate`], in order of first appearance.
fn collapse<'a>(changes: &'a [Change], at: &str) -> (Vec<RowUpdate<'a>>, Vec<Linked>) {
    let mut rows: Vec<RowUpdate<'a>> = Vec::with_capacity(changes.len());
    let mut index: HashMap<&str, usize> = HashMap::with_capacity(changes.len());
    let mut linked = Vec::with_capacity(changes.len());
    for c in changes {
        let i = *index.entry(c.id.as_str()).or_insert_with(|| {
            rows.push(RowUpdate {
                id: &c.id,
                guard: c.head.count,
                next: &c.next,
                remind_from: None,
                keep_past_due: true,
                steps: 0,
                head: c.head,
                hash: None,
            });
            rows.len() - 1
        });
        let r = &mut rows[i];
        let l = link(&mut r.head, &c.id, at, &c.actor, c.reason.as_deref(), &c.event, c.via.as_deref());
        r.next = &c.next;
        if c.remind_from.is_some() {
            r.remind_from = c.remind_from.clone();
        }
        r.keep_past_due &= !c.clear_past_due;
        r.steps += 1;
        r.hash = l.hash.clone();
        linked.push(l);
    }
    (rows, linked)
}

/// Checkpoints per bulk UPDATE ([`UPDATE_COLS`] markers each: well under both engines' limits).
const UPDATE_BATCH: usize = 400;
const UPDATE_COLS: usize = 13;

/// One guarded UPDATE for `rows` (distinct ids): a row is changed only if its `chain_count`
/// is still the guard. Returns the ids changed.
async fn update_rows(
    engine: Engine,
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    rows: &[RowUpdate<'_>],
    at: &str,
) -> Result<Vec<String>, StoreError> {
    // `v`'s names differ from the table's, so no column reference is ambiguous (SQLite's
    // RETURNING sees only the table).
    let sql = format!(
        "WITH v (cp, guard, st, du, rep, resched, inplan, set_rf, rf, keep_pd, steps, cnt, head) AS (VALUES {}) \
         UPDATE checkpoints SET state = v.st, due = v.du, report = v.rep, rescheduled = v.resched, in_plan = v.inplan, \
         remind_from = CASE WHEN v.set_rf = 1 THEN v.rf ELSE remind_from END, added_past_due = added_past_due * v.keep_pd, \
         version = version + v.steps, updated_at = {}, chain_count = v.cnt, chain_head = v.head \
         FROM v WHERE checkpoints.id = v.cp AND checkpoints.chain_count = v.guard RETURNING id",
        value_rows(engine, rows.len(), UPDATE_COLS, 0),
        super::marks(engine, 1, rows.len() * UPDATE_COLS),
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for r in rows {
        q = q
            .bind(r.id.to_owned())
            .bind(r.guard)
            .bind(r.next.state.en())
            .bind(r.next.due.map(|d| d.format("%Y-%m-%d").to_string()))
            .bind(r.next.report.as_ref().map(|x| serde_json::to_string(x).unwrap_or_default()))
            .bind(i64::from(r.next.rescheduled))
            .bind(i64::from(r.next.in_plan))
            .bind(i64::from(r.remind_from.is_some()))
            .bind(r.remind_from.clone().flatten())
            .bind(i64::from(r.keep_past_due))
            .bind(r.steps)
            .bind(r.head.count)
            .bind(r.hash.clone());
    }
    let done = q.bind(at.to_owned()).fetch_all(&mut **tx).await.map_err(|e| StoreError::db(Op::Act, e))?;
    Ok(done.iter().filter_map(|r| r.try_get::<String, _>(0).ok()).collect())
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn change(id: &str, event: EventKind, next: &Status, head: Head, remind_from: Option<Option<String>>, clear: bool) -> Change {
        Change {
            id: id.into(),
            actor: SYSTEM.into(),
            reason: None,
            via: None,
            event,
            next: next.clone(),
            head,
            remind_from,
            clear_past_due: clear,
        }
    }

    #[test]
    fn changes_of_one_checkpoint_become_one_row_linked_in_order() {
        let due = NaiveDate::from_ymd_opt(2021, 5, 14);
        let moved = NaiveDate::from_ymd_opt(2021, 6, 1);
        let mut s = Status::new(due);
        s.apply(&EventKind::Opened);
        let opened = s.clone();
        let resched = EventKind::Rescheduled { from: due, to: moved };
        s.apply(&resched);
        let at = "2021-03-01T07:30:00Z";
        let a_head = Head::stored(3, Some(&"ab".repeat(32)));
        let b_head = Head::stored(1, None);
        let changes = [
            change("a", EventKind::Opened, &opened, a_head, Some(Some("2021-04-16".into())), false),
            change("b", EventKind::Opened, &opened, b_head, None, false),
            // A later change of `a` follows from the first (its own head is not used).
            change("a", resched.clone(), &s, Head::EMPTY, None, true),
        ];
        let (rows, linked) = collapse(&changes, at);

        // The events as one UPDATE each would have linked them.
        let mut head = a_head;
        let first = link(&mut head, "a", at, SYSTEM, None, &EventKind::Opened, None);
        let second = link(&mut head, "a", at, SYSTEM, None, &resched, None);
        assert_eq!(linked.iter().map(|l| (l.checkpoint.as_str(), l.ordinal)).collect::<Vec<_>>(), [("a", 4), ("b", 2), ("a", 5)]);
        assert_eq!((&linked[0].hash, &linked[2].hash), (&first.hash, &second.hash));

        assert_eq!(rows.len(), 2);
        let a = &rows[0];
        assert_eq!((a.id, a.guard, a.steps, a.head, &a.hash), ("a", 3, 2, head, &second.hash));
        assert_eq!(a.next, &s, "the standing after the last change");
        assert_eq!(a.remind_from, Some(Some("2021-04-16".into())), "a later `None` leaves the earlier value");
        assert!(!a.keep_past_due, "cleared by one of them");
        let b = &rows[1];
        assert_eq!((b.id, b.guard, b.steps, b.head.count), ("b", 1, 1, 2));
        assert_eq!((b.remind_from.clone(), b.keep_past_due), (None, true));
    }
}
