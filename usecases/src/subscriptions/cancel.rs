//! Canceling: effective at once, every license released, and a credit for
//! what was paid and will not be used (all of it within the refund window).

use super::invoicing::{self, Reason};
use super::purchase::conclude;
use super::{check_if_match, load_owned, Loaded, View};
use crate::error::Error;
use crate::Actor;
use crate::Services;
use chrono::{DateTime, Utc};
use domain::audit::AuditAction;
use domain::subscription::{
    cancellation_credit, full_refund, in_refund_window, CancelReason, Feedback, SubscriptionStatus,
};
use domain::Money;
use domain::SubscriptionId;
use persistence::repos::{assignments, invoices, subscriptions as repo};
use persistence::rows::SubscriptionChanges;
use persistence::DbConnection;

#[allow(clippy::too_many_arguments)]
pub fn cancel_in(
    conn: &mut DbConnection,
    caller: &Actor,
    id: SubscriptionId,
    if_match: Option<&str>,
    reason: CancelReason,
    feedback: Option<Feedback>,
    tax_rate_bps: u32,
    now: DateTime<Utc>,
) -> Result<Loaded, Error> {
    let loaded = load_owned(conn, caller, id, now.date_naive())?;
    check_if_match(&loaded, if_match, false)?;
    cancel_loaded(conn, caller, loaded, reason, feedback, tax_rate_bps, now)
}

/// Cancels a subscription the caller was already found allowed to cancel
/// (its manager, or an admin taking control of it): the status, the
/// released licenses, the credit to its purchaser and the audit entry.
pub fn cancel_loaded(
    conn: &mut DbConnection,
    caller: &Actor,
    loaded: Loaded,
    reason: CancelReason,
    feedback: Option<Feedback>,
    tax_rate_bps: u32,
    now: DateTime<Utc>,
) -> Result<Loaded, Error> {
    let today = now.date_naive();
    let id = loaded.row.id;
    loaded.require_live()?;
    let changes = SubscriptionChanges {
        status: Some(SubscriptionStatus::Canceled.as_str().to_owned()),
        auto_renew: Some(false),
        cancel_reason: Some(Some(reason.as_str().to_owned())),
        cancel_feedback: Some(feedback.map(|f| f.as_str().to_owned())),
        canceled_at: Some(Some(now.naive_utc())),
        // Canceled now: a cancellation waiting for the period end is moot.
        cancel_at: Some(None),
        updated_at: Some(now.naive_utc()),
        ..Default::default()
    };
    if !repo::update_if_version(conn, id, loaded.row.version, &changes)? {
        return Err(super::stale(conn, caller, id));
    }
    assignments::delete_all(conn, id)?;
    repo::reset_assigned(conn, id)?;
    let after = repo::find(conn, caller.organization_id, id)?
        .ok_or_else(|| Error::internal("subscription vanished"))?;

    let credit = if loaded.status == SubscriptionStatus::Active {
        let (Some(unit), Some(period), Some(purchased_on), Some(profile)) = (
            loaded.unit_price,
            loaded.period.as_ref(),
            loaded.row.purchased_on,
            after.billing_profile_id,
        ) else {
            return Err(Error::internal("active subscription without billing terms"));
        };
        let credit = if in_refund_window(purchased_on, today) {
            // Everything charged for this period, less credits still waiting to be
            // invoiced (they go on this same invoice): the invoice nets to a full refund.
            let invoiced: i64 = invoices::invoiced_amounts(conn, id, period.start(), period.end())?
                .iter()
                .sum();
            let waiting = invoicing::open_credit_total(conn, id)?;
            full_refund(Money::new(invoiced + waiting, unit.currency()), period)
        } else {
            cancellation_credit(loaded.licenses, unit, period, purchased_on, today)
        }
        .map_err(|e| Error::internal(e.to_string()))?;
        Some((profile, Reason::Cancellation, credit))
    } else {
        None
    };
    conclude(
        conn,
        caller,
        AuditAction::Canceled,
        &loaded.row,
        after,
        credit,
        tax_rate_bps,
        now,
    )
}

/// Cancels at the end of the current period (PRODUCT.md §8): the
/// subscription stays active with `cancel_at` set and auto-renew off, nothing
/// is credited, and the billing run cancels it when the period ends. Asking
/// again keeps the date and takes the new reason; `PATCH {"auto_renew": true}`
/// before then undoes it.
pub fn schedule_in(
    conn: &mut DbConnection,
    caller: &Actor,
    id: SubscriptionId,
    if_match: Option<&str>,
    reason: CancelReason,
    feedback: Option<Feedback>,
    now: DateTime<Utc>,
) -> Result<Loaded, Error> {
    let today = now.date_naive();
    let loaded = load_owned(conn, caller, id, today)?;
    check_if_match(&loaded, if_match, false)?;
    loaded.require_live()?;
    let Some(period) = loaded.period.as_ref().filter(|_| loaded.is_paid()) else {
        return Err(Error::invalid_field(
            "at_period_end",
            "a trial has no paid period to finish; cancel it now, or let it end",
        ));
    };
    let changes = SubscriptionChanges {
        auto_renew: Some(false),
        cancel_at: Some(Some(period.end())),
        cancel_reason: Some(Some(reason.as_str().to_owned())),
        cancel_feedback: Some(feedback.map(|f| f.as_str().to_owned())),
        updated_at: Some(now.naive_utc()),
        ..Default::default()
    };
    if !repo::update_if_version(conn, id, loaded.row.version, &changes)? {
        return Err(super::stale(conn, caller, id));
    }
    let after = repo::find(conn, caller.organization_id, id)?
        .ok_or_else(|| Error::internal("subscription vanished"))?;
    conclude(
        conn,
        caller,
        AuditAction::CancellationScheduled,
        &loaded.row,
        after,
        None,
        0,
        now,
    )
}

/// When a cancellation takes effect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effective {
    /// At once, with a credit for the unused part of the period (§2.6).
    Now,
    /// When the current period ends, crediting nothing (§8).
    AtPeriodEnd,
}

/// Cancels, at once or at period end, in one write transaction.
pub async fn cancel(
    services: &Services,
    caller: &Actor,
    id: SubscriptionId,
    if_match: Option<String>,
    reason: CancelReason,
    feedback: Option<Feedback>,
    effective: Effective,
) -> Result<View, Error> {
    let caller = caller.clone();
    super::write(services, move |conn, cx| match effective {
        Effective::Now => cancel_in(
            conn,
            &caller,
            id,
            if_match.as_deref(),
            reason,
            feedback,
            cx.tax_rate_bps,
            cx.now,
        ),
        Effective::AtPeriodEnd => schedule_in(
            conn,
            &caller,
            id,
            if_match.as_deref(),
            reason,
            feedback,
            cx.now,
        ),
    })
    .await
}
