//! The checkpoint page (`/checkpoint/<id>`, the id percent-encoded into one segment):
//! what it is, its report, its history (who, when, what, why), and for the superior the
//! approve and return-for-completion forms, for the superior and an administrator the
//! waive and reschedule forms. A checkpoint the viewer may not see is
//! answered exactly like an unknown id (404).

use super::access::{Action, Viewer, can_act, can_see};
use super::layout::page;
use super::report::Typed;
use super::session::{Fields, MaybeSigned};
use super::{AppState, WebError, checkpoint_path, t};
use crate::definition::Lang;
use crate::mail::format_date;
use crate::store::Row;
use crate::workflow::{Command, Event, EventKind, State, Today, VIA_CLI};
use axum::Form;
use axum::extract::{Path, State as AxState};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
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
        EventKind::Reported { report, late } => {
            let late = late.map(|l| format!(" ({})", l.describe().get(lang))).unwrap_or_default();
            format!("{}: {}{late}", s("rapporterad", "reported"), if lang == Lang::Sv { report.outcome.sv() } else { report.outcome.en() })
        }
        EventKind::Returned => s("tillbakaskickad för komplettering", "returned for completion"),
        EventKind::Approved => s("godkänd", "approved"),
        EventKind::Waived => s("avskriven", "waived"),
        EventKind::Missed => s("missad", "missed"),
    }
}

fn history(events: &[Event], lang: Lang) -> Markup {
    html! {
        div class="table-wrap" tabindex="0" role="region" aria-label=(t(lang, "Historik", "History")) {
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
                            td {
                                (e.actor)
                                @if e.via.as_deref() == Some(VIA_CLI) {
                                    " " span class="muted" { (t(lang, "(via kommandoraden)", "(via the command line)")) }
                                }
                            }
                            td { (event_text(&e.kind, lang)) }
                            td { (e.reason.clone().unwrap_or_default()) }
                        }
                    }
                }
            }
        }
    }
}

/// The forms as typed, with what is wrong with them (all empty on a plain view).
#[derive(Clone, Debug, Default)]
struct Forms {
    return_reason: String,
    return_error: Option<&'static str>,
    waive_reason: String,
    waive_error: Option<String>,
    date: String,
    date_error: Option<String>,
    move_reason: String,
    move_reason_error: Option<&'static str>,
    force: bool,
}

fn invalid(e: bool) -> &'static str {
    if e { "true" } else { "false" }
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

/// Waive and reschedule, for those who may (the superior, an administrator); the checkbox
/// that allows a past date or a non-working day only for an administrator.
fn closing_forms(s: &AppState, v: &Viewer, row: &Row, f: &Forms, waive: bool, reschedule: bool) -> Markup {
    let lang = s.lang;
    let path = checkpoint_path(&row.id);
    html! {
        h2 { (t(lang, "Skriv av eller flytta", "Waive or reschedule")) }
        @if reschedule {
            form class="stack" method="post" action=(format!("{path}/reschedule")) novalidate {
                input type="hidden" name="csrf" value=(v.csrf);
                div class="field" {
                    label for="reschedule-date" { (t(lang, "Nytt datum", "New date")) }
                    p class="hint" id="reschedule-date-hint" { (t(lang, "Skriv som ÅÅÅÅ-MM-DD, t.ex. 2021-06-11.", "As YYYY-MM-DD, e.g. 2021-06-11.")) }
                    input type="date" id="reschedule-date" name="date" value=(f.date) required
                        aria-invalid=(invalid(f.date_error.is_some()))
                        aria-describedby=(if f.date_error.is_some() { "reschedule-date-hint reschedule-date-error" } else { "reschedule-date-hint" });
                    @if let Some(e) = &f.date_error { p class="error" id="reschedule-date-error" { (e) } }
                }
                div class="field" {
                    label for="reschedule-reason" { (t(lang, "Varför flyttas datumet?", "Why does the date move?")) }
                    textarea id="reschedule-reason" name="reason" required aria-invalid=(invalid(f.move_reason_error.is_some()))
                        aria-describedby=[f.move_reason_error.map(|_| "reschedule-reason-error")] { (f.move_reason) }
                    @if let Some(e) = f.move_reason_error { p class="error" id="reschedule-reason-error" { (e) } }
                }
                @if v.admin {
                    div class="field" {
                        label for="reschedule-force" {
                            input type="checkbox" id="reschedule-force" name="force" value="ja" checked[f.force];
                            " " (t(lang, "Tillåt passerat datum eller helgdag", "Allow a past date or a holiday"))
                        }
                    }
                }
                div { button type="submit" class="secondary" { (t(lang, "Flytta datumet", "Move the date")) } }
            }
        }
        @if waive {
            form class="stack" method="post" action=(format!("{path}/waive")) novalidate {
                input type="hidden" name="csrf" value=(v.csrf);
                div class="field" {
                    label for="waive-reason" { (t(lang, "Varför skrivs kontrollpunkten av?", "Why is the checkpoint waived?")) }
                    p class="hint" id="waive-reason-hint" { (t(lang, "Kontrollpunkten stängs utan rapport; skälet sparas i historiken.", "The checkpoint closes without a report; the reason is kept in the history.")) }
                    textarea id="waive-reason" name="reason" required aria-invalid=(invalid(f.waive_error.is_some()))
                        aria-describedby=(if f.waive_error.is_some() { "waive-reason-hint waive-reason-error" } else { "waive-reason-hint" }) { (f.waive_reason) }
                    @if let Some(e) = &f.waive_error { p class="error" id="waive-reason-error" { (e) } }
                }
                div { button type="submit" class="secondary" { (t(lang, "Skriv av", "Waive")) } }
            }
        }
    }
}

