//! Reads `organisation:`: identity, calendar settings, units, roles and groups.

use super::common::{self, GROUP, ROLE, duplicate, opt_text, reference};
use crate::calendar::{BreakRule, Calendar, CalendarConfig, DateRange};
use crate::definition::diag::Pos;
use crate::definition::model::{Role, Unit, UnitKind};
use crate::definition::period::{self, Period, Recurrence};
use crate::definition::yaml::{Ctx, Node, Value};
use chrono::Weekday;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

/// An organisation as read, before its wheel and plans are attached.
pub struct OrgDraft {
    pub id: Arc<str>,
    pub name: String,
    pub board: Option<String>,
    pub file: PathBuf,
    pub calendar: CalendarConfig,
    pub units: Vec<Unit>,
    pub roles: Vec<Role>,
    pub groups: Vec<GroupDraft>,
}

/// A group as read; its meeting period may default to the plans' span, known later.
pub struct GroupDraft {
    pub id: Arc<str>,
    pub name: String,
    pub kind: String,
    pub convenor: Option<Arc<str>>,
    pub members: Vec<Arc<str>>,
    pub meets: Option<(Recurrence, Weekday)>,
    pub during: Option<DateRange>,
    pub steered_by: Option<Arc<str>>,
    pub description: Option<String>,
    pub pos: Pos,
}

const ORG_KEYS: &[&str] = &["id", "name", "board", "calendar", "units", "roles", "groups"];
const GROUP_KINDS: &[&str] = &["styrgrupp", "lärgrupp", "arbetsgrupp", "ledningsgrupp", "nätverk", "referensgrupp"];

pub fn read(ctx: &mut Ctx, node: &Node) -> Option<OrgDraft> {
    let m = ctx.map(node, "organisationen", "the organisation", ORG_KEYS)?;
    let id =
        m.require(ctx, "id", "organisationen", "the organisation").and_then(|n| common::id(ctx, n, "organisationen", "the organisation"));
    let name =
        m.require(ctx, "name", "organisationen", "the organisation").and_then(|n| ctx.text(n, "namnet", "the name")).map(str::to_owned);
    let board = opt_text(ctx, m.get("board"), "nämnden", "the board");
    let calendar = m.get("calendar").map(|n| calendar(ctx, n)).unwrap_or_default();
    let cal = Calendar::new(calendar.clone());
    let units = m.get("units").map(|n| units(ctx, n)).unwrap_or_default();
    let roles = m.get("roles").map(|n| roles(ctx, n)).unwrap_or_default();
    let role_ids: Vec<&str> = roles.iter().map(|r| &*r.id).collect();
    let groups = m.get("groups").map(|n| groups(ctx, &cal, n, &role_ids)).unwrap_or_default();
    check_group_refs(ctx, &groups);
    // A missing id or name is already reported; go on so the wheel and plans are checked too.
    let id = id.unwrap_or_else(|| Arc::from("?"));
    let name = name.unwrap_or_default();
    Some(OrgDraft { id, name, board, file: ctx.file.clone(), calendar, units, roles, groups })
}

fn calendar(ctx: &mut Ctx, node: &Node) -> CalendarConfig {
    let mut cfg = CalendarConfig::default();
    let Some(m) = ctx.map(node, "kalendern", "the calendar", &["terms", "breaks", "roll"]) else {
        return cfg;
    };
    if let Some(t) = m.get("terms") {
        terms(ctx, t, &mut cfg);
    }
    if let Some(b) = m.get("breaks") {
        breaks(ctx, b, &mut cfg);
    }
    if let Some(r) = m.get("roll").and_then(|n| common::roll(ctx, n)) {
        cfg.roll = r;
    }
    cfg
}

fn week_number(ctx: &mut Ctx, node: &Node) -> Option<u32> {
    let s = ctx.text(node, "veckonumret", "the week number")?;
    match s.trim().parse::<u32>() {
        Ok(w) if (1..=52).contains(&w) => Some(w),
        _ => {
            ctx.error(
                node.pos,
                format!("`{s}` är inget veckonummer: skriv ett tal 1–52."),
                format!("`{s}` is not a week number: write a number 1–52."),
            );
            None
        }
    }
}

