//! The follow-up state machine. A checkpoint's history is an append-only list of [`Event`]s;
//! its current [`Status`] is derived by folding them ([`Status::replay`]). Commands from
//! people and from the engine are judged by [`decide`], which either yields the one event to
//! append or refuses with a Swedish (and English) message — and then nothing changes.
//!
//! **Architecture invariant:** pure. Time comes in as arguments; storage is elsewhere.
//!
//! ```text
//!   planned ──open──▶ open ──due passes──▶ overdue ──window closes──▶ missed
//!      │                │                     │                          │
//!      └──────report────┴────────report───────┴──report (late)───────────┘──▶ reported ──approve──▶ approved
//!                                                     │
//!                                                     └──return (komplettering)──▶ open/overdue
//!   planned/open/overdue ──waive (with reason)──▶ waived
//!   planned/open/overdue ──gone from the files──▶ cancelled ──back in the files──▶ (the state before)
//!   reported/approved/waived/missed, or with a report ──gone from the files──▶ same state,
//!       marked "no longer in the plan" (its report and history stay) ──back──▶ in the plan
//!   planned/open/overdue ──reschedule──▶ same state, new due date (recorded)
//! ```
//!
//! A report after the due date records how late it is (`late`, in working days, and
//! whether the checkpoint had been missed); a missed checkpoint stays reportable and its
//! history keeps the `missed` event. When the follow-up window closes: [`missed`].

pub mod missed;
pub mod outcome;
pub mod window;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

pub use missed::Late;
pub use outcome::Outcome;
pub use window::{Window, WindowBasis};

/// Where a checkpoint stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Scheduled; no reminder yet.
    Planned,
    /// The reminder window has started.
    Open,
    /// Past its due date and not reported.
    Overdue,
    /// Reported, waiting for approval.
    Reported,
    /// Approved: done.
    Approved,
    /// Closed without a report.
    Missed,
    /// Closed by decision, with a reason.
    Waived,
    /// No longer in the definitions (kept, never deleted).
    Cancelled,
}

impl State {
    pub fn sv(self) -> &'static str {
        match self {
            State::Planned => "planerad",
            State::Open => "öppen",
            State::Overdue => "försenad",
            State::Reported => "rapporterad",
            State::Approved => "godkänd",
            State::Missed => "missad",
            State::Waived => "avskriven",
            State::Cancelled => "struken",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            State::Planned => "planned",
            State::Open => "open",
            State::Overdue => "overdue",
            State::Reported => "reported",
            State::Approved => "approved",
            State::Missed => "missed",
            State::Waived => "waived",
            State::Cancelled => "cancelled",
        }
    }

    /// Waiting for someone to report (reminders apply).
    pub fn is_pending(self) -> bool {
        matches!(self, State::Planned | State::Open | State::Overdue)
    }

    /// Finished one way or another.
    pub fn is_closed(self) -> bool {
        matches!(self, State::Approved | State::Missed | State::Waived | State::Cancelled)
    }

    pub fn parse(s: &str) -> Option<State> {
        [State::Planned, State::Open, State::Overdue, State::Reported, State::Approved, State::Missed, State::Waived, State::Cancelled]
            .into_iter()
            .find(|st| st.sv() == s || st.en() == s)
    }
}

/// A follow-up report: the outcome and the two texts of the organisers' reports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub outcome: Outcome,
    /// Why (required for ej påbörjad and ej genomförd).
    pub reason: Option<String>,
    /// *Uppföljning*: what was done.
    pub uppfoljning: String,
    /// *Analys*: what it means (may be empty, as "-" in the reports).
    pub analys: String,
    /// Links to attachments (URLs), as given on the report form. Absent in older events.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<String>,
}

/// What happened to a checkpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    /// First seen in the definitions, due on `due`.
    Created {
        due: Option<NaiveDate>,
    },
    /// The due date moved (by a person, or because the definitions changed).
    Rescheduled {
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    },
    /// Gone from the definitions.
    Cancelled,
    /// Gone from the definitions, but it has a report, approval, waiver or was missed: it
    /// keeps its state and history and is shown as no longer in the plan.
    LeftPlan,
    /// Back in the definitions.
    Restored,
    /// The reminder window started.
    Opened,
    /// The due date passed without a report.
    BecameOverdue,
    Reported {
        report: Report,
        /// Set when reported after the due date: working days late, and whether it had
        /// been missed ("rapporterad i efterhand"). Absent in older events and on time.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        late: Option<Late>,
    },
    /// Sent back for completion (komplettering).
    Returned,
    Approved,
    Waived,
    /// Closed without a report.
    Missed,
}