async fn render(s: &AppState, v: &Viewer, row: &Row, notice: Option<&str>, f: &Forms) -> Result<Markup, WebError> {
    let lang = s.lang;
    let model = s.model();
    let events = s.store.history(&row.id).await.map_err(WebError::store(lang))?;
    let may_report =
        can_act(v, row, &model, Action::Report) && super::report::state_problem(row, lang).is_none() && row.state != State::Reported;
    let may_judge = row.state == State::Reported && can_act(v, row, &model, Action::Approve);
    let may_waive = row.state.is_pending() && can_act(v, row, &model, Action::Waive);
    let may_move = row.state.is_pending() && can_act(v, row, &model, Action::Reschedule);
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
        @if may_judge { (decision_forms(s, v, row, f.return_error, &f.return_reason)) }
        @if may_waive || may_move { (closing_forms(s, v, row, f, may_waive, may_move)) }
        h2 { (t(lang, "Historik", "History")) }
        (history(&events, lang))
    };
    Ok(page(&row.title, Some(v), lang, body))
}

/// `GET /checkpoint/<id>`.
pub async fn show(AxState(s): AxState<AppState>, MaybeSigned(signed): MaybeSigned, Path(id): Path<String>) -> Result<Response, WebError> {
    let Some(signed) = signed else { return Ok(Redirect::to("/login").into_response()) };
    let row = visible(&s, &signed.viewer, &id).await?;
    Ok(render(&s, &signed.viewer, &row, None, &Forms::default()).await?.into_response())
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
        let forms = Forms { return_error: Some(e), ..Forms::default() };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&s, v, &row, None, &forms).await?).into_response());
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
            render(&s, v, &row, Some(n), &Forms::default()).await?.into_response()
        }
        Err(refusal) => {
            let forms = Forms { return_reason: reason, ..Forms::default() };
            (StatusCode::UNPROCESSABLE_ENTITY, render(&s, v, &row, Some(refusal.get(s.lang)), &forms).await?).into_response()
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

/// The signed-in viewer and the checkpoint, if the form's CSRF token is right and `action`
/// is theirs to take on it (else 403, or 404 for what they may not see).
async fn authorised(
    s: &AppState,
    signed: Option<super::session::Signed>,
    id: &str,
    f: &Fields,
    action: Action,
) -> Result<(Viewer, Row), WebError> {
    let Some(signed) = signed else { return Err(WebError::Forbidden(s.lang)) };
    if !signed.csrf_ok(s, f.get("csrf")) {
        return Err(WebError::Forbidden(s.lang));
    }
    let v = signed.viewer;
    let row = visible(s, &v, id).await?;
    if !can_act(&v, &row, &s.model(), action) {
        return Err(WebError::Forbidden(s.lang));
    }
    Ok((v, row))
}

/// The page again with the forms as typed and what is wrong (422; nothing was stored).
async fn refused(s: &AppState, v: &Viewer, id: &str, forms: Forms) -> Result<Response, WebError> {
    let row = visible(s, v, id).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(s, v, &row, None, &forms).await?).into_response())
}

