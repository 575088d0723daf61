//! Calendar feeds from `arshjul ical`, read back by an independent parser: Python's
//! `icalendar` package (pinned in tests/python-requirements.txt, installed by `.ci/run` into
//! `target/pyenv`; another interpreter via `ARSHJUL_PYTHON`). Each checkpoint once, a moved
//! one with a higher SEQUENCE, a cancelled one CANCELLED, times right on both sides of the
//! change to and from summer time (converted to UTC by the package and by the file's own
//! VTIMEZONE), hostile text (line breaks, commas, semicolons, emoji, a 200-character name)
//! intact after folding and escaping, and every line within 75 octets.

use crate::support::{ORG, Output, TempDir, arshjul_env};
use arshjul::store::{Filter, Store};
use chrono::{TimeZone, Utc};
use chrono_tz::Europe::Stockholm;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The interpreter with `icalendar`: ARSHJUL_PYTHON, else `.ci/run`'s venv.
pub fn python() -> PathBuf {
    let p = std::env::var_os("ARSHJUL_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/pyenv/bin/python"));
    assert!(
        p.exists(),
        "{} is missing: run `bash .ci/run deps` (it makes target/pyenv with tests/python-requirements.txt) or set ARSHJUL_PYTHON",
        p.display()
    );
    p
}

/// `file` as Python's icalendar reads it (see tests/python/ical_read.py).
pub fn read_ics(file: &Path) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/ical_read.py");
    let out = std::process::Command::new(python()).arg(script).arg(file).output().expect("run python");
    assert!(out.status.success(), "icalendar could not read {}: {}", file.display(), String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON from ical_read.py")
}

/// A 200-character initiative name with commas and a semicolon.
fn long_name() -> String {
    let mut s = String::from("Matematiklyftet, steg ett; ");
    while s.chars().count() < 200 {
        s.push_str("åäö, ");
    }
    s.chars().take(200).collect::<String>().trim_end().to_owned()
}

const PLAN_NAME: &str = "Plan 2021, \"Trygghet\"; del \\ 1\nandra raden 😀";

fn wheel() -> &'static str {
    "wheel:
  name: Årshjul
  checkpoints:
    - { id: dialogmote-vt, name: Dialogmöte vt, kind: dialogmöte, due: vecka 12, owner: forvaltningschef, per_unit: rektor }
    - { id: brev, name: Brev till vårdnadshavare, kind: annat, cron: \"30 15 20 1,5 *\", owner: forvaltningschef }
"
}

fn plan(with_extra: bool) -> String {
    let yaml_name = PLAN_NAME.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n");
    let extra = if with_extra { "\n      - { id: extra, name: Extra avstämning, when: juni 2021 }" } else { "" };
    format!(
        "plan:
  id: plan-2021
  name: \"{yaml_name}\"
  period: 2021
initiatives:
  - id: matematik
    name: \"{}\"
    owner: forvaltningschef
    checkpoints:
      - {{ id: utvardering, name: Utvärdering, when: maj 2021 }}{extra}
",
        long_name()
    )
}

const PEOPLE: &str = "organisation,role,unit,name,email
testkommun,forvaltningschef,,Cecilia Chef,cecilia@testkommun.se
testkommun,rektor,norrskolan,Rita Rektor,rita@testkommun.se
testkommun,rektor,soderskolan,Sune Rektor,sune@testkommun.se
";

struct Env {
    defs: TempDir,
    db: TempDir,
}

impl Env {
    fn url(&self) -> String {
        format!("sqlite://{}", self.db.path().join("a.db").display())
    }

    fn run(&self, args: &[&str]) -> Output {
        let defs = self.defs.path().to_string_lossy().into_owned();
        let people = self.defs.path().join("people.csv").to_string_lossy().into_owned();
        let env = [
            ("DATABASE_URL", self.url()),
            ("ARSHJUL_NOW", "2021-01-11T08:00:00Z".to_owned()),
            ("ARSHJUL_WORKFLOWS", defs),
            ("ARSHJUL_PEOPLE", people),
            ("ARSHJUL_BASE_URL", "https://arshjul.example".to_owned()),
        ];
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        arshjul_env(args, &env)
    }

    fn ok(&self, args: &[&str]) -> Output {
        let out = self.run(args);
        assert_eq!(out.code, 0, "arshjul {args:?}: {}", out.stderr);
        out
    }

    fn sync(&self) {
        let dir = self.defs.path().to_string_lossy().into_owned();
        self.ok(&["sync", &dir]);
    }
}

fn events(v: &Value) -> &Vec<Value> {
    v["events"].as_array().expect("events")
}

