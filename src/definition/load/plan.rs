//! Reads a plan file: `plan:` (identity, period, default follow-up), `goals:`, `areas:` and
//! `initiatives:` with their parts, wheel follow-ups and own checkpoints.

use super::checkpoint::{self, Scope};
use super::common::{self, AREA, GOAL, duplicate, opt_text, text_list};
use super::refs::Refs;
use crate::calendar::{Calendar, DateRange};
use crate::definition::diag::Pos;
use crate::definition::model::{Area, Initiative, Named, Part, Plan, WheelBinding};
use crate::definition::yaml::{Ctx, MapView, Node, Value};
use std::collections::HashMap;
use std::sync::Arc;

const PLAN_KEYS: &[&str] = &["id", "name", "period", "diarienummer", "adopted_by", "adopted", "follow_up"];
const INIT_KEYS: &[&str] = &[
    "id",
    "number",
    "name",
    "goal",
    "area",
    "owner",
    "period",
    "assignment_document",
    "background",
    "expected_effects",
    "signs_of_change",
    "resources",
    "cost_tkr",
    "follow_up",
    "parts",
    "checkpoints",
];
const PART_KEYS: &[&str] = &["number", "text", "owner", "period", "follow_up_text", "expected_effects", "checkpoints"];
const FOLLOW_KEYS: &[&str] = &["wheel", "owner", "per_unit", "level", "units"];

/// A follow-up as written, before it is resolved per initiative.
#[derive(Clone)]
struct FollowUpSpec {
    wheel: Vec<Arc<str>>,
    owner: Option<Arc<str>>,
    level: Level,
    units: Vec<Arc<str>>,
    pos: Pos,
}

#[derive(Clone, PartialEq)]
enum Level {
    Inherit,
    Organisation,
    PerUnit(Arc<str>),
}

/// What the plan needs to know about the organisation's wheel.
pub struct WheelInfo<'a> {
    /// (wheel checkpoint id, its per-unit role)
    pub checkpoints: Vec<(&'a str, Option<Arc<str>>)>,
}

/// Reads one plan file's top-level mapping.
pub fn read(ctx: &mut Ctx, cal: &Calendar, refs: &Refs, wheel: &WheelInfo, top: &MapView) -> Option<Plan> {
    let pnode = top.get("plan")?;
    let m = ctx.map(pnode, "planen", "the plan", PLAN_KEYS)?;
    let id = m.require(ctx, "id", "planen", "the plan").and_then(|n| common::id(ctx, n, "planen", "the plan"));
    let name = m.require(ctx, "name", "planen", "the plan").and_then(|n| ctx.text(n, "namnet", "the name")).map(str::to_owned);
    let period = m.require(ctx, "period", "planen", "the plan").and_then(|n| {
        common::dated_period(ctx, cal, n, "planens period", "the plan's period").map(|(_, r)| (r, common::node_text(n).to_owned()))
    });
    let diarienummer = opt_text(ctx, m.get("diarienummer"), "diarienumret", "the registry number");
    let adopted_by = m.get("adopted_by").and_then(|n| ctx.text(n, "beslutande organ", "the adopting body")).map(|s| Arc::from(s.trim()));
    let adopted =
        m.get("adopted").and_then(|n| common::dated_period(ctx, cal, n, "beslutsdatumet", "the adoption date")).map(|(_, r)| r.start);
    let default_follow = m.get("follow_up").and_then(|n| follow_up(ctx, refs, wheel, n));
    let goals = named_list(ctx, top.get("goals"), "målet", "the goal");
    let goal_ids: Vec<&str> = goals.iter().map(|g| &*g.id).collect();
    let areas = areas(ctx, top.get("areas"), &goal_ids);
    let area_ids: Vec<&str> = areas.iter().map(|a| &*a.id).collect();
    let (period, period_text) = period?;
    let mut initiatives = Vec::new();
    let mut seen: HashMap<Arc<str>, Pos> = HashMap::new();
    let Some(list) = top.get("initiatives") else {
        ctx.error(
            top.node.pos,
            "planen har inga insatser. Lägg till `initiatives:` med minst en insats.",
            "the plan has no initiatives. Add `initiatives:` with at least one.",
        );
        return None;
    };
    let names = Names { goals: &goal_ids, areas: &area_ids };
    for item in ctx.seq(list) {
        let Some(init) = initiative(ctx, cal, refs, wheel, &names, period, default_follow.as_ref(), item) else { continue };
        if let Some(first) = seen.get(&init.id) {
            duplicate(ctx, item.pos, &init.id, "insatsen", "the initiative", *first);
            continue;
        }
        seen.insert(init.id.clone(), item.pos);
        initiatives.push(init);
    }
    Some(Plan {
        id: id?,
        name: name?,
        file: ctx.file.clone(),
        period,
        period_text,
        diarienummer,
        adopted_by,
        adopted,
        goals,
        areas,
        initiatives,
    })
}

