//! Cards.

use crate::auth::Caller;
use crate::dto::common::PageParams;
use crate::dto::payment_methods::{
    CreatePaymentMethodRequest, PaymentMethodDto, PaymentMethodList, UpdatePaymentMethodRequest,
};
use crate::error::{ApiError, Problem};
use crate::extract::{JsonBody, Paged};
use crate::idempotency::{Created, Idempotent};
use crate::startup::state::AppState;
use actix_web::{delete, get, patch, post, web, HttpResponse};
use usecases::payment_methods as usecase;
use uuid::Uuid;

/// The caller's cards, oldest first.
#[utoipa::path(tag = "payment methods", params(PageParams), responses((status = 200, description = "Payment methods", body = PaymentMethodList)))]
#[get("")]
pub async fn list_payment_methods(
    state: web::Data<AppState>,
    caller: Caller,
    list: Paged<(chrono::NaiveDateTime, String)>,
) -> Result<web::Json<PaymentMethodList>, ApiError> {
    let page = list.page;
    let (rows, next_cursor) = usecase::list(&state.services, caller.actor(), page).await?;
    let today = state.services.clock.now().date_naive();
    Ok(web::Json(PaymentMethodList {
        data: rows
            .into_iter()
            .map(|r| PaymentMethodDto::new(r, today))
            .collect::<Result<_, _>>()?,
        next_cursor,
    }))
}

/// Adds a card. The number and security code are validated (Luhn, brand, expiry,
/// code length) and never stored, logged or echoed: only brand, last four, expiry,
/// holder, address and a keyed fingerprint are kept.
#[utoipa::path(tag = "payment methods",
    params(crate::dto::common::IdempotencyKeyHeader),
    request_body = CreatePaymentMethodRequest,
    responses(
        (status = 201, description = "Card added", body = PaymentMethodDto),
        (status = 409, description = "`duplicate_payment_method` (`existing_id` names it) or `idempotency_request_in_progress`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`card_number_invalid`, `card_brand_unsupported`, `card_expired`, `card_expiry_invalid`, `cvc_invalid`, `holder_name_invalid`, `invalid_field`, `unknown_field` or `idempotency_key_reused`; `field` names the field", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("")]
pub async fn create_payment_method(
    state: web::Data<AppState>,
    caller: Caller,
    body: Idempotent<CreatePaymentMethodRequest>,
) -> Result<HttpResponse, ApiError> {
    let (body, once) = body.into_parts();
    let now = state.services.clock.now();
    // Validation (and the fingerprint) happen here; the number is dropped before any storage.
    let card = usecase::validate_new(&state.services, caller.actor(), body.into(), now)?;
    let who = caller.actor().clone();
    once.run(&state, &caller, move |conn| {
        let row = usecase::create(conn, &who, card, now)?;
        let location = format!("/v1/payment-methods/{}", row.id);
        Created::new(
            PaymentMethodDto::new(row, now.date_naive())?,
            Some(location),
        )
    })
    .await
}

/// One of the caller's cards.
#[utoipa::path(tag = "payment methods", params(("payment_method_id" = Uuid, Path, description = "Payment method id")), responses(
    (status = 200, description = "The card", body = PaymentMethodDto),
))]
#[get("/{payment_method_id}")]
pub async fn get_payment_method(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
) -> Result<web::Json<PaymentMethodDto>, ApiError> {
    let row = usecase::get(&state.services, caller.actor(), path.into_inner().into()).await?;
    Ok(web::Json(PaymentMethodDto::new(
        row,
        state.services.clock.now().date_naive(),
    )?))
}

/// Edits expiry, holder name or billing address, or re-verifies the security code.
#[utoipa::path(tag = "payment methods", params(("payment_method_id" = Uuid, Path, description = "Payment method id")), request_body = UpdatePaymentMethodRequest, responses(
    (status = 200, description = "The updated card", body = PaymentMethodDto),
    (status = 422, description = "`card_expired`, `card_expiry_invalid`, `cvc_invalid`, `holder_name_invalid`, `invalid_field` or `unknown_field` (a `number` cannot be changed)", body = Problem, content_type = "application/problem+json"),
))]
#[patch("/{payment_method_id}")]
pub async fn update_payment_method(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
    body: JsonBody<UpdatePaymentMethodRequest>,
) -> Result<web::Json<PaymentMethodDto>, ApiError> {
    let row = usecase::update(
        &state.services,
        caller.actor(),
        path.into_inner().into(),
        body.into_inner().into(),
    )
    .await?;
    Ok(web::Json(PaymentMethodDto::new(
        row,
        state.services.clock.now().date_naive(),
    )?))
}

/// Removes a card, unless it is the default of a profile with live subscriptions.
#[utoipa::path(tag = "payment methods", params(("payment_method_id" = Uuid, Path, description = "Payment method id")), responses(
    (status = 204, description = "Removed"),
    (status = 409, description = "`payment_method_in_use`: replace it on the billing profile first", body = Problem, content_type = "application/problem+json"),
))]
#[delete("/{payment_method_id}")]
pub async fn delete_payment_method(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    usecase::remove(&state.services, caller.actor(), path.into_inner().into()).await?;
    Ok(HttpResponse::NoContent().finish())
}
