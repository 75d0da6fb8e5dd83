use crate::connection::DbConnection;
use crate::error::RepoError;
use crate::keyset;
use crate::on_backend;
use crate::rows::{AuditEventRow, NewAuditEvent};
use crate::schema::audit_events as a;
use diesel::prelude::*;
use domain::OrganizationId;

pub fn record(conn: &mut DbConnection, event: &NewAuditEvent) -> Result<(), RepoError> {
    on_backend!(conn, |c| diesel::insert_into(a::table)
        .values(event.clone())
        .execute(c))?;
    Ok(())
}

/// The history of one target, oldest first, keyset-paged on (occurred_at, id).
pub fn for_target(
    conn: &mut DbConnection,
    org: OrganizationId,
    target_type: &str,
    target_id: &str,
    after: Option<(chrono::NaiveDateTime, String)>,
    limit: i64,
) -> Result<Vec<AuditEventRow>, RepoError> {
    let query = a::table
        .filter(a::organization_id.eq(org.to_string()))
        .filter(a::target_type.eq(target_type))
        .filter(a::target_id.eq(target_id))
        .select(AuditEventRow::as_select())
        .into_boxed();
    let query = keyset::page!(
        query,
        ascending (a::occurred_at, a::id),
        after: after,
        limit: limit
    );
    Ok(query.load(conn)?)
}
