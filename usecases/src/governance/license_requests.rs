//! License requests (PRODUCT.md §7): a member asks the organisation for
//! licenses for themselves or co-workers; an admin approves all or some of
//! them from a subscription they manage, or denies; decided once.

use super::settings;
use crate::assignments::assign_in;
use crate::audit::{self, Change};
use crate::error::{Conflict, Error, Forbidden, Invalid};
use crate::page::Page;
use crate::{Actor, Origin, Outbox, Services};
use chrono::{DateTime, NaiveDateTime, Utc};
use domain::assignment::AssignmentBatch;
use domain::audit::AuditAction;
use domain::catalog::Catalog;
use domain::event::EventType;
use domain::governance::{
    DecideError, LicenseRequest, LicenseRequestRefusal, LicenseRequestStatus, RequestMessage,
};
use domain::ids::LicenseRequestId;
use domain::{ProductId, SubscriptionId, UserId};
use persistence::repos::{license_requests as repo, subscriptions, users};
use persistence::rows::StoredLicenseRequest;
use persistence::{write_transaction, Constraint, DbConnection, RepoError};
use std::collections::HashSet;
use std::sync::Arc;

/// A member's request as asked.
#[derive(Debug, Clone)]
pub struct NewLicenseRequest {
    pub product_id: ProductId,
    /// 1 to 20 members; the caller when `None`.
    pub user_ids: Option<Vec<UserId>>,
    pub message: Option<String>,
}

/// An admin's approval.
#[derive(Debug, Clone)]
pub struct Approval {
    pub subscription_id: SubscriptionId,
    /// The requested users to approve; every one when `None`.
    pub user_ids: Option<Vec<UserId>>,
    pub message: Option<String>,
}

/// A request with the name its representation shows.
pub struct RequestView {
    pub request: LicenseRequest,
    pub product_name: String,
}

pub(crate) fn view(catalog: &Catalog, request: LicenseRequest) -> RequestView {
    let product_name = catalog
        .get(request.product_id())
        .map(|p| p.name().to_owned())
        .unwrap_or_else(|| "Unknown product".to_owned());
    RequestView {
        request,
        product_name,
    }
}

fn message(raw: Option<&str>) -> Result<Option<RequestMessage>, Error> {
    RequestMessage::parse_optional(raw).map_err(|e| Error::invalid_field("message", e))
}

fn batch(users: Vec<UserId>) -> Result<AssignmentBatch, Error> {
    AssignmentBatch::parse(users).map_err(|error| {
        Invalid::Batch {
            field: "user_ids",
            error,
        }
        .into()
    })
}

fn pending_conflict(
    conn: &mut DbConnection,
    caller: &Actor,
    product: ProductId,
) -> Result<Error, Error> {
    let existing = repo::pending_id(conn, caller.organization_id, caller.user_id, product)?;
    Ok(match existing {
        Some(existing) => Conflict::LicenseRequestPending {
            existing_id: existing.to_string(),
        }
        .into(),
        None => Error::internal("pending request vanished"),
    })
}

/// Files a request (any member), unless the organisation takes requests
/// elsewhere or not at all.
pub async fn create(
    services: &Services,
    caller: &Actor,
    ask: NewLicenseRequest,
) -> Result<RequestView, Error> {
    services
        .catalog
        .get(ask.product_id)
        .ok_or(Invalid::Reference {
            field: "product_id",
            what: "catalog's products",
        })?;
    let users = batch(ask.user_ids.unwrap_or_else(|| vec![caller.user_id]))?;
    let note = message(ask.message.as_deref())?;
    let now = services.clock.now();
    let (who, catalog, outbox) = (
        caller.clone(),
        services.catalog.clone(),
        services.outbox.clone(),
    );
    let product = ask.product_id;
    services
        .db
        .run(move |conn| {
            let filed = write_transaction(conn, |conn| {
                file_in(conn, &who, &outbox, product, &users, note, now)
            });
            match filed {
                // Two asks at once: the database let one through; name it.
                Err(Error::Storage(RepoError::Unique(Constraint::OnePendingRequest))) => {
                    Err(pending_conflict(conn, &who, product)?)
                }
                other => other.map(|request| view(&catalog, request)),
            }
        })
        .await
}