/// One entry in a checkpoint's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub checkpoint: String,
    pub at: DateTime<Utc>,
    /// A person's id or email, or `arshjul` for the engine.
    pub actor: String,
    pub reason: Option<String>,
    /// How it was entered when not by the actor themself: [`VIA_CLI`] for an
    /// administrator's `--as` on the command line. Kept in the event's stored data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    #[serde(flatten)]
    pub kind: EventKind,
}

/// [`Event::via`] of an event entered with `--as` on the command line.
pub const VIA_CLI: &str = "cli";

/// The engine's own actor name.
pub const SYSTEM: &str = "arshjul";

/// A checkpoint's current standing, derived from its events.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Status {
    pub state: State,
    pub due: Option<NaiveDate>,
    /// The latest report, if any.
    pub report: Option<Report>,
    /// The due date was moved at least once.
    pub rescheduled: bool,
    /// Still in the definitions (false after `Cancelled` or `LeftPlan`).
    pub in_plan: bool,
    /// The state before a cancellation, restored if the checkpoint comes back.
    before_cancel: State,
}

impl Status {
    pub fn new(due: Option<NaiveDate>) -> Self {
        Self { state: State::Planned, due, report: None, rescheduled: false, in_plan: true, before_cancel: State::Planned }
    }

    /// The standing as a checkpoint's row stores it: the projection of its events, which
    /// the one writer keeps in line with them. What the row does not keep — the state
    /// before a cancellation — reads as planned, so a projected status is fit for judging
    /// and applying everything except a restore of a cancelled checkpoint (the engine's
    /// own transitions judge the state alone).
    pub fn projected(state: State, due: Option<NaiveDate>, report: Option<Report>, rescheduled: bool, in_plan: bool) -> Self {
        Self { state, due, report, rescheduled, in_plan, before_cancel: State::Planned }
    }

    /// Applies one event (already judged legal).
    pub fn apply(&mut self, e: &EventKind) {
        match e {
            EventKind::Created { due } => *self = Status::new(*due),
            EventKind::Rescheduled { to, .. } => {
                self.due = *to;
                self.rescheduled = true;
                // A new date reopens a late checkpoint: overdue or missed (the definitions
                // moved it; a person cannot reschedule a missed one). The next tick judges
                // it again; a superior already told it was missed is not told twice.
                if matches!(self.state, State::Overdue | State::Missed) {
                    self.state = State::Open;
                }
            }
            EventKind::Cancelled => {
                self.before_cancel = self.state;
                self.state = State::Cancelled;
                self.in_plan = false;
            }
            EventKind::LeftPlan => self.in_plan = false,
            EventKind::Restored => {
                if self.state == State::Cancelled {
                    self.state = self.before_cancel;
                }
                self.in_plan = true;
            }
            EventKind::Opened => self.state = State::Open,
            EventKind::BecameOverdue => self.state = State::Overdue,
            EventKind::Reported { report, .. } => {
                self.report = Some(report.clone());
                self.state = State::Reported;
            }
            EventKind::Returned => self.state = State::Open,
            EventKind::Approved => self.state = State::Approved,
            EventKind::Waived => self.state = State::Waived,
            EventKind::Missed => self.state = State::Missed,
        }
    }

    /// The status after `events`, in order; `None` when there are none.
    pub fn replay<'a>(events: impl IntoIterator<Item = &'a EventKind>) -> Option<Status> {
        let mut it = events.into_iter();
        let mut s = match it.next()? {
            EventKind::Created { due } => Status::new(*due),
            other => {
                let mut s = Status::new(None);
                s.apply(other);
                s
            }
        };
        for e in it {
            s.apply(e);
        }
        Some(s)
    }
}

