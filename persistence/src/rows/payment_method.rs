use crate::schema::payment_methods;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use domain::{OrganizationId, PaymentMethodId, UserId};

/// A stored card: brand, last four, expiry, holder, address, keyed fingerprint.
/// There is no column for the number or the security code.
#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = payment_methods)]
pub struct PaymentMethodRow {
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub id: PaymentMethodId,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub organization_id: OrganizationId,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub owner_id: UserId,
    pub brand: String,
    pub last4: String,
    pub exp_month: i32,
    pub exp_year: i32,
    pub holder_name: String,
    pub address_line1: String,
    pub address_line2: Option<String>,
    pub address_city: String,
    pub address_postal_code: String,
    pub address_region: Option<String>,
    pub address_country: String,
    pub fingerprint: String,
    pub cvc_check: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub deleted_at: Option<NaiveDateTime>,
}

#[derive(AsChangeset, Debug, Clone)]
#[diesel(table_name = payment_methods, treat_none_as_null = true)]
pub struct PaymentMethodChangeset {
    pub exp_month: i32,
    pub exp_year: i32,
    pub holder_name: String,
    pub address_line1: String,
    pub address_line2: Option<String>,
    pub address_city: String,
    pub address_postal_code: String,
    pub address_region: Option<String>,
    pub address_country: String,
    pub cvc_check: String,
    pub updated_at: NaiveDateTime,
}
