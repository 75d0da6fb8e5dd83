//! Billing periods: half-open date ranges `[start, end)` that follow each other
//! month by month (or year by year) without drifting.

use crate::catalog::BillingFrequency;
use chrono::{Datelike, NaiveDate};
use thiserror::Error;

/// One billing period, `[start, end)`: `start` is the first day paid for and
/// `end` is the first day of the next period.
///
/// `anchor_day` is the day of the month the subscription was bought on. Ends
/// are computed from it rather than from the previous end, so that a month
/// clamped short (Jan 31 → Feb 29) does not shorten every later period:
/// Jan 31 → Feb 29 → Mar 31 → Apr 30 → May 31.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BillingPeriod {
    start: NaiveDate,
    end: NaiveDate,
    anchor_day: u32,
}

#[derive(Clone, Copy, Debug, Error, PartialEq, Eq)]
pub enum PeriodError {
    #[error("a billing period must end after it starts ({start} .. {end})")]
    Empty { start: NaiveDate, end: NaiveDate },
    #[error("a billing anchor is a day of the month (1 to 31), got {0}")]
    InvalidAnchorDay(u32),
}

impl BillingPeriod {
    /// The first period of a subscription bought (or converted) on `start`.
    pub fn first(start: NaiveDate, frequency: BillingFrequency) -> Self {
        let anchor_day = start.day();
        Self {
            start,
            end: anchored_end(start, frequency, anchor_day),
            anchor_day,
        }
    }

    /// The period that follows this one: it starts where this one ends and
    /// ends on the anchor day (clamped to the month's length).
    pub fn next(&self, frequency: BillingFrequency) -> Self {
        Self {
            start: self.end,
            end: anchored_end(self.end, frequency, self.anchor_day),
            anchor_day: self.anchor_day,
        }
    }

    /// Rebuilds a stored period. Only the shape is checked (non-empty, a real
    /// day of the month as anchor): stored periods were produced by `first` and
    /// `next`, and refusing an odd but harmless length would strand a
    /// subscription rather than protect it.
    pub fn from_parts(
        start: NaiveDate,
        end: NaiveDate,
        anchor_day: u32,
    ) -> Result<Self, PeriodError> {
        if end <= start {
            return Err(PeriodError::Empty { start, end });
        }
        if !(1..=31).contains(&anchor_day) {
            return Err(PeriodError::InvalidAnchorDay(anchor_day));
        }
        Ok(Self {
            start,
            end,
            anchor_day,
        })
    }

    pub fn start(&self) -> NaiveDate {
        self.start
    }

    /// The first day *after* the period (exclusive end).
    pub fn end(&self) -> NaiveDate {
        self.end
    }

    /// The day of the month every period ends on, when the month has it.
    pub fn anchor_day(&self) -> u32 {
        self.anchor_day
    }

    /// Length in days (28–31 for a month, 365–366 for a year).
    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days()
    }

    /// Days from `from` (inclusive) to the end of the period: the days a change
    /// made on `from` applies to. A date before the period counts the whole
    /// period; a date on or after its end counts nothing.
    pub fn remaining_days(&self, from: NaiveDate) -> i64 {
        (self.end - from).num_days().clamp(0, self.days())
    }

    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date < self.end
    }
}

/// `from` plus one period, landing on `anchor_day` or the month's last day if
/// the month is shorter.
fn anchored_end(from: NaiveDate, frequency: BillingFrequency, anchor_day: u32) -> NaiveDate {
    // Only dates near chrono's last representable year (262143) have no
    // successor; saturating there keeps `first`/`next` total without a panic.
    add_months(from, frequency.months(), anchor_day).unwrap_or(NaiveDate::MAX)
}

