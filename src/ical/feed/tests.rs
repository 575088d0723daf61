//! Scopes against a model and a directory; the times of cron checkpoints; event texts.

use super::*;
use crate::calendar::DateRange;
use crate::definition::load_sources;
use crate::remind::Person;
use std::path::PathBuf;

const ORG: &str = "organisation:
  id: kommun
  name: Kommunen
  units:
    - { id: norr, name: Norrskolan, kind: grundskola }
    - { id: soder, name: Söderskolan, kind: grundskola }
  roles:
    forvaltningschef: { name: Förvaltningschef }
    rektor: { name: Rektor, per_unit: ja, reports_to: forvaltningschef }
    strateg: { name: Strateg, reports_to: forvaltningschef }
  groups:
    ledning: { name: Ledningsgrupp, kind: styrgrupp, convenor: strateg, meets: var fjärde vecka, during: vt 2021 }
";

const WHEEL: &str = "wheel:
  name: Årshjul
  checkpoints:
    - { id: dialog, name: Dialogmöte, kind: dialogmöte, due: vecka 12, owner: forvaltningschef, per_unit: rektor }
    - { id: brev, name: Veckobrev, kind: annat, cron: \"30 15 20 1,5 *\", owner: forvaltningschef }
";

const PLAN: &str = "plan:
  id: plan-2021
  name: Plan 2021
  period: 2021
initiatives:
  - id: matte
    number: \"2.1\"
    name: Matematiklyftet
    owner: forvaltningschef
    parts:
      - number: 1
        text: Del ett
        checkpoints:
          - { id: traff, name: Träff, cron: \"15 13 * * 4\", during: vt 2021 }
    checkpoints:
      - { id: utv, name: Utvärdering, when: maj 2021 }
";

fn model() -> Model {
    let (m, diags) = load_sources(vec![
        (PathBuf::from("kommun/organisation.yaml"), ORG.as_bytes().to_vec()),
        (PathBuf::from("kommun/arshjul.yaml"), WHEEL.as_bytes().to_vec()),
        (PathBuf::from("kommun/plan.yaml"), PLAN.as_bytes().to_vec()),
    ]);
    assert!(diags.iter().all(|d| !d.is_error()), "{diags:?}");
    m
}

fn people() -> Vec<Holder> {
    let h = |role: &str, unit: Option<&str>, name: &str, email: &str| Holder {
        organisation: "kommun".into(),
        role: role.into(),
        unit: unit.map(Into::into),
        person: Person { name: name.into(), email: email.into() },
    };
    vec![
        h("forvaltningschef", None, "Cecilia Chef", "cecilia@k.se"),
        h("rektor", Some("norr"), "Rita Rektor", "rita@k.se"),
        h("rektor", Some("soder"), "Sune Rektor", "sune@k.se"),
        h("strateg", None, "Stina Strateg", "stina@k.se"),
    ]
}

/// Every checkpoint of 2021 as a stored row would be.
fn rows(m: &Model) -> Vec<Row> {
    let window = DateRange::new(NaiveDate::from_ymd_opt(2021, 1, 1).unwrap(), NaiveDate::from_ymd_opt(2021, 12, 31).unwrap()).unwrap();
    crate::schedule::expand(m, window)
        .into_iter()
        .map(|c| Row {
            id: c.id,
            organisation: c.organisation.to_string(),
            plan: c.plan.map(|p| p.to_string()),
            initiative: c.initiative.map(|p| p.to_string()),
            title: c.title.to_string(),
            kind: c.kind.to_string(),
            owner_role: c.owner_role.to_string(),
            unit: c.unit.map(|p| p.to_string()),
            parent: c.parent,
            due: c.date,
            state: State::Planned,
            rescheduled: false,
            school_break: None,
            report: None,
            in_plan: true,
            added_past_due: false,
        })
        .collect()
}

/// The rows `scope` selects — checked to lie within the reads it asks the store for.
fn selected(scope: Scope) -> Vec<Row> {
    let m = model();
    let r = resolve(&scope, &m, &people(), Lang::Sv).unwrap_or_else(|e| panic!("{e}"));
    let reads = r.reads(&m);
    let out: Vec<Row> = rows(&m).into_iter().filter(|row| r.holds(row, &m)).collect();
    for row in &out {
        assert!(reads.iter().any(|(o, u)| *o == row.organisation && (u.is_none() || *u == row.unit)), "{} outside {reads:?}", row.id);
    }
    out
}

#[test]
fn a_person_gets_what_they_own_a_role_what_it_answers_for_a_unit_its_own() {
    let rita = selected(Scope::Person { email: "RITA@k.se".into() });
    assert!(!rita.is_empty());
    let m = model();
    let reads = resolve(&Scope::Person { email: "rita@k.se".into() }, &m, &people(), Lang::Sv).unwrap().reads(&m);
    assert_eq!(reads, [("kommun".to_owned(), Some("norr".to_owned()))], "a rektor's feed reads her school only");
    assert!(rita.iter().all(|r| r.owner_role == "rektor" && r.unit.as_deref() == Some("norr")), "{rita:?}");
    let rektor = selected(Scope::Role { organisation: None, role: "rektor".into() });
    assert_eq!(rektor.len(), 2 * rita.len(), "both schools");
    // The group's meetings answer to its convenor.
    let strateg = selected(Scope::Role { organisation: Some("kommun".into()), role: "strateg".into() });
    assert!(!strateg.is_empty() && strateg.iter().all(|r| r.id.starts_with("kommun/grupp/ledning/")), "{strateg:?}");
    assert_eq!(selected(Scope::Person { email: "stina@k.se".into() }).len(), strateg.len());
    let soder = selected(Scope::Unit { organisation: None, unit: "soder".into() });
    assert_eq!(soder.len(), rita.len());
    assert!(soder.iter().all(|r| r.unit.as_deref() == Some("soder")));
}

#[test]
fn unknown_names_are_refused_with_the_nearest_one() {
    let m = model();
    let err = |s: Scope| resolve(&s, &m, &people(), Lang::Sv).unwrap_err();
    let e = err(Scope::Person { email: "rita@k.sw".into() });
    assert!(e.sv.starts_with("okänd person `rita@k.sw`") && e.sv.contains("Menade du `rita@k.se`?"), "{e}");
    let e = err(Scope::Role { organisation: None, role: "rekor".into() });
    assert!(e.sv.contains("Menade du `rektor`?") && e.sv.contains("Kända roller:"), "{e}");
    assert!(e.en.starts_with("unknown role `rekor`"), "{}", e.en);
    let e = err(Scope::Unit { organisation: None, unit: "nor".into() });
    assert!(e.sv.contains("Menade du `norr`?"), "{e}");
    let e = err(Scope::Unit { organisation: Some("komun".into()), unit: "norr".into() });
    assert!(e.sv.contains("okänd organisation `komun`") && e.sv.contains("Menade du `kommun`?"), "{e}");
}

#[test]
fn a_cron_checkpoint_is_at_its_time_and_the_rest_are_all_day() {
    let m = model();
    let all = rows(&m);
    let find = |part: &str, date: (i32, u32, u32)| {
        let d = NaiveDate::from_ymd_opt(date.0, date.1, date.2).unwrap();
        let r = all.iter().find(|r| r.id.contains(part) && r.due == Some(d)).unwrap_or_else(|| panic!("no {part} on {d}"));
        start_of(&m, r, d)
    };
    let at = |y, mo, d, h, mi| Start::Local(NaiveDate::from_ymd_opt(y, mo, d).unwrap().and_hms_opt(h, mi, 0).unwrap());
    // The wheel's cron: 20 January (winter) and 20 May (summer) at 15:30.
    assert_eq!(find("/arshjul/brev/", (2021, 1, 20)), at(2021, 1, 20, 15, 30));
    assert_eq!(find("/arshjul/brev/", (2021, 5, 20)), at(2021, 5, 20, 15, 30));
    // A part's own cron checkpoint.
    assert_eq!(find("/matte/del-1/traff/", (2021, 3, 4)), at(2021, 3, 4, 13, 15));
    // Moved two days: the rule's time stays.
    let traff = all.iter().find(|r| r.id.contains("/traff/")).unwrap();
    let moved = traff.due.unwrap() + Duration::days(2);
    assert!(matches!(start_of(&m, traff, moved), Start::Local(t) if t.date() == moved && t.format("%H:%M").to_string() == "13:15"));
    // Not a cron rule: all day (a group's meetings, a one-off checkpoint).
    let meeting = all.iter().find(|r| r.id.contains("/grupp/ledning/")).unwrap();
    assert_eq!(start_of(&m, meeting, meeting.due.unwrap()), Start::Date(meeting.due.unwrap()));
    let utv = all.iter().find(|r| r.id.ends_with("/matte/utv")).unwrap();
    assert_eq!(start_of(&m, utv, utv.due.unwrap()), Start::Date(utv.due.unwrap()));
}

#[test]
fn an_event_names_the_plan_owner_state_and_links_back() {
    let m = model();
    let p = people();
    let texts = Texts { model: &m, people: &p, base_url: "https://arshjul.example", lang: Lang::Sv };
    let mut row = rows(&m).into_iter().find(|r| r.id.contains("/arshjul/dialog/norr/")).unwrap();
    let e = texts.event(&row, 3).unwrap();
    assert_eq!(e.uid, format!("{}@arshjul", row.id));
    assert_eq!(e.summary, "Dialogmöte – Norrskolan");
    assert!(e.description.contains("Ansvarig: Rektor, Norrskolan (Rita Rektor)"), "{}", e.description);
    assert!(e.description.contains("Status: planerad"), "{}", e.description);
    assert_eq!(e.url, format!("https://arshjul.example{}", crate::web::checkpoint_path(&row.id)));
    assert_eq!((e.sequence, e.cancelled), (3, false));
    row.state = State::Cancelled;
    let e = texts.event(&row, 4).unwrap();
    assert!(e.cancelled && e.summary.starts_with("Struken: "), "{e:?}");
    row.state = State::Approved;
    row.in_plan = false;
    assert!(texts.event(&row, 4).unwrap().cancelled, "left the plan");
    let utv = rows(&m).into_iter().find(|r| r.id.ends_with("/matte/utv")).unwrap();
    let e = texts.event(&utv, 0).unwrap();
    assert!(
        e.description.starts_with("Plan: Plan 2021\nInsats: 2.1 Matematiklyftet\nAnsvarig: Förvaltningschef (Cecilia Chef)"),
        "{}",
        e.description
    );
    let mut continuous = utv;
    continuous.due = None;
    assert!(texts.event(&continuous, 0).is_none());
}
