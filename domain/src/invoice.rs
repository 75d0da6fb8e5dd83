//! Invoice lines, totals and status.

use crate::billing::proration::div_round_half_away_from_zero;
use crate::money::{Currency, Money, MoneyError};
use chrono::NaiveDate;
use std::fmt;
use std::str::FromStr;
use thiserror::Error;

/// Why a line is on an invoice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LineKind {
    Purchase,
    Renewal,
    ProratedIncrease,
    ProratedDecreaseCredit,
    CancellationCredit,
    TrialConversion,
}

impl LineKind {
    pub const ALL: [LineKind; 6] = [
        LineKind::Purchase,
        LineKind::Renewal,
        LineKind::ProratedIncrease,
        LineKind::ProratedDecreaseCredit,
        LineKind::CancellationCredit,
        LineKind::TrialConversion,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            LineKind::Purchase => "purchase",
            LineKind::Renewal => "renewal",
            LineKind::ProratedIncrease => "prorated_increase",
            LineKind::ProratedDecreaseCredit => "prorated_decrease_credit",
            LineKind::CancellationCredit => "cancellation_credit",
            LineKind::TrialConversion => "trial_conversion",
        }
    }

    /// Credit kinds carry a negative quantity and amount.
    pub fn is_credit(&self) -> bool {
        matches!(
            self,
            LineKind::ProratedDecreaseCredit | LineKind::CancellationCredit
        )
    }
}

impl fmt::Display for LineKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Error, PartialEq, Eq)]
#[error("unknown invoice line kind {0:?}")]
pub struct InvalidLineKind(pub String);

impl FromStr for LineKind {
    type Err = InvalidLineKind;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        LineKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == s)
            .ok_or_else(|| InvalidLineKind(s.to_owned()))
    }
}

/// One line of an invoice.
///
/// `unit_amount` is always the price of one license for a *whole* period and
/// `amount` applies the proration rule
/// (`amount = prorate(unit_amount, quantity, days, period_days)`), so a
/// reader can check every line. Credits have a negative `quantity` and hence
/// a negative `amount`. `period_end` is exclusive, like
/// [`BillingPeriod::end`](crate::billing::BillingPeriod::end).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvoiceLine {
    pub kind: LineKind,
    pub description: String,
    pub quantity: i64,
    pub unit_amount: Money,
    pub amount: Money,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvoiceTotals {
    pub subtotal: Money,
    pub tax: Money,
    pub total: Money,
}

/// Basis points in one whole (100 % = 10 000 bps).
const BPS_PER_UNIT: i128 = 10_000;

/// Subtotal, tax and total of an invoice.
///
/// Tax is computed once on the subtotal, not per line, with the same rounding
/// as proration: `tax = round_half_away_from_zero(subtotal × bps / 10 000)`.
/// A credit invoice (negative subtotal) therefore carries negative tax, which
/// returns the tax charged on what it credits. Every line's `amount` and
/// `unit_amount` must be in `currency`.
pub fn totals(
    lines: &[InvoiceLine],
    currency: Currency,
    tax_rate_bps: u32,
) -> Result<InvoiceTotals, MoneyError> {
    let mut subtotal = Money::zero(currency);
    for line in lines {
        let unit_currency = line.unit_amount.currency();
        if unit_currency != currency {
            return Err(MoneyError::CurrencyMismatch(currency, unit_currency));
        }
        subtotal = subtotal.checked_add(line.amount)?;
    }
    let tax = tax_on(subtotal, tax_rate_bps)?;
    let total = subtotal.checked_add(tax)?;
    Ok(InvoiceTotals {
        subtotal,
        tax,
        total,
    })
}

/// The tax on `amount`: `round_half_away_from_zero(amount × bps / 10 000)`,
/// as an invoice computes it on its subtotal.
pub fn tax_on(amount: Money, tax_rate_bps: u32) -> Result<Money, MoneyError> {
    div_round_half_away_from_zero(
        i128::from(amount.amount()) * i128::from(tax_rate_bps),
        BPS_PER_UNIT,
    )
    .and_then(|tax| i64::try_from(tax).ok())
    .map(|tax| Money::new(tax, amount.currency()))
    .ok_or(MoneyError::Overflow)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum InvoiceStatus {
    /// Issued and awaiting payment. Not produced today (see [`status_for`]);
    /// kept for invoices paid later, e.g. by bank transfer.
    Due,
    Paid,
    /// A net credit to the customer (negative total).
    Credited,
}

impl InvoiceStatus {
    pub const ALL: [InvoiceStatus; 3] = [
        InvoiceStatus::Due,
        InvoiceStatus::Paid,
        InvoiceStatus::Credited,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            InvoiceStatus::Due => "due",
            InvoiceStatus::Paid => "paid",
            InvoiceStatus::Credited => "credited",
        }
    }
}

impl fmt::Display for InvoiceStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Error, PartialEq, Eq)]
#[error("invoice status must be `due`, `paid` or `credited`, got {0:?}")]
pub struct InvalidInvoiceStatus(pub String);