fn add_months(from: NaiveDate, months: u32, anchor_day: u32) -> Option<NaiveDate> {
    let index = i64::from(from.year()) * 12 + i64::from(from.month0()) + i64::from(months);
    let year = i32::try_from(index.div_euclid(12)).ok()?;
    let month = u32::try_from(index.rem_euclid(12)).ok()? + 1;
    // The largest day not after the anchor that the month has: 31 → 30 in
    // April, → 28 or 29 in February.
    (1..=anchor_day)
        .rev()
        .find_map(|day| NaiveDate::from_ymd_opt(year, month, day))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::billing::strategies;
    use proptest::prelude::*;
    use BillingFrequency::{Annual, Monthly};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn ends(start: NaiveDate, frequency: BillingFrequency, n: usize) -> Vec<NaiveDate> {
        let mut period = BillingPeriod::first(start, frequency);
        let mut out = vec![period.end()];
        for _ in 1..n {
            period = period.next(frequency);
            out.push(period.end());
        }
        out
    }

    #[test]
    fn month_end_anchor_clamps_without_drifting() {
        assert_eq!(
            ends(d(2024, 1, 31), Monthly, 4),
            vec![
                d(2024, 2, 29),
                d(2024, 3, 31),
                d(2024, 4, 30),
                d(2024, 5, 31)
            ]
        );
        assert_eq!(ends(d(2023, 1, 31), Monthly, 1), vec![d(2023, 2, 28)]);
        assert_eq!(ends(d(2023, 12, 31), Monthly, 1), vec![d(2024, 1, 31)]);
    }

    #[test]
    fn leap_day_annual_anchor_returns_in_leap_years() {
        assert_eq!(
            ends(d(2024, 2, 29), Annual, 4),
            vec![
                d(2025, 2, 28),
                d(2026, 2, 28),
                d(2027, 2, 28),
                d(2028, 2, 29)
            ]
        );
    }

    #[test]
    fn remaining_days_on_first_and_last_day() {
        let p = BillingPeriod::first(d(2024, 4, 1), Monthly);
        assert_eq!(p.days(), 30);
        assert_eq!(p.remaining_days(d(2024, 4, 1)), 30);
        assert_eq!(p.remaining_days(d(2024, 4, 30)), 1);
        assert_eq!(p.remaining_days(d(2024, 5, 1)), 0);
        assert_eq!(p.remaining_days(d(2024, 3, 1)), 30);
        assert!(p.contains(d(2024, 4, 30)) && !p.contains(d(2024, 5, 1)));
        assert!(!p.contains(d(2024, 3, 31)));
    }

    #[test]
    fn from_parts_checks_the_shape() {
        let p = BillingPeriod::first(d(2024, 1, 31), Monthly).next(Monthly);
        assert_eq!(BillingPeriod::from_parts(p.start(), p.end(), 31), Ok(p));
        assert_eq!(
            BillingPeriod::from_parts(d(2024, 2, 1), d(2024, 2, 1), 1),
            Err(PeriodError::Empty {
                start: d(2024, 2, 1),
                end: d(2024, 2, 1)
            })
        );
        for bad in [0, 32] {
            assert_eq!(
                BillingPeriod::from_parts(d(2024, 2, 1), d(2024, 3, 1), bad),
                Err(PeriodError::InvalidAnchorDay(bad))
            );
        }
    }

    #[test]
    fn the_last_representable_dates_saturate_instead_of_panicking() {
        let p = BillingPeriod::first(NaiveDate::MAX, Annual);
        assert_eq!(p.end(), NaiveDate::MAX);
        assert_eq!(p.remaining_days(NaiveDate::MIN), 0);
    }

    proptest! {
        #[test]
        fn periods_have_calendar_lengths_and_chain((period, frequency) in strategies::period()) {
            let lengths = match frequency {
                Monthly => 28..=31,
                Annual => 365..=366,
            };
            prop_assert!(lengths.contains(&period.days()));
            let next = period.next(frequency);
            prop_assert_eq!(next.start(), period.end());
            prop_assert_eq!(next.anchor_day(), period.anchor_day());
            prop_assert!(lengths.contains(&next.days()));
        }

        #[test]
        fn every_end_is_on_the_anchor_or_the_month_end(
            start in strategies::date(),
            frequency in strategies::frequency(),
            renewals in 0u32..40,
        ) {
            let mut period = BillingPeriod::first(start, frequency);
            for _ in 0..renewals {
                period = period.next(frequency);
            }
            // Counted from the purchase date, never from a clamped end.
            let months = (renewals + 1) * frequency.months();
            let index = start.year() * 12 + start.month0() as i32 + months as i32;
            let (year, month) = (index.div_euclid(12), index.rem_euclid(12) as u32 + 1);
            let month_len = (28..=31)
                .filter(|&day| NaiveDate::from_ymd_opt(year, month, day).is_some())
                .max()
                .unwrap();
            prop_assert_eq!(period.end(), d(year, month, start.day().min(month_len)));
        }

        #[test]
        fn remaining_days_is_clamped_and_steps_down_one_per_day(
            (period, _) in strategies::period(),
            offset in -400i64..400,
        ) {
            let from = period.start() + chrono::TimeDelta::days(offset);
            let remaining = period.remaining_days(from);
            prop_assert!((0..=period.days()).contains(&remaining));
            prop_assert_eq!(remaining, (period.days() - offset).clamp(0, period.days()));
            prop_assert_eq!(period.contains(from), (0..period.days()).contains(&offset));
        }
    }
}
