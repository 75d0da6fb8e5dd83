//! A billing account, a card and a billing profile for each purchaser.

use chrono::{Datelike, Duration, NaiveDateTime};
use domain::billing::ProrationBehavior;
use domain::invoice_language::InvoiceLanguage;
use domain::{BillingAccountId, BillingProfileId, OrganizationId, PaymentMethodId, UserId};
use persistence::rows::{BillingAccountRow, BillingProfileRow, PaymentMethodRow};

pub fn rows(
    org: OrganizationId,
    purchasers: &[UserId],
    now: NaiveDateTime,
) -> (
    Vec<BillingAccountRow>,
    Vec<PaymentMethodRow>,
    Vec<BillingProfileRow>,
) {
    let today = now.date();
    let mut accounts = Vec::new();
    let mut cards = Vec::new();
    let mut profiles = Vec::new();
    for (i, owner) in purchasers.iter().enumerate() {
        let created = now - Duration::days(399);
        let account = BillingAccountRow {
            id: BillingAccountId::new_random(),
            organization_id: org,
            owner_id: *owner,
            name: format!("Billing account {i}"),
            created_at: created,
        };
        let card = PaymentMethodRow {
            id: PaymentMethodId::new_random(),
            organization_id: org,
            owner_id: *owner,
            brand: "visa".into(),
            last4: "4242".into(),
            exp_month: 12,
            exp_year: today.year() + 3,
            holder_name: format!("Holder {i}"),
            address_line1: "1 Bench Street".into(),
            address_line2: None,
            address_city: "Springfield".into(),
            address_postal_code: "12345".into(),
            address_region: None,
            address_country: "US".into(),
            fingerprint: format!("bench-{i:016x}"),
            cvc_check: "pass".into(),
            created_at: created,
            updated_at: created,
            deleted_at: None,
        };
        let profile = BillingProfileRow {
            id: BillingProfileId::new_random(),
            organization_id: org,
            billing_account_id: account.id,
            owner_id: *owner,
            name: format!("Profile {i}"),
            bill_to_line1: "1 Bench Street".into(),
            bill_to_line2: None,
            bill_to_city: "Springfield".into(),
            bill_to_postal_code: "12345".into(),
            bill_to_region: None,
            bill_to_country: "US".into(),
            invoice_email: format!("billing{i}@bench.example.com"),
            po_number: None,
            payment_method_id: Some(card.id),
            created_at: created,
            updated_at: created,
            invoice_language: InvoiceLanguage::En,
            tax_id: None,
            proration_behavior: ProrationBehavior::InvoiceNow,
        };
        accounts.push(account);
        cards.push(card);
        profiles.push(profile);
    }
    (accounts, cards, profiles)
}
