//! The link in a reminder, `/k/<token>`: signed for one person and one checkpoint, valid
//! 30 days.
//!
//! - `GET` (what a mail scanner also fetches) changes nothing: it shows the report form
//!   for that checkpoint, to be submitted to the same address.
//! - `POST` checks the token again and the form's CSRF token, stores the report through the
//!   state machine with the person as actor, and signs the browser in (a normal session).
//! - An expired link shows a page with a button (`POST /k/<token>/ny`) that queues a fresh
//!   link by email (rate-limited); a forged one is answered like an unknown page (404).
//!
//! The person must still be in the directory and allowed to report the checkpoint — or to
//! see it: the reminder may have reached them standing in for a vacant role.

use super::access::{Action, Viewer, can_act, can_see};
use super::layout::page;
use super::report::{Errors, Typed, page_for, save, state_problem, thanks, validate};
use super::session::{Fields, Pre};
use super::token::{Claims, Invalid, Purpose, sha256_hex};
use super::{AppState, WebError, t};
use crate::remind::{Digest, Item, Person, Step};
use crate::store::Row;
use axum::Form;
use axum::extract::{Path, State as AxState};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::html;

/// The person and the checkpoint a genuine token names, if they still go together.
async fn authorised(s: &AppState, c: &Claims) -> Result<(Viewer, Row), WebError> {
    let people = s.store.person(&c.email).await.map_err(WebError::store(s.lang))?;
    let model = s.model();
    let viewer = Viewer::build(&c.email, &people, &model).ok_or(WebError::NotFound(s.lang))?;
    let row = s.store.checkpoint(&c.subject).await.map_err(WebError::store(s.lang))?.ok_or(WebError::NotFound(s.lang))?;
    if can_act(&viewer, &row, &model, Action::Report) || can_see(&viewer, &row, &model) {
        Ok((viewer, row))
    } else {
        Err(WebError::NotFound(s.lang))
    }
}

fn expired(s: &AppState, pre: &Pre, token: &str) -> Response {
    let lang = s.lang;
    let title = t(lang, "Länken har gått ut", "The link has expired");
    let body = html! {
        h1 { (title) }
        p { (t(lang, "Länken i mejlet gällde i 30 dagar. Vi kan skicka en ny länk till samma e-postadress.",
               "The link in the email was valid for 30 days. We can send a new link to the same address.")) }
        form method="post" action=(format!("/k/{token}/ny")) {
            input type="hidden" name="csrf" value=(pre.token(s));
            button type="submit" { (t(lang, "Skicka en ny länk", "Send a new link")) }
        }
    };
    (StatusCode::GONE, pre.headers(s), page(title, None, lang, body)).into_response()
}

/// The token's claims; an expired one gives the page offering a fresh link, a forged one
/// is answered like an unknown page.
fn verified(s: &AppState, pre: &Pre, token: &str) -> Result<Result<Claims, Response>, WebError> {
    match s.key.verify(token, Purpose::Report, s.today()) {
        Ok(c) => Ok(Ok(c)),
        Err(Invalid::Expired(_)) => Ok(Err(expired(s, pre, token))),
        Err(Invalid::Forged) => Err(WebError::NotFound(s.lang)),
    }
}

/// `GET /k/<token>`.
pub async fn open(AxState(s): AxState<AppState>, pre: Pre, Path(token): Path<String>) -> Result<Response, WebError> {
    let c = match verified(&s, &pre, &token)? {
        Ok(c) => c,
        Err(expired_page) => return Ok(expired_page),
    };
    let (_, row) = authorised(&s, &c).await?;
    let e = Errors { general: state_problem(&row, s.lang), ..Errors::default() };
    let form = page_for(&s, None, &row, &format!("/k/{token}"), &pre.token(&s), &Typed::from_row(&row), &e);
    Ok((pre.headers(&s), form).into_response())
}

