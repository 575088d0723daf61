//! `arshjul simulate --dry-run --format json`: a rehearsal of a term in seconds, one JSON
//! object per email, on a throw-away store.

use crate::support::{PLAN, arshjul, workflow};
use serde_json::Value;

const PEOPLE: &str = "organisation,role,unit,name,email
testkommun,forvaltningschef,,Cecilia Chef,cecilia@testkommun.se
testkommun,rektor,norrskolan,Rita Rektor,rita@testkommun.se
";

#[test]
fn a_spring_term_rehearsed_as_json_lines() {
    let t = workflow(PLAN);
    let people = t.write("people.csv", PEOPLE);
    let dir = t.path().join("testkommun").parent().unwrap().to_string_lossy().into_owned();
    let out = arshjul(&[
        "simulate",
        &dir,
        "--from",
        "2021-01-11",
        "--to",
        "2021-06-18",
        "--dry-run",
        "--format",
        "json",
        "--people",
        &people.to_string_lossy(),
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mails: Vec<Value> = out.stdout.lines().map(|l| serde_json::from_str(l).expect("one JSON object per line")).collect();
    assert!(!mails.is_empty());
    for m in &mails {
        assert!(m["to"].is_string() && m["subject"].as_str().unwrap().starts_with("arshjul: "));
        assert!(m["checkpoints"].as_array().is_some_and(|c| !c.is_empty()));
    }
    // The May evaluation (due Monday 31 May) is first announced 28 days before, Monday 3 May
    // at 07:30 summer time, to the förvaltningschef.
    let first = mails
        .iter()
        .find(|m| m["checkpoints"].as_array().unwrap().iter().any(|c| c == "testkommun/plan-2021/matematik/utvardering"))
        .expect("the evaluation is reminded");
    assert_eq!(first["to"], "cecilia@testkommun.se");
    assert_eq!(first["sent_at"], "2021-05-03T07:30:00+02:00");
    // Winter time before the end of March: the vt dialogue meeting (due Friday 26 March)
    // reaches Rita 28 days before, Friday 26 February at 07:30 +01:00.
    let rita = mails.iter().find(|m| m["to"] == "rita@testkommun.se").expect("a mail to the rektor");
    assert_eq!(rita["sent_at"], "2021-02-26T07:30:00+01:00");
    // Söderskolan's rektor is vacant: its items reach the förvaltningschef.
    assert!(mails.iter().any(|m| m["to"] == "cecilia@testkommun.se"
        && m["checkpoints"].as_array().unwrap().iter().any(|c| c == "testkommun/arshjul/dialogmote-vt/soderskolan/2021")));
    // At most one mail per person per day.
    let mut keys: Vec<(String, String)> =
        mails.iter().map(|m| (m["to"].to_string(), m["sent_at"].as_str().unwrap()[..10].to_owned())).collect();
    let n = keys.len();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), n);
    assert!(out.stderr.contains("e-post till 2 personer"), "{}", out.stderr);
}

