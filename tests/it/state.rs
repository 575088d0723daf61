//! The stored-state commands through the real binary on a real SQLite file: sync, status,
//! report, approve, waive, reschedule, history — and bad input that changes nothing.

use crate::support::{Output, PLAN, TempDir, arshjul_env, workflow};

struct Env {
    defs: TempDir,
    db: TempDir,
}

impl Env {
    fn new() -> Self {
        Self { defs: workflow(PLAN), db: TempDir::new() }
    }

    fn run(&self, now: &str, args: &[&str]) -> Output {
        let url = format!("sqlite://{}", self.db.path().join("a.db").display());
        let defs = self.defs.path().to_string_lossy().into_owned();
        let people = self.db.path().join("people.csv").to_string_lossy().into_owned();
        arshjul_env(args, &[("DATABASE_URL", &url), ("ARSHJUL_NOW", now), ("ARSHJUL_WORKFLOWS", &defs), ("ARSHJUL_PEOPLE", &people)])
    }

    fn sync(&self, now: &str) -> Output {
        let dir = self.defs.path().to_string_lossy().into_owned();
        self.run(now, &["sync", &dir])
    }
}

const EVAL: &str = "testkommun/plan-2021/matematik/utvardering";

#[test]
fn a_follow_up_from_sync_to_approval() {
    let e = Env::new();
    let out = e.sync("2021-01-04T07:00:00Z");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("nya, 0 flyttade"), "{}", out.stdout);
    let again = e.sync("2021-01-05T07:00:00Z");
    assert!(again.stdout.contains(" 0 nya, 0 flyttade, 0 strukna"), "{}", again.stdout);

    let out = e.run(
        "2021-05-20T08:00:00Z",
        &[
            "report",
            EVAL,
            "--outcome",
            "påbörjad men ej slutförd",
            "--uppfoljning",
            "Två av tre moment klara.",
            "--analys",
            "Tiden räckte inte.",
            "--as",
            "rektor@norrskolan.se",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout.trim(), format!("{EVAL}: rapporterad"));
    let out = e.run("2021-05-21T08:00:00Z", &["approve", EVAL, "--as", "chef@testkommun.se"]);
    assert_eq!(out.code, 0, "{}", out.stderr);

    let hist = e.run("2021-05-21T08:00:00Z", &["history", EVAL]);
    let lines: Vec<&str> = hist.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", hist.stdout);
    assert!(lines[0].contains("created") && lines[0].contains("2021-05-31"), "{}", lines[0]);
    assert!(lines[1].contains("reported") && lines[1].contains("rektor@norrskolan.se") && lines[1].contains("påbörjad men ej slutförd"));
    assert!(lines[2].starts_with("2021-05-21 08:00 UTC") && lines[2].contains("approved"));

    let json = e.run("2021-05-21T08:00:00Z", &["status", "--format", "json"]);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&json.stdout).expect("json");
    let row = rows.iter().find(|r| r["id"] == EVAL).expect("the evaluation");
    assert_eq!(row["state"], "approved");
    assert_eq!(row["report"]["outcome"], "paborjad_ej_slutford");
}

