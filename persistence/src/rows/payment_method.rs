use crate::schema::payment_methods;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A stored card: brand, last four, expiry, holder, address, keyed fingerprint.
/// There is no column for the number or the security code.
#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = payment_methods)]
pub struct PaymentMethodRow {
    pub id: String,
    pub organization_id: String,
    pub owner_id: String,
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
