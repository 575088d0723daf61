//! `GET /overview` and its downloads: the förvaltningschef's overview (problems, counts,
//! the unit × wheel grid, the årshjul, the table; `web::overview` renders them) over the
//! checkpoints the signed-in person may see, and the same views as CSV and SVG files.
//! Only people whose roles have others reporting to them (chefs), the read-only and
//! administrators get it; others are sent to their own page.
//!
//! Each view (the page's body, each download) is cached per viewer's holdings, filters,
//! date and language under the store's change counter (`web::page_cache`): rendered once
//! per change, never served after one. The page's layout (name, form token) is per request.

use super::access::{Viewer, can_see};
use super::layout::page;
use super::overview::{self, Downloads, Limits, OverviewInput, filter};
use super::page_cache::{Key, scope};
use super::session::MaybeSigned;
use super::{AppState, WebError, t};
use crate::definition::Model;
use crate::remind::recipients::{Directory, vacancies};
use crate::store::Row;
use axum::Router;
use axum::extract::{RawQuery, State as AxState};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use maud::PreEscaped;
use std::sync::Arc;

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

/// A signed-in chef, before anything is read for the view.
struct Chef {
    viewer: Viewer,
    /// The store's change counter, read with the session.
    generation: i64,
    /// The viewer's organisations, sorted, once each.
    organisations: Vec<String>,
}

/// What a signed-in chef sees, filtered: the filter (with notes on what was ignored) and the
/// rows.
struct Seen {
    filter: filter::Filter,
    notes: Vec<filter::Note>,
    rows: Vec<Row>,
}

/// The signed-in chef, or where to send the visitor (not signed in, or not a chef).
fn chef(s: &AppState, signed: MaybeSigned) -> Result<Chef, Redirect> {
    let Some(signed) = signed.0 else { return Err(Redirect::to("/login")) };
    if !signed.viewer.is_chief(&s.model()) {
        return Err(Redirect::to("/"));
    }
    let mut organisations: Vec<String> = signed.viewer.holds.iter().map(|h| h.organisation.clone()).collect();
    organisations.sort();
    organisations.dedup();
    Ok(Chef { viewer: signed.viewer, generation: signed.generation, organisations })
}

/// The rows `chef` may see under the filter in `query`.
async fn seen(s: &AppState, chef: &Chef, model: &Model, query: &str) -> Result<Seen, WebError> {
    let (filter, notes) = filter::parse(query, model, s.today());
    // Read only the viewer's organisations (access is still checked row by row below).
    let mut q = filter.store_query();
    if q.organisation.is_none() {
        q.organisations = chef.organisations.clone();
    }
    let mut rows = s.store.overview_rows(&q).await.map_err(WebError::store(s.lang))?;
    rows.retain(|r| can_see(&chef.viewer, r, model));
    Ok(Seen { filter, notes, rows })
}

/// The views of the overview: the page's body and the downloads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum View {
    Page,
    CheckpointsCsv,
    CountsCsv,
    GridCsv,
    WheelSvg,
}

impl View {
    fn name(self) -> &'static str {
        match self {
            View::Page => "page",
            View::CheckpointsCsv => "kontrollpunkter.csv",
            View::CountsCsv => "antal.csv",
            View::GridCsv => "rutnat.csv",
            View::WheelSvg => "arshjul.svg",
        }
    }

    async fn render(self, s: &AppState, chef: &Chef, model: &Model, query: &str) -> Result<String, WebError> {
        let x = seen(s, chef, model, query).await?;
        let (today, lang) = (s.today(), s.lang);
        Ok(match self {
            View::Page => body(s, chef, &x, model).await?,
            View::CheckpointsCsv => overview::checkpoints_csv(&x.rows, model, &x.filter, today, lang),
            View::CountsCsv => overview::counts_csv(&x.rows, model, &x.filter, lang),
            View::GridCsv => overview::grid_csv(&x.rows, model, &x.filter, today, lang),
            View::WheelSvg => overview::wheel_svg(&x.rows, model, &x.filter, today, lang, &s.base_url).ok_or(WebError::NotFound(lang))?,
        })
    }
}

