//! A bounded cache of rendered views (the overview page's body, its CSV and SVG downloads),
//! so that a page nobody changed is not computed again for every visitor.
//!
//! Correctness rests on the store's change counter ([`crate::store::Store::generation`]):
//! every change to what these views show (checkpoints, people, failed emails) raises it in
//! the same transaction, whichever process writes. A request reads the counter (with its
//! session) *before* it reads anything it renders, so what it renders is at least as new as
//! the counter it read. The cache holds views of one counter value only: a request that read
//! a higher value empties it; one that read a lower value (a race with a newer request)
//! renders without caching. So a view is never served after a change it does not show.
//!
//! The rest of the key: the view, the viewer's holdings (what they may see follows from them
//! and the model alone), the query string, today's date, the language and the loaded model
//! (each entry keeps its `Arc<Model>`, so a reloaded model never matches an old entry).
//!
//! Bounded: at most [`MAX_BYTES`] of rendered text and [`MAX_ENTRIES`] entries; the least
//! recently used go first. Concurrent requests for the same missing entry render it once
//! (the others wait for it); a failed render is not cached.

use crate::definition::{Lang, Model};
use chrono::NaiveDate;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

/// At most this many bytes of cached text (about 470 overview pages of 70 KB).
pub const MAX_BYTES: usize = 32 * 1024 * 1024;
/// At most this many entries.
pub const MAX_ENTRIES: usize = 2048;

/// What identifies one rendered view (besides the change counter).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    /// Which view: `"page"`, `"antal.csv"`, ….
    pub view: &'static str,
    /// The viewer's holdings, canonical ([`scope`]).
    pub scope: String,
    /// The request's query string (the filters) as sent.
    pub query: String,
    pub today: NaiveDate,
    pub lang: Lang,
    /// The loaded model's address (the entry keeps the `Arc`, so the address is not reused
    /// while it can match).
    model: usize,
}

impl Key {
    pub fn new(view: &'static str, scope: String, query: String, today: NaiveDate, lang: Lang, model: &Arc<Model>) -> Key {
        Key { view, scope, query, today, lang, model: Arc::as_ptr(model) as usize }
    }

    fn size(&self) -> usize {
        self.scope.len() + self.query.len() + 64
    }
}

/// The viewer's holdings as one canonical string: (organisation, role, unit) sorted.
pub fn scope(holds: &[super::access::Holder]) -> String {
    let mut parts: Vec<String> =
        holds.iter().map(|h| format!("{}\u{1f}{}\u{1f}{}", h.organisation, h.role, h.unit.as_deref().unwrap_or(""))).collect();
    parts.sort();
    parts.dedup();
    parts.join("\u{1e}")
}

struct Slot {
    cell: Arc<OnceCell<Arc<str>>>,
    /// When last asked for (a tick of the cache's own counter).
    used: u64,
    /// Counted bytes (0 until rendered).
    bytes: usize,
    _model: Arc<Model>,
}

#[derive(Default)]
struct Inner {
    /// The change counter the entries belong to.
    generation: Option<i64>,
    entries: HashMap<Key, Slot>,
    bytes: usize,
    tick: u64,
    stats: Stats,
}

/// Counts, for tests and the curious.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Served from the cache (or from another request's render of it).
    pub hits: u64,
    /// Rendered by this request.
    pub renders: u64,
}

/// The cache (one per server, shared by its handlers).
pub struct PageCache {
    inner: Mutex<Inner>,
    max_bytes: usize,
    max_entries: usize,
}

impl Default for PageCache {
    fn default() -> Self {
        PageCache::with_limits(MAX_BYTES, MAX_ENTRIES)
    }
}

