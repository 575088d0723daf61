//! Sending what the outbox holds, as a pipeline of three parts that run at the same time:
//!
//! - the **claimer** leases rows whenever there is room and hands them over a bounded
//!   channel: first, at the morning tick, the digests just planned, each chunk queued
//!   already leased to this daemon (a claim in the same statement as the insert, so they are
//!   neither read back nor decoded); then, once per pass, the rows whose lease ran out; then
//!   due pending rows, each claim reading on from where the last ended;
//! - the **senders**: `concurrency` sends at once (one kept-open SMTP connection each), taking
//!   the next row as soon as one is done — one slow send holds up only its own row;
//! - the **marker** collects the results and writes them in batches (all the sent rows of a
//!   batch in one statement by primary key, see [`super::marker`]).
//!
//! So SMTP never waits for SQL, and SQL never waits for one slow send. At most
//! [`super::Settings::batch`] rows are leased at once (claimed and not yet marked), and
//! only as many of them as the sends get through in a quarter of the lease at this pass's
//! pace ([`super::pace`]): a slow server is not handed rows it cannot send before they go
//! stale. That is also the most a kill -9 can leave to be taken over as recorded repeats.
//! A delivered row waits at most [`MARK_WAIT`] for its mark.
//!
//! One bad row never stops the rest:
//! - a send that panics (a bug, or a library's panic on some input) is caught and recorded
//!   as a permanent failure of that row with the panic's text; the other sends go on;
//! - a row whose stored payload cannot be read, or that was cut off mid-send
//!   [`MAX_REPEATS`](crate::store::MAX_REPEATS) times (a message that kills the process), is
//!   failed by the claim;
//! - a row that keeps failing transiently is given up after [`MAX_ATTEMPTS`] tries.
//!
//! A result whose mark cannot be written (the database went away mid-pass) is kept in
//! [`super::marker::Unmarked`]; the claimer stops, the sends already claimed finish and their
//! results are kept too.

use super::marker::Mark;
use super::pace::Pace;
use super::{Delivery, Engine, Sender, TickReport, backoff};
use crate::remind::Digest;
use crate::store::{ClaimCursor, Claimed, StoreError};
use chrono::{DateTime, Utc};
use futures_util::{FutureExt, StreamExt};
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use tokio::sync::{Semaphore, mpsc};

/// Transient failures of one row before it is given up as failed (with backoff capped
/// at an hour: about two days of trying).
pub const MAX_ATTEMPTS: i64 = 48;

/// Results the marker writes at most in one batch.
const MARK_BATCH: usize = 1024;

/// Results a mark batch waits for (at most; a quarter of the window when that is less).
const MARK_ENOUGH: usize = 128;

/// How long a mark batch waits for more results after its first: at full speed
/// [`MARK_ENOUGH`] results come in well under it.
const MARK_WAIT: std::time::Duration = std::time::Duration::from_millis(20);

/// Digests the morning tick queues at most per transaction (half of what the pace lets be
/// leased when that is less): 256 rows of 8 values stay far under either engine's limit on bound values.
const QUEUE_CHUNK: usize = 256;

/// The text of a caught panic.
fn panic_text(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>().map(|s| (*s).to_owned()).or_else(|| p.downcast_ref::<String>().cloned()).unwrap_or_default()
}

/// What the claimer's two parts (queueing the tick's digests, claiming) share: the window of
/// leased rows, its permits, the permits held back below the pace, the flag a failed mark
/// sets, and the senders' channel.
#[derive(Clone, Copy)]
struct Feed<'a> {
    window: usize,
    room: &'a Semaphore,
    pace: &'a Pace,
    withheld: &'a AtomicUsize,
    halt: &'a AtomicBool,
    work: &'a mpsc::Sender<Claimed>,
}

impl Feed<'_> {
    /// Holds back the window's permits above the pace's cap (those in use as they come
    /// back), or gives back what the cap has grown into; returns the cap.
    fn paced(&self) -> usize {
        let cap = self.pace.cap().min(self.window);
        let target = self.window - cap;
        let held = self.withheld.load(Ordering::Relaxed);
        if target > held {
            let free = self.room.available_permits().min(target - held);
            if free > 0
                && let Ok(p) = self.room.try_acquire_many(u32::try_from(free).unwrap_or(u32::MAX))
            {
                p.forget();
                self.withheld.store(held + free, Ordering::Relaxed);
            }
        } else if target < held {
            self.room.add_permits(held - target);
            self.withheld.store(target, Ordering::Relaxed);
        }
        cap
    }
}

