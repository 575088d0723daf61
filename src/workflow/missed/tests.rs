use super::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn policy(after: Option<MissedAfter>, grace: Option<u32>) -> ReminderPolicy {
    ReminderPolicy { missed_after: after, missed_grace: grace, ..ReminderPolicy::default_sparse() }
}

fn cal() -> Calendar {
    Calendar::default()
}

#[test]
fn by_default_the_window_closes_when_the_next_occurrence_falls_due() {
    let f = Facts { due: d(2021, 3, 15), next_due: Some(d(2021, 5, 17)), period_end: Some(d(2021, 12, 31)) };
    assert_eq!(missed_on(&policy(None, None), f, &cal()), Some(d(2021, 5, 17)));
    assert_eq!(missed_on(&policy(Some(MissedAfter::NextOccurrence), None), f, &cal()), Some(d(2021, 5, 17)));
    // A "next" that is not after the due date (moved by hand onto the same day) is no next.
    let same = Facts { next_due: Some(d(2021, 3, 15)), ..f };
    assert_eq!(missed_on(&policy(None, None), same, &cal()), missed_on(&policy(None, None), Facts { next_due: None, ..f }, &cal()));
}

#[test]
fn the_last_one_closes_twenty_working_days_after_the_plan_period() {
    // 2021-12-31 is a Friday. January 2022 by hand: 3, 4, 5 (1–3), 6 trettondedag jul is
    // red, 7 (4), 10–14 (5–9), 17–21 (10–14), 24–28 (15–19), 31 (20): the owner has those
    // twenty whole working days; on 1 February it is missed.
    let f = Facts { due: d(2021, 11, 15), next_due: None, period_end: Some(d(2021, 12, 31)) };
    assert_eq!(missed_on(&policy(None, None), f, &cal()), Some(d(2022, 2, 1)));
    // The grace is configurable: none at all closes it on the first working day after.
    assert_eq!(missed_on(&policy(None, Some(0)), f, &cal()), Some(d(2022, 1, 3)));
    assert_eq!(missed_on(&policy(None, Some(3)), f, &cal()), Some(d(2022, 1, 7)));
    // Due after the period (moved by hand): counted from the due date.
    let after = Facts { due: d(2022, 1, 10), ..f };
    assert_eq!(missed_on(&policy(None, Some(0)), after, &cal()), Some(d(2022, 1, 11)));
    // No plan (a wheel or group checkpoint) and no next occurrence: from the due date.
    let no_plan = Facts { due: d(2021, 6, 4), next_due: None, period_end: None };
    // June 2021 from Fri 4: 7–11 (1–5), 14–18 (6–10), 21–24 (11–14), 25 midsommarafton is
    // not a working day, 28–30 (15–17), July 1, 2 (18, 19), 5 (20), 6 → missed.
    assert_eq!(missed_on(&policy(None, None), no_plan, &cal()), Some(d(2021, 7, 6)));
}

#[test]
fn a_configured_number_of_working_days_overrides_the_next_occurrence() {
    let f = Facts { due: d(2021, 3, 12), next_due: Some(d(2021, 3, 19)), period_end: Some(d(2021, 12, 31)) };
    // Fri 12 March + 5 whole working days (15–19): missed on Monday 22 March, although the
    // next occurrence falls due on the 19th.
    assert_eq!(missed_on(&policy(Some(MissedAfter::WorkingDays(5)), None), f, &cal()), Some(d(2021, 3, 22)));
    assert_eq!(missed_on(&policy(Some(MissedAfter::WorkingDays(1)), None), f, &cal()), Some(d(2021, 3, 16)));
    assert_eq!(missed_on(&policy(Some(MissedAfter::Never), None), f, &cal()), None);
}

#[test]
fn working_days_skip_red_days_but_not_school_breaks() {
    let five = policy(Some(MissedAfter::WorkingDays(5)), None);
    // Over jul: 21, 22, 23 (1–3), julafton and juldagen are not working days, 28, 29 (4, 5).
    let jul = Facts { due: d(2020, 12, 18), next_due: None, period_end: None };
    assert_eq!(missed_on(&five, jul, &cal()), Some(d(2020, 12, 30)));
    // Over påsk: 1 April (1), långfredag and annandag påsk are red, 6–9 (2–5).
    let pask = Facts { due: d(2021, 3, 31), next_due: None, period_end: None };
    assert_eq!(missed_on(&five, pask, &cal()), Some(d(2021, 4, 12)));
    // Sportlov (week 8 in 2021 for many, week 9 for others) is a school break, not a red
    // day: a week of sportlov is five working days.
    let sportlov = Facts { due: d(2021, 2, 19), next_due: None, period_end: None };
    assert!(cal().break_at(d(2021, 2, 24)).is_some() || cal().break_at(d(2021, 3, 3)).is_some(), "a sportlov in late February");
    assert_eq!(missed_on(&five, sportlov, &cal()), Some(d(2021, 3, 1)));
    // The counting helpers agree with each other.
    for (from, n) in [(d(2020, 12, 18), 7), (d(2021, 3, 31), 9), (d(2021, 6, 4), 23)] {
        let to = working_days_after(&cal(), from, n);
        assert_eq!(working_days_between(&cal(), from, to), n, "{from} + {n}");
    }
}

#[test]
fn lateness_in_working_days() {
    let due = d(2021, 3, 12); // a Friday
    assert_eq!(late(Some(due), due, false), None);
    assert_eq!(late(Some(due), d(2021, 3, 11), false), None);
    assert_eq!(late(Some(due), d(2021, 3, 13), false), Some(Late { working_days: 0, after_missed: false }));
    assert_eq!(late(Some(due), d(2021, 3, 15), false), Some(Late { working_days: 1, after_missed: false }));
    // Across påsk: 15–19, 22–26, 29–31 March, 1 April = 14; långfredag and annandag påsk
    // are red; 6 April = 15.
    assert_eq!(late(Some(due), d(2021, 4, 6), true), Some(Late { working_days: 15, after_missed: true }));
    assert_eq!(late(None, due, false), None);
}