struct Names<'a> {
    goals: &'a [&'a str],
    areas: &'a [&'a str],
}

fn named_list(ctx: &mut Ctx, node: Option<&Node>, what_sv: &str, what_en: &str) -> Vec<Named> {
    let mut out: Vec<Named> = Vec::new();
    let Some(node) = node else { return out };
    for item in ctx.seq(node) {
        let Some(m) = ctx.map(item, what_sv, what_en, &["id", "name"]) else { continue };
        let id = m.require(ctx, "id", what_sv, what_en).and_then(|n| common::id(ctx, n, what_sv, what_en));
        let name = m.require(ctx, "name", what_sv, what_en).and_then(|n| ctx.text(n, "namnet", "the name")).map(str::to_owned);
        let (Some(id), Some(name)) = (id, name) else { continue };
        if out.iter().any(|x| x.id == id) {
            ctx.error(
                item.pos,
                format!("{what_sv} `{id}` finns redan. Id:n måste vara unika."),
                format!("{what_en} `{id}` already exists. Ids must be unique."),
            );
            continue;
        }
        out.push(Named { id, name });
    }
    out
}

fn areas(ctx: &mut Ctx, node: Option<&Node>, goals: &[&str]) -> Vec<Area> {
    let mut out: Vec<Area> = Vec::new();
    let Some(node) = node else { return out };
    for item in ctx.seq(node) {
        let Some(m) = ctx.map(item, "området", "the area", &["id", "name", "goal"]) else { continue };
        let id = m.require(ctx, "id", "området", "the area").and_then(|n| common::id(ctx, n, "området", "the area"));
        let name = m.require(ctx, "name", "området", "the area").and_then(|n| ctx.text(n, "namnet", "the name")).map(str::to_owned);
        let goal = m
            .get("goal")
            .and_then(|n| ctx.text(n, "målet", "the goal").map(|s| (s, n.pos)))
            .and_then(|(s, pos)| common::reference(ctx, pos, s, goals, &GOAL));
        let (Some(id), Some(name)) = (id, name) else { continue };
        if out.iter().any(|x| x.id == id) {
            ctx.error(
                item.pos,
                format!("området `{id}` finns redan. Id:n måste vara unika."),
                format!("the area `{id}` already exists. Ids must be unique."),
            );
            continue;
        }
        out.push(Area { id, name, goal });
    }
    out
}

fn follow_up(ctx: &mut Ctx, refs: &Refs, wheel: &WheelInfo, node: &Node) -> Option<FollowUpSpec> {
    if let Value::Scalar(s) = &node.value
        && matches!(s.trim().to_lowercase().as_str(), "ingen" | "none" | "nej")
    {
        return Some(FollowUpSpec { wheel: Vec::new(), owner: None, level: Level::Inherit, units: Vec::new(), pos: node.pos });
    }
    let m = ctx.map(node, "uppföljningen (follow_up)", "the follow-up", FOLLOW_KEYS)?;
    let wheel_ids = match m.require(ctx, "wheel", "uppföljningen", "the follow-up") {
        None => Vec::new(),
        Some(n) => {
            if wheel.checkpoints.is_empty() {
                ctx.error(n.pos, "uppföljningen är knuten till årshjulet, men organisationen har inget årshjul (eller det har inga kontrollpunkter). Lägg till en fil med `wheel:`.", "the follow-up is bound to the wheel, but the organisation has no wheel checkpoints. Add a file with `wheel:`.");
                Vec::new()
            } else if matches!(&n.value, Value::Scalar(s) if matches!(s.trim(), "all" | "alla" | "hela")) {
                wheel.checkpoints.iter().map(|(id, _)| Arc::from(*id)).collect()
            } else {
                ctx.texts(n, "kontrollpunkten", "the checkpoint")
                    .into_iter()
                    .filter_map(|(s, pos)| refs.wheel_checkpoint(ctx, pos, s))
                    .collect()
            }
        }
    };
    let owner = m.get("owner").and_then(|n| refs.owner(ctx, n));
    let mut level = match m.get("level").and_then(|n| ctx.text(n, "nivån", "the level").map(|s| (s, n))) {
        None => Level::Inherit,
        Some((s, n)) => match s.trim() {
            "organisation" | "huvudman" | "huvudmannanivå" => Level::Organisation,
            "unit" | "enhet" => Level::Inherit,
            _ => {
                ctx.error(
                    n.pos,
                    format!("okänd nivå `{s}`: skriv `organisation` (bara huvudmannanivå) eller ange `per_unit: rektor` för en per enhet."),
                    format!("unknown level `{s}`: write `organisation`, or use `per_unit: rektor` for one per unit."),
                );
                Level::Inherit
            }
        },
    };
    if let Some(n) = m.get("per_unit") {
        if level == Level::Organisation {
            ctx.error(
                n.pos,
                "`per_unit` och `level: organisation` motsäger varandra; ta bort det ena.",
                "`per_unit` and `level: organisation` contradict each other; remove one.",
            );
        } else if let Some(r) = refs.per_unit_role(ctx, n) {
            level = Level::PerUnit(r);
        }
    }
    let units = m
        .get("units")
        .map(|n| ctx.texts(n, "enheten", "the unit").into_iter().filter_map(|(s, pos)| refs.unit(ctx, pos, s)).collect())
        .unwrap_or_default();
    Some(FollowUpSpec { wheel: wheel_ids, owner, level, units, pos: node.pos })
}

