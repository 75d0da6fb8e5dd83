use crate::connection::DbConnection;
use crate::error::RepoError;
use crate::keyset;
use crate::rows::AssignmentRow;
use crate::schema::license_assignments as a;
use crate::typed::{parse_all, texts};
use diesel::prelude::*;
use domain::{OrganizationId, SubscriptionId, UserId};

/// Releases every license of a subscription; returns how many were held.
pub fn delete_all(
    conn: &mut DbConnection,
    subscription: SubscriptionId,
) -> Result<usize, RepoError> {
    Ok(
        diesel::delete(a::table.filter(a::subscription_id.eq(subscription.to_string())))
            .execute(conn)?,
    )
}

pub fn holders_among(
    conn: &mut DbConnection,
    subscription: SubscriptionId,
    users: &[UserId],
) -> Result<Vec<UserId>, RepoError> {
    parse_all(
        a::table
            .filter(a::subscription_id.eq(subscription.to_string()))
            .filter(a::user_id.eq_any(texts(users)))
            .select(a::user_id)
            .load(conn)?,
    )
}

pub fn insert(conn: &mut DbConnection, row: &AssignmentRow) -> Result<(), RepoError> {
    diesel::insert_into(a::table)
        .values(row.clone())
        .execute(conn)?;
    Ok(())
}

pub fn delete(
    conn: &mut DbConnection,
    subscription: SubscriptionId,
    user: UserId,
) -> Result<bool, RepoError> {
    Ok(diesel::delete(
        a::table
            .filter(a::subscription_id.eq(subscription.to_string()))
            .filter(a::user_id.eq(user.to_string())),
    )
    .execute(conn)?
        == 1)
}

pub fn count(conn: &mut DbConnection, subscription: SubscriptionId) -> Result<i64, RepoError> {
    Ok(a::table
        .filter(a::subscription_id.eq(subscription.to_string()))
        .count()
        .get_result(conn)?)
}

pub fn page(
    conn: &mut DbConnection,
    subscription: SubscriptionId,
    after: Option<(chrono::NaiveDateTime, String)>,
    limit: i64,
) -> Result<Vec<AssignmentRow>, RepoError> {
    let query = a::table
        .filter(a::subscription_id.eq(subscription.to_string()))
        .select(AssignmentRow::as_select())
        .into_boxed();
    let query = keyset::page!(
        query,
        ascending (a::assigned_at, a::user_id),
        after: after,
        limit: limit
    );
    Ok(query.load(conn)?)
}

pub fn for_user(
    conn: &mut DbConnection,
    org: OrganizationId,
    user: UserId,
) -> Result<Vec<AssignmentRow>, RepoError> {
    Ok(a::table
        .filter(a::organization_id.eq(org.to_string()))
        .filter(a::user_id.eq(user.to_string()))
        .select(AssignmentRow::as_select())
        .order_by(a::assigned_at.asc())
        .load(conn)?)
}
