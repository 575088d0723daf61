//! The förvaltningschef's overview: pure renderers from stored rows (already narrowed to what
//! the viewer may see) and the loaded model to HTML fragments, SVG and CSV. No IO, no clock
//! (`today` comes in), no routes: the web layer fetches, checks access, wraps the body in its
//! page layout and serves the downloads.
//!
//! # Layout
//!
//! - [`page_body`]: the overview page's body, top to bottom: filters ([`filter`], form),
//!   problems (vacancies, failed emails, overdue, waiting for approval), counts per plan,
//!   unit and role ([`counts`]), the unit × wheel grid per organisation ([`grid`]), the
//!   årshjul as SVG ([`wheel`]), the checkpoint table per plan → insats → checkpoint, and
//!   the download links.
//! - Downloads: [`checkpoints_csv`], [`counts_csv`], [`grid_csv`] ([`csv`]) and [`wheel_svg`].
//! - [`checkpoint_href`]: the link to a checkpoint's page.
//! - `overview.css` ([`CSS`]): the classes these fragments use; no inline styles, no script.
//!
//! States are always shown with their word as well as their colour ([`state`]).

pub mod counts;
pub mod csv;
pub mod filter;
mod form;
pub mod grid;
pub mod names;
mod problems;
pub mod state;
mod svg;
mod table;
pub mod wheel;

#[cfg(test)]
mod fixture;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_views;

pub use filter::{Filter, Note, Period, WheelStart};

use crate::definition::model::Organisation;
use crate::definition::{Lang, Model};
use crate::remind::recipients::Vacancy;
use crate::store::{OutboxRow, Row};
use chrono::NaiveDate;
use maud::{Markup, html};
use names::Names;
use std::borrow::Cow;

/// The stylesheet rules the overview's classes need (for the layout's embedded stylesheet).
pub const CSS: &str = include_str!("overview.css");

/// The text in the viewer's language.
pub(crate) fn t(lang: Lang, sv: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Sv => sv,
        Lang::En => en,
    }
}

/// The link to a checkpoint's page: `/checkpoint/` and the id with each `/`-separated segment
/// percent-encoded (RFC 3986 unreserved characters kept), the slashes kept as they are — so
/// `hoor/arshjul/resultatanalys-ht/satofta/2021` stays readable, and anything else in an id
/// cannot break out of the path. The router takes the rest of the path and decodes it.
pub fn checkpoint_href(id: &str) -> String {
    let segs: Vec<String> = id.split('/').map(filter::encode).collect();
    format!("/checkpoint/{}", segs.join("/"))
}

/// Days past due of a checkpoint still waiting for its report (planned, open or overdue).
pub fn days_late(r: &Row, today: NaiveDate) -> Option<i64> {
    let due = r.due?;
    (r.state.is_pending() && due < today).then(|| (today - due).num_days())
}

/// Where the page's download links point; each gets the current filter's query string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Downloads {
    pub checkpoints_csv: String,
    pub counts_csv: String,
    pub grid_csv: String,
    pub wheel_svg: String,
}

impl Downloads {
    /// `{base}/kontrollpunkter.csv`, `{base}/antal.csv`, `{base}/rutnat.csv`, `{base}/arshjul.svg`.
    pub fn under(base: &str) -> Self {
        let base = base.trim_end_matches('/');
        Downloads {
            checkpoints_csv: format!("{base}/kontrollpunkter.csv"),
            counts_csv: format!("{base}/antal.csv"),
            grid_csv: format!("{base}/rutnat.csv"),
            wheel_svg: format!("{base}/arshjul.svg"),
        }
    }
}

/// How many lines each HTML table shows at most (the page stays small with 100 000
/// checkpoints; the CSV downloads have everything).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub table: usize,
    pub counts: usize,
    pub grid: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { table: 100, counts: 40, grid: 60 }
    }
}

/// What the overview is rendered from.
pub struct OverviewInput<'a> {
    /// The checkpoints the viewer may see; [`page_body`] applies `filter` itself (so they may
    /// be pre-filtered by the store with [`Filter::store_query`] or not).
    pub rows: &'a [Row],
    pub model: &'a Model,
    /// The organisations the viewer may see: the filter form offers their plans, units and
    /// roles only (a chef of one municipality in a shared store gets a short form that shows
    /// nothing of the others). Empty: every organisation of the model.
    pub organisations: &'a [String],
    /// Outbox rows; those with status `failed` are listed as problems.
    pub failed: &'a [OutboxRow],
    pub vacancies: &'a [Vacancy],
    pub filter: &'a Filter,
    /// Filter values that were ignored ([`filter::parse`]).
    pub notes: &'a [Note],
    pub today: NaiveDate,
    pub lang: Lang,
    pub downloads: &'a Downloads,
    pub limits: Limits,
}

/// The rows passing `f`, borrowed when they all do.
pub fn filtered<'r>(rows: &'r [Row], f: &Filter) -> Cow<'r, [Row]> {
    if rows.iter().all(|r| f.matches(r)) {
        Cow::Borrowed(rows)
    } else {
        Cow::Owned(rows.iter().filter(|r| f.matches(r)).cloned().collect())
    }
}

