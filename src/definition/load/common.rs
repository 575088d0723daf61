//! Shared readers for the loader: ids, references with "menade du …?", periods with
//! located errors, reminder policies, roll rules and weekdays.

use crate::calendar::{Calendar, DateRange, RollRule};
use crate::definition::diag::{Pos, did_you_mean};
use crate::definition::model::PolicyOverride;
use crate::definition::period::{self, Period, PeriodError};
use crate::definition::yaml::{Ctx, Node, Value};
use chrono::Weekday;
use std::sync::Arc;

/// Reads an id: lower-case ASCII letters, digits and hyphens.
pub fn id(ctx: &mut Ctx, node: &Node, what_sv: &str, what_en: &str) -> Option<Arc<str>> {
    let s = ctx.text(node, what_sv, what_en)?;
    if is_valid_id(s) {
        return Some(Arc::from(s));
    }
    let fix = slug(s);
    ctx.error(
        node.pos,
        format!(
            "ogiltigt id `{s}` för {what_sv}: använd bara små bokstäver a–z, siffror och bindestreck (å/ä blir a, ö blir o), t.ex. `{fix}`."
        ),
        format!("invalid id `{s}` for {what_en}: use only lower-case letters a–z, digits and hyphens, e.g. `{fix}`."),
    );
    None
}

pub fn is_valid_id(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 80
        && b[0].is_ascii_alphanumeric()
        && b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
}

