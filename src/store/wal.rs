//! SQLite's WAL checkpoints off the commit path, for the long-running processes (`arshjul
//! run`, `arshjul serve`).
//!
//! In WAL mode a commit only appends to the `-wal` file; copying those pages back into the
//! database file (a checkpoint, with an fsync) is by default done by whichever connection
//! commits when the WAL passes 1 000 pages. That commit then waits a quarter of a second
//! while others queue behind it: the long tail of the report form's response time under
//! load (measured: p99 295 ms with it, 51 ms without). So the server's connections turn the
//! automatic checkpoint off, and one connection of its own here checkpoints in the
//! background, once a second when anything was committed since the last look
//! (`PRAGMA data_version`): `PASSIVE`, so it never waits for or blocks a reader or writer.
//! While nothing is committed it looks less and less often, down to once in
//! [`IDLE_MAX`], so an idle daemon is not woken every second; a transaction this process
//! begins meanwhile ([`Checkpointer::nudge`]) brings it back to every second at once (a
//! single statement outside a transaction is seen at the next look). The WAL stays about
//! one second of writes long; `journal_size_limit` truncates the file
//! after a large transaction (a sync) once it has been checkpointed.
//!
//! One-shot commands keep SQLite's automatic checkpoint: they commit a few times and end,
//! and the last connection to close checkpoints the rest.

use sqlx::{AnyConnection, Connection, Executor, Row};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::{Notify, watch};

/// Added to the server's SQLite connections (after [`super::dialect::SQLITE_PRAGMAS`]).
pub(super) const SERVER_PRAGMAS: &str = "PRAGMA wal_autocheckpoint = 0; PRAGMA journal_size_limit = 67108864;";

/// How often the checkpointer looks for new commits while there are some.
const EVERY: Duration = Duration::from_secs(1);

/// How seldom it looks at the least, after a quiet spell.
const IDLE_MAX: Duration = Duration::from_secs(32);

/// The wait before the next look: back to [`EVERY`] after a commit, twice the last wait
/// (at most [`IDLE_MAX`]) after none.
fn next_wait(last: Duration, committed: bool) -> Duration {
    if committed { EVERY } else { (last * 2).min(IDLE_MAX) }
}

/// The background checkpointer of one store; stopped (after a last checkpoint) by
/// [`Checkpointer::stop`], or when every handle of the store is gone.
#[derive(Debug)]
pub(super) struct Checkpointer {
    stop: watch::Sender<bool>,
    task: tokio::sync::Mutex<Option<tokio::task::JoinHandle<()>>>,
    wake: Arc<Wake>,
}

/// How a writer brings an idle checkpointer back to looking every second.
#[derive(Debug, Default)]
struct Wake {
    /// Set while the checkpointer waits longer than [`EVERY`]: only then is it woken.
    idle: AtomicBool,
    notify: Notify,
}

impl Checkpointer {
    /// Starts checkpointing the database at `url` (a file: not `:memory:`).
    pub(super) fn start(url: String) -> Checkpointer {
        let (stop, stopped) = watch::channel(false);
        let wake = Arc::new(Wake::default());
        let task = tokio::spawn(run(url, stopped, wake.clone()));
        Checkpointer { stop, task: tokio::sync::Mutex::new(Some(task)), wake }
    }

    /// A write is beginning: an idle checkpointer goes back to looking every second (one
    /// atomic read when it already does).
    pub(super) fn nudge(&self) {
        if self.wake.idle.load(Ordering::Relaxed) && self.wake.idle.swap(false, Ordering::Relaxed) {
            self.wake.notify.notify_one();
        }
    }

    /// Checkpoints what is left and ends the task.
    pub(super) async fn stop(&self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.lock().await.take() {
            let _ = task.await;
        }
    }
}

