//! Walking the whole history: `arshjul audit verify` and `audit anchor` ([`Store::verify_chain`]),
//! and linking the events of a store from before the chain (the back-fill of schema 6).

use super::chain::{Anchor, Fields, Head, anchor, hex};
use super::verify::{Finding, Stored, all_gone, check};
use super::{Engine, Op, Store, StoreError, value_rows};
use futures_util::TryStreamExt;
use sqlx::Row;
use std::collections::HashMap;

/// What a walk of the whole history found.
#[derive(Clone, Debug)]
pub struct Audit {
    pub events: u64,
    pub checkpoints: u64,
    /// Every problem, by checkpoint id and place in its chain.
    pub findings: Vec<Finding>,
    /// The store's anchor as of `anchor.seq` (the one given to check against, else the
    /// last event's).
    pub anchor: Anchor,
    /// `Some(false)`: the store does not match the anchor it was checked against.
    pub anchor_matches: Option<bool>,
}

impl Audit {
    pub fn intact(&self) -> bool {
        self.findings.is_empty() && self.anchor_matches != Some(false)
    }
}

impl Store {
    /// The last event's `seq` once every transaction that may still append below it has
    /// ended ([`Engine::settle_appends`], held only for this read).
    async fn settled_seq(&self) -> Result<i64, StoreError> {
        let err = |e| StoreError::db(Op::Verify, e);
        let mut tx = self.pool().begin().await.map_err(err)?;
        self.engine().settle_appends(&mut tx).await.map_err(err)?;
        let seq: i64 =
            sqlx::query("SELECT COALESCE(MAX(seq), 0) FROM events").fetch_one(&mut *tx).await.map_err(err)?.try_get(0).map_err(err)?;
        tx.commit().await.map_err(err)?;
        Ok(seq)
    }

    /// Walks every checkpoint's chain in one consistent snapshot (appends may go on
    /// meanwhile) and names every altered, deleted, reordered or inserted event; checks the
    /// store against `against` (an exported anchor) when given.
    pub async fn verify_chain(&self, against: Option<Anchor>) -> Result<Audit, StoreError> {
        let err = |e| StoreError::db(Op::Verify, e);
        let cutoff = match against {
            Some(a) => a.seq,
            None => self.settled_seq().await?,
        };
        let mut tx = self.pool().begin().await.map_err(err)?;
        self.engine().read_snapshot(&mut tx).await.map_err(err)?;
        let mut heads: HashMap<String, Head> = HashMap::new();
        {
            let mut rows = sqlx::query("SELECT id, chain_count, chain_head FROM checkpoints").fetch(&mut *tx);
            while let Some(r) = rows.try_next().await.map_err(err)? {
                let id: String = r.try_get(0).map_err(err)?;
                let head = Head::stored(r.try_get(1).map_err(err)?, r.try_get::<Option<String>, _>(2).map_err(err)?.as_deref());
                heads.insert(id, head);
            }
        }
        let checkpoints = heads.len() as u64;
        let mut findings = Vec::new();
        let mut cut: Vec<(String, Head)> = Vec::new();
        let mut events = 0u64;
        {
            let mut rows =
                sqlx::query("SELECT checkpoint, seq, at, actor, reason, kind, data, ordinal, hash FROM events ORDER BY checkpoint, seq")
                    .fetch(&mut *tx);
            let mut current = String::new();
            let mut group: Vec<Stored> = Vec::new();
            let mut flush = |id: &str, group: &mut Vec<Stored>, findings: &mut Vec<Finding>| {
                if group.is_empty() {
                    return;
                }
                let head = heads.remove(id);
                if let Some(h) = check(id, group, head, cutoff, findings) {
                    cut.push((id.to_owned(), h));
                }
                group.clear();
            };
            while let Some(r) = rows.try_next().await.map_err(err)? {
                events += 1;
                let id: String = r.try_get(0).map_err(err)?;
                if id != current {
                    flush(&current, &mut group, &mut findings);
                    current = id;
                }
                group.push(Stored {
                    seq: r.try_get(1).map_err(err)?,
                    at: r.try_get(2).map_err(err)?,
                    actor: r.try_get(3).map_err(err)?,
                    reason: r.try_get(4).map_err(err)?,
                    kind: r.try_get(5).map_err(err)?,
                    data: r.try_get(6).map_err(err)?,
                    ordinal: r.try_get(7).map_err(err)?,
                    hash: r.try_get(8).map_err(err)?,
                });
            }
            flush(&current, &mut group, &mut findings);
        }
        tx.commit().await.map_err(err)?;
        let mut gone: Vec<(String, Head)> = heads.into_iter().filter(|(_, h)| h.count > 0).collect();
        gone.sort_by(|a, b| a.0.cmp(&b.0));
        for (id, head) in gone {
            all_gone(&id, head, &mut findings);
        }
        // Byte order of the ids (the database's collation may differ).
        cut.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let found = Anchor { seq: cutoff, hash: anchor(cut.iter().map(|(id, h)| (id.as_str(), h))) };
        Ok(Audit { events, checkpoints, findings, anchor: found, anchor_matches: against.map(|a| a == found) })
    }
}

