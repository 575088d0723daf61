//! XLSX (Office Open XML SpreadsheetML) workbooks with typed cells: text as inline strings,
//! numbers as numbers, dates as date serials with a `yyyy-mm-dd` format, shares as
//! percentages. Each sheet has a bold header row that stays in view (frozen pane) and an
//! autofilter over its columns. Written with [`super::zip`]; opens in Excel and LibreOffice.

use super::xml;
use super::zip::{TooLarge, Zip};
use chrono::NaiveDate;
use std::fmt::Write as _;

/// One cell.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Empty,
    Text(String),
    Number(f64),
    /// A share, 0–1, shown as a percentage.
    Percent(f64),
    Date(NaiveDate),
}

/// One worksheet: a header row, then the rows.
#[derive(Clone, Debug, PartialEq)]
pub struct Sheet {
    /// At most 31 characters, none of `[]:*?/\` (Excel's rules; shortened and replaced here).
    pub name: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<Value>>,
    /// Column widths in characters (missing ones: 14).
    pub widths: Vec<f64>,
}

const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const PKG_REL: &str = "http://schemas.openxmlformats.org/package/2006/relationships";

/// Style indices in `styles.xml`'s `cellXfs`.
const STYLE_DATE: u32 = 1;
const STYLE_HEADER: u32 = 2;
const STYLE_PERCENT: u32 = 3;

const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\-mm\-dd"/></numFmts><fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/><xf numFmtId="9" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>"#;