/// How a claimed row left the senders.
enum Outcome {
    /// The daemon is stopping: not handed to SMTP; it stays leased and is given back at the stop.
    Stopped,
    /// It waited half its lease for a connection: given back unsent.
    Stale,
    Delivered(Delivery),
}

impl Engine {
    /// Queues `fresh` (the digests the tick has just planned) and sends them, then claims
    /// and sends until nothing is ready (or the daemon is stopping).
    pub(super) async fn dispatch(
        &self,
        now: DateTime<Utc>,
        sender: &impl Sender,
        report: &mut TickReport,
        fresh: Vec<Digest>,
    ) -> Result<(), StoreError> {
        let width = self.settings.concurrency.max(1);
        let window = usize::try_from(self.settings.batch).unwrap_or(1).max(width);
        // Permits = rows that may still be leased: taken by a claim, given back by the marker.
        let room = Semaphore::new(window);
        // ... of which only as many as the sends get through in a quarter of the lease.
        let pace = Pace::new(width, window, self.settings.lease_secs);
        let withheld = AtomicUsize::new(0);
        // Set when a mark could not be written: claim nothing more this pass.
        let halt = AtomicBool::new(false);
        let (work_tx, work_rx) = mpsc::channel::<Claimed>(window);
        let (done_tx, mut done_rx) = mpsc::channel::<(Claimed, Outcome)>(window);
        // Past half its lease, a row still waiting for a connection may be taken over by
        // another daemon (its lease runs out while it waits here) and then sent by both.
        let half_lease = std::time::Duration::from_secs(u64::try_from(self.settings.lease_secs).unwrap_or(0)) / 2;

        let claimer = async {
            let feed = Feed { window, room: &room, pace: &pace, withheld: &withheld, halt: &halt, work: &work_tx };
            let started = std::time::Instant::now();
            let queued = if fresh.is_empty() { Ok(0) } else { self.queue_loop(fresh, &feed).await };
            let queue_ms = super::ms_since(started);
            let claimed = match queued {
                Ok(_) => self.claim_loop(now, &feed).await,
                Err(_) => Ok(0),
            };
            drop(work_tx);
            (queued, queue_ms, claimed)
        };

        let senders = async {
            let (stopping, pace) = (&self.settings.stopping, &pace);
            let rows = futures_util::stream::unfold(work_rx, |mut rx| async move { rx.recv().await.map(|c| (c, rx)) });
            let done = rows
                .map(|c| async move {
                    // Stopping: what is not yet handed to SMTP stays leased and is given back.
                    if stopping.load(Ordering::SeqCst) {
                        return (c, Outcome::Stopped);
                    }
                    // Waited half its lease for a connection (a slow server): given back
                    // unsent rather than risk a second sender. A row taken over after a
                    // crash (already a recorded repeat) goes on.
                    if !c.repeat && c.claimed_at.elapsed() >= half_lease {
                        return (c, Outcome::Stale);
                    }
                    let d = AssertUnwindSafe(sender.deliver(&c.digest, &c.message_id)).catch_unwind().await.unwrap_or_else(|p| {
                        Delivery::Permanent(format!(
                            "internt fel när e-posten skulle skickas ({}); övriga utskick fortsätter. Rapportera felet.",
                            panic_text(&*p)
                        ))
                    });
                    pace.finished_one();
                    (c, Outcome::Delivered(d))
                })
                .buffer_unordered(width);
            let mut done = std::pin::pin!(done);
            while let Some(r) = done.next().await {
                if done_tx.send(r).await.is_err() {
                    break;
                }
            }
            drop(done_tx);
        };

        let marker = async {
            let mut failure: Option<StoreError> = None;
            let mut batch = Vec::with_capacity(MARK_BATCH);
            while done_rx.recv_many(&mut batch, MARK_BATCH).await > 0 {
                // A batch waits for a quarter of the leased rows' results (or the end of
                // the pass): one statement for many rows instead of one for every few ...
                let enough = (pace.cap() / 4).clamp(1, MARK_ENOUGH);
                // ... but not longer than MARK_WAIT: with a slow server a delivered row
                // waits for its mark no more than that (not for the next sends to finish),
                // so it is not left leased to run out and be sent again by another daemon.
                let deadline = tokio::time::Instant::now() + MARK_WAIT;
                while batch.len() < enough {
                    let more = MARK_BATCH - batch.len();
                    match tokio::time::timeout_at(deadline, done_rx.recv_many(&mut batch, more)).await {
                        Ok(0) | Err(_) => break,
                        Ok(_) => {}
                    }
                }
                let n = batch.len();
                let mut marks = Vec::with_capacity(n);
                let mut sent = Vec::with_capacity(n);
                for (c, outcome) in batch.drain(..) {
                    let d = match outcome {
                        Outcome::Stopped => continue,
                        Outcome::Stale => {
                            report.released += 1;
                            marks.push(Mark::Released { key: c.key });
                            continue;
                        }
                        Outcome::Delivered(d) => d,
                    };
                    report.repeated += usize::from(c.repeat);
                    marks.push(self.mark(&c, &d, now, report));
                    if d == Delivery::Sent {
                        sent.push(c.digest);
                    }
                }
                if !marks.is_empty() {
                    if failure.is_none() {
                        if let Err(e) = self.write_marks(&marks).await {
                            failure = Some(e);
                            halt.store(true, Ordering::SeqCst);
                            self.settings.unmarked.push(marks);
                        }
                    } else {
                        self.settings.unmarked.push(marks);
                    }
                }
                // Delivered but not yet recorded: counted as sent once the mark lands.
                report.sent.extend(sent);
                room.add_permits(n);
            }
            failure
        };

        let ((queued, queue_ms, claimed), (), marked) = tokio::join!(claimer, senders, marker);
        report.took.enqueue_ms = queue_ms;
        report.queued = *queued.as_ref().unwrap_or(&0);
        report.failed += claimed.as_ref().map_or(0, |p| *p);
        match (queued, claimed, marked) {
            (Err(e), _, _) | (_, Err(e), _) | (_, _, Some(e)) => Err(e),
            _ => Ok(()),
        }
    }

