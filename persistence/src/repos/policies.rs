use crate::connection::DbConnection;
use crate::error::RepoError;
use crate::on_backend;
use crate::rows::PolicyRow;
use crate::schema::self_service_policies as p;
use diesel::prelude::*;
use diesel::upsert::excluded;
use domain::{OrganizationId, ProductId};

pub fn find(
    conn: &mut DbConnection,
    org: OrganizationId,
    product: ProductId,
) -> Result<Option<PolicyRow>, RepoError> {
    Ok(p::table
        .filter(p::organization_id.eq(org.to_string()))
        .filter(p::product_id.eq(product.to_string()))
        .select(PolicyRow::as_select())
        .get_result(conn)
        .optional()?)
}

pub fn all_for_organization(
    conn: &mut DbConnection,
    org: OrganizationId,
) -> Result<Vec<PolicyRow>, RepoError> {
    Ok(p::table
        .filter(p::organization_id.eq(org.to_string()))
        .select(PolicyRow::as_select())
        .load(conn)?)
}

pub fn upsert(conn: &mut DbConnection, row: &PolicyRow) -> Result<(), RepoError> {
    on_backend!(conn, |c| diesel::insert_into(p::table)
        .values(row.clone())
        .on_conflict((p::organization_id, p::product_id))
        .do_update()
        .set((
            p::policy.eq(excluded(p::policy)),
            p::updated_by.eq(excluded(p::updated_by)),
            p::updated_at.eq(excluded(p::updated_at)),
        ))
        .execute(c))?;
    Ok(())
}