fn file_in(
    conn: &mut DbConnection,
    caller: &Actor,
    outbox: &Outbox,
    product: ProductId,
    users: &AssignmentBatch,
    note: Option<RequestMessage>,
    now: DateTime<Utc>,
) -> Result<LicenseRequest, Error> {
    let org = caller.organization_id;
    settings::load(conn, org)?
        .check_license_request()
        .map_err(|refusal| match refusal {
            LicenseRequestRefusal::Disabled => Forbidden::LicenseRequestsDisabled,
            LicenseRequestRefusal::External(url) => Forbidden::LicenseRequestsExternal {
                url: url.as_str().to_owned(),
            },
        })?;
    let members: HashSet<UserId> = users::members_among(conn, org, users.users())?
        .into_iter()
        .collect();
    let strangers: Vec<String> = users
        .users()
        .iter()
        .filter(|u| !members.contains(u))
        .map(ToString::to_string)
        .collect();
    if !strangers.is_empty() {
        return Err(Invalid::UsersNotInOrganization {
            field: "user_ids",
            count: strangers.len(),
            user_ids: strangers,
        }
        .into());
    }
    if repo::pending_id(conn, org, caller.user_id, product)?.is_some() {
        return Err(pending_conflict(conn, caller, product)?);
    }
    let request = LicenseRequest::file(
        LicenseRequestId::new_random(),
        caller.organization_id,
        caller.user_id,
        product,
        users,
        note,
        now,
    );
    repo::insert(conn, &StoredLicenseRequest::from(&request))?;
    record(
        conn,
        caller,
        outbox,
        AuditAction::LicenseRequested,
        &request,
        now,
    )?;
    Ok(request)
}

/// Records a request filed or decided: its audit entry and its event (which
/// notifies the admins, or the requester, PRODUCT.md §8).
fn record(
    conn: &mut DbConnection,
    caller: &Actor,
    outbox: &Outbox,
    action: AuditAction,
    request: &LicenseRequest,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let kind = match action {
        AuditAction::LicenseRequested => EventType::LicenseRequestCreated,
        _ => EventType::LicenseRequestDecided,
    };
    outbox.license_request(conn, &Origin::of(caller, now), kind, request)?;
    audit::record(
        conn,
        Change {
            action,
            target_type: "license_request",
            target_id: request.id().to_string(),
            subscription_id: request.decision().and_then(|d| d.subscription_id),
            before: None,
            after: Some(serde_json::json!({
                "status": request.status().as_str(),
                "requester_id": request.requester_id().to_string(),
                "product_id": request.product_id().to_string(),
                "user_ids": request.users().iter().map(|u| u.user_id.to_string()).collect::<Vec<_>>(),
                "approved_user_ids": request.approved_users().iter().map(ToString::to_string).collect::<Vec<_>>(),
            })),
            caller,
            at: now,
        },
    )
}

/// A request the caller may see: their own, or any of the organisation's for an admin.
fn load_visible(
    conn: &mut DbConnection,
    caller: &Actor,
    id: LicenseRequestId,
) -> Result<LicenseRequest, Error> {
    let stored =
        repo::find(conn, caller.organization_id, id)?.ok_or(Error::NotFound("license request"))?;
    let request = LicenseRequest::try_from(stored)?;
    if request.requester_id() != caller.user_id && !caller.is_admin() {
        return Err(Error::NotFound("license request"));
    }
    Ok(request)
}

pub async fn get(
    services: &Services,
    caller: &Actor,
    id: LicenseRequestId,
) -> Result<RequestView, Error> {
    let (who, catalog) = (caller.clone(), services.catalog.clone());
    services
        .db
        .read(move |conn| Ok(view(&catalog, load_visible(conn, &who, id)?)))
        .await
}

/// Filters of the list; members always see only their own.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub status: Option<LicenseRequestStatus>,
    pub product_id: Option<ProductId>,
}

