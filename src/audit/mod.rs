//! "Did the follow-up happen?" — per promised follow-up (a stored checkpoint), what was
//! promised, when it was due, and what the history says happened: reported when and by whom,
//! how many working days late (the organisation's Swedish calendar), approved by whom, waived
//! why, missed. And the summary figures per plan, unit and role. Pure: the store's rows and
//! events, the model (names, calendars), the people directory and `today` come in.
//!
//! # The verdict of one follow-up (precisely)
//!
//! The *report date* is the Europe/Stockholm date of the **first** `reported` event (a report
//! sent back for completion and reported again still happened when it was first reported).
//! Lateness is judged against the checkpoint's **current** due date (a reschedule moves it;
//! the row says `rescheduled`).
//!
//! - **on time** (`i_tid`): reported, and the report date is on or before the due date (or the
//!   checkpoint has no due date).
//! - **late** (`sen`): reported after the due date — also when it had been closed as missed
//!   first (`missed` stays true on the row).
//! - **waived** (`avskriven`): not reported, and closed by a decision with a reason.
//! - **missed** (`missad`): not reported, closed as missed (a `missed` event).
//! - **overdue** (`försenad`): not reported, not closed, and the due date has passed.
//! - **pending** (`ej förfallen`): not reported, not closed, not yet due.
//!
//! The first four are *settled*; the shares in the summary are of the settled ones
//! (`on time / settled`, …), and overdue and pending are counted separately, outside the
//! shares. *Late by* is the number of working days (Mon–Fri, not a red day, in the
//! organisation's calendar) after the due date up to and including the report date; for a
//! missed or overdue one without a report, up to and including today (how late it is so far).

pub mod document;
mod document_docx;
mod document_html;
pub mod render;
pub mod select;
pub mod summary;
mod xlsx;

pub use document::{Document, Scope};
pub use document_html::CSS as REPORT_CSS;
pub use summary::{Counts, Summary};
pub use xlsx::workbook as xlsx;

use crate::calendar::Calendar;
use crate::definition::Model;
use crate::definition::model::Organisation;
use crate::remind::recipients::Holder;
use crate::store::{Promised, Recorded};
use crate::workflow::{Outcome, State};
use chrono::NaiveDate;
use chrono_tz::Europe::Stockholm;
use serde::Serialize;
use std::collections::HashMap;

/// What happened to one promised follow-up (see the module docs for the precise rules).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    OnTime,
    Late,
    Waived,
    Missed,
    Overdue,
    Pending,
}

impl Verdict {
    pub const ALL: [Verdict; 6] = [Verdict::OnTime, Verdict::Late, Verdict::Waived, Verdict::Missed, Verdict::Overdue, Verdict::Pending];

    pub fn sv(self) -> &'static str {
        match self {
            Verdict::OnTime => "i tid",
            Verdict::Late => "sen",
            Verdict::Waived => "avskriven",
            Verdict::Missed => "missad",
            Verdict::Overdue => "försenad",
            Verdict::Pending => "ej förfallen",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Verdict::OnTime => "on time",
            Verdict::Late => "late",
            Verdict::Waived => "waived",
            Verdict::Missed => "missed",
            Verdict::Overdue => "overdue",
            Verdict::Pending => "not yet due",
        }
    }

    pub fn get(self, lang: crate::definition::Lang) -> &'static str {
        match lang {
            crate::definition::Lang::Sv => self.sv(),
            crate::definition::Lang::En => self.en(),
        }
    }

    /// Settled one way or another (counted in the shares).
    pub fn is_settled(self) -> bool {
        !matches!(self, Verdict::Overdue | Verdict::Pending)
    }
}

