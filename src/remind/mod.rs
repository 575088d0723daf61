//! Reminder planning, pure: which reminder step a checkpoint is at on a given day, who gets
//! it (with vacancies passed up the `reports_to` chain), and how a day's reminders become at
//! most one digest per person.
//!
//! Catch-up rule: each day only a checkpoint's *current* step counts (the latest step whose
//! day has come). Steps missed while the daemon was down are superseded, never sent late one
//! by one, so 30 days of downtime give one digest per person, not a flood. The store keeps
//! (checkpoint, step, recipient) unique, so a step is sent at most once.

pub mod people;
pub mod recipients;
pub mod subject;

use crate::definition::model::ReminderPolicy;
use crate::workflow::State;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// One step of a reminder policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    /// `days` before the due date.
    Before { days: u32 },
    /// On the due date.
    OnDue,
    /// `days` after the due date, while unreported.
    Overdue { days: u32 },
    /// `days` overdue: goes to the owner's superior as well.
    Escalated { days: u32 },
    /// The follow-up window closed unreported: one notice to the owner's superior (never to
    /// the owner; their reminders stop). Not a policy step: see [`missed_notices`].
    Missed,
}

impl Step {
    /// Stable key, part of the outbox's unique key: `before-28`, `due`, `overdue-7`, `escalated-14`.
    pub fn key(&self) -> String {
        match self {
            Step::Before { days } => format!("before-{days}"),
            Step::OnDue => "due".into(),
            Step::Overdue { days } => format!("overdue-{days}"),
            Step::Escalated { days } => format!("escalated-{days}"),
            Step::Missed => "missed".into(),
        }
    }

    /// Days relative to the due date (negative before). A missed notice comes after every
    /// policy step.
    pub fn offset(&self) -> i64 {
        match self {
            Step::Before { days } => -i64::from(*days),
            Step::OnDue => 0,
            Step::Overdue { days } | Step::Escalated { days } => i64::from(*days),
            Step::Missed => i64::MAX,
        }
    }

    /// Goes to the owner's superior (an escalation or a missed notice).
    pub fn to_superior(&self) -> bool {
        matches!(self, Step::Escalated { .. } | Step::Missed)
    }
}

/// Every step of `policy` that lies on or before `horizon_days` after the due date, in order.
/// Overdue repeats continue up to the horizon.
pub fn steps(policy: &ReminderPolicy, horizon_days: u32) -> Vec<Step> {
    let mut out: Vec<Step> = policy.before.iter().map(|d| Step::Before { days: *d }).collect();
    if policy.on_due {
        out.push(Step::OnDue);
    }
    if let Some(every) = policy.overdue_every.filter(|e| *e > 0) {
        let mut d = every;
        while d <= horizon_days {
            out.push(Step::Overdue { days: d });
            d += every;
        }
    }
    if let Some(e) = policy.escalate_after {
        out.push(Step::Escalated { days: e });
    }
    // An escalation replaces an overdue repeat on the same day: sort it first, keep the first.
    out.sort_by_key(|s| (s.offset(), !matches!(s, Step::Escalated { .. })));
    out.dedup_by_key(|s| s.offset());
    out
}

/// Overdue repeats are planned this far past the due date; after that the checkpoint is
/// listed as overdue in status, without further mail.
pub const OVERDUE_HORIZON_DAYS: u32 = 90;

/// The step a checkpoint due on `due` is at on `day` (the latest step whose day has come),
/// given its state. `None` before the first step, for closed or reported checkpoints, and
/// for continuous (dateless) ones.
pub fn current_step(policy: &ReminderPolicy, due: Option<NaiveDate>, state: State, day: NaiveDate) -> Option<Step> {
    let due = due?;
    if !state.is_pending() {
        return None;
    }
    let since = (day - due).num_days();
    steps(policy, OVERDUE_HORIZON_DAYS).into_iter().rev().find(|s| s.offset() <= since)
}

/// The first day on or after `from` when a step would change (for the daemon's sleep):
/// the next step's day for any pending checkpoint.
pub fn next_step_day(policy: &ReminderPolicy, due: NaiveDate, after: NaiveDate) -> Option<NaiveDate> {
    steps(policy, OVERDUE_HORIZON_DAYS).into_iter().map(|s| due + Duration::days(s.offset())).find(|d| *d > after)
}

/// A person reminders are sent to.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Person {
    pub name: String,
    pub email: String,
}

/// One line of a digest: a checkpoint and why it is in the mail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub checkpoint: String,
    pub title: String,
    pub organisation: String,
    pub plan: Option<String>,
    pub initiative: Option<String>,
    pub unit: Option<String>,
    /// The owner role's name ("Rektor").
    pub owner_role: String,
    pub due: NaiveDate,
    pub step: Step,
    pub state: State,
    /// The school break the due date falls in, if any.
    pub school_break: Option<String>,
    /// Set when the reminder reaches this person because the owner role is vacant (or the
    /// item is an escalation): the role it stands in for.
    pub on_behalf_of: Option<String>,
}

/// At most one email per person per day, listing everything due, late or escalated to them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Digest {
    pub to: Person,
    /// The local (Europe/Stockholm) day the digest is for.
    pub day: NaiveDate,
    /// When it is to be sent (the day's send time, as an instant).
    pub send_at: DateTime<Utc>,
    pub items: Vec<Item>,
    /// Set on a sign-in mail (no items): the nonce the mail's sign-in link is made from at
    /// composition (the outbox keeps no usable link). Absent in reminder digests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login: Option<String>,
}

impl Digest {
    /// The deterministic Message-ID: the same digest always has the same id, so a resend
    /// after a crash is recognisable as the same message.
    pub fn message_id(&self, domain: &str) -> String {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in self.to.email.to_lowercase().bytes().chain(self.day.to_string().bytes()) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        format!("<arshjul.{}.{h:016x}@{domain}>", self.day.format("%Y%m%d"))
    }
}

/// Groups items into one digest per person, sorted for reading: escalations and the most
/// late first, then by due date.
pub fn digests(day: NaiveDate, send_at: DateTime<Utc>, items: Vec<(Person, Item)>) -> Vec<Digest> {
    let mut by: std::collections::BTreeMap<Person, Vec<Item>> = std::collections::BTreeMap::new();
    for (p, i) in items {
        let list = by.entry(p).or_default();
        if !list.iter().any(|x| x.checkpoint == i.checkpoint && x.step == i.step) {
            list.push(i);
        }
    }
    by.into_iter()
        .map(|(to, mut items)| {
            items.sort_by(|a, b| {
                let esc = |i: &Item| !i.step.to_superior();
                (esc(a), a.due, &a.checkpoint).cmp(&(esc(b), b.due, &b.checkpoint))
            });
            Digest { to, day, send_at, items, login: None }
        })
        .collect()
}

#[cfg(test)]
mod tests;
