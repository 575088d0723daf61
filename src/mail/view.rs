//! What each digest line says, as plain strings in the reader's language: the dated, explained,
//! actionable view of an [`Item`] that both the text and the HTML body render.
//!
//! Must not format for a medium (no HTML, no line layout) — that is `text` and `html`.

use super::Links;
use crate::definition::Lang;
use crate::remind::{Digest, Item, Step};
use chrono::{Datelike, NaiveDate, Weekday};

/// One digest line, ready to render.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemView {
    pub title: String,
    /// `(label, value)` pairs: plan, initiative, unit, owner role.
    pub context: Vec<(&'static str, String)>,
    /// "måndag 31 maj 2021".
    pub due: String,
    /// Why it is in the mail: "förfaller om 7 dagar", "försenad 7 dagar", "eskalerad: …".
    pub why: String,
    /// Whether it is late (for emphasis).
    pub late: bool,
    /// School break, vacancy, escalation notes (whole sentences).
    pub notes: Vec<String>,
    /// The exact command that reports it.
    pub command: String,
    /// The signed link to its report form, when the mail carries links (then shown
    /// instead of the command).
    pub link: Option<String>,
}

/// The view of every item of `digest`, in its order.
pub fn items(digest: &Digest, lang: Lang, links: Option<&Links>) -> Vec<ItemView> {
    digest.items.iter().map(|i| item(i, digest.day, &digest.to.email, lang, links)).collect()
}

fn item(i: &Item, day: NaiveDate, email: &str, lang: Lang, links: Option<&Links>) -> ItemView {
    ItemView {
        title: crate::remind::subject::one_line(&i.title),
        context: context(i, lang),
        due: date(i.due, lang),
        why: why(i, day, lang),
        late: i.due < day,
        notes: notes(i, lang),
        command: report_command(&i.checkpoint, email, lang),
        link: links.map(|l| l.report(email, &i.checkpoint, day)),
    }
}

fn context(i: &Item, lang: Lang) -> Vec<(&'static str, String)> {
    let labels = match lang {
        Lang::Sv => ["Plan", "Insats", "Enhet", "Ansvarig"],
        Lang::En => ["Plan", "Initiative", "Unit", "Responsible"],
    };
    let values = [i.plan.clone(), i.initiative.clone(), i.unit.clone(), Some(i.owner_role.clone())];
    labels.into_iter().zip(values).filter_map(|(l, v)| v.filter(|v| !v.is_empty()).map(|v| (l, v))).collect()
}

const WEEKDAYS_SV: [&str; 7] = ["måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"];
const WEEKDAYS_EN: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const MONTHS_SV: [&str; 12] =
    ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december"];
const MONTHS_EN: [&str; 12] =
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/// "måndag 31 maj 2021" / "Monday 31 May 2021".
pub fn date(d: NaiveDate, lang: Lang) -> String {
    let (days, months) = match lang {
        Lang::Sv => (WEEKDAYS_SV, MONTHS_SV),
        Lang::En => (WEEKDAYS_EN, MONTHS_EN),
    };
    let wd = days[weekday_index(d.weekday())];
    let month = months[d.month0() as usize];
    format!("{wd} {} {month} {}", d.day(), d.year())
}

fn weekday_index(w: Weekday) -> usize {
    w.num_days_from_monday() as usize
}

/// Why the item is in today's mail, from the real distance to the due date (a digest sent
/// late after downtime still counts right).
pub fn why(i: &Item, day: NaiveDate, lang: Lang) -> String {
    let n = (i.due - day).num_days();
    let late = late_phrase(-n, lang);
    match (lang, n) {
        (_, _) if i.step == Step::Missed => match lang {
            Lang::Sv => format!("missad: inte rapporterad, {}", late_phrase(-n, lang)),
            Lang::En => format!("missed: not reported, {}", late_phrase(-n, lang)),
        },
        (_, n) if n < 0 && matches!(i.step, Step::Escalated { .. }) => match lang {
            Lang::Sv => format!("eskalerad: {late}"),
            Lang::En => format!("escalated: {late}"),
        },
        (_, n) if n < 0 => late,
        (Lang::Sv, 0) => "förfaller i dag".into(),
        (Lang::Sv, 1) => "förfaller i morgon".into(),
        (Lang::Sv, n) => format!("förfaller om {n} dagar"),
        (Lang::En, 0) => "due today".into(),
        (Lang::En, 1) => "due tomorrow".into(),
        (Lang::En, n) => format!("due in {n} days"),
    }
}

