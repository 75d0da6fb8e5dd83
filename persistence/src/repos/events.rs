//! The outbox: events are inserted in the transaction of the change they
//! record, and read back in the order they happened.

use crate::connection::DbConnection;
use crate::error::RepoError;
use crate::keyset;
use crate::rows::EventRow;
use crate::schema::events as e;
use diesel::prelude::*;
use domain::OrganizationId;

pub fn insert(conn: &mut DbConnection, event: &EventRow) -> Result<(), RepoError> {
    diesel::insert_into(e::table)
        .values(event.clone())
        .execute(conn)?;
    Ok(())
}

/// An organisation's events, oldest first, keyset-paged on (created_at, id).
pub fn for_organization(
    conn: &mut DbConnection,
    org: OrganizationId,
    after: Option<(chrono::NaiveDateTime, String)>,
    limit: i64,
) -> Result<Vec<EventRow>, RepoError> {
    let query = e::table
        .filter(e::organization_id.eq(org.to_string()))
        .select(EventRow::as_select())
        .into_boxed();
    let query = keyset::page!(
        query,
        ascending (e::created_at, e::id),
        after: after,
        limit: limit
    );
    Ok(query.load(conn)?)
}
