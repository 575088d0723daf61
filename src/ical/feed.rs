//! Which checkpoints a feed holds and how each becomes a VEVENT.
//!
//! - A person's feed: the checkpoints they own through the roles they hold in the people
//!   directory (a per-unit role at its units only) — [`crate::web::access::owns`].
//! - A role's feed: every checkpoint the role answers for (as owner, or as the convenor of
//!   an owning group), in one organisation or in every organisation that has the role.
//! - A unit's feed: the unit's checkpoints.
//!
//! Continuous (fortlöpande) checkpoints have no date and are left out. A checkpoint whose
//! rule is a cron expression is at the time the rule fires (Europe/Stockholm); the rest are
//! all-day events on the due date.

use super::{Calendar, Event, Start};
use crate::definition::diag::did_you_mean;
use crate::definition::model::{CadenceRule, Organisation, WheelDue, When};
use crate::definition::{Lang, Model};
use crate::msg::Msg;
use crate::remind::recipients::Holder;
use crate::store::Row;
use crate::web::access::{Viewer, owner_role, owns};
use crate::workflow::State;
use chrono::{Duration, NaiveDate, NaiveDateTime};

/// What a feed is of, as asked for (and stored with a feed link).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    Person { email: String },
    Role { organisation: Option<String>, role: String },
    Unit { organisation: Option<String>, unit: String },
}

impl Scope {
    /// `(kind, organisation, value)` as stored.
    pub fn parts(&self) -> (&'static str, Option<&str>, &str) {
        match self {
            Scope::Person { email } => ("person", None, email),
            Scope::Role { organisation, role } => ("role", organisation.as_deref(), role),
            Scope::Unit { organisation, unit } => ("unit", organisation.as_deref(), unit),
        }
    }

    /// The scope from its stored parts (`None` for an unknown kind).
    pub fn from_parts(kind: &str, organisation: Option<String>, value: String) -> Option<Scope> {
        match kind {
            "person" => Some(Scope::Person { email: value }),
            "role" => Some(Scope::Role { organisation, role: value }),
            "unit" => Some(Scope::Unit { organisation, unit: value }),
            _ => None,
        }
    }
}

/// A scope checked against the model and the people directory: what it selects.
#[derive(Clone, Debug)]
pub struct Resolved {
    /// The calendar's name (X-WR-CALNAME).
    pub name: String,
    /// The organisations whose checkpoints may be in it.
    pub organisations: Vec<String>,
    select: Select,
}

#[derive(Clone, Debug)]
enum Select {
    Owner(Box<Viewer>),
    Role(String),
    Unit(String),
}

impl Resolved {
    /// The (organisation, unit) reads that cover the feed: all of each organisation, except
    /// that a unit's feed, and a person who holds only per-unit roles in an organisation,
    /// read those units only.
    pub fn reads(&self, model: &Model) -> Vec<(String, Option<String>)> {
        let mut out = Vec::new();
        for o in &self.organisations {
            match &self.select {
                Select::Unit(u) => out.push((o.clone(), Some(u.clone()))),
                Select::Role(_) => out.push((o.clone(), None)),
                Select::Owner(v) => {
                    let per_unit = |role: &str| org(model, o).and_then(|x| x.role(role)).is_some_and(|r| r.per_unit);
                    let held: Vec<_> = v.holds.iter().filter(|h| h.organisation == *o).collect();
                    if held.iter().all(|h| per_unit(&h.role) && h.unit.is_some()) {
                        let mut units: Vec<String> = held.iter().filter_map(|h| h.unit.clone()).collect();
                        units.sort();
                        units.dedup();
                        out.extend(units.into_iter().map(|u| (o.clone(), Some(u))));
                    } else {
                        out.push((o.clone(), None));
                    }
                }
            }
        }
        out
    }

    /// Whether `row` belongs in the feed.
    pub fn holds(&self, row: &Row, model: &Model) -> bool {
        if !self.organisations.contains(&row.organisation) {
            return false;
        }
        match &self.select {
            Select::Owner(v) => owns(v, row, model),
            Select::Role(role) => org(model, &row.organisation).and_then(|o| owner_role(o, row)) == Some(role.as_str()),
            Select::Unit(unit) => row.unit.as_deref() == Some(unit.as_str()),
        }
    }
}

