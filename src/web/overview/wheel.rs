//! The årshjul as an SVG wheel: twelve months around a circle from August (the school year)
//! or January (the calendar year), with the organisation's terms and school breaks marked
//! from its calendar, one ring per checkpoint kind (or per plan), each checkpoint a dot at its
//! due date's angle coloured by state — overdue and missed as diamonds — with a `<title>`
//! naming it and its state, inside a link to its page.
//!
//! [`svg`] is a standalone document (XML declaration, `xmlns`, legend drawn inside, fixed
//! size) for download; [`markup`] is the same wheel for a page (scales to its container, the
//! legend as HTML beside it from [`legend`]). Only presentation attributes, no CSS or script.

use super::filter::{Filter, Period, WheelStart};
use super::names::Names;
use super::svg::{band, cut, esc, polar};
use super::{state, t};
use crate::calendar::{Term, TermKind};
use crate::definition::Lang;
use crate::definition::model::Organisation;
use crate::schedule::calendar_of;
use crate::store::Row;
use chrono::{Datelike, Duration, NaiveDate};
use maud::{Markup, PreEscaped, html};
use std::collections::BTreeMap;
use std::f64::consts::TAU;
use std::fmt::Write as _;

mod dots;
use dots::{dots, shape};

/// What the rings stand for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Rings {
    /// One ring per checkpoint kind (dialogmöte, delårsrapport, …), as annual-wheel tools do.
    #[default]
    Kind,
    /// One ring per plan (checkpoints without a plan in a ring of their own).
    Plan,
}

/// Which wheel to draw.
#[derive(Clone, Debug)]
pub struct Spec<'a> {
    pub org: &'a Organisation,
    pub start: WheelStart,
    /// The first day drawn (1 August or 1 January); the wheel covers twelve months from it.
    pub from: NaiveDate,
    pub rings: Rings,
    /// Put in front of every link: empty on a page, the public base URL in a download.
    pub base: String,
    pub today: NaiveDate,
    pub lang: Lang,
}

impl<'a> Spec<'a> {
    /// The wheel for a filter: the läsår's August, or (starting in January) the calendar year
    /// of the term, of the läsår's spring, or of `today` for all dates.
    pub fn for_filter(org: &'a Organisation, f: &Filter, today: NaiveDate, lang: Lang) -> Self {
        let year = match (f.wheel_start, f.period) {
            (WheelStart::August, p) => p.school_year(today),
            (WheelStart::January, Period::Term(t)) => t.year,
            (WheelStart::January, Period::SchoolYear(y)) => y + 1,
            (WheelStart::January, Period::All) => today.year(),
        };
        let month = if f.wheel_start == WheelStart::August { 8 } else { 1 };
        let from = NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(today);
        Spec { org, start: f.wheel_start, from, rings: Rings::Kind, base: String::new(), today, lang }
    }

    /// The last day drawn.
    pub fn to(&self) -> NaiveDate {
        self.from.checked_add_months(chrono::Months::new(12)).map_or(self.from, |d| d - Duration::days(1))
    }
}

/// Above this many checkpoints a dot stands for all of a ring's checkpoints on one date.
/// (Keeps the page small: a dot with its link and title is about 250 bytes.)
pub const MAX_DOTS: usize = 400;

const C: f64 = 400.0;
const R_MONTH: (f64, f64) = (352.0, 396.0);
const R_TERM: (f64, f64) = (322.0, 348.0);
const R_RINGS: (f64, f64) = (104.0, 316.0);
const DOT: f64 = 6.0;

struct Layout<'r> {
    /// Ring labels, outermost first.
    rings: Vec<String>,
    /// (ring, date) → rows.
    groups: BTreeMap<(usize, NaiveDate), Vec<&'r Row>>,
    count: usize,
}