fn terms(ctx: &mut Ctx, node: &Node, cfg: &mut CalendarConfig) {
    let Some(m) = ctx.map(node, "terminerna", "the terms", &["vt", "ht", "dates"]) else { return };
    if let Some(vt) = m.get("vt").and_then(|n| ctx.map(n, "vt", "vt", &["start_week", "end_week"])) {
        if let Some(w) = vt.get("start_week").and_then(|n| week_number(ctx, n)) {
            cfg.vt_start_week = w;
        }
        if let Some(w) = vt.get("end_week").and_then(|n| week_number(ctx, n)) {
            cfg.vt_end_week = w;
        }
        if cfg.vt_start_week >= cfg.vt_end_week {
            ctx.error(
                vt.node.pos,
                "vt slutar före den börjar: `end_week` måste vara större än `start_week`.",
                "vt ends before it starts: `end_week` must be greater than `start_week`.",
            );
        }
    }
    if let Some(ht) = m.get("ht").and_then(|n| ctx.map(n, "ht", "ht", &["start_week"]))
        && let Some(w) = ht.get("start_week").and_then(|n| week_number(ctx, n))
    {
        if (30..=40).contains(&w) {
            cfg.ht_start_week = w;
        } else {
            ctx.error(
                ht.node.pos,
                format!("ht kan inte börja vecka {w}: skriv en vecka mellan 30 och 40 (oftast 33 eller 34)."),
                format!("ht cannot start in week {w}: write a week between 30 and 40."),
            );
        }
    }
    if let Some(d) = m.get("dates") {
        let cal = Calendar::new(cfg.clone());
        for item in ctx.seq(d) {
            let Some(e) = ctx.map(item, "terminsdatumet", "the term dates", &["term", "start", "end"]) else { continue };
            let term = e
                .require(ctx, "term", "terminsdatumet", "the term dates")
                .and_then(|n| common::period(ctx, n, "terminen", "the term").map(|p| (p, n)));
            let start = e
                .require(ctx, "start", "terminsdatumet", "the term dates")
                .and_then(|n| common::dated_period(ctx, &cal, n, "startdatumet", "the start date"));
            let end = e
                .require(ctx, "end", "terminsdatumet", "the term dates")
                .and_then(|n| common::dated_period(ctx, &cal, n, "slutdatumet", "the end date"));
            let Some((term, tn)) = term else { continue };
            let Period::Term(t) = term else {
                ctx.error(
                    tn.pos,
                    "`term` ska vara en termin, t.ex. `ht 2020` eller `vt 2021`.",
                    "`term` must be a term, e.g. `ht 2020` or `vt 2021`.",
                );
                continue;
            };
            let (Some((_, s)), Some((_, en))) = (start, end) else { continue };
            match DateRange::new(s.start, en.end) {
                Some(r) => cfg.term_overrides.push((t, r)),
                None => ctx.error(
                    e.node.pos,
                    format!("{} slutar ({}) före den börjar ({}). Byt plats på datumen.", t.label(), en.end, s.start),
                    format!("{} ends ({}) before it starts ({}). Swap the dates.", t.label(), en.end, s.start),
                ),
            }
        }
    }
}

fn breaks(ctx: &mut Ctx, node: &Node, cfg: &mut CalendarConfig) {
    let Value::Map(entries) = &node.value else {
        ctx.type_error(
            node,
            "`breaks` ska vara en tabell, t.ex. `sportlov: vecka 8`",
            "`breaks` must be a mapping, e.g. `sportlov: vecka 8`",
        );
        return;
    };
    for (k, v) in entries {
        let Some(name) = ctx.text(k, "lovets namn", "the break's name") else { continue };
        let name = name.trim().to_owned();
        cfg.breaks.retain(|b| break_name(b) != name);
        let texts = ctx.texts(v, "lovet", "the break");
        if texts.len() == 1 && matches!(texts[0].0.trim().to_lowercase().as_str(), "ingen" | "inget" | "none") {
            continue;
        }
        if texts.len() == 1 && matches!(texts[0].0.trim().to_lowercase().as_str(), "påskveckan" | "easter") {
            cfg.breaks.push(BreakRule::EasterWeek { name });
            continue;
        }
        let mut weeks = Vec::new();
        for (t, pos) in texts {
            match period::parse_period(t) {
                Ok(Period::Week { year: None, week }) if (1..=52).contains(&week) => weeks.push(week),
                Ok(Period::Range(a, b)) if matches!((&*a, &*b), (Period::Week { year: None, .. }, Period::Week { year: None, .. })) => {
                    if let (Period::Week { week: x, .. }, Period::Week { week: y, .. }) = (&*a, &*b) {
                        weeks.extend(*x..=*y);
                    }
                }
                _ => ctx.error(
                    pos,
                    format!("lovet `{name}` ska anges som vecka utan år, t.ex. `vecka 8`, en lista `[vecka 7, vecka 8]`, `påskveckan` eller `ingen` — inte `{t}`."),
                    format!("the break `{name}` must be given as a yearless week, e.g. `vecka 8`, a list, `påskveckan` or `ingen` — not `{t}`."),
                ),
            }
        }
        if !weeks.is_empty() {
            cfg.breaks.push(BreakRule::Weeks { name, weeks });
        }
    }
}