/// What someone (or the engine) asks to do with a checkpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    Report(Report),
    Approve,
    Return {
        reason: String,
    },
    Waive {
        reason: String,
    },
    Reschedule {
        to: NaiveDate,
        reason: String,
        force: bool,
    },
    /// Engine: the reminder window started.
    Open,
    /// Engine: the due date passed.
    MarkOverdue,
    /// Engine: the follow-up window closed unreported (see [`missed`]).
    MarkMissed {
        reason: Option<String>,
    },
    /// Sync: gone from the definitions.
    Cancel,
    /// Sync: back in the definitions.
    Restore,
    /// Sync: the definitions now give another date.
    Move {
        to: Option<NaiveDate>,
    },
}

/// Why a command was refused, in both languages. Nothing was changed.
pub type Refusal = crate::msg::Msg;

fn refuse(sv: impl Into<String>, en: impl Into<String>) -> Refusal {
    Refusal::new(sv, en)
}

/// Facts about the calendar that judging a reschedule needs (kept out so this stays pure).
#[derive(Clone, Copy, Debug)]
pub struct Today {
    pub date: NaiveDate,
    /// Whether the requested new date is a working day.
    pub target_is_working_day: bool,
    /// Where a reschedule may move the checkpoint, even with `--force` (its plan's period
    /// ± 1 year, or its due date ± 2 years). `None`: the checkpoint's due date (else
    /// today) ± 2 years, as for an unknown plan.
    pub window: Option<Window>,
}

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

/// Whether a checkpoint gone from the definitions keeps its state (shown as no longer in
/// the plan) instead of being cancelled: it was reported, approved, waived or missed, or
/// carries a report (returned for completion). What was recorded is never hidden.
pub fn keeps_standing(status: &Status) -> bool {
    matches!(status.state, State::Reported | State::Approved | State::Waived | State::Missed) || status.report.is_some()
}

