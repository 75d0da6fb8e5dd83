use crate::connection::DbConnection;
use crate::error::RepoError;
use crate::rows::{AuditEventRow, NewAuditEvent};
use crate::schema::audit_events as a;
use diesel::prelude::*;

pub fn record(conn: &mut DbConnection, event: &NewAuditEvent) -> Result<(), RepoError> {
    diesel::insert_into(a::table).values(event).execute(conn)?;
    Ok(())
}

/// The history of one target, oldest first, keyset-paged on (occurred_at, id).
pub fn for_target(
    conn: &mut DbConnection,
    org: &str,
    target_type: &str,
    target_id: &str,
    after: Option<(chrono::NaiveDateTime, String)>,
    limit: i64,
) -> Result<Vec<AuditEventRow>, RepoError> {
    let mut query = a::table
        .filter(a::organization_id.eq(org))
        .filter(a::target_type.eq(target_type))
        .filter(a::target_id.eq(target_id))
        .order_by((a::occurred_at.asc(), a::id.asc()))
        .select(AuditEventRow::as_select())
        .limit(limit)
        .into_boxed();
    if let Some((at, id)) = after {
        query = query.filter(
            a::occurred_at
                .gt(at)
                .or(a::occurred_at.eq(at).and(a::id.gt(id))),
        );
    }
    Ok(query.load(conn)?)
}
