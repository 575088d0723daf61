//! The overview's filters as GET parameters: `org`, `period` (`2020/21`, `ht2020`, `vt2021`,
//! `alla`), `plan`, `unit`, `role`, `state` (repeatable, Swedish or English words) and `start`
//! (the wheel's first month: `aug` or `jan`). Parsing never fails: a value the model does not
//! know is ignored and reported as a [`Note`] for the page to show; unknown parameters (the
//! router's own, tracking junk) are left alone.
//!
//! A läsår here runs 1 July – 30 June; ht is its July–December half and vt its January–June
//! half, so every dated checkpoint belongs to exactly one term and one läsår (summer and
//! Christmas breaks included).

use crate::calendar::{DateRange, Term, TermKind};
use crate::definition::Model;
use crate::store::Row;
use crate::workflow::State;
use chrono::{Datelike, NaiveDate};

/// Which dates the overview covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    All,
    /// Läsåret `y`/`y + 1`: 1 July `y` – 30 June `y + 1`.
    SchoolYear(i32),
    Term(Term),
}

/// The month the wheel starts at, at 12 o'clock.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum WheelStart {
    /// The school year: August – July.
    #[default]
    August,
    /// The calendar year: January – December.
    January,
}

/// The läsår (by its first year) that `d` falls in.
pub fn school_year_of(d: NaiveDate) -> i32 {
    if d.month() >= 7 { d.year() } else { d.year() - 1 }
}

fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

impl Period {
    /// The dates covered; `None` for all dates.
    pub fn range(self) -> Option<DateRange> {
        let (start, end) = match self {
            Period::All => return None,
            Period::SchoolYear(y) => (ymd(y, 7, 1)?, ymd(y + 1, 6, 30)?),
            Period::Term(Term { year, kind: TermKind::Ht }) => (ymd(year, 7, 1)?, ymd(year, 12, 31)?),
            Period::Term(Term { year, kind: TermKind::Vt }) => (ymd(year, 1, 1)?, ymd(year, 6, 30)?),
        };
        DateRange::new(start, end)
    }

    /// The läsår this period lies in (`today`'s for all dates).
    pub fn school_year(self, today: NaiveDate) -> i32 {
        match self {
            Period::All => school_year_of(today),
            Period::SchoolYear(y) => y,
            Period::Term(Term { year, kind: TermKind::Ht }) => year,
            Period::Term(Term { year, kind: TermKind::Vt }) => year - 1,
        }
    }

    /// The GET value: `alla`, `2020/21`, `ht2020`, `vt2021`.
    pub fn param(self) -> String {
        match self {
            Period::All => "alla".into(),
            Period::SchoolYear(y) => format!("{y}/{:02}", (y + 1).rem_euclid(100)),
            Period::Term(t) => t.label(),
        }
    }

    /// Reads a GET value; also `2020/2021`, `2020-21`, `ht 2020`, `all`.
    pub fn parse(s: &str) -> Option<Period> {
        let s = s.trim().to_lowercase().replace(' ', "");
        if s == "alla" || s == "all" {
            return Some(Period::All);
        }
        let year = |t: &str| t.parse::<i32>().ok().filter(|y| (1900..=2200).contains(y));
        if let Some(y) = s.strip_prefix("ht").and_then(year) {
            return Some(Period::Term(Term::ht(y)));
        }
        if let Some(y) = s.strip_prefix("vt").and_then(year) {
            return Some(Period::Term(Term::vt(y)));
        }
        let (a, b) = s.split_once(['/', '-'])?;
        let a = year(a)?;
        let next = (a + 1).to_string();
        (b == next || b == next.get(2..)?).then_some(Period::SchoolYear(a))
    }

    /// What users read: "läsåret 2020/21", "ht 2020", "alla datum".
    pub fn label(self, lang: crate::definition::Lang) -> String {
        use crate::definition::Lang::{En, Sv};
        match (self, lang) {
            (Period::All, Sv) => "alla datum".into(),
            (Period::All, En) => "all dates".into(),
            (Period::SchoolYear(_), Sv) => format!("läsåret {}", self.param()),
            (Period::SchoolYear(_), En) => format!("school year {}", self.param()),
            (Period::Term(t), Sv) => format!("{} {}", if t.kind == TermKind::Ht { "ht" } else { "vt" }, t.year),
            (Period::Term(t), En) => format!("{} {}", if t.kind == TermKind::Ht { "autumn" } else { "spring" }, t.year),
        }
    }
}

/// The overview's filters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filter {
    pub organisation: Option<String>,
    pub period: Period,
    pub plan: Option<String>,
    pub unit: Option<String>,
    pub role: Option<String>,
    /// Empty: every state but cancelled.
    pub states: Vec<State>,
    pub wheel_start: WheelStart,
}

