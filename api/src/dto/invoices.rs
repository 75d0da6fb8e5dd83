use super::common::MoneyDto;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceLineDto {
    /// `purchase`, `renewal`, `prorated_increase`, `prorated_decrease_credit`, `cancellation_credit` or `trial_conversion`.
    #[schema(example = "prorated_increase")]
    pub kind: String,
    #[schema(example = "Contoso CRM: 5 licenses, 2026-11-23 to 2026-12-01")]
    pub description: String,
    pub subscription_id: Uuid,
    /// Negative on credits.
    pub quantity: i64,
    /// Price of one license for the whole period.
    pub unit_amount: MoneyDto,
    /// `round_half_away_from_zero(unit_amount × quantity × days / period_days)`.
    pub amount: MoneyDto,
    #[serde(serialize_with = "super::time::date")]
    pub period_start: NaiveDate,
    #[serde(serialize_with = "super::time::date")]
    pub period_end: NaiveDate,
}

/// Who was billed, as the billing profile read when the invoice was issued.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BillToDto {
    #[schema(example = "Marketing department")]
    pub name: String,
    pub address: super::address::AddressDto,
    pub invoice_email: String,
    pub po_number: Option<String>,
    /// The buyer's tax number when the invoice was issued.
    #[serde(default)]
    pub tax_id: Option<String>,
    /// The language the invoice document is written in (invoices issued before
    /// profiles had one read as `en`).
    #[serde(default)]
    #[schema(required = true)]
    pub invoice_language: super::billing::InvoiceLanguageDto,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceDto {
    pub id: Uuid,
    /// Sequential per organisation.
    #[schema(example = 42)]
    pub number: i64,
    pub billing_profile_id: Uuid,
    pub bill_to: Option<BillToDto>,
    pub subscription_id: Uuid,
    #[serde(serialize_with = "super::time::utc")]
    pub issued_at: DateTime<Utc>,
    #[serde(serialize_with = "super::time::date")]
    pub issue_date: NaiveDate,
    #[serde(serialize_with = "super::time::date")]
    pub due_date: NaiveDate,
    #[serde(serialize_with = "super::time::date")]
    pub period_start: NaiveDate,
    #[serde(serialize_with = "super::time::date")]
    pub period_end: NaiveDate,
    /// `paid` (charged to the card when issued) or `credited` (a net credit).
    #[schema(example = "paid")]
    pub status: String,
    #[schema(example = "USD")]
    pub currency: String,
    pub lines: Vec<InvoiceLineDto>,
    pub subtotal: MoneyDto,
    pub tax: MoneyDto,
    pub total: MoneyDto,
}

crate::list_response!(InvoiceList, InvoiceDto);

#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PeriodDto {
    #[serde(rename = "last_3_months")]
    Last3Months,
    #[serde(rename = "last_6_months")]
    Last6Months,
    Custom,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InvoiceListQuery {
    /// `last_3_months` (the default) or `last_6_months`, counted back from today in UTC; or `custom` with `from` and `to`.
    #[param(inline)]
    pub period: Option<PeriodDto>,
    /// With `period=custom`: first issue date included (YYYY-MM-DD).
    #[param(format = Date)]
    pub from: Option<String>,
    /// With `period=custom`: last issue date included (YYYY-MM-DD); `from <= to`, at most 24 months apart.
    #[param(format = Date)]
    pub to: Option<String>,
    pub billing_profile_id: Option<Uuid>,
    pub subscription_id: Option<Uuid>,
    /// Page size, 1 to 100.
    #[param(minimum = 1, maximum = 100, default = 25)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

crate::page_fields!(InvoiceListQuery);
