//! Proration: the price of part of a billing period.
//!
//! # The rounding rule (the only one in the product)
//!
//! For each invoice line,
//!
//! ```text
//! amount = round_half_away_from_zero(unit_amount × quantity × days / period_days)
//! ```
//!
//! computed exactly in `i128` integer arithmetic and rounded once, to the
//! currency's minor unit, with halves rounded away from zero (2.5 → 3,
//! −2.5 → −3). `unit_amount` is the price of one license for a whole period,
//! `days` is how many days of the period the line covers (`0..=period_days`)
//! and `period_days` is the period's length in days. A credit is the same
//! formula with a negative quantity, so a credit is always the exact mirror of
//! the charge it reverses. Lines are rounded individually and never
//! re-rounded when summed.
//!
//! Consequences: a whole period (`days == period_days`) is exactly
//! `unit_amount × quantity`; zero days is exactly zero; more days never cost
//! less.

use crate::money::{Money, MoneyError};

/// The price of `quantity` licenses at `unit` per period for `days` of a
/// period of `period_days` days (see the module documentation for the rule).
///
/// `days` is clamped to `0..=period_days`: callers take it from
/// [`BillingPeriod::remaining_days`](super::BillingPeriod::remaining_days),
/// which already is, and a line can never cover more than its period. A
/// period shorter than one day has nothing to charge and yields zero.
pub fn prorate(
    unit: Money,
    quantity: i64,
    days: i64,
    period_days: i64,
) -> Result<Money, MoneyError> {
    if period_days < 1 {
        return Ok(Money::zero(unit.currency()));
    }
    let days = days.clamp(0, period_days);
    let numerator = i128::from(unit.amount())
        .checked_mul(i128::from(quantity))
        .and_then(|n| n.checked_mul(i128::from(days)))
        .ok_or(MoneyError::Overflow)?;
    let amount = div_round_half_away_from_zero(numerator, i128::from(period_days))
        .ok_or(MoneyError::Overflow)?;
    i64::try_from(amount)
        .map(|amount| Money::new(amount, unit.currency()))
        .map_err(|_| MoneyError::Overflow)
}

/// `numerator / denominator` rounded to the nearest integer, halves away from
/// zero. `None` when `denominator` is not positive.
pub(crate) fn div_round_half_away_from_zero(numerator: i128, denominator: i128) -> Option<i128> {
    if denominator <= 0 {
        return None;
    }
    let quotient = numerator / denominator;
    // Truncating division leaves a remainder with the numerator's sign and
    // |remainder| < denominator, so `abs` cannot overflow. Comparing
    // |r| >= d - |r| is `2|r| >= d` without doubling.
    let remainder = (numerator % denominator).abs();
    if remainder >= denominator - remainder {
        // With denominator >= 2 the quotient is at most half of i128's range.
        Some(quotient + numerator.signum())
    } else {
        Some(quotient)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::billing::{strategies, BillingPeriod};
    use crate::catalog::BillingFrequency;
    use crate::money::Currency;
    use chrono::NaiveDate;
    use proptest::prelude::*;

    fn usd(amount: i64) -> Money {
        Money::new(amount, Currency::parse("USD").unwrap())
    }

    #[test]
    fn halves_round_away_from_zero() {
        assert_eq!(div_round_half_away_from_zero(5, 2), Some(3));
        assert_eq!(div_round_half_away_from_zero(-5, 2), Some(-3));
        assert_eq!(div_round_half_away_from_zero(7, 3), Some(2));
        assert_eq!(div_round_half_away_from_zero(-7, 3), Some(-2));
        assert_eq!(div_round_half_away_from_zero(8, 3), Some(3));
        assert_eq!(div_round_half_away_from_zero(0, 3), Some(0));
        assert_eq!(div_round_half_away_from_zero(1, 0), None);
        assert_eq!(
            div_round_half_away_from_zero(i128::MAX, 2),
            Some(i128::MAX / 2 + 1)
        );
        assert_eq!(div_round_half_away_from_zero(i128::MIN, 1), Some(i128::MIN));
    }

    #[test]
    fn first_day_is_the_full_amount_and_last_day_is_one_days_worth() {
        let start = NaiveDate::from_ymd_opt(2024, 4, 1).unwrap();
        let period = BillingPeriod::first(start, BillingFrequency::Monthly);
        let unit = usd(1250);
        let first = prorate(unit, 3, period.remaining_days(start), period.days());
        assert_eq!(first, Ok(usd(3750)));
        let last_day = NaiveDate::from_ymd_opt(2024, 4, 30).unwrap();
        // 3750 / 30 = 125 exactly.
        let last = prorate(unit, 3, period.remaining_days(last_day), period.days());
        assert_eq!(last, Ok(usd(125)));
        // 1250 / 30 = 41.67 → 42; the credit mirrors it.
        assert_eq!(prorate(unit, 1, 1, 30), Ok(usd(42)));
        assert_eq!(prorate(unit, -1, 1, 30), Ok(usd(-42)));
    }

    #[test]
    fn exact_halves_on_a_line() {
        // 1 × 15 days of 30 at 1001 = 500.5 → 501 (and −501 for the credit).
        assert_eq!(prorate(usd(1001), 1, 15, 30), Ok(usd(501)));
        assert_eq!(prorate(usd(1001), -1, 15, 30), Ok(usd(-501)));
    }

    #[test]
    fn out_of_range_inputs_are_clamped_or_refused() {
        assert_eq!(prorate(usd(1000), 1, 45, 30), Ok(usd(1000)));
        assert_eq!(prorate(usd(1000), 1, -3, 30), Ok(usd(0)));
        assert_eq!(prorate(usd(1000), 1, 0, 0), Ok(usd(0)));
        assert_eq!(prorate(usd(i64::MAX), 2, 30, 30), Err(MoneyError::Overflow));
        assert_eq!(
            prorate(usd(i64::MAX), i64::MAX, 1, 366),
            Err(MoneyError::Overflow)
        );
        assert_eq!(prorate(usd(i64::MAX), 1, 30, 30), Ok(usd(i64::MAX)));
    }

    proptest! {
        #[test]
        fn whole_period_is_exact_zero_days_is_zero_and_more_days_cost_more(
            (period, _) in strategies::period(),
            unit in 1i64..=100_000_000,
            quantity in -100_000i64..=100_000,
            a in 0i64..=366,
            b in 0i64..=366,
        ) {
            let days = period.days();
            let price = |d| prorate(usd(unit), quantity, d, days).unwrap().amount();
            prop_assert_eq!(price(days), unit * quantity);
            prop_assert_eq!(price(0), 0);
            let (lo, hi) = (a.min(b).min(days), a.max(b).min(days));
            if quantity >= 0 {
                prop_assert!(price(lo) <= price(hi));
            } else {
                prop_assert!(price(lo) >= price(hi));
            }
            // The credit mirrors the charge, and the rounding error is at
            // most half a minor unit.
            prop_assert_eq!(prorate(usd(unit), -quantity, lo, days).unwrap().amount(), -price(lo));
            let exact = i128::from(unit) * i128::from(quantity) * i128::from(lo);
            let error = (i128::from(price(lo)) * i128::from(days) - exact).abs();
            prop_assert!(2 * error <= i128::from(days));
        }
    }
}
