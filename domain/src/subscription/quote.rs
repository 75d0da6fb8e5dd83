//! Binding quotes for a license-count change (PRODUCT.md §9).
//!
//! A preview is priced at an instant and stored as a [`Quote`] for
//! [`QUOTE_VALIDITY_MINUTES`]. A change that names the quote is priced at the
//! quote's instant, not at the moment it arrives, so it costs exactly what was
//! quoted even when it lands minutes (or a day boundary) later. A quote binds
//! the subscription *as it was*: the version it was computed on is part of it,
//! and any change since (a count change, an assignment, a renewal, another
//! quote applied) makes it a mismatch rather than a different price.

use super::CountChange;
use crate::ids::{QuoteId, SubscriptionId};
use crate::license::LicenseCount;
use crate::money::{Currency, Money};
use chrono::{DateTime, Duration, Utc};
use thiserror::Error;

/// How long a quote binds, from the instant it was priced.
pub const QUOTE_VALIDITY_MINUTES: i64 = 15;

/// What a quote promises: this subscription, at this version, moved to this
/// total, for this (signed) prorated amount.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuoteTerms {
    pub subscription_id: SubscriptionId,
    /// The subscription's version (its ETag) when the quote was priced.
    pub version: i64,
    pub license_count: LicenseCount,
    /// Positive: the prorated charge of an increase. Negative: the prorated
    /// credit of a decrease. Zero: a trial, or no change.
    pub amount: Money,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Quote {
    id: QuoteId,
    terms: QuoteTerms,
    /// The proration instant: the change is priced on this instant's date.
    priced_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
}

/// Why a change cannot use a quote.
#[derive(Clone, Copy, Debug, Error, PartialEq, Eq)]
pub enum QuoteError {
    #[error("the quote expired at {expires_at}; ask for a new one")]
    Expired { expires_at: DateTime<Utc> },
    #[error("{0}")]
    Mismatch(QuoteMismatch),
}

/// How a quote and the change that names it disagree.
#[derive(Clone, Copy, Debug, Error, PartialEq, Eq)]
pub enum QuoteMismatch {
    #[error("the quote is for another subscription")]
    OtherSubscription,
    #[error("the quote is for {quoted} licenses, not {requested}")]
    OtherLicenseCount { quoted: u32, requested: i64 },
    #[error("the subscription changed since the quote; ask for a new one")]
    SubscriptionChanged,
    /// The subscription is as quoted but the change would now cost something
    /// else (e.g. a price or period that moved without a version change).
    /// Refused rather than charged: a quote is never silently repriced.
    #[error("the change no longer costs what was quoted; ask for a new one")]
    Repriced,
}

/// A stored quote that cannot be a quote.
#[derive(Clone, Copy, Debug, Error, PartialEq, Eq)]
#[error("a quote must expire after it was priced")]
pub struct InvalidQuote;

impl Quote {
    /// Prices a quote at `now`, binding for [`QUOTE_VALIDITY_MINUTES`].
    pub fn issue(id: QuoteId, terms: QuoteTerms, now: DateTime<Utc>) -> Self {
        Self {
            id,
            terms,
            priced_at: now,
            expires_at: now + Duration::minutes(QUOTE_VALIDITY_MINUTES),
        }
    }

