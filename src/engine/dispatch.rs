//! Sending what the outbox holds: claim a batch, send `concurrency` at once, mark each
//! result as it completes. One bad row never stops the rest:
//!
//! - a send that panics (a bug, or a library's panic on some input) is caught and recorded
//!   as a permanent failure of that row with the panic's text; the other sends go on;
//! - a row whose stored payload cannot be read, or that was cut off mid-send
//!   [`MAX_REPEATS`] times (a message that kills the process), is failed by the claim;
//! - a row that keeps failing transiently is given up after [`MAX_ATTEMPTS`] tries.
//!
//! A result whose mark cannot be written (the database went away mid-batch) is kept in
//! [`Unmarked`] and written before anything else at the next tick; at a stop such rows
//! stay leased, so a later claim takes them over *as repeats* (recorded) rather than as
//! fresh sends.

use super::{Delivery, Engine, Sender, TickReport, backoff};
use crate::store::StoreError;
use chrono::{DateTime, Utc};
use futures_util::{FutureExt, StreamExt};
use std::panic::AssertUnwindSafe;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

/// Transient failures of one row before it is given up as failed (with backoff capped
/// at an hour: about two days of trying).
pub const MAX_ATTEMPTS: i64 = 48;

/// The result of a send, waiting to be written to the outbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mark {
    Sent { key: String, at: DateTime<Utc> },
    Failed { key: String, error: String, retry_at: Option<DateTime<Utc>> },
}

impl Mark {
    pub fn key(&self) -> &str {
        match self {
            Mark::Sent { key, .. } | Mark::Failed { key, .. } => key,
        }
    }
}

/// Send results not yet written to the store.
#[derive(Clone, Debug, Default)]
pub struct Unmarked(Arc<Mutex<Vec<Mark>>>);

impl Unmarked {
    fn push(&self, marks: impl IntoIterator<Item = Mark>) {
        if let Ok(mut v) = self.0.lock() {
            v.extend(marks);
        }
    }

    fn take(&self) -> Vec<Mark> {
        self.0.lock().map(|mut v| std::mem::take(&mut *v)).unwrap_or_default()
    }

    /// The keys whose outcome is not yet written.
    pub fn keys(&self) -> Vec<String> {
        self.0.lock().map(|v| v.iter().map(|m| m.key().to_owned()).collect()).unwrap_or_default()
    }

    pub fn is_empty(&self) -> bool {
        self.0.lock().map(|v| v.is_empty()).unwrap_or(true)
    }
}

/// The text of a caught panic.
fn panic_text(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>().map(|s| (*s).to_owned()).or_else(|| p.downcast_ref::<String>().cloned()).unwrap_or_default()
}

impl Engine {
    /// Writes the results kept from an earlier batch whose marks failed. On error they are
    /// kept for the next try.
    pub async fn flush_marks(&self) -> Result<(), StoreError> {
        let marks = self.settings.unmarked.take();
        if marks.is_empty() {
            return Ok(());
        }
        if let Err(e) = self.write_marks(&marks).await {
            self.settings.unmarked.push(marks);
            return Err(e);
        }
        Ok(())
    }

    async fn write_marks(&self, marks: &[Mark]) -> Result<(), StoreError> {
        let owner = &self.settings.owner;
        let mut sent: Vec<(String, DateTime<Utc>)> = Vec::new();
        for m in marks {
            match m {
                Mark::Sent { key, at } => sent.push((key.clone(), *at)),
                Mark::Failed { key, error, retry_at } => self.store.mark_failed(key, owner, error, *retry_at).await?,
            }
        }
        if let Some((_, at)) = sent.first() {
            let keys: Vec<String> = sent.iter().map(|(k, _)| k.clone()).collect();
            self.store.mark_sent_many(&keys, owner, *at).await?;
        }
        Ok(())
    }

    /// Claims and sends until nothing is ready (or the daemon is stopping).
    pub(super) async fn dispatch(&self, now: DateTime<Utc>, sender: &impl Sender, report: &mut TickReport) -> Result<(), StoreError> {
        let owner = &self.settings.owner;
        while !self.settings.stopping.load(Ordering::SeqCst) {
            let claim = self.store.claim(owner, now, self.settings.batch.max(1), self.settings.lease_secs).await?;
            report.failed += claim.poisoned;
            if claim.ready.is_empty() {
                break;
            }
            // Sends are marked as soon as they are done, together with those done at the
            // same moment (at most `concurrency` per statement): a crash repeats at most the
            // sends in flight and those just done (and the claim records that it did).
            let width = self.settings.concurrency.max(1);
            let mut done = futures_util::stream::iter(claim.ready)
                .map(|c| async move {
                    let d = AssertUnwindSafe(sender.deliver(&c.digest, &c.message_id)).catch_unwind().await.unwrap_or_else(|p| {
                        Delivery::Permanent(format!(
                            "internt fel när e-posten skulle skickas ({}); övriga utskick fortsätter. Rapportera felet.",
                            panic_text(&*p)
                        ))
                    });
                    (c, d)
                })
                .buffer_unordered(width)
                .ready_chunks(width);
            // A failed mark does not cut the stream off: sends in flight finish, and every
            // result is kept to be written later.
            let mut failure: Option<StoreError> = None;
            while let Some(group) = done.next().await {
                let mut marks = Vec::with_capacity(group.len());
                for (c, d) in &group {
                    report.repeated += usize::from(c.repeat);
                    marks.push(match d {
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
                    });
                }
                if failure.is_none() {
                    match self.write_marks(&marks).await {
                        Ok(()) => {
                            report.sent.extend(group.into_iter().filter(|(_, d)| *d == Delivery::Sent).map(|(c, _)| c.digest));
                            continue;
                        }
                        Err(e) => failure = Some(e),
                    }
                }
                // Delivered but not yet recorded: counted as sent once the mark lands.
                report.sent.extend(group.into_iter().filter(|(_, d)| *d == Delivery::Sent).map(|(c, _)| c.digest));
                self.settings.unmarked.push(marks);
            }
            if let Some(e) = failure {
                return Err(e);
            }
        }
        Ok(())
    }
}
