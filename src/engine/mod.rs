//! The engine: one `tick(now)` moves every checkpoint that needs it (open, overdue, missed
//! when its follow-up window has closed: [`missed`]), plans
//! the day's reminders into the outbox and dispatches what is ready. The daemon calls it at
//! each wake-up; `arshjul simulate` calls it over virtual days. All time comes in as `now`.

pub mod daemon;
mod dispatch;
mod marker;
pub mod missed;
mod pace;
mod plan;
pub mod source;
pub mod wake;

use crate::definition::{Lang, Model};
use crate::remind::Digest;
use crate::store::{Store, StoreError};
use crate::workflow::{Command, Today};
use chrono::{DateTime, Duration, NaiveTime, Utc};
use chrono_tz::Europe::Stockholm;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// What happened to one send attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Delivery {
    Sent,
    /// Connection failure, timeout, 4xx: retry later with backoff.
    Transient(String),
    /// 5xx, bad address: recorded as failed and shown, never silently dropped.
    Permanent(String),
}

/// Something that delivers a digest (SMTP, or a dry-run collector).
pub trait Sender: Send + Sync {
    fn deliver(&self, digest: &Digest, message_id: &str) -> impl std::future::Future<Output = Delivery> + Send;
}

/// Engine settings.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Local (Europe/Stockholm) time of day reminders go out on working days.
    pub send_time: NaiveTime,
    /// Domain for Message-IDs.
    pub domain: String,
    /// This process's name in leases.
    pub owner: String,
    /// How long a claimed row is held before another daemon may take it over.
    pub lease_secs: i64,
    /// Emails sent at once (kept-open SMTP connections); also the most a crash can repeat.
    pub concurrency: usize,
    /// Outbox rows leased at once (claimed, not yet marked): claims fill this window as
    /// sends finish. The daemon uses [`lease_window`]; it is also the most a kill -9 can
    /// leave to be taken over as recorded repeats.
    pub batch: i64,
    /// Set when the daemon is asked to stop: dispatch finishes what is in flight and
    /// claims nothing more.
    pub stopping: Arc<AtomicBool>,
    /// Outcomes of sends whose mark could not be written (database down): written before
    /// anything else at the next tick, and kept leased at a stop (see `dispatch`).
    pub unmarked: marker::Unmarked,
    /// The language of what the daemon logs about the user's files and errors.
    pub lang: Lang,
    /// Where a reload also publishes the new model (the web pages read it from there).
    pub publish: Option<SharedModel>,
}

/// The loaded model, shared with readers that outlive a reload (the web server): the
/// daemon's reload swaps the inner `Arc`.
pub type SharedModel = Arc<std::sync::RwLock<Arc<Model>>>;

impl Default for Settings {
    fn default() -> Self {
        Self {
            send_time: NaiveTime::from_hms_opt(7, 30, 0).unwrap_or_default(),
            domain: "arshjul.local".into(),
            owner: default_owner(),
            lease_secs: 120,
            concurrency: 8,
            batch: lease_window(8, crate::store::Engine::Sqlite),
            stopping: Arc::default(),
            unmarked: marker::Unmarked::default(),
            lang: Lang::default(),
            publish: None,
        }
    }
}

/// Rows a daemon sending `concurrency` at once keeps leased ([`Settings::batch`]) on a store
/// of `engine`. It is also the most a kill -9 can leave to be taken over as recorded repeats
/// (only those in flight can really arrive twice). The in-process bench uses the same.
///
/// - **SQLite: 16 ×** (128 rows with 8 connections). Claims are large (a claim is one
///   transaction; 2 × concurrency gave 4.1–6.2 k emails/s, 16 × gave 4.9–8.8 k/s on 100 k
///   due reminders) and one is under way while the sends go on. A wider window gained
///   nothing there: the statements run in this process.
/// - **PostgreSQL: 128 ×** (1 024 rows). Each chunk the morning tick queues (half the
///   window, at most 256 rows) is a transaction over the network that commits to disk, and
///   its cost is mostly per statement: chunks of 64 left the senders waiting for rows
///   (median 5 277 emails/s after start-up over 11 runs against 6 477 over 15 with chunks of
///   256, one session, BENCHMARKS.md "A slower machine, and wider chunks on PostgreSQL").
pub fn lease_window(concurrency: usize, engine: crate::store::Engine) -> i64 {
    let per_connection = match engine {
        crate::store::Engine::Sqlite => 16,
        crate::store::Engine::Postgres => 128,
    };
    per_connection * concurrency.max(1) as i64
}

/// `{hostname}-{pid}`: unique per process. A daemon restarted under a fixed name
/// (`ARSHJUL_INSTANCE`) takes back its own interrupted sends at once instead of waiting
/// for their leases to run out.
pub fn default_owner() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").map(|h| h.trim().to_owned()).unwrap_or_default();
    let host = if host.is_empty() { "arshjul".to_owned() } else { host };
    format!("{host}-{}", std::process::id())
}

