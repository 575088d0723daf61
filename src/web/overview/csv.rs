//! CSV downloads of the overview's tables, for Excel: RFC 4180 (CRLF, fields with `,` `"` or
//! line breaks quoted, quotes doubled), UTF-8 with a byte-order mark, headers in the viewer's
//! language, ISO dates. A cell that starts with `=`, `+`, `-`, `@`, tab or carriage return gets
//! a leading `'` so that a spreadsheet never reads it as a formula (CSV injection).

use super::counts::{Counts, headings};
use super::grid::{Grid, done_text, row_name};
use super::names::Names;
use super::{days_late, state, t, table};
use crate::definition::Lang;
use crate::store::Row;
use chrono::NaiveDate;

const BOM: &str = "\u{FEFF}";

/// One field, quoted when needed and defused against formulas.
pub fn field(s: &str) -> String {
    let defused = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_owned() };
    if defused.contains([',', '"', '\n', '\r']) { format!("\"{}\"", defused.replace('"', "\"\"")) } else { defused }
}

fn line(out: &mut String, fields: &[String]) {
    let cells: Vec<String> = fields.iter().map(|f| field(f)).collect();
    out.push_str(&cells.join(","));
    out.push_str("\r\n");
}

fn date(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default()
}

fn yes(b: bool, lang: Lang) -> String {
    if b { t(lang, "ja", "yes") } else { t(lang, "nej", "no") }.to_owned()
}

/// Every checkpoint of `rows` in table order (plan, insats, date), with names from the model.
pub fn checkpoints(rows: &[Row], names: &Names, today: NaiveDate, lang: Lang) -> String {
    let mut out = String::from(BOM);
    let head: &[&str] = match lang {
        Lang::Sv => &[
            "Id",
            "Organisation",
            "Plan",
            "Insats",
            "Kontrollpunkt",
            "Typ",
            "Ansvarig roll",
            "Enhet",
            "Förfaller",
            "Status",
            "Dagar sena",
            "Flyttad",
            "I planen",
            "Tillagd efter sitt datum",
            "Lov",
            "Utfall",
        ],
        Lang::En => &[
            "Id",
            "Organisation",
            "Plan",
            "Initiative",
            "Checkpoint",
            "Kind",
            "Responsible role",
            "Unit",
            "Due",
            "State",
            "Days late",
            "Rescheduled",
            "In the plan",
            "Added after its date",
            "School break",
            "Outcome",
        ],
    };
    line(&mut out, &head.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    for r in table::ordered(rows, names) {
        let outcome = r.report.as_ref().map(|rep| if lang == Lang::Sv { rep.outcome.sv() } else { rep.outcome.en() });
        line(
            &mut out,
            &[
                r.id.clone(),
                r.organisation.clone(),
                names.plan(&r.organisation, r.plan.as_deref()).unwrap_or_default(),
                names.initiative(&r.organisation, r.plan.as_deref(), r.initiative.as_deref()).unwrap_or_default(),
                r.title.clone(),
                r.kind.clone(),
                names.role(&r.organisation, &r.owner_role),
                r.unit.as_deref().map(|u| names.unit(&r.organisation, u)).unwrap_or_default(),
                date(r.due),
                state::label(r.state, lang).to_owned(),
                days_late(r, today).map(|n| n.to_string()).unwrap_or_default(),
                yes(r.rescheduled, lang),
                yes(r.in_plan, lang),
                yes(r.added_past_due, lang),
                r.school_break.clone().unwrap_or_default(),
                outcome.unwrap_or_default().to_owned(),
            ],
        );
    }
    out
}

/// The counts per plan, per unit and per role, one table with the dimension in front.
pub fn counts(c: &Counts, lang: Lang) -> String {
    let mut out = String::from(BOM);
    let mut head = vec![t(lang, "Indelning", "Dimension").to_owned(), "Id".into(), t(lang, "Namn", "Name").to_owned()];
    head.extend(headings(lang).iter().map(|h| h.to_string()));
    line(&mut out, &head);
    let dims = [(t(lang, "plan", "plan"), &c.by_plan), (t(lang, "enhet", "unit"), &c.by_unit), (t(lang, "roll", "role"), &c.by_role)];
    for (dim, lines) in dims {
        for l in lines {
            let mut f = vec![dim.to_owned(), l.key.clone(), l.name.clone()];
            f.extend(l.tally.columns().iter().map(|n| n.to_string()));
            f.push(l.tally.done_percent().map(|p| p.to_string()).unwrap_or_default());
            line(&mut out, &f);
        }
    }
    out
}

/// The unit × wheel grid: a column per occurrence (name and date), each cell the state's
/// word and how many are done.
pub fn grid(g: &Grid, lang: Lang) -> String {
    let mut out = String::from(BOM);
    let mut head = vec![t(lang, "Enhet", "Unit").to_owned()];
    head.extend(g.columns.iter().map(|c| format!("{} {}", c.name, c.date.format("%Y-%m-%d"))));
    line(&mut out, &head);
    for r in &g.rows {
        let mut f = vec![row_name(r, lang)];
        f.extend(
            r.cells
                .iter()
                .map(|c| c.as_ref().map(|c| format!("{} ({})", state::label(c.state, lang), done_text(c, lang))).unwrap_or_default()),
        );
        line(&mut out, &f);
    }
    out
}
