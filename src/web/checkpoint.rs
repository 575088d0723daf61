//! The checkpoint page (`/checkpoint/<id>`, the id percent-encoded into one segment):
//! what it is, its report, its history (who, when, what, why), and for the superior the
//! approve and return-for-completion forms. A checkpoint the viewer may not see is
//! answered exactly like an unknown id (404).

use super::access::{Action, Viewer, can_act, can_see};
use super::layout::page;
use super::report::Typed;
use super::session::{Fields, MaybeSigned};
use super::{AppState, WebError, checkpoint_path, t};
use crate::definition::Lang;
use crate::mail::format_date;
use crate::store::Row;
use crate::workflow::{Command, Event, EventKind, State, Today};
use axum::Form;
use axum::extract::{Path, State as AxState};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono_tz::Europe::Stockholm;
use maud::{Markup, html};

/// The checkpoint `id` if `v` may see it; else 404, the same as an unknown id.
pub async fn visible(s: &AppState, v: &Viewer, id: &str) -> Result<Row, WebError> {
    let row = s.store.checkpoint(id).await.map_err(WebError::store(s.lang))?;
    match row {
        Some(r) if can_see(v, &r, &s.model()) => Ok(r),
        _ => Err(WebError::NotFound(s.lang)),
    }
}

/// The state as a reader says it ("returned for completion" is an open state with a report).
pub fn state_text(row: &Row, lang: Lang) -> &'static str {
    if row.state.is_pending() && row.report.is_some() {
        return t(lang, "tillbakaskickad för komplettering", "returned for completion");
    }
    match lang {
        Lang::Sv => row.state.sv(),
        Lang::En => row.state.en(),
    }
}

/// Unit, due date, state and owner of `row`, as a definition list.
pub fn facts(s: &AppState, row: &Row) -> Markup {
    let lang = s.lang;
    let model = s.model();
    let org = model.organisations.iter().find(|o| *o.id == *row.organisation);
    let unit = row.unit.as_deref().map(|u| org.and_then(|o| o.unit(u)).map_or(u.to_owned(), |x| x.name.clone()));
    let owner = org.and_then(|o| o.role(&row.owner_role)).map_or(row.owner_role.clone(), |r| r.name.clone());
    html! {
        dl class="facts" {
            @if let Some(o) = org { dt { (t(lang, "Organisation", "Organisation")) } dd { (o.name) } }
            @if let Some(u) = unit { dt { (t(lang, "Enhet", "Unit")) } dd { (u) } }
            dt { (t(lang, "Förfaller", "Due")) }
            dd { (row.due.map_or_else(|| t(lang, "fortlöpande", "continuous").to_owned(), |d| format_date(d, lang))) }
            dt { (t(lang, "Läge", "Status")) } dd { span class="state" { (state_text(row, lang)) } }
            dt { (t(lang, "Ansvarig", "Responsible")) } dd { (owner) }
        }
    }
}

fn event_text(e: &EventKind, lang: Lang) -> String {
    let s = |sv: &str, en: &str| if lang == Lang::Sv { sv.to_owned() } else { en.to_owned() };
    match e {
        EventKind::Created { .. } => s("skapad", "created"),
        EventKind::Rescheduled { to, .. } => {
            let to = to.map(|d| d.to_string()).unwrap_or_default();
            format!("{} {to}", s("flyttad till", "moved to"))
        }
        EventKind::Cancelled => s("struken", "cancelled"),
        EventKind::LeftPlan => s("inte längre i planen", "no longer in the plan"),
        EventKind::Restored => s("tillbaka i planen", "back in the plan"),
        EventKind::Opened => s("öppnad", "opened"),
        EventKind::BecameOverdue => s("försenad", "overdue"),
        EventKind::Reported { report } => {
            format!("{}: {}", s("rapporterad", "reported"), if lang == Lang::Sv { report.outcome.sv() } else { report.outcome.en() })
        }
        EventKind::Returned => s("tillbakaskickad för komplettering", "returned for completion"),
        EventKind::Approved => s("godkänd", "approved"),
        EventKind::Waived => s("avskriven", "waived"),
        EventKind::Missed => s("missad", "missed"),
    }
}

fn history(events: &[Event], lang: Lang) -> Markup {
    html! {
        div class="table-wrap" {
            table {
                caption class="muted" { (t(lang, "Varje händelse, äldst först", "Every event, oldest first")) }
                thead { tr {
                    th scope="col" { (t(lang, "När", "When")) } th scope="col" { (t(lang, "Vem", "Who")) }
                    th scope="col" { (t(lang, "Vad", "What")) } th scope="col" { (t(lang, "Varför", "Why")) }
                } }
                tbody {
                    @for e in events {
                        tr {
                            td { (e.at.with_timezone(&Stockholm).format("%Y-%m-%d %H:%M")) }
                            td { (e.actor) }
                            td { (event_text(&e.kind, lang)) }
                            td { (e.reason.clone().unwrap_or_default()) }
                        }
                    }
                }
            }
        }
    }
}

