//! How many rows a pass keeps leased at once, sized to the pace its sends go at.
//!
//! A leased row waits for a free connection behind the rows ahead of it, and one that has
//! waited half its lease is given back unsent (another daemon may take it over once the
//! lease runs out). A window sized for a fast server — 1 024 rows on PostgreSQL — is
//! minutes of work for a slow one (a relay that throttles or tarpits: a few emails a
//! second), and leasing it all would mean giving most of it back, claiming it again, and
//! keeping rows from other daemons that could send them. So the rows leased at once are
//! kept to what the sends get through in a quarter of the lease at the pace measured so far
//! in this pass, never fewer than the connections and never more than the window. Until
//! the first send has finished the pace is unknown, and one row per connection is leased.
//!
//! At the morning tick against a fast server the first sends finish within milliseconds
//! and the window opens at once; a fast pass never notices the pace.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The pace of one pass's sends.
pub(super) struct Pace {
    started: Instant,
    done: AtomicUsize,
    width: usize,
    window: usize,
    horizon: Duration,
}

impl Pace {
    /// A pass with `width` connections, at most `window` rows leased, leases of `lease_secs`.
    pub fn new(width: usize, window: usize, lease_secs: i64) -> Self {
        let horizon = Duration::from_secs(u64::try_from(lease_secs).unwrap_or(0)) / 4;
        Self { started: Instant::now(), done: AtomicUsize::new(0), width, window, horizon }
    }

    /// A send has finished (delivered or failed: either way its connection is free again).
    pub fn finished_one(&self) {
        self.done.fetch_add(1, Ordering::Relaxed);
    }

    /// The rows that may be leased at once now.
    pub fn cap(&self) -> usize {
        cap_for(self.done.load(Ordering::Relaxed), self.started.elapsed(), self.horizon, self.width, self.window)
    }
}

/// What `done` sends finished in `elapsed` get through in `horizon`, between `width` and
/// `window` rows; `width` while no send has finished.
pub(super) fn cap_for(done: usize, elapsed: Duration, horizon: Duration, width: usize, window: usize) -> usize {
    let window = window.max(1);
    let width = width.clamp(1, window);
    if done == 0 {
        return width;
    }
    // A pass a microsecond old that has finished a send is fast: no division by ~0.
    let secs = elapsed.as_secs_f64().max(1e-3);
    // `as` saturates: an enormous pace is the window.
    let n = (done as f64 / secs * horizon.as_secs_f64()) as usize;
    n.clamp(width, window)
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: fn(u64) -> Duration = Duration::from_secs;

    #[test]
    fn a_fast_pass_gets_the_whole_window() {
        // 8 sends in 2 ms, a 30 s horizon: 120 000 rows' worth, so the window.
        assert_eq!(cap_for(8, Duration::from_millis(2), S(30), 8, 1024), 1024);
        // Finished a send at once: still the window, no overflow.
        assert_eq!(cap_for(1, Duration::ZERO, S(30), 8, 1024), 1024);
        assert_eq!(cap_for(usize::MAX, Duration::ZERO, S(u64::MAX / 8), 8, 1024), 1024);
    }

    #[test]
    fn a_slow_pass_leases_what_it_sends_in_the_horizon() {
        // 8 connections at 10 s a message: 0.8 a second, 24 in 30 s.
        assert_eq!(cap_for(8, S(10), S(30), 8, 1024), 24);
        // Slower still: one row per connection, never fewer.
        assert_eq!(cap_for(8, S(600), S(30), 8, 1024), 8);
        // A zero lease (every row stale at once): the connections' worth.
        assert_eq!(cap_for(100, S(1), Duration::ZERO, 2, 8), 2);
    }

    #[test]
    fn before_the_first_send_finishes_one_row_per_connection() {
        assert_eq!(cap_for(0, S(5), S(30), 8, 1024), 8);
        // More connections than the window (a window set below them): the window.
        assert_eq!(cap_for(0, S(5), S(30), 16, 8), 8);
        assert_eq!(cap_for(3, S(1), S(30), 16, 8), 8);
        // Degenerate sizes stay at least one row.
        assert_eq!(cap_for(0, S(1), S(30), 0, 0), 1);
    }
}
