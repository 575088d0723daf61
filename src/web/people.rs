//! `/admin/people`: an administrator's page for the people directory of the
//! organisations they administer — the directory as a table, the vacancies, and a
//! `<textarea>` where the CSV file is pasted (no multipart upload: no extra dependency,
//! and the current directory comes prefilled to edit). The text goes through the same
//! parser as `arshjul people import` (every error by line, nothing imported unless the
//! whole text is right) and replaces those organisations' people (`Store::replace_people`,
//! other organisations' people kept), showing who was added and removed. Anyone else gets
//! 404, as for a page that does not exist.

use super::access::Viewer;
use super::layout::page;
use super::session::{Fields, MaybeSigned};
use super::{AppState, WebError, t};
use crate::definition::{Lang, Model};
use crate::remind::people::{CsvError, parse};
use crate::remind::recipients::{Directory, Holder, vacancies};
use axum::Form;
use axum::extract::State as AxState;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};

pub const PATH: &str = "/admin/people";

/// What a refused or accepted import shows.
#[derive(Default)]
struct Outcome {
    errors: Vec<CsvError>,
    added: Vec<Holder>,
    removed: Vec<Holder>,
    imported: Option<usize>,
}

fn key(h: &Holder) -> (String, String, Option<String>, String) {
    (h.organisation.clone(), h.role.clone(), h.unit.clone(), h.person.email.to_lowercase())
}

fn csv_field(s: &str) -> String {
    if s.contains([',', ';', '"', '\n', '\r']) || s.trim() != s { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_owned() }
}