    /// The claimer's first part at the morning tick: queues `fresh` in chunks of at most
    /// half of what the pace lets be leased ([`Feed::paced`]), each leased to this daemon as it is inserted, and hands the rows
    /// it queued to the senders. A person whose digest for the day another daemon queued
    /// first is left to that daemon. Returns how many it queued. Stopping (or a mark that
    /// could not be written) ends it early: what is not queued is planned again by the
    /// next tick.
    async fn queue_loop(&self, fresh: Vec<Digest>, feed: &Feed<'_>) -> Result<usize, StoreError> {
        let (owner, lease, domain) = (&self.settings.owner, self.settings.lease_secs, &self.settings.domain);
        let mut queued = 0;
        let mut rest = fresh.into_iter().peekable();
        while rest.peek().is_some() && !self.ended(feed) {
            let size = (feed.paced() / 2).clamp(1, QUEUE_CHUNK);
            let chunk: Vec<Digest> = rest.by_ref().take(size).collect();
            let n = chunk.len();
            let Ok(p) = feed.room.acquire_many(u32::try_from(n).unwrap_or(u32::MAX)).await else { break };
            p.forget();
            let ours = match self.store.enqueue_leased(chunk, domain, owner, lease).await {
                Ok(o) => o,
                Err(e) => {
                    feed.room.add_permits(n);
                    return Err(e);
                }
            };
            feed.room.add_permits(n - ours.len());
            queued += ours.len();
            for c in ours {
                if feed.work.send(c).await.is_err() {
                    return Ok(queued);
                }
            }
        }
        Ok(queued)
    }

    /// Whether the claimer must stop: the daemon is stopping, or a mark could not be written.
    fn ended(&self, feed: &Feed<'_>) -> bool {
        self.settings.stopping.load(Ordering::SeqCst) || feed.halt.load(Ordering::SeqCst)
    }

