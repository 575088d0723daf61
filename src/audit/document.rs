//! The annual follow-up report ("Uppföljning av utvecklingsplan"), in the shape of the
//! organisers' own (seed 003, Timrå's report to its board): the plan's name, diarienummer and
//! period; per development area (fokusområde) and activity (insats, *Uppdrag/aktivitet*) the
//! outcome with the *Uppföljning* and *Analys* texts as reported; what is missing said plainly
//! (not reported, missed, waived and why); a summary table; and the history's anchor line.
//! Built from what was recorded ([`super::AuditRow`]s of one plan) and the plan's definition;
//! rendered as print-ready HTML ([`Document::html`]) and as DOCX ([`Document::docx`]).

use super::summary::Counts;
use super::{AuditRow, Verdict};
use crate::definition::model::{Organisation, Plan};
use crate::workflow::{Outcome, State};
use chrono::NaiveDate;

/// Which follow-ups the report covers: those due from `from` to `to`, both included.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scope {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// How the period is named in the title ("2019", "2019-01-01 – 2019-06-30").
    pub label: String,
}

/// One reported (or missing) follow-up at organisation level.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub title: String,
    pub due: Option<NaiveDate>,
    pub verdict: Verdict,
    pub state: State,
    pub outcome: Option<Outcome>,
    /// The report's reason (ej påbörjad / ej genomförd).
    pub outcome_reason: Option<String>,
    pub uppfoljning: Option<String>,
    pub analys: Option<String>,
    pub reported_on: Option<NaiveDate>,
    pub reported_by: Option<String>,
    pub late_working_days: Option<u32>,
    pub approved_on: Option<NaiveDate>,
    pub approved_by: Option<String>,
    pub waived_on: Option<NaiveDate>,
    pub waived_by: Option<String>,
    pub waived_reason: Option<String>,
    pub missed: bool,
}

/// One unit's follow-up of an activity (listed compactly under it).
#[derive(Clone, Debug, PartialEq)]
pub struct UnitLine {
    pub unit: String,
    pub title: String,
    pub due: Option<NaiveDate>,
    pub verdict: Verdict,
    pub outcome: Option<Outcome>,
    pub waived_reason: Option<String>,
}

/// An activity (insats) of the plan.
#[derive(Clone, Debug, PartialEq)]
pub struct Activity {
    /// 1, 2, 3 … through the report, as in seed 003.
    pub number: usize,
    /// The plan's own numbering ("2.1"), if any.
    pub plan_number: Option<String>,
    pub name: String,
    pub entries: Vec<Entry>,
    pub units: Vec<UnitLine>,
    pub counts: Counts,
}

impl Activity {
    /// The latest outcome reported at organisation level (the activity's standing), else
    /// the latest at any unit.
    pub fn outcome(&self) -> Option<Outcome> {
        self.entries.iter().rev().find_map(|e| e.outcome).or_else(|| self.units.iter().rev().find_map(|u| u.outcome))
    }
}

/// A development area (or "Övriga insatser" for activities without one).
#[derive(Clone, Debug, PartialEq)]
pub struct Section {
    pub name: String,
    pub goal: Option<String>,
    pub activities: Vec<Activity>,
}

/// The report.
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    pub title: String,
    pub organisation: String,
    pub board: Option<String>,
    pub plan_id: String,
    pub plan_name: String,
    pub diarienummer: Option<String>,
    pub plan_period: String,
    pub adopted_by: Option<String>,
    pub adopted: Option<NaiveDate>,
    pub scope: Scope,
    pub generated: NaiveDate,
    /// The history's anchor (the hash chain's head, from `arshjul audit anchor`) printed in
    /// the report so that a reader can check the history later; `None` until the chain exists.
    pub anchor: Option<String>,
    pub sections: Vec<Section>,
    pub counts: Counts,
    /// Follow-ups of this plan that belong to no initiative of the current definition.
    pub other: Vec<UnitLine>,
}

