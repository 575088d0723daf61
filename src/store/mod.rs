//! Stored checkpoint state on SQLite (the embedded default) or PostgreSQL, through one
//! interface. Checkpoint rows carry the current standing; the `events` table is the
//! append-only history it is derived from (triggers refuse UPDATE and DELETE on it).
//!
//! Imperative shell: every decision is made by [`crate::workflow::decide`]; this module
//! only loads, stores and keeps the two in step, one transaction per change.

mod act;
mod audit;
pub mod audit_rows;
pub mod chain;
mod dialect;
mod feeds;
mod group_commit;
pub mod identity;
mod lease;
mod migrate;
mod missed;
mod outbox;
pub mod overview;
mod people;
mod query;
mod sqlite_raw;
pub use sqlite_raw::no_memory_statistics;
mod status_cache;
mod sync;
mod synced;
pub mod verify;
mod wal;
mod walk;
mod web;
mod window;
mod write;

use crate::definition::Lang;
use crate::msg::Msg;
use sqlx::AnyPool;
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use std::fmt;
use std::sync::Arc;

pub use act::Acted;
pub use audit::Audit;
pub use audit_rows::{Known, Promised, Recorded};
pub use feeds::FeedLink;
pub use lease::ClaimCursor;
pub use missed::{Occurrence, OverdueRow};
pub use outbox::{Candidate, Claim, Claimed, MAX_REPEATS, OutboxRow};
pub use query::{Filter, Row};
pub use sync::SyncReport;
pub use web::{Purged, Session, SessionView};
#[doc(hidden)]
pub use write::UNCHAINED_FOR_BENCHMARK;

/// Which database engine a store runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    /// The engine a database URL names (`sqlite:…`, `postgres://…`, `postgresql://…`);
    /// `None` for anything else ([`Store::open`] says how to fix it).
    pub fn of_url(url: &str) -> Option<Engine> {
        if url.starts_with("sqlite:") {
            Some(Engine::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Engine::Postgres)
        } else {
            None
        }
    }
}

/// What the store was doing when the database failed (named in the message, both languages).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Migrate,
    ReadOutbox,
    ReadStatus,
    ReadHistory,
    Insert,
    Recover,
    ActMany,
    Act,
    Search,
    Sync,
    CreateMeta,
    MarkSent,
    MarkFailed,
    ReadReminded,
    ReadVersion,
    ReadReminders,
    ReadPeople,
    ReadDue,
    Enqueue,
    InsertCheckpoints,
    InsertEvents,
    ImportPeople,
    Claim,
    Release,
    Benchmark,
    Secrets,
    Sessions,
    SignIn,
    Verify,
    Feeds,
}

impl Op {
    pub fn sv(self) -> &'static str {
        match self {
            Op::Migrate => "migrering",
            Op::ReadOutbox => "läsning av utkorgen",
            Op::ReadStatus => "läsning av status",
            Op::ReadHistory => "läsning av historik",
            Op::Insert => "inläggning",
            Op::Recover => "återtagning av avbrutna utskick",
            Op::ActMany => "ändring av kontrollpunkter",
            Op::Act => "ändring av kontrollpunkt",
            Op::Search => "sökning",
            Op::Sync => "synkning",
            Op::CreateMeta => "skapande av metadatatabellen",
            Op::MarkSent => "markering som skickad",
            Op::MarkFailed => "markering av misslyckat utskick",
            Op::ReadReminded => "läsning av skickade påminnelser",
            Op::ReadVersion => "läsning av schemaversion",
            Op::ReadReminders => "läsning av påminnelser",
            Op::ReadPeople => "läsning av personer",
            Op::ReadDue => "läsning av förfallna",
            Op::Enqueue => "köläggning av e-post",
            Op::InsertCheckpoints => "inläggning av kontrollpunkter",
            Op::InsertEvents => "inläggning av händelser",
            Op::ImportPeople => "import av personer",
            Op::Claim => "hämtning ur utkorgen",
            Op::Release => "frisläppning",
            Op::Benchmark => "benchmark",
            Op::Secrets => "läsning av nyckeln för länkar",
            Op::Sessions => "hantering av inloggningar",
            Op::SignIn => "hantering av inloggningslänkar",
            Op::Verify => "granskning av historikens kedja",
            Op::Feeds => "hantering av kalenderflöden",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Op::Migrate => "migrating the schema",
            Op::ReadOutbox => "reading the outbox",
            Op::ReadStatus => "reading the status",
            Op::ReadHistory => "reading the history",
            Op::Insert => "inserting",
            Op::Recover => "taking back interrupted sends",
            Op::ActMany => "changing checkpoints",
            Op::Act => "changing a checkpoint",
            Op::Search => "searching",
            Op::Sync => "syncing",
            Op::CreateMeta => "creating the metadata table",
            Op::MarkSent => "marking emails sent",
            Op::MarkFailed => "marking a failed send",
            Op::ReadReminded => "reading sent reminders",
            Op::ReadVersion => "reading the schema version",
            Op::ReadReminders => "reading reminders",
            Op::ReadPeople => "reading the people directory",
            Op::ReadDue => "reading due checkpoints",
            Op::Enqueue => "queueing emails",
            Op::InsertCheckpoints => "inserting checkpoints",
            Op::InsertEvents => "inserting events",
            Op::ImportPeople => "importing people",
            Op::Claim => "claiming from the outbox",
            Op::Release => "releasing leases",
            Op::Benchmark => "running the benchmark",
            Op::Secrets => "reading the link key",
            Op::Sessions => "handling sessions",
            Op::SignIn => "handling sign-in links",
            Op::Verify => "verifying the history's chain",
            Op::Feeds => "handling calendar feeds",
        }
    }
}

