//! Reads a plan's own checkpoints: one-off (`when`), recurring (`every` / `cron` with
//! `during`) and continuous (`when: fortlöpande`).

use super::common::{self, opt_text};
use super::refs::Refs;
use super::wheel::{cron, kind};
use crate::calendar::{Calendar, DateRange, RollRule};
use crate::definition::diag::Pos;
use crate::definition::model::{Cadence, CadenceRule, Occurrence, OwnCheckpoint, When};
use crate::definition::period::{self, Period, Recurrence};
use crate::definition::yaml::{Ctx, MapView, Node, Value};
use chrono::Weekday;
use std::sync::Arc;

const KEYS: &[&str] = &[
    "id",
    "name",
    "kind",
    "when",
    "every",
    "cron",
    "during",
    "weekday",
    "due",
    "skip_breaks",
    "owner",
    "per_unit",
    "units",
    "roll",
    "reminders",
    "note",
];

/// Defaults an own checkpoint inherits from where it is written.
pub struct Scope {
    pub owner: Arc<str>,
    /// The initiative's (or part's) period: the default `during`.
    pub period: DateRange,
    /// The plan's period: every checkpoint must fall inside it.
    pub plan: DateRange,
}

pub fn list(ctx: &mut Ctx, cal: &Calendar, refs: &Refs, scope: &Scope, node: &Node) -> Vec<OwnCheckpoint> {
    let mut out: Vec<(OwnCheckpoint, Pos)> = Vec::new();
    for item in ctx.seq(node) {
        let Some(cp) = read(ctx, cal, refs, scope, item) else { continue };
        if let Some((_, first)) = out.iter().find(|(c, _)| c.id == cp.id) {
            common::duplicate(ctx, item.pos, &cp.id, "kontrollpunkten", "the checkpoint", *first);
            continue;
        }
        out.push((cp, item.pos));
    }
    out.into_iter().map(|(c, _)| c).collect()
}

fn read(ctx: &mut Ctx, cal: &Calendar, refs: &Refs, scope: &Scope, node: &Node) -> Option<OwnCheckpoint> {
    let m = ctx.map(node, "kontrollpunkten", "the checkpoint", KEYS)?;
    let what = ("kontrollpunkten", "the checkpoint");
    let id = m.require(ctx, "id", what.0, what.1).and_then(|n| common::id(ctx, n, what.0, what.1));
    let name = m.require(ctx, "name", what.0, what.1).and_then(|n| ctx.text(n, "namnet", "the name")).map(str::to_owned);
    let kind = kind(ctx, m.get("kind"));
    let roll = m.get("roll").and_then(|n| common::roll(ctx, n));
    let when = when(ctx, cal, scope, &m, roll.unwrap_or(cal.config().roll));
    let owner = m.get("owner").and_then(|n| refs.owner(ctx, n)).unwrap_or_else(|| scope.owner.clone());
    let per_unit = m.get("per_unit").and_then(|n| refs.per_unit_role(ctx, n));
    let units: Vec<Arc<str>> = m
        .get("units")
        .map(|n| ctx.texts(n, "enheten", "the unit").into_iter().filter_map(|(s, pos)| refs.unit(ctx, pos, s)).collect())
        .unwrap_or_default();
    let (owner, per_unit) = refs.split_owner(ctx, node.pos, owner, per_unit)?;
    if !units.is_empty() && per_unit.is_none() {
        ctx.error(node.pos, "`units` begränsar en uppdelning per enhet, men kontrollpunkten delas inte ut per enhet. Lägg till `per_unit: rektor` eller ta bort `units`.", "`units` restricts a per-unit fan-out, but the checkpoint is not per unit. Add `per_unit: rektor` or remove `units`.");
    }
    let reminders = m.get("reminders").map(|n| common::reminders(ctx, n)).unwrap_or_default();
    let note = opt_text(ctx, m.get("note"), "anteckningen", "the note");
    Some(OwnCheckpoint { id: id?, name: name?, kind, when: when?, owner, per_unit, units, roll, reminders, note })
}

