//! License requests and the users each names.

use crate::connection::DbConnection;
use crate::error::RepoError;
use crate::keyset;
use crate::rows::{LicenseRequestRow, LicenseRequestUserRow, StoredLicenseRequest};
use crate::schema::{license_request_users as u, license_requests as r};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use domain::governance::LicenseRequestStatus;
use domain::ids::LicenseRequestId;
use domain::{OrganizationId, ProductId, UserId};
use std::collections::HashMap;

/// Inserts a request and its users (in the caller's transaction). A second
/// pending request of the requester for the product is
/// `Unique(Constraint::OnePendingRequest)`.
pub fn insert(conn: &mut DbConnection, stored: &StoredLicenseRequest) -> Result<(), RepoError> {
    diesel::insert_into(r::table)
        .values(stored.request.clone())
        .execute(conn)?;
    // One statement per user (at most 20): the multi-backend connection
    // has no batch insert.
    for user in &stored.users {
        diesel::insert_into(u::table)
            .values(user.clone())
            .execute(conn)?;
    }
    Ok(())
}

pub fn find(
    conn: &mut DbConnection,
    org: OrganizationId,
    id: LicenseRequestId,
) -> Result<Option<StoredLicenseRequest>, RepoError> {
    let id = id.to_string();
    let Some(request) = r::table
        .filter(r::organization_id.eq(org.to_string()))
        .filter(r::id.eq(&id))
        .select(LicenseRequestRow::as_select())
        .get_result(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let users = u::table
        .filter(u::request_id.eq(&id))
        .select(LicenseRequestUserRow::as_select())
        .load(conn)?;
    Ok(Some(StoredLicenseRequest { request, users }))
}

/// The id of the requester's pending request for the product, if any.
pub fn pending_id(
    conn: &mut DbConnection,
    org: OrganizationId,
    requester: UserId,
    product: ProductId,
) -> Result<Option<LicenseRequestId>, RepoError> {
    let id: Option<String> = r::table
        .filter(r::organization_id.eq(org.to_string()))
        .filter(r::requester_id.eq(requester.to_string()))
        .filter(r::product_id.eq(product.to_string()))
        .filter(r::status.eq("pending"))
        .select(r::id)
        .first(conn)
        .optional()?;
    id.map(|id| LicenseRequestId::try_from(id).map_err(RepoError::corrupt))
        .transpose()
}

/// List filters; `requester` is `None` only for the admins' organisation-wide view.
#[derive(Default, Clone, Debug)]
pub struct Filter {
    pub requester: Option<UserId>,
    pub status: Option<LicenseRequestStatus>,
    pub product: Option<ProductId>,
}

/// Newest first, keyset on (created_at, id), each request with its users.
pub fn list(
    conn: &mut DbConnection,
    org: OrganizationId,
    filter: &Filter,
    before: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> Result<Vec<StoredLicenseRequest>, RepoError> {
    let mut query = r::table
        .filter(r::organization_id.eq(org.to_string()))
        .select(LicenseRequestRow::as_select())
        .into_boxed();
    if let Some(requester) = filter.requester {
        query = query.filter(r::requester_id.eq(requester.to_string()));
    }
    if let Some(status) = filter.status {
        query = query.filter(r::status.eq(status.as_str()));
    }
    if let Some(product) = filter.product {
        query = query.filter(r::product_id.eq(product.to_string()));
    }
    let query = keyset::page!(
        query,
        descending (r::created_at, r::id),
        before: before,
        limit: limit
    );
    let requests: Vec<LicenseRequestRow> = query.load(conn)?;
    let ids: Vec<String> = requests.iter().map(|q| q.id.to_string()).collect();
    let mut users: HashMap<LicenseRequestId, Vec<LicenseRequestUserRow>> = HashMap::new();
    for row in u::table
        .filter(u::request_id.eq_any(&ids))
        .select(LicenseRequestUserRow::as_select())
        .load::<LicenseRequestUserRow>(conn)?
    {
        users.entry(row.request_id).or_default().push(row);
    }
    Ok(requests
        .into_iter()
        .map(|request| StoredLicenseRequest {
            users: users.remove(&request.id).unwrap_or_default(),
            request,
        })
        .collect())
}

/// Records a decision, only if the request is still pending: two admins
/// deciding at once cannot both win. Returns whether this one did.
pub fn decide(conn: &mut DbConnection, stored: &StoredLicenseRequest) -> Result<bool, RepoError> {
    let row = &stored.request;
    let n = diesel::update(
        r::table
            .filter(r::id.eq(row.id.to_string()))
            .filter(r::status.eq(LicenseRequestStatus::Pending.as_str())),
    )
    .set((
        r::status.eq(row.status.as_str()),
        r::decided_by.eq(row.decided_by.map(|u| u.to_string())),
        r::decided_at.eq(row.decided_at),
        r::decision_subscription_id.eq(row.decision_subscription_id.map(|s| s.to_string())),
        r::decision_message.eq(&row.decision_message),
    ))
    .execute(conn)?;
    if n != 1 {
        return Ok(false);
    }
    for user in &stored.users {
        diesel::update(
            u::table
                .filter(u::request_id.eq(user.request_id.to_string()))
                .filter(u::user_id.eq(user.user_id.to_string())),
        )
        .set(u::outcome.eq(user.outcome.as_str()))
        .execute(conn)?;
    }
    Ok(true)
}

/// Deletes requests filed before `cutoff` (their users go with them);
/// returns how many.
pub fn purge(conn: &mut DbConnection, cutoff: NaiveDateTime) -> Result<usize, RepoError> {
    Ok(diesel::delete(r::table.filter(r::created_at.lt(cutoff))).execute(conn)?)
}
