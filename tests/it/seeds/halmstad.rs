//! Seed 004: Halmstad, barn- och ungdomsförvaltningens utvecklingsplan 2020–2021, encoded in
//! workflows/halmstad. Every date below follows from the plan's text and the default calendar
//! (Halmstad's own term dates are not in the document): vt = Monday of week 2 – Friday of
//! week 24, ht = Monday of week 34 – last Friday before Christmas Eve, sportlov week 9.

use crate::support::{TempDir, arshjul, plan_json};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

const PLAN: &str = "halmstad/plan-2020-2021";

fn halmstad() -> Vec<Value> {
    plan_json(Path::new("workflows"), &["--organisation", "halmstad"])
}

fn find<'a>(cps: &'a [Value], id: &str) -> &'a Value {
    cps.iter().find(|c| c["id"] == id).unwrap_or_else(|| {
        let ids: Vec<&Value> = cps.iter().map(|c| &c["id"]).filter(|i| !i.as_str().unwrap_or("").contains("/grupp/")).collect();
        panic!("no checkpoint {id} in {ids:#?}")
    })
}

#[test]
fn the_plan_has_the_17_initiatives_of_the_table_of_contents() {
    // Pages 4–20 of the plan hold one insats each (6 + 6 + 2 + 2 under the four board goals,
    // 1 cross-cutting); page 21 is the list of lär- och arbetsgrupper, not an insats.
    let out = arshjul(&["check", "workflows/halmstad"]);
    assert_eq!(out.code, 0, "check failed: {}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("1 plan(er), 17 insatser"), "{}", out.stdout);
    assert!(out.stdout.contains("inga fel"), "{}", out.stdout);

    let cps = halmstad();
    let initiatives: BTreeSet<&str> = cps.iter().filter_map(|c| c["initiative"].as_str()).collect();
    assert_eq!(initiatives.len(), 17, "{initiatives:#?}");
    for id in ["underlag-kvalitet", "kvalitetsdialoger", "barn-och-elevhearings", "framtidens-valfard"] {
        assert!(initiatives.contains(id), "missing {id}");
    }
    assert!(cps.iter().all(|c| c["organisation"] == "halmstad"));
}

#[test]
fn evaluation_in_maj_2021_is_due_monday_31_may() {
    let cps = halmstad();
    // "En utvärdering genomförs i maj 2021": the last working day of May 2021 is Monday 31 May.
    let c = find(&cps, &format!("{PLAN}/kvalitetsdialoger/del-1/utvardering"));
    assert_eq!(c["date"], "2021-05-31");
    assert_eq!(c["kind"], "utvärdering");
    // Tillgängliga lärmiljöer, del 2: "utvärdering med samtliga deltagare, maj 2021" — same day.
    assert_eq!(find(&cps, &format!("{PLAN}/tillgangliga-larmiljoer/del-2/utvardering"))["date"], "2021-05-31");
}

#[test]
fn follow_up_in_ht_2021_is_due_friday_17_december() {
    let cps = halmstad();
    // "Genomförs under ht 2021": ht 2021 ends on the last Friday before Christmas Eve
    // (Friday 24 December 2021), i.e. Friday 17 December 2021, a working day.
    let c = find(&cps, &format!("{PLAN}/tillgangliga-larmiljoer/del-1/observationer-och-intervjuer"));
    assert_eq!(c["date"], "2021-12-17");
    // "hösten 2021" is the same term.
    assert_eq!(find(&cps, &format!("{PLAN}/samverkan-stort-stodbehov/del-1/enkatuppfoljning"))["date"], "2021-12-17");
}

#[test]
fn spring_2020_and_end_of_2020_follow_ups() {
    let cps = halmstad();
    // "under våren 2020": vt 2020 ends on the Friday of week 24 = Friday 12 June 2020.
    assert_eq!(find(&cps, &format!("{PLAN}/barn-och-elevhalsa/del-2/utvecklingsforum"))["date"], "2020-06-12");
    // "Redovisas ... i Lägesbedömningen i slutet av 2020": December 2020; 31 December is
    // nyårsafton (a day off), so the due date rolls back to Wednesday 30 December.
    let c = find(&cps, &format!("{PLAN}/barn-och-elevhalsa/del-1/nulagesanalys-i-lagesbedomning"));
    assert_eq!(c["date"], "2020-12-30");
    assert_eq!(c["nominal_date"], "2020-12-31");
    assert_eq!(c["kind"], "lägesbedömning");
}

#[test]
fn verksamhetsberattelse_is_due_the_last_working_day_of_february() {
    let cps = halmstad();
    // "sista februari": 28 February 2021 is a Sunday → Friday 26 February 2021.
    let w = find(&cps, "halmstad/arshjul/verksamhetsberattelse/2021");
    assert_eq!(w["date"], "2021-02-26");
    assert_eq!(w["nominal_date"], "2021-02-28");
    assert_eq!(w["owner_role"], "forvaltningschef");
    // 2020 is a leap year: 29 February 2020 is a Saturday → Friday 28 February 2020.
    assert_eq!(find(&cps, "halmstad/arshjul/verksamhetsberattelse/2020")["nominal_date"], "2020-02-29");
    assert_eq!(find(&cps, "halmstad/arshjul/verksamhetsberattelse/2020")["date"], "2020-02-28");
    // Every initiative is followed up at the verksamhetsberättelse, owned by its responsible role.
    let c = find(&cps, &format!("{PLAN}/underlag-kvalitet/verksamhetsberattelse/2021"));
    assert_eq!(c["date"], "2021-02-26");
    assert_eq!(c["owner_role"], "avdelningschef-kvalitet");
    // Delårsrapport 1, due 15 May: a Saturday in 2021 → Friday 14 May.
    assert_eq!(find(&cps, &format!("{PLAN}/underlag-kvalitet/delarsrapport-1/2021"))["date"], "2021-05-14");
}

#[test]
fn wheel_follow_ups_stay_inside_the_initiatives_own_period() {
    let cps = halmstad();
    let follow_ups = |prefix: &str| -> Vec<(String, String)> {
        cps.iter()
            .filter(|c| c["id"].as_str().is_some_and(|i| i.starts_with(prefix)) && c["plan"] == "plan-2020-2021")
            .filter(|c| {
                ["delarsrapport-1", "delarsrapport-2", "verksamhetsberattelse", "lagesbedomning"]
                    .contains(&c["source"].as_str().unwrap_or(""))
            })
            .map(|c| (c["id"].as_str().unwrap_or("").to_owned(), c["date"].as_str().unwrap_or("").to_owned()))
            .collect()
    };
    // Riktade insatser: "Förvaltningen fastslår och kommunicerar under 2020 …" (period: Under
    // 2020) — followed up at the wheel's four points of 2020 only, not in 2021.
    let p = format!("{PLAN}/riktade-insatser/");
    let want: Vec<(String, String)> = [
        ("verksamhetsberattelse/2020", "2020-02-28"),
        ("delarsrapport-1/2020", "2020-05-15"),
        ("delarsrapport-2/2020", "2020-09-15"),
        ("lagesbedomning/2020", "2020-12-15"),
    ]
    .iter()
    .map(|(id, d)| (format!("{p}{id}"), (*d).to_owned()))
    .collect();
    assert_eq!(follow_ups(&p), want);
    // Tillgängliga lärmiljöer, del 1: "… kommuniceras till verksamheterna under våren 2020"
    // (vt 2020 = 2020-01-07 – 2020-06-12): the verksamhetsberättelse in February and
    // delårsrapport 1 in May 2020.
    let p = format!("{PLAN}/tillgangliga-larmiljoer/del-1/");
    let got: Vec<String> = follow_ups(&p).into_iter().map(|(id, d)| format!("{} {d}", &id[p.len()..])).collect();
    assert_eq!(got, ["verksamhetsberattelse/2020 2020-02-28", "delarsrapport-1/2020 2020-05-15"]);
}

#[test]
fn steering_group_meets_every_fourth_tuesday_and_skips_sportlov() {
    let cps = halmstad();
    let dates: Vec<&str> = cps
        .iter()
        .filter(|c| c["source"] == "styrgrupp-utvecklad-undervisning")
        .filter_map(|c| c["date"].as_str())
        .filter(|d| d.starts_with("2021"))
        .collect();
    // Every 4th Tuesday from Tuesday 7 January 2020. In 2021 the series runs 5 Jan (before vt
    // starts on Monday 11 Jan: dropped), 2 Feb, 2 Mar (sportlov, week 9: dropped), 30 Mar,
    // 27 Apr, 25 May, 22 Jun (after vt ends on Friday 18 Jun: dropped), 20 Jul, 17 Aug (before
    // ht starts on Monday 23 Aug: dropped), 14 Sep, 12 Oct, 9 Nov, 7 Dec.
    assert_eq!(dates, ["2021-02-02", "2021-03-30", "2021-04-27", "2021-05-25", "2021-09-14", "2021-10-12", "2021-11-09", "2021-12-07"]);
    let first = find(&cps, "halmstad/grupp/styrgrupp-utvecklad-undervisning/2020w02");
    assert_eq!(first["date"], "2020-01-07");
    assert_eq!(first["owner_role"], "sammankallande-utvecklad-undervisning");
    assert_eq!(first["kind"], "möte");
    assert!(cps.iter().all(|c| c["source"] != "styrgrupp-utvecklad-undervisning" || c["school_break"].is_null()));
    // The lärgrupp for Tillgängliga lärmiljöer meets only during läsåret 2020/2021: its first
    // meeting is Tuesday 18 August 2020 (ht 2020 starts Monday 17 August), its last Tuesday
    // 25 May 2021 (the next, 22 June, is after the läsår ends on Friday 18 June).
    let larm: Vec<&str> =
        cps.iter().filter(|c| c["source"] == "tillgangliga-larmiljoer" && c["kind"] == "möte").filter_map(|c| c["date"].as_str()).collect();
    assert_eq!(larm.first(), Some(&"2020-08-18"));
    assert_eq!(larm.last(), Some(&"2021-05-25"));
}

#[test]
fn part_owners_for_1_2_3_own_their_parts_checkpoints() {
    let cps = halmstad();
    // "Ansvarig: Skolområdeschefer (för 1.), Förvaltningschef (för 2.), Avdelningschef Kvalitet (för 3.)"
    let k = |s: &str| format!("{PLAN}/kvalitetsdialoger/{s}");
    assert_eq!(find(&cps, &k("del-1/utvardering"))["owner_role"], "skolomradeschef");
    assert_eq!(find(&cps, &k("del-1/utvardering"))["part"], 1);
    assert_eq!(find(&cps, &k("del-1/delarsrapport-1/2021"))["owner_role"], "skolomradeschef");
    assert_eq!(find(&cps, &k("del-2/delarsrapport-1/2021"))["owner_role"], "forvaltningschef");
    assert_eq!(find(&cps, &k("del-3/lagesbedomning/2020"))["owner_role"], "avdelningschef-kvalitet");
    // "Ansvarig: Avdelningschef Kvalitet (för 1.) Avdelningschef FoU (för 2.)"
    assert_eq!(
        find(&cps, &format!("{PLAN}/barn-och-elevhalsa/del-1/nulagesanalys-i-lagesbedomning"))["owner_role"],
        "avdelningschef-kvalitet"
    );
    assert_eq!(find(&cps, &format!("{PLAN}/barn-och-elevhalsa/del-2/utvecklingsforum"))["owner_role"], "avdelningschef-fou");
    // "Förvaltningschef (för 1.) Lärgrupp Tillgängliga lärmiljöer (för 2)": a group owns part 2.
    assert_eq!(find(&cps, &format!("{PLAN}/tillgangliga-larmiljoer/del-1/stallningstagande"))["owner_role"], "forvaltningschef");
    assert_eq!(find(&cps, &format!("{PLAN}/tillgangliga-larmiljoer/del-2/utvardering"))["owner_role"], "tillgangliga-larmiljoer");
}

#[test]
fn ids_are_stable_when_a_date_moves() {
    let cps = halmstad();
    let id = format!("{PLAN}/kvalitetsdialoger/del-1/utvardering");
    assert_eq!(find(&cps, &id)["date"], "2021-05-31");
    // Termly dialogues carry the term's label; yearly follow-ups the year.
    assert_eq!(find(&cps, &format!("{PLAN}/kvalitetsdialoger/del-1/kvalitetsdialog/ht2020"))["date"], "2020-12-18");
    assert_eq!(find(&cps, &format!("{PLAN}/underlag-kvalitet/del-1/fokusgruppsintervjuer/2021"))["date"], "2021-05-31");

    // Copy the organisation, move the evaluation to June 2021 and compare ids.
    let t = TempDir::new();
    for f in ["organisation.yaml", "arshjul.yaml", "plan-2020-2021.yaml"] {
        let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("workflows/halmstad").join(f)).expect("read");
        let text = if f.starts_with("plan") {
            let moved = text.replacen(
                "            kind: utvärdering\n            when: maj 2021\n",
                "            kind: utvärdering\n            when: juni 2021\n",
                1,
            );
            assert_ne!(moved, text, "the evaluation in maj 2021 was not found");
            moved
        } else {
            text
        };
        t.write(&format!("halmstad/{f}"), text);
    }
    let after = plan_json(t.path(), &["--organisation", "halmstad"]);
    // 30 June 2021 is a Wednesday.
    assert_eq!(find(&after, &id)["date"], "2021-06-30");
    let ids = |v: &[Value]| v.iter().map(|c| c["id"].as_str().unwrap_or("").to_owned()).collect::<BTreeSet<_>>();
    assert_eq!(ids(&cps), ids(&after));
}
