//! The daemon loop: load and sync the definitions, tick, sleep until the next wake-up;
//! reload when asked (SIGHUP) or when the files change — a bad file keeps the old
//! definitions running and logs the located diagnostics; stop when asked (SIGTERM/SIGINT),
//! letting the send in flight finish and releasing leased outbox rows that were not sent.
//!
//! Signals are the caller's business: the loop takes a [`Control`] (reload and stop
//! channels), so tests drive it without signals, and waits through the [`Clock`], so the
//! same loop runs over virtual time.

use super::wake::{FILE_CHECK, next_tick, tick_retry};
use super::{Engine, Sender};
use crate::calendar::Calendar;
use crate::clock::Clock;
use crate::store::StoreError;
use chrono::{DateTime, Utc};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;
use tokio::sync::{mpsc, watch};

/// One structured log line (JSON) on stderr.
pub fn log(level: &str, msg: &str, fields: &[(&str, String)]) {
    let mut obj = serde_json::Map::new();
    obj.insert("level".into(), level.into());
    obj.insert("msg".into(), msg.into());
    for (k, v) in fields {
        obj.insert((*k).into(), v.clone().into());
    }
    // A broken stderr (the log pipe's reader died) must not stop the daemon and its mail.
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr().lock(), "{}", serde_json::Value::Object(obj));
}

/// Where the daemon reads what it runs on.
#[derive(Clone, Debug)]
pub struct Sources {
    pub dir: PathBuf,
    pub people: PathBuf,
}

/// How the outside world steers the loop.
pub struct Control {
    /// A message: read the files again now.
    pub reload: mpsc::Receiver<()>,
    /// Becomes `true`: stop.
    pub stop: watch::Receiver<bool>,
    /// Stop by itself once the clock has passed this instant (virtual runs).
    pub until: Option<DateTime<Utc>>,
    /// Notified: tick now (the web pages queued a sign-in mail).
    pub wake: Arc<tokio::sync::Notify>,
}

impl Control {
    /// A control with its two handles: send `()` to reload, `true` to stop.
    pub fn new() -> (Control, mpsc::Sender<()>, watch::Sender<bool>) {
        let (rtx, reload) = mpsc::channel(4);
        let (stx, stop) = watch::channel(false);
        (Control { reload, stop, until: None, wake: Arc::default() }, rtx, stx)
    }
}

/// What a run did, for tests and the final log line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunStats {
    /// Times the loop woke (to tick, or only to look at the files).
    pub wakeups: u64,
    /// Times it ticked (send time, a retry, after a reload).
    pub ticks: u64,
    /// Emails sent.
    pub sent: u64,
    /// Reloads that replaced the definitions / that were refused for bad files.
    pub reloads: u64,
    pub refused_reloads: u64,
    /// Ticks that failed (and were retried within a minute).
    pub failed_ticks: u64,
}

/// A cheap fingerprint of the definition files and the people file (paths, sizes,
/// modification times).
fn fingerprint(src: &Sources) -> Vec<(PathBuf, u64, Option<SystemTime>)> {
    let mut out = Vec::new();
    let mut stack = vec![src.dir.clone()];
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
    if let Ok(m) = std::fs::metadata(&src.people) {
        out.push((src.people.clone(), m.len(), m.modified().ok()));
    }
    out.sort();
    out
}

/// What a reload came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reload {
    /// The new definitions (and people) are stored and running.
    Replaced,
    /// The files have errors (logged, located); the old model keeps running.
    BadFiles,
    /// The files are good but could not be stored (database away, disk full): tried again.
    StoreFailed(StoreError),
}

/// [`reload_outcome`], as whether the model was replaced.
pub async fn reload(engine: &mut Engine, src: &Sources, clock: &dyn Clock) -> bool {
    reload_outcome(engine, src, clock).await == Reload::Replaced
}

