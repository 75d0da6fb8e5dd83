//! License requests (PRODUCT.md §7): members ask, admins decide.

use crate::auth::Caller;
use crate::dto::governance::*;
use crate::error::{answers, ApiError, Problem};
use crate::extract::{JsonBody, Paged};
use crate::startup::state::AppState;
use actix_web::{get, post, web, HttpResponse};
use domain::governance::{LicenseRequestStatus, UserOutcome};
use usecases::governance::license_requests::{
    self as usecase, Approval, ListFilter, NewLicenseRequest, RequestView,
};
use uuid::Uuid;

fn status_dto(s: LicenseRequestStatus) -> LicenseRequestStatusDto {
    match s {
        LicenseRequestStatus::Pending => LicenseRequestStatusDto::Pending,
        LicenseRequestStatus::Approved => LicenseRequestStatusDto::Approved,
        LicenseRequestStatus::PartiallyApproved => LicenseRequestStatusDto::PartiallyApproved,
        LicenseRequestStatus::Denied => LicenseRequestStatusDto::Denied,
    }
}

fn status_from(s: LicenseRequestStatusDto) -> LicenseRequestStatus {
    match s {
        LicenseRequestStatusDto::Pending => LicenseRequestStatus::Pending,
        LicenseRequestStatusDto::Approved => LicenseRequestStatus::Approved,
        LicenseRequestStatusDto::PartiallyApproved => LicenseRequestStatus::PartiallyApproved,
        LicenseRequestStatusDto::Denied => LicenseRequestStatus::Denied,
    }
}

impl From<&RequestView> for LicenseRequestDto {
    fn from(v: &RequestView) -> Self {
        let r = &v.request;
        Self {
            id: r.id().as_uuid(),
            product_id: r.product_id().as_uuid(),
            product_name: v.product_name.clone(),
            requester_id: r.requester_id().as_uuid(),
            status: status_dto(r.status()),
            message: r.message().map(|m| m.as_str().to_owned()),
            users: r
                .users()
                .iter()
                .map(|u| RequestedUserDto {
                    user_id: u.user_id.as_uuid(),
                    outcome: match u.outcome {
                        UserOutcome::Pending => UserOutcomeDto::Pending,
                        UserOutcome::Approved => UserOutcomeDto::Approved,
                        UserOutcome::Denied => UserOutcomeDto::Denied,
                    },
                })
                .collect(),
            decision: r.decision().map(|d| LicenseRequestDecisionDto {
                decided_by: d.decided_by.as_uuid(),
                decided_at: d.decided_at,
                subscription_id: d.subscription_id.map(|s| s.as_uuid()),
                message: d.message.as_ref().map(|m| m.as_str().to_owned()),
            }),
            created_at: r.created_at(),
        }
    }
}

fn ids<T: From<Uuid>>(list: Option<Vec<Uuid>>) -> Option<Vec<T>> {
    list.map(|l| l.into_iter().map(T::from).collect())
}

/// Asks the organisation for licenses of a product, for yourself (the
/// default) or 1 to 20 members. Refused with 403 when the organisation
/// takes requests elsewhere (`license_requests_external`, with `url`) or not
/// at all (`license_requests_disabled`).
#[utoipa::path(tag = "license requests", request_body(content = CreateLicenseRequest,
    example = json!({"product_id": "6f1c1f7e-8a4f-4c55-9e1e-0d7c1b5f1a01", "user_ids": ["3f0b8d9e-1c2a-4f5b-8e7d-6a5b4c3d2e1f"], "message": "For the new sales team."})),
    responses(
        (status = 201, description = "The request, `pending`", body = LicenseRequestDto),
        (status = 403, description = "`license_requests_external` (with `url`: ask there) or `license_requests_disabled`", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "urn:selfserve:problem:license_requests_external", "title": "License requests not taken here", "status": 403, "detail": "this organisation handles license requests at its own address (`url`)", "code": "license_requests_external", "url": "https://it.example.com/licenses"})),
        (status = 409, description = "`license_request_pending`: you already have a pending request for this product (`existing_id`)", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "urn:selfserve:problem:license_request_pending", "title": "License request pending", "status": 409, "detail": "you already have a pending request for this product (`existing_id`)", "code": "license_request_pending", "existing_id": "9a7c3e2b-5d4f-4a1b-8c6d-0e1f2a3b4c5d"})),
        (status = 422, description = "`invalid_reference` (no such product), `no_users`, `too_many_users`, `duplicate_user_ids`, `users_not_in_organization`, `invalid_field` (a message over 500 characters or with control characters) or `unknown_field`", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("")]
