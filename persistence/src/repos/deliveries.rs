//! The delivery queue (every channel) and its attempt log. The worker's claim
//! is the one place deliveries are taken: due, unleased (or with a lease run
//! out), and not for a switched-off endpoint.

use crate::connection::DbConnection;
use crate::error::RepoError;
use crate::keyset;
use crate::rows::{DeliveryAttemptRow, DeliveryRow};
use crate::schema::{deliveries as d, delivery_attempts as a, events as e, webhook_endpoints as w};
use crate::typed;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use domain::delivery::DeliveryStatus;
use domain::event::EventType;
use domain::ids::{DeliveryId, WebhookEndpointId};
use std::collections::HashMap;

pub fn insert(conn: &mut DbConnection, row: &DeliveryRow) -> Result<(), RepoError> {
    diesel::insert_into(d::table)
        .values(row.clone())
        .execute(conn)?;
    Ok(())
}

/// Who claims, when, and until when the claim holds.
#[derive(Debug, Clone)]
pub struct Lease {
    pub owner: String,
    pub now: NaiveDateTime,
    pub until: NaiveDateTime,
}

/// The due deliveries' ids, oldest due first. A macro because the same query
/// is loaded with `FOR UPDATE SKIP LOCKED` on PostgreSQL and without it on
/// SQLite (which has no row locks; the caller's `BEGIN IMMEDIATE` is the lock).
macro_rules! due_ids {
    ($now:expr, $limit:expr) => {
        d::table
            .filter(d::status.eq(DeliveryStatus::Pending.as_str()))
            .filter(d::next_attempt_at.le($now))
            .filter(d::leased_until.is_null().or(d::leased_until.lt($now)))
            .filter(
                d::endpoint_id.is_null().or(d::endpoint_id.eq_any(
                    w::table
                        .filter(w::enabled.eq(true))
                        .select(w::id.nullable()),
                )),
            )
            .order((d::next_attempt_at.asc(), d::id.asc()))
            .limit($limit)
            .select(d::id)
    };
}

/// Whether anything is due at `now`: a read, so that an idle worker never
/// takes the write lock.
pub fn any_due(conn: &mut DbConnection, now: NaiveDateTime) -> Result<bool, RepoError> {
    Ok(diesel::select(diesel::dsl::exists(due_ids!(now, 1))).get_result(conn)?)
}

/// Claims up to `limit` due deliveries for `lease.owner` until `lease.until`.
/// Run it in a write transaction: on PostgreSQL, concurrent claimers skip
/// each other's locked rows instead of waiting (so replicas split the work),
/// and the lease keeps them off the claimed ones after commit; on SQLite the
/// write lock serialises claimers.
pub fn claim_due(
    conn: &mut DbConnection,
    lease: &Lease,
    limit: i64,
) -> Result<Vec<DeliveryRow>, RepoError> {
    let now = lease.now;
    let ids: Vec<String> = match conn {
        DbConnection::Pg(c) => due_ids!(now, limit).for_update().skip_locked().load(c)?,
        DbConnection::Sqlite(c) => due_ids!(now, limit).load(c)?,
    };
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    diesel::update(d::table.filter(d::id.eq_any(&ids)))
        .set((
            d::lease_owner.eq(Some(&lease.owner)),
            d::leased_until.eq(Some(lease.until)),
        ))
        .execute(conn)?;
    Ok(d::table
        .filter(d::id.eq_any(&ids))
        .order((d::next_attempt_at.asc(), d::id.asc()))
        .select(DeliveryRow::as_select())
        .load(conn)?)
}