#[allow(clippy::too_many_arguments)]
fn initiative(
    ctx: &mut Ctx,
    cal: &Calendar,
    refs: &Refs,
    wheel: &WheelInfo,
    names: &Names,
    plan_period: DateRange,
    default_follow: Option<&FollowUpSpec>,
    node: &Node,
) -> Option<Initiative> {
    let m = ctx.map(node, "insatsen", "the initiative", INIT_KEYS)?;
    let what = ("insatsen", "the initiative");
    let id = m.require(ctx, "id", what.0, what.1).and_then(|n| common::id(ctx, n, what.0, what.1));
    let number = m.get("number").and_then(|n| ctx.text(n, "numret", "the number")).map(|s| Arc::from(s.trim()));
    let name: Option<Arc<str>> = m.require(ctx, "name", what.0, what.1).and_then(|n| ctx.text(n, "namnet", "the name")).map(Arc::from);
    let goal = m
        .get("goal")
        .and_then(|n| ctx.text(n, "målet", "the goal").map(|s| (s, n.pos)))
        .and_then(|(s, pos)| common::reference(ctx, pos, s, names.goals, &GOAL));
    let area = m
        .get("area")
        .and_then(|n| ctx.text(n, "området", "the area").map(|s| (s, n.pos)))
        .and_then(|(s, pos)| common::reference(ctx, pos, s, names.areas, &AREA));
    let owners = m.require(ctx, "owner", what.0, what.1).map(|n| refs.owners(ctx, n)).unwrap_or_default();
    let period = m
        .get("period")
        .and_then(|n| common::dated_period(ctx, cal, n, "insatsens period", "the initiative's period"))
        .map(|(_, r)| r)
        .unwrap_or(plan_period);
    let assignment_document = m.get("assignment_document").and_then(|n| ctx.boolean(n, "assignment_document", "assignment_document"));
    let background = opt_text(ctx, m.get("background"), "bakgrunden", "the background");
    let expected_effects = text_list(ctx, m.get("expected_effects"), "förväntad effekt", "expected effect");
    let signs_of_change = text_list(ctx, m.get("signs_of_change"), "tecken på förändring", "sign of change");
    let resources = text_list(ctx, m.get("resources"), "resursen", "the resource");
    let cost_tkr = m.get("cost_tkr").and_then(|n| cost(ctx, n));
    let own_follow = m.get("follow_up").and_then(|n| follow_up(ctx, refs, wheel, n));
    let primary = owners.first().cloned();
    let parts = m.get("parts").map(|n| parts(ctx, cal, refs, primary.clone(), &owners, (period, plan_period), n)).unwrap_or_default();
    let checkpoints = match (&primary, m.get("checkpoints")) {
        (Some(o), Some(n)) => checkpoint::list(ctx, cal, refs, &Scope { owner: o.clone(), period, plan: plan_period }, n),
        _ => Vec::new(),
    };
    let (id, name, primary) = (id?, name?, primary?);
    let spec = own_follow.as_ref().or(default_follow);
    let follow_ups = spec.map(|f| bind(ctx, refs, wheel, f, &primary, &parts)).unwrap_or_default();
    Some(Initiative {
        id,
        number,
        name,
        goal,
        area,
        owners,
        period,
        assignment_document,
        background,
        expected_effects,
        signs_of_change,
        resources,
        cost_tkr,
        follow_ups,
        parts,
        checkpoints,
    })
}

