//! License assignments.

use crate::auth::Caller;
use crate::dto::assignments::*;
use crate::dto::common::PageParams;
use crate::error::{answers, ApiError, Problem};
use crate::extract::{IfMatch, JsonBody, Paged};
use crate::startup::state::AppState;
use actix_web::{delete, get, post, web, HttpResponse};
use usecases::assignments::{self as usecase, Outcome};
use usecases::subscriptions::grow;
use uuid::Uuid;

/// Assignment answers carry the subscription's new ETag, so a following PATCH needs no re-read.
fn with_etag(o: &Outcome) -> actix_web::HttpResponseBuilder {
    let mut response = HttpResponse::Ok();
    response.insert_header((actix_web::http::header::ETAG, o.etag()));
    response
}

/// Assigns licenses to 1–20 members, all or nothing. Users who already hold a
/// license are reported in `already_assigned` and consume nothing, so a retry is harmless.
/// With `"add_licenses": true` and `If-Match`, a shortfall of free licenses
/// grows the total first (by exactly the shortfall, billed like an increase).
#[utoipa::path(tag = "assignments", params(("subscription_id" = Uuid, Path, description = "Subscription id"), ("If-Match" = Option<String>, Header, description = "The subscription's ETag: required with `add_licenses: true`, ignored otherwise")), request_body = AssignRequest, responses(
    (status = 200, description = "Every listed user now holds a license; `ETag` is the subscription's new version", body = AssignResponse, headers(("ETag" = String, description = "The subscription's current strong ETag")), example = json!({
        "assigned": ["3d6c1a2b-8e4f-4a7d-9c1b-2e5f6a7b8c9d", "7e8f9a0b-1c2d-4e3f-9a4b-5c6d7e8f9a0b"], "already_assigned": [],
        "assigned_count": 6, "available_count": 0, "licenses_added": 2, "invoice_id": "0b7d4c1e-5f2a-4e3b-8c9d-1a2b3c4d5e6f"
    })),
    answers::AdminReadOnly,
    (status = 409, description = "`not_enough_licenses` (with `available` and `requested`; with `add_licenses`, the product's maximum leaves no room), `already_canceled` or `subscription_not_active`; nothing changed", body = Problem, content_type = "application/problem+json", example = json!({
        "type": "urn:selfserve:problem:not_enough_licenses", "title": "Not enough licenses", "status": 409,
        "detail": "3 licenses requested but only 2 are available", "code": "not_enough_licenses", "available": 2, "requested": 3
    })),
    (status = 412, description = "`precondition_failed`: with `add_licenses`, the ETag is stale; `ETag` carries the current one", body = Problem, content_type = "application/problem+json", headers(("ETag" = String, description = "The subscription's current strong ETag"))),
    (status = 422, description = "`no_users`, `too_many_users` (over 20), `duplicate_user_ids`, `users_not_in_organization` (with `user_ids`), `trial_license_limit` (a trial cannot grow past its trial maximum), `invalid_field` or `unknown_field`", body = Problem, content_type = "application/problem+json"),
    (status = 428, description = "`precondition_required`: `add_licenses` without If-Match", body = Problem, content_type = "application/problem+json"),
))]
#[post("/{subscription_id}/assignments")]
pub async fn assign_licenses(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
    if_match: IfMatch,
    body: JsonBody<AssignRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let batch = usecase::batch(body.user_ids)?;
    let (id, services) = (path.into_inner().into(), &state.services);
    let (o, licenses_added, invoice_id) = if body.add_licenses == Some(true) {
        let g = grow::assign_adding(services, caller.actor(), id, batch, if_match.0).await?;
        let invoice_id = g.invoice_id.map(|i| i.as_uuid());
        (g.outcome, g.licenses_added, invoice_id)
    } else {
        (
            usecase::assign(services, caller.actor(), id, batch).await?,
            0,
            None,
        )
    };
    Ok(with_etag(&o).json(AssignResponse {
        licenses_added,
        invoice_id,
        ..AssignResponse::from(&o)
    }))
}

