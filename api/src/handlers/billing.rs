//! Billing accounts and billing profiles.

use crate::auth::Caller;
use crate::dto::billing::{
    BillingAccountDto, BillingAccountList, BillingProfileDto, BillingProfileList,
    CreateBillingProfileRequest, ReplacePaymentMethodRequest, UpdateBillingProfileRequest,
};
use crate::dto::common::PageParams;
use crate::error::{ApiError, Problem};
use crate::extract::Page;
use crate::extract::{JsonBody, Query};
use crate::idempotency::{Created, Idempotent};
use crate::startup::state::AppState;

use actix_web::{get, patch, post, put, web, HttpResponse};
use uuid::Uuid;

/// The caller's billing accounts: exactly one, created on first use.
#[utoipa::path(tag = "billing", params(PageParams), responses((status = 200, description = "The caller's billing account", body = BillingAccountList)))]
#[get("")]
pub async fn list_billing_accounts(
    state: web::Data<AppState>,
    caller: Caller,
    query: Query<PageParams>,
) -> Result<web::Json<BillingAccountList>, ApiError> {
    Page::<String>::parse(query.limit, query.cursor.as_deref())?;
    let account = usecases::billing_accounts::mine(&state.services, caller.actor()).await?;
    Ok(web::Json(BillingAccountList {
        data: vec![account.try_into()?],
        next_cursor: None,
    }))
}

/// One of the caller's billing accounts.
#[utoipa::path(tag = "billing", params(("billing_account_id" = Uuid, Path, description = "Billing account id")), responses(
    (status = 200, description = "The billing account", body = BillingAccountDto),
))]
#[get("/{billing_account_id}")]
pub async fn get_billing_account(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
) -> Result<web::Json<BillingAccountDto>, ApiError> {
    Ok(web::Json(
        usecases::billing_accounts::get(&state.services, caller.actor(), path.into_inner().into())
            .await?
            .try_into()?,
    ))
}

/// The profiles of one of the caller's billing accounts, oldest first.
#[utoipa::path(tag = "billing", params(("billing_account_id" = Uuid, Path, description = "Billing account id"), PageParams), responses(
    (status = 200, description = "Billing profiles", body = BillingProfileList),
))]
#[get("/{billing_account_id}/billing-profiles")]
pub async fn list_billing_profiles(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
    query: Query<PageParams>,
) -> Result<web::Json<BillingProfileList>, ApiError> {
    let page = Page::parse(query.limit, query.cursor.as_deref())?;
    let (rows, next_cursor) = usecases::billing_profiles::list(
        &state.services,
        caller.actor(),
        path.into_inner().into(),
        page,
    )
    .await?;
    Ok(web::Json(BillingProfileList {
        data: rows
            .into_iter()
            .map(TryInto::try_into)
            .collect::<Result<_, _>>()?,
        next_cursor,
    }))
}

/// Creates a billing profile in one of the caller's billing accounts.
#[utoipa::path(tag = "billing",
    params(("billing_account_id" = Uuid, Path, description = "Billing account id"), crate::dto::common::IdempotencyKeyHeader),
    request_body = CreateBillingProfileRequest,
    responses(
        (status = 201, description = "Profile created", body = BillingProfileDto),
        (status = 422, description = "`invalid_field`, `unknown_field`, `invalid_reference` (payment_method_id is not yours), `card_expired` (that card is past its expiry month) or `idempotency_key_reused`", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/{billing_account_id}/billing-profiles")]
pub async fn create_billing_profile(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
    body: Idempotent<CreateBillingProfileRequest>,
) -> Result<HttpResponse, ApiError> {
    let (body, once) = body.into_parts();
    let account_id = path.into_inner().into();
    let now = state.services.clock.now();
    let who = caller.actor().clone();
    once.run(&state, &caller, move |conn| {
        let row = usecases::billing_profiles::create(conn, &who, account_id, body.into(), now)?;
        let location = format!("/v1/billing-profiles/{}", row.id);
        Created::new(BillingProfileDto::try_from(row)?, Some(location))
    })
    .await
}

/// One of the caller's billing profiles.
#[utoipa::path(tag = "billing", params(("billing_profile_id" = Uuid, Path, description = "Billing profile id")), responses(
    (status = 200, description = "The profile", body = BillingProfileDto),
))]
#[get("/{billing_profile_id}")]
pub async fn get_billing_profile(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
) -> Result<web::Json<BillingProfileDto>, ApiError> {
    Ok(web::Json(
        usecases::billing_profiles::get(&state.services, caller.actor(), path.into_inner().into())
            .await?
            .try_into()?,
    ))
}

/// Edits a billing profile; send only the fields that change.
#[utoipa::path(tag = "billing", params(("billing_profile_id" = Uuid, Path, description = "Billing profile id")), request_body = UpdateBillingProfileRequest, responses(
    (status = 200, description = "The updated profile", body = BillingProfileDto),
    (status = 422, description = "`invalid_field`, `unknown_field`, `invalid_reference` (payment_method_id is not yours) or `card_expired` (that card is past its expiry month)", body = Problem, content_type = "application/problem+json"),
))]
#[patch("/{billing_profile_id}")]
pub async fn update_billing_profile(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
    body: JsonBody<UpdateBillingProfileRequest>,
) -> Result<web::Json<BillingProfileDto>, ApiError> {
    let row = usecases::billing_profiles::update(
        &state.services,
        caller.actor(),
        path.into_inner().into(),
        body.into_inner().into(),
    )
    .await?;
    Ok(web::Json(row.try_into()?))
}

/// Replaces the profile's default payment method; subscriptions billed to the profile follow it.
#[utoipa::path(tag = "billing", params(("billing_profile_id" = Uuid, Path, description = "Billing profile id")), request_body = ReplacePaymentMethodRequest, responses(
    (status = 200, description = "The profile with its new default payment method", body = BillingProfileDto),
    (status = 422, description = "`invalid_reference` (payment_method_id is not yours), `card_expired` (that card is past its expiry month; nothing changes), `invalid_field` or `unknown_field`", body = Problem, content_type = "application/problem+json"),
))]
#[put("/{billing_profile_id}/payment-method")]
pub async fn replace_default_payment_method(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
    body: JsonBody<ReplacePaymentMethodRequest>,
) -> Result<web::Json<BillingProfileDto>, ApiError> {
    let pm = body.into_inner().payment_method_id;
    let row = usecases::billing_profiles::replace_payment_method(
        &state.services,
        caller.actor(),
        path.into_inner().into(),
        pm.into(),
    )
    .await?;
    Ok(web::Json(row.try_into()?))
}
