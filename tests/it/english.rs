//! `--lang en` / ARSHJUL_LANG=en is English everywhere a user reads: the state commands'
//! output and refusals, and configuration errors (issue 8.7).

use crate::support::{Output, PLAN, TempDir, arshjul_env, workflow};

const EVAL: &str = "testkommun/plan-2021/matematik/utvardering";

fn run(defs: &TempDir, db: &TempDir, now: &str, args: &[&str]) -> Output {
    let url = format!("sqlite://{}", db.path().join("a.db").display());
    let dir = defs.path().to_string_lossy().into_owned();
    let people = db.path().join("people.csv").to_string_lossy().into_owned();
    let env = [
        ("DATABASE_URL", url.as_str()),
        ("ARSHJUL_NOW", now),
        ("ARSHJUL_WORKFLOWS", &dir),
        ("ARSHJUL_PEOPLE", &people),
        ("ARSHJUL_LANG", "en"),
    ];
    let out = arshjul_env(args, &env);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    out
}

/// Swedish words that must not appear in English output (the outcome words themselves may:
/// they are what `--outcome` accepts).
fn no_swedish(s: &str) {
    for w in ["rapporterad", "godkänd", "fortlöpande", "kontrollpunkter", "försenad", "inget datum", "ange ", "okänd"] {
        assert!(!s.contains(w), "Swedish `{w}` in English output:\n{s}");
    }
}

#[test]
fn state_commands_speak_english() {
    let (defs, db) = (workflow(PLAN), TempDir::new());
    let now = "2021-05-20T08:00:00Z";
    let dir = defs.path().to_string_lossy().into_owned();
    assert_eq!(run(&defs, &db, "2021-01-04T07:00:00Z", &["sync", &dir]).code, 0);

    let out = run(
        &defs,
        &db,
        now,
        &["report", EVAL, "--outcome", "påbörjad men ej slutförd", "--uppfoljning", "U", "--analys", "A", "--as", "r@k.se"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout.trim(), format!("{EVAL}: reported"));
    let out = run(&defs, &db, now, &["approve", EVAL, "--as", "c@k.se"]);
    assert_eq!(out.stdout.trim(), format!("{EVAL}: approved"), "{}", out.stderr);

    let hist = run(&defs, &db, now, &["history", EVAL]);
    assert_eq!(hist.code, 0, "{}", hist.stderr);
    assert!(hist.stdout.contains("started but not finished"), "{}", hist.stdout);
    no_swedish(&hist.stdout);

    let status = run(&defs, &db, now, &["status"]);
    assert!(status.stdout.contains("checkpoints,") && status.stdout.contains("Due"), "{}", status.stdout);
    no_swedish(&status.stdout);

    // Refusals and bad input.
    let again = run(&defs, &db, now, &["approve", EVAL, "--as", "c@k.se"]);
    assert_ne!(again.code, 0);
    no_swedish(&again.stderr);
    for args in [
        &["reschedule", EVAL, "2021-02-30", "--reason", "x", "--as", "c@k.se"][..],
        &["report", EVAL, "--outcome", "klar", "--uppfoljning", "U", "--as", "r@k.se"][..],
        &["status", "--state", "klar"][..],
        &["waive", EVAL, "--reason", "x", "--as", " "][..],
        &["history", "ingen/sadan"][..],
    ] {
        let out = run(&defs, &db, now, args);
        assert_ne!(out.code, 0, "{args:?}");
        assert!(!out.stderr.trim().is_empty(), "{args:?}");
        no_swedish(&out.stderr);
    }
}

#[test]
fn configuration_errors_speak_english() {
    let t = TempDir::new();
    let bad = t.write("bad.toml", "[daemon]\nconcurrency = 0\n");
    let out = arshjul_env(&["status"], &[("ARSHJUL_CONFIG", &bad.to_string_lossy()), ("ARSHJUL_LANG", "en")]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("bad.toml:2:15: daemon.concurrency: `0` must be a whole number from 1 to 64."), "{}", out.stderr);
    let out = arshjul_env(&["--lang", "en", "status"], &[("ARSHJUL_SMTP_URL", "smtp://smtp.example.org")]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("ARSHJUL_SMTP_URL: invalid SMTP URL: the port is missing after `smtp.example.org`"), "{}", out.stderr);
    let out = arshjul_env(&["status"], &[("ARSHJUL_SMTP_URL", "smtp://smtp.example.org")]);
    assert!(out.stderr.contains("ARSHJUL_SMTP_URL: ogiltig SMTP-URL: porten saknas"), "{}", out.stderr);
}
