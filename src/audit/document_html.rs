//! The annual report as HTML (maud, escaped): a body fragment for the web page (inside the
//! site's layout, styled by [`CSS`]) and a standalone print-ready file (A4, the same rules
//! inline).

use super::Verdict;
use super::document::{Activity, Document, Entry, standing};
use maud::{DOCTYPE, Markup, PreEscaped, html};

/// The report's stylesheet rules (screen and print, A4).
pub const CSS: &str = include_str!("report.css");

fn date(d: Option<chrono::NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_else(|| "–".into())
}

fn text_or_dash(s: Option<&str>) -> &str {
    match s {
        Some(s) if !s.trim().is_empty() => s,
        _ => "-",
    }
}

fn entry(e: &Entry) -> Markup {
    let reported = matches!(e.verdict, Verdict::OnTime | Verdict::Late);
    let line = standing(e.verdict, e.outcome, e.due, e.waived_reason.as_deref(), e.late_working_days);
    html! {
        h4 { (e.title) }
        p class=(if reported { "rd-outcome" } else { "rd-missing" }) { "Utfall: " (line) }
        @if reported {
            @if let Some(r) = &e.outcome_reason { p { "Skäl: " (r) } }
            h4 { "Uppföljning" }
            p { (text_or_dash(e.uppfoljning.as_deref())) }
            h4 { "Analys" }
            p { (text_or_dash(e.analys.as_deref())) }
            p class="rd-meta" {
                "Rapporterad " (date(e.reported_on)) " av " (e.reported_by.as_deref().unwrap_or("–"))
                @if let (Some(d), Some(by)) = (&e.approved_on, &e.approved_by) { "; godkänd " (d.format("%Y-%m-%d")) " av " (by) }
                @else { "; inte godkänd" }
                @if e.missed { "; stängdes först som missad" }
                "."
            }
        } @else if let (Some(d), Some(by)) = (&e.waived_on, &e.waived_by) {
            p class="rd-meta" { "Avskriven " (d.format("%Y-%m-%d")) " av " (by) "." }
        }
    }
}

fn activity(a: &Activity) -> Markup {
    html! {
        h3 {
            span class="rd-kind" { "Uppdrag/aktivitet" }
            (a.number) ". "
            @if let Some(n) = &a.plan_number { (n) " " }
            (a.name)
        }
        @if a.entries.is_empty() && a.units.is_empty() {
            p class="rd-missing" { "Ingen uppföljning var utlovad under perioden." }
        }
        @for e in &a.entries { (entry(e)) }
        @if !a.units.is_empty() {
            div class="rd-scroll" { table {
                caption class="rd-meta" { "Uppföljning per enhet" }
                thead { tr { th scope="col" { "Enhet" } th scope="col" { "Kontrollpunkt" } th scope="col" { "Förföll" } th scope="col" { "Utfall" } } }
                tbody {
                    @for u in &a.units {
                        tr {
                            td { (u.unit) }
                            td { (u.title) }
                            td { (date(u.due)) }
                            td class=(if matches!(u.verdict, Verdict::OnTime | Verdict::Late) { "" } else { "rd-missing" }) {
                                (standing(u.verdict, u.outcome, None, u.waived_reason.as_deref(), None))
                            }
                        }
                    }
                }
            } }
        }
    }
}

impl Document {
    /// The report's body (for a page of the site; `actions` are links shown on screen only).
    pub fn html_body(&self, actions: Option<Markup>) -> Markup {
        let c = &self.counts;
        html! {
            article class="rd" {
                @if let Some(a) = actions { div class="rd-actions" { (a) } }
                h1 { (self.title) }
                p class="rd-sub" { (self.organisation) @if let Some(b) = &self.board { " · " (b) } }
                dl class="rd-facts" {
                    dt { "Diarienummer" } dd { (self.diarienummer.as_deref().unwrap_or("saknas i planen")) }
                    dt { "Planens period" } dd { (self.plan_period) }
                    @if let Some(by) = &self.adopted_by {
                        dt { "Antagen av" } dd { (by) @if let Some(d) = self.adopted { " " (d.format("%Y-%m-%d")) } }
                    }
                    dt { "Uppföljningsperiod" } dd { (self.scope.label) " (" (self.scope.from.format("%Y-%m-%d")) " – " (self.scope.to.format("%Y-%m-%d")) ")" }
                    dt { "Underlag" } dd { "Det som rapporterats i arshjul, sammanställt " (self.generated.format("%Y-%m-%d")) }
                }
                h2 { "Sammanfattning" }
                p {
                    (c.total) " utlovade uppföljningar: " (c.on_time) " i tid, " (c.late) " sena, " (c.waived) " avskrivna, "
                    (c.missed) " missade; " (c.overdue) " försenade och " (c.pending) " ej förfallna."
                }
                div class="rd-scroll" { table {
                    thead {
                        tr {
                            th scope="col" { "Nr" } th scope="col" { "Uppdrag/aktivitet" } th scope="col" { "Utfall" }
                            th scope="col" class="num" { "I tid" } th scope="col" class="num" { "Sena" }
                            th scope="col" class="num" { "Avskrivna" } th scope="col" class="num" { "Missade" }
                            th scope="col" class="num" { "Ej klara" }
                        }
                    }
                    tbody {
                        @for a in self.activities() {
                            tr {
                                td { (a.number) }
                                td { (a.name) }
                                td { @match a.outcome() { Some(o) => (o.sv()), None => span class="rd-missing" { "ej rapporterad" } } }
                                td class="num" { (a.counts.on_time) } td class="num" { (a.counts.late) }
                                td class="num" { (a.counts.waived) } td class="num" { (a.counts.missed) }
                                td class="num" { (a.counts.overdue + a.counts.pending) }
                            }
                        }
                    }
                } }
                @for s in &self.sections {
                    h2 { (s.name) }
                    @if let Some(g) = &s.goal { p class="rd-goal" { "Mål: " (g) } }
                    @for a in &s.activities { (activity(a)) }
                }
                @if !self.other.is_empty() {
                    h2 { "Uppföljningar utanför planens nuvarande insatser" }
                    ul { @for u in &self.other { li { (u.unit) ": " (u.title) " (" (date(u.due)) ") — " (standing(u.verdict, u.outcome, None, u.waived_reason.as_deref(), None)) } } }
                }
                p class="rd-anchor" {
                    "Historikens ankare: "
                    @match &self.anchor {
                        Some(a) => code { (a) },
                        None => "kunde inte läsas (se arshjul audit verify).",
                    }
                }
            }
        }
    }

    /// A standalone, print-ready HTML file (A4).
    pub fn html(&self) -> String {
        html! {
            (DOCTYPE)
            html lang="sv" {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    title { (self.title) }
                    style { (PreEscaped(CSS)) "\nbody{margin:0;color:#1a1a1a;background:#fff}main{padding:1rem}" }
                }
                body { main { (self.html_body(None)) } }
            }
        }
        .into_string()
    }
}
