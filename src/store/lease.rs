//! Leasing outbox rows for sending, and recording how each send ended.
//!
//! What the delivery path reads is indexed on exactly that (migration 0011): due pending
//! rows by `(next_attempt_at, key)` (partial index `outbox_pending`), leased rows by
//! `lease_until` (`outbox_leased`), marks by primary key. A claim starts where the previous
//! claim of the same pass ended ([`ClaimCursor`]), so it never steps over the index entries
//! of rows claimed before it (on PostgreSQL those stay in the index as dead entries until
//! vacuum: walking them made each claim slower than the last). Leases are judged by the
//! database's clock; PostgreSQL claims with `FOR UPDATE SKIP LOCKED`, so several daemons
//! share the work without sending twice. On SQLite the claimer and the marker, which write
//! at the same time, take turns on this process's writer lock instead of meeting in
//! SQLite's sleeping busy handler.

use super::outbox::{Claim, Claimed, MAX_REPEATS};
use super::{Op, Store, StoreError, ts};
use crate::remind::Digest;
use chrono::{DateTime, Utc};
use sqlx::Row;

/// Where the last claim of a pass ended in the pending index: the next claim reads on from
/// there. Rows that become pending behind it during the pass (a retry is always scheduled
/// later than now, so only a row another daemon gave back at its stop) are claimed by the
/// next pass — the daemon ticks again at once, since such a row is due.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClaimCursor {
    next_attempt_at: String,
    key: String,
}

/// The columns a claim returns, in the order [`Store::claimed`] reads them.
const RETURNING: &str = "RETURNING key, message_id, payload, attempts, claimed_from, repeats, next_attempt_at";

impl Store {
    /// Takes over up to `limit` rows whose lease has run out by the database's clock (their
    /// sender was cut off mid-send: a crash, kill -9, a lost connection), as recorded
    /// repeats. Called once per dispatch pass, not in every claim.
    pub async fn take_over_expired(&self, owner: &str, limit: i64, lease_secs: i64) -> Result<Claim, StoreError> {
        let lock = self.engine().row_lock_skip_locked();
        let sql = format!(
            "UPDATE outbox SET lease_owner = $1, lease_until = {}, attempts = attempts + 1, repeats = repeats + 1, claimed_from = 'sending' \
             WHERE key IN (SELECT key FROM outbox WHERE status = 'sending' AND lease_until < {} ORDER BY lease_until LIMIT $2{lock}) {RETURNING}",
            self.engine().db_now(lease_secs),
            self.engine().db_now(0)
        );
        let turn = self.writer_turn().await;
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(owner.to_owned())
            .bind(limit)
            .fetch_all(self.pool())
            .await
            .map_err(|e| StoreError::db(Op::Claim, e))?;
        drop(turn);
        self.claimed(owner, &rows).await
    }

    /// Claims up to `limit` pending rows due at `now`, in `(next_attempt_at, key)` order
    /// after `cursor` (which it moves on), leasing them to `owner` for `lease_secs`.
    pub async fn claim_pending(
        &self,
        owner: &str,
        now: DateTime<Utc>,
        limit: i64,
        lease_secs: i64,
        cursor: &mut ClaimCursor,
    ) -> Result<Claim, StoreError> {
        let lock = self.engine().row_lock_skip_locked();
        let sql = format!(
            "UPDATE outbox SET status = 'sending', lease_owner = $1, lease_until = {}, attempts = attempts + 1, claimed_from = 'pending' \
             WHERE key IN (SELECT key FROM outbox WHERE status = 'pending' AND next_attempt_at <= $2 AND (next_attempt_at, key) > ($3, $4) \
             ORDER BY next_attempt_at, key LIMIT $5{lock}) {RETURNING}",
            self.engine().db_now(lease_secs)
        );
        let turn = self.writer_turn().await;
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(owner.to_owned())
            .bind(ts(now))
            .bind(cursor.next_attempt_at.clone())
            .bind(cursor.key.clone())
            .bind(limit)
            .fetch_all(self.pool())
            .await
            .map_err(|e| StoreError::db(Op::Claim, e))?;
        drop(turn);
        for r in &rows {
            let (Ok(at), Ok(key)) = (r.try_get::<String, _>(6), r.try_get::<String, _>(0)) else { continue };
            if (at.as_str(), key.as_str()) > (cursor.next_attempt_at.as_str(), cursor.key.as_str()) {
                *cursor = ClaimCursor { next_attempt_at: at, key };
            }
        }
        self.claimed(owner, &rows).await
    }