pub async fn create_license_request(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<CreateLicenseRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let ask = NewLicenseRequest {
        product_id: body.product_id.into(),
        user_ids: ids(body.user_ids),
        message: body.message,
    };
    let view = usecase::create(&state.services, caller.actor(), ask).await?;
    let dto = LicenseRequestDto::from(&view);
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/v1/license-requests/{}", dto.id)))
        .json(dto))
}

/// Requests, newest first: a member's own; every request of the organisation for an admin.
#[utoipa::path(tag = "license requests", params(LicenseRequestQuery), responses(
    (status = 200, description = "A page of requests", body = LicenseRequestList),
))]
#[get("")]
pub async fn list_license_requests(
    state: web::Data<AppState>,
    caller: Caller,
    list: Paged<(chrono::NaiveDateTime, String), LicenseRequestQuery>,
) -> Result<web::Json<LicenseRequestList>, ApiError> {
    let Paged { filters: q, page } = list;
    let filter = ListFilter {
        status: q.status.map(status_from),
        product_id: q.product_id.map(Into::into),
    };
    let (views, next_cursor) = usecase::list(&state.services, caller.actor(), filter, page).await?;
    Ok(web::Json(LicenseRequestList {
        data: views.iter().map(LicenseRequestDto::from).collect(),
        next_cursor,
    }))
}

/// One request: its requester's, or any admin's of the organisation.
#[utoipa::path(tag = "license requests", params(("license_request_id" = Uuid, Path, description = "License request id")), responses(
    (status = 200, description = "The request", body = LicenseRequestDto),
))]
#[get("/{license_request_id}")]
pub async fn get_license_request(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
) -> Result<web::Json<LicenseRequestDto>, ApiError> {
    let view = usecase::get(&state.services, caller.actor(), path.into_inner().into()).await?;
    Ok(web::Json((&view).into()))
}

/// Approves the request (admins only): all requested users, or the subset
/// in `user_ids` (the others are denied), get licenses from
/// `subscription_id`, a live subscription of the product you manage, all or
/// nothing. Status `approved` or `partially_approved`.
#[utoipa::path(tag = "license requests", params(("license_request_id" = Uuid, Path, description = "License request id")),
    request_body(content = ApproveLicenseRequest, example = json!({"subscription_id": "0b6f2b8e-3c55-4b1e-9f67-3a1e6a0f4d21", "message": "Enjoy."})),
    responses(
        (status = 200, description = "The decided request", body = LicenseRequestDto),
        answers::AdminOnly,
        (status = 409, description = "`license_request_decided` (decided already), `not_enough_licenses` (with `available` and `requested`; nothing changed) or `subscription_not_active`", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "urn:selfserve:problem:license_request_decided", "title": "License request decided", "status": 409, "detail": "this license request was already decided (denied)", "code": "license_request_decided"})),
        (status = 422, description = "`invalid_reference` (`subscription_id` is not a subscription of this product you manage), `users_not_requested` (with `user_ids`), `no_users`, `too_many_users`, `duplicate_user_ids`, `invalid_field` or `unknown_field`", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/{license_request_id}/approve")]
pub async fn approve_license_request(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
    body: JsonBody<ApproveLicenseRequest>,
) -> Result<web::Json<LicenseRequestDto>, ApiError> {
    let body = body.into_inner();
    let approval = Approval {
        subscription_id: body.subscription_id.into(),
        user_ids: ids(body.user_ids),
        message: body.message,
    };
    let view = usecase::approve(
        &state.services,
        caller.actor(),
        path.into_inner().into(),
        approval,
    )
    .await?;
    Ok(web::Json((&view).into()))
}

/// Denies the request (admins only).
#[utoipa::path(tag = "license requests", params(("license_request_id" = Uuid, Path, description = "License request id")),
    request_body(content = DenyLicenseRequest, example = json!({"message": "Please use the shared pool."})),
    responses(
        (status = 200, description = "The denied request", body = LicenseRequestDto),
        answers::AdminOnly,
        (status = 409, description = "`license_request_decided`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_field` or `unknown_field`", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/{license_request_id}/deny")]
pub async fn deny_license_request(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
    body: JsonBody<DenyLicenseRequest>,
) -> Result<web::Json<LicenseRequestDto>, ApiError> {
    let view = usecase::deny(
        &state.services,
        caller.actor(),
        path.into_inner().into(),
        body.into_inner().message,
    )
    .await?;
    Ok(web::Json((&view).into()))
}