impl FromStr for InvoiceStatus {
    type Err = InvalidInvoiceStatus;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        InvoiceStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == s)
            .ok_or_else(|| InvalidInvoiceStatus(s.to_owned()))
    }
}

/// The status an invoice is issued with.
///
/// In this product every charge is taken from the subscription's payment
/// method when the invoice is issued, so a positive total is `Paid` at once;
/// a zero total has nothing to collect and is `Paid` too; a negative total is
/// returned to the customer and is `Credited`. `Due` stays in the model for a
/// later payment flow that collects after issue.
pub fn status_for(total: &Money) -> InvoiceStatus {
    if total.amount() < 0 {
        InvoiceStatus::Credited
    } else {
        InvoiceStatus::Paid
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn usd() -> Currency {
        Currency::parse("USD").unwrap()
    }

    fn line(amount: i64, currency: Currency) -> InvoiceLine {
        let day = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        InvoiceLine {
            kind: if amount < 0 {
                LineKind::CancellationCredit
            } else {
                LineKind::Purchase
            },
            description: "test".to_owned(),
            quantity: amount.signum(),
            unit_amount: Money::new(amount.abs(), currency),
            amount: Money::new(amount, currency),
            period_start: day,
            period_end: day,
        }
    }

    #[test]
    fn names_round_trip() {
        for kind in LineKind::ALL {
            assert_eq!(kind.as_str().parse::<LineKind>(), Ok(kind));
        }
        for status in InvoiceStatus::ALL {
            assert_eq!(status.as_str().parse::<InvoiceStatus>(), Ok(status));
        }
        assert!("Purchase".parse::<LineKind>().is_err());
        assert!("refunded".parse::<InvoiceStatus>().is_err());
    }

    #[test]
    fn tax_is_rounded_once_on_the_subtotal_half_away_from_zero() {
        // 1250 + 1250 = 2500 at 8.25 % = 206.25 → 206.
        let t = totals(&[line(1250, usd()), line(1250, usd())], usd(), 825).unwrap();
        assert_eq!(
            (t.subtotal.amount(), t.tax.amount(), t.total.amount()),
            (2500, 206, 2706)
        );
        // 10 at 5 % = 0.5 → 1; a credit of 10 → −1.
        assert_eq!(
            totals(&[line(10, usd())], usd(), 500).unwrap().tax.amount(),
            1
        );
        let credit = totals(&[line(-10, usd())], usd(), 500).unwrap();
        assert_eq!((credit.tax.amount(), credit.total.amount()), (-1, -11));
        assert_eq!(status_for(&credit.total), InvoiceStatus::Credited);
    }

    #[test]
    fn empty_and_zero_invoices_are_paid() {
        let t = totals(&[], usd(), 2000).unwrap();
        assert_eq!(t.total, Money::zero(usd()));
        assert_eq!(status_for(&t.total), InvoiceStatus::Paid);
        assert_eq!(status_for(&Money::new(1, usd())), InvoiceStatus::Paid);
    }

    #[test]
    fn a_line_in_another_currency_is_refused() {
        let eur = Currency::parse("EUR").unwrap();
        assert_eq!(
            totals(&[line(1, usd()), line(1, eur)], usd(), 0),
            Err(MoneyError::CurrencyMismatch(usd(), eur))
        );
        let mut odd = line(1, usd());
        odd.unit_amount = Money::new(1, eur);
        assert_eq!(
            totals(&[odd], usd(), 0),
            Err(MoneyError::CurrencyMismatch(usd(), eur))
        );
    }

    #[test]
    fn overflow_is_an_error() {
        let big = [line(i64::MAX, usd()), line(1, usd())];
        assert_eq!(totals(&big, usd(), 0), Err(MoneyError::Overflow));
        assert_eq!(
            totals(&[line(i64::MAX, usd())], usd(), 10_000),
            Err(MoneyError::Overflow)
        );
    }

    proptest! {
        #[test]
        fn subtotal_sums_lines_and_total_adds_tax(
            amounts in prop::collection::vec(-10_000_000i64..10_000_000, 0..20),
            bps in 0u32..=5_000,
        ) {
            let lines: Vec<_> = amounts.iter().map(|&a| line(a, usd())).collect();
            let t = totals(&lines, usd(), bps).unwrap();
            let sum: i64 = amounts.iter().sum();
            prop_assert_eq!(t.subtotal.amount(), sum);
            prop_assert_eq!(t.total.amount(), t.subtotal.amount() + t.tax.amount());
            // |tax − subtotal × rate| ≤ ½ minor unit, and tax has the subtotal's sign.
            let exact = i128::from(sum) * i128::from(bps);
            prop_assert!(2 * (i128::from(t.tax.amount()) * 10_000 - exact).abs() <= 10_000);
            prop_assert!(t.tax.amount() * sum.signum() >= 0);
        }
    }
}
