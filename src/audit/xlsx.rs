//! The audit as an XLSX workbook: sheet 1 the follow-ups (one row each, dates as dates,
//! late working days as numbers), sheet 2 the summary (counts as numbers, shares as
//! percentages). Text that a spreadsheet could read as a formula gets a leading `'`.

use super::AuditRow;
use super::render::{COLUMNS, Cell, SUMMARY_COLUMNS, cells, defuse, summary_cells};
use super::summary::Summary;
use crate::definition::Lang;
use crate::export::xlsx::{Sheet, Value};
use crate::export::zip::TooLarge;

fn value(c: Cell, percent: bool) -> Value {
    match c {
        Cell::Text(s) if s.is_empty() => Value::Empty,
        Cell::Text(s) => Value::Text(defuse(&s)),
        Cell::Date(Some(d)) => Value::Date(d),
        Cell::Number(Some(n)) if percent => Value::Percent(n),
        Cell::Number(Some(n)) => Value::Number(n),
        Cell::Date(None) | Cell::Number(None) => Value::Empty,
    }
}

fn head(cols: &[(&str, &str)], lang: Lang) -> Vec<String> {
    cols.iter().map(|(sv, en)| if lang == Lang::Sv { (*sv).to_owned() } else { (*en).to_owned() }).collect()
}

/// The workbook's bytes.
pub fn workbook(rows: &[AuditRow], summary: &Summary, lang: Lang) -> Result<Vec<u8>, TooLarge> {
    let follow_ups = Sheet {
        name: if lang == Lang::Sv { "Uppföljningar" } else { "Follow-ups" }.into(),
        header: head(&COLUMNS, lang),
        rows: rows.iter().map(|r| cells(r, lang).into_iter().map(|c| value(c, false)).collect()).collect(),
        widths: vec![
            12.0, 28.0, 32.0, 32.0, 14.0, 20.0, 20.0, 22.0, 11.0, 12.0, 12.0, 20.0, 11.0, 22.0, 10.0, 11.0, 22.0, 11.0, 22.0, 30.0, 8.0,
            11.0, 8.0, 8.0, 50.0,
        ],
    };
    let sums = Sheet {
        name: if lang == Lang::Sv { "Sammanfattning" } else { "Summary" }.into(),
        header: head(&SUMMARY_COLUMNS, lang),
        rows: summary
            .groups
            .iter()
            .map(|g| {
                let dim = if lang == Lang::Sv { g.dimension.sv() } else { g.dimension.en() };
                summary_cells(dim, &g.name, &g.counts).into_iter().enumerate().map(|(i, c)| value(c, (8..12).contains(&i))).collect()
            })
            .collect(),
        widths: vec![10.0, 36.0, 8.0, 8.0, 8.0, 10.0, 9.0, 9.0, 12.0, 12.0, 14.0, 13.0, 22.0],
    };
    crate::export::xlsx::workbook(&[follow_ups, sums])
}
