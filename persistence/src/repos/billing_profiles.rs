use crate::connection::DbConnection;
use crate::error::RepoError;
use crate::keyset;
use crate::rows::{BillingProfileChangeset, BillingProfileRow};
use crate::schema::billing_profiles as p;
use crate::typed::parse_all;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use domain::{BillingAccountId, BillingProfileId, OrganizationId, PaymentMethodId, UserId};

pub fn insert(conn: &mut DbConnection, row: &BillingProfileRow) -> Result<(), RepoError> {
    diesel::insert_into(p::table)
        .values(row.clone())
        .execute(conn)?;
    Ok(())
}

/// The owner's profile; anyone else's is "not found".
pub fn find_owned(
    conn: &mut DbConnection,
    org: OrganizationId,
    owner: UserId,
    id: BillingProfileId,
) -> Result<Option<BillingProfileRow>, RepoError> {
    Ok(p::table
        .filter(p::organization_id.eq(org.to_string()))
        .filter(p::owner_id.eq(owner.to_string()))
        .filter(p::id.eq(id.to_string()))
        .select(BillingProfileRow::as_select())
        .get_result(conn)
        .optional()?)
}

pub fn find(
    conn: &mut DbConnection,
    id: BillingProfileId,
) -> Result<Option<BillingProfileRow>, RepoError> {
    Ok(p::table
        .filter(p::id.eq(id.to_string()))
        .select(BillingProfileRow::as_select())
        .get_result(conn)
        .optional()?)
}

pub fn list_for_account(
    conn: &mut DbConnection,
    account: BillingAccountId,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> Result<Vec<BillingProfileRow>, RepoError> {
    let query = p::table
        .filter(p::billing_account_id.eq(account.to_string()))
        .select(BillingProfileRow::as_select())
        .into_boxed();
    let query = keyset::page!(
        query,
        ascending (p::created_at, p::id),
        after: after,
        limit: limit
    );
    Ok(query.load(conn)?)
}

pub fn update(
    conn: &mut DbConnection,
    id: BillingProfileId,
    changes: &BillingProfileChangeset,
) -> Result<(), RepoError> {
    diesel::update(p::table.filter(p::id.eq(id.to_string())))
        .set(changes.clone())
        .execute(conn)?;
    Ok(())
}

/// Profiles whose default payment method is `payment_method`.
pub fn ids_using_payment_method(
    conn: &mut DbConnection,
    payment_method: PaymentMethodId,
) -> Result<Vec<BillingProfileId>, RepoError> {
    parse_all(
        p::table
            .filter(p::payment_method_id.eq(payment_method.to_string()))
            .select(p::id)
            .load(conn)?,
    )
}

pub fn clear_payment_method(
    conn: &mut DbConnection,
    payment_method: PaymentMethodId,
    at: NaiveDateTime,
) -> Result<usize, RepoError> {
    Ok(
        diesel::update(p::table.filter(p::payment_method_id.eq(payment_method.to_string())))
            .set((
                p::payment_method_id.eq(None::<String>),
                p::updated_at.eq(at),
            ))
            .execute(conn)?,
    )
}
