//! Issuing invoices: numbered per organisation inside the issuing
//! transaction, with any credits waiting for the subscription's next invoice.

use crate::error::Error;
use chrono::{DateTime, NaiveDate, Utc};
use domain::billing::ProrationBehavior;
use domain::invoice::{status_for, totals, InvoiceLine};
use domain::subscription::SubscriptionSource;
use domain::subscription::{CountChange, Settlement};
use domain::{BillingProfileId, Currency, InvoiceId, Money, PendingCreditId, SubscriptionId};
use persistence::repos::invoices as repo;
use persistence::rows::{InvoiceLineRow, InvoiceRow, PendingCreditRow, SubscriptionRow};
use persistence::DbConnection;

/// Why an invoice was issued.
#[derive(Clone, Copy, Debug)]
pub enum Reason {
    Purchase,
    TrialConversion,
    LicenseIncrease,
    Renewal,
    Cancellation,
    /// An expired or disabled subscription brought back: a new period.
    Reactivation,
    /// Pending lines (decrease credits, and increase charges under
    /// `next_invoice`) still waiting when a subscription ended without
    /// another invoice to carry them (lapse, expired card, trial path).
    CreditSettlement,
}

impl Reason {
    /// A purchase, a trial conversion, an increase or a reactivation: what
    /// the monthly spend cap governs.
    fn is_new_spending(&self) -> bool {
        matches!(
            self,
            Reason::Purchase
                | Reason::TrialConversion
                | Reason::LicenseIncrease
                | Reason::Reactivation
        )
    }

    fn as_str(&self) -> &'static str {
        match self {
            Reason::Purchase => "purchase",
            Reason::TrialConversion => "trial_conversion",
            Reason::LicenseIncrease => "license_increase",
            Reason::Renewal => "renewal",
            Reason::Cancellation => "cancellation",
            Reason::Reactivation => "reactivation",
            Reason::CreditSettlement => "credit_settlement",
        }
    }
}

pub struct Issue<'a> {
    pub subscription: &'a SubscriptionRow,
    pub billing_profile_id: BillingProfileId,
    pub reason: Reason,
    pub lines: Vec<InvoiceLine>,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    /// Renewals and credit settlements: one invoice per subscription and
    /// period (or ending), enforced by a unique column.
    pub renewal_key: Option<String>,
}

impl<'a> Issue<'a> {
    /// A one-line invoice outside renewals (a purchase, conversion, increase
    /// or cancellation), for the line's own period.
    pub fn single(
        subscription: &'a SubscriptionRow,
        billing_profile_id: BillingProfileId,
        reason: Reason,
        line: InvoiceLine,
    ) -> Self {
        Self {
            subscription,
            billing_profile_id,
            reason,
            period_start: line.period_start,
            period_end: line.period_end,
            lines: vec![line],
            renewal_key: None,
        }
    }
}

