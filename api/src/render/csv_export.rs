//! CSV exports: money as exact decimals with the currency. Every export is
//! written through [`Sheet`], which neutralises text cells that a
//! spreadsheet would run as formulas.

use super::csv_sheet::{Cell, Sheet};
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

/// One row per invoice line, with the invoice's fields repeated.
pub fn invoices(invoices: &[InvoiceDto]) -> Result<Vec<u8>, String> {
    let mut sheet = Sheet::new(&[
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
        "bill_to_name",
        "bill_to_tax_id",
        "po_number",
    ])?;
    for inv in invoices {
        let c = &inv.currency;
        let money = |amount: i64| Cell::Number(decimal(amount, c));
        let (number, id) = (inv.number.to_string(), inv.id.to_string());
        let (issue, due) = (inv.issue_date.to_string(), inv.due_date.to_string());
        let (start, end) = (inv.period_start.to_string(), inv.period_end.to_string());
        let (profile, subscription) = (
            inv.billing_profile_id.to_string(),
            inv.subscription_id.to_string(),
        );
        let bill_to = inv.bill_to.as_ref();
        let bill_to_name = bill_to.map(|b| b.name.as_str()).unwrap_or_default();
        let tax_id = bill_to
            .and_then(|b| b.tax_id.as_deref())
            .unwrap_or_default();
        let po = bill_to
            .and_then(|b| b.po_number.as_deref())
            .unwrap_or_default();
        for (i, line) in inv.lines.iter().enumerate() {
            sheet.row([
                Cell::Number(number.clone()),
                Cell::Text(&id),
                Cell::Text(&issue),
                Cell::Text(&due),
                Cell::Text(&start),
                Cell::Text(&end),
                Cell::Text(&inv.status),
                Cell::Text(c),
                Cell::Text(&profile),
                Cell::Text(&subscription),
                Cell::from(i as i64 + 1),
                Cell::Text(&line.kind),
                Cell::Text(&line.description),
                Cell::from(line.quantity),
                money(line.unit_amount.amount),
                money(line.amount.amount),
                money(inv.subtotal.amount),
                money(inv.tax.amount),
                money(inv.total.amount),
                Cell::Text(bill_to_name),
                Cell::Text(tax_id),
                Cell::Text(po),
            ])?;
        }
    }
    sheet.finish()
}

pub fn subscriptions(rows: &[SubscriptionCsvRow]) -> Result<Vec<u8>, String> {
    let mut sheet = Sheet::new(&[
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
    ])?;
    for r in rows {
        // An absent price is an empty cell, not text.
        let money =
            |m: Option<i64>| Cell::Number(m.map(|a| decimal(a, &r.currency)).unwrap_or_default());
        sheet.row([
            Cell::Text(&r.id),
            Cell::Text(&r.product_id),
            Cell::Text(&r.product_name),
            Cell::Text(&r.purchaser_id),
            Cell::Text(&r.purchaser_name),
            Cell::Text(&r.status),
            Cell::from(r.license_count),
            Cell::from(r.assigned_count),
            Cell::Text(&r.billing_frequency),
            Cell::Text(&r.currency),
            money(r.unit_price),
            money(r.total_price),
            Cell::Text(&r.expires_on),
            Cell::Text(&r.created_at),
        ])?;
    }
    sheet.finish()
}

/// One user holding one product through live self-service purchases.
pub struct SelfServiceUserCsvRow {
    pub user_id: String,
    pub display_name: String,
    pub email: String,
    pub product_id: String,
    pub product_name: String,
    /// Every purchase the user holds the product through.
    pub subscription_ids: Vec<String>,
    /// Their purchasers' names, one per purchaser.
    pub purchaser_names: Vec<String>,
}

/// PRODUCT.md §7's export of who holds what through self-service. Lists
/// inside a cell are joined with `"; "`; the whole cell is neutralised, so a
/// name that starts the cell with `=` cannot run either.
pub fn self_service_users(rows: &[SelfServiceUserCsvRow]) -> Result<Vec<u8>, String> {
    let mut sheet = Sheet::new(&[
        "user_id",
        "display_name",
        "email",
        "product_id",
        "product_name",
        "subscription_ids",
        "purchaser_names",
    ])?;
    for r in rows {
        let subscriptions = r.subscription_ids.join("; ");
        let purchasers = r.purchaser_names.join("; ");
        sheet.row([
            Cell::Text(&r.user_id),
            Cell::Text(&r.display_name),
            Cell::Text(&r.email),
            Cell::Text(&r.product_id),
            Cell::Text(&r.product_name),
            Cell::Text(&subscriptions),
            Cell::Text(&purchasers),
        ])?;
    }
    sheet.finish()
}
