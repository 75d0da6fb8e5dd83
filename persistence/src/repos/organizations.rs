use crate::connection::DbConnection;
use crate::error::RepoError;
use crate::on_backend;
use crate::rows::NewOrganization;
use crate::schema::organizations;
use diesel::prelude::*;

/// Creates the organisation row the first time one of its members is seen.
pub fn ensure(conn: &mut DbConnection, org: &NewOrganization) -> Result<(), RepoError> {
    on_backend!(conn, |c| diesel::insert_into(organizations::table)
        .values(org.clone())
        .on_conflict(organizations::id)
        .do_nothing()
        .execute(c))?;
    Ok(())
}
