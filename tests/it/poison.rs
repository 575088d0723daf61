//! Issue 8.1 through the daemon process: a person whose name cannot stand in a mail header
//! (a directory row stored before import checked it: `Anna\rBcc: x@evil.example`) made
//! lettre panic, and `arshjul run` died at every start, so nobody got any reminder. Now
//! that one mail fails for good with its reason, every other one is sent, and the daemon
//! keeps running.

use crate::smtp_server::SmtpServer;
use crate::support::{ORG, PLAN, TempDir, WHEEL};
use arshjul::remind::Person;
use arshjul::remind::recipients::Holder;
use arshjul::store::Store;
use std::process::{Command, Stdio};

fn holder(role: &str, unit: Option<&str>, name: &str, email: &str) -> Holder {
    Holder {
        organisation: "testkommun".into(),
        role: role.into(),
        unit: unit.map(str::to_owned),
        person: Person { name: name.into(), email: email.into() },
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_poisoned_name_fails_alone_and_the_daemon_sends_the_rest() {
    let t = TempDir::new();
    t.write("wf/testkommun/organisation.yaml", ORG);
    t.write("wf/testkommun/arshjul.yaml", WHEEL);
    t.write("wf/testkommun/plan.yaml", PLAN);
    let db = format!("sqlite://{}", t.path().join("a.db").display());
    let store = Store::open(&db).await.unwrap();
    store
        .replace_people(&[
            holder("forvaltningschef", None, "Cecilia Chef", "cecilia@testkommun.se"),
            holder("rektor", Some("norrskolan"), "Anna\rBcc: x@evil.example", "anna@testkommun.se"),
            holder("rektor", Some("soderskolan"), "Sara Söder", "sara@testkommun.se"),
        ])
        .await
        .unwrap();
    let server = SmtpServer::start();
    let log = std::fs::File::create(t.path().join("run.log")).unwrap();
    // Friday 19 March 2021, 08:00: the week-12 dialogue meeting is announced to each rektor
    // and the förvaltningschef. No people file: the stored directory is used.
    let mut child = Command::new(env!("CARGO_BIN_EXE_arshjul"))
        .env("ARSHJUL_WEB_LISTEN", "127.0.0.1:0")
        .arg("run")
        .current_dir(t.path())
        .env_remove("ARSHJUL_CONFIG")
        .env_remove("ARSHJUL_LANG")
        .env("DATABASE_URL", &db)
        .env("ARSHJUL_SMTP_URL", server.url())
        .env("ARSHJUL_MAIL_FROM", "arshjul <arshjul@testkommun.se>")
        .env("ARSHJUL_WORKFLOWS", t.path().join("wf"))
        .env("ARSHJUL_PEOPLE", t.path().join("no-people.csv"))
        .env("ARSHJUL_NOW", "2021-03-19T07:00:00Z")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("start arshjul run");

    // An event wait: the daemon is working through the outbox.
    let mut rows = Vec::new();
    for _ in 0..crate::support::polls(100) {
        rows = store.outbox().await.unwrap();
        if rows.len() == 3 && rows.iter().all(|r| r.status == "sent" || r.status == "failed") {
            break;
        }
        assert!(child.try_wait().unwrap().is_none(), "the daemon died: {}", std::fs::read_to_string(t.path().join("run.log")).unwrap());
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let log = || std::fs::read_to_string(t.path().join("run.log")).unwrap_or_default();
    assert_eq!(rows.len(), 3, "{rows:#?}\n{}", log());
    let anna = rows.iter().find(|r| r.recipient == "anna@testkommun.se").unwrap();
    assert_eq!(anna.status, "failed", "{anna:#?}");
    let why = anna.last_error.as_deref().unwrap_or_default();
    assert!(why.contains("innehåller ett styrtecken") && why.contains("personkatalogen"), "{why}");
    assert!(rows.iter().filter(|r| r.recipient != "anna@testkommun.se").all(|r| r.status == "sent"), "{rows:#?}");
    let got = server.received();
    let mut to: Vec<String> = got.iter().map(|r| r.to.join(",")).collect();
    to.sort();
    assert_eq!(to, ["cecilia@testkommun.se", "sara@testkommun.se"]);
    assert!(got.iter().all(|r| !r.data.contains("evil.example")));
    assert!(!log().contains("panicked"), "{}", log());

    // Still running; a SIGTERM ends it cleanly.
    assert!(child.try_wait().unwrap().is_none(), "{}", log());
    assert!(Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap().success());
    assert!(child.wait().unwrap().success(), "{}", log());
    let out = crate::support::arshjul_env(&["outbox", "--status", "failed"], &[("DATABASE_URL", &db)]);
    assert!(out.stdout.contains("anna@testkommun.se") && out.stdout.contains("styrtecken"), "{}", out.stdout);
    store.close().await;
}
