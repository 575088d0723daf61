//! Reading the store: checkpoint standings (filtered) and a checkpoint's history.

use super::{Op, Store, StoreError, parse_date, parse_ts};
use crate::workflow::{Event, EventKind, Report, State};
use chrono::NaiveDate;
use serde::Serialize;
use sqlx::Row as _;

/// Which checkpoints to list.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub organisation: Option<String>,
    pub unit: Option<String>,
    pub role: Option<String>,
    pub states: Vec<State>,
    /// Due on or before this date.
    pub due_by: Option<NaiveDate>,
    /// Include cancelled checkpoints.
    pub include_cancelled: bool,
}

/// One checkpoint as stored.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Row {
    pub id: String,
    pub organisation: String,
    pub plan: Option<String>,
    pub initiative: Option<String>,
    pub title: String,
    pub kind: String,
    pub owner_role: String,
    pub unit: Option<String>,
    pub parent: Option<String>,
    pub due: Option<NaiveDate>,
    pub state: State,
    pub rescheduled: bool,
    pub school_break: Option<String>,
    pub report: Option<Report>,
    /// False when the definitions no longer give it (kept because something was recorded).
    pub in_plan: bool,
    /// Created by a sync already past its due date: shown and reportable, not mailed.
    pub added_past_due: bool,
}

/// The columns [`row_from`] reads, in a SELECT list.
pub(super) const ROW_COLUMNS: &str = "id, organisation, plan, initiative, title, kind, owner_role, unit, parent, due, state, rescheduled, school_break, report, in_plan, added_past_due";

/// A stored checkpoint row from a SELECT of [`ROW_COLUMNS`].
pub(super) fn row_from(r: &sqlx::any::AnyRow) -> Row {
    let g = |i: &str| r.try_get::<Option<String>, _>(i).ok().flatten();
    Row {
        id: g("id").unwrap_or_default(),
        organisation: g("organisation").unwrap_or_default(),
        plan: g("plan"),
        initiative: g("initiative"),
        title: g("title").unwrap_or_default(),
        kind: g("kind").unwrap_or_default(),
        owner_role: g("owner_role").unwrap_or_default(),
        unit: g("unit"),
        parent: g("parent"),
        due: parse_date(g("due")),
        state: g("state").and_then(|s| State::parse(&s)).unwrap_or(State::Planned),
        rescheduled: r.try_get::<i64, _>("rescheduled").unwrap_or(0) != 0,
        school_break: g("school_break"),
        report: g("report").and_then(|s| serde_json::from_str(&s).ok()),
        in_plan: r.try_get::<i64, _>("in_plan").unwrap_or(1) != 0,
        added_past_due: r.try_get::<i64, _>("added_past_due").unwrap_or(0) != 0,
    }
}

impl Store {
    pub async fn status(&self, f: &Filter) -> Result<Vec<Row>, StoreError> {
        let mut sql = format!("SELECT {ROW_COLUMNS} FROM checkpoints WHERE 1 = 1");
        let mut binds: Vec<String> = Vec::new();
        let mut add = |sql: &mut String, cond: &str, v: String| {
            binds.push(v);
            sql.push_str(&format!(" AND {cond} ${}", binds.len()));
        };
        if let Some(o) = &f.organisation {
            add(&mut sql, "organisation =", o.clone());
        }
        if let Some(u) = &f.unit {
            add(&mut sql, "unit =", u.clone());
        }
        if let Some(r) = &f.role {
            add(&mut sql, "owner_role =", r.clone());
        }
        if let Some(d) = f.due_by {
            add(&mut sql, "due <=", d.format("%Y-%m-%d").to_string());
        }
        if !f.include_cancelled {
            sql.push_str(" AND state <> 'cancelled'");
        }
        sql.push_str(" ORDER BY CASE WHEN due IS NULL THEN 1 ELSE 0 END, due, id");
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for b in binds {
            q = q.bind(b);
        }
        let rows = q.fetch_all(self.pool()).await.map_err(|e| StoreError::db(Op::ReadStatus, e))?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let row = row_from(&r);
            if !f.states.is_empty() && !f.states.contains(&row.state) {
                continue;
            }
            out.push(row);
        }
        Ok(out)
    }

    /// One checkpoint as stored (cancelled ones too), `None` for an unknown id.
    pub async fn checkpoint(&self, id: &str) -> Result<Option<Row>, StoreError> {
        let r = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {ROW_COLUMNS} FROM checkpoints WHERE id = $1")))
            .bind(id.to_owned())
            .fetch_optional(self.pool())
            .await
            .map_err(|e| StoreError::db(Op::ReadStatus, e))?;
        Ok(r.as_ref().map(row_from))
    }

    /// Every event of a checkpoint, oldest first.
    pub async fn history(&self, id: &str) -> Result<Vec<Event>, StoreError> {
        let rows = sqlx::query("SELECT at, actor, reason, data FROM events WHERE checkpoint = $1 ORDER BY seq")
            .bind(id.to_owned())
            .fetch_all(self.pool())
            .await
            .map_err(|e| StoreError::db(Op::ReadHistory, e))?;
        Ok(rows
            .iter()
            .filter_map(|r| {
                let mut data: serde_json::Value = serde_json::from_str(&r.try_get::<String, _>("data").ok()?).ok()?;
                let via = data.as_object_mut().and_then(|o| o.remove("via")).and_then(|v| v.as_str().map(str::to_owned));
                let kind: EventKind = serde_json::from_value(data).ok()?;
                Some(Event {
                    via,
                    checkpoint: id.to_owned(),
                    at: parse_ts(&r.try_get::<String, _>("at").ok()?),
                    actor: r.try_get("actor").ok()?,
                    reason: r.try_get("reason").ok()?,
                    kind,
                })
            })
            .collect())
    }

    /// Up to three stored ids close to `id` (for "menade du …?").
    pub(super) async fn similar_ids(&self, tx: &mut sqlx::Transaction<'static, sqlx::Any>, id: &str) -> Result<Vec<String>, StoreError> {
        // Candidates share the path up to the last segment (same initiative or wheel).
        let prefix = id.rsplit_once('/').map_or(id, |(p, _)| p);
        let rows = sqlx::query("SELECT id FROM checkpoints WHERE id LIKE $1 LIMIT 500")
            .bind(format!("{}%", prefix.replace(['%', '_'], "")))
            .fetch_all(&mut **tx)
            .await
            .map_err(|e| StoreError::db(Op::Search, e))?;
        let mut scored: Vec<(f64, String)> = rows
            .iter()
            .filter_map(|r| r.try_get::<String, _>(0).ok())
            .map(|c| (strsim::jaro_winkler(id.get(prefix.len()..).unwrap_or(""), c.get(prefix.len()..).unwrap_or("")), c))
            .filter(|(s, _)| *s >= 0.8)
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        Ok(scored.into_iter().take(3).map(|(_, c)| c).collect())
    }
}
