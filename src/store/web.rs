//! What the web pages keep in the store: generated secrets (the links' HMAC key), sessions
//! (only a hash of the cookie's value) and single-use sign-in links (only a hash of the
//! nonce). Also the outbox rows the pages queue outside the daily digest (a sign-in link, a
//! fresh report link), which the daemon sends like any other row, and the store's change
//! counter ([`Store::generation`]) the pages' caches are keyed by.

use super::{Op, Store, StoreError, parse_ts, ts};
use crate::remind::Digest;
use crate::remind::recipients::Holder;
use chrono::{DateTime, Utc};
use sqlx::Row;

/// A stored session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub email: String,
    pub created_at: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
}

/// A session with what every signed-in request needs, read in one query
/// ([`Store::session_with_person`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionView {
    pub session: Session,
    /// The roles the session's person holds (empty: none, or gone from the directory).
    pub holds: Vec<Holder>,
    /// [`Store::generation`] as of this read (before anything the request reads next).
    pub generation: i64,
}

/// What [`Store::purge_sign_ins`] removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Purged {
    pub sessions: u64,
    pub login_tokens: u64,
}

/// The change counter's current value (the sum of its slots; every committed change raises it).
const GENERATION: &str = "SELECT CAST(sum(n) AS BIGINT) FROM store_generation";

impl Store {
    /// The store's change counter: raised, in the same transaction, by every change to
    /// checkpoints, the people directory and failed emails, whichever process makes it
    /// (triggers, migration 0008). Equal values mean none of those changed in between; read
    /// it *before* what it guards, so what is read after is at least as new.
    pub async fn generation(&self) -> Result<i64, StoreError> {
        let row = sqlx::query(GENERATION).fetch_one(self.pool()).await.map_err(|e| StoreError::db(Op::ReadStatus, e))?;
        Ok(row.try_get::<Option<i64>, _>(0).map_err(|e| StoreError::db(Op::ReadStatus, e))?.unwrap_or(0))
    }

    /// The session `id_hash` with its person's roles (case-insensitive email) and the change
    /// counter, in one query: what every signed-in request reads first.
    pub async fn session_with_person(&self, id_hash: &str) -> Result<Option<SessionView>, StoreError> {
        let sql = format!(
            "SELECT p.organisation, p.role, p.unit, p.name, p.email, s.email, s.created_at, s.last_seen, ({GENERATION}) \
             FROM sessions s LEFT JOIN people p ON lower(p.email) = lower(trim(s.email)) \
             WHERE s.id_hash = $1 ORDER BY p.organisation, p.role, p.unit"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id_hash.to_owned())
            .fetch_all(self.pool())
            .await
            .map_err(|e| StoreError::db(Op::Sessions, e))?;
        let Some(first) = rows.first() else { return Ok(None) };
        let text = |i: usize| first.try_get::<String, _>(i).map_err(|e| StoreError::db(Op::Sessions, e));
        let session = Session { email: text(5)?, created_at: parse_ts(&text(6)?), last_seen: parse_ts(&text(7)?) };
        let generation = first.try_get::<Option<i64>, _>(8).map_err(|e| StoreError::db(Op::Sessions, e))?.unwrap_or(0);
        let holds = rows.iter().filter(|r| r.try_get::<Option<String>, _>(0).ok().flatten().is_some()).map(super::people::holder).collect();
        Ok(Some(SessionView { session, holds, generation }))
    }

