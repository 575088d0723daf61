//! `GET /`: a signed-in person's "Mina enheter" — their units, and what is due, late,
//! reported and returned for completion among the checkpoints they report, plus what
//! waits for their approval; a visitor gets the sign-in page. The
//! förvaltningschef's overview is `web::overview_page`.

use super::access::{Action, Viewer, can_act};
use super::checkpoint::state_text;
use super::layout::page;
use super::session::{MaybeSigned, Pre};
use super::{AppState, WebError, checkpoint_path, t};
use crate::mail::format_date;
use crate::store::{Filter, Row};
use crate::workflow::State;
use axum::extract::State as AxState;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

/// Upcoming (planned) checkpoints listed at most.
const UPCOMING: usize = 10;

/// The checkpoints `v` may see in the organisations and units they hold roles for.
async fn rows(s: &AppState, v: &Viewer) -> Result<Vec<Row>, WebError> {
    let model = s.model();
    let mut out: Vec<Row> = Vec::new();
    let mut scopes: Vec<(String, Option<String>)> = v
        .holds
        .iter()
        .map(|h| {
            let per_unit =
                model.organisations.iter().find(|o| *o.id == *h.organisation).and_then(|o| o.role(&h.role)).is_some_and(|r| r.per_unit);
            (h.organisation.clone(), if per_unit { h.unit.clone() } else { None })
        })
        .collect();
    scopes.sort();
    scopes.dedup();
    // An organisation-wide scope covers that organisation's unit scopes.
    let wide: Vec<String> = scopes.iter().filter(|(_, u)| u.is_none()).map(|(o, _)| o.clone()).collect();
    scopes.retain(|(o, u)| u.is_none() || !wide.contains(o));
    for (org, unit) in scopes {
        let f = Filter { organisation: Some(org), unit, ..Filter::default() };
        out.extend(s.store.status(&f).await.map_err(WebError::store(s.lang))?);
    }
    out.retain(|r| super::access::can_see(v, r, &model));
    out.dedup_by(|a, b| a.id == b.id);
    Ok(out)
}

fn list(s: &AppState, heading: &str, rows: &[&Row], empty: &str) -> Markup {
    let lang = s.lang;
    html! {
        section aria-labelledby=(format!("h-{}", heading.len())) {
            h2 id=(format!("h-{}", heading.len())) { (heading) " (" (rows.len()) ")" }
            @if rows.is_empty() { p class="muted" { (empty) } }
            @else {
                ul class="items" {
                    @for r in rows {
                        li {
                            a href=(checkpoint_path(&r.id)) { (r.title) }
                            br;
                            span class="muted" {
                                (r.unit.clone().unwrap_or_default()) @if r.unit.is_some() { " · " }
                                (r.due.map_or_else(|| t(lang, "fortlöpande", "continuous").to_owned(), |d| format_date(d, lang)))
                                " · "
                            }
                            span class="state" { (state_text(r, lang)) }
                        }
                    }
                }
            }
        }
    }
}

/// `GET /`.
pub async fn home(AxState(s): AxState<AppState>, MaybeSigned(signed): MaybeSigned, pre: Pre) -> Result<Response, WebError> {
    let Some(signed) = signed else { return Ok(super::login::login_page(&s, &pre, "", None)) };
    let v = &signed.viewer;
    let lang = s.lang;
    let model = s.model();
    let all = rows(&s, v).await?;
    let mine: Vec<&Row> = all.iter().filter(|r| can_act(v, r, &model, Action::Report)).collect();
    let returned: Vec<&Row> = mine.iter().copied().filter(|r| r.state.is_pending() && r.report.is_some()).collect();
    let late: Vec<&Row> = mine.iter().copied().filter(|r| r.state == State::Overdue && r.report.is_none()).collect();
    let missed: Vec<&Row> = mine.iter().copied().filter(|r| r.state == State::Missed).collect();
    let due: Vec<&Row> = mine.iter().copied().filter(|r| r.state == State::Open && r.report.is_none()).collect();
    let reported: Vec<&Row> = mine.iter().copied().filter(|r| r.state == State::Reported).collect();
    let upcoming: Vec<&Row> = mine.iter().copied().filter(|r| r.state == State::Planned && r.report.is_none()).take(UPCOMING).collect();
    let to_judge: Vec<&Row> = all.iter().filter(|r| r.state == State::Reported && can_act(v, r, &model, Action::Approve)).collect();
    let units: Vec<String> = v
        .holds
        .iter()
        .filter_map(|h| {
            let org = model.organisations.iter().find(|o| *o.id == *h.organisation)?;
            let role = org.role(&h.role).map_or(h.role.clone(), |r| r.name.clone());
            Some(match h.unit.as_deref() {
                Some(u) => format!("{role}, {}", org.unit(u).map_or(u.to_owned(), |x| x.name.clone())),
                None => format!("{role}, {}", org.name),
            })
        })
        .collect();
    let title = t(lang, "Mina enheter", "My units");
    let body = html! {
        h1 { (title) }
        @if units.is_empty() { p class="muted" { (t(lang, "Du har ingen roll i de inlästa organisationerna.", "You hold no role in the loaded organisations.")) } }
        @else { ul { @for u in &units { li { (u) } } } }
        @if v.is_chief(&model) { p { a href="/overview" { (t(lang, "Till översikten", "To the overview")) } } }
        (list(&s, t(lang, "Tillbakaskickade för komplettering", "Returned for completion"), &returned, t(lang, "Inga.", "None.")))
        (list(&s, t(lang, "Försenade", "Late"), &late, t(lang, "Inga.", "None.")))
        @if !missed.is_empty() {
            (list(&s, t(lang, "Missade — kan rapporteras i efterhand", "Missed — can still be reported late"), &missed, t(lang, "Inga.", "None.")))
        }
        (list(&s, t(lang, "Att rapportera", "Due"), &due, t(lang, "Inget att rapportera just nu.", "Nothing to report just now.")))
        (list(&s, t(lang, "Rapporterade, väntar på godkännande", "Reported, awaiting approval"), &reported, t(lang, "Inga.", "None.")))
        @if !to_judge.is_empty() || v.is_chief(&model) {
            (list(&s, t(lang, "Att godkänna", "To approve"), &to_judge, t(lang, "Inget väntar på dig.", "Nothing waits for you.")))
        }
        (list(&s, t(lang, "Kommande", "Upcoming"), &upcoming, t(lang, "Inga planerade.", "None planned.")))
    };
    Ok(page(title, Some(v), lang, body).into_response())
}
