//! The store shared by many processes (issue 8): 200 `arshjul report` commands started at
//! once beside a running daemon that is sending the day's reminders. Every one must
//! succeed (no "database is locked", no "pool timed out" on a PostgreSQL server whose
//! connection slots are all taken), and every report must be in the history — on SQLite and
//! on PostgreSQL.

use crate::daemon_process::{spawn_at, terminate, wait_outbox, workflows};
use crate::smtp_server::SmtpServer;
use crate::store::fresh_postgres;
use arshjul::store::{Filter, Store};
use arshjul::workflow::EventKind;
use std::collections::BTreeMap;
use std::process::{Command, Stdio};

const ACTIONS: usize = 200;
const NOW: &str = "2021-03-19T07:00:00Z";

/// The role the PostgreSQL test's commands connect as: a few connection slots only, so the
/// 200 commands find the server full as a municipality's busy server would be (the CI
/// machine's was), and must queue for a slot instead of failing.
const FEW_SLOTS_ROLE: &str = "arshjul_few_slots";
const FEW_SLOTS: u32 = 4;

/// `db` as [`FEW_SLOTS_ROLE`], granted what the commands use.
async fn with_few_slots(db: &str) -> String {
    use sqlx::Executor;
    let pool = sqlx::AnyPool::connect(db).await.unwrap();
    // Roles are the cluster's: made once, by whichever test run gets there first.
    pool.execute(sqlx::AssertSqlSafe(format!(
        "DO $$ BEGIN CREATE ROLE {FEW_SLOTS_ROLE} LOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
    )))
    .await
    .unwrap();
    pool.execute(sqlx::AssertSqlSafe(format!(
        "ALTER ROLE {FEW_SLOTS_ROLE} CONNECTION LIMIT {FEW_SLOTS}; \
         GRANT ALL ON ALL TABLES IN SCHEMA public TO {FEW_SLOTS_ROLE}; \
         GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {FEW_SLOTS_ROLE}"
    )))
    .await
    .unwrap();
    pool.close().await;
    let (scheme, rest) = db.split_once("://").unwrap();
    let host = rest.split_once('@').map_or(rest, |(_, h)| h);
    format!("{scheme}://{FEW_SLOTS_ROLE}@{host}")
}

async fn two_hundred_reports_beside_a_running_daemon(db: &str) {
    let t = workflows();
    let server = SmtpServer::start();
    // Hold the SMTP replies so the daemon is mid-dispatch (leases, marks) while the CLI runs.
    server.hold();
    let daemon = spawn_at(&t, db, &server, "a", 4, "a.log", NOW);
    let store = Store::open(db).await.unwrap();
    let commands_db = if db.starts_with("postgres") { with_few_slots(db).await } else { db.to_owned() };
    wait_outbox(&t, &store, "the daemon queued the day's digests", |rows| !rows.is_empty()).await;
    let ids: Vec<String> = store.status(&Filter::default()).await.unwrap().into_iter().map(|r| r.id).collect();
    assert!(ids.len() >= 20, "enough checkpoints to spread over: {}", ids.len());

    let children: Vec<(String, std::process::Child)> = (0..ACTIONS)
        .map(|i| {
            let id = ids[i % ids.len()].clone();
            let child = Command::new(env!("CARGO_BIN_EXE_arshjul"))
                .env("ARSHJUL_WEB_LISTEN", "127.0.0.1:0")
                .args(["report", &id, "--outcome", "genomförd", "--uppfoljning", &format!("Uppföljning nr {i}"), "--analys", "-"])
                .args(["--as", &format!("rektor{i}@testkommun.se")])
                .current_dir(t.path())
                .env_remove("ARSHJUL_CONFIG")
                .env_remove("ARSHJUL_LANG")
                .env("DATABASE_URL", &commands_db)
                .env("ARSHJUL_NOW", NOW)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("start arshjul report");
            (id, child)
        })
        .collect();
    server.let_go();
    let mut failures = Vec::new();
    let mut expected: BTreeMap<String, usize> = BTreeMap::new();
    for (id, child) in children {
        let out = child.wait_with_output().unwrap();
        if out.status.success() {
            *expected.entry(id).or_default() += 1;
        } else {
            failures.push(format!("{id}: {:?} {}", out.status, String::from_utf8_lossy(&out.stderr)));
        }
    }
    assert!(failures.is_empty(), "{} of {ACTIONS} failed:\n{}", failures.len(), failures.join("\n"));
    // Every report is in its checkpoint's history, none lost, none doubled.
    for (id, n) in &expected {
        let reports = store.history(id).await.unwrap().iter().filter(|e| matches!(e.kind, EventKind::Reported { .. })).count();
        assert_eq!(reports, *n, "{id}");
    }
    wait_outbox(&t, &store, "the daemon finished sending", |rows| rows.iter().all(|r| r.status == "sent")).await;
    terminate(daemon, &t, "a.log");
    store.close().await;
}

#[tokio::test]
async fn sqlite_two_hundred_concurrent_reports_beside_a_running_daemon() {
    let t = crate::support::TempDir::new();
    two_hundred_reports_beside_a_running_daemon(&crate::support::sqlite_url(&t)).await;
}

#[tokio::test]
async fn postgres_two_hundred_concurrent_reports_beside_a_running_daemon() {
    two_hundred_reports_beside_a_running_daemon(&fresh_postgres().await).await;
}
