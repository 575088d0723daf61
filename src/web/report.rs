//! The report form (`/checkpoint/<id>/report` when signed in; the same form at `/k/<token>`
//! from an email): outcome from seed 003's vocabulary, a reason where the outcome needs
//! one, Uppföljning, Analys, links to attachments. Bad input gets a message next to the
//! field, the form as typed, and nothing stored; a good report goes through `Store::act`
//! with the person as actor.

use super::access::{Action, Viewer, can_act};
use super::checkpoint::{facts, visible};
use super::layout::page;
use super::session::{Fields, MaybeSigned};
use super::{AppState, WebError, checkpoint_path, t};
use crate::definition::Lang;
use crate::store::Row;
use crate::workflow::{Command, Outcome, Report, State, Today};
use axum::Form;
use axum::extract::{Path, State as AxState};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};

/// The form as typed.
#[derive(Clone, Debug, Default)]
pub struct Typed {
    pub outcome: String,
    pub reason: String,
    pub uppfoljning: String,
    pub analys: String,
    pub links: String,
}

impl Typed {
    pub fn from_fields(f: &Fields) -> Typed {
        Typed {
            outcome: f.get("outcome").to_owned(),
            reason: f.get("reason").to_owned(),
            uppfoljning: f.get("uppfoljning").to_owned(),
            analys: f.get("analys").to_owned(),
            links: f.get("links").to_owned(),
        }
    }

    /// The form filled with the checkpoint's latest report (returned for completion).
    pub fn from_row(row: &Row) -> Typed {
        row.report.as_ref().map_or_else(Typed::default, |r| Typed {
            outcome: r.outcome.sv().to_owned(),
            reason: r.reason.clone().unwrap_or_default(),
            uppfoljning: r.uppfoljning.clone(),
            analys: r.analys.clone(),
            links: r.links.join("\n"),
        })
    }
}

/// What is wrong, per field, and for the whole form.
#[derive(Clone, Debug, Default)]
pub struct Errors {
    pub outcome: Option<&'static str>,
    pub reason: Option<&'static str>,
    pub uppfoljning: Option<&'static str>,
    pub analys: Option<&'static str>,
    pub links: Option<&'static str>,
    pub general: Option<String>,
}

const MAX_TEXT: usize = 20_000;
const MAX_LINKS: usize = 20;

/// Why the checkpoint cannot be reported at all, if so.
pub fn state_problem(row: &Row, lang: Lang) -> Option<String> {
    let s = match row.state {
        State::Cancelled => t(
            lang,
            "Kontrollpunkten är struken (finns inte längre i planen) och kan inte rapporteras.",
            "The checkpoint is cancelled (no longer in the plan) and cannot be reported.",
        ),
        State::Approved => {
            t(lang, "Kontrollpunkten är redan godkänd och kan inte rapporteras igen.", "The checkpoint is already approved.")
        }
        State::Waived => {
            t(lang, "Kontrollpunkten är avskriven och kan inte rapporteras.", "The checkpoint is waived and cannot be reported.")
        }
        _ => return None,
    };
    Some(s.to_owned())
}

/// The report the form describes, or what is wrong with it.
pub fn validate(typed: &Typed, row: &Row, lang: Lang) -> Result<Report, Errors> {
    let mut e = Errors { general: state_problem(row, lang), ..Errors::default() };
    let outcome = Outcome::ALL.into_iter().find(|o| o.sv() == typed.outcome.trim());
    if outcome.is_none() {
        e.outcome = Some(t(lang, "Välj ett av utfallen i listan.", "Choose one of the outcomes in the list."));
    }
    let blank = |s: &str| s.trim().is_empty();
    if outcome.is_some_and(Outcome::needs_reason) && blank(&typed.reason) {
        e.reason = Some(t(lang, "Det här utfallet kräver ett skäl: skriv varför.", "This outcome needs a reason: say why."));
    }
    if blank(&typed.uppfoljning) {
        e.uppfoljning = Some(t(lang, "Skriv vad som har gjorts (Uppföljning).", "Describe what was done (follow-up)."));
    }
    if blank(&typed.analys) {
        e.analys = Some(t(
            lang,
            "Skriv en analys, eller ett streck (-) om det inte finns något att säga än.",
            "Write an analysis, or a dash (-).",
        ));
    }
    let too_long = t(lang, "Texten är för lång (högst 20 000 tecken).", "The text is too long (at most 20,000 characters).");
    for (field, text) in [(&mut e.reason, &typed.reason), (&mut e.uppfoljning, &typed.uppfoljning), (&mut e.analys, &typed.analys)] {
        if field.is_none() && text.chars().count() > MAX_TEXT {
            *field = Some(too_long);
        }
    }
    let links: Vec<String> = typed.links.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect();
    let bad_link = |l: &String| {
        !(l.starts_with("https://") || l.starts_with("http://")) || l.len() > 2000 || l.chars().any(|c| c.is_whitespace() || c.is_control())
    };
    if links.len() > MAX_LINKS || links.iter().any(bad_link) {
        e.links = Some(t(
            lang,
            "Skriv en webbadress per rad, som börjar med https:// (högst 20).",
            "One web address per line, starting with https:// (at most 20).",
        ));
    }
    match outcome {
        Some(outcome)
            if e.reason.is_none() && e.uppfoljning.is_none() && e.analys.is_none() && e.links.is_none() && e.general.is_none() =>
        {
            Ok(Report {
                outcome,
                reason: Some(typed.reason.trim().to_owned()).filter(|r| !r.is_empty()),
                uppfoljning: typed.uppfoljning.trim().to_owned(),
                analys: typed.analys.trim().to_owned(),
                links,
            })
        }
        _ => Err(e),
    }
}

