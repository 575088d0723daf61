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
        // The heads in pages of 10 000, each page one JSON row (a row per checkpoint cost a
        // handover from the driver each).
        let mut after = String::new();
        loop {
            let agg = match self.engine() {
                Engine::Sqlite => "json_group_array(json_array(id, chain_count, chain_head) ORDER BY id)",
                Engine::Postgres => "COALESCE(json_agg(json_build_array(id, chain_count, chain_head) ORDER BY id), '[]')::text",
            };
            let sql = format!(
                "SELECT {agg} FROM (SELECT id, chain_count, chain_head FROM checkpoints WHERE id > $1 ORDER BY id LIMIT 10000) page"
            );
            let json: String = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(after.clone())
                .fetch_one(&mut *tx)
                .await
                .map_err(err)?
                .try_get(0)
                .map_err(err)?;
            let page: Vec<(String, i64, Option<String>)> = serde_json::from_str(&json).map_err(|e| {
                StoreError::new(
                    format!("kontrollpunkternas kedjor kunde inte läsas ({e})."),
                    format!("the checkpoints' chains could not be read ({e})."),
                )
            })?;
            let Some((last, _, _)) = page.last() else { break };
            after = last.clone();
            for (id, count, hash) in page {
                heads.insert(id, Head::stored(count, hash.as_deref()));
            }
        }
        let checkpoints = heads.len() as u64;
        let mut findings = Vec::new();
        let mut cut: Vec<(String, Head)> = Vec::new();
        let mut events = 0u64;
        {
            // One row per checkpoint, its events as one JSON array in `seq` order: a fifth of
            // the rows to hand over from the driver one at a time (the cost that dominated:
            // 230 k events/s with a row per event; pages of many checkpoints per row were
            // slower again, the sort of each page costing more than the handovers saved).
            let agg = match self.engine() {
                Engine::Sqlite => "json_group_array(json_array(seq, at, actor, reason, kind, data, ordinal, hash) ORDER BY seq)",
                Engine::Postgres => "json_agg(json_build_array(seq, at, actor, reason, kind, data, ordinal, hash) ORDER BY seq)::text",
            };
            let sql = format!("SELECT checkpoint, {agg} FROM events GROUP BY checkpoint ORDER BY checkpoint");
            let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch(&mut *tx);
            let mut group: Vec<Stored> = Vec::new();
            type Event = (i64, String, String, Option<String>, String, String, Option<i64>, Option<String>);
            while let Some(r) = rows.try_next().await.map_err(err)? {
                let id: String = r.try_get(0).map_err(err)?;
                let json: String = r.try_get(1).map_err(err)?;
                let list: Vec<Event> = serde_json::from_str(&json).map_err(|e| {
                    StoreError::new(
                        format!("händelserna för `{id}` kunde inte läsas ({e})."),
                        format!("the events of `{id}` could not be read ({e})."),
                    )
                })?;
                events += list.len() as u64;
                group.extend(list.into_iter().map(|(seq, at, actor, reason, kind, data, ordinal, hash)| Stored {
                    seq,
                    at,
                    actor,
                    reason,
                    kind,
                    data,
                    ordinal,
                    hash,
                }));
                let head = heads.remove(&id);
                if let Some(h) = check(&id, &group, head, cutoff, &mut findings) {
                    cut.push((id, h));
                }
                group.clear();
            }
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