/// Resolves a follow-up for one initiative: per part when parts name their own owners.
fn bind(ctx: &mut Ctx, refs: &Refs, wheel: &WheelInfo, f: &FollowUpSpec, primary: &Arc<str>, parts: &[Part]) -> Vec<WheelBinding> {
    let per_part = parts.iter().any(|p| p.owners.first() != Some(primary) || p.owners.len() > 1);
    let targets: Vec<(Option<u32>, Arc<str>)> = if per_part {
        parts.iter().map(|p| (Some(p.number), p.owners.first().cloned().unwrap_or_else(|| primary.clone()))).collect()
    } else {
        vec![(None, primary.clone())]
    };
    let mut out = Vec::new();
    for w in &f.wheel {
        let wheel_per_unit = wheel.checkpoints.iter().find(|(id, _)| *id == &**w).and_then(|(_, p)| p.clone());
        let per_unit = match &f.level {
            Level::Inherit => wheel_per_unit,
            Level::Organisation => None,
            Level::PerUnit(r) => Some(r.clone()),
        };
        for (part, owner) in &targets {
            let owner = f.owner.clone().unwrap_or_else(|| owner.clone());
            let Some((owner, per_unit)) = refs.split_owner(ctx, f.pos, owner, per_unit.clone()) else { continue };
            out.push(WheelBinding { part: *part, wheel: w.clone(), owner, per_unit, units: f.units.clone() });
        }
    }
    out
}

fn parts(
    ctx: &mut Ctx,
    cal: &Calendar,
    refs: &Refs,
    primary: Option<Arc<str>>,
    owners: &[Arc<str>],
    (period, plan_period): (DateRange, DateRange),
    node: &Node,
) -> Vec<Part> {
    let mut out: Vec<Part> = Vec::new();
    for item in ctx.seq(node) {
        let Some(m) = ctx.map(item, "delen", "the part", PART_KEYS) else { continue };
        let number = m.require(ctx, "number", "delen", "the part").and_then(|n| number(ctx, n));
        let text = m.require(ctx, "text", "delen", "the part").and_then(|n| ctx.text(n, "texten", "the text")).map(str::to_owned);
        let part_owners = m.get("owner").map(|n| refs.owners(ctx, n)).unwrap_or_else(|| owners.to_vec());
        let part_period =
            m.get("period").and_then(|n| common::dated_period(ctx, cal, n, "delens period", "the part's period")).map(|(_, r)| r);
        let follow_up_text = opt_text(ctx, m.get("follow_up_text"), "uppföljningstexten", "the follow-up text");
        let expected_effects = text_list(ctx, m.get("expected_effects"), "förväntad effekt", "expected effect");
        let owner = part_owners.first().cloned().or_else(|| primary.clone());
        let checkpoints = match (owner, m.get("checkpoints")) {
            (Some(o), Some(n)) => {
                checkpoint::list(ctx, cal, refs, &Scope { owner: o, period: part_period.unwrap_or(period), plan: plan_period }, n)
            }
            _ => Vec::new(),
        };
        let (Some(number), Some(text)) = (number, text) else { continue };
        if out.iter().any(|p| p.number == number) {
            ctx.error(
                item.pos,
                format!("del {number} finns redan i insatsen. Numrera delarna 1, 2, 3 …"),
                format!("part {number} already exists in the initiative. Number the parts 1, 2, 3 …"),
            );
            continue;
        }
        out.push(Part { number, text, owners: part_owners, period: part_period, follow_up_text, expected_effects, checkpoints });
    }
    out
}

fn number(ctx: &mut Ctx, node: &Node) -> Option<u32> {
    let s = ctx.text(node, "numret", "the number")?;
    match s.trim().trim_end_matches('.').parse::<u32>() {
        Ok(n) if n > 0 && n < 1000 => Some(n),
        _ => {
            ctx.error(
                node.pos,
                format!("`{s}` är inget giltigt nummer: skriv ett heltal från 1, t.ex. `1`."),
                format!("`{s}` is not a valid number: write a whole number from 1."),
            );
            None
        }
    }
}

fn cost(ctx: &mut Ctx, node: &Node) -> Option<f64> {
    let s = ctx.text(node, "kostnaden", "the cost")?;
    match s.trim().replace(' ', "").replace(',', ".").parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Some(v),
        _ => {
            ctx.error(
                node.pos,
                format!("`{s}` är ingen kostnad i tkr: skriv ett tal, t.ex. `800` eller `1320`."),
                format!("`{s}` is not a cost in tkr: write a number, e.g. `800`."),
            );
            None
        }
    }
}