fn decision_forms(s: &AppState, v: &Viewer, row: &Row, return_error: Option<&str>, reason: &str) -> Markup {
    let lang = s.lang;
    let path = checkpoint_path(&row.id);
    html! {
        h2 { (t(lang, "Bedöm rapporten", "Judge the report")) }
        form method="post" action=(format!("{path}/approve")) {
            input type="hidden" name="csrf" value=(v.csrf);
            button type="submit" { (t(lang, "Godkänn", "Approve")) }
        }
        form class="stack" method="post" action=(format!("{path}/return")) {
            input type="hidden" name="csrf" value=(v.csrf);
            div class="field" {
                label for="return-reason" { (t(lang, "Vad behöver kompletteras?", "What needs completing?")) }
                textarea id="return-reason" name="reason" aria-invalid=(if return_error.is_some() { "true" } else { "false" })
                    aria-describedby=[return_error.map(|_| "return-reason-error")] { (reason) }
                @if let Some(e) = return_error { p class="error" id="return-reason-error" { (e) } }
            }
            div { button type="submit" class="secondary" { (t(lang, "Skicka tillbaka för komplettering", "Return for completion")) } }
        }
    }
}

async fn render(
    s: &AppState,
    v: &Viewer,
    row: &Row,
    notice: Option<&str>,
    return_error: Option<&str>,
    reason: &str,
) -> Result<Markup, WebError> {
    let lang = s.lang;
    let model = s.model();
    let events = s.store.history(&row.id).await.map_err(WebError::store(lang))?;
    let may_report =
        can_act(v, row, &model, Action::Report) && super::report::state_problem(row, lang).is_none() && row.state != State::Reported;
    let may_judge = row.state == State::Reported && can_act(v, row, &model, Action::Approve);
    let typed = Typed::from_row(row);
    let body = html! {
        h1 { (row.title) }
        @if let Some(n) = notice { p class="notice" role="status" { (n) } }
        (facts(s, row))
        @if may_report { p { a href=(format!("{}/report", checkpoint_path(&row.id))) { (t(lang, "Rapportera", "Report")) } } }
        h2 { (t(lang, "Rapport", "Report")) }
        @if let Some(r) = &row.report {
            dl class="facts" {
                dt { (t(lang, "Utfall", "Outcome")) } dd { (typed.outcome) }
                @if let Some(reason) = &r.reason { dt { (t(lang, "Skäl", "Reason")) } dd { (reason) } }
                dt { "Uppföljning" } dd { (r.uppfoljning) }
                dt { "Analys" } dd { (r.analys) }
                @if !r.links.is_empty() {
                    dt { (t(lang, "Länkar", "Links")) }
                    dd { ul { @for l in &r.links { li { a href=(l) rel="noreferrer noopener" { (l) } } } } }
                }
            }
        } @else {
            p class="muted" { (t(lang, "Ingen rapport ännu.", "No report yet.")) }
        }
        @if may_judge { (decision_forms(s, v, row, return_error, reason)) }
        h2 { (t(lang, "Historik", "History")) }
        (history(&events, lang))
    };
    Ok(page(&row.title, Some(v), lang, body))
}

/// `GET /checkpoint/<id>`.
pub async fn show(AxState(s): AxState<AppState>, MaybeSigned(signed): MaybeSigned, Path(id): Path<String>) -> Result<Response, WebError> {
    let Some(signed) = signed else { return Ok(Redirect::to("/login").into_response()) };
    let row = visible(&s, &signed.viewer, &id).await?;
    Ok(render(&s, &signed.viewer, &row, None, None, "").await?.into_response())
}

async fn decide(s: AppState, signed: Option<super::session::Signed>, id: String, f: Fields, approve: bool) -> Result<Response, WebError> {
    let Some(signed) = signed else { return Err(WebError::Forbidden(s.lang)) };
    if !signed.csrf_ok(&s, f.get("csrf")) {
        return Err(WebError::Forbidden(s.lang));
    }
    let v = &signed.viewer;
    let row = visible(&s, v, &id).await?;
    let action = if approve { Action::Approve } else { Action::Return };
    if !can_act(v, &row, &s.model(), action) {
        return Err(WebError::Forbidden(s.lang));
    }
    let reason = f.get("reason").trim().to_owned();
    if !approve && reason.is_empty() {
        let e = t(s.lang, "Skriv vad som behöver kompletteras.", "Say what needs completing.");
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&s, v, &row, None, Some(e), "").await?).into_response());
    }
    let cmd = if approve { Command::Approve } else { Command::Return { reason: reason.clone() } };
    let today = Today { date: s.today(), target_is_working_day: true, window: None };
    let acted = s.store.act(&row.id, &cmd, &v.email, s.now(), today).await.map_err(WebError::store(s.lang))?;
    let row = visible(&s, v, &id).await?;
    Ok(match acted {
        Ok(_) => {
            let n = if approve {
                t(s.lang, "Rapporten är godkänd.", "The report is approved.")
            } else {
                t(s.lang, "Rapporten är tillbakaskickad för komplettering.", "The report was returned for completion.")
            };
            render(&s, v, &row, Some(n), None, "").await?.into_response()
        }
        Err(refusal) => {
            (StatusCode::UNPROCESSABLE_ENTITY, render(&s, v, &row, Some(refusal.get(s.lang)), None, &reason).await?).into_response()
        }
    })
}

/// `POST /checkpoint/<id>/approve`.
pub async fn approve(s: AxState<AppState>, m: MaybeSigned, p: Path<String>, f: Form<Fields>) -> Result<Response, WebError> {
    decide(s.0, m.0, p.0, f.0, true).await
}

/// `POST /checkpoint/<id>/return`.
pub async fn send_back(s: AxState<AppState>, m: MaybeSigned, p: Path<String>, f: Form<Fields>) -> Result<Response, WebError> {
    decide(s.0, m.0, p.0, f.0, false).await
}
