//! Compiling the model into flat rules (what, who, when) once, so that expansion over a
//! window is a tight loop over occurrences and units.

use super::occur::{self, Occ};
use super::{Checkpoint, sort};
use crate::calendar::{Calendar, DateRange, RollRule};
use crate::definition::Model;
use crate::definition::model::{Cadence, Occurrence, Organisation, PolicyOverride, ReminderPolicy, UnitKind, WheelDue, When};
use crate::definition::period::Recurrence;
use std::collections::HashMap;
use std::sync::Arc;

/// When a rule's occurrences fall.
enum Times {
    /// The occurrences of a wheel checkpoint (shared by every follow-up bound to it),
    /// limited to `bound` when given (a follow-up's period: the part's, else the
    /// initiative's, within the plan's): an occurrence belongs to it when its nominal date is
    /// inside, and is rolled without leaving it.
    Wheel { wheel: Arc<str>, bound: Option<DateRange> },
    /// One-off dates, rolled without leaving the plan's period.
    Once(Vec<Occurrence>, RollRule, DateRange),
    /// A cadence; with a bound (the plan's period), rolled without leaving `during ∩ bound`.
    Every(Cadence, RollRule, Option<DateRange>),
    /// Listed without a date while `period` overlaps the window.
    Continuous(DateRange),
}

/// One checkpoint template: everything but the date, the unit and the label.
struct Rule {
    base: String,
    plan: Option<Arc<str>>,
    initiative: Option<Arc<str>>,
    part: Option<u32>,
    kind: Arc<str>,
    source: Arc<str>,
    title: Arc<str>,
    owner: Arc<str>,
    /// (per-unit role, units to fan out to)
    fan_out: Option<(Arc<str>, Vec<Arc<str>>)>,
    policy: Arc<ReminderPolicy>,
    times: Times,
}

struct OrgRules {
    id: Arc<str>,
    calendar: Calendar,
    /// Wheel checkpoints: id → (due rule, roll).
    wheel: Vec<(Arc<str>, WheelDue, RollRule)>,
    rules: Vec<Rule>,
}

/// How far beyond the window wheel occurrences are computed (a roll crosses at most a few
/// non-working days).
const WHEEL_MARGIN_DAYS: i64 = 14;

/// The model compiled for expansion.
pub struct Compiled {
    orgs: Vec<OrgRules>,
}

fn policy(base: ReminderPolicy, layers: &[&PolicyOverride]) -> Arc<ReminderPolicy> {
    Arc::new(layers.iter().fold(base, |p, o| o.apply(&p)))
}

fn frequent(r: &Recurrence) -> bool {
    matches!(r, Recurrence::Weeks(_) | Recurrence::Months(_))
}

fn default_policy(when: &When) -> ReminderPolicy {
    match when {
        When::Every(Cadence { rule: crate::definition::model::CadenceRule::Every { recurrence, .. }, .. }) if frequent(recurrence) => {
            ReminderPolicy::default_frequent()
        }
        When::Every(Cadence { rule: crate::definition::model::CadenceRule::Cron(_), .. }) => ReminderPolicy::default_frequent(),
        _ => ReminderPolicy::default_sparse(),
    }
}

fn units_for(org: &Organisation, only: &[Arc<str>], kinds: &[UnitKind]) -> Vec<Arc<str>> {
    org.units
        .iter()
        .filter(|u| only.is_empty() || only.contains(&u.id))
        .filter(|u| kinds.is_empty() || kinds.contains(&u.kind))
        .map(|u| u.id.clone())
        .collect()
}

