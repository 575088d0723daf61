//! The one injected clock. Nothing else in the crate may read the system time.
//!
//! The pure core never takes a clock: it takes dates. The shell (CLI, daemon) asks a
//! [`Clock`] once and passes the answer down.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use std::sync::Mutex;

/// A source of the current instant.
pub trait Clock: Send + Sync {
    /// The current instant in UTC.
    fn now(&self) -> DateTime<Utc>;

    /// Today's civil date in the given zone.
    fn today(&self, tz: Tz) -> NaiveDate {
        self.now().with_timezone(&tz).date_naive()
    }
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that only moves when told to; used by tests and `arshjul simulate`.
#[derive(Debug)]
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    pub fn new(at: DateTime<Utc>) -> Self {
        Self(Mutex::new(at))
    }

    /// Moves the clock to `at` (which may be earlier or later).
    pub fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = at;
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: chrono::Duration) {
        let mut g = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *g += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let c = ManualClock::new(Utc.with_ymd_and_hms(2021, 3, 27, 23, 30, 0).unwrap());
        assert_eq!(c.today(chrono_tz::Europe::Stockholm).to_string(), "2021-03-28");
        c.advance(chrono::Duration::days(1));
        assert_eq!(c.now(), Utc.with_ymd_and_hms(2021, 3, 28, 23, 30, 0).unwrap());
    }
}
