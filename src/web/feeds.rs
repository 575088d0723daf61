//! Calendar feeds on the web: `GET /ical/<secret>.ics` serves a feed (RFC 5545, see
//! [`crate::ical`]) to a calendar program that subscribes; `/calendar` is where a signed-in
//! person creates such links — their own checkpoints, or a unit's or a role's they may see —
//! sees them, and revokes them.
//!
//! The secret is 32 random bytes (ring), base64url, shown once when the link is made; the
//! store keeps its SHA-256 only. A feed is read with its creator's rights as they are at
//! each request (the people directory then, [`super::access::can_see`]): someone who leaves
//! the directory leaves dead links. An unknown, forged or revoked secret gets the same 404
//! as any unknown page. Creating and revoking are POSTs with the session's CSRF token.

use super::access::{Viewer, can_see};
use super::layout::page;
use super::session::{Fields, MaybeSigned};
use super::token::{b64_encode, random, sha256_hex};
use super::{AppState, WebError, t};
use crate::definition::model::Organisation;
use crate::definition::{Lang, Model};
use crate::ical::feed::{Scope, Texts, resolve};
use crate::msg::Msg;
use crate::store::{FeedLink, Filter, Store, StoreError};
use axum::Form;
use axum::Router;
use axum::extract::{Path, State as AxState};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use maud::{Markup, html};

pub const PATH: &str = "/calendar";

pub fn routes() -> Router<AppState> {
    Router::new().route("/ical/{file}", get(serve_feed)).route(PATH, get(show).post(create)).route("/calendar/{id}/revoke", post(revoke))
}

/// The feed of `scope` as RFC 5545 text — only the checkpoints `visible_to` may see, when
/// given — or why the scope is unknown.
pub async fn render_feed(
    store: &Store,
    model: &Model,
    scope: &Scope,
    visible_to: Option<&Viewer>,
    base_url: &str,
    lang: Lang,
    now: DateTime<Utc>,
) -> Result<Result<String, Msg>, StoreError> {
    let directory = match scope {
        Scope::Person { email } => store.person(email).await?,
        _ => Vec::new(),
    };
    let resolved = match resolve(scope, model, &directory, lang) {
        Ok(r) => r,
        Err(m) => return Ok(Err(m)),
    };
    let people = store.people_in(&resolved.organisations).await?;
    let mut rows = Vec::new();
    for (org, unit) in resolved.reads(model) {
        let f = Filter { organisation: Some(org), unit, include_cancelled: true, ..Filter::default() };
        rows.extend(
            store
                .status(&f)
                .await?
                .into_iter()
                .filter(|r| r.due.is_some() && resolved.holds(r, model) && visible_to.is_none_or(|v| can_see(v, r, model))),
        );
    }
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let sequences = store.feed_sequences(&ids).await?;
    let texts = Texts { model, people: &people, base_url, lang };
    Ok(Ok(crate::ical::write(&texts.calendar(&resolved.name, &rows, &sequences), now)))
}

/// Stores a new link of `scope` for `email` and gives its secret (`None`: no random source).
pub async fn create_link(store: &Store, email: &str, scope: &Scope, now: DateTime<Utc>) -> Result<Option<String>, StoreError> {
    let (Some(secret), Some(id)) = (random::<32>(), random::<12>()) else { return Ok(None) };
    let secret = b64_encode(&secret);
    let (kind, organisation, value) = scope.parts();
    let link = FeedLink {
        id: b64_encode(&id),
        email: email.to_owned(),
        kind: kind.to_owned(),
        organisation: organisation.map(str::to_owned),
        scope: value.to_owned(),
        created_at: now,
        last_used_at: None,
        revoked_at: None,
    };
    store.create_feed_link(&link, &sha256_hex(&secret)).await?;
    Ok(Some(secret))
}

/// `GET /ical/<secret>.ics`.
async fn serve_feed(AxState(s): AxState<AppState>, Path(file): Path<String>) -> Result<Response, WebError> {
    let not_found = || WebError::NotFound(s.lang);
    let secret = file.strip_suffix(".ics").filter(|x| !x.is_empty() && x.len() <= 100).ok_or_else(not_found)?;
    let link = s.store.feed_link_by_secret(&sha256_hex(secret), s.now()).await.map_err(WebError::store(s.lang))?.ok_or_else(not_found)?;
    let model = s.model();
    let creator = s.store.person(&link.email).await.map_err(WebError::store(s.lang))?;
    let viewer = Viewer::build(&link.email, &creator, &model).ok_or_else(not_found)?;
    let scope = Scope::from_parts(&link.kind, link.organisation.clone(), link.scope.clone()).ok_or_else(not_found)?;
    let text = render_feed(&s.store, &model, &scope, Some(&viewer), &s.base_url, s.lang, s.now())
        .await
        .map_err(WebError::store(s.lang))?
        .map_err(|_| not_found())?;
    Ok(([(header::CONTENT_TYPE, "text/calendar; charset=utf-8")], text).into_response())
}

