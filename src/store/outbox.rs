//! The outbox: one digest email per person per day, with a ledger that makes each
//! (checkpoint, step, recipient) reminder happen at most once. Rows are claimed with a lease
//! judged by the database's clock (replicas' clocks may differ); PostgreSQL claims with
//! `FOR UPDATE SKIP LOCKED` so several daemons share the work without sending twice.

use super::{Engine, Op, Store, StoreError, parse_date, parse_ts, ts};
use crate::definition::model::ReminderPolicy;
use crate::remind::Digest;
use crate::workflow::State;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::Row;
use std::collections::HashSet;

/// A pending checkpoint whose reminder window has started.
#[derive(Clone, Debug)]
pub struct Candidate {
    pub id: String,
    pub organisation: String,
    pub plan: Option<String>,
    pub initiative: Option<String>,
    pub title: String,
    pub owner_role: String,
    pub unit: Option<String>,
    pub due: NaiveDate,
    pub state: State,
    pub school_break: Option<String>,
    pub policy: ReminderPolicy,
}

/// A claimed outbox row, ready to send.
#[derive(Clone, Debug)]
pub struct Claimed {
    pub key: String,
    pub message_id: String,
    pub digest: Digest,
    /// 1 on the first try; more after transient failures or an interrupted try.
    pub attempts: i64,
    /// An earlier try was cut off mid-send (its lease ran out or was given back after a
    /// crash): this send may repeat it. Counted in the row's `repeats`.
    pub repeat: bool,
    /// When this process claimed it (its monotonic clock): a row that waited half its
    /// lease for a free connection is given back unsent (see `engine::dispatch`).
    pub claimed_at: std::time::Instant,
}

/// What a claim took: the rows to send, and how many it failed at once instead (their
/// payload could not be read, or they were cut off mid-send [`MAX_REPEATS`] times).
#[derive(Clone, Debug, Default)]
pub struct Claim {
    pub ready: Vec<Claimed>,
    pub poisoned: usize,
}

/// Times a row may be taken over from an interrupted try before it is failed: a message
/// that brings the process down each time it is sent must not stop every other email.
pub const MAX_REPEATS: i64 = 3;

/// An outbox row as shown to operators.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OutboxRow {
    pub key: String,
    pub recipient: String,
    pub day: NaiveDate,
    pub status: String,
    pub attempts: i64,
    pub message_id: String,
    pub last_error: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    /// Sends repeated after an interrupted try (may have reached the recipient twice).
    pub repeats: i64,
    /// Who holds the row while it is being sent.
    pub lease_owner: Option<String>,
}

/// The columns [`outbox_row`] reads, in order.
pub(super) const OUTBOX_COLUMNS: &str = "key, recipient, day, status, attempts, message_id, last_error, sent_at, repeats, lease_owner";

/// An outbox row from a SELECT of [`OUTBOX_COLUMNS`]; `None` when it cannot be read.
pub(super) fn outbox_row(r: &sqlx::any::AnyRow) -> Option<OutboxRow> {
    Some(OutboxRow {
        key: r.try_get(0).ok()?,
        recipient: r.try_get(1).ok()?,
        day: parse_date(r.try_get(2).ok()?)?,
        status: r.try_get(3).ok()?,
        attempts: r.try_get(4).ok()?,
        message_id: r.try_get(5).ok()?,
        last_error: r.try_get(6).ok()?,
        sent_at: r.try_get::<Option<String>, _>(7).ok()?.map(|s| parse_ts(&s)),
        repeats: r.try_get(8).ok()?,
        lease_owner: r.try_get(9).ok()?,
    })
}

/// The columns [`candidate_from`] reads.
pub(super) const CANDIDATE_COLUMNS: &str = "id, organisation, plan, initiative, title, owner_role, unit, due, state, school_break, policy";

/// Reminder policies by their stored text, each parsed once: a morning's 100 000
/// checkpoints share the few policies of their wheels.
#[derive(Default)]
pub(super) struct Policies(std::collections::HashMap<String, ReminderPolicy>);