/// `POST /checkpoint/<id>/waive`: closes it without a report, with a reason.
pub async fn waive(
    AxState(s): AxState<AppState>,
    m: MaybeSigned,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> Result<Response, WebError> {
    let (v, row) = authorised(&s, m.0, &id, &f, Action::Waive).await?;
    let reason = f.get("reason").trim().to_owned();
    if reason.is_empty() {
        let e = t(s.lang, "Skriv varför kontrollpunkten skrivs av.", "Say why the checkpoint is waived.");
        return refused(&s, &v, &id, Forms { waive_error: Some(e.to_owned()), ..Forms::default() }).await;
    }
    let today = Today { date: s.today(), target_is_working_day: true, window: None };
    let acted = s
        .store
        .act(&row.id, &Command::Waive { reason: reason.clone() }, &v.email, s.now(), today)
        .await
        .map_err(WebError::store(s.lang))?;
    match acted {
        Ok(_) => {
            let row = visible(&s, &v, &id).await?;
            let n = t(s.lang, "Kontrollpunkten är avskriven.", "The checkpoint is waived.");
            Ok(render(&s, &v, &row, Some(n), &Forms::default()).await?.into_response())
        }
        Err(refusal) => {
            refused(&s, &v, &id, Forms { waive_reason: reason, waive_error: Some(refusal.get(s.lang).to_owned()), ..Forms::default() })
                .await
        }
    }
}

/// `POST /checkpoint/<id>/reschedule`: a new due date, with a reason. A past date or a
/// non-working day only with the administrator's checkbox; never outside the window.
pub async fn reschedule(
    AxState(s): AxState<AppState>,
    m: MaybeSigned,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> Result<Response, WebError> {
    let (v, row) = authorised(&s, m.0, &id, &f, Action::Reschedule).await?;
    let lang = s.lang;
    let mut forms = Forms {
        date: f.get("date").trim().to_owned(),
        move_reason: f.get("reason").trim().to_owned(),
        // Only an administrator may allow a past date or a holiday, whatever the form says.
        force: v.admin && f.get("force") == "ja",
        ..Forms::default()
    };
    let today_date = s.today();
    let date = NaiveDate::parse_from_str(&forms.date, "%Y-%m-%d").ok();
    let calendar = crate::calendar::Calendar::default();
    let window = s.store.reschedule_window(&row.id, today_date, Some(&s.model())).await;
    let unless = if v.admin {
        t(lang, " eller kryssa i ”Tillåt passerat datum eller helgdag”", " or tick “Allow a past date or a holiday”")
    } else {
        ""
    };
    forms.date_error = match date {
        None => {
            Some(t(lang, "Skriv ett datum som ÅÅÅÅ-MM-DD, t.ex. 2021-06-11.", "Write a date as YYYY-MM-DD, e.g. 2021-06-11.").to_owned())
        }
        Some(d) if window.is_some_and(|w| !w.range.contains(d)) => {
            let r = window.map(|w| w.range.to_string()).unwrap_or_default();
            Some(match lang {
                crate::definition::Lang::Sv => format!("{d} ligger utanför det tillåtna fönstret {r}. Välj ett datum inom det."),
                crate::definition::Lang::En => format!("{d} lies outside the allowed window {r}. Choose a date inside it."),
            })
        }
        Some(d) if d < today_date && !forms.force => Some(match lang {
            crate::definition::Lang::Sv => format!("{d} har redan passerat. Välj ett senare datum{unless}."),
            crate::definition::Lang::En => format!("{d} is in the past. Choose a later date{unless}."),
        }),
        Some(d) if !calendar.is_working_day(d) && !forms.force => Some(match lang {
            crate::definition::Lang::Sv => format!("{d} är ingen arbetsdag (helg eller röd dag). Välj en arbetsdag{unless}."),
            crate::definition::Lang::En => format!("{d} is not a working day (weekend or holiday). Choose a working day{unless}."),
        }),
        Some(_) => None,
    };
    if forms.move_reason.is_empty() {
        forms.move_reason_error = Some(t(lang, "Skriv varför datumet flyttas.", "Say why the date moves."));
    }
    let Some(to) = date.filter(|_| forms.date_error.is_none() && forms.move_reason_error.is_none()) else {
        return refused(&s, &v, &id, forms).await;
    };
    let today = Today { date: today_date, target_is_working_day: calendar.is_working_day(to), window };
    let cmd = Command::Reschedule { to, reason: forms.move_reason.clone(), force: forms.force };
    match s.store.act(&row.id, &cmd, &v.email, s.now(), today).await.map_err(WebError::store(lang))? {
        Ok(_) => {
            let row = visible(&s, &v, &id).await?;
            let n = t(lang, "Datumet är flyttat.", "The date is moved.");
            Ok(render(&s, &v, &row, Some(n), &Forms::default()).await?.into_response())
        }
        Err(refusal) => {
            forms.date_error = Some(refusal.get(lang).to_owned());
            refused(&s, &v, &id, forms).await
        }
    }
}
