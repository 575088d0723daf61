//! Counts of checkpoints by standing, per plan, per unit and per role.
//!
//! **Done** means approved (reported and approved by the superior). Reported-awaiting-approval
//! is its own column, not done. *Kommande* (upcoming) is planned + open: not yet due or within
//! its reminder window. Cancelled checkpoints are not counted. Every row's columns add up to
//! its total, and every table's rows add up to the same grand total.

use super::names::Names;
use super::t;
use crate::definition::Lang;
use crate::store::Row;
use crate::workflow::State;
use maud::{Markup, html};
use std::collections::BTreeMap;

/// How many checkpoints stand where.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub approved: usize,
    pub reported: usize,
    /// Planned or open.
    pub upcoming: usize,
    pub overdue: usize,
    pub missed: usize,
    pub waived: usize,
    /// All of the above (cancelled not counted).
    pub total: usize,
}

impl Tally {
    pub fn add(&mut self, s: State) {
        let slot = match s {
            State::Approved => &mut self.approved,
            State::Reported => &mut self.reported,
            State::Planned | State::Open => &mut self.upcoming,
            State::Overdue => &mut self.overdue,
            State::Missed => &mut self.missed,
            State::Waived => &mut self.waived,
            State::Cancelled => return,
        };
        *slot += 1;
        self.total += 1;
    }

    /// The columns in display order.
    pub fn columns(&self) -> [usize; 7] {
        [self.approved, self.reported, self.upcoming, self.overdue, self.missed, self.waived, self.total]
    }

    /// Approved as a whole percentage of those not waived; `None` when nothing counts.
    pub fn done_percent(&self) -> Option<usize> {
        let base = self.total - self.waived;
        (base > 0).then(|| (self.approved * 100 + base / 2) / base)
    }
}

/// The column headings, matching [`Tally::columns`], then the done share.
pub fn headings(lang: Lang) -> [&'static str; 8] {
    match lang {
        Lang::Sv => {
            ["Klara (godkända)", "Rapporterade, ej godkända", "Kommande", "Försenade", "Missade", "Avskrivna", "Totalt", "Andel klara"]
        }
        Lang::En => ["Done (approved)", "Reported, not approved", "Upcoming", "Overdue", "Missed", "Waived", "Total", "Share done"],
    }
}

/// One line of a counts table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CountRow {
    /// The id counted by (`-` for rows without one: no plan, organisation level).
    pub key: String,
    pub name: String,
    pub tally: Tally,
}

/// The counts of one view.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub total: Tally,
    pub by_plan: Vec<CountRow>,
    pub by_unit: Vec<CountRow>,
    pub by_role: Vec<CountRow>,
}

/// Position of an id in the model (organisation, then definition order); unknown ids last.
type Order = (usize, usize);

fn tally_by(rows: &[Row], key: impl Fn(&Row) -> (Order, String, String)) -> Vec<CountRow> {
    let mut map: BTreeMap<(Order, String), (String, Tally)> = BTreeMap::new();
    for r in rows {
        let (order, k, name) = key(r);
        map.entry((order, k)).or_insert_with(|| (name, Tally::default())).1.add(r.state);
    }
    map.into_iter().map(|((_, key), (name, tally))| CountRow { key, name, tally }).collect()
}