fn compile_org(org: &Organisation) -> OrgRules {
    let calendar = Calendar::new(org.calendar.clone());
    let mut rules = Vec::new();
    let empty = PolicyOverride::default();
    let wheel_policy = org.wheel.as_ref().map(|w| &w.reminders).unwrap_or(&empty);
    let mut wheel = Vec::new();
    if let Some(w) = &org.wheel {
        for c in &w.checkpoints {
            wheel.push((c.id.clone(), c.due.clone(), c.roll));
            let base_policy =
                if matches!(c.due, WheelDue::Cron(_)) { ReminderPolicy::default_frequent() } else { ReminderPolicy::default_sparse() };
            rules.push(Rule {
                base: format!("{}/arshjul/{}", org.id, c.id),
                plan: None,
                initiative: None,
                part: None,
                kind: c.kind.clone(),
                source: c.id.clone(),
                title: Arc::from(c.name.as_str()),
                owner: c.owner.clone(),
                fan_out: c.per_unit.clone().map(|r| (r, units_for(org, &[], &c.unit_kinds))),
                policy: policy(base_policy, &[wheel_policy, &c.reminders]),
                times: Times::Wheel { wheel: c.id.clone(), bound: None },
            });
        }
    }
    for plan in &org.plans {
        for init in &plan.initiatives {
            let prefix = format!("{}/{}/{}", org.id, plan.id, init.id);
            let part_suffix = |p: Option<u32>| p.map(|n| format!("/del-{n}")).unwrap_or_default();
            let part_title = |p: Option<u32>| p.map(|n| format!(" (del {n})")).unwrap_or_default();
            for b in &init.follow_ups {
                let Some(wc) = org.wheel.as_ref().and_then(|w| w.checkpoints.iter().find(|c| c.id == b.wheel)) else { continue };
                let own = b.part.and_then(|n| init.parts.iter().find(|p| p.number == n)).and_then(|p| p.period).unwrap_or(init.period);
                // A follow-up whose period lies wholly outside the plan has no occurrences.
                let Some(bound) = own.intersect(&plan.period) else { continue };
                rules.push(Rule {
                    base: format!("{prefix}{}/{}", part_suffix(b.part), b.wheel),
                    plan: Some(plan.id.clone()),
                    initiative: Some(init.id.clone()),
                    part: b.part,
                    kind: wc.kind.clone(),
                    source: b.wheel.clone(),
                    title: Arc::from(format!("{}: {}{}", wc.name, init.name, part_title(b.part))),
                    owner: b.owner.clone(),
                    fan_out: b.per_unit.clone().map(|r| (r, units_for(org, &b.units, &wc.unit_kinds))),
                    policy: policy(ReminderPolicy::default_sparse(), &[wheel_policy, &wc.reminders]),
                    times: Times::Wheel { wheel: b.wheel.clone(), bound: Some(bound) },
                });
            }
            let own = init.checkpoints.iter().map(|c| (None, c, init.period)).chain(
                init.parts.iter().flat_map(|p| p.checkpoints.iter().map(move |c| (Some(p.number), c, p.period.unwrap_or(init.period)))),
            );
            for (part, c, period) in own {
                let roll = c.roll.unwrap_or(calendar.config().roll);
                let times = match &c.when {
                    When::Once(o) => Times::Once(o.clone(), roll, plan.period),
                    When::Every(cad) => Times::Every(cad.clone(), roll, Some(plan.period)),
                    When::Continuous => Times::Continuous(period),
                };
                rules.push(Rule {
                    base: format!("{prefix}{}/{}", part_suffix(part), c.id),
                    plan: Some(plan.id.clone()),
                    initiative: Some(init.id.clone()),
                    part,
                    kind: c.kind.clone(),
                    source: c.id.clone(),
                    title: Arc::from(format!("{}: {}{}", c.name, init.name, part_title(part))),
                    owner: c.owner.clone(),
                    fan_out: c.per_unit.clone().map(|r| (r, units_for(org, &c.units, &[]))),
                    policy: policy(default_policy(&c.when), &[&c.reminders]),
                    times,
                });
            }
        }
    }
    for g in &org.groups {
        let Some(cad) = &g.meets else { continue };
        rules.push(Rule {
            base: format!("{}/grupp/{}", org.id, g.id),
            plan: None,
            initiative: None,
            part: None,
            kind: Arc::from("möte"),
            source: g.id.clone(),
            title: Arc::from(format!("Möte: {}", g.name)),
            owner: g.convenor.clone().unwrap_or_else(|| g.id.clone()),
            fan_out: None,
            policy: Arc::new(ReminderPolicy::default_frequent()),
            times: Times::Every(cad.clone(), RollRule::PreviousWorkingDay, None),
        });
    }
    OrgRules { id: org.id.clone(), calendar, wheel, rules }
}

impl Compiled {
    pub fn new(model: &Model) -> Self {
        Self { orgs: model.organisations.iter().map(compile_org).collect() }
    }

