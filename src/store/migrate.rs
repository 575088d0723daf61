//! Schema migrations, embedded in the binary, one list per engine. The applied version is
//! kept in `arshjul_meta`; a database from a newer arshjul is refused, never touched.

use super::{Engine, Op, Store, StoreError};
use sqlx::Row;

const SQLITE: &[&str] = &[
    include_str!("../../migrations/sqlite/0001_init.sql"),
    include_str!("../../migrations/sqlite/0002_outbox_repeats.sql"),
    include_str!("../../migrations/sqlite/0003_identity.sql"),
    include_str!("../../migrations/sqlite/0004_web.sql"),
    include_str!("../../migrations/sqlite/0005_overview_index.sql"),
    include_str!("../../migrations/sqlite/0006_chain.sql"),
    include_str!("../../migrations/sqlite/0007_series_index.sql"),
    include_str!("../../migrations/sqlite/0008_feed_links.sql"),
    include_str!("../../migrations/sqlite/0009_store_generation.sql"),
    include_str!("../../migrations/sqlite/0010_claim_indexes.sql"),
];
const POSTGRES: &[&str] = &[
    include_str!("../../migrations/postgres/0001_init.sql"),
    include_str!("../../migrations/postgres/0002_outbox_repeats.sql"),
    include_str!("../../migrations/postgres/0003_identity.sql"),
    include_str!("../../migrations/postgres/0004_web.sql"),
    include_str!("../../migrations/postgres/0005_overview_index.sql"),
    include_str!("../../migrations/postgres/0006_chain.sql"),
    include_str!("../../migrations/postgres/0007_series_index.sql"),
    include_str!("../../migrations/postgres/0008_feed_links.sql"),
    include_str!("../../migrations/postgres/0009_store_generation.sql"),
    include_str!("../../migrations/postgres/0010_claim_indexes.sql"),
];

/// The schema version this build writes.
pub const LATEST: i64 = 10;

/// The stored schema version; `None` when there is none yet (a new database) or it cannot
/// be read outside the migration's transaction.
async fn schema_version(store: &Store) -> Option<i64> {
    let row = sqlx::query("SELECT value FROM arshjul_meta WHERE key = 'schema_version'").fetch_optional(store.pool()).await.ok()??;
    row.try_get::<String, _>(0).ok()?.parse().ok()
}

fn newer(found: i64) -> StoreError {
    StoreError::of(
        super::ErrorKind::NewerSchema { found, known: LATEST },
        format!(
            "databasen är skapad av en nyare version av arshjul (schema {found}; den här versionen känner till {LATEST}). Uppgradera arshjul; databasen har inte ändrats."
        ),
        format!(
            "the database was created by a newer arshjul (schema {found}; this build knows {LATEST}). Upgrade arshjul; the database was not changed."
        ),
    )
}

pub async fn run(store: &Store) -> Result<(), StoreError> {
    let steps = match store.engine() {
        Engine::Sqlite => SQLITE,
        Engine::Postgres => POSTGRES,
    };
    debug_assert_eq!(steps.len() as i64, LATEST);
    // Almost every start finds the schema current: say so from one plain read, without the
    // write lock (SQLite) or the migrators' lock (PostgreSQL). Two hundred commands started
    // at once otherwise queue on that lock one by one, each holding a connection slot while
    // it waits, until the last ones time out waiting for a slot.
    if let Some(current) = schema_version(store).await
        && current >= LATEST
    {
        return if current > LATEST { Err(newer(current)) } else { Ok(()) };
    }
    let mut tx = store.begin().await.map_err(|e| StoreError::db(Op::Migrate, e))?;
    // One migrator at a time when several daemons start together (even the `IF NOT EXISTS`
    // below races on PostgreSQL without it).
    store.engine().exclusive(&mut tx, super::dialect::Exclusive::Migrate).await.map_err(|e| StoreError::db(Op::Migrate, e))?;
    sqlx::query("CREATE TABLE IF NOT EXISTS arshjul_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        .execute(&mut *tx)
        .await
        .map_err(|e| StoreError::db(Op::CreateMeta, e))?;
    let current: i64 = sqlx::query("SELECT value FROM arshjul_meta WHERE key = 'schema_version'")
        .fetch_optional(&mut *tx)
        .await
        .map_err(|e| StoreError::db(Op::ReadVersion, e))?
        .and_then(|r| r.try_get::<String, _>(0).ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    if current > LATEST {
        return Err(newer(current));
    }
    for sql in steps.iter().skip(current as usize) {
        sqlx::raw_sql(*sql).execute(&mut *tx).await.map_err(|e| StoreError::db(Op::Migrate, e))?;
    }
    // Events from before the chain are linked when the upgrade crosses the chain's schema,
    // in this transaction: a store from before verifies (it attests the history as it was at
    // the upgrade). Never later: an event without chain fields then is an inserted one.
    let chain_schema = steps.iter().position(|s| s.contains("-- arshjul:chain-backfill")).map_or(0, |i| i as i64 + 1);
    if current < chain_schema {
        super::audit::backfill(store.engine(), &mut tx).await?;
    }
    if current < LATEST {
        sqlx::query("DELETE FROM arshjul_meta WHERE key = 'schema_version'")
            .execute(&mut *tx)
            .await
            .map_err(|e| StoreError::db(Op::Migrate, e))?;
        sqlx::query("INSERT INTO arshjul_meta (key, value) VALUES ('schema_version', $1)")
            .bind(LATEST.to_string())
            .execute(&mut *tx)
            .await
            .map_err(|e| StoreError::db(Op::Migrate, e))?;
    }
    tx.commit().await.map_err(|e| StoreError::db(Op::Migrate, e))
}