/// Loads the definitions and the people directory and syncs them; on errors keeps the
/// running model and logs every diagnostic. Warnings are logged (level `warn`) and the new
/// model is kept. Diagnostics and errors are in the engine's language
/// ([`super::Settings::lang`]).
pub async fn reload_outcome(engine: &mut Engine, src: &Sources, clock: &dyn Clock) -> Reload {
    let lang = engine.settings.lang;
    let loaded = match super::source::load(&src.dir, &src.people, lang) {
        Ok(l) => l,
        Err(e) => {
            for d in &e.lines(lang) {
                log("error", "fel i definitionerna; de gamla gäller tills felet är rättat", &[("diagnostic", d.clone())]);
            }
            return Reload::BadFiles;
        }
    };
    for w in &loaded.model.warnings {
        log("warn", "varning i definitionerna", &[("diagnostic", w.render(lang))]);
    }
    let today = clock.today(chrono_tz::Europe::Stockholm);
    let window = super::source::window(&loaded.model, today, None);
    match super::source::store_if_changed(&engine.store, &loaded, window, clock.now()).await {
        Ok(None) => log("info", "definitionerna är oförändrade sedan senaste synkningen", &[("dir", display(&src.dir))]),
        Ok(Some(r)) => log(
            "info",
            "definitioner inlästa",
            &[
                ("dir", display(&src.dir)),
                ("created", r.created.to_string()),
                ("rescheduled", r.rescheduled.to_string()),
                ("cancelled", r.cancelled.to_string()),
                ("reidentified", r.reidentified.to_string()),
                ("left_plan", first_ids(&r.left_plan)),
                ("past_on_arrival", first_ids(&r.past_on_arrival)),
            ],
        ),
        Err(e) => {
            log("error", "definitionerna kunde inte sparas i databasen; försöker igen", &[("error", e.get(lang).to_owned())]);
            return Reload::StoreFailed(e);
        }
    }
    engine.model = Arc::new(loaded.model);
    if let Some(slot) = &engine.settings.publish {
        *slot.write().unwrap_or_else(|e| e.into_inner()) = engine.model.clone();
    }
    Reload::Replaced
}

/// Up to 20 ids for a log line, and how many more there are.
fn first_ids(ids: &[String]) -> String {
    let mut s = ids.iter().take(20).cloned().collect::<Vec<_>>().join(" ");
    if ids.len() > 20 {
        s.push_str(&format!(" (+{})", ids.len() - 20));
    }
    s
}

fn display(p: &Path) -> String {
    p.display().to_string()
}

/// One tick, logged; `false` when it failed (a store error, or a panic caught here so
/// that one bug cannot take the daemon and everyone's reminders down).
async fn tick(engine: &Engine, sender: &impl Sender, clock: &dyn Clock, stats: &mut RunStats) -> bool {
    use futures_util::FutureExt;
    let outcome = std::panic::AssertUnwindSafe(engine.tick(clock.now(), sender)).catch_unwind().await;
    let outcome = match outcome {
        Ok(r) => r,
        Err(p) => {
            let what = p.downcast_ref::<&str>().map(|s| (*s).to_owned()).or_else(|| p.downcast_ref::<String>().cloned());
            log("error", "internt fel under tick; försöker igen", &[("panic", what.unwrap_or_default())]);
            return false;
        }
    };
    match outcome {
        Ok(r) => {
            stats.sent += r.sent.len() as u64;
            if r.queued + r.sent.len() + r.retried + r.failed + r.opened + r.overdue + r.missed + r.repeated + r.released > 0 {
                log(
                    "info",
                    "tick",
                    &[
                        ("opened", r.opened.to_string()),
                        ("overdue", r.overdue.to_string()),
                        ("missed", r.missed.to_string()),
                        ("queued", r.queued.to_string()),
                        ("sent", r.sent.len().to_string()),
                        ("retried", r.retried.to_string()),
                        ("failed", r.failed.to_string()),
                        ("repeated", r.repeated.to_string()),
                        ("released", r.released.to_string()),
                        ("transitions_ms", r.took.transitions_ms.to_string()),
                        ("plan_ms", r.took.plan_ms.to_string()),
                        ("enqueue_ms", r.took.enqueue_ms.to_string()),
                        ("opening_ms", r.took.opening_ms.to_string()),
                    ],
                );
            }
            true
        }
        Err(e) => {
            log("error", "tick misslyckades; försöker igen inom en minut", &[("error", e.get(engine.settings.lang).to_owned())]);
            false
        }
    }
}