#[test]
fn overdue_listing_and_waive_and_reschedule() {
    let e = Env::new();
    e.sync("2021-01-04T07:00:00Z");
    // 2021-06-10: the May evaluation (due 31 May) is 10 days late; the wheel's May report too.
    let out = e.run("2021-06-10T08:00:00Z", &["status", "--overdue"]);
    assert!(out.stdout.contains("försenad 10 d") && out.stdout.contains(EVAL), "{}", out.stdout);
    let out = e.run("2021-06-10T08:00:00Z", &["reschedule", EVAL, "2021-06-25", "--reason", "Flyttas", "--as", "chef"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("ingen arbetsdag"), "midsommarafton: {}", out.stderr);
    let out = e.run("2021-06-10T08:00:00Z", &["reschedule", EVAL, "2021-06-18", "--reason", "Krock med nämndmöte", "--as", "chef"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = e.run("2021-06-10T08:00:00Z", &["status", "--overdue"]);
    assert!(!out.stdout.contains(EVAL), "moved to 18 June, no longer late: {}", out.stdout);
    let out = e.run("2021-06-10T08:00:00Z", &["waive", EVAL, "--reason", "", "--as", "chef"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("ange varför"));
    let out = e.run("2021-06-10T08:00:00Z", &["waive", EVAL, "--reason", "Insatsen avslutad i förtid", "--as", "chef"]);
    assert_eq!(out.stdout.trim(), format!("{EVAL}: avskriven"));
}

#[test]
fn bad_input_is_refused_and_changes_nothing() {
    let e = Env::new();
    e.sync("2021-01-04T07:00:00Z");
    let t = "2021-05-20T08:00:00Z";
    let out = e.run(t, &["report", EVAL, "--outcome", "klar", "--uppfoljning", "x", "--as", "a"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("okänt utfall `klar`"), "{}", out.stderr);
    let out = e.run(t, &["report", EVAL, "--outcome", "ej genomförd", "--uppfoljning", "x", "--as", "a"]);
    assert!(out.stderr.contains("kräver ett skäl"), "{}", out.stderr);
    let out = e.run(t, &["approve", "testkommun/plan-2021/matematik/utvardring", "--as", "a"]);
    assert!(out.stderr.contains("okänd kontrollpunkt") && out.stderr.contains(&format!("Menade du `{EVAL}`?")), "{}", out.stderr);
    let out = e.run(t, &["reschedule", EVAL, "2021-02-30", "--reason", "x", "--as", "a"]);
    assert!(out.stderr.contains("är inget datum"), "{}", out.stderr);
    let out = e.run(t, &["reschedule", EVAL, "2021-05-03", "--reason", "x", "--as", "a"]);
    assert!(out.stderr.contains("har redan passerat"), "{}", out.stderr);
    let hist = e.run(t, &["history", EVAL]);
    assert_eq!(hist.stdout.lines().count(), 1, "only the creation: {}", hist.stdout);
}

#[test]
fn unreachable_database_is_named() {
    let out = arshjul_env(&["status"], &[("DATABASE_URL", "postgres://arshjul:hemligt@127.0.0.1:1/x")]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("kan inte ansluta till databasen `postgres://arshjul:***@127.0.0.1:1/x`"), "{}", out.stderr);
}

#[test]
fn configuration_file_and_environment() {
    let t = TempDir::new();
    let cfg = t.write("arshjul.toml", "[database]\nurl = \"sqlite://nowhere\"\n[definitions]\ndir = \"/nonexistent/defs\"\n");
    let cfg = cfg.to_string_lossy().into_owned();
    // The file's workflows directory is used when none is given…
    let out = arshjul_env(&["check"], &[("ARSHJUL_CONFIG", &cfg)]);
    assert!(out.stderr.contains("/nonexistent/defs"), "{}", out.stderr);
    // …and the environment wins over the file.
    let out = arshjul_env(&["check"], &[("ARSHJUL_CONFIG", &cfg), ("ARSHJUL_WORKFLOWS", "workflows")]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let bad = t.write("bad.toml", "[databse]\nurl = 1\n");
    let out = arshjul_env(&["check"], &[("ARSHJUL_CONFIG", &bad.to_string_lossy())]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("bad.toml:1:2: fel i konfigurationen"), "{}", out.stderr);
}

#[test]
fn people_import_and_vacancies() {
    let e = Env::new();
    e.sync("2021-01-04T07:00:00Z");
    let t = TempDir::new();
    let bad = t.write(
        "people.csv",
        "organisation,role,unit,name,email\ntestkommun,rektr,norrskolan,Rita,rita@k.se\ntestkommun,rektor,norrskolan,Rita,rita-at-k.se\n",
    );
    let out = e.run("2021-01-04T07:00:00Z", &["people", "import", &bad.to_string_lossy()]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("people.csv:2: okänd roll `rektr` i testkommun. Menade du `rektor`?"), "{}", out.stderr);
    assert!(out.stderr.contains("people.csv:3: `rita-at-k.se` är ingen e-postadress"), "{}", out.stderr);
    assert!(out.stderr.contains("ingenting har lästs in"));
    let good = t.write("ok.csv", "organisation,role,unit,name,email\ntestkommun,forvaltningschef,,Cecilia,cecilia@k.se\ntestkommun,rektor,norrskolan,Rita,rita@k.se\n");
    let out = e.run("2021-01-04T07:00:00Z", &["people", "import", &good.to_string_lossy()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout.trim(), "2 personer inlästa.");
    let status = e.run("2021-01-04T07:00:00Z", &["status"]);
    assert!(status.stdout.contains("Vakant: Rektor, Söderskolan (Testkommunens barn- och utbildningsförvaltning)"), "{}", status.stdout);
    assert!(!status.stdout.contains("Norrskolan (Testkommunens"), "Norrskolan has its rektor: {}", status.stdout);
}

#[test]
fn sync_reads_the_people_directory_from_config() {
    let e = Env::new();
    std::fs::write(e.db.path().join("people.csv"), "organisation,role,unit,name,email\ntestkommun,rektor,norrskolan,Rita,rita@k.se\n")
        .unwrap();
    let out = e.sync("2021-01-04T07:00:00Z");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let list = e.run("2021-01-04T07:00:00Z", &["people", "list"]);
    assert!(list.stdout.contains("Rita <rita@k.se>"), "{}", list.stdout);
    // A bad directory stops the sync with the line named, and changes nothing.
    std::fs::write(e.db.path().join("people.csv"), "organisation,role,unit,name,email\ntestkommun,rektor,,Rita,rita@k.se\n").unwrap();
    let out = e.sync("2021-01-05T07:00:00Z");
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("people.csv:2: rollen `rektor` innehas per enhet"), "{}", out.stderr);
    let list = e.run("2021-01-05T07:00:00Z", &["people", "list"]);
    assert!(list.stdout.contains("Rita <rita@k.se>"), "{}", list.stdout);
}

#[test]
fn as_on_the_command_line_is_recorded_as_entered_there() {
    let e = Env::new();
    assert_eq!(e.sync("2021-01-04T07:00:00Z").code, 0);
    let out = e.run("2021-05-20T08:00:00Z", &["waive", EVAL, "--reason", "Avslutad", "--as", "chef@testkommun.se"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let hist = e.run("2021-05-20T08:00:00Z", &["history", EVAL]);
    let lines: Vec<&str> = hist.stdout.lines().collect();
    assert!(!lines[0].contains("via"), "the engine's own events are not: {}", lines[0]);
    assert!(lines[1].contains("chef@testkommun.se (via kommandoraden)") && lines[1].contains("waived"), "{}", hist.stdout);
    let json = e.run("2021-05-20T08:00:00Z", &["history", EVAL, "--format", "json"]);
    let events: Vec<serde_json::Value> = serde_json::from_str(&json.stdout).expect("json");
    assert_eq!(events[1]["actor"], "chef@testkommun.se");
    assert_eq!(events[1]["via"], "cli");
    assert!(events[0].get("via").is_none(), "{}", json.stdout);
}
