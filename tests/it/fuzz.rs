//! No input may panic the loader: arbitrary bytes, and arbitrary YAML built from the
//! format's own keys (so the generator reaches deep into the readers).

use arshjul::definition::load_sources;
use proptest::prelude::*;
use std::path::PathBuf;

fn files(org: String, wheel: String, plan: String) -> Vec<(PathBuf, Vec<u8>)> {
    vec![
        (PathBuf::from("w/o/organisation.yaml"), org.into_bytes()),
        (PathBuf::from("w/o/arshjul.yaml"), wheel.into_bytes()),
        (PathBuf::from("w/o/plan.yaml"), plan.into_bytes()),
    ]
}

const KEYS: &[&str] = &[
    "organisation",
    "wheel",
    "plan",
    "initiatives",
    "goals",
    "areas",
    "id",
    "name",
    "units",
    "roles",
    "groups",
    "calendar",
    "terms",
    "breaks",
    "vt",
    "ht",
    "dates",
    "start_week",
    "end_week",
    "kind",
    "per_unit",
    "reports_to",
    "checkpoints",
    "due",
    "cron",
    "owner",
    "when",
    "every",
    "during",
    "weekday",
    "follow_up",
    "wheel",
    "parts",
    "number",
    "text",
    "period",
    "reminders",
    "before",
    "units",
    "level",
    "meets",
    "rektor",
    "x",
];
const SCALARS: &[&str] = &[
    "rektor",
    "x",
    "ja",
    "nej",
    "",
    "vt 2021",
    "ht-20–vt-22",
    "30 februari",
    "var 6:e vecka",
    "årligen",
    "fortlöpande",
    "0 8 * * 1",
    "0 0 30 2 *",
    "2021-05-31",
    "vecka 53 2021",
    "all",
    "14d",
    "-1",
    "99999999999999999999",
    "~",
    "[",
    "{",
    ":",
    "\u{0}",
    "å",
    "läsåret 2020/2021",
    "Q5 -19",
    "i slutet av 2020",
    "vt 2022 – ht 2020",
    "sista februari",
    "29 februari",
];

fn yaml_value() -> impl Strategy<Value = String> {
    let leaf = prop::sample::select(SCALARS).prop_map(|s| format!("{s:?}"));
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(|v| format!("[{}]", v.join(", "))),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..6)
                .prop_map(|v| format!("{{{}}}", v.into_iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join(", "))),
        ]
    })
}

fn yaml_doc() -> impl Strategy<Value = String> {
    prop::collection::vec((prop::sample::select(KEYS), yaml_value()), 0..5)
        .prop_map(|v| v.into_iter().map(|(k, v)| format!("{k}: {v}\n")).collect())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(a in prop::collection::vec(any::<u8>(), 0..400), b in prop::collection::vec(any::<u8>(), 0..400)) {
        let (_, diags) = load_sources(vec![(PathBuf::from("w/o/a.yaml"), a), (PathBuf::from("w/o/b.yaml"), b)]);
        for d in diags {
            prop_assert!(d.pos.line >= 1 && !d.sv.is_empty() && !d.en.is_empty());
        }
    }

    #[test]
    fn arbitrary_yaml_never_panics(org in yaml_doc(), wheel in yaml_doc(), plan in yaml_doc()) {
        let (model, diags) = load_sources(files(org, wheel, plan));
        // Either a clean model or located diagnostics — never both silent.
        for d in &diags {
            prop_assert!(d.pos.line >= 1 && !d.sv.is_empty());
        }
        if diags.is_empty() {
            prop_assert!(model.organisations.len() <= 1);
        }
    }
}
