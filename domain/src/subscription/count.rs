//! Changing a subscription's total license count.

use super::{licenses_label, span_label};
use crate::billing::{prorate, BillingPeriod};
use crate::catalog::TrialOffer;
use crate::invoice::{InvoiceLine, LineKind};
use crate::license::{LicenseCount, LicenseCountError};
use crate::money::{Money, MoneyError};
use chrono::NaiveDate;
use thiserror::Error;

/// What a new total means for a paid subscription.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CountChange {
    /// Invoice `charge` at once.
    Increase {
        added: u32,
        charge: InvoiceLine,
    },
    /// Keep `credit` for the subscription's next invoice (PRODUCT.md §2.4).
    Decrease {
        removed: u32,
        credit: InvoiceLine,
    },
    Unchanged,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum CountChangeError {
    #[error("{assigned} licenses are assigned; unassign some before going below that")]
    BelowAssigned { assigned: u32 },
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// Move a paid subscription from `current` to `new` licenses on `today`.
///
/// The difference is prorated over the days left in `period` counted from
/// `today` inclusive ([`BillingPeriod::remaining_days`]): a change on the
/// first day is a whole period's worth, on the last day one day's worth, so
/// over a period the customer pays for exactly the license-days they held
/// (within each line's rounding). Also serves the preview, which stores
/// nothing. `new` was parsed against the product's maximum.
pub fn change_count(
    current: LicenseCount,
    new: LicenseCount,
    assigned: u32,
    unit_price: Money,
    period: &BillingPeriod,
    today: NaiveDate,
) -> Result<CountChange, CountChangeError> {
    if new.get() < assigned {
        return Err(CountChangeError::BelowAssigned { assigned });
    }
    let (current, new) = (current.get(), new.get());
    if new == current {
        return Ok(CountChange::Unchanged);
    }
    let days = period.remaining_days(today);
    let quantity = i64::from(new) - i64::from(current);
    let amount = prorate(unit_price, quantity, days, period.days())?;
    // A change made before the period starts covers all of it, one made after
    // it ends covers nothing: the line's dates say the same as `days`.
    let period_start = today.clamp(period.start(), period.end());
    let description = format!(
        "{} {}, prorated {days} of {} days {}",
        licenses_label(quantity),
        if quantity > 0 { "added" } else { "removed" },
        period.days(),
        span_label(period_start, period.end()),
    );
    let line = |kind| InvoiceLine {
        kind,
        description,
        quantity,
        unit_amount: unit_price,
        amount,
        period_start,
        period_end: period.end(),
    };
    Ok(if new > current {
        CountChange::Increase {
            added: new - current,
            charge: line(LineKind::ProratedIncrease),
        }
    } else {
        CountChange::Decrease {
            removed: current - new,
            credit: line(LineKind::ProratedDecreaseCredit),
        }
    })
}

#[derive(Clone, Copy, Debug, Error, PartialEq, Eq)]
pub enum TrialCountError {
    #[error("a trial needs at least 1 license")]
    TooFew,
    #[error("a trial is limited to {max} licenses")]
    TooMany { max: u32 },
    #[error("{assigned} licenses are assigned; unassign some before going below that")]
    BelowAssigned { assigned: u32 },
}

/// A trial's new total: free, so no money and no invoice, but still bounded
/// by the trial's maximum and by the licenses already assigned.
pub fn change_trial_count(
    new: i64,
    offer: TrialOffer,
    assigned: u32,
) -> Result<LicenseCount, TrialCountError> {
    let count = LicenseCount::parse(new, offer.max_licenses).map_err(|e| match e {
        LicenseCountError::TooFew => TrialCountError::TooFew,
        LicenseCountError::TooMany { max } => TrialCountError::TooMany { max },
    })?;
    if count.get() < assigned {
        return Err(TrialCountError::BelowAssigned { assigned });
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::BillingFrequency;
    use crate::money::Currency;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn count(n: i64) -> LicenseCount {
        LicenseCount::parse(n, 1000).unwrap()
    }

    fn unit() -> Money {
        Money::new(3000, Currency::parse("USD").unwrap())
    }

    /// April 2024: 30 days, so 3000 per license per period is 100 a day.
    fn april() -> BillingPeriod {
        BillingPeriod::first(d(2024, 4, 1), BillingFrequency::Monthly)
    }

    #[test]
    fn increase_on_the_first_day_costs_a_whole_period() {
        let change = change_count(count(100), count(105), 0, unit(), &april(), d(2024, 4, 1));
        let CountChange::Increase { added, charge } = change.unwrap() else {
            panic!("expected an increase");
        };
        assert_eq!(added, 5);
        assert_eq!(charge.kind, LineKind::ProratedIncrease);
        assert_eq!((charge.quantity, charge.amount.amount()), (5, 15000));
        assert_eq!(
            (charge.period_start, charge.period_end),
            (d(2024, 4, 1), d(2024, 5, 1))
        );
        assert_eq!(
            charge.description,
            "5 licenses added, prorated 30 of 30 days from 2024-04-01 until 2024-05-01"
        );
    }

    #[test]
    fn increase_on_the_last_day_costs_one_day() {
        let change = change_count(count(1), count(2), 0, unit(), &april(), d(2024, 4, 30));
        let CountChange::Increase { charge, .. } = change.unwrap() else {
            panic!("expected an increase");
        };
        assert_eq!(charge.amount.amount(), 100);
        assert_eq!(charge.period_start, d(2024, 4, 30));
    }

    #[test]
    fn decrease_is_a_negative_prorated_credit() {
        let change = change_count(count(10), count(7), 7, unit(), &april(), d(2024, 4, 21));
        let CountChange::Decrease { removed, credit } = change.unwrap() else {
            panic!("expected a decrease");
        };
        assert_eq!(removed, 3);
        assert_eq!(credit.kind, LineKind::ProratedDecreaseCredit);
        // 10 days left × 3 licenses × 100 a day.
        assert_eq!((credit.quantity, credit.amount.amount()), (-3, -3000));
    }

    #[test]
    fn the_count_may_equal_but_not_go_below_assigned() {
        let today = d(2024, 4, 10);
        assert!(change_count(count(10), count(7), 7, unit(), &april(), today).is_ok());
        assert_eq!(
            change_count(count(10), count(6), 7, unit(), &april(), today),
            Err(CountChangeError::BelowAssigned { assigned: 7 })
        );
        assert_eq!(
            change_count(count(5), count(5), 5, unit(), &april(), today),
            Ok(CountChange::Unchanged)
        );
    }

    #[test]
    fn a_change_after_the_period_costs_nothing() {
        let change = change_count(count(1), count(3), 0, unit(), &april(), d(2024, 6, 1)).unwrap();
        let CountChange::Increase { charge, .. } = change else {
            panic!("expected an increase");
        };
        assert_eq!(charge.amount.amount(), 0);
        assert_eq!(charge.period_start, charge.period_end);
    }

    #[test]
    fn trial_counts_are_bounded_by_the_offer_and_assignments() {
        let offer = TrialOffer {
            days: 30,
            max_licenses: 25,
        };
        assert_eq!(
            change_trial_count(0, offer, 0),
            Err(TrialCountError::TooFew)
        );
        assert_eq!(change_trial_count(1, offer, 0).unwrap().get(), 1);
        assert_eq!(change_trial_count(25, offer, 25).unwrap().get(), 25);
        assert_eq!(
            change_trial_count(26, offer, 0),
            Err(TrialCountError::TooMany { max: 25 })
        );
        assert_eq!(
            change_trial_count(4, offer, 5),
            Err(TrialCountError::BelowAssigned { assigned: 5 })
        );
    }
}