fn event<'a>(v: &'a Value, uid_part: &str) -> &'a Value {
    events(v).iter().find(|e| e["uid"].as_str().is_some_and(|u| u.contains(uid_part))).unwrap_or_else(|| panic!("no {uid_part} in {v}"))
}

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> String {
    Stockholm.with_ymd_and_hms(y, m, d, h, min, 0).single().unwrap().with_timezone(&Utc).format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[tokio::test]
async fn a_feed_read_back_by_an_independent_parser() {
    let e = Env { defs: TempDir::new(), db: TempDir::new() };
    e.defs.write("testkommun/organisation.yaml", ORG);
    e.defs.write("testkommun/arshjul.yaml", wheel());
    e.defs.write("testkommun/plan.yaml", plan(true));
    let people = e.defs.write("people.csv", PEOPLE).to_string_lossy().into_owned();
    let dir = e.defs.path().to_string_lossy().into_owned();
    e.ok(&["people", "import", &people, "--dir", &dir]);
    e.sync();
    let eval = "testkommun/plan-2021/matematik/utvardering";
    for date in ["2021-05-24", "2021-05-26"] {
        e.ok(&["reschedule", eval, date, "--reason", "Krock med nämndmöte.", "--as", "cecilia@testkommun.se"]);
    }
    e.defs.write("testkommun/plan.yaml", plan(false));
    e.sync();

    let file = e.db.path().join("chef.ics");
    let file_s = file.to_string_lossy().into_owned();
    let out = e.ok(&["ical", "--role", "forvaltningschef", "--organisation", "testkommun", "--dir", &dir, "--output", &file_s]);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    let feed = read_ics(&file);
    assert_eq!(feed["method"], "PUBLISH");
    assert_eq!(feed["bare_lf"], 0, "CRLF only");
    assert!(feed["longest_line"].as_u64().unwrap() <= 75, "{}", feed["longest_line"]);

    // Each stored checkpoint of the role once (cancelled ones too), nothing else.
    let store = Store::open(&e.url()).await.unwrap();
    let f = Filter { role: Some("forvaltningschef".into()), include_cancelled: true, ..Filter::default() };
    let mut want: Vec<String> =
        store.status(&f).await.unwrap().into_iter().filter(|r| r.due.is_some()).map(|r| format!("{}@arshjul", r.id)).collect();
    want.sort();
    let mut got: Vec<String> = events(&feed).iter().map(|x| x["uid"].as_str().unwrap().to_owned()).collect();
    got.sort();
    assert!(want.len() >= 4, "{want:?}");
    assert_eq!(got, want);

    // Moved twice: SEQUENCE 2 and the new date; cancelled: STATUS:CANCELLED; the rest 0.
    let moved = event(&feed, "/matematik/utvardering@");
    assert_eq!((moved["sequence"].as_u64(), moved["start_date"].as_str()), (Some(2), Some("2021-05-26")), "{moved}");
    assert_eq!(moved["status"], "CONFIRMED");
    let gone = event(&feed, "/matematik/extra@");
    assert_eq!((gone["status"].as_str(), gone["sequence"].as_u64()), (Some("CANCELLED"), Some(1)), "{gone}");
    let untouched = event(&feed, "/arshjul/dialogmote-vt/2021@").clone();
    assert_eq!((untouched["sequence"].as_u64(), untouched["status"].as_str()), (Some(0), Some("CONFIRMED")));

    // 15:30 in Stockholm in winter (CET) and in summer (CEST): the parser's UTC, by its own
    // zone database and by the feed's VTIMEZONE, is chrono-tz's.
    for (m, d) in [(1, 20), (5, 20)] {
        let ev = event(&feed, &format!("/arshjul/brev/2021-{m:02}-{d:02}@"));
        assert_eq!(ev["all_day"], false, "{ev}");
        assert_eq!(ev["start_local"].as_str(), Some(format!("2021-{m:02}-{d:02}T15:30:00").as_str()));
        assert_eq!(ev["start_utc"].as_str(), Some(utc(2021, m, d, 15, 30).as_str()), "{ev}");
        assert_eq!(ev["start_utc_by_vtimezone"], ev["start_utc"], "{ev}");
    }
    assert_ne!(utc(2021, 1, 20, 15, 30)[11..], utc(2021, 5, 20, 15, 30)[11..], "the two sides of summer time differ");

    // Hostile text comes back exactly: the 200-character name in SUMMARY, the plan's name
    // with its line break, quote, backslash and emoji in DESCRIPTION.
    assert_eq!(moved["summary"].as_str(), Some(format!("Utvärdering: {}", long_name()).as_str()));
    assert!(moved["description"].as_str().unwrap().starts_with(&format!("Plan: {PLAN_NAME}\nInsats: ")), "{moved}");
    assert_eq!(moved["url"].as_str(), Some(format!("https://arshjul.example{}", arshjul::web::checkpoint_path(eval)).as_str()));

    // A person's feed: what they own, and nobody else's.
    let out = e.ok(&["ical", "--person", "Rita@testkommun.se", "--dir", &dir]);
    let rita_file = e.db.path().join("rita.ics");
    std::fs::write(&rita_file, &out.stdout).unwrap();
    let rita = read_ics(&rita_file);
    assert!(!events(&rita).is_empty());
    for ev in events(&rita) {
        let uid = ev["uid"].as_str().unwrap();
        assert!(uid.contains("/norrskolan/") && !uid.contains("soderskolan"), "{uid}");
    }
    assert!(rita["name"].as_str().unwrap().contains("Rita Rektor"), "{}", rita["name"]);
}

#[test]
fn an_unknown_person_role_or_unit_is_refused_with_a_suggestion() {
    let e = Env { defs: TempDir::new(), db: TempDir::new() };
    e.defs.write("testkommun/organisation.yaml", ORG);
    e.defs.write("testkommun/arshjul.yaml", wheel());
    e.defs.write("testkommun/plan.yaml", plan(false));
    let dir = e.defs.path().to_string_lossy().into_owned();
    let file = e.db.path().join("x.ics");
    let file_s = file.to_string_lossy().into_owned();
    for (args, says) in [
        (vec!["--role", "rektr"], "okänd roll `rektr`. Menade du `rektor`?"),
        (vec!["--unit", "norrskola"], "okänd enhet `norrskola`. Menade du `norrskolan`?"),
        (vec!["--unit", "norrskolan", "--organisation", "testkomun"], "okänd organisation `testkomun`. Menade du `testkommun`?"),
        (vec!["--person", "rita@testkommun.se"], "okänd person `rita@testkommun.se`"),
    ] {
        let mut a = vec!["ical", "--dir", &dir, "--output", &file_s];
        a.extend(args.iter().copied());
        let out = e.run(&a);
        assert_eq!(out.code, 2, "{a:?}: {}", out.stderr);
        assert!(out.stderr.contains(says), "{a:?}: {}", out.stderr);
        assert!(out.stdout.is_empty() && !file.exists(), "{a:?}: nothing written");
    }
    let mut a = vec!["--lang", "en", "ical", "--dir", &dir, "--role", "rektr"];
    let out = e.run(&a);
    assert!(out.stderr.contains("unknown role `rektr`. Did you mean `rektor`?"), "{}", out.stderr);
    a.truncate(3);
    assert_eq!(e.run(&a).code, 2, "one of --person, --role, --unit is required");
}

#[test]
fn an_administrator_creates_lists_and_revokes_links_on_the_command_line() {
    let e = Env { defs: TempDir::new(), db: TempDir::new() };
    e.defs.write("testkommun/organisation.yaml", ORG);
    e.defs.write("testkommun/arshjul.yaml", wheel());
    e.defs.write("testkommun/plan.yaml", plan(false));
    let people = e.defs.write("people.csv", PEOPLE).to_string_lossy().into_owned();
    let dir = e.defs.path().to_string_lossy().into_owned();
    e.ok(&["people", "import", &people, "--dir", &dir]);
    let out = e.ok(&["ical-link", "create", "--for", "rita@testkommun.se", "--unit", "norrskolan", "--dir", &dir]);
    let url = out.stdout.trim();
    assert!(url.starts_with("https://arshjul.example/ical/") && url.ends_with(".ics"), "{url}");
    let secret = &url["https://arshjul.example/ical/".len()..url.len() - 4];
    let listed = e.ok(&["ical-link", "list"]).stdout;
    let line = listed.lines().next().unwrap_or_default();
    assert!(line.contains("rita@testkommun.se\tunit:norrskolan"), "{listed}");
    assert!(!listed.contains(secret), "the secret is never listed");
    let refused = e.run(&["ical-link", "create", "--for", "okand@testkommun.se", "--dir", &dir]);
    assert_eq!(refused.code, 2);
    assert!(refused.stderr.contains("okänd person `okand@testkommun.se`"), "{}", refused.stderr);
    let id = line.split('\t').next().unwrap();
    e.ok(&["ical-link", "revoke", id]);
    assert!(e.ok(&["ical-link", "list"]).stdout.trim().is_empty());
    let again = e.run(&["ical-link", "revoke", id]);
    assert_eq!(again.code, 2);
    assert!(again.stderr.contains("ingen giltig kalenderlänk"), "{}", again.stderr);
}
