//! Per-user rate limits (PRODUCT.md §10): one token bucket per (organisation,
//! user) for writes and, when configured, one for reads. Checked by the
//! `Caller` extractor right after authentication, so the key is a verified
//! identity and an unauthenticated flood cannot grow the table.
//!
//! The buckets live in this process: N replicas allow N times the rate.

use crate::auth::Caller;
use crate::error::ApiError;
use actix_web::http::Method;
use actix_web::{web, HttpRequest};
use domain::{OrganizationId, UserId};
use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Per {
    Second,
    Minute,
}

/// `N/s` or `N/min`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    count: NonZeroU32,
    per: Per,
}

impl Rate {
    /// `count` 0 is read as 1 (the parser never produces it).
    pub fn new(count: u32, per: Per) -> Self {
        Self {
            count: NonZeroU32::new(count).unwrap_or(NonZeroU32::MIN),
            per,
        }
    }

    /// `N/s`, `N/min` or `off` (→ `None`).
    pub fn parse(raw: &str) -> Result<Option<Rate>, String> {
        let text = raw.trim();
        if text == "off" {
            return Ok(None);
        }
        let bad = || format!("{raw:?} must be `N/s`, `N/min` (N from 1 to 1000000) or `off`");
        let (count, unit) = text.split_once('/').ok_or_else(bad)?;
        let per = match unit {
            "s" => Per::Second,
            "min" => Per::Minute,
            _ => return Err(bad()),
        };
        let count: u32 = count.parse().map_err(|_| bad())?;
        if !(1..=1_000_000).contains(&count) {
            return Err(bad());
        }
        Ok(Some(Rate::new(count, per)))
    }

    /// How many requests may arrive at once. `N/s` allows two seconds' worth
    /// (a page that fires a handful of writes together is not punished);
    /// `N/min` is chosen when a strict limit is meant, so its burst is one
    /// minute's worth: N at once, then one every 60/N seconds.
    pub fn burst(&self) -> NonZeroU32 {
        match self.per {
            Per::Second => self.count.saturating_mul(TWO),
            Per::Minute => self.count,
        }
    }

    fn quota(&self) -> Quota {
        match self.per {
            Per::Second => Quota::per_second(self.count),
            Per::Minute => Quota::per_minute(self.count),
        }
        .allow_burst(self.burst())
    }
}

/// The configured limits; `None` = unlimited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub writes: Option<Rate>,
    pub reads: Option<Rate>,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            writes: Some(Rate::new(20, Per::Second)),
            reads: None,
        }
    }
}

const TWO: NonZeroU32 = NonZeroU32::MIN.saturating_add(1);

type Key = (OrganizationId, UserId);

/// How often idle buckets are dropped: a bucket that has refilled is
/// indistinguishable from a new one, so forgetting it changes nothing and
/// the table holds only users active in the last moments.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

pub struct RateLimits {
    writes: Option<DefaultKeyedRateLimiter<Key>>,
    reads: Option<DefaultKeyedRateLimiter<Key>>,
    started: Instant,
    /// Milliseconds after `started` at which the next sweep is due.
    next_sweep_ms: AtomicU64,
}

impl RateLimits {
    pub fn new(limits: Limits) -> Self {
        Self {
            writes: limits
                .writes
                .map(|r| DefaultKeyedRateLimiter::keyed(r.quota())),
            reads: limits
                .reads
                .map(|r| DefaultKeyedRateLimiter::keyed(r.quota())),
            started: Instant::now(),
            next_sweep_ms: AtomicU64::new(SWEEP_EVERY.as_millis() as u64),
        }
    }

    /// 429 `rate_limited` when the caller's bucket for this kind of request is empty.
    pub fn admit(&self, write: bool, caller: &Caller) -> Result<(), ApiError> {
        let limiter = if write { &self.writes } else { &self.reads };
        let Some(limiter) = limiter else {
            return Ok(());
        };
        self.sweep_when_due();
        limiter
            .check_key(&(caller.actor().organization_id, caller.actor().user_id))
            .map_err(|not_until| {
                let wait = not_until.wait_time_from(limiter.clock().now());
                ApiError::RateLimited {
                    retry_after_secs: whole_seconds(wait),
                }
            })
    }

    /// Keys currently held (for tests and diagnostics).
    pub fn tracked_keys(&self) -> usize {
        self.writes.as_ref().map_or(0, |l| l.len()) + self.reads.as_ref().map_or(0, |l| l.len())
    }

