//! When an unreported checkpoint's follow-up window closes (it becomes *missad*), and how
//! late a report is. Pure: the store's facts (the next occurrence's due date, the plan's
//! period) and the calendar come in as arguments.
//!
//! The window, by the checkpoint's reminder policy (`missed_after`):
//! - `nästa tillfälle` (the default): it closes when the next occurrence of the same
//!   checkpoint (same plan, initiative, wheel checkpoint and unit: the *series*) falls due;
//!   the last one of a series, and a one-off checkpoint, close [`DEFAULT_GRACE_WORKING_DAYS`]
//!   working days (`missed_grace`) after its plan period's end (after its due date when it
//!   belongs to no plan, or when it is due after the period);
//! - `N arbetsdagar`: N working days after the due date;
//! - `aldrig`: never (stays overdue until reported or waived).
//!
//! "N working days after" a day means the owner has N whole working days after it: the
//! window closes on the (N+1)-th working day after it. Working days are Monday–Friday
//! except red days and de-facto holidays ([`Calendar::is_working_day`]); school breaks
//! count, as the administration works through them.

use crate::calendar::Calendar;
use crate::definition::model::{MissedAfter, ReminderPolicy};
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

/// Working days after the plan period's end before the last occurrence becomes missed.
/// Twenty working days is four school weeks: a plan period ends with the calendar year
/// (31 December) or the school year (June), and the last follow-up is written into the
/// verksamhetsberättelse or the next plan's nulägesanalys, which the organisers in the seeds
/// adopt in February and in August–September. Four working weeks after 31 December covers
/// jullov and the end of January; after a June end the window runs into July, and a late
/// report is still accepted (the checkpoint stays reportable after it is missed).
pub const DEFAULT_GRACE_WORKING_DAYS: u32 = 20;

/// What the store knows about a checkpoint that the window depends on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Facts {
    pub due: NaiveDate,
    /// The due date of the next occurrence of the same series (in the plan, not
    /// cancelled), if any.
    pub next_due: Option<NaiveDate>,
    /// The end of the checkpoint's plan period, if it belongs to a plan still in the
    /// definitions.
    pub period_end: Option<NaiveDate>,
}

/// The `n`-th working day after `from` (`n` = 0: `from` itself).
pub fn working_days_after(cal: &Calendar, from: NaiveDate, n: u32) -> NaiveDate {
    let mut d = from;
    let mut left = n;
    while left > 0 {
        let Some(next) = d.checked_add_signed(Duration::days(1)) else { return d };
        d = next;
        if cal.is_working_day(d) {
            left -= 1;
        }
    }
    d
}

/// The working days in `(from, to]`: how many working days `to` is after `from` (0 when
/// `to` is not after `from`).
pub fn working_days_between(cal: &Calendar, from: NaiveDate, to: NaiveDate) -> u32 {
    if to <= from {
        return 0;
    }
    let mut n: u32 = 0;
    let mut d = from;
    while d < to {
        let Some(next) = d.succ_opt() else { break };
        d = next;
        if cal.is_working_day(d) {
            n = n.saturating_add(1);
        }
    }
    n
}

/// The day the checkpoint becomes missed if it is still unreported (`None`: never).
pub fn missed_on(policy: &ReminderPolicy, f: Facts, cal: &Calendar) -> Option<NaiveDate> {
    let grace = policy.missed_grace.unwrap_or(DEFAULT_GRACE_WORKING_DAYS);
    match policy.missed_after.unwrap_or(MissedAfter::NextOccurrence) {
        MissedAfter::Never => None,
        MissedAfter::WorkingDays(n) => Some(working_days_after(cal, f.due, n.saturating_add(1))),
        MissedAfter::NextOccurrence => match f.next_due.filter(|n| *n > f.due) {
            Some(next) => Some(next),
            None => {
                let from = f.period_end.map_or(f.due, |end| end.max(f.due));
                Some(working_days_after(cal, from, grace.saturating_add(1)))
            }
        },
    }
}

/// A report made after the due date: how late, and whether the checkpoint had already been
/// closed as missed. Kept in the `reported` event (`late`), for the audit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Late {
    /// Working days after the due date (0 when reported on a weekend right after it).
    pub working_days: u32,
    /// The checkpoint was missed when the report came ("rapporterad i efterhand").
    pub after_missed: bool,
}

impl Late {
    /// As the history shows it: "sent, 3 arbetsdagar efter förfallodagen, efter att ha
    /// missats".
    pub fn describe(&self) -> crate::msg::Msg {
        let n = self.working_days;
        let (sv_days, en_days) = if n == 1 {
            ("1 arbetsdag".to_owned(), "1 working day".to_owned())
        } else {
            (format!("{n} arbetsdagar"), format!("{n} working days"))
        };
        let (sv_missed, en_missed) =
            if self.after_missed { (", i efterhand efter att ha missats", ", after it was missed") } else { ("", "") };
        crate::msg::Msg::new(
            format!("sent, {sv_days} efter förfallodagen{sv_missed}"),
            format!("late, {en_days} after the due date{en_missed}"),
        )
    }
}

/// How late a report made on `today` is for a checkpoint due on `due`; `None` when on time.
/// Red days are the same in every organisation's calendar, so the default calendar counts.
pub fn late(due: Option<NaiveDate>, today: NaiveDate, after_missed: bool) -> Option<Late> {
    let due = due?;
    (today > due || after_missed).then(|| Late { working_days: working_days_between(&Calendar::default(), due, today), after_missed })
}

#[cfg(test)]
mod tests;
