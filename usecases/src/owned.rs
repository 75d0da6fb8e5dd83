//! What billing profiles and payment methods share: each belongs to one user,
//! is visible to that user only (anyone else gets "not found", never
//! "forbidden", so ids cannot be probed), and every change to it is audited
//! with a summary of what the history may show.

use super::audit::{self, Change};
use crate::error::Error;
use crate::Actor;
use crate::Services;
use chrono::{DateTime, Utc};
use domain::audit::AuditAction;
use domain::{OrganizationId, UserId};
use persistence::{DbConnection, RepoError};

/// A repository's owner lookup `(conn, org, owner, id)`: the record if that
/// user of that organisation owns it (and it is live).
pub type Lookup<T, Id> =
    fn(&mut DbConnection, OrganizationId, UserId, Id) -> Result<Option<T>, RepoError>;

/// A record owned by one user of one organisation.
pub trait Owned: Sized + Send + 'static {
    /// The audit history's `target_type`.
    const TARGET_TYPE: &'static str;
    /// What a miss is called in the 404 problem.
    const NOT_FOUND: &'static str;
    /// Its typed id.
    type Id: Copy + std::fmt::Display + From<uuid::Uuid> + Send + 'static;
    const LOOKUP: Lookup<Self, Self::Id>;

    fn id(&self) -> Self::Id;

    /// What the audit history may say about the record.
    fn summary(&self) -> serde_json::Value;
}

/// The caller's own record `id`; anyone else's is "not found".
pub fn find<T: Owned>(conn: &mut DbConnection, caller: &Actor, id: T::Id) -> Result<T, Error> {
    (T::LOOKUP)(conn, caller.organization_id, caller.user_id, id)?
        .ok_or(Error::NotFound(T::NOT_FOUND))
}

/// [`find`] on a read connection.
pub async fn get<T: Owned>(services: &Services, caller: &Actor, id: T::Id) -> Result<T, Error> {
    let caller = caller.clone();
    services.db.read(move |conn| find(conn, &caller, id)).await
}

/// One write transaction on the caller's record `id`: `work` gets the record
/// as stored (a miss is "not found" before any work) and the time of the change.
pub async fn write<T, R, F>(
    services: &Services,
    caller: &Actor,
    id: T::Id,
    work: F,
) -> Result<R, Error>
where
    T: Owned,
    R: Send + 'static,
    F: FnOnce(&mut DbConnection, &Actor, T, DateTime<Utc>) -> Result<R, Error> + Send + 'static,
{
    services
        .write(caller, move |conn, caller, now| {
            let record = find(conn, caller, id)?;
            work(conn, caller, record, now)
        })
        .await
}

/// A change to an owned record, as the audit history sees it.
pub enum Edit<'a, T> {
    Created(&'a T),
    Updated { before: &'a T, after: &'a T },
    Removed(&'a T),
}

/// Audits a change the owner made, inside the change's transaction.
pub fn record<T: Owned>(
    conn: &mut DbConnection,
    caller: &Actor,
    action: AuditAction,
    edit: Edit<'_, T>,
    at: DateTime<Utc>,
) -> Result<(), Error> {
    let (target, before, after) = match edit {
        Edit::Created(after) => (after, None, Some(after)),
        Edit::Updated { before, after } => (before, Some(before), Some(after)),
        Edit::Removed(before) => (before, Some(before), None),
    };
    audit::record(
        conn,
        Change {
            action,
            target_type: T::TARGET_TYPE,
            target_id: target.id().to_string(),
            subscription_id: None,
            before: before.map(T::summary),
            after: after.map(T::summary),
            caller,
            at,
        },
    )
}