pub fn issue(
    conn: &mut DbConnection,
    input: Issue<'_>,
    tax_rate_bps: u32,
    now: DateTime<Utc>,
) -> Result<InvoiceRow, Error> {
    let sub = input.subscription;
    let currency = Currency::parse(&sub.currency).map_err(|e| Error::internal(e.to_string()))?;
    let mut lines = input.lines;
    let credits = repo::open_credits(conn, sub.id)?;
    for credit in &credits {
        lines.push(credit_line(credit, currency)?);
    }
    let sums =
        totals(&lines, currency, tax_rate_bps).map_err(|e| Error::internal(e.to_string()))?;
    if input.reason.is_new_spending() && sub.source == SubscriptionSource::SelfService.as_str() {
        // In the charging transaction itself, so concurrent charges cannot
        // both pass (see `governance::spend`). Renewals keep existing
        // subscriptions working: the cap governs new spending only.
        crate::governance::spend::check(
            conn,
            sub.organization_id,
            sub.purchaser_id,
            sums.total,
            now.date_naive(),
            tax_rate_bps,
        )?;
    }
    let profile = persistence::repos::billing_profiles::find(conn, input.billing_profile_id)?
        .ok_or_else(|| Error::internal("invoice for a missing billing profile"))?;
    let bill_to = serde_json::json!({
        "name": profile.name,
        "address": {
            "line1": profile.bill_to_line1, "line2": profile.bill_to_line2, "city": profile.bill_to_city,
            "postal_code": profile.bill_to_postal_code, "region": profile.bill_to_region, "country": profile.bill_to_country,
        },
        "invoice_email": profile.invoice_email,
        "po_number": profile.po_number,
        // Part of the snapshot: an issued invoice keeps its language and tax number.
        "tax_id": profile.tax_id,
        "invoice_language": profile.invoice_language.as_str(),
    })
    .to_string();
    let number = repo::next_number(conn, sub.organization_id)?;
    let id = InvoiceId::new_random();
    let today = now.date_naive();
    let invoice = InvoiceRow {
        id,
        organization_id: sub.organization_id,
        owner_id: sub.purchaser_id,
        number,
        billing_profile_id: input.billing_profile_id,
        subscription_id: sub.id,
        reason: input.reason.as_str().to_owned(),
        issued_at: now.naive_utc(),
        issue_date: today,
        // Charged to the card on issue: due the day it is issued.
        due_date: today,
        period_start: input.period_start,
        period_end: input.period_end,
        status: status_for(&sums.total),
        currency: currency.to_string(),
        subtotal: sums.subtotal.amount(),
        tax: sums.tax.amount(),
        total: sums.total.amount(),
        bill_to,
        renewal_key: input.renewal_key,
    };
    let rows: Vec<InvoiceLineRow> = lines
        .iter()
        .enumerate()
        .map(|(i, line)| InvoiceLineRow {
            invoice_id: id,
            position: i as i32 + 1,
            kind: line.kind,
            description: line.description.clone(),
            subscription_id: sub.id,
            quantity: line.quantity,
            unit_amount: line.unit_amount.amount(),
            amount: line.amount.amount(),
            period_start: line.period_start,
            period_end: line.period_end,
        })
        .collect();
    repo::insert(conn, &invoice, &rows)?;
    if !credits.is_empty() {
        let ids: Vec<PendingCreditId> = credits.into_iter().map(|c| c.id).collect();
        repo::settle_credits(conn, &ids, id)?;
    }
    Ok(invoice)
}

/// Settles the lines still waiting for `sub`'s next invoice when there will
/// be none because the subscription has ended (PRODUCT.md §8: settled, never
/// dropped): decrease credits and, under `next_invoice` (§9), increase
/// charges. One invoice holding exactly those lines, with their tax (a
/// credit or a charge, as they net), issued `at`. Returns `None` when
/// nothing was waiting.
///
/// Exactly once: the caller runs this in the transaction that ended the
/// subscription under its version guard, the credits are marked settled in
/// that same transaction (only while still open), and the invoice carries a
/// unique key per subscription and credited period, as renewals do, so a
/// second or concurrent billing run cannot issue it again.
pub fn settle_open_credits(
    conn: &mut DbConnection,
    sub: &SubscriptionRow,
    tax_rate_bps: u32,
    at: DateTime<Utc>,
) -> Result<Option<InvoiceRow>, Error> {
    let open = repo::open_credits(conn, sub.id)?;
    let (Some(start), Some(end)) = (
        open.iter().map(|c| c.period_start).min(),
        open.iter().map(|c| c.period_end).max(),
    ) else {
        return Ok(None);
    };
    let profile = sub
        .billing_profile_id
        .ok_or_else(|| Error::internal("pending credits without a billing profile"))?;
    let invoice = issue(
        conn,
        Issue {
            subscription: sub,
            billing_profile_id: profile,
            reason: Reason::CreditSettlement,
            // `issue` adds every open credit: they are the whole invoice.
            lines: vec![],
            period_start: start,
            period_end: end,
            renewal_key: Some(format!("settlement:{}:{end}", sub.id)),
        },
        tax_rate_bps,
        at,
    )?;
    Ok(Some(invoice))
}

