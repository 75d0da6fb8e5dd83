//! The lifecycle of a paid subscription that is not renewed, and of one
//! canceled at the end of its period (PRODUCT.md §8).
//!
//! # Rule
//!
//! When a paid period ends (`ended_on`, the period's exclusive end: the first
//! day not paid for) the subscription renews, is canceled (it was canceled at
//! period end: no grace), or is not renewed — auto-renew off, or the card it
//! would charge is past its expiry month or gone. A subscription not renewed
//! goes
//!
//! | status     | from                                  | assignments            |
//! |------------|---------------------------------------|------------------------|
//! | `expired`  | `ended_on`                            | kept, usable (grace)   |
//! | `disabled` | `ended_on + 30 days`                  | kept, but `suspended`  |
//! | `deleted`  | `ended_on + 30 + 90 days`             | released; read-only    |
//!
//! Every date derives from `ended_on`, which the subscription keeps as its
//! `current_period_end` until it is reactivated. So a billing run that comes
//! late dates each step as a run on time would have, and a second run finds
//! nothing left to do. Reactivation (from `expired` or `disabled`) starts a
//! new period on the day it happens. Trials keep their own path: an ended
//! trial is `expired` with its licenses released and goes no further.

use super::SubscriptionStatus;
use crate::card::CardExpiry;
use chrono::{Days, NaiveDate};
use thiserror::Error;

/// Days of grace after a period ends unrenewed, before the subscription is disabled.
pub const GRACE_DAYS: u64 = 30;
/// Days a subscription stays disabled before it is deleted.
pub const DISABLED_DAYS: u64 = 90;

/// Why a paid period ended without a renewal; recorded in the audit history.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lapse {
    AutoRenewOff,
    /// The card the renewal would charge is past its expiry month.
    CardExpired,
    /// The subscription has no card left to charge (it was removed).
    CardRemoved,
}

impl Lapse {
    pub fn as_str(self) -> &'static str {
        match self {
            Lapse::AutoRenewOff => "auto_renew_off",
            Lapse::CardExpired => "card_expired",
            Lapse::CardRemoved => "payment_method_removed",
        }
    }

    /// The subscription would have renewed but for its card.
    pub fn is_card(self) -> bool {
        !matches!(self, Lapse::AutoRenewOff)
    }
}

/// What happens to an active paid subscription when its period ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeriodEnd {
    /// Charge the next period.
    Renew,
    /// Canceled at period end: `canceled` at once, no grace.
    Cancel,
    /// Not renewed: `expired`, and the lifecycle above.
    Expire(Lapse),
}

/// Decides the end of a paid period ending on `ended_on`. `card` is the
/// expiry of the card a renewal would charge (`None` when it is gone); it is
/// judged on `ended_on`, the date the renewal invoice would carry, so a late
/// run decides as a run on time would.
pub fn at_period_end(
    cancel_at: Option<NaiveDate>,
    auto_renew: bool,
    card: Option<CardExpiry>,
    ended_on: NaiveDate,
) -> PeriodEnd {
    if cancel_at.is_some_and(|at| at <= ended_on) {
        return PeriodEnd::Cancel;
    }
    if !auto_renew {
        return PeriodEnd::Expire(Lapse::AutoRenewOff);
    }
    match card {
        None => PeriodEnd::Expire(Lapse::CardRemoved),
        Some(expiry) if expiry.is_expired(ended_on) => PeriodEnd::Expire(Lapse::CardExpired),
        Some(_) => PeriodEnd::Renew,
    }
}

/// What happens to a subscription's assignments when it enters a status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AssignmentEffect {
    /// Still held and usable (grace).
    Keep,
    /// Kept, so reactivation can restore them, but no one holds a license.
    Suspend,
    /// Gone for good.
    Release,
}

/// One move along the lifecycle, dated when it took effect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step {
    pub to: SubscriptionStatus,
    pub on: NaiveDate,
}

impl Step {
    pub fn assignments(&self) -> AssignmentEffect {
        match self.to {
            SubscriptionStatus::Disabled => AssignmentEffect::Suspend,
            SubscriptionStatus::Deleted | SubscriptionStatus::Canceled => AssignmentEffect::Release,
            _ => AssignmentEffect::Keep,
        }
    }
}

