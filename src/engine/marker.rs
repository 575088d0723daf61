//! Recording send results: a [`Mark`] per send, written in batches (all the sent rows of a
//! batch in one statement by primary key). A result whose mark cannot be written (the
//! database went away) is kept in [`Unmarked`] and written before anything else at the next
//! tick; at a stop such rows stay leased, so a later claim takes them over *as repeats*
//! (recorded) rather than as fresh sends.

use super::Engine;
use crate::store::StoreError;
use chrono::{DateTime, Utc};
use std::sync::{Arc, Mutex};

/// The result of a send, waiting to be written to the outbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mark {
    Sent {
        key: String,
        at: DateTime<Utc>,
    },
    Failed {
        key: String,
        error: String,
        retry_at: Option<DateTime<Utc>>,
    },
    /// Never handed to SMTP (it waited half its lease for a connection): given back.
    Released {
        key: String,
    },
}

impl Mark {
    pub fn key(&self) -> &str {
        match self {
            Mark::Sent { key, .. } | Mark::Failed { key, .. } | Mark::Released { key } => key,
        }
    }
}

/// Send results not yet written to the store.
#[derive(Clone, Debug, Default)]
pub struct Unmarked(Arc<Mutex<Vec<Mark>>>);

impl Unmarked {
    pub(super) fn push(&self, marks: impl IntoIterator<Item = Mark>) {
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

    /// One batch of results: the sent rows by primary key in multi-row statements, each
    /// failure (rare) by itself.
    pub(super) async fn write_marks(&self, marks: &[Mark]) -> Result<(), StoreError> {
        let owner = &self.settings.owner;
        let mut sent: Vec<String> = Vec::new();
        let mut released: Vec<String> = Vec::new();
        let mut at = None;
        for m in marks {
            match m {
                Mark::Sent { key, at: t } => {
                    sent.push(key.clone());
                    at = Some(*t);
                }
                Mark::Failed { key, error, retry_at } => self.store.mark_failed(key, owner, error, *retry_at).await?,
                Mark::Released { key } => released.push(key.clone()),
            }
        }
        if let Some(at) = at {
            self.store.mark_sent_many(&sent, owner, at).await?;
        }
        if !released.is_empty() {
            self.store.release_unsent(owner, &released).await?;
        }
        Ok(())
    }
}
