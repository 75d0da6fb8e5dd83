//! Starting a subscription (purchase, trial, conversion) and renewing it.

use super::{full_period_line, licenses_label, span_label};
use crate::billing::BillingPeriod;
use crate::catalog::{BillingFrequency, Product};
use crate::invoice::{InvoiceLine, LineKind};
use crate::license::{LicenseCount, LicenseCountError};
use crate::money::{Money, MoneyError};
use chrono::{Days, NaiveDate};
use thiserror::Error;

/// What a purchase or conversion creates: the first paid period, the unit
/// price fixed for it, and the line of its first invoice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PurchasePlan {
    pub period: BillingPeriod,
    pub unit_price: Money,
    pub line: InvoiceLine,
}

/// Buy `licenses` of `product`, billed every `frequency`, starting `today`.
///
/// `licenses` must have been parsed against `product.max_licenses()`; the
/// whole first period is charged at once.
pub fn purchase(
    product: &Product,
    licenses: LicenseCount,
    frequency: BillingFrequency,
    today: NaiveDate,
) -> Result<PurchasePlan, MoneyError> {
    first_paid_period(product, licenses, frequency, today, LineKind::Purchase)
}

/// Convert a trial to paid on `today`.
///
/// The first paid period starts on the conversion day rather than at the end
/// of the trial: the customer chose to pay now, and the unused trial days are
/// simply forgone (as in Microsoft 365), which keeps one period per charge.
pub fn convert_trial(
    product: &Product,
    licenses: LicenseCount,
    frequency: BillingFrequency,
    today: NaiveDate,
) -> Result<PurchasePlan, MoneyError> {
    first_paid_period(
        product,
        licenses,
        frequency,
        today,
        LineKind::TrialConversion,
    )
}

/// Reactivate an expired or disabled subscription on `today` (PRODUCT.md
/// §8): like a purchase, a new period from today charged whole at the
/// product's current price.
pub fn reactivation(
    product: &Product,
    licenses: LicenseCount,
    frequency: BillingFrequency,
    today: NaiveDate,
) -> Result<PurchasePlan, MoneyError> {
    let mut plan = first_paid_period(product, licenses, frequency, today, LineKind::Purchase)?;
    plan.line.description = format!("Reactivated: {}", plan.line.description);
    Ok(plan)
}

fn first_paid_period(
    product: &Product,
    licenses: LicenseCount,
    frequency: BillingFrequency,
    today: NaiveDate,
    kind: LineKind,
) -> Result<PurchasePlan, MoneyError> {
    let period = BillingPeriod::first(today, frequency);
    let unit_price = product.unit_price(frequency);
    let description = format!(
        "{}: {}, {frequency}, {}",
        product.name(),
        licenses_label(i64::from(licenses.get())),
        span_label(period.start(), period.end()),
    );
    let line = full_period_line(kind, description, licenses, unit_price, &period)?;
    Ok(PurchasePlan {
        period,
        unit_price,
        line,
    })
}

/// What a trial creates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrialPlan {
    pub licenses: LicenseCount,
    /// The first day the trial no longer covers (see [`trial_expired`]).
    pub ends_on: NaiveDate,
}

#[derive(Clone, Copy, Debug, Error, PartialEq, Eq)]
pub enum TrialError {
    #[error("this product offers no free trial")]
    NoTrialOffered,
    #[error("a trial is limited to {max} licenses")]
    TooManyLicenses { max: u32 },
    #[error("a trial needs at least 1 license")]
    TooFewLicenses,
}

/// Start a free trial of `product` on `today` for `licenses` licenses (as the
/// client sent them, checked here against the trial's own maximum).
pub fn start_trial(
    product: &Product,
    licenses: i64,
    today: NaiveDate,
) -> Result<TrialPlan, TrialError> {
    let offer = product.trial().ok_or(TrialError::NoTrialOffered)?;
    let licenses = LicenseCount::parse(licenses, offer.max_licenses).map_err(|e| match e {
        LicenseCountError::TooFew => TrialError::TooFewLicenses,
        LicenseCountError::TooMany { max } => TrialError::TooManyLicenses { max },
    })?;
    // Only a date within a few days of chrono's last year has no successor;
    // saturating keeps this total.
    let ends_on = today
        .checked_add_days(Days::new(u64::from(offer.days)))
        .unwrap_or(NaiveDate::MAX);
    Ok(TrialPlan { licenses, ends_on })
}

/// A trial ending on `trial_ends_on` is over from that day on: a 30-day trial
/// started on the 1st covers the 1st to the 30th and expires on the 31st.
pub fn trial_expired(trial_ends_on: NaiveDate, today: NaiveDate) -> bool {
    today >= trial_ends_on
}

