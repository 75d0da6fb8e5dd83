//! Binding license-count quotes (PRODUCT.md §9).

use crate::connection::DbConnection;
use crate::error::RepoError;
use crate::rows::QuoteRow;
use crate::schema::quotes as q;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use domain::{OrganizationId, QuoteId};

pub fn insert(conn: &mut DbConnection, row: &QuoteRow) -> Result<(), RepoError> {
    // serialize_as converts owned values, so the row is inserted by value.
    diesel::insert_into(q::table)
        .values(row.clone())
        .execute(conn)?;
    Ok(())
}

/// A quote of the organisation; another organisation's is "not found".
pub fn find(
    conn: &mut DbConnection,
    org: OrganizationId,
    id: QuoteId,
) -> Result<Option<QuoteRow>, RepoError> {
    Ok(q::table
        .filter(q::organization_id.eq(org.to_string()))
        .filter(q::id.eq(id.to_string()))
        .select(QuoteRow::as_select())
        .get_result(conn)
        .optional()?)
}

/// Forgets quotes that expired before `before`; returns how many.
pub fn purge_expired_before(
    conn: &mut DbConnection,
    before: NaiveDateTime,
) -> Result<usize, RepoError> {
    Ok(diesel::delete(q::table.filter(q::expires_at.lt(before))).execute(conn)?)
}
