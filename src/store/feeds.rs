//! Calendar feed links (`feed_links`, migration 0007) and what a feed needs beyond the
//! checkpoint rows: how often each checkpoint's date or standing changed (its SEQUENCE).
//! Only the SHA-256 of a link's secret is stored; a revoked link stays (revoked_at) and is
//! never served again.

use super::{Op, Store, StoreError, marks, parse_ts, ts};
use chrono::{DateTime, Duration, Utc};
use sqlx::Row;
use std::collections::HashMap;

/// A feed link as stored (never its secret).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedLink {
    /// The handle it is listed and revoked by.
    pub id: String,
    /// Who created it (the feed is read with their rights).
    pub email: String,
    /// `person`, `role` or `unit`.
    pub kind: String,
    pub organisation: Option<String>,
    pub scope: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// The event kinds that raise a checkpoint's SEQUENCE: its date moved, or it left or came
/// back to the plan.
pub const SEQUENCE_KINDS: [&str; 4] = ["rescheduled", "cancelled", "left_plan", "restored"];

const COLUMNS: &str = "id, email, kind, organisation, scope, created_at, last_used_at, revoked_at";

fn link_from(r: &sqlx::any::AnyRow) -> FeedLink {
    let g = |i: &str| r.try_get::<Option<String>, _>(i).ok().flatten();
    FeedLink {
        id: g("id").unwrap_or_default(),
        email: g("email").unwrap_or_default(),
        kind: g("kind").unwrap_or_default(),
        organisation: g("organisation"),
        scope: g("scope").unwrap_or_default(),
        created_at: parse_ts(&g("created_at").unwrap_or_default()),
        last_used_at: g("last_used_at").map(|s| parse_ts(&s)),
        revoked_at: g("revoked_at").map(|s| parse_ts(&s)),
    }
}

fn err(e: sqlx::Error) -> StoreError {
    StoreError::db(Op::Feeds, e)
}

impl Store {
    /// Records a new link: `link.id`, the SHA-256 of its secret, its creator and scope.
    pub async fn create_feed_link(&self, link: &FeedLink, secret_hash: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO feed_links (id, secret_hash, email, kind, organisation, scope, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(link.id.clone())
        .bind(secret_hash.to_owned())
        .bind(link.email.clone())
        .bind(link.kind.clone())
        .bind(link.organisation.clone())
        .bind(link.scope.clone())
        .bind(ts(link.created_at))
        .execute(self.pool())
        .await
        .map_err(err)?;
        Ok(())
    }

    /// The links not revoked, newest first: `email`'s (case-insensitive), or everyone's.
    pub async fn feed_links(&self, email: Option<&str>) -> Result<Vec<FeedLink>, StoreError> {
        let rows = match email {
            Some(e) => sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM feed_links WHERE lower(email) = lower($1) AND revoked_at IS NULL ORDER BY created_at DESC, id"
            )))
            .bind(e.trim().to_owned())
            .fetch_all(self.pool())
            .await
            .map_err(err)?,
            None => sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM feed_links WHERE revoked_at IS NULL ORDER BY email, created_at DESC, id"
            )))
            .fetch_all(self.pool())
            .await
            .map_err(err)?,
        };
        Ok(rows.iter().map(link_from).collect())
    }

    /// The live link whose secret hashes to `secret_hash` (`None` when unknown or revoked).
    /// Notes the fetch at most once an hour.
    pub async fn feed_link_by_secret(&self, secret_hash: &str, now: DateTime<Utc>) -> Result<Option<FeedLink>, StoreError> {
        let row =
            sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM feed_links WHERE secret_hash = $1 AND revoked_at IS NULL")))
                .bind(secret_hash.to_owned())
                .fetch_optional(self.pool())
                .await
                .map_err(err)?;
        let Some(link) = row.as_ref().map(link_from) else { return Ok(None) };
        if link.last_used_at.is_none_or(|t| now - t >= Duration::hours(1)) {
            sqlx::query("UPDATE feed_links SET last_used_at = $1 WHERE id = $2")
                .bind(ts(now))
                .bind(link.id.clone())
                .execute(self.pool())
                .await
                .map_err(err)?;
        }
        Ok(Some(link))
    }

    /// Revokes link `id` — only `email`'s own when given. `false` when there was no such
    /// live link (unknown, someone else's, already revoked).
    pub async fn revoke_feed_link(&self, id: &str, email: Option<&str>, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let done = match email {
            Some(e) => sqlx::query(
                "UPDATE feed_links SET revoked_at = $1 WHERE id = $2 AND lower(email) = lower($3) AND revoked_at IS NULL RETURNING id",
            )
            .bind(ts(now))
            .bind(id.to_owned())
            .bind(e.trim().to_owned())
            .fetch_all(self.pool())
            .await
            .map_err(err)?,
            None => sqlx::query("UPDATE feed_links SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL RETURNING id")
                .bind(ts(now))
                .bind(id.to_owned())
                .fetch_all(self.pool())
                .await
                .map_err(err)?,
        };
        Ok(!done.is_empty())
    }

    /// How many times each of `ids` was moved, cancelled, left the plan or was restored
    /// ([`SEQUENCE_KINDS`]); ids without such events are absent.
    pub async fn feed_sequences(&self, ids: &[String]) -> Result<HashMap<String, u32>, StoreError> {
        let mut out = HashMap::new();
        let kinds = SEQUENCE_KINDS.map(|k| format!("'{k}'")).join(", ");
        for chunk in ids.chunks(500) {
            let sql = format!(
                "SELECT checkpoint, COUNT(*) FROM events WHERE kind IN ({kinds}) AND checkpoint IN ({}) GROUP BY checkpoint",
                marks(self.engine(), chunk.len(), 0)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in chunk {
                q = q.bind(id.clone());
            }
            for r in q.fetch_all(self.pool()).await.map_err(err)? {
                let id: String = r.try_get(0).map_err(err)?;
                let n: i64 = r.try_get(1).map_err(err)?;
                out.insert(id, u32::try_from(n).unwrap_or(u32::MAX));
            }
        }
        Ok(out)
    }
}