fn org<'m>(model: &'m Model, id: &str) -> Option<&'m Organisation> {
    model.organisations.iter().find(|o| &*o.id == id)
}

fn site(lang: Lang) -> &'static str {
    if lang == Lang::Sv { "Årshjulet" } else { "Annual cycle" }
}

/// Up to ten of `names`, for "known are: …".
fn listing<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let mut v: Vec<&str> = names.into_iter().collect();
    v.sort_unstable();
    v.dedup();
    let more = v.len().saturating_sub(10);
    let mut s = v.into_iter().take(10).map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
    if more > 0 {
        s.push_str(&format!(" … (+{more})"));
    }
    s
}

/// The organisations `organisation` names (all when `None`), or why not.
fn organisations<'m>(model: &'m Model, organisation: Option<&str>) -> Result<Vec<&'m Organisation>, Msg> {
    match organisation {
        None => Ok(model.organisations.iter().collect()),
        Some(o) => match org(model, o) {
            Some(x) => Ok(vec![x]),
            None => {
                let ids = model.organisations.iter().map(|o| &*o.id);
                let (sv, en) = did_you_mean(o, ids.clone());
                let known = listing(ids);
                Err(Msg::new(
                    format!("okänd organisation `{o}`.{sv} Kända organisationer: {known}."),
                    format!("unknown organisation `{o}`.{en} Known organisations: {known}."),
                ))
            }
        },
    }
}

/// Checks `scope` against the model and the directory: an unknown person, role, unit or
/// organisation is a message in both languages with the nearest names.
pub fn resolve(scope: &Scope, model: &Model, people: &[Holder], lang: Lang) -> Result<Resolved, Msg> {
    match scope {
        Scope::Person { email } => {
            let Some(v) = Viewer::build(email, people, model) else {
                let emails = people.iter().map(|h| h.person.email.as_str());
                let (sv, en) = did_you_mean(email, emails);
                return Err(Msg::new(
                    format!(
                        "okänd person `{email}`: adressen finns inte i personkatalogen.{sv} Se `arshjul people list`, eller läs in katalogen med `arshjul people import`."
                    ),
                    format!(
                        "unknown person `{email}`: the address is not in the people directory.{en} See `arshjul people list`, or import the directory with `arshjul people import`."
                    ),
                ));
            };
            let mut orgs: Vec<String> = v.holds.iter().map(|h| h.organisation.clone()).collect();
            orgs.sort();
            orgs.dedup();
            let name = format!("{} – {}", site(lang), v.name);
            Ok(Resolved { name, organisations: orgs, select: Select::Owner(Box::new(v)) })
        }
        Scope::Role { organisation, role } => {
            let orgs = organisations(model, organisation.as_deref())?;
            let with: Vec<&Organisation> = orgs.iter().copied().filter(|o| o.role(role).is_some()).collect();
            let Some(first) = with.first() else {
                let ids = orgs.iter().flat_map(|o| o.roles.iter().map(|r| &*r.id));
                let (sv, en) = did_you_mean(role, ids.clone());
                let known = listing(ids);
                return Err(Msg::new(
                    format!("okänd roll `{role}`.{sv} Kända roller: {known}."),
                    format!("unknown role `{role}`.{en} Known roles: {known}."),
                ));
            };
            let role_name = first.role(role).map_or(role.clone(), |r| r.name.clone());
            let name = match with.as_slice() {
                [one] if model.organisations.len() > 1 => format!("{} – {role_name} ({})", site(lang), one.name),
                _ => format!("{} – {role_name}", site(lang)),
            };
            Ok(Resolved { name, organisations: with.iter().map(|o| o.id.to_string()).collect(), select: Select::Role(role.clone()) })
        }
        Scope::Unit { organisation, unit } => {
            let orgs = organisations(model, organisation.as_deref())?;
            let with: Vec<&Organisation> = orgs.iter().copied().filter(|o| o.unit(unit).is_some()).collect();
            let Some(first) = with.first() else {
                let ids = orgs.iter().flat_map(|o| o.units.iter().map(|u| &*u.id));
                let (sv, en) = did_you_mean(unit, ids.clone());
                let known = listing(ids);
                return Err(Msg::new(
                    format!("okänd enhet `{unit}`.{sv} Kända enheter: {known}."),
                    format!("unknown unit `{unit}`.{en} Known units: {known}."),
                ));
            };
            let unit_name = first.unit(unit).map_or(unit.clone(), |u| u.name.clone());
            let name = format!("{} – {unit_name}", site(lang));
            Ok(Resolved { name, organisations: with.iter().map(|o| o.id.to_string()).collect(), select: Select::Unit(unit.clone()) })
        }
    }
}

