//! Benchmark for issue 10 item 2 (method and results in BENCHMARKS.md): what the missed
//! transition costs a tick. A tenth of the national synthetic set (29 organisations × 30
//! schools × 20 initiatives) over 2021-01-01 – 2023-06-30, synced on 2020-12-01, with a
//! förvaltningschef, kvalitetschef and skolområdeschef per organisation and a rektor per
//! school; then the morning of Tuesday 5 April 2022, when everything due since January 2021 is overdue at once:
//! - the overdue transitions (`Store::act_system`, as the tick does them);
//! - `engine::missed::closed`: which overdue checkpoints' windows have closed (the store's
//!   overdue rows, the later occurrences of their series, the window rule);
//! - the missed transitions (`Store::act_system` with `MarkMissed`);
//! - the rest of the tick: reminders plus one notice per missed rektor checkpoint into the
//!   outbox, dispatched to the dry-run sender;
//! - the next morning's `missed::closed` again (the daily cost with what stays overdue).
//!
//! On SQLite (a temp file) and PostgreSQL (`ARSHJUL_BENCH_PG`, default the local server).
//! Run: `cargo bench --bench missed`.

use arshjul::calendar::DateRange;
use arshjul::definition::load_sources;
use arshjul::engine::{DryRun, Engine, Settings, missed};
use arshjul::remind::Person;
use arshjul::remind::recipients::Holder;
use arshjul::schedule::Compiled;
use arshjul::store::Store;
use arshjul::synth::{self, Size};
use arshjul::workflow::{Command, Today};
use chrono::{NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Stockholm;
use std::sync::Arc;
use std::time::{Duration, Instant};

async fn postgres() -> Option<String> {
    let admin = std::env::var("ARSHJUL_BENCH_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&admin).await.ok()?;
    let name = format!("arshjul_bench_missed_{}", std::process::id());
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name}"))).execute(&pool).await.ok()?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&pool).await.ok()?;
    pool.close().await;
    Some(format!("{}/{name}", admin.rsplit_once('/')?.0))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    // `cargo bench` passes --bench; `cargo test --all-targets` runs a quick smoke test.
    let full = std::env::args().any(|a| a == "--bench");
    let size = if full { Size { orgs: 29, units: 30, initiatives: 20 } } else { Size { orgs: 2, units: 3, initiatives: 2 } };
    let (model, diags) = load_sources(synth::files("synthetic", size));
    assert!(diags.is_empty());
    let window = DateRange::new(NaiveDate::from_ymd_opt(2021, 1, 1).unwrap(), NaiveDate::from_ymd_opt(2023, 6, 30).unwrap()).unwrap();
    let cps = Compiled::new(&model).expand(window);
    let mut people = Vec::new();
    for o in &model.organisations {
        let p = |role: &str, unit: Option<&str>| Holder {
            organisation: o.id.to_string(),
            role: role.into(),
            unit: unit.map(str::to_owned),
            person: Person { name: format!("{role} {}", unit.unwrap_or("")), email: format!("{role}.{}@{}.se", unit.unwrap_or("x"), o.id) },
        };
        people.extend(["forvaltningschef", "kvalitetschef", "skolomradeschef"].map(|r| p(r, None)));
        people.extend(o.units.iter().map(|u| p("rektor", Some(&u.id))));
    }
    println!("{} checkpoints, {} people", cps.len(), people.len());
    let model = Arc::new(model);
    let dir = std::env::temp_dir().join(format!("arshjul-bench-missed-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut dbs = vec![("SQLite", format!("sqlite://{}", dir.join("missed.db").display()))];
    if let Some(pg) = postgres().await {
        dbs.push(("PostgreSQL", pg));
    }
    let at = |d: NaiveDate| Stockholm.from_local_datetime(&d.and_hms_opt(7, 30, 0).unwrap()).unwrap().with_timezone(&Utc);
    for (engine_name, url) in dbs {
        let store = Store::open(&url).await.unwrap();
        store.sync(&cps, window, Utc.with_ymd_and_hms(2020, 12, 1, 6, 0, 0).unwrap()).await.unwrap();
        store.replace_people(&people).await.unwrap();
        let engine = Engine { store: store.clone(), model: model.clone(), settings: Settings::default() };
        let day = NaiveDate::from_ymd_opt(2022, 4, 5).unwrap();
        let facts = Today { date: day, target_is_working_day: true, window: None };

        let t = Instant::now();
        let (open, overdue) = (store.ids_to_open(day).await.unwrap(), store.overdue_ids(day).await.unwrap());
        let n_overdue = store.act_system(&overdue, &Command::MarkOverdue, at(day), facts).await.unwrap();
        store.act_system(&open, &Command::Open, at(day), facts).await.unwrap();
        let overdue_time = t.elapsed();
        let t = Instant::now();
        let closed = missed::closed(&store, &model, day).await.unwrap();
        let closed_time = t.elapsed();
        let t = Instant::now();
        let n_missed = store.act_system(&closed, &Command::MarkMissed { reason: None }, at(day), facts).await.unwrap();
        let missed_time = t.elapsed();
        assert_eq!(n_missed, closed.len());
        let t = Instant::now();
        let report = engine.tick(at(day), &DryRun::default()).await.unwrap();
        let tick_time = t.elapsed();
        let notices = report.sent.iter().flat_map(|d| &d.items).filter(|i| i.step == arshjul::remind::Step::Missed).count();
        let next = day.succ_opt().unwrap();
        let mut again = Vec::new();
        for _ in 0..5 {
            let t = Instant::now();
            let left = missed::closed(&store, &model, next).await.unwrap();
            again.push(t.elapsed());
            assert!(left.is_empty(), "nothing more closes on {next}: {}", left.len());
        }
        again.sort();
        let still = store.overdue_rows(next).await.unwrap().len();
        println!(
            "{engine_name}: {n_overdue} became overdue in {:.0} ms; missed::closed judged them in {:.0} ms ({:.0} µs each) → {n_missed} missed, \
             written in {:.0} ms ({:.0} µs each); the rest of the tick (reminders + {notices} notices, {} emails) {:.0} ms; \
             next morning, with {still} still overdue: missed::closed {:.1} ms (median of 5)",
            ms(overdue_time),
            ms(closed_time),
            ms(closed_time) * 1000.0 / n_overdue.max(1) as f64,
            ms(missed_time),
            ms(missed_time) * 1000.0 / n_missed.max(1) as f64,
            report.sent.len(),
            ms(tick_time),
            ms(again[2]),
        );
        assert!(n_missed > 0 && notices > 0);
        store.close().await;
    }
    let _ = std::fs::remove_dir_all(&dir);
}