fn layout<'r>(rows: &'r [Row], names: &Names, spec: &Spec) -> Layout<'r> {
    let (from, to) = (spec.from, spec.to());
    let mine: Vec<&Row> = rows.iter().filter(|r| r.organisation == *spec.org.id && r.due.is_some_and(|d| from <= d && d <= to)).collect();
    // Ring keys in order: the wheel's kinds (or the plans) in definition order, then the rest.
    let mut keys: Vec<(usize, String, String)> = Vec::new();
    let key_of = |r: &Row| -> (usize, String, String) {
        match spec.rings {
            Rings::Kind => {
                let ix = spec.org.wheel.as_ref().and_then(|w| w.checkpoints.iter().position(|c| *c.kind == *r.kind));
                (ix.unwrap_or(usize::MAX), r.kind.clone(), r.kind.clone())
            }
            Rings::Plan => match &r.plan {
                Some(p) => {
                    let ix = spec.org.plans.iter().position(|x| &*x.id == p);
                    (ix.unwrap_or(usize::MAX - 1), p.clone(), names.plan(&r.organisation, Some(p)).unwrap_or_default())
                }
                None => (usize::MAX, String::new(), t(spec.lang, "utan plan", "no plan").into()),
            },
        }
    };
    for r in &mine {
        let k = key_of(r);
        if !keys.iter().any(|x| x.1 == k.1) {
            keys.push(k);
        }
    }
    keys.sort();
    let mut groups: BTreeMap<(usize, NaiveDate), Vec<&Row>> = BTreeMap::new();
    for r in &mine {
        let k = key_of(r).1;
        let ring = keys.iter().position(|x| x.1 == k).unwrap_or(0);
        groups.entry((ring, r.due.unwrap_or(from))).or_default().push(r);
    }
    Layout { rings: keys.into_iter().map(|k| k.2).collect(), groups, count: mine.len() }
}

/// Angle of the start of day `d` (or its middle with `mid`).
fn angle(spec: &Spec, d: NaiveDate, mid: bool) -> f64 {
    let span = ((spec.to() - spec.from).num_days() + 1).max(1) as f64;
    let days = (d - spec.from).num_days() as f64 + if mid { 0.5 } else { 0.0 };
    TAU * days / span
}

fn ring_bounds(n: usize, i: usize) -> (f64, f64) {
    let w = ((R_RINGS.1 - R_RINGS.0) / n.max(1) as f64).min(48.0);
    (R_RINGS.1 - w * (i as f64 + 1.0), R_RINGS.1 - w * i as f64)
}