impl Policies {
    fn parse(&mut self, text: String) -> Option<ReminderPolicy> {
        if let Some(p) = self.0.get(&text) {
            return Some(p.clone());
        }
        let p: ReminderPolicy = serde_json::from_str(&text).ok()?;
        self.0.insert(text, p.clone());
        Some(p)
    }
}

/// A [`Candidate`] from a SELECT of [`CANDIDATE_COLUMNS`] (read by position, in that
/// order); `None` when it cannot be read.
pub(super) fn candidate_from(r: &sqlx::any::AnyRow, policies: &mut Policies) -> Option<Candidate> {
    let g = |i: usize| r.try_get::<Option<String>, _>(i).ok().flatten();
    Some(Candidate {
        id: g(0)?,
        organisation: g(1)?,
        plan: g(2),
        initiative: g(3),
        title: g(4)?,
        owner_role: g(5)?,
        unit: g(6),
        due: parse_date(g(7))?,
        state: State::parse(&g(8)?)?,
        school_break: g(9),
        policy: policies.parse(g(10)?)?,
    })
}

/// Every readable [`Candidate`] of `rows`.
pub(super) fn candidates(rows: &[sqlx::any::AnyRow]) -> Vec<Candidate> {
    let mut policies = Policies::default();
    rows.iter().filter_map(|r| candidate_from(r, &mut policies)).collect()
}

/// The outbox key: one email per person and day.
fn outbox_key(d: &Digest) -> String {
    format!("{}|{}", d.to.email, d.day)
}

/// A digest to queue, with what its row is ordered, keyed and sent by, each worked out once.
struct Queued<'a> {
    /// Its send time as stored.
    send_at: String,
    key: String,
    message_id: String,
    digest: &'a Digest,
}

impl<'a> Queued<'a> {
    fn new(digest: &'a Digest, domain: &str) -> Self {
        Queued { send_at: ts(digest.send_at), key: outbox_key(digest), message_id: digest.message_id(domain), digest }
    }
}

/// Who a chunk is queued for: pending for any daemon to claim, or already leased to the
/// daemon queueing it (which sends it at once, see `engine::dispatch`).
#[derive(Clone, Copy, Debug)]
enum QueueAs<'a> {
    Pending,
    /// Leased to `owner` for `lease_secs` by the database's clock, its first attempt
    /// counted: a claim in the same statement as the insert.
    Leased {
        owner: &'a str,
        lease_secs: i64,
    },
}

/// One multi-row INSERT of `chunk` into the outbox, leaving out a person's digest for a day
/// that is already there; `returning` reads back the keys inserted.
fn outbox_insert<'q>(
    engine: Engine,
    chunk: &'q [Queued<'q>],
    queue_as: QueueAs<'q>,
    returning: bool,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    let (columns, width) = match queue_as {
        QueueAs::Pending => ("", 7),
        QueueAs::Leased { .. } => (", lease_owner, lease_until, claimed_from", 8),
    };
    let rows: Vec<String> = (0..chunk.len())
        .map(|i| {
            let values = super::marks(engine, 7, i * width);
            match queue_as {
                QueueAs::Pending => format!("({values},'pending',0)"),
                // The owner is bound once per row: SQLite's markers are anonymous (see `marks`).
                QueueAs::Leased { lease_secs, .. } => {
                    format!("({values},'sending',1,{},{},'pending')", super::marks(engine, 1, i * width + 7), engine.db_now(lease_secs))
                }
            }
        })
        .collect();
    let sql = format!(
        "INSERT INTO outbox (key, recipient, day, send_at, message_id, payload, next_attempt_at, status, attempts{columns}) \
         VALUES {} ON CONFLICT (key) DO NOTHING{}",
        rows.join(","),
        if returning { " RETURNING key" } else { "" }
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for r in chunk {
        let d = r.digest;
        q = q
            .bind(r.key.as_str())
            .bind(d.to.email.as_str())
            .bind(d.day.format("%Y-%m-%d").to_string())
            .bind(r.send_at.as_str())
            .bind(r.message_id.as_str())
            .bind(serde_json::to_string(d).unwrap_or_default())
            .bind(r.send_at.as_str());
        if let QueueAs::Leased { owner, .. } = queue_as {
            q = q.bind(owner);
        }
    }
    q
}

