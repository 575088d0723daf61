//! Problems at the top of the overview, each with what to do about it: vacant roles, emails
//! that could not be sent, overdue checkpoints, reports waiting for approval, and checkpoints
//! added after their date (not reminded).

use super::filter::Filter;
use super::names::Names;
use super::{days_late, t};
use crate::definition::Lang;
use crate::remind::recipients::Vacancy;
use crate::store::{OutboxRow, Row};
use crate::workflow::State;
use chrono::NaiveDate;
use maud::{Markup, html};

/// How many vacancies or failed emails are listed one by one.
const LISTED: usize = 10;

/// Everything the problems section needs.
pub struct Problems<'a> {
    pub rows: &'a [Row],
    pub failed: &'a [OutboxRow],
    pub vacancies: &'a [Vacancy],
    pub names: &'a Names<'a>,
    pub filter: &'a Filter,
    pub today: NaiveDate,
    pub lang: Lang,
}

fn with_state(f: &Filter, s: State) -> String {
    format!("?{}#ov-table-h", Filter { states: vec![s], ..f.clone() }.to_query())
}

/// The section; says so plainly when there is nothing to do.
pub fn section(p: &Problems) -> Markup {
    let lang = p.lang;
    let failed: Vec<&OutboxRow> = p.failed.iter().filter(|o| o.status == "failed").collect();
    let overdue: Vec<&Row> = p.rows.iter().filter(|r| r.state == State::Overdue).collect();
    let oldest = overdue.iter().filter_map(|r| days_late(r, p.today)).max();
    let reported = p.rows.iter().filter(|r| r.state == State::Reported).count();
    let past_due = p.rows.iter().filter(|r| r.added_past_due && r.state.is_pending()).count();
    let none = p.vacancies.is_empty() && failed.is_empty() && overdue.is_empty() && reported == 0 && past_due == 0;
    html! {
        section class="ov-problems" aria-labelledby="ov-problems-h" {
            h2 id="ov-problems-h" { (t(lang, "Att åtgärda", "To deal with")) }
            @if none { p class="ov-ok" { (t(lang, "Inget att åtgärda just nu.", "Nothing to deal with right now.")) } }
            ul class="ov-problem-list" {
                @if !p.vacancies.is_empty() {
                    li class="ov-problem" {
                        strong { (count_text(lang, p.vacancies.len(), "vakant roll", "vakanta roller", "vacant role", "vacant roles")) }
                        ul { @for v in p.vacancies.iter().take(LISTED) { li { (vacancy(p.names, v, lang)) } } }
                        (more(lang, p.vacancies.len()))
                        p class="ov-todo" { (t(lang,
                            "Gör så här: lägg in vem som har rollen i personkatalogen. Till dess går påminnelserna till överordnad.",
                            "What to do: add who holds the role to the people directory. Until then reminders go to the superior.")) }
                    }
                }
                @if !failed.is_empty() {
                    li class="ov-problem" {
                        strong { (count_text(lang, failed.len(), "e-postmeddelande kunde inte skickas", "e-postmeddelanden kunde inte skickas", "email could not be sent", "emails could not be sent")) }
                        ul { @for o in failed.iter().take(LISTED) {
                            li { (o.recipient) ", " (o.day.format("%Y-%m-%d"))
                                @if let Some(e) = &o.last_error { ": " span class="ov-dim" { (e.chars().take(200).collect::<String>()) } } }
                        } }
                        (more(lang, failed.len()))
                        p class="ov-todo" { (t(lang,
                            "Gör så här: rätta adressen i personkatalogen, eller be e-postadministratören se över felet. Kommandot arshjul outbox --status failed visar alla.",
                            "What to do: correct the address in the people directory, or ask the mail administrator to look at the error. The command arshjul outbox --status failed lists them all.")) }
                    }
                }
                @if !overdue.is_empty() {
                    li class="ov-problem" {
                        a href=(with_state(p.filter, State::Overdue)) { strong { (count_text(lang, overdue.len(), "försenad kontrollpunkt", "försenade kontrollpunkter", "overdue checkpoint", "overdue checkpoints")) } }
                        @if let Some(d) = oldest { " " (match lang { Lang::Sv => format!("(den äldsta {d} dagar)"), Lang::En => format!("(the oldest {d} days)") }) }
                        p class="ov-todo" { (t(lang,
                            "Gör så här: kontakta den ansvarige. Ska den inte göras längre: flytta datumet eller skriv av den med skäl.",
                            "What to do: contact the person responsible. If it should no longer be done: move its date or waive it with a reason.")) }
                    }
                }
                @if reported > 0 {
                    li class="ov-problem" {
                        a href=(with_state(p.filter, State::Reported)) { strong { (count_text(lang, reported, "rapport väntar på godkännande", "rapporter väntar på godkännande", "report awaits approval", "reports await approval")) } }
                        p class="ov-todo" { (t(lang, "Gör så här: läs rapporten och godkänn den, eller skicka tillbaka den för komplettering.", "What to do: read the report and approve it, or return it for completion.")) }
                    }
                }
                @if past_due > 0 {
                    li class="ov-problem" {
                        strong { (count_text(lang, past_due, "kontrollpunkt lades till efter sitt datum och påminns inte", "kontrollpunkter lades till efter sitt datum och påminns inte", "checkpoint was added after its date and is not reminded", "checkpoints were added after their date and are not reminded")) }
                        p class="ov-todo" { (t(lang, "Gör så här: rapportera dem, flytta dem framåt eller skriv av dem med skäl.", "What to do: report them, move them ahead or waive them with a reason.")) }
                    }
                }
            }
        }
    }
}

fn count_text(lang: Lang, n: usize, sv1: &str, sv: &str, en1: &str, en: &str) -> String {
    let word = match (lang, n) {
        (Lang::Sv, 1) => sv1,
        (Lang::Sv, _) => sv,
        (Lang::En, 1) => en1,
        (Lang::En, _) => en,
    };
    format!("{n} {word}")
}

fn more(lang: Lang, n: usize) -> Markup {
    html! {
        @if n > LISTED { p class="ov-note" { (match lang { Lang::Sv => format!("… och {} till.", n - LISTED), Lang::En => format!("… and {} more.", n - LISTED) }) } }
    }
}

fn vacancy(names: &Names, v: &Vacancy, lang: Lang) -> String {
    let role = names.role(&v.organisation, &v.role);
    let up = names.org(&v.organisation).and_then(|o| o.role(&v.role)).and_then(|r| r.reports_to.clone());
    let at = v.unit.as_deref().map(|u| names.unit(&v.organisation, u));
    let mut s = match (&at, lang) {
        (Some(u), Lang::Sv) => format!("{role} vid {u}"),
        (Some(u), Lang::En) => format!("{role} at {u}"),
        (None, _) => role,
    };
    if let Some(up) = up {
        let up = names.role(&v.organisation, &up);
        s.push_str(&match lang {
            Lang::Sv => format!(" – påminnelserna går till {up}"),
            Lang::En => format!(" – reminders go to {up}"),
        });
    }
    s
}