fn when(ctx: &mut Ctx, cal: &Calendar, scope: &Scope, m: &MapView, roll: RollRule) -> Option<When> {
    let given: Vec<&str> = ["when", "every", "cron"].into_iter().filter(|k| m.get(k).is_some()).collect();
    if given.len() > 1 {
        let pos = m.key_pos(given[1]).unwrap_or(m.node.pos);
        ctx.error(
            pos,
            format!("ange bara ett av `when`, `every` och `cron` (här står {}).", given.join(" och ")),
            format!("give only one of `when`, `every` and `cron` (found {}).", given.join(" and ")),
        );
        return None;
    }
    if let Some(n) = m.get("when") {
        for k in ["during", "weekday", "due", "skip_breaks"] {
            if let Some(pos) = m.key_pos(k) {
                ctx.error(
                    pos,
                    format!(
                        "`{k}` gäller bara återkommande kontrollpunkter (`every` eller `cron`); ta bort den eller byt `when` mot `every`."
                    ),
                    format!("`{k}` applies only to recurring checkpoints (`every` or `cron`); remove it or use `every`."),
                );
            }
        }
        return once(ctx, cal, scope.plan, roll, n);
    }
    let during = match m.get("during") {
        Some(n) => {
            let (_, r) = common::dated_period(ctx, cal, n, "perioden", "the period")?;
            if r.start < scope.plan.start || r.end > scope.plan.end {
                outside_plan(ctx, n, r, scope.plan);
            }
            r
        }
        None => scope.period,
    };
    let skip_breaks = m.get("skip_breaks").and_then(|n| ctx.boolean(n, "skip_breaks", "skip_breaks")).unwrap_or(true);
    if let Some(n) = m.get("cron") {
        return cron(ctx, n).map(|r| When::Every(Cadence { rule: CadenceRule::Cron(Box::new(r)), during, skip_breaks }));
    }
    let Some(n) = m.get("every") else {
        ctx.error(
            m.node.pos,
            "kontrollpunkten saknar tid: ange `when` (t.ex. `when: maj 2021` eller `when: fortlöpande`), `every` (t.ex. `every: var 6:e vecka`) eller `cron`.",
            "the checkpoint has no time: give `when` (e.g. `when: maj 2021`), `every` (e.g. `every: var 6:e vecka`) or `cron`.",
        );
        return None;
    };
    let s = ctx.text(n, "intervallet", "the recurrence")?;
    let recurrence = match period::parse_recurrence(s) {
        Ok(r) => r,
        Err(e) => {
            common::period_error(ctx, n, e);
            return None;
        }
    };
    if recurrence == Recurrence::Continuous {
        return Some(When::Continuous);
    }
    let weekday = m.get("weekday").and_then(|n| common::weekday(ctx, n)).unwrap_or(Weekday::Mon);
    let anchor = match (m.get("due"), recurrence) {
        (Some(d), Recurrence::Years(_) | Recurrence::Terms) => Some(common::yearless(ctx, cal, d, "förfallodagen", "the due date")?),
        (Some(d), _) => {
            ctx.error(
                d.pos,
                "`due` används bara med `every: årligen` eller `every: varje termin`; för veckor och månader styr `during` och `weekday`.",
                "`due` is used only with yearly or termly recurrences; for weeks and months use `during` and `weekday`.",
            );
            None
        }
        (None, Recurrence::Years(_)) => {
            ctx.error(
                n.pos,
                "`every: årligen` behöver en dag varje år: lägg till t.ex. `due: 31 maj`.",
                "a yearly checkpoint needs a day each year: add e.g. `due: 31 maj`.",
            );
            return None;
        }
        (None, _) => None,
    };
    if matches!(recurrence, Recurrence::Weeks(0) | Recurrence::Months(0) | Recurrence::Years(0)) {
        ctx.error(
            n.pos,
            "intervallet måste vara minst 1, t.ex. `var 6:e vecka`.",
            "the interval must be at least 1, e.g. `var 6:e vecka`.",
        );
        return None;
    }
    Some(When::Every(Cadence { rule: CadenceRule::Every { recurrence, weekday, anchor }, during, skip_breaks }))
}