    /// The claimer: leases rows while there is room and hands them to the senders; returns
    /// how many rows it failed at once (poisoned).
    async fn claim_loop(&self, now: DateTime<Utc>, feed: &Feed<'_>) -> Result<usize, StoreError> {
        let Feed { room, work, .. } = *feed;
        let (owner, lease) = (&self.settings.owner, self.settings.lease_secs);
        let mut poisoned = 0;
        let mut cursor = ClaimCursor::default();
        // Leases that ran out are looked for once per pass, before the pending rows.
        let mut expired = true;
        while !self.ended(feed) {
            // A claim waits for room for at least half of what may be leased, so claims
            // stay large.
            let least = u32::try_from((feed.paced() / 2).max(1)).unwrap_or(1);
            let Ok(p) = room.acquire_many(least).await else { break };
            p.forget();
            let extra = room.available_permits();
            if let Ok(p) = room.try_acquire_many(u32::try_from(extra).unwrap_or(0)) {
                p.forget();
            }
            let n = least as usize + extra;
            let taking_over = expired;
            let claim = if taking_over {
                let c = self.store.take_over_expired(owner, n as i64, lease).await;
                if c.as_ref().is_ok_and(|c| c.ready.len() + c.poisoned < n) {
                    expired = false;
                }
                c
            } else {
                self.store.claim_pending(owner, now, n as i64, lease, &mut cursor).await
            };
            let claim = match claim {
                Ok(c) => c,
                Err(e) => {
                    room.add_permits(n);
                    return Err(e);
                }
            };
            poisoned += claim.poisoned;
            let got = claim.ready.len();
            room.add_permits(n - got);
            // An empty takeover moves on to the pending rows; an empty claim ends the pass.
            if got + claim.poisoned == 0 && !taking_over {
                break;
            }
            for c in claim.ready {
                if work.send(c).await.is_err() {
                    return Ok(poisoned);
                }
            }
        }
        Ok(poisoned)
    }

    /// The mark for one send's outcome, counted in the report.
    fn mark(&self, c: &Claimed, d: &Delivery, now: DateTime<Utc>, report: &mut TickReport) -> Mark {
        match d {
            Delivery::Sent => Mark::Sent { key: c.key.clone(), at: now },
            Delivery::Transient(e) if c.attempts >= MAX_ATTEMPTS => {
                report.failed += 1;
                Mark::Failed {
                    key: c.key.clone(),
                    error: format!("gav upp efter {} försök; senaste felet: {e}", c.attempts),
                    retry_at: None,
                }
            }
            Delivery::Transient(e) => {
                report.retried += 1;
                Mark::Failed { key: c.key.clone(), error: e.clone(), retry_at: Some(now + backoff(c.attempts)) }
            }
            Delivery::Permanent(e) => {
                report.failed += 1;
                Mark::Failed { key: c.key.clone(), error: e.clone(), retry_at: None }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::definition::Model;
    use crate::engine::{DryRun, Settings};
    use crate::remind::{Digest, Item, Person, Step};
    use crate::store::Store;
    use crate::workflow::State;
    use chrono::{NaiveDate, TimeZone};
    use std::sync::Arc;

    fn digest(i: usize) -> Digest {
        let day = NaiveDate::from_ymd_opt(2021, 5, 24).unwrap();
        Digest {
            to: Person { name: format!("Rektor {i}"), email: format!("rektor{i}@testkommun.se") },
            day,
            send_at: Utc.with_ymd_and_hms(2021, 5, 24, 5, 30, 0).unwrap(),
            items: vec![Item {
                checkpoint: format!("testkommun/arshjul/c{i}"),
                title: "Uppföljning".into(),
                organisation: "testkommun".into(),
                plan: None,
                initiative: None,
                unit: None,
                owner_role: "Rektor".into(),
                due: day,
                step: Step::OnDue,
                state: State::Open,
                school_break: None,
                on_behalf_of: None,
            }],
            login: None,
        }
    }

    /// An engine on an empty store in memory: two sends at once, eight rows leased.
    async fn engine() -> Engine {
        let store = Store::open("sqlite::memory:").await.unwrap();
        let settings = Settings { concurrency: 2, batch: 8, owner: "t".into(), ..Settings::default() };
        Engine { store, model: Arc::new(Model::default()), settings }
    }

    /// Monday 24 May 2021, 08:00 in Stockholm: after the send time.
    fn monday() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2021, 5, 24, 6, 0, 0).unwrap()
    }

    /// A sender that, at each send, counts the rows being sent (leased and not yet marked).
    struct Watching<'a> {
        store: &'a Store,
        inner: DryRun,
        most_leased: std::sync::Mutex<usize>,
    }