/// Links the events of a store from before the chain (schema 6): each checkpoint's
/// events in `seq` order get their ordinals and hashes, and the rows their heads. In the
/// migration's transaction; bulk statements of a few hundred rows.
pub(super) async fn backfill(engine: Engine, tx: &mut sqlx::Transaction<'_, sqlx::Any>) -> Result<u64, StoreError> {
    const PAGE: i64 = 2000;
    const BATCH: usize = 400;
    let err = |e| StoreError::db(Op::Migrate, e);
    let mut heads: HashMap<String, Head> = HashMap::new();
    let mut after = 0i64;
    let mut linked = 0u64;
    loop {
        let rows = sqlx::query(
            "SELECT seq, checkpoint, at, actor, reason, kind, data FROM events WHERE seq > $1 AND hash IS NULL ORDER BY seq LIMIT $2",
        )
        .bind(after)
        .bind(PAGE)
        .fetch_all(&mut **tx)
        .await
        .map_err(err)?;
        let Some(last) = rows.last() else { break };
        after = last.try_get(0).map_err(err)?;
        let mut updates: Vec<(i64, i64, String)> = Vec::with_capacity(rows.len());
        for r in &rows {
            let seq: i64 = r.try_get(0).map_err(err)?;
            let checkpoint: String = r.try_get(1).map_err(err)?;
            let (at, actor, reason, kind, data): (String, String, Option<String>, String, String) = (
                r.try_get(2).map_err(err)?,
                r.try_get(3).map_err(err)?,
                r.try_get(4).map_err(err)?,
                r.try_get(5).map_err(err)?,
                r.try_get(6).map_err(err)?,
            );
            let head = heads.entry(checkpoint.clone()).or_insert(Head::EMPTY);
            let (ordinal, hash) = head.link(Fields {
                checkpoint: &checkpoint,
                ordinal: 0,
                at: &at,
                actor: &actor,
                reason: reason.as_deref(),
                kind: &kind,
                data: &data,
            });
            updates.push((seq, ordinal, hex(&hash)));
        }
        linked += updates.len() as u64;
        for chunk in updates.chunks(BATCH) {
            let sql = format!(
                "UPDATE events SET ordinal = v.o, hash = v.h FROM (SELECT column1 AS s, column2 AS o, column3 AS h FROM (VALUES {}) AS x) AS v WHERE events.seq = v.s",
                value_rows(engine, chunk.len(), 3, 0)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (seq, ordinal, hash) in chunk {
                q = q.bind(*seq).bind(*ordinal).bind(hash.clone());
            }
            q.execute(&mut **tx).await.map_err(err)?;
        }
    }
    let heads: Vec<(String, Head)> = heads.into_iter().collect();
    for chunk in heads.chunks(BATCH) {
        let sql = format!(
            "UPDATE checkpoints SET chain_count = v.c, chain_head = v.h FROM (SELECT column1 AS i, column2 AS c, column3 AS h FROM (VALUES {}) AS x) AS v WHERE checkpoints.id = v.i",
            value_rows(engine, chunk.len(), 3, 0)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (id, head) in chunk {
            q = q.bind(id.clone()).bind(head.count).bind(hex(&head.hash));
        }
        q.execute(&mut **tx).await.map_err(err)?;
    }
    Ok(linked)
}
