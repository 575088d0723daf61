//! Benchmark for issue 3's delivery figures (method and results in BENCHMARKS.md):
//!
//! - **100 k reminders, one each**: 100 000 schools, each rektor with one follow-up due
//!   today → one email per person. The engine's real tick (due transitions, planning,
//!   outbox, dispatch over SMTP with kept-open connections) delivers them to a loopback SMTP
//!   server; then the same 100 k emails again with planning already done (dispatch only).
//! - **100 k reminders as digests**: 1 000 schools × 100 follow-ups due today → one
//!   digest per person (emails ≤ people × days).
//!
//! On SQLite (a temp file) and PostgreSQL (`ARSHJUL_BENCH_PG`, default the local server;
//! skipped if it does not answer). The SMTP server is the tests' loopback server (std
//! threads, one per connection) unless `ARSHJUL_BENCH_SMTP=smtp://host:port` names another
//! (e.g. Postfix's smtp-sink). Scale with `ARSHJUL_BENCH_N` (default 100 000).
//!
//! The daemon's path: the files are written and synced once (the harness's `arshjul sync`),
//! then timed as `arshjul run` starts — the store opened, the definitions and the people
//! file read and parsed inside the timer, the store found synced from the same files — and
//! the tick, with the daemon's claims (`ARSHJUL_CONCURRENCY` sends at once, default 8,
//! within `engine::lease_window` and the pace of the sends). Printed: the start-up, the
//! tick (to `Engine::tick`'s return, the day's openings after the sends included), and the
//! two together ("from start": the harness's `msgs_per_s` without the process's exec, but
//! with the day's openings, which the harness's clock does not wait for).
//!
//! Run: `cargo bench --bench deliver`.

#[path = "../tests/it/smtp_server.rs"]
#[allow(dead_code)]
mod smtp_server;

use arshjul::definition::Lang;
use arshjul::engine::{Engine, Settings, source};
use arshjul::mail::{Mailer, SmtpConfig, SmtpSender, Timeouts};
use arshjul::store::Store;
use chrono::{NaiveDate, TimeZone, Utc};
use std::sync::Arc;
use std::time::Instant;

/// `units` schools in organisations of at most 1 000 (the YAML reader's node budget keeps
/// one file below ~40 000 units), each organisation with a plan for 2021 of `per_unit`
/// follow-ups per school, all due on Friday 14 May 2021 (as `../shared/bench/run-arshjul.sh`
/// generates them), and a people directory with a chef per organisation and a rektor for
/// every school.
fn definitions(units: usize, per_unit: usize) -> (Vec<(std::path::PathBuf, Vec<u8>)>, String) {
    let mut files = Vec::new();
    let mut csv = String::from("organisation,role,unit,name,email\n");
    let mut plan = String::from(
        "plan:\n  id: bench-2021\n  name: Benchplan 2021\n  period: 2021\ninitiatives:\n  - id: uppfoljning\n    name: Uppföljning\n    owner: forvaltningschef\n    checkpoints:\n",
    );
    for c in 0..per_unit {
        plan.push_str(&format!("      - {{ id: c{c}, name: Uppföljning {c}, kind: uppföljning, when: 14 maj 2021, per_unit: rektor }}\n"));
    }
    for (k, first) in (0..units).step_by(1000).enumerate() {
        let mut org = format!(
            "organisation:\n  id: k{k}\n  name: Benchkommun {k}\n  roles:\n    forvaltningschef: {{ name: Förvaltningschef }}\n    rektor: {{ name: Rektor, per_unit: ja, reports_to: forvaltningschef }}\n  units:\n"
        );
        csv.push_str(&format!("k{k},forvaltningschef,,Chef {k},chef{k}@bench.se\n"));
        for u in first..(first + 1000).min(units) {
            org.push_str(&format!("    - {{ id: u{u}, name: Skola {u}, kind: grundskola }}\n"));
            csv.push_str(&format!("k{k},rektor,u{u},Rektor {u},rektor{u}@bench.se\n"));
        }
        files.push((format!("b/k{k}/organisation.yaml").into(), org.into_bytes()));
        files.push((format!("b/k{k}/plan.yaml").into(), plan.clone().into_bytes()));
    }
    (files, csv)
}

struct Figures {
    reminders: usize,
    emails: usize,
    start_up: f64,
    tick: f64,
    dispatch_only: f64,
}

