//! In-memory rate limits (per process): at most `max` hits per key within `window`, judged
//! by the injected clock. Enough for one server; several replicas each count their own.

use chrono::{DateTime, Duration, Utc};
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

/// Keys kept before stale ones are swept (a flood of distinct keys cannot grow it forever).
const SWEEP_AT: usize = 10_000;

#[derive(Debug)]
pub struct Limiter {
    max: usize,
    window: Duration,
    hits: Mutex<HashMap<String, VecDeque<DateTime<Utc>>>>,
}

impl Limiter {
    pub fn new(max: usize, window: Duration) -> Limiter {
        Limiter { max, window, hits: Mutex::default() }
    }

    /// Counts a hit for `key` at `now`; `false` (and not counted) when over the limit.
    pub fn allow(&self, key: &str, now: DateTime<Utc>) -> bool {
        let mut map = self.hits.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= SWEEP_AT {
            map.retain(|_, q| q.back().is_some_and(|t| now - *t < self.window));
        }
        let q = map.entry(key.to_owned()).or_default();
        while q.front().is_some_and(|t| now - *t >= self.window) {
            q.pop_front();
        }
        if q.len() >= self.max {
            return false;
        }
        q.push_back(now);
        true
    }
}

/// The limits the pages apply.
#[derive(Debug)]
pub struct Limits {
    /// Sign-in links asked for one address.
    pub login_address: Limiter,
    /// Sign-in links asked from one client address.
    pub login_ip: Limiter,
    /// Fresh report links asked for one person.
    pub resend: Limiter,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            login_address: Limiter::new(3, Duration::minutes(15)),
            login_ip: Limiter::new(20, Duration::minutes(15)),
            resend: Limiter::new(3, Duration::hours(24)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn allows_max_per_window_then_again_after_it() {
        let l = Limiter::new(2, Duration::minutes(15));
        let t = Utc.with_ymd_and_hms(2021, 5, 24, 8, 0, 0).unwrap();
        assert!(l.allow("a", t) && l.allow("a", t + Duration::minutes(1)));
        assert!(!l.allow("a", t + Duration::minutes(2)));
        assert!(l.allow("b", t + Duration::minutes(2)), "per key");
        assert!(l.allow("a", t + Duration::minutes(15)), "the first hit has left the window");
        assert!(!l.allow("a", t + Duration::minutes(15)));
    }
}
