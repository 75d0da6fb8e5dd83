//! The outbox: events are inserted in the transaction of the change they
//! record, and read back in the order they happened.

use crate::connection::DbConnection;
use crate::error::RepoError;
use crate::keyset;
use crate::on_backend;
use crate::rows::EventRow;
use crate::schema::events as e;
use diesel::prelude::*;
use domain::OrganizationId;

pub fn insert(conn: &mut DbConnection, event: &EventRow) -> Result<(), RepoError> {
    on_backend!(conn, |c| diesel::insert_into(e::table)
        .values(event.clone())
        .execute(c))?;
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

/// The oldest undispatched events, up to `limit`, for the dispatcher. Run it
/// in the write transaction that fans them out and marks them dispatched: on
/// PostgreSQL concurrent dispatchers skip each other's locked rows; on SQLite
/// the write lock serialises them.
pub fn claim_undispatched(conn: &mut DbConnection, limit: i64) -> Result<Vec<EventRow>, RepoError> {
    macro_rules! undispatched {
        () => {
            e::table
                .filter(e::dispatched_at.is_null())
                .order((e::created_at.asc(), e::id.asc()))
                .limit(limit)
                .select(EventRow::as_select())
        };
    }
    Ok(match conn {
        DbConnection::Pg(c) => undispatched!().for_update().skip_locked().load(c)?,
        DbConnection::Sqlite(c) => undispatched!().load(c)?,
    })
}

pub fn mark_dispatched(
    conn: &mut DbConnection,
    ids: &[domain::EventId],
    at: chrono::NaiveDateTime,
) -> Result<(), RepoError> {
    diesel::update(e::table.filter(e::id.eq_any(crate::typed::texts(ids))))
        .set(e::dispatched_at.eq(Some(at)))
        .execute(conn)?;
    Ok(())
}

/// Events by id, whatever their organisation (the worker's view).
pub fn by_ids(
    conn: &mut DbConnection,
    ids: &[domain::EventId],
) -> Result<Vec<EventRow>, RepoError> {
    Ok(e::table
        .filter(e::id.eq_any(crate::typed::texts(ids)))
        .select(EventRow::as_select())
        .load(conn)?)
}

/// Whether any event waits for dispatch: a read, so that an idle worker
/// never takes the write lock.
pub fn any_undispatched(conn: &mut DbConnection) -> Result<bool, RepoError> {
    Ok(diesel::select(diesel::dsl::exists(
        e::table.filter(e::dispatched_at.is_null()),
    ))
    .get_result(conn)?)
}