    /// Number of rules (checkpoint templates) compiled.
    pub fn rule_count(&self) -> usize {
        self.orgs.iter().map(|o| o.rules.len()).sum()
    }

    /// Expands every rule over `window`, sorted by date, then definition order.
    pub fn expand(&self, window: DateRange) -> Vec<Checkpoint> {
        let mut out = Vec::new();
        self.expand_into(window, &mut out);
        sort(&mut out);
        out
    }

    /// Expands into `out` without sorting (for callers that sort or index themselves).
    pub fn expand_into(&self, window: DateRange, out: &mut Vec<Checkpoint>) {
        // Wheel occurrences are computed a little beyond the window, so that one whose roll
        // within a follow-up's period brings it into the window is not missed.
        let margin = chrono::Duration::days(WHEEL_MARGIN_DAYS);
        let wide = DateRange {
            start: window.start.checked_sub_signed(margin).unwrap_or(window.start),
            end: window.end.checked_add_signed(margin).unwrap_or(window.end),
        };
        for org in &self.orgs {
            let wheel_occ: HashMap<&str, (Vec<Occ>, RollRule)> = org
                .wheel
                .iter()
                .map(|(id, due, roll)| {
                    let occs = match due {
                        WheelDue::Yearly(anchor) => occur::yearly(&org.calendar, anchor, *roll, wide),
                        WheelDue::Cron(rule) => occur::cron(&org.calendar, rule, *roll, wide),
                    };
                    (&**id, (occs, *roll))
                })
                .collect();
            for rule in &org.rules {
                match &rule.times {
                    Times::Wheel { wheel, bound } => {
                        let Some((occs, roll)) = wheel_occ.get(&**wheel) else { continue };
                        for o in occs {
                            match bound {
                                None if window.contains(o.date) => emit(org, rule, Some(o), out),
                                None => {}
                                Some(b) => {
                                    if let Some(o) = occur::bounded(&org.calendar, o, *roll, *b).filter(|o| window.contains(o.date)) {
                                        emit(org, rule, Some(&o), out);
                                    }
                                }
                            }
                        }
                    }
                    Times::Once(occs, roll, bound) => {
                        for o in occur::once(&org.calendar, occs, *roll, *bound).iter().filter(|o| window.contains(o.date)) {
                            emit(org, rule, Some(o), out);
                        }
                    }
                    Times::Every(cad, roll, bound) => {
                        for o in occur::cadence(&org.calendar, cad, *roll, *bound).iter().filter(|o| window.contains(o.date)) {
                            emit(org, rule, Some(o), out);
                        }
                    }
                    Times::Continuous(period) => {
                        if period.overlaps(&window) {
                            emit(org, rule, None, out);
                        }
                    }
                }
            }
        }
    }
}

fn join_id(base: &str, unit: Option<&str>, label: Option<&str>) -> String {
    let mut s = String::with_capacity(base.len() + 40);
    s.push_str(base);
    for part in [unit, label].into_iter().flatten() {
        s.push('/');
        s.push_str(part);
    }
    s
}

fn emit(org: &OrgRules, rule: &Rule, occ: Option<&Occ>, out: &mut Vec<Checkpoint>) {
    let label = occ.and_then(|o| o.label.clone());
    let parent = Checkpoint {
        id: join_id(&rule.base, None, label.as_deref()),
        date: occ.map(|o| o.date),
        nominal_date: occ.map(|o| o.nominal),
        organisation: org.id.clone(),
        plan: rule.plan.clone(),
        initiative: rule.initiative.clone(),
        part: rule.part,
        kind: rule.kind.clone(),
        source: rule.source.clone(),
        title: rule.title.clone(),
        owner_role: rule.owner.clone(),
        unit: None,
        parent: None,
        label: label.clone(),
        school_break: occ.and_then(|o| o.school_break.clone()),
        policy: rule.policy.clone(),
    };
    if let Some((role, units)) = &rule.fan_out {
        out.reserve(units.len() + 1);
        for u in units {
            out.push(Checkpoint {
                id: join_id(&rule.base, Some(u), label.as_deref()),
                owner_role: role.clone(),
                unit: Some(u.clone()),
                parent: Some(parent.id.clone()),
                ..parent.clone()
            });
        }
    }
    out.push(parent);
}
