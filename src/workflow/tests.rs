use super::*;
use proptest::prelude::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn today() -> Today {
    Today { date: d(2021, 5, 3), target_is_working_day: true, window: None }
}

fn report(outcome: Outcome, reason: Option<&str>) -> Report {
    Report {
        outcome,
        reason: reason.map(str::to_owned),
        uppfoljning: "Arbetet har genomförts på alla enheter.".into(),
        analys: "-".into(),
        links: Vec::new(),
    }
}

/// Applies commands in order, failing the test on a refusal.
fn run(cmds: &[Command]) -> Status {
    let mut s = Status::new(Some(d(2021, 5, 31)));
    for c in cmds {
        let (e, _) = decide(&s, c, today()).unwrap_or_else(|r| panic!("{c:?} refused: {}", r.sv));
        s.apply(&e);
    }
    s
}

#[test]
fn the_happy_path() {
    let s = run(&[Command::Open, Command::Report(report(Outcome::Genomford, None)), Command::Approve]);
    assert_eq!(s.state, State::Approved);
    assert_eq!(s.report.unwrap().outcome, Outcome::Genomford);
}

#[test]
fn overdue_then_late_report_then_returned_for_completion() {
    let mut s = run(&[Command::Open, Command::MarkOverdue, Command::Report(report(Outcome::PaborjadEjSlutford, None))]);
    assert_eq!(s.state, State::Reported);
    let (e, reason) = decide(&s, &Command::Return { reason: "Analysen saknas".into() }, today()).unwrap();
    assert_eq!(reason.as_deref(), Some("Analysen saknas"));
    s.apply(&e);
    assert_eq!(s.state, State::Open);
}

#[test]
fn illegal_transitions_are_refused_in_swedish() {
    let planned = Status::new(Some(d(2021, 5, 31)));
    assert!(decide(&planned, &Command::Approve, today()).unwrap_err().sv.contains("inte rapporterad än"));
    let approved = run(&[Command::Report(report(Outcome::Genomford, None)), Command::Approve]);
    assert!(decide(&approved, &Command::Report(report(Outcome::Genomford, None)), today()).unwrap_err().sv.contains("godkänd"));
    assert!(decide(&approved, &Command::Waive { reason: "x".into() }, today()).is_err());
    let cancelled = run(&[Command::Cancel]);
    assert!(decide(&cancelled, &Command::Report(report(Outcome::Genomford, None)), today()).unwrap_err().sv.contains("struken"));
    assert!(decide(&planned, &Command::MarkMissed { reason: None }, today()).is_err());
}

#[test]
fn outcomes_that_need_a_reason_get_one() {
    let s = Status::new(None);
    let e = decide(&s, &Command::Report(report(Outcome::EjPaborjad, None)), today()).unwrap_err();
    assert!(e.sv.contains("kräver ett skäl"), "{}", e.sv);
    let e = decide(&s, &Command::Report(report(Outcome::EjGenomford, Some("  "))), today()).unwrap_err();
    assert!(e.sv.contains("kräver ett skäl"));
    assert!(decide(&s, &Command::Report(report(Outcome::EjPaborjad, Some("HR-strategen har slutat"))), today()).is_ok());
    let mut empty = report(Outcome::Genomford, None);
    empty.uppfoljning = " ".into();
    assert!(decide(&s, &Command::Report(empty), today()).unwrap_err().sv.contains("uppföljningen är tom"));
    assert!(decide(&s, &Command::Waive { reason: "".into() }, today()).unwrap_err().sv.contains("ange varför"));
}

