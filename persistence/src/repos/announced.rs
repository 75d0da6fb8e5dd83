//! What the outbox has announced already, so that nothing is announced
//! twice: a subscription's seat-use threshold, the expiry a card was
//! announced with, and whether a product was tried in the organisation before.

use crate::connection::DbConnection;
use crate::error::RepoError;
use crate::rows::PaymentMethodRow;
use crate::schema::{audit_events as a, payment_methods as p, subscriptions as s};
use diesel::prelude::*;
use domain::{OrganizationId, PaymentMethodId, ProductId, SubscriptionId};

/// Moves the stored threshold (read with the row:
/// `SubscriptionRow::seat_threshold`) from `from` to `to`; false when
/// another change moved it first.
pub fn set_seat_threshold(
    conn: &mut DbConnection,
    id: SubscriptionId,
    from: u8,
    to: u8,
) -> Result<bool, RepoError> {
    let n = diesel::update(
        s::table
            .filter(s::id.eq(id.to_string()))
            .filter(s::seat_threshold.eq(i32::from(from))),
    )
    .set(s::seat_threshold.eq(i32::from(to)))
    .execute(conn)?;
    Ok(n == 1)
}

/// Live cards expiring in one of `months` (year, month) and not yet
/// announced with that expiry.
pub fn cards_expiring_in(
    conn: &mut DbConnection,
    months: &[(i32, u32)],
) -> Result<Vec<PaymentMethodRow>, RepoError> {
    let mut cards = Vec::new();
    for &(year, month) in months {
        let month = i32::try_from(month).map_err(RepoError::corrupt)?;
        let marker = format!("{year:04}-{month:02}");
        cards.extend(
            p::table
                .filter(p::deleted_at.is_null())
                .filter(p::exp_year.eq(year))
                .filter(p::exp_month.eq(month))
                .filter(
                    p::expiry_notified
                        .is_null()
                        .or(p::expiry_notified.ne(marker)),
                )
                .order_by(p::id.asc())
                .select(PaymentMethodRow::as_select())
                .load(conn)?,
        );
    }
    Ok(cards)
}

/// Remembers that the card was announced with `expiry` (`YYYY-MM`); false
/// when it already was (a second or concurrent run).
pub fn mark_card_expiry(
    conn: &mut DbConnection,
    id: PaymentMethodId,
    expiry: &str,
) -> Result<bool, RepoError> {
    let n = diesel::update(
        p::table.filter(p::id.eq(id.to_string())).filter(
            p::expiry_notified
                .is_null()
                .or(p::expiry_notified.ne(expiry)),
        ),
    )
    .set(p::expiry_notified.eq(expiry))
    .execute(conn)?;
    Ok(n == 1)
}

/// Whether another subscription of `product` in the organisation started as
/// a trial before (its history holds a `trial_started` entry).
pub fn another_trial_started(
    conn: &mut DbConnection,
    org: OrganizationId,
    product: ProductId,
    except: SubscriptionId,
) -> Result<bool, RepoError> {
    let same_product = s::table
        .filter(s::organization_id.eq(org.to_string()))
        .filter(s::product_id.eq(product.to_string()))
        .filter(s::id.ne(except.to_string()))
        .select(s::id.nullable());
    let n: i64 = a::table
        .filter(a::organization_id.eq(org.to_string()))
        .filter(a::action.eq(domain::audit::AuditAction::TrialStarted.as_str()))
        .filter(a::subscription_id.eq_any(same_product))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}
