//! Warnings in the definitions (issue 8: `jul` read as July) reach the user through every
//! command that loads them, at `file:line:col`, without stopping anything: `check` exits 0
//! on warnings alone, `plan` and `sync` print them and carry on, the daemon logs them
//! (level `warn`, in the configured language) and runs on the new model.

use crate::smtp_server::SmtpServer;
use crate::support::{PLAN, TempDir, arshjul, arshjul_env, workflow};
use std::process::{Command, Stdio};

/// The plan with its one checkpoint in `jul 2021`: line 11, the value at column 53.
fn jul_plan() -> String {
    PLAN.replace("when: maj 2021", "when: jul 2021")
}

const AT: &str = "plan.yaml:11:53:";

/// What follows `AT` on the diagnostic line there, which must be tagged `tag`.
fn warning_line<'a>(stderr: &'a str, tag: &str) -> &'a str {
    let line = stderr.lines().find(|l| l.contains(AT)).unwrap_or_else(|| panic!("no diagnostic at {AT} in:\n{stderr}"));
    let rest = line.split_once(AT).map_or("", |(_, r)| r);
    assert!(rest.starts_with(&format!(" {tag}: ")), "tagged `{tag}`: {line}");
    rest
}

#[test]
fn check_passes_with_a_located_warning() {
    let t = workflow(&jul_plan());
    let out = arshjul(&["check", &t.path().to_string_lossy()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let l = warning_line(&out.stderr, "varning");
    assert!(l.contains("`juli`") && l.contains("`julafton`") && l.contains("`jullovet`"), "{l}");
    assert!(out.stdout.contains("1 insatser — inga fel, 1 varning(ar)."), "{}", out.stdout);

    let en = arshjul(&["--lang", "en", "check", &t.path().to_string_lossy()]);
    assert_eq!(en.code, 0, "{}", en.stderr);
    assert!(warning_line(&en.stderr, "warning").contains("July"), "{}", en.stderr);
    assert!(en.stdout.contains("1 initiatives — no errors, 1 warning(s)."), "{}", en.stdout);
}

#[test]
fn an_error_and_a_warning_are_both_printed_and_counted_apart() {
    let t = workflow(&jul_plan().replace("jul 2021 }", "jul 2021, ownr: rektor }"));
    let out = arshjul(&["check", &t.path().to_string_lossy()]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    warning_line(&out.stderr, "varning");
    assert!(out.stderr.contains("plan.yaml:11:63: okänd nyckel `ownr`"), "{}", out.stderr);
    assert!(out.stderr.contains("1 fel i 1 fil(er) och 1 varning(ar)."), "{}", out.stderr);
    assert!(out.stdout.is_empty(), "{}", out.stdout);

    let en = arshjul(&["--lang", "en", "check", &t.path().to_string_lossy()]);
    assert_eq!(en.code, 1);
    assert!(en.stderr.contains("1 error(s) in 1 file(s) and 1 warning(s)."), "{}", en.stderr);
}

#[test]
fn plan_and_sync_print_the_warning_and_carry_on() {
    let t = workflow(&jul_plan());
    let dir = t.path().to_string_lossy().into_owned();
    let plan = arshjul(&["plan", &dir, "--format", "json"]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    warning_line(&plan.stderr, "varning");
    assert!(plan.stdout.contains("2021-07-"), "the checkpoint is scheduled in July: {}", plan.stdout);

    let db = TempDir::new();
    let url = format!("sqlite://{}", db.path().join("a.db").display());
    let people = db.path().join("people.csv").to_string_lossy().into_owned();
    let env = [("DATABASE_URL", url.as_str()), ("ARSHJUL_NOW", "2021-01-04T07:00:00Z"), ("ARSHJUL_PEOPLE", people.as_str())];
    let sync = arshjul_env(&["sync", &dir], &env);
    assert_eq!(sync.code, 0, "{}", sync.stderr);
    warning_line(&sync.stderr, "varning");
    assert!(sync.stdout.contains("nya, 0 flyttade"), "{}", sync.stdout);
    let en = arshjul_env(&["--lang", "en", "sync", &dir], &env);
    assert_eq!(en.code, 0, "{}", en.stderr);
    warning_line(&en.stderr, "warning");
}

/// The daemon logs the warning as a `warn` line in the configured language (here English,
/// from ARSHJUL_LANG) and syncs the model; a file with an error is logged in English too.
#[test]
fn the_daemon_logs_warnings_in_its_language_and_runs_on() {
    let t = workflow(&jul_plan());
    let server = SmtpServer::start();
    let log = t.path().join("run.log");
    let mut child = Command::new(env!("CARGO_BIN_EXE_arshjul"))
        .env("ARSHJUL_WEB_LISTEN", "127.0.0.1:0")
        .arg("run")
        .arg(t.path())
        .current_dir(t.path())
        .env_remove("ARSHJUL_CONFIG")
        .env("ARSHJUL_LANG", "en")
        .env("DATABASE_URL", format!("sqlite://{}", t.path().join("a.db").display()))
        .env("ARSHJUL_SMTP_URL", server.url())
        .env("ARSHJUL_PEOPLE", t.path().join("people.csv"))
        .env("ARSHJUL_NOW", "2021-03-19T07:00:00Z")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .expect("start arshjul run");
    let read = || std::fs::read_to_string(&log).unwrap_or_default();
    let wait_for = |what: &str| {
        for _ in 0..crate::support::polls(100) {
            if read().contains(what) {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("waited in vain for {what}:\n{}", read());
    };
    // Signals are wired once the loop runs.
    wait_for("arshjul kör");
    // A broken file, then SIGHUP: refused, logged in English, the old model keeps running.
    t.write("testkommun/plan.yaml", jul_plan().replace("owner: forvaltningschef", "owner: rektr"));
    assert!(Command::new("kill").args(["-HUP", &child.id().to_string()]).status().unwrap().success());
    wait_for("unknown role or group `rektr`");
    assert!(Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap().success());
    let status = child.wait().unwrap();
    let text = read();
    assert!(status.success(), "{status:?}\n{text}");
    let lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).expect("JSON log line")).collect();
    let warns: Vec<_> = lines.iter().filter(|l| l["level"] == "warn").collect();
    assert!(!warns.is_empty(), "{text}");
    for w in &warns {
        let d = w["diagnostic"].as_str().unwrap_or_default();
        assert!(d.contains(AT) && d.contains("warning: ") && d.contains("July"), "{w}");
    }
    let loaded = lines.iter().position(|l| l["msg"] == "definitioner inlästa").unwrap();
    let first_warn = lines.iter().position(|l| l["level"] == "warn").unwrap();
    assert!(first_warn < loaded, "the warning comes with the load that keeps the model: {text}");
    let refused: Vec<_> = lines.iter().filter(|l| l["level"] == "error").collect();
    assert!(refused.iter().any(|l| l["diagnostic"].as_str().is_some_and(|d| d.contains("plan.yaml:9:12: unknown role"))), "{text}");
}
