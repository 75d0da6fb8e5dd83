//! Where the money of a license-count change goes: an invoice issued now, or
//! a pending line that the subscription's next invoice carries.

use super::CountChange;
use crate::billing::ProrationBehavior;
use crate::invoice::InvoiceLine;

/// What to store for a [`CountChange`] under a billing profile's
/// [`ProrationBehavior`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Settlement {
    /// Issue an invoice holding this line now (and any pending lines).
    InvoiceNow(InvoiceLine),
    /// Keep this line pending: the subscription's next invoice carries it —
    /// the renewal, the cancellation, or the settlement issued when the
    /// subscription ends without either, so a pending line is never dropped.
    NextInvoice(InvoiceLine),
    /// Nothing to bill: the count did not change.
    Nothing,
}

impl Settlement {
    /// The line, wherever it goes.
    pub fn line(&self) -> Option<&InvoiceLine> {
        match self {
            Settlement::InvoiceNow(line) | Settlement::NextInvoice(line) => Some(line),
            Settlement::Nothing => None,
        }
    }
}

impl CountChange {
    /// Routes the change's line: a decrease credit always waits for the next
    /// invoice (PRODUCT.md §2.4); an increase is invoiced at once or waits,
    /// as the profile says. The line itself is the same either way, so the
    /// behaviour moves money in time and never changes how much.
    pub fn settle(self, behavior: ProrationBehavior) -> Settlement {
        match (self, behavior) {
            (CountChange::Increase { charge, .. }, ProrationBehavior::InvoiceNow) => {
                Settlement::InvoiceNow(charge)
            }
            (CountChange::Increase { charge, .. }, ProrationBehavior::NextInvoice) => {
                Settlement::NextInvoice(charge)
            }
            (CountChange::Decrease { credit, .. }, _) => Settlement::NextInvoice(credit),
            (CountChange::Unchanged, _) => Settlement::Nothing,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::billing::BillingPeriod;
    use crate::catalog::BillingFrequency;
    use crate::invoice::LineKind;
    use crate::license::LicenseCount;
    use crate::money::{Currency, Money};
    use crate::subscription::change_count;
    use chrono::NaiveDate;

    fn change(from: i64, to: i64) -> CountChange {
        let day = NaiveDate::from_ymd_opt(2024, 4, 11).unwrap();
        let period = BillingPeriod::first(
            NaiveDate::from_ymd_opt(2024, 4, 1).unwrap(),
            BillingFrequency::Monthly,
        );
        let unit = Money::new(3000, Currency::parse("USD").unwrap());
        let count = |n| LicenseCount::parse(n, 100).unwrap();
        change_count(count(from), count(to), 0, unit, &period, day).unwrap()
    }

    #[test]
    fn an_increase_follows_the_profile_and_keeps_its_amount() {
        let now = change(2, 5).settle(ProrationBehavior::InvoiceNow);
        let later = change(2, 5).settle(ProrationBehavior::NextInvoice);
        assert!(matches!(now, Settlement::InvoiceNow(_)));
        assert!(matches!(later, Settlement::NextInvoice(_)));
        assert_eq!(now.line(), later.line());
        let line = now.line().unwrap();
        // 20 of 30 days × 3 licenses × 100 a day.
        assert_eq!(
            (line.kind, line.amount.amount()),
            (LineKind::ProratedIncrease, 6000)
        );
    }

    #[test]
    fn a_decrease_always_waits_and_no_change_bills_nothing() {
        for behavior in ProrationBehavior::ALL {
            let Settlement::NextInvoice(credit) = change(5, 2).settle(behavior) else {
                panic!("a decrease credit waits for the next invoice");
            };
            assert_eq!(credit.amount.amount(), -6000);
            assert_eq!(change(5, 5).settle(behavior), Settlement::Nothing);
        }
    }
}
