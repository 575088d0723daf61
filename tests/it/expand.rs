//! `arshjul plan`: dates, fan-out per unit, stable ids, filters and output formats on a
//! small organisation whose every date is worked out by hand in the comments.

use crate::support::{PLAN, arshjul, plan_json, workflow};
use serde_json::Value;

fn find<'a>(cps: &'a [Value], id: &str) -> &'a Value {
    cps.iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no checkpoint {id} in {:#?}", cps.iter().map(|c| &c["id"]).collect::<Vec<_>>()))
}

#[test]
fn wheel_week_due_is_the_friday_and_fans_out_per_unit() {
    let t = workflow(PLAN);
    let cps = plan_json(t.path(), &[]);
    // "due: vecka 12": the Friday of ISO week 12, 2021 = 26 March 2021.
    let parent = find(&cps, "testkommun/arshjul/dialogmote-vt/2021");
    assert_eq!(parent["date"], "2021-03-26");
    assert_eq!(parent["owner_role"], "forvaltningschef");
    assert_eq!(parent["unit"], Value::Null);
    let child = find(&cps, "testkommun/arshjul/dialogmote-vt/norrskolan/2021");
    assert_eq!(child["date"], "2021-03-26");
    assert_eq!(child["owner_role"], "rektor");
    assert_eq!(child["unit"], "norrskolan");
    assert_eq!(child["parent"], "testkommun/arshjul/dialogmote-vt/2021");
}

#[test]
fn due_on_a_weekend_rolls_to_the_previous_working_day() {
    let t = workflow(PLAN);
    let cps = plan_json(t.path(), &[]);
    // 15 May 2021 is a Saturday → Friday 14 May.
    let c = find(&cps, "testkommun/plan-2021/matematik/delarsrapport-1/2021");
    assert_eq!(c["date"], "2021-05-14");
    assert_eq!(c["nominal_date"], "2021-05-15");
    // "maj 2021": the last working day of May 2021 is Monday 31 May.
    assert_eq!(find(&cps, "testkommun/plan-2021/matematik/utvardering")["date"], "2021-05-31");
}

#[test]
fn plan_follow_up_at_a_per_unit_wheel_checkpoint_fans_out_to_each_rektor() {
    let t = workflow(PLAN);
    let cps = plan_json(t.path(), &[]);
    let children: Vec<&Value> = cps.iter().filter(|c| c["parent"] == "testkommun/plan-2021/matematik/dialogmote-vt/2021").collect();
    let units: Vec<&str> = children.iter().map(|c| c["unit"].as_str().unwrap_or("")).collect();
    assert_eq!(units, ["norrskolan", "soderskolan"]);
    assert!(children.iter().all(|c| c["owner_role"] == "rektor" && c["initiative"] == "matematik"));
}

#[test]
fn output_is_sorted_by_date_and_json_has_the_documented_fields() {
    let t = workflow(PLAN);
    let cps = plan_json(t.path(), &[]);
    let dates: Vec<&str> = cps.iter().filter_map(|c| c["date"].as_str()).collect();
    let mut sorted = dates.clone();
    sorted.sort();
    assert_eq!(dates, sorted);
    for key in ["id", "date", "plan", "initiative", "title", "owner_role", "unit"] {
        assert!(cps.iter().all(|c| c.get(key).is_some()), "missing {key}");
    }
}

#[test]
fn moving_a_date_keeps_the_id() {
    let t = workflow(PLAN);
    let before = plan_json(t.path(), &[]);
    t.write("testkommun/plan.yaml", PLAN.replace("when: maj 2021", "when: juni 2021"));
    let after = plan_json(t.path(), &[]);
    let id = "testkommun/plan-2021/matematik/utvardering";
    assert_eq!(find(&before, id)["date"], "2021-05-31");
    // 30 June 2021 is a Wednesday.
    assert_eq!(find(&after, id)["date"], "2021-06-30");
    let ids = |v: &[Value]| v.iter().map(|c| c["id"].as_str().unwrap_or("").to_owned()).collect::<std::collections::BTreeSet<_>>();
    assert_eq!(ids(&before), ids(&after));
}

#[test]
fn filters_by_role_unit_and_window() {
    let t = workflow(PLAN);
    let rektor = plan_json(t.path(), &["--role", "rektor"]);
    assert!(!rektor.is_empty() && rektor.iter().all(|c| c["owner_role"] == "rektor"));
    let norr = plan_json(t.path(), &["--unit", "norrskolan"]);
    assert!(!norr.is_empty() && norr.iter().all(|c| c["unit"] == "norrskolan"));
    let spring = plan_json(t.path(), &["--from", "2021-01-01", "--to", "2021-04-30"]);
    assert!(spring.iter().all(|c| c["date"].as_str().is_some_and(|d| ("2021-01-01".."2021-05-01").contains(&d))));
    assert!(spring.iter().any(|c| c["date"] == "2021-03-26"));
}

#[test]
fn csv_and_table_formats() {
    let t = workflow(PLAN);
    let d = t.path().to_string_lossy().into_owned();
    let csv = arshjul(&["plan", &d, "--format", "csv"]);
    assert_eq!(csv.code, 0);
    let mut lines = csv.stdout.lines();
    assert_eq!(lines.next(), Some("id,date,plan,initiative,part,kind,title,owner_role,unit,parent,label"));
    assert!(csv.stdout.contains("testkommun/plan-2021/matematik/utvardering,2021-05-31,plan-2021,matematik,,"), "{}", csv.stdout);
    let table = arshjul(&["plan", &d]);
    assert_eq!(table.code, 0);
    assert!(table.stdout.contains("2021-03-26 fre v12"), "{}", table.stdout);
    assert!(table.stdout.contains("Norrskolan"), "{}", table.stdout);
}

#[test]
fn reversed_window_is_a_usage_error() {
    let t = workflow(PLAN);
    let out = arshjul(&["plan", &t.path().to_string_lossy(), "--from", "2021-06-01", "--to", "2021-01-01"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("byt plats"), "{}", out.stderr);
}