/// `POST /k/<token>`.
pub async fn submit(
    AxState(s): AxState<AppState>,
    pre: Pre,
    Path(token): Path<String>,
    Form(f): Form<Fields>,
) -> Result<Response, WebError> {
    let c = match verified(&s, &pre, &token)? {
        Ok(c) => c,
        Err(expired_page) => return Ok(expired_page),
    };
    if !pre.ok(&s, f.get("csrf")) {
        return Err(WebError::Forbidden(s.lang));
    }
    let (viewer, row) = authorised(&s, &c).await?;
    let typed = Typed::from_fields(&f);
    let result = match validate(&typed, &row, s.lang) {
        Ok(report) => save(&s, &row, report, &viewer.email).await?,
        Err(e) => Err(e),
    };
    match result {
        Ok(report) => {
            let cookie = super::session::start(&s, &viewer.email).await?;
            Ok(([(header::SET_COOKIE, cookie)], thanks(&s, None, &row, &report)).into_response())
        }
        Err(e) => {
            let form = page_for(&s, None, &row, &format!("/k/{token}"), &pre.token(&s), &typed, &e);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, form).into_response())
        }
    }
}

/// The one-item digest that carries a fresh link for `row` to `v`.
fn fresh_link(s: &AppState, v: &Viewer, row: &Row) -> Digest {
    let today = s.today();
    let due = row.due.unwrap_or(today);
    let days = (due - today).num_days();
    let step = match days {
        d if d > 0 => Step::Before { days: u32::try_from(d).unwrap_or(u32::MAX) },
        0 => Step::OnDue,
        d => Step::Overdue { days: u32::try_from(-d).unwrap_or(u32::MAX) },
    };
    let model = s.model();
    let owner = model
        .organisations
        .iter()
        .find(|o| *o.id == *row.organisation)
        .and_then(|o| o.role(&row.owner_role))
        .map_or(row.owner_role.clone(), |r| r.name.clone());
    let item = Item {
        checkpoint: row.id.clone(),
        title: row.title.clone(),
        organisation: row.organisation.clone(),
        plan: row.plan.clone(),
        initiative: row.initiative.clone(),
        unit: row.unit.clone(),
        owner_role: owner,
        due,
        step,
        state: row.state,
        school_break: row.school_break.clone(),
        on_behalf_of: None,
    };
    Digest { to: Person { name: v.name.clone(), email: v.email.clone() }, day: today, send_at: s.now(), items: vec![item], login: None }
}

/// `POST /k/<token>/ny`: a fresh link by email.
pub async fn resend(
    AxState(s): AxState<AppState>,
    pre: Pre,
    Path(token): Path<String>,
    Form(f): Form<Fields>,
) -> Result<Response, WebError> {
    let c = match s.key.verify(&token, Purpose::Report, s.today()) {
        Ok(c) | Err(Invalid::Expired(c)) => c,
        Err(Invalid::Forged) => return Err(WebError::NotFound(s.lang)),
    };
    if !pre.ok(&s, f.get("csrf")) {
        return Err(WebError::Forbidden(s.lang));
    }
    if !s.limits.resend.allow(&c.email.to_lowercase(), s.now()) {
        return Err(WebError::TooMany(s.lang));
    }
    let (viewer, row) = authorised(&s, &c).await?;
    let digest = fresh_link(&s, &viewer, &row);
    let key = format!("link|{}|{}|{}", viewer.email, row.id, s.now().format("%Y-%m-%dT%H:%M:%S%.3fZ"));
    let message_id = format!("<arshjul.link.{}@{}>", &sha256_hex(&key)[..24], s.mail_domain);
    s.store.enqueue_single(&key, &digest, &message_id).await.map_err(WebError::store(s.lang))?;
    s.mail_queued();
    let title = t(s.lang, "En ny länk är på väg", "A new link is on its way");
    let body = html! {
        h1 { (title) }
        p role="status" { (t(s.lang, "Vi har skickat en ny länk till din e-postadress. Den kommer inom några minuter.",
                             "We have sent a new link to your email address. It arrives within a few minutes.")) }
    };
    Ok(page(title, None, s.lang, body).into_response())
}