/// A suggested id for a name: "Böle skola" → "bole-skola".
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.to_lowercase().chars() {
        let c = match c {
            'å' | 'ä' | 'á' | 'à' => 'a',
            'ö' | 'ó' | 'ø' => 'o',
            'é' | 'è' => 'e',
            'ü' => 'u',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let t = out.trim_end_matches('-');
    if t.is_empty() { "mitt-id".into() } else { t.into() }
}

/// What kind of thing a reference names and where such things are defined.
pub struct RefKind {
    pub what_sv: &'static str,
    pub what_en: &'static str,
    pub where_sv: &'static str,
    pub where_en: &'static str,
}

pub const ROLE: RefKind =
    RefKind { what_sv: "roll", what_en: "role", where_sv: "organisationens `roles`", where_en: "the organisation's `roles`" };
pub const OWNER: RefKind = RefKind {
    what_sv: "roll eller grupp",
    what_en: "role or group",
    where_sv: "organisationens `roles` eller `groups`",
    where_en: "the organisation's `roles` or `groups`",
};
pub const GROUP: RefKind =
    RefKind { what_sv: "grupp", what_en: "group", where_sv: "organisationens `groups`", where_en: "the organisation's `groups`" };
pub const UNIT: RefKind =
    RefKind { what_sv: "enhet", what_en: "unit", where_sv: "organisationens `units`", where_en: "the organisation's `units`" };
pub const WHEEL: RefKind = RefKind {
    what_sv: "kontrollpunkt i årshjulet",
    what_en: "wheel checkpoint",
    where_sv: "årshjulets `checkpoints`",
    where_en: "the wheel's `checkpoints`",
};
pub const GOAL: RefKind = RefKind { what_sv: "mål", what_en: "goal", where_sv: "planens `goals`", where_en: "the plan's `goals`" };
pub const AREA: RefKind = RefKind { what_sv: "område", what_en: "area", where_sv: "planens `areas`", where_en: "the plan's `areas`" };

/// Checks that `value` is one of `known`, reporting an unknown reference with a suggestion
/// and, when short, the list of valid ones.
pub fn reference(ctx: &mut Ctx, pos: Pos, value: &str, known: &[&str], kind: &RefKind) -> Option<Arc<str>> {
    let RefKind { what_sv, what_en, where_sv, where_en } = *kind;
    if known.contains(&value) {
        return Some(Arc::from(value));
    }
    let (dsv, den) = did_you_mean(value, known.iter().copied());
    let list = if known.is_empty() {
        (format!(" Det finns inga definierade {where_sv}."), format!(" There are none defined in {where_en}."))
    } else if known.len() <= 12 {
        (format!(" Definierade: {}.", known.join(", ")), format!(" Defined: {}.", known.join(", ")))
    } else {
        (format!(" Se {where_sv}."), format!(" See {where_en}."))
    };
    ctx.error(
        pos,
        format!("okänd {what_sv} `{value}`.{dsv}{} Lägg till den i {where_sv} eller rätta stavningen.", list.0),
        format!("unknown {what_en} `{value}`.{den}{} Add it to {where_en} or fix the spelling.", list.1),
    );
    None
}

/// Position of character `offset` within a scalar that starts at `pos`.
fn offset_pos(pos: Pos, offset: usize) -> Pos {
    Pos { line: pos.line, col: pos.col + offset as u32 }
}

pub fn period_error(ctx: &mut Ctx, node: &Node, e: PeriodError) {
    ctx.error(offset_pos(node.pos, e.offset), e.sv, e.en);
}

/// Parses a period expression; a reading worth a second look (`jul` as July) is reported as
/// a warning at its place in the text.
pub fn period(ctx: &mut Ctx, node: &Node, what_sv: &str, what_en: &str) -> Option<Period> {
    let s = ctx.text(node, what_sv, what_en)?;
    match period::parse_period_with_warnings(s) {
        Ok((p, warnings)) => {
            for w in warnings {
                ctx.warning(offset_pos(node.pos, w.offset), w.sv, w.en);
            }
            Some(p)
        }
        Err(e) => {
            period_error(ctx, node, e);
            None
        }
    }
}

/// Parses a period expression that must have a year, and resolves it to dates.
pub fn dated_period(ctx: &mut Ctx, cal: &Calendar, node: &Node, what_sv: &str, what_en: &str) -> Option<(Period, DateRange)> {
    let p = period(ctx, node, what_sv, what_en)?;
    if p.is_yearless() {
        ctx.error(
            node.pos,
            format!("{what_sv} `{}` saknar år. Skriv ut året, t.ex. `30 april 2021` eller `vecka 10 2021`.", node_text(node)),
            format!("{what_en} `{}` has no year. Write the year, e.g. `30 april 2021` or `vecka 10 2021`.", node_text(node)),
        );
        return None;
    }
    match p.resolve(cal, None) {
        Ok(r) => Some((p, r)),
        Err(e) => {
            period_error(ctx, node, e);
            None
        }
    }
}

/// Parses a yearless anchor ("30 april", "sista februari", "vecka 12") and checks that it
/// exists in every year.
pub fn yearless(ctx: &mut Ctx, cal: &Calendar, node: &Node, what_sv: &str, what_en: &str) -> Option<Period> {
    let p = period(ctx, node, what_sv, what_en)?;
    if !p.is_yearless() {
        ctx.error(
            node.pos,
            format!(
                "{what_sv} ska gälla varje år och får inte ange år: skriv t.ex. `30 april`, `sista februari` eller `vecka 12`, inte `{}`.",
                node_text(node)
            ),
            format!(
                "{what_en} recurs every year and must not name a year: write e.g. `30 april`, `sista februari` or `vecka 12`, not `{}`.",
                node_text(node)
            ),
        );
        return None;
    }
    // Check against a leap and a common year.
    for y in [2021, 2024] {
        if let Err(e) = p.resolve(cal, Some(y)) {
            period_error(ctx, node, e);
            return None;
        }
    }
    Some(p)
}

pub fn node_text(node: &Node) -> &str {
    match &node.value {
        Value::Scalar(s) => s,
        _ => "",
    }
}

/// Parses a duration in days.
pub fn days(ctx: &mut Ctx, node: &Node, what_sv: &str, what_en: &str) -> Option<u32> {
    let s = ctx.text(node, what_sv, what_en)?;
    match period::parse_days(s) {
        Ok(d) => Some(d),
        Err(e) => {
            period_error(ctx, node, e);
            None
        }
    }
}

/// Reads a reminder policy override.
pub fn reminders(ctx: &mut Ctx, node: &Node) -> PolicyOverride {
    let mut p = PolicyOverride::default();
    let Some(m) = ctx.map(
        node,
        "påminnelser (reminders)",
        "reminders",
        &["before", "on_due", "overdue_every", "escalate_after", "missed_after", "missed_grace"],
    ) else {
        return p;
    };
    if let Some(n) = m.get("before") {
        let items = ctx.seq(n);
        let mut v: Vec<u32> = items.into_iter().filter_map(|i| days(ctx, i, "ledtiden", "the lead time")).collect();
        v.sort_unstable_by(|a, b| b.cmp(a));
        v.dedup();
        p.before = Some(v);
    }
    if let Some(n) = m.get("on_due") {
        p.on_due = ctx.boolean(n, "on_due", "on_due");
    }
    for (key, slot) in [("overdue_every", &mut p.overdue_every), ("escalate_after", &mut p.escalate_after)] {
        if let Some(n) = m.get(key) {
            *slot = match &n.value {
                Value::Bool(false) | Value::Null => Some(None),
                Value::Scalar(s) if matches!(s.as_str(), "nej" | "aldrig" | "never" | "no") => Some(None),
                _ => days(ctx, n, key, key).map(|d| if d == 0 { None } else { Some(d) }),
            };
        }
    }
    if let Some(n) = m.get("missed_after") {
        p.missed_after = super::missed::missed_after(ctx, n);
    }
    if let Some(n) = m.get("missed_grace") {
        p.missed_grace = super::missed::missed_grace(ctx, n);
    }
    p
}

/// Reads a roll rule.
pub fn roll(ctx: &mut Ctx, node: &Node) -> Option<RollRule> {
    let s = ctx.text(node, "roll", "roll")?;
    let rule = match s.trim().to_lowercase().as_str() {
        "föregående arbetsdag" | "foregaende arbetsdag" | "previous_working_day" | "previous" => RollRule::PreviousWorkingDay,
        "nästa arbetsdag" | "nasta arbetsdag" | "next_working_day" | "next" => RollRule::NextWorkingDay,
        "ingen" | "none" => RollRule::None,
        _ => {
            ctx.error(
                node.pos,
                format!("okänd regel `{s}` för datum som infaller på helgdag. Skriv `föregående arbetsdag`, `nästa arbetsdag` eller `ingen`."),
                format!("unknown roll rule `{s}`. Write `föregående arbetsdag` (previous working day), `nästa arbetsdag` (next) or `ingen` (none)."),
            );
            return None;
        }
    };
    Some(rule)
}

const WEEKDAYS: &[(&str, Weekday)] = &[
    ("måndag", Weekday::Mon),
    ("tisdag", Weekday::Tue),
    ("onsdag", Weekday::Wed),
    ("torsdag", Weekday::Thu),
    ("fredag", Weekday::Fri),
    ("lördag", Weekday::Sat),
    ("söndag", Weekday::Sun),
];

/// Reads a Swedish (or English) weekday name.
pub fn weekday(ctx: &mut Ctx, node: &Node) -> Option<Weekday> {
    let s = ctx.text(node, "veckodagen", "the weekday")?;
    let l = s.trim().to_lowercase();
    if let Some((_, d)) = WEEKDAYS.iter().find(|(n, _)| *n == l) {
        return Some(*d);
    }
    if let Ok(d) = l.parse::<Weekday>() {
        return Some(d);
    }
    let (dsv, den) = did_you_mean(&l, WEEKDAYS.iter().map(|(n, _)| *n));
    ctx.error(
        node.pos,
        format!("okänd veckodag `{s}`.{dsv} Skriv t.ex. `tisdag`."),
        format!("unknown weekday `{s}`.{den} Write e.g. `tisdag`."),
    );
    None
}

/// Reads a list of texts (a single text is a list of one).
pub fn text_list(ctx: &mut Ctx, node: Option<&Node>, what_sv: &str, what_en: &str) -> Vec<String> {
    node.map(|n| ctx.texts(n, what_sv, what_en).into_iter().map(|(s, _)| s.to_owned()).collect()).unwrap_or_default()
}

/// Reads an optional text.
pub fn opt_text(ctx: &mut Ctx, node: Option<&Node>, what_sv: &str, what_en: &str) -> Option<String> {
    node.and_then(|n| ctx.text(n, what_sv, what_en)).map(str::to_owned)
}

/// Reports a duplicate id.
pub fn duplicate(ctx: &mut Ctx, pos: Pos, id: &str, what_sv: &str, what_en: &str, first: Pos) {
    ctx.error(
        pos,
        format!("{what_sv} `{id}` finns redan (rad {}). Id:n måste vara unika; byt namn på den ena.", first.line),
        format!("{what_en} `{id}` already exists (line {}). Ids must be unique; rename one of them.", first.line),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_swedish_names() {
        assert_eq!(slug("Böle skola"), "bole-skola");
        assert_eq!(slug("Avdelningschef Kvalitet"), "avdelningschef-kvalitet");
        assert!(is_valid_id("lagesbedomning"));
        assert!(!is_valid_id("Lägesbedömning"));
        assert!(!is_valid_id("-x"));
    }
}
