//! Money over time: billing periods and the one proration rule.

pub mod behavior;
pub mod period;
pub mod proration;

pub use behavior::{InvalidProrationBehavior, ProrationBehavior};
pub use period::{BillingPeriod, PeriodError};
pub use proration::prorate;

/// Shared proptest strategies for dates and periods, so that every property
/// test draws from the same awkward calendar (month ends, Feb 29).
#[cfg(test)]
pub(crate) mod strategies {
    use super::BillingPeriod;
    use crate::catalog::BillingFrequency;
    use chrono::NaiveDate;
    use proptest::prelude::*;

    /// A date in 2020–2030, biased towards the days that break month
    /// arithmetic: any day 1–31 is clamped to the month's length, so the 29th,
    /// 30th and 31st all land on month ends often; Feb 29 of a leap year is
    /// drawn explicitly as well.
    pub(crate) fn date() -> impl Strategy<Value = NaiveDate> {
        let clamped = (2020i32..=2030, 1u32..=12, 1u32..=31).prop_map(|(y, m, d)| {
            (1..=d)
                .rev()
                .find_map(|day| NaiveDate::from_ymd_opt(y, m, day))
                .unwrap()
        });
        let leap_day = prop::sample::select(vec![2020, 2024, 2028])
            .prop_map(|y| NaiveDate::from_ymd_opt(y, 2, 29).unwrap());
        prop_oneof![4 => clamped, 1 => leap_day]
    }

    pub(crate) fn frequency() -> impl Strategy<Value = BillingFrequency> {
        prop::sample::select(BillingFrequency::ALL.to_vec())
    }

    /// A period that may be several renewals after its first one, so that
    /// its start is not necessarily its anchor day (Jan 31 → Feb 29 → …).
    pub(crate) fn period() -> impl Strategy<Value = (BillingPeriod, BillingFrequency)> {
        (date(), frequency(), 0usize..30).prop_map(|(start, frequency, renewals)| {
            let mut period = BillingPeriod::first(start, frequency);
            for _ in 0..renewals {
                period = period.next(frequency);
            }
            (period, frequency)
        })
    }
}
