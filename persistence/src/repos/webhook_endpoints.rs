//! An organisation's webhook endpoints.

use crate::connection::DbConnection;
use crate::error::RepoError;
use crate::keyset;
use crate::rows::{WebhookEndpointChanges, WebhookEndpointRow};
use crate::schema::webhook_endpoints as w;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use domain::ids::WebhookEndpointId;
use domain::OrganizationId;

pub fn insert(conn: &mut DbConnection, row: &WebhookEndpointRow) -> Result<(), RepoError> {
    diesel::insert_into(w::table)
        .values(row.clone())
        .execute(conn)?;
    Ok(())
}

pub fn find(
    conn: &mut DbConnection,
    org: OrganizationId,
    id: WebhookEndpointId,
) -> Result<Option<WebhookEndpointRow>, RepoError> {
    Ok(w::table
        .filter(w::organization_id.eq(org.to_string()))
        .filter(w::id.eq(id.to_string()))
        .select(WebhookEndpointRow::as_select())
        .get_result(conn)
        .optional()?)
}

/// Newest first, keyset on (created_at, id).
pub fn list(
    conn: &mut DbConnection,
    org: OrganizationId,
    before: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> Result<Vec<WebhookEndpointRow>, RepoError> {
    let query = w::table
        .filter(w::organization_id.eq(org.to_string()))
        .select(WebhookEndpointRow::as_select())
        .into_boxed();
    let query = keyset::page!(
        query,
        descending (w::created_at, w::id),
        before: before,
        limit: limit
    );
    Ok(query.load(conn)?)
}

/// The organisation's enabled endpoints, for fanning an event out.
pub fn enabled(
    conn: &mut DbConnection,
    org: OrganizationId,
) -> Result<Vec<WebhookEndpointRow>, RepoError> {
    Ok(w::table
        .filter(w::organization_id.eq(org.to_string()))
        .filter(w::enabled.eq(true))
        .select(WebhookEndpointRow::as_select())
        .load(conn)?)
}

/// Endpoints by id, whatever their organisation (the worker's view).
pub fn by_ids(
    conn: &mut DbConnection,
    ids: &[WebhookEndpointId],
) -> Result<Vec<WebhookEndpointRow>, RepoError> {
    Ok(w::table
        .filter(w::id.eq_any(crate::typed::texts(ids)))
        .select(WebhookEndpointRow::as_select())
        .load(conn)?)
}

/// Returns whether the endpoint existed in the organisation.
pub fn update(
    conn: &mut DbConnection,
    org: OrganizationId,
    id: WebhookEndpointId,
    changes: &WebhookEndpointChanges,
) -> Result<bool, RepoError> {
    let n = diesel::update(
        w::table
            .filter(w::organization_id.eq(org.to_string()))
            .filter(w::id.eq(id.to_string())),
    )
    .set(changes.clone())
    .execute(conn)?;
    Ok(n == 1)
}

/// A new current secret; the old one signs until `previous_expires_at`.
pub fn set_secrets(
    conn: &mut DbConnection,
    id: WebhookEndpointId,
    secrets: &domain::webhook::SigningSecrets,
    at: NaiveDateTime,
) -> Result<(), RepoError> {
    let (previous, expires) = match &secrets.previous {
        Some((secret, until)) => (Some(secret.clone()), Some(until.naive_utc())),
        None => (None, None),
    };
    diesel::update(w::table.filter(w::id.eq(id.to_string())))
        .set((
            w::secret.eq(&secrets.current),
            w::previous_secret.eq(previous),
            w::previous_secret_expires_at.eq(expires),
            w::updated_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Deletes the endpoint and, with it, its deliveries and their log.
pub fn delete(
    conn: &mut DbConnection,
    org: OrganizationId,
    id: WebhookEndpointId,
) -> Result<bool, RepoError> {
    let n = diesel::delete(
        w::table
            .filter(w::organization_id.eq(org.to_string()))
            .filter(w::id.eq(id.to_string())),
    )
    .execute(conn)?;
    Ok(n == 1)
}

/// A success: the endpoint is healthy again.
pub fn mark_healthy(conn: &mut DbConnection, id: WebhookEndpointId) -> Result<(), RepoError> {
    diesel::update(
        w::table
            .filter(w::id.eq(id.to_string()))
            .filter(w::failing_since.is_not_null()),
    )
    .set(w::failing_since.eq(None::<NaiveDateTime>))
    .execute(conn)?;
    Ok(())
}

/// A failure: failing since `since` (kept when already failing).
pub fn mark_failing(
    conn: &mut DbConnection,
    id: WebhookEndpointId,
    since: NaiveDateTime,
) -> Result<(), RepoError> {
    diesel::update(
        w::table
            .filter(w::id.eq(id.to_string()))
            .filter(w::failing_since.is_null()),
    )
    .set(w::failing_since.eq(Some(since)))
    .execute(conn)?;
    Ok(())
}

/// Switches a failing endpoint off; returns whether this call did (so its
/// admins are told once).
pub fn disable_failing(
    conn: &mut DbConnection,
    id: WebhookEndpointId,
    at: NaiveDateTime,
) -> Result<bool, RepoError> {
    let n = diesel::update(
        w::table
            .filter(w::id.eq(id.to_string()))
            .filter(w::enabled.eq(true)),
    )
    .set((
        w::enabled.eq(false),
        w::disabled_reason.eq(Some("failing")),
        w::updated_at.eq(at),
    ))
    .execute(conn)?;
    Ok(n == 1)
}
