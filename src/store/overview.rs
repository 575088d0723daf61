//! Reading for the overview page: checkpoints by organisation, plan, unit, role, state and a
//! due-date range (in the database, so a läsår of a large store is read without the rest),
//! and recent emails that failed for good.

use super::outbox::{OUTBOX_COLUMNS, outbox_row};
use super::query::{ROW_COLUMNS, row_from};
use super::{Op, OutboxRow, Row, Store, StoreError};
use crate::workflow::State;
use chrono::NaiveDate;

/// Which checkpoints the overview reads. Empty fields do not filter.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OverviewQuery {
    pub organisation: Option<String>,
    /// Any of these organisations (the viewer's, so a chef's page does not read the rest of
    /// a shared store). Empty: every organisation.
    pub organisations: Vec<String>,
    pub plan: Option<String>,
    pub unit: Option<String>,
    pub role: Option<String>,
    /// Empty: every state but cancelled.
    pub states: Vec<State>,
    /// Due on or after.
    pub from: Option<NaiveDate>,
    /// Due on or before.
    pub to: Option<NaiveDate>,
}

/// At most this many failed emails are read.
pub const FAILED_LIMIT: i64 = 1000;

fn iso(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

impl Store {
    /// The checkpoints `q` asks for, by date (undated — fortlöpande — last, and always included
    /// whatever the date range), then id.
    pub async fn overview_rows(&self, q: &OverviewQuery) -> Result<Vec<Row>, StoreError> {
        let mut sql = format!("SELECT {ROW_COLUMNS} FROM checkpoints WHERE 1 = 1");
        let mut binds: Vec<String> = Vec::new();
        let bind = |binds: &mut Vec<String>, v: String| {
            binds.push(v);
            format!("${}", binds.len())
        };
        for (col, v) in [("organisation", &q.organisation), ("plan", &q.plan), ("unit", &q.unit), ("owner_role", &q.role)] {
            if let Some(v) = v {
                let p = bind(&mut binds, v.clone());
                sql.push_str(&format!(" AND {col} = {p}"));
            }
        }
        if !q.organisations.is_empty() {
            let ps: Vec<String> = q.organisations.iter().map(|o| bind(&mut binds, o.clone())).collect();
            sql.push_str(&format!(" AND organisation IN ({})", ps.join(", ")));
        }
        if q.states.is_empty() {
            sql.push_str(" AND state <> 'cancelled'");
        } else {
            let ps: Vec<String> = q.states.iter().map(|s| bind(&mut binds, s.en().to_owned())).collect();
            sql.push_str(&format!(" AND state IN ({})", ps.join(", ")));
        }
        let mut range = Vec::new();
        if let Some(d) = q.from {
            range.push(format!("due >= {}", bind(&mut binds, iso(d))));
        }
        if let Some(d) = q.to {
            range.push(format!("due <= {}", bind(&mut binds, iso(d))));
        }
        if !range.is_empty() {
            sql.push_str(&format!(" AND ((due IS NOT NULL AND {}) OR due IS NULL)", range.join(" AND ")));
        }
        sql.push_str(" ORDER BY CASE WHEN due IS NULL THEN 1 ELSE 0 END, due, id");
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for b in binds {
            query = query.bind(b);
        }
        let rows = query.fetch_all(self.pool()).await.map_err(|e| StoreError::db(Op::ReadStatus, e))?;
        Ok(rows.iter().map(row_from).collect())
    }

    /// Emails that failed for good on or after `since`, newest first (at most
    /// [`FAILED_LIMIT`]).
    pub async fn failed_outbox(&self, since: NaiveDate) -> Result<Vec<OutboxRow>, StoreError> {
        let sql = format!(
            "SELECT {OUTBOX_COLUMNS} FROM outbox WHERE status = 'failed' AND day >= $1 ORDER BY day DESC, key LIMIT {FAILED_LIMIT}"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(iso(since))
            .fetch_all(self.pool())
            .await
            .map_err(|e| StoreError::db(Op::ReadOutbox, e))?;
        Ok(rows.iter().filter_map(outbox_row).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::DateRange;
    use crate::definition::load_dir;
    use crate::schedule::expand;
    use chrono::{TimeZone, Utc};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[tokio::test]
    async fn overview_rows_filter_in_the_database_like_status_does_in_memory() {
        let model = load_dir(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("workflows")).unwrap();
        let window = DateRange::new(d("2019-01-01"), d("2022-12-31")).unwrap();
        let store = Store::open("sqlite::memory:").await.unwrap();
        store.sync(&expand(&model, window), window, Utc.with_ymd_and_hms(2019, 1, 1, 0, 0, 0).unwrap()).await.unwrap();
        let all = store.status(&crate::store::Filter::default()).await.unwrap();
        let q = OverviewQuery {
            organisation: Some("hoor".into()),
            from: Some(d("2020-07-01")),
            to: Some(d("2021-06-30")),
            ..Default::default()
        };
        let got = store.overview_rows(&q).await.unwrap();
        let want: Vec<&Row> =
            all.iter().filter(|r| r.organisation == "hoor" && r.due.is_none_or(|x| x >= d("2020-07-01") && x <= d("2021-06-30"))).collect();
        assert!(!got.is_empty());
        assert_eq!(got.iter().collect::<Vec<_>>(), want);
        let q = OverviewQuery {
            plan: Some("plan-2020-2021".into()),
            unit: None,
            role: Some("avdelningschef-kvalitet".into()),
            states: vec![State::Planned],
            ..Default::default()
        };
        let got = store.overview_rows(&q).await.unwrap();
        assert!(
            !got.is_empty() && got.iter().all(|r| r.plan.as_deref() == Some("plan-2020-2021") && r.owner_role == "avdelningschef-kvalitet")
        );
        // A list of organisations reads those and no others.
        let q = OverviewQuery { organisations: vec!["hoor".into(), "timra".into()], ..Default::default() };
        let got = store.overview_rows(&q).await.unwrap();
        let want: Vec<&Row> = all.iter().filter(|r| r.organisation == "hoor" || r.organisation == "timra").collect();
        assert!(got.iter().any(|r| r.organisation == "timra") && all.iter().any(|r| r.organisation == "halmstad"));
        assert_eq!(got.iter().collect::<Vec<_>>(), want);
        let none = OverviewQuery { states: vec![State::Approved], ..Default::default() };
        assert!(store.overview_rows(&none).await.unwrap().is_empty());
        // Hostile values are bound, never spliced.
        let evil = OverviewQuery { unit: Some("x' OR '1'='1".into()), ..Default::default() };
        assert!(store.overview_rows(&evil).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn failed_outbox_lists_recent_permanent_failures_only() {
        let store = Store::open("sqlite::memory:").await.unwrap();
        for (key, day, status) in
            [("a|2021-03-01", "2021-03-01", "failed"), ("b|2021-01-01", "2021-01-01", "failed"), ("c|2021-03-02", "2021-03-02", "sent")]
        {
            sqlx::query("INSERT INTO outbox (key, recipient, day, send_at, message_id, payload, status, next_attempt_at, last_error) VALUES ($1, $2, $3, $3, 'm', '{}', $4, $3, '550 okänd mottagare')")
                .bind(key)
                .bind(key.split('|').next().unwrap())
                .bind(day)
                .bind(status)
                .execute(store.pool())
                .await
                .unwrap();
        }
        let got = store.failed_outbox(d("2021-02-01")).await.unwrap();
        assert_eq!(got.iter().map(|o| o.key.as_str()).collect::<Vec<_>>(), ["a|2021-03-01"]);
        assert_eq!(got[0].last_error.as_deref(), Some("550 okänd mottagare"));
    }
}