/// What one tick did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TickReport {
    pub opened: usize,
    pub overdue: usize,
    /// Overdue checkpoints whose follow-up window closed: now missed.
    pub missed: usize,
    pub queued: usize,
    pub sent: Vec<Digest>,
    pub retried: usize,
    pub failed: usize,
    /// Sends that repeat an attempt cut off earlier (crash mid-send): recorded.
    pub repeated: usize,
    /// Claimed rows given back unsent: they waited half their lease for a connection.
    pub released: usize,
    /// Wall time of the work before sending (for the log; measured, never acted on).
    pub took: Took,
}

/// Milliseconds of wall time a tick spent on its parts, in order: the state machine's
/// transitions that change reminders (overdue, missed), planning the digests, queueing
/// them — which goes on while they are sent, a window at a time, so it ends with the last
/// chunk handed to the senders — and, once the sending is done, opening the day's
/// checkpoints.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Took {
    pub transitions_ms: u64,
    pub plan_ms: u64,
    pub enqueue_ms: u64,
    pub opening_ms: u64,
}

fn ms_since(t: std::time::Instant) -> u64 {
    u64::try_from(t.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// Backoff for transient failures: 1, 2, 4 … minutes, capped at an hour.
pub fn backoff(attempts: i64) -> Duration {
    Duration::minutes(1i64 << attempts.clamp(1, 7).saturating_sub(1)).min(Duration::hours(1))
}

pub struct Engine {
    pub store: Store,
    pub model: Arc<Model>,
    pub settings: Settings,
}

impl Engine {
    /// One pass at instant `now`.
    pub async fn tick(&self, now: DateTime<Utc>, sender: &impl Sender) -> Result<TickReport, StoreError> {
        let mut report = TickReport::default();
        self.flush_marks().await?;
        let local = now.with_timezone(&Stockholm);
        let today = local.date_naive();
        let facts = Today { date: today, target_is_working_day: true, window: None };
        let started = std::time::Instant::now();
        let overdue = self.store.overdue_ids(today).await?;
        // Overdue and missed first: the day's reminders depend on them (a missed
        // checkpoint's notice, reminders that stop).
        report.overdue = self.store.act_system(&overdue, &Command::MarkOverdue, now, facts).await?;
        let closed = missed::closed(&self.store, &self.model, today).await?;
        report.missed = self.store.act_system(&closed, &Command::MarkMissed { reason: None }, now, facts).await?;
        report.took.transitions_ms = ms_since(started);
        // Opening changes no reminder (the step that is due follows the dates, and a planned
        // checkpoint is reminded as an open one, and may be reported on): the day's
        // checkpoints are opened after its reminders are sent, so that no email waits for
        // them. Beside the sending, the opening took the writer's turns on SQLite and the
        // server's CPU on PostgreSQL: the last of 100 000 emails went out 1.2–1.4 × later
        // (BENCHMARKS.md). Which to open is read then too, not before the first email. A
        // failed delivery does not stop the opening; a daemon asked to stop leaves it, like a
        // tick cut off between the two, to the next tick.
        let delivered = self.deliver(now, sender, &mut report).await;
        let mut opened = Ok(0);
        if !self.settings.stopping.load(std::sync::atomic::Ordering::SeqCst) {
            let started = std::time::Instant::now();
            let open = async { self.store.act_system(&self.store.ids_to_open(today).await?, &Command::Open, now, facts).await };
            opened = open.await;
            report.took.opening_ms = ms_since(started);
        }
        delivered?;
        report.opened = opened?;
        Ok(report)
    }

    /// Plans the day's digests when it is a working day past the send time, and dispatches
    /// them (queued as they are sent, see `dispatch`) and whatever else is ready.
    async fn deliver(&self, now: DateTime<Utc>, sender: &impl Sender, report: &mut TickReport) -> Result<(), StoreError> {
        let local = now.with_timezone(&Stockholm);
        let today = local.date_naive();
        let cal = crate::calendar::Calendar::default();
        if !(cal.is_working_day(today) && local.time() >= self.settings.send_time) {
            return self.dispatch(now, sender, report, Vec::new()).await;
        }
        let send_at = crate::calendar::recurrence::local_to_instant(today.and_time(self.settings.send_time), Stockholm);
        let started = std::time::Instant::now();
        let digests = plan::digests(&self.store, &self.model, today, send_at).await?;
        report.took.plan_ms = ms_since(started);
        self.dispatch(now, sender, report, digests).await
    }
}

/// The `--dry-run` sender: records every digest it would send, sends nothing.
#[derive(Debug, Default)]
pub struct DryRun {
    pub sent: std::sync::Mutex<Vec<(Digest, String)>>,
}

impl Sender for DryRun {
    async fn deliver(&self, digest: &Digest, message_id: &str) -> Delivery {
        if let Ok(mut v) = self.sent.lock() {
            v.push((digest.clone(), message_id.to_owned()));
        }
        Delivery::Sent
    }
}
