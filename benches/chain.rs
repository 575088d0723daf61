//! Benchmarks for issue 10's chain figures (method and results in BENCHMARKS.md):
//! - `arshjul audit verify` over 1 M events (200 000 checkpoints × 5 events, written with
//!   valid chains straight into a SQLite file), the release binary end to end, on one core
//!   (`taskset -c 0` when available);
//! - appending events with the chain against without it (`UNCHAINED_FOR_BENCHMARK`), same
//!   run, alternating: the engine's bulk transitions (`act_system`, open then overdue over
//!   every checkpoint) and single actions (`act`, reports one at a time).
//!
//! Run: `cargo bench --bench chain` (builds the release binary first: `cargo build --release`).

use arshjul::calendar::DateRange;
use arshjul::definition::load_sources;
use arshjul::schedule::Compiled;
use arshjul::store::chain::{Fields, Head, hex};
use arshjul::store::{Filter, Store, UNCHAINED_FOR_BENCHMARK};
use arshjul::synth::{self, Size};
use arshjul::workflow::{Command, Outcome, Report, Today};
use chrono::{NaiveDate, TimeZone, Utc};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// This process's CPU time so far, all threads (SQLite's worker included), from
/// `/proc/self/stat` (Linux; clock ticks of 10 ms): on a machine shared with other builds
/// wall time mostly measures the neighbours.
fn cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |(_, r)| r);
    // By position: the fields after the name start at field 3 (state); utime and stime are
    // fields 14 and 15. (Filtering to the fields that parse as unsigned numbers dropped the
    // state and a `tpgid` of -1 — no controlling terminal — and so read stime + cutime.)
    let f: Vec<&str> = after.split_whitespace().collect();
    let field = |n: usize| f.get(n - 3).and_then(|x| x.parse::<u64>().ok()).unwrap_or(0);
    Duration::from_millis((field(14) + field(15)) * 10)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// `rows` × `cols` bind markers: `?` for SQLite, `$N` for PostgreSQL.
