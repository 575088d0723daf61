//! Reading for the audit ("did the follow-up happen?"): every promised checkpoint that the
//! filters select, with the events that answer the question (reported, approved, waived,
//! missed, returned), in one query. The aggregation is the one engine-specific part: SQLite
//! builds the JSON with `json_group_array`, PostgreSQL with `json_agg`; the filters are the
//! same bound parameters on both.

use super::overview::{OverviewQuery, row_from_json};
use super::query::ROW_COLUMNS;
use super::{Engine, Op, Row, Store, StoreError, parse_ts};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row as _;

/// The event kinds the audit reads (the `kind` column, as `EventKind`'s serde tag).
pub const AUDIT_EVENT_KINDS: [&str; 5] = ["reported", "approved", "waived", "missed", "returned"];

/// One recorded event that answers the audit's question.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recorded {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub reason: Option<String>,
    /// One of [`AUDIT_EVENT_KINDS`].
    pub kind: String,
}

/// A promised follow-up: the checkpoint as stored and its answering events, oldest first.
#[derive(Clone, Debug, PartialEq)]
pub struct Promised {
    pub row: Row,
    pub events: Vec<Recorded>,
}

/// The distinct values a filter can name, for "menade du …?".
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Known {
    pub organisations: Vec<String>,
    pub plans: Vec<String>,
    pub units: Vec<String>,
    pub roles: Vec<String>,
}

impl Known {
    /// Just the given values (all known to exist).
    pub fn from_selection(o: &Option<String>, p: &Option<String>, u: &Option<String>, r: &Option<String>) -> Known {
        let one = |v: &Option<String>| v.iter().cloned().collect();
        Known { organisations: one(o), plans: one(p), units: one(u), roles: one(r) }
    }
}