    /// The first request after the deadline sweeps; the others see the new deadline.
    fn sweep_when_due(&self) {
        let now_ms = self.started.elapsed().as_millis() as u64;
        let due = self.next_sweep_ms.load(Ordering::Relaxed);
        if now_ms < due {
            return;
        }
        let next = now_ms + SWEEP_EVERY.as_millis() as u64;
        if self
            .next_sweep_ms
            .compare_exchange(due, next, Ordering::Relaxed, Ordering::Relaxed)
            .is_ok()
        {
            self.sweep();
        }
    }

    pub fn sweep(&self) {
        for limiter in [&self.writes, &self.reads].into_iter().flatten() {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

/// `Retry-After` is whole seconds, never 0 (0 would invite an immediate retry that fails).
fn whole_seconds(wait: Duration) -> u64 {
    let ceil = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    ceil.max(1)
}

/// What the `Caller` extractor needs from the request to apply the limits
/// once it knows who is calling.
pub struct Gate {
    limits: Option<web::Data<RateLimits>>,
    write: bool,
}

impl Gate {
    pub fn of(req: &HttpRequest) -> Self {
        Self {
            limits: req.app_data::<web::Data<RateLimits>>().cloned(),
            write: is_write(req.method()),
        }
    }

    pub fn admit(&self, caller: &Caller) -> Result<(), ApiError> {
        match &self.limits {
            Some(limits) => limits.admit(self.write, caller),
            None => Ok(()),
        }
    }
}

fn is_write(method: &Method) -> bool {
    matches!(
        *method,
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::user::Role;

    fn caller() -> Caller {
        Caller::new(
            usecases::Actor {
                user_id: UserId::new_random(),
                organization_id: OrganizationId::new_random(),
                role: Role::Member,
            },
            Vec::new(),
        )
    }

    #[test]
    fn rates_parse_with_their_bursts() {
        let r = Rate::parse("20/s").unwrap().unwrap();
        assert_eq!(r.burst().get(), 40);
        let r = Rate::parse(" 30/min ").unwrap().unwrap();
        assert_eq!(r.burst().get(), 30);
        assert_eq!(Rate::parse("off").unwrap(), None);
        for bad in ["", "20", "20/h", "0/s", "-1/s", "x/s", "1000001/s", "20/S"] {
            assert!(Rate::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_request_past_the_burst_is_refused_with_a_wait() {
        let limits = RateLimits::new(Limits {
            writes: Some(Rate::new(2, Per::Minute)),
            reads: None,
        });
        let (a, b) = (caller(), caller());
        assert!(limits.admit(true, &a).is_ok());
        assert!(limits.admit(true, &a).is_ok());
        match limits.admit(true, &a) {
            Err(ApiError::RateLimited { retry_after_secs }) => {
                assert!((1..=30).contains(&retry_after_secs), "{retry_after_secs}")
            }
            other => panic!("{other:?}"),
        }
        assert!(
            limits.admit(true, &b).is_ok(),
            "another user has their own bucket"
        );
        for _ in 0..100 {
            assert!(limits.admit(false, &a).is_ok(), "reads are unlimited");
        }
    }

    #[test]
    fn the_default_lets_40_writes_through_at_once_then_refuses() {
        let limits = RateLimits::new(Limits::default());
        let a = caller();
        // 40 checks take microseconds; the bucket refills one every 50 ms.
        for i in 0..40 {
            assert!(limits.admit(true, &a).is_ok(), "write {i}");
        }
        assert!(matches!(
            limits.admit(true, &a),
            Err(ApiError::RateLimited {
                retry_after_secs: 1
            })
        ));
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(whole_seconds(Duration::ZERO), 1);
        assert_eq!(whole_seconds(Duration::from_millis(10)), 1);
        assert_eq!(whole_seconds(Duration::from_millis(1001)), 2);
        assert_eq!(whole_seconds(Duration::from_secs(3)), 3);
    }

    #[test]
    fn refilled_buckets_are_forgotten() {
        let limits = RateLimits::new(Limits {
            writes: Some(Rate::new(1000, Per::Second)),
            reads: None,
        });
        for _ in 0..50 {
            limits.admit(true, &caller()).unwrap();
        }
        assert_eq!(limits.tracked_keys(), 50);
        std::thread::sleep(Duration::from_millis(50));
        limits.sweep();
        assert_eq!(limits.tracked_keys(), 0);
    }
}