    /// Removes sessions unused since `idle_before` or begun before `begun_before`, and sign-in
    /// links used or expired at `now`: nothing of them can sign anyone in any more.
    pub async fn purge_sign_ins(
        &self,
        idle_before: DateTime<Utc>,
        begun_before: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Purged, StoreError> {
        let sessions = sqlx::query("DELETE FROM sessions WHERE last_seen < $1 OR created_at < $2")
            .bind(ts(idle_before))
            .bind(ts(begun_before))
            .execute(self.pool())
            .await
            .map_err(|e| StoreError::db(Op::Sessions, e))?
            .rows_affected();
        let login_tokens = sqlx::query("DELETE FROM login_tokens WHERE used_at IS NOT NULL OR expires_at <= $1")
            .bind(ts(now))
            .execute(self.pool())
            .await
            .map_err(|e| StoreError::db(Op::SignIn, e))?
            .rows_affected();
        Ok(Purged { sessions, login_tokens })
    }

    /// The secret `name`, created with `fresh()` the first time. When several processes
    /// start at once, the first insert wins and all read the same value.
    pub async fn secret(&self, name: &str, fresh: impl FnOnce() -> String, now: DateTime<Utc>) -> Result<String, StoreError> {
        let err = |e| StoreError::db(Op::Secrets, e);
        sqlx::query("INSERT INTO secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING")
            .bind(name.to_owned())
            .bind(fresh())
            .bind(ts(now))
            .execute(self.pool())
            .await
            .map_err(err)?;
        let row =
            sqlx::query("SELECT value FROM secrets WHERE name = $1").bind(name.to_owned()).fetch_one(self.pool()).await.map_err(err)?;
        row.try_get::<String, _>(0).map_err(err)
    }

    pub async fn create_session(&self, id_hash: &str, email: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO sessions (id_hash, email, created_at, last_seen) VALUES ($1, $2, $3, $3)")
            .bind(id_hash.to_owned())
            .bind(email.to_owned())
            .bind(ts(now))
            .execute(self.pool())
            .await
            .map_err(|e| StoreError::db(Op::Sessions, e))?;
        Ok(())
    }

    pub async fn session(&self, id_hash: &str) -> Result<Option<Session>, StoreError> {
        let row = sqlx::query("SELECT email, created_at, last_seen FROM sessions WHERE id_hash = $1")
            .bind(id_hash.to_owned())
            .fetch_optional(self.pool())
            .await
            .map_err(|e| StoreError::db(Op::Sessions, e))?;
        Ok(row.and_then(|r| {
            Some(Session {
                email: r.try_get(0).ok()?,
                created_at: parse_ts(&r.try_get::<String, _>(1).ok()?),
                last_seen: parse_ts(&r.try_get::<String, _>(2).ok()?),
            })
        }))
    }

    pub async fn touch_session(&self, id_hash: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        sqlx::query("UPDATE sessions SET last_seen = $1 WHERE id_hash = $2")
            .bind(ts(now))
            .bind(id_hash.to_owned())
            .execute(self.pool())
            .await
            .map_err(|e| StoreError::db(Op::Sessions, e))?;
        Ok(())
    }

    pub async fn delete_session(&self, id_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash.to_owned())
            .execute(self.pool())
            .await
            .map_err(|e| StoreError::db(Op::Sessions, e))?;
        Ok(())
    }

    /// Records a sign-in link (by the hash of its nonce) for `email`, valid until `expires`.
    pub async fn create_login_token(&self, hash: &str, email: &str, expires: DateTime<Utc>) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO login_tokens (hash, email, expires_at) VALUES ($1, $2, $3)")
            .bind(hash.to_owned())
            .bind(email.to_owned())
            .bind(ts(expires))
            .execute(self.pool())
            .await
            .map_err(|e| StoreError::db(Op::SignIn, e))?;
        Ok(())
    }

    /// Uses up a sign-in link: its email when it was unused and unexpired at `now`, once.
    pub async fn use_login_token(&self, hash: &str, now: DateTime<Utc>) -> Result<Option<String>, StoreError> {
        let row =
            sqlx::query("UPDATE login_tokens SET used_at = $1 WHERE hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING email")
                .bind(ts(now))
                .bind(hash.to_owned())
                .fetch_optional(self.pool())
                .await
                .map_err(|e| StoreError::db(Op::SignIn, e))?;
        Ok(row.and_then(|r| r.try_get::<String, _>(0).ok()))
    }

    /// Queues one mail outside the daily digest under its own `key` (a sign-in link, a
    /// fresh report link), to be sent at once by the daemon. `false` if the key was taken.
    pub async fn enqueue_single(&self, key: &str, digest: &Digest, message_id: &str) -> Result<bool, StoreError> {
        let rows = sqlx::query(
            "INSERT INTO outbox (key, recipient, day, send_at, message_id, payload, next_attempt_at, status, attempts) \
             VALUES ($1, $2, $3, $4, $5, $6, $4, 'pending', 0) ON CONFLICT (key) DO NOTHING RETURNING key",
        )
        .bind(key.to_owned())
        .bind(digest.to.email.clone())
        .bind(digest.day.format("%Y-%m-%d").to_string())
        .bind(ts(digest.send_at))
        .bind(message_id.to_owned())
        .bind(serde_json::to_string(digest).unwrap_or_default())
        .fetch_all(self.pool())
        .await
        .map_err(|e| StoreError::db(Op::Enqueue, e))?;
        Ok(!rows.is_empty())
    }
}