fn iso(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn bad_answer(e: impl std::fmt::Display) -> StoreError {
    StoreError::new(
        format!("databasfel vid läsning av revisionsunderlaget: oväntat svar ({e})."),
        format!("database error reading the audit rows: unexpected answer ({e})."),
    )
}

impl Store {
    /// The promised follow-ups `q` selects (never cancelled ones; with a date range, only
    /// dated ones inside it), by due date then id, each with its answering events.
    pub async fn audit_rows(&self, q: &OverviewQuery) -> Result<Vec<Promised>, StoreError> {
        let kinds = AUDIT_EVENT_KINDS.map(|k| format!("'{k}'")).join(", ");
        let cols: String = ROW_COLUMNS.split(", ").map(|c| format!("c.{c}")).collect::<Vec<_>>().join(", ");
        // The events of each row as a nested JSON array (seq first, sorted below): a
        // correlated subquery inline on SQLite (no LATERAL), a LATERAL join on PostgreSQL
        // (an aggregate's argument cannot hold a subquery there).
        let events =
            "SELECT AGG(ARR(e.seq, e.at, e.actor, e.reason, e.kind)) FROM events e WHERE e.checkpoint = c.id AND e.kind IN (KINDS)"
                .replace("KINDS", &kinds);
        let mut sql = match self.engine() {
            Engine::Sqlite => {
                let events = events.replace("AGG", "json_group_array").replace("ARR", "json_array");
                format!("SELECT json_group_array(json_array({cols}, json(({events})))) FROM checkpoints c WHERE c.state <> 'cancelled'")
            }
            Engine::Postgres => {
                let events = events.replace("AGG", "json_agg").replace("ARR", "json_build_array");
                format!(
                    "SELECT json_agg(json_build_array({cols}, coalesce(ev.list, '[]'::json)))::text FROM checkpoints c \
                     LEFT JOIN LATERAL ({events_sel}) ev ON true WHERE c.state <> 'cancelled'",
                    events_sel = events.replacen(") FROM events", ") AS list FROM events", 1)
                )
            }
        };
        let mut binds: Vec<String> = Vec::new();
        let bind = |binds: &mut Vec<String>, v: String| {
            binds.push(v);
            format!("${}", binds.len())
        };
        for (col, v) in [("organisation", &q.organisation), ("plan", &q.plan), ("unit", &q.unit), ("owner_role", &q.role)] {
            if let Some(v) = v {
                let p = bind(&mut binds, v.clone());
                sql.push_str(&format!(" AND c.{col} = {p}"));
            }
        }
        if !q.organisations.is_empty() {
            let ps: Vec<String> = q.organisations.iter().map(|o| bind(&mut binds, o.clone())).collect();
            sql.push_str(&format!(" AND c.organisation IN ({})", ps.join(", ")));
        }
        if let Some(d) = q.from {
            sql.push_str(&format!(" AND c.due >= {}", bind(&mut binds, iso(d))));
        }
        if let Some(d) = q.to {
            sql.push_str(&format!(" AND c.due <= {}", bind(&mut binds, iso(d))));
        }
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for b in binds {
            query = query.bind(b);
        }
        let row = query.fetch_one(self.pool()).await.map_err(|e| StoreError::db(Op::ReadStatus, e))?;
        let text: Option<String> = row.try_get(0).map_err(|e| StoreError::db(Op::ReadStatus, e))?;
        let list: Vec<Vec<serde_json::Value>> = match text {
            Some(t) => serde_json::from_str(&t).map_err(bad_answer)?,
            None => Vec::new(),
        };
        let width = ROW_COLUMNS.split(", ").count();
        let mut out: Vec<Promised> = list
            .iter()
            .map(|v| {
                let events = v
                    .get(width)
                    .and_then(|x| x.as_array())
                    .map(|evs| {
                        evs.iter()
                            .filter_map(|e| {
                                let e = e.as_array()?;
                                let rec = Recorded {
                                    at: parse_ts(e.get(1)?.as_str()?),
                                    actor: e.get(2)?.as_str()?.to_owned(),
                                    reason: e.get(3).and_then(|r| r.as_str()).map(str::to_owned),
                                    kind: e.get(4)?.as_str()?.to_owned(),
                                };
                                Some((e.first()?.as_i64()?, rec))
                            })
                            .collect::<Vec<_>>()
                    })
                    .unwrap_or_default();
                let mut events = events;
                events.sort_by_key(|(seq, _)| *seq);
                Promised { row: row_from_json(v), events: events.into_iter().map(|(_, e)| e).collect() }
            })
            .collect();
        out.sort_by(|a, b| (a.row.due.is_none(), a.row.due, &a.row.id).cmp(&(b.row.due.is_none(), b.row.due, &b.row.id)));
        Ok(out)
    }

    /// Whether any stored checkpoint has `value` in `column` (one of `organisation`, `plan`,
    /// `unit`, `owner_role`; anything else is false). An indexed probe, not a scan of
    /// distinct values: the suggestions ([`Store::audit_known`]) are read only for a miss.
    pub async fn audit_has(&self, column: &str, value: &str) -> Result<bool, StoreError> {
        if !["organisation", "plan", "unit", "owner_role"].contains(&column) {
            return Ok(false);
        }
        let sql = format!("SELECT 1 FROM checkpoints WHERE {column} = $1 LIMIT 1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(value.to_owned())
            .fetch_optional(self.pool())
            .await
            .map_err(|e| StoreError::db(Op::Search, e))?;
        Ok(row.is_some())
    }

    /// The organisations, plans, units and owner roles the store holds (for suggestions).
    pub async fn audit_known(&self) -> Result<Known, StoreError> {
        let mut k = Known::default();
        for (col, into) in
            [("organisation", &mut k.organisations), ("plan", &mut k.plans), ("unit", &mut k.units), ("owner_role", &mut k.roles)]
        {
            let sql = format!("SELECT DISTINCT {col} FROM checkpoints WHERE {col} IS NOT NULL ORDER BY {col}");
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(self.pool()).await.map_err(|e| StoreError::db(Op::Search, e))?;
            *into = rows.iter().filter_map(|r| r.try_get::<String, _>(0).ok()).collect();
        }
        Ok(k)
    }
}
