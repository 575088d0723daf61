//! Walking the whole history: `arshjul audit verify` and `audit anchor` ([`Store::verify_chain`]),
//! and linking the events of a store from before the chain (the back-fill of schema 6).
//!
//! The walk reads every event once in `seq` order into [`Walk`] (SQLite files through
//! [`super::sqlite_raw`], borrowed from the statement; PostgreSQL and in-memory SQLite
//! through sqlx), then reads the events of the few irregular chains again, in the same
//! snapshot, for [`check`] to name what is wrong.

use super::chain::{Anchor, Fields, Head, Raw, anchor, hex};
use super::sqlite_raw::{RawError, Row, Statement};
use super::verify::{Finding, Stored, check};
use super::walk::{Walk, Walked};
use super::{Engine, ErrorKind, Op, Store, StoreError, value_rows};
use futures_util::TryStreamExt;
use sqlx::sqlite::LockedSqliteHandle;
use sqlx::{Connection, Row as _};
use std::collections::{BTreeMap, HashMap};

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

/// Events per page of the SQLite walk: the handle is lent back to sqlx and the task yields
/// between pages (a page is a few milliseconds), so a walk inside `arshjul serve` does not
/// hold a runtime thread for the whole history.
const PAGE: i64 = 20_000;

/// The columns of an event as the walk reads them, in [`raw_event`]'s order.
const EVENT_COLUMNS: &str = "seq, checkpoint, at, actor, reason, kind, data, ordinal, hash";

fn raw_event<'r>(r: &Row<'r>) -> Raw<'r> {
    Raw {
        seq: r.int(0).unwrap_or(0),
        checkpoint: r.bytes(1).unwrap_or_default(),
        at: r.bytes(2).unwrap_or_default(),
        actor: r.bytes(3).unwrap_or_default(),
        reason: r.bytes(4),
        kind: r.bytes(5).unwrap_or_default(),
        data: r.bytes(6).unwrap_or_default(),
        ordinal: r.int(7),
        hash: r.bytes(8),
    }
}

fn raw_err(e: RawError) -> StoreError {
    StoreError::of(
        ErrorKind::Database(Op::Verify),
        format!("databasfel vid {}: {e}", Op::Verify.sv()),
        format!("database error while {}: {e}", Op::Verify.en()),
    )
}

/// The second pass: every event of the irregular chains, as [`check`] takes them.
struct Irregular<'w> {
    wanted: &'w BTreeMap<Box<[u8]>, Option<Head>>,
    events: HashMap<Box<[u8]>, Vec<Stored>>,
}

impl Irregular<'_> {
    fn event(&mut self, e: &Raw<'_>) {
        if !self.wanted.contains_key(e.checkpoint) {
            return;
        }
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        self.events.entry(e.checkpoint.into()).or_default().push(Stored {
            seq: e.seq,
            at: text(e.at),
            actor: text(e.actor),
            reason: e.reason.map(text),
            kind: text(e.kind),
            data: text(e.data),
            ordinal: e.ordinal,
            hash: e.hash.map(text),
        });
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
        let (cutoff, walked, mut slow) = match (self.engine(), self.direct_url()) {
            (Engine::Sqlite, Some(url)) => walk_sqlite(url, against).await?,
            (Engine::Postgres, Some(url)) => {
                let cutoff = match against {
                    Some(a) => a.seq,
                    None => self.settled_seq().await?,
                };
                let (walked, slow) = walk_postgres(url, cutoff).await?;
                (cutoff, walked, slow)
            }
            (_, None) => self.walk_any(against).await?,
        };
        let mut findings = Vec::new();
        let mut cut: Vec<(Box<[u8]>, Head)> = walked.cut;
        for (id, head) in &walked.irregular {
            let events = slow.remove(id).unwrap_or_default();
            if let Some(h) = check(&String::from_utf8_lossy(id), &events, *head, cutoff, &mut findings) {
                cut.push((id.clone(), h));
            }
        }
        // Byte order of the ids (the database's collation may differ).
        cut.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let ids: Vec<String> = cut.iter().map(|(id, _)| String::from_utf8_lossy(id).into_owned()).collect();
        let found = Anchor { seq: cutoff, hash: anchor(ids.iter().zip(&cut).map(|(id, (_, h))| (id.as_str(), h))) };
        Ok(Audit {
            events: walked.events,
            checkpoints: walked.checkpoints,
            findings,
            anchor: found,
            anchor_matches: against.map(|a| a == found),
        })
    }

    /// The walk through the store's own (`Any`) connections, for SQLite in memory (which
    /// no other connection sees): the heads in pages of 10 000 as one JSON row each, the
    /// events one row each in `seq` order.
    async fn walk_any(&self, against: Option<Anchor>) -> Result<(i64, Walked, HashMap<Box<[u8]>, Vec<Stored>>), StoreError> {
        let err = |e| StoreError::db(Op::Verify, e);
        let cutoff = match against {
            Some(a) => a.seq,
            None => self.settled_seq().await?,
        };
        let mut tx = self.pool().begin().await.map_err(err)?;
        self.engine().read_snapshot(&mut tx).await.map_err(err)?;
        let mut walk = Walk::new(cutoff);
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
            for (id, count, hash) in &page {
                walk.head(id.as_bytes(), Head::stored(*count, hash.as_deref()));
            }
        }
        scan_any(&mut tx, &mut |e| walk.event(e)).await?;
        let walked = walk.finish();
        let mut slow = Irregular { wanted: &walked.irregular, events: HashMap::new() };
        if !walked.irregular.is_empty() {
            scan_any(&mut tx, &mut |e| slow.event(e)).await?;
        }
        let slow = slow.events;
        tx.commit().await.map_err(err)?;
        Ok((cutoff, walked, slow))
    }
}

