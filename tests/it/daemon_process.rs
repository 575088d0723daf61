//! `arshjul run` as a real process: killed with SIGKILL in the middle of a send and
//! restarted; three of them on one PostgreSQL with one killed mid-dispatch. The loopback
//! SMTP server holds the reply to DATA so that a send is provably in flight when the kill
//! comes. Nothing may be lost; a repeat is allowed only for what was in flight, and it must
//! be recorded.

use crate::smtp_server::SmtpServer;
use crate::store::fresh_postgres;
use crate::support::{PLAN, TempDir, WHEEL};
use arshjul::store::{OutboxRow, Store};
use std::collections::BTreeMap;
use std::process::{Child, Command, ExitStatus, Stdio};

pub(crate) const UNITS: usize = 12;

/// An organisation with 12 schools, each with its rektor in the directory: on Friday
/// 19 March 2021 each of them (and the förvaltningschef) gets a digest for the dialogue
/// meeting of week 12.
pub(crate) fn workflows() -> TempDir {
    let t = TempDir::new();
    let mut org = String::from(
        "organisation:\n  id: testkommun\n  name: Testkommunen\n  roles:\n    forvaltningschef: { name: Förvaltningschef }\n    rektor: { name: Rektor, per_unit: ja, reports_to: forvaltningschef }\n  units:\n",
    );
    let mut people = String::from("organisation,role,unit,name,email\ntestkommun,forvaltningschef,,Cecilia Chef,cecilia@testkommun.se\n");
    for i in 1..=UNITS {
        org.push_str(&format!("    - {{ id: skola{i:02}, name: Skola {i}, kind: grundskola }}\n"));
        people.push_str(&format!("testkommun,rektor,skola{i:02},Rektor {i},rektor{i:02}@testkommun.se\n"));
    }
    t.write("wf/testkommun/organisation.yaml", org);
    t.write("wf/testkommun/arshjul.yaml", WHEEL);
    t.write("wf/testkommun/plan.yaml", PLAN);
    t.write("people.csv", people);
    t
}

/// 08:00 on Friday 19 March 2021, after the send time.
const NOW: &str = "2021-03-19T07:00:00Z";

/// A running `arshjul run`. Dropped without [`terminate`] or [`kill_9`] (a test that failed
/// half-way), it is killed: a failed test must not leave a daemon running on into the next.
pub(crate) struct Daemon(Option<Child>);

impl Daemon {
    fn child(&mut self) -> &mut Child {
        self.0.as_mut().expect("a daemon not yet stopped")
    }