/// When `sub`'s billing profile pays for increases (a trial has no profile:
/// the default, though a trial has nothing to charge).
pub fn proration_behavior(
    conn: &mut DbConnection,
    sub: &SubscriptionRow,
) -> Result<ProrationBehavior, Error> {
    let Some(profile) = sub.billing_profile_id else {
        return Ok(ProrationBehavior::default());
    };
    let row = persistence::repos::billing_profiles::find(conn, profile)?
        .ok_or_else(|| Error::internal("subscription billed to a missing profile"))?;
    Ok(row.proration_behavior)
}

/// Bills a paid license-count change of `sub` (the row after the change) as
/// its billing profile says (PRODUCT.md §9): an increase is invoiced now or
/// left pending for the next invoice; a decrease credit always waits.
/// Returns the invoice issued now, if any.
pub fn bill_change(
    conn: &mut DbConnection,
    sub: &SubscriptionRow,
    change: CountChange,
    tax_rate_bps: u32,
    now: DateTime<Utc>,
) -> Result<Option<InvoiceRow>, Error> {
    let behavior = proration_behavior(conn, sub)?;
    match change.settle(behavior) {
        Settlement::InvoiceNow(line) => {
            let profile = sub
                .billing_profile_id
                .ok_or_else(|| Error::internal("paid subscription without billing profile"))?;
            let invoice = issue(
                conn,
                Issue::single(sub, profile, Reason::LicenseIncrease, line),
                tax_rate_bps,
                now,
            )?;
            Ok(Some(invoice))
        }
        Settlement::NextInvoice(line) => {
            // Deferred, but spent now: the cap governs it as if invoiced.
            if line.amount.amount() > 0 && sub.source == SubscriptionSource::SelfService.as_str() {
                let charge = totals(
                    std::slice::from_ref(&line),
                    line.amount.currency(),
                    tax_rate_bps,
                )
                .map_err(|e| Error::internal(e.to_string()))?;
                crate::governance::spend::check(
                    conn,
                    sub.organization_id,
                    sub.purchaser_id,
                    charge.total,
                    now.date_naive(),
                    tax_rate_bps,
                )?;
            }
            defer_line(conn, sub.id, &line, now)?;
            Ok(None)
        }
        Settlement::Nothing => Ok(None),
    }
}

/// A line waiting for the subscription's next invoice: a decrease credit, or
/// an increase charge under `next_invoice`. Both live in `pending_credits`
/// (told apart by `kind`) and are carried and settled alike.
pub fn defer_line(
    conn: &mut DbConnection,
    subscription: SubscriptionId,
    line: &InvoiceLine,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    repo::add_pending_credit(
        conn,
        &PendingCreditRow {
            id: PendingCreditId::new_random(),
            subscription_id: subscription,
            kind: line.kind,
            description: line.description.clone(),
            quantity: line.quantity,
            unit_amount: line.unit_amount.amount(),
            amount: line.amount.amount(),
            period_start: line.period_start,
            period_end: line.period_end,
            created_at: now.naive_utc(),
            invoice_id: None,
        },
    )?;
    Ok(())
}

/// Credits not yet on an invoice, summed (for previews and refunds).
pub fn open_credit_total(
    conn: &mut DbConnection,
    subscription: SubscriptionId,
) -> Result<i64, Error> {
    Ok(repo::open_credits(conn, subscription)?
        .iter()
        .map(|c| c.amount)
        .sum())
}

fn credit_line(credit: &PendingCreditRow, currency: Currency) -> Result<InvoiceLine, Error> {
    Ok(InvoiceLine {
        kind: credit.kind,
        description: credit.description.clone(),
        quantity: credit.quantity,
        unit_amount: Money::new(credit.unit_amount, currency),
        amount: Money::new(credit.amount, currency),
        period_start: credit.period_start,
        period_end: credit.period_end,
    })
}
