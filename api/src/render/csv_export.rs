//! CSV exports (RFC 4180 via the `csv` crate): money as exact decimals with the currency.

use super::decimal;
use crate::dto::invoices::InvoiceDto;

pub struct SubscriptionCsvRow {
    pub id: String,
    pub product_id: String,
    pub product_name: String,
    pub purchaser_id: String,
    pub purchaser_name: String,
    pub status: String,
    pub license_count: i64,
    pub assigned_count: i64,
    pub billing_frequency: String,
    pub currency: String,
    pub unit_price: Option<i64>,
    pub total_price: Option<i64>,
    pub expires_on: String,
    pub created_at: String,
}

fn finish(writer: csv::Writer<Vec<u8>>) -> Result<Vec<u8>, String> {
    writer.into_inner().map_err(|e| e.to_string())
}

/// One row per invoice line, with the invoice's fields repeated.
pub fn invoices(invoices: &[InvoiceDto]) -> Result<Vec<u8>, String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "invoice_number",
        "invoice_id",
        "issue_date",
        "due_date",
        "period_start",
        "period_end",
        "status",
        "currency",
        "billing_profile_id",
        "subscription_id",
        "line",
        "kind",
        "description",
        "quantity",
        "unit_amount",
        "amount",
        "subtotal",
        "tax",
        "total",
    ])
    .map_err(|e| e.to_string())?;
    for inv in invoices {
        let c = &inv.currency;
        for (i, line) in inv.lines.iter().enumerate() {
            w.write_record([
                inv.number.to_string(),
                inv.id.to_string(),
                inv.issue_date.to_string(),
                inv.due_date.to_string(),
                inv.period_start.to_string(),
                inv.period_end.to_string(),
                inv.status.clone(),
                c.clone(),
                inv.billing_profile_id.to_string(),
                inv.subscription_id.to_string(),
                (i + 1).to_string(),
                line.kind.clone(),
                line.description.clone(),
                line.quantity.to_string(),
                decimal(line.unit_amount.amount, c),
                decimal(line.amount.amount, c),
                decimal(inv.subtotal.amount, c),
                decimal(inv.tax.amount, c),
                decimal(inv.total.amount, c),
            ])
            .map_err(|e| e.to_string())?;
        }
    }
    finish(w)
}

pub fn subscriptions(rows: &[SubscriptionCsvRow]) -> Result<Vec<u8>, String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "subscription_id",
        "product_id",
        "product_name",
        "purchaser_id",
        "purchaser_name",
        "status",
        "license_count",
        "assigned_count",
        "billing_frequency",
        "currency",
        "unit_price",
        "total_price",
        "expires_on",
        "created_at",
    ])
    .map_err(|e| e.to_string())?;
    for r in rows {
        let money = |m: Option<i64>| m.map(|a| decimal(a, &r.currency)).unwrap_or_default();
        w.write_record([
            r.id.clone(),
            r.product_id.clone(),
            r.product_name.clone(),
            r.purchaser_id.clone(),
            r.purchaser_name.clone(),
            r.status.clone(),
            r.license_count.to_string(),
            r.assigned_count.to_string(),
            r.billing_frequency.clone(),
            r.currency.clone(),
            money(r.unit_price),
            money(r.total_price),
            r.expires_on.clone(),
            r.created_at.clone(),
        ])
        .map_err(|e| e.to_string())?;
    }
    finish(w)
}
