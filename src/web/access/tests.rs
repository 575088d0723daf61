//! The access matrix: every kind of holder × every kind of checkpoint × every action.

use super::*;
use crate::definition::load_sources;
use crate::remind::Person;
use crate::remind::recipients::Holder as Dir;
use crate::workflow::State;
use std::path::PathBuf;

const ORG: &str = "organisation:
  id: kommun
  name: Kommunen
  units:
    - { id: norr, name: Norrskolan, kind: grundskola }
    - { id: soder, name: Söderskolan, kind: grundskola }
  roles:
    forvaltningschef: { name: Förvaltningschef }
    verksamhetschef: { name: Verksamhetschef, reports_to: forvaltningschef }
    rektor: { name: Rektor, per_unit: ja, reports_to: verksamhetschef }
    strateg: { name: Utvecklingsstrateg, reports_to: forvaltningschef }
    revisor: { name: Revisor }
    granskare: { name: Granskare, read_only: ja }
    administrator: { name: Administratör }
  groups:
    ledning: { name: Ledningsgrupp, kind: styrgrupp, convenor: strateg }
";

const OTHER: &str = "organisation:
  id: annan
  name: Annan kommun
  units:
    - { id: norr, name: Norrskolan, kind: grundskola }
  roles:
    forvaltningschef: { name: Förvaltningschef }
    rektor: { name: Rektor, per_unit: ja, reports_to: forvaltningschef }
";

fn model() -> Model {
    let (m, diags) = load_sources(vec![
        (PathBuf::from("kommun/organisation.yaml"), ORG.as_bytes().to_vec()),
        (PathBuf::from("annan/organisation.yaml"), OTHER.as_bytes().to_vec()),
    ]);
    assert!(diags.iter().all(|d| !d.is_error()), "{diags:?}");
    m
}

fn people() -> Vec<Dir> {
    let h = |org: &str, role: &str, unit: Option<&str>, email: &str| Dir {
        organisation: org.into(),
        role: role.into(),
        unit: unit.map(Into::into),
        person: Person { name: email.split('@').next().unwrap_or("").into(), email: email.into() },
    };
    vec![
        h("kommun", "forvaltningschef", None, "chef@k.se"),
        h("kommun", "verksamhetschef", None, "vc@k.se"),
        h("kommun", "rektor", Some("norr"), "rita@k.se"),
        h("kommun", "rektor", Some("soder"), "sune@k.se"),
        h("kommun", "strateg", None, "stina@k.se"),
        h("kommun", "revisor", None, "rev@k.se"),
        h("kommun", "granskare", None, "gran@k.se"),
        h("kommun", "administrator", None, "admin@k.se"),
        h("annan", "rektor", Some("norr"), "anna@a.se"),
        h("annan", "forvaltningschef", None, "achef@a.se"),
    ]
}

fn row(org: &str, owner: &str, unit: Option<&str>) -> Row {
    Row {
        id: format!("{org}/x/{owner}/{}", unit.unwrap_or("-")),
        organisation: org.into(),
        plan: None,
        initiative: None,
        title: "t".into(),
        kind: "k".into(),
        owner_role: owner.into(),
        unit: unit.map(Into::into),
        parent: None,
        due: None,
        state: State::Open,
        rescheduled: false,
        school_break: None,
        report: None,
        in_plan: true,
        added_past_due: false,
    }
}

fn viewer(email: &str) -> Viewer {
    Viewer::build(email, &people(), &model()).expect("in the directory")
}

/// `S` = sees, and the actions: `r` report, `a` approve/return, `w` waive/reschedule.
fn rights(email: &str, r: &Row) -> String {
    let (v, m) = (viewer(email), model());
    let mut s = String::new();
    for (c, ok) in [
        ('S', can_see(&v, r, &m)),
        ('r', can_act(&v, r, &m, Action::Report)),
        ('a', can_act(&v, r, &m, Action::Approve)),
        ('a', can_act(&v, r, &m, Action::Return)),
        ('w', can_act(&v, r, &m, Action::Waive)),
        ('w', can_act(&v, r, &m, Action::Reschedule)),
    ] {
        s.push(if ok { c } else { '.' });
    }
    s
}

#[test]
fn the_whole_matrix() {
    let rektor_norr = row("kommun", "rektor", Some("norr"));
    let rektor_soder = row("kommun", "rektor", Some("soder"));
    let vc = row("kommun", "verksamhetschef", None);
    let chef = row("kommun", "forvaltningschef", None);
    let group = row("kommun", "ledning", None);
    let elsewhere = row("annan", "rektor", Some("norr"));
    #[rustfmt::skip]
    let expected: &[(&str, [&str; 6])] = &[
        //               rektor norr   rektor söder  verksamhetsch. förv.chef    grupp (strateg) annan kommun
        ("rita@k.se",  ["Sr....", "......", "......", "......", "......", "......"]),
        ("sune@k.se",  ["......", "Sr....", "......", "......", "......", "......"]),
        ("vc@k.se",    ["S.aaww", "S.aaww", "Sr....", "......", "......", "......"]),
        ("chef@k.se",  ["S.aaww", "S.aaww", "S.aaww", "Sr....", "S.aaww", "......"]),
        ("stina@k.se", ["......", "......", "......", "......", "Sr....", "......"]),
        ("rev@k.se",   ["S.....", "S.....", "S.....", "S.....", "S.....", "......"]),
        ("gran@k.se",  ["S.....", "S.....", "S.....", "S.....", "S.....", "......"]),
        ("admin@k.se", ["S...ww", "S...ww", "S...ww", "S.aaww", "S...ww", "......"]),
        ("anna@a.se",  ["......", "......", "......", "......", "......", "Sr...."]),
        ("achef@a.se", ["......", "......", "......", "......", "......", "S.aaww"]),
    ];
    let rows = [&rektor_norr, &rektor_soder, &vc, &chef, &group, &elsewhere];
    for (email, want) in expected {
        let got: Vec<String> = rows.iter().map(|r| rights(email, r)).collect();
        assert_eq!(got, want.to_vec(), "{email}");
    }
}

#[test]
fn viewers_come_from_the_directory() {
    let m = model();
    assert_eq!(Viewer::build("nobody@k.se", &people(), &m), None);
    let rita = Viewer::build(" RITA@k.se ", &people(), &m).unwrap();
    assert_eq!((rita.email.as_str(), rita.admin, rita.read_only), ("rita@k.se", false, false));
    assert_eq!(rita.holds, vec![Holder { organisation: "kommun".into(), role: "rektor".into(), unit: Some("norr".into()) }]);
    assert!(!rita.is_chief(&m));
    assert!(viewer("vc@k.se").is_chief(&m) && viewer("chef@k.se").is_chief(&m) && viewer("rev@k.se").is_chief(&m));
    assert!(viewer("rev@k.se").read_only && viewer("gran@k.se").read_only && !viewer("chef@k.se").read_only);
    assert!(viewer("admin@k.se").admin);
}

#[test]
fn a_per_unit_holding_without_a_unit_covers_nothing_and_unknown_owners_only_the_top() {
    let m = model();
    let mut v = viewer("rita@k.se");
    v.holds[0].unit = None;
    assert!(!can_see(&v, &row("kommun", "rektor", Some("norr")), &m));
    let unknown = row("kommun", "ingen-sadan-roll", None);
    assert!(can_see(&viewer("chef@k.se"), &unknown, &m));
    assert!(!can_see(&viewer("vc@k.se"), &unknown, &m));
    assert!(!can_act(&viewer("chef@k.se"), &unknown, &m, Action::Report));
}
