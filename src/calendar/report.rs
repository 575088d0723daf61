//! One year of a calendar as a report: holidays, terms, breaks and the number of working
//! days, as JSON (for tools) or as Swedish/English text (for people).

use super::{Calendar, HolidayKind, Term};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use std::fmt::Write;

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct HolidayRow {
    pub date: NaiveDate,
    pub name: &'static str,
    pub name_en: &'static str,
    pub kind: HolidayKind,
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct SpanRow {
    pub name: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// The calendar of one year.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct CalendarReport {
    pub year: i32,
    pub holidays: Vec<HolidayRow>,
    pub terms: Vec<SpanRow>,
    pub breaks: Vec<SpanRow>,
    /// Monday–Friday days that are not holidays.
    pub working_days: u32,
}

impl CalendarReport {
    pub fn new(cal: &Calendar, year: i32) -> Self {
        let holidays =
            cal.holidays(year).into_iter().map(|h| HolidayRow { date: h.date, name: h.name, name_en: h.name_en, kind: h.kind }).collect();
        let terms = [Term::vt(year), Term::ht(year)]
            .into_iter()
            .map(|t| {
                let r = cal.term(t);
                SpanRow { name: t.label(), start: r.start, end: r.end }
            })
            .collect();
        let breaks = cal.breaks(year).into_iter().map(|b| SpanRow { name: b.name, start: b.range.start, end: b.range.end }).collect();
        let mut working_days = 0;
        let mut d = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default();
        while d.year() == year {
            working_days += u32::from(cal.is_working_day(d));
            d = d.succ_opt().unwrap_or(NaiveDate::MAX);
        }
        Self { year, holidays, terms, breaks, working_days }
    }

    /// Readable text; `english` picks English headings and holiday names.
    pub fn text(&self, english: bool) -> String {
        let (h, t, b, w, de_facto) = if english {
            ("Holidays", "Terms", "School breaks", "Working days", " (not by law, but a day off)")
        } else {
            ("Helgdagar", "Terminer", "Lov", "Arbetsdagar", " (ej helgdag enligt lag, men ledig dag)")
        };
        let mut out = String::new();
        let _ = writeln!(out, "{} {}\n\n{h}:", if english { "Calendar" } else { "Kalender" }, self.year);
        for r in &self.holidays {
            let name = if english { r.name_en } else { r.name };
            let note = if r.kind == HolidayKind::DeFacto { de_facto } else { "" };
            let _ = writeln!(out, "  {} {:<4} {name}{note}", r.date, weekday(r.date, english));
        }
        let _ = writeln!(out, "\n{t}:");
        for r in &self.terms {
            let _ = writeln!(out, "  {:<8} {} – {}", r.name, r.start, r.end);
        }
        let _ = writeln!(out, "\n{b}:");
        for r in &self.breaks {
            let _ =
                writeln!(out, "  {:<10} {} – {}  (v{}–v{})", r.name, r.start, r.end, r.start.iso_week().week(), r.end.iso_week().week());
        }
        let _ = writeln!(out, "\n{w}: {}", self.working_days);
        out
    }
}

fn weekday(d: NaiveDate, english: bool) -> &'static str {
    const SV: [&str; 7] = ["mån", "tis", "ons", "tors", "fre", "lör", "sön"];
    const EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let i = d.weekday().num_days_from_monday() as usize;
    if english { EN[i] } else { SV[i] }
}
