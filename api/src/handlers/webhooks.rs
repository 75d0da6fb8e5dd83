//! Webhook endpoints (PRODUCT.md §8), admins only; members get 403
//! `admin_only`, another organisation's ids 404.

use crate::auth::Caller;
use crate::dto::webhooks::*;
use crate::error::{answers, ApiError, Problem};
use crate::extract::{JsonBody, Paged};
use crate::idempotency::{Created, Idempotent};
use crate::startup::state::AppState;
use actix_web::{delete, get, patch, post, web, HttpResponse};
use chrono::NaiveDateTime;
use domain::webhook::EventSelection;
use usecases::webhooks::{endpoints as usecase, Endpoint, EndpointPatch, NewEndpoint, WithSecret};
use uuid::Uuid;

fn events_dto(selection: &EventSelection) -> Vec<WebhookEventDto> {
    selection
        .names()
        .into_iter()
        .filter_map(WebhookEventDto::from_wire)
        .collect()
}

fn names(events: Vec<WebhookEventDto>) -> Vec<String> {
    events.into_iter().map(|e| e.as_str().to_owned()).collect()
}

impl From<&Endpoint> for WebhookEndpointDto {
    fn from(e: &Endpoint) -> Self {
        Self {
            id: e.id.as_uuid(),
            url: e.url.clone(),
            description: e.description.clone(),
            events: events_dto(&e.events),
            enabled: e.enabled,
            disabled_reason: e
                .disabled_reason
                .as_deref()
                .map(|_| DisabledReasonDto::Failing),
            failing_since: e.failing_since,
            previous_secret_expires_at: e.previous_secret_expires_at,
            created_at: e.created_at,
            updated_at: e.updated_at,
        }
    }
}

impl From<&WithSecret> for WebhookEndpointWithSecretDto {
    fn from(w: &WithSecret) -> Self {
        Self {
            endpoint: (&w.endpoint).into(),
            secret: w.secret.clone(),
        }
    }
}

const URL_422: &str = "`webhook_url_private_address` (the URL is, or resolves to, a loopback, link-local or private address), `webhook_url_not_https`, `webhook_url_credentials`, `invalid_webhook_url`, `invalid_field` (events, description) or `unknown_field`; `field` names the field";

/// Registers an endpoint (admins only). The answer carries its signing
/// `secret`, shown this once (a replay of the same `Idempotency-Key` answers
/// the same creation); reads never show it.
#[utoipa::path(tag = "webhooks",
    params(crate::dto::common::IdempotencyKeyHeader),
    request_body = CreateWebhookEndpointRequest,
    responses(
        (status = 201, description = "The endpoint and its secret", body = WebhookEndpointWithSecretDto),
        answers::AdminOnly,
        (status = 422, description = URL_422, body = Problem, content_type = "application/problem+json",
            example = json!({"type": "urn:selfserve:problem:webhook_url_private_address", "title": "Webhook URL reaches a private address", "status": 422, "detail": "`url` reaches 10.0.0.8, a private address; webhooks go to public addresses only", "code": "webhook_url_private_address", "field": "url"})),
    ))]
#[post("/webhook-endpoints")]
pub async fn create_webhook_endpoint(
    state: web::Data<AppState>,
    caller: Caller,
    body: Idempotent<CreateWebhookEndpointRequest>,
) -> Result<HttpResponse, ApiError> {
    let (body, once) = body.into_parts();
    let new = NewEndpoint {
        url: body.url,
        events: names(body.events),
        description: body.description,
    };
    let prepared = usecase::prepare(&state.services, caller.actor(), new).await?;
    let (who, now) = (caller.actor().clone(), state.services.clock.now());
    once.run(&state, &caller, move |conn| {
        let created = usecase::create_in(conn, &who, prepared, now)?;
        let dto = WebhookEndpointWithSecretDto::from(&created);
        let location = format!("/v1/admin/webhook-endpoints/{}", dto.endpoint.id);
        Created::new(dto, Some(location))
    })
    .await
}