/// Every event in `seq` order to `f`, one row each through sqlx's `Any` driver.
async fn scan_any(tx: &mut sqlx::Transaction<'_, sqlx::Any>, f: &mut (dyn FnMut(&Raw<'_>) + Send)) -> Result<(), StoreError> {
    let err = |e| StoreError::db(Op::Verify, e);
    let sql = format!("SELECT {EVENT_COLUMNS} FROM events ORDER BY seq");
    let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch(&mut **tx);
    while let Some(r) = rows.try_next().await.map_err(err)? {
        f(&event_row(&r).map_err(err)?);
    }
    Ok(())
}

/// Every event in `seq` order to `f`, one row each, borrowed from the row.
async fn scan_postgres(tx: &mut sqlx::PgConnection, f: &mut (dyn FnMut(&Raw<'_>) + Send)) -> Result<(), StoreError> {
    let err = |e| StoreError::db(Op::Verify, e);
    let sql = format!("SELECT {EVENT_COLUMNS} FROM events ORDER BY seq");
    let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch(&mut *tx);
    while let Some(r) = rows.try_next().await.map_err(err)? {
        f(&event_row(&r).map_err(err)?);
    }
    Ok(())
}

/// An event from a row of [`EVENT_COLUMNS`].
fn event_row<'r, R>(r: &'r R) -> Result<Raw<'r>, sqlx::Error>
where
    R: sqlx::Row,
    usize: sqlx::ColumnIndex<R>,
    &'r str: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let text = |i: usize| r.try_get::<Option<&'r str>, _>(i).map(|t| t.map(str::as_bytes));
    Ok(Raw {
        seq: r.try_get(0)?,
        checkpoint: text(1)?.unwrap_or_default(),
        at: text(2)?.unwrap_or_default(),
        actor: text(3)?.unwrap_or_default(),
        reason: text(4)?,
        kind: text(5)?.unwrap_or_default(),
        data: text(6)?.unwrap_or_default(),
        ordinal: r.try_get(7)?,
        hash: text(8)?,
    })
}

/// The walk of a PostgreSQL database on its own connection (rows read without the `Any`
/// layer's copies), in one REPEATABLE READ snapshot.
async fn walk_postgres(url: &str, cutoff: i64) -> Result<(Walked, HashMap<Box<[u8]>, Vec<Stored>>), StoreError> {
    let err = |e| StoreError::db(Op::Verify, e);
    let mut conn = sqlx::PgConnection::connect(url).await.map_err(err)?;
    let mut tx = conn.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY").await.map_err(err)?;
    let mut walk = Walk::new(cutoff);
    {
        let mut rows = sqlx::query("SELECT id, chain_count, chain_head FROM checkpoints").fetch(&mut *tx);
        while let Some(r) = rows.try_next().await.map_err(err)? {
            let (id, count, head): (&str, i64, Option<&str>) =
                (r.try_get(0).map_err(err)?, r.try_get(1).map_err(err)?, r.try_get(2).map_err(err)?);
            walk.head(id.as_bytes(), Head::stored(count, head));
        }
    }
    scan_postgres(&mut tx, &mut |e| walk.event(e)).await?;
    let walked = walk.finish();
    let mut slow = Irregular { wanted: &walked.irregular, events: HashMap::new() };
    if !walked.irregular.is_empty() {
        scan_postgres(&mut tx, &mut |e| slow.event(e)).await?;
    }
    let slow = slow.events;
    tx.commit().await.map_err(err)?;
    conn.close().await.map_err(err)?;
    Ok((walked, slow))
}

