use crate::schema::quotes;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use domain::{OrganizationId, QuoteId, SubscriptionId};

/// A binding license-count quote (PRODUCT.md §9), as stored.
#[derive(Queryable, Selectable, Insertable, Debug, Clone, PartialEq, Eq)]
#[diesel(table_name = quotes)]
pub struct QuoteRow {
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub id: QuoteId,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub organization_id: OrganizationId,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub subscription_id: SubscriptionId,
    /// The subscription's version when priced: applying needs it unchanged.
    pub subscription_version: i64,
    pub license_count: i64,
    /// Signed minor units: a charge, or a decrease credit when negative.
    pub amount: i64,
    pub currency: String,
    /// The proration instant.
    pub priced_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}
