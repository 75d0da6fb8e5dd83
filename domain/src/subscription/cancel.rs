//! What a paid subscription gets back when it is canceled.
//!
//! # Rule
//!
//! Cancellation is effective on `today`, and the credit covers the days of
//! the current period from `today` (inclusive) to its end, prorated with the
//! one rounding rule: `prorate(unit, −licenses, remaining_days(today),
//! period_days)`. The customer has then paid for exactly the license-days
//! they held.
//!
//! Inside the refund window — `today < purchased_on + 7 days`, i.e. days 0–6
//! after the purchase (or trial conversion) — everything paid for the current
//! period comes back instead (PRODUCT.md §2.6). [`cancellation_credit`] returns
//! that as `−unit × licenses`, which is what the purchase charged. When the
//! count changed inside the window that is no longer what was paid, so the
//! caller uses [`full_refund`] with the period's actual net charge.
//!
//! Trials carry no money and get no credit.

use super::{licenses_label, span_label};
use crate::billing::{prorate, BillingPeriod};
use crate::invoice::{InvoiceLine, LineKind};
use crate::license::LicenseCount;
use crate::money::{Money, MoneyError};
use chrono::NaiveDate;

/// Days after a purchase during which a cancellation is refunded in full.
pub const REFUND_WINDOW_DAYS: i64 = 7;

/// Is `today` within the full-refund window of a purchase made on
/// `purchased_on`? Day 6 after the purchase is; day 7 is not.
pub fn in_refund_window(purchased_on: NaiveDate, today: NaiveDate) -> bool {
    (today - purchased_on).num_days() < REFUND_WINDOW_DAYS
}

/// The credit line for canceling a paid subscription of `licenses` on
/// `today` (see the module documentation for the rule).
///
/// In the refund window this refunds `unit_price × licenses` for the whole
/// period — exact only if the count has not changed since the purchase; see
/// [`full_refund`] otherwise.
pub fn cancellation_credit(
    licenses: LicenseCount,
    unit_price: Money,
    period: &BillingPeriod,
    purchased_on: NaiveDate,
    today: NaiveDate,
) -> Result<InvoiceLine, MoneyError> {
    let quantity = -i64::from(licenses.get());
    if in_refund_window(purchased_on, today) {
        return Ok(InvoiceLine {
            kind: LineKind::CancellationCredit,
            description: format!(
                "Canceled within {REFUND_WINDOW_DAYS} days of purchase: full refund of {}, {}",
                licenses_label(quantity),
                span_label(period.start(), period.end()),
            ),
            quantity,
            unit_amount: unit_price,
            amount: unit_price.checked_mul(quantity)?,
            period_start: period.start(),
            period_end: period.end(),
        });
    }
    let days = period.remaining_days(today);
    let period_start = today.clamp(period.start(), period.end());
    Ok(InvoiceLine {
        kind: LineKind::CancellationCredit,
        description: format!(
            "Canceled: unused time on {}, prorated {days} of {} days {}",
            licenses_label(quantity),
            period.days(),
            span_label(period_start, period.end()),
        ),
        quantity,
        unit_amount: unit_price,
        amount: prorate(unit_price, quantity, days, period.days())?,
        period_start,
        period_end: period.end(),
    })
}

/// A refund, in the window, of everything charged for `period`.
///
/// `charged_in_period` is the sum of the amounts of every line this
/// subscription has for `period` — the purchase, prorated increases, and
/// decrease credits, including credits still waiting for the next invoice.
/// When those waiting credits go onto the same cancellation invoice, that
/// invoice's lines sum to exactly minus what was paid. The line has quantity
/// −1 and the charge as unit amount, so `amount = unit_amount × quantity`
/// still holds.
pub fn full_refund(
    charged_in_period: Money,
    period: &BillingPeriod,
) -> Result<InvoiceLine, MoneyError> {
    Ok(InvoiceLine {
        kind: LineKind::CancellationCredit,
        description: format!(
            "Canceled within {REFUND_WINDOW_DAYS} days of purchase: full refund {}",
            span_label(period.start(), period.end()),
        ),
        quantity: -1,
        unit_amount: charged_in_period,
        amount: charged_in_period.checked_mul(-1)?,
        period_start: period.start(),
        period_end: period.end(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::BillingFrequency;
    use crate::money::Currency;
    use chrono::Days;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn usd(amount: i64) -> Money {
        Money::new(amount, Currency::parse("USD").unwrap())
    }

    fn setup() -> (LicenseCount, BillingPeriod, NaiveDate) {
        let bought = d(2024, 4, 1);
        let period = BillingPeriod::first(bought, BillingFrequency::Monthly);
        (LicenseCount::parse(4, 100).unwrap(), period, bought)
    }

    #[test]
    fn day_6_after_purchase_is_a_full_refund() {
        let (licenses, period, bought) = setup();
        let today = bought + Days::new(6);
        let line = cancellation_credit(licenses, usd(3000), &period, bought, today).unwrap();
        assert_eq!(line.kind, LineKind::CancellationCredit);
        assert_eq!((line.quantity, line.amount.amount()), (-4, -12000));
        assert_eq!(
            (line.period_start, line.period_end),
            (period.start(), period.end())
        );
    }

    #[test]
    fn day_7_after_purchase_credits_only_the_unused_days() {
        let (licenses, period, bought) = setup();
        let today = bought + Days::new(7);
        let line = cancellation_credit(licenses, usd(3000), &period, bought, today).unwrap();
        // 23 of 30 days × 4 licenses × 100 a day.
        assert_eq!((line.quantity, line.amount.amount()), (-4, -9200));
        assert_eq!(line.period_start, today);
    }

    #[test]
    fn last_day_credits_one_day_and_after_the_end_nothing() {
        let (licenses, period, _) = setup();
        let bought = d(2024, 1, 1);
        let line =
            cancellation_credit(licenses, usd(3000), &period, bought, d(2024, 4, 30)).unwrap();
        assert_eq!(line.amount.amount(), -400);
        let line =
            cancellation_credit(licenses, usd(3000), &period, bought, d(2024, 5, 3)).unwrap();
        assert_eq!(line.amount.amount(), 0);
    }

    #[test]
    fn the_window_is_counted_from_the_purchase_not_the_period() {
        let bought = d(2024, 1, 10);
        assert!(in_refund_window(bought, d(2024, 1, 10)));
        assert!(in_refund_window(bought, d(2024, 1, 16)));
        assert!(!in_refund_window(bought, d(2024, 1, 17)));
    }

    #[test]
    fn full_refund_returns_the_net_charge() {
        let (_, period, _) = setup();
        let line = full_refund(usd(12345), &period).unwrap();
        assert_eq!((line.quantity, line.amount.amount()), (-1, -12345));
        assert_eq!(
            full_refund(usd(i64::MIN), &period),
            Err(MoneyError::Overflow)
        );
    }
}
