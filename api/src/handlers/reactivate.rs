//! Reactivating a subscription in its lifecycle (PRODUCT.md §8).

use super::subscriptions::changed;
use crate::auth::Caller;
use crate::dto::subscriptions::SubscriptionDto;
use crate::error::{ApiError, Problem};
use crate::extract::IfMatch;
use crate::idempotency::IdempotentWithoutBody;
use crate::startup::state::AppState;
use actix_web::{post, web, HttpResponse};
use usecases::subscriptions::{self as usecase, Names};
use uuid::Uuid;

/// Reactivates an `expired` or `disabled` paid subscription (PRODUCT.md §8):
/// `active` again with a new period from today, invoiced at once like a
/// purchase (the organisation's spend cap applies), auto-renew on, charged
/// to the subscription's card (its billing profile's default). Suspended
/// assignments become active again, as many as the license count holds.
/// Takes no body; `If-Match` is honoured when sent, and an
/// `Idempotency-Key` replays the answer.
#[utoipa::path(tag = "subscriptions",
    params(("subscription_id" = Uuid, Path, description = "Subscription id"), ("If-Match" = Option<String>, Header, description = "Optional ETag guard"), crate::dto::common::IdempotencyKeyHeader),
    responses(
        (status = 200, description = "The reactivated subscription, `active` with a new period", body = SubscriptionDto, headers(("ETag" = String, description = "The subscription's current strong ETag"))),
        (status = 403, description = "`admin_read_only` (admins cannot change another member's purchase) or `spend_cap_exceeded` (the new period's charge would cross the organisation's monthly cap; with `cap`, `spent`, `requested`); nothing changed", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`not_reactivatable` (only `expired` or `disabled` paid subscriptions can be; an ended trial cannot), `payment_method_required` (its card was removed; set a default on the billing profile first) or `idempotency_request_in_progress`; nothing changed", body = Problem, content_type = "application/problem+json", examples(
            ("not_reactivatable" = (value = json!({"type": "urn:selfserve:problem:not_reactivatable", "title": "Not reactivatable", "status": 409, "detail": "the subscription is deleted; only expired or disabled paid subscriptions can be reactivated", "code": "not_reactivatable"}))),
            ("payment_method_required" = (value = json!({"type": "urn:selfserve:problem:payment_method_required", "title": "Payment method required", "status": 409, "detail": "the subscription's payment method was removed; set a default payment method on its billing profile, then try again", "code": "payment_method_required"}))),
        )),
        (status = 412, description = "`precondition_failed`: the If-Match ETag is stale; `ETag` carries the current one", body = Problem, content_type = "application/problem+json", headers(("ETag" = String, description = "The subscription's current strong ETag"))),
        (status = 422, description = "`card_expired` (the subscription's card is past its expiry month; `field` is `payment_method_id`) or `idempotency_key_reused`", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "urn:selfserve:problem:card_expired", "title": "Card expired", "status": 422, "detail": "the card expired at the end of 01/2026; update its expiry or choose another payment method", "code": "card_expired", "field": "payment_method_id"})),
    ))]
#[post("/{subscription_id}/reactivate")]
pub async fn reactivate_subscription(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
    if_match: IfMatch,
    request: IdempotentWithoutBody,
) -> Result<HttpResponse, ApiError> {
    let (now, tax, names, catalog, who, outbox) = (
        state.services.clock.now(),
        state.services.tax_rate_bps,
        Names::from(&state.services),
        state.services.catalog.clone(),
        caller.actor().clone(),
        state.services.outbox.clone(),
    );
    let id = path.into_inner().into();
    let if_match = if_match.0;
    request
        .into_once()
        .run(&state, &caller, move |conn| {
            let loaded = usecase::reactivate::reactivate_in(
                conn,
                &who,
                &outbox,
                &catalog,
                id,
                if_match.as_deref(),
                tax,
                now,
            )?;
            changed(&names.view(conn, loaded)?)
        })
        .await
}
