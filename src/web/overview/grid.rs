//! The unit × wheel-checkpoint grid for one läsår (1 July – 30 June) of one organisation:
//! a row per unit (the organiser's own level first, when it has wheel checkpoints), a column
//! per occurrence of a wheel checkpoint in the läsår, in date order. A cell holds every
//! checkpoint of that unit and occurrence (the wheel's own and each insats followed up at
//! it), shown as the most urgent one's state, with its word and how many are done.

use super::filter::{Filter, Period};
use super::names::Names;
use super::{checkpoint_href, state, t};
use crate::definition::Lang;
use crate::definition::model::Organisation;
use crate::store::Row;
use crate::workflow::State;
use chrono::NaiveDate;
use maud::{Markup, html};
use std::collections::BTreeMap;

/// One occurrence of a wheel checkpoint in the läsår.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    /// The wheel checkpoint's id.
    pub wheel: String,
    /// The occurrence's label (the last segment of its ids, e.g. `2021`).
    pub label: String,
    pub name: String,
    /// The earliest due date among its checkpoints.
    pub date: NaiveDate,
}

/// What one unit has at one occurrence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cell {
    /// The most urgent state among its checkpoints.
    pub state: State,
    pub approved: usize,
    pub total: usize,
    /// The checkpoint's id when the cell holds exactly one.
    pub only: Option<String>,
}

/// One line: a unit (`None`: the organiser's own level).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GridRow {
    pub unit: Option<String>,
    pub name: String,
    pub cells: Vec<Option<Cell>>,
}

/// The grid of one organisation and läsår.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grid {
    pub organisation: String,
    pub school_year: i32,
    pub columns: Vec<Column>,
    pub rows: Vec<GridRow>,
}

/// Builds the grid from `rows` (any organisation; others are skipped). Rows: the units of the
/// organisation (only `filter.unit` when set), plus units the rows name that the model no
/// longer has.
pub fn build(rows: &[Row], names: &Names, org: &Organisation, school_year: i32, filter: &Filter) -> Grid {
    let range = Period::SchoolYear(school_year).range();
    // (wheel id, label) → (wheel index, earliest date); per cell the rows' states.
    let mut cols: BTreeMap<(String, String), (usize, NaiveDate)> = BTreeMap::new();
    let mut cells: BTreeMap<(Option<String>, String, String), Vec<&Row>> = BTreeMap::new();
    for r in rows.iter().filter(|r| r.organisation == *org.id && r.state != State::Cancelled) {
        let (Some(due), Some(range)) = (r.due, range) else { continue };
        if !range.contains(due) {
            continue;
        }
        let Some((ix, wheel)) = names.wheel_of(r) else { continue };
        let label = r.id.rsplit('/').next().unwrap_or_default().to_owned();
        let e = cols.entry((wheel.to_owned(), label.clone())).or_insert((ix, due));
        e.1 = e.1.min(due);
        cells.entry((r.unit.clone(), wheel.to_owned(), label)).or_default().push(r);
    }
    let mut columns: Vec<(usize, Column)> = cols
        .into_iter()
        .map(|((wheel, label), (ix, date))| (ix, Column { name: names.wheel_name(&org.id, &wheel), wheel, label, date }))
        .collect();
    columns.sort_by(|a, b| (a.1.date, a.0, &a.1.label).cmp(&(b.1.date, b.0, &b.1.label)));
    let columns: Vec<Column> = columns.into_iter().map(|(_, c)| c).collect();

    let mut units: Vec<Option<String>> = Vec::new();
    if filter.unit.is_none() && cells.keys().any(|(u, _, _)| u.is_none()) {
        units.push(None);
    }
    let wanted = |u: &str| filter.unit.as_deref().is_none_or(|w| w == u);
    units.extend(org.units.iter().filter(|u| wanted(&u.id)).map(|u| Some(u.id.to_string())));
    for (u, _, _) in cells.keys() {
        if let Some(u) = u
            && wanted(u)
            && !units.contains(&Some(u.clone()))
        {
            units.push(Some(u.clone()));
        }
    }
    let rows = units
        .into_iter()
        .map(|unit| {
            let cells = columns.iter().map(|c| cells.get(&(unit.clone(), c.wheel.clone(), c.label.clone())).map(|rs| cell(rs))).collect();
            // The grid is one organisation's: unit names without the organisation.
            let name = match &unit {
                Some(u) => org.unit(u).map_or_else(|| u.clone(), |x| x.name.clone()),
                None => String::new(),
            };
            GridRow { unit, name, cells }
        })
        .collect();
    Grid { organisation: org.id.to_string(), school_year, columns, rows }
}