/// The cron rule a stored checkpoint comes from, if its rule is one (found from its id:
/// `{org}/arshjul/{wheel cp}/…`, `{org}/grupp/{group}/…`, `{org}/{plan}/{initiative}[/del-n]/{cp}/…`).
fn cron_of<'m>(model: &'m Model, row: &Row) -> Option<&'m crate::calendar::recurrence::CronRule> {
    let o = org(model, &row.organisation)?;
    let rest = row.id.strip_prefix(&*o.id)?.strip_prefix('/')?;
    let wheel = |id: &str| {
        o.wheel.as_ref()?.checkpoints.iter().find(|c| &*c.id == id).and_then(|c| match &c.due {
            WheelDue::Cron(rule) => Some(&**rule),
            WheelDue::Yearly(_) => None,
        })
    };
    let cadence = |when: &'m When| match when {
        When::Every(c) => match &c.rule {
            CadenceRule::Cron(rule) => Some(&**rule),
            CadenceRule::Every { .. } => None,
        },
        _ => None,
    };
    if let Some(r) = rest.strip_prefix("arshjul/") {
        return wheel(r.split('/').next()?);
    }
    if let Some(r) = rest.strip_prefix("grupp/") {
        let g = o.group(r.split('/').next()?)?;
        return g.meets.as_ref().and_then(|c| match &c.rule {
            CadenceRule::Cron(rule) => Some(&**rule),
            CadenceRule::Every { .. } => None,
        });
    }
    let (plan_id, init_id) = (row.plan.as_deref()?, row.initiative.as_deref()?);
    let plan = o.plans.iter().find(|p| &*p.id == plan_id)?;
    let init = plan.initiatives.iter().find(|i| &*i.id == init_id)?;
    let mut segs = rest.strip_prefix(plan_id)?.strip_prefix('/')?.strip_prefix(init_id)?.split('/').skip(1).peekable();
    let part = segs.next_if(|s| s.starts_with("del-")).and_then(|s| s["del-".len()..].parse::<u32>().ok());
    let cp = segs.next()?;
    let own = match part {
        Some(n) => init.parts.iter().find(|p| p.number == n)?.checkpoints.iter().find(|c| &*c.id == cp),
        None => init.checkpoints.iter().find(|c| &*c.id == cp),
    };
    match own {
        Some(c) => cadence(&c.when),
        None => wheel(cp),
    }
}

/// When `row`'s event starts: at its cron rule's time of day (the first firing on the due
/// date, else the nearest firing within a week: a date rolled off a holiday or moved keeps
/// the rule's time), else all day.
pub fn start_of(model: &Model, row: &Row, due: NaiveDate) -> Start {
    let Some(rule) = cron_of(model, row) else { return Start::Date(due) };
    let near = |days: i64| {
        crate::calendar::DateRange::new(due - Duration::days(days), due + Duration::days(days))
            .map(|r| rule.local_times(r))
            .unwrap_or_default()
    };
    let on_day = near(0).into_iter().find(|t| t.date() == due);
    let time = on_day.map(|t| t.time()).or_else(|| near(7).into_iter().min_by_key(|t| (t.date() - due).num_days().abs()).map(|t| t.time()));
    match time {
        Some(t) => Start::Local(NaiveDateTime::new(due, t)),
        None => Start::Date(due),
    }
}

