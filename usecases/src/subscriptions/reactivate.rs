//! Reactivating an expired or disabled paid subscription (PRODUCT.md §8):
//! `active` again with a new period from today, invoiced at once through the
//! purchase path (spend cap included), auto-renew on, and its suspended
//! licenses given back as far as its count holds them.

use super::invoicing::Reason;
use super::purchase::conclude;
use super::{check_if_match, Loaded, View};
use crate::error::{Conflict, Error};
use crate::Actor;
use crate::Services;
use chrono::{DateTime, Utc};
use domain::audit::AuditAction;
use domain::catalog::Catalog;
use domain::subscription::lifecycle::{check_reactivatable, restore};
use domain::subscription::{reactivation, SubscriptionStatus};
use domain::SubscriptionId;
use persistence::repos::{assignments, payment_methods, subscriptions as repo};
use persistence::rows::SubscriptionChanges;
use persistence::DbConnection;

/// Reactivates inside the caller's transaction.
pub fn reactivate_in(
    conn: &mut DbConnection,
    caller: &Actor,
    catalog: &Catalog,
    id: SubscriptionId,
    if_match: Option<&str>,
    tax_rate_bps: u32,
    now: DateTime<Utc>,
) -> Result<Loaded, Error> {
    let today = now.date_naive();
    // Serialised like any write on assignments: reactivation gives some back.
    let loaded = crate::assignments::serialised(conn, caller, id, today)?;
    check_if_match(&loaded, if_match, false)?;
    check_reactivatable(loaded.status, loaded.is_paid()).map_err(|refused| {
        Error::from(Conflict::NotReactivatable {
            status: refused.status.as_str().to_owned(),
        })
    })?;
    let row = &loaded.row;
    let (Some(frequency), Some(profile)) = (loaded.frequency, row.billing_profile_id) else {
        return Err(Error::internal("paid subscription without billing terms"));
    };
    let product = catalog
        .get(row.product_id)
        .ok_or_else(|| Error::internal("product left the catalog"))?;
    // The card its billing profile pays with (a subscription follows its
    // profile's default), charged today: it must exist and not be expired.
    let card = match row.payment_method_id {
        Some(card) => payment_methods::find_live(conn, row.organization_id, card)?,
        None => None,
    }
    .ok_or(Conflict::PaymentMethodRequired)?;
    crate::payment_methods::require_unexpired(&card, "payment_method_id", today)?;
    let plan = reactivation(product, loaded.licenses, frequency, today)
        .map_err(|e| Error::internal(e.to_string()))?;

    let changes = SubscriptionChanges {
        status: Some(SubscriptionStatus::Active.as_str().to_owned()),
        unit_price: Some(Some(plan.unit_price.amount())),
        current_period_start: Some(Some(plan.period.start())),
        current_period_end: Some(Some(plan.period.end())),
        period_anchor_day: Some(Some(plan.period.anchor_day() as i32)),
        // A new paid period: the refund window counts from today.
        purchased_on: Some(Some(today)),
        auto_renew: Some(true),
        cancel_at: Some(None),
        cancel_reason: Some(None),
        cancel_feedback: Some(None),
        canceled_at: Some(None),
        updated_at: Some(now.naive_utc()),
        ..Default::default()
    };
    if !repo::update_if_version(conn, id, row.version, &changes)? {
        return Err(super::stale(conn, caller, id));
    }
    // Expired: the licenses were never suspended. Disabled: give them back
    // in the order they were assigned, as many as the count holds.
    let suspended = assignments::suspended_holders(conn, id)?;
    let (resumed, released) = restore(&suspended, loaded.licenses.get());
    assignments::resume(conn, id, &resumed)?;
    assignments::delete_users(conn, id, &released)?;
    repo::set_assigned(conn, id, loaded.assigned() + resumed.len() as i64)?;

    let after = repo::find(conn, caller.organization_id, id)?
        .ok_or_else(|| Error::internal("reactivated subscription vanished"))?;
    conclude(
        conn,
        caller,
        AuditAction::Reactivated,
        &loaded.row,
        after,
        Some((profile, Reason::Reactivation, plan.line)),
        tax_rate_bps,
        now,
    )
}

/// Reactivates in one write transaction.
pub async fn reactivate(
    services: &Services,
    caller: &Actor,
    id: SubscriptionId,
    if_match: Option<String>,
) -> Result<View, Error> {
    let caller = caller.clone();
    super::write(services, move |conn, cx| {
        reactivate_in(
            conn,
            &caller,
            &cx.catalog,
            id,
            if_match.as_deref(),
            cx.tax_rate_bps,
            cx.now,
        )
    })
    .await
}
