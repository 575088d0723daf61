//! Group commit of single actions on SQLite. SQLite has one writer at a time; with many
//! people reporting at once, each action's own transaction (begin, commit, the lock handed
//! from one to the next) cost more than the action. Here this process's actions queue for
//! one writer task, which takes what is queued (up to [`MAX_BATCH`]) and runs it in one
//! `BEGIN IMMEDIATE` transaction:
//!
//! - each action is judged by the state machine in turn, on the state the ones before it
//!   in the batch left (`Store::act_in`: the same read, replay, decide, update and append as
//!   an action alone), and each caller gets its own result;
//! - a refusal writes nothing, so it takes nothing back from the others;
//! - a caller hears of its action only after the commit (durability as before: nothing is
//!   relaxed);
//! - if anything in the batch fails in the database (or the commit does), the batch is rolled
//!   back and each of its actions runs again alone, so one bad action cannot fail the others.
//!
//! Other processes (the CLI beside a daemon) still meet at SQLite's write lock (busy
//! timeout). PostgreSQL does not use this: its row locks let actions run side by side.

use super::act::{Acted, Attempt};
use super::{Op, Store, StoreError};
use crate::workflow::{Command, Refusal, Today};
use chrono::{DateTime, Utc};
use tokio::sync::{mpsc, oneshot};

/// At most this many actions per transaction.
pub const MAX_BATCH: usize = 64;

type Answer = Result<Result<Acted, Refusal>, StoreError>;

/// One queued action and where its answer goes.
pub(super) struct Job {
    id: String,
    cmd: Command,
    actor: String,
    via: Option<String>,
    now: DateTime<Utc>,
    today: Today,
    reply: oneshot::Sender<Answer>,
}

/// The queue to this process's writer (started with the first action).
pub(super) type Queue = std::sync::OnceLock<mpsc::UnboundedSender<Job>>;

fn writer_gone() -> StoreError {
    StoreError::new(
        "databasens skrivkö har stannat (processen håller på att avslutas); försök igen.",
        "the database's write queue has stopped (the process is ending); try again.",
    )
}

impl Store {
    /// [`Store::act_via`] through the writer's queue.
    pub(super) async fn act_grouped(
        &self,
        id: &str,
        cmd: &Command,
        actor: &str,
        via: Option<&str>,
        now: DateTime<Utc>,
        today: Today,
    ) -> Answer {
        let queue = self.group.get_or_init(|| {
            let (tx, rx) = mpsc::unbounded_channel();
            // The writer's own handle does not hold the queue, so the task ends when the
            // last handle of this store is dropped.
            let store = Store { group: std::sync::Arc::default(), ..self.clone() };
            tokio::spawn(store.write_loop(rx));
            tx
        });
        let (reply, answer) = oneshot::channel();
        let job = Job { id: id.to_owned(), cmd: cmd.clone(), actor: actor.to_owned(), via: via.map(str::to_owned), now, today, reply };
        queue.send(job).map_err(|_| writer_gone())?;
        answer.await.map_err(|_| writer_gone())?
    }

    async fn write_loop(self, mut rx: mpsc::UnboundedReceiver<Job>) {
        let mut batch = Vec::with_capacity(MAX_BATCH);
        while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
            // A panic in one batch (a bug) answers its callers with an error (their reply
            // channels close) and rolls it back; the writer goes on with the next.
            let run = std::panic::AssertUnwindSafe(self.write_batch(std::mem::take(&mut batch)));
            let _ = futures_util::FutureExt::catch_unwind(run).await;
        }
    }

    /// Runs `jobs` in one transaction and answers each; on a database error, each alone.
    async fn write_batch(&self, jobs: Vec<Job>) {
        // On a database error the batch was rolled back: nothing of it is stored, and each
        // action runs alone below.
        if jobs.len() > 1
            && let Ok(answers) = self.try_batch(&jobs).await
        {
            for (job, answer) in jobs.into_iter().zip(answers) {
                let _ = job.reply.send(Ok(answer));
            }
            return;
        }
        for job in jobs {
            let answer = self.act_alone(&job.id, &job.cmd, &job.actor, job.via.as_deref(), job.now, job.today).await;
            let _ = job.reply.send(answer);
        }
    }

    /// The batch in one transaction: every answer, or the first database error (then
    /// nothing is stored).
    async fn try_batch(&self, jobs: &[Job]) -> Result<Vec<Result<Acted, Refusal>>, StoreError> {
        let err = |e| StoreError::db(Op::Act, e);
        let _turn = self.writer_turn().await;
        let mut tx = self.begin().await.map_err(err)?;
        let mut answers = Vec::with_capacity(jobs.len());
        for j in jobs {
            let failed = match self.act_in(&mut tx, &j.id, &j.cmd, &j.actor, j.via.as_deref(), j.now, j.today).await {
                Ok(Attempt::Done(r)) => {
                    answers.push(r);
                    continue;
                }
                Err(e) => e,
                // Cannot happen under the write lock; run the batch alone to be sure.
                Ok(Attempt::Changed) => StoreError::new("raden ändrades under skrivlåset", "the row changed under the write lock"),
            };
            // Released now, before the actions run again alone.
            let _ = tx.rollback().await;
            return Err(failed);
        }
        tx.commit().await.map_err(err)?;
        Ok(answers)
    }
}
