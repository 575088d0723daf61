//! The annual report as DOCX (WordprocessingML): the built-in paragraph styles a board's
//! template uses (Title, Subtitle, Heading 1–3, Normal, Table Grid), so headings show in
//! Word's navigation pane and the document can be adopted and restyled as it is; A4 pages,
//! Swedish language. Written with [`crate::export::zip`].

use super::Verdict;
use super::document::{Activity, Document, Entry, standing};
use crate::export::xml;
use crate::export::zip::{TooLarge, Zip};
use std::fmt::Write as _;

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const PKG_REL: &str = "http://schemas.openxmlformats.org/package/2006/relationships";

fn style(id: &str, name: &str, based: Option<&str>, ppr: &str, rpr: &str, outline: Option<u8>) -> String {
    let based = based.map(|b| format!("<w:basedOn w:val=\"{b}\"/><w:next w:val=\"Normal\"/>")).unwrap_or_default();
    let outline = outline.map(|l| format!("<w:outlineLvl w:val=\"{l}\"/>")).unwrap_or_default();
    format!(
        "<w:style w:type=\"paragraph\" w:styleId=\"{id}\"><w:name w:val=\"{name}\"/>{based}<w:qFormat/><w:pPr>{ppr}{outline}</w:pPr><w:rPr>{rpr}</w:rPr></w:style>"
    )
}

