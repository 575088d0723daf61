//! Reading for the overview page: checkpoints by organisation, plan, unit, role, state and a
//! due-date range (in the database, so a läsår of a large store is read without the rest),
//! and recent emails that failed for good.

use super::outbox::{OUTBOX_COLUMNS, outbox_row};
use super::query::ROW_COLUMNS;
use super::{Op, OutboxRow, Row, Store, StoreError, parse_date};
use crate::workflow::State;
use chrono::NaiveDate;
use sqlx::Row as _;

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

/// A row from one `json_array` of [`ROW_COLUMNS`] (the same fields and defaults as
/// [`super::query::row_from`]); the overview's and the audit's reads.
pub(super) fn row_from_json(v: &[serde_json::Value]) -> Row {
    let s = |i: usize| v.get(i).and_then(|x| x.as_str()).map(str::to_owned);
    let n = |i: usize, default: i64| v.get(i).and_then(serde_json::Value::as_i64).unwrap_or(default);
    Row {
        id: s(0).unwrap_or_default(),
        organisation: s(1).unwrap_or_default(),
        plan: s(2),
        initiative: s(3),
        title: s(4).unwrap_or_default(),
        kind: s(5).unwrap_or_default(),
        owner_role: s(6).unwrap_or_default(),
        unit: s(7),
        parent: s(8),
        due: parse_date(s(9)),
        state: s(10).and_then(|x| State::parse(&x)).unwrap_or(State::Planned),
        rescheduled: n(11, 0) != 0,
        school_break: s(12),
        report: s(13).and_then(|x| serde_json::from_str(&x).ok()),
        in_plan: n(14, 1) != 0,
        added_past_due: n(15, 0) != 0,
    }
}

fn iso(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

impl Store {
    /// The checkpoints `q` asks for, by date (undated — fortlöpande — last, and always included
    /// whatever the date range), then id (byte order, the same on both engines).
    ///
    /// The rows come back as one JSON array in one database row: a läsår is thousands of rows,
    /// and the driver hands each row over between threads (SQLite: copying every value under
    /// the library's allocator lock), which under concurrent page views cost more than
    /// everything else on the page together.
    pub async fn overview_rows(&self, q: &OverviewQuery) -> Result<Vec<Row>, StoreError> {
        let agg = self.engine().json_rows(ROW_COLUMNS);
        let mut sql = format!("SELECT {agg} FROM checkpoints WHERE 1 = 1");
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
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for b in binds {
            query = query.bind(b);
        }
        let row = query.fetch_one(self.pool()).await.map_err(|e| StoreError::db(Op::ReadStatus, e))?;
        // PostgreSQL's json_agg of no rows is NULL.
        let text: Option<String> = row.try_get(0).map_err(|e| StoreError::db(Op::ReadStatus, e))?;
        let list: Vec<Vec<serde_json::Value>> = match text {
            Some(t) => serde_json::from_str(&t).map_err(|e| {
                StoreError::new(
                    format!("databasfel vid läsning av status: oväntat svar ({e})."),
                    format!("database error reading the status: unexpected answer ({e})."),
                )
            })?,
            None => Vec::new(),
        };
        let mut rows: Vec<Row> = list.iter().map(|v| row_from_json(v)).collect();
        rows.sort_by(|a, b| (a.due.is_none(), a.due, &a.id).cmp(&(b.due.is_none(), b.due, &b.id)));
        Ok(rows)
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
