//! Seed tests for workflows/timra: "Insatser för en likvärdig skola", Timrå kommun, 2019–2020
//! (seed 000). Every date below is worked out from the standard calendar in the comments.

use crate::support::{arshjul, plan_json};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

const PLAN: &str = "timra/likvardig-skola-2019-2020";

/// The five initiatives, one per development area (sections 2–6 of the document).
const INITIATIVES: [&str; 5] =
    ["it-systemstod", "elevhalsoarbete-processer", "halsoframmande-elevhalsa", "ledningsprocesser", "syv-och-nyanlanda"];

fn timra() -> Vec<Value> {
    plan_json(Path::new("workflows"), &["--organisation", "timra"])
}

fn find<'a>(cps: &'a [Value], id: &str) -> &'a Value {
    cps.iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no checkpoint {id} in {:#?}", cps.iter().map(|c| &c["id"]).collect::<Vec<_>>()))
}

/// The ids under which an initiative's wheel follow-up is bound: the initiative itself, or each
/// of its parts when the parts have their own owners (6.1: SYV/PRAO and nyanländas lärande).
fn follow_up_roots(initiative: &str) -> Vec<String> {
    match initiative {
        "syv-och-nyanlanda" => vec![format!("{PLAN}/{initiative}/del-1"), format!("{PLAN}/{initiative}/del-2")],
        _ => vec![format!("{PLAN}/{initiative}")],
    }
}

#[test]
fn timra_check_passes_and_the_plan_has_five_areas_with_one_initiative_each() {
    let out = arshjul(&["check", "workflows/timra"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("1 plan(er), 5 insatser — inga fel"), "{}", out.stdout);

    // Areas as written in the plan file: the `areas:` block up to `initiatives:`.
    let text = std::fs::read_to_string("workflows/timra/plan-2019-2020.yaml").expect("plan file");
    let areas_block = text.split("\nareas:\n").nth(1).and_then(|s| s.split("\ninitiatives:").next()).expect("areas block");
    let areas: Vec<&str> = areas_block.lines().filter(|l| l.trim_start().starts_with("- { id:")).collect();
    assert_eq!(areas.len(), 5, "{areas:#?}");

    // Every area's initiative shows up in the schedule.
    let cps = timra();
    let initiatives: BTreeSet<&str> = cps.iter().filter_map(|c| c["initiative"].as_str()).collect();
    assert_eq!(initiatives, INITIATIVES.into_iter().collect::<BTreeSet<_>>());
}

#[test]
fn timra_vt_2019_dialogue_follow_up_at_organisation_level_and_at_bole_skola() {
    let cps = timra();
    for init in INITIATIVES {
        for root in follow_up_roots(init) {
            // "vid planerade dialogmöten under vt 2019": the wheel's dialogmöte is due in
            // ISO week 12; week 12 of 2019 runs Mon 18 – Sun 24 March → Friday 22 March 2019.
            let org_id = format!("{root}/dialogmote-vt/2019");
            let org = find(&cps, &org_id);
            assert_eq!(org["date"], "2019-03-22", "{org_id}");
            assert_eq!(org["unit"], Value::Null, "{org_id}");
            assert_eq!(org["owner_role"], "forvaltningsledning", "{org_id}");
            assert_eq!(org["parent"], Value::Null, "{org_id}");
            assert_eq!(org["school_break"], Value::Null, "{org_id}");

            let unit_id = format!("{root}/dialogmote-vt/bole-skola/2019");
            let unit = find(&cps, &unit_id);
            assert_eq!(unit["date"], "2019-03-22", "{unit_id}");
            assert_eq!(unit["unit"], "bole-skola", "{unit_id}");
            assert_eq!(unit["owner_role"], "rektor", "{unit_id}");
            assert_eq!(unit["parent"], org_id.as_str(), "{unit_id}");
            assert_eq!(unit["initiative"], init, "{unit_id}");
        }
    }
}

#[test]
fn timra_vt_2020_dialogue_follow_up_at_organisation_level_and_at_bole_skola() {
    let cps = timra();
    for init in INITIATIVES {
        for root in follow_up_roots(init) {
            // "… och vt 2020": ISO week 12 of 2020 runs Mon 16 – Sun 22 March → Friday 20 March 2020.
            let org_id = format!("{root}/dialogmote-vt/2020");
            let org = find(&cps, &org_id);
            assert_eq!(org["date"], "2020-03-20", "{org_id}");
            assert_eq!(org["unit"], Value::Null, "{org_id}");
            assert_eq!(org["owner_role"], "forvaltningsledning", "{org_id}");

            let unit_id = format!("{root}/dialogmote-vt/bole-skola/2020");
            let unit = find(&cps, &unit_id);
            assert_eq!(unit["date"], "2020-03-20", "{unit_id}");
            assert_eq!(unit["unit"], "bole-skola", "{unit_id}");
            assert_eq!(unit["owner_role"], "rektor", "{unit_id}");
            assert_eq!(unit["parent"], org_id.as_str(), "{unit_id}");
        }
    }
}

#[test]
fn timra_dialogue_follow_ups_are_exactly_one_per_term_at_each_level() {
    let cps = timra();
    let plan_dialogues: Vec<&Value> =
        cps.iter().filter(|c| c["plan"] == "likvardig-skola-2019-2020" && c["source"] == "dialogmote-vt").collect();
    // 6 follow-up roots (4 initiatives + the two parts of 6.1) × 2 terms (vt 2019, vt 2020),
    // each once at organisation level and once at Böle skola (the only named unit).
    let org: Vec<&&Value> = plan_dialogues.iter().filter(|c| c["unit"].is_null()).collect();
    let unit: Vec<&&Value> = plan_dialogues.iter().filter(|c| c["unit"] == "bole-skola").collect();
    assert_eq!(org.len(), 12, "{org:#?}");
    assert_eq!(unit.len(), 12, "{unit:#?}");
    assert_eq!(plan_dialogues.len(), 24);
    let dates: BTreeSet<&str> = plan_dialogues.iter().filter_map(|c| c["date"].as_str()).collect();
    assert_eq!(dates, BTreeSet::from(["2019-03-22", "2020-03-20"]));
    // No autumn dialogue: the document names only vt 2019 and vt 2020.
    assert!(!cps.iter().any(|c| c["source"].as_str().is_some_and(|s| s.starts_with("dialogmote-ht"))));
}

#[test]
fn timra_nothing_is_scheduled_outside_2019_2020() {
    let cps = timra();
    assert!(!cps.is_empty());
    for c in &cps {
        let d = c["date"].as_str().unwrap_or_else(|| panic!("undated checkpoint {}", c["id"]));
        assert!(("2019-01-01"..="2020-12-31").contains(&d), "{} on {d}", c["id"]);
    }
    // Both years are actually used (the plan runs "2019/2020").
    assert!(cps.iter().any(|c| c["date"].as_str().is_some_and(|d| d.starts_with("2019-"))));
    assert!(cps.iter().any(|c| c["date"].as_str().is_some_and(|d| d.starts_with("2020-"))));
}

#[test]
fn timra_ids_are_stable_and_named_by_what_they_are() {
    let cps = timra();
    let ids: Vec<&str> = cps.iter().map(|c| c["id"].as_str().expect("id")).collect();
    let unique: BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "duplicate ids");
    for c in &cps {
        let id = c["id"].as_str().unwrap();
        match c["initiative"].as_str() {
            Some(init) => assert!(id.starts_with(&format!("{PLAN}/{init}/")), "{id}"),
            None => assert!(id.starts_with("timra/arshjul/"), "{id}"),
        }
    }
    // Own checkpoints keep ids without dates.
    for id in [
        "timra/likvardig-skola-2019-2020/it-systemstod/rekrytering",
        "timra/likvardig-skola-2019-2020/elevhalsoarbete-processer/genomfort",
        "timra/likvardig-skola-2019-2020/elevhalsoarbete-processer/genomfort/bole-skola",
        "timra/likvardig-skola-2019-2020/halsoframmande-elevhalsa/etablerad",
        "timra/likvardig-skola-2019-2020/ledningsprocesser/del-1/utvardering-handledning",
        "timra/likvardig-skola-2019-2020/ledningsprocesser/del-2/ledningsprocesser-klara",
        "timra/likvardig-skola-2019-2020/syv-och-nyanlanda/del-2/samordnare-bole/bole-skola",
    ] {
        assert!(unique.contains(id), "missing {id}");
    }
}