/// `A`, `B`, … `Z`, `AA`, … for the 0-based column `i`.
pub fn column(i: usize) -> String {
    let mut n = i + 1;
    let mut s = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        s.push(b'A' + r as u8);
        n = (n - 1) / 26;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// Days since 1899-12-30 (Excel's 1900 date system, past its leap-year bug).
pub fn serial(d: NaiveDate) -> i64 {
    NaiveDate::from_ymd_opt(1899, 12, 30).map_or(0, |epoch| (d - epoch).num_days())
}

fn sheet_name(s: &str) -> String {
    let clean: String = s.chars().map(|c| if "[]:*?/\\".contains(c) { '-' } else { c }).take(31).collect();
    if clean.trim().is_empty() { "Blad".into() } else { clean }
}

fn text_cell(out: &mut String, at: &str, s: &str, style: Option<u32>) {
    let st = style.map(|s| format!(" s=\"{s}\"")).unwrap_or_default();
    let _ = write!(out, "<c r=\"{at}\" t=\"inlineStr\"{st}><is><t xml:space=\"preserve\">{}</t></is></c>", xml(s));
}

fn sheet_xml(sheet: &Sheet) -> String {
    let ncols = sheet.header.len().max(sheet.rows.iter().map(Vec::len).max().unwrap_or(0)).max(1);
    let last = format!("{}{}", column(ncols - 1), sheet.rows.len() + 1);
    let mut out = format!(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{MAIN}" xmlns:r="{REL}">"#);
    let _ = write!(out, "<dimension ref=\"A1:{last}\"/>");
    out.push_str(r#"<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/><cols>"#);
    for i in 0..ncols {
        let w = sheet.widths.get(i).copied().unwrap_or(14.0);
        let _ = write!(out, "<col min=\"{n}\" max=\"{n}\" width=\"{w}\" customWidth=\"1\"/>", n = i + 1);
    }
    out.push_str("</cols><sheetData><row r=\"1\">");
    for (i, h) in sheet.header.iter().enumerate() {
        text_cell(&mut out, &format!("{}1", column(i)), h, Some(STYLE_HEADER));
    }
    out.push_str("</row>");
    for (r, row) in sheet.rows.iter().enumerate() {
        let rn = r + 2;
        let _ = write!(out, "<row r=\"{rn}\">");
        for (i, v) in row.iter().enumerate() {
            let at = format!("{}{rn}", column(i));
            match v {
                Value::Empty => {}
                Value::Text(s) => text_cell(&mut out, &at, s, None),
                Value::Number(n) if n.is_finite() => {
                    let _ = write!(out, "<c r=\"{at}\"><v>{n}</v></c>");
                }
                Value::Percent(n) if n.is_finite() => {
                    let _ = write!(out, "<c r=\"{at}\" s=\"{STYLE_PERCENT}\"><v>{n}</v></c>");
                }
                Value::Number(_) | Value::Percent(_) => {}
                Value::Date(d) => {
                    let _ = write!(out, "<c r=\"{at}\" s=\"{STYLE_DATE}\"><v>{}</v></c>", serial(*d));
                }
            }
        }
        out.push_str("</row>");
    }
    let _ = write!(out, "</sheetData><autoFilter ref=\"A1:{last}\"/></worksheet>");
    out
}

/// The workbook's bytes (an `.xlsx` file).
pub fn workbook(sheets: &[Sheet]) -> Result<Vec<u8>, TooLarge> {
    let mut z = Zip::new();
    let mut types = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>"#,
    );
    for i in 1..=sheets.len() {
        let _ = write!(
            types,
            r#"<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#
        );
    }
    types.push_str("</Types>");
    z.add("[Content_Types].xml", types.as_bytes())?;
    z.add(
        "_rels/.rels",
        format!(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#).as_bytes(),
    )?;
    let mut wb = format!(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>"#);
    let mut rels = format!(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{PKG_REL}">"#);
    let mut names = String::new();
    let mut used: Vec<String> = Vec::new();
    for (i, s) in sheets.iter().enumerate() {
        let mut name = sheet_name(&s.name);
        while used.iter().any(|u| u.eq_ignore_ascii_case(&name)) {
            name = format!("{}{}", name.chars().take(29).collect::<String>(), i + 1);
        }
        used.push(name.clone());
        let _ = write!(wb, r#"<sheet name="{}" sheetId="{}" r:id="rId{}"/>"#, xml(&name), i + 1, i + 1);
        let _ = write!(rels, r#"<Relationship Id="rId{}" Type="{REL}/worksheet" Target="worksheets/sheet{}.xml"/>"#, i + 1, i + 1);
        let ncols = s.header.len().max(1);
        let _ = write!(
            names,
            r#"<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'{}'!$A$1:${}${}</definedName>"#,
            xml(&name.replace('\'', "''")),
            column(ncols - 1),
            s.rows.len() + 1
        );
    }
    let _ = write!(wb, "</sheets><definedNames>{names}</definedNames></workbook>");
    let _ = write!(rels, r#"<Relationship Id="rId{}" Type="{REL}/styles" Target="styles.xml"/></Relationships>"#, sheets.len() + 1);
    z.add("xl/workbook.xml", wb.as_bytes())?;
    z.add("xl/_rels/workbook.xml.rels", rels.as_bytes())?;
    z.add("xl/styles.xml", STYLES.as_bytes())?;
    for (i, s) in sheets.iter().enumerate() {
        z.add(&format!("xl/worksheets/sheet{}.xml", i + 1), sheet_xml(s).as_bytes())?;
    }
    z.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_and_date_serials_are_excels() {
        assert_eq!([column(0), column(25), column(26), column(701), column(702)], ["A", "Z", "AA", "ZZ", "AAA"]);
        assert_eq!(serial(NaiveDate::from_ymd_opt(1900, 3, 1).unwrap()), 61);
        assert_eq!(serial(NaiveDate::from_ymd_opt(2019, 9, 11).unwrap()), 43719);
    }

    #[test]
    fn a_sheet_has_typed_cells_a_frozen_header_and_an_autofilter() {
        let s = Sheet {
            name: "Upp/följ:ning".into(),
            header: vec!["A".into(), "B".into()],
            rows: vec![
                vec![Value::Date(NaiveDate::from_ymd_opt(2019, 9, 11).unwrap()), Value::Number(3.0)],
                vec![Value::Text("<&>".into()), Value::Percent(0.5)],
            ],
            widths: vec![],
        };
        let x = sheet_xml(&s);
        assert!(x.contains(r#"<c r="A2" s="1"><v>43719</v></c><c r="B2"><v>3</v></c>"#), "{x}");
        assert!(x.contains("&lt;&amp;&gt;") && x.contains(r#"<c r="B3" s="3"><v>0.5</v></c>"#), "{x}");
        assert!(x.contains(r#"state="frozen""#) && x.contains(r#"<autoFilter ref="A1:B3"/>"#), "{x}");
        assert_eq!(sheet_name(&s.name), "Upp-följ-ning");
    }
}
