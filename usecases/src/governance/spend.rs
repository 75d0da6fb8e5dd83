//! The monthly spend cap, checked inside the transaction that charges.
//!
//! Two purchases by one member at once must not both slip under the cap:
//! the check locks the purchaser's row before it sums this month's charges,
//! so the second waits for the first to commit and then sees its invoice
//! (PostgreSQL, READ COMMITTED: every statement reads what was committed
//! before it started). SQLite's write transactions are exclusive already.

use super::settings;
use crate::error::{Error, Forbidden};
use chrono::NaiveDate;
use domain::governance::{calendar_month, check_spend, SpendRefusal};
use domain::invoice::tax_on;
use domain::{Money, OrganizationId, UserId};
use persistence::repos::{invoices, users};
use persistence::DbConnection;

/// Refuses a self-service charge of `requested` (tax included) to
/// `purchaser` on `today` that would take their net charges this month above
/// the cap. This month's charges are its invoices plus the increases waiting
/// for a `next_invoice` profile's next invoice, taxed at `tax_rate_bps`
/// (within a minor unit per waiting charge of what their invoice will say).
pub fn check(
    conn: &mut DbConnection,
    org: OrganizationId,
    purchaser: UserId,
    requested: Money,
    today: NaiveDate,
    tax_rate_bps: u32,
) -> Result<(), Error> {
    let Some(cap) = settings::load(conn, org)?.spend_cap else {
        return Ok(());
    };
    if requested.amount() <= 0 {
        return Ok(());
    }
    users::lock(conn, purchaser)?;
    let (from, until) = calendar_month(today);
    let currency = cap.currency();
    let invoiced: i64 =
        invoices::self_service_totals(conn, org, purchaser, currency.as_str(), from, until)?
            .into_iter()
            .fold(0i64, i64::saturating_add);
    let waiting: i64 = invoices::pending_self_service_increases(
        conn,
        org,
        purchaser,
        currency.as_str(),
        from,
        until,
    )?
    .into_iter()
    .map(|amount| {
        let amount = Money::new(amount, currency);
        tax_on(amount, tax_rate_bps)
            .and_then(|tax| amount.checked_add(tax))
            .map(|total| total.amount())
            .map_err(|e| Error::internal(e.to_string()))
    })
    .collect::<Result<Vec<i64>, Error>>()?
    .into_iter()
    .fold(0i64, i64::saturating_add);
    let spent = invoiced.saturating_add(waiting);
    check_spend(Some(&cap), Money::new(spent, currency), requested).map_err(|refusal| {
        match refusal {
            SpendRefusal::Exceeded {
                cap,
                spent,
                requested,
            } => Forbidden::SpendCapExceeded {
                cap,
                spent,
                requested,
            },
            SpendRefusal::CurrencyMismatch { cap, charge } => {
                Forbidden::SpendCapCurrency { cap, charge }
            }
        }
        .into()
    })
}