/// `holders` as the CSV file `arshjul people import` reads.
pub fn to_csv(holders: &[Holder]) -> String {
    let mut out = String::from("organisation,role,unit,name,email\n");
    for h in holders {
        let unit = h.unit.clone().unwrap_or_default();
        let line = [h.organisation.as_str(), h.role.as_str(), unit.as_str(), h.person.name.as_str(), h.person.email.as_str()];
        out.push_str(&line.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
        out.push('\n');
    }
    out
}

/// Lines naming an organisation `mine` does not include (first field), as errors.
fn foreign_lines(text: &str, mine: &[String]) -> Vec<CsvError> {
    let mut out = Vec::new();
    let mut header = true;
    for (n, line) in text.lines().enumerate() {
        let l = line.trim_start_matches('\u{feff}').trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        if std::mem::take(&mut header) {
            continue;
        }
        let org = l.split([',', ';']).next().unwrap_or("").trim().trim_matches('"');
        if !mine.iter().any(|m| m == org) {
            out.push(CsvError {
                line: n + 1,
                msg: crate::msg::Msg::new(
                    format!("du administrerar inte organisationen `{org}`: ta bort raden."),
                    format!("you do not administer the organisation `{org}`: remove the line."),
                ),
            });
        }
    }
    out
}

fn holder_text(model: &Model, h: &Holder) -> String {
    let org = model.organisations.iter().find(|o| *o.id == *h.organisation);
    let role = org.and_then(|o| o.role(&h.role)).map_or(h.role.clone(), |r| r.name.clone());
    let unit = h.unit.as_deref().map(|u| org.and_then(|o| o.unit(u)).map_or(u.to_owned(), |x| x.name.clone()));
    match unit {
        Some(u) => format!("{} <{}> — {role}, {u}", h.person.name, h.person.email),
        None => format!("{} <{}> — {role}", h.person.name, h.person.email),
    }
}

fn render(s: &AppState, v: &Viewer, mine: &[String], people: &[Holder], text: &str, o: &Outcome) -> Markup {
    let lang = s.lang;
    let model = s.model();
    let orgs: Vec<_> = model.organisations.iter().filter(|org| mine.iter().any(|m| *m == *org.id)).collect();
    let dir = Directory::new(people);
    let title = t(lang, "Personer", "People");
    let invalid = !o.errors.is_empty();
    let body = html! {
        h1 { (title) }
        @if let Some(n) = o.imported {
            div class="notice" role="status" {
                p { (match lang { Lang::Sv => format!("Personkatalogen är inläst: {n} rader."), Lang::En => format!("The directory is imported: {n} lines.") }) }
                h2 { (t(lang, "Tillagda", "Added")) " (" (o.added.len()) ")" }
                @if o.added.is_empty() { p { (t(lang, "Inga.", "None.")) } }
                ul { @for h in &o.added { li { (holder_text(&model, h)) } } }
                h2 { (t(lang, "Borttagna", "Removed")) " (" (o.removed.len()) ")" }
                @if o.removed.is_empty() { p { (t(lang, "Inga.", "None.")) } }
                ul { @for h in &o.removed { li { (holder_text(&model, h)) } } }
            }
        }
        h2 { (t(lang, "Vakanser", "Vacancies")) }
        @let vacant: Vec<_> = orgs.iter().flat_map(|org| vacancies(&dir, org).into_iter().map(move |v| (*org, v))).collect();
        @if vacant.is_empty() { p class="muted" { (t(lang, "Alla roller är tillsatta.", "Every role is filled.")) } }
        @else {
            ul {
                @for (org, vac) in &vacant {
                    li {
                        (org.role(&vac.role).map_or(vac.role.clone(), |r| r.name.clone()))
                        @if let Some(u) = &vac.unit { ", " (org.unit(u).map_or(u.clone(), |x| x.name.clone())) }
                        " (" (org.name) ") — " (t(lang, "påminnelser går till överordnad", "reminders go to the superior"))
                    }
                }
            }
        }
        h2 { (t(lang, "Personkatalogen", "The directory")) }
        div class="table-wrap" tabindex="0" role="region" aria-label=(t(lang, "Personkatalogen", "The directory")) {
            table {
                caption class="muted" { (t(lang, "Varje roll och vem som har den", "Every role and who holds it")) }
                thead { tr {
                    th scope="col" { "Organisation" } th scope="col" { (t(lang, "Roll", "Role")) } th scope="col" { (t(lang, "Enhet", "Unit")) }
                    th scope="col" { (t(lang, "Namn", "Name")) } th scope="col" { (t(lang, "E-post", "Email")) }
                } }
                tbody {
                    @for h in people {
                        tr { td { (h.organisation) } td { (h.role) } td { (h.unit.clone().unwrap_or_default()) } td { (h.person.name) } td { (h.person.email) } }
                    }
                }
            }
        }
        h2 { (t(lang, "Läs in en ny personkatalog", "Import a new directory")) }
        @if invalid {
            p class="problem" role="alert" {
                (match lang {
                    Lang::Sv => format!("{} fel; ingenting har lästs in. Rätta raderna och försök igen.", o.errors.len()),
                    Lang::En => format!("{} error(s); nothing was imported. Correct the lines and try again.", o.errors.len()),
                })
            }
        }
        form class="stack" method="post" action=(PATH) novalidate {
            input type="hidden" name="csrf" value=(v.csrf);
            div class="field" {
                label for="csv" { (t(lang, "Personkatalogen som CSV", "The directory as CSV")) }
                p class="hint" id="csv-hint" {
                    (t(lang,
                        "Klistra in hela filen: första raden organisation,role,unit,name,email (eller organisation;roll;enhet;namn;e-post), sedan en rad per person och roll. Den ersätter katalogen för dina organisationer.",
                        "Paste the whole file: first line organisation,role,unit,name,email, then one line per person and role. It replaces the directory of your organisations."))
                }
                textarea id="csv" name="csv" rows="12" aria-invalid=(if invalid { "true" } else { "false" })
                    aria-describedby=(if invalid { "csv-hint csv-errors" } else { "csv-hint" }) { (text) }
                @if invalid {
                    ul class="error" id="csv-errors" {
                        @for e in &o.errors {
                            li { (t(lang, "Rad ", "Line ")) (e.line) ": " (e.msg.get(lang)) }
                        }
                    }
                }
            }
            div { button type="submit" { (t(lang, "Läs in", "Import")) } }
        }
    };
    page(title, Some(v), lang, body)
}

/// The viewer, if they administer some organisation; else 404 (signed out: to sign in).
fn admin(s: &AppState, signed: MaybeSigned) -> Result<Result<(Viewer, Vec<String>), Response>, WebError> {
    let Some(signed) = signed.0 else { return Ok(Err(Redirect::to("/login").into_response())) };
    let mine = signed.viewer.administers();
    if mine.is_empty() {
        return Err(WebError::NotFound(s.lang));
    }
    Ok(Ok((signed.viewer, mine)))
}

async fn directory(s: &AppState, mine: &[String]) -> Result<Vec<Holder>, WebError> {
    let all = s.store.people().await.map_err(WebError::store(s.lang))?;
    Ok(all.into_iter().filter(|h| mine.contains(&h.organisation)).collect())
}

/// `GET /admin/people`.
pub async fn show(AxState(s): AxState<AppState>, signed: MaybeSigned) -> Result<Response, WebError> {
    let (v, mine) = match admin(&s, signed)? {
        Ok(x) => x,
        Err(redirect) => return Ok(redirect),
    };
    let people = directory(&s, &mine).await?;
    Ok(render(&s, &v, &mine, &people, &to_csv(&people), &Outcome::default()).into_response())
}

/// `POST /admin/people`: replaces the directory of the viewer's organisations.
pub async fn import(AxState(s): AxState<AppState>, signed: MaybeSigned, Form(f): Form<Fields>) -> Result<Response, WebError> {
    let Some(sig) = signed.0 else { return Err(WebError::Forbidden(s.lang)) };
    let mine = sig.viewer.administers();
    if mine.is_empty() {
        return Err(WebError::NotFound(s.lang));
    }
    if !sig.csrf_ok(&s, f.get("csrf")) {
        return Err(WebError::Forbidden(s.lang));
    }
    let v = &sig.viewer;
    let text = f.get("csv").replace("\r\n", "\n");
    let model = s.model();
    let before = directory(&s, &mine).await?;
    let parsed = parse(&text, &model);
    let mut errors = foreign_lines(&text, &mine);
    let holders = match parsed {
        Ok(h) if errors.is_empty() => h,
        Ok(_) => Vec::new(),
        Err(e) => {
            let more: Vec<CsvError> = e.into_iter().filter(|e| !errors.iter().any(|x| x.line == e.line)).collect();
            errors.extend(more);
            Vec::new()
        }
    };
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.line);
        let o = Outcome { errors, ..Outcome::default() };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&s, v, &mine, &before, &text, &o)).into_response());
    }
    // Other organisations' people stay as they are.
    let all = s.store.people().await.map_err(WebError::store(s.lang))?;
    let mut next: Vec<Holder> = all.into_iter().filter(|h| !mine.contains(&h.organisation)).collect();
    next.extend(holders.iter().cloned());
    s.store.replace_people(&next).await.map_err(WebError::store(s.lang))?;
    let old: std::collections::BTreeSet<_> = before.iter().map(key).collect();
    let new: std::collections::BTreeSet<_> = holders.iter().map(key).collect();
    let o = Outcome {
        errors: Vec::new(),
        added: holders.iter().filter(|h| !old.contains(&key(h))).cloned().collect(),
        removed: before.iter().filter(|h| !new.contains(&key(h))).cloned().collect(),
        imported: Some(holders.len()),
    };
    let after = directory(&s, &mine).await?;
    Ok(render(&s, v, &mine, &after, &to_csv(&after), &o).into_response())
}