/// Removes expired sessions and used or expired sign-in links (logged; a failure is only
/// logged: the pages work without it).
pub async fn purge_sign_ins(store: &crate::store::Store, now: chrono::DateTime<chrono::Utc>) {
    match crate::web::session::purge(store, now).await {
        Ok(p) if p.sessions + p.login_tokens > 0 => log(
            "info",
            "tog bort gamla inloggningar",
            &[("sessions", p.sessions.to_string()), ("login_tokens", p.login_tokens.to_string())],
        ),
        Ok(_) => {}
        Err(e) => log("error", "kunde inte ta bort gamla inloggningar", &[("error", e.msg.sv.clone())]),
    }
}

/// Runs until told to stop (or until `control.until` on a virtual clock). The engine's
/// model should already be loaded and synced (see [`reload`]).
pub async fn run(mut engine: Engine, sender: impl Sender, clock: &dyn Clock, src: Sources, mut control: Control) -> RunStats {
    let cal = Calendar::default();
    let mut seen = fingerprint(&src);
    let mut stats = RunStats::default();
    log("info", "arshjul kör", &[("owner", engine.settings.owner.clone()), ("now", clock.now().to_rfc3339())]);
    let mut tick_due = true;
    // Consecutive failed ticks: the next try comes after `tick_retry(failures)`.
    let mut failures = 0u32;
    let mut reload_pending = false;
    loop {
        if *control.stop.borrow() || control.until.is_some_and(|u| clock.now() >= u) {
            break;
        }
        stats.wakeups += 1;
        if tick_due {
            stats.ticks += 1;
            if tick(&engine, &sender, clock, &mut stats).await {
                failures = 0;
                // Expired sessions and used sign-in links go at each tick (at least daily).
                purge_sign_ins(&engine.store, clock.now()).await;
            } else {
                failures += 1;
                stats.failed_ticks += 1;
            }
        }
        let now = clock.now();
        let retry = engine.store.next_attempt().await.ok().flatten();
        let mut tick_at = next_tick(now, engine.settings.send_time, retry, &cal);
        if failures > 0 || reload_pending {
            tick_at = tick_at.min(now + tick_retry(failures.max(1)));
        }
        let mut wake = tick_at.min(now + FILE_CHECK);
        if let Some(u) = control.until {
            wake = wake.min(u);
        }
        let mut changed = false;
        tokio::select! {
            biased;
            _ = control.stop.changed() => {}
            _ = control.wake.notified() => tick_at = clock.now(),
            Some(()) = control.reload.recv() => {
                log("info", "läser om definitionerna", &[]);
                seen = fingerprint(&src);
                changed = true;
            }
            _ = clock.sleep_until(wake) => {
                let now_seen = fingerprint(&src);
                changed = now_seen != seen;
                seen = now_seen;
            }
        }
        let mut reloaded = false;
        if changed || reload_pending {
            reload_pending = false;
            match reload_outcome(&mut engine, &src, clock).await {
                Reload::Replaced => {
                    reloaded = true;
                    stats.reloads += 1;
                }
                Reload::BadFiles => stats.refused_reloads += 1,
                // Good files the database could not take: tried again with the ticks' backoff.
                Reload::StoreFailed(_) => {
                    reload_pending = true;
                    failures += 1;
                    tick_at = tick_at.min(clock.now() + tick_retry(failures));
                }
            }
        }
        tick_due = reloaded || clock.now() >= tick_at;
    }
    log(
        "info",
        "avslutar",
        &[("wakeups", stats.wakeups.to_string()), ("ticks", stats.ticks.to_string()), ("sent", stats.sent.to_string())],
    );
    // Results of sends not yet recorded: one more try, then those rows stay leased (taken
    // over later as recorded repeats); everything else leased and unsent goes back.
    if let Err(e) = engine.flush_marks().await {
        log("error", "kunde inte registrera skickade e-postmeddelanden", &[("error", e.get(engine.settings.lang).to_owned())]);
    }
    if let Err(e) = engine.store.release(&engine.settings.owner, &engine.settings.unmarked.keys()).await {
        log("error", "kunde inte släppa påbörjade utskick", &[("error", e.get(engine.settings.lang).to_owned())]);
    }
    stats
}