/// The lifecycle dates of a paid period that ended unrenewed on `ended_on`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LapseDates {
    pub expired_on: NaiveDate,
    pub disabled_on: NaiveDate,
    pub deleted_on: NaiveDate,
}

impl LapseDates {
    pub fn after(ended_on: NaiveDate) -> Self {
        // Saturating: only dates near chrono's last year have no successor.
        let add = |date: NaiveDate, days: u64| {
            date.checked_add_days(Days::new(days))
                .unwrap_or(NaiveDate::MAX)
        };
        let disabled_on = add(ended_on, GRACE_DAYS);
        Self {
            expired_on: ended_on,
            disabled_on,
            deleted_on: add(disabled_on, DISABLED_DAYS),
        }
    }
}

/// The steps due by `as_of` for a paid subscription in `status` whose last
/// paid period ended on `ended_on`, in order: none, one, or (a run that came
/// very late) both. Only `expired` and `disabled` move here; an active
/// subscription first expires through [`at_period_end`].
pub fn due(status: SubscriptionStatus, ended_on: NaiveDate, as_of: NaiveDate) -> Vec<Step> {
    let dates = LapseDates::after(ended_on);
    let path = [
        (SubscriptionStatus::Disabled, dates.disabled_on),
        (SubscriptionStatus::Deleted, dates.deleted_on),
    ];
    let from = match status {
        SubscriptionStatus::Expired => 0,
        SubscriptionStatus::Disabled => 1,
        _ => return vec![],
    };
    path[from..]
        .iter()
        .take_while(|(_, on)| *on <= as_of)
        .map(|&(to, on)| Step { to, on })
        .collect()
}

/// Whether licenses of a subscription in `status` are held and usable:
/// live ones, and a paid one in its grace. An ended trial is `expired` too,
/// but its licenses went with it.
pub fn holds_licenses(status: SubscriptionStatus, paid: bool) -> bool {
    match status {
        SubscriptionStatus::Trial | SubscriptionStatus::Active => true,
        SubscriptionStatus::Expired => paid,
        _ => false,
    }
}

#[derive(Clone, Copy, Debug, Error, PartialEq, Eq)]
#[error("a {status} subscription cannot be reactivated; only expired or disabled paid subscriptions can")]
pub struct NotReactivatable {
    pub status: SubscriptionStatus,
}

/// Reactivation brings back a paid subscription that is `expired` or
/// `disabled`; anything else (an ended trial included) is refused.
pub fn check_reactivatable(status: SubscriptionStatus, paid: bool) -> Result<(), NotReactivatable> {
    match status {
        SubscriptionStatus::Expired | SubscriptionStatus::Disabled if paid => Ok(()),
        _ => Err(NotReactivatable { status }),
    }
}

