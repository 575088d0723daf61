//! The filter form (GET, no script): period, organisation (when several), plan, unit, role,
//! states, and where the wheel starts; and the notes about ignored values.

use super::filter::{Filter, Note, Period, WheelStart, school_year_of};
use super::{state, t};
use crate::definition::{Lang, Model};
use chrono::NaiveDate;
use maud::{Markup, html};

/// The periods offered: all dates, then each läsår (with its ht and vt) from the plans' first
/// to their last, within five läsår of today's, and always today's and the filter's.
pub fn periods(model: &Model, today: NaiveDate, current: Period) -> Vec<Period> {
    let now = school_year_of(today);
    let plans = model.organisations.iter().flat_map(|o| &o.plans).map(|p| p.period);
    let first = plans.clone().map(|p| school_year_of(p.start)).min().unwrap_or(now).clamp(now - 5, now);
    let last = plans.map(|p| school_year_of(p.end)).max().unwrap_or(now).clamp(now, now + 5);
    let mut out = vec![Period::All];
    for y in first..=last {
        out.extend([Period::SchoolYear(y), Period::Term(crate::calendar::Term::ht(y)), Period::Term(crate::calendar::Term::vt(y + 1))]);
    }
    if !out.contains(&current) {
        out.push(current);
    }
    out
}

/// The form. Options come from the model's organisations in `offered` (all when empty); the
/// selected ones from `f`.
pub fn form(f: &Filter, notes: &[Note], model: &Model, offered: &[String], today: NaiveDate, lang: Lang) -> Markup {
    let orgs: Vec<_> = model.organisations.iter().filter(|o| offered.is_empty() || offered.iter().any(|x| **x == *o.id)).collect();
    let multi = orgs.len() > 1;
    let tag = |org: &str, name: &str| if multi { format!("{name} ({org})") } else { name.to_owned() };
    let plans: Vec<(String, String)> = orgs.iter().flat_map(|o| o.plans.iter().map(|p| (p.id.to_string(), tag(&o.id, &p.name)))).collect();
    let units: Vec<(String, String)> = orgs.iter().flat_map(|o| o.units.iter().map(|u| (u.id.to_string(), tag(&o.id, &u.name)))).collect();
    let roles: Vec<(String, String)> = orgs
        .iter()
        .flat_map(|o| {
            o.roles
                .iter()
                .map(|r| (r.id.to_string(), tag(&o.id, &r.name)))
                .chain(o.groups.iter().map(|g| (g.id.to_string(), tag(&o.id, &g.name))))
        })
        .collect();
    let org_opts: Vec<(String, String)> = orgs.iter().map(|o| (o.id.to_string(), o.name.clone())).collect();
    html! {
        form method="get" class="ov-filter" aria-label=(t(lang, "Filter", "Filters")) {
            div class="ov-field" {
                label for="ov-f-period" { (t(lang, "Period", "Period")) }
                select id="ov-f-period" name="period" {
                    @for p in periods(model, today, f.period) {
                        option value=(p.param()) selected[p == f.period] { (p.label(lang)) }
                    }
                }
            }
            @if multi { (select("org", t(lang, "Organisation", "Organisation"), t(lang, "Alla organisationer", "All organisations"), &org_opts, f.organisation.as_deref())) }
            (select("plan", t(lang, "Plan", "Plan"), t(lang, "Alla planer", "All plans"), &plans, f.plan.as_deref()))
            (select("unit", t(lang, "Enhet", "Unit"), t(lang, "Alla enheter", "All units"), &units, f.unit.as_deref()))
            (select("role", t(lang, "Ansvarig roll", "Responsible role"), t(lang, "Alla roller", "All roles"), &roles, f.role.as_deref()))
            fieldset class="ov-field ov-states-f" {
                legend { (t(lang, "Status (ingen vald: alla utom strukna)", "State (none chosen: all but cancelled)")) }
                @for s in state::ALL {
                    label class="ov-check" {
                        input type="checkbox" name="state" value=(s.en()) checked[f.states.contains(&s)];
                        " " (state::label(s, lang))
                    }
                }
            }
            div class="ov-field" {
                label for="ov-f-start" { (t(lang, "Årshjulet börjar i", "The wheel starts in")) }
                select id="ov-f-start" name="start" {
                    option value="aug" selected[f.wheel_start == WheelStart::August] { (t(lang, "augusti (läsår)", "August (school year)")) }
                    option value="jan" selected[f.wheel_start == WheelStart::January] { (t(lang, "januari (kalenderår)", "January (calendar year)")) }
                }
            }
            div class="ov-actions" {
                button type="submit" { (t(lang, "Visa", "Show")) }
                " " a href="?" { (t(lang, "Återställ", "Reset")) }
            }
        }
        @if !notes.is_empty() {
            div class="ov-notes" role="status" {
                p { (t(lang, "Några filtervärden kändes inte igen och användes inte:", "Some filter values were not recognised and were not used:")) }
                ul { @for n in notes { li { code { (n.param) } " = " code { (n.value) } } } }
            }
        }
    }
}

fn select(name: &str, label: &str, all: &str, opts: &[(String, String)], current: Option<&str>) -> Markup {
    let id = format!("ov-f-{name}");
    html! {
        div class="ov-field" {
            label for=(id) { (label) }
            select id=(id) name=(name) {
                option value="" selected[current.is_none()] { (all) }
                @for (v, l) in opts { option value=(v) selected[current == Some(v.as_str())] { (l) } }
            }
        }
    }
}