/// The text a feed shows (names from the model and the directory).
pub struct Texts<'a> {
    pub model: &'a Model,
    pub people: &'a [Holder],
    /// The public URL of the web pages (no trailing slash).
    pub base_url: &'a str,
    pub lang: Lang,
}

impl Texts<'_> {
    fn t(&self, sv: &str, en: &str) -> String {
        if self.lang == Lang::Sv { sv.to_owned() } else { en.to_owned() }
    }

    /// `row` as an event (`None` for a continuous checkpoint, which has no date).
    pub fn event(&self, row: &Row, sequence: u32) -> Option<Event> {
        let due = row.due?;
        let o = org(self.model, &row.organisation);
        let unit = row.unit.as_deref().map(|u| o.and_then(|o| o.unit(u)).map_or(u.to_owned(), |x| x.name.clone()));
        let cancelled = row.state == State::Cancelled || !row.in_plan;
        let mut summary = String::new();
        if cancelled {
            summary.push_str(&self.t("Struken: ", "Cancelled: "));
        }
        summary.push_str(&row.title);
        if let Some(u) = &unit {
            summary.push_str(" – ");
            summary.push_str(u);
        }
        let mut d: Vec<String> = Vec::new();
        if let (Some(o), Some(plan_id)) = (o, row.plan.as_deref()) {
            let plan = o.plans.iter().find(|p| &*p.id == plan_id);
            d.push(format!("{}: {}", self.t("Plan", "Plan"), plan.map_or(plan_id.to_owned(), |p| p.name.clone())));
            if let Some(init_id) = row.initiative.as_deref() {
                let init = plan.and_then(|p| p.initiatives.iter().find(|i| &*i.id == init_id));
                let name = init.map_or(init_id.to_owned(), |i| match &i.number {
                    Some(n) => format!("{n} {}", i.name),
                    None => i.name.to_string(),
                });
                d.push(format!("{}: {name}", self.t("Insats", "Initiative")));
            }
        }
        let role = o.and_then(|o| owner_role(o, row)).unwrap_or(&row.owner_role);
        let role_name = o.and_then(|o| o.role(role)).map_or(row.owner_role.clone(), |r| r.name.clone());
        let per_unit = o.and_then(|o| o.role(role)).is_some_and(|r| r.per_unit);
        let holders: Vec<&str> = self
            .people
            .iter()
            .filter(|h| h.organisation == row.organisation && h.role == role && (!per_unit || h.unit == row.unit))
            .map(|h| h.person.name.as_str())
            .collect();
        let mut owner = role_name;
        if let Some(u) = &unit {
            owner.push_str(&format!(", {u}"));
        }
        if !holders.is_empty() {
            owner.push_str(&format!(" ({})", holders.join(", ")));
        }
        d.push(format!("{}: {owner}", self.t("Ansvarig", "Owner")));
        let state = if self.lang == Lang::Sv { row.state.sv() } else { row.state.en() };
        d.push(format!("{}: {state}", self.t("Status", "State")));
        if row.rescheduled {
            d.push(self.t("Flyttad från planens datum.", "Moved from the plan's date."));
        }
        if !row.in_plan {
            d.push(self.t("Inte längre i planen.", "No longer in the plan."));
        }
        let url = format!("{}{}", self.base_url, crate::web::checkpoint_path(&row.id));
        d.push(url.clone());
        Some(Event {
            uid: format!("{}@arshjul", row.id),
            start: start_of(self.model, row, due),
            summary,
            description: d.join("\n"),
            url,
            sequence,
            cancelled,
        })
    }

    /// The calendar named `name` of `rows` with their `sequences` (by id; 0 when absent).
    pub fn calendar(&self, name: &str, rows: &[Row], sequences: &std::collections::HashMap<String, u32>) -> Calendar {
        let events = rows.iter().filter_map(|r| self.event(r, sequences.get(&r.id).copied().unwrap_or(0))).collect();
        Calendar { name: name.to_owned(), events }
    }
}

#[cfg(test)]
mod tests;