#[test]
fn reschedule_rules() {
    let s = Status::new(Some(d(2021, 5, 31)));
    let past = Command::Reschedule { to: d(2021, 4, 30), reason: "Sjukdom".into(), force: false };
    assert!(decide(&s, &past, today()).unwrap_err().sv.contains("har redan passerat"));
    let forced = Command::Reschedule { to: d(2021, 4, 30), reason: "Sjukdom".into(), force: true };
    assert!(decide(&s, &forced, today()).is_ok());
    let holiday = Command::Reschedule { to: d(2021, 6, 25), reason: "x".into(), force: false };
    let not_working = Today { date: d(2021, 5, 3), target_is_working_day: false, window: None };
    assert!(decide(&s, &holiday, not_working).unwrap_err().sv.contains("ingen arbetsdag"));
    let ok = Command::Reschedule { to: d(2021, 6, 11), reason: "Krockar med nämndmöte".into(), force: false };
    let (e, _) = decide(&s, &ok, today()).unwrap();
    assert_eq!(e, EventKind::Rescheduled { from: Some(d(2021, 5, 31)), to: Some(d(2021, 6, 11)) });
    let mut overdue = run(&[Command::MarkOverdue]);
    overdue.apply(&e);
    assert_eq!((overdue.state, overdue.due, overdue.rescheduled), (State::Open, Some(d(2021, 6, 11)), true));
}

#[test]
fn forced_reschedules_stay_within_the_window() {
    let s = Status::new(Some(d(2021, 5, 31)));
    let to = |y, m, day| Command::Reschedule { to: d(y, m, day), reason: "Flyttas".into(), force: true };
    let plan = Window::plan(crate::calendar::DateRange { start: d(2021, 1, 1), end: d(2023, 12, 31) });
    let facts = Today { window: Some(plan), ..today() };
    // --force allows a past date inside the window (2020 is the year before the plan) …
    assert!(decide(&s, &to(2020, 3, 2), facts).is_ok());
    // … but not one outside it, forced or not.
    for cmd in [to(1, 1, 1), to(9999, 12, 30), to(2019, 12, 31), to(2025, 1, 1)] {
        let r = decide(&s, &cmd, facts).unwrap_err();
        assert!(r.sv.contains("utanför det tillåtna fönstret 2020-01-01 – 2024-12-31"), "{}", r.sv);
    }
    let unforced = Command::Reschedule { to: d(9999, 12, 30), reason: "x".into(), force: false };
    assert!(decide(&s, &unforced, facts).unwrap_err().en.contains("outside the allowed window"));
    // Without a window from the caller: the due date ± 2 years.
    assert!(decide(&s, &to(2023, 5, 31), today()).is_ok());
    assert!(decide(&s, &to(2023, 6, 1), today()).unwrap_err().sv.contains("förfallodagen 2021-05-31 ± 2 år"));
}

