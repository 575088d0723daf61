//! The HTML body of a digest: one simple table (caption, column headers, a row header per
//! checkpoint) that screen readers can walk, with inline styles only (mail clients drop
//! stylesheets). Every piece of user text is escaped: titles and names come from files.

use super::view::{self, ItemView};
use crate::definition::Lang;
use crate::remind::Digest;
use std::fmt::Write;

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

struct Words {
    lang: &'static str,
    greeting: &'static str,
    intro: &'static str,
    caption: &'static str,
    columns: [&'static str; 4],
    footer: &'static str,
    /// With links: the last column's header and the footer.
    link_column: &'static str,
    link_text: &'static str,
    link_footer: &'static str,
}

fn words(lang: Lang) -> Words {
    match lang {
        Lang::Sv => Words {
            lang: "sv",
            greeting: "Hej",
            intro: "De här uppföljningarna i årshjulet väntar på din rapport",
            caption: "Uppföljningar att rapportera",
            columns: ["Kontrollpunkt", "Förfaller", "Läge", "Rapportera så här"],
            footer: "Svara inte på det här mejlet: rapportera med kommandot i tabellen. Du får högst ett sådant mejl per dag.",
            link_column: "Rapportera",
            link_text: "Öppna rapportformuläret",
            link_footer: "Svara inte på det här mejlet: rapportera via länkarna i tabellen. Länkarna gäller i 30 dagar och bara för dig — skicka inte vidare mejlet. Du får högst ett sådant mejl per dag.",
        },
        Lang::En => Words {
            lang: "en",
            greeting: "Hello",
            intro: "These follow-ups in the annual cycle are waiting for your report",
            caption: "Follow-ups to report",
            columns: ["Checkpoint", "Due", "Status", "How to report"],
            footer: "Do not reply to this email: report with the command in the table. You get at most one such email a day.",
            link_column: "Report",
            link_text: "Open the report form",
            link_footer: "Do not reply to this email: report through the links in the table. They are valid for 30 days and only for you — do not forward this email. You get at most one such email a day.",
        },
    }
}

const CELL: &str = "border:1px solid #999;padding:6px;text-align:left;vertical-align:top";

/// The whole HTML document, of the item views the text body shows too.
pub fn body(digest: &Digest, subject: &str, lang: Lang, views: &[ItemView], linked: bool) -> String {
    let mut w = words(lang);
    if linked {
        w.columns[3] = w.link_column;
        w.footer = w.link_footer;
    }
    let mut out = String::with_capacity(1024 + 800 * views.len());
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head><meta charset=\"utf-8\"><title>{}</title></head>\n<body>\n\
         <p>{} {}!</p>\n<p>{} ({}):</p>\n",
        w.lang,
        escape(subject),
        w.greeting,
        escape(&digest.to.name),
        w.intro,
        escape(&view::date(digest.day, lang)),
    );
    table(&mut out, &w, views);
    if !linked {
        let _ = writeln!(out, "<p>{}</p>", escape(view::outcomes_hint(lang)));
    }
    let _ = write!(out, "<p>{}</p>\n</body>\n</html>\n", w.footer);
    out
}

fn table(out: &mut String, w: &Words, items: &[ItemView]) {
    let _ = write!(
        out,
        "<table style=\"border-collapse:collapse\">\n<caption style=\"text-align:left;font-weight:bold\">{}</caption>\n<thead><tr>",
        w.caption
    );
    for c in w.columns {
        let _ = write!(out, "<th scope=\"col\" style=\"{CELL}\">{c}</th>");
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for v in items {
        row(out, v, w);
    }
    out.push_str("</tbody>\n</table>\n");
}

fn row(out: &mut String, v: &ItemView, w: &Words) {
    let ctx: Vec<String> = v.context.iter().map(|(l, x)| format!("{l}: {}", escape(x))).collect();
    let notes: String = v.notes.iter().map(|n| format!("<br>{}", escape(n))).collect();
    let why = if v.late { format!("<strong>{}</strong>", escape(&v.why)) } else { escape(&v.why) };
    let _ = writeln!(
        out,
        "<tr><th scope=\"row\" style=\"{CELL}\">{}<br><small>{}</small></th>\
         <td style=\"{CELL}\">{}</td><td style=\"{CELL}\">{why}{notes}</td><td style=\"{CELL}\">{}</td></tr>",
        escape(&v.title),
        ctx.join(" · "),
        escape(&v.due),
        match &v.link {
            Some(l) => format!("<a href=\"{}\">{}</a>", escape(l), w.link_text),
            None => format!("<code>{}</code>", escape(&v.command)),
        },
    );
}
