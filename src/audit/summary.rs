//! The summary figures: per plan, unit and owner role (and in total), how many promised
//! follow-ups were done on time, late, missed, waived — and, outside the shares, how many
//! are overdue or not yet due. Shares are of the settled ones (see the module docs of
//! [`crate::audit`]).

use super::{AuditRow, Verdict};
use serde::Serialize;
use std::collections::BTreeMap;

/// Counts of one group.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub total: usize,
    pub on_time: usize,
    pub late: usize,
    pub waived: usize,
    pub missed: usize,
    pub overdue: usize,
    pub pending: usize,
}

impl Counts {
    pub fn add(&mut self, v: Verdict) {
        self.total += 1;
        match v {
            Verdict::OnTime => self.on_time += 1,
            Verdict::Late => self.late += 1,
            Verdict::Waived => self.waived += 1,
            Verdict::Missed => self.missed += 1,
            Verdict::Overdue => self.overdue += 1,
            Verdict::Pending => self.pending += 1,
        }
    }

    /// On time + late + waived + missed.
    pub fn settled(&self) -> usize {
        self.on_time + self.late + self.waived + self.missed
    }

    /// `n` as a share of the settled ones (0–1); `None` when nothing is settled.
    pub fn share(&self, n: usize) -> Option<f64> {
        let s = self.settled();
        (s > 0).then(|| n as f64 / s as f64)
    }
}

/// What a group is grouped by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    Total,
    Plan,
    Unit,
    Role,
}

impl Dimension {
    pub fn sv(self) -> &'static str {
        match self {
            Dimension::Total => "Totalt",
            Dimension::Plan => "Plan",
            Dimension::Unit => "Enhet",
            Dimension::Role => "Roll",
        }
    }
    pub fn en(self) -> &'static str {
        match self {
            Dimension::Total => "Total",
            Dimension::Plan => "Plan",
            Dimension::Unit => "Unit",
            Dimension::Role => "Role",
        }
    }
}

/// One line of the summary.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Group {
    pub dimension: Dimension,
    /// The id (`None` for the total, for follow-ups without a plan, or at organisation level).
    pub key: Option<String>,
    /// What to show: the name, or a dash-phrase for none.
    pub name: String,
    pub counts: Counts,
}

/// Every group, total first, then plans, units and roles (each by name).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Summary {
    pub groups: Vec<Group>,
}

impl Summary {
    pub fn of(rows: &[AuditRow], lang: crate::definition::Lang) -> Summary {
        let none = |sv: &str, en: &str| if lang == crate::definition::Lang::Sv { sv.to_owned() } else { en.to_owned() };
        let mut total = Counts::default();
        let mut by: BTreeMap<(Dimension, String, Option<String>), Counts> = BTreeMap::new();
        let multi = rows.first().is_some_and(|f| rows.iter().any(|r| r.organisation != f.organisation));
        let tag = |r: &AuditRow, name: String| if multi { format!("{name} ({})", r.organisation) } else { name };
        for r in rows {
            total.add(r.verdict);
            let plan_key = r.plan.as_ref().map(|p| format!("{}/{p}", r.organisation));
            let plan_name =
                r.plan_name.clone().map(|n| tag(r, n)).unwrap_or_else(|| none("(utan plan: årshjulet)", "(no plan: the wheel)"));
            by.entry((Dimension::Plan, plan_name, plan_key)).or_default().add(r.verdict);
            let unit_key = r.unit.as_ref().map(|u| format!("{}/{u}", r.organisation));
            let unit_name = r.unit_name.clone().map(|n| tag(r, n)).unwrap_or_else(|| none("(huvudmannanivå)", "(organisation level)"));
            by.entry((Dimension::Unit, unit_name, unit_key)).or_default().add(r.verdict);
            let role_key = Some(format!("{}/{}", r.organisation, r.owner_role));
            by.entry((Dimension::Role, tag(r, r.owner_role_name.clone()), role_key)).or_default().add(r.verdict);
        }
        let mut groups = vec![Group { dimension: Dimension::Total, key: None, name: none("Alla", "All"), counts: total }];
        groups.extend(by.into_iter().map(|((dimension, name, key), counts)| Group { dimension, key, name, counts }));
        Summary { groups }
    }

    pub fn total(&self) -> Counts {
        self.groups.first().map(|g| g.counts).unwrap_or_default()
    }
}
