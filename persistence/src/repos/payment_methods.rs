use crate::connection::DbConnection;
use crate::error::RepoError;
use crate::keyset;
use crate::rows::{PaymentMethodChangeset, PaymentMethodRow};
use crate::schema::payment_methods as pm;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use domain::{OrganizationId, PaymentMethodId, UserId};

pub fn insert(conn: &mut DbConnection, row: &PaymentMethodRow) -> Result<(), RepoError> {
    diesel::insert_into(pm::table)
        .values(row.clone())
        .execute(conn)?;
    Ok(())
}

/// The owner's live (not removed) payment method.
pub fn find_owned(
    conn: &mut DbConnection,
    org: OrganizationId,
    owner: UserId,
    id: PaymentMethodId,
) -> Result<Option<PaymentMethodRow>, RepoError> {
    Ok(pm::table
        .filter(pm::organization_id.eq(org.to_string()))
        .filter(pm::owner_id.eq(owner.to_string()))
        .filter(pm::id.eq(id.to_string()))
        .filter(pm::deleted_at.is_null())
        .select(PaymentMethodRow::as_select())
        .get_result(conn)
        .optional()?)
}

/// A live (not removed) payment method of the organisation, whoever owns it:
/// what the billing run charges for a subscription's renewal.
pub fn find_live(
    conn: &mut DbConnection,
    org: OrganizationId,
    id: PaymentMethodId,
) -> Result<Option<PaymentMethodRow>, RepoError> {
    Ok(pm::table
        .filter(pm::organization_id.eq(org.to_string()))
        .filter(pm::id.eq(id.to_string()))
        .filter(pm::deleted_at.is_null())
        .select(PaymentMethodRow::as_select())
        .get_result(conn)
        .optional()?)
}

pub fn find_by_fingerprint(
    conn: &mut DbConnection,
    owner: UserId,
    fingerprint: &str,
) -> Result<Option<String>, RepoError> {
    Ok(pm::table
        .filter(pm::owner_id.eq(owner.to_string()))
        .filter(pm::fingerprint.eq(fingerprint))
        .filter(pm::deleted_at.is_null())
        .select(pm::id)
        .first(conn)
        .optional()?)
}

pub fn list_owned(
    conn: &mut DbConnection,
    org: OrganizationId,
    owner: UserId,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> Result<Vec<PaymentMethodRow>, RepoError> {
    let query = pm::table
        .filter(pm::organization_id.eq(org.to_string()))
        .filter(pm::owner_id.eq(owner.to_string()))
        .filter(pm::deleted_at.is_null())
        .select(PaymentMethodRow::as_select())
        .into_boxed();
    let query = keyset::page!(
        query,
        ascending (pm::created_at, pm::id),
        after: after,
        limit: limit
    );
    Ok(query.load(conn)?)
}

pub fn update(
    conn: &mut DbConnection,
    id: PaymentMethodId,
    changes: &PaymentMethodChangeset,
) -> Result<(), RepoError> {
    diesel::update(pm::table.filter(pm::id.eq(id.to_string())))
        .set(changes)
        .execute(conn)?;
    Ok(())
}

/// Removal keeps the row (invoices and history refer to it) but frees the card for re-adding.
pub fn mark_deleted(
    conn: &mut DbConnection,
    id: PaymentMethodId,
    at: NaiveDateTime,
) -> Result<(), RepoError> {
    diesel::update(pm::table.filter(pm::id.eq(id.to_string())))
        .set((pm::deleted_at.eq(Some(at)), pm::updated_at.eq(at)))
        .execute(conn)?;
    Ok(())
}
