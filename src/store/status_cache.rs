//! The standing of recently acted-on checkpoints, by chain head, so that an action need not
//! replay a checkpoint's whole history when this process already knows where it stands.
//!
//! The history is the truth: a checkpoint's standing is the fold of its events
//! ([`crate::workflow::Status::replay`]). Each event is hashed with the one before it, so the
//! chain head (ordinal and hash, kept on the row) names the whole history up to it; the
//! standing after that history is a function of the head. An entry is therefore used only
//! when the row, read under its lock, has exactly the head the entry was made for. Any other
//! writer (another process, a rolled-back transaction that a later one replaced) moves the
//! head, and the next action replays the history as before. A busy checkpoint (a rektor
//! correcting a report many times, the web page's load test) otherwise replays an ever longer
//! history on every action.

use super::chain::Head;
use crate::workflow::Status;
use std::collections::HashMap;
use std::sync::Mutex;

/// At most this many checkpoints are remembered; when full, it starts again empty.
const CAPACITY: usize = 16_384;

#[derive(Debug, Default)]
pub(super) struct StatusCache {
    entries: Mutex<HashMap<String, (Head, Status)>>,
}

impl StatusCache {
    /// The standing of `id` if it was remembered at exactly `head`.
    pub(super) fn get(&self, id: &str, head: &Head) -> Option<Status> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.get(id).filter(|(h, _)| h == head).map(|(_, s)| s.clone())
    }

    /// Remembers that at `head`, `id` stands at `status`.
    pub(super) fn put(&self, id: &str, head: Head, status: Status) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= CAPACITY && !entries.contains_key(id) {
            entries.clear();
        }
        entries.insert(id.to_owned(), (head, status));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::chain::Head;

    #[test]
    fn an_entry_is_used_only_at_its_own_head() {
        let cache = StatusCache::default();
        let at = Head::stored(3, Some(&"ab".repeat(32)));
        let status = Status::new(chrono::NaiveDate::from_ymd_opt(2021, 3, 19));
        cache.put("k/1", at, status.clone());
        assert_eq!(cache.get("k/1", &at), Some(status));
        assert_eq!(cache.get("k/1", &Head::stored(4, Some(&"ab".repeat(32)))), None, "a later event");
        assert_eq!(cache.get("k/1", &Head::stored(3, Some(&"cd".repeat(32)))), None, "another history of the same length");
        assert_eq!(cache.get("k/2", &at), None);
    }
}