/// Gives back every pending delivery `owner` holds (a worker shutting down
/// before sending them), so another worker can take them at once.
pub fn release(conn: &mut DbConnection, owner: &str) -> Result<usize, RepoError> {
    Ok(diesel::update(
        d::table
            .filter(d::lease_owner.eq(owner))
            .filter(d::status.eq(DeliveryStatus::Pending.as_str())),
    )
    .set((
        d::lease_owner.eq(None::<String>),
        d::leased_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?)
}

/// Where a delivery stands after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settled {
    Delivered { at: NaiveDateTime },
    RetryAt(NaiveDateTime),
    Failed,
}

/// Records an attempt and its outcome, only while `owner` still holds the
/// delivery (a worker whose lease ran out and was taken over records
/// nothing; nor does one whose delivery went with its endpoint). Returns
/// whether it was recorded.
pub fn settle(
    conn: &mut DbConnection,
    owner: &str,
    attempt: &DeliveryAttemptRow,
    outcome: Settled,
) -> Result<bool, RepoError> {
    let (status, next, delivered_at) = match outcome {
        Settled::Delivered { at } => (DeliveryStatus::Delivered, None, Some(at)),
        Settled::RetryAt(at) => (DeliveryStatus::Pending, Some(at), None),
        Settled::Failed => (DeliveryStatus::Failed, None, None),
    };
    let target = d::table
        .filter(d::id.eq(attempt.delivery_id.to_string()))
        .filter(d::lease_owner.eq(owner));
    let n = match next {
        Some(next) => diesel::update(target)
            .set((
                d::status.eq(status.as_str()),
                d::attempts.eq(d::attempts + 1),
                d::next_attempt_at.eq(next),
                d::delivered_at.eq(delivered_at),
                d::lease_owner.eq(None::<String>),
                d::leased_until.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)?,
        None => diesel::update(target)
            .set((
                d::status.eq(status.as_str()),
                d::attempts.eq(d::attempts + 1),
                d::delivered_at.eq(delivered_at),
                d::lease_owner.eq(None::<String>),
                d::leased_until.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)?,
    };
    if n != 1 {
        return Ok(false);
    }
    diesel::insert_into(a::table)
        .values(attempt.clone())
        .execute(conn)?;
    Ok(true)
}

/// Gives up every pending delivery of an endpoint (it was switched off for failing).
pub fn fail_pending_of(
    conn: &mut DbConnection,
    endpoint: WebhookEndpointId,
) -> Result<usize, RepoError> {
    Ok(diesel::update(
        d::table
            .filter(d::endpoint_id.eq(endpoint.to_string()))
            .filter(d::status.eq(DeliveryStatus::Pending.as_str())),
    )
    .set((
        d::status.eq(DeliveryStatus::Failed.as_str()),
        d::lease_owner.eq(None::<String>),
        d::leased_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?)
}

/// One of an endpoint's deliveries.
pub fn find_for_endpoint(
    conn: &mut DbConnection,
    endpoint: WebhookEndpointId,
    id: DeliveryId,
) -> Result<Option<DeliveryRow>, RepoError> {
    Ok(d::table
        .filter(d::endpoint_id.eq(endpoint.to_string()))
        .filter(d::id.eq(id.to_string()))
        .select(DeliveryRow::as_select())
        .get_result(conn)
        .optional()?)
}

/// A delivery as its endpoint's log shows it: with its event's type and attempts, oldest first.
#[derive(Debug, Clone)]
pub struct Logged {
    pub delivery: DeliveryRow,
    pub event_type: EventType,
    pub attempts: Vec<DeliveryAttemptRow>,
}

/// An endpoint's deliveries, newest first, keyset on (created_at, id).
pub fn log_of_endpoint(
    conn: &mut DbConnection,
    endpoint: WebhookEndpointId,
    before: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> Result<Vec<Logged>, RepoError> {
    let query = d::table
        .filter(d::endpoint_id.eq(endpoint.to_string()))
        .select(DeliveryRow::as_select())
        .into_boxed();
    let rows: Vec<DeliveryRow> = keyset::page!(
        query,
        descending (d::created_at, d::id),
        before: before,
        limit: limit
    )
    .load(conn)?;
    let event_ids = typed::texts(&rows.iter().map(|r| r.event_id).collect::<Vec<_>>());
    let types: HashMap<String, String> = e::table
        .filter(e::id.eq_any(&event_ids))
        .select((e::id, e::event_type))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let ids = typed::texts(&rows.iter().map(|r| r.id).collect::<Vec<_>>());
    let mut attempts: HashMap<DeliveryId, Vec<DeliveryAttemptRow>> = HashMap::new();
    for attempt in a::table
        .filter(a::delivery_id.eq_any(&ids))
        .order((a::attempted_at.asc(), a::id.asc()))
        .select(DeliveryAttemptRow::as_select())
        .load::<DeliveryAttemptRow>(conn)?
    {
        attempts
            .entry(attempt.delivery_id)
            .or_default()
            .push(attempt);
    }
    rows.into_iter()
        .map(|delivery| {
            let stored = types
                .get(&delivery.event_id.to_string())
                .cloned()
                .unwrap_or_default();
            let event_type = EventType::try_from(stored).map_err(RepoError::corrupt)?;
            Ok(Logged {
                attempts: attempts.remove(&delivery.id).unwrap_or_default(),
                event_type,
                delivery,
            })
        })
        .collect()
}