/// One promised follow-up and what happened to it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AuditRow {
    pub checkpoint: String,
    pub organisation: String,
    pub plan: Option<String>,
    pub plan_name: Option<String>,
    pub initiative: Option<String>,
    pub initiative_name: Option<String>,
    pub title: String,
    pub kind: String,
    pub unit: Option<String>,
    pub unit_name: Option<String>,
    pub owner_role: String,
    pub owner_role_name: String,
    /// Who holds the owner role there now (names from the people directory), `; `-joined.
    pub owner_people: String,
    pub due: Option<NaiveDate>,
    pub state: State,
    pub verdict: Verdict,
    pub outcome: Option<Outcome>,
    pub reported_on: Option<NaiveDate>,
    pub reported_by: Option<String>,
    /// Working days after the due date (see the module docs); `None` when not late.
    pub late_working_days: Option<u32>,
    pub approved_on: Option<NaiveDate>,
    pub approved_by: Option<String>,
    pub waived_on: Option<NaiveDate>,
    pub waived_by: Option<String>,
    pub waived_reason: Option<String>,
    /// Closed as missed at some point (also when reported late afterwards).
    pub missed: bool,
    pub missed_on: Option<NaiveDate>,
    pub rescheduled: bool,
    /// False when the definitions no longer give it (kept because something was recorded).
    pub in_plan: bool,
    /// The latest report's texts (for the annual report).
    #[serde(skip)]
    pub uppfoljning: Option<String>,
    #[serde(skip)]
    pub analys: Option<String>,
    #[serde(skip)]
    pub reason: Option<String>,
}

/// Counts working days with a cache per organisation calendar.
struct WorkingDays<'m> {
    calendars: HashMap<&'m str, Calendar>,
    memo: HashMap<(&'m str, NaiveDate), bool>,
    fallback: Calendar,
}

impl<'m> WorkingDays<'m> {
    fn new(model: &'m Model) -> Self {
        let calendars = model.organisations.iter().map(|o| (&*o.id, Calendar::new(o.calendar.clone()))).collect();
        WorkingDays { calendars, memo: HashMap::new(), fallback: Calendar::default() }
    }

    /// Working days in (after, upto].
    fn between(&mut self, org: &'m str, after: NaiveDate, upto: NaiveDate) -> u32 {
        let mut n = 0;
        let mut d = after;
        while d < upto {
            d = match d.succ_opt() {
                Some(x) => x,
                None => break,
            };
            let cal = self.calendars.get(org).unwrap_or(&self.fallback);
            if *self.memo.entry((org, d)).or_insert_with(|| cal.is_working_day(d)) {
                n += 1;
            }
        }
        n
    }
}

fn local_date(t: chrono::DateTime<chrono::Utc>) -> NaiveDate {
    t.with_timezone(&Stockholm).date_naive()
}

/// Names of the ids on rows, from the model.
pub struct Names<'m> {
    orgs: HashMap<&'m str, &'m Organisation>,
}

impl<'m> Names<'m> {
    pub fn new(model: &'m Model) -> Self {
        Names { orgs: model.organisations.iter().map(|o| (&*o.id, o)).collect() }
    }

    pub fn org(&self, id: &str) -> Option<&'m Organisation> {
        self.orgs.get(id).copied()
    }

    pub fn plan(&self, org: &str, plan: &str) -> Option<&'m crate::definition::model::Plan> {
        self.org(org)?.plans.iter().find(|p| &*p.id == plan)
    }

    fn initiative(&self, org: &str, plan: Option<&str>, ini: &str) -> Option<String> {
        let i = self.plan(org, plan?)?.initiatives.iter().find(|i| &*i.id == ini)?;
        Some(match &i.number {
            Some(n) => format!("{n} {}", i.name),
            None => i.name.to_string(),
        })
    }

    pub fn unit(&self, org: &str, unit: &str) -> String {
        self.org(org).and_then(|o| o.unit(unit)).map_or_else(|| unit.to_owned(), |u| u.name.clone())
    }

    pub fn role(&self, org: &str, role: &str) -> String {
        let o = self.org(org);
        o.and_then(|o| o.role(role).map(|r| r.name.clone()).or_else(|| o.group(role).map(|g| g.name.clone())))
            .unwrap_or_else(|| role.to_owned())
    }
}

/// The audit rows for `promised` (in the order given).
pub fn rows(promised: &[Promised], model: &Model, people: &[Holder], today: NaiveDate) -> Vec<AuditRow> {
    let names = Names::new(model);
    let mut days = WorkingDays::new(model);
    let mut holders: HashMap<(&str, &str, &str), Vec<&str>> = HashMap::new();
    for h in people {
        holders.entry((&h.organisation, &h.role, h.unit.as_deref().unwrap_or(""))).or_default().push(&h.person.name);
    }
    promised.iter().map(|p| row(p, &names, &mut days, &holders, today)).collect()
}