impl Store {
    /// Pending checkpoints whose first reminder day has come by `day`, except those a sync
    /// created already past due (not mailed as long overdue). Uses the (state, remind_from)
    /// index: the cost follows what is due, not what is stored.
    pub async fn reminder_candidates(&self, day: NaiveDate) -> Result<Vec<Candidate>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, organisation, plan, initiative, title, owner_role, unit, due, state, school_break, policy FROM checkpoints \
             WHERE state IN ('planned', 'open', 'overdue') AND remind_from <= $1 AND added_past_due = 0 ORDER BY due, id",
        )
        .bind(day.format("%Y-%m-%d").to_string())
        .fetch_all(self.pool())
        .await
        .map_err(|e| StoreError::db(Op::ReadReminders, e))?;
        Ok(candidates(&rows))
    }

    /// Pending checkpoints due before `day`: to be marked overdue (in id order).
    pub async fn overdue_ids(&self, day: NaiveDate) -> Result<Vec<String>, StoreError> {
        self.ids_on("SELECT id FROM checkpoints WHERE state IN ('planned', 'open') AND due < $1 ORDER BY id", day).await
    }

    /// Planned checkpoints whose reminder window has started by `day` (and not yet due
    /// past): to be opened (in id order).
    pub async fn ids_to_open(&self, day: NaiveDate) -> Result<Vec<String>, StoreError> {
        self.ids_on("SELECT id FROM checkpoints WHERE state = 'planned' AND remind_from <= $1 AND due >= $1 ORDER BY id", day).await
    }

    async fn ids_on(&self, sql: &'static str, day: NaiveDate) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(sql)
            .bind(day.format("%Y-%m-%d").to_string())
            .fetch_all(self.pool())
            .await
            .map_err(|e| StoreError::db(Op::ReadDue, e))?;
        Ok(rows.iter().filter_map(|r| r.try_get::<String, _>(0).ok()).collect())
    }

    /// Which of `keys` (checkpoint, step, recipient) have already been reminded.
    pub async fn reminded(&self, checkpoints: &[String]) -> Result<HashSet<(String, String, String)>, StoreError> {
        let mut out = HashSet::new();
        for chunk in checkpoints.chunks(500) {
            let sql = format!(
                "SELECT checkpoint, step, recipient FROM reminders WHERE checkpoint IN ({})",
                super::marks(self.engine(), chunk.len(), 0)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for c in chunk {
                q = q.bind(c.clone());
            }
            for r in q.fetch_all(self.pool()).await.map_err(|e| StoreError::db(Op::ReadReminded, e))? {
                out.insert((r.try_get(0).unwrap_or_default(), r.try_get(1).unwrap_or_default(), r.try_get(2).unwrap_or_default()));
            }
        }
        Ok(out)
    }

    /// Queues each digest (one row per person and day) with its ledger rows, a chunk of
    /// digests per transaction. A person who already has a digest for the day keeps it
    /// (another daemon may have queued it first); their new items wait for the next day (at
    /// most one email per person per day). Returns how many were queued.
    pub async fn enqueue(&self, digests: &[Digest], domain: &str) -> Result<usize, StoreError> {
        self.enqueue_with(digests, domain, |_| ()).await
    }

    /// As [`Store::enqueue`], calling `committed` with the running count after each chunk's
    /// commit. The digests are queued pending, for any daemon to claim, in the order a claim
    /// reads them (`(send_at, key)`, see [`Store::claim_pending`]). (The daemon's morning
    /// tick queues its own digests leased instead: [`Store::enqueue_leased`].)
    ///
    /// On PostgreSQL each chunk commits without waiting for the WAL flush: a chunk lost in a
    /// database crash is neither queued nor in the ledger, so the next tick plans it again;
    /// and a claim of its rows (which commits synchronously, flushing the WAL before it)
    /// cannot be on disk without it.
    pub async fn enqueue_with(&self, digests: &[Digest], domain: &str, mut committed: impl FnMut(usize)) -> Result<usize, StoreError> {
        let mut order: Vec<Queued<'_>> = digests.iter().map(|d| Queued::new(d, domain)).collect();
        order.sort_unstable_by(|a, b| (&a.send_at, &a.key).cmp(&(&b.send_at, &b.key)));
        let mut queued = 0;
        for chunk in order.chunks(200) {
            queued += self.queue_chunk(chunk, QueueAs::Pending).await?.into_iter().filter(|q| *q).count();
            committed(queued);
        }
        Ok(queued)
    }

    /// Queues `digests` in one transaction, leased to `owner` (see [`QueueAs::Leased`]):
    /// the engine's claim of what it has just planned, without reading it back. Returns
    /// the claimed rows, ready to send; a person who already has the day's digest (another
    /// daemon queued it first) keeps it and is left out.
    ///
    /// Commits synchronously, as a claim does: the lease must be on disk before the mail
    /// goes out, or a database crash could forget a sent mail.
    pub async fn enqueue_leased(
        &self,
        digests: Vec<Digest>,
        domain: &str,
        owner: &str,
        lease_secs: i64,
    ) -> Result<Vec<Claimed>, StoreError> {
        let order: Vec<Queued<'_>> = digests.iter().map(|d| Queued::new(d, domain)).collect();
        let ours = self.queue_chunk(&order, QueueAs::Leased { owner, lease_secs }).await?;
        let ids: Vec<(String, String)> = order.into_iter().map(|q| (q.key, q.message_id)).collect();
        let claimed_at = std::time::Instant::now();
        Ok(digests
            .into_iter()
            .zip(ids)
            .zip(ours)
            .filter(|(_, ours)| *ours)
            .map(|((digest, (key, message_id)), _)| Claimed { key, message_id, digest, attempts: 1, repeat: false, claimed_at })
            .collect())
    }

    /// One chunk and its ledger rows in one transaction; returns, position by position,
    /// whether this call queued it. Of two digests with one key (one person and day;
    /// planning makes none) only the first can be.
    async fn queue_chunk(&self, chunk: &[Queued<'_>], queue_as: QueueAs<'_>) -> Result<Vec<bool>, StoreError> {
        let err = |e| StoreError::db(Op::Enqueue, e);
        let begin = || async {
            match queue_as {
                QueueAs::Pending => self.begin_unflushed().await,
                QueueAs::Leased { .. } => self.begin().await,
            }
        };
        let _turn = self.writer_turn().await;
        let mut tx = begin().await.map_err(err)?;
        let n = outbox_insert(self.engine(), chunk, queue_as, false).execute(&mut *tx).await.map_err(err)?.rows_affected();
        let ours: Vec<bool> = if usize::try_from(n).is_ok_and(|n| n == chunk.len()) {
            vec![true; chunk.len()]
        } else {
            // Some of these people already have the day's digest (another daemon queued
            // it first): the chunk again, reading back which rows are this one's. Only
            // then: a row read back per digest costs a hand-off each on SQLite.
            tx.rollback().await.map_err(err)?;
            tx = begin().await.map_err(err)?;
            let rows = outbox_insert(self.engine(), chunk, queue_as, true).fetch_all(&mut *tx).await.map_err(err)?;
            let mut keys: HashSet<String> = rows.iter().filter_map(|r| r.try_get::<String, _>(0).ok()).collect();
            chunk.iter().map(|q| keys.remove(&q.key)).collect()
        };
        // The ledger: (checkpoint, step, recipient) once. Planning left out what was
        // reminded before, so a clash here can only be a concurrent daemon's, whose
        // digest for the same person and day won above.
        let ledger: Vec<(&str, String, &str, &str)> = chunk
            .iter()
            .zip(&ours)
            .filter(|(_, ours)| **ours)
            .flat_map(|(q, _)| {
                let d = q.digest;
                d.items.iter().map(move |i| (i.checkpoint.as_str(), i.step.key(), d.to.email.as_str(), q.key.as_str()))
            })
            .collect();
        for part in ledger.chunks(500) {
            let sql = format!(
                "INSERT INTO reminders (checkpoint, step, recipient, outbox_key) VALUES {} ON CONFLICT DO NOTHING",
                super::value_rows(self.engine(), part.len(), 4, 0)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (c, step, to, key) in part {
                q = q.bind(*c).bind(step.as_str()).bind(*to).bind(*key);
            }
            q.execute(&mut *tx).await.map_err(err)?;
        }
        tx.commit().await.map_err(err)?;
        Ok(ours)
    }

    /// The earliest time a pending row is to be (re)tried, for the daemon's sleep.
    pub async fn next_attempt(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let row = sqlx::query("SELECT MIN(next_attempt_at) FROM outbox WHERE status = 'pending'")
            .fetch_one(self.pool())
            .await
            .map_err(|e| StoreError::db(Op::ReadOutbox, e))?;
        Ok(row.try_get::<Option<String>, _>(0).ok().flatten().map(|s| parse_ts(&s)))
    }

    /// At start under a fixed instance name: this owner's rows still marked as being sent
    /// were cut off by a crash. Their leases are ended at once so they are taken up again
    /// now (as repeats, recorded) instead of when the lease runs out. Returns how many.
    pub async fn recover(&self, owner: &str) -> Result<u64, StoreError> {
        let r = sqlx::query("UPDATE outbox SET lease_until = '1970-01-01T00:00:00Z' WHERE lease_owner = $1 AND status = 'sending'")
            .bind(owner.to_owned())
            .execute(self.pool())
            .await
            .map_err(|e| StoreError::db(Op::Recover, e))?;
        Ok(r.rows_affected())
    }

    /// Gives back rows leased by `owner` that were never handed to SMTP (they waited half
    /// their lease for a connection): pending again, due at once, the attempt not counted.
    /// Returns how many it gave back.
    pub async fn release_unsent(&self, owner: &str, keys: &[String]) -> Result<u64, StoreError> {
        let mut released = 0;
        let _turn = self.writer_turn().await;
        for chunk in keys.chunks(500) {
            let sql = format!(
                "UPDATE outbox SET status = 'pending', lease_owner = NULL, lease_until = NULL, attempts = attempts - 1 \
                 WHERE key IN ({}) AND lease_owner = {} AND status = 'sending'",
                super::marks(self.engine(), chunk.len(), 0),
                super::marks(self.engine(), 1, chunk.len()),
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for k in chunk {
                q = q.bind(k.clone());
            }
            released += q.bind(owner.to_owned()).execute(self.pool()).await.map_err(|e| StoreError::db(Op::Release, e))?.rows_affected();
        }
        Ok(released)
    }

    /// Releases rows leased by `owner` that were not sent (graceful shutdown), except
    /// `in_doubt`: rows handed to SMTP whose outcome could not be recorded. Those stay
    /// leased, so the claim that takes them over counts the possible repeat.
    pub async fn release(&self, owner: &str, in_doubt: &[String]) -> Result<(), StoreError> {
        let keep = if in_doubt.is_empty() {
            String::new()
        } else {
            format!(" AND key NOT IN ({})", super::marks(self.engine(), in_doubt.len(), 1))
        };
        let sql = format!(
            "UPDATE outbox SET status = 'pending', lease_owner = NULL, lease_until = NULL, attempts = attempts - 1 WHERE lease_owner = {} AND status = 'sending'{keep}",
            super::marks(self.engine(), 1, 0)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(owner.to_owned());
        for k in in_doubt {
            q = q.bind(k.clone());
        }
        q.execute(self.pool()).await.map_err(|e| StoreError::db(Op::Release, e))?;
        Ok(())
    }

    /// Every outbox row, newest day first.
    pub async fn outbox(&self) -> Result<Vec<OutboxRow>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {OUTBOX_COLUMNS} FROM outbox ORDER BY day DESC, key")))
            .fetch_all(self.pool())
            .await
            .map_err(|e| StoreError::db(Op::ReadOutbox, e))?;
        Ok(rows.iter().filter_map(outbox_row).collect())
    }

    /// The benchmark's second round: every sent row back to pending, to time dispatch alone.
    #[doc(hidden)]
    pub async fn requeue_sent_for_benchmark(&self) -> Result<u64, StoreError> {
        let r = sqlx::query("UPDATE outbox SET status = 'pending', attempts = 0, sent_at = NULL WHERE status = 'sent'")
            .execute(self.pool())
            .await
            .map_err(|e| StoreError::db(Op::Benchmark, e))?;
        Ok(r.rows_affected())
    }
}