/// Stores `report` as `actor` through the state machine; a refusal comes back as the
/// form's general error (nothing stored).
pub async fn save(state: &AppState, row: &Row, report: Report, actor: &str) -> Result<Result<Report, Errors>, WebError> {
    let today = Today { date: state.today(), target_is_working_day: true, window: None };
    let acted =
        state.store.act(&row.id, &Command::Report(report.clone()), actor, state.now(), today).await.map_err(WebError::store(state.lang))?;
    Ok(match acted {
        Ok(_) => Ok(report),
        Err(refusal) => Err(Errors { general: Some(refusal.get(state.lang).to_owned()), ..Errors::default() }),
    })
}

fn field_error(id: &str, e: Option<&str>) -> Markup {
    html! { @if let Some(e) = e { p class="error" id=(format!("{id}-error")) { (e) } } }
}

fn described(id: &str, e: Option<&str>, hint: bool) -> String {
    let mut ids = Vec::new();
    if hint {
        ids.push(format!("{id}-hint"));
    }
    if e.is_some() {
        ids.push(format!("{id}-error"));
    }
    ids.join(" ")
}

/// The whole form page.
pub fn page_for(state: &AppState, viewer: Option<&Viewer>, row: &Row, action: &str, csrf: &str, typed: &Typed, e: &Errors) -> Markup {
    let lang = state.lang;
    let title = format!("{} {}", t(lang, "Rapportera:", "Report:"), row.title);
    let invalid = |x: Option<&str>| if x.is_some() { "true" } else { "false" };
    let body = html! {
        h1 { (title) }
        (facts(state, row))
        @if row.state == State::Missed {
            p class="notice" { (t(lang,
                "Uppföljningsfönstret har stängt och kontrollpunkten är missad. Du kan fortfarande rapportera i efterhand; rapporten sparas som sen.",
                "The follow-up window has closed and the checkpoint is missed. You can still report after the fact; the report is recorded as late.")) }
        }
        @if let Some(g) = &e.general { p class="problem" role="alert" { (g) } }
        form class="stack" method="post" action=(action) novalidate {
            input type="hidden" name="csrf" value=(csrf);
            div class="field" {
                label for="outcome" { (t(lang, "Utfall", "Outcome")) }
                select id="outcome" name="outcome" aria-invalid=(invalid(e.outcome)) aria-describedby=(described("outcome", e.outcome, false)) {
                    option value="" selected[typed.outcome.is_empty()] { (t(lang, "Välj utfall", "Choose an outcome")) }
                    @for o in Outcome::ALL {
                        option value=(o.sv()) selected[typed.outcome == o.sv()] { (match lang { Lang::Sv => o.sv(), Lang::En => o.en() }) }
                    }
                }
                (field_error("outcome", e.outcome))
            }
            div class="field" {
                label for="reason" { (t(lang, "Skäl", "Reason")) }
                p class="hint" id="reason-hint" { (t(lang, "Krävs för ”ej påbörjad” och ”ej genomförd”.", "Required for “not started” and “not carried out”.")) }
                textarea id="reason" name="reason" aria-invalid=(invalid(e.reason)) aria-describedby=(described("reason", e.reason, true)) { (typed.reason) }
                (field_error("reason", e.reason))
            }
            div class="field" {
                label for="uppfoljning" { "Uppföljning" }
                p class="hint" id="uppfoljning-hint" { (t(lang, "Vad har gjorts?", "What was done?")) }
                textarea id="uppfoljning" name="uppfoljning" required aria-invalid=(invalid(e.uppfoljning)) aria-describedby=(described("uppfoljning", e.uppfoljning, true)) { (typed.uppfoljning) }
                (field_error("uppfoljning", e.uppfoljning))
            }
            div class="field" {
                label for="analys" { "Analys" }
                p class="hint" id="analys-hint" { (t(lang, "Vad betyder det? Skriv ett streck (-) om det är för tidigt att säga.", "What does it mean? A dash (-) if it is too early to say.")) }
                textarea id="analys" name="analys" required aria-invalid=(invalid(e.analys)) aria-describedby=(described("analys", e.analys, true)) { (typed.analys) }
                (field_error("analys", e.analys))
            }
            div class="field" {
                label for="links" { (t(lang, "Länkar till bilagor", "Links to attachments")) }
                p class="hint" id="links-hint" { (t(lang, "En webbadress per rad (frivilligt).", "One web address per line (optional).")) }
                textarea id="links" name="links" aria-invalid=(invalid(e.links)) aria-describedby=(described("links", e.links, true)) { (typed.links) }
                (field_error("links", e.links))
            }
            div { button type="submit" { (t(lang, "Spara rapporten", "Save the report")) } }
        }
    };
    page(&title, viewer, lang, body)
}