/// The walk of a SQLite file: its own connection, one read transaction (the snapshot), the
/// rows read through SQLite's C API in pages ([`PAGE`]).
async fn walk_sqlite(url: &str, against: Option<Anchor>) -> Result<(i64, Walked, HashMap<Box<[u8]>, Vec<Stored>>), StoreError> {
    use std::str::FromStr;
    let err = |e| StoreError::db(Op::Verify, e);
    let options = sqlx::sqlite::SqliteConnectOptions::from_str(url).map_err(err)?.create_if_missing(false);
    let mut conn = sqlx::SqliteConnection::connect_with(&options).await.map_err(err)?;
    let mut tx = conn.begin().await.map_err(err)?;
    let mut walk;
    let cutoff;
    {
        let mut handle = tx.lock_handle().await.map_err(err)?;
        cutoff = match against {
            Some(a) => a.seq,
            None => {
                let mut max = Statement::prepare(&mut handle, "SELECT COALESCE(MAX(seq), 0) FROM events").map_err(raw_err)?;
                max.step().map_err(raw_err)?.and_then(|r| r.int(0)).unwrap_or(0)
            }
        };
        walk = Walk::new(cutoff);
        let mut heads = Statement::prepare(&mut handle, "SELECT id, chain_count, chain_head FROM checkpoints").map_err(raw_err)?;
        while let Some(r) = heads.step().map_err(raw_err)? {
            walk.head(r.bytes(0).unwrap_or_default(), Head::stored_bytes(r.int(1).unwrap_or(0), r.bytes(2)));
        }
    }
    scan_sqlite(&mut tx, &mut |e| walk.event(e)).await?;
    let walked = walk.finish();
    let mut slow = Irregular { wanted: &walked.irregular, events: HashMap::new() };
    if !walked.irregular.is_empty() {
        scan_sqlite(&mut tx, &mut |e| slow.event(e)).await?;
    }
    let slow = slow.events;
    tx.commit().await.map_err(err)?;
    conn.close().await.map_err(err)?;
    Ok((cutoff, walked, slow))
}