/// The organisation's endpoints, newest first (admins only).
#[utoipa::path(tag = "webhooks", params(crate::dto::common::PageParams), responses(
    (status = 200, description = "A page of endpoints", body = WebhookEndpointList),
    answers::AdminOnly,
))]
#[get("/webhook-endpoints")]
pub async fn list_webhook_endpoints(
    state: web::Data<AppState>,
    caller: Caller,
    list: Paged<(NaiveDateTime, String)>,
) -> Result<web::Json<WebhookEndpointList>, ApiError> {
    let (rows, next_cursor) = usecase::list(&state.services, caller.actor(), list.page).await?;
    Ok(web::Json(WebhookEndpointList {
        data: rows.iter().map(WebhookEndpointDto::from).collect(),
        next_cursor,
    }))
}

/// One endpoint, without its secret (admins only).
#[utoipa::path(tag = "webhooks", params(("webhook_endpoint_id" = Uuid, Path, description = "Webhook endpoint id")), responses(
    (status = 200, description = "The endpoint", body = WebhookEndpointDto),
    answers::AdminOnly,
))]
#[get("/webhook-endpoints/{webhook_endpoint_id}")]
pub async fn get_webhook_endpoint(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
) -> Result<web::Json<WebhookEndpointDto>, ApiError> {
    let endpoint = usecase::get(&state.services, caller.actor(), path.into_inner().into()).await?;
    Ok(web::Json((&endpoint).into()))
}

/// Changes the URL, the events or `enabled` (admins only). Turning a
/// switched-off endpoint back on starts its health afresh; deliveries that
/// failed meanwhile can be redelivered.
#[utoipa::path(tag = "webhooks", params(("webhook_endpoint_id" = Uuid, Path, description = "Webhook endpoint id")),
    request_body = UpdateWebhookEndpointRequest,
    responses(
        (status = 200, description = "The endpoint", body = WebhookEndpointDto),
        answers::AdminOnly,
        (status = 422, description = URL_422, body = Problem, content_type = "application/problem+json"),
    ))]
#[patch("/webhook-endpoints/{webhook_endpoint_id}")]
pub async fn update_webhook_endpoint(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
    body: JsonBody<UpdateWebhookEndpointRequest>,
) -> Result<web::Json<WebhookEndpointDto>, ApiError> {
    let body = body.into_inner();
    let patch = EndpointPatch {
        url: body.url,
        events: body.events.map(names),
        enabled: body.enabled,
        description: body.description,
    };
    let endpoint = usecase::update(
        &state.services,
        caller.actor(),
        path.into_inner().into(),
        patch,
    )
    .await?;
    Ok(web::Json((&endpoint).into()))
}

/// Deletes the endpoint and its delivery log; pending deliveries are dropped (admins only).
#[utoipa::path(tag = "webhooks", params(("webhook_endpoint_id" = Uuid, Path, description = "Webhook endpoint id")), responses(
    (status = 204, description = "Deleted"),
    answers::AdminOnly,
))]
#[delete("/webhook-endpoints/{webhook_endpoint_id}")]
pub async fn delete_webhook_endpoint(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    usecase::delete(&state.services, caller.actor(), path.into_inner().into()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A new signing secret, shown this once (admins only). The previous one
/// keeps signing beside it for 24 hours (`previous_secret_expires_at`), so
/// receivers can switch without missing a delivery.
#[utoipa::path(tag = "webhooks", params(("webhook_endpoint_id" = Uuid, Path, description = "Webhook endpoint id")), responses(
    (status = 200, description = "The endpoint and its new secret", body = WebhookEndpointWithSecretDto),
    answers::AdminOnly,
))]
#[post("/webhook-endpoints/{webhook_endpoint_id}/rotate-secret")]
pub async fn rotate_webhook_secret(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
) -> Result<web::Json<WebhookEndpointWithSecretDto>, ApiError> {
    let rotated =
        usecase::rotate_secret(&state.services, caller.actor(), path.into_inner().into()).await?;
    Ok(web::Json((&rotated).into()))
}
