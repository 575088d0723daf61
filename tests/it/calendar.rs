//! `arshjul calendar YEAR`: what a user checks their organisation's calendar with.

use crate::support::arshjul;
use serde_json::Value;

#[test]
fn json_lists_holidays_terms_and_breaks() {
    let out = arshjul(&["calendar", "2021", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: Value = serde_json::from_str(&out.stdout).expect("one JSON object");
    let holidays = v["holidays"].as_array().expect("holidays");
    let find = |name: &str| holidays.iter().find(|h| h["name"] == name).map(|h| h["date"].clone());
    assert_eq!(find("långfredagen"), Some(Value::from("2021-04-02")));
    assert_eq!(find("midsommarafton"), Some(Value::from("2021-06-25")));
    assert_eq!(find("alla helgons dag"), Some(Value::from("2021-11-06")));
    assert_eq!(holidays.iter().find(|h| h["name"] == "julafton").map(|h| h["kind"].clone()), Some(Value::from("de_facto")));
    assert_eq!(v["terms"][1], serde_json::json!({ "name": "ht2021", "start": "2021-08-23", "end": "2021-12-17" }));
    assert!(v["breaks"].as_array().unwrap().iter().any(|b| b["name"] == "höstlov" && b["start"] == "2021-11-01"));
    assert_eq!(v["working_days"], 253);
}

#[test]
fn an_organisations_own_calendar() {
    // Höör's sportlov is week 7 (Skåne), not the default week 9.
    let out = arshjul(&["calendar", "2021", "--organisation", "hoor", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    let sportlov = v["breaks"].as_array().unwrap().iter().find(|b| b["name"] == "sportlov").cloned().unwrap();
    assert_eq!(sportlov["start"], "2021-02-15");
    let out = arshjul(&["calendar", "2021", "--organisation", "hor"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("okänd organisation `hor`"), "{}", out.stderr);
}

#[test]
fn text_and_bad_years() {
    let out = arshjul(&["calendar", "2004"]);
    assert!(out.stdout.contains("annandag pingst") && !out.stdout.contains("nationaldag"), "{}", out.stdout);
    let out = arshjul(&["calendar", "1850"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("utanför kalendern"), "{}", out.stderr);
}