fn first<'a>(events: &'a [Recorded], kind: &str) -> Option<&'a Recorded> {
    events.iter().find(|e| e.kind == kind)
}

fn last<'a>(events: &'a [Recorded], kind: &str) -> Option<&'a Recorded> {
    events.iter().rev().find(|e| e.kind == kind)
}

fn row<'m>(
    p: &'m Promised,
    names: &Names<'m>,
    days: &mut WorkingDays<'m>,
    holders: &HashMap<(&str, &str, &str), Vec<&str>>,
    today: NaiveDate,
) -> AuditRow {
    let r = &p.row;
    let org = r.organisation.as_str();
    let reported = first(&p.events, "reported");
    let reported_on = reported.map(|e| local_date(e.at));
    let missed = last(&p.events, "missed");
    let waived = (r.state == State::Waived).then(|| last(&p.events, "waived")).flatten();
    let approved = (r.state == State::Approved).then(|| last(&p.events, "approved")).flatten();
    let verdict = match (reported_on, r.due) {
        (Some(on), Some(due)) if on > due => Verdict::Late,
        (Some(_), _) => Verdict::OnTime,
        (None, _) if r.state == State::Waived => Verdict::Waived,
        (None, _) if r.state == State::Missed || missed.is_some() => Verdict::Missed,
        (None, Some(due)) if due < today => Verdict::Overdue,
        (None, _) => Verdict::Pending,
    };
    let late_until = match verdict {
        Verdict::Late => reported_on,
        Verdict::Missed | Verdict::Overdue => Some(today),
        _ => None,
    };
    let late_working_days = match (late_until, r.due) {
        (Some(until), Some(due)) if until > due => Some(days.between(&p.row.organisation, due, until)),
        _ => None,
    };
    // The owner role's holders at the row's unit (a per-unit role), else organisation-wide.
    let owner_people = holders
        .get(&(org, r.owner_role.as_str(), r.unit.as_deref().unwrap_or("")))
        .or_else(|| holders.get(&(org, r.owner_role.as_str(), "")))
        .map(|v| v.join("; "))
        .unwrap_or_default();
    AuditRow {
        checkpoint: r.id.clone(),
        organisation: r.organisation.clone(),
        plan: r.plan.clone(),
        plan_name: r.plan.as_deref().map(|pl| names.plan(org, pl).map_or_else(|| pl.to_owned(), |x| x.name.clone())),
        initiative: r.initiative.clone(),
        initiative_name: r.initiative.as_deref().map(|i| names.initiative(org, r.plan.as_deref(), i).unwrap_or_else(|| i.to_owned())),
        title: r.title.clone(),
        kind: r.kind.clone(),
        unit: r.unit.clone(),
        unit_name: r.unit.as_deref().map(|u| names.unit(org, u)),
        owner_role: r.owner_role.clone(),
        owner_role_name: names.role(org, &r.owner_role),
        owner_people,
        due: r.due,
        state: r.state,
        verdict,
        outcome: r.report.as_ref().map(|x| x.outcome),
        reported_on,
        reported_by: reported.map(|e| e.actor.clone()),
        late_working_days,
        approved_on: approved.map(|e| local_date(e.at)),
        approved_by: approved.map(|e| e.actor.clone()),
        waived_on: waived.map(|e| local_date(e.at)),
        waived_by: waived.map(|e| e.actor.clone()),
        waived_reason: waived.and_then(|e| e.reason.clone()),
        missed: missed.is_some(),
        missed_on: missed.map(|e| local_date(e.at)),
        rescheduled: r.rescheduled,
        in_plan: r.in_plan,
        uppfoljning: r.report.as_ref().map(|x| x.uppfoljning.clone()),
        analys: r.report.as_ref().map(|x| x.analys.clone()),
        reason: r.report.as_ref().and_then(|x| x.reason.clone()),
    }
}

#[cfg(test)]
mod tests;