    impl Sender for Watching<'_> {
        async fn deliver(&self, digest: &Digest, message_id: &str) -> crate::engine::Delivery {
            let leased = self.store.outbox().await.unwrap().iter().filter(|r| r.status == "sending").count();
            {
                let mut most = self.most_leased.lock().unwrap();
                *most = (*most).max(leased);
            }
            self.inner.deliver(digest, message_id).await
        }
    }

    /// A sender whose sends wait at a gate the test opens; counts the sends that reached it.
    struct Gated {
        gate: Semaphore,
        arrived: AtomicUsize,
        arrival: tokio::sync::Notify,
        inner: DryRun,
    }

    impl Sender for Gated {
        async fn deliver(&self, digest: &Digest, message_id: &str) -> crate::engine::Delivery {
            self.arrived.fetch_add(1, Ordering::SeqCst);
            self.arrival.notify_one();
            self.gate.acquire().await.unwrap().forget();
            self.inner.deliver(digest, message_id).await
        }
    }

    /// Dispatches (`fresh` digests, or 30 pending rows when there are none) with the sends
    /// held at the gate until both connections have a row; returns the rows leased then.
    async fn leased_before_the_first_send_finishes(fresh: Vec<Digest>) -> usize {
        let engine = engine().await;
        if fresh.is_empty() {
            engine.store.enqueue(&(0..30).map(digest).collect::<Vec<_>>(), "testkommun.se").await.unwrap();
        }
        let sender = Gated { gate: Semaphore::new(0), arrived: AtomicUsize::new(0), arrival: Default::default(), inner: DryRun::default() };
        let mut report = TickReport::default();
        let watch = async {
            while sender.arrived.load(Ordering::SeqCst) < 2 {
                sender.arrival.notified().await;
            }
            let leased = engine.store.outbox().await.unwrap().iter().filter(|r| r.status == "sending").count();
            sender.gate.add_permits(1000);
            leased
        };
        let (done, leased) = tokio::join!(engine.dispatch(monday(), &sender, &mut report, fresh), watch);
        done.unwrap();
        assert_eq!((report.sent.len(), report.released, sender.inner.sent.lock().unwrap().len()), (30, 0, 30));
        leased
    }

    /// Until the first send has finished the pace is unknown (the server may take minutes
    /// a message), so no more rows are leased than there are connections — not the window
    /// of 8 — whether claimed or queued at the morning tick. Then all are sent, once each.
    #[tokio::test]
    async fn until_a_send_finishes_only_a_row_per_connection_is_leased() {
        assert_eq!(leased_before_the_first_send_finishes(Vec::new()).await, 2, "claimed");
        assert_eq!(leased_before_the_first_send_finishes((0..30).map(digest).collect()).await, 2, "queued");
    }

    /// The morning tick's digests are queued leased to this daemon, a chunk at a time, and
    /// sent in the same pass: each once, at the first attempt, in the ledger, and never
    /// more rows leased at once than the window.
    #[tokio::test]
    async fn fresh_digests_are_queued_leased_and_sent_within_the_window() {
        let engine = engine().await;
        let sender = Watching { store: &engine.store, inner: DryRun::default(), most_leased: Default::default() };
        let mut report = TickReport::default();
        let fresh: Vec<Digest> = (0..30).map(digest).collect();
        engine.dispatch(monday(), &sender, &mut report, fresh).await.unwrap();
        assert_eq!((report.queued, report.sent.len(), report.repeated), (30, 30, 0));
        assert_eq!(sender.inner.sent.lock().unwrap().len(), 30);
        let most = *sender.most_leased.lock().unwrap();
        assert!((1..=8).contains(&most), "at most the window (8) leased at once, saw {most}");
        let rows = engine.store.outbox().await.unwrap();
        assert_eq!(rows.len(), 30);
        assert!(rows.iter().all(|r| r.status == "sent" && r.attempts == 1 && r.repeats == 0 && r.lease_owner.is_none()), "{rows:#?}");
        let ids: Vec<String> = (0..30).map(|i| format!("testkommun/arshjul/c{i}")).collect();
        assert_eq!(engine.store.reminded(&ids).await.unwrap().len(), 30, "every reminder in the ledger");
    }

    /// A person whose digest for the day another daemon queued (and holds) first is left
    /// to that daemon: not sent here, its row untouched.
    #[tokio::test]
    async fn a_digest_another_daemon_queued_first_is_left_to_it() {
        let engine = engine().await;
        let theirs = engine.store.enqueue_leased(vec![digest(3)], "testkommun.se", "other", 120).await.unwrap();
        assert_eq!(theirs.iter().map(|c| c.digest.to.email.as_str()).collect::<Vec<_>>(), ["rektor3@testkommun.se"]);
        let sender = DryRun::default();
        let mut report = TickReport::default();
        engine.dispatch(monday(), &sender, &mut report, (0..6).map(digest).collect()).await.unwrap();
        assert_eq!((report.queued, report.sent.len()), (5, 5));
        let sent: Vec<String> = sender.sent.lock().unwrap().iter().map(|(d, _)| d.to.email.clone()).collect();
        assert!(!sent.contains(&"rektor3@testkommun.se".to_owned()), "{sent:?}");
        let rows = engine.store.outbox().await.unwrap();
        let other = rows.iter().find(|r| r.recipient == "rektor3@testkommun.se").unwrap();
        assert_eq!((other.status.as_str(), other.lease_owner.as_deref()), ("sending", Some("other")));
    }

    /// Two digests for one person and day share one outbox row, so only one is sent.
    #[tokio::test]
    async fn one_person_and_day_is_sent_once_even_if_planned_twice() {
        let engine = engine().await;
        let sender = DryRun::default();
        let mut report = TickReport::default();
        engine.dispatch(monday(), &sender, &mut report, vec![digest(1), digest(1), digest(2)]).await.unwrap();
        assert_eq!((report.queued, report.sent.len(), sender.sent.lock().unwrap().len()), (2, 2, 2));
    }

    /// A row that waited half its lease for a connection is given back unsent (pending,
    /// the attempt not counted) rather than sent while another daemon may take it over.
    /// Here the lease is zero, so every row has waited too long; the next pass with a
    /// lease sends each once, at its first attempt.
    #[tokio::test]
    async fn a_row_that_waited_half_its_lease_is_given_back_unsent() {
        let mut engine = engine().await;
        engine.settings.lease_secs = 0;
        let digests: Vec<Digest> = (0..3).map(digest).collect();
        engine.store.enqueue(&digests, "testkommun.se").await.unwrap();
        let now = monday();
        let sender = DryRun::default();
        let mut report = TickReport::default();
        engine.dispatch(now, &sender, &mut report, Vec::new()).await.unwrap();
        assert_eq!((report.released, report.sent.len()), (3, 0));
        assert!(sender.sent.lock().unwrap().is_empty(), "nothing handed to SMTP");
        let rows = engine.store.outbox().await.unwrap();
        assert!(rows.iter().all(|r| r.status == "pending" && r.attempts == 0 && r.lease_owner.is_none() && r.repeats == 0), "{rows:#?}");

        engine.settings.lease_secs = 120;
        let mut report = TickReport::default();
        engine.dispatch(now, &sender, &mut report, Vec::new()).await.unwrap();
        assert_eq!((report.released, report.sent.len(), report.repeated), (0, 3, 0));
        let rows = engine.store.outbox().await.unwrap();
        assert!(rows.iter().all(|r| r.status == "sent" && r.attempts == 1 && r.repeats == 0), "{rows:#?}");
    }

    /// With nothing to queue (a tick outside the send time), an empty claim ends the pass.
    #[tokio::test]
    async fn without_queueing_an_empty_claim_ends_the_pass() {
        let engine = engine().await;
        let mut report = TickReport::default();
        engine.dispatch(monday(), &DryRun::default(), &mut report, Vec::new()).await.unwrap();
        assert!(report.sent.is_empty());
    }
}
