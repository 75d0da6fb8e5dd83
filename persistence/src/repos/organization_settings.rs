//! An organisation's governance settings: one row, created the first time an
//! admin changes anything (no row reads as every default).

use crate::connection::DbConnection;
use crate::error::RepoError;
use crate::on_backend;
use crate::rows::OrganizationSettingsRow;
use crate::schema::organization_settings as o;
use diesel::prelude::*;
use domain::OrganizationId;

pub fn find(
    conn: &mut DbConnection,
    org: OrganizationId,
) -> Result<Option<OrganizationSettingsRow>, RepoError> {
    Ok(o::table
        .filter(o::organization_id.eq(org.to_string()))
        .select(OrganizationSettingsRow::as_select())
        .get_result(conn)
        .optional()?)
}

/// Stores `row` as the organisation's settings if it has none yet; a row
/// that exists is left alone (a concurrent first writer won, and the caller
/// then updates it under [`lock`]).
pub fn insert_if_absent(
    conn: &mut DbConnection,
    row: &OrganizationSettingsRow,
) -> Result<(), RepoError> {
    on_backend!(conn, |c| diesel::insert_into(o::table)
        .values(row.clone())
        .on_conflict(o::organization_id)
        .do_nothing()
        .execute(c))?;
    Ok(())
}

/// Locks the row for the rest of the transaction (a no-op update), so two
/// admins' PATCHes of different fields are applied one after the other on
/// PostgreSQL instead of the second overwriting the first with what it read.
/// On SQLite the write transaction already holds the database's write lock.
pub fn lock(conn: &mut DbConnection, org: OrganizationId) -> Result<(), RepoError> {
    diesel::update(o::table.filter(o::organization_id.eq(org.to_string())))
        .set(o::version.eq(o::version))
        .execute(conn)?;
    Ok(())
}

/// Replaces the stored settings and moves the version on.
pub fn update(conn: &mut DbConnection, row: &OrganizationSettingsRow) -> Result<(), RepoError> {
    let n = diesel::update(o::table.filter(o::organization_id.eq(row.organization_id.to_string())))
        .set((
            o::default_policy.eq(row.default_policy.as_str()),
            o::license_requests.eq(row.license_requests.as_str()),
            o::license_request_url.eq(&row.license_request_url),
            o::spend_cap_amount.eq(row.spend_cap_amount),
            o::spend_cap_currency.eq(&row.spend_cap_currency),
            o::updated_by.eq(row.updated_by.to_string()),
            o::updated_at.eq(row.updated_at),
            o::version.eq(o::version + 1),
        ))
        .execute(conn)?;
    if n == 1 {
        Ok(())
    } else {
        Err(RepoError::NotFound)
    }
}