    /// Waits for it to end by itself.
    pub(crate) fn wait(&mut self) -> ExitStatus {
        let status = self.child().wait().unwrap();
        self.0 = None;
        status
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Some(mut c) = self.0.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

pub(crate) fn spawn(t: &TempDir, db: &str, server: &SmtpServer, instance: &str, concurrency: usize, log: &str) -> Daemon {
    spawn_at(t, db, server, instance, concurrency, log, NOW)
}

/// [`spawn`] with the clock starting at `now`.
pub(crate) fn spawn_at(t: &TempDir, db: &str, server: &SmtpServer, instance: &str, concurrency: usize, log: &str, now: &str) -> Daemon {
    let log = std::fs::File::create(t.path().join(log)).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_arshjul"))
        .env("ARSHJUL_WEB_LISTEN", "127.0.0.1:0")
        .arg("run")
        .current_dir(t.path())
        .env_remove("ARSHJUL_CONFIG")
        .env_remove("ARSHJUL_LANG")
        .env("DATABASE_URL", db)
        .env("ARSHJUL_SMTP_URL", server.url())
        .env("ARSHJUL_MAIL_FROM", "arshjul <arshjul@testkommun.se>")
        .env("ARSHJUL_WORKFLOWS", t.path().join("wf"))
        .env("ARSHJUL_PEOPLE", t.path().join("people.csv"))
        .env("ARSHJUL_NOW", now)
        .env("ARSHJUL_INSTANCE", instance)
        .env("ARSHJUL_CONCURRENCY", concurrency.to_string())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("start arshjul run");
    Daemon(Some(child))
}

/// SIGTERM, and the exit status must be success (a graceful stop).
pub(crate) fn terminate(mut daemon: Daemon, t: &TempDir, log: &str) {
    let ok = Command::new("kill").args(["-TERM", &daemon.child().id().to_string()]).status().unwrap().success();
    assert!(ok, "kill -TERM");
    let status = daemon.wait();
    let log = std::fs::read_to_string(t.path().join(log)).unwrap_or_default();
    assert!(status.success(), "a SIGTERM ends the daemon cleanly: {status:?}\n{log}");
}

/// SIGKILL: no chance to clean up.
pub(crate) fn kill_9(mut daemon: Daemon) {
    daemon.child().kill().unwrap();
    let _ = daemon.wait();
}

/// Polls the outbox (an event wait: the daemons are working on it) until `done` holds.
pub(crate) async fn wait_outbox(t: &TempDir, store: &Store, what: &str, done: impl Fn(&[OutboxRow]) -> bool) -> Vec<OutboxRow> {
    for _ in 0..crate::support::polls(100) {
        let rows = store.outbox().await.unwrap();
        if done(&rows) {
            return rows;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let mut logs = String::new();
    for e in std::fs::read_dir(t.path()).unwrap().flatten().filter(|e| e.path().extension().is_some_and(|x| x == "log")) {
        logs.push_str(&format!("== {}\n{}", e.path().display(), std::fs::read_to_string(e.path()).unwrap_or_default()));
    }
    panic!("waited in vain for {what}: {:#?}\n{logs}", store.outbox().await.unwrap());
}

/// Every digest of [`workflows`] (a rektor per school and the chef) is in the outbox, and
/// every row is sent. (A daemon queues the day's digests as fast as its sends go, so the
/// rows in the outbox may all be sent while the rest are still to be queued.)
pub(crate) fn all_sent(rows: &[OutboxRow]) -> bool {
    rows.len() > UNITS && rows.iter().all(|r| r.status == "sent")
}

/// Message-ID → how many times it arrived.
pub(crate) fn arrivals(server: &SmtpServer) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for r in server.received() {
        *m.entry(crate::mail::header(&r.data, "Message-ID")).or_default() += 1;
    }
    m
}

/// Every row arrived at least once; whatever arrived twice was recorded as a repeat;
/// nothing arrived more than twice. Returns how many arrived twice.
pub(crate) fn check_exactly_once_or_recorded(rows: &[OutboxRow], got: &BTreeMap<String, usize>) -> usize {
    assert!(rows.len() > UNITS, "a digest for every rektor and the chef: {}", rows.len());
    for r in rows {
        let n = got.get(&r.message_id).copied().unwrap_or(0);
        assert!(n >= 1, "lost: {r:?}");
        assert!(n <= 2, "sent {n} times: {r:?}");
        if n == 2 {
            assert!(r.repeats >= 1, "a repeat must be recorded: {r:?}");
        }
    }
    assert_eq!(got.len(), rows.len(), "nothing arrived that is not in the outbox");
    got.values().filter(|&&n| n == 2).count()
}

#[tokio::test]
async fn kill_9_mid_send_then_restart_loses_nothing_and_records_the_repeat() {
    let t = workflows();
    let db = format!("sqlite://{}", t.path().join("arshjul.db").display());
    let server = SmtpServer::start();
    server.hold();
    let first = spawn(&t, &db, &server, "skolserver", 1, "first.log");
    // The first email is in the server; its 250 is held back: the send is in flight.
    server.wait_for(1);
    kill_9(first);
    server.let_go();
    let store = Store::open(&db).await.unwrap();
    let rows = store.outbox().await.unwrap();
    let in_flight: Vec<&OutboxRow> = rows.iter().filter(|r| r.status == "sending").collect();
    assert!(
        !in_flight.is_empty() && in_flight.len() as i64 <= arshjul::engine::lease_window(1, arshjul::store::Engine::Sqlite),
        "the killed daemon's claims are left, at most its window: {rows:#?}"
    );
    assert!(rows.iter().all(|r| r.status != "sent"), "nothing was marked sent: {rows:#?}");

    let again = spawn(&t, &db, &server, "skolserver", 1, "second.log");
    let rows = wait_outbox(&t, &store, "every digest sent", all_sent).await;
    terminate(again, &t, "second.log");
    let got = arrivals(&server);
    let twice = check_exactly_once_or_recorded(&rows, &got);
    assert_eq!(twice, 1, "only the email in flight arrived twice: {got:#?}");
    assert_eq!(rows.iter().map(|r| r.repeats).sum::<i64>(), in_flight.len() as i64, "{rows:#?}");
    let log = std::fs::read_to_string(t.path().join("second.log")).unwrap();
    assert!(log.contains("tas upp igen"), "the restart says it takes up the interrupted sends: {log}");
    store.close().await;
}

#[tokio::test]
async fn three_daemons_on_postgres_one_killed_mid_dispatch() {
    let t = workflows();
    let db = fresh_postgres().await;
    let server = SmtpServer::start();
    server.hold();
    let mut daemons: BTreeMap<&str, Daemon> = BTreeMap::new();
    for name in ["a", "b", "c"] {
        daemons.insert(name, spawn(&t, &db, &server, name, 2, &format!("{name}.log")));
    }
    let store = Store::open(&db).await.unwrap();
    // Wait until one of them has a send in flight (its email is in the server, the reply
    // held): whichever claimed first (a claim may take every row there is).
    let rows = wait_outbox(&t, &store, "a daemon mid-send", |rows| {
        let got = arrivals(&server);
        rows.iter().any(|r| r.lease_owner.is_some() && got.contains_key(&r.message_id))
    })
    .await;
    let got = arrivals(&server);
    let victim: String =
        rows.iter().find(|r| r.lease_owner.is_some() && got.contains_key(&r.message_id)).and_then(|r| r.lease_owner.clone()).unwrap();
    let victim: &str = ["a", "b", "c"].into_iter().find(|n| *n == victim).expect("one of the three");
    kill_9(daemons.remove(victim).unwrap());
    let stranded: Vec<OutboxRow> = store.outbox().await.unwrap().into_iter().filter(|r| r.lease_owner.as_deref() == Some(victim)).collect();
    assert!(
        !stranded.is_empty() && stranded.len() as i64 <= arshjul::engine::lease_window(2, arshjul::store::Engine::Postgres),
        "the killed daemon held at most its window of leased rows: {stranded:#?}"
    );
    server.let_go();
    // The other two finish the rest; the killed one's rows wait for it (same instance name)
    // to come back.
    wait_outbox(&t, &store, "the other two done with the rest", |rows| {
        rows.iter().all(|r| r.status == "sent" || r.lease_owner.as_deref() == Some(victim))
    })
    .await;
    let again = format!("{victim}2.log");
    daemons.insert("again", spawn(&t, &db, &server, victim, 2, &again));
    let rows = wait_outbox(&t, &store, "every digest sent", all_sent).await;
    for (name, d) in daemons {
        let log = if name == "again" { again.clone() } else { format!("{name}.log") };
        terminate(d, &t, &log);
    }
    let got = arrivals(&server);
    let twice = check_exactly_once_or_recorded(&rows, &got);
    assert!(twice <= 2, "at most the killed daemon's two sends in flight arrived twice: {got:#?}");
    assert_eq!(rows.iter().map(|r| r.repeats).sum::<i64>(), stranded.len() as i64, "each stranded row recorded once: {rows:#?}");
    store.close().await;
}

/// What an operator gets when the daemon cannot start: which part is missing or does not
/// answer, and how to fix it — and nothing is written.
#[test]
fn start_up_problems_name_the_part_and_the_fix() {
    let t = workflows();
    let db = format!("sqlite://{}", t.path().join("arshjul.db").display());
    let run = |env: &[(&str, &str)]| {
        let mut all = vec![
            ("ARSHJUL_WORKFLOWS", t.path().join("wf").display().to_string()),
            ("ARSHJUL_PEOPLE", t.path().join("people.csv").display().to_string()),
        ];
        all.extend(env.iter().map(|(k, v)| (*k, (*v).to_owned())));
        let refs: Vec<(&str, &str)> = all.iter().map(|(k, v)| (*k, v.as_str())).collect();
        crate::support::arshjul_env(&["run"], &refs)
    };
    // No SMTP server configured.
    let out = run(&[("DATABASE_URL", &db)]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("ingen SMTP-server är inställd") && out.stderr.contains("ARSHJUL_SMTP_URL"), "{}", out.stderr);
    // A malformed SMTP URL.
    let out = run(&[("DATABASE_URL", &db), ("ARSHJUL_SMTP_URL", "smtp.kommun.se:587")]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("måste börja med smtp://"), "{}", out.stderr);
    // Nobody listens on the SMTP port.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("smtp://127.0.0.1:{port}");
    let out = run(&[("DATABASE_URL", &db), ("ARSHJUL_SMTP_URL", &url)]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains(&format!("SMTP-servern på 127.0.0.1:{port} svarar inte")), "{}", out.stderr);
    assert!(out.stderr.contains("Kontrollera ARSHJUL_SMTP_URL"), "{}", out.stderr);
    // The database does not answer.
    let server = SmtpServer::start();
    let out = run(&[("DATABASE_URL", "postgres://arshjul@127.0.0.1:1/arshjul"), ("ARSHJUL_SMTP_URL", &server.url())]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("kan inte ansluta till databasen `postgres://arshjul@127.0.0.1:1/arshjul`"), "{}", out.stderr);
    assert!(out.stderr.contains("DATABASE_URL"), "{}", out.stderr);
    // A bad send time.
    let out = run(&[("DATABASE_URL", &db), ("ARSHJUL_SMTP_URL", &server.url()), ("ARSHJUL_SEND_TIME", "25:00")]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("utskickstiden `25:00`") && out.stderr.contains("07:30"), "{}", out.stderr);
    // None of these touched the database file, and no email went out.
    assert!(!t.path().join("arshjul.db").exists(), "nothing was created");
    assert!(server.received().is_empty());
}
