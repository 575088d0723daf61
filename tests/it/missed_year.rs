//! Issue 10 item 2 over a school year: the engine ticked at the send time of every day from
//! 17 August 2020 to 31 August 2021 for a small seed-like organisation (a wheel of dialogue
//! meetings per school, a plan for läsåret 2020/21 with recurring meetings, a one-off per
//! school and one with its own `missed_after`), on both engines. Some checkpoints are
//! reported on their due date, some a few days late, some ten weeks late, some never. At
//! the end every checkpoint's state, lateness and the superiors' notices are compared with
//! what the test counts itself: the series' next occurrence from the expanded schedule, the
//! plan period's end plus 20 working days, working days counted day by day.

use crate::support::{ORG, TempDir};
use arshjul::calendar::Calendar;
use arshjul::engine::{DryRun, Engine, Settings, source};
use arshjul::remind::Step;
use arshjul::store::{Filter, Store};
use arshjul::workflow::{Command, EventKind, Late, Outcome, Report, State, Today};
use chrono::{Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::Stockholm;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

const WHEEL: &str = "wheel:
  name: Årshjul
  checkpoints:
    - { id: dialogmote-ht, name: Dialogmöte ht, kind: dialogmöte, due: vecka 42, owner: forvaltningschef, per_unit: rektor }
    - { id: dialogmote-vt, name: Dialogmöte vt, kind: dialogmöte, due: vecka 12, owner: forvaltningschef, per_unit: rektor }
";

const PLAN: &str = "plan:
  id: plan-2020
  name: Plan 2020/21
  period: läsåret 2020/2021
initiatives:
  - id: lasning
    name: Läslyftet
    owner: forvaltningschef
    checkpoints:
      - { id: traffar, name: Träffar, every: var 6:e vecka, during: läsåret 2020/2021, per_unit: rektor }
      - { id: utvardering, name: Utvärdering, when: maj 2021, per_unit: rektor }
      - { id: enkat, name: Enkät, when: 2020-11-13, reminders: { missed_after: 5 arbetsdagar } }
";

const PEOPLE: &str = "organisation,role,unit,name,email
testkommun,forvaltningschef,,Cecilia Chef,cecilia@testkommun.se
testkommun,rektor,norrskolan,Rita Rektor,rita@testkommun.se
testkommun,rektor,soderskolan,Sune Rektor,sune@testkommun.se
";

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// The test's own count: the `n`-th working day after `from`.
fn plus_working_days(from: NaiveDate, n: u32) -> NaiveDate {
    let cal = Calendar::default();
    let (mut d, mut left) = (from, n);
    while left > 0 {
        d += Duration::days(1);
        if cal.is_working_day(d) {
            left -= 1;
        }
    }
    d
}

fn working_days_in(from: NaiveDate, to: NaiveDate) -> u32 {
    let cal = Calendar::default();
    let mut n = 0;
    let mut d = from + Duration::days(1);
    while d <= to {
        n += u32::from(cal.is_working_day(d));
        d += Duration::days(1);
    }
    n
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Plan {
    OnTime,
    Late(i64),
    Never,
}

async fn a_school_year_with_reports_on_time_late_and_never(url: &str) {
    let dir = TempDir::new();
    dir.write("testkommun/organisation.yaml", ORG);
    dir.write("testkommun/arshjul.yaml", WHEEL);
    dir.write("testkommun/plan.yaml", PLAN);
    dir.write("people.csv", PEOPLE);
    let (from, to) = (day(2020, 8, 17), day(2021, 8, 31));
    let loaded =
        source::load(dir.path(), &dir.path().join("people.csv"), arshjul::definition::Lang::Sv).unwrap_or_else(|_| panic!("loads"));
    let window = source::window(&loaded.model, from, Some(to));
    let store = Store::open(url).await.unwrap();
    let at = |d: NaiveDate, h: u32, m: u32| Stockholm.from_local_datetime(&d.and_hms_opt(h, m, 0).unwrap()).unwrap().with_timezone(&Utc);
    source::store(&store, &loaded, window, at(from, 0, 0)).await.unwrap();
    let cps = arshjul::schedule::expand(&loaded.model, window);
    let period_end = loaded.model.organisations[0].plans[0].period.end;
    let engine = Engine {
        store: store.clone(),
        model: Arc::new(loaded.model),
        settings: Settings { send_time: NaiveTime::from_hms_opt(7, 30, 0).unwrap(), ..Settings::default() },
    };

    // What happens to each dated checkpoint due in the year: by its position, in turn.
    let mut plan: BTreeMap<String, (NaiveDate, Plan)> = BTreeMap::new();
    for (n, c) in cps.iter().filter(|c| c.date.is_some_and(|d| d >= from && d <= to)).enumerate() {
        let p = [Plan::OnTime, Plan::Late(4), Plan::Late(70), Plan::Never][n % 4];
        plan.insert(c.id.clone(), (c.date.unwrap(), p));
    }
    let mut reports: BTreeMap<NaiveDate, Vec<String>> = BTreeMap::new();
    for (id, (due, p)) in &plan {
        let when = match p {
            Plan::OnTime => *due,
            Plan::Late(days) => *due + Duration::days(*days),
            Plan::Never => continue,
        };
        if when <= to {
            reports.entry(when).or_default().push(id.clone());
        }
    }

    let sender = DryRun::default();
    let mut d = from;
    while d <= to {
        for id in reports.get(&d).into_iter().flatten() {
            let r = Report { outcome: Outcome::Genomford, reason: None, uppfoljning: "Gjort.".into(), analys: "-".into(), links: vec![] };
            let today = Today { date: d, target_is_working_day: true, window: None };
            store.act(id, &Command::Report(r), "rektor", at(d, 7, 0), today).await.unwrap().unwrap_or_else(|r| panic!("{id}: {}", r.sv));
        }
        engine.tick(at(d, 7, 30), &sender).await.unwrap();
        d += Duration::days(1);
    }

    // The test's own window: the next occurrence of the series in the expanded schedule,
    // else the plan period's end (or the due date without a plan) plus 20 working days;
    // `enkat` has 5 working days.
    let mut series: HashMap<String, Vec<NaiveDate>> = HashMap::new();
    for c in &cps {
        if let (Some(label), Some(date)) = (c.label.as_deref(), c.date) {
            series.entry(c.id.strip_suffix(&format!("/{label}")).unwrap().to_owned()).or_default().push(date);
        }
    }
    let missed_on = |id: &str, due: NaiveDate, plan_id: Option<&str>| -> NaiveDate {
        if id.ends_with("/enkat") {
            return plus_working_days(due, 6);
        }
        let c = cps.iter().find(|c| c.id == id).unwrap();
        let next =
            c.label.as_deref().and_then(|l| series[id.strip_suffix(&format!("/{l}")).unwrap()].iter().copied().filter(|d| *d > due).min());
        next.unwrap_or_else(|| plus_working_days(if plan_id.is_some() { period_end.max(due) } else { due }, 21))
    };

    let rows = store.status(&Filter { include_cancelled: true, ..Filter::default() }).await.unwrap();
    let sent: Vec<_> = sender.sent.lock().unwrap().iter().map(|(d, _)| d.clone()).collect();
    let mut counted: BTreeMap<&str, usize> = BTreeMap::new();
    let mut expected_notices = 0;
    for r in rows.iter().filter(|r| r.due.is_some_and(|d| d <= to)) {
        let due = r.due.unwrap();
        let closes = missed_on(&r.id, due, r.plan.as_deref());
        let what = plan.get(&r.id).map_or(Plan::Never, |p| p.1);
        let report_day = match what {
            Plan::OnTime => Some(due),
            Plan::Late(n) => Some(due + Duration::days(n)).filter(|d| *d <= to),
            Plan::Never => None,
        };
        let history = store.history(&r.id).await.unwrap();
        let was_missed = history.iter().any(|e| e.kind == EventKind::Missed);
        match report_day {
            Some(rd) => {
                assert_eq!(r.state, State::Reported, "{}", r.id);
                // Reported before the tick of its day: missed only if the window closed earlier.
                let after_missed = closes < rd;
                let late = (rd > due).then(|| Late { working_days: working_days_in(due, rd), after_missed });
                let got = history.iter().find_map(|e| match &e.kind {
                    EventKind::Reported { late, .. } => Some(*late),
                    _ => None,
                });
                assert_eq!(got, Some(late), "{} due {due} reported {rd}, window closes {closes}", r.id);
                assert_eq!(was_missed, after_missed, "{}", r.id);
                *counted
                    .entry(if after_missed {
                        "reported after missed"
                    } else if late.is_some() {
                        "reported late"
                    } else {
                        "on time"
                    })
                    .or_default() += 1;
            }
            None if closes <= to => {
                assert_eq!(r.state, State::Missed, "{} due {due}, window closes {closes}", r.id);
                assert!(was_missed);
                *counted.entry("missed").or_default() += 1;
            }
            None => {
                assert_eq!(r.state, if due < to { State::Overdue } else { State::Open }, "{} due {due}, closes {closes}", r.id);
                *counted.entry("still overdue").or_default() += 1;
            }
        }
        // A rektor's missed checkpoint (reported after or not) gave its superior a notice,
        // unless the sync created it already past due (never mailed).
        if was_missed && r.unit.is_some() && !r.added_past_due {
            expected_notices += 1;
        }
        // The owner's reminders stop once it is missed.
        if let Some(m) = history.iter().find(|e| e.kind == EventKind::Missed) {
            let missed_day = m.at.with_timezone(&Stockholm).date_naive();
            assert_eq!(missed_day, closes.max(from), "{}", r.id);
            let owner_after = sent.iter().filter(|d| d.day >= missed_day && d.to.email != "cecilia@testkommun.se");
            assert!(owner_after.flat_map(|d| &d.items).all(|i| i.checkpoint != r.id), "{} reminded after missed", r.id);
        }
    }
    // Every kind of ending happened (the year is not trivially all one way).
    for k in ["on time", "reported late", "reported after missed", "missed", "still overdue"] {
        assert!(counted.get(k).is_some_and(|n| *n > 0), "no `{k}` in {counted:?}");
    }
    // One notice per missed checkpoint of a rektor, to the superior, once.
    let notices: Vec<(&str, &str)> = sent
        .iter()
        .flat_map(|d| d.items.iter().filter(|i| i.step == Step::Missed).map(move |i| (d.to.email.as_str(), i.checkpoint.as_str())))
        .collect();
    assert!(expected_notices > 0);
    assert_eq!(notices.len(), expected_notices, "{notices:#?}");
    assert!(notices.iter().all(|(to, _)| *to == "cecilia@testkommun.se"));
    let mut ids: Vec<&str> = notices.iter().map(|(_, id)| *id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), notices.len(), "each checkpoint's notice once");
}

crate::support::on_both_engines!(a_school_year_with_reports_on_time_late_and_never);
