use crate::connection::DbConnection;
use crate::error::RepoError;
use crate::keyset;
use crate::on_backend;
use crate::rows::AssignmentRow;
use crate::schema::license_assignments as a;
use crate::schema::users as u;
use crate::typed::{parse_all, texts};
use diesel::prelude::*;
use domain::assignment::AssignmentState;
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

/// Suspends every license of a subscription being disabled (PRODUCT.md §8):
/// the rows stay, for reactivation to give back; returns how many.
pub fn suspend_all(
    conn: &mut DbConnection,
    subscription: SubscriptionId,
) -> Result<usize, RepoError> {
    Ok(diesel::update(
        a::table
            .filter(a::subscription_id.eq(subscription.to_string()))
            .filter(a::state.eq(AssignmentState::Active.as_str())),
    )
    .set(a::state.eq(AssignmentState::Suspended.as_str()))
    .execute(conn)?)
}

/// The users of a subscription's suspended licenses, in the order they were assigned.
pub fn suspended_holders(
    conn: &mut DbConnection,
    subscription: SubscriptionId,
) -> Result<Vec<UserId>, RepoError> {
    parse_all(
        a::table
            .filter(a::subscription_id.eq(subscription.to_string()))
            .filter(a::state.eq(AssignmentState::Suspended.as_str()))
            .order_by((a::assigned_at.asc(), a::user_id.asc()))
            .select(a::user_id)
            .load(conn)?,
    )
}

/// Gives `users` their suspended licenses of a subscription back.
pub fn resume(
    conn: &mut DbConnection,
    subscription: SubscriptionId,
    users: &[UserId],
) -> Result<usize, RepoError> {
    Ok(diesel::update(
        a::table
            .filter(a::subscription_id.eq(subscription.to_string()))
            .filter(a::user_id.eq_any(texts(users))),
    )
    .set(a::state.eq(AssignmentState::Active.as_str()))
    .execute(conn)?)
}