fn break_name(b: &BreakRule) -> &str {
    match b {
        BreakRule::Weeks { name, .. } | BreakRule::EasterWeek { name } => name,
    }
}

fn units(ctx: &mut Ctx, node: &Node) -> Vec<Unit> {
    let mut out: Vec<Unit> = Vec::new();
    let mut seen: HashMap<Arc<str>, Pos> = HashMap::new();
    for item in ctx.seq(node) {
        let Some(m) = ctx.map(item, "enheten", "the unit", &["id", "name", "kind"]) else { continue };
        let id = m.require(ctx, "id", "enheten", "the unit").and_then(|n| common::id(ctx, n, "enheten", "the unit"));
        let name = m.require(ctx, "name", "enheten", "the unit").and_then(|n| ctx.text(n, "namnet", "the name")).map(str::to_owned);
        let kind = match m.get("kind") {
            None => Some(UnitKind::Annan),
            Some(n) => ctx.text(n, "enhetstypen", "the unit kind").and_then(|s| {
                let k = UnitKind::parse(s);
                if k.is_none() {
                    let all: Vec<&str> = UnitKind::ALL.iter().map(|(_, w)| w[0]).collect();
                    let (dsv, den) = crate::definition::diag::did_you_mean(s, all.iter().copied());
                    ctx.error(
                        n.pos,
                        format!("okänd enhetstyp `{s}`.{dsv} Giltiga: {}.", all.join(", ")),
                        format!("unknown unit kind `{s}`.{den} Valid: {}.", all.join(", ")),
                    );
                }
                k
            }),
        };
        let (Some(id), Some(name), Some(kind)) = (id, name, kind) else { continue };
        if let Some(first) = seen.get(&id) {
            duplicate(ctx, item.pos, &id, "enheten", "the unit", *first);
            continue;
        }
        seen.insert(id.clone(), item.pos);
        out.push(Unit { id, name, kind });
    }
    out
}

