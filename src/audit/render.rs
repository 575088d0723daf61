//! The audit as text: a table for the terminal, CSV for spreadsheets, JSON for programs.
//!
//! CSV: RFC 4180 (CRLF, fields with `,` `"` or line breaks quoted, quotes doubled), UTF-8
//! with a byte-order mark, comma-separated like the overview's downloads (one convention in
//! the product; Excel with Swedish settings opens it through Data → Från text/CSV, and the
//! XLSX export is the one to double-click). A cell starting with `=`, `+`, `-`, `@`, tab or
//! carriage return gets a leading `'` (OWASP's advice against formula injection).

use super::summary::{Counts, Summary};
use super::{AuditRow, Verdict};
use crate::definition::Lang;
use chrono::NaiveDate;
use std::fmt::Write as _;

pub(crate) fn t(lang: Lang, sv: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Sv => sv,
        Lang::En => en,
    }
}

/// Text a spreadsheet must never read as a formula: `'` in front (OWASP).
pub fn defuse(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_owned() }
}

fn field(s: &str) -> String {
    let d = defuse(s);
    if d.contains([',', '"', '\n', '\r']) { format!("\"{}\"", d.replace('"', "\"\"")) } else { d }
}

/// The columns of the CSV and XLSX, in order (Swedish, English).
pub const COLUMNS: [(&str, &str); 25] = [
    ("Organisation", "Organisation"),
    ("Plan", "Plan"),
    ("Insats", "Initiative"),
    ("Kontrollpunkt", "Checkpoint"),
    ("Typ", "Kind"),
    ("Enhet", "Unit"),
    ("Ansvarig roll", "Owner role"),
    ("Ansvarig person", "Owner"),
    ("Förfaller", "Due"),
    ("Status", "State"),
    ("Bedömning", "Verdict"),
    ("Utfall", "Outcome"),
    ("Rapporterad", "Reported"),
    ("Rapporterad av", "Reported by"),
    ("Sen (arbetsdagar)", "Late (working days)"),
    ("Godkänd", "Approved"),
    ("Godkänd av", "Approved by"),
    ("Avskriven", "Waived"),
    ("Avskriven av", "Waived by"),
    ("Skäl för avskrivning", "Reason waived"),
    ("Missad", "Missed"),
    ("Missad den", "Missed on"),
    ("Flyttad", "Rescheduled"),
    ("I planen", "In the plan"),
    ("Id", "Id"),
];

/// One cell of an audit row, typed (for XLSX).
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Text(String),
    Date(Option<NaiveDate>),
    Number(Option<f64>),
}

fn yes(b: bool, lang: Lang) -> String {
    t(lang, if b { "ja" } else { "nej" }, if b { "yes" } else { "no" }).to_owned()
}

/// The row's cells in [`COLUMNS`] order.
pub fn cells(r: &AuditRow, lang: Lang) -> Vec<Cell> {
    let s = |x: &Option<String>| Cell::Text(x.clone().unwrap_or_default());
    let outcome = r.outcome.map(|o| if lang == Lang::Sv { o.sv() } else { o.en() }).unwrap_or_default();
    let state = if lang == Lang::Sv { r.state.sv() } else { r.state.en() };
    vec![
        Cell::Text(r.organisation.clone()),
        s(&r.plan_name),
        s(&r.initiative_name),
        Cell::Text(r.title.clone()),
        Cell::Text(r.kind.clone()),
        s(&r.unit_name),
        Cell::Text(r.owner_role_name.clone()),
        Cell::Text(r.owner_people.clone()),
        Cell::Date(r.due),
        Cell::Text(state.to_owned()),
        Cell::Text(r.verdict.get(lang).to_owned()),
        Cell::Text(outcome.to_owned()),
        Cell::Date(r.reported_on),
        s(&r.reported_by),
        Cell::Number(r.late_working_days.map(f64::from)),
        Cell::Date(r.approved_on),
        s(&r.approved_by),
        Cell::Date(r.waived_on),
        s(&r.waived_by),
        s(&r.waived_reason),
        Cell::Text(yes(r.missed, lang)),
        Cell::Date(r.missed_on),
        Cell::Text(yes(r.rescheduled, lang)),
        Cell::Text(yes(r.in_plan, lang)),
        Cell::Text(r.checkpoint.clone()),
    ]
}

