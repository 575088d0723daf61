//! The store: the same suite against SQLite (a temp file) and PostgreSQL (a fresh database
//! on 127.0.0.1:5432, or ARSHJUL_TEST_PG). Sync by stable id, the state machine through the
//! store, append-only history, and refusals that change nothing.

use crate::support::{PLAN, workflow};
use arshjul::calendar::DateRange;
use arshjul::definition::load_dir;
use arshjul::schedule::{Checkpoint, expand};
use arshjul::store::{Filter, Store};
use arshjul::workflow::{Command, EventKind, Outcome, Report, State, Today};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

static NEXT_DB: AtomicUsize = AtomicUsize::new(0);
static CLEANED: AtomicBool = AtomicBool::new(false);

/// A fresh, empty PostgreSQL database for one test.
pub async fn fresh_postgres() -> String {
    let admin = std::env::var("ARSHJUL_TEST_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    sqlx::any::install_default_drivers();
    let name = format!("arshjul_t_{}_{}", std::process::id(), NEXT_DB.fetch_add(1, Ordering::SeqCst));
    // Other tests may hold every connection slot for a moment (200 concurrent commands):
    // wait for one (an event wait, bounded), then insist.
    let mut pool = sqlx::AnyPool::connect(&admin).await;
    for _ in 0..120 {
        if pool.is_ok() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        pool = sqlx::AnyPool::connect(&admin).await;
    }
    let pool = pool.expect("PostgreSQL must be running on 127.0.0.1:5432 (.ci/run starts it)");
    if !CLEANED.swap(true, Ordering::SeqCst) {
        drop_left_behind(&pool).await;
    }
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name}"))).execute(&pool).await.expect("drop");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&pool).await.expect("create database");
    pool.close().await;
    let base = admin.rsplit_once('/').map(|(b, _)| b.to_owned()).unwrap_or(admin);
    format!("{base}/{name}")
}

/// The databases of earlier test runs whose process has ended (`arshjul_t_{pid}_{n}`),
/// dropped by the first test of a run that needs one: each run otherwise leaves one
/// database per test behind. A database still in use, or one a running process owns, stays.
async fn drop_left_behind(pool: &sqlx::AnyPool) {
    use sqlx::Row;
    let Ok(rows) = sqlx::query("SELECT datname::text FROM pg_database WHERE datname LIKE 'arshjul\\_t\\_%'").fetch_all(pool).await else {
        return;
    };
    for name in rows.iter().filter_map(|r| r.try_get::<String, _>(0).ok()) {
        let pid = name.split('_').nth(2).and_then(|p| p.parse::<u32>().ok());
        if pid.is_some_and(|p| p != std::process::id() && !std::path::Path::new(&format!("/proc/{p}")).exists()) {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name}"))).execute(pool).await;
        }
    }
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn at(y: i32, m: u32, day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, day, 7, 30, 0).unwrap()
}

fn window() -> DateRange {
    DateRange::new(d(2021, 1, 1), d(2021, 12, 31)).unwrap()
}

fn schedule(plan: &str) -> Vec<Checkpoint> {
    let t = workflow(plan);
    expand(&load_dir(t.path()).expect("valid"), window())
}

fn today(date: NaiveDate) -> Today {
    Today { date, target_is_working_day: true, window: None }
}

fn report(outcome: Outcome) -> Report {
    Report {
        outcome,
        reason: None,
        uppfoljning: "Genomfört på båda skolorna.".into(),
        analys: "Effekten syns i resultaten.".into(),
        links: Vec::new(),
    }
}

const EVAL: &str = "testkommun/plan-2021/matematik/utvardering";

