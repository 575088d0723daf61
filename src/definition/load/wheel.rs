//! Reads `wheel:`: the recurring checkpoint kinds of the årshjul and the default reminder
//! policy.

use super::common::{self, duplicate, opt_text};
use super::refs::Refs;
use crate::calendar::{Calendar, recurrence::CronRule};
use crate::definition::model::{UnitKind, Wheel, WheelCheckpoint, WheelDue};
use crate::definition::yaml::{Ctx, Node};
use std::collections::HashMap;
use std::sync::Arc;

const WHEEL_KEYS: &[&str] = &["name", "reminders", "checkpoints"];
const CP_KEYS: &[&str] = &["id", "name", "kind", "due", "cron", "owner", "per_unit", "unit_kinds", "roll", "reminders", "description"];

/// Checkpoint kinds users may write (also for own checkpoints).
pub const KINDS: &[&str] = &[
    "dialogmöte",
    "delårsrapport",
    "verksamhetsberättelse",
    "lägesbedömning",
    "kvalitetsrapport",
    "utvärdering",
    "uppföljning",
    "möte",
    "annat",
];

/// Reads a checkpoint kind, defaulting to `uppföljning`.
pub fn kind(ctx: &mut Ctx, node: Option<&Node>) -> Arc<str> {
    let Some(n) = node else { return Arc::from("uppföljning") };
    let Some(s) = ctx.text(n, "typen", "the kind") else { return Arc::from("annat") };
    let l = s.trim().to_lowercase();
    if KINDS.contains(&l.as_str()) {
        return Arc::from(l);
    }
    let (dsv, den) = crate::definition::diag::did_you_mean(&l, KINDS.iter().copied());
    ctx.error(
        n.pos,
        format!("okänd kontrollpunktstyp `{s}`.{dsv} Giltiga: {}.", KINDS.join(", ")),
        format!("unknown checkpoint kind `{s}`.{den} Valid: {}.", KINDS.join(", ")),
    );
    Arc::from("annat")
}

pub fn read(ctx: &mut Ctx, cal: &Calendar, refs: &Refs, node: &Node) -> Option<Wheel> {
    let m = ctx.map(node, "årshjulet", "the wheel", WHEEL_KEYS)?;
    let name = m.require(ctx, "name", "årshjulet", "the wheel").and_then(|n| ctx.text(n, "namnet", "the name")).map(str::to_owned);
    let reminders = m.get("reminders").map(|n| common::reminders(ctx, n)).unwrap_or_default();
    let mut checkpoints: Vec<WheelCheckpoint> = Vec::new();
    let mut seen: HashMap<Arc<str>, crate::definition::Pos> = HashMap::new();
    if let Some(list) = m.require(ctx, "checkpoints", "årshjulet", "the wheel") {
        for item in ctx.seq(list) {
            let Some(cp) = checkpoint(ctx, cal, refs, item) else { continue };
            if let Some(first) = seen.get(&cp.id) {
                duplicate(ctx, item.pos, &cp.id, "kontrollpunkten", "the checkpoint", *first);
                continue;
            }
            seen.insert(cp.id.clone(), item.pos);
            checkpoints.push(cp);
        }
    }
    Some(Wheel { name: name?, file: ctx.file.clone(), reminders, checkpoints })
}

fn checkpoint(ctx: &mut Ctx, cal: &Calendar, refs: &Refs, node: &Node) -> Option<WheelCheckpoint> {
    let m = ctx.map(node, "kontrollpunkten i årshjulet", "the wheel checkpoint", CP_KEYS)?;
    let what = ("kontrollpunkten", "the checkpoint");
    let id = m.require(ctx, "id", what.0, what.1).and_then(|n| common::id(ctx, n, what.0, what.1));
    let name = m.require(ctx, "name", what.0, what.1).and_then(|n| ctx.text(n, "namnet", "the name")).map(str::to_owned);
    let kind = kind(ctx, m.get("kind"));
    let due = match (m.get("due"), m.get("cron")) {
        (Some(_), Some(c)) => {
            ctx.error(c.pos, "ange antingen `due` eller `cron`, inte båda.", "give either `due` or `cron`, not both.");
            None
        }
        (Some(d), None) => common::yearless(ctx, cal, d, "förfallodagen", "the due date").map(WheelDue::Yearly),
        (None, Some(c)) => cron(ctx, c).map(|r| WheelDue::Cron(Box::new(r))),
        (None, None) => {
            ctx.error(
                node.pos,
                "kontrollpunkten saknar `due` (när den infaller varje år, t.ex. `due: 30 april` eller `due: vecka 12`) eller `cron`.",
                "the checkpoint lacks `due` (when it falls each year, e.g. `due: 30 april`) or `cron`.",
            );
            None
        }
    };
    let owner = m.require(ctx, "owner", what.0, what.1).and_then(|n| refs.owner(ctx, n));
    let per_unit = m.get("per_unit").and_then(|n| refs.per_unit_role(ctx, n));
    let unit_kinds = m
        .get("unit_kinds")
        .map(|n| {
            ctx.texts(n, "enhetstypen", "the unit kind")
                .into_iter()
                .filter_map(|(s, pos)| {
                    let k = UnitKind::parse(s);
                    if k.is_none() {
                        let all: Vec<&str> = UnitKind::ALL.iter().map(|(_, w)| w[0]).collect();
                        ctx.error(
                            pos,
                            format!("okänd enhetstyp `{s}`. Giltiga: {}.", all.join(", ")),
                            format!("unknown unit kind `{s}`. Valid: {}.", all.join(", ")),
                        );
                    }
                    k
                })
                .collect()
        })
        .unwrap_or_default();
    if per_unit.is_some() {
        refs.require_units(ctx, node.pos);
    }
    let roll = m.get("roll").and_then(|n| common::roll(ctx, n)).unwrap_or(cal.config().roll);
    let reminders = m.get("reminders").map(|n| common::reminders(ctx, n)).unwrap_or_default();
    let description = opt_text(ctx, m.get("description"), "beskrivningen", "the description");
    Some(WheelCheckpoint { id: id?, name: name?, kind, due: due?, owner: owner?, per_unit, unit_kinds, roll, reminders, description })
}

/// Reads a cron expression and refuses one that never fires.
pub fn cron(ctx: &mut Ctx, node: &Node) -> Option<CronRule> {
    let s = ctx.text(node, "cron-uttrycket", "the cron expression")?;
    match CronRule::parse(s) {
        Ok(r) => Some(r),
        Err(e) => {
            ctx.error(node.pos, e.sv, e.en);
            None
        }
    }
}
