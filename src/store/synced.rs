//! What the last sync was made from: a fingerprint of the files' contents and the window
//! it covered, kept in `arshjul_meta` so that a daemon restarted on unchanged files does not
//! read, compare and write 100 k rows again to learn that nothing changed.

use super::{Op, Store, StoreError};
use crate::calendar::DateRange;
use chrono::NaiveDate;
use sqlx::Row;

const KEY: &str = "synced_sources";

impl Store {
    /// True when the last sync was made from files with `fingerprint` over a window that
    /// holds `window` (a restart the same day; a later day's window reaches further and
    /// is synced).
    pub async fn synced_from(&self, fingerprint: &str, window: DateRange) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT value FROM arshjul_meta WHERE key = $1")
            .bind(KEY)
            .fetch_optional(self.pool())
            .await
            .map_err(|e| StoreError::db(Op::Sync, e))?;
        let Some(value) = row.and_then(|r| r.try_get::<String, _>(0).ok()) else { return Ok(false) };
        let mut parts = value.split(' ');
        let (Some(fp), Some(start), Some(end)) = (parts.next(), parts.next(), parts.next()) else { return Ok(false) };
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        Ok(fp == fingerprint && day(start).is_some_and(|s| s <= window.start) && day(end).is_some_and(|e| e >= window.end))
    }

    /// Records that the store now holds what files with `fingerprint` give over `window`.
    pub async fn record_synced(&self, fingerprint: &str, window: DateRange) -> Result<(), StoreError> {
        let value = format!("{fingerprint} {} {}", window.start.format("%Y-%m-%d"), window.end.format("%Y-%m-%d"));
        sqlx::query("INSERT INTO arshjul_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind(KEY)
            .bind(value)
            .execute(self.pool())
            .await
            .map_err(|e| StoreError::db(Op::Sync, e))?;
        Ok(())
    }
}