fn plain(c: &Cell) -> String {
    match c {
        Cell::Text(s) => s.clone(),
        Cell::Date(d) => d.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default(),
        Cell::Number(n) => n.map(|n| format!("{n}")).unwrap_or_default(),
    }
}

/// The summary's columns (Swedish, English).
pub const SUMMARY_COLUMNS: [(&str, &str); 13] = [
    ("Grupp", "Group"),
    ("Namn", "Name"),
    ("Antal", "Count"),
    ("I tid", "On time"),
    ("Sena", "Late"),
    ("Avskrivna", "Waived"),
    ("Missade", "Missed"),
    ("Avgjorda", "Settled"),
    ("Andel i tid", "Share on time"),
    ("Andel sena", "Share late"),
    ("Andel avskrivna", "Share waived"),
    ("Andel missade", "Share missed"),
    ("Försenade + ej förfallna", "Overdue + not yet due"),
];

/// The summary line's cells in [`SUMMARY_COLUMNS`] order (shares 0–1).
pub fn summary_cells(dim: &str, name: &str, c: &Counts) -> Vec<Cell> {
    let n = |x: usize| Cell::Number(Some(x as f64));
    vec![
        Cell::Text(dim.to_owned()),
        Cell::Text(name.to_owned()),
        n(c.total),
        n(c.on_time),
        n(c.late),
        n(c.waived),
        n(c.missed),
        n(c.settled()),
        Cell::Number(c.share(c.on_time)),
        Cell::Number(c.share(c.late)),
        Cell::Number(c.share(c.waived)),
        Cell::Number(c.share(c.missed)),
        n(c.overdue + c.pending),
    ]
}

fn header(cols: &[(&str, &str)], lang: Lang) -> Vec<String> {
    cols.iter().map(|(sv, en)| if lang == Lang::Sv { (*sv).to_owned() } else { (*en).to_owned() }).collect()
}

fn csv_line(out: &mut String, fields: impl IntoIterator<Item = String>) {
    let cells: Vec<String> = fields.into_iter().map(|f| field(&f)).collect();
    out.push_str(&cells.join(","));
    out.push_str("\r\n");
}

/// Every row as CSV (see the module docs), header in `lang`.
pub fn csv(rows: &[AuditRow], lang: Lang) -> String {
    let mut out = String::from("\u{FEFF}");
    csv_line(&mut out, header(&COLUMNS, lang));
    for r in rows {
        csv_line(&mut out, cells(r, lang).iter().map(plain));
    }
    out
}

/// JSON: `{"rows": [...], "summary": [...]}`.
pub fn json(rows: &[AuditRow], summary: &Summary) -> String {
    serde_json::to_string_pretty(&serde_json::json!({ "rows": rows, "summary": summary.groups })).unwrap_or_else(|_| "{}".into())
}

fn pct(x: Option<f64>) -> String {
    x.map(|x| format!("{:.0} %", x * 100.0)).unwrap_or_else(|| "–".into())
}