/// `view` for `chef` under `query`: from the cache when nothing it shows changed since it
/// was rendered (see `web::page_cache`), else rendered from the store.
async fn cached(s: &AppState, chef: &Chef, view: View, query: Option<String>) -> Result<Arc<str>, WebError> {
    let model = s.model();
    let query = query.unwrap_or_default();
    let key = Key::new(view.name(), scope(&chef.viewer.holds), query.clone(), s.today(), s.lang, &model);
    s.pages.get_or_render(chef.generation, key, &model, || view.render(s, chef, &model, &query)).await
}

async fn show(AxState(s): AxState<AppState>, signed: MaybeSigned, RawQuery(q): RawQuery) -> Result<Response, WebError> {
    let chef = match chef(&s, signed) {
        Ok(x) => x,
        Err(elsewhere) => return Ok(elsewhere.into_response()),
    };
    let body = cached(&s, &chef, View::Page, q).await?;
    let lang = s.lang;
    let title = t(lang, "Översikt", "Overview");
    Ok(page(title, Some(&chef.viewer), lang, PreEscaped(body.to_string())).into_response())
}

/// The overview's body (without the layout, which has the viewer's name and form token).
async fn body(s: &AppState, chef: &Chef, seen: &Seen, model: &Model) -> Result<String, WebError> {
    let today = s.today();
    let lang = s.lang;
    // Problems the viewer can act on: failed emails of the last 60 days, vacancies in the
    // organisations they see.
    let failed = s.store.failed_outbox(today - chrono::Duration::days(60)).await.map_err(WebError::store(lang))?;
    let people = s.store.people_in(&chef.organisations).await.map_err(WebError::store(lang))?;
    let dir = Directory::new(&people);
    let vacant: Vec<_> =
        model.organisations.iter().filter(|o| chef.organisations.iter().any(|x| **x == *o.id)).flat_map(|o| vacancies(&dir, o)).collect();
    let downloads = Downloads::under(BASE);
    let input = OverviewInput {
        rows: &seen.rows,
        model,
        organisations: &chef.organisations,
        failed: &failed,
        vacancies: &vacant,
        filter: &seen.filter,
        notes: &seen.notes,
        today,
        lang,
        downloads: &downloads,
        limits: Limits::default(),
    };
    Ok(overview::page_body(&input).into_string())
}

const CSV: &str = "text/csv; charset=utf-8";

/// A download: the view as a file.
async fn download(
    s: AppState,
    signed: MaybeSigned,
    q: Option<String>,
    view: View,
    content_type: &'static str,
) -> Result<Response, WebError> {
    let chef = match chef(&s, signed) {
        Ok(x) => x,
        Err(elsewhere) => return Ok(elsewhere.into_response()),
    };
    let body = cached(&s, &chef, view, q).await?;
    let disposition = format!("attachment; filename=\"{}\"", view.name());
    Ok(([(header::CONTENT_TYPE, content_type.to_owned()), (header::CONTENT_DISPOSITION, disposition)], body.to_string()).into_response())
}

async fn checkpoints_csv(AxState(s): AxState<AppState>, signed: MaybeSigned, RawQuery(q): RawQuery) -> Result<Response, WebError> {
    download(s, signed, q, View::CheckpointsCsv, CSV).await
}

async fn counts_csv(AxState(s): AxState<AppState>, signed: MaybeSigned, RawQuery(q): RawQuery) -> Result<Response, WebError> {
    download(s, signed, q, View::CountsCsv, CSV).await
}

async fn grid_csv(AxState(s): AxState<AppState>, signed: MaybeSigned, RawQuery(q): RawQuery) -> Result<Response, WebError> {
    download(s, signed, q, View::GridCsv, CSV).await
}

async fn wheel_svg(AxState(s): AxState<AppState>, signed: MaybeSigned, RawQuery(q): RawQuery) -> Result<Response, WebError> {
    download(s, signed, q, View::WheelSvg, "image/svg+xml; charset=utf-8").await
}
