//! An endpoint's delivery log and redelivery (PRODUCT.md §8), admins only.

use crate::auth::Caller;
use crate::dto::webhooks::*;
use crate::error::{answers, ApiError, Problem};
use crate::extract::Paged;
use crate::startup::state::AppState;
use actix_web::{get, post, web, HttpResponse};
use chrono::NaiveDateTime;
use domain::delivery::DeliveryStatus;
use usecases::webhooks::{log as usecase, LoggedDelivery};
use uuid::Uuid;

impl From<&LoggedDelivery> for DeliveryDto {
    fn from(d: &LoggedDelivery) -> Self {
        Self {
            id: d.id.as_uuid(),
            event_id: d.event_id.as_uuid(),
            event_type: d.event_type.into(),
            status: match d.status {
                DeliveryStatus::Pending => DeliveryStatusDto::Pending,
                DeliveryStatus::Delivered => DeliveryStatusDto::Delivered,
                DeliveryStatus::Failed => DeliveryStatusDto::Failed,
            },
            next_attempt_at: d.next_attempt_at,
            created_at: d.created_at,
            delivered_at: d.delivered_at,
            attempts: d
                .attempts
                .iter()
                .map(|a| DeliveryAttemptDto {
                    attempted_at: a.attempted_at,
                    status_code: a.status_code,
                    duration_ms: a.duration_ms,
                    succeeded: a.succeeded,
                    error: a.error.clone(),
                })
                .collect(),
        }
    }
}

/// The endpoint's deliveries, newest first, each with every attempt (time,
/// status code, duration, error) (admins only).
#[utoipa::path(tag = "webhooks", params(("webhook_endpoint_id" = Uuid, Path, description = "Webhook endpoint id"), crate::dto::common::PageParams), responses(
    (status = 200, description = "A page of deliveries", body = DeliveryList),
    answers::AdminOnly,
))]
#[get("/webhook-endpoints/{webhook_endpoint_id}/deliveries")]
pub async fn list_webhook_deliveries(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
    list: Paged<(NaiveDateTime, String)>,
) -> Result<web::Json<DeliveryList>, ApiError> {
    let (rows, next_cursor) = usecase::list(
        &state.services,
        caller.actor(),
        path.into_inner().into(),
        list.page,
    )
    .await?;
    Ok(web::Json(DeliveryList {
        data: rows.iter().map(DeliveryDto::from).collect(),
        next_cursor,
    }))
}

/// Sends the delivery's event to the endpoint again: a new delivery, due at
/// once, with its own retries; the old one and its log stay (admins only).
#[utoipa::path(tag = "webhooks", params(
        ("webhook_endpoint_id" = Uuid, Path, description = "Webhook endpoint id"),
        ("delivery_id" = Uuid, Path, description = "A delivery of this endpoint"),
    ), responses(
    (status = 202, description = "The new delivery, `pending`", body = DeliveryDto),
    answers::AdminOnly,
    (status = 409, description = "`webhook_endpoint_disabled`: enable the endpoint first", body = Problem, content_type = "application/problem+json",
        example = json!({"type": "urn:selfserve:problem:webhook_endpoint_disabled", "title": "Webhook endpoint disabled", "status": 409, "detail": "the webhook endpoint is disabled; enable it before redelivering", "code": "webhook_endpoint_disabled"})),
))]
#[post("/webhook-endpoints/{webhook_endpoint_id}/deliveries/{delivery_id}/redeliver")]
pub async fn redeliver_webhook_delivery(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (endpoint, delivery) = path.into_inner();
    let fresh = usecase::redeliver(
        &state.services,
        caller.actor(),
        endpoint.into(),
        delivery.into(),
    )
    .await?;
    Ok(HttpResponse::Accepted().json(DeliveryDto::from(&fresh)))
}
