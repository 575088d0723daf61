//! The daemon loop: load and sync the definitions, tick, sleep until the next wake-up;
//! reload on SIGHUP or when the files change (a bad file keeps the old definitions running
//! and logs the located diagnostics); stop gracefully on SIGTERM/SIGINT, releasing any
//! leased outbox rows that were not sent.

use super::wake::next_wake;
use super::{Engine, Sender};
use crate::calendar::Calendar;
use crate::clock::Clock;
use crate::definition::{Lang, load_dir};
use crate::schedule;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

/// One structured log line (JSON) on stderr.
pub fn log(level: &str, msg: &str, fields: &[(&str, String)]) {
    let mut obj = serde_json::Map::new();
    obj.insert("level".into(), level.into());
    obj.insert("msg".into(), msg.into());
    for (k, v) in fields {
        obj.insert((*k).into(), v.clone().into());
    }
    eprintln!("{}", serde_json::Value::Object(obj));
}

/// A cheap fingerprint of the definition files (paths, sizes, modification times).
fn fingerprint(dir: &Path) -> Vec<(PathBuf, u64, Option<SystemTime>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else { continue };
        for e in rd.flatten() {
            let p = e.path();
            match e.metadata() {
                Ok(m) if m.is_dir() => stack.push(p),
                Ok(m) => out.push((p, m.len(), m.modified().ok())),
                Err(_) => {}
            }
        }
    }
    out.sort();
    out
}

/// Loads the definitions and syncs them; on errors keeps the running model and logs every
/// diagnostic. Returns whether the model was replaced.
pub async fn reload(engine: &mut Engine, dir: &Path, clock: &dyn Clock) -> bool {
    match load_dir(dir) {
        Ok(model) => {
            let today = clock.today(chrono_tz::Europe::Stockholm);
            let window = schedule::sync_window(&model, today);
            let cps = schedule::expand(&model, window);
            match engine.store.sync(&cps, window, clock.now()).await {
                Ok(r) => {
                    log(
                        "info",
                        "definitioner inlästa",
                        &[
                            ("dir", dir.display().to_string()),
                            ("created", r.created.to_string()),
                            ("rescheduled", r.rescheduled.to_string()),
                            ("cancelled", r.cancelled.to_string()),
                        ],
                    );
                    engine.model = Arc::new(model);
                    true
                }
                Err(e) => {
                    log("error", "synkning misslyckades", &[("error", e.sv)]);
                    false
                }
            }
        }
        Err(diags) => {
            for d in &diags {
                log("error", "fel i definitionerna; de gamla gäller tills felet är rättat", &[("diagnostic", d.render(Lang::Sv))]);
            }
            false
        }
    }
}

/// Runs until SIGTERM or SIGINT.
pub async fn run(mut engine: Engine, sender: impl Sender, clock: &dyn Clock, dir: PathBuf) -> Result<(), String> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut hup = signal(SignalKind::hangup()).map_err(|e| e.to_string())?;
    let mut term = signal(SignalKind::terminate()).map_err(|e| e.to_string())?;
    let mut int = signal(SignalKind::interrupt()).map_err(|e| e.to_string())?;
    let cal = Calendar::default();
    let mut seen = fingerprint(&dir);
    log("info", "arshjul kör", &[("owner", engine.settings.owner.clone())]);
    loop {
        match engine.tick(clock.now(), &sender).await {
            Ok(r) => {
                if r.queued + r.sent.len() + r.retried + r.failed + r.opened + r.overdue > 0 {
                    log(
                        "info",
                        "tick",
                        &[
                            ("opened", r.opened.to_string()),
                            ("overdue", r.overdue.to_string()),
                            ("queued", r.queued.to_string()),
                            ("sent", r.sent.len().to_string()),
                            ("retried", r.retried.to_string()),
                            ("failed", r.failed.to_string()),
                            ("repeated", r.repeated.to_string()),
                        ],
                    );
                }
            }
            Err(e) => log("error", "tick misslyckades", &[("error", e.sv)]),
        }
        let now = clock.now();
        let retry = engine.store.next_attempt().await.ok().flatten();
        let wake = next_wake(now, engine.settings.send_time, retry, &cal);
        let nap = (wake - now).to_std().unwrap_or_default();
        tokio::select! {
            _ = tokio::time::sleep(nap) => {
                let now_seen = fingerprint(&dir);
                if now_seen != seen {
                    seen = now_seen;
                    reload(&mut engine, &dir, clock).await;
                }
            }
            _ = hup.recv() => {
                log("info", "SIGHUP: läser om definitionerna", &[]);
                seen = fingerprint(&dir);
                reload(&mut engine, &dir, clock).await;
            }
            _ = term.recv() => break,
            _ = int.recv() => break,
        }
    }
    log("info", "avslutar", &[]);
    engine.store.release(&engine.settings.owner).await.map_err(|e| e.sv)?;
    engine.store.close().await;
    Ok(())
}