    /// The claimed rows, read; a row whose payload cannot be read, or that was cut off
    /// mid-send [`MAX_REPEATS`] times, is failed at once instead (counted as poisoned).
    async fn claimed(&self, owner: &str, rows: &[sqlx::any::AnyRow]) -> Result<Claim, StoreError> {
        let mut claim = Claim::default();
        for r in rows {
            let Ok(key) = r.try_get::<String, _>(0) else { continue };
            let repeats: i64 = r.try_get(5).unwrap_or(0);
            let payload = r
                .try_get::<String, _>(2)
                .map_err(|e| e.to_string())
                .and_then(|p| serde_json::from_str::<Digest>(&p).map_err(|e| e.to_string()));
            let poison = match payload {
                Err(e) => Some(format!("det sparade meddelandet kunde inte läsas ({e}); det skickas inte. Övriga utskick fortsätter.")),
                Ok(_) if repeats >= MAX_REPEATS => Some(format!(
                    "utskicket avbröts {repeats} gånger mitt i sändningen (arshjul kan ha kraschat på just det här meddelandet); det skickas inte igen. Kontrollera mottagaren i personkatalogen."
                )),
                Ok(digest) => {
                    claim.ready.push(Claimed {
                        key: key.clone(),
                        message_id: r.try_get(1).unwrap_or_default(),
                        digest,
                        attempts: r.try_get(3).unwrap_or(1),
                        repeat: r.try_get::<Option<String>, _>(4).ok().flatten().as_deref() == Some("sending"),
                        claimed_at: std::time::Instant::now(),
                    });
                    None
                }
            };
            if let Some(reason) = poison {
                self.mark_failed(&key, owner, &reason, None).await?;
                claim.poisoned += 1;
            }
        }
        claim.ready.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(claim)
    }

    /// Marks claimed rows sent, by primary key, 500 per statement (only rows `owner` still
    /// holds: a row whose lease another daemon took over is theirs to mark); returns how
    /// many were marked. Nothing is read back: a row per key would cost a hand-off each
    /// (SQLite's worker thread) for a set nobody uses.
    ///
    /// On PostgreSQL the transaction commits without waiting for the WAL flush
    /// (`synchronous_commit = off`: one disk flush per batch was the bound on a busy disk).
    /// Safe for the guarantee: a mark lost in a database crash leaves its row leased, and
    /// the takeover after the lease runs out sends it again *as a recorded repeat*. Claims
    /// still commit synchronously: a claim must be on disk before its mail goes out.
    pub async fn mark_sent_many(&self, keys: &[String], owner: &str, at: DateTime<Utc>) -> Result<u64, StoreError> {
        let err = |e| StoreError::db(Op::MarkSent, e);
        if keys.is_empty() {
            return Ok(0);
        }
        let _turn = self.writer_turn().await;
        let mut tx = self.begin_unflushed().await.map_err(err)?;
        let mut marked = 0;
        for chunk in keys.chunks(500) {
            let m = |n, off| super::marks(self.engine(), n, off);
            // `lease_owner` alone guards the row (only a row being sent has one): a
            // `status = 'sending'` here would let the planner pick the partial index of
            // leased rows over the primary key.
            let sql = format!(
                "UPDATE outbox SET status = 'sent', sent_at = {}, lease_owner = NULL, lease_until = NULL \
                 WHERE key IN ({}) AND lease_owner = {}",
                m(1, 0),
                m(chunk.len(), 1),
                m(1, chunk.len() + 1),
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(ts(at));
            for k in chunk {
                q = q.bind(k.clone());
            }
            marked += q.bind(owner.to_owned()).execute(&mut *tx).await.map_err(err)?.rows_affected();
        }
        tx.commit().await.map_err(err)?;
        Ok(marked)
    }

    /// Records a failed send: `retry_at` for a transient failure, `None` for a permanent
    /// one (kept as `failed`, shown by `arshjul status`, never silently dropped).
    pub async fn mark_failed(&self, key: &str, owner: &str, error: &str, retry_at: Option<DateTime<Utc>>) -> Result<(), StoreError> {
        let (status, next) = match retry_at {
            Some(t) => ("pending", Some(ts(t))),
            None => ("failed", None),
        };
        let _turn = self.writer_turn().await;
        sqlx::query(
            "UPDATE outbox SET status = $1, last_error = $2, next_attempt_at = COALESCE($3, next_attempt_at), lease_owner = NULL, lease_until = NULL \
             WHERE key = $4 AND lease_owner = $5",
        )
        .bind(status)
        .bind(error.to_owned())
        .bind(next)
        .bind(key.to_owned())
        .bind(owner.to_owned())
        .execute(self.pool())
        .await
        .map_err(|e| StoreError::db(Op::MarkFailed, e))?;
        Ok(())
    }
}