/// Judges `cmd` against the checkpoint's `status`: the event to append, or a refusal.
pub fn decide(status: &Status, cmd: &Command, today: Today) -> Result<(EventKind, Option<String>), Refusal> {
    use State::*;
    let st = status.state;
    let closed_msg = || {
        refuse(
            format!("kontrollpunkten är {} och kan inte ändras.", st.sv()),
            format!("the checkpoint is {} and cannot be changed.", st.en()),
        )
    };
    match cmd {
        Command::Report(r) => {
            if st == Cancelled {
                return Err(refuse(
                    "kontrollpunkten är struken (finns inte längre i planen) och kan inte rapporteras. Kontrollera id:t med `arshjul status`.",
                    "the checkpoint is cancelled (no longer in the plan) and cannot be reported. Check the id with `arshjul status`.",
                ));
            }
            if st.is_closed() && st != Missed {
                return Err(closed_msg());
            }
            if blank(&r.uppfoljning) {
                return Err(refuse(
                    "uppföljningen är tom: beskriv vad som har gjorts (`--uppfoljning`).",
                    "the follow-up text is empty: describe what was done (`--uppfoljning`).",
                ));
            }
            if r.outcome.needs_reason() && r.reason.as_deref().is_none_or(blank) {
                return Err(refuse(
                    format!("utfallet `{}` kräver ett skäl: ange `--reason \"…\"` (t.ex. att en nyckelperson har slutat).", r.outcome.sv()),
                    format!("the outcome `{}` requires a reason: give `--reason \"…\"`.", r.outcome.sv()),
                ));
            }
            let late = missed::late(status.due, today.date, st == Missed);
            Ok((EventKind::Reported { report: r.clone(), late }, r.reason.clone()))
        }
        Command::Approve => match st {
            Reported => Ok((EventKind::Approved, None)),
            Planned | Open | Overdue => Err(refuse(
                "kontrollpunkten är inte rapporterad än; den kan godkännas först när en rapport finns.",
                "the checkpoint has not been reported yet; it can be approved once there is a report.",
            )),
            _ => Err(closed_msg()),
        },
        Command::Return { reason } => match st {
            Reported if !blank(reason) => Ok((EventKind::Returned, Some(reason.clone()))),
            Reported => Err(refuse("ange vad som behöver kompletteras (`--reason`).", "say what needs completing (`--reason`).")),
            _ => Err(refuse(
                format!("bara en rapporterad kontrollpunkt kan skickas tillbaka; den här är {}.", st.sv()),
                format!("only a reported checkpoint can be returned; this one is {}.", st.en()),
            )),
        },
        Command::Waive { reason } => {
            if !st.is_pending() {
                return Err(refuse(
                    format!("bara en kontrollpunkt som väntar på rapport kan skrivas av; den här är {}.", st.sv()),
                    format!("only a checkpoint awaiting its report can be waived; this one is {}.", st.en()),
                ));
            }
            if blank(reason) {
                return Err(refuse(
                    "ange varför kontrollpunkten skrivs av (`--reason`); skälet sparas i historiken.",
                    "say why the checkpoint is waived (`--reason`); it is kept in the history.",
                ));
            }
            Ok((EventKind::Waived, Some(reason.clone())))
        }
        Command::Reschedule { to, reason, force } => {
            if !st.is_pending() {
                return Err(refuse(
                    format!("bara en kontrollpunkt som väntar på rapport kan flyttas; den här är {}.", st.sv()),
                    format!("only a checkpoint awaiting its report can be rescheduled; this one is {}.", st.en()),
                ));
            }
            if blank(reason) {
                return Err(refuse("ange varför datumet flyttas (`--reason`).", "say why the date moves (`--reason`)."));
            }
            let window = today.window.unwrap_or_else(|| Window::plan_unknown(status.due.unwrap_or(today.date)));
            if let Some(refusal) = window.judge(*to) {
                return Err(refusal);
            }
            if *to < today.date && !force {
                return Err(refuse(
                    format!("{to} har redan passerat (i dag är {}). Välj ett senare datum, eller lägg till `--force`.", today.date),
                    format!("{to} is in the past (today is {}). Choose a later date, or add `--force`.", today.date),
                ));
            }
            if !today.target_is_working_day && !force {
                return Err(refuse(
                    format!("{to} är ingen arbetsdag (helg eller röd dag). Välj en arbetsdag, eller lägg till `--force`."),
                    format!("{to} is not a working day (weekend or holiday). Choose a working day, or add `--force`."),
                ));
            }
            if status.due == Some(*to) {
                return Err(refuse(
                    format!("kontrollpunkten har redan förfallodagen {to}."),
                    format!("the checkpoint is already due on {to}."),
                ));
            }
            Ok((EventKind::Rescheduled { from: status.due, to: Some(*to) }, Some(reason.clone())))
        }
        Command::Open => match st {
            Planned => Ok((EventKind::Opened, None)),
            _ => Err(refuse(
                format!("kan inte öppna en kontrollpunkt som är {}.", st.sv()),
                format!("cannot open a checkpoint that is {}.", st.en()),
            )),
        },
        Command::MarkOverdue => match st {
            Planned | Open => Ok((EventKind::BecameOverdue, None)),
            _ => Err(refuse(
                format!("kan inte markera en kontrollpunkt som är {} som försenad.", st.sv()),
                format!("cannot mark a {} checkpoint overdue.", st.en()),
            )),
        },
        Command::MarkMissed { reason } => match st {
            Overdue => Ok((EventKind::Missed, reason.clone())),
            _ => Err(refuse(
                format!("bara en försenad kontrollpunkt kan stängas som missad; den här är {}.", st.sv()),
                format!("only an overdue checkpoint can be closed as missed; this one is {}.", st.en()),
            )),
        },
        Command::Cancel => {
            if !status.in_plan {
                Err(refuse("kontrollpunkten finns redan inte i planen.", "the checkpoint is already out of the plan."))
            } else if keeps_standing(status) {
                Ok((EventKind::LeftPlan, None))
            } else {
                Ok((EventKind::Cancelled, None))
            }
        }
        Command::Restore => {
            if status.in_plan && st != Cancelled {
                Err(refuse("kontrollpunkten är inte struken.", "the checkpoint is not cancelled."))
            } else {
                Ok((EventKind::Restored, None))
            }
        }
        Command::Move { to } => {
            if status.due == *to {
                Err(refuse("datumet är oförändrat.", "the date is unchanged."))
            } else {
                Ok((EventKind::Rescheduled { from: status.due, to: *to }, None))
            }
        }
    }
}

#[cfg(test)]
mod tests;