impl Filter {
    /// No filter but the current läsår.
    pub fn new(today: NaiveDate) -> Self {
        Filter {
            organisation: None,
            period: Period::SchoolYear(school_year_of(today)),
            plan: None,
            unit: None,
            role: None,
            states: Vec::new(),
            wheel_start: WheelStart::August,
        }
    }

    /// Whether `row` passes every filter. Undated (fortlöpande) checkpoints pass every period.
    pub fn matches(&self, row: &Row) -> bool {
        let eq = |want: &Option<String>, have: Option<&str>| want.as_deref().is_none_or(|w| Some(w) == have);
        eq(&self.organisation, Some(&row.organisation))
            && eq(&self.plan, row.plan.as_deref())
            && eq(&self.unit, row.unit.as_deref())
            && eq(&self.role, Some(&row.owner_role))
            && (if self.states.is_empty() { row.state != State::Cancelled } else { self.states.contains(&row.state) })
            && match (self.period.range(), row.due) {
                (Some(r), Some(d)) => r.contains(d),
                _ => true,
            }
    }

    /// The same filter for the store ([`crate::store::Store::overview_rows`]), so that only
    /// the period's rows are read; [`Filter::matches`] then passes every one of them.
    pub fn store_query(&self) -> crate::store::overview::OverviewQuery {
        let range = self.period.range();
        crate::store::overview::OverviewQuery {
            organisation: self.organisation.clone(),
            organisations: Vec::new(),
            plan: self.plan.clone(),
            unit: self.unit.clone(),
            role: self.role.clone(),
            states: self.states.clone(),
            from: range.map(|r| r.start),
            to: range.map(|r| r.end),
        }
    }

    /// The query string that gives this filter back through [`parse`].
    pub fn to_query(&self) -> String {
        let mut out = vec![format!("period={}", encode(&self.period.param()))];
        let opt = [("org", &self.organisation), ("plan", &self.plan), ("unit", &self.unit), ("role", &self.role)];
        out.extend(opt.iter().filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={}", encode(v)))));
        out.extend(self.states.iter().map(|s| format!("state={}", s.en())));
        if self.wheel_start == WheelStart::January {
            out.push("start=jan".into());
        }
        out.join("&")
    }
}

/// A parameter value that was ignored, for the page to say so.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    pub param: String,
    /// As given (cut to 80 characters).
    pub value: String,
}

/// Reads a query string (`a=b&c=d`, without the `?`) against the model. Never fails.
pub fn parse(query: &str, model: &Model, today: NaiveDate) -> (Filter, Vec<Note>) {
    let mut f = Filter::new(today);
    let mut notes = Vec::new();
    let orgs = &model.organisations;
    for pair in query.split('&').filter(|p| !p.is_empty()).take(100) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let (k, v) = (decode(k), decode(v));
        let v = v.trim();
        if v.is_empty() {
            continue;
        }
        let known = match k.as_str() {
            "org" => set(&mut f.organisation, v, orgs.iter().any(|o| &*o.id == v)),
            "plan" => set(&mut f.plan, v, orgs.iter().any(|o| o.plans.iter().any(|p| &*p.id == v))),
            "unit" => set(&mut f.unit, v, orgs.iter().any(|o| o.unit(v).is_some())),
            "role" => set(&mut f.role, v, orgs.iter().any(|o| o.role(v).is_some() || o.group(v).is_some())),
            "period" => Period::parse(v).map(|p| f.period = p).is_some(),
            "start" => {
                let start = match v.to_lowercase().as_str() {
                    "aug" | "augusti" | "august" => Some(WheelStart::August),
                    "jan" | "januari" | "january" => Some(WheelStart::January),
                    _ => None,
                };
                start.map(|s| f.wheel_start = s).is_some()
            }
            "state" => {
                let mut ok = true;
                for w in v.split(',').map(str::trim).filter(|w| !w.is_empty()) {
                    match State::parse(&w.to_lowercase()) {
                        Some(s) if !f.states.contains(&s) => f.states.push(s),
                        Some(_) => {}
                        None => ok = false,
                    }
                }
                ok
            }
            _ => true,
        };
        if !known {
            notes.push(Note { param: k.chars().take(20).collect(), value: v.chars().take(80).collect() });
        }
    }
    (f, notes)
}

fn set(slot: &mut Option<String>, v: &str, known: bool) -> bool {
    if known {
        *slot = Some(v.to_owned());
    }
    known
}

/// Percent-decoding of a query component (`+` is a space); bad escapes are kept as written
/// and invalid UTF-8 is replaced.
pub fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-encoding of a query component or path segment: everything but RFC 3986's
/// unreserved characters.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