fn styles() -> String {
    let mut s = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:styles xmlns:w="{W}"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Calibri" w:hAnsi="Calibri" w:eastAsia="Calibri" w:cs="Calibri"/><w:sz w:val="22"/><w:szCs w:val="22"/><w:lang w:val="sv-SE" w:eastAsia="sv-SE" w:bidi="ar-SA"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="120" w:line="264" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>"#
    );
    s.push_str(r#"<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>"#);
    s.push_str(&style(
        "Title",
        "Title",
        Some("Normal"),
        "<w:spacing w:after=\"120\"/>",
        "<w:b/><w:sz w:val=\"48\"/><w:szCs w:val=\"48\"/>",
        None,
    ));
    s.push_str(&style(
        "Subtitle",
        "Subtitle",
        Some("Normal"),
        "<w:spacing w:after=\"240\"/>",
        "<w:color w:val=\"4A4A4A\"/><w:sz w:val=\"26\"/>",
        None,
    ));
    s.push_str(&style(
        "Heading1",
        "heading 1",
        Some("Normal"),
        "<w:keepNext/><w:spacing w:before=\"360\" w:after=\"120\"/>",
        "<w:b/><w:sz w:val=\"32\"/><w:szCs w:val=\"32\"/>",
        Some(0),
    ));
    s.push_str(&style(
        "Heading2",
        "heading 2",
        Some("Normal"),
        "<w:keepNext/><w:spacing w:before=\"240\" w:after=\"80\"/>",
        "<w:b/><w:sz w:val=\"26\"/><w:szCs w:val=\"26\"/>",
        Some(1),
    ));
    s.push_str(&style(
        "Heading3",
        "heading 3",
        Some("Normal"),
        "<w:keepNext/><w:spacing w:before=\"160\" w:after=\"40\"/>",
        "<w:b/><w:sz w:val=\"22\"/><w:szCs w:val=\"22\"/>",
        Some(2),
    ));
    s.push_str(r#"<w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/><w:tblPr><w:tblBorders><w:top w:val="single" w:sz="4" w:space="0" w:color="808080"/><w:left w:val="single" w:sz="4" w:space="0" w:color="808080"/><w:bottom w:val="single" w:sz="4" w:space="0" w:color="808080"/><w:right w:val="single" w:sz="4" w:space="0" w:color="808080"/><w:insideH w:val="single" w:sz="4" w:space="0" w:color="808080"/><w:insideV w:val="single" w:sz="4" w:space="0" w:color="808080"/></w:tblBorders><w:tblCellMar><w:left w:w="80" w:type="dxa"/><w:right w:w="80" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>"#);
    s.push_str("</w:styles>");
    s
}

/// A run of text; line breaks become `<w:br/>`.
fn run(text: &str, rpr: &str) -> String {
    let mut out = String::new();
    for (i, line) in text.split('\n').enumerate() {
        let br = if i > 0 { "<w:br/>" } else { "" };
        let rpr = if rpr.is_empty() { String::new() } else { format!("<w:rPr>{rpr}</w:rPr>") };
        let _ = write!(out, "<w:r>{rpr}{br}<w:t xml:space=\"preserve\">{}</w:t></w:r>", xml(line.trim_end_matches('\r')));
    }
    out
}

fn para(style: Option<&str>, runs: &str) -> String {
    let ppr = style.map(|s| format!("<w:pPr><w:pStyle w:val=\"{s}\"/></w:pPr>")).unwrap_or_default();
    format!("<w:p>{ppr}{runs}</w:p>")
}

const MISSING: &str = "<w:b/><w:color w:val=\"8A1116\"/>";
const BOLD: &str = "<w:b/>";
const MUTED: &str = "<w:color w:val=\"4A4A4A\"/><w:sz w:val=\"18\"/>";

fn table(head: &[&str], widths: &[u32], rows: &[Vec<(String, bool)>]) -> String {
    let mut t = String::from("<w:tbl><w:tblPr><w:tblStyle w:val=\"TableGrid\"/><w:tblW w:w=\"5000\" w:type=\"pct\"/></w:tblPr><w:tblGrid>");
    for w in widths {
        let _ = write!(t, "<w:gridCol w:w=\"{w}\"/>");
    }
    t.push_str("</w:tblGrid><w:tr><w:trPr><w:tblHeader/></w:trPr>");
    for (h, w) in head.iter().zip(widths) {
        let _ = write!(t, "<w:tc><w:tcPr><w:tcW w:w=\"{w}\" w:type=\"dxa\"/></w:tcPr>{}</w:tc>", para(None, &run(h, BOLD)));
    }
    t.push_str("</w:tr>");
    for r in rows {
        t.push_str("<w:tr><w:trPr><w:cantSplit/></w:trPr>");
        for ((cell, missing), w) in r.iter().zip(widths) {
            let _ = write!(
                t,
                "<w:tc><w:tcPr><w:tcW w:w=\"{w}\" w:type=\"dxa\"/></w:tcPr>{}</w:tc>",
                para(None, &run(cell, if *missing { MISSING } else { "" }))
            );
        }
        t.push_str("</w:tr>");
    }
    t.push_str("</w:tbl>");
    t
}

fn date(d: Option<chrono::NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_else(|| "–".into())
}

fn text_or_dash(s: Option<&str>) -> &str {
    match s {
        Some(s) if !s.trim().is_empty() => s,
        _ => "-",
    }
}

fn entry(out: &mut String, e: &Entry) {
    let reported = matches!(e.verdict, Verdict::OnTime | Verdict::Late);
    out.push_str(&para(None, &run(&e.title, BOLD)));
    let line = standing(e.verdict, e.outcome, e.due, e.waived_reason.as_deref(), e.late_working_days);
    out.push_str(&para(None, &format!("{}{}", run("Utfall: ", BOLD), run(&line, if reported { BOLD } else { MISSING }))));
    if reported {
        if let Some(r) = &e.outcome_reason {
            out.push_str(&para(None, &run(&format!("Skäl: {r}"), "")));
        }
        out.push_str(&para(Some("Heading3"), &run("Uppföljning", "")));
        out.push_str(&para(None, &run(text_or_dash(e.uppfoljning.as_deref()), "")));
        out.push_str(&para(Some("Heading3"), &run("Analys", "")));
        out.push_str(&para(None, &run(text_or_dash(e.analys.as_deref()), "")));
        let mut meta = format!("Rapporterad {} av {}", date(e.reported_on), e.reported_by.as_deref().unwrap_or("–"));
        match (&e.approved_on, &e.approved_by) {
            (Some(d), Some(by)) => meta.push_str(&format!("; godkänd {} av {by}", d.format("%Y-%m-%d"))),
            _ => meta.push_str("; inte godkänd"),
        }
        if e.missed {
            meta.push_str("; stängdes först som missad");
        }
        meta.push('.');
        out.push_str(&para(None, &run(&meta, MUTED)));
    } else if let (Some(d), Some(by)) = (&e.waived_on, &e.waived_by) {
        out.push_str(&para(None, &run(&format!("Avskriven {} av {by}.", d.format("%Y-%m-%d")), MUTED)));
    }
}

fn activity(out: &mut String, a: &Activity) {
    let number = a.plan_number.as_deref().map(|n| format!("{n} ")).unwrap_or_default();
    out.push_str(&para(Some("Heading2"), &run(&format!("{}. Uppdrag/aktivitet: {number}{}", a.number, a.name), "")));
    if a.entries.is_empty() && a.units.is_empty() {
        out.push_str(&para(None, &run("Ingen uppföljning var utlovad under perioden.", MISSING)));
    }
    for e in &a.entries {
        entry(out, e);
    }
    if !a.units.is_empty() {
        out.push_str(&para(None, &run("Uppföljning per enhet", MUTED)));
        let rows: Vec<Vec<(String, bool)>> = a
            .units
            .iter()
            .map(|u| {
                let ok = matches!(u.verdict, Verdict::OnTime | Verdict::Late);
                vec![
                    (u.unit.clone(), false),
                    (u.title.clone(), false),
                    (date(u.due), false),
                    (standing(u.verdict, u.outcome, None, u.waived_reason.as_deref(), None), !ok),
                ]
            })
            .collect();
        out.push_str(&table(&["Enhet", "Kontrollpunkt", "Förföll", "Utfall"], &[2200, 3200, 1300, 2900], &rows));
    }
}

impl Document {
    /// The report as a `.docx` file.
    pub fn docx(&self) -> Result<Vec<u8>, TooLarge> {
        let mut b = String::new();
        b.push_str(&para(Some("Title"), &run(&self.title, "")));
        let sub = match &self.board {
            Some(board) => format!("{} · {board}", self.organisation),
            None => self.organisation.clone(),
        };
        b.push_str(&para(Some("Subtitle"), &run(&sub, "")));
        let mut facts = vec![
            ("Diarienummer", self.diarienummer.clone().unwrap_or_else(|| "saknas i planen".into())),
            ("Planens period", self.plan_period.clone()),
        ];
        if let Some(by) = &self.adopted_by {
            facts.push(("Antagen av", format!("{by}{}", self.adopted.map(|d| format!(" {d}")).unwrap_or_default())));
        }
        facts.push(("Uppföljningsperiod", format!("{} ({} – {})", self.scope.label, self.scope.from, self.scope.to)));
        facts.push(("Underlag", format!("Det som rapporterats i arshjul, sammanställt {}", self.generated)));
        for (k, v) in facts {
            b.push_str(&para(None, &format!("{}{}", run(&format!("{k}: "), BOLD), run(&v, ""))));
        }
        let c = &self.counts;
        b.push_str(&para(Some("Heading1"), &run("Sammanfattning", "")));
        b.push_str(&para(
            None,
            &run(
                &format!(
                    "{} utlovade uppföljningar: {} i tid, {} sena, {} avskrivna, {} missade; {} försenade och {} ej förfallna.",
                    c.total, c.on_time, c.late, c.waived, c.missed, c.overdue, c.pending
                ),
                "",
            ),
        ));
        let rows: Vec<Vec<(String, bool)>> = self
            .activities()
            .map(|a| {
                let outcome = a.outcome();
                vec![
                    (a.number.to_string(), false),
                    (a.name.clone(), false),
                    (outcome.map_or_else(|| "ej rapporterad".to_owned(), |o| o.sv().to_owned()), outcome.is_none()),
                    (a.counts.on_time.to_string(), false),
                    (a.counts.late.to_string(), false),
                    (a.counts.waived.to_string(), false),
                    (a.counts.missed.to_string(), false),
                    ((a.counts.overdue + a.counts.pending).to_string(), false),
                ]
            })
            .collect();
        b.push_str(&table(
            &["Nr", "Uppdrag/aktivitet", "Utfall", "I tid", "Sena", "Avskrivna", "Missade", "Ej klara"],
            &[500, 3400, 1900, 700, 700, 1000, 900, 900],
            &rows,
        ));
        for s in &self.sections {
            b.push_str(&para(Some("Heading1"), &run(&s.name, "")));
            if let Some(g) = &s.goal {
                b.push_str(&para(None, &run(&format!("Mål: {g}"), "<w:i/>")));
            }
            for a in &s.activities {
                activity(&mut b, a);
            }
        }
        if !self.other.is_empty() {
            b.push_str(&para(Some("Heading1"), &run("Uppföljningar utanför planens nuvarande insatser", "")));
            for u in &self.other {
                let line = format!(
                    "{}: {} ({}) — {}",
                    u.unit,
                    u.title,
                    date(u.due),
                    standing(u.verdict, u.outcome, None, u.waived_reason.as_deref(), None)
                );
                b.push_str(&para(None, &run(&line, "")));
            }
        }
        let anchor = match &self.anchor {
            Some(a) => format!("Historikens ankare: {a}"),
            None => "Historikens ankare: kunde inte läsas (se arshjul audit verify).".into(),
        };
        b.push_str(&para(None, &run(&anchor, MUTED)));
        let document = format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W}" xmlns:r="{REL}"><w:body>{b}<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1134" w:right="1134" w:bottom="1247" w:left="1134" w:header="567" w:footer="567" w:gutter="0"/></w:sectPr></w:body></w:document>"#
        );
        let core = format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>{}</dc:title><dc:creator>arshjul</dc:creator><dc:language>sv-SE</dc:language><dcterms:created xsi:type="dcterms:W3CDTF">{}T00:00:00Z</dcterms:created></cp:coreProperties>"#,
            xml(&self.title),
            self.generated
        );
        let mut z = Zip::new();
        z.add(
            "[Content_Types].xml",
            br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>"#,
        )?;
        z.add(
            "_rels/.rels",
            format!(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" Type="{REL}/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>"#).as_bytes(),
        )?;
        z.add(
            "word/_rels/document.xml.rels",
            format!(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" Type="{REL}/styles" Target="styles.xml"/></Relationships>"#).as_bytes(),
        )?;
        z.add("word/document.xml", document.as_bytes())?;
        z.add("word/styles.xml", styles().as_bytes())?;
        z.add("docProps/core.xml", core.as_bytes())?;
        z.finish()
    }
}
