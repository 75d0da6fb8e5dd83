//! When an endpoint is switched off: it has failed every attempt for 3 days
//! (PRODUCT.md §8). `failing_since` is the time of the first failure after
//! the endpoint's last success (or creation); a success clears it.

use chrono::{DateTime, Duration, Utc};

pub const DISABLE_AFTER: Duration = Duration::days(3);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EndpointHealth {
    pub failing_since: Option<DateTime<Utc>>,
}

/// What a failed attempt means for its endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterEndpointFailure {
    /// Still within the 3 days: keep going, failing since this time.
    KeepFailing { since: DateTime<Utc> },
    /// Failing for 3 days: disable it (and tell its admins).
    Disable { since: DateTime<Utc> },
}

impl EndpointHealth {
    pub fn after_failure(&self, now: DateTime<Utc>) -> AfterEndpointFailure {
        let since = self.failing_since.unwrap_or(now);
        if now - since >= DISABLE_AFTER {
            AfterEndpointFailure::Disable { since }
        } else {
            AfterEndpointFailure::KeepFailing { since }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn disabled_only_after_three_days_of_failures() {
        let t0 = Utc.with_ymd_and_hms(2026, 12, 2, 10, 0, 0).unwrap();
        let healthy = EndpointHealth::default();
        assert_eq!(
            healthy.after_failure(t0),
            AfterEndpointFailure::KeepFailing { since: t0 }
        );
        let failing = EndpointHealth {
            failing_since: Some(t0),
        };
        assert_eq!(
            failing.after_failure(t0 + DISABLE_AFTER - Duration::seconds(1)),
            AfterEndpointFailure::KeepFailing { since: t0 }
        );
        assert_eq!(
            failing.after_failure(t0 + DISABLE_AFTER),
            AfterEndpointFailure::Disable { since: t0 }
        );
    }
}