/// The period after `period` and the line charging it in full.
///
/// The caller decides *whether* to renew (auto-renew on, status active,
/// `today >= period.end()`); renewing a period whose successor is already
/// stored is what makes a billing run idempotent, so it must check that too.
pub fn renewal(
    licenses: LicenseCount,
    unit_price: Money,
    period: &BillingPeriod,
    frequency: BillingFrequency,
) -> Result<(BillingPeriod, InvoiceLine), MoneyError> {
    let next = period.next(frequency);
    let description = format!(
        "Renewal: {}, {frequency}, {}",
        licenses_label(i64::from(licenses.get())),
        span_label(next.start(), next.end()),
    );
    let line = full_period_line(LineKind::Renewal, description, licenses, unit_price, &next)?;
    Ok((next, line))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Catalog, ProductDraft};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn product(trial: bool) -> Product {
        let draft = ProductDraft {
            id: "7f1c1f7e-8a4f-4c55-9e1e-0d7c1b5f1a01".to_owned(),
            name: "Contoso CRM".to_owned(),
            description: String::new(),
            currency: "USD".to_owned(),
            monthly_price: 1250,
            annual_price: 12000,
            max_licenses: 300,
            trial_days: trial.then_some(30),
            trial_max_licenses: trial.then_some(25),
        };
        Catalog::from_drafts(vec![draft]).unwrap().products()[0].clone()
    }

    fn count(n: i64) -> LicenseCount {
        LicenseCount::parse(n, 300).unwrap()
    }

    #[test]
    fn a_purchase_charges_the_whole_first_period() {
        let plan = purchase(
            &product(true),
            count(3),
            BillingFrequency::Annual,
            d(2024, 2, 29),
        )
        .unwrap();
        assert_eq!(plan.period.start(), d(2024, 2, 29));
        assert_eq!(plan.period.end(), d(2025, 2, 28));
        assert_eq!(plan.unit_price.amount(), 12000);
        assert_eq!(plan.line.kind, LineKind::Purchase);
        assert_eq!(plan.line.quantity, 3);
        assert_eq!(plan.line.amount.amount(), 36000);
        assert_eq!(
            (plan.line.period_start, plan.line.period_end),
            (d(2024, 2, 29), d(2025, 2, 28))
        );
        assert_eq!(
            plan.line.description,
            "Contoso CRM: 3 licenses, annual, from 2024-02-29 until 2025-02-28"
        );
    }

    #[test]
    fn a_conversion_starts_its_period_on_the_conversion_day() {
        let plan = convert_trial(
            &product(true),
            count(1),
            BillingFrequency::Monthly,
            d(2024, 3, 10),
        )
        .unwrap();
        assert_eq!(plan.line.kind, LineKind::TrialConversion);
        assert_eq!(plan.period.start(), d(2024, 3, 10));
        assert_eq!(plan.line.amount.amount(), 1250);
    }

    #[test]
    fn trial_license_bounds() {
        let p = product(true);
        let today = d(2024, 1, 1);
        assert_eq!(start_trial(&p, 0, today), Err(TrialError::TooFewLicenses));
        assert_eq!(start_trial(&p, 1, today).unwrap().licenses.get(), 1);
        assert_eq!(start_trial(&p, 25, today).unwrap().licenses.get(), 25);
        assert_eq!(
            start_trial(&p, 26, today),
            Err(TrialError::TooManyLicenses { max: 25 })
        );
        assert_eq!(
            start_trial(&product(false), 1, today),
            Err(TrialError::NoTrialOffered)
        );
    }

    #[test]
    fn a_trial_expires_on_its_end_day() {
        let plan = start_trial(&product(true), 5, d(2024, 1, 1)).unwrap();
        assert_eq!(plan.ends_on, d(2024, 1, 31));
        assert!(!trial_expired(plan.ends_on, d(2024, 1, 30)));
        assert!(trial_expired(plan.ends_on, d(2024, 1, 31)));
        assert!(trial_expired(plan.ends_on, d(2024, 2, 1)));
    }

    #[test]
    fn renewal_charges_the_next_period_in_full() {
        let period = BillingPeriod::first(d(2024, 1, 31), BillingFrequency::Monthly);
        let unit = product(true).unit_price(BillingFrequency::Monthly);
        let (next, line) = renewal(count(4), unit, &period, BillingFrequency::Monthly).unwrap();
        assert_eq!((next.start(), next.end()), (d(2024, 2, 29), d(2024, 3, 31)));
        assert_eq!(line.kind, LineKind::Renewal);
        assert_eq!((line.quantity, line.amount.amount()), (4, 5000));
        assert_eq!(
            (line.period_start, line.period_end),
            (next.start(), next.end())
        );
    }

    #[test]
    fn an_overflowing_charge_is_an_error() {
        let period = BillingPeriod::first(d(2024, 1, 1), BillingFrequency::Monthly);
        let unit = Money::new(i64::MAX, product(true).currency());
        assert_eq!(
            renewal(count(2), unit, &period, BillingFrequency::Monthly),
            Err(MoneyError::Overflow)
        );
    }
}