    /// A quote as stored. The validity is not re-derived: a quote keeps the
    /// expiry it was given even if the validity rule changes later.
    pub fn restore(
        id: QuoteId,
        terms: QuoteTerms,
        priced_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<Self, InvalidQuote> {
        if expires_at <= priced_at {
            return Err(InvalidQuote);
        }
        Ok(Self {
            id,
            terms,
            priced_at,
            expires_at,
        })
    }

    pub fn id(&self) -> QuoteId {
        self.id
    }
    pub fn terms(&self) -> &QuoteTerms {
        &self.terms
    }
    pub fn priced_at(&self) -> DateTime<Utc> {
        self.priced_at
    }
    pub fn expires_at(&self) -> DateTime<Utc> {
        self.expires_at
    }

    /// May a change of `subscription` (now at `version`) to `license_count`
    /// use this quote at `now`? On success, the instant to price it at.
    ///
    /// Expiry is checked first: an expired quote is answered as expired
    /// whatever else is wrong with it, since asking for a new one is the fix
    /// either way. A quote is valid up to, not including, `expires_at`.
    pub fn redeem(
        &self,
        subscription: SubscriptionId,
        version: i64,
        license_count: i64,
        now: DateTime<Utc>,
    ) -> Result<DateTime<Utc>, QuoteError> {
        if now >= self.expires_at {
            return Err(QuoteError::Expired {
                expires_at: self.expires_at,
            });
        }
        let terms = &self.terms;
        let mismatch = if subscription != terms.subscription_id {
            Some(QuoteMismatch::OtherSubscription)
        } else if license_count != i64::from(terms.license_count.get()) {
            Some(QuoteMismatch::OtherLicenseCount {
                quoted: terms.license_count.get(),
                requested: license_count,
            })
        } else if version != terms.version {
            Some(QuoteMismatch::SubscriptionChanged)
        } else {
            None
        };
        match mismatch {
            Some(m) => Err(QuoteError::Mismatch(m)),
            None => Ok(self.priced_at),
        }
    }

    /// Binds a paid change priced at [`Quote::redeem`]'s instant: it goes
    /// through only if it costs exactly the quoted amount.
    pub fn bind(&self, change: CountChange) -> Result<CountChange, QuoteError> {
        if change.amount(self.terms.amount.currency()) == self.terms.amount {
            Ok(change)
        } else {
            Err(QuoteError::Mismatch(QuoteMismatch::Repriced))
        }
    }
}

impl CountChange {
    /// The signed prorated amount of the change: what a quote records.
    pub fn amount(&self, currency: Currency) -> Money {
        match self {
            CountChange::Increase { charge, .. } => charge.amount,
            CountChange::Decrease { credit, .. } => credit.amount,
            CountChange::Unchanged => Money::zero(currency),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::billing::BillingPeriod;
    use crate::catalog::BillingFrequency;
    use crate::subscription::change_count;
    use chrono::{NaiveDate, TimeZone};

    fn usd(amount: i64) -> Money {
        Money::new(amount, Currency::parse("USD").unwrap())
    }

    fn count(n: i64) -> LicenseCount {
        LicenseCount::parse(n, 1000).unwrap()
    }

    fn at(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 4, day, hour, minute, 0).unwrap()
    }

    /// April 2024 at 3000 a license: 100 a license-day.
    fn price(from: i64, to: i64, on: DateTime<Utc>) -> CountChange {
        let period = BillingPeriod::first(
            NaiveDate::from_ymd_opt(2024, 4, 1).unwrap(),
            BillingFrequency::Monthly,
        );
        change_count(
            count(from),
            count(to),
            0,
            usd(3000),
            &period,
            on.date_naive(),
        )
        .unwrap()
    }

    fn quote(subscription: SubscriptionId, now: DateTime<Utc>) -> Quote {
        let amount = price(100, 105, now).amount(usd(0).currency());
        let terms = QuoteTerms {
            subscription_id: subscription,
            version: 7,
            license_count: count(105),
            amount,
        };
        Quote::issue(QuoteId::new_random(), terms, now)
    }

    #[test]
    fn a_quote_binds_for_fifteen_minutes_and_not_one_instant_more() {
        let sub = SubscriptionId::new_random();
        let priced = at(10, 12, 0);
        let q = quote(sub, priced);
        assert_eq!(q.expires_at(), at(10, 12, 15));
        assert_eq!(q.redeem(sub, 7, 105, at(10, 12, 14)), Ok(priced));
        let last = at(10, 12, 15) - Duration::nanoseconds(1);
        assert_eq!(q.redeem(sub, 7, 105, last), Ok(priced));
        assert_eq!(
            q.redeem(sub, 7, 105, at(10, 12, 15)),
            Err(QuoteError::Expired {
                expires_at: at(10, 12, 15)
            })
        );
    }

    #[test]
    fn expiry_wins_over_any_mismatch() {
        let sub = SubscriptionId::new_random();
        let q = quote(sub, at(10, 12, 0));
        let other = SubscriptionId::new_random();
        assert!(matches!(
            q.redeem(other, 8, 106, at(10, 13, 0)),
            Err(QuoteError::Expired { .. })
        ));
    }

    #[test]
    fn another_subscription_count_or_version_is_a_mismatch() {
        let sub = SubscriptionId::new_random();
        let now = at(10, 12, 0);
        let q = quote(sub, now);
        let mismatch = |s, v, n| match q.redeem(s, v, n, now) {
            Err(QuoteError::Mismatch(m)) => m,
            other => panic!("expected a mismatch, got {other:?}"),
        };
        assert_eq!(
            mismatch(SubscriptionId::new_random(), 7, 105),
            QuoteMismatch::OtherSubscription
        );
        assert_eq!(
            mismatch(sub, 7, 104),
            QuoteMismatch::OtherLicenseCount {
                quoted: 105,
                requested: 104
            }
        );
        assert_eq!(mismatch(sub, 8, 105), QuoteMismatch::SubscriptionChanged);
        assert_eq!(mismatch(sub, 6, 105), QuoteMismatch::SubscriptionChanged);
    }

    #[test]
    fn a_quote_priced_before_midnight_charges_that_days_price_after_it() {
        let sub = SubscriptionId::new_random();
        // 23:55 on April 10: 21 days left. The PATCH lands at 00:05 on
        // April 11, when a fresh price would be 20 days.
        let q = quote(sub, at(10, 23, 55));
        let instant = q.redeem(sub, 7, 105, at(11, 0, 5)).unwrap();
        let change = q.bind(price(100, 105, instant)).unwrap();
        assert_eq!(change.amount(usd(0).currency()), usd(5 * 21 * 100));
        assert_ne!(
            price(100, 105, at(11, 0, 5)).amount(usd(0).currency()),
            q.terms().amount
        );
    }

    #[test]
    fn a_change_that_costs_something_else_is_refused() {
        let sub = SubscriptionId::new_random();
        let q = quote(sub, at(10, 12, 0));
        assert_eq!(
            q.bind(price(100, 105, at(20, 12, 0))),
            Err(QuoteError::Mismatch(QuoteMismatch::Repriced))
        );
        assert_eq!(
            q.bind(CountChange::Unchanged),
            Err(QuoteError::Mismatch(QuoteMismatch::Repriced))
        );
    }

    #[test]
    fn a_stored_quote_must_expire_after_it_was_priced() {
        let q = quote(SubscriptionId::new_random(), at(10, 12, 0));
        let terms = *q.terms();
        assert_eq!(
            Quote::restore(q.id(), terms, q.priced_at(), q.expires_at()),
            Ok(q.clone())
        );
        assert_eq!(
            Quote::restore(q.id(), terms, q.priced_at(), q.priced_at()),
            Err(InvalidQuote)
        );
    }
}