async fn run(url: String, mut stopped: watch::Receiver<bool>, wake: Arc<Wake>) {
    // Its own connection, not one of the pool's: a checkpoint must not take a connection a
    // request is waiting for. If it cannot connect, SQLite's own checkpoint on close is left.
    let Ok(mut conn) = AnyConnection::connect(&url).await else { return };
    let mut seen = data_version(&mut conn).await;
    let mut wait = EVERY;
    let mut next = tokio::time::Instant::now() + wait;
    loop {
        let stopping = tokio::select! {
            _ = tokio::time::sleep_until(next) => false,
            // A write began while idle: look again within a second.
            _ = wake.notify.notified() => {
                wait = EVERY;
                next = next.min(tokio::time::Instant::now() + EVERY);
                continue;
            }
            // A stop, or every handle gone (the sender dropped).
            _ = stopped.changed() => true,
        };
        let now = data_version(&mut conn).await;
        wait = next_wait(wait, now != seen);
        next = tokio::time::Instant::now() + wait;
        wake.idle.store(wait > EVERY, Ordering::Relaxed);
        if now != seen || stopping {
            seen = now;
            // PASSIVE: copies what no reader still needs, waits for nobody. An error (the
            // disk, a busy moment) is left for the next second.
            let _ = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").await;
        }
        if stopping {
            break;
        }
    }
    let _ = conn.close().await;
}

/// Changes whenever another connection (of any process) commits.
async fn data_version(conn: &mut AnyConnection) -> Option<i64> {
    conn.fetch_one("PRAGMA data_version").await.ok().and_then(|r| r.try_get::<i64, _>(0).ok())
}

#[cfg(test)]
mod tests {
    use super::super::Store;
    use super::{EVERY, IDLE_MAX, next_wait};
    use sqlx::Row;
    use std::time::Duration;

    #[test]
    fn an_idle_store_is_looked_at_less_and_less_often_and_a_commit_brings_it_back() {
        let mut waits = vec![EVERY];
        for _ in 0..7 {
            waits.push(next_wait(*waits.last().unwrap(), false));
        }
        let secs: Vec<u64> = waits.iter().map(Duration::as_secs).collect();
        assert_eq!(secs, [1, 2, 4, 8, 16, 32, 32, 32]);
        assert_eq!(next_wait(IDLE_MAX, true), EVERY);
        assert_eq!(next_wait(EVERY, true), EVERY);
    }

    async fn autocheckpoint(store: &Store) -> i64 {
        let row = sqlx::query("PRAGMA wal_autocheckpoint").fetch_one(store.pool()).await.unwrap();
        row.try_get::<i64, _>(0).unwrap()
    }

    #[tokio::test]
    async fn a_server_checkpoints_in_the_background_and_a_command_on_commit() {
        let dir = std::env::temp_dir().join(format!("arshjul-wal-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}", dir.join("wal.db").display());

        let server = Store::open_server(&url).await.unwrap();
        assert!(server.wal.is_some(), "a server's SQLite store has a checkpointer");
        assert_eq!(autocheckpoint(&server).await, 0, "no commit of the server's checkpoints");
        sqlx::query("CREATE TABLE t (x TEXT)").execute(server.pool()).await.unwrap();
        sqlx::query("INSERT INTO t VALUES ('a')").execute(server.pool()).await.unwrap();
        // Stops after a last checkpoint (a hang here would fail the test by its timeout).
        server.close().await;

        let command = Store::open_command(&url).await.unwrap();
        assert!(command.wal.is_none());
        assert_eq!(autocheckpoint(&command).await, 1000, "a one-shot command keeps SQLite's default");
        let n: i64 = sqlx::query("SELECT count(*) FROM t").fetch_one(command.pool()).await.unwrap().try_get(0).unwrap();
        assert_eq!(n, 1, "what the server wrote is there");
        command.close().await;

        let memory = Store::open_server("sqlite::memory:").await.unwrap();
        assert!(memory.wal.is_none(), "an in-memory database has no WAL");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
