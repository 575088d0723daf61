//! Seed tests for workflows/hoor: "Åtgärdsplan – Huvudman Höör", ht 2020 – vt 2022 (seed 002).
//! Höör uses the standard terms with Skåne's sportlov in week 7; every date below is worked
//! out from that calendar in the comments.

use crate::support::{arshjul, plan_json};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

const PLAN: &str = "hoor/atgardsplan-2020-2022";
const INITIATIVES: [&str; 2] = ["effektiva-ledningsteam", "strategisk-handledning"];
const SCHOOLS: [&str; 3] = ["satofta", "ringsjo", "tjornarp"];

fn hoor() -> Vec<Value> {
    plan_json(Path::new("workflows"), &["--organisation", "hoor"])
}

fn find<'a>(cps: &'a [Value], id: &str) -> &'a Value {
    cps.iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no checkpoint {id} in {:#?}", cps.iter().map(|c| &c["id"]).collect::<Vec<_>>()))
}

fn sessions(cps: &[Value]) -> Vec<&Value> {
    cps.iter().filter(|c| c["initiative"] == "effektiva-ledningsteam" && c["source"] == "kompetensutveckling").collect()
}

#[test]
fn hoor_check_passes() {
    let out = arshjul(&["check", "workflows/hoor"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("1 plan(er), 2 insatser — inga fel"), "{}", out.stdout);
}

#[test]
fn hoor_competence_sessions_every_sixth_week_from_ht_2020_to_vt_2022() {
    let cps = hoor();
    let s = sessions(&cps);
    // "ca var 6:e vecka under perioden ht-20–vt-22", on Wednesdays. ht 2020 starts Monday
    // 17 August (week 34), so the first session is Wednesday 19 August 2020; then every 6th
    // ISO week, dropping the weeks that fall in a break or outside the terms:
    //   2020: w34, w40, w46; w52 is jullov (19 Dec – 10 Jan)
    //   2021: w5 (2020 has 53 weeks: w52 + 6 = 2021 w5), w11, w17, w23; w29 is sommarlov; w35, w41, w47
    //   2022: w1 is jullov (until 9 Jan); w7 is Höör's sportlov (14–20 Feb); w13, w19;
    //         w25 is after vt 2022 ends (Friday 17 June).
    let expected = [
        ("2020w34", "2020-08-19"),
        ("2020w40", "2020-09-30"),
        ("2020w46", "2020-11-11"),
        ("2021w05", "2021-02-03"),
        ("2021w11", "2021-03-17"),
        ("2021w17", "2021-04-28"),
        ("2021w23", "2021-06-09"),
        ("2021w35", "2021-09-01"),
        ("2021w41", "2021-10-13"),
        ("2021w47", "2021-11-24"),
        ("2022w13", "2022-03-30"),
        ("2022w19", "2022-05-11"),
    ];
    let got: Vec<&str> = s.iter().filter_map(|c| c["date"].as_str()).collect();
    let want: Vec<&str> = expected.iter().map(|(_, d)| *d).collect();
    assert_eq!(got, want);
    assert_eq!(s.len(), 12);
    assert_eq!(s[0]["date"], "2020-08-19");
    // Ids are labelled by ISO week (zero-padded), not by date or order.
    for (label, day) in expected {
        let c = find(&cps, &format!("{PLAN}/effektiva-ledningsteam/kompetensutveckling/{label}"));
        assert_eq!(c["date"], day, "{label}");
        assert_eq!(c["owner_role"], "utvecklingsstrateg");
        assert_eq!(c["unit"], Value::Null);
    }
}

#[test]
fn hoor_competence_sessions_avoid_breaks_and_stay_inside_terms() {
    let cps = hoor();
    let s = sessions(&cps);
    assert!(!s.is_empty());
    // Terms (standard calendar): ht 2020 17 Aug – 18 Dec, vt 2021 11 Jan – 18 Jun,
    // ht 2021 23 Aug – 17 Dec, vt 2022 10 Jan – 17 Jun.
    let terms = [("2020-08-17", "2020-12-18"), ("2021-01-11", "2021-06-18"), ("2021-08-23", "2021-12-17"), ("2022-01-10", "2022-06-17")];
    // Breaks within the terms: höstlov w44 (26 Oct – 1 Nov 2020, 1–7 Nov 2021), sportlov w7
    // (15–21 Feb 2021, 14–20 Feb 2022), påsklov the week after Easter (5–11 Apr 2021, 18–24 Apr 2022).
    let breaks = [
        ("2020-10-26", "2020-11-01"),
        ("2021-02-15", "2021-02-21"),
        ("2021-04-05", "2021-04-11"),
        ("2021-11-01", "2021-11-07"),
        ("2022-02-14", "2022-02-20"),
        ("2022-04-18", "2022-04-24"),
    ];
    for c in &s {
        let d = c["date"].as_str().expect("dated");
        assert_eq!(c["school_break"], Value::Null, "{} on {d}", c["id"]);
        assert!(terms.iter().any(|(a, b)| (*a..=*b).contains(&d)), "{d} is outside the terms");
        assert!(!breaks.iter().any(|(a, b)| (*a..=*b).contains(&d)), "{d} is in a break");
    }
    // The week-7 session of 2022 (Wednesday 16 February) would fall in Skåne's sportlov.
    assert!(!s.iter().any(|c| c["date"] == "2022-02-16"));
    // Every gap between sessions is a whole number of 6-week steps (42 days).
    let days = |d: &str| {
        let p: Vec<i64> = d.split('-').map(|x| x.parse().unwrap()).collect();
        // days from civil (proleptic Gregorian)
        let (y, m, dd) = (if p[1] <= 2 { p[0] - 1 } else { p[0] }, p[1], p[2]);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + dd - 1;
        era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy
    };
    for w in s.windows(2) {
        let gap = days(w[1]["date"].as_str().unwrap()) - days(w[0]["date"].as_str().unwrap());
        assert!(gap > 0 && gap % 42 == 0, "{} → {}: {gap} days", w[0]["date"], w[1]["date"]);
    }
}

#[test]
fn hoor_each_school_delivers_its_own_analysed_results_owned_by_rektor() {
    let cps = hoor();
    // Results of vt 2020 analysed and delivered in ISO week 38: Friday 18 September 2020.
    // Results of ht 2020 in week 6: Friday 12 February 2021 (before sportlov w7).
    // vt 2021 → Friday 24 September 2021; ht 2021 → Friday 11 February 2022.
    let dates = [
        ("resultatanalys-vt", "2020", "2020-09-18"),
        ("resultatanalys-ht", "2021", "2021-02-12"),
        ("resultatanalys-vt", "2021", "2021-09-24"),
        ("resultatanalys-ht", "2022", "2022-02-11"),
    ];
    for (wheel, year, day) in dates {
        for init in INITIATIVES {
            let org_id = format!("{PLAN}/{init}/{wheel}/{year}");
            let org = find(&cps, &org_id);
            assert_eq!(org["date"], day, "{org_id}");
            assert_eq!(org["unit"], Value::Null);
            assert_eq!(org["owner_role"], "utvecklingsstrateg");
            for school in SCHOOLS {
                let id = format!("{PLAN}/{init}/{wheel}/{school}/{year}");
                let c = find(&cps, &id);
                assert_eq!(c["date"], day, "{id}");
                assert_eq!(c["unit"], school, "{id}");
                assert_eq!(c["owner_role"], "rektor", "{id}");
                assert_eq!(c["parent"], org_id.as_str(), "{id}");
            }
        }
        // The wheel's own checkpoint is received by the sektorsledning.
        let w = find(&cps, &format!("hoor/arshjul/{wheel}/{year}"));
        assert_eq!(w["date"], day);
        assert_eq!(w["owner_role"], "sektorsledning");
    }
}

#[test]
fn hoor_results_checkpoints_fan_out_to_exactly_the_three_schools() {
    let cps = hoor();
    let results: Vec<&Value> = cps.iter().filter(|c| c["source"].as_str().is_some_and(|s| s.starts_with("resultatanalys-"))).collect();
    let org: Vec<&&Value> = results.iter().filter(|c| c["unit"].is_null()).collect();
    let per_unit: Vec<&&Value> = results.iter().filter(|c| !c["unit"].is_null()).collect();
    // 4 deliveries (v38 2020, v6 2021, v38 2021, v6 2022) × (the wheel itself + 2 initiatives).
    assert_eq!(org.len(), 12);
    assert_eq!(per_unit.len(), 3 * org.len());
    let units: BTreeSet<&str> = per_unit.iter().filter_map(|c| c["unit"].as_str()).collect();
    assert_eq!(units, SCHOOLS.into_iter().collect::<BTreeSet<_>>());
    assert!(per_unit.iter().all(|c| c["owner_role"] == "rektor"));
    // Every per-unit checkpoint hangs under an organisation-level one with the same date.
    for c in &per_unit {
        let parent = find(&cps, c["parent"].as_str().expect("parent"));
        assert!(parent["unit"].is_null());
        assert_eq!(parent["date"], c["date"]);
    }
}

#[test]
fn hoor_nothing_is_scheduled_outside_ht_2020_to_vt_2022() {
    let cps = hoor();
    let mut undated = BTreeSet::new();
    for c in &cps {
        match c["date"].as_str() {
            // ht 2020 starts Monday 17 August 2020, vt 2022 ends Friday 17 June 2022.
            Some(d) => assert!(("2020-08-17"..="2022-06-17").contains(&d), "{} on {d}", c["id"]),
            None => {
                undated.insert(c["id"].as_str().unwrap().to_owned());
            }
        }
    }
    // Only the handledning "parallellt med kompetensutvecklingsinsatserna" is listed without a date.
    assert_eq!(undated, BTreeSet::from([format!("{PLAN}/strategisk-handledning/handledning")]));
}
