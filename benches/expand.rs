//! Benchmarks for issue 2: expansion throughput over a synthetic national-scale set
//! (290 organisations × 30 units × 20 initiatives), peak memory, and the wall time of
//! `arshjul check` over the shipped workflows.
//!
//! Run: `cargo bench --bench expand` (results and method in BENCHMARKS.md).

use arshjul::calendar::DateRange;
use arshjul::definition::{load_dir, load_sources};
use arshjul::schedule::Compiled;
use arshjul::synth::{self, Size};
use chrono::NaiveDate;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    kb / 1024.0
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --all-targets` runs this as a quick smoke
    // test on a small set.
    let size = if std::env::args().any(|a| a == "--bench") { Size::NATIONAL } else { Size { orgs: 3, units: 5, initiatives: 4 } };
    let files = synth::files("synthetic", size);
    let bytes: usize = files.iter().map(|(_, b)| b.len()).sum();

    let t = Instant::now();
    let (model, diags) = load_sources(files);
    let load = t.elapsed();
    assert!(diags.is_empty(), "synthetic set must be valid: {:?}", &diags[..diags.len().min(3)]);
    println!(
        "load+validate: {} organisations, {} files, {:.1} MiB YAML in {:.0} ms",
        model.organisations.len(),
        model.organisations.len() * 3,
        bytes as f64 / 1048576.0,
        load.as_secs_f64() * 1e3
    );

    let compiled = Compiled::new(&model);
    let window = DateRange::new(NaiveDate::from_ymd_opt(2021, 1, 1).unwrap(), NaiveDate::from_ymd_opt(2022, 12, 31).unwrap()).unwrap();
    let mut out = Vec::new();
    compiled.expand_into(window, &mut out); // warm-up
    let n = out.len();
    let mut unsorted = Vec::new();
    let mut sorted = Vec::new();
    for _ in 0..5 {
        out.clear();
        let t = Instant::now();
        compiled.expand_into(window, &mut out);
        unsorted.push(t.elapsed());
        let t = Instant::now();
        let v = compiled.expand(window);
        sorted.push(t.elapsed());
        assert_eq!(v.len(), n);
    }
    let (u, s) = (median(unsorted), median(sorted));
    println!("expand: {} rules → {n} checkpoints over {window}", compiled.rule_count());
    println!("  unsorted: {:.0} ms  = {:.2} M checkpoints/s (one core)", u.as_secs_f64() * 1e3, n as f64 / u.as_secs_f64() / 1e6);
    println!("  sorted:   {:.0} ms  = {:.2} M checkpoints/s (one core)", s.as_secs_f64() * 1e3, n as f64 / s.as_secs_f64() / 1e6);
    println!("peak resident memory: {:.0} MiB", peak_rss_mib());

    // `arshjul check` over the shipped workflows: in process, and as a whole process.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let wf = root.join("workflows");
    let mut inproc = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        let m = load_dir(&wf).expect("shipped workflows are valid");
        inproc.push(t.elapsed());
        assert!(!m.organisations.is_empty());
    }
    println!("check workflows/ in process: median {:.2} ms", median(inproc).as_secs_f64() * 1e3);
    let bin = root.join("target/release/arshjul");
    if bin.exists() {
        let mut wall = Vec::new();
        for _ in 0..20 {
            let t = Instant::now();
            let st = Command::new(&bin).args(["check", "workflows"]).current_dir(root).output().expect("run arshjul");
            wall.push(t.elapsed());
            assert!(st.status.success());
        }
        println!("`arshjul check workflows` wall time (release binary, whole process): median {:.2} ms", median(wall).as_secs_f64() * 1e3);
    } else {
        println!("(build the release binary first for the whole-process wall time: cargo build --release)");
    }
}