fn values(rows: usize, cols: usize, pg: bool) -> String {
    (0..rows)
        .map(|r| {
            format!("({})", (0..cols).map(|c| if pg { format!("${}", r * cols + c + 1) } else { "?".into() }).collect::<Vec<_>>().join(","))
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// Writes `checkpoints` × 5 chained events into the store at `url` with plain multi-row
/// INSERTs (as the writer would leave them).
async fn fill(url: &str, checkpoints: usize) {
    let pg = url.starts_with("postgres");
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    let mut tx = pool.begin().await.unwrap();
    let kinds = [
        ("created", r#"{"type":"created","due":"2021-05-31"}"#),
        ("opened", r#"{"type":"opened"}"#),
        ("became_overdue", r#"{"type":"became_overdue"}"#),
        (
            "reported",
            r#"{"type":"reported","report":{"outcome":"genomford","reason":null,"uppfoljning":"Genomfört på alla enheter enligt planen.","analys":"-"}}"#,
        ),
        ("approved", r#"{"type":"approved"}"#),
    ];
    const ROWS: usize = 400;
    let ids: Vec<String> = (0..checkpoints).map(|i| format!("bench/plan-2021/insats-{}/uppfoljning/enhet-{}", i / 30, i % 30)).collect();
    for chunk in ids.chunks(ROWS) {
        let cps = format!(
            "INSERT INTO checkpoints (id, organisation, kind, title, owner_role, due, defined_due, state, policy, updated_at, chain_count, chain_head) VALUES {}",
            values(chunk.len(), 12, pg)
        );
        let mut heads = Vec::with_capacity(chunk.len());
        let mut linked = Vec::with_capacity(chunk.len() * 5);
        for id in chunk {
            let mut head = Head::EMPTY;
            for (kind, data) in kinds {
                let at = "2021-05-03T07:30:00Z";
                let (o, h) = head.link(Fields { checkpoint: id, ordinal: 0, at, actor: "arshjul", reason: None, kind, data });
                linked.push((id.clone(), at, kind, data, o, hex(&h)));
            }
            heads.push(head);
        }
        let mut q = sqlx::query(sqlx::AssertSqlSafe(cps));
        for (id, head) in chunk.iter().zip(&heads) {
            q = q
                .bind(id.clone())
                .bind("bench")
                .bind("uppföljning")
                .bind("Uppföljning")
                .bind("rektor")
                .bind("2021-05-31")
                .bind("2021-05-31")
                .bind("approved")
                .bind("{}")
                .bind("2021-05-03T07:30:00Z")
                .bind(head.count)
                .bind(hex(&head.hash));
        }
        q.execute(&mut *tx).await.unwrap();
        for part in linked.chunks(ROWS) {
            let sql = format!(
                "INSERT INTO events (checkpoint, at, actor, reason, kind, data, ordinal, hash) VALUES {}",
                values(part.len(), 8, pg)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (id, at, kind, data, o, h) in part {
                q = q.bind(id.clone()).bind(*at).bind("arshjul").bind(None::<String>).bind(*kind).bind(*data).bind(*o).bind(h.clone());
            }
            q.execute(&mut *tx).await.unwrap();
        }
    }
    tx.commit().await.unwrap();
    pool.close().await;
}

/// One run of the release binary's `audit verify` on `url` under `/usr/bin/time` (when
/// there): wall time, the binary's CPU time (user + sys, all its threads, as `time` reports
/// it from the child's rusage) and the summary line.
fn verify_once(url: &str) -> (Duration, Duration, String) {
    let bin = std::env::var("ARSHJUL_BIN").unwrap_or_else(|_| {
        let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/target").to_owned());
        format!("{target}/release/arshjul")
    });
    let timed = std::path::Path::new("/usr/bin/time").exists();
    let report = std::env::temp_dir().join(format!("arshjul-chain-bench-time-{}", std::process::id()));
    let mut argv: Vec<String> = Vec::new();
    if timed {
        argv.extend(["/usr/bin/time".into(), "-o".into(), report.display().to_string(), "-f".into(), "%e %U %S".into()]);
    }
    if std::process::Command::new("taskset").arg("--version").output().is_ok() {
        argv.extend(["taskset".into(), "-c".into(), "0".into()]);
    }
    argv.push(bin.clone());
    let mut cmd = std::process::Command::new(&argv[0]);
    cmd.args(&argv[1..]).args(["audit", "verify"]).env("DATABASE_URL", url);
    let t = Instant::now();
    let out = cmd.output().unwrap_or_else(|e| panic!("run {bin} (cargo build --release first): {e}"));
    let mut wall = t.elapsed();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(0), "{text}{}", String::from_utf8_lossy(&out.stderr));
    let mut cpu = Duration::ZERO;
    if timed {
        let line = std::fs::read_to_string(&report).unwrap_or_default();
        let f: Vec<f64> = line.split_whitespace().filter_map(|x| x.parse().ok()).collect();
        if let [e, u, s] = f[..] {
            wall = Duration::from_secs_f64(e);
            cpu = Duration::from_secs_f64(u + s);
            println!("  verify run: wall {e:.2} s, user {u:.2} s, sys {s:.2} s (/usr/bin/time)");
        }
        let _ = std::fs::remove_file(&report);
    } else {
        println!("  verify run: wall {:.2} s (no /usr/bin/time: CPU not measured)", wall.as_secs_f64());
    }
    (wall, cpu, text.lines().last().unwrap_or_default().to_owned())
}

/// The verify figures of three runs on `url`.
fn verify_runs(url: &str, engine: &str) {
    let runs: Vec<(Duration, Duration, String)> = (0..3).map(|_| verify_once(url)).collect();
    println!("{}", runs[0].2);
    let wall = median(runs.iter().map(|r| r.0).collect());
    let cpu = median(runs.iter().map(|r| r.1).collect());
    println!(
        "audit verify, 1 000 000 events, {engine}, release binary on one core: median wall {:.2} s = {:.0} events/s; median CPU (user + sys) {:.2} s = {:.0} events/s",
        wall.as_secs_f64(),
        1e6 / wall.as_secs_f64(),
        cpu.as_secs_f64(),
        1e6 / cpu.as_secs_f64().max(1e-9)
    );
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    let dir = std::env::temp_dir().join(format!("arshjul-chain-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();

    // 1. audit verify over 1 M events. The file takes ~40 s to write: with
    // `ARSHJUL_BENCH_VERIFY_DB=path` it is written there once, kept and reused;
    // `ARSHJUL_BENCH_ONLY=verify` skips part 2.
    if bench {
        let kept = std::env::var("ARSHJUL_BENCH_VERIFY_DB").ok();
        let file = kept.clone().map_or_else(|| dir.join("verify.db"), std::path::PathBuf::from);
        let url = format!("sqlite://{}", file.display());
        if kept.is_none() || !file.exists() {
            Store::open(&url).await.unwrap().close().await;
            let t = Instant::now();
            fill(&url, 200_000).await;
            println!("filled 1 000 000 chained events in {:.1} s", t.elapsed().as_secs_f64());
        }
        verify_runs(&url, "SQLite");
        // PostgreSQL when given a database (the server's own processes are not pinned: the
        // CPU figure is the binary's alone, the wall time includes the server's work). An
        // empty database is filled first; one already holding the 1 M events is reused.
        if let Ok(pg) = std::env::var("ARSHJUL_BENCH_PG") {
            let store = Store::open(&pg).await.unwrap();
            let filled = store.verify_chain(None).await.unwrap().events;
            store.close().await;
            if filled == 0 {
                let t = Instant::now();
                fill(&pg, 200_000).await;
                println!("filled 1 000 000 chained events into PostgreSQL in {:.1} s", t.elapsed().as_secs_f64());
            }
            verify_runs(&pg, "PostgreSQL");
        }
        if std::env::var("ARSHJUL_BENCH_ONLY").is_ok_and(|v| v == "verify") {
            let _ = std::fs::remove_dir_all(&dir);
            return;
        }
    }

    // 2. Appending with and without the chain, same run, alternating.
    let size = if bench { Size { orgs: 10, units: 30, initiatives: 20 } } else { Size { orgs: 1, units: 3, initiatives: 2 } };
    let (model, diags) = load_sources(synth::files("synthetic", size));
    assert!(diags.is_empty());
    let window = DateRange::new(NaiveDate::from_ymd_opt(2021, 1, 1).unwrap(), NaiveDate::from_ymd_opt(2021, 12, 31).unwrap()).unwrap();
    let cps = Compiled::new(&model).expand(window);
    let now = Utc.with_ymd_and_hms(2021, 1, 4, 6, 0, 0).unwrap();
    let today = Today { date: NaiveDate::from_ymd_opt(2021, 1, 4).unwrap(), target_is_working_day: true, window: None };
    let singles = if bench { 2000 } else { 20 };
    let (mut bulk, mut single) = ([Vec::new(), Vec::new()], [Vec::new(), Vec::new()]);
    let rounds = if bench { 5 } else { 1 };
    for round in 0..rounds {
        for unchained in [round % 2 == 1, round % 2 == 0] {
            UNCHAINED_FOR_BENCHMARK.store(unchained, Ordering::Relaxed);
            let url = format!("sqlite://{}", dir.join(format!("append-{round}-{unchained}.db")).display());
            let store = Store::open(&url).await.unwrap();
            store.sync(&cps, window, now).await.unwrap();
            let ids: Vec<String> = store.status(&Filter::default()).await.unwrap().into_iter().map(|r| r.id).collect();
            let t = cpu();
            let opened = store.act_system(&ids, &Command::Open, now, today).await.unwrap();
            let overdue = store.act_system(&ids, &Command::MarkOverdue, now, today).await.unwrap();
            bulk[usize::from(unchained)].push(cpu() - t);
            assert_eq!((opened, overdue), (ids.len(), ids.len()));
            let report =
                Report { outcome: Outcome::Genomford, reason: None, uppfoljning: "Gjort.".into(), analys: "-".into(), links: Vec::new() };
            let t = cpu();
            for id in ids.iter().take(singles) {
                store.act(id, &Command::Report(report.clone()), "rektor", now, today).await.unwrap().unwrap();
            }
            single[usize::from(unchained)].push(cpu() - t);
            store.close().await;
        }
    }
    UNCHAINED_FOR_BENCHMARK.store(false, Ordering::Relaxed);
    let (b_chain, b_plain) = (median(bulk[0].clone()), median(bulk[1].clone()));
    let (s_chain, s_plain) = (median(single[0].clone()), median(single[1].clone()));
    println!(
        "{} checkpoints; act_system open + overdue ({} events), process CPU: chained {:.2} s, unchained {:.2} s, +{:.1} %",
        cps.len(),
        2 * cps.len(),
        b_chain.as_secs_f64(),
        b_plain.as_secs_f64(),
        100.0 * (b_chain.as_secs_f64() / b_plain.as_secs_f64() - 1.0)
    );
    println!(
        "act (reports one at a time, {singles}), process CPU: chained {:.0} µs each, unchained {:.0} µs each, +{:.1} %",
        s_chain.as_secs_f64() * 1e6 / singles as f64,
        s_plain.as_secs_f64() * 1e6 / singles as f64,
        100.0 * (s_chain.as_secs_f64() / s_plain.as_secs_f64() - 1.0)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
