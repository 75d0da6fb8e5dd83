use crate::schema::{invoice_lines, invoices, pending_credits};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = invoices)]
pub struct InvoiceRow {
    pub id: String,
    pub organization_id: String,
    pub owner_id: String,
    pub number: i64,
    pub billing_profile_id: String,
    pub subscription_id: String,
    pub reason: String,
    pub issued_at: NaiveDateTime,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub status: String,
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
    pub invoice_id: String,
    pub position: i32,
    pub kind: String,
    pub description: String,
    pub subscription_id: String,
    pub quantity: i64,
    pub unit_amount: i64,
    pub amount: i64,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
}

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = pending_credits)]
pub struct PendingCreditRow {
    pub id: String,
    pub subscription_id: String,
    pub kind: String,
    pub description: String,
    pub quantity: i64,
    pub unit_amount: i64,
    pub amount: i64,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub created_at: NaiveDateTime,
    pub invoice_id: Option<String>,
}