/// Roles at or below `role` on the `reports_to` chains.
fn at_or_below<'o>(org: &'o Organisation, role: &'o str) -> Vec<&'o str> {
    let mut out = vec![role];
    let mut i = 0;
    while i < out.len() && out.len() <= org.roles.len() {
        let cur = out[i];
        for r in &org.roles {
            if r.reports_to.as_deref() == Some(cur) && !out.contains(&&*r.id) {
                out.push(&r.id);
            }
        }
        i += 1;
    }
    out
}

/// The feeds `v` may make, each with its form value and label: their own checkpoints, then
/// units and roles whose checkpoints they see (what they see of them is checked again at
/// every fetch).
fn choices(v: &Viewer, model: &Model, lang: Lang) -> Vec<(Scope, String, String)> {
    let mut out =
        vec![(Scope::Person { email: v.email.clone() }, "person".to_owned(), t(lang, "Mina kontrollpunkter", "My checkpoints").to_owned())];
    let mut push = |scope: Scope, value: String, label: String| {
        if !out.iter().any(|(_, x, _)| *x == value) {
            out.push((scope, value, label));
        }
    };
    for h in &v.holds {
        let Some(org) = model.organisations.iter().find(|o| *o.id == *h.organisation) else { continue };
        let role = org.role(&h.role);
        let whole = v.admin || h.role == "revisor" || role.is_some_and(|r| r.read_only || (r.reports_to.is_none() && !r.per_unit));
        let many = model.organisations.len() > 1;
        let suffix = if many { format!(" ({})", org.name) } else { String::new() };
        for u in &org.units {
            if whole || role.is_none_or(|r| !r.per_unit) || h.unit.as_deref() == Some(&*u.id) {
                let scope = Scope::Unit { organisation: Some(org.id.to_string()), unit: u.id.to_string() };
                push(scope, format!("unit:{}:{}", org.id, u.id), format!("{}: {}{suffix}", t(lang, "Enhet", "Unit"), u.name));
            }
        }
        let roles: Vec<&str> = if whole { org.roles.iter().map(|r| &*r.id).collect() } else { at_or_below(org, &h.role) };
        for r in roles {
            let name = org.role(r).map_or(r.to_owned(), |x| x.name.clone());
            let scope = Scope::Role { organisation: Some(org.id.to_string()), role: r.to_owned() };
            push(scope, format!("role:{}:{r}", org.id), format!("{}: {name}{suffix}", t(lang, "Roll", "Role")));
        }
    }
    out
}

/// What a stored link is of, in words.
fn label(link: &FeedLink, v: &Viewer, model: &Model, lang: Lang) -> String {
    let value = match link.kind.as_str() {
        "person" => "person".to_owned(),
        k => format!("{k}:{}:{}", link.organisation.clone().unwrap_or_default(), link.scope),
    };
    choices(v, model, lang).into_iter().find(|(_, x, _)| *x == value).map_or_else(|| format!("{}: {}", link.kind, link.scope), |c| c.2)
}

/// What the page shows above the list.
enum Notice {
    None,
    Created { url: String, what: String },
    Revoked,
}

fn when(t: DateTime<Utc>) -> String {
    t.with_timezone(&chrono_tz::Europe::Stockholm).format("%Y-%m-%d %H:%M").to_string()
}