fn outside_plan(ctx: &mut Ctx, node: &Node, r: DateRange, plan: DateRange) {
    ctx.error(
        node.pos,
        format!(
            "`{}` ({r}) ligger utanför planens period ({plan}). Ändra tidpunkten, eller vidga planens `period` om planen verkligen gäller längre.",
            common::node_text(node)
        ),
        format!("`{}` ({r}) lies outside the plan's period ({plan}). Change the time, or widen the plan's `period`.", common::node_text(node)),
    );
}

/// A one-off date whose roll (or whose period) has no working day inside the plan's period.
fn no_working_day(ctx: &mut Ctx, cal: &Calendar, node: &Node, occ: &Occurrence, plan: DateRange) {
    let text = common::node_text(node);
    let day = occ.range.start;
    let near = cal.roll(if occ.exact_day { day } else { occ.range.end }, RollRule::NextWorkingDay);
    if occ.exact_day {
        ctx.error(
            node.pos,
            format!(
                "`{text}` ({day}) är ingen arbetsdag och kan inte flyttas till en arbetsdag inom planens period ({plan}), varken bakåt eller framåt. Skriv en arbetsdag inom perioden, vidga planens `period` (närmaste arbetsdag är {near}), eller lägg till `roll: none` för att behålla dagen."
            ),
            format!(
                "`{text}` ({day}) is not a working day and cannot be moved to a working day inside the plan's period ({plan}), backward or forward. Write a working day inside the period, widen the plan's `period` (the nearest working day is {near}), or add `roll: none` to keep the day."
            ),
        );
    } else {
        ctx.error(
            node.pos,
            format!(
                "`{text}` ({}) har ingen arbetsdag inom planens period ({plan}) att vara förfallodag. Skriv en tid med en arbetsdag inom perioden, eller vidga planens `period` (närmaste arbetsdag är {near}).",
                occ.range
            ),
            format!(
                "`{text}` ({}) has no working day inside the plan's period ({plan}) to fall due on. Write a time with a working day inside the period, or widen the plan's `period` (the nearest working day is {near}).",
                occ.range
            ),
        );
    }
}

fn once(ctx: &mut Ctx, cal: &Calendar, plan: DateRange, roll: RollRule, node: &Node) -> Option<When> {
    if let Value::Scalar(s) = &node.value
        && let Ok(Recurrence::Continuous) = period::parse_recurrence(s)
    {
        return Some(When::Continuous);
    }
    let list = matches!(node.value, Value::Seq(_));
    let mut out = Vec::new();
    for item in ctx.seq(node) {
        let Some((p, range)) = common::dated_period(ctx, cal, item, "tidpunkten", "the time") else { continue };
        if !plan.contains(range.end) {
            outside_plan(ctx, item, range, plan);
            continue;
        }
        let label = list.then(|| p.label());
        if label.is_some() && out.iter().any(|o: &Occurrence| o.label == label) {
            ctx.error(
                item.pos,
                format!("`{}` står två gånger i listan.", common::node_text(item)),
                format!("`{}` appears twice in the list.", common::node_text(item)),
            );
            continue;
        }
        let occ = Occurrence { label, range, exact_day: matches!(p, Period::Date(_)) };
        if occ.due(cal, roll, plan).is_none() {
            no_working_day(ctx, cal, item, &occ, plan);
            continue;
        }
        out.push(occ);
    }
    if out.is_empty() {
        if matches!(&node.value, Value::Seq(v) if v.is_empty()) {
            ctx.error(
                node.pos,
                "listan `when` är tom: ange minst en tidpunkt, t.ex. `[vt 2019, vt 2020]`.",
                "the `when` list is empty: give at least one time.",
            );
        }
        return None;
    }
    Some(When::Once(out))
}
