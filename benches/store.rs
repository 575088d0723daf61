//! Benchmarks for issue 3's store figures (method and results in BENCHMARKS.md):
//! - sync of ~1 M checkpoints into a fresh SQLite file, and its ratio to a raw batch insert
//!   of the same rows in the same run;
//! - one engine tick with all of them stored and none due (cost must follow what is due).
//!
//! Run: `cargo bench --bench store`.

use arshjul::calendar::DateRange;
use arshjul::definition::load_sources;
use arshjul::engine::{DryRun, Engine, Settings};
use arshjul::schedule::Compiled;
use arshjul::store::Store;
use arshjul::synth::{self, Size};
use chrono::{NaiveDate, TimeZone, Utc};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    // `cargo bench` passes --bench; `cargo test --all-targets` runs a quick smoke test.
    let size = if std::env::args().any(|a| a == "--bench") { Size::NATIONAL } else { Size { orgs: 3, units: 5, initiatives: 4 } };
    let (model, diags) = load_sources(synth::files("synthetic", size));
    assert!(diags.is_empty());
    let window = DateRange::new(NaiveDate::from_ymd_opt(2021, 1, 1).unwrap(), NaiveDate::from_ymd_opt(2023, 6, 30).unwrap()).unwrap();
    let cps = Compiled::new(&model).expand(window);
    println!("{} checkpoints from the national synthetic set over {window}", cps.len());

    let dir = std::env::temp_dir().join(format!("arshjul-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("sync.db").display());
    let store = Store::open(&url).await.unwrap();
    let now = Utc.with_ymd_and_hms(2020, 12, 1, 6, 0, 0).unwrap();
    let t = Instant::now();
    let r = store.sync(&cps, window, now).await.unwrap();
    let sync = t.elapsed();
    assert_eq!(r.created, cps.len());
    let t = Instant::now();
    let again = store.sync(&cps, window, now).await.unwrap();
    let resync = t.elapsed();
    assert_eq!(again.unchanged, cps.len());

    // The same rows, raw: one transaction of multi-row INSERTs into an identical table.
    let raw_url = format!("sqlite://{}", dir.join("raw.db").display());
    let raw = Store::open(&raw_url).await.unwrap();
    let t = Instant::now();
    raw.raw_insert_for_benchmark(&cps).await.unwrap();
    let raw_time = t.elapsed();
    println!(
        "sync into SQLite: {:.1} s ({:.0} rows/s, with one event per row); raw batch insert of the same rows: {:.1} s; ratio {:.2}",
        sync.as_secs_f64(),
        cps.len() as f64 / sync.as_secs_f64(),
        raw_time.as_secs_f64(),
        sync.as_secs_f64() / raw_time.as_secs_f64()
    );
    println!("re-sync with nothing changed: {:.1} s", resync.as_secs_f64());

    // One tick with everything stored and nothing due: 07:30 on 4 January 2021, before any
    // reminder window (the first checkpoints are due in March).
    let engine = Engine { store, model: Arc::new(model), settings: Settings::default() };
    let sender = DryRun::default();
    let at = chrono_tz::Europe::Stockholm.with_ymd_and_hms(2021, 1, 4, 7, 30, 0).unwrap().with_timezone(&Utc);
    let mut ticks = Vec::new();
    for _ in 0..21 {
        let t = Instant::now();
        let r = engine.tick(at, &sender).await.unwrap();
        ticks.push(t.elapsed());
        assert_eq!((r.queued, r.opened, r.overdue), (0, 0, 0), "nothing is due");
    }
    println!("tick with {} stored, none due: median {:.2} ms", cps.len(), median(ticks).as_secs_f64() * 1e3);
    engine.store.close().await;
    raw.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}
