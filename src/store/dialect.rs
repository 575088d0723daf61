//! Everything that differs between SQLite and PostgreSQL, in one place: how a write
//! transaction starts and what it locks, row locks, `SKIP LOCKED`, the database's clock,
//! bind markers, JSON aggregation, the per-connection pragmas, snapshots for long reads,
//! and the settling of `seq` for the anchor. The rest of the store writes one SQL text for
//! both and asks its [`Engine`] for these pieces.

use super::Engine;
use sqlx::{Any, Transaction};

/// Set on every SQLite connection. `busy_timeout` (ms) is how long a writer waits for
/// another: long enough for a daemon's largest transaction (a sync of a large organisation).
pub(super) const SQLITE_PRAGMAS: &str =
    "PRAGMA busy_timeout = 60000; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;";

/// Work that one process at a time does when several share a PostgreSQL database (SQLite:
/// the write lock taken at `BEGIN IMMEDIATE` already serialises it).
#[derive(Clone, Copy, Debug)]
pub(super) enum Exclusive {
    Migrate,
    Sync,
    People,
}

impl Engine {
    /// The statement that begins a write transaction (`None`: the driver's plain `BEGIN`).
    /// SQLite takes the write lock at once: a deferred transaction that reads first and
    /// writes later fails with "database is locked" when another process wrote in between,
    /// and the busy timeout cannot help it.
    pub(super) fn begin_write(self) -> Option<&'static str> {
        match self {
            Engine::Sqlite => Some("BEGIN IMMEDIATE"),
            Engine::Postgres => None,
        }
    }

    /// Appended to a SELECT of rows the transaction will change (SQLite: the write lock is
    /// already held).
    pub(super) fn row_lock(self) -> &'static str {
        match self {
            Engine::Sqlite => "",
            Engine::Postgres => " FOR UPDATE",
        }
    }

    /// As [`Engine::row_lock`], skipping rows another transaction holds (the outbox claim).
    pub(super) fn row_lock_skip_locked(self) -> &'static str {
        match self {
            Engine::Sqlite => "",
            Engine::Postgres => " FOR UPDATE SKIP LOCKED",
        }
    }

    /// An SQL expression: the database's clock plus `plus_secs`, as stored instants are
    /// written (RFC 3339, UTC, seconds) — leases are judged by one clock for all daemons.
    pub(super) fn db_now(self, plus_secs: i64) -> String {
        match self {
            Engine::Sqlite => format!("strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '{plus_secs:+} seconds')"),
            Engine::Postgres => {
                format!("to_char((now() + interval '{plus_secs} seconds') AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')")
            }
        }
    }

    /// An SQL aggregate: every selected row's `columns` as one JSON array of arrays, text.
    pub(super) fn json_rows(self, columns: &str) -> String {
        match self {
            Engine::Sqlite => format!("json_group_array(json_array({columns}))"),
            Engine::Postgres => format!("json_agg(json_build_array({columns}))::text"),
        }
    }

    /// Waits for (and holds, to the end of `tx`) the right to do `what` alone.
    pub(super) async fn exclusive(self, tx: &mut Transaction<'_, Any>, what: Exclusive) -> Result<(), sqlx::Error> {
        let key = match what {
            Exclusive::Migrate => 7262051,
            Exclusive::Sync => 7262052,
            Exclusive::People => 7262053,
        };
        if self == Engine::Postgres {
            sqlx::query(sqlx::AssertSqlSafe(format!("SELECT pg_advisory_xact_lock({key})"))).execute(&mut **tx).await?;
        }
        Ok(())
    }

    /// Makes `tx` (just begun) read one snapshot throughout, without writing (SQLite: a
    /// deferred transaction in WAL mode already does).
    pub(super) async fn read_snapshot(self, tx: &mut Transaction<'_, Any>) -> Result<(), sqlx::Error> {
        if self == Engine::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute(&mut **tx).await?;
        }
        Ok(())
    }

    /// Waits until no transaction that may still append an event with a lower `seq` is in
    /// flight (PostgreSQL hands out `seq` before commit: a SHARE lock on `events` waits for
    /// every writer in flight, until the end of `tx`; SQLite has one writer, so the
    /// committed maximum is settled).
    pub(super) async fn settle_appends(self, tx: &mut Transaction<'_, Any>) -> Result<(), sqlx::Error> {
        if self == Engine::Postgres {
            sqlx::query("LOCK TABLE events IN SHARE MODE").execute(&mut **tx).await?;
        }
        Ok(())
    }
}

/// Bind markers for `n` values after `offset` earlier ones, separated by commas. The
/// statement must use this for *all* its markers, in order. SQLite gets anonymous `?`:
/// sqlx-sqlite looks each `$N` up by name with a linear scan, which makes a statement with
/// thousands of markers quadratic (a 1 M-row sync took minutes in it). PostgreSQL gets `$N`.
pub(crate) fn marks(engine: Engine, n: usize, offset: usize) -> String {
    let mut out = String::with_capacity(n * 4);
    for i in 0..n {
        if i > 0 {
            out.push(',');
        }
        match engine {
            Engine::Sqlite => out.push('?'),
            Engine::Postgres => {
                out.push('$');
                out.push_str(&(offset + i + 1).to_string());
            }
        }
    }
    out
}

/// `(…),(…)`: a multi-row VALUES list of `rows` × `cols` markers after `offset` (see [`marks`]).
pub(crate) fn value_rows(engine: Engine, rows: usize, cols: usize, offset: usize) -> String {
    let mut out = String::with_capacity(rows * (cols * 4 + 3));
    for r in 0..rows {
        if r > 0 {
            out.push(',');
        }
        out.push('(');
        out.push_str(&marks(engine, cols, offset + r * cols));
        out.push(')');
    }
    out
}
