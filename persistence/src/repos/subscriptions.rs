use crate::connection::DbConnection;
use crate::error::RepoError;
use crate::keyset;
use crate::on_backend;
use crate::rows::{SubscriptionChanges, SubscriptionRow};
use crate::schema::subscriptions as s;
use crate::schema::users as u;
use crate::typed::texts;
use chrono::{Days, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use domain::subscription::{lifecycle, SubscriptionStatus};
use domain::{
    BillingProfileId, OrganizationId, PaymentMethodId, ProductId, SubscriptionId, UserId,
};

pub fn insert(conn: &mut DbConnection, row: &SubscriptionRow) -> Result<(), RepoError> {
    diesel::insert_into(s::table)
        .values(row.clone())
        .execute(conn)?;
    Ok(())
}

// The hot reads below run on the concrete connection (`on_backend!`): through
// `DbConnection`, diesel's MultiConnection re-serialises a query's SQL on every
// call, cached statement or not (bench/README.md, finding 7: `find` 11.0 → 6.4 µs).

pub fn find(
    conn: &mut DbConnection,
    org: OrganizationId,
    id: SubscriptionId,
) -> Result<Option<SubscriptionRow>, RepoError> {
    // Built in each backend's arm: the selection is typed by its backend.
    Ok(on_backend!(conn, |c| s::table
        .filter(s::organization_id.eq(org.to_string()))
        .filter(s::id.eq(id.to_string()))
        .select(SubscriptionRow::as_select())
        .get_result(c)
        .optional())?)
}

/// [`find`], and work on the subscription serialised until the transaction
/// ends. On PostgreSQL the row is read `FOR NO KEY UPDATE`: one round trip and
/// no new row version, where [`lock`] then [`find`] took two and left a dead
/// row version per call (bench/README.md, finding 4). SQLite's write
/// transaction (`BEGIN IMMEDIATE`) is already exclusive.
///
/// With its purchaser's name, as [`find_named`] reads it: a change that
/// holds this lock knows the row until its commit, so it can show the
/// subscription after its change without reading it again. On PostgreSQL
/// the name is a subquery (`cached::PurchaserName`).
pub fn find_locked(
    conn: &mut DbConnection,
    org: OrganizationId,
    id: SubscriptionId,
) -> Result<Option<Named>, RepoError> {
    match conn {
        DbConnection::Pg(c) => Ok(s::table
            .filter(s::organization_id.eq(org.to_string()))
            .filter(s::id.eq(id.to_string()))
            .select((SubscriptionRow::as_select(), crate::cached::PurchaserName))
            .for_no_key_update()
            .get_result(c)
            .optional()?),
        DbConnection::Sqlite(_) => find_named(conn, org, id),
    }
}

/// The join to a subscription's purchaser, in the subscription's organisation
/// (a macro: the join's type is long, and each backend's query needs its own).
/// `cached::PurchaserName` states the same rule as a subquery: keep them in step.
macro_rules! purchasers {
    () => {
        u::table.on(u::id
            .eq(s::purchaser_id)
            .and(u::organization_id.eq(s::organization_id)))
    };
}

/// A subscription with its purchaser's display name (`None` when the member
/// is gone): everything its representation shows, in one query.
pub type Named = (SubscriptionRow, Option<String>);

/// [`find`] with the purchaser's name.
pub fn find_named(
    conn: &mut DbConnection,
    org: OrganizationId,
    id: SubscriptionId,
) -> Result<Option<Named>, RepoError> {
    Ok(on_backend!(conn, |c| s::table
        .left_join(purchasers!())
        .filter(s::organization_id.eq(org.to_string()))
        .filter(s::id.eq(id.to_string()))
        .select((SubscriptionRow::as_select(), u::display_name.nullable()))
        .get_result(c)
        .optional())?)
}

/// List filters; `purchaser` is `None` only for the admins' organisation-wide view.
#[derive(Default, Clone, Debug)]
pub struct Filter {
    /// What one member manages: their own self-service purchases and, for an
    /// admin, every organisation subscription.
    pub managed_by: Option<Manager>,
    pub purchaser: Option<UserId>,
    pub status: Option<SubscriptionStatus>,
    pub product: Option<ProductId>,
    pub source: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Manager {
    pub user_id: UserId,
    pub is_admin: bool,
}

/// Newest first, keyset on (created_at, id).
pub fn list(
    conn: &mut DbConnection,
    org: OrganizationId,
    filter: &Filter,
    before: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> Result<Vec<SubscriptionRow>, RepoError> {
    let named = list_named(conn, org, filter, before, limit)?;
    Ok(named.into_iter().map(|(row, _)| row).collect())
}

/// [`list`] with each purchaser's name.
pub fn list_named(
    conn: &mut DbConnection,
    org: OrganizationId,
    filter: &Filter,
    before: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> Result<Vec<Named>, RepoError> {
    // One arm per backend: the boxed query is typed by the connection that runs it.
    Ok(on_backend!(conn, |c| {
        let mut query = s::table
            .left_join(purchasers!())
            .filter(s::organization_id.eq(org.to_string()))
            .select((SubscriptionRow::as_select(), u::display_name.nullable()))
            .into_boxed();
        if let Some(manager) = &filter.managed_by {
            let own = s::purchaser_id
                .eq(manager.user_id.to_string())
                .and(s::source.eq("self_service"));
            query = if manager.is_admin {
                query.filter(own.or(s::source.eq("organization")))
            } else {
                query.filter(own)
            };
        }
        if let Some(purchaser) = &filter.purchaser {
            query = query.filter(s::purchaser_id.eq(purchaser.to_string()));
        }
        if let Some(status) = &filter.status {
            query = query.filter(s::status.eq(status.as_str()));
        }
        if let Some(product) = &filter.product {
            query = query.filter(s::product_id.eq(product.to_string()));
        }
        if let Some(source) = &filter.source {
            query = query.filter(s::source.eq(source.clone()));
        }
        keyset::page!(
            query,
            descending (s::created_at, s::id),
            before: before,
            limit: limit
        )
        .load(c)
    })?)
}

/// Applies `changes` only if nobody changed the row since `version` was read;
/// bumps the version. Returns whether the row was updated.
pub fn update_if_version(
    conn: &mut DbConnection,
    id: SubscriptionId,
    version: i64,
    changes: &SubscriptionChanges,
) -> Result<bool, RepoError> {
    let n = diesel::update(
        s::table
            .filter(s::id.eq(id.to_string()))
            .filter(s::version.eq(version)),
    )
    .set((changes, s::version.eq(s::version + 1)))
    .execute(conn)?;
    Ok(n == 1)
}

/// Sets a new total only while it stays at or above the assigned count — the
/// guard and the write are one statement, so no concurrent assignment can slip in between.
pub fn set_license_count(
    conn: &mut DbConnection,
    id: SubscriptionId,
    version: i64,
    license_count: i64,
    at: NaiveDateTime,
) -> Result<bool, RepoError> {
    let n = diesel::update(
        s::table
            .filter(s::id.eq(id.to_string()))
            .filter(s::version.eq(version))
            .filter(s::assigned_count.le(license_count)),
    )
    .set((
        s::license_count.eq(license_count),
        s::updated_at.eq(at),
        s::version.eq(s::version + 1),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Takes `n` licenses if they are free and the subscription is live, in one statement.
pub fn take_licenses(
    conn: &mut DbConnection,
    id: SubscriptionId,
    n: i64,
    at: NaiveDateTime,
) -> Result<bool, RepoError> {
    let take = crate::cached::TakeLicenses {
        id: id.to_string(),
        n,
        at: as_stored(at),
    };
    let updated = on_backend!(conn, |c| take.execute(c))?;
    Ok(updated == 1)
}

/// The row as [`take_licenses`] (`delta` > 0) or [`release_licenses`]
/// (`delta` < 0) left it: the same three columns those statements set. Only
/// for the holder of the row's lock ([`find_locked`]), for whom nothing else
/// changed it between its read and this change.
pub fn with_seats_moved(
    mut row: SubscriptionRow,
    delta: i64,
    at: NaiveDateTime,
) -> SubscriptionRow {
    row.assigned_count += delta;
    row.updated_at = as_stored(at);
    row.version += 1;
    row
}

/// `at` to the microsecond: what PostgreSQL keeps of a timestamp (SQLite
/// keeps what it is given), so that [`with_seats_moved`] shows exactly what a
/// read of the row would, on both.
fn as_stored(at: NaiveDateTime) -> NaiveDateTime {
    use chrono::SubsecRound;
    at.trunc_subsecs(6)
}

/// Mirrored by [`with_seats_moved`]: keep the columns it sets in step.
pub fn release_licenses(
    conn: &mut DbConnection,
    id: SubscriptionId,
    n: i64,
    at: NaiveDateTime,
) -> Result<(), RepoError> {
    diesel::update(s::table.filter(s::id.eq(id.to_string())))
        .set((
            s::assigned_count.eq(s::assigned_count - n),
            s::updated_at.eq(as_stored(at)),
            s::version.eq(s::version + 1),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn reset_assigned(conn: &mut DbConnection, id: SubscriptionId) -> Result<(), RepoError> {
    set_assigned(conn, id, 0)
}

/// Sets the assigned count to the licenses held (its active assignments):
/// none while disabled, those given back on reactivation.
pub fn set_assigned(
    conn: &mut DbConnection,
    id: SubscriptionId,
    assigned: i64,
) -> Result<(), RepoError> {
    diesel::update(s::table.filter(s::id.eq(id.to_string())))
        .set(s::assigned_count.eq(assigned))
        .execute(conn)?;
    Ok(())
}

/// Every subscription billed to a profile follows the profile's default
/// payment method: live ones, and ones a reactivation may still charge.
pub fn repoint_payment_method(
    conn: &mut DbConnection,
    profile: BillingProfileId,
    payment_method: PaymentMethodId,
    at: NaiveDateTime,
) -> Result<usize, RepoError> {
    Ok(diesel::update(
        s::table
            .filter(s::billing_profile_id.eq(profile.to_string()))
            .filter(s::status.eq_any(["trial", "active", "expired", "disabled"])),
    )
    .set((
        s::payment_method_id.eq(payment_method.to_string()),
        s::updated_at.eq(at),
        s::version.eq(s::version + 1),
    ))
    .execute(conn)?)
}

/// Is the payment method charged by a live subscription, directly or as its profile's default?
pub fn live_using_payment_method(
    conn: &mut DbConnection,
    payment_method: PaymentMethodId,
    profiles: &[BillingProfileId],
) -> Result<bool, RepoError> {
    let n: i64 = s::table
        .filter(s::status.eq_any(["trial", "active"]))
        .filter(
            s::payment_method_id
                .eq(payment_method.to_string())
                .or(s::billing_profile_id.eq_any(texts(profiles))),
        )
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// What the billing run looks for.
#[derive(Clone, Copy, Debug)]
pub enum Due {
    /// Active subscriptions whose period has ended (renew or let lapse).
    PeriodEnd,
    /// Trials whose end has come.
    TrialEnd,
    /// Paid subscriptions not renewed whose next lifecycle step has come:
    /// expired ones past their grace, disabled ones due for deletion
    /// (PRODUCT.md §8; dates from `domain::subscription::lifecycle`).
    LifecycleStep,
}

/// Up to `limit` subscriptions `due` by `as_of`, in id order.
pub fn due_ids(
    conn: &mut DbConnection,
    due: Due,
    as_of: NaiveDate,
    limit: i64,
) -> Result<Vec<(OrganizationId, SubscriptionId)>, RepoError> {
    let query = s::table
        .select((s::organization_id, s::id))
        .order_by(s::id)
        .limit(limit)
        .into_boxed();
    let query = match due {
        Due::PeriodEnd => query
            .filter(s::status.eq("active"))
            .filter(s::current_period_end.le(as_of)),
        Due::TrialEnd => query
            .filter(s::status.eq("trial"))
            .filter(s::trial_ends_on.le(as_of)),
        Due::LifecycleStep => {
            // A step is due when the period ended at least this long ago.
            let ended_by = |days: u64| {
                as_of
                    .checked_sub_days(Days::new(days))
                    .unwrap_or(NaiveDate::MIN)
            };
            let grace_over = ended_by(lifecycle::GRACE_DAYS);
            let disabled_over = ended_by(lifecycle::GRACE_DAYS + lifecycle::DISABLED_DAYS);
            query.filter(s::unit_price.is_not_null()).filter(
                s::status
                    .eq("expired")
                    .and(s::current_period_end.le(grace_over))
                    .or(s::status
                        .eq("disabled")
                        .and(s::current_period_end.le(disabled_over))),
            )
        }
    };
    query
        .load::<(String, String)>(conn)?
        .into_iter()
        .map(|(org, id)| {
            Ok((
                org.try_into().map_err(RepoError::corrupt)?,
                id.try_into().map_err(RepoError::corrupt)?,
            ))
        })
        .collect()
}

/// Locks the subscription row until the transaction ends (PostgreSQL; SQLite's
/// write transactions are already exclusive), so that work on one
/// subscription's assignments is serialised while others proceed.
pub fn lock(conn: &mut DbConnection, id: SubscriptionId) -> Result<(), RepoError> {
    diesel::update(s::table.filter(s::id.eq(id.to_string())))
        .set(s::version.eq(s::version))
        .execute(conn)?;
    Ok(())
}
