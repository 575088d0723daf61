//! The plain-text body of a digest: readable in any mail client and in a terminal, with each
//! item's report link (or, without links, its report command) on a line of its own so it
//! can be clicked or copied whole.

use super::view::{self, ItemView};
use crate::definition::Lang;
use crate::remind::Digest;
use std::fmt::Write;

/// The whole text body, of the item views the HTML body shows too.
pub fn body(digest: &Digest, lang: Lang, views: &[ItemView], linked: bool) -> String {
    let mut out = greeting(digest, lang);
    out.reserve(400 + 400 * views.len());
    for (n, v) in views.iter().enumerate() {
        item(&mut out, n + 1, v, lang);
    }
    if !linked {
        out.push_str(view::outcomes_hint(lang));
        out.push_str("\n\n");
    }
    out.push_str(footer(lang, linked));
    out
}

fn greeting(digest: &Digest, lang: Lang) -> String {
    let day = view::date(digest.day, lang);
    match lang {
        Lang::Sv => format!("Hej {}!\n\nDe här uppföljningarna i årshjulet väntar på din rapport ({day}):\n\n", digest.to.name),
        Lang::En => format!("Hello {},\n\nThese follow-ups in the annual cycle are waiting for your report ({day}):\n\n", digest.to.name),
    }
}

fn item(out: &mut String, n: usize, v: &ItemView, lang: Lang) {
    let (due, report) = match lang {
        Lang::Sv => ("Förfaller", "Rapportera"),
        Lang::En => ("Due", "Report"),
    };
    let _ = writeln!(out, "{n}. {}", v.title);
    if !v.context.is_empty() {
        let ctx: Vec<String> = v.context.iter().map(|(l, x)| format!("{l}: {x}")).collect();
        let _ = writeln!(out, "   {}", ctx.join(" · "));
    }
    let _ = writeln!(out, "   {due}: {} — {}", v.due, v.why);
    for note in &v.notes {
        let _ = writeln!(out, "   {note}");
    }
    let _ = writeln!(out, "   {report}:\n     {}\n", v.link.as_deref().unwrap_or(&v.command));
}

fn footer(lang: Lang, linked: bool) -> &'static str {
    match (lang, linked) {
        (Lang::Sv, true) => {
            "Svara inte på det här mejlet: rapportera via länken. Länkarna gäller i 30 dagar och bara för dig — \
             skicka inte vidare mejlet. Du får högst ett sådant mejl per dag.\n-- \narshjul\n"
        }
        (Lang::En, true) => {
            "Do not reply to this email: report through the link. The links are valid for 30 days and only for you — \
             do not forward this email. You get at most one such email a day.\n-- \narshjul\n"
        }
        (lang, false) => footer_cli(lang),
    }
}

fn footer_cli(lang: Lang) -> &'static str {
    match lang {
        Lang::Sv => {
            "Svara inte på det här mejlet: rapportera med kommandot ovan. Du får högst ett sådant mejl per dag.\n\
             -- \narshjul\n"
        }
        Lang::En => "Do not reply to this email: report with the command above. You get at most one such email a day.\n-- \narshjul\n",
    }
}
