//! Dates stay inside their periods (issue 8, item 4 and 6): wheel follow-ups only within the
//! initiative's (or part's) own period, and a roll that would leave the plan's period turns
//! the other way — or the loader refuses with a located error. Plus a property test over
//! generated plans: no checkpoint of a plan falls outside the plan's period.

use crate::support::{ORG, arshjul, plan_json, workflow};
use arshjul::calendar::DateRange;
use arshjul::definition::load_sources;
use arshjul::schedule::expand;
use chrono::NaiveDate;
use proptest::prelude::*;
use serde_json::Value;
use std::path::PathBuf;

/// (id, date) of every checkpoint whose id starts with `prefix`, in date order.
fn dated(cps: &[Value], prefix: &str) -> Vec<(String, String)> {
    cps.iter()
        .filter(|c| c["id"].as_str().is_some_and(|i| i.starts_with(prefix)))
        .map(|c| (c["id"].as_str().unwrap_or("").to_owned(), c["date"].as_str().unwrap_or("").to_owned()))
        .collect()
}

fn pairs(prefix: &str, rows: &[(&str, &str)]) -> Vec<(String, String)> {
    rows.iter().map(|(id, d)| (format!("{prefix}{id}"), (*d).to_owned())).collect()
}

const LONG_PLAN: &str = "plan:
  id: plan-2021-2025
  name: Plan 2021–2025
  period: 2021–2025
  follow_up: { wheel: all }
initiatives:
  - id: kort
    name: Kort insats
    owner: forvaltningschef
    period: ht 2021 – vt 2022
  - id: lang
    name: Lång insats
    owner: forvaltningschef
  - id: egen
    name: Egen uppföljning
    owner: forvaltningschef
    period: vt 2023
    follow_up: { wheel: [delarsrapport-1] }
";

#[test]
fn wheel_follow_ups_fall_only_inside_the_initiatives_period() {
    let t = workflow(LONG_PLAN);
    let cps = plan_json(t.path(), &[]);
    // ht 2021 – vt 2022 = 2021-08-23 – 2022-06-17. Of the wheel's points (dialogmöte vt in
    // week 12, per rektor; delårsrapport 1 on 15 May) only those of 2022 are inside:
    // Friday of week 12 2022 = 25 March; 15 May 2022 is a Sunday → Friday 13 May.
    assert_eq!(
        dated(&cps, "testkommun/plan-2021-2025/kort/"),
        pairs(
            "testkommun/plan-2021-2025/kort/",
            &[
                ("dialogmote-vt/norrskolan/2022", "2022-03-25"),
                ("dialogmote-vt/soderskolan/2022", "2022-03-25"),
                ("dialogmote-vt/2022", "2022-03-25"),
                ("delarsrapport-1/2022", "2022-05-13"),
            ]
        )
    );
    // Without its own period an initiative has the plan's: every year 2021–2025.
    let lang: Vec<(String, String)> = dated(&cps, "testkommun/plan-2021-2025/lang/delarsrapport-1/");
    assert_eq!(
        lang,
        pairs(
            "testkommun/plan-2021-2025/lang/delarsrapport-1/",
            &[("2021", "2021-05-14"), ("2022", "2022-05-13"), ("2023", "2023-05-15"), ("2024", "2024-05-15"), ("2025", "2025-05-15")]
        )
    );
    // An initiative-level follow_up is bounded the same way: vt 2023 = 2023-01-09 – 2023-06-16.
    assert_eq!(
        dated(&cps, "testkommun/plan-2021-2025/egen/"),
        pairs("testkommun/plan-2021-2025/egen/", &[("delarsrapport-1/2023", "2023-05-15")])
    );
}

#[test]
fn a_parts_own_period_bounds_its_wheel_follow_ups() {
    let t = workflow(
        "plan:
  id: plan-2021-2025
  name: Plan
  period: 2021–2025
  follow_up: { wheel: [delarsrapport-1] }
initiatives:
  - id: delad
    name: Delad insats
    owner: forvaltningschef
    period: 2021–2023
    parts:
      - { number: 1, text: Första delen, owner: strateg, period: vt 2022 }
      - { number: 2, text: Andra delen, owner: forvaltningschef }
",
    );
    t.write("testkommun/organisation.yaml", format!("{ORG}    strateg: {{ name: Strateg, reports_to: forvaltningschef }}\n"));
    let cps = plan_json(t.path(), &[]);
    // Part 1 (vt 2022 = 2022-01-10 – 2022-06-17) at 13 May 2022 only; part 2 has the
    // initiative's period, 2021–2023.
    assert_eq!(
        dated(&cps, "testkommun/plan-2021-2025/delad/del-1/"),
        pairs("testkommun/plan-2021-2025/delad/del-1/", &[("delarsrapport-1/2022", "2022-05-13")])
    );
    let del2: Vec<String> = dated(&cps, "testkommun/plan-2021-2025/delad/del-2/").into_iter().map(|(_, d)| d).collect();
    assert_eq!(del2, ["2021-05-14", "2022-05-13", "2023-05-15"]);
}

