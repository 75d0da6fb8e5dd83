//! An admin taking control of a member's self-service purchase (PRODUCT.md §7).

use super::subscriptions::{reason_from, to_dto};
use crate::auth::Caller;
use crate::dto::governance::{TakeControlRequest, TakeControlResponse};
use crate::error::{answers, ApiError, Problem};
use crate::idempotency::{Created, Idempotent};
use crate::startup::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{post, web, HttpResponse};
use usecases::governance::take_control::{self as usecase, TakeControl};
use usecases::subscriptions::{etag, Names};
use uuid::Uuid;

impl From<TakeControlRequest> for TakeControl {
    fn from(r: TakeControlRequest) -> Self {
        match r {
            TakeControlRequest::MoveUsers {
                target_subscription_id,
            } => TakeControl::MoveUsers {
                target: target_subscription_id.into(),
            },
            TakeControlRequest::Cancel { reason, feedback } => TakeControl::Cancel {
                reason: reason_from(reason),
                feedback,
            },
        }
    }
}

/// Takes control of a live self-service purchase (admins only).
/// `move_users` moves every user to a live organisation subscription of the
/// same product, all or nothing, and cancels the purchase with
/// `cancellation.reason = "taken_over_by_admin"` and the usual credit to its
/// purchaser; `cancel` cancels it as its purchaser could. Both are recorded in
/// the history of the subscriptions involved. The only write an admin may make
/// on someone else's purchase.
#[utoipa::path(tag = "admin",
    params(("subscription_id" = Uuid, Path, description = "The self-service subscription"), crate::dto::common::IdempotencyKeyHeader),
    request_body(content = TakeControlRequest, examples(
        ("move_users" = (value = json!({"action": "move_users", "target_subscription_id": "0b6f2b8e-3c55-4b1e-9f67-3a1e6a0f4d21"}))),
        ("cancel" = (value = json!({"action": "cancel", "reason": "switched_service", "feedback": "We buy this centrally now."}))),
    )),
    responses(
        (status = 200, description = "The canceled purchase and the users now on the target", body = TakeControlResponse,
            headers(("ETag" = String, description = "The canceled subscription's strong ETag"))),
        answers::AdminOnly,
        (status = 409, description = "`already_canceled` (not live), `not_self_service` (an organisation subscription), `not_enough_licenses` (the target lacks free licenses; with `available` and `requested`; nothing changed) or `idempotency_request_in_progress`", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "urn:selfserve:problem:not_enough_licenses", "title": "Not enough licenses", "status": 409, "detail": "3 licenses requested but only 1 are available", "code": "not_enough_licenses", "available": 1, "requested": 3})),
        (status = 422, description = "`invalid_target_subscription` (not a live organisation subscription of the same product in your organisation; `field` is `target_subscription_id`), `invalid_field`, `unknown_field` or `idempotency_key_reused`", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "urn:selfserve:problem:invalid_target_subscription", "title": "Invalid target subscription", "status": 422, "detail": "the target subscription is for another product", "code": "invalid_target_subscription", "field": "target_subscription_id"})),
    ))]
#[post("/subscriptions/{subscription_id}/take-control")]
pub async fn take_control(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
    body: Idempotent<TakeControlRequest>,
) -> Result<HttpResponse, ApiError> {
    caller.actor().require_admin()?;
    let (body, once) = body.into_parts();
    let (now, tax, names, who, outbox) = (
        state.services.clock.now(),
        state.services.tax_rate_bps,
        Names::from(&state.services),
        caller.actor().clone(),
        state.services.outbox.clone(),
    );
    let id = path.into_inner().into();
    once.run(&state, &caller, move |conn| {
        let taken = usecase::take_control(conn, &who, &outbox, id, body.into(), tax, now)?;
        let view = names.view(conn, taken.loaded)?;
        let mut created = Created::new(
            TakeControlResponse {
                subscription: to_dto(&view)?,
                moved_user_ids: taken.moved.iter().map(|u| u.as_uuid()).collect(),
            },
            None,
        )?;
        created.status = StatusCode::OK;
        created.etag = Some(etag(&view.loaded.row));
        Ok(created)
    })
    .await
}
