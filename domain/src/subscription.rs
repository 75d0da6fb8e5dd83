//! Subscription decisions: what to persist and what to invoice when a member
//! buys, tries, converts, changes the license count, cancels or renews.
//!
//! Every decision is a pure function of its arguments (`today` included):
//! the use case loads the subscription, asks here, and stores the answer in
//! one transaction. Money is only ever computed by
//! [`prorate`](crate::billing::prorate) or exact multiplication, so the one
//! rounding rule of [`crate::billing::proration`] is the only rounding.
//!
//! Trials carry no money: their count changes through
//! [`change_trial_count`], never through [`change_count`], and canceling a
//! trial produces no credit.

mod cancel;
mod count;
mod grow;
pub mod lifecycle;
mod plans;
mod quote;
mod settle;
mod source;
mod status;

#[cfg(test)]
mod ledger_props;

pub use cancel::{cancellation_credit, full_refund, in_refund_window, REFUND_WINDOW_DAYS};
pub use count::{change_count, change_trial_count, CountChange, CountChangeError, TrialCountError};
pub use grow::{grow_to_fit, Ceiling, Growth, GrowthError};
pub use plans::{
    convert_trial, purchase, reactivation, renewal, start_trial, trial_expired, PurchasePlan,
    TrialError, TrialPlan,
};
pub use quote::{
    InvalidQuote, Quote, QuoteError, QuoteMismatch, QuoteTerms, QUOTE_VALIDITY_MINUTES,
};
pub use settle::Settlement;
pub use source::{InvalidSubscriptionSource, SubscriptionSource};
pub use status::{
    CancelReason, Feedback, FeedbackError, InvalidCancelReason, InvalidSubscriptionStatus,
    SubscriptionStatus,
};

use crate::billing::BillingPeriod;
use crate::invoice::{InvoiceLine, LineKind};
use crate::license::LicenseCount;
use crate::money::{Money, MoneyError};
use chrono::NaiveDate;

/// A line charging `licenses` for the whole of `period`: exact, no rounding.
fn full_period_line(
    kind: LineKind,
    description: String,
    licenses: LicenseCount,
    unit_price: Money,
    period: &BillingPeriod,
) -> Result<InvoiceLine, MoneyError> {
    let quantity = i64::from(licenses.get());
    Ok(InvoiceLine {
        kind,
        description,
        quantity,
        unit_amount: unit_price,
        amount: unit_price.checked_mul(quantity)?,
        period_start: period.start(),
        period_end: period.end(),
    })
}

/// "3 licenses" / "1 license": descriptions end up on PDFs people read.
fn licenses_label(quantity: i64) -> String {
    let n = quantity.unsigned_abs();
    if n == 1 {
        "1 license".to_owned()
    } else {
        format!("{n} licenses")
    }
}

/// Dates as printed in line descriptions; `until` is the exclusive end.
fn span_label(start: NaiveDate, until: NaiveDate) -> String {
    format!("from {start} until {until}")
}