/// What kind of failure a [`StoreError`] is, for callers that act on it (the message is
/// for people).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The database failed while the store was doing this.
    Database(Op),
    /// The database could not be reached, or its URL is not one the store knows.
    Connect,
    /// The database was written by a newer arshjul (schema `found`; this build knows `known`).
    NewerSchema {
        found: i64,
        known: i64,
    },
    /// A checkpoint was changed concurrently again and again; trying later helps.
    Contended,
    Other,
}

/// A failure of the store: its kind, what to do in Swedish and English (the caller picks
/// the language where it prints), and the database's own error when there was one.
#[derive(Debug, Clone)]
pub struct StoreError {
    pub kind: ErrorKind,
    pub msg: Msg,
    /// The cause (shared, so the error stays `Clone`).
    pub source: Option<Arc<sqlx::Error>>,
}

impl StoreError {
    pub fn new(sv: impl Into<String>, en: impl Into<String>) -> Self {
        Self::of(ErrorKind::Other, sv, en)
    }

    pub(crate) fn of(kind: ErrorKind, sv: impl Into<String>, en: impl Into<String>) -> Self {
        Self { kind, msg: Msg::new(sv, en), source: None }
    }

    pub(crate) fn db(what: Op, e: sqlx::Error) -> Self {
        let msg = Msg::new(format!("databasfel vid {}: {e}", what.sv()), format!("database error while {}: {e}", what.en()));
        Self { kind: ErrorKind::Database(what), msg, source: Some(Arc::new(e)) }
    }

    /// The message in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        self.msg.get(lang)
    }
}

/// Two errors are the same when they say the same (the cause is not comparable).
impl PartialEq for StoreError {
    fn eq(&self, other: &Self) -> bool {
        self.msg == other.msg
    }
}

impl Eq for StoreError {}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.msg.sv)
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// The checkpoint store.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    engine: Engine,
    /// SQLite: this process's single actions queue here for one writer, which commits what
    /// is queued together (`group_commit`), instead of waiting in SQLite's busy handler
    /// (which polls with sleeps of up to 100 ms). Other processes still meet the busy timeout.
    group: Arc<group_commit::Queue>,
    /// SQLite: this process's writers (the group commit's batches, the outbox's claims and
    /// marks) take turns here, in order, instead of meeting in SQLite's busy handler.
    writer: Arc<tokio::sync::Mutex<()>>,
    /// SQLite, a server's store: the background WAL checkpointer (`wal`).
    wal: Option<Arc<wal::Checkpointer>>,
    /// Standings of recently acted-on checkpoints by chain head (`status_cache`).
    statuses: Arc<status_cache::StatusCache>,
    /// The database's URL, for a typed connection of its own (`audit verify`'s walk: SQLite's
    /// C API and PostgreSQL's rows without the `Any` layer's copies); `None` in memory.
    direct: Option<Arc<str>>,
}

