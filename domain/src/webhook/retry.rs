//! When a failed delivery is tried again: exponential backoff from a base
//! delay (`SELFSERVE_WEBHOOK_RETRY_BASE_SECS`, default 30 s), doubled per
//! attempt up to a ceiling, with jitter so that many deliveries failing
//! together do not all come back at once; for up to 3 days after the
//! delivery was created, then it has failed for good.

use chrono::{DateTime, Duration, Utc};

/// How long a delivery keeps being retried.
pub const RETRY_WINDOW: Duration = Duration::days(3);

/// No two attempts are further apart than this (before jitter).
pub const MAX_DELAY: Duration = Duration::hours(6);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    base: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    /// Try again at this time.
    RetryAt(DateTime<Utc>),
    /// The window is over: the delivery has failed.
    GiveUp,
}

impl RetryPolicy {
    /// `base_secs` 0 retries at once (tests); negative counts as 0.
    pub fn new(base_secs: i64) -> Self {
        Self {
            base: Duration::seconds(base_secs.max(0)),
        }
    }

    pub fn base(&self) -> Duration {
        self.base
    }

    /// The delay before attempt `attempts + 1`, `attempts` (≥ 1) having failed,
    /// before jitter: base × 2^(attempts − 1), at most [`MAX_DELAY`].
    pub fn delay(&self, attempts: u32) -> Duration {
        let doublings = attempts.saturating_sub(1).min(30);
        let factor = 1i32 << doublings;
        self.base
            .checked_mul(factor)
            .map_or(MAX_DELAY, |d| d.min(MAX_DELAY))
    }

    /// After the `attempts`-th attempt failed at `now`: when to try again, or
    /// give up. `jitter` in [0, 1) picks the delay within [d/2, d] ("equal
    /// jitter": never sooner than half the backoff). The last retry is at the
    /// end of the window; failing after that gives up.
    pub fn after_failure(
        &self,
        attempts: u32,
        created_at: DateTime<Utc>,
        now: DateTime<Utc>,
        jitter: f64,
    ) -> AfterFailure {
        let deadline = created_at + RETRY_WINDOW;
        if now >= deadline {
            return AfterFailure::GiveUp;
        }
        let full = self.delay(attempts).num_milliseconds();
        let jitter = jitter.clamp(0.0, 1.0);
        let half = full / 2;
        let wait = Duration::milliseconds(half + ((full - half) as f64 * jitter) as i64);
        AfterFailure::RetryAt((now + wait).min(deadline))
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self::new(30)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 2, 10, 0, 0).unwrap()
    }

    #[test]
    fn doubles_from_the_base_up_to_the_ceiling() {
        let p = RetryPolicy::default();
        assert_eq!(p.delay(1), Duration::seconds(30));
        assert_eq!(p.delay(2), Duration::seconds(60));
        assert_eq!(p.delay(3), Duration::seconds(120));
        assert_eq!(p.delay(10), Duration::seconds(30 * 512));
        assert_eq!(p.delay(11), MAX_DELAY);
        assert_eq!(p.delay(u32::MAX), MAX_DELAY);
        assert_eq!(RetryPolicy::new(0).delay(5), Duration::zero());
    }

    #[test]
    fn jitter_stays_between_half_and_the_whole_delay() {
        let p = RetryPolicy::default();
        let now = t0() + Duration::minutes(5);
        assert_eq!(
            p.after_failure(2, t0(), now, 0.0),
            AfterFailure::RetryAt(now + Duration::seconds(30))
        );
        assert_eq!(
            p.after_failure(2, t0(), now, 0.999_999),
            AfterFailure::RetryAt(now + Duration::milliseconds(59_999))
        );
        for j in [0.1, 0.5, 0.9] {
            let AfterFailure::RetryAt(at) = p.after_failure(2, t0(), now, j) else {
                panic!("gave up")
            };
            assert!(at >= now + Duration::seconds(30) && at <= now + Duration::seconds(60));
        }
    }

    #[test]
    fn retries_until_three_days_then_gives_up() {
        let p = RetryPolicy::default();
        let late = t0() + RETRY_WINDOW - Duration::minutes(1);
        // The last retry is pulled in to the end of the window…
        assert_eq!(
            p.after_failure(20, t0(), late, 0.5),
            AfterFailure::RetryAt(t0() + RETRY_WINDOW)
        );
        // …and failing then is the end.
        assert_eq!(
            p.after_failure(21, t0(), t0() + RETRY_WINDOW, 0.5),
            AfterFailure::GiveUp
        );
    }

    #[test]
    fn the_whole_schedule_fits_the_window_with_a_bounded_number_of_attempts() {
        let p = RetryPolicy::default();
        let (mut now, mut attempts) = (t0(), 1);
        while let AfterFailure::RetryAt(at) = p.after_failure(attempts, t0(), now, 0.5) {
            assert!(at > now && at <= t0() + RETRY_WINDOW);
            now = at;
            attempts += 1;
        }
        assert!((10..40).contains(&attempts), "{attempts} attempts");
    }
}