/// Releases the licenses of `users` on a subscription; returns how many were held.
pub fn delete_users(
    conn: &mut DbConnection,
    subscription: SubscriptionId,
    users: &[UserId],
) -> Result<usize, RepoError> {
    Ok(diesel::delete(
        a::table
            .filter(a::subscription_id.eq(subscription.to_string()))
            .filter(a::user_id.eq_any(texts(users))),
    )
    .execute(conn)?)
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

/// Of `users`, the organisation's members, each with whether it already holds
/// a license of `subscription`: one query where `users::members_among` and
/// [`holders_among`] took two round trips.
pub fn members_holding(
    conn: &mut DbConnection,
    org: OrganizationId,
    subscription: SubscriptionId,
    users: &[UserId],
) -> Result<Vec<(UserId, bool)>, RepoError> {
    let found: Vec<(String, bool)> = match conn {
        // Each member's licenses in the organisation (a few), through
        // (organization_id, user_id), and the subscription picked out here.
        // Asked by (subscription_id, user_id) instead, the planner may walk
        // all of the subscription's assignments: its statistics lag behind a
        // subscription that has just grown (autovacuum analyses a table about
        // once a minute), and then it rates the index that pages a
        // subscription's assignments as cheap as the primary key — 0.6 ms and
        // growing per assign against 0.09 ms (`EXPLAIN ANALYZE`, bench/README.md
        // "Fourth round"). `= ANY($n)`: one statement, prepared once.
        DbConnection::Pg(c) => {
            let rows: Vec<(String, Option<String>)> = u::table
                .left_join(
                    a::table.on(a::user_id
                        .eq(u::id)
                        .and(a::organization_id.eq(u::organization_id))),
                )
                .filter(u::organization_id.eq(org.to_string()))
                .filter(u::id.eq_any(texts(users)))
                .select((u::id, a::subscription_id.nullable()))
                .load(c)?;
            let wanted = subscription.to_string();
            let mut found: Vec<(String, bool)> = Vec::with_capacity(users.len());
            for (user, held) in rows {
                let holds = held.as_deref() == Some(wanted.as_str());
                match found.iter_mut().find(|(u, _)| *u == user) {
                    Some((_, h)) => *h |= holds,
                    None => found.push((user, holds)),
                }
            }
            found
        }
        // SQLite would prepare `IN (?, ?, …)` of the list's length on every
        // call; one cached point read per user (a batch is 20 at most) costs less.
        DbConnection::Sqlite(c) => {
            let mut found = Vec::with_capacity(users.len());
            for user in users {
                let held: Option<(String, Option<String>)> = u::table
                    .left_join(
                        a::table.on(a::user_id
                            .eq(u::id)
                            .and(a::subscription_id.eq(subscription.to_string()))),
                    )
                    .filter(u::organization_id.eq(org.to_string()))
                    .filter(u::id.eq(user.to_string()))
                    .select((u::id, a::user_id.nullable()))
                    .get_result(c)
                    .optional()?;
                found.extend(held.map(|(user, held)| (user, held.is_some())));
            }
            found
        }
    };
    found
        .into_iter()
        .map(|(user, held)| Ok((user.try_into().map_err(RepoError::corrupt)?, held)))
        .collect()
}

pub fn insert(conn: &mut DbConnection, row: &AssignmentRow) -> Result<(), RepoError> {
    on_backend!(conn, |c| diesel::insert_into(a::table)
        .values(row.clone())
        .execute(c))?;
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

/// The licenses a user holds: a suspended one (its subscription disabled) is not held.
pub fn for_user(
    conn: &mut DbConnection,
    org: OrganizationId,
    user: UserId,
) -> Result<Vec<AssignmentRow>, RepoError> {
    Ok(a::table
        .filter(a::organization_id.eq(org.to_string()))
        .filter(a::user_id.eq(user.to_string()))
        .filter(a::state.eq(AssignmentState::Active.as_str()))
        .select(AssignmentRow::as_select())
        .order_by(a::assigned_at.asc())
        .load(conn)?)
}

/// Every holder of a subscription's licenses, in the order they were assigned.
pub fn holders(
    conn: &mut DbConnection,
    subscription: SubscriptionId,
) -> Result<Vec<UserId>, RepoError> {
    parse_all(
        a::table
            .filter(a::subscription_id.eq(subscription.to_string()))
            .order_by((a::assigned_at.asc(), a::user_id.asc()))
            .select(a::user_id)
            .load(conn)?,
    )
}

/// One license held through a self-service subscription that is live or in
/// its grace (its trial end lets the caller drop trials that ended today).
#[derive(Queryable, Debug, Clone)]
pub struct SelfServiceHolding {
    #[diesel(deserialize_as = String)]
    pub user_id: UserId,
    #[diesel(deserialize_as = String)]
    pub subscription_id: SubscriptionId,
    #[diesel(deserialize_as = String)]
    pub product_id: domain::ProductId,
    #[diesel(deserialize_as = String)]
    pub purchaser_id: UserId,
    pub trial_ends_on: Option<chrono::NaiveDate>,
}

/// Every license of the organisation held through a self-service
/// subscription that is live or in its grace (`expired` after a paid period:
/// ended trials hold none), for the admins' export.
pub fn self_service_holdings(
    conn: &mut DbConnection,
    org: OrganizationId,
) -> Result<Vec<SelfServiceHolding>, RepoError> {
    use crate::schema::subscriptions as s;
    let org = org.to_string();
    Ok(a::table
        .inner_join(s::table)
        .filter(a::organization_id.eq(&org))
        .filter(s::organization_id.eq(&org))
        .filter(s::source.eq("self_service"))
        .filter(s::status.eq_any(["trial", "active", "expired"]))
        .filter(a::state.eq(AssignmentState::Active.as_str()))
        .order_by((a::user_id.asc(), s::product_id.asc(), s::id.asc()))
        .select((
            a::user_id,
            a::subscription_id,
            s::product_id,
            s::purchaser_id,
            s::trial_ends_on,
        ))
        .load(conn)?)
}