/// Hides a password in a database URL for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

impl Store {
    /// Opens (and creates and migrates, if needed) the database at `url`:
    /// `sqlite://arshjul.db` (created on first run), `sqlite::memory:` or `postgres://…`.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        Self::open_with(url, 8, std::time::Duration::from_secs(10), false).await
    }

    /// [`Store::open`] for a long-running server (`arshjul run`, `arshjul serve`): on SQLite
    /// the WAL is checkpointed in the background instead of by whichever commit passes the
    /// limit, so that no request waits for it (see `store::wal`).
    pub async fn open_server(url: &str) -> Result<Store, StoreError> {
        Self::open_with(url, 8, std::time::Duration::from_secs(10), true).await
    }

    /// [`Store::open`] for a one-shot command (`report`, `status`, …): one connection, and
    /// a long wait for it, so that many commands at once (a script, a class of rektorer)
    /// queue for the database's connection slots instead of failing.
    ///
    /// One, not two: the pool hands a used connection back only after a round trip (sqlx
    /// pings it on release), and a second slot lets the next query open a new connection
    /// meanwhile. With every server slot taken, that new connection is refused again and
    /// again until the wait runs out, while the command's own connection sits idle in its
    /// pool (seen as "pool timed out" with 200 reports at once on a busy server). So nothing
    /// in a command may take a second connection while it holds one.
    pub async fn open_command(url: &str) -> Result<Store, StoreError> {
        Self::open_with(url, 1, std::time::Duration::from_secs(120), false).await
    }

    async fn open_with(url: &str, max: u32, acquire: std::time::Duration, server: bool) -> Result<Store, StoreError> {
        install_default_drivers();
        let Some(engine) = Engine::of_url(url) else {
            return Err(StoreError::of(
                ErrorKind::Connect,
                format!(
                    "okänd databasadress `{}`. Ange `sqlite://arshjul.db` eller `postgres://användare@värd/databas` (DATABASE_URL).",
                    redact(url)
                ),
                format!("unknown database URL `{}`. Use `sqlite://arshjul.db` or `postgres://user@host/db` (DATABASE_URL).", redact(url)),
            ));
        };
        let url = match engine {
            Engine::Sqlite if !url.contains("memory") && !url.contains('?') => format!("{url}?mode=rwc"),
            _ => url.to_owned(),
        };
        // In-memory SQLite is per connection: keep exactly one.
        let max = if url.contains(":memory:") { 1 } else { max };
        let unreachable = |e: sqlx::Error| {
            StoreError::of(
                ErrorKind::Connect,
                format!(
                    "kan inte ansluta till databasen `{}`: {e}. Kontrollera att databasen kör och att DATABASE_URL (eller `database.url` i config/arshjul.toml) stämmer.",
                    redact(&url)
                ),
                format!("cannot connect to the database `{}`: {e}. Check that it is running and that DATABASE_URL is right.", redact(&url)),
            )
        };
        // One plain connection first: its error says why (refused, unknown database, bad
        // password), where the pool would only say that it timed out.
        if !url.contains(":memory:") {
            use sqlx::Connection;
            let mut tries = 0u32;
            loop {
                match sqlx::AnyConnection::connect(&url).await {
                    Ok(c) => {
                        c.close().await.map_err(unreachable)?;
                        break;
                    }
                    // A busy server (all connection slots taken, e.g. many CLI commands at
                    // once, or it is starting up) is waited for, up to about a minute.
                    Err(e) if is_busy(&e) && tries < acquire.as_secs() as u32 => {
                        tries += 1;
                        let jitter = u64::from(std::process::id() % 97);
                        tokio::time::sleep(std::time::Duration::from_millis((50u64 << tries.min(5)) + jitter)).await;
                    }
                    Err(e) => return Err(unreachable(e)),
                }
            }
        }
        let mut options = AnyPoolOptions::new().max_connections(max).acquire_timeout(acquire);
        let background_checkpoints = server && engine == Engine::Sqlite && !url.contains(":memory:");
        if engine == Engine::Sqlite {
            // Every connection, not once on the pool: SQLite's settings are per connection.
            // WAL lets readers go on while one writer writes; the busy timeout makes a writer
            // wait for another process's write (the CLI beside a running daemon) instead of
            // failing with "database is locked"; write transactions start with
            // `BEGIN IMMEDIATE` (see [`Store::begin`]) so they never fail on upgrading a read.
            options = options.after_connect(move |conn, _meta| {
                Box::pin(async move {
                    use sqlx::Executor;
                    conn.execute(dialect::SQLITE_PRAGMAS).await?;
                    if background_checkpoints {
                        conn.execute(wal::SERVER_PRAGMAS).await?;
                    }
                    Ok(())
                })
            });
        }
        let pool = options.connect(&url).await.map_err(unreachable)?;
        let wal = background_checkpoints.then(|| Arc::new(wal::Checkpointer::start(url.clone())));
        let direct = (!url.contains(":memory:") && !url.contains("mode=memory")).then(|| url.as_str().into());
        let store = Store { pool, engine, group: Arc::default(), writer: Arc::default(), wal, statuses: Arc::default(), direct };
        migrate::run(&store).await?;
        Ok(store)
    }

    /// On SQLite, this process's turn to write (hold it for the transaction); on PostgreSQL
    /// nothing (row locks do it).
    pub(crate) async fn writer_turn(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        match self.engine {
            Engine::Sqlite => Some(self.writer.lock().await),
            Engine::Postgres => None,
        }
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The URL for a connection of the store's own (`None`: SQLite in memory).
    pub(crate) fn direct_url(&self) -> Option<&str> {
        self.direct.as_deref()
    }

    /// Begins a write transaction. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`, waiting up to the busy timeout for another writer): a deferred
    /// transaction that reads first and writes later fails with "database is locked" when
    /// another process wrote in between, and the busy timeout cannot help it.
    pub(crate) async fn begin(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        if let Some(wal) = &self.wal {
            wal.nudge();
        }
        match self.engine.begin_write() {
            Some(begin) => self.pool.begin_with(begin).await,
            None => self.pool.begin().await,
        }
    }

    /// [`Store::begin`] for a write whose loss in a database crash is harmless (it is done
    /// again, or its row stays leased and is taken over as a recorded repeat): on PostgreSQL
    /// it commits without waiting for the WAL flush (`synchronous_commit = off`). Any later
    /// synchronous commit flushes it first. SQLite: the same as [`Store::begin`].
    pub(crate) async fn begin_unflushed(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        match self.engine {
            // One round trip: both statements in one simple query.
            Engine::Postgres => self.pool.begin_with("BEGIN; SET LOCAL synchronous_commit TO off").await,
            Engine::Sqlite => self.begin().await,
        }
    }

    /// Closes the pool (waits for connections to be returned).
    pub async fn close(&self) {
        self.pool.close().await;
        if let Some(wal) = &self.wal {
            wal.stop().await;
        }
    }
}