/// "Tack — rapporten är sparad", with what was saved.
pub fn thanks(state: &AppState, viewer: Option<&Viewer>, row: &Row, r: &Report) -> Markup {
    let lang = state.lang;
    let title = t(lang, "Tack — rapporten är sparad", "Thank you — the report is saved");
    let body = html! {
        h1 { (title) }
        p class="notice" role="status" { (row.title) }
        dl class="facts" {
            dt { (t(lang, "Utfall", "Outcome")) } dd { (match lang { Lang::Sv => r.outcome.sv(), Lang::En => r.outcome.en() }) }
            @if let Some(reason) = &r.reason { dt { (t(lang, "Skäl", "Reason")) } dd { (reason) } }
            dt { "Uppföljning" } dd { (r.uppfoljning) }
            dt { "Analys" } dd { (r.analys) }
            @if !r.links.is_empty() {
                dt { (t(lang, "Länkar", "Links")) }
                dd { ul { @for l in &r.links { li { a href=(l) rel="noreferrer noopener" { (l) } } } } }
            }
        }
        p { a href=(checkpoint_path(&row.id)) { (t(lang, "Till kontrollpunkten", "To the checkpoint")) } " · " a href="/" { (t(lang, "Till startsidan", "To the start page")) } }
    };
    page(title, viewer, lang, body)
}

/// `GET /checkpoint/<id>/report`.
pub async fn form(AxState(s): AxState<AppState>, MaybeSigned(signed): MaybeSigned, Path(id): Path<String>) -> Result<Response, WebError> {
    let Some(signed) = signed else { return Ok(Redirect::to("/login").into_response()) };
    let v = &signed.viewer;
    let row = visible(&s, v, &id).await?;
    if !can_act(v, &row, &s.model(), Action::Report) {
        return Err(WebError::Forbidden(s.lang));
    }
    let e = Errors { general: state_problem(&row, s.lang), ..Errors::default() };
    let action = format!("{}/report", checkpoint_path(&row.id));
    Ok(page_for(&s, Some(v), &row, &action, &v.csrf, &Typed::from_row(&row), &e).into_response())
}

/// `POST /checkpoint/<id>/report`.
pub async fn submit(
    AxState(s): AxState<AppState>,
    MaybeSigned(signed): MaybeSigned,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> Result<Response, WebError> {
    let Some(signed) = signed else { return Err(WebError::Forbidden(s.lang)) };
    if !signed.csrf_ok(&s, f.get("csrf")) {
        return Err(WebError::Forbidden(s.lang));
    }
    let v = &signed.viewer;
    let row = visible(&s, v, &id).await?;
    if !can_act(v, &row, &s.model(), Action::Report) {
        return Err(WebError::Forbidden(s.lang));
    }
    let typed = Typed::from_fields(&f);
    let action = format!("{}/report", checkpoint_path(&row.id));
    let result = match validate(&typed, &row, s.lang) {
        Ok(report) => save(&s, &row, report, &v.email).await?,
        Err(e) => Err(e),
    };
    Ok(match result {
        Ok(report) => thanks(&s, Some(v), &row, &report).into_response(),
        Err(e) => (StatusCode::UNPROCESSABLE_ENTITY, page_for(&s, Some(v), &row, &action, &v.csrf, &typed, &e)).into_response(),
    })
}
