//! The checked model: what the files say, after parsing and validation. Every reference in
//! it (roles, units, goals, wheel checkpoints) is known to exist, every period is resolved to
//! dates, and every id is unique where it must be.

use crate::calendar::{CalendarConfig, DateRange, RollRule, recurrence::CronRule};
use crate::definition::diag::Diagnostic;
use crate::definition::period::{Period, Recurrence};
use chrono::Weekday;
use std::path::PathBuf;
use std::sync::Arc;

/// All organisations found under a workflows directory.
#[derive(Clone, Debug, Default)]
pub struct Model {
    pub organisations: Vec<Organisation>,
    /// What loaded but is worth a look (e.g. `jul` read as July), located, for the caller to
    /// show. Never an error: a model with errors does not exist.
    pub warnings: Vec<Diagnostic>,
}

/// One school organiser (huvudman) with its calendar, people structure, wheel and plans.
#[derive(Clone, Debug)]
pub struct Organisation {
    pub id: Arc<str>,
    pub name: String,
    pub board: Option<String>,
    pub file: PathBuf,
    pub calendar: CalendarConfig,
    pub units: Vec<Unit>,
    pub roles: Vec<Role>,
    pub groups: Vec<Group>,
    pub wheel: Option<Wheel>,
    pub plans: Vec<Plan>,
}

impl Organisation {
    pub fn role(&self, id: &str) -> Option<&Role> {
        self.roles.iter().find(|r| &*r.id == id)
    }
    pub fn group(&self, id: &str) -> Option<&Group> {
        self.groups.iter().find(|g| &*g.id == id)
    }
    pub fn unit(&self, id: &str) -> Option<&Unit> {
        self.units.iter().find(|u| &*u.id == id)
    }
}

/// A school or preschool (enhet).
#[derive(Clone, Debug)]
pub struct Unit {
    pub id: Arc<str>,
    pub name: String,
    pub kind: UnitKind,
}

/// What kind of unit it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnitKind {
    Forskola,
    Forskoleklass,
    Grundskola,
    Fritidshem,
    AnpassadGrundskola,
    Gymnasieskola,
    Vuxenutbildning,
    Annan,
}

impl UnitKind {
    /// Every kind with the Swedish words accepted for it (first is canonical).
    pub const ALL: &[(UnitKind, &[&str])] = &[
        (UnitKind::Forskola, &["förskola", "forskola"]),
        (UnitKind::Forskoleklass, &["förskoleklass", "forskoleklass"]),
        (UnitKind::Grundskola, &["grundskola"]),
        (UnitKind::Fritidshem, &["fritidshem"]),
        (UnitKind::AnpassadGrundskola, &["anpassad grundskola", "grundsärskola", "grundsarskola"]),
        (UnitKind::Gymnasieskola, &["gymnasieskola", "gymnasium"]),
        (UnitKind::Vuxenutbildning, &["vuxenutbildning", "komvux"]),
        (UnitKind::Annan, &["annan"]),
    ];

    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim().to_lowercase();
        Self::ALL.iter().find(|(_, words)| words.contains(&s.as_str())).map(|(k, _)| *k)
    }

    pub fn name(&self) -> &'static str {
        Self::ALL.iter().find(|(k, _)| k == self).map(|(_, w)| w[0]).unwrap_or("annan")
    }
}

/// A role such as rektor or förvaltningschef. Plans name roles, never people.
#[derive(Clone, Debug)]
pub struct Role {
    pub id: Arc<str>,
    pub name: String,
    /// One holder per unit (rektor of each school).
    pub per_unit: bool,
    /// The superior, used for escalation and for vacant roles.
    pub reports_to: Option<Arc<str>>,
    /// Sees everything in its organisation on the web pages and changes nothing (`read_only:
    /// ja`; a role with the id `revisor` is read-only too).
    pub read_only: bool,
}

/// A steering, learning or working group.
#[derive(Clone, Debug)]
pub struct Group {
    pub id: Arc<str>,
    pub name: String,
    pub kind: String,
    pub convenor: Option<Arc<str>>,
    pub members: Vec<Arc<str>>,
    pub meets: Option<Cadence>,
    pub steered_by: Option<Arc<str>>,
    pub description: Option<String>,
}