/// Unassigns licenses from 1–20 users; users without a license are reported, not an error.
#[utoipa::path(tag = "assignments", params(("subscription_id" = Uuid, Path, description = "Subscription id")), request_body = UserBatchRequest, responses(
    (status = 200, description = "Licenses released; `ETag` is the subscription's new version", body = UnassignResponse, headers(("ETag" = String, description = "The subscription's current strong ETag"))),
    answers::AdminReadOnly,
    (status = 422, description = "`no_users`, `too_many_users`, `duplicate_user_ids`, `invalid_field` or `unknown_field`", body = Problem, content_type = "application/problem+json"),
))]
#[post("/{subscription_id}/assignments/remove")]
pub async fn unassign_licenses(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
    body: JsonBody<UserBatchRequest>,
) -> Result<HttpResponse, ApiError> {
    let batch = usecase::batch(body.into_inner().user_ids)?;
    let o = usecase::unassign(
        &state.services,
        caller.actor(),
        path.into_inner().into(),
        batch,
    )
    .await?;
    Ok(with_etag(&o).json(UnassignResponse::from(&o)))
}

/// Unassigns one user's license.
#[utoipa::path(tag = "assignments", params(("subscription_id" = Uuid, Path, description = "Subscription id"), ("user_id" = Uuid, Path, description = "User id")), responses(
    (status = 204, description = "Released", headers(("ETag" = String, description = "The subscription's current strong ETag"))),
    answers::AdminReadOnly,
))]
#[delete("/{subscription_id}/assignments/{user_id}")]
pub async fn unassign_license(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (subscription, user) = path.into_inner();
    let o = usecase::unassign(
        &state.services,
        caller.actor(),
        subscription.into(),
        usecase::batch(vec![user])?,
    )
    .await?;
    if o.changed.is_empty() {
        return Err(ApiError::not_found("license assignment"));
    }
    Ok(HttpResponse::NoContent()
        .insert_header((actix_web::http::header::ETAG, o.etag()))
        .finish())
}

/// Who holds the subscription's licenses, in assignment order (purchaser and admins).
#[utoipa::path(tag = "assignments", params(("subscription_id" = Uuid, Path, description = "Subscription id"), PageParams), responses(
    (status = 200, description = "Assignments", body = AssignmentList),
))]
#[get("/{subscription_id}/assignments")]
pub async fn list_assignments(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
    list: Paged<(chrono::NaiveDateTime, String)>,
) -> Result<web::Json<AssignmentList>, ApiError> {
    let page = list.page;
    let (rows, next_cursor) = usecase::list(
        &state.services,
        caller.actor(),
        path.into_inner().into(),
        page,
    )
    .await?;
    Ok(web::Json(AssignmentList {
        data: rows
            .into_iter()
            .map(AssignmentDto::try_from)
            .collect::<Result<_, _>>()?,
        next_cursor,
    }))
}

/// The licenses a user holds in live subscriptions (the user themself, or an admin).
#[utoipa::path(tag = "assignments", params(("user_id" = Uuid, Path, description = "User id")), responses(
    (status = 200, description = "Licenses", body = LicenseList),
    (status = 403, description = "`admin_only`: members see only their own licenses", body = Problem, content_type = "application/problem+json"),
))]
#[get("/{user_id}/licenses")]
pub async fn list_user_licenses(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
) -> Result<web::Json<LicenseList>, ApiError> {
    let rows = usecase::of_user(&state.services, caller.actor(), path.into_inner().into()).await?;
    Ok(web::Json(LicenseList {
        data: rows
            .into_iter()
            .map(|(a, s)| {
                let product_id = s.product_id.as_uuid();
                Ok(LicenseDto {
                    subscription_id: s.id.as_uuid(),
                    product_id,
                    product_name: state
                        .services
                        .catalog
                        .get(product_id.into())
                        .map(|p| p.name().to_owned())
                        .unwrap_or_default(),
                    purchaser_id: s.purchaser_id.as_uuid(),
                    assigned_at: a.assigned_at.and_utc(),
                })
            })
            .collect::<Result<_, ApiError>>()?,
        next_cursor: None,
    }))
}