/// Counts `rows` (already filtered) per plan, unit and role.
pub fn count(rows: &[Row], names: &Names, lang: Lang) -> Counts {
    let mut total = Tally::default();
    rows.iter().for_each(|r| total.add(r.state));
    let org_ix = |o: &str| names.org_index(o);
    let by_plan = tally_by(rows, |r| {
        let o = org_ix(&r.organisation);
        match &r.plan {
            Some(p) => {
                let ix = names.org(&r.organisation).and_then(|org| org.plans.iter().position(|x| &*x.id == p));
                (
                    (o, ix.unwrap_or(usize::MAX - 1)),
                    format!("{}/{p}", r.organisation),
                    names.plan(&r.organisation, Some(p)).unwrap_or_default(),
                )
            }
            None => ((usize::MAX, usize::MAX), "-".into(), t(lang, "Utan plan (årshjulet, grupper)", "No plan (the wheel, groups)").into()),
        }
    });
    let by_unit = tally_by(rows, |r| match &r.unit {
        Some(u) => {
            let ix = names.org(&r.organisation).and_then(|org| org.units.iter().position(|x| &*x.id == u));
            ((org_ix(&r.organisation), ix.map_or(usize::MAX, |i| i + 1)), format!("{}/{u}", r.organisation), names.unit(&r.organisation, u))
        }
        None => {
            let name = t(lang, "Huvudmannen (organisationsnivå)", "Organiser level");
            let name = if names.multi_org() { format!("{name} ({})", r.organisation) } else { name.into() };
            ((org_ix(&r.organisation), 0), format!("{}/-", r.organisation), name)
        }
    });
    let by_role = tally_by(rows, |r| {
        let org = names.org(&r.organisation);
        let ix = org.and_then(|o| {
            o.roles
                .iter()
                .position(|x| *x.id == *r.owner_role)
                .or_else(|| o.groups.iter().position(|g| *g.id == *r.owner_role).map(|i| i + 1000))
        });
        let mut name = names.role(&r.organisation, &r.owner_role);
        if names.multi_org() {
            name = format!("{name} ({})", r.organisation);
        }
        ((org_ix(&r.organisation), ix.unwrap_or(usize::MAX)), format!("{}/{}", r.organisation, r.owner_role), name)
    });
    Counts { total, by_plan, by_unit, by_role }
}

/// The three counts tables with their legend; each table shows at most `limit` lines (the
/// CSV has them all).
pub fn section(c: &Counts, lang: Lang, limit: usize) -> Markup {
    let tables = [
        (t(lang, "Per plan", "By plan"), t(lang, "Plan", "Plan"), &c.by_plan),
        (t(lang, "Per enhet", "By unit"), t(lang, "Enhet", "Unit"), &c.by_unit),
        (t(lang, "Per ansvarig roll", "By responsible role"), t(lang, "Roll", "Role"), &c.by_role),
    ];
    html! {
        section class="ov-counts" aria-labelledby="ov-counts-h" {
            h2 id="ov-counts-h" { (t(lang, "Hur långt har vi kommit?", "How far have we come?")) }
            p class="ov-legend" {
                (t(lang,
                    "Klara = godkända av överordnad. Rapporterade men ännu inte godkända räknas för sig. Kommande = planerade och öppna. Andel klara = klara av alla utom avskrivna. Strukna kontrollpunkter räknas inte.",
                    "Done = approved by the superior. Reported but not yet approved are counted apart. Upcoming = planned and open. Share done = done out of all but waived. Cancelled checkpoints are not counted."))
            }
            @for (caption, first, lines) in tables {
                // Focusable and named: on a phone the table scrolls sideways, and a keyboard
                // user must be able to reach the columns off-screen (nothing in it is a link).
                div class="ov-scroll" tabindex="0" role="region" aria-label=(caption) {
                    table class="ov-table ov-num" {
                        caption { (caption) }
                        thead { tr {
                            th scope="col" { (first) }
                            @for h in headings(lang) { th scope="col" { (h) } }
                        } }
                        tbody {
                            @for line in lines.iter().take(limit) { (count_line(&line.name, &line.tally, false)) }
                        }
                        tfoot { (count_line(t(lang, "Summa", "Total"), &c.total, true)) }
                    }
                    @if lines.len() > limit {
                        p class="ov-note" { (more_note(lang, limit, lines.len())) }
                    }
                }
            }
        }
    }
}

fn count_line(name: &str, tally: &Tally, sum: bool) -> Markup {
    let cols = tally.columns();
    html! {
        tr class=[sum.then_some("ov-sum")] {
            th scope="row" { (name) }
            @for (i, n) in cols.iter().enumerate() {
                td class=[(*n > 0 && (i == 3 || i == 4)).then_some("ov-bad")] { (n) }
            }
            td { @match tally.done_percent() { Some(p) => { (p) " %" }, None => "–" } }
        }
    }
}

/// "Visar 50 av 230 rader; hela tabellen finns som CSV."
pub fn more_note(lang: Lang, shown: usize, all: usize) -> String {
    match lang {
        Lang::Sv => format!("Visar {shown} av {all} rader. Smalna av med filtren ovan eller ladda ner hela tabellen som CSV."),
        Lang::En => format!("Showing {shown} of {all} rows. Narrow it with the filters above or download the whole table as CSV."),
    }
}