async fn sync_is_idempotent_and_by_stable_id(url: &str) {
    let store = Store::open(url).await.expect("open");
    let cps = schedule(PLAN);
    let first = store.sync(&cps, window(), at(2021, 1, 4)).await.unwrap();
    assert_eq!(first.created, cps.len());
    let again = store.sync(&cps, window(), at(2021, 1, 5)).await.unwrap();
    assert_eq!((again.created, again.rescheduled, again.cancelled, again.unchanged), (0, 0, 0, cps.len()));

    // The plan moves its evaluation from May to June: same id, rescheduled, with an event.
    let moved = schedule(&PLAN.replace("when: maj 2021", "when: juni 2021"));
    let r = store.sync(&moved, window(), at(2021, 2, 1)).await.unwrap();
    assert_eq!((r.created, r.rescheduled, r.cancelled), (0, 1, 0));
    let row = store.status(&Filter::default()).await.unwrap().into_iter().find(|r| r.id == EVAL).unwrap();
    assert_eq!((row.due, row.rescheduled), (Some(d(2021, 6, 30)), true));

    // The checkpoint leaves the plan: cancelled, not deleted; it comes back: restored.
    let without: String = PLAN.lines().filter(|l| !l.contains("utvardering")).map(|l| format!("{l}\n")).collect();
    let gone = schedule(&without.replace("    checkpoints:\n", ""));
    let r = store.sync(&gone, window(), at(2021, 3, 1)).await.unwrap();
    assert_eq!(r.cancelled, 1);
    assert!(store.status(&Filter::default()).await.unwrap().iter().all(|r| r.id != EVAL));
    let all = store.status(&Filter { include_cancelled: true, ..Filter::default() }).await.unwrap();
    assert_eq!(all.iter().find(|r| r.id == EVAL).map(|r| r.state), Some(State::Cancelled));
    let r = store.sync(&moved, window(), at(2021, 3, 2)).await.unwrap();
    assert_eq!(r.restored, 1);
    let kinds: Vec<String> =
        store.history(EVAL).await.unwrap().iter().map(|e| format!("{:?}", e.kind).split([' ', '{']).next().unwrap().to_owned()).collect();
    assert_eq!(kinds, ["Created", "Rescheduled", "Cancelled", "Restored"]);
    store.close().await;
}

async fn report_and_approve_through_the_store(url: &str) {
    let store = Store::open(url).await.unwrap();
    store.sync(&schedule(PLAN), window(), at(2021, 1, 4)).await.unwrap();
    let now = at(2021, 5, 20);
    let ok = store.act(EVAL, &Command::Report(report(Outcome::Genomford)), "anna@testkommun.se", now, today(d(2021, 5, 20))).await.unwrap();
    assert_eq!(ok.unwrap().status.state, State::Reported);
    // Approving twice: the second is refused and changes nothing.
    store.act(EVAL, &Command::Approve, "chef@testkommun.se", now, today(d(2021, 5, 20))).await.unwrap().unwrap();
    let refused = store.act(EVAL, &Command::Approve, "chef@testkommun.se", now, today(d(2021, 5, 20))).await.unwrap().unwrap_err();
    assert!(refused.sv.contains("godkänd"), "{}", refused.sv);
    let h = store.history(EVAL).await.unwrap();
    assert_eq!(h.len(), 3);
    assert_eq!(h[1].actor, "anna@testkommun.se");
    assert!(matches!(&h[1].kind, EventKind::Reported { report, .. } if report.outcome == Outcome::Genomford));
    assert_eq!(h[2].at, now);
    let row = store.status(&Filter::default()).await.unwrap().into_iter().find(|r| r.id == EVAL).unwrap();
    assert_eq!(row.state, State::Approved);
    assert_eq!(row.report.map(|r| r.uppfoljning), Some("Genomfört på båda skolorna.".to_owned()));
    store.close().await;
}

/// Two processes on one store (two `Store`s, each with its own memory of recent standings):
/// what one did is what the other judges on, never a standing it remembered from before.
async fn another_process_act_is_judged_on(url: &str) {
    let server = Store::open(url).await.unwrap();
    server.sync(&schedule(PLAN), window(), at(2021, 1, 4)).await.unwrap();
    let cli = Store::open(url).await.unwrap();
    let (now, t) = (at(2021, 5, 20), today(d(2021, 5, 20)));
    // The server acts (and remembers the standing it left), the other process approves.
    server.act(EVAL, &Command::Report(report(Outcome::Genomford)), "anna@testkommun.se", now, t).await.unwrap().unwrap();
    cli.act(EVAL, &Command::Approve, "chef@testkommun.se", now, t).await.unwrap().unwrap();
    // The server must see the approval: approving again is refused, and a report on an
    // approved checkpoint too.
    let refused = server.act(EVAL, &Command::Approve, "chef@testkommun.se", now, t).await.unwrap().unwrap_err();
    assert!(refused.sv.contains("godkänd"), "{}", refused.sv);
    assert!(server.act(EVAL, &Command::Report(report(Outcome::Genomford)), "anna@testkommun.se", now, t).await.unwrap().is_err());
    let h = server.history(EVAL).await.unwrap();
    assert_eq!(h.len(), 3, "created, reported, approved: nothing added by the refusals");
    cli.close().await;
    server.close().await;
}