fn cell(rows: &[&Row]) -> Cell {
    let state = rows.iter().map(|r| r.state).max_by_key(|s| state::urgency(*s)).unwrap_or(State::Planned);
    Cell {
        state,
        approved: rows.iter().filter(|r| r.state == State::Approved).count(),
        total: rows.len(),
        only: (rows.len() == 1).then(|| rows[0].id.clone()),
    }
}

/// The name of a grid row in `lang` (the organiser's own level has none stored).
pub fn row_name(r: &GridRow, lang: Lang) -> String {
    match r.unit {
        Some(_) => r.name.clone(),
        None => t(lang, "Huvudmannen (organisationsnivå)", "Organiser level").into(),
    }
}

/// "2/5 klara": how many of a cell's checkpoints are done.
pub fn done_text(c: &Cell, lang: Lang) -> String {
    match lang {
        Lang::Sv => format!("{}/{} klara", c.approved, c.total),
        Lang::En => format!("{}/{} done", c.approved, c.total),
    }
}

/// The grid as an HTML table, `limit` units at most. A cell with one checkpoint links to it;
/// one with several links to the table filtered to the unit.
pub fn section(g: &Grid, names: &Names, filter: &Filter, lang: Lang, limit: usize) -> Markup {
    let id = format!("ov-grid-{}", g.organisation);
    let period = Period::SchoolYear(g.school_year);
    html! {
        section class="ov-grid" aria-labelledby=(id) {
            h2 id=(id) {
                (t(lang, "Årshjulet per enhet", "The wheel by unit")) ", " (period.label(lang))
                @if names.multi_org() { " – " (names.org_name(&g.organisation)) }
            }
            @if g.columns.is_empty() {
                p { (t(lang, "Inga av årshjulets kontrollpunkter under läsåret med de här filtren.", "None of the wheel's checkpoints in this school year with these filters.")) }
            } @else {
                p class="ov-legend" { (t(lang,
                    "Varje ruta visar den mest brådskande statusen bland enhetens kontrollpunkter vid tillfället (årshjulets egen och varje insats som följs upp då) och hur många av dem som är klara (godkända). Tom ruta: inget att följa upp.",
                    "Each cell shows the most urgent state among the unit's checkpoints at that occasion (the wheel's own and each initiative followed up then) and how many of them are done (approved). Empty cell: nothing to follow up.")) }
                div class="ov-scroll" {
                    table class="ov-table ov-gridt" {
                        thead { tr {
                            th scope="col" { (t(lang, "Enhet", "Unit")) }
                            @for c in &g.columns {
                                th scope="col" { (c.name) br; span class="ov-date" { (c.date.format("%Y-%m-%d")) } }
                            }
                        } }
                        tbody {
                            @for r in g.rows.iter().take(limit) {
                                tr {
                                    th scope="row" { (row_name(r, lang)) }
                                    @for c in &r.cells { (grid_cell(c.as_ref(), r, filter, lang)) }
                                }
                            }
                        }
                    }
                    @if g.rows.len() > limit { p class="ov-note" { (super::counts::more_note(lang, limit, g.rows.len())) } }
                }
            }
        }
    }
}

fn grid_cell(c: Option<&Cell>, r: &GridRow, filter: &Filter, lang: Lang) -> Markup {
    let Some(c) = c else {
        return html! { td class="ov-empty" { span class="ov-sr" { (t(lang, "inget", "none")) } } };
    };
    let href = match (&c.only, &r.unit) {
        (Some(id), _) => Some(checkpoint_href(id)),
        (None, Some(u)) => Some(format!("?{}#ov-table-h", Filter { unit: Some(u.clone()), ..filter.clone() }.to_query())),
        (None, None) => None,
    };
    html! {
        td class=(state::class(c.state)) {
            @match href {
                Some(h) => a href=(h) { (state::label(c.state, lang)) },
                None => (state::label(c.state, lang)),
            }
            @if c.total > 1 { br; span class="ov-sub" { (done_text(c, lang)) } }
        }
    }
}