impl Document {
    /// The report of `plan` over `rows` (the audit rows of this plan; those outside `scope`
    /// are left out here).
    pub fn build(org: &Organisation, plan: &Plan, rows: &[AuditRow], scope: Scope, generated: NaiveDate, anchor: Option<String>) -> Self {
        let inside: Vec<&AuditRow> = rows
            .iter()
            .filter(|r| r.organisation == *org.id && r.plan.as_deref() == Some(&*plan.id))
            .filter(|r| r.due.is_some_and(|d| d >= scope.from && d <= scope.to))
            .collect();
        let mut counts = Counts::default();
        inside.iter().for_each(|r| counts.add(r.verdict));
        let mut number = 0;
        let mut activity = |ini: &crate::definition::model::Initiative| {
            number += 1;
            let mine: Vec<&&AuditRow> = inside.iter().filter(|r| r.initiative.as_deref() == Some(&*ini.id)).collect();
            let mut c = Counts::default();
            mine.iter().for_each(|r| c.add(r.verdict));
            let mut entries: Vec<Entry> = mine.iter().filter(|r| r.unit.is_none()).map(|r| entry(r)).collect();
            entries.sort_by_key(|e| e.due);
            let mut units: Vec<UnitLine> = mine.iter().filter(|r| r.unit.is_some()).map(|r| unit_line(r)).collect();
            units.sort_by(|a, b| (a.due, &a.unit).cmp(&(b.due, &b.unit)));
            Activity {
                number,
                plan_number: ini.number.as_deref().map(str::to_owned),
                name: ini.name.to_string(),
                entries,
                units,
                counts: c,
            }
        };
        let mut sections = Vec::new();
        for area in &plan.areas {
            let acts: Vec<Activity> = plan.initiatives.iter().filter(|i| i.area.as_deref() == Some(&*area.id)).map(&mut activity).collect();
            if acts.is_empty() {
                continue;
            }
            let goal = area.goal.as_deref().and_then(|g| plan.goals.iter().find(|x| &*x.id == g)).map(|g| g.name.clone());
            sections.push(Section { name: area.name.clone(), goal, activities: acts });
        }
        let loose: Vec<Activity> = plan
            .initiatives
            .iter()
            .filter(|i| i.area.as_deref().is_none_or(|a| !plan.areas.iter().any(|x| &*x.id == a)))
            .map(&mut activity)
            .collect();
        if !loose.is_empty() {
            let name = if sections.is_empty() { "Insatser" } else { "Övriga insatser" };
            sections.push(Section { name: name.into(), goal: None, activities: loose });
        }
        let other = inside
            .iter()
            .filter(|r| r.initiative.as_deref().is_none_or(|i| !plan.initiatives.iter().any(|x| &*x.id == i)))
            .map(|r| unit_line(r))
            .collect();
        Document {
            title: format!("Uppföljning av utvecklingsplan: {}", plan.name),
            organisation: org.name.clone(),
            board: org.board.clone(),
            plan_id: plan.id.to_string(),
            plan_name: plan.name.clone(),
            diarienummer: plan.diarienummer.clone(),
            plan_period: plan.period_text.clone(),
            adopted_by: plan.adopted_by.as_deref().map(str::to_owned),
            adopted: plan.adopted,
            scope,
            generated,
            anchor,
            sections,
            counts,
            other,
        }
    }

    /// Every activity, in order.
    pub fn activities(&self) -> impl Iterator<Item = &Activity> {
        self.sections.iter().flat_map(|s| &s.activities)
    }
}

fn entry(r: &AuditRow) -> Entry {
    Entry {
        title: r.title.clone(),
        due: r.due,
        verdict: r.verdict,
        state: r.state,
        outcome: r.outcome,
        outcome_reason: r.reason.clone(),
        uppfoljning: r.uppfoljning.clone(),
        analys: r.analys.clone(),
        reported_on: r.reported_on,
        reported_by: r.reported_by.clone(),
        late_working_days: r.late_working_days,
        approved_on: r.approved_on,
        approved_by: r.approved_by.clone(),
        waived_on: r.waived_on,
        waived_by: r.waived_by.clone(),
        waived_reason: r.waived_reason.clone(),
        missed: r.missed,
    }
}

fn unit_line(r: &AuditRow) -> UnitLine {
    UnitLine {
        unit: r.unit_name.clone().unwrap_or_else(|| "huvudmannanivå".into()),
        title: r.title.clone(),
        due: r.due,
        verdict: r.verdict,
        outcome: r.outcome,
        waived_reason: r.waived_reason.clone(),
    }
}

/// What the report says about a follow-up's standing, in plain Swedish: the outcome when
/// reported (and whether late), else what is missing and why.
pub fn standing(
    verdict: Verdict,
    outcome: Option<Outcome>,
    due: Option<NaiveDate>,
    waived_reason: Option<&str>,
    late: Option<u32>,
) -> String {
    let due = due.map(|d| format!(" (förföll {d})")).unwrap_or_default();
    match (verdict, outcome) {
        (Verdict::OnTime, Some(o)) => capital(o.sv()),
        (Verdict::Late, Some(o)) => match late {
            Some(n) => format!("{} — rapporterad {n} arbetsdag{} för sent", capital(o.sv()), if n == 1 { "" } else { "ar" }),
            None => format!("{} — rapporterad för sent", capital(o.sv())),
        },
        (Verdict::OnTime | Verdict::Late, None) => "Rapporterad".into(),
        (Verdict::Waived, _) => format!("Avskriven{due}: {}", waived_reason.unwrap_or("inget skäl angivet")),
        (Verdict::Missed, _) => format!("Missad — ingen rapport{due}"),
        (Verdict::Overdue, _) => format!("Ej rapporterad — försenad{due}"),
        (Verdict::Pending, _) => format!("Ej rapporterad än{}", due.replace("förföll", "förfaller")),
    }
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}
