//! `arshjul run` as a real process through faults (issue 8): the database goes away at
//! the send time or in the middle of a dispatch and comes back; a stored row that cannot
//! be sent must not stop the others. PostgreSQL sits behind a loopback proxy the test
//! cuts and restores (the server the other tests share keeps running).

use crate::daemon_process::{all_sent, arrivals, check_exactly_once_or_recorded, spawn_at, terminate, wait_outbox, workflows};
use crate::smtp_server::SmtpServer;
use crate::store::fresh_postgres;
use crate::support::TempDir;
use crate::tcp_proxy::TcpProxy;
use arshjul::store::Store;

/// 07:29:55 local on Friday 19 March 2021: the send time (07:30) comes five seconds after start.
const JUST_BEFORE_SEND: &str = "2021-03-19T06:29:55Z";
/// 08:00 local: past the send time, the daemon sends at once.
const AFTER_SEND: &str = "2021-03-19T07:00:00Z";

/// Polls a daemon's log (an event wait) until it contains `needle`.
async fn wait_log(t: &TempDir, log: &str, needle: &str) -> String {
    for _ in 0..crate::support::polls(100) {
        let text = std::fs::read_to_string(t.path().join(log)).unwrap_or_default();
        if text.contains(needle) {
            return text;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("waited in vain for `{needle}` in {log}:\n{}", std::fs::read_to_string(t.path().join(log)).unwrap_or_default());
}

/// A fresh PostgreSQL database reached through a proxy: (the URL through the proxy, the proxy).
async fn postgres_behind_proxy() -> (String, TcpProxy) {
    let direct = fresh_postgres().await;
    let host = direct.split_once("://").and_then(|(_, r)| r.split_once('/')).map(|(h, _)| h).unwrap_or_default();
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let proxy = TcpProxy::start(host);
    (proxy.url_for(&direct), proxy)
}

#[tokio::test]
async fn database_away_at_the_send_time_sending_resumes_when_it_is_back() {
    let t = workflows();
    let (db, proxy) = postgres_behind_proxy().await;
    let server = SmtpServer::start();
    let daemon = spawn_at(&t, &db, &server, "a", 2, "a.log", JUST_BEFORE_SEND);
    // The first tick, at start, opens the week's checkpoints; then the daemon sleeps
    // until 07:30.
    let log = wait_log(&t, "a.log", "\"opened\"").await;
    assert!(!log.contains("misslyckades"), "{log}");
    proxy.cut();
    // The 07:30 tick fails: the database does not answer.
    wait_log(&t, "a.log", "tick misslyckades").await;
    assert!(server.received().is_empty(), "nothing can be planned without the database");
    proxy.restore();
    // Without a restart, and long before the next day's send time.
    let store = Store::open(&db).await.unwrap();
    let rows = wait_outbox(&t, &store, "every digest sent after the database came back", all_sent).await;
    terminate(daemon, &t, "a.log");
    let got = arrivals(&server);
    assert_eq!(check_exactly_once_or_recorded(&rows, &got), 0, "nothing twice: {got:#?}");
    assert!(rows.iter().all(|r| r.repeats == 0), "{rows:#?}");
    store.close().await;
}

/// The database goes away while emails are in flight: they are delivered, their marks
/// cannot be written. When it comes back the marks are written — nothing is sent again.
#[tokio::test]
async fn database_away_mid_dispatch_the_marks_are_written_later_not_resent() {
    let t = workflows();
    let (db, proxy) = postgres_behind_proxy().await;
    let server = SmtpServer::start();
    server.hold();
    let daemon = spawn_at(&t, &db, &server, "a", 2, "a.log", AFTER_SEND);
    server.wait_for(2);
    proxy.cut();
    server.let_go();
    wait_log(&t, "a.log", "tick misslyckades").await;
    proxy.restore();
    let store = Store::open(&db).await.unwrap();
    let rows = wait_outbox(&t, &store, "every digest sent", all_sent).await;
    terminate(daemon, &t, "a.log");
    let got = arrivals(&server);
    assert_eq!(check_exactly_once_or_recorded(&rows, &got), 0, "the delivered ones were not sent again: {got:#?}");
    store.close().await;
}

/// The database goes away mid-dispatch and the daemon is stopped before it comes back:
/// the rows whose sends were delivered but not recorded are not handed back as fresh; the
/// next start takes them over as repeats, recorded.
#[tokio::test]
async fn database_away_then_a_graceful_stop_records_what_may_repeat() {
    let t = workflows();
    let (db, proxy) = postgres_behind_proxy().await;
    let server = SmtpServer::start();
    server.hold();
    let first = spawn_at(&t, &db, &server, "a", 2, "first.log", AFTER_SEND);
    server.wait_for(2);
    proxy.cut();
    server.let_go();
    wait_log(&t, "first.log", "tick misslyckades").await;
    terminate(first, &t, "first.log");
    proxy.restore();
    let store = Store::open(&db).await.unwrap();
    let second = spawn_at(&t, &db, &server, "a", 2, "second.log", AFTER_SEND);
    let rows = wait_outbox(&t, &store, "every digest sent", all_sent).await;
    terminate(second, &t, "second.log");
    let got = arrivals(&server);
    // Whatever arrived twice is recorded as a repeat (checked inside).
    let twice = check_exactly_once_or_recorded(&rows, &got);
    assert!(twice >= 1, "the sends delivered during the outage were in doubt and went again: {got:#?}");
    store.close().await;
}

/// Rows queued before validation existed (or written by hand): a display name with a bare
/// CR and a header after it, and a payload that is not a digest. Each becomes a permanent
/// failure with its reason; every other email goes out and the daemon keeps running.
#[tokio::test]
async fn a_poisoned_outbox_row_fails_alone_and_everyone_else_gets_mail() {
    use arshjul::remind::{Digest, Person};
    use chrono::{NaiveDate, TimeZone, Utc};
    let t = workflows();
    let db = format!("sqlite://{}", t.path().join("arshjul.db").display());
    let store = Store::open(&db).await.unwrap();
    let day = NaiveDate::from_ymd_opt(2021, 3, 19).unwrap();
    let send_at = Utc.with_ymd_and_hms(2021, 3, 19, 6, 30, 0).unwrap();
    let evil = Digest {
        to: Person { name: "Anna\rBcc: x@evil.example".into(), email: "anna@testkommun.se".into() },
        day,
        send_at,
        items: vec![],
        login: None,
    };
    assert_eq!(store.enqueue(&[evil], "testkommun.se").await.unwrap(), 1);
    let pool = sqlx::AnyPool::connect(&db).await.unwrap();
    sqlx::query(
        "INSERT INTO outbox (key, recipient, day, send_at, message_id, payload, status, attempts, next_attempt_at) \
         VALUES ('trasig@testkommun.se|2021-03-19', 'trasig@testkommun.se', '2021-03-19', '2021-03-19T06:30:00Z', '<x@testkommun.se>', '{not json', 'pending', 0, '2021-03-19T06:30:00Z')",
    )
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;

    let server = SmtpServer::start();
    let daemon = spawn_at(&t, &db, &server, "a", 2, "a.log", AFTER_SEND);
    let done = |rows: &[arshjul::store::OutboxRow]| rows.len() > 2 && rows.iter().all(|r| r.status == "sent" || r.status == "failed");
    let rows = wait_outbox(&t, &store, "every row sent or failed", done).await;
    terminate(daemon, &t, "a.log");
    let failed: Vec<_> = rows.iter().filter(|r| r.status == "failed").collect();
    assert_eq!(failed.len(), 2, "exactly the two poisoned rows failed: {rows:#?}");
    for r in &failed {
        assert!(r.recipient == "anna@testkommun.se" || r.recipient == "trasig@testkommun.se", "{r:?}");
        assert!(r.last_error.as_deref().is_some_and(|e| !e.is_empty()), "a failure says why: {r:?}");
    }
    let sent = rows.iter().filter(|r| r.status == "sent").count();
    assert_eq!(sent, crate::daemon_process::UNITS + 1, "every rektor and the chef got their digest: {rows:#?}");
    assert_eq!(server.received().len(), sent, "nothing else went out (no Bcc to evil.example)");
    assert!(server.received().iter().all(|r| !r.data.contains("evil.example")));
    // The operator sees both failures and why.
    let out = crate::support::arshjul_env(&["outbox", "--status", "failed"], &[("DATABASE_URL", &db)]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("anna@testkommun.se") && out.stdout.contains("trasig@testkommun.se"), "{}", out.stdout);
    store.close().await;
}

/// Makes PostgreSQL refuse new rows in `table` the way a full disk does (SQLSTATE 53100),
/// or lets it take them again.
async fn disk_full(db: &str, table: &str, full: bool) {
    let pool = sqlx::AnyPool::connect(db).await.unwrap();
    let sql = if full {
        format!(
            "CREATE OR REPLACE FUNCTION arshjul_test_disk_full() RETURNS trigger AS $$ BEGIN \
             RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = '53100'; END $$ LANGUAGE plpgsql; \
             CREATE TRIGGER disk_full BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION arshjul_test_disk_full();"
        )
    } else {
        format!("DROP TRIGGER disk_full ON {table};")
    };
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&pool).await.unwrap();
    pool.close().await;
}

/// A full disk at start is reported as what it is (not as bad definitions), and nothing
/// is half-written; a full disk at the send time is ridden out and sending resumes once
/// space is freed, without a restart.
#[tokio::test]
async fn a_full_disk_is_named_at_start_and_ridden_out_while_running() {
    let t = workflows();
    let db = fresh_postgres().await;
    Store::open(&db).await.unwrap().close().await;
    disk_full(&db, "checkpoints", true).await;
    let server = SmtpServer::start();
    let mut child = spawn_at(&t, &db, &server, "a", 2, "start.log", AFTER_SEND);
    let status = child.wait();
    let log = std::fs::read_to_string(t.path().join("start.log")).unwrap();
    assert_eq!(status.code(), Some(2), "{log}");
    assert!(log.contains("definitionerna är rätt men kunde inte sparas i databasen") && log.contains("disken inte är full"), "{log}");
    assert!(!log.contains("innehåller fel"), "{log}");
    disk_full(&db, "checkpoints", false).await;

    let daemon = spawn_at(&t, &db, &server, "a", 2, "a.log", JUST_BEFORE_SEND);
    wait_log(&t, "a.log", "\"opened\"").await;
    disk_full(&db, "outbox", true).await;
    let log = wait_log(&t, "a.log", "tick misslyckades").await;
    assert!(log.contains("No space left on device"), "{log}");
    disk_full(&db, "outbox", false).await;
    let store = Store::open(&db).await.unwrap();
    let rows = wait_outbox(&t, &store, "every digest sent once space was freed", all_sent).await;
    terminate(daemon, &t, "a.log");
    assert_eq!(check_exactly_once_or_recorded(&rows, &arrivals(&server)), 0);
    store.close().await;
}