#[test]
fn nyarsdagen_at_the_start_of_a_plan_rolls_forward_into_it() {
    let t = workflow(
        "plan:
  id: plan-2021-2023
  name: Plan
  period: 2021–2023
initiatives:
  - id: start
    name: Start
    owner: forvaltningschef
    checkpoints:
      - { id: uppstart, name: Uppstart, when: 1 januari 2021 }
      - { id: slut, name: Slut, when: 31 december 2023, roll: next }
      - { id: mitt, name: Mitt, when: 30 maj 2021 }
",
    );
    let cps = plan_json(t.path(), &[]);
    let find = |id: &str| cps.iter().find(|c| c["id"] == id).unwrap_or_else(|| panic!("no {id}")).clone();
    // Nyårsdagen 2021 is a Friday; backward would be 30 December 2020 (31 December is
    // nyårsafton), outside the plan. Forward: Saturday 2, Sunday 3 → Monday 4 January
    // (trettondedag jul is Wednesday 6 January, not in the way).
    let c = find("testkommun/plan-2021-2023/start/uppstart");
    assert_eq!(c["date"], "2021-01-04");
    assert_eq!(c["nominal_date"], "2021-01-01");
    // Sunday 31 December 2023 with `roll: next` would be 2 January 2024: back to Friday 29th.
    assert_eq!(find("testkommun/plan-2021-2023/start/slut")["date"], "2023-12-29");
    // Inside the plan the rule is unchanged: Sunday 30 May 2021 → Friday 28 May.
    assert_eq!(find("testkommun/plan-2021-2023/start/mitt")["date"], "2021-05-28");
}

const NO_WORKING_DAY: &str = "plan:
  id: nyar
  name: Nyårshelgen
  period: 1–2 januari 2022
initiatives:
  - id: helg
    name: Helg
    owner: forvaltningschef
    checkpoints:
      - { id: dag, name: Dag, when: 1 januari 2022 }
";

