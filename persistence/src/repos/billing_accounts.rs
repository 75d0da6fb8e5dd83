use crate::connection::DbConnection;
use crate::error::RepoError;
use crate::on_backend;
use crate::rows::BillingAccountRow;
use crate::schema::billing_accounts as a;
use diesel::prelude::*;
use domain::{OrganizationId, UserId};

/// Inserts the account unless the owner has one; the unique (organization, owner)
/// makes concurrent first calls converge on one row.
pub fn insert_if_absent(conn: &mut DbConnection, row: &BillingAccountRow) -> Result<(), RepoError> {
    on_backend!(conn, |c| diesel::insert_into(a::table)
        .values(row.clone())
        .on_conflict((a::organization_id, a::owner_id))
        .do_nothing()
        .execute(c))?;
    Ok(())
}

pub fn find_for_owner(
    conn: &mut DbConnection,
    org: OrganizationId,
    owner: UserId,
) -> Result<Option<BillingAccountRow>, RepoError> {
    Ok(a::table
        .filter(a::organization_id.eq(org.to_string()))
        .filter(a::owner_id.eq(owner.to_string()))
        .select(BillingAccountRow::as_select())
        .get_result(conn)
        .optional()?)
}
