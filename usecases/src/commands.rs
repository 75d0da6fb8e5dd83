//! What callers ask for, in the terms of the domain: the API converts its
//! request bodies into these, and the use cases validate what is left (free
//! text, references to stored records) inside their transactions.

use domain::address::AddressInput;
use domain::billing::ProrationBehavior;
use domain::catalog::BillingFrequency;
use domain::invoice_language::InvoiceLanguage;
use domain::subscription::SubscriptionSource;
use domain::{BillingProfileId, PaymentMethodId, ProductId, UserId};
use std::fmt;

/// `POST /v1/subscriptions`: a purchase, or a trial when `trial` is true.
#[derive(Debug, Clone)]
pub struct NewSubscription {
    /// Self-service, or (admins only) bought for the organisation.
    pub source: SubscriptionSource,
    pub product_id: ProductId,
    pub license_count: i64,
    pub trial: Option<bool>,
    pub billing_frequency: Option<BillingFrequency>,
    pub billing_profile_id: Option<BillingProfileId>,
    pub payment_method_id: Option<PaymentMethodId>,
    /// Members to assign in the same transaction (1–20, at most
    /// `license_count`): bought and assigned, or nothing (PRODUCT.md §9).
    pub assign_user_ids: Option<Vec<UserId>>,
}

/// Converting a trial into a paid subscription.
#[derive(Debug, Clone)]
pub struct Conversion {
    pub billing_profile_id: BillingProfileId,
    pub payment_method_id: PaymentMethodId,
    pub billing_frequency: BillingFrequency,
}

#[derive(Debug, Clone)]
pub struct NewBillingProfile {
    pub name: String,
    pub bill_to: AddressInput,
    pub invoice_email: String,
    pub po_number: Option<String>,
    pub payment_method_id: Option<PaymentMethodId>,
    pub invoice_language: Option<InvoiceLanguage>,
    pub tax_id: Option<String>,
    /// `invoice_now` when left out.
    pub proration_behavior: Option<ProrationBehavior>,
}

/// Only what is `Some` changes; `tax_id: Some(None)` clears the tax id.
#[derive(Debug, Clone, Default)]
pub struct BillingProfileEdit {
    pub name: Option<String>,
    pub bill_to: Option<AddressInput>,
    pub invoice_email: Option<String>,
    pub po_number: Option<String>,
    pub payment_method_id: Option<PaymentMethodId>,
    pub invoice_language: Option<InvoiceLanguage>,
    pub tax_id: Option<Option<String>>,
    pub proration_behavior: Option<ProrationBehavior>,
}

/// A card as typed in: the number and code are used to validate and
/// fingerprint, then dropped; `Debug` never shows them.
pub struct CardFields {
    pub number: String,
    pub exp_month: i64,
    pub exp_year: i64,
    pub cvc: String,
    pub holder_name: String,
}

impl fmt::Debug for CardFields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CardFields")
            .field("number", &"[redacted]")
            .field("exp_month", &self.exp_month)
            .field("exp_year", &self.exp_year)
            .field("cvc", &"[redacted]")
            .field("holder_name", &self.holder_name)
            .finish()
    }
}

#[derive(Debug)]
pub struct NewPaymentMethod {
    pub card: CardFields,
    pub billing_address: AddressInput,
}

/// Only what is `Some` changes; a new code is checked, never stored.
pub struct PaymentMethodEdit {
    pub exp_month: Option<i64>,
    pub exp_year: Option<i64>,
    pub holder_name: Option<String>,
    pub billing_address: Option<AddressInput>,
    pub cvc: Option<String>,
}

impl fmt::Debug for PaymentMethodEdit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PaymentMethodEdit")
            .field("exp_month", &self.exp_month)
            .field("exp_year", &self.exp_year)
            .field("holder_name", &self.holder_name)
            .field("billing_address", &self.billing_address)
            .field("cvc", &self.cvc.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}
