//! The one injected clock. Nothing else in the crate may read the system time.
//!
//! The pure core never takes a clock: it takes dates. The shell (CLI, daemon) asks a
//! [`Clock`] once and passes the answer down.
//!
//! The daemon also *waits* through the clock ([`Clock::sleep_until`]): the system clock
//! sleeps for real, a [`ManualClock`] jumps to the instant at once, so the real daemon loop
//! can run over virtual time in tests and rehearsals.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;

/// A future returned by [`Clock::sleep_until`].
pub type Sleep = Pin<Box<dyn Future<Output = ()> + Send>>;

/// A source of the current instant.
pub trait Clock: Send + Sync {
    /// The current instant in UTC.
    fn now(&self) -> DateTime<Utc>;

    /// Today's civil date in the given zone.
    fn today(&self, tz: Tz) -> NaiveDate {
        self.now().with_timezone(&tz).date_naive()
    }

    /// Completes when the clock reads `at` or later.
    fn sleep_until(&self, at: DateTime<Utc>) -> Sleep {
        let wait = (at - self.now()).to_std().unwrap_or_default();
        Box::pin(tokio::time::sleep(wait))
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

/// The system clock shifted so that it read `at` when it was made: real time passes, from
/// a chosen start (`arshjul run` with `ARSHJUL_NOW`, for rehearsals and process tests).
#[derive(Debug, Clone, Copy)]
pub struct ShiftedClock(chrono::Duration);

impl ShiftedClock {
    pub fn starting_at(at: DateTime<Utc>) -> Self {
        Self(at - Utc::now())
    }
}

impl Clock for ShiftedClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.0
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

    /// Virtual time: jumps to `at` (never backwards) and completes at once.
    fn sleep_until(&self, at: DateTime<Utc>) -> Sleep {
        let mut g = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if at > *g {
            *g = at;
        }
        Box::pin(std::future::ready(()))
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

    #[tokio::test]
    async fn manual_clock_sleeps_by_jumping_forward_never_back() {
        let start = Utc.with_ymd_and_hms(2021, 3, 27, 23, 30, 0).unwrap();
        let c = ManualClock::new(start);
        c.sleep_until(start + chrono::Duration::hours(5)).await;
        assert_eq!(c.now(), start + chrono::Duration::hours(5));
        c.sleep_until(start).await;
        assert_eq!(c.now(), start + chrono::Duration::hours(5));
    }

    #[test]
    fn shifted_clock_starts_where_told() {
        let at = Utc.with_ymd_and_hms(2021, 3, 27, 12, 0, 0).unwrap();
        let c = ShiftedClock::starting_at(at);
        let (a, b) = (c.now(), c.now());
        assert!(at <= a && a <= b);
        assert_eq!(b.date_naive(), at.date_naive(), "it reads the chosen day, not today's");
    }
}
