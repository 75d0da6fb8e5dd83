//! The monthly spend cap: how much one purchaser's net charges may reach in
//! a calendar month (UTC) through self-service.
//!
//! # Rule
//!
//! A purchase, license increase or trial conversion charging `requested` is
//! allowed when `spent + requested <= cap`, where `spent` is the purchaser's
//! net charges this month: every invoice total issued to them since the
//! first of the month, credits (negative totals) included. A credit can so
//! make room again; a cancellation's refund is money returned. Charges of
//! zero or less never hit the cap. Organisation purchases are exempt (the
//! use case does not ask).

use crate::money::{Currency, Money};
use chrono::{Datelike, Months, NaiveDate};
use thiserror::Error;

/// An organisation's cap on each purchaser's monthly net charges: zero or
/// more (zero allows no paid self-service at all, yet trials still start).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SpendCap(Money);

#[derive(Clone, Copy, Debug, Error, PartialEq, Eq)]
pub enum SpendCapError {
    #[error("spend_cap amount must be zero or more")]
    Negative,
}

impl SpendCap {
    pub fn parse(cap: Money) -> Result<Self, SpendCapError> {
        if cap.amount() < 0 {
            return Err(SpendCapError::Negative);
        }
        Ok(Self(cap))
    }

    pub fn money(&self) -> Money {
        self.0
    }

    pub fn currency(&self) -> Currency {
        self.0.currency()
    }
}

/// Why a charge is refused: the numbers the member is shown.
#[derive(Clone, Copy, Debug, Error, PartialEq, Eq)]
pub enum SpendRefusal {
    #[error("this charge would take your spending this month above the cap")]
    Exceeded {
        cap: Money,
        spent: Money,
        requested: Money,
    },
    /// A cap in one currency cannot judge a charge in another without an
    /// exchange rate, which this service does not have: refused rather than
    /// waved through, as the admin asked for a limit.
    #[error("the spend cap is in {cap}; a charge in {charge} cannot be measured against it")]
    CurrencyMismatch { cap: Currency, charge: Currency },
}

/// May a charge of `requested` go ahead when the purchaser has `spent` this
/// month? `spent` is in the cap's currency (the use case sums only those
/// invoices); no cap means no limit.
pub fn check_spend(
    cap: Option<&SpendCap>,
    spent: Money,
    requested: Money,
) -> Result<(), SpendRefusal> {
    let Some(cap) = cap else {
        return Ok(());
    };
    if requested.amount() <= 0 {
        return Ok(());
    }
    if requested.currency() != cap.currency() {
        return Err(SpendRefusal::CurrencyMismatch {
            cap: cap.currency(),
            charge: requested.currency(),
        });
    }
    let exceeded = SpendRefusal::Exceeded {
        cap: cap.money(),
        spent,
        requested,
    };
    // A sum out of range is certainly above any cap.
    match spent.checked_add(requested) {
        Ok(total) if total.amount() <= cap.money().amount() => Ok(()),
        _ => Err(exceeded),
    }
}

/// The calendar month containing `today` (a UTC date), as the half-open
/// range of issue dates `[first of the month, first of the next month)`.
pub fn calendar_month(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first = today.with_day(1).unwrap_or(today);
    let next = first
        .checked_add_months(Months::new(1))
        .unwrap_or(NaiveDate::MAX);
    (first, next)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd(amount: i64) -> Money {
        Money::new(amount, Currency::parse("USD").unwrap())
    }

    fn cap(amount: i64) -> SpendCap {
        SpendCap::parse(usd(amount)).unwrap()
    }

    #[test]
    fn a_cap_is_zero_or_more() {
        assert!(SpendCap::parse(usd(0)).is_ok());
        assert_eq!(SpendCap::parse(usd(-1)), Err(SpendCapError::Negative));
    }

    #[test]
    fn reaching_the_cap_exactly_is_allowed_one_cent_more_is_not() {
        assert_eq!(
            check_spend(Some(&cap(10_000)), usd(6_000), usd(4_000)),
            Ok(())
        );
        assert_eq!(
            check_spend(Some(&cap(10_000)), usd(6_000), usd(4_001)),
            Err(SpendRefusal::Exceeded {
                cap: usd(10_000),
                spent: usd(6_000),
                requested: usd(4_001)
            })
        );
    }

    #[test]
    fn no_cap_allows_anything() {
        assert_eq!(check_spend(None, usd(i64::MAX), usd(i64::MAX)), Ok(()));
    }

    #[test]
    fn credits_this_month_make_room() {
        // Bought 8 000, refunded 5 000: 3 000 net, so 7 000 more fits under 10 000.
        assert_eq!(
            check_spend(Some(&cap(10_000)), usd(3_000), usd(7_000)),
            Ok(())
        );
        // A month that is net negative still allows only up to the cap.
        assert_eq!(check_spend(Some(&cap(100)), usd(-500), usd(600)), Ok(()));
        assert!(check_spend(Some(&cap(100)), usd(-500), usd(601)).is_err());
    }

    #[test]
    fn nothing_to_charge_never_hits_the_cap() {
        assert_eq!(check_spend(Some(&cap(0)), usd(50), usd(0)), Ok(()));
        assert_eq!(check_spend(Some(&cap(0)), usd(50), usd(-10)), Ok(()));
        assert!(check_spend(Some(&cap(0)), usd(0), usd(1)).is_err());
    }

    #[test]
    fn an_overflowing_sum_is_above_the_cap() {
        assert!(matches!(
            check_spend(Some(&cap(i64::MAX)), usd(i64::MAX), usd(1)),
            Err(SpendRefusal::Exceeded { .. })
        ));
    }

    #[test]
    fn a_charge_in_another_currency_is_refused() {
        let eur = Currency::parse("EUR").unwrap();
        assert_eq!(
            check_spend(Some(&cap(10_000)), usd(0), Money::new(1, eur)),
            Err(SpendRefusal::CurrencyMismatch {
                cap: Currency::parse("USD").unwrap(),
                charge: eur
            })
        );
    }

    #[test]
    fn the_month_is_the_calendar_month() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert_eq!(
            calendar_month(d("2026-02-28")),
            (d("2026-02-01"), d("2026-03-01"))
        );
        assert_eq!(
            calendar_month(d("2026-12-01")),
            (d("2026-12-01"), d("2027-01-01"))
        );
        assert_eq!(
            calendar_month(d("2024-02-29")),
            (d("2024-02-01"), d("2024-03-01"))
        );
    }
}
