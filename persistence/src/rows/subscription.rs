use super::Nullable;
use crate::schema::{license_assignments, subscriptions};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use domain::assignment::AssignmentState;
use domain::subscription::SubscriptionStatus;
use domain::{
    BillingProfileId, OrganizationId, PaymentMethodId, ProductId, SubscriptionId, UserId,
};

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = subscriptions)]
pub struct SubscriptionRow {
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub id: SubscriptionId,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub organization_id: OrganizationId,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub purchaser_id: UserId,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub product_id: ProductId,
    pub source: String,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub status: SubscriptionStatus,
    pub license_count: i64,
    pub assigned_count: i64,
    pub currency: String,
    pub billing_frequency: Option<String>,
    pub unit_price: Option<i64>,
    pub current_period_start: Option<NaiveDate>,
    pub current_period_end: Option<NaiveDate>,
    pub period_anchor_day: Option<i32>,
    pub trial_ends_on: Option<NaiveDate>,
    pub purchased_on: Option<NaiveDate>,
    pub auto_renew: bool,
    #[diesel(deserialize_as = Nullable<BillingProfileId>, serialize_as = Nullable<BillingProfileId>)]
    pub billing_profile_id: Option<BillingProfileId>,
    #[diesel(deserialize_as = Nullable<PaymentMethodId>, serialize_as = Nullable<PaymentMethodId>)]
    pub payment_method_id: Option<PaymentMethodId>,
    pub cancel_reason: Option<String>,
    pub cancel_feedback: Option<String>,
    pub canceled_at: Option<NaiveDateTime>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Canceled at period end: the day the cancellation takes effect.
    pub cancel_at: Option<NaiveDate>,
    /// The seat-use threshold last announced (0, 80 or 100; `domain::seats`).
    pub seat_threshold: i32,
}

/// A partial update: `None` leaves a column as it is.
#[derive(AsChangeset, Debug, Clone, Default)]
#[diesel(table_name = subscriptions)]
pub struct SubscriptionChanges {
    pub status: Option<String>,
    pub license_count: Option<i64>,
    pub billing_frequency: Option<Option<String>>,
    pub unit_price: Option<Option<i64>>,
    pub current_period_start: Option<Option<NaiveDate>>,
    pub current_period_end: Option<Option<NaiveDate>>,
    pub period_anchor_day: Option<Option<i32>>,
    pub trial_ends_on: Option<Option<NaiveDate>>,
    pub purchased_on: Option<Option<NaiveDate>>,
    pub auto_renew: Option<bool>,
    pub billing_profile_id: Option<Option<String>>,
    pub payment_method_id: Option<Option<String>>,
    pub cancel_reason: Option<Option<String>>,
    pub cancel_feedback: Option<Option<String>>,
    pub canceled_at: Option<Option<NaiveDateTime>>,
    pub cancel_at: Option<Option<NaiveDate>>,
    pub updated_at: Option<NaiveDateTime>,
}

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = license_assignments)]
pub struct AssignmentRow {
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub subscription_id: SubscriptionId,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub user_id: UserId,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub organization_id: OrganizationId,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub assigned_by: UserId,
    pub assigned_at: NaiveDateTime,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub state: AssignmentState,
}