fn render(s: &AppState, v: &Viewer, links: &[FeedLink], notice: Notice) -> Markup {
    let lang = s.lang;
    let model = s.model();
    let title = t(lang, "Kalender", "Calendar");
    let body = html! {
        h1 { (title) }
        p { (t(lang,
            "Prenumerera på kontrollpunkterna i Outlook eller en annan kalender. Varje länk är hemlig: den som har den ser kalendern, så dela den inte. Du kan återkalla en länk när som helst.",
            "Subscribe to the checkpoints in Outlook or another calendar. Each link is secret: whoever has it sees the calendar, so do not share it. You can revoke a link at any time.")) }
        @match &notice {
            Notice::Created { url, what } => {
                div class="notice" role="status" {
                    h2 { (t(lang, "Ny kalenderlänk", "New calendar link")) ": " (what) }
                    div class="field" {
                        label for="feed-url" { (t(lang, "Adress att prenumerera på", "Address to subscribe to")) }
                        input type="text" id="feed-url" readonly value=(url) aria-describedby="feed-url-hint";
                    }
                    p class="hint" id="feed-url-hint" {
                        (t(lang,
                            "Kopiera adressen nu: den visas bara en gång. I Outlook: Lägg till kalender → Prenumerera från webben.",
                            "Copy the address now: it is shown only once. In Outlook: Add calendar → Subscribe from web."))
                    }
                }
            }
            Notice::Revoked => { p class="notice" role="status" { (t(lang, "Länken är återkallad och fungerar inte längre.", "The link is revoked and no longer works.")) } }
            Notice::None => {}
        }
        h2 { (t(lang, "Skapa en kalenderlänk", "Create a calendar link")) }
        form class="stack" method="post" action=(PATH) {
            input type="hidden" name="csrf" value=(v.csrf);
            div class="field" {
                label for="scope" { (t(lang, "Vad kalendern visar", "What the calendar shows")) }
                select id="scope" name="scope" {
                    @for (_, value, text) in choices(v, &model, lang) { option value=(value) { (text) } }
                }
            }
            div { button type="submit" { (t(lang, "Skapa länk", "Create link")) } }
        }
        h2 { (t(lang, "Dina kalenderlänkar", "Your calendar links")) " (" (links.len()) ")" }
        @if links.is_empty() { p class="muted" { (t(lang, "Du har inga kalenderlänkar.", "You have no calendar links.")) } }
        @else {
            div class="table-wrap" tabindex="0" role="region" aria-label=(t(lang, "Dina kalenderlänkar", "Your calendar links")) {
                table {
                    thead { tr {
                        th scope="col" { (t(lang, "Kalender", "Calendar")) }
                        th scope="col" { (t(lang, "Skapad", "Created")) }
                        th scope="col" { (t(lang, "Senast hämtad", "Last fetched")) }
                        th scope="col" { (t(lang, "Återkalla", "Revoke")) }
                    } }
                    tbody {
                        @for l in links {
                            @let what = label(l, v, &model, lang);
                            tr {
                                td { (what) }
                                td { (when(l.created_at)) }
                                td { (l.last_used_at.map_or_else(|| t(lang, "aldrig", "never").to_owned(), when)) }
                                td {
                                    form method="post" action=(format!("/calendar/{}/revoke", l.id)) {
                                        input type="hidden" name="csrf" value=(v.csrf);
                                        button type="submit" class="secondary" aria-label=(format!("{} {what}", t(lang, "Återkalla", "Revoke"))) {
                                            (t(lang, "Återkalla", "Revoke"))
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    page(title, Some(v), lang, body)
}

async fn page_for(s: &AppState, v: &Viewer, notice: Notice) -> Result<Response, WebError> {
    let links = s.store.feed_links(Some(&v.email)).await.map_err(WebError::store(s.lang))?;
    Ok(render(s, v, &links, notice).into_response())
}

/// `GET /calendar`.
async fn show(AxState(s): AxState<AppState>, MaybeSigned(signed): MaybeSigned) -> Result<Response, WebError> {
    let Some(signed) = signed else { return Ok(Redirect::to("/login").into_response()) };
    page_for(&s, &signed.viewer, Notice::None).await
}

/// `POST /calendar`: a new link for one of [`choices`].
async fn create(AxState(s): AxState<AppState>, MaybeSigned(signed): MaybeSigned, Form(f): Form<Fields>) -> Result<Response, WebError> {
    let Some(signed) = signed.filter(|x| x.csrf_ok(&s, f.get("csrf"))) else { return Err(WebError::Forbidden(s.lang)) };
    let v = &signed.viewer;
    let model = s.model();
    let Some((scope, _, what)) = choices(v, &model, s.lang).into_iter().find(|(_, value, _)| value == f.get("scope")) else {
        return Err(WebError::NotFound(s.lang));
    };
    let secret = create_link(&s.store, &v.email, &scope, s.now()).await.map_err(WebError::store(s.lang))?;
    let secret = secret.ok_or(WebError::Forbidden(s.lang))?;
    let url = format!("{}/ical/{secret}.ics", s.base_url);
    page_for(&s, v, Notice::Created { url, what }).await
}

/// `POST /calendar/{id}/revoke`: only the signed-in person's own live links.
async fn revoke(
    AxState(s): AxState<AppState>,
    MaybeSigned(signed): MaybeSigned,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> Result<Response, WebError> {
    let Some(signed) = signed.filter(|x| x.csrf_ok(&s, f.get("csrf"))) else { return Err(WebError::Forbidden(s.lang)) };
    let v = &signed.viewer;
    if !s.store.revoke_feed_link(&id, Some(&v.email), s.now()).await.map_err(WebError::store(s.lang))? {
        return Err(WebError::NotFound(s.lang));
    }
    page_for(&s, v, Notice::Revoked).await
}