pub async fn list(
    services: &Services,
    caller: &Actor,
    filter: ListFilter,
    page: Page<(NaiveDateTime, String)>,
) -> Result<(Vec<RequestView>, Option<String>), Error> {
    let org = caller.organization_id;
    let repo_filter = repo::Filter {
        requester: (!caller.is_admin()).then_some(caller.user_id),
        status: filter.status,
        product: filter.product_id,
    };
    let catalog = services.catalog.clone();
    let (limit, before) = (page.fetch_limit(), page.after.clone());
    services
        .db
        .read(move |conn| {
            let rows = repo::list(conn, org, &repo_filter, before, limit)?;
            let (rows, next) =
                page.finish(rows, |r| (r.request.created_at, r.request.id.to_string()));
            let views = rows
                .into_iter()
                .map(|r| Ok(view(&catalog, LicenseRequest::try_from(r)?)))
                .collect::<Result<Vec<_>, Error>>()?;
            Ok((views, next))
        })
        .await
}

fn decided(e: DecideError) -> Error {
    match e {
        DecideError::AlreadyDecided { status } => Conflict::LicenseRequestDecided {
            status: status.as_str().to_owned(),
        }
        .into(),
        DecideError::NotRequested(users) => Invalid::UsersNotRequested {
            user_ids: users.iter().map(ToString::to_string).collect(),
        }
        .into(),
    }
}

/// Records the decision only if nobody decided first (a conditional write).
fn store_decision(conn: &mut DbConnection, request: &LicenseRequest) -> Result<(), Error> {
    if !repo::decide(conn, &StoredLicenseRequest::from(request))? {
        return Err(Conflict::LicenseRequestDecided {
            status: "decided".to_owned(),
        }
        .into());
    }
    Ok(())
}

/// Approves all or some of the requested users (admins only), assigning
/// them licenses of `subscription_id` all or nothing; the others are denied.
pub async fn approve(
    services: &Services,
    caller: &Actor,
    id: LicenseRequestId,
    approval: Approval,
) -> Result<RequestView, Error> {
    caller.require_admin()?;
    let subset = approval.user_ids.map(batch).transpose()?;
    let note = message(approval.message.as_deref())?;
    let now = services.clock.now();
    let (who, catalog, outbox) = (
        caller.clone(),
        services.catalog.clone(),
        services.outbox.clone(),
    );
    services
        .db
        .run(move |conn| {
            write_transaction(conn, |conn| {
                let mut request = load_visible(conn, &who, id)?;
                let subscription = approval.subscription_id;
                check_subscription(conn, &who, subscription, request.product_id())?;
                let approved = request
                    .approve(subset.as_ref(), subscription, who.user_id, note, now)
                    .map_err(decided)?;
                store_decision(conn, &request)?;
                let users = batch(approved)?;
                assign_in(conn, &who, &outbox, subscription, &users, now).map_err(|e| match e {
                    Error::NotFound(_) | Error::Forbidden(_) => not_managed(),
                    other => other,
                })?;
                record(
                    conn,
                    &who,
                    &outbox,
                    AuditAction::LicenseRequestDecided,
                    &request,
                    now,
                )?;
                Ok(view(&catalog, request))
            })
        })
        .await
}

fn not_managed() -> Error {
    Invalid::Reference {
        field: "subscription_id",
        what: "live subscriptions of this product that you manage",
    }
    .into()
}

/// The subscription licenses come from: in the organisation, of the
/// requested product (its management and liveness are checked by the assignment).
fn check_subscription(
    conn: &mut DbConnection,
    caller: &Actor,
    id: SubscriptionId,
    product: ProductId,
) -> Result<(), Error> {
    let row = subscriptions::find(conn, caller.organization_id, id)?.ok_or_else(not_managed)?;
    if row.product_id != product {
        return Err(not_managed());
    }
    Ok(())
}

/// Denies every requested user (admins only).
pub async fn deny(
    services: &Services,
    caller: &Actor,
    id: LicenseRequestId,
    note: Option<String>,
) -> Result<RequestView, Error> {
    caller.require_admin()?;
    let note = message(note.as_deref())?;
    let now = services.clock.now();
    let (who, catalog, outbox): (Actor, Arc<Catalog>, Outbox) = (
        caller.clone(),
        services.catalog.clone(),
        services.outbox.clone(),
    );
    services
        .db
        .run(move |conn| {
            write_transaction(conn, |conn| {
                let mut request = load_visible(conn, &who, id)?;
                request.deny(who.user_id, note, now).map_err(decided)?;
                store_decision(conn, &request)?;
                record(
                    conn,
                    &who,
                    &outbox,
                    AuditAction::LicenseRequestDecided,
                    &request,
                    now,
                )?;
                Ok(view(&catalog, request))
            })
        })
        .await
}