async fn refusals_change_nothing(url: &str) {
    let store = Store::open(url).await.unwrap();
    store.sync(&schedule(PLAN), window(), at(2021, 1, 4)).await.unwrap();
    let t = today(d(2021, 5, 20));
    let unknown =
        store.act("testkommun/plan-2021/matematik/utvardring", &Command::Approve, "x", at(2021, 5, 20), t).await.unwrap().unwrap_err();
    assert!(unknown.sv.contains("okänd kontrollpunkt") && unknown.sv.contains(EVAL), "{}", unknown.sv);
    let mut no_reason = report(Outcome::EjGenomford);
    no_reason.reason = None;
    let e = store.act(EVAL, &Command::Report(no_reason), "x", at(2021, 5, 20), t).await.unwrap().unwrap_err();
    assert!(e.sv.contains("kräver ett skäl"));
    let past = Command::Reschedule { to: d(2021, 5, 1), reason: "sjuk".into(), force: false };
    assert!(store.act(EVAL, &past, "x", at(2021, 5, 20), t).await.unwrap().is_err());
    assert_eq!(store.history(EVAL).await.unwrap().len(), 1, "only the creation");
    store.close().await;
}

async fn history_is_append_only(url: &str) {
    let store = Store::open(url).await.unwrap();
    store.sync(&schedule(PLAN), window(), at(2021, 1, 4)).await.unwrap();
    drop(store);
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    assert!(sqlx::query("UPDATE events SET actor = 'mallory'").execute(&pool).await.is_err());
    assert!(sqlx::query("DELETE FROM events").execute(&pool).await.is_err());
    pool.close().await;
}

async fn a_newer_database_is_refused_untouched(url: &str) {
    Store::open(url).await.unwrap().close().await;
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    sqlx::query("UPDATE arshjul_meta SET value = '99' WHERE key = 'schema_version'").execute(&pool).await.unwrap();
    pool.close().await;
    let e = Store::open(url).await.unwrap_err();
    assert!(e.msg.sv.contains("nyare version av arshjul (schema 99"), "{}", e.msg.sv);
}

/// The overview's read (one aggregated JSON row per query) gives the same rows, fields and
/// order as `status` on both engines, reports included; an empty answer is an empty list.
async fn overview_rows_match_status(url: &str) {
    use arshjul::store::overview::OverviewQuery;
    let store = Store::open(url).await.unwrap();
    store.sync(&schedule(PLAN), window(), at(2021, 1, 4)).await.unwrap();
    let now = at(2021, 5, 20);
    store.act(EVAL, &Command::Report(report(Outcome::Genomford)), "anna@testkommun.se", now, today(d(2021, 5, 20))).await.unwrap().unwrap();
    let all = store.status(&Filter::default()).await.unwrap();
    let got = store.overview_rows(&OverviewQuery::default()).await.unwrap();
    assert!(got.len() > 3 && got.iter().any(|r| r.report.is_some() && r.id == EVAL));
    assert_eq!(got, all);
    let q = OverviewQuery {
        organisations: vec!["testkommun".into()],
        from: Some(d(2021, 5, 1)),
        to: Some(d(2021, 6, 30)),
        ..Default::default()
    };
    let want: Vec<_> = all.iter().filter(|r| r.due.is_none_or(|x| x >= d(2021, 5, 1) && x <= d(2021, 6, 30))).cloned().collect();
    assert_eq!(store.overview_rows(&q).await.unwrap(), want);
    let none = OverviewQuery { organisations: vec!["ingen".into()], ..Default::default() };
    assert!(store.overview_rows(&none).await.unwrap().is_empty());
    store.close().await;
}

crate::support::on_both_engines!(
    overview_rows_match_status,
    sync_is_idempotent_and_by_stable_id,
    report_and_approve_through_the_store,
    another_process_act_is_judged_on,
    refusals_change_nothing,
    history_is_append_only,
    a_newer_database_is_refused_untouched,
);

#[tokio::test]
async fn unreachable_database_says_what_to_do() {
    let e = Store::open("postgres://nobody:secret@127.0.0.1:1/nothing").await.unwrap_err();
    assert!(e.msg.sv.contains("kan inte ansluta till databasen") && e.msg.sv.contains("DATABASE_URL"), "{}", e.msg.sv);
    assert!(!e.msg.sv.contains("secret"), "the password is not printed: {}", e.msg.sv);
    let e = Store::open("mysql://x").await.unwrap_err();
    assert!(e.msg.sv.contains("okänd databasadress"));
}