async fn scenario(url: &str, smtp: &str, dir: &std::path::Path, units: usize, per_unit: usize) -> Figures {
    // The files as `arshjul sync` and `arshjul run` read them, synced once first (the
    // harness's "insert"), so that the daemon's start-up finds them unchanged.
    let (files, csv) = definitions(units, per_unit);
    let (workflows, people_file) = (dir.join("workflows"), dir.join("people.csv"));
    let _ = std::fs::remove_dir_all(&workflows);
    for (path, bytes) in &files {
        let path = workflows.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    std::fs::write(&people_file, csv).unwrap();
    let at = chrono_tz::Europe::Stockholm.with_ymd_and_hms(2021, 5, 14, 7, 30, 0).unwrap().with_timezone(&Utc);
    let today = NaiveDate::from_ymd_opt(2021, 5, 14).unwrap();
    {
        let loaded = source::load(&workflows, &people_file, Lang::Sv).ok().expect("the generated files load");
        let store = Store::open(url).await.unwrap();
        source::store(&store, &loaded, source::window(&loaded.model, today, None), at).await.unwrap();
        store.close().await;
    }

    // From start, as `arshjul run` starts: the store opened, the definitions and the people
    // file read and parsed, the store found synced from the same files; then the tick.
    let t = Instant::now();
    let store = Store::open(url).await.unwrap();
    let loaded = source::load(&workflows, &people_file, Lang::Sv).ok().expect("the generated files load");
    let synced = source::store_if_changed(&store, &loaded, source::window(&loaded.model, today, None), at).await.unwrap();
    assert!(synced.is_none(), "unchanged files are not synced again at start-up");
    // The daemon's own concurrency and lease window (claims sized as `arshjul run` sizes them).
    let concurrency: usize = std::env::var("ARSHJUL_CONCURRENCY").ok().and_then(|v| v.parse().ok()).unwrap_or(8);
    let settings = Settings {
        domain: "bench.se".into(),
        owner: "bench".into(),
        concurrency,
        batch: arshjul::engine::lease_window(concurrency, store.engine()),
        ..Settings::default()
    };
    let timeouts = Timeouts { connections: settings.concurrency as u32, ..Timeouts::default() };
    let mailer = Mailer::with_timeouts(&SmtpConfig::parse(smtp).unwrap(), timeouts).unwrap();
    let sender =
        SmtpSender { mailer, from: "arshjul <arshjul@bench.se>".parse().unwrap(), domain: "bench.se".into(), lang: Lang::Sv, links: None };
    let engine = Engine { store: store.clone(), model: Arc::new(loaded.model), settings };
    let start_up = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let r = engine.tick(at, &sender).await.unwrap();
    let tick = t.elapsed().as_secs_f64();
    let reminders: usize = r.sent.iter().map(|d| d.items.len()).sum();
    let emails = r.sent.len();
    assert_eq!((r.retried, r.failed), (0, 0));

    // The same emails once more, planning done: the outbox and SMTP alone.
    let again = store.requeue_sent_for_benchmark().await.unwrap();
    assert_eq!(again as usize, emails);
    let t = Instant::now();
    let r = engine.tick(at, &sender).await.unwrap();
    let dispatch_only = t.elapsed().as_secs_f64();
    assert_eq!(r.sent.len(), emails);
    store.close().await;
    Figures { reminders, emails, start_up, tick, dispatch_only }
}

fn report(engine: &str, what: &str, f: &Figures) {
    let whole = f.start_up + f.tick;
    println!(
        "{engine:<10} {what:<26} {:>7} reminders in {:>7} emails: start-up {:>5.2} s, tick {:>6.2} s = {:>6.0} emails/s ({:>6.0} reminders/s), from start {:>6.0} emails/s; dispatch only {:>6.2} s = {:>6.0} emails/s",
        f.reminders,
        f.emails,
        f.start_up,
        f.tick,
        f.emails as f64 / f.tick,
        f.reminders as f64 / f.tick,
        f.emails as f64 / whole,
        f.dispatch_only,
        f.emails as f64 / f.dispatch_only
    );
}

/// A fresh database on the PostgreSQL server, or `None` if it does not answer.
async fn postgres(suffix: &str) -> Option<String> {
    let admin = std::env::var("ARSHJUL_BENCH_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&admin).await.ok()?;
    let name = format!("arshjul_bench_{}_{suffix}", std::process::id());
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name}"))).execute(&pool).await.ok()?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&pool).await.ok()?;
    pool.close().await;
    Some(format!("{}/{name}", admin.rsplit_once('/')?.0))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    // `cargo bench` passes --bench; `cargo test --all-targets` runs a quick smoke test.
    let full = std::env::args().any(|a| a == "--bench");
    let n: usize = std::env::var("ARSHJUL_BENCH_N").ok().and_then(|v| v.parse().ok()).unwrap_or(if full { 100_000 } else { 300 });
    let local = smtp_server::SmtpServer::start();
    let smtp = std::env::var("ARSHJUL_BENCH_SMTP").unwrap_or_else(|_| local.url());
    println!("SMTP: {smtp}; {n} reminders per scenario");
    let dir = std::env::temp_dir().join(format!("arshjul-bench-deliver-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut dbs =
        vec![("SQLite", format!("sqlite://{}", dir.join("one.db").display()), format!("sqlite://{}", dir.join("digest.db").display()))];
    if let (Some(a), Some(b)) = (postgres("one").await, postgres("digest").await) {
        dbs.push(("PostgreSQL", a, b));
    } else {
        println!("PostgreSQL not reachable: skipped");
    }
    for (engine, one, digest) in dbs {
        let f = scenario(&one, &smtp, &dir, n, 1).await;
        report(engine, "one reminder per person", &f);
        let f = scenario(&digest, &smtp, &dir, (n / 100).max(1), 100).await;
        report(engine, "100 reminders per person", &f);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
