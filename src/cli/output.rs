//! Rendering checkpoints for people (a table) and for spreadsheets (CSV).

use crate::definition::{Lang, Model};
use crate::schedule::Checkpoint;
use chrono::Datelike;
use std::fmt::Write;

const WEEKDAYS_SV: [&str; 7] = ["mån", "tis", "ons", "tors", "fre", "lör", "sön"];
const WEEKDAYS_EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

fn role_name<'a>(model: &'a Model, org: &str, id: &'a str) -> &'a str {
    let Some(o) = model.organisations.iter().find(|o| &*o.id == org) else { return id };
    o.role(id).map(|r| r.name.as_str()).or_else(|| o.group(id).map(|g| g.name.as_str())).unwrap_or(id)
}

fn unit_name<'a>(model: &'a Model, org: &str, id: &'a str) -> &'a str {
    model.organisations.iter().find(|o| &*o.id == org).and_then(|o| o.unit(id)).map(|u| u.name.as_str()).unwrap_or(id)
}

/// A readable table: date with weekday and week, owner, unit, title, id.
pub fn table(model: &Model, cps: &[Checkpoint], lang: Lang) -> String {
    let (h_date, h_owner, h_unit, h_what, cont, empty) = match lang {
        Lang::Sv => ("Datum", "Ansvarig", "Enhet", "Kontrollpunkt", "fortlöpande", "Inga kontrollpunkter i perioden."),
        Lang::En => ("Date", "Owner", "Unit", "Checkpoint", "continuous", "No checkpoints in the period."),
    };
    if cps.is_empty() {
        return empty.to_owned();
    }
    let rows: Vec<[String; 5]> = cps
        .iter()
        .map(|c| {
            let date = match c.date {
                Some(d) => {
                    let wd = d.weekday().num_days_from_monday() as usize;
                    let name = if lang == Lang::Sv { WEEKDAYS_SV[wd] } else { WEEKDAYS_EN[wd] };
                    format!("{d} {name} v{:02}", d.iso_week().week())
                }
                None => cont.to_owned(),
            };
            let mut title = c.title.to_string();
            if let Some(b) = &c.school_break {
                let _ = write!(title, " [{b}]");
            }
            let unit = c.unit.as_deref().map(|u| unit_name(model, &c.organisation, u).to_owned()).unwrap_or_else(|| "–".into());
            [date, role_name(model, &c.organisation, &c.owner_role).to_owned(), unit, title, c.id.clone()]
        })
        .collect();
    let widths: Vec<usize> = (0..3)
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0).max([h_date, h_owner, h_unit][i].chars().count()))
        .collect();
    let mut out = String::new();
    let pad = |s: &str, w: usize| format!("{s}{}", " ".repeat(w.saturating_sub(s.chars().count())));
    let _ = writeln!(out, "{}  {}  {}  {}", pad(h_date, widths[0]), pad(h_owner, widths[1]), pad(h_unit, widths[2]), h_what);
    for r in &rows {
        let _ = writeln!(out, "{}  {}  {}  {}", pad(&r[0], widths[0]), pad(&r[1], widths[1]), pad(&r[2], widths[2]), r[3]);
        let _ = writeln!(out, "{}  {}", " ".repeat(widths[0] + widths[1] + widths[2] + 4), r[4]);
    }
    let total = match lang {
        Lang::Sv => format!("{} kontrollpunkter", cps.len()),
        Lang::En => format!("{} checkpoints", cps.len()),
    };
    out.push_str(&total);
    out
}

fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_owned() }
}

/// RFC 4180 CSV with a header row.
pub fn csv(cps: &[Checkpoint]) -> String {
    let mut out = String::from("id,date,plan,initiative,part,kind,title,owner_role,unit,parent,label\n");
    for c in cps {
        let cols = [
            c.id.clone(),
            c.date.map(|d| d.to_string()).unwrap_or_default(),
            c.plan.as_deref().unwrap_or("").to_owned(),
            c.initiative.as_deref().unwrap_or("").to_owned(),
            c.part.map(|p| p.to_string()).unwrap_or_default(),
            c.kind.to_string(),
            c.title.to_string(),
            c.owner_role.to_string(),
            c.unit.as_deref().unwrap_or("").to_owned(),
            c.parent.clone().unwrap_or_default(),
            c.label.as_deref().unwrap_or("").to_owned(),
        ];
        let line: Vec<String> = cols.iter().map(|c| field(c)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}
