use super::recipients::{Directory, Holder, resolve, superior, vacancies};
use super::*;
use crate::definition::load_sources;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn sparse() -> ReminderPolicy {
    ReminderPolicy::default_sparse()
}

#[test]
fn steps_of_the_default_policy() {
    let s = steps(&sparse(), 28);
    assert_eq!(
        s,
        vec![
            Step::Before { days: 28 },
            Step::Before { days: 7 },
            Step::OnDue,
            Step::Overdue { days: 7 },
            Step::Escalated { days: 14 },
            Step::Overdue { days: 21 },
            Step::Overdue { days: 28 },
        ]
    );
    assert_eq!(Step::Escalated { days: 14 }.key(), "escalated-14");
}

#[test]
fn current_step_follows_the_calendar_and_the_state() {
    let due = Some(d(2021, 5, 31));
    let p = sparse();
    assert_eq!(current_step(&p, due, State::Planned, d(2021, 5, 2)), None);
    assert_eq!(current_step(&p, due, State::Planned, d(2021, 5, 3)), Some(Step::Before { days: 28 }));
    assert_eq!(current_step(&p, due, State::Open, d(2021, 5, 23)), Some(Step::Before { days: 28 }));
    assert_eq!(current_step(&p, due, State::Open, d(2021, 5, 24)), Some(Step::Before { days: 7 }));
    assert_eq!(current_step(&p, due, State::Open, d(2021, 5, 31)), Some(Step::OnDue));
    assert_eq!(current_step(&p, due, State::Overdue, d(2021, 6, 16)), Some(Step::Escalated { days: 14 }));
    // After 30 days of downtime only the current step counts: one reminder, not six.
    assert_eq!(current_step(&p, due, State::Overdue, d(2021, 7, 1)), Some(Step::Overdue { days: 28 }));
    assert_eq!(current_step(&p, due, State::Reported, d(2021, 6, 16)), None);
    assert_eq!(current_step(&p, None, State::Open, d(2021, 6, 16)), None);
    assert_eq!(next_step_day(&p, d(2021, 5, 31), d(2021, 5, 3)), Some(d(2021, 5, 24)));
}

#[test]
fn digests_are_one_per_person_and_message_ids_are_stable() {
    let anna = Person { name: "Anna".into(), email: "anna@k.se".into() };
    let bo = Person { name: "Bo".into(), email: "bo@k.se".into() };
    let item = |id: &str, step| Item {
        checkpoint: id.into(),
        title: id.into(),
        organisation: "k".into(),
        plan: None,
        initiative: None,
        unit: None,
        owner_role: "Rektor".into(),
        due: d(2021, 5, 31),
        step,
        state: State::Open,
        school_break: None,
        on_behalf_of: None,
    };
    let at = Utc::now();
    let ds = digests(
        d(2021, 5, 31),
        at,
        vec![
            (anna.clone(), item("a", Step::OnDue)),
            (bo.clone(), item("a", Step::OnDue)),
            (anna.clone(), item("b", Step::Escalated { days: 14 })),
            (anna.clone(), item("a", Step::OnDue)),
        ],
    );
    assert_eq!(ds.len(), 2);
    assert_eq!(ds[0].to, anna);
    assert_eq!(ds[0].items.iter().map(|i| i.checkpoint.as_str()).collect::<Vec<_>>(), ["b", "a"], "escalations first, no duplicates");
    assert_eq!(ds[0].message_id("arshjul.local"), ds[0].clone().message_id("arshjul.local"));
    assert_ne!(ds[0].message_id("arshjul.local"), ds[1].message_id("arshjul.local"));
    assert!(ds[0].message_id("k.se").starts_with("<arshjul.20210531.") && ds[0].message_id("k.se").ends_with("@k.se>"));
}

const ORG: &str = "organisation:
  id: k
  name: K
  units:
    - { id: norr, name: Norrskolan, kind: grundskola }
    - { id: syd, name: Södra skolan, kind: grundskola }
  roles:
    chef: { name: Förvaltningschef }
    omradeschef: { name: Områdeschef, reports_to: chef }
    rektor: { name: Rektor, per_unit: ja, reports_to: omradeschef }
";

#[test]
fn vacant_roles_pass_up_the_chain_with_the_vacancy_named() {
    let (model, diags) = load_sources(vec![("w/k/organisation.yaml".into(), ORG.as_bytes().to_vec())]);
    assert!(diags.is_empty(), "{diags:?}");
    let org = &model.organisations[0];
    let p = |n: &str| Person { name: n.into(), email: format!("{n}@k.se") };
    let h = |role: &str, unit: Option<&str>, n: &str| Holder {
        organisation: "k".into(),
        role: role.into(),
        unit: unit.map(Into::into),
        person: p(n),
    };
    let dir = Directory::new(&[h("rektor", Some("norr"), "rita"), h("chef", None, "cecilia")]);
    let r = resolve(&dir, org, "rektor", Some("norr"));
    assert_eq!((r.people, r.vacancy), (vec![p("rita")], None));
    // Södra skolan has no rektor and the områdeschef post is vacant too: the förvaltningschef
    // gets it, and the first vacancy (rektor at syd) is named.
    let r = resolve(&dir, org, "rektor", Some("syd"));
    assert_eq!(r.people, vec![p("cecilia")]);
    assert_eq!(r.vacancy.map(|v| (v.role, v.unit)), Some(("rektor".to_owned(), Some("syd".to_owned()))));
    assert_eq!(superior(&dir, org, "rektor", Some("norr")).people, vec![p("cecilia")]);
    let v: Vec<(String, Option<String>)> = vacancies(&dir, org).into_iter().map(|v| (v.role, v.unit)).collect();
    assert_eq!(v, vec![("omradeschef".to_owned(), None), ("rektor".to_owned(), Some("syd".to_owned()))]);
}