#[test]
fn timra_tidplan_dates() {
    let cps = timra();
    let date = |id: &str| find(&cps, &format!("{PLAN}/{id}"))["date"].as_str().unwrap().to_owned();
    // "Q1 -19 Rekrytering av verksamhetsutvecklare": last working day of Q1 2019;
    // 31 March 2019 is a Sunday → Friday 29 March.
    assert_eq!(date("it-systemstod/rekrytering"), "2019-03-29");
    // "beräknas vara genomfört december 2019", set to the last day of ht 2019 (the Friday
    // before Christmas Eve, 20 December) rather than 30 December in the jullov.
    assert_eq!(date("elevhalsoarbete-processer/genomfort"), "2019-12-20");
    assert_eq!(date("elevhalsoarbete-processer/genomfort/bole-skola"), "2019-12-20");
    // "etablerade hösten 2020": last working day of ht 2020 = Friday 18 December 2020.
    assert_eq!(date("halsoframmande-elevhalsa/etablerad"), "2020-12-18");
    // "Handledning pågår våren 2019, efter utvärdering …": end of vt 2019 = Friday of week 24, 14 June.
    assert_eq!(date("ledningsprocesser/del-1/utvardering-handledning"), "2019-06-14");
    // "färdigställt hösten 2020": Friday 18 December 2020.
    assert_eq!(date("ledningsprocesser/del-2/ledningsprocesser-klara"), "2020-12-18");
    // "Samordnarrollen … under Böle skola från och med våren 2019": checked by Böle's rektor at the end of vt 2019.
    let bole = find(&cps, &format!("{PLAN}/syv-och-nyanlanda/del-2/samordnare-bole/bole-skola"));
    assert_eq!(bole["date"], "2019-06-14");
    assert_eq!(bole["owner_role"], "rektor");
    assert_eq!(bole["unit"], "bole-skola");
}

#[test]
fn timra_results_go_into_the_annual_quality_report() {
    let cps = timra();
    // "tar med resultaten i huvudmannens årliga kvalitetsrapport som samverkas": the report's
    // samverkan is due in ISO week 40: 2019 → Friday 4 October, 2020 → Friday 2 October.
    for (year, day) in [("2019", "2019-10-04"), ("2020", "2020-10-02")] {
        for init in INITIATIVES {
            for root in follow_up_roots(init) {
                let c = find(&cps, &format!("{root}/kvalitetsrapport-samverkan/{year}"));
                assert_eq!(c["date"], day);
                assert_eq!(c["owner_role"], "forvaltningsledning");
                assert_eq!(c["unit"], Value::Null);
            }
        }
    }
    // The nämnd decides two weeks later, week 42: Friday 18 October 2019 / 16 October 2020.
    assert_eq!(find(&cps, "timra/arshjul/kvalitetsrapport-namnd/2019")["date"], "2019-10-18");
    assert_eq!(find(&cps, "timra/arshjul/kvalitetsrapport-namnd/2020")["date"], "2020-10-16");
}
