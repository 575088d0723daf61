//! The checkpoint table: per plan → insats → checkpoint, with state (badge with its word),
//! responsible role, unit, due date and days late. Each checkpoint links to its page.

use super::names::Names;
use super::{checkpoint_href, counts::more_note, days_late, state, t};
use crate::definition::Lang;
use crate::store::Row;
use chrono::NaiveDate;
use maud::{Markup, html};

/// Sort key: organisation, plan, insats in definition order (no plan last), then date.
fn key(names: &Names, r: &Row) -> (usize, usize, usize, Option<NaiveDate>) {
    let org = names.org(&r.organisation);
    let plan = org.zip(r.plan.as_deref()).and_then(|(o, p)| o.plans.iter().position(|x| &*x.id == p));
    let ini = org
        .zip(plan)
        .and_then(|(o, p)| o.plans.get(p))
        .zip(r.initiative.as_deref())
        .and_then(|(p, i)| p.initiatives.iter().position(|x| &*x.id == i));
    let plan_key = match (&r.plan, plan) {
        (None, _) => usize::MAX,
        (Some(_), Some(p)) => p,
        (Some(_), None) => usize::MAX - 1,
    };
    (names.org_index(&r.organisation), plan_key, ini.unwrap_or(usize::MAX), r.due)
}

/// Rows in table order: plan, insats, date (undated last within an insats), id.
pub fn ordered<'r>(rows: &'r [Row], names: &Names) -> Vec<&'r Row> {
    let mut v: Vec<&Row> = rows.iter().collect();
    v.sort_by(|a, b| {
        let (ka, kb) = (key(names, a), key(names, b));
        (ka.0, ka.1, &a.plan, ka.2, &a.initiative, a.due.is_none(), ka.3, &a.id).cmp(&(
            kb.0,
            kb.1,
            &b.plan,
            kb.2,
            &b.initiative,
            b.due.is_none(),
            kb.3,
            &b.id,
        ))
    });
    v
}

/// The table section: at most `limit` checkpoints (the CSV has them all).
pub fn section(rows: &[Row], names: &Names, today: NaiveDate, lang: Lang, limit: usize) -> Markup {
    let ordered = ordered(rows, names);
    let shown = &ordered[..ordered.len().min(limit)];
    // Consecutive runs of the same (organisation, plan).
    let mut plans: Vec<Vec<&Row>> = Vec::new();
    for r in shown {
        match plans.last_mut() {
            Some(g) if g[0].organisation == r.organisation && g[0].plan == r.plan => g.push(r),
            _ => plans.push(vec![r]),
        }
    }
    html! {
        section class="ov-checkpoints" aria-labelledby="ov-table-h" {
            h2 id="ov-table-h" { (t(lang, "Kontrollpunkter per plan och insats", "Checkpoints by plan and initiative")) }
            @if rows.is_empty() {
                p { (t(lang, "Inga kontrollpunkter med de här filtren.", "No checkpoints with these filters.")) }
            }
            @for group in &plans { (plan_table(group, names, today, lang)) }
            @if ordered.len() > limit { p class="ov-note" { (more_note(lang, limit, ordered.len())) } }
        }
    }
}

fn plan_table(group: &[&Row], names: &Names, today: NaiveDate, lang: Lang) -> Markup {
    let first = group[0];
    let plan = names
        .plan(&first.organisation, first.plan.as_deref())
        .unwrap_or_else(|| t(lang, "Utan plan: årshjulet och grupper", "No plan: the wheel and groups").into());
    let heading = if names.multi_org() { format!("{plan} ({})", names.org_name(&first.organisation)) } else { plan };
    // Each row with whether it starts a new insats.
    let items = group.iter().enumerate().map(|(i, r)| (i == 0 || group[i - 1].initiative != r.initiative, *r));
    html! {
        h3 class="ov-plan" { (heading) }
        div class="ov-scroll" {
            table class="ov-table ov-cps" {
                thead { tr {
                    th scope="col" { (t(lang, "Kontrollpunkt", "Checkpoint")) }
                    th scope="col" { (t(lang, "Status", "State")) }
                    th scope="col" { (t(lang, "Ansvarig", "Responsible")) }
                    th scope="col" { (t(lang, "Enhet", "Unit")) }
                    th scope="col" { (t(lang, "Förfaller", "Due")) }
                    th scope="col" { (t(lang, "Dagar sena", "Days late")) }
                } }
                tbody {
                    @for (starts, r) in items {
                        @if starts {
                            tr class="ov-ins" { th colspan="6" scope="colgroup" {
                                (names.initiative(&r.organisation, r.plan.as_deref(), r.initiative.as_deref())
                                    .unwrap_or_else(|| t(lang, "Utan insats", "No initiative").into()))
                            } }
                        }
                        (line(r, names, today, lang))
                    }
                }
            }
        }
    }
}

fn line(r: &Row, names: &Names, today: NaiveDate, lang: Lang) -> Markup {
    let late = days_late(r, today);
    html! {
        tr {
            td {
                a href=(checkpoint_href(&r.id)) { (r.title) }
                @for tag in tags(r, lang) { " " span class="ov-tag" { (tag) } }
            }
            td { (state::badge(r.state, lang)) }
            td { (names.role(&r.organisation, &r.owner_role)) }
            td { @match &r.unit { Some(u) => (names.unit(&r.organisation, u)), None => span class="ov-dim" { (t(lang, "huvudmannen", "organiser")) } } }
            td class="ov-date" { @match r.due { Some(d) => (d.format("%Y-%m-%d")), None => (t(lang, "fortlöpande", "continuous")) } }
            td class=[late.map(|_| "ov-bad ov-n")] { @match late { Some(n) => (n), None => "–" } }
        }
    }
}

/// Short facts worth a glance: moved, no longer in the plan, added after its date, in a break.
pub fn tags(r: &Row, lang: Lang) -> Vec<String> {
    let mut out = Vec::new();
    if r.rescheduled {
        out.push(t(lang, "flyttad", "rescheduled").to_owned());
    }
    if !r.in_plan {
        out.push(t(lang, "ej längre i planen", "no longer in the plan").to_owned());
    }
    if r.added_past_due {
        out.push(t(lang, "tillagd efter sitt datum, påminns inte", "added after its date, not reminded").to_owned());
    }
    if let Some(b) = &r.school_break {
        out.push(match lang {
            Lang::Sv => format!("under {b}"),
            Lang::En => format!("during {b}"),
        });
    }
    out
}