#[test]
fn bad_input_is_explained() {
    let out = arshjul(&["simulate", "--from", "2021-02-30", "--to", "2021-06-18", "--dry-run"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("`2021-02-30` är inget datum"), "{}", out.stderr);
    let out = arshjul(&["simulate", "--from", "2021-06-18", "--to", "2021-01-01", "--dry-run"]);
    assert!(out.stderr.contains("byt plats"), "{}", out.stderr);
}

/// Without `--dry-run` the rehearsal sends for real, through ARSHJUL_SMTP_URL (a test
/// mailbox): the same emails the dry run prints arrive at the server.
#[test]
fn a_rehearsal_can_send_to_a_test_mailbox() {
    let t = workflow(PLAN);
    let people = t.write("people.csv", PEOPLE);
    let dir = t.path().to_string_lossy().into_owned();
    let people = people.to_string_lossy().into_owned();
    let args = |dry: bool| {
        let mut a = vec!["simulate", dir.as_str(), "--from", "2021-03-01", "--to", "2021-06-18", "--format", "json", "--people", &people];
        if dry {
            a.push("--dry-run");
        }
        a.into_iter().map(str::to_owned).collect::<Vec<_>>()
    };
    let dry = arshjul(&args(true).iter().map(String::as_str).collect::<Vec<_>>());
    let server = crate::smtp_server::SmtpServer::start();
    let real =
        crate::support::arshjul_env(&args(false).iter().map(String::as_str).collect::<Vec<_>>(), &[("ARSHJUL_SMTP_URL", &server.url())]);
    assert_eq!(real.code, 0, "{}", real.stderr);
    assert_eq!(real.stdout, dry.stdout, "the same emails as the dry run");
    let printed: Vec<Value> = real.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let got = server.received();
    assert_eq!(got.len(), printed.len());
    // Sent concurrently: the same recipients, in any order.
    let mut to: Vec<String> = got.iter().map(|r| r.to.join(",")).collect();
    let mut expect: Vec<String> = printed.iter().map(|m| m["to"].as_str().unwrap().to_owned()).collect();
    to.sort();
    expect.sort();
    assert_eq!(to, expect);
    // And without either, the user is told the two ways.
    let none = arshjul(&args(false).iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(none.code, 2);
    assert!(none.stderr.contains("--dry-run") && none.stderr.contains("ARSHJUL_SMTP_URL"), "{}", none.stderr);
}

/// Issue 8.7: simulate runs on the same configuration as `run` — the send time, the
/// sender's domain in the Message-IDs, the people directory — and speaks English when
/// asked. A bad value says which variable, what it was and what is accepted.
#[test]
fn the_configuration_of_run_is_used_and_english_is_english() {
    let t = workflow(PLAN);
    let people = t.write("people.csv", PEOPLE);
    let dir = t.path().to_string_lossy().into_owned();
    let people = people.to_string_lossy().into_owned();
    let args = ["simulate", &dir, "--from", "2021-01-11", "--to", "2021-06-18", "--dry-run", "--format", "json"];
    let env = [
        ("ARSHJUL_SEND_TIME", "06:45"),
        ("ARSHJUL_MAIL_FROM", "Årshjulet <arshjul@kommun.example>"),
        ("ARSHJUL_PEOPLE", people.as_str()),
        ("ARSHJUL_LANG", "en"),
    ];
    let out = crate::support::arshjul_env(&args, &env);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mails: Vec<Value> = out.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let rita = mails.iter().find(|m| m["to"] == "rita@testkommun.se").expect("ARSHJUL_PEOPLE is read");
    assert_eq!(rita["sent_at"], "2021-02-26T06:45:00+01:00", "ARSHJUL_SEND_TIME is the send time");
    assert!(mails.iter().all(|m| m["message_id"].as_str().unwrap().ends_with("@kommun.example>")), "{}", out.stdout);
    assert!(mails.iter().all(|m| m["subject"].as_str().unwrap().contains("to report")), "{}", out.stdout);
    assert!(out.stderr.contains("emails to 2 people over 159 days"), "{}", out.stderr);
    assert!(!out.stderr.contains("e-post"), "{}", out.stderr);

    let text = crate::support::arshjul_env(&args[..7], &env);
    assert_eq!(text.code, 0, "{}", text.stderr);
    assert!(text.stdout.contains("[for Rektor") && !text.stdout.contains("[för "), "{}", text.stdout);

    let bad = crate::support::arshjul_env(&args, &[("ARSHJUL_SEND_TIME", "7.30")]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("ARSHJUL_SEND_TIME: utskickstiden `7.30` är inget klockslag; skriv timmar och minuter, t.ex. `07:30`."),
        "{}",
        bad.stderr
    );
    let bad = crate::support::arshjul_env(&args, &[("ARSHJUL_SEND_TIME", "7.30"), ("ARSHJUL_LANG", "en")]);
    assert!(bad.stderr.contains("ARSHJUL_SEND_TIME: the send time `7.30` is not a time of day"), "{}", bad.stderr);
}