fn late_phrase(days: i64, lang: Lang) -> String {
    match (lang, days) {
        (Lang::Sv, 1) => "försenad 1 dag".into(),
        (Lang::Sv, d) => format!("försenad {d} dagar"),
        (Lang::En, 1) => "overdue by 1 day".into(),
        (Lang::En, d) => format!("overdue by {d} days"),
    }
}

/// School break, vacancy and escalation notes.
pub fn notes(i: &Item, lang: Lang) -> Vec<String> {
    let escalated = matches!(i.step, Step::Escalated { .. });
    let mut out = Vec::new();
    if i.step == Step::Missed {
        let role = i.on_behalf_of.as_deref().unwrap_or(&i.owner_role);
        out.push(match lang {
            Lang::Sv => format!(
                "Uppföljningsfönstret har stängt: {role} har inte rapporterat och kontrollpunkten är nu missad. Påminnelserna har upphört. Den kan fortfarande rapporteras i efterhand; rapporten märks då som sen. Du får det här meddelandet en gång."
            ),
            Lang::En => format!(
                "The follow-up window has closed: {role} has not reported and the checkpoint is now missed. Reminders have stopped. It can still be reported after the fact, marked as late. You get this notice once."
            ),
        });
        return out;
    }
    if let Some(b) = i.school_break.as_deref().filter(|b| !b.is_empty()) {
        out.push(match lang {
            Lang::Sv => format!("Obs: förfaller under {}.", definite(b)),
            Lang::En => format!("Note: due during a school break ({b})."),
        });
    }
    match (&i.on_behalf_of, escalated, lang) {
        (Some(role), true, Lang::Sv) => out.push(format!("Eskalerat till dig som överordnad: {role} har inte rapporterat.")),
        (Some(role), true, Lang::En) => out.push(format!("Escalated to you as the superior: {role} has not reported.")),
        (Some(role), false, Lang::Sv) => out.push(format!("Du får detta eftersom rollen {role} är vakant.")),
        (Some(role), false, Lang::En) => out.push(format!("You get this because the role {role} is vacant.")),
        (None, true, Lang::Sv) => out.push("Din överordnade har fått en kopia.".into()),
        (None, true, Lang::En) => out.push("Your superior has been sent a copy.".into()),
        (None, false, _) => {}
    }
    out
}

/// "sportlov" → "sportlovet"; other names are left as they are.
fn definite(name: &str) -> String {
    if name.ends_with("lov") { format!("{name}et") } else { name.to_owned() }
}

/// `arshjul report ID --outcome genomförd --uppfoljning "…" --analys "…" --as EMAIL`.
pub fn report_command(checkpoint: &str, email: &str, lang: Lang) -> String {
    let outcome = match lang {
        Lang::Sv => "genomförd",
        Lang::En => "completed",
    };
    format!("arshjul report {} --outcome {outcome} --uppfoljning \"…\" --analys \"…\" --as {}", shell_word(checkpoint), shell_word(email))
}

/// Leaves a word as it is when a POSIX shell would, else single-quotes it.
pub fn shell_word(s: &str) -> String {
    let plain = |c: char| c.is_alphanumeric() || "/_.-@+:,=%".contains(c);
    if !s.is_empty() && s.chars().all(plain) { s.to_owned() } else { format!("'{}'", s.replace('\'', r"'\''")) }
}

/// The sentence listing the outcome words, shown under the items.
pub fn outcomes_hint(lang: Lang) -> &'static str {
    match lang {
        Lang::Sv => {
            "Utfall (--outcome): genomförd, \"påbörjad men ej slutförd\", \"ej påbörjad\" eller \"ej genomförd\" \
             (de två sista med --reason \"skäl\")."
        }
        Lang::En => {
            "Outcome (--outcome): completed, \"started but not finished\", \"not started\" or \"not carried out\" \
             (the last two with --reason \"why\")."
        }
    }
}