impl PageCache {
    pub fn with_limits(max_bytes: usize, max_entries: usize) -> PageCache {
        PageCache { inner: Mutex::default(), max_bytes, max_entries: max_entries.max(1) }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn stats(&self) -> Stats {
        self.lock().stats
    }

    /// Bytes and entries held now.
    pub fn size(&self) -> (usize, usize) {
        let g = self.lock();
        (g.bytes, g.entries.len())
    }

    /// The view under `key` as of change counter `generation` (read before anything
    /// `render` reads), rendered by `render` when not cached.
    pub async fn get_or_render<E, Fut>(
        &self,
        generation: i64,
        key: Key,
        model: &Arc<Model>,
        render: impl FnOnce() -> Fut,
    ) -> Result<Arc<str>, E>
    where
        Fut: Future<Output = Result<String, E>>,
    {
        let Some(cell) = self.slot(generation, &key, model) else {
            // An older read than the cache's: render it for this request only.
            self.lock().stats.renders += 1;
            return render().await.map(Arc::from);
        };
        let mut rendered = false;
        let value = cell
            .get_or_try_init(|| {
                rendered = true;
                async { render().await.map(Arc::<str>::from) }
            })
            .await?
            .clone();
        self.account(&key, &cell, &value, rendered);
        Ok(value)
    }

    /// The entry for `key` (created empty if missing), after emptying the cache for a newer
    /// `generation`; `None` for an older one.
    fn slot(&self, generation: i64, key: &Key, model: &Arc<Model>) -> Option<Arc<OnceCell<Arc<str>>>> {
        let mut g = self.lock();
        match g.generation {
            Some(have) if generation < have => return None,
            Some(have) if generation == have => {}
            _ => {
                g.entries.clear();
                g.bytes = 0;
                g.generation = Some(generation);
            }
        }
        g.tick += 1;
        let tick = g.tick;
        let slot = g.entries.entry(key.clone()).or_insert_with(|| Slot {
            cell: Arc::new(OnceCell::new()),
            used: tick,
            bytes: 0,
            _model: model.clone(),
        });
        slot.used = tick;
        Some(slot.cell.clone())
    }

    /// Counts a hit or a render, and the entry's size once it is rendered (evicting).
    fn account(&self, key: &Key, cell: &Arc<OnceCell<Arc<str>>>, value: &Arc<str>, rendered: bool) {
        let mut g = self.lock();
        if rendered {
            g.stats.renders += 1;
        } else {
            g.stats.hits += 1;
        }
        let bytes = value.len() + key.size();
        let counted = match g.entries.get_mut(key) {
            Some(slot) if Arc::ptr_eq(&slot.cell, cell) && slot.bytes == 0 => {
                slot.bytes = bytes;
                true
            }
            _ => false,
        };
        if counted {
            g.bytes += bytes;
            g.evict(key, self.max_bytes, self.max_entries);
        }
    }
}

impl Inner {
    /// Drops the least recently used entries (never `keep`) until within the limits.
    fn evict(&mut self, keep: &Key, max_bytes: usize, max_entries: usize) {
        while self.bytes > max_bytes || self.entries.len() > max_entries {
            let Some(oldest) = self.entries.iter().filter(|(k, _)| *k != keep).min_by_key(|(_, s)| s.used).map(|(k, _)| k.clone()) else {
                break;
            };
            if let Some(s) = self.entries.remove(&oldest) {
                self.bytes -= s.bytes;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::convert::Infallible;

    fn model() -> Arc<Model> {
        Arc::new(Model::default())
    }

    fn key(view: &'static str, query: &str, m: &Arc<Model>) -> Key {
        Key::new(view, "org\u{1f}chef\u{1f}".into(), query.into(), NaiveDate::from_ymd_opt(2021, 10, 16).unwrap(), Lang::Sv, m)
    }

    async fn get(c: &PageCache, generation: i64, k: Key, m: &Arc<Model>, body: &str) -> String {
        let body = body.to_owned();
        c.get_or_render(generation, k, m, || async move { Ok::<_, Infallible>(body) }).await.unwrap().to_string()
    }

    #[tokio::test]
    async fn a_view_is_rendered_once_per_change_counter_and_never_served_after_a_change() {
        let c = PageCache::default();
        let m = model();
        assert_eq!(get(&c, 7, key("page", "", &m), &m, "first").await, "first");
        assert_eq!(get(&c, 7, key("page", "", &m), &m, "second").await, "first", "cached under the same counter");
        assert_eq!(c.stats(), Stats { hits: 1, renders: 1 });
        // Another filter is another view.
        assert_eq!(get(&c, 7, key("page", "period=alla", &m), &m, "all").await, "all");
        // A change: rendered again, and the old entries are gone.
        assert_eq!(get(&c, 8, key("page", "", &m), &m, "third").await, "third");
        assert_eq!(c.size().1, 1);
        // A request that read the counter before the change is rendered for itself only.
        assert_eq!(get(&c, 7, key("page", "", &m), &m, "old").await, "old");
        assert_eq!(get(&c, 8, key("page", "", &m), &m, "fourth").await, "third");
        // A reloaded model never matches the old one's entries.
        let m2 = model();
        assert_eq!(get(&c, 8, key("page", "", &m2), &m2, "reloaded").await, "reloaded");
    }

    #[tokio::test]
    async fn the_cache_keeps_within_its_limits_dropping_the_least_recently_used() {
        let c = PageCache::with_limits(3 * (100 + 64 + 10), 100);
        let m = model();
        let body = "x".repeat(100);
        for q in ["a", "b", "c"] {
            get(&c, 1, key("page", q, &m), &m, &body).await;
        }
        // `a` used again, then `d` pushes out the least recently used: `b`.
        get(&c, 1, key("page", "a", &m), &m, "new").await;
        get(&c, 1, key("page", "d", &m), &m, &body).await;
        let (bytes, entries) = c.size();
        assert!(bytes <= 3 * (100 + 64 + 10) && entries == 3, "{bytes} bytes, {entries} entries");
        assert_eq!(get(&c, 1, key("page", "a", &m), &m, "new").await, body, "a stayed");
        assert_eq!(get(&c, 1, key("page", "b", &m), &m, "again").await, "again", "b was dropped");
        let few = PageCache::with_limits(usize::MAX, 2);
        for q in ["a", "b", "c", "d"] {
            get(&few, 1, key("page", q, &m), &m, "v").await;
        }
        assert_eq!(few.size().1, 2);
    }

    #[tokio::test]
    async fn concurrent_requests_for_a_missing_view_render_it_once_and_a_failure_is_not_kept() {
        let c = Arc::new(PageCache::default());
        let m = model();
        let renders = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (tx, rx) = tokio::sync::watch::channel(false);
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let (c, m, renders, mut rx) = (c.clone(), m.clone(), renders.clone(), rx.clone());
            tasks.push(tokio::spawn(async move {
                c.get_or_render(3, key("page", "", &m), &m, || async move {
                    renders.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    // Hold the render until every request has asked.
                    let _ = rx.wait_for(|go| *go).await;
                    Ok::<_, Infallible>("once".to_owned())
                })
                .await
                .unwrap()
                .to_string()
            }));
        }
        while c.stats() == Stats::default() && c.size().1 == 0 {
            tokio::task::yield_now().await;
        }
        for _ in 0..100 {
            tokio::task::yield_now().await;
        }
        tx.send(true).unwrap();
        for t in tasks {
            assert_eq!(t.await.unwrap(), "once");
        }
        assert_eq!(renders.load(std::sync::atomic::Ordering::SeqCst), 1);
        let failed: Result<Arc<str>, &str> = c.get_or_render(3, key("page", "bad", &m), &m, || async { Err("database away") }).await;
        assert_eq!(failed.unwrap_err(), "database away");
        assert_eq!(get(&c, 3, key("page", "bad", &m), &m, "fine now").await, "fine now");
    }
}