/// A readable table for the terminal, then the summary.
pub fn table(rows: &[AuditRow], summary: &Summary, lang: Lang) -> String {
    if rows.is_empty() {
        return t(lang, "Inga utlovade uppföljningar matchar urvalet.", "No promised follow-ups match the selection.").to_owned();
    }
    let head = [
        t(lang, "Förfaller", "Due"),
        t(lang, "Bedömning", "Verdict"),
        t(lang, "Sen", "Late"),
        t(lang, "Rapporterad", "Reported"),
        t(lang, "Enhet", "Unit"),
        t(lang, "Ansvarig", "Owner"),
        t(lang, "Kontrollpunkt", "Checkpoint"),
    ];
    let lines: Vec<[String; 7]> = rows
        .iter()
        .map(|r| {
            let reported = match (&r.reported_on, &r.reported_by) {
                (Some(d), Some(by)) => format!("{d} {by}"),
                _ => String::new(),
            };
            let late = r.late_working_days.map(|n| n.to_string()).unwrap_or_default();
            let owner =
                if r.owner_people.is_empty() { r.owner_role_name.clone() } else { format!("{} ({})", r.owner_role_name, r.owner_people) };
            [
                r.due.map(|d| d.to_string()).unwrap_or_else(|| t(lang, "fortlöpande", "continuous").into()),
                r.verdict.get(lang).to_owned(),
                late,
                reported,
                r.unit_name.clone().unwrap_or_else(|| "–".into()),
                owner,
                r.title.clone(),
            ]
        })
        .collect();
    let widths: Vec<usize> =
        (0..6).map(|i| lines.iter().map(|l| l[i].chars().count()).max().unwrap_or(0).max(head[i].chars().count())).collect();
    let pad = |s: &str, w: usize| format!("{s}{}", " ".repeat(w.saturating_sub(s.chars().count())));
    let mut out = String::new();
    let cols: Vec<String> = (0..6).map(|i| pad(head[i], widths[i])).collect();
    let _ = writeln!(out, "{}  {}", cols.join("  "), head[6]);
    let indent = " ".repeat(widths.iter().sum::<usize>() + 12);
    for (l, r) in lines.iter().zip(rows) {
        let cols: Vec<String> = (0..6).map(|i| pad(&l[i], widths[i])).collect();
        let _ = writeln!(out, "{}  {}", cols.join("  "), l[6]);
        let mut more = Vec::new();
        if let Some(o) = r.outcome {
            more.push(format!("{}: {}", t(lang, "utfall", "outcome"), if lang == Lang::Sv { o.sv() } else { o.en() }));
        }
        if let (Some(d), Some(by)) = (&r.approved_on, &r.approved_by) {
            more.push(format!("{} {d} {by}", t(lang, "godkänd", "approved")));
        }
        if let Some(d) = &r.waived_on {
            let why = r.waived_reason.as_deref().unwrap_or("");
            more.push(format!("{} {d} {}: {why}", t(lang, "avskriven", "waived"), r.waived_by.as_deref().unwrap_or("")));
        }
        if r.missed && r.verdict != Verdict::Missed {
            more.push(t(lang, "rapporterad efter att ha stängts som missad", "reported after being closed as missed").to_owned());
        }
        more.push(r.checkpoint.clone());
        let _ = writeln!(out, "{indent}{}", more.join(" · "));
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{}",
        t(
            lang,
            "Sammanfattning (andelar av avgjorda: i tid + sena + avskrivna + missade)",
            "Summary (shares of the settled: on time + late + waived + missed)"
        )
    );
    let sh = header(&SUMMARY_COLUMNS, lang);
    let mut body: Vec<Vec<String>> = vec![vec![
        sh[0].clone(),
        sh[1].clone(),
        sh[2].clone(),
        sh[8].clone(),
        sh[9].clone(),
        sh[10].clone(),
        sh[11].clone(),
        sh[12].clone(),
    ]];
    for g in &summary.groups {
        let c = &g.counts;
        body.push(vec![
            if lang == Lang::Sv { g.dimension.sv() } else { g.dimension.en() }.to_owned(),
            g.name.clone(),
            c.total.to_string(),
            format!("{} ({})", pct(c.share(c.on_time)), c.on_time),
            format!("{} ({})", pct(c.share(c.late)), c.late),
            format!("{} ({})", pct(c.share(c.waived)), c.waived),
            format!("{} ({})", pct(c.share(c.missed)), c.missed),
            format!("{} + {}", c.overdue, c.pending),
        ]);
    }
    let w: Vec<usize> = (0..8).map(|i| body.iter().map(|l| l[i].chars().count()).max().unwrap_or(0)).collect();
    for l in &body {
        let cols: Vec<String> = (0..8).map(|i| pad(&l[i], w[i])).collect();
        let _ = writeln!(out, "{}", cols.join("  ").trim_end());
    }
    out.pop();
    out
}
