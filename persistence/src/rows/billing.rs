use super::Nullable;
use crate::schema::{billing_accounts, billing_profiles};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use domain::billing::ProrationBehavior;
use domain::invoice_language::InvoiceLanguage;
use domain::{BillingAccountId, BillingProfileId, OrganizationId, PaymentMethodId, UserId};

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = billing_accounts)]
pub struct BillingAccountRow {
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub id: BillingAccountId,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub organization_id: OrganizationId,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub owner_id: UserId,
    pub name: String,
    pub created_at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = billing_profiles)]
pub struct BillingProfileRow {
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub id: BillingProfileId,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub organization_id: OrganizationId,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub billing_account_id: BillingAccountId,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub owner_id: UserId,
    pub name: String,
    pub bill_to_line1: String,
    pub bill_to_line2: Option<String>,
    pub bill_to_city: String,
    pub bill_to_postal_code: String,
    pub bill_to_region: Option<String>,
    pub bill_to_country: String,
    pub invoice_email: String,
    pub po_number: Option<String>,
    #[diesel(deserialize_as = Nullable<PaymentMethodId>, serialize_as = Nullable<PaymentMethodId>)]
    pub payment_method_id: Option<PaymentMethodId>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// `en` or `pl`: the language of this profile's invoice documents.
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub invoice_language: InvoiceLanguage,
    pub tax_id: Option<String>,
    /// `invoice_now` or `next_invoice`: when license increases are charged.
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub proration_behavior: ProrationBehavior,
}

/// The editable part of a profile (everything a PATCH may change).
#[derive(AsChangeset, Debug, Clone)]
#[diesel(table_name = billing_profiles, treat_none_as_null = true)]
pub struct BillingProfileChangeset {
    pub name: String,
    pub bill_to_line1: String,
    pub bill_to_line2: Option<String>,
    pub bill_to_city: String,
    pub bill_to_postal_code: String,
    pub bill_to_region: Option<String>,
    pub bill_to_country: String,
    pub invoice_email: String,
    pub po_number: Option<String>,
    #[diesel(serialize_as = Nullable<PaymentMethodId>)]
    pub payment_method_id: Option<PaymentMethodId>,
    pub updated_at: NaiveDateTime,
    #[diesel(serialize_as = String)]
    pub invoice_language: InvoiceLanguage,
    pub tax_id: Option<String>,
    #[diesel(serialize_as = String)]
    pub proration_behavior: ProrationBehavior,
}

impl From<&BillingProfileRow> for BillingProfileChangeset {
    fn from(r: &BillingProfileRow) -> Self {
        Self {
            name: r.name.clone(),
            bill_to_line1: r.bill_to_line1.clone(),
            bill_to_line2: r.bill_to_line2.clone(),
            bill_to_city: r.bill_to_city.clone(),
            bill_to_postal_code: r.bill_to_postal_code.clone(),
            bill_to_region: r.bill_to_region.clone(),
            bill_to_country: r.bill_to_country.clone(),
            invoice_email: r.invoice_email.clone(),
            po_number: r.po_number.clone(),
            payment_method_id: r.payment_method_id,
            updated_at: r.updated_at,
            invoice_language: r.invoice_language,
            tax_id: r.tax_id.clone(),
            proration_behavior: r.proration_behavior,
        }
    }
}
