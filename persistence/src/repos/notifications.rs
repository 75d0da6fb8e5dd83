//! In-app notifications: written with the event that causes them, read and
//! marked read by their recipient only.

use crate::connection::DbConnection;
use crate::error::RepoError;
use crate::keyset;
use crate::rows::NotificationRow;
use crate::schema::notifications as n;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use domain::ids::NotificationId;
use domain::{EventId, OrganizationId, UserId};

pub fn insert(conn: &mut DbConnection, row: &NotificationRow) -> Result<(), RepoError> {
    diesel::insert_into(n::table)
        .values(row.clone())
        .execute(conn)?;
    Ok(())
}

/// A recipient's notifications, newest first, keyset-paged on (created_at, id).
pub fn for_recipient(
    conn: &mut DbConnection,
    org: OrganizationId,
    recipient: UserId,
    unread_only: bool,
    before: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> Result<Vec<NotificationRow>, RepoError> {
    let mut query = n::table
        .filter(n::organization_id.eq(org.to_string()))
        .filter(n::recipient_id.eq(recipient.to_string()))
        .select(NotificationRow::as_select())
        .into_boxed();
    if unread_only {
        query = query.filter(n::read_at.is_null());
    }
    let query = keyset::page!(
        query,
        descending (n::created_at, n::id),
        before: before,
        limit: limit
    );
    Ok(query.load(conn)?)
}

/// Marks the recipient's notification read (the first time only: a second
/// call keeps the first time) and answers it; `None` when it is not theirs.
pub fn mark_read(
    conn: &mut DbConnection,
    org: OrganizationId,
    recipient: UserId,
    id: NotificationId,
    at: NaiveDateTime,
) -> Result<Option<NotificationRow>, RepoError> {
    let mine = || {
        n::table
            .filter(n::organization_id.eq(org.to_string()))
            .filter(n::recipient_id.eq(recipient.to_string()))
            .filter(n::id.eq(id.to_string()))
    };
    diesel::update(mine().filter(n::read_at.is_null()))
        .set(n::read_at.eq(at))
        .execute(conn)?;
    Ok(mine()
        .select(NotificationRow::as_select())
        .get_result(conn)
        .optional()?)
}

/// The notifications an event caused (for the e-mail delivery).
pub fn for_event(
    conn: &mut DbConnection,
    event: EventId,
) -> Result<Vec<NotificationRow>, RepoError> {
    Ok(n::table
        .filter(n::event_id.eq(event.to_string()))
        .order_by(n::id.asc())
        .select(NotificationRow::as_select())
        .load(conn)?)
}

/// One notification, whoever it is for (the e-mail delivery reads its text).
pub fn find(
    conn: &mut DbConnection,
    id: NotificationId,
) -> Result<Option<NotificationRow>, RepoError> {
    Ok(n::table
        .filter(n::id.eq(id.to_string()))
        .select(NotificationRow::as_select())
        .get_result(conn)
        .optional()?)
}