/// The organisations shown: the filter's, else every one that has rows, else the first.
pub fn organisations<'m>(model: &'m Model, rows: &[Row], f: &Filter) -> Vec<&'m Organisation> {
    let picked: Vec<&Organisation> = model
        .organisations
        .iter()
        .filter(|o| match &f.organisation {
            Some(id) => *o.id == **id,
            None => rows.iter().any(|r| r.organisation == *o.id),
        })
        .collect();
    if picked.is_empty() { model.organisations.iter().take(1).collect() } else { picked }
}

/// The overview page's body (the layout adds `<html>`, navigation and the stylesheet).
pub fn page_body(input: &OverviewInput) -> Markup {
    let (lang, f, today) = (input.lang, input.filter, input.today);
    let names = Names::new(input.model);
    let rows = filtered(input.rows, f);
    let counts = counts::count(&rows, &names, lang);
    let orgs = organisations(input.model, &rows, f);
    let q = f.to_query();
    let problems =
        problems::Problems { rows: &rows, failed: input.failed, vacancies: input.vacancies, names: &names, filter: f, today, lang };
    let d = input.downloads;
    html! {
        div class="ov" {
            h1 { (t(lang, "Översikt", "Overview")) ": " (f.period.label(lang)) }
            p class="ov-dim" { (t(lang, "Läsåret räknas 1 juli – 30 juni; ht är juli–december och vt januari–juni.", "The school year runs 1 July – 30 June; autumn term is July–December and spring term January–June.")) }
            (form::form(f, input.notes, input.model, input.organisations, today, lang))
            (problems::section(&problems))
            (counts::section(&counts, lang, input.limits.counts))
            @for org in &orgs {
                (grid::section(&grid::build(&rows, &names, org, f.period.school_year(today), f), &names, f, lang, input.limits.grid))
            }
            @for org in &orgs {
                @let spec = wheel::Spec::for_filter(org, f, today, lang);
                section class="ov-wheel-s" aria-labelledby=(format!("ov-wheel-h-{}", org.id)) {
                    h2 id=(format!("ov-wheel-h-{}", org.id)) {
                        (t(lang, "Årshjulet", "The annual wheel")) ", " (spec.from.format("%Y-%m-%d")) " – " (spec.to().format("%Y-%m-%d"))
                        @if names.multi_org() { " – " (org.name) }
                    }
                    (wheel::markup(&rows, &names, &spec))
                    p { a href=(format!("{}?{q}&org={}", d.wheel_svg, filter::encode(&org.id))) download { (t(lang, "Ladda ner årshjulet som SVG", "Download the wheel as SVG")) } }
                }
            }
            (table::section(&rows, &names, today, lang, input.limits.table))
            section class="ov-downloads" aria-labelledby="ov-dl-h" {
                h2 id="ov-dl-h" { (t(lang, "Ladda ner", "Download")) }
                ul {
                    li { a href=(format!("{}?{q}", d.checkpoints_csv)) download { (t(lang, "Kontrollpunkterna (CSV)", "The checkpoints (CSV)")) } }
                    li { a href=(format!("{}?{q}", d.counts_csv)) download { (t(lang, "Antalen per plan, enhet och roll (CSV)", "The counts by plan, unit and role (CSV)")) } }
                    li { a href=(format!("{}?{q}", d.grid_csv)) download { (t(lang, "Årshjulet per enhet (CSV)", "The wheel by unit (CSV)")) } }
                    li { a href=(format!("{}?{q}", d.wheel_svg)) download { (t(lang, "Årshjulet (SVG)", "The annual wheel (SVG)")) } }
                }
            }
        }
    }
}

/// The checkpoints CSV of the filtered view.
pub fn checkpoints_csv(rows: &[Row], model: &Model, f: &Filter, today: NaiveDate, lang: Lang) -> String {
    csv::checkpoints(&filtered(rows, f), &Names::new(model), today, lang)
}

/// The counts CSV (per plan, unit and role) of the filtered view.
pub fn counts_csv(rows: &[Row], model: &Model, f: &Filter, lang: Lang) -> String {
    let names = Names::new(model);
    csv::counts(&counts::count(&filtered(rows, f), &names, lang), lang)
}

/// The unit × wheel grid CSV of the first organisation shown (the filter's `org`, if any).
pub fn grid_csv(rows: &[Row], model: &Model, f: &Filter, today: NaiveDate, lang: Lang) -> String {
    let names = Names::new(model);
    let rows = filtered(rows, f);
    match organisations(model, &rows, f).first() {
        Some(org) => csv::grid(&grid::build(&rows, &names, org, f.period.school_year(today), f), lang),
        None => String::from("\u{FEFF}"),
    }
}

/// The standalone SVG wheel of the first organisation shown (the filter's `org`, if any),
/// links prefixed with `base_url` (the public address, so they work from a downloaded file).
/// `None` when the model has no organisation.
pub fn wheel_svg(rows: &[Row], model: &Model, f: &Filter, today: NaiveDate, lang: Lang, base_url: &str) -> Option<String> {
    let names = Names::new(model);
    let rows = filtered(rows, f);
    let org = *organisations(model, &rows, f).first()?;
    let mut spec = wheel::Spec::for_filter(org, f, today, lang);
    spec.base = base_url.trim_end_matches('/').to_owned();
    Some(wheel::svg(&rows, &names, &spec))
}