/// On reactivation, which of the suspended holders (in the order they were
/// assigned) get their license back: the first `license_count`; the rest
/// are released, so the count still holds every assignment.
pub fn restore<T: Copy>(holders_in_order: &[T], license_count: u32) -> (Vec<T>, Vec<T>) {
    let keep = holders_in_order.len().min(license_count as usize);
    (
        holders_in_order[..keep].to_vec(),
        holders_in_order[keep..].to_vec(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use SubscriptionStatus::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn card(month: i64, year: i64) -> Option<CardExpiry> {
        Some(CardExpiry::stored(month, year).unwrap())
    }

    #[test]
    fn the_period_end_renews_cancels_or_expires() {
        let end = d(2026, 3, 1);
        let good = card(12, 2030);
        assert_eq!(at_period_end(None, true, good, end), PeriodEnd::Renew);
        assert_eq!(
            at_period_end(Some(end), false, good, end),
            PeriodEnd::Cancel
        );
        assert_eq!(
            at_period_end(None, false, good, end),
            PeriodEnd::Expire(Lapse::AutoRenewOff)
        );
        assert_eq!(
            at_period_end(None, true, None, end),
            PeriodEnd::Expire(Lapse::CardRemoved)
        );
        // Valid through February: past its expiry month on 1 March, not on 28 February.
        let february = card(2, 2026);
        assert_eq!(
            at_period_end(None, true, february, end),
            PeriodEnd::Expire(Lapse::CardExpired)
        );
        assert_eq!(
            at_period_end(None, true, february, d(2026, 2, 28)),
            PeriodEnd::Renew
        );
        // A cancellation set for a later period end does not apply yet.
        assert_eq!(
            at_period_end(Some(d(2026, 4, 1)), true, good, end),
            PeriodEnd::Renew
        );
    }

    #[test]
    fn lapse_dates_are_30_then_90_days_apart() {
        let dates = LapseDates::after(d(2026, 1, 31));
        assert_eq!(dates.expired_on, d(2026, 1, 31));
        assert_eq!(dates.disabled_on, d(2026, 3, 2));
        assert_eq!(dates.deleted_on, d(2026, 5, 31));
    }

    #[test]
    fn steps_fall_due_on_their_day_and_not_before() {
        let end = d(2026, 1, 31);
        assert_eq!(due(Expired, end, d(2026, 3, 1)), vec![]);
        assert_eq!(
            due(Expired, end, d(2026, 3, 2)),
            vec![Step {
                to: Disabled,
                on: d(2026, 3, 2)
            }]
        );
        assert_eq!(due(Disabled, end, d(2026, 5, 30)), vec![]);
        assert_eq!(
            due(Disabled, end, d(2026, 5, 31)),
            vec![Step {
                to: Deleted,
                on: d(2026, 5, 31)
            }]
        );
    }

    #[test]
    fn a_late_run_takes_every_step_with_its_own_date() {
        let end = d(2026, 1, 31);
        let steps = due(Expired, end, end + Days::new(200));
        assert_eq!(
            steps,
            vec![
                Step {
                    to: Disabled,
                    on: d(2026, 3, 2)
                },
                Step {
                    to: Deleted,
                    on: d(2026, 5, 31)
                }
            ]
        );
        // Once deleted (or in any other status) nothing is due any more.
        for status in [Trial, Active, Canceled, Deleted] {
            assert_eq!(due(status, end, end + Days::new(1000)), vec![]);
        }
    }

    #[test]
    fn each_step_says_what_becomes_of_the_assignments() {
        let on = d(2026, 1, 1);
        let effect = |to| Step { to, on }.assignments();
        assert_eq!(effect(Expired), AssignmentEffect::Keep);
        assert_eq!(effect(Disabled), AssignmentEffect::Suspend);
        assert_eq!(effect(Deleted), AssignmentEffect::Release);
        assert_eq!(effect(Canceled), AssignmentEffect::Release);
    }

    #[test]
    fn licenses_are_held_while_live_and_in_grace_only() {
        let held: Vec<_> = SubscriptionStatus::ALL
            .into_iter()
            .filter(|s| holds_licenses(*s, true))
            .collect();
        assert_eq!(held, vec![Trial, Active, Expired]);
        assert!(!holds_licenses(Expired, false), "an ended trial holds none");
    }

    #[test]
    fn only_expired_or_disabled_paid_subscriptions_reactivate() {
        let ok: Vec<_> = SubscriptionStatus::ALL
            .into_iter()
            .filter(|s| check_reactivatable(*s, true).is_ok())
            .collect();
        assert_eq!(ok, vec![Expired, Disabled]);
        assert_eq!(
            check_reactivatable(Expired, false),
            Err(NotReactivatable { status: Expired })
        );
    }

    #[test]
    fn restore_keeps_the_earliest_holders_the_count_allows() {
        assert_eq!(restore(&[1, 2, 3], 5), (vec![1, 2, 3], vec![]));
        assert_eq!(restore(&[1, 2, 3], 3), (vec![1, 2, 3], vec![]));
        assert_eq!(restore(&[1, 2, 3], 2), (vec![1, 2], vec![3]));
        assert_eq!(restore::<u8>(&[], 2), (vec![], vec![]));
    }
}
