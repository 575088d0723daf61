//! `GET /overview` and its downloads: the förvaltningschef's overview (problems, counts,
//! the unit × wheel grid, the årshjul, the table; `web::overview` renders them) over the
//! checkpoints the signed-in person may see, and the same views as CSV and SVG files.
//! Only people whose roles have others reporting to them (chefs), the read-only and
//! administrators get it; others are sent to their own page.

use super::access::{Viewer, can_see};
use super::layout::page;
use super::overview::{self, Downloads, Limits, OverviewInput, filter};
use super::session::MaybeSigned;
use super::{AppState, WebError, t};
use crate::remind::recipients::{Directory, vacancies};
use crate::store::Row;
use axum::Router;
use axum::extract::{RawQuery, State as AxState};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

const BASE: &str = "/overview";

/// The overview's routes (the router adds the security headers).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(BASE, get(show))
        .route("/overview/kontrollpunkter.csv", get(checkpoints_csv))
        .route("/overview/antal.csv", get(counts_csv))
        .route("/overview/rutnat.csv", get(grid_csv))
        .route("/overview/arshjul.svg", get(wheel_svg))
}

/// What a signed-in chef sees, filtered: the viewer, the filter (with notes on what was
/// ignored) and the rows.
struct Seen {
    viewer: Viewer,
    /// The viewer's organisations, sorted, once each.
    organisations: Vec<String>,
    filter: filter::Filter,
    notes: Vec<filter::Note>,
    rows: Vec<Row>,
}

/// `None`: send the visitor elsewhere (not signed in, or not a chef).
async fn seen(s: &AppState, signed: MaybeSigned, query: Option<String>) -> Result<Result<Seen, Response>, WebError> {
    let Some(signed) = signed.0 else { return Ok(Err(Redirect::to("/login").into_response())) };
    let model = s.model();
    if !signed.viewer.is_chief(&model) {
        return Ok(Err(Redirect::to("/").into_response()));
    }
    let (filter, notes) = filter::parse(query.as_deref().unwrap_or(""), &model, s.today());
    // Read only the viewer's organisations (access is still checked row by row below).
    let mut organisations: Vec<String> = signed.viewer.holds.iter().map(|h| h.organisation.clone()).collect();
    organisations.sort();
    organisations.dedup();
    let mut query = filter.store_query();
    if query.organisation.is_none() {
        query.organisations = organisations.clone();
    }
    let mut rows = s.store.overview_rows(&query).await.map_err(WebError::store(s.lang))?;
    rows.retain(|r| can_see(&signed.viewer, r, &model));
    Ok(Ok(Seen { viewer: signed.viewer, organisations, filter, notes, rows }))
}

async fn show(AxState(s): AxState<AppState>, signed: MaybeSigned, RawQuery(q): RawQuery) -> Result<Response, WebError> {
    let seen = match seen(&s, signed, q).await? {
        Ok(x) => x,
        Err(elsewhere) => return Ok(elsewhere),
    };
    let model = s.model();
    let today = s.today();
    let lang = s.lang;
    // Problems the viewer can act on: failed emails of the last 60 days, vacancies in the
    // organisations they see.
    let failed = s.store.failed_outbox(today - chrono::Duration::days(60)).await.map_err(WebError::store(lang))?;
    let people = s.store.people_in(&seen.organisations).await.map_err(WebError::store(lang))?;
    let dir = Directory::new(&people);
    let vacant: Vec<_> =
        model.organisations.iter().filter(|o| seen.organisations.iter().any(|x| **x == *o.id)).flat_map(|o| vacancies(&dir, o)).collect();
    let downloads = Downloads::under(BASE);
    let input = OverviewInput {
        rows: &seen.rows,
        model: &model,
        organisations: &seen.organisations,
        failed: &failed,
        vacancies: &vacant,
        filter: &seen.filter,
        notes: &seen.notes,
        today,
        lang,
        downloads: &downloads,
        limits: Limits::default(),
    };
    let title = t(lang, "Översikt", "Overview");
    Ok(page(title, Some(&seen.viewer), lang, overview::page_body(&input)).into_response())
}

fn file(content_type: &'static str, name: &str, body: String) -> Response {
    let disposition = format!("attachment; filename=\"{name}\"");
    ([(header::CONTENT_TYPE, content_type.to_owned()), (header::CONTENT_DISPOSITION, disposition)], body).into_response()
}

const CSV: &str = "text/csv; charset=utf-8";

async fn checkpoints_csv(AxState(s): AxState<AppState>, signed: MaybeSigned, RawQuery(q): RawQuery) -> Result<Response, WebError> {
    Ok(match seen(&s, signed, q).await? {
        Ok(x) => file(CSV, "kontrollpunkter.csv", overview::checkpoints_csv(&x.rows, &s.model(), &x.filter, s.today(), s.lang)),
        Err(r) => r,
    })
}

async fn counts_csv(AxState(s): AxState<AppState>, signed: MaybeSigned, RawQuery(q): RawQuery) -> Result<Response, WebError> {
    Ok(match seen(&s, signed, q).await? {
        Ok(x) => file(CSV, "antal.csv", overview::counts_csv(&x.rows, &s.model(), &x.filter, s.lang)),
        Err(r) => r,
    })
}

async fn grid_csv(AxState(s): AxState<AppState>, signed: MaybeSigned, RawQuery(q): RawQuery) -> Result<Response, WebError> {
    Ok(match seen(&s, signed, q).await? {
        Ok(x) => file(CSV, "rutnat.csv", overview::grid_csv(&x.rows, &s.model(), &x.filter, s.today(), s.lang)),
        Err(r) => r,
    })
}

async fn wheel_svg(AxState(s): AxState<AppState>, signed: MaybeSigned, RawQuery(q): RawQuery) -> Result<Response, WebError> {
    let x = match seen(&s, signed, q).await? {
        Ok(x) => x,
        Err(r) => return Ok(r),
    };
    match overview::wheel_svg(&x.rows, &s.model(), &x.filter, s.today(), s.lang, &s.base_url) {
        Some(svg) => Ok(file("image/svg+xml; charset=utf-8", "arshjul.svg", svg)),
        None => Err(WebError::NotFound(s.lang)),
    }
}