fn roles(ctx: &mut Ctx, node: &Node) -> Vec<Role> {
    let Value::Map(entries) = &node.value else {
        ctx.type_error(
            node,
            "`roles` ska vara en tabell: `rektor: { name: Rektor, per_unit: ja }`",
            "`roles` must be a mapping: `rektor: { name: Rektor, per_unit: yes }`",
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut reports: Vec<(usize, &Node)> = Vec::new();
    for (k, v) in entries {
        let Some(id) = common::id(ctx, k, "rollen", "the role") else { continue };
        let Some(m) = ctx.map(v, "rollen", "the role", &["name", "per_unit", "reports_to", "read_only"]) else { continue };
        let name = m.get("name").and_then(|n| ctx.text(n, "namnet", "the name")).map(str::to_owned).unwrap_or_else(|| id.to_string());
        let per_unit = m.get("per_unit").and_then(|n| ctx.boolean(n, "per_unit", "per_unit")).unwrap_or(false);
        if let Some(r) = m.get("reports_to") {
            reports.push((out.len(), r));
        }
        let read_only = m.get("read_only").and_then(|n| ctx.boolean(n, "read_only", "read_only")).unwrap_or(false);
        out.push(Role { id, name, per_unit, reports_to: None, read_only });
    }
    let ids: Vec<String> = out.iter().map(|r| r.id.to_string()).collect();
    let known: Vec<&str> = ids.iter().map(String::as_str).collect();
    for (i, n) in reports {
        if let Some(s) = ctx.text(n, "reports_to", "reports_to") {
            out[i].reports_to = reference(ctx, n.pos, s, &known, &ROLE);
        }
    }
    check_cycles(ctx, &out, node.pos);
    out
}

/// A `reports_to` chain that loops would escalate forever.
fn check_cycles(ctx: &mut Ctx, roles: &[Role], pos: Pos) {
    for r in roles {
        let mut cur = r.reports_to.clone();
        let mut steps = 0;
        while let Some(c) = cur {
            if c == r.id || steps > roles.len() {
                ctx.error(
                    pos,
                    format!("rollen `{}` rapporterar i en cirkel via `reports_to`; eskalering skulle aldrig ta slut. Låt kedjan sluta hos en roll utan `reports_to` (t.ex. förvaltningschef).", r.id),
                    format!("role `{}` reports to itself through `reports_to`; escalation would never end. End the chain at a role without `reports_to`.", r.id),
                );
                break;
            }
            cur = roles.iter().find(|x| x.id == c).and_then(|x| x.reports_to.clone());
            steps += 1;
        }
    }
}

fn groups(ctx: &mut Ctx, cal: &Calendar, node: &Node, roles: &[&str]) -> Vec<GroupDraft> {
    let Value::Map(entries) = &node.value else {
        ctx.type_error(node, "`groups` ska vara en tabell med grupp-id som nycklar", "`groups` must be a mapping keyed by group id");
        return Vec::new();
    };
    let keys = &["name", "kind", "convenor", "members", "meets", "weekday", "during", "steered_by", "description"];
    let mut out = Vec::new();
    for (k, v) in entries {
        let Some(id) = common::id(ctx, k, "gruppen", "the group") else { continue };
        let Some(m) = ctx.map(v, "gruppen", "the group", keys) else { continue };
        let name = m.require(ctx, "name", "gruppen", "the group").and_then(|n| ctx.text(n, "namnet", "the name")).map(str::to_owned);
        let kind = m.get("kind").and_then(|n| ctx.text(n, "grupptypen", "the group kind").map(|s| (s, n)));
        let kind = match kind {
            None => "arbetsgrupp".to_owned(),
            Some((s, n)) => {
                let l = s.trim().to_lowercase();
                if !GROUP_KINDS.contains(&l.as_str()) {
                    let (dsv, den) = crate::definition::diag::did_you_mean(&l, GROUP_KINDS.iter().copied());
                    ctx.error(
                        n.pos,
                        format!("okänd grupptyp `{s}`.{dsv} Giltiga: {}.", GROUP_KINDS.join(", ")),
                        format!("unknown group kind `{s}`.{den} Valid: {}.", GROUP_KINDS.join(", ")),
                    );
                }
                l
            }
        };
        let role_ref = |ctx: &mut Ctx, n: &Node, s: &str| reference(ctx, n.pos, s, roles, &ROLE);
        let convenor = m
            .get("convenor")
            .and_then(|n| ctx.text(n, "sammankallande", "the convenor").map(|s| (s, n)))
            .and_then(|(s, n)| role_ref(ctx, n, s));
        let members = m
            .get("members")
            .map(|n| {
                ctx.texts(n, "medlemmen", "the member").into_iter().filter_map(|(s, pos)| reference(ctx, pos, s, roles, &ROLE)).collect()
            })
            .unwrap_or_default();
        let meets = m.get("meets").and_then(|n| {
            let s = ctx.text(n, "mötesintervallet", "the meeting cadence")?;
            match period::parse_recurrence(s) {
                Ok(Recurrence::Continuous) => {
                    ctx.error(
                        n.pos,
                        "en grupp kan inte träffas `fortlöpande`: skriv ett intervall som `var fjärde vecka`.",
                        "a group cannot meet `continuously`: write a cadence such as `var fjärde vecka`.",
                    );
                    None
                }
                Ok(r) => Some(r),
                Err(e) => {
                    common::period_error(ctx, n, e);
                    None
                }
            }
        });
        let weekday = m.get("weekday").and_then(|n| common::weekday(ctx, n)).unwrap_or(Weekday::Mon);
        let during = m.get("during").and_then(|n| common::dated_period(ctx, cal, n, "perioden", "the period")).map(|(_, r)| r);
        let steered_by = m.get("steered_by").and_then(|n| common::id(ctx, n, "styrgruppen", "the steering group"));
        let description = opt_text(ctx, m.get("description"), "beskrivningen", "the description");
        let Some(name) = name else { continue };
        out.push(GroupDraft {
            id,
            name,
            kind,
            convenor,
            members,
            meets: meets.map(|r| (r, weekday)),
            during,
            steered_by,
            description,
            pos: k.pos,
        });
    }
    out
}

fn check_group_refs(ctx: &mut Ctx, groups: &[GroupDraft]) {
    let ids: Vec<&str> = groups.iter().map(|g| &*g.id).collect();
    for g in groups {
        if let Some(s) = &g.steered_by {
            reference(ctx, g.pos, s, &ids, &GROUP);
        }
    }
}