#[test]
fn a_missed_checkpoint_is_reported_late_and_keeps_its_history() {
    use crate::workflow::Late;
    let due = d(2021, 3, 12); // a Friday
    let on = |y, m, day| Today { date: d(y, m, day), target_is_working_day: true, window: None };
    let mut s = Status::new(Some(due));
    let mut history = vec![EventKind::Created { due: Some(due) }];
    for (cmd, at) in [(Command::MarkOverdue, on(2021, 3, 13)), (Command::MarkMissed { reason: None }, on(2021, 5, 17))] {
        let (e, _) = decide(&s, &cmd, at).unwrap();
        s.apply(&e);
        history.push(e);
    }
    assert_eq!(s.state, State::Missed);
    // Not approvable, waivable or movable while missed; reportable.
    assert!(decide(&s, &Command::Approve, on(2021, 5, 18)).is_err());
    assert!(decide(&s, &Command::Waive { reason: "x".into() }, on(2021, 5, 18)).is_err());
    assert!(decide(&s, &Command::MarkMissed { reason: None }, on(2021, 5, 18)).is_err());
    // Reported on Tuesday 18 May: working days after Friday 12 March by hand: 15–19, 22–26,
    // 29–31 March, 1 April (14), långfredag and annandag påsk red, 6–9 (18), 12–16 (23),
    // 19–23 (28), 26–30 (33), 3–7 May (38), 10–12 (41), Kristi himmelsfärd 13 May red,
    // 14 (42), 17, 18 (44).
    let (e, _) = decide(&s, &Command::Report(report(Outcome::Genomford, None)), on(2021, 5, 18)).unwrap();
    let EventKind::Reported { late, .. } = &e else { panic!("{e:?}") };
    assert_eq!(*late, Some(Late { working_days: 44, after_missed: true }));
    s.apply(&e);
    history.push(e);
    assert_eq!(s.state, State::Reported);
    assert!(decide(&s, &Command::Approve, on(2021, 5, 19)).is_ok());
    assert!(history.contains(&EventKind::Missed), "the history keeps the missed event");
    assert_eq!(Status::replay(&history), Some(s));
    // The event's stored form carries it, and older events without it still read.
    let json = serde_json::to_value(&history[3]).unwrap();
    assert_eq!(json["late"], serde_json::json!({ "working_days": 44, "after_missed": true }));
    let old: EventKind =
        serde_json::from_str(r#"{"type":"reported","report":{"outcome":"genomford","reason":null,"uppfoljning":"u","analys":"-"}}"#)
            .unwrap();
    assert!(matches!(old, EventKind::Reported { late: None, .. }));
    // A report on an overdue checkpoint is late too, but not after missed; on time is not late.
    let overdue = run(&[Command::MarkOverdue]);
    let (e, _) = decide(&overdue, &Command::Report(report(Outcome::Genomford, None)), on(2021, 6, 1)).unwrap();
    assert!(matches!(e, EventKind::Reported { late: Some(Late { working_days: 1, after_missed: false }), .. }), "{e:?}");
    let (e, _) = decide(&Status::new(Some(due)), &Command::Report(report(Outcome::Genomford, None)), on(2021, 3, 12)).unwrap();
    assert!(matches!(e, EventKind::Reported { late: None, .. }), "{e:?}");
}

#[test]
fn the_definitions_moving_a_missed_checkpoint_reopen_it() {
    let mut s = run(&[Command::MarkOverdue, Command::MarkMissed { reason: None }]);
    assert_eq!(s.state, State::Missed);
    let (e, _) = decide(&s, &Command::Move { to: Some(d(2021, 9, 30)) }, today()).unwrap();
    s.apply(&e);
    assert_eq!((s.state, s.due), (State::Open, Some(d(2021, 9, 30))));
}

#[test]
fn cancel_and_restore_keep_the_state() {
    let s = run(&[Command::Report(report(Outcome::Genomford, None)), Command::Cancel, Command::Restore]);
    assert_eq!(s.state, State::Reported);
    assert!(s.report.is_some());
}

#[test]
fn state_names_round_trip() {
    for st in
        [State::Planned, State::Open, State::Overdue, State::Reported, State::Approved, State::Missed, State::Waived, State::Cancelled]
    {
        assert_eq!(State::parse(st.sv()), Some(st));
        assert_eq!(State::parse(st.en()), Some(st));
    }
}

fn any_command() -> impl Strategy<Value = Command> {
    prop_oneof![
        (0usize..4, any::<bool>()).prop_map(|(o, r)| Command::Report(report(Outcome::ALL[o], r.then_some("skäl")))),
        Just(Command::Approve),
        Just(Command::Return { reason: "komplettera".into() }),
        Just(Command::Waive { reason: "beslut".into() }),
        (0i64..60, any::<bool>()).prop_map(|(n, f)| Command::Reschedule {
            to: d(2021, 4, 20) + chrono::Duration::days(n),
            reason: "r".into(),
            force: f
        }),
        Just(Command::Open),
        Just(Command::MarkOverdue),
        Just(Command::MarkMissed { reason: None }),
        Just(Command::Cancel),
        Just(Command::Restore),
        (0i64..60).prop_map(|n| Command::Move { to: Some(d(2021, 5, 1) + chrono::Duration::days(n)) }),
    ]
}

proptest! {
    /// Whatever is asked, in whatever order: refusals change nothing, the status is always
    /// the replay of the accepted events, and closed checkpoints stay closed except when
    /// restored or moved by the definitions.
    #[test]
    fn status_is_the_replay_of_accepted_events(cmds in proptest::collection::vec(any_command(), 0..40)) {
        let due = Some(d(2021, 5, 31));
        let mut s = Status::new(due);
        let mut events = vec![EventKind::Created { due }];
        for c in &cmds {
            let before = s.clone();
            match decide(&s, c, today()) {
                Ok((e, _)) => {
                    // A missed checkpoint stays reportable, and such a report says so.
                    let late_after_missed = matches!(e, EventKind::Reported { late: Some(crate::workflow::Late { after_missed: true, .. }), .. });
                    prop_assert_eq!(late_after_missed, before.state == State::Missed && matches!(c, Command::Report(_)));
                    if before.state.is_closed() && !late_after_missed {
                        prop_assert!(matches!(e, EventKind::Restored | EventKind::Cancelled | EventKind::LeftPlan | EventKind::Rescheduled { .. }), "{:?} from {:?}", e, before.state);
                    }
                    // What was recorded is never cancelled away: it leaves the plan as it stands.
                    if crate::workflow::keeps_standing(&before) {
                        prop_assert!(e != EventKind::Cancelled, "{:?} cancelled from {:?}", before.state, before);
                    }
                    s.apply(&e);
                    if before.report.is_some() {
                        prop_assert!(s.report.is_some(), "a report is never lost");
                    }
                    events.push(e);
                }
                Err(r) => {
                    prop_assert!(!r.sv.is_empty() && !r.en.is_empty());
                    prop_assert_eq!(&s, &before);
                }
            }
            prop_assert_eq!(Status::replay(&events), Some(s.clone()));
        }
    }
}

/// Any event, for the projection property below.
fn any_event() -> impl Strategy<Value = EventKind> {
    prop_oneof![
        Just(EventKind::Opened),
        Just(EventKind::BecameOverdue),
        Just(EventKind::Missed),
        Just(EventKind::Cancelled),
        Just(EventKind::LeftPlan),
        Just(EventKind::Restored),
        Just(EventKind::Returned),
        Just(EventKind::Approved),
        Just(EventKind::Waived),
        Just(EventKind::Reported { report: report(Outcome::Genomford, None), late: None }),
        (0u32..3).prop_map(|k| EventKind::Rescheduled { from: None, to: (k > 0).then(|| d(2021, 6, k)) }),
    ]
}

proptest! {
    /// The engine's own transitions judged on the row's standing (`Status::projected`, no
    /// replay) decide and leave exactly what judging the replayed history does, whatever
    /// the history (legal or not).
    #[test]
    fn engine_transitions_on_the_projection_match_the_replay(events in proptest::collection::vec(any_event(), 0..8)) {
        let mut all = vec![EventKind::Created { due: Some(d(2021, 5, 31)) }];
        all.extend(events);
        let replayed = Status::replay(&all).unwrap();
        let projected = Status::projected(replayed.state, replayed.due, replayed.report.clone(), replayed.rescheduled, replayed.in_plan);
        let stored = |s: &Status| (s.state, s.due, s.report.clone(), s.rescheduled, s.in_plan);
        for cmd in [Command::Open, Command::MarkOverdue, Command::MarkMissed { reason: None }, Command::MarkMissed { reason: Some("x".into()) }] {
            let (a, b) = (decide(&replayed, &cmd, today()), decide(&projected, &cmd, today()));
            prop_assert_eq!(a.is_ok(), b.is_ok(), "{:?} on {:?}", cmd, replayed.state);
            if let (Ok(a), Ok(b)) = (a, b) {
                prop_assert_eq!(&a, &b);
                let (mut ra, mut rb) = (replayed.clone(), projected.clone());
                ra.apply(&a.0);
                rb.apply(&b.0);
                prop_assert_eq!(stored(&ra), stored(&rb));
            }
        }
    }
}
