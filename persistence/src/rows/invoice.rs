use super::Nullable;
use crate::schema::{invoice_lines, invoices, pending_credits};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use domain::invoice::InvoiceStatus;
use domain::invoice::LineKind;
use domain::{
    BillingProfileId, InvoiceId, OrganizationId, PendingCreditId, SubscriptionId, UserId,
};

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = invoices)]
pub struct InvoiceRow {
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub id: InvoiceId,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub organization_id: OrganizationId,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub owner_id: UserId,
    pub number: i64,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub billing_profile_id: BillingProfileId,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub subscription_id: SubscriptionId,
    pub reason: String,
    pub issued_at: NaiveDateTime,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub status: InvoiceStatus,
    pub currency: String,
    pub subtotal: i64,
    pub tax: i64,
    pub total: i64,
    /// JSON snapshot of the billing profile's bill-to when issued.
    pub bill_to: String,
    pub renewal_key: Option<String>,
}

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = invoice_lines)]
pub struct InvoiceLineRow {
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub invoice_id: InvoiceId,
    pub position: i32,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub kind: LineKind,
    pub description: String,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub subscription_id: SubscriptionId,
    pub quantity: i64,
    pub unit_amount: i64,
    pub amount: i64,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
}

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = pending_credits)]
pub struct PendingCreditRow {
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub id: PendingCreditId,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub subscription_id: SubscriptionId,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub kind: LineKind,
    pub description: String,
    pub quantity: i64,
    pub unit_amount: i64,
    pub amount: i64,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = Nullable<InvoiceId>, serialize_as = Nullable<InvoiceId>)]
    pub invoice_id: Option<InvoiceId>,
}