/// When reminders go out for a checkpoint.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ReminderPolicy {
    /// Lead times before the due date, in days, largest first.
    pub before: Vec<u32>,
    /// Remind on the due day itself.
    pub on_due: bool,
    /// Repeat every N days while overdue.
    pub overdue_every: Option<u32>,
    /// Escalate to the owner's superior after N days overdue.
    pub escalate_after: Option<u32>,
    /// When an unreported checkpoint becomes missed (`missed_after`); `None`: the default,
    /// [`MissedAfter::NextOccurrence`]. Absent from stored policies written before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missed_after: Option<MissedAfter>,
    /// Working days after the plan period's end before the last occurrence becomes missed
    /// (`missed_grace`); `None`: [`crate::workflow::missed::DEFAULT_GRACE_WORKING_DAYS`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missed_grace: Option<u32>,
}

/// When an unreported (overdue) checkpoint's follow-up window closes and it becomes missed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MissedAfter {
    /// When the next occurrence of the same checkpoint falls due; the last one at the plan
    /// period's end plus the grace (`nästa tillfälle`, the default).
    NextOccurrence,
    /// This many working days after the due date (`20 arbetsdagar`).
    WorkingDays(u32),
    /// Never: it stays overdue until reported or waived (`aldrig`).
    Never,
}

impl ReminderPolicy {
    /// The default for a checkpoint that recurs less often than monthly (or once):
    /// 28 and 7 days before, on the day, weekly while overdue, escalate after 14 days.
    pub fn default_sparse() -> Self {
        Self { before: vec![28, 7], on_due: true, overdue_every: Some(7), escalate_after: Some(14), missed_after: None, missed_grace: None }
    }
    /// The default for a checkpoint that recurs monthly or more often: 7 days before.
    pub fn default_frequent() -> Self {
        Self { before: vec![7], on_due: true, overdue_every: Some(7), escalate_after: Some(14), missed_after: None, missed_grace: None }
    }
}

/// A partial policy as written in a file, merged over a default.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PolicyOverride {
    pub before: Option<Vec<u32>>,
    pub on_due: Option<bool>,
    pub overdue_every: Option<Option<u32>>,
    pub escalate_after: Option<Option<u32>>,
    pub missed_after: Option<MissedAfter>,
    pub missed_grace: Option<u32>,
}