/// PostgreSQL says it cannot take the connection now (too many clients, starting up,
/// shutting down for a restart): worth waiting for.
fn is_busy(e: &sqlx::Error) -> bool {
    e.as_database_error().and_then(|d| d.code()).is_some_and(|c| matches!(c.as_ref(), "53300" | "57P03"))
}

pub(crate) use dialect::{marks, value_rows};

/// Formats an instant as stored: RFC 3339, UTC, seconds.
pub(crate) fn ts(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

pub(crate) fn parse_ts(s: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&chrono::Utc)).unwrap_or_default()
}

pub(crate) fn parse_date(s: Option<String>) -> Option<chrono::NaiveDate> {
    s.and_then(|s| chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_error_keeps_its_cause_and_both_languages() {
        let e = StoreError::db(Op::ReadStatus, sqlx::Error::RowNotFound);
        assert!(e.get(Lang::Sv).starts_with("databasfel vid läsning av status: "), "{}", e.get(Lang::Sv));
        assert!(e.get(Lang::En).starts_with("database error while "), "{}", e.get(Lang::En));
        let cause = std::error::Error::source(&e).expect("the sqlx error is kept");
        assert_eq!(cause.to_string(), sqlx::Error::RowNotFound.to_string());
        assert_eq!(e.kind, ErrorKind::Database(Op::ReadStatus));
        let plain = StoreError::new("fel", "error");
        assert!(std::error::Error::source(&plain).is_none());
        assert_eq!(crate::msg::Msg::from(plain).get(Lang::En), "error");
    }
}