/// Every event in `seq` order, in pages, to `f`.
async fn scan_sqlite(conn: &mut sqlx::SqliteConnection, f: &mut (dyn FnMut(&Raw<'_>) + Send)) -> Result<(), StoreError> {
    let err = |e| StoreError::db(Op::Verify, e);
    let mut after = i64::MIN;
    loop {
        let mut handle = conn.lock_handle().await.map_err(err)?;
        let (n, last) = sqlite_page(&mut handle, after, f).map_err(raw_err)?;
        drop(handle);
        if n < PAGE {
            return Ok(());
        }
        after = last;
        tokio::task::yield_now().await;
    }
}

/// The events after `after` (at most [`PAGE`]) to `f`: how many, and the last `seq`.
fn sqlite_page(handle: &mut LockedSqliteHandle<'_>, after: i64, f: &mut dyn FnMut(&Raw<'_>)) -> Result<(i64, i64), RawError> {
    let mut page = Statement::prepare(handle, &format!("SELECT {EVENT_COLUMNS} FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2"))?;
    page.bind(1, after)?;
    page.bind(2, PAGE)?;
    let (mut n, mut last) = (0, after);
    while let Some(r) = page.step()? {
        let e = raw_event(&r);
        (n, last) = (n + 1, e.seq);
        f(&e);
    }
    Ok((n, last))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::verify::Problem;

    /// A store at `url` with two checkpoints of three chained events each, and their heads.
    async fn filled(url: &str) -> (Store, Vec<(&'static str, Head)>) {
        let store = Store::open(url).await.unwrap();
        let mut heads = Vec::new();
        for id in ["a", "b"] {
            let mut head = Head::EMPTY;
            for (i, kind) in ["created", "opened", "became_overdue"].into_iter().enumerate() {
                let data = format!("{{\"type\":\"{kind}\"}}");
                let at = format!("2021-05-0{}T07:30:00Z", i + 1);
                let f = Fields { checkpoint: id, ordinal: 0, at: &at, actor: "arshjul", reason: None, kind, data: &data };
                let (o, h) = head.link(f);
                sqlx::query(
                    "INSERT INTO events (checkpoint, at, actor, kind, data, ordinal, hash) VALUES ($1, $2, 'arshjul', $3, $4, $5, $6)",
                )
                .bind(id)
                .bind(at.clone())
                .bind(kind)
                .bind(data.clone())
                .bind(o)
                .bind(hex(&h))
                .execute(store.pool())
                .await
                .unwrap();
            }
            sqlx::query(
                "INSERT INTO checkpoints (id, organisation, kind, title, owner_role, state, policy, updated_at, chain_count, chain_head)
                 VALUES ($1, 'o', 'k', 't', 'rektor', 'overdue', '{}', '2021-05-03T07:30:00Z', $2, $3)",
            )
            .bind(id)
            .bind(head.count)
            .bind(hex(&head.hash))
            .execute(store.pool())
            .await
            .unwrap();
            heads.push((id, head));
        }
        (store, heads)
    }

    fn found(a: &Audit) -> Vec<(&str, Option<i64>, Problem)> {
        a.findings.iter().map(|f| (f.checkpoint.as_str(), f.ordinal, f.problem)).collect()
    }

    /// SQLite in memory has no connection but the store's own: the walk goes through sqlx's
    /// `Any` rows there, and must judge as the direct readers do (tests/it/audit_chain.rs
    /// covers those on both engines).
    #[tokio::test]
    async fn a_store_in_memory_is_walked_through_its_own_connection() {
        let (store, heads) = filled("sqlite::memory:").await;
        assert!(store.direct_url().is_none());
        let audit = store.verify_chain(None).await.unwrap();
        assert!(audit.intact(), "{:?}", audit.findings);
        assert_eq!((audit.events, audit.checkpoints), (6, 2));
        assert_eq!(audit.anchor, Anchor { seq: 6, hash: anchor(heads.iter().map(|(id, h)| (*id, h))) });

        sqlx::raw_sql("DROP TRIGGER events_no_update; UPDATE events SET data = '{}' WHERE checkpoint = 'b' AND ordinal = 2")
            .execute(store.pool())
            .await
            .unwrap();
        let tampered = store.verify_chain(None).await.unwrap();
        assert_eq!(found(&tampered), vec![("b", Some(2), Problem::Altered)]);
        assert_ne!(tampered.anchor, audit.anchor, "the anchor follows the content");
        let held = store.verify_chain(Some(audit.anchor)).await.unwrap();
        assert_eq!(held.anchor_matches, Some(false));
    }

    /// Values of another type than arshjul writes (a blob, bytes that are not UTF-8, a
    /// number, a real where an ordinal belongs) are read as stored by the SQLite walk and
    /// named, never a panic or an unreadable store.
    #[tokio::test]
    async fn values_of_another_type_are_named_by_the_sqlite_walk() {
        let dir = std::env::temp_dir().join(format!("arshjul-walk-types-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}", dir.join("t.db").display());
        let (store, _) = filled(&url).await;
        assert!(store.direct_url().is_some());
        assert!(store.verify_chain(None).await.unwrap().intact());
        sqlx::raw_sql(
            "DROP TRIGGER events_no_update;
             UPDATE events SET data = x'ff00fe' WHERE checkpoint = 'a' AND ordinal = 1;
             UPDATE events SET actor = 5 WHERE checkpoint = 'a' AND ordinal = 3;
             UPDATE events SET ordinal = 2.5 WHERE checkpoint = 'b' AND ordinal = 2;
             UPDATE events SET hash = x'00' WHERE checkpoint = 'b' AND ordinal = 3;",
        )
        .execute(store.pool())
        .await
        .unwrap();
        let audit = store.verify_chain(None).await.unwrap();
        assert_eq!(
            found(&audit),
            vec![
                ("a", Some(1), Problem::Altered),
                ("a", Some(3), Problem::Altered),
                // An unreadable hash (ordinal 3 kept) and a real ordinal: no place in the chain.
                ("b", Some(3), Problem::Inserted),
                ("b", None, Problem::Inserted),
                ("b", Some(2), Problem::Deleted),
            ],
        );
        store.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }
}