const MONTHS_SV: [&str; 12] = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"];
const MONTHS_EN: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// The wheel itself (everything inside the 800 × 800 square).
/// `xlink`: links also as `xlink:href`, for SVG 1.1 readers (presentation software).
fn body(out: &mut String, lay: &Layout, spec: &Spec, xlink: bool) {
    let lang = spec.lang;
    let _ = write!(out, r##"<circle cx="{C}" cy="{C}" r="{}" fill="#ffffff" stroke="#c8ced6"/>"##, R_MONTH.1);
    // Months.
    let mut m = spec.from;
    for i in 0..12 {
        let next = m.checked_add_months(chrono::Months::new(1)).unwrap_or(m);
        let (a0, a1) = (angle(spec, m, false), angle(spec, next, false));
        let fill = if i % 2 == 0 { "#eef2f6" } else { "#e0e6ee" };
        let _ = write!(out, r#"<path d="{}" fill="{fill}"/>"#, band(C, C, R_MONTH.0, R_MONTH.1, a0, a1));
        let (x0, y0) = polar(C, C, R_RINGS.0, a0);
        let (x1, y1) = polar(C, C, R_MONTH.1, a0);
        let _ = write!(out, r##"<line x1="{x0:.1}" y1="{y0:.1}" x2="{x1:.1}" y2="{y1:.1}" stroke="#c8ced6" stroke-width="1"/>"##);
        let (x, y) = polar(C, C, (R_MONTH.0 + R_MONTH.1) / 2.0, (a0 + a1) / 2.0);
        let names = if lang == Lang::Sv { MONTHS_SV } else { MONTHS_EN };
        let name = names[m.month0() as usize % 12];
        let _ = write!(
            out,
            r##"<text x="{x:.1}" y="{y:.1}" font-size="22" font-family="sans-serif" fill="#1b2733" text-anchor="middle" dominant-baseline="central">{name}</text>"##
        );
        m = next;
    }
    // Terms, then breaks over them.
    let cal = calendar_of(spec.org);
    let (from, to) = (spec.from, spec.to());
    let clip = |a: NaiveDate, b: NaiveDate| (a.max(from) <= b.min(to)).then(|| (a.max(from), b.min(to)));
    // Term names go on top of the breaks that cut through them.
    let mut labels = String::new();
    for y in from.year() - 1..=to.year() {
        for term in [Term::vt(y), Term::ht(y)] {
            let r = cal.term(term);
            let Some((a, b)) = clip(r.start, r.end) else { continue };
            let name = match (term.kind, lang) {
                (TermKind::Vt, Lang::Sv) => format!("vt {y}"),
                (TermKind::Ht, Lang::Sv) => format!("ht {y}"),
                (TermKind::Vt, Lang::En) => format!("spring term {y}"),
                (TermKind::Ht, Lang::En) => format!("autumn term {y}"),
            };
            let (a0, a1) = (angle(spec, a, false), angle(spec, b + Duration::days(1), false));
            let _ = write!(
                out,
                r##"<path d="{}" fill="#b9d4ef"><title>{} {a} – {b}</title></path>"##,
                band(C, C, R_TERM.0, R_TERM.1, a0, a1),
                esc(&name)
            );
            let mid = (a0 + a1) / 2.0;
            let (x, y) = polar(C, C, (R_TERM.0 + R_TERM.1) / 2.0, mid);
            // Along the circle, never upside down.
            let mut deg = mid.to_degrees();
            if (90.0..270.0).contains(&deg) {
                deg -= 180.0;
            }
            let _ = write!(
                labels,
                r##"<text x="{x:.1}" y="{y:.1}" transform="rotate({deg:.1} {x:.1} {y:.1})" font-size="15" font-family="sans-serif" fill="#0d2f55" text-anchor="middle" dominant-baseline="central" stroke="#b9d4ef" stroke-width="4" paint-order="stroke">{}</text>"##,
                esc(&name)
            );
        }
        for b in cal.breaks(y) {
            let Some((a, e)) = clip(b.range.start, b.range.end) else { continue };
            let (a0, a1) = (angle(spec, a, false), angle(spec, e + Duration::days(1), false));
            let _ = write!(
                out,
                r##"<path d="{}" fill="#f3c98b"><title>{} {a} – {e}</title></path>"##,
                band(C, C, R_TERM.0, R_TERM.1, a0, a1),
                esc(&b.name)
            );
        }
    }
    out.push_str(&labels);
    // Rings.
    for (i, name) in lay.rings.iter().enumerate() {
        let (r0, r1) = ring_bounds(lay.rings.len(), i);
        let fill = if i % 2 == 0 { "#fafbfc" } else { "#f1f4f7" };
        let _ = write!(
            out,
            r##"<circle cx="{C}" cy="{C}" r="{:.1}" fill="none" stroke="{fill}" stroke-width="{:.1}"/>"##,
            (r0 + r1) / 2.0,
            r1 - r0
        );
        let _ = write!(
            out,
            r##"<text x="{C}" y="{:.1}" font-size="14" font-family="sans-serif" fill="#3b4550" text-anchor="middle" dominant-baseline="central" stroke="#ffffff" stroke-width="3" paint-order="stroke">{}</text>"##,
            C - (r0 + r1) / 2.0,
            esc(&cut(name, 24))
        );
    }
    // Today.
    if from <= spec.today && spec.today <= to {
        let a = angle(spec, spec.today, true);
        let (x0, y0) = polar(C, C, R_RINGS.0 - 10.0, a);
        let (x1, y1) = polar(C, C, R_MONTH.1, a);
        let _ = write!(
            out,
            r##"<line x1="{x0:.1}" y1="{y0:.1}" x2="{x1:.1}" y2="{y1:.1}" stroke="#1b2733" stroke-width="2" stroke-dasharray="6 4"><title>{} {}</title></line>"##,
            t(lang, "idag", "today"),
            spec.today
        );
    }
    dots(out, lay, spec, xlink);
    // The centre.
    let what = match spec.start {
        WheelStart::August => format!("{} {}/{:02}", t(lang, "läsåret", "school year"), from.year(), (from.year() + 1).rem_euclid(100)),
        WheelStart::January => format!("{} {}", t(lang, "år", "year"), from.year()),
    };
    let _ = write!(
        out,
        r##"<text x="{C}" y="{:.1}" font-size="28" font-weight="bold" font-family="sans-serif" fill="#1b2733" text-anchor="middle">{}</text><text x="{C}" y="{:.1}" font-size="20" font-family="sans-serif" fill="#1b2733" text-anchor="middle">{}</text>"##,
        C - 6.0,
        t(lang, "Årshjul", "Annual wheel"),
        C + 22.0,
        esc(&what)
    );
}

fn heading(names: &Names, spec: &Spec) -> String {
    format!("{} – {} {} – {}", names.org_name(&spec.org.id), t(spec.lang, "årshjul", "annual wheel"), spec.from, spec.to())
}

/// The standalone SVG document (for download), legend included.
pub fn svg(rows: &[Row], names: &Names, spec: &Spec) -> String {
    let lay = layout(rows, names, spec);
    let lang = spec.lang;
    // Legend lines: two heading lines, the states, terms and breaks, the rings' heading and names.
    let legend_h = 30.0 * (2 + state::ALL.len() + 2 + lay.rings.len() + 1) as f64 + 20.0;
    let h = 800.0 + legend_h;
    let mut out = String::with_capacity(4096 + lay.count * 260);
    let _ = write!(
        out,
        r##"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="800" height="{h:.0}" viewBox="0 0 800 {h:.0}" role="group" aria-labelledby="arshjul-title"><title id="arshjul-title">{}</title><rect width="800" height="{h:.0}" fill="#ffffff"/>"##,
        esc(&heading(names, spec))
    );
    body(&mut out, &lay, spec, true);
    let text = |out: &mut String, x: f64, y: f64, size: u32, s: &str| {
        let _ = write!(
            out,
            r##"<text x="{x:.0}" y="{y:.0}" font-size="{size}" font-family="sans-serif" fill="#1b2733">{}</text>"##,
            esc(&cut(s, 80))
        );
    };
    let mut y = 830.0;
    text(&mut out, 20.0, y, 18, &names.org_name(&spec.org.id));
    y += 30.0;
    text(&mut out, 20.0, y, 16, &format!("{} {} – {}", t(lang, "Årshjul", "Annual wheel"), spec.from, spec.to()));
    for s in state::ALL {
        y += 30.0;
        out.push_str(&shape(28.0, y - 5.0, DOT, s, state::label(s, lang)));
        text(&mut out, 44.0, y, 15, &format!("{}: {}", state::label(s, lang), state::meaning(s, lang)));
    }
    y += 30.0;
    let _ = write!(out, r##"<rect x="20" y="{:.0}" width="16" height="12" fill="#b9d4ef"/>"##, y - 11.0);
    text(&mut out, 44.0, y, 15, t(lang, "termin", "term"));
    let _ = write!(out, r##"<rect x="160" y="{:.0}" width="16" height="12" fill="#f3c98b"/>"##, y - 11.0);
    text(&mut out, 184.0, y, 15, t(lang, "lov", "school break"));
    text(
        &mut out,
        290.0,
        y,
        15,
        t(lang, "streckad linje: idag · romb: försenad eller missad", "dashed line: today · diamond: overdue or missed"),
    );
    y += 30.0;
    text(&mut out, 20.0, y, 15, t(lang, "Ringar utifrån och in:", "Rings from the outside in:"));
    for (i, ring) in lay.rings.iter().enumerate() {
        y += 30.0;
        text(&mut out, 44.0, y, 15, &format!("{}. {ring}", i + 1));
    }
    if lay.count > MAX_DOTS {
        text(
            &mut out,
            20.0,
            y + 24.0,
            14,
            t(lang, "Många kontrollpunkter: en punkt per ring och datum.", "Many checkpoints: one dot per ring and date."),
        );
    }
    out.push_str("</svg>\n");
    out
}

/// The wheel for a page: scales to its container (class `ov-wheel`); use with [`legend`].
pub fn markup(rows: &[Row], names: &Names, spec: &Spec) -> Markup {
    let lay = layout(rows, names, spec);
    let mut out = String::with_capacity(4096 + lay.count * 260);
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" class="ov-wheel" viewBox="0 0 800 800" role="group" aria-labelledby="ov-wheel-title-{0}"><title id="ov-wheel-title-{0}">{1}</title>"#,
        esc(&spec.org.id),
        esc(&heading(names, spec))
    );
    body(&mut out, &lay, spec, false);
    out.push_str("</svg>");
    html! { (PreEscaped(out)) (legend(&lay.rings, lay.count > MAX_DOTS, spec.lang)) }
}

/// The wheel's legend as HTML: states (swatch and word), terms and breaks, the rings.
fn legend(rings: &[String], merged: bool, lang: Lang) -> Markup {
    html! {
        div class="ov-wheel-legend" {
            ul class="ov-states" {
                @for s in state::ALL {
                    li { span class=(format!("ov-sw ov-sw-{}", s.en())) aria-hidden="true" {} (state::badge(s, lang)) " " (state::meaning(s, lang)) }
                }
            }
            p {
                span class="ov-sw ov-sw-term" aria-hidden="true" {} (t(lang, "termin", "term")) " · "
                span class="ov-sw ov-sw-break" aria-hidden="true" {} (t(lang, "lov", "school break")) " · "
                (t(lang, "streckad linje: idag · romb: försenad eller missad", "dashed line: today · diamond: overdue or missed"))
            }
            @if !rings.is_empty() {
                p { (t(lang, "Ringar utifrån och in:", "Rings from the outside in:")) }
                ol class="ov-rings" { @for r in rings { li { (r) } } }
            }
            @if merged { p class="ov-note" { (t(lang, "Många kontrollpunkter: en punkt per ring och datum.", "Many checkpoints: one dot per ring and date.")) } }
        }
    }
}