impl PolicyOverride {
    pub fn apply(&self, base: &ReminderPolicy) -> ReminderPolicy {
        ReminderPolicy {
            before: self.before.clone().unwrap_or_else(|| base.before.clone()),
            on_due: self.on_due.unwrap_or(base.on_due),
            overdue_every: self.overdue_every.unwrap_or(base.overdue_every),
            escalate_after: self.escalate_after.unwrap_or(base.escalate_after),
            missed_after: self.missed_after.or(base.missed_after),
            missed_grace: self.missed_grace.or(base.missed_grace),
        }
    }
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// The recurring wheel (årshjul) of an organisation.
#[derive(Clone, Debug)]
pub struct Wheel {
    pub name: String,
    pub file: PathBuf,
    pub reminders: PolicyOverride,
    pub checkpoints: Vec<WheelCheckpoint>,
}

/// One recurring checkpoint kind of the wheel, e.g. Delårsrapport 1.
#[derive(Clone, Debug)]
pub struct WheelCheckpoint {
    pub id: Arc<str>,
    pub name: String,
    pub kind: Arc<str>,
    pub due: WheelDue,
    pub owner: Arc<str>,
    pub per_unit: Option<Arc<str>>,
    pub unit_kinds: Vec<UnitKind>,
    pub roll: RollRule,
    pub reminders: PolicyOverride,
    pub description: Option<String>,
}

/// When a wheel checkpoint falls in each year.
#[derive(Clone, Debug)]
pub enum WheelDue {
    /// A yearless date or week, every year.
    Yearly(Period),
    /// A cron rule (local civil time).
    Cron(Box<CronRule>),
}

/// A development plan.
#[derive(Clone, Debug)]
pub struct Plan {
    pub id: Arc<str>,
    pub name: String,
    pub file: PathBuf,
    pub period: DateRange,
    pub period_text: String,
    pub diarienummer: Option<String>,
    pub adopted_by: Option<Arc<str>>,
    pub adopted: Option<chrono::NaiveDate>,
    pub goals: Vec<Named>,
    pub areas: Vec<Area>,
    pub initiatives: Vec<Initiative>,
}

/// A goal (mål) or anything else with an id and a name.
#[derive(Clone, Debug)]
pub struct Named {
    pub id: Arc<str>,
    pub name: String,
}

/// A development area (utvecklingsområde).
#[derive(Clone, Debug)]
pub struct Area {
    pub id: Arc<str>,
    pub name: String,
    pub goal: Option<Arc<str>>,
}

/// An initiative (insats).
#[derive(Clone, Debug)]
pub struct Initiative {
    pub id: Arc<str>,
    /// As the plan writes it: "2.1", "3".
    pub number: Option<Arc<str>>,
    pub name: Arc<str>,
    pub goal: Option<Arc<str>>,
    pub area: Option<Arc<str>>,
    /// Responsible roles or groups, first is primary.
    pub owners: Vec<Arc<str>>,
    pub period: DateRange,
    pub assignment_document: Option<bool>,
    pub background: Option<String>,
    pub expected_effects: Vec<String>,
    pub signs_of_change: Vec<String>,
    pub resources: Vec<String>,
    pub cost_tkr: Option<f64>,
    /// Follow-ups bound to the wheel, resolved per initiative (or per part when parts name
    /// their own owners).
    pub follow_ups: Vec<WheelBinding>,
    pub parts: Vec<Part>,
    pub checkpoints: Vec<OwnCheckpoint>,
}

/// A numbered part (activity) of an initiative.
#[derive(Clone, Debug)]
pub struct Part {
    pub number: u32,
    pub text: String,
    pub owners: Vec<Arc<str>>,
    pub period: Option<DateRange>,
    pub follow_up_text: Option<String>,
    pub expected_effects: Vec<String>,
    pub checkpoints: Vec<OwnCheckpoint>,
}

/// One wheel checkpoint an initiative (or one of its parts) is followed up at.
#[derive(Clone, Debug)]
pub struct WheelBinding {
    pub part: Option<u32>,
    pub wheel: Arc<str>,
    /// Organisation-level owner (role or group).
    pub owner: Arc<str>,
    /// Also one checkpoint per unit, owned by this per-unit role.
    pub per_unit: Option<Arc<str>>,
    /// Restricts the fan-out to these units (empty: all units).
    pub units: Vec<Arc<str>>,
}

/// A checkpoint defined by a plan for one initiative or part.
#[derive(Clone, Debug)]
pub struct OwnCheckpoint {
    pub id: Arc<str>,
    pub name: String,
    pub kind: Arc<str>,
    pub when: When,
    /// Organisation-level owner (resolved: explicit, else the part's, else the initiative's).
    pub owner: Arc<str>,
    pub per_unit: Option<Arc<str>>,
    pub units: Vec<Arc<str>>,
    pub roll: Option<RollRule>,
    pub reminders: PolicyOverride,
    pub note: Option<String>,
}

/// When an own checkpoint is due.
#[derive(Clone, Debug)]
pub enum When {
    /// One-off; a single entry has no label (its id survives a date change).
    Once(Vec<Occurrence>),
    /// Recurring within a period.
    Every(Cadence),
    /// Continuous (fortlöpande): listed without a date.
    Continuous,
}

/// One dated occurrence of a one-off checkpoint.
#[derive(Clone, Debug)]
pub struct Occurrence {
    pub label: Option<String>,
    pub range: DateRange,
    /// True when the expression is a single day (kept as written, then rolled).
    pub exact_day: bool,
}

impl Occurrence {
    /// The due date inside `bound` (the plan's period): a single day rolled by `roll` without
    /// leaving `bound` ([`crate::calendar::Calendar::roll_within`]); a longer period on its
    /// last working day inside `bound`. `None` when there is no such day — the loader refuses
    /// that with a located error, so a loaded model always has one.
    pub fn due(&self, cal: &crate::calendar::Calendar, roll: RollRule, bound: DateRange) -> Option<chrono::NaiveDate> {
        if self.exact_day { cal.roll_within(self.range.start, roll, bound) } else { cal.last_working_day_in(self.range.intersect(&bound)?) }
    }
}

/// A recurrence with its period.
#[derive(Clone, Debug)]
pub struct Cadence {
    pub rule: CadenceRule,
    pub during: DateRange,
    pub skip_breaks: bool,
}

/// How a cadence repeats.
#[derive(Clone, Debug)]
pub enum CadenceRule {
    Every { recurrence: Recurrence, weekday: Weekday, anchor: Option<Period> },
    Cron(Box<CronRule>),
}