#[test]
fn a_date_with_no_working_day_inside_the_plan_is_a_located_error() {
    let t = workflow(NO_WORKING_DAY);
    let dir = t.path().to_string_lossy().into_owned();
    let out = arshjul(&["check", &dir]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    // 1 January 2022 is a Saturday; both ways (31 December 2021, 3 January 2022) leave the
    // plan's period. Line 10, column 37 is the `1 januari 2022` of the `when`.
    let file = t.path().join("testkommun/plan.yaml");
    let line = out.stderr.lines().find(|l| l.contains("ingen arbetsdag")).unwrap_or_else(|| panic!("{}", out.stderr));
    assert!(line.starts_with(&format!("{}:10:37:", file.display())), "{line}");
    assert!(line.contains("`1 januari 2022` (2022-01-01)") && line.contains("2022-01-01 – 2022-01-02"), "{line}");
    assert!(line.contains("närmaste arbetsdag är 2022-01-03") && line.contains("`roll: none`"), "{line}");
    let en = arshjul(&["--lang", "en", "check", &dir]);
    assert_eq!(en.code, 1);
    assert!(en.stderr.contains("is not a working day and cannot be moved to a working day inside the plan's period"), "{}", en.stderr);
    // `roll: none` keeps the day as written, inside the plan.
    t.write("testkommun/plan.yaml", NO_WORKING_DAY.replace("when: 1 januari 2022 }", "when: 1 januari 2022, roll: none }"));
    let cps = plan_json(t.path(), &[]);
    assert_eq!(dated(&cps, "testkommun/nyar/"), pairs("testkommun/nyar/", &[("helg/dag", "2022-01-01")]));
}

// ---- property: no checkpoint of a plan outside the plan's period ----

const MONTHS: &[&str] =
    &["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december"];

fn date_text(d: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{} {} {}", d.day(), MONTHS[d.month0() as usize], d.year())
}

prop_compose! {
    /// A date from 2020 to 2024, biased towards the turn of the year and holidays.
    fn a_date()(y in 2020..2025i32, pick in 0..4u8, day in 0..366u32, off in 0..8u32) -> NaiveDate {
        let base = match pick {
            0 => NaiveDate::from_ymd_opt(y, 1, 1),
            1 => NaiveDate::from_ymd_opt(y, 12, 24),
            2 => NaiveDate::from_ymd_opt(y, 6, 18),
            _ => NaiveDate::from_ymd_opt(y, 1, 1).and_then(|d| d.checked_add_days(chrono::Days::new(day.into()))),
        }
        .unwrap_or_default();
        base.checked_add_days(chrono::Days::new(off.into())).unwrap_or(base)
    }
}

prop_compose! {
    fn a_span()(a in a_date(), len in prop_oneof![0..10u64, 10..800u64]) -> (NaiveDate, NaiveDate) {
        (a, a.checked_add_days(chrono::Days::new(len)).unwrap_or(a))
    }
}

const ROLLS: &[&str] = &["", ", roll: previous", ", roll: next", ", roll: none"];
const WHEEL_DUES: &[&str] = &["1 januari", "31 december", "6 juni", "vecka 52", "sista februari", "24 december", "vecka 1"];
const EVERY: &[&str] =
    &["every: varje vecka", "every: var 3:e vecka", "every: varje månad", "every: varje termin", "every: årligen, due: 1 januari"];

fn yaml(
    plan: (NaiveDate, NaiveDate),
    init: Option<(NaiveDate, NaiveDate)>,
    whens: &[(u64, usize)],
    every: usize,
    wheel: &[usize],
) -> [String; 3] {
    let org =
        "organisation:\n  id: o\n  name: O\n  units:\n    - { id: a, name: A, kind: grundskola }\n  roles:\n    chef: { name: Chef }\n";
    let mut w = String::from("wheel:\n  name: W\n  checkpoints:\n");
    for (i, due) in wheel.iter().enumerate() {
        w.push_str(&format!(
            "    - {{ id: w{i}, name: W, kind: annat, due: {}, owner: chef{} }}\n",
            WHEEL_DUES[*due],
            ROLLS[i % ROLLS.len()]
        ));
    }
    let mut p = format!(
        "plan:\n  id: p\n  name: P\n  period: {} – {}\n  follow_up: {{ wheel: all }}\ninitiatives:\n  - id: i\n    name: I\n    owner: chef\n",
        date_text(plan.0),
        date_text(plan.1)
    );
    if let Some((a, b)) = init {
        p.push_str(&format!("    period: {} – {}\n", date_text(a), date_text(b)));
    }
    p.push_str("    checkpoints:\n");
    let len = (plan.1 - plan.0).num_days().unsigned_abs() + 1;
    for (k, (off, roll)) in whens.iter().enumerate() {
        // A day inside the plan (the loader refuses one outside).
        let d = plan.0.checked_add_days(chrono::Days::new(off % len)).unwrap_or(plan.0);
        p.push_str(&format!("      - {{ id: c{k}, name: C, when: {}{} }}\n", date_text(d), ROLLS[*roll]));
    }
    p.push_str(&format!("      - {{ id: r, name: R, {}{} }}\n", EVERY[every % EVERY.len()], ROLLS[every % ROLLS.len()]));
    [org.to_owned(), w, p]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn no_checkpoint_of_a_plan_falls_outside_its_period(
        plan in a_span(),
        init in proptest::option::of(a_span()),
        whens in proptest::collection::vec((0..800u64, 0..4usize), 0..4),
        every in 0..20usize,
        wheel in proptest::collection::vec(0..WHEEL_DUES.len(), 1..4),
    ) {
        let [org, w, p] = yaml(plan, init, &whens, every, &wheel);
        let files = vec![
            (PathBuf::from("w/o/organisation.yaml"), org.into_bytes()),
            (PathBuf::from("w/o/arshjul.yaml"), w.into_bytes()),
            (PathBuf::from("w/o/plan.yaml"), p.clone().into_bytes()),
        ];
        let (model, diags) = load_sources(files);
        let errors: Vec<_> = diags.iter().filter(|d| d.is_error()).collect();
        // A date outside the plan, or one with no working day inside it, is refused; then
        // nothing reaches the schedule. Otherwise every dated checkpoint is inside.
        prop_assume!(errors.is_empty());
        let period = DateRange { start: plan.0, end: plan.1 };
        let window = DateRange { start: NaiveDate::from_ymd_opt(2019, 1, 1).unwrap(), end: NaiveDate::from_ymd_opt(2028, 12, 31).unwrap() };
        for c in expand(&model, window) {
            if c.plan.is_some() && let Some(d) = c.date {
                prop_assert!(period.contains(d), "{} on {d} outside {period}\n{p}", c.id);
            }
        }
    }
}
